/*
 * Lifetime network ids (issue 17 item 2, docs/networks.md "Network ids").
 *
 * A network is named once, when a saved full analysis first detects it:
 * "N" and a six-digit sequence number (N000001, N000002...), never derived
 * from a member. The store keeps the registry (table `network`): each
 * network's id, when it first met the rule, when it ended (merged into
 * another or dissolved) and its members with the moment each joined.
 *
 * Every run matches the networks it detects (the "found" ones, in the order
 * they were first detected, including those the replay merged into another)
 * to the registry as it stood at the run's "as of" time: only networks that
 * had met the rule by then, with only the members they had by then, so an
 * as-of run never sees a later network or member (no look-ahead) and names a
 * network as the full run did at that time.
 *
 * The rule, by member sets (person ids, adults and children):
 *   - a stored network S is continued by the found network F that shares
 *     most with it by Jaccard |S n F| / |S u F| (ties: more shared members,
 *     then the earlier found), provided they share at least half of the
 *     smaller of the two (|S n F| * 2 >= min(|S|, |F|)): otherwise S has
 *     no continuation;
 *   - a found network continuing one stored network takes its id; one
 *     continuing several takes the oldest (first_at, then seq) and the
 *     others are recorded as merged into it;
 *   - a found network continuing none is new; it is recorded as split from
 *     a stored network it shares at least half of itself with, if any: the
 *     larger part of a split network keeps the id (its Jaccard is higher);
 *   - a stored network continued by nothing is dissolved;
 *   - an ended network (merged or dissolved) is matched like any other: when
 *     its members are found apart again it takes back its id, recorded as
 *     split from the network it had merged into (or new, if dissolved).
 * A saved full run ("as of" now) writes the registry back with its changes
 * (new, grown, shrunk, merged, split, dissolved); any other run (as of a
 * past time, not saved) only reads it, and names a network it cannot match
 * "new-1", "new-2"... in the order of detection, until a saved run names it.
 */
#include "network/network.h"
#include "store/store.h"
#include "util/internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct rmember {
    char *pid;
    int64_t since;
    bool child;
} rmember;

typedef struct rnet {
    char *id, *merged_into;
    int64_t seq, first_at, ended_at;
    rmember *m; /* sorted by pid */
    uint32_t nm;
    uint32_t nvis; /* members visible as of the run's time */
} rnet;

struct jd_netreg {
    rnet *v;
    size_t n, cap;
    int64_t as_of, next_seq, now;
    bool write;
    /* the latest naming (each pass replaces it) */
    char **names; /* per found network */
    size_t nnames;
    jd_network_row *rows;
    size_t nrows;
    jd_network_change *ch;
    size_t nch, chcap;
    char **strs; /* strings the rows and changes point to */
    size_t nstrs, strcap;
};

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const rmember *)a)->pid, ((const rmember *)b)->pid);
}

static void rnet_free(rnet *r)
{
    free(r->id);
    free(r->merged_into);
    for (uint32_t i = 0; i < r->nm; i++)
        free(r->m[i].pid);
    free(r->m);
}

static void pending_free(jd_netreg *R)
{
    for (size_t i = 0; i < R->nnames; i++)
        free(R->names[i]);
    free(R->names);
    R->names = NULL;
    R->nnames = 0;
    for (size_t i = 0; i < R->nstrs; i++)
        free(R->strs[i]);
    free(R->strs);
    R->strs = NULL;
    R->nstrs = R->strcap = 0;
    free(R->rows);
    R->rows = NULL;
    R->nrows = 0;
    free(R->ch);
    R->ch = NULL;
    R->nch = R->chcap = 0;
}

void jd_network__reg_free(jd_netreg *R)
{
    if (!R)
        return;
    for (size_t i = 0; i < R->n; i++)
        rnet_free(&R->v[i]);
    free(R->v);
    pending_free(R);
    free(R);
}

typedef struct load_ctx {
    jd_netreg *R;
    jd_error *err;
} load_ctx;

static int load_row(const jd_network_row *row, void *payload)
{
    load_ctx *c = payload;
    jd_netreg *R = c->R;
    if (jd_grow((void **)&R->v, &R->cap, R->n + 1, sizeof *R->v))
        return jd_oom(c->err);
    rnet *r = &R->v[R->n];
    memset(r, 0, sizeof *r);
    json_error_t je;
    json_t *m = json_loads(row->members ? row->members : "", 0, &je);
    if (!json_is_array(m)) {
        json_decref(m);
        return jd_error_set(c->err, JD_ESTORE, "a malformed stored network member list");
    }
    r->id = strdup(row->id ? row->id : "");
    r->merged_into = row->merged_into && *row->merged_into ? strdup(row->merged_into) : NULL;
    r->m = calloc(json_array_size(m) + 1, sizeof *r->m);
    R->n++; /* freed with the registry from here on */
    if (!r->id || !r->m || (row->merged_into && *row->merged_into && !r->merged_into)) {
        json_decref(m);
        return jd_oom(c->err);
    }
    r->seq = row->seq;
    r->first_at = row->first_at;
    r->ended_at = row->ended_at;
    size_t i;
    json_t *x;
    json_array_foreach(m, i, x)
    {
        const char *pid = json_string_value(json_array_get(x, 0));
        if (!json_is_array(x) || !pid || !json_is_integer(json_array_get(x, 1))) {
            json_decref(m);
            return jd_error_set(c->err, JD_ESTORE, "a malformed stored network member");
        }
        rmember *mm = &r->m[r->nm];
        if (!(mm->pid = strdup(pid))) {
            json_decref(m);
            return jd_oom(c->err);
        }
        mm->since = json_integer_value(json_array_get(x, 1));
        mm->child = json_is_true(json_array_get(x, 2));
        r->nm++;
    }
    json_decref(m);
    if (r->nm > 1)
        qsort(r->m, r->nm, sizeof *r->m, cmp_member);
    if (r->seq >= R->next_seq)
        R->next_seq = r->seq + 1;
    return 0;
}

int jd_network__reg_load(jd_netreg **out, jd_store *s, int64_t as_of, int64_t now, bool write,
                         jd_error *err)
{
    *out = NULL;
    jd_netreg *R = calloc(1, sizeof *R);
    if (!R)
        return jd_oom(err);
    R->as_of = as_of;
    R->now = now;
    R->next_seq = 1;
    R->write = write && s && s->ops->networks_save && as_of == JD_AS_OF_NOW;
    if (s && s->ops->networks_read) {
        load_ctx c = {R, err};
        int rc = s->ops->networks_read(s, load_row, &c, err);
        if (rc < 0) {
            jd_network__reg_free(R);
            return rc;
        }
    }
    *out = R;
    return JD_OK;
}

/* |a n b| of two member lists sorted by pid (a's first na, b's first nb). */
static uint32_t overlap_rm(const rmember *a, uint32_t na, const rmember *b, uint32_t nb)
{
    uint32_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        int c = strcmp(a[i].pid, b[j].pid);
        if (c == 0)
            k++;
        i += c <= 0;
        j += c >= 0;
    }
    return k;
}

/* The members of F sorted by pid, as rmembers (pids borrowed). */
static int found_members(const jd_netfound *f, rmember **out, jd_error *err)
{
    rmember *m = calloc((size_t)f->n + 1, sizeof *m);
    if (!m)
        return jd_oom(err);
    for (uint32_t i = 0; i < f->n; i++)
        m[i] = (rmember){(char *)f->members[i], f->since[i], f->child[i]};
    if (f->n > 1)
        qsort(m, f->n, sizeof *m, cmp_member);
    *out = m;
    return JD_OK;
}

static char *keep(jd_netreg *R, char *s, jd_error *err)
{
    if (!s)
        return jd_oom(err), NULL;
    if (jd_grow((void **)&R->strs, &R->strcap, R->nstrs + 1, sizeof *R->strs)) {
        free(s);
        return jd_oom(err), NULL;
    }
    return R->strs[R->nstrs++] = s;
}

static int change(jd_netreg *R, const char *id, const char *how, const char *other, int64_t at,
                  jd_error *err)
{
    if (jd_grow((void **)&R->ch, &R->chcap, R->nch + 1, sizeof *R->ch))
        return jd_oom(err);
    R->ch[R->nch++] = (jd_network_change){id, how, other, at};
    return JD_OK;
}

static char *members_json(const rmember *m, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++)
        json_array_append_new(a,
                              json_pack("[s,I,b]", m[i].pid, (json_int_t)m[i].since, m[i].child));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/* Jaccard of (k shared, sizes a and b) greater than (k2, a2, b2)? */
static bool better(uint32_t k, uint32_t a, uint32_t b, uint32_t k2, uint32_t a2, uint32_t b2)
{
    uint64_t u = (uint64_t)a + b - k, u2 = (uint64_t)a2 + b2 - k2;
    uint64_t l = (uint64_t)k * u2, r = (uint64_t)k2 * u;
    return l != r ? l > r : k > k2;
}

/* What one naming works on. */
typedef struct naming {
    jd_netreg *R;
    const jd_netfound *f;
    size_t nf;
    rmember **fm;   /* each found network's members, sorted */
    uint32_t *succ; /* per stored network: the found one carrying it on */
    uint32_t *name; /* per found network: the stored one it is named after */
    jd_error *err;
} naming;

/* Each stored network as of the run's time, and the found network carrying
 * it on (succ, UINT32_MAX: none). */
static void continuations(naming *c)
{
    jd_netreg *R = c->R;
    for (size_t j = 0; j < R->n; j++) {
        rnet *S = &R->v[j];
        S->nvis = 0;
        c->succ[j] = UINT32_MAX;
        if (S->first_at > R->as_of)
            continue;
        /* members visible as of then, moved to the front (kept sorted) */
        uint32_t nvis = 0;
        for (uint32_t k = 0; k < S->nm; k++)
            if (S->m[k].since <= R->as_of) {
                rmember t = S->m[k];
                memmove(&S->m[nvis + 1], &S->m[nvis], (k - nvis) * sizeof *S->m);
                S->m[nvis++] = t;
            }
        S->nvis = nvis;
        uint32_t best = UINT32_MAX, bk = 0;
        for (size_t i = 0; i < c->nf && nvis; i++) {
            uint32_t n = c->f[i].n, k = overlap_rm(S->m, nvis, c->fm[i], n);
            if (!k || k * 2 < (nvis < n ? nvis : n))
                continue;
            if (best == UINT32_MAX || better(k, nvis, n, bk, nvis, c->f[best].n)) {
                best = (uint32_t)i;
                bk = k;
            }
        }
        c->succ[j] = best;
    }
}

/* Each found network named after the oldest stored network it carries on,
 * or new (a sequence number when this run writes the registry, "new-K"
 * otherwise). */
static int pick_names(naming *c)
{
    jd_netreg *R = c->R;
    int64_t seq = R->next_seq;
    uint32_t fresh = 0;
    for (size_t i = 0; i < c->nf; i++) {
        uint32_t *nm = &c->name[i];
        *nm = UINT32_MAX;
        for (size_t j = 0; j < R->n; j++) {
            if (c->succ[j] != i)
                continue;
            const rnet *S = &R->v[j], *B = *nm == UINT32_MAX ? NULL : &R->v[*nm];
            if (!B || S->first_at < B->first_at || (S->first_at == B->first_at && S->seq < B->seq))
                *nm = (uint32_t)j;
        }
        char b[40];
        if (*nm != UINT32_MAX)
            snprintf(b, sizeof b, "%s", R->v[*nm].id);
        else if (R->write)
            snprintf(b, sizeof b, "N%06lld", (long long)seq++);
        else
            snprintf(b, sizeof b, "new-%u", ++fresh);
        if (!(R->names[i] = strdup(b)))
            return jd_oom(c->err);
    }
    return JD_OK;
}

/* The registry rows and changes of the found networks. */
static int plan_found(naming *c)
{
    jd_netreg *R = c->R;
    int64_t seq = R->next_seq;
    int rc = JD_OK;
    for (size_t i = 0; i < c->nf && rc == JD_OK; i++) {
        const jd_netfound *f = &c->f[i];
        const char *into = f->merged_into >= 0 ? R->names[f->merged_into] : NULL, *id = R->names[i];
        char *mj = keep(R, members_json(c->fm[i], f->n), c->err);
        if (!mj)
            return JD_ENOMEM;
        const rnet *S = c->name[i] == UINT32_MAX ? NULL : &R->v[c->name[i]];
        R->rows[R->nrows++] =
            (jd_network_row){id, S ? S->seq : seq++, f->created, f->ended, into, mj};
        if (!S) {
            /* new, or split from a stored network it shares half of itself with */
            const char *from = NULL;
            for (size_t j = 0; j < R->n && !from; j++)
                if (R->v[j].nvis && c->succ[j] != UINT32_MAX && c->succ[j] != i &&
                    overlap_rm(R->v[j].m, R->v[j].nvis, c->fm[i], f->n) * 2 >= f->n)
                    from = R->v[j].id;
            rc = change(R, id, from ? "split" : "new", from, f->created, c->err);
            if (rc == JD_OK && into)
                rc = change(R, id, "merged", into, f->ended, c->err);
            continue;
        }
        if (into && (!S->merged_into || strcmp(S->merged_into, into)))
            rc = change(R, id, "merged", into, f->ended, c->err);
        else if (!into && S->ended_at) /* apart again: split off, or back */
            rc = change(R, id, S->merged_into ? "split" : "new", S->merged_into, R->now, c->err);
        uint32_t k = overlap_rm(S->m, S->nm, c->fm[i], f->n);
        if (rc == JD_OK && k < f->n)
            rc = change(R, id, "grown", NULL, R->now, c->err);
        if (rc == JD_OK && k < S->nm)
            rc = change(R, id, "shrunk", NULL, R->now, c->err);
    }
    return rc;
}

/* The registry rows and changes of the stored networks no found network is
 * named after: merged into another, dissolved, or kept as they were. */
static int plan_stored(naming *c)
{
    jd_netreg *R = c->R;
    int rc = JD_OK;
    for (size_t j = 0; j < R->n && rc == JD_OK; j++) {
        const rnet *S = &R->v[j];
        bool named = false;
        for (size_t i = 0; i < c->nf; i++)
            named |= c->name[i] == j;
        if (named)
            continue;
        jd_network_row row = {S->id, S->seq, S->first_at, S->ended_at, S->merged_into, NULL};
        if (c->succ[j] != UINT32_MAX) { /* merged into the found network's oldest */
            row.merged_into = R->names[c->succ[j]];
            if (!S->merged_into || strcmp(S->merged_into, row.merged_into))
                rc = change(R, S->id, "merged", row.merged_into, R->now, c->err);
            if (!row.ended_at)
                row.ended_at = R->now;
        } else if (!S->ended_at) {
            row.ended_at = R->now;
            rc = change(R, S->id, "dissolved", NULL, R->now, c->err);
        }
        if (rc == JD_OK && !(row.members = keep(R, members_json(S->m, S->nm), c->err)))
            rc = JD_ENOMEM;
        R->rows[R->nrows++] = row;
    }
    return rc;
}

int jd_network__name(jd_netreg *R, const jd_netfound *f, size_t nf, const char ***ids,
                     jd_error *err)
{
    pending_free(R);
    int rc = JD_OK;
    naming c = {R,
                f,
                nf,
                calloc(nf + 1, sizeof(rmember *)),
                malloc((R->n + 1) * sizeof(uint32_t)),
                malloc((nf + 1) * sizeof(uint32_t)),
                err};
    R->names = calloc(nf + 1, sizeof *R->names);
    if (!c.fm || !c.succ || !c.name || !R->names) {
        rc = jd_oom(err);
        goto out;
    }
    R->nnames = nf;
    for (size_t i = 0; i < nf && rc == JD_OK; i++)
        rc = found_members(&f[i], &c.fm[i], err);
    if (rc < 0)
        goto out;
    continuations(&c);
    if ((rc = pick_names(&c)) < 0 || !R->write)
        goto out;
    /* the registry to save: the found networks, then the stored ones */
    if (!(R->rows = calloc(nf + R->n + 1, sizeof *R->rows)))
        rc = jd_oom(err);
    if (rc == JD_OK && (rc = plan_found(&c)) == JD_OK)
        rc = plan_stored(&c);
out:
    if (c.fm)
        for (size_t i = 0; i < nf; i++)
            free(c.fm[i]);
    free(c.fm);
    free(c.succ);
    free(c.name);
    if (rc == JD_OK)
        *ids = (const char **)R->names;
    return rc;
}

int jd_network__reg_save(jd_netreg *R, jd_store *s, jd_error *err)
{
    if (!R->write || !R->rows)
        return JD_OK;
    return s->ops->networks_save(s, R->rows, R->nrows, R->ch, R->nch, err);
}

size_t jd_network__reg_changes(const jd_netreg *R, const jd_network_change **out)
{
    *out = R->ch;
    return R->nch;
}
