/* Unit tests for jd_buf, jd_arena and the small string helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void test_buf__appends_and_terminates(void **state)
{
    (void)state;
    jd_buf b = JD_BUF_INIT(1024);
    assert_int_equal(jd_buf_adds(&b, "abc"), JD_OK);
    assert_int_equal(jd_buf_addc(&b, 'd'), JD_OK);
    assert_int_equal(jd_buf_printf(&b, "-%d", 42), JD_OK);
    assert_string_equal(jd_buf_cstr(&b), "abcd-42");
    assert_int_equal(b.len, 7);
    jd_buf_reset(&b);
    assert_string_equal(jd_buf_cstr(&b), "");
    jd_buf_dispose(&b);
}

static void test_buf__refuses_past_limit(void **state)
{
    (void)state;
    jd_buf b = JD_BUF_INIT(8);
    assert_int_equal(jd_buf_adds(&b, "1234567"), JD_OK);
    assert_int_equal(jd_buf_addc(&b, 'x'), JD_ELIMIT);
    assert_int_equal(jd_buf_adds(&b, "more"), JD_ELIMIT);
    assert_string_equal(jd_buf_cstr(&b), "1234567"); /* unchanged on failure */
    char *s = jd_buf_detach(&b);
    assert_string_equal(s, "1234567");
    assert_null(b.ptr);
    free(s);
}

static void test_arena__many_small_and_one_large(void **state)
{
    (void)state;
    jd_arena a;
    jd_arena_init(&a, 256);
    char *first = jd_arena_strdup(&a, "first");
    for (int i = 0; i < 1000; i++) {
        char *p = jd_arena_alloc(&a, 24);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 'x', 24);
    }
    char *big = jd_arena_alloc(&a, 100000);
    assert_non_null(big);
    memset(big, 'y', 100000);
    assert_string_equal(first, "first");
    jd_arena_reset(&a);
    assert_int_equal(a.used, 0);
    assert_non_null(jd_arena_strndup(&a, "abcdef", 3));
    jd_arena_free(&a);
}

static void test_arena__limit(void **state)
{
    (void)state;
    jd_arena a;
    jd_arena_init(&a, 256);
    a.limit = 64;
    assert_non_null(jd_arena_alloc(&a, 48));
    assert_null(jd_arena_alloc(&a, 32));
    jd_arena_free(&a);
}

static void test_str__helpers(void **state)
{
    (void)state;
    assert_true(jd_str_ieq_n("AgEnCy", 6, "agency"));
    assert_false(jd_str_ieq_n("agency", 5, "agency"));
    assert_false(jd_str_ieq_n("agencyx", 7, "agency"));
    size_t n = 9;
    const char *t = jd_str_trim("  ab c \r\n", &n);
    assert_int_equal(n, 4);
    assert_memory_equal(t, "ab c", 4);
    jd_error e;
    jd_error_clear(&e);
    assert_int_equal(jd_error_set_at(&e, JD_EINVALID, "events.csv", 3, 2, "bad %s", "date"),
                     JD_EINVALID);
    assert_string_equal(e.msg, "bad date");
    assert_string_equal(e.source, "events.csv");
    assert_int_equal(e.line, 3);
    assert_string_equal(jd_code_name(JD_ELIMIT), "JD_ELIMIT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf__appends_and_terminates),
        cmocka_unit_test(test_buf__refuses_past_limit),
        cmocka_unit_test(test_arena__many_small_and_one_large),
        cmocka_unit_test(test_arena__limit),
        cmocka_unit_test(test_str__helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
