/*
 * Place normalisation for the network graph (network_place.c): one place
 * written several ways is one key; different addresses stay apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "network/network.h"

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

/* Runs jd_place__norm on s in a child with a 5 s alarm: a loop that never
 * ends fails the test instead of hanging it (issue 19, item 1). */
static bool ends(const char *s, size_t n)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(5);
        jd_place p;
        jd_place__norm(&p, s, n);
        _exit(strlen(p.key) < JD_PLACE_KEY_MAX ? 0 : 3);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return false;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_network__place_multibyte_never_hangs(void **state)
{
    (void)state;
    /* every character a word processor pastes, and then some */
    static const char *const odd[] = {
        "\xe2\x80\x93",     /* en dash */
        "\xe2\x80\x94",     /* em dash */
        "\xe2\x80\x98",     /* left single quote */
        "\xe2\x80\x99",     /* right single quote */
        "\xe2\x80\x9c",     /* left double quote */
        "\xe2\x80\x9d",     /* right double quote */
        "\xe2\x80\xa6",     /* ellipsis */
        "\xe2\x82\xac",     /* euro */
        "\xe2\x80\xa2",     /* bullet */
        "\xe2\x84\xa2",     /* trade mark */
        "\xe2\x80\x8b",     /* zero-width space */
        "\xe2\x80\xae",     /* right-to-left override */
        "\xc2\xa0",         /* no-break space */
        "\xc2\xa3",         /* pound */
        "\xef\xbb\xbf",     /* BOM */
        "\xf0\x9f\x98\x80", /* emoji */
        "\xe2",             /* truncated sequences */
        "\xe2\x80",
        "\xf0\x9f\x98",
        "\xc3",
        "\xff",             /* invalid bytes */
        "\xfe\xff",
        "\xc0\xaf",         /* overlong */
        "\x80",             /* lone continuation */
        "\xed\xa0\x80",     /* surrogate */
    };
    static const char *const frame[][2] = {
        {"", ""}, {"Cowley ", " Road"}, {"Cowley", "Road"}, {"caf", ""}, {"", "x"}, {"x ", ""},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
        for (size_t j = 0; j < sizeof frame / sizeof *frame; j++) {
            int n = snprintf(buf, sizeof buf, "%s%s%s", frame[j][0], odd[i], frame[j][1]);
            if (!ends(buf, (size_t)n))
                fail_msg("jd_place__norm did not end on case %zu, frame %zu", i, j);
        }
    /* every lead byte 0x80..0xFF, alone, followed by each continuation
     * byte, and before a letter, in one child per lead byte */
    for (unsigned lead = 0x80; lead <= 0xFF; lead++) {
        char all[256 * 4 + 8];
        size_t n = 0;
        for (unsigned c = 0x80; c <= 0xBF; c++) {
            all[n++] = (char)lead;
            all[n++] = (char)c;
            all[n++] = 'a';
            all[n++] = (char)lead;
        }
        if (!ends(all, n))
            fail_msg("jd_place__norm did not end after lead byte 0x%02x", lead);
    }
}

static void test_network__place_dashes_and_quotes_separate(void **state)
{
    (void)state;
    assert_string_equal(norm("Cowley \xe2\x80\x93 Road").key, "cowley road");
    assert_string_equal(norm("Cowley\xe2\x80\x94Road").key, "cowley road");
    assert_string_equal(norm("\xe2\x80\x9c" "Cowley Rd" "\xe2\x80\x9d\xe2\x80\xa6").key,
                        "cowley road");
    assert_true(similar("Cowley \xe2\x80\x93 Road", "Cowley Road"));
    assert_string_equal(norm("caf\xe2\x82\xac").key, "caf");
    assert_string_equal(norm("Caf\xc3\xa9 Nero").key, "cafe nero");
    assert_string_equal(norm("CAFE\xcc\x81 NERO").key, "cafe nero"); /* combining accent */
    assert_string_equal(norm("\xef\xbc\xa3owley Road").key, "cowley road"); /* full-width C */
    assert_string_equal(norm("O\xe2\x80\x98" "Brien\xe2\x80\x99s flat").key, "flat obrien");
    /* invalid UTF-8 read as Latin-1: a lone 0xE9 is an e-acute */
    assert_string_equal(norm("Caf\xe9 Nero").key, "cafe nero");
    /* a long word of multi-byte letters is cut at a whole character */
    char longw[200] = "";
    for (int i = 0; i < 60; i++)
        strcat(longw, "\xc3\x9f"); /* sharp s folds to "ss" */
    for (int i = 0; i < 30; i++)
        strcat(longw, "\xd0\xb6"); /* Cyrillic zhe */
    jd_place p = norm(longw);
    assert_int_equal(p.ntok, 1);
    assert_true(strlen(p.key) < 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network__place_abbreviations_plurals_stop_words),
        cmocka_unit_test(test_network__place_near_duplicates),
        cmocka_unit_test(test_network__place_dwelling_and_numbers),
        cmocka_unit_test(test_network__place_long_and_odd_input),
        cmocka_unit_test(test_network__place_multibyte_never_hangs),
        cmocka_unit_test(test_network__place_dashes_and_quotes_separate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
