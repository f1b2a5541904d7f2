/*
 * PostgreSQL backend of accounts, sessions, the audit log and alert
 * acknowledgements (struct jd_account_ops, store/account_ops.h); schema in
 * store/pg_schema.h. The audit chain is extended under a row lock on
 * audit_head (SELECT .. FOR UPDATE): appenders on other connections wait
 * for it, so seq and prev_hash never fork. The append-only guards are
 * triggers, as in SQLite.
 */
#include "store/account_ops.h"
#include "store/pg_internal.h"

#include <stdio.h>
#include <string.h>

#define ACCOUNT_COLS                                                                               \
    "SELECT id, username, role, agency, team, pwhash, disabled, failed, locked_until,"             \
    " created_at FROM account "

static int rows(pgs *p, const char *sql, const jd_pg_params *pp, jd_account_row_cb cb,
                void *payload, bool need_one, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(p, sql, pp, &r, err);
    if (rc < 0)
        return rc;
    int n = PQntuples(r);
    for (int i = 0; i < n && rc == JD_OK; i++) {
        jd_account_row a = {
            .id = jd_pg__i64(r, i, 0),
            .username = jd_pg__txt(r, i, 1),
            .role = jd_pg__txt(r, i, 2),
            .agency = jd_pg__txt(r, i, 3),
            .team = jd_pg__txt(r, i, 4),
            .pwhash = jd_pg__txt(r, i, 5),
            .disabled = jd_pg__i64(r, i, 6) != 0,
            .failed = (int)jd_pg__i64(r, i, 7),
            .locked_until = jd_pg__i64(r, i, 8),
            .created_at = jd_pg__i64(r, i, 9),
        };
        rc = cb(&a, payload);
    }
    PQclear(r);
    if (rc == JD_OK && need_one && n == 0)
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    return rc;
}

static int acc_add(jd_store *s, const jd_account_row *a, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, a->username);
    pgp_text(&pp, a->role);
    pgp_text(&pp, a->agency ? a->agency : "");
    pgp_text(&pp, a->team ? a->team : "");
    pgp_text(&pp, a->pwhash);
    pgp_int(&pp, a->created_at);
    int rc = jd_pg__do(s->impl,
                       "INSERT INTO account(username, role, agency, team, pwhash, created_at,"
                       " password_set_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                       &pp, NULL, err);
    if (rc == JD_ECONFLICT)
        return jd_error_set(err, JD_ECONFLICT, "an account of that name exists");
    return rc;
}

static int acc_get(jd_store *s, const char *username, jd_account_row_cb cb, void *payload,
                   jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, username);
    return rows(s->impl, ACCOUNT_COLS "WHERE username = $1", &pp, cb, payload, true, err);
}

static int acc_by_id(jd_store *s, int64_t id, jd_account_row_cb cb, void *payload, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, id);
    return rows(s->impl, ACCOUNT_COLS "WHERE id = $1", &pp, cb, payload, true, err);
}

static int acc_list(jd_store *s, jd_account_row_cb cb, void *payload, jd_error *err)
{
    return rows(s->impl, ACCOUNT_COLS "ORDER BY username", NULL, cb, payload, false, err);
}

static int end_sessions_of(pgs *p, const char *username, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, username);
    return jd_pg__do(p,
                     "DELETE FROM session WHERE account_id ="
                     " (SELECT id FROM account WHERE username = $1)",
                     &pp, NULL, err);
}

static int acc_set_disabled(jd_store *s, const char *username, bool disabled, jd_error *err)
{
    pgs *p = s->impl;
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, username);
    pgp_int(&pp, disabled);
    int64_t n = 0;
    int rc = jd_pg__do(p, "UPDATE account SET disabled = $2 WHERE username = $1", &pp, &n, err);
    if (rc < 0)
        return rc;
    if (n == 0)
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    return disabled ? end_sessions_of(p, username, err) : JD_OK;
}

static int acc_set_password(jd_store *s, const char *username, const char *pwhash, int64_t now,
                            jd_error *err)
{
    pgs *p = s->impl;
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, username);
    pgp_text(&pp, pwhash);
    pgp_int(&pp, now);
    int64_t n = 0;
    int rc = jd_pg__do(p,
                       "UPDATE account SET pwhash = $2, failed = 0, locked_until = 0,"
                       " password_set_at = $3 WHERE username = $1",
                       &pp, &n, err);
    if (rc < 0)
        return rc;
    if (n == 0)
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    return end_sessions_of(p, username, err);
}

static int acc_set_failures(jd_store *s, int64_t id, int failed, int64_t locked_until,
                            jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, id);
    pgp_int(&pp, failed);
    pgp_int(&pp, locked_until);
    return jd_pg__do(s->impl, "UPDATE account SET failed = $2, locked_until = $3 WHERE id = $1",
                     &pp, NULL, err);
}

static int sess_put(jd_store *s, const char *token_hash, int64_t account_id, const char *csrf,
                    int64_t now, int64_t expires_at, jd_error *err)
{
    pgs *p = s->impl;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, now);
    int rc = jd_pg__do(p, "DELETE FROM session WHERE expires_at <= $1", &pp, NULL, err);
    if (rc < 0)
        return rc;
    pp.n = 0;
    pgp_text(&pp, token_hash);
    pgp_int(&pp, account_id);
    pgp_text(&pp, csrf);
    pgp_int(&pp, now);
    pgp_int(&pp, expires_at);
    return jd_pg__do(p,
                     "INSERT INTO session(token_hash, account_id, csrf, created_at, last_seen,"
                     " expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
                     &pp, NULL, err);
}

static int sess_delete(jd_store *s, const char *token_hash, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, token_hash);
    return jd_pg__do(s->impl, "DELETE FROM session WHERE token_hash = $1", &pp, NULL, err);
}

static int sess_get(jd_store *s, const char *token_hash, int64_t now, int64_t idle,
                    int64_t *account_id, char csrf[JD_SESSION_TOKEN_SIZE], jd_error *err)
{
    pgs *p = s->impl;
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, token_hash);
    PGresult *r;
    int rc = jd_pg__run(p,
                        "SELECT account_id, csrf, last_seen, expires_at FROM session"
                        " WHERE token_hash = $1",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return jd_error_set(err, JD_ENOTFOUND, "no such session");
    }
    *account_id = jd_pg__i64(r, 0, 0);
    snprintf(csrf, JD_SESSION_TOKEN_SIZE, "%s", jd_pg__txt(r, 0, 1));
    int64_t last = jd_pg__i64(r, 0, 2), exp = jd_pg__i64(r, 0, 3);
    PQclear(r);
    if ((rc = jd_store__session_live(s, token_hash, now, last, exp, idle, err)) <= 0)
        return rc;
    pgp_int(&pp, now);
    return jd_pg__do(p, "UPDATE session SET last_seen = $2 WHERE token_hash = $1", &pp, NULL,
                     err);
}

static int head_read(pgs *p, bool for_update, int64_t *seq, char hash[65], char mac[65],
                     jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(p,
                        for_update ? "SELECT seq, hash, mac FROM audit_head WHERE id = 1 FOR UPDATE"
                                   : "SELECT seq, hash, mac FROM audit_head WHERE id = 1",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return jd_error_set(err, JD_ESTORE, "the audit head is missing");
    }
    *seq = jd_pg__i64(r, 0, 0);
    snprintf(hash, 65, "%s", jd_pg__txt(r, 0, 1));
    if (mac)
        snprintf(mac, 65, "%s", jd_pg__txt(r, 0, 2));
    PQclear(r);
    return JD_OK;
}

static int audit_head(jd_store *s, int64_t *seq, char hash[65], char mac[65], jd_error *err)
{
    return head_read(s->impl, false, seq, hash, mac, err);
}

static int audit_head_mac(jd_store *s, const char mac[65], jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, mac);
    return jd_pg__do(s->impl, "UPDATE audit_head SET mac = $1 WHERE id = 1", &pp, NULL, err);
}

/* One entry after the head (locked FOR UPDATE), in the open transaction. */
static int append_one(jd_store *s, jd_audit_entry *e, jd_audit_hash_fn fn, jd_error *err)
{
    pgs *p = s->impl;
    char prev[65], hash[65], mac[65], head_mac[65];
    int64_t seq = 0;
    int rc;
    if ((rc = head_read(p, true, &seq, prev, NULL, err)) < 0)
        return rc;
    e->seq = seq + 1;
    fn(s, prev, e, hash, mac, head_mac);
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, e->seq);
    pgp_int(&pp, e->at);
    pgp_text(&pp, e->actor);
    pgp_text(&pp, e->action);
    pgp_text(&pp, e->target);
    pgp_text(&pp, e->reason);
    pgp_text(&pp, e->detail);
    pgp_int(&pp, e->ok);
    pgp_text(&pp, prev);
    pgp_text(&pp, hash);
    pgp_text(&pp, mac);
    if ((rc = jd_pg__do(p,
                        "INSERT INTO audit_log(seq, at, actor, action, target, reason, detail,"
                        " ok, prev_hash, hash, mac)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        &pp, NULL, err)) < 0)
        return rc;
    pp.n = 0;
    pgp_int(&pp, e->seq);
    pgp_text(&pp, hash);
    pgp_text(&pp, head_mac);
    return jd_pg__do(p, "UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1", &pp,
                     NULL, err);
}

static int audit_append(jd_store *s, jd_audit_entry *e, size_t n, jd_audit_hash_fn fn,
                        jd_error *err)
{
    pgs *p = s->impl;
    bool own = !p->in_tx;
    int rc = JD_OK;
    if (own && (rc = jd_pg__begin(p, err)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == JD_OK; i++)
        rc = append_one(s, &e[i], fn, err);
    if (own)
        rc = jd_pg__end(p, rc, err);
    return rc;
}

static int audit_list(jd_store *s, int64_t after, int64_t limit,
                      int (*cb)(const jd_audit_entry *e, void *payload), void *payload,
                      jd_error *err)
{
    pgs *p = s->impl;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, after);
    pgp_opt_int(&pp, limit, limit > 0); /* LIMIT NULL: all */
    PGresult *r;
    int rc = jd_pg__run(p,
                        "SELECT seq, at, actor, action, target, reason, detail, ok, prev_hash,"
                        " hash, mac FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && rc == JD_OK; i++) {
        jd_audit_entry e = {
            .seq = jd_pg__i64(r, i, 0),
            .at = jd_pg__i64(r, i, 1),
            .actor = jd_pg__txt(r, i, 2),
            .action = jd_pg__txt(r, i, 3),
            .target = jd_pg__txt(r, i, 4),
            .reason = jd_pg__txt(r, i, 5),
            .detail = jd_pg__txt(r, i, 6),
            .ok = jd_pg__i64(r, i, 7) != 0,
            .prev_hash = jd_pg__txt(r, i, 8),
            .hash = jd_pg__txt(r, i, 9),
            .mac = jd_pg__txt(r, i, 10),
        };
        rc = cb(&e, payload);
    }
    PQclear(r);
    return rc;
}

static int ack_add(jd_store *s, const char *alert_id, const char *by, const char *note, int64_t at,
                   jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, alert_id);
    pgp_text(&pp, by);
    pgp_int(&pp, at);
    pgp_text(&pp, note);
    return jd_pg__do(s->impl,
                     "INSERT INTO alert_ack(alert_id, by_user, at, note) VALUES ($1, $2, $3, $4)",
                     &pp, NULL, err);
}

static int ack_list(jd_store *s,
                    int (*cb)(const char *alert_id, const char *by, int64_t at, const char *note,
                              void *payload),
                    void *payload, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(s->impl, "SELECT alert_id, by_user, at, note FROM alert_ack ORDER BY id",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && rc == JD_OK; i++)
        rc = cb(jd_pg__txt(r, i, 0), jd_pg__txt(r, i, 1), jd_pg__i64(r, i, 2),
                jd_pg__txt(r, i, 3), payload);
    PQclear(r);
    return rc;
}

const struct jd_account_ops jd_pg_account_ops = {
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
    .ack_add = ack_add,
    .ack_list = ack_list,
};
