/*
 * Concerns and escalation (issue 7, DOMAIN.md §5): every concern about a
 * child, an adult, a place, a vehicle or a pattern has an owner, a rung of
 * the escalation ladder, a level, a due date, the records it rests on and an
 * append-only history. It is closed only with a reason from a list plus
 * free text; closing a high-level concern, or a disclosure with "no further
 * action", needs the sign-off of a different person at manager rung or
 * above. Strategic items (the board's agenda) leave it only by a recorded
 * board decision with a decision-maker and a reason.
 *
 * The escalation engine (jd_escalate_run) derives concerns from alerts and
 * notes and moves unacknowledged or overdue concerns up the ladder by
 * itself. It is time-true: run "as of" T it uses only what was known by T
 * and the human actions recorded by T, and derived concerns have stable
 * ids. Deadlines count working days (Monday to Friday).
 *
 * The ladder and rule thresholds come from data/escalation/ladder.json
 * (compiled in) or a file of the same form (`ladder_path`).
 *
 * Actors: accounts come later; for now an actor is a user name and the
 * rung (role) they act at, e.g. {"alice", "team_manager"}.
 *
 * A store handle is used by one thread at a time; these functions keep no
 * state between calls.
 */
#ifndef JOINDOTS_CONCERN_H
#define JOINDOTS_CONCERN_H

#include <joindots/analyse.h>
#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Who acts: a user name and the rung they act at (a ladder rung id). */
typedef struct jd_concern_actor {
    const char *name;
    const char *role;
} jd_concern_actor;

/* A new concern. Strings are borrowed for the call. */
typedef struct jd_concern_new {
    const char *kind;        /* child, adult, place, vehicle or pattern */
    const char *subject;     /* person_id, place, vehicle mark or pattern words */
    const char *title;       /* short, no personal data beyond ids */
    const char *level;       /* low, medium, high, critical; NULL: medium */
    const char *rung;        /* starting rung; NULL: by level (practitioner below high) */
    const char *owner;       /* NULL: the rung's queue (its id) */
    const char *records;     /* JSON array of {"agency","record_id"}, or NULL */
    const char *from_alert;  /* id of an alert of the stored analysis: subject, level and
                                records come from it unless given */
    bool disclosure;         /* rests on a disclosure (closing with no further action
                                needs a sign-off) */
    bool strategic;          /* put it on the board's agenda */
    const char *ladder_path; /* NULL: the built-in ladder */
} jd_concern_new;
#define JD_CONCERN_NEW_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, NULL                         \
    }

/* A concern as of some time. Owned by the caller: jd_concern_dispose(). */
typedef struct jd_concern {
    char *id, *kind, *subject, *title;
    char *level, *rung, *owner, *status; /* status: open, acknowledged, closed */
    bool automatic;                      /* derived by the engine */
    bool strategic;                      /* on the board's agenda (until decided) */
    bool overdue;                        /* not acknowledged or not closed in time at its rung */
    int64_t raised_at, reached_at, due_at, closed_at;
    int64_t version; /* for jd_concern_action.expected_version; 0 if not stored */
    /* jd_concern_get: the first time after as_of at which this state may
     * change with nothing recorded (a deadline of its rung, a step or action
     * recorded for later); INT64_MAX never; 0 not known. */
    int64_t changes_at;
    char *json;      /* everything, with records and history, as one JSON object */
} jd_concern;
JD_API void jd_concern_dispose(jd_concern *c);

/*
 * Raise a concern at time `at` (0: now). [out] *out_id (caller frees), may
 * be NULL. Returns JD_OK, JD_EINVALID (bad kind, level, rung, records),
 * JD_ENOTFOUND (from_alert not among the stored alerts), JD_ESTORE.
 */
JD_API int jd_concern_raise(char **out_id, jd_store *s, const jd_concern_new *c,
                            const jd_concern_actor *by, int64_t at, jd_error *err);

/* What a human does to a concern. */
typedef enum {
    JD_CONCERN_ACK,      /* acknowledge at the current rung */
    JD_CONCERN_COMMENT,  /* text */
    JD_CONCERN_ASSIGN,   /* to: user name */
    JD_CONCERN_ESCALATE, /* to: rung id (NULL: next rung); text: why */
    JD_CONCERN_CLOSE,    /* reason_code, text, signoff_by/_role when needed */
    JD_CONCERN_DECIDE,   /* board: decision, decision_maker, text (the reason) */
} jd_concern_verb;

typedef struct jd_concern_action {
    int64_t at;               /* when; 0: now */
    int64_t expected_version; /* the version the actor saw; 0: the current one */
    const char *text, *to, *reason_code;
    const char *signoff_by, *signoff_role;
    const char *decision, *decision_maker;
    const char *ladder_path; /* NULL: built-in */
} jd_concern_action;
#define JD_CONCERN_ACTION_INIT                                                                     \
    {                                                                                              \
        0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL                                       \
    }

/*
 * Apply one action; the history gets an entry and the owner a message.
 * Returns JD_OK; JD_ENOTFOUND (no such concern); JD_ECONFLICT (someone
 * changed it since expected_version, or it is closed); JD_EDENIED (refused:
 * closing without a reason or text, without a valid sign-off when one is
 * needed, closing a strategic item other than by a board decision, a
 * decision without decision-maker or reason); JD_EINVALID (bad verb, rung,
 * reason code); JD_ESTORE.
 */
JD_API int jd_concern_act(jd_store *s, const char *id, jd_concern_verb verb,
                          const jd_concern_action *a, const jd_concern_actor *by, jd_error *err);

/*
 * The rung a role of the web application ("practitioner", "manager",
 * "analyst", "board": jd_role_name) acts at, from the ladder's "web_roles"
 * (data/escalation/ladder.json), copied into out (cap bytes); "" when the
 * role acts at no rung. Returns JD_OK, JD_EINVALID (ladder file) or
 * JD_ELIMIT (a rung id longer than cap - 1 bytes).
 */
JD_API int jd_concern_role_rung(const char *ladder_path, const char *role, char *out, size_t cap,
                                jd_error *err);

/*
 * The reason codes a concern may be closed with (the ladder's list), in
 * order: code, text, and whether closing a disclosure with it needs a
 * sign-off (closing at high or above always does). Returns JD_OK,
 * JD_EINVALID (ladder file), or cb's non-zero return.
 */
JD_API int jd_concern_close_reasons(const char *ladder_path,
                                    int (*cb)(const char *code, const char *text, bool signoff,
                                              void *payload),
                                    void *payload, jd_error *err);

/*
 * One concern as of `as_of` (JD_AS_OF_NOW: now; its state is recomputed at
 * `now`, 0 = wall clock). Stored concerns only. [out] *out on success.
 * Returns JD_OK, JD_ENOTFOUND, JD_ESTORE.
 */
JD_API int jd_concern_get(jd_concern *out, jd_store *s, const char *id, int64_t as_of, int64_t now,
                          const char *ladder_path, jd_error *err);

typedef int (*jd_concern_cb)(const jd_concern *c, void *payload);

/* Which concerns to list. */
typedef struct jd_concern_query {
    int64_t as_of;     /* JD_AS_OF_NOW: the stored concerns now; else a replay */
    int64_t now;       /* clock when as_of is NOW; 0: wall clock */
    const char *owner; /* inbox: owned by this user or their rung's queue */
    const char *role;  /* the user's rung (for the queue) */
    bool open_only;    /* skip closed ones */
    bool agenda;       /* the board's agenda only */
    bool overdue_only;
    const char *ladder_path;
    const char *rules_path; /* for a replay's analysis */
} jd_concern_query;
#define JD_CONCERN_QUERY_INIT                                                                      \
    {                                                                                              \
        JD_AS_OF_NOW, 0, NULL, NULL, false, false, false, NULL, NULL                               \
    }

/* The concerns' change counter: one more at each concern written (0 before
 * the first). Read before jd_concern_list, the list is at least as new. */
JD_API int jd_concern_generation(jd_store *s, int64_t *out, jd_error *err);

/* The stored concerns' ids and versions (one more at each write of the
 * concern), in the store's order, in one read: what a reader that keeps
 * concerns compares to see which changed. cb's non-zero return stops the
 * list and is returned. Returns JD_OK, JD_EINVALID, JD_ESTORE. */
JD_API int jd_concern_versions(jd_store *s,
                               int (*cb)(const char *id, int64_t version, void *payload),
                               void *payload, jd_error *err);

/* Call cb for each concern matching q, by id (borrowed for the call). */
JD_API int jd_concern_list(jd_store *s, const jd_concern_query *q, jd_concern_cb cb, void *payload,
                           jd_error *err);

/* ---- the escalation engine ---- */

typedef struct jd_escalate_opts {
    const char *ladder_path, *rules_path;
    bool save;        /* store derived concerns and automatic steps, queue messages
                         (only with as_of JD_AS_OF_NOW) */
    FILE *alerts_out; /* if set: the analysis alerts plus one `escalation` alert per
                         concern that rose, JSON Lines ordered by id (contract §2.2) */
    jd_concern_cb cb; /* if set: each concern as of the run */
    void *payload;
    bool stored;      /* as of now, built-in ladder and rules: start from the alerts and
                         concern bases the last analysis stored (jd_escalate_analyse)
                         when nothing was ingested or resolved since, instead of
                         analysing again; else as without */
    /* Only these persons (person_ids, "U:agency:ref"; issue 17, after an
     * incremental analysis): as of now, from their stored alerts and the
     * stored network alerts, and their own events; only the concerns derived
     * from them (and their stored child concerns) are folded and saved. NULL:
     * everyone. */
    const char *const *persons;
    size_t npersons;
    /* With persons: the records the incremental analysis that walked them
     * loaded (jd_incr_input.keep; persons are its walked ones), read instead
     * of loading the persons' events again: the events naming one of them,
     * and the persons those events name, as that load would give. NULL:
     * loaded from the store. */
    const struct jd_analysis_kept *kept;
} jd_escalate_opts;
#define JD_ESCALATE_OPTS_INIT                                                                      \
    {                                                                                              \
        NULL, NULL, false, NULL, NULL, NULL, false, NULL, 0, NULL                                  \
    }

typedef struct jd_escalate_stats {
    int64_t concerns, derived, open, overdue, on_agenda, closed;
    int64_t auto_steps;     /* automatic rises and reopenings up to the run's time */
    int64_t written;        /* concerns written (save) */
    int64_t conflicts;      /* not written: changed by someone during the run; the next
                               run catches up */
    int64_t first_high_at;  /* first alert at high or above; 0 none */
    int64_t board_first_at; /* first time an item reached the board's agenda; 0 none */
    char board_first_id[160];
    int64_t alerts; /* lines written to alerts_out */
    bool stored;    /* the run started from what the analysis stored (opts.stored) */
    int64_t loaded; /* a subset run: events it loaded from the store (0 with opts.kept) */
} jd_escalate_stats;

/*
 * Run the rules over what was known by `as_of` (JD_AS_OF_NOW: everything,
 * with clocks at `now`, 0 = wall clock): alerts reaching high or critical
 * open a child concern at the rung for the level; a network alert, or
 * linked children with concerns, open a pattern concern at the exploitation
 * meeting; notes with words such as "organised abuse ring" or "group of men"
 * open a strategic item on the board's agenda; unacknowledged or overdue
 * concerns rise a rung; a closed child concern whose risk rises reopens.
 * Returns JD_OK, JD_EINVALID (ladder or rules file), JD_ENOMEM, JD_EIO,
 * JD_ESTORE.
 */
JD_API int jd_escalate_run(jd_store *s, int64_t as_of, int64_t now, const jd_escalate_opts *o,
                           jd_escalate_stats *stats, jd_error *err);

/*
 * After the urgent lane (jd_analyse_urgent_keys) raised alerts and opened
 * concerns on refs no identity held yet ("U:agency:ref" keys) and a resolve
 * has since placed them: each such open child concern (auto:child:U:...)
 * is closed as "placed" (an automatic entry), its last entry naming the
 * identity and the identity's own concern (auto:child:PERSON_ID), which the
 * escalation over that child opened from the same alerts: one open concern
 * per child, not two. When the identity's concern is closed already, the
 * ref's is closed too, its note saying so: the call's records are the
 * child's now and the escalation over the child judges them with the rest
 * (reopening the child's concern would undo a closing by a person's hand).
 * Keys that are not "U:", whose ref is still unresolved, or whose identity
 * has no concern yet, are left as they are (the next reconcile looks again).
 * Every key is tried; the first error is returned.
 * [out] placed (may be NULL): concerns closed so. Returns JD_OK,
 * JD_EINVALID, JD_ENOMEM, JD_ESTORE.
 */
JD_API int jd_escalate_placed(jd_store *s, const char *const *keys, size_t n, int64_t now,
                              int64_t *placed, jd_error *err);

/*
 * jd_escalate_placed over every open urgent-lane concern in the store
 * (auto:child:U:..., one range read on the concern ids), not only the keys
 * of this process's last lane: a stage that failed, an identity whose
 * concern opened later, or a restart between the lane and the update, are
 * made good at the next update or scheduled escalation.
 * [out] placed (may be NULL). Returns as jd_escalate_placed.
 */
JD_API int jd_escalate_placed_open(jd_store *s, int64_t now, int64_t *placed, jd_error *err);

/*
 * jd_analyse, saved, with everything readers need stored with it in the
 * same pass over the records (analysis_doc): the concern bases of the
 * rules (child concerns from alerts at high or above, network and
 * linked-children patterns, strategic notes), which do not depend on the
 * clock, so that jd_escalate_run with opts.stored needs neither the
 * analysis nor the records again; and the network graph, hotspots and the
 * profile of every person, vehicle, phone and place the graph shows, which
 * jd_network_stored serves. Only for a saved run as of now with the
 * built-in rules; other options run jd_analyse alone. Returns what
 * jd_analyse returns, and JD_ESTORE.
 */
JD_API int jd_escalate_analyse(jd_store *s, const jd_analyse_opts *opts, jd_analyse_stats *stats,
                               jd_error *err);

/* ---- notifications ---- */

typedef struct jd_notify_opts {
    const char *smtp_host;   /* numeric IPv4/IPv6 or host name; NULL: no email */
    int smtp_port;           /* 25 by default */
    const char *mail_from;   /* envelope and From: address */
    const char *mail_domain; /* recipient address: <owner>@<mail_domain> */
    const char *webhook_url; /* http://host:port/path; NULL: no webhook */
    int timeout_ms;          /* per connection step; 0: 5000 */
    int64_t now;             /* clock for the retry schedule; 0: wall clock */
    int wait_s;              /* keep retrying (sleeping to the next due attempt) for up to
                                this many seconds; 0: one pass */
} jd_notify_opts;
#define JD_NOTIFY_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, 25, NULL, NULL, NULL, 0, 0, 0                                                        \
    }

typedef struct jd_notify_stats {
    int64_t queued, delivered, failed, pending;
} jd_notify_stats;

/*
 * Deliver queued messages by SMTP and/or webhook (plain TCP, with
 * timeouts). A failed attempt is recorded and retried later with backoff
 * (30 s doubling, at most an hour); nothing is dropped. Returns JD_OK even
 * when some deliveries failed (see stats->pending), JD_EINVALID (bad
 * options), JD_ESTORE.
 */
JD_API int jd_notify_deliver(jd_store *s, const jd_notify_opts *o, jd_notify_stats *stats,
                             jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
