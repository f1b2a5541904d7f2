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

#include <string.h>

#include "compare.h"

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
        cmocka_unit_test(test_compare__edit_distances),
        cmocka_unit_test(test_compare__long_inputs_are_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
