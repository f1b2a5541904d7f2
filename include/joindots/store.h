/*
 * The joindots store: every fact joindots holds (events, person mentions,
 * objects, locations and their links, each with provenance and history), the
 * quarantine of rejected rows, and later analysis results.
 *
 * One interface over several backends: the embedded SQLite default and, for
 * deployments that outgrow one machine, PostgreSQL (a later backend). A store
 * handle is used by one thread at a time; open one per thread.
 */
#ifndef JOINDOTS_STORE_H
#define JOINDOTS_STORE_H

#include <joindots/common.h>

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jd_store jd_store;

typedef struct jd_store_opts {
    bool create;    /* create the database (and apply migrations) if missing */
    bool read_only; /* open for reading only; no migrations are applied */
    /* File holding the audit key (audit.h); NULL: $JD_AUDIT_KEY_FILE if set,
     * else no key. Created (mode 0600) when missing and the open is writable;
     * refused when others may read it. */
    const char *audit_key_path;
    /* SQLite: the memory map a feed's subset load reads through, in MiB
     * (each page read without a copy; mapped only while it loads). 0:
     * $JD_SUBSET_MMAP_MIB if set (0 there: no map), else 256; negative: no
     * map (pages read with read(), as before the map). */
    int64_t subset_mmap_mib;
} jd_store_opts;
#define JD_STORE_OPTS_INIT {true, false, NULL, 0}

/*
 * Open a store. `location` is a file path (SQLite), or "sqlite:PATH".
 * Applies pending schema migrations unless read-only.
 * [out] *out: a new handle, owned by the caller (jd_store_close).
 * Returns JD_OK, JD_ENOTFOUND (missing and !create), JD_ESTORE, JD_EINVALID
 * (unknown scheme, or a schema newer than this program).
 */
JD_API int jd_store_open(jd_store **out, const char *location, const jd_store_opts *opts,
                         jd_error *err);
/* Close a store; NULL-safe. An open transaction is rolled back. */
JD_API void jd_store_close(jd_store *s);
/* Backend name: "sqlite" or "postgres". */
JD_API const char *jd_store_backend(const jd_store *s);
/* Current schema version of an open store. */
JD_API int jd_store_schema_version(const jd_store *s, int *out, jd_error *err);

/* Counts of current facts, for summaries. */
typedef struct jd_store_counts {
    int64_t events, persons, objects, locations, rejects, warnings, runs, history;
    int64_t person_refs; /* distinct (agency, person_ref) */
} jd_store_counts;
JD_API int jd_store_counts_get(jd_store *s, jd_store_counts *out, jd_error *err);

/* One quarantined row or warning, as listed by `joindots rejects`. */
typedef struct jd_problem {
    int64_t id, run_id;
    const char *severity; /* "reject" or "warning" */
    const char *file;     /* file name within the bundle */
    long line, column;    /* 1-based; column 0 if the whole row */
    const char *field;    /* column name or "" */
    const char *message;  /* what is wrong; never personal data */
    const char *raw;      /* the row as read (rejects only; may hold personal data) */
} jd_problem;

typedef int (*jd_problem_cb)(const jd_problem *p, void *payload);
/*
 * Call `cb` for each quarantined row (and warnings if `warnings`), oldest
 * first. Pointers in *p are borrowed for the duration of the call. A non-zero
 * return from cb stops the walk and is returned.
 */
JD_API int jd_store_problems(jd_store *s, bool warnings, jd_problem_cb cb, void *payload,
                             jd_error *err);

/*
 * Copy a whole SQLite store (`from`, a file) into an empty PostgreSQL store
 * (`to`, "postgres://..."; its schema is created if missing): every table
 * with its row ids, history and audit chain, in one transaction, row counts
 * checked afterwards. The source is only read. JD_ECONFLICT when the
 * destination already holds data, JD_EINVALID in builds without PostgreSQL.
 */
typedef struct jd_store_copy_stats {
    int64_t tables, rows;
} jd_store_copy_stats;
JD_API int jd_store_copy(const char *from, const char *to, jd_store_copy_stats *stats,
                         jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
