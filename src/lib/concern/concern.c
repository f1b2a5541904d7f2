/*
 * Concerns (see include/joindots/concern.h and docs/escalation.md): the
 * human actions (raise, act, close with sign-off), and reading concerns
 * stored or derived (get, list: the derived ones come from the escalation
 * engine, escalate.c). The state machine and the ladder are state.c.
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
#include "store/incr_ops.h"

#include <joindots/chronology.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TEXT 4000
#define MAX_RETRY 5

static const char *const kinds[] = {"child", "adult", "place", "vehicle", "pattern"};

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
    if (o && jd_concern__jstr(o, "id") && !strcmp(jd_concern__jstr(o, "id"), f->id))
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

/* The stored alert a concern is raised from: its subject, kind, level and
 * records fill what the caller left out. *alert is the caller's to free. */
static int from_alert(jd_store *s, const jd_concern_new *c, json_t **alert, const char **kind,
                      const char **subject, const char **level, json_t **records,
                      jd_error *err)
{
    alert_find f = {c->from_alert, NULL};
    bool ran = false;
    int rc;
    if ((rc = s->ops->alerts_read(s, &ran, on_alert, &f, err)) < 0)
        return rc;
    if (!(*alert = f.found))
        return jd_error_set(err, JD_ENOTFOUND, "no stored alert with that id (run analyse)");
    json_t *subj = json_object_get(*alert, "subject");
    if (!*subject)
        *subject = subj ? jd_concern__jstr(subj, "person_id") : jd_concern__jstr(*alert, "id");
    if (!*kind)
        *kind = subj ? "child" : "pattern";
    if (!*level)
        *level = jd_concern__jstr(*alert, "level");
    if (!c->records)
        *records = json_deep_copy(json_object_get(*alert, "records"));
    return 0;
}

/* Save a new concern under the next free number (C-000001...), trying
 * again when another writer took it. */
static int save_new(char **out_id, jd_store *s, jd_ladder *L, json_t *base, json_t *entries,
                    int64_t at, jd_error *err)
{
    int rc = 0;
    for (int attempt = 0; attempt < MAX_RETRY; attempt++) {
        int64_t num = 0;
        if ((rc = s->ops->concern->next_number(s, &num, err)) < 0)
            return rc;
        char id[32];
        snprintf(id, sizeof id, "C-%06lld", (long long)num);
        json_t *empty = json_array();
        rc = jd_concern__sync(s, L, id, false, 0, base, empty, empty, entries, at, NULL, false,
                              NULL, err);
        json_decref(empty);
        if (rc == JD_ECONFLICT)
            continue;
        if (rc == JD_OK && out_id && !(*out_id = strdup(id)))
            rc = jd_oom(err);
        break;
    }
    return rc;
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
    if (c->from_alert &&
        (rc = from_alert(s, c, &alert, &kind, &subject, &level, &records, err)) < 0)
        goto out;
    bool kind_ok = false;
    for (size_t i = 0; kind && i < JD_ARRAY_LEN(kinds); i++)
        kind_ok |= !strcmp(kind, kinds[i]);
    int lvl = level ? jd_concern__level_parse(level) : 2;
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
        json_array_foreach(records, i, r) ok = ok && jd_concern__jstr(r, "agency") && jd_concern__jstr(r, "record_id");
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
                     "level", jd_concern__level_name(lvl), "records", records, "source",
                     c->from_alert ? "alert" : "manual", "strategic", c->strategic, "disclosure",
                     c->disclosure, "automatic", 0, "raised_by", by->name, "raised_role",
                     by->role ? by->role : "");
    if (!base) {
        rc = jd_oom(err);
        goto out;
    }
    if (c->owner)
        json_object_set_new(base, "owner", json_string(c->owner));
    if (c->from_alert)
        json_object_set_new(base, "alert", json_string(c->from_alert));
    if (alert && json_object_get(alert, "around")) /* a network: the person it is named after */
        json_object_set(base, "around", json_object_get(alert, "around"));
    entries = json_pack("[{s:s,s:I,s:s,s:s,s:b,s:s}]", "action", "raised", "at", (json_int_t)at,
                        "actor", by->name, "role", by->role ? by->role : "", "automatic", 0, "rung",
                        L->rung[rung].id);
    rc = save_new(out_id, s, L, base, entries, at, err);
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
        const char *s = key ? jd_concern__jstr(x, key) : json_string_value(x);
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
    bool closed = !strcmp(jd_concern__jstr(state, "status"), "closed");
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
        json_object_set_new(entry, "rung", json_string(jd_concern__jstr(state, "rung")));
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
        json_object_set_new(entry, "from", json_string(jd_concern__jstr(state, "owner")));
        return JD_OK;
    case JD_CONCERN_ESCALATE: {
        int cur = jd_ladder__rung(L, jd_concern__jstr(state, "rung"));
        int to = a->to ? jd_ladder__rung(L, a->to) : cur + 1;
        if (to < 0 || to >= L->nrungs)
            return jd_error_set(err, JD_EINVALID, "unknown rung, or already at the top");
        if (to <= cur)
            return jd_error_set(err, JD_ECONFLICT, "the concern is already at %s",
                                jd_concern__jstr(state, "rung"));
        json_object_set_new(entry, "action", json_string("escalated"));
        json_object_set_new(entry, "to", json_string(L->rung[to].id));
        json_object_set_new(entry, "rung", json_string(L->rung[to].id));
        json_object_set_new(entry, "from", json_string(jd_concern__jstr(state, "rung")));
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
        int lvl = jd_concern__level_parse(jd_concern__jstr(state, "level"));
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

/* One entry appended to a concern's history, retried on a stale read:
 * a person's action (preset NULL: checked by check_action) or the
 * system's own (preset: the entry, taken as it is, e.g. "placed"). */
static int act_entry(jd_store *s, const jd_ladder *L, const char *id, int64_t at,
                     jd_concern_verb verb, const jd_concern_action *a, const jd_concern_actor *by,
                     const json_t *preset, jd_error *err)
{
    int rc = JD_OK;
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
            rc = jd_oom(err);
        } else if (a->expected_version && a->expected_version != l.version) {
            rc = jd_error_set(err, JD_ECONFLICT,
                              "concern %s was changed by someone else (version %lld is "
                              "stale, now %lld); reload and try again",
                              id, (long long)a->expected_version, (long long)l.version);
        } else if (preset) {
            entry = json_deep_copy(preset);
            if (!entry || json_object_set_new(entry, "at", json_integer((json_int_t)at)) < 0)
                rc = jd_oom(err);
            else if (!strcmp(jd_concern__jstr(state, "status"), "closed"))
                rc = jd_error_set(err, JD_ECONFLICT, "concern %s is closed", id);
        } else {
            entry = json_pack("{s:I,s:s,s:s,s:b}", "at", (json_int_t)at, "actor", by->name, "role",
                              by->role ? by->role : "", "automatic", 0);
            rc = check_action(L, l.base, state, verb, a, by, entry, err);
        }
        if (rc == JD_OK) {
            /* the automatic steps up to now come before the human action */
            json_t *fresh = jd_concern__unsaved_autos(l.history, autos);
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
    return rc;
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
    rc = act_entry(s, L, id, now_or(a->at), verb, a, by, NULL, err);
    jd_ladder__free(L);
    return rc;
}

/* Close concern `id` as placed: its subject, an urgent call's ref, is now
 * identity person_id, whose own concern carries it on (jd_escalate_placed),
 * or (carried false) whose own concern is closed already. An automatic
 * entry, not a human's. JD_ECONFLICT when `id` is closed already. */
static int placed_close(jd_store *s, const char *id, const char *person_id, int64_t at,
                        jd_error *err)
{
    char to[300];
    snprintf(to, sizeof to, "auto:child:%s", person_id);
    const char *text = "the urgent call's ref is now placed in its identity: the concern continues "
                       "as that child's concern";
    json_t *entry = json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s}", "actor", "joindots", "role",
                              "system", "automatic", 1, "action", "placed", "person_id",
                              person_id, "concern", to, "text", text);
    jd_ladder *L = NULL;
    int rc = entry ? jd_ladder__load(&L, NULL, err) : jd_oom(err);
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    if (rc == JD_OK)
        rc = act_entry(s, L, id, now_or(at), JD_CONCERN_CLOSE, &a, NULL, entry, err);
    jd_ladder__free(L);
    json_decref(entry);
    return rc;
}

/* Whether the human entries `had` of the child's concern hold h carried
 * from `from` already: the same carried_from, acted_at (h's "at", both
 * absent alike), action, actor and text. */
/* a and b both absent, or equal */
static bool same_json(const json_t *a, const json_t *b)
{
    return a || b ? a && b && json_equal((json_t *)a, (json_t *)b) : true;
}

static bool carried_already(json_t *had, const char *from, json_t *h)
{
    static const char *const same[] = {"action", "actor", "text"};
    size_t i;
    json_t *c;
    json_array_foreach(had, i, c)
    {
        const char *cf = jd_concern__jstr(c, "carried_from");
        if (!cf || strcmp(cf, from) != 0 ||
            !same_json(json_object_get(c, "acted_at"), json_object_get(h, "at")))
            continue;
        size_t k = 0;
        while (k < 3 && same_json(json_object_get(c, same[k]), json_object_get(h, same[k])))
            k++;
        if (k == 3)
            return true;
    }
    return false;
}

int jd_concern__carried(json_t *had, const char *from, json_t *h, json_t **out)
{
    *out = NULL;
    if (carried_already(had, from, h))
        return JD_OK;
    json_t *e = json_deep_copy(h), *at = json_object_get(h, "at");
    if (!e || json_object_set_new(e, "carried_from", json_string(from)) < 0 ||
        (at && json_object_set(e, "acted_at", at) < 0)) {
        json_decref(e);
        return JD_ENOMEM;
    }
    *out = e;
    return JD_OK;
}

/* One human entry h of the call's concern `from` carried onto the child's
 * concern `to` (state: its fold now): a comment always; an acknowledgement
 * when the child's concern is open at the rung it was given at (one given
 * lower does not answer a higher rung). The entry keeps its actor, role,
 * text and time (acted_at), and names the concern it came from. */
static int carry_one(jd_store *s, const jd_ladder *L, const char *from, const char *to,
                     json_t *state, json_t *had, json_t *h, int64_t now, jd_error *err)
{
    const char *act = jd_concern__jstr(h, "action");
    bool ack = act && !strcmp(act, "acknowledged");
    if (!act || (!ack && strcmp(act, "commented") != 0))
        return JD_OK;
    if (ack && (strcmp(jd_concern__jstr(state, "status"), "open") != 0 ||
                !jd_concern__jstr(h, "rung") ||
                strcmp(jd_concern__jstr(h, "rung"), jd_concern__jstr(state, "rung")) != 0))
        return JD_OK;
    json_t *e = NULL;
    int rc = jd_concern__carried(had, from, h, &e) == JD_OK ? JD_OK : jd_oom(err);
    jd_concern_action a = JD_CONCERN_ACTION_INIT;
    if (rc == JD_OK && e)
        rc = act_entry(s, L, to, now, ack ? JD_CONCERN_ACK : JD_CONCERN_COMMENT, &a, NULL, e, err);
    json_decref(e);
    if (rc == JD_OK && e && ack) /* the fold moves on: a second ack is not carried */
        json_object_set_new(state, "status", json_string("acknowledged"));
    return rc;
}

/* The call's concern `from`, just placed, hands its acknowledgements and
 * comments to the child's concern `to` it continues as: a practitioner who
 * acknowledged the call is not asked again, and what was written stays
 * with the child (the call's concern keeps them too, closed). */
static int placed_carry(jd_store *s, const char *from, const char *to, int64_t now,
                        jd_error *err)
{
    jd_ladder *L = NULL;
    jd_concern_loaded f, t;
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    json_t *state = NULL, *autos = NULL;
    now = now_or(now);
    int rc = jd_ladder__load(&L, NULL, err);
    if (rc == JD_OK && (rc = jd_concern__load(&f, s, from, now, err)) == JD_OK &&
        (rc = jd_concern__load(&t, s, to, now, err)) == JD_OK &&
        jd_concern__simulate(L, t.base, t.human, now, &state, &autos) < 0)
        rc = jd_oom(err);
    size_t i;
    json_t *h;
    json_array_foreach(f.human, i, h)
    {
        if (rc < 0)
            break;
        rc = carry_one(s, L, from, to, state, t.human, h, now, err);
    }
    json_decref(state);
    json_decref(autos);
    jd_concern__loaded_dispose(&f);
    jd_concern__loaded_dispose(&t);
    jd_ladder__free(L);
    return rc;
}

/* ---- the urgent lane's concerns, placed ---- */

typedef struct placed_ctx {
    char person_id[256];
} placed_ctx;

static int on_placed_ref(const jd_identity_row *r, void *payload)
{
    placed_ctx *c = payload;
    if (r->person_id && !c->person_id[0])
        snprintf(c->person_id, sizeof c->person_id, "%s", r->person_id);
    return 0;
}

/* [out] payload: 1 open, 0 closed */
static int on_carried(const jd_concern_rec *r, void *payload)
{
    *(int *)payload = r->status && strcmp(r->status, "closed") != 0;
    return 0;
}

/* *open: 1 concern `id` is open, 0 closed, -1 there is none. */
static int concern_open(jd_store *s, const char *id, int *open, jd_error *err)
{
    *open = -1;
    int rc = s->ops->concern->get(s, id, on_carried, open, err);
    if (rc == JD_ENOTFOUND) {
        jd_error_clear(err);
        rc = JD_OK;
    }
    return rc;
}

/* One "U:agency:ref" key: its concern closed as placed when the ref has an
 * identity now whose own concern exists, open (carried on) or closed (the
 * note says so). No identity yet, or no concern on it yet: left open, and
 * the next reconcile (jd_escalate_placed_open) looks again. */
static int place_one(jd_store *s, const char *key, int64_t now, int64_t *placed, jd_error *err)
{
    const struct jd_incr_ops *I = s->ops->incr;
    const char *sep = strncmp(key, "U:", 2) ? NULL : strchr(key + 2, ':');
    if (!sep || sep == key + 2 || !sep[1])
        return JD_OK;
    char agency[64];
    if ((size_t)(sep - key - 2) >= sizeof agency)
        return JD_OK;
    memcpy(agency, key + 2, (size_t)(sep - key - 2));
    agency[sep - key - 2] = '\0';
    const char *ag[1] = {agency}, *ref[1] = {sep + 1};
    placed_ctx c = {""};
    int rc = I->identity_refs_of(s, ag, ref, 1, NULL, 0, on_placed_ref, &c, err);
    if (rc < 0 || !c.person_id[0])
        return rc;
    char *id = NULL, *to = NULL;
    if (asprintf(&id, "auto:child:%s", key) < 0 ||
        asprintf(&to, "auto:child:%s", c.person_id) < 0) {
        free(id);
        return jd_oom(err);
    }
    /* Placed only into an open concern. The identity with none yet is
     * looked at again at the next reconcile; one whose concern is closed
     * leaves the call's concern open: a new critical call after a person
     * closed the child's concern is new information, and the engine reopens
     * a closed concern only when the level rises (a child closed at
     * critical would never see it). A person closes it, or reopens the
     * child's, after reading it. */
    int carried = -1, open = -1; /* -1: no concern (yet) */
    rc = concern_open(s, to, &carried, err);
    if (rc == JD_OK && carried == 1)
        rc = concern_open(s, id, &open, err);
    /* carried first, closed after: a carry cut short (an error, a crash)
     * leaves the call's concern open, so the next reconcile carries again,
     * each entry once (carry_one skips those carried already); a concern
     * closed is never placed (nor carried) again */
    if (rc == JD_OK && carried == 1 && open == 1 &&
        (rc = placed_carry(s, id, to, now, err)) == JD_OK) {
        rc = placed_close(s, id, c.person_id, now, err);
        if (rc == JD_OK && placed)
            (*placed)++;
        if (rc == JD_ENOTFOUND || rc == JD_ECONFLICT) { /* closed or gone meanwhile */
            jd_error_clear(err);
            rc = JD_OK;
        }
    }
    free(id);
    free(to);
    return rc;
}

int jd_escalate_placed(jd_store *s, const char *const *keys, size_t n, int64_t now,
                       int64_t *placed, jd_error *err)
{
    if (placed)
        *placed = 0;
    if (!s || (n && !keys))
        return jd_error_set(err, JD_EINVALID, "a store and keys are needed");
    if (!s->ops->concern || !s->ops->incr || !s->ops->incr->identity_refs_of)
        return JD_OK; /* no urgent lane on this store */
    /* every key tried; the first error returned (its message kept) */
    int first = JD_OK;
    for (size_t i = 0; i < n; i++) {
        if (!keys[i])
            continue;
        jd_error e1;
        jd_error_clear(&e1);
        int rc = place_one(s, keys[i], now, placed, &e1);
        if (rc < 0 && first == JD_OK) {
            first = rc;
            if (err)
                *err = e1;
        }
    }
    return first;
}

#define URGENT_PREFIX "auto:child:U:"

typedef struct open_keys {
    char **keys;
    size_t n, cap;
} open_keys;

static int on_open_urgent(const jd_concern_rec *r, void *payload)
{
    open_keys *k = payload;
    if (!r->id || strncmp(r->id, URGENT_PREFIX, strlen(URGENT_PREFIX)) != 0)
        return 0;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        char **grown = realloc(k->keys, cap * sizeof *grown);
        if (!grown)
            return JD_ENOMEM;
        k->keys = grown;
        k->cap = cap;
    }
    /* the key: the id without "auto:child:" */
    k->keys[k->n] = strdup(r->id + strlen("auto:child:"));
    return k->keys[k->n++] ? 0 : JD_ENOMEM;
}

int jd_escalate_placed_open(jd_store *s, int64_t now, int64_t *placed, jd_error *err)
{
    if (placed)
        *placed = 0;
    if (!s)
        return jd_error_set(err, JD_EINVALID, "a store is needed");
    if (!s->ops->concern || !s->ops->concern->open_prefix || !s->ops->incr ||
        !s->ops->incr->identity_refs_of)
        return JD_OK; /* no urgent lane on this store */
    open_keys k = {NULL, 0, 0};
    int rc = s->ops->concern->open_prefix(s, URGENT_PREFIX, on_open_urgent, &k, err);
    if (rc == JD_ENOMEM)
        rc = jd_oom(err);
    if (rc == JD_OK)
        rc = jd_escalate_placed(s, (const char *const *)k.keys, k.n, now, placed, err);
    for (size_t i = 0; i < k.n; i++)
        free(k.keys[i]);
    free(k.keys);
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

/* The earliest of `next` and the entries recorded for after T (the load
 * leaves them out of the simulation until their time). */
static int64_t later_entry(json_t *history, int64_t T, int64_t next)
{
    size_t i;
    json_t *h;
    json_array_foreach(history, i, h)
    {
        int64_t at = jd_concern__json_time(json_object_get(h, "at"));
        if (at > T && at < next)
            next = at;
    }
    return next;
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
    int64_t next = 0;
    if (T < jd_concern__json_time(json_object_get(l.base, "opened_at"))) {
        rc = jd_error_set(err, JD_ENOTFOUND, "the concern was not raised by that time");
    } else if (jd_concern__simulate_next(L, l.base, l.human, T, &state, &autos, &next) < 0) {
        rc = jd_oom(err);
    } else {
        /* history as of T: what was recorded by then, plus computed steps */
        json_t *hist = json_array();
        jd_concern__history_at(hist, l.history, autos, T);
        rc = jd_concern__fill(out, l.id, l.automatic, l.version, l.base, state, hist);
        out->changes_at = later_entry(l.history, T, next);
        json_decref(hist);
        if (rc < 0)
            rc = jd_oom(err);
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
    if (jd_grow((void **)&c->ids, &c->cap, c->n + 1, sizeof *c->ids) < 0)
        return JD_ENOMEM;
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

int jd_concern_generation(jd_store *s, int64_t *out, jd_error *err)
{
    if (!s || !out)
        return jd_error_set(err, JD_EINVALID, "a store is needed");
    if (!s->ops->concern)
        return jd_error_set(err, JD_ESTORE, "this store has no concerns");
    *out = 0;
    return s->ops->concern->gen(s, out, err);
}

typedef struct versions_ctx {
    int (*cb)(const char *id, int64_t version, void *payload);
    void *payload;
} versions_ctx;

static int on_version(const jd_concern_rec *r, void *payload)
{
    versions_ctx *v = payload;
    return v->cb(r->id, r->version, v->payload);
}

int jd_concern_versions(jd_store *s, int (*cb)(const char *id, int64_t version, void *payload),
                        void *payload, jd_error *err)
{
    if (!s || !cb)
        return jd_error_set(err, JD_EINVALID, "a store and a callback are needed");
    if (!s->ops->concern)
        return jd_error_set(err, JD_ESTORE, "this store has no concerns");
    versions_ctx v = {cb, payload};
    return s->ops->concern->versions(s, on_version, &v, err);
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
        rc = jd_oom(err);
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
        const char *code = jd_concern__jstr(x, "code");
        if (!code)
            continue;
        if ((rc = cb(code, jd_concern__jstr(x, "text"), in_list(L->signoff_reasons, NULL, code), payload)) != 0)
            break;
    }
    jd_ladder__free(L);
    return rc;
}
