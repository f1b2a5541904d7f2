/*
 * Loading and compiling the rules catalogue (data/rules/catalogue.json or a
 * user file of the same form) with jansson. Every phrase list may reference
 * a named set with "@name". Errors name the file and the entry at fault.
 */
#include "screen/rules.h"

#include "ingest/ingest_internal.h"
#include "util/embedded.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ET_* are the indexes of ingest's list of the contract's event types */
_Static_assert(ET_N == JD_INGEST_NEVENT_TYPES, "ET_* and ingest's event types differ");

int jd_rules__event_type(const char *code)
{
    if (code)
        for (int i = 0; i < ET_N; i++)
            if (!strcmp(code, jd_ingest__event_types[i]))
                return i;
    return ET_OTHER;
}

const char *jd_rules__event_type_name(int et)
{
    return et >= 0 && et < ET_N ? jd_ingest__event_types[et] : "other";
}

static const char *const level_names[] = {"none", "low", "medium", "high", "critical"};

const char *jd_level_name(int level)
{
    return level >= 0 && level <= JD_LEVEL_CRITICAL ? level_names[level] : "none";
}

int jd_level_parse(const char *s)
{
    for (int i = 1; s && i <= JD_LEVEL_CRITICAL; i++)
        if (!strcmp(s, level_names[i]))
            return i;
    return -1;
}

uint32_t jd_rules__role(const char *role)
{
    static const struct {
        const char *n;
        uint32_t bit;
    } r[] = {{"subject", ROLE_SUBJECT},   {"victim", ROLE_VICTIM},   {"suspect", ROLE_SUSPECT},
             {"associate", ROLE_ASSOCIATE}, {"reporter", ROLE_REPORTER}, {"parent", ROLE_PARENT},
             {"carer", ROLE_CARER},       {"witness", ROLE_WITNESS},
             {"professional", ROLE_PROFESSIONAL}};
    for (size_t i = 0; role && i < JD_ARRAY_LEN(r); i++)
        if (!strcmp(role, r[i].n))
            return r[i].bit;
    return ROLE_OTHER;
}

typedef struct loader {
    jd_rules *r;
    json_t *sets;
    const char *src;
    jd_error *err;
} loader;

static int fail(loader *L, const char *what, const char *msg)
{
    jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0, "%s: %s", what, msg);
    return JD_EINVALID;
}

/* Add every pattern of a list (expanding @sets) with the owner. */
static int add_list(loader *L, json_t *list, int role, uint32_t owner, int32_t value,
                    const char *what)
{
    if (!list)
        return JD_OK;
    if (!json_is_array(list))
        return fail(L, what, "phrases must be a list of strings");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *p = json_string_value(v);
        if (!p)
            return fail(L, what, "phrases must be strings");
        if (p[0] == '@') {
            json_t *set = json_object_get(L->sets, p + 1);
            if (!set)
                return fail(L, what, "refers to an unknown set");
            int rc = add_list(L, set, role, owner, value, what);
            if (rc < 0)
                return rc;
            continue;
        }
        jd_error e = {0};
        if (jd_ts__add(L->r->ts, p, role, owner, value, &e) < 0) {
            jd_error_set_at(L->err, e.code, L->src, 0, 0, "%s: %s", what, e.msg);
            return e.code;
        }
    }
    return JD_OK;
}

static uint32_t type_bits(loader *L, json_t *list, const char *what, int *rc)
{
    uint32_t bits = 0;
    size_t i;
    json_t *v;
    if (!list)
        return 0;
    if (!json_is_array(list)) {
        *rc = fail(L, what, "types must be a list");
        return 0;
    }
    json_array_foreach(list, i, v) {
        const char *s = json_string_value(v);
        int et = jd_rules__event_type(s);
        if (!s || (et == ET_OTHER && strcmp(s, "other"))) {
            *rc = fail(L, what, "unknown event type");
            return 0;
        }
        bits |= 1u << et;
    }
    return bits;
}

static uint32_t need_bits(loader *L, json_t *list, const char *what, int *rc)
{
    static const struct {
        const char *n;
        uint32_t bit;
    } k[] = {{"adult_sentence", NEED_ADULT_SENTENCE}, {"adult_any", NEED_ADULT_ANY},
             {"vehicle", NEED_VEHICLE},               {"phone", NEED_PHONE},
             {"adult_party", NEED_ADULT_PARTY},       {"sexual", NEED_SEXUAL}};
    uint32_t bits = 0;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *s = json_string_value(v);
        size_t j = 0;
        while (j < JD_ARRAY_LEN(k) && (!s || strcmp(s, k[j].n)))
            j++;
        if (j == JD_ARRAY_LEN(k)) {
            *rc = fail(L, what, "unknown condition in needs");
            return 0;
        }
        bits |= k[j].bit;
    }
    return bits;
}

static const char *dup(jd_rules *r, const char *s)
{
    return jd_arena_strdup(&r->ar, s ? s : "");
}

static int load_indicators(loader *L, json_t *arr)
{
    jd_rules *r = L->r;
    size_t n = json_array_size(arr), nev = 0, i, j;
    json_t *ind, *ev;
    json_array_foreach(arr, i, ind) nev += json_array_size(json_object_get(ind, "evidence"));
    r->ind = calloc(n ? n : 1, sizeof *r->ind);
    r->ev = calloc(nev ? nev : 1, sizeof *r->ev);
    if (!r->ind || !r->ev)
        return jd_oom(L->err);
    json_array_foreach(arr, i, ind) {
        const char *id = json_string_value(json_object_get(ind, "id"));
        const char *cls = json_string_value(json_object_get(ind, "class"));
        if (!id || !cls)
            return fail(L, "indicator", "needs an id and a class");
        jd_indicator *d = &r->ind[r->nind];
        d->id = dup(r, id);
        d->name = dup(r, json_string_value(json_object_get(ind, "name")));
        if (!strcmp(cls, "vulnerability"))
            d->cls = IC_VULN;
        else if (!strcmp(cls, "moderate"))
            d->cls = IC_MODERATE;
        else if (!strcmp(cls, "significant"))
            d->cls = IC_SIGNIFICANT;
        else
            return fail(L, id, "class is vulnerability, moderate or significant");
        d->roles = ROLE_SUBJECT | ROLE_VICTIM;
        json_t *roles = json_object_get(ind, "roles");
        if (roles) {
            d->roles = 0;
            json_t *rv;
            size_t k;
            json_array_foreach(roles, k, rv) d->roles |= jd_rules__role(json_string_value(rv));
        }
        json_t *evs = json_object_get(ind, "evidence");
        if (!json_is_array(evs) || json_array_size(evs) == 0)
            return fail(L, id, "needs a non-empty evidence list");
        json_array_foreach(evs, j, ev) {
            int rc = JD_OK;
            jd_evidence *e = &r->ev[r->nev];
            e->indicator = (uint16_t)r->nind;
            e->types = type_bits(L, json_object_get(ev, "types"), id, &rc);
            e->in_types = type_bits(L, json_object_get(ev, "in_types"), id, &rc);
            e->needs = need_bits(L, json_object_get(ev, "needs"), id, &rc);
            if (rc < 0)
                return rc;
            if (json_object_get(ev, "phrases"))
                return fail(L, id, "phrases moved to the text screen's rules "
                                   "(data/rules/screen.json); write {\"screen\": true}");
            json_t *sc = json_object_get(ev, "screen"), *un = json_object_get(ev, "unless");
            if (sc && !json_is_boolean(sc))
                return fail(L, id, "screen is true or false");
            e->screen = json_is_true(sc);
            e->has_unless = un != NULL;
            if (!e->types && !e->screen)
                return fail(L, id, "an evidence item needs types or screen");
            if (e->screen && un)
                return fail(L, id, "unless applies to an evidence item of types");
            /* "absence ... unless authorised": words that cancel a type's evidence */
            if (un && (rc = add_list(L, un, JD_TS_MATCH, OWN(OWN_UNLESS, r->nev), 0, id)) < 0)
                return rc;
            r->nev++;
        }
        r->nind++;
    }
    return JD_OK;
}

static int level_of(loader *L, json_t *o, const char *id, int *out)
{
    const char *lv = json_string_value(json_object_get(o, "level"));
    *out = jd_level_parse(lv ? lv : "high");
    return *out < 0 ? fail(L, id, "level is low, medium, high or critical") : JD_OK;
}

/* The scoring section: day windows and the levels' minimum scores. */
static int load_scoring(loader *L, json_t *sc)
{
    jd_rules *r = L->r;
    r->recent_days = (int)json_integer_value(json_object_get(sc, "recent_days"));
    r->late_days = (int)json_integer_value(json_object_get(sc, "late_days"));
    r->moderate_days = (int)json_integer_value(json_object_get(sc, "moderate_window_days"));
    if (r->recent_days <= 0 || r->late_days < r->recent_days || r->moderate_days <= 0)
        return fail(L, "scoring", "needs recent_days, late_days >= recent_days and "
                                  "moderate_window_days");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(sc, "levels"), i, v) {
        int lv = jd_level_parse(json_string_value(json_object_get(v, "level")));
        json_t *ms = json_object_get(v, "min_score");
        if (lv < JD_LEVEL_LOW || lv > JD_LEVEL_HIGH || !json_is_integer(ms))
            return fail(L, "scoring.levels", "each needs a level (low..high) and min_score");
        r->level_min[lv] = (int)json_integer_value(ms);
    }
    if (!r->level_min[JD_LEVEL_LOW] || r->level_min[JD_LEVEL_MEDIUM] < r->level_min[JD_LEVEL_LOW] ||
        r->level_min[JD_LEVEL_HIGH] < r->level_min[JD_LEVEL_MEDIUM])
        return fail(L, "scoring.levels", "low, medium and high need rising min_score values");
    return JD_OK;
}

/* The text screen's shared patterns: negation cues, the adult and sexual
 * activity sets, age patterns and decades. */
static int load_text(loader *L, json_t *root)
{
    jd_rules *r = L->r;
    int rc;
    json_t *v;
    json_t *neg = json_object_get(root, "negation");
    json_t *w = json_object_get(neg, "window");
    jd_ts__set_window(r->ts, w ? (int)json_integer_value(w) : 5);
    if ((rc = add_list(L, json_object_get(neg, "pre"), JD_TS_NEG_PRE, 0, 0, "negation.pre")) < 0 ||
        (rc = add_list(L, json_object_get(neg, "post"), JD_TS_NEG_POST, 0, 0, "negation.post")) <
            0 ||
        (rc = add_list(L, json_object_get(neg, "hypothetical"), JD_TS_HYPO, 0, 0,
                       "negation.hypothetical")) < 0)
        return rc;
    if ((rc = add_list(L, json_object_get(L->sets, "adult_ref"), JD_TS_MATCH, OWN(OWN_ADULT, 0),
                       0, "sets.adult_ref")) < 0 ||
        (rc = add_list(L, json_object_get(L->sets, "sexual_activity"), JD_TS_MATCH,
                       OWN(OWN_SEXUAL, 0), 0, "sets.sexual_activity")) < 0)
        return rc;
    json_t *ages = json_object_get(root, "ages");
    if ((rc = add_list(L, json_object_get(ages, "patterns"), JD_TS_MATCH, OWN(OWN_AGE, 0), 0,
                       "ages.patterns")) < 0)
        return rc;
    const char *k;
    json_object_foreach(json_object_get(ages, "decades"), k, v) {
        json_t *one = json_pack("[s]", k);
        rc = add_list(L, one, JD_TS_MATCH, OWN(OWN_DECADE, 0), (int32_t)json_integer_value(v),
                      "ages.decades");
        json_decref(one);
        if (rc < 0)
            return rc;
    }
    return JD_OK;
}

/* The triggers: each names the text screen's offence codes it reads. */
static int load_triggers(loader *L, json_t *arr)
{
    jd_rules *r = L->r;
    int rc;
    size_t i;
    json_t *v;
    r->trig = calloc(json_array_size(arr) + 1, sizeof *r->trig);
    json_array_foreach(arr, i, v) {
        jd_trigger *t = &r->trig[r->ntrig];
        const char *id = json_string_value(json_object_get(v, "id"));
        if (!id)
            return fail(L, "triggers", "each needs an id");
        t->id = dup(r, id);
        t->name = dup(r, json_string_value(json_object_get(v, "name")));
        rc = JD_OK;
        t->in_types = type_bits(L, json_object_get(v, "in_types"), id, &rc);
        if (rc < 0 || (rc = level_of(L, v, id, &t->level)) < 0)
            return rc;
        if (json_object_get(v, "phrases"))
            return fail(L, id, "phrases moved to the text screen's rules "
                               "(data/rules/screen.json); list its offences in screen");
        json_t *codes = json_object_get(v, "screen");
        size_t ci;
        json_t *c;
        if (!json_is_array(codes) || !json_array_size(codes) ||
            json_array_size(codes) > JD_TRIGGER_OFFENCES)
            return fail(L, id, "screen lists 1 to 4 offence codes of the text screen");
        json_array_foreach(codes, ci, c) {
            if (!json_is_string(c))
                return fail(L, id, "screen lists offence codes (strings)");
            t->offences[ci] = dup(r, json_string_value(c));
        }
        r->ntrig++;
    }
    return JD_OK;
}

/* The crime rules, their age range, needs and phrases. */
static int load_crimes(loader *L, json_t *arr)
{
    jd_rules *r = L->r;
    int rc;
    size_t i;
    json_t *v;
    r->crime = calloc(json_array_size(arr) + 1, sizeof *r->crime);
    json_array_foreach(arr, i, v) {
        jd_crime_rule *c = &r->crime[r->ncrime];
        const char *id = json_string_value(json_object_get(v, "id"));
        if (!id)
            return fail(L, "crimes", "each needs an id");
        c->id = dup(r, id);
        c->offence = dup(r, json_string_value(json_object_get(v, "offence")));
        json_t *mn = json_object_get(v, "min_age"), *mx = json_object_get(v, "max_age");
        c->min_age = mn ? (int)json_integer_value(mn) : 0;
        c->max_age = mx ? (int)json_integer_value(mx) : 17;
        rc = JD_OK;
        c->needs = need_bits(L, json_object_get(v, "needs"), id, &rc);
        if (rc < 0 || (rc = level_of(L, v, id, &c->level)) < 0 ||
            (rc = add_list(L, json_object_get(v, "phrases"), JD_TS_MATCH,
                           OWN(OWN_CRIME, r->ncrime), 0, id)) < 0)
            return rc;
        r->ncrime++;
    }
    return JD_OK;
}

/* The language rules, each naming the text screen's slug. */
static int load_language(loader *L, json_t *arr)
{
    jd_rules *r = L->r;
    size_t i;
    json_t *v;
    r->lang = calloc(json_array_size(arr) + 1, sizeof *r->lang);
    json_array_foreach(arr, i, v) {
        jd_lang_rule *l = &r->lang[r->nlang];
        const char *id = json_string_value(json_object_get(v, "id"));
        if (!id)
            return fail(L, "language", "each needs an id");
        l->id = dup(r, id);
        l->avoid = dup(r, json_string_value(json_object_get(v, "avoid")));
        l->instead = dup(r, json_string_value(json_object_get(v, "instead")));
        const char *slug = json_string_value(json_object_get(v, "slug"));
        if (json_object_get(v, "phrases"))
            return fail(L, id, "phrases moved to the text screen's rules "
                               "(data/rules/screen.json); name its slug");
        if (!slug || !*slug)
            return fail(L, id, "needs the slug of the text screen's language rule");
        l->slug = dup(r, slug);
        r->nlang++;
    }
    return JD_OK;
}

static int load(loader *L, json_t *root)
{
    jd_rules *r = L->r;
    int rc;
    L->sets = json_object_get(root, "sets");
    json_t *sc = json_object_get(root, "scoring");
    if ((rc = load_scoring(L, sc)) < 0 || (rc = load_text(L, root)) < 0 ||
        (rc = load_indicators(L, json_object_get(root, "indicators"))) < 0)
        return rc;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(sc, "t3_not_alone"), i, v) {
        size_t j = 0;
        while (j < r->nind && strcmp(r->ind[j].id, json_string_value(v) ? json_string_value(v) : ""))
            j++;
        if (j == r->nind || j >= 64)
            return fail(L, "scoring.t3_not_alone", "names an unknown indicator");
        r->t3_not_alone |= 1ull << j;
    }

    if ((rc = load_triggers(L, json_object_get(root, "triggers"))) < 0 ||
        (rc = load_crimes(L, json_object_get(root, "crimes"))) < 0 ||
        (rc = load_language(L, json_object_get(root, "language"))) < 0)
        return rc;
    if ((rc = add_list(L, json_object_get(root, "interview_declined"), JD_TS_MATCH,
                       OWN(OWN_DECLINED, 0), 0, "interview_declined")) < 0 ||
        (rc = add_list(L, json_object_get(root, "overnight"), JD_TS_MATCH, OWN(OWN_OVERNIGHT, 0),
                       0, "overnight")) < 0)
        return rc;
    if (!r->trig || !r->crime || !r->lang)
        return jd_oom(L->err);
    return JD_OK;
}

int jd_rules__load(jd_rules **out, const char *path, jd_error *err)
{
    *out = NULL;
    jd_rules *r = calloc(1, sizeof *r);
    if (!r)
        return jd_oom(err);
    jd_arena_init(&r->ar, 16 * 1024);
    r->ts = jd_ts__new();
    if (!r->ts) {
        jd_rules__free(r);
        return jd_oom(err);
    }
    const char *src = path ? path : "catalogue.json (built in)";
    const char *base = strrchr(src, '/');
    snprintf(r->source, sizeof r->source, "%s", base ? base + 1 : src);
    json_error_t je;
    json_t *root = path ? json_load_file(path, 0, &je)
                        : json_loadb(jd_data_rules_catalogue, jd_data_rules_catalogue_len, 0, &je);
    if (!root) {
        int rc = jd_error_set_at(err, path ? JD_EINVALID : JD_ERROR, r->source, je.line,
                                 je.column, "rules are not valid JSON: %s", je.text);
        jd_rules__free(r);
        return rc;
    }
    loader L = {r, NULL, r->source, err};
    int rc = json_is_object(root) ? load(&L, root) : fail(&L, "rules", "must be a JSON object");
    if (rc == JD_OK)
        rc = jd_rules__load_policy(r, root, r->source, err);
    if (rc == JD_OK && (r->nind > JD_RULES_MAX_INDICATORS || r->ncrime > JD_RULES_MAX_OTHER ||
                        r->nlang > JD_RULES_MAX_OTHER || r->ntrig > JD_RULES_MAX_OTHER))
        rc = jd_error_set_at(err, JD_ELIMIT, r->source, 0, 0,
                             "rules: at most %d indicators and %d crime, language and trigger "
                             "rules (%zu, %zu, %zu, %zu)",
                             JD_RULES_MAX_INDICATORS, JD_RULES_MAX_OTHER, r->nind, r->ncrime,
                             r->nlang, r->ntrig);
    json_decref(root);
    if (rc < 0) {
        jd_rules__free(r);
        return rc;
    }
    *out = r;
    return JD_OK;
}

void jd_rules__free(jd_rules *r)
{
    if (!r)
        return;
    jd_ts__free(r->ts);
    free(r->ind);
    free(r->ev);
    free(r->crime);
    free(r->lang);
    free(r->trig);
    jd_arena_free(&r->ar);
    free(r);
}
