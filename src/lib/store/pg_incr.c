/*
 * Incremental analysis on PostgreSQL (store/incr_ops.h), as sqlite_incr.c:
 * sets of ids and keys live in temporary tables of the connection (emptied
 * at each call, created outside any transaction so that a rollback never
 * drops them under a prepared statement), and every step is an indexed
 * join: refs -> mentions by person_mention_ref, events -> their mentions
 * and objects by the (agency, record_id) prefix of their unique keys, refs
 * -> identities by identity_ref. Rows come in the order sqlite_incr.c and
 * pg_analysis_load give them, so both backends write the same alerts.
 */
#include "store/incr_ops.h"
#include "store/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_KEY "analysis_mark"

static int temps(pgs *p, jd_error *err)
{
    return jd_pg__exec(p,
                       "CREATE TEMP TABLE IF NOT EXISTS jd_sub_ref(agency ctext NOT NULL,"
                       " person_ref ctext NOT NULL, PRIMARY KEY(agency, person_ref));"
                       "CREATE TEMP TABLE IF NOT EXISTS jd_sub_ev(id bigint PRIMARY KEY);"
                       "CREATE TEMP TABLE IF NOT EXISTS jd_sub_key(k ctext PRIMARY KEY);"
                       "CREATE TEMP TABLE IF NOT EXISTS jd_ref_diff(agency ctext NOT NULL,"
                       " person_ref ctext NOT NULL, person_id ctext, info ctext,"
                       " PRIMARY KEY(agency, person_ref));"
                       "TRUNCATE jd_sub_ref, jd_sub_ev, jd_sub_key;",
                       err);
}

/* ---- watermark ---- */

/* the store's highest row ids: events, mentions, their histories, and LAST
 * (resolve_run for the analysis watermark, link_decision for resolve's) */
#define MARK_SQL(last)                                                         \
    "SELECT (SELECT coalesce(max(id), 0) FROM event),"                         \
    " (SELECT coalesce(max(id), 0) FROM person_mention),"                      \
    " (SELECT coalesce(max(id), 0) FROM object_mention),"                      \
    " (SELECT coalesce(max(id), 0) FROM event_history),"                       \
    " (SELECT coalesce(max(id), 0) FROM person_mention_history),"              \
    " (SELECT coalesce(max(id), 0) FROM object_mention_history),"              \
    " (SELECT coalesce(max(id), 0) FROM " last ")"

static int mark_query(jd_store *s, const char *sql, char *out, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(s->impl, sql, NULL, &r, err);
    if (rc < 0)
        return rc;
    snprintf(out, JD_MARK_MAX,
             "%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64,
             jd_pg__i64(r, 0, 0), jd_pg__i64(r, 0, 1), jd_pg__i64(r, 0, 2), jd_pg__i64(r, 0, 3),
             jd_pg__i64(r, 0, 4), jd_pg__i64(r, 0, 5), jd_pg__i64(r, 0, 6));
    PQclear(r);
    return JD_OK;
}

static int mark_now(jd_store *s, char *out, jd_error *err)
{
    return mark_query(s, MARK_SQL("resolve_run"), out, err);
}

static int meta_or_empty(jd_store *s, const char *key, char *out, jd_error *err)
{
    bool found = false;
    int rc = s->ops->meta_get(s, key, out, JD_MARK_MAX, &found, err);
    if (rc == JD_OK && !found)
        out[0] = '\0';
    return rc;
}

static int mark_get(jd_store *s, char *out, jd_error *err)
{
    return meta_or_empty(s, MARK_KEY, out, err);
}

/* meta's row key set to value (a watermark) */
static int meta_put(pgs *p, const char *key, const char *value, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, key);
    pgp_text(&pp, value);
    return jd_pg__do(p,
                     "INSERT INTO meta(key, value) VALUES ($1, $2)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     &pp, NULL, err);
}

static int mark_put(pgs *p, const char *mark, jd_error *err)
{
    return meta_put(p, MARK_KEY, mark, err);
}

#define REF_INFO "coalesce(i.dob, '') || '|' || i.is_child || '|' || coalesce(i.display_name, '')"

static int mark_set(jd_store *s, const char *mark, jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "watermark set inside another transaction");
    int rc = jd_pg__begin(p, err);
    if (rc < 0)
        return rc;
    if ((rc = jd_pg__lock(p, JD_PG_LOCK_ANALYSE, err)) == JD_OK &&
        (rc = mark_put(p, mark, err)) == JD_OK)
        rc = jd_pg__exec(p,
                         "DELETE FROM analysis_ref;"
                         "INSERT INTO analysis_ref(agency, person_ref, person_id, info)"
                         " SELECT ir.agency, ir.person_ref, i.person_id, " REF_INFO
                         " FROM identity_ref ir JOIN identity i ON i.id = ir.identity_id",
                         err);
    return jd_pg__end(p, rc, err);
}

static int mark_resolve_run(jd_store *s, int64_t *out, jd_error *err)
{
    char m[JD_MARK_MAX];
    *out = 0;
    int rc = mark_get(s, m, err);
    return rc < 0 ? rc : jd_store__mark_run(m, out, err);
}

/* *out = the boolean the one-row query sql gives for $1 = a, $2 = b (as
 * sqlite_incr.c's bool_of); sql casts it ::integer. */
static int bool_of(pgs *p, const char *sql, int64_t a, int64_t b, bool *out, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, a);
    pgp_int(&pp, b);
    PGresult *r;
    int rc = jd_pg__run(p, sql, &pp, &r, err);
    if (rc < 0)
        return rc;
    *out = jd_pg__i64(r, 0, 0) != 0;
    PQclear(r);
    return JD_OK;
}

static int resolve_changed(jd_store *s, int64_t after, int64_t upto, bool *out, jd_error *err)
{
    /* as sqlite_incr.c: a range on identity_change_run */
    return bool_of(s->impl,
                   "SELECT (EXISTS (SELECT 1 FROM resolve_run WHERE id > $1 AND id <= $2"
                   " AND mode <> 'incremental') OR EXISTS (SELECT 1 FROM identity_change"
                   " WHERE run_id > $1 AND run_id <= $2))::integer",
                   after, upto, out, err);
}

/* ---- what changed ---- */

#define KEY_OF_MENTION "coalesce(i.person_id, 'U:' || pm.agency || ':' || pm.person_ref)"
#define MENTIONS_OF_SUB_EV                                                                         \
    " FROM jd_sub_ev t JOIN event ev ON ev.id = t.id"                                              \
    " JOIN person_mention pm ON pm.agency = ev.agency AND pm.record_id = ev.record_id"
#define IDENTITY_OF_PM                                                                             \
    " LEFT JOIN identity_ref ir ON ir.agency = pm.agency AND ir.person_ref = pm.person_ref"        \
    " LEFT JOIN identity i ON i.id = ir.identity_id"

static int fill_touched(pgs *p, const int64_t v[7], jd_error *err)
{
    static const char *const fill[6] = {
        "INSERT INTO jd_sub_ev SELECT id FROM event WHERE id > $1 ON CONFLICT DO NOTHING",
        "INSERT INTO jd_sub_ev SELECT DISTINCT event_id FROM person_mention WHERE id > $1"
        " ON CONFLICT DO NOTHING",
        "INSERT INTO jd_sub_ev SELECT DISTINCT event_id FROM object_mention WHERE id > $1"
        " ON CONFLICT DO NOTHING",
        "INSERT INTO jd_sub_ev SELECT DISTINCT event_id FROM event_history WHERE id > $1"
        " ON CONFLICT DO NOTHING",
        "INSERT INTO jd_sub_ev SELECT DISTINCT pm.event_id FROM person_mention_history h"
        " JOIN person_mention pm ON pm.id = h.mention_id WHERE h.id > $1 ON CONFLICT DO NOTHING",
        "INSERT INTO jd_sub_ev SELECT DISTINCT om.event_id FROM object_mention_history h"
        " JOIN object_mention om ON om.id = h.mention_id WHERE h.id > $1 ON CONFLICT DO NOTHING"};
    for (int i = 0; i < 6; i++) {
        jd_pg_params pp = {.n = 0};
        pgp_int(&pp, v[i]);
        int rc = jd_pg__do(p, fill[i], &pp, NULL, err);
        if (rc < 0)
            return rc;
    }
    return JD_OK;
}

/* The watermark since parsed into v, and the events new or changed since it
 * in the temporary table of events (fill_touched). */
static int touched_since(pgs *p, const char *since, int64_t v[7], jd_error *err)
{
    int rc = jd_store__mark_parse(since, v, err);
    if (rc < 0 || (rc = temps(p, err)) < 0)
        return rc;
    return fill_touched(p, v, err);
}

typedef struct key_ctx {
    jd_person_key_cb cb;
    void *payload;
} key_ctx;

static int key_row(const PGresult *r, void *payload)
{
    key_ctx *c = payload;
    return c->cb(jd_pg__txt(r, 0, 0), c->payload);
}

static int touched(jd_store *s, const char *since, bool diff, jd_person_key_cb cb, void *payload,
                   jd_error *err)
{
    pgs *p = s->impl;
    int64_t v[7];
    int rc = touched_since(p, since, v, err);
    if (rc < 0 || (rc = jd_pg__exec(p, "TRUNCATE jd_ref_diff", err)) < 0)
        return rc;
    if (diff && (rc = jd_pg__exec(p,
                                  "INSERT INTO jd_ref_diff SELECT ir.agency, ir.person_ref,"
                                  " i.person_id, " REF_INFO " FROM identity_ref ir"
                                  " JOIN identity i ON i.id = ir.identity_id"
                                  " LEFT JOIN analysis_ref a ON a.agency = ir.agency AND"
                                  " a.person_ref = ir.person_ref WHERE a.person_id IS NULL OR"
                                  " a.person_id <> i.person_id OR a.info <> " REF_INFO ";"
                                  "INSERT INTO jd_ref_diff SELECT a.agency, a.person_ref,"
                                  " NULL, NULL FROM analysis_ref a WHERE NOT EXISTS (SELECT 1"
                                  " FROM identity_ref ir WHERE ir.agency = a.agency AND"
                                  " ir.person_ref = a.person_ref) ON CONFLICT DO NOTHING;"
                                  "INSERT INTO jd_sub_key SELECT DISTINCT"
                                  " coalesce(d.person_id, 'U:' || d.agency || ':' || d.person_ref)"
                                  " FROM jd_ref_diff d ON CONFLICT DO NOTHING;"
                                  "INSERT INTO jd_sub_key SELECT DISTINCT a.person_id"
                                  " FROM jd_ref_diff d JOIN analysis_ref a ON a.agency = d.agency"
                                  " AND a.person_ref = d.person_ref ON CONFLICT DO NOTHING;",
                                  err)) < 0)
        return rc;
    key_ctx c = {cb, payload};
    return jd_pg__stream(p,
                         "SELECT " KEY_OF_MENTION MENTIONS_OF_SUB_EV IDENTITY_OF_PM
                         " UNION SELECT k FROM jd_sub_key",
                         NULL, key_row, &c, err);
}

typedef struct tev_ctx {
    int (*cb)(int64_t event_id, const char *event_type, const char *narrative, const char *key,
              void *payload);
    void *payload;
} tev_ctx;

static int tev_row(const PGresult *r, void *payload)
{
    tev_ctx *c = payload;
    return c->cb(jd_pg__i64(r, 0, 0), jd_pg__txt(r, 0, 1), jd_pg__txt(r, 0, 2), jd_pg__txt(r, 0, 3),
                 c->payload);
}

static int touched_events(jd_store *s, const char *since, const char *agencies,
                          int (*cb)(int64_t event_id, const char *event_type, const char *narrative,
                                    const char *key, void *payload),
                          void *payload, jd_error *err)
{
    pgs *p = s->impl;
    int64_t v[7];
    int rc = touched_since(p, since, v, err);
    if (rc < 0)
        return rc;
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, agencies ? agencies : "");
    tev_ctx c = {cb, payload};
    return jd_pg__stream(
        p,
        "SELECT ev.id, ev.event_type, ev.narrative, " KEY_OF_MENTION MENTIONS_OF_SUB_EV
            IDENTITY_OF_PM " WHERE strpos(',' || $1 || ',', ',' || ev.agency || ',') > 0"
        " AND coalesce(ev.narrative, '') <> '' ORDER BY ev.id, pm.id",
        &pp, tev_row, &c, err);
}

/* ---- the subset load ---- */

#define WIDEN                                                                                      \
    "INSERT INTO jd_sub_ref SELECT DISTINCT ir2.agency, ir2.person_ref"                            \
    " FROM jd_sub_ref r JOIN identity_ref ir ON ir.agency = r.agency AND"                          \
    " ir.person_ref = r.person_ref JOIN identity_ref ir2 ON ir2.identity_id = ir.identity_id"      \
    " ON CONFLICT DO NOTHING"
#define EVENTS_OF_REFS                                                                             \
    "INSERT INTO jd_sub_ev SELECT DISTINCT pm.event_id FROM jd_sub_ref r"                          \
    " JOIN person_mention pm ON pm.agency = r.agency AND pm.person_ref = r.person_ref"             \
    " ON CONFLICT DO NOTHING"
#define REFS_OF_EVENTS                                                                             \
    "INSERT INTO jd_sub_ref SELECT DISTINCT pm.agency, pm.person_ref" MENTIONS_OF_SUB_EV           \
    " ON CONFLICT DO NOTHING"

static int seed(pgs *p, const char *const *keys, size_t n, jd_error *err)
{
    int rc = JD_OK;
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        const char *k = keys[i];
        if (!k)
            continue;
        jd_pg_params pp = {.n = 0};
        if (!strncmp(k, "U:", 2)) {
            const char *colon = strchr(k + 2, ':');
            if (!colon)
                return jd_error_set(err, JD_EINVALID, "a person key U:agency:ref without a ref");
            char agency[128];
            size_t len = (size_t)(colon - k - 2);
            if (len >= sizeof agency)
                return jd_error_set(err, JD_EINVALID, "a person key with too long an agency");
            memcpy(agency, k + 2, len);
            agency[len] = '\0';
            pgp_text(&pp, agency);
            pgp_text(&pp, colon + 1);
            rc = jd_pg__do(p, "INSERT INTO jd_sub_ref VALUES ($1, $2) ON CONFLICT DO NOTHING", &pp,
                           NULL, err);
        } else {
            pgp_text(&pp, k);
            rc = jd_pg__do(p,
                           "INSERT INTO jd_sub_ref SELECT ir.agency, ir.person_ref"
                           " FROM identity i JOIN identity_ref ir ON ir.identity_id = i.id"
                           " WHERE i.person_id = $1 ON CONFLICT DO NOTHING",
                           &pp, NULL, err);
        }
    }
    return rc;
}

static int load_subset(jd_store *s, int64_t as_of, const char *const *keys, size_t n, int hops,
                       const jd_an_callbacks *cb, void *payload, jd_error *err)
{
    pgs *p = s->impl;
    int rc = temps(p, err);
    if (rc < 0)
        return rc;
    /* one snapshot for the walk and the four reads, as pg_analysis_load */
    bool own = !p->in_tx;
    if (own && (rc = jd_pg__exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ", err)) < 0)
        return rc;
    if ((rc = seed(p, keys, n, err)) < 0 || (rc = jd_pg__exec(p, WIDEN, err)) < 0)
        goto out;
    for (int h = 0; h < hops; h++)
        if ((rc = jd_pg__exec(p, EVENTS_OF_REFS, err)) < 0 ||
            (rc = jd_pg__exec(p, REFS_OF_EVENTS, err)) < 0 || (rc = jd_pg__exec(p, WIDEN, err)) < 0)
            goto out;
    if ((rc = jd_pg__exec(p, "TRUNCATE jd_sub_ev", err)) < 0 ||
        (rc = jd_pg__exec(p, EVENTS_OF_REFS, err)) < 0)
        goto out;
    jd_pg_an_ctx c = {cb, payload};
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, as_of);
    /* as pg_analysis_load: identities by their first ref */
    rc = jd_pg__stream(
        p,
        "SELECT i.person_id, i.display_name, i.dob, i.is_child FROM identity i"
        " JOIN (SELECT identity_id, min(agency || chr(31) || person_ref) AS k"
        " FROM identity_ref WHERE identity_id IN (SELECT ir.identity_id" MENTIONS_OF_SUB_EV
        " JOIN identity_ref ir ON ir.agency = pm.agency AND"
        " ir.person_ref = pm.person_ref) GROUP BY identity_id) f"
        " ON f.identity_id = i.id ORDER BY f.k",
        NULL, jd_pg__an_identity, &c, err);
    if (rc == JD_OK)
        rc = jd_pg__stream(p,
                           "SELECT e.id, e.agency, e.record_id, e.event_type, e.occurred_at,"
                           " e.reported_at, e.known_at, e.occurred_prec, e.location, e.postcode,"
                           " e.narrative, e.crime_ref, e.outcome, e.author_role, e.risk_grade,"
                           " e.crime_recorded FROM jd_sub_ev t JOIN event e ON e.id = t.id"
                           " WHERE e.known_at <= $1 ORDER BY e.id",
                           &pp, jd_pg__an_event, &c, err);
    if (rc == JD_OK)
        rc = jd_pg__stream(p,
                           "SELECT pm.event_id, pm.agency, pm.person_ref, pm.role, i.person_id,"
                           " pm.dob, pm.dob_prec, pm.age,"
                           " trim(coalesce(pm.forenames, '') || ' ' || coalesce(pm.surname, "
                           "''))" MENTIONS_OF_SUB_EV IDENTITY_OF_PM " ORDER BY pm.id",
                           NULL, jd_pg__an_mention, &c, err);
    if (rc == JD_OK)
        rc = jd_pg__stream(p,
                           "SELECT om.event_id, om.object_type, om.value_norm, om.description,"
                           " om.person_ref, om.value_valid FROM jd_sub_ev t"
                           " JOIN event ev ON ev.id = t.id JOIN object_mention om"
                           " ON om.agency = ev.agency AND om.record_id = ev.record_id"
                           " ORDER BY om.id",
                           NULL, jd_pg__an_object, &c, err);
out:
    if (own)
        (void)jd_pg__exec(p, rc == JD_OK ? "COMMIT" : "ROLLBACK", NULL);
    return rc;
}

/* ---- alerts of some subjects ---- */

static int subjects_fill(pgs *p, const char *const *subjects, size_t n, jd_error *err)
{
    int rc = temps(p, err);
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, subjects[i] ? subjects[i] : "");
        rc = jd_pg__do(p, "INSERT INTO jd_sub_key VALUES ($1) ON CONFLICT DO NOTHING", &pp, NULL,
                       err);
    }
    return rc;
}

typedef struct alert_ctx {
    jd_alert_row_cb cb;
    void *payload;
} alert_ctx;

static int alert_row(const PGresult *r, void *payload)
{
    alert_ctx *c = payload;
    jd_alert_row a = {jd_pg__txt(r, 0, 0), jd_pg__txt(r, 0, 1), jd_pg__txt(r, 0, 2),
                      jd_pg__txt(r, 0, 3), jd_pg__opt(r, 0, 5), jd_pg__i64(r, 0, 4)};
    return c->cb(&a, c->payload);
}

static int alerts_select(jd_store *s, const char *kind, const char *const *subjects, size_t n,
                         bool with_doc, jd_alert_row_cb cb, void *payload, jd_error *err)
{
    pgs *p = s->impl;
    int rc = JD_OK;
    if (subjects && (rc = subjects_fill(p, subjects, n, err)) < 0)
        return rc;
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT a.id, a.kind, a.level, coalesce(a.subject, ''), a.raised_at, %s FROM %s"
             " WHERE ($1::text IS NULL OR a.kind = $1) ORDER BY a.id",
             with_doc ? "a.doc" : "NULL",
             subjects ? "jd_sub_key k JOIN alert a ON a.subject = k.k" : "alert a");
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, kind);
    alert_ctx c = {cb, payload};
    return jd_pg__stream(p, sql, &pp, alert_row, &c, err);
}

static int alerts_patch(jd_store *s, const char *const *subjects, size_t n, const jd_alert_save *a,
                        size_t m, int64_t events, const char *mark, jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "alerts patched inside another transaction");
    int rc = subjects_fill(p, subjects, n, err);
    if (rc < 0 || (rc = jd_pg__begin(p, err)) < 0)
        return rc;
    PGresult *r = NULL;
    int64_t run = 0;
    /* as sqlite_incr.c: the walked persons' alerts, and those of persons who
     * are no more ("U:agency:ref" that an identity now holds, an identity
     * merged away) */
    if ((rc = jd_pg__lock(p, JD_PG_LOCK_ANALYSE, err)) < 0 ||
        (rc = jd_pg__exec(p,
                          "DELETE FROM alert WHERE kind <> 'exploitation_network' AND subject IN"
                          " (SELECT k FROM jd_sub_key);"
                          "DELETE FROM alert a WHERE kind <> 'exploitation_network' AND"
                          " subject LIKE 'U:%' AND EXISTS (SELECT 1 FROM identity_ref ir"
                          " WHERE ir.agency = split_part(a.subject, ':', 2) AND ir.person_ref ="
                          " substr(a.subject, length(split_part(a.subject, ':', 2)) + 4));"
                          "DELETE FROM alert a WHERE kind <> 'exploitation_network' AND"
                          " subject <> '' AND subject NOT LIKE 'U:%' AND NOT EXISTS"
                          " (SELECT 1 FROM identity i WHERE i.person_id = a.subject)",
                          err)) < 0)
        goto out;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, jd_pg__now());
    pgp_int(&pp, events);
    pgp_int(&pp, (int64_t)m);
    if ((rc = jd_pg__run(p,
                         "INSERT INTO analysis_run(started_at, finished_at, as_of, events, alerts)"
                         " VALUES ($1, $1, NULL, $2, $3) RETURNING id",
                         &pp, &r, err)) < 0)
        goto out;
    run = jd_pg__i64(r, 0, 0);
    PQclear(r);
    /* the networks' documents stay those of the last full run, as their
     * alerts do: moved to this run (see sqlite_incr.c) */
    pp.n = 0;
    pgp_int(&pp, run);
    rc = jd_pg__do(p,
                   "UPDATE analysis_doc SET run_id = $1 WHERE name LIKE 'net:%' AND run_id ="
                   " (SELECT max(id) FROM analysis_run WHERE id < $1 AND as_of IS NULL)"
                   " AND run_id = (SELECT max(id) FROM analysis_run WHERE id < $1)",
                   &pp, NULL, err);
    for (size_t i = 0; rc == JD_OK && i < m; i++) {
        pp.n = 0;
        pgp_text(&pp, a[i].id);
        pgp_int(&pp, run);
        pgp_text(&pp, a[i].kind);
        pgp_text(&pp, a[i].level);
        pgp_text(&pp, a[i].subject);
        pgp_int(&pp, a[i].raised_at);
        pgp_text(&pp, a[i].doc);
        rc = jd_pg__do(p,
                       "INSERT INTO alert(id, run_id, kind, level, subject, raised_at, doc)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       &pp, NULL, err);
        if (rc == JD_ECONFLICT)
            rc = jd_error_set(err, JD_ECONFLICT,
                              "incremental analysis: an alert id is stored for another subject");
    }
    if (rc == JD_OK && mark && (rc = mark_put(p, mark, err)) == JD_OK)
        rc = jd_pg__exec(p,
                         "DELETE FROM analysis_ref WHERE (agency, person_ref) IN"
                         " (SELECT agency, person_ref FROM jd_ref_diff);"
                         "INSERT INTO analysis_ref SELECT agency, person_ref, person_id, info"
                         " FROM jd_ref_diff WHERE person_id IS NOT NULL;"
                         /* the walked identities as they are now (as sqlite_incr.c) */
                         "INSERT INTO analysis_ref(agency, person_ref, person_id, info)"
                         " SELECT ir.agency, ir.person_ref, i.person_id, " REF_INFO
                         " FROM jd_sub_key k JOIN identity i ON i.person_id = k.k"
                         " JOIN identity_ref ir ON ir.identity_id = i.id"
                         " ON CONFLICT (agency, person_ref) DO UPDATE SET"
                         " person_id = excluded.person_id, info = excluded.info"
                         " WHERE analysis_ref.person_id <> excluded.person_id"
                         " OR analysis_ref.info <> excluded.info;",
                         err);
out:
    rc = jd_pg__end(p, rc, err);
    /* jd_ref_diff is emptied after the transaction: a rollback keeps it for
     * a retry, as the temporary table outlives the transaction */
    if (rc == JD_OK && mark)
        rc = jd_pg__exec(p, "TRUNCATE jd_ref_diff", err);
    return rc;
}

/* ---- the resolve watermark (as sqlite_incr.c) ---- */

#define RESOLVE_MARK_KEY "resolve_mark"

static int resolve_mark_now(jd_store *s, char *out, jd_error *err)
{
    return mark_query(s, MARK_SQL("link_decision"), out, err);
}

static int resolve_mark_get(jd_store *s, char *out, jd_error *err)
{
    return meta_or_empty(s, RESOLVE_MARK_KEY, out, err);
}

static int resolve_mark_set(jd_store *s, const char *mark, jd_error *err)
{
    return meta_put(s->impl, RESOLVE_MARK_KEY, mark, err);
}

typedef struct ref_ctx {
    jd_ref_cb cb;
    void *payload;
} ref_ctx;

static int ref_row(const PGresult *r, void *payload)
{
    ref_ctx *c = payload;
    return c->cb(jd_pg__txt(r, 0, 0), jd_pg__txt(r, 0, 1), c->payload);
}

static int refs_since(jd_store *s, const char *since, jd_ref_cb cb, void *payload,
                      jd_error *err)
{
    pgs *p = s->impl;
    int64_t v[7];
    int rc = touched_since(p, since, v, err);
    if (rc < 0)
        return rc;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, v[6]);
    ref_ctx c = {cb, payload};
    return jd_pg__stream(p,
                         "SELECT pm.agency, pm.person_ref" MENTIONS_OF_SUB_EV
                         " UNION SELECT agency_a, ref_a FROM link_decision WHERE id > $1"
                         " UNION SELECT agency_b, ref_b FROM link_decision WHERE id > $1",
                         &pp, ref_row, &c, err);
}

typedef struct idr_ctx {
    jd_identity_row_cb cb;
    void *payload;
} idr_ctx;

static int idr_row(const PGresult *r, void *payload)
{
    idr_ctx *c = payload;
    jd_identity_row row = {.person_id = jd_pg__txt(r, 0, 0),
                           .agency = jd_pg__txt(r, 0, 1),
                           .person_ref = jd_pg__txt(r, 0, 2),
                           .fp = PQgetisnull(r, 0, 3) ? 0 : jd_pg__i64(r, 0, 3),
                           .nbr = jd_pg__opt(r, 0, 4)};
    return c->cb(&row, c->payload);
}

static int identity_refs_of(jd_store *s, const char *const *agency, const char *const *ref,
                            size_t n, const char *const *person_ids, size_t np,
                            jd_identity_row_cb cb, void *payload, jd_error *err)
{
    pgs *p = s->impl;
    int rc = jd_pg__exec(p,
                         "CREATE TEMP TABLE IF NOT EXISTS jd_idr_ref(agency ctext NOT NULL,"
                         " person_ref ctext NOT NULL); TRUNCATE jd_idr_ref;"
                         "CREATE TEMP TABLE IF NOT EXISTS jd_idr_pid(person_id ctext NOT NULL);"
                         " TRUNCATE jd_idr_pid;",
                         err);
    jd_buf b = JD_BUF_INIT(SIZE_MAX), c = JD_BUF_INIT(SIZE_MAX);
    for (size_t i = 0; i < n && rc == JD_OK; i++)
        if (jd_pg__cp_str(&b, agency[i], '\t') < 0 || jd_pg__cp_str(&b, ref[i], '\n') < 0)
            rc = jd_oom(err);
    for (size_t i = 0; i < np && rc == JD_OK; i++)
        if (jd_pg__cp_str(&c, person_ids[i], '\n') < 0)
            rc = jd_oom(err);
    if (rc == JD_OK && n)
        rc = jd_pg__copy(p, "COPY jd_idr_ref(agency, person_ref) FROM STDIN", b.ptr, b.len, err);
    if (rc == JD_OK && np)
        rc = jd_pg__copy(p, "COPY jd_idr_pid(person_id) FROM STDIN", c.ptr, c.len, err);
    jd_buf_dispose(&b);
    jd_buf_dispose(&c);
    if (rc == JD_OK)
        rc = jd_pg__exec(p, "ANALYZE jd_idr_ref; ANALYZE jd_idr_pid", err);
    idr_ctx x = {cb, payload};
    return rc < 0 ? rc
                  : jd_pg__stream(p,
                                  "SELECT i.person_id, r.agency, r.person_ref, r.fp, r.nbr"
                                  " FROM (SELECT DISTINCT agency, person_ref FROM jd_idr_ref) t"
                                  " JOIN identity_ref r ON r.agency = t.agency"
                                  " AND r.person_ref = t.person_ref"
                                  " JOIN identity i ON i.id = r.identity_id"
                                  " UNION SELECT i.person_id, r.agency, r.person_ref, r.fp, r.nbr"
                                  " FROM (SELECT DISTINCT person_id FROM jd_idr_pid) q"
                                  " JOIN identity i ON i.person_id = q.person_id"
                                  " JOIN identity_ref r ON r.identity_id = i.id",
                                  NULL, idr_row, &x, err);
}

typedef struct pid_ctx {
    int (*cb)(const char *person_id, void *payload);
    void *payload;
} pid_ctx;

static int pid_row(const PGresult *r, void *payload)
{
    pid_ctx *c = payload;
    return c->cb(jd_pg__txt(r, 0, 0), c->payload);
}

/* incr_ops.h's persons_mentioned_after. */
static int persons_mentioned_after(jd_store *s, int64_t after,
                                   int (*cb)(const char *person_id, void *payload), void *payload,
                                   jd_error *err)
{
    pid_ctx c = {cb, payload};
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, after);
    return jd_pg__stream(s->impl,
                         "SELECT DISTINCT i.person_id FROM person_mention pm"
                         " JOIN identity_ref ir ON ir.agency = pm.agency"
                         " AND ir.person_ref = pm.person_ref"
                         " JOIN identity i ON i.id = ir.identity_id WHERE pm.id > $1",
                         &pp, pid_row, &c, err);
}

static int persons_changed(jd_store *s, int64_t after, int64_t upto, bool *whole,
                           int (*cb)(const char *person_id, void *payload), void *payload,
                           jd_error *err)
{
    *whole = false;
    int rc = bool_of(s->impl,
                     "SELECT (EXISTS (SELECT 1 FROM resolve_run WHERE id > $1 AND id <= $2"
                     " AND mode <> 'incremental'))::integer",
                     after, upto, whole, err);
    if (rc < 0 || *whole)
        return rc;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, after);
    pgp_int(&pp, upto);
    pid_ctx c = {cb, payload};
    return jd_pg__stream(s->impl,
                         "SELECT person_id FROM identity_change WHERE run_id > $1 AND run_id <= $2"
                         " UNION SELECT other FROM identity_change WHERE run_id > $1"
                         " AND run_id <= $2 AND other IS NOT NULL",
                         &pp, pid_row, &c, err);
}

static int identity_tally(jd_store *s, int64_t *count, int64_t *max_num, jd_error *err)
{
    PGresult *r;
    /* n from at most 18 digits, as SQLite's (sqlite_incr.c): a longer id
     * does not overflow bigint */
    int rc = jd_pg__run(s->impl,
                        "SELECT count(*), coalesce(max(substring(person_id from '^P([0-9]{1,18})')"
                        "::bigint), 0) FROM identity",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return jd_error_set(err, JD_ESTORE, "identity tally: no row");
    }
    *count = jd_pg__i64(r, 0, 0);
    *max_num = jd_pg__i64(r, 0, 1);
    PQclear(r);
    return JD_OK;
}

const struct jd_incr_ops jd_pg_incr_ops = {
    .mark_now = mark_now,
    .mark_get = mark_get,
    .mark_set = mark_set,
    .mark_resolve_run = mark_resolve_run,
    .resolve_changed = resolve_changed,
    .touched = touched,
    .touched_events = touched_events,
    .load_subset = load_subset,
    .alerts_select = alerts_select,
    .alerts_patch = alerts_patch,
    .resolve_mark_now = resolve_mark_now,
    .resolve_mark_get = resolve_mark_get,
    .resolve_mark_set = resolve_mark_set,
    .refs_since = refs_since,
    .identity_refs_of = identity_refs_of,
    .persons_changed = persons_changed,
    .identity_rows_of = jd_pg__identity_rows_of,
    .identity_tally = identity_tally,
    .mention_max = jd_pg__mention_max,
    .unresolved_rows_after = jd_pg__unresolved_rows_after,
    .persons_mentioned_after = persons_mentioned_after,
};
