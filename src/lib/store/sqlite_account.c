/*
 * SQLite backend of accounts, sessions and the audit log (struct
 * jd_account_ops, store/account_ops.h). Schema: store/schema_account.h.
 */
#include "store/account_ops.h"
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

/* jd_sq__prep of sql, a string literal (a macro so that jd_sq__prep's
 * check sees the literal); JD_OK or JD_ESTORE. */
#define prep(q, st, sql, err)                                                                      \
    (jd_sq__prep((q), sql, (st)) != SQLITE_OK ? jd_sq__err((q), (err), "accounts") : JD_OK)

/* Step a statement without results; finalises it. */
static int done(sq *q, sqlite3_stmt *st, jd_error *err)
{
    int r = sqlite3_step(st);
    jd_sq__unprep(q, st);
    return r == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "accounts");
}

#define ACCOUNT_COLS                                                                               \
    "SELECT id, username, role, agency, team, pwhash, disabled, failed, locked_until,"             \
    " created_at FROM account "

static int rows(sq *q, sqlite3_stmt *st, jd_account_row_cb cb, void *payload, bool need_one,
                jd_error *err)
{
    int r, rc = JD_OK;
    bool any = false;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        any = true;
        jd_account_row a = {
            .id = sqlite3_column_int64(st, 0),
            .username = jd_sq__col_text(st, 1),
            .role = jd_sq__col_text(st, 2),
            .agency = jd_sq__col_text(st, 3),
            .team = jd_sq__col_text(st, 4),
            .pwhash = jd_sq__col_text(st, 5),
            .disabled = sqlite3_column_int(st, 6) != 0,
            .failed = sqlite3_column_int(st, 7),
            .locked_until = sqlite3_column_int64(st, 8),
            .created_at = sqlite3_column_int64(st, 9),
        };
        if ((rc = cb(&a, payload)) != 0)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE && r != SQLITE_ROW)
        rc = jd_sq__err(q, err, "accounts");
    jd_sq__unprep(q, st);
    if (rc == JD_OK && need_one && !any)
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    return rc;
}

static int acc_add(jd_store *s, const jd_account_row *a, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st,
                  "INSERT INTO account(username, role, agency, team, pwhash, created_at,"
                  " password_set_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, a->username);
    jd_sq__bind_text(st, 2, a->role);
    jd_sq__bind_text(st, 3, a->agency ? a->agency : "");
    jd_sq__bind_text(st, 4, a->team ? a->team : "");
    jd_sq__bind_text(st, 5, a->pwhash);
    sqlite3_bind_int64(st, 6, a->created_at);
    int r = sqlite3_step(st);
    jd_sq__unprep(q, st);
    if (r == SQLITE_CONSTRAINT_UNIQUE || r == SQLITE_CONSTRAINT)
        return jd_error_set(err, JD_ECONFLICT, "an account of that name exists");
    return r == SQLITE_DONE ? JD_OK : jd_sq__err(q, err, "account add");
}

static int acc_get(jd_store *s, const char *username, jd_account_row_cb cb, void *payload,
                   jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, ACCOUNT_COLS "WHERE username = ?1", err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, username);
    return rows(q, st, cb, payload, true, err);
}

static int acc_by_id(jd_store *s, int64_t id, jd_account_row_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, ACCOUNT_COLS "WHERE id = ?1", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    return rows(q, st, cb, payload, true, err);
}

static int acc_list(jd_store *s, jd_account_row_cb cb, void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, ACCOUNT_COLS "ORDER BY username", err);
    if (rc < 0)
        return rc;
    return rows(q, st, cb, payload, false, err);
}

static int end_sessions_of(sq *q, const char *username, jd_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(q, &st,
                  "DELETE FROM session WHERE account_id ="
                  " (SELECT id FROM account WHERE username = ?1)",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, username);
    return done(q, st, err);
}

static int acc_set_disabled(jd_store *s, const char *username, bool disabled, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, "UPDATE account SET disabled = ?2 WHERE username = ?1", err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, username);
    sqlite3_bind_int(st, 2, disabled);
    if ((rc = done(q, st, err)) < 0)
        return rc;
    if (sqlite3_changes(q->db) == 0)
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    return disabled ? end_sessions_of(q, username, err) : JD_OK;
}

static int acc_set_password(jd_store *s, const char *username, const char *pwhash, int64_t now,
                            jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st,
                  "UPDATE account SET pwhash = ?2, failed = 0, locked_until = 0,"
                  " password_set_at = ?3 WHERE username = ?1",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, username);
    jd_sq__bind_text(st, 2, pwhash);
    sqlite3_bind_int64(st, 3, now);
    if ((rc = done(q, st, err)) < 0)
        return rc;
    if (sqlite3_changes(q->db) == 0)
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    return end_sessions_of(q, username, err);
}

static int acc_set_failures(jd_store *s, int64_t id, int failed, int64_t locked_until,
                            jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, "UPDATE account SET failed = ?2, locked_until = ?3 WHERE id = ?1", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, failed);
    sqlite3_bind_int64(st, 3, locked_until);
    return done(q, st, err);
}

static int sess_put(jd_store *s, const char *token_hash, int64_t account_id, const char *csrf,
                    int64_t now, int64_t expires_at, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    /* Housekeeping: sessions past their absolute expiry go first. */
    int rc = prep(q, &st, "DELETE FROM session WHERE expires_at <= ?1", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    if ((rc = done(q, st, err)) < 0)
        return rc;
    if ((rc = prep(q, &st,
                   "INSERT INTO session(token_hash, account_id, csrf, created_at, last_seen,"
                   " expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                   err)) < 0)
        return rc;
    jd_sq__bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, account_id);
    jd_sq__bind_text(st, 3, csrf);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, expires_at);
    return done(q, st, err);
}

static int sess_delete(jd_store *s, const char *token_hash, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, "DELETE FROM session WHERE token_hash = ?1", err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, token_hash);
    return done(q, st, err);
}

static int sess_get(jd_store *s, const char *token_hash, int64_t now, int64_t idle,
                    int64_t *account_id, char csrf[JD_SESSION_TOKEN_SIZE], jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st,
                  "SELECT account_id, csrf, last_seen, expires_at FROM session"
                  " WHERE token_hash = ?1",
                  err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, token_hash);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        jd_sq__unprep(q, st);
        return r == SQLITE_DONE ? jd_error_set(err, JD_ENOTFOUND, "no such session")
                                : jd_sq__err(q, err, "session");
    }
    *account_id = sqlite3_column_int64(st, 0);
    snprintf(csrf, JD_SESSION_TOKEN_SIZE, "%s", jd_sq__col_text(st, 1));
    int64_t last = sqlite3_column_int64(st, 2), exp = sqlite3_column_int64(st, 3);
    jd_sq__unprep(q, st);
    if ((rc = jd_store__session_live(s, token_hash, now, last, exp, idle, err)) <= 0)
        return rc;
    if ((rc = prep(q, &st, "UPDATE session SET last_seen = ?2 WHERE token_hash = ?1", err)) < 0)
        return rc;
    jd_sq__bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, now);
    if (q->in_tx)
        return done(q, st, err);
    /* The once-a-minute touch never waits for the store's writer (a feed's
     * transaction, the audit's group commit): every request of a session in
     * flight at the minute tried it, and each waited in the busy handler
     * (issue 17). Busy, the touch is left to the session's next request. */
    jd_sq__busy_wait(q, false);
    int r2 = sqlite3_step(st);
    jd_sq__unprep(q, st);
    jd_sq__busy_wait(q, true);
    if (r2 == SQLITE_DONE || (r2 & 0xff) == SQLITE_BUSY)
        return JD_OK;
    return jd_sq__err(q, err, "accounts");
}

static int head_read(sq *q, int64_t *seq, char hash[65], char mac[65], jd_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(q, &st, "SELECT seq, hash, mac FROM audit_head WHERE id = 1", err);
    if (rc < 0)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        snprintf(hash, 65, "%s", jd_sq__col_text(st, 1));
        if (mac)
            snprintf(mac, 65, "%s", jd_sq__col_text(st, 2));
    }
    jd_sq__unprep(q, st);
    if (r != SQLITE_ROW)
        return r == SQLITE_DONE ? jd_error_set(err, JD_ESTORE, "the audit head is missing")
                                : jd_sq__err(q, err, "audit head");
    return JD_OK;
}

static int audit_head(jd_store *s, int64_t *seq, char hash[65], char mac[65], jd_error *err)
{
    return head_read(jd_sq__audit(s->impl), seq, hash, mac, err);
}

static int audit_head_mac(jd_store *s, const char mac[65], jd_error *err)
{
    sq *q = jd_sq__audit(s->impl);
    sqlite3_stmt *st;
    int rc = prep(q, &st, "UPDATE audit_head SET mac = ?1 WHERE id = 1", err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, mac);
    return done(q, st, err);
}

/* One entry after the head (seq, prev), in the open write transaction on
 * the log's connection (the audit file's, sqlite_audit.c); prev and seq
 * become this entry's, head_mac its head MAC. The head itself is written
 * once per batch (head_write). */
static int append_one(jd_store *s, jd_audit_entry *e, jd_audit_hash_fn fn, int64_t *seq,
                      char prev[65], char head_mac[65], jd_error *err)
{
    sq *q = jd_sq__audit(s->impl);
    char hash[65], mac[65];
    sqlite3_stmt *st = NULL;
    int rc;
    e->seq = *seq + 1;
    fn(s, prev, e, hash, mac, head_mac);
    if ((rc = prep(q, &st,
                   "INSERT INTO audit_log(seq, at, actor, action, target, reason, detail, ok,"
                   " prev_hash, hash, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                   err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, e->seq);
    sqlite3_bind_int64(st, 2, e->at);
    jd_sq__bind_text(st, 3, e->actor);
    jd_sq__bind_text(st, 4, e->action);
    jd_sq__bind_text(st, 5, e->target);
    jd_sq__bind_text(st, 6, e->reason);
    jd_sq__bind_text(st, 7, e->detail);
    sqlite3_bind_int(st, 8, e->ok);
    jd_sq__bind_text(st, 9, prev);
    jd_sq__bind_text(st, 10, hash);
    jd_sq__bind_text(st, 11, mac);
    if ((rc = done(q, st, err)) < 0)
        return rc;
    *seq = e->seq;
    memcpy(prev, hash, 65);
    return JD_OK;
}

static int head_write(sq *q, int64_t seq, const char hash[65], const char mac[65], jd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, &st, "UPDATE audit_head SET seq = ?1, hash = ?2, mac = ?3 WHERE id = 1", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, seq);
    jd_sq__bind_text(st, 2, hash);
    jd_sq__bind_text(st, 3, mac);
    return done(q, st, err);
}

/* In the audit file, its own transaction: IMMEDIATE takes that file's write
 * lock only, never the store's (a feed's transaction there does not delay
 * it, and a store transaction in hand does not include it). */
static int audit_append(jd_store *s, jd_audit_entry *e, size_t n, jd_audit_hash_fn fn,
                        jd_error *err)
{
    sq *q = jd_sq__audit(s->impl);
    bool own = !q->in_tx;
    int rc = JD_OK;
    if (own && (rc = jd_sq__exec(q, "BEGIN IMMEDIATE", err)) < 0)
        return rc;
    /* The head read once and written once per batch: n + 2 statements for
     * n rows, not 3n (docs/internals/server.md, "The audit commit"). */
    int64_t seq = 0;
    char prev[65], head_mac[65] = "";
    if (rc == JD_OK)
        rc = head_read(q, &seq, prev, NULL, err);
    for (size_t i = 0; i < n && rc == JD_OK; i++)
        rc = append_one(s, &e[i], fn, &seq, prev, head_mac, err);
    if (rc == JD_OK && n)
        rc = head_write(q, seq, prev, head_mac, err);
    if (own) {
        if (rc == JD_OK)
            rc = jd_sq__exec(q, "COMMIT", err);
        if (rc < 0)
            (void)jd_sq__exec(q, "ROLLBACK", NULL);
    }
    return rc;
}

static int audit_checkpoint(jd_store *s, bool *done, jd_error *err)
{
    (void)err;
    return jd_sq__audit_checkpoint(s->impl, done);
}

static int audit_list(jd_store *s, int64_t after, int64_t limit,
                      int (*cb)(const jd_audit_entry *e, void *payload), void *payload,
                      jd_error *err)
{
    sq *q = jd_sq__audit(s->impl);
    sqlite3_stmt *st;
    int rc = prep(q, &st,
                  "SELECT seq, at, actor, action, target, reason, detail, ok, prev_hash, hash,"
                  " mac FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                  err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        jd_audit_entry e = {
            .seq = sqlite3_column_int64(st, 0),
            .at = sqlite3_column_int64(st, 1),
            .actor = jd_sq__col_text(st, 2),
            .action = jd_sq__col_text(st, 3),
            .target = jd_sq__col_text(st, 4),
            .reason = jd_sq__col_text(st, 5),
            .detail = jd_sq__col_text(st, 6),
            .ok = sqlite3_column_int(st, 7) != 0,
            .prev_hash = jd_sq__col_text(st, 8),
            .hash = jd_sq__col_text(st, 9),
            .mac = jd_sq__col_text(st, 10),
        };
        if ((rc = cb(&e, payload)) != 0)
            break;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "audit list");
    jd_sq__unprep(q, st);
    return rc;
}

static int ack_add(jd_store *s, const char *alert_id, const char *by, const char *note, int64_t at,
                   jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(
        q, &st, "INSERT INTO alert_ack(alert_id, by_user, at, note) VALUES (?1, ?2, ?3, ?4)", err);
    if (rc < 0)
        return rc;
    jd_sq__bind_text(st, 1, alert_id);
    jd_sq__bind_text(st, 2, by);
    sqlite3_bind_int64(st, 3, at);
    jd_sq__bind_text(st, 4, note);
    return done(q, st, err);
}

static int ack_list(jd_store *s,
                    int (*cb)(const char *alert_id, const char *by, int64_t at, const char *note,
                              void *payload),
                    void *payload, jd_error *err)
{
    sq *q = s->impl;
    sqlite3_stmt *st;
    int rc = prep(q, &st, "SELECT alert_id, by_user, at, note FROM alert_ack ORDER BY id", err);
    if (rc < 0)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = cb(jd_sq__col_text(st, 0), jd_sq__col_text(st, 1), sqlite3_column_int64(st, 2),
                     jd_sq__col_text(st, 3), payload)) != 0)
            break;
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "acknowledgements");
    jd_sq__unprep(q, st);
    return rc;
}

const struct jd_account_ops jd_sqlite_account_ops = {
    .add = acc_add,
    .get = acc_get,
    .by_id = acc_by_id,
    .list = acc_list,
    .set_disabled = acc_set_disabled,
    .set_password = acc_set_password,
    .set_failures = acc_set_failures,
    .session_put = sess_put,
    .session_get = sess_get,
    .session_delete = sess_delete,
    .audit_append = audit_append,
    .audit_list = audit_list,
    .audit_head = audit_head,
    .audit_head_mac = audit_head_mac,
    .audit_checkpoint = audit_checkpoint,
    .ack_add = ack_add,
    .ack_list = ack_list,
};
