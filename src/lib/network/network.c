/*
 * Exploitation networks (issue 6, DOMAIN T4): one adult, vehicle, phone or
 * address linked to two or more children of concern is an
 * `exploitation_network`; adults tied to each other form one network.
 *
 * The graph (POLE: persons, objects, locations, events) is never built as
 * one static picture. Every piece of evidence becomes an item stamped with
 * the moment it was complete: the known time of its latest event, and for a
 * child the moment the child first reached level medium (the child's own
 * risk walk, aperson.level_at). Items are replayed in time order, in a
 * fixed order within one time, through a small state machine:
 *
 *   adult -- child   shared event (the adult a suspect or associate, the
 *                    child's part in it concerning), or a vehicle or phone
 *                    seen with the adult in one event and with the child in
 *                    a concerning one, or an address (a dwelling place)
 *   adult -- adult   co-offending (both suspects/associates in one event),
 *                    a shared vehicle or phone, a shared address
 *   place -- place   near-duplicate descriptions (network_place.c), merged
 *                    from the moment both were known
 *
 * An adult with a link becomes a candidate in a group of its own. When new
 * adult-adult evidence joins groups, Leiden community detection (igraph)
 * over the adults of those groups decides which of them are one network:
 * groups whose adults land mostly in one community merge, others stay
 * apart even when an adult or a public place bridges them. Groups only ever
 * merge, alerts are only ever added to, and nothing looks ahead, so a run
 * "as of" any moment replays exactly the same steps up to it: an alert
 * raised at T by a full run is raised, with the same id and level, by a run
 * as of T (interchange §2.3). When two alerted groups merge, the older
 * alert absorbs the younger. The id is "exploitation_network:" + the
 * network's lifetime id from the store's registry (network_id.c), given
 * when a saved run first detected it, never a member's person id.
 *
 * What is not concerning never links: professionals, parents and carers of
 * the child, and adults who only meet children in ordinary contexts (a
 * youth club, school transport, a football coach's A&E visit) without an
 * exploitation indicator, a police stop, intelligence or a child found with
 * an adult.
 *
 * Not available here: persons' own addresses, phones and surnames by
 * address (the analysis load carries the event's place, not the person's
 * address), so "same surname at one address" is not used.
 */
#include "analyse/analyse_internal.h"
#include "network/network.h"

#include <igraph.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* This igraph is built without thread-local state (IGRAPH_THREAD_SAFE is 0
 * in Debian's): its error handlers, its cleanup stack and its default
 * random generator are process-wide, so two server threads running Leiden
 * at once would race on them. Every igraph call runs under this one lock
 * (issue 17 item 5); it is never held while calling back into joindots. */
static pthread_mutex_t igraph_lock = PTHREAD_MUTEX_INITIALIZER;

#define MAX_EXPLAIN 80
#define MAX_RECORDS 200
#define MAX_PLACE_BLOCK 5000 /* places sharing one token compared pairwise */
#define NONE UINT32_MAX

enum { VIA_EVENT, VIA_VEHICLE, VIA_PHONE, VIA_ADDRESS, VIA_COOFFEND, VIA_VICTIMS };
/* Machine names of the kinds of evidence, in the alert's links and ties. */
static const char *const via_code[] = {"event",   "vehicle",      "phone",
                                       "address", "co_offending", "child_in_common"};
static const char *const via_name[] = {"a shared event", "vehicle",      "phone",
                                       "address",        "co-offending", "a child in common"};

/* Item kinds, in the order they are applied within one time. */
enum { IT_PMERGE, IT_AO, IT_AP, IT_OC, IT_PC, IT_AC, IT_AA };

typedef struct item {
    int64_t t;
    uint32_t a, b; /* see add_items */
    uint32_t ev;
    uint32_t ka, kb;     /* sort ranks of a and b */
    int16_t age;         /* the child's age at the event, -1 unknown */
    uint8_t kind, known; /* known: the adult's age is known to be 18+ */
} item;

/* Who was seen with an object or at a place. */
typedef struct att {
    uint32_t who, ev; /* ev: the event where seen */
    int16_t age;
    uint8_t known;
} att;
typedef struct attv {
    att *p;
    uint32_t n, cap;
} attv;
typedef struct u32v {
    uint32_t *p;
    uint32_t n, cap;
} u32v;

typedef struct onode { /* a vehicle or phone */
    const char *type, *value;
    uint8_t via;
    attv adults, kids;
} onode;

typedef struct pnode { /* one normalised place text */
    const char *key, *text;
    int64_t first;
    uint32_t parent; /* union-find over near-duplicates */
    bool dwelling;
    attv adults, kids; /* at the root: the whole cluster */
} pnode;

typedef struct link {      /* adult -- child */
    uint32_t adult, child; /* adult index, person index */
    int64_t t;
    uint32_t ev_a, ev_c, node;
    int16_t age;
    uint8_t via;
} link;

typedef struct why { /* one kind of tie between two adults, first seen */
    uint32_t ev_a, ev_b, node;
    uint8_t via;
} why;

#define MAX_WHY 4
typedef struct edge { /* adult -- adult */
    uint32_t u, v;    /* adult indices */
    int64_t t;
    uint32_t w;
    why r[MAX_WHY];
    uint8_t nr;
} edge;

typedef struct adult {
    uint32_t person;
    int64_t cand; /* 0: no link to a child yet */
    uint32_t group;
    bool known; /* recorded as 18 or over in a linking event */
    u32v links, edges;
} adult;

typedef struct group {
    u32v adults;
    uint32_t alert;
    bool alive, touched;
} group;

typedef struct member {
    uint32_t person;
    int64_t t;
    bool child;
} member;

typedef struct nalert {
    char *id;
    int64_t created, t_level[5];
    int64_t ended; /* merged into alert `into` at this time (0: alive) */
    uint32_t into;
    int level;
    uint32_t group;
    bool alive;
    member *m;
    uint32_t nm, mcap;
    char crit_why[256];
} nalert;

/* 64-bit keys to 32-bit values; key 0 is never used (tags start at 1). */
typedef struct u64map {
    uint64_t *k;
    uint32_t *v;
    size_t cap, n;
} u64map;

enum {
    TAG_LINK = 1,
    TAG_EDGE,
    TAG_FAMILY,
    TAG_OATT,
    TAG_PATT,
    TAG_MEMBER,
    TAG_SHARED,
    TAG_KID,
    TAG_WEAK
};
static uint64_t key3(uint64_t tag, uint64_t x, uint64_t y)
{
    return tag << 60 | (x & 0x3FFFFFFFu) << 30 | (y & 0x3FFFFFFFu);
}

/* What event_items keeps of one event, grown to the largest event's
 * mentions (an event with many adults or children is taken whole). */
typedef struct ev_scratch {
    uint32_t *ad, *kid, *par, *anyk;
    uint8_t *known;
    int16_t *kage;
    int64_t *kt;
    uint32_t cap;
} ev_scratch;

typedef struct net {
    an *A;
    ev_scratch es;
    u64map map;
    item *it;
    size_t nit, itcap;
    jd_strmap omap, pmap;
    onode *o;
    uint32_t no, ocap;
    pnode *pl;
    uint32_t npl, plcap;
    uint32_t *adult_of; /* person -> adult index */
    adult *ad;
    uint32_t nad, adcap;
    link *lk;
    uint32_t nlk, lkcap;
    link *weak; /* adult -- child through an address only: shown, not counted */
    uint32_t nweak, weakcap;
    edge *ed;
    uint32_t ned, edcap;
    group *g;
    uint32_t ng, gcap;
    nalert *al;
    uint32_t nal, alcap;
    int64_t *family; /* first time of each family pair, by map value */
    uint32_t nfam, famcap;
    uint32_t *prank; /* person -> rank by person_id */
    u32v newcand, dirty, touched;
    u32v *kid_links; /* per child (by TAG_KID): the links to it */
    uint32_t nkl, klcap;
    uint32_t *shared; /* per adult pair (by TAG_SHARED): children in common */
    uint32_t nsh, shcap;
    uint32_t *stamp, *pos;
    uint32_t stampv;
    int64_t tnow; /* the time of the step being applied */
} net;

static int oom(net *N)
{
    return jd_oom(N->A->err);
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    uint32_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, (size_t)nc * size);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static int u32_push(u32v *v, uint32_t x)
{
    if (grow((void **)&v->p, &v->cap, v->n + 1, sizeof *v->p) < 0)
        return -1;
    v->p[v->n++] = x;
    return 0;
}

static int att_push(attv *v, att x)
{
    if (grow((void **)&v->p, &v->cap, v->n + 1, sizeof *v->p) < 0)
        return -1;
    v->p[v->n++] = x;
    return 0;
}

static uint32_t *map_slot(const u64map *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull >> 20) & mask;; i = (i + 1) & mask)
        if (m->k[i] == key || !m->k[i])
            return &m->v[i];
}

static uint32_t map_get(const u64map *m, uint64_t key)
{
    if (!m->cap)
        return NONE;
    uint32_t *v = map_slot(m, key);
    return m->k[v - m->v] == key ? *v : NONE;
}

/* Insert key -> val if absent; returns the stored value, NONE on OOM. */
static uint32_t map_put(u64map *m, uint64_t key, uint32_t val, bool *added)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 1024;
        uint64_t *k = calloc(nc, sizeof *k);
        uint32_t *v = malloc(nc * sizeof *v);
        if (!k || !v) {
            free(k);
            free(v);
            return NONE;
        }
        u64map n2 = {k, v, nc, m->n};
        for (size_t i = 0; i < m->cap; i++)
            if (m->k[i]) {
                uint32_t *s = map_slot(&n2, m->k[i]);
                n2.k[s - n2.v] = m->k[i];
                *s = m->v[i];
            }
        free(m->k);
        free(m->v);
        *m = n2;
    }
    uint32_t *s = map_slot(m, key);
    if (m->k[s - m->v] == key) {
        *added = false;
        return *s;
    }
    m->k[s - m->v] = key;
    *s = val;
    m->n++;
    *added = true;
    return val;
}

/* ---- building the items ---- */

static int add_item(net *N, uint8_t kind, int64_t t, uint32_t a, uint32_t b, uint32_t ev,
                    int16_t age, bool known)
{
    if (N->nit == N->itcap) {
        size_t nc = N->itcap ? N->itcap * 2 : 4096;
        item *p = realloc(N->it, nc * sizeof *p);
        if (!p)
            return oom(N);
        N->it = p;
        N->itcap = nc;
    }
    N->it[N->nit++] = (item){t, a, b, ev, 0, 0, age, kind, known};
    return 0;
}

static bool is_police_context(const aev *e)
{
    return e->et == ET_STOP_CHECK || e->et == ET_INTELLIGENCE || e->et == ET_FOUND_WITH_ADULT;
}

/* The child's part in the event is of concern: a police stop, intelligence
 * or found-with-adult record, an offence or trigger described, or an
 * exploitation indicator (moderate or significant, not a vulnerability)
 * that applies to the child's role. Indicators read from the event's
 * structure alone (an adult party and a vehicle: S03) do not count here:
 * they are the co-occurrence being judged, and would make a school
 * transport driver recorded with his pupils a link. */
static bool concerning(const an *A, const aev *e, const amention *m)
{
    if (is_police_context(e) || e->crime_mask || e->trig_mask)
        return true;
    if (A->net_flags) { /* a run on partitions: what its passes kept (analyse_internal.h) */
        if ((size_t)e->id >= A->net_cap) /* stored after the passes read: not in this run */
            return false;
        return (A->net_flags[e->id] & JD_NET_CONCERN) || (A->net_roles[e->id] & m->role);
    }
    for (uint32_t k = 0; k < e->nf; k++) {
        const finding *f = &A->f[e->f0 + k];
        if (f->kind == F_IND && f->pattern != -2 && A->rules->ind[f->idx].cls != IC_VULN &&
            (A->rules->ind[f->idx].roles & m->role))
            return true;
    }
    return false;
}

/* 1: an adult (18+), 2: age unknown and not known as a child, 0: a child.
 * A person of unknown age counts as an adult where the record says an adult
 * was there: a child found with an adult, or a narrative naming an adult. */
static int adultness(const an *A, const aev *e, const amention *m)
{
    if (m->age >= 18)
        return 1;
    if (m->age < 0 && !A->p[m->person].is_child)
        return e->et == ET_FOUND_WITH_ADULT || e->adult_text ? 1 : 2;
    return 0;
}

static int64_t concern_at(const an *A, uint32_t person)
{
    return A->p[person].level_at[JD_LEVEL_MEDIUM];
}

static uint32_t object_of(net *N, const aobject *o)
{
    char key[256];
    int n = snprintf(key, sizeof key, "%s\x1f%s", o->type, o->value);
    if (n <= 0 || n >= (int)sizeof key)
        return NONE;
    bool added;
    uint32_t *v = jd_strmap_put(&N->omap, key, (size_t)n, N->no, &added);
    if (!v)
        return NONE - 1;
    if (!added)
        return *v;
    if (grow((void **)&N->o, &N->ocap, N->no + 1, sizeof *N->o) < 0)
        return NONE - 1;
    onode *x = &N->o[N->no];
    memset(x, 0, sizeof *x);
    x->type = o->type;
    x->value = o->value;
    x->via = !strcmp(o->type, "vehicle") ? VIA_VEHICLE : VIA_PHONE;
    return N->no++;
}

static uint32_t place_of(net *N, const aev *e)
{
    jd_place p;
    jd_place__norm(&p, e->location, strlen(e->location));
    if (p.ntok == 0)
        return NONE;
    char key[JD_PLACE_KEY_MAX + 16];
    if (p.ntok < 2) { /* "a flat": only its postcode says which */
        if (!e->postcode || !*e->postcode)
            return NONE;
        snprintf(key, sizeof key, "%s %s", p.key, e->postcode);
    } else {
        snprintf(key, sizeof key, "%s", p.key);
    }
    size_t kl = strlen(key);
    bool added;
    uint32_t *v = jd_strmap_put(&N->pmap, key, kl, N->npl, &added);
    if (!v)
        return NONE - 1;
    pnode *x;
    if (!added) {
        x = &N->pl[*v];
        if (e->known < x->first) {
            x->first = e->known;
            x->text = e->location;
        }
        return *v;
    }
    if (grow((void **)&N->pl, &N->plcap, N->npl + 1, sizeof *N->pl) < 0)
        return NONE - 1;
    x = &N->pl[N->npl];
    memset(x, 0, sizeof *x);
    x->key = jd_arena_strdup(&N->A->ar, key);
    if (!x->key)
        return NONE - 1;
    x->text = e->location;
    x->first = e->known;
    x->parent = N->npl;
    x->dwelling = p.dwelling;
    return N->npl++;
}

static int scratch_fit(ev_scratch *x, uint32_t n)
{
    if (n <= x->cap)
        return 0;
    uint32_t c = n < 64 ? 64 : n;
    void *p[7] = {realloc(x->ad, c * sizeof *x->ad),       realloc(x->kid, c * sizeof *x->kid),
                  realloc(x->par, c * sizeof *x->par),     realloc(x->anyk, c * sizeof *x->anyk),
                  realloc(x->known, c * sizeof *x->known), realloc(x->kage, c * sizeof *x->kage),
                  realloc(x->kt, c * sizeof *x->kt)};
    /* each pointer that moved is kept, so a failure leaks nothing */
    if (p[0]) x->ad = p[0];
    if (p[1]) x->kid = p[1];
    if (p[2]) x->par = p[2];
    if (p[3]) x->anyk = p[3];
    if (p[4]) x->known = p[4];
    if (p[5]) x->kage = p[5];
    if (p[6]) x->kt = p[6];
    for (int i = 0; i < 7; i++)
        if (!p[i])
            return -1;
    x->cap = c;
    return 0;
}

/* Items of one event: its concerning children (of concern by then), its
 * adult suspects and associates, their objects and the place. */
/* The counts of sort_people's lists in N->es. */
typedef struct people_n {
    uint32_t ad, kid, par, anyk;
} people_n;

/* The people of an event, into N->es (event_items): its adults (suspects,
 * associates, the police's subjects; known[] when known to be adults), the
 * concerning children with their ages and times, the parents and carers, and
 * every child. */
static void sort_people(net *N, const aev *e, const uint32_t *ms, uint32_t nms, people_n *n)
{
    an *A = N->A;
    uint32_t *ad = N->es.ad, *kid = N->es.kid, *par = N->es.par, *anyk = N->es.anyk;
    uint8_t *known = N->es.known;
    int16_t *kage = N->es.kage;
    int64_t *kt = N->es.kt;
    for (uint32_t i = 0; i < nms; i++) {
        const amention *m = &A->m[ms[i]];
        if (m->role & ROLE_PROFESSIONAL)
            continue;
        int how = adultness(A, e, m);
        if (how) {
            uint32_t roles =
                ROLE_SUSPECT | ROLE_ASSOCIATE | (is_police_context(e) ? ROLE_SUBJECT : 0);
            if (m->role & roles) {
                bool dup = false;
                for (uint32_t k = 0; k < n->ad; k++)
                    dup |= ad[k] == m->person;
                if (!dup) {
                    known[n->ad] = how == 1;
                    ad[n->ad++] = m->person;
                }
            }
            if (m->role & (ROLE_PARENT | ROLE_CARER))
                par[n->par++] = m->person;
            continue;
        }
        anyk[n->anyk++] = m->person;
        int64_t tc = concern_at(A, m->person);
        if (!tc || !(m->role & (ROLE_SUBJECT | ROLE_VICTIM | ROLE_ASSOCIATE)) ||
            !concerning(A, e, m))
            continue;
        bool dup = false;
        for (uint32_t k = 0; k < n->kid; k++)
            dup |= kid[k] == m->person;
        if (dup)
            continue;
        kage[n->kid] = m->age;
        kt[n->kid] = tc > e->known ? tc : e->known;
        kid[n->kid++] = m->person;
    }
}

/* Parents and carers of a child are family, not a network (event_items). */
static int add_family(net *N, const aev *e, uint32_t npar, uint32_t nanyk)
{
    const uint32_t *par = N->es.par, *anyk = N->es.anyk;
    for (uint32_t i = 0; i < npar; i++)
        for (uint32_t k = 0; k < nanyk; k++) {
            bool added;
            uint32_t v = map_put(&N->map, key3(TAG_FAMILY, par[i], anyk[k]), N->nfam, &added);
            if (v == NONE)
                return oom(N);
            if (added) {
                if (grow((void **)&N->family, &N->famcap, N->nfam + 1, sizeof *N->family) < 0)
                    return oom(N);
                N->family[N->nfam++] = e->known;
            } else if (e->known < N->family[v]) {
                N->family[v] = e->known;
            }
        }
    return 0;
}

/* The vehicles and phones of an event tied to its adults (or their owner) and
 * its concerning children (event_items). */
static int object_items(net *N, uint32_t ei, const uint32_t *ms, uint32_t nms, const uint32_t *os,
                        uint32_t nos, uint32_t nad, uint32_t nkid)
{
    an *A = N->A;
    const aev *e = &A->ev[ei];
    const uint32_t *ad = N->es.ad, *kid = N->es.kid;
    const uint8_t *known = N->es.known;
    const int16_t *kage = N->es.kage;
    const int64_t *kt = N->es.kt;
    int rc;
    for (uint32_t q = 0; q < nos; q++) {
        const aobject *o = &A->obj[os[q]];
        if (!o->valid || !o->value || !*o->value ||
            (strcmp(o->type, "vehicle") && strcmp(o->type, "phone")))
            continue;
        if (!nkid && !nad && !o->person_ref)
            continue;
        uint32_t oi = object_of(N, o);
        if (oi == NONE)
            continue;
        if (oi == NONE - 1)
            return oom(N);
        /* whose: the person_ref when given, else the event's adults */
        uint32_t owner = NONE;
        if (o->person_ref && *o->person_ref) {
            char rk[512];
            int n = snprintf(rk, sizeof rk, "%s\x1f%s", e->agency, o->person_ref);
            uint32_t *pi =
                n > 0 && n < (int)sizeof rk ? jd_strmap_get(&A->refmap, rk, (size_t)n) : NULL;
            if (pi)
                owner = *pi;
        }
        if (owner != NONE) {
            int how = 0;
            bool prof = false;
            for (uint32_t i = 0; i < nms; i++)
                if (A->m[ms[i]].person == owner) {
                    how = adultness(A, e, &A->m[ms[i]]);
                    prof |= (A->m[ms[i]].role & ROLE_PROFESSIONAL) != 0;
                }
            if (how == 0) {
                /* not in the event's people: an adult unless known as a child */
                bool listed = false;
                for (uint32_t i = 0; i < nms; i++)
                    listed |= A->m[ms[i]].person == owner;
                how = listed ? 0 : A->p[owner].is_child ? 0 : 2;
            }
            if (how && !prof &&
                (rc = add_item(N, IT_AO, e->known, owner, oi, ei, -1, how == 1)) < 0)
                return rc;
        } else {
            for (uint32_t i = 0; i < nad; i++)
                if ((rc = add_item(N, IT_AO, e->known, ad[i], oi, ei, -1, known[i])) < 0)
                    return rc;
        }
        for (uint32_t k = 0; k < nkid; k++)
            if ((rc = add_item(N, IT_OC, kt[k], kid[k], oi, ei, kage[k], 0)) < 0)
                return rc;
    }
    return 0;
}

static int event_items(net *N, uint32_t ei, const uint32_t *ms, uint32_t nms, const uint32_t *os,
                       uint32_t nos)
{
    an *A = N->A;
    const aev *e = &A->ev[ei];
    if (scratch_fit(&N->es, nms) < 0)
        return oom(N);
    const uint32_t *ad = N->es.ad, *kid = N->es.kid;
    const uint8_t *known = N->es.known;
    const int16_t *kage = N->es.kage;
    const int64_t *kt = N->es.kt;
    people_n n = {0, 0, 0, 0}; /* each at most nms */
    sort_people(N, e, ms, nms, &n);
    uint32_t nad = n.ad, nkid = n.kid;
    int rc = add_family(N, e, n.par, n.anyk);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < nad; i++) {
        for (uint32_t k = 0; k < nkid; k++)
            if ((rc = add_item(N, IT_AC, kt[k], ad[i], kid[k], ei, kage[k], known[i])) < 0)
                return rc;
        for (uint32_t k = i + 1; k < nad; k++)
            if ((rc = add_item(N, IT_AA, e->known, ad[i], ad[k], ei, -1, known[i])) < 0)
                return rc;
    }
    if ((rc = object_items(N, ei, ms, nms, os, nos, nad, nkid)) < 0)
        return rc;
    if (e->location && *e->location && (nad || nkid)) {
        uint32_t pi = place_of(N, e);
        if (pi == NONE - 1)
            return oom(N);
        if (pi != NONE) {
            for (uint32_t i = 0; i < nad; i++)
                if ((rc = add_item(N, IT_AP, e->known, ad[i], pi, ei, -1, known[i])) < 0)
                    return rc;
            for (uint32_t k = 0; k < nkid; k++)
                if ((rc = add_item(N, IT_PC, kt[k], kid[k], pi, ei, kage[k], 0)) < 0)
                    return rc;
        }
    }
    return 0;
}

/* Near-duplicate places: candidate pairs share a distinctive token (street
 * words like "road" never block on their own); similar pairs merge from
 * the moment both descriptions were known. */
static const char *const generic_tokens[] = {
    "road",  "street",  "lane",     "avenue", "close", "drive", "way",  "place", "square",
    "court", "terrace", "crescent", "garden", "flat",  "house", "shop", "oxford"};

static int place_merges(net *N)
{
    uint32_t n = N->npl;
    if (n < 2)
        return 0;
    jd_place *pp = malloc((size_t)n * sizeof *pp);
    jd_strmap tok;
    jd_strmap_init(&tok);
    u32v *lists = NULL;
    uint32_t nlists = 0, lcap = 0;
    int rc = 0;
    if (!pp) {
        rc = oom(N);
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        snprintf(pp[i].key, sizeof pp[i].key, "%s", N->pl[i].key);
        jd_place__retoken(&pp[i]);
        for (int k = 0; k < pp[i].ntok; k++) {
            const char *t = pp[i].key + pp[i].toff[k];
            size_t tl = pp[i].tlen[k];
            bool generic = false;
            for (size_t g = 0; g < JD_ARRAY_LEN(generic_tokens); g++)
                generic |= strlen(generic_tokens[g]) == tl && !memcmp(generic_tokens[g], t, tl);
            if (generic || tl < 3)
                continue;
            /* the token and, for long ones, each one-letter deletion: two
             * tokens one edit apart share one of these */
            char var[64];
            for (int d = -1; d < (tl >= 5 ? (int)tl : 0); d++) {
                size_t vl = 0;
                for (size_t c = 0; c < tl && c < sizeof var - 1; c++)
                    if ((int)c != d)
                        var[vl++] = t[c];
                var[vl++] = d < 0 ? '=' : '~';
                bool added;
                uint32_t *li = jd_strmap_put(&tok, var, vl, nlists, &added);
                if (!li) {
                    rc = oom(N);
                    goto out;
                }
                if (added) {
                    if (grow((void **)&lists, &lcap, nlists + 1, sizeof *lists) < 0) {
                        rc = oom(N);
                        goto out;
                    }
                    lists[nlists++] = (u32v){NULL, 0, 0};
                }
                u32v *l = &lists[*li];
                if ((!l->n || l->p[l->n - 1] != i) && u32_push(l, i) < 0) {
                    rc = oom(N);
                    goto out;
                }
            }
        }
    }
    for (uint32_t li = 0; li < nlists; li++) {
        u32v *l = &lists[li];
        if (l->n > MAX_PLACE_BLOCK)
            continue;
        for (uint32_t x = 0; x < l->n; x++)
            for (uint32_t y = x + 1; y < l->n; y++) {
                uint32_t i = l->p[x], j = l->p[y];
                bool added;
                uint32_t v = map_put(&N->map, key3(TAG_PATT + 8, i, j), 0, &added);
                if (v == NONE) {
                    rc = oom(N);
                    goto out;
                }
                if (!added || !jd_place__similar(&pp[i], &pp[j]))
                    continue;
                int64_t t = N->pl[i].first > N->pl[j].first ? N->pl[i].first : N->pl[j].first;
                if ((rc = add_item(N, IT_PMERGE, t, i, j, NONE, -1, 0)) < 0)
                    goto out;
            }
    }
out:
    for (uint32_t i = 0; i < nlists; i++)
        free(lists[i].p);
    free(lists);
    jd_strmap_free(&tok);
    free(pp);
    return rc;
}

/* ---- replay ---- */

static uint32_t adult_index(net *N, uint32_t person)
{
    if (N->adult_of[person] != NONE)
        return N->adult_of[person];
    if (grow((void **)&N->ad, &N->adcap, N->nad + 1, sizeof *N->ad) < 0)
        return NONE;
    adult *a = &N->ad[N->nad];
    memset(a, 0, sizeof *a);
    a->person = person;
    a->group = NONE;
    N->adult_of[person] = N->nad;
    return N->nad++;
}

static int touch_group(net *N, uint32_t g)
{
    if (g == NONE || N->g[g].touched)
        return 0;
    N->g[g].touched = true;
    return u32_push(&N->touched, g);
}

static int aa_edge(net *N, uint32_t p1, uint32_t p2, int64_t t, uint8_t via, uint32_t node,
                   uint32_t ev_a, uint32_t ev_b);

/* Two adults linked in concerning contexts to the same child are tied to
 * each other (one tie per child in common): the adults around an exploited
 * child are more often than not one network. Leiden still decides, so one
 * child in common does not fuse two dense groups. */
static int shared_children(net *N, uint32_t li)
{
    const link *l = &N->lk[li];
    bool added;
    uint32_t k = map_put(&N->map, key3(TAG_KID, l->child, 0), N->nkl, &added);
    if (k == NONE)
        return oom(N);
    if (added) {
        if (grow((void **)&N->kid_links, &N->klcap, N->nkl + 1, sizeof *N->kid_links) < 0)
            return oom(N);
        N->kid_links[N->nkl++] = (u32v){NULL, 0, 0};
    }
    for (uint32_t i = 0; i < N->kid_links[k].n; i++) {
        const link *o = &N->lk[N->kid_links[k].p[i]];
        l = &N->lk[li];
        uint32_t u = o->adult < l->adult ? o->adult : l->adult;
        uint32_t v = o->adult < l->adult ? l->adult : o->adult;
        if (u == v)
            continue;
        uint32_t c = map_put(&N->map, key3(TAG_SHARED, u, v), N->nsh, &added);
        if (c == NONE)
            return oom(N);
        if (added) {
            if (grow((void **)&N->shared, &N->shcap, N->nsh + 1, sizeof *N->shared) < 0)
                return oom(N);
            N->shared[N->nsh++] = 0;
        }
        if (++N->shared[c] >= 1) {
            int rc = aa_edge(N, N->ad[l->adult].person, N->ad[o->adult].person, l->t, VIA_VICTIMS,
                             l->child, l->ev_c, o->ev_c);
            if (rc < 0)
                return rc;
        }
    }
    return u32_push(&N->kid_links[k], li) < 0 ? oom(N) : 0;
}

static int ac_link(net *N, uint32_t person, uint32_t child, int64_t t, uint8_t via, uint32_t node,
                   uint32_t ev_a, uint32_t ev_c, int16_t age, bool known)
{
    if (person == child)
        return 0;
    uint32_t fam = map_get(&N->map, key3(TAG_FAMILY, person, child));
    if (fam != NONE && N->family[fam] <= t)
        return 0;
    uint32_t ai = adult_index(N, person);
    int rc;
    if (ai == NONE)
        return oom(N);
    adult *a = &N->ad[ai];
    bool added;
    if (via == VIA_ADDRESS) {
        /* Being at one address at different times is weaker than being
         * seen together or in one car: public places and flats used by
         * several groups would chain networks together. It is reported
         * with the network and in hotspots, never counted for the rule. */
        if (map_put(&N->map, key3(TAG_WEAK, ai, child), 0, &added) == NONE)
            return oom(N);
        if (!added)
            return 0;
        if (grow((void **)&N->weak, &N->weakcap, N->nweak + 1, sizeof *N->weak) < 0)
            return oom(N);
        N->weak[N->nweak++] = (link){ai, child, t, ev_a, ev_c, node, age, via};
        return 0;
    }
    a->known |= known;
    uint32_t v = map_put(&N->map, key3(TAG_LINK, ai, child), N->nlk, &added);
    if (v == NONE)
        return oom(N);
    if (!added)
        return 0;
    if (grow((void **)&N->lk, &N->lkcap, N->nlk + 1, sizeof *N->lk) < 0 ||
        u32_push(&a->links, N->nlk) < 0)
        return oom(N);
    N->lk[N->nlk++] = (link){ai, child, t, ev_a, ev_c, node, age, via};
    if ((rc = shared_children(N, N->nlk - 1)) < 0)
        return rc;
    a = &N->ad[ai];
    if (!a->cand) {
        a->cand = t;
        if (u32_push(&N->newcand, ai) < 0)
            return oom(N);
    } else if (touch_group(N, a->group) < 0) {
        return oom(N);
    }
    return 0;
}

static int aa_edge(net *N, uint32_t p1, uint32_t p2, int64_t t, uint8_t via, uint32_t node,
                   uint32_t ev_a, uint32_t ev_b)
{
    if (p1 == p2)
        return 0;
    uint32_t u = adult_index(N, p1), v = adult_index(N, p2);
    if (u == NONE || v == NONE)
        return oom(N);
    if (u > v) {
        uint32_t x = u;
        u = v;
        v = x;
        x = ev_a;
        ev_a = ev_b;
        ev_b = x;
    }
    bool added;
    uint32_t e = map_put(&N->map, key3(TAG_EDGE, u, v), N->ned, &added);
    if (e == NONE)
        return oom(N);
    if (added) {
        if (grow((void **)&N->ed, &N->edcap, N->ned + 1, sizeof *N->ed) < 0 ||
            u32_push(&N->ad[u].edges, N->ned) < 0 || u32_push(&N->ad[v].edges, N->ned) < 0)
            return oom(N);
        memset(&N->ed[N->ned], 0, sizeof *N->ed);
        N->ed[N->ned++] = (edge){.u = u, .v = v, .t = t};
    }
    edge *x = &N->ed[e];
    x->w++;
    bool known = false;
    for (uint8_t i = 0; i < x->nr; i++)
        known |= x->r[i].via == via && x->r[i].node == node;
    if (!known && x->nr < MAX_WHY)
        x->r[x->nr++] = (why){ev_a, ev_b, node, via};
    return u32_push(&N->dirty, e) < 0 ? oom(N) : 0;
}

static uint32_t place_root(net *N, uint32_t p)
{
    while (N->pl[p].parent != p) {
        N->pl[p].parent = N->pl[N->pl[p].parent].parent;
        p = N->pl[p].parent;
    }
    return p;
}

/* Sightings of one object or address link people only when they are close
 * in time: cars change hands, numbers are reissued, people move. */
static bool close_in_time(const net *N, uint8_t via, uint32_t ev1, uint32_t ev2)
{
    int64_t d = N->A->ev[ev1].occurred - N->A->ev[ev2].occurred;
    if (d < 0)
        d = -d;
    const jd_rules *R = N->A->rules; /* windows: the catalogue's "network" section */
    return d <= (int64_t)(via == VIA_ADDRESS ? R->net_address_window_days
                                             : R->net_object_window_days) *
                    DAY;
}

/* Links between the adults of `xa` and the children and adults of `yk`,
 * `ya` (a place or object's lists). */
static int cross(net *N, const attv *xa, const attv *yk, const attv *ya, int64_t t, uint8_t via,
                 uint32_t node)
{
    int rc;
    for (uint32_t i = 0; i < xa->n; i++) {
        for (uint32_t k = 0; k < yk->n; k++)
            if (close_in_time(N, via, xa->p[i].ev, yk->p[k].ev) &&
                (rc = ac_link(N, xa->p[i].who, yk->p[k].who, t, via, node, xa->p[i].ev, yk->p[k].ev,
                              yk->p[k].age, xa->p[i].known)) < 0)
                return rc;
        for (uint32_t k = ya == xa ? i + 1 : 0; ya && k < ya->n; k++)
            if (close_in_time(N, via, xa->p[i].ev, ya->p[k].ev) &&
                (rc = aa_edge(N, xa->p[i].who, ya->p[k].who, t, via, node, xa->p[i].ev,
                              ya->p[k].ev)) < 0)
                return rc;
    }
    return 0;
}

static int attv_cat(attv *d, const attv *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (att_push(d, s->p[i]) < 0)
            return -1;
    return 0;
}

/* An adult (is_adult) or a child seen at an object (obj) or a place, once per
 * pair: crossed with those of the other kind already there (at a place
 * only when it is a dwelling), then kept there. */
static int attach(net *N, const item *x, bool obj, bool is_adult)
{
    uint32_t node = obj ? x->b : place_root(N, x->b);
    attv *kids = obj ? &N->o[node].kids : &N->pl[node].kids;
    attv *ads = obj ? &N->o[node].adults : &N->pl[node].adults;
    uint8_t via = obj ? N->o[node].via : VIA_ADDRESS;
    bool added;
    uint32_t v = map_put(&N->map, key3(obj ? TAG_OATT : TAG_PATT, x->b, x->a), 0, &added);
    if (v == NONE)
        return oom(N);
    if (!added)
        return 0;
    att me = is_adult ? (att){x->a, x->ev, -1, x->known} : (att){x->a, x->ev, x->age, 0};
    attv one = {&me, 1, 1};
    if (obj || N->pl[node].dwelling) {
        int rc = is_adult ? cross(N, &one, kids, obj ? ads : NULL, x->t, via, node)
                       : cross(N, ads, &one, NULL, x->t, via, node);
        if (rc < 0)
            return rc;
    }
    return att_push(is_adult ? ads : kids, me) < 0 ? oom(N) : 0;
}

static int apply(net *N, const item *x)
{
    int rc = 0;
    switch (x->kind) {
    case IT_PMERGE: {
        uint32_t r1 = place_root(N, x->a), r2 = place_root(N, x->b);
        if (r1 == r2)
            return 0;
        if (r2 < r1) {
            uint32_t s = r1;
            r1 = r2;
            r2 = s;
        }
        pnode *p = &N->pl[r1], *q = &N->pl[r2];
        if (p->dwelling && q->dwelling) {
            if ((rc = cross(N, &p->adults, &q->kids, NULL, x->t, VIA_ADDRESS, r1)) < 0 ||
                (rc = cross(N, &q->adults, &p->kids, NULL, x->t, VIA_ADDRESS, r1)) < 0)
                return rc;
        } else if (p->dwelling || q->dwelling) {
            /* a public place now known as an address: its own pairs link too */
            pnode *d = p->dwelling ? p : q, *u = p->dwelling ? q : p;
            if ((rc = cross(N, &d->adults, &u->kids, NULL, x->t, VIA_ADDRESS, r1)) < 0 ||
                (rc = cross(N, &u->adults, &d->kids, NULL, x->t, VIA_ADDRESS, r1)) < 0 ||
                (rc = cross(N, &u->adults, &u->kids, NULL, x->t, VIA_ADDRESS, r1)) < 0)
                return rc;
        }
        p->dwelling = p->dwelling || q->dwelling;
        q->parent = r1;
        if (attv_cat(&p->adults, &q->adults) < 0 || attv_cat(&p->kids, &q->kids) < 0)
            return oom(N);
        free(q->adults.p);
        free(q->kids.p);
        memset(&q->adults, 0, sizeof q->adults);
        memset(&q->kids, 0, sizeof q->kids);
        return 0;
    }
    case IT_AO:
    case IT_AP:
        return attach(N, x, x->kind == IT_AO, true);
    case IT_OC:
    case IT_PC:
        return attach(N, x, x->kind == IT_OC, false);
    case IT_AC:
        return ac_link(N, x->a, x->b, x->t, VIA_EVENT, NONE, x->ev, x->ev, x->age, x->known);
    case IT_AA:
        return aa_edge(N, x->a, x->b, x->t, VIA_COOFFEND, NONE, x->ev, x->ev);
    }
    return 0;
}

/* ---- groups, Leiden and alerts ---- */

static int new_group(net *N, uint32_t ai)
{
    if (grow((void **)&N->g, &N->gcap, N->ng + 1, sizeof *N->g) < 0)
        return oom(N);
    group *g = &N->g[N->ng];
    memset(g, 0, sizeof *g);
    g->alert = NONE;
    g->alive = true;
    if (u32_push(&g->adults, ai) < 0)
        return oom(N);
    N->ad[ai].group = N->ng;
    return touch_group(N, N->ng++) < 0 ? oom(N) : 0;
}

static int cmp_adult_rank(const void *a, const void *b, void *ctx)
{
    const net *N = ctx;
    uint32_t x = N->prank[N->ad[*(const uint32_t *)a].person];
    uint32_t y = N->prank[N->ad[*(const uint32_t *)b].person];
    return x < y ? -1 : x > y;
}

static void sort_adults(net *N, uint32_t *v, size_t n)
{
    if (n < 2)
        return;
    qsort_r(v, n, sizeof *v, cmp_adult_rank, N);
}

typedef struct wedge {
    uint32_t a, b, w;
} wedge;

static int cmp_wedge(const void *x, const void *y)
{
    const wedge *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

/* Leiden (modularity) over the adults `v` (sorted by person id) with the
 * adult-adult edges among them; membership[i] is v[i]'s community. The
 * random generator is seeded the same way each call, so the same graph
 * always gives the same split. */
static int leiden(net *N, const uint32_t *v, uint32_t n, uint32_t *membership)
{
    N->stampv++;
    for (uint32_t i = 0; i < n; i++) {
        N->stamp[v[i]] = N->stampv;
        N->pos[v[i]] = i; /* local vertex id: the position in v */
    }
    wedge *we = NULL;
    uint32_t nwe = 0, wcap = 0;
    int rc = 0;
    for (uint32_t i = 0; i < n; i++) {
        const adult *a = &N->ad[v[i]];
        for (uint32_t k = 0; k < a->edges.n; k++) {
            const edge *e = &N->ed[a->edges.p[k]];
            uint32_t o = e->u == v[i] ? e->v : e->u;
            if (N->stamp[o] != N->stampv || !N->ad[o].cand || N->pos[o] < i)
                continue;
            if (grow((void **)&we, &wcap, nwe + 1, sizeof *we) < 0) {
                rc = oom(N);
                goto out;
            }
            uint32_t pa = i, pb = N->pos[o];
            we[nwe++] = (wedge){pa < pb ? pa : pb, pa < pb ? pb : pa, e->w};
        }
    }
    if (nwe > 1)
        qsort(we, nwe, sizeof *we, cmp_wedge);
    igraph_t g;
    igraph_vector_int_t el, memb;
    igraph_vector_t w, nw;
    igraph_rng_t rng, *old;
    bool have_g = false;
    pthread_mutex_lock(&igraph_lock);
    old = igraph_rng_default();
    if (igraph_vector_int_init(&el, 2 * (igraph_integer_t)nwe)) {
        pthread_mutex_unlock(&igraph_lock);
        rc = oom(N);
        goto out;
    }
    if (igraph_vector_int_init(&memb, n)) {
        igraph_vector_int_destroy(&el);
        pthread_mutex_unlock(&igraph_lock);
        rc = oom(N);
        goto out;
    }
    if (igraph_vector_init(&w, nwe) || igraph_vector_init(&nw, n)) {
        igraph_vector_int_destroy(&el);
        igraph_vector_int_destroy(&memb);
        pthread_mutex_unlock(&igraph_lock);
        rc = oom(N);
        goto out;
    }
    double total = 0;
    for (uint32_t i = 0; i < nwe; i++) {
        VECTOR(el)[2 * i] = we[i].a;
        VECTOR(el)[2 * i + 1] = we[i].b;
        VECTOR(w)[i] = we[i].w;
        VECTOR(nw)[we[i].a] += we[i].w;
        VECTOR(nw)[we[i].b] += we[i].w;
        total += we[i].w;
    }
    /* igraph's default handlers abort or print: errors come back as codes */
    igraph_error_handler_t *oldeh = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_warning_handler_t *oldwh = igraph_set_warning_handler(igraph_warning_handler_ignore);
    if (igraph_create(&g, &el, n, IGRAPH_UNDIRECTED) == IGRAPH_SUCCESS) {
        have_g = true;
        igraph_rng_init(&rng, &igraph_rngtype_pcg32);
        igraph_rng_seed(&rng, N->A->rules->net_seed);
        igraph_rng_set_default(&rng);
        igraph_integer_t nb = 0;
        igraph_real_t q = 0;
        const jd_rules *R = N->A->rules; /* the catalogue's "network.community" */
        igraph_error_t e = igraph_community_leiden(
            &g, &w, &nw, total > 0 ? R->net_resolution_scale / (2 * total) : 1, R->net_beta,
            false, -1, &memb, &nb, &q);
        igraph_rng_set_default(old);
        igraph_rng_destroy(&rng);
        if (e != IGRAPH_SUCCESS)
            rc = jd_error_set(N->A->err, JD_ERROR, "community detection failed");
        for (uint32_t i = 0; i < n && !rc; i++)
            membership[i] = (uint32_t)VECTOR(memb)[i];
    } else {
        rc = oom(N);
    }
    if (have_g)
        igraph_destroy(&g);
    igraph_set_error_handler(oldeh);
    igraph_set_warning_handler(oldwh);
    igraph_vector_destroy(&w);
    igraph_vector_destroy(&nw);
    igraph_vector_int_destroy(&el);
    igraph_vector_int_destroy(&memb);
    pthread_mutex_unlock(&igraph_lock);
out:
    free(we);
    return rc;
}

static void merge_into(net *N, uint32_t keep, uint32_t gone)
{
    group *k = &N->g[keep], *g = &N->g[gone];
    for (uint32_t i = 0; i < g->adults.n; i++) {
        N->ad[g->adults.p[i]].group = keep;
        (void)u32_push(&k->adults, g->adults.p[i]); /* capacity checked by the caller */
    }
    if (g->alert != NONE) {
        if (k->alert == NONE) {
            k->alert = g->alert;
            N->al[k->alert].group = keep;
        } else {
            N->al[g->alert].alive = false;
            N->al[g->alert].ended = N->tnow;
            N->al[g->alert].into = k->alert;
        }
    }
    g->alive = false;
    g->adults.n = 0;
    g->alert = NONE;
}

/* Older alert first; groups without one after, by index. */
static bool older(const net *N, uint32_t g1, uint32_t g2)
{
    uint32_t a = N->g[g1].alert, b = N->g[g2].alert;
    if (a != NONE && b != NONE)
        return N->al[a].created != N->al[b].created ? N->al[a].created < N->al[b].created
                                                    : a < b; /* raised first */
    if (a != NONE || b != NONE)
        return a != NONE;
    return g1 < g2;
}

static uint32_t uf_find(uint32_t *par, uint32_t x)
{
    while (par[x] != x) {
        par[x] = par[par[x]];
        x = par[x];
    }
    return x;
}

/* The pairs of groups (flat, two by two) that this step's dirty edges and
 * new candidates join. */
static int joined_pairs(net *N, u32v *pairs)
{
    for (uint32_t i = 0; i < N->dirty.n; i++) {
        const edge *e = &N->ed[N->dirty.p[i]];
        const adult *u = &N->ad[e->u], *v = &N->ad[e->v];
        if (!u->cand || !v->cand || u->group == v->group)
            continue;
        if (u32_push(pairs, u->group) < 0 || u32_push(pairs, v->group) < 0)
            return oom(N);
    }
    for (uint32_t i = 0; i < N->newcand.n; i++) {
        const adult *u = &N->ad[N->newcand.p[i]];
        for (uint32_t k = 0; k < u->edges.n; k++) {
            const edge *e = &N->ed[u->edges.p[k]];
            const adult *v = &N->ad[e->u == N->newcand.p[i] ? e->v : e->u];
            if (!v->cand || u->group == v->group)
                continue;
            if (u32_push(pairs, u->group) < 0 || u32_push(pairs, v->group) < 0)
                return oom(N);
        }
    }
    return 0;
}

/* The groups of the cluster with root R (once each, in the order of PAIRS)
 * into *gs, and their adults into *v. */
static int cluster_groups(net *N, const u32v *pairs, uint32_t *par, uint32_t r, uint32_t **gs,
                          uint32_t *ngs, uint32_t **v, uint32_t *nv)
{
    uint32_t gcap = 0, vcap = 0;
    for (uint32_t i = 0; i < pairs->n; i++) {
        uint32_t gi = pairs->p[i];
        if (uf_find(par, gi) != r)
            continue;
        bool seen = false;
        for (uint32_t k = 0; k < *ngs; k++)
            seen |= (*gs)[k] == gi;
        if (seen)
            continue;
        if (grow((void **)gs, &gcap, *ngs + 1, sizeof **gs) < 0)
            return oom(N);
        (*gs)[(*ngs)++] = gi;
        const group *g = &N->g[gi];
        if (grow((void **)v, &vcap, *nv + g->adults.n, sizeof **v) < 0)
            return oom(N);
        memcpy(*v + *nv, g->adults.p, g->adults.n * sizeof **v);
        *nv += g->adults.n;
    }
    return 0;
}

/* Each group's majority community in MEMB (ties: the smaller community)
 * into maj[0..ngs). */
static int majorities(net *N, const uint32_t *v, uint32_t nv, const uint32_t *memb,
                      const uint32_t *gs, uint32_t ngs, uint32_t *maj)
{
    uint32_t *cnt = calloc((size_t)nv + 1, sizeof *cnt);
    if (!cnt)
        return oom(N);
    for (uint32_t k = 0; k < ngs; k++) {
        memset(cnt, 0, ((size_t)nv + 1) * sizeof *cnt);
        for (uint32_t i = 0; i < nv; i++)
            if (N->ad[v[i]].group == gs[k] && memb[i] <= nv)
                cnt[memb[i]]++;
        uint32_t best = 0;
        for (uint32_t c = 1; c <= nv; c++)
            if (cnt[c] > cnt[best])
                best = c;
        maj[k] = best;
    }
    free(cnt);
    return 0;
}

/* The groups of one majority community merged into the oldest of them. */
static int merge_majorities(net *N, const uint32_t *gs, uint32_t ngs, const uint32_t *maj)
{
    int rc;
    for (uint32_t k = 0; k < ngs; k++) {
        uint32_t keep = gs[k];
        if (!N->g[keep].alive)
            continue;
        for (uint32_t j = 0; j < ngs; j++) {
            if (j == k || maj[j] != maj[k] || !N->g[gs[j]].alive)
                continue;
            if (older(N, gs[j], keep))
                keep = gs[j];
        }
        for (uint32_t j = 0; j < ngs; j++) {
            uint32_t gj = gs[j];
            if (maj[j] != maj[k] || gj == keep || !N->g[gj].alive)
                continue;
            if (grow((void **)&N->g[keep].adults.p, &N->g[keep].adults.cap,
                     N->g[keep].adults.n + N->g[gj].adults.n, sizeof(uint32_t)) < 0)
                return oom(N);
            merge_into(N, keep, gj);
        }
        if ((rc = touch_group(N, keep)) < 0)
            return rc;
    }
    return 0;
}

/* The cluster of groups with root R: Leiden over its adults, then the
 * groups that share a majority community are merged. */
static int merge_cluster(net *N, const u32v *pairs, uint32_t *par, uint32_t r)
{
    uint32_t *v = NULL, *memb = NULL, *gs = NULL, *maj = NULL, nv = 0, ngs = 0;
    int rc = cluster_groups(N, pairs, par, r, &gs, &ngs, &v, &nv);
    if (rc < 0)
        goto out;
    sort_adults(N, v, nv);
    memb = malloc((size_t)nv * sizeof *memb);
    maj = malloc((size_t)ngs * sizeof *maj);
    if (!memb || !maj) {
        rc = oom(N);
        goto out;
    }
    if ((rc = leiden(N, v, nv, memb)) < 0 || (rc = majorities(N, v, nv, memb, gs, ngs, maj)) < 0)
        goto out;
    rc = merge_majorities(N, gs, ngs, maj);
out:
    free(v);
    free(memb);
    free(gs);
    free(maj);
    return rc;
}

/* Groups joined by this step's adult-adult evidence: Leiden decides which
 * of them are one network. */
static int resolve_merges(net *N)
{
    int rc = 0;
    /* pairs of groups joined by dirty edges */
    u32v pairs = {0}, roots = {0};
    uint32_t *par = NULL;
    if ((rc = joined_pairs(N, &pairs)) < 0 || !pairs.n)
        goto out;
    /* clusters of groups (union-find over the groups involved) */
    par = malloc((size_t)N->ng * sizeof *par);
    if (!par) {
        rc = oom(N);
        goto out;
    }
    for (uint32_t i = 0; i < N->ng; i++)
        par[i] = i;
    for (uint32_t i = 0; i < pairs.n; i += 2) {
        uint32_t a = uf_find(par, pairs.p[i]), b = uf_find(par, pairs.p[i + 1]);
        if (a != b)
            par[a < b ? b : a] = a < b ? a : b;
    }
    /* each cluster once, in group order */
    for (uint32_t i = 0; i < pairs.n; i++) {
        uint32_t r = uf_find(par, pairs.p[i]);
        bool seen = false;
        for (uint32_t k = 0; k < roots.n; k++)
            seen |= roots.p[k] == r;
        if (!seen && u32_push(&roots, r) < 0) {
            rc = oom(N);
            goto out;
        }
    }
    for (uint32_t ri = 0; ri < roots.n && rc >= 0; ri++)
        rc = merge_cluster(N, &pairs, par, roots.p[ri]);
out:
    free(roots.p);
    free(pairs.p);
    free(par);
    return rc;
}

static int add_member(net *N, nalert *al, uint32_t ai, uint32_t person, bool child, int64_t t)
{
    bool added;
    if (map_put(&N->map, key3(TAG_MEMBER, ai, person), 0, &added) == NONE)
        return oom(N);
    if (!added)
        return 0;
    if (grow((void **)&al->m, &al->mcap, al->nm + 1, sizeof *al->m) < 0)
        return oom(N);
    al->m[al->nm++] = (member){person, t, child};
    return 0;
}

/* After a step: groups that now meet the rule get an alert; alerts gain
 * members and levels. */
static int check_groups(net *N, int64_t t)
{
    an *A = N->A;
    for (uint32_t gi_ = 0; gi_ < N->touched.n; gi_++) {
        uint32_t gi = N->touched.p[gi_];
        group *g = &N->g[gi];
        g->touched = false;
        if (!g->alive)
            continue;
        /* the children linked to the group's adults */
        N->stampv++;
        uint32_t nkids = 0;
        const link *young = NULL;
        for (uint32_t i = 0; i < g->adults.n; i++) {
            const adult *a = &N->ad[g->adults.p[i]];
            for (uint32_t k = 0; k < a->links.n; k++) {
                const link *l = &N->lk[a->links.p[k]];
                if (N->stamp[N->nad + l->child] != N->stampv) {
                    N->stamp[N->nad + l->child] = N->stampv;
                    nkids++;
                }
                if (l->age >= 0 && l->age < 13 && (!young || l->t < young->t))
                    young = l;
            }
        }
        if (nkids < 2)
            continue;
        int level = nkids >= 4 || young ? JD_LEVEL_CRITICAL : JD_LEVEL_HIGH;
        if (g->alert == NONE) { /* named at the end (name_networks) */
            if (grow((void **)&N->al, &N->alcap, N->nal + 1, sizeof *N->al) < 0)
                return oom(N);
            nalert *al = &N->al[N->nal];
            memset(al, 0, sizeof *al);
            al->created = t;
            al->group = gi;
            al->alive = true;
            al->into = NONE;
            g->alert = N->nal++;
        }
        nalert *al = &N->al[g->alert];
        uint32_t ai = g->alert;
        if (level > al->level) {
            for (int l = al->level + 1; l <= level; l++)
                if (l >= JD_LEVEL_HIGH)
                    al->t_level[l] = t;
            if (level == JD_LEVEL_CRITICAL) {
                if (young)
                    snprintf(al->crit_why, sizeof al->crit_why,
                             "critical: child %s was %d when linked (under 13)",
                             A->p[young->child].pid, young->age);
                else
                    snprintf(al->crit_why, sizeof al->crit_why,
                             "critical: %u children of concern linked", nkids);
            }
            al->level = level;
        }
        for (uint32_t i = 0; i < g->adults.n; i++) {
            const adult *a = &N->ad[g->adults.p[i]];
            int rc = add_member(N, al, ai, a->person, false, t);
            for (uint32_t k = 0; rc == 0 && k < a->links.n; k++)
                rc = add_member(N, al, ai, N->lk[a->links.p[k]].child, true, t);
            if (rc < 0)
                return rc;
        }
        al = &N->al[ai];
        (void)al;
    }
    N->touched.n = 0;
    return 0;
}

static int step_end(net *N, int64_t t)
{
    int rc;
    N->tnow = t;
    sort_adults(N, N->newcand.p, N->newcand.n);
    for (uint32_t i = 0; i < N->newcand.n; i++)
        if ((rc = new_group(N, N->newcand.p[i])) < 0)
            return rc;
    if ((rc = resolve_merges(N)) < 0)
        return rc;
    N->newcand.n = 0;
    N->dirty.n = 0;
    return check_groups(N, t);
}

/* ---- output ---- */

static const char *kind_label(const net *N, uint8_t via, uint32_t node, char *b, size_t n)
{
    switch (via) {
    case VIA_VEHICLE:
    case VIA_PHONE:
        snprintf(b, n, "%s %s", via_name[via], N->o[node].value);
        break;
    case VIA_ADDRESS:
        snprintf(b, n, "address \"%s\"", N->pl[node].text);
        break;
    case VIA_VICTIMS:
        snprintf(b, n, "a child in common (%s)", N->A->p[node].pid);
        break;
    default:
        snprintf(b, n, "%s", via_name[via]);
        break;
    }
    return b;
}

/* {"kind", "value"} of one kind of evidence (value: the vehicle mark, phone
 * number, address as first written, or the child in common). */
static json_t *via_json(const net *N, uint8_t via, uint32_t node)
{
    json_t *o = json_pack("{s:s}", "kind", via_code[via]);
    const char *v = NULL;
    if (via == VIA_VEHICLE || via == VIA_PHONE)
        v = N->o[node].value;
    else if (via == VIA_ADDRESS)
        v = N->pl[node].text;
    else if (via == VIA_VICTIMS)
        v = N->A->p[node].pid;
    if (v)
        json_object_set_new(o, "value", json_string(v));
    return o;
}

static json_t *pair_records(const aev *a, const aev *b)
{
    json_t *r = json_array();
    json_array_append_new(r, jd_an__record_ref(a));
    if (a != b)
        json_array_append_new(r, jd_an__record_ref(b));
    return r;
}

typedef struct recset {
    uint32_t *ev;
    uint32_t n, cap;
} recset;

static int rec_add(net *N, recset *r, uint32_t ev)
{
    if (ev == NONE)
        return 0;
    for (uint32_t i = 0; i < r->n; i++)
        if (r->ev[i] == ev)
            return 0;
    if (grow((void **)&r->ev, &r->cap, r->n + 1, sizeof *r->ev) < 0)
        return oom(N);
    r->ev[r->n++] = ev;
    return 0;
}

static int cmp_rec(const void *a, const void *b, void *ctx)
{
    const an *A = ctx;
    const aev *x = &A->ev[*(const uint32_t *)a], *y = &A->ev[*(const uint32_t *)b];
    if (x->known != y->known)
        return x->known < y->known ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_member(const void *a, const void *b, void *ctx)
{
    const an *A = ctx;
    const member *x = a, *y = b;
    if (x->child != y->child)
        return x->child ? 1 : -1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return strcmp(A->p[x->person].pid, A->p[y->person].pid);
}

/* Remember a child member for the network feedback (M09): when they became a
 * member and through which of their own events (the earliest link to them
 * that was known by then). */
static int note_m09(net *N, const group *g, const nalert *al, const member *m)
{
    an *A = N->A;
    uint32_t ev = NONE;
    int64_t best = INT64_MAX;
    for (uint32_t i = 0; i < g->adults.n; i++) {
        const adult *a = &N->ad[g->adults.p[i]];
        for (uint32_t k = 0; k < a->links.n; k++) {
            const link *l = &N->lk[a->links.p[k]];
            if (l->child == m->person && l->t <= m->t && l->t < best) {
                best = l->t;
                ev = l->ev_c;
            }
        }
    }
    if (ev == NONE)
        return JD_OK;
    if (A->nm09 == A->m09cap) {
        size_t nc = A->m09cap ? A->m09cap * 2 : 64;
        m09_link *nm = realloc(A->m09, nc * sizeof *nm);
        if (!nm)
            return jd_oom(A->err);
        A->m09 = nm;
        A->m09cap = nc;
    }
    const char *id = jd_arena_strdup(&A->ar, al->id);
    if (!id)
        return jd_oom(A->err);
    A->m09[A->nm09++] = (m09_link){m->person, ev, m->t, id};
    return JD_OK;
}

/* What emit builds for one network alert: the parts of its document and
 * the records behind it. */
typedef struct ndoc {
    json_t *members, *ex, *hist, *objs, *places, *links, *ties;
    recset rs;
} ndoc;

/* VAL appended to the array ARR of strings unless it holds it already. */
static void add_unique(json_t *arr, const char *val)
{
    bool seen = false;
    size_t j;
    json_t *x;
    json_array_foreach(arr, j, x) seen |= !strcmp(json_string_value(x), val);
    if (!seen)
        json_array_append_new(arr, json_string(val));
}

/* The members of AL (sorted) with their role, counted into *nad and *nch. */
static int emit_members(net *N, const group *g, nalert *al, ndoc *D, uint32_t *nad, uint32_t *nch)
{
    an *A = N->A;
    char when[32];
    int rc;
    qsort_r(al->m, al->nm, sizeof *al->m, cmp_member, A);
    for (uint32_t i = 0; i < al->nm; i++) {
        const member *m = &al->m[i];
        const char *role = "child";
        if (!m->child) {
            uint32_t ai = N->adult_of[m->person];
            role = ai != NONE && N->ad[ai].known ? "adult" : "unknown";
            (*nad)++;
        } else {
            (*nch)++;
        }
        if (m->child && A->m09_record && (rc = note_m09(N, g, al, m)) < 0)
            return rc;
        json_t *pj = jd_an__person_json(A, &A->p[m->person]);
        jd_time_format(when, m->t);
        json_object_set_new(pj, "role_in_network", json_string(role));
        json_object_set_new(pj, "raised_at", json_string(when));
        json_array_append_new(D->members, pj);
    }
    return JD_OK;
}

/* Each adult's links to children, earliest first. */
static int emit_links(net *N, const group *g, ndoc *D)
{
    an *A = N->A;
    char line[1024], l1[200], l2[200], via[200], when[32], tc[32];
    int rc;
    for (uint32_t i = 0; i < g->adults.n; i++) {
        const adult *a = &N->ad[g->adults.p[i]];
        for (uint32_t k = 0; k < a->links.n; k++) {
            const link *l = &N->lk[a->links.p[k]];
            if ((rc = rec_add(N, &D->rs, l->ev_a)) < 0 || (rc = rec_add(N, &D->rs, l->ev_c)) < 0)
                return rc;
            jd_time_format(when, l->t);
            json_t *lj =
                json_pack("{s:s,s:s,s:o,s:s,s:o}", "adult", A->p[a->person].pid, "child",
                          A->p[l->child].pid, "via", via_json(N, l->via, l->node), "linked_at",
                          when, "records", pair_records(&A->ev[l->ev_a], &A->ev[l->ev_c]));
            if (l->age >= 0)
                json_object_set_new(lj, "child_age", json_integer(l->age));
            json_array_append_new(D->links, lj);
            if (json_array_size(D->ex) >= MAX_EXPLAIN)
                continue;
            jd_an__ev_label(l1, sizeof l1, &A->ev[l->ev_a]);
            jd_an__ev_label(l2, sizeof l2, &A->ev[l->ev_c]);
            jd_time_format(tc, concern_at(A, l->child));
            tc[10] = '\0';
            char age[16] = "";
            if (l->age >= 0)
                snprintf(age, sizeof age, " (aged %d)", l->age);
            if (l->via == VIA_EVENT)
                snprintf(line, sizeof line,
                         "T4 link: child %s%s and adult %s in a shared event (%s); the child of "
                         "concern since %s",
                         A->p[l->child].pid, age, A->p[a->person].pid, l1, tc);
            else
                snprintf(line, sizeof line,
                         "T4 link: child %s%s and adult %s through %s: with the adult in %s, "
                         "with the child in %s; the child of concern since %s",
                         A->p[l->child].pid, age, A->p[a->person].pid,
                         kind_label(N, l->via, l->node, via, sizeof via), l1, l2, tc);
            json_array_append_new(D->ex, json_string(line));
        }
    }
    return JD_OK;
}

/* The tie E from adult A to another adult of the network: its evidence,
 * records, vehicles and phones. */
static int emit_tie(net *N, const adult *a, const edge *e, ndoc *D)
{
    an *A = N->A;
    char line[1024], l1[200], l2[200], via[200], when[32];
    int rc;
    size_t ll = (size_t)snprintf(line, sizeof line, "adults %s and %s connected through ",
                                 A->p[a->person].pid, A->p[N->ad[e->v].person].pid);
    json_t *vias = json_array(), *trec = json_array();
    jd_time_format(when, e->t);
    json_array_append_new(D->ties,
                          json_pack("{s:[s,s],s:o,s:s,s:i,s:o}", "adults", A->p[a->person].pid,
                                    A->p[N->ad[e->v].person].pid, "via", vias, "tied_at", when,
                                    "evidence", (json_int_t)e->w, "records", trec));
    for (uint8_t q = 0; q < e->nr; q++) {
        const why *y = &e->r[q];
        if ((rc = rec_add(N, &D->rs, y->ev_a)) < 0 || (rc = rec_add(N, &D->rs, y->ev_b)) < 0)
            return rc;
        json_array_append_new(vias, via_json(N, y->via, y->node));
        for (int side = 0; side < 2; side++) {
            const aev *ev = &A->ev[side ? y->ev_b : y->ev_a];
            bool dup = false;
            size_t j;
            json_t *x;
            json_array_foreach(trec, j, x) dup |=
                !strcmp(json_string_value(json_object_get(x, "agency")), ev->agency) &&
                !strcmp(json_string_value(json_object_get(x, "record_id")), ev->record_id);
            if (!dup)
                json_array_append_new(trec, jd_an__record_ref(ev));
        }
        if (y->via == VIA_VEHICLE || y->via == VIA_PHONE)
            add_unique(D->objs, N->o[y->node].value);
        jd_an__ev_label(l1, sizeof l1, &A->ev[y->ev_a]);
        jd_an__ev_label(l2, sizeof l2, &A->ev[y->ev_b]);
        if (ll < sizeof line)
            ll += (size_t)snprintf(line + ll, sizeof line - ll, "%s%s (%s%s%s)", q ? "; " : "",
                                   kind_label(N, y->via, y->node, via, sizeof via), l1,
                                   y->ev_a != y->ev_b ? " and " : "", y->ev_a != y->ev_b ? l2 : "");
    }
    if (ll < sizeof line)
        snprintf(line + ll, sizeof line - ll, ": %u piece%s of evidence", e->w,
                 e->w == 1 ? "" : "s");
    if (json_array_size(D->ex) < MAX_EXPLAIN)
        json_array_append_new(D->ex, json_string(line));
    return JD_OK;
}

/* The ties between the adults of AL's network, and the vehicles, phones and
 * addresses of their links. */
static int emit_ties(net *N, const group *g, const nalert *al, ndoc *D)
{
    int rc;
    for (uint32_t i = 0; i < g->adults.n; i++) {
        const adult *a = &N->ad[g->adults.p[i]];
        for (uint32_t k = 0; k < a->edges.n; k++) {
            const edge *e = &N->ed[a->edges.p[k]];
            if (e->u != g->adults.p[i] || N->ad[e->v].group != al->group || !N->ad[e->v].cand)
                continue;
            if ((rc = emit_tie(N, a, e, D)) < 0)
                return rc;
        }
        for (uint32_t k = 0; k < a->links.n; k++) {
            const link *l = &N->lk[a->links.p[k]];
            if (l->via == VIA_VEHICLE || l->via == VIA_PHONE || l->via == VIA_ADDRESS)
                add_unique(l->via == VIA_ADDRESS ? D->places : D->objs,
                           l->via == VIA_ADDRESS ? N->pl[l->node].text : N->o[l->node].value);
        }
    }
    return JD_OK;
}

/* The weak links (adult and child of concern at one address) of AL's
 * network: supporting, not counted for T4. */
static int emit_weak(net *N, const nalert *al, ndoc *D)
{
    an *A = N->A;
    char line[1024], l1[200], l2[200], when[32];
    int rc;
    for (uint32_t i = 0; i < N->nweak; i++) {
        const link *l = &N->weak[i];
        if (N->ad[l->adult].group != al->group)
            continue;
        const char *val = N->pl[l->node].text;
        add_unique(D->places, val);
        if ((rc = rec_add(N, &D->rs, l->ev_a)) < 0 || (rc = rec_add(N, &D->rs, l->ev_c)) < 0)
            return rc;
        jd_time_format(when, l->t);
        json_array_append_new(
            D->links, json_pack("{s:s,s:s,s:o,s:s,s:o,s:b}", "adult",
                                A->p[N->ad[l->adult].person].pid, "child", A->p[l->child].pid,
                                "via", via_json(N, l->via, l->node), "linked_at", when, "records",
                                pair_records(&A->ev[l->ev_a], &A->ev[l->ev_c]), "supporting", 1));
        if (json_array_size(D->ex) >= MAX_EXPLAIN)
            continue;
        jd_an__ev_label(l1, sizeof l1, &A->ev[l->ev_a]);
        jd_an__ev_label(l2, sizeof l2, &A->ev[l->ev_c]);
        snprintf(line, sizeof line,
                 "address of concern \"%s\": adult %s there (%s) and child %s of concern there "
                 "(%s); supporting, not counted for T4",
                 val, N->A->p[N->ad[l->adult].person].pid, l1, A->p[l->child].pid, l2);
        json_array_append_new(D->ex, json_string(line));
    }
    return JD_OK;
}

static int emit(net *N, nalert *al)
{
    an *A = N->A;
    const group *g = &N->g[al->group];
    char line[1024], when[32];
    ndoc D = {json_array(), json_array(), json_array(), json_array(),
              json_array(), json_array(), json_array(), {0}};
    int rc = 0;
    uint32_t nad = 0, nch = 0;
    if ((rc = emit_members(N, g, al, &D, &nad, &nch)) < 0)
        goto out;
    jd_time_format(when, al->created);
    snprintf(line, sizeof line,
             "T4 exploitation_network: %u adult%s linked to %u children of concern through "
             "shared events, vehicles, phones or addresses; the rule was first met %s",
             nad, nad == 1 ? "" : "s", nch, when);
    json_array_append_new(D.ex, json_string(line));
    if (al->level == JD_LEVEL_CRITICAL) {
        jd_time_format(when, al->t_level[JD_LEVEL_CRITICAL]);
        snprintf(line, sizeof line, "%s (%s)", al->crit_why, when);
        json_array_append_new(D.ex, json_string(line));
    }
    if ((rc = emit_links(N, g, &D)) < 0 || (rc = emit_ties(N, g, al, &D)) < 0 ||
        (rc = emit_weak(N, al, &D)) < 0)
        goto out;
    if (D.rs.n > 1)
        qsort_r(D.rs.ev, D.rs.n, sizeof *D.rs.ev, cmp_rec, A);
    json_t *recs = json_array();
    for (uint32_t i = 0; i < D.rs.n && i < MAX_RECORDS; i++)
        json_array_append_new(recs, jd_an__record_ref(&A->ev[D.rs.ev[i]]));
    for (int l = JD_LEVEL_HIGH; l <= al->level; l++) {
        jd_time_format(when, al->t_level[l]);
        json_array_append_new(D.hist,
                              json_pack("{s:s,s:s}", "level", jd_level_name(l), "raised_at", when));
    }
    json_t *doc = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "members", D.members, "records",
                            recs, "explanation", D.ex, "history", D.hist, "objects", D.objs,
                            "places", D.places, "links", D.links, "ties", D.ties);
    /* whom the network is shown around (its first adult member): the id
     * names no one, so readers name the network from this */
    if (doc && al->nm && !al->m[0].child)
        json_object_set_new(doc, "around", json_string(A->p[al->m[0].person].pid));
    D.members = D.ex = D.hist = D.objs = D.places = D.links = D.ties = NULL;
    rc =
        jd_an__add_alert(A, JD_ALERT_NETWORK, al->id, al->level, NULL, al->t_level[al->level], doc);
out:
    json_decref(D.members);
    json_decref(D.ex);
    json_decref(D.hist);
    json_decref(D.objs);
    json_decref(D.places);
    json_decref(D.links);
    json_decref(D.ties);
    free(D.rs.ev);
    return rc;
}

/* ---- lifetime ids ---- */

/* Each alert (those merged into another too, in the order first raised)
 * named from the store's network registry (network_id.c): the id is
 * "exploitation_network:" + the network's lifetime id, never a member's. */
static int name_networks(net *N)
{
    an *A = N->A;
    jd_netreg *R = A->pass_ctx;
    jd_netreg *own = NULL;
    int rc = JD_OK;
    if (!R) { /* no registry handed in: nothing stored to match, names read-only */
        if ((rc = jd_network__reg_load(&own, NULL, A->opts->as_of, A->now, false, A->err)) < 0)
            return rc;
        R = own;
    }
    jd_netfound *f = calloc((size_t)N->nal + 1, sizeof *f);
    const char **pids = NULL;
    int64_t *since = NULL;
    bool *child = NULL;
    size_t tot = 0;
    for (uint32_t i = 0; i < N->nal; i++)
        tot += N->al[i].nm;
    pids = malloc((tot + 1) * sizeof *pids);
    since = malloc((tot + 1) * sizeof *since);
    child = malloc((tot + 1) * sizeof *child);
    if (!f || !pids || !since || !child) {
        rc = oom(N);
        goto out;
    }
    size_t at = 0;
    for (uint32_t i = 0; i < N->nal; i++) {
        const nalert *al = &N->al[i];
        for (uint32_t k = 0; k < al->nm; k++) {
            pids[at + k] = A->p[al->m[k].person].pid;
            since[at + k] = al->m[k].t;
            child[at + k] = al->m[k].child;
        }
        f[i] = (jd_netfound){pids + at, since + at, child + at, al->nm, al->created,
                             al->alive ? 0 : al->ended,
                             al->alive || al->into == NONE ? -1 : (int32_t)al->into};
        at += al->nm;
    }
    const char **ids = NULL;
    if ((rc = jd_network__name(R, f, N->nal, &ids, A->err)) < 0)
        goto out;
    for (uint32_t i = 0; i < N->nal; i++) {
        size_t l = strlen(ids[i]) + 32;
        char *id = malloc(l);
        if (!id) {
            rc = oom(N);
            goto out;
        }
        snprintf(id, l, "exploitation_network:%s", ids[i]);
        free(N->al[i].id);
        N->al[i].id = id;
    }
out:
    free(f);
    free(pids);
    free(since);
    free(child);
    jd_network__reg_free(own);
    return rc;
}

/* ---- driver ---- */

static int cmp_item(const void *a, const void *b, void *ctx)
{
    const an *A = ctx;
    const item *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->ka != y->ka)
        return x->ka < y->ka ? -1 : 1;
    if (x->kb != y->kb)
        return x->kb < y->kb ? -1 : 1;
    int64_t ea = x->ev == NONE ? -1 : A->ev[x->ev].id;
    int64_t eb = y->ev == NONE ? -1 : A->ev[y->ev].id;
    return ea < eb ? -1 : ea > eb;
}

static int cmp_key_idx(const void *a, const void *b, void *ctx)
{
    const char **keys = ctx;
    return strcmp(keys[*(const uint32_t *)a], keys[*(const uint32_t *)b]);
}

/* rank[i] = position of keys[i] in sorted order */
static int ranks(uint32_t **out, const char **keys, uint32_t n)
{
    uint32_t *ord = malloc(((size_t)n + 1) * sizeof *ord),
             *rank = malloc(((size_t)n + 1) * sizeof *rank);
    if (!ord || !rank) {
        free(ord);
        free(rank);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        ord[i] = i;
    qsort_r(ord, n, sizeof *ord, cmp_key_idx, (void *)keys);
    for (uint32_t i = 0; i < n; i++)
        rank[ord[i]] = i;
    free(ord);
    *out = rank;
    return 0;
}

/* Everything the detection allocated (net is the function's own). */
static void net_free(net *N)
{
    free(N->es.ad);
    free(N->es.kid);
    free(N->es.par);
    free(N->es.anyk);
    free(N->es.known);
    free(N->es.kage);
    free(N->es.kt);
    free(N->it);
    free(N->map.k);
    free(N->map.v);
    for (uint32_t i = 0; i < N->no; i++) {
        free(N->o[i].adults.p);
        free(N->o[i].kids.p);
    }
    free(N->o);
    for (uint32_t i = 0; i < N->npl; i++) {
        free(N->pl[i].adults.p);
        free(N->pl[i].kids.p);
    }
    free(N->pl);
    for (uint32_t i = 0; i < N->nad; i++) {
        free(N->ad[i].links.p);
        free(N->ad[i].edges.p);
    }
    free(N->ad);
    free(N->adult_of);
    free(N->lk);
    free(N->weak);
    free(N->ed);
    for (uint32_t i = 0; i < N->ng; i++)
        free(N->g[i].adults.p);
    free(N->g);
    for (uint32_t i = 0; i < N->nal; i++) {
        free(N->al[i].id);
        free(N->al[i].m);
    }
    free(N->al);
    free(N->family);
    for (uint32_t i = 0; i < N->nkl; i++)
        free(N->kid_links[i].p);
    free(N->kid_links);
    free(N->shared);
    free(N->prank);
    free(N->newcand.p);
    free(N->dirty.p);
    free(N->touched.p);
    free(N->stamp);
    free(N->pos);
    jd_strmap_free(&N->omap);
    jd_strmap_free(&N->pmap);
}

/* The items in time order, ranked for a fixed order within one time: person
 * ids, object values, place keys (the same in a full run and an as-of run). */
static int order_items(net *N)
{
    an *A = N->A;
    uint32_t *orank = NULL, *plrank = NULL;
    const char **keys = NULL;
    int rc = 0;
    keys = malloc(((size_t)A->np + N->no + N->npl + 1) * sizeof *keys);
    if (!keys) {
        rc = oom(N);
        goto out;
    }
    for (size_t i = 0; i < A->np; i++)
        keys[i] = A->p[i].pid;
    if (ranks(&N->prank, keys, (uint32_t)A->np) < 0) {
        rc = oom(N);
        goto out;
    }
    for (uint32_t i = 0; i < N->no; i++)
        keys[i] = N->o[i].value;
    if (ranks(&orank, keys, N->no) < 0) {
        rc = oom(N);
        goto out;
    }
    for (uint32_t i = 0; i < N->npl; i++)
        keys[i] = N->pl[i].key;
    if (ranks(&plrank, keys, N->npl) < 0) {
        rc = oom(N);
        goto out;
    }
    for (size_t i = 0; i < N->nit; i++) {
        item *x = &N->it[i];
        switch (x->kind) {
        case IT_PMERGE:
            x->ka = plrank[x->a];
            x->kb = plrank[x->b];
            break;
        case IT_AO:
            x->ka = N->prank[x->a];
            x->kb = orank[x->b];
            break;
        case IT_AP:
            x->ka = N->prank[x->a];
            x->kb = plrank[x->b];
            break;
        case IT_OC:
            x->ka = N->prank[x->a];
            x->kb = orank[x->b];
            break;
        case IT_PC:
            x->ka = N->prank[x->a];
            x->kb = plrank[x->b];
            break;
        default:
            x->ka = N->prank[x->a];
            x->kb = N->prank[x->b];
            break;
        }
    }
    if (N->nit > 1)
        qsort_r(N->it, N->nit, sizeof *N->it, cmp_item, A);
out:
    free(orank);
    free(plrank);
    free(keys);
    return rc;
}

int jd_network__detect(an *A)
{
    net N;
    memset(&N, 0, sizeof N);
    N.A = A;
    jd_strmap_init(&N.omap);
    jd_strmap_init(&N.pmap);
    int rc = 0;
    const jd_snapshot *S = A->snap; /* mentions and objects by event */
    N.adult_of = malloc((A->np + 1) * sizeof *N.adult_of);
    if (!N.adult_of) {
        rc = oom(&N);
        goto out;
    }
    memset(N.adult_of, 0xFF, (A->np + 1) * sizeof *N.adult_of);
    for (size_t e = 0; e < A->nev; e++) {
        const aev *ev = &A->ev[e];
        if (!ev->nm && !ev->no)
            continue;
        if ((rc = event_items(&N, (uint32_t)e, S->by_event + ev->m0, ev->nm,
                              S->obj_by_event + ev->o0, ev->no)) < 0)
            goto out;
    }
    if ((rc = place_merges(&N)) < 0)
        goto out;
    if ((rc = order_items(&N)) < 0)
        goto out;
    N.stamp = calloc((size_t)A->np + A->np + 1, sizeof *N.stamp);
    N.pos = calloc((size_t)A->np + 1, sizeof *N.pos);
    if (!N.stamp || !N.pos) {
        rc = oom(&N);
        goto out;
    }
    for (size_t i = 0; i < N.nit; i++) {
        if ((rc = apply(&N, &N.it[i])) < 0)
            goto out;
        if (i + 1 == N.nit || N.it[i + 1].t != N.it[i].t)
            if ((rc = step_end(&N, N.it[i].t)) < 0)
                goto out;
    }
    if ((rc = name_networks(&N)) < 0)
        goto out;
    for (uint32_t i = 0; i < N.nal; i++)
        if (N.al[i].alive && (rc = emit(&N, &N.al[i])) < 0)
            goto out;
out:
    net_free(&N);
    return rc;
}
