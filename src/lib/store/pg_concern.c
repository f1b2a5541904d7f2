/*
 * PostgreSQL side of concerns and escalation (store/concern_ops.h). Each
 * write is one transaction: the row, its history and its queued messages
 * together or not at all. The version check is the UPDATE's WHERE clause:
 * under READ COMMITTED a second writer of the same row waits for the first
 * to commit, then re-reads the row, finds the version moved on, updates
 * nothing and gets JD_ECONFLICT. No lock is held between a read and a write.
 */
#include "store/concern_ops.h"
#include "store/pg_internal.h"

#include <string.h>

static int c_next_number(jd_store *s, int64_t *out, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(s->impl, "SELECT count(*) + 1 FROM concern WHERE automatic = 0", NULL,
                        &r, err);
    if (rc < 0)
        return rc;
    *out = jd_pg__i64(r, 0, 0);
    PQclear(r);
    return JD_OK;
}

#define REC_COLS                                                                                   \
    "SELECT id, version, automatic, status, owner, rung, level, strategic, raised_at, due_at,"     \
    " updated_at, base, state FROM concern"

static void read_rec(const PGresult *r, int i, jd_concern_rec *c)
{
    *c = (jd_concern_rec){jd_pg__txt(r, i, 0),        jd_pg__i64(r, i, 1),
                          jd_pg__i64(r, i, 2) != 0,   jd_pg__txt(r, i, 3),
                          jd_pg__txt(r, i, 4),        jd_pg__txt(r, i, 5),
                          jd_pg__txt(r, i, 6),        jd_pg__i64(r, i, 7) != 0,
                          jd_pg__i64(r, i, 8),        jd_pg__i64(r, i, 9),
                          jd_pg__i64(r, i, 10),       jd_pg__txt(r, i, 11),
                          jd_pg__txt(r, i, 12)};
}

static int c_get(jd_store *s, const char *id, jd_concern_rec_cb cb, void *payload, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, id);
    PGresult *r;
    int rc = jd_pg__run(s->impl, REC_COLS " WHERE id = $1", &pp, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) == 1) {
        jd_concern_rec rec;
        read_rec(r, 0, &rec);
        rc = cb(&rec, payload);
    } else {
        rc = jd_error_set(err, JD_ENOTFOUND, "no concern with that id");
    }
    PQclear(r);
    return rc;
}

typedef struct rec_ctx {
    jd_concern_rec_cb cb;
    jd_concern_evrec_cb ecb;
    jd_outbox_rec_cb ocb;
    void *payload;
} rec_ctx;

static int rec_row(const PGresult *r, void *payload)
{
    rec_ctx *c = payload;
    jd_concern_rec rec;
    read_rec(r, 0, &rec);
    return c->cb(&rec, c->payload);
}

static int c_list(jd_store *s, jd_concern_rec_cb cb, void *payload, jd_error *err)
{
    rec_ctx c = {.cb = cb, .payload = payload};
    return jd_pg__stream(s->impl, REC_COLS " ORDER BY id", NULL, rec_row, &c, err);
}

static int c_open_prefix(jd_store *s, const char *prefix, jd_concern_rec_cb cb, void *payload,
                         jd_error *err)
{
    char hi[256];
    if (jd_concern__prefix_end(prefix, hi, sizeof hi) < 0)
        return jd_error_set(err, JD_EINVALID, "a prefix of 1 to 255 bytes is needed");
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, prefix);
    pgp_text(&pp, hi);
    rec_ctx c = {.cb = cb, .payload = payload};
    return jd_pg__stream(s->impl,
                         REC_COLS " WHERE id >= $1 AND id < $2 AND status <> 'closed' ORDER BY id",
                         &pp, rec_row, &c, err);
}

static int version_row(const PGresult *r, void *payload)
{
    rec_ctx *c = payload;
    jd_concern_rec rec = {.id = jd_pg__txt(r, 0, 0), .version = jd_pg__i64(r, 0, 1)};
    return c->cb(&rec, c->payload);
}

static int c_versions(jd_store *s, jd_concern_rec_cb cb, void *payload, jd_error *err)
{
    rec_ctx c = {.cb = cb, .payload = payload};
    return jd_pg__stream(s->impl, "SELECT id, version FROM concern ORDER BY id", NULL, version_row,
                         &c, err);
}

static int ev_row(const PGresult *r, void *payload)
{
    rec_ctx *c = payload;
    jd_concern_evrec e = {jd_pg__i64(r, 0, 0), jd_pg__txt(r, 0, 1), jd_pg__i64(r, 0, 2),
                          jd_pg__i64(r, 0, 3), jd_pg__txt(r, 0, 4), jd_pg__txt(r, 0, 5),
                          jd_pg__txt(r, 0, 6), jd_pg__i64(r, 0, 7) != 0, jd_pg__txt(r, 0, 8)};
    return c->ecb(&e, c->payload);
}

static int c_events(jd_store *s, const char *id, jd_concern_evrec_cb cb, void *payload,
                    jd_error *err)
{
    rec_ctx c = {.ecb = cb, .payload = payload};
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, id);
    return jd_pg__stream(
        s->impl,
        id ? "SELECT seq, concern_id, at, recorded_at, actor, role, action, automatic,"
             " doc FROM concern_event WHERE concern_id = $1 ORDER BY concern_id, at, seq"
           : "SELECT seq, concern_id, at, recorded_at, actor, role, action, automatic,"
             " doc FROM concern_event ORDER BY concern_id, at, seq",
        id ? &pp : NULL, ev_row, &c, err);
}

static int write_body(pgs *p, const jd_concern_rec *c, int64_t expected,
                      const jd_concern_evrec *ev, size_t nev, const jd_outbox_rec *msg,
                      size_t nmsg, int64_t *newv, jd_error *err)
{
    int64_t now = jd_pg__now(), n = 0;
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, c->id);
    pgp_int(&pp, c->automatic);
    pgp_text(&pp, c->status);
    pgp_text(&pp, c->owner);
    pgp_text(&pp, c->rung);
    pgp_text(&pp, c->level);
    pgp_int(&pp, c->strategic);
    pgp_int(&pp, c->raised_at);
    pgp_int(&pp, c->due_at);
    pgp_int(&pp, c->updated_at ? c->updated_at : now);
    pgp_text(&pp, c->base);
    pgp_text(&pp, c->state);
    int rc;
    if (expected == 0) {
        rc = jd_pg__do(p,
                       "INSERT INTO concern(id, version, automatic, status, owner, rung, level,"
                       " strategic, raised_at, due_at, updated_at, base, state)"
                       " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                       " ON CONFLICT(id) DO NOTHING",
                       &pp, &n, err);
    } else {
        pgp_int(&pp, expected);
        rc = jd_pg__do(p,
                       "UPDATE concern SET version = version + 1, automatic = $2, status = $3,"
                       " owner = $4, rung = $5, level = $6, strategic = $7, raised_at = $8,"
                       " due_at = $9, updated_at = $10, base = $11, state = $12"
                       " WHERE id = $1 AND version = $13",
                       &pp, &n, err);
    }
    if (rc < 0)
        return rc;
    if (n != 1)
        return jd_store__concern_conflict(err, c->id, expected);
    *newv = expected + 1;
    for (size_t i = 0; i < nev; i++) {
        pp.n = 0;
        pgp_text(&pp, c->id);
        pgp_int(&pp, ev[i].at);
        pgp_int(&pp, now);
        pgp_text(&pp, ev[i].actor);
        pgp_text(&pp, ev[i].role ? ev[i].role : "");
        pgp_text(&pp, ev[i].action);
        pgp_int(&pp, ev[i].automatic);
        pgp_text(&pp, ev[i].doc ? ev[i].doc : "{}");
        if ((rc = jd_pg__do(p,
                            "INSERT INTO concern_event(concern_id, at, recorded_at, actor, role,"
                            " action, automatic, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                            &pp, NULL, err)) < 0)
            return rc;
    }
    for (size_t i = 0; i < nmsg; i++) {
        pp.n = 0;
        pgp_text(&pp, c->id);
        pgp_text(&pp, msg[i].recipient);
        pgp_text(&pp, msg[i].subject);
        pgp_text(&pp, msg[i].body);
        pgp_int(&pp, now);
        if ((rc = jd_pg__do(p,
                            "INSERT INTO notify_outbox(concern_id, recipient, subject, body,"
                            " created_at) VALUES ($1, $2, $3, $4, $5)",
                            &pp, NULL, err)) < 0)
            return rc;
    }
    return JD_OK;
}

/* The concerns' change counter (meta concern_gen), as in SQLite: one more
 * at each write, in its transaction. */
static int c_gen(jd_store *s, int64_t *out, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT coalesce((SELECT value::text::bigint FROM meta"
                        " WHERE key = 'concern_gen'), 0)",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    *out = jd_pg__i64(r, 0, 0);
    PQclear(r);
    return JD_OK;
}

static int c_write(jd_store *s, const jd_concern_rec *c, int64_t expected,
                   const jd_concern_evrec *ev, size_t nev, const jd_outbox_rec *msg, size_t nmsg,
                   int64_t *new_version, jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "concern write inside another transaction");
    int rc = jd_pg__begin(p, err);
    if (rc < 0)
        return rc;
    int64_t v = 0;
    rc = write_body(p, c, expected, ev, nev, msg, nmsg, &v, err);
    if (rc == JD_OK)
        rc = jd_pg__exec(p,
                         "INSERT INTO meta(key, value) VALUES ('concern_gen', '1') ON CONFLICT(key)"
                         " DO UPDATE SET value = (meta.value::text::bigint + 1)::text",
                         err);
    rc = jd_pg__end(p, rc, err);
    if (rc == JD_OK && new_version)
        *new_version = v;
    return rc;
}

static int ob_row(const PGresult *r, void *payload)
{
    rec_ctx *c = payload;
    jd_outbox_rec m = {jd_pg__i64(r, 0, 0), jd_pg__txt(r, 0, 1), jd_pg__txt(r, 0, 2),
                       jd_pg__txt(r, 0, 3), jd_pg__txt(r, 0, 4), jd_pg__i64(r, 0, 5),
                       (int)jd_pg__i64(r, 0, 6)};
    return c->ocb(&m, c->payload);
}

static int c_outbox_due(jd_store *s, const char *channel, int64_t now, jd_outbox_rec_cb cb,
                        void *payload, jd_error *err)
{
    rec_ctx c = {.ocb = cb, .payload = payload};
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, channel);
    pgp_int(&pp, now);
    return jd_pg__stream(s->impl,
                         "SELECT o.id, o.concern_id, o.recipient, o.subject, o.body, o.created_at,"
                         " coalesce(d.attempts, 0) FROM notify_outbox o LEFT JOIN notify_delivery d"
                         " ON d.outbox_id = o.id AND d.channel = $1"
                         " WHERE d.delivered_at IS NULL AND coalesce(d.next_at, 0) <= $2"
                         " ORDER BY o.id",
                         &pp, ob_row, &c, err);
}

static int c_delivery_mark(jd_store *s, int64_t outbox_id, const char *channel, bool delivered,
                           int64_t now, int64_t next_at, const char *error, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, outbox_id);
    pgp_text(&pp, channel);
    pgp_int(&pp, next_at);
    pgp_opt_int(&pp, now, delivered);
    pgp_text(&pp, error);
    return jd_pg__do(s->impl,
                     "INSERT INTO notify_delivery(outbox_id, channel, attempts, next_at,"
                     " delivered_at, last_error) VALUES ($1, $2, 1, $3, $4, $5)"
                     " ON CONFLICT(outbox_id, channel) DO UPDATE SET"
                     " attempts = notify_delivery.attempts + 1, next_at = excluded.next_at,"
                     " delivered_at = excluded.delivered_at, last_error = excluded.last_error",
                     &pp, NULL, err);
}

static int c_outbox_counts(jd_store *s, const char *channel, int64_t *queued, int64_t *pending,
                           jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, channel);
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT count(*), count(*) FILTER (WHERE d.delivered_at IS NULL)"
                        " FROM notify_outbox o LEFT JOIN notify_delivery d"
                        " ON d.outbox_id = o.id AND d.channel = $1",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    *queued = jd_pg__i64(r, 0, 0);
    *pending = jd_pg__i64(r, 0, 1);
    PQclear(r);
    return JD_OK;
}

const struct jd_concern_ops jd_pg_concern_ops = {
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
