/*
 * PostgreSQL backend of live operation (struct jd_live_ops,
 * store/live_ops.h): feed tokens (digests only), the record of feeds, and
 * the change counter; schema in store/pg_schema.h. As sqlite_live.c.
 */
#include "store/live_ops.h"
#include "store/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tok_add(jd_store *s, const char *name, const char *agency, const char *hash,
                   int64_t now, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, name);
    pgp_text(&pp, agency);
    pgp_text(&pp, hash);
    pgp_int(&pp, now);
    int rc = jd_pg__do(s->impl,
                       "INSERT INTO feed_token(name, agency, token_hash, created_at)"
                       " VALUES ($1, $2, $3, $4)",
                       &pp, NULL, err);
    if (rc == JD_ECONFLICT)
        return jd_error_set(err, JD_ECONFLICT, "a feed token with this name exists");
    return rc;
}

static int tok_find(jd_store *s, const char *hash, int64_t now, char name[64], char agency[32],
                    jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, hash);
    pgp_int(&pp, now);
    PGresult *r;
    /* last_used helps retire old tokens; it is set in the same statement */
    int rc = jd_pg__run(s->impl,
                        "UPDATE feed_token SET last_used = $2 WHERE token_hash = $1 AND"
                        " disabled = 0 RETURNING name, agency",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return jd_error_set(err, JD_ENOTFOUND, "no such feed token");
    }
    snprintf(name, 64, "%s", jd_pg__txt(r, 0, 0));
    snprintf(agency, 32, "%s", jd_pg__txt(r, 0, 1));
    PQclear(r);
    return JD_OK;
}

static int tok_list(jd_store *s, jd_feed_token_cb cb, void *payload, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT name, agency, created_at, last_used, disabled FROM feed_token"
                        " ORDER BY name COLLATE \"C\"",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && rc == JD_OK; i++) {
        jd_feed_token t = {.name = jd_pg__txt(r, i, 0),
                           .agency = jd_pg__txt(r, i, 1),
                           .created_at = jd_pg__i64(r, i, 2),
                           .last_used = jd_pg__i64(r, i, 3),
                           .disabled = jd_pg__i64(r, i, 4) != 0};
        rc = cb(&t, payload);
    }
    PQclear(r);
    return rc;
}

static int tok_disable(jd_store *s, const char *name, bool disabled, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, name);
    pgp_int(&pp, disabled ? 1 : 0);
    int64_t changed = 0;
    int rc = jd_pg__do(s->impl, "UPDATE feed_token SET disabled = $2 WHERE name = $1", &pp,
                       &changed, err);
    if (rc < 0)
        return rc;
    return changed ? JD_OK : jd_error_set(err, JD_ENOTFOUND, "no such feed token");
}

static int feed_add(jd_store *s, const jd_feed_record *f, int64_t *out_id, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    char secs[32];
    snprintf(secs, sizeof secs, "%.6f", f->seconds);
    pgp_text(&pp, f->agency);
    pgp_text(&pp, f->source);
    pgp_text(&pp, f->name);
    pgp_int(&pp, f->received_at);
    pgp_text(&pp, f->accepted ? "ingested" : "rejected");
    pgp_text(&pp, f->reason ? f->reason : "");
    pgp_opt_int(&pp, f->run_id, f->run_id > 0);
    pgp_int(&pp, f->counts.read);
    pgp_int(&pp, f->counts.stored);
    pgp_int(&pp, f->counts.updated);
    pgp_int(&pp, f->counts.unchanged);
    pgp_int(&pp, f->counts.rejected);
    pgp_text(&pp, secs);
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "INSERT INTO feed(agency, source, name, received_at, status, reason, run_id,"
                        " rows_read, rows_stored, rows_updated, rows_unchanged, rows_rejected,"
                        " seconds) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    if (out_id)
        *out_id = PQntuples(r) == 1 ? jd_pg__i64(r, 0, 0) : 0;
    PQclear(r);
    return JD_OK;
}

static int feed_list(jd_store *s, int64_t limit, jd_feed_record_cb cb, void *payload,
                     jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, limit);
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT id, agency, source, name, received_at, status, reason,"
                        " coalesce(run_id, 0), rows_read, rows_stored, rows_updated,"
                        " rows_unchanged, rows_rejected, seconds FROM feed ORDER BY id DESC"
                        " LIMIT $1",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && rc == JD_OK; i++) {
        jd_feed_record f = {.id = jd_pg__i64(r, i, 0),
                            .agency = jd_pg__txt(r, i, 1),
                            .source = jd_pg__txt(r, i, 2),
                            .name = jd_pg__txt(r, i, 3),
                            .received_at = jd_pg__i64(r, i, 4),
                            .accepted = !strcmp(jd_pg__txt(r, i, 5), "ingested"),
                            .reason = jd_pg__txt(r, i, 6),
                            .run_id = jd_pg__i64(r, i, 7),
                            .counts = {.read = jd_pg__i64(r, i, 8),
                                       .stored = jd_pg__i64(r, i, 9),
                                       .updated = jd_pg__i64(r, i, 10),
                                       .unchanged = jd_pg__i64(r, i, 11),
                                       .rejected = jd_pg__i64(r, i, 12)},
                            .seconds = strtod(jd_pg__txt(r, i, 13), NULL)};
        rc = cb(&f, payload);
    }
    PQclear(r);
    return rc;
}

static int generation(jd_store *s, int64_t *analysis, int64_t *identities, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT (SELECT coalesce(max(id), 0) FROM analysis_run),"
                        " (SELECT coalesce(max(id), 0) FROM resolve_run)",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return jd_error_set(err, JD_ESTORE, "change counter: no row");
    }
    *analysis = jd_pg__i64(r, 0, 0);
    *identities = jd_pg__i64(r, 0, 1);
    PQclear(r);
    return JD_OK;
}

const struct jd_live_ops jd_pg_live_ops = {
    .token_add = tok_add,
    .token_find = tok_find,
    .token_list = tok_list,
    .token_set_disabled = tok_disable,
    .feed_add = feed_add,
    .feed_list = feed_list,
    .generation = generation,
};
