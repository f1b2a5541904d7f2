/*
 * Identity resolution: `jd_resolve` runs over every person mention in the
 * store (probabilistic matching, blocking, clustering that will not chain
 * strangers, human decisions always honoured: link.h) and saves one
 * identity per resolved person with a stable person_id; `jd_explain_match`
 * shows why two refs are or are not one person. A store handle is used by
 * one thread at a time.
 */
#ifndef JOINDOTS_RESOLVE_H
#define JOINDOTS_RESOLVE_H

#include <joindots/common.h>
#include <joindots/link.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The mentions a long-running process keeps between resolve runs (the live
 * server's `serve --resident`, issue 17): the first run reads every mention
 * as usual and keeps them; each later run reads from the store only the
 * mentions of refs new or changed since (the resolve watermark), puts them
 * in place and loads from memory. The rows given to the load are the
 * store's, row for row, so the result is the same as without. Falls back
 * to reading everything again when the kept rows cannot be brought up to
 * date (another store, a rebuilt one, a backend without the reads).
 * An incremental run keeps the stored identities it reads too, patched with
 * the rows its update writes, and uses them while the store's identity
 * generation is its own last run's; anything else (a run elsewhere, a
 * failed or full save) reads them again. It keeps the county's blocking
 * keys too: the next incremental run makes only the keys of refs whose
 * fingerprint changed (a ref's keys read nothing its fingerprint does not).
 * And the refs the load built from the rows (records, interned strings,
 * event entries, fingerprints): the next load builds only the refs whose
 * rows changed, and takes the others as kept (every ref built again when
 * the rows were read whole again).
 * Not thread-safe: one resolve at a time.
 */
typedef struct jd_resolve_resident jd_resolve_resident;
typedef struct jd_resolve_resident_stats {
    int64_t fills, refreshes;   /* full reads; runs brought up to date */
    int64_t refs_read, rows_read; /* the last refresh: refs and mentions read */
    int64_t rows, bytes;         /* mentions kept, and the memory they take */
    double cpu_refresh;          /* the last run's CPU seconds to read or refresh */
    /* the stored identities (identity_ref's rows) kept: read from the store
     * (ids_reads), or used as kept (ids_kept_runs: the store's identity
     * generation was the one the kept rows hold, the last run's own); the
     * rows kept and the memory they take */
    int64_t ids_reads, ids_kept_runs, ids_rows, ids_bytes;
    /* the county's blocking keys kept: runs that used them (the keys of
     * refs whose fingerprint did not change kept, the others' made), the
     * entries kept and the memory they take */
    int64_t keys_kept_runs, keys_entries, keys_bytes;
    /* the refs the load built kept too (their records, interned strings
     * and event entries): runs whose load took them (built_runs), the refs
     * the last one built again from their rows (those whose rows changed;
     * -1 when it built every ref: none kept, or not to be trusted), and the
     * memory they take; built_regrown: times they were dropped, grown past
     * a share of what a build of every ref kept (the next run built all) */
    int64_t built_runs, refs_rebuilt, built_bytes, built_regrown;
} jd_resolve_resident_stats;
jd_resolve_resident *jd_resolve_resident_new(void);
void jd_resolve_resident_free(jd_resolve_resident *c);
/* Forget the kept rows: the next run reads everything. */
void jd_resolve_resident_drop(jd_resolve_resident *c);
/* Read every mention now (a server at its start), ahead of the first run,
 * and build the county's refs from them (kept too). */
int jd_resolve_resident_fill(jd_resolve_resident *c, jd_store *s, jd_error *err);
const jd_resolve_resident_stats *jd_resolve_resident_stats_of(const jd_resolve_resident *c);

typedef struct jd_resolve_opts {
    double threshold;     /* match probability at which a pair is linked */
    int block_cap;        /* blocks larger than this are skipped (and counted) */
    int em_iterations;    /* EM iterations for m */
    const char *variants; /* extra name-variant file (data/names/variants.tsv format) */
    int threads;          /* scoring threads; 0 = one per online CPU (at most 8) */
    FILE *review;         /* when set, one line per identity to review (more than one
                             date of birth, gender or first name); borrowed */
    /* Use the parameters (m/u weights, lambda, term frequencies) stored by
     * the last full run instead of estimating them again; JD_ENOTFOUND when
     * none are stored. A run with frozen parameters gives what
     * jd_resolve_incremental gives on the same data. */
    bool frozen_params;
    /* jd_resolve_incremental: when more than this share of the refs is new or
     * changed since the last run, resolve everything with parameters
     * estimated again (a full run) instead; 0: never. */
    double incr_max_share;
    /* jd_resolve_incremental: 0 re-resolves the whole components (over every
     * link) the changes touch, which gives exactly what a full run with the
     * stored parameters gives; n > 0 only the identities within n links of
     * a change, faster where links chain much of a county into one
     * component, but a merge or refusal further away is not revisited (see
     * docs/internals/resolve.md for how much differs). */
    int incr_hops;
    /* jd_resolve_incremental: when the stored parameters were estimated from
     * fewer refs than this, a full run instead (a tiny county's estimate is
     * no basis for the next feed); 0: never. */
    int64_t incr_min_refs;
    /* jd_resolve_incremental: skip the checks of the scoped load's steps
     * (the watermark, the listed refs loaded alone, the stored blocking
     * keys and household places against the county's): their figures are
     * then -3. The live resolve skips them (about 1.5 s of CPU at 1M). */
    bool incr_no_checks;
    /* jd_resolve_incremental: also check step 4, the scope loaded alone
     * with its pairs from the stored keys (a second load of up to half the
     * county: about 7 s more CPU at 1M); off by default (`--checks`). */
    bool incr_scope_check;
    /* Mentions kept between runs (borrowed; NULL: read them all each run). */
    jd_resolve_resident *resident;
    /* Called once, on the resolving thread, just before the run's first
     * write to the store (NULL: none). An incremental run reads and computes
     * without writing until its save; a long-running server (serve) takes
     * its write lock here, so that an urgent call is ingested and analysed
     * while the feed's resolve computes. A full run calls it first. */
    void (*before_write)(void *arg);
    void *before_write_arg;
} jd_resolve_opts;
#define JD_RESOLVE_OPTS_INIT                                                                       \
    {                                                                                              \
        0.999, 200, 25, NULL, 0, NULL, false, 0.2, 0, 0, false, false, NULL, NULL, NULL            \
    }

typedef struct jd_resolve_stats {
    int64_t mentions, refs, candidate_pairs, links, refused, identities, skipped_blocks;
    int64_t confirmed, rejected; /* human decisions applied */
    /* Pairs each blocking rule proposed, before de-duplication (index = rule:
     * 1 surname sound+year+initial, 2 forename sound+day+month, 3 date of
     * birth+gender, 4 postcode+initial, 5 NHS, 6 UPN, 7 phone, 8 other id,
     * 9 names within a district when no date is known, 10 address as
     * written+initial, 11 one way from a ref with no full date of birth:
     * surname sound+initial). */
    int64_t pairs_by_rule[16];
    /* Candidate pairs scored in full; the others could not reach the
     * threshold (an exact bound): on their cheap fields whatever their names
     * (bounded_out), or once one or both names were compared (name_cut). */
    int64_t scored_pairs, bounded_out, name_cut;
    int threads; /* scoring threads used */
    /* Pairs of refs named as two people in one event (cannot-links), and
     * would-be links refused, by reason: different strong identifiers or
     * a person's decision, genders, dates of birth, ages, a shared event,
     * settled first names that disagree;
     * sparse refs kept apart for want of evidence that singles them out,
     * sparse refs joined as the one person their links point to, and
     * sparse refs joined as the one member of their household who fits. */
    int64_t event_cannot_links, refused_by[6], sparse_kept_apart, sparse_joined, household_joined;
    int64_t family_joined; /* sparse refs joined to the one fitting member of a family */
    /* household members join_household asked whether they fit a sparse
     * ref (hh_member_fits), and those it did not ask again: they had not
     * fitted that ref at another of their refs at its places */
    int64_t household_fits_asked, household_fits_memo;
    /* Identities to review: holding more than one full date of birth, both
     * genders, first names that are not one another's typo, variant or
     * initial (any of them), and all. */
    int64_t review_dob, review_gender, review_forename, review;
    double seconds_load, seconds_block, seconds_estimate, seconds_score, seconds_cluster,
        seconds_save;
    /* seconds_save includes seconds_identities (ids, display fields and
     * notes of every cluster); the same phases in CPU seconds of the whole
     * process (all threads, user and system), save without identities;
     * cpu_main: the CPU of the thread that called jd_resolve over the whole
     * run, the part no other core can take (on idle cores about the wall
     * time less waits for the disk) */
    double seconds_identities;
    double cpu_load, cpu_block, cpu_estimate, cpu_score, cpu_cluster, cpu_identities, cpu_save;
    double cpu_main;
    /* A full run's memory at the end of each phase (load, block, estimate,
     * score, cluster, identities, save), in KiB: the process's peak RSS so
     * far (getrusage) and its RSS then (Linux; 0 elsewhere). The phase
     * where the peak last grows is the run's peak. */
    int64_t peak_kb[7], rss_kb[7];
    /* notes of kept-apart, refused and unjoined links not logged, as they
     * could not change a ref's note (at its 511 or 600 bytes) */
    int64_t notes_left_out;
    /* links whose cannot-link checks that read only the refs were made
     * ahead on a second thread while clustering, and of them the links the
     * clustering took (the others it passed, or found inside one cluster) */
    int64_t links_pre_made, links_pre_taken;
    /* jd_resolve_incremental: refs new or changed since the last run, refs
     * re-clustered with them (their components), identities touched; full
     * set when the run resolved the whole county; incr_household_whole
     * when it did so because a household decision (join_household) needed
     * a ref outside the scope. */
    int64_t incr_refs, incr_component_refs, incr_touched;
    bool incr_full, incr_household_whole;
    /* the scope the walk found (before a scope over half the county is
     * widened to all of it), and how many of its refs were first reached
     * through k old links from the changes (k = 0..7, the last 7 or more) */
    int64_t incr_scope_refs, incr_scope_by_hop[8];
    /* the refs of an update whose stored row changed (person_id,
     * fingerprint or neighbours): the only ones written */
    int64_t incr_saved_refs;
    /* refs re-resolved that kept stored neighbours out of scope (a bounded
     * walk, --hops: their links there were not scored again) */
    int64_t incr_nbr_kept;
    /* CPU seconds of an incremental run's own steps: the fingerprints made
     * and the stored identities read (old), the scope walked (walk) */
    double cpu_incr_old, cpu_incr_walk;
    /* the refs the store lists as mentioned in events new or changed since
     * the last run's watermark (and in link decisions since), and how many
     * refs whose fingerprint changed are not among them (0: the watermark
     * finds every change, as loading only the scope needs); both -1 when
     * the store keeps no watermark yet */
    int64_t incr_mark_refs, incr_mark_missed;
    /* the changed refs' candidate pairs made from the stored blocking keys
     * (ref_key) with the county's block sizes, and how many differ from
     * the county's blocking (pairs either way, refs marked over the cap by
     * one and not the other; 0: exact); both -1 when not checked (a run
     * that resolved the county whole from the start), -2 when the store
     * holds no keys */
    int64_t incr_keys_pairs, incr_keys_missed;
    /* with the resident's kept blocking keys (jd_resolve_opts.resident):
     * the refs whose keys were kept (their fingerprint the one they were
     * made with), and how many (key, ref) entries differ from the county's
     * keys made again (0: exact); -1 none kept (no resident, or its first
     * run), -3 not checked (--no-checks); 0 in a full run */
    int64_t incr_keys_kept, incr_keys_kept_missed;
    /* the household places (addresses, postcodes) of the changed refs,
     * looked up in the store (stored with the keys: the county's refs at
     * each place, kept current by every run), how many hold over 96 refs
     * there, and how many (place, ref) entries differ from the county's
     * (0: exact); -1 when not checked, -2 when the store keeps no places */
    int64_t incr_hh_places, incr_hh_big, incr_hh_missed;
    /* the refs the watermark lists, loaded alone with everyone their events
     * name (mentions_around: the refs loaded, the scoped load's CPU
     * seconds, with their stored rows read by identity_refs_of), the
     * changed refs found so (a fingerprint not the stored one, or no
     * stored row), and how many listed refs' fingerprints or changed
     * flags so made differ from the county's (0: exact, as loading only
     * the scope needs); -1 when not checked (no watermark, or a backend
     * without mentions_around and identity_refs_of) */
    int64_t incr_fp_loaded, incr_fp_changed, incr_fp_missed;
    double cpu_incr_fp_load;
    /* the scope (at most half the county) loaded alone with everyone its
     * events name (the refs loaded), its candidate pairs made from the
     * stored blocking keys with the county's block sizes, and how many
     * scope refs' fingerprints and pairs differ from the county's (0:
     * exact, as loading only the scope needs), the blocks over the cap in
     * the county that hold 2 to cap refs of the scope (kept, were the
     * scope blocked by its own sizes); the CPU seconds of the load and of
     * the keys' lookup and pairs; -1 not checked (no scope under half the
     * county), -2 the store holds no keys, -3 --no-checks */
    int64_t incr_scope_loaded, incr_scope_pairs, incr_scope_missed, incr_scope_capped;
    double cpu_incr_scope_load, cpu_incr_scope_keys;
    /* the scope's stored rows read alone (identity_refs_of: person_id,
     * fingerprint, neighbours; those differing from the county's read are
     * in incr_scope_missed) and that read's CPU seconds */
    int64_t incr_scope_rows;
    double cpu_incr_scope_rows;
    /* the store's count of identities before the run (identity_tally), and
     * how many of the scoped load's figures taken from the store differ
     * from the county's (the highest person number fresh ids start from;
     * the identities after the run as that count less the old identities in
     * scope plus those made): 0 exact; -1 not checked, -2 the store lacks
     * the op or its read failed, -3 --no-checks */
    int64_t incr_tally_identities, incr_tally_missed;
    /* the checks of the scoped load (watermark, scope, tally) whose store
     * read failed: their figures are -2 and the resolve carries on; the
     * first such failure's message */
    int incr_checks_failed;
    char incr_check_error[256];
} jd_resolve_stats;

/*
 * Resolve every person_ref in the store into identities (a full rebuild,
 * deterministic for the same store): estimates the model without labels,
 * blocks, scores and clusters, honours human decisions, and saves the
 * identities (person_ids kept stable across runs) and the model.
 * Returns JD_OK, JD_ENOMEM, JD_ESTORE, JD_EIO (variants file unreadable).
 */
JD_API int jd_resolve(jd_store *s, const jd_resolve_opts *opts, jd_resolve_stats *stats,
                      jd_error *err);

/* How a person_id changed in a resolve run (bits of jd_person_change.how). */
enum {
    JD_PERSON_NEW = 1,     /* a person_id that did not exist before */
    JD_PERSON_GROWN = 2,   /* kept its id and gained refs */
    JD_PERSON_SHRUNK = 4,  /* kept its id and lost refs */
    JD_PERSON_MERGED = 8,  /* took in another identity's refs (`other`: the id that went) */
    JD_PERSON_SPLIT = 16,  /* some of its refs went to another identity (`other`: that id) */
    JD_PERSON_GONE = 32,   /* no longer exists (merged into `other`, or its refs all moved) */
    JD_PERSON_CHANGED = 64 /* same refs, but a ref's mentions changed (a correction) */
};

/* One person_id a resolve run touched. */
typedef struct jd_person_change {
    char *person_id;
    unsigned how; /* JD_PERSON_* bits */
    char *other;  /* for MERGED / SPLIT / GONE: the identity on the other side (one of
                     them when several), else NULL */
} jd_person_change;

/*
 * The person_ids a resolve run touched, sorted by person_id (strcmp), each
 * once: what an incremental analysis must look at again. Every other
 * identity kept exactly its refs and their mentions. `full` is set when the
 * run resolved the whole county (a full run, or an incremental run that
 * fell back to one): the set is still exact, computed by comparing every
 * ref's person_id before and after. Free with jd_person_set_free.
 */
typedef struct jd_person_set {
    jd_person_change *v;
    size_t n;
    bool full;
    /* The resolve run that made the set (its resolve_run id, the store's
     * identity generation after it) and the latest run before it: the set
     * names every identity changed between the two (0: unknown). */
    int64_t run_id, since_run;
} jd_person_set;

JD_API void jd_person_set_free(jd_person_set *set);
/* The entry for person_id, or NULL when the run did not touch it. */
JD_API const jd_person_change *jd_person_set_find(const jd_person_set *set, const char *person_id);

/*
 * Resolve after a feed: only the refs that are new or whose mentions
 * changed since the last resolve run, and the clusters they touch, with the
 * parameters the last full run stored (as jd_resolve with frozen_params;
 * opts->frozen_params is ignored). Identities not touched keep their refs
 * and person_ids; a merge or split is recorded on the identities' notes and
 * in *touched. All or nothing: one transaction. Falls back to a full run
 * with parameters estimated again when more than opts->incr_max_share of
 * the refs changed, and saves as a full run does whenever every ref is
 * re-resolved (stats->incr_full and (*touched)->full say so); with no
 * stored parameters it returns JD_ENOTFOUND, having read nothing else (run
 * jd_resolve first). touched may be NULL;
 * otherwise *touched is set (caller frees) on JD_OK and NULL on error.
 * Returns JD_OK, JD_ENOTFOUND, JD_ENOMEM, JD_ESTORE, JD_EIO.
 */
JD_API int jd_resolve_incremental(jd_store *s, const jd_resolve_opts *opts, jd_resolve_stats *stats,
                                  jd_person_set **touched, jd_error *err);

/*
 * Explain the comparison of two refs with the model of the last run: each
 * field's level and weight, strong identifiers, the total and the match
 * probability, written as text to `out`. Returns JD_OK, JD_ENOTFOUND (a ref,
 * or no model yet: run jd_resolve first), JD_ESTORE.
 */
JD_API int jd_explain_match(jd_store *s, const jd_ref *a, const jd_ref *b, FILE *out,
                            jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
