/*
 * The server's login throttle and UTF-8 cleaning (src/server/throttle.c,
 * server.c; issue 19 items 3, 7 and 12): the map is keyed by the whole
 * address, bounded, evicts the least recently failed entry; waits grow and
 * are capped; a success or a clear forgets; invalid UTF-8 becomes U+FFFD.
 */
#include "server_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const int64_t T = 1700000040; /* 40 s into a minute */

static void test_throttle__addresses_never_share(void **state)
{
    (void)state;
    th_map m;
    assert_int_equal(jd_throttle_init(&m), JD_OK);
    /* 127.0.0.35 and 127.0.0.40 shared FNV-1a slot 104 of the old table. */
    for (int i = 0; i < 20; i++) {
        jd_throttle_failed(&m, "127.0.0.35", NULL, T);
        jd_throttle_failed(&m, "127.0.0.40", NULL, T);
    }
    assert_true(jd_throttle_wait(&m, "127.0.0.35", NULL, 20, T) > 0);
    assert_true(jd_throttle_wait(&m, "127.0.0.40", NULL, 20, T) > 0);
    assert_int_equal(jd_throttle_wait(&m, "127.0.0.4", NULL, 20, T), 0);
    /* the next minute starts afresh */
    assert_int_equal(jd_throttle_wait(&m, "127.0.0.35", NULL, 20, T + 60), 0);
    jd_throttle_free(&m);
}

static void test_throttle__waits_grow_per_account_and_address(void **state)
{
    (void)state;
    th_map m;
    assert_int_equal(jd_throttle_init(&m), JD_OK);
    int64_t want[] = {0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        jd_throttle_failed(&m, "10.0.0.1", "mgr", T);
        assert_int_equal(jd_throttle_wait(&m, "10.0.0.1", "mgr", 1000, T), want[i]);
    }
    /* another address, another account: not affected */
    assert_int_equal(jd_throttle_wait(&m, "10.0.0.2", "mgr", 1000, T), 0);
    assert_int_equal(jd_throttle_wait(&m, "10.0.0.1", "other", 1000, T), 0);
    assert_int_equal(jd_throttle_wait(&m, "10.0.0.1", "mgr", 1000, T + 900), 0);
    /* listed with its wait, then cleared by user name */
    json_t *l = jd_throttle_list(&m, 1000, T);
    bool seen = false;
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "username")), "mgr")) {
            seen = true;
            assert_int_equal(json_integer_value(json_object_get(e, "wait_seconds")), 900);
            assert_string_equal(json_string_value(json_object_get(e, "address")), "10.0.0.1");
        }
    }
    json_decref(l);
    assert_true(seen);
    assert_int_equal(jd_throttle_clear(&m, "mgr", NULL), 1);
    assert_int_equal(jd_throttle_wait(&m, "10.0.0.1", "mgr", 1000, T), 0);
    /* a success forgets the pair */
    for (int k = 0; k < 5; k++)
        jd_throttle_failed(&m, "10.0.0.1", "mgr", T);
    jd_throttle_succeeded(&m, "10.0.0.1", "mgr");
    assert_int_equal(jd_throttle_wait(&m, "10.0.0.1", "mgr", 1000, T), 0);
    jd_throttle_free(&m);
}

static void test_throttle__bounded_oldest_evicted(void **state)
{
    (void)state;
    th_map m;
    assert_int_equal(jd_throttle_init(&m), JD_OK);
    for (int k = 0; k < 20; k++)
        jd_throttle_failed(&m, "192.0.2.1", NULL, T); /* the oldest */
    char a[64];
    for (int k = 0; k < TH_SLOTS + 100; k++) {
        snprintf(a, sizeof a, "2001:db8::%x", k);
        jd_throttle_failed(&m, a, NULL, T + 1 + k / 1000);
    }
    assert_int_equal(m.n, TH_SLOTS);
    assert_int_equal(jd_throttle_wait(&m, "192.0.2.1", NULL, 20, T + 5), 0); /* evicted */
    json_t *l = jd_throttle_list(&m, 20, T + 5);
    assert_int_equal(json_array_size(l), TH_SLOTS);
    json_decref(l);
    jd_throttle_free(&m);
}

static void test_throttle__utf8_clean(void **state)
{
    (void)state;
    char out[64];
    jd_utf8_clean(out, sizeof out, "\xff\xfereview");
    assert_string_equal(out, "\xEF\xBF\xBD\xEF\xBF\xBDreview");
    jd_utf8_clean(out, sizeof out, "caf\xC3\xA9 \xE2\x80\x93 \xF0\x9F\x98\x80");
    assert_string_equal(out, "caf\xC3\xA9 \xE2\x80\x93 \xF0\x9F\x98\x80"); /* valid: kept */
    jd_utf8_clean(out, sizeof out, "\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80\xE2\x80");
    /* overlong, surrogate, above U+10FFFF, truncated: each byte replaced */
    for (const char *p = out; *p; p += 3)
        assert_memory_equal(p, "\xEF\xBF\xBD", 3);
    assert_int_equal(strlen(out) % 3, 0);
    jd_utf8_clean(out, 5, "ab\xE2\x80\x93"); /* no room for the dash: cut before it */
    assert_string_equal(out, "ab");
    jd_utf8_clean(out, sizeof out, NULL);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_throttle__addresses_never_share),
        cmocka_unit_test(test_throttle__waits_grow_per_account_and_address),
        cmocka_unit_test(test_throttle__bounded_oldest_evicted),
        cmocka_unit_test(test_throttle__utf8_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
