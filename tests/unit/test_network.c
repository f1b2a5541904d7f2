/*
 * Place normalisation for the network graph (network_place.c): one place
 * written several ways is one key; different addresses stay apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "network.h"

static jd_place norm(const char *s)
{
    jd_place p;
    jd_place__norm(&p, s, strlen(s));
    return p;
}

static bool similar(const char *a, const char *b)
{
    jd_place x = norm(a), y = norm(b);
    return jd_place__similar(&x, &y);
}

static void test_network__place_abbreviations_plurals_stop_words(void **state)
{
    (void)state;
    jd_place a = norm("Cowley Rd, outside the council office");
    jd_place b = norm("outside the council offices, Cowley Road");
    assert_string_equal(a.key, "council cowley office road");
    assert_string_equal(a.key, b.key);
    assert_string_equal(norm("the Takeaways on St. Clement's St").key, "clement street takeaway");
    assert_string_equal(norm("Gdns").key, "garden");
    assert_string_equal(norm("  ").key, "");
    assert_int_equal(norm("the, a, near").ntok, 0);
    assert_string_equal(norm("OUTSIDE THE PARTIES").key, "party");
    assert_string_equal(norm("churches").key, "church");
    assert_string_equal(norm("bus cross").key, "bus cross"); /* no false singulars */
}

static void test_network__place_near_duplicates(void **state)
{
    (void)state;
    assert_true(similar("Cowley Rd, outside the council office",
                        "outside the council offices, Cowley Road"));
    /* one letter wrong in a long word */
    assert_true(similar("the takeaway on Cowley Road", "Cowly Road takeaway"));
    /* the smaller description inside the larger, 3 words or more */
    assert_true(similar("takeaway Cowley Road", "the chicken takeaway on Cowley Road"));
    assert_true(similar("Flat 2, 14 Iffley Rd", "flat 2 14 iffley road"));
    /* apart */
    assert_false(similar("Flat 2, 14 Iffley Rd", "Flat 3, 14 Iffley Rd"));
    assert_false(similar("14 Iffley Road", "Iffley Road"));
    assert_false(similar("Rose Hill park", "Rose Hill"));
    assert_false(similar("Cowley Road", "Iffley Road"));
    assert_false(
        similar("outside the social services office, Cowley Road", "the takeaway on Cowley Road"));
    assert_false(similar("", "Cowley Road"));
    jd_place x = norm("a b c d"), y = norm("a b c d");
    assert_float_equal(jd_place__similarity(&x, &y), 1.0, 1e-12);
}

static void test_network__place_dwelling_and_numbers(void **state)
{
    (void)state;
    assert_true(norm("a flat above the shop on Magdalen Road").dwelling);
    assert_true(norm("the Travelodge by the ring road").dwelling);
    assert_true(norm("an address of concern").dwelling);
    assert_false(norm("the taxi rank at Gloucester Green").dwelling);
    assert_false(norm("the children's home").dwelling); /* where children live */
    assert_true(norm("Flat 2, 14 Iffley Rd").has_number);
    assert_false(norm("Rose Hill park").has_number);
}

static void test_network__place_long_and_odd_input(void **state)
{
    (void)state;
    char big[4000];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = (char)("abcdefgh "[i % 9]);
    big[sizeof big - 1] = '\0';
    jd_place p = norm(big);
    assert_true(strlen(p.key) < JD_PLACE_KEY_MAX);
    assert_true(p.ntok <= JD_PLACE_MAX_TOKENS);
    /* bytes that are not ASCII letters are kept inside tokens, never split */
    jd_place q = norm("Caf\xc3\xa9 Nero, K\xc3\xb6ln Stra\xc3\x9f"
                      "e");
    assert_true(q.ntok == 4);
    jd_place r = norm("St Aldate\xe2\x80\x99s");
    assert_string_equal(r.key, "aldate street");
    /* a token that is too long is cut, not overflowed */
    char longw[300];
    memset(longw, 'x', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    assert_int_equal(norm(longw).ntok, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network__place_abbreviations_plurals_stop_words),
        cmocka_unit_test(test_network__place_near_duplicates),
        cmocka_unit_test(test_network__place_dwelling_and_numbers),
        cmocka_unit_test(test_network__place_long_and_odd_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
