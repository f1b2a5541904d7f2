/* Unit tests for name normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "text/names.h"

static void norm(const char *in, const char *want)
{
    char out[128];
    int n = jd_names__normalise(out, sizeof out, in, strlen(in));
    assert_string_equal(out, want);
    assert_int_equal(n, (int)strlen(want));
}

static void test_names__folding_and_punctuation(void **state)
{
    (void)state;
    norm("  KATIE  ", "katie");
    norm("Zoë", "zoe");
    norm("José-María", "jose maria");
    norm("O'Brien", "obrien");
    norm("O’Neill", "oneill");          /* typographic apostrophe */
    norm("Smith-Jones", "smith jones");
    norm("Mrs. Joanne  SMITH", "joanne smith");
    norm("Dr J. Smith", "j smith");
    norm("ﬁona", "fiona");               /* ligature, NFKC */
    norm("Ｋａｔｉｅ", "katie");           /* full-width */
    norm("Łukasz", "łukasz");            /* L with stroke is a letter, not a mark */
    norm("Straße", "strasse");           /* case folding */
    norm("", "");
    norm("---", "");
    norm("Mr", "");
}

static void test_names__other_scripts_and_bad_bytes(void **state)
{
    (void)state;
    norm("Иван", "иван");                /* Cyrillic kept, folded */
    norm("محمد", "محمد");                /* Arabic kept */
    char out[16];
    /* Latin-1 byte for e-acute: read as Latin-1, not rejected */
    assert_int_equal(jd_names__normalise(out, sizeof out, "Zo\xEB", 3), 3);
    assert_string_equal(out, "zoe");
    /* the output is cut, never overrun */
    assert_true(jd_names__normalise(out, 8, "abcdefghijklmnop", 16) <= 7);
    assert_int_equal(strlen(out), 7);
    assert_int_equal(jd_names__normalise(out, 0, "x", 1), JD_EINVALID);
    char big[10000];
    memset(big, 'a', sizeof big);
    char o2[64];
    assert_int_equal(jd_names__normalise(o2, sizeof o2, big, sizeof big), 63);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names__folding_and_punctuation),
        cmocka_unit_test(test_names__other_scripts_and_bad_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
