/*
 * The analysis snapshot (snapshot.h): one bulk load of what was known by
 * the "as of" time, grouped for every reader. The store streams identities,
 * then events in id order, then mentions and objects (any order) of events
 * known by then; persons are keyed by person_id, or "U:agency:ref" for a
 * ref no identity holds, so every reader names an unresolved person alike.
 */
#include "analyse/snapshot.h"
#include "screen/rules.h"
#include "store/incr_ops.h"
#include "text/norm.h"

#include <joindots/chronology.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 512 /* person key "U:agency:ref" and ref key, with their NUL */

static const char *keep(jd_snapshot *S, const char *s)
{
    return s ? jd_arena_strdup(&S->ar, s) : NULL;
}

/* A value that repeats across rows (an agency, an event type, a grade, a
 * postcode): one copy for all of them. At 10M events the copies kept one by
 * one were a fifth of the snapshot. NULL for NULL or out of memory. */
static const char *keep_common(jd_snapshot *S, const char *s)
{
    return jd_strmap_intern(&S->common, s);
}

static int64_t person_of(jd_snapshot *S, const char *pid, const char *name, const char *dob,
                         bool is_child, bool resolved)
{
    bool added;
    uint32_t *v = jd_strmap_put(&S->pmap, pid, strlen(pid), (uint32_t)S->np, &added);
    if (!v)
        return -1;
    if (!added)
        return *v;
    if (jd_grow((void **)&S->p, &S->pcap, S->np + 1, sizeof *S->p) < 0)
        return -1;
    aperson *p = &S->p[S->np];
    memset(p, 0, sizeof *p);
    p->pid = jd_strmap_key(&S->pmap, pid, strlen(pid)); /* the map's copy: one for both */
    p->name = S->mention_detail ? keep(S, name) : NULL; /* only the profiles read it */
    p->dob = keep(S, dob);
    p->is_child = is_child;
    p->resolved = resolved;
    return (int64_t)S->np++;
}

static int on_identity(const jd_an_identity_row *r, void *payload)
{
    jd_snapshot *S = payload;
    int64_t i = person_of(S, r->person_id, r->display_name, r->dob, r->is_child, true);
    if (i < 0)
        return jd_oom(S->err);
    S->p[i].identity = true;
    S->nidentity++;
    return 0;
}

static int on_event(const jd_an_event_row *r, void *payload)
{
    jd_snapshot *S = payload;
    if (r->id < 0 || r->id > (int64_t)UINT32_MAX - 1)
        return jd_error_set(S->err, JD_ESTORE, "event id out of range");
    size_t old = S->ev_index_cap;
    if (jd_grow((void **)&S->ev, &S->evcap, S->nev + 1, sizeof *S->ev) < 0 ||
        jd_grow((void **)&S->ev_index, &S->ev_index_cap, (size_t)r->id + 1,
                sizeof *S->ev_index) < 0)
        return jd_oom(S->err);
    if (S->ev_index_cap > old)
        memset(S->ev_index + old, 0, (S->ev_index_cap - old) * sizeof *S->ev_index);
    aev *e = &S->ev[S->nev];
    memset(e, 0, sizeof *e);
    e->id = r->id;
    e->occurred = r->occurred_at;
    e->known = r->known_at;
    e->agency = keep_common(S, r->agency);
    e->record_id = keep(S, r->record_id);
    e->type = keep_common(S, r->event_type);
    e->et = (uint8_t)jd_rules__event_type(r->event_type);
    e->location = keep(S, r->location);
    e->postcode = keep_common(S, r->postcode);
    e->narrative = S->narrow ? NULL : keep(S, r->narrative);
    e->crime_ref = S->narrow ? NULL : keep(S, r->crime_ref);
    e->outcome = keep_common(S, r->outcome);
    e->risk_grade = keep_common(S, r->risk_grade);
    e->crime_recorded = (int8_t)r->crime_recorded;
    e->text_child_age = -1;
    if (!e->agency || !e->record_id || !e->type)
        return jd_oom(S->err);
    S->ev_index[r->id] = (uint32_t)S->nev + 1;
    S->nev++;
    return 0;
}

static bool known_event(const jd_snapshot *S, int64_t id)
{
    return id >= 0 && (size_t)id < S->ev_index_cap && S->ev_index[id];
}

static int too_long_ref(jd_error *err)
{
    return jd_error_set(err, JD_ELIMIT, "analysis load: an agency and ref longer than %d bytes",
                        KEY_MAX - 3);
}

static int too_long(jd_snapshot *S)
{
    return too_long_ref(S->err);
}

/* The key of a mention's person: its person_id, else "U:agency:ref" in
 * key[KEY_MAX]. NULL when that is too long. */
static const char *mention_key(const jd_an_mention_row *r, char *key)
{
    if (r->person_id)
        return r->person_id;
    return snprintf(key, KEY_MAX, "U:%s:%s", r->agency, r->person_ref) >= KEY_MAX ? NULL : key;
}

static int on_mention(const jd_an_mention_row *r, void *payload)
{
    jd_snapshot *S = payload;
    if (!known_event(S, r->event_id))
        return 0; /* not known by the as-of time (cannot happen with the join) */
    char buf[KEY_MAX];
    const char *key = mention_key(r, buf);
    if (!key)
        return too_long(S);
    /* a resolved person is known from its identity row first, except in a
     * partition's load, which reads no identities: there the mention row
     * carries the identity's fields */
    int64_t pi = !r->person_id       ? person_of(S, key, r->name, r->dob_prec == 3 ? r->dob : NULL,
                                                 false, false)
                 : r->id_child >= 0 ? person_of(S, key, r->id_name, r->id_dob, r->id_child == 1,
                                                true)
                                    : person_of(S, key, r->name, r->dob, false, true);
    if (pi < 0 || jd_grow((void **)&S->m, &S->mcap, S->nm + 1, sizeof *S->m) < 0)
        return jd_oom(S->err);
    /* the person's refs, each once */
    char rk[KEY_MAX];
    int n = snprintf(rk, sizeof rk, "%s\x1f%s", r->agency, r->person_ref);
    if (n < 0 || n >= (int)sizeof rk)
        return too_long(S);
    bool added;
    if (!jd_strmap_put(&S->refmap, rk, (size_t)n, (uint32_t)pi, &added))
        return jd_oom(S->err);
    if (added) {
        if (jd_grow((void **)&S->refs, &S->refcap, S->nrefs + 1, sizeof *S->refs) < 0)
            return jd_oom(S->err);
        /* the ref is the tail of the map's copy of "agency\x1fref" */
        const char *k = jd_strmap_key(&S->refmap, rk, (size_t)n);
        S->refs[S->nrefs++] =
            (aref){(uint32_t)pi, keep_common(S, r->agency), k ? k + strlen(r->agency) + 1 : NULL};
    }
    amention *m = &S->m[S->nm];
    memset(m, 0, sizeof *m);
    m->ev = S->ev_index[r->event_id] - 1;
    m->person = (uint32_t)pi;
    m->role = jd_rules__role(r->role);
    /* the person's date of birth is the one it was made with (person_of
     * never changes it) and its event is loaded: the age is final now */
    m->age = (int16_t)jd_snapshot__mention_age(S, m->person, m->ev, r->dob, r->dob_prec, r->age);
    if (S->mention_detail) {
        if (jd_grow((void **)&S->md, &S->mdcap, S->nm + 1, sizeof *S->md) < 0)
            return jd_oom(S->err);
        amention_detail *d = &S->md[S->nm];
        *d = (amention_detail){keep_common(S, r->agency), keep(S, r->person_ref),
                               keep_common(S, r->role), keep(S, r->name)};
        if (!d->agency || !d->person_ref || !d->role_name)
            return jd_oom(S->err);
    }
    S->nm++;
    return 0;
}

static int on_object(const jd_an_object_row *r, void *payload)
{
    jd_snapshot *S = payload;
    if (!known_event(S, r->event_id))
        return 0;
    aev *e = &S->ev[S->ev_index[r->event_id] - 1];
    if (jd_grow((void **)&S->obj, &S->objcap, S->nobj + 1, sizeof *S->obj) < 0)
        return jd_oom(S->err);
    S->obj[S->nobj++] = (aobject){S->ev_index[r->event_id] - 1, keep_common(S, r->object_type),
                                  keep(S, r->value), keep(S, r->description),
                                  keep(S, r->person_ref), r->valid};
    if (!strcmp(r->object_type, "vehicle"))
        e->vehicle = 1;
    else if (!strcmp(r->object_type, "phone"))
        e->phone = 1;
    return 0;
}

/* ---- ages ---- */

/* "YYYY[-MM[-DD]]": a missing month is July, a missing day the 1st. */
static bool ymd(const char *s, int *y, int *m, int *d)
{
    *m = 7;
    *d = 1;
    if (!s || strlen(s) < 4)
        return false;
    *y = atoi(s);
    if (s[4] == '-' && strlen(s) >= 7) {
        *m = atoi(s + 5);
        if (s[7] == '-' && strlen(s) >= 10)
            *d = atoi(s + 8);
    }
    return *y > 1850;
}

int jd_snapshot__age_at(const char *dob, int64_t t)
{
    int y, m, d;
    if (!ymd(dob, &y, &m, &d))
        return -1;
    char day[11]; /* the UK calendar day of t */
    jd_norm__uk_date(day, t);
    int ey = atoi(day), em = atoi(day + 5), ed = atoi(day + 8);
    int a = ey - y - ((em < m || (em == m && ed < d)) ? 1 : 0);
    return a < 0 || a > 130 ? -1 : a;
}

int jd_snapshot__mention_age(const jd_snapshot *S, uint32_t person, uint32_t ev, const char *dob,
                             int dob_prec, int rec_age)
{
    const aperson *p = &S->p[person];
    int64_t t = S->ev[ev].occurred;
    int a = p->dob ? jd_snapshot__age_at(p->dob, t) : -1;
    if (a < 0 && rec_age >= 0)
        a = rec_age;
    if (a < 0 && dob && dob_prec >= 1)
        a = jd_snapshot__age_at(dob, t);
    return a;
}

/* ---- groupings ---- */

static int cmp_known(const void *a, const void *b, void *ctx)
{
    const jd_snapshot *S = ctx;
    const aev *x = &S->ev[S->m[*(const uint32_t *)a].ev], *y = &S->ev[S->m[*(const uint32_t *)b].ev];
    if (x->known != y->known)
        return x->known < y->known ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Counting sort: out[] gets 0..n-1 grouped by key(i) < nk, stable; each
 * group's start and size go to start[k], size[k] through the setter. */
static uint32_t *group_by(size_t n, size_t nk, uint32_t (*key)(const jd_snapshot *, size_t),
                          void (*set)(jd_snapshot *, size_t, uint32_t, uint32_t), jd_snapshot *S)
{
    uint32_t *cnt = calloc(nk + 1, sizeof *cnt), *out = malloc((n + 1) * sizeof *out);
    if (!cnt || !out) {
        free(cnt);
        free(out);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        cnt[key(S, i)]++;
    uint32_t acc = 0;
    for (size_t k = 0; k < nk; k++) {
        set(S, k, acc, cnt[k]);
        uint32_t c = cnt[k];
        cnt[k] = acc;
        acc += c;
    }
    for (size_t i = 0; i < n; i++)
        out[cnt[key(S, i)]++] = (uint32_t)i;
    free(cnt);
    return out;
}

static uint32_t m_event(const jd_snapshot *S, size_t i) { return S->m[i].ev; }
static uint32_t m_person(const jd_snapshot *S, size_t i) { return S->m[i].person; }
static uint32_t o_event(const jd_snapshot *S, size_t i) { return S->obj[i].ev; }
static uint32_t r_person(const jd_snapshot *S, size_t i) { return S->refs[i].person; }

static void set_ev_m(jd_snapshot *S, size_t k, uint32_t at, uint32_t n)
{
    S->ev[k].m0 = at;
    S->ev[k].nm = n;
}
static void set_ev_o(jd_snapshot *S, size_t k, uint32_t at, uint32_t n)
{
    S->ev[k].o0 = at;
    S->ev[k].no = n;
}
static void set_p_x(jd_snapshot *S, size_t k, uint32_t at, uint32_t n)
{
    S->p[k].x0 = at;
    S->p[k].nx = n;
}
static void set_p_r(jd_snapshot *S, size_t k, uint32_t at, uint32_t n)
{
    S->p[k].r0 = at;
    S->p[k].nr = n;
}

static int group(jd_snapshot *S)
{
    if (S->nev >= UINT32_MAX || S->nm >= UINT32_MAX || S->nobj >= UINT32_MAX ||
        S->np >= UINT32_MAX || S->nrefs >= UINT32_MAX)
        return jd_error_set(S->err, JD_ELIMIT, "analysis load: more than 2^32 rows of one kind");
    if (!(S->by_event = group_by(S->nm, S->nev, m_event, set_ev_m, S)) ||
        !(S->obj_by_event = group_by(S->nobj, S->nev, o_event, set_ev_o, S)) ||
        !(S->by_person = group_by(S->nm, S->np, m_person, set_p_x, S)))
        return jd_oom(S->err);
    for (size_t p = 0; p < S->np; p++)
        if (S->p[p].nx > 1)
            qsort_r(S->by_person + S->p[p].x0, S->p[p].nx, sizeof *S->by_person, cmp_known, S);
    /* refs by person: the refs array itself is put in person order */
    uint32_t *ord = group_by(S->nrefs, S->np, r_person, set_p_r, S);
    aref *sorted = malloc((S->nrefs + 1) * sizeof *sorted);
    if (!ord || !sorted) {
        free(ord);
        free(sorted);
        return jd_oom(S->err);
    }
    for (size_t i = 0; i < S->nrefs; i++)
        sorted[i] = S->refs[ord[i]];
    free(ord);
    free(S->refs);
    S->refs = sorted;
    S->refcap = S->nrefs + 1;
    return 0;
}

/* The walked persons of a subset: the keys asked for, then hops times over
 * whoever shares one of the walked persons' events (all of which the store
 * loaded; see incr_ops.h load_subset). */
static int mark_walked(jd_snapshot *S, const jd_snapshot_opts *o)
{
    uint32_t *front = malloc((S->np + 1) * sizeof *front);
    if (!front)
        return jd_oom(S->err);
    size_t nf = 0;
    for (size_t i = 0; i < o->npersons; i++) {
        const char *k = o->persons[i];
        const uint32_t *v = k ? jd_strmap_get(&S->pmap, k, strlen(k)) : NULL;
        if (v && !S->p[*v].walk) {
            S->p[*v].walk = true;
            front[nf++] = *v;
        }
    }
    size_t lo = 0;
    for (int h = 0; h < o->hops; h++) {
        size_t hi = nf;
        for (size_t f = lo; f < hi; f++) {
            const aperson *p = &S->p[front[f]];
            for (uint32_t x = 0; x < p->nx; x++) {
                const aev *e = &S->ev[S->m[S->by_person[p->x0 + x]].ev];
                for (uint32_t k = 0; k < e->nm; k++) {
                    uint32_t q = S->m[S->by_event[e->m0 + k]].person;
                    if (!S->p[q].walk) {
                        S->p[q].walk = true;
                        front[nf++] = q;
                    }
                }
            }
        }
        lo = hi;
    }
    S->nwalk = nf;
    free(front);
    return 0;
}

/* ---- partitions (issue 20) ---- */

int jd_snapshot__part_of(const char *key, int n)
{
    return n <= 1 ? 0 : (int)(jd_hash64(key, strlen(key), 0) % (uint64_t)n);
}

/* What jd_snapshot__parts reads: each resolved ref's partition (from its
 * person_id), then the mentions by ref. */
typedef struct marks {
    jd_snapshot_parts *P;
    jd_strmap refs; /* "agency\x1fref" -> the partition of its identity */
} marks;

/* An identity's place in the store's order, for the ranks of the loads. */
static int mark_identity(const jd_an_identity_row *r, void *payload)
{
    jd_snapshot_parts *P = payload;
    return jd_strmap_put(&P->identities, r->person_id, strlen(r->person_id),
                         (uint32_t)P->identities.n, NULL)
               ? 0
               : jd_oom(P->err);
}

static int mark_ref(const jd_identity_row *r, void *payload)
{
    marks *M = payload;
    char rk[KEY_MAX];
    int n = snprintf(rk, sizeof rk, "%s\x1f%s", r->agency, r->person_ref);
    if (n < 0 || n >= (int)sizeof rk)
        return too_long_ref(M->P->err);
    uint32_t part = (uint32_t)jd_snapshot__part_of(r->person_id, M->P->nparts);
    return jd_strmap_put(&M->refs, rk, (size_t)n, part, NULL) ? 0 : jd_oom(M->P->err);
}

/* A mention's event gets its person's partition; a ref no identity holds
 * is the person "U:agency:ref", ranked by its first mention. */
static int mark_mention(const jd_an_mention_row *r, void *payload)
{
    marks *M = payload;
    jd_snapshot_parts *P = M->P;
    if (r->event_id < 0 || r->event_id > (int64_t)UINT32_MAX - 1)
        return jd_error_set(P->err, JD_ESTORE, "event id out of range");
    size_t old = P->cap;
    if (jd_grow((void **)&P->mask, &P->cap, (size_t)r->event_id + 1, sizeof *P->mask) < 0)
        return jd_oom(P->err);
    if (P->cap > old)
        memset(P->mask + old, 0, (P->cap - old) * sizeof *P->mask);
    char key[KEY_MAX];
    int n = snprintf(key, sizeof key, "%s\x1f%s", r->agency, r->person_ref);
    if (n < 0 || n >= (int)sizeof key)
        return too_long_ref(P->err);
    const uint32_t *part = jd_strmap_get(&M->refs, key, (size_t)n);
    if (part) {
        P->mask[r->event_id] |= 1ULL << *part;
        return 0;
    }
    if (snprintf(key, sizeof key, "U:%s:%s", r->agency, r->person_ref) >= (int)sizeof key)
        return too_long_ref(P->err);
    P->mask[r->event_id] |= 1ULL << jd_snapshot__part_of(key, P->nparts);
    return jd_strmap_put(&P->unresolved, key, strlen(key), (uint32_t)P->unresolved.n, NULL)
               ? 0
               : jd_oom(P->err);
}

int jd_snapshot__parts(jd_snapshot_parts *P, jd_store *s, int64_t as_of, int nparts,
                       jd_error *err)
{
    memset(P, 0, sizeof *P);
    jd_strmap_init(&P->unresolved);
    jd_strmap_init(&P->identities);
    P->err = err;
    P->nparts = nparts;
    P->as_of = as_of;
    if (!s || nparts < 1 || nparts > 64)
        return jd_error_set(err, JD_EINVALID, "partitions: a store and 1 to 64 of them");
    /* the refs' partitions, then one scan of the mentions without the
     * join to identities (an index search per mention: 3.4 s of CPU at 1M) */
    marks M = {P, {0}};
    jd_strmap_init(&M.refs);
    jd_an_callbacks ids = {.identity = mark_identity}, cb = {.mention = mark_mention,
                                                             .mention_refs = true};
    int rc = s->ops->analysis_load(s, as_of, &ids, P, err);
    if (rc == JD_OK)
        rc = s->ops->identity_refs(s, mark_ref, &M, err);
    if (rc == JD_OK)
        rc = s->ops->analysis_load(s, as_of, &cb, &M, err);
    jd_strmap_free(&M.refs);
    return rc == JD_ENOMEM ? jd_oom(err) : rc;
}

void jd_snapshot__parts_free(jd_snapshot_parts *P)
{
    if (!P)
        return;
    free(P->mask);
    jd_strmap_free(&P->unresolved);
    jd_strmap_free(&P->identities);
    memset(P, 0, sizeof *P);
}

typedef struct part_load {
    jd_snapshot *S;
    const jd_snapshot_parts *P;
    uint64_t bit;
} part_load;

static bool want_part(int64_t event_id, void *payload)
{
    const part_load *L = payload;
    return event_id >= 0 && (size_t)event_id < L->P->cap && (L->P->mask[event_id] & L->bit);
}
static int part_event(const jd_an_event_row *r, void *payload)
{
    return on_event(r, ((part_load *)payload)->S);
}
static int part_mention(const jd_an_mention_row *r, void *payload)
{
    return on_mention(r, ((part_load *)payload)->S);
}
static int part_object(const jd_an_object_row *r, void *payload)
{
    return on_object(r, ((part_load *)payload)->S);
}


static int cmp_rank(const void *a, const void *b, void *ctx)
{
    const aperson *p = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (p[x].rank != p[y].rank)
        return p[x].rank < p[y].rank ? -1 : 1;
    return (x > y) - (x < y);
}

/* Put a partition's persons in rank order (the full load's), and point the
 * mentions, refs and key maps at their new places. */
static int order_by_rank(jd_snapshot *S)
{
    uint32_t *ord = malloc((S->np + 1) * sizeof *ord), *at = malloc((S->np + 1) * sizeof *at);
    aperson *np = malloc((S->np + 1) * sizeof *np);
    if (!ord || !at || !np) {
        free(ord);
        free(at);
        free(np);
        return jd_oom(S->err);
    }
    for (size_t i = 0; i < S->np; i++)
        ord[i] = (uint32_t)i;
    qsort_r(ord, S->np, sizeof *ord, cmp_rank, S->p);
    for (size_t i = 0; i < S->np; i++) {
        at[ord[i]] = (uint32_t)i;
        np[i] = S->p[ord[i]];
        *jd_strmap_get(&S->pmap, np[i].pid, strlen(np[i].pid)) = (uint32_t)i;
    }
    for (size_t i = 0; i < S->nm; i++)
        S->m[i].person = at[S->m[i].person];
    for (size_t i = 0; i < S->nrefs; i++) {
        aref *r = &S->refs[i];
        char rk[KEY_MAX];
        int n = snprintf(rk, sizeof rk, "%s\x1f%s", r->agency, r->ref);
        r->person = at[r->person];
        *jd_strmap_get(&S->refmap, rk, (size_t)n) = r->person;
    }
    free(S->p);
    S->p = np;
    S->pcap = S->np + 1;
    free(ord);
    free(at);
    return 0;
}

/* Partition o->part's rows (see jd_snapshot_opts.parts): the events of
 * its persons with their mentions and objects, then the identities they
 * name, each person ranked as in the full load. */
static int load_part(jd_snapshot *S, jd_store *s, const jd_snapshot_opts *o)
{
    const jd_snapshot_parts *P = o->parts;
    if (o->part < 0 || o->part >= P->nparts || P->as_of != o->as_of)
        return jd_error_set(S->err, JD_EINVALID, "partition %d of %d, or another time", o->part,
                            P->nparts);
    part_load L = {S, P, 1ULL << o->part};
    jd_an_callbacks cb = {.event = part_event, .mention = part_mention, .object = part_object,
                          .want = want_part};
    int rc = s->ops->analysis_load(s, o->as_of, &cb, &L, S->err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < S->np; i++) {
        aperson *p = &S->p[i];
        const uint32_t *v = jd_strmap_get(p->resolved ? &P->identities : &P->unresolved, p->pid,
                                          strlen(p->pid));
        p->identity = p->resolved && v;
        p->rank = !v ? UINT64_MAX : p->resolved ? *v : (1ULL << 32) + *v;
    }
    S->part = o->part;
    S->nparts = P->nparts;
    return order_by_rank(S);
}

int jd_snapshot__load(jd_snapshot *S, jd_store *s, const jd_snapshot_opts *o, jd_error *err)
{
    memset(S, 0, sizeof *S);
    jd_arena_init(&S->ar, 1 << 20);
    jd_strmap_init(&S->pmap);
    jd_strmap_init(&S->refmap);
    jd_strmap_init(&S->common);
    S->err = err;
    if (!s || !o || (o->parts && o->persons))
        return jd_error_set(err, JD_EINVALID, "no store, or a subset and a partition at once");
    S->mention_detail = o->mention_detail;
    S->narrow = o->narrow;
    S->subset = o->persons != NULL;
    if (S->subset && (!s->ops->incr || o->hops < 0))
        return jd_error_set(err, JD_EINVALID, "this store cannot load a subset for analysis");
    jd_an_callbacks cb = {on_identity, on_event, on_mention, on_object, .want = NULL};
    int rc;
    /* the watermark of a full load as of now, taken before it, for the
     * incremental runs that follow it */
    if (!S->subset && !o->parts && o->as_of == JD_AS_OF_NOW && s->ops->incr &&
        (rc = s->ops->incr->mark_now(s, S->mark, err)) < 0)
        return rc;
    rc = S->subset  ? s->ops->incr->load_subset(s, o->as_of, o->persons, o->npersons, o->hops,
                                                &cb, S, err)
         : o->parts ? load_part(S, s, o)
                    : s->ops->analysis_load(s, o->as_of, &cb, S, err);
    if (rc < 0)
        return rc == JD_ENOMEM ? jd_oom(S->err) : rc;
    if ((rc = group(S)) < 0)
        return rc;
    for (size_t i = 0; !o->parts && i < S->np; i++)
        S->p[i].rank = i;
    if (S->subset)
        return mark_walked(S, o);
    for (size_t i = 0; i < S->np; i++) {
        S->p[i].walk = jd_snapshot__part_of(S->p[i].pid, S->nparts) == S->part;
        S->nwalk += S->p[i].walk;
    }
    return 0;
}

void jd_snapshot__dispose(jd_snapshot *S)
{
    if (!S)
        return;
    free(S->ev);
    free(S->ev_index);
    free(S->m);
    free(S->md);
    free(S->p);
    free(S->refs);
    free(S->obj);
    free(S->by_event);
    free(S->by_person);
    free(S->obj_by_event);
    jd_strmap_free(&S->pmap);
    jd_strmap_free(&S->refmap);
    jd_strmap_free(&S->common);
    jd_arena_free(&S->ar);
    memset(S, 0, sizeof *S);
}
