/*
 * Internals of the SQLite backend shared by its files: the connection state
 * and small helpers. sqlite.c holds the core (POLE facts, identities,
 * analysis); each later module keeps its SQL in a file of its own
 * (sqlite_<module>.c) that reaches the connection through this header and
 * exposes its operations as a sub-table of jd_store_ops.
 */
#ifndef JD_SQLITE_INTERNAL_H
#define JD_SQLITE_INTERNAL_H

#include "util/internal.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* Statements of the ingest hot path, prepared once per connection. */
enum {
    ST_EV_INSERT, ST_EV_LOOKUP, ST_EV_HISTORY, ST_EV_UPDATE,
    ST_EV_ID,
    ST_LOC_INSERT, ST_LOC_LOOKUP,
    ST_PM_INSERT, ST_PM_LOOKUP, ST_PM_HISTORY, ST_PM_UPDATE,
    ST_OM_INSERT, ST_OM_LOOKUP, ST_OM_HISTORY, ST_OM_UPDATE,
    ST_PROBLEM,
    ST_COUNT
};

/* Cache of location key -> id for ingest, emptied when it holds this many
 * keys so memory stays flat (a county has tens of thousands of places). */
#define LOC_CACHE_MAX (1u << 18)

/* How long a connection waits in SQLite's busy handler for another's write
 * lock, in milliseconds. jd_sq__busy_wait(q, false) makes the next steps
 * give up at once instead (a checkpoint, a session's touch), and
 * jd_sq__busy_wait(q, true) restores the wait. */
#define JD_SQ_BUSY_MS 10000

/* Statements a connection keeps prepared (jd_sq__prep). */
#define JD_SQ_CACHE 48

typedef struct sq {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    bool in_tx;
    bool ref_index_dropped; /* person_mention_ref, until bulk_restore */
    bool keys_early; /* keys_replace_early's transaction open, ref_key written */
    int64_t subset_mmap; /* bytes mapped while a subset loads; 0: none (jd_sq__subset_mmap) */
    /* Person and object rows of one event usually come together. */
    jd_buf last_key; /* agency \x1f record_id of last_event_id */
    int64_t last_event_id;
    int64_t last_event_occurred; /* its occurred_at */
    /* The events this transaction wrote (agency \x1f record_id -> index
     * into ev_val: id, occurred_at), so that a person or object row finds
     * its event without an index probe; emptied at commit and rollback, at
     * most EV_MAP_MAX keys (sqlite.c). */
    jd_strmap ev_map;
    int64_t *ev_val;
    size_t ev_cap;
    jd_strmap loc; /* emptied on rollback: its ids may be gone */
    /* Rows the current file (seen_file) found unchanged: their file_id still
     * names an older file, so a second row of this file with the same key is
     * found here (key: row id * 4 + table), with the line that confirmed it. */
    int64_t seen_file;
    uint64_t *seen_key; /* 0: empty slot */
    uint32_t *seen_line;
    size_t seen_cap, seen_n;
    /* The read routes' statements, prepared once per connection
     * (jd_sq__prep): keyed by the address of their SQL, a literal. */
    struct {
        const char *sql;
        sqlite3_stmt *st;
        bool out; /* handed out, not yet given back */
    } cache[JD_SQ_CACHE];
    size_t n_cache;
    /* The audit log's own file, `DB-audit` (sqlite_audit.c): its own
     * connection, WAL and write lock, so that a read's audit row never
     * waits for a feed's write transaction on the store. NULL: the log is
     * still the store's own table (a store opened read-only before its
     * log moved). jd_sq__audit(q) is the connection to use. */
    struct sq *aq;
    /* On the audit file's connection: the WAL's size in pages after this
     * connection's last commit (its wal hook, sqlite_audit.c), for
     * jd_audit_checkpoint; the connection's own autocheckpoint is off. */
    int wal_pages;
} sq;

/* The audit file's WAL checkpointed if past its threshold (jd_audit_checkpoint). */
int jd_sq__audit_checkpoint(sq *q, bool *done);

static inline struct sq *jd_sq__audit(struct sq *q)
{
    return q->aq ? q->aq : q;
}

/* Open q's audit file beside its store's file (sqlite_audit.c; none for a
 * store in memory): a writable store whose log is still its table copies
 * it there once (the chain as it is) and marks meta.audit_file; a store so
 * marked whose file is missing is refused, and so is another store's log
 * at the move. JD_OK, JD_ENOTFOUND (the file is missing), JD_ECONFLICT,
 * JD_ESTORE. */
int jd_sq__audit_open(sq *q, const jd_store_opts *opts, jd_error *err);
void jd_sq__audit_close(sq *q);
/* "file:PATH?immutable=1", escaped (sqlite.c); -1 if it does not fit. */
int jd_sq__immutable_uri(char *out, size_t cap, const char *path);

static inline void jd_sq__busy_wait(sq *q, bool wait)
{
    sqlite3_busy_timeout(q->db, wait ? JD_SQ_BUSY_MS : 0);
}

/* Set a JD_ESTORE error with SQLite's message; returns JD_ESTORE. Inline,
 * so that sqlite_audit.c, which sqlite.c calls, calls nothing of sqlite.c's
 * (scripts/check-cycles.py). */
static inline int jd_sq__err(sq *q, jd_error *err, const char *what)
{
    return jd_error_set(err, JD_ESTORE, "%s: %s", what, q->db ? sqlite3_errmsg(q->db) : "");
}

/* Run one or more statements without results. */
static inline int jd_sq__exec(sq *q, const char *sql, jd_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = jd_error_set(err, JD_ESTORE, "sqlite: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return rc;
    }
    return JD_OK;
}
/* The bytes a subset load maps (jd_store_opts.subset_mmap_mib, else
 * $JD_SUBSET_MMAP_MIB, else 256 MiB); 0: no map. sqlite.c. */
int64_t jd_sq__subset_mmap(const jd_store_opts *o);
/* sqlite3_prepare_v2 of sql, kept prepared on q: a request's statements
 * are parsed once per connection rather than once per request (17% of the
 * child summary's CPU was the parser). A statement already handed out (a
 * nested call) is prepared afresh. Returns SQLite's code. Give *st back
 * with jd_sq__unprep, never sqlite3_finalize. The cache is keyed by the
 * SQL's address, so sql must be a string literal: the macro's "" sql ""
 * refuses to compile anything else (a buffer reused for other SQL would
 * be handed the wrong statement). */
#define jd_sq__prep(q, sql, st) jd_sq__prep_at((q), "" sql "", (st))
/* jd_sq__prep's work, for SQL at an address that never holds other text
 * (static storage); the store calls jd_sq__prep. */
int jd_sq__prep_at(sq *q, const char *sql, sqlite3_stmt **st);
/* Give back a statement of jd_sq__prep (reset, its bindings cleared), or
 * finalise one it did not keep. NULL is ignored. */
void jd_sq__unprep(sq *q, sqlite3_stmt *st);
/* Column text, "" for NULL (borrowed until the next step). */
const char *jd_sq__col_text(sqlite3_stmt *st, int i);
/* Column text, NULL for NULL. */
const char *jd_sq__opt_text(sqlite3_stmt *st, int i);
/* The analysis snapshot's rows read from a statement whose columns are in
 * the order the full load selects them (event: id ... crime_recorded;
 * mention: event_id ... name; object: event_id ... value_valid); the text
 * is borrowed until the next step. One reader for the full and the subset
 * loads (sqlite.c, sqlite_incr.c). */
jd_an_event_row jd_sq__an_event(sqlite3_stmt *st);
jd_an_mention_row jd_sq__an_mention(sqlite3_stmt *st);
jd_an_object_row jd_sq__an_object(sqlite3_stmt *st);
/* Every identity (by row id) and every resolved ref's identity, read in one
 * scan of each table (sqlite_idmap.c): for the analysis load, which joins
 * every mention of the county to its identity. */
typedef struct jd_sq_ident {
    int64_t id;
    const char *person_id, *name, *dob;
    bool is_child;
} jd_sq_ident;
typedef struct jd_sq_idmap {
    jd_sq_ident *ids; /* by id, ascending */
    size_t nids, cap;
    jd_strmap refs; /* agency and ref -> index into ids, UINT32_MAX: none */
    jd_arena ar;
    /* jd_sq__idmap_load_firsts only, by index into ids: the least of the
     * identity's refs as agency || char(31) || person_ref (the full
     * analysis load's identity order); NULL: the identity has no ref */
    const char **fkey;
    uint32_t *flen;
} jd_sq_idmap;
int jd_sq__idmap_load(sq *q, jd_sq_idmap *m, jd_error *err);
/* The same, with each identity's least ref (fkey, flen). */
int jd_sq__idmap_load_firsts(sq *q, jd_sq_idmap *m, jd_error *err);
/* The identities that have a ref, as indexes into m->ids in the order of
 * their least ref (BINARY: bytes, then length), as the SQL "JOIN (SELECT
 * identity_id, min(agency || char(31) || person_ref) AS k FROM identity_ref
 * GROUP BY identity_id) ... ORDER BY k" gives them; *order malloc'd (free
 * it). Needs jd_sq__idmap_load_firsts. */
int jd_sq__idmap_order(const jd_sq_idmap *m, uint32_t **order, size_t *n, jd_error *err);
void jd_sq__idmap_free(jd_sq_idmap *m);
/* The identity of row id, or of a ref; NULL: none (a LEFT JOIN's NULLs). */
const jd_sq_ident *jd_sq__idmap_by_id(const jd_sq_idmap *m, int64_t id);
const jd_sq_ident *jd_sq__idmap_ref(const jd_sq_idmap *m, const char *agency, size_t alen,
                                    const char *ref, size_t rlen);
/* Bind one alert to "INSERT INTO alert(id, run_id, kind, level, subject,
 * raised_at, doc) VALUES (?1, ..., ?7)" (the full save and the incremental one). */
void jd_sq__bind_alert(sqlite3_stmt *st, int64_t run, const jd_alert_save *a);
/* Bind text (borrowed, SQLITE_STATIC) or NULL. */
void jd_sq__bind_text(sqlite3_stmt *st, int i, const char *s);
/* Wall clock, unix seconds. */
int64_t jd_sq__now(void);
/* Insert n rows into a TEMP table that a query then joins on: insert_sql
 * binds ?1 from a[i] and, when b is not NULL, ?2 from b[i]; what names the
 * operation in an error. */
int jd_sq__fill(sq *q, const char *insert_sql, const char *const *a, const char *const *b,
                size_t n, const char *what, jd_error *err);
/* incr_ops.h's mention_max, unresolved_rows_after and persons_mentioned_after (sqlite.c). */
int jd_sq__mention_max(jd_store *s, int64_t *out, jd_error *err);
int jd_sq__unresolved_rows_after(jd_store *s, int64_t after, jd_identity_row_cb cb, void *payload,
                             jd_error *err);
int jd_sq__persons_mentioned_after(jd_store *s, int64_t after,
                               int (*cb)(const char *person_id, void *payload), void *payload,
                               jd_error *err);
/* incr_ops.h's identity_rows_of (sqlite.c, beside identity_rows). */
int jd_sq__identity_rows_of(jd_store *s, const char *const *person_ids, size_t n,
                            jd_identity_row_cb cb, void *payload, jd_error *err);

/* Module sub-tables of the SQLite backend (see store.h). */
extern const struct jd_concern_ops jd_sqlite_concern_ops; /* sqlite_concern.c */
extern const struct jd_account_ops jd_sqlite_account_ops; /* sqlite_account.c */
extern const struct jd_live_ops jd_sqlite_live_ops;       /* sqlite_live.c */
extern const struct jd_incr_ops jd_sqlite_incr_ops;       /* sqlite_incr.c */

#endif
