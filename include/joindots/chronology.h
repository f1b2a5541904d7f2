/*
 * The multi-agency chronology of one person: every agency's events that
 * mention any of the person's refs, in time order, with the other people
 * and the objects involved. This is the page a strategy meeting or a review
 * needs. Time-true: with an "as of" time only events whose occurred_at and
 * reported_at are both on or before it are listed.
 */
#ifndef JOINDOTS_CHRONOLOGY_H
#define JOINDOTS_CHRONOLOGY_H

#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JD_AS_OF_NOW INT64_MAX

typedef struct jd_chrono_party {
    const char *agency, *person_ref, *role;
    const char *person_id; /* NULL if not resolved */
    const char *name;      /* as written by the agency, "" if none */
} jd_chrono_party;

typedef struct jd_chrono_object {
    const char *object_type, *value, *description;
    bool valid;
} jd_chrono_object;

/* One event; every pointer is borrowed for the duration of the callback. */
typedef struct jd_chrono_event {
    int64_t event_id;
    const char *agency, *record_id, *event_type;
    int64_t occurred_at, reported_at; /* unix seconds UTC */
    int occurred_prec;                /* jd precision: 3 = date only, 4+ = time */
    const char *location, *postcode, *narrative, *outcome, *author_role, *risk_grade;
    const char *crime_ref;
    int crime_recorded;       /* -1 absent, 0, 1 */
    const char *subject_role; /* the person's role in this event */
    const jd_chrono_party *parties; /* the other people in the event */
    size_t n_parties;
    const jd_chrono_object *objects;
    size_t n_objects;
} jd_chrono_event;

typedef int (*jd_chrono_cb)(const jd_chrono_event *ev, void *payload);

/*
 * Walk the chronology of `person`: a person_id ("P000123") or "AGENCY:REF".
 * Events come oldest first. A non-zero return from cb stops the walk and is
 * returned. Returns JD_OK, JD_ENOTFOUND (no such person), JD_ESTORE.
 */
JD_API int jd_chronology(jd_store *s, const char *person, int64_t as_of, jd_chrono_cb cb,
                         void *payload, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
