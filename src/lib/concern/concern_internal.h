/*
 * The concern module: concern state and the ladder (state.c: plain
 * functions, calling nothing else of the module), human actions and
 * reading concerns (concern.c), the escalation engine (escalate.c) and
 * delivery (notify.c). Calls go concern.c -> escalate.c -> state.c, never
 * back. See docs/escalation.md.
 *
 * May include: util, text, store, resolve, screen, analyse, network (and
 * public headers). Never access, query or tools.
 */
#ifndef JD_CONCERN_INTERNAL_H
#define JD_CONCERN_INTERNAL_H

#include "util/internal.h"
#include "store/concern_ops.h"
#include "store/store.h"

#include <joindots/concern.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define JD_LADDER_MAX_RUNGS 12

typedef struct jd_rung {
    const char *id, *name; /* borrowed from the ladder's JSON */
    int ack_wd, due_wd;    /* working days; 0: no deadline */
    bool manager;
} jd_rung;

typedef struct jd_ladder {
    json_t *root;
    jd_rung rung[JD_LADDER_MAX_RUNGS];
    int nrungs;
    int signoff_min_rung, signoff_min_level, individual_ceiling;
    int rung_by_level[5]; /* -1: no concern at that level */
    json_t *alert_kinds, *phrases, *close_reasons, *signoff_reasons;
    int pattern_rung, pattern_min_children, pattern_min_level, network_rung, strategic_rung;
    json_t *web_roles; /* web application role -> the rung it acts at (borrowed, checked) */
    json_t *builtin;   /* the built-in ladder, when web_roles came from it */
} jd_ladder;

int jd_ladder__load(jd_ladder **out, const char *path, jd_error *err);
void jd_ladder__free(jd_ladder *L);
/* Index of a rung id, -1 if none. */
int jd_ladder__rung(const jd_ladder *L, const char *id);
/* `n` working days (Monday to Friday, UTC days) after t, same time of day. */
int64_t jd_concern__add_wd(int64_t t, int n);

/*
 * The state machine: fold a concern's base (what it rests on, with the
 * alert level steps of a derived concern) and its human actions up to T
 * into its state, adding automatic rises at missed deadlines. `human` is a
 * JSON array of action objects ({"action","at","actor","role",...}) sorted
 * by time. [out] *state (new reference) and *autos (new array of automatic
 * entries, {"action","at","rung","level","why"}). Never fails but for OOM.
 */
int jd_concern__simulate(const jd_ladder *L, json_t *base, json_t *human, int64_t T, json_t **state,
                         json_t **autos);
/* jd_concern__simulate, and [out] *changes_at (NULL: not wanted): the first
 * time after T at which the state may differ (INT64_MAX: never, unless
 * something is recorded). */
int jd_concern__simulate_next(const jd_ladder *L, json_t *base, json_t *human, int64_t T,
                              json_t **state, json_t **autos, int64_t *changes_at);

/* Fill a public jd_concern from base, state and history. */
int jd_concern__fill(jd_concern *out, const char *id, bool automatic, int64_t version, json_t *base,
                     json_t *state, json_t *history);

/* Write a concern (insert when expected_version is 0) with new history
 * entries; queues a message for each entry that changes who must act. */
int jd_concern__write(jd_store *s, const char *id, bool automatic, int64_t expected_version,
                      json_t *base, json_t *state, json_t *entries, int64_t *new_version,
                      jd_error *err);

/* Load a stored concern: base, the human actions up to T (sorted) and the
 * whole history. Returns JD_ENOTFOUND if not stored. */
typedef struct jd_concern_loaded {
    char *id;
    bool automatic;
    int64_t version;
    json_t *base, *human, *history;
} jd_concern_loaded;
int jd_concern__load(jd_concern_loaded *out, jd_store *s, const char *id, int64_t T, jd_error *err);
void jd_concern__loaded_dispose(jd_concern_loaded *l);

/* Fold base + human actions to T and write the concern with `extra`
 * entries first, then any automatic steps the stored history lacks. With
 * only_if_changed, nothing is written when the state equals old_state and
 * there is nothing to append. */
int jd_concern__sync(jd_store *s, const jd_ladder *L, const char *id, bool automatic,
                     int64_t expected, json_t *base, json_t *human, json_t *history, json_t *extra,
                     int64_t T, int64_t *new_version, bool only_if_changed, const char *old_state,
                     jd_error *err);
/* Does a concern pass a list query's filters? */
bool jd_concern__match(const jd_concern_query *q, const jd_concern *c);

/* Levels by name ("low".."critical" -> 1..4, else -1) and back ("none"
 * for 0 or out of range). */
int jd_concern__level_parse(const char *s);
const char *jd_concern__level_name(int l);
/* The string member k of o, or NULL. */
static inline const char *jd_concern__jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}
/* Automatic entries of `autos` that the stored history does not hold yet
 * (new array, each marked automatic and by joindots). */
json_t *jd_concern__unsaved_autos(json_t *history, json_t *autos);

/* Does the fold replay stored entry e (as of T)? A person's entries, and
 * the system's "placed" (the urgent lane's concern closed into its
 * identity's: automatic, but no rule of the fold derives it again). */
bool jd_concern__replayed(const jd_concern_evrec *e, int64_t T);

/* A concern's history as of T, appended to hist: the stored entries by T
 * (human actions and its opening; stored automatic steps are recomputed)
 * and the automatic steps of the fold (autos), marked as joindots'. */
void jd_concern__history_at(json_t *hist, json_t *history, json_t *autos, int64_t T);

/* Time helpers: JSON string of a time, and back (0 if absent). */
json_t *jd_concern__time_json(int64_t t);
int64_t jd_concern__json_time(json_t *v);
/* The entry that carries human entry h of the call's concern `from` onto
 * the child's concern, whose human entries are `had` (concern.c
 * placed_carry): a copy of h naming `from` (carried_from) and keeping h's
 * time as acted_at (none when h has no "at"). *out NULL when `had` holds
 * it already (same carried_from, acted_at, action, actor and text). JD_OK
 * or JD_ENOMEM. */
int jd_concern__carried(json_t *had, const char *from, json_t *h, json_t **out);

#endif
