/*
 * Work queues of the web application (issue 18): the alert queue paged,
 * sorted and filtered on the server, with the concern each alert already
 * has and the name of whom it is about; taking an alert (its concern is
 * raised once and assigned); "my children" (the caseload: children whose
 * open concern the user owns); the counts shown in the menu; the menu
 * itself, by role; the board's agenda with titles that name nobody and its
 * decision log; the text of the records of a profile.
 *
 * An alert's assignment is the owner of its concern (include/joindots/
 * concern.h): one work item, one owner, one history, the same on the
 * concerns page. Need-to-know as in api.c: jd_api_may_see_alert,
 * jd_api_alert_for.
 */
#include "server_internal.h"

#include <joindots/account.h>
#include <joindots/chronology.h>
#include <joindots/concern.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PAGE_MAX 200
#define PAGE_DEFAULT 50
#define PROFILE_TEXT_PERSONS 40 /* chronologies read for a profile's record texts */

static const char *str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A non-negative integer query parameter within [0, max]; def when absent.
 * False (and 400 set) when it is not a number in range. */
static bool int_param(api_ctx *c, reply *r, const char *key, long def, long max, long *out)
{
    const char *v = jd_query(c, key);
    if (!v || !*v) {
        *out = def;
        return true;
    }
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (*end || n < 0 || n > max) {
        char msg[120];
        snprintf(msg, sizeof msg, "%s must be a whole number from 0 to %ld.", key, max);
        jd_reply_error(r, 400, "bad_parameter", msg);
        return false;
    }
    *out = n;
    return true;
}

/* ---- the menu, by role (the browser keeps no copy of the role table) ---- */

typedef struct menu_item {
    const char *route, *label, *count;
    unsigned roles;
} menu_item;

#define CASE (R(JD_ROLE_PRACTITIONER) | R(JD_ROLE_MANAGER) | R(JD_ROLE_ANALYST))
static const menu_item MENU[] = {
    {"caseload", "My children", "children", R(JD_ROLE_PRACTITIONER) | R(JD_ROLE_MANAGER)},
    {"alerts", "Alerts", "alerts", CASE},
    {"search", "Search", NULL, CASE},
    {"concerns", "Concerns", NULL, CASE},
    {"network", "Network", NULL, R(JD_ROLE_ANALYST)},
    {"profile", "Profiles", NULL, R(JD_ROLE_ANALYST)},
    {"hotspots", "Hotspots map", NULL, R(JD_ROLE_ANALYST)},
    {"dashboard", "Dashboard", NULL, R(JD_ROLE_BOARD) | R(JD_ROLE_MANAGER) | R(JD_ROLE_ANALYST)},
    {"agenda", "Board agenda", NULL, R(JD_ROLE_BOARD) | R(JD_ROLE_MANAGER) | R(JD_ROLE_ANALYST)},
    {"note", "Write a note", NULL, CASE},
    {"audit", "Audit log", NULL, R(JD_ROLE_AUDITOR)},
    {"users", "Accounts", NULL, R(JD_ROLE_ADMIN)},
};
/* Routes opened from a page rather than the menu. */
static const menu_item HIDDEN[] = {
    {"person", NULL, NULL, CASE},
};

void jd_api_menu(json_t *me, jd_role role)
{
    json_t *menu = json_array(), *routes = json_array();
    const char *home = NULL;
    /* The board lands on its dashboard; case roles on their work. */
    for (size_t i = 0; i < sizeof MENU / sizeof *MENU; i++) {
        if (!(MENU[i].roles & R(role)))
            continue;
        json_t *m = json_pack("{s:s,s:s}", "route", MENU[i].route, "label", MENU[i].label);
        if (MENU[i].count)
            json_object_set_new(m, "count", json_string(MENU[i].count));
        if (role == JD_ROLE_BOARD && !strcmp(MENU[i].label, "Board agenda"))
            json_object_set_new(m, "label", json_string("Agenda"));
        json_array_append_new(menu, m);
        json_array_append_new(routes, json_string(MENU[i].route));
        if (!home)
            home = MENU[i].route;
    }
    for (size_t i = 0; i < sizeof HIDDEN / sizeof *HIDDEN; i++)
        if (HIDDEN[i].roles & R(role))
            json_array_append_new(routes, json_string(HIDDEN[i].route));
    if (role == JD_ROLE_ANALYST || role == JD_ROLE_BOARD)
        home = role == JD_ROLE_ANALYST ? "alerts" : "dashboard";
    if (role == JD_ROLE_PRACTITIONER || role == JD_ROLE_MANAGER)
        home = "search";
    json_object_set_new(me, "menu", menu);
    json_object_set_new(me, "routes", routes);
    json_object_set_new(me, "home", json_string(home ? home : ""));
}

/* ---- the concerns behind alerts ---- */

/* Open concerns indexed by the alert they were raised from and, for child
 * concerns, by the child: the concern an alert "already has". */
typedef struct work_map {
    json_t *by_alert; /* alert id -> {id, rung, owner, status, level} */
    json_t *by_child; /* person id -> same */
    /* the snapshot they are borrowed from (read only: no thread changes a
     * reference count of its JSON, which jansson does not read atomically) */
    struct concern_snap *snap;
    jd_server *srv;
} work_map;

/* One concern as the snapshot keeps it, kept from one snapshot to the next
 * while its version stands and its changes_at is ahead. */
typedef struct snap_item {
    char *id, *alert, *subject, *rung, *owner, *status, *level;
    int64_t version, changes_at, raised_at;
    bool child, strategic;
} snap_item;

/* The open concerns as the queue, the counts and the dashboard read them:
 * every stored concern's id and version (jd_concern_versions), each concern
 * simulated at the build's time (jd_concern_get) or taken from the snapshot
 * before, kept while the concerns' change counter is `gen`
 * and the time is before `until` (the first time a concern's state may
 * change with nothing recorded: jd_concern.changes_at). A request whose
 * snapshot is out of date builds the next one, once for all waiters; it
 * simulates again only the concerns whose version moved, that are new, or
 * whose changes_at has come, and takes the others from the snapshot before. */
struct concern_snap {
    int64_t gen, until;
    json_t *by_alert, *by_child; /* as work_map */
    int64_t *agenda;             /* raised_at of the open strategic items */
    size_t n_agenda, cap_agenda;
    snap_item *items; /* every stored concern, in the store's order */
    size_t n_items, cap_items;
    snap_item **by_id; /* items sorted by id (strcmp), for the next build */
    size_t simulated;  /* concerns this build simulated (jd_concern_get) */
    unsigned refs;     /* work maps borrowing it (under concern_mu): a snapshot
                        * replaced meanwhile is freed by the last of them */
};

static void item_free(snap_item *it)
{
    free(it->id);
    free(it->alert);
    free(it->subject);
    free(it->rung);
    free(it->owner);
    free(it->status);
    free(it->level);
}

void jd_concern_snap_free(concern_snap *v)
{
    if (!v)
        return;
    json_decref(v->by_alert);
    json_decref(v->by_child);
    free(v->agenda);
    for (size_t i = 0; i < v->n_items; i++)
        item_free(&v->items[i]);
    free(v->items);
    free(v->by_id);
    free(v);
}

static int oom(jd_error *err)
{
    return jd_error_set(err, JD_ENOMEM, "out of memory");
}

static char *dup_opt(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* it (its id set) from a concern just simulated (false: out of memory). */
static bool item_from(snap_item *it, const jd_concern *k)
{
    json_t *full = k->json ? json_loads(k->json, 0, NULL) : NULL;
    const char *alert = str(json_object_get(full, "base"), "alert");
    *it = (snap_item){.id = it->id,
                      .alert = dup_opt(alert),
                      .subject = dup_opt(k->subject),
                      .rung = strdup(k->rung),
                      .owner = strdup(k->owner ? k->owner : ""),
                      .status = strdup(k->status),
                      .level = strdup(k->level),
                      .version = k->version,
                      .changes_at = k->changes_at,
                      .raised_at = k->raised_at,
                      .child = !strcmp(k->kind, "child"),
                      .strategic = k->strategic};
    json_decref(full);
    return (it->alert || !alert) && (it->subject || !k->subject) && it->rung && it->owner &&
           it->status && it->level;
}

/* it (its id set) as o, the same concern in the snapshot before. */
static bool item_copy(snap_item *it, const snap_item *o)
{
    char *id = it->id;
    *it = *o;
    it->id = id;
    it->alert = dup_opt(o->alert);
    it->subject = dup_opt(o->subject);
    it->rung = strdup(o->rung);
    it->owner = strdup(o->owner);
    it->status = strdup(o->status);
    it->level = strdup(o->level);
    return (it->alert || !o->alert) && (it->subject || !o->subject) && it->rung && it->owner &&
           it->status && it->level;
}

static int by_id_cmp(const void *a, const void *b)
{
    return strcmp((*(snap_item *const *)a)->id, (*(snap_item *const *)b)->id);
}

static const snap_item *item_find(const concern_snap *old, const char *id)
{
    if (!old || !old->by_id)
        return NULL;
    snap_item key = {.id = (char *)id}, *kp = &key;
    snap_item **f = bsearch(&kp, old->by_id, old->n_items, sizeof *old->by_id, by_id_cmp);
    return f ? *f : NULL;
}

/* One stored concern, by id and version (filled in after the list: a store
 * handle reads one thing at a time). */
static int on_version(const char *id, int64_t version, void *payload)
{
    concern_snap *v = payload;
    if (jd_grow((void **)&v->items, &v->cap_items, v->n_items + 1, sizeof *v->items) < 0)
        return JD_ENOMEM;
    v->items[v->n_items] = (snap_item){.id = strdup(id), .version = version};
    return v->items[v->n_items++].id ? 0 : JD_ENOMEM; /* freed with the snapshot */
}

/* The items listed: each taken from `old` while its version stands and its
 * changes_at is ahead, else simulated at now. */
static int snap_fill(concern_snap *v, const concern_snap *old, jd_store *s, int64_t now,
                     jd_error *err)
{
    for (size_t i = 0; i < v->n_items; i++) {
        snap_item *it = &v->items[i];
        const snap_item *o = item_find(old, it->id);
        bool ok;
        if (o && o->version == it->version && now < o->changes_at) {
            ok = item_copy(it, o);
        } else {
            jd_concern k;
            int rc = jd_concern_get(&k, s, it->id, JD_AS_OF_NOW, now, NULL, err);
            if (rc < 0)
                return rc;
            ok = item_from(it, &k);
            jd_concern_dispose(&k);
            v->simulated++;
        }
        if (!ok)
            return oom(err);
    }
    return JD_OK;
}

/* The maps, the agenda and `until` from the items, in the store's order
 * (the first concern of an alert or a child is the one it has). */
static int snap_index(concern_snap *v)
{
    v->until = INT64_MAX;
    if (v->n_items && !(v->by_id = malloc(v->n_items * sizeof *v->by_id)))
        return JD_ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const snap_item *k = &v->items[i];
        v->by_id[i] = &v->items[i];
        if (k->changes_at < v->until)
            v->until = k->changes_at;
        if (!strcmp(k->status, "closed"))
            continue;
        if (k->strategic &&
            jd_grow((void **)&v->agenda, &v->cap_agenda, v->n_agenda + 1, sizeof *v->agenda) < 0)
            return JD_ENOMEM;
        if (k->strategic)
            v->agenda[v->n_agenda++] = k->raised_at;
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", k->id, "rung", k->rung, "owner",
                              k->owner, "status", k->status, "level", k->level);
        if (!o)
            return JD_ENOMEM;
        if (k->alert && !json_object_get(v->by_alert, k->alert))
            json_object_set(v->by_alert, k->alert, o);
        if (k->child && k->subject && !json_object_get(v->by_child, k->subject))
            json_object_set(v->by_child, k->subject, o);
        json_decref(o);
    }
    if (v->n_items)
        qsort(v->by_id, v->n_items, sizeof *v->by_id, by_id_cmp);
    return JD_OK;
}

/* The snapshot at counter gen and time now; `old` (NULL: none) lends the
 * concerns that have not changed since it. */
static concern_snap *snap_build(jd_store *s, const concern_snap *old, int64_t gen, int64_t now,
                                jd_error *err)
{
    concern_snap *v = calloc(1, sizeof *v);
    if (!v || !(v->by_alert = json_object()) || !(v->by_child = json_object())) {
        jd_concern_snap_free(v);
        oom(err);
        return NULL;
    }
    v->gen = gen;
    int rc = jd_concern_versions(s, on_version, v, err);
    if (rc == JD_ENOMEM)
        rc = oom(err);
    if (rc == JD_OK)
        rc = snap_fill(v, old, s, now, err);
    if (rc == JD_OK && snap_index(v) < 0)
        rc = oom(err);
    if (rc < 0) {
        jd_concern_snap_free(v);
        return NULL;
    }
    return v;
}

/* JD_CONCERN_SNAP_CHECK set (tests): a snapshot built from the one before
 * compared with one built from nothing at the same counter and time. */
static void snap_check(jd_store *s, const concern_snap *v, int64_t now)
{
    if (!getenv("JD_CONCERN_SNAP_CHECK"))
        return;
    jd_error err;
    jd_error_clear(&err);
    concern_snap *f = snap_build(s, NULL, v->gen, now, &err);
    if (!f) {
        fprintf(stderr, "joindots serve: concern snapshot check: %s\n", err.msg);
        return;
    }
    size_t fl = JSON_SORT_KEYS | JSON_COMPACT;
    char *d[4] = {json_dumps(v->by_alert, fl), json_dumps(f->by_alert, fl),
                  json_dumps(v->by_child, fl), json_dumps(f->by_child, fl)};
    bool same = d[0] && d[1] && d[2] && d[3] && !strcmp(d[0], d[1]) && !strcmp(d[2], d[3]) &&
                v->until == f->until && v->n_agenda == f->n_agenda &&
                (!v->n_agenda || !memcmp(v->agenda, f->agenda, v->n_agenda * sizeof *v->agenda));
    fprintf(stderr,
            "joindots serve: concern snapshot check: %zu concerns, %zu simulated, %s a full"
            " build\n",
            v->n_items, v->simulated, same ? "equal to" : "DIFFERENT FROM");
    for (int i = 0; i < 4; i++)
        free(d[i]);
    jd_concern_snap_free(f);
}

static bool snap_fresh(const concern_snap *v, int64_t gen, int64_t now)
{
    return v && v->gen == gen && now < v->until;
}

/* With srv->concern_mu held, the current snapshot (NULL: the store could
 * not be read; the mutex is not held then). */
static concern_snap *snap_acquire(api_ctx *c, jd_error *err)
{
    jd_server *srv = c->srv;
    int64_t gen = 0, now = (int64_t)time(NULL);
    if (jd_concern_generation(c->store, &gen, err) < 0)
        return NULL;
    pthread_mutex_lock(&srv->concern_mu);
    if (snap_fresh(srv->concerns, gen, now))
        return srv->concerns;
    pthread_mutex_unlock(&srv->concern_mu);
    pthread_mutex_lock(&srv->concern_build_mu);
    pthread_mutex_lock(&srv->concern_mu);
    bool fresh = snap_fresh(srv->concerns, gen, now);
    pthread_mutex_unlock(&srv->concern_mu);
    /* srv->concerns changes only under concern_build_mu, held here */
    double c0 = jd_thread_cpu();
    concern_snap *nv = fresh ? NULL : snap_build(c->store, srv->concerns, gen, now, err);
    if (nv)
        fprintf(stderr,
                "joindots serve: the concerns snapshot: %zu stored, %zu simulated (cpu %.3f s)\n",
                nv->n_items, nv->simulated, jd_thread_cpu() - c0);
    if (!fresh && !nv) {
        pthread_mutex_unlock(&srv->concern_build_mu);
        return NULL;
    }
    if (nv)
        snap_check(c->store, nv, now);
    pthread_mutex_lock(&srv->concern_mu);
    concern_snap *old = nv ? srv->concerns : NULL;
    if (nv)
        srv->concerns = nv;
    pthread_mutex_unlock(&srv->concern_build_mu);
    if (old && !old->refs) /* else its last borrower frees it */
        jd_concern_snap_free(old);
    return srv->concerns;
}

void jd_api_concerns_warm(jd_server *srv, jd_store *s)
{
    caller nobody = {0};
    api_ctx c = {.srv = srv, .store = s, .who = &nobody};
    jd_error err;
    if (snap_acquire(&c, &err))
        pthread_mutex_unlock(&srv->concern_mu);
}

static int work_map_load(api_ctx *c, work_map *w, jd_error *err)
{
    concern_snap *v = snap_acquire(c, err);
    if (!v)
        return JD_ESTORE;
    v->refs++;
    w->by_alert = v->by_alert;
    w->by_child = v->by_child;
    w->snap = v;
    w->srv = c->srv;
    pthread_mutex_unlock(&c->srv->concern_mu);
    return JD_OK;
}

json_t *jd_api_agenda_ages(api_ctx *c)
{
    jd_error err;
    const concern_snap *v = snap_acquire(c, &err);
    if (!v)
        return NULL;
    int64_t now = (int64_t)time(NULL);
    int b[4] = {0};
    for (size_t i = 0; i < v->n_agenda; i++) {
        int64_t days = (now - v->agenda[i]) / 86400;
        b[days < 30 ? 0 : days < 91 ? 1 : days < 365 ? 2 : 3]++;
    }
    pthread_mutex_unlock(&c->srv->concern_mu);
    return json_pack("{s:i,s:i,s:i,s:i}", "under a month", b[0], "1 to 3 months", b[1],
                     "3 to 12 months", b[2], "over a year", b[3]);
}

static void work_map_free(work_map *w)
{
    concern_snap *v = w->snap;
    if (!v)
        return;
    pthread_mutex_lock(&w->srv->concern_mu);
    bool last = --v->refs == 0 && v != w->srv->concerns;
    pthread_mutex_unlock(&w->srv->concern_mu);
    if (last)
        jd_concern_snap_free(v);
    *w = (work_map){0};
}

static json_t *concern_of(const work_map *w, json_t *a)
{
    json_t *k = json_object_get(w->by_alert, str(a, "id") ? str(a, "id") : "");
    if (!k) {
        const char *pid = str(json_object_get(a, "subject"), "person_id");
        if (pid)
            k = json_object_get(w->by_child, pid);
    }
    return k;
}

/* The open concern raised from this alert (its id, owned), or NULL. */
char *jd_api_concern_for_alert(api_ctx *c, const char *alert_id)
{
    work_map w = {0};
    jd_error err;
    char *id = NULL;
    if (work_map_load(c, &w, &err) == JD_OK) {
        const char *v = str(json_object_get(w.by_alert, alert_id), "id");
        if (v)
            id = strdup(v);
    }
    work_map_free(&w);
    return id;
}

/* ---- acknowledgements ---- */

static int on_ack(const char *id, const char *by, int64_t at, const char *note, void *payload)
{
    json_t *by_alert = payload;
    json_t *l = json_object_get(by_alert, id);
    if (!l) {
        l = json_array();
        json_object_set_new(by_alert, id, l);
    }
    char t[32];
    jd_time_format(t, at);
    json_array_append_new(l, json_pack("{s:s,s:s,s:s}", "by", by, "at", t, "note", note));
    return 0;
}

/* The acknowledged alerts and the work map both queue views read; false
 * after answering 500 with msg when either cannot be read. */
static bool load_work(api_ctx *c, reply *r, json_t **acks, work_map *w, const char *msg)
{
    jd_error err;
    *acks = json_object();
    *w = (work_map){0};
    if (jd_alert_acks(c->store, on_ack, *acks, &err) < 0 || work_map_load(c, w, &err) < 0) {
        json_decref(*acks);
        work_map_free(w);
        jd_reply_error(r, 500, "store", msg);
        return false;
    }
    return true;
}

/* ---- the alert queue ---- */

static int level_rank(const char *l)
{
    return jd_alert_level_rank(l);
}

typedef enum { SORT_NEWEST, SORT_OLDEST, SORT_LEVEL, SORT_NAME } sort_by;

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (!n)
        return true;
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, n))
            return true;
    return false;
}

static const char *const KINDS[] = {"child_at_risk",      "exploitation_network",
                                    "unrecorded_crime",   "missing_pattern",
                                    "overdue_return_interview", "language", "escalation"};

static bool known(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v, list[i]))
            return true;
    return false;
}

/* Names a network alert's members by their names (those the caller may
 * see): "members_named". */
static void name_members(api_ctx *c, json_t *o)
{
    json_t *m, *names = json_array();
    size_t i;
    json_array_foreach(json_object_get(o, "members"), i, m)
    {
        const char *pid = str(m, "person_id");
        jd_person_summary p;
        if (pid && jd_person_index_get(c->index, pid, &p) == JD_OK && p.name && *p.name)
            json_array_append_new(names, json_string(p.name));
    }
    json_object_set_new(o, "members_named", names);
}

/* The queue's query: its filters, order and page. */
typedef struct queue_query {
    const char *kind, *level, *open, *assigned, *q;
    long offset, limit;
    sort_by sb;
} queue_query;

/* Reads and checks the queue's parameters into *qq; false after a 400 reply. */
static bool queue_params(api_ctx *c, reply *r, queue_query *qq)
{
    const char *kind = jd_query(c, "kind"), *level = jd_query(c, "level");
    const char *open = jd_query(c, "open"), *assigned = jd_query(c, "assigned");
    const char *sort = jd_query(c, "sort"), *q = jd_query(c, "q");
    long offset, limit;
    if (!int_param(c, r, "offset", 0, 1000000, &offset) ||
        !int_param(c, r, "limit", PAGE_DEFAULT, PAGE_MAX, &limit))
        return false;
    if (limit == 0)
        limit = PAGE_DEFAULT;
    sort_by sb = SORT_NEWEST;
    if (sort && *sort) {
        if (!strcmp(sort, "newest"))
            sb = SORT_NEWEST;
        else if (!strcmp(sort, "oldest"))
            sb = SORT_OLDEST;
        else if (!strcmp(sort, "level"))
            sb = SORT_LEVEL;
        else if (!strcmp(sort, "name"))
            sb = SORT_NAME;
        else {
            jd_reply_error(r, 400, "bad_parameter", "sort is newest, oldest, level or name.");
            return false;
        }
    }
    if (kind && *kind && !known(kind, KINDS, sizeof KINDS / sizeof *KINDS)) {
        jd_reply_error(r, 400, "bad_parameter", "No such kind of alert.");
        return false;
    }
    if (level && *level && !level_rank(level)) {
        jd_reply_error(r, 400, "bad_parameter", "level is low, medium, high or critical.");
        return false;
    }
    if (assigned && *assigned && strcmp(assigned, "me") && strcmp(assigned, "none") &&
        strcmp(assigned, "any")) {
        jd_reply_error(r, 400, "bad_parameter", "assigned is me, none or any.");
        return false;
    }
    if (q && strlen(q) > 100) {
        jd_reply_error(r, 400, "bad_parameter", "A name filter has at most 100 characters.");
        return false;
    }
    *qq = (queue_query){kind, level, open, assigned, q, offset, limit, sb};
    return true;
}

/* True when a row of the view passes the query's filters and the caller
 * may see it. */
static bool queue_match(api_ctx *c, const queue_query *qq, json_t *acks, work_map *w, bool by_owner,
                        const alert_row *row)
{
    const char *kind = qq->kind, *level = qq->level, *open = qq->open;
    const char *assigned = qq->assigned, *q = qq->q;
    json_t *a = row->a;
    if (kind && *kind && (!row->kind || strcmp(row->kind, kind)))
        return false;
    if (level && *level && (!row->level_name || strcmp(row->level_name, level)))
        return false;
    if (!jd_api_may_see_alert(c->who, a))
        return false;
    if (open && !strcmp(open, "1") && json_object_get(acks, row->id ? row->id : ""))
        return false;
    if (by_owner) {
        const char *me = c->who->acct.username;
        json_t *kc = concern_of(w, a);
        const char *owner = str(kc, "owner");
        bool mine = owner && !strcmp(owner, me);
        bool owned = owner && *owner && strcmp(owner, str(kc, "rung") ? str(kc, "rung") : "");
        if (!strcmp(assigned, "me") && !mine)
            return false;
        if (!strcmp(assigned, "none") && owned)
            return false;
    }
    if (q && *q && !contains_ci(row->name, q))
        return false;
    return true;
}

/* A row of the page as the caller may see it, with its acknowledgements,
 * subject's name, concern and named members; NULL when it shows nothing. */
static json_t *queue_entry(api_ctx *c, json_t *acks, work_map *w, const alert_row *row)
{
    json_t *o = jd_api_alert_for(c->who, row->a);
    if (!o)
        return NULL;
    json_t *ak = json_object_get(acks, str(o, "id") ? str(o, "id") : "");
    json_object_set_new(o, "acknowledgements", ak ? json_deep_copy(ak) : json_array());
    json_object_set_new(o, "subject_name", json_string(row->name));
    json_t *kc = concern_of(w, row->a);
    json_object_set_new(o, "concern", kc ? json_deep_copy(kc) : json_null());
    name_members(c, o);
    return o;
}

static void api_alert_queue(api_ctx *c, reply *r)
{
    queue_query qq;
    if (!queue_params(c, r, &qq))
        return;
    const char *kind = qq.kind, *level = qq.level, *open = qq.open, *assigned = qq.assigned,
               *q = qq.q;
    long offset = qq.offset, limit = qq.limit;
    sort_by sb = qq.sb;
    json_t *acks;
    work_map w;
    if (!load_work(c, r, &acks, &w, "The alert queue could not be read."))
        return;
    /* Walk the view's rows in the order asked for (filtering a sorted list
     * keeps it sorted): count what matches, build JSON for the page only. */
    const alert_view *v = jd_alert_view(c->srv, c->index);
    if (!v) {
        json_decref(acks);
        work_map_free(&w);
        jd_reply_error(r, 500, "memory", "Out of memory.");
        return;
    }
    const uint32_t *perm = v->perm[sb == SORT_OLDEST  ? VIEW_OLDEST
                                   : sb == SORT_LEVEL ? VIEW_LEVEL
                                   : sb == SORT_NAME  ? VIEW_NAME
                                                      : VIEW_NEWEST];
    bool by_owner = assigned && (!strcmp(assigned, "me") || !strcmp(assigned, "none"));
    size_t k = 0;
    json_t *out = json_array();
    /* Nothing to filter: every row counts, and the page is read directly. */
    bool every = jd_api_sees_all(c->who) && !(kind && *kind) && !(level && *level) &&
                 !(open && !strcmp(open, "1")) && !by_owner && !(q && *q);
    for (size_t i = every ? (size_t)offset : 0; i < v->n; i++) {
        if (every && json_array_size(out) >= (size_t)limit) {
            k = v->n;
            break;
        }
        if (every)
            k = i;
        const alert_row *row = &v->rows[perm[i]];
        if (!queue_match(c, &qq, acks, &w, by_owner, row))
            continue;
        if (k++ < (size_t)offset || json_array_size(out) >= (size_t)limit)
            continue;
        json_t *o = queue_entry(c, acks, &w, row);
        if (o)
            json_array_append_new(out, o);
    }
    if (every)
        k = v->n;
    json_decref(acks);
    work_map_free(&w);
    char d[96];
    snprintf(d, sizeof d, "results=%zu offset=%ld", k, offset);
    if (!jd_audited(c, r, "view", "alerts", "", d, true)) {
        json_decref(out);
        return;
    }
    jd_reply_json(r, 200,
                  json_pack("{s:o,s:I,s:I,s:I}", "alerts", out, "total", (json_int_t)k, "offset",
                            (json_int_t)offset, "limit", (json_int_t)limit));
}

/* ---- taking an alert: its concern, raised once, assigned ---- */

/* The rung a role acts at: the ladder's "web_roles", loaded at start (as
 * api_concern.c reads it). */
static const char *rung_of_role(const jd_server *srv, jd_role role)
{
    return role >= 0 && role < JD_ROLE_COUNT ? srv->role_rung[role] : "";
}

/* A title that names nobody: the kind of the alert and its level. */
static void alert_title(json_t *a, char *out, size_t n);

/* Raise the concern of an alert (n->from_alert) unless one is open for it;
 * *created tells which. Serialised by the server's raise lock, so that two
 * clicks give one concern. Returns the concern id (owned) or NULL with *rc
 * set. */
char *jd_api_raise_once(api_ctx *c, const jd_concern_new *n0, bool *created, int *rc,
                        jd_error *err)
{
    *created = false;
    jd_concern_new n = *n0;
    char title[160];
    json_t *a = jd_api_alert(c->srv, n.from_alert);
    if ((!n.title || !strcmp(n.title, n.from_alert)) && a) {
        alert_title(a, title, sizeof title);
        n.title = title;
    }
    pthread_mutex_lock(&c->srv->raise_mu);
    char *id = jd_api_concern_for_alert(c, n.from_alert);
    if (!id) {
        jd_concern_actor by = {c->who->acct.username, rung_of_role(c->srv, c->who->acct.role)};
        *rc = jd_concern_raise(&id, c->store, &n, &by, 0, err);
        *created = *rc == JD_OK;
    } else {
        *rc = JD_OK;
    }
    pthread_mutex_unlock(&c->srv->raise_mu);
    return id;
}

/* A title that names nobody: the kind of the alert and its level. */
static void alert_title(json_t *a, char *out, size_t n)
{
    static const char *const words[][2] = {
        {"child_at_risk", "Child at risk"},
        {"exploitation_network", "Exploitation network"},
        {"unrecorded_crime", "Disclosed crime not recorded"},
        {"missing_pattern", "Missing from home or care"},
        {"overdue_return_interview", "Return interview not held within 72 hours"},
        {"language", "Victim-blaming wording in a record"},
        {"escalation", "Escalation"},
    };
    const char *k = str(a, "kind") ? str(a, "kind") : "", *w = k;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcmp(k, words[i][0]))
            w = words[i][1];
    snprintf(out, n, "%s (%s)", w, str(a, "level") ? str(a, "level") : "no level");
}

static void api_alert_raise(api_ctx *c, reply *r)
{
    json_t *a = jd_api_alert(c->srv, c->arg);
    char target[200];
    snprintf(target, sizeof target, "alert:%.150s", c->arg);
    if (!a || !jd_api_may_see_alert(c->who, a)) {
        if (jd_audited(c, r, "concern.raise", target, "", a ? "denied: need to know" : "not found",
                       false))
            jd_reply_error(r, 404, "not_found", "No such alert among yours.");
        return;
    }
    const char *to = str(c->body, "assign_to");
    if (to && *to && strcmp(to, c->who->acct.username) != 0 &&
        c->who->acct.role == JD_ROLE_PRACTITIONER) {
        if (jd_audited(c, r, "concern.assign", target, "", "denied: a practitioner takes for self",
                       false))
            jd_reply_error(r, 403, "forbidden",
                           "A practitioner takes an alert for themself; a manager assigns it.");
        return;
    }
    if (!jd_audited(c, r, "concern.raise", target, "", to ? "take" : "raise", true))
        return;
    jd_concern_new n = JD_CONCERN_NEW_INIT;
    n.from_alert = c->arg;
    bool created = false;
    int rc = JD_OK;
    jd_error err;
    jd_error_clear(&err);
    char *id = jd_api_raise_once(c, &n, &created, &rc, &err);
    if (!id) {
        (void)jd_audit(c, "concern.raise", target, "", "refused: not stored", false);
        jd_reply_error(r, rc == JD_ENOTFOUND ? 404 : 400, "bad_request",
                       *err.msg ? err.msg : "The concern could not be raised.");
        return;
    }
    char ktarget[200];
    snprintf(ktarget, sizeof ktarget, "concern:%.150s", id);
    if (created)
        (void)jd_audit(c, "concern.raise", ktarget, "", "raised", true);
    if (to && *to) {
        jd_concern_action act = JD_CONCERN_ACTION_INIT;
        act.to = to;
        act.text = "taken from the alert queue";
        jd_concern_actor by = {c->who->acct.username, rung_of_role(c->srv, c->who->acct.role)};
        char d[120];
        snprintf(d, sizeof d, "to=%.63s", to);
        if (!jd_audited(c, r, "concern.assign", ktarget, "", d, true)) {
            free(id);
            return;
        }
        rc = jd_concern_act(c->store, id, JD_CONCERN_ASSIGN, &act, &by, &err);
        if (rc < 0) {
            (void)jd_audit(c, "concern.assign", ktarget, "", "refused", false);
            free(id);
            jd_reply_error(r, rc == JD_ECONFLICT ? 409 : 400, "bad_request", err.msg);
            return;
        }
    }
    jd_reply_json(r, created ? 201 : 200,
                  json_pack("{s:s,s:b,s:s?}", "id", id, "existing", !created, "owner", to));
    free(id);
}

/* ---- my children (the caseload) ---- */

typedef struct case_ctx {
    api_ctx *c;
    json_t *children; /* person id -> row */
    const char *me;
} case_ctx;

static int on_my_concern(const jd_concern *k, void *payload)
{
    case_ctx *x = payload;
    if (strcmp(k->kind, "child") != 0 || !k->owner || strcmp(k->owner, x->me) != 0)
        return 0;
    jd_person_summary p;
    if (!k->subject || jd_api_person(x->c, k->subject, &p) != JD_OK)
        return 0;
    if (json_object_get(x->children, p.person_id))
        return 0;
    char due[32], raised[32];
    jd_time_format(due, k->due_at);
    jd_time_format(raised, k->raised_at);
    json_object_set_new(
        x->children, p.person_id,
        json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s?,s:b}}", "person_id", p.person_id, "name",
                  p.name ? p.name : "", "dob", p.dob ? p.dob : "", "concern", "id", k->id, "rung",
                  k->rung, "status", k->status, "raised_at", raised, "due_at",
                  k->due_at ? due : NULL, "overdue", k->overdue));
    return 0;
}

static int cmp_case(const void *pa, const void *pb, void *ctx)
{
    json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    const char *key = ctx;
    if (!strcmp(key, "level")) {
        int d = (int)json_integer_value(json_object_get(b, "level_rank")) -
                (int)json_integer_value(json_object_get(a, "level_rank"));
        if (d)
            return d;
    }
    if (!strcmp(key, "due")) {
        const char *x = str(json_object_get(a, "concern"), "due_at");
        const char *y = str(json_object_get(b, "concern"), "due_at");
        int d = strcmp(x ? x : "9999", y ? y : "9999");
        if (d)
            return d;
    }
    return strcasecmp(str(a, "name"), str(b, "name"));
}

static void api_caseload(api_ctx *c, reply *r)
{
    long offset, limit;
    if (!int_param(c, r, "offset", 0, 1000000, &offset) ||
        !int_param(c, r, "limit", PAGE_DEFAULT, PAGE_MAX, &limit))
        return;
    if (limit == 0)
        limit = PAGE_DEFAULT;
    const char *sort = jd_query(c, "sort");
    if (!sort || !*sort)
        sort = "level";
    if (strcmp(sort, "level") && strcmp(sort, "name") && strcmp(sort, "due")) {
        jd_reply_error(r, 400, "bad_parameter", "sort is level, name or due.");
        return;
    }
    case_ctx x = {c, json_object(), c->who->acct.username};
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.open_only = true;
    jd_error err;
    if (jd_concern_list(c->store, &q, on_my_concern, &x, &err) < 0) {
        json_decref(x.children);
        jd_reply_error(r, 500, "store", "The caseload could not be read.");
        return;
    }
    /* Each child's level and open alerts, from the loaded analysis. */
    json_t *a;
    size_t i;
    json_array_foreach(c->srv->alerts, i, a)
    {
        json_t *row = json_object_get(x.children, str(json_object_get(a, "subject"), "person_id")
                                                      ? str(json_object_get(a, "subject"),
                                                            "person_id")
                                                      : "");
        if (!row)
            continue;
        json_t *n = json_object_get(row, "alerts");
        json_object_set_new(row, "alerts", json_integer(n ? json_integer_value(n) + 1 : 1));
        const char *raised = str(a, "raised_at");
        const char *last = str(row, "last_alert_at");
        if (raised && (!last || strcmp(raised, last) > 0))
            json_object_set_new(row, "last_alert_at", json_string(raised));
        if (str(a, "kind") && !strcmp(str(a, "kind"), "child_at_risk")) {
            json_object_set_new(row, "level", json_string(str(a, "level") ? str(a, "level") : ""));
            json_object_set_new(row, "level_rank", json_integer(level_rank(str(a, "level"))));
        }
    }
    size_t n = json_object_size(x.children), k = 0;
    json_t **rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) {
        json_decref(x.children);
        jd_reply_error(r, 500, "memory", "Out of memory.");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(x.children, key, v) rows[k++] = v;
    qsort_r(rows, k, sizeof *rows, cmp_case, (void *)sort);
    json_t *out = json_array();
    for (size_t j = (size_t)offset; j < k && j < (size_t)offset + (size_t)limit; j++) {
        json_object_del(rows[j], "level_rank");
        json_array_append(out, rows[j]);
    }
    free(rows);
    json_decref(x.children);
    char d[64];
    snprintf(d, sizeof d, "children=%zu", k);
    if (!jd_audited(c, r, "view", "caseload", "", d, true)) {
        json_decref(out);
        return;
    }
    jd_reply_json(r, 200,
                  json_pack("{s:o,s:I,s:I,s:I}", "children", out, "total", (json_int_t)k,
                            "offset", (json_int_t)offset, "limit", (json_int_t)limit));
}

/* ---- counts for the menu ---- */

static void api_counts(api_ctx *c, reply *r)
{
    json_t *acks;
    work_map w;
    if (!load_work(c, r, &acks, &w, "The counts could not be read."))
        return;
    const char *me = c->who->acct.username;
    json_int_t mine = 0, unassigned = 0;
    json_t *children = json_object(), *a;
    size_t i;
    json_array_foreach(c->srv->alerts, i, a)
    {
        if (!jd_api_may_see_alert(c->who, a))
            continue;
        json_t *kc = concern_of(&w, a);
        const char *owner = str(kc, "owner");
        bool is_mine = owner && !strcmp(owner, me);
        bool acked = json_object_get(acks, str(a, "id") ? str(a, "id") : "") != NULL;
        if (is_mine) {
            const char *pid = str(json_object_get(a, "subject"), "person_id");
            if (pid)
                json_object_set_new(children, pid, json_true());
        }
        if (acked)
            continue;
        if (is_mine)
            mine++;
        else if (!owner || !*owner || !strcmp(owner, str(kc, "rung") ? str(kc, "rung") : ""))
            unassigned++;
    }
    json_int_t nchildren = (json_int_t)json_object_size(children);
    json_decref(children);
    json_decref(acks);
    work_map_free(&w);
    jd_reply_json(r, 200,
                  json_pack("{s:I,s:I,s:I}", "alerts", mine, "unassigned_alerts", unassigned,
                            "children", nchildren));
}

/* ---- the board: agenda with titles, decision log ---- */

static const struct {
    const char *code, *words;
} AGENCY_WORDS[] = {
    {"csc", "children's social care"}, {"police", "police"},     {"health", "health"},
    {"gp", "a GP"},                    {"school", "a school"},   {"ae", "A&E"},
    {"sexual_health", "sexual health"}, {"youth", "youth services"},
};

/* A board title: the concern's title with every identifier left out (a
 * word holding both a letter and a digit, e.g. a person id or a record
 * number), agency codes and record types in words. The board sees no
 * name, and none is in a title (concern.h: "no personal data beyond ids"). */
void jd_api_board_title(const char *title, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    const char *p = title ? title : "";
    while (*p && o + 1 < n) {
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t len = strcspn(p, " ");
        bool alpha = false, digit = false;
        for (size_t i = 0; i < len; i++) {
            alpha |= isalpha((unsigned char)p[i]) != 0;
            digit |= isdigit((unsigned char)p[i]) != 0;
        }
        char word[128];
        snprintf(word, sizeof word, "%.*s", (int)(len < 127 ? len : 127), p);
        p += len;
        if (alpha && digit)
            continue;
        const char *w = word;
        for (size_t i = 0; i < sizeof AGENCY_WORDS / sizeof *AGENCY_WORDS; i++)
            if (!strcmp(word, AGENCY_WORDS[i].code))
                w = AGENCY_WORDS[i].words;
        int k = snprintf(out + o, n - o, "%s%s", o ? " " : "", w);
        if (k < 0 || (size_t)k >= n - o)
            break;
        o += (size_t)k;
    }
    for (char *q = out; *q; q++)
        if (*q == '_')
            *q = ' ';
    /* "... (13 members)" keeps its count; a title left empty says what it is. */
    if (!*out)
        snprintf(out, n, "Strategic item");
}

static const char *kind_words(const char *kind)
{
    if (!strcmp(kind, "pattern"))
        return "a pattern across children";
    if (!strcmp(kind, "place"))
        return "a place";
    if (!strcmp(kind, "vehicle"))
        return "a vehicle";
    if (!strcmp(kind, "adult"))
        return "an adult";
    if (!strcmp(kind, "child"))
        return "a child";
    return kind;
}

typedef struct board_ctx {
    api_ctx *c;
    json_t *items, *decisions;
    int64_t now;
} board_ctx;

static int on_board_concern(const jd_concern *k, void *payload)
{
    board_ctx *x = payload;
    json_t *full = k->json ? json_loads(k->json, 0, NULL) : NULL;
    json_t *state = json_object_get(full, "state");
    json_t *dec = json_object_get(state, "decision");
    char title[400], bid[35], t[32];
    jd_api_board_title(k->title, title, sizeof title);
    jd_board_id(x->c->srv, k->id, bid);
    if (dec) {
        json_array_append_new(
            x->decisions,
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", bid, "title", title, "kind_words",
                      kind_words(k->kind), "decided_at", str(dec, "at") ? str(dec, "at") : "",
                      "decision", str(dec, "decision") ? str(dec, "decision") : "",
                      "decision_maker", str(dec, "decision_maker") ? str(dec, "decision_maker") : "",
                      "reason", str(dec, "text") ? str(dec, "text") : ""));
    } else if (k->strategic && strcmp(k->status, "closed") != 0) {
        int64_t since = k->reached_at ? k->reached_at : k->raised_at;
        int64_t age = (x->now - since) / 86400;
        jd_time_format(t, since);
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b}", "id", bid, "title", title,
                              "kind_words", kind_words(k->kind), "level", k->level, "rung",
                              k->rung, "reached_at", t, "age_days",
                              (json_int_t)(age > 0 ? age : 0), "overdue", k->overdue);
        if (k->due_at > 0) {
            jd_time_format(t, k->due_at);
            json_object_set_new(o, "due_at", json_string(t));
        } else {
            json_object_set_new(o, "due_at", json_null());
            json_object_set_new(o, "due_words", json_string("at the board's next meeting"));
        }
        if (x->c->who->acct.role == JD_ROLE_ANALYST)
            json_object_set_new(o, "concern_id", json_string(k->id));
        json_array_append_new(x->items, o);
    }
    json_decref(full);
    return 0;
}

static int cmp_reached(const void *pa, const void *pb)
{
    json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    const char *x = str(a, "reached_at") ? str(a, "reached_at") : str(a, "decided_at");
    const char *y = str(b, "reached_at") ? str(b, "reached_at") : str(b, "decided_at");
    return strcmp(x ? x : "", y ? y : "");
}

static json_t *sorted(json_t *arr, bool newest_first)
{
    size_t n = json_array_size(arr);
    json_t **v = calloc(n ? n : 1, sizeof *v);
    json_t *out = json_array();
    if (!v)
        return arr;
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, n, sizeof *v, cmp_reached);
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[newest_first ? n - 1 - i : i]);
    free(v);
    json_decref(arr);
    return out;
}

static void api_board(api_ctx *c, reply *r)
{
    board_ctx x = {c, json_array(), json_array(), (int64_t)time(NULL)};
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    jd_error err;
    if (jd_concern_list(c->store, &q, on_board_concern, &x, &err) < 0) {
        json_decref(x.items);
        json_decref(x.decisions);
        jd_reply_error(r, 500, "store", "The agenda could not be read.");
        return;
    }
    if (!jd_audited(c, r, "view", "agenda", "", "with decision log", true)) {
        json_decref(x.items);
        json_decref(x.decisions);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:o,s:o}", "items", sorted(x.items, false), "decisions",
                                    sorted(x.decisions, true)));
}

/* ---- the text of a profile's records ---- */

typedef struct text_ctx {
    json_t *by_record; /* "agency\x1frecord_id" -> narrative */
} text_ctx;

static int on_text(const jd_chrono_event *ev, void *payload)
{
    text_ctx *x = payload;
    char key[300];
    snprintf(key, sizeof key, "%s\x1f%s", ev->agency, ev->record_id);
    if (ev->narrative && !json_object_get(x->by_record, key))
        json_object_set_new(x->by_record, key, json_string(ev->narrative));
    return 0;
}

/* Add "narrative" to each record of a profile (the profile itself lists
 * who and what; the words are in the chronologies of the people named).
 * Reads at most PROFILE_TEXT_PERSONS chronologies; records left without a
 * text then say so ("narrative": null). */
void jd_api_profile_texts(api_ctx *c, json_t *profile)
{
    json_t *recs = json_object_get(profile, "records");
    if (!json_is_array(recs) || !json_array_size(recs))
        return;
    text_ctx x = {json_object()};
    json_t *seen = json_object(), *rec, *p;
    size_t i, j, read = 0;
    const char *subj = str(json_object_get(profile, "subject"), "id");
    const char *skind = str(json_object_get(profile, "subject"), "kind");
    jd_error err;
    if (subj && skind && !strcmp(skind, "person")) {
        (void)jd_chronology(c->store, subj, JD_AS_OF_NOW, on_text, &x, &err);
        json_object_set_new(seen, subj, json_true());
        read++;
    }
    json_array_foreach(recs, i, rec)
    {
        char key[300];
        snprintf(key, sizeof key, "%s\x1f%s", str(rec, "agency") ? str(rec, "agency") : "",
                 str(rec, "record_id") ? str(rec, "record_id") : "");
        if (!json_object_get(x.by_record, key)) {
            json_array_foreach(json_object_get(rec, "people"), j, p)
            {
                const char *pid = str(p, "person_id");
                if (!pid || json_object_get(seen, pid) || read >= PROFILE_TEXT_PERSONS)
                    continue;
                json_object_set_new(seen, pid, json_true());
                read++;
                (void)jd_chronology(c->store, pid, JD_AS_OF_NOW, on_text, &x, &err);
                if (json_object_get(x.by_record, key))
                    break;
            }
        }
        json_t *t = json_object_get(x.by_record, key);
        json_object_set(rec, "narrative", t ? t : json_null());
    }
    json_decref(seen);
    json_decref(x.by_record);
}

/* ---- hotspots by postcode, for the analysts' map ---- */

#define MAP_CHILDREN_MAX 5000 /* children read for the map; more are refused, not cut */

typedef struct map_ctx {
    json_t *districts; /* district -> {events, children:{pid:true}, postcodes:{pc:{events, children:{}}}} */
    const char *pid;
} map_ctx;

static void bump_pc(json_t *o, const char *pid)
{
    json_t *e = json_object_get(o, "events");
    json_object_set_new(o, "events", json_integer(e ? json_integer_value(e) + 1 : 1));
    json_t *ch = json_object_get(o, "children");
    if (!ch) {
        ch = json_object();
        json_object_set_new(o, "children", ch);
    }
    json_object_set_new(ch, pid, json_true());
}

static int on_map_event(const jd_chrono_event *ev, void *payload)
{
    map_ctx *x = payload;
    if (!ev->postcode || !*ev->postcode)
        return 0;
    char district[16], pc[16];
    size_t n = strcspn(ev->postcode, " ");
    if (n == 0 || n >= sizeof district)
        return 0;
    snprintf(district, sizeof district, "%.*s", (int)n, ev->postcode);
    snprintf(pc, sizeof pc, "%.15s", ev->postcode);
    for (char *q = district; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    json_t *d = json_object_get(x->districts, district);
    if (!d) {
        d = json_pack("{s:o}", "postcodes", json_object());
        json_object_set_new(x->districts, district, d);
    }
    bump_pc(d, x->pid);
    json_t *pcs = json_object_get(d, "postcodes"), *p = json_object_get(pcs, pc);
    if (!p) {
        p = json_object();
        json_object_set_new(pcs, pc, p);
    }
    bump_pc(p, x->pid);
    return 0;
}

static json_t *counted(json_t *o, const char *key_name, const char *key)
{
    return json_pack("{s:s,s:I,s:I}", key_name, key, "children",
                     (json_int_t)json_object_size(json_object_get(o, "children")), "events",
                     json_integer_value(json_object_get(o, "events")));
}

/* Where the events of children at high or critical risk took place, by
 * postcode district and postcode: counts only, no names. */
static void api_hotspot_map(api_ctx *c, reply *r)
{
    json_t *kids = json_object(), *a;
    size_t i;
    json_array_foreach(c->srv->alerts, i, a)
    {
        const char *pid = str(json_object_get(a, "subject"), "person_id");
        if (pid && str(a, "kind") && !strcmp(str(a, "kind"), "child_at_risk") &&
            level_rank(str(a, "level")) >= 3)
            json_object_set_new(kids, pid, json_true());
    }
    if (json_object_size(kids) > MAP_CHILDREN_MAX) {
        json_decref(kids);
        jd_reply_error(r, 413, "too_many",
                       "More than 5000 children are at high or critical risk: the map would be "
                       "too slow to draw here; use joindots profile --hotspots.");
        return;
    }
    map_ctx x = {json_object(), NULL};
    const char *pid;
    json_t *v;
    jd_error err;
    json_object_foreach(kids, pid, v)
    {
        x.pid = pid;
        if (jd_chronology(c->store, pid, JD_AS_OF_NOW, on_map_event, &x, &err) < 0 &&
            err.code != JD_ENOTFOUND) {
            json_decref(kids);
            json_decref(x.districts);
            jd_reply_error(r, 500, "store", "The chronologies could not be read.");
            return;
        }
    }
    json_t *out = json_array(), *d;
    const char *dk;
    json_object_foreach(x.districts, dk, d)
    {
        json_t *o = counted(d, "district", dk), *pcs = json_array(), *p;
        const char *pk;
        json_object_foreach(json_object_get(d, "postcodes"), pk, p)
            json_array_append_new(pcs, counted(p, "postcode", pk));
        json_object_set_new(o, "postcodes", pcs);
        json_array_append_new(out, o);
    }
    json_int_t n = (json_int_t)json_object_size(kids);
    json_decref(kids);
    json_decref(x.districts);
    if (!jd_audited(c, r, "view", "hotspots:map", "", "", true)) {
        json_decref(out);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:o,s:I}", "districts", out, "children_at_risk", n));
}

/* Keep in step with docs/openapi.yaml (tests/integration/test_serve.sh checks). */
const route jd_api_work_routes[] = {
    {"GET", "/api/alerts", ROLES_CASE, api_alert_queue},
    {"POST", "/api/alerts/{id}/concern", ROLES_CASE, api_alert_raise},
    {"GET", "/api/caseload", ROLES_CASE, api_caseload},
    {"GET", "/api/counts", ROLES_CASE, api_counts},
    {"GET", "/api/hotspots/map", R(JD_ROLE_ANALYST), api_hotspot_map},
    {"GET", "/api/board", R(JD_ROLE_BOARD) | R(JD_ROLE_MANAGER) | R(JD_ROLE_ANALYST), api_board},
};
const size_t jd_api_n_work_routes = sizeof jd_api_work_routes / sizeof *jd_api_work_routes;
