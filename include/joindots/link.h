/*
 * Human link decisions: a person's word that two agency refs are, or are
 * not, one person. Decisions are kept for ever (the latest per pair is in
 * force) and honoured by every resolution run: "not the same person"
 * always wins. A store handle is used by one thread at a time.
 */
#ifndef JOINDOTS_LINK_H
#define JOINDOTS_LINK_H

#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>

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

#ifdef __cplusplus
}
#endif
#endif
