/* Unit tests for feeds (issue 17): the upload's tar reader on good and bad
 * archives, feed tokens (digest only, agency bound, disabled), and a feed
 * of one agency holding another agency's row refused whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include <joindots/feed.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a tiny tar writer for the cases ---- */

typedef struct tarb {
    char buf[65536];
    size_t len;
} tarb;

static void hdr_sum(unsigned char *h)
{
    unsigned sum = 0;
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

static void tar_add(tarb *t, const char *name, char type, const char *data)
{
    unsigned char *h = (unsigned char *)t->buf + t->len;
    size_t n = data ? strlen(data) : 0;
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
    snprintf((char *)h + 136, 12, "%011o", 0u);
    h[156] = (unsigned char)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    hdr_sum(h);
    t->len += 512;
    if (n) {
        memcpy(t->buf + t->len, data, n);
        t->len += (n + 511) / 512 * 512;
    }
}

static void tar_end(tarb *t)
{
    memset(t->buf + t->len, 0, 1024);
    t->len += 1024;
}

static char *fresh_dir(void)
{
    static const char tmpl[] = "/tmp/jd-feed-unit-XXXXXX";
    char *d = malloc(sizeof tmpl);
    memcpy(d, tmpl, sizeof tmpl);
    assert_non_null(mkdtemp(d));
    return d;
}

static void rm_dir(char *d)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

static void test_feed__untar_good(void **state)
{
    (void)state;
    tarb *t = calloc(1, sizeof *t);
    tar_add(t, "./", '5', NULL);
    tar_add(t, "./events.csv", '0', "agency,record_id\npolice,1\n");
    tar_add(t, "persons_police.csv", '0', "agency\n");
    tar_end(t);
    char *d = fresh_dir();
    jd_error err;
    assert_int_equal(jd_feed_untar(t->buf, t->len, d, &err), JD_OK);
    char p[256];
    struct stat st;
    snprintf(p, sizeof p, "%s/events.csv", d);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 26);
    snprintf(p, sizeof p, "%s/persons_police.csv", d);
    assert_int_equal(stat(p, &st), 0);
    rm_dir(d);
    free(t);
}

/* Each archive here must be refused, with nothing outside the folder. */
static void refused(void (*build)(tarb *t), int want)
{
    tarb *t = calloc(1, sizeof *t);
    build(t);
    char *d = fresh_dir();
    jd_error err;
    jd_error_clear(&err);
    assert_int_equal(jd_feed_untar(t->buf, t->len, d, &err), want);
    assert_true(err.msg[0] != '\0');
    rm_dir(d);
    free(t);
}

static void b_traversal(tarb *t)
{
    tar_add(t, "../events.csv", '0', "x\n");
    tar_end(t);
}
static void b_subdir(tarb *t)
{
    tar_add(t, "bundle/events.csv", '0', "x\n");
    tar_end(t);
}
static void b_symlink(tarb *t)
{
    tar_add(t, "events.csv", '2', NULL);
    tar_end(t);
}
static void b_other_name(tarb *t)
{
    tar_add(t, "notes.txt", '0', "x\n");
    tar_end(t);
}
static void b_twice(tarb *t)
{
    tar_add(t, "events.csv", '0', "x\n");
    tar_add(t, "events.csv", '0', "y\n");
    tar_end(t);
}
static void b_bad_sum(tarb *t)
{
    tar_add(t, "events.csv", '0', "x\n");
    t->buf[148] = '7';
    tar_end(t);
}
static void b_cut(tarb *t)
{
    tar_add(t, "events.csv", '0', "0123456789");
    t->len -= 512; /* the data block is gone */
}
static void b_empty(tarb *t)
{
    tar_end(t);
}
static void b_too_many(tarb *t)
{
    for (int i = 0; i < 65 && t->len + 2048 < sizeof t->buf; i++) {
        char n[32];
        snprintf(n, sizeof n, "events_%d.csv", i);
        tar_add(t, n, '0', NULL);
    }
    tar_end(t);
}

static void test_feed__untar_refuses(void **state)
{
    (void)state;
    refused(b_traversal, JD_EINVALID);
    refused(b_subdir, JD_EINVALID);
    refused(b_symlink, JD_EINVALID);
    refused(b_other_name, JD_EINVALID);
    refused(b_twice, JD_EINVALID);
    refused(b_bad_sum, JD_EINVALID);
    refused(b_cut, JD_EINVALID);
    refused(b_empty, JD_EINVALID);
    refused(b_too_many, JD_ELIMIT);
    jd_error err;
    assert_int_equal(jd_feed_untar("not a tar", 9, "/tmp", &err), JD_EINVALID);
}

static void test_feed__agencies(void **state)
{
    (void)state;
    assert_true(jd_feed_agency_valid("police"));
    assert_true(jd_feed_agency_valid("call_handling"));
    assert_false(jd_feed_agency_valid("Police"));
    assert_false(jd_feed_agency_valid("../police"));
    assert_false(jd_feed_agency_valid(""));
    assert_false(jd_feed_agency_valid(NULL));
}

static void test_feed__tokens(void **state)
{
    (void)state;
    char path[512];
    jd_store *s = NULL;
    jd_error err;
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "feed"), JD_OK);
    char tok[JD_FEED_TOKEN_SIZE], ag[32], nm[64];
    assert_int_equal(jd_feed_token_add(tok, s, "nightly", "police", &err), JD_OK);
    assert_int_equal(strlen(tok), JD_FEED_TOKEN_SIZE - 1);
    assert_int_equal(jd_feed_token_add(tok, s, "bad name", "police", &err), JD_EINVALID);
    assert_int_equal(jd_feed_token_add(tok, s, "x", "nowhere", &err), JD_EINVALID);
    char t2[JD_FEED_TOKEN_SIZE];
    assert_int_equal(jd_feed_token_add(t2, s, "nightly", "csc", &err), JD_ECONFLICT);
    assert_int_equal(jd_feed_token_check(s, tok, ag, nm, &err), JD_OK);
    assert_string_equal(ag, "police");
    assert_string_equal(nm, "nightly");
    char wrong[JD_FEED_TOKEN_SIZE];
    memcpy(wrong, tok, sizeof wrong);
    wrong[10] = wrong[10] == 'A' ? 'B' : 'A';
    assert_int_equal(jd_feed_token_check(s, wrong, ag, nm, &err), JD_EDENIED);
    assert_int_equal(jd_feed_token_check(s, "", ag, nm, &err), JD_EDENIED);
    assert_int_equal(jd_feed_token_check(s, NULL, ag, nm, &err), JD_EDENIED);
    assert_int_equal(jd_feed_token_disable(s, "nightly", true, &err), JD_OK);
    assert_int_equal(jd_feed_token_check(s, tok, ag, nm, &err), JD_EDENIED);
    assert_int_equal(jd_feed_token_disable(s, "nightly", false, &err), JD_OK);
    assert_int_equal(jd_feed_token_check(s, tok, ag, nm, &err), JD_OK);
    assert_int_equal(jd_feed_token_disable(s, "nobody", true, &err), JD_ENOTFOUND);
    int64_t an = -1, ids = -1;
    assert_int_equal(jd_live_generation(s, &an, &ids, &err), JD_OK);
    assert_int_equal(an, 0);
    assert_int_equal(ids, 0);
    scratch_store_close(s, path);
}

static int count_feed(const jd_feed_record *r, void *payload)
{
    int *n = payload;
    assert_true(r->accepted == (*n == 0)); /* newest first: the ingested one */
    assert_true(r->accepted ? r->run_id > 0 : r->run_id == 0 && *r->reason);
    (*n)++;
    return 0;
}

/* A police feed with a csc row: rejected whole, recorded, nothing stored. */
static void test_feed__other_agency_refused(void **state)
{
    (void)state;
    char *d = fresh_dir();
    char p[300], db[512];
    snprintf(p, sizeof p, "%s/events.csv", d);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("agency,record_id,event_type,occurred_at\n"
          "police,P1,call_for_service,2024-01-01T10:00\n"
          "csc,C1,case_note,2024-01-01T11:00\n",
          f);
    fclose(f);
    jd_store *s = NULL;
    jd_error err;
    assert_int_equal(scratch_store_open(&s, db, sizeof db, "feed"), JD_OK);
    jd_feed_result r;
    assert_int_equal(jd_feed_ingest(s, "police", d, "day1", "test", NULL, &r, &err), JD_OK);
    assert_false(r.accepted);
    assert_true(r.id > 0);
    assert_non_null(strstr(r.reason, "another agency"));
    jd_store_counts c;
    assert_int_equal(jd_store_counts_get(s, &c, &err), JD_OK);
    assert_int_equal(c.events, 0);
    /* The same bundle as a csc feed: the police row is refused now. */
    assert_int_equal(jd_feed_ingest(s, "csc", d, "day1", "test", NULL, &r, &err), JD_OK);
    assert_false(r.accepted);
    /* Without the csc row it goes in. */
    f = fopen(p, "w");
    fputs("agency,record_id,event_type,occurred_at\npolice,P1,call_for_service,2024-01-01T10:00\n", f);
    fclose(f);
    assert_int_equal(jd_feed_ingest(s, "police", d, "day1", "test", NULL, &r, &err), JD_OK);
    assert_true(r.accepted);
    assert_int_equal(r.counts.stored, 1);
    /* the ingesting thread's CPU: measured, and no more than the wall it took */
    assert_true(r.cpu_seconds > 0 && r.cpu_seconds <= r.seconds + 0.005);
    assert_int_equal(jd_store_counts_get(s, &c, &err), JD_OK);
    assert_int_equal(c.events, 1);
    assert_int_equal(jd_feed_ingest(s, "nowhere", d, "day1", "test", NULL, &r, &err), JD_EINVALID);
    int n = 0;
    assert_int_equal(jd_feed_list(s, 10, count_feed, &n, &err), JD_OK);
    assert_int_equal(n, 3); /* two rejected, one ingested; the bad agency is no feed */
    scratch_store_close(s, db);
    rm_dir(d);
}

int main(void)
{
    if (jd_global_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed__untar_good),
        cmocka_unit_test(test_feed__untar_refuses),
        cmocka_unit_test(test_feed__agencies),
        cmocka_unit_test(test_feed__tokens),
        cmocka_unit_test(test_feed__other_agency_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
