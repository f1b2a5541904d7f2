/*
 * Internals of the PostgreSQL backend shared by its files (pg.c core,
 * pg_account.c, pg_concern.c, pg_copy.c): the connection state, statement
 * helpers and the advisory lock keys.
 *
 * Every statement goes through jd_pg__exec_params, which prepares it once
 * per connection under a name derived from its text: prepared statements
 * throughout without a hand-kept list. Parameters travel as text.
 */
#ifndef JD_PG_INTERNAL_H
#define JD_PG_INTERNAL_H

#include "util/internal.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Advisory locks (pg_advisory_xact_lock(JD_PG_LOCK_CLASS, key)), held to the
 * end of the transaction that takes them:
 *  MIGRATE: two processes opening a new database apply the schema once;
 *  INGEST:  one ingest at a time, because the COPY path assigns row ids and
 *           decides new/unchanged/updated from keys it read under the lock;
 *  RESOLVE: identities are replaced as a whole;
 *  ANALYSE: alerts are replaced as a whole.
 * Readers never take them (MVCC): servers keep serving during all four.
 */
#define JD_PG_LOCK_CLASS 0x6a64 /* "jd" */
enum { JD_PG_LOCK_MIGRATE = 1, JD_PG_LOCK_INGEST = 2, JD_PG_LOCK_RESOLVE = 3,
       JD_PG_LOCK_ANALYSE = 4 };

/* Map of 128-bit key fingerprints to a row id and its content hash, the
 * file and line that last wrote or confirmed the key (what SQLite reads from
 * the row's file_id and its seen set: store/sqlite.c lookup_existing), and
 * for events when the event occurred (event_when). */
typedef struct jd_pg_fpslot {
    uint64_t a, b; /* b is never 0 in a used slot */
    int64_t id;
    uint64_t hash;
    int64_t file_id, line;
    int64_t when;
} jd_pg_fpslot;
typedef struct jd_pg_fpmap {
    jd_pg_fpslot *slots;
    size_t cap, n;
    bool loaded;
} jd_pg_fpmap;

enum { PG_CP_LOC, PG_CP_EV, PG_CP_PM, PG_CP_OM, PG_CP_N };

typedef struct pgs {
    PGconn *c;
    bool in_tx;
    bool read_only;
    jd_strmap prepared; /* statement names prepared on this connection */
    /* ingest transaction (see pg.c) */
    bool ids_loaded, ref_index_dropped;
    bool no_flush; /* the statement about to run needs no COPY flush first */
    int64_t next_id[PG_CP_N];  /* next row id to assign per table */
    int64_t first_id[PG_CP_N]; /* next_id when loaded: did we assign any? */
    jd_pg_fpmap ev, pm, om;
    jd_strmap loc;
    bool loc_loaded;
    jd_buf cp[PG_CP_N]; /* binary COPY rows buffered per table (pg_binary.h) */
    bool cp_checked[PG_CP_N]; /* the table's column types checked on this connection */
    jd_buf key;         /* scratch: a row key being fingerprinted */
    jd_buf keys_restore; /* a first load's dropped key indexes, rebuilt at commit */
} pgs;

/* Parameters as text; ints formatted into num[]. */
#define JD_PG_MAXP 32
typedef struct jd_pg_params {
    const char *v[JD_PG_MAXP];
    char num[JD_PG_MAXP][24];
    int n;
} jd_pg_params;

static inline void pgp_text(jd_pg_params *p, const char *s)
{
    p->v[p->n++] = s;
}
static inline void pgp_int(jd_pg_params *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)x);
    p->v[p->n] = p->num[p->n];
    p->n++;
}
static inline void pgp_opt_int(jd_pg_params *p, int64_t x, bool present)
{
    if (present)
        pgp_int(p, x);
    else
        pgp_text(p, NULL);
}

/* A JD_ESTORE error with the server's primary message only (its DETAIL can
 * quote row values, which may be personal data). r may be NULL. */
int jd_pg__err(pgs *p, jd_error *err, const char *what, const PGresult *r);
/* Run SQL without parameters (may hold several statements). */
int jd_pg__exec(pgs *p, const char *sql, jd_error *err);
/* Run one prepared statement; *out the result (caller PQclear) when it
 * succeeded with rows or a command status, NULL and an error otherwise. */
int jd_pg__run(pgs *p, const char *sql, const jd_pg_params *pp, PGresult **out, jd_error *err);
/* The same, for statements without a result worth keeping; *changed (may be
 * NULL) gets the affected row count. */
int jd_pg__do(pgs *p, const char *sql, const jd_pg_params *pp, int64_t *changed, jd_error *err);
/* Stream the rows of a prepared query one at a time (single-row mode): cb
 * gets a result with one row. A non-zero cb result stops and is returned. */
typedef int (*jd_pg_row_cb)(const PGresult *r, void *payload);
int jd_pg__stream(pgs *p, const char *sql, const jd_pg_params *pp, jd_pg_row_cb cb,
                  void *payload, jd_error *err);
/* SQLSTATE of a failed result ("" if none). */
const char *jd_pg__state(const PGresult *r);

/* Column values: text ("" for NULL), text or NULL, integers (0 for NULL). */
static inline const char *jd_pg__txt(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col);
}
static inline const char *jd_pg__opt(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}
int64_t jd_pg__i64(const PGresult *r, int row, int col);

/* Begin/commit/rollback a short write transaction of its own. */
int jd_pg__begin(pgs *p, jd_error *err);
int jd_pg__end(pgs *p, int rc, jd_error *err);
/* Take advisory lock key for the rest of the current transaction. */
int jd_pg__lock(pgs *p, int key, jd_error *err);

int64_t jd_pg__now(void);

/* COPY text format: a field (NULL as \\N) and its separator (tab, or the
 * newline after the last field of a row). */
int jd_pg__cp_str(jd_buf *b, const char *s, char sep);
int jd_pg__cp_int(jd_buf *b, int64_t v, char sep);
/* COPY ... FROM STDIN with the data given. */
int jd_pg__copy(pgs *p, const char *copy_sql, const char *data, size_t len, jd_error *err);
/* COPY ... FROM STDIN (FORMAT binary): rows are pg_binary.h's rows, the
 * header and trailer are added here. */
int jd_pg__copy_binary(pgs *p, const char *copy_sql, const char *rows, size_t len,
                       jd_error *err);
/* incr_ops.h's mention_max and unresolved_rows_after (pg.c). */
int jd_pg__mention_max(jd_store *s, int64_t *out, jd_error *err);
int jd_pg__unresolved_rows_after(jd_store *s, int64_t after, jd_identity_row_cb cb, void *payload,
                             jd_error *err);
/* incr_ops.h's identity_rows_of (pg.c, beside identity_rows). */
int jd_pg__identity_rows_of(jd_store *s, const char *const *person_ids, size_t n,
                            jd_identity_row_cb cb, void *payload, jd_error *err);

extern const struct jd_concern_ops jd_pg_concern_ops; /* pg_concern.c */
extern const struct jd_account_ops jd_pg_account_ops; /* pg_account.c */
extern const struct jd_live_ops jd_pg_live_ops;       /* pg_live.c */
extern const struct jd_incr_ops jd_pg_incr_ops;       /* pg_incr.c */

/* The analysis snapshot's rows from single-row results (pg.c), for the
 * full load and the incremental subset load (pg_incr.c): payload is a
 * jd_pg_an_ctx, columns as pg_analysis_load selects them. */
typedef struct jd_pg_an_ctx {
    const jd_an_callbacks *cb;
    void *payload;
} jd_pg_an_ctx;
int jd_pg__an_identity(const PGresult *r, void *payload);
int jd_pg__an_event(const PGresult *r, void *payload);
int jd_pg__an_mention(const PGresult *r, void *payload);
int jd_pg__an_object(const PGresult *r, void *payload);

#endif
