/*
 * Concern state (see docs/escalation.md): plain functions on the ladder and
 * on a concern's stored parts, used by the human actions of concern.c and
 * by the escalation engine of escalate.c, neither of which the other calls
 * back (concern.c -> escalate.c -> state.c, and concern.c -> state.c).
 *
 * A concern is stored as its base (what it rests on: kind, subject, opening
 * time and rung, records and, for derived concerns, the times its alerts
 * reached each level) plus an append-only history of human actions and
 * automatic steps. Its state (rung, owner, status, deadlines) is always the
 * fold of the base and the human actions up to a time T by one function,
 * jd_concern__simulate, which also adds the automatic rises at missed
 * deadlines. The stored state is a cache of that fold; a replay "as of" T
 * folds only what was recorded by T, so it cannot disagree with the live
 * system. Writes carry the version read: a stale write is JD_ECONFLICT.
 */
#include "concern/concern_internal.h"
#include "util/embedded.h"

#include <joindots/chronology.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400

static const char *const level_names[] = {"none", "low", "medium", "high", "critical"};

int jd_concern__level_parse(const char *s)
{
    for (int i = 1; s && i <= 4; i++)
        if (!strcmp(s, level_names[i]))
            return i;
    return -1;
}

const char *jd_concern__level_name(int l)
{
    return l >= 0 && l <= 4 ? level_names[l] : "none";
}

/* ---- ladder ---- */

int jd_ladder__rung(const jd_ladder *L, const char *id)
{
    for (int i = 0; id && i < L->nrungs; i++)
        if (!strcmp(L->rung[i].id, id))
            return i;
    return -1;
}

void jd_ladder__free(jd_ladder *L)
{
    if (!L)
        return;
    json_decref(L->builtin);
    json_decref(L->root);
    free(L);
}

static int bad(jd_ladder *L, jd_error *err, const char *src, const char *what)
{
    jd_ladder__free(L);
    return jd_error_set_at(err, JD_EINVALID, src, 0, 0, "ladder: %s", what);
}

static int rung_of(const jd_ladder *L, json_t *o, const char *key, int def)
{
    json_t *v = json_object_get(o, key);
    return v ? jd_ladder__rung(L, json_string_value(v)) : def;
}

/* The web roles' rungs (policy: data/escalation/ladder.json "web_roles"):
 * a ladder file without them takes the built-in ladder's, whose rung ids
 * must then be rungs of this ladder. */
static int web_roles(jd_ladder *L)
{
    L->web_roles = json_object_get(L->root, "web_roles");
    if (!L->web_roles) {
        json_error_t je;
        L->builtin = json_loadb(jd_data_escalation_ladder, jd_data_escalation_ladder_len, 0, &je);
        L->web_roles = json_object_get(L->builtin, "web_roles");
    }
    if (!json_is_object(L->web_roles) || json_object_size(L->web_roles) == 0)
        return -1;
    const char *role;
    json_t *v;
    json_object_foreach(L->web_roles, role, v)
    {
        if (!*role || jd_ladder__rung(L, json_string_value(v)) < 0)
            return -1;
    }
    return 0;
}

int jd_ladder__load(jd_ladder **out, const char *path, jd_error *err)
{
    json_error_t je;
    const char *src = path ? path : "ladder.json";
    json_t *root =
        path ? json_load_file(path, 0, &je)
             : json_loadb(jd_data_escalation_ladder, jd_data_escalation_ladder_len, 0, &je);
    if (!root)
        return jd_error_set_at(err, JD_EINVALID, src, je.line, je.column, "ladder: %s", je.text);
    jd_ladder *L = calloc(1, sizeof *L);
    if (!L) {
        json_decref(root);
        return jd_oom(err);
    }
    L->root = root;
    json_t *rungs = json_object_get(root, "rungs");
    if (!json_is_array(rungs) || json_array_size(rungs) < 2 ||
        json_array_size(rungs) > JD_LADDER_MAX_RUNGS)
        return bad(L, err, src, "\"rungs\" must list 2 to 12 rungs");
    size_t i;
    json_t *r;
    json_array_foreach(rungs, i, r)
    {
        jd_rung *g = &L->rung[L->nrungs++];
        g->id = json_string_value(json_object_get(r, "id"));
        g->name = json_string_value(json_object_get(r, "name"));
        g->ack_wd = (int)json_integer_value(json_object_get(r, "ack_working_days"));
        g->due_wd = (int)json_integer_value(json_object_get(r, "due_working_days"));
        g->manager = json_is_true(json_object_get(r, "manager"));
        if (!g->id || !*g->id || jd_ladder__rung(L, g->id) != L->nrungs - 1 || g->ack_wd < 0 ||
            g->due_wd < 0 || g->ack_wd > 365 || g->due_wd > 365)
            return bad(L, err, src, "each rung needs a unique id and deadlines of 0-365 days");
        if (!g->name)
            g->name = g->id;
    }
    int top = L->nrungs - 1;
    L->signoff_min_rung = rung_of(L, root, "signoff_min_rung", 1);
    L->signoff_min_level =
        jd_concern__level_parse(json_string_value(json_object_get(root, "signoff_min_level")));
    L->individual_ceiling = rung_of(L, root, "individual_ceiling", top);
    json_t *al = json_object_get(root, "alerts");
    L->alert_kinds = json_object_get(al, "kinds");
    json_t *rbl = json_object_get(al, "rung_by_level");
    for (int l = 0; l < 5; l++)
        L->rung_by_level[l] = -1;
    for (int l = 1; l <= 4; l++)
        if (json_object_get(rbl, level_names[l]))
            L->rung_by_level[l] = rung_of(L, rbl, level_names[l], -2);
    json_t *pat = json_object_get(root, "pattern");
    L->pattern_rung = rung_of(L, pat, "rung", top);
    L->pattern_min_children = (int)json_integer_value(json_object_get(pat, "min_children"));
    L->pattern_min_level = jd_concern__level_parse(json_string_value(json_object_get(pat, "min_level")));
    L->network_rung = rung_of(L, json_object_get(root, "network"), "rung", L->pattern_rung);
    json_t *str = json_object_get(root, "strategic");
    L->strategic_rung = rung_of(L, str, "rung", top);
    L->phrases = json_object_get(str, "phrases");
    if (web_roles(L) < 0)
        return bad(L, err, src,
                   "\"web_roles\" must map each web role to a rung of this ladder");
    L->close_reasons = json_object_get(root, "close_reasons");
    L->signoff_reasons = json_object_get(root, "signoff_reasons");
    bool ok = L->signoff_min_rung >= 0 && L->signoff_min_level > 0 && L->individual_ceiling >= 0 &&
              L->pattern_rung >= 0 && L->network_rung >= 0 && L->strategic_rung >= 0 &&
              json_is_array(L->alert_kinds) && json_is_array(L->phrases) &&
              json_is_array(L->close_reasons) && json_array_size(L->close_reasons) > 0 &&
              json_is_array(L->signoff_reasons) && L->pattern_min_children >= 2 &&
              L->pattern_min_level > 0;
    for (int l = 1; l <= 4; l++)
        ok = ok && L->rung_by_level[l] != -2;
    if (!ok)
        return bad(L, err, src,
                   "missing or unknown signoff_min_rung/level, individual_ceiling, alerts, "
                   "pattern, network, strategic, close_reasons or signoff_reasons");
    *out = L;
    return JD_OK;
}

/* ---- time ---- */

int64_t jd_concern__add_wd(int64_t t, int n)
{
    int64_t d = t;
    for (int k = 0; k < n;) {
        d += DAY;
        /* 1970-01-01 was a Thursday: day % 7 == 2 is Saturday, 3 Sunday */
        int64_t days = d >= 0 ? d / DAY : (d - DAY + 1) / DAY;
        int wd = (int)(((days % 7) + 7) % 7);
        if (wd != 2 && wd != 3)
            k++;
    }
    return d;
}

json_t *jd_concern__time_json(int64_t t)
{
    if (!t)
        return json_null();
    char b[32];
    jd_time_format(b, t);
    return json_string(b);
}

int64_t jd_concern__json_time(json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    int64_t t = 0;
    if (json_is_string(v) && jd_time_parse(&t, json_string_value(v), 0) == JD_OK)
        return t;
    return 0;
}


/* ---- the state machine ---- */

enum { ST_OPEN, ST_ACK, ST_CLOSED };
static const char *const status_names[] = {"open", "acknowledged", "closed"};

typedef struct sim {
    const jd_ladder *L;
    int r, ceiling, level, status, comments;
    const char *owner;
    int64_t reached, acked_at, closed_at;
    json_t *rungs, *autos, *close, *decision;
} sim;

static int64_t ack_deadline(const sim *S)
{
    const jd_rung *g = &S->L->rung[S->r];
    return S->status == ST_OPEN && g->ack_wd > 0 ? jd_concern__add_wd(S->reached, g->ack_wd)
                                                 : INT64_MAX;
}

static int64_t due_deadline(const sim *S)
{
    const jd_rung *g = &S->L->rung[S->r];
    return g->due_wd > 0 ? jd_concern__add_wd(S->reached, g->due_wd) : INT64_MAX;
}

static int64_t deadline(const sim *S)
{
    if (S->status == ST_CLOSED || S->r >= S->ceiling)
        return INT64_MAX;
    int64_t a = ack_deadline(S), d = due_deadline(S);
    return a < d ? a : d;
}

static void rise(sim *S, int64_t t, int to, const char *why, bool automatic, const char *by,
                 const char *action)
{
    S->r = to;
    S->reached = t;
    S->status = ST_OPEN;
    S->acked_at = 0;
    S->owner = S->L->rung[to].id;
    json_array_append_new(S->rungs,
                          json_pack("{s:s,s:s,s:o,s:s,s:b,s:s}", "rung", S->L->rung[to].id, "level",
                                    jd_concern__level_name(S->level), "at", jd_concern__time_json(t), "why",
                                    why, "automatic", automatic, "by", by ? by : "joindots"));
    if (automatic)
        json_array_append_new(S->autos, json_pack("{s:s,s:I,s:s,s:s,s:s}", "action", action, "at",
                                                  (json_int_t)t, "rung", S->L->rung[to].id, "level",
                                                  jd_concern__level_name(S->level), "why", why));
}

static void apply_human(sim *S, json_t *h, int64_t at)
{
    const char *act = jd_concern__jstr(h, "action"), *by = jd_concern__jstr(h, "actor");
    if (!act)
        return;
    if (!strcmp(act, "acknowledged")) {
        if (S->status != ST_CLOSED) {
            S->status = ST_ACK;
            S->acked_at = at;
        }
    } else if (!strcmp(act, "commented")) {
        S->comments++;
    } else if (!strcmp(act, "assigned")) {
        if (jd_concern__jstr(h, "to"))
            S->owner = jd_concern__jstr(h, "to");
    } else if (!strcmp(act, "escalated")) {
        int to = jd_ladder__rung(S->L, jd_concern__jstr(h, "to"));
        if (to < 0)
            to = S->r + 1 < S->L->nrungs ? S->r + 1 : S->r;
        if (to > S->ceiling)
            S->ceiling = to;
        if (S->status != ST_CLOSED && to > S->r)
            rise(S, at, to, jd_concern__jstr(h, "text") ? jd_concern__jstr(h, "text") : "escalated by hand", false, by,
                 "escalated");
    } else if (!strcmp(act, "closed") || !strcmp(act, "decided") || !strcmp(act, "placed")) {
        if (S->status == ST_CLOSED)
            return;
        S->status = ST_CLOSED;
        S->closed_at = at;
        json_t *c = json_deep_copy(h);
        json_object_del(c, "action");
        json_object_set_new(c, "at", jd_concern__time_json(at));
        json_decref(!strcmp(act, "decided") ? S->decision : S->close);
        if (strcmp(act, "decided") != 0) /* closed, or placed in an identity (urgent lane) */
            S->close = c;
        else
            S->decision = c;
    }
}

static void apply_level(sim *S, int lvl, int64_t t, const char *kind)
{
    if (lvl <= S->level)
        return;
    S->level = lvl;
    int need = S->L->rung_by_level[lvl];
    char why[96];
    if (S->status == ST_CLOSED && kind && strcmp(kind, "pattern") != 0) {
        snprintf(why, sizeof why,
                 "risk rose to %s while the concern was closed: reopened for review",
                 jd_concern__level_name(lvl));
        S->closed_at = 0;
        json_decref(S->close);
        S->close = NULL;
        rise(S, t, need > S->r ? need : S->r, why, true, NULL, "reopened");
    } else if (S->status != ST_CLOSED && need > S->r) {
        snprintf(why, sizeof why, "the alerts reached %s", jd_concern__level_name(lvl));
        if (need > S->ceiling)
            S->ceiling = need;
        rise(S, t, need, why, true, NULL, "escalated");
    }
}

/* The first time after T at which the simulation's answer may differ: its
 * next input (a recorded step or human action, i and j the first not
 * applied, all after T) or a deadline of its rung (a rise, or overdue). */
static int64_t next_change(const sim *S, json_t *steps, size_t i, json_t *human, size_t j,
                           int64_t T)
{
    int64_t ts = jd_concern__json_time(json_object_get(json_array_get(steps, i), "at"));
    int64_t th = jd_concern__json_time(json_object_get(json_array_get(human, j), "at"));
    int64_t n = i < json_array_size(steps) ? ts : INT64_MAX;
    if (j < json_array_size(human) && th < n)
        n = th;
    if (S->status != ST_CLOSED) {
        int64_t a = ack_deadline(S), d = due_deadline(S);
        if (a > T && a < n)
            n = a;
        if (d > T && d < n)
            n = d;
    }
    return n;
}

int jd_concern__simulate(const jd_ladder *L, json_t *base, json_t *human, int64_t T, json_t **state,
                         json_t **autos)
{
    return jd_concern__simulate_next(L, base, human, T, state, autos, NULL);
}

int jd_concern__simulate_next(const jd_ladder *L, json_t *base, json_t *human, int64_t T,
                              json_t **state, json_t **autos, int64_t *changes_at)
{
    sim S;
    memset(&S, 0, sizeof S);
    S.L = L;
    S.rungs = json_array();
    S.autos = json_array();
    const char *kind = jd_concern__jstr(base, "kind");
    int64_t opened = jd_concern__json_time(json_object_get(base, "opened_at"));
    S.r = jd_ladder__rung(L, jd_concern__jstr(base, "rung"));
    if (S.r < 0)
        S.r = 0;
    S.ceiling = jd_ladder__rung(L, jd_concern__jstr(base, "ceiling"));
    if (S.ceiling < S.r)
        S.ceiling = S.r;
    S.level = jd_concern__level_parse(jd_concern__jstr(base, "level"));
    if (S.level < 0)
        S.level = 2;
    S.reached = opened;
    S.owner = jd_concern__jstr(base, "owner") ? jd_concern__jstr(base, "owner") : L->rung[S.r].id;
    json_array_append_new(
        S.rungs, json_pack("{s:s,s:s,s:o,s:s,s:b,s:s}", "rung", L->rung[S.r].id, "level",
                           jd_concern__level_name(S.level), "at", jd_concern__time_json(opened), "why",
                           "opened", "automatic", json_is_true(json_object_get(base, "automatic")),
                           "by", jd_concern__jstr(base, "raised_by") ? jd_concern__jstr(base, "raised_by") : "joindots"));
    json_t *steps = json_object_get(base, "steps");
    size_t ns = json_array_size(steps), nh = json_array_size(human), i = 0, j = 0;
    /* each pass consumes one input or stops */
    for (size_t guard = 0; guard <= ns + nh; guard++) {
        int64_t ts = i < ns ? jd_concern__json_time(json_object_get(json_array_get(steps, i), "at"))
                            : INT64_MAX;
        int64_t th = j < nh ? jd_concern__json_time(json_object_get(json_array_get(human, j), "at"))
                            : INT64_MAX;
        int64_t next = ts < th ? ts : th;
        for (int k = 0; k < JD_LADDER_MAX_RUNGS; k++) {
            int64_t d = deadline(&S);
            if (d > T || d >= next)
                break;
            char why[160];
            const jd_rung *g = &L->rung[S.r];
            if (S.status == ST_OPEN && ack_deadline(&S) == d)
                snprintf(why, sizeof why, "not acknowledged within %d working days at %s",
                         g->ack_wd, g->id);
            else
                snprintf(why, sizeof why, "not resolved within %d working days at %s", g->due_wd,
                         g->id);
            rise(&S, d, S.r + 1, why, true, NULL, "escalated");
        }
        if (next > T || next == INT64_MAX)
            break;
        if (ts <= th) {
            json_t *st = json_array_get(steps, i++);
            apply_level(&S, jd_concern__level_parse(jd_concern__jstr(st, "level")), ts, kind);
        } else {
            apply_human(&S, json_array_get(human, j++), th);
        }
    }
    if (changes_at)
        *changes_at = next_change(&S, steps, i, human, j, T);
    bool strategic = json_is_true(json_object_get(base, "strategic")) || S.r == L->nrungs - 1;
    int64_t due = S.status == ST_CLOSED ? 0 : due_deadline(&S);
    int64_t ackd = S.status == ST_OPEN ? ack_deadline(&S) : INT64_MAX;
    bool overdue = S.status != ST_CLOSED && (ackd <= T || (due && due <= T));
    json_t *st = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:b,s:b,s:b,s:o,s:o,s:i,s:o}", "status",
        status_names[S.status], "rung", L->rung[S.r].id, "rung_name", L->rung[S.r].name, "level",
        jd_concern__level_name(S.level), "owner", S.owner, "reached_at", jd_concern__time_json(S.reached),
        "ack_by", jd_concern__time_json(ackd == INT64_MAX ? 0 : ackd), "due_at",
        jd_concern__time_json(due == INT64_MAX ? 0 : due), "overdue", overdue, "strategic",
        strategic, "on_agenda", strategic && S.status != ST_CLOSED, "acknowledged_at",
        jd_concern__time_json(S.acked_at), "closed_at", jd_concern__time_json(S.closed_at),
        "comments", S.comments, "rungs", S.rungs);
    if (S.close)
        json_object_set_new(st, "close", S.close);
    if (S.decision)
        json_object_set_new(st, "decision", S.decision);
    if (strategic && T != INT64_MAX && T >= opened)
        json_object_set_new(st, "age_days", json_integer((T - opened) / DAY));
    if (!st) {
        json_decref(S.autos);
        return JD_ENOMEM;
    }
    *state = st;
    *autos = S.autos;
    return JD_OK;
}

/* ---- public struct ---- */

void jd_concern_dispose(jd_concern *c)
{
    if (!c)
        return;
    free(c->id);
    free(c->kind);
    free(c->subject);
    free(c->title);
    free(c->level);
    free(c->rung);
    free(c->owner);
    free(c->status);
    free(c->json);
    memset(c, 0, sizeof *c);
}

static char *dupj(json_t *o, const char *k)
{
    const char *s = jd_concern__jstr(o, k);
    return strdup(s ? s : "");
}

int jd_concern__fill(jd_concern *out, const char *id, bool automatic, int64_t version, json_t *base,
                     json_t *state, json_t *history)
{
    memset(out, 0, sizeof *out);
    json_t *o = json_pack("{s:s,s:I,s:b,s:O,s:O,s:o}", "id", id, "version", (json_int_t)version,
                          "automatic", automatic, "base", base, "state", state, "history",
                          history ? json_incref(history) : json_array());
    if (!o)
        return JD_ENOMEM;
    out->id = strdup(id);
    out->kind = dupj(base, "kind");
    out->subject = dupj(base, "subject");
    out->title = dupj(base, "title");
    out->level = dupj(state, "level");
    out->rung = dupj(state, "rung");
    out->owner = dupj(state, "owner");
    out->status = dupj(state, "status");
    out->automatic = automatic;
    out->strategic = json_is_true(json_object_get(state, "on_agenda")) ||
                     json_is_true(json_object_get(state, "strategic"));
    out->overdue = json_is_true(json_object_get(state, "overdue"));
    out->raised_at = jd_concern__json_time(json_object_get(base, "opened_at"));
    out->reached_at = jd_concern__json_time(json_object_get(state, "reached_at"));
    out->due_at = jd_concern__json_time(json_object_get(state, "due_at"));
    out->closed_at = jd_concern__json_time(json_object_get(state, "closed_at"));
    out->version = version;
    out->json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!out->id || !out->kind || !out->subject || !out->title || !out->level || !out->rung ||
        !out->owner || !out->status || !out->json) {
        jd_concern_dispose(out);
        return JD_ENOMEM;
    }
    return JD_OK;
}

/* ---- store glue ---- */

static const char *const notify_actions[] = {"raised", "escalated", "reopened", "assigned"};

int jd_concern__write(jd_store *s, const char *id, bool automatic, int64_t expected, json_t *base,
                      json_t *state, json_t *entries, int64_t *new_version, jd_error *err)
{
    if (!s->ops->concern)
        return jd_error_set(err, JD_ESTORE, "this store has no concerns");
    size_t n = json_array_size(entries);
    jd_concern_evrec *ev = calloc(n + 1, sizeof *ev);
    jd_outbox_rec *msg = calloc(n + 1, sizeof *msg);
    char **docs = calloc(n + 1, sizeof *docs), **subj = calloc(n + 1, sizeof *subj),
         **body = calloc(n + 1, sizeof *body);
    char *bs = json_dumps(base, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *ss = json_dumps(state, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc = JD_OK;
    size_t nmsg = 0;
    if (!ev || !msg || !docs || !subj || !body || !bs || !ss) {
        rc = jd_oom(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(entries, i);
        json_t *d = json_deep_copy(e);
        const char *action = jd_concern__jstr(e, "action");
        json_object_del(d, "at");
        json_object_del(d, "actor");
        json_object_del(d, "role");
        json_object_del(d, "action");
        json_object_del(d, "automatic");
        docs[i] = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        if (!docs[i]) {
            rc = jd_oom(err);
            goto out;
        }
        ev[i] = (jd_concern_evrec){0,
                                   id,
                                   jd_concern__json_time(json_object_get(e, "at")),
                                   0,
                                   jd_concern__jstr(e, "actor") ? jd_concern__jstr(e, "actor") : "joindots",
                                   jd_concern__jstr(e, "role") ? jd_concern__jstr(e, "role") : "",
                                   action ? action : "noted",
                                   json_is_true(json_object_get(e, "automatic")),
                                   docs[i]};
        bool tell = false;
        for (size_t k = 0; action && k < JD_ARRAY_LEN(notify_actions); k++)
            tell |= !strcmp(action, notify_actions[k]);
        if (!tell)
            continue;
        const char *to = jd_concern__jstr(e, "to");
        const char *rung = jd_concern__jstr(e, "rung") ? jd_concern__jstr(e, "rung") : jd_concern__jstr(state, "rung");
        const char *who = !strcmp(action, "assigned") && to ? to
                          : !strcmp(action, "raised")       ? jd_concern__jstr(state, "owner")
                                                            : rung;
        char t[32];
        jd_time_format(t, ev[i].at);
        if (asprintf(&subj[nmsg], "joindots: concern %s %s (%s, %s)", id, action, rung,
                     jd_concern__jstr(state, "level")) < 0 ||
            asprintf(&body[nmsg],
                     "Concern %s was %s on %s.\r\nRung: %s\r\nLevel: %s\r\nOwner: %s\r\n"
                     "Open it with: joindots concern show %s\r\n",
                     id, action, t, rung, jd_concern__jstr(state, "level"), who, id) < 0) {
            subj[nmsg] = body[nmsg] = NULL;
            rc = jd_oom(err);
            goto out;
        }
        msg[nmsg] = (jd_outbox_rec){0, id, who, subj[nmsg], body[nmsg], 0, 0};
        nmsg++;
    }
    jd_concern_rec rec = {id,
                          0,
                          automatic,
                          jd_concern__jstr(state, "status"),
                          jd_concern__jstr(state, "owner"),
                          jd_concern__jstr(state, "rung"),
                          jd_concern__jstr(state, "level"),
                          json_is_true(json_object_get(state, "strategic")),
                          jd_concern__json_time(json_object_get(base, "opened_at")),
                          jd_concern__json_time(json_object_get(state, "due_at")),
                          0,
                          bs,
                          ss};
    rc = s->ops->concern->write(s, &rec, expected, ev, n, msg, nmsg, new_version, err);
out:
    for (size_t i = 0; i < n + 1 && docs; i++)
        free(docs[i]);
    for (size_t i = 0; i < n + 1 && subj && body; i++) {
        free(subj[i]);
        free(body[i]);
    }
    free(docs);
    free(subj);
    free(body);
    free(ev);
    free(msg);
    free(bs);
    free(ss);
    return rc;
}

typedef struct load_ctx {
    jd_concern_loaded *l;
    int64_t T;
    int rc;
} load_ctx;

static int on_rec(const jd_concern_rec *r, void *payload)
{
    load_ctx *c = payload;
    c->l->id = strdup(r->id);
    c->l->automatic = r->automatic;
    c->l->version = r->version;
    c->l->base = json_loads(r->base, 0, NULL);
    return c->l->id && c->l->base ? 0 : JD_ENOMEM;
}

static json_t *event_json(const jd_concern_evrec *e, bool int_time)
{
    json_t *o = json_loads(e->doc, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    json_object_set_new(o, "action", json_string(e->action));
    json_object_set_new(o, "at", int_time ? json_integer(e->at) : jd_concern__time_json(e->at));
    json_object_set_new(o, "actor", json_string(e->actor));
    json_object_set_new(o, "role", json_string(e->role));
    json_object_set_new(o, "automatic", json_boolean(e->automatic));
    return o;
}

bool jd_concern__replayed(const jd_concern_evrec *e, int64_t T)
{
    return e->at <= T && (!e->automatic || (e->action && !strcmp(e->action, "placed")));
}

static int on_ev(const jd_concern_evrec *e, void *payload)
{
    load_ctx *c = payload;
    json_array_append_new(c->l->history, event_json(e, false));
    if (jd_concern__replayed(e, c->T))
        json_array_append_new(c->l->human, event_json(e, true));
    return 0;
}

int jd_concern__load(jd_concern_loaded *out, jd_store *s, const char *id, int64_t T, jd_error *err)
{
    memset(out, 0, sizeof *out);
    if (!s->ops->concern)
        return jd_error_set(err, JD_ESTORE, "this store has no concerns");
    load_ctx c = {out, T, 0};
    out->human = json_array();
    out->history = json_array();
    int rc = s->ops->concern->get(s, id, on_rec, &c, err);
    if (rc == JD_ENOMEM)
        rc = jd_oom(err);
    if (rc == JD_OK)
        rc = s->ops->concern->events(s, id, on_ev, &c, err);
    if (rc < 0)
        jd_concern__loaded_dispose(out);
    return rc;
}

void jd_concern__loaded_dispose(jd_concern_loaded *l)
{
    free(l->id);
    json_decref(l->base);
    json_decref(l->human);
    json_decref(l->history);
    memset(l, 0, sizeof *l);
}

/* Automatic entries of `autos` that the stored history does not hold yet. */
json_t *jd_concern__unsaved_autos(json_t *history, json_t *autos)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *a, *h;
    json_array_foreach(autos, i, a)
    {
        bool have = false;
        int64_t at = jd_concern__json_time(json_object_get(a, "at"));
        json_array_foreach(history, j, h)
        {
            if (json_is_true(json_object_get(h, "automatic")) &&
                jd_concern__json_time(json_object_get(h, "at")) == at && jd_concern__jstr(h, "action") &&
                !strcmp(jd_concern__jstr(h, "action"), jd_concern__jstr(a, "action")) && jd_concern__jstr(h, "rung") &&
                !strcmp(jd_concern__jstr(h, "rung"), jd_concern__jstr(a, "rung"))) {
                have = true;
                break;
            }
        }
        if (!have) {
            json_t *c = json_deep_copy(a);
            json_object_set_new(c, "automatic", json_true());
            json_object_set_new(c, "actor", json_string("joindots"));
            json_array_append_new(out, c);
        }
    }
    return out;
}

int jd_concern__sync(jd_store *s, const jd_ladder *L, const char *id, bool automatic,
                     int64_t expected, json_t *base, json_t *human, json_t *history, json_t *extra,
                     int64_t T, int64_t *new_version, bool only_if_changed, const char *old_state,
                     jd_error *err)
{
    json_t *state = NULL, *autos = NULL;
    if (jd_concern__simulate(L, base, human, T, &state, &autos) < 0)
        return jd_oom(err);
    json_t *entries = extra ? json_copy(extra) : json_array();
    json_t *fresh = jd_concern__unsaved_autos(history, autos);
    json_array_extend(entries, fresh);
    json_decref(fresh);
    int rc = JD_OK;
    bool changed = true;
    if (only_if_changed && old_state && json_array_size(entries) == 0) {
        char *ns = json_dumps(state, JSON_COMPACT | JSON_PRESERVE_ORDER);
        changed = !ns || strcmp(ns, old_state) != 0;
        free(ns);
    }
    if (changed)
        rc = jd_concern__write(s, id, automatic, expected, base, state, entries, new_version, err);
    else if (new_version)
        *new_version = expected;
    json_decref(state);
    json_decref(autos);
    json_decref(entries);
    return rc;
}

int jd_concern_role_rung(const char *ladder_path, const char *role, char *out, size_t cap,
                         jd_error *err)
{
    if (!role || !out || cap == 0)
        return jd_error_set(err, JD_EINVALID, "a role and an output buffer are required");
    jd_ladder *L = NULL;
    int rc = jd_ladder__load(&L, ladder_path, err);
    if (rc < 0)
        return rc;
    const char *rung = json_string_value(json_object_get(L->web_roles, role));
    if (!rung)
        rung = "";
    if (strlen(rung) >= cap)
        rc = jd_error_set(err, JD_ELIMIT, "ladder: a rung id longer than %zu bytes", cap - 1);
    else
        memcpy(out, rung, strlen(rung) + 1);
    jd_ladder__free(L);
    return rc;
}

void jd_concern__history_at(json_t *hist, json_t *history, json_t *autos, int64_t T)
{
    size_t i;
    json_t *h;
    json_array_foreach(history, i, h)
    {
        const char *act = jd_concern__jstr(h, "action");
        if (jd_concern__json_time(json_object_get(h, "at")) <= T &&
            (!json_is_true(json_object_get(h, "automatic")) || !strcmp(act ? act : "", "raised")))
            json_array_append(hist, h);
    }
    json_array_foreach(autos, i, h)
    {
        json_t *c = json_deep_copy(h);
        json_object_set_new(
            c, "at", jd_concern__time_json(jd_concern__json_time(json_object_get(h, "at"))));
        json_object_set_new(c, "automatic", json_true());
        json_object_set_new(c, "actor", json_string("joindots"));
        json_array_append_new(hist, c);
    }
}
