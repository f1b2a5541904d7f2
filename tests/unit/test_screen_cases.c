/*
 * What issue 14 asks to be shown, as data: tests/data/screen/cases-coverage.jsonl
 * holds one case a line ({"group", "age", "type", "text", "find", "not",
 * "attr", "other_age", "known_failure"}) for each ConText attribute, roles
 * (person versus property, stated innocent causes), every age form, every
 * offence C1-C20 and every DOMAIN 6 row in several grammatical forms, each
 * with a near miss that must not match.
 *
 * "find": codes or slugs that must count; "not": that must not count;
 * "attr": {"C16": "negated"} a match of that code ruled out by that
 * attribute. A case with "known_failure" (the reason) fails today: the test
 * asserts that it still fails, so a fix in the rules or the attribute logic
 * flips it visibly ("now passes: remove its known_failure").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <joindots/screen.h>

static const struct {
    const char *name;
    unsigned bit;
} attr_bits[] = {{"negated", JD_SCREEN_NEGATED},       {"hypothetical", JD_SCREEN_HYPOTHETICAL},
                 {"historical", JD_SCREEN_HISTORICAL}, {"other_person", JD_SCREEN_OTHER_PERSON},
                 {"quoted", JD_SCREEN_QUOTED},         {"challenged", JD_SCREEN_CHALLENGED},
                 {"innocent", JD_SCREEN_INNOCENT},     {"property", JD_SCREEN_PROPERTY}};

/* The slugs of DOMAIN 6, one a row (the notes corpus README). */
static const char *const slugs[] = {
    "prostitution",     "consent",         "sexually_active", "sexual_activity_with_adult",
    "boyfriend",        "putting_self_at_risk", "lifestyle_choice", "streetwise",
    "promiscuous",      "contacting_adults", "exchanging_sex", "absconded",
    "recruiting",       "refused_to_engage", "asking_for_it",  "own_accord",
    "enjoys",           "sexually_available", "rent_boy",      "out_of_control",
    "experimenting"};

static bool counted(const jd_screen_result *r, const char *code)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->m[i].counts && !strcmp(r->m[i].code, code))
            return true;
    return false;
}

static bool ruled_out_by(const jd_screen_result *r, const char *code, unsigned bit)
{
    for (size_t i = 0; i < r->n; i++)
        if (!r->m[i].counts && !strcmp(r->m[i].code, code) && (r->m[i].attrs & bit))
            return true;
    return false;
}

/* What is wrong with the result of case c, written into why; "" = passes. */
static void check_case(const json_t *c, const jd_screen_result *r, char *why, size_t n)
{
    why[0] = 0;
    size_t o = 0, i;
    json_t *v;
    json_array_foreach(json_object_get(c, "find"), i, v)
    {
        if (!counted(r, json_string_value(v)) && o < n)
            o += (size_t)snprintf(why + o, n - o, "missed %s; ", json_string_value(v));
    }
    json_array_foreach(json_object_get(c, "not"), i, v)
    {
        if (counted(r, json_string_value(v)) && o < n)
            o += (size_t)snprintf(why + o, n - o, "wrongly found %s; ", json_string_value(v));
    }
    const char *code;
    json_object_foreach(json_object_get(c, "attr"), code, v)
    {
        unsigned bit = 0;
        for (size_t k = 0; k < sizeof attr_bits / sizeof attr_bits[0]; k++)
            if (!strcmp(attr_bits[k].name, json_string_value(v)))
                bit = attr_bits[k].bit;
        assert_int_not_equal(bit, 0); /* a known attribute name */
        if (!ruled_out_by(r, code, bit) && o < n)
            o += (size_t)snprintf(why + o, n - o, "%s not ruled out as %s; ", code,
                                  json_string_value(v));
    }
}

static void test_coverage_cases(void **state)
{
    (void)state;
    const char *root = getenv("JD_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/screen/cases-coverage.jsonl", root ? root : ".");
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    jd_error err;
    jd_error_clear(&err);
    jd_screen *S;
    assert_int_equal(jd_screen_open(&S, NULL, &err), JD_OK);
    jd_screen_result r = {0};
    char line[4096];
    int cases = 0, bad = 0, known = 0, flipped = 0;
    int off_pos[21] = {0}, off_near[21] = {0};
    int slug_pos[sizeof slugs / sizeof slugs[0]] = {0}, slug_near[sizeof slugs / sizeof slugs[0]] = {0};
    int attr_cases[sizeof attr_bits / sizeof attr_bits[0]] = {0};
    int ages = 0, roles = 0;
    while (fgets(line, sizeof line, in)) {
        if (!line[0] || line[0] == '\n')
            continue;
        json_error_t je;
        json_t *c = json_loads(line, 0, &je);
        if (!c)
            fprintf(stderr, "cases-coverage.jsonl line %d: %s\n", cases + 1, je.text);
        assert_non_null(c);
        const char *text = json_string_value(json_object_get(c, "text"));
        const char *group = json_string_value(json_object_get(c, "group"));
        assert_non_null(text);
        assert_non_null(group);
        assert_true(json_is_integer(json_object_get(c, "age")));
        json_t *oa = json_object_get(c, "other_age");
        jd_screen_note note = {NULL, text, json_string_value(json_object_get(c, "type")), NULL,
                               (int)json_integer_value(json_object_get(c, "age")), 0, -1, 0,
                               json_is_integer(oa) ? (int)json_integer_value(oa) : 0};
        assert_int_equal(jd_screen_run(S, &note, &r, &err), JD_OK);
        char why[512];
        check_case(c, &r, why, sizeof why);
        const char *kf = json_string_value(json_object_get(c, "known_failure"));
        cases++;
        if (kf) {
            known++;
            if (!why[0]) {
                flipped++;
                fprintf(stderr, "now passes, remove its known_failure (%s): %s\n", kf, text);
            }
        } else if (why[0]) {
            bad++;
            fprintf(stderr, "[%s] %s\n   %s\n", group, text, why);
            for (size_t k = 0; k < r.n; k++)
                fprintf(stderr, "   %s \"%s\": %s\n", r.m[k].code, r.m[k].rule, r.m[k].why);
        }
        /* what the file covers, counting only cases that pass as written */
        if (!kf) {
            size_t nf = json_array_size(json_object_get(c, "find"));
            if (!strncmp(group, "offence:C", 9)) {
                int k = atoi(group + 9);
                assert_true(k >= 1 && k <= 20);
                (nf ? off_pos : off_near)[k]++;
            } else if (!strncmp(group, "language:", 9)) {
                for (size_t k = 0; k < sizeof slugs / sizeof slugs[0]; k++)
                    if (!strcmp(group + 9, slugs[k]))
                        (nf ? slug_pos : slug_near)[k]++;
            } else if (!strncmp(group, "age:", 4)) {
                ages++;
            } else if (!strncmp(group, "role:", 5)) {
                roles++;
            } else if (!strncmp(group, "attr:", 5)) {
                static const char *const groups[] = {"negation", "hypothetical", "historical",
                                                     "other_person", NULL, "quoted_challenge"};
                for (size_t k = 0; k < sizeof groups / sizeof groups[0]; k++)
                    if (groups[k] && !strcmp(group + 5, groups[k]))
                        attr_cases[k]++;
            }
        }
        json_decref(c);
    }
    fclose(in);
    jd_screen_result_free(&r);
    jd_screen_close(S);
    fprintf(stderr, "%d cases, %d known failures (%d now pass), %d unexpected failures\n", cases,
            known, flipped, bad);
    assert_int_equal(bad, 0);
    assert_int_equal(flipped, 0);
    /* every offence and every row: at least two forms and a near miss that hold */
    for (int k = 1; k <= 20; k++) {
        if (off_pos[k] < 2 || off_near[k] < 1)
            fprintf(stderr, "C%d: %d forms, %d near misses\n", k, off_pos[k], off_near[k]);
        assert_true(off_pos[k] >= 2 && off_near[k] >= 1);
    }
    for (size_t k = 0; k < sizeof slugs / sizeof slugs[0]; k++) {
        if (slug_pos[k] < 2 || slug_near[k] < 1)
            fprintf(stderr, "%s: %d forms, %d near misses\n", slugs[k], slug_pos[k],
                    slug_near[k]);
        assert_true(slug_pos[k] >= 2 && slug_near[k] >= 1);
    }
    /* negated, hypothetical, historical, another person, quoted to challenge */
    assert_true(attr_cases[0] >= 2 && attr_cases[1] >= 2 && attr_cases[2] >= 2 &&
                attr_cases[3] >= 2 && attr_cases[5] >= 2);
    assert_true(ages >= 15);
    assert_true(roles >= 8);
}

/* A case the engine passes, marked as a known failure, is reported: the
 * check behind the flip is the same check_case. */
static void test_check_case_flags_both_ways(void **state)
{
    (void)state;
    jd_error err;
    jd_error_clear(&err);
    jd_screen *S;
    assert_int_equal(jd_screen_open(&S, NULL, &err), JD_OK);
    jd_screen_result r = {0};
    jd_screen_note note = {NULL, "She is streetwise and knows what she is doing.", "case_note",
                           NULL, 14, 0, -1, 0, 0};
    assert_int_equal(jd_screen_run(S, &note, &r, &err), JD_OK);
    char why[256];
    json_t *ok = json_pack("{s:[s]}", "find", "streetwise");
    json_t *no = json_pack("{s:[s]}", "not", "streetwise");
    json_t *at = json_pack("{s:{s:s}}", "attr", "streetwise", "negated");
    check_case(ok, &r, why, sizeof why);
    assert_string_equal(why, "");
    check_case(no, &r, why, sizeof why);
    assert_non_null(strstr(why, "wrongly found streetwise"));
    check_case(at, &r, why, sizeof why);
    assert_non_null(strstr(why, "not ruled out as negated"));
    json_decref(ok);
    json_decref(no);
    json_decref(at);
    jd_screen_result_free(&r);
    jd_screen_close(S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage_cases),
        cmocka_unit_test(test_check_case_flags_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
