/*
 * Indicators and wording under the learned combiner (scr-learn2, issue 14):
 * candidates by the event type alone (an "always" rule with "candidate"),
 * which the rules never count and a model may; a model that decides a
 * language slug and an indicator both ways; the labels a model leaves to
 * the rules. Sentences are written from DOMAIN.md, not taken from any
 * corpus.
 */
#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screen_fx.h"

static const jd_screen_result *run(fx *f, const char *text, const char *type)
{
    jd_error err;
    jd_error_clear(&err);
    jd_screen_note in = {"t", text, type, "csc", 15, 'F', -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    return &f->res;
}

/* The match of code, counted or not (-1: counted or not, either), or NULL. */
static const jd_screen_match *find(const jd_screen_result *r, const char *code, int counts)
{
    for (size_t i = 0; i < r->n; i++)
        if ((counts < 0 || r->m[i].counts == (counts > 0)) && !strcmp(r->m[i].code, code))
            return &r->m[i];
    return NULL;
}

/* The match, failing the test when there is none. */
static const jd_screen_match *must(const jd_screen_result *r, const char *code, int counts)
{
    static const jd_screen_match none; /* never reached: fail() ends the test */
    const jd_screen_match *m = find(r, code, counts);
    if (!m) {
        fprintf(stderr, "no %s match for %s\n", counts > 0 ? "counted" : "any", code);
        fail();
        return &none;
    }
    return m;
}

/* A model of one kind from its JSON "kinds" member, given to f's screen. */
static void give_model(fx *f, const char *kinds)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"format\": \"joindots-screen-model\", \"version\": 1, \"buckets\": 65536, "
             "\"kinds\": {%s}}",
             kinds);
    jd_screen_model *m = NULL;
    jd_error err;
    jd_error_clear(&err);
    int rc = jd_screen_model_loadb(&m, buf, strlen(buf), "test model", &err);
    if (rc != JD_OK)
        fprintf(stderr, "model: %s\n", err.msg);
    assert_int_equal(rc, JD_OK);
    jd_screen_set_model(f->S, m);
}

static const char quiet[] = "Return interview completed at school. She would not say where she "
                            "had been and was quiet throughout.";

/* Rules with S12 and S01 as candidates of a return interview (the shipped
 * rules have none: leave-one-set-out fell with them, see screen.md) and
 * S12's words. */
static const char cand_rules[] =
    "{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
    "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": ["
    "{\"code\": \"S12\", \"name\": \"returns hurt\", \"patterns\": [\"drunk|crying\"]},"
    "{\"code\": \"S12\", \"name\": \"returns hurt\", \"always\": true, \"candidate\": true, "
    "\"event_types\": [\"return_interview\"]},"
    "{\"code\": \"S01\", \"name\": \"missing overnight\", \"always\": true, \"candidate\": true, "
    "\"event_types\": [\"return_interview\"]}]}";

/* f's screen swapped for one with cand_rules. */
static void open_cand_rules(fx *f)
{
    char path[] = "/tmp/jd-screen-cand-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    fputs(cand_rules, out);
    fclose(out);
    jd_screen *S = NULL;
    jd_error err;
    jd_error_clear(&err);
    int rc = jd_screen_open(&S, path, &err);
    unlink(path);
    if (rc != JD_OK)
        fprintf(stderr, "rules: %s\n", err.msg);
    assert_int_equal(rc, JD_OK);
    jd_screen_result_free(&f->res);
    jd_screen_close(f->S);
    f->S = S;
}

/* A counted match of a rule with a "near" pattern names the words that
 * pattern found (fix-screen3): C4's driver who waits shows the drive. */
static void test_why_names_near_words(void **state)
{
    fx *f = *state;
    const jd_screen_result *r = run(f,
                                    "Jess (15) says Dean (45) had sex with her at his flat. His "
                                    "mate drives her there and waits in the van.",
                                    "case_note");
    const jd_screen_match *m = must(r, "C4", 1);
    assert_non_null(strstr(m->why, "\" beside \"mate drives her there\""));
    assert_non_null(strstr(m->why, "matched \"driver|"));
    m = must(r, "C2", 1);
    assert_null(strstr(m->why, "beside")); /* no "near" pattern: the pattern alone */
}

/* Rules alone: the event type makes S12 a candidate, never a counted match;
 * the same words in a case note make none; words of S12 count as before. */
static void test_candidate_rules_alone(void **state)
{
    fx *f = *state;
    open_cand_rules(f);
    const jd_screen_result *r = run(f, quiet, "return_interview");
    const jd_screen_match *m = must(r, "S12", 0);
    assert_null(find(r, "S12", 1));
    assert_false(m->modelled);
    assert_int_equal(m->start, -1);
    assert_non_null(strstr(m->why, "a candidate by the event type return_interview"));
    assert_string_equal(m->rule, "the event type");

    r = run(f, quiet, "case_note");
    assert_null(find(r, "S12", -1));

    r = run(f, "Return interview. She came back drunk and crying.", "return_interview");
    m = must(r, "S12", 1);
    assert_int_not_equal(m->start, -1); /* the words, not the event type */

    /* the shipped rules have no candidates */
    fx g = {0};
    jd_error err;
    jd_error_clear(&err);
    assert_int_equal(jd_screen_open(&g.S, NULL, &err), JD_OK);
    r = run(&g, quiet, "return_interview");
    for (size_t i = 0; i < r->n; i++)
        assert_null(strstr(r->m[i].why, "a candidate by the event type"));
    jd_screen_result_free(&g.res);
    jd_screen_close(g.S);
}

/* A model counts the candidate when its probability reaches the label's
 * threshold, and says so; below it, the candidate stays ruled out. */
static void test_candidate_decided_by_model(void **state)
{
    fx *f = *state;
    open_cand_rules(f);
    give_model(f, "\"indicators\": {\"threshold\": \"rules\", \"thresholds\": {\"S12\": 0.5}, "
                  "\"weights\": {\"S12|bias\": 3.0}, \"words\": {}}");
    const jd_screen_result *r = run(f, quiet, "return_interview");
    const jd_screen_match *m = must(r, "S12", 1);
    assert_true(m->modelled);
    assert_true(m->prob > 0.9f);
    assert_non_null(strstr(m->why, "counted by the model"));
    assert_non_null(strstr(m->model, "S12|bias"));
    /* S01, also a candidate of a return interview, is left to the rules */
    m = must(r, "S01", -1);
    assert_false(m->counts);
    assert_false(m->modelled);

    give_model(f, "\"indicators\": {\"threshold\": \"rules\", \"thresholds\": {\"S12\": 0.5}, "
                  "\"weights\": {\"S12|bias\": -3.0}, \"words\": {}}");
    r = run(f, quiet, "return_interview");
    m = must(r, "S12", 0);
    assert_true(m->modelled);
    assert_true(m->prob < 0.1f);
    assert_null(find(r, "S12", 1));
}

/* A model that would count every S01 (bias +3) counts a ruled-out match
 * only where the ruling-out is weak or about another person: never over
 * negated, hypothetical or "the note concludes there is no concern", whose
 * reason stands unchanged and unmodelled. */
static void test_model_never_over_firm(void **state)
{
    fx *f = *state;
    give_model(f, "\"indicators\": {\"threshold\": \"rules\", \"thresholds\": {\"S01\": 0.5}, "
                  "\"weights\": {\"S01|bias\": 3.0}, \"words\": {}}");
    static const char *const firm[][2] = {
        {"She denies that she went missing overnight.", "negated"},
        {"She did not go missing overnight.", "negated"},
        {"If she goes missing again, call the police.", "hypothetical"},
        {"She went missing overnight. No concerns.", "no concern"},
    };
    for (size_t i = 0; i < sizeof firm / sizeof firm[0]; i++) {
        const jd_screen_result *r = run(f, firm[i][0], "case_note");
        const jd_screen_match *m = must(r, "S01", 0);
        assert_null(find(r, "S01", 1));
        assert_false(m->modelled);
        assert_non_null(strstr(m->why, firm[i][1]));
        assert_null(strstr(m->why, "counted by the model"));
    }
    /* about another person: the model's (kept by the figures, screen.md) */
    const jd_screen_result *r = run(f, "Her friend went missing overnight.", "case_note");
    const jd_screen_match *m = must(r, "S01", 1);
    assert_true(m->modelled);
    assert_non_null(strstr(m->why, "counted by the model"));
    assert_non_null(strstr(m->why, "about another person"));
    jd_screen_set_model(f->S, NULL);
}

/* A model of the wording may veto a counted slug and may not add a slug no
 * rule matched; with the model removed, the rules decide again. */
static void test_language_model(void **state)
{
    fx *f = *state;
    static const char text[] = "She is streetwise and knows exactly what she is doing.";
    const jd_screen_result *r = run(f, text, "case_note");
    const jd_screen_match *m;
    assert_non_null(find(r, "streetwise", 1));

    /* a veto on the bias alone is refused (model.c setting_only): the note's
     * words must weigh toward it, here the child as the sentence's subject */
    give_model(f, "\"language\": {\"threshold\": 0.5, \"thresholds\": {}, "
                  "\"weights\": {\"bias\": -3.0}, \"words\": {}}");
    r = run(f, text, "case_note");
    m = must(r, "streetwise", 1);
    assert_non_null(strstr(m->why, "may not veto on the setting alone"));
    give_model(f, "\"language\": {\"threshold\": 0.5, \"thresholds\": {}, "
                  "\"weights\": {\"bias\": -3.0, \"fr:child\": -0.5}, \"words\": {}}");
    r = run(f, text, "case_note");
    m = must(r, "streetwise", 0);
    assert_true(m->modelled);
    assert_non_null(strstr(m->why, "not counted: the model"));
    assert_null(find(r, "consent", -1)); /* no rule matched it: never raised */

    give_model(f, "\"language\": {\"threshold\": 0.5, \"thresholds\": {}, "
                  "\"weights\": {\"bias\": 3.0}, \"words\": {}}");
    r = run(f, "Mum says she is streetwise.", "case_note");
    m = must(r, "streetwise", 1); /* ruled out as attributed; the model counts it */
    assert_true(m->modelled);

    jd_screen_set_model(f->S, NULL);
    r = run(f, "Mum says she is streetwise.", "case_note");
    assert_null(find(r, "streetwise", 1));
    assert_non_null(find(r, "streetwise", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_candidate_rules_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_candidate_decided_by_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_never_over_firm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_language_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_why_names_near_words, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
