/*
 * Comparators against published reference values: Winkler (1990) and the
 * examples repeated in the record-linkage literature for Jaro-Winkler;
 * the textbook CA/ABC case separating true Damerau-Levenshtein from OSA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "text/compare.h"

static double jw(const char *a, const char *b)
{
    return jd_cmp__jaro_winkler(a, strlen(a), b, strlen(b));
}
static double ja(const char *a, const char *b)
{
    return jd_cmp__jaro(a, strlen(a), b, strlen(b));
}
static int dl(const char *a, const char *b)
{
    return jd_cmp__damerau_levenshtein(a, strlen(a), b, strlen(b));
}
static int osa(const char *a, const char *b)
{
    return jd_cmp__osa(a, strlen(a), b, strlen(b));
}

static void test_compare__jaro_winkler_reference_values(void **state)
{
    (void)state;
    assert_float_equal(ja("MARTHA", "MARHTA"), 0.944, 0.0005);
    assert_float_equal(jw("MARTHA", "MARHTA"), 0.961, 0.0005);
    assert_float_equal(ja("DWAYNE", "DUANE"), 0.822, 0.0005);
    assert_float_equal(jw("DWAYNE", "DUANE"), 0.840, 0.0005);
    assert_float_equal(ja("DIXON", "DICKSONX"), 0.767, 0.0005);
    assert_float_equal(jw("DIXON", "DICKSONX"), 0.813, 0.0005);
    assert_float_equal(jw("same", "same"), 1.0, 1e-12);
    assert_float_equal(jw("abc", "xyz"), 0.0, 1e-12);
    assert_float_equal(jw("", ""), 1.0, 1e-12);
    assert_float_equal(jw("", "a"), 0.0, 1e-12);
    /* symmetric */
    assert_float_equal(jw("katherine", "kathryn"), jw("kathryn", "katherine"), 1e-12);
}

/* The textbook Jaro (quadratic search for each byte's partner): the
 * library's bit-set version must give bit-for-bit the same result. */
static double jaro_textbook(const char *a, size_t al, const char *b, size_t bl)
{
    al = al > JD_CMP_MAX ? JD_CMP_MAX : al;
    bl = bl > JD_CMP_MAX ? JD_CMP_MAX : bl;
    if (al == 0 && bl == 0)
        return 1.0;
    if (al == 0 || bl == 0)
        return 0.0;
    size_t window = (al > bl ? al : bl) / 2;
    window = window ? window - 1 : 0;
    bool am[JD_CMP_MAX] = {false}, bm[JD_CMP_MAX] = {false};
    size_t m = 0;
    for (size_t i = 0; i < al; i++) {
        size_t lo = i > window ? i - window : 0, hi = i + window + 1 < bl ? i + window + 1 : bl;
        for (size_t j = lo; j < hi; j++)
            if (!bm[j] && a[i] == b[j]) {
                am[i] = bm[j] = true;
                m++;
                break;
            }
    }
    if (m == 0)
        return 0.0;
    size_t t = 0, k = 0;
    for (size_t i = 0; i < al; i++) {
        if (!am[i])
            continue;
        while (!bm[k])
            k++;
        if (a[i] != b[k])
            t++;
        k++;
    }
    double md = (double)m;
    return (md / (double)al + md / (double)bl + (md - (double)t / 2.0) / md) / 3.0;
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x >> 11;
}

static void test_compare__jaro_equals_the_textbook_loop(void **state)
{
    (void)state;
    /* random strings over small alphabets (many repeated bytes, so the
     * choice of partner and the transpositions matter), bytes >= 0x80 too,
     * lengths across the 64-byte cap */
    static const char *const alpha[] = {"ab", "abc", "aeiourst", "\x80\xc3\xa9z"};
    uint64_t x = 0x9e3779b97f4a7c15u;
    char a[80], b[80];
    for (int round = 0; round < 200000; round++) {
        const char *al = alpha[rnd(&x) % 4];
        size_t an = strlen(al), la = rnd(&x) % 72, lb = rnd(&x) % 72;
        if (round % 4)
            la %= 12, lb %= 12; /* mostly name-sized */
        for (size_t i = 0; i < la; i++)
            a[i] = al[rnd(&x) % an];
        for (size_t i = 0; i < lb; i++)
            b[i] = al[rnd(&x) % an];
        double got = jd_cmp__jaro(a, la, b, lb), want = jaro_textbook(a, la, b, lb);
        if (got != want)
            fail_msg("jaro(%.*s, %.*s) = %.17g, textbook %.17g", (int)la, a, (int)lb, b, got,
                     want);
    }
    /* a 64-byte window reaches the last bit */
    char l[64], r[64];
    memset(l, 'q', sizeof l);
    memset(r, 'p', sizeof r);
    l[0] = 'z';
    r[63] = 'z';
    assert_true(jd_cmp__jaro(l, 64, r, 64) == jaro_textbook(l, 64, r, 64));
}

static void test_compare__edit_distances(void **state)
{
    (void)state;
    assert_int_equal(dl("CA", "ABC"), 2);  /* true Damerau-Levenshtein */
    assert_int_equal(osa("CA", "ABC"), 3); /* restricted: no edit inside a transposition */
    assert_int_equal(dl("kitten", "sitting"), 3);
    assert_int_equal(osa("kitten", "sitting"), 3);
    assert_int_equal(dl("smith", "smtih"), 1);
    assert_int_equal(dl("", "abc"), 3);
    assert_int_equal(dl("abc", ""), 3);
    assert_int_equal(dl("same", "same"), 0);
    assert_int_equal(osa("ab", "ba"), 1);
}

static void test_compare__long_inputs_are_capped(void **state)
{
    (void)state;
    char a[5000], b[5000];
    memset(a, 'x', sizeof a);
    memset(b, 'x', sizeof b);
    b[4999] = 'y';
    /* only the first JD_CMP_MAX bytes count: no quadratic blow-up, no overflow */
    assert_int_equal(jd_cmp__damerau_levenshtein(a, sizeof a, b, sizeof b), 0);
    assert_float_equal(jd_cmp__jaro_winkler(a, sizeof a, b, sizeof b), 1.0, 1e-12);
    assert_int_equal(jd_cmp__osa(a, 10, b, 64), 54);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare__jaro_winkler_reference_values),
        cmocka_unit_test(test_compare__jaro_equals_the_textbook_loop),
        cmocka_unit_test(test_compare__edit_distances),
        cmocka_unit_test(test_compare__long_inputs_are_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
