/* Unit tests for the child's risk walk (src/lib/analyse/risk.c) and its
 * policy (data/rules/risk.json): each case writes a small bundle, ingests,
 * resolves and analyses it, and reads the alerts back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include "analyse/risk.h"

#include <jansson.h>
#include <joindots/analyse.h>
#include <joindots/identity.h>
#include <joindots/ingest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const ev_head =
    "agency,record_id,event_type,occurred_at,reported_at,location,postcode,narrative,"
    "crime_recorded,crime_ref,outcome,author_role,risk_grade\n";
static const char *const pe_head =
    "agency,record_id,person_ref,role,surname,forenames,dob,gender,postcode,ethnicity\n";

/* A bundle being written: events and persons files in a temp folder. */
typedef struct bundle {
    char dir[128];
    FILE *ev, *pe;
    int n;
    bool sibling; /* each record names her brother Ben (13) too */
} bundle;

static void bundle_open(bundle *b)
{
    static int k;
    snprintf(b->dir, sizeof b->dir, "/tmp/jd-test-risk-%d-%d", (int)getpid(), k++);
    mkdir(b->dir, 0700);
    char p[256];
    snprintf(p, sizeof p, "%s/events.csv", b->dir);
    b->ev = fopen(p, "w");
    snprintf(p, sizeof p, "%s/persons.csv", b->dir);
    b->pe = fopen(p, "w");
    assert_non_null(b->ev);
    assert_non_null(b->pe);
    fputs(ev_head, b->ev);
    fputs(pe_head, b->pe);
    b->n = 0;
    b->sibling = false;
}

/* One event about the child (csc ref C-1 etc.: each agency's own ref). */
static void ev(bundle *b, const char *agency, const char *type, const char *when, const char *text)
{
    char id[32];
    snprintf(id, sizeof id, "R%d", ++b->n);
    fprintf(b->ev, "%s,%s,%s,%s,,,OX4 1AA,\"%s\",,,,worker,\n", agency, id, type, when, text);
    fprintf(b->pe, "%s,%s,%s-1,subject,Hart,Amy,%s,F,OX4 1AA,\n", agency, id, agency,
            getenv("JD_TEST_DOB") ? getenv("JD_TEST_DOB") : "1992-05-01");
    if (b->sibling)
        fprintf(b->pe, "%s,%s,%s-2,subject,Hart,Ben,1993-01-09,M,OX4 1AA,\n", agency, id, agency);
}

/* The same with another person in the record (role and age given). */
static void ev_with(bundle *b, const char *agency, const char *type, const char *when,
                    const char *text, const char *role, const char *dob)
{
    ev(b, agency, type, when, text);
    fprintf(b->pe, "%s,R%d,%s-X%d,%s,Stone,Mark,%s,M,OX4 1ZZ,\n", agency, b->n, agency, b->n, role,
            dob);
}

static void rm_bundle(bundle *b)
{
    char p[256];
    snprintf(p, sizeof p, "%s/events.csv", b->dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/persons.csv", b->dir);
    unlink(p);
    rmdir(b->dir);
}

/* Ingest, resolve and analyse the bundle; the alerts as a JSON array. */
static json_t *analyse_bundle(bundle *b, const char *risk_path, int *rc_out)
{
    fclose(b->ev);
    fclose(b->pe);
    jd_store *s;
    char path[256];
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "risk"), JD_OK);
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t;
    const char *bs[] = {b->dir};
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    jd_error err;
    assert_int_equal(jd_ingest_bundles(s, bs, 1, &io, &t, &err), JD_OK);
    assert_int_equal(jd_resolve(s, &ro, NULL, &err), JD_OK);
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.now = 1893456000; /* 2030-01-01 */
    ao.risk_path = risk_path;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int rc = jd_analyse(s, &ao, out, NULL, &err);
    fclose(out);
    if (rc_out)
        *rc_out = rc;
    else
        assert_int_equal(rc, JD_OK);
    json_t *all = json_array();
    for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        json_t *o = json_loads(line, 0, NULL);
        if (o)
            json_array_append_new(all, o);
    }
    free(buf);
    scratch_store_close(s, path);
    rm_bundle(b);
    return all;
}

static int count_kind(json_t *alerts, const char *kind)
{
    int n = 0;
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a) n +=
        !strcmp(json_string_value(json_object_get(a, "kind")), kind);
    return n;
}

static void test_risk__policy_built_in(void **state)
{
    (void)state;
    jd_risk_policy P;
    jd_error err;
    assert_int_equal(jd_risk__load(&P, NULL, NULL, &err), JD_OK);
    assert_int_equal(P.under_age, 13);
    assert_int_equal(P.lang_medium_age, 16);
    assert_int_equal(P.lang_max_age, 25);
    assert_int_equal(P.mp_window_days, 90);
    assert_int_equal(P.mp_medium, 3);
    assert_int_equal(P.ri_within, 72 * 3600);
    assert_int_equal(P.ri_before, 12 * 3600);
    assert_string_equal(P.ld_id, "V06");
    assert_string_equal(P.missing_id, "S01");
    assert_int_equal(P.ld_ind, -1); /* no catalogue given */
    assert_true(P.nmit >= 5);
    jd_risk__dispose(&P);
    jd_risk__dispose(&P); /* idempotent */
}

/* A policy file with one value changed by a sed-like replacement. */
static void write_policy(const char *path, const char *from, const char *to)
{
    const char *root = getenv("JD_SOURCE_ROOT");
    char src[1024];
    snprintf(src, sizeof src, "%s/data/rules/risk.json", root ? root : ".");
    FILE *f = fopen(src, "r");
    assert_non_null(f);
    char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, from);
    assert_non_null(at);
    FILE *o = fopen(path, "w");
    fprintf(o, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    fclose(o);
}

static void test_risk__policy_bad_values(void **state)
{
    (void)state;
    jd_risk_policy P;
    jd_error err;
    char path[64];
    snprintf(path, sizeof path, "/tmp/jd-test-risk-policy-%d.json", (int)getpid());
    write_policy(path, "\"under\": 13", "\"under\": 40");
    assert_int_equal(jd_risk__load(&P, path, NULL, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "ages.under"));
    write_policy(path, "\"within_hours\": 72", "\"within_hours\": \"72\"");
    assert_int_equal(jd_risk__load(&P, path, NULL, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "return_interview.within_hours"));
    write_policy(path, "\"high_episodes\": 6", "\"high_episodes\": 2");
    assert_int_equal(jd_risk__load(&P, path, NULL, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "high_episodes"));
    write_policy(path, "\"missing\": \"S01\"", "\"missing\": 1");
    assert_int_equal(jd_risk__load(&P, path, NULL, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "missing: an indicator id"));
    /* M09 is named once, in the catalogue: a second, in the policy, is refused */
    write_policy(path, "\"missing\": \"S01\"", "\"missing\": \"S01\", \"network\": \"M09\"");
    assert_int_equal(jd_risk__load(&P, path, NULL, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "indicators.network"));
    assert_non_null(strstr(err.msg, "catalogue's network.feedback_indicator"));
    write_policy(path, "{", "[");
    assert_int_equal(jd_risk__load(&P, path, NULL, &err), JD_EINVALID);
    unlink(path);
    assert_int_equal(jd_risk__load(&P, path, NULL, &err), JD_EINVALID);
}

/* The walk used to keep 256 returns and 512 episodes per child and drop the
 * rest silently: every return past the 256th lost its M-R4 clock. */
static void test_risk__many_returns_all_clocked(void **state)
{
    (void)state;
    bundle b;
    bundle_open(&b);
    for (int i = 0; i < 300; i++) {
        char when[32];
        time_t t = (time_t)1041422400 + (time_t)i * 2 * 86400; /* 2003-01-01 12:00 */
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT20:00", &tm);
        ev(&b, "police", "missing_report", when, "Reported missing by carers.");
        strftime(when, sizeof when, "%Y-%m-%dT22:00", &tm);
        ev(&b, "police", "missing_return", when, "Came back.");
    }
    json_t *al = analyse_bundle(&b, NULL, NULL);
    assert_int_equal(count_kind(al, "overdue_return_interview"), 300);
    json_decref(al);
}

static void test_risk__policy_file_used(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/jd-test-risk-policy2-%d.json", (int)getpid());
    /* a 1-hour interview window: the 2-hour-late interview is overdue */
    write_policy(path, "\"within_hours\": 72", "\"within_hours\": 1");
    for (int pass = 0; pass < 2; pass++) {
        bundle b;
        bundle_open(&b);
        ev(&b, "police", "missing_report", "2005-06-10T20:00", "Reported missing by mum.");
        ev(&b, "police", "missing_return", "2005-06-10T22:00", "Came home.");
        ev(&b, "csc", "return_interview", "2005-06-11T00:00", "Return interview held.");
        json_t *al = analyse_bundle(&b, pass ? path : NULL, NULL);
        assert_int_equal(count_kind(al, "overdue_return_interview"), pass);
        json_decref(al);
    }
    bundle b;
    bundle_open(&b);
    ev(&b, "police", "missing_report", "2005-06-10T20:00", "Reported missing by mum.");
    write_policy(path, "\"under\": 13", "\"under\": 0");
    int rc;
    json_t *al = analyse_bundle(&b, path, &rc);
    assert_int_equal(rc, JD_EINVALID);
    json_decref(al);
    unlink(path);
}

/* The child's child_at_risk alert, or NULL. */
static json_t *child_alert(json_t *alerts)
{
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a) if (!strcmp(json_string_value(json_object_get(a, "kind")),
                                                 "child_at_risk")) return a;
    return NULL;
}

static int level_of(json_t *alerts)
{
    json_t *a = child_alert(alerts);
    if (!a)
        return 0;
    const char *l = json_string_value(json_object_get(a, "level"));
    return !strcmp(l, "critical") ? 4 : !strcmp(l, "high") ? 3 : !strcmp(l, "medium") ? 2 : 1;
}

static bool explains(json_t *alerts, const char *words)
{
    json_t *a = child_alert(alerts);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(a, "explanation"), i,
                       v) if (strstr(json_string_value(v), words)) return true;
    return false;
}

/* A looked-after girl of 14 missing ten times to her grandmother, each time
 * found safe there, with a return interview giving where, who and safe. */
static void nan_episodes_with(bundle *b, const char *found, const char *interview)
{
    ev(b, "csc", "placement_change", "2006-01-05T10:00", "Placement started with foster carers.");
    for (int i = 0; i < 10; i++) {
        char when[32];
        time_t t = (time_t)1136980800 + (time_t)i * 8 * 86400; /* 2006-01-11 12:00 */
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT17:30", &tm);
        ev(b, "care_provider", "missing_report", when,
           "Amy not back from school, phone off. Carers believe she has gone to her nan's. "
           "Reported missing to police as per protocol.");
        strftime(when, sizeof when, "%Y-%m-%dT21:40", &tm);
        ev(b, "police", "missing_return", when, found);
        t += 2 * 86400;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT11:00", &tm);
        ev(b, "csc", "return_interview", when, interview);
    }
}

static void nan_episodes(bundle *b)
{
    nan_episodes_with(b,
                      "Located at maternal grandmother's address, where she had been since "
                      "18:00. Safe and well, no concerns.",
                      "Return interview: went straight to her nan's on the bus, nobody else "
                      "involved, watched telly with nan. Safe throughout.");
}

/* The nan episodes with these texts, then the night in a car with a man:
 * the alert's explanation names what weighs against. */
static json_t *nan_then_car(const char *found, const char *interview)
{
    bundle b;
    bundle_open(&b);
    nan_episodes_with(&b, found, interview);
    ev_with(&b, "police", "found_with_adult", "2006-04-20T01:10",
            "Amy found in a parked car on Rose Hill at 1am with an unknown man. Returned to "
            "carers.",
            "suspect", "1971-02-02");
    return analyse_bundle(&b, NULL, NULL);
}

/* Phrases of several words are found as phrases (the search first looks for
 * a phrase's first word among the record's words): X02's "who" is only
 * "nobody else" here, and X01's "unless" only "would not say". */
static void test_risk__mitigating_phrases_of_several_words(void **state)
{
    (void)state;
    static const char *const located = "Located at maternal grandmother's address.";
    static const char *const no_who = "Return interview: went straight to her nan's on the "
                                      "bus, nobody elsewhere. Safe throughout.";
    json_t *al = nan_then_car(located, "Return interview: went straight to her nan's on the "
                                       "bus, nobody else involved. Safe throughout.");
    assert_true(explains(al, "weighs against: X02"));
    json_decref(al);
    al = nan_then_car(located, no_who);
    assert_false(explains(al, "weighs against: X0")); /* "nobody elsewhere": no "who" */
    json_decref(al);
    al = nan_then_car("Located at maternal grandmother's address. Safe and well.", no_who);
    assert_true(explains(al, "weighs against: X01"));
    json_decref(al);
    al = nan_then_car("Located at maternal grandmother's address. Safe and well, but would not "
                      "say where she went first.",
                      no_who);
    assert_false(explains(al, "weighs against: X0")); /* unless: "would not say" */
    json_decref(al);
}

static void test_risk__missing_to_grandmother_not_high(void **state)
{
    (void)state;
    bundle b;
    bundle_open(&b);
    nan_episodes(&b);
    json_t *al = analyse_bundle(&b, NULL, NULL);
    assert_true(level_of(al) < 3);
    assert_int_equal(count_kind(al, "missing_pattern"), 1); /* M-R3 still sees the pattern */
    json_decref(al);
}

static void test_risk__grandmother_then_adult_in_car_high(void **state)
{
    (void)state;
    bundle b;
    bundle_open(&b);
    nan_episodes(&b);
    ev_with(&b, "police", "found_with_adult", "2006-04-20T01:10",
            "Amy found in a parked car on Rose Hill at 1am with an unknown man. Returned to "
            "carers.",
            "suspect", "1971-02-02");
    json_t *al = analyse_bundle(&b, NULL, NULL);
    assert_true(level_of(al) >= 3);
    assert_true(explains(al, "T5 found with an adult of concern"));
    /* the explanation names what weighs against: the safe returns to nan */
    assert_true(explains(al, "weighs against: X0"));
    json_decref(al);
}

/* Both children of the same records: each walk weighs what the records hold
 * (a record's mitigating facts are searched at its first walk and kept for
 * the run, W->mitev), whichever child is walked first. */
static void test_risk__siblings_share_mitigating_records(void **state)
{
    (void)state;
    bundle b;
    bundle_open(&b);
    b.sibling = true;
    nan_episodes(&b);
    ev_with(&b, "police", "found_with_adult", "2006-04-20T01:10",
            "Amy and Ben found in a parked car on Rose Hill at 1am with an unknown man. "
            "Returned to carers.",
            "suspect", "1971-02-02");
    json_t *al = analyse_bundle(&b, NULL, NULL);
    int children = 0, weighed = 0;
    size_t i, j;
    json_t *a, *v;
    json_array_foreach(al, i, a)
    {
        if (strcmp(json_string_value(json_object_get(a, "kind")), "child_at_risk"))
            continue;
        children++;
        bool w = false;
        json_array_foreach(json_object_get(a, "explanation"), j, v) w =
            w || strstr(json_string_value(v), "weighs against: X0");
        weighed += w;
    }
    assert_int_equal(children, 2);
    assert_int_equal(weighed, 2);
    json_decref(al);
}

static void test_risk__under13_innocent_injury_medium_at_most(void **state)
{
    (void)state;
    setenv("JD_TEST_DOB", "1998-03-01", 1);
    bundle b;
    bundle_open(&b);
    ev(&b, "health_ae", "ae_attendance", "2006-06-01T15:00",
       "8F bitten on R forearm by family dog when she tried to take its toy. Mum witnessed. "
       "Two puncture wounds, irrigated. Consistent story.");
    json_t *al = analyse_bundle(&b, NULL, NULL);
    assert_true(level_of(al) <= 2);
    json_decref(al);
    /* the same injury with no stated cause: still never low (V07), not high */
    bundle_open(&b);
    ev(&b, "health_ae", "ae_attendance", "2006-06-01T15:00", "8F, bruising to both arms.");
    al = analyse_bundle(&b, NULL, NULL);
    assert_int_equal(level_of(al), 2);
    assert_true(explains(al, "under 13: never graded low (V07)"));
    json_decref(al);
    unsetenv("JD_TEST_DOB");
}

static void test_risk__under13_adult_of_concern_high(void **state)
{
    (void)state;
    setenv("JD_TEST_DOB", "1995-03-01", 1);
    bundle b;
    bundle_open(&b);
    ev(&b, "school", "welfare_concern", "2006-06-01",
       "Amy (11) seen getting into a car driven by an older man after school.");
    json_t *al = analyse_bundle(&b, NULL, NULL);
    assert_true(level_of(al) >= 3);
    assert_true(explains(al, "T3 under 13 with an exploitation-specific"));
    json_decref(al);
    unsetenv("JD_TEST_DOB");
}

static void test_risk__disclosed_offence_high_whatever_mitigates(void **state)
{
    (void)state;
    bundle b;
    bundle_open(&b);
    ev(&b, "sexual_health", "sexual_health_visit", "2006-06-01T10:00",
       "Amy (14) told the nurse she had sex with a 24 year old man she calls her boyfriend. "
       "Same school, same age group, mum confirmed, no concerns.");
    json_t *al = analyse_bundle(&b, NULL, NULL);
    assert_true(level_of(al) >= 3);
    assert_true(explains(al, "T1 offence by age"));
    json_decref(al);
}

/* The unrecorded_crime alert naming record id, or NULL. */
static json_t *crime_alert(json_t *alerts, const char *id)
{
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a)
    {
        json_t *r = json_array_get(json_object_get(a, "records"), 0);
        if (!strcmp(json_string_value(json_object_get(a, "kind")), "unrecorded_crime") &&
            r && !strcmp(json_string_value(json_object_get(r, "record_id")), id))
            return a;
    }
    return NULL;
}

static bool alert_explains(json_t *a, const char *words)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(a, "explanation"), i,
                       v) if (strstr(json_string_value(v), words)) return true;
    return false;
}

/* C17 by meaning (scr-county): a sign of neglect alone raises no unrecorded
 * crime; a caller's concern of a young child left alone is one at medium,
 * saying so; the carer's act found by police is one at high. Amy is 8. */
static void test_risk__neglect_sign_concern_finding(void **state)
{
    (void)state;
    bundle b;
    bundle_open(&b);
    ev(&b, "school", "welfare_concern", "2000-06-01T09:00",
       "Amy arriving late and hungry most mornings; family support offered.");
    ev(&b, "call_handling", "call_for_service", "2000-06-10T21:00",
       "Caller concerned the children are left alone in the flat.");
    ev(&b, "police", "call_for_service", "2000-06-20T23:30",
       "Amy found home alone at 2300; mum had gone out drinking and returned intoxicated.");
    json_t *al = analyse_bundle(&b, NULL, NULL);
    assert_null(crime_alert(al, "R1"));
    json_t *concern = crime_alert(al, "R2"), *found = crime_alert(al, "R3");
    assert_non_null(concern);
    assert_non_null(found);
    assert_string_equal(json_string_value(json_object_get(concern, "rule")), "C17");
    assert_string_equal(json_string_value(json_object_get(concern, "level")), "medium");
    assert_true(alert_explains(concern, "third party's concern"));
    assert_string_equal(json_string_value(json_object_get(found, "rule")), "C17");
    assert_string_equal(json_string_value(json_object_get(found, "level")), "high");
    assert_false(alert_explains(found, "third party's concern"));
    json_decref(al);
}

/* One agency, one day, one non-specific indicator each: a score at high
 * that is not corroborated is graded medium, and the explanation says why. */
static void missing_hurt(bundle *b)
{
    /* the drinking in the report, not only "intoxicated" at the return: the
     * 25-set indicators model reads intoxication at a return from missing as
     * S12 (how its writers label it), not also M11 */
    ev(b, "police", "missing_report", "2006-06-01T20:00",
       "Reported missing from home by mum. She has been drinking alcohol heavily.");
    ev(b, "police", "missing_return", "2006-06-02T03:00",
       "Returned at 3am dishevelled and intoxicated, bruising to her arms and legs that she "
       "would not explain.");
}

static void test_risk__high_needs_corroboration(void **state)
{
    (void)state;
    bundle b;
    bundle_open(&b);
    missing_hurt(&b); /* a score at high, one agency, one night, nothing exploitation-specific */
    json_t *al = analyse_bundle(&b, NULL, NULL);
    assert_int_equal(level_of(al), 2);
    assert_true(explains(al, "not corroborated for high"));
    json_decref(al);
    /* exploitation-specific evidence from a second agency days later */
    bundle_open(&b);
    missing_hurt(&b);
    ev(&b, "school", "welfare_concern", "2006-06-12",
       "Amy seen getting into a car with older men outside school; new phone she cannot explain.");
    al = analyse_bundle(&b, NULL, NULL);
    assert_true(level_of(al) >= 3);
    assert_true(explains(al, "corroborated: "));
    assert_true(explains(al, "exploitation-specific: "));
    json_decref(al);
}

int main(void)
{
    if (jd_global_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_risk__policy_built_in),
        cmocka_unit_test(test_risk__policy_bad_values),
        cmocka_unit_test(test_risk__many_returns_all_clocked),
        cmocka_unit_test(test_risk__policy_file_used),
        cmocka_unit_test(test_risk__missing_to_grandmother_not_high),
        cmocka_unit_test(test_risk__grandmother_then_adult_in_car_high),
        cmocka_unit_test(test_risk__siblings_share_mitigating_records),
        cmocka_unit_test(test_risk__mitigating_phrases_of_several_words),
        cmocka_unit_test(test_risk__under13_innocent_injury_medium_at_most),
        cmocka_unit_test(test_risk__under13_adult_of_concern_high),
        cmocka_unit_test(test_risk__disclosed_offence_high_whatever_mitigates),
        cmocka_unit_test(test_risk__neglect_sign_concern_finding),
        cmocka_unit_test(test_risk__high_needs_corroboration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
