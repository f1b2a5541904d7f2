/*
 * Risk and alerts: screen every event for exploitation indicators (in the
 * structured fields and in the narrative, with negation), keep a risk level
 * per child over time, and raise the alerts of interchange contract §2.2:
 * child_at_risk, unrecorded_crime, missing_pattern, overdue_return_interview,
 * language and escalation. Every alert names its rules and its records.
 *
 * Time-true: with an "as of" time only events whose occurred_at and
 * reported_at are both on or before it are used, and clocks (72-hour return
 * interviews) run to that time. Ethnicity, religion and nationality are
 * never read. Rules come from data/rules/catalogue.json (compiled in) or a
 * file of the same form.
 */
#ifndef JOINDOTS_ANALYSE_H
#define JOINDOTS_ANALYSE_H

#include <joindots/chronology.h>
#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jd_analyse_opts {
    int64_t as_of;          /* JD_AS_OF_NOW for everything */
    const char *rules_path; /* NULL: the built-in catalogue */
    bool save;              /* replace the stored alerts with this run's */
    int64_t now;            /* clock for deadlines when as_of is NOW; 0 = wall clock */
    const char *risk_path;  /* the risk walk's policy; NULL: data/rules/risk.json built in */
    int threads; /* the risk walk's threads; 0: one per online CPU (at most 8), one
                  * for a small walk. The alerts are the same, byte for byte,
                  * whatever the number */
    int partitions; /* the analysis's partitions of persons (issue 20): K > 1
                     * (at most 64), K passes by hash(person_id) % K, each
                     * loading only its persons' events, then the networks
                     * on a narrow load of the whole county (jd_analyse
                     * only; on a snapshot already loaded, the walk in K
                     * passes); 0 or 1: one; JD_PARTITIONS_AUTO: from the
                     * county's events and memory_mb. The alerts are the
                     * same, byte for byte, whatever K */
    int64_t memory_mb; /* JD_PARTITIONS_AUTO's budget for a pass; 0: JD_ANALYSE_MEMORY_MB */
    const char *screen_model; /* the screen's learned combiner (screen_model.h): a
                               * model file; "none" (JD_SCREEN_MODEL_NONE): the
                               * rules alone; NULL: the built-in one (data/rules/
                               * screen_model_ind.json, the indicators model, the
                               * one the server, demo and jd_screener_open use) */
} jd_analyse_opts;
#define JD_ANALYSE_OPTS_INIT {JD_AS_OF_NOW, NULL, false, 0, NULL, 0, 0, 0, NULL}
#define JD_PARTITIONS_AUTO (-1)
#define JD_ANALYSE_MEMORY_MB 1024

/* The partitions jd_analyse runs in for opts (1 for none): opts->partitions,
 * or with JD_PARTITIONS_AUTO the fewest whose pass fits opts->memory_mb
 * (a pass: about 256 MB and 0.9 KB for each of 1.18 / K of the store's
 * events; a budget of 256 MB or less gives 64; docs/internals/analyse.md),
 * at most 64. The passes fit the budget, not the network pass, which still
 * loads the whole county (1M events: about 0.7-0.9 GB whatever K). A
 * negative error code when the store cannot count its events. */
JD_API int jd_analyse_partitions(jd_store *s, const jd_analyse_opts *opts, jd_error *err);

enum {
    JD_ALERT_CHILD_AT_RISK, JD_ALERT_NETWORK, JD_ALERT_UNRECORDED_CRIME, JD_ALERT_MISSING_PATTERN,
    JD_ALERT_OVERDUE_RETURN_INTERVIEW, JD_ALERT_LANGUAGE, JD_ALERT_ESCALATION, JD_ALERT_KINDS
};

typedef struct jd_analyse_stats {
    int64_t events, mentions, persons, children, alerts;
    int64_t by_kind[JD_ALERT_KINDS];
    int64_t by_level[5]; /* none, low, medium, high, critical (child_at_risk) */
    /* For the board (DOMAIN §5.3), as of the run: returns from missing whose
     * 72 hours have run out, and those with an interview held in time;
     * events disclosing an offence against the child (by age, catalogue
     * C-rules), and those with a crime recorded (on the record itself or by
     * a police crime report about the child within a day). */
    int64_t returns_due, returns_interviewed_72h;
    int64_t crimes_disclosed, crimes_recorded;
    double seconds_load, seconds_screen, seconds_alerts, seconds_write;
    /* The risk walk's threads, their CPU time (both passes) and the longest
     * share's (summed over the passes: the walk's time on idle cores). */
    int walk_threads, walk_partitions;
    double seconds_walk_cpu, seconds_walk_longest;
    /* jd_analyse_incremental: persons the changes touched, persons walked
     * (their alerts replaced), and the time to find the touched ones; 0 and
     * full is true when it ran the full analysis instead. */
    int64_t touched, walked;
    double seconds_touched;
    bool full;
    /* jd_live_analyse_touched: the resolve run's touched set named every
     * identity changed since the last analysis, so the store did not
     * compare every resolved ref with what that analysis saw. */
    bool identities_known;
} jd_analyse_stats;

/* The counts of the latest analysis run, as it stored them ("analysis:stats").
 * Returns JD_OK, or JD_ENOTFOUND when the latest run stored none (a run
 * before they were stored, or an as-of run), JD_ESTORE. */
JD_API int jd_analyse_stats_stored(jd_store *s, jd_analyse_stats *st, jd_error *err);

/* Name of an alert kind, "child_at_risk"... */
JD_API const char *jd_alert_kind_name(int kind);

/*
 * Run the analysis. Alerts are written as JSON Lines (contract §2.2, ordered
 * by id) to `out` when it is not NULL, and saved in the store when
 * opts->save. Identities come from the last `jd_resolve`; refs not yet
 * resolved count as persons of their own.
 * Returns JD_OK, JD_EINVALID (rules file), JD_ENOMEM, JD_EIO, JD_ESTORE.
 */
JD_API int jd_analyse(jd_store *s, const jd_analyse_opts *opts, FILE *out,
                      jd_analyse_stats *stats, jd_error *err);

/*
 * Incremental analysis (issue 17): re-run the screen, the risk walk and the
 * alert rules only for the persons that changes touched, and replace only
 * their stored alerts (ids are stable, so an alert keeps its id).
 *
 * persons: person keys (person_id, or "U:agency:ref" for a ref no identity
 * holds); NULL: the persons named in every event that is new or changed
 * (an event, a person or an object of it, added or corrected) since the
 * last saved analysis, found by the store's watermark. Walked are those
 * persons, whoever shares an event with them, and whoever shares an event
 * with those (two hops: a new ref joined to an identity changes ages in
 * every event of that identity, and an event's per-event alert goes to the
 * first child walked, so both sides of it are walked); each is loaded with
 * all their events, by index.
 *
 * Networks are not detected: the network alerts of the last full run stay,
 * and the walked children keep its network feedback (M09). A full run
 * (jd_analyse, `joindots analyse`) is still needed for new networks and
 * for clocks that ran out for children no change touched (a return
 * interview overdue, a score's window ended).
 *
 * opts->save must be set and opts->as_of JD_AS_OF_NOW. With no saved
 * analysis yet, or a store without incremental support, this runs the full
 * analysis (stats->full). Returns as jd_analyse.
 */
JD_API int jd_analyse_incremental(jd_store *s, const jd_analyse_opts *opts,
                                  const char *const *persons, size_t npersons,
                                  jd_analyse_stats *stats, jd_error *err);
/* The same, and when walked is not NULL the keys of the persons walked
 * (*walked malloc'd, NULL when none or after a full run; free with
 * jd_analyse_keys_free): the escalation engine runs over them
 * (jd_escalate_opts.persons). */
JD_API int jd_analyse_incremental_keys(jd_store *s, const jd_analyse_opts *opts,
                                       const char *const *persons, size_t npersons,
                                       jd_analyse_stats *stats, char ***walked, size_t *nwalked,
                                       jd_error *err);
JD_API void jd_analyse_keys_free(char **keys, size_t n);

/* What an incremental run covers (jd_analyse_incremental_ex). */
typedef struct jd_incr_input {
    const char *const *persons; /* person keys to walk besides the changes below */
    size_t npersons;
    bool since_mark;       /* also everything changed since the last saved analysis, and
                              move its watermark (what jd_analyse_incremental does) */
    bool identities_known; /* persons name every identity a resolve run changed since the
                              last analysis (jd_resolve_incremental's touched set, gone
                              ones included): the store's comparison of every resolved
                              ref with what the last analysis saw is skipped */
    /* [out] if not NULL: the records the run loaded (its walked persons with
     * all their events, and more), kept for the escalation engine that
     * follows (jd_escalate_opts.kept), so that it need not load its persons'
     * events again; NULL when the run walked no one, failed or ran in full.
     * Free with jd_analysis_kept_free. */
    struct jd_analysis_kept **keep;
} jd_incr_input;
typedef struct jd_analysis_kept jd_analysis_kept;
JD_API void jd_analysis_kept_free(jd_analysis_kept *k);
JD_API int jd_analyse_incremental_ex(jd_store *s, const jd_analyse_opts *opts,
                                     const jd_incr_input *in, jd_analyse_stats *stats,
                                     char ***walked, size_t *nwalked, jd_error *err);

/*
 * The urgent-call fast path (issue 17): before anything else of a feed runs
 * (resolve included), screen the new or changed records of call handling
 * and the police for the catalogue's bypass triggers (T1-T3: "held against
 * her will"...), tie each to its persons by the ref's existing identity
 * (exact agency and ref, else the ref alone, "U:agency:ref"), and analyse
 * those persons incrementally, their alerts saved at once. The watermark is
 * left as it was, so the incremental run that follows still takes the whole
 * feed. walked as jd_analyse_incremental_keys (none when nothing urgent).
 * stats->seconds_touched is the time to find and screen the records.
 */
JD_API int jd_analyse_urgent_keys(jd_store *s, const jd_analyse_opts *opts,
                                  jd_analyse_stats *stats, char ***walked, size_t *nwalked,
                                  jd_error *err);

/* One indicator or rule found in an event, for a chronology. */
typedef struct jd_finding {
    const char *rule;   /* "S02", "T2", "C2", "L07" */
    const char *name;   /* indicator name, offence, or wording to avoid */
    const char *why;    /* "event type missing_report", the phrase that matched... */
    const char *advice; /* language rules: what to write instead; else NULL */
    int offset, length; /* the matched bytes in the text; -1 when not from the text */
} jd_finding;

/* A reusable screener (rules compiled once); one thread at a time. */
typedef struct jd_screener jd_screener;
typedef struct jd_screen_input {
    const char *event_type; /* contract code; NULL = other */
    const char *text;
    int age;                /* the child's age at the event, -1 unknown */
    bool vehicle;           /* a vehicle is among the event's objects */
    bool adult_party;       /* an adult suspect or associate is among its people */
} jd_screen_input;

JD_API int jd_screener_open(jd_screener **out, const char *rules_path, jd_error *err);
/* The same with the screen's learned combiner chosen (jd_screen_open_model:
 * NULL the built-in one, as jd_screener_open and analyse by default; "none"
 * the rules alone; else a model file). */
JD_API int jd_screener_open_model(jd_screener **out, const char *rules_path,
                                  const char *screen_model, jd_error *err);
JD_API void jd_screener_close(jd_screener *s);
/* Calls cb for each finding in the input; returns JD_OK or cb's non-zero value. */
JD_API int jd_screener_run(jd_screener *s, const jd_screen_input *in,
                           int (*cb)(const jd_finding *f, void *payload), void *payload,
                           jd_error *err);

/*
 * Screen one text on its own (the language check while a note is written,
 * and tests): calls cb for each indicator, trigger and language finding.
 * Crime rules need the child's age and are reported only when `age` >= 0.
 * Returns JD_OK or an error from the rules.
 */
JD_API int jd_screen_text(const char *rules_path, const char *event_type, const char *text,
                          int age, int (*cb)(const jd_finding *f, void *payload), void *payload,
                          jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
