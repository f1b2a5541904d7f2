/*
 * The query module: the read side. The in-memory person index for search,
 * stored alerts and acknowledgements, equality monitoring (query.c), and
 * one person's chronology (chronology.c).
 *
 * May include: util, text, store, resolve, screen, analyse (and public
 * headers). Never network, concern or tools.
 */
#ifndef JD_QUERY_INTERNAL_H
#define JD_QUERY_INTERNAL_H

#include "util/internal.h"

#include <joindots/query.h>

/* The stored alert documents that may be about a person (as subject, or
 * with no subject: the networks), by id; the caller still checks each.
 * Every stored alert when the store cannot select them. */
int jd_query__alerts_about(jd_store *s, const char *person_id,
                           int (*cb)(const char *doc, void *payload), void *payload,
                           jd_error *err);
/* jd_person_index_get by a scan of every entry, as it was before it read
 * the sorted lookups (the reference they are tested against, test_query). */
int jd_person_index__get_scan(const jd_person_index *x, const char *person, jd_person_summary *out);
/* jd_person_index_search by scoring every entry, as it did before its word
 * index: the reference the index is tested against (test_query). */
size_t jd_person_index__search_scan(const jd_person_index *x, const char *query,
                                    jd_person_summary *out, size_t max);

/* Test hook: jd_person_index_patch sorting the patched index's lookups
 * over every entry, as it did before it merged the old index's sorted
 * arrays (the reference a patch is tested and timed against). */
int jd_person_index__patch_sorted(jd_person_index *old, jd_store *s, int64_t after,
                                  int64_t upto, jd_person_index **out, size_t *patched,
                                  jd_error *err);

#endif
