/*
 * The identities in a store, read out: the JSON Lines export of contract
 * section 2.1 and the generation number that says when they changed.
 */
#ifndef JOINDOTS_IDENTITY_EXPORT_H
#define JOINDOTS_IDENTITY_EXPORT_H

#include <joindots/common.h>
#include <joindots/store.h>

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Write identities as JSON Lines (interchange contract §2.1) to `out`: one
 * line per resolved person, every person_ref in the store in exactly one
 * line. Refs not yet resolved are written as their own identity with a
 * person_id of the form "U:<agency>:<person_ref>".
 * [out] n_lines (may be NULL). Returns JD_OK, JD_EIO, JD_ESTORE.
 */
JD_API int jd_identities_export(jd_store *s, FILE *out, int64_t *n_lines, jd_error *err);

/*
 * A number that changes whenever the store's identities do (the id of the
 * last resolve run; 0 before the first): a person index built at one
 * generation is stale at another. Returns JD_OK, JD_ESTORE.
 */
JD_API int jd_identity_generation(jd_store *s, int64_t *out, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
