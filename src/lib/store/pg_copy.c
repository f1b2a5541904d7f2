/*
 * jd_store_copy: a whole SQLite store into an empty PostgreSQL one, with
 * its row ids, history, quarantine, identities, alerts, concerns, accounts
 * and audit chain (hashes as stored, so `joindots audit verify` checks the
 * same chain on both ends). One PostgreSQL transaction: a failed copy leaves
 * the destination as it was. The source is only read.
 *
 * Table by table in foreign-key order, by COPY, with the columns PostgreSQL
 * declares (the two schemas use the same names; pg_schema.h). Afterwards the
 * identity sequences are moved past the copied ids and every table's row
 * count is compared with the source's.
 */
#include "store/pg_internal.h"
#include "store/pg_schema.h"
#include <joindots/store.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const copy_tables[] = {
    "meta",          "ingest_run",      "source_file",    "location",
    "event",         "event_history",   "person_mention", "person_mention_history",
    "object_mention", "object_mention_history", "problem", "identity",
    "identity_ref",  "identity_note",   "link_decision",  "resolve_run",
    "analysis_run",  "alert",           "concern",        "concern_event",
    "notify_outbox", "notify_delivery", "account",        "session",
    "audit_log",     "audit_head",      "alert_ack",      "analysis_doc",
    "feed_token",    "feed",            "network",        "network_change",
    "ref_key",
};

enum { COPY_CHUNK = 8 << 20 };

static int put_chunk(pgs *p, jd_buf *b, jd_error *err)
{
    if (b->len && PQputCopyData(p->c, b->ptr, (int)b->len) != 1)
        return jd_pg__err(p, err, "copy", NULL);
    jd_buf_reset(b);
    return JD_OK;
}

/* A SQLite identity_ref.keys BLOB (8 bytes a key, store.h) as the decimal
 * text PostgreSQL's column holds. */
static int copy_keys(jd_buf *b, sqlite3_stmt *st, int col, char sep)
{
    uint64_t *k = NULL;
    size_t n = 0;
    jd_buf t = JD_BUF_INIT(SIZE_MAX);
    int rc = jd_store__keys_unblob(sqlite3_column_blob(st, col),
                                   (size_t)sqlite3_column_bytes(st, col), &k, &n);
    if (rc == JD_OK)
        rc = jd_store__keys_format(&t, k, n);
    if (rc == JD_OK)
        rc = jd_pg__cp_str(b, jd_buf_cstr(&t) ? jd_buf_cstr(&t) : "", sep);
    free(k);
    jd_buf_dispose(&t);
    return rc;
}

static int copy_table(pgs *p, sqlite3 *db, const char *table, int64_t *rows, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, table);
    PGresult *cols;
    int rc = jd_pg__run(p,
                        "SELECT column_name FROM information_schema.columns"
                        " WHERE table_schema = current_schema() AND table_name = $1"
                        " ORDER BY ordinal_position",
                        &pp, &cols, err);
    if (rc < 0)
        return rc;
    int nc = PQntuples(cols);
    jd_buf list = JD_BUF_INIT(SIZE_MAX), b = JD_BUF_INIT(SIZE_MAX);
    for (int i = 0; i < nc && rc == JD_OK; i++)
        rc = jd_buf_printf(&list, "%s\"%s\"", i ? ", " : "", PQgetvalue(cols, i, 0));
    PQclear(cols);
    char *sql = NULL;
    sqlite3_stmt *st = NULL;
    if (rc == JD_OK && nc == 0)
        rc = jd_error_set(err, JD_ESTORE, "table %s missing in the destination", table);
    if (rc == JD_OK) {
        size_t n = list.len * 2 + strlen(table) * 2 + 64;
        sql = malloc(n);
        if (!sql)
            rc = jd_oom(err);
        else
            snprintf(sql, n, "SELECT %s FROM \"%s\"", jd_buf_cstr(&list), table);
    }
    if (rc == JD_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        rc = jd_error_set(err, JD_ESTORE, "source table %s: %s", table, sqlite3_errmsg(db));
    if (rc == JD_OK) {
        snprintf(sql, list.len * 2 + strlen(table) * 2 + 64, "COPY \"%s\"(%s) FROM STDIN", table,
                 jd_buf_cstr(&list));
        PGresult *r = PQexec(p->c, sql);
        if (PQresultStatus(r) != PGRES_COPY_IN)
            rc = jd_pg__err(p, err, "copy", r);
        PQclear(r);
    }
    bool copying = rc == JD_OK;
    int s = SQLITE_DONE;
    while (rc == JD_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < nc && rc == JD_OK; i++) {
            char sep = i == nc - 1 ? '\n' : '\t';
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL:
                rc = jd_pg__cp_str(&b, NULL, sep);
                break;
            case SQLITE_INTEGER:
                rc = jd_pg__cp_int(&b, sqlite3_column_int64(st, i), sep);
                break;
            case SQLITE_FLOAT:
                rc = jd_buf_printf(&b, "%.17g%c", sqlite3_column_double(st, i), sep);
                break;
            case SQLITE_BLOB: /* identity_ref.keys: PostgreSQL's are decimal text */
                rc = copy_keys(&b, st, i, sep);
                break;
            default:
                rc = jd_pg__cp_str(&b, (const char *)sqlite3_column_text(st, i), sep);
            }
        }
        (*rows)++;
        if (rc == JD_OK && b.len >= COPY_CHUNK)
            rc = put_chunk(p, &b, err);
    }
    if (rc == JD_OK && s != SQLITE_DONE)
        rc = jd_error_set(err, JD_ESTORE, "source table %s: %s", table, sqlite3_errmsg(db));
    if (rc == JD_ENOMEM)
        rc = jd_oom(err);
    if (rc == JD_OK)
        rc = put_chunk(p, &b, err);
    if (copying) {
        if (PQputCopyEnd(p->c, rc == JD_OK ? NULL : "aborted") != 1 && rc == JD_OK)
            rc = jd_pg__err(p, err, "copy", NULL);
        PGresult *r;
        while ((r = PQgetResult(p->c)) != NULL) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == JD_OK)
                rc = jd_pg__err(p, err, "copy", r);
            PQclear(r);
        }
    }
    sqlite3_finalize(st);
    free(sql);
    jd_buf_dispose(&list);
    jd_buf_dispose(&b);
    return rc;
}

static int64_t source_count(sqlite3 *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A source whose audit log has moved to its own file (meta.audit_file,
 * store/sqlite_audit.c): that file attached, and temporary views named as
 * the tables shadow the store's own (frozen at the move), so that the copy
 * reads the log from the file. A marked store without its file is refused.
 * The marker itself is not copied (a view of meta without it): PostgreSQL
 * keeps its log in its table and reads no such key. */
static int attach_audit(sqlite3 *db, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    bool moved = sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'audit_file'", -1, &st,
                                    NULL) == SQLITE_OK &&
                 sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!moved)
        return JD_OK;
    /* the store's file as SQLite resolved it, as sqlite_audit.c names it */
    const char *from = sqlite3_db_filename(db, "main");
    char file[4200];
    if (!from || (size_t)snprintf(file, sizeof file, "%s-audit", from) >= sizeof file)
        return jd_error_set(err, JD_EINVALID, "the source's path is too long");
    if (access(file, R_OK) != 0)
        return jd_error_set(err, JD_ENOTFOUND, "the source's audit log %s is missing", file);
    int r = sqlite3_prepare_v2(db, "ATTACH ?1 AS audit", -1, &st, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
        r = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_OK ||
        sqlite3_exec(db,
                     "CREATE TEMP VIEW audit_log AS SELECT * FROM audit.audit_log;"
                     "CREATE TEMP VIEW audit_head AS SELECT * FROM audit.audit_head;"
                     "CREATE TEMP VIEW meta AS SELECT * FROM main.meta WHERE key <> 'audit_file';",
                     NULL, NULL, NULL) != SQLITE_OK)
        return jd_error_set(err, JD_ESTORE, "cannot read the source's audit log %s: %s", file,
                            sqlite3_errmsg(db));
    return JD_OK;
}

/* Open the SQLite store to copy, read-only, refusing a schema other than
 * this program's. */
static int open_source(sqlite3 **out, const char *from, jd_error *err)
{
    sqlite3 *db = NULL;
    *out = NULL;
    if (sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        int rc = jd_error_set(err, JD_ESTORE, "cannot open the source: %s",
                              db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (v != (int)JD_ARRAY_LEN(jd_sqlite_migrations)) {
        sqlite3_close(db);
        return jd_error_set(err, JD_EINVALID,
                            "the source's schema version is %d, not %d: open it once with this"
                            " version of joindots (any command) to upgrade it, then copy",
                            v, (int)JD_ARRAY_LEN(jd_sqlite_migrations));
    }
    int rc = attach_audit(db, err);
    if (rc < 0) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return JD_OK;
}

/* The copy's row counts, table by table, against the source's. */
static int check_counts(pgs *p, sqlite3 *db, jd_error *err)
{
    int rc = JD_OK;
    for (size_t t = 0; t < JD_ARRAY_LEN(copy_tables) && rc == JD_OK; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", copy_tables[t]);
        PGresult *r = PQexec(p->c, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            rc = jd_pg__err(p, err, "count", r);
        else if (jd_pg__i64(r, 0, 0) != source_count(db, copy_tables[t]))
            rc = jd_error_set(err, JD_ESTORE, "table %s: row counts differ after the copy",
                              copy_tables[t]);
        PQclear(r);
    }
    return rc;
}

int jd_store_copy(const char *from, const char *to, jd_store_copy_stats *stats, jd_error *err)
{
    if (!from || !to)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (!strncmp(from, "sqlite:", 7))
        from += 7;
    if (strncmp(to, "postgres://", 11) && strncmp(to, "postgresql://", 13))
        return jd_error_set(err, JD_EINVALID, "the destination must be a postgres:// location");
    if (!strncmp(from, "postgres://", 11) || !strncmp(from, "postgresql://", 13))
        return jd_error_set(err, JD_EINVALID, "the source must be a SQLite store file");
    if (access(from, R_OK) != 0)
        return jd_error_set(err, JD_ENOTFOUND, "no database at the given path");
    if (stats)
        *stats = (jd_store_copy_stats){0};
    sqlite3 *db = NULL;
    int rc = open_source(&db, from, err);
    if (rc < 0)
        return rc;
    /* A read transaction on the source: one consistent snapshot. */
    (void)sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    jd_store *s = NULL;
    jd_store_opts o = JD_STORE_OPTS_INIT;
    /* Without the audit key (not even JD_AUDIT_KEY_FILE's): adopting it
     * would write an audit entry into the empty destination, which would
     * then be refused as not empty. The chain is copied with its MACs as
     * stored; a later open with the key adopts it if the source had none. */
    o.audit_key_path = "";
    if ((rc = jd_store_open(&s, to, &o, err)) < 0) {
        sqlite3_close(db);
        return rc;
    }
    pgs *p = s->impl;
    PGresult *r = NULL;
    if ((rc = jd_pg__begin(p, err)) < 0)
        goto done;
    if ((rc = jd_pg__lock(p, JD_PG_LOCK_INGEST, err)) < 0 ||
        (rc = jd_pg__lock(p, JD_PG_LOCK_RESOLVE, err)) < 0 ||
        (rc = jd_pg__lock(p, JD_PG_LOCK_ANALYSE, err)) < 0)
        goto out;
    if ((rc = jd_pg__run(p,
                         "SELECT (SELECT count(*) FROM ingest_run) + (SELECT count(*) FROM"
                         " account) + (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM"
                         " concern) + (SELECT count(*) FROM identity) + (SELECT count(*) FROM"
                         " analysis_run) + (SELECT count(*) FROM link_decision)",
                         NULL, &r, err)) < 0)
        goto out;
    int64_t used = jd_pg__i64(r, 0, 0);
    PQclear(r);
    if (used) {
        rc = jd_error_set(err, JD_ECONFLICT, "the destination store is not empty");
        goto out;
    }
    /* meta and audit_head hold the rows of a new store: the source's replace them */
    if ((rc = jd_pg__exec(p, "DELETE FROM meta; DELETE FROM audit_head", err)) < 0)
        goto out;
    for (size_t t = 0; t < JD_ARRAY_LEN(copy_tables) && rc == JD_OK; t++) {
        int64_t n = 0;
        rc = copy_table(p, db, copy_tables[t], &n, err);
        if (rc == JD_OK && stats) {
            stats->rows += n;
            stats->tables++;
        }
    }
    if (rc < 0)
        goto out;
    if ((rc = jd_pg__exec(p,
                          "DO $$DECLARE r record; m bigint; BEGIN"
                          " FOR r IN SELECT table_name AS t, column_name AS c"
                          " FROM information_schema.columns WHERE table_schema = current_schema()"
                          " AND is_identity = 'YES' LOOP"
                          " EXECUTE format('SELECT max(%I) FROM %I', r.c, r.t) INTO m;"
                          " IF m IS NOT NULL THEN"
                          " PERFORM setval(pg_get_serial_sequence(quote_ident(r.t), r.c), m);"
                          " END IF; END LOOP; END$$",
                          err)) < 0)
        goto out;
    rc = check_counts(p, db, err);
out:
    rc = jd_pg__end(p, rc, err);
done:
    jd_store_close(s);
    (void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}
