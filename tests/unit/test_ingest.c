/*
 * Unit tests for the ingest module's read-ahead (ingest/rows.c): a large
 * file's records read on a thread come out exactly as the CSV reader gives
 * them on the caller's thread (fields, line, offset, over-limit records,
 * non-UTF-8 fields, the end or a fatal error), and a reader stopped
 * half-way is joined cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"
#include "util/csv.h"
#include "util/internal.h"

static const jd_csv_opts small_field = {200, 1024, 4u << 20, ',', false, false};

/* A CSV file of n records with quoted multi-line fields, Windows-1252
 * bytes every 97th record, an over-long field every 1,000th and, when
 * nul_at is not 0, a NUL byte in record nul_at. */
static char *make_csv(size_t n, size_t nul_at)
{
    char *path = strdup("jd_test_rows_XXXXXX"); /* in the test's working directory */
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "agency,record_id,narrative,n\n");
    for (size_t i = 1; i <= n; i++) {
        if (i == nul_at) {
            fputs("police,R", f);
            fputc('\0', f);
            fputs(",x,1\n", f);
            continue;
        }
        if (i % 1000 == 0) {
            fprintf(f, "police,R%zu,\"", i);
            for (int k = 0; k < 300; k++)
                fputc('a' + k % 26, f);
            fputs("\",1\n", f);
        } else if (i % 97 == 0) {
            fprintf(f, "police,R%zu,caf\xe9 \x93quoted\x94,%zu\n", i, i);
        } else {
            fprintf(f, "police,R%zu,\"line one, \"\"quoted\"\"\nline two of %zu\",%zu\n", i, i,
                    i * 7);
        }
    }
    assert_int_equal(fclose(f), 0);
    return path;
}

/* One record as text: what next gave, line, offset, fields and their UTF-8. */
static void note(jd_buf *t, int got, long line, uint64_t off, const jd_error *e)
{
    assert_int_equal(jd_buf_printf(t, "%d@%ld+%llu", got, line, (unsigned long long)off), 0);
    if (got != 1)
        assert_int_equal(jd_buf_printf(t, " err %d %ld:%ld %s", e->code, e->line, e->column,
                                       e->msg), 0);
}

static int direct(const char *path, jd_buf *t)
{
    jd_csv *c = NULL;
    jd_error e;
    assert_int_equal(jd_csv__open(&c, path, "t.csv", &small_field, &e), 0);
    int got;
    do {
        jd_error_clear(&e);
        got = jd_csv__next(c, &e);
        note(t, got, jd_csv__line(c), jd_csv__offset(c), &e);
        for (size_t i = 0; got == 1 && i < jd_csv__nfields(c); i++) {
            size_t len;
            const char *s = jd_csv__field(c, i, &len);
            assert_int_equal(jd_buf_printf(t, "|%d:%.*s", jd_csv__valid_utf8(s, len),
                                           (int)len, s), 0);
        }
        assert_int_equal(jd_buf_addc(t, '\n'), 0);
    } while (got == 1 || got == JD_ELIMIT);
    jd_csv__close(c);
    return got;
}

static int ahead(const char *path, jd_buf *t, bool *threaded)
{
    jd_csv *c = NULL;
    jd_rows *r = NULL;
    jd_error e;
    assert_int_equal(jd_csv__open(&c, path, "t.csv", &small_field, &e), 0);
    assert_int_equal(jd_rows__start(&r, c, true, &e), 0);
    *threaded = jd_rows__ahead(r);
    int got;
    do {
        jd_error_clear(&e);
        got = jd_rows__next(r, &e);
        note(t, got, jd_rows__line(r), jd_rows__offset(r), &e);
        for (size_t i = 0; got == 1 && i < jd_rows__nfields(r); i++) {
            size_t len;
            bool utf8;
            const char *s = jd_rows__field(r, i, &len, &utf8);
            assert_int_equal(strlen(s), len);
            assert_int_equal(jd_buf_printf(t, "|%d:%.*s", utf8, (int)len, s), 0);
        }
        assert_int_equal(jd_buf_addc(t, '\n'), 0);
    } while (got == 1 || got == JD_ELIMIT);
    /* the end, or the fatal error, stays where it is */
    jd_error_clear(&e);
    assert_int_equal(jd_rows__next(r, &e), got);
    jd_rows__stop(r);
    jd_csv__close(c);
    return got;
}

/* The two reads' records are the same bytes; then the file and both
 * buffers go. */
static void same_then_drop(char *path, jd_buf *a, jd_buf *b)
{
    assert_int_equal(a->len, b->len);
    assert_memory_equal(a->ptr, b->ptr, a->len);
    unlink(path);
    free(path);
    jd_buf_dispose(a);
    jd_buf_dispose(b);
}

static void rows_read_ahead_as_read_here(void **state)
{
    (void)state;
    char *path = make_csv(40000, 0); /* about 2 MiB */
    jd_buf a = JD_BUF_INIT(SIZE_MAX), b = JD_BUF_INIT(SIZE_MAX);
    bool threaded = false;
    assert_int_equal(direct(path, &a), 0);
    assert_int_equal(ahead(path, &b, &threaded), 0);
    assert_true(threaded);
    assert_non_null(strstr(jd_buf_cstr(&a), "\n-")); /* over-long records were met */
    assert_non_null(strstr(jd_buf_cstr(&a), "|0:caf")); /* and non-UTF-8 fields */
    same_then_drop(path, &a, &b);
}

static void rows_fatal_error_as_read_here(void **state)
{
    (void)state;
    char *path = make_csv(40000, 31234);
    jd_buf a = JD_BUF_INIT(SIZE_MAX), b = JD_BUF_INIT(SIZE_MAX);
    bool threaded = false;
    assert_int_equal(direct(path, &a), JD_EINVALID);
    assert_int_equal(ahead(path, &b, &threaded), JD_EINVALID);
    assert_true(threaded);
    same_then_drop(path, &a, &b);
}

static void rows_small_file_read_here(void **state)
{
    (void)state;
    char *path = make_csv(50, 0);
    jd_buf a = JD_BUF_INIT(SIZE_MAX), b = JD_BUF_INIT(SIZE_MAX);
    bool threaded = true;
    assert_int_equal(direct(path, &a), 0);
    assert_int_equal(ahead(path, &b, &threaded), 0);
    assert_false(threaded);
    same_then_drop(path, &a, &b);
}

static void rows_feed_read_here(void **state)
{
    (void)state;
    char *path = make_csv(40000, 0);
    jd_csv *c = NULL;
    jd_rows *r = NULL;
    jd_error e;
    assert_int_equal(jd_csv__open(&c, path, "t.csv", &small_field, &e), 0);
    assert_int_equal(jd_rows__start(&r, c, false, &e), 0);
    assert_false(jd_rows__ahead(r));
    assert_int_equal(jd_rows__next(r, &e), 1);
    size_t len;
    assert_string_equal(jd_rows__field(r, 0, &len, NULL), "agency");
    jd_rows__stop(r);
    jd_csv__close(c);
    unlink(path);
    free(path);
}

/* The ingest stops reading at its first fatal row: the reader thread, mid
 * file and perhaps waiting for a free batch, is joined. */
static void rows_stopped_half_way(void **state)
{
    (void)state;
    char *path = make_csv(60000, 0);
    for (int stop_at = 0; stop_at < 20000; stop_at += 6999) {
        jd_csv *c = NULL;
        jd_rows *r = NULL;
        jd_error e;
        assert_int_equal(jd_csv__open(&c, path, "t.csv", &small_field, &e), 0);
        assert_int_equal(jd_rows__start(&r, c, true, &e), 0);
        assert_true(jd_rows__ahead(r));
        for (int i = 0; i < stop_at; i++)
            assert_true(jd_rows__next(r, &e) != 0);
        if (stop_at)
            assert_int_equal(jd_rows__line(r) > stop_at, 1);
        else
            usleep(20000); /* the ring fills and the reader waits */
        jd_rows__stop(r);
        jd_csv__close(c);
    }
    jd_rows__stop(NULL);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_read_ahead_as_read_here),
        cmocka_unit_test(rows_fatal_error_as_read_here),
        cmocka_unit_test(rows_small_file_read_here),
        cmocka_unit_test(rows_feed_read_here),
        cmocka_unit_test(rows_stopped_half_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
