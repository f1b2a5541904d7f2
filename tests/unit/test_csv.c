/* Unit tests for the streaming CSV reader: RFC 4180 cases, limits, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/csv.h"

#include <joindots/csvout.h>

/* Read everything into "a|b|c\n" form: fields joined by '|', records by '\n'. */
static int slurp(const char *in, size_t len, const jd_csv_opts *o, char *out, size_t cap,
                 jd_error *err)
{
    jd_csv *c = NULL;
    int rc = jd_csv__open_mem(&c, in, len, "t.csv", o, err);
    if (rc < 0)
        return rc;
    size_t k = 0;
    out[0] = '\0';
    while ((rc = jd_csv__next(c, err)) == 1) {
        for (size_t i = 0; i < jd_csv__nfields(c); i++) {
            size_t fl;
            const char *f = jd_csv__field(c, i, &fl);
            k += (size_t)snprintf(out + k, cap - k, "%s%.*s", i ? "|" : "", (int)fl, f);
        }
        k += (size_t)snprintf(out + k, cap - k, "\n");
    }
    jd_csv__close(c);
    return rc;
}

static void expect(const char *in, const char *want)
{
    char out[4096];
    jd_error e;
    assert_int_equal(slurp(in, strlen(in), NULL, out, sizeof out, &e), 0);
    assert_string_equal(out, want);
}

static void test_csv__rfc4180_cases(void **state)
{
    (void)state;
    expect("a,b,c\n1,2,3\n", "a|b|c\n1|2|3\n");
    expect("a,b\r\n1,2\r\n", "a|b\n1|2\n");                 /* CRLF */
    expect("a,b\r1,2\r", "a|b\n1|2\n");                     /* bare CR */
    expect("a,b\n1,2", "a|b\n1|2\n");                       /* no final newline */
    expect("\xEF\xBB\xBFx,y\n", "x|y\n");                   /* BOM */
    expect("\"a,b\",c\n", "a,b|c\n");                       /* quoted comma */
    expect("\"say \"\"hi\"\"\",x\n", "say \"hi\"|x\n");     /* doubled quotes */
    expect("\"line1\nline2\",x\n", "line1\nline2|x\n");     /* newline in quotes */
    expect("a,,c\n,\n", "a||c\n|\n");                       /* empty fields */
    expect("a\n\n\nb\n", "a\nb\n");                         /* blank lines skipped */
    expect("\"\"\n", "\n");                                 /* one empty quoted field */
    expect("ab\"c,d\n", "ab\"c|d\n");                       /* stray quote kept */
    expect("\"ab\"c,d\n", "abc|d\n");                       /* text after closing quote */
    expect("", "");                                         /* empty input */
}

static void test_csv__line_numbers_follow_quoted_newlines(void **state)
{
    (void)state;
    const char *in = "h1,h2\n\"x\ny\nz\",1\nnext,2\r\nlast,3";
    jd_csv *c;
    assert_int_equal(jd_csv__open_mem(&c, in, strlen(in), "t", NULL, NULL), 0);
    assert_int_equal(jd_csv__next(c, NULL), 1);
    assert_int_equal(jd_csv__line(c), 1);
    assert_int_equal(jd_csv__next(c, NULL), 1);
    assert_int_equal(jd_csv__line(c), 2);
    assert_int_equal(jd_csv__next(c, NULL), 1);
    assert_int_equal(jd_csv__line(c), 5);
    assert_int_equal(jd_csv__next(c, NULL), 1);
    assert_int_equal(jd_csv__line(c), 6);
    assert_int_equal(jd_csv__next(c, NULL), 0);
    size_t len;
    assert_string_equal(jd_csv__field(c, 7, &len), "");
    assert_int_equal(len, 0);
    jd_csv__close(c);
}

static void test_csv__not_csv_is_fatal(void **state)
{
    (void)state;
    char out[256];
    jd_error e;
    const char nul[] = "a,b\n1,\0002\n";
    assert_int_equal(slurp(nul, sizeof nul - 1, NULL, out, sizeof out, &e), JD_EINVALID);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "NUL"));
    assert_int_equal(slurp("a\n\"open,b\n", 10, NULL, out, sizeof out, &e), JD_EINVALID);
    assert_int_equal(e.line, 2);
    assert_string_equal(e.source, "t.csv");
}

static void test_csv__limit_skips_one_record(void **state)
{
    (void)state;
    jd_csv_opts o = JD_CSV_OPTS_INIT;
    o.max_field = 5;
    const char *in = "ok,1\n\"too long, with \"\"quotes\"\" and\nnewline\",2\nfine,3\n";
    jd_csv *c;
    jd_error e;
    assert_int_equal(jd_csv__open_mem(&c, in, strlen(in), "t", &o, &e), 0);
    assert_int_equal(jd_csv__next(c, &e), 1);
    assert_int_equal(jd_csv__next(c, &e), JD_ELIMIT);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.column, 1);
    assert_int_equal(jd_csv__next(c, &e), 1);
    assert_string_equal(jd_csv__field(c, 0, NULL), "fine");
    assert_int_equal(jd_csv__line(c), 4);
    assert_int_equal(jd_csv__next(c, &e), 0);
    jd_csv__close(c);
    o = (jd_csv_opts)JD_CSV_OPTS_INIT;
    o.max_fields = 3;
    char out[256];
    assert_int_equal(slurp("a,b,c,d\n", 8, &o, out, sizeof out, &e), JD_ELIMIT);
    assert_int_equal(e.column, 4);
}

static void test_csv__febrl_style_separator(void **state)
{
    (void)state;
    jd_csv_opts o = JD_CSV_OPTS_INIT;
    o.trim_leading_space = true;
    char out[256];
    const char *febrl = "rec_id, given_name, surname\nrec-1-org, , smith\n";
    assert_int_equal(slurp(febrl, strlen(febrl), &o, out, sizeof out, NULL), 0);
    assert_string_equal(out, "rec_id|given_name|surname\nrec-1-org||smith\n");
    o.sep = '\t';
    o.trim_leading_space = false;
    assert_int_equal(slurp("a\tb,c\n", 6, &o, out, sizeof out, NULL), 0);
    assert_string_equal(out, "a|b,c\n");
}

static void test_csv__file_across_blocks(void **state)
{
    (void)state;
    /* More than one 1 MiB block, with quoted newlines crossing the boundary. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/jd-test-csv-%d.csv", (int)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("id,text\r\n", f);
    for (int i = 0; i < 30000; i++)
        fprintf(f, "%d,\"row %d, \"\"quoted\"\"\nsecond line of %d\"\r\n", i, i, i);
    fclose(f);
    jd_csv *c;
    jd_error e;
    assert_int_equal(jd_csv__open(&c, path, "big.csv", NULL, &e), 0);
    assert_true(jd_csv__size(c) > (1u << 20));
    assert_int_equal(jd_csv__next(c, &e), 1);
    char want[96];
    for (int i = 0; i < 30000; i++) {
        assert_int_equal(jd_csv__next(c, &e), 1);
        assert_int_equal(jd_csv__nfields(c), 2);
        snprintf(want, sizeof want, "row %d, \"quoted\"\nsecond line of %d", i, i);
        assert_string_equal(jd_csv__field(c, 1, NULL), want);
        assert_int_equal(jd_csv__line(c), 2 + 2 * i);
    }
    assert_int_equal(jd_csv__next(c, &e), 0);
    assert_int_equal(jd_csv__offset(c), jd_csv__size(c));
    jd_csv__close(c);
    unlink(path);
    assert_int_equal(jd_csv__open(&c, "/tmp/definitely/not/here.csv", "x.csv", NULL, &e),
                     JD_EIO);
    assert_int_equal(jd_csv__open(&c, "/tmp", "dir.csv", NULL, &e), JD_EINVALID);
}

/* Only regular files are read: a FIFO would block the open (no writer) and
 * /dev/zero never ends. Both are refused before a byte is read, with or
 * without following links; a link inside a bundle (no_symlink) is refused
 * even when it points to a regular file. */
static void test_csv__refuses_non_regular_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/jd-csv-open.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[96], zero[96], link[96], reg[96], sub[96];
    snprintf(fifo, sizeof fifo, "%s/events.csv", dir);
    snprintf(zero, sizeof zero, "%s/events_zero.csv", dir);
    snprintf(link, sizeof link, "%s/events_link.csv", dir);
    snprintf(reg, sizeof reg, "%s/regular.csv", dir);
    snprintf(sub, sizeof sub, "%s/events_dir.csv", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink("/dev/zero", zero), 0);
    FILE *f = fopen(reg, "w");
    assert_non_null(f);
    fputs("a,b\n1,2\n", f);
    fclose(f);
    assert_int_equal(symlink(reg, link), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    jd_csv *c = NULL;
    jd_error e;
    jd_csv_opts o = JD_CSV_OPTS_INIT;
    for (int nofollow = 0; nofollow < 2; nofollow++) {
        o.no_symlink = nofollow;
        assert_int_equal(jd_csv__open(&c, fifo, "events.csv", &o, &e), JD_EINVALID);
        assert_non_null(strstr(e.msg, "FIFO"));
        assert_int_equal(jd_csv__open(&c, zero, "events_zero.csv", &o, &e), JD_EINVALID);
        assert_non_null(strstr(e.msg, nofollow ? "symbolic link" : "character device"));
        assert_int_equal(jd_csv__open(&c, sub, "events_dir.csv", &o, &e), JD_EINVALID);
        assert_non_null(strstr(e.msg, "directory"));
        assert_int_equal(jd_csv__open(&c, "/dev/null", "null.csv", &o, &e), JD_EINVALID);
    }
    FILE *fp = NULL;
    assert_int_equal(jd_csv__fopen(&fp, link, "events_link.csv", true, &e), JD_EINVALID);
    assert_non_null(strstr(e.msg, "symbolic link"));
    assert_int_equal(jd_csv__fopen(&fp, link, "events_link.csv", false, &e), JD_OK);
    fclose(fp);
    o.no_symlink = true;
    assert_int_equal(jd_csv__open(&c, reg, "regular.csv", &o, &e), JD_OK);
    assert_int_equal(jd_csv__next(c, &e), 1);
    jd_csv__close(c);
    unlink(fifo);
    unlink(zero);
    unlink(link);
    unlink(reg);
    rmdir(sub);
    rmdir(dir);
}

static void test_csv__utf8_validation(void **state)
{
    (void)state;
    assert_true(jd_csv__valid_utf8("plain ascii", 11));
    assert_true(jd_csv__valid_utf8("Zoë Łukasz 山田 😀", strlen("Zoë Łukasz 山田 😀")));
    assert_false(jd_csv__valid_utf8("\xE9t\xE9", 3));         /* Latin-1 */
    assert_false(jd_csv__valid_utf8("\xC0\xAF", 2));          /* overlong */
    assert_false(jd_csv__valid_utf8("\xED\xA0\x80", 3));      /* surrogate */
    assert_false(jd_csv__valid_utf8("\xF4\x90\x80\x80", 4));  /* > U+10FFFF */
    assert_false(jd_csv__valid_utf8("ab\xE2\x82", 4));        /* truncated */
}

/* The reader scans eight bytes a step: every special byte is found at every
 * offset of a long field, quoted or not, next to UTF-8 and other bytes. */
static void test_csv__special_byte_at_every_offset(void **state)
{
    (void)state;
    char in[128], want[128], out[512];
    jd_error e;
    const char *fill[] = {"abcdefghijklmnopqrstuvwxyz0123456789",
                          "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                          "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                          "\xc3\xa9\xc3\xa9"};
    for (int f = 0; f < 2; f++)
        for (int k = 0; k <= 33; k++) {
            const char *x = fill[f];
            /* unquoted: separator, LF, CR at offset k */
            snprintf(in, sizeof in, "%.*s,%.*s\n%.*s\r%.*s\n", k, x, 3, x, k, x, 2, x);
            if (k)
                snprintf(want, sizeof want, "%.*s|%.*s\n%.*s\n%.*s\n", k, x, 3, x, k, x, 2, x);
            else /* the empty second line is not a record */
                snprintf(want, sizeof want, "|%.*s\n%.*s\n", 3, x, 2, x);
            assert_int_equal(slurp(in, strlen(in), NULL, out, sizeof out, &e), 0);
            assert_string_equal(out, want);
            /* quoted: a doubled quote and a newline at offset k */
            snprintf(in, sizeof in, "\"%.*s\"\"%.*s\n%.*s\",z\n", k, x, k, x, 2, x);
            snprintf(want, sizeof want, "%.*s\"%.*s\n%.*s|z\n", k, x, k, x, 2, x);
            assert_int_equal(slurp(in, strlen(in), NULL, out, sizeof out, &e), 0);
            assert_string_equal(out, want);
            /* a NUL at offset k of the second line */
            size_t n = (size_t)snprintf(in, sizeof in, "a\n%.*s", k, x);
            in[n++] = '\0';
            memcpy(in + n, "tail\n", 5);
            assert_int_equal(slurp(in, n + 5, NULL, out, sizeof out, &e), JD_EINVALID);
            assert_int_equal(e.line, 2);
        }
}

/* The shared export writer (joindots/csvout.h): RFC 4180 quoting, and a
 * leading apostrophe on anything a spreadsheet would run as a formula. */
static void wrote(const char *in, const char *want)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(jd_csv_field_write(f, in), JD_OK);
    fclose(f);
    if (strcmp(buf, want))
        fail_msg("'%s': wrote '%s', want '%s'", in ? in : "(null)", buf, want);
    free(buf);
}

static void test_csv__export_neutralises_formulas(void **state)
{
    (void)state;
    wrote(NULL, "");
    wrote("", "");
    wrote("plain", "plain");
    wrote("a,b", "\"a,b\"");
    wrote("say \"hi\"", "\"say \"\"hi\"\"\"");
    wrote("two\nlines", "\"two\nlines\"");
    wrote("=1+1", "\"'=1+1\"");
    wrote("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    wrote("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\"");
    wrote("-2+3", "\"'-2+3\"");
    wrote("@SUM(A1)", "\"'@SUM(A1)\"");
    wrote("\t=1", "\"'\t=1\"");
    wrote("\r=1", "\"'\r=1\"");
    wrote("  =1", "\"'  =1\"");
    wrote("-5", "-5");
    wrote("+447700900123", "+447700900123");
    wrote("-1.5", "-1.5");
    wrote("-", "\"'-\"");
    wrote("a=1", "a=1");
    assert_true(jd_csv_formula_risk("=x"));
    assert_false(jd_csv_formula_risk("x="));
    assert_false(jd_csv_formula_risk(NULL));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *row[] = {"id", NULL, "=1", "x,y"};
    assert_int_equal(jd_csv_row_write(f, row, 4), JD_OK);
    fclose(f);
    assert_string_equal(buf, "id,,\"'=1\",\"x,y\"\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv__rfc4180_cases),
        cmocka_unit_test(test_csv__line_numbers_follow_quoted_newlines),
        cmocka_unit_test(test_csv__not_csv_is_fatal),
        cmocka_unit_test(test_csv__limit_skips_one_record),
        cmocka_unit_test(test_csv__febrl_style_separator),
        cmocka_unit_test(test_csv__file_across_blocks),
        cmocka_unit_test(test_csv__refuses_non_regular_files),
        cmocka_unit_test(test_csv__export_neutralises_formulas),
        cmocka_unit_test(test_csv__utf8_validation),
        cmocka_unit_test(test_csv__special_byte_at_every_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
