/*
 * The SQLite store's audit log in a file of its own, `DB-audit` beside the
 * store `DB` (issue 17). Every audited read appends a row; in the store's
 * own file that row took the store's one write lock, and waited (up to
 * JD_SQ_BUSY_MS, then a 503) behind a feed's ingest, resolve or analysis
 * save. Here it takes only the audit file's lock: the same tables and rows
 * (audit_log, audit_head), the same chain and hashing (access/audit.c), in
 * a database of its own with its own WAL.
 *
 * Durability: synchronous = FULL on this file, so that every commit (the
 * server's group commit of waiting rows) is fsynced before the request it
 * records is answered; a crash mid-commit loses only rows whose requests
 * were never answered (SQLite drops a torn WAL frame by its checksum). The
 * store itself stays at NORMAL. The WAL is checkpointed by
 * jd_audit_checkpoint after a group's waiters are answered, not inside
 * the commit (wal_seen); the checkpoint moves committed pages only, so
 * that where it runs changes no durability.
 *
 * The move: a writable open of a store whose log is still its table copies
 * the rows after the file's head and the head itself into the file, in one
 * transaction, then sets meta.audit_file in the store. The chain continues
 * unchanged (verify reads the file from seq 1). The store's own audit
 * tables are left as they were at the move and no longer written. A store
 * marked so whose file is missing is refused, never started afresh: a
 * fresh log beside old data would hide what the lost file held. Two first
 * opens at once: the second rereads the marker under the file's write lock
 * and finds the log moved. DB is the file SQLite opened (a path or a file:
 * URI's file, made absolute), so every spelling of a store has one log.
 */
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZERO64 "0000000000000000000000000000000000000000000000000000000000000000"

static const char audit_schema[] =
    "CREATE TABLE IF NOT EXISTS audit_log(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL,"
    " detail TEXT NOT NULL, ok INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
    " mac TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS audit_head(id INTEGER PRIMARY KEY CHECK (id = 1),"
    " seq INTEGER NOT NULL, hash TEXT NOT NULL, mac TEXT NOT NULL DEFAULT '');"
    "INSERT OR IGNORE INTO audit_head VALUES (1, 0, '" ZERO64 "', '');"
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/* A URI for a read-only file nobody may write: immutable, so that SQLite
 * needs no -shm or -wal beside it (a read-only directory). */
int jd_sq__immutable_uri(char *out, size_t cap, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    const char *pre = "file:";
    for (; *pre && k + 1 < cap; pre++)
        out[k++] = *pre;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (k + 4 >= cap)
            return -1;
        if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20 || *p >= 0x7F) {
            out[k++] = '%';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        } else {
            out[k++] = (char)*p;
        }
    }
    const char *post = "?immutable=1";
    if (k + strlen(post) + 1 > cap)
        return -1;
    memcpy(out + k, post, strlen(post) + 1);
    return 0;
}

/* meta.audit_file set: the log has moved to the file. */
static int moved(sq *q, bool *out, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    *out = false;
    if (sqlite3_prepare_v2(q->db, "SELECT 1 FROM meta WHERE key = 'audit_file'", -1, &st, NULL) !=
        SQLITE_OK)
        return jd_sq__err(q, err, "audit file marker");
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return jd_sq__err(q, err, "audit file marker");
    *out = r == SQLITE_ROW;
    return JD_OK;
}

static int a_open(sq **out, const char *file, int flags, jd_error *err)
{
    sq *a = calloc(1, sizeof *a);
    if (!a)
        return jd_oom(err);
    *out = a;
    if (sqlite3_open_v2(file, &a->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return jd_error_set(err, JD_ESTORE, "cannot open the audit log %s: %s", file,
                            a->db ? sqlite3_errmsg(a->db) : "out of memory");
    jd_sq__busy_wait(a, true);
    sqlite3_extended_result_codes(a->db, 1);
    return JD_OK;
}

/* The store's table rows after the file's head, and its head, copied into
 * the file (a, open on it) in one transaction; *done set when the move has
 * been made. Under the file's write lock the store's marker is read again:
 * another process may have moved the log (and appended) since this one read
 * it unset, and then there is nothing to move. A file whose entries are not
 * the store's (another store's log) is refused. */
static int adopt(sq *a, const char *path, bool *done, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = JD_OK;
    *done = false;
    if (sqlite3_prepare_v2(a->db, "ATTACH ?1 AS store", -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(a, err, "audit file");
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return jd_sq__err(a, err, "audit file");
    if ((rc = jd_sq__exec(a, "BEGIN IMMEDIATE", err)) < 0)
        goto detach;
    /* 0: move; 1: moved already (the marker); 2: another store's log. The
     * file is this store's when one chain is a prefix of the other: the
     * file's head entry in the store's table (a file from a move cut short
     * before the marker, or empty), or the store's head entry in the file
     * (a file another process moved and appended to since this one read
     * the marker; its head seq past 0, so that a file beside a new store of
     * the same name, whose table is empty, is refused). A file shorter than
     * the store's log and not its prefix is refused too, never continued
     * with the store's rows on top of another's. */
    r = sqlite3_prepare_v2(
        a->db,
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM store.meta WHERE key = 'audit_file') THEN 1"
        " WHEN (SELECT seq FROM main.audit_head) = 0 OR EXISTS (SELECT 1 FROM main.audit_head h"
        " JOIN store.audit_log l ON l.seq = h.seq AND l.hash = h.hash) THEN 0"
        " WHEN EXISTS (SELECT 1 FROM store.audit_head h JOIN main.audit_log l"
        " ON l.seq = h.seq AND l.hash = h.hash) THEN 0 ELSE 2 END",
        -1, &st, NULL);
    if (r != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        rc = jd_sq__err(a, err, "audit file");
        goto end;
    }
    int state = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (state == 2)
        rc =
            jd_error_set(err, JD_ECONFLICT,
                         "the audit log file %s-audit is not this store's log: move it away", path);
    else if (state == 0 &&
             (rc = jd_sq__exec(
                  a,
                  "INSERT INTO main.audit_log(seq, at, actor, action, target, reason, detail, ok,"
                  " prev_hash, hash, mac) SELECT seq, at, actor, action, target, reason, detail,"
                  " ok, prev_hash, hash, mac FROM store.audit_log"
                  " WHERE seq > (SELECT seq FROM main.audit_head) ORDER BY seq;"
                  "UPDATE main.audit_head SET seq = (SELECT seq FROM store.audit_head),"
                  " hash = (SELECT hash FROM store.audit_head),"
                  " mac = (SELECT mac FROM store.audit_head)"
                  " WHERE (SELECT seq FROM store.audit_head) > seq;",
                  err)) == JD_OK)
        *done = true;
end:
    if (rc == JD_OK)
        rc = jd_sq__exec(a, "COMMIT", err);
    else
        (void)jd_sq__exec(a, "ROLLBACK", NULL);
detach:
    (void)jd_sq__exec(a, "DETACH store", NULL);
    return rc;
}

/* The file opened read-only; immutable when no -shm can be made beside it
 * (a store in a folder we may not write, as sqlite.c opens the store). */
static int open_read_only(sq **out, const char *file, jd_error *err)
{
    int rc = a_open(out, file, SQLITE_OPEN_READONLY, err);
    if (rc < 0)
        return rc;
    sq *a = *out;
    if (sqlite3_exec(a->db, "SELECT count(*) FROM audit_head", NULL, NULL, NULL) == SQLITE_OK)
        return JD_OK;
    if (access(file, W_OK) == 0)
        return jd_sq__err(a, err, "cannot read the audit log");
    char uri[4200];
    sqlite3_close(a->db);
    a->db = NULL;
    if (jd_sq__immutable_uri(uri, sizeof uri, file) < 0 ||
        sqlite3_open_v2(uri, &a->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return jd_error_set(err, JD_ESTORE, "cannot open the audit log %s read-only", file);
    return JD_OK;
}

/* The WAL's size after each commit on the audit connection: in place of
 * SQLite's autocheckpoint (which runs inside the commit, so that every
 * request waiting on a group commit would wait for its fsyncs too). */
static int wal_seen(void *arg, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    ((sq *)arg)->wal_pages = pages;
    return SQLITE_OK;
}

/* SQLite's default autocheckpoint threshold, in WAL pages. */
enum { AUDIT_CKPT_PAGES = 1000 };

int jd_sq__audit_checkpoint(sq *q, bool *done)
{
    sq *a = q->aq;
    if (!a || a->wal_pages < AUDIT_CKPT_PAGES || a->in_tx)
        return JD_OK;
    /* PASSIVE: copies what no reader still needs, takes no write lock (a
     * group commit on another connection goes on meanwhile) and calls no
     * busy handler; a busy or partial one leaves the rest to the next. */
    int r = sqlite3_wal_checkpoint_v2(a->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    a->wal_pages = 0;
    if (done)
        *done = r == SQLITE_OK;
    return JD_OK;
}

static int open_file(sq *q, const char *path, const char *file, bool has_moved,
                     const jd_store_opts *opts, jd_error *err)
{
    if (has_moved && access(file, F_OK) != 0)
        return jd_error_set(err, JD_ENOTFOUND,
                            "the store's audit log %s is missing (copy the store, stopped,"
                            " with its -audit file): refused, not started afresh",
                            file);
    if (opts->read_only)
        return open_read_only(&q->aq, file, err);
    int rc =
        a_open(&q->aq, file, SQLITE_OPEN_READWRITE | (has_moved ? 0 : SQLITE_OPEN_CREATE), err);
    /* JD_AUDIT_SYNC_NORMAL=1: a measuring knob only (docs/internals/
     * server.md, "The audit commit"): no fsync at a commit, so an answered
     * read survives a killed server but not a power loss. */
    const char *sync_normal = getenv("JD_AUDIT_SYNC_NORMAL");
    if (rc == JD_OK)
        rc = jd_sq__exec(q->aq,
                         sync_normal && !strcmp(sync_normal, "1")
                             ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL"
                             : "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL",
                         err);
    if (rc == JD_OK)
        sqlite3_wal_hook(q->aq->db, wal_seen, q->aq); /* replaces the autocheckpoint */
    bool done = false;
    if (rc == JD_OK && !has_moved && (rc = jd_sq__exec(q->aq, audit_schema, err)) == JD_OK &&
        (rc = adopt(q->aq, path, &done, err)) == JD_OK && done)
        rc = jd_sq__exec(q, "INSERT OR REPLACE INTO meta(key, value) VALUES ('audit_file', '1')",
                         err);
    return rc;
}

/* The store's file as SQLite resolved it (a path, or the file a file: URI
 * names, made absolute), so that a URI and a path to one store use the
 * same audit file; empty for a store of no file (in memory, temporary). */
int jd_sq__audit_open(sq *q, const jd_store_opts *opts, jd_error *err)
{
    const char *path = sqlite3_db_filename(q->db, "main");
    if (!path || !*path)
        return JD_OK; /* a store of no file keeps its log in its table */
    bool has_moved = false;
    int rc = moved(q, &has_moved, err);
    if (rc < 0)
        return rc;
    if (opts->read_only && !has_moved)
        return JD_OK; /* read as it is, from the table; the next writable open moves it */
    size_t n = strlen(path) + sizeof "-audit";
    char *file = malloc(n);
    if (!file)
        return jd_oom(err);
    snprintf(file, n, "%s-audit", path);
    rc = open_file(q, path, file, has_moved, opts, err);
    free(file);
    if (rc < 0)
        jd_sq__audit_close(q);
    return rc;
}

void jd_sq__audit_close(sq *q)
{
    sq *a = q->aq;
    if (!a)
        return;
    for (size_t i = 0; i < a->n_cache; i++)
        sqlite3_finalize(a->cache[i].st);
    if (a->in_tx)
        (void)jd_sq__exec(a, "ROLLBACK", NULL);
    sqlite3_close(a->db);
    free(a);
    q->aq = NULL;
}
