/*
 * Ingest of agency export bundles (contract: shared spec, interchange §1).
 *
 * A bundle is a folder with events*.csv, persons*.csv and objects*.csv. One
 * ingest call reads one or more bundles inside one store transaction: a
 * fatal problem (unreadable file, not CSV, a required column missing) rolls
 * everything back, so the store is exactly as it was; a bad row is
 * quarantined with its file, line, column and reason and the rest goes on.
 * Re-ingesting the same rows adds nothing; a corrected row (same agency and
 * record_id, different content) becomes a new version and the old one is
 * kept in history.
 */
#ifndef JOINDOTS_INGEST_H
#define JOINDOTS_INGEST_H

#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Per-file (and total) counts. */
typedef struct jd_ingest_counts {
    int64_t read;      /* data rows read */
    int64_t stored;    /* new facts stored */
    int64_t updated;   /* corrected rows stored as a new version */
    int64_t unchanged; /* identical to what the store already had */
    int64_t rejected;  /* quarantined */
    int64_t warnings;  /* rows kept with a warning */
    int64_t run_id;    /* totals only: the ingest run that stored them (ingest_run.id) */
} jd_ingest_counts;

typedef struct jd_ingest_file_summary {
    const char *name; /* file name within its bundle (borrowed) */
    const char *kind; /* "events", "persons", "objects" */
    jd_ingest_counts counts;
    bool skipped; /* bytes identical to a file ingested before: not read again */
    double seconds;
} jd_ingest_file_summary;

/* Called after each file; pointers are borrowed for the call. */
typedef void (*jd_ingest_file_cb)(const jd_ingest_file_summary *f, void *payload);
/* Called now and then during long work: bytes done of total, rows so far. */
typedef void (*jd_ingest_progress_cb)(uint64_t bytes_done, uint64_t bytes_total, uint64_t rows,
                                      void *payload);
/* Called for each problem (reject or warning) as it is found. */
typedef void (*jd_ingest_problem_cb)(const jd_problem *p, void *payload);

typedef struct jd_ingest_opts {
    const char *mapping; /* column-mapping file for CSV not in the contract layout
                            (docs/mapping.md); NULL for contract bundles */
    jd_ingest_file_cb on_file;
    jd_ingest_progress_cb on_progress;
    jd_ingest_problem_cb on_problem;
    void *payload;
    bool skip_identical_files; /* skip a file whose bytes were ingested before (default) */
    /* Dates after now + future_tolerance (occurred_at, reported_at, dob) are
     * quarantined. now: unix seconds, 0 for the clock at the start of the
     * call; future_tolerance: seconds (clock skew between agency systems). */
    int64_t now;
    int64_t future_tolerance;
    /* A feed's agency (feed.h), or NULL: every row must name this agency; a
     * row of another is fatal (JD_EDENIED, nothing stored), not quarantined,
     * so that one agency's feed can never write another agency's records. */
    const char *agency;
} jd_ingest_opts;
#define JD_INGEST_FUTURE_TOLERANCE (2 * 3600)
#define JD_INGEST_OPTS_INIT                                                                        \
    {NULL, NULL, NULL, NULL, NULL, true, 0, JD_INGEST_FUTURE_TOLERANCE, NULL}

/*
 * Ingest `n` bundles (folders) into the store in one transaction.
 * [out] total: counts over all files (may be NULL).
 * Returns JD_OK (rows may still have been quarantined: see total->rejected),
 * JD_EINVALID (fatal input problem; nothing stored; err names file, line,
 * column), JD_EIO, JD_ENOTFOUND (bundle missing or holding no CSV), JD_ESTORE.
 */
JD_API int jd_ingest_bundles(jd_store *s, const char *const *bundles, size_t n,
                             const jd_ingest_opts *opts, jd_ingest_counts *total, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
