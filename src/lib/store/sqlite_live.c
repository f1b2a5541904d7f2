/*
 * SQLite backend of live operation (struct jd_live_ops, store/live_ops.h):
 * feed tokens (digests only), the record of feeds, and the change counter.
 * Schema: store/schema_live.h.
 */
#include "store/live_ops.h"
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

static int prep(sq *q, sqlite3_stmt **st, const char *sql, jd_error *err)
{
    if (sqlite3_prepare_v2(q->db, sql, -1, st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "feeds");
    return JD_OK;
}

static int tok_add(jd_store *s, const char *name, const char *agency, const char *hash,
                   int64_t now, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = prep(q, &st,
                  "INSERT INTO feed_token(name, agency, token_hash, created_at) VALUES (?1,?2,?3,?4)",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, name);
    jd_sq__bind_text(st, 2, agency);
    jd_sq__bind_text(st, 3, hash);
    sqlite3_bind_int64(st, 4, now);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if ((r & 0xff) == SQLITE_CONSTRAINT) /* extended codes may be on */
        return jd_error_set(err, JD_ECONFLICT, "a feed token with this name exists");
    return r == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "feed token");
}

static int tok_find(jd_store *s, const char *hash, int64_t now, char name[64], char agency[32],
                    jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = prep(q, &st,
                  "SELECT id, name, agency FROM feed_token WHERE token_hash = ?1 AND disabled = 0",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, hash);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? jd_error_set(err, JD_ENOTFOUND, "no such feed token")
                                : jd_sq__err(q, err, "feed token");
    }
    int64_t id = sqlite3_column_int64(st, 0);
    snprintf(name, 64, "%s", jd_sq__col_text(st, 1));
    snprintf(agency, 32, "%s", jd_sq__col_text(st, 2));
    sqlite3_finalize(st);
    /* When a token was last used helps an administrator retire old ones;
     * a busy store must not refuse the feed for it. */
    if (prep(q, &st, "UPDATE feed_token SET last_used = ?2 WHERE id = ?1", NULL) == JD_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now);
        (void)sqlite3_step(st);
        sqlite3_finalize(st);
    }
    return JD_OK;
}

static int tok_list(jd_store *s, jd_feed_token_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = prep(q, &st,
                  "SELECT name, agency, created_at, last_used, disabled FROM feed_token"
                  " ORDER BY name",
                  err);
    if (rc < 0)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_feed_token t = {.name = jd_sq__col_text(st, 0),
                           .agency = jd_sq__col_text(st, 1),
                           .created_at = sqlite3_column_int64(st, 2),
                           .last_used = sqlite3_column_int64(st, 3),
                           .disabled = sqlite3_column_int(st, 4) != 0};
        if ((rc = cb(&t, payload)) != 0)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "feed tokens");
    sqlite3_finalize(st);
    return rc;
}

static int tok_disable(jd_store *s, const char *name, bool disabled, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = prep(q, &st, "UPDATE feed_token SET disabled = ?2 WHERE name = ?1", err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, name);
    sqlite3_bind_int(st, 2, disabled ? 1 : 0);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return jd_sq__err(q, err, "feed token");
    return sqlite3_changes(q->db) ? JD_OK
                                  : jd_error_set(err, JD_ENOTFOUND, "no such feed token");
}

static int feed_add(jd_store *s, const jd_feed_record *f, int64_t *out_id, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = prep(q, &st,
                  "INSERT INTO feed(agency, source, name, received_at, status, reason, run_id,"
                  " rows_read, rows_stored, rows_updated, rows_unchanged, rows_rejected, seconds)"
                  " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, f->agency);
    jd_sq__bind_text(st, 2, f->source);
    jd_sq__bind_text(st, 3, f->name);
    sqlite3_bind_int64(st, 4, f->received_at);
    jd_sq__bind_text(st, 5, f->accepted ? "ingested" : "rejected");
    jd_sq__bind_text(st, 6, f->reason ? f->reason : "");
    if (f->run_id > 0)
        sqlite3_bind_int64(st, 7, f->run_id);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_int64(st, 8, f->counts.read);
    sqlite3_bind_int64(st, 9, f->counts.stored);
    sqlite3_bind_int64(st, 10, f->counts.updated);
    sqlite3_bind_int64(st, 11, f->counts.unchanged);
    sqlite3_bind_int64(st, 12, f->counts.rejected);
    sqlite3_bind_double(st, 13, f->seconds);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return jd_sq__err(q, err, "feed record");
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(q->db);
    return JD_OK;
}

static int feed_list(jd_store *s, int64_t limit, jd_feed_record_cb cb, void *payload,
                     jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = prep(q, &st,
                  "SELECT id, agency, source, name, received_at, status, reason,"
                  " coalesce(run_id, 0), rows_read, rows_stored, rows_updated, rows_unchanged,"
                  " rows_rejected, seconds FROM feed ORDER BY id DESC LIMIT ?1",
                  err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, limit);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_feed_record f = {.id = sqlite3_column_int64(st, 0),
                            .agency = jd_sq__col_text(st, 1),
                            .source = jd_sq__col_text(st, 2),
                            .name = jd_sq__col_text(st, 3),
                            .received_at = sqlite3_column_int64(st, 4),
                            .accepted = !strcmp(jd_sq__col_text(st, 5), "ingested"),
                            .reason = jd_sq__col_text(st, 6),
                            .run_id = sqlite3_column_int64(st, 7),
                            .counts = {.read = sqlite3_column_int64(st, 8),
                                       .stored = sqlite3_column_int64(st, 9),
                                       .updated = sqlite3_column_int64(st, 10),
                                       .unchanged = sqlite3_column_int64(st, 11),
                                       .rejected = sqlite3_column_int64(st, 12)},
                            .seconds = sqlite3_column_double(st, 13)};
        if ((rc = cb(&f, payload)) != 0)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "feeds");
    sqlite3_finalize(st);
    return rc;
}

static int generation(jd_store *s, int64_t *analysis, int64_t *identities, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st = NULL;
    int rc = prep(q, &st,
                  "SELECT (SELECT coalesce(max(id), 0) FROM analysis_run),"
                  " (SELECT coalesce(max(id), 0) FROM resolve_run)",
                  err);
    if (rc < 0)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *analysis = sqlite3_column_int64(st, 0);
        *identities = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? JD_OK : jd_sq__err(q, err, "change counter");
}

const struct jd_live_ops jd_sqlite_live_ops = {
    .token_add = tok_add,
    .token_find = tok_find,
    .token_list = tok_list,
    .token_set_disabled = tok_disable,
    .feed_add = feed_add,
    .feed_list = feed_list,
    .generation = generation,
};
