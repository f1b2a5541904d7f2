/*
 * PostgreSQL backend of the store (libpq), for deployments with several
 * writers, several servers and tens of millions of events. Selected by a
 * location "postgres://user@host/dbname"; the password comes from PGPASSFILE
 * or PGPASSWORD (libpq reads both), never from the location itself.
 *
 * Same semantics as the SQLite backend (store/sqlite.c):
 *  - one transaction per ingest (begin .. commit), rolled back as a whole;
 *  - idempotent ingest: a row whose key exists and whose content hash is
 *    the stored one is "unchanged"; a changed one copies the stored version
 *    to *_history and is updated (version + 1);
 *  - quarantine (problem), identities, alerts, concerns, accounts, audit.
 *
 * Ingest writes with COPY, not a statement per row. Under the ingest
 * advisory lock (pg_internal.h) no other writer touches event, location,
 * person_mention or object_mention, so the run may:
 *  - assign row ids itself from max(id) + 1 (sequences set at commit);
 *  - decide new / unchanged / updated from an in-memory map of the keys
 *    already stored (read once per run, on the first row of each table) and
 *    of those written by the run: each key is held as a 128-bit fingerprint
 *    (two independent 64-bit hashes) with the row id and content hash;
 *  - buffer new rows per table in COPY's binary format (pg_binary.h, bin_tab
 *    below) and send them in 16 MiB batches, parents first (location, event,
 *    then the mentions).
 * A corrected row (the rare path) flushes the buffers and runs the history
 * copy and the update as prepared statements.
 */
#include "store/pg_binary.h"
#include "store/pg_internal.h"
#include "store/pg_schema.h"
#include <joindots/chronology.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { COPY_FLUSH_BYTES = 16 << 20, BULK_MIN_ROWS = 50000 };

/*
 * The bulk tables go in by binary COPY (pg_binary.h): per table its columns
 * in the order the rows are encoded (copy_event and the others below) and
 * their declared types, one letter a column: '8' bigint, '4' integer, 't'
 * text or ctext. check_types compares them with the catalogue once per
 * connection: the server reads a binary field by the column's type, so a
 * column whose type a later migration changed must stop the ingest, not
 * be read wrong.
 */
static const struct bin_table {
    const char *name, *cols, *types;
} bin_tab[PG_CP_N] = {
    [PG_CP_LOC] = {"location", "id, postcode, text, key", "8ttt"},
    [PG_CP_EV] = {"event",
                  "id, agency, record_id, hash, event_type, event_type_raw, occurred_at,"
                  " occurred_prec, reported_at, reported_prec, known_at, location_id, location,"
                  " postcode, postcode_raw, narrative, crime_recorded, crime_ref, outcome,"
                  " author_role, risk_grade, file_id, line",
                  "8tt8tt84848" "8tttt" "4tttt88"},
    [PG_CP_PM] = {"person_mention",
                  "id, event_id, agency, record_id, person_ref, role, hash, surname, forenames,"
                  " known_as, dob, dob_prec, age, gender, gender_raw, address, postcode,"
                  " postcode_raw, phone, phone_raw, nhs_number, upn, ethnicity, file_id, line,"
                  " other_id",
                  "88tttt8tttt44tttttttttt88t"},
    [PG_CP_OM] = {"object_mention",
                  "id, event_id, agency, record_id, object_type, value_norm, person_ref,"
                  " value_raw, value_valid, description, hash, file_id, line",
                  "88tttttt4t888"},
};

/* A row of table t starts (binary COPY rows, pg_binary.h, their fields in
 * the order and of the types of bin_tab): its field count is its column
 * count. */
static int row_start(pgs *p, int t)
{
    return jd_pgbin_row(&p->cp[t], (int)strlen(bin_tab[t].types));
}

/* An optional integer column: NULL when absent. */
static int opt_int4(jd_buf *b, int64_t v, bool present)
{
    return present ? jd_pgbin_int4(b, v) : jd_pgbin_null(b);
}

static int flush_pending(pgs *p, jd_error *err);

/* ---- helpers shared with the other pg_*.c files ---- */

int64_t jd_pg__now(void)
{
    return (int64_t)time(NULL);
}

const char *jd_pg__state(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

int jd_pg__err(pgs *p, jd_error *err, const char *what, const PGresult *r)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!m || !*m)
        m = p->c ? PQerrorMessage(p->c) : "no connection";
    char buf[400];
    snprintf(buf, sizeof buf, "%s", m);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return jd_error_set(err, JD_ESTORE, "%s: %s", what, buf);
}

int64_t jd_pg__i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

int jd_pg__exec(pgs *p, const char *sql, jd_error *err)
{
    PGresult *r = PQexec(p->c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? JD_OK
                                                             : jd_pg__err(p, err, "postgres", r);
    PQclear(r);
    return rc;
}

/* Prepare sql once per connection, under a name from its text. */
static int prepared_name(pgs *p, const char *sql, int nparams, char name[24], jd_error *err)
{
    snprintf(name, 24, "jd%016llx", (unsigned long long)jd_hash_fast(sql, strlen(sql), 0));
    if (jd_strmap_get(&p->prepared, name, strlen(name)))
        return JD_OK;
    PGresult *r = PQprepare(p->c, name, sql, 0, NULL);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? JD_OK : jd_pg__err(p, err, "prepare", r);
    PQclear(r);
    (void)nparams;
    if (rc == JD_OK && !jd_strmap_put(&p->prepared, name, strlen(name), 1, NULL))
        rc = jd_oom(err);
    return rc;
}

int jd_pg__run(pgs *p, const char *sql, const jd_pg_params *pp, PGresult **out, jd_error *err)
{
    char name[24];
    *out = NULL;
    int rc = flush_pending(p, err);
    if (rc == JD_OK)
        rc = prepared_name(p, sql, pp ? pp->n : 0, name, err);
    if (rc < 0)
        return rc;
    PGresult *r = PQexecPrepared(p->c, name, pp ? pp->n : 0, pp ? pp->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = jd_pg__err(p, err, "postgres", r);
        /* keep the SQLSTATE for callers that map it (unique violation) */
        if (!strcmp(jd_pg__state(r), "23505"))
            rc = JD_ECONFLICT;
        PQclear(r);
        return rc;
    }
    *out = r;
    return JD_OK;
}

int jd_pg__do(pgs *p, const char *sql, const jd_pg_params *pp, int64_t *changed, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(p, sql, pp, &r, err);
    if (rc < 0)
        return rc;
    if (changed)
        *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return JD_OK;
}

int jd_pg__stream(pgs *p, const char *sql, const jd_pg_params *pp, jd_pg_row_cb cb,
                  void *payload, jd_error *err)
{
    char name[24];
    int rc = flush_pending(p, err);
    if (rc == JD_OK)
        rc = prepared_name(p, sql, pp ? pp->n : 0, name, err);
    if (rc < 0)
        return rc;
    if (!PQsendQueryPrepared(p->c, name, pp ? pp->n : 0, pp ? pp->v : NULL, NULL, NULL, 0))
        return jd_pg__err(p, err, "query", NULL);
    (void)PQsetSingleRowMode(p->c);
    PGresult *r;
    while ((r = PQgetResult(p->c)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            if (rc == JD_OK)
                rc = cb(r, payload); /* after a stop the rest is drained */
        } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && rc == JD_OK) {
            rc = jd_pg__err(p, err, "query", r);
        }
        PQclear(r);
    }
    return rc;
}

int jd_pg__begin(pgs *p, jd_error *err)
{
    return jd_pg__exec(p, "BEGIN", err);
}

int jd_pg__end(pgs *p, int rc, jd_error *err)
{
    if (rc == JD_OK)
        rc = jd_pg__exec(p, "COMMIT", err);
    if (rc < 0)
        (void)jd_pg__exec(p, "ROLLBACK", NULL);
    return rc;
}

/* A run that must be alone waits for the one before it however long it
 * takes (the connection's lock_timeout, below, is for readers and short
 * writers): SET LOCAL lifts it until the transaction ends. */
int jd_pg__lock(pgs *p, int key, jd_error *err)
{
    int rc = jd_pg__exec(p, "SET LOCAL lock_timeout = 0", err);
    if (rc < 0)
        return rc;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, JD_PG_LOCK_CLASS);
    pgp_int(&pp, key);
    return jd_pg__do(p, "SELECT pg_advisory_xact_lock($1::int, $2::int)", &pp, NULL, err);
}

int jd_pg__cp_str(jd_buf *b, const char *s, char sep)
{
    int rc;
    if (!s) {
        if ((rc = jd_buf_add(b, "\\N", 2)) < 0)
            return rc;
        return jd_buf_addc(b, sep);
    }
    while (*s) {
        size_t n = strcspn(s, "\\\n\r\t");
        if (n && (rc = jd_buf_add(b, s, n)) < 0)
            return rc;
        s += n;
        if (!*s)
            break;
        char esc[2] = {'\\', *s == '\\' ? '\\' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : 't'};
        if ((rc = jd_buf_add(b, esc, 2)) < 0)
            return rc;
        s++;
    }
    return jd_buf_addc(b, sep);
}

int jd_pg__cp_int(jd_buf *b, int64_t v, char sep)
{
    char t[24];
    int i = 23;
    t[i] = sep;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        t[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        t[--i] = '-';
    return jd_buf_add(b, t + i, (size_t)(24 - i));
}

/* COPY ... FROM STDIN: head (may be empty), the data, tail. */
static int copy_in(pgs *p, const char *sql, const jd_buf *head, const char *data, size_t len,
                   const jd_buf *tail, jd_error *err)
{
    PGresult *r = PQexec(p->c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        int rc = jd_pg__err(p, err, "copy", r);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    int rc = JD_OK;
    if (head->len && PQputCopyData(p->c, head->ptr, (int)head->len) != 1)
        rc = jd_pg__err(p, err, "copy", NULL);
    while (len && rc == JD_OK) {
        int chunk = len > (1u << 20) ? 1 << 20 : (int)len;
        if (PQputCopyData(p->c, data, chunk) != 1)
            rc = jd_pg__err(p, err, "copy", NULL);
        data += chunk;
        len -= (size_t)chunk;
    }
    if (rc == JD_OK && tail->len && PQputCopyData(p->c, tail->ptr, (int)tail->len) != 1)
        rc = jd_pg__err(p, err, "copy", NULL);
    if (PQputCopyEnd(p->c, rc == JD_OK ? NULL : "aborted") != 1 && rc == JD_OK)
        rc = jd_pg__err(p, err, "copy", NULL);
    while ((r = PQgetResult(p->c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == JD_OK)
            rc = jd_pg__err(p, err, "copy", r);
        PQclear(r);
    }
    return rc;
}

int jd_pg__copy(pgs *p, const char *sql, const char *data, size_t len, jd_error *err)
{
    jd_buf none = JD_BUF_INIT(0);
    return copy_in(p, sql, &none, data, len, &none, err);
}

int jd_pg__copy_binary(pgs *p, const char *sql, const char *rows, size_t len, jd_error *err)
{
    jd_buf head = JD_BUF_INIT(64), tail = JD_BUF_INIT(64);
    int rc = jd_pgbin_header(&head);
    if (rc == JD_OK)
        rc = jd_pgbin_trailer(&tail);
    if (rc < 0)
        rc = jd_error_set(err, rc, "out of memory");
    else
        rc = copy_in(p, sql, &head, rows, len, &tail, err);
    jd_buf_dispose(&head);
    jd_buf_dispose(&tail);
    return rc;
}

/* ---- schema ---- */

static int schema_version_of(pgs *p, int *out, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(p, "SELECT to_regclass('schema_migration') IS NOT NULL", NULL, &r, err);
    if (rc < 0)
        return rc;
    bool have = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    *out = 0;
    if (!have)
        return JD_OK;
    /* not prepared: the table may be created later on this connection */
    r = PQexec(p->c, "SELECT coalesce(max(version), 0) FROM schema_migration");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = jd_pg__err(p, err, "schema version", r);
    } else {
        *out = (int)jd_pg__i64(r, 0, 0);
    }
    PQclear(r);
    return rc;
}

static int migrate(pgs *p, jd_error *err)
{
    const int want = (int)JD_ARRAY_LEN(jd_pg_migrations);
    int have = 0;
    int rc = jd_pg__begin(p, err);
    if (rc < 0)
        return rc;
    if ((rc = jd_pg__lock(p, JD_PG_LOCK_MIGRATE, err)) == JD_OK)
        rc = schema_version_of(p, &have, err);
    if (rc == JD_OK && have > want)
        rc = jd_error_set(err, JD_EINVALID,
                          "database schema version %d is newer than this program (%d)", have,
                          want);
    for (int v = have; rc == JD_OK && v < want; v++) {
        if ((rc = jd_pg__exec(p, jd_pg_migrations[v].sql, err)) < 0)
            break;
        PGresult *r;
        char ver[16], at[24];
        snprintf(ver, sizeof ver, "%d", v + 1);
        snprintf(at, sizeof at, "%lld", (long long)jd_pg__now());
        const char *vals[3] = {ver, at, jd_pg_migrations[v].description};
        r = PQexecParams(p->c,
                         "INSERT INTO schema_migration(version, applied_at, description)"
                         " VALUES ($1, $2, $3)",
                         3, NULL, vals, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = jd_pg__err(p, err, "migration", r);
        PQclear(r);
    }
    return jd_pg__end(p, rc, err);
}

/* ---- ingest state ---- */

static void fp_free(jd_pg_fpmap *m)
{
    free(m->slots);
    *m = (jd_pg_fpmap){0};
}

static jd_pg_fpslot *fp_find(const jd_pg_fpmap *m, uint64_t a, uint64_t b)
{
    if (!m->cap)
        return NULL;
    for (size_t i = a & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        jd_pg_fpslot *s = &m->slots[i];
        if (!s->b)
            return NULL;
        if (s->a == a && s->b == b)
            return s;
    }
}

static int fp_put(jd_pg_fpmap *m, const jd_pg_fpslot *v)
{
    if ((m->n + 1) * 10 > m->cap * 7) {
        size_t nc = m->cap ? m->cap * 2 : 1024;
        jd_pg_fpslot *ns = calloc(nc, sizeof *ns);
        if (!ns)
            return JD_ENOMEM;
        for (size_t i = 0; i < m->cap; i++) {
            jd_pg_fpslot *s = &m->slots[i];
            if (!s->b)
                continue;
            size_t k = s->a & (nc - 1);
            while (ns[k].b)
                k = (k + 1) & (nc - 1);
            ns[k] = *s;
        }
        free(m->slots);
        m->slots = ns;
        m->cap = nc;
    }
    size_t k = v->a & (m->cap - 1);
    while (m->slots[k].b)
        k = (k + 1) & (m->cap - 1);
    m->slots[k] = *v;
    m->n++;
    return JD_OK;
}

/* Fingerprint of the key parts joined by 0x1f (the first n of parts). */
static int fingerprint(pgs *p, const char *const *parts, int n, uint64_t *a, uint64_t *b)
{
    jd_buf_reset(&p->key);
    for (int i = 0; i < n; i++) {
        int rc;
        if ((i && (rc = jd_buf_addc(&p->key, 0x1f)) < 0) ||
            (rc = jd_buf_adds(&p->key, parts[i] ? parts[i] : "")) < 0)
            return rc;
    }
    *a = jd_hash_fast(p->key.ptr ? p->key.ptr : "", p->key.len, 0x9e3779b97f4a7c15ULL);
    *b = jd_hash_fast(p->key.ptr ? p->key.ptr : "", p->key.len, 0xc2b2ae3d27d4eb4fULL) | 1;
    return JD_OK;
}

static void ingest_state_reset(pgs *p)
{
    fp_free(&p->ev);
    fp_free(&p->pm);
    fp_free(&p->om);
    jd_strmap_free(&p->loc);
    jd_strmap_init(&p->loc);
    p->loc_loaded = false;
    p->ids_loaded = false;
    for (int i = 0; i < PG_CP_N; i++)
        jd_buf_dispose(&p->cp[i]);
}

static int ensure_ids(pgs *p, jd_error *err)
{
    if (p->ids_loaded)
        return JD_OK;
    PGresult *r;
    int rc = jd_pg__run(p,
                        "SELECT (SELECT coalesce(max(id), 0) FROM location),"
                        " (SELECT coalesce(max(id), 0) FROM event),"
                        " (SELECT coalesce(max(id), 0) FROM person_mention),"
                        " (SELECT coalesce(max(id), 0) FROM object_mention)",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < PG_CP_N; i++)
        p->first_id[i] = p->next_id[i] = jd_pg__i64(r, 0, i) + 1;
    PQclear(r);
    p->ids_loaded = true;
    return JD_OK;
}

typedef struct load_ctx {
    pgs *p;
    jd_pg_fpmap *m;
    int nkey; /* key columns, then id, hash, file_id, line [, occurred_at] */
    int rc;
} load_ctx;

static int load_row(const PGresult *r, void *payload)
{
    load_ctx *c = payload;
    const char *parts[5];
    for (int i = 0; i < c->nkey; i++)
        parts[i] = PQgetvalue(r, 0, i);
    jd_pg_fpslot v = {0};
    int rc = fingerprint(c->p, parts, c->nkey, &v.a, &v.b);
    if (rc == JD_OK) {
        v.id = jd_pg__i64(r, 0, c->nkey);
        v.hash = (uint64_t)jd_pg__i64(r, 0, c->nkey + 1);
        v.file_id = jd_pg__i64(r, 0, c->nkey + 2);
        v.line = jd_pg__i64(r, 0, c->nkey + 3);
        if (PQnfields(r) > c->nkey + 4)
            v.when = jd_pg__i64(r, 0, c->nkey + 4);
        rc = fp_put(c->m, &v);
    }
    return rc;
}

static int ensure_map(pgs *p, jd_pg_fpmap *m, const char *sql, int nkey, jd_error *err)
{
    if (m->loaded)
        return JD_OK;
    load_ctx c = {p, m, nkey, 0};
    int rc = jd_pg__stream(p, sql, NULL, load_row, &c, err);
    if (rc == JD_ENOMEM)
        return jd_error_set(err, JD_ENOMEM, "out of memory reading the stored keys");
    if (rc < 0)
        return rc;
    m->loaded = true;
    return JD_OK;
}

#define EV_KEYS_SQL "SELECT agency, record_id, id, hash, file_id, line, occurred_at FROM event"
#define PM_KEYS_SQL                                                                                \
    "SELECT agency, record_id, person_ref, role, id, hash, file_id, line FROM person_mention"
#define OM_KEYS_SQL                                                                                \
    "SELECT agency, record_id, object_type, value_norm, person_ref, id, hash, file_id, line"      \
    " FROM object_mention"

/*
 * A put whose key is in the map, as SQLite decides it (store/sqlite.c
 * lookup_existing): a key this very file wrote or confirmed earlier in the
 * transaction is a repeat (same content) or a conflict (other content) and
 * is left alone, the first row kept; otherwise UNCHANGED or UPDATED by the
 * content hash, and the key is now this file's (UPDATED: the caller updates
 * the row).
 */
static void put_existing(jd_pg_fpslot *slot, uint64_t hash, int64_t file_id, long line,
                         jd_put_result *out)
{
    bool same = slot->hash == hash;
    out->first_line = 0;
    if (slot->file_id == file_id) {
        out->outcome = same ? JD_PUT_REPEATED : JD_PUT_CONFLICT;
        out->first_line = (long)slot->line;
        return;
    }
    out->outcome = same ? JD_PUT_UNCHANGED : JD_PUT_UPDATED;
    slot->hash = hash;
    slot->file_id = file_id;
    slot->line = line;
}

/* The first binary COPY of table t on this connection: its columns' types
 * (of a domain, its base type) as bin_tab says. */
static int check_types(pgs *p, int t, jd_error *err)
{
    if (p->cp_checked[t])
        return JD_OK;
    const char *v[2] = {bin_tab[t].name, bin_tab[t].cols};
    /* not prepared: run from inside a flush (jd_pg__run would flush again) */
    PGresult *r = PQexecParams(
        p->c,
        "SELECT string_agg(CASE coalesce(nullif(ty.typbasetype, 0), ty.oid)"
        " WHEN 'int8'::regtype THEN '8' WHEN 'int4'::regtype THEN '4'"
        " WHEN 'text'::regtype THEN 't' ELSE '?' END, '' ORDER BY c.ord)"
        " FROM unnest(string_to_array($2, ', ')) WITH ORDINALITY AS c(name, ord)"
        " LEFT JOIN pg_attribute a ON a.attrelid = $1::regclass AND a.attname = c.name"
        " AND NOT a.attisdropped LEFT JOIN pg_type ty ON ty.oid = a.atttypid",
        2, NULL, v, NULL, NULL, 0);
    int rc = JD_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = jd_pg__err(p, err, "copy", r);
    else if (strcmp(PQgetvalue(r, 0, 0), bin_tab[t].types) != 0)
        rc = jd_error_set(err, JD_ESTORE,
                          "copy: the columns of %s are not of the types the binary COPY writes"
                          " (%s, expected %s)",
                          bin_tab[t].name, PQgetvalue(r, 0, 0), bin_tab[t].types);
    PQclear(r);
    p->cp_checked[t] = rc == JD_OK;
    return rc;
}

static int flush_one(pgs *p, int t, jd_error *err)
{
    if (!p->cp[t].len)
        return JD_OK;
    char sql[512];
    snprintf(sql, sizeof sql, "COPY %s(%s) FROM STDIN (FORMAT binary)", bin_tab[t].name,
             bin_tab[t].cols);
    int rc = check_types(p, t, err);
    if (rc == JD_OK)
        rc = jd_pg__copy_binary(p, sql, p->cp[t].ptr, p->cp[t].len, err);
    jd_buf_reset(&p->cp[t]);
    return rc;
}

/* Parents before children: the foreign keys are checked row by row. */
static int flush_all(pgs *p, jd_error *err)
{
    int rc = JD_OK;
    for (int t = 0; t < PG_CP_N && rc == JD_OK; t++)
        rc = flush_one(p, t, err);
    return rc;
}

/* Before any statement in the ingest transaction: the rows buffered for
 * COPY go first, so that every read (and the history copy of a corrected
 * row) sees what the run wrote. Quarantine rows depend on none of them. */
static int flush_pending(pgs *p, jd_error *err)
{
    if (!p->in_tx || p->no_flush)
        return JD_OK;
    return flush_all(p, err);
}

static int maybe_flush(pgs *p, jd_error *err)
{
    size_t n = 0;
    for (int t = 0; t < PG_CP_N; t++)
        n += p->cp[t].len;
    return n >= COPY_FLUSH_BYTES ? flush_all(p, err) : JD_OK;
}

/* ---- store operations ---- */

static void pg_close(jd_store *s)
{
    pgs *p = s->impl;
    if (p) {
        if (p->c) {
            if (p->in_tx)
                (void)jd_pg__exec(p, "ROLLBACK", NULL);
            PQfinish(p->c);
        }
        ingest_state_reset(p);
        jd_strmap_free(&p->loc);
        jd_strmap_free(&p->prepared);
        jd_buf_dispose(&p->key);
        jd_buf_dispose(&p->keys_restore);
        free(p);
    }
    free(s);
}

static int pg_schema_version(jd_store *s, int *out, jd_error *err)
{
    return schema_version_of(s->impl, out, err);
}

static int pg_meta_get(jd_store *s, const char *key, char *out, size_t cap, bool *found,
                       jd_error *err)
{
    pgs *p = s->impl;
    *found = false;
    if (cap)
        out[0] = '\0';
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, key);
    PGresult *r;
    int rc = jd_pg__run(p, "SELECT value FROM meta WHERE key = $1", &pp, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) == 1) {
        const char *v = PQgetvalue(r, 0, 0);
        if (strlen(v) >= cap)
            rc = jd_error_set(err, JD_ELIMIT, "meta value of '%s' too long", key);
        else
            memcpy(out, v, strlen(v) + 1);
        *found = rc == JD_OK;
    }
    PQclear(r);
    return rc;
}

static int pg_begin(jd_store *s, jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "a transaction is open already");
    ingest_state_reset(p);
    jd_buf_reset(&p->keys_restore);
    int rc = jd_pg__begin(p, err);
    if (rc == JD_OK && (rc = jd_pg__lock(p, JD_PG_LOCK_INGEST, err)) < 0)
        (void)jd_pg__exec(p, "ROLLBACK", NULL);
    if (rc == JD_OK)
        p->in_tx = true;
    return rc;
}

/*
 * A first large load (the rule of pg_bulk_defer) also drops the other
 * indexes of the tables COPY fills: the primary keys and unique keys of
 * event, person_mention and object_mention, and object_mention_value.
 * Inserting into them row by row was half of the server's COPY CPU on the
 * 1M county (random B-tree descents over text keys), and the primary keys'
 * inserts still 20% of the backend once the others were built at commit;
 * one sorted build at commit is a fraction of it. The run needs none of
 * them while it appends: it decides keys from its fingerprint maps and
 * assigns the ids itself. Its one read by id, the history copy of a
 * corrected row, first builds them again (supersede: keys_rebuild), so the
 * rest of such a load fills them row by row, as without deferral. The
 * server writes the DROP and the CREATE from the catalogue, so the rebuilt
 * definitions are the migrated ones whatever they are; ADD CONSTRAINT
 * checks uniqueness again, and a failure rolls the whole ingest back.
 * person_mention_ref has its own, earlier rebuild (pg_bulk_restore). An
 * index is dropped only if nothing else in pg_depend needs it but its own
 * constraint (whose "internal" row, the index depending on it, does not
 * count) and the foreign keys of the three history tables (defer_locks
 * holds those tables too): those go first (kind 1 below) and come back
 * last, after the keys they reference, checking every history row again.
 * Anything else (a foreign key from another table, which DROP would refuse
 * or CASCADE drop for good) keeps the index, filled row by row.
 */
#define KEYS_HISTORY "('event_history', 'person_mention_history', 'object_mention_history')"
/* An index of a table: its DROP and its CREATE (or its constraint's), from
 * the catalogue (pg_index x, pg_class i and t, pg_constraint con): shared by
 * the ingest's deferred keys (KEYS_SQL) and the identities save's
 * (SAVE_KEYS_SQL). */
#define IDX_DROP_SQL                                                                               \
    " CASE WHEN con.oid IS NULL THEN format('DROP INDEX %I', i.relname)"                          \
    " ELSE format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, con.conname) END"
#define IDX_ADD_SQL                                                                                \
    " CASE WHEN con.oid IS NULL THEN pg_get_indexdef(x.indexrelid)"                               \
    " ELSE format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, con.conname,"                 \
    " pg_get_constraintdef(con.oid)) END"
#define IDX_FROM_SQL                                                                               \
    " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"                                    \
    " JOIN pg_class t ON t.oid = x.indrelid"                                                      \
    " LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = t.oid"        \
    " WHERE t.relnamespace = current_schema()::regnamespace"
#define KEYS_SQL                                                                                   \
    "WITH k AS (SELECT x.indexrelid, t.relname AS tab, i.relname AS name," IDX_DROP_SQL           \
    " AS drop_sql," IDX_ADD_SQL " AS add_sql" IDX_FROM_SQL                                        \
    " AND t.relname IN ('event', 'person_mention', 'object_mention')"                             \
    " AND i.relname <> 'person_mention_ref'"                                                     \
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE"                                            \
    " ((d.refclassid = 'pg_class'::regclass AND d.refobjid = x.indexrelid)"                       \
    " OR (d.refclassid = 'pg_constraint'::regclass AND d.refobjid = con.oid))"                    \
    " AND NOT (d.classid = 'pg_class'::regclass AND d.objid = x.indexrelid)"                      \
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint f JOIN pg_class fr ON fr.oid = f.conrelid"      \
    " WHERE d.classid = 'pg_constraint'::regclass AND f.oid = d.objid AND f.contype = 'f'"        \
    " AND fr.relnamespace = current_schema()::regnamespace AND fr.relname IN " KEYS_HISTORY "))) " \
    "SELECT 0, tab, name, drop_sql, add_sql FROM k UNION ALL"                                     \
    " SELECT 1, fr.relname, f.conname, format('ALTER TABLE %I DROP CONSTRAINT %I', fr.relname,"   \
    " f.conname), format('ALTER TABLE %I ADD CONSTRAINT %I %s', fr.relname, f.conname,"           \
    " pg_get_constraintdef(f.oid)) FROM k JOIN pg_constraint f ON f.conindid = k.indexrelid"      \
    " AND f.contype = 'f' JOIN pg_class fr ON fr.oid = f.conrelid ORDER BY 1, 2, 3"

static int keys_defer(pgs *p, jd_error *err)
{
    if (p->keys_restore.len) /* dropped already in this transaction: keep the list */
        return JD_OK;
    PGresult *r;
    int rc = jd_pg__run(p, KEYS_SQL, NULL, &r, err);
    if (rc < 0)
        return rc;
    /* the foreign keys' DROPs before the keys', their ADDs after */
    jd_buf drop_fk = JD_BUF_INIT(SIZE_MAX), drop = JD_BUF_INIT(SIZE_MAX);
    jd_buf_reset(&p->keys_restore);
    for (int i = 0; i < PQntuples(r) && rc == JD_OK; i++) {
        bool fk = strcmp(PQgetvalue(r, i, 0), "1") == 0;
        rc = jd_buf_printf(fk ? &drop_fk : &drop, "%s;", PQgetvalue(r, i, 3));
        if (rc == JD_OK)
            rc = jd_buf_printf(&p->keys_restore, "%s;", PQgetvalue(r, i, 4));
    }
    PQclear(r);
    if (rc == JD_OK && drop.len)
        rc = jd_buf_printf(&drop_fk, "%s", jd_buf_cstr(&drop));
    if (rc == JD_OK && drop_fk.len)
        rc = jd_pg__exec(p, jd_buf_cstr(&drop_fk), err);
    jd_buf_dispose(&drop_fk);
    jd_buf_dispose(&drop);
    if (rc < 0)
        jd_buf_reset(&p->keys_restore);
    return rc;
}

/* At commit, after the last COPY: the key indexes keys_defer dropped. */
static int keys_rebuild(pgs *p, jd_error *err)
{
    if (!p->keys_restore.len)
        return JD_OK;
    int rc = jd_pg__exec(p, "SET LOCAL maintenance_work_mem = '256MB'", err);
    if (rc == JD_OK)
        rc = jd_pg__exec(p, jd_buf_cstr(&p->keys_restore), err);
    jd_buf_reset(&p->keys_restore);
    return rc;
}

/*
 * Take the tables a deferring load needs (lock: one or more LOCK TABLE
 * statements with NOWAIT), at once and without waiting: *got is false when
 * a reader holds one of them. The load must never wait for a reader while
 * it holds an exclusive lock: a REPEATABLE READ reader that has read event
 * and then wants person_mention would wait for the load, and the load for
 * it ("deadlock detected", and the load is the one the server kills). The
 * savepoint undoes the failed LOCK and keeps the transaction usable. The
 * skip (skipped: a DO block's RAISE LOG) goes to the server's log (the
 * library logs nothing itself).
 */
static int defer_locks(pgs *p, const char *lock, const char *skipped, bool *got, jd_error *err)
{
    *got = false;
    int rc = jd_pg__exec(p, "SAVEPOINT jd_defer", err);
    if (rc < 0)
        return rc;
    PGresult *r = PQexec(p->c, lock);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (PQresultStatus(r) == PGRES_COMMAND_OK)
        *got = true;
    else if (!state || strcmp(state, "55P03") != 0) /* not lock_not_available */
        rc = jd_pg__err(p, err, "postgres", r);
    PQclear(r);
    if (rc == JD_OK && !*got && (rc = jd_pg__exec(p, "ROLLBACK TO SAVEPOINT jd_defer", err)) == JD_OK)
        rc = jd_pg__exec(p, skipped, err);
    if (rc == JD_OK)
        rc = jd_pg__exec(p, "RELEASE SAVEPOINT jd_defer", err);
    return rc;
}

/* As in SQLite: person_mention_ref serves chronologies and searches, not
 * ingest; a load twice the size of the table builds it once at the end.
 * This happens only for a first large load (the rule below), and only when
 * the load gets ACCESS EXCLUSIVE on event, object_mention, person_mention
 * and their history tables at once (defer_locks): from there until commit,
 * readers of those tables
 * wait for the load (the server's requests time out at 10 s); when a reader
 * holds one of them, the load keeps every index and builds it row by row. */
static int pg_bulk_defer(jd_store *s, int64_t person_rows, jd_error *err)
{
    pgs *p = s->impl;
    if (!p->in_tx || p->ref_index_dropped || person_rows < BULK_MIN_ROWS)
        return JD_OK;
    PGresult *r;
    int rc = jd_pg__run(p, "SELECT coalesce(max(id), 0) FROM person_mention", NULL, &r, err);
    if (rc < 0)
        return rc;
    int64_t have = jd_pg__i64(r, 0, 0);
    PQclear(r);
    if (person_rows < 2 * have)
        return JD_OK;
    bool got;
    if ((rc = defer_locks(p,
                          "LOCK TABLE event, object_mention, person_mention, event_history,"
                          " object_mention_history, person_mention_history"
                          " IN ACCESS EXCLUSIVE MODE NOWAIT",
                          "DO $$BEGIN RAISE LOG 'joindots ingest: a reader holds event,"
                          " object_mention, person_mention or a history table; the load keeps"
                          " their indexes (no deferral)'; END$$",
                          &got, err)) < 0 ||
        !got)
        return rc;
    rc = jd_pg__exec(p, "DROP INDEX IF EXISTS person_mention_ref", err);
    if (rc == JD_OK)
        p->ref_index_dropped = true;
    if (rc == JD_OK)
        rc = keys_defer(p, err);
    return rc;
}

static int pg_bulk_restore(jd_store *s, jd_error *err)
{
    pgs *p = s->impl;
    if (!p->ref_index_dropped)
        return JD_OK;
    int rc = flush_all(p, err);
    if (rc == JD_OK)
        rc = jd_pg__exec(p,
                         "SET LOCAL maintenance_work_mem = '256MB';"
                         " CREATE INDEX person_mention_ref ON person_mention(agency, person_ref)",
                         err);
    if (rc == JD_OK)
        p->ref_index_dropped = false;
    return rc;
}

static int set_sequences(pgs *p, jd_error *err)
{
    for (int t = 0; t < PG_CP_N; t++) {
        if (p->next_id[t] <= p->first_id[t] || !p->ids_loaded)
            continue;
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, bin_tab[t].name);
        pgp_int(&pp, p->next_id[t] - 1);
        int rc = jd_pg__do(p, "SELECT setval(pg_get_serial_sequence($1, 'id'), $2::bigint)",
                           &pp, NULL, err);
        if (rc < 0)
            return rc;
    }
    return JD_OK;
}

static void pg_rollback(jd_store *s)
{
    pgs *p = s->impl;
    if (p->in_tx)
        (void)jd_pg__exec(p, "ROLLBACK", NULL);
    p->in_tx = false;
    p->ref_index_dropped = false;
    jd_buf_reset(&p->keys_restore);
    ingest_state_reset(p);
}

static int pg_commit(jd_store *s, jd_error *err)
{
    pgs *p = s->impl;
    int rc = flush_all(p, err);
    if (rc == JD_OK)
        rc = pg_bulk_restore(s, err);
    if (rc == JD_OK)
        rc = keys_rebuild(p, err);
    if (rc == JD_OK)
        rc = set_sequences(p, err);
    /* After a large load the planner needs fresh statistics at once, not
     * when autovacuum comes round: resolve and analyse run next. */
    int64_t added = 0;
    for (int t = 0; p->ids_loaded && t < PG_CP_N; t++)
        added += p->next_id[t] - p->first_id[t];
    if (rc == JD_OK && added >= BULK_MIN_ROWS)
        rc = jd_pg__exec(p, "ANALYZE location, event, person_mention, object_mention", err);
    if (rc == JD_OK)
        rc = jd_pg__exec(p, "COMMIT", err);
    if (rc < 0) {
        pg_rollback(s);
        return rc;
    }
    p->in_tx = false;
    ingest_state_reset(p);
    return JD_OK;
}

static int returning_id(pgs *p, const char *sql, const jd_pg_params *pp, int64_t *out,
                        jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(p, sql, pp, &r, err);
    if (rc < 0)
        return rc;
    *out = PQntuples(r) ? jd_pg__i64(r, 0, 0) : 0;
    PQclear(r);
    return JD_OK;
}

static int pg_run_start(jd_store *s, int64_t *out_id, const char *what, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, jd_pg__now());
    pgp_text(&pp, what);
    return returning_id(s->impl,
                        "INSERT INTO ingest_run(started_at, what) VALUES ($1, $2) RETURNING id",
                        &pp, out_id, err);
}

static int pg_run_finish(jd_store *s, int64_t run_id, const char *status, int64_t read,
                         int64_t stored, int64_t updated, int64_t unchanged, int64_t rejected,
                         jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, run_id);
    pgp_int(&pp, jd_pg__now());
    pgp_text(&pp, status);
    pgp_int(&pp, read);
    pgp_int(&pp, stored);
    pgp_int(&pp, updated);
    pgp_int(&pp, unchanged);
    pgp_int(&pp, rejected);
    return jd_pg__do(s->impl,
                     "UPDATE ingest_run SET finished_at = $2, status = $3, rows_read = $4,"
                     " rows_stored = $5, rows_updated = $6, rows_unchanged = $7,"
                     " rows_rejected = $8 WHERE id = $1",
                     &pp, NULL, err);
}

static int pg_file_seen(jd_store *s, const char *sha256, bool *out, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, sha256);
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT 1 FROM source_file WHERE sha256 = $1 AND complete = 1 LIMIT 1",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    *out = PQntuples(r) > 0;
    PQclear(r);
    return JD_OK;
}

static int pg_file_add(jd_store *s, int64_t *out_id, const jd_file_info *f, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, f->run_id);
    pgp_text(&pp, f->bundle);
    pgp_text(&pp, f->name);
    pgp_text(&pp, f->kind);
    pgp_text(&pp, f->sha256);
    pgp_int(&pp, f->size);
    return returning_id(s->impl,
                        "INSERT INTO source_file(run_id, bundle, name, kind, sha256, size)"
                        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                        &pp, out_id, err);
}

static int pg_file_finish(jd_store *s, int64_t file_id, int64_t read, int64_t stored,
                          int64_t updated, int64_t unchanged, int64_t rejected, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, file_id);
    pgp_int(&pp, read);
    pgp_int(&pp, stored);
    pgp_int(&pp, updated);
    pgp_int(&pp, unchanged);
    pgp_int(&pp, rejected);
    return jd_pg__do(s->impl,
                     "UPDATE source_file SET rows_read = $2, rows_stored = $3,"
                     " rows_updated = $4, rows_unchanged = $5, rows_rejected = $6,"
                     " complete = 1 WHERE id = $1",
                     &pp, NULL, err);
}

/* Location key: jd_store__location_key, as in sqlite.c. */
static int location_id(pgs *p, const char *postcode, const char *text, bool *present,
                       int64_t *out, jd_error *err)
{
    *present = false;
    if (!postcode && !text)
        return JD_OK;
    char key[JD_LOCATION_KEY];
    size_t k = jd_store__location_key(postcode, text, key);
    int rc;
    if (!p->loc_loaded) {
        PGresult *r = NULL;
        /* locations are tens of thousands per county: read them whole */
        if ((rc = jd_pg__run(p, "SELECT key, id FROM location", NULL, &r, err)) < 0)
            return rc;
        for (int i = 0; i < PQntuples(r); i++) {
            const char *kk = PQgetvalue(r, i, 0);
            int64_t id = jd_pg__i64(r, i, 1);
            if (id > UINT32_MAX || !jd_strmap_put(&p->loc, kk, strlen(kk), (uint32_t)id, NULL)) {
                PQclear(r);
                return jd_error_set(err, JD_ELIMIT, "location ids beyond 2^32");
            }
        }
        PQclear(r);
        p->loc_loaded = true;
    }
    const uint32_t *hit = jd_strmap_get(&p->loc, key, k);
    if (hit) {
        *out = *hit;
        *present = true;
        return JD_OK;
    }
    int64_t id = p->next_id[PG_CP_LOC]++;
    if (id > UINT32_MAX)
        return jd_error_set(err, JD_ELIMIT, "location ids beyond 2^32");
    if (!jd_strmap_put(&p->loc, key, k, (uint32_t)id, NULL))
        return jd_oom(err);
    jd_buf *b = &p->cp[PG_CP_LOC];
    if ((rc = row_start(p, PG_CP_LOC)) < 0 || (rc = jd_pgbin_int8(b, id)) < 0 ||
        (rc = jd_pgbin_text(b, postcode)) < 0 || (rc = jd_pgbin_text(b, text)) < 0 ||
        (rc = jd_pgbin_text(b, key)) < 0)
        return jd_error_set(err, rc, "out of memory");
    *out = id;
    *present = true;
    return JD_OK;
}

static int ingest_prepare(pgs *p, jd_error *err)
{
    if (!p->in_tx)
        return jd_error_set(err, JD_EINVALID, "rows are written inside begin .. commit");
    int rc = ensure_ids(p, err);
    if (rc == JD_OK)
        rc = ensure_map(p, &p->ev, EV_KEYS_SQL, 2, err);
    return rc;
}

static int copy_event(pgs *p, int64_t id, const jd_event_row *r, int64_t loc, bool has_loc)
{
    jd_buf *b = &p->cp[PG_CP_EV];
    int rc = 0;
    int64_t known = r->reported_at > r->occurred_at ? r->reported_at : r->occurred_at;
    if ((rc = row_start(p, PG_CP_EV)) < 0 || (rc = jd_pgbin_int8(b, id)) < 0 ||
        (rc = jd_pgbin_text(b, r->agency)) < 0 || (rc = jd_pgbin_text(b, r->record_id)) < 0 ||
        (rc = jd_pgbin_int8(b, (int64_t)r->hash)) < 0 ||
        (rc = jd_pgbin_text(b, r->event_type)) < 0 ||
        (rc = jd_pgbin_text(b, r->event_type_raw)) < 0 ||
        (rc = jd_pgbin_int8(b, r->occurred_at)) < 0 ||
        (rc = jd_pgbin_int4(b, r->occurred_prec)) < 0 ||
        (rc = jd_pgbin_int8(b, r->reported_at)) < 0 ||
        (rc = jd_pgbin_int4(b, r->reported_prec)) < 0 || (rc = jd_pgbin_int8(b, known)) < 0 ||
        (rc = has_loc ? jd_pgbin_int8(b, loc) : jd_pgbin_null(b)) < 0 ||
        (rc = jd_pgbin_text(b, r->location)) < 0 || (rc = jd_pgbin_text(b, r->postcode)) < 0 ||
        (rc = jd_pgbin_text(b, r->postcode_raw)) < 0 ||
        (rc = jd_pgbin_text(b, r->narrative)) < 0 ||
        (rc = opt_int4(b, r->crime_recorded, r->crime_recorded >= 0)) < 0 ||
        (rc = jd_pgbin_text(b, r->crime_ref)) < 0 || (rc = jd_pgbin_text(b, r->outcome)) < 0 ||
        (rc = jd_pgbin_text(b, r->author_role)) < 0 ||
        (rc = jd_pgbin_text(b, r->risk_grade)) < 0 || (rc = jd_pgbin_int8(b, r->file_id)) < 0 ||
        (rc = jd_pgbin_int8(b, r->line)) < 0)
        return rc;
    return JD_OK;
}

/* The key's slot in m (NULL: a key the run has not seen); a and b get its
 * fingerprint. */
static int key_find(pgs *p, const jd_pg_fpmap *m, const char *const *parts, int n, uint64_t *a,
                    uint64_t *b, jd_pg_fpslot **slot, jd_error *err)
{
    int rc = fingerprint(p, parts, n, a, b);
    if (rc < 0)
        return jd_error_set(err, rc, "out of memory");
    *slot = fp_find(m, *a, *b);
    return JD_OK;
}

/* A NEW row, which the caller buffered for COPY (copy_rc, the result): its
 * key goes in m. */
static int put_new(pgs *p, jd_pg_fpmap *m, int copy_rc, const jd_pg_fpslot *v,
                   jd_put_result *out, jd_error *err)
{
    int rc = copy_rc;
    if (rc < 0 || (rc = fp_put(m, v)) < 0)
        return jd_error_set(err, rc, rc == JD_ENOMEM ? "out of memory"
                                                     : "a value does not fit its column's type");
    out->outcome = JD_PUT_NEW;
    out->first_line = 0;
    return maybe_flush(p, err);
}

/* An UPDATED row: the rows buffered for COPY go first, then the stored
 * version into its history (history_sql: $1 the id, $2 now, $3 the
 * superseding file), then the new values (update_sql with upd). */
static int supersede(pgs *p, int64_t id, int64_t file_id, const char *history_sql,
                     const char *update_sql, const jd_pg_params *upd, jd_error *err)
{
    int rc = flush_all(p, err);
    if (rc == JD_OK) /* a deferring load's keys, before its first read by id */
        rc = keys_rebuild(p, err);
    if (rc < 0)
        return rc;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, id);
    pgp_int(&pp, jd_pg__now());
    pgp_int(&pp, file_id);
    if ((rc = jd_pg__do(p, history_sql, &pp, NULL, err)) < 0 ||
        (rc = jd_pg__do(p, update_sql, upd, NULL, err)) < 0)
        return rc;
    return JD_OK;
}

static int pg_put_event(jd_store *s, const jd_event_row *r, jd_put_result *out, jd_error *err)
{
    pgs *p = s->impl;
    int rc = ingest_prepare(p, err);
    if (rc < 0)
        return rc;
    int64_t loc = 0;
    bool has_loc = false;
    if ((rc = location_id(p, r->postcode, r->location, &has_loc, &loc, err)) < 0)
        return rc;
    const char *parts[2] = {r->agency, r->record_id};
    uint64_t a, b;
    jd_pg_fpslot *slot;
    if ((rc = key_find(p, &p->ev, parts, 2, &a, &b, &slot, err)) < 0)
        return rc;
    if (!slot) {
        int64_t id = p->next_id[PG_CP_EV]++;
        jd_pg_fpslot v = {a, b, id, r->hash, r->file_id, r->line, r->occurred_at};
        return put_new(p, &p->ev, copy_event(p, id, r, loc, has_loc), &v, out, err);
    }
    put_existing(slot, r->hash, r->file_id, r->line, out);
    if (out->outcome != JD_PUT_UPDATED)
        return JD_OK;
    int64_t id = slot->id;
    slot->when = r->occurred_at;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, id);
    pgp_int(&pp, (int64_t)r->hash);
    pgp_text(&pp, r->event_type);
    pgp_text(&pp, r->event_type_raw);
    pgp_int(&pp, r->occurred_at);
    pgp_int(&pp, r->occurred_prec);
    pgp_int(&pp, r->reported_at);
    pgp_int(&pp, r->reported_prec);
    pgp_int(&pp, r->reported_at > r->occurred_at ? r->reported_at : r->occurred_at);
    pgp_opt_int(&pp, loc, has_loc);
    pgp_text(&pp, r->location);
    pgp_text(&pp, r->postcode);
    pgp_text(&pp, r->postcode_raw);
    pgp_text(&pp, r->narrative);
    pgp_opt_int(&pp, r->crime_recorded, r->crime_recorded >= 0);
    pgp_text(&pp, r->crime_ref);
    pgp_text(&pp, r->outcome);
    pgp_text(&pp, r->author_role);
    pgp_text(&pp, r->risk_grade);
    pgp_int(&pp, r->file_id);
    pgp_int(&pp, r->line);
    return supersede(p, id, r->file_id,
                     "INSERT INTO event_history(event_id, superseded_at, superseded_by_file,"
                     " agency, record_id, version, hash, event_type, event_type_raw,"
                     " occurred_at, occurred_prec, reported_at, reported_prec, known_at,"
                     " location_id, location, postcode, postcode_raw, narrative,"
                     " crime_recorded, crime_ref, outcome, author_role, risk_grade, file_id,"
                     " line) SELECT id, $2::bigint, $3::bigint, agency, record_id, version,"
                     " hash, event_type, event_type_raw, occurred_at, occurred_prec,"
                     " reported_at, reported_prec, known_at, location_id, location, postcode,"
                     " postcode_raw, narrative, crime_recorded, crime_ref, outcome,"
                     " author_role, risk_grade, file_id, line FROM event WHERE id = $1",
                     "UPDATE event SET version = version + 1, hash = $2, event_type = $3,"
                     " event_type_raw = $4, occurred_at = $5, occurred_prec = $6,"
                     " reported_at = $7, reported_prec = $8, known_at = $9,"
                     " location_id = $10, location = $11, postcode = $12,"
                     " postcode_raw = $13, narrative = $14, crime_recorded = $15,"
                     " crime_ref = $16, outcome = $17, author_role = $18, risk_grade = $19,"
                     " file_id = $20, line = $21 WHERE id = $1",
                     &pp, err);
}

static int event_of(pgs *p, const char *agency, const char *record_id, int64_t *ev, bool *found,
                    jd_error *err)
{
    const char *parts[2] = {agency, record_id};
    uint64_t a, b;
    jd_pg_fpslot *slot;
    int rc = key_find(p, &p->ev, parts, 2, &a, &b, &slot, err);
    if (rc < 0)
        return rc;
    *found = slot != NULL;
    *ev = slot ? slot->id : 0;
    return JD_OK;
}

/* A mention put's start: the ingest state and the mention key map m (read
 * with keys_sql, nkey parts), then its event: 1 and its id in *ev, or 0 and
 * an ORPHAN outcome when the run has no such event. */
static int mention_event(pgs *p, jd_pg_fpmap *m, const char *keys_sql, int nkey,
                         const char *agency, const char *record_id, int64_t *ev,
                         jd_put_result *out, jd_error *err)
{
    int rc = ingest_prepare(p, err);
    if (rc == JD_OK)
        rc = ensure_map(p, m, keys_sql, nkey, err);
    if (rc < 0)
        return rc;
    bool found;
    rc = event_of(p, agency, record_id, ev, &found, err);
    if (rc < 0 || found)
        return rc < 0 ? rc : 1;
    out->outcome = JD_PUT_ORPHAN;
    out->first_line = 0;
    return JD_OK;
}

/* Inside the ingest transaction from the key map (which holds the rows the
 * run buffered for COPY too); outside it, from the table. */
static int pg_event_when(jd_store *s, const char *agency, const char *record_id,
                         int64_t *occurred_at, bool *found, jd_error *err)
{
    pgs *p = s->impl;
    *found = false;
    if (!p->in_tx) {
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, agency);
        pgp_text(&pp, record_id);
        PGresult *r;
        int rc = jd_pg__run(p, "SELECT occurred_at FROM event WHERE agency = $1 AND record_id = $2",
                            &pp, &r, err);
        if (rc < 0)
            return rc;
        if (PQntuples(r) == 1) {
            *found = true;
            *occurred_at = jd_pg__i64(r, 0, 0);
        }
        PQclear(r);
        return JD_OK;
    }
    int rc = ingest_prepare(p, err);
    if (rc < 0)
        return rc;
    const char *parts[2] = {agency, record_id};
    uint64_t a, b;
    jd_pg_fpslot *slot;
    if ((rc = key_find(p, &p->ev, parts, 2, &a, &b, &slot, err)) < 0)
        return rc;
    if (slot) {
        *found = true;
        *occurred_at = slot->when;
    }
    return JD_OK;
}

static int copy_person(pgs *p, int64_t id, int64_t ev, const jd_person_row *r)
{
    jd_buf *b = &p->cp[PG_CP_PM];
    int rc;
    if ((rc = row_start(p, PG_CP_PM)) < 0 || (rc = jd_pgbin_int8(b, id)) < 0 ||
        (rc = jd_pgbin_int8(b, ev)) < 0 || (rc = jd_pgbin_text(b, r->agency)) < 0 ||
        (rc = jd_pgbin_text(b, r->record_id)) < 0 || (rc = jd_pgbin_text(b, r->person_ref)) < 0 ||
        (rc = jd_pgbin_text(b, r->role)) < 0 || (rc = jd_pgbin_int8(b, (int64_t)r->hash)) < 0 ||
        (rc = jd_pgbin_text(b, r->surname)) < 0 || (rc = jd_pgbin_text(b, r->forenames)) < 0 ||
        (rc = jd_pgbin_text(b, r->known_as)) < 0 || (rc = jd_pgbin_text(b, r->dob)) < 0 ||
        (rc = opt_int4(b, r->dob_prec, r->dob != NULL)) < 0 ||
        (rc = opt_int4(b, r->age, r->age >= 0)) < 0 || (rc = jd_pgbin_text(b, r->gender)) < 0 ||
        (rc = jd_pgbin_text(b, r->gender_raw)) < 0 || (rc = jd_pgbin_text(b, r->address)) < 0 ||
        (rc = jd_pgbin_text(b, r->postcode)) < 0 || (rc = jd_pgbin_text(b, r->postcode_raw)) < 0 ||
        (rc = jd_pgbin_text(b, r->phone)) < 0 || (rc = jd_pgbin_text(b, r->phone_raw)) < 0 ||
        (rc = jd_pgbin_text(b, r->nhs_number)) < 0 || (rc = jd_pgbin_text(b, r->upn)) < 0 ||
        (rc = jd_pgbin_text(b, r->ethnicity)) < 0 || (rc = jd_pgbin_int8(b, r->file_id)) < 0 ||
        (rc = jd_pgbin_int8(b, r->line)) < 0 || (rc = jd_pgbin_text(b, r->other_id)) < 0)
        return rc;
    return JD_OK;
}

static int pg_put_person(jd_store *s, const jd_person_row *r, jd_put_result *out,
                         jd_error *err)
{
    pgs *p = s->impl;
    int64_t ev = 0;
    int rc = mention_event(p, &p->pm, PM_KEYS_SQL, 4, r->agency, r->record_id, &ev, out, err);
    if (rc <= 0)
        return rc;
    const char *parts[4] = {r->agency, r->record_id, r->person_ref, r->role};
    uint64_t a, b;
    jd_pg_fpslot *slot;
    if ((rc = key_find(p, &p->pm, parts, 4, &a, &b, &slot, err)) < 0)
        return rc;
    if (!slot) {
        int64_t id = p->next_id[PG_CP_PM]++;
        jd_pg_fpslot v = {a, b, id, r->hash, r->file_id, r->line, 0};
        return put_new(p, &p->pm, copy_person(p, id, ev, r), &v, out, err);
    }
    put_existing(slot, r->hash, r->file_id, r->line, out);
    if (out->outcome != JD_PUT_UPDATED)
        return JD_OK;
    int64_t id = slot->id;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, id);
    pgp_int(&pp, ev);
    pgp_int(&pp, (int64_t)r->hash);
    pgp_text(&pp, r->surname);
    pgp_text(&pp, r->forenames);
    pgp_text(&pp, r->known_as);
    pgp_text(&pp, r->dob);
    pgp_opt_int(&pp, r->dob_prec, r->dob != NULL);
    pgp_opt_int(&pp, r->age, r->age >= 0);
    pgp_text(&pp, r->gender);
    pgp_text(&pp, r->gender_raw);
    pgp_text(&pp, r->address);
    pgp_text(&pp, r->postcode);
    pgp_text(&pp, r->postcode_raw);
    pgp_text(&pp, r->phone);
    pgp_text(&pp, r->phone_raw);
    pgp_text(&pp, r->nhs_number);
    pgp_text(&pp, r->upn);
    pgp_text(&pp, r->ethnicity);
    pgp_int(&pp, r->file_id);
    pgp_int(&pp, r->line);
    pgp_text(&pp, r->other_id);
    return supersede(p, id, r->file_id,
                     "INSERT INTO person_mention_history(mention_id, superseded_at,"
                     " superseded_by_file, version, hash, role, surname, forenames, known_as,"
                     " dob, dob_prec, age, gender, gender_raw, address, postcode, postcode_raw,"
                     " phone, phone_raw, nhs_number, upn, ethnicity, file_id, line, other_id)"
                     " SELECT id, $2::bigint, $3::bigint, version, hash, role, surname,"
                     " forenames, known_as, dob, dob_prec, age, gender, gender_raw, address,"
                     " postcode, postcode_raw, phone, phone_raw, nhs_number, upn, ethnicity,"
                     " file_id, line, other_id FROM person_mention WHERE id = $1",
                     "UPDATE person_mention SET version = version + 1, event_id = $2,"
                     " hash = $3, surname = $4, forenames = $5, known_as = $6, dob = $7,"
                     " dob_prec = $8, age = $9, gender = $10, gender_raw = $11,"
                     " address = $12, postcode = $13, postcode_raw = $14, phone = $15,"
                     " phone_raw = $16, nhs_number = $17, upn = $18, ethnicity = $19,"
                     " file_id = $20, line = $21, other_id = $22 WHERE id = $1",
                     &pp, err);
}

static int copy_object(pgs *p, int64_t id, int64_t ev, const jd_object_row *r, const char *pref)
{
    jd_buf *b = &p->cp[PG_CP_OM];
    int rc;
    if ((rc = row_start(p, PG_CP_OM)) < 0 || (rc = jd_pgbin_int8(b, id)) < 0 ||
        (rc = jd_pgbin_int8(b, ev)) < 0 || (rc = jd_pgbin_text(b, r->agency)) < 0 ||
        (rc = jd_pgbin_text(b, r->record_id)) < 0 || (rc = jd_pgbin_text(b, r->object_type)) < 0 ||
        (rc = jd_pgbin_text(b, r->value_norm)) < 0 || (rc = jd_pgbin_text(b, pref)) < 0 ||
        (rc = jd_pgbin_text(b, r->value_raw)) < 0 || (rc = jd_pgbin_int4(b, r->value_valid)) < 0 ||
        (rc = jd_pgbin_text(b, r->description)) < 0 ||
        (rc = jd_pgbin_int8(b, (int64_t)r->hash)) < 0 || (rc = jd_pgbin_int8(b, r->file_id)) < 0 ||
        (rc = jd_pgbin_int8(b, r->line)) < 0)
        return rc;
    return JD_OK;
}

static int pg_put_object(jd_store *s, const jd_object_row *r, jd_put_result *out,
                         jd_error *err)
{
    pgs *p = s->impl;
    int64_t ev = 0;
    int rc = mention_event(p, &p->om, OM_KEYS_SQL, 5, r->agency, r->record_id, &ev, out, err);
    if (rc <= 0)
        return rc;
    const char *pref = r->person_ref ? r->person_ref : "";
    const char *parts[5] = {r->agency, r->record_id, r->object_type, r->value_norm, pref};
    uint64_t a, b;
    jd_pg_fpslot *slot;
    if ((rc = key_find(p, &p->om, parts, 5, &a, &b, &slot, err)) < 0)
        return rc;
    if (!slot) {
        int64_t id = p->next_id[PG_CP_OM]++;
        jd_pg_fpslot v = {a, b, id, r->hash, r->file_id, r->line, 0};
        return put_new(p, &p->om, copy_object(p, id, ev, r, pref), &v, out, err);
    }
    put_existing(slot, r->hash, r->file_id, r->line, out);
    if (out->outcome != JD_PUT_UPDATED)
        return JD_OK;
    int64_t id = slot->id;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, id);
    pgp_int(&pp, ev);
    pgp_text(&pp, r->value_raw);
    pgp_int(&pp, r->value_valid);
    pgp_text(&pp, r->description);
    pgp_int(&pp, (int64_t)r->hash);
    pgp_int(&pp, r->file_id);
    pgp_int(&pp, r->line);
    return supersede(p, id, r->file_id,
                     "INSERT INTO object_mention_history(mention_id, superseded_at,"
                     " superseded_by_file, version, hash, value_raw, value_valid, description,"
                     " file_id, line) SELECT id, $2::bigint, $3::bigint, version, hash,"
                     " value_raw, value_valid, description, file_id, line"
                     " FROM object_mention WHERE id = $1",
                     "UPDATE object_mention SET version = version + 1, event_id = $2,"
                     " value_raw = $3, value_valid = $4, description = $5, hash = $6,"
                     " file_id = $7, line = $8 WHERE id = $1",
                     &pp, err);
}

static int pg_put_problem(jd_store *s, const jd_problem *pr, jd_error *err)
{
    uint64_t h = jd_hash64(pr->message, strlen(pr->message), 0);
    if (pr->raw)
        h = jd_hash64(pr->raw, strlen(pr->raw), h);
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, pr->run_id);
    pgp_text(&pp, pr->severity);
    pgp_text(&pp, pr->file);
    pgp_int(&pp, pr->line);
    pgp_int(&pp, pr->column);
    pgp_text(&pp, pr->field ? pr->field : "");
    pgp_text(&pp, pr->message);
    pgp_text(&pp, pr->raw);
    pgp_int(&pp, (int64_t)h);
    pgs *p = s->impl;
    p->no_flush = true;
    int rc = jd_pg__do(p,
                       "INSERT INTO problem(run_id, severity, file, line, col, field, message, raw,"
                       " hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                       " ON CONFLICT(file, line, col, hash) DO NOTHING",
                       &pp, NULL, err);
    p->no_flush = false;
    return rc;
}

typedef struct problem_ctx {
    jd_problem_cb cb;
    void *payload;
} problem_ctx;

static int problem_row(const PGresult *r, void *payload)
{
    problem_ctx *c = payload;
    jd_problem pr = {
        .id = jd_pg__i64(r, 0, 0),
        .run_id = jd_pg__i64(r, 0, 1),
        .severity = jd_pg__txt(r, 0, 2),
        .file = jd_pg__txt(r, 0, 3),
        .line = (long)jd_pg__i64(r, 0, 4),
        .column = (long)jd_pg__i64(r, 0, 5),
        .field = jd_pg__txt(r, 0, 6),
        .message = jd_pg__txt(r, 0, 7),
        .raw = jd_pg__opt(r, 0, 8),
    };
    return c->cb(&pr, c->payload);
}

static int pg_problems(jd_store *s, bool warnings, jd_problem_cb cb, void *payload,
                       jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, warnings);
    problem_ctx c = {cb, payload};
    return jd_pg__stream(s->impl,
                         "SELECT id, run_id, severity, file, line, col, field, message, raw"
                         " FROM problem WHERE severity = 'reject' OR $1::int = 1 ORDER BY id",
                         &pp, problem_row, &c, err);
}

static int pg_counts(jd_store *s, jd_store_counts *out, jd_error *err)
{
    memset(out, 0, sizeof *out);
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT (SELECT count(*) FROM event), (SELECT count(*) FROM person_mention),"
                        " (SELECT count(*) FROM object_mention), (SELECT count(*) FROM location),"
                        " (SELECT count(*) FROM problem WHERE severity = 'reject'),"
                        " (SELECT count(*) FROM problem WHERE severity = 'warning'),"
                        " (SELECT count(*) FROM ingest_run),"
                        " (SELECT count(*) FROM event_history) +"
                        " (SELECT count(*) FROM person_mention_history) +"
                        " (SELECT count(*) FROM object_mention_history),"
                        " (SELECT count(*) FROM (SELECT DISTINCT agency, person_ref"
                        " FROM person_mention) x)",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    out->events = jd_pg__i64(r, 0, 0);
    out->persons = jd_pg__i64(r, 0, 1);
    out->objects = jd_pg__i64(r, 0, 2);
    out->locations = jd_pg__i64(r, 0, 3);
    out->rejects = jd_pg__i64(r, 0, 4);
    out->warnings = jd_pg__i64(r, 0, 5);
    out->runs = jd_pg__i64(r, 0, 6);
    out->history = jd_pg__i64(r, 0, 7);
    out->person_refs = jd_pg__i64(r, 0, 8);
    PQclear(r);
    return JD_OK;
}

static int pg_ref_exists(jd_store *s, const char *agency, const char *ref, bool *out,
                         jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, agency);
    pgp_text(&pp, ref);
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT 1 FROM person_mention WHERE agency = $1 AND person_ref = $2"
                        " LIMIT 1",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    *out = PQntuples(r) > 0;
    PQclear(r);
    return JD_OK;
}

static int pg_link_add(jd_store *s, const char *agency_a, const char *ref_a,
                       const char *agency_b, const char *ref_b, bool same, const char *reason,
                       const char *by, jd_error *err)
{
    jd_store__pair_order(&agency_a, &ref_a, &agency_b, &ref_b);
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, agency_a);
    pgp_text(&pp, ref_a);
    pgp_text(&pp, agency_b);
    pgp_text(&pp, ref_b);
    pgp_text(&pp, same ? "same" : "different");
    pgp_text(&pp, reason);
    pgp_text(&pp, by);
    pgp_int(&pp, jd_pg__now());
    return jd_pg__do(s->impl,
                     "INSERT INTO link_decision(agency_a, ref_a, agency_b, ref_b, decision,"
                     " reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                     &pp, NULL, err);
}

typedef struct idrow_ctx {
    jd_identity_row_cb cb;
    void *payload;
} idrow_ctx;

/* As SQLite: the last resolve run's id, 0 if none. */
static int pg_identity_generation(jd_store *s, int64_t *out, jd_error *err)
{
    PGresult *r;
    int rc = jd_pg__run(s->impl, "SELECT coalesce(max(id), 0) FROM resolve_run", NULL, &r, err);
    if (rc < 0)
        return rc;
    *out = jd_pg__i64(r, 0, 0);
    PQclear(r);
    return JD_OK;
}

static int identity_ref_row(const PGresult *r, void *payload)
{
    idrow_ctx *c = payload;
    jd_identity_row row = {.person_id = jd_pg__txt(r, 0, 0),
                           .agency = jd_pg__txt(r, 0, 1),
                           .person_ref = jd_pg__txt(r, 0, 2),
                           .fp = jd_pg__i64(r, 0, 3),
                           .nbr = jd_pg__opt(r, 0, 4)};
    return c->cb(&row, c->payload);
}

static int pg_identity_refs(jd_store *s, jd_identity_row_cb cb, void *payload, jd_error *err)
{
    idrow_ctx c = {cb, payload};
    return jd_pg__stream(s->impl,
                         "SELECT i.person_id, r.agency, r.person_ref, r.fp, r.nbr"
                         " FROM identity_ref r"
                         " JOIN identity i ON i.id = r.identity_id",
                         NULL, identity_ref_row, &c, err);
}

typedef struct eth_ctx {
    int (*cb)(const char *person_id, const char *ethnicity, int64_t n, void *payload);
    void *payload;
} eth_ctx;

static int eth_row(const PGresult *r, void *payload)
{
    eth_ctx *c = payload;
    return c->cb(jd_pg__txt(r, 0, 0), jd_pg__txt(r, 0, 1), jd_pg__i64(r, 0, 2), c->payload);
}

static int pg_ethnicity_rows(jd_store *s,
                             int (*cb)(const char *person_id, const char *ethnicity, int64_t n,
                                       void *payload),
                             void *payload, jd_error *err)
{
    eth_ctx c = {cb, payload};
    return jd_pg__stream(
        s->impl,
        "SELECT i.person_id, coalesce(trim(pm.ethnicity), '')::ctext, count(pm.id)"
        " FROM identity i JOIN identity_ref r ON r.identity_id = i.id"
        " LEFT JOIN person_mention pm ON pm.agency = r.agency"
        " AND pm.person_ref = r.person_ref AND trim(pm.ethnicity) <> ''"
        " WHERE i.is_child = 1 GROUP BY 1, 2 ORDER BY 1, 2",
        NULL, eth_row, &c, err);
}

static int identity_row(const PGresult *r, void *payload)
{
    idrow_ctx *c = payload;
    jd_identity_row row = {
        .person_id = jd_pg__opt(r, 0, 0),
        .agency = jd_pg__txt(r, 0, 1),
        .person_ref = jd_pg__txt(r, 0, 2),
        .display_name = jd_pg__opt(r, 0, 3),
        .dob = jd_pg__opt(r, 0, 4),
        .is_child = jd_pg__i64(r, 0, 5) != 0,
        /* identity_rows(_of): the identity's row id, column 6 */
        .identity_id = PQnfields(r) > 6 && !PQgetisnull(r, 0, 6) ? jd_pg__i64(r, 0, 6) : 0,
    };
    return c->cb(&row, c->payload);
}

/* A ref's own name, date of birth and child flag from its mentions (pm:
 * agency, person_ref), where its identity gives none: as sqlite.c. The age
 * test guards the date cast with CASE, since PostgreSQL does not promise to
 * evaluate AND from left to right. */
#define PG_OWN_NAME                                                                                \
    "(SELECT trim(coalesce(p2.forenames, '') || ' ' || coalesce(p2.surname, ''))::ctext"           \
    " FROM person_mention p2 WHERE p2.agency = pm.agency"                                          \
    " AND p2.person_ref = pm.person_ref GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)"
#define PG_OWN_DOB                                                                                 \
    "(SELECT p2.dob FROM person_mention p2 WHERE p2.agency = pm.agency"                            \
    " AND p2.person_ref = pm.person_ref AND p2.dob_prec = 3 GROUP BY p2.dob"                       \
    " ORDER BY count(*) DESC, p2.dob LIMIT 1)"
#define PG_OWN_CHILD                                                                               \
    "EXISTS (SELECT 1 FROM person_mention p2 JOIN event e ON e.id = p2.event_id"                   \
    " WHERE p2.agency = pm.agency AND p2.person_ref = pm.person_ref AND"                           \
    " ((p2.age IS NOT NULL AND p2.age < 18) OR CASE WHEN p2.dob_prec = 3 THEN"                     \
    " (to_timestamp(e.occurred_at) AT TIME ZONE 'UTC')::date <"                                    \
    " (p2.dob::date + interval '18 years') ELSE false END))::int"

static int pg_identity_rows(jd_store *s, jd_identity_row_cb cb, void *payload, jd_error *err)
{
    idrow_ctx c = {cb, payload};
    return jd_pg__stream(
        s->impl,
        "WITH r AS (SELECT pm.agency, pm.person_ref, " PG_OWN_NAME " AS name, " PG_OWN_DOB
        " AS dob, " PG_OWN_CHILD " AS child"
        " FROM (SELECT DISTINCT agency, person_ref FROM person_mention) pm)"
        "SELECT i.person_id, r.agency, r.person_ref, coalesce(i.display_name, r.name),"
        " coalesce(i.dob, r.dob), coalesce(i.is_child, r.child), i.id"
        " FROM r LEFT JOIN identity_ref ir ON ir.agency = r.agency"
        " AND ir.person_ref = r.person_ref"
        " LEFT JOIN identity i ON i.id = ir.identity_id"
        " ORDER BY i.id IS NULL, i.id, r.agency, r.person_ref",
        NULL, identity_row, &c, err);
}

/* incr_ops.h's identity_rows_of: pg_identity_rows for the identities named. */
int jd_pg__identity_rows_of(jd_store *s, const char *const *person_ids, size_t n,
                            jd_identity_row_cb cb, void *payload, jd_error *err)
{
    pgs *p = s->impl;
    int rc = jd_pg__exec(p,
                         "CREATE TEMP TABLE IF NOT EXISTS jd_idx_pid(person_id ctext NOT NULL);"
                         " TRUNCATE jd_idx_pid;",
                         err);
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    for (size_t i = 0; i < n && rc == JD_OK; i++)
        if (jd_pg__cp_str(&b, person_ids[i], '\n') < 0)
            rc = jd_oom(err);
    if (rc == JD_OK && n)
        rc = jd_pg__copy(p, "COPY jd_idx_pid(person_id) FROM STDIN", b.ptr, b.len, err);
    jd_buf_dispose(&b);
    if (rc == JD_OK)
        rc = jd_pg__exec(p, "ANALYZE jd_idx_pid", err);
    idrow_ctx c = {cb, payload};
    return rc < 0 ? rc
                  : jd_pg__stream(
                        p,
                        "SELECT i.person_id, pm.agency, pm.person_ref,"
                        " coalesce(i.display_name, " PG_OWN_NAME "),"
                        " coalesce(i.dob, " PG_OWN_DOB "), coalesce(i.is_child, " PG_OWN_CHILD
                        "), i.id FROM (SELECT DISTINCT person_id FROM jd_idx_pid) t"
                        " JOIN identity i ON i.person_id = t.person_id"
                        " JOIN identity_ref pm ON pm.identity_id = i.id"
                        " WHERE EXISTS (SELECT 1 FROM person_mention x WHERE x.agency = pm.agency"
                        " AND x.person_ref = pm.person_ref)"
                        " ORDER BY i.id, pm.agency, pm.person_ref",
                        NULL, identity_row, &c, err);
}

int jd_pg__mention_max(jd_store *s, int64_t *out, jd_error *err)
{
    PGresult *r;
    *out = 0;
    int rc = jd_pg__run(s->impl, "SELECT coalesce(max(id), 0) FROM person_mention", NULL, &r,
                        err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) == 1)
        *out = jd_pg__i64(r, 0, 0);
    PQclear(r);
    return JD_OK;
}

/* incr_ops.h's unresolved_rows_after: pg_identity_rows' unresolved rows of
 * the refs of mentions after `after` (a range on the mention ids). */
int jd_pg__unresolved_rows_after(jd_store *s, int64_t after, jd_identity_row_cb cb,
                                 void *payload, jd_error *err)
{
    idrow_ctx c = {cb, payload};
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, after);
    return jd_pg__stream(
        s->impl,
        "SELECT NULL::ctext, pm.agency, pm.person_ref, " PG_OWN_NAME ", " PG_OWN_DOB
        ", " PG_OWN_CHILD " FROM (SELECT DISTINCT m.agency, m.person_ref FROM person_mention m"
        " WHERE m.id > $1 AND NOT EXISTS (SELECT 1 FROM identity_ref ir"
        " WHERE ir.agency = m.agency AND ir.person_ref = m.person_ref)) pm"
        " ORDER BY pm.agency, pm.person_ref",
        &pp, identity_row, &c, err);
}

static int pg_person_refs_now(jd_store *s, const char *person_id, const char *agency,
                              const char *ref, jd_identity_row_cb cb, void *payload,
                              jd_error *err)
{
    idrow_ctx c = {cb, payload};
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, person_id);
    pgp_text(&pp, agency);
    pgp_text(&pp, ref);
    return jd_pg__stream(s->impl,
    "WITH id AS (SELECT i.id, i.person_id, i.display_name, i.dob, i.is_child FROM identity i"
    " WHERE $1::ctext IS NOT NULL AND i.person_id = $1::ctext"
    " UNION ALL SELECT i.id, i.person_id, i.display_name, i.dob, i.is_child"
    " FROM identity_ref r JOIN identity i ON i.id = r.identity_id"
    " WHERE $1::ctext IS NULL AND r.agency = $2::ctext AND r.person_ref = $3::ctext)"
    " SELECT id.person_id, ir.agency, ir.person_ref, id.display_name, id.dob, id.is_child"
    " FROM id JOIN identity_ref ir ON ir.identity_id = id.id WHERE EXISTS (SELECT 1 FROM"
    " person_mention pm WHERE pm.agency = ir.agency AND pm.person_ref = ir.person_ref)"
    " UNION ALL SELECT NULL, $2::ctext, $3::ctext, NULL, NULL, 0 WHERE $1::ctext IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM identity_ref r WHERE r.agency = $2::ctext"
    " AND r.person_ref = $3::ctext) AND EXISTS (SELECT 1 FROM person_mention pm"
    " WHERE pm.agency = $2::ctext AND pm.person_ref = $3::ctext) ORDER BY 2, 3",
                         &pp, identity_row, &c, err);
}

/* ---- chronology ---- */

#define REFS_CTE                                                                                   \
    "WITH refs(agency, person_ref) AS ("                                                           \
    " SELECT ir.agency, ir.person_ref FROM identity_ref ir JOIN identity i"                        \
    " ON i.id = ir.identity_id WHERE $1::ctext IS NOT NULL AND i.person_id = $1::ctext"            \
    " UNION SELECT $2::ctext, $3::ctext WHERE $1::ctext IS NULL) "

/* The rows of r (sorted by its columns 0 and 1 in byte order, as ctext
 * sorts) whose key is (a, b): their count, the first in *first. */
static size_t key_rows(const PGresult *r, const char *a, const char *b, int *first)
{
    int lo = 0, hi = PQntuples(r);
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(jd_pg__txt(r, mid, 0), a);
        if (c == 0)
            c = strcmp(jd_pg__txt(r, mid, 1), b);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    int n = PQntuples(r), k = lo;
    while (k < n && !strcmp(jd_pg__txt(r, k, 0), a) && !strcmp(jd_pg__txt(r, k, 1), b))
        k++;
    return (size_t)(k - lo);
}

/* Each event of a chronology (ev) to cb with its other parties (pa) and
 * objects (ob), looked up by record key. */
static int chrono_rows(PGresult *ev, PGresult *pa, PGresult *ob, jd_chrono_event_cb cb,
                       void *payload, jd_error *err)
{
    int rc = JD_OK;
    jd_chrono_party *parties = NULL;
    jd_chrono_object *objects = NULL;
    for (int i = 0; i < PQntuples(ev) && rc == JD_OK; i++) {
        const char *ag = jd_pg__txt(ev, i, 1), *rec = jd_pg__txt(ev, i, 2);
        int pa0, ob0;
        size_t np = key_rows(pa, ag, rec, &pa0), no = key_rows(ob, ag, rec, &ob0);
        jd_chrono_party *np_ = realloc(parties, (np ? np : 1) * sizeof *parties);
        if (np_)
            parties = np_;
        jd_chrono_object *no_ = realloc(objects, (no ? no : 1) * sizeof *objects);
        if (no_)
            objects = no_;
        if (!np_ || !no_) {
            rc = jd_oom(err);
            break;
        }
        for (size_t k = 0; k < np; k++) {
            int row = pa0 + (int)k;
            parties[k] = (jd_chrono_party){.agency = jd_pg__txt(pa, row, 0),
                                           .person_ref = jd_pg__txt(pa, row, 2),
                                           .role = jd_pg__txt(pa, row, 3),
                                           .person_id = jd_pg__opt(pa, row, 4),
                                           .name = jd_pg__txt(pa, row, 5)};
        }
        for (size_t k = 0; k < no; k++) {
            int row = ob0 + (int)k;
            objects[k] = (jd_chrono_object){.object_type = jd_pg__txt(ob, row, 2),
                                            .value = jd_pg__txt(ob, row, 3),
                                            .description = jd_pg__opt(ob, row, 4),
                                            .valid = jd_pg__i64(ob, row, 5) != 0};
        }
        jd_chrono_event ce = {
            .event_id = jd_pg__i64(ev, i, 0), .agency = jd_pg__txt(ev, i, 1),
            .record_id = jd_pg__txt(ev, i, 2), .event_type = jd_pg__txt(ev, i, 3),
            .occurred_at = jd_pg__i64(ev, i, 4), .reported_at = jd_pg__i64(ev, i, 5),
            .occurred_prec = (int)jd_pg__i64(ev, i, 6), .location = jd_pg__opt(ev, i, 7),
            .postcode = jd_pg__opt(ev, i, 8), .narrative = jd_pg__opt(ev, i, 9),
            .outcome = jd_pg__opt(ev, i, 10), .author_role = jd_pg__opt(ev, i, 11),
            .risk_grade = jd_pg__opt(ev, i, 12), .crime_ref = jd_pg__opt(ev, i, 13),
            .crime_recorded = PQgetisnull(ev, i, 14) ? -1 : (int)jd_pg__i64(ev, i, 14),
            .subject_role = jd_pg__txt(ev, i, 15), .parties = parties, .n_parties = np,
            .objects = objects, .n_objects = no};
        rc = cb(&ce, payload);
    }
    free(parties);
    free(objects);
    return rc;
}

static int pg_chronology(jd_store *s, const char *person_id, const char *agency,
                         const char *ref, int64_t as_of, jd_chrono_event_cb cb, void *payload,
                         jd_error *err)
{
    pgs *p = s->impl;
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, person_id);
    pgp_text(&pp, agency);
    pgp_text(&pp, ref);
    PGresult *ev = NULL, *pa = NULL, *ob = NULL;
    int rc = jd_pg__run(p,
                        REFS_CTE "SELECT count(*) FROM refs WHERE EXISTS (SELECT 1 FROM"
                                 " person_mention pm WHERE pm.agency = refs.agency AND"
                                 " pm.person_ref = refs.person_ref)",
                        &pp, &ev, err);
    if (rc < 0)
        return rc;
    int64_t n = jd_pg__i64(ev, 0, 0);
    PQclear(ev);
    ev = NULL;
    if (n == 0)
        return jd_error_set(err, JD_ENOTFOUND, "no such person in the store");
    pgp_int(&pp, as_of);
    if ((rc = jd_pg__run(p,
                         REFS_CTE
                         "SELECT e.id, e.agency, e.record_id, e.event_type, e.occurred_at,"
                         " e.reported_at, e.occurred_prec, e.location, e.postcode, e.narrative,"
                         " e.outcome, e.author_role, e.risk_grade, e.crime_ref, e.crime_recorded,"
                         " min(pm.role) FROM refs JOIN person_mention pm ON"
                         " pm.agency = refs.agency AND pm.person_ref = refs.person_ref"
                         " JOIN event e ON e.id = pm.event_id"
                         " WHERE e.occurred_at <= $4 AND e.reported_at <= $4"
                         " GROUP BY e.id ORDER BY e.occurred_at, e.agency, e.record_id",
                         &pp, &ev, err)) < 0)
        return rc;
    /* The other parties and the objects of every record in two statements
     * (not two per event: 4,000 round trips for a 2,000-event chronology),
     * each sorted by record key in byte order, looked up per event. */
#define CHRONO_EVENTS_CTE                                                                          \
    ", ev AS (SELECT DISTINCT e.agency, e.record_id FROM refs JOIN person_mention pm ON"           \
    " pm.agency = refs.agency AND pm.person_ref = refs.person_ref"                                 \
    " JOIN event e ON e.id = pm.event_id WHERE e.occurred_at <= $4 AND e.reported_at <= $4) "
    if ((rc = jd_pg__run(p,
                         REFS_CTE CHRONO_EVENTS_CTE
                         "SELECT pm.agency, pm.record_id, pm.person_ref, pm.role, i.person_id,"
                         " trim(coalesce(pm.forenames, '') || ' ' ||"
                         " coalesce(pm.surname, '')) FROM ev JOIN person_mention pm"
                         " ON pm.agency = ev.agency AND pm.record_id = ev.record_id"
                         " LEFT JOIN identity_ref ir ON ir.agency = pm.agency"
                         " AND ir.person_ref = pm.person_ref"
                         " LEFT JOIN identity i ON i.id = ir.identity_id"
                         " WHERE NOT EXISTS (SELECT 1 FROM refs WHERE refs.agency = pm.agency"
                         " AND refs.person_ref = pm.person_ref)"
                         " ORDER BY pm.agency, pm.record_id, pm.id",
                         &pp, &pa, err)) < 0 ||
        (rc = jd_pg__run(p,
                         REFS_CTE CHRONO_EVENTS_CTE
                         "SELECT om.agency, om.record_id, om.object_type, om.value_norm,"
                         " om.description, om.value_valid FROM ev JOIN object_mention om"
                         " ON om.agency = ev.agency AND om.record_id = ev.record_id"
                         " ORDER BY om.agency, om.record_id, om.id",
                         &pp, &ob, err)) < 0) {
        PQclear(pa);
        PQclear(ev);
        return rc;
    }
#undef CHRONO_EVENTS_CTE
    rc = chrono_rows(ev, pa, ob, cb, payload, err);
    PQclear(pa);
    PQclear(ob);
    PQclear(ev);
    return rc;
}

/* ---- identity resolution ---- */

typedef struct mention_ctx {
    jd_mention_cb cb;
    void *payload;
} mention_ctx;

static int mention_row(const PGresult *r, void *payload)
{
    mention_ctx *c = payload;
    jd_mention_row m = {.agency = jd_pg__txt(r, 0, 0), .person_ref = jd_pg__txt(r, 0, 1),
                        .role = jd_pg__txt(r, 0, 2), .surname = jd_pg__opt(r, 0, 3),
                        .forenames = jd_pg__opt(r, 0, 4), .known_as = jd_pg__opt(r, 0, 5),
                        .dob = jd_pg__opt(r, 0, 6), .dob_prec = (int)jd_pg__i64(r, 0, 7),
                        .age = PQgetisnull(r, 0, 8) ? -1 : (int)jd_pg__i64(r, 0, 8),
                        .seen_at = jd_pg__i64(r, 0, 9), .gender = jd_pg__opt(r, 0, 10),
                        .address = jd_pg__opt(r, 0, 11), .postcode = jd_pg__opt(r, 0, 12),
                        .postcode_raw = jd_pg__opt(r, 0, 13), .phone = jd_pg__opt(r, 0, 14),
                        .nhs = jd_pg__opt(r, 0, 15), .upn = jd_pg__opt(r, 0, 16),
                        .other_id = jd_pg__opt(r, 0, 17), .event_id = jd_pg__i64(r, 0, 18),
                        .event_postcode = jd_pg__opt(r, 0, 19)};
    return c->cb(&m, c->payload);
}

static int pg_mentions(jd_store *s, jd_mention_cb cb, void *payload, jd_error *err)
{
    mention_ctx c = {cb, payload};
    /* (agency, person_ref) then row order, byte-wise (ctext): sqlite.c's order */
    return jd_pg__stream(s->impl,
                         "SELECT pm.agency, pm.person_ref, pm.role, pm.surname, pm.forenames,"
                         " pm.known_as, pm.dob, pm.dob_prec, pm.age, e.occurred_at, pm.gender,"
                         " pm.address, pm.postcode, pm.postcode_raw, pm.phone, pm.nhs_number,"
                         " pm.upn, pm.other_id, pm.event_id, e.postcode FROM person_mention pm"
                         " JOIN event e ON e.id = pm.event_id"
                         " ORDER BY pm.agency, pm.person_ref, pm.id",
                         NULL, mention_row, &c, err);
}

/* The mentions of some refs (around: of every event naming one of them):
 * the refs by COPY into a temporary table, then one join by
 * person_mention's (agency, person_ref) index (around, then the events'
 * mentions by the unique key), in pg_mentions' order. */
static int mentions_some(jd_store *s, const char *const *agency, const char *const *ref,
                         size_t n, bool around, jd_mention_cb cb, void *payload, jd_error *err)
{
    pgs *p = s->impl;
    int rc = jd_pg__exec(p,
                         "CREATE TEMP TABLE IF NOT EXISTS jd_res_ref(agency ctext NOT NULL,"
                         " person_ref ctext NOT NULL); TRUNCATE jd_res_ref;",
                         err);
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    for (size_t i = 0; i < n && rc == JD_OK; i++)
        if (jd_pg__cp_str(&b, agency[i], '\t') < 0 || jd_pg__cp_str(&b, ref[i], '\n') < 0)
            rc = jd_oom(err);
    if (rc == JD_OK)
        rc = jd_pg__copy(p, "COPY jd_res_ref(agency, person_ref) FROM STDIN", b.ptr, b.len, err);
    jd_buf_dispose(&b);
    if (rc == JD_OK)
        rc = jd_pg__exec(p, "ANALYZE jd_res_ref", err);
    mention_ctx c = {cb, payload};
#define PG_MENTION_COLS                                                                            \
    "SELECT pm.agency, pm.person_ref, pm.role, pm.surname, pm.forenames, pm.known_as, pm.dob,"     \
    " pm.dob_prec, pm.age, e.occurred_at, pm.gender, pm.address, pm.postcode, pm.postcode_raw,"   \
    " pm.phone, pm.nhs_number, pm.upn, pm.other_id, pm.event_id, e.postcode"
    const char *sql =
        around ? PG_MENTION_COLS " FROM (SELECT DISTINCT m.agency, m.record_id FROM jd_res_ref t"
                                 " JOIN person_mention m ON m.agency = t.agency"
                                 " AND m.person_ref = t.person_ref) x JOIN person_mention pm"
                                 " ON pm.agency = x.agency AND pm.record_id = x.record_id"
                                 " JOIN event e ON e.id = pm.event_id"
                                 " ORDER BY pm.agency, pm.person_ref, pm.id"
               : PG_MENTION_COLS " FROM (SELECT DISTINCT agency, person_ref FROM jd_res_ref) t"
                                 " JOIN person_mention pm"
                                 " ON pm.agency = t.agency AND pm.person_ref = t.person_ref"
                                 " JOIN event e ON e.id = pm.event_id"
                                 " ORDER BY pm.agency, pm.person_ref, pm.id";
#undef PG_MENTION_COLS
    return rc < 0 ? rc : jd_pg__stream(p, sql, NULL, mention_row, &c, err);
}

static int pg_mentions_of(jd_store *s, const char *const *agency, const char *const *ref,
                          size_t n, jd_mention_cb cb, void *payload, jd_error *err)
{
    return mentions_some(s, agency, ref, n, false, cb, payload, err);
}

static int pg_mentions_around(jd_store *s, const char *const *agency, const char *const *ref,
                              size_t n, jd_mention_cb cb, void *payload, jd_error *err)
{
    return mentions_some(s, agency, ref, n, true, cb, payload, err);
}

typedef struct key_ctx {
    int (*cb)(uint64_t key, const char *agency, const char *ref, void *payload);
    void *payload;
} key_ctx;

static int key_row(const PGresult *r, void *payload)
{
    key_ctx *c = payload;
    const char *list = jd_pg__txt(r, 0, 1);
    return jd_store__refs_each((uint64_t)jd_pg__i64(r, 0, 0), list, strlen(list), c->cb,
                               c->payload);
}

static int pg_refs_by_keys(jd_store *s, const uint64_t *keys, size_t n, bool *have,
                           int (*cb)(uint64_t key, const char *agency, const char *ref,
                                     void *payload),
                           void *payload, jd_error *err)
{
    pgs *p = s->impl;
    *have = false;
    PGresult *r = NULL;
    int rc = jd_pg__run(p, "SELECT 1 FROM meta WHERE key = 'ref_keys'", NULL, &r, err);
    if (rc < 0)
        return rc;
    *have = PQntuples(r) > 0;
    PQclear(r);
    if (!*have)
        return JD_OK;
    rc = jd_pg__exec(p, "CREATE TEMP TABLE IF NOT EXISTS jd_res_key(k bigint NOT NULL);"
                        " TRUNCATE jd_res_key;",
                     err);
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    for (size_t i = 0; i < n && rc == JD_OK; i++)
        if (jd_pg__cp_int(&b, (int64_t)keys[i], '\n') < 0)
            rc = jd_oom(err);
    if (rc == JD_OK)
        rc = jd_pg__copy(p, "COPY jd_res_key(k) FROM STDIN", b.ptr, b.len, err);
    jd_buf_dispose(&b);
    if (rc == JD_OK)
        rc = jd_pg__exec(p, "ANALYZE jd_res_key", err);
    key_ctx c = {cb, payload};
    return rc < 0 ? rc
                  : jd_pg__stream(p,
                                  "SELECT r.key, r.refs FROM (SELECT DISTINCT k FROM jd_res_key) t"
                                  " JOIN ref_key r ON r.key = t.k ORDER BY r.key",
                                  NULL, key_row, &c, err);
}

/* A ref's own keys as identity_ref.keys text; NULL in *out when it carries
 * none. The caller disposes b. */
static int keys_text(jd_buf *b, const jd_identity_save *r, const char **out)
{
    *out = NULL;
    if (!r->keys)
        return JD_OK;
    jd_buf_reset(b);
    if (jd_store__keys_format(b, r->keys, r->nkeys) != JD_OK)
        return JD_ENOMEM;
    *out = jd_buf_cstr(b);
    return *out ? JD_OK : JD_ENOMEM;
}

typedef struct decision_ctx {
    jd_decision_cb cb;
    void *payload;
} decision_ctx;

static int decision_row(const PGresult *r, void *payload)
{
    decision_ctx *c = payload;
    jd_decision_row d = {jd_pg__txt(r, 0, 0), jd_pg__txt(r, 0, 1), jd_pg__txt(r, 0, 2),
                         jd_pg__txt(r, 0, 3), !strcmp(jd_pg__txt(r, 0, 4), "same")};
    return c->cb(&d, c->payload);
}

static int pg_decisions(jd_store *s, jd_decision_cb cb, void *payload, jd_error *err)
{
    decision_ctx c = {cb, payload};
    return jd_pg__stream(s->impl,
                         "SELECT agency_a, ref_a, agency_b, ref_b, decision FROM link_decision d"
                         " WHERE id = (SELECT max(id) FROM link_decision x WHERE"
                         " x.agency_a = d.agency_a AND x.ref_a = d.ref_a AND"
                         " x.agency_b = d.agency_b AND x.ref_b = d.ref_b) ORDER BY id",
                         NULL, decision_row, &c, err);
}

/*
 * A full replace in one transaction under the resolve lock: identities and
 * refs go in by COPY to temporary tables, then set-wise into the real ones
 * (upsert by person_id, so person_ids keep their row ids across re-runs).
 */
/* The identities of a full resolve into the temporary table jd_tmp_identity
 * (COPY, 8 MB at a time: their notes, made by notes (jd_store__note), are
 * never all held). */
static int copy_infos(pgs *p, jd_buf *b, const jd_identity_info *info, size_t ninfo,
                      const jd_note_maker *notes, jd_error *err)
{
    static const char sql[] =
        "COPY jd_tmp_identity(ord, person_id, display_name, dob, is_child, note) FROM STDIN";
    int rc = JD_OK;
    for (size_t i = 0; i < ninfo && rc == JD_OK; i++) {
        const char *note = NULL;
        if ((rc = jd_store__note(notes, info, i, &note, err)) < 0)
            break;
        if ((rc = jd_pg__cp_int(b, (int64_t)i, '\t')) < 0 ||
            (rc = jd_pg__cp_str(b, info[i].person_id, '\t')) < 0 ||
            (rc = jd_pg__cp_str(b, info[i].display_name, '\t')) < 0 ||
            (rc = jd_pg__cp_str(b, info[i].dob, '\t')) < 0 ||
            (rc = jd_pg__cp_int(b, info[i].is_child, '\t')) < 0 ||
            (rc = jd_pg__cp_str(b, note, '\n')) < 0)
            rc = jd_error_set(err, rc, "out of memory");
        if (rc == JD_OK && (b->len >= (8u << 20) || i + 1 == ninfo)) {
            rc = jd_pg__copy(p, sql, b->ptr, b->len, err);
            jd_buf_reset(b);
        }
    }
    jd_buf_reset(b);
    return rc;
}

/* The identities and refs of a full resolve into the temporary tables
 * jd_tmp_identity (copy_infos) and jd_tmp_ref (COPY). */
static int copy_identities(pgs *p, const jd_identity_save *refs, size_t nrefs,
                           const jd_identity_info *info, size_t ninfo,
                           const jd_note_maker *notes, jd_error *err)
{
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    int rc = copy_infos(p, &b, info, ninfo, notes, err);
    jd_buf kt = JD_BUF_INIT(SIZE_MAX);
    const char *kx = NULL;
    for (size_t i = 0; i < nrefs && rc == JD_OK; i++)
        if ((rc = jd_pg__cp_str(&b, refs[i].agency, '\t')) < 0 ||
            (rc = jd_pg__cp_str(&b, refs[i].person_ref, '\t')) < 0 ||
            (rc = jd_pg__cp_str(&b, refs[i].person_id, '\t')) < 0 ||
            (rc = refs[i].fp ? jd_pg__cp_int(&b, refs[i].fp, '\t')
                             : jd_pg__cp_str(&b, NULL, '\t')) < 0 ||
            (rc = jd_pg__cp_str(&b, refs[i].nbr, '\t')) < 0 ||
            (rc = keys_text(&kt, &refs[i], &kx)) < 0 || (rc = jd_pg__cp_str(&b, kx, '\n')) < 0)
            rc = jd_error_set(err, rc, "out of memory");
    if (rc == JD_OK)
        rc = jd_pg__copy(p,
                         "COPY jd_tmp_ref(agency, person_ref, person_id, fp, nbr, keys)"
                         " FROM STDIN",
                         b.ptr, b.len, err);
    jd_buf_dispose(&b);
    jd_buf_dispose(&kt);
    return rc;
}

/* Refuse a person_id given twice and a ref whose person_id has no
 * identity, before anything is written. */
static int check_identities(pgs *p, jd_error *err)
{
    int rc;
    PGresult *r = NULL;
    if ((rc = jd_pg__run(p,
                         "SELECT person_id FROM jd_tmp_identity GROUP BY person_id"
                         " HAVING count(*) > 1 LIMIT 1",
                         NULL, &r, err)) < 0)
        return rc;
    if (PQntuples(r)) {
        rc = jd_error_set(err, JD_EINVALID, "person_id %s given twice", PQgetvalue(r, 0, 0));
        PQclear(r);
        return rc;
    }
    PQclear(r);
    if ((rc = jd_pg__run(p,
                         "SELECT t.agency, t.person_ref, t.person_id FROM jd_tmp_ref t"
                         " WHERE NOT EXISTS (SELECT 1 FROM jd_tmp_identity x"
                         " WHERE x.person_id = t.person_id) LIMIT 1",
                         NULL, &r, err)) < 0)
        return rc;
    if (PQntuples(r)) {
        rc = jd_error_set(err, JD_EINVALID, "ref %s:%s names person_id %s, which has no identity",
                          PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
        PQclear(r);
        return rc;
    }
    PQclear(r);
    return JD_OK;
}

/* ref_key, the blocking keys of resolved refs, one row a key (see
 * sqlite.c): a full resolve replaces all of it by COPY; an update takes
 * each ref that carries keys out of the rows of the keys it had (on its
 * identity_ref row, decimal text) and puts it into those of its keys. */
typedef struct list_ctx {
    pgs *p;
    jd_buf b;
    jd_error *err;
} list_ctx;

static int copy_list(uint64_t key, const char *list, size_t len, void *payload)
{
    list_ctx *c = payload;
    jd_buf one = JD_BUF_INIT(SIZE_MAX);
    int rc = jd_buf_add(&one, list, len) == JD_OK ? JD_OK : JD_ENOMEM;
    if (rc == JD_OK && (jd_pg__cp_int(&c->b, (int64_t)key, '\t') < 0 ||
                        jd_pg__cp_str(&c->b, jd_buf_cstr(&one), '\n') < 0))
        rc = JD_ENOMEM;
    jd_buf_dispose(&one);
    if (rc == JD_OK && c->b.len >= (8u << 20)) { /* in chunks: memory stays flat */
        rc = jd_pg__copy(c->p, "COPY ref_key(key, refs) FROM STDIN", c->b.ptr, c->b.len, c->err);
        jd_buf_reset(&c->b);
    }
    return rc;
}

static int keys_replace(pgs *p, const jd_identity_save *refs, size_t nrefs, jd_error *err)
{
    int rc = jd_pg__exec(p, "TRUNCATE ref_key", err);
    list_ctx c = {p, JD_BUF_INIT(SIZE_MAX), err};
    size_t total = 0;
    if (rc == JD_OK && (rc = jd_store__key_lists(refs, nrefs, copy_list, &c, &total)) == JD_ENOMEM)
        rc = jd_oom(err);
    if (rc == JD_OK && c.b.len)
        rc = jd_pg__copy(p, "COPY ref_key(key, refs) FROM STDIN", c.b.ptr, c.b.len, err);
    jd_buf_dispose(&c.b);
    if (rc == JD_OK)
        rc = jd_pg__exec(p,
                         total ? "INSERT INTO meta(key, value) VALUES ('ref_keys', '1')"
                                 " ON CONFLICT(key) DO NOTHING"
                               : "DELETE FROM meta WHERE key = 'ref_keys'",
                         err);
    return rc;
}

/* One key's row after its edits (jd_store__key_edits_apply): read once,
 * written once (deleted when no ref is left). */
static int key_edit(pgs *p, const jd_key_edits *e, size_t from, size_t to,
                    const jd_identity_save *refs, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, (int64_t)e->v[from].key);
    PGresult *res = NULL;
    int rc = jd_pg__run(p, "SELECT refs FROM ref_key WHERE key = $1", &pp, &res, err);
    if (rc < 0)
        return rc;
    jd_buf list = JD_BUF_INIT(SIZE_MAX);
    if (PQntuples(res) && jd_buf_adds(&list, PQgetvalue(res, 0, 0)) != JD_OK)
        rc = jd_oom(err);
    PQclear(res);
    if (rc == JD_OK && jd_store__key_edits_apply(&list, e->v, from, to, refs) != JD_OK)
        rc = jd_oom(err);
    if (rc == JD_OK && list.len) {
        pgp_text(&pp, jd_buf_cstr(&list));
        rc = jd_pg__do(p,
                       "INSERT INTO ref_key(key, refs) VALUES ($1, $2)"
                       " ON CONFLICT(key) DO UPDATE SET refs = excluded.refs",
                       &pp, NULL, err);
    } else if (rc == JD_OK) {
        rc = jd_pg__do(p, "DELETE FROM ref_key WHERE key = $1", &pp, NULL, err);
    }
    jd_buf_dispose(&list);
    return rc;
}

/* The refs' edits (the keys each had, on its row not yet rewritten,
 * against its keys now), then each key's row edited once. */
static int keys_update(pgs *p, const jd_identity_update *u, jd_error *err)
{
    int rc = JD_OK;
    jd_key_edits e = {0};
    for (size_t i = 0; rc == JD_OK && i < u->nrefs; i++) {
        const jd_identity_save *r = &u->refs[i];
        if (!r->keys)
            continue;
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, r->agency);
        pgp_text(&pp, r->person_ref);
        PGresult *res = NULL;
        if ((rc = jd_pg__run(p,
                             "SELECT keys FROM identity_ref WHERE agency = $1 AND person_ref = $2",
                             &pp, &res, err)) < 0)
            break;
        uint64_t *had = NULL;
        size_t nh = 0;
        if (jd_store__keys_parse(PQntuples(res) ? jd_pg__opt(res, 0, 0) : NULL, &had, &nh) < 0 ||
            jd_store__key_edits_add(&e, u->refs, (uint32_t)i, had, nh) != JD_OK)
            rc = jd_oom(err);
        PQclear(res);
        free(had);
    }
    jd_store__key_edits_sort(&e);
    for (size_t a = 0, b; rc == JD_OK && a < e.n; a = b) {
        for (b = a + 1; b < e.n && e.v[b].key == e.v[a].key; b++)
            ;
        rc = key_edit(p, &e, a, b, u->refs, err);
    }
    free(e.v);
    return rc;
}

/*
 * A first large save (nrefs at least BULK_MIN_ROWS and twice the rows
 * identity_ref holds: the rule of a first large load, pg_bulk_defer) fills
 * identity_ref and identity_note without their indexes and foreign keys and
 * builds them once at the end (save_restore). Row by row, each ref cost a
 * foreign-key check (a query and a row lock on identity) and two B-tree
 * inserts: the foreign-key triggers alone were half of identity_ref's
 * insert on the 1M county (EXPLAIN ANALYZE: 42.6 of 81.9 s under load).
 * The server writes the DROPs and the ADDs from the catalogue, so the
 * rebuilt definitions are the migrated ones; ADD CONSTRAINT checks every
 * row again, and a failure rolls the save back. An index that something
 * else needs (pg_depend, but its own constraint) is kept, filled row by
 * row. Deferral needs ACCESS EXCLUSIVE on both tables and on identity
 * (dropping a foreign key takes it on the table referenced) and ref_key
 * (its TRUNCATE below), all at once and without waiting (defer_locks): the
 * save never waits for a reader while it holds them. Until commit, readers
 * of those tables wait for the save (the server's requests time out at
 * 10 s); when a reader holds one, the save keeps every index, as before,
 * and readers keep reading the last identities.
 */
#define SAVE_KEYS_SQL                                                                              \
    "SELECT 0, format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, c.conname),"                \
    " format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, c.conname,"                       \
    " pg_get_constraintdef(c.oid)), c.conname FROM pg_constraint c"                               \
    " JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f'"                                \
    " AND t.relnamespace = current_schema()::regnamespace"                                       \
    " AND t.relname IN ('identity_ref', 'identity_note') UNION ALL"                               \
    " SELECT 1," IDX_DROP_SQL "," IDX_ADD_SQL ", i.relname" IDX_FROM_SQL                          \
    " AND t.relname IN ('identity_ref', 'identity_note')"                                         \
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE"                                            \
    " ((d.refclassid = 'pg_class'::regclass AND d.refobjid = x.indexrelid)"                       \
    " OR (d.refclassid = 'pg_constraint'::regclass AND d.refobjid = con.oid))"                    \
    " AND NOT (d.classid = 'pg_class'::regclass AND d.objid = x.indexrelid))"                     \
    " ORDER BY 1, 4"

/* The DROPs (foreign keys first) run; *restore gets the ADDs (indexes
 * first), empty when the save keeps them. */
static int save_defer(pgs *p, size_t nrefs, jd_buf *restore, jd_error *err)
{
    if (nrefs < BULK_MIN_ROWS)
        return JD_OK;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, (int64_t)(nrefs / 2));
    PGresult *r;
    int rc = jd_pg__run(p, "SELECT count(*) FROM (SELECT 1 FROM identity_ref LIMIT $1) x", &pp,
                        &r, err);
    if (rc < 0)
        return rc;
    bool got = jd_pg__i64(r, 0, 0) < (int64_t)(nrefs / 2);
    PQclear(r);
    if (!got || (rc = defer_locks(p,
                                  "LOCK TABLE identity_ref, identity_note, identity, ref_key"
                                  " IN ACCESS EXCLUSIVE MODE NOWAIT",
                                  "DO $$BEGIN RAISE LOG 'joindots resolve: a reader holds"
                                  " identity, identity_ref, identity_note or ref_key; the save"
                                  " keeps their indexes (no deferral)'; END$$",
                                  &got, err)) < 0 ||
        !got || (rc = jd_pg__run(p, SAVE_KEYS_SQL, NULL, &r, err)) < 0)
        return rc;
    jd_buf drop = JD_BUF_INIT(SIZE_MAX), fk = JD_BUF_INIT(SIZE_MAX);
    for (int i = 0; i < PQntuples(r) && rc == JD_OK; i++) {
        bool is_fk = strcmp(PQgetvalue(r, i, 0), "0") == 0;
        if (jd_buf_printf(&drop, "%s;", PQgetvalue(r, i, 1)) != JD_OK ||
            jd_buf_printf(is_fk ? &fk : restore, "%s;", PQgetvalue(r, i, 2)) != JD_OK)
            rc = jd_oom(err);
    }
    PQclear(r);
    if (rc == JD_OK && fk.len && jd_buf_adds(restore, jd_buf_cstr(&fk)) != JD_OK)
        rc = jd_oom(err);
    if (rc == JD_OK && drop.len)
        rc = jd_pg__exec(p, jd_buf_cstr(&drop), err);
    jd_buf_dispose(&drop);
    jd_buf_dispose(&fk);
    return rc;
}

/* The indexes and foreign keys save_defer dropped, built once. */
static int save_restore(pgs *p, const jd_buf *restore, jd_error *err)
{
    if (!restore->len)
        return JD_OK;
    int rc = jd_pg__exec(p, "SET LOCAL maintenance_work_mem = '256MB'", err);
    return rc < 0 ? rc : jd_pg__exec(p, jd_buf_cstr(restore), err);
}

static int pg_identities_replace(jd_store *s, const jd_identity_save *refs, size_t nrefs,
                                 const jd_identity_info *info, size_t ninfo,
                                 const jd_note_maker *notes, const char *model_json,
                                 int64_t candidate_pairs, int64_t links,
                                 jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "identities replaced inside another transaction");
    int rc = jd_pg__begin(p, err);
    if (rc < 0)
        return rc;
    int64_t now = jd_pg__now();
    jd_buf restore = JD_BUF_INIT(SIZE_MAX);
    if ((rc = jd_pg__lock(p, JD_PG_LOCK_RESOLVE, err)) < 0 ||
        (rc = save_defer(p, nrefs, &restore, err)) < 0)
        goto out;
    if ((rc = jd_pg__exec(p,
                          "CREATE TEMP TABLE jd_tmp_identity(ord bigint, person_id ctext,"
                          " display_name ctext, dob ctext, is_child integer, note ctext)"
                          " ON COMMIT DROP;"
                          "CREATE TEMP TABLE jd_tmp_ref(agency ctext, person_ref ctext,"
                          " person_id ctext, fp bigint, nbr ctext, keys ctext) ON COMMIT DROP;"
                          "DELETE FROM identity_ref; DELETE FROM identity_note;",
                          err)) < 0)
        goto out;
    if ((rc = copy_identities(p, refs, nrefs, info, ninfo, notes, err)) < 0)
        goto out;
    /* Temporary tables have no statistics until analysed: without them the
     * planner chose nested loops over 700k x 700k rows on the 1M county. */
    if ((rc = jd_pg__exec(p, "ANALYZE jd_tmp_identity; ANALYZE jd_tmp_ref", err)) < 0)
        goto out;
    if ((rc = check_identities(p, err)) < 0)
        goto out;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, now);
    if ((rc = jd_pg__do(p,
                        "INSERT INTO identity(person_id, display_name, dob, is_child,"
                        " created_at, updated_at) SELECT person_id, display_name, dob, is_child,"
                        " $1::bigint, $1::bigint FROM jd_tmp_identity ORDER BY ord"
                        " ON CONFLICT(person_id) DO UPDATE SET"
                        " display_name = excluded.display_name, dob = excluded.dob,"
                        " is_child = excluded.is_child, updated_at = excluded.updated_at",
                        &pp, NULL, err)) < 0)
        goto out;
    if ((rc = jd_pg__exec(p,
                          "INSERT INTO identity_ref(agency, person_ref, identity_id, fp, nbr,"
                          " keys) SELECT t.agency, t.person_ref, i.id, t.fp, t.nbr, t.keys"
                          " FROM jd_tmp_ref t"
                          " JOIN identity i ON i.person_id = t.person_id;"
                          "INSERT INTO identity_note(identity_id, note) SELECT i.id, t.note"
                          " FROM jd_tmp_identity t JOIN identity i ON i.person_id = t.person_id"
                          " WHERE t.note IS NOT NULL ORDER BY t.ord;"
                          "DELETE FROM identity WHERE NOT EXISTS (SELECT 1 FROM identity_ref r"
                          " WHERE r.identity_id = identity.id);",
                          err)) < 0 ||
        (rc = save_restore(p, &restore, err)) < 0 ||
        (rc = jd_pg__exec(p, "ANALYZE identity; ANALYZE identity_ref", err)) < 0)
        goto out;
    if ((rc = keys_replace(p, refs, nrefs, err)) < 0)
        goto out;
    pp.n = 0;
    pgp_int(&pp, now);
    pgp_int(&pp, (int64_t)nrefs);
    pgp_int(&pp, candidate_pairs);
    pgp_int(&pp, links);
    pgp_int(&pp, (int64_t)ninfo);
    pgp_text(&pp, model_json);
    rc = jd_pg__do(p,
                   "INSERT INTO resolve_run(started_at, finished_at, mode, refs,"
                   " candidate_pairs, links, identities, model) VALUES"
                   " ($1, $1, 'full', $2, $3, $4, $5, $6)",
                   &pp, NULL, err);
out:
    jd_buf_dispose(&restore);
    return jd_pg__end(p, rc, err);
}

static int cmp_pstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The person_ids of an update sorted into *out (free it), each once:
 * JD_EINVALID for one given twice. They were checked pair by pair, and
 * each ref's against every one: at 1M a feed's scope of about 80,000
 * identities and 48,000 refs written took billions of comparisons. */
static int pgu_sorted_ids(const jd_identity_update *u, const char ***out, jd_error *err)
{
    const char **v = malloc((u->ninfo + 1) * sizeof *v);
    if (!v)
        return jd_oom(err);
    for (size_t i = 0; i < u->ninfo; i++)
        v[i] = u->info[i].person_id;
    qsort(v, u->ninfo, sizeof *v, cmp_pstr);
    for (size_t i = 1; i < u->ninfo; i++)
        if (!strcmp(v[i - 1], v[i])) {
            int rc = jd_error_set(err, JD_EINVALID, "person_id %s given twice", v[i]);
            free(v);
            return rc;
        }
    *out = v;
    return JD_OK;
}

/* Each identity of an update: its row upserted and its notes replaced,
 * only where they differ (most of a scope is re-resolved to what it was). */
static int pgu_identities(pgs *p, const jd_identity_update *u, int64_t now, jd_error *err)
{
    int rc = JD_OK;
    for (size_t i = 0; rc == JD_OK && i < u->ninfo; i++) {
        const jd_identity_info *in = &u->info[i];
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, in->person_id);
        pgp_text(&pp, in->display_name);
        pgp_text(&pp, in->dob);
        pgp_int(&pp, in->is_child);
        pgp_int(&pp, now);
        rc = jd_pg__do(p,
                       "INSERT INTO identity(person_id, display_name, dob, is_child,"
                       " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
                       " ON CONFLICT(person_id) DO UPDATE SET display_name = $2, dob = $3,"
                       " is_child = $4, updated_at = $5"
                       " WHERE identity.display_name IS DISTINCT FROM excluded.display_name"
                       " OR identity.dob IS DISTINCT FROM excluded.dob"
                       " OR identity.is_child <> excluded.is_child",
                       &pp, NULL, err);
        pp.n = 1;
        pgp_text(&pp, in->note);
        if (rc == JD_OK)
            rc = jd_pg__do(p,
                           "DELETE FROM identity_note WHERE identity_id ="
                           " (SELECT id FROM identity WHERE person_id = $1)"
                           " AND note IS DISTINCT FROM $2::ctext",
                           &pp, NULL, err);
        if (rc == JD_OK && in->note)
            rc = jd_pg__do(p,
                           "INSERT INTO identity_note(identity_id, note) SELECT i.id, $2::ctext"
                           " FROM identity i WHERE i.person_id = $1 AND NOT EXISTS"
                           " (SELECT 1 FROM identity_note n WHERE n.identity_id = i.id"
                           " AND n.note = $2::ctext)",
                           &pp, NULL, err);
    }
    return rc;
}

/* The refs of an update, each to its identity (one of info[]: ids, the
 * sorted person_ids). */
static int pgu_refs(pgs *p, const jd_identity_update *u, const char *const *ids, jd_error *err)
{
    int rc = JD_OK;
    jd_buf kt = JD_BUF_INIT(SIZE_MAX);
    for (size_t i = 0; rc == JD_OK && i < u->nrefs; i++) {
        const jd_identity_save *r = &u->refs[i];
        if (!bsearch(&r->person_id, ids, u->ninfo, sizeof *ids, cmp_pstr)) {
            rc = jd_error_set(err, JD_EINVALID, "a ref names person_id %s, which is not updated",
                              r->person_id);
            break;
        }
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, r->agency);
        pgp_text(&pp, r->person_ref);
        pgp_text(&pp, r->person_id);
        pgp_opt_int(&pp, r->fp, r->fp != 0);
        pgp_text(&pp, r->nbr);
        const char *kx = NULL;
        if (keys_text(&kt, r, &kx) < 0) {
            rc = jd_oom(err);
            break;
        }
        pgp_text(&pp, kx);
        rc = jd_pg__do(p,
                       "INSERT INTO identity_ref(agency, person_ref, identity_id, fp, nbr, keys)"
                       " SELECT $1, $2, id, $4, $5, $6 FROM identity WHERE person_id = $3"
                       " ON CONFLICT(agency, person_ref) DO UPDATE"
                       " SET identity_id = excluded.identity_id, fp = excluded.fp,"
                       " nbr = excluded.nbr, keys = coalesce(excluded.keys, identity_ref.keys)",
                       &pp, NULL, err);
    }
    jd_buf_dispose(&kt);
    return rc;
}

/* Identities left with no ref deleted; the run and its changes recorded. */
static int pgu_finish(pgs *p, const jd_identity_update *u, int64_t now, jd_error *err)
{
    int rc = JD_OK;
    for (size_t i = 0; rc == JD_OK && i < u->ngone; i++) {
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, u->gone[i]);
        int64_t n = 0;
        rc = jd_pg__do(p,
                       "DELETE FROM identity_note WHERE identity_id ="
                       " (SELECT id FROM identity WHERE person_id = $1)",
                       &pp, NULL, err);
        if (rc == JD_OK)
            rc = jd_pg__do(p,
                           "DELETE FROM identity WHERE person_id = $1 AND NOT EXISTS"
                           " (SELECT 1 FROM identity_ref r WHERE r.identity_id = identity.id)",
                           &pp, &n, err);
        if (rc == JD_OK && n != 1)
            rc = jd_error_set(err, JD_EINVALID, "identity %s is not gone: refs still name it",
                              u->gone[i]);
    }
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, now);
    pgp_int(&pp, u->refs_total);
    pgp_int(&pp, u->candidate_pairs);
    pgp_int(&pp, u->links);
    pgp_int(&pp, u->identities_total);
    PGresult *r = NULL;
    if (rc == JD_OK &&
        (rc = jd_pg__run(p,
                         "INSERT INTO resolve_run(started_at, finished_at, mode, refs,"
                         " candidate_pairs, links, identities) VALUES"
                         " ($1, $1, 'incremental', $2, $3, $4, $5) RETURNING id",
                         &pp, &r, err)) == JD_OK) {
        int64_t run = jd_pg__i64(r, 0, 0);
        PQclear(r);
        if (u->run_id)
            *u->run_id = run;
        for (size_t i = 0; rc == JD_OK && i < u->nchanges; i++) {
            pp.n = 0;
            pgp_int(&pp, run);
            pgp_text(&pp, u->changes[i].person_id);
            pgp_int(&pp, u->changes[i].how);
            pgp_text(&pp, u->changes[i].other);
            rc = jd_pg__do(p,
                           "INSERT INTO identity_change(run_id, person_id, how, other)"
                           " VALUES ($1, $2, $3, $4)",
                           &pp, NULL, err);
        }
    }
    return rc;
}

static int pg_identities_update(jd_store *s, const jd_identity_update *u, jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "identities updated inside another transaction");
    int rc = jd_pg__begin(p, err);
    if (rc < 0)
        return rc;
    int64_t now = jd_pg__now();
    const char **ids = NULL;
    if ((rc = pgu_sorted_ids(u, &ids, err)) == JD_OK &&
        (rc = jd_pg__lock(p, JD_PG_LOCK_RESOLVE, err)) == JD_OK &&
        (rc = pgu_identities(p, u, now, err)) == JD_OK &&
        (rc = keys_update(p, u, err)) == JD_OK && /* reads the refs' old keys off their rows */
        (rc = pgu_refs(p, u, ids, err)) == JD_OK)
        rc = pgu_finish(p, u, now, err);
    free(ids);
    return jd_pg__end(p, rc, err);
}

static int pg_model_load(jd_store *s, char **out, jd_error *err)
{
    *out = NULL;
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT model FROM resolve_run WHERE model IS NOT NULL"
                        " ORDER BY id DESC LIMIT 1",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r) == 1 && !(*out = strdup(PQgetvalue(r, 0, 0))))
        rc = jd_oom(err);
    PQclear(r);
    return rc;
}

/* ---- analysis ---- */

int jd_pg__an_identity(const PGresult *r, void *payload)
{
    jd_pg_an_ctx *c = payload;
    jd_an_identity_row row = {jd_pg__txt(r, 0, 0), jd_pg__opt(r, 0, 1), jd_pg__opt(r, 0, 2),
                              jd_pg__i64(r, 0, 3) != 0};
    return c->cb->identity(&row, c->payload);
}

int jd_pg__an_event(const PGresult *r, void *payload)
{
    jd_pg_an_ctx *c = payload;
    if (c->cb->want && !c->cb->want(jd_pg__i64(r, 0, 0), c->payload))
        return 0;
    jd_an_event_row e = {
        .id = jd_pg__i64(r, 0, 0), .agency = jd_pg__txt(r, 0, 1),
        .record_id = jd_pg__txt(r, 0, 2), .event_type = jd_pg__txt(r, 0, 3),
        .occurred_at = jd_pg__i64(r, 0, 4), .reported_at = jd_pg__i64(r, 0, 5),
        .known_at = jd_pg__i64(r, 0, 6), .occurred_prec = (int)jd_pg__i64(r, 0, 7),
        .location = jd_pg__opt(r, 0, 8), .postcode = jd_pg__opt(r, 0, 9),
        .narrative = jd_pg__opt(r, 0, 10), .crime_ref = jd_pg__opt(r, 0, 11),
        .outcome = jd_pg__opt(r, 0, 12), .author_role = jd_pg__opt(r, 0, 13),
        .risk_grade = jd_pg__opt(r, 0, 14),
        .crime_recorded = PQgetisnull(r, 0, 15) ? -1 : (int)jd_pg__i64(r, 0, 15)};
    return c->cb->event(&e, c->payload);
}

int jd_pg__an_mention(const PGresult *r, void *payload)
{
    jd_pg_an_ctx *c = payload;
    if (c->cb->want && !c->cb->want(jd_pg__i64(r, 0, 0), c->payload))
        return 0;
    jd_an_mention_row m = {
        .event_id = jd_pg__i64(r, 0, 0), .agency = jd_pg__txt(r, 0, 1),
        .person_ref = jd_pg__txt(r, 0, 2), .role = jd_pg__txt(r, 0, 3),
        .person_id = jd_pg__opt(r, 0, 4), .dob = jd_pg__opt(r, 0, 5),
        .dob_prec = (int)jd_pg__i64(r, 0, 6),
        .age = PQgetisnull(r, 0, 7) ? -1 : (int)jd_pg__i64(r, 0, 7),
        .name = jd_pg__txt(r, 0, 8), .id_child = -1};
    if (PQnfields(r) >= 12 && !PQgetisnull(r, 0, 11)) {
        m.id_name = jd_pg__opt(r, 0, 9);
        m.id_dob = jd_pg__opt(r, 0, 10);
        m.id_child = jd_pg__i64(r, 0, 11) != 0;
    }
    return c->cb->mention(&m, c->payload);
}

/* jd_an_callbacks.mention_refs: the event, agency and ref of a mention. */
static int an_mention_ref(const PGresult *r, void *payload)
{
    jd_pg_an_ctx *c = payload;
    if (c->cb->want && !c->cb->want(jd_pg__i64(r, 0, 0), c->payload))
        return 0;
    jd_an_mention_row m = {.event_id = jd_pg__i64(r, 0, 0), .agency = jd_pg__txt(r, 0, 1),
                           .person_ref = jd_pg__txt(r, 0, 2), .age = -1};
    return c->cb->mention(&m, c->payload);
}

int jd_pg__an_object(const PGresult *r, void *payload)
{
    jd_pg_an_ctx *c = payload;
    if (c->cb->want && !c->cb->want(jd_pg__i64(r, 0, 0), c->payload))
        return 0;
    jd_an_object_row o = {jd_pg__i64(r, 0, 0), jd_pg__txt(r, 0, 1), jd_pg__txt(r, 0, 2),
                          jd_pg__opt(r, 0, 3), jd_pg__opt(r, 0, 4), jd_pg__i64(r, 0, 5) != 0};
    return c->cb->object(&o, c->payload);
}

/* A partition's load (jd_an_callbacks.want): the wanted event ids into
 * the temporary table jd_part_ev, so the queries join it and the server
 * sends only the partition's rows. */
typedef struct part_fill {
    const jd_an_callbacks *cb;
    void *payload;
    jd_buf b;
} part_fill;

static int part_id(const PGresult *r, void *payload)
{
    part_fill *f = payload;
    int64_t id = jd_pg__i64(r, 0, 0);
    return f->cb->want(id, f->payload) ? jd_pg__cp_int(&f->b, id, '\n') : 0;
}

static int part_fill_ids(pgs *p, const jd_an_callbacks *cb, void *payload,
                         const jd_pg_params *pp, jd_error *err)
{
    part_fill f = {cb, payload, JD_BUF_INIT(SIZE_MAX)};
    int rc = jd_pg__exec(p, "TRUNCATE jd_part_ev", err);
    if (rc == JD_OK)
        rc = jd_pg__stream(p, "SELECT id FROM event WHERE known_at <= $1", pp, part_id, &f,
                           err);
    if (rc == JD_ENOMEM)
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
    if (rc == JD_OK && f.b.len)
        rc = jd_pg__copy(p, "COPY jd_part_ev(id) FROM STDIN", f.b.ptr, f.b.len, err);
    if (rc == JD_OK)
        rc = jd_pg__exec(p, "ANALYZE jd_part_ev", err);
    jd_buf_dispose(&f.b);
    return rc;
}

#define AN_EV_COLS                                                                                 \
    "SELECT e.id, e.agency, e.record_id, e.event_type, e.occurred_at, e.reported_at,"              \
    " e.known_at, e.occurred_prec, e.location, e.postcode, e.narrative, e.crime_ref,"              \
    " e.outcome, e.author_role, e.risk_grade, e.crime_recorded FROM event e"
#define AN_PM_COLS                                                                                 \
    "SELECT pm.event_id, pm.agency, pm.person_ref, pm.role, i.person_id,"                          \
    " pm.dob, pm.dob_prec, pm.age,"                                                                \
    " trim(coalesce(pm.forenames, '') || ' ' || coalesce(pm.surname, '')),"                        \
    " i.display_name, i.dob, i.is_child FROM person_mention pm"
#define AN_PM_IDS                                                                                  \
    " JOIN event e ON e.id = pm.event_id"                                                          \
    " LEFT JOIN identity_ref ir ON ir.agency = pm.agency AND ir.person_ref = pm.person_ref"        \
    " LEFT JOIN identity i ON i.id = ir.identity_id WHERE e.known_at <= $1 ORDER BY pm.id"
#define AN_OM_COLS                                                                                 \
    "SELECT om.event_id, om.object_type, om.value_norm, om.description,"                           \
    " om.person_ref, om.value_valid FROM object_mention om"
#define AN_OM_EV " JOIN event e ON e.id = om.event_id WHERE e.known_at <= $1 ORDER BY om.id"
#define PART " JOIN jd_part_ev t ON t.id = "

/* The events, mentions and objects (of the partition's events with
 * part), each query when its callback is given. */
static int pg_an_rows(pgs *p, const jd_an_callbacks *cb, jd_pg_an_ctx *c, const jd_pg_params *pp,
                      bool part, jd_error *err)
{
    int rc = JD_OK;
    if (cb->event)
        rc = jd_pg__stream(p,
                           part ? AN_EV_COLS PART "e.id WHERE e.known_at <= $1 ORDER BY e.id"
                                : AN_EV_COLS " WHERE e.known_at <= $1 ORDER BY e.id",
                           pp, jd_pg__an_event, c, err);
    if (rc == JD_OK && cb->mention && cb->mention_refs)
        rc = jd_pg__stream(p,
                           "SELECT pm.event_id, pm.agency, pm.person_ref FROM person_mention pm"
                           " JOIN event e ON e.id = pm.event_id WHERE e.known_at <= $1"
                           " ORDER BY pm.id",
                           pp, an_mention_ref, c, err);
    else if (rc == JD_OK && cb->mention)
        rc = jd_pg__stream(p, part ? AN_PM_COLS PART "pm.event_id" AN_PM_IDS : AN_PM_COLS AN_PM_IDS,
                           pp, jd_pg__an_mention, c, err);
    if (rc == JD_OK && cb->object)
        rc = jd_pg__stream(p, part ? AN_OM_COLS PART "om.event_id" AN_OM_EV : AN_OM_COLS AN_OM_EV,
                           pp, jd_pg__an_object, c, err);
    return rc;
}
#undef AN_EV_COLS
#undef AN_PM_COLS
#undef AN_PM_IDS
#undef AN_OM_COLS
#undef AN_OM_EV
#undef PART

static int pg_analysis_load(jd_store *s, int64_t as_of, const jd_an_callbacks *cb,
                            void *payload, jd_error *err)
{
    pgs *p = s->impl;
    jd_pg_an_ctx c = {cb, payload};
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, as_of);
    /* One snapshot for the four reads, as SQLite's single reader sees.
     * Mentions and objects in row order, as SQLite's scan gives them: the
     * callbacks accept any order, but the order of the refs inside an
     * alert follows it, and both backends should write the same bytes.
     * A partition's load writes its temporary table: not read only. */
    bool own = !p->in_tx;
    int rc = cb->want ? jd_pg__exec(p, "CREATE TEMP TABLE IF NOT EXISTS jd_part_ev"
                                       "(id bigint PRIMARY KEY)",
                                    err)
                      : JD_OK;
    if (rc == JD_OK && own)
        rc = jd_pg__exec(p,
                         cb->want ? "BEGIN ISOLATION LEVEL REPEATABLE READ"
                                  : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                         err);
    if (rc < 0)
        return rc;
    /* As sqlite.c: identities in the order of their first ref. A NULL
     * callback: no such query. */
    if (cb->identity)
        rc = jd_pg__stream(p,
                       "SELECT i.person_id, i.display_name, i.dob, i.is_child FROM identity i"
                       " JOIN (SELECT identity_id, min(agency || chr(31) || person_ref) AS k"
                       " FROM identity_ref GROUP BY identity_id) f ON f.identity_id = i.id"
                       " ORDER BY f.k",
                       NULL, jd_pg__an_identity, &c, err);
    if (rc == JD_OK && cb->want)
        rc = part_fill_ids(p, cb, payload, &pp, err);
    if (rc == JD_OK)
        rc = pg_an_rows(p, cb, &c, &pp, cb->want != NULL, err);
    if (own)
        (void)jd_pg__exec(p, rc == JD_OK ? "COMMIT" : "ROLLBACK", NULL);
    return rc;
}

static int pg_alerts_replace(jd_store *s, int64_t as_of, int64_t events, const jd_alert_save *a,
                             size_t n, jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "alerts replaced inside another transaction");
    int rc = jd_pg__begin(p, err);
    if (rc < 0)
        return rc;
    int64_t run = 0;
    jd_buf b = JD_BUF_INIT(SIZE_MAX);
    if ((rc = jd_pg__lock(p, JD_PG_LOCK_ANALYSE, err)) < 0)
        goto out;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, jd_pg__now());
    pgp_opt_int(&pp, as_of, as_of != INT64_MAX);
    pgp_int(&pp, events);
    pgp_int(&pp, (int64_t)n);
    if ((rc = returning_id(p,
                           "INSERT INTO analysis_run(started_at, finished_at, as_of, events,"
                           " alerts) VALUES ($1, $1, $2, $3, $4) RETURNING id",
                           &pp, &run, err)) < 0 ||
        (rc = jd_pg__exec(p, "DELETE FROM alert", err)) < 0)
        goto out;
    for (size_t i = 0; i < n && rc == JD_OK; i++)
        if ((rc = jd_pg__cp_str(&b, a[i].id, '\t')) < 0 || (rc = jd_pg__cp_int(&b, run, '\t')) < 0 ||
            (rc = jd_pg__cp_str(&b, a[i].kind, '\t')) < 0 ||
            (rc = jd_pg__cp_str(&b, a[i].level, '\t')) < 0 ||
            (rc = jd_pg__cp_str(&b, a[i].subject, '\t')) < 0 ||
            (rc = jd_pg__cp_int(&b, a[i].raised_at, '\t')) < 0 ||
            (rc = jd_pg__cp_str(&b, a[i].doc, '\n')) < 0)
            rc = jd_error_set(err, rc, "out of memory");
    if (rc == JD_OK && b.len)
        rc = jd_pg__copy(p, "COPY alert(id, run_id, kind, level, subject, raised_at, doc)"
                            " FROM STDIN",
                         b.ptr, b.len, err);
out:
    jd_buf_dispose(&b);
    return jd_pg__end(p, rc, err);
}

typedef struct doc_ctx {
    jd_alert_doc_cb cb;
    void *payload;
} doc_ctx;

static int doc_row(const PGresult *r, void *payload)
{
    doc_ctx *c = payload;
    return c->cb(PQgetvalue(r, 0, 0), c->payload);
}

static int pg_alerts_read(jd_store *s, bool *ran, jd_alert_doc_cb cb, void *payload,
                          jd_error *err)
{
    *ran = false;
    PGresult *r;
    int rc = jd_pg__run(s->impl, "SELECT count(*) FROM analysis_run", NULL, &r, err);
    if (rc < 0)
        return rc;
    *ran = jd_pg__i64(r, 0, 0) > 0;
    PQclear(r);
    doc_ctx c = {cb, payload};
    return jd_pg__stream(s->impl, "SELECT doc FROM alert ORDER BY id", NULL, doc_row, &c, err);
}

static int pg_alerts_about(jd_store *s, const char *person_id, jd_alert_doc_cb cb,
                           void *payload, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, person_id);
    doc_ctx c = {cb, payload};
    return jd_pg__stream(s->impl,
                         "SELECT doc FROM (SELECT id, doc FROM alert WHERE subject = $1 UNION ALL"
                         " SELECT id, doc FROM alert WHERE subject = '' UNION ALL"
                         " SELECT id, doc FROM alert WHERE subject IS NULL) a ORDER BY id",
                         &pp, doc_row, &c, err);
}

typedef struct since_ctx {
    int (*cb)(const char *id, const char *doc, void *payload);
    void *payload;
} since_ctx;

static int since_row(const PGresult *r, void *payload)
{
    since_ctx *c = payload;
    return c->cb(PQgetvalue(r, 0, 0), PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1),
                 c->payload);
}

static int pg_alerts_since(jd_store *s, int64_t run,
                           int (*cb)(const char *id, const char *doc, void *payload),
                           void *payload, jd_error *err)
{
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, run);
    since_ctx c = {cb, payload};
    return jd_pg__stream(s->impl,
                         "SELECT id, CASE WHEN run_id > $1 THEN doc END FROM alert ORDER BY id",
                         &pp, since_row, &c, err);
}

static int pg_docs_replace(jd_store *s, const char *prefix, const jd_doc_save *d, size_t n,
                           jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "documents replaced inside another transaction");
    int rc = jd_pg__begin(p, err);
    if (rc < 0)
        return rc;
    jd_pg_params pp = {.n = 0};
    pgp_int(&pp, (int64_t)strlen(prefix));
    pgp_text(&pp, prefix);
    if ((rc = jd_pg__lock(p, JD_PG_LOCK_ANALYSE, err)) < 0 ||
        (rc = jd_pg__do(p, "DELETE FROM analysis_doc WHERE substr(name, 1, $1::int) = $2", &pp,
                        NULL, err)) < 0)
        goto out;
    for (size_t i = 0; i < n && rc == JD_OK; i++) {
        jd_pg_params dp = {.n = 0};
        pgp_text(&dp, d[i].name);
        pgp_text(&dp, d[i].doc);
        rc = jd_pg__do(p,
                       "INSERT INTO analysis_doc(name, run_id, ingest_gen, identity_gen, doc)"
                       " VALUES ($1, (SELECT max(id) FROM analysis_run),"
                       " (SELECT coalesce(max(id), 0) FROM ingest_run),"
                       " (SELECT coalesce(max(id), 0) FROM resolve_run), $2)",
                       &dp, NULL, err);
    }
out:
    return jd_pg__end(p, rc, err);
}

static int pg_doc_get(jd_store *s, const char *name, char **out, jd_doc_state *state,
                      jd_error *err)
{
    *out = NULL;
    *state = JD_DOC_NONE;
    jd_pg_params pp = {.n = 0};
    pgp_text(&pp, name);
    PGresult *r;
    int rc = jd_pg__run(s->impl,
                        "SELECT d.doc, (d.run_id = (SELECT max(id) FROM analysis_run) AND"
                        " (SELECT as_of FROM analysis_run WHERE id = d.run_id) IS NULL)::int,"
                        " (d.ingest_gen = (SELECT coalesce(max(id), 0) FROM ingest_run) AND"
                        " d.identity_gen = (SELECT coalesce(max(id), 0) FROM resolve_run))::int"
                        " FROM analysis_doc d WHERE d.name = $1",
                        &pp, &r, err);
    if (rc < 0)
        return rc;
    if (PQntuples(r)) {
        if (!(*out = strdup(jd_pg__txt(r, 0, 0))))
            rc = jd_oom(err);
        else
            *state = !jd_pg__i64(r, 0, 1)  ? JD_DOC_OLD
                     : jd_pg__i64(r, 0, 2) ? JD_DOC_CURRENT
                                           : JD_DOC_BEHIND;
    }
    PQclear(r);
    return rc;
}

/* The network registry (issue 17 item 2). */
typedef struct net_ctx {
    jd_network_row_cb cb;
    void *payload;
} net_ctx;

static int network_row(const PGresult *r, void *payload)
{
    net_ctx *c = payload;
    jd_network_row row = {jd_pg__txt(r, 0, 0), jd_pg__i64(r, 0, 1), jd_pg__i64(r, 0, 2),
                          jd_pg__i64(r, 0, 3), jd_pg__opt(r, 0, 4),  jd_pg__txt(r, 0, 5)};
    return c->cb(&row, c->payload);
}

static int pg_networks_read(jd_store *s, jd_network_row_cb cb, void *payload, jd_error *err)
{
    net_ctx c = {cb, payload};
    return jd_pg__stream(s->impl,
                         "SELECT id, seq, first_at, ended_at, merged_into, members"
                         " FROM network ORDER BY seq",
                         NULL, network_row, &c, err);
}

static int pg_networks_save(jd_store *s, const jd_network_row *r, size_t n,
                            const jd_network_change *c, size_t nc, jd_error *err)
{
    pgs *p = s->impl;
    if (p->in_tx)
        return jd_error_set(err, JD_EINVALID, "networks saved inside another transaction");
    int rc = jd_pg__begin(p, err);
    if (rc < 0)
        return rc;
    if ((rc = jd_pg__lock(p, JD_PG_LOCK_ANALYSE, err)) < 0 ||
        (rc = jd_pg__do(p, "DELETE FROM network", NULL, NULL, err)) < 0)
        goto out;
    for (size_t i = 0; i < n && rc == JD_OK; i++) {
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, r[i].id);
        pgp_int(&pp, r[i].seq);
        pgp_int(&pp, r[i].first_at);
        pgp_int(&pp, r[i].ended_at);
        pgp_text(&pp, r[i].merged_into);
        pgp_text(&pp, r[i].members);
        rc = jd_pg__do(p,
                       "INSERT INTO network(id, seq, first_at, ended_at, merged_into, members)"
                       " VALUES ($1, $2, $3, $4, $5, $6)",
                       &pp, NULL, err);
    }
    for (size_t i = 0; i < nc && rc == JD_OK; i++) {
        jd_pg_params pp = {.n = 0};
        pgp_text(&pp, c[i].network_id);
        pgp_text(&pp, c[i].how);
        pgp_text(&pp, c[i].other);
        pgp_int(&pp, c[i].at);
        rc = jd_pg__do(p,
                       "INSERT INTO network_change(run_id, network_id, how, other, at)"
                       " VALUES ((SELECT max(id) FROM analysis_run), $1, $2, $3, $4)",
                       &pp, NULL, err);
    }
out:
    return jd_pg__end(p, rc, err);
}

static const jd_store_ops pg_ops = {
    .name = "postgres",
    .close = pg_close,
    .schema_version = pg_schema_version,
    .meta_get = pg_meta_get,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .bulk_defer = pg_bulk_defer,
    .bulk_restore = pg_bulk_restore,
    .run_start = pg_run_start,
    .run_finish = pg_run_finish,
    .file_seen = pg_file_seen,
    .file_add = pg_file_add,
    .file_finish = pg_file_finish,
    .put_event = pg_put_event,
    .put_person = pg_put_person,
    .event_when = pg_event_when,
    .put_object = pg_put_object,
    .put_problem = pg_put_problem,
    .problems = pg_problems,
    .counts = pg_counts,
    .ref_exists = pg_ref_exists,
    .link_add = pg_link_add,
    .identity_rows = pg_identity_rows,
    .identity_refs = pg_identity_refs,
    .identity_generation = pg_identity_generation,
    .person_refs_now = pg_person_refs_now,
    .chronology = pg_chronology,
    .mentions = pg_mentions,
    .mentions_of = pg_mentions_of,
    .mentions_around = pg_mentions_around,
    .refs_by_keys = pg_refs_by_keys,
    .decisions = pg_decisions,
    .identities_replace = pg_identities_replace,
    .identities_update = pg_identities_update,
    .model_load = pg_model_load,
    .analysis_load = pg_analysis_load,
    .alerts_replace = pg_alerts_replace,
    .alerts_read = pg_alerts_read,
    .alerts_since = pg_alerts_since,
    .alerts_about = pg_alerts_about,
    .docs_replace = pg_docs_replace,
    .doc_get = pg_doc_get,
    .networks_read = pg_networks_read,
    .networks_save = pg_networks_save,
    .ethnicity_rows = pg_ethnicity_rows,
    .concern = &jd_pg_concern_ops,
    .account = &jd_pg_account_ops,
    .live = &jd_pg_live_ops,
    .incr = &jd_pg_incr_ops,
};

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* A password in the location would end up in shell history and process
 * lists: refuse it, and point to PGPASSFILE / PGPASSWORD. */
static int location_has_password(const char *location, bool *has, jd_error *err)
{
    char *msg = NULL;
    PQconninfoOption *o = PQconninfoParse(location, &msg);
    if (!o) {
        int rc = jd_error_set(err, JD_EINVALID, "bad PostgreSQL location: %s",
                              msg ? msg : "out of memory");
        PQfreemem(msg);
        return rc;
    }
    *has = false;
    for (PQconninfoOption *k = o; k->keyword; k++)
        if (!strcmp(k->keyword, "password") && k->val && *k->val)
            *has = true;
    PQconninfoFree(o);
    return JD_OK;
}

int jd_store__pg_open(jd_store **out, const char *location, const jd_store_opts *opts,
                      jd_error *err)
{
    bool pw = false;
    int rc = location_has_password(location, &pw, err);
    if (rc < 0)
        return rc;
    if (pw)
        return jd_error_set(err, JD_EINVALID,
                            "a password in the store location is refused: put it in the file"
                            " named by PGPASSFILE (or ~/.pgpass) or in PGPASSWORD");
    jd_store *s = calloc(1, sizeof *s);
    pgs *p = calloc(1, sizeof *p);
    if (!s || !p) {
        free(s);
        free(p);
        return jd_oom(err);
    }
    s->ops = &pg_ops;
    s->impl = p;
    jd_strmap_init(&p->prepared);
    jd_strmap_init(&p->loc);
    jd_buf_init(&p->key, 1u << 20);
    jd_buf_init(&p->keys_restore, SIZE_MAX);
    for (int i = 0; i < PG_CP_N; i++)
        jd_buf_init(&p->cp[i], SIZE_MAX);
    p->read_only = opts->read_only;
    p->c = PQconnectdb(location);
    if (!p->c || PQstatus(p->c) != CONNECTION_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s", p->c ? PQerrorMessage(p->c) : "out of memory");
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = '\0';
        rc = jd_error_set(err, JD_ESTORE, "cannot connect to PostgreSQL: %s", msg);
        goto out;
    }
    PQsetNoticeProcessor(p->c, quiet_notices, NULL);
    /* lock_timeout 10 s, as SQLite's busy timeout: a statement that waits
     * longer for a lock (the audit head held by a stuck writer) fails, and
     * the server answers 503 rather than hanging its worker. */
    if ((rc = jd_pg__exec(p,
                          "SET client_min_messages = warning; SET work_mem = '64MB';"
                          " SET TIME ZONE 'UTC'; SET lock_timeout = '10s'",
                          err)) < 0)
        goto out;
    int v = 0;
    if (opts->read_only) {
        if ((rc = jd_pg__exec(p, "SET default_transaction_read_only = on", err)) < 0 ||
            (rc = schema_version_of(p, &v, err)) < 0)
            goto out;
        if (v == 0) {
            rc = jd_error_set(err, JD_ENOTFOUND, "the database holds no joindots schema");
            goto out;
        }
        if (v > (int)JD_ARRAY_LEN(jd_pg_migrations)) {
            rc = jd_error_set(err, JD_EINVALID,
                              "database schema version %d is newer than this program (%d)", v,
                              (int)JD_ARRAY_LEN(jd_pg_migrations));
            goto out;
        }
    } else if ((rc = migrate(p, err)) < 0) {
        goto out;
    }
    *out = s;
    s = NULL;
out:
    if (s)
        pg_close(s);
    return rc;
}
