/*
 * Unit tests of concerns and escalation (issue 7): the ladder and working
 * days, the state machine (automatic rises, reopening), every human
 * transition and its refusals, concurrent updates from two store handles,
 * the rules engine on a hand-made bundle (tests/data/bundles/concern) with
 * time travel, and notifications through an outage of a fake SMTP and HTTP
 * server on 127.0.0.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "concern/concern_internal.h"

#include <joindots/analyse.h>
#include <joindots/ingest.h>

/* Monday 6 March 2006, 10:00 UTC */
#define MON 1141639200LL
#define HOUR 3600LL
#define DAYS 86400LL

typedef struct fx {
    char path[96];
    jd_store *s;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (scratch_store_open(&f->s, f->path, sizeof f->path, "concern") != JD_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    scratch_store_close(f->s, f->path);
    free(f);
    return 0;
}

static const jd_concern_actor alice = {"alice", "practitioner"};
static const jd_concern_actor tom = {"tom", "team_manager"};

static char *raise_one(jd_store *s, const char *level, bool disclosure, bool strategic)
{
    jd_concern_new n = JD_CONCERN_NEW_INIT;
    n.kind = strategic ? "pattern" : "child";
    n.subject = strategic ? "organised abuse ring" : "P000042";
    n.level = level;
    n.disclosure = disclosure;
    n.strategic = strategic;
    n.records = "[{\"agency\":\"police\",\"record_id\":\"IR1\"}]";
    char *id = NULL;
    jd_error err;
    assert_int_equal(jd_concern_raise(&id, s, &n, &alice, MON, &err), JD_OK);
    return id;
}

static int act(jd_store *s, const char *id, jd_concern_verb v, jd_concern_action *a,
               const jd_concern_actor *by, jd_error *err)
{
    if (!a->at)
        a->at = MON + HOUR;
    return jd_concern_act(s, id, v, a, by, err);
}

static jd_concern get_at(jd_store *s, const char *id, int64_t t)
{
    jd_concern c;
    jd_error err;
    assert_int_equal(jd_concern_get(&c, s, id, JD_AS_OF_NOW, t, NULL, &err), JD_OK);
    return c;
}

static int count(const jd_concern *x, void *p)
{
    (void)x;
    (*(int *)p)++;
    return 0;
}

/* The rung each web role acts at is the ladder's "web_roles" (policy as
 * data): the built-in map, a file's own map, a file without one (the
 * built-in map, checked against the file's rungs) and a map naming no rung. */
static void test_concern__web_roles(void **state)
{
    (void)state;
    jd_error err = {0};
    char rung[64];
    assert_int_equal(jd_concern_role_rung(NULL, "manager", rung, sizeof rung, &err), JD_OK);
    assert_string_equal(rung, "team_manager");
    assert_int_equal(jd_concern_role_rung(NULL, "analyst", rung, sizeof rung, &err), JD_OK);
    assert_string_equal(rung, "exploitation_meeting");
    assert_int_equal(jd_concern_role_rung(NULL, "auditor", rung, sizeof rung, &err), JD_OK);
    assert_string_equal(rung, ""); /* acts at no rung */
    assert_int_equal(jd_concern_role_rung(NULL, "manager", rung, 5, &err), JD_ELIMIT);
    assert_int_equal(jd_concern_role_rung(NULL, NULL, rung, sizeof rung, &err), JD_EINVALID);
    const char *root = getenv("JD_SOURCE_ROOT");
    char src[1024], p[64], cmd[1400];
    snprintf(src, sizeof src, "%s/data/escalation/ladder.json", root ? root : ".");
    snprintf(p, sizeof p, "/tmp/jd-test-roles-%d.json", (int)getpid());
    struct {
        const char *edit; /* python over the ladder d */
        int rc;
        const char *manager;
    } cases[] = {
        {"d['web_roles']['manager'] = 'service_manager'", JD_OK, "service_manager"},
        {"del d['web_roles']", JD_OK, "team_manager"},
        {"d['web_roles']['manager'] = 'nobody'", JD_EINVALID, NULL},
        {"d['web_roles'] = {}", JD_EINVALID, NULL},
        {"del d['web_roles']; d['rungs'] = [r for r in d['rungs'] if r['id'] != 'board']",
         JD_EINVALID, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(cmd, sizeof cmd,
                 "python3 -c \"import json; d = json.load(open('%s')); %s; "
                 "json.dump(d, open('%s', 'w'))\"",
                 src, cases[i].edit, p);
        assert_int_equal(system(cmd), 0);
        memset(&err, 0, sizeof err);
        assert_int_equal(jd_concern_role_rung(p, "manager", rung, sizeof rung, &err), cases[i].rc);
        if (cases[i].manager)
            assert_string_equal(rung, cases[i].manager);
        else
            assert_non_null(strstr(err.msg, "web_roles"));
    }
    unlink(p);
}

/* ---- ladder, working days ---- */

static void test_concern__ladder_and_working_days(void **state)
{
    (void)state;
    jd_ladder *L = NULL;
    jd_error err;
    assert_int_equal(jd_ladder__load(&L, NULL, &err), JD_OK);
    assert_int_equal(L->nrungs, 6);
    assert_string_equal(L->rung[0].id, "practitioner");
    assert_string_equal(L->rung[5].id, "board");
    assert_int_equal(jd_ladder__rung(L, "exploitation_meeting"), 4);
    assert_int_equal(jd_ladder__rung(L, "nobody"), -1);
    assert_string_equal(L->rung[L->rung_by_level[4]].id, "service_manager");
    jd_ladder__free(L);
    /* Friday + 1 working day = Monday; Monday + 2 = Wednesday; Saturday + 2 = Tuesday */
    int64_t fri = MON - 3 * DAYS, sat = MON - 2 * DAYS;
    assert_int_equal(jd_concern__add_wd(fri, 1), MON);
    assert_int_equal(jd_concern__add_wd(MON, 2), MON + 2 * DAYS);
    assert_int_equal(jd_concern__add_wd(sat, 2), MON + DAYS);
    assert_int_equal(jd_concern__add_wd(MON, 5), MON + 7 * DAYS);
    /* a bad ladder file is refused with its name */
    char p[64];
    snprintf(p, sizeof p, "/tmp/jd-test-ladder-%d.json", (int)getpid());
    FILE *f = fopen(p, "w");
    fputs("{\"rungs\": [{\"id\": \"a\"}]}", f);
    fclose(f);
    assert_int_equal(jd_ladder__load(&L, p, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "rungs"));
    f = fopen(p, "w");
    fputs("{\"rungs\": [", f);
    fclose(f);
    assert_int_equal(jd_ladder__load(&L, p, &err), JD_EINVALID);
    unlink(p);
}

/* ---- the state machine ---- */

static json_t *base_at(const char *rung, const char *level, const char *kind)
{
    json_t *b = json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:[]}", "kind", kind, "subject", "P1",
                          "opened_at", jd_concern__time_json(MON), "rung", rung, "ceiling",
                          "head_of_service", "level", level, "steps");
    return b;
}

static const char *sget(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void test_concern__unacknowledged_and_overdue_rise(void **state)
{
    (void)state;
    jd_ladder *L = NULL;
    assert_int_equal(jd_ladder__load(&L, NULL, NULL), JD_OK);
    json_t *b = base_at("practitioner", "medium", "child"), *h = json_array(), *st, *au;
    /* one working day later: still with the practitioner, not overdue */
    assert_int_equal(jd_concern__simulate(L, b, h, MON + DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "rung"), "practitioner");
    assert_false(json_is_true(json_object_get(st, "overdue")));
    assert_int_equal(json_array_size(au), 0);
    json_decref(st);
    json_decref(au);
    /* unacknowledged for 2 working days: rises to team manager at that moment */
    assert_int_equal(jd_concern__simulate(L, b, h, MON + 2 * DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "rung"), "team_manager");
    assert_string_equal(sget(st, "owner"), "team_manager");
    assert_int_equal(json_array_size(au), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(au, 0), "at")),
                     MON + 2 * DAYS);
    assert_non_null(strstr(sget(json_array_get(au, 0), "why"), "not acknowledged"));
    json_decref(st);
    json_decref(au);
    /* years later an individual concern stops at the ceiling (head of service), overdue */
    assert_int_equal(jd_concern__simulate(L, b, h, MON + 400 * DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "rung"), "head_of_service");
    assert_true(json_is_true(json_object_get(st, "overdue")));
    assert_int_equal(json_array_size(au), 3);
    json_decref(st);
    json_decref(au);
    /* acknowledged in time: no unacknowledged rise, but overdue after 10 working days */
    json_array_append_new(h, json_pack("{s:s,s:I,s:s}", "action", "acknowledged", "at",
                                       (json_int_t)(MON + HOUR), "actor", "alice"));
    assert_int_equal(jd_concern__simulate(L, b, h, MON + 13 * DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "rung"), "practitioner");
    assert_string_equal(sget(st, "status"), "acknowledged");
    json_decref(st);
    json_decref(au);
    assert_int_equal(jd_concern__simulate(L, b, h, MON + 14 * DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "rung"), "team_manager");
    assert_non_null(strstr(sget(json_array_get(au, 0), "why"), "not resolved"));
    json_decref(st);
    json_decref(au);
    json_decref(h);
    json_decref(b);
    /* a pattern concern climbs to the board and stays there with its age */
    b = base_at("exploitation_meeting", "high", "pattern");
    json_object_set_new(b, "ceiling", json_string("board"));
    h = json_array();
    assert_int_equal(jd_concern__simulate(L, b, h, MON + 3000 * DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "rung"), "board");
    assert_true(json_is_true(json_object_get(st, "on_agenda")));
    assert_int_equal(json_integer_value(json_object_get(st, "age_days")), 3000);
    json_decref(st);
    json_decref(au);
    json_decref(h);
    json_decref(b);
    jd_ladder__free(L);
}

static void test_concern__level_rise_and_reopen(void **state)
{
    (void)state;
    jd_ladder *L = NULL;
    assert_int_equal(jd_ladder__load(&L, NULL, NULL), JD_OK);
    json_t *b = base_at("team_manager", "high", "child"), *h = json_array(), *st, *au;
    /* the alerts reach critical a week later */
    json_array_append_new(
        json_object_get(b, "steps"),
        json_pack("{s:o,s:s}", "at", jd_concern__time_json(MON + 7 * DAYS), "level", "critical"));
    json_array_append_new(h, json_pack("{s:s,s:I,s:s}", "action", "acknowledged", "at",
                                       (json_int_t)(MON + HOUR), "actor", "tom"));
    json_array_append_new(h, json_pack("{s:s,s:I,s:s,s:s,s:s}", "action", "closed", "at",
                                       (json_int_t)(MON + 2 * HOUR), "actor", "tom", "reason_code",
                                       "safe", "text", "placed safely"));
    /* closed before the rise: closed as of day 2 */
    assert_int_equal(jd_concern__simulate(L, b, h, MON + 2 * DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "status"), "closed");
    assert_int_equal(json_array_size(au), 0);
    json_decref(st);
    json_decref(au);
    /* the risk rises while closed: reopened for review at the critical rung */
    assert_int_equal(jd_concern__simulate(L, b, h, MON + 7 * DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "status"), "open");
    assert_string_equal(sget(st, "rung"), "service_manager");
    assert_string_equal(sget(st, "level"), "critical");
    assert_int_equal(json_array_size(au), 1);
    assert_string_equal(sget(json_array_get(au, 0), "action"), "reopened");
    json_decref(st);
    json_decref(au);
    /* not closed: the critical level takes it straight to the service manager */
    json_array_remove(h, 1);
    assert_int_equal(jd_concern__simulate(L, b, h, MON + 7 * DAYS, &st, &au), JD_OK);
    assert_string_equal(sget(st, "rung"), "service_manager");
    assert_string_equal(sget(json_array_get(au, 0), "action"), "escalated");
    assert_non_null(strstr(sget(json_array_get(au, 0), "why"), "critical"));
    json_decref(st);
    json_decref(au);
    json_decref(h);
    json_decref(b);
    jd_ladder__free(L);
}

/* ---- transitions through the store ---- */

static void test_concern__raise_ack_comment_assign_escalate(void **state)
{
    fx *f = *state;
    jd_error err;
    char *id = raise_one(f->s, "medium", false, false);
    assert_string_equal(id, "C-000001");
    jd_concern c = get_at(f->s, id, MON + HOUR);
    assert_string_equal(c.status, "open");
    assert_string_equal(c.rung, "practitioner");
    assert_string_equal(c.owner, "practitioner");
    assert_int_equal(c.version, 1);
    assert_int_equal(c.raised_at, MON);
    assert_int_equal(c.due_at, jd_concern__add_wd(MON, 10));
    jd_concern_dispose(&c);

    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    assert_int_equal(act(f->s, id, JD_CONCERN_ACK, &a, &alice, &err), JD_OK);
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    assert_int_equal(act(f->s, id, JD_CONCERN_COMMENT, &a, &alice, &err), JD_EINVALID);
    a.text = "spoke to the school";
    assert_int_equal(act(f->s, id, JD_CONCERN_COMMENT, &a, &alice, &err), JD_OK);
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    assert_int_equal(act(f->s, id, JD_CONCERN_ASSIGN, &a, &alice, &err), JD_EINVALID);
    a.to = "bob";
    assert_int_equal(act(f->s, id, JD_CONCERN_ASSIGN, &a, &alice, &err), JD_OK);
    c = get_at(f->s, id, MON + 2 * HOUR);
    assert_string_equal(c.status, "acknowledged");
    assert_string_equal(c.owner, "bob");
    assert_int_equal(c.version, 4);
    assert_non_null(strstr(c.json, "spoke to the school"));
    jd_concern_dispose(&c);

    /* escalate: one rung up by default, never down */
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    a.text = "needs a manager";
    assert_int_equal(act(f->s, id, JD_CONCERN_ESCALATE, &a, &alice, &err), JD_OK);
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    a.to = "practitioner";
    assert_int_equal(act(f->s, id, JD_CONCERN_ESCALATE, &a, &alice, &err), JD_ECONFLICT);
    a.to = "nowhere";
    assert_int_equal(act(f->s, id, JD_CONCERN_ESCALATE, &a, &alice, &err), JD_EINVALID);
    a.to = "exploitation_meeting";
    assert_int_equal(act(f->s, id, JD_CONCERN_ESCALATE, &a, &tom, &err), JD_OK);
    c = get_at(f->s, id, MON + 3 * HOUR);
    assert_string_equal(c.rung, "exploitation_meeting");
    assert_string_equal(c.owner, "exploitation_meeting");
    assert_string_equal(c.status, "open");
    assert_non_null(strstr(c.json, "needs a manager"));
    jd_concern_dispose(&c);

    /* the inbox of the meeting's queue holds it; alice's does not */
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.now = MON + 3 * HOUR;
    q.owner = "someone";
    q.role = "exploitation_meeting";
    int n = 0;
    assert_int_equal(jd_concern_list(f->s, &q, count, &n, &err), JD_OK);
    assert_int_equal(n, 1);
    q.owner = "alice";
    q.role = "practitioner";
    n = 0;
    assert_int_equal(jd_concern_list(f->s, &q, count, &n, &err), JD_OK);
    assert_int_equal(n, 0);
    /* not found */
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    assert_int_equal(act(f->s, "C-999999", JD_CONCERN_ACK, &a, &alice, &err), JD_ENOTFOUND);
    /* an action dated before the concern is refused */
    a.at = MON - DAYS;
    assert_int_equal(jd_concern_act(f->s, id, JD_CONCERN_ACK, &a, &alice, &err), JD_EINVALID);
    /* ...or before its last entry: the history is append-only */
    a.at = MON + HOUR / 2;
    assert_int_equal(jd_concern_act(f->s, id, JD_CONCERN_ACK, &a, &alice, &err), JD_EINVALID);
    /* bad input to raise */
    jd_concern_new bad = JD_CONCERN_NEW_INIT;
    bad.kind = "planet";
    bad.subject = "x";
    assert_int_equal(jd_concern_raise(NULL, f->s, &bad, &alice, MON, &err), JD_EINVALID);
    bad.kind = "place";
    assert_int_equal(jd_concern_raise(NULL, f->s, &bad, &alice, MON, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "at least one record"));
    bad.records = "[]";
    assert_int_equal(jd_concern_raise(NULL, f->s, &bad, &alice, MON, &err), JD_EINVALID);
    bad.records = "[{\"agency\": 1}]";
    assert_int_equal(jd_concern_raise(NULL, f->s, &bad, &alice, MON, &err), JD_EINVALID);
    bad.records = NULL;
    bad.from_alert = "child_at_risk:nobody";
    assert_int_equal(jd_concern_raise(NULL, f->s, &bad, &alice, MON, &err), JD_ENOTFOUND);
    free(id);
}

/* The fields the server's snapshot of open concerns keeps (api_work.c). */
static bool same_state(const jd_concern *a, const jd_concern *b)
{
    return !strcmp(a->status, b->status) && !strcmp(a->rung, b->rung) &&
           !strcmp(a->owner, b->owner) && !strcmp(a->level, b->level) &&
           a->overdue == b->overdue && a->strategic == b->strategic;
}

/* jd_concern.changes_at: the state is the same up to it and (a deadline
 * of an open concern: a rise or overdue) differs at it; an action recorded
 * for later is a change too. The change counter moves at each write and
 * not at a refused one. */
static void test_concern__changes_at_and_generation(void **state)
{
    fx *f = *state;
    jd_error err;
    int64_t g0 = -1, g1 = -1, g2 = -1;
    assert_int_equal(jd_concern_generation(f->s, &g0, &err), JD_OK);
    assert_int_equal(g0, 0);
    char *id = raise_one(f->s, "medium", false, false);
    assert_int_equal(jd_concern_generation(f->s, &g1, &err), JD_OK);
    assert_int_equal(g1, 1);
    jd_concern c = get_at(f->s, id, MON + HOUR);
    assert_true(c.changes_at > MON + HOUR && c.changes_at < INT64_MAX);
    int64_t t = c.changes_at;
    jd_concern before = get_at(f->s, id, t - 1), at = get_at(f->s, id, t);
    assert_true(same_state(&c, &before));
    assert_int_equal(before.changes_at, t);
    assert_false(same_state(&before, &at));
    jd_concern_dispose(&before);
    jd_concern_dispose(&at);
    jd_concern_dispose(&c);
    /* a few more steps: never a change before changes_at */
    for (int k = 0; k < 6 && t < INT64_MAX; k++) {
        c = get_at(f->s, id, t);
        assert_true(c.changes_at > t);
        if (c.changes_at < INT64_MAX) {
            before = get_at(f->s, id, c.changes_at - 1);
            assert_true(same_state(&c, &before));
            jd_concern_dispose(&before);
        }
        t = c.changes_at;
        jd_concern_dispose(&c);
    }
    /* an acknowledgement recorded for a day later is the next change */
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    a.at = MON + DAYS;
    assert_int_equal(act(f->s, id, JD_CONCERN_ACK, &a, &alice, &err), JD_OK);
    assert_int_equal(jd_concern_generation(f->s, &g2, &err), JD_OK);
    assert_int_equal(g2, 2);
    c = get_at(f->s, id, MON + 2 * HOUR);
    assert_true(c.changes_at <= MON + DAYS);
    assert_string_equal(c.status, "open");
    jd_concern_dispose(&c);
    c = get_at(f->s, id, MON + DAYS);
    assert_string_equal(c.status, "acknowledged");
    jd_concern_dispose(&c);
    /* a refused action writes nothing: the counter stays */
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    assert_int_equal(act(f->s, id, JD_CONCERN_COMMENT, &a, &alice, &err), JD_EINVALID);
    assert_int_equal(jd_concern_generation(f->s, &g2, &err), JD_OK);
    assert_int_equal(g2, 2);
    assert_int_equal(jd_concern_generation(NULL, &g2, &err), JD_EINVALID);
    free(id);
}

typedef struct vlist {
    char ids[4][64];
    int64_t versions[4];
    size_t n;
} vlist;

static int on_version(const char *id, int64_t version, void *payload)
{
    vlist *v = payload;
    if (v->n == 4)
        return 7; /* stops the list: returned as is */
    snprintf(v->ids[v->n], sizeof v->ids[v->n], "%s", id);
    v->versions[v->n++] = version;
    return 0;
}

/* jd_concern_versions: every stored concern by id with its version, one
 * more at each write of that concern only (what the server's open-concern
 * snapshot compares to simulate again only what changed). */
static void test_concern__versions(void **state)
{
    fx *f = *state;
    jd_error err;
    vlist v = {0};
    assert_int_equal(jd_concern_versions(f->s, on_version, &v, &err), JD_OK);
    assert_int_equal(v.n, 0);
    char *a = raise_one(f->s, "medium", false, false), *b = raise_one(f->s, "high", false, false);
    memset(&v, 0, sizeof v);
    assert_int_equal(jd_concern_versions(f->s, on_version, &v, &err), JD_OK);
    assert_int_equal(v.n, 2);
    assert_true(strcmp(v.ids[0], v.ids[1]) < 0); /* by id */
    size_t ia = strcmp(v.ids[0], a) == 0 ? 0 : 1;
    assert_string_equal(v.ids[ia], a);
    assert_string_equal(v.ids[1 - ia], b);
    int64_t va = v.versions[ia], vb = v.versions[1 - ia];
    assert_true(va >= 1 && vb >= 1);
    jd_concern_action act_ = JD_CONCERN_ACTION_INIT;
    act_.text = "seen at school";
    assert_int_equal(act(f->s, a, JD_CONCERN_COMMENT, &act_, &alice, &err), JD_OK);
    memset(&v, 0, sizeof v);
    assert_int_equal(jd_concern_versions(f->s, on_version, &v, &err), JD_OK);
    assert_int_equal(v.versions[ia], va + 1);
    assert_int_equal(v.versions[1 - ia], vb);
    /* a refused action moves no version */
    act_ = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    assert_int_equal(act(f->s, b, JD_CONCERN_COMMENT, &act_, &alice, &err), JD_EINVALID);
    memset(&v, 0, sizeof v);
    assert_int_equal(jd_concern_versions(f->s, on_version, &v, &err), JD_OK);
    assert_int_equal(v.versions[1 - ia], vb);
    /* the callback's non-zero return stops the list and is returned */
    v.n = 4;
    assert_int_equal(jd_concern_versions(f->s, on_version, &v, &err), 7);
    assert_int_equal(jd_concern_versions(NULL, on_version, &v, &err), JD_EINVALID);
    assert_int_equal(jd_concern_versions(f->s, NULL, &v, &err), JD_EINVALID);
    free(a);
    free(b);
}

static void test_concern__closure_refusals(void **state)
{
    fx *f = *state;
    jd_error err;
    /* a high concern: reason, text and a manager's sign-off by someone else */
    char *id = raise_one(f->s, "high", false, false);
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_EDENIED);
    a.reason_code = "safe";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_EDENIED);
    a.text = "   ";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_EDENIED);
    a.text = "placed with grandparents";
    a.reason_code = "bored";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_EINVALID);
    a.reason_code = "safe";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_EDENIED);
    assert_non_null(strstr(err.msg, "sign-off"));
    a.signoff_by = "alice"; /* herself */
    a.signoff_role = "team_manager";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_EDENIED);
    a.signoff_by = "pat"; /* not a manager */
    a.signoff_role = "practitioner";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_EDENIED);
    a.signoff_by = "tom";
    a.signoff_role = "team_manager";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_OK);
    jd_concern c = get_at(f->s, id, MON + 2 * HOUR);
    assert_string_equal(c.status, "closed");
    assert_int_equal(c.closed_at, MON + HOUR);
    assert_non_null(strstr(c.json, "\"signoff_by\":\"tom\""));
    assert_non_null(strstr(c.json, "placed with grandparents"));
    jd_concern_dispose(&c);
    /* nothing more happens to a closed concern but comments */
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    assert_int_equal(act(f->s, id, JD_CONCERN_ACK, &a, &alice, &err), JD_ECONFLICT);
    a.text = "for the record";
    assert_int_equal(act(f->s, id, JD_CONCERN_COMMENT, &a, &alice, &err), JD_OK);
    free(id);

    /* a medium disclosure: "no further action" needs a sign-off, "referred" does not */
    id = raise_one(f->s, "medium", true, false);
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    a.reason_code = "no_further_action";
    a.text = "team around the child in place";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_EDENIED);
    a.reason_code = "referred";
    a.text = "s47 enquiry opened";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_OK);
    free(id);
    /* a medium concern that is not a disclosure closes on its owner's word */
    id = raise_one(f->s, "medium", false, false);
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    a.reason_code = "no_further_action";
    a.text = "checked: nothing in it";
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &alice, &err), JD_OK);
    free(id);
}

static void test_concern__board_decision(void **state)
{
    fx *f = *state;
    jd_error err;
    char *id = raise_one(f->s, "high", false, true);
    jd_concern c = get_at(f->s, id, MON + 400 * DAYS);
    assert_string_equal(c.rung, "board");
    assert_true(c.strategic);
    assert_string_equal(c.status, "open");
    jd_concern_dispose(&c);
    /* years later it is still on the agenda: closing is refused, only a decision takes it off */
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    a.reason_code = "safe";
    a.text = "old";
    a.signoff_by = "tom";
    a.signoff_role = "team_manager";
    a.at = MON + 400 * DAYS;
    assert_int_equal(act(f->s, id, JD_CONCERN_CLOSE, &a, &tom, &err), JD_EDENIED);
    a = (jd_concern_action)JD_CONCERN_ACTION_INIT;
    a.at = MON + 400 * DAYS;
    a.decision = "complex abuse investigation";
    a.text = "the pattern fits an organised group";
    assert_int_equal(act(f->s, id, JD_CONCERN_DECIDE, &a, &tom, &err), JD_EDENIED);
    a.decision_maker = "Director of Children's Services";
    a.text = NULL;
    assert_int_equal(act(f->s, id, JD_CONCERN_DECIDE, &a, &tom, &err), JD_EDENIED);
    a.text = "the pattern fits an organised group";
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.agenda = true;
    q.now = MON + 400 * DAYS - 1;
    int n = 0;
    assert_int_equal(jd_concern_list(f->s, &q, count, &n, &err), JD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(act(f->s, id, JD_CONCERN_DECIDE, &a, &tom, &err), JD_OK);
    q.now = MON + 401 * DAYS;
    n = 0;
    assert_int_equal(jd_concern_list(f->s, &q, count, &n, &err), JD_OK);
    assert_int_equal(n, 0);
    c = get_at(f->s, id, MON + 401 * DAYS);
    assert_string_equal(c.status, "closed");
    assert_non_null(strstr(c.json, "Director of Children"));
    jd_concern_dispose(&c);
    free(id);
    /* a decision is only for items on the agenda */
    id = raise_one(f->s, "medium", false, false);
    a.at = MON + HOUR;
    assert_int_equal(act(f->s, id, JD_CONCERN_DECIDE, &a, &tom, &err), JD_ECONFLICT);
    free(id);
}

static void test_concern__history_append_only(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite-only: tampers with the file through sqlite3; the PostgreSQL triggers are checked by test_postgres.sh */
    fx *f = *state;
    char *id = raise_one(f->s, "medium", false, false);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    char *msg = NULL;
    assert_int_not_equal(
        sqlite3_exec(db, "UPDATE concern_event SET actor = 'mallory'", NULL, NULL, &msg),
        SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM concern_event", NULL, NULL, &msg),
                         SQLITE_OK);
    sqlite3_free(msg);
    sqlite3_close(db);
    free(id);
}

static void test_concern__concurrent_updates(void **state)
{
    fx *f = *state;
    jd_error err;
    char *id = raise_one(f->s, "medium", false, false);
    jd_store *s2 = NULL;
    jd_store_opts o = JD_STORE_OPTS_INIT;
    assert_int_equal(jd_store_open(&s2, f->path, &o, &err), JD_OK);
    /* both read version 1 */
    jd_concern c1 = get_at(f->s, id, MON + HOUR), c2 = get_at(s2, id, MON + HOUR);
    assert_int_equal(c1.version, 1);
    assert_int_equal(c2.version, 1);
    jd_concern_action a1 = JD_CONCERN_ACTION_INIT, a2 = JD_CONCERN_ACTION_INIT;
    a1.expected_version = c1.version;
    a1.to = "bob";
    a2.expected_version = c2.version;
    a2.to = "carol";
    assert_int_equal(act(f->s, id, JD_CONCERN_ASSIGN, &a1, &alice, &err), JD_OK);
    /* the second writer saw a stale version: refused, not silently overwritten */
    assert_int_equal(act(s2, id, JD_CONCERN_ASSIGN, &a2, &tom, &err), JD_ECONFLICT);
    assert_non_null(strstr(err.msg, "stale"));
    jd_concern c = get_at(s2, id, MON + 2 * HOUR);
    assert_string_equal(c.owner, "bob");
    assert_int_equal(c.version, 2);
    jd_concern_dispose(&c);
    /* the store refuses a write with a stale version even when the library's check passed */
    jd_concern_rec rec = {id,  0, false, "open", "x", "practitioner", "low", false,
                          MON, 0, 0,     "{}",   "{}"};
    assert_int_equal(s2->ops->concern->write(s2, &rec, 1, NULL, 0, NULL, 0, NULL, &err),
                     JD_ECONFLICT);
    /* without a version, interleaved comments from two handles are both kept */
    for (int i = 0; i < 10; i++) {
        jd_concern_action a = JD_CONCERN_ACTION_INIT;
        char t[32];
        snprintf(t, sizeof t, "note %d", i);
        a.text = t;
        a.at = MON + HOUR + i;
        assert_int_equal(jd_concern_act(i % 2 ? s2 : f->s, id, JD_CONCERN_COMMENT, &a,
                                        i % 2 ? &tom : &alice, &err),
                         JD_OK);
    }
    c = get_at(f->s, id, MON + 2 * HOUR);
    assert_int_equal(c.version, 12);
    for (int i = 0; i < 10; i++) {
        char t[32];
        snprintf(t, sizeof t, "\"note %d\"", i);
        assert_non_null(strstr(c.json, t));
    }
    jd_concern_dispose(&c);
    jd_concern_dispose(&c1);
    jd_concern_dispose(&c2);
    jd_store_close(s2);
    free(id);
}

/* ---- the engine on a hand-made bundle ---- */

static void load_bundle(jd_store *s)
{
    const char *root = getenv("JD_SOURCE_ROOT");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/data/bundles/concern", root ? root : ".");
    const char *b[] = {dir};
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_error err;
    assert_int_equal(jd_ingest_bundles(s, b, 1, &io, NULL, &err), JD_OK);
    /* one agency's refs: each ref is a person of its own, no resolution needed */
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    assert_int_equal(jd_analyse(s, &ao, NULL, NULL, &err), JD_OK);
}

enum { SEEN_MAX = 64 };
typedef struct seen {
    char ids[SEEN_MAX][160];
    char rung[SEEN_MAX][32];
    char status[SEEN_MAX][16];
    char level[SEEN_MAX][16];
    uint64_t json[SEEN_MAX]; /* FNV-1a of the concern's JSON: its records (evidence), history */
    int n;
} seen;

static uint64_t fnv1a(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; t && *t; t++)
        h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
    return h;
}

/* Every concern the run calls back with; more than SEEN_MAX fails the
 * test (a comparison over the first few only would hide the rest). */
static int collect(const jd_concern *c, void *p)
{
    seen *S = p;
    if (S->n >= SEEN_MAX)
        fail_msg("more than %d concerns called back", SEEN_MAX);
    snprintf(S->ids[S->n], sizeof S->ids[0], "%s", c->id);
    snprintf(S->rung[S->n], sizeof S->rung[0], "%s", c->rung);
    snprintf(S->status[S->n], sizeof S->status[0], "%s", c->status);
    snprintf(S->level[S->n], sizeof S->level[0], "%s", c->level ? c->level : "");
    S->json[S->n] = fnv1a(c->json);
    S->n++;
    return 0;
}

static int find(const seen *S, const char *prefix)
{
    for (int i = 0; i < S->n; i++)
        if (!strncmp(S->ids[i], prefix, strlen(prefix)))
            return i;
    return -1;
}

static int replay(jd_store *s, int64_t t, seen *S, jd_escalate_stats *st)
{
    memset(S, 0, sizeof *S);
    jd_escalate_opts o = JD_ESCALATE_OPTS_INIT;
    o.cb = collect;
    o.payload = S;
    jd_error err;
    return jd_escalate_run(s, t, 0, &o, st, &err);
}

static void test_concern__engine_rules_and_time_travel(void **state)
{
    fx *f = *state;
    load_bundle(f->s);
    seen S, S2;
    jd_escalate_stats st;
    int64_t t;
    /* before anything: nothing */
    assert_int_equal(jd_time_parse(&t, "2006-01-31", 1), JD_OK);
    assert_int_equal(replay(f->s, t, &S, &st), JD_OK);
    assert_int_equal(S.n, 0);
    /* the "group of men" note opens a strategic item on the board's agenda at once;
     * the decoy ("ring road", "organised and clean") opens nothing */
    assert_int_equal(jd_time_parse(&t, "2006-02-01T09:00", 0), JD_OK);
    assert_int_equal(replay(f->s, t, &S, &st), JD_OK);
    assert_int_equal(S.n, 1);
    assert_string_equal(S.ids[0], "auto:strategic:police:GN1");
    assert_string_equal(S.rung[0], "board");
    assert_int_equal(st.on_agenda, 1);
    assert_int_equal(st.board_first_at, t);
    assert_int_equal(jd_time_parse(&t, "2006-12-31", 1), JD_OK);
    assert_int_equal(replay(f->s, t, &S, &st), JD_OK);
    assert_int_equal(find(&S, "auto:strategic:police:DC1"), -1);
    /* three critical calls: three child concerns; the girls seen together: a pattern */
    assert_int_equal(S.n, 5);
    int k = find(&S, "auto:linked:");
    assert_true(k >= 0);
    assert_string_equal(S.rung[k], "board"); /* unacknowledged at the meeting: rose */
    jd_concern lc;
    jd_error e2;
    assert_int_equal(jd_concern_get(&lc, f->s, S.ids[k], t, 0, NULL, &e2), JD_OK);
    assert_non_null(strstr(lc.json, "\"record_id\":\"CA1\""));
    assert_non_null(
        strstr(lc.json, "\"members\":[\"U:police:N1\",\"U:police:N2\",\"U:police:N3\"]"));
    jd_concern_dispose(&lc);
    int children = 0;
    for (int i = 0; i < S.n; i++)
        children += !strncmp(S.ids[i], "auto:child:", 11);
    assert_int_equal(children, 3);
    /* the first call (Monday 22:00) is at the service manager the same night */
    assert_int_equal(jd_time_parse(&t, "2006-03-06T22:00", 0), JD_OK);
    assert_int_equal(st.first_high_at, t);
    assert_int_equal(replay(f->s, t + 12 * HOUR, &S2, NULL), JD_OK);
    k = find(&S2, "auto:child:");
    assert_true(k >= 0);
    assert_string_equal(S2.rung[k], "service_manager");
    /* unacknowledged for a working day it rises to the head of service */
    assert_int_equal(replay(f->s, t + DAYS + HOUR, &S2, NULL), JD_OK);
    assert_string_equal(S2.rung[find(&S2, "auto:child:")], "head_of_service");
    /* two children are no pattern yet (three are needed) */
    assert_int_equal(jd_time_parse(&t, "2006-03-21", 1), JD_OK);
    assert_int_equal(replay(f->s, t, &S2, NULL), JD_OK);
    assert_int_equal(find(&S2, "auto:linked:"), -1);
    /* stable ids: a replay as of a later time names the same concerns */
    assert_int_equal(replay(f->s, JD_AS_OF_NOW, &S2, NULL), JD_OK);
    assert_int_equal(S2.n, S.n);
    for (int i = 0; i < S.n; i++)
        assert_string_equal(S.ids[i], S2.ids[i]);
    /* a replay is never saved */
    jd_escalate_opts o = JD_ESCALATE_OPTS_INIT;
    o.save = true;
    jd_error err;
    assert_int_equal(jd_escalate_run(f->s, t, 0, &o, NULL, &err), JD_EINVALID);
}

/* The bundle loaded and the engine run and saved once as of *now (the
 * 10th of January 2007): its five concerns written. */
static void saved_once(fx *f, int64_t *now)
{
    load_bundle(f->s);
    assert_int_equal(jd_time_parse(now, "2007-01-10T12:00", 0), JD_OK);
    jd_escalate_opts o = JD_ESCALATE_OPTS_INIT;
    o.save = true;
    jd_escalate_stats st;
    jd_error err;
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, *now, &o, &st, &err), JD_OK);
    assert_int_equal(st.written, 5);
}

static void test_concern__engine_save_and_human_actions(void **state)
{
    fx *f = *state;
    int64_t now, t;
    saved_once(f, &now);
    jd_escalate_opts o = JD_ESCALATE_OPTS_INIT;
    o.save = true;
    jd_escalate_stats st;
    jd_error err;
    /* idempotent: a second run writes nothing */
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, now, &o, &st, &err), JD_OK);
    assert_int_equal(st.written, 0);
    /* the stored strategic item: history has the automatic opening; messages queued */
    jd_concern c = get_at(f->s, "auto:strategic:police:GN1", now);
    assert_true(c.automatic);
    assert_true(c.strategic);
    assert_non_null(strstr(c.json, "\"action\":\"raised\""));
    jd_concern_dispose(&c);
    int64_t queued = 0, pending = 0;
    assert_int_equal(f->s->ops->concern->outbox_counts(f->s, "smtp", &queued, &pending, &err),
                     JD_OK);
    assert_true(queued >= 5);
    assert_int_equal(pending, queued);
    /* the board decides on the strategic item: a replay before the decision still shows it */
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    a.at = now;
    a.decision = "complex abuse investigation";
    a.decision_maker = "chair of the partnership";
    a.text = "several girls, one group of men";
    assert_int_equal(
        jd_concern_act(f->s, "auto:strategic:police:GN1", JD_CONCERN_DECIDE, &a, &tom, &err),
        JD_OK);
    seen S;
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.agenda = true;
    q.as_of = now - DAYS;
    memset(&S, 0, sizeof S);
    assert_int_equal(jd_concern_list(f->s, &q, collect, &S, &err), JD_OK);
    assert_true(find(&S, "auto:strategic:police:GN1") >= 0);
    q.as_of = now + HOUR;
    memset(&S, 0, sizeof S);
    assert_int_equal(jd_concern_list(f->s, &q, collect, &S, &err), JD_OK);
    assert_int_equal(find(&S, "auto:strategic:police:GN1"), -1);
    /* a closed child concern whose data is replayed before closure shows open */
    assert_int_equal(jd_time_parse(&t, "2006-03-07T09:00", 0), JD_OK);
    memset(&S, 0, sizeof S);
    q = (jd_concern_query)JD_CONCERN_QUERY_INIT;
    q.as_of = t;
    assert_int_equal(jd_concern_list(f->s, &q, collect, &S, &err), JD_OK);
    assert_int_equal(S.n, 2);
    /* a concern raised by hand from a stored alert takes its subject, level and records */
    jd_concern_new n = JD_CONCERN_NEW_INIT;
    n.from_alert = "child_at_risk:U:police:N2";
    char *mid = NULL;
    assert_int_equal(jd_concern_raise(&mid, f->s, &n, &alice, now, &err), JD_OK);
    c = get_at(f->s, mid, now);
    assert_string_equal(c.kind, "child");
    assert_string_equal(c.subject, "U:police:N2");
    assert_string_equal(c.level, "critical");
    assert_string_equal(c.rung, "service_manager");
    assert_non_null(strstr(c.json, "\"record_id\":\"CA2\""));
    assert_non_null(strstr(c.json, "\"source\":\"alert\""));
    jd_concern_dispose(&c);
    free(mid);
    /* escalation alerts in the alerts export, with the analysis alerts, by id */
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    o = (jd_escalate_opts)JD_ESCALATE_OPTS_INIT;
    o.alerts_out = mf;
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, now, &o, &st, &err), JD_OK);
    fclose(mf);
    assert_non_null(strstr(buf, "\"id\":\"escalation:concern:auto:strategic:police:GN1\""));
    assert_non_null(strstr(buf, "\"id\":\"child_at_risk:"));
    assert_non_null(strstr(buf, "\"rung\":\"head_of_service\""));
    const char *p1 = strstr(buf, "child_at_risk:"), *p2 = strstr(buf, "escalation:concern:");
    assert_true(p1 < p2);
    free(buf);
}

/* The subset tests' start: the bundle saved once, then a whole run 30 days
 * later collected into *all through *o (set up for it); *now and *later are
 * those times. Returns the index of the first child's concern. */
static int full_run_first_child(fx *f, seen *all, jd_escalate_opts *o, int64_t *now,
                                int64_t *later)
{
    saved_once(f, now);
    memset(all, 0, sizeof *all);
    *o = (jd_escalate_opts)JD_ESCALATE_OPTS_INIT;
    o->cb = collect;
    o->payload = all;
    *later = *now + 30 * DAYS;
    jd_escalate_stats st;
    jd_error err;
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, *later, o, &st, &err), JD_OK);
    int k = find(all, "auto:child:");
    assert_true(k >= 0);
    return k;
}

/* A subset run (the live update's escalation over the persons an
 * incremental analysis walked) reads only the concerns it can fold, by id:
 * what it decides for its person equals a full run's, a human action on
 * the person's concern included, and it folds no one else's. */
static void test_concern__subset_run_equals_full(void **state)
{
    fx *f = *state;
    int64_t now, later;
    jd_escalate_stats st;
    jd_error err;
    seen all;
    jd_escalate_opts o;
    int k = full_run_first_child(f, &all, &o, &now, &later);
    const char *pid = all.ids[k] + strlen("auto:child:");
    char before[32];
    snprintf(before, sizeof before, "%s", all.rung[k]);
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    a.at = now + HOUR;
    a.text = "seen at school, spoke to her teacher";
    assert_int_equal(jd_concern_act(f->s, all.ids[k], JD_CONCERN_COMMENT, &a, &alice, &err), JD_OK);
    a.text = "she was taken again last night";
    a.at = now + 2 * HOUR;
    assert_int_equal(jd_concern_act(f->s, all.ids[k], JD_CONCERN_ESCALATE, &a, &alice, &err),
                     JD_OK);
    /* the full run's view, after the comment, then the subset's */
    memset(&all, 0, sizeof all);
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, later, &o, &st, &err), JD_OK);
    k = find(&all, "auto:child:");
    seen sub;
    memset(&sub, 0, sizeof sub);
    const char *persons[] = {pid};
    o.persons = persons;
    o.npersons = 1;
    o.payload = &sub;
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, later, &o, &st, &err), JD_OK);
    assert_string_not_equal(all.rung[k], before); /* the escalation by hand counts */
    int j = find(&sub, all.ids[k]);
    assert_true(j >= 0);
    assert_string_equal(sub.rung[j], all.rung[k]);
    assert_string_equal(sub.status[j], all.status[k]);
    for (int i = 0; i < sub.n; i++)
        assert_null(strstr(sub.ids[i], "strategic")); /* another's: not folded */
    /* saved: what the subset wrote is what a full run finds stored */
    o.save = true;
    o.cb = NULL;
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, later, &o, &st, &err), JD_OK);
    jd_concern c = get_at(f->s, all.ids[k], later);
    assert_string_equal(c.rung, all.rung[k]);
    assert_non_null(strstr(c.json, "spoke to her teacher"));
    jd_concern_dispose(&c);
}

/* The live update's escalation over the persons an incremental analysis
 * walked, from the records that analysis kept (jd_incr_input.keep,
 * jd_escalate_opts.kept) instead of loading their events again: the same
 * concerns, rungs, states, levels and evidence (each concern's whole JSON:
 * its records and history) as the loading run, and no event read from the
 * store. An analysis that walks no one keeps nothing. */
static void test_concern__kept_records_equal_loaded(void **state)
{
    fx *f = *state;
    int64_t now, later;
    jd_escalate_stats st;
    jd_error err;
    seen all;
    jd_escalate_opts o;
    int k = full_run_first_child(f, &all, &o, &now, &later);
    const char *pid = all.ids[k] + strlen("auto:child:");
    /* nothing walked: nothing kept */
    jd_analysis_kept *kept = (jd_analysis_kept *)&err; /* not NULL: the run must clear it */
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    jd_incr_input none = {NULL, 0, false, false, &kept};
    assert_int_equal(jd_analyse_incremental_ex(f->s, &ao, &none, NULL, NULL, NULL, &err), JD_OK);
    assert_null(kept);
    const char *persons[] = {pid};
    jd_incr_input in = {persons, 1, false, false, &kept};
    char **walked = NULL;
    size_t nw = 0;
    assert_int_equal(jd_analyse_incremental_ex(f->s, &ao, &in, NULL, &walked, &nw, &err), JD_OK);
    assert_non_null(kept);
    assert_true(nw >= 1);
    seen loaded, fromkept;
    memset(&loaded, 0, sizeof loaded);
    memset(&fromkept, 0, sizeof fromkept);
    o.persons = (const char *const *)walked;
    o.npersons = nw;
    o.payload = &loaded;
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, later, &o, &st, &err), JD_OK);
    assert_true(st.loaded > 0);
    o.kept = kept;
    o.payload = &fromkept;
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, later, &o, &st, &err), JD_OK);
    assert_int_equal(st.loaded, 0); /* the kept records, not the store's */
    assert_true(loaded.n > 0);
    assert_int_equal(fromkept.n, loaded.n);
    for (int i = 0; i < loaded.n; i++) {
        int j = find(&fromkept, loaded.ids[i]);
        assert_true(j >= 0);
        assert_string_equal(fromkept.rung[j], loaded.rung[i]);
        assert_string_equal(fromkept.status[j], loaded.status[i]);
        assert_string_equal(fromkept.level[j], loaded.level[i]);
        assert_true(fromkept.json[j] == loaded.json[i]);
    }
    assert_true(find(&fromkept, all.ids[k]) >= 0);
    /* saved from the kept records: what a full run then finds stored */
    o.save = true;
    o.cb = NULL;
    assert_int_equal(jd_escalate_run(f->s, JD_AS_OF_NOW, later, &o, &st, &err), JD_OK);
    jd_concern c = get_at(f->s, all.ids[k], later);
    assert_string_equal(c.rung, all.rung[k]);
    jd_concern_dispose(&c);
    jd_analysis_kept_free(kept);
    jd_analyse_keys_free(walked, nw);
}

/* ---- notifications through an outage ---- */

typedef struct fake {
    int fd, port;
    bool smtp;
    int refuse; /* first connections answered with a failure */
    int conns, accepted;
    char got[8192];
} fake;

static void fake_send(int c, const char *s)
{
    (void)!write(c, s, strlen(s));
}

/* Read until `stop` appears (bounded by size and a 3 s timeout). */
static void fake_read_until(int c, char *buf, size_t cap, size_t *len, const char *stop)
{
    for (int i = 0; i < 200 && *len + 1 < cap; i++) {
        buf[*len] = 0;
        if (strstr(buf, stop))
            return;
        struct pollfd p = {c, POLLIN, 0};
        if (poll(&p, 1, 3000) != 1)
            return;
        ssize_t r = read(c, buf + *len, cap - *len - 1);
        if (r <= 0)
            return;
        *len += (size_t)r;
    }
    buf[*len] = 0;
}

static void *fake_main(void *arg)
{
    fake *F = arg;
    for (int i = 0; i < 8; i++) {
        struct pollfd p = {F->fd, POLLIN, 0};
        if (poll(&p, 1, 5000) != 1)
            break;
        int c = accept(F->fd, NULL, NULL);
        if (c < 0)
            break;
        F->conns++;
        char buf[4096];
        size_t len = 0;
        if (F->smtp) {
            if (F->conns <= F->refuse) {
                fake_send(c, "421 service not available, try later\r\n");
            } else {
                fake_send(c, "220 fake ESMTP\r\n");
                const char *steps[][2] = {
                    {"\r\n", "250 hello\r\n"},       {"\r\n", "250 ok\r\n"},
                    {"\r\n", "250 ok\r\n"},          {"\r\n", "354 go on\r\n"},
                    {"\r\n.\r\n", "250 queued\r\n"}, {"\r\n", "221 bye\r\n"}};
                for (size_t k = 0; k < 6; k++) {
                    size_t from = len;
                    fake_read_until(c, buf, sizeof buf, &len, k == 4 ? "\r\n.\r\n" : "\r\n");
                    (void)from;
                    fake_send(c, steps[k][1]);
                    if (k == 4) {
                        size_t g = strlen(F->got);
                        snprintf(F->got + g, sizeof F->got - g, "%s", buf);
                        F->accepted++;
                    }
                    len = 0;
                }
            }
        } else {
            fake_read_until(c, buf, sizeof buf, &len, "}");
            if (F->conns <= F->refuse) {
                fake_send(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
            } else {
                fake_send(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                size_t g = strlen(F->got);
                snprintf(F->got + g, sizeof F->got - g, "%s", buf);
                F->accepted++;
            }
        }
        close(c);
    }
    return NULL;
}

static void fake_start(fake *F, pthread_t *th)
{
    F->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(F->fd >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(F->fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    assert_int_equal(getsockname(F->fd, (struct sockaddr *)&a, &l), 0);
    F->port = ntohs(a.sin_port);
    assert_int_equal(listen(F->fd, 8), 0);
    assert_int_equal(pthread_create(th, NULL, fake_main, F), 0);
}

static void fake_stop(fake *F, pthread_t th)
{
    shutdown(F->fd, SHUT_RDWR);
    close(F->fd);
    pthread_join(th, NULL);
}

static void test_concern__notify_outage_loses_nothing(void **state)
{
    fx *f = *state;
    jd_error err;
    char *id1 = raise_one(f->s, "medium", false, false);
    char *id2 = raise_one(f->s, "high", false, false);
    /* nothing listening at all: connection refused, recorded, retried later */
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(probe, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    getsockname(probe, (struct sockaddr *)&a, &l);
    close(probe); /* a port with no listener */
    jd_notify_opts o = JD_NOTIFY_OPTS_INIT;
    o.smtp_host = "127.0.0.1";
    o.smtp_port = ntohs(a.sin_port);
    o.mail_from = "joindots@example.org";
    o.mail_domain = "example.org";
    o.timeout_ms = 2000;
    o.now = 1000;
    jd_notify_stats st;
    assert_int_equal(jd_notify_deliver(f->s, &o, &st, &err), JD_OK);
    assert_int_equal(st.queued, 2);
    assert_int_equal(st.delivered, 0);
    assert_int_equal(st.failed, 2);
    assert_int_equal(st.pending, 2);

    /* the mail server comes up but says 421 to the first connection */
    fake F = {.smtp = true, .refuse = 1};
    pthread_t th;
    fake_start(&F, &th);
    o.smtp_port = F.port;
    o.now = 1010; /* before the retry is due (30 s backoff): no attempt */
    assert_int_equal(jd_notify_deliver(f->s, &o, &st, &err), JD_OK);
    assert_int_equal(st.delivered + st.failed, 0);
    assert_int_equal(st.pending, 2);
    o.now = 1031; /* due: the first is refused (421), the second accepted */
    assert_int_equal(jd_notify_deliver(f->s, &o, &st, &err), JD_OK);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(st.pending, 1);
    o.now = 1031 + 59; /* second failure: backoff 60 s */
    assert_int_equal(jd_notify_deliver(f->s, &o, &st, &err), JD_OK);
    assert_int_equal(st.delivered, 0);
    o.now = 1031 + 60;
    assert_int_equal(jd_notify_deliver(f->s, &o, &st, &err), JD_OK);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(st.pending, 0);
    fake_stop(&F, th);
    assert_int_equal(F.accepted, 2);
    assert_non_null(strstr(F.got, id1));
    assert_non_null(strstr(F.got, id2));
    assert_non_null(strstr(F.got, "To: <practitioner@example.org>"));
    assert_non_null(strstr(F.got, "To: <team_manager@example.org>"));
    /* delivered messages are not sent again */
    o.now = 100000;
    F = (fake){.smtp = true};
    fake_start(&F, &th);
    o.smtp_port = F.port;
    assert_int_equal(jd_notify_deliver(f->s, &o, &st, &err), JD_OK);
    assert_int_equal(st.delivered + st.failed, 0);
    fake_stop(&F, th);
    assert_int_equal(F.conns, 0);

    /* the webhook: 503 first, then 200; its own delivery record per message */
    F = (fake){.smtp = false, .refuse = 1};
    fake_start(&F, &th);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", F.port);
    jd_notify_opts w = JD_NOTIFY_OPTS_INIT;
    w.webhook_url = url;
    w.timeout_ms = 2000;
    w.now = 5000;
    assert_int_equal(jd_notify_deliver(f->s, &w, &st, &err), JD_OK);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.delivered, 1);
    w.now = 5031;
    assert_int_equal(jd_notify_deliver(f->s, &w, &st, &err), JD_OK);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(st.pending, 0);
    fake_stop(&F, th);
    assert_int_equal(F.accepted, 2);
    assert_non_null(strstr(F.got, "POST /hook HTTP/1.1"));
    assert_non_null(strstr(F.got, "\"concern\":\"C-000001\""));
    /* bad options */
    jd_notify_opts bad = JD_NOTIFY_OPTS_INIT;
    assert_int_equal(jd_notify_deliver(f->s, &bad, &st, &err), JD_EINVALID);
    bad.webhook_url = "ftp://x";
    bad.now = 99999999;
    /* an unusable URL is a failed attempt, kept for later, not a crash */
    jd_concern_action ac = JD_CONCERN_ACTION_INIT;
    ac.to = "dora";
    assert_int_equal(act(f->s, id1, JD_CONCERN_ASSIGN, &ac, &alice, &err), JD_OK);
    assert_int_equal(jd_notify_deliver(f->s, &bad, &st, &err), JD_OK);
    assert_true(st.pending >= 1);
    free(id1);
    free(id2);
}

/* The entry an urgent call's concern carries onto the child's
 * (jd_concern__carried): with h's time as acted_at, without one when h has
 * no "at" (not an error), and none when the child's holds it already. */
static void test_concern__carried_entry(void **state)
{
    (void)state;
    json_t *had = json_array(), *e = NULL;
    json_t *h = json_pack("{s:s,s:s,s:s,s:I}", "action", "commented", "actor", "ann", "text",
                          "rang her aunt", "at", (json_int_t)1700000000);
    json_t *bare = json_pack("{s:s,s:s,s:s}", "action", "commented", "actor", "ann", "text",
                             "no time");
    assert_int_equal(jd_concern__carried(had, "auto:child:U:a:1", bare, &e), JD_OK);
    assert_non_null(e);
    assert_string_equal(jd_concern__jstr(e, "carried_from"), "auto:child:U:a:1");
    assert_null(json_object_get(e, "acted_at"));
    assert_string_equal(jd_concern__jstr(e, "text"), "no time");
    json_array_append_new(had, e);
    assert_int_equal(jd_concern__carried(had, "auto:child:U:a:1", bare, &e), JD_OK);
    assert_null(e); /* carried already */
    assert_int_equal(jd_concern__carried(had, "auto:child:U:a:1", h, &e), JD_OK);
    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(e, "acted_at")), 1700000000);
    json_array_append_new(had, e);
    assert_int_equal(jd_concern__carried(had, "auto:child:U:a:1", h, &e), JD_OK);
    assert_null(e);
    /* from another call's concern, or at another time: carried */
    assert_int_equal(jd_concern__carried(had, "auto:child:U:a:2", h, &e), JD_OK);
    assert_non_null(e);
    json_decref(e);
    json_object_set_new(h, "at", json_integer(1700000060));
    assert_int_equal(jd_concern__carried(had, "auto:child:U:a:1", h, &e), JD_OK);
    assert_non_null(e);
    json_decref(e);
    json_decref(h);
    json_decref(bare);
    json_decref(had);
}

int main(void)
{
    jd_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concern__carried_entry),
        cmocka_unit_test(test_concern__ladder_and_working_days),
        cmocka_unit_test(test_concern__web_roles),
        cmocka_unit_test(test_concern__unacknowledged_and_overdue_rise),
        cmocka_unit_test(test_concern__level_rise_and_reopen),
        cmocka_unit_test_setup_teardown(test_concern__raise_ack_comment_assign_escalate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_concern__closure_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concern__changes_at_and_generation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concern__versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concern__board_decision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concern__history_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concern__concurrent_updates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concern__engine_rules_and_time_travel, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_concern__engine_save_and_human_actions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_concern__subset_run_equals_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concern__kept_records_equal_loaded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concern__notify_outage_loses_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
