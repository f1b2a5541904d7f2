/* Unit tests for the child's page in the library (include/joindots/child.h):
 * UK dates, ages and words; the chronology filtered and paged; notes merged
 * into it; the summary with no rule code; the PDF with its pages and
 * redaction. On the small "alerts" bundle (Amy Hart, a child with alerts;
 * Ben Cole, with none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"
#include "summary_check.h"

#include <joindots/analyse.h>
#include <joindots/child.h>
#include <joindots/identity.h>
#include <joindots/ingest.h>
#include <joindots/query.h>

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
    char path[64];
    jd_store *s;
    jd_person_index *idx;
    jd_screener *scr;
    char amy[32], ben[32];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    jd_person_summary p;
    if (!f || alerts_store(&f->s, f->path, sizeof f->path, "child", &f->idx, &f->scr) != JD_OK)
        return -1;
    if (jd_person_index_get(f->idx, "csc:C-1", &p) != JD_OK)
        return -1;
    snprintf(f->amy, sizeof f->amy, "%s", p.person_id);
    if (jd_person_index_get(f->idx, "gp:G2", &p) != JD_OK)
        return -1;
    snprintf(f->ben, sizeof f->ben, "%s", p.person_id);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    jd_screener_close(f->scr);
    jd_person_index_close(f->idx);
    scratch_store_close(f->s, f->path);
    free(f);
    return 0;
}

static void test_child__words_dates_ages(void **state)
{
    (void)state;
    int64_t t;
    char d[11], w[64];
    assert_int_equal(jd_time_parse(&t, "2005-06-30T23:30:00Z", 0), JD_OK);
    jd_uk_date(d, t); /* 00:30 on 1 July in British Summer Time */
    assert_string_equal(d, "01/07/2005");
    assert_int_equal(jd_time_parse(&t, "2005-12-31T23:30:00Z", 0), JD_OK);
    jd_uk_date(d, t);
    assert_string_equal(d, "31/12/2005");
    assert_int_equal(jd_time_parse(&t, "2006-05-01", 0), JD_OK);
    assert_int_equal(jd_age_at("1992-05-01", t), 14); /* her birthday */
    assert_int_equal(jd_time_parse(&t, "2006-04-30", 0), JD_OK);
    assert_int_equal(jd_age_at("1992-05-01", t), 13); /* the day before */
    assert_int_equal(jd_age_at("", t), -1);
    assert_int_equal(jd_age_at("1992", t), -1);
    assert_int_equal(jd_age_at(NULL, t), -1);
    assert_int_equal(jd_age_at("2010-01-01", t), -1); /* born after */
    jd_event_type_label(w, sizeof w, "missing_report");
    assert_string_equal(w, "Missing report");
    jd_event_type_label(w, sizeof w, "ae_attendance");
    assert_string_equal(w, "A&E attendance");
    jd_event_type_label(w, 4, "missing_report");
    assert_string_equal(w, "Mis");
    assert_string_equal(jd_agency_label("csc"), "Children's social care");
    assert_string_equal(jd_agency_label("unknown_agency"), "unknown_agency");
}

typedef struct rows {
    int n;
    char rec[64][32];
    size_t index[64];
    int significant, notes;
} rows;

static int on_row(const jd_chrono_row *r, void *payload)
{
    rows *x = payload;
    if (x->n < 64) {
        snprintf(x->rec[x->n], sizeof x->rec[0], "%s", r->ev->record_id);
        x->index[x->n] = r->index;
    }
    x->n++;
    x->significant += r->significant;
    x->notes += !strcmp(r->ev->agency, "joindots");
    return 0;
}

static void test_child__chronology_query(void **state)
{
    fx *f = *state;
    jd_error err;
    size_t total = 0, t2 = 0;
    jd_chrono_filter q = JD_CHRONO_FILTER_INIT;
    rows all = {0}, page = {0}, newest = {0};
    q.limit = 500;
    assert_int_equal(
        jd_chrono_query(f->s, f->scr, f->amy, "1992-05-01", &q, on_row, &all, &total, &err), JD_OK);
    assert_int_equal((size_t)all.n, total);
    assert_true(total >= 15);
    /* a page, then the same page newest first is the other end reversed */
    q.limit = 3;
    q.offset = 2;
    assert_int_equal(
        jd_chrono_query(f->s, f->scr, f->amy, "1992-05-01", &q, on_row, &page, &t2, &err), JD_OK);
    assert_int_equal(page.n, 3);
    assert_int_equal(t2, total);
    assert_string_equal(page.rec[0], all.rec[2]);
    assert_int_equal(page.index[0], 2);
    q.newest_first = true;
    assert_int_equal(
        jd_chrono_query(f->s, f->scr, f->amy, "1992-05-01", &q, on_row, &newest, &t2, &err), JD_OK);
    assert_int_equal(newest.n, 3);
    /* rows come oldest first; index gives the place newest first */
    assert_string_equal(newest.rec[2], all.rec[total - 3]);
    assert_int_equal(newest.index[2], 2);
    assert_string_equal(newest.rec[0], all.rec[total - 5]);
    assert_string_equal(newest.rec[1], all.rec[total - 4]);
    assert_int_equal(newest.index[0], 4);
    assert_int_equal(newest.index[1], 3);
    /* newest first, every event: in one walk (a ring of the last 200
     * matches, wrapped by none) and in two walks (a limit of 500, deeper than
     * the ring) the same rows and indexes, which are the oldest-first rows */
    rows one = {0}, two = {0};
    q.offset = 0;
    q.limit = 200;
    assert_int_equal(
        jd_chrono_query(f->s, f->scr, f->amy, "1992-05-01", &q, on_row, &one, &t2, &err), JD_OK);
    q.limit = 500;
    assert_int_equal(
        jd_chrono_query(f->s, f->scr, f->amy, "1992-05-01", &q, on_row, &two, &t2, &err), JD_OK);
    assert_int_equal((size_t)one.n, total);
    assert_int_equal(two.n, one.n);
    for (int i = 0; i < one.n && i < 64; i++) {
        assert_string_equal(one.rec[i], two.rec[i]);
        assert_string_equal(one.rec[i], all.rec[i]);
        assert_int_equal(one.index[i], two.index[i]);
        assert_int_equal(one.index[i], total - 1 - (size_t)i);
    }
    assert_int_equal(one.notes, two.notes);
    assert_int_equal(one.significant, two.significant);
    /* a page past the newest 256 matches takes two walks: past the end, none */
    rows past = {0};
    q.offset = 300;
    q.limit = 5;
    assert_int_equal(
        jd_chrono_query(f->s, f->scr, f->amy, "1992-05-01", &q, on_row, &past, &t2, &err), JD_OK);
    assert_int_equal(past.n, 0);
    assert_int_equal(t2, total);
    /* filters */
    jd_chrono_filter g = JD_CHRONO_FILTER_INIT;
    rows pol = {0}, sig = {0}, none = {0};
    g.agencies = "police";
    g.limit = 500;
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &g, on_row, &pol, &t2, &err),
                     JD_OK);
    assert_true(t2 > 0 && t2 < total);
    g.agencies = NULL;
    g.significant = true;
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &g, on_row, &sig, &t2, &err),
                     JD_OK);
    assert_int_equal(sig.significant, sig.n);
    g.significant = false;
    g.text = "zzzz-not-in-any-record";
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &g, on_row, &none, &t2, &err),
                     JD_OK);
    assert_int_equal(t2, 0);
    assert_int_equal(none.n, 0);
    /* bad arguments */
    jd_chrono_filter b = JD_CHRONO_FILTER_INIT;
    b.limit = 0;
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &b, on_row, &none, &t2, &err),
                     JD_EINVALID);
    b.limit = JD_CHRONO_MAX_LIMIT + 1;
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &b, on_row, &none, &t2, &err),
                     JD_EINVALID);
    b.limit = 10;
    b.from = 100;
    b.to = 50;
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &b, on_row, &none, &t2, &err),
                     JD_EINVALID);
    assert_int_equal(jd_chrono_query(f->s, f->scr, "", NULL, &q, on_row, &none, &t2, &err),
                     JD_EINVALID);
    assert_int_equal(jd_chrono_query(f->s, f->scr, "P999999", NULL, &q, on_row, &none, &t2, &err),
                     JD_ENOTFOUND);
}

static void test_child__notes(void **state)
{
    fx *f = *state;
    jd_error err;
    char big[JD_NOTE_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(jd_person_note_add(f->s, f->amy, "pat", "", &err), JD_EINVALID);
    assert_int_equal(jd_person_note_add(f->s, f->amy, "pat", big, &err), JD_EINVALID);
    assert_int_equal(jd_person_note_add(f->s, f->amy, "", "a note", &err), JD_EINVALID);
    assert_int_equal(jd_person_note_add(f->s, f->amy, "pat", "Strategy meeting booked.", &err),
                     JD_OK);
    jd_chrono_filter q = JD_CHRONO_FILTER_INIT;
    q.limit = 500;
    rows r = {0};
    size_t total = 0;
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &q, on_row, &r, &total, &err),
                     JD_OK);
    assert_int_equal(r.notes, 1); /* her note is in her chronology */
    rows ben = {0};
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->ben, NULL, &q, on_row, &ben, &total, &err),
                     JD_OK);
    assert_int_equal(ben.notes, 0); /* and nobody else's */
    q.agencies = "joindots";
    rows only = {0};
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &q, on_row, &only, &total, &err),
                     JD_OK);
    assert_int_equal(total, 1);
    /* the acknowledgements of alerts are untouched by notes */
    assert_int_equal(jd_alert_acknowledge(f->s, "child_at_risk:X", "pat", "seen", &err), JD_OK);
    rows again = {0};
    assert_int_equal(jd_chrono_query(f->s, f->scr, f->amy, NULL, &q, on_row, &again, &total, &err),
                     JD_OK);
    assert_int_equal(total, 1);
}

static bool has_code(const char *s)
{
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "\\b[VMSTCL][0-9][0-9]\\b|M-R[0-9]|R-C[0-9]|\\bT[0-9]\\b|P0[0-9]{4}|_",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    bool hit = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return hit;
}

static void test_child__summary(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_child_summary s;
    assert_int_equal(
        jd_child_summary_build(&s, f->s, f->scr, f->amy, "Amy Hart", "1992-05-01", &err), JD_OK);
    assert_string_not_equal(s.level, "none");
    assert_true(s.n >= 2 && s.n <= JD_SUMMARY_MAX);
    assert_non_null(strstr(s.text[0], "Amy Hart"));
    for (size_t i = 0; i < s.n; i++) {
        assert_false(has_code(s.text[i]));
        assert_non_null(s.codes[i]);
    }
    assert_true(s.n_changes >= 1);
    for (size_t i = 0; i < s.n_changes; i++)
        assert_true(strlen(s.changes[i].reason) > 5);
    assert_true(s.n_events >= 15);
    jd_child_summary_dispose(&s);
    jd_child_summary_dispose(&s); /* twice is harmless */
    assert_int_equal(
        jd_child_summary_build(&s, f->s, f->scr, f->ben, "Ben Cole", "1991-02-02", &err), JD_OK);
    assert_string_equal(s.level, "none");
    assert_int_equal(s.n, 1);
    assert_non_null(strstr(s.text[0], "No risk level has been raised for Ben Cole"));
    jd_child_summary_dispose(&s);
    assert_int_equal(jd_child_summary_build(&s, f->s, f->scr, "", "x", "", &err), JD_EINVALID);
}

/* The summary from alerts the caller has parsed (a server's loaded alerts)
 * says what the one from the store says, and reads them, not the store. */
static void test_child__summary_with_alerts(void **state)
{
    fx *f = *state;
    jd_error err;
    bool ran = false;
    json_t *all = json_array();
    assert_int_equal(jd_alerts_stored(f->s, &ran, add_doc, all, &err), JD_OK);
    assert_true(ran && json_array_size(all) > 0);
    size_t n = json_array_size(all), n_other = 0;
    void **docs = calloc(n + 1, sizeof *docs), **other = calloc(n + 1, sizeof *other);
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_array_get(all, i);
        docs[i] = a;
        if (strcmp(json_string_value(json_object_get(a, "kind")), "child_at_risk"))
            other[n_other++] = a;
    }
    assert_true(n_other < n);
    const char *who[2][3] = {{f->amy, "Amy Hart", "1992-05-01"}, {f->ben, "Ben Cole", "1991-02-02"}};
    for (int k = 0; k < 2; k++) {
        jd_child_summary a, b;
        assert_int_equal(jd_child_summary_build(&a, f->s, f->scr, who[k][0], who[k][1],
                                                who[k][2], &err),
                         JD_OK);
        assert_int_equal(jd_child_summary_build_with(&b, f->s, f->scr, who[k][0], who[k][1],
                                                     who[k][2], docs, n, &err),
                         JD_OK);
        assert_same_summary(&a, &b);
        jd_child_summary_dispose(&a);
        jd_child_summary_dispose(&b);
    }
    /* without her child_at_risk alert (and with none at all) no level is
     * said, though the store has one: the alerts given are the ones read */
    jd_child_summary c;
    assert_int_equal(jd_child_summary_build_with(&c, f->s, f->scr, f->amy, "Amy Hart",
                                                 "1992-05-01", other, n_other, &err),
                     JD_OK);
    assert_string_equal(c.level, "none");
    assert_non_null(strstr(c.text[0], "No risk level has been raised for Amy Hart"));
    assert_true(c.n_events >= 15);
    jd_child_summary_dispose(&c);
    assert_int_equal(jd_child_summary_build_with(&c, f->s, f->scr, f->amy, "Amy Hart",
                                                 "1992-05-01", docs, 0, &err),
                     JD_OK);
    assert_string_equal(c.level, "none");
    jd_child_summary_dispose(&c);
    assert_int_equal(jd_child_summary_build_with(&c, f->s, f->scr, f->amy, "Amy Hart",
                                                 "1992-05-01", NULL, 1, &err),
                     JD_EINVALID);
    assert_int_equal(json_array_size(all), n); /* borrowed: still all there */
    free(docs);
    free(other);
    json_decref(all);
}

static void test_child__pdf(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_chrono_filter q = JD_CHRONO_FILTER_INIT;
    const char *sum[] = {"Amy Hart is at high risk."};
    jd_chrono_pdf_opts o = {.name = "Amy Hart",
                            .dob = "1992-05-01",
                            .by = "pat",
                            .role = "practitioner",
                            .agency = "csc",
                            .reason = "strategy meeting",
                            .filters = "",
                            .at = 1700000000,
                            .summary = sum,
                            .n_summary = 1};
    unsigned char *pdf = NULL;
    size_t len = 0;
    int pages = 0;
    assert_int_equal(jd_chrono_pdf(&pdf, &len, &pages, f->s, f->scr, f->amy, &q, &o, &err), JD_OK);
    assert_true(len > 1000);
    assert_memory_equal(pdf, "%PDF-", 5);
    assert_true(pages >= 2); /* the cover and the events */
    free(pdf);
    /* nothing matches: still a cover saying so */
    q.text = "zzzz-not-in-any-record";
    assert_int_equal(jd_chrono_pdf(&pdf, &len, &pages, f->s, f->scr, f->amy, &q, &o, &err), JD_OK);
    assert_int_equal(pages, 1);
    free(pdf);
    assert_int_equal(jd_chrono_pdf(&pdf, &len, &pages, f->s, f->scr, f->amy, NULL, &o, &err),
                     JD_EINVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child__words_dates_ages),
        cmocka_unit_test_setup_teardown(test_child__chronology_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child__notes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child__summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child__summary_with_alerts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child__pdf, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
