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
    p->pid = keep(S, pid);
    p->name = keep(S, name);
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
    e->reported = r->reported_at;
    e->known = r->known_at;
    e->agency = keep_common(S, r->agency);
    e->record_id = keep(S, r->record_id);
    e->type = keep_common(S, r->event_type);
    e->et = (uint8_t)jd_rules__event_type(r->event_type);
    e->location = keep(S, r->location);
    e->postcode = keep_common(S, r->postcode);
    e->narrative = keep(S, r->narrative);
    e->crime_ref = keep(S, r->crime_ref);
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

static int too_long(jd_snapshot *S)
{
    return jd_error_set(S->err, JD_ELIMIT, "analysis load: an agency and ref longer than %d bytes",
                        KEY_MAX - 3);
}

static int on_mention(const jd_an_mention_row *r, void *payload)
{
    jd_snapshot *S = payload;
    if (!known_event(S, r->event_id))
        return 0; /* not known by the as-of time (cannot happen with the join) */
    int64_t pi;
    if (r->person_id) {
        pi = person_of(S, r->person_id, r->name, r->dob, false, true);
    } else {
        char key[KEY_MAX];
        if (snprintf(key, sizeof key, "U:%s:%s", r->agency, r->person_ref) >= (int)sizeof key)
            return too_long(S);
        pi = person_of(S, key, r->name, r->dob_prec == 3 ? r->dob : NULL, false, false);
    }
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
        S->refs[S->nrefs++] =
            (aref){(uint32_t)pi, keep_common(S, r->agency), keep(S, r->person_ref)};
    }
    amention *m = &S->m[S->nm++];
    memset(m, 0, sizeof *m);
    m->ev = S->ev_index[r->event_id] - 1;
    m->person = (uint32_t)pi;
    m->role = jd_rules__role(r->role);
    m->age = -1;
    m->dob = keep(S, r->dob);
    m->dob_prec = r->dob_prec;
    m->rec_age = r->age;
    if (S->mention_detail) {
        m->agency = keep_common(S, r->agency);
        m->person_ref = keep(S, r->person_ref);
        m->role_name = keep_common(S, r->role);
        m->name = keep(S, r->name);
        if (!m->agency || !m->person_ref || !m->role_name)
            return jd_oom(S->err);
    }
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

int jd_snapshot__mention_age(const jd_snapshot *S, const amention *m)
{
    const aperson *p = &S->p[m->person];
    int64_t t = S->ev[m->ev].occurred;
    int a = p->dob ? jd_snapshot__age_at(p->dob, t) : -1;
    if (a < 0 && m->rec_age >= 0)
        a = m->rec_age;
    if (a < 0 && m->dob && m->dob_prec >= 1)
        a = jd_snapshot__age_at(m->dob, t);
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

int jd_snapshot__load(jd_snapshot *S, jd_store *s, const jd_snapshot_opts *o, jd_error *err)
{
    memset(S, 0, sizeof *S);
    jd_arena_init(&S->ar, 1 << 20);
    jd_strmap_init(&S->pmap);
    jd_strmap_init(&S->refmap);
    jd_strmap_init(&S->common);
    S->err = err;
    if (!s || !o)
        return jd_error_set(err, JD_EINVALID, "no store");
    S->mention_detail = o->mention_detail;
    S->subset = o->persons != NULL;
    if (S->subset && (!s->ops->incr || o->hops < 0))
        return jd_error_set(err, JD_EINVALID, "this store cannot load a subset for analysis");
    jd_an_callbacks cb = {on_identity, on_event, on_mention, on_object};
    int rc;
    /* the watermark of a full load as of now, taken before it, for the
     * incremental runs that follow it */
    if (!S->subset && o->as_of == JD_AS_OF_NOW && s->ops->incr &&
        (rc = s->ops->incr->mark_now(s, S->mark, err)) < 0)
        return rc;
    rc = S->subset ? s->ops->incr->load_subset(s, o->as_of, o->persons, o->npersons, o->hops,
                                               &cb, S, err)
                   : s->ops->analysis_load(s, o->as_of, &cb, S, err);
    if (rc < 0)
        return rc == JD_ENOMEM ? jd_oom(S->err) : rc;
    for (size_t i = 0; i < S->nm; i++)
        S->m[i].age = (int16_t)jd_snapshot__mention_age(S, &S->m[i]);
    if ((rc = group(S)) < 0)
        return rc;
    if (S->subset)
        return mark_walked(S, o);
    for (size_t i = 0; i < S->np; i++)
        S->p[i].walk = true;
    S->nwalk = S->np;
    return 0;
}

void jd_snapshot__dispose(jd_snapshot *S)
{
    if (!S)
        return;
    free(S->ev);
    free(S->ev_index);
    free(S->m);
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
