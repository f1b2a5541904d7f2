/* Unit tests for jd_buf, jd_arena and the small string helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/internal.h"

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
    /* reserve, then write in place */
    assert_int_equal(jd_buf_reserve(&b, 300), JD_OK);
    assert_true(b.cap >= 301);
    memset(b.ptr, 'z', 300);
    b.len = 300;
    b.ptr[b.len] = '\0';
    assert_int_equal(strlen(jd_buf_cstr(&b)), 300);
    assert_int_equal(jd_buf_reserve(&b, 1024), JD_ELIMIT); /* past the 1024 limit */
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

/* Strings are packed end to end; an allocation after one is still aligned,
 * and a string that does not fit goes to a new chunk whole. */
static void test_arena__strings_packed(void **state)
{
    (void)state;
    jd_arena a;
    jd_arena_init(&a, 64);
    char *s1 = jd_arena_strdup(&a, "police");
    char *s2 = jd_arena_strdup(&a, "gp");
    assert_ptr_equal(s2, s1 + 7);
    assert_int_equal(a.used, 10);
    char *p = jd_arena_alloc(&a, 8);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    memset(p, 'x', 8);
    char *s3 = jd_arena_strdup(&a, "0123456789012345678901234567890123456789");
    assert_non_null(s3);
    assert_string_equal(s1, "police");
    assert_string_equal(s2, "gp");
    assert_string_equal(s3, "0123456789012345678901234567890123456789");
    char *big = jd_arena_strndup(&a, "abcdefghij", 10);
    char *after = jd_arena_alloc(&a, 16);
    assert_non_null(after);
    assert_int_equal((uintptr_t)after % 16, 0);
    assert_string_equal(big, "abcdefghij");
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

/* Every length and every single-bit change gives a different hash; the value
 * does not depend on the buffer's alignment; the seed matters. */
static void test_hash_fast__sensitive_to_every_byte(void **state)
{
    (void)state;
    unsigned char b[80], c[81];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (unsigned char)(i * 37 + 11);
    uint64_t seen[81];
    for (size_t n = 0; n <= sizeof b; n++) {
        seen[n] = jd_hash_fast(b, n, 0);
        for (size_t k = 0; k < n; k++)
            assert_int_not_equal(seen[n], seen[k]);
        memcpy(c + 1, b, n); /* unaligned copy: same value */
        assert_int_equal(jd_hash_fast(c + 1, n, 0), seen[n]);
        assert_int_not_equal(jd_hash_fast(b, n, 1), seen[n]);
        for (size_t i = 0; i < n; i++)
            for (int bit = 0; bit < 8; bit++) {
                b[i] ^= (unsigned char)(1u << bit);
                assert_int_not_equal(jd_hash_fast(b, n, 0), seen[n]);
                b[i] ^= (unsigned char)(1u << bit);
            }
    }
    assert_int_not_equal(jd_hash_fast("ab", 2, 0), jd_hash_fast("ba", 2, 0));
    /* Pinned values: stores keep row hashes made with this function (meta
     * row_hash = wyhash64), so it must never change, on any platform. */
    const char *place = "OX4 1AB|563 o'neill road by the \"old\" shop";
    assert_true(jd_hash_fast("joindots", 8, 0) == 10149996629087181148ULL);
    assert_true(jd_hash_fast(place, strlen(place), 0) == 10115861018885310413ULL);
    assert_true(jd_hash_fast("", 0, 0) == 9433021735892083193ULL);
    assert_true(jd_hash_fast("abc", 3, 42) == 11093618588677982943ULL);
}

/* The string map through several resizes: every key found with its value,
 * absent keys not found, a second put keeps the first value. */
static void test_strmap__many_keys(void **state)
{
    (void)state;
    jd_strmap m;
    jd_strmap_init(&m);
    char k[32];
    for (uint32_t i = 0; i < 50000; i++) {
        int n = snprintf(k, sizeof k, "OX%u|%u high street", i % 97, i);
        bool added = false;
        uint32_t *v = jd_strmap_put(&m, k, (size_t)n, i, &added);
        assert_non_null(v);
        assert_true(added);
    }
    assert_int_equal(m.n, 50000);
    for (uint32_t i = 0; i < 50000; i++) {
        int n = snprintf(k, sizeof k, "OX%u|%u high street", i % 97, i);
        uint32_t *v = jd_strmap_get(&m, k, (size_t)n);
        assert_non_null(v);
        assert_int_equal(*v, i);
        bool added = true;
        assert_int_equal(*jd_strmap_put(&m, k, (size_t)n, 7, &added), i);
        assert_false(added);
    }
    assert_null(jd_strmap_get(&m, "OX1|1 high stree", 16));
    assert_null(jd_strmap_get(&m, "", 0));
    jd_strmap_free(&m);
}

/* jd_strmap_key: the map's own copy of a key (not the caller's buffer),
 * the same pointer after the map has grown many times; NULL for a key
 * absent, and on a map never written. */
static void test_strmap__key(void **state)
{
    (void)state;
    jd_strmap m;
    jd_strmap_init(&m);
    assert_null(jd_strmap_key(&m, "a", 1));
    char k[32] = "U:police:N1";
    bool added;
    assert_non_null(jd_strmap_put(&m, k, strlen(k), 0, &added));
    const char *own = jd_strmap_key(&m, k, strlen(k));
    assert_non_null(own);
    assert_true(own != k);
    for (uint32_t i = 1; i < 20000; i++) {
        int n = snprintf(k, sizeof k, "U:csc:C-%u", i);
        assert_non_null(jd_strmap_put(&m, k, (size_t)n, i, &added));
    }
    assert_ptr_equal(jd_strmap_key(&m, "U:police:N1", 11), own);
    assert_string_equal(own, "U:police:N1");
    assert_null(jd_strmap_key(&m, "U:police:N", 10));
    assert_string_equal(jd_strmap_key(&m, "U:csc:C-19999", 13), "U:csc:C-19999");
    jd_strmap_free(&m);
}

/* jd_grow: room for what is asked, nothing when there is room already, and
 * a byte count that would overflow refused with the array left as it was. */
static void test_grow__room_and_overflow(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;
    assert_int_equal(jd_grow((void **)&a, &cap, 1, sizeof *a), 0);
    assert_int_equal(cap, 64);
    a[63] = 7;
    assert_int_equal(jd_grow((void **)&a, &cap, 64, sizeof *a), 0);
    assert_int_equal(cap, 64);
    assert_int_equal(jd_grow((void **)&a, &cap, 1000, sizeof *a), 0);
    assert_int_equal(cap, 1024);
    assert_int_equal(a[63], 7);
    int *before = a;
    assert_int_equal(jd_grow((void **)&a, &cap, SIZE_MAX / 2 + 1, sizeof *a), -1);
    assert_int_equal(jd_grow((void **)&a, &cap, SIZE_MAX / sizeof *a + 1, sizeof *a), -1);
    assert_ptr_equal(a, before);
    assert_int_equal(cap, 1024);
    assert_int_equal(a[63], 7);
    free(a);
}

/* The library's one out-of-memory error (util/error.c): every module's
 * failed allocation reads the same, and no caller's error is required. */
static void test_oom__one_error(void **state)
{
    (void)state;
    jd_error err;
    jd_error_clear(&err);
    assert_int_equal(jd_oom(&err), JD_ENOMEM);
    assert_int_equal(err.code, JD_ENOMEM);
    assert_string_equal(err.msg, "out of memory");
    assert_int_equal(jd_oom(NULL), JD_ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf__appends_and_terminates),
        cmocka_unit_test(test_buf__refuses_past_limit),
        cmocka_unit_test(test_arena__many_small_and_one_large),
        cmocka_unit_test(test_arena__strings_packed),
        cmocka_unit_test(test_arena__limit),
        cmocka_unit_test(test_str__helpers),
        cmocka_unit_test(test_hash_fast__sensitive_to_every_byte),
        cmocka_unit_test(test_strmap__many_keys),
        cmocka_unit_test(test_strmap__key),
        cmocka_unit_test(test_grow__room_and_overflow),
        cmocka_unit_test(test_oom__one_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
