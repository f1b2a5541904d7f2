/*
 * Concerns (see include/joindots/concern.h and docs/escalation.md).
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
#define MAX_TEXT 4000
#define MAX_RETRY 5

static const char *const level_names[] = {"none", "low", "medium", "high", "critical"};
static const char *const kinds[] = {"child", "adult", "place", "vehicle", "pattern"};

static int level_parse(const char *s)
{
    for (int i = 1; s && i <= 4; i++)
        if (!strcmp(s, level_names[i]))
            return i;
    return -1;
}

static const char *level_name(int l)
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
        return jd_error_set(err, JD_ENOMEM, "out of memory");
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
        level_parse(json_string_value(json_object_get(root, "signoff_min_level")));
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
    L->pattern_min_level = level_parse(json_string_value(json_object_get(pat, "min_level")));
    L->network_rung = rung_of(L, json_object_get(root, "network"), "rung", L->pattern_rung);
    json_t *str = json_object_get(root, "strategic");
    L->strategic_rung = rung_of(L, str, "rung", top);
    L->phrases = json_object_get(str, "phrases");
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

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
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
                                    level_name(S->level), "at", jd_concern__time_json(t), "why",
                                    why, "automatic", automatic, "by", by ? by : "joindots"));
    if (automatic)
        json_array_append_new(S->autos, json_pack("{s:s,s:I,s:s,s:s,s:s}", "action", action, "at",
                                                  (json_int_t)t, "rung", S->L->rung[to].id, "level",
                                                  level_name(S->level), "why", why));
}

static void apply_human(sim *S, json_t *h, int64_t at)
{
    const char *act = jstr(h, "action"), *by = jstr(h, "actor");
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
        if (jstr(h, "to"))
            S->owner = jstr(h, "to");
    } else if (!strcmp(act, "escalated")) {
        int to = jd_ladder__rung(S->L, jstr(h, "to"));
        if (to < 0)
            to = S->r + 1 < S->L->nrungs ? S->r + 1 : S->r;
        if (to > S->ceiling)
            S->ceiling = to;
        if (S->status != ST_CLOSED && to > S->r)
            rise(S, at, to, jstr(h, "text") ? jstr(h, "text") : "escalated by hand", false, by,
                 "escalated");
    } else if (!strcmp(act, "closed") || !strcmp(act, "decided")) {
        if (S->status == ST_CLOSED)
            return;
        S->status = ST_CLOSED;
        S->closed_at = at;
        json_t *c = json_deep_copy(h);
        json_object_del(c, "action");
        json_object_set_new(c, "at", jd_concern__time_json(at));
        json_decref(!strcmp(act, "closed") ? S->close : S->decision);
        if (!strcmp(act, "closed"))
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
                 level_name(lvl));
        S->closed_at = 0;
        json_decref(S->close);
        S->close = NULL;
        rise(S, t, need > S->r ? need : S->r, why, true, NULL, "reopened");
    } else if (S->status != ST_CLOSED && need > S->r) {
        snprintf(why, sizeof why, "the alerts reached %s", level_name(lvl));
        if (need > S->ceiling)
            S->ceiling = need;
        rise(S, t, need, why, true, NULL, "escalated");
    }
}

int jd_concern__simulate(const jd_ladder *L, json_t *base, json_t *human, int64_t T, json_t **state,
                         json_t **autos)
{
    sim S;
    memset(&S, 0, sizeof S);
    S.L = L;
    S.rungs = json_array();
    S.autos = json_array();
    const char *kind = jstr(base, "kind");
    int64_t opened = jd_concern__json_time(json_object_get(base, "opened_at"));
    S.r = jd_ladder__rung(L, jstr(base, "rung"));
    if (S.r < 0)
        S.r = 0;
    S.ceiling = jd_ladder__rung(L, jstr(base, "ceiling"));
    if (S.ceiling < S.r)
        S.ceiling = S.r;
    S.level = level_parse(jstr(base, "level"));
    if (S.level < 0)
        S.level = 2;
    S.reached = opened;
    S.owner = jstr(base, "owner") ? jstr(base, "owner") : L->rung[S.r].id;
    json_array_append_new(
        S.rungs, json_pack("{s:s,s:s,s:o,s:s,s:b,s:s}", "rung", L->rung[S.r].id, "level",
                           level_name(S.level), "at", jd_concern__time_json(opened), "why",
                           "opened", "automatic", json_is_true(json_object_get(base, "automatic")),
                           "by", jstr(base, "raised_by") ? jstr(base, "raised_by") : "joindots"));
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
            apply_level(&S, level_parse(jstr(st, "level")), ts, kind);
        } else {
            apply_human(&S, json_array_get(human, j++), th);
        }
    }
    bool strategic = json_is_true(json_object_get(base, "strategic")) || S.r == L->nrungs - 1;
    int64_t due = S.status == ST_CLOSED ? 0 : due_deadline(&S);
    int64_t ackd = S.status == ST_OPEN ? ack_deadline(&S) : INT64_MAX;
    bool overdue = S.status != ST_CLOSED && (ackd <= T || (due && due <= T));
    json_t *st = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:b,s:b,s:b,s:o,s:o,s:i,s:o}", "status",
        status_names[S.status], "rung", L->rung[S.r].id, "rung_name", L->rung[S.r].name, "level",
        level_name(S.level), "owner", S.owner, "reached_at", jd_concern__time_json(S.reached),
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
    const char *s = jstr(o, k);
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
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(entries, i);
        json_t *d = json_deep_copy(e);
        const char *action = jstr(e, "action");
        json_object_del(d, "at");
        json_object_del(d, "actor");
        json_object_del(d, "role");
        json_object_del(d, "action");
        json_object_del(d, "automatic");
        docs[i] = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        if (!docs[i]) {
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
            goto out;
        }
        ev[i] = (jd_concern_evrec){0,
                                   id,
                                   jd_concern__json_time(json_object_get(e, "at")),
                                   0,
                                   jstr(e, "actor") ? jstr(e, "actor") : "joindots",
                                   jstr(e, "role") ? jstr(e, "role") : "",
                                   action ? action : "noted",
                                   json_is_true(json_object_get(e, "automatic")),
                                   docs[i]};
        bool tell = false;
        for (size_t k = 0; action && k < JD_ARRAY_LEN(notify_actions); k++)
            tell |= !strcmp(action, notify_actions[k]);
        if (!tell)
            continue;
        const char *to = jstr(e, "to");
        const char *rung = jstr(e, "rung") ? jstr(e, "rung") : jstr(state, "rung");
        const char *who = !strcmp(action, "assigned") && to ? to
                          : !strcmp(action, "raised")       ? jstr(state, "owner")
                                                            : rung;
        char t[32];
        jd_time_format(t, ev[i].at);
        if (asprintf(&subj[nmsg], "joindots: concern %s %s (%s, %s)", id, action, rung,
                     jstr(state, "level")) < 0 ||
            asprintf(&body[nmsg],
                     "Concern %s was %s on %s.\r\nRung: %s\r\nLevel: %s\r\nOwner: %s\r\n"
                     "Open it with: joindots concern show %s\r\n",
                     id, action, t, rung, jstr(state, "level"), who, id) < 0) {
            subj[nmsg] = body[nmsg] = NULL;
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
            goto out;
        }
        msg[nmsg] = (jd_outbox_rec){0, id, who, subj[nmsg], body[nmsg], 0, 0};
        nmsg++;
    }
    jd_concern_rec rec = {id,
                          0,
                          automatic,
                          jstr(state, "status"),
                          jstr(state, "owner"),
                          jstr(state, "rung"),
                          jstr(state, "level"),
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

static int on_ev(const jd_concern_evrec *e, void *payload)
{
    load_ctx *c = payload;
    json_array_append_new(c->l->history, event_json(e, false));
    if (!e->automatic && e->at <= c->T)
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
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
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
static json_t *unsaved_autos(json_t *history, json_t *autos)
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
                jd_concern__json_time(json_object_get(h, "at")) == at && jstr(h, "action") &&
                !strcmp(jstr(h, "action"), jstr(a, "action")) && jstr(h, "rung") &&
                !strcmp(jstr(h, "rung"), jstr(a, "rung"))) {
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
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    json_t *entries = extra ? json_copy(extra) : json_array();
    json_t *fresh = unsaved_autos(history, autos);
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

/* ---- raise ---- */

static int64_t now_or(int64_t t)
{
    return t ? t : (int64_t)time(NULL);
}

typedef struct alert_find {
    const char *id;
    json_t *found;
} alert_find;

static int on_alert(const char *doc, void *payload)
{
    alert_find *f = payload;
    if (f->found)
        return 0;
    json_t *o = json_loads(doc, 0, NULL);
    if (o && jstr(o, "id") && !strcmp(jstr(o, "id"), f->id))
        f->found = o;
    else
        json_decref(o);
    return 0;
}

static bool valid_actor(const jd_concern_actor *by)
{
    return by && by->name && *by->name && strlen(by->name) < 128 &&
           (!by->role || strlen(by->role) < 64);
}

int jd_concern_raise(char **out_id, jd_store *s, const jd_concern_new *c,
                     const jd_concern_actor *by, int64_t at, jd_error *err)
{
    if (!s || !c || !valid_actor(by))
        return jd_error_set(err, JD_EINVALID, "a store, a concern and an actor are needed");
    if (!s->ops->concern)
        return jd_error_set(err, JD_ESTORE, "this store has no concerns");
    jd_ladder *L = NULL;
    json_t *alert = NULL, *records = NULL, *base = NULL, *entries = NULL;
    int rc = jd_ladder__load(&L, c->ladder_path, err);
    if (rc < 0)
        return rc;
    at = now_or(at);
    const char *kind = c->kind, *subject = c->subject, *level = c->level;
    if (c->from_alert) {
        alert_find f = {c->from_alert, NULL};
        bool ran = false;
        if ((rc = s->ops->alerts_read(s, &ran, on_alert, &f, err)) < 0)
            goto out;
        if (!(alert = f.found)) {
            rc = jd_error_set(err, JD_ENOTFOUND, "no stored alert with that id (run analyse)");
            goto out;
        }
        json_t *subj = json_object_get(alert, "subject");
        if (!subject)
            subject = subj ? jstr(subj, "person_id") : jstr(alert, "id");
        if (!kind)
            kind = subj ? "child" : "pattern";
        if (!level)
            level = jstr(alert, "level");
        if (!c->records)
            records = json_deep_copy(json_object_get(alert, "records"));
    }
    bool kind_ok = false;
    for (size_t i = 0; kind && i < JD_ARRAY_LEN(kinds); i++)
        kind_ok |= !strcmp(kind, kinds[i]);
    int lvl = level ? level_parse(level) : 2;
    if (!kind_ok || !subject || !*subject || strlen(subject) > 500 || lvl < 1 ||
        (c->title && strlen(c->title) > 500)) {
        rc = jd_error_set(err, JD_EINVALID,
                          "a concern needs a kind (child, adult, place, vehicle, pattern), a "
                          "subject and a level (low, medium, high, critical)");
        goto out;
    }
    int rung = c->rung ? jd_ladder__rung(L, c->rung)
                       : (L->rung_by_level[lvl] >= 0 ? L->rung_by_level[lvl] : 0);
    if (c->strategic && !c->rung)
        rung = L->strategic_rung;
    if (rung < 0) {
        rc = jd_error_set(err, JD_EINVALID, "unknown rung");
        goto out;
    }
    if (c->records) {
        records = json_loads(c->records, 0, NULL);
        bool ok = json_is_array(records) && json_array_size(records) <= 1000;
        size_t i;
        json_t *r;
        json_array_foreach(records, i, r) ok = ok && jstr(r, "agency") && jstr(r, "record_id");
        if (!ok) {
            rc = jd_error_set(err, JD_EINVALID,
                              "records must be a JSON array of {\"agency\",\"record_id\"}");
            goto out;
        }
    }
    if (!json_array_size(records)) {
        rc = jd_error_set(err, JD_EINVALID,
                          "a concern rests on at least one record: give --records or an alert");
        goto out;
    }
    bool pattern = !strcmp(kind, "pattern");
    char title[600];
    snprintf(title, sizeof title, "%s", c->title ? c->title : "");
    if (!*title)
        snprintf(title, sizeof title, "%s concern about %s", kind, subject);
    base = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:O,s:s,s:b,s:b,s:b,s:s,s:s}", "kind", kind,
                     "subject", subject, "title", title, "opened_at", jd_concern__time_json(at),
                     "rung", L->rung[rung].id, "ceiling",
                     L->rung[pattern || c->strategic
                                 ? L->nrungs - 1
                                 : (rung > L->individual_ceiling ? rung : L->individual_ceiling)]
                         .id,
                     "level", level_name(lvl), "records", records, "source",
                     c->from_alert ? "alert" : "manual", "strategic", c->strategic, "disclosure",
                     c->disclosure, "automatic", 0, "raised_by", by->name, "raised_role",
                     by->role ? by->role : "");
    if (!base) {
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        goto out;
    }
    if (c->owner)
        json_object_set_new(base, "owner", json_string(c->owner));
    if (c->from_alert)
        json_object_set_new(base, "alert", json_string(c->from_alert));
    entries = json_pack("[{s:s,s:I,s:s,s:s,s:b,s:s}]", "action", "raised", "at", (json_int_t)at,
                        "actor", by->name, "role", by->role ? by->role : "", "automatic", 0, "rung",
                        L->rung[rung].id);
    for (int attempt = 0; attempt < MAX_RETRY; attempt++) {
        int64_t num = 0;
        if ((rc = s->ops->concern->next_number(s, &num, err)) < 0)
            goto out;
        char id[32];
        snprintf(id, sizeof id, "C-%06lld", (long long)num);
        json_t *empty = json_array();
        rc = jd_concern__sync(s, L, id, false, 0, base, empty, empty, entries, at, NULL, false,
                              NULL, err);
        json_decref(empty);
        if (rc == JD_ECONFLICT)
            continue;
        if (rc == JD_OK && out_id && !(*out_id = strdup(id)))
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        break;
    }
out:
    json_decref(alert);
    json_decref(records);
    json_decref(base);
    json_decref(entries);
    jd_ladder__free(L);
    return rc;
}

/* ---- actions ---- */

static bool in_list(json_t *arr, const char *key, const char *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        const char *s = key ? jstr(x, key) : json_string_value(x);
        if (s && v && !strcmp(s, v))
            return true;
    }
    return false;
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* Is the action allowed on this state? Fills the entry's fields. */
static int check_action(const jd_ladder *L, json_t *base, json_t *state, jd_concern_verb verb,
                        const jd_concern_action *a, const jd_concern_actor *by, json_t *entry,
                        jd_error *err)
{
    bool closed = !strcmp(jstr(state, "status"), "closed");
    bool strategic = json_is_true(json_object_get(state, "strategic"));
    if (a->text && strlen(a->text) > MAX_TEXT)
        return jd_error_set(err, JD_ELIMIT, "text longer than %d bytes", MAX_TEXT);
    if (closed && verb != JD_CONCERN_COMMENT)
        return jd_error_set(err, JD_ECONFLICT, "the concern is closed");
    if (a->text)
        json_object_set_new(entry, "text", json_string(a->text));
    switch (verb) {
    case JD_CONCERN_ACK:
        json_object_set_new(entry, "action", json_string("acknowledged"));
        json_object_set_new(entry, "rung", json_string(jstr(state, "rung")));
        return JD_OK;
    case JD_CONCERN_COMMENT:
        if (blank(a->text))
            return jd_error_set(err, JD_EINVALID, "a comment needs text");
        json_object_set_new(entry, "action", json_string("commented"));
        return JD_OK;
    case JD_CONCERN_ASSIGN:
        if (blank(a->to) || strlen(a->to) > 127)
            return jd_error_set(err, JD_EINVALID, "assign needs a user to assign to");
        json_object_set_new(entry, "action", json_string("assigned"));
        json_object_set_new(entry, "to", json_string(a->to));
        json_object_set_new(entry, "from", json_string(jstr(state, "owner")));
        return JD_OK;
    case JD_CONCERN_ESCALATE: {
        int cur = jd_ladder__rung(L, jstr(state, "rung"));
        int to = a->to ? jd_ladder__rung(L, a->to) : cur + 1;
        if (to < 0 || to >= L->nrungs)
            return jd_error_set(err, JD_EINVALID, "unknown rung, or already at the top");
        if (to <= cur)
            return jd_error_set(err, JD_ECONFLICT, "the concern is already at %s",
                                jstr(state, "rung"));
        json_object_set_new(entry, "action", json_string("escalated"));
        json_object_set_new(entry, "to", json_string(L->rung[to].id));
        json_object_set_new(entry, "rung", json_string(L->rung[to].id));
        json_object_set_new(entry, "from", json_string(jstr(state, "rung")));
        return JD_OK;
    }
    case JD_CONCERN_CLOSE: {
        if (strategic)
            return jd_error_set(err, JD_EDENIED,
                                "a strategic item on the board's agenda is closed only by a "
                                "board decision (decide)");
        if (blank(a->reason_code) || blank(a->text))
            return jd_error_set(err, JD_EDENIED,
                                "closing needs a reason code from the list and free text");
        if (!in_list(L->close_reasons, "code", a->reason_code))
            return jd_error_set(err, JD_EINVALID, "unknown reason code");
        int lvl = level_parse(jstr(state, "level"));
        bool disclosure = json_is_true(json_object_get(base, "disclosure"));
        bool need = lvl >= L->signoff_min_level ||
                    (disclosure && in_list(L->signoff_reasons, NULL, a->reason_code));
        if (need) {
            int sr = jd_ladder__rung(L, a->signoff_role);
            if (blank(a->signoff_by) || !strcmp(a->signoff_by, by->name))
                return jd_error_set(err, JD_EDENIED,
                                    "closing this concern needs the sign-off of a manager "
                                    "other than the person closing it");
            if (sr < L->signoff_min_rung || !L->rung[sr].manager)
                return jd_error_set(err, JD_EDENIED, "the sign-off must be at %s or above",
                                    L->rung[L->signoff_min_rung].id);
            json_object_set_new(entry, "signoff_by", json_string(a->signoff_by));
            json_object_set_new(entry, "signoff_role", json_string(a->signoff_role));
        }
        json_object_set_new(entry, "action", json_string("closed"));
        json_object_set_new(entry, "reason_code", json_string(a->reason_code));
        return JD_OK;
    }
    case JD_CONCERN_DECIDE:
        if (!strategic)
            return jd_error_set(err, JD_ECONFLICT,
                                "only items on the board's agenda take a board decision");
        if (blank(a->decision) || blank(a->decision_maker) || blank(a->text))
            return jd_error_set(err, JD_EDENIED,
                                "a board decision needs the decision, a named decision-maker "
                                "and a reason");
        json_object_set_new(entry, "action", json_string("decided"));
        json_object_set_new(entry, "decision", json_string(a->decision));
        json_object_set_new(entry, "decision_maker", json_string(a->decision_maker));
        return JD_OK;
    }
    return jd_error_set(err, JD_EINVALID, "unknown action");
}

int jd_concern_act(jd_store *s, const char *id, jd_concern_verb verb, const jd_concern_action *a,
                   const jd_concern_actor *by, jd_error *err)
{
    jd_concern_action def = JD_CONCERN_ACTION_INIT;
    if (!a)
        a = &def;
    if (!s || !id || !valid_actor(by))
        return jd_error_set(err, JD_EINVALID, "a store, a concern id and an actor are needed");
    jd_error local;
    if (!err)
        err = &local;
    jd_ladder *L = NULL;
    int rc = jd_ladder__load(&L, a->ladder_path, err);
    if (rc < 0)
        return rc;
    int64_t at = now_or(a->at);
    for (int attempt = 0; attempt < MAX_RETRY; attempt++) {
        jd_concern_loaded l;
        if ((rc = jd_concern__load(&l, s, id, at, err)) < 0)
            break;
        json_t *state = NULL, *autos = NULL, *entry = NULL, *extra = NULL;
        int64_t last = 0;
        size_t i;
        json_t *h;
        json_array_foreach(l.history, i, h)
        {
            int64_t t = jd_concern__json_time(json_object_get(h, "at"));
            if (!json_is_true(json_object_get(h, "automatic")) && t > last)
                last = t;
        }
        if (at < jd_concern__json_time(json_object_get(l.base, "opened_at")) || at < last) {
            /* the history is append-only: no action slips in before a recorded one */
            rc = jd_error_set(err, JD_EINVALID,
                              "the action is dated before the concern or its last entry");
        } else if (jd_concern__simulate(L, l.base, l.human, at, &state, &autos) < 0) {
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        } else if (a->expected_version && a->expected_version != l.version) {
            rc = jd_error_set(err, JD_ECONFLICT,
                              "concern %s was changed by someone else (version %lld is "
                              "stale, now %lld); reload and try again",
                              id, (long long)a->expected_version, (long long)l.version);
        } else {
            entry = json_pack("{s:I,s:s,s:s,s:b}", "at", (json_int_t)at, "actor", by->name, "role",
                              by->role ? by->role : "", "automatic", 0);
            rc = check_action(L, l.base, state, verb, a, by, entry, err);
        }
        if (rc == JD_OK) {
            /* the automatic steps up to now come before the human action */
            json_t *fresh = unsaved_autos(l.history, autos);
            extra = json_array();
            json_array_extend(extra, fresh);
            json_decref(fresh);
            json_array_append(extra, entry);
            json_t *human = json_copy(l.human);
            json_array_append(human, entry);
            json_t *history = json_copy(l.history);
            json_array_extend(history, extra);
            rc = jd_concern__sync(s, L, id, l.automatic, l.version, l.base, human, history, extra,
                                  at, NULL, false, NULL, err);
            json_decref(human);
            json_decref(history);
        }
        json_decref(state);
        json_decref(autos);
        json_decref(entry);
        json_decref(extra);
        jd_concern__loaded_dispose(&l);
        /* a stale read by us (not by the caller) is retried with a fresh one */
        if (rc != JD_ECONFLICT || a->expected_version || !strstr(err->msg, "stale"))
            break;
    }
    jd_ladder__free(L);
    return rc;
}

typedef struct one_ctx {
    const char *id;
    jd_concern *out;
    bool found;
} one_ctx;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int on_one(const jd_concern *c, void *payload)
{
    one_ctx *o = payload;
    if (strcmp(c->id, o->id) != 0)
        return 0;
    *o->out = *c;
    o->out->id = dup_or_null(c->id);
    o->out->kind = dup_or_null(c->kind);
    o->out->subject = dup_or_null(c->subject);
    o->out->title = dup_or_null(c->title);
    o->out->level = dup_or_null(c->level);
    o->out->rung = dup_or_null(c->rung);
    o->out->owner = dup_or_null(c->owner);
    o->out->status = dup_or_null(c->status);
    o->out->json = dup_or_null(c->json);
    o->found = true;
    if (!o->out->id || !o->out->kind || !o->out->subject || !o->out->title || !o->out->level ||
        !o->out->rung || !o->out->owner || !o->out->status || !o->out->json) {
        jd_concern_dispose(o->out);
        return JD_ENOMEM;
    }
    return 1; /* found: stop */
}

static int derived_get(jd_concern *out, jd_store *s, const char *id, int64_t as_of, int64_t now,
                       const char *ladder_path, jd_error *err)
{
    one_ctx o = {id, out, false};
    jd_escalate_opts eo = JD_ESCALATE_OPTS_INIT;
    eo.ladder_path = ladder_path;
    eo.cb = on_one;
    eo.payload = &o;
    memset(out, 0, sizeof *out);
    int rc = jd_escalate_run(s, as_of, now, &eo, NULL, err);
    if (rc < 0)
        return rc;
    if (!o.found)
        return jd_error_set(err, JD_ENOTFOUND, "no concern with that id by that time");
    return JD_OK;
}

int jd_concern_get(jd_concern *out, jd_store *s, const char *id, int64_t as_of, int64_t now,
                   const char *ladder_path, jd_error *err)
{
    if (!out || !s || !id)
        return jd_error_set(err, JD_EINVALID, "a store and an id are needed");
    jd_ladder *L = NULL;
    int rc = jd_ladder__load(&L, ladder_path, err);
    if (rc < 0)
        return rc;
    int64_t T = as_of != JD_AS_OF_NOW ? as_of : now_or(now);
    jd_concern_loaded l;
    if ((rc = jd_concern__load(&l, s, id, T, err)) < 0) {
        jd_ladder__free(L);
        /* a derived concern not saved yet: what the engine derives by T */
        if (rc == JD_ENOTFOUND && !strncmp(id, "auto:", 5))
            return derived_get(out, s, id, as_of, now, ladder_path, err);
        return rc;
    }
    json_t *state = NULL, *autos = NULL;
    if (T < jd_concern__json_time(json_object_get(l.base, "opened_at"))) {
        rc = jd_error_set(err, JD_ENOTFOUND, "the concern was not raised by that time");
    } else if (jd_concern__simulate(L, l.base, l.human, T, &state, &autos) < 0) {
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
    } else {
        /* history as of T: what was recorded by then, plus computed steps */
        json_t *hist = json_array();
        size_t i;
        json_t *h;
        json_array_foreach(l.history, i, h)
        {
            if (jd_concern__json_time(json_object_get(h, "at")) <= T &&
                (!json_is_true(json_object_get(h, "automatic")) ||
                 !strcmp(jstr(h, "action") ? jstr(h, "action") : "", "raised")))
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
        rc = jd_concern__fill(out, l.id, l.automatic, l.version, l.base, state, hist);
        json_decref(hist);
        if (rc < 0)
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
    }
    json_decref(state);
    json_decref(autos);
    jd_concern__loaded_dispose(&l);
    jd_ladder__free(L);
    return rc;
}

/* ---- lists ---- */

bool jd_concern__match(const jd_concern_query *q, const jd_concern *c)
{
    bool closed = !strcmp(c->status, "closed");
    if (q->open_only && closed)
        return false;
    if (q->agenda && (!c->strategic || closed))
        return false;
    if (q->overdue_only && !c->overdue)
        return false;
    if (q->owner && strcmp(c->owner, q->owner) != 0 && !(q->role && !strcmp(c->owner, q->role)))
        return false;
    return true;
}

typedef struct ids_ctx {
    char **ids;
    size_t n, cap;
} ids_ctx;

static int on_id(const jd_concern_rec *r, void *payload)
{
    ids_ctx *c = payload;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        char **p = realloc(c->ids, cap * sizeof *p);
        if (!p)
            return JD_ENOMEM;
        c->ids = p;
        c->cap = cap;
    }
    if (!(c->ids[c->n] = strdup(r->id)))
        return JD_ENOMEM;
    c->n++;
    return 0;
}

typedef struct filter_ctx {
    const jd_concern_query *q;
    jd_concern_cb cb;
    void *payload;
} filter_ctx;

static int filter_cb(const jd_concern *c, void *payload)
{
    filter_ctx *f = payload;
    return jd_concern__match(f->q, c) ? f->cb(c, f->payload) : 0;
}

int jd_concern_list(jd_store *s, const jd_concern_query *q, jd_concern_cb cb, void *payload,
                    jd_error *err)
{
    jd_concern_query def = JD_CONCERN_QUERY_INIT;
    if (!q)
        q = &def;
    if (!s || !cb)
        return jd_error_set(err, JD_EINVALID, "a store and a callback are needed");
    if (!s->ops->concern)
        return jd_error_set(err, JD_ESTORE, "this store has no concerns");
    filter_ctx f = {q, cb, payload};
    if (q->as_of != JD_AS_OF_NOW) {
        jd_escalate_opts o = JD_ESCALATE_OPTS_INIT;
        o.ladder_path = q->ladder_path;
        o.rules_path = q->rules_path;
        o.cb = filter_cb;
        o.payload = &f;
        return jd_escalate_run(s, q->as_of, q->now, &o, NULL, err);
    }
    ids_ctx ids = {0};
    int rc = s->ops->concern->list(s, on_id, &ids, err);
    if (rc == JD_ENOMEM)
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
    for (size_t i = 0; rc == JD_OK && i < ids.n; i++) {
        jd_concern c;
        if ((rc = jd_concern_get(&c, s, ids.ids[i], JD_AS_OF_NOW, q->now, q->ladder_path, err)) < 0)
            break;
        rc = filter_cb(&c, &f);
        jd_concern_dispose(&c);
    }
    for (size_t i = 0; i < ids.n; i++)
        free(ids.ids[i]);
    free(ids.ids);
    return rc;
}

int jd_concern_close_reasons(const char *ladder_path,
                             int (*cb)(const char *code, const char *text, bool signoff,
                                       void *payload),
                             void *payload, jd_error *err)
{
    if (!cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    jd_ladder *L = NULL;
    int rc = jd_ladder__load(&L, ladder_path, err);
    if (rc < 0)
        return rc;
    size_t i;
    json_t *x;
    json_array_foreach(L->close_reasons, i, x)
    {
        const char *code = jstr(x, "code");
        if (!code)
            continue;
        if ((rc = cb(code, jstr(x, "text"), in_list(L->signoff_reasons, NULL, code), payload)) != 0)
            break;
    }
    jd_ladder__free(L);
    return rc;
}
