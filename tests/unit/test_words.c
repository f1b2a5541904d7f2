/*
 * Unit tests for the words filter (text/words.h): jd_words_may_hold is
 * false only when the phrase cannot stand as whole words in the text, so a
 * phrase search behind it finds what it found without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text/words.h"

/* The reference: ph at a word start in text, followed by no letter or
 * digit (escalate.c's strategic phrase search). */
static bool stands_in(const char *text, const char *ph)
{
    size_t n = strlen(ph);
    for (const char *p = text; n && (p = strstr(p, ph)) != NULL; p++)
        if ((p == text || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
            return true;
    return false;
}

static bool may(const char *text, const char *ph)
{
    jd_words ws;
    jd_words_of(&ws, text);
    return jd_words_may_hold(&ws, ph);
}

static void test_words__first_word_must_be_whole(void **state)
{
    (void)state;
    assert_true(may("a group of men met", "group of men"));
    assert_true(may("group", "group of men")); /* the first word only: a search decides */
    assert_true(may("(ring)", "ring"));
    assert_true(may("the organised-abuse file", "organised abuse"));
    /* the first word only inside longer words: no search */
    assert_false(may("subgroup of men", "group of men"));
    assert_false(may("groups of men", "group of men"));
    assert_false(may("the ring road", "abuse ring"));
    assert_false(may("", "ring"));
    /* case: the caller lowers the text; an upper-case phrase never stands in it */
    assert_false(may("abuse ring", "Abuse ring"));
}

static void test_words__phrase_without_a_first_word_is_searched(void **state)
{
    (void)state;
    assert_true(may("", " ring"));
    assert_true(may("nothing", "-men"));
    assert_true(may("nothing", ""));
}

/* Random texts and phrases over a small alphabet (so that phrases often
 * stand in texts): may_hold is never false where the reference finds the
 * phrase, and is false for most phrases the text lacks. */
static void test_words__never_false_where_the_phrase_stands(void **state)
{
    (void)state;
    static const char alpha[] = "ab1 -.";
    srand(17);
    size_t found = 0, filtered = 0;
    for (int t = 0; t < 20000; t++) {
        char text[64], ph[8];
        size_t n = (size_t)(rand() % 63), m = 1 + (size_t)(rand() % 7);
        for (size_t i = 0; i < n; i++)
            text[i] = alpha[rand() % 6];
        text[n] = 0;
        for (size_t i = 0; i < m; i++)
            ph[i] = alpha[rand() % 6];
        ph[m] = 0;
        bool s = stands_in(text, ph), h = may(text, ph);
        if (s) {
            found++;
            assert_true(h);
        }
        filtered += !h;
    }
    assert_true(found > 1000);
    assert_true(filtered > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words__first_word_must_be_whole),
        cmocka_unit_test(test_words__phrase_without_a_first_word_is_searched),
        cmocka_unit_test(test_words__never_false_where_the_phrase_stands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
