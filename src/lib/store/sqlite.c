/*
 * SQLite backend of the store: the embedded default.
 *
 * The database runs in WAL mode with foreign keys on and synchronous=NORMAL:
 * a killed process never corrupts it and loses at most an uncommitted
 * transaction. All writes of one ingest happen in one transaction (begin ..
 * commit), so a failed or killed run leaves the store as it was.
 *
 * Statements used per row are prepared once and kept in `struct sq`. Upserts
 * take the fast path first (INSERT .. ON CONFLICT DO NOTHING); only when the
 * key already exists is the stored content hash compared, and a changed row
 * copies the old version to the *_history table before it is updated.
 */
#include "store/schema.h"
#include <joindots/chronology.h>
#include "store/store.h"
#include "store/sqlite_internal.h"
#include "util/internal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>



static const char *const stmt_sql[ST_COUNT] = {
    [ST_EV_INSERT] =
        "INSERT INTO event(agency, record_id, hash, event_type, event_type_raw, occurred_at,"
        " occurred_prec, reported_at, reported_prec, known_at, location_id, location, postcode,"
        " postcode_raw, narrative, crime_recorded, crime_ref, outcome, author_role, risk_grade,"
        " file_id, line) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,"
        "?19,?20,?21,?22) ON CONFLICT(agency, record_id) DO NOTHING",
    [ST_EV_LOOKUP] = "SELECT id, hash, file_id, line FROM event WHERE agency = ?1 AND record_id = ?2",
    [ST_EV_HISTORY] =
        "INSERT INTO event_history(event_id, superseded_at, superseded_by_file, agency,"
        " record_id, version, hash, event_type, event_type_raw, occurred_at, occurred_prec,"
        " reported_at, reported_prec, known_at, location_id, location, postcode, postcode_raw,"
        " narrative, crime_recorded, crime_ref, outcome, author_role, risk_grade, file_id, line)"
        " SELECT id, ?2, ?3, agency, record_id, version, hash, event_type, event_type_raw,"
        " occurred_at, occurred_prec, reported_at, reported_prec, known_at, location_id,"
        " location, postcode, postcode_raw, narrative, crime_recorded, crime_ref, outcome,"
        " author_role, risk_grade, file_id, line FROM event WHERE id = ?1",
    [ST_EV_UPDATE] =
        "UPDATE event SET version = version + 1, hash = ?3, event_type = ?4, event_type_raw = ?5,"
        " occurred_at = ?6, occurred_prec = ?7, reported_at = ?8, reported_prec = ?9,"
        " known_at = ?10, location_id = ?11, location = ?12, postcode = ?13, postcode_raw = ?14,"
        " narrative = ?15, crime_recorded = ?16, crime_ref = ?17, outcome = ?18,"
        " author_role = ?19, risk_grade = ?20, file_id = ?21, line = ?22 WHERE id = ?23",
    [ST_EV_ID] = "SELECT id, occurred_at FROM event WHERE agency = ?1 AND record_id = ?2",
    [ST_LOC_INSERT] = "INSERT INTO location(postcode, text, key) VALUES (?1, ?2, ?3)"
                      " ON CONFLICT(key) DO NOTHING",
    [ST_LOC_LOOKUP] = "SELECT id FROM location WHERE key = ?1",
    [ST_PM_INSERT] =
        "INSERT INTO person_mention(event_id, agency, record_id, person_ref, role, hash,"
        " surname, forenames, known_as, dob, dob_prec, age, gender, gender_raw, address,"
        " postcode, postcode_raw, phone, phone_raw, nhs_number, upn, ethnicity, file_id, line,"
        " other_id) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,"
        "?20,?21,?22,?23,?24,?26) ON CONFLICT(agency, record_id, person_ref, role) DO NOTHING",
    [ST_PM_LOOKUP] = "SELECT id, hash, file_id, line FROM person_mention WHERE agency = ?1"
                     " AND record_id = ?2"
                     " AND person_ref = ?3 AND role = ?4",
    [ST_PM_HISTORY] =
        "INSERT INTO person_mention_history(mention_id, superseded_at, superseded_by_file,"
        " version, hash, role, surname, forenames, known_as, dob, dob_prec, age, gender,"
        " gender_raw, address, postcode, postcode_raw, phone, phone_raw, nhs_number, upn,"
        " ethnicity, file_id, line, other_id) SELECT id, ?2, ?3, version, hash, role, surname,"
        " forenames, known_as, dob, dob_prec, age, gender, gender_raw, address, postcode,"
        " postcode_raw, phone, phone_raw, nhs_number, upn, ethnicity, file_id, line, other_id"
        " FROM person_mention"
        " WHERE id = ?1",
    [ST_PM_UPDATE] =
        "UPDATE person_mention SET version = version + 1, event_id = ?1, hash = ?6,"
        " surname = ?7, forenames = ?8, known_as = ?9, dob = ?10, dob_prec = ?11, age = ?12,"
        " gender = ?13, gender_raw = ?14, address = ?15, postcode = ?16, postcode_raw = ?17,"
        " phone = ?18, phone_raw = ?19, nhs_number = ?20, upn = ?21, ethnicity = ?22,"
        " file_id = ?23, line = ?24, other_id = ?26 WHERE id = ?25",
    [ST_OM_INSERT] =
        "INSERT INTO object_mention(event_id, agency, record_id, object_type, value_norm,"
        " person_ref, value_raw, value_valid, description, hash, file_id, line)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)"
        " ON CONFLICT(agency, record_id, object_type, value_norm, person_ref) DO NOTHING",
    [ST_OM_LOOKUP] = "SELECT id, hash, file_id, line FROM object_mention WHERE agency = ?1"
                     " AND record_id = ?2"
                     " AND object_type = ?3 AND value_norm = ?4 AND person_ref = ?5",
    [ST_OM_HISTORY] =
        "INSERT INTO object_mention_history(mention_id, superseded_at, superseded_by_file,"
        " version, hash, value_raw, value_valid, description, file_id, line)"
        " SELECT id, ?2, ?3, version, hash, value_raw, value_valid, description, file_id, line"
        " FROM object_mention WHERE id = ?1",
    [ST_OM_UPDATE] =
        "UPDATE object_mention SET version = version + 1, event_id = ?1, value_raw = ?7,"
        " value_valid = ?8, description = ?9, hash = ?10, file_id = ?11, line = ?12"
        " WHERE id = ?13",
    [ST_PROBLEM] = "INSERT INTO problem(run_id, severity, file, line, col, field, message, raw,"
                   " hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"
                   " ON CONFLICT(file, line, col, hash) DO NOTHING",
};



int64_t jd_sq__now(void)
{
    return (int64_t)time(NULL);
}

static int user_version(sq *q, int *out, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "schema version");
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return JD_OK;
}

static int migrate(sq *q, jd_error *err)
{
    int have = 0, rc;
    const int want = (int)JD_ARRAY_LEN(jd_sqlite_migrations);
    if ((rc = user_version(q, &have, err)) < 0)
        return rc;
    if (have > want)
        return jd_error_set(err, JD_EINVALID,
                            "database schema version %d is newer than this program (%d)", have,
                            want);
    for (int v = have; v < want; v++) {
        if ((rc = jd_sq__exec(q, "BEGIN IMMEDIATE", err)) < 0)
            return rc;
        rc = jd_sq__exec(q, jd_sqlite_migrations[v].sql, err);
        if (rc == JD_OK) {
            char sql[256];
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(q->db,
                                   "INSERT INTO schema_migration(version, applied_at,"
                                   " description) VALUES (?1, ?2, ?3)",
                                   -1, &st, NULL) != SQLITE_OK) {
                rc = jd_sq__err(q, err, "migration");
            } else {
                sqlite3_bind_int(st, 1, v + 1);
                sqlite3_bind_int64(st, 2, jd_sq__now());
                sqlite3_bind_text(st, 3, jd_sqlite_migrations[v].description, -1, SQLITE_STATIC);
                if (sqlite3_step(st) != SQLITE_DONE)
                    rc = jd_sq__err(q, err, "migration");
                sqlite3_finalize(st);
            }
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
            if (rc == JD_OK)
                rc = jd_sq__exec(q, sql, err);
        }
        if (rc < 0) {
            (void)jd_sq__exec(q, "ROLLBACK", NULL);
            return rc;
        }
        if ((rc = jd_sq__exec(q, "COMMIT", err)) < 0)
            return rc;
    }
    return JD_OK;
}

/* After a rollback the WAL keeps the frames of the failed transaction: on
 * a full disk a 20 MB file nobody needs, kept for as long as any other
 * connection (the server) has the store open. Truncate it now if no reader
 * is in it (never waits: a busy WAL is left for the next checkpoint). */
static void wal_shrink(sq *q)
{
    /* a statement left mid-step holds a read lock: the checkpoint would fail */
    for (sqlite3_stmt *st = sqlite3_next_stmt(q->db, NULL); st; st = sqlite3_next_stmt(q->db, st))
        sqlite3_reset(st);
    jd_sq__busy_wait(q, false);
    (void)sqlite3_wal_checkpoint_v2(q->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    jd_sq__busy_wait(q, true);
}

int jd_sq__prep_at(sq *q, const char *sql, sqlite3_stmt **st)
{
    *st = NULL;
    size_t i = 0;
    while (i < q->n_cache && q->cache[i].sql != sql)
        i++;
    if (i < q->n_cache && !q->cache[i].out) {
        q->cache[i].out = true;
        *st = q->cache[i].st;
        return SQLITE_OK;
    }
    if (i < q->n_cache || q->n_cache == JD_SQ_CACHE) /* in use, or no room */
        return sqlite3_prepare_v2(q->db, sql, -1, st, NULL);
    int r = sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    if (r == SQLITE_OK && *st) {
        q->cache[i].sql = sql;
        q->cache[i].st = *st;
        q->cache[i].out = true;
        q->n_cache++;
    }
    return r;
}

void jd_sq__unprep(sq *q, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < q->n_cache; i++)
        if (q->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            q->cache[i].out = false;
            return;
        }
    sqlite3_finalize(st);
}

static void sq_close(jd_store *s)
{
    sq *q = s->impl;
    if (q) {
        for (size_t i = 0; i < q->n_cache; i++)
            sqlite3_finalize(q->cache[i].st);
        if (q->in_tx) {
            (void)jd_sq__exec(q, "ROLLBACK", NULL);
            wal_shrink(q);
        }
        for (int i = 0; i < ST_COUNT; i++)
            sqlite3_finalize(q->st[i]);
        jd_strmap_free(&q->loc);
        jd_strmap_free(&q->ev_map);
        free(q->ev_val);
        jd_buf_dispose(&q->last_key);
        free(q->seen_key);
        free(q->seen_line);
        jd_sq__audit_close(q);
        sqlite3_close(q->db);
        free(q);
    }
    free(s);
}

static int prepare_all(sq *q, jd_error *err)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(q->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
                               NULL) != SQLITE_OK)
            return jd_sq__err(q, err, "prepare");
    return JD_OK;
}

static sqlite3_stmt *stmt(sq *q, int i)
{
    sqlite3_stmt *st = q->st[i];
    /* No clear_bindings: every caller binds every parameter it uses. */
    sqlite3_reset(st);
    return st;
}

void jd_sq__bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int jd_sq__fill(sq *q, const char *insert_sql, const char *const *a, const char *const *b,
                size_t n, const char *what, jd_error *err)
{
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(q->db, insert_sql, -1, &ins, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, what);
    int rc = JD_OK;
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        sqlite3_reset(ins);
        jd_sq__bind_text(ins, 1, a[i]);
        if (b)
            jd_sq__bind_text(ins, 2, b[i]);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = jd_sq__err(q, err, what);
    }
    sqlite3_finalize(ins);
    return rc;
}

static void bind_opt_int(sqlite3_stmt *st, int i, int64_t v, bool present)
{
    if (present)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static int sq_schema_version(jd_store *s, int *out, jd_error *err)
{
    return user_version(s->impl, out, err);
}

static int sq_meta_get(jd_store *s, const char *key, char *out, size_t cap, bool *found,
                       jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    *found = false;
    if (cap)
        out[0] = '\0';
    if (jd_sq__prep(q, "SELECT value FROM meta WHERE key = ?1", &st) !=
        SQLITE_OK)
        return jd_sq__err(q, err, "meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st), rc = JD_OK;
    if (r == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (strlen(v) >= cap)
            rc = jd_error_set(err, JD_ELIMIT, "meta value of '%s' too long", key);
        else
            memcpy(out, v, strlen(v) + 1);
        *found = rc == JD_OK;
    } else if (r != SQLITE_DONE) {
        rc = jd_sq__err(q, err, "meta");
    }
    jd_sq__unprep(q, st);
    return rc;
}

/*
 * The ingest transaction. Its writer only stores references it has just read
 * or written itself in the same transaction (file, run, location and event
 * ids), so SQLite's per-row foreign-key lookups are switched off for it: one
 * parent-table probe less per reference, about 15% of bulk-load time. The
 * pragma cannot change inside a transaction, hence before BEGIN and after
 * COMMIT or ROLLBACK. tests/unit/test_ingest.c checks foreign_key_check stays
 * clean after ingest.
 */
/* DROP and CREATE INDEX fail (SQLITE_LOCKED) while any statement of the
 * connection is mid-step: reset the cached ones first. */
static void reset_cached(sq *q)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (q->st[i])
            sqlite3_reset(q->st[i]);
}

static int bulk_begin(sq *q, jd_error *err)
{
    int rc = jd_sq__exec(q, "PRAGMA foreign_keys = OFF", err);
    if (rc == JD_OK && (rc = jd_sq__exec(q, "BEGIN IMMEDIATE", err)) < 0)
        (void)jd_sq__exec(q, "PRAGMA foreign_keys = ON", NULL);
    return rc;
}

/* COMMIT when rc is JD_OK, else ROLLBACK; foreign keys back on either way. */
static int bulk_end(sq *q, int rc, jd_error *err)
{
    if (rc == JD_OK)
        rc = jd_sq__exec(q, "COMMIT", err);
    if (rc < 0) {
        (void)jd_sq__exec(q, "ROLLBACK", NULL);
        wal_shrink(q);
    }
    int fk = jd_sq__exec(q, "PRAGMA foreign_keys = ON", rc < 0 ? NULL : err);
    return rc < 0 ? rc : fk;
}

static int sq_begin(jd_store *s, jd_error *err)
{
    sq *q = s->impl;
    int rc = bulk_begin(q, err);
    if (rc == JD_OK)
        q->in_tx = true;
    return rc;
}

/*
 * person_mention_ref (agency, person_ref) serves chronologies and searches,
 * never ingest. Kept up to date row by row, it took half of a bulk person
 * load (3M rows into an empty store: 171k rows/s with it, 334k without, and
 * 3.9 s to build it afterwards), so a load at least twice as large as the
 * table drops it and builds it once at the end (the rebuild sorts the old
 * rows too, and a re-read of unchanged rows adds no index entries at all).
 * The definition is migration 1's.
 */
/* the page cache of every connection: 64 MiB */
#define CACHE_KIB "-65536"
#define PERSON_REF_INDEX "CREATE INDEX person_mention_ref ON person_mention(agency, person_ref)"
enum { BULK_MIN_ROWS = 50000 }; /* below this either way is quick: keep the index */

static int sq_bulk_defer(jd_store *s, int64_t person_rows, jd_error *err)
{
    sq *q = s->impl;
    if (!q->in_tx || q->ref_index_dropped || person_rows < BULK_MIN_ROWS)
        return JD_OK;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "SELECT coalesce(max(id), 0) FROM person_mention", -1, &st,
                           NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "bulk load");
    int64_t have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : INT64_MAX;
    sqlite3_finalize(st);
    if (person_rows < 2 * have)
        return JD_OK;
    reset_cached(q);
    int rc = jd_sq__exec(q, "DROP INDEX IF EXISTS person_mention_ref", err);
    if (rc == JD_OK)
        q->ref_index_dropped = true;
    return rc;
}

static int sq_bulk_restore(jd_store *s, jd_error *err)
{
    sq *q = s->impl;
    if (!q->ref_index_dropped)
        return JD_OK;
    /* The sort spills to temporary files, not memory, so that memory stays
     * flat however large the table. */
    reset_cached(q);
    int rc = jd_sq__exec(q, "PRAGMA temp_store = FILE; PRAGMA cache_size = -16384", err);
    if (rc == JD_OK)
        rc = jd_sq__exec(q, PERSON_REF_INDEX, err);
    int ts = jd_sq__exec(q, "PRAGMA temp_store = MEMORY; PRAGMA cache_size = " CACHE_KIB,
                         rc < 0 ? NULL : err);
    if (rc == JD_OK && (rc = ts) == JD_OK)
        q->ref_index_dropped = false;
    return rc;
}

/*
 * The map of the events this transaction wrote (sq.ev_map). A person row
 * looks its event up twice (the date-of-birth check wants occurred_at, the
 * insert the id) and the last-event cache serves only the second: the first
 * was an index probe on event(agency, record_id) per row, 14% of the 1M
 * county's ingest CPU. Only put_event writes events inside the transaction,
 * and it keeps the map in step (new rows and updated ones); other keys fall
 * back to the probe. At most EV_MAP_MAX keys: about 160 MiB at the cap.
 */
enum { EV_MAP_MAX = 1 << 21, EV_KEY_MAX = 512 };

static void ev_map_clear(sq *q)
{
    if (!q->ev_map.n)
        return;
    jd_strmap_free(&q->ev_map);
    jd_strmap_init(&q->ev_map);
}

/* agency \x1f record_id into key[EV_KEY_MAX]; its length, or 0 when too long. */
static size_t ev_key(char *key, const char *agency, const char *record_id)
{
    size_t al = strlen(agency), rl = strlen(record_id);
    if (al + rl + 1 > EV_KEY_MAX)
        return 0;
    memcpy(key, agency, al);
    key[al] = 0x1f;
    memcpy(key + al + 1, record_id, rl);
    return al + rl + 1;
}

/* Record (or correct) an event the transaction wrote. A key the map cannot
 * take must not keep an older value: the map is emptied then. */
static void ev_map_put(sq *q, const char *agency, const char *record_id, int64_t id,
                       int64_t occurred)
{
    char key[EV_KEY_MAX];
    size_t k = q->in_tx ? ev_key(key, agency, record_id) : 0;
    uint32_t *v = NULL;
    /* one probe: put finds a key already mapped (and keeps its index) */
    if (k && q->ev_map.n < EV_MAP_MAX &&
        jd_grow((void **)&q->ev_val, &q->ev_cap, 2 * (q->ev_map.n + 1), sizeof *q->ev_val) == 0)
        v = jd_strmap_put(&q->ev_map, key, k, (uint32_t)q->ev_map.n, NULL);
    else if (k)
        v = jd_strmap_get(&q->ev_map, key, k);
    if (!v) {
        if (k && jd_strmap_get(&q->ev_map, key, k))
            ev_map_clear(q);
        return;
    }
    q->ev_val[2 * *v] = id;
    q->ev_val[2 * *v + 1] = occurred;
}

/* The id and occurred_at of an event the transaction wrote, when mapped. */
static bool ev_map_get(const sq *q, const char *agency, const char *record_id, int64_t *id,
                       int64_t *occurred)
{
    char key[EV_KEY_MAX];
    size_t k = q->in_tx && q->ev_map.n ? ev_key(key, agency, record_id) : 0;
    const uint32_t *v = k ? jd_strmap_get(&q->ev_map, key, k) : NULL;
    if (!v)
        return false;
    *id = q->ev_val[2 * *v];
    *occurred = q->ev_val[2 * *v + 1];
    return true;
}

static int sq_commit(jd_store *s, jd_error *err)
{
    sq *q = s->impl;
    int rc = sq_bulk_restore(s, err);
    if (rc < 0)
        return rc;
    rc = jd_sq__exec(q, "COMMIT", err);
    if (rc == JD_OK) {
        q->in_tx = false;
        ev_map_clear(q); /* other connections may write the events from now on */
        /* An ingest statement left mid-step (a lookup that found its row)
         * would hold a read snapshot past the commit; on a connection that
         * lives on (a server's, issue 17) its next write would then fail
         * at once with SQLITE_BUSY once another connection has written. */
        for (sqlite3_stmt *st = sqlite3_next_stmt(q->db, NULL); st;
             st = sqlite3_next_stmt(q->db, st))
            sqlite3_reset(st);
        rc = jd_sq__exec(q, "PRAGMA foreign_keys = ON", err);
    }
    return rc;
}

static void forget_last_event(sq *q)
{
    jd_buf_reset(&q->last_key);
    q->last_event_id = 0;
    q->last_event_occurred = 0;
}

/* Does last_key hold agency \x1f record_id? */
static bool is_last_event(const sq *q, const char *agency, const char *record_id)
{
    size_t al = strlen(agency);
    return q->last_key.len > al && !memcmp(q->last_key.ptr, agency, al) &&
           q->last_key.ptr[al] == 0x1f && !strcmp(q->last_key.ptr + al + 1, record_id);
}

static void sq_rollback(jd_store *s)
{
    sq *q = s->impl;
    if (q->in_tx) {
        (void)jd_sq__exec(q, "ROLLBACK", NULL);
        wal_shrink(q);
    }
    q->in_tx = false;
    q->ref_index_dropped = false; /* the rollback brought it back */
    (void)jd_sq__exec(q, "PRAGMA foreign_keys = ON", NULL);
    forget_last_event(q);
    ev_map_clear(q);
    jd_strmap_free(&q->loc);
    jd_strmap_init(&q->loc);
    q->seen_file = 0;
    q->seen_n = 0;
    if (q->seen_key)
        memset(q->seen_key, 0, q->seen_cap * sizeof *q->seen_key);
}

static int sq_run_start(jd_store *s, int64_t *out_id, const char *what, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "INSERT INTO ingest_run(started_at, what) VALUES (?1, ?2)", -1,
                           &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "run start");
    sqlite3_bind_int64(st, 1, jd_sq__now());
    jd_sq__bind_text(st, 2, what);
    int rc = sqlite3_step(st) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "run start");
    sqlite3_finalize(st);
    if (rc == JD_OK)
        *out_id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int sq_run_finish(jd_store *s, int64_t run_id, const char *status, int64_t read,
                         int64_t stored, int64_t updated, int64_t unchanged, int64_t rejected,
                         jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "UPDATE ingest_run SET finished_at = ?2, status = ?3, rows_read = ?4,"
                           " rows_stored = ?5, rows_updated = ?6, rows_unchanged = ?7,"
                           " rows_rejected = ?8 WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "run finish");
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, jd_sq__now());
    jd_sq__bind_text(st, 3, status);
    sqlite3_bind_int64(st, 4, read);
    sqlite3_bind_int64(st, 5, stored);
    sqlite3_bind_int64(st, 6, updated);
    sqlite3_bind_int64(st, 7, unchanged);
    sqlite3_bind_int64(st, 8, rejected);
    int rc = sqlite3_step(st) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "run finish");
    sqlite3_finalize(st);
    return rc;
}

static int sq_file_seen(jd_store *s, const char *sha256, bool *out, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT 1 FROM source_file WHERE sha256 = ?1 AND complete = 1 LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "file lookup");
    jd_sq__bind_text(st, 1, sha256);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return jd_sq__err(q, err, "file lookup");
    *out = r == SQLITE_ROW;
    return JD_OK;
}

static int sq_file_add(jd_store *s, int64_t *out_id, const jd_file_info *f, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO source_file(run_id, bundle, name, kind, sha256, size)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "file add");
    sqlite3_bind_int64(st, 1, f->run_id);
    jd_sq__bind_text(st, 2, f->bundle);
    jd_sq__bind_text(st, 3, f->name);
    jd_sq__bind_text(st, 4, f->kind);
    jd_sq__bind_text(st, 5, f->sha256);
    sqlite3_bind_int64(st, 6, f->size);
    int rc = sqlite3_step(st) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "file add");
    sqlite3_finalize(st);
    if (rc == JD_OK)
        *out_id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int sq_file_finish(jd_store *s, int64_t file_id, int64_t read, int64_t stored,
                          int64_t updated, int64_t unchanged, int64_t rejected, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "UPDATE source_file SET rows_read = ?2, rows_stored = ?3,"
                           " rows_updated = ?4, rows_unchanged = ?5, rows_rejected = ?6,"
                           " complete = 1 WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "file finish");
    sqlite3_bind_int64(st, 1, file_id);
    sqlite3_bind_int64(st, 2, read);
    sqlite3_bind_int64(st, 3, stored);
    sqlite3_bind_int64(st, 4, updated);
    sqlite3_bind_int64(st, 5, unchanged);
    sqlite3_bind_int64(st, 6, rejected);
    int rc = sqlite3_step(st) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "file finish");
    sqlite3_finalize(st);
    return rc;
}

/* Location key: canonical postcode and the place text folded to lower case
 * with runs of blanks collapsed; issue-6 location resolution merges further. */
static int location_id(sq *q, const char *postcode, const char *text, bool *present,
                       int64_t *out, jd_error *err)
{
    *present = false;
    if (!postcode && !text)
        return JD_OK;
    char key[JD_LOCATION_KEY];
    size_t k = jd_store__location_key(postcode, text, key);
    const uint32_t *hit = jd_strmap_get(&q->loc, key, k);
    if (hit) {
        *out = *hit;
        *present = true;
        return JD_OK;
    }
    sqlite3_stmt *st = stmt(q, ST_LOC_INSERT);
    jd_sq__bind_text(st, 1, postcode);
    jd_sq__bind_text(st, 2, text);
    sqlite3_bind_text(st, 3, key, (int)k, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return jd_sq__err(q, err, "location insert");
    int64_t id;
    if (sqlite3_changes(q->db) == 1) {
        id = sqlite3_last_insert_rowid(q->db);
    } else {
        st = stmt(q, ST_LOC_LOOKUP);
        sqlite3_bind_text(st, 1, key, (int)k, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            return jd_sq__err(q, err, "location lookup");
        id = sqlite3_column_int64(st, 0);
    }
    if (q->loc.n >= LOC_CACHE_MAX) {
        jd_strmap_free(&q->loc);
        jd_strmap_init(&q->loc);
    }
    if (id <= UINT32_MAX && !jd_strmap_put(&q->loc, key, k, (uint32_t)id, NULL))
        return jd_oom(err);
    *out = id;
    *present = true;
    return JD_OK;
}

static void bind_event(sqlite3_stmt *st, const jd_event_row *r, int64_t loc, bool has_loc)
{
    jd_sq__bind_text(st, 1, r->agency);
    jd_sq__bind_text(st, 2, r->record_id);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)r->hash);
    jd_sq__bind_text(st, 4, r->event_type);
    jd_sq__bind_text(st, 5, r->event_type_raw);
    sqlite3_bind_int64(st, 6, r->occurred_at);
    sqlite3_bind_int(st, 7, r->occurred_prec);
    sqlite3_bind_int64(st, 8, r->reported_at);
    sqlite3_bind_int(st, 9, r->reported_prec);
    sqlite3_bind_int64(st, 10, r->reported_at > r->occurred_at ? r->reported_at : r->occurred_at);
    bind_opt_int(st, 11, loc, has_loc);
    jd_sq__bind_text(st, 12, r->location);
    jd_sq__bind_text(st, 13, r->postcode);
    jd_sq__bind_text(st, 14, r->postcode_raw);
    jd_sq__bind_text(st, 15, r->narrative);
    bind_opt_int(st, 16, r->crime_recorded, r->crime_recorded >= 0);
    jd_sq__bind_text(st, 17, r->crime_ref);
    jd_sq__bind_text(st, 18, r->outcome);
    jd_sq__bind_text(st, 19, r->author_role);
    jd_sq__bind_text(st, 20, r->risk_grade);
    sqlite3_bind_int64(st, 21, r->file_id);
    sqlite3_bind_int64(st, 22, r->line);
}

/* The slot of key in the seen set (cap a power of two, never full). */
static size_t seen_slot(const sq *q, uint64_t key)
{
    size_t mask = q->seen_cap - 1;
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
    while (q->seen_key[i] && q->seen_key[i] != key)
        i = (i + 1) & mask;
    return i;
}

/* Line at which the current file confirmed this row unchanged, 0 if not. */
static long seen_get(const sq *q, int64_t file_id, uint64_t key)
{
    if (q->seen_file != file_id || !q->seen_n)
        return 0;
    size_t i = seen_slot(q, key);
    return q->seen_key[i] ? (long)q->seen_line[i] : 0;
}

static int seen_add(sq *q, int64_t file_id, uint64_t key, long line)
{
    if (q->seen_file != file_id) { /* a new file: forget the last one's rows */
        if (q->seen_key)
            memset(q->seen_key, 0, q->seen_cap * sizeof *q->seen_key);
        q->seen_n = 0;
        q->seen_file = file_id;
    }
    if ((q->seen_n + 1) * 2 > q->seen_cap) {
        size_t ncap = q->seen_cap ? q->seen_cap * 2 : 1024;
        uint64_t *nk = calloc(ncap, sizeof *nk);
        uint32_t *nl = malloc(ncap * sizeof *nl);
        if (!nk || !nl) {
            free(nk);
            free(nl);
            return JD_ENOMEM;
        }
        uint64_t *ok = q->seen_key;
        uint32_t *ol = q->seen_line;
        size_t ocap = q->seen_cap;
        q->seen_key = nk;
        q->seen_line = nl;
        q->seen_cap = ncap;
        for (size_t i = 0; i < ocap; i++)
            if (ok[i]) {
                size_t k = seen_slot(q, ok[i]);
                q->seen_key[k] = ok[i];
                q->seen_line[k] = ol[i];
            }
        free(ok);
        free(ol);
    }
    size_t i = seen_slot(q, key);
    if (!q->seen_key[i]) {
        q->seen_key[i] = key;
        q->seen_line[i] = line > 0 && line <= (long)UINT32_MAX ? (uint32_t)line : 0;
        q->seen_n++;
    }
    return JD_OK;
}

enum { T_EVENT = 1, T_PERSON = 2, T_OBJECT = 3 };

/*
 * The existing row of a key that was not inserted, by a lookup statement
 * already bound: its id, and what the put is. A key this very file wrote
 * earlier in the transaction (the row's file_id), or found unchanged (the
 * seen set: an unchanged row keeps its older file_id), is a repeat or a
 * conflict and is left alone; otherwise UNCHANGED or UPDATED by the content
 * hash (UPDATED: the caller updates the row, and its file_id with it).
 */
static int lookup_existing(sq *q, sqlite3_stmt *st, int table, uint64_t hash, int64_t file_id,
                           long line, int64_t *id, jd_put_result *out, jd_error *err)
{
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW)
        return jd_sq__err(q, err, "lookup");
    *id = sqlite3_column_int64(st, 0);
    bool same = (uint64_t)sqlite3_column_int64(st, 1) == hash;
    uint64_t key = (uint64_t)*id * 4 + (uint64_t)table;
    long seen = 0;
    out->first_line = 0;
    if (sqlite3_column_int64(st, 2) == file_id) {
        out->outcome = same ? JD_PUT_REPEATED : JD_PUT_CONFLICT;
        out->first_line = (long)sqlite3_column_int64(st, 3);
    } else if ((seen = seen_get(q, file_id, key)) != 0) {
        out->outcome = same ? JD_PUT_REPEATED : JD_PUT_CONFLICT;
        out->first_line = seen;
    } else {
        out->outcome = same ? JD_PUT_UNCHANGED : JD_PUT_UPDATED;
        if (same && seen_add(q, file_id, key, line) < 0)
            return jd_oom(err);
    }
    return JD_OK;
}

/* Copy the stored version to history before it is replaced. */
static int save_history(sq *q, int which, int64_t id, int64_t file_id, jd_error *err)
{
    sqlite3_stmt *st = stmt(q, which);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, jd_sq__now());
    sqlite3_bind_int64(st, 3, file_id);
    return sqlite3_step(st) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "history");
}

static int sq_put_event(jd_store *s, const jd_event_row *r, jd_put_result *out, jd_error *err)
{
    sq *q = s->impl;
    int64_t loc = 0;
    if (is_last_event(q, r->agency, r->record_id))
        forget_last_event(q); /* its occurred_at may change */
    bool has_loc = false;
    int rc = location_id(q, r->postcode, r->location, &has_loc, &loc, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = stmt(q, ST_EV_INSERT);
    bind_event(st, r, loc, has_loc);
    if (sqlite3_step(st) != SQLITE_DONE)
        return jd_sq__err(q, err, "event insert");
    if (sqlite3_changes(q->db) == 1) {
        out->outcome = JD_PUT_NEW;
        ev_map_put(q, r->agency, r->record_id, sqlite3_last_insert_rowid(q->db), r->occurred_at);
        return JD_OK;
    }
    st = stmt(q, ST_EV_LOOKUP);
    jd_sq__bind_text(st, 1, r->agency);
    jd_sq__bind_text(st, 2, r->record_id);
    int64_t id = 0;
    if ((rc = lookup_existing(q, st, T_EVENT, r->hash, r->file_id, r->line,
                               &id, out, err)) < 0)
        return rc;
    if (out->outcome != JD_PUT_UPDATED)
        return JD_OK;
    if ((rc = save_history(q, ST_EV_HISTORY, id, r->file_id, err)) < 0)
        return rc;
    st = stmt(q, ST_EV_UPDATE);
    bind_event(st, r, loc, has_loc);
    sqlite3_bind_int64(st, 23, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return jd_sq__err(q, err, "event update");
    ev_map_put(q, r->agency, r->record_id, id, r->occurred_at);
    return JD_OK;
}

static int event_id(sq *q, const char *agency, const char *record_id, int64_t *out, bool *found,
                    jd_error *err)
{
    if (q->last_key.len && is_last_event(q, agency, record_id)) {
        *out = q->last_event_id;
        *found = true;
        return JD_OK;
    }
    int64_t occurred = 0;
    if (!ev_map_get(q, agency, record_id, out, &occurred)) {
        sqlite3_stmt *st = stmt(q, ST_EV_ID);
        jd_sq__bind_text(st, 1, agency);
        jd_sq__bind_text(st, 2, record_id);
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE) {
            *found = false;
            return JD_OK;
        }
        if (r != SQLITE_ROW)
            return jd_sq__err(q, err, "event lookup");
        *out = sqlite3_column_int64(st, 0);
        occurred = sqlite3_column_int64(st, 1);
    }
    *found = true;
    forget_last_event(q);
    q->last_event_occurred = occurred;
    if (jd_buf_adds(&q->last_key, agency) < 0 || jd_buf_addc(&q->last_key, 0x1f) < 0 ||
        jd_buf_adds(&q->last_key, record_id) < 0) {
        forget_last_event(q); /* an over-long key is simply not cached */
        return JD_OK;
    }
    q->last_event_id = *out;
    return JD_OK;
}

static int sq_event_when(jd_store *s, const char *agency, const char *record_id,
                         int64_t *occurred_at, bool *found, jd_error *err)
{
    sq *q = s->impl;
    int64_t id;
    int rc = event_id(q, agency, record_id, &id, found, err);
    if (rc == JD_OK && *found)
        *occurred_at = q->last_event_occurred;
    return rc;
}

static void bind_person(sqlite3_stmt *st, const jd_person_row *r, int64_t ev)
{
    sqlite3_bind_int64(st, 1, ev);
    jd_sq__bind_text(st, 2, r->agency);
    jd_sq__bind_text(st, 3, r->record_id);
    jd_sq__bind_text(st, 4, r->person_ref);
    jd_sq__bind_text(st, 5, r->role);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)r->hash);
    jd_sq__bind_text(st, 7, r->surname);
    jd_sq__bind_text(st, 8, r->forenames);
    jd_sq__bind_text(st, 9, r->known_as);
    jd_sq__bind_text(st, 10, r->dob);
    bind_opt_int(st, 11, r->dob_prec, r->dob != NULL);
    bind_opt_int(st, 12, r->age, r->age >= 0);
    jd_sq__bind_text(st, 13, r->gender);
    jd_sq__bind_text(st, 14, r->gender_raw);
    jd_sq__bind_text(st, 15, r->address);
    jd_sq__bind_text(st, 16, r->postcode);
    jd_sq__bind_text(st, 17, r->postcode_raw);
    jd_sq__bind_text(st, 18, r->phone);
    jd_sq__bind_text(st, 19, r->phone_raw);
    jd_sq__bind_text(st, 20, r->nhs_number);
    jd_sq__bind_text(st, 21, r->upn);
    jd_sq__bind_text(st, 22, r->ethnicity);
    sqlite3_bind_int64(st, 23, r->file_id);
    sqlite3_bind_int64(st, 24, r->line);
    jd_sq__bind_text(st, 26, r->other_id);
}

static int sq_put_person(jd_store *s, const jd_person_row *r, jd_put_result *out,
                         jd_error *err)
{
    sq *q = s->impl;
    int64_t ev = 0;
    bool found;
    int rc = event_id(q, r->agency, r->record_id, &ev, &found, err);
    if (rc < 0)
        return rc;
    if (!found) {
        out->outcome = JD_PUT_ORPHAN;
        return JD_OK;
    }
    sqlite3_stmt *st = stmt(q, ST_PM_INSERT);
    bind_person(st, r, ev);
    if (sqlite3_step(st) != SQLITE_DONE)
        return jd_sq__err(q, err, "person insert");
    if (sqlite3_changes(q->db) == 1) {
        out->outcome = JD_PUT_NEW;
        return JD_OK;
    }
    st = stmt(q, ST_PM_LOOKUP);
    jd_sq__bind_text(st, 1, r->agency);
    jd_sq__bind_text(st, 2, r->record_id);
    jd_sq__bind_text(st, 3, r->person_ref);
    jd_sq__bind_text(st, 4, r->role);
    int64_t id = 0;
    if ((rc = lookup_existing(q, st, T_PERSON, r->hash, r->file_id, r->line,
                               &id, out, err)) < 0)
        return rc;
    if (out->outcome != JD_PUT_UPDATED)
        return JD_OK;
    if ((rc = save_history(q, ST_PM_HISTORY, id, r->file_id, err)) < 0)
        return rc;
    st = stmt(q, ST_PM_UPDATE);
    bind_person(st, r, ev);
    sqlite3_bind_int64(st, 25, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return jd_sq__err(q, err, "person update");
    return JD_OK;
}

static void bind_object(sqlite3_stmt *st, const jd_object_row *r, int64_t ev)
{
    sqlite3_bind_int64(st, 1, ev);
    jd_sq__bind_text(st, 2, r->agency);
    jd_sq__bind_text(st, 3, r->record_id);
    jd_sq__bind_text(st, 4, r->object_type);
    jd_sq__bind_text(st, 5, r->value_norm);
    jd_sq__bind_text(st, 6, r->person_ref ? r->person_ref : "");
    jd_sq__bind_text(st, 7, r->value_raw);
    sqlite3_bind_int(st, 8, r->value_valid);
    jd_sq__bind_text(st, 9, r->description);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)r->hash);
    sqlite3_bind_int64(st, 11, r->file_id);
    sqlite3_bind_int64(st, 12, r->line);
}

static int sq_put_object(jd_store *s, const jd_object_row *r, jd_put_result *out,
                         jd_error *err)
{
    sq *q = s->impl;
    int64_t ev = 0;
    bool found;
    int rc = event_id(q, r->agency, r->record_id, &ev, &found, err);
    if (rc < 0)
        return rc;
    if (!found) {
        out->outcome = JD_PUT_ORPHAN;
        return JD_OK;
    }
    sqlite3_stmt *st = stmt(q, ST_OM_INSERT);
    bind_object(st, r, ev);
    if (sqlite3_step(st) != SQLITE_DONE)
        return jd_sq__err(q, err, "object insert");
    if (sqlite3_changes(q->db) == 1) {
        out->outcome = JD_PUT_NEW;
        return JD_OK;
    }
    st = stmt(q, ST_OM_LOOKUP);
    jd_sq__bind_text(st, 1, r->agency);
    jd_sq__bind_text(st, 2, r->record_id);
    jd_sq__bind_text(st, 3, r->object_type);
    jd_sq__bind_text(st, 4, r->value_norm);
    jd_sq__bind_text(st, 5, r->person_ref ? r->person_ref : "");
    int64_t id = 0;
    if ((rc = lookup_existing(q, st, T_OBJECT, r->hash, r->file_id, r->line,
                               &id, out, err)) < 0)
        return rc;
    if (out->outcome != JD_PUT_UPDATED)
        return JD_OK;
    if ((rc = save_history(q, ST_OM_HISTORY, id, r->file_id, err)) < 0)
        return rc;
    st = stmt(q, ST_OM_UPDATE);
    bind_object(st, r, ev);
    sqlite3_bind_int64(st, 13, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return jd_sq__err(q, err, "object update");
    return JD_OK;
}

static int sq_put_problem(jd_store *s, const jd_problem *p, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = stmt(q, ST_PROBLEM);
    uint64_t h = jd_hash64(p->message, strlen(p->message), 0);
    if (p->raw)
        h = jd_hash64(p->raw, strlen(p->raw), h);
    sqlite3_bind_int64(st, 1, p->run_id);
    jd_sq__bind_text(st, 2, p->severity);
    jd_sq__bind_text(st, 3, p->file);
    sqlite3_bind_int64(st, 4, p->line);
    sqlite3_bind_int64(st, 5, p->column);
    jd_sq__bind_text(st, 6, p->field ? p->field : "");
    jd_sq__bind_text(st, 7, p->message);
    jd_sq__bind_text(st, 8, p->raw);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)h);
    return sqlite3_step(st) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "problem insert");
}

const char *jd_sq__col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int sq_problems(jd_store *s, bool warnings, jd_problem_cb cb, void *payload,
                       jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT id, run_id, severity, file, line, col, field, message, raw"
                           " FROM problem WHERE severity = 'reject' OR ?1 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "problems");
    sqlite3_bind_int(st, 1, warnings);
    int rc = JD_OK, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_problem p = {
            .id = sqlite3_column_int64(st, 0),
            .run_id = sqlite3_column_int64(st, 1),
            .severity = jd_sq__col_text(st, 2),
            .file = jd_sq__col_text(st, 3),
            .line = (long)sqlite3_column_int64(st, 4),
            .column = (long)sqlite3_column_int64(st, 5),
            .field = jd_sq__col_text(st, 6),
            .message = jd_sq__col_text(st, 7),
            .raw = sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : jd_sq__col_text(st, 8),
        };
        if ((rc = cb(&p, payload)) != 0)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "problems");
    sqlite3_finalize(st);
    return rc;
}

static int64_t count_of(sq *q, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int sq_counts(jd_store *s, jd_store_counts *out, jd_error *err)
{
    sq *q = s->impl;
    memset(out, 0, sizeof *out);
    out->events = count_of(q, "SELECT count(*) FROM event");
    out->persons = count_of(q, "SELECT count(*) FROM person_mention");
    out->objects = count_of(q, "SELECT count(*) FROM object_mention");
    out->locations = count_of(q, "SELECT count(*) FROM location");
    out->rejects = count_of(q, "SELECT count(*) FROM problem WHERE severity = 'reject'");
    out->warnings = count_of(q, "SELECT count(*) FROM problem WHERE severity = 'warning'");
    out->runs = count_of(q, "SELECT count(*) FROM ingest_run");
    out->history = count_of(q, "SELECT (SELECT count(*) FROM event_history) +"
                               " (SELECT count(*) FROM person_mention_history) +"
                               " (SELECT count(*) FROM object_mention_history)");
    out->person_refs =
        count_of(q, "SELECT count(*) FROM (SELECT DISTINCT agency, person_ref FROM person_mention)");
    if (out->events < 0 || out->persons < 0 || out->person_refs < 0)
        return jd_sq__err(q, err, "counts");
    return JD_OK;
}

static int sq_ref_exists(jd_store *s, const char *agency, const char *ref, bool *out,
                         jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT 1 FROM person_mention WHERE agency = ?1 AND person_ref = ?2"
                           " LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "ref lookup");
    jd_sq__bind_text(st, 1, agency);
    jd_sq__bind_text(st, 2, ref);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return jd_sq__err(q, err, "ref lookup");
    *out = r == SQLITE_ROW;
    return JD_OK;
}

static int sq_identity_generation(jd_store *s, int64_t *out, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "SELECT coalesce(max(id), 0) FROM resolve_run", -1, &st, NULL) !=
        SQLITE_OK)
        return jd_sq__err(q, err, "identity generation");
    int r = sqlite3_step(st);
    int64_t v = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (r != SQLITE_ROW)
        return jd_sq__err(q, err, "identity generation");
    *out = v;
    return JD_OK;
}

/* The rows of an identities query (person_id, agency, person_ref,
 * display_name, dob, is_child) to cb; finalizes st. */
static int identity_steps(sq *q, sqlite3_stmt *st, jd_identity_row_cb cb, void *payload,
                          const char *what, jd_error *err)
{
    int rc = JD_OK, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_identity_row row = {
            .person_id = sqlite3_column_type(st, 0) == SQLITE_NULL ? NULL : jd_sq__col_text(st, 0),
            .agency = jd_sq__col_text(st, 1),
            .person_ref = jd_sq__col_text(st, 2),
            .display_name = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL : jd_sq__col_text(st, 3),
            .dob = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL : jd_sq__col_text(st, 4),
            .is_child = sqlite3_column_int(st, 5) != 0,
        };
        if ((rc = cb(&row, payload)) != 0)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, what);
    jd_sq__unprep(q, st);
    return rc;
}

static int sq_person_refs_now(jd_store *s, const char *person_id, const char *agency,
                              const char *ref, jd_identity_row_cb cb, void *payload,
                              jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (jd_sq__prep(q,
    "WITH id AS (SELECT i.id, i.person_id, i.display_name, i.dob, i.is_child FROM identity i"
    " WHERE ?1 IS NOT NULL AND i.person_id = ?1"
    " UNION ALL SELECT i.id, i.person_id, i.display_name, i.dob, i.is_child"
    " FROM identity_ref r JOIN identity i ON i.id = r.identity_id"
    " WHERE ?1 IS NULL AND r.agency = ?2 AND r.person_ref = ?3)"
    " SELECT id.person_id, ir.agency, ir.person_ref, id.display_name, id.dob, id.is_child"
    " FROM id JOIN identity_ref ir ON ir.identity_id = id.id WHERE EXISTS (SELECT 1 FROM"
    " person_mention pm WHERE pm.agency = ir.agency AND pm.person_ref = ir.person_ref)"
    " UNION ALL SELECT NULL, ?2, ?3, NULL, NULL, 0 WHERE ?1 IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM identity_ref r WHERE r.agency = ?2"
    " AND r.person_ref = ?3) AND EXISTS (SELECT 1 FROM person_mention pm"
    " WHERE pm.agency = ?2 AND pm.person_ref = ?3) ORDER BY 2, 3",
                           &st) != SQLITE_OK)
        return jd_sq__err(q, err, "person refs");
    jd_sq__bind_text(st, 1, person_id);
    jd_sq__bind_text(st, 2, agency);
    jd_sq__bind_text(st, 3, ref);
    return identity_steps(q, st, cb, payload, "person refs", err);
}

static int sq_link_add(jd_store *s, const char *agency_a, const char *ref_a,
                       const char *agency_b, const char *ref_b, bool same, const char *reason,
                       const char *by, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    /* Pairs are stored in a canonical order so a decision about (B, A)
     * replaces one about (A, B). */
    jd_store__pair_order(&agency_a, &ref_a, &agency_b, &ref_b);
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO link_decision(agency_a, ref_a, agency_b, ref_b, decision,"
                           " reason, decided_by, decided_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "link decision");
    jd_sq__bind_text(st, 1, agency_a);
    jd_sq__bind_text(st, 2, ref_a);
    jd_sq__bind_text(st, 3, agency_b);
    jd_sq__bind_text(st, 4, ref_b);
    jd_sq__bind_text(st, 5, same ? "same" : "different");
    jd_sq__bind_text(st, 6, reason);
    jd_sq__bind_text(st, 7, by);
    sqlite3_bind_int64(st, 8, jd_sq__now());
    int rc = sqlite3_step(st) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "link decision");
    sqlite3_finalize(st);
    return rc;
}

/* identity's person_ids by id (ids ascending), for sq_identity_refs. */
typedef struct pid_index {
    int64_t *id;
    uint32_t *off; /* into buf */
    char *buf;
    size_t n, cap, len, bcap;
} pid_index;

static int pid_push(pid_index *x, int64_t id, const char *pid)
{
    size_t l = strlen(pid) + 1;
    if (x->n == x->cap) {
        size_t c = x->cap ? x->cap * 2 : 4096;
        int64_t *a = realloc(x->id, c * sizeof *a);
        x->id = a ? a : x->id;
        uint32_t *b = a ? realloc(x->off, c * sizeof *b) : NULL;
        x->off = b ? b : x->off;
        if (!b)
            return JD_ENOMEM;
        x->cap = c;
    }
    if (x->len + l > x->bcap) {
        size_t c = x->bcap ? x->bcap * 2 : 65536;
        while (c < x->len + l)
            c *= 2;
        char *b = c <= UINT32_MAX ? realloc(x->buf, c) : NULL;
        if (!b)
            return JD_ENOMEM;
        x->buf = b;
        x->bcap = c;
    }
    memcpy(x->buf + x->len, pid, l);
    x->id[x->n] = id;
    x->off[x->n++] = (uint32_t)x->len;
    x->len += l;
    return JD_OK;
}

static const char *pid_of(const pid_index *x, int64_t id)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (x->id[m] < id)
            lo = m + 1;
        else
            hi = m;
    }
    return lo < x->n && x->id[lo] == id ? x->buf + x->off[lo] : NULL;
}

/*
 * Every resolved ref with its person_id: identity's person_ids read first
 * (by rowid, in order), then identity_ref scanned in its own order and each
 * ref's identity found in that array. The join did the same with two seeks
 * a ref (SQLite scanned the identity_id index, sought each ref's row for fp
 * and nbr, and its identity): 3.2 s of CPU for the 937,032 refs of the
 * 1M-event county against 0.2 s (sqlite3 shell).
 */
static int sq_identity_refs(jd_store *s, jd_identity_row_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    pid_index x = {0};
    int rc = JD_OK, r = SQLITE_DONE;
    if (sqlite3_prepare_v2(q->db, "SELECT id, person_id FROM identity ORDER BY id", -1, &st,
                           NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identity refs");
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
        rc = pid_push(&x, sqlite3_column_int64(st, 0), jd_sq__col_text(st, 1));
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identity refs");
    sqlite3_finalize(st);
    st = NULL;
    if (rc == JD_OK && sqlite3_prepare_v2(q->db,
                                          "SELECT identity_id, agency, person_ref, fp, nbr"
                                          " FROM identity_ref",
                                          -1, &st, NULL) != SQLITE_OK)
        rc = jd_sq__err(q, err, "identity refs");
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_identity_row row = {.person_id = pid_of(&x, sqlite3_column_int64(st, 0)),
                               .agency = jd_sq__col_text(st, 1),
                               .person_ref = jd_sq__col_text(st, 2),
                               .fp = sqlite3_column_int64(st, 3),
                               .nbr = (const char *)sqlite3_column_text(st, 4)};
        if (row.person_id) /* the join's rows: a ref of an identity */
            rc = cb(&row, payload);
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identity refs");
    sqlite3_finalize(st);
    free(x.id);
    free(x.off);
    free(x.buf);
    return rc == JD_ENOMEM ? jd_oom(err) : rc;
}

/* A child's (agency, person_ref) as one strmap key. */
static size_t ref_key(char *out, size_t cap, const char *agency, const char *ref)
{
    int n = snprintf(out, cap, "%s\x1f%s", agency ? agency : "", ref ? ref : "");
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

typedef struct eth_pair {
    uint32_t kid, eth;
} eth_pair;

static int cmp_eth_pair(const void *a, const void *b, void *ctx)
{
    const eth_pair *x = a, *y = b;
    const uint32_t *rank = ctx;
    if (x->kid != y->kid)
        return x->kid < y->kid ? -1 : 1;
    return (rank[x->eth] > rank[y->eth]) - (rank[x->eth] < rank[y->eth]);
}

static int cmp_str_idx(const void *a, const void *b, void *ctx)
{
    const char *const *names = ctx;
    return strcmp(names[*(const uint32_t *)a], names[*(const uint32_t *)b]);
}

/*
 * Each child identity with the count of each (trimmed, non-empty)
 * ethnicity among its refs' mentions, by person id and ethnicity, and
 * ("", 0) when one of its refs has no mention with an ethnicity. This is
 *   SELECT i.person_id, coalesce(trim(pm.ethnicity), ''), count(pm.id)
 *   FROM identity i JOIN identity_ref r ON r.identity_id = i.id
 *   LEFT JOIN person_mention pm ON pm.agency = r.agency AND pm.person_ref =
 *   r.person_ref AND trim(pm.ethnicity) <> '' WHERE i.is_child = 1
 *   GROUP BY 1, 2 ORDER BY 1, 2
 * done as two scans and a hash join: that query fetched a mention row at
 * random for each of 800,000 refs' mentions (4 s of the server's start on a
 * 1M-event county); the mentions read in row order take a fraction of it.
 */
/* The state of sq_ethnicity_rows' join: the children (kids, by person id)
 * and their refs (refs: key -> index in ref_kid, the ref's child), the
 * ethnicities met (eths: name -> index in names) and one (child, ethnicity)
 * pair per mention. */
typedef struct eth_join {
    jd_strmap refs, eths;
    jd_arena ar;
    char **kids, **names;
    uint32_t *ref_kid;
    bool *ref_seen;
    eth_pair *pairs;
    size_t nk, capk, nr, capr, ne, cape, np, capp;
} eth_join;

/* The first scan: each child identity's refs, children in person id order. */
static int eth_read_refs(sq *q, eth_join *J, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = JD_OK, r;
    char key[512];
    if (sqlite3_prepare_v2(q->db,
                           "SELECT i.person_id, r.agency, r.person_ref FROM identity i"
                           " JOIN identity_ref r ON r.identity_id = i.id WHERE i.is_child = 1"
                           " ORDER BY i.person_id",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "ethnicity");
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *pid = jd_sq__col_text(st, 0);
        if (!J->nk || strcmp(J->kids[J->nk - 1], pid)) {
            if (jd_grow((void **)&J->kids, &J->capk, J->nk + 1, sizeof *J->kids) < 0 ||
                !(J->kids[J->nk] = jd_arena_strdup(&J->ar, pid))) {
                rc = JD_ENOMEM;
                break;
            }
            J->nk++;
        }
        bool added;
        size_t kl = ref_key(key, sizeof key, jd_sq__col_text(st, 1), jd_sq__col_text(st, 2));
        if (jd_grow((void **)&J->ref_kid, &J->capr, J->nr + 1, sizeof *J->ref_kid) < 0 ||
            !jd_strmap_put(&J->refs, key, kl, (uint32_t)J->nr, &added)) {
            rc = JD_ENOMEM;
            break;
        }
        if (added)
            J->ref_kid[J->nr++] = (uint32_t)(J->nk - 1);
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "ethnicity");
    sqlite3_finalize(st);
    return rc;
}

/* The second scan: the mentions with an ethnicity, in row order, each of a
 * child's ref giving a (child, ethnicity) pair and marking its ref seen. */
static int eth_read_mentions(sq *q, eth_join *J, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = JD_OK, r;
    char key[512];
    if (!(J->ref_seen = calloc(J->nr ? J->nr : 1, sizeof *J->ref_seen)))
        return JD_ENOMEM;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT agency, person_ref, trim(ethnicity) FROM person_mention"
                           " WHERE trim(ethnicity) <> ''",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = jd_sq__err(q, err, "ethnicity");
        sqlite3_finalize(st);
        return rc;
    }
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        size_t kl = ref_key(key, sizeof key, jd_sq__col_text(st, 0), jd_sq__col_text(st, 1));
        uint32_t *ri = jd_strmap_get(&J->refs, key, kl);
        if (!ri)
            continue; /* not a child's ref */
        J->ref_seen[*ri] = true;
        const char *e = jd_sq__col_text(st, 2);
        bool added;
        uint32_t *ei = jd_strmap_put(&J->eths, e, strlen(e), (uint32_t)J->ne, &added);
        if (!ei ||
            (added && (jd_grow((void **)&J->names, &J->cape, J->ne + 1, sizeof *J->names) < 0 ||
                       !(J->names[J->ne] = jd_arena_strdup(&J->ar, e)))) ||
            jd_grow((void **)&J->pairs, &J->capp, J->np + 1, sizeof *J->pairs) < 0) {
            rc = JD_ENOMEM;
            break;
        }
        if (added)
            J->ne++;
        J->pairs[J->np++] = (eth_pair){J->ref_kid[*ri], *ei};
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "ethnicity");
    sqlite3_finalize(st);
    return rc;
}

/* The rows to cb: per child, ("", 0) when one of its refs had no mention
 * with an ethnicity, then each ethnicity (by name) with its count. */
static int eth_emit(eth_join *J,
                    int (*cb)(const char *person_id, const char *ethnicity, int64_t n,
                              void *payload),
                    void *payload)
{
    int rc = JD_OK;
    uint32_t *rank = NULL, *order = NULL;
    bool *bare = calloc(J->nk ? J->nk : 1, sizeof *bare);
    if (!bare)
        rc = JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < J->nr; i++)
        if (!J->ref_seen[i])
            bare[J->ref_kid[i]] = true;
    if (rc == JD_OK && (!(rank = malloc((J->ne ? J->ne : 1) * sizeof *rank)) ||
                        !(order = malloc((J->ne ? J->ne : 1) * sizeof *order))))
        rc = JD_ENOMEM;
    if (rc == JD_OK) {
        for (size_t i = 0; i < J->ne; i++)
            order[i] = (uint32_t)i;
        qsort_r(order, J->ne, sizeof *order, cmp_str_idx, J->names);
        for (size_t i = 0; i < J->ne; i++)
            rank[order[i]] = (uint32_t)i;
        if (J->np)
            qsort_r(J->pairs, J->np, sizeof *J->pairs, cmp_eth_pair, rank);
    }
    const eth_pair *pairs = J->pairs;
    for (size_t k = 0, p = 0; rc == JD_OK && k < J->nk; k++) {
        if (bare[k] && (rc = cb(J->kids[k], "", 0, payload)) != 0)
            break;
        while (rc == JD_OK && p < J->np && pairs[p].kid == k) {
            size_t e = p;
            while (e < J->np && pairs[e].kid == k && pairs[e].eth == pairs[p].eth)
                e++;
            rc = cb(J->kids[k], J->names[pairs[p].eth], (int64_t)(e - p), payload);
            p = e;
        }
    }
    free(bare);
    free(rank);
    free(order);
    return rc;
}

static int sq_ethnicity_rows(jd_store *s,
                             int (*cb)(const char *person_id, const char *ethnicity, int64_t n,
                                       void *payload),
                             void *payload, jd_error *err)
{
    sq *q = s->impl;
    eth_join J = {0};
    jd_strmap_init(&J.refs);
    jd_strmap_init(&J.eths);
    jd_arena_init(&J.ar, 1 << 16);
    int rc = eth_read_refs(q, &J, err);
    if (rc == JD_OK)
        rc = eth_read_mentions(q, &J, err);
    if (rc == JD_OK)
        rc = eth_emit(&J, cb, payload);
    if (rc == JD_ENOMEM)
        jd_oom(err);
    free(J.kids);
    free(J.names);
    free(J.ref_kid);
    free(J.ref_seen);
    free(J.pairs);
    jd_strmap_free(&J.refs);
    jd_strmap_free(&J.eths);
    jd_arena_free(&J.ar);
    return rc;
}

/*
 * Every ref with a mention, as identity_rows gives it: resolved refs by
 * identity (row id) and (agency, person_ref), then unresolved ones by
 * (agency, person_ref), each with its identity's name, date of birth and
 * is_child, or (unresolved, or an identity without them) those of its own
 * mentions: the most frequent name, the most frequent full date of birth,
 * a child if any mention puts it under 18 when the event happened. One
 * query did it all, joining the refs of person_mention to identity_ref (a
 * seek a ref), and cost 3.9 s of CPU on the 1M-event county, most of the
 * person index the server rebuilds after each resolve. Now scans merged:
 * the refs with mentions and identity_ref, both in (agency, person_ref)
 * order, give each resolved ref its identity; those sorted by identity
 * are merged with identity's rows; a ref's own mentions are read only
 * where its name or date is needed.
 */
#define IDROW_NAME                                                                                 \
    "SELECT trim(coalesce(p2.forenames, '') || ' ' || coalesce(p2.surname, ''))"                  \
    " FROM person_mention p2 WHERE p2.agency = ?1 AND p2.person_ref = ?2 GROUP BY 1"              \
    " ORDER BY count(*) DESC, 1 LIMIT 1"
#define IDROW_DOB                                                                                  \
    "SELECT p2.dob FROM person_mention p2 WHERE p2.agency = ?1 AND p2.person_ref = ?2"             \
    " AND p2.dob_prec = 3 GROUP BY p2.dob ORDER BY count(*) DESC, p2.dob LIMIT 1"
#define IDROW_CHILD                                                                                \
    "SELECT EXISTS (SELECT 1 FROM person_mention p2 JOIN event e ON e.id = p2.event_id"           \
    " WHERE p2.agency = ?1 AND p2.person_ref = ?2 AND ((p2.age IS NOT NULL AND p2.age < 18)"      \
    " OR (p2.dob_prec = 3 AND date(e.occurred_at, 'unixepoch') < date(p2.dob, '+18 years'))))"

/* The refs with mentions in (agency, person_ref) order, and per ref its
 * (identity row id << 32 | ref number) in by_id, sorted, for those an
 * identity holds. */
typedef struct idrow_join {
    jd_arena ar;
    char **agency, **ref;
    bool *emitted;
    uint64_t *by_id;
    size_t n, cap, cap_ref, nid;
    sqlite3_stmt *own[3]; /* IDROW_NAME, IDROW_DOB, IDROW_CHILD */
} idrow_join;

/* The three per-ref statements of idrow_emit, prepared; idrow_own_free
 * finalises them (NULL ones too). */
static int idrow_own_prepare(sq *q, idrow_join *J, const char *what, jd_error *err)
{
    static const char *const own[3] = {IDROW_NAME, IDROW_DOB, IDROW_CHILD};
    for (int k = 0; k < 3; k++)
        if (sqlite3_prepare_v2(q->db, own[k], -1, &J->own[k], NULL) != SQLITE_OK)
            return jd_sq__err(q, err, what);
    return JD_OK;
}

static void idrow_own_free(idrow_join *J)
{
    for (int k = 0; k < 3; k++)
        sqlite3_finalize(J->own[k]);
}

static int idrow_refs(sq *q, idrow_join *J, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT DISTINCT agency, person_ref FROM person_mention"
                           " ORDER BY agency, person_ref",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identities");
    int rc = JD_OK, r;
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        if (jd_grow((void **)&J->agency, &J->cap, J->n + 1, sizeof *J->agency) < 0 ||
            jd_grow((void **)&J->ref, &J->cap_ref, J->n + 1, sizeof *J->ref) < 0 ||
            !(J->agency[J->n] = jd_arena_strdup(&J->ar, jd_sq__col_text(st, 0))) ||
            !(J->ref[J->n] = jd_arena_strdup(&J->ar, jd_sq__col_text(st, 1))))
            rc = JD_ENOMEM;
        else
            J->n++;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identities");
    sqlite3_finalize(st);
    if (rc == JD_OK && (!(J->emitted = calloc(J->n ? J->n : 1, sizeof *J->emitted)) ||
                        !(J->by_id = malloc((J->n ? J->n : 1) * sizeof *J->by_id))))
        rc = JD_ENOMEM;
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* identity_ref merged with the refs (both in (agency, person_ref) order:
 * SQLite's BINARY is strcmp's order): J->by_id, sorted. */
static int idrow_owners(sq *q, idrow_join *J, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT agency, person_ref, identity_id FROM identity_ref"
                           " ORDER BY agency, person_ref",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identities");
    int r;
    size_t k = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *a = jd_sq__col_text(st, 0), *f = jd_sq__col_text(st, 1);
        int c = -1;
        while (k < J->n && (c = strcmp(J->agency[k], a) ? strcmp(J->agency[k], a)
                                                         : strcmp(J->ref[k], f)) < 0)
            k++;
        int64_t id = sqlite3_column_int64(st, 2);
        if (k < J->n && c == 0 && id > 0 && id <= UINT32_MAX)
            J->by_id[J->nid++] = (uint64_t)id << 32 | k;
    }
    int rc = r == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "identities");
    sqlite3_finalize(st);
    if (rc == JD_OK && J->nid)
        qsort(J->by_id, J->nid, sizeof *J->by_id, cmp_u64);
    return rc;
}

/* Text of column 0 of own[k] for the row's ref (NULL: none), valid until
 * own[k] is reset. */
static int idrow_own(sq *q, sqlite3_stmt *o, const jd_identity_row *row, const char **out,
                     jd_error *err)
{
    sqlite3_reset(o);
    jd_sq__bind_text(o, 1, row->agency);
    jd_sq__bind_text(o, 2, row->person_ref);
    int r = sqlite3_step(o);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return jd_sq__err(q, err, "identities");
    *out = r == SQLITE_ROW ? jd_sq__opt_text(o, 0) : NULL;
    return JD_OK;
}

/* Row to cb, its name and date of birth (and, unresolved, is_child) from
 * the ref's own mentions where its identity gives none. */
static int idrow_emit(sq *q, idrow_join *J, jd_identity_row *row, jd_identity_row_cb cb,
                      void *payload, jd_error *err)
{
    const char *child = NULL;
    int rc = JD_OK;
    if (!row->display_name)
        rc = idrow_own(q, J->own[0], row, &row->display_name, err);
    if (rc == JD_OK && !row->dob)
        rc = idrow_own(q, J->own[1], row, &row->dob, err);
    if (rc == JD_OK && !row->person_id && (rc = idrow_own(q, J->own[2], row, &child, err)) == JD_OK)
        row->is_child = child && strcmp(child, "0");
    return rc == JD_OK ? cb(row, payload) : rc;
}

/* The resolved refs: identity's rows (by id) merged with J->by_id. */
static int idrow_resolved(sq *q, idrow_join *J, jd_identity_row_cb cb, void *payload,
                          jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT id, person_id, display_name, dob, is_child FROM identity"
                           " ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identities");
    int rc = JD_OK, r = SQLITE_DONE;
    size_t k = 0;
    while (rc == JD_OK && k < J->nid && (r = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t id = (uint64_t)sqlite3_column_int64(st, 0);
        while (k < J->nid && J->by_id[k] >> 32 < id)
            k++; /* an identity_ref naming no identity: unresolved */
        for (; rc == JD_OK && k < J->nid && J->by_id[k] >> 32 == id; k++) {
            uint32_t i = (uint32_t)J->by_id[k];
            jd_identity_row row = {.person_id = jd_sq__col_text(st, 1),
                                   .agency = J->agency[i],
                                   .person_ref = J->ref[i],
                                   .display_name = jd_sq__opt_text(st, 2),
                                   .dob = jd_sq__opt_text(st, 3),
                                   .is_child = sqlite3_column_int(st, 4) != 0,
                                   .identity_id = (int64_t)id};
            J->emitted[i] = true;
            rc = idrow_emit(q, J, &row, cb, payload, err);
        }
    }
    if (rc == JD_OK && r != SQLITE_ROW && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identities");
    sqlite3_finalize(st);
    return rc;
}

static int sq_identity_rows(jd_store *s, jd_identity_row_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    idrow_join J = {0};
    jd_arena_init(&J.ar, 1 << 16);
    int rc = idrow_own_prepare(q, &J, "identities", err);
    if (rc == JD_OK)
        rc = idrow_refs(q, &J, err);
    if (rc == JD_OK)
        rc = idrow_owners(q, &J, err);
    if (rc == JD_OK)
        rc = idrow_resolved(q, &J, cb, payload, err);
    for (size_t i = 0; rc == JD_OK && i < J.n; i++)
        if (!J.emitted[i]) {
            jd_identity_row row = {.agency = J.agency[i], .person_ref = J.ref[i]};
            rc = idrow_emit(q, &J, &row, cb, payload, err);
        }
    if (rc == JD_ENOMEM)
        jd_oom(err);
    idrow_own_free(&J);
    free(J.agency);
    free(J.ref);
    free(J.emitted);
    free(J.by_id);
    jd_arena_free(&J.ar);
    return rc;
}

/* identity_rows for the identities person_ids[0..n) alone (incr_ops.h):
 * their refs with a mention by identity_id (a seek each), in identity_rows'
 * order, each row filled from its own mentions as idrow_emit fills it. */
int jd_sq__identity_rows_of(jd_store *s, const char *const *person_ids, size_t n,
                            jd_identity_row_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    idrow_join J = {0};
    sqlite3_stmt *st = NULL;
    int rc = jd_sq__exec(q,
                         "CREATE TEMP TABLE IF NOT EXISTS jd_idx_pid(person_id TEXT PRIMARY KEY)"
                         " WITHOUT ROWID; DELETE FROM temp.jd_idx_pid;",
                         err);
    if (rc == JD_OK)
        rc = jd_sq__fill(q, "INSERT OR IGNORE INTO temp.jd_idx_pid VALUES (?1)", person_ids, NULL,
                         n, "identities of persons", err);
    if (rc == JD_OK)
        rc = idrow_own_prepare(q, &J, "identities of persons", err);
    if (rc == JD_OK &&
        sqlite3_prepare_v2(q->db,
                           "SELECT i.id, i.person_id, ir.agency, ir.person_ref, i.display_name,"
                           " i.dob, i.is_child FROM temp.jd_idx_pid t CROSS JOIN identity i"
                           " ON i.person_id = t.person_id CROSS JOIN identity_ref ir"
                           " ON ir.identity_id = i.id WHERE EXISTS (SELECT 1 FROM person_mention"
                           " pm WHERE pm.agency = ir.agency AND pm.person_ref = ir.person_ref)"
                           " ORDER BY i.id, ir.agency, ir.person_ref",
                           -1, &st, NULL) != SQLITE_OK)
        rc = jd_sq__err(q, err, "identities of persons");
    int r = SQLITE_DONE;
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_identity_row row = {.identity_id = sqlite3_column_int64(st, 0),
                               .person_id = jd_sq__col_text(st, 1),
                               .agency = jd_sq__col_text(st, 2),
                               .person_ref = jd_sq__col_text(st, 3),
                               .display_name = jd_sq__opt_text(st, 4),
                               .dob = jd_sq__opt_text(st, 5),
                               .is_child = sqlite3_column_int(st, 6) != 0};
        rc = idrow_emit(q, &J, &row, cb, payload, err);
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identities of persons");
    sqlite3_finalize(st);
    idrow_own_free(&J);
    return rc;
}

int jd_sq__mention_max(jd_store *s, int64_t *out, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    *out = 0;
    if (sqlite3_prepare_v2(q->db, "SELECT coalesce(max(id), 0) FROM person_mention", -1, &st,
                           NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "mentions");
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? JD_OK : jd_sq__err(q, err, "mentions");
}

/* identity_rows' unresolved rows of the refs of mentions after `after`
 * (incr_ops.h): a range on the mention ids, each ref's identity_ref sought. */
int jd_sq__unresolved_rows_after(jd_store *s, int64_t after, jd_identity_row_cb cb,
                                 void *payload, jd_error *err)
{
    sq *q = s->impl;
    idrow_join J = {0};
    sqlite3_stmt *st = NULL;
    int rc = idrow_own_prepare(q, &J, "unresolved refs", err);
    if (rc == JD_OK &&
        sqlite3_prepare_v2(q->db,
                           "SELECT DISTINCT pm.agency, pm.person_ref FROM person_mention pm"
                           " WHERE pm.id > ?1 AND NOT EXISTS (SELECT 1 FROM identity_ref ir"
                           " WHERE ir.agency = pm.agency AND ir.person_ref = pm.person_ref)"
                           " ORDER BY 1, 2",
                           -1, &st, NULL) != SQLITE_OK)
        rc = jd_sq__err(q, err, "unresolved refs");
    if (rc == JD_OK)
        sqlite3_bind_int64(st, 1, after);
    int r = SQLITE_DONE;
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_identity_row row = {.agency = jd_sq__col_text(st, 0),
                               .person_ref = jd_sq__col_text(st, 1)};
        rc = idrow_emit(q, &J, &row, cb, payload, err);
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "unresolved refs");
    sqlite3_finalize(st);
    idrow_own_free(&J);
    return rc;
}

int jd_sq__persons_mentioned_after(jd_store *s, int64_t after,
                                   int (*cb)(const char *person_id, void *payload), void *payload,
                                   jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT DISTINCT i.person_id FROM person_mention pm"
                           " JOIN identity_ref ir ON ir.agency = pm.agency"
                           " AND ir.person_ref = pm.person_ref"
                           " JOIN identity i ON i.id = ir.identity_id WHERE pm.id > ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "persons mentioned");
    sqlite3_bind_int64(st, 1, after);
    int rc = JD_OK, r = SQLITE_DONE;
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
        rc = cb(jd_sq__col_text(st, 0), payload);
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "persons mentioned");
    sqlite3_finalize(st);
    return rc;
}

const char *jd_sq__opt_text(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : jd_sq__col_text(st, i);
}

/*
 * Chronology: the person's events in time order, each with the other people
 * and the objects in it. Split at its seams: the person's refs (chrono_refs),
 * whether any of them is mentioned at all (chrono_known), the events
 * (CHRONO_EVENTS_SQL), and per event its other parties (chrono_parties) and
 * objects (chrono_objects). The refs are read once into memory: the party
 * query used to test "not one of hers" with a correlated sub-query that
 * rebuilt the refs and an automatic index for every party of every event.
 */
#define CHRONO_REFS_CTE                                                                            \
    "WITH refs(agency, person_ref) AS ("                                                          \
    " SELECT ir.agency, ir.person_ref FROM identity_ref ir JOIN identity i"                       \
    " ON i.id = ir.identity_id WHERE ?1 IS NOT NULL AND i.person_id = ?1"                         \
    " UNION SELECT ?2, ?3 WHERE ?1 IS NULL) "

typedef struct chrono_refs {
    char **agency, **ref; /* the person's refs, sorted by (agency, ref) */
    size_t n, cap;
} chrono_refs;

static void chrono_refs_free(chrono_refs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->agency[i]);
        free(r->ref[i]);
    }
    free(r->agency);
    free(r->ref);
}

/* The refs of person_id, or the one ref (agency, ref) when person_id is NULL. */
static int chrono_refs_load(sq *q, const char *person_id, const char *agency, const char *ref,
                            chrono_refs *out, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (jd_sq__prep(q,
                           CHRONO_REFS_CTE "SELECT agency, person_ref FROM refs"
                                           " ORDER BY agency, person_ref",
                           &st) != SQLITE_OK)
        return jd_sq__err(q, err, "chronology");
    jd_sq__bind_text(st, 1, person_id);
    jd_sq__bind_text(st, 2, agency);
    jd_sq__bind_text(st, 3, ref);
    int rc = JD_OK, r;
    size_t cap2 = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (jd_grow((void **)&out->agency, &out->cap, out->n + 1, sizeof *out->agency) < 0 ||
            jd_grow((void **)&out->ref, &cap2, out->n + 1, sizeof *out->ref) < 0) {
            rc = jd_oom(err);
            break;
        }
        out->agency[out->n] = strdup(jd_sq__col_text(st, 0));
        out->ref[out->n] = strdup(jd_sq__col_text(st, 1));
        out->n++;
        if (!out->agency[out->n - 1] || !out->ref[out->n - 1]) {
            rc = jd_oom(err);
            break;
        }
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "chronology");
    jd_sq__unprep(q, st);
    return rc;
}

static bool chrono_refs_has(const chrono_refs *r, const char *agency, const char *ref)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->agency[mid], agency);
        if (!c)
            c = strcmp(r->ref[mid], ref);
        if (!c)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Is any of the refs mentioned at all? (An unknown person is JD_ENOTFOUND,
 * not an empty chronology.) */
static int chrono_known(sq *q, const chrono_refs *refs, bool *known, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    *known = false;
    if (jd_sq__prep(q,
                           "SELECT 1 FROM person_mention WHERE agency = ?1 AND person_ref = ?2"
                           " LIMIT 1",
                           &st) != SQLITE_OK)
        return jd_sq__err(q, err, "chronology");
    int r = SQLITE_DONE;
    for (size_t i = 0; i < refs->n && !*known; i++) {
        sqlite3_reset(st);
        jd_sq__bind_text(st, 1, refs->agency[i]);
        jd_sq__bind_text(st, 2, refs->ref[i]);
        r = sqlite3_step(st);
        *known = r == SQLITE_ROW;
    }
    jd_sq__unprep(q, st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "chronology");
}

/* The person's events known by ?4, oldest first, with her role in each. */
#define CHRONO_EVENTS_SQL                                                                          \
    CHRONO_REFS_CTE                                                                                \
    "SELECT e.id, e.agency, e.record_id, e.event_type, e.occurred_at, e.reported_at,"              \
    " e.occurred_prec, e.location, e.postcode, e.narrative, e.outcome, e.author_role,"             \
    " e.risk_grade, e.crime_ref, e.crime_recorded, min(pm.role)"                                   \
    " FROM refs JOIN person_mention pm ON pm.agency = refs.agency"                                 \
    " AND pm.person_ref = refs.person_ref JOIN event e ON e.id = pm.event_id"                      \
    " WHERE e.occurred_at <= ?4 AND e.reported_at <= ?4"                                           \
    " GROUP BY e.id ORDER BY e.occurred_at, e.agency, e.record_id"

/* Growing arrays of one event's parties and objects, reused across events. */
typedef struct chrono_buf {
    jd_chrono_party *parties;
    jd_chrono_object *objects;
    size_t pcap, ocap, np, no;
} chrono_buf;

/* The other people of the event in row ev (those not among refs). */
static int chrono_parties(sqlite3_stmt *pa, sqlite3_stmt *ev, const chrono_refs *refs,
                          jd_arena *a, chrono_buf *b, jd_error *err)
{
    int r;
    b->np = 0;
    sqlite3_reset(pa);
    sqlite3_bind_text(pa, 1, (const char *)sqlite3_column_text(ev, 1), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(pa, 2, (const char *)sqlite3_column_text(ev, 2), -1, SQLITE_TRANSIENT);
    /* Party strings live in the statement until the next step: copied into
     * the event's arena. */
    while ((r = sqlite3_step(pa)) == SQLITE_ROW) {
        const char *agency = jd_sq__col_text(pa, 0), *ref = jd_sq__col_text(pa, 1);
        if (chrono_refs_has(refs, agency, ref))
            continue;
        if (jd_grow((void **)&b->parties, &b->pcap, b->np + 1, sizeof *b->parties) < 0)
            return jd_oom(err);
        const char *pid = jd_sq__opt_text(pa, 3);
        b->parties[b->np++] = (jd_chrono_party){
            .agency = jd_arena_strdup(a, agency),
            .person_ref = jd_arena_strdup(a, ref),
            .role = jd_arena_strdup(a, jd_sq__col_text(pa, 2)),
            .person_id = pid ? jd_arena_strdup(a, pid) : NULL,
            .name = jd_arena_strdup(a, jd_sq__col_text(pa, 4))};
    }
    return r == SQLITE_DONE ? JD_OK : JD_ESTORE;
}

/* The objects of the event in row ev. */
static int chrono_objects(sqlite3_stmt *ob, sqlite3_stmt *ev, jd_arena *a, chrono_buf *b,
                          jd_error *err)
{
    int r;
    b->no = 0;
    sqlite3_reset(ob);
    sqlite3_bind_text(ob, 1, (const char *)sqlite3_column_text(ev, 1), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ob, 2, (const char *)sqlite3_column_text(ev, 2), -1, SQLITE_TRANSIENT);
    while ((r = sqlite3_step(ob)) == SQLITE_ROW) {
        if (jd_grow((void **)&b->objects, &b->ocap, b->no + 1, sizeof *b->objects) < 0)
            return jd_oom(err);
        const char *d = jd_sq__opt_text(ob, 2);
        b->objects[b->no++] = (jd_chrono_object){
            .object_type = jd_arena_strdup(a, jd_sq__col_text(ob, 0)),
            .value = jd_arena_strdup(a, jd_sq__col_text(ob, 1)),
            .description = d ? jd_arena_strdup(a, d) : NULL,
            .valid = sqlite3_column_int(ob, 3) != 0};
    }
    return r == SQLITE_DONE ? JD_OK : JD_ESTORE;
}

/* The event of row ev with its parties and objects, to the callback. */
static int chrono_emit(sqlite3_stmt *ev, const chrono_buf *b, jd_chrono_event_cb cb,
                       void *payload)
{
    int cr = sqlite3_column_type(ev, 14) == SQLITE_NULL ? -1 : sqlite3_column_int(ev, 14);
    jd_chrono_event ce = {
        .event_id = sqlite3_column_int64(ev, 0), .agency = jd_sq__col_text(ev, 1),
        .record_id = jd_sq__col_text(ev, 2), .event_type = jd_sq__col_text(ev, 3),
        .occurred_at = sqlite3_column_int64(ev, 4), .reported_at = sqlite3_column_int64(ev, 5),
        .occurred_prec = sqlite3_column_int(ev, 6), .location = jd_sq__opt_text(ev, 7),
        .postcode = jd_sq__opt_text(ev, 8), .narrative = jd_sq__opt_text(ev, 9),
        .outcome = jd_sq__opt_text(ev, 10), .author_role = jd_sq__opt_text(ev, 11),
        .risk_grade = jd_sq__opt_text(ev, 12), .crime_ref = jd_sq__opt_text(ev, 13),
        .crime_recorded = cr, .subject_role = jd_sq__col_text(ev, 15), .parties = b->parties,
        .n_parties = b->np, .objects = b->objects, .n_objects = b->no};
    return cb(&ce, payload);
}

static int sq_chronology(jd_store *s, const char *person_id, const char *agency,
                         const char *ref, int64_t as_of, jd_chrono_event_cb cb, void *payload,
                         jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *ev = NULL, *pa = NULL, *ob = NULL;
    chrono_refs refs = {0};
    chrono_buf b = {0};
    size_t events = 0;
    int rc = chrono_refs_load(q, person_id, agency, ref, &refs, err), r = SQLITE_DONE;
    if (rc < 0)
        goto out;
    if (jd_sq__prep(q, CHRONO_EVENTS_SQL, &ev) != SQLITE_OK ||
        jd_sq__prep(q,
                           "SELECT pm.agency, pm.person_ref, pm.role, i.person_id,"
                           " trim(coalesce(pm.forenames, '') || ' ' || coalesce(pm.surname, ''))"
                           " FROM person_mention pm LEFT JOIN identity_ref ir"
                           " ON ir.agency = pm.agency AND ir.person_ref = pm.person_ref"
                           " LEFT JOIN identity i ON i.id = ir.identity_id"
                           " WHERE pm.agency = ?1 AND pm.record_id = ?2 ORDER BY pm.id",
                           &pa) != SQLITE_OK ||
        jd_sq__prep(q,
                           "SELECT object_type, value_norm, description, value_valid"
                           " FROM object_mention WHERE agency = ?1 AND record_id = ?2"
                           " ORDER BY id",
                           &ob) != SQLITE_OK) {
        rc = jd_sq__err(q, err, "chronology");
        goto out;
    }
    jd_sq__bind_text(ev, 1, person_id);
    jd_sq__bind_text(ev, 2, agency);
    jd_sq__bind_text(ev, 3, ref);
    sqlite3_bind_int64(ev, 4, as_of);
    while ((r = sqlite3_step(ev)) == SQLITE_ROW) {
        jd_arena a;
        jd_arena_init(&a, 4096);
        rc = chrono_parties(pa, ev, &refs, &a, &b, err);
        if (rc == JD_OK)
            rc = chrono_objects(ob, ev, &a, &b, err);
        if (rc == JD_ESTORE)
            rc = jd_sq__err(q, err, "chronology");
        if (rc == JD_OK) {
            events++;
            rc = chrono_emit(ev, &b, cb, payload);
        }
        jd_arena_free(&a);
        if (rc != JD_OK)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "chronology");
    if (rc == JD_OK && !events) {
        /* Nothing to show: an unknown person says so, rather than print an
         * empty chronology; a known one (nothing yet by as_of) is empty. */
        bool known = false;
        rc = chrono_known(q, &refs, &known, err);
        if (rc == JD_OK && !known)
            rc = jd_error_set(err, JD_ENOTFOUND, "no such person in the store");
    }
out:
    jd_sq__unprep(q, ev);
    jd_sq__unprep(q, pa);
    jd_sq__unprep(q, ob);
    chrono_refs_free(&refs);
    free(b.parties);
    free(b.objects);
    return rc;
}

/*
 * All person mentions ordered by (agency, person_ref), ties in row order: the
 * order the person_mention_ref index gives. Walking that index fetched the
 * rows at random (2.7 s for 1M mentions); a plain scan in row order (0.3 s),
 * packed into memory and sorted here, gives the same sequence. Each packed
 * row: a header, then per text field a presence byte and the bytes with a
 * NUL when present. Agency and person_ref come first: the bytes from the
 * agency to the NUL after person_ref (key_len of them) compare as the two
 * strings one after the other would.
 */
typedef struct mention_hdr {
    int64_t id, seen_at, event_id;
    int32_t dob_prec, age;
    uint32_t key_len;
} mention_hdr;
enum { MT_AGENCY, MT_REF, MT_ROLE, MT_SURNAME, MT_FORENAMES, MT_KNOWN_AS, MT_DOB, MT_GENDER,
       MT_ADDRESS, MT_POSTCODE, MT_POSTCODE_RAW, MT_PHONE, MT_NHS, MT_UPN, MT_OTHER_ID,
       MT_EVENT_PC, MT_N };
/* query column of each text field */
static const int mention_col[MT_N] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17, 18, 20};

/* The text fields of a packed row, NULL when absent. */
static void mention_unpack(const char *row, mention_hdr *h, const char *f[MT_N])
{
    memcpy(h, row, sizeof *h);
    const char *p = row + sizeof *h;
    for (int i = 0; i < MT_N; i++) {
        if (*p++) {
            f[i] = p;
            p += strlen(p) + 1;
        } else {
            f[i] = NULL;
        }
    }
}

/* Two packed rows in the order of mentions: < 0, 0 or > 0. */
static int mention_rows_cmp(const char *ra, const char *rb)
{
    mention_hdr ha, hb;
    memcpy(&ha, ra, sizeof ha);
    memcpy(&hb, rb, sizeof hb);
    /* agency's presence byte skipped: both are required, so present. Within
     * the shorter key the longer one differs at the latest at the NUL that
     * ends the shorter agency or person_ref. */
    int c = memcmp(ra + sizeof ha + 1, rb + sizeof hb + 1,
                   ha.key_len < hb.key_len ? ha.key_len : hb.key_len);
    return c ? c : (ha.id > hb.id) - (ha.id < hb.id);
}

static int mention_cmp(const void *a, const void *b, void *base)
{
    return mention_rows_cmp((const char *)base + *(const size_t *)a,
                            (const char *)base + *(const size_t *)b);
}

#define MENTION_COLS                                                                               \
    "SELECT pm.id, pm.agency, pm.person_ref, pm.role, pm.surname,"                                 \
    " pm.forenames, pm.known_as, pm.dob, pm.dob_prec, pm.age,"                                     \
    " e.occurred_at, pm.gender, pm.address, pm.postcode, pm.postcode_raw,"                         \
    " pm.phone, pm.nhs_number, pm.upn, pm.other_id, pm.event_id, e.postcode"

/* The mentions st selects (MENTION_COLS), packed, sorted and passed to cb;
 * st is finalised. */
static int mentions_sorted(sq *q, sqlite3_stmt *st, jd_mention_cb cb, void *payload,
                           void *rest, jd_error *err);
static int mentions_pack(sq *q, sqlite3_stmt *st, jd_buf *bp, jd_buf *offsp, jd_error *err);
static int mentions_emit(const jd_buf *b, const jd_buf *offs, int parts, jd_mention_cb cb,
                         void *payload, void *rest);

/*
 * All mentions read in two halves at once (rows up to the middle id here,
 * the rest on a read-only connection of a thread of its own), each packed
 * and sorted, then merged: the read, pack and sort, about a third of the
 * load at 1M, halved on the main thread. Both read one state of the store:
 * the write lock is held, on a connection of its own, only while their
 * reads begin (no commit can come between), and let go before they read
 * (held to the end, it kept every writer waiting for the whole read: a
 * live server's audit rows for seconds behind a resolve's load, issue 17).
 * Taken without waiting; when it is not free, or the store is in memory or
 * in a transaction, 1 (read it whole, as before).
 */
typedef struct half_job {
    const char *path;
    int64_t from; /* rows with a greater id */
    jd_buf b, offs;
    int rc;
    jd_error err;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool begun; /* its read has begun (or failed to): the lock may go */
} half_job;

static void half_begun(half_job *j)
{
    pthread_mutex_lock(&j->mu);
    j->begun = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

static void *half_read(void *arg)
{
    half_job *j = arg;
    sq hq = {0};
    sqlite3_stmt *st = NULL;
    j->rc = JD_ESTORE;
    jd_error_clear(&j->err);
    if (sqlite3_open_v2(j->path, &hq.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        jd_error_set(&j->err, JD_ESTORE, "cannot open %s to read mentions", j->path);
    } else {
        sqlite3_busy_timeout(hq.db, JD_SQ_BUSY_MS);
        /* the read transaction begins at its first read, here */
        if (jd_sq__exec(&hq, "PRAGMA cache_size = " CACHE_KIB, &j->err) == JD_OK &&
            jd_sq__exec(&hq, "BEGIN; SELECT 1 FROM person_mention LIMIT 1", &j->err) == JD_OK &&
            sqlite3_prepare_v2(hq.db, MENTION_COLS " FROM person_mention pm JOIN event e"
                                                   " ON e.id = pm.event_id WHERE pm.id > ?1",
                               -1, &st, NULL) != SQLITE_OK)
            jd_sq__err(&hq, &j->err, "mentions");
        half_begun(j);
        if (st && sqlite3_bind_int64(st, 1, j->from) == SQLITE_OK)
            j->rc = mentions_pack(&hq, st, &j->b, &j->offs, &j->err);
        else
            sqlite3_finalize(st);
    }
    half_begun(j); /* again when it could not open */
    sqlite3_close(hq.db);
    return NULL;
}

/* The write lock of the store at path on a connection of its own, taken
 * without waiting, or NULL. */
static sqlite3 *write_lock_take(const char *path)
{
    sqlite3 *lk = NULL;
    if (sqlite3_open_v2(path, &lk, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(lk, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(lk);
        return NULL;
    }
    return lk;
}

static void write_lock_drop(sqlite3 *lk)
{
    if (!lk)
        return;
    (void)sqlite3_exec(lk, "ROLLBACK", NULL, NULL, NULL); /* nothing was written */
    sqlite3_close(lk);
}

static int mentions_split(sq *q, jd_mention_cb cb, void *payload, void *rest, jd_error *err)
{
    const char *path = sqlite3_db_filename(q->db, "main");
    if (q->in_tx || !path || !*path || sqlite3_db_readonly(q->db, "main") != 0)
        return 1;
    sqlite3 *lk = write_lock_take(path);
    if (lk && sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        write_lock_drop(lk);
        lk = NULL;
    }
    if (!lk)
        return 1;
    sqlite3_stmt *st = NULL;
    half_job j = {path, 0, JD_BUF_INIT(SIZE_MAX), JD_BUF_INIT(SIZE_MAX), JD_OK, {0},
                  PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    jd_buf b = JD_BUF_INIT(SIZE_MAX), offs = JD_BUF_INIT(SIZE_MAX);
    /* this connection's read begins with the middle id's query */
    int rc = sqlite3_prepare_v2(q->db, "SELECT (min(id) + max(id)) / 2 FROM person_mention", -1,
                                &st, NULL) == SQLITE_OK &&
                     sqlite3_step(st) == SQLITE_ROW
                 ? JD_OK
                 : jd_sq__err(q, err, "mentions");
    j.from = rc == JD_OK ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    st = NULL;
    if (rc == JD_OK &&
        sqlite3_prepare_v2(q->db, MENTION_COLS " FROM person_mention pm JOIN event e"
                                               " ON e.id = pm.event_id WHERE pm.id <= ?1",
                           -1, &st, NULL) != SQLITE_OK)
        rc = jd_sq__err(q, err, "mentions");
    if (rc == JD_OK)
        sqlite3_bind_int64(st, 1, j.from);
    pthread_t t;
    bool started = rc == JD_OK && pthread_create(&t, NULL, half_read, &j) == 0;
    if (rc == JD_OK && !started)
        rc = jd_error_set(err, JD_ENOMEM, "cannot start a thread to read mentions");
    pthread_mutex_lock(&j.mu);
    while (started && !j.begun)
        pthread_cond_wait(&j.cv, &j.mu);
    pthread_mutex_unlock(&j.mu);
    write_lock_drop(lk); /* both reads have begun: writers may commit */
    if (rc == JD_OK)
        rc = mentions_pack(q, st, &b, &offs, err);
    else
        sqlite3_finalize(st);
    if (started)
        pthread_join(t, NULL);
    (void)sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL); /* nothing was written */
    pthread_mutex_destroy(&j.mu);
    pthread_cond_destroy(&j.cv);
    if (rc == JD_OK && j.rc != JD_OK) {
        rc = j.rc;
        if (err)
            *err = j.err;
    }
    jd_buf parts[2] = {b, j.b}, poffs[2] = {offs, j.offs};
    if (rc == JD_OK)
        rc = mentions_emit(parts, poffs, 2, cb, payload, rest);
    for (int k = 0; k < 2; k++) {
        jd_buf_dispose(&parts[k]);
        jd_buf_dispose(&poffs[k]);
    }
    return rc;
}

/* All mentions, sorted, to cb(m, payload); with rest, those from a ref's
 * first mention near the middle on to cb(m, rest) on a thread of its own,
 * at the same time (see mentions_emit). */
static int mentions_all(jd_store *s, jd_mention_cb cb, void *payload, void *rest, jd_error *err)
{
    sq *q = s->impl;
    int split = mentions_split(q, cb, payload, rest, err);
    if (split != 1)
        return split;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           MENTION_COLS " FROM person_mention pm JOIN event e ON e.id = pm.event_id",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "mentions");
    return mentions_sorted(q, st, cb, payload, rest, err);
}

static int sq_mentions(jd_store *s, jd_mention_cb cb, void *payload, jd_error *err)
{
    return mentions_all(s, cb, payload, NULL, err);
}

static int sq_mentions_halves(jd_store *s, jd_mention_cb cb, void *first, void *rest,
                              jd_error *err)
{
    return mentions_all(s, cb, first, rest, err);
}

/* The mentions of some refs (around: of every event naming one of them):
 * the refs into a TEMP table, then one indexed join (person_mention_ref;
 * around, then the events' mentions by the unique key's (agency,
 * record_id) prefix), packed and sorted as sq_mentions does. */
static int mentions_some(jd_store *s, const char *const *agency, const char *const *ref,
                         size_t n, bool around, jd_mention_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = jd_sq__exec(q,
                         "CREATE TEMP TABLE IF NOT EXISTS jd_res_ref(agency TEXT NOT NULL,"
                         " person_ref TEXT NOT NULL, PRIMARY KEY(agency, person_ref))"
                         " WITHOUT ROWID; DELETE FROM temp.jd_res_ref;",
                         err);
    if (rc < 0)
        return rc;
    if ((rc = jd_sq__fill(q, "INSERT OR IGNORE INTO temp.jd_res_ref VALUES (?1, ?2)", agency, ref,
                          n, "mentions of refs", err)) < 0)
        return rc;
    const char *sql =
        around ? MENTION_COLS " FROM (SELECT DISTINCT m.agency AS agency, m.record_id AS record_id"
                              " FROM temp.jd_res_ref t CROSS JOIN person_mention m"
                              /* not the unique key, which covers the columns
                               * but is searched by agency alone: every
                               * mention of the agency for each ref */
                              " INDEXED BY person_mention_ref"
                              " ON m.agency = t.agency AND m.person_ref = t.person_ref) x"
                              " CROSS JOIN person_mention pm"
                              " ON pm.agency = x.agency AND pm.record_id = x.record_id"
                              " JOIN event e ON e.id = pm.event_id"
               : MENTION_COLS " FROM temp.jd_res_ref t CROSS JOIN person_mention pm"
                              " ON pm.agency = t.agency AND pm.person_ref = t.person_ref"
                              " JOIN event e ON e.id = pm.event_id";
    if (rc == JD_OK && sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        rc = jd_sq__err(q, err, "mentions of refs");
    return rc < 0 ? rc : mentions_sorted(q, st, cb, payload, NULL, err);
}

static int sq_mentions_of(jd_store *s, const char *const *agency, const char *const *ref,
                          size_t n, jd_mention_cb cb, void *payload, jd_error *err)
{
    return mentions_some(s, agency, ref, n, false, cb, payload, err);
}

static int sq_mentions_around(jd_store *s, const char *const *agency, const char *const *ref,
                              size_t n, jd_mention_cb cb, void *payload, jd_error *err)
{
    return mentions_some(s, agency, ref, n, true, cb, payload, err);
}

/* The rows st selects (MENTION_COLS) packed into b, their offsets into
 * offs, sorted; st is finalised. */
static int mentions_pack(sq *q, sqlite3_stmt *st, jd_buf *bp, jd_buf *offsp, jd_error *err)
{
    jd_buf b = *bp, offs = *offsp;
    int rc = JD_OK, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        mention_hdr h = {.id = sqlite3_column_int64(st, 0),
                         .seen_at = sqlite3_column_int64(st, 10),
                         .event_id = sqlite3_column_int64(st, 19),
                         .dob_prec = sqlite3_column_int(st, 8),
                         .age = sqlite3_column_type(st, 9) == SQLITE_NULL
                                    ? -1
                                    : sqlite3_column_int(st, 9)};
        size_t need = sizeof h + 2 * MT_N; /* a flag and a NUL per field at most */
        const unsigned char *tx[MT_N]; /* each text read once (NULL: SQL NULL) */
        size_t tl[MT_N];
        for (int i = 0; i < MT_N; i++) {
            tx[i] = sqlite3_column_text(st, mention_col[i]);
            tl[i] = tx[i] ? (size_t)sqlite3_column_bytes(st, mention_col[i]) : 0;
            need += tl[i];
        }
        if ((rc = jd_buf_add(&offs, &b.len, sizeof b.len)) < 0 ||
            (rc = jd_buf_reserve(&b, need)) < 0)
            break;
        char *row = b.ptr + b.len, *p = row + sizeof h;
        for (int i = 0; i < MT_N; i++) {
            const unsigned char *t = tx[i];
            bool required = i == MT_AGENCY || i == MT_REF || i == MT_ROLE;
            if (!t && !required) {
                *p++ = 0;
                continue;
            }
            size_t len = tl[i];
            *p++ = 1;
            if (len)
                memcpy(p, t, len);
            p[len] = '\0';
            p += len + 1;
            if (i == MT_REF)
                h.key_len = (uint32_t)(p - (row + sizeof h + 1));
        }
        memcpy(row, &h, sizeof h);
        b.len = (size_t)(p - b.ptr);
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "mentions");
    else if (rc == JD_ENOMEM)
        rc = jd_error_set(err, JD_ENOMEM, "out of memory reading mentions");
    sqlite3_finalize(st);
    size_t *off = (size_t *)(void *)offs.ptr, n = offs.len / sizeof *off;
    if (rc == JD_OK && n)
        qsort_r(off, n, sizeof *off, mention_cmp, b.ptr);
    *bp = b;
    *offsp = offs;
    return rc;
}

/* Rows of sorted packed parts (b[k], off[k]; the second may be empty)
 * merged, from [from[0], from[1]) up to [to[0], to[1]), to cb. */
typedef struct emit_job {
    const jd_buf *b;
    const size_t *off[2];
    size_t from[2], to[2];
    jd_mention_cb cb;
    void *payload;
    int rc;
} emit_job;

/* The part the merge takes its next row from (at[k] < to[k] for one k). */
static int emit_next(const emit_job *j, const size_t at[2])
{
    return at[0] == j->to[0]   ? 1
           : at[1] == j->to[1] ? 0
                               : mention_rows_cmp(j->b[1].ptr + j->off[1][at[1]],
                                                  j->b[0].ptr + j->off[0][at[0]]) < 0;
}

static int emit_range(const emit_job *j)
{
    size_t at[2] = {j->from[0], j->from[1]};
    int rc = JD_OK;
    while (rc == JD_OK && (at[0] < j->to[0] || at[1] < j->to[1])) {
        int k = emit_next(j, at);
        mention_hdr h;
        const char *f[MT_N];
        mention_unpack(j->b[k].ptr + j->off[k][at[k]++], &h, f);
        jd_mention_row m = {.agency = f[MT_AGENCY], .person_ref = f[MT_REF], .role = f[MT_ROLE],
                            .surname = f[MT_SURNAME], .forenames = f[MT_FORENAMES],
                            .known_as = f[MT_KNOWN_AS], .dob = f[MT_DOB],
                            .dob_prec = h.dob_prec, .age = h.age, .seen_at = h.seen_at,
                            .event_id = h.event_id,
                            .gender = f[MT_GENDER], .address = f[MT_ADDRESS],
                            .postcode = f[MT_POSTCODE], .postcode_raw = f[MT_POSTCODE_RAW],
                            .phone = f[MT_PHONE], .nhs = f[MT_NHS], .upn = f[MT_UPN],
                            .other_id = f[MT_OTHER_ID], .event_postcode = f[MT_EVENT_PC]};
        rc = j->cb(&m, j->payload);
    }
    return rc;
}

static void *emit_run(void *arg)
{
    emit_job *j = arg;
    j->rc = emit_range(j);
    return NULL;
}

/* Do packed rows a and b name the same (agency, person_ref)? */
static bool mention_same_ref(const char *a, const char *b)
{
    mention_hdr ha, hb;
    memcpy(&ha, a, sizeof ha);
    memcpy(&hb, b, sizeof hb);
    return ha.key_len == hb.key_len && !memcmp(a + sizeof ha + 1, b + sizeof hb + 1, ha.key_len);
}

/*
 * Sorted packed rows (parts of them, each sorted: b[k] and offs[k]) merged
 * and passed to cb. With rest, the merged rows are cut in two at the first
 * mention of a ref at or after the middle: those before it go to
 * cb(m, payload) here, the others to cb(m, rest) on a thread of its own at
 * the same time (in this thread after the first when none can start), each
 * part in order. The cut is found by merging without a call.
 */
static int mentions_emit(const jd_buf *b, const jd_buf *offs, int parts, jd_mention_cb cb,
                         void *payload, void *rest)
{
    emit_job a = {.b = b, .cb = cb, .payload = payload};
    for (int k = 0; k < parts; k++) {
        a.off[k] = (const size_t *)(const void *)offs[k].ptr;
        a.to[k] = offs[k].len / sizeof(size_t);
    }
    if (!rest)
        return emit_range(&a);
    emit_job z = a;
    z.payload = rest;
    size_t at[2] = {0, 0}, half = (a.to[0] + a.to[1]) / 2;
    const char *last = NULL;
    while (at[0] < a.to[0] || at[1] < a.to[1]) {
        int k = emit_next(&a, at);
        const char *row = b[k].ptr + a.off[k][at[k]];
        if (at[0] + at[1] >= half && last && !mention_same_ref(row, last))
            break;
        last = row;
        at[k]++;
    }
    memcpy(a.to, at, sizeof at);
    memcpy(z.from, at, sizeof at);
    pthread_t t;
    bool started = pthread_create(&t, NULL, emit_run, &z) == 0;
    a.rc = emit_range(&a);
    if (started)
        pthread_join(t, NULL);
    else
        z.rc = emit_range(&z);
    return a.rc != JD_OK ? a.rc : z.rc;
}

static int mentions_sorted(sq *q, sqlite3_stmt *st, jd_mention_cb cb, void *payload,
                           void *rest, jd_error *err)
{
    jd_buf b = JD_BUF_INIT(SIZE_MAX), offs = JD_BUF_INIT(SIZE_MAX);
    int rc = mentions_pack(q, st, &b, &offs, err);
    if (rc == JD_OK)
        rc = mentions_emit(&b, &offs, 1, cb, payload, rest);
    jd_buf_dispose(&offs);
    jd_buf_dispose(&b);
    return rc;
}

static int sq_decisions(jd_store *s, jd_decision_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    /* the latest decision per pair is in force */
    if (sqlite3_prepare_v2(q->db,
                           "SELECT agency_a, ref_a, agency_b, ref_b, decision FROM link_decision d"
                           " WHERE id = (SELECT max(id) FROM link_decision x WHERE"
                           " x.agency_a = d.agency_a AND x.ref_a = d.ref_a AND"
                           " x.agency_b = d.agency_b AND x.ref_b = d.ref_b) ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "decisions");
    int rc = JD_OK, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_decision_row d = {jd_sq__col_text(st, 0), jd_sq__col_text(st, 1), jd_sq__col_text(st, 2), jd_sq__col_text(st, 3),
                             !strcmp(jd_sq__col_text(st, 4), "same")};
        if ((rc = cb(&d, payload)) != 0)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "decisions");
    sqlite3_finalize(st);
    return rc;
}

/*
 * A full replace, written as a bulk load: foreign keys off for the
 * transaction (every identity_id comes from the identity row just written),
 * the identity_ref_identity index dropped while the refs go in and rebuilt
 * once after (one sort instead of 720k random inserts on the 1M county), and
 * each person_id's row id kept from RETURNING instead of a lookup per ref.
 */
/* The resolve_run row of a full run. */
static int sq_full_run(sq *q, int64_t now, int64_t refs, int64_t candidate_pairs, int64_t links,
                       int64_t identities, const char *model_json, jd_error *err)
{
    sqlite3_stmt *r = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO resolve_run(started_at, finished_at, mode, refs,"
                           " candidate_pairs, links, identities, model) VALUES"
                           " (?1, ?1, 'full', ?2, ?3, ?4, ?5, ?6)",
                           -1, &r, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "resolve run");
    sqlite3_bind_int64(r, 1, now);
    sqlite3_bind_int64(r, 2, refs);
    sqlite3_bind_int64(r, 3, candidate_pairs);
    sqlite3_bind_int64(r, 4, links);
    sqlite3_bind_int64(r, 5, identities);
    jd_sq__bind_text(r, 6, model_json);
    int rc = sqlite3_step(r) != SQLITE_DONE ? jd_sq__err(q, err, "resolve run") : JD_OK;
    sqlite3_finalize(r);
    return rc;
}

/* The identities of a full resolve (a: the upsert returning the row id, or,
 * fresh, into an empty identity table, the plain insert, its row id the
 * last inserted; c: the note insert; the notes from notes, jd_store__note),
 * each person_id's row id into ids and identity i's into rowid[i]. */
static int save_identities(sq *q, sqlite3_stmt *a, sqlite3_stmt *c, jd_strmap *ids,
                           uint32_t *rowid, bool fresh, const jd_identity_info *info,
                           size_t ninfo, const jd_note_maker *notes, int64_t now, jd_error *err)
{
    for (size_t i = 0; i < ninfo; i++) {
        sqlite3_reset(a);
        jd_sq__bind_text(a, 1, info[i].person_id);
        jd_sq__bind_text(a, 2, info[i].display_name);
        jd_sq__bind_text(a, 3, info[i].dob);
        sqlite3_bind_int(a, 4, info[i].is_child);
        sqlite3_bind_int64(a, 5, now);
        int s = sqlite3_step(a);
        if (s != (fresh ? SQLITE_DONE : SQLITE_ROW))
            return jd_sq__err(q, err, "identity");
        int64_t id = fresh ? sqlite3_last_insert_rowid(q->db) : sqlite3_column_int64(a, 0);
        if (id <= 0 || id > UINT32_MAX)
            return jd_error_set(err, JD_ESTORE, "identity row id %lld out of range",
                                (long long)id);
        bool added = false;
        uint32_t *v = jd_strmap_put(ids, info[i].person_id, strlen(info[i].person_id),
                                    (uint32_t)id, &added);
        if (!v)
            return jd_oom(err);
        if (!added)
            return jd_error_set(err, JD_EINVALID, "person_id %s given twice", info[i].person_id);
        rowid[i] = (uint32_t)id;
        const char *note = NULL;
        int rc = jd_store__note(notes, info, i, &note, err);
        if (rc < 0)
            return rc;
        if (note) {
            sqlite3_reset(c);
            sqlite3_bind_int64(c, 1, id);
            jd_sq__bind_text(c, 2, note);
            if (sqlite3_step(c) != SQLITE_DONE)
                return jd_sq__err(q, err, "identity note");
        }
    }
    return JD_OK;
}

/*
 * ref_key, the blocking keys of resolved refs (one row a key, its refs as
 * text: store.h): all of it replaced from the keys of the refs saved (a
 * full resolve, inside its transaction), or, in an update, each ref that
 * carries keys taken out of the rows of the keys it had (on its
 * identity_ref row) and put into those of its keys now; and the refs
 * stored under some keys (ops->refs_by_keys).
 */

static int keys_prep(sq *q, const char *sql, sqlite3_stmt **st, jd_error *err)
{
    return sqlite3_prepare_v2(q->db, sql, -1, st, NULL) == SQLITE_OK
               ? JD_OK
               : jd_sq__err(q, err, "blocking keys");
}

/* Bind a ref's keys to identity_ref.keys (8 bytes a key, little-endian,
 * store.h: the ref's own array, no copy, on a little-endian machine; NULL
 * when the save carries none); b may hold the bytes until the step. */
static int bind_keys(sqlite3_stmt *st, int col, const jd_identity_save *r, jd_buf *b)
{
    if (!r->keys)
        return sqlite3_bind_null(st, col) == SQLITE_OK ? JD_OK : JD_ENOMEM;
    const void *v = jd_store__keys_blob(b, r->keys, r->nkeys);
    if (!v)
        return JD_ENOMEM;
    return sqlite3_bind_blob(st, col, v, (int)(r->nkeys * 8), SQLITE_STATIC) == SQLITE_OK
               ? JD_OK
               : JD_ENOMEM;
}

/* The keys a ref had on its identity_ref row (column col of st): the BLOB,
 * or a store's decimal text from before it. */
static int column_keys(sqlite3_stmt *st, int col, uint64_t **out, size_t *n)
{
    if (sqlite3_column_type(st, col) == SQLITE_BLOB)
        return jd_store__keys_unblob(sqlite3_column_blob(st, col),
                                     (size_t)sqlite3_column_bytes(st, col), out, n);
    return jd_store__keys_parse(jd_sq__opt_text(st, col), out, n);
}

#define KEY_PUT "INSERT OR REPLACE INTO ref_key(key, refs) VALUES (?1, ?2)"

static int key_put(sq *q, sqlite3_stmt *put, uint64_t key, const jd_buf *list, jd_error *err)
{
    sqlite3_reset(put);
    sqlite3_bind_int64(put, 1, (sqlite3_int64)key);
    sqlite3_bind_text(put, 2, list->ptr, (int)list->len, SQLITE_STATIC);
    return sqlite3_step(put) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "blocking keys");
}

/*
 * The lists of a replace come in key order (signed, as the rows are:
 * jd_store__key_lists), and the stored rows are walked beside them (old):
 * a row whose list is the same is left as it is, a row no list names is
 * deleted. A re-resolve changes few lists (a feed at 1M: 34,529 of 2.3M),
 * where deleting every row and inserting them all again was 1.45 s of the
 * save's main thread. The walk's statement only ever stands ahead of the
 * rows written: each row is written or deleted after the walk has passed it.
 */
typedef struct put_ctx {
    sq *q;
    sqlite3_stmt *put, *old, *del;
    bool have; /* old stands on a row */
    jd_error *err;
} put_ctx;

/* The walk one row on. */
static int old_next(put_ctx *c)
{
    int r = sqlite3_step(c->old);
    c->have = r == SQLITE_ROW;
    return r == SQLITE_ROW || r == SQLITE_DONE ? JD_OK : jd_sq__err(c->q, c->err, "blocking keys");
}

/* The stored rows before key (all: key NULL) deleted. */
static int old_drop(put_ctx *c, const int64_t *key)
{
    int rc = JD_OK;
    while (rc == JD_OK && c->have && (!key || sqlite3_column_int64(c->old, 0) < *key)) {
        int64_t k = sqlite3_column_int64(c->old, 0);
        if ((rc = old_next(c)) < 0)
            break;
        sqlite3_reset(c->del);
        sqlite3_bind_int64(c->del, 1, k);
        if (sqlite3_step(c->del) != SQLITE_DONE)
            rc = jd_sq__err(c->q, c->err, "blocking keys");
    }
    return rc;
}

static int put_list(uint64_t key, const char *list, size_t len, void *payload)
{
    put_ctx *c = payload;
    int64_t k = (int64_t)key;
    int rc = old_drop(c, &k);
    if (rc == JD_OK && c->have && sqlite3_column_int64(c->old, 0) == k) {
        bool same = sqlite3_column_type(c->old, 1) == SQLITE_TEXT &&
                    (size_t)sqlite3_column_bytes(c->old, 1) == len &&
                    !memcmp(sqlite3_column_text(c->old, 1), list, len);
        if ((rc = old_next(c)) < 0 || same)
            return rc;
    }
    jd_buf b = {.ptr = (char *)list, .len = len};
    return rc == JD_OK ? key_put(c->q, c->put, key, &b, c->err) : rc;
}

/* The lists of a full save, made by a thread of their own while the
 * identities are written (1M-event county: 2.4 s of CPU for 6.6M keys,
 * half the save's own work beside SQLite's). */
typedef struct lists_job {
    const jd_identity_save *refs;
    size_t n;
    jd_key_lists out;
} lists_job;

static void *lists_make(void *arg)
{
    lists_job *j = arg;
    (void)jd_store__key_lists_make(j->refs, j->n, &j->out);
    return NULL;
}

/* ref_key replaced by the lists made (ls), or, when ls is NULL, by lists
 * made here. */
static int keys_replace(sq *q, const jd_identity_save *refs, size_t n, const jd_key_lists *ls,
                        jd_error *err)
{
    put_ctx c = {q, NULL, NULL, NULL, false, err};
    int rc = keys_prep(q, KEY_PUT, &c.put, err);
    if (rc == JD_OK)
        rc = keys_prep(q, "SELECT key, refs FROM ref_key ORDER BY key", &c.old, err);
    if (rc == JD_OK)
        rc = keys_prep(q, "DELETE FROM ref_key WHERE key = ?1", &c.del, err);
    if (rc == JD_OK)
        rc = old_next(&c);
    size_t total = 0;
    if (rc == JD_OK && ls) {
        rc = ls->rc;
        total = ls->total;
        for (size_t i = 0; rc == JD_OK && i < ls->n; i++) {
            size_t from = i ? ls->end[i - 1] : 0;
            rc = put_list(ls->key[i], ls->text + from, ls->end[i] - from, &c);
        }
    } else if (rc == JD_OK) {
        rc = jd_store__key_lists(refs, n, put_list, &c, &total);
    }
    if (rc == JD_OK)
        rc = old_drop(&c, NULL); /* the keys no ref has now */
    if (rc == JD_ENOMEM)
        rc = jd_error_set(err, JD_ENOMEM, "out of memory saving blocking keys");
    sqlite3_finalize(c.put);
    sqlite3_finalize(c.old);
    sqlite3_finalize(c.del);
    /* the keys are the county's only when a run gave them */
    if (rc == JD_OK)
        rc = jd_sq__exec(q,
                         total ? "INSERT OR REPLACE INTO meta(key, value) VALUES ('ref_keys', '1')"
                               : "DELETE FROM meta WHERE key = 'ref_keys'",
                         err);
    return rc;
}

/* One key's row after its edits (jd_store__key_edits_apply): read once,
 * written once (deleted when no ref is left). */
static int key_edit(sq *q, sqlite3_stmt *const st[3], const jd_key_edits *e, size_t from,
                    size_t to, const jd_identity_save *refs, jd_buf *list, jd_error *err)
{
    sqlite3_stmt *get = st[0], *put = st[1], *del = st[2];
    uint64_t key = e->v[from].key;
    sqlite3_reset(get);
    sqlite3_bind_int64(get, 1, (sqlite3_int64)key);
    int s = sqlite3_step(get);
    jd_buf_reset(list);
    if (s == SQLITE_ROW &&
        jd_buf_add(list, sqlite3_column_text(get, 0), (size_t)sqlite3_column_bytes(get, 0)) != JD_OK)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        return jd_sq__err(q, err, "blocking keys");
    sqlite3_reset(get);
    if (jd_store__key_edits_apply(list, e->v, from, to, refs) != JD_OK)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    if (list->len)
        return key_put(q, put, key, list, err);
    sqlite3_reset(del);
    sqlite3_bind_int64(del, 1, (sqlite3_int64)key);
    return sqlite3_step(del) == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "blocking keys");
}

/* The edits of the refs that carry keys: the keys each had (on its row,
 * not yet rewritten) against its keys now. */
static int key_edits_plan(sq *q, const jd_identity_save *refs, size_t n, jd_key_edits *e,
                          jd_error *err)
{
    sqlite3_stmt *old = NULL;
    int rc = keys_prep(q, "SELECT keys FROM identity_ref WHERE agency = ?1 AND person_ref = ?2",
                       &old, err);
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        const jd_identity_save *r = &refs[i];
        if (!r->keys)
            continue;
        sqlite3_reset(old);
        jd_sq__bind_text(old, 1, r->agency);
        jd_sq__bind_text(old, 2, r->person_ref);
        int s = sqlite3_step(old);
        uint64_t *had = NULL;
        size_t nb = 0;
        if (s != SQLITE_ROW && s != SQLITE_DONE)
            rc = jd_sq__err(q, err, "blocking keys");
        else if ((s == SQLITE_ROW ? column_keys(old, 0, &had, &nb)
                                  : jd_store__keys_parse(NULL, &had, &nb)) != JD_OK ||
                 jd_store__key_edits_add(e, refs, (uint32_t)i, had, nb) != JD_OK)
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        sqlite3_reset(old);
        free(had);
    }
    sqlite3_finalize(old);
    return rc;
}

/* Each key's row edited once, however many refs of the update share it
 * (1M-event county, 5,000-event feed: 38,678 edits of 34,529 keys). */
static int keys_update(sq *q, const jd_identity_save *refs, size_t n, jd_error *err)
{
    jd_key_edits e = {0};
    sqlite3_stmt *st[3] = {NULL};
    int rc = key_edits_plan(q, refs, n, &e, err);
    if (rc == JD_OK)
        rc = keys_prep(q, "SELECT refs FROM ref_key WHERE key = ?1", &st[0], err);
    if (rc == JD_OK)
        rc = keys_prep(q, KEY_PUT, &st[1], err);
    if (rc == JD_OK)
        rc = keys_prep(q, "DELETE FROM ref_key WHERE key = ?1", &st[2], err);
    jd_store__key_edits_sort(&e);
    jd_buf list = JD_BUF_INIT(SIZE_MAX);
    for (size_t a = 0, b; rc == JD_OK && a < e.n; a = b) {
        for (b = a + 1; b < e.n && e.v[b].key == e.v[a].key; b++)
            ;
        rc = key_edit(q, st, &e, a, b, refs, &list, err);
    }
    jd_buf_dispose(&list);
    for (int k = 0; k < 3; k++)
        sqlite3_finalize(st[k]);
    free(e.v);
    return rc;
}

static int sq_refs_by_keys(jd_store *s, const uint64_t *keys, size_t n, bool *have,
                           int (*cb)(uint64_t key, const char *agency, const char *ref,
                                     void *payload),
                           void *payload, jd_error *err)
{
    sq *q = s->impl;
    *have = false;
    sqlite3_stmt *st = NULL;
    int rc = keys_prep(q, "SELECT 1 FROM meta WHERE key = 'ref_keys'", &st, err);
    if (rc < 0)
        return rc;
    int r = sqlite3_step(st);
    *have = r == SQLITE_ROW;
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return jd_sq__err(q, err, "blocking keys");
    if (!*have)
        return JD_OK;
    rc = jd_sq__exec(q,
                     "CREATE TEMP TABLE IF NOT EXISTS jd_res_key(k INTEGER PRIMARY KEY);"
                     "DELETE FROM temp.jd_res_key;",
                     err);
    sqlite3_stmt *ins = NULL;
    if (rc == JD_OK)
        rc = keys_prep(q, "INSERT OR IGNORE INTO temp.jd_res_key(k) VALUES (?1)", &ins, err);
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)keys[i]);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "blocking keys");
    }
    sqlite3_finalize(ins);
    if (rc == JD_OK)
        rc = keys_prep(q,
                       "SELECT t.k, r.refs FROM temp.jd_res_key t"
                       " CROSS JOIN ref_key r ON r.key = t.k ORDER BY t.k",
                       &st, err);
    if (rc < 0)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW &&
           (rc = jd_store__refs_each((uint64_t)sqlite3_column_int64(st, 0),
                                     (const char *)sqlite3_column_text(st, 1),
                                     (size_t)sqlite3_column_bytes(st, 1), cb, payload)) == JD_OK)
        ;
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "blocking keys");
    sqlite3_finalize(st); /* a callback's non-zero stops the rows and is returned */
    return rc;
}

/*
 * identity_ref as it was before a re-resolve's save, read in one scan in
 * its key order (agency, person_ref): each row's key and a digest (two
 * 64-bit hashes) of its other columns, typed as SQLite holds them. A ref
 * whose row is there with the same digest is left without a statement
 * (the upsert of each of 936,567 refs at 1M was 2.1 s of the save's main
 * thread, most of them unchanged). The refs are walked in the same order;
 * a ref out of that order finds no row and is written as before.
 */
typedef struct old_refs {
    jd_buf keys; /* agency NUL person_ref NUL, a row after another */
    size_t *at;  /* row k's key at keys.ptr + at[k] */
    uint64_t (*dg)[2];
    size_t n, next; /* rows; the next one a ref may match */
    jd_buf t;       /* the digest's bytes */
} old_refs;

/* A value of a digest: its SQLite type, length and bytes. */
static int dg_typed(jd_buf *t, int type, const void *s, size_t n)
{
    unsigned char h[9] = {(unsigned char)type};
    uint64_t len = (uint64_t)n;
    memcpy(h + 1, &len, sizeof len);
    int rc = jd_buf_add(t, h, sizeof h);
    return rc == JD_OK && n ? jd_buf_add(t, s, n) : rc;
}

static void dg_end(const jd_buf *t, uint64_t dg[2])
{
    dg[0] = jd_hash_fast(t->ptr, t->len, 0x6a09e667f3bcc908ULL);
    dg[1] = jd_hash_fast(t->ptr, t->len, 0xbb67ae8584caa73bULL);
}

/* Column i of st into the digest being made, as its type holds it. */
static int dg_column(jd_buf *t, sqlite3_stmt *st, int i)
{
    int ty = sqlite3_column_type(st, i);
    if (ty == SQLITE_INTEGER) {
        int64_t v = sqlite3_column_int64(st, i);
        return dg_typed(t, ty, &v, sizeof v);
    }
    if (ty == SQLITE_FLOAT) {
        double v = sqlite3_column_double(st, i);
        return dg_typed(t, ty, &v, sizeof v);
    }
    const void *v = ty == SQLITE_TEXT   ? (const void *)sqlite3_column_text(st, i)
                    : ty == SQLITE_BLOB ? sqlite3_column_blob(st, i)
                                        : NULL;
    return dg_typed(t, ty, v, v ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

static void old_refs_free(old_refs *o)
{
    jd_buf_dispose(&o->keys);
    jd_buf_dispose(&o->t);
    free(o->at);
    free(o->dg);
}

static int old_refs_read(sq *q, old_refs *o, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT agency, person_ref, identity_id, fp, nbr, keys FROM identity_ref"
                           " ORDER BY agency, person_ref",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identity ref");
    int rc = JD_OK, r;
    size_t cap = 0;
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *ag = (const char *)sqlite3_column_text(st, 0),
                   *pr = (const char *)sqlite3_column_text(st, 1);
        if (!ag || !pr || strlen(ag) != (size_t)sqlite3_column_bytes(st, 0) ||
            strlen(pr) != (size_t)sqlite3_column_bytes(st, 1))
            continue; /* NULL or a NUL inside: never stored; the statement decides */
        if (o->n == cap) {
            size_t nc = cap ? cap * 2 : 4096;
            size_t *na = realloc(o->at, nc * sizeof *na);
            if (na)
                o->at = na;
            uint64_t(*nd)[2] = na ? realloc(o->dg, nc * sizeof *nd) : NULL;
            if (!nd) {
                rc = JD_ENOMEM;
                break;
            }
            o->dg = nd;
            cap = nc;
        }
        o->at[o->n] = o->keys.len;
        o->t.len = 0;
        for (int c = 2; rc == JD_OK && c < 6; c++)
            rc = dg_column(&o->t, st, c);
        if (rc == JD_OK &&
            ((rc = jd_buf_add(&o->keys, ag, (size_t)sqlite3_column_bytes(st, 0))) < 0 ||
             (rc = jd_buf_addc(&o->keys, '\0')) < 0 ||
             (rc = jd_buf_add(&o->keys, pr, (size_t)sqlite3_column_bytes(st, 1))) < 0 ||
             (rc = jd_buf_addc(&o->keys, '\0')) < 0))
            break;
        if (rc == JD_OK)
            dg_end(&o->t, o->dg[o->n++]);
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identity ref");
    else if (rc == JD_ENOMEM)
        rc = jd_oom(err);
    sqlite3_finalize(st);
    return rc;
}

/* Does ref r, its identity's row id id and its keys' blob (kb, kn bytes;
 * kb NULL: none) match its row in o? The rows before it are passed by.
 * JD_OK (*same set) or JD_ENOMEM. */
static int ref_same(old_refs *o, const jd_identity_save *r, int64_t id, const void *kb,
                    size_t kn, bool *same)
{
    *same = false;
    if (!o)
        return JD_OK;
    int c = 1;
    while (o->next < o->n) {
        const char *ag = o->keys.ptr + o->at[o->next], *pr = ag + strlen(ag) + 1;
        c = strcmp(ag, r->agency);
        c = c ? c : strcmp(pr, r->person_ref);
        if (c >= 0)
            break;
        o->next++;
    }
    if (o->next == o->n || c != 0)
        return JD_OK;
    jd_buf *t = &o->t;
    t->len = 0;
    int rc = dg_typed(t, SQLITE_INTEGER, &id, sizeof id);
    if (rc == JD_OK)
        rc = r->fp ? dg_typed(t, SQLITE_INTEGER, &r->fp, sizeof r->fp)
                   : dg_typed(t, SQLITE_NULL, NULL, 0);
    if (rc == JD_OK)
        rc = r->nbr ? dg_typed(t, SQLITE_TEXT, r->nbr, strlen(r->nbr))
                    : dg_typed(t, SQLITE_NULL, NULL, 0);
    if (rc == JD_OK)
        rc = dg_typed(t, kb ? SQLITE_BLOB : SQLITE_NULL, kb, kb ? kn : 0);
    if (rc != JD_OK)
        return rc;
    uint64_t dg[2];
    dg_end(t, dg);
    *same = dg[0] == o->dg[o->next][0] && dg[1] == o->dg[o->next][1];
    return JD_OK;
}

/* The row id of ref r's identity: by its info_ix when that names info[k]
 * with r's person_id (rowid[k]: the identities saved in info's order; the
 * person_id's hash look-up was 0.5 s of the 1M save), else from ids. */
static const uint32_t *ref_rowid(const jd_identity_save *r, jd_strmap *ids,
                                 const jd_identity_info *info, size_t ninfo,
                                 const uint32_t *rowid)
{
    uint32_t k = r->info_ix;
    if (rowid && k && k <= ninfo &&
        (info[k - 1].person_id == r->person_id || !strcmp(info[k - 1].person_id, r->person_id)))
        return &rowid[k - 1];
    return jd_strmap_get(ids, r->person_id, strlen(r->person_id));
}

/* Each ref's identity_ref row through b (an insert, or replace_changed's
 * upsert), its identity's row id from ref_rowid (rowid NULL: from ids). */
static int put_refs(sq *q, sqlite3_stmt *b, const jd_identity_save *refs, size_t nrefs,
                    jd_strmap *ids, const jd_identity_info *info, size_t ninfo,
                    const uint32_t *rowid, old_refs *old, jd_error *err)
{
    int rc = JD_OK;
    jd_buf kt = JD_BUF_INIT(SIZE_MAX);
    for (size_t i = 0; rc == JD_OK && i < nrefs; i++) {
        const uint32_t *id = ref_rowid(&refs[i], ids, info, ninfo, rowid);
        if (!id) {
            rc = jd_error_set(err, JD_EINVALID, "ref %s:%s names person_id %s, which has no"
                              " identity", refs[i].agency, refs[i].person_ref,
                              refs[i].person_id);
            break;
        }
        if (old) {
            const void *kb = refs[i].keys ? jd_store__keys_blob(&kt, refs[i].keys, refs[i].nkeys)
                                          : NULL;
            bool same = false;
            if ((refs[i].keys && !kb) ||
                ref_same(old, &refs[i], *id, kb, (size_t)refs[i].nkeys * 8, &same) != JD_OK) {
                rc = jd_error_set(err, JD_ENOMEM, "out of memory");
                break;
            }
            if (same)
                continue;
        }
        sqlite3_reset(b);
        jd_sq__bind_text(b, 1, refs[i].agency);
        jd_sq__bind_text(b, 2, refs[i].person_ref);
        sqlite3_bind_int64(b, 3, *id);
        if (refs[i].fp)
            sqlite3_bind_int64(b, 4, refs[i].fp);
        else
            sqlite3_bind_null(b, 4);
        jd_sq__bind_text(b, 5, refs[i].nbr);
        if (bind_keys(b, 6, &refs[i], &kt) != JD_OK)
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        else if (sqlite3_step(b) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "identity ref");
    }
    jd_buf_dispose(&kt);
    return rc;
}

/* A first resolve: identity_ref and identity_note emptied, the index on
 * identity_ref dropped, every row inserted, the index built again. */
static int replace_all(sq *q, const jd_identity_save *refs, size_t nrefs,
                       const jd_identity_info *info, size_t ninfo, const jd_note_maker *notes,
                       int64_t now, jd_strmap *ids, jd_error *err)
{
    sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
    int rc = jd_sq__exec(q,
                         "DELETE FROM identity_ref; DELETE FROM identity_note;"
                         " DROP INDEX identity_ref_identity;",
                         err);
    /* into an empty table (a first resolve) a plain insert: the upsert's
     * RETURNING costs an ephemeral table and a statement journal a row
     * (1M-event county: about 2 s of the serial save) */
    int64_t have = rc == JD_OK ? count_of(q, "SELECT count(*) FROM (SELECT 1 FROM identity"
                                             " LIMIT 1)") : 0;
    if (have < 0)
        rc = jd_sq__err(q, err, "identities");
    if (rc == JD_OK &&
        (sqlite3_prepare_v2(q->db,
                            have ? "INSERT INTO identity(person_id, display_name, dob, is_child,"
                                   " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
                                   " ON CONFLICT(person_id) DO UPDATE SET display_name = ?2,"
                                   " dob = ?3, is_child = ?4, updated_at = ?5 RETURNING id"
                                 : "INSERT INTO identity(person_id, display_name, dob, is_child,"
                                   " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                            -1, &a, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(q->db,
                            "INSERT INTO identity_ref(agency, person_ref, identity_id, fp, nbr,"
                            " keys) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            -1, &b, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(q->db,
                            "INSERT INTO identity_note(identity_id, note) VALUES (?1, ?2)",
                            -1, &c, NULL) != SQLITE_OK))
        rc = jd_sq__err(q, err, "identities");
    uint32_t *rowid = rc == JD_OK ? malloc((ninfo ? ninfo : 1) * sizeof *rowid) : NULL;
    if (rc == JD_OK && !rowid)
        rc = jd_oom(err);
    if (rc == JD_OK)
        rc = save_identities(q, a, c, ids, rowid, have == 0, info, ninfo, notes, now, err);
    if (rc == JD_OK)
        rc = put_refs(q, b, refs, nrefs, ids, info, ninfo, rowid, NULL, err);
    free(rowid);
    sqlite3_finalize(a);
    sqlite3_finalize(b);
    sqlite3_finalize(c);
    return rc == JD_OK ? jd_sq__exec(q, "CREATE INDEX identity_ref_identity ON"
                                        " identity_ref(identity_id);", err)
                       : rc;
}

/* One identity of an update: its row upserted, its notes replaced, each
 * only where it differs (most identities of a scope are re-resolved to what
 * they were: their rows and notes are left as they are). *id gets its row
 * id. st: the upsert (a row back when it wrote), the id's select, the notes'
 * delete and insert; note: its note (NULL none). */
static int upd_identity(sq *q, sqlite3_stmt *const st[4], const jd_identity_info *info,
                        const char *note, int64_t now, int64_t *id, jd_error *err)
{
    sqlite3_stmt *up = st[0], *sel = st[1];
    sqlite3_reset(up);
    jd_sq__bind_text(up, 1, info->person_id);
    jd_sq__bind_text(up, 2, info->display_name);
    jd_sq__bind_text(up, 3, info->dob);
    sqlite3_bind_int(up, 4, info->is_child);
    sqlite3_bind_int64(up, 5, now);
    int r = sqlite3_step(up);
    if (r == SQLITE_ROW)
        *id = sqlite3_column_int64(up, 0);
    else if (r == SQLITE_DONE) { /* the row as it was */
        sqlite3_reset(sel);
        jd_sq__bind_text(sel, 1, info->person_id);
        if (sqlite3_step(sel) != SQLITE_ROW)
            return jd_sq__err(q, err, "identity");
        *id = sqlite3_column_int64(sel, 0);
    } else
        return jd_sq__err(q, err, "identity");
    for (int k = 2; k < 4; k++) {
        sqlite3_stmt *x = st[k];
        sqlite3_reset(x);
        sqlite3_bind_int64(x, 1, *id);
        jd_sq__bind_text(x, 2, note);
        if (sqlite3_step(x) != SQLITE_DONE)
            return jd_sq__err(q, err, "identity note");
    }
    return JD_OK;
}

/* An identity written only where it differs (upd_identity's statements). */
static const char *const upd_sql[4] = {
    "INSERT INTO identity(person_id, display_name, dob, is_child, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(person_id) DO UPDATE SET"
    " display_name = ?2, dob = ?3, is_child = ?4, updated_at = ?5"
    " WHERE display_name IS NOT ?2 OR dob IS NOT ?3 OR is_child IS NOT ?4 RETURNING id",
    "SELECT id FROM identity WHERE person_id = ?1",
    "DELETE FROM identity_note WHERE identity_id = ?1 AND note IS NOT ?2",
    "INSERT INTO identity_note(identity_id, note) SELECT ?1, ?2 WHERE ?2 IS NOT NULL AND"
    " NOT EXISTS (SELECT 1 FROM identity_note WHERE identity_id = ?1 AND note = ?2)"};

/*
 * The identities as they were before a full re-resolve's save, read in one
 * scan (at 1M most are re-resolved to what they were, and upd_identity's
 * four statements a row were the save's largest piece on the main thread:
 * 4.5 s of its 8 s): person_id -> index in v, each its row id and a digest
 * (two 64-bit hashes of different seeds) of what upd_identity compares, its
 * display name, date of birth, child flag and its one note (an identity
 * with two notes or more, or a column of another type, is left out: the
 * statements decide).
 */
typedef struct old_ident {
    int64_t id;
    uint64_t dg[2];
} old_ident;

typedef struct old_idents {
    jd_strmap at;
    old_ident *v;
    size_t n;
    jd_buf t; /* the digest's bytes */
} old_idents;

/* A field of a digest: present or not, its length and bytes. */
static int dg_field(jd_buf *t, const void *s, size_t n)
{
    unsigned char h[9] = {s != NULL};
    uint64_t len = s ? (uint64_t)n : 0;
    memcpy(h + 1, &len, sizeof len);
    int rc = jd_buf_add(t, h, sizeof h);
    return rc == JD_OK && s && n ? jd_buf_add(t, s, n) : rc;
}

/* The digest of an identity's fields and note into dg. JD_OK or JD_ENOMEM. */
static int ident_digest(jd_buf *t, const char *name, size_t nl, const char *dob, size_t dl,
                        int64_t is_child, const char *note, size_t notel, uint64_t dg[2])
{
    t->len = 0;
    int rc = dg_field(t, name, nl);
    if (rc == JD_OK)
        rc = dg_field(t, dob, dl);
    if (rc == JD_OK)
        rc = jd_buf_add(t, &is_child, sizeof is_child);
    if (rc == JD_OK)
        rc = dg_field(t, note, notel);
    if (rc != JD_OK)
        return rc;
    dg[0] = jd_hash_fast(t->ptr, t->len, 0x6a09e667f3bcc908ULL);
    dg[1] = jd_hash_fast(t->ptr, t->len, 0xbb67ae8584caa73bULL);
    return JD_OK;
}

static void old_idents_free(old_idents *o)
{
    jd_strmap_free(&o->at);
    free(o->v);
    jd_buf_dispose(&o->t);
}

/* Text or NULL of column i of st into *s, *n; false for another type. */
static bool col_text(sqlite3_stmt *st, int i, const char **s, size_t *n)
{
    int ty = sqlite3_column_type(st, i);
    *s = ty == SQLITE_TEXT ? (const char *)sqlite3_column_text(st, i) : NULL;
    *n = *s ? (size_t)sqlite3_column_bytes(st, i) : 0;
    return ty == SQLITE_NULL || *s;
}

static int old_idents_read(sq *q, old_idents *o, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT i.id, i.person_id, i.display_name, i.dob, i.is_child,"
                           " (SELECT count(*) FROM identity_note n WHERE n.identity_id = i.id),"
                           " (SELECT n.note FROM identity_note n WHERE n.identity_id = i.id)"
                           " FROM identity i",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identities");
    int rc = JD_OK, r;
    size_t cap = 0;
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *pid = (const char *)sqlite3_column_text(st, 1), *name, *dob, *note = NULL;
        size_t nl, dl, notel = 0, pl = (size_t)sqlite3_column_bytes(st, 1);
        int64_t notes = sqlite3_column_int64(st, 5);
        if (!pid || !col_text(st, 2, &name, &nl) || !col_text(st, 3, &dob, &dl) ||
            sqlite3_column_type(st, 4) != SQLITE_INTEGER || notes > 1 ||
            (notes == 1 && !(note = (const char *)sqlite3_column_text(st, 6))))
            continue; /* the statements decide */
        notel = note ? (size_t)sqlite3_column_bytes(st, 6) : 0;
        if (o->n == cap) {
            size_t nc = cap ? cap * 2 : 4096;
            old_ident *nv = realloc(o->v, nc * sizeof *nv);
            if (!nv) {
                rc = JD_ENOMEM;
                break;
            }
            o->v = nv;
            cap = nc;
        }
        old_ident *e = &o->v[o->n];
        e->id = sqlite3_column_int64(st, 0);
        bool added = false;
        if ((rc = ident_digest(&o->t, name, nl, dob, dl, sqlite3_column_int64(st, 4), note, notel,
                               e->dg)) == JD_OK &&
            !jd_strmap_put(&o->at, pid, pl, (uint32_t)o->n, &added))
            rc = JD_ENOMEM;
        if (added)
            o->n++;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identities");
    else if (rc == JD_ENOMEM)
        rc = jd_oom(err);
    sqlite3_finalize(st);
    return rc;
}

/* Does info, with its note, match what old holds for its person_id? *id
 * gets the row id then. JD_OK (no: *same false) or JD_ENOMEM. */
static int ident_same(old_idents *o, const jd_identity_info *info, const char *note,
                      int64_t *id, bool *same)
{
    *same = false;
    const uint32_t *k = o ? jd_strmap_get(&o->at, info->person_id, strlen(info->person_id))
                          : NULL;
    if (!k)
        return JD_OK;
    uint64_t dg[2];
    const char *nm = info->display_name, *dob = info->dob;
    int rc = ident_digest(&o->t, nm, nm ? strlen(nm) : 0, dob, dob ? strlen(dob) : 0,
                          info->is_child, note, note ? strlen(note) : 0, dg);
    if (rc == JD_OK && dg[0] == o->v[*k].dg[0] && dg[1] == o->v[*k].dg[1]) {
        *same = true;
        *id = o->v[*k].id;
    }
    return rc;
}

/* The identities of a save, each upserted where it differs (the notes
 * from notes, jd_store__note); ids: person_id -> row id; old (NULL: none
 * read) the identities before the save, whose rows that match are left
 * without a statement. */
static int upd_identities(sq *q, const jd_identity_info *info, size_t ninfo,
                          const jd_note_maker *notes, int64_t now, jd_strmap *ids,
                          old_idents *old, jd_error *err)
{
    sqlite3_stmt *st[4] = {NULL};
    int rc = JD_OK;
    for (int k = 0; rc == JD_OK && k < 4; k++)
        if (sqlite3_prepare_v2(q->db, upd_sql[k], -1, &st[k], NULL) != SQLITE_OK)
            rc = jd_sq__err(q, err, "identities");
    for (size_t i = 0; rc == JD_OK && i < ninfo; i++) {
        int64_t id = 0;
        const char *note = NULL;
        bool same = false;
        rc = jd_store__note(notes, info, i, &note, err);
        if (rc == JD_OK && ident_same(old, &info[i], note, &id, &same) != JD_OK)
            rc = jd_oom(err);
        if (rc == JD_OK && !same)
            rc = upd_identity(q, st, &info[i], note, now, &id, err);
        if (rc == JD_OK && (id <= 0 || id > UINT32_MAX))
            rc = jd_error_set(err, JD_ESTORE, "identity row id %lld out of range", (long long)id);
        bool added = false;
        if (rc == JD_OK &&
            !jd_strmap_put(ids, info[i].person_id, strlen(info[i].person_id), (uint32_t)id, &added))
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        if (rc == JD_OK && !added)
            rc = jd_error_set(err, JD_EINVALID, "person_id %s given twice", info[i].person_id);
    }
    for (int k = 0; k < 4; k++)
        sqlite3_finalize(st[k]);
    return rc;
}

/* The identity_ref rows of refs not among refs[] deleted (a ref whose
 * mentions are gone): the refs saved in a temporary table, the rest
 * removed. */
static int drop_unsaved_refs(sq *q, const jd_identity_save *refs, size_t nrefs, jd_error *err)
{
    int rc = jd_sq__exec(q,
                         "CREATE TEMP TABLE IF NOT EXISTS jd_saved_ref(agency TEXT NOT NULL,"
                         " person_ref TEXT NOT NULL, PRIMARY KEY(agency, person_ref))"
                         " WITHOUT ROWID; DELETE FROM temp.jd_saved_ref;",
                         err);
    sqlite3_stmt *st = NULL;
    if (rc == JD_OK && sqlite3_prepare_v2(q->db,
                                          "INSERT OR IGNORE INTO temp.jd_saved_ref(agency,"
                                          " person_ref) VALUES (?1, ?2)",
                                          -1, &st, NULL) != SQLITE_OK)
        rc = jd_sq__err(q, err, "identity ref");
    for (size_t i = 0; rc == JD_OK && i < nrefs; i++) {
        sqlite3_reset(st);
        jd_sq__bind_text(st, 1, refs[i].agency);
        jd_sq__bind_text(st, 2, refs[i].person_ref);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "identity ref");
    }
    sqlite3_finalize(st);
    if (rc == JD_OK)
        rc = jd_sq__exec(q,
                         "DELETE FROM identity_ref WHERE NOT EXISTS (SELECT 1 FROM"
                         " temp.jd_saved_ref k WHERE k.agency = identity_ref.agency AND"
                         " k.person_ref = identity_ref.person_ref); DELETE FROM temp.jd_saved_ref;",
                         err);
    return rc;
}

/*
 * A re-resolve (identity_ref has rows): the rows that differ are written,
 * the rest left as they are (at 1M most are unchanged: writing all of them
 * was 640 MB through the WAL and again at its checkpoint); refs no longer
 * saved, and the notes of identities left with no ref, removed. The rows
 * are those replace_all would leave (row ids of identity_ref and
 * identity_note aside, and updated_at, now the time an identity changed).
 */
static int replace_changed(sq *q, const jd_identity_save *refs, size_t nrefs,
                           const jd_identity_info *info, size_t ninfo,
                           const jd_note_maker *notes, int64_t now, jd_strmap *ids,
                           jd_error *err)
{
    old_idents old = {.t = JD_BUF_INIT(SIZE_MAX)};
    jd_strmap_init(&old.at);
    int rc = old_idents_read(q, &old, err);
    if (rc == JD_OK)
        rc = upd_identities(q, info, ninfo, notes, now, ids, &old, err);
    old_idents_free(&old);
    sqlite3_stmt *b = NULL;
    if (rc == JD_OK &&
        sqlite3_prepare_v2(q->db,
                           "INSERT INTO identity_ref(agency, person_ref, identity_id, fp, nbr,"
                           " keys) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                           " ON CONFLICT(agency, person_ref) DO UPDATE"
                           " SET identity_id = excluded.identity_id, fp = excluded.fp,"
                           " nbr = excluded.nbr, keys = excluded.keys"
                           " WHERE identity_id IS NOT excluded.identity_id OR fp IS NOT excluded.fp"
                           " OR nbr IS NOT excluded.nbr OR keys IS NOT excluded.keys",
                           -1, &b, NULL) != SQLITE_OK)
        rc = jd_sq__err(q, err, "identity ref");
    old_refs orefs = {.keys = JD_BUF_INIT(SIZE_MAX), .t = JD_BUF_INIT(SIZE_MAX)};
    if (rc == JD_OK)
        rc = old_refs_read(q, &orefs, err);
    if (rc == JD_OK)
        rc = put_refs(q, b, refs, nrefs, ids, NULL, 0, NULL, &orefs, err);
    old_refs_free(&orefs);
    sqlite3_finalize(b);
    int64_t have = rc == JD_OK ? count_of(q, "SELECT count(*) FROM identity_ref") : 0;
    if (rc == JD_OK && have < 0)
        rc = jd_sq__err(q, err, "identity ref");
    if (rc == JD_OK && have != (int64_t)nrefs) /* refs not saved: their rows go */
        rc = drop_unsaved_refs(q, refs, nrefs, err);
    /* the notes of the identities left with no ref, found by the notes'
     * index (a scan of every note was 200 MB read at 1M, for the few
     * identities a re-resolve leaves empty); sq_identities_replace deletes
     * the identities next. The notes name an identity (foreign key; each
     * save deletes an identity's notes with it), so no other note is left
     * without a ref. */
    if (rc == JD_OK)
        rc = jd_sq__exec(q,
                         "DELETE FROM identity_note WHERE identity_id IN (SELECT i.id FROM"
                         " identity i WHERE NOT EXISTS (SELECT 1 FROM identity_ref r"
                         " WHERE r.identity_id = i.id));",
                         err);
    return rc;
}

static int sq_identities_replace(jd_store *s, const jd_identity_save *refs, size_t nrefs,
                                 const jd_identity_info *info, size_t ninfo,
                                 const jd_note_maker *notes, const char *model_json,
                                 int64_t candidate_pairs, int64_t links,
                                 jd_error *err)
{
    sq *q = s->impl;
    bool early = q->keys_early; /* begun, ref_key written: sq_keys_replace_early */
    q->keys_early = false;
    int rc = early ? JD_OK : bulk_begin(q, err);
    if (rc < 0)
        return rc;
    lists_job lj = {refs, nrefs, {0}};
    pthread_t lt;
    bool threaded = !early && pthread_create(&lt, NULL, lists_make, &lj) == 0;
    jd_strmap ids;
    jd_strmap_init(&ids);
    int64_t now = jd_sq__now();
    reset_cached(q);
    int64_t had = count_of(q, "SELECT count(*) FROM (SELECT 1 FROM identity_ref LIMIT 1)");
    if (had < 0)
        rc = jd_sq__err(q, err, "identity ref");
    if (rc == JD_OK)
        rc = had ? replace_changed(q, refs, nrefs, info, ninfo, notes, now, &ids, err)
                 : replace_all(q, refs, nrefs, info, ninfo, notes, now, &ids, err);
    /* identities no ref points at any more removed */
    if (rc == JD_OK)
        rc = jd_sq__exec(q,
                  "DELETE FROM identity WHERE NOT EXISTS (SELECT 1 FROM identity_ref r"
                  " WHERE r.identity_id = identity.id);",
                  err);
    if (rc == JD_OK)
        rc = sq_full_run(q, now, (int64_t)nrefs, candidate_pairs, links, (int64_t)ninfo,
                         model_json, err);
    jd_strmap_free(&ids);
    if (threaded)
        pthread_join(lt, NULL);
    /* with no statement open: the keys' index is dropped and built again */
    if (rc == JD_OK && !early)
        rc = keys_replace(q, refs, nrefs, threaded ? &lj.out : NULL, err);
    jd_store__key_lists_free(&lj.out);
    return bulk_end(q, rc, err);
}

/*
 * ref_key written while the resolve still clusters (on a thread of its
 * own: the second core is idle then), in the transaction that
 * sq_identities_replace goes on with. 1M-event county: 1.4 s of the main
 * thread's writes and 2.4 s of making the lists, off the serial save.
 */
static int sq_keys_replace_early(jd_store *s, const jd_identity_save *refs, size_t nrefs,
                                 jd_error *err)
{
    sq *q = s->impl;
    int rc = bulk_begin(q, err);
    if (rc < 0)
        return rc;
    reset_cached(q);
    rc = keys_replace(q, refs, nrefs, NULL, err);
    if (rc < 0)
        return bulk_end(q, rc, err);
    q->keys_early = true;
    return JD_OK;
}

static void sq_keys_abort(jd_store *s)
{
    sq *q = s->impl;
    if (q->keys_early)
        (void)bulk_end(q, JD_ESTORE, NULL);
    q->keys_early = false;
}

/* The refs of an update, each to its identity (ids: person_id -> row id). */
static int upd_refs(sq *q, const jd_identity_update *u, jd_strmap *ids, jd_error *err)
{
    sqlite3_stmt *b = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO identity_ref(agency, person_ref, identity_id, fp, nbr,"
                           " keys) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                           " ON CONFLICT(agency, person_ref) DO UPDATE"
                           " SET identity_id = excluded.identity_id, fp = excluded.fp,"
                           " nbr = excluded.nbr, keys = coalesce(excluded.keys, keys)",
                           -1, &b, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identity ref");
    int rc = JD_OK;
    jd_buf kt = JD_BUF_INIT(SIZE_MAX);
    for (size_t i = 0; rc == JD_OK && i < u->nrefs; i++) {
        const jd_identity_save *r = &u->refs[i];
        const uint32_t *id = jd_strmap_get(ids, r->person_id, strlen(r->person_id));
        if (!id) {
            rc = jd_error_set(err, JD_EINVALID, "a ref names person_id %s, which is not updated",
                              r->person_id);
            break;
        }
        sqlite3_reset(b);
        jd_sq__bind_text(b, 1, r->agency);
        jd_sq__bind_text(b, 2, r->person_ref);
        sqlite3_bind_int64(b, 3, *id);
        if (r->fp)
            sqlite3_bind_int64(b, 4, r->fp);
        else
            sqlite3_bind_null(b, 4);
        jd_sq__bind_text(b, 5, r->nbr);
        if (bind_keys(b, 6, r, &kt) != JD_OK)
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        else if (sqlite3_step(b) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "identity ref");
    }
    jd_buf_dispose(&kt);
    sqlite3_finalize(b);
    return rc;
}

/* Identities left with no ref deleted (with their notes); the run and its
 * changes recorded. */
static int upd_finish(sq *q, const jd_identity_update *u, int64_t now, jd_error *err)
{
    sqlite3_stmt *g = NULL, *n = NULL, *r = NULL, *c = NULL;
    int rc = JD_OK;
    if (sqlite3_prepare_v2(q->db,
                           "DELETE FROM identity WHERE person_id = ?1 AND NOT EXISTS"
                           " (SELECT 1 FROM identity_ref r WHERE r.identity_id = identity.id)"
                           " RETURNING id",
                           -1, &g, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db,
                           "DELETE FROM identity_note WHERE identity_id ="
                           " (SELECT id FROM identity WHERE person_id = ?1)",
                           -1, &n, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db,
                           "INSERT INTO resolve_run(started_at, finished_at, mode, refs,"
                           " candidate_pairs, links, identities) VALUES"
                           " (?1, ?1, 'incremental', ?2, ?3, ?4, ?5)",
                           -1, &r, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db,
                           "INSERT INTO identity_change(run_id, person_id, how, other)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &c, NULL) != SQLITE_OK)
        rc = jd_sq__err(q, err, "identity update");
    for (size_t i = 0; rc == JD_OK && i < u->ngone; i++) {
        sqlite3_reset(n);
        jd_sq__bind_text(n, 1, u->gone[i]);
        if (sqlite3_step(n) != SQLITE_DONE) {
            rc = jd_sq__err(q, err, "identity gone");
            break;
        }
        sqlite3_reset(g);
        jd_sq__bind_text(g, 1, u->gone[i]);
        if (sqlite3_step(g) != SQLITE_ROW) {
            rc = jd_error_set(err, JD_EINVALID, "identity %s is not gone: refs still name it",
                              u->gone[i]);
            break;
        }
        if (sqlite3_step(g) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "identity gone");
    }
    if (rc == JD_OK) {
        sqlite3_bind_int64(r, 1, now);
        sqlite3_bind_int64(r, 2, u->refs_total);
        sqlite3_bind_int64(r, 3, u->candidate_pairs);
        sqlite3_bind_int64(r, 4, u->links);
        sqlite3_bind_int64(r, 5, u->identities_total);
        if (sqlite3_step(r) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "resolve run");
    }
    int64_t run = sqlite3_last_insert_rowid(q->db);
    if (rc == JD_OK && u->run_id)
        *u->run_id = run;
    for (size_t i = 0; rc == JD_OK && i < u->nchanges; i++) {
        sqlite3_reset(c);
        sqlite3_bind_int64(c, 1, run);
        jd_sq__bind_text(c, 2, u->changes[i].person_id);
        sqlite3_bind_int(c, 3, (int)u->changes[i].how);
        jd_sq__bind_text(c, 4, u->changes[i].other);
        if (sqlite3_step(c) != SQLITE_DONE)
            rc = jd_sq__err(q, err, "identity change");
    }
    sqlite3_finalize(g);
    sqlite3_finalize(n);
    sqlite3_finalize(r);
    sqlite3_finalize(c);
    return rc;
}

static int sq_identities_update(jd_store *s, const jd_identity_update *u, jd_error *err)
{
    sq *q = s->impl;
    if (q->in_tx)
        return jd_error_set(err, JD_EINVALID, "identities updated inside another transaction");
    int rc = jd_sq__exec(q, "BEGIN IMMEDIATE", err);
    if (rc < 0)
        return rc;
    reset_cached(q);
    jd_strmap ids;
    jd_strmap_init(&ids);
    int64_t now = jd_sq__now();
    rc = upd_identities(q, u->info, u->ninfo, NULL, now, &ids, NULL, err); /* only where differ */
    /* the keys first: they read the refs' old keys off their rows */
    if (rc == JD_OK)
        rc = keys_update(q, u->refs, u->nrefs, err);
    if (rc == JD_OK)
        rc = upd_refs(q, u, &ids, err);
    if (rc == JD_OK)
        rc = upd_finish(q, u, now, err);
    jd_strmap_free(&ids);
    if (rc == JD_OK)
        rc = jd_sq__exec(q, "COMMIT", err);
    if (rc < 0)
        (void)jd_sq__exec(q, "ROLLBACK", NULL);
    return rc;
}

static int sq_model_load(jd_store *s, char **out, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    *out = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT model FROM resolve_run WHERE model IS NOT NULL"
                           " ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "model");
    int r = sqlite3_step(st);
    int rc = JD_OK;
    if (r == SQLITE_ROW) {
        *out = strdup(jd_sq__col_text(st, 0));
        if (!*out)
            rc = jd_oom(err);
    } else if (r != SQLITE_DONE) {
        rc = jd_sq__err(q, err, "model");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- analysis ---- */

static int an_query(sq *q, const char *sql, int64_t as_of, sqlite3_stmt **st, jd_error *err)
{
    if (sqlite3_prepare_v2(q->db, sql, -1, st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "analysis");
    if (sqlite3_bind_parameter_count(*st) > 0)
        sqlite3_bind_int64(*st, 1, as_of);
    return JD_OK;
}

static int an_finish(sq *q, sqlite3_stmt *st, int rc, int r, jd_error *err)
{
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "analysis");
    jd_sq__unprep(q, st);
    return rc;
}


jd_an_event_row jd_sq__an_event(sqlite3_stmt *st)
{
    jd_an_event_row e = {
        .id = sqlite3_column_int64(st, 0), .agency = jd_sq__col_text(st, 1),
        .record_id = jd_sq__col_text(st, 2), .event_type = jd_sq__col_text(st, 3),
        .occurred_at = sqlite3_column_int64(st, 4), .reported_at = sqlite3_column_int64(st, 5),
        .known_at = sqlite3_column_int64(st, 6), .occurred_prec = sqlite3_column_int(st, 7),
        .location = jd_sq__opt_text(st, 8), .postcode = jd_sq__opt_text(st, 9),
        .narrative = jd_sq__opt_text(st, 10), .crime_ref = jd_sq__opt_text(st, 11),
        .outcome = jd_sq__opt_text(st, 12), .author_role = jd_sq__opt_text(st, 13),
        .risk_grade = jd_sq__opt_text(st, 14),
        .crime_recorded = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 15)};
    return e;
}

jd_an_mention_row jd_sq__an_mention(sqlite3_stmt *st)
{
    jd_an_mention_row m = {
        .event_id = sqlite3_column_int64(st, 0), .agency = jd_sq__col_text(st, 1),
        .person_ref = jd_sq__col_text(st, 2), .role = jd_sq__col_text(st, 3),
        .person_id = jd_sq__opt_text(st, 4), .dob = jd_sq__opt_text(st, 5),
        .dob_prec = sqlite3_column_int(st, 6),
        .age = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 7),
        .name = jd_sq__col_text(st, 8), .id_child = -1};
    if (sqlite3_column_count(st) >= 12 && sqlite3_column_type(st, 11) != SQLITE_NULL) {
        m.id_name = jd_sq__opt_text(st, 9);
        m.id_dob = jd_sq__opt_text(st, 10);
        m.id_child = sqlite3_column_int(st, 11) != 0;
    }
    return m;
}

jd_an_object_row jd_sq__an_object(sqlite3_stmt *st)
{
    jd_an_object_row o = {sqlite3_column_int64(st, 0), jd_sq__col_text(st, 1), jd_sq__col_text(st, 2),
                          jd_sq__opt_text(st, 3), jd_sq__opt_text(st, 4), sqlite3_column_int(st, 5) != 0};
    return o;
}

/* jd_an_want(event_id) in an analysis query: the callbacks' want (see
 * jd_an_callbacks), so the rows passed over cost no column read and no
 * join. */
static void an_want_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const jd_an_callbacks *cb = ((void **)sqlite3_user_data(ctx))[0];
    void *payload = ((void **)sqlite3_user_data(ctx))[1];
    sqlite3_result_int(ctx, cb->want(sqlite3_value_int64(argv[0]), payload) ? 1 : 0);
}

/* Run one analysis query, sql then tail (its rows to row(st, cb,
 * payload)); with " AND jd_an_want(col)" between them when the callbacks
 * filter (want). */
static int an_rows(sq *q, const char *sql, const char *col, const char *tail, int64_t as_of,
                   const jd_an_callbacks *cb, void *payload,
                   int (*row)(sqlite3_stmt *, const jd_an_callbacks *, void *), jd_error *err)
{
    char buf[1024];
    int n = cb->want ? snprintf(buf, sizeof buf, "%s AND jd_an_want(%s)%s", sql, col, tail)
                     : snprintf(buf, sizeof buf, "%s%s", sql, tail);
    if (n < 0 || n >= (int)sizeof buf)
        return jd_error_set(err, JD_EINVALID, "analysis query too long");
    sqlite3_stmt *st = NULL;
    int rc = an_query(q, buf, as_of, &st, err), r = SQLITE_DONE;
    if (rc < 0)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = row(st, cb, payload)) != 0)
            break;
    return an_finish(q, st, rc, r, err);
}

static int an_identity_row(sqlite3_stmt *st, const jd_an_callbacks *cb, void *payload)
{
    jd_an_identity_row row = {jd_sq__col_text(st, 0), jd_sq__opt_text(st, 1),
                              jd_sq__opt_text(st, 2), sqlite3_column_int(st, 3) != 0};
    return cb->identity(&row, payload);
}
static int an_event_row(sqlite3_stmt *st, const jd_an_callbacks *cb, void *payload)
{
    jd_an_event_row e = jd_sq__an_event(st);
    return cb->event(&e, payload);
}
static int an_mention_row(sqlite3_stmt *st, const jd_an_callbacks *cb, void *payload)
{
    jd_an_mention_row m = jd_sq__an_mention(st);
    return cb->mention(&m, payload);
}
static int an_mention_ref_row(sqlite3_stmt *st, const jd_an_callbacks *cb, void *payload)
{
    jd_an_mention_row m = {.event_id = sqlite3_column_int64(st, 0),
                           .agency = jd_sq__col_text(st, 1),
                           .person_ref = jd_sq__col_text(st, 2), .age = -1};
    return cb->mention(&m, payload);
}
static int an_object_row(sqlite3_stmt *st, const jd_an_callbacks *cb, void *payload)
{
    jd_an_object_row o = jd_sq__an_object(st);
    return cb->object(&o, payload);
}

/* Identities in the order of their first ref, not of their row ids: rows
 * follow the history of resolve runs, and the analysis (the first child
 * walked keeps an event's alert) must not depend on it, so that a county
 * fed day by day equals the same county loaded at once (issue 17). Every
 * query ends in a WHERE clause, for an_rows' filter. */
#define AN_IDENTITIES                                                                              \
    "SELECT i.person_id, i.display_name, i.dob, i.is_child FROM identity i"                       \
    " JOIN (SELECT identity_id, min(agency || char(31) || person_ref) AS k"                        \
    " FROM identity_ref GROUP BY identity_id) f ON f.identity_id = i.id ORDER BY f.k"
#define AN_EVENTS                                                                                  \
    "SELECT id, agency, record_id, event_type, occurred_at, reported_at,"                          \
    " known_at, occurred_prec, location, postcode, narrative, crime_ref,"                          \
    " outcome, author_role, risk_grade, crime_recorded FROM event WHERE known_at <= ?1"
/* As of now every event is known: the join on event, one B-tree search per
 * mention and nothing else, is left out (the scan of person_mention drives
 * both plans, so the rows come in the same order). */
#define AN_MENTIONS                                                                                \
    "SELECT pm.event_id, pm.agency, pm.person_ref, pm.role, i.person_id,"                          \
    " pm.dob, pm.dob_prec, pm.age,"                                                                \
    " trim(coalesce(pm.forenames, '') || ' ' || coalesce(pm.surname, '')),"                        \
    " i.display_name, i.dob, i.is_child FROM person_mention pm"
#define AN_MENTION_IDS                                                                             \
    " LEFT JOIN identity_ref ir ON ir.agency = pm.agency AND ir.person_ref = pm.person_ref"        \
    " LEFT JOIN identity i ON i.id = ir.identity_id"
#define AN_MENTION_COLS                                                                            \
    "SELECT pm.event_id, pm.agency, pm.person_ref, pm.role, pm.dob, pm.dob_prec, pm.age,"        \
    " trim(coalesce(pm.forenames, '') || ' ' || coalesce(pm.surname, '')) FROM person_mention pm"
#define AN_MENTION_REFS "SELECT pm.event_id, pm.agency, pm.person_ref FROM person_mention pm"
#define AN_OBJECTS                                                                                 \
    "SELECT om.event_id, om.object_type, om.value_norm, om.description,"                           \
    " om.person_ref, om.value_valid FROM object_mention om"

/* Every mention (AN_MENTIONS' columns but the identity's, same row order)
 * joined to its identity in memory (jd_sq_idmap): one scan of each table
 * rather than two B-tree searches per mention. For the whole county only:
 * a partition's load (want) reads a few mentions of each page and keeps
 * the SQL join. As of a time, ORDER BY pm.id says the order rather than
 * leaving it to the join's plan: the plan scans person_mention by row id
 * (no index on event.known_at nor person_mention.event_id), so no sort
 * step is added, and with such indexes it stays the mentions' order. */
static int an_mentions_mapped(sq *q, const jd_sq_idmap *map, int64_t as_of,
                              const jd_an_callbacks *cb, void *payload, jd_error *err)
{
    int rc = JD_OK, r = SQLITE_DONE;
    sqlite3_stmt *st = NULL;
    rc = an_query(q,
                  as_of == INT64_MAX ? AN_MENTION_COLS " WHERE 1"
                                     : AN_MENTION_COLS
                      " JOIN event e ON e.id = pm.event_id WHERE e.known_at <= ?1"
                      " ORDER BY pm.id",
                  as_of, &st, err);
    while (rc == JD_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_an_mention_row m = {
            .event_id = sqlite3_column_int64(st, 0), .agency = jd_sq__col_text(st, 1),
            .person_ref = jd_sq__col_text(st, 2), .role = jd_sq__col_text(st, 3),
            .dob = jd_sq__opt_text(st, 4), .dob_prec = sqlite3_column_int(st, 5),
            .age = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 6),
            .name = jd_sq__col_text(st, 7), .id_child = -1};
        const jd_sq_ident *d = jd_sq__idmap_ref(map, m.agency, (size_t)sqlite3_column_bytes(st, 1),
                                                m.person_ref, (size_t)sqlite3_column_bytes(st, 2));
        if (d) {
            m.person_id = d->person_id;
            m.id_name = d->name;
            m.id_dob = d->dob;
            m.id_child = d->is_child;
        }
        rc = cb->mention(&m, payload);
    }
    if (st)
        rc = an_finish(q, st, rc, r, err);
    return rc;
}

/* AN_IDENTITIES' rows from the map (jd_sq__idmap_load_firsts): the same
 * identities (those with a ref), columns and order, without the query's
 * GROUP BY over identity_ref (1M county: 1.4 s user) now that the map's
 * scan of identity_ref reads every ref anyway. */
static int an_identities_mapped(const jd_sq_idmap *map, const jd_an_callbacks *cb,
                                void *payload, jd_error *err)
{
    uint32_t *order;
    size_t n;
    int rc = jd_sq__idmap_order(map, &order, &n, err);
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        const jd_sq_ident *d = &map->ids[order[i]];
        jd_an_identity_row row = {d->person_id, d->name, d->dob, d->is_child};
        rc = cb->identity(&row, payload);
    }
    free(order);
    return rc;
}

/* The whole county's load (no want, the mentions joined to identities):
 * one identity map for the identities and the mentions (jd_sq_idmap),
 * freed before the objects. */
static int an_load_mapped(sq *q, int64_t as_of, const jd_an_callbacks *cb, void *payload,
                          jd_error *err)
{
    jd_sq_idmap map;
    int rc = cb->identity ? jd_sq__idmap_load_firsts(q, &map, err) : jd_sq__idmap_load(q, &map, err);
    if (rc < 0)
        return rc;
    if (cb->identity)
        rc = an_identities_mapped(&map, cb, payload, err);
    if (rc == JD_OK && cb->event)
        rc = an_rows(q, AN_EVENTS, "id", " ORDER BY id", as_of, cb, payload, an_event_row, err);
    if (rc == JD_OK)
        rc = an_mentions_mapped(q, &map, as_of, cb, payload, err);
    jd_sq__idmap_free(&map);
    return rc;
}

static int an_load_rows(sq *q, int64_t as_of, const jd_an_callbacks *cb, void *payload,
                        jd_error *err)
{
    bool now = as_of == INT64_MAX;
    bool mapped = cb->mention && !cb->mention_refs && !cb->want;
    int rc = JD_OK;
    if (mapped)
        rc = an_load_mapped(q, as_of, cb, payload, err);
    if (cb->identity && !mapped)
        rc = an_rows(q, AN_IDENTITIES, NULL, "", as_of, &(jd_an_callbacks){.identity = cb->identity},
                     payload, an_identity_row, err);
    if (rc == JD_OK && cb->event && !mapped)
        rc = an_rows(q, AN_EVENTS, "id", " ORDER BY id", as_of, cb, payload, an_event_row, err);
    if (rc == JD_OK && cb->mention && cb->mention_refs)
        rc = an_rows(q,
                     now ? AN_MENTION_REFS " WHERE 1"
                         : AN_MENTION_REFS " JOIN event e ON e.id = pm.event_id"
                                           " WHERE e.known_at <= ?1",
                     "pm.event_id", " ORDER BY pm.id", as_of, cb, payload, an_mention_ref_row, err);
    else if (rc == JD_OK && cb->mention && !mapped)
        rc = an_rows(q,
                     now ? AN_MENTIONS AN_MENTION_IDS " WHERE 1"
                         : AN_MENTIONS " JOIN event e ON e.id = pm.event_id" AN_MENTION_IDS
                                       " WHERE e.known_at <= ?1",
                     "pm.event_id", "", as_of, cb, payload, an_mention_row, err);
    if (rc == JD_OK && cb->object)
        rc = an_rows(q,
                     now ? AN_OBJECTS " WHERE 1"
                         : AN_OBJECTS " JOIN event e ON e.id = om.event_id WHERE e.known_at <= ?1",
                     "om.event_id", "", as_of, cb, payload, an_object_row, err);
    return rc;
}
#undef AN_IDENTITIES
#undef AN_EVENTS
#undef AN_MENTIONS
#undef AN_MENTION_IDS
#undef AN_MENTION_REFS
#undef AN_MENTION_COLS
#undef AN_OBJECTS

static int sq_analysis_load(jd_store *s, int64_t as_of, const jd_an_callbacks *cb,
                            void *payload, jd_error *err)
{
    sq *q = s->impl;
    void *ud[2] = {(void *)cb, payload};
    if (cb->want && sqlite3_create_function(q->db, "jd_an_want", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                            ud, an_want_fn, NULL, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "analysis");
    int rc = an_load_rows(q, as_of, cb, payload, err);
    if (cb->want)
        (void)sqlite3_create_function(q->db, "jd_an_want", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    return rc;
}

void jd_sq__bind_alert(sqlite3_stmt *st, int64_t run, const jd_alert_save *a)
{
    jd_sq__bind_text(st, 1, a->id);
    sqlite3_bind_int64(st, 2, run);
    jd_sq__bind_text(st, 3, a->kind);
    jd_sq__bind_text(st, 4, a->level);
    jd_sq__bind_text(st, 5, a->subject);
    sqlite3_bind_int64(st, 6, a->raised_at);
    jd_sq__bind_text(st, 7, a->doc);
}

static int sq_alerts_replace(jd_store *s, int64_t as_of, int64_t events, const jd_alert_save *a,
                             size_t n, jd_error *err)
{
    sq *q = s->impl;
    int rc;
    if ((rc = sq_begin(s, err)) < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    int64_t now = (int64_t)time(NULL), run = 0;
    if (sqlite3_prepare_v2(q->db, "INSERT INTO analysis_run(started_at, finished_at, as_of,"
                                  " events, alerts) VALUES (?1, ?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, now);
    if (as_of == INT64_MAX)
        sqlite3_bind_null(st, 2);
    else
        sqlite3_bind_int64(st, 2, as_of);
    sqlite3_bind_int64(st, 3, events);
    sqlite3_bind_int64(st, 4, (int64_t)n);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    run = sqlite3_last_insert_rowid(q->db);
    if (sqlite3_exec(q->db, "DELETE FROM alert", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db, "INSERT INTO alert(id, run_id, kind, level, subject,"
                                  " raised_at, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        jd_sq__bind_alert(st, run, &a[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    return sq_commit(s, err);
fail:
    rc = jd_sq__err(q, err, "alerts");
    sqlite3_finalize(st);
    sq_rollback(s);
    return rc;
}

static int sq_alerts_read(jd_store *s, bool *ran, jd_alert_doc_cb cb, void *payload,
                          jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    *ran = false;
    if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM analysis_run", -1, &st, NULL) !=
        SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return jd_sq__err(q, err, "alerts");
    }
    *ran = sqlite3_column_int64(st, 0) > 0;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(q->db, "SELECT doc FROM alert ORDER BY id", -1, &st, NULL) !=
        SQLITE_OK)
        return jd_sq__err(q, err, "alerts");
    int rc = JD_OK, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = cb(jd_sq__col_text(st, 0), payload)) != 0)
            break;
    return an_finish(q, st, rc, r, err);
}

static int sq_alerts_about(jd_store *s, const char *person_id, jd_alert_doc_cb cb,
                           void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (jd_sq__prep(q,
                           "SELECT id, doc FROM alert WHERE subject = ?1 UNION ALL"
                           " SELECT id, doc FROM alert WHERE subject = '' UNION ALL"
                           " SELECT id, doc FROM alert WHERE subject IS NULL ORDER BY 1",
                           &st) != SQLITE_OK)
        return jd_sq__err(q, err, "alerts");
    jd_sq__bind_text(st, 1, person_id);
    int rc = JD_OK, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = cb(jd_sq__col_text(st, 1), payload)) != 0)
            break;
    return an_finish(q, st, rc, r, err);
}

static int sq_alerts_since(jd_store *s, int64_t run,
                           int (*cb)(const char *id, const char *doc, void *payload),
                           void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT id, CASE WHEN run_id > ?1 THEN doc END FROM alert ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "alerts");
    sqlite3_bind_int64(st, 1, run);
    int rc = JD_OK, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = cb(jd_sq__col_text(st, 0), jd_sq__opt_text(st, 1), payload)) != 0)
            break;
    return an_finish(q, st, rc, r, err);
}

static int sq_docs_replace(jd_store *s, const char *prefix, const jd_doc_save *d, size_t n,
                           jd_error *err)
{
    sq *q = s->impl;
    if (q->in_tx)
        return jd_error_set(err, JD_EINVALID, "documents replaced inside another transaction");
    int rc = sq_begin(s, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "DELETE FROM analysis_doc WHERE substr(name, 1, ?1) = ?2", -1,
                           &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, (int64_t)strlen(prefix));
    jd_sq__bind_text(st, 2, prefix);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO analysis_doc(name, run_id, ingest_gen, identity_gen, doc)"
                           " VALUES (?1, (SELECT max(id) FROM analysis_run),"
                           " (SELECT coalesce(max(id), 0) FROM ingest_run),"
                           " (SELECT coalesce(max(id), 0) FROM resolve_run), ?2)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        jd_sq__bind_text(st, 1, d[i].name);
        jd_sq__bind_text(st, 2, d[i].doc);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    return sq_commit(s, err);
fail:
    rc = jd_sq__err(q, err, "analysis documents");
    sqlite3_finalize(st);
    sq_rollback(s);
    return rc;
}

static int sq_cache_limit(jd_store *s, int64_t kib, jd_error *err)
{
    sq *q = s->impl;
    char sql[64];
    if (kib > 0)
        snprintf(sql, sizeof sql, "PRAGMA cache_size = -%lld", (long long)kib);
    else
        snprintf(sql, sizeof sql, "PRAGMA cache_size = %s", CACHE_KIB);
    return jd_sq__exec(q, sql, err);
}

static int sq_doc_get(jd_store *s, const char *name, char **out, jd_doc_state *state,
                      jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    *out = NULL;
    *state = JD_DOC_NONE;
    if (jd_sq__prep(q,
                           "SELECT d.doc, d.run_id = (SELECT max(id) FROM analysis_run) AND"
                           " (SELECT as_of FROM analysis_run WHERE id = d.run_id) IS NULL,"
                           " d.ingest_gen = (SELECT coalesce(max(id), 0) FROM ingest_run) AND"
                           " d.identity_gen = (SELECT coalesce(max(id), 0) FROM resolve_run)"
                           " FROM analysis_doc d WHERE d.name = ?1",
                           &st) != SQLITE_OK)
        return jd_sq__err(q, err, "analysis documents");
    jd_sq__bind_text(st, 1, name);
    int r = sqlite3_step(st), rc = JD_OK;
    if (r == SQLITE_ROW) {
        const char *doc = jd_sq__col_text(st, 0);
        if (!(*out = strdup(doc ? doc : "")))
            rc = jd_oom(err);
        else
            *state = !sqlite3_column_int(st, 1) ? JD_DOC_OLD
                     : sqlite3_column_int(st, 2) ? JD_DOC_CURRENT
                                                 : JD_DOC_BEHIND;
    } else if (r != SQLITE_DONE) {
        rc = jd_sq__err(q, err, "analysis documents");
    }
    jd_sq__unprep(q, st);
    return rc;
}

/* The network registry (issue 17 item 2). */
static int sq_networks_read(jd_store *s, jd_network_row_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT id, seq, first_at, ended_at, merged_into, members"
                           " FROM network ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "networks");
    int rc = JD_OK, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_network_row row = {jd_sq__col_text(st, 0),
                              sqlite3_column_int64(st, 1),
                              sqlite3_column_int64(st, 2),
                              sqlite3_column_int64(st, 3),
                              (const char *)sqlite3_column_text(st, 4),
                              jd_sq__col_text(st, 5)};
        if ((rc = cb(&row, payload)) != 0)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "networks");
    sqlite3_finalize(st);
    return rc;
}

static int sq_networks_save(jd_store *s, const jd_network_row *r, size_t n,
                            const jd_network_change *c, size_t nc, jd_error *err)
{
    sq *q = s->impl;
    if (q->in_tx)
        return jd_error_set(err, JD_EINVALID, "networks saved inside another transaction");
    int rc = sq_begin(s, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = jd_sq__exec(q, "DELETE FROM network", err)) < 0) {
        sq_rollback(s);
        return rc;
    }
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO network(id, seq, first_at, ended_at, merged_into, members)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        jd_sq__bind_text(st, 1, r[i].id);
        sqlite3_bind_int64(st, 2, r[i].seq);
        sqlite3_bind_int64(st, 3, r[i].first_at);
        sqlite3_bind_int64(st, 4, r[i].ended_at);
        jd_sq__bind_text(st, 5, r[i].merged_into);
        jd_sq__bind_text(st, 6, r[i].members);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO network_change(run_id, network_id, how, other, at)"
                           " VALUES ((SELECT max(id) FROM analysis_run), ?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < nc; i++) {
        sqlite3_reset(st);
        jd_sq__bind_text(st, 1, c[i].network_id);
        jd_sq__bind_text(st, 2, c[i].how);
        jd_sq__bind_text(st, 3, c[i].other);
        sqlite3_bind_int64(st, 4, c[i].at);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    return sq_commit(s, err);
fail:
    rc = jd_sq__err(q, err, "networks");
    sqlite3_finalize(st);
    sq_rollback(s);
    return rc;
}

static const jd_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .meta_get = sq_meta_get,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .bulk_defer = sq_bulk_defer,
    .bulk_restore = sq_bulk_restore,
    .run_start = sq_run_start,
    .run_finish = sq_run_finish,
    .file_seen = sq_file_seen,
    .file_add = sq_file_add,
    .file_finish = sq_file_finish,
    .put_event = sq_put_event,
    .put_person = sq_put_person,
    .event_when = sq_event_when,
    .put_object = sq_put_object,
    .put_problem = sq_put_problem,
    .problems = sq_problems,
    .counts = sq_counts,
    .ref_exists = sq_ref_exists,
    .link_add = sq_link_add,
    .identity_rows = sq_identity_rows,
    .identity_refs = sq_identity_refs,
    .identity_generation = sq_identity_generation,
    .person_refs_now = sq_person_refs_now,
    .chronology = sq_chronology,
    .mentions = sq_mentions,
    .mentions_halves = sq_mentions_halves,
    .mentions_of = sq_mentions_of,
    .mentions_around = sq_mentions_around,
    .refs_by_keys = sq_refs_by_keys,
    .decisions = sq_decisions,
    .identities_replace = sq_identities_replace,
    .keys_replace_early = sq_keys_replace_early,
    .keys_abort = sq_keys_abort,
    .identities_update = sq_identities_update,
    .model_load = sq_model_load,
    .analysis_load = sq_analysis_load,
    .alerts_replace = sq_alerts_replace,
    .alerts_about = sq_alerts_about,
    .alerts_since = sq_alerts_since,
    .alerts_read = sq_alerts_read,
    .docs_replace = sq_docs_replace,
    .doc_get = sq_doc_get,
    .cache_limit = sq_cache_limit,
    .networks_read = sq_networks_read,
    .networks_save = sq_networks_save,
    .ethnicity_rows = sq_ethnicity_rows,
    .concern = &jd_sqlite_concern_ops,
    .account = &jd_sqlite_account_ops,
    .live = &jd_sqlite_live_ops,
    .incr = &jd_sqlite_incr_ops,
};

/* Process-wide SQLite settings, before its first use. Memory statistics
 * cost a global mutex on every allocation and nothing here reads them. A
 * host program that started SQLite already keeps its own settings (the call
 * then fails harmlessly). */
static pthread_once_t sq_global_once = PTHREAD_ONCE_INIT;

static void sq_global_init(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * Integrity at open (issue 19). PRAGMA quick_check reads every page: 3.7 s
 * on the 1M-event county store (390 MB, warm cache), too slow for every
 * command and every server connection. So each open checks only what is
 * cheap and catches the usual damage (a truncated copy, a file overwritten
 * or not a database at all): the 100-byte header's magic and page size, and
 * that the file holds the pages the header says it has (~0.1 ms); then the
 * schema is read, as before. jd_store_check runs the full quick_check on
 * demand (`joindots check`). Errors name the file.
 */
static int header_check(sq *q, const char *path, jd_error *err)
{
    /* Read through SQLite's own file handle: opening and closing another
     * descriptor on the file would drop the POSIX locks of every other
     * connection of this process (the server's pool). */
    sqlite3_file *f = NULL;
    sqlite3_int64 size = 0;
    if (sqlite3_file_control(q->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods || f->pMethods->xFileSize(f, &size) != SQLITE_OK)
        return JD_OK; /* nothing to check here; the schema read reports problems */
    if (size == 0)
        return JD_OK; /* an empty file: a new database */
    unsigned char h[100];
    if (size < (sqlite3_int64)sizeof h || f->pMethods->xRead(f, h, sizeof h, 0) != SQLITE_OK ||
        memcmp(h, "SQLite format 3", 16) != 0)
        return jd_error_set(err, JD_ESTORE,
                            "%s is damaged or not a joindots database (no SQLite header)", path);
    uint32_t ps = (uint32_t)h[16] << 8 | h[17];
    if (ps == 1)
        ps = 65536;
    if (ps < 512 || (ps & (ps - 1)) != 0)
        return jd_error_set(err, JD_ESTORE, "%s is damaged: bad page size in its header", path);
    uint32_t pages = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 | (uint32_t)h[30] << 8 | h[31];
    uint32_t change = (uint32_t)h[24] << 24 | (uint32_t)h[25] << 16 | (uint32_t)h[26] << 8 | h[27];
    uint32_t valid_for = (uint32_t)h[92] << 24 | (uint32_t)h[93] << 16 | (uint32_t)h[94] << 8 | h[95];
    /* The in-header size is valid when the two counters agree (SQLite
     * file format, section 1.3.7); a WAL may hold pages not yet copied back,
     * so only a file shorter than the header's size is damage. */
    if (pages > 0 && change == valid_for && (uint64_t)size < (uint64_t)pages * ps)
        return jd_error_set(err, JD_ESTORE,
                            "%s is damaged: it is %lld bytes but its header says %llu "
                            "(truncated?)",
                            path, (long long)size, (unsigned long long)pages * ps);
    return JD_OK;
}

/* A damaged file's error, naming it. */
static int damaged(sq *q, const char *path, jd_error *err)
{
    int ec = sqlite3_errcode(q->db) & 0xff;
    if (ec == SQLITE_CORRUPT || ec == SQLITE_NOTADB)
        return jd_error_set(err, JD_ESTORE, "%s is damaged or not a joindots database: %s", path,
                            sqlite3_errmsg(q->db));
    return JD_OK;
}

/* A feed's subset load (sqlite_incr.c) reads through a memory map of at
 * most this many MiB: the store's option, else $JD_SUBSET_MMAP_MIB. */
#define SUBSET_MMAP_MIB 256
#define SUBSET_MMAP_MAX_MIB 2047 /* SQLite's default maximum, 2147418112 bytes */

int64_t jd_sq__subset_mmap(const jd_store_opts *o)
{
    int64_t mib = o ? o->subset_mmap_mib : 0;
    const char *env = getenv("JD_SUBSET_MMAP_MIB");
    if (mib == 0 && env && *env) {
        char *end;
        long long v = strtoll(env, &end, 10);
        mib = *end || v < 0 ? SUBSET_MMAP_MIB : v ? v : -1; /* unreadable: the default */
    }
    if (mib == 0)
        mib = SUBSET_MMAP_MIB;
    return mib < 0 ? 0 : (mib > SUBSET_MMAP_MAX_MIB ? SUBSET_MMAP_MAX_MIB : mib) << 20;
}

int jd_store__sqlite_open(jd_store **out, const char *path, const jd_store_opts *opts,
                          jd_error *err)
{
    pthread_once(&sq_global_once, sq_global_init);
    int rc = JD_OK;
    jd_store *s = calloc(1, sizeof *s);
    sq *q = calloc(1, sizeof *q);
    if (!s || !q) {
        free(s);
        free(q);
        return jd_oom(err);
    }
    s->ops = &sqlite_ops;
    s->impl = q;
    jd_buf_init(&q->last_key, 4096);
    jd_strmap_init(&q->loc);
    jd_strmap_init(&q->ev_map);
    q->subset_mmap = jd_sq__subset_mmap(opts);
    if (!opts->create && access(path, F_OK) != 0) {
        rc = jd_error_set(err, JD_ENOTFOUND, "no database at the given path");
        goto out;
    }
    int flags = opts->read_only ? SQLITE_OPEN_READONLY
                                : SQLITE_OPEN_READWRITE | (opts->create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = jd_error_set(err, JD_ESTORE, "cannot open database: %s",
                          q->db ? sqlite3_errmsg(q->db) : "out of memory");
        goto out;
    }
    if (opts->read_only && access(path, W_OK) != 0 &&
        sqlite3_exec(q->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK &&
        ((sqlite3_errcode(q->db) & 0xff) == SQLITE_READONLY ||
         (sqlite3_errcode(q->db) & 0xff) == SQLITE_CANTOPEN)) {
        /* A WAL database in a file (and folder) we may not write: no -shm
         * can be made. A file nobody may write does not change under us,
         * so read it as immutable (issue 19: read-only commands on a
         * read-only store). */
        char uri[4200];
        sqlite3_close(q->db);
        q->db = NULL;
        if (jd_sq__immutable_uri(uri, sizeof uri, path) < 0 ||
            sqlite3_open_v2(uri, &q->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                            NULL) != SQLITE_OK) {
            rc = jd_error_set(err, JD_ESTORE, "cannot open database %s read-only: %s", path,
                              q->db ? sqlite3_errmsg(q->db) : "path too long");
            goto out;
        }
    }
    jd_sq__busy_wait(q, true);
    sqlite3_extended_result_codes(q->db, 1);
    if ((rc = header_check(q, path, err)) < 0)
        goto out;
    /* 16 KiB pages for a new store (no effect on an existing one): a bulk
     * load of 1M events ran 20% faster than with 4 KiB pages, with a quarter
     * of the page writes. */
    if (!opts->read_only &&
        ((rc = jd_sq__exec(q, "PRAGMA page_size = 16384", err)) < 0 ||
         (rc = jd_sq__exec(q, "PRAGMA journal_mode = WAL", err)) < 0))
        goto out;
    if ((rc = jd_sq__exec(q,
                   "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                   " PRAGMA temp_store = MEMORY; PRAGMA cache_size = " CACHE_KIB ";",
                   err)) < 0)
        goto out;
    /* A file that is not a database fails here, before anything is written. */
    int v = 0;
    if ((rc = user_version(q, &v, err)) < 0)
        goto out;
    if (sqlite3_exec(q->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
        if ((rc = damaged(q, path, err)) == JD_OK)
            rc = jd_sq__err(q, err, "cannot read the schema");
        goto out;
    }
    if (!opts->read_only) {
        if ((rc = migrate(q, err)) < 0)
            goto out;
        if ((rc = prepare_all(q, err)) < 0)
            goto out;
    } else if (v == 0) {
        rc = jd_error_set(err, JD_ENOTFOUND, "the database holds no joindots schema");
        goto out;
    } else if ((rc = prepare_all(q, err)) < 0) {
        goto out;
    }
    if ((rc = jd_sq__audit_open(q, opts, err)) < 0)
        goto out;
    *out = s;
    s = NULL;
out:
    if (s && rc < 0 && q->db && damaged(q, path, err) < 0)
        rc = JD_ESTORE; /* the message names the damaged file */
    if (s)
        sq_close(s);
    return rc;
}
