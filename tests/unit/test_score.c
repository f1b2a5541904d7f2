/* Unit tests for the scorer's arithmetic on a hand-made case
 * (tests/data/score: the expected figures are worked out in the comments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <joindots/score.h>

static char dir[1024];

static const char *path(const char *name)
{
    static char buf[4][1200];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* The report as text and then as JSON, into buf. */
static void printed(const jd_score_report *r, char *buf, size_t cap)
{
    jd_error e;
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(jd_score_print(r, f, false, &e), JD_OK);
    assert_int_equal(jd_score_print(r, f, true, &e), JD_OK);
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void test_score__hand_made_case(void **state)
{
    (void)state;
    jd_score_report r;
    jd_error e;
    assert_int_equal(jd_score_run(&r, path("truth.json"), path("identities.jsonl"),
                                  path("alerts.jsonl"), false, &e),
                     JD_OK);
    /* True pairs: T1 has 3 refs (3 pairs), T2 has 2 (1 pair) = 4. Predicted
     * pairs: P1, P2, P4 one each = 3; only P1's is true: P 1/3, R 1/4. */
    assert_int_equal(r.ident_all.tp, 1);
    assert_int_equal(r.ident_all.fp, 2);
    assert_int_equal(r.ident_all.fn, 3);
    assert_float_equal(r.ident_all.f1, 2.0 / 7.0, 1e-9);
    /* Children only: P4's pair is of adults, so 2 predicted, 1 true of 4. */
    assert_float_equal(r.ident_children.precision, 0.5, 1e-9);
    assert_float_equal(r.ident_children.recall, 0.25, 1e-9);
    /* T1 reached high 30 days after first evidence; T2 (substance) is a false alarm. */
    assert_int_equal(r.exploited, 1);
    assert_int_equal(r.exploited_high, 1);
    assert_float_equal(r.median_delay_days, 30.0, 1e-9);
    assert_int_equal(r.non_exploited_children, 1);
    assert_int_equal(r.false_alarms, 1);
    assert_float_equal(r.false_alarm_rate, 1.0, 1e-9);
    /* Network alert names T3 (true) and T4 (not): P 0.5, R 1; detected 50 days in. */
    assert_float_equal(r.network_adults.precision, 0.5, 1e-9);
    assert_float_equal(r.network_adults.recall, 1.0, 1e-9);
    assert_int_equal(r.networks, 1);
    assert_int_equal(r.networks_detected, 1);
    assert_int_equal(r.networks_within_180, 1);
    assert_int_equal(r.network_alerts, 1); /* one alert for the one network */
    /* Unrecorded crime: E1 right, E9 wrong, E2 missed. Language: E3 right. */
    assert_float_equal(r.unrecorded.precision, 0.5, 1e-9);
    assert_float_equal(r.unrecorded.recall, 0.5, 1e-9);
    assert_float_equal(r.language.f1, 1.0, 1e-9);
    char buf[16384];
    printed(&r, buf, sizeof buf);
    assert_non_null(strstr(buf, "substance                  1 of 1"));
    assert_non_null(strstr(buf, "\"median_delay_days\": 30.0"));
    jd_score_report_dispose(&r);
}

/* Left-alone calls (the truth's "left_alone") are scored apart from the
 * planted exploitation crimes: an alert on one is neither right nor wrong
 * for unrecorded_crime, and the left_alone line scores them: E9 right, E8
 * missed, E1 outside both lists (a false alarm of either line). */
static void test_score__left_alone_apart(void **state)
{
    (void)state;
    jd_score_report r;
    jd_error e;
    assert_int_equal(jd_score_run(&r, path("truth_left.json"), path("identities.jsonl"),
                                  path("alerts.jsonl"), false, &e),
                     JD_OK);
    assert_int_equal(r.unrecorded.tp, 1); /* E1 */
    assert_int_equal(r.unrecorded.fp, 0); /* E9 is a left-alone call */
    assert_int_equal(r.unrecorded.fn, 1); /* E2 */
    assert_int_equal(r.left_alone.tp, 1); /* E9 */
    assert_int_equal(r.left_alone.fp, 0); /* E1 is a planted crime */
    assert_int_equal(r.left_alone.fn, 1); /* E8 */
    char buf[16384];
    printed(&r, buf, sizeof buf);
    assert_non_null(strstr(buf, "left-alone call alerts"));
    assert_non_null(strstr(buf, "\"unrecorded_crime_left_alone\""));
    jd_score_report_dispose(&r);
    /* without the list (truth.json), E9 is a false alarm as before */
    assert_int_equal(jd_score_run(&r, path("truth.json"), path("identities.jsonl"),
                                  path("alerts.jsonl"), false, &e),
                     JD_OK);
    assert_int_equal(r.unrecorded.fp, 1);
    assert_int_equal(r.left_alone.tp + r.left_alone.fn, 0);
    /* a line with nothing of its kind in the truth prints no figure, not 0.0000 */
    printed(&r, buf, sizeof buf);
    const char *line = strstr(buf, "left-alone call alerts");
    assert_non_null(line);
    assert_non_null(strstr(line, "(none in the truth"));
    assert_true(strstr(line, "(none in the truth") < strchr(line, '\n'));
    jd_score_report_dispose(&r);
}

static void test_score__no_outputs_scores_zero(void **state)
{
    (void)state;
    jd_score_report r;
    assert_int_equal(jd_score_run(&r, path("truth.json"), NULL, NULL, true, NULL), JD_OK);
    assert_int_equal(r.ident_all.tp, 0);
    assert_int_equal(r.ident_all.fn, 4);
    assert_float_equal(r.recall_high, 0.0, 1e-9);
    assert_true(isnan(r.median_delay_days));
    assert_int_equal(r.false_alarms, 0);
    assert_int_equal(r.networks_detected, 0);
    assert_int_equal(r.network_alerts, 0);
    jd_score_report_dispose(&r);
}

/* Identity by group, on tests/data/score/truth_groups.json:
 *   T1 (child, twin, household): a1 b1 c1(sparse)   P1: a1 b1
 *   T2 (child, twin, household): a2 b2              P2: c1 a2 b2 (T1's sparse ref on its twin)
 *   T3 (adult, household): a3 c3(sparse)            P3: a3 c3 (exactly right)
 *   T4, T5 (adults, namesakes): a4, a5              P4: a4 a5 (namesakes merged)
 * True pairs 3+1+1 = 5; predicted 1+3+1+1 = 6; true and predicted: a1b1, a2b2, a3c3 = 3. */
static double group_figure(json_t *groups, const char *g, const char *k)
{
    json_t *o = json_object_get(groups, g);
    assert_non_null(o);
    json_t *pw = json_object_get(o, "pairwise");
    json_t *v = json_object_get(pw, k) ? json_object_get(pw, k) : json_object_get(o, k);
    assert_non_null(v);
    return json_number_value(v);
}

static void test_score__identity_groups(void **state)
{
    (void)state;
    jd_score_report r;
    jd_error e;
    assert_int_equal(jd_score_run(&r, path("truth_groups.json"), path("identities_groups.jsonl"),
                                  NULL, false, &e),
                     JD_OK);
    assert_int_equal(r.ident_all.tp, 3);
    assert_int_equal(r.ident_all.fp, 3);
    assert_int_equal(r.ident_all.fn, 2);
    /* children: pairs of two children's refs: predicted a1b1, c1a2, c1b2, a2b2; true 4 */
    assert_float_equal(r.ident_children.precision, 0.5, 1e-9);
    assert_float_equal(r.ident_children.recall, 0.5, 1e-9);
    /* exactly right: only T3 (T2's cluster holds T1's sparse ref) */
    assert_int_equal(r.persons, 5);
    assert_int_equal(r.persons_exact, 1);
    assert_float_equal(r.exactly_right, 0.2, 1e-9);
    assert_int_equal(r.children_persons, 2);
    assert_int_equal(r.children_exact, 0);
    json_t *g = json_object_get(r.detail, "identity_groups");
    assert_non_null(g);
    /* pairs touching a sparse ref: c1a2, c1b2 (false), a3c3 (true); c1 missed from a1, b1 */
    assert_float_equal(group_figure(g, "sparse_refs", "tp"), 1, 1e-9);
    assert_float_equal(group_figure(g, "sparse_refs", "fp"), 2, 1e-9);
    assert_float_equal(group_figure(g, "sparse_refs", "fn"), 2, 1e-9);
    assert_float_equal(group_figure(g, "sparse_refs", "refs"), 2, 1e-9);
    assert_float_equal(group_figure(g, "sparse_refs", "persons"), 2, 1e-9);
    assert_float_equal(group_figure(g, "sparse_refs", "exact"), 1, 1e-9);
    /* by kind: c1 (first name only) only in false pairs, c3 (no name) rightly joined */
    assert_float_equal(group_figure(g, "sparse_first_name_only", "tp"), 0, 1e-9);
    assert_float_equal(group_figure(g, "sparse_first_name_only", "fp"), 2, 1e-9);
    assert_float_equal(group_figure(g, "sparse_first_name_only", "fn"), 2, 1e-9);
    assert_float_equal(group_figure(g, "sparse_first_name_only", "persons"), 1, 1e-9);
    assert_float_equal(group_figure(g, "sparse_no_name", "precision"), 1.0, 1e-9);
    assert_float_equal(group_figure(g, "sparse_no_name", "recall"), 1.0, 1e-9);
    assert_float_equal(group_figure(g, "sparse_no_name", "exact"), 1, 1e-9);
    /* pairs of two full refs: a1b1, a2b2 true, a4a5 false; nothing missed */
    assert_float_equal(group_figure(g, "full_refs", "precision"), 2.0 / 3.0, 1e-9);
    assert_float_equal(group_figure(g, "full_refs", "recall"), 1.0, 1e-9);
    assert_float_equal(group_figure(g, "full_refs", "persons"), 3, 1e-9);
    /* twins (T1, T2): every pair but a3c3 and a4a5 touches them */
    assert_float_equal(group_figure(g, "twin", "tp"), 2, 1e-9);
    assert_float_equal(group_figure(g, "twin", "fp"), 2, 1e-9);
    assert_float_equal(group_figure(g, "twin", "fn"), 2, 1e-9);
    assert_float_equal(group_figure(g, "twin", "share"), 0.0, 1e-9);
    /* household (T1-T3): all but a4a5 */
    assert_float_equal(group_figure(g, "household", "precision"), 0.6, 1e-9);
    assert_float_equal(group_figure(g, "household", "recall"), 0.6, 1e-9);
    assert_float_equal(group_figure(g, "household", "exact"), 1, 1e-9);
    /* namesakes: one false merge, nothing to find */
    assert_float_equal(group_figure(g, "namesake", "fp"), 1, 1e-9);
    assert_float_equal(group_figure(g, "namesake", "tp"), 0, 1e-9);
    assert_float_equal(group_figure(g, "namesake", "fn"), 0, 1e-9);
    char buf[16384];
    printed(&r, buf, sizeof buf);
    assert_non_null(strstr(buf, "people exactly right (one cluster, all their refs, no other): 1 of 5"));
    assert_non_null(strstr(buf, "  twin                            5        2    0.5000    0.5000    0.5000"));
    assert_non_null(strstr(buf, "\"identities_exactly_right\": {"));
    assert_non_null(strstr(buf, "\"share\": 0.2"));
    jd_score_report_dispose(&r);
}

/* Unpredicted refs are their own clusters; every person is exactly right
 * when each has one ref, none when refs are split. */
static void test_score__singletons_exactly_right(void **state)
{
    (void)state;
    jd_score_report r;
    assert_int_equal(jd_score_run(&r, path("truth_groups.json"), NULL, NULL, true, NULL), JD_OK);
    assert_int_equal(r.persons_exact, 2); /* T4 and T5: one ref each */
    assert_int_equal(r.ident_all.fp, 0);
    assert_int_equal(r.ident_all.fn, 5);
    jd_score_report_dispose(&r);
}

/* More than 16 person groups is refused as a limit, not silently merged. */
static void test_score__too_many_groups(void **state)
{
    (void)state;
    char tmp[] = "/tmp/jd-score-groups-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"persons\": [{\"id\": \"T1\", \"refs\": [{\"agency\": \"a\", \"person_ref\": \"1\"}],"
          " \"groups\": [", f);
    for (int i = 0; i < 17; i++)
        fprintf(f, "%s\"g%d\"", i ? ", " : "", i);
    fputs("]}]}", f);
    fclose(f);
    jd_score_report r;
    jd_error e;
    assert_int_equal(jd_score_run(&r, tmp, NULL, NULL, true, &e), JD_ELIMIT);
    assert_non_null(strstr(e.msg, "more than 16 person groups"));
    unlink(tmp);
}

static void test_score__bad_inputs(void **state)
{
    (void)state;
    jd_score_report r;
    jd_error e;
    assert_int_equal(jd_score_run(&r, path("missing.json"), NULL, NULL, false, &e), JD_EINVALID);
    assert_int_equal(jd_score_run(&r, path("truth.json"), path("bad.jsonl"), NULL, false, &e),
                     JD_EINVALID);
    assert_int_equal(e.line, 1);
    assert_int_equal(jd_score_run(&r, path("truth.json"), path("nope.jsonl"), NULL, false, &e),
                     JD_ENOTFOUND);
    assert_int_equal(jd_score_run(&r, NULL, NULL, NULL, false, &e), JD_EINVALID);
}

int main(void)
{
    const char *root = getenv("JD_SOURCE_ROOT");
    snprintf(dir, sizeof dir, "%s/tests/data/score", root ? root : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score__hand_made_case),
        cmocka_unit_test(test_score__left_alone_apart),
        cmocka_unit_test(test_score__no_outputs_scores_zero),
        cmocka_unit_test(test_score__identity_groups),
        cmocka_unit_test(test_score__singletons_exactly_right),
        cmocka_unit_test(test_score__too_many_groups),
        cmocka_unit_test(test_score__bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
