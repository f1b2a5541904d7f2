/*
 * Chronology front end: parses the person argument (a person_id or
 * AGENCY:REF) and walks the store's time-ordered events for that person.
 * Indicators found in each event are added by the screening layer on top.
 */
#include "query/query_internal.h"
#include "util/internal.h"
#include "store/store.h"

#include <joindots/chronology.h>

#include <stdlib.h>
#include <string.h>

int jd_chronology(jd_store *s, const char *person, int64_t as_of, jd_chrono_cb cb,
                  void *payload, jd_error *err)
{
    if (!s || !person || !*person || !cb)
        return jd_error_set(err, JD_EINVALID, "a person is required");
    const char *colon = strchr(person, ':');
    if (!colon)
        return s->ops->chronology(s, person, NULL, NULL, as_of,
                                  (jd_chrono_event_cb)cb, payload, err);
    size_t al = (size_t)(colon - person);
    if (al == 0 || !colon[1])
        return jd_error_set(err, JD_EINVALID, "a ref is written AGENCY:PERSON_REF");
    char *agency = strndup(person, al);
    if (!agency)
        return jd_oom(err);
    int rc = s->ops->chronology(s, NULL, agency, colon + 1, as_of, (jd_chrono_event_cb)cb,
                                payload, err);
    free(agency);
    return rc;
}
