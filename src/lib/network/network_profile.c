/*
 * Profiles, hotspots and the network graph (include/joindots/network.h).
 *
 * Each call runs the analysis (not saved) into memory for the network and
 * child_at_risk alerts of the "as of" moment, and loads the records known
 * by then through the store's bulk analysis load (events, people, objects;
 * never ethnicity). A profile is built as one JSON document and printed as
 * JSON or as text from that document, so the two never disagree. Nothing
 * here decides risk or membership: that is network.c and analyse.c.
 */
#include "util/internal.h"
#include "network/network.h"
#include "text/norm.h"
#include "screen/rules.h"
#include "store/store.h"

#include <joindots/analyse.h>
#include <joindots/network.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_LIST 200 /* records, people or children listed per section */

/* The snapshot's rows under this file's names. */
typedef aev pev;
typedef amention pmen;
typedef aobject pobj;
typedef aperson pident;

typedef struct prof {
    jd_snapshot *S;   /* what was known by as_of, with each mention's detail */
    jd_snapshot own; /* S when this file loaded it (else S is the caller's) */
    jd_error *err;
    /* views of S */
    pev *ev;
    size_t nev;
    pmen *m;
    size_t nm;
    const amention_detail *md; /* m[i]'s text as written */
    uint32_t *mo; /* mention indices grouped by event */
    pobj *o;
    size_t no;
    uint32_t *oo; /* object indices grouped by event */
    json_t *nets; /* exploitation_network alerts */
    json_t *risk; /* person_id -> child_at_risk alert */
    int64_t as_of;
} prof;

static int oom(prof *P)
{
    return jd_oom(P->err);
}


/* An alert the profiles use: networks, and children's risk by person. */
static void keep_alert(prof *P, json_t *a)
{
    const char *kind = json_string_value(json_object_get(a, "kind"));
    if (kind && !strcmp(kind, "exploitation_network")) {
        json_array_append(P->nets, a);
    } else if (kind && !strcmp(kind, "child_at_risk")) {
        const char *pid =
            json_string_value(json_object_get(json_object_get(a, "subject"), "person_id"));
        if (pid)
            json_object_set(P->risk, pid, a);
    }
}

/* The analysis of the snapshot, into memory: networks and each child's risk. */
static int run_analysis(prof *P, jd_store *s, const jd_profile_opts *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(P);
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.as_of = o->as_of;
    ao.rules_path = o->rules_path;
    ao.save = false;
    int rc = jd_network__analyse(P->S, s, &ao, f, NULL, P->err);
    if (fclose(f) != 0 && rc == 0)
        rc = oom(P);
    P->nets = json_array();
    P->risk = json_object();
    for (char *line = buf, *nl; rc == 0 && line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        json_t *a = json_loads(line, 0, NULL);
        keep_alert(P, a);
        json_decref(a);
    }
    free(buf);
    return rc;
}

/* P's views of its snapshot S. */
static void view(prof *P)
{
    P->ev = P->S->ev;
    P->nev = P->S->nev;
    P->m = P->S->m;
    P->nm = P->S->nm;
    P->md = P->S->md;
    P->mo = P->S->by_event;
    P->o = P->S->obj;
    P->no = P->S->nobj;
    P->oo = P->S->obj_by_event;
}

static int load(prof *P, jd_store *s, const jd_profile_opts *o, jd_error *err)
{
    memset(P, 0, sizeof *P);
    P->err = err;
    P->as_of = o->as_of;
    P->S = &P->own;
    jd_snapshot_opts so = {o->as_of, true, NULL, 0, 0, NULL, 0, false};
    int rc = jd_snapshot__load(P->S, s, &so, err);
    if (rc < 0)
        return rc;
    view(P);
    return run_analysis(P, s, o);
}

static void unload(prof *P)
{
    if (P->S == &P->own)
        jd_snapshot__dispose(&P->own);
    json_decref(P->nets);
    json_decref(P->risk);
}

/* ---- small helpers ---- */

/* An identity of the store (not a person met only in a mention), or NULL. */
static const pident *ident(const prof *P, const char *pid)
{
    uint32_t *v = jd_strmap_get(&P->S->pmap, pid, strlen(pid));
    return v && P->S->p[*v].identity ? &P->S->p[*v] : NULL;
}

/* m's text as written (the snapshot is loaded with mention_detail). */
static const amention_detail *det(const prof *P, const pmen *m)
{
    return &P->md[m - P->m];
}

static const char *mpid(const prof *P, const pmen *m)
{
    return P->S->p[m->person].pid;
}

static bool is_child(const prof *P, const pmen *m)
{
    int a = m->age; /* as the analysis counts it (jd_snapshot__mention_age) */
    if (a >= 0)
        return a < 18;
    const pident *i = ident(P, mpid(P, m));
    return i && i->is_child;
}

static const char *name_of(const prof *P, const char *pid, const char *fallback)
{
    const pident *i = ident(P, pid);
    return i && i->name ? i->name : fallback ? fallback : "";
}

static json_t *risk_json(const prof *P, const char *pid)
{
    json_t *a = json_object_get(P->risk, pid);
    if (!a)
        return json_null();
    json_t *h = json_object_get(a, "history");
    return json_pack("{s:O,s:O}", "level", json_object_get(a, "level"), "history",
                     h ? h : json_null());
}

static int risk_rank(const prof *P, const char *pid)
{
    const char *l = json_string_value(json_object_get(json_object_get(P->risk, pid), "level"));
    return l ? jd_level_parse(l) : 0;
}

static void tfmt(char b[32], int64_t t)
{
    jd_time_format(b, t);
}

static json_t *record_json(const prof *P, uint32_t ei)
{
    const pev *e = &P->ev[ei];
    char t[32], k[32];
    tfmt(t, e->occurred);
    tfmt(k, e->known);
    json_t *people = json_array(), *objs = json_array();
    for (uint32_t i = 0; i < e->nm; i++) {
        const pmen *m = &P->m[P->mo[e->m0 + i]];
        json_t *pj =
            json_pack("{s:s,s:s,s:s,s:s,s:s}", "person_id", mpid(P, m), "agency", det(P, m)->agency,
                      "person_ref", det(P, m)->person_ref, "role", det(P, m)->role_name, "name",
                      name_of(P, mpid(P, m), det(P, m)->name));
        int a = m->age; /* as the analysis counts it (jd_snapshot__mention_age) */
        if (a >= 0)
            json_object_set_new(pj, "age", json_integer(a));
        json_array_append_new(people, pj);
    }
    for (uint32_t i = 0; i < e->no; i++) {
        const pobj *o = &P->o[P->oo[e->o0 + i]];
        json_array_append_new(objs, json_pack("{s:s,s:s,s:s?}", "object_type", o->type, "value",
                                              o->value, "description", o->description));
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:o,s:o}", "agency", e->agency, "record_id",
                     e->record_id, "event_type", e->type, "occurred_at", t, "known_at", k,
                     "location", e->location, "postcode", e->postcode, "people", people, "objects",
                     objs);
}

static int cmp_ev(const void *a, const void *b, void *ctx)
{
    const prof *P = ctx;
    const pev *x = &P->ev[*(const uint32_t *)a], *y = &P->ev[*(const uint32_t *)b];
    if (x->occurred != y->occurred)
        return x->occurred < y->occurred ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Event indices, each once, oldest first. */
typedef struct evset {
    uint32_t *v;
    size_t n, cap;
    uint8_t *seen; /* by event index */
} evset;

static int evset_add(prof *P, evset *s, uint32_t ei)
{
    if (!s->seen && !(s->seen = calloc(P->nev + 1, 1)))
        return oom(P);
    if (s->seen[ei])
        return 0;
    s->seen[ei] = 1;
    if (jd_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) < 0)
        return oom(P);
    s->v[s->n++] = ei;
    return 0;
}

static void evset_sort(const prof *P, evset *s)
{
    if (s->n > 1)
        qsort_r(s->v, s->n, sizeof *s->v, cmp_ev, (void *)P);
}

static void evset_free(evset *s)
{
    free(s->v);
    free(s->seen);
}

/* ---- profile ---- */

enum { SUBJ_PERSON, SUBJ_VEHICLE, SUBJ_PHONE, SUBJ_PLACE };
static const char *const subj_kind[] = {"person", "vehicle", "phone", "place"};

typedef struct subject {
    int kind;
    char value[256]; /* person_id, normalised mark or number, place text */
    jd_place place;
} subject;

static bool has_prefix(const char *s, const char *p)
{
    return !strncasecmp(s, p, strlen(p));
}

static bool object_seen(const prof *P, const char *type, const char *value)
{
    for (size_t i = 0; i < P->no; i++)
        if (!strcmp(P->o[i].type, type) && !strcmp(P->o[i].value, value))
            return true;
    return false;
}

static bool place_match(const jd_place *q, const char *loc)
{
    if (!loc || !*loc)
        return false;
    jd_place p;
    jd_place__norm(&p, loc, strlen(loc));
    return jd_place__similar(q, &p);
}

/* What the subject string names (see jd_profile). */
static int find_subject(prof *P, const char *s, subject *out)
{
    memset(out, 0, sizeof *out);
    char norm[32];
    if (ident(P, s)) {
        out->kind = SUBJ_PERSON;
        snprintf(out->value, sizeof out->value, "%s", s);
        return 0;
    }
    const char *colon = strchr(s, ':');
    if (colon && !has_prefix(s, "vehicle:") && !has_prefix(s, "phone:") &&
        !has_prefix(s, "place:")) {
        for (size_t i = 0; i < P->nm; i++)
            if (strlen(P->md[i].agency) == (size_t)(colon - s) &&
                !strncmp(P->md[i].agency, s, (size_t)(colon - s)) &&
                !strcmp(P->md[i].person_ref, colon + 1)) {
                out->kind = SUBJ_PERSON;
                snprintf(out->value, sizeof out->value, "%s", mpid(P, &P->m[i]));
                return 0;
            }
        if (!strncmp(s, "U:", 2))
            for (size_t i = 0; i < P->nm; i++)
                if (!strcmp(mpid(P, &P->m[i]), s)) {
                    out->kind = SUBJ_PERSON;
                    snprintf(out->value, sizeof out->value, "%s", s);
                    return 0;
                }
        return jd_error_set(P->err, JD_ENOTFOUND, "no such person in the records");
    }
    bool pv = has_prefix(s, "vehicle:"), pp = has_prefix(s, "phone:"), pl = has_prefix(s, "place:");
    const char *v = pv ? s + 8 : pp ? s + 6 : pl ? s + 6 : s;
    if (!pp && !pl && jd_norm__vrm(norm, v, strlen(v)) == JD_OK &&
        (pv || object_seen(P, "vehicle", norm))) {
        out->kind = SUBJ_VEHICLE;
        snprintf(out->value, sizeof out->value, "%s", norm);
        return object_seen(P, "vehicle", norm)
                   ? 0
                   : jd_error_set(P->err, JD_ENOTFOUND, "vehicle not in the records");
    }
    if (!pv && !pl && jd_norm__phone(norm, v, strlen(v)) == JD_OK &&
        (pp || object_seen(P, "phone", norm))) {
        out->kind = SUBJ_PHONE;
        snprintf(out->value, sizeof out->value, "%s", norm);
        return object_seen(P, "phone", norm)
                   ? 0
                   : jd_error_set(P->err, JD_ENOTFOUND, "phone not in the records");
    }
    if (pv || pp)
        return jd_error_set(P->err, JD_EINVALID, "not a vehicle mark or phone number");
    out->kind = SUBJ_PLACE;
    snprintf(out->value, sizeof out->value, "%s", v);
    jd_place__norm(&out->place, v, strlen(v));
    if (!out->place.ntok)
        return jd_error_set(P->err, JD_EINVALID, "place description has no content");
    for (size_t e = 0; e < P->nev; e++)
        if (place_match(&out->place, P->ev[e].location))
            return 0;
    return jd_error_set(P->err, JD_ENOTFOUND, "nothing matches (person, vehicle, phone or place)");
}

/* The network links that concern the subject. */
static bool link_concerns(const subject *S, json_t *l)
{
    json_t *via = json_object_get(l, "via");
    const char *kind = json_string_value(json_object_get(via, "kind"));
    const char *val = json_string_value(json_object_get(via, "value"));
    switch (S->kind) {
    case SUBJ_PERSON:
        return !strcmp(json_string_value(json_object_get(l, "adult")), S->value) ||
               !strcmp(json_string_value(json_object_get(l, "child")), S->value);
    case SUBJ_VEHICLE:
    case SUBJ_PHONE:
        return kind && val && !strcmp(kind, subj_kind[S->kind]) && !strcmp(val, S->value);
    default:
        return kind && val && !strcmp(kind, "address") && place_match(&S->place, val);
    }
}

/* The network alert a, when the subject is a member or in one of its
 * links: into nets, and its links that concern the subject into links. */
static void profile_network(prof *P, const subject *S, json_t *a, json_t *nets, json_t *links)
{
    bool in = false;
    const char *role = NULL, *since = NULL;
    size_t k;
    json_t *x;
    json_array_foreach(json_object_get(a, "members"), k, x)
    {
        if (S->kind == SUBJ_PERSON &&
            !strcmp(json_string_value(json_object_get(x, "person_id")), S->value)) {
            in = true;
            role = json_string_value(json_object_get(x, "role_in_network"));
            since = json_string_value(json_object_get(x, "raised_at"));
        }
    }
    json_array_foreach(json_object_get(a, "links"), k, x)
    {
        if (!link_concerns(S, x))
            continue;
        in = true;
        json_t *l = json_deep_copy(x);
        const char *ad = json_string_value(json_object_get(x, "adult"));
        const char *ch = json_string_value(json_object_get(x, "child"));
        json_object_set_new(l, "network",
                            json_string(json_string_value(json_object_get(a, "id"))));
        json_object_set_new(l, "adult_name", json_string(name_of(P, ad, "")));
        json_object_set_new(l, "child_name", json_string(name_of(P, ch, "")));
        json_object_set_new(l, "child_risk", risk_json(P, ch));
        json_array_append_new(links, l);
    }
    if (!in)
        return;
    json_t *n =
        json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(a, "id"), "level",
                  json_object_get(a, "level"), "raised_at", json_object_get(a, "raised_at"),
                  "history", json_object_get(a, "history"));
    if (json_object_get(a, "around"))
        json_object_set(n, "around", json_object_get(a, "around"));
    if (role) {
        json_object_set_new(n, "role_in_network", json_string(role));
        json_object_set_new(n, "member_since", json_string(since));
    }
    json_array_append_new(nets, n);
}

static int build_profile(prof *P, const subject *S, json_t **out)
{
    json_t *doc = json_object(), *nets = json_array(), *links = json_array(),
           *children = json_object(), *adults = json_object();
    evset es = {0};
    int rc = 0;
    char t[32];
    /* the records: a person's mentions are those of its one index in the
     * snapshot's persons (their pid is the person map's key), compared as
     * numbers (a strcmp a mention for each of the 37 profiles was 6% of the
     * 1M county's analyse main thread in perf) */
    const uint32_t *pk =
        S->kind == SUBJ_PERSON ? jd_strmap_get(&P->S->pmap, S->value, strlen(S->value)) : NULL;
    for (size_t i = 0; i < P->nm && pk; i++)
        if (P->m[i].person == *pk && (rc = evset_add(P, &es, P->m[i].ev)) < 0)
            goto out;
    for (size_t i = 0; i < P->no && (S->kind == SUBJ_VEHICLE || S->kind == SUBJ_PHONE); i++)
        if (!strcmp(P->o[i].type, subj_kind[S->kind]) && !strcmp(P->o[i].value, S->value) &&
            (rc = evset_add(P, &es, P->o[i].ev)) < 0)
            goto out;
    for (size_t e = 0; e < P->nev && S->kind == SUBJ_PLACE; e++)
        if (place_match(&S->place, P->ev[e].location) && (rc = evset_add(P, &es, (uint32_t)e)) < 0)
            goto out;
    evset_sort(P, &es);
    json_t *recs = json_array();
    for (size_t i = 0; i < es.n; i++) {
        const pev *e = &P->ev[es.v[i]];
        if (i < MAX_LIST)
            json_array_append_new(recs, record_json(P, es.v[i]));
        /* the people there: children (with their risk) and adults, first seen */
        for (uint32_t k = 0; k < e->nm && S->kind != SUBJ_PERSON; k++) {
            const pmen *m = &P->m[P->mo[e->m0 + k]];
            json_t *into = is_child(P, m) ? children : adults;
            if (json_object_get(into, mpid(P, m)))
                continue;
            tfmt(t, e->occurred);
            json_object_set_new(into, mpid(P, m),
                                json_pack("{s:s,s:s,s:s,s:s,s:o}", "person_id", mpid(P, m), "name",
                                          name_of(P, mpid(P, m), det(P, m)->name), "first_seen", t, "role",
                                          det(P, m)->role_name, "risk", risk_json(P, mpid(P, m))));
        }
    }
    /* the networks and their links */
    size_t i;
    json_t *a;
    json_array_foreach(P->nets, i, a)
    {
        profile_network(P, S, a, nets, links);
    }
    json_object_set_new(doc, "subject",
                        json_pack("{s:s,s:s}", "kind", subj_kind[S->kind], "id", S->value));
    if (S->kind == SUBJ_PERSON) {
        json_object_set_new(json_object_get(doc, "subject"), "name",
                            json_string(name_of(P, S->value, "")));
        json_object_set_new(json_object_get(doc, "subject"), "risk", risk_json(P, S->value));
    }
    if (P->as_of != JD_AS_OF_NOW) {
        tfmt(t, P->as_of);
        json_object_set_new(doc, "as_of", json_string(t));
    }
    json_object_set_new(doc, "networks", nets);
    json_object_set_new(doc, "links", links);
    if (S->kind != SUBJ_PERSON) {
        json_t *c = json_array(), *ad = json_array(), *v;
        const char *key;
        json_object_foreach(children, key, v) json_array_append(c, v);
        json_object_foreach(adults, key, v) json_array_append(ad, v);
        json_object_set_new(doc, "children", c);
        json_object_set_new(doc, "adults", ad);
    }
    json_object_set_new(doc, "record_count", json_integer((json_int_t)es.n));
    json_object_set_new(doc, "records", recs);
    nets = links = NULL;
    *out = doc;
    doc = NULL;
out:
    json_decref(doc);
    json_decref(nets);
    json_decref(links);
    json_decref(children);
    json_decref(adults);
    evset_free(&es);
    return rc;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void day(char *b, const char *iso)
{
    snprintf(b, 17, "%s", iso);
    if (strlen(b) > 10)
        b[10] = ' ';
}

static void print_risk(FILE *f, json_t *r)
{
    if (json_is_object(r))
        fprintf(f, ", child_at_risk %s", str(r, "level"));
}

static void print_via(FILE *f, json_t *via)
{
    const char *k = str(via, "kind"), *v = str(via, "value");
    if (!strcmp(k, "event"))
        fprintf(f, "a shared event");
    else if (!strcmp(k, "address"))
        fprintf(f, "address \"%s\"", v);
    else
        fprintf(f, "%s %s", k, v);
}

static void print_profile(FILE *f, json_t *doc)
{
    json_t *s = json_object_get(doc, "subject"), *x;
    size_t i;
    char d[20];
    fprintf(f, "Profile of %s %s", str(s, "kind"), str(s, "id"));
    if (*str(s, "name"))
        fprintf(f, " (%s)", str(s, "name"));
    if (*str(doc, "as_of"))
        fprintf(f, ", as of %s", str(doc, "as_of"));
    fputc('\n', f);
    json_t *nets = json_object_get(doc, "networks");
    fprintf(f, "\nExploitation networks: %zu\n", json_array_size(nets));
    json_array_foreach(nets, i, x)
    {
        fprintf(f, "  %s  %s since %s", str(x, "id"), str(x, "level"), str(x, "raised_at"));
        if (*str(x, "role_in_network"))
            fprintf(f, "; %s member since %s", str(x, "role_in_network"), str(x, "member_since"));
        fputc('\n', f);
    }
    json_t *links = json_object_get(doc, "links");
    fprintf(f, "\nLinks between adults and children of concern: %zu\n", json_array_size(links));
    json_array_foreach(links, i, x)
    {
        day(d, str(x, "linked_at"));
        fprintf(f, "  %s  adult %s (%s) - child %s (%s", d, str(x, "adult"), str(x, "adult_name"),
                str(x, "child"), str(x, "child_name"));
        if (json_integer_value(json_object_get(x, "child_age")))
            fprintf(f, ", %lld", (long long)json_integer_value(json_object_get(x, "child_age")));
        print_risk(f, json_object_get(x, "child_risk"));
        fprintf(f, ") through ");
        print_via(f, json_object_get(x, "via"));
        if (json_is_true(json_object_get(x, "supporting")))
            fprintf(f, " (supporting)");
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(x, "records"), k, r)
            fprintf(f, "%s%s %s", k ? ", " : ": ", str(r, "agency"), str(r, "record_id"));
        fputc('\n', f);
    }
    const char *sect[] = {"children", "adults"};
    for (int q = 0; q < 2; q++) {
        json_t *arr = json_object_get(doc, sect[q]);
        if (!arr)
            continue;
        fprintf(f, "\n%s seen in these records: %zu\n", q ? "Adults" : "Children",
                json_array_size(arr));
        json_array_foreach(arr, i, x)
        {
            day(d, str(x, "first_seen"));
            fprintf(f, "  %s (%s), first seen %s as %s", str(x, "person_id"), str(x, "name"), d,
                    str(x, "role"));
            print_risk(f, json_object_get(x, "risk"));
            fputc('\n', f);
        }
    }
    json_t *recs = json_object_get(doc, "records");
    fprintf(f, "\nRecords: %lld",
            (long long)json_integer_value(json_object_get(doc, "record_count")));
    if ((json_int_t)json_array_size(recs) <
        json_integer_value(json_object_get(doc, "record_count")))
        fprintf(f, " (first %zu shown)", json_array_size(recs));
    fputc('\n', f);
    json_array_foreach(recs, i, x)
    {
        day(d, str(x, "occurred_at"));
        fprintf(f, "  %s  %s %s %s", d, str(x, "agency"), str(x, "event_type"),
                str(x, "record_id"));
        if (*str(x, "location"))
            fprintf(f, " at \"%s\"", str(x, "location"));
        fputc('\n', f);
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(x, "people"), k, p)
        {
            fprintf(f, "      %-12s %s %s", str(p, "role"), str(p, "person_id"), str(p, "name"));
            if (json_is_integer(json_object_get(p, "age")))
                fprintf(f, " (%lld)", (long long)json_integer_value(json_object_get(p, "age")));
            fputc('\n', f);
        }
        json_array_foreach(json_object_get(x, "objects"), k, p)
            fprintf(f, "      %-12s %s %s\n", str(p, "object_type"), str(p, "value"),
                    str(p, "description"));
    }
}

static int write_doc(FILE *out, json_t *doc, bool as_json, void (*text)(FILE *, json_t *),
                     jd_error *err)
{
    if (as_json) {
        if (json_dumpf(doc, out, JSON_INDENT(1) | JSON_SORT_KEYS) < 0 || fputc('\n', out) == EOF)
            return jd_error_set(err, JD_EIO, "cannot write the output");
    } else {
        text(out, doc);
    }
    return fflush(out) == 0 && !ferror(out) ? JD_OK
                                            : jd_error_set(err, JD_EIO, "cannot write the output");
}

int jd_profile(jd_store *s, const char *subject_s, const jd_profile_opts *opts, FILE *out,
               jd_error *err)
{
    jd_profile_opts def = JD_PROFILE_OPTS_INIT;
    if (!opts)
        opts = &def;
    if (!s || !subject_s || !*subject_s || !out)
        return jd_error_set(err, JD_EINVALID, "a store, a subject and an output are required");
    prof P;
    subject S;
    json_t *doc = NULL;
    int rc = load(&P, s, opts, err);
    if (rc == 0)
        rc = find_subject(&P, subject_s, &S);
    if (rc == 0)
        rc = build_profile(&P, &S, &doc);
    if (rc == 0)
        rc = write_doc(out, doc, opts->json, print_profile, err);
    json_decref(doc);
    unload(&P);
    return rc;
}

/* ---- hotspots ---- */

static bool found_context(const char *type)
{
    return !strcmp(type, "found_with_adult") || !strcmp(type, "stop_check") ||
           !strcmp(type, "intelligence") || !strcmp(type, "missing_return");
}

typedef struct hplace {
    jd_place p;
    uint32_t parent;
    uint32_t ev0; /* first event with this key */
} hplace;

static uint32_t hroot(hplace *h, uint32_t x)
{
    while (h[x].parent != x) {
        h[x].parent = h[h[x].parent].parent;
        x = h[x].parent;
    }
    return x;
}

static void print_hotspots(FILE *f, json_t *doc)
{
    size_t i;
    json_t *x;
    char a[20], b[20];
    fprintf(f,
            "Hotspots: %zu places where %lld or more children at risk were found, stopped, "
            "seen or returned from\n",
            json_array_size(json_object_get(doc, "hotspots")),
            (long long)json_integer_value(json_object_get(doc, "min_children")));
    json_array_foreach(json_object_get(doc, "hotspots"), i, x)
    {
        day(a, str(x, "first_seen"));
        day(b, str(x, "last_seen"));
        fprintf(f, "\n  \"%s\": %zu children at risk, %lld records, %s to %s\n", str(x, "place"),
                json_array_size(json_object_get(x, "children")),
                (long long)json_integer_value(json_object_get(x, "record_count")), a, b);
        size_t k;
        json_t *v;
        if (json_array_size(json_object_get(x, "written_as")) > 1) {
            fprintf(f, "    also written as:");
            json_array_foreach(json_object_get(x, "written_as"), k, v) if (k)
                fprintf(f, "%s \"%s\"", k > 1 ? "," : "", json_string_value(v));
            fputc('\n', f);
        }
        json_array_foreach(json_object_get(x, "children"), k, v)
        {
            day(a, str(v, "first_seen"));
            fprintf(f, "    child  %s (%s), first %s", str(v, "person_id"), str(v, "name"), a);
            print_risk(f, json_object_get(v, "risk"));
            fputc('\n', f);
        }
        json_array_foreach(json_object_get(x, "adults"), k, v)
        {
            day(a, str(v, "first_seen"));
            fprintf(f, "    adult  %s (%s), %s, first %s\n", str(v, "person_id"), str(v, "name"),
                    str(v, "role"), a);
        }
        json_array_foreach(json_object_get(x, "objects"), k, v)
            fprintf(f, "    %-6s %s\n", str(v, "object_type"), str(v, "value"));
    }
}

static int cmp_hot(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    size_t nx = json_array_size(json_object_get(x, "children"));
    size_t ny = json_array_size(json_object_get(y, "children"));
    if (nx != ny)
        return nx > ny ? -1 : 1;
    return strcmp(str(x, "first_seen"), str(y, "first_seen"));
}

static int hotspots_doc(prof *Pp, const jd_profile_opts *opts, json_t **out_doc);

int jd_hotspots(jd_store *s, const jd_profile_opts *opts, FILE *out, jd_error *err)
{
    jd_profile_opts def = JD_PROFILE_OPTS_INIT;
    if (!opts)
        opts = &def;
    if (!s || !out)
        return jd_error_set(err, JD_EINVALID, "a store and an output are required");
    prof P;
    json_t *doc = NULL;
    int rc = load(&P, s, opts, err);
    if (rc == JD_OK)
        rc = hotspots_doc(&P, opts, &doc);
    if (rc == JD_OK)
        rc = write_doc(out, doc, opts->json, print_hotspots, err);
    json_decref(doc);
    unload(&P);
    return rc;
}

/* The places of P's events where a child may be found (two words or more),
 * one entry per distinct description in *h with near-duplicates joined
 * (hroot), and each event's place + 1 in hof. */
static int hotspot_places(prof *P, hplace **h, uint32_t *nh, uint32_t *hof, jd_strmap *keys)
{
    size_t hcap = 0;
    for (size_t e = 0; e < P->nev; e++) {
        const pev *ev = &P->ev[e];
        if (!ev->location || !*ev->location || !found_context(ev->type))
            continue;
        jd_place p;
        jd_place__norm(&p, ev->location, strlen(ev->location));
        if (p.ntok < 2)
            continue;
        bool added;
        uint32_t *v = jd_strmap_put(keys, p.key, strlen(p.key), *nh, &added);
        if (!v || (added && jd_grow((void **)h, &hcap, (size_t)*nh + 1, sizeof **h) < 0))
            return oom(P);
        if (added) {
            (*h)[*nh] = (hplace){p, *nh, (uint32_t)e};
            (*nh)++;
        }
        hof[e] = *v + 1;
    }
    /* near-duplicates: distinct descriptions are few, compare them pairwise */
    for (uint32_t i = 0; i < *nh; i++)
        for (uint32_t j = i + 1; j < *nh; j++)
            if (jd_place__similar(&(*h)[i].p, &(*h)[j].p)) {
                uint32_t a = hroot(*h, i), b = hroot(*h, j);
                if (a != b)
                    (*h)[a > b ? a : b].parent = a < b ? a : b;
            }
    return JD_OK;
}

/* What one hotspot gathers from its records. */
typedef struct hacc {
    json_t *kids, *ads, *objs;
    int64_t first, last;
    json_int_t nrec;
} hacc;

/* The children of concern, suspects, associates and objects of event EV
 * into H. */
static void hotspot_record(prof *P, const pev *ev, hacc *H)
{
    H->nrec++;
    H->first = ev->occurred < H->first ? ev->occurred : H->first;
    H->last = ev->occurred > H->last ? ev->occurred : H->last;
    char t[32];
    tfmt(t, ev->occurred);
    for (uint32_t k = 0; k < ev->nm; k++) {
        const pmen *m = &P->m[P->mo[ev->m0 + k]];
        bool child = is_child(P, m);
        if (child && risk_rank(P, mpid(P, m)) < JD_LEVEL_MEDIUM)
            continue;
        if (!child && strcmp(det(P, m)->role_name, "suspect") && strcmp(det(P, m)->role_name, "associate"))
            continue;
        json_t *into = child ? H->kids : H->ads;
        if (!json_object_get(into, mpid(P, m)))
            json_object_set_new(into, mpid(P, m),
                                json_pack("{s:s,s:s,s:s,s:s,s:o}", "person_id", mpid(P, m), "name",
                                          name_of(P, mpid(P, m), det(P, m)->name), "first_seen", t, "role",
                                          det(P, m)->role_name, "risk",
                                          child ? risk_json(P, mpid(P, m)) : json_null()));
    }
    for (uint32_t k = 0; k < ev->no; k++) {
        const pobj *o = &P->o[P->oo[ev->o0 + k]];
        char key[300];
        snprintf(key, sizeof key, "%s %s", o->type, o->value);
        if (!json_object_get(H->objs, key))
            json_object_set_new(H->objs, key,
                                json_pack("{s:s,s:s}", "object_type", o->type, "value", o->value));
    }
}

/* The hotspot of place R (a root of h) appended to LIST when enough children
 * of concern were found there. */
static void hotspot_add(prof *P, hplace *h, uint32_t nh, const uint32_t *hof, uint32_t r,
                        const jd_profile_opts *opts, json_t *list)
{
    hacc H = {json_object(), json_object(), json_object(), INT64_MAX, INT64_MIN, 0};
    json_t *written = json_array();
    json_array_append_new(written, json_string(P->ev[h[r].ev0].location));
    for (uint32_t q = 0; q < nh; q++)
        if (q != r && hroot(h, q) == r)
            json_array_append_new(written, json_string(P->ev[h[q].ev0].location));
    for (size_t e = 0; e < P->nev; e++)
        if (hof[e] && hroot(h, hof[e] - 1) == r)
            hotspot_record(P, &P->ev[e], &H);
    if ((int)json_object_size(H.kids) >= (opts->min_children > 0 ? opts->min_children : 2)) {
        json_t *c = json_array(), *a = json_array(), *ob = json_array(), *v;
        const char *key;
        json_object_foreach(H.kids, key, v) json_array_append(c, v);
        json_object_foreach(H.ads, key, v) json_array_append(a, v);
        json_object_foreach(H.objs, key, v) json_array_append(ob, v);
        char t1[32], t2[32];
        tfmt(t1, H.first);
        tfmt(t2, H.last);
        json_array_append_new(
            list, json_pack("{s:s,s:O,s:o,s:o,s:o,s:I,s:s,s:s}", "place", P->ev[h[r].ev0].location,
                            "written_as", written, "children", c, "adults", a, "objects", ob,
                            "record_count", H.nrec, "first_seen", t1, "last_seen", t2));
    }
    json_decref(written);
    json_decref(H.kids);
    json_decref(H.ads);
    json_decref(H.objs);
}

/* The hotspots of what P holds into *out_doc (new reference). */
static int hotspots_doc(prof *Pp, const jd_profile_opts *opts, json_t **out_doc)
{
    prof P = *Pp; /* a shallow view: P's owner unloads it */
    int rc = JD_OK;
    hplace *h = NULL;
    uint32_t nh = 0;
    uint32_t *hof = NULL; /* event -> place + 1 */
    jd_strmap keys;
    jd_strmap_init(&keys);
    json_t *doc = NULL, *list = NULL;
    hof = calloc(P.nev + 1, sizeof *hof);
    if (!hof) {
        rc = oom(&P);
        goto out;
    }
    if ((rc = hotspot_places(&P, &h, &nh, hof, &keys)) < 0)
        goto out;
    list = json_array();
    for (uint32_t r = 0; r < nh; r++)
        if (hroot(h, r) == r)
            hotspot_add(&P, h, nh, hof, r, opts, list);
    size_t n = json_array_size(list);
    json_t **v = malloc((n + 1) * sizeof *v);
    if (!v) {
        rc = oom(&P);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(list, i));
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_hot);
    json_array_clear(list);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, v[i]);
    free(v);
    doc = json_pack("{s:O,s:i}", "hotspots", list, "min_children",
                    opts->min_children > 0 ? opts->min_children : 2);
    if (!doc)
        rc = oom(&P);
    *out_doc = doc;
out:
    json_decref(list);
    free(h);
    free(hof);
    jd_strmap_free(&keys);
    return rc;
}

/* ---- graph ---- */

typedef struct gb {
    json_t *nodes, *edges, *seen;
} gb;

static void node(gb *g, const char *id, const char *kind, const char *label, json_t *extra)
{
    if (json_object_get(g->seen, id)) {
        json_decref(extra);
        return;
    }
    json_object_set_new(g->seen, id, json_true());
    json_t *n = json_pack("{s:s,s:s,s:s}", "id", id, "kind", kind, "label", label ? label : "");
    if (extra) {
        json_object_update(n, extra);
        json_decref(extra);
    }
    json_array_append_new(g->nodes, n);
}

static void edge(gb *g, const char *a, const char *b, const char *kind, const char *at,
                 const char *net)
{
    json_array_append_new(g->edges,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "source", a, "target", b, "kind", kind,
                                    "at", at ? at : "", "network", net ? net : ""));
}

static void xml(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
}

static void print_graphml(FILE *f, json_t *doc)
{
    static const char *const nk[] = {"kind", "label", "role", "level", "raised_at"};
    static const char *const ek[] = {"kind", "at", "network"};
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
          f);
    for (size_t i = 0; i < JD_ARRAY_LEN(nk); i++)
        fprintf(f, "  <key id=\"n_%s\" for=\"node\" attr.name=\"%s\" attr.type=\"string\"/>\n",
                nk[i], nk[i]);
    for (size_t i = 0; i < JD_ARRAY_LEN(ek); i++)
        fprintf(f, "  <key id=\"e_%s\" for=\"edge\" attr.name=\"%s\" attr.type=\"string\"/>\n",
                ek[i], ek[i]);
    fputs("  <graph id=\"exploitation_networks\" edgedefault=\"undirected\">\n", f);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(doc, "nodes"), i, x)
    {
        fputs("    <node id=\"", f);
        xml(f, str(x, "id"));
        fputs("\">", f);
        for (size_t k = 0; k < JD_ARRAY_LEN(nk); k++)
            if (*str(x, nk[k])) {
                fprintf(f, "<data key=\"n_%s\">", nk[k]);
                xml(f, str(x, nk[k]));
                fputs("</data>", f);
            }
        fputs("</node>\n", f);
    }
    json_array_foreach(json_object_get(doc, "edges"), i, x)
    {
        fprintf(f, "    <edge id=\"e%zu\" source=\"", i);
        xml(f, str(x, "source"));
        fputs("\" target=\"", f);
        xml(f, str(x, "target"));
        fputs("\">", f);
        for (size_t k = 0; k < JD_ARRAY_LEN(ek); k++)
            if (*str(x, ek[k])) {
                fprintf(f, "<data key=\"e_%s\">", ek[k]);
                xml(f, str(x, ek[k]));
                fputs("</data>", f);
            }
        fputs("</edge>\n", f);
    }
    fputs("  </graph>\n</graphml>\n", f);
}

static void print_graph_json(FILE *f, json_t *doc)
{
    json_dumpf(doc, f, JSON_COMPACT);
    fputc('\n', f);
}

/* The graph of what P holds into *out (new reference). */
static int graph_doc(prof *Pp, json_t **out)
{
    const prof P = *Pp;
    gb g = {json_array(), json_array(), json_object()};
    size_t i;
    json_t *a;
    json_array_foreach(P.nets, i, a)
    {
        const char *nid = str(a, "id");
        node(&g, nid, "network", nid,
             json_pack("{s:s,s:s,s:s}", "level", str(a, "level"), "raised_at", str(a, "raised_at"),
                       "around", str(a, "around")));
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(a, "members"), k, x)
        {
            const char *pid = str(x, "person_id");
            node(&g, pid, "person", name_of(&P, pid, ""),
                 json_pack("{s:s}", "role", str(x, "role_in_network")));
            edge(&g, pid, nid, "member", str(x, "raised_at"), nid);
        }
        json_array_foreach(json_object_get(a, "links"), k, x)
        {
            json_t *via = json_object_get(x, "via");
            const char *vk = str(via, "kind"), *vv = str(via, "value");
            const char *at = str(x, "linked_at"), *ad = str(x, "adult"), *ch = str(x, "child");
            if (!strcmp(vk, "event")) {
                edge(&g, ad, ch, "link_event", at, nid);
                continue;
            }
            char id[300];
            snprintf(id, sizeof id, "%s:%s", vk, vv);
            node(&g, id, vk, vv, NULL);
            edge(&g, ad, id, !strcmp(vk, "address") ? "seen_at" : "seen_with", at, nid);
            edge(&g, ch, id, !strcmp(vk, "address") ? "seen_at" : "seen_with", at, nid);
        }
        json_array_foreach(json_object_get(a, "ties"), k, x)
        {
            json_t *ads = json_object_get(x, "adults");
            size_t q;
            json_t *via;
            json_array_foreach(json_object_get(x, "via"), q, via)
            {
                char kind[64];
                snprintf(kind, sizeof kind, "tie_%s", str(via, "kind"));
                edge(&g, json_string_value(json_array_get(ads, 0)),
                     json_string_value(json_array_get(ads, 1)), kind, str(x, "tied_at"), nid);
            }
        }
    }
    json_t *doc = json_pack("{s:O,s:O}", "nodes", g.nodes, "edges", g.edges);
    json_decref(g.nodes);
    json_decref(g.edges);
    json_decref(g.seen);
    *out = doc;
    return doc ? JD_OK : oom(Pp);
}

int jd_network_graph(jd_store *s, jd_graph_format format, const jd_profile_opts *opts, FILE *out,
                     jd_error *err)
{
    jd_profile_opts def = JD_PROFILE_OPTS_INIT;
    if (!opts)
        opts = &def;
    if (!s || !out || (format != JD_GRAPH_JSON && format != JD_GRAPH_GRAPHML))
        return jd_error_set(err, JD_EINVALID, "a store, an output and a format are required");
    prof P;
    json_t *doc = NULL;
    int rc = load(&P, s, opts, err);
    if (rc == JD_OK)
        rc = graph_doc(&P, &doc);
    if (rc == JD_OK)
        rc = write_doc(out, doc, false, format == JD_GRAPH_JSON ? print_graph_json : print_graphml,
                       err);
    json_decref(doc);
    unload(&P);
    return rc;
}

/* ---- stored by the analysis (issue 17 item 4) ---- */

#define DOC_PREFIX "net:"

/* A document as the server's routes send it, into *out (malloc'd). */
static int render(char **out, json_t *doc, bool as_json, void (*text)(FILE *, json_t *),
                  jd_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return jd_oom(err);
    int rc = write_doc(f, doc, as_json, text, err);
    if (fclose(f) != 0 && rc == JD_OK)
        rc = jd_oom(err);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    return JD_OK;
}

typedef struct docv {
    jd_doc_save *d;
    size_t n, cap;
} docv;

/* Takes name and text (both malloc'd), freed on failure too. */
static int docv_add(docv *v, char *name, char *text, jd_error *err)
{
    if (!name || !text || jd_grow((void **)&v->d, &v->cap, v->n + 1, sizeof *v->d) < 0) {
        free(name);
        free(text);
        return jd_oom(err);
    }
    v->d[v->n++] = (jd_doc_save){name, text};
    return JD_OK;
}

/* The subject the web application asks for a graph node (app.js subjectOf). */
static char *node_subject(json_t *n)
{
    const char *kind = str(n, "kind"), *id = str(n, "id"), *label = str(n, "label");
    char *out = NULL;
    if (!kind || !id || !strcmp(kind, "network"))
        return NULL;
    if (!strcmp(kind, "address")) {
        const char *v = label && *label ? label : !strncmp(id, "address:", 8) ? id + 8 : id;
        if (asprintf(&out, "place:%s", v) < 0)
            return NULL;
        return out;
    }
    return strdup(id);
}

/* Build the documents of what P holds and store them. */
static int store_docs(prof *Pp, jd_store *s, jd_error *err)
{
    prof P = *Pp; /* a shallow view: the caller unloads */
    jd_profile_opts o = JD_PROFILE_OPTS_INIT;
    o.json = true;
    json_t *graph = NULL, *hot = NULL;
    docv v = {0};
    char *txt = NULL;
    int rc = graph_doc(&P, &graph);
    if (rc == JD_OK &&
        (rc = render(&txt, graph, false, print_graph_json, err)) == JD_OK) {
        rc = docv_add(&v, strdup(DOC_PREFIX "graph"), txt, err);
        txt = NULL;
    }
    if (rc == JD_OK && (rc = hotspots_doc(&P, &o, &hot)) == JD_OK &&
        (rc = render(&txt, hot, true, print_hotspots, err)) == JD_OK) {
        rc = docv_add(&v, strdup(DOC_PREFIX "hotspots"), txt, err);
        txt = NULL;
    }
    /* a profile of every person, vehicle, phone and place in the graph */
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(graph, "nodes"), i, n)
    {
        if (rc < 0)
            break;
        char *subj = node_subject(n), *name = NULL;
        subject S;
        json_t *doc = NULL;
        if (!subj)
            continue;
        int r = find_subject(&P, subj, &S);
        if (r == JD_OK)
            r = build_profile(&P, &S, &doc);
        if (r == JD_OK)
            r = render(&txt, doc, true, print_profile, err);
        json_decref(doc);
        if (r == JD_OK && asprintf(&name, DOC_PREFIX "profile:%s", subj) < 0)
            name = NULL;
        if (r == JD_OK) {
            rc = docv_add(&v, name, txt, err);
            txt = NULL;
        } else if (r != JD_ENOTFOUND && r != JD_EINVALID) {
            rc = r; /* a subject the records do not hold is asked for afresh */
        }
        free(subj);
    }
    if (rc == JD_OK)
        rc = s->ops->docs_replace(s, DOC_PREFIX, v.d, v.n, err);
    for (size_t k = 0; k < v.n; k++) {
        free((char *)v.d[k].name);
        free((char *)v.d[k].doc);
    }
    free(v.d);
    json_decref(graph);
    json_decref(hot);
    return rc;
}

struct jd_netdocs {
    prof P; /* on the caller's snapshot */
};

int jd_network__docs_new(jd_netdocs **out, jd_snapshot *S, jd_error *err)
{
    if (!S || !S->mention_detail)
        return jd_error_set(err, JD_EINVALID, "the documents need a snapshot with mention detail");
    jd_netdocs *d = calloc(1, sizeof *d);
    if (!d)
        return jd_oom(err);
    d->P.err = err;
    d->P.as_of = JD_AS_OF_NOW;
    d->P.S = S;
    view(&d->P);
    d->P.nets = json_array();
    d->P.risk = json_object();
    if (!d->P.nets || !d->P.risk) {
        jd_network__docs_free(d);
        return jd_oom(err);
    }
    *out = d;
    return JD_OK;
}

void jd_network__docs_alert(jd_netdocs *d, void *alert_json)
{
    keep_alert(&d->P, alert_json);
}

int jd_network__docs_store(jd_netdocs *d, jd_store *s, jd_error *err)
{
    if (!s->ops->docs_replace)
        return jd_error_set(err, JD_ESTORE, "this store keeps no analysis documents");
    d->P.err = err;
    return store_docs(&d->P, s, err);
}

void jd_network__docs_free(jd_netdocs *d)
{
    if (!d)
        return;
    unload(&d->P);
    free(d);
}

int jd_network_stored(jd_store *s, const char *what, const char *subj, char **out,
                      jd_error *err)
{
    if (!s || !what || !out || (!strcmp(what, "profile") && !subj))
        return jd_error_set(err, JD_EINVALID, "a store, what and an output are required");
    if (!s->ops->doc_get)
        return jd_error_set(err, JD_ENOTFOUND, "nothing stored");
    char name[512];
    int len = subj ? snprintf(name, sizeof name, DOC_PREFIX "%s:%s", what, subj)
                      : snprintf(name, sizeof name, DOC_PREFIX "%s", what);
    if (len < 0 || (size_t)len >= sizeof name)
        return jd_error_set(err, JD_ENOTFOUND, "nothing stored");
    char *txt = NULL;
    jd_doc_state state;
    int rc = s->ops->doc_get(s, name, &txt, &state, err);
    if (rc < 0)
        return rc;
    if (state != JD_DOC_CURRENT && state != JD_DOC_BEHIND) {
        free(txt);
        return jd_error_set(err, JD_ENOTFOUND, "nothing stored of the latest analysis");
    }
    *out = txt;
    return JD_OK;
}
