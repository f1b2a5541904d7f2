/*
 * Incremental analysis on SQLite (store/incr_ops.h). Sets of ids and keys
 * live in TEMP tables of the connection (emptied at each call), so every
 * step is an indexed join: refs -> mentions by person_mention_ref, events
 * -> their mentions and objects by the (agency, record_id) prefix of their
 * unique keys, refs -> identities by identity_ref. Nothing scans a table of
 * the county.
 */
#include "store/incr_ops.h"
#include "store/sqlite_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_KEY "analysis_mark"

static int prep(sq *q, const char *sql, sqlite3_stmt **st, jd_error *err)
{
    if (sqlite3_prepare_v2(q->db, sql, -1, st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "incremental analysis");
    return JD_OK;
}

static int finish(sq *q, sqlite3_stmt *st, int rc, int r, jd_error *err)
{
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "incremental analysis");
    sqlite3_finalize(st);
    return rc;
}

static int temps(sq *q, jd_error *err)
{
    return jd_sq__exec(q,
                       "CREATE TEMP TABLE IF NOT EXISTS jd_sub_ref(agency TEXT NOT NULL,"
                       " person_ref TEXT NOT NULL, g INTEGER NOT NULL DEFAULT 0,"
                       " PRIMARY KEY(agency, person_ref)) WITHOUT ROWID;"
                       "CREATE TEMP TABLE IF NOT EXISTS jd_sub_ev(id INTEGER PRIMARY KEY,"
                       " g INTEGER NOT NULL DEFAULT 0);"
                       "CREATE TEMP TABLE IF NOT EXISTS jd_sub_pm(id INTEGER PRIMARY KEY,"
                       " identity_id INTEGER);"
                       "CREATE TEMP TABLE IF NOT EXISTS jd_sub_key(k TEXT PRIMARY KEY)"
                       " WITHOUT ROWID;"
                       "CREATE TEMP TABLE IF NOT EXISTS jd_ref_diff(agency TEXT NOT NULL,"
                       " person_ref TEXT NOT NULL, person_id TEXT, info TEXT,"
                       " PRIMARY KEY(agency, person_ref)) WITHOUT ROWID;"
                       "DELETE FROM temp.jd_sub_ref; DELETE FROM temp.jd_sub_ev;"
                       " DELETE FROM temp.jd_sub_pm; DELETE FROM temp.jd_sub_key;",
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

static int mark_query(jd_store *s, const char *sql, const char *what, char *out, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = prep(q, sql, &st, err);
    if (rc < 0)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        snprintf(out, JD_MARK_MAX, "%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
                                   ",%" PRId64 ",%" PRId64,
                 (int64_t)sqlite3_column_int64(st, 0), (int64_t)sqlite3_column_int64(st, 1),
                 (int64_t)sqlite3_column_int64(st, 2), (int64_t)sqlite3_column_int64(st, 3),
                 (int64_t)sqlite3_column_int64(st, 4), (int64_t)sqlite3_column_int64(st, 5),
                 (int64_t)sqlite3_column_int64(st, 6));
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? JD_OK : jd_sq__err(q, err, what);
}

static int mark_now(jd_store *s, char *out, jd_error *err)
{
    return mark_query(s, MARK_SQL("resolve_run"), "watermark", out, err);
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
static int meta_put(sq *q, const char *key, const char *value, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", &st, err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, key);
    jd_sq__bind_text(st, 2, value);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, key);
}

static int mark_put(sq *q, const char *mark, jd_error *err)
{
    return meta_put(q, MARK_KEY, mark, err);
}

#define REF_INFO "coalesce(i.dob, '') || '|' || i.is_child || '|' || coalesce(i.display_name, '')"

/* After a full analysis: the watermark, and every resolved ref as it saw
 * them (analysis_ref), in one transaction. The refs are written in
 * analysis_ref's key order (identity_ref's own, read without its
 * identity_id index): in the index's order every row was a random insert
 * into the key, twice the CPU and the pages written (1M-event county: 1.77
 * s -> 0.83 s user). */
static int mark_set(jd_store *s, const char *mark, jd_error *err)
{
    sq *q = s->impl;
    if (q->in_tx)
        return jd_error_set(err, JD_EINVALID, "watermark set inside another transaction");
    int rc = jd_sq__exec(q, "BEGIN IMMEDIATE", err);
    if (rc < 0)
        return rc;
    if ((rc = mark_put(q, mark, err)) < 0 ||
        (rc = jd_sq__exec(q,
                          "DELETE FROM analysis_ref;"
                          "INSERT INTO analysis_ref(agency, person_ref, person_id, info)"
                          " SELECT ir.agency, ir.person_ref, i.person_id, " REF_INFO
                          " FROM identity_ref ir JOIN identity i ON i.id = ir.identity_id"
                          " ORDER BY ir.agency, ir.person_ref",
                          err)) < 0) {
        (void)jd_sq__exec(q, "ROLLBACK", NULL);
        return rc;
    }
    return jd_sq__exec(q, "COMMIT", err);
}

static int mark_resolve_run(jd_store *s, int64_t *out, jd_error *err)
{
    char m[JD_MARK_MAX];
    *out = 0;
    int rc = mark_get(s, m, err);
    return rc < 0 ? rc : jd_store__mark_run(m, out, err);
}

/* *out = the boolean the one-row query sql gives for ?1 = a, ?2 = b. */
static int bool_of(sq *q, const char *sql, int64_t a, int64_t b, bool *out, const char *what,
                   jd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, sql, &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? JD_OK : jd_sq__err(q, err, what);
}

static int resolve_changed(jd_store *s, int64_t after, int64_t upto, bool *out, jd_error *err)
{
    /* a range on identity_change_run (was: the latest change at or before
     * upto found from the end of the table, which the index would turn
     * into a sort of every change) */
    return bool_of(s->impl,
                   "SELECT EXISTS (SELECT 1 FROM resolve_run WHERE id > ?1 AND id <= ?2 AND"
                   " mode <> 'incremental') OR EXISTS (SELECT 1 FROM identity_change"
                   " WHERE run_id > ?1 AND run_id <= ?2)",
                   after, upto, out, "resolve runs", err);
}

/* ---- what changed ---- */

#define KEY_OF_MENTION                                                                             \
    "coalesce(i.person_id, 'U:' || pm.agency || ':' || pm.person_ref)"
#define MENTIONS_OF_SUB_EV                                                                         \
    " FROM temp.jd_sub_ev t CROSS JOIN event ev ON ev.id = t.id"                                   \
    " CROSS JOIN person_mention pm ON pm.agency = ev.agency AND pm.record_id = ev.record_id"
#define IDENTITY_OF_PM                                                                             \
    " LEFT JOIN identity_ref ir ON ir.agency = pm.agency AND ir.person_ref = pm.person_ref"        \
    " LEFT JOIN identity i ON i.id = ir.identity_id"

/* temp.jd_sub_ev: the events new or changed since the watermark v. */
static int fill_touched(sq *q, const int64_t v[7], jd_error *err)
{
    int rc;
    static const char *const fill[6] = {
        "INSERT OR IGNORE INTO temp.jd_sub_ev(id) SELECT id FROM event WHERE id > ?1",
        "INSERT OR IGNORE INTO temp.jd_sub_ev(id) SELECT event_id FROM person_mention WHERE id > ?1",
        "INSERT OR IGNORE INTO temp.jd_sub_ev(id) SELECT event_id FROM object_mention WHERE id > ?1",
        "INSERT OR IGNORE INTO temp.jd_sub_ev(id) SELECT event_id FROM event_history WHERE id > ?1",
        "INSERT OR IGNORE INTO temp.jd_sub_ev(id) SELECT pm.event_id FROM person_mention_history h"
        " JOIN person_mention pm ON pm.id = h.mention_id WHERE h.id > ?1",
        "INSERT OR IGNORE INTO temp.jd_sub_ev(id) SELECT om.event_id FROM object_mention_history h"
        " JOIN object_mention om ON om.id = h.mention_id WHERE h.id > ?1"};
    sqlite3_stmt *st = NULL;
    for (int i = 0; i < 6; i++) {
        if ((rc = prep(q, fill[i], &st, err)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, v[i]);
        int r = sqlite3_step(st);
        if ((rc = finish(q, st, JD_OK, r, err)) < 0)
            return rc;
    }
    return JD_OK;
}

/* The watermark since parsed into v, and the events new or changed since it
 * in the temporary table of events (fill_touched). */
static int touched_since(sq *q, const char *since, int64_t v[7], jd_error *err)
{
    int rc = jd_store__mark_parse(since, v, err);
    if (rc < 0 || (rc = temps(q, err)) < 0)
        return rc;
    return fill_touched(q, v, err);
}

static int touched(jd_store *s, const char *since, bool diff, jd_person_key_cb cb,
                   void *payload, jd_error *err)
{
    sq *q = s->impl;
    int64_t v[7];
    int rc = touched_since(q, since, v, err);
    if (rc < 0 || (rc = jd_sq__exec(q, "DELETE FROM temp.jd_ref_diff", err)) < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    /* refs whose person, or whose person's date of birth, child flag or
     * name, differ from what the last analysis saw (kept in jd_ref_diff for
     * alerts_patch), and both persons of each */
    if (diff && (rc = jd_sq__exec(q,
                                  "INSERT INTO temp.jd_ref_diff SELECT ir.agency, ir.person_ref,"
                          " i.person_id, " REF_INFO " FROM identity_ref ir"
                          " JOIN identity i ON i.id = ir.identity_id"
                          " LEFT JOIN analysis_ref a ON a.agency = ir.agency AND"
                          " a.person_ref = ir.person_ref WHERE a.person_id IS NULL OR"
                          " a.person_id <> i.person_id OR a.info <> " REF_INFO ";"
                          "INSERT OR IGNORE INTO temp.jd_ref_diff SELECT a.agency, a.person_ref,"
                          " NULL, NULL FROM analysis_ref a WHERE NOT EXISTS (SELECT 1"
                          " FROM identity_ref ir WHERE ir.agency = a.agency AND"
                          " ir.person_ref = a.person_ref);"
                          "INSERT OR IGNORE INTO temp.jd_sub_key SELECT"
                          " coalesce(d.person_id, 'U:' || d.agency || ':' || d.person_ref)"
                          " FROM temp.jd_ref_diff d;"
                          "INSERT OR IGNORE INTO temp.jd_sub_key SELECT a.person_id"
                          " FROM temp.jd_ref_diff d JOIN analysis_ref a ON a.agency = d.agency"
                          " AND a.person_ref = d.person_ref;",
                          err)) < 0)
        return rc;
    if ((rc = prep(q,
                   "SELECT " KEY_OF_MENTION MENTIONS_OF_SUB_EV IDENTITY_OF_PM
                   " UNION SELECT k FROM temp.jd_sub_key",
                   &st, err)) < 0)
        return rc;
    int r;
    rc = JD_OK;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = cb(jd_sq__col_text(st, 0), payload)) != 0)
            break;
    return finish(q, st, rc, r, err);
}

static int touched_events(jd_store *s, const char *since, const char *agencies,
                          int (*cb)(int64_t event_id, const char *event_type,
                                    const char *narrative, const char *key, void *payload),
                          void *payload, jd_error *err)
{
    sq *q = s->impl;
    int64_t v[7];
    int rc = touched_since(q, since, v, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = prep(q,
                   "SELECT ev.id, ev.event_type, ev.narrative, " KEY_OF_MENTION
                   MENTIONS_OF_SUB_EV IDENTITY_OF_PM
                   " WHERE instr(',' || ?1 || ',', ',' || ev.agency || ',') > 0"
                   " AND coalesce(ev.narrative, '') <> '' ORDER BY ev.id, pm.id",
                   &st, err)) < 0)
        return rc;
    jd_sq__bind_text(st, 1, agencies ? agencies : "");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = cb(sqlite3_column_int64(st, 0), jd_sq__col_text(st, 1),
                     jd_sq__col_text(st, 2), jd_sq__col_text(st, 3), payload)) != 0)
            break;
    return finish(q, st, rc, r, err);
}

/* ---- the subset load ---- */

/* The subset grows by steps, each over the rows the steps before it added
 * and it has not yet seen (rows carry the step that added them, g): the
 * sets are those of each step over every row (as before the fourteenth
 * session), without walking the county's tables again for the rows an
 * earlier step already took. */
typedef struct grow {
    int64_t step;                  /* the last step's number */
    int64_t widened, evented, refd; /* each kind of step: rows from this step on are new to it */
} grow;

/* One step: sql over the rows of step *from and later (?1), its rows marked
 * with the new step's number (?2); *from moves past it. */
static int step_done(sq *q, grow *G, int64_t *from, const char *sql, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, sql, &st, err);
    if (rc < 0)
        return rc;
    G->step++;
    sqlite3_bind_int64(st, 1, *from);
    sqlite3_bind_int64(st, 2, G->step);
    int r = sqlite3_step(st);
    *from = G->step + 1;
    return finish(q, st, JD_OK, r, err);
}

/* Every ref of an identity that holds one of the refs (a widened ref's
 * identity holds only refs the same step adds). */
#define WIDEN                                                                                      \
    "INSERT OR IGNORE INTO temp.jd_sub_ref SELECT ir2.agency, ir2.person_ref, ?2"                  \
    " FROM temp.jd_sub_ref r CROSS JOIN identity_ref ir ON ir.agency = r.agency AND"               \
    " ir.person_ref = r.person_ref CROSS JOIN identity_ref ir2 ON ir2.identity_id = ir.identity_id" \
    " WHERE r.g >= ?1"
#define EVENTS_OF_REFS                                                                             \
    "INSERT OR IGNORE INTO temp.jd_sub_ev SELECT pm.event_id, ?2 FROM temp.jd_sub_ref r"           \
    " CROSS JOIN person_mention pm ON pm.agency = r.agency AND pm.person_ref = r.person_ref"       \
    " WHERE r.g >= ?1"
#define REFS_OF_EVENTS                                                                             \
    "INSERT OR IGNORE INTO temp.jd_sub_ref SELECT pm.agency, pm.person_ref, ?2" MENTIONS_OF_SUB_EV \
    " WHERE t.g >= ?1"

static int seed(sq *q, const char *const *keys, size_t n, jd_error *err)
{
    sqlite3_stmt *u = NULL, *p = NULL;
    int rc = prep(q, "INSERT OR IGNORE INTO temp.jd_sub_ref(agency, person_ref) VALUES (?1, ?2)",
                  &u, err);
    if (rc == JD_OK)
        rc = prep(q,
                  "INSERT OR IGNORE INTO temp.jd_sub_ref(agency, person_ref) SELECT ir.agency,"
                  " ir.person_ref FROM identity i JOIN identity_ref ir"
                  " ON ir.identity_id = i.id WHERE i.person_id = ?1",
                  &p, err);
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        const char *k = keys[i];
        sqlite3_stmt *st = p;
        if (!k)
            continue;
        if (!strncmp(k, "U:", 2)) {
            const char *colon = strchr(k + 2, ':');
            if (!colon) {
                rc = jd_error_set(err, JD_EINVALID, "a person key U:agency:ref without a ref");
                break;
            }
            st = u;
            sqlite3_reset(u);
            sqlite3_bind_text(u, 1, k + 2, (int)(colon - k - 2), SQLITE_STATIC);
            sqlite3_bind_text(u, 2, colon + 1, -1, SQLITE_STATIC);
        } else {
            sqlite3_reset(p);
            jd_sq__bind_text(p, 1, k);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "incremental analysis");
    }
    sqlite3_finalize(u);
    sqlite3_finalize(p);
    return rc;
}

static int subset_rows(sq *q, int64_t as_of, const char *const *keys, size_t n, int hops,
                       const jd_an_callbacks *cb, void *payload, jd_error *err)
{
    grow G = {0, 0, 0, 0}; /* the seed's rows are step 0 */
    int rc = temps(q, err);
    if (rc < 0 || (rc = seed(q, keys, n, err)) < 0 ||
        (rc = step_done(q, &G, &G.widened, WIDEN, err)) < 0)
        return rc;
    for (int h = 0; h < hops; h++)
        if ((rc = step_done(q, &G, &G.evented, EVENTS_OF_REFS, err)) < 0 ||
            (rc = step_done(q, &G, &G.refd, REFS_OF_EVENTS, err)) < 0 ||
            (rc = step_done(q, &G, &G.widened, WIDEN, err)) < 0)
            return rc;
    /* the events of every ref: those of the refs the last hop added (the
     * others' are in already; each event of jd_sub_ev is one of a ref's) */
    if ((rc = step_done(q, &G, &G.evented, EVENTS_OF_REFS, err)) < 0)
        return rc;
    /* the subset's mentions with their identities, once (temp.jd_sub_pm,
     * by mention id): the identities' query and the mentions' read it
     * instead of each joining event, person_mention and identity_ref per
     * mention, and the mentions' needs no sort */
    if ((rc = jd_sq__exec(q,
                          "INSERT INTO temp.jd_sub_pm SELECT pm.id, ir.identity_id"
                          MENTIONS_OF_SUB_EV
                          " LEFT JOIN identity_ref ir ON ir.agency = pm.agency AND"
                          " ir.person_ref = pm.person_ref",
                          err)) < 0)
        return rc;
    /* as analysis_load (sqlite.c): identities by their first ref */
    sqlite3_stmt *st = NULL;
    int r = SQLITE_DONE;
    if ((rc = prep(q,
                   "SELECT i.person_id, i.display_name, i.dob, i.is_child FROM identity i"
                   " JOIN (SELECT identity_id, min(agency || char(31) || person_ref) AS k"
                   " FROM identity_ref WHERE identity_id IN (SELECT identity_id"
                   " FROM temp.jd_sub_pm) GROUP BY identity_id) f"
                   " ON f.identity_id = i.id ORDER BY f.k",
                   &st, err)) < 0)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_an_identity_row row = {jd_sq__col_text(st, 0), jd_sq__opt_text(st, 1),
                                  jd_sq__opt_text(st, 2), sqlite3_column_int(st, 3) != 0};
        if ((rc = cb->identity(&row, payload)) != 0)
            break;
    }
    if ((rc = finish(q, st, rc, r, err)) != 0)
        return rc;
    if ((rc = prep(q,
                   "SELECT e.id, e.agency, e.record_id, e.event_type, e.occurred_at,"
                   " e.reported_at, e.known_at, e.occurred_prec, e.location, e.postcode,"
                   " e.narrative, e.crime_ref, e.outcome, e.author_role, e.risk_grade,"
                   " e.crime_recorded FROM temp.jd_sub_ev t CROSS JOIN event e ON e.id = t.id"
                   " WHERE e.known_at <= ?1 ORDER BY e.id",
                   &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, as_of);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_an_event_row e = jd_sq__an_event(st);
        if ((rc = cb->event(&e, payload)) != 0)
            break;
    }
    if ((rc = finish(q, st, rc, r, err)) != 0)
        return rc;
    /* mentions in row id order, as the full load's scan gives them */
    if ((rc = prep(q,
                   "SELECT pm.event_id, pm.agency, pm.person_ref, pm.role, i.person_id,"
                   " pm.dob, pm.dob_prec, pm.age,"
                   " trim(coalesce(pm.forenames, '') || ' ' || coalesce(pm.surname, ''))"
                   " FROM temp.jd_sub_pm t CROSS JOIN person_mention pm ON pm.id = t.id"
                   " LEFT JOIN identity i ON i.id = t.identity_id ORDER BY t.id",
                   &st, err)) < 0)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_an_mention_row m = jd_sq__an_mention(st);
        if ((rc = cb->mention(&m, payload)) != 0)
            break;
    }
    if ((rc = finish(q, st, rc, r, err)) != 0)
        return rc;
    if ((rc = prep(q,
                   "SELECT om.event_id, om.object_type, om.value_norm, om.description,"
                   " om.person_ref, om.value_valid FROM temp.jd_sub_ev t"
                   " CROSS JOIN event ev ON ev.id = t.id CROSS JOIN object_mention om"
                   " ON om.agency = ev.agency AND om.record_id = ev.record_id ORDER BY om.id",
                   &st, err)) < 0)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_an_object_row o = jd_sq__an_object(st);
        if ((rc = cb->object(&o, payload)) != 0)
            break;
    }
    return finish(q, st, rc, r, err);
}

/* The subset's rows are tens of thousands of indexed lookups scattered over
 * the county's tables: read through a memory map while it loads (a read()
 * of each page the cache does not hold was half the load's CPU, in the
 * kernel's copy), unmapped after it, so that the pages stay out of the
 * process's RSS between feeds. The map is capped (q->subset_mmap: 256 MiB
 * unless set, jd_sq__subset_mmap; it was SQLite's maximum, 2 GiB, per
 * feed): the pages past it are read as before. */
static int load_subset(jd_store *s, int64_t as_of, const char *const *keys, size_t n, int hops,
                       const jd_an_callbacks *cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA mmap_size = %lld", (long long)q->subset_mmap);
    /* a store the map cannot serve (a build without it) reads as before */
    if (q->subset_mmap > 0)
        (void)jd_sq__exec(q, sql, NULL);
    int rc = subset_rows(q, as_of, keys, n, hops, cb, payload, err);
    int r2 = q->subset_mmap > 0 ? jd_sq__exec(q, "PRAGMA mmap_size = 0", rc < 0 ? NULL : err) : 0;
    return rc < 0 ? rc : r2;
}

/* ---- alerts of some subjects ---- */

static int subjects_fill(sq *q, const char *const *subjects, size_t n, jd_error *err)
{
    int rc = temps(q, err);
    sqlite3_stmt *st = NULL;
    if (rc < 0 || (rc = prep(q, "INSERT OR IGNORE INTO temp.jd_sub_key VALUES (?1)", &st, err)) < 0)
        return rc;
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        sqlite3_reset(st);
        jd_sq__bind_text(st, 1, subjects[i] ? subjects[i] : "");
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "incremental analysis");
    }
    sqlite3_finalize(st);
    return rc;
}

static int alerts_select(jd_store *s, const char *kind, const char *const *subjects, size_t n,
                         bool with_doc, jd_alert_row_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    int rc = JD_OK;
    if (subjects && (rc = subjects_fill(q, subjects, n, err)) < 0)
        return rc;
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT a.id, a.kind, a.level, coalesce(a.subject, ''), a.raised_at, %s FROM %s"
             " WHERE (?1 IS NULL OR a.kind = ?1) ORDER BY a.id",
             with_doc ? "a.doc" : "NULL",
             subjects ? "temp.jd_sub_key k CROSS JOIN alert a ON a.subject = k.k" : "alert a");
    sqlite3_stmt *st = NULL;
    if ((rc = prep(q, sql, &st, err)) < 0)
        return rc;
    jd_sq__bind_text(st, 1, kind);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_alert_row a = {jd_sq__col_text(st, 0), jd_sq__col_text(st, 1), jd_sq__col_text(st, 2),
                          jd_sq__col_text(st, 3), jd_sq__opt_text(st, 5),
                          sqlite3_column_int64(st, 4)};
        if ((rc = cb(&a, payload)) != 0)
            break;
    }
    return finish(q, st, rc, r, err);
}

/* The networks' documents (graph, hotspots, profiles) stay those of the
 * last full run, as their alerts do: of the run before run (current or
 * behind), they move to run, so readers still serve them (behind: ingested
 * since) rather than build the graph again per request. */
static int net_docs_follow(sq *q, int64_t run, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q,
                  "UPDATE analysis_doc SET run_id = ?1 WHERE name LIKE 'net:%' AND run_id ="
                  " (SELECT max(id) FROM analysis_run WHERE id < ?1 AND as_of IS NULL)"
                  " AND run_id = (SELECT max(id) FROM analysis_run WHERE id < ?1)",
                  &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, run);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = jd_sq__err(q, err, "analysis documents");
    sqlite3_finalize(st);
    return rc;
}

static int alerts_patch(jd_store *s, const char *const *subjects, size_t n,
                        const jd_alert_save *a, size_t m, int64_t events, const char *mark,
                        jd_error *err)
{
    sq *q = s->impl;
    if (q->in_tx)
        return jd_error_set(err, JD_EINVALID, "alerts patched inside another transaction");
    int rc = subjects_fill(q, subjects, n, err);
    if (rc < 0 || (rc = jd_sq__exec(q, "BEGIN IMMEDIATE", err)) < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    int64_t run = 0;
    /* the walked persons' alerts, and those of persons who are no more: a
     * ref met alone ("U:agency:ref") that an identity now holds, an
     * identity that resolve merged away */
    if ((rc = jd_sq__exec(q,
                          "DELETE FROM alert WHERE kind <> 'exploitation_network' AND subject IN"
                          " (SELECT k FROM temp.jd_sub_key);"
                          "DELETE FROM alert WHERE kind <> 'exploitation_network' AND"
                          " subject LIKE 'U:%' AND EXISTS (SELECT 1 FROM identity_ref ir"
                          " WHERE ir.agency = substr(subject, 3, instr(substr(subject, 3), ':') - 1)"
                          " AND ir.person_ref = substr(subject, 3 + instr(substr(subject, 3), ':')));"
                          "DELETE FROM alert WHERE kind <> 'exploitation_network' AND"
                          " subject <> '' AND subject NOT LIKE 'U:%' AND NOT EXISTS"
                          " (SELECT 1 FROM identity i WHERE i.person_id = subject)",
                          err)) < 0 ||
        (rc = prep(q,
                   "INSERT INTO analysis_run(started_at, finished_at, as_of, events, alerts)"
                   " VALUES (?1, ?1, NULL, ?2, ?3)",
                   &st, err)) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, jd_sq__now());
    sqlite3_bind_int64(st, 2, events);
    sqlite3_bind_int64(st, 3, (int64_t)m);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = jd_sq__err(q, err, "alerts");
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    run = sqlite3_last_insert_rowid(q->db);
    if ((rc = net_docs_follow(q, run, err)) < 0)
        goto fail;
    if ((rc = prep(q,
                   "INSERT INTO alert(id, run_id, kind, level, subject, raised_at, doc)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                   &st, err)) < 0)
        goto fail;
    for (size_t i = 0; i < m; i++) {
        sqlite3_reset(st);
        jd_sq__bind_alert(st, run, &a[i]);
        int r = sqlite3_step(st);
        if ((r & 0xff) == SQLITE_CONSTRAINT) {
            rc = jd_error_set(err, JD_ECONFLICT,
                              "incremental analysis: an alert id is stored for another subject");
            goto fail;
        }
        if (r != SQLITE_DONE) {
            rc = jd_sq__err(q, err, "alerts");
            goto fail;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (mark && ((rc = mark_put(q, mark, err)) < 0 ||
                 (rc = jd_sq__exec(q,
                                   "DELETE FROM analysis_ref WHERE (agency, person_ref) IN"
                                   " (SELECT agency, person_ref FROM temp.jd_ref_diff);"
                                   "INSERT INTO analysis_ref SELECT agency, person_ref,"
                                   " person_id, info FROM temp.jd_ref_diff"
                                   " WHERE person_id IS NOT NULL;"
                                   "DELETE FROM temp.jd_ref_diff;"
                                   /* the walked identities as they are now: what a
                                    * run told the changes (identities_known) saw;
                                    * only the rows that differ are written (was
                                    * INSERT OR REPLACE: every walked ref's row
                                    * deleted and inserted again, most unchanged) */
                                   "INSERT INTO analysis_ref(agency, person_ref,"
                                   " person_id, info) SELECT ir.agency, ir.person_ref,"
                                   " i.person_id, " REF_INFO " FROM temp.jd_sub_key k"
                                   " CROSS JOIN identity i ON i.person_id = k.k"
                                   " CROSS JOIN identity_ref ir ON ir.identity_id = i.id"
                                   " WHERE true ON CONFLICT (agency, person_ref) DO UPDATE"
                                   " SET person_id = excluded.person_id, info = excluded.info"
                                   " WHERE person_id <> excluded.person_id"
                                   " OR info <> excluded.info;",
                                   err)) < 0))
        goto fail;
    return jd_sq__exec(q, "COMMIT", err);
fail:
    sqlite3_finalize(st);
    (void)jd_sq__exec(q, "ROLLBACK", NULL);
    return rc;
}

/* ---- the resolve watermark ---- */

#define RESOLVE_MARK_KEY "resolve_mark"

static int resolve_mark_now(jd_store *s, char *out, jd_error *err)
{
    return mark_query(s, MARK_SQL("link_decision"), "resolve watermark", out, err);
}

static int resolve_mark_get(jd_store *s, char *out, jd_error *err)
{
    return meta_or_empty(s, RESOLVE_MARK_KEY, out, err);
}

static int resolve_mark_set(jd_store *s, const char *mark, jd_error *err)
{
    return meta_put(s->impl, RESOLVE_MARK_KEY, mark, err);
}

static int refs_since(jd_store *s, const char *since, jd_ref_cb cb, void *payload,
                      jd_error *err)
{
    sq *q = s->impl;
    int64_t v[7];
    int rc = touched_since(q, since, v, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = prep(q,
                   "SELECT pm.agency, pm.person_ref" MENTIONS_OF_SUB_EV
                   " UNION SELECT agency_a, ref_a FROM link_decision WHERE id > ?1"
                   " UNION SELECT agency_b, ref_b FROM link_decision WHERE id > ?1",
                   &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, v[6]);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = cb(jd_sq__col_text(st, 0), jd_sq__col_text(st, 1), payload)) != 0)
            break;
    return finish(q, st, rc, r, err);
}

static int identity_refs_of(jd_store *s, const char *const *agency, const char *const *ref,
                            size_t n, const char *const *person_ids, size_t np,
                            jd_identity_row_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    int rc = jd_sq__exec(q,
                         "CREATE TEMP TABLE IF NOT EXISTS jd_idr_ref(agency TEXT NOT NULL,"
                         " person_ref TEXT NOT NULL, PRIMARY KEY(agency, person_ref))"
                         " WITHOUT ROWID; DELETE FROM temp.jd_idr_ref;"
                         "CREATE TEMP TABLE IF NOT EXISTS jd_idr_pid(person_id TEXT PRIMARY KEY)"
                         " WITHOUT ROWID; DELETE FROM temp.jd_idr_pid;",
                         err);
    sqlite3_stmt *st = NULL;
    if (rc == JD_OK)
        rc = jd_sq__fill(q, "INSERT OR IGNORE INTO temp.jd_idr_ref VALUES (?1, ?2)", agency, ref, n,
                         "identity refs of refs", err);
    if (rc == JD_OK)
        rc = jd_sq__fill(q, "INSERT OR IGNORE INTO temp.jd_idr_pid VALUES (?1)", person_ids, NULL, np,
                         "identity refs of refs", err);
    if (rc < 0 ||
        (rc = prep(q,
                   "SELECT i.person_id, r.agency, r.person_ref, r.fp, r.nbr FROM temp.jd_idr_ref t"
                   " CROSS JOIN identity_ref r ON r.agency = t.agency AND r.person_ref ="
                   " t.person_ref JOIN identity i ON i.id = r.identity_id"
                   " UNION SELECT i.person_id, r.agency, r.person_ref, r.fp, r.nbr"
                   " FROM temp.jd_idr_pid p CROSS JOIN identity i ON i.person_id = p.person_id"
                   " CROSS JOIN identity_ref r ON r.identity_id = i.id",
                   &st, err)) < 0)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_identity_row row = {.person_id = jd_sq__col_text(st, 0),
                               .agency = jd_sq__col_text(st, 1),
                               .person_ref = jd_sq__col_text(st, 2),
                               .fp = sqlite3_column_int64(st, 3),
                               .nbr = (const char *)sqlite3_column_text(st, 4)};
        if ((rc = cb(&row, payload)) != 0)
            break;
    }
    return finish(q, st, rc, r, err);
}

static int persons_changed(jd_store *s, int64_t after, int64_t upto, bool *whole,
                           int (*cb)(const char *person_id, void *payload), void *payload,
                           jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    *whole = false;
    int rc = bool_of(q,
                     "SELECT EXISTS (SELECT 1 FROM resolve_run WHERE id > ?1 AND id <= ?2"
                     " AND mode <> 'incremental')",
                     after, upto, whole, "persons changed", err);
    if (rc < 0 || *whole)
        return rc;
    int r;
    if ((rc = prep(q,
                   "SELECT person_id FROM identity_change WHERE run_id > ?1 AND run_id <= ?2"
                   " UNION SELECT other FROM identity_change WHERE run_id > ?1 AND run_id <= ?2"
                   " AND other IS NOT NULL",
                   &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, upto);
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = cb(jd_sq__col_text(st, 0), payload)) != 0)
            break;
    return finish(q, st, rc, r, err);
}

static int identity_tally(jd_store *s, int64_t *count, int64_t *max_num, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    /* n from at most 18 digits, as PostgreSQL's (pg_incr.c): a longer id
     * neither overflows nor reads as INT64_MAX */
    int rc = prep(q,
                  "SELECT count(*), coalesce(max(CASE WHEN person_id GLOB 'P[0-9]*'"
                  " THEN CAST(substr(person_id, 2, 18) AS INTEGER) END), 0) FROM identity",
                  &st, err);
    if (rc < 0)
        return rc;
    int r = sqlite3_step(st);
    int64_t n = 0, mx = 0;
    if (r == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
        mx = sqlite3_column_int64(st, 1);
    }
    rc = finish(q, st, JD_OK, r == SQLITE_ROW ? SQLITE_DONE : r, err);
    if (rc == JD_OK) {
        *count = n;
        *max_num = mx;
    }
    return rc;
}

const struct jd_incr_ops jd_sqlite_incr_ops = {
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
    .identity_rows_of = jd_sq__identity_rows_of,
    .identity_tally = identity_tally,
    .mention_max = jd_sq__mention_max,
    .unresolved_rows_after = jd_sq__unresolved_rows_after,
    .persons_mentioned_after = jd_sq__persons_mentioned_after,
};
