/*
 * SQLite side of concerns and escalation (see store/concern_ops.h and
 * store/schema_concern.h). Every write is one BEGIN IMMEDIATE transaction:
 * the row, its history and its queued messages go together or not at all,
 * and the version check inside it is what makes concurrent updates safe
 * across connections.
 */
#include "store/concern_ops.h"
#include "store/sqlite_internal.h"

#include <string.h>

static int prep(sq *q, sqlite3_stmt **st, const char *sql, jd_error *err)
{
    if (sqlite3_prepare_v2(q->db, sql, -1, st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "concern store");
    return JD_OK;
}

static int finish(sq *q, sqlite3_stmt *st, int rc, int r, jd_error *err)
{
    if (rc == JD_OK && r != SQLITE_DONE && r != SQLITE_ROW)
        rc = jd_sq__err(q, err, "concern store");
    sqlite3_finalize(st);
    return rc;
}

static int c_next_number(jd_store *s, int64_t *out, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, "SELECT count(*) + 1 FROM concern WHERE automatic = 0", err);
    if (rc < 0)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    return finish(q, st, JD_OK, r, err);
}

#define REC_COLS                                                                                   \
    "SELECT id, version, automatic, status, owner, rung, level, strategic, raised_at, due_at,"     \
    " updated_at, base, state FROM concern"

static void read_rec(sqlite3_stmt *st, jd_concern_rec *r)
{
    *r = (jd_concern_rec){
        jd_sq__col_text(st, 0),      sqlite3_column_int64(st, 1),    sqlite3_column_int(st, 2) != 0,
        jd_sq__col_text(st, 3),      jd_sq__col_text(st, 4),         jd_sq__col_text(st, 5),
        jd_sq__col_text(st, 6),      sqlite3_column_int(st, 7) != 0, sqlite3_column_int64(st, 8),
        sqlite3_column_int64(st, 9), sqlite3_column_int64(st, 10),   jd_sq__col_text(st, 11),
        jd_sq__col_text(st, 12)};
}

static int c_get(jd_store *s, const char *id, jd_concern_rec_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, REC_COLS " WHERE id = ?1", err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        jd_concern_rec rec;
        read_rec(st, &rec);
        rc = cb(&rec, payload);
    } else if (r == SQLITE_DONE) {
        rc = jd_error_set(err, JD_ENOTFOUND, "no concern with that id");
    }
    return finish(q, st, rc, r, err);
}

/* Every concern by id: whole rows, or (whole false) ids and versions only. */
static int list_rows(jd_store *s, bool whole, jd_concern_rec_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    const char *sql =
        whole ? REC_COLS " ORDER BY id" : "SELECT id, version FROM concern ORDER BY id";
    int rc = prep(q, &st, sql, err);
    if (rc < 0)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_concern_rec rec = {.id = jd_sq__col_text(st, 0), .version = sqlite3_column_int64(st, 1)};
        if (whole)
            read_rec(st, &rec);
        if ((rc = cb(&rec, payload)) != 0)
            break;
    }
    return finish(q, st, rc, r, err);
}

static int c_list(jd_store *s, jd_concern_rec_cb cb, void *payload, jd_error *err)
{
    return list_rows(s, true, cb, payload, err);
}

static int c_versions(jd_store *s, jd_concern_rec_cb cb, void *payload, jd_error *err)
{
    return list_rows(s, false, cb, payload, err);
}

static int c_open_prefix(jd_store *s, const char *prefix, jd_concern_rec_cb cb, void *payload,
                         jd_error *err)
{
    char hi[256];
    if (jd_concern__prefix_end(prefix, hi, sizeof hi) < 0)
        return jd_error_set(err, JD_EINVALID, "a prefix of 1 to 255 bytes is needed");
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, REC_COLS " WHERE id >= ?1 AND id < ?2 AND status <> 'closed' ORDER BY id",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, prefix);
    jd_sq__bind_text(st, 2, hi);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_concern_rec rec;
        read_rec(st, &rec);
        if ((rc = cb(&rec, payload)) != 0)
            break;
    }
    return finish(q, st, rc, r, err);
}

static int c_events(jd_store *s, const char *id, jd_concern_evrec_cb cb, void *payload,
                    jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    /* two statements, so that one concern's history uses the index */
    int rc = prep(q, &st,
                  id ? "SELECT seq, concern_id, at, recorded_at, actor, role, action, automatic,"
                       " doc FROM concern_event WHERE concern_id = ?1 ORDER BY concern_id, at, seq"
                     : "SELECT seq, concern_id, at, recorded_at, actor, role, action, automatic,"
                       " doc FROM concern_event ORDER BY concern_id, at, seq",
                  err);
    if (rc < 0)
        return rc;
    if (id)
        jd_sq__bind_text(st, 1, id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_concern_evrec e = {sqlite3_column_int64(st, 0), jd_sq__col_text(st, 1),
                              sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                              jd_sq__col_text(st, 4),      jd_sq__col_text(st, 5),
                              jd_sq__col_text(st, 6),      sqlite3_column_int(st, 7) != 0,
                              jd_sq__col_text(st, 8)};
        if ((rc = cb(&e, payload)) != 0)
            break;
    }
    return finish(q, st, rc, r, err);
}

static int step_done(sq *q, sqlite3_stmt *st, jd_error *err)
{
    int r = sqlite3_step(st);
    int rc = r == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "concern write");
    sqlite3_finalize(st);
    return rc;
}

static int write_body(sq *q, const jd_concern_rec *c, int64_t expected, const jd_concern_evrec *ev,
                      size_t nev, const jd_outbox_rec *msg, size_t nmsg, int64_t *newv,
                      jd_error *err)
{
    sqlite3_stmt *st;
    int rc;
    int64_t now = jd_sq__now();
    if (expected == 0) {
        if ((rc = prep(q, &st,
                       "INSERT INTO concern(id, version, automatic, status, owner, rung, level,"
                       " strategic, raised_at, due_at, updated_at, base, state)"
                       " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                       " ON CONFLICT(id) DO NOTHING",
                       err)) < 0)
            return rc;
    } else if ((rc = prep(q, &st,
                          "UPDATE concern SET version = version + 1, automatic = ?2, status = ?3,"
                          " owner = ?4, rung = ?5, level = ?6, strategic = ?7, raised_at = ?8,"
                          " due_at = ?9, updated_at = ?10, base = ?11, state = ?12"
                          " WHERE id = ?1 AND version = ?13",
                          err)) < 0) {
        return rc;
    }
    jd_sq__bind_text(st, 1, c->id);
    sqlite3_bind_int(st, 2, c->automatic);
    jd_sq__bind_text(st, 3, c->status);
    jd_sq__bind_text(st, 4, c->owner);
    jd_sq__bind_text(st, 5, c->rung);
    jd_sq__bind_text(st, 6, c->level);
    sqlite3_bind_int(st, 7, c->strategic);
    sqlite3_bind_int64(st, 8, c->raised_at);
    sqlite3_bind_int64(st, 9, c->due_at);
    sqlite3_bind_int64(st, 10, c->updated_at ? c->updated_at : now);
    jd_sq__bind_text(st, 11, c->base);
    jd_sq__bind_text(st, 12, c->state);
    if (expected)
        sqlite3_bind_int64(st, 13, expected);
    if ((rc = step_done(q, st, err)) < 0)
        return rc;
    if (sqlite3_changes(q->db) != 1)
        return jd_store__concern_conflict(err, c->id, expected);
    *newv = expected + 1;
    for (size_t i = 0; i < nev; i++) {
        if ((rc = prep(q, &st,
                       "INSERT INTO concern_event(concern_id, at, recorded_at, actor, role,"
                       " action, automatic, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       err)) < 0)
            return rc;
        jd_sq__bind_text(st, 1, c->id);
        sqlite3_bind_int64(st, 2, ev[i].at);
        sqlite3_bind_int64(st, 3, now);
        jd_sq__bind_text(st, 4, ev[i].actor);
        jd_sq__bind_text(st, 5, ev[i].role ? ev[i].role : "");
        jd_sq__bind_text(st, 6, ev[i].action);
        sqlite3_bind_int(st, 7, ev[i].automatic);
        jd_sq__bind_text(st, 8, ev[i].doc ? ev[i].doc : "{}");
        if ((rc = step_done(q, st, err)) < 0)
            return rc;
    }
    for (size_t i = 0; i < nmsg; i++) {
        if ((rc = prep(q, &st,
                       "INSERT INTO notify_outbox(concern_id, recipient, subject, body,"
                       " created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                       err)) < 0)
            return rc;
        jd_sq__bind_text(st, 1, c->id);
        jd_sq__bind_text(st, 2, msg[i].recipient);
        jd_sq__bind_text(st, 3, msg[i].subject);
        jd_sq__bind_text(st, 4, msg[i].body);
        sqlite3_bind_int64(st, 5, now);
        if ((rc = step_done(q, st, err)) < 0)
            return rc;
    }
    return JD_OK;
}

/* The concerns' change counter (meta concern_gen): one more at each write,
 * in its transaction, so that a reader who read it before the concerns
 * never keeps older concerns under a newer count. */
#define BUMP_GEN                                                                                   \
    "INSERT INTO meta(key, value) VALUES ('concern_gen', '1') ON CONFLICT(key) DO UPDATE"          \
    " SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"

static int c_gen(jd_store *s, int64_t *out, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta"
                          " WHERE key = 'concern_gen'), 0)", err);
    if (rc < 0)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    return finish(q, st, JD_OK, r, err);
}

static int c_write(jd_store *s, const jd_concern_rec *c, int64_t expected,
                   const jd_concern_evrec *ev, size_t nev, const jd_outbox_rec *msg, size_t nmsg,
                   int64_t *new_version, jd_error *err)
{
    sq *q = s->impl;
    if (q->in_tx)
        return jd_error_set(err, JD_EINVALID, "concern write inside another transaction");
    int rc = jd_sq__exec(q, "BEGIN IMMEDIATE", err);
    if (rc < 0)
        return rc;
    int64_t v = 0;
    rc = write_body(q, c, expected, ev, nev, msg, nmsg, &v, err);
    if (rc == JD_OK)
        rc = jd_sq__exec(q, BUMP_GEN, err);
    if (rc == JD_OK)
        rc = jd_sq__exec(q, "COMMIT", err);
    if (rc < 0) {
        (void)jd_sq__exec(q, "ROLLBACK", NULL);
        return rc;
    }
    if (new_version)
        *new_version = v;
    return JD_OK;
}

static int c_outbox_due(jd_store *s, const char *channel, int64_t now, jd_outbox_rec_cb cb,
                        void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st,
                  "SELECT o.id, o.concern_id, o.recipient, o.subject, o.body, o.created_at,"
                  " coalesce(d.attempts, 0) FROM notify_outbox o LEFT JOIN notify_delivery d"
                  " ON d.outbox_id = o.id AND d.channel = ?1"
                  " WHERE d.delivered_at IS NULL AND coalesce(d.next_at, 0) <= ?2 ORDER BY o.id",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, channel);
    sqlite3_bind_int64(st, 2, now);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_outbox_rec m = {sqlite3_column_int64(st, 0), jd_sq__col_text(st, 1),
                           jd_sq__col_text(st, 2),      jd_sq__col_text(st, 3),
                           jd_sq__col_text(st, 4),      sqlite3_column_int64(st, 5),
                           sqlite3_column_int(st, 6)};
        if ((rc = cb(&m, payload)) != 0)
            break;
    }
    return finish(q, st, rc, r, err);
}

static int c_delivery_mark(jd_store *s, int64_t outbox_id, const char *channel, bool delivered,
                           int64_t now, int64_t next_at, const char *error, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st,
                  "INSERT INTO notify_delivery(outbox_id, channel, attempts, next_at,"
                  " delivered_at, last_error) VALUES (?1, ?2, 1, ?3, ?4, ?5)"
                  " ON CONFLICT(outbox_id, channel) DO UPDATE SET attempts = attempts + 1,"
                  " next_at = excluded.next_at, delivered_at = excluded.delivered_at,"
                  " last_error = excluded.last_error",
                  err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, outbox_id);
    jd_sq__bind_text(st, 2, channel);
    sqlite3_bind_int64(st, 3, next_at);
    if (delivered)
        sqlite3_bind_int64(st, 4, now);
    else
        sqlite3_bind_null(st, 4);
    jd_sq__bind_text(st, 5, error);
    return step_done(q, st, err);
}

static int c_outbox_counts(jd_store *s, const char *channel, int64_t *queued, int64_t *pending,
                           jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st,
                  "SELECT count(*), coalesce(sum(d.delivered_at IS NULL), 0) FROM notify_outbox o"
                  " LEFT JOIN notify_delivery d ON d.outbox_id = o.id AND d.channel = ?1",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, channel);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *queued = sqlite3_column_int64(st, 0);
        *pending = sqlite3_column_int64(st, 1);
    }
    return finish(q, st, JD_OK, r, err);
}

const struct jd_concern_ops jd_sqlite_concern_ops = {
    .next_number = c_next_number,
    .get = c_get,
    .list = c_list,
    .versions = c_versions,
    .open_prefix = c_open_prefix,
    .events = c_events,
    .write = c_write,
    .gen = c_gen,
    .outbox_due = c_outbox_due,
    .delivery_mark = c_delivery_mark,
    .outbox_counts = c_outbox_counts,
};
