/*
 * Concern routes of the API (issue 7's library, include/joindots/concern.h):
 * the inbox, raising a concern (from an alert or by hand), acknowledging and
 * escalating, and the board's agenda. A web role acts at one rung of the
 * ladder: practitioner -> practitioner, manager -> team_manager, analyst ->
 * exploitation_meeting, board -> board. Need-to-know as elsewhere: a
 * practitioner or manager acts only on concerns about persons known to
 * their agency. The board's agenda holds no subject and no title.
 */
#include "server_internal.h"

#include <joindots/concern.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *rung_of(const caller *w)
{
    switch (w->acct.role) {
    case JD_ROLE_PRACTITIONER:
        return "practitioner";
    case JD_ROLE_MANAGER:
        return "team_manager";
    case JD_ROLE_ANALYST:
        return "exploitation_meeting";
    case JD_ROLE_BOARD:
        return "board";
    default:
        return "";
    }
}

static const char *str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* May the caller act on a concern about `kind`/`subject`? */
static bool may_touch(api_ctx *c, const char *kind, const char *subject)
{
    const caller *w = c->who;
    if (w->acct.role == JD_ROLE_ANALYST)
        return true;
    if (w->acct.role != JD_ROLE_PRACTITIONER && w->acct.role != JD_ROLE_MANAGER)
        return false;
    if (!kind || (strcmp(kind, "child") != 0 && strcmp(kind, "adult") != 0))
        return w->acct.role == JD_ROLE_MANAGER; /* places, vehicles, patterns */
    jd_person_summary p;
    if (!subject || jd_person_index_get(c->srv->index, subject, &p) != JD_OK)
        return false;
    for (size_t i = 0; i < p.n_refs; i++)
        if (*w->acct.agency && !strcasecmp(w->acct.agency, p.refs[i].agency))
            return true;
    return false;
}

static json_t *concern_json(const jd_concern *k, bool board)
{
    char raised[32], due[32];
    jd_time_format(raised, k->raised_at);
    jd_time_format(due, k->due_at);
    int64_t age = ((int64_t)time(NULL) - k->raised_at) / 86400;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:s,s:s,s:I,s:I}", "id", k->id, "kind",
                          k->kind, "level", k->level, "rung", k->rung, "status", k->status, "owner",
                          k->owner ? k->owner : "", "strategic", k->strategic, "overdue",
                          k->overdue, "raised_at", raised, "due_at", due, "age_days",
                          (json_int_t)(age > 0 ? age : 0), "version", (json_int_t)k->version);
    if (!board && o) {
        json_object_set_new(o, "subject", json_string(k->subject ? k->subject : ""));
        json_object_set_new(o, "title", json_string(k->title ? k->title : ""));
        json_t *full = k->json ? json_loads(k->json, 0, NULL) : NULL;
        json_t *h = json_object_get(full, "history");
        json_object_set_new(o, "history", h ? json_incref(h) : json_array());
        json_decref(full);
    }
    return o;
}

typedef struct list_ctx {
    api_ctx *c;
    json_t *out;
    bool board;
} list_ctx;

static int on_concern(const jd_concern *k, void *payload)
{
    list_ctx *x = payload;
    if (!x->board && !may_touch(x->c, k->kind, k->subject))
        return 0;
    json_t *o = concern_json(k, x->board);
    if (o)
        json_array_append_new(x->out, o);
    return 0;
}

static void api_concerns(api_ctx *c, reply *r)
{
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.open_only = true;
    const char *all = jd_query(c, "all");
    /* all=1: every open concern the caller may see (need-to-know filter). */
    if (!(all && !strcmp(all, "1"))) {
        q.owner = c->who->acct.username;
        q.role = rung_of(c->who);
    }
    list_ctx x = {.c = c, .out = json_array()};
    jd_error err;
    if (jd_concern_list(c->store, &q, on_concern, &x, &err) < 0) {
        json_decref(x.out);
        jd_reply_error(r, 500, "store", "Concerns could not be read.");
        return;
    }
    jd_audit(c, "view", q.owner ? "concerns:inbox" : "concerns:all", "", "", true);
    jd_reply_json(r, 200, json_pack("{s:o}", "concerns", x.out));
}

static void api_agenda(api_ctx *c, reply *r)
{
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.open_only = true;
    q.agenda = true;
    list_ctx x = {.c = c, .out = json_array(), .board = true};
    jd_error err;
    if (jd_concern_list(c->store, &q, on_concern, &x, &err) < 0) {
        json_decref(x.out);
        jd_reply_error(r, 500, "store", "The agenda could not be read.");
        return;
    }
    jd_audit(c, "view", "agenda", "", "", true);
    jd_reply_json(r, 200, json_pack("{s:o}", "items", x.out));
}

/* The JSON of one alert of the loaded analysis, or NULL. */
static json_t *alert_by_id(jd_server *srv, const char *id)
{
    json_t *a;
    size_t i;
    json_array_foreach(srv->alerts, i, a)
    {
        const char *aid = str(a, "id");
        if (aid && !strcmp(aid, id))
            return a;
    }
    return NULL;
}

static void api_concern_raise(api_ctx *c, reply *r)
{
    jd_concern_new n = JD_CONCERN_NEW_INIT;
    n.from_alert = str(c->body, "from_alert");
    n.kind = str(c->body, "kind");
    n.subject = str(c->body, "subject");
    n.title = str(c->body, "title");
    n.level = str(c->body, "level");
    if (n.from_alert) {
        json_t *a = alert_by_id(c->srv, n.from_alert);
        if (!a) {
            jd_reply_error(r, 404, "not_found", "No such alert.");
            return;
        }
        json_t *subj = json_object_get(a, "subject");
        const char *pid = str(subj, "person_id");
        if (!n.kind)
            n.kind = pid ? "child" : "pattern";
        if (!n.subject)
            n.subject = pid ? pid : n.from_alert;
    }
    if (!n.kind || !n.subject) {
        jd_reply_error(r, 400, "bad_request", "Give from_alert, or kind and subject.");
        return;
    }
    if (!n.title)
        n.title = n.from_alert ? n.from_alert : n.subject;
    if (!may_touch(c, n.kind, n.subject)) {
        jd_audit(c, "concern.raise", n.subject, "", "denied: need to know", false);
        jd_reply_error(r, 403, "forbidden", "This is not about your agency's records.");
        return;
    }
    jd_concern_actor by = {c->who->acct.username, rung_of(c->who)};
    char *id = NULL;
    jd_error err;
    int rc = jd_concern_raise(&id, c->store, &n, &by, 0, &err);
    if (rc < 0) {
        jd_reply_error(r, rc == JD_ENOTFOUND ? 404 : 400, "bad_request", err.msg);
        return;
    }
    char target[200];
    snprintf(target, sizeof target, "concern:%.150s", id);
    jd_audit(c, "concern.raise", target, str(c->body, "why"), n.from_alert ? n.from_alert : "",
             true);
    jd_reply_json(r, 201, json_pack("{s:s}", "id", id));
    free(id);
}

static void concern_act(api_ctx *c, reply *r, jd_concern_verb verb, const char *action)
{
    jd_concern k;
    jd_error err;
    int rc = jd_concern_get(&k, c->store, c->arg, JD_AS_OF_NOW, 0, NULL, &err);
    if (rc == JD_ENOTFOUND) {
        jd_reply_error(r, 404, "not_found", "No such concern.");
        return;
    }
    if (rc < 0) {
        jd_reply_error(r, 500, "store", "The concern could not be read.");
        return;
    }
    bool ok = may_touch(c, k.kind, k.subject);
    jd_concern_dispose(&k);
    char target[200];
    snprintf(target, sizeof target, "concern:%.150s", c->arg);
    if (!ok) {
        jd_audit(c, action, target, "", "denied: need to know", false);
        jd_reply_error(r, 403, "forbidden", "This is not about your agency's records.");
        return;
    }
    const char *text = str(c->body, "text");
    if (verb == JD_CONCERN_ESCALATE && (!text || !*text)) {
        jd_reply_error(r, 400, "reason_required", "Say why it goes up a rung.");
        return;
    }
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    a.text = text;
    a.to = str(c->body, "to");
    jd_concern_actor by = {c->who->acct.username, rung_of(c->who)};
    rc = jd_concern_act(c->store, c->arg, verb, &a, &by, &err);
    jd_audit(c, action, target, text, rc == JD_OK ? "" : err.msg, rc == JD_OK);
    if (rc < 0) {
        unsigned st = rc == JD_ECONFLICT ? 409 : rc == JD_EDENIED ? 403 : 400;
        jd_reply_error(r, st, "refused", err.msg);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void api_concern_ack(api_ctx *c, reply *r)
{
    concern_act(c, r, JD_CONCERN_ACK, "concern.ack");
}

static void api_concern_escalate(api_ctx *c, reply *r)
{
    concern_act(c, r, JD_CONCERN_ESCALATE, "concern.escalate");
}

/* For the dashboard: open strategic items by age. */
typedef struct age_ctx {
    int64_t now;
    int b[4];
} age_ctx;

static int on_age(const jd_concern *k, void *payload)
{
    age_ctx *x = payload;
    int64_t days = (x->now - k->raised_at) / 86400;
    x->b[days < 30 ? 0 : days < 91 ? 1 : days < 365 ? 2 : 3]++;
    return 0;
}

json_t *jd_api_agenda_ages(jd_store *s)
{
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.open_only = true;
    q.agenda = true;
    age_ctx x = {.now = (int64_t)time(NULL)};
    jd_error err;
    if (jd_concern_list(s, &q, on_age, &x, &err) < 0)
        return NULL;
    return json_pack("{s:i,s:i,s:i,s:i}", "under a month", x.b[0], "1 to 3 months", x.b[1],
                     "3 to 12 months", x.b[2], "over a year", x.b[3]);
}

const route jd_api_concern_routes[] = {
    {"GET", "/api/concerns", ROLES_CASE, api_concerns},
    {"POST", "/api/concerns", ROLES_CASE, api_concern_raise},
    {"POST", "/api/concerns/{id}/ack", ROLES_CASE, api_concern_ack},
    {"POST", "/api/concerns/{id}/escalate", ROLES_CASE, api_concern_escalate},
    {"GET", "/api/agenda", R(JD_ROLE_BOARD) | R(JD_ROLE_MANAGER) | R(JD_ROLE_ANALYST), api_agenda},
};
const size_t jd_api_n_concern_routes = sizeof jd_api_concern_routes / sizeof *jd_api_concern_routes;
