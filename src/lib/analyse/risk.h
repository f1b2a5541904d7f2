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

/* A mitigating or explaining fact (risk.json "mitigating"): phrases of
 * every group in `all` (each a JSON array of strings) and none of
 * `unless`, in a record of one of `types` (0: any). */
typedef struct jd_risk_mitigator {
    const char *id, *name; /* borrowed from jd_risk_policy.doc */
    uint32_t types;        /* ET_* bits */
    json_t *all, *unless;  /* borrowed */
    uint64_t lowers;       /* indicator bits whose records stop counting */
    int64_t before, after; /* seconds around the fact */
    bool same_event;       /* only the record's own indicators */
} jd_risk_mitigator;

enum { JD_RISK_MAX_MITIGATORS = 16 };

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
    int ld_ind, missing_ind;
    char ld_id[16], missing_id[16];
    /* corroboration for high */
    int corr_min_ind, corr_min_src;
    int64_t corr_apart;
    uint64_t specific, bypass; /* indicator bits */
    /* T5: found with an adult of concern */
    int t5_ind, t5_level;
    char t5_id[16];
    jd_risk_mitigator mit[JD_RISK_MAX_MITIGATORS];
    size_t nmit;
    json_t *doc; /* the loaded file: the mitigators' strings live in it */
    char source[64];
} jd_risk_policy;

/* Load the policy from a JSON file (path NULL: the one compiled in) and
 * resolve its indicator ids against R. [out] filled only on success.
 * Returns 0, JD_EINVALID (a missing or out-of-range value, an unknown
 * indicator id: the message names the key) or JD_EIO. */
int jd_risk__load(jd_risk_policy *out, const char *path, const jd_rules *R, jd_error *err);
/* Free what jd_risk__load kept (the document); NULL-safe, idempotent. */
void jd_risk__dispose(jd_risk_policy *P);

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

/* A mitigating fact found in one of the person's records. */
typedef struct jd_risk_mit {
    int idx; /* into jd_risk_policy.mit */
    uint32_t ev;
    int64_t t, from, to; /* known at t; covers records known from..to */
    uint64_t lowers;
    bool same_event; /* covers only the indicators of record ev */
} jd_risk_mit;

typedef struct jd_risk_walk {
    jd_risk_hit *hits[64];
    size_t nh[64], hc[64];
    const char *m09_net; /* the network behind the person's M09 hit, if any */
    int64_t *ep;         /* start of each missing episode */
    size_t nep, epcap;
    jd_risk_ret *rets;
    size_t nret, retcap;
    jd_risk_mit *mits;
    size_t nmits, mitcap;
    uint64_t mit_lowers; /* union of the mits' lowers: most records need no check */
    char *lower; /* the narrative in lower case */
    size_t lowercap;
    /* the mitigating facts each event's record holds, by event index: they
     * depend on the record alone, and an event is walked once for each of
     * its persons in each pass, so its phrases are searched once per run
     * (JD_RISK_MIT_KNOWN set: found; the low bits: which facts) */
    uint32_t *mitev;
    size_t mitevcap;
} jd_risk_walk;

enum { JD_RISK_MIT_KNOWN = 1u << JD_RISK_MAX_MITIGATORS };

void jd_risk__walk_dispose(jd_risk_walk *W);

/* Walk one person's events (A->by_person order) and add their alerts.
 * The per-person scratch grows as needed (no silent cap). Returns 0 or
 * JD_ENOMEM. */
int jd_risk__walk_person(an *A, jd_risk_walk *W, const aperson *p);

#endif
