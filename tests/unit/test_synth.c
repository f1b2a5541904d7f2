/*
 * Unit tests for the synthetic county: determinism by seed, and the
 * invariants every benchmark relies on, checked by ingesting the bundle
 * (nothing quarantined, nothing odd) and comparing the store with truth.json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <joindots/joindots.h>
#include "text/norm.h"

static char base[64];

static void rmrf(const char *p)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "/tmp/jd-test-synth-%d", (int)getpid());
    rmrf(base);
    return jd_global_init();
}

static int teardown(void **state)
{
    (void)state;
    rmrf(base);
    return 0;
}

static char *gen_noise(const char *name, uint64_t seed, const char *scenario, int children,
                       int noise)
{
    static char out[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(out[k], sizeof out[k], "%s-%s", base, name);
    jd_synth_opts o = JD_SYNTH_OPTS_INIT;
    o.seed = seed;
    o.scenario = scenario;
    o.children = children;
    o.years = 4;
    o.identity_noise = noise;
    jd_error e;
    jd_synth_stats st;
    assert_int_equal(jd_synth_write(out[k], &o, &st, &e), JD_OK);
    assert_true(st.events > children);
    return out[k];
}

static char *gen(const char *name, uint64_t seed, const char *scenario, int children)
{
    return gen_noise(name, seed, scenario, children, JD_SYNTH_NOISE_REALISTIC);
}

static void test_synth__same_seed_same_bytes(void **state)
{
    (void)state;
    char *a = gen("a", 7, NULL, 200), *b = gen("b", 7, NULL, 200), *c = gen("c", 8, NULL, 200);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "diff -r -q '%s' '%s' >/dev/null", a, b);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "diff -r -q '%s' '%s' >/dev/null", a, c);
    assert_int_not_equal(system(cmd), 0);
    rmrf(a);
    rmrf(b);
    rmrf(c);
}

static int64_t q1(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Ingest the bundle; every row valid; truth refs == stored refs, one person each. */
static void check_bundle(const char *dir)
{
    char dbp[256], truth[256];
    snprintf(dbp, sizeof dbp, "%s/t.db", dir);
    snprintf(truth, sizeof truth, "%s/truth.json", dir);
    jd_store *s;
    jd_error e;
    assert_int_equal(jd_store_open(&s, dbp, NULL, &e), JD_OK);
    jd_ingest_counts c;
    const char *bundles[] = {dir};
    assert_int_equal(jd_ingest_bundles(s, bundles, 1, NULL, &c, &e), JD_OK);
    jd_store_close(s);
    assert_true(c.read > 0);
    assert_int_equal(c.rejected, 0); /* every person row's event exists, all values valid */
    assert_int_equal(c.warnings, 0);
    assert_int_equal(c.stored, c.read);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbp, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TEMP TABLE t(agency, ref, person)", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    json_t *root = json_load_file(truth, 0, NULL);
    assert_non_null(root);
    sqlite3_stmt *ins;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2, ?3)", -1, &ins, NULL),
                     SQLITE_OK);
    size_t i, k;
    json_t *p, *r;
    json_array_foreach(json_object_get(root, "persons"), i, p)
    {
        char nhs[11];
        (void)nhs;
        json_array_foreach(json_object_get(p, "refs"), k, r)
        {
            sqlite3_reset(ins);
            sqlite3_bind_text(ins, 1, json_string_value(json_object_get(r, "agency")), -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, json_string_value(json_object_get(r, "person_ref")), -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, json_string_value(json_object_get(p, "id")), -1,
                              SQLITE_TRANSIENT);
            assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        }
    }
    sqlite3_finalize(ins);
    /* one person_ref is always one true person */
    assert_int_equal(q1(db, "SELECT count(*) FROM (SELECT agency, ref FROM t GROUP BY 1, 2"
                            " HAVING count(DISTINCT person) > 1)"),
                     0);
    /* every stored ref is in the truth, and every truth ref is stored */
    assert_int_equal(q1(db, "SELECT count(*) FROM (SELECT DISTINCT agency, person_ref FROM"
                            " person_mention) m WHERE NOT EXISTS (SELECT 1 FROM t WHERE"
                            " t.agency = m.agency AND t.ref = m.person_ref)"),
                     0);
    assert_int_equal(q1(db, "SELECT count(*) FROM t WHERE NOT EXISTS (SELECT 1 FROM"
                            " person_mention m WHERE t.agency = m.agency AND"
                            " t.ref = m.person_ref)"),
                     0);
    /* strong identifiers only where the contract says, and valid (ingest checked) */
    assert_int_equal(q1(db, "SELECT count(*) FROM person_mention WHERE nhs_number IS NOT NULL"
                            " AND agency NOT IN ('health_ae','gp','sexual_health',"
                            "'school_nursing')"),
                     0);
    assert_int_equal(q1(db, "SELECT count(*) FROM person_mention WHERE upn IS NOT NULL AND"
                            " agency <> 'school'"),
                     0);
    assert_true(q1(db, "SELECT count(*) FROM person_mention WHERE nhs_number IS NOT NULL") > 0);
    /* the truth lists point at events that exist */
    const char *lists[] = {"unrecorded_crimes", "blaming_language"};
    for (int l = 0; l < 2; l++) {
        json_array_foreach(json_object_get(root, lists[l]), i, r)
        {
            char sql[256];
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM event WHERE agency = '%s' AND record_id = '%s'",
                     json_string_value(json_object_get(r, "agency")),
                     json_string_value(json_object_get(r, "record_id")));
            assert_int_equal(q1(db, sql), 1);
        }
    }
    /* every exploited child has first evidence no earlier than exploitation began */
    json_array_foreach(json_object_get(root, "exploited"), i, r)
    {
        int64_t fe = 0, began = 0;
        json_t *f = json_object_get(r, "first_evidence_at");
        assert_true(json_is_string(f));
        assert_int_equal(jd_time_parse(&fe, json_string_value(f), 0), JD_OK);
        assert_int_equal(jd_time_parse(&began, json_string_value(json_object_get(r, "began")), 0),
                         JD_OK);
        assert_true(fe >= began);
    }
    sqlite3_close(db);
    json_decref(root);
}

/* Copy a truth list of records (agency, record_id) into the table named. */
static void load_records(sqlite3 *db, const char *table, json_t *list)
{
    size_t k;
    json_t *r;
    json_array_foreach(list, k, r)
    {
        char *sql = sqlite3_mprintf("INSERT INTO %s VALUES (%Q, %Q)", table,
                                    json_string_value(json_object_get(r, "agency")),
                                    json_string_value(json_object_get(r, "record_id")));
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_free(sql);
    }
}

/* A caller's concern that the children are left alone discloses neglect (C17)
 * when a child under 12 is named on the call (labelling guide; scr-off4): the
 * truth lists exactly those calls as left-alone calls (its own list,
 * "left_alone", scored apart from the planted exploitation crimes), by the
 * truth's dates of birth, none of the calls naming only older children, and
 * none of them among the unrecorded crimes. */
static void check_left_alone(const char *dir, json_t *root)
{
    char dbp[256];
    snprintf(dbp, sizeof dbp, "%s/t.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbp, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TEMP TABLE u(agency, record_id);"
                                      "CREATE TEMP TABLE d(agency, ref, dob)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    size_t i, j;
    json_t *r, *x;
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_true(json_array_size(json_object_get(root, "left_alone")) > 0);
    load_records(db, "u", json_object_get(root, "left_alone"));
    json_array_foreach(json_object_get(root, "persons"), i, r)
    {
        const char *dob = json_string_value(json_object_get(r, "dob"));
        json_array_foreach(json_object_get(r, "refs"), j, x)
        {
            if (!dob || strcmp(json_string_value(json_object_get(x, "agency")), "call_handling"))
                continue;
            char *sql = sqlite3_mprintf("INSERT INTO d VALUES ('call_handling', %Q, %Q)",
                                        json_string_value(json_object_get(x, "person_ref")), dob);
            assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
            sqlite3_free(sql);
        }
    }
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    const char *young =
        "EXISTS (SELECT 1 FROM person_mention m JOIN d ON d.agency = m.agency AND d.ref ="
        " m.person_ref WHERE m.event_id = e.id AND m.role = 'subject' AND"
        " date(e.occurred_at, 'unixepoch') < date(d.dob, '+12 years'))";
    const char *listed = "EXISTS (SELECT 1 FROM u WHERE u.agency = e.agency AND u.record_id ="
                         " e.record_id)";
    const char *call = "e.narrative = 'Caller concerned the children are left alone in the flat.'";
    char sql[768];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM event e WHERE %s AND %s AND %s", call, young,
             listed);
    assert_true(q1(db, sql) > 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM event e WHERE %s AND NOT %s AND %s", call,
             young, listed);
    assert_int_equal(q1(db, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM event e WHERE %s AND NOT %s AND NOT %s", call,
             young, listed);
    assert_true(q1(db, sql) > 0); /* calls naming only older children: no offence */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM event e WHERE %s AND %s AND NOT %s", call,
             young, listed);
    assert_int_equal(q1(db, sql), 0);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM u", NULL, NULL, NULL), SQLITE_OK);
    load_records(db, "u", json_object_get(root, "unrecorded_crimes"));
    snprintf(sql, sizeof sql, "SELECT count(*) FROM event e WHERE %s AND %s", call, listed);
    assert_int_equal(q1(db, sql), 0); /* not among the exploitation crimes */
    sqlite3_close(db);
}

static void test_synth__invariants_county(void **state)
{
    (void)state;
    char *d = gen("county", 3, NULL, 400);
    check_bundle(d);
    json_t *root;
    char truth[256];
    snprintf(truth, sizeof truth, "%s/truth.json", d);
    root = json_load_file(truth, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(root, "networks")), 3);
    assert_true(json_array_size(json_object_get(root, "exploited")) >= 6);
    assert_true(json_array_size(json_object_get(root, "unrecorded_crimes")) > 0);
    assert_true(json_array_size(json_object_get(root, "blaming_language")) > 0);
    check_left_alone(d, root);
    /* an adult written as the child's "boyfriend", as a man she is "seeing" or as
     * her "relationship with an older male" is the wording of DOMAIN 6 L14: the
     * truth lists those notes (all but the few of a victim already 18), and not
     * the mother's quoted 'boyfriend' */
    {
        char dbp[256];
        snprintf(dbp, sizeof dbp, "%s/t.db", d);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(dbp, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "CREATE TEMP TABLE b(agency, record_id)", NULL, NULL,
                                      NULL),
                         SQLITE_OK);
        load_records(db, "b", json_object_get(root, "blaming_language"));
        const char *l14 = "(narrative LIKE '%talks about her boyfriend who is%' OR narrative LIKE"
                          " '%an older boyfriend (%' OR narrative LIKE '%relationship with an older"
                          " male%' OR narrative LIKE '%says she is seeing a man called%')";
        char sql[640];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM event WHERE %s", l14);
        int all = q1(db, sql);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM event e WHERE %s AND EXISTS (SELECT 1 FROM b WHERE"
                 " b.agency = e.agency AND b.record_id = e.record_id)",
                 l14);
        int listed = q1(db, sql);
        assert_true(all > 0);
        assert_true(listed * 10 >= all * 9);
        assert_int_equal(q1(db, "SELECT count(*) FROM event e WHERE narrative LIKE '%has a "
                                "''boyfriend'' in his twenties%' AND EXISTS (SELECT 1 FROM b"
                                " WHERE b.agency = e.agency AND b.record_id = e.record_id)"),
                         0);
        sqlite3_close(db);
    }
    /* confounder groups are present so false alarms can be measured by group */
    const char *groups[] = {"in_care_missing_family", "substance", "domestic_abuse",
                            "self_harm", "peer_relationship", "learning_disability"};
    size_t i;
    json_t *c;
    for (size_t g = 0; g < 6; g++) {
        bool found = false;
        json_array_foreach(json_object_get(root, "children"), i, c)
            found |= !strcmp(json_string_value(json_object_get(c, "confounder")), groups[g]);
        assert_true(found);
    }
    json_decref(root);
    rmrf(d);
}

static void test_synth__oxford_shape(void **state)
{
    (void)state;
    jd_synth_opts o = JD_SYNTH_OPTS_INIT;
    o.seed = 11;
    o.scenario = "oxford";
    o.children = 300;
    char d[128];
    snprintf(d, sizeof d, "%s-oxford", base);
    jd_error e;
    assert_int_equal(jd_synth_write(d, &o, NULL, &e), JD_OK);
    check_bundle(d);
    char truth[256];
    snprintf(truth, sizeof truth, "%s/truth.json", d);
    json_t *root = json_load_file(truth, 0, NULL);
    json_t *net = json_array_get(json_object_get(root, "networks"), 0);
    assert_int_equal(json_array_size(json_object_get(root, "networks")), 1);
    assert_int_equal(json_array_size(json_object_get(net, "adults")), 7);
    assert_int_equal(json_array_size(json_object_get(net, "children")), 6);
    assert_int_equal(json_array_size(json_object_get(root, "exploited")), 6);
    json_t *lm = json_object_get(root, "landmarks");
    const char *keys[] = {"ring_note_2005", "ae_disclosure_14", "held_against_will_call",
                          "nfa_13", "board_2007", "streetwise"};
    for (size_t i = 0; i < 6; i++)
        assert_non_null(json_object_get(json_object_get(lm, keys[i]), "record_id"));
    assert_int_equal(json_array_size(json_object_get(lm, "cowley_pickups")), 4);
    /* police contacts and missing reports on the six, as published (about) */
    char dbp[256];
    snprintf(dbp, sizeof dbp, "%s/t.db", d);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbp, &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TEMP TABLE six(agency, ref)", NULL, NULL, NULL);
    size_t i, k;
    json_t *p, *r;
    json_array_foreach(json_object_get(root, "persons"), i, p)
    {
        bool victim = false;
        json_t *id;
        json_array_foreach(json_object_get(net, "children"), k, id)
            victim |= !strcmp(json_string_value(id), json_string_value(json_object_get(p, "id")));
        if (!victim)
            continue;
        json_array_foreach(json_object_get(p, "refs"), k, r)
        {
            char sql[256];
            snprintf(sql, sizeof sql, "INSERT INTO six VALUES ('%s', '%s')",
                     json_string_value(json_object_get(r, "agency")),
                     json_string_value(json_object_get(r, "person_ref")));
            sqlite3_exec(db, sql, NULL, NULL, NULL);
        }
    }
    int64_t police = q1(db, "SELECT count(DISTINCT e.id) FROM event e JOIN person_mention m ON"
                            " m.event_id = e.id JOIN six ON six.agency = m.agency AND"
                            " six.ref = m.person_ref WHERE e.agency = 'police'");
    int64_t missing = q1(db, "SELECT count(DISTINCT e.id) FROM event e JOIN person_mention m ON"
                             " m.event_id = e.id JOIN six ON six.agency = m.agency AND"
                             " six.ref = m.person_ref WHERE e.event_type = 'missing_report'");
    assert_true(police >= 1500 && police <= 1650);
    assert_true(missing >= 440 && missing <= 470);
    sqlite3_close(db);
    json_decref(root);
    rmrf(d);
}

/* Truth refs into a temp table t(agency, ref, person, dob, sparse) of the ingested store. */
static sqlite3 *open_with_truth(const char *dir, json_t **rootp)
{
    char dbp[256], truth[256];
    snprintf(dbp, sizeof dbp, "%s/t.db", dir);
    snprintf(truth, sizeof truth, "%s/truth.json", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbp, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TEMP TABLE t(agency, ref, person, dob, sparse)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    json_t *root = json_load_file(truth, 0, NULL);
    assert_non_null(root);
    sqlite3_stmt *ins;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)", -1,
                                        &ins, NULL),
                     SQLITE_OK);
    size_t i, k;
    json_t *p, *r;
    json_array_foreach(json_object_get(root, "persons"), i, p)
    {
        json_array_foreach(json_object_get(p, "refs"), k, r)
        {
            sqlite3_reset(ins);
            sqlite3_bind_text(ins, 1, json_string_value(json_object_get(r, "agency")), -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, json_string_value(json_object_get(r, "person_ref")), -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, json_string_value(json_object_get(p, "id")), -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 4, json_string_value(json_object_get(p, "dob")), -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_int(ins, 5, json_is_true(json_object_get(r, "sparse")));
            assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        }
    }
    sqlite3_finalize(ins);
    *rootp = root;
    return db;
}

static size_t in_group(json_t *root, const char *g)
{
    size_t n = 0, i, k;
    json_t *p, *x;
    json_array_foreach(json_object_get(root, "persons"), i, p)
        json_array_foreach(json_object_get(p, "groups"), k, x) n += !strcmp(json_string_value(x), g);
    return n;
}

/* Realistic identity noise: sparse one-row refs that really are sparse,
 * ages right at the event date, twins, households, namesakes, housing. */
static void test_synth__realistic_noise(void **state)
{
    (void)state;
    char *d = gen("noisy", 21, NULL, 600);
    check_bundle(d);
    json_t *root;
    sqlite3 *db = open_with_truth(d, &root);
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "generator"),
                                                          "identity_noise")),
                        "realistic");
    /* sparse refs: many, each used on one row, lacking a name part or a date of birth */
    assert_true(q1(db, "SELECT count(*) FROM t WHERE sparse") > 100);
    assert_int_equal(q1(db, "SELECT count(*) FROM t JOIN person_mention m ON m.agency = t.agency"
                            " AND m.person_ref = t.ref WHERE t.sparse AND m.forenames IS NOT"
                            " NULL AND m.surname IS NOT NULL AND m.dob IS NOT NULL"),
                     0);
    assert_int_equal(q1(db, "SELECT count(*) FROM (SELECT 1 FROM t JOIN person_mention m ON"
                            " m.agency = t.agency AND m.person_ref = t.ref WHERE t.sparse"
                            " GROUP BY t.agency, t.ref HAVING count(*) > 1)"),
                     0);
    /* every kind of sparse row is there */
    const char *kinds[] = {
        "m.forenames IS NOT NULL AND m.surname IS NULL",
        "m.forenames IS NULL AND m.surname IS NOT NULL",
        "m.forenames IS NULL AND m.surname IS NULL AND m.address IS NOT NULL",
        "m.forenames IS NOT NULL AND m.surname IS NOT NULL AND m.dob IS NULL AND m.age IS NULL",
        "m.dob IS NULL AND m.age IS NOT NULL"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM t JOIN person_mention m ON m.agency = t.agency AND"
                 " m.person_ref = t.ref WHERE t.sparse AND %s",
                 kinds[k]);
        assert_true(q1(db, sql) > 0);
    }
    /* children split between a full ref and sparse ones */
    assert_true(q1(db, "SELECT count(DISTINCT person) FROM t WHERE sparse AND person IN"
                       " (SELECT person FROM t WHERE NOT sparse)") > 50);
    /* housing rows list the household; an age is the true age on the event's date */
    assert_true(q1(db, "SELECT count(*) FROM person_mention WHERE agency = 'housing'") > 100);
    assert_true(q1(db, "SELECT count(*) FROM person_mention WHERE age IS NOT NULL") > 100);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM person_mention m JOIN event e ON e.id = m.event_id JOIN t"
               " ON t.agency = m.agency AND t.ref = m.person_ref WHERE m.age IS NOT NULL AND"
               " m.age <> CAST(strftime('%Y', e.occurred_at + 3600, 'unixepoch') AS INTEGER) -"
               " CAST(substr(t.dob, 1, 4) AS INTEGER) - (strftime('%m-%d', e.occurred_at +"
               " 3600, 'unixepoch') < substr(t.dob, 6))"),
        0);
    /* gender sometimes missing; surnames sometimes written in the forenames field */
    assert_true(q1(db, "SELECT count(*) FROM person_mention WHERE gender IS NULL") > 0);
    /* groups: twins in pairs with one date of birth; the rest present */
    size_t i;
    json_t *p;
    int twins = 0;
    json_array_foreach(json_object_get(root, "persons"), i, p)
    {
        const char *of = json_string_value(json_object_get(p, "twin_of"));
        if (!of)
            continue;
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(root, "persons"), k, o)
            if (!strcmp(json_string_value(json_object_get(o, "id")), of)) {
                assert_string_equal(json_string_value(json_object_get(o, "dob")),
                                    json_string_value(json_object_get(p, "dob")));
                twins++;
            }
    }
    assert_true(twins > 0);
    assert_true(in_group(root, "twin") >= 2 * (size_t)twins);
    assert_true(in_group(root, "household") > 500);
    assert_true(in_group(root, "sibling") > 100);
    assert_true(in_group(root, "step_family") > 20);
    assert_true(in_group(root, "moved") > 20);
    assert_true(in_group(root, "namesake") > 20);
    sqlite3_close(db);
    json_decref(root);
    rmrf(d);
}

/* Without identity noise: no housing, no one-row refs, no groups. */
static void test_synth__no_noise(void **state)
{
    (void)state;
    char *a = gen_noise("plain", 21, NULL, 300, JD_SYNTH_NOISE_NONE);
    char *b = gen_noise("plain2", 21, NULL, 300, JD_SYNTH_NOISE_REALISTIC);
    char path[256], cmd[600];
    snprintf(path, sizeof path, "%s/persons_housing.csv", a);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/persons_housing.csv", b);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(cmd, sizeof cmd, "grep -q -e '\"sparse\"' -e '\"groups\"' '%s/truth.json'", a);
    assert_int_not_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "grep -q -e '\"sparse\"' '%s/truth.json'", b);
    assert_int_equal(system(cmd), 0);
    check_bundle(a);
    rmrf(a);
    rmrf(b);
}

static void test_synth__bad_options(void **state)
{
    (void)state;
    jd_synth_opts o = JD_SYNTH_OPTS_INIT;
    jd_error e;
    o.scenario = "narnia";
    assert_int_equal(jd_synth_write("/tmp/jd-never", &o, NULL, &e), JD_EINVALID);
    o = (jd_synth_opts)JD_SYNTH_OPTS_INIT;
    o.start = "not a date";
    assert_int_equal(jd_synth_write("/tmp/jd-never", &o, NULL, &e), JD_EINVALID);
    o = (jd_synth_opts)JD_SYNTH_OPTS_INIT;
    o.years = 0;
    assert_int_equal(jd_synth_write("/tmp/jd-never", &o, NULL, &e), JD_EINVALID);
    o = (jd_synth_opts)JD_SYNTH_OPTS_INIT;
    o.identity_noise = 7;
    assert_int_equal(jd_synth_write("/tmp/jd-never", &o, NULL, &e), JD_EINVALID);
    o = (jd_synth_opts)JD_SYNTH_OPTS_INIT;
    o.confounders = 2;
    assert_int_equal(jd_synth_write("/tmp/jd-never", &o, NULL, &e), JD_EINVALID);
    o = (jd_synth_opts)JD_SYNTH_OPTS_INIT;
    assert_int_equal(jd_synth_write("/proc/definitely/not/writable", &o, NULL, &e), JD_EIO);
}

/* --confounders stories: the county's own events come first, byte for byte,
 * then the stories; every story group is in truth.json, its children with
 * records in the story's wording, and the bundle is still clean. */
static void test_synth__confounder_stories(void **state)
{
    (void)state;
    char a[160], b[160];
    snprintf(a, sizeof a, "%s", gen("basic", 5, NULL, 1500));
    snprintf(b, sizeof b, "%s-stories", base);
    jd_synth_opts o = JD_SYNTH_OPTS_INIT;
    o.seed = 5;
    o.children = 1500;
    o.years = 4;
    o.confounders = JD_SYNTH_CONFOUNDERS_STORIES;
    jd_error e;
    jd_synth_stats st;
    assert_int_equal(jd_synth_write(b, &o, &st, &e), JD_OK);
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "for f in '%s'/events_*.csv; do n=$(wc -c < \"$f\"); "
             "head -c $n '%s'/$(basename \"$f\") | cmp -s - \"$f\" || exit 1; done",
             a, b);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "cmp -s '%s/events_health_ae.csv' '%s/events_health_ae.csv'", a, b);
    assert_int_not_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "grep -q 'bitten on R forearm by family dog' '%s/events_health_ae.csv'",
             b);
    assert_int_equal(system(cmd), 0);
    check_bundle(b);
    char truth[256];
    snprintf(truth, sizeof truth, "%s/truth.json", b);
    json_t *root = json_load_file(truth, 0, NULL);
    const char *groups[] = {"in_care_missing_to_family", "sport_injuries", "pet_injuries",
                            "phone_stolen", "same_age_relationship", "many_professionals",
                            "sibling_of_victim", "parent_taxi_driver", "parent_works_at_hotel",
                            "young_carer", "older_peer_partner", "weekend_job_takeaway"};
    size_t i;
    json_t *c;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        int n = 0;
        json_array_foreach(json_object_get(root, "children"), i, c)
            n += !strcmp(json_string_value(json_object_get(c, "confounder")), groups[g]);
        if (n == 0)
            fail_msg("no child in group %s", groups[g]);
    }
    json_decref(root);
    rmrf(a);
    rmrf(b);
}

/* The demo's pipeline (tools/demo.c): on the demo bundle it resolves,
 * analyses and replays the ladder, writing both files; an output it cannot
 * write is JD_EIO, and bad arguments JD_EINVALID. */
static void test_synth__demo_pipeline(void **state)
{
    (void)state;
    char dir[128], db[160], ids[160], alerts[160];
    snprintf(dir, sizeof dir, "%s-demo", base);
    snprintf(db, sizeof db, "%s.db", dir);
    snprintf(ids, sizeof ids, "%s/ids.jsonl", dir);
    snprintf(alerts, sizeof alerts, "%s/alerts.jsonl", dir);
    rmrf(dir);
    unlink(db);
    jd_error err = {0};
    assert_int_equal(jd_demo_write_bundle(dir, &err), JD_OK);
    jd_store *s = NULL;
    assert_int_equal(jd_store_open(&s, db, NULL, &err), JD_OK);
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t;
    const char *b[] = {dir};
    (void)jd_ingest_bundles(s, b, 1, &io, &t, &err); /* the bundle has bad rows on purpose */
    jd_demo_result r;
    assert_int_equal(jd_demo_pipeline(&r, s, ids, alerts, &err), JD_OK);
    assert_true(r.resolve.identities > 0);
    assert_true(r.analyse.alerts > 0);
    assert_true(r.escalate.concerns > 0);
    assert_true(r.n_agenda >= 0 && r.n_agenda <= 6);
    for (int i = 1; i < r.n_agenda; i++)
        assert_true(r.agenda[i - 1].raised_at <= r.agenda[i].raised_at);
    assert_int_equal(access(ids, R_OK), 0);
    assert_int_equal(access(alerts, R_OK), 0);
    char nowhere[200];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/folder/alerts.jsonl", dir);
    assert_int_equal(jd_demo_pipeline(&r, s, ids, nowhere, &err), JD_EIO);
    assert_int_equal(jd_demo_pipeline(&r, s, NULL, alerts, &err), JD_EINVALID);
    jd_store_close(s);
    rmrf(dir);
    unlink(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synth__same_seed_same_bytes),
        cmocka_unit_test(test_synth__invariants_county),
        cmocka_unit_test(test_synth__oxford_shape),
        cmocka_unit_test(test_synth__realistic_noise),
        cmocka_unit_test(test_synth__no_noise),
        cmocka_unit_test(test_synth__bad_options),
        cmocka_unit_test(test_synth__confounder_stories),
        cmocka_unit_test_setup_teardown(test_synth__demo_pipeline, setup, teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
