/*
 * The escalation engine (see include/joindots/concern.h, docs/escalation.md).
 *
 * 1. Load the snapshot of what was known by T (analyse/snapshot.c) and
 *    run the analysis on it (not saved); the events and mentions read
 *    below are the snapshot's.
 * 2. Derive concerns with stable ids: "auto:child:<person_id>" from alerts
 *    reaching high or critical (their level steps as inputs),
 *    "auto:network:<alert id>" from exploitation_network alerts,
 *    "auto:linked:<a>+<b>" when children with concerns who appear in the
 *    same events form a group of pattern.min_children (the group keeps the
 *    name of its earliest link, so a replay names it the same), and
 *    "auto:strategic:<agency>:<record_id>" from notes using the strategic
 *    phrases ("organised abuse ring", "group of men"...).
 * 3. Fold each concern, derived or stored, with the human actions recorded
 *    by T (jd_concern__simulate): deadlines missed rise a rung.
 * 4. Report each concern, save (live runs only) and write the `escalation`
 *    alerts of concerns that rose, merged into the analysis alerts.
 * With opts.stored, steps 1-2 come from the concern bases the last analysis
 * stored (jd_escalate_analyse, below: one snapshot for the saved analysis,
 * the bases and the network documents) when nothing changed since.
 * Nothing depends on the future, so a run as of T gives what a live run at
 * T gave, and a stored derived concern whose trigger later disappears (a
 * corrected record) is kept: nothing leaves silently.
 */
#include "concern/concern_internal.h"
#include "network/network.h"
#include "store/incr_ops.h"
#include "text/words.h"

#include <joindots/analyse.h>
#include <joindots/chronology.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_RECORDS 30
#define MAX_NARRATIVE 65536


/* ---- what was known by T: the analysis snapshot ---- */

typedef struct eng {
    const jd_ladder *L;
    jd_error *err;
    int64_t T;
    const jd_snapshot *S; /* events and mentions known by T */
    json_t *derived;   /* id -> base */
    json_t *strategic; /* id -> base, from notes */
    int rc;
} eng;

/* The phrase at p..p+n in the lowered text, standing as whole words. */
static bool word_at(const char *text, const char *p, size_t n)
{
    return (p == text || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]);
}

/* The ladder's first phrase standing as whole words in the narrative (its
 * first 64 KiB), or NULL. A phrase whose first word the narrative lacks is
 * not searched (text/words.h): the 26 strstr calls a note made were 7% of
 * the 1M county's analyse main thread in perf. */
static const char *strategic_phrase(const jd_ladder *L, const char *narrative)
{
    size_t n = strlen(narrative);
    if (n > MAX_NARRATIVE)
        n = MAX_NARRATIVE;
    char *low = malloc(n + 1);
    if (!low)
        return NULL;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)narrative[i]);
    low[n] = 0;
    jd_words ws;
    jd_words_of(&ws, low);
    const char *hit = NULL;
    size_t i;
    json_t *ph;
    json_array_foreach(L->phrases, i, ph)
    {
        const char *w = json_string_value(ph);
        size_t wl = w && jd_words_may_hold(&ws, w) ? strlen(w) : 0;
        for (const char *p = wl ? strstr(low, w) : NULL; p && !hit; p = strstr(p + 1, w))
            if (word_at(low, p, wl))
                hit = w;
        if (hit)
            break;
    }
    free(low);
    return hit;
}

/* A strategic concern from a note using the ladder's phrases. */
static int derive_strategic(eng *E, const aev *e)
{
    const char *phrase = e->narrative ? strategic_phrase(E->L, e->narrative) : NULL;
    if (!phrase)
        return 0;
    /* sized to the record id, never cut: a cut id could join two concerns */
    char *id = NULL, *title = NULL;
    if (asprintf(&id, "auto:strategic:%s:%s", e->agency, e->record_id) < 0)
        id = NULL;
    if (asprintf(&title, "Strategic: \"%s\" in %s %s %s", phrase, e->agency,
                 e->type ? e->type : "event", e->record_id) < 0)
        title = NULL;
    if (!id || !title) {
        free(id);
        free(title);
        return JD_ENOMEM;
    }
    const jd_ladder *L = E->L;
    json_t *b = json_pack(
        "{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:[{s:s,s:s}],s:s,s:s,s:b,s:b,s:b,s:s}", "kind", "pattern",
        "subject", phrase, "title", title, "opened_at", jd_concern__time_json(e->known), "rung",
        L->rung[L->strategic_rung].id, "ceiling", L->rung[L->nrungs - 1].id, "level", "high",
        "records", "agency", e->agency, "record_id", e->record_id, "source", "rule:strategic",
        "rule", "a note uses words of organised abuse (DOMAIN 5.1)", "strategic", 1, "disclosure",
        0, "automatic", 1, "raised_by", "joindots");
    int rc = !b || json_object_set_new(E->strategic, id, b) < 0 ? JD_ENOMEM : 0;
    free(id);
    free(title);
    return rc;
}

/* ---- derived concerns from alerts ---- */

static bool kind_listed(const jd_ladder *L, const char *kind)
{
    size_t i;
    json_t *k;
    json_array_foreach(L->alert_kinds, i, k) if (kind && json_string_value(k) &&
                                                 !strcmp(kind, json_string_value(k))) return true;
    return false;
}

/* What a rule can use of an analysis alert: networks, and alerts that
 * reached a level with a rung. */
static bool of_interest(const jd_ladder *L, json_t *a)
{
    const char *kind = jd_concern__jstr(a, "kind");
    int lvl = jd_concern__level_parse(jd_concern__jstr(a, "level"));
    return kind && (!strcmp(kind, "exploitation_network") ||
                    (kind_listed(L, kind) && lvl > 0 && L->rung_by_level[lvl] >= 0));
}

/* Level steps of an alert: its history, or its level at raised_at. */
static json_t *alert_steps(json_t *a)
{
    json_t *h = json_object_get(a, "history"), *out = json_array();
    size_t i;
    json_t *s;
    if (json_is_array(h) && json_array_size(h))
        json_array_foreach(h, i, s) json_array_append_new(
            out, json_pack("{s:I,s:s}", "at",
                           (json_int_t)jd_concern__json_time(json_object_get(s, "raised_at")),
                           "level", jd_concern__jstr(s, "level") ? jd_concern__jstr(s, "level") : "low"));
    else
        json_array_append_new(
            out, json_pack("{s:I,s:s}", "at",
                           (json_int_t)jd_concern__json_time(json_object_get(a, "raised_at")),
                           "level", jd_concern__jstr(a, "level") ? jd_concern__jstr(a, "level") : "low"));
    return out;
}

static int cmp_step(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int64_t tx = json_integer_value(json_object_get(x, "at"));
    int64_t ty = json_integer_value(json_object_get(y, "at"));
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return jd_concern__level_parse(jd_concern__jstr(y, "level")) - jd_concern__level_parse(jd_concern__jstr(x, "level"));
}

/* Sorted steps reduced to first rises at levels that have a rung. */
static json_t *rises(const jd_ladder *L, json_t *steps, int min_level)
{
    size_t n = json_array_size(steps);
    json_t **v = malloc((n + 1) * sizeof *v);
    json_t *out = json_array();
    if (!v)
        return out;
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(steps, i);
    qsort(v, n, sizeof *v, cmp_step);
    int cur = 0;
    for (size_t i = 0; i < n; i++) {
        int l = jd_concern__level_parse(jd_concern__jstr(v[i], "level"));
        if (l > cur && l >= min_level && (min_level > 0 || L->rung_by_level[l] >= 0)) {
            json_t *c = json_object();
            json_object_set_new(
                c, "at", jd_concern__time_json(json_integer_value(json_object_get(v[i], "at"))));
            json_object_set(c, "level", json_object_get(v[i], "level"));
            json_array_append_new(out, c);
            cur = l;
        }
    }
    free(v);
    return out;
}

static void add_records(json_t *dst, json_t *src)
{
    size_t i;
    json_t *r;
    json_array_foreach(src, i, r)
    {
        if (json_array_size(dst) >= MAX_RECORDS)
            return;
        bool dup = false;
        size_t j;
        json_t *d;
        json_array_foreach(dst, j, d) dup |= json_equal(d, r);
        if (!dup)
            json_array_append(dst, r);
    }
}

/* The pattern concern of one exploitation-network alert, when its levels
 * rise to a rung. */
static void derive_network(eng *E, json_t *a, const char *aid)
{
    const jd_ladder *L = E->L;
    json_t *steps = alert_steps(a);
    json_t *r = rises(L, steps, 1);
    json_decref(steps);
    if (!json_array_size(r)) {
        json_decref(r);
        return;
    }
    char id[400], title[600];
    snprintf(id, sizeof id, "auto:network:%s", aid);
    snprintf(title, sizeof title, "Exploitation network %s (%zu members)", aid,
             json_array_size(json_object_get(a, "members")));
    json_t *first = json_array_get(r, 0);
    json_t *recs = json_array();
    add_records(recs, json_object_get(a, "records"));
    json_t *b = json_pack("{s:s,s:s,s:s,s:O,s:s,s:s,s:O,s:o,s:o,s:s,s:s,s:b,s:b,s:b,s:s}",
                          "kind", "pattern", "subject", aid, "title", title, "opened_at",
                          json_object_get(first, "at"), "rung", L->rung[L->network_rung].id,
                          "ceiling", L->rung[L->nrungs - 1].id, "level",
                          json_object_get(first, "level"), "steps", json_array(), "records",
                          recs, "source", "rule:network", "alert", aid, "strategic", 0,
                          "disclosure", 0, "automatic", 1, "raised_by", "joindots");
    if (b && json_object_get(a, "around")) /* the person the network is named after */
        json_object_set(b, "around", json_object_get(a, "around"));
    for (size_t k = 1; k < json_array_size(r); k++)
        json_array_append(json_object_get(b, "steps"), json_array_get(r, k));
    json_object_set_new(E->derived, id, b);
    json_decref(r);
}

/* The concern of one child whose alerts rise to a rung (p: the child's
 * steps, records, alerts, subject and disclosure). */
static int derive_child(eng *E, jd_escalate_stats *st, const char *pid, json_t *p)
{
    const jd_ladder *L = E->L;
    json_t *r = rises(L, json_object_get(p, "steps"), 0);
    if (!json_array_size(r)) {
        json_decref(r);
        return JD_OK;
    }
    json_t *first = json_array_get(r, 0);
    int l0 = jd_concern__level_parse(jd_concern__jstr(first, "level"));
    int rung = L->rung_by_level[l0];
    int ceil = rung > L->individual_ceiling ? rung : L->individual_ceiling;
    int64_t t0 = jd_concern__json_time(json_object_get(first, "at"));
    if (!st->first_high_at || t0 < st->first_high_at)
        st->first_high_at = t0;
    char id[400], title[600];
    snprintf(id, sizeof id, "auto:child:%s", pid);
    snprintf(title, sizeof title, "Child %s: alerts at %s", pid,
             jd_concern__jstr(json_array_get(r, json_array_size(r) - 1), "level"));
    json_t *steps = json_array();
    for (size_t k = 1; k < json_array_size(r); k++)
        json_array_append(steps, json_array_get(r, k));
    json_t *b = json_pack(
        "{s:s,s:s,s:s,s:O,s:s,s:s,s:O,s:o,s:O,s:O,s:O,s:s,s:b,s:O,s:b,s:s}", "kind", "child",
        "subject", pid, "title", title, "opened_at", json_object_get(first, "at"), "rung",
        L->rung[rung].id, "ceiling", L->rung[ceil].id, "level", json_object_get(first, "level"),
        "steps", steps, "records", json_object_get(p, "records"), "alerts",
        json_object_get(p, "alerts"), "subject_ref", json_object_get(p, "subject"), "source",
        "rule:alert_level", "strategic", 0, "disclosure", json_object_get(p, "disclosure"),
        "automatic", 1, "raised_by", "joindots");
    json_decref(r);
    if (!b)
        return JD_ENOMEM;
    json_object_set_new(E->derived, id, b);
    return JD_OK;
}

static int derive_from_alerts(eng *E, json_t *alerts, jd_escalate_stats *st)
{
    const jd_ladder *L = E->L;
    json_t *per = json_object(); /* person_id -> {steps, records, alerts, subject, disclosure} */
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a)
    {
        const char *kind = jd_concern__jstr(a, "kind"), *aid = jd_concern__jstr(a, "id");
        if (!kind || !aid)
            continue;
        if (!strcmp(kind, "exploitation_network")) {
            derive_network(E, a, aid);
            continue;
        }
        json_t *subj = json_object_get(a, "subject");
        const char *pid = jd_concern__jstr(subj, "person_id");
        if (!pid || !kind_listed(L, kind))
            continue;
        json_t *p = json_object_get(per, pid);
        if (!p) {
            p = json_pack("{s:[],s:[],s:[],s:O,s:b}", "steps", "records", "alerts", "subject", subj,
                          "disclosure", 0);
            json_object_set_new(per, pid, p);
        }
        json_t *steps = alert_steps(a);
        bool used = false;
        size_t k;
        json_t *s;
        json_array_foreach(steps, k, s)
        {
            int l = jd_concern__level_parse(jd_concern__jstr(s, "level"));
            if (l > 0 && L->rung_by_level[l] >= 0) {
                json_array_append(json_object_get(p, "steps"), s);
                used = true;
            }
        }
        json_decref(steps);
        if (!used)
            continue;
        json_array_append_new(json_object_get(p, "alerts"), json_string(aid));
        add_records(json_object_get(p, "records"), json_object_get(a, "records"));
        if (!strcmp(kind, "unrecorded_crime"))
            json_object_set_new(p, "disclosure", json_true());
    }
    const char *pid;
    json_t *p;
    json_object_foreach(per, pid, p)
    {
        if (derive_child(E, st, pid, p) < 0) {
            json_decref(per);
            return JD_ENOMEM;
        }
    }
    json_decref(per);
    return JD_OK;
}

/* ---- linked children ---- */

typedef struct edge {
    int64_t t, ev;
    uint32_t a, b;
} edge;

static int cmp_edge(const void *x, const void *y)
{
    const edge *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->ev != b->ev)
        return a->ev < b->ev ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

static int cmp_pid(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Edges between children with concerns who appear in one event, in event
 * id order and, within an event, from the first child by person id; an
 * edge counts from the latest of the event's known time and the moments
 * both children reached the pattern's level. */
static int linked_edges(const eng *E, json_t *kids, const int64_t *since, edge **out_ed,
                        size_t *out_ne)
{
    const jd_snapshot *S = E->S;
    edge *ed = NULL;
    size_t ne = 0, ecap = 0, pcap = 0;
    const char **pid = NULL;
    int rc = JD_OK;
    for (size_t e = 0; e < S->nev && rc == JD_OK; e++) {
        const aev *ev = &S->ev[e];
        if (ev->nm < 2)
            continue;
        if (jd_grow((void **)&pid, &pcap, ev->nm, sizeof *pid) < 0) {
            rc = JD_ENOMEM;
            break;
        }
        for (uint32_t k = 0; k < ev->nm; k++)
            pid[k] = S->p[S->m[S->by_event[ev->m0 + k]].person].pid;
        qsort(pid, ev->nm, sizeof *pid, cmp_pid);
        int64_t first = -1;
        for (uint32_t j = 0; j < ev->nm; j++) {
            json_t *k = json_object_get(kids, pid[j]);
            if (!k || (j > 0 && !strcmp(pid[j], pid[j - 1])))
                continue;
            int64_t x = json_integer_value(k);
            if (first < 0) {
                first = x;
            } else if (x != first) {
                int64_t t = ev->known;
                if (since[first] > t)
                    t = since[first];
                if (since[x] > t)
                    t = since[x];
                if (jd_grow((void **)&ed, &ecap, ne + 1, sizeof *ed) < 0) {
                    rc = JD_ENOMEM;
                    break;
                }
                ed[ne++] = (edge){t, ev->id, (uint32_t)first, (uint32_t)x};
            }
        }
    }
    free(pid);
    if (rc < 0) {
        free(ed);
        return rc;
    }
    *out_ed = ed;
    *out_ne = ne;
    return JD_OK;
}

static uint32_t find(uint32_t *up, uint32_t x)
{
    while (up[x] != x)
        x = up[x] = up[up[x]];
    return x;
}

/* A group concern's members and records: the children whose root is `root`
 * and the records of their concerns (capped). */
static void fill_group(eng *E, json_t *nb, uint32_t *up, uint32_t root, const char **names,
                       size_t nk)
{
    json_t *m = json_array(), *recs = json_array();
    for (size_t k = 0; k < nk; k++) {
        if (find(up, (uint32_t)k) != root)
            continue;
        json_array_append_new(m, json_string(names[k]));
        char cid[400];
        snprintf(cid, sizeof cid, "auto:child:%s", names[k]);
        add_records(recs, json_object_get(json_object_get(E->derived, cid), "records"));
    }
    json_object_set_new(nb, "members", m);
    json_object_set_new(nb, "records", recs);
}

/* The base of a linked-children concern opened at t for a group of n. */
static json_t *group_concern(const jd_ladder *L, const char *id, uint32_t n, int64_t t)
{
    char title[200];
    snprintf(title, sizeof title,
             "Linked children: %u children with concerns appear in the same records", n);
    return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:[],s:o,s:s,s:b,s:b,s:b,s:s}", "kind",
                     "pattern", "subject", id, "title", title, "opened_at",
                     jd_concern__time_json(t), "rung", L->rung[L->pattern_rung].id, "ceiling",
                     L->rung[L->nrungs - 1].id, "level", "high", "steps", "records", json_array(),
                     "source", "rule:linked_children", "strategic", 0, "disclosure", 0,
                     "automatic", 1, "raised_by", "joindots");
}

/* Children with a concern at the pattern's level, and when they reached it. */
typedef struct kidset {
    json_t *index; /* pid -> index */
    int64_t *since;
    const char **names; /* borrowed from the derived concerns */
    size_t n;
} kidset;

/* When a derived child concern first reached the pattern's level, 0 never. */
static int64_t reached_pattern_level(const jd_ladder *L, json_t *b)
{
    if (jd_concern__level_parse(jd_concern__jstr(b, "level")) >= L->pattern_min_level)
        return jd_concern__json_time(json_object_get(b, "opened_at"));
    size_t k;
    json_t *s;
    json_array_foreach(json_object_get(b, "steps"), k, s)
    {
        if (jd_concern__level_parse(jd_concern__jstr(s, "level")) >= L->pattern_min_level)
            return jd_concern__json_time(json_object_get(s, "at"));
    }
    return 0;
}

static int concern_children(const eng *E, kidset *K)
{
    size_t cap = 0, scap = 0;
    const char *id;
    json_t *b;
    json_object_foreach(E->derived, id, b)
    {
        if (strncmp(id, "auto:child:", 11) != 0)
            continue;
        int64_t t = reached_pattern_level(E->L, b);
        if (!t)
            continue;
        if (jd_grow((void **)&K->since, &scap, K->n + 1, sizeof *K->since) < 0 ||
            jd_grow((void **)&K->names, &cap, K->n + 1, sizeof *K->names) < 0)
            return JD_ENOMEM;
        K->since[K->n] = t;
        K->names[K->n] = jd_concern__jstr(b, "subject");
        json_object_set_new(K->index, K->names[K->n], json_integer((json_int_t)K->n));
        K->n++;
    }
    return JD_OK;
}

static int derive_linked(eng *E)
{
    const jd_ladder *L = E->L;
    kidset K = {json_object(), NULL, NULL, 0};
    if (concern_children(E, &K) < 0) {
        free(K.since);
        free(K.names);
        json_decref(K.index);
        return JD_ENOMEM;
    }
    json_t *kids = K.index;
    size_t nk = K.n;
    int64_t *since = K.since;
    const char **names = K.names;
    edge *ed = NULL;
    size_t ne = 0;
    int rc = linked_edges(E, kids, since, &ed, &ne);
    uint32_t *up = calloc(nk + 1, sizeof *up), *size = calloc(nk + 1, sizeof *size);
    char **cname = calloc(nk + 1, sizeof *cname);
    bool *opened = calloc(nk + 1, sizeof *opened);
    json_t **recs = calloc(nk + 1, sizeof *recs);
    if (rc == JD_OK && (!up || !size || !cname || !opened || !recs))
        rc = JD_ENOMEM;
    if (rc == JD_OK) {
        for (size_t k = 0; k < nk; k++) {
            up[k] = (uint32_t)k;
            size[k] = 1;
        }
        if (ne > 1)
            qsort(ed, ne, sizeof *ed, cmp_edge);
    }
    for (size_t e = 0; rc == JD_OK && e < ne; e++) {
        uint32_t ra = find(up, ed[e].a), rb = find(up, ed[e].b);
        if (ra == rb)
            continue;
        /* the older name survives: the root with a name wins, else the new edge names it */
        if (!cname[ra] && cname[rb]) {
            uint32_t t = ra;
            ra = rb;
            rb = t;
        }
        up[rb] = ra;
        size[ra] += size[rb];
        if (!cname[ra]) {
            const char *x = names[ed[e].a], *y = names[ed[e].b];
            if (strcmp(x, y) > 0) {
                const char *t = x;
                x = y;
                y = t;
            }
            if (asprintf(&cname[ra], "auto:linked:%s+%s", x, y) < 0) {
                cname[ra] = NULL;
                rc = JD_ENOMEM;
                break;
            }
        }
        opened[ra] = opened[ra] || opened[rb];
        if (!recs[ra])
            recs[ra] = json_array();
        if (recs[rb]) {
            add_records(recs[ra], recs[rb]);
            json_decref(recs[rb]);
            recs[rb] = NULL;
        }
        if (!opened[ra] && size[ra] >= (uint32_t)L->pattern_min_children) {
            opened[ra] = true;
            json_t *nb = group_concern(L, cname[ra], size[ra], ed[e].t);
            if (!nb) {
                rc = JD_ENOMEM;
                break;
            }
            json_object_set_new(E->derived, cname[ra], nb);
            fill_group(E, nb, up, ra, names, nk);
        }
        free(cname[rb]);
        cname[rb] = NULL;
    }
    /* members of each group as of T, and the records their concerns rest on */
    for (size_t k = 0; rc == JD_OK && k < nk; k++) {
        uint32_t r = find(up, (uint32_t)k);
        json_t *nb = cname[r] ? json_object_get(E->derived, cname[r]) : NULL;
        if (nb)
            fill_group(E, nb, up, r, names, nk);
    }
    for (size_t k = 0; k < nk && cname && recs; k++) {
        free(cname[k]);
        json_decref(recs[k]);
    }
    free(cname);
    free(recs);
    free(opened);
    free(up);
    free(size);
    free(ed);
    free(since);
    free(names);
    json_decref(kids);
    return rc;
}

/* ---- stored concerns ---- */

typedef struct stored {
    json_t *rows; /* id -> {version, automatic, base, state(string)} */
    json_t *hist; /* id -> {history: [], human: []} (human: at <= T) */
    int64_t T;
} stored;

static int on_stored(const jd_concern_rec *r, void *payload)
{
    stored *S = payload;
    json_t *b = json_loads(r->base, 0, NULL);
    if (!b)
        return 0;
    json_t *o = json_pack("{s:I,s:b,s:o,s:s}", "version", (json_int_t)r->version, "automatic",
                          r->automatic, "base", b, "state", r->state);
    return o && json_object_set_new(S->rows, r->id, o) == 0 ? 0 : JD_ENOMEM;
}

static int on_stored_ev(const jd_concern_evrec *e, void *payload)
{
    stored *S = payload;
    json_t *h = json_object_get(S->hist, e->concern_id);
    if (!h) {
        h = json_pack("{s:[],s:[]}", "history", "human");
        json_object_set_new(S->hist, e->concern_id, h);
    }
    json_t *o = json_loads(e->doc, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    json_object_set_new(o, "action", json_string(e->action));
    json_object_set_new(o, "actor", json_string(e->actor));
    json_object_set_new(o, "role", json_string(e->role));
    json_object_set_new(o, "automatic", json_boolean(e->automatic));
    json_t *hum = json_deep_copy(o);
    json_object_set_new(o, "at", jd_concern__time_json(e->at));
    json_array_append_new(json_object_get(h, "history"), o);
    json_object_set_new(hum, "at", json_integer(e->at));
    if (jd_concern__replayed(e, S->T))
        json_array_append_new(json_object_get(h, "human"), hum);
    else
        json_decref(hum);
    return 0;
}

/* ---- escalation alerts ---- */

/* One output line: an analysis alert (text borrowed from the analysis
 * buffer) or an escalation alert (owned). */
typedef struct line {
    char *id, *text;
    bool owned;
} line;

static int cmp_line(const void *a, const void *b)
{
    return strcmp(((const line *)a)->id, ((const line *)b)->id);
}

static json_t *escalation_alert(const char *id, json_t *base, json_t *state)
{
    json_t *rungs = json_object_get(state, "rungs");
    size_t n = json_array_size(rungs);
    if (!n)
        return NULL;
    json_t *first = json_array_get(rungs, 0);
    if (n == 1 && !strcmp(jd_concern__jstr(first, "rung"), "practitioner"))
        return NULL;
    json_t *hist = json_array(), *ex = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rungs, i, r)
    {
        json_array_append_new(hist, json_pack("{s:O,s:O,s:O}", "level", json_object_get(r, "level"),
                                              "raised_at", json_object_get(r, "at"), "rung",
                                              json_object_get(r, "rung")));
        char b[700];
        snprintf(b, sizeof b, "concern %s reached %s on %s: %s (%s)", id, jd_concern__jstr(r, "rung"),
                 jd_concern__jstr(r, "at") ? jd_concern__jstr(r, "at") : "?", jd_concern__jstr(r, "why") ? jd_concern__jstr(r, "why") : "",
                 json_is_true(json_object_get(r, "automatic")) ? "automatic"
                 : jd_concern__jstr(r, "by")                               ? jd_concern__jstr(r, "by")
                                                               : "");
        json_array_append_new(ex, json_string(b));
    }
    char aid[600];
    snprintf(aid, sizeof aid, "escalation:concern:%s", id);
    json_t *last = json_array_get(rungs, n - 1);
    json_t *a = json_pack(
        "{s:s,s:s,s:O,s:O,s:O,s:o,s:o,s:s,s:O,s:O,s:O}", "id", aid, "kind", "escalation", "level",
        json_object_get(state, "level"), "raised_at", json_object_get(last, "at"), "records",
        json_object_get(base, "records"), "explanation", ex, "history", hist, "concern", id, "rung",
        json_object_get(state, "rung"), "status", json_object_get(state, "status"), "on_agenda",
        json_object_get(state, "on_agenda"));
    if (a && json_object_get(base, "subject_ref"))
        json_object_set(a, "subject", json_object_get(base, "subject_ref"));
    return a;
}

/* ---- driver ---- */

/* ---- concern bases stored by the analysis (issue 17 item 4) ---- */

/* The concern bases of E's snapshot and the alerts a rule can use: from
 * notes, alerts and children linked in events (strategic ones included).
 * 0 or JD_ENOMEM. */
static int derive_bases(eng *E, json_t *alerts, jd_escalate_stats *st)
{
    for (size_t e = 0; e < E->S->nev; e++)
        if (derive_strategic(E, &E->S->ev[e]) < 0)
            return JD_ENOMEM;
    if (derive_from_alerts(E, alerts, st) < 0 || derive_linked(E) < 0)
        return JD_ENOMEM;
    json_object_update(E->derived, E->strategic);
    return 0;
}

#define BASES_DOC "concern_bases"
#define BASES_PART 256 /* concerns per part document */

/* Concerns a part holds: BASES_PART, or fewer when JD_CONCERN_BASES_PART
 * (1..BASES_PART) says so, which lets a test fold parts on a small county. */
static size_t bases_part_size(void)
{
    const char *v = getenv("JD_CONCERN_BASES_PART");
    char *end = NULL;
    long n = v && *v ? strtol(v, &end, 10) : 0;
    return end && !*end && n >= 1 && n <= BASES_PART ? (size_t)n : BASES_PART;
}
#define STREAM_CACHE_KIB 2048 /* page cache of a streamed export */

/* The stored alerts of the run, read once for the rules and the documents. */
typedef struct tee_alerts {
    const jd_ladder *L;
    json_t *alerts;
    jd_netdocs *N;
} tee_alerts;

static int tee_alert(const char *doc, void *payload)
{
    tee_alerts *k = payload;
    json_t *a = json_loads(doc, 0, NULL);
    if (!a)
        return 0;
    jd_network__docs_alert(k->N, a);
    if (of_interest(k->L, a))
        return json_array_append_new(k->alerts, a) == 0 ? 0 : JD_ENOMEM;
    json_decref(a);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One part of the bases: "concern_bases:K" (K from 1) with the tag. */
static int bases_part(jd_doc_save *d, json_t *concerns, const char *tag, size_t k)
{
    char *name = NULL;
    if (asprintf(&name, "%s:%06zu", BASES_DOC, k) < 0)
        return JD_ENOMEM;
    json_t *doc = json_pack("{s:s,s:O}", "tag", tag, "concerns", concerns);
    char *txt = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!txt) {
        free(name);
        return JD_ENOMEM;
    }
    d->name = name;
    d->doc = txt;
    return JD_OK;
}

/* The concern bases of E's snapshot and the run's alerts (they do not
 * depend on the clock), saved as a head document, {"first_high_at", "parts",
 * "tag"}, and parts of at most BASES_PART concerns each ("concern_bases:N",
 * {"tag", "concerns"}, the concerns ordered by id across the parts), so
 * that a reader holds one part at a time, never the whole set, and folds
 * the concerns in the order their escalation alerts are written; the tag
 * names this save, so a part of another save is never folded with it. */
static int bases_save(jd_store *s, eng *E, json_t *alerts, jd_error *err)
{
    jd_escalate_stats st;
    memset(&st, 0, sizeof st);
    if (derive_bases(E, alerts, &st) < 0)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    size_t per = bases_part_size();
    size_t n = json_object_size(E->derived), np = (n + per - 1) / per;
    jd_doc_save *d = calloc(np + 1, sizeof *d);
    char tag[64];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(tag, sizeof tag, "%lld.%09ld.%ld", (long long)ts.tv_sec, ts.tv_nsec, (long)getpid());
    int rc = d ? JD_OK : JD_ENOMEM;
    json_t *part = NULL;
    size_t k = 0;
    const char **ids = calloc(n + 1, sizeof *ids);
    const char *key;
    json_t *b;
    size_t ni = 0;
    if (!ids)
        rc = JD_ENOMEM;
    else
        json_object_foreach(E->derived, key, b) ids[ni++] = key;
    if (ni > 1)
        qsort(ids, ni, sizeof *ids, cmp_str);
    for (size_t i = 0; i < ni; i++) {
        const char *id = ids[i];
        b = json_object_get(E->derived, id);
        if (rc < 0)
            break;
        if ((!part && !(part = json_object())) || json_object_set(part, id, b) < 0) {
            rc = JD_ENOMEM;
            break;
        }
        if (json_object_size(part) == per) {
            k++;
            rc = bases_part(&d[k], part, tag, k);
            json_decref(part);
            part = NULL;
        }
    }
    if (rc == JD_OK && part) {
        k++;
        rc = bases_part(&d[k], part, tag, k);
    }
    free(ids);
    json_decref(part);
    json_t *head = rc == JD_OK ? json_pack("{s:I,s:I,s:s}", "first_high_at",
                                           (json_int_t)st.first_high_at, "parts",
                                           (json_int_t)k, "tag", tag)
                               : NULL;
    if (head) {
        d[0].name = BASES_DOC;
        d[0].doc = json_dumps(head, JSON_COMPACT);
    }
    json_decref(head);
    if (rc == JD_OK && !(d[0].doc))
        rc = JD_ENOMEM;
    rc = rc < 0 ? jd_error_set(err, JD_ENOMEM, "out of memory")
                : s->ops->docs_replace(s, BASES_DOC, d, k + 1, err);
    for (size_t i = 0; d && i <= np; i++) {
        free((char *)d[i].doc);
        if (i)
            free((char *)d[i].name);
    }
    free(d);
    return rc;
}

int jd_escalate_analyse(jd_store *s, const jd_analyse_opts *opts, jd_analyse_stats *stats,
                        jd_error *err)
{
    if (!s || !opts)
        return jd_error_set(err, JD_EINVALID, "a store and options are required");
    if (!opts->save || opts->as_of != JD_AS_OF_NOW || opts->rules_path)
        return jd_analyse(s, opts, NULL, stats, err);
    if (!s->ops->docs_replace)
        return jd_error_set(err, JD_ESTORE, "this store keeps no analysis documents");
    jd_ladder *L = NULL;
    jd_netdocs *N = NULL;
    jd_snapshot snap;
    memset(&snap, 0, sizeof snap);
    eng E;
    memset(&E, 0, sizeof E);
    tee_alerts k = {NULL, json_array(), NULL};
    int rc = jd_ladder__load(&L, NULL, err);
    if (rc < 0)
        goto out;
    E.L = k.L = L;
    E.err = err;
    E.T = (int64_t)time(NULL);
    E.S = &snap;
    E.derived = json_object();
    E.strategic = json_object();
    if (!E.derived || !E.strategic || !k.alerts) {
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        goto out;
    }
    /* 1. one snapshot for all (with each mention's detail, for the profiles);
     * 2. the analysis of it, saved (its stats zeroed, then the load time).
     * On partitions (issue 20) the analysis loads its own, partition after
     * partition, and its network pass the whole county's, handed here */
    int nparts = jd_analyse_partitions(s, opts, err);
    if ((rc = nparts) < 0 ||
        (nparts > 1 && (rc = jd_network__analyse_parts(s, opts, nparts, stats, &snap, err)) < 0))
        goto out;
    if (nparts <= 1) {
        jd_snapshot_opts so = {JD_AS_OF_NOW, true, NULL, 0, 0, NULL, 0, false};
        double t0 = jd_secs();
        if ((rc = jd_snapshot__load(&snap, s, &so, err)) < 0)
            goto out;
        double load = jd_secs() - t0;
        rc = jd_network__analyse(&snap, s, opts, NULL, stats, err);
        if (stats)
            stats->seconds_load = load;
    }
    if (rc < 0 ||
        (rc = jd_network__docs_new(&N, &snap, err)) < 0)
        goto out;
    k.N = N;
    /* 3. its alerts as stored, once, for both */
    bool ran = false;
    if ((rc = s->ops->alerts_read(s, &ran, tee_alert, &k, err)) != JD_OK) {
        if (rc > 0 || rc == JD_ENOMEM)
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        goto out;
    }
    /* 4. the concern bases, then the graph, hotspots and profiles */
    if ((rc = bases_save(s, &E, k.alerts, err)) < 0)
        goto out;
    rc = jd_network__docs_store(N, s, err);
out:
    json_decref(k.alerts);
    json_decref(E.derived);
    json_decref(E.strategic);
    jd_network__docs_free(N);
    jd_snapshot__dispose(&snap);
    jd_ladder__free(L);
    return rc;
}

/* The stored bases, when they are of the latest full analysis and nothing
 * was ingested or resolved since (B->have): the head's parts and tag, or
 * the concerns whole (B->whole, new reference) of a store saved before
 * they were kept in parts. */
typedef struct bases_src {
    bool have;
    int64_t parts;
    char *tag;
    json_t *whole;
} bases_src;

static int bases_load(jd_store *s, bases_src *B, int64_t *first_high_at, jd_error *err)
{
    if (!s->ops->doc_get)
        return JD_OK;
    char *txt = NULL;
    jd_doc_state state;
    int rc = s->ops->doc_get(s, BASES_DOC, &txt, &state, err);
    if (rc < 0 || state != JD_DOC_CURRENT) {
        free(txt);
        return rc;
    }
    json_t *doc = json_loads(txt, 0, NULL);
    free(txt);
    json_t *c = json_object_get(doc, "concerns");
    json_t *parts = json_object_get(doc, "parts");
    const char *tag = jd_concern__jstr(doc, "tag");
    if (json_is_object(c)) {
        B->whole = json_incref(c);
        B->have = true;
    } else if (json_is_integer(parts) && json_integer_value(parts) >= 0 && tag) {
        B->parts = json_integer_value(parts);
        B->have = (B->tag = strdup(tag)) != NULL;
        rc = B->have ? JD_OK : jd_oom(err);
    }
    if (B->have)
        *first_high_at = json_integer_value(json_object_get(doc, "first_high_at"));
    json_decref(doc);
    return rc;
}

/* Part k of the bases (its concerns, new reference), read when it is still
 * of the head's save. */
static int bases_part_load(jd_store *s, const bases_src *B, int64_t k, json_t **out,
                           jd_error *err)
{
    char name[64], *txt = NULL;
    jd_doc_state state;
    snprintf(name, sizeof name, "%s:%06lld", BASES_DOC, (long long)k);
    int rc = s->ops->doc_get(s, name, &txt, &state, err);
    if (rc < 0)
        return rc;
    json_t *doc = state == JD_DOC_CURRENT && txt ? json_loads(txt, 0, NULL) : NULL;
    free(txt);
    const char *tag = jd_concern__jstr(doc, "tag");
    json_t *c = json_object_get(doc, "concerns");
    if (!tag || strcmp(tag, B->tag) || !json_is_object(c)) {
        json_decref(doc);
        return jd_error_set(err, JD_ECONFLICT,
                            "the stored concern bases changed while they were read (an analysis "
                            "ran meanwhile): run again");
    }
    *out = json_incref(c);
    json_decref(doc);
    return JD_OK;
}

/* Writing the stored analysis alerts, ordered by id, with the escalation
 * lines (sorted) merged in. */
typedef struct merge_ctx {
    FILE *f;
    line *lines;
    size_t n, next;
    int64_t written;
    bool failed;
} merge_ctx;

static int put_line(merge_ctx *m, const char *text)
{
    if (fputs(text, m->f) == EOF || fputc('\n', m->f) == EOF) {
        m->failed = true;
        return JD_EIO;
    }
    m->written++;
    return 0;
}

/* The id of a stored alert document (malloc'd; NULL when out of memory). */
static char *doc_id(const char *doc)
{
    /* the analysis writes "id" first; an id with escapes is decoded whole */
    char *id = NULL;
    const char *p = !strncmp(doc, "{\"id\":\"", 7) ? doc + 7 : NULL;
    const char *q = p ? strchr(p, '"') : NULL;
    if (q && !memchr(p, '\\', (size_t)(q - p))) {
        id = strndup(p, (size_t)(q - p));
    } else {
        json_t *a = json_loads(doc, 0, NULL);
        id = strdup(jd_concern__jstr(a, "id") ? jd_concern__jstr(a, "id") : "");
        json_decref(a);
    }
    return id;
}

/* The escalation alerts of concerns are named ESC_PREFIX + concern id; an
 * analysis alert is named kind:subject and never so. */
#define ESC_PREFIX "escalation:concern:"

/* The stored alerts written around the escalation alerts of concerns: those
 * before them (the walk stops at the first after), or, after = true, those
 * after them. */
typedef struct split_ctx {
    merge_ctx *m;
    bool after;
    int cb_rc; /* a failure of the callback's own */
} split_ctx;

static int split_doc(const char *doc, void *payload)
{
    split_ctx *x = payload;
    char *id = doc_id(doc);
    if (!id)
        return x->cb_rc = JD_ENOMEM;
    int c = strncmp(id, ESC_PREFIX, strlen(ESC_PREFIX)), rc = 0;
    free(id);
    if (!x->after)
        rc = c < 0 ? put_line(x->m, doc) : 1;
    else if (c == 0)
        rc = JD_ECONFLICT;
    else if (c > 0)
        rc = put_line(x->m, doc);
    return rc < 0 ? (x->cb_rc = rc) : rc;
}

static int merge_doc(const char *doc, void *payload)
{
    merge_ctx *m = payload;
    char *id = doc_id(doc);
    if (!id)
        return JD_ENOMEM;
    int rc = 0;
    while (rc == 0 && m->next < m->n && strcmp(m->lines[m->next].id, id) < 0)
        rc = put_line(m, m->lines[m->next++].text);
    free(id);
    return rc == 0 ? put_line(m, doc) : rc;
}

static int64_t board_time(const jd_ladder *L, json_t *base, json_t *state)
{
    if (json_is_true(json_object_get(base, "strategic")))
        return jd_concern__json_time(json_object_get(base, "opened_at"));
    size_t i;
    json_t *r;
    json_array_foreach(
        json_object_get(state, "rungs"), i,
        r) if (jd_concern__jstr(r, "rung") &&
               !strcmp(
                   jd_concern__jstr(r, "rung"),
                   L->rung[L->nrungs - 1].id)) return jd_concern__json_time(json_object_get(r,
                                                                                            "at"));
    return 0;
}

/* One run of the engine: what the phases below share. */
typedef struct run {
    jd_store *s;
    const jd_escalate_opts *o;
    jd_escalate_stats *stats;
    jd_error *err;
    const jd_ladder *L;
    int64_t as_of, now, T;
    eng E;
    jd_snapshot snap;
    stored S;
    char *abuf; /* the analysis's alerts as JSON Lines; lines point into it */
    size_t alen;
    json_t *alerts; /* those a rule can use */
    line *lines;    /* alert lines to write (alerts_out) */
    size_t nlines, lcap;
    bool streamed; /* analysis alerts streamed from the store at the end */
    merge_ctx *direct; /* escalation lines written as folded (stored bases in parts) */
} run;

static int nomem(run *R)
{
    return jd_oom(R->err);
}

/* 1. What was known by T (the snapshot) and the analysis of it, as JSON
 * Lines in R->abuf. */
static int analyse_at(run *R)
{
    jd_snapshot_opts so = {R->as_of, false, NULL, 0, 0, NULL, 0, false};
    int rc = jd_snapshot__load(&R->snap, R->s, &so, R->err);
    if (rc < 0)
        return rc;
    R->E.S = &R->snap;
    FILE *mf = open_memstream(&R->abuf, &R->alen);
    if (!mf)
        return nomem(R);
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.as_of = R->as_of;
    ao.now = R->now;
    ao.rules_path = R->o->rules_path;
    rc = jd_network__analyse(&R->snap, R->s, &ao, mf, NULL, R->err);
    if (fclose(mf) != 0 && rc == JD_OK)
        rc = nomem(R);
    return rc;
}

/* Keep each analysis alert as a line to write, and in R->alerts those a
 * rule can use: networks, and alerts that reached a level with a rung. */
static int read_alerts(run *R)
{
    for (char *p = R->abuf, *nl; p && *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = 0;
        json_t *a = json_loads(p, 0, NULL);
        if (!a)
            continue;
        if (R->o->alerts_out) {
            const char *id = jd_concern__jstr(a, "id");
            if (jd_grow((void **)&R->lines, &R->lcap, R->nlines + 1, sizeof *R->lines) < 0 ||
                !(R->lines[R->nlines].id = strdup(id ? id : ""))) {
                json_decref(a);
                return nomem(R);
            }
            R->lines[R->nlines].text = p;
            R->lines[R->nlines++].owned = false;
        }
        if (of_interest(R->L, a))
            json_array_append_new(R->alerts, a);
        else
            json_decref(a);
    }
    return JD_OK;
}

static int read_stored(run *R);

/* A subset (opts.persons): the stored alerts of the persons, and every
 * stored network alert, those a rule can use into R->alerts. */
static int subset_alert(const jd_alert_row *r, void *payload)
{
    run *R = payload;
    json_t *a = r->doc ? json_loads(r->doc, 0, NULL) : NULL;
    if (!a)
        return 0;
    if (of_interest(R->L, a))
        return json_array_append_new(R->alerts, a) == 0 ? 0 : nomem(R);
    json_decref(a);
    return 0;
}

/* opts.kept: of the incremental analysis's records (its walked persons
 * with all their events, and whoever those events name; hops over, as
 * mark_walked and the store's load_subset take them), what loading the
 * walked persons' own events (hops 0) gives: every event (each was loaded
 * as a walked person's, so each names one: no event is left out; a filter
 * on that, which could drop none, went in fix-review-a) and the persons
 * they name (subj, n). */
static int kept_subset(run *R, const char **subj, size_t *n)
{
    const jd_snapshot *S = R->E.S;
    bool *named = calloc(S->np + 1, sizeof *named);
    if (!named)
        return nomem(R);
    for (size_t e = 0; e < S->nev; e++) {
        const aev *ev = &S->ev[e];
        for (uint32_t k = 0; k < ev->nm; k++)
            named[S->m[S->by_event[ev->m0 + k]].person] = true;
    }
    *n = 0;
    for (size_t p = 0; p < S->np; p++)
        if (named[p])
            subj[(*n)++] = S->p[p].pid;
    free(named);
    return JD_OK;
}

/* 1. for a subset: the persons' own events (a snapshot of them, or what
 * opts.kept holds of them) and their stored alerts, as the last
 * (incremental) analysis saved them */
static int subset_at(run *R)
{
    const struct jd_incr_ops *I = R->s->ops->incr;
    if (!I)
        return jd_error_set(R->err, JD_EINVALID, "this store cannot escalate a subset");
    int rc = JD_OK;
    if (R->o->kept) {
        R->E.S = &R->o->kept->S;
    } else {
        jd_snapshot_opts so = {JD_AS_OF_NOW, false, R->o->persons, R->o->npersons, 0,
                               NULL, 0, false};
        if ((rc = jd_snapshot__load(&R->snap, R->s, &so, R->err)) < 0)
            return rc;
        R->E.S = &R->snap;
        R->stats->loaded = (int64_t)R->snap.nev;
    }
    /* the alerts of everyone the snapshot names: children linked in an
     * event with the persons are seen with their concerns */
    const jd_snapshot *S = R->E.S;
    const char **subj = malloc((S->np + 1) * sizeof *subj);
    if (!subj)
        return nomem(R);
    size_t n = S->np;
    if (R->o->kept) {
        rc = kept_subset(R, subj, &n);
    } else {
        for (size_t p = 0; p < S->np; p++)
            subj[p] = S->p[p].pid;
    }
    if (rc == JD_OK)
        rc = I->alerts_select(R->s, NULL, subj, n, true, subset_alert, R, R->err);
    free(subj);
    if (rc == JD_OK)
        rc = I->alerts_select(R->s, "exploitation_network", NULL, 0, true, subset_alert, R,
                              R->err);
    return rc;
}

/* The concerns a subset run folds: those derived from it, and the stored
 * child concerns of its persons (a risk that fell keeps its concern). */
static int subset_ids(run *R, json_t *ids)
{
    const char *id;
    json_t *v;
    json_object_foreach(R->E.derived, id, v) json_object_set_new(ids, id, json_true());
    for (size_t i = 0; i < R->o->npersons; i++) {
        char *cid = NULL;
        if (!R->o->persons[i])
            continue;
        if (asprintf(&cid, "auto:child:%s", R->o->persons[i]) < 0)
            return nomem(R);
        if (json_object_get(R->S.rows, cid))
            json_object_set_new(ids, cid, json_true());
        free(cid);
    }
    return JD_OK;
}

/* At most this many concerns a subset run folds are read one by one;
 * more, and every stored concern is read in one pass. */
#define SUBSET_READ_MAX 256

/* 3, for a subset: the stored rows and history of only the concerns it can
 * fold (those derived from it, its persons' child concerns), each by id,
 * instead of every concern of the store (10,687 concerns and 32,056
 * entries on the 1M-event county, for one urgent call's child). */
static int read_stored_some(run *R)
{
    size_t n = json_object_size(R->E.derived) + R->o->npersons;
    if (n > SUBSET_READ_MAX)
        return read_stored(R);
    const char *id;
    json_t *v;
    int rc = JD_OK;
    json_t *want = json_object();
    if (!want)
        return nomem(R);
    json_object_foreach(R->E.derived, id, v) json_object_set_new(want, id, json_true());
    for (size_t i = 0; i < R->o->npersons; i++) {
        char *cid = NULL;
        if (R->o->persons[i] && asprintf(&cid, "auto:child:%s", R->o->persons[i]) < 0)
            rc = JD_ENOMEM;
        if (cid)
            json_object_set_new(want, cid, json_true());
        free(cid);
    }
    json_object_foreach(want, id, v)
    {
        if (rc < 0)
            break;
        rc = R->s->ops->concern->get(R->s, id, on_stored, &R->S, R->err);
        if (rc == JD_ENOTFOUND) {
            jd_error_clear(R->err);
            rc = JD_OK;
            continue;
        }
        if (rc == JD_OK)
            rc = R->s->ops->concern->events(R->s, id, on_stored_ev, &R->S, R->err);
    }
    json_decref(want);
    return rc == JD_ENOMEM ? nomem(R) : rc;
}

/* 2. Concerns from notes, alerts and children linked in events; 3. the
 * stored concerns and their history (a subset's only, see read_stored_some). */
static int derive_and_read_stored(run *R)
{
    if (derive_bases(&R->E, R->alerts, R->stats) < 0)
        return nomem(R);
    return R->o->persons ? read_stored_some(R) : read_stored(R);
}

/* 3. The stored concerns and their history. */
static int read_stored(run *R)
{
    int rc;
    if ((rc = R->s->ops->concern->list(R->s, on_stored, &R->S, R->err)) < 0 ||
        (rc = R->s->ops->concern->events(R->s, NULL, on_stored_ev, &R->S, R->err)) < 0)
        return rc == JD_ENOMEM ? nomem(R) : rc;
    return JD_OK;
}

/* The counts of one folded concern, and the first on the board's agenda. */
static void count(run *R, const char *id, bool automatic, json_t *base, json_t *state,
                  json_t *autos)
{
    jd_escalate_stats *st = R->stats;
    st->concerns++;
    st->derived += automatic;
    st->auto_steps += (int64_t)json_array_size(autos);
    bool closed = !strcmp(jd_concern__jstr(state, "status"), "closed");
    st->closed += closed;
    st->open += !closed;
    st->overdue += json_is_true(json_object_get(state, "overdue"));
    st->on_agenda += json_is_true(json_object_get(state, "on_agenda"));
    int64_t bt = board_time(R->L, base, state);
    if (bt && (!st->board_first_at || bt < st->board_first_at ||
               (bt == st->board_first_at && strcmp(id, st->board_first_id) < 0))) {
        st->board_first_at = bt;
        snprintf(st->board_first_id, sizeof st->board_first_id, "%s", id);
    }
}

/* The escalation alert of a concern that rose, as a line to write. */
static int escalation_line(run *R, const char *id, json_t *base, json_t *state)
{
    json_t *ea = escalation_alert(id, base, state);
    if (!ea)
        return JD_OK;
    char *txt = json_dumps(ea, JSON_COMPACT), *aid = NULL;
    json_decref(ea);
    if (R->direct) {
        int rc = txt ? put_line(R->direct, txt) : nomem(R);
        free(txt);
        return rc == JD_EIO ? jd_error_set(R->err, JD_EIO, "cannot write alerts") : rc;
    }
    if (asprintf(&aid, "escalation:concern:%s", id) < 0)
        aid = NULL;
    if (!txt || !aid || jd_grow((void **)&R->lines, &R->lcap, R->nlines + 1, sizeof *R->lines) < 0) {
        free(txt);
        free(aid);
        return nomem(R);
    }
    R->lines[R->nlines++] = (line){aid, txt, true};
    return JD_OK;
}

/* The caller's callback with the concern as of T: its stored history up to
 * T (human actions and its opening) and the automatic steps of the fold. */
static int call_back(run *R, const char *id, bool automatic, json_t *row, json_t *base,
                     json_t *state, json_t *history, json_t *autos)
{
    json_t *hist = json_array();
    if (!row) /* derived, not saved yet: its opening */
        json_array_append_new(
            hist, json_pack("{s:s,s:O,s:s,s:s,s:b,s:O}", "action", "raised", "at",
                            json_object_get(base, "opened_at"), "actor", "joindots", "role", "",
                            "automatic", 1, "rung", json_object_get(base, "rung")));
    jd_concern__history_at(hist, history, autos, R->T);
    jd_concern c;
    int64_t ver = row ? json_integer_value(json_object_get(row, "version")) : 0;
    int rc = jd_concern__fill(&c, id, automatic, ver, base, state, hist);
    json_decref(hist);
    if (rc != JD_OK)
        return nomem(R);
    rc = R->o->cb(&c, R->o->payload);
    jd_concern_dispose(&c);
    return rc < 0 ? jd_error_set(R->err, rc, "the caller's callback failed") : rc;
}

/* Save a concern (live runs): its opening when new, then what changed. */
static int save(run *R, const char *id, bool automatic, json_t *row, json_t *base,
                json_t *human, json_t *history)
{
    int64_t ver = row ? json_integer_value(json_object_get(row, "version")) : 0;
    json_t *extra = json_array();
    if (!row)
        json_array_append_new(extra,
                              json_pack("{s:s,s:O,s:s,s:s,s:b,s:O,s:O}", "action", "raised", "at",
                                        json_object_get(base, "opened_at"), "actor", "joindots",
                                        "role", "", "automatic", 1, "rung",
                                        json_object_get(base, "rung"), "source",
                                        json_object_get(base, "source")));
    bool same_base = row && json_equal(base, json_object_get(row, "base"));
    int64_t nv = 0;
    int rc = jd_concern__sync(R->s, R->L, id, automatic, ver, base, human, history, extra, R->T,
                              &nv, same_base, jd_concern__jstr(row, "state"), R->err);
    R->stats->written += rc == JD_OK && nv != ver;
    /* someone acted on it meanwhile: their write stands, the next run folds it in */
    if (rc == JD_ECONFLICT) {
        R->stats->conflicts++;
        rc = JD_OK;
    }
    json_decref(extra);
    return rc;
}

/* 4. Fold one concern, derived or stored, with the human actions recorded
 * by T; count, report and save it. A positive return stops the walk. */
static int fold(run *R, const char *id)
{
    json_t *row = json_object_get(R->S.rows, id);
    json_t *base = json_object_get(R->E.derived, id);
    bool automatic = base != NULL || json_is_true(json_object_get(row, "automatic"));
    if (!base)
        base = json_object_get(row, "base");
    if (!base || jd_concern__json_time(json_object_get(base, "opened_at")) > R->T)
        return JD_OK;
    json_t *h = json_object_get(R->S.hist, id);
    json_t *empty = json_array();
    json_t *human = h ? json_object_get(h, "human") : NULL;
    json_t *history = h ? json_object_get(h, "history") : NULL;
    human = human ? human : empty;
    history = history ? history : empty;
    json_t *state = NULL, *autos = NULL;
    int rc = JD_OK;
    if (jd_concern__simulate(R->L, base, human, R->T, &state, &autos) < 0) {
        rc = nomem(R);
        goto out;
    }
    count(R, id, automatic, base, state, autos);
    if (R->o->alerts_out && (rc = escalation_line(R, id, base, state)) < 0)
        goto out;
    if (R->o->cb && (rc = call_back(R, id, automatic, row, base, state, history, autos)) != 0)
        goto out;
    if (R->o->save)
        rc = save(R, id, automatic, row, base, human, history);
out:
    json_decref(state);
    json_decref(autos);
    json_decref(empty);
    return rc;
}

/* 5. The analysis alerts and the escalation alerts, sorted by id. */
static int write_lines(run *R)
{
    if (R->nlines > 1)
        qsort(R->lines, R->nlines, sizeof *R->lines, cmp_line);
    R->stats->alerts = (int64_t)R->nlines;
    FILE *f = R->o->alerts_out;
    for (size_t i = 0; i < R->nlines; i++)
        if (fputs(R->lines[i].text, f) == EOF || fputc('\n', f) == EOF)
            return jd_error_set(R->err, JD_EIO, "cannot write alerts");
    if (fflush(f) != 0)
        return jd_error_set(R->err, JD_EIO, "cannot write alerts");
    return JD_OK;
}

/* 5, from what the analysis stored: its alerts as stored, with the
 * escalation alerts merged in by id. */
static int stream_lines(run *R)
{
    if (R->nlines > 1)
        qsort(R->lines, R->nlines, sizeof *R->lines, cmp_line);
    merge_ctx m = {R->o->alerts_out, R->lines, R->nlines, 0, 0, false};
    bool ran = false;
    int rc = R->s->ops->alerts_read(R->s, &ran, merge_doc, &m, R->err);
    while (rc == JD_OK && m.next < m.n)
        rc = put_line(&m, R->lines[m.next++].text);
    if (m.failed)
        rc = jd_error_set(R->err, JD_EIO, "cannot write alerts");
    else if (rc > 0 || rc == JD_ENOMEM)
        rc = nomem(R);
    if (rc == JD_OK && fflush(R->o->alerts_out) != 0)
        rc = jd_error_set(R->err, JD_EIO, "cannot write alerts");
    R->stats->alerts = m.written;
    return rc;
}

/* 4, for the stored bases in parts (ordered by id): fold the concerns of
 * one part at a time (R->E.derived holds that part only), merged by id with
 * the stored concerns derived from nothing now, so that the escalation
 * alerts come in id order and are written as they are folded (R->direct).
 * A positive return stops the walk. */
static int fold_parts(run *R, const bases_src *B)
{
    size_t nr = json_object_size(R->S.rows), j = 0, ni = 0;
    const char **rows = calloc(nr + 1, sizeof *rows);
    char *prev = NULL;
    if (!rows)
        return nomem(R);
    const char *id;
    json_t *v;
    json_object_foreach(R->S.rows, id, v) rows[ni++] = id;
    if (ni > 1)
        qsort(rows, ni, sizeof *rows, cmp_str);
    int rc = JD_OK;
    for (int64_t k = 1; rc == JD_OK && k <= B->parts; k++) {
        json_t *part = NULL;
        if ((rc = bases_part_load(R->s, B, k, &part, R->err)) < 0)
            break;
        json_decref(R->E.derived);
        R->E.derived = part;
        json_object_foreach(part, id, v)
        {
            if (prev && strcmp(prev, id) >= 0) {
                rc = jd_error_set(R->err, JD_ECONFLICT,
                                  "the stored concern bases are out of order: analyse again");
                break;
            }
            free(prev);
            if (!(prev = strdup(id))) {
                rc = nomem(R);
                break;
            }
            while (rc == JD_OK && j < ni && strcmp(rows[j], id) < 0)
                rc = fold(R, rows[j++]); /* stored, derived from nothing now */
            if (j < ni && !strcmp(rows[j], id))
                j++; /* stored and derived: folded as derived */
            if (rc != JD_OK || (rc = fold(R, id)) != JD_OK)
                break;
        }
    }
    json_decref(R->E.derived);
    R->E.derived = json_object();
    while (rc == JD_OK && j < ni)
        rc = fold(R, rows[j++]);
    free(rows);
    free(prev);
    return rc == JD_OK && !R->E.derived ? nomem(R) : rc;
}

/* One walk of the stored alerts for stream_parts. */
static int split_read(run *R, split_ctx *x)
{
    bool ran = false;
    int rc = R->s->ops->alerts_read(R->s, &ran, split_doc, x, R->err);
    if (x->m->failed)
        return jd_error_set(R->err, JD_EIO, "cannot write alerts");
    if (x->cb_rc == JD_ENOMEM)
        return nomem(R);
    if (x->cb_rc == JD_ECONFLICT)
        return jd_error_set(R->err, JD_ECONFLICT,
                            "a stored alert is named like a concern's escalation alert");
    return rc > 0 ? JD_OK : rc; /* 1: stopped at the escalation alerts */
}

/* 4-5 from the stored bases in parts, in constant memory: the stored
 * alerts before the escalation alerts of concerns, those alerts as their
 * concerns are folded (in id order), then the stored alerts after them. */
static int stream_parts(run *R, const bases_src *B)
{
    merge_ctx m = {R->o->alerts_out, NULL, 0, 0, 0, false};
    split_ctx x = {&m, false, 0};
    int rc = JD_OK;
    if (R->o->alerts_out) {
        R->direct = &m;
        rc = split_read(R, &x);
    }
    if (rc == JD_OK && (rc = fold_parts(R, B)) > 0)
        rc = JD_OK; /* the callback stopped the walk */
    else if (rc == JD_OK && R->o->alerts_out) {
        x.after = true;
        rc = split_read(R, &x);
        if (rc == JD_OK && fflush(R->o->alerts_out) != 0)
            rc = jd_error_set(R->err, JD_EIO, "cannot write alerts");
        R->stats->alerts = m.written;
    }
    R->direct = NULL;
    return rc;
}

static void run_dispose(run *R)
{
    for (size_t i = 0; i < R->nlines; i++) {
        free(R->lines[i].id);
        if (R->lines[i].owned)
            free(R->lines[i].text);
    }
    free(R->lines);
    jd_snapshot__dispose(&R->snap);
    json_decref(R->E.derived);
    json_decref(R->E.strategic);
    json_decref(R->S.rows);
    json_decref(R->S.hist);
    json_decref(R->alerts);
    free(R->abuf);
}

int jd_escalate_run(jd_store *s, int64_t as_of, int64_t now, const jd_escalate_opts *o,
                    jd_escalate_stats *stats, jd_error *err)
{
    jd_escalate_opts def = JD_ESCALATE_OPTS_INIT;
    jd_escalate_stats dummy;
    if (!o)
        o = &def;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    if (!s)
        return jd_error_set(err, JD_EINVALID, "no store");
    if (!s->ops->concern)
        return jd_error_set(err, JD_ESTORE, "this store has no concerns");
    if (o->save && as_of != JD_AS_OF_NOW)
        return jd_error_set(err, JD_EINVALID, "a replay as of a past time is never saved");
    run R;
    memset(&R, 0, sizeof R);
    R.s = s;
    R.o = o;
    R.stats = stats;
    R.err = err;
    R.as_of = as_of;
    R.now = now;
    R.T = as_of != JD_AS_OF_NOW ? as_of : now ? now : (int64_t)time(NULL);
    R.S = (stored){json_object(), json_object(), R.T};
    R.alerts = json_array();
    R.E.err = err;
    R.E.T = R.T;
    R.E.derived = json_object();
    R.E.strategic = json_object();
    jd_ladder *L = NULL;
    json_t *ids = json_object();
    bases_src B = {false, 0, NULL, NULL};
    int rc = jd_ladder__load(&L, o->ladder_path, err);
    if (rc < 0)
        goto out;
    R.L = R.E.L = L;
    /* 1-2 from what the analysis stored, when it is current */
    if (!o->persons && o->stored && as_of == JD_AS_OF_NOW && !o->rules_path &&
        !o->ladder_path && (rc = bases_load(s, &B, &stats->first_high_at, err)) < 0)
        goto out;
    const char *id;
    json_t *v;
    if (o->persons) {
        if (as_of != JD_AS_OF_NOW || o->alerts_out) {
            rc = jd_error_set(err, JD_EINVALID,
                              "a subset is escalated as of now, without alerts out");
            goto out;
        }
        if ((rc = subset_at(&R)) < 0 || (rc = derive_and_read_stored(&R)) < 0 ||
            (rc = subset_ids(&R, ids)) < 0)
            goto out;
    } else if (B.have) {
        if (B.whole) {
            json_decref(R.E.derived);
            R.E.derived = B.whole;
            B.whole = NULL;
        }
        R.streamed = stats->stored = true;
        /* each page is read once: a cache would only grow with the store */
        if (s->ops->cache_limit && (rc = s->ops->cache_limit(s, STREAM_CACHE_KIB, err)) < 0)
            goto out;
        if ((rc = read_stored(&R)) < 0)
            goto out;
        if (B.tag) {
            rc = stream_parts(&R, &B);
            goto out;
        }
    } else if ((rc = analyse_at(&R)) < 0 || (rc = read_alerts(&R)) < 0 ||
               (rc = derive_and_read_stored(&R)) < 0) {
        goto out;
    }
    if (!o->persons) {
        json_object_foreach(R.E.derived, id, v) json_object_set_new(ids, id, json_true());
        json_object_foreach(R.S.rows, id, v) json_object_set_new(ids, id, json_true());
    }
    json_object_foreach(ids, id, v)
    {
        if ((rc = fold(&R, id)) != JD_OK) {
            if (rc > 0)
                rc = JD_OK; /* the callback stopped the walk */
            goto out;
        }
    }
    if (o->alerts_out)
        rc = R.streamed ? stream_lines(&R) : write_lines(&R);
out:
    if (R.streamed && s->ops->cache_limit)
        (void)s->ops->cache_limit(s, 0, NULL);
    run_dispose(&R);
    json_decref(ids);
    json_decref(B.whole);
    free(B.tag);
    jd_ladder__free(L);
    return rc;
}
