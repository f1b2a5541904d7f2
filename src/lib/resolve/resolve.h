/*
 * The resolve module: identity resolution (resolve.c), link decisions and
 * the identity export (identity.c). May include: util, text, store (and
 * public headers).
 *
 * Identity resolution internals shared with the unit tests: the two steps
 * that estimate the Fellegi-Sunter parameters without labels. Pure
 * functions over arrays the caller owns; thread-safe.
 */
#ifndef JD_RESOLVE_H
#define JD_RESOLVE_H

#include <joindots/resolve.h>

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JD_RESOLVE_MAX_LEVELS 5 /* comparison levels of any one field */

/*
 * m of field `f` from "anchor" pairs. `lvs` holds `np` pairs of `nf`
 * comparison levels each, coded level + 1 (0: missing on one side). A pair
 * is an anchor for `f` when it reaches the top level (levels[g]) on at
 * least `min_agree` fields g other than f and not set in the bit mask
 * `ignore`, and f itself is not missing. [out] out[0..levels[f]) gets
 * (anchors at level l + 0.5) / (anchors + 0.5 * levels[f]). Returns the
 * number of anchors, so the caller can decide whether there were enough
 * (0, out untouched, for nf above 32 or f not below nf).
 */
size_t jd_resolve__m_from_anchors(double *out, const uint8_t *lvs, size_t np, size_t nf,
                                  const int *levels, size_t f, uint32_t ignore, int min_agree);

/*
 * The share of matches among `n` candidate pairs by EM with m and u held:
 * llr[i] is pair i's log likelihood ratio ln(m/u), summed over its fields.
 * Starts from `lambda` and runs `iters` rounds; the estimate is kept within
 * [1e-6, 0.5], since a candidate pair is never a match a priori. Returns
 * the estimate (`lambda` itself when n is 0).
 */
double jd_resolve__em_lambda(const double *llr, size_t n, double lambda, int iters);

/*
 * The same over pairs that share few distinct ratios: pair p's ratio is
 * llr[idx[p]] (idx[p] < nu). Each round takes each distinct ratio's
 * posterior once and sums them pair by pair in order, so the result is bit
 * for bit jd_resolve__em_lambda's over the expanded ratios. idx NULL: pair
 * p's ratio is llr[p] (nu = n).
 */
double jd_resolve__em_lambda_grouped(const double *llr, size_t nu, const uint32_t *idx, size_t n,
                                     double lambda, int iters);

/*
 * Sort `n` 64-bit keys ascending in place: LSD radix sort, 16 bits a pass,
 * skipping passes whose digit is the same in every key (candidate pairs are
 * sorted this way before de-duplication). Returns JD_OK, or JD_ENOMEM when
 * its n-key buffer cannot be had (v is then untouched).
 */
int jd_resolve__radix_sort_u64(uint64_t *v, size_t n);

/*
 * The n of a person id "Pn" read as the stores' identity_tally reads it:
 * "P" then the first 18 of its leading digits (a longer id neither
 * overflows nor reads as INT64_MAX). Fresh ids are given only up to
 * JD_RESOLVE_PERSON_NUM_MAX: a resolve that would pass it fails with
 * JD_ELIMIT and leaves the store as it was. 0 when the id is NULL or not
 * "P" and a digit ("P-7", "P 7", "Q7"): such an id cannot be a fresh one.
 */
#define JD_RESOLVE_PERSON_NUM_MAX 999999999999999999L
int64_t jd_resolve__person_num(const char *id);

/* qsort's comparison of two strings by pointer (strcmp): the order of
 * person_ids in a change set and in a ref's neighbours. */
int jd_resolve__cmp_str(const void *a, const void *b);

/*
 * sscanf(s, "%u-%u-%u", y, m, d) without sscanf's cost for the plain
 * digits-and-dashes dates the store holds (each part at most 9 digits);
 * anything else is handed to sscanf itself. Returns what sscanf would: the
 * number of parts read, -1 for an empty string.
 */
int jd_resolve__parse_ymd(const char *s, unsigned *y, unsigned *m, unsigned *d);

/* One blocking key of one ref (the rule number in the key's top 4 bits). */
typedef struct jd_block_key {
    uint64_t key;
    uint32_t ref;
} jd_block_key;

/*
 * Candidate pairs from `nk` blocking keys sorted by key, then ref, for refs
 * numbered below `nrefs`: every two different refs that share a key, in a
 * run of at most `cap` entries, once each, as (a << 32 | b) with a < b, in
 * ascending order. A run longer than `cap` adds 1 to *skipped; a kept run
 * of n entries adds n(n - 1)/2 to by_rule[its rule] (before
 * de-duplication). Works with `threads` threads (1 to 8); the result does
 * not depend on how many. [out] *out (malloc'd, NULL when none) and *nout.
 * Returns JD_OK, JD_ENOMEM, or JD_EINVALID when a kept run holds a ref not
 * below `nrefs` (nothing is written to *out then).
 */
int jd_resolve__pairs(const jd_block_key *k, size_t nk, uint32_t nrefs, size_t cap, int threads,
                      uint64_t **out, size_t *nout, int64_t by_rule[16], int64_t *skipped);

/*
 * Cannot-link rules of clustering (issue 16), exposed for the tests.
 * Genders: counts of mentions recording F and M on each side; apart when
 * each side's gender is settled (two mentions or more, never the other)
 * and they differ. Full dates of birth (yyyymmdd): apart when no pair of
 * them is within two digit edits or a day/month swap. Ages: the birth years
 * the ages on each side allow (lo..hi, 0 none) and each side's full dates;
 * apart when the years miss each other, or a side's dates, by more than one.
 */
bool jd_resolve__genders_apart(const uint32_t a[2], const uint32_t b[2]);
bool jd_resolve__dobs_apart(const uint32_t *a, uint8_t na, const uint32_t *b, uint8_t nb);
bool jd_resolve__ages_apart(int lo_a, int hi_a, const uint32_t *dob_a, uint8_t nda, int lo_b,
                            int hi_b, const uint32_t *dob_b, uint8_t ndb);
/* Two names one adjacent transposition apart (Jamse, James): one person's
 * first name for the settled-first-names rule; names of three letters or
 * more. */
bool jd_resolve__transposed(const char *x, const char *y);
/* Two names one keyboard-row neighbour apart past the first letter
 * (Grsce, Grace): one person's first name; names of four letters or more. */
bool jd_resolve__key_slip(const char *x, const char *y);
bool jd_resolve__spelling_variant(const char *x, const char *y);
bool jd_resolve__pet_spelling(const char *x, const char *y);
/* Test hook: n made-up links (seeded; many equal weights, 0 and -0, both
 * tiers) sorted for clustering (radix) and by qsort with its comparison;
 * the places where the two orders differ (0 when they are one), -1
 * without memory. */
int64_t jd_resolve__check_link_sort(size_t n, uint64_t seed);
/* Test hook: n made-up links among nrefs refs (seeded; many ties), one
 * side or both deferred, put in join_sparse's order (sort_deferred) and by
 * the qsort of whole records it replaced; the places where the two differ
 * (0 when they are one), -1 without memory or refs. */
int64_t jd_resolve__check_deferred_sort(size_t n, uint32_t nrefs, uint64_t seed);
/* Test hook: the notes' own formatting (not printf) of s, "%.1f" of w and
 * "%0*d" of v at width into buf, cut at cap - 1 bytes as snprintf into cap
 * bytes cuts; its length. cap >= 1. */
size_t jd_resolve__note_fmt(char *buf, size_t cap, const char *s, double w, int64_t v, int width);

/* Test hook: of every two different names of `names` (normalised, as
 * resolve keeps them), compared as forenames and as surnames, *sure gets
 * those the names' entries alone showed wholly different (no level cache,
 * no Jaro-Winkler) and *wrong those of them whose compared level is not
 * (0 when the shortcut is exact). JD_OK or JD_ENOMEM. */
int jd_resolve__check_name_bounds(const char *const *names, size_t n, int64_t *sure,
                                  int64_t *wrong);

/*
 * Test hook: loads and blocks the store's refs as a full run does, then
 * streams their candidate pairs (as a full run scores them) in ranges of
 * refs holding at most `entries` blocking-key entries, with `threads`
 * threads, twice. *pairs: block()'s candidate pairs; *ranges: the ranges a
 * pass took; *wrong: pairs the stream gave other than block()'s, in order,
 * and pairs of EM's sample (every `stride`-th, by place in the whole list),
 * taken from the passes and by the count's per-ref totals (stream_sample),
 * other than block()'s, pairs of a loose pass (scoring's: each ref's pairs
 * in no order) sorted other than block()'s, and 1 if the count pass's or
 * the loose pass's total is not block()'s
 * (0 when the stream is exact). JD_OK or a store error.
 */
int jd_resolve__check_stream(jd_store *s, size_t entries, size_t stride, int threads,
                             int64_t *pairs, int64_t *ranges, int64_t *wrong, jd_error *err);

/*
 * Test hook: loads and blocks the store's refs as a full run does (blocks
 * over `cap` skipped), then, for six selections of refs drawn from `seed`
 * (marked at one in 1000, 50 and 3, a second mark at one in 500; pairs
 * with both refs marked, and with either), makes the pairs an incremental
 * run makes from the kept keys (pairs_of) and compares them with block()'s
 * pairs so selected, and the blocking counts with block()'s. *pairs:
 * block()'s pairs, *selected: the pairs selected in all, *wrong: pairs
 * missing, extra or out of order, and counts that differ (0 when exact).
 */
int jd_resolve__check_pairs_of(jd_store *s, int cap, uint64_t seed, int64_t *pairs,
                               int64_t *selected, int64_t *wrong, jd_error *err);

/* Test hook: jd_resolve logging every note of a kept-apart, refused or
 * unjoined link, even those that cannot change a ref's note (which
 * jd_resolve leaves out), so that the two can be compared. */
int jd_resolve__every_note(jd_store *s, const jd_resolve_opts *opts, jd_resolve_stats *stats,
                           jd_error *err);

/* Test hook: jd_resolve whose clustering takes every link's checks that
 * read only the refs from the thread that makes them ahead (with two
 * threads or more), waiting for each, where a run takes those ready and
 * makes the others itself; stats->links_pre_taken counts them. */
int jd_resolve__links_ahead_wait(jd_store *s, const jd_resolve_opts *opts,
                                 jd_resolve_stats *stats, jd_error *err);

/* Test hook: jd_resolve whose join_household asks hh_member_fits of a
 * household member at each of its refs at a sparse ref's places, where a
 * run asks it once a ref (a member that did not fit is not asked again):
 * the same joins either way; stats->household_fits_memo counts the
 * answers not asked again. */
int jd_resolve__household_no_memo(jd_store *s, const jd_resolve_opts *opts,
                                  jd_resolve_stats *stats, jd_error *err);

/* Test hook (note_room): one ref's note made from made-up notes on it, all
 * of them (*full) and those note_room lets be logged (*kept, *logged of
 * n), as a run logs them: kinds[k] 0 kept apart, 1 refused (these first),
 * then 3 joined through (sparse) and 2 unjoined, of weight w[k], between
 * ":ref" and ":other" (no agency: with empty refs and weights of 3 bytes
 * the texts are note_least's shortest). full and kept: cap bytes, over
 * 1200. JD_OK,
 * JD_EINVALID (bad arguments, kinds out of that order), JD_ENOMEM. */
int jd_resolve__check_note_room(const char *ref, const char *other, const int *kinds,
                                const double *w, size_t n, char *full, char *kept, size_t cap,
                                size_t *logged);

/*
 * Test hook (notes_ahead, run_save): n made-up notes ("note k") made on a
 * thread and asked in order 0..n-1 as a store asks them, on past an error;
 * fail_at: 1 + the note made to fail as a strdup would (0: none). *ok: the
 * notes given right, *failed: those answered JD_ENOMEM (the failed one and
 * every one after it; none waits for ever). JD_OK, or JD_ENOMEM (no thread).
 */
int jd_resolve__check_ahead(size_t n, size_t fail_at, size_t *ok, size_t *failed);

/*
 * Test hook: loads, blocks and estimates the store's refs as a full run
 * does, then scores every candidate pair both in full and with the cuts of
 * scoring at `threshold` (a pair refused once the best weights its
 * remaining fields can add cannot reach it). *pairs: the candidate pairs,
 * *cut: those refused, *wrong: those where the two disagree (a refused
 * pair whose full score reaches the threshold, or a kept pair whose total
 * differs). The cuts are exact when *wrong is 0. *loose: pairs one of
 * whose refs has no address, kept (scored in full) without reaching the
 * threshold: 0 when the address's bound is 0 for them, as the missing
 * address adds nothing. JD_OK or a store error.
 */
int jd_resolve__check_bounds(jd_store *s, double threshold, int64_t *pairs, int64_t *cut,
                             int64_t *wrong, int64_t *loose, jd_error *err);

/*
 * The changes of an incremental run (incremental.c): m[0..n) are the refs
 * it re-resolved, each with its person_id before the run (NULL: a new
 * ref), after it, and whether what resolution reads of it changed. [out]
 * *out: the person_ids touched, sorted (jd_person_set_free). Returns
 * JD_OK or JD_ENOMEM (*out NULL).
 */
typedef struct jd_resolve__moved {
    const char *old_pid, *new_pid;
    bool changed;
} jd_resolve__moved;
int jd_resolve__changes(const jd_resolve__moved *m, size_t n, jd_person_set **out);

/*
 * The county's refs as the load built them from the resident rows (cut 1
 * of issue 17's load: their records, the interned strings they hold, the
 * Double Metaphone codes and each ref's event entries; resolve.c), kept
 * by c between runs.
 */
typedef struct jd_resolve__built jd_resolve__built;
void jd_resolve__built_free(jd_resolve__built *b);

/*
 * The load's mentions from c (resident.c): kept rows brought up to date
 * with the store's changes, or all read again (and kept), then each given
 * to cb in the store's order. As s->ops->mentions, with c kept. [out]
 * *built, before the first row is given: the refs built from the rows as
 * they were before this call (jd_resolve__resident_keep_built), now the
 * caller's, when the rows were brought up to date rather than read again;
 * NULL otherwise. jd_resolve__resident_changed: whether the rows of
 * (agency, ref) may differ from those the kept refs were built from (true
 * for every ref when the rows were read again).
 */
int jd_resolve__resident_rows(jd_resolve_resident *c, jd_store *s, jd_mention_cb cb,
                              void *payload, jd_resolve__built **built, jd_error *err);
bool jd_resolve__resident_changed(const jd_resolve_resident *c, const char *agency,
                                  const char *ref);
/* c keeps b (the refs a load built from the rows it was given; NULL:
 * none), for the next load, freed by free_fn (resolve.c's: resident.c
 * calls nothing of resolve.c); returns that load's tag, never 0 nor one c
 * gave before; _note: what that load did (rebuilt: refs built again from
 * their rows, -1 all of them; bytes: b's memory). */
uint64_t jd_resolve__resident_keep_built(jd_resolve_resident *c, jd_resolve__built *b,
                                         void (*free_fn)(jd_resolve__built *));
void jd_resolve__resident_built_note(jd_resolve_resident *c, int64_t rebuilt, int64_t bytes,
                                     int64_t refs);
/* The kept refs' memory bounded: when a load that took them keeps more than
 * (1 + share) times the bytes a ref the last load of every ref kept, they
 * are dropped and the next load reads and builds every ref again (their
 * pools only grow: the strings a rebuilt ref no longer holds stay, while
 * a county's own growth brings refs with its strings).
 * JD_RESIDENT_REGROW by default; tests set less. */
#define JD_RESIDENT_REGROW 0.25
void jd_resolve__resident_set_regrow(jd_resolve_resident *c, double share);
/* The refs c keeps (NULL none), still c's. */
jd_resolve__built *jd_resolve__resident_built(jd_resolve_resident *c);
/* Lean: once c keeps the refs a load built (mentions: the mentions they
 * stand for), the rows are no longer kept. jd_resolve__resident_rows then
 * gives only the rows of the refs the store changed (_is_lean true), the
 * caller takes every other kept ref; without the kept refs or the list of
 * what changed it reads every row again (and keeps them till the next
 * _lean). */
void jd_resolve__resident_lean(jd_resolve_resident *c, int64_t mentions);
bool jd_resolve__resident_is_lean(const jd_resolve_resident *c);
/* Every mention read into c now (resident.c); jd_resolve_resident_fill
 * (resolve.c) then builds the refs from them. */
int jd_resolve__resident_fill_rows(jd_resolve_resident *c, jd_store *s, jd_error *err);

/*
 * The stored identities' rows (as s->ops->identity_refs) from c: the kept
 * ones when they are of s at identity generation gen, else read (and kept,
 * as of gen). jd_resolve__resident_ids_saved: after an update that read
 * generation `from` saved refs[0..n) as run run_id, the kept rows patched
 * (gen run_id); dropped unless they were of s at `from` and run_id is
 * from + 1 (no other run between). _drop: forget them.
 */
int jd_resolve__resident_ids(jd_resolve_resident *c, jd_store *s, int64_t gen,
                             jd_identity_row_cb cb, void *payload, jd_error *err);
void jd_resolve__resident_ids_saved(jd_resolve_resident *c, const jd_store *s, int64_t from,
                                    int64_t run_id, const jd_identity_save *refs, size_t n);
void jd_resolve__resident_ids_drop(jd_resolve_resident *c);

/*
 * The county's blocking keys of the last incremental run given c (cut 3 of
 * the live resolve): every rule's keys sorted by (key, ref) as block_keys
 * makes them, each ref's keys' check value then (its fingerprint and its
 * first postcode, which rule 9 reads and the fingerprint's sum does not
 * order: key_check_value) and its "agency\0ref\0" (the next run finds the ref
 * by its name, not its number), and the variants file they were made with
 * (NULL: the built-in list) and its content's hash. A ref's keys read only
 * what its check value hashes, so the next run keeps the keys of every ref
 * whose check value is the same and makes only the others'.
 */
typedef struct jd_resolve__kept_keys {
    jd_block_key *k;
    size_t n;
    int64_t *fp;
    size_t *at;
    uint32_t nrefs;
    char *names; /* at[i]: ref i's name; names_len bytes */
    size_t names_len;
    char *variants;
    uint64_t var_hash;
    bool have;
} jd_resolve__kept_keys;
jd_resolve__kept_keys *jd_resolve__resident_keys(jd_resolve_resident *c);
void jd_resolve__kept_keys_drop(jd_resolve__kept_keys *k);
/* after a run kept them: entries, memory and whether they were used */
void jd_resolve__resident_keys_note(jd_resolve_resident *c, bool used);

#endif
