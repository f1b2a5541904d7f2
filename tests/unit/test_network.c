/*
 * Place normalisation for the network graph (network_place.c): one place
 * written several ways is one key; different addresses stay apart. And the
 * lifetime network ids (network_id.c): kept across runs, merges and splits
 * recorded, an as-of run naming as the registry stood then.
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

#include "scratch_db.h"

#include "network/network.h"
#include "store/store.h"

#include <joindots/chronology.h>
#include <stdlib.h>

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

/* ---- lifetime network ids ---- */

/* A found network from a list of person ids (adults "a...", children
 * "c..."), all members since `since`. */
typedef struct fnet {
    const char *m[12];
    int64_t since[12];
    bool child[12];
} fnet;

static jd_netfound found(fnet *b, const char *list, int64_t created, int64_t since)
{
    static char buf[64][16];
    static int nb;
    uint32_t n = 0;
    for (const char *p = list; *p;) {
        size_t l = strcspn(p, " ");
        char *o = buf[nb++ % 64];
        snprintf(o, sizeof buf[0], "%.*s", (int)l, p);
        b->m[n] = o;
        b->since[n] = since;
        b->child[n] = o[0] == 'c';
        n++;
        p += l + (p[l] == ' ');
    }
    return (jd_netfound){b->m, b->since, b->child, n, created, 0, -1};
}

/* Name f[0..n) against the store's registry (as of as_of, written back when
 * write), ids into out[] (copied), changes as "id:how:other" lines into ch. */
static void name_run(jd_store *s, int64_t as_of, bool write, const jd_netfound *f, size_t n,
                     char out[][16], char *ch, size_t chcap)
{
    jd_netreg *R;
    jd_error err;
    assert_int_equal(jd_network__reg_load(&R, s, as_of, 5000, write, &err), JD_OK);
    const char **ids;
    assert_int_equal(jd_network__name(R, f, n, &ids, &err), JD_OK);
    for (size_t i = 0; i < n; i++)
        snprintf(out[i], 16, "%s", ids[i]);
    const jd_network_change *c;
    size_t nc = jd_network__reg_changes(R, &c), at = 0;
    ch[0] = '\0';
    for (size_t i = 0; i < nc; i++)
        at += (size_t)snprintf(ch + at, chcap - at, "%s:%s:%s\n", c[i].network_id, c[i].how,
                               c[i].other ? c[i].other : "");
    assert_int_equal(jd_network__reg_save(R, s, &err), JD_OK);
    jd_network__reg_free(R);
}

static void test_network__ids_kept_grown_merged_split_dissolved(void **state)
{
    (void)state;
    char path[256], id[4][16], ch[1024];
    jd_store *s;
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "netid"), JD_OK);
    fnet b[4];
    /* first run: two networks, named in the order first detected */
    jd_netfound f1[] = {found(&b[0], "a2 a1 c1 c2", 100, 100), found(&b[1], "b1 b2 c3 c4", 200, 200)};
    name_run(s, JD_AS_OF_NOW, true, f1, 2, id, ch, sizeof ch);
    assert_string_equal(id[0], "N000001");
    assert_string_equal(id[1], "N000002");
    assert_string_equal(ch, "N000001:new:\nN000002:new:\n");
    /* the same again: same ids, nothing changed */
    name_run(s, JD_AS_OF_NOW, true, f1, 2, id, ch, sizeof ch);
    assert_string_equal(id[0], "N000001");
    assert_string_equal(id[1], "N000002");
    assert_string_equal(ch, "");
    /* detected in the other order, the first grown: ids follow the members */
    jd_netfound f2[] = {found(&b[0], "b1 b2 c3 c4", 200, 200),
                        found(&b[1], "a1 a2 c1 c2 a3 c5", 100, 100)};
    name_run(s, JD_AS_OF_NOW, true, f2, 2, id, ch, sizeof ch);
    assert_string_equal(id[0], "N000002");
    assert_string_equal(id[1], "N000001");
    assert_string_equal(ch, "N000001:grown:\n");
    /* one network now holds both: the older id stays, the other merged */
    jd_netfound f3[] = {found(&b[0], "a1 a2 a3 c1 c2 c5 b1 b2 c3 c4", 100, 100)};
    name_run(s, JD_AS_OF_NOW, true, f3, 1, id, ch, sizeof ch);
    assert_string_equal(id[0], "N000001");
    assert_string_equal(ch, "N000001:grown:\nN000002:merged:N000001\n");
    /* it splits in three: the b part, once merged into it, takes back its
     * own id (split from N000001); the larger a part keeps N000001; a
     * small part is new, split from it */
    jd_netfound f4[] = {found(&b[0], "b1 b2 c3 c4", 300, 300),
                        found(&b[1], "a1 a2 c1 c2 c5", 100, 100),
                        found(&b[2], "a3 c9", 400, 400)};
    name_run(s, JD_AS_OF_NOW, true, f4, 3, id, ch, sizeof ch);
    assert_string_equal(id[0], "N000002");
    assert_string_equal(id[1], "N000001");
    assert_string_equal(id[2], "N000003");
    assert_string_equal(ch, "N000002:split:N000001\nN000001:shrunk:\nN000003:split:N000001\n");
    /* the small part's evidence is gone: dissolved, its id never reused */
    name_run(s, JD_AS_OF_NOW, true, f4, 2, id, ch, sizeof ch);
    assert_string_equal(ch, "N000003:dissolved:\n");
    jd_netfound f5[] = {found(&b[0], "e1 e2 c10 c11", 500, 500)};
    name_run(s, JD_AS_OF_NOW, true, f5, 1, id, ch, sizeof ch);
    assert_string_equal(id[0], "N000004");
    scratch_store_close(s, path);
}

static void test_network__ids_as_of_no_look_ahead(void **state)
{
    (void)state;
    char path[256], id[4][16], ch[1024];
    jd_store *s;
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "netasof"), JD_OK);
    fnet b[4];
    /* the full run: N1 first met at 100 and grew at 500 (a3, c5); N2
     * first met at 600; N3 was merged into N1 at 700 (in the replay) */
    jd_netfound f[] = {found(&b[0], "a1 a2 c1 c2 a3 c5", 100, 100),
                       found(&b[1], "b1 b2 c3 c4", 600, 600),
                       found(&b[2], "g1 g2 c6 c7", 300, 300)};
    b[0].since[4] = b[0].since[5] = 500;
    f[2].ended = 700;
    f[2].merged_into = 0;
    name_run(s, JD_AS_OF_NOW, true, f, 3, id, ch, sizeof ch);
    assert_string_equal(ch, "N000001:new:\nN000002:new:\nN000003:new:\nN000003:merged:N000001\n");
    /* as of 400: N1 as it was (a1 a2 c1 c2), N3 still apart; N2 is not known
     * then, so the same people, seen early by a read-only run, are not N2 */
    fnet bg[3];
    jd_netfound g[] = {found(&bg[0], "a1 a2 c1 c2", 100, 100),
                       found(&bg[1], "g1 g2 c6 c7", 300, 300),
                       found(&bg[2], "b1 b2 c3 c4", 350, 350)};
    name_run(s, 400, true, g, 3, id, ch, sizeof ch);
    assert_string_equal(id[0], "N000001");
    assert_string_equal(id[1], "N000003");
    assert_string_equal(id[2], "new-1");
    assert_string_equal(ch, ""); /* an as-of run never writes */
    /* as of 650: N2 known, named so */
    name_run(s, 650, false, g, 3, id, ch, sizeof ch);
    assert_string_equal(id[2], "N000002");
    /* the registry is unchanged by the as-of runs */
    name_run(s, JD_AS_OF_NOW, true, f, 3, id, ch, sizeof ch);
    assert_string_equal(id[0], "N000001");
    assert_string_equal(id[1], "N000002");
    assert_string_equal(id[2], "N000003");
    assert_string_equal(ch, "");
    scratch_store_close(s, path);
}

static void test_network__ids_bad_stored_members(void **state)
{
    (void)state;
    char path[256];
    jd_store *s;
    jd_error err;
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "netbad"), JD_OK);
    jd_network_row r[] = {{"N000001", 1, 100, 0, NULL, "not json"}};
    assert_int_equal(s->ops->networks_save(s, r, 1, NULL, 0, &err), JD_OK);
    jd_netreg *R = NULL;
    assert_int_equal(jd_network__reg_load(&R, s, JD_AS_OF_NOW, 0, true, &err), JD_ESTORE);
    assert_null(R);
    assert_non_null(strstr(err.msg, "malformed stored network"));
    r[0].members = "[[\"P1\"]]";
    assert_int_equal(s->ops->networks_save(s, r, 1, NULL, 0, &err), JD_OK);
    assert_int_equal(jd_network__reg_load(&R, s, JD_AS_OF_NOW, 0, true, &err), JD_ESTORE);
    assert_null(R);
    scratch_store_close(s, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network__place_abbreviations_plurals_stop_words),
        cmocka_unit_test(test_network__ids_kept_grown_merged_split_dissolved),
        cmocka_unit_test(test_network__ids_as_of_no_look_ahead),
        cmocka_unit_test(test_network__ids_bad_stored_members),
        cmocka_unit_test(test_network__place_near_duplicates),
        cmocka_unit_test(test_network__place_dwelling_and_numbers),
        cmocka_unit_test(test_network__place_long_and_odd_input),
        cmocka_unit_test(test_network__place_multibyte_never_hangs),
        cmocka_unit_test(test_network__place_dashes_and_quotes_separate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
