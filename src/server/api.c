/*
 * The JSON API of `joindots serve` (docs/openapi.yaml). Each route names
 * the roles that may call it; the plumbing in server.c checks the session,
 * the role and the CSRF token before a handler runs, and handlers check
 * need-to-know on the record itself (a practitioner sees persons known to
 * their own agency, and then the joined picture). Every view, search,
 * change and refusal goes to the audit log.
 */
#include "server_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_REASON 300
#define MAX_QUERY 100
#define SEARCH_MAX 500 /* persons ranked by one search */
#define MAX_TEXT 20000

static const char *str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Need-to-know on a person: analysts see all; practitioners and managers
 * see persons one of whose refs is their agency's. */
bool jd_api_may_see_person(const caller *w, const jd_person_summary *p)
{
    if (jd_api_sees_all(w))
        return true;
    if (w->acct.role != JD_ROLE_PRACTITIONER && w->acct.role != JD_ROLE_MANAGER)
        return false;
    for (size_t i = 0; i < p->n_refs; i++)
        if (jd_api_same_agency(w, p->refs[i].agency))
            return true;
    return false;
}

static bool may_see_person(const caller *w, const jd_person_summary *p)
{
    return jd_api_may_see_person(w, p);
}

static bool may_see_alert(const caller *w, json_t *a)
{
    return jd_api_may_see_alert(w, a);
}

static json_t *alert_for(const caller *w, json_t *a)
{
    return jd_api_alert_for(w, a);
}

/* A search hit as the identities are now: while the index is stale (a
 * resolve since it was built), its current refs from the store, and none
 * when that person id names nobody now (matched on the index's names). */
static bool current_hit(api_ctx *c, jd_person_summary *hit)
{
    if (!c->stale)
        return true;
    double score = hit->score;
    if (jd_api_person(c, hit->person_id, hit) != JD_OK)
        return false;
    hit->score = score;
    return true;
}

/* A reason for looking at a sensitive record: 3 to MAX_REASON characters. */
static const char *need_reason(api_ctx *c, reply *r)
{
    const char *why = jd_query(c, "reason");
    if (!why || strlen(why) < 3 || strlen(why) > MAX_REASON) {
        jd_reply_error(r, 428, "reason_required",
                       "Say why you need this record (3 to 300 characters); it is recorded.");
        return NULL;
    }
    return why;
}

/* ---- accounts and sessions ---- */

static void cookie(api_ctx *c, reply *r, const char *token, int max_age)
{
    char buf[256];
    snprintf(buf, sizeof buf, "jd_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             token, max_age, c->srv->o.tls_cert ? "; Secure" : "");
    free(r->set_cookie);
    r->set_cookie = strdup(buf);
}

static json_t *me_json(const caller *w, const char *csrf)
{
    json_t *me = json_pack("{s:s,s:s,s:s,s:s,s:s}", "username", w->acct.username, "role",
                           jd_role_name(w->acct.role), "agency", w->acct.agency, "team",
                           w->acct.team, "csrf", csrf);
    if (me)
        jd_api_menu(me, w->acct.role); /* what the role may open (api_work.c) */
    return me;
}

static void api_login(api_ctx *c, reply *r)
{
    const char *u = str(c->body, "username"), *p = str(c->body, "password");
    if (!u || !p) {
        jd_reply_error(r, 400, "bad_request", "username and password are needed.");
        return;
    }
    jd_account a;
    if (!jd_password_proof(c, r, "login", u, p, 401, "login_failed",
                           "Wrong user name or password, or the account is disabled.",
                           &a))
        return;
    char target[96];
    snprintf(target, sizeof target, "account:%.63s", u);
    jd_error err;
    char tok[JD_SESSION_TOKEN_SIZE], csrf[JD_SESSION_TOKEN_SIZE];
    if (jd_session_start(c->store, a.id, 0, tok, csrf, &err) < 0) {
        jd_reply_error(r, 500, "store", "The session could not be started.");
        return;
    }
    c->who->authed = true;
    c->who->acct = a;
    if (!jd_audited(c, r, "login", target, "", "", true)) {
        (void)jd_session_end(c->store, tok, &err);
        return;
    }
    cookie(c, r, tok, JD_SESSION_MAX_SECONDS);
    jd_reply_json(r, 200, me_json(c->who, csrf));
}

static void api_logout(api_ctx *c, reply *r)
{
    jd_error err;
    (void)jd_session_end(c->store, c->who->token, &err);
    (void)jd_audit(c, "logout", "", "", "", true); /* the session is ended either way */
    cookie(c, r, "", 0);
    jd_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void api_me(api_ctx *c, reply *r)
{
    jd_reply_json(r, 200, me_json(c->who, c->who->csrf));
}

/* ---- search and persons ---- */

static json_t *person_json(const jd_person_summary *p)
{
    json_t *refs = json_array();
    for (size_t i = 0; i < p->n_refs; i++)
        json_array_append_new(refs, json_pack("{s:s,s:s}", "agency", p->refs[i].agency,
                                              "person_ref", p->refs[i].person_ref));
    return json_pack("{s:s,s:s,s:s,s:b,s:o,s:f}", "person_id", p->person_id, "name", p->name, "dob",
                     p->dob, "is_child", p->is_child, "refs", refs, "score", p->score);
}

static void api_search(api_ctx *c, reply *r)
{
    const char *q = jd_query(c, "q");
    if (!q || !*q || strlen(q) > MAX_QUERY) {
        jd_reply_error(r, 400, "bad_query", "Type 1 to 100 characters to search.");
        return;
    }
    /* Paged: offset and limit (1 to 50, default 25); "more" when the
     * caller may see more than this page. At most SEARCH_MAX are ranked. */
    const char *os = jd_query(c, "offset"), *ls = jd_query(c, "limit");
    char *end = NULL;
    long off = os && *os ? strtol(os, &end, 10) : 0;
    if (os && *os && (*end || off < 0 || off > SEARCH_MAX)) {
        jd_reply_error(r, 400, "bad_parameter", "offset must be a whole number from 0 to 500.");
        return;
    }
    long lim = ls && *ls ? strtol(ls, &end, 10) : 25;
    if (ls && *ls && (*end || lim < 1 || lim > 50)) {
        jd_reply_error(r, 400, "bad_parameter", "limit must be a whole number from 1 to 50.");
        return;
    }
    jd_person_summary *hits = malloc(SEARCH_MAX * sizeof *hits);
    if (!hits) {
        jd_reply_error(r, 500, "memory", "Out of memory.");
        return;
    }
    size_t n = jd_person_index_search(c->index, q, hits, SEARCH_MAX);
    json_t *out = json_array();
    size_t visible = 0, shown = 0;
    for (size_t i = 0; i < n; i++)
        if (current_hit(c, &hits[i]) && may_see_person(c->who, &hits[i])) {
            if (visible >= (size_t)off && shown < (size_t)lim) {
                json_array_append_new(out, person_json(&hits[i]));
                shown++;
            }
            visible++;
        }
    free(hits);
    char target[160], d[64];
    snprintf(target, sizeof target, "query:%s", q);
    snprintf(d, sizeof d, "results=%zu offset=%ld", shown, off);
    if (!jd_audited(c, r, "search", target, "", d, true)) {
        json_decref(out);
        return;
    }
    jd_reply_json(r, 200,
                  json_pack("{s:o,s:I,s:b,s:b,s:I}", "results", out, "total", (json_int_t)visible,
                            "total_capped", n == SEARCH_MAX, "more",
                            (size_t)off + shown < visible, "offset", (json_int_t)off));
}

typedef struct chrono_ctx {
    json_t *events;
    jd_screener *scr;
    json_t *findings; /* of the event being built */
} chrono_ctx;

static int on_finding(const jd_finding *f, void *payload)
{
    chrono_ctx *x = payload;
    json_array_append_new(x->findings,
                          json_pack("{s:s,s:s,s:s,s:s?,s:i,s:i}", "rule", f->rule, "name", f->name,
                                    "why", f->why ? f->why : "", "advice", f->advice, "offset",
                                    f->offset, "length", f->length));
    return 0;
}

static int on_event(const jd_chrono_event *ev, void *payload)
{
    chrono_ctx *x = payload;
    char t[32], rt[32];
    jd_time_format(t, ev->occurred_at);
    jd_time_format(rt, ev->reported_at);
    json_t *parties = json_array(), *objects = json_array();
    bool vehicle = false, adult = false;
    for (size_t i = 0; i < ev->n_parties; i++) {
        const jd_chrono_party *p = &ev->parties[i];
        json_array_append_new(parties, json_pack("{s:s,s:s,s:s,s:s?,s:s}", "agency", p->agency,
                                                 "person_ref", p->person_ref, "role", p->role,
                                                 "person_id", p->person_id, "name", p->name));
        if (!strcmp(p->role, "suspect") || !strcmp(p->role, "associate"))
            adult = true;
    }
    for (size_t i = 0; i < ev->n_objects; i++) {
        const jd_chrono_object *o = &ev->objects[i];
        json_array_append_new(objects,
                              json_pack("{s:s,s:s,s:s}", "type", o->object_type, "value", o->value,
                                        "description", o->description ? o->description : ""));
        if (!strcmp(o->object_type, "vehicle"))
            vehicle = true;
    }
    x->findings = json_array();
    jd_screen_input in = {.event_type = ev->event_type,
                          .text = ev->narrative ? ev->narrative : "",
                          .age = -1,
                          .vehicle = vehicle,
                          .adult_party = adult};
    jd_error err;
    (void)jd_screener_run(x->scr, &in, on_finding, x, &err);
    json_t *e =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:o,s:o,s:o}", "event_id",
                  (json_int_t)ev->event_id, "agency", ev->agency, "record_id", ev->record_id,
                  "event_type", ev->event_type, "occurred_at", t, "reported_at", rt, "location",
                  ev->location ? ev->location : "", "narrative", ev->narrative ? ev->narrative : "",
                  "outcome", ev->outcome ? ev->outcome : "", "role",
                  ev->subject_role ? ev->subject_role : "", "crime_ref", ev->crime_ref, "parties",
                  parties, "objects", objects, "findings", x->findings);
    if (!e)
        return JD_ENOMEM;
    json_array_append_new(x->events, e);
    return 0;
}

json_t *jd_api_alerts_of(jd_server *srv, const caller *w, const char *person_id)
{
    json_t *out = json_array(), *a;
    size_t i;
    /* the view of these alerts when there is one (alert_view.c): the
     * person's alerts by a binary search, not a walk of every alert */
    pthread_mutex_lock(&srv->view_mu);
    const alert_view *v = srv->view && srv->view->alerts == srv->alerts ? srv->view : NULL;
    pthread_mutex_unlock(&srv->view_mu);
    size_t n = 0;
    uint32_t *rows = v ? jd_alert_view_of_person(v, person_id, &n) : NULL;
    if (rows) {
        for (i = 0; i < n; i++)
            json_array_append_new(out, alert_for(w, v->rows[rows[i]].a));
        free(rows);
        return out;
    }
    json_array_foreach(srv->alerts, i, a)
    {
        const char *pid = str(json_object_get(a, "subject"), "person_id");
        bool hit = pid && !strcmp(pid, person_id);
        json_t *m;
        size_t j;
        json_array_foreach(json_object_get(a, "members"), j, m)
        {
            const char *mp = str(m, "person_id");
            if (mp && !strcmp(mp, person_id))
                hit = true;
        }
        if (hit)
            json_array_append_new(out, alert_for(w, a));
    }
    return out;
}

static void api_person(api_ctx *c, reply *r)
{
    jd_person_summary p;
    char target[160];
    snprintf(target, sizeof target, "person:%.150s", c->arg);
    /* Not found and not allowed get the same answer, so that the answer
     * does not tell whether a person id exists (issue 19). */
    bool found = jd_api_person(c, c->arg, &p) == JD_OK;
    if (!found || !may_see_person(c->who, &p)) {
        if (jd_audited(c, r, "view", target, "",
                       found ? "denied: need to know" : "denied: not found", false))
            jd_reply_error(r, 404, "not_found",
                           "No such person known to your agency.");
        return;
    }
    snprintf(target, sizeof target, "person:%s", p.person_id);
    const char *why = need_reason(c, r);
    if (!why)
        return;
    chrono_ctx x = {.events = json_array(), .scr = c->screener};
    jd_error err;
    int rc = jd_chronology(c->store, p.person_id, JD_AS_OF_NOW, on_event, &x, &err);
    if (rc < 0 && rc != JD_ENOTFOUND) {
        json_decref(x.events);
        jd_reply_error(r, 500, "store", "The chronology could not be read.");
        return;
    }
    char d[64];
    snprintf(d, sizeof d, "events=%zu", json_array_size(x.events));
    if (!jd_audited(c, r, "view", target, why, d, true)) {
        json_decref(x.events);
        return;
    }
    json_t *o = person_json(&p);
    json_object_set_new(o, "events", x.events);
    (void)jd_alert_view(c->srv, c->index); /* the person's alerts by id (alert_view.c) */
    json_object_set_new(o, "alerts", jd_api_alerts_of(c->srv, c->who, p.person_id));
    jd_reply_json(r, 200, o);
}

/* ---- alerts ---- */

/* The alert queue (paged, sorted, filtered) is in api_work.c. */

static void api_ack(api_ctx *c, reply *r)
{
    json_t *a = jd_api_alert(c->srv, c->arg);
    char target[200];
    snprintf(target, sizeof target, "alert:%.150s", c->arg);
    if (!a || !may_see_alert(c->who, a)) {
        if (jd_audited(c, r, "acknowledge", target, "", a ? "denied: need to know" : "not found",
                       false))
            jd_reply_error(r, 404, "not_found", "No such alert among yours.");
        return;
    }
    const char *note = str(c->body, "note");
    if (!note || !*note || strlen(note) > 1000) {
        jd_reply_error(r, 400, "note_required", "Write a note of 1 to 1000 characters.");
        return;
    }
    /* Wording that blames the child asks for a second look first (issue 18). */
    if (!jd_api_second_look(c, r, note))
        return;
    /* Audited before it is done: a change is never made without its row. */
    if (!jd_audited(c, r, "acknowledge", target, note, "", true))
        return;
    jd_error err;
    if (jd_alert_acknowledge(c->store, c->arg, c->who->acct.username, note, &err) < 0) {
        (void)jd_audit(c, "acknowledge", target, note, "refused: not stored", false);
        jd_reply_error(r, 400, "note_required", "Write a note of 1 to 1000 characters.");
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* ---- network, profiles, dashboard ---- */

static json_t *capture_json(int (*fn)(FILE *f, void *p), void *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int rc = fn(f, p);
    fclose(f);
    json_t *j = rc == JD_OK ? json_loadb(buf, len, 0, NULL) : NULL;
    free(buf);
    return j;
}

typedef struct gen_ctx {
    api_ctx *c;
    const char *subject;
    int rc;
    jd_error err;
} gen_ctx;

static int gen_graph(FILE *f, void *p)
{
    gen_ctx *g = p;
    jd_profile_opts o = JD_PROFILE_OPTS_INIT;
    return g->rc = jd_network_graph(g->c->store, JD_GRAPH_JSON, &o, f, &g->err);
}

static int gen_profile(FILE *f, void *p)
{
    gen_ctx *g = p;
    jd_profile_opts o = JD_PROFILE_OPTS_INIT;
    o.json = true;
    return g->rc = jd_profile(g->c->store, g->subject, &o, f, &g->err);
}

/* What the last analysis stored (jd_escalate_analyse), parsed; NULL when
 * there is none and the document must be built afresh. */
static json_t *stored_json(api_ctx *c, const char *what, const char *subject)
{
    char *txt = NULL;
    jd_error err;
    if (jd_network_stored(c->store, what, subject, &txt, &err) < 0)
        return NULL;
    json_t *j = json_loads(txt, 0, NULL);
    free(txt);
    return j;
}

static void api_network(api_ctx *c, reply *r)
{
    gen_ctx g = {.c = c};
    json_t *j = stored_json(c, "graph", NULL);
    if (!j)
        j = capture_json(gen_graph, &g);
    if (!j) {
        jd_reply_error(r, 500, "network", "The network could not be built.");
        return;
    }
    if (!jd_audited(c, r, "view", "network", "", "", true)) {
        json_decref(j);
        return;
    }
    jd_reply_json(r, 200, j);
}

static void api_profile(api_ctx *c, reply *r)
{
    const char *subject = jd_query(c, "subject");
    if (!subject || !*subject || strlen(subject) > 200) {
        jd_reply_error(r, 400, "bad_subject", "Name a person, vehicle:, phone: or place:.");
        return;
    }
    const char *why = need_reason(c, r);
    if (!why)
        return;
    gen_ctx g = {.c = c, .subject = subject};
    json_t *j = stored_json(c, "profile", subject);
    if (!j)
        j = capture_json(gen_profile, &g);
    char target[240];
    snprintf(target, sizeof target, "profile:%s", subject);
    if (!j) {
        if (!jd_audited(c, r, "view", target, why, "not found", false))
            return;
        if (g.rc == JD_ENOTFOUND)
            jd_reply_error(r, 404, "not_found", "Nothing matches that.");
        else if (g.rc == JD_EINVALID)
            jd_reply_error(r, 400, "bad_subject", "That is not a person, vehicle, phone or place.");
        else
            jd_reply_error(r, 500, "profile", "The profile could not be built.");
        return;
    }
    if (!jd_audited(c, r, "view", target, why, "", true)) {
        json_decref(j);
        return;
    }
    jd_api_profile_texts(c, j); /* the words of each record (api_work.c) */
    jd_reply_json(r, 200, j);
}

static void api_dashboard(api_ctx *c, reply *r)
{
    if (!jd_audited(c, r, "view", "dashboard", "", "", true))
        return;
    json_t *d = json_deep_copy(c->srv->board);
    json_t *ages = jd_api_agenda_ages(c);
    if (ages)
        json_object_set_new(d, "open_strategic_items_by_age", ages);
    jd_reply_json(r, 200, d);
}

/* The text screen (screen.h) over a note: wording in every form, not when
 * it is negated, about someone else or quoted to challenge it. Fills the
 * language findings and, when ind is given, the indicators. */
static void screen_note(api_ctx *c, const char *text, json_t *lang, json_t *ind)
{
    jd_screen_note in = {NULL, text, NULL, NULL, -1, 0, -1, 0, 0};
    jd_screen_result res = {0};
    jd_error err;
    jd_error_clear(&err);
    if (jd_screen_run(c->screen, &in, &res, &err) == JD_OK)
        for (size_t i = 0; i < res.n; i++) {
            const jd_screen_match *m = &res.m[i];
            if (!m->counts || m->kind == JD_SCREEN_OFFENCE)
                continue;
            if (m->kind != JD_SCREEN_LANGUAGE && !ind)
                continue;
            json_t *f = json_pack("{s:s,s:s,s:s%,s:s?,s:i,s:i}", "rule", m->code, "name", m->name,
                                  "why", text + (m->start >= 0 ? m->start : 0),
                                  (size_t)(m->start >= 0 ? m->end - m->start : 0), "advice",
                                  m->advice, "offset", m->start, "length",
                                  m->start >= 0 ? m->end - m->start : 0);
            json_array_append_new(m->kind == JD_SCREEN_LANGUAGE ? lang : ind, f);
        }
    jd_screen_result_free(&res);
}

json_t *jd_api_language(api_ctx *c, const char *text)
{
    json_t *lang = json_array();
    screen_note(c, text, lang, NULL);
    return lang;
}

bool jd_api_second_look(api_ctx *c, reply *r, const char *text)
{
    json_t *confirmed = c->body ? json_object_get(c->body, "confirmed") : NULL;
    if (json_is_true(confirmed))
        return true;
    json_t *lang = jd_api_language(c, text);
    if (!json_array_size(lang)) {
        json_decref(lang);
        return true;
    }
    jd_reply_error(r, 409, "wording_flagged",
                   "This uses wording that can blame a child for what adults did. Look again: "
                   "change it, or save it as written.");
    if (r->json)
        json_object_set_new(r->json, "language", lang);
    else
        json_decref(lang);
    return false;
}

static void api_language(api_ctx *c, reply *r)
{
    const char *text = str(c->body, "text");
    if (!text || strlen(text) > MAX_TEXT) {
        jd_reply_error(r, 400, "bad_text", "Send up to 20000 characters of text.");
        return;
    }
    json_t *lang = json_array(), *ind = json_array();
    screen_note(c, text, lang, ind);
    jd_reply_json(r, 200, json_pack("{s:o,s:o}", "language", lang, "indicators", ind));
}

/* ---- audit and accounts ---- */

/* Every row is shown: a field that is not valid UTF-8 (written before the
 * server cleaned its fields, or by another writer) is shown with U+FFFD in
 * place of each bad byte instead of dropping the row (issue 19 item 3). */
static int on_audit(const jd_audit_entry *e, void *payload)
{
    char t[32];
    jd_time_format(t, e->at);
    const char *f[6] = {e->actor, e->action, e->target, e->reason, e->detail, e->hash};
    char *g[6] = {NULL};
    for (int i = 0; i < 6; i++) {
        size_t n = f[i] ? strlen(f[i]) : 0;
        g[i] = malloc(n * 3 + 1);
        if (!g[i]) {
            for (int k = 0; k < i; k++)
                free(g[k]);
            return JD_ENOMEM;
        }
        jd_utf8_clean(g[i], n * 3 + 1, f[i]);
    }
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "seq", (json_int_t)e->seq, "at",
                          t, "actor", g[0], "action", g[1], "target", g[2], "reason", g[3],
                          "detail", g[4], "ok", e->ok, "hash", g[5]);
    for (int i = 0; i < 6; i++)
        free(g[i]);
    if (!o)
        return JD_ENOMEM;
    json_array_append_new(payload, o);
    return 0;
}

static void api_audit(api_ctx *c, reply *r)
{
    const char *after = jd_query(c, "after");
    long long a = after ? atoll(after) : 0;
    json_t *out = json_array();
    jd_error err;
    if (jd_audit_list(c->store, a > 0 ? a : 0, 500, on_audit, out, &err) < 0) {
        json_decref(out);
        jd_reply_error(r, 500, "store", "The audit log could not be read.");
        return;
    }
    if (!jd_audited(c, r, "view", "audit", "", "", true)) {
        json_decref(out);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:o}", "entries", out));
}

static void api_audit_verify(api_ctx *c, reply *r)
{
    jd_audit_report rep;
    jd_error err;
    int rc = jd_audit_verify(c->store, &rep, &err);
    if (rc < 0 && rc != JD_ECONFLICT) {
        jd_reply_error(r, 500, "store", "The audit log could not be read.");
        return;
    }
    if (!jd_audited(c, r, "verify", "audit", "", rc == JD_OK ? "intact" : "broken", true))
        return;
    jd_reply_json(r, 200,
                  json_pack("{s:b,s:I,s:I,s:s}", "intact", rc == JD_OK, "entries",
                            (json_int_t)rep.entries, "first_bad", (json_int_t)rep.first_bad,
                            "problem", rep.problem));
}

static int on_account(const jd_account *a, void *payload)
{
    json_array_append_new(payload,
                          json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "username", a->username, "role",
                                    jd_role_name(a->role), "agency", a->agency, "team", a->team,
                                    "disabled", a->disabled, "failed_logins", a->failed));
    return 0;
}

static void api_users(api_ctx *c, reply *r)
{
    json_t *out = json_array();
    jd_error err;
    if (jd_account_list(c->store, on_account, out, &err) < 0) {
        json_decref(out);
        jd_reply_error(r, 500, "store", "Accounts could not be read.");
        return;
    }
    if (!jd_audited(c, r, "view", "accounts", "", "", true)) {
        json_decref(out);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:o}", "users", out));
}

static void api_user_add(api_ctx *c, reply *r)
{
    const char *u = str(c->body, "username"), *role_s = str(c->body, "role");
    jd_role role;
    if (!u || !role_s || jd_role_parse(role_s, &role) < 0) {
        jd_reply_error(r, 400, "bad_request", "username and a valid role are needed.");
        return;
    }
    char pw[21];
    jd_password_generate(pw);
    jd_error err;
    char target[96];
    snprintf(target, sizeof target, "account:%.63s", u);
    if (!jd_audited(c, r, "account.add", target, "", role_s, true))
        return;
    int rc =
        jd_account_add(c->store, u, role, str(c->body, "agency"), str(c->body, "team"), pw, &err);
    if (rc < 0)
        (void)jd_audit(c, "account.add", target, "", err.msg, false);
    if (rc < 0) {
        jd_reply_error(r, rc == JD_ECONFLICT ? 409 : 400, "bad_request", err.msg);
        return;
    }
    jd_reply_json(r, 201, json_pack("{s:s,s:s}", "username", u, "password", pw));
}

static void user_change(api_ctx *c, reply *r, const char *what)
{
    jd_error err;
    int rc;
    char pw[21] = "";
    char target[160], action[32];
    snprintf(target, sizeof target, "account:%.63s", c->arg);
    snprintf(action, sizeof action, "account.%s", what);
    if (!jd_audited(c, r, action, target, "", "", true))
        return;
    if (!strcmp(what, "reset")) {
        jd_password_generate(pw);
        rc = jd_account_reset(c->store, c->arg, pw, &err);
    } else {
        rc = jd_account_set_disabled(c->store, c->arg, !strcmp(what, "disable"), &err);
    }
    if (rc < 0)
        (void)jd_audit(c, action, target, "", err.msg, false);
    else if (!strcmp(what, "reset")) /* a new password: its login waits for nobody */
        (void)jd_throttle_clear(&c->srv->th, c->arg, NULL);
    if (rc < 0) {
        jd_reply_error(r, rc == JD_ENOTFOUND ? 404 : 400, "bad_request", err.msg);
        return;
    }
    jd_reply_json(r, 200, *pw ? json_pack("{s:s}", "password", pw) : json_pack("{s:b}", "ok", 1));
}

static void api_user_disable(api_ctx *c, reply *r)
{
    user_change(c, r, "disable");
}
static void api_user_enable(api_ctx *c, reply *r)
{
    user_change(c, r, "enable");
}
static void api_user_reset(api_ctx *c, reply *r)
{
    user_change(c, r, "reset");
}

/* ---- login throttling: seen and cleared by managers and admins ---- */

static void api_throttle(api_ctx *c, reply *r)
{
    json_t *l = jd_throttle_list(&c->srv->th, c->srv->o.login_per_minute, (int64_t)time(NULL));
    if (!l) {
        jd_reply_error(r, 500, "memory", "Out of memory.");
        return;
    }
    if (!jd_audited(c, r, "view", "throttle", "", "", true)) {
        json_decref(l);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:o,s:i}", "entries", l, "per_minute",
                                    c->srv->o.login_per_minute));
}

static void api_throttle_clear(api_ctx *c, reply *r)
{
    const char *u = str(c->body, "username"), *a = str(c->body, "address");
    if ((!u || !*u) && (!a || !*a)) {
        jd_reply_error(r, 400, "bad_request", "Name a username, an address, or both.");
        return;
    }
    char target[160];
    snprintf(target, sizeof target, "throttle:%.63s@%.63s", u ? u : "*", a ? a : "*");
    if (!jd_audited(c, r, "throttle.clear", target, str(c->body, "why"), "", true))
        return;
    size_t n = jd_throttle_clear(&c->srv->th, u, a);
    jd_reply_json(r, 200, json_pack("{s:I}", "cleared", (json_int_t)n));
}

#define BOARD_VIEW (R(JD_ROLE_BOARD) | R(JD_ROLE_MANAGER) | R(JD_ROLE_ANALYST))

/* Keep in step with docs/openapi.yaml (tests/integration/test_serve.sh checks). */
const route jd_api_routes[] = {
    {"POST", "/api/login", ROLES_NONE, api_login},
    {"POST", "/api/logout", ROLES_ANY, api_logout},
    {"GET", "/api/me", ROLES_ANY, api_me},
    {"GET", "/api/search", ROLES_CASE, api_search},
    {"GET", "/api/persons/{id}", ROLES_CASE, api_person},
    {"POST", "/api/alerts/{id}/ack", ROLES_CASE, api_ack},
    {"GET", "/api/network", R(JD_ROLE_ANALYST), api_network},
    {"GET", "/api/profile", R(JD_ROLE_ANALYST), api_profile},
    {"GET", "/api/dashboard", BOARD_VIEW, api_dashboard},
    {"POST", "/api/language-check", ROLES_CASE, api_language},
    {"GET", "/api/audit", R(JD_ROLE_AUDITOR), api_audit},
    {"GET", "/api/audit/verify", R(JD_ROLE_AUDITOR), api_audit_verify},
    {"GET", "/api/users", R(JD_ROLE_ADMIN), api_users},
    {"POST", "/api/users", R(JD_ROLE_ADMIN), api_user_add},
    {"POST", "/api/users/{id}/disable", R(JD_ROLE_ADMIN), api_user_disable},
    {"POST", "/api/users/{id}/enable", R(JD_ROLE_ADMIN), api_user_enable},
    {"POST", "/api/users/{id}/reset", R(JD_ROLE_ADMIN), api_user_reset},
    {"GET", "/api/throttle", R(JD_ROLE_MANAGER) | R(JD_ROLE_ADMIN), api_throttle},
    {"POST", "/api/throttle/clear", R(JD_ROLE_MANAGER) | R(JD_ROLE_ADMIN), api_throttle_clear},
};
const size_t jd_api_n_routes = sizeof jd_api_routes / sizeof *jd_api_routes;
