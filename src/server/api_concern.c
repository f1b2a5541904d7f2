/*
 * Concern routes of the API (issue 7's library, include/joindots/concern.h):
 * the inbox, raising a concern (from an alert or by hand), acknowledging and
 * escalating, and the board's agenda. A web role acts at one rung of the
 * ladder, the ladder's "web_roles" (data/escalation/ladder.json: practitioner
 * -> practitioner, manager -> team_manager, analyst -> exploitation_meeting,
 * board -> board). Need-to-know as elsewhere: a
 * practitioner or manager acts only on concerns about persons known to
 * their agency. The board's agenda holds no subject and no title.
 */
#include "server_internal.h"

#include <joindots/account.h>
#include <joindots/concern.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Free text of a concern (title, why, comments, notes): the library's cap,
 * checked first so that the whole text always fits its audit row. */
#define MAX_CONCERN_TEXT 4000

/* Each free-text field of the body within MAX_CONCERN_TEXT bytes; else 400. */
static bool texts_fit(api_ctx *c, reply *r)
{
    static const char *const keys[] = {"text", "title", "why", "decision", "decision_maker"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        json_t *v = json_object_get(c->body, keys[i]);
        if (json_is_string(v) && strlen(json_string_value(v)) > MAX_CONCERN_TEXT) {
            jd_reply_error(r, 400, "text_too_long",
                           "A note, title or reason has at most 4000 bytes.");
            return false;
        }
    }
    return true;
}

/* The rung a role acts at: the ladder's "web_roles", loaded at start. */
static const char *rung_of_role(const jd_server *srv, jd_role role)
{
    return role >= 0 && role < JD_ROLE_COUNT ? srv->role_rung[role] : "";
}

static const char *rung_of(api_ctx *c)
{
    return rung_of_role(c->srv, c->who->acct.role);
}

static const char *str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* May account `a` act on a concern about `kind`/`subject`? */
static bool may_touch_as(api_ctx *c, const jd_account *a, const char *kind, const char *subject)
{
    if (a->disabled)
        return false;
    if (a->role == JD_ROLE_ANALYST)
        return true;
    if (a->role != JD_ROLE_PRACTITIONER && a->role != JD_ROLE_MANAGER)
        return false;
    if (!kind || (strcmp(kind, "child") != 0 && strcmp(kind, "adult") != 0))
        return a->role == JD_ROLE_MANAGER; /* places, vehicles, patterns */
    jd_person_summary p;
    if (!subject || jd_api_person(c, subject, &p) != JD_OK)
        return false;
    for (size_t i = 0; i < p.n_refs; i++)
        if (*a->agency && !strcasecmp(a->agency, p.refs[i].agency))
            return true;
    return false;
}

/* May the caller act on a concern about `kind`/`subject`? */
static bool may_touch(api_ctx *c, const char *kind, const char *subject)
{
    return may_touch_as(c, &c->who->acct, kind, subject);
}

/* A concern as JSON. On the board's agenda (board) the id is the opaque
 * board id (the concern's own id names a person, "auto:child:P000009"),
 * with no subject, title or history. */
static json_t *concern_json(const jd_server *srv, const jd_concern *k, bool board)
{
    char raised[32], due[32], bid[35];
    jd_time_format(raised, k->raised_at);
    jd_time_format(due, k->due_at);
    if (board)
        jd_board_id(srv, k->id, bid);
    int64_t age = ((int64_t)time(NULL) - k->raised_at) / 86400;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:s,s:s,s:I,s:I}", "id",
                          board ? bid : k->id, "kind",
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
    json_t *seen;     /* ids listed so far (inbox with the team's work), or NULL */
    const char *team; /* set while listing a team member's concerns */
} list_ctx;

/* A network's concern is named after the person its alert was found around
 * (the alert's "around", kept in the concern's base): network ids are
 * registry ids (N000123) that name nobody. */
static void name_network(api_ctx *c, const jd_concern *k, json_t *o)
{
    json_t *full = k->json ? json_loads(k->json, 0, NULL) : NULL;
    const char *around = json_string_value(json_object_get(json_object_get(full, "base"), "around"));
    jd_person_summary ps;
    if (around && jd_person_index_get(c->index, around, &ps) == JD_OK && ps.name && *ps.name) {
        char nm[300];
        snprintf(nm, sizeof nm, "Network around %s", ps.name);
        json_object_set_new(o, "subject_name", json_string(nm));
    }
    json_decref(full);
}

static int on_concern(const jd_concern *k, void *payload)
{
    list_ctx *x = payload;
    if (!x->board && !may_touch(x->c, k->kind, k->subject))
        return 0;
    if (x->seen) {
        if (json_object_get(x->seen, k->id))
            return 0;
        json_object_set_new(x->seen, k->id, json_true());
    }
    json_t *o = concern_json(x->c->srv, k, x->board);
    jd_person_summary ps; /* whom it is about, by name (issue 18) */
    if (o && !x->board && k->subject && jd_person_index_get(x->c->index, k->subject, &ps) == JD_OK)
        json_object_set_new(o, "subject_name", json_string(ps.name ? ps.name : ""));
    else if (o && !x->board && k->subject && !strncmp(k->subject, "exploitation_network:", 21))
        name_network(x->c, k, o);
    if (o && x->board && x->c->who->acct.role == JD_ROLE_ANALYST)
        json_object_set_new(o, "concern_id", json_string(k->id)); /* analysts see all */
    if (o && x->team)
        json_object_set_new(o, "team", json_string(x->team));
    if (o)
        json_array_append_new(x->out, o);
    return 0;
}

/* A manager's team: the other enabled accounts with the same team name. */
typedef struct team_ctx {
    const jd_account *me;
    json_t *names;
} team_ctx;

static int on_member(const jd_account *a, void *payload)
{
    team_ctx *t = payload;
    if (!a->disabled && !strcmp(a->team, t->me->team) && strcmp(a->username, t->me->username) != 0)
        json_array_append_new(t->names, json_string(a->username));
    return 0;
}

/* The inbox of a manager with a team also holds the work its members own
 * (DOMAIN §5: "their teams' work and escalations"), need-to-know still
 * applying. The library's inbox query is run once per member. */
static int add_team_work(api_ctx *c, list_ctx *x, jd_error *err)
{
    const jd_account *me = &c->who->acct;
    if (me->role != JD_ROLE_MANAGER || !*me->team)
        return JD_OK;
    team_ctx t = {me, json_array()};
    int rc = jd_account_list(c->store, on_member, &t, err);
    size_t i;
    json_t *v;
    json_array_foreach(t.names, i, v)
    {
        if (rc < 0)
            break;
        jd_concern_query q = JD_CONCERN_QUERY_INIT;
        q.open_only = true;
        q.owner = json_string_value(v);
        x->team = q.owner;
        rc = jd_concern_list(c->store, &q, on_concern, x, err);
    }
    x->team = NULL;
    json_decref(t.names);
    return rc;
}

static void api_concerns(api_ctx *c, reply *r)
{
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.open_only = true;
    const char *all = jd_query(c, "all");
    /* all=1: every open concern the caller may see (need-to-know filter). */
    if (!(all && !strcmp(all, "1"))) {
        q.owner = c->who->acct.username;
        q.role = rung_of(c);
    }
    list_ctx x = {.c = c, .out = json_array(), .seen = q.owner ? json_object() : NULL};
    jd_error err;
    if (jd_concern_list(c->store, &q, on_concern, &x, &err) < 0 ||
        (q.owner && add_team_work(c, &x, &err) < 0)) {
        json_decref(x.out);
        json_decref(x.seen);
        jd_reply_error(r, 500, "store", "Concerns could not be read.");
        return;
    }
    json_decref(x.seen);
    if (!jd_audited(c, r, "view", q.owner ? "concerns:inbox" : "concerns:all", "", "", true)) {
        json_decref(x.out);
        return;
    }
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
    if (!jd_audited(c, r, "view", "agenda", "", "", true)) {
        json_decref(x.out);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:o}", "items", x.out));
}

static void concern_raise(api_ctx *c, reply *r, jd_concern_new *n0);

static void api_concern_raise(api_ctx *c, reply *r)
{
    if (!texts_fit(c, r))
        return;
    jd_concern_new n = JD_CONCERN_NEW_INIT;
    json_t *recs = json_object_get(c->body, "records");
    char *recs_s = json_is_array(recs) ? json_dumps(recs, JSON_COMPACT) : NULL;
    n.records = recs_s;
    n.disclosure = json_is_true(json_object_get(c->body, "disclosure"));
    concern_raise(c, r, &n);
    free(recs_s);
}

static void concern_raise(api_ctx *c, reply *r, jd_concern_new *n0)
{
    jd_concern_new n = *n0;
    n.from_alert = str(c->body, "from_alert");
    n.kind = str(c->body, "kind");
    n.subject = str(c->body, "subject");
    n.title = str(c->body, "title");
    n.level = str(c->body, "level");
    if (n.from_alert) {
        /* Only from an alert the caller may see; an unknown alert and one
         * they may not see get the same answer (no existence oracle). */
        json_t *a = jd_api_alert(c->srv, n.from_alert);
        if (!a || !jd_api_may_see_alert(c->who, a)) {
            char t[200];
            snprintf(t, sizeof t, "alert:%.150s", n.from_alert);
            if (jd_audited(c, r, "concern.raise", t, "",
                           a ? "denied: need to know (alert)" : "not found", false))
                jd_reply_error(r, 404, "not_found", "No such alert among yours.");
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
        n.title = n.from_alert ? NULL : n.subject; /* from an alert: named by its kind */
    if (!may_touch(c, n.kind, n.subject)) {
        if (jd_audited(c, r, "concern.raise", n.subject, "", "denied: need to know", false))
            jd_reply_error(r, 403, "forbidden", "This is not about your agency's records.");
        return;
    }
    /* Audited before it is made, with the whole text; then the outcome. */
    char subj[200], detail[400];
    snprintf(subj, sizeof subj, "%.20s:%.150s", n.kind, n.subject);
    snprintf(detail, sizeof detail, "request%s%.150s", n.from_alert ? " from_alert=" : "",
             n.from_alert ? n.from_alert : "");
    const char *why = str(c->body, "why");
    if (!jd_audited(c, r, "concern.raise", subj, why ? why : (n.title ? n.title : ""), detail,
                    true))
        return;
    jd_concern_actor by = {c->who->acct.username, rung_of(c)};
    char *id = NULL;
    jd_error err;
    jd_error_clear(&err);
    int rc;
    if (n.from_alert) { /* one concern per alert, however often it is asked (api_work.c) */
        bool created = false;
        id = jd_api_raise_once(c, &n, &created, &rc, &err);
        if (id && !created) {
            char t[200];
            snprintf(t, sizeof t, "concern:%.150s", id);
            (void)jd_audit(c, "concern.raise", t, "", "exists: not raised again", true);
            jd_reply_json(r, 200, json_pack("{s:s,s:b}", "id", id, "existing", 1));
            free(id);
            return;
        }
    } else {
        rc = jd_concern_raise(&id, c->store, &n, &by, 0, &err);
    }
    if (rc < 0) {
        snprintf(detail, sizeof detail, "refused: %.280s", err.msg);
        (void)jd_audit(c, "concern.raise", subj, "", detail, false);
        jd_reply_error(r, rc == JD_ENOTFOUND ? 404 : 400, "bad_request", err.msg);
        return;
    }
    char target[200];
    snprintf(target, sizeof target, "concern:%.150s", id);
    (void)jd_audit(c, "concern.raise", target, "", "raised", true); /* the request row stands */
    jd_reply_json(r, 201, json_pack("{s:s}", "id", id));
    free(id);
}

/* Audit a refusal about concern k: false (and 503 set) if the row could
 * not be written; the caller then sets no other answer. */
static bool audit_k(api_ctx *c, reply *r, const char *action, const jd_concern *k,
                    const char *reason, const char *detail, bool ok)
{
    char target[200];
    snprintf(target, sizeof target, "concern:%.150s", k->id);
    return jd_audited(c, r, action, target, reason, detail, ok);
}

/* Fields of an action beyond text and to, checked by the route: returns
 * false when it has replied (a refusal). `k` is the concern as it stands. */
typedef bool (*act_prep)(api_ctx *c, reply *r, const jd_concern *k, jd_concern_action *a,
                         char *detail, size_t detail_size);

typedef struct find_ctx {
    const jd_server *srv;
    const char *bid;
    char *id; /* found (owned) */
} find_ctx;

static int on_agenda_item(const jd_concern *k, void *payload)
{
    find_ctx *f = payload;
    char bid[35];
    jd_board_id(f->srv, k->id, bid);
    if (strcmp(bid, f->bid) != 0)
        return 0;
    f->id = strdup(k->id);
    return 1;
}

/* The concern id behind a board id on the open agenda (owned), or NULL. */
static char *board_resolve(api_ctx *c, const char *bid)
{
    if (strncmp(bid, "B-", 2) != 0 || strlen(bid) != 34)
        return NULL;
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.open_only = true;
    q.agenda = true;
    find_ctx f = {c->srv, bid, NULL};
    jd_error err;
    (void)jd_concern_list(c->store, &q, on_agenda_item, &f, &err);
    return f.id;
}

static void concern_act_with(api_ctx *c, reply *r, jd_concern_verb verb, const char *action,
                             act_prep prep)
{
    jd_concern k;
    jd_error err;
    char target[200];
    bool board = c->who->acct.role == JD_ROLE_BOARD;
    if (!texts_fit(c, r))
        return;
    /* The board knows its items only by their board ids. */
    char *real = board ? board_resolve(c, c->arg) : NULL;
    const char *id = board ? real : c->arg;
    snprintf(target, sizeof target, "concern:%.150s", id ? id : c->arg);
    int rc = id ? jd_concern_get(&k, c->store, id, JD_AS_OF_NOW, 0, NULL, &err) : JD_ENOTFOUND;
    if (rc < 0 && rc != JD_ENOTFOUND) {
        free(real);
        jd_reply_error(r, 500, "store", "The concern could not be read.");
        return;
    }
    /* The board acts only on its agenda's items, which name nobody. Not
     * found and not allowed get the same answer (a concern id can name a
     * person). */
    bool ok = rc == JD_OK && (board ? k.strategic : may_touch(c, k.kind, k.subject));
    if (!ok) {
        if (rc == JD_OK)
            jd_concern_dispose(&k);
        free(real);
        if (jd_audited(c, r, action, target, "", rc == JD_OK ? "denied: need to know" : "not found",
                       false))
            jd_reply_error(r, 404, "not_found",
                           board ? "No such item on the board's agenda."
                                 : "No such concern about your agency's records.");
        return;
    }
    const char *text = str(c->body, "text");
    if (verb == JD_CONCERN_ESCALATE && (!text || !*text)) {
        jd_concern_dispose(&k);
        free(real);
        jd_reply_error(r, 400, "reason_required", "Say why it goes up a rung.");
        return;
    }
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    a.text = text;
    a.to = str(c->body, "to");
    json_t *ev = json_object_get(c->body, "expected_version");
    if (json_is_integer(ev))
        a.expected_version = json_integer_value(ev);
    char detail[300] = "";
    bool go = !prep || prep(c, r, &k, &a, detail, sizeof detail);
    jd_concern_dispose(&k);
    /* Audited before it is done, with the whole text: a change is never
     * made without its row; a refusal by the library adds one. */
    if (!go || !jd_audited(c, r, action, target, text, detail, true)) {
        free(real);
        return;
    }
    jd_concern_actor by = {c->who->acct.username, rung_of(c)};
    rc = jd_concern_act(c->store, id, verb, &a, &by, &err);
    free(real);
    if (rc < 0) {
        snprintf(detail, sizeof detail, "refused: %.280s", err.msg);
        (void)jd_audit(c, action, target, "", detail, false);
        unsigned st = rc == JD_ECONFLICT ? 409 : rc == JD_EDENIED ? 403 : 400;
        /* The library's message can name the concern; the board gets none. */
        jd_reply_error(r, st, rc == JD_EDENIED ? "refused" : "bad_request",
                       board ? "The board's decision could not be recorded." : err.msg);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void concern_act(api_ctx *c, reply *r, jd_concern_verb verb, const char *action)
{
    concern_act_with(c, r, verb, action, NULL);
}

static void api_concern_ack(api_ctx *c, reply *r)
{
    concern_act(c, r, JD_CONCERN_ACK, "concern.ack");
}

static void api_concern_escalate(api_ctx *c, reply *r)
{
    concern_act(c, r, JD_CONCERN_ESCALATE, "concern.escalate");
}

static void api_concern_comment(api_ctx *c, reply *r)
{
    concern_act(c, r, JD_CONCERN_COMMENT, "concern.comment");
}

/* Reassign: to an enabled account with a case role that may see the
 * concern itself (need-to-know goes with the work). */
static bool prep_assign(api_ctx *c, reply *r, const jd_concern *k, jd_concern_action *a,
                        char *detail, size_t n)
{
    jd_account to;
    jd_error err;
    if (!a->to || !*a->to) {
        jd_reply_error(r, 400, "bad_request", "Say who takes it over (to).");
        return false;
    }
    if (jd_account_get(c->store, a->to, &to, &err) != JD_OK || to.disabled ||
        !(R(to.role) & ROLES_CASE)) {
        if (audit_k(c, r, "concern.assign", k, "", "refused: no such case worker", false))
            jd_reply_error(r, 400, "bad_request",
                           "No active practitioner, analyst or manager of that name.");
        return false;
    }
    if (!may_touch_as(c, &to, k->kind, k->subject)) {
        if (audit_k(c, r, "concern.assign", k, "", "refused: the assignee has no need to know",
                    false))
            jd_reply_error(r, 403, "forbidden",
                           "That person may not see this concern (another agency).");
        return false;
    }
    snprintf(detail, n, "to=%s", to.username);
    return true;
}

static void api_concern_assign(api_ctx *c, reply *r)
{
    concern_act_with(c, r, JD_CONCERN_ASSIGN, "concern.assign", prep_assign);
}

/* Close: a reason code from the list and free text; the library decides
 * whether a sign-off is needed (high or above, or "no further action" on a
 * disclosure) and that it is another person at manager rung. The signer
 * proves it is them with their own password, here and now; only an enabled
 * manager who may see the concern can sign off. */
static bool prep_close(api_ctx *c, reply *r, const jd_concern *k, jd_concern_action *a,
                       char *detail, size_t n)
{
    a->reason_code = str(c->body, "reason_code");
    if (!a->reason_code || !*a->reason_code || !a->text || !*a->text) {
        if (audit_k(c, r, "concern.close", k, a->text, "refused: no reason", false))
            jd_reply_error(r, 400, "reason_required",
                           "Closing needs a reason from the list and a note saying why.");
        return false;
    }
    const char *su = str(c->body, "signoff_username"), *sp = str(c->body, "signoff_password");
    if (!su || !*su)
        return true; /* the library refuses if a sign-off is needed */
    if (!sp || !*sp) {
        jd_reply_error(r, 400, "bad_request", "The manager signing off enters their password.");
        return false;
    }
    jd_account m;
    if (!jd_password_proof(c, r, "concern.signoff", su, sp, 403, "signoff_refused",
                           "The sign-off was refused: wrong user name or password.", &m))
        return false;
    char target[96];
    snprintf(target, sizeof target, "account:%.63s", su);
    if (m.role != JD_ROLE_MANAGER || !may_touch_as(c, &m, k->kind, k->subject)) {
        if (jd_audited(c, r, "concern.signoff", target, "", "denied: not a manager who may see it",
                       false))
            jd_reply_error(r, 403, "signoff_refused",
                           "Only a team or service manager who may see this concern can sign it "
                           "off.");
        return false;
    }
    /* Kept in the request's scope: str() points into c->body. */
    a->signoff_by = str(c->body, "signoff_username");
    a->signoff_role = rung_of_role(c->srv, m.role);
    snprintf(detail, n, "reason=%.40s signoff=%.63s", a->reason_code, m.username);
    return true;
}

static void api_concern_close(api_ctx *c, reply *r)
{
    concern_act_with(c, r, JD_CONCERN_CLOSE, "concern.close", prep_close);
}

/* The board's decision on an item of its agenda: the decision, who made it
 * (a named decision-maker) and why. */
static bool prep_decide(api_ctx *c, reply *r, const jd_concern *k, jd_concern_action *a,
                        char *detail, size_t n)
{
    a->decision = str(c->body, "decision");
    a->decision_maker = str(c->body, "decision_maker");
    if (!a->decision || !*a->decision || !a->decision_maker || !*a->decision_maker || !a->text ||
        !*a->text) {
        if (audit_k(c, r, "concern.decide", k, a->text, "refused: incomplete decision", false))
            jd_reply_error(r, 400, "reason_required",
                           "A board decision needs the decision, the decision-maker and the "
                           "reason.");
        return false;
    }
    snprintf(detail, n, "decision=%.100s by=%.100s", a->decision, a->decision_maker);
    return true;
}

static void api_concern_decide(api_ctx *c, reply *r)
{
    concern_act_with(c, r, JD_CONCERN_DECIDE, "concern.decide", prep_decide);
}

static int on_reason(const char *code, const char *text, bool signoff, void *payload)
{
    json_array_append_new(payload, json_pack("{s:s,s:s,s:b}", "code", code, "text",
                                             text ? text : code, "signoff_on_disclosure", signoff));
    return 0;
}

static void api_close_reasons(api_ctx *c, reply *r)
{
    (void)c;
    json_t *out = json_array();
    jd_error err;
    if (jd_concern_close_reasons(NULL, on_reason, out, &err) < 0) {
        json_decref(out);
        jd_reply_error(r, 500, "ladder", "The reasons could not be read.");
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:o}", "reasons", out));
}

const route jd_api_concern_routes[] = {
    {"GET", "/api/concerns", ROLES_CASE, api_concerns},
    {"POST", "/api/concerns", ROLES_CASE, api_concern_raise},
    {"POST", "/api/concerns/{id}/ack", ROLES_CASE, api_concern_ack},
    {"POST", "/api/concerns/{id}/escalate", ROLES_CASE, api_concern_escalate},
    {"POST", "/api/concerns/{id}/comment", ROLES_CASE, api_concern_comment},
    {"POST", "/api/concerns/{id}/assign", R(JD_ROLE_MANAGER) | R(JD_ROLE_ANALYST),
     api_concern_assign},
    {"POST", "/api/concerns/{id}/close", ROLES_CASE, api_concern_close},
    {"POST", "/api/concerns/{id}/decide", R(JD_ROLE_BOARD), api_concern_decide},
    {"GET", "/api/close-reasons", ROLES_CASE, api_close_reasons},
    {"GET", "/api/agenda", R(JD_ROLE_BOARD) | R(JD_ROLE_MANAGER) | R(JD_ROLE_ANALYST), api_agenda},
};
const size_t jd_api_n_concern_routes = sizeof jd_api_concern_routes / sizeof *jd_api_concern_routes;
