/*
 * The analysis's screening memo (src/lib/analyse/screen_memo.c): a note seen
 * again word for word is read back, and what is read back is what the
 * matchers give afresh; a note that differs in any field the screen reads
 * (text, age, gender, recorded, kinds, event type, agency, linked age) is
 * screened again; refused notes are not kept; slots are reused.
 */
#include "analyse/screen_memo.h"
#include "screen/rules.h"

#include <joindots/analyse.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *NOTE = "Ellie (14) was picked up by a man aged 24 in a car; she said he "
                          "gave her vodka and they had sex. She appears to have consented.";

/* Two results hold the same matches, field by field. */
static void same_result(const jd_screen_result *a, const jd_screen_result *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const jd_screen_match *x = &a->m[i], *y = &b->m[i];
        assert_int_equal(x->kind, y->kind);
        assert_string_equal(x->code, y->code);
        assert_string_equal(x->rule, y->rule);
        assert_int_equal(x->start, y->start);
        assert_int_equal(x->end, y->end);
        assert_int_equal(x->attrs, y->attrs);
        assert_int_equal(x->counts, y->counts);
        assert_int_equal(x->recorded, y->recorded);
        assert_int_equal(x->other_age, y->other_age);
        assert_string_equal(x->basis, y->basis);
        assert_string_equal(x->why, y->why);
    }
}

static void test_screen_memo(void **state)
{
    (void)state;
    jd_error err;
    jd_error_clear(&err);
    jd_screen *S = NULL;
    assert_int_equal(jd_screen_open(&S, NULL, &err), JD_OK);
    jd_smemo *m = jd_smemo__new();
    assert_non_null(m);
    jd_screen_note in = {"e1", NOTE, "case_note", "csc", 14, 'F', -1, 0, 0};
    jd_screen_result fresh = {0};
    assert_int_equal(jd_screen_run(S, &in, &fresh, &err), JD_OK);
    assert_true(fresh.n > 0);
    const jd_screen_result *r = NULL;
    assert_int_equal(jd_smemo__screen(m, S, &in, &r, &err), JD_OK);
    same_result(r, &fresh);
    /* the same note again (another id, another copy of the text): read back */
    char *copy = strdup(NOTE);
    in.id = "e2";
    in.text = copy;
    assert_int_equal(jd_smemo__screen(m, S, &in, &r, &err), JD_OK);
    same_result(r, &fresh);
    uint64_t hits[2], calls[2];
    jd_smemo__counts(m, hits, calls);
    assert_int_equal(hits[1], 1);
    assert_int_equal(calls[1], 2);
    /* near misses: each field the screen reads makes another note */
    jd_screen_note var[8];
    for (int k = 0; k < 8; k++)
        var[k] = in;
    var[0].child_age = 17;
    var[1].child_gender = 'M';
    var[2].crime_recorded = 1;
    var[3].kinds = 1u << JD_SCREEN_OFFENCE;
    var[4].event_type = "missing_return";
    var[5].agency = NULL;
    var[6].linked_other_age = 40;
    copy[strlen(copy) - 2] = 'X'; /* "consenteX." */
    var[7].text = copy;
    for (int k = 0; k < 8; k++) {
        jd_screen_result want = {0};
        assert_int_equal(jd_screen_run(S, &var[k], &want, &err), JD_OK);
        assert_int_equal(jd_smemo__screen(m, S, &var[k], &r, &err), JD_OK);
        same_result(r, &want);
        jd_screen_result_free(&want);
    }
    jd_smemo__counts(m, hits, calls);
    assert_int_equal(hits[1], 1); /* none of them was read back */
    /* the age changes what counts: the memo must not have mixed them up */
    jd_screen_result at17 = {0};
    assert_int_equal(jd_screen_run(S, &var[0], &at17, &err), JD_OK);
    assert_int_equal(jd_smemo__screen(m, S, &var[0], &r, &err), JD_OK);
    same_result(r, &at17);
    /* a long note (over JD_SMEMO_MAX_TEXT) is screened each time, right */
    size_t ln = strlen(NOTE);
    size_t reps = JD_SMEMO_MAX_TEXT / (ln + 1) + 2;
    char *longn = malloc(reps * (ln + 1) + 1);
    assert_non_null(longn);
    longn[0] = '\0';
    for (size_t k = 0; k < reps; k++) {
        strcat(longn, NOTE);
        strcat(longn, " ");
    }
    jd_screen_note lin = in;
    lin.text = longn;
    jd_screen_result lwant = {0};
    assert_int_equal(jd_screen_run(S, &lin, &lwant, &err), JD_OK);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(jd_smemo__screen(m, S, &lin, &r, &err), JD_OK);
        same_result(r, &lwant);
    }
    jd_smemo__counts(m, hits, calls);
    assert_int_equal(hits[1], 2); /* at17 only */
    jd_screen_result_free(&lwant);
    free(longn);
    /* a refused note (over 1 MiB) gives its error each time, nothing kept */
    size_t big = (1u << 20) + 10;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'a', big);
    huge[big] = '\0';
    jd_screen_note over = in;
    over.text = huge;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(jd_smemo__screen(m, S, &over, &r, &err), JD_ELIMIT);
        assert_int_equal(r->n, 0);
    }
    jd_smemo__counts(m, hits, calls);
    assert_int_equal(hits[1], 2); /* at17 only */
    free(huge);
    free(copy);
    jd_screen_result_free(&at17);
    jd_screen_result_free(&fresh);
    jd_smemo__free(m);
    jd_screen_close(S);
}

/* Many notes through few slots: every read is right after evictions. */
static void test_scan_memo_slots(void **state)
{
    (void)state;
    jd_error err;
    jd_error_clear(&err);
    jd_rules *R = NULL;
    assert_int_equal(jd_rules__load(&R, NULL, &err), JD_OK);
    jd_smemo *m = jd_smemo__new();
    assert_non_null(m);
    jd_ts_scan fresh;
    jd_ts__scan_init(&fresh);
    char text[160];
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < 3 * JD_SMEMO_SLOTS; k++) {
            snprintf(text, sizeof text,
                     k % 2 ? "Found at the flat of a man aged %d, no concerns of sex %d."
                           : "Returned %d am; she declined the return interview (%d).",
                     18 + k % 40, k);
            const jd_ts_scan *sc = NULL;
            assert_int_equal(jd_smemo__scan(m, R->ts, text, strlen(text), &sc), JD_OK);
            assert_int_equal(jd_ts__scan(R->ts, &fresh, text, strlen(text)), JD_OK);
            assert_int_equal(sc->ntok, fresh.ntok);
            assert_int_equal(sc->nsentences, fresh.nsentences);
            assert_int_equal(sc->nhits, fresh.nhits);
            for (size_t h = 0; h < sc->nhits; h++)
                assert_memory_equal(&sc->hits[h], &fresh.hits[h], sizeof fresh.hits[h]);
            for (size_t t = 0; t < sc->ntok; t++) {
                assert_int_equal(sc->tok[t].num, fresh.tok[t].num);
                assert_int_equal(sc->tok[t].off, fresh.tok[t].off);
                assert_int_equal(sc->tok[t].len, fresh.tok[t].len);
                assert_memory_equal(sc->tok[t].s, fresh.tok[t].s, fresh.tok[t].len);
            }
        }
    uint64_t hits[2], calls[2];
    jd_smemo__counts(m, hits, calls);
    assert_int_equal(calls[0], 6 * JD_SMEMO_SLOTS);
    assert_true(hits[0] < calls[0]); /* 3 notes a slot: evicted before they came back */
    /* the same note twice in a row is always read back */
    const jd_ts_scan *sc = NULL;
    assert_int_equal(jd_smemo__scan(m, R->ts, "no sex", 6, &sc), JD_OK);
    uint64_t before = hits[0];
    assert_int_equal(jd_smemo__scan(m, R->ts, "no sex", 6, &sc), JD_OK);
    jd_smemo__counts(m, hits, calls);
    assert_int_equal(hits[0], before + 1);
    /* a long note: scanned each time, in the scratch slot */
    char *longn = malloc(JD_SMEMO_MAX_TEXT + 64);
    assert_non_null(longn);
    memset(longn, 'x', JD_SMEMO_MAX_TEXT + 63);
    memcpy(longn, "a man aged 30 had sex with her. ", 32);
    longn[JD_SMEMO_MAX_TEXT + 63] = '\0';
    size_t ln = strlen(longn);
    assert_int_equal(jd_ts__scan(R->ts, &fresh, longn, ln), JD_OK);
    assert_true(fresh.nhits > 0);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(jd_smemo__scan(m, R->ts, longn, ln, &sc), JD_OK);
        assert_int_equal(sc->nhits, fresh.nhits);
        assert_int_equal(sc->ntok, fresh.ntok);
    }
    jd_smemo__counts(m, hits, calls);
    assert_int_equal(hits[0], before + 1);
    free(longn);
    jd_ts__scan_free(&fresh);
    jd_smemo__free(m);
    jd_rules__free(R);
}

/* The findings of one jd_screener_run, one line each. */
static int add_finding(const jd_finding *f, void *payload)
{
    char *out = payload;
    size_t n = strlen(out);
    snprintf(out + n, 4096 - n, "%s|%s|%s|%s|%d|%d\n", f->rule, f->name, f->why,
             f->advice ? f->advice : "-", f->offset, f->length);
    return 0;
}

static void findings_of(jd_screener *s, const jd_screen_input *in, char out[4096])
{
    jd_error err;
    jd_error_clear(&err);
    out[0] = '\0';
    assert_int_equal(jd_screener_run(s, in, add_finding, out, &err), JD_OK);
}

/* A reader's screener keeps the memo (the server screens a child's events
 * at each request): inputs asked again, in turn, at other ages, with and
 * without a vehicle or an adult party, give what a new screener gives. */
static void test_screener_memo(void **state)
{
    (void)state;
    jd_error err;
    jd_error_clear(&err);
    jd_screener *kept = NULL;
    assert_int_equal(jd_screener_open(&kept, NULL, &err), JD_OK);
    const char *texts[] = {NOTE, "Did not attend.",
                           "Missing overnight, found in a car with an older man; she says "
                           "he is her boyfriend. Appears to be putting herself at risk."};
    char got[4096], want[4096];
    size_t nonempty = 0;
    for (int round = 0; round < 3; round++)
        for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
            for (int v = 0; v < 4; v++) {
                jd_screen_input in = {v % 2 ? "missing_episode" : "case_note", texts[t],
                                      v < 2 ? 14 : -1, v == 1, v == 3};
                findings_of(kept, &in, got);
                jd_screener *fresh = NULL;
                assert_int_equal(jd_screener_open(&fresh, NULL, &err), JD_OK);
                findings_of(fresh, &in, want);
                jd_screener_close(fresh);
                assert_string_equal(got, want);
                nonempty += got[0] != '\0';
            }
    assert_true(nonempty >= 12); /* the notes have findings to compare */
    jd_screener_close(kept);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_memo),
        cmocka_unit_test(test_scan_memo_slots),
        cmocka_unit_test(test_screener_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
