/*
 * Read-side queries for interactive clients (the web application): an
 * in-memory index of persons for fast search (names fuzzy-matched, dates
 * of birth, person ids and agency references) and the stored alerts.
 *
 * The index is a snapshot of the identities in the store when it was built;
 * it is immutable, so several threads may search it at once. Rebuild it
 * after `jd_resolve`. Acknowledgements of alerts are kept beside them.
 */
#ifndef JOINDOTS_QUERY_H
#define JOINDOTS_QUERY_H

#include <joindots/common.h>
#include <joindots/identity.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jd_person_index jd_person_index;

/* One person: strings and refs are owned by the index (valid until close). */
typedef struct jd_person_summary {
    const char *person_id; /* "P000123", or "U:AGENCY:REF" when not resolved */
    const char *name;      /* display name, "" if none */
    const char *dob;       /* YYYY[-MM[-DD]] or "" */
    bool is_child;
    const jd_ref *refs;
    size_t n_refs;
    double score; /* search: 1 exact id or reference, else name similarity */
} jd_person_summary;

/* Build the index from the store's identities. Returns JD_OK, JD_ENOMEM, JD_ESTORE. */
JD_API int jd_person_index_open(jd_person_index **out, jd_store *s, jd_error *err);
JD_API void jd_person_index_close(jd_person_index *idx);
/*
 * A new index equal to one jd_person_index_open would build now, from old
 * (built when the store's last resolve run was `after`; `upto` the last
 * run now): old's entries kept but for the identities the resolve runs in
 * (after, upto] changed (identity_change), which are read again by indexed
 * lookups, and unresolved refs those now hold. A run in that range that was
 * not incremental, or a store without the means, builds it whole. old's
 * kept entries pass to the new index: old stays readable, unchanged, until
 * it is closed, which must come before the new one is patched or closed.
 * *patched (may be NULL): the person_ids read again, or SIZE_MAX when
 * built whole. Returns as jd_person_index_open.
 */
JD_API int jd_person_index_patch(jd_person_index *old, jd_store *s, int64_t after, int64_t upto,
                                 jd_person_index **out, size_t *patched, jd_error *err);
/* Do a and b hold the same persons in the same order (ids, names, dates
 * of birth, child flags, refs), with the same sorted lookups and search
 * name words (numbered alike, their codes and entries)? What the server's
 * check of a patch reads. */
JD_API bool jd_person_index_equal(const jd_person_index *a, const jd_person_index *b);
/* Number of persons indexed. */
JD_API size_t jd_person_index_size(const jd_person_index *idx);
/* A person by person_id or "AGENCY:REF". Returns JD_OK or JD_ENOTFOUND. */
JD_API int jd_person_index_get(const jd_person_index *idx, const char *person,
                               jd_person_summary *out);
/*
 * Search: a person id, an AGENCY:REF or bare reference, a date of birth
 * (YYYY-MM-DD or DD/MM/YYYY), or names (each word matched to a name part
 * by Jaro-Winkler >= 0.85, or as a prefix of three letters or more). Up to
 * `max` best results go to out[], best first; returns how many.
 */
JD_API size_t jd_person_index_search(const jd_person_index *idx, const char *query,
                                     jd_person_summary *out, size_t max);

/*
 * One person as the store's identities are now, by a few indexed lookups
 * (not a new index): need-to-know while a loaded index is older than the
 * identities (a resolve or a link decision since it was built). `person`
 * as jd_person_index_get takes it; the refs are the current ones; name,
 * date of birth and is_child are `names`'s (an older index, may be NULL)
 * when it holds the same person id, else the identity's. Returns JD_OK,
 * JD_ENOTFOUND (no such person now), JD_EINVALID, JD_ENOMEM or JD_ESTORE.
 */
typedef struct jd_person_now jd_person_now;
JD_API int jd_person_now_get(jd_store *s, const jd_person_index *names, const char *person,
                             jd_person_now **out, jd_error *err);
/* Its summary: strings owned by p (until jd_person_now_free), but a name
 * and date of birth taken from `names` are that index's. */
JD_API const jd_person_summary *jd_person_now_summary(const jd_person_now *p);
JD_API void jd_person_now_free(jd_person_now *p);

/* Stored alert documents (contract §2.2), by id; *ran false if analysis
 * never ran. A non-zero return from cb stops the walk and is returned. */
JD_API int jd_alerts_stored(jd_store *s, bool *ran, int (*cb)(const char *doc, void *payload),
                            void *payload, jd_error *err);

/* Every stored alert's id, by id as jd_alerts_stored orders them, with its
 * document only when an analysis run later than `run` wrote it (NULL
 * otherwise): what changed since a reload at run `run`. A store without
 * the means gives every document (and id NULL). */
JD_API int jd_alerts_stored_since(jd_store *s, int64_t run,
                                  int (*cb)(const char *id, const char *doc, void *payload),
                                  void *payload, jd_error *err);

/* Acknowledge an alert with a note (1..1000 bytes); every acknowledgement
 * is kept. Returns JD_OK, JD_EINVALID, JD_ESTORE. */
JD_API int jd_alert_acknowledge(jd_store *s, const char *alert_id, const char *by, const char *note,
                                jd_error *err);
/* Every acknowledgement, oldest first; strings borrowed for the call. */
JD_API int jd_alert_acks(jd_store *s,
                         int (*cb)(const char *alert_id, const char *by, int64_t at,
                                   const char *note, void *payload),
                         void *payload, jd_error *err);

/* One group of the equality monitoring (strings borrowed for the call). */
typedef struct jd_equality_group {
    const char *ethnicity; /* as the agencies recorded it; "not recorded" when none did */
    int64_t children;      /* resolved children in the group */
    int64_t at_risk;       /* of them, in the caller's at-risk set */
} jd_equality_group;

/*
 * Equality monitoring of alert rates (DOMAIN §5.3): resolved children by
 * the ethnicity their agencies recorded (the most frequent value, ties to
 * the first alphabetically) and how many of them are among `at_risk`
 * (person ids, e.g. children with a child_at_risk alert at high or
 * critical). This is the only reader of ethnicity, which never feeds a
 * score; it gives counts only, no person id. cb is called once per group,
 * by ethnicity, "not recorded" last. Returns JD_OK, JD_ENOMEM, JD_ESTORE,
 * or cb's non-zero return.
 */
JD_API int jd_equality_monitor(jd_store *s, const char *const *at_risk, size_t n_at_risk,
                               int (*cb)(const jd_equality_group *g, void *payload), void *payload,
                               jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
