/*
 * Store sub-table of incremental analysis (issue 17 item 2; see store.h):
 * what changed since the last analysis (a watermark over the row ids of
 * facts and their history), a subset load of the analysis snapshot found by
 * index (the persons asked for, their events and whoever shares them), and
 * the stored alerts of some subjects read and replaced in place.
 * NULL on a backend without it: callers then run the full analysis.
 */
#ifndef JD_STORE_INCR_OPS_H
#define JD_STORE_INCR_OPS_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* A watermark as text: the largest row ids of events, person and object
 * mentions and their three history tables, and the latest resolve run's id
 * (the identities the analysis read), "e,pm,om,eh,pmh,omh,rr". A mark of
 * six fields (stored before the resolve run was) reads as run 0, unknown. */
#define JD_MARK_MAX 160

/* One person key: a person_id, or "U:agency:ref" for a ref no identity
 * holds (as the snapshot names it). Non-zero stops. */
typedef int (*jd_person_key_cb)(const char *key, void *payload);

/* One stored alert; doc is NULL unless asked for. Non-zero stops. */
typedef struct jd_alert_row {
    const char *id, *kind, *level, *subject, *doc;
    int64_t raised_at;
} jd_alert_row;
typedef int (*jd_alert_row_cb)(const jd_alert_row *r, void *payload);

/* One ref (agency, person_ref) of refs_since. Non-zero stops. */
typedef int (*jd_ref_cb)(const char *agency, const char *ref, void *payload);

struct jd_incr_ops {
    /* The store's watermark now, into out (JD_MARK_MAX bytes). */
    int (*mark_now)(jd_store *s, char *out, jd_error *err);
    /* The watermark of the last saved analysis ("" when none). */
    int (*mark_get)(jd_store *s, char *out, jd_error *err);
    int (*mark_set)(jd_store *s, const char *mark, jd_error *err);
    /* The resolve run whose identities the last saved analysis read (the
     * last field of its watermark), 0 when unknown or none. */
    int (*mark_resolve_run)(jd_store *s, int64_t *out, jd_error *err);
    /* Did a resolve run with an id in (after, upto] change identities: a run
     * that was not incremental, or an incremental one that recorded a change
     * (identity_change)? */
    int (*resolve_changed)(jd_store *s, int64_t after, int64_t upto, bool *out, jd_error *err);
    /* The person keys mentioned in every event that is new or changed since
     * `since` (an event, one of its person or object mentions, added or
     * corrected), each once; with `diff` also the persons on both sides of
     * every resolved ref whose person (or its date of birth, child flag or
     * name) differs from analysis_ref, which alerts_patch then brings up to
     * date. JD_EINVALID for a malformed watermark. */
    int (*touched)(jd_store *s, const char *since, bool diff, jd_person_key_cb cb,
                   void *payload, jd_error *err);
    /* The events new or changed since `since` that `agencies` (a comma-separated
     * list: the agencies whose records may hold an urgent call,
     * "call_handling,police") recorded with a narrative, each with every
     * person key named in it: one call per (event, person). The urgent-call
     * fast path screens them before anything else runs. */
    int (*touched_events)(jd_store *s, const char *since, const char *agencies,
                          int (*cb)(int64_t event_id, const char *event_type,
                                    const char *narrative, const char *key, void *payload),
                          void *payload, jd_error *err);
    /* Like analysis_load, for a subset: the persons `keys` and, `hops` times
     * over, whoever shares an event with them (a ref widened to all the refs
     * of its identity), then every event of those persons with all its
     * mentions and objects, and the identities of everyone mentioned in
     * them. Rows come in the order analysis_load gives them, so a subset
     * orders its persons and mentions as the full load does. */
    int (*load_subset)(jd_store *s, int64_t as_of, const char *const *keys, size_t n, int hops,
                       const jd_an_callbacks *cb, void *payload, jd_error *err);
    /* Stored alerts of one kind (NULL: any) whose subject is in subjects
     * (NULL: any subject), ordered by id; with their documents when
     * with_doc. */
    int (*alerts_select)(jd_store *s, const char *kind, const char *const *subjects, size_t n,
                         bool with_doc, jd_alert_row_cb cb, void *payload, jd_error *err);
    /* One transaction: delete the stored alerts whose subject is in
     * subjects[0..n) (exploitation_network alerts, which name no subject,
     * are kept), insert a[0..m), record an analysis run (the change counter
     * moves) of `events` events, and set the watermark to mark; with a mark,
     * analysis_ref takes the refs touched() found different and every ref
     * of the identities in subjects as they are now (the analysis walked
     * them, whether touched() compared or the caller named them). An id
     * already stored for another subject is JD_ECONFLICT. */
    int (*alerts_patch)(jd_store *s, const char *const *subjects, size_t n,
                        const jd_alert_save *a, size_t m, int64_t events, const char *mark,
                        jd_error *err);
    /* The resolve watermark (issue 17: an incremental resolve finds its
     * changes without loading the county): "e,pm,om,eh,pmh,omh,ld", the
     * largest row ids of events, person and object mentions, their three
     * history tables and link decisions, now, into out (JD_MARK_MAX). A
     * resolve run takes it before it reads anything and saves it
     * (resolve_mark_set, meta 'resolve_mark') once its identities are
     * committed: a run killed between leaves the older mark, which lists
     * more refs, never fewer. */
    int (*resolve_mark_now)(jd_store *s, char *out, jd_error *err);
    /* The mark the last resolve run saved ("" when none: an older store). */
    int (*resolve_mark_get)(jd_store *s, char *out, jd_error *err);
    int (*resolve_mark_set)(jd_store *s, const char *mark, jd_error *err);
    /* Every ref mentioned in an event new or changed since the resolve
     * mark `since` (the event, or one of its person or object mentions,
     * added or corrected), and both refs of every link decision after it,
     * each once, in no order. JD_EINVALID for a malformed mark. */
    int (*refs_since)(jd_store *s, const char *since, jd_ref_cb cb, void *payload,
                      jd_error *err);
    /* The stored identity_ref rows (person_id, agency, person_ref, fp, nbr)
     * of the refs (agency[i], ref[i]) i < n that are resolved, and of every
     * ref of the identities person_ids[0..np), each once, in no order: an
     * incremental resolve's stored fingerprints and old identities without
     * reading the county's (identity_refs). */
    int (*identity_refs_of)(jd_store *s, const char *const *agency, const char *const *ref,
                            size_t n, const char *const *person_ids, size_t np,
                            jd_identity_row_cb cb, void *payload, jd_error *err);
    /* The person_ids the resolve runs with an id in (after, upto] changed
     * (identity_change: person_id and other), each once, in no order; when
     * one of those runs was not incremental (every identity may have
     * changed) *whole is true and cb is not called. The person index
     * patches these (jd_person_index_patch). */
    int (*persons_changed)(jd_store *s, int64_t after, int64_t upto, bool *whole,
                           int (*cb)(const char *person_id, void *payload), void *payload,
                           jd_error *err);
    /* identity_rows' rows of the identities person_ids[0..n) alone (those
     * that exist), in identity_rows' order and with its values, by indexed
     * lookups. */
    int (*identity_rows_of)(jd_store *s, const char *const *person_ids, size_t n,
                            jd_identity_row_cb cb, void *payload, jd_error *err);
    /* How many identities there are, and the highest n of a person_id "Pn"
     * (0 none): an incremental run's identities after it and its fresh
     * person_ids without reading every ref's stored row (identity_refs). */
    int (*identity_tally)(jd_store *s, int64_t *count, int64_t *max_num, jd_error *err);
    /* The highest person_mention id (0 none): what an index built now saw. */
    int (*mention_max)(jd_store *s, int64_t *out, jd_error *err);
    /* identity_rows' rows of the refs with a mention of id > after that no
     * identity_ref holds (unresolved), by (agency, person_ref), with its
     * values: one range read on the mention ids. */
    int (*unresolved_rows_after)(jd_store *s, int64_t after, jd_identity_row_cb cb,
                                 void *payload, jd_error *err);
    /* The person_ids of the identities holding a ref with a mention of id >
     * after (its name or date of birth may come from that mention), each
     * once, in no order. */
    int (*persons_mentioned_after)(jd_store *s, int64_t after,
                                   int (*cb)(const char *person_id, void *payload),
                                   void *payload, jd_error *err);
};

#endif
