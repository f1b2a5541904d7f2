/*
 * Internals of the analysis shared by analyse.c (risk and person alerts)
 * and network.c (the POLE graph and exploitation networks): the loaded
 * dataset of what was known by the "as of" time, and the alert list.
 */
#ifndef JD_ANALYSE_INTERNAL_H
#define JD_ANALYSE_INTERNAL_H

#include "util/internal.h"
#include "screen/rules.h"

#include <joindots/screen.h>

#include <joindots/analyse.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define DAY 86400

/* ---- data ---- */

enum { F_IND = 0, F_TRIG, F_CRIME, F_LANG };

typedef struct finding {
    uint8_t kind;
    uint16_t idx;
    int32_t pattern; /* -1: the event type, -2: the event's structure */
    uint32_t off, len; /* matched text in the narrative */
} finding;

typedef struct aev {
    int64_t id, occurred, reported, known;
    const char *agency, *record_id, *type, *location, *narrative, *crime_ref, *outcome,
        *risk_grade;
    int8_t crime_recorded;
    uint8_t et;
    const char *postcode;
    uint8_t vehicle, phone, adult_party, adult_text, overnight, declined, sexual;
    int16_t text_child_age;
    int16_t child_age;  /* the youngest child subject or victim's age at it, -1 unknown */
    int16_t linked_age; /* the age of a suspect (else associate) of it, -1 unknown */
    uint8_t about_person; /* a subject, victim or witness is named: the text screen reads it */
    int16_t scr_age;   /* age the offences were screened at; -2 not yet */
    uint8_t scr_n;     /* counted offences cached in an.scache from scr0 */
    uint32_t scr0;
    uint32_t m0, nm, f0, nf;
    uint32_t crime_mask, lang_mask, trig_mask;
    uint64_t ind_mask;
} aev;

typedef struct amention {
    uint32_t ev, person, role;
    int16_t age; /* at the event, -1 unknown */
    const char *dob;
    int dob_prec, rec_age;
} amention;

typedef struct aperson {
    const char *pid, *name, *dob;
    bool is_child, resolved;
    int64_t level_at[5]; /* known time the child first reached each level, 0 never */
    uint32_t r0, nr; /* refs */
    uint32_t x0, nx; /* mention indices in by_person */
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

/* Network feedback (DOMAIN M09): a child who became a member of an
 * exploitation network at time t, through the child's event ev. */
typedef struct m09_link {
    uint32_t person, ev;
    int64_t t;
    const char *net; /* the network alert's id (arena) */
} m09_link;

struct out_alert {
    char *id;
    int kind, level;
    const char *subject;
    int64_t raised_at;
    json_t *doc;
};

struct jd_risk_policy;

typedef struct an {
    const jd_analyse_opts *opts;
    jd_rules *rules;
    const struct jd_risk_policy *pol; /* the risk walk's policy (risk.json) */
    struct jd_screen *scr;       /* the text screen: offences C1-C20 (screen.h) */
    jd_screen_result sres;
    jd_screen_match *scache; /* counted offences per screened event (both passes) */
    size_t nscache, scachecap;
    jd_arena ar;
    jd_strmap pmap, refmap;
    aev *ev;
    size_t nev, evcap;
    uint32_t *ev_index; /* event id -> index + 1 */
    size_t ev_index_cap;
    amention *m;
    size_t nm, mcap;
    aperson *p;
    size_t np, pcap;
    aref *refs;
    size_t nrefs, refcap;
    finding *f;
    size_t nf, fcap;
    aobject *obj;
    size_t nobj, objcap;
    uint32_t *by_person; /* mention indices grouped by person, sorted by known */
    int64_t now;
    jd_error *err;
    /* language alerts already raised (one per event) */
    jd_strmap lang_seen;
    /* network feedback: filled by jd_network__detect, used by the next pass */
    m09_link *m09;
    size_t nm09, m09cap;
    bool m09_record; /* first pass: network.c notes child members */
    int m09_ind;     /* index of indicator M09 in the rules, -1 if absent */
    /* output */
    struct out_alert *alerts;
    size_t nalerts, alertcap;
    jd_analyse_stats *st;
} an;


/* Add an alert (takes the reference to doc: records, explanation, history,
 * members...); subj may be NULL (network alerts carry members instead). */
int jd_an__add_alert(an *A, int kind, const char *id, int level, const aperson *subj,
                     int64_t raised, json_t *doc);
/* {"agency", "record_id"} of an event. */
json_t *jd_an__record_ref(const aev *e);
/* {"person_id", "refs": [...]} of a person. */
json_t *jd_an__person_json(const an *A, const aperson *p);
/* "csc case_note W123 on 2005-07-01" */
void jd_an__ev_label(char *b, size_t n, const aev *e);
/* Children's mentions are those with is_child at the event (age < 18, or an
 * identity marked as a child when the age is unknown). */
bool jd_an__is_child_at(const an *A, const amention *m);

/* Exploitation networks (network.c): called after every child's risk walk,
 * so aperson.level_at is filled. Adds exploitation_network alerts. */
int jd_network__detect(an *A);

#endif
