/*
 * The analyse module: the snapshot of what was known by the "as of" time
 * (snapshot.c), the screening of each event and each child's risk walk
 * (analyse.c), and the alert list that the network detection (module
 * network, above this one) adds to through jd_an__add_alert.
 *
 * May include: util, text, store, resolve, screen (and public headers).
 * Never calls network or concern: the analysis driver (network/analysis.c)
 * runs the risk walk and hands the network pass in as a function.
 */
#ifndef JD_ANALYSE_INTERNAL_H
#define JD_ANALYSE_INTERNAL_H

#include "util/internal.h"
#include "analyse/snapshot.h"
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

/* aev, amention, aperson, aref, aobject: the snapshot's rows (snapshot.h). */

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
    uint64_t who; /* the subject's rank (aperson.rank: its place in a full load), UINT64_MAX none */
    char *text;   /* a run on partitions keeps doc as text (malloc'd; doc NULL then) */
};

struct jd_risk_policy;

/* Where an event's offences screened at one age sit in an.scache (the risk
 * walk's cache, one per walking thread): age + 2 (0: never), how many, the
 * first. Filled from aev.scr_age, scr_n and scr0 of the screening pass. */
typedef struct ev_scr {
    int16_t age;
    uint8_t n;
    uint32_t first;
} ev_scr;

typedef struct an {
    const jd_analyse_opts *opts;
    jd_rules *rules;
    const struct jd_risk_policy *pol; /* the risk walk's policy (risk.json) */
    struct jd_screen *scr;       /* the text screen: offences C1-C20 (screen.h) */
    jd_screen_result sres;
    struct jd_smemo *smemo;  /* notes screened before (screen_memo.h); NULL: none kept */
    jd_screen_match *scache; /* counted offences per screened event (both passes) */
    size_t nscache, scachecap;
    ev_scr *evscr; /* the walk's view of that cache, by event (a thread's own) */
    jd_arena ar;
    /* ev, m, p, refs, obj, by_person, ev_index, pmap and refmap are views of
     * the snapshot (borrowed: never grown or freed through an) */
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
    jd_snapshot *snap; /* what the views above belong to */
    /* The network pass of a run on partitions (issue 20), by event id: the
     * screening's results network.c reads, kept by the passes (the events
     * carry no findings then; NULL otherwise): the roles an exploitation
     * indicator of the event applies to, and JD_NET_* flags */
    const uint32_t *net_roles;
    const uint8_t *net_flags;
    size_t net_cap; /* their length: an event stored after the passes read
                     * the county (a feed landing meanwhile) has none */
    void *pass_ctx;    /* handed to the networks pass (jd_an__run) */
} an;


enum { JD_NET_ADULT_TEXT = 1, JD_NET_CONCERN = 2 /* an offence or a trigger described */ };

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

/* A pass run after every child's risk walk (aperson.level_at filled), such
 * as the exploitation networks of network.c, adding its alerts to A. */
typedef int (*jd_an_pass)(an *A);

/*
 * The analysis on a loaded snapshot (borrowed; its per-event and per-person
 * analysis fields are written): screening, the risk walk, then `networks`
 * (may be NULL), and with the network feedback (M09) the walk and
 * `networks` once more (pass_ctx is theirs: A->pass_ctx). Alerts go to `out` (JSON Lines, sorted by id) when
 * not NULL, and are saved through `s` when opts->save. The caller keeps
 * the snapshot's load time in stats->seconds_load.
 */
int jd_an__run(jd_snapshot *S, jd_store *s, const jd_analyse_opts *opts, jd_an_pass networks,
               void *pass_ctx, FILE *out, jd_analyse_stats *stats, jd_error *err);
/*
 * The analysis on partitions of persons (issue 20): nparts passes (2..64),
 * each on its own load (jd_snapshot_parts: the events of its persons),
 * screened and walked; the screening's few results the networks read, and
 * each child's level, kept by event id and by rank; then `networks` on a
 * narrow load of the whole county (no narrative), and with the network
 * feedback (M09) the passes and the networks once more. The alerts, kept as
 * text between the passes, and the counts are those of jd_an__run on the
 * whole snapshot, byte for byte. Written and saved as jd_an__run. With
 * keep, the network pass loads the whole county with the mentions' detail
 * and the narratives instead, and hands it to *keep on success (the
 * caller disposes it; zeroed otherwise): the documents of
 * jd_escalate_analyse read it, and no load of it follows.
 */
int jd_an__run_parts(jd_store *s, const jd_analyse_opts *opts, int nparts, jd_an_pass networks,
                     void *pass_ctx, FILE *out, jd_analyse_stats *stats, jd_snapshot *keep,
                     jd_error *err);
/* Store the counts of a saved run as the analysis document "analysis:stats"
 * (stats_doc.c), read back by jd_analyse_stats_stored. */
int jd_an__stats_save(jd_store *s, const jd_analyse_stats *st, jd_error *err);
/* The defaults of an analysis call: a NULL *opts reads as *def, set to
 * JD_ANALYSE_OPTS_INIT (opts NULL: the call has no optional options); a
 * NULL *stats as *dummy; the stats are zeroed. */
void jd_an__defaults(const jd_analyse_opts **opts, jd_analyse_opts *def,
                     jd_analyse_stats **stats, jd_analyse_stats *dummy);

#endif
