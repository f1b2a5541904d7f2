/*
 * The analysis snapshot: everything known by an "as of" time, loaded once
 * through the store's bulk analysis load (never ethnicity), and read by the
 * risk walk (analyse.c), network detection (network.c), profiles and
 * hotspots (network_profile.c) and the escalation engine (escalate.c).
 * It is the only loader of persons, events, mentions, objects and refs for
 * an analysis, and holds the one age-at-event function.
 *
 * Shape (all indices are into the arrays of one snapshot):
 *   ev    events in id order; ev_index[event id] = index + 1 (0: not known)
 *   p     persons: identities first, in the store's order, then persons met
 *         only through mentions ("U:agency:ref" for an unresolved ref)
 *   m     mentions, each with its event, person, role bits and age there
 *   refs  each (agency, ref) once, grouped by person (p[i].r0, nr)
 *   obj   objects (vehicles, phones) with their event
 *   by_event, obj_by_event   mention and object indices grouped by event
 *         (ev[e].m0/nm and ev[e].o0/no), in load order within an event
 *   by_person  mention indices grouped by person (p[i].x0/nx), each group in
 *         the order its events became known (known time, then event id)
 * Strings live in the snapshot's arena. A consumer may write the fields of
 * aev and aperson that belong to its own pass (screening, levels reached),
 * never the loaded ones.
 */
#ifndef JD_SNAPSHOT_H
#define JD_SNAPSHOT_H

#include "util/internal.h"
#include "store/incr_ops.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct aev {
    int64_t id, occurred, known; /* (the reported time is not read: not kept) */
    const char *agency, *record_id, *type, *location, *narrative, *crime_ref, *outcome,
        *risk_grade, *postcode;
    uint32_t scr0; /* the counted offences cached in an.scache (scr_n of them) */
    uint32_t m0, nm, f0, nf;
    uint32_t crime_mask, lang_mask, trig_mask;
    uint32_t o0, no; /* objects of the event in obj_by_event */
    uint64_t ind_mask;
    int16_t text_child_age;
    int16_t child_age;  /* the youngest child subject or victim's age at it, -1 unknown */
    int16_t linked_age; /* the age of a suspect (else associate) of it, -1 unknown */
    int16_t scr_age;    /* age the offences were screened at; -2 not yet */
    int8_t crime_recorded;
    uint8_t et;
    uint8_t vehicle, phone, adult_party, adult_text, overnight, declined, sexual;
    uint8_t about_person; /* a subject, victim or witness is named: the text screen reads it */
    uint8_t scr_n;        /* counted offences cached in an.scache from scr0 */
} aev;

/* A mention as the walk and the networks read it: 16 bytes (its age is
 * counted as it is loaded, jd_snapshot__mention_age; the text it came with
 * is kept only with mention_detail, in jd_snapshot.md). */
typedef struct amention {
    uint32_t ev, person, role;
    int16_t age; /* at the event, -1 unknown */
} amention;

/* A mention's text as written, by mention index (jd_snapshot.md): loaded
 * with jd_snapshot_opts.mention_detail only. */
typedef struct amention_detail {
    const char *agency, *person_ref, *role_name, *name;
} amention_detail;

typedef struct aperson {
    const char *pid, *name, *dob; /* name: with mention_detail only (else NULL) */
    int64_t level_at[5]; /* known time the child first reached each level, 0 never */
    /* the person's place in a full load's order (identities in the store's
     * order, then the persons met only through mentions by first mention):
     * its index there; in a partition's load (jd_snapshot_parts) the same
     * rank, so passes compare their children as one full load would */
    uint64_t rank;
    uint32_t r0, nr; /* refs */
    uint32_t x0, nx; /* mention indices in by_person */
    bool is_child, resolved;
    bool identity; /* an identity of the store (not only met in a mention) */
    bool walk;     /* a subset load: all this person's events are loaded (see below) */
} aperson;

typedef struct aref {
    uint32_t person;
    const char *agency, *ref;
} aref;

/* An object seen in an event (vehicle mark or phone number normalised). */
typedef struct aobject {
    uint32_t ev;
    const char *type, *value, *description, *person_ref;
    bool valid;
} aobject;

/* A county cut into partitions of persons (issue 20): person key p falls in
 * partition jd_snapshot__part_of(p, nparts); each event is marked with the
 * partitions of the persons it names, so partition k's load keeps the
 * events of its persons (all of them, with every mention) and passes the
 * others over in the store's scans. Made once for the K loads by
 * jd_snapshot__parts: the identities' order (read once, not per load),
 * then one scan of the mentions (no event read). */
typedef struct jd_snapshot_parts {
    int nparts;           /* 1..64 */
    int64_t as_of;
    uint64_t *mask;       /* by event id: bit k set, the event names a person of partition k */
    size_t cap;           /* event ids below cap have a mask */
    jd_strmap unresolved; /* "U:agency:ref" -> its order among them by first mention */
    jd_strmap identities; /* person_id -> its place in the store's order of identities */
    jd_error *err;
} jd_snapshot_parts;

typedef struct jd_snapshot_opts {
    int64_t as_of;       /* JD_AS_OF_NOW: everything stored */
    bool mention_detail; /* keep each mention's agency, ref, role and name */
    /* A subset (incremental analysis, issue 17): when persons is not NULL,
     * only these person keys and, hops times over, whoever shares an event
     * with them are "walked" persons (aperson.walk), loaded with all their
     * events; those events bring the other persons named in them, whose
     * histories are not complete (walk false). */
    const char *const *persons;
    size_t npersons;
    int hops;
    /* A partition's load (persons NULL): the events that name a person of
     * partition `part` of parts->nparts, their mentions and objects, and the
     * persons they name, in the full load's order (rank); the partition's
     * persons are walked. parts as_of is the load's. No identity is read:
     * the mentions bring their identities' fields. */
    const jd_snapshot_parts *parts;
    int part;
    /* The network pass of a run on partitions (issue 20): no narrative and
     * no crime reference is kept (the screening's results come from the
     * passes, 5 bytes an event) */
    bool narrow;
} jd_snapshot_opts;

typedef struct jd_snapshot {
    jd_arena ar;
    jd_strmap pmap;   /* person key -> index in p */
    jd_strmap refmap; /* "agency\x1fref" -> person index */
    jd_strmap common; /* interned values that repeat: agencies, types, grades */
    aev *ev;
    size_t nev, evcap;
    uint32_t *ev_index;
    size_t ev_index_cap;
    amention *m;
    size_t nm, mcap;
    amention_detail *md; /* with mention_detail: m[i]'s text is md[i] (else NULL) */
    size_t mdcap;
    aperson *p;
    size_t np, pcap;
    aref *refs;
    size_t nrefs, refcap;
    aobject *obj;
    size_t nobj, objcap;
    uint32_t *by_event, *by_person, *obj_by_event;
    bool mention_detail;
    bool narrow;   /* loaded with jd_snapshot_opts.narrow: no narrative, no crime_ref */
    bool subset;   /* loaded with jd_snapshot_opts.persons: see aperson.walk */
    size_t nwalk;  /* walked persons (all of them for a full load) */
    int part, nparts; /* a partition's load: part of nparts (else 0 of 0) */
    uint32_t nidentity; /* identities loaded (a full load: p[0, nidentity)) */
    char mark[JD_MARK_MAX]; /* the store's watermark before the load, "" unknown */
    /* The urgent lane (jd_analyse_urgent_keys): person key -> why its
     * alerts came by the lane, added to each as "urgent_lane"; NULL
     * otherwise. Borrowed; set by the caller after the load. */
    struct json_t *lane;
    jd_error *err;
} jd_snapshot;

/* An incremental run's snapshot, kept for the escalation that follows
 * (jd_incr_input.keep, jd_escalate_opts.kept). */
struct jd_analysis_kept {
    jd_snapshot S;
};

/*
 * Load what the store knew by o->as_of into *S (caller-owned, any content;
 * dispose it with jd_snapshot__dispose even on failure). Ages are filled
 * (jd_snapshot__mention_age) and the groupings built. A subset load keeps
 * the order of the full load among its persons, mentions and objects (so
 * "the first child walked keeps an event's alert" picks the same child).
 * Returns 0, JD_ENOMEM, JD_ELIMIT (a ref or person key over 500 bytes),
 * JD_EINVALID (a subset from a store without incremental analysis), or the
 * store's error.
 */
int jd_snapshot__load(jd_snapshot *S, jd_store *s, const jd_snapshot_opts *o, jd_error *err);
void jd_snapshot__dispose(jd_snapshot *S);

/* The partition of a person key among n (0 when n <= 1): FNV-1a of the key
 * modulo n, the same whatever the load. */
int jd_snapshot__part_of(const char *key, int n);

/* Mark the events of what the store knew by as_of with the partitions of
 * the persons they name (one scan of the mentions; *P caller-owned, free
 * it with jd_snapshot__parts_free even on failure). Returns 0, JD_EINVALID
 * (nparts outside 1..64), JD_ENOMEM, JD_ELIMIT, or the store's error. */
int jd_snapshot__parts(jd_snapshot_parts *P, jd_store *s, int64_t as_of, int nparts,
                       jd_error *err);
void jd_snapshot__parts_free(jd_snapshot_parts *P);

/*
 * Age in whole years at instant t (UTC seconds) of a person born on dob
 * ("YYYY-MM-DD", "YYYY-MM" taken as the 1st, "YYYY" as 1 July), counted on
 * the UK calendar day of t (Europe/London: an event at 00:30 BST on a
 * birthday is on the birthday, though it is still the day before in UTC).
 * -1 when dob is missing, unreadable, or gives an age outside 0..130.
 */
int jd_snapshot__age_at(const char *dob, int64_t t);

/* The age of person S->p[person] named at event S->ev[ev]: the identity's
 * date of birth, else the age the agency recorded (rec_age, -1 none), else
 * the date of birth on the record (dob of precision dob_prec). */
int jd_snapshot__mention_age(const jd_snapshot *S, uint32_t person, uint32_t ev, const char *dob,
                             int dob_prec, int rec_age);

#endif
