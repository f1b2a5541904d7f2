/* Unit tests for the binary COPY encoder (store/pg_binary.h): the exact
 * bytes PostgreSQL reads, big-endian, for integers, NULLs and text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/pg_binary.h"
#include "util/internal.h"

static void assert_bytes(const jd_buf *b, const unsigned char *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(b->ptr, want, n);
}

static void test_pgbin__header_and_trailer(void **state)
{
    (void)state;
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    assert_int_equal(jd_pgbin_header(&b), JD_OK);
    static const unsigned char head[] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0,
                                         0,   0,   0,   0,   0,   0,   0,    0};
    assert_bytes(&b, head, sizeof head);
    jd_buf_reset(&b);
    assert_int_equal(jd_pgbin_trailer(&b), JD_OK);
    static const unsigned char tail[] = {0xff, 0xff};
    assert_bytes(&b, tail, sizeof tail);
    jd_buf_dispose(&b);
}

/* Each integer's bytes are distinct, so a swapped or shifted order fails. */
static void test_pgbin__integers_big_endian(void **state)
{
    (void)state;
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    assert_int_equal(jd_pgbin_row(&b, 258), JD_OK);
    assert_int_equal(jd_pgbin_int8(&b, 0x0102030405060708LL), JD_OK);
    assert_int_equal(jd_pgbin_int4(&b, 0x0a0b0c0d), JD_OK);
    static const unsigned char want[] = {0x01, 0x02,                         /* 258 fields */
                                         0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, /* int8 */
                                         0, 0, 0, 4, 0x0a, 0x0b, 0x0c, 0x0d};
    assert_bytes(&b, want, sizeof want);
    jd_buf_dispose(&b);
}

static void test_pgbin__negative_and_extreme(void **state)
{
    (void)state;
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    assert_int_equal(jd_pgbin_int8(&b, -2), JD_OK);
    assert_int_equal(jd_pgbin_int8(&b, INT64_MIN), JD_OK);
    assert_int_equal(jd_pgbin_int8(&b, (int64_t)0xfedcba9876543210ULL), JD_OK); /* a hash */
    assert_int_equal(jd_pgbin_int4(&b, -1), JD_OK);
    assert_int_equal(jd_pgbin_int4(&b, INT32_MIN), JD_OK);
    assert_int_equal(jd_pgbin_int4(&b, INT32_MAX), JD_OK);
    static const unsigned char want[] = {
        0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0, 0, 0, 8, 0x80, 0,    0,    0,    0,    0,    0,    0,
        0, 0, 0, 8, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
        0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 4, 0x80, 0,    0,    0,
        0, 0, 0, 4, 0x7f, 0xff, 0xff, 0xff,
    };
    assert_bytes(&b, want, sizeof want);
    /* outside int32: refused, nothing written (COPY text: "out of range") */
    assert_int_equal(jd_pgbin_int4(&b, (int64_t)INT32_MAX + 1), JD_ELIMIT);
    assert_int_equal(jd_pgbin_int4(&b, (int64_t)INT32_MIN - 1), JD_ELIMIT);
    assert_int_equal(b.len, sizeof want);
    jd_buf_dispose(&b);
}

static void test_pgbin__nulls_and_empty_text(void **state)
{
    (void)state;
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    assert_int_equal(jd_pgbin_null(&b), JD_OK);
    assert_int_equal(jd_pgbin_text(&b, NULL), JD_OK);
    assert_int_equal(jd_pgbin_text(&b, ""), JD_OK); /* empty is not NULL */
    static const unsigned char want[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0,    0,    0,    0};
    assert_bytes(&b, want, sizeof want);
    jd_buf_dispose(&b);
}

/* Every byte but NUL goes through as it is: no escaping of tab, newline,
 * carriage return or backslash (COPY text's), no change to high bytes. */
static void test_pgbin__text_every_byte(void **state)
{
    (void)state;
    char s[256];
    for (int i = 1; i < 256; i++)
        s[i - 1] = (char)i;
    s[255] = '\0';
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    assert_int_equal(jd_pgbin_text(&b, s), JD_OK);
    assert_int_equal(b.len, 4 + 255);
    static const unsigned char len[] = {0, 0, 0, 0xff};
    assert_memory_equal(b.ptr, len, 4);
    assert_memory_equal(b.ptr + 4, s, 255);
    /* a longer one: the length's upper bytes are used too */
    char *big = malloc(70000);
    assert_non_null(big);
    memset(big, 'x', 69999);
    big[69999] = '\0';
    jd_buf_reset(&b);
    assert_int_equal(jd_pgbin_text(&b, big), JD_OK);
    static const unsigned char len2[] = {0, 0x01, 0x11, 0x6f}; /* 69999 */
    assert_memory_equal(b.ptr, len2, 4);
    assert_int_equal(b.len, 4 + 69999);
    free(big);
    jd_buf_dispose(&b);
}

/* One whole stream of one row, as the server reads it. */
static void test_pgbin__one_row_stream(void **state)
{
    (void)state;
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    assert_int_equal(jd_pgbin_header(&b), JD_OK);
    assert_int_equal(jd_pgbin_row(&b, 3), JD_OK);
    assert_int_equal(jd_pgbin_int8(&b, 7), JD_OK);
    assert_int_equal(jd_pgbin_text(&b, "a\tb"), JD_OK);
    assert_int_equal(jd_pgbin_null(&b), JD_OK);
    assert_int_equal(jd_pgbin_trailer(&b), JD_OK);
    static const unsigned char want[] = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0,   3,                                  /* fields */
        0,   0,   0,   8,   0,   0,   0,    0,    0,    0,    0, 7, /* 7 */
        0,   0,   0,   3,   'a', '\t', 'b',                         /* "a\tb" */
        0xff, 0xff, 0xff, 0xff,                                     /* NULL */
        0xff, 0xff};
    assert_bytes(&b, want, sizeof want);
    jd_buf_dispose(&b);
}

static void test_pgbin__bad_counts_and_limits(void **state)
{
    (void)state;
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    assert_int_equal(jd_pgbin_row(&b, 0), JD_EINVALID);
    assert_int_equal(jd_pgbin_row(&b, 1601), JD_EINVALID);
    assert_int_equal(jd_pgbin_row(&b, -1), JD_EINVALID);
    assert_int_equal(b.len, 0);
    jd_buf_dispose(&b);
    /* a buffer at its cap refuses the field whole */
    jd_buf tiny = JD_BUF_INIT(8);
    assert_int_equal(jd_pgbin_text(&tiny, "abc"), JD_OK); /* 7 bytes */
    assert_int_equal(jd_pgbin_text(&tiny, "d"), JD_ELIMIT);
    assert_int_equal(tiny.len, 7);
    jd_buf_dispose(&tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgbin__header_and_trailer),
        cmocka_unit_test(test_pgbin__integers_big_endian),
        cmocka_unit_test(test_pgbin__negative_and_extreme),
        cmocka_unit_test(test_pgbin__nulls_and_empty_text),
        cmocka_unit_test(test_pgbin__text_every_byte),
        cmocka_unit_test(test_pgbin__one_row_stream),
        cmocka_unit_test(test_pgbin__bad_counts_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
