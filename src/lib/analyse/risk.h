/*
 * The child's risk walk (internal API of the analyse module): the policy
 * loaded from data/rules/risk.json (compiled in; a user file of the same
 * form may replace it) and the walk over one person's events that keeps the
 * SERAF-style score, the overrides, missing episodes, return-interview
 * clocks, unrecorded crimes and language alerts (risk.c).
 */
#ifndef JD_ANALYSE_RISK_H
#define JD_ANALYSE_RISK_H

#include "analyse/analyse_internal.h"

/* The walk's policy. Ages in years, times in seconds. Indicator indices are
 * resolved against the loaded catalogue; -1 when the catalogue lacks the id. */
typedef struct jd_risk_policy {
    int under_age;          /* V07, M-R2, T3 */
    int lang_medium_age;    /* language alert medium under this age (sexual) */
    int lang_max_age;       /* language alerts for young people under this age */
    int mp_window_days;     /* M-R3 */
    int mp_medium, mp_high; /* episodes in the window */
    int64_t same_episode, overnight_after, overnight, longest_episode;
    int64_t ri_within, ri_before; /* M-R4 */
    int64_t crime_recorded_within;
    int ld_ind, missing_ind, net_ind;
    char ld_id[16], missing_id[16], net_id[16];
    char source[64];
} jd_risk_policy;

/* Load the policy from a JSON file (path NULL: the one compiled in) and
 * resolve its indicator ids against R. [out] filled only on success.
 * Returns 0, JD_EINVALID (a missing or out-of-range value, an unknown
 * indicator id: the message names the key) or JD_EIO. */
int jd_risk__load(jd_risk_policy *out, const char *path, const jd_rules *R, jd_error *err);

/* Scratch reused across persons (per-indicator hits, missing episodes,
 * returns awaiting an interview); zero it before the first walk. */
typedef struct jd_risk_hit {
    int64_t t;
    uint32_t ev;
    bool net; /* from the network feedback (M09), not from the event's content */
} jd_risk_hit;

typedef struct jd_risk_ret {
    uint32_t ev;
    int64_t t;
} jd_risk_ret;

typedef struct jd_risk_walk {
    jd_risk_hit *hits[64];
    size_t nh[64], hc[64];
    const char *m09_net; /* the network behind the person's M09 hit, if any */
    int64_t *ep;         /* start of each missing episode */
    size_t nep, epcap;
    jd_risk_ret *rets;
    size_t nret, retcap;
} jd_risk_walk;

void jd_risk__walk_dispose(jd_risk_walk *W);

/* Walk one person's events (A->by_person order) and add their alerts.
 * Returns 0, JD_ENOMEM or JD_ELIMIT (a person with more episodes or
 * returns than a size_t counts: never in practice). */
int jd_risk__walk_person(an *A, jd_risk_walk *W, const aperson *p);

#endif
