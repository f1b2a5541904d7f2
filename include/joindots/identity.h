/*
 * Identities: which person_refs, in which agencies, are one real person.
 *
 * `jd_resolve` runs identity resolution over every person mention in the
 * store (probabilistic matching, blocking, clustering that will not chain
 * strangers, human decisions always honoured) and saves one identity per
 * resolved person with a stable person_id. Human decisions are recorded
 * with `jd_link_decide` and survive every re-run: "not the same person"
 * always wins. A store handle is used by one thread at a time.
 */
#ifndef JOINDOTS_IDENTITY_H
#define JOINDOTS_IDENTITY_H

#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One agency's reference to a person. Strings borrowed. */
typedef struct jd_ref {
    const char *agency, *person_ref;
} jd_ref;

typedef struct jd_link_decision {
    jd_ref a, b;
    bool same;              /* true: confirm the same person; false: not the same */
    const char *reason;     /* required, free text */
    const char *decided_by; /* user name, required */
} jd_link_decision;

/*
 * Record a human decision about two refs (kept for ever; the latest per pair
 * is in force). It takes effect at the next `jd_resolve`.
 * Returns JD_OK, JD_EINVALID (missing reason or user, the same ref twice),
 * JD_ENOTFOUND (a ref never seen in the store), JD_ESTORE.
 */
JD_API int jd_link_decide(jd_store *s, const jd_link_decision *d, jd_error *err);

/*
 * Write identities as JSON Lines (interchange contract §2.1) to `out`: one
 * line per resolved person, every person_ref in the store in exactly one
 * line. Refs not yet resolved are written as their own identity with a
 * person_id of the form "U:<agency>:<person_ref>".
 * [out] n_lines (may be NULL). Returns JD_OK, JD_EIO, JD_ESTORE.
 */
JD_API int jd_identities_export(jd_store *s, FILE *out, int64_t *n_lines, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
