/*
 * Live operation (issue 17): agencies' feeds in, the analysis kept current.
 *
 * A feed is one agency's bundle (contract §1) that arrives by itself: in a
 * drop folder watched by `joindots watch` or `joindots serve --feeds DIR`,
 * or uploaded to `POST /api/feeds/{agency}` with an API token of the
 * `feed` role bound to that agency. Each feed is ingested exactly like
 * `joindots ingest` (quarantine, idempotent, one transaction) with one more
 * rule: every row must belong to the feed's agency, or the whole feed is
 * refused. Every feed is recorded with its source, ingested or rejected
 * whole with its reason. See docs/feeds.md.
 */
#ifndef JOINDOTS_FEED_H
#define JOINDOTS_FEED_H

#include <joindots/analyse.h>
#include <joindots/common.h>
#include <joindots/ingest.h>
#include <joindots/resolve.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Is `agency` one of the §1.4 agency codes ("police", "csc"...)? */
JD_API bool jd_feed_agency_valid(const char *agency);

/* ---- API tokens of the feed role ---- */

#define JD_FEED_TOKEN_SIZE 48 /* "jdf_", 43 base64url characters and a NUL */

typedef struct jd_feed_token {
    const char *name, *agency;
    int64_t created_at, last_used; /* unix seconds; last_used 0: never */
    bool disabled;
} jd_feed_token;
typedef int (*jd_feed_token_cb)(const jd_feed_token *t, void *payload);

/*
 * Make a token for `agency` named `name` (1-63 characters of [A-Za-z0-9._-]).
 * [out] token: the token, shown once; only its digest is stored.
 * Returns JD_OK, JD_EINVALID (name, agency, or a store without feeds),
 * JD_ECONFLICT (name taken), JD_ESTORE.
 */
JD_API int jd_feed_token_add(char token[JD_FEED_TOKEN_SIZE], jd_store *s, const char *name,
                             const char *agency, jd_error *err);
/*
 * Check a token: [out] agency and name of a live token (either may be NULL).
 * Returns JD_OK, JD_EDENIED (no such token or disabled: the same answer),
 * JD_ESTORE.
 */
JD_API int jd_feed_token_check(jd_store *s, const char *token, char agency[32], char name[64],
                               jd_error *err);
JD_API int jd_feed_token_list(jd_store *s, jd_feed_token_cb cb, void *payload, jd_error *err);
/* Returns JD_OK, JD_ENOTFOUND, JD_ESTORE. */
JD_API int jd_feed_token_disable(jd_store *s, const char *name, bool disabled, jd_error *err);

/* ---- feeds ---- */

typedef struct jd_feed_record {
    int64_t id;
    const char *agency, *source, *name;
    int64_t received_at;
    bool accepted;      /* ingested; false: rejected whole */
    const char *reason; /* why it was rejected ("" when accepted) */
    int64_t run_id;     /* the ingest run (0 when rejected) */
    jd_ingest_counts counts;
    double seconds;
} jd_feed_record;
typedef int (*jd_feed_record_cb)(const jd_feed_record *r, void *payload);

typedef struct jd_feed_result {
    int64_t id; /* the feed's record */
    bool accepted;
    jd_ingest_counts counts;
    double seconds;
    double cpu_seconds; /* the ingesting thread's CPU (the machine's load aside) */
    char reason[256]; /* rejected: the ingest's message, with file and line */
    /* jd_feed_scan: not read now; the feed `id` was dealt with by a run
     * killed between moving its folder and its marker, and this scan moved
     * the marker after it (counts and seconds 0, reason empty) */
    bool resumed;
} jd_feed_result;

/*
 * Ingest one bundle (folder) as a feed of `agency`, in one transaction, and
 * record it with `name` and `source` (e.g. "drop:police/2026-12-04" or
 * "upload:token police-nightly from 10.0.0.1"). opts as for
 * jd_ingest_bundles (NULL: defaults).
 * Returns JD_OK when the feed was dealt with: out->accepted tells whether it
 * was ingested or rejected whole (nothing stored; the reason recorded). A
 * negative code (JD_ESTORE, JD_ENOMEM) means it could not be dealt with now
 * and nothing was recorded: try again later.
 */
JD_API int jd_feed_ingest(jd_store *s, const char *agency, const char *bundle, const char *name,
                          const char *source, const jd_ingest_opts *opts, jd_feed_result *out,
                          jd_error *err);

/* Called after each feed of a scan (pointers borrowed for the call). */
typedef void (*jd_feed_cb)(const char *agency, const char *name, const jd_feed_result *r,
                           void *payload);

/*
 * The drop folder: DIR/AGENCY/NAME/ is a bundle; it is read only once the
 * empty marker file DIR/AGENCY/NAME.done exists, which its writer creates
 * after the last byte of the bundle is written and closed (a folder
 * without its marker is never read, however old). Bundles are taken in
 * agency, then name, order. Afterwards the folder and its marker are moved
 * to DIR/AGENCY/ingested/ID-NAME or DIR/AGENCY/rejected/ID-NAME (ID the
 * feed's record; the reason is written to ID-NAME.reason). A bundle is
 * moved only after its transaction committed: killed before, it is read
 * again next time; killed after, the re-read stores nothing new (ingest is
 * idempotent); killed between the folder's move and its marker's, the next
 * scan moves the marker after it (cb with res->resumed), also when a new
 * folder of that name is there (left for its own marker). Folders not
 * named by an agency code are ignored.
 * [out] landed: feeds ingested that stored or updated rows (may be NULL).
 * Returns JD_OK, JD_ENOTFOUND (no DIR), JD_ELIMIT (more than 10,000 ready
 * bundles), JD_EIO (a bundle could not be moved), JD_ESTORE.
 */
JD_API int jd_feed_scan(jd_store *s, const char *dir, const jd_ingest_opts *opts, jd_feed_cb cb,
                        void *payload, size_t *landed, jd_error *err);

/*
 * Unpack a feed upload (a POSIX ustar/pax tar of the bundle's CSV files,
 * at the top level or under "./") into the existing empty folder `dir`.
 * Only regular files named like events*.csv, persons*.csv, objects*.csv
 * are accepted (at most 64); anything else (a link, a device, a path with a
 * folder, another name) refuses the whole upload.
 * Returns JD_OK, JD_EINVALID (not such a tar), JD_ELIMIT, JD_EIO.
 */
JD_API int jd_feed_untar(const char *data, size_t len, const char *dir, jd_error *err);

/* The latest `limit` feeds, newest first. */
JD_API int jd_feed_list(jd_store *s, int64_t limit, jd_feed_record_cb cb, void *payload,
                        jd_error *err);

/* ---- keeping the analysis current ---- */

typedef struct jd_live_opts {
    const char *rules_path;  /* analysis rules; NULL: built in */
    const char *ladder_path; /* escalation ladder; NULL: built in */
    double threshold;        /* resolve's match threshold (0: its default) */
    int threads;             /* resolve's scoring threads (0: its default) */
    int64_t now;             /* clock; 0: wall clock */
    bool incremental;        /* analyse only the persons the feeds touched
                                (jd_analyse_incremental_ex, with the incremental
                                resolve's touched set); false: a full analysis */
    /* How resolve runs after feeds: JD_LIVE_RESOLVE_AUTO incremental when
     * a full run stored its parameters (jd_resolve_incremental, which
     * itself resolves everything when more than resolve_max_share of the
     * refs changed), else a full run; _FULL always a full run; _INCREMENTAL
     * incremental or JD_ENOTFOUND. The nightly full run is `joindots
     * resolve`. */
    int resolve_mode;
    double resolve_max_share; /* 0: jd_resolve_opts' default */
    /* How far the incremental resolve walks from the changes
     * (jd_resolve_opts.incr_hops: links or households; 0 every component
     * they touch to the end, exactly a full run with the stored parameters).
     * JD_LIVE_OPTS_INIT bounds it (JD_LIVE_RESOLVE_HOPS): on a large county
     * the exact scope chains through households over most of it; the
     * nightly full `joindots resolve` repairs what a bounded walk missed. */
    int resolve_hops;
    /* Mentions kept between resolves (jd_resolve_opts.resident; borrowed):
     * a long-running server's (`serve --resident`); NULL: read each time. */
    jd_resolve_resident *resident;
    /* jd_resolve_opts.before_write, passed on (NULL: none). */
    void (*before_write)(void *arg);
    void *before_write_arg;
} jd_live_opts;
enum { JD_LIVE_RESOLVE_AUTO = 0, JD_LIVE_RESOLVE_FULL = 1, JD_LIVE_RESOLVE_INCREMENTAL = 2 };
#define JD_LIVE_RESOLVE_HOPS 1
#define JD_LIVE_OPTS_INIT                                                                          \
    {                                                                                              \
        NULL, NULL, 0.0, 0, 0, false, JD_LIVE_RESOLVE_AUTO, 0.0, JD_LIVE_RESOLVE_HOPS, NULL, NULL,   \
            NULL                                                                                   \
    }

typedef struct jd_live_stats {
    double seconds_resolve, seconds_analyse, seconds_escalate;
    int64_t identities, alerts, concerns, escalated;
    /* The analysis' counts (the board's), as jd_analyse_stats gives them. */
    int64_t returns_due, returns_interviewed_72h, crimes_disclosed, crimes_recorded;
    /* The resolve stage: incremental or not, refs new or changed, refs
     * re-resolved with them, person_ids touched, and its phases' seconds
     * (load, block, estimate, score, cluster, save). */
    bool resolve_incremental;
    int64_t resolve_changed_refs, resolve_scope_refs, resolve_touched;
    double seconds_resolve_phase[6];
    /* The resolve's CPU seconds (all threads) by phase: load, fingerprints
     * and stored identities, block, estimate, score, the scope's walk,
     * cluster, identities, save. */
    double cpu_resolve_phase[9];
    /* An incremental analysis: persons touched and walked, the time to find
     * them and to load them (inside seconds_analyse); analyse_full when it
     * ran the full analysis instead (nothing saved before). The counts above
     * are then those of the walked persons only. */
    int64_t touched, walked;
    double seconds_touched, seconds_load;
    bool analyse_full;
    /* it took the resolve run's touched set as every identity changed since
     * the last analysis (no comparison of every resolved ref); false when
     * another resolve run came between (jd_live_analyse_touched) */
    bool analyse_identities_known;
    /* The urgent-call fast path, first of all (incremental only,
     * jd_analyse_urgent_keys): persons it walked, the time to screen the
     * feed's call-handling and police records, to analyse them and to run the
     * escalation engine over them. */
    int64_t urgent_walked;
    double seconds_urgent_screen, seconds_urgent_analyse, seconds_urgent_escalate;
    /* the urgent lane's concerns on refs the resolve placed since, closed
     * as carried on by their identities' (jd_escalate_placed) */
    int64_t urgent_placed;
} jd_live_stats;

/*
 * After feeds landed: with o->incremental the urgent-call fast path first
 * (jd_analyse_urgent_keys, then the escalation engine over its persons);
 * then resolve (jd_live_resolve: incremental once a full run stored its
 * parameters), analyse (alerts raised and updated, stored in one
 * transaction each; with o->incremental only the persons the resolve
 * touched and what else changed, jd_live_analyse_touched), and the
 * escalation engine (over the persons walked, or everyone after a full
 * analysis). Returns the stages' codes.
 */
JD_API int jd_live_update(jd_store *s, const jd_live_opts *o, jd_live_stats *st, jd_error *err);
/*
 * Is the store ahead of its identities or alerts: rows ingested (or link
 * decisions made) since the last resolve's watermark, or anything since the
 * last analysis' watermark (a feed's update cut short, by SIGKILL say)?
 * false when the store keeps no watermark (nothing to compare with).
 */
JD_API int jd_live_behind(jd_store *s, bool *behind, jd_error *err);
/*
 * The resolve stage of jd_live_update alone: incremental (only the refs the
 * feeds brought or changed, and the clusters they touch) when a full run
 * stored its parameters, else a full run (o->resolve_mode); st gets its
 * seconds and counts. touched (may be NULL): the person_ids the run touched
 * (jd_person_set_free), NULL after a plain full run (any may have changed).
 */
JD_API int jd_live_resolve(jd_store *s, const jd_live_opts *o, jd_live_stats *st,
                           jd_person_set **touched, jd_error *err);
/*
 * The incremental analysis after jd_live_resolve (opts as
 * jd_analyse_incremental_ex): with the touched set of an incremental
 * resolve (gone person_ids included) it walks those persons and whatever
 * else changed since its watermark (events, records) without comparing every
 * resolved ref with what the last analysis saw (identities_known); with
 * touched NULL (a plain full resolve) it finds the changed identities
 * itself. walked as jd_analyse_incremental_keys.
 */
JD_API int jd_live_analyse_touched(jd_store *s, const jd_analyse_opts *ao,
                                   const jd_person_set *touched, jd_analyse_stats *as,
                                   char ***walked, size_t *nwalked, jd_analysis_kept **kept,
                                   jd_error *err);
/* The escalation engine alone, saving (what `concern run` does). */
JD_API int jd_live_escalate(jd_store *s, const jd_live_opts *o, jd_live_stats *st, jd_error *err);
/*
 * The store's change counter for readers of analysis results: [out]
 * analysis, the last analysis run's id, and identities, the last resolve
 * run's id (0 when none). Either changes whenever what a reader loaded at
 * start is stale. Returns JD_OK, JD_EINVALID (store without it), JD_ESTORE.
 */
JD_API int jd_live_generation(jd_store *s, int64_t *analysis, int64_t *identities, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
