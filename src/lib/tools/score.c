/*
 * Scorer: accuracy of joindots' outputs against a synthetic county's truth.
 *
 * Identities are scored pairwise over person_refs from cluster contingency
 * counts: true positives are the pairs that share both a predicted and a
 * true person, so no O(n^2) pair list is built. The refs are sorted once by
 * (predicted cluster, true person); each subset (children, sparse refs, a
 * group of persons) is then one linear pass. A true person is exactly right
 * when one predicted cluster holds all their refs and nothing else. Person alerts are mapped to
 * a true person by the majority of their subject refs. Times are compared
 * as instants parsed with the same normaliser as ingest.
 */
#include "tools/tools.h"
#include "util/internal.h"

#include <jansson.h>
#include <joindots/score.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_GROUPS = 16 };

typedef struct truth_person {
    const char *id;
    bool is_child, exploited, network_adult;
    bool has_sparse;  /* one of their refs is marked sparse */
    uint16_t groups;  /* bit i: ctx.group[i] */
    uint16_t kinds;   /* bit i: one of their sparse refs is of kind ctx.kind[i] */
    const char *confounder, *ethnicity;
    int64_t first_evidence; /* exploited only; 0 unknown */
    int64_t high_at;        /* earliest child_at_risk >= high; 0 none */
} truth_person;

typedef struct ctx {
    json_t *truth;
    json_t *id_to_person;  /* truth id -> index */
    json_t *ref_to_person; /* "agency\x1fref" -> index */
    json_t *sparse_refs;   /* "agency\x1fref" -> kind index (-1: none given), refs marked sparse */
    truth_person *tp;
    size_t ntp;
    const char *group[MAX_GROUPS]; /* person group names, in order of appearance */
    int ngroups;
    const char *kind[MAX_GROUPS];  /* sparse ref kinds, in order of appearance */
    int nkinds;
} ctx;

/* One truth ref: its predicted cluster and true person. */
typedef struct idref {
    int32_t cl, p;
    bool sparse;
    int8_t kind; /* index into ctx.kind, -1 none */
} idref;

static int person_index(ctx *c, const char *id)
{
    json_t *v = id ? json_object_get(c->id_to_person, id) : NULL;
    return v ? (int)json_integer_value(v) : -1;
}

static json_t *refkey(const char *agency, const char *ref)
{
    return json_sprintf("%s\x1f%s", agency ? agency : "", ref ? ref : "");
}

static int ref_person(ctx *c, json_t *ref)
{
    const char *a = json_string_value(json_object_get(ref, "agency"));
    const char *r = json_string_value(json_object_get(ref, "person_ref"));
    json_t *k = refkey(a, r);
    json_t *v = json_object_get(c->ref_to_person, json_string_value(k));
    json_decref(k);
    return v ? (int)json_integer_value(v) : -1;
}

/* Majority true person among an alert subject's refs. */
static int subject_person(ctx *c, json_t *subject)
{
    json_t *refs = json_object_get(subject, "refs");
    int best = -1, bestn = 0;
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r)
    {
        int p = ref_person(c, r);
        if (p < 0)
            continue;
        int n = 0;
        size_t k;
        json_t *q;
        json_array_foreach(refs, k, q) n += ref_person(c, q) == p;
        if (n > bestn) {
            best = p;
            bestn = n;
        }
    }
    return best;
}

static int64_t parse_time(json_t *s)
{
    int64_t t = 0;
    if (json_is_string(s) && jd_time_parse(&t, json_string_value(s), 0) == JD_OK)
        return t;
    return 0;
}

static int level_rank(const char *l)
{
    if (!l)
        return 0;
    return !strcmp(l, "critical") ? 4 : !strcmp(l, "high") ? 3 : !strcmp(l, "medium") ? 2
         : !strcmp(l, "low") ? 1 : 0;
}

/* Earliest time an alert was at high or above (history, else raised_at). */
static int64_t high_time(json_t *alert)
{
    int64_t best = 0;
    json_t *h = json_object_get(alert, "history");
    size_t i;
    json_t *step;
    json_array_foreach(h, i, step)
    {
        if (level_rank(json_string_value(json_object_get(step, "level"))) >= 3) {
            int64_t t = parse_time(json_object_get(step, "raised_at"));
            if (t && (!best || t < best))
                best = t;
        }
    }
    if (!best && level_rank(json_string_value(json_object_get(alert, "level"))) >= 3)
        best = parse_time(json_object_get(alert, "raised_at"));
    return best;
}

static void prf(jd_prf *p)
{
    p->precision = p->tp + p->fp ? (double)p->tp / (double)(p->tp + p->fp) : 0;
    p->recall = p->tp + p->fn ? (double)p->tp / (double)(p->tp + p->fn) : 0;
    p->f1 = p->precision + p->recall > 0
                ? 2 * p->precision * p->recall / (p->precision + p->recall)
                : 0;
}

static long long pairs(long long n)
{
    return n * (n - 1) / 2;
}

static int cmp_idref(const void *a, const void *b)
{
    const idref *x = a, *y = b;
    if (x->cl != y->cl)
        return x->cl < y->cl ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

/* Which refs a pass counts. */
enum { F_ALL, F_CHILDREN, F_FULL, F_NOT_GROUP, F_NOT_KIND };

static bool keep(const ctx *c, const idref *r, int f, int g)
{
    switch (f) {
    case F_CHILDREN: return c->tp[r->p].is_child;
    case F_FULL: return !r->sparse;
    case F_NOT_GROUP: return !(c->tp[r->p].groups & (1u << g));
    case F_NOT_KIND: return r->kind != g;
    default: return true;
    }
}

/* Pairs among the kept refs (v sorted by cluster, then person); pcount is
 * scratch of ntp zeros, left zeroed. */
static void pair_counts(const ctx *c, const idref *v, size_t n, int f, int g, long long *pcount,
                        jd_prf *out)
{
    long long tp = 0, pp = 0, tt = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        long long in_cl = 0;
        while (j < n && v[j].cl == v[i].cl) {
            size_t k = j;
            long long in_cell = 0;
            while (k < n && v[k].cl == v[j].cl && v[k].p == v[j].p) {
                if (keep(c, &v[k], f, g)) {
                    in_cell++;
                    pcount[v[k].p]++;
                }
                k++;
            }
            tp += pairs(in_cell);
            in_cl += in_cell;
            j = k;
        }
        pp += pairs(in_cl);
        i = j;
    }
    for (size_t p = 0; p < c->ntp; p++) {
        tt += pairs(pcount[p]);
        pcount[p] = 0;
    }
    out->tp = tp;
    out->fp = pp - tp;
    out->fn = tt - tp;
    prf(out);
}

/* Pairs that touch the subset: all pairs less those among the rest. */
static void touching(const jd_prf *all, const jd_prf *rest, jd_prf *out)
{
    out->tp = all->tp - rest->tp;
    out->fp = all->fp - rest->fp;
    out->fn = all->fn - rest->fn;
    prf(out);
}

typedef struct exact_count {
    long long persons, exact;
} exact_count;

static json_t *exact_json(const exact_count *e)
{
    return json_pack("{s:I,s:I,s:f}", "persons", (json_int_t)e->persons, "exact",
                     (json_int_t)e->exact,
                     "share", e->persons ? (double)e->exact / (double)e->persons : 0.0);
}

static json_t *group_json(const jd_prf *p, const exact_count *e, long long refs)
{
    json_t *o = exact_json(e);
    json_object_set_new(o, "refs", json_integer((json_int_t)refs));
    json_object_set_new(o, "pairwise", json_pack("{s:f,s:f,s:f,s:I,s:I,s:I}", "precision",
                                                 p->precision, "recall", p->recall, "f1", p->f1,
                                                 "tp", (json_int_t)p->tp, "fp",
                                                 (json_int_t)p->fp, "fn", (json_int_t)p->fn));
    return o;
}

/*
 * Identity scores: all persons and children (pairs of two children's refs),
 * then, into detail.identity_groups, pairs touching sparse refs, pairs of two
 * full refs, and pairs touching each person group; and who is exactly right.
 */
/* The predicted cluster of each true ref into v[0..n) (numbered through
 * clid; a ref no identity names is its own cluster); returns how many. */
static int32_t predicted_clusters(ctx *c, json_t *pred, json_t *clid, idref *v)
{
    const char *key;
    json_t *val;
    size_t i = 0, n;
    int32_t ncl = 0;
    json_object_foreach(c->ref_to_person, key, val)
    {
        json_t *cl = json_object_get(pred, key);
        json_t *id = cl ? json_object_get(clid, json_string_value(cl)) : NULL;
        if (cl && !id) {
            id = json_integer(ncl++);
            json_object_set_new(clid, json_string_value(cl), id);
        }
        v[i].cl = id ? (int32_t)json_integer_value(id) : -1;
        v[i].p = (int32_t)json_integer_value(val);
        json_t *sk = json_object_get(c->sparse_refs, key);
        v[i].sparse = sk != NULL;
        v[i].kind = (int8_t)(sk ? json_integer_value(sk) : -1);
        i++;
    }
    for (n = i, i = 0; i < n; i++) /* an unpredicted ref is its own cluster */
        if (v[i].cl < 0)
            v[i].cl = ncl++;
    return ncl;
}

/* Persons, and those exactly right, overall, for children, for persons with
 * and without sparse refs, by group and by kind of sparse ref. */
typedef struct exact_sets {
    exact_count all, kids, sparse, full, grp[MAX_GROUPS], kd[MAX_GROUPS];
} exact_sets;

/* The persons exactly right (all their refs in one cluster, and nothing
 * else in it) counted into E. */
static int exact_persons(const ctx *c, const idref *v, size_t n, int32_t ncl, exact_sets *E)
{
    long long *nrefs = calloc(c->ntp + 1, sizeof *nrefs);
    long long *clsize = calloc((size_t)ncl + 1, sizeof *clsize);
    int32_t *first_cl = malloc((c->ntp + 1) * sizeof *first_cl);
    bool *split = calloc(c->ntp + 1, sizeof *split);
    int rc = JD_ENOMEM;
    if (!nrefs || !clsize || !first_cl || !split)
        goto out;
    for (size_t p = 0; p < c->ntp; p++)
        first_cl[p] = -1;
    for (size_t i = 0; i < n; i++) {
        nrefs[v[i].p]++;
        clsize[v[i].cl]++;
        if (first_cl[v[i].p] < 0)
            first_cl[v[i].p] = v[i].cl;
        else if (first_cl[v[i].p] != v[i].cl)
            split[v[i].p] = true;
    }
    for (size_t p = 0; p < c->ntp; p++) {
        if (!nrefs[p])
            continue;
        bool ok = !split[p] && clsize[first_cl[p]] == nrefs[p];
        const truth_person *t = &c->tp[p];
        exact_count *sets[3 + 2 * MAX_GROUPS];
        int ns = 0;
        sets[ns++] = &E->all;
        if (t->is_child)
            sets[ns++] = &E->kids;
        sets[ns++] = t->has_sparse ? &E->sparse : &E->full;
        for (int g = 0; g < c->ngroups; g++)
            if (t->groups & (1u << g))
                sets[ns++] = &E->grp[g];
        for (int k = 0; k < c->nkinds; k++)
            if (t->kinds & (1u << k))
                sets[ns++] = &E->kd[k];
        for (int k = 0; k < ns; k++) {
            sets[k]->persons++;
            sets[k]->exact += ok;
        }
    }
    rc = JD_OK;
out:
    free(nrefs);
    free(clsize);
    free(first_cl);
    free(split);
    return rc;
}

/* Pairwise scores and exact persons by kind of ref and by person group into
 * GROUPS. */
static void identity_groups(ctx *c, const idref *v, size_t n, long long *pcount,
                            jd_score_report *r, const exact_sets *E, json_t *groups)
{
    long long grefs[MAX_GROUPS] = {0}, krefs[MAX_GROUPS] = {0}, sparse_refs = 0;
    for (size_t i = 0; i < n; i++) {
        sparse_refs += v[i].sparse;
        if (v[i].kind >= 0)
            krefs[v[i].kind]++;
        for (int g = 0; g < c->ngroups; g++)
            grefs[g] += (c->tp[v[i].p].groups >> g) & 1u;
    }
    jd_prf rest, part;
    json_object_set_new(groups, "all_persons", group_json(&r->ident_all, &E->all, (long long)n));
    long long child_refs = 0;
    for (size_t i = 0; i < n; i++)
        child_refs += c->tp[v[i].p].is_child;
    json_object_set_new(groups, "children", group_json(&r->ident_children, &E->kids, child_refs));
    if (sparse_refs) {
        pair_counts(c, v, n, F_FULL, 0, pcount, &rest);
        touching(&r->ident_all, &rest, &part);
        json_object_set_new(groups, "sparse_refs", group_json(&part, &E->sparse, sparse_refs));
        json_object_set_new(groups, "full_refs",
                            group_json(&rest, &E->full, (long long)n - sparse_refs));
    }
    for (int k = 0; k < c->nkinds; k++) {
        char name[80];
        snprintf(name, sizeof name, "sparse_%s", c->kind[k]);
        pair_counts(c, v, n, F_NOT_KIND, k, pcount, &rest);
        touching(&r->ident_all, &rest, &part);
        json_object_set_new(groups, name, group_json(&part, &E->kd[k], krefs[k]));
    }
    for (int g = 0; g < c->ngroups; g++) {
        pair_counts(c, v, n, F_NOT_GROUP, g, pcount, &rest);
        touching(&r->ident_all, &rest, &part);
        json_object_set_new(groups, c->group[g], group_json(&part, &E->grp[g], grefs[g]));
    }
}

static int score_identities(ctx *c, json_t *pred, jd_score_report *r, json_t *detail)
{
    size_t n = json_object_size(c->ref_to_person);
    idref *v = malloc((n ? n : 1) * sizeof *v);
    long long *pcount = calloc(c->ntp + 1, sizeof *pcount);
    json_t *clid = json_object(), *groups = json_object();
    exact_sets E;
    memset(&E, 0, sizeof E);
    int rc = JD_ENOMEM;
    if (!v || !pcount || !clid || !groups)
        goto out;
    int32_t ncl = predicted_clusters(c, pred, clid, v);
    qsort(v, n, sizeof *v, cmp_idref);
    pair_counts(c, v, n, F_ALL, 0, pcount, &r->ident_all);
    pair_counts(c, v, n, F_CHILDREN, 0, pcount, &r->ident_children);
    /* exactly right */
    if ((rc = exact_persons(c, v, n, ncl, &E)) < 0)
        goto out;
    r->persons = E.all.persons;
    r->persons_exact = E.all.exact;
    r->children_persons = E.kids.persons;
    r->children_exact = E.kids.exact;
    r->exactly_right = E.all.persons ? (double)E.all.exact / (double)E.all.persons : 0;
    r->exactly_right_children =
        E.kids.persons ? (double)E.kids.exact / (double)E.kids.persons : 0;
    /* by kind of ref and by person group */
    identity_groups(c, v, n, pcount, r, &E, groups);
    json_object_set_new(detail, "identity_groups", groups);
    groups = NULL;
    rc = JD_OK;
out:
    json_decref(groups);
    json_decref(clid);
    free(v);
    free(pcount);
    return rc;
}

/* One ref of a true person (index i): whose it is, and when sparse, its
 * kind. */
static int truth_ref(ctx *c, truth_person *t, size_t i, json_t *r, jd_error *err)
{
    json_t *key = refkey(json_string_value(json_object_get(r, "agency")),
                         json_string_value(json_object_get(r, "person_ref")));
    json_object_set_new(c->ref_to_person, json_string_value(key),
                        json_integer((json_int_t)i));
    if (json_is_true(json_object_get(r, "sparse"))) {
        const char *kn = json_string_value(json_object_get(r, "kind"));
        int ki = -1;
        if (kn) {
            ki = 0;
            while (ki < c->nkinds && strcmp(c->kind[ki], kn))
                ki++;
            if (ki == c->nkinds) {
                if (c->nkinds == MAX_GROUPS) {
                    json_decref(key);
                    return jd_error_set_at(err, JD_ELIMIT, "truth.json", 0, 0,
                                           "more than %d kinds of sparse ref",
                                           MAX_GROUPS);
                }
                c->kind[c->nkinds++] = kn;
            }
            t->kinds |= (uint16_t)(1u << ki);
        }
        json_object_set_new(c->sparse_refs, json_string_value(key), json_integer(ki));
        t->has_sparse = true;
    }
    json_decref(key);
    return JD_OK;
}

/* What load_truth read, freed. */
static void truth_free(ctx *c)
{
    json_decref(c->ref_to_person);
    json_decref(c->id_to_person);
    json_decref(c->sparse_refs);
    json_decref(c->truth);
    free(c->tp);
}

static int load_truth(ctx *c, const char *path, jd_error *err)
{
    json_error_t je;
    c->truth = json_load_file(path, 0, &je);
    if (!c->truth)
        return jd_error_set_at(err, JD_EINVALID, "truth.json", je.line, je.column, "%s",
                               je.text);
    json_t *persons = json_object_get(c->truth, "persons");
    if (!json_is_array(persons))
        return jd_error_set_at(err, JD_EINVALID, "truth.json", 0, 0, "no persons array");
    c->ntp = json_array_size(persons);
    c->tp = calloc(c->ntp ? c->ntp : 1, sizeof *c->tp);
    c->ref_to_person = json_object();
    c->id_to_person = json_object();
    c->sparse_refs = json_object();
    if (!c->tp || !c->ref_to_person || !c->id_to_person || !c->sparse_refs)
        return jd_oom(err);
    size_t i;
    json_t *p;
    json_array_foreach(persons, i, p)
    {
        truth_person *t = &c->tp[i];
        t->id = json_string_value(json_object_get(p, "id"));
        if (!t->id)
            return jd_error_set_at(err, JD_EINVALID, "truth.json", 0, 0, "a person has no id");
        json_object_set_new(c->id_to_person, t->id, json_integer((json_int_t)i));
        t->is_child = json_is_true(json_object_get(p, "is_child"));
        t->ethnicity = json_string_value(json_object_get(p, "ethnicity"));
        t->confounder = "none";
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(p, "refs"), k, r)
        {
            int rc = truth_ref(c, t, i, r, err);
            if (rc < 0)
                return rc;
        }
        json_t *g;
        json_array_foreach(json_object_get(p, "groups"), k, g)
        {
            const char *name = json_string_value(g);
            int gi = 0;
            while (name && gi < c->ngroups && strcmp(c->group[gi], name))
                gi++;
            if (!name)
                continue;
            if (gi == c->ngroups) {
                if (c->ngroups == MAX_GROUPS)
                    return jd_error_set_at(err, JD_ELIMIT, "truth.json", 0, 0,
                                           "more than %d person groups", MAX_GROUPS);
                c->group[c->ngroups++] = name;
            }
            t->groups |= (uint16_t)(1u << gi);
        }
    }
    json_t *x;
    json_array_foreach(json_object_get(c->truth, "exploited"), i, x)
    {
        int pi = person_index(c, json_string_value(json_object_get(x, "person")));
        if (pi >= 0) {
            c->tp[pi].exploited = true;
            c->tp[pi].first_evidence = parse_time(json_object_get(x, "first_evidence_at"));
        }
    }
    json_array_foreach(json_object_get(c->truth, "children"), i, x)
    {
        int pi = person_index(c, json_string_value(json_object_get(x, "person")));
        const char *cf = json_string_value(json_object_get(x, "confounder"));
        if (pi >= 0 && cf)
            c->tp[pi].confounder = cf;
    }
    json_array_foreach(json_object_get(c->truth, "networks"), i, x)
    {
        size_t k;
        json_t *a;
        json_array_foreach(json_object_get(x, "adults"), k, a)
        {
            int pi = person_index(c, json_string_value(a));
            if (pi >= 0)
                c->tp[pi].network_adult = true;
        }
    }
    return JD_OK;
}

/* Read JSON Lines; each object is passed to `each`. */
static int read_jsonl(const char *path, const char *what, int (*each)(ctx *, json_t *, void *),
                      ctx *c, void *payload, jd_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return jd_error_set_at(err, JD_ENOTFOUND, what, 0, 0, "cannot open");
    char *line = NULL;
    size_t cap = 0;
    long ln = 0;
    int rc = JD_OK;
    ssize_t n;
    while (rc == JD_OK && (n = getline(&line, &cap, f)) > 0) {
        ln++;
        if (n <= 1)
            continue;
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!json_is_object(o)) {
            json_decref(o);
            rc = jd_error_set_at(err, JD_EINVALID, what, ln, je.column, "not a JSON object");
            break;
        }
        rc = each(c, o, payload);
        json_decref(o);
    }
    free(line);
    fclose(f);
    return rc;
}

static int each_identity(ctx *c, json_t *o, void *payload)
{
    json_t *pred = payload;
    const char *pid = json_string_value(json_object_get(o, "person_id"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(o, "refs"), i, r)
    {
        json_t *k = refkey(json_string_value(json_object_get(r, "agency")),
                           json_string_value(json_object_get(r, "person_ref")));
        json_object_set_new(pred, json_string_value(k), json_string(pid ? pid : "?"));
        json_decref(k);
    }
    (void)c;
    return JD_OK;
}

typedef struct alerts_acc {
    json_t *unrec, *lang;      /* "agency\x1frecord" -> 1, predicted */
    json_t *net_adults;        /* truth person index -> 1 (adults named) */
    long long net_adult_fp;
    json_t *networks;          /* alerts of kind exploitation_network */
} alerts_acc;

static int each_alert(ctx *c, json_t *o, void *payload)
{
    alerts_acc *a = payload;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (!kind)
        return JD_OK;
    if (!strcmp(kind, "child_at_risk")) {
        int p = subject_person(c, json_object_get(o, "subject"));
        int64_t t = high_time(o);
        if (p >= 0 && t && (!c->tp[p].high_at || t < c->tp[p].high_at))
            c->tp[p].high_at = t;
    } else if (!strcmp(kind, "unrecorded_crime") || !strcmp(kind, "language")) {
        json_t *r = json_array_get(json_object_get(o, "records"), 0);
        json_t *k = json_sprintf("%s\x1f%s", json_string_value(json_object_get(r, "agency")),
                                 json_string_value(json_object_get(r, "record_id")));
        if (k)
            json_object_set_new(!strcmp(kind, "language") ? a->lang : a->unrec,
                                json_string_value(k), json_true());
        json_decref(k);
    } else if (!strcmp(kind, "exploitation_network")) {
        json_array_append(a->networks, o);
    }
    return JD_OK;
}

/* The records of a truth list, keyed "agency\x1frecord_id". */
static json_t *record_keys(json_t *truth_list)
{
    json_t *t = json_object();
    size_t i;
    json_t *x;
    json_array_foreach(truth_list, i, x)
    {
        json_t *k = json_sprintf("%s\x1f%s", json_string_value(json_object_get(x, "agency")),
                                 json_string_value(json_object_get(x, "record_id")));
        if (t && k)
            json_object_set_new(t, json_string_value(k), json_true());
        json_decref(k);
    }
    return t;
}

/* Alerts pred against truth_list; an alert on a record of skip_list (the
 * other kind of truth: left-alone calls beside the planted crimes) is
 * neither right nor wrong here. */
static void score_records(json_t *truth_list, json_t *skip_list, json_t *pred, jd_prf *out)
{
    json_t *t = record_keys(truth_list), *skip = record_keys(skip_list);
    const char *key;
    json_t *v;
    out->tp = out->fp = 0;
    json_object_foreach(pred, key, v)
    {
        if (json_object_get(t, key))
            out->tp++;
        else if (!json_object_get(skip, key))
            out->fp++;
    }
    out->fn = (long long)json_object_size(t) - out->tp;
    prf(out);
    json_decref(t);
    json_decref(skip);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void score_networks(ctx *c, alerts_acc *a, jd_score_report *r)
{
    /* adults named with role adult in any network alert */
    json_t *named = json_object();
    size_t i, k;
    json_t *al, *m;
    json_array_foreach(a->networks, i, al)
    {
        json_array_foreach(json_object_get(al, "members"), k, m)
        {
            const char *role = json_string_value(json_object_get(m, "role_in_network"));
            if (!role || strcmp(role, "adult"))
                continue;
            int p = subject_person(c, m);
            char key[32];
            snprintf(key, sizeof key, "%d", p);
            json_object_set_new(named, key, json_integer(p));
        }
    }
    const char *key;
    json_t *v;
    jd_prf *na = &r->network_adults;
    na->tp = na->fp = 0;
    json_object_foreach(named, key, v)
    {
        int p = (int)json_integer_value(v);
        if (p >= 0 && c->tp[p].network_adult)
            na->tp++;
        else
            na->fp++;
    }
    long long total = 0;
    for (size_t p = 0; p < c->ntp; p++)
        total += c->tp[p].network_adult;
    na->fn = total - na->tp;
    prf(na);
    /* per network: detected when an alert names one of its adults and one of its
     * children; the detection time is that alert's raised_at */
    json_t *x;
    json_array_foreach(json_object_get(c->truth, "networks"), i, x)
    {
        r->networks++;
        int64_t fe = parse_time(json_object_get(x, "first_evidence_at"));
        int64_t best = 0;
        json_array_foreach(a->networks, k, al)
        {
            bool adult = false, child = false;
            size_t q;
            json_array_foreach(json_object_get(al, "members"), q, m)
            {
                int p = subject_person(c, m);
                if (p < 0)
                    continue;
                size_t z;
                json_t *id;
                json_array_foreach(json_object_get(x, "adults"), z, id)
                    adult |= !strcmp(json_string_value(id), c->tp[p].id);
                json_array_foreach(json_object_get(x, "children"), z, id)
                    child |= !strcmp(json_string_value(id), c->tp[p].id);
            }
            r->network_alerts += adult;
            int64_t t = parse_time(json_object_get(al, "raised_at"));
            if (adult && child && t && (!best || t < best))
                best = t;
        }
        if (best) {
            r->networks_detected++;
            if (fe && (best - fe) <= 180 * 86400LL)
                r->networks_within_180++;
        }
    }
    json_decref(named);
}

/* The load an alert level puts on a team (issue 15 item 6): children who
 * first reached high in each year, and all who had by its end, per 1,000
 * children of the county (the truth's children: all known to some agency). */
static json_t *capacity(const ctx *c)
{
    enum { Y0 = 1900, NY = 300 };
    long long nyear[NY] = {0}, children = 0;
    int ymin = NY, ymax = -1;
    for (size_t i = 0; i < c->ntp; i++) {
        if (!c->tp[i].is_child)
            continue;
        children++;
        if (!c->tp[i].high_at)
            continue;
        time_t t = (time_t)c->tp[i].high_at;
        struct tm tm;
        gmtime_r(&t, &tm);
        int y = tm.tm_year + 1900 - Y0;
        if (y < 0 || y >= NY)
            continue;
        nyear[y]++;
        ymin = y < ymin ? y : ymin;
        ymax = y > ymax ? y : ymax;
    }
    json_t *years = json_array();
    long long cum = 0;
    for (int y = ymin; y <= ymax; y++) {
        cum += nyear[y];
        json_array_append_new(
            years, json_pack("{s:i,s:I,s:I,s:f,s:f}", "year", y + Y0, "new_at_high",
                             (json_int_t)nyear[y], "reached_high_by_year_end", (json_int_t)cum,
                             "new_per_1000", children ? 1000.0 * (double)nyear[y] / (double)children : 0.0,
                             "reached_per_1000",
                             children ? 1000.0 * (double)cum / (double)children : 0.0));
    }
    return json_pack("{s:I,s:o}", "children_known", (json_int_t)children, "by_year", years);
}

/* One more child in the group by[key] ({"children", what}, made on first
 * use), and one more `what` when hit. */
static void count_child(json_t *by, const char *key, const char *what, bool hit)
{
    json_t *g = json_object_get(by, key);
    if (!g) {
        g = json_pack("{s:i,s:i}", "children", 0, what, 0);
        json_object_set_new(by, key, g);
    }
    json_object_set_new(g, "children",
                        json_integer(json_integer_value(json_object_get(g, "children")) + 1));
    json_object_set_new(g, what, json_integer(json_integer_value(json_object_get(g, what)) + hit));
}

int jd_score_run(jd_score_report *out, const char *truth, const char *identities,
                 const char *alerts, bool singletons, jd_error *err)
{
    if (!out || !truth)
        return jd_error_set(err, JD_EINVALID, "a truth file is required");
    ctx c = {0};
    jd_score_report r;
    memset(&r, 0, sizeof r);
    alerts_acc a = {json_object(), json_object(), json_object(), 0, json_array()};
    json_t *pred = json_object();
    double *delays = NULL;
    int rc = load_truth(&c, truth, err);
    if (rc < 0)
        goto out;
    if (identities && !singletons &&
        (rc = read_jsonl(identities, "identities", each_identity, &c, pred, err)) < 0)
        goto out;
    json_t *groups = json_object(), *eth = json_object(), *conf = json_object();
    r.detail = groups;
    if (groups) {
        json_object_set_new(groups, "false_alarms_by_confounder", conf);
        json_object_set_new(groups, "high_rate_by_ethnicity", eth);
    }
    if (!groups || !eth || !conf) {
        rc = jd_oom(err);
        goto out;
    }
    if ((rc = score_identities(&c, pred, &r, groups)) < 0) {
        jd_oom(err);
        goto out;
    }
    if (alerts && (rc = read_jsonl(alerts, "alerts", each_alert, &c, &a, err)) < 0)
        goto out;
    /* child_at_risk: recall at high, delay, false alarms, equality */
    delays = malloc((c.ntp + 1) * sizeof *delays);
    size_t nd = 0;
    for (size_t i = 0; i < c.ntp; i++) {
        truth_person *t = &c.tp[i];
        if (!t->is_child)
            continue;
        if (t->exploited) {
            r.exploited++;
            if (t->high_at) {
                r.exploited_high++;
                if (t->first_evidence && delays)
                    delays[nd++] = (double)(t->high_at - t->first_evidence) / 86400.0;
            }
        } else {
            r.non_exploited_children++;
            r.false_alarms += t->high_at != 0;
            count_child(conf, t->confounder, "false_alarms", t->high_at != 0);
        }
        count_child(eth, t->ethnicity ? t->ethnicity : "not recorded", "high", t->high_at != 0);
    }
    r.recall_high = r.exploited ? (double)r.exploited_high / (double)r.exploited : 0;
    r.false_alarm_rate =
        r.non_exploited_children ? (double)r.false_alarms / (double)r.non_exploited_children : 0;
    r.median_delay_days = NAN;
    if (nd) {
        qsort(delays, nd, sizeof *delays, cmp_double);
        r.median_delay_days = nd % 2 ? delays[nd / 2] : (delays[nd / 2 - 1] + delays[nd / 2]) / 2;
    }
    json_object_set_new(groups, "capacity", capacity(&c));
    score_networks(&c, &a, &r);
    json_t *unrec = json_object_get(c.truth, "unrecorded_crimes"),
           *left = json_object_get(c.truth, "left_alone");
    score_records(unrec, left, a.unrec, &r.unrecorded);
    score_records(left, unrec, a.unrec, &r.left_alone);
    score_records(json_object_get(c.truth, "blaming_language"), NULL, a.lang, &r.language);
    *out = r;
    r.detail = NULL;
out:
    json_decref(r.detail);
    free(delays);
    json_decref(pred);
    json_decref(a.unrec);
    json_decref(a.lang);
    json_decref(a.net_adults);
    json_decref(a.networks);
    truth_free(&c);
    return rc;
}

void jd_score_report_dispose(jd_score_report *r)
{
    if (r) {
        json_decref(r->detail);
        r->detail = NULL;
    }
}

static json_t *prf_json(const jd_prf *p)
{
    return json_pack("{s:f,s:f,s:f,s:I,s:I,s:I}", "precision", p->precision, "recall",
                     p->recall, "f1", p->f1, "tp", (json_int_t)p->tp, "fp", (json_int_t)p->fp,
                     "fn", (json_int_t)p->fn);
}

/* The report as one JSON object. */
static int print_json(const jd_score_report *r, FILE *f, jd_error *err)
{
    json_t *o = json_pack(
        "{s:o,s:o,s:I,s:I,s:f,s:o,s:I,s:I,s:f,s:o,s:I,s:I,s:I,s:o,s:o}", "identities_all",
        prf_json(&r->ident_all), "identities_children", prf_json(&r->ident_children),
        "exploited", (json_int_t)r->exploited, "exploited_high",
        (json_int_t)r->exploited_high, "recall_high", r->recall_high,
        "median_delay_days",
        isnan(r->median_delay_days) ? json_null() : json_real(r->median_delay_days),
        "non_exploited_children", (json_int_t)r->non_exploited_children, "false_alarms",
        (json_int_t)r->false_alarms, "false_alarm_rate", r->false_alarm_rate,
        "network_adults", prf_json(&r->network_adults), "networks",
        (json_int_t)r->networks, "networks_detected", (json_int_t)r->networks_detected,
        "networks_within_180_days", (json_int_t)r->networks_within_180,
        "unrecorded_crime", prf_json(&r->unrecorded), "language", prf_json(&r->language));
    if (o)
        json_object_set_new(o, "unrecorded_crime_left_alone", prf_json(&r->left_alone));
    if (!o)
        return jd_oom(err);
    exact_count all = {r->persons, r->persons_exact},
                kids = {r->children_persons, r->children_exact};
    json_object_set_new(o, "identities_exactly_right", exact_json(&all));
    json_object_set_new(o, "network_alerts", json_integer(r->network_alerts));
    json_object_set_new(o, "identities_children_exactly_right", exact_json(&kids));
    if (r->detail)
        json_object_update(o, r->detail);
    int bad = json_dumpf(o, f, JSON_INDENT(1) | JSON_SORT_KEYS) != 0;
    json_decref(o);
    fputc('\n', f);
    return bad ? jd_error_set(err, JD_EIO, "cannot write") : JD_OK;
}

int jd_score_print(const jd_score_report *r, FILE *f, bool as_json, jd_error *err)
{
    if (as_json)
        return print_json(r, f, err);
    fprintf(f, "%-44s %9s %9s %9s\n", "measure", "precision", "recall", "F1");
    const struct {
        const char *name;
        const jd_prf *p;
    } rows[] = {{"identity resolution, all persons (pairwise)", &r->ident_all},
                {"identity resolution, children (pairwise)", &r->ident_children},
                {"network adults in exploitation_network alerts", &r->network_adults},
                {"unrecorded crime alerts (by event)", &r->unrecorded},
                {"left-alone call alerts (by event, apart)", &r->left_alone},
                {"victim-blaming language alerts (by event)", &r->language}};
    for (size_t i = 0; i < JD_ARRAY_LEN(rows); i++) {
        const jd_prf *p = rows[i].p;
        if (p->tp + p->fn == 0) /* nothing of the kind in the truth: no figure to give */
            fprintf(f, "%-44s %9s %9s %9s  (none in the truth; %lld raised)\n", rows[i].name,
                    "-", "-", "-", p->fp);
        else
            fprintf(f, "%-44s %9.4f %9.4f %9.4f\n", rows[i].name, p->precision, p->recall,
                    p->f1);
    }
    fprintf(f, "\npeople exactly right (one cluster, all their refs, no other): %lld of %lld"
               " (%.2f%%)\n",
            r->persons_exact, r->persons, 100 * r->exactly_right);
    fprintf(f, "children exactly right:                                      %lld of %lld"
               " (%.2f%%)\n",
            r->children_exact, r->children_persons, 100 * r->exactly_right_children);
    fprintf(f, "\nidentity by kind of ref and person group (pairs touching the group;\n"
               "children: pairs of two children's refs; full_refs: pairs of two full refs):\n");
    fprintf(f, "  %-24s %8s %8s %9s %9s %9s %14s\n", "group", "refs", "persons", "precision",
            "recall", "F1", "exactly right");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r->detail, "identity_groups"), k, v)
    {
        json_t *pw = json_object_get(v, "pairwise");
        fprintf(f, "  %-24s %8lld %8lld %9.4f %9.4f %9.4f %13.2f%%\n", k,
                (long long)json_integer_value(json_object_get(v, "refs")),
                (long long)json_integer_value(json_object_get(v, "persons")),
                json_real_value(json_object_get(pw, "precision")),
                json_real_value(json_object_get(pw, "recall")),
                json_real_value(json_object_get(pw, "f1")),
                100 * json_real_value(json_object_get(v, "share")));
    }
    fprintf(f, "\nexploited children reaching high:          %lld of %lld (recall %.3f)\n",
            r->exploited_high, r->exploited, r->recall_high);
    if (isnan(r->median_delay_days))
        fprintf(f, "median delay, first evidence to high:      n/a (none detected)\n");
    else
        fprintf(f, "median delay, first evidence to high:      %.1f days\n",
                r->median_delay_days);
    fprintf(f, "false alarms among non-exploited children: %lld of %lld (%.2f%%)\n",
            r->false_alarms, r->non_exploited_children, 100 * r->false_alarm_rate);
    fprintf(f, "networks detected:                         %lld of %lld (%lld within 180 days)\n",
            r->networks_detected, r->networks, r->networks_within_180);
    fprintf(f, "network alerts naming a network's adults:  %lld for %lld networks\n",
            r->network_alerts, r->networks);
    json_t *d = r->detail;
    fprintf(f, "\nfalse alarms by confounder group:\n");
    json_object_foreach(json_object_get(d, "false_alarms_by_confounder"), k, v)
        fprintf(f, "  %-26s %lld of %lld\n", k,
                (long long)json_integer_value(json_object_get(v, "false_alarms")),
                (long long)json_integer_value(json_object_get(v, "children")));
    json_t *cap = json_object_get(d, "capacity");
    fprintf(f, "\ncapacity: children reaching high per 1,000 children known (%lld), by year:\n",
            (long long)json_integer_value(json_object_get(cap, "children_known")));
    fprintf(f, "  %6s %8s %10s %12s %12s\n", "year", "new", "per 1,000", "by year end",
            "per 1,000");
    size_t yi;
    json_array_foreach(json_object_get(cap, "by_year"), yi, v)
        fprintf(f, "  %6lld %8lld %10.2f %12lld %12.2f\n",
                (long long)json_integer_value(json_object_get(v, "year")),
                (long long)json_integer_value(json_object_get(v, "new_at_high")),
                json_real_value(json_object_get(v, "new_per_1000")),
                (long long)json_integer_value(json_object_get(v, "reached_high_by_year_end")),
                json_real_value(json_object_get(v, "reached_per_1000")));
    fprintf(f, "\nchild_at_risk at high, by ethnicity (equality monitoring):\n");
    json_object_foreach(json_object_get(d, "high_rate_by_ethnicity"), k, v)
    {
        long long n = json_integer_value(json_object_get(v, "children"));
        long long h = json_integer_value(json_object_get(v, "high"));
        fprintf(f, "  %-26s %lld of %lld (%.2f%%)\n", k, h, n, n ? 100.0 * (double)h / (double)n : 0);
    }
    return ferror(f) ? jd_error_set(err, JD_EIO, "cannot write") : JD_OK;
}

/* ---- calibration (joindots calibrate) ----
 *
 * On a labelled county: for each level, the share of exploited and of
 * non-exploited children reaching it, by confounder group; then, from each
 * child_at_risk alert's score_path (the score's new maxima, corroborated or
 * not) and high_by_trigger_at, what each threshold for high would give:
 * false alarms overall and in the worst group, recall, median delay. The
 * proposal is the lowest threshold that meets both false-alarm targets (the
 * lowest keeps the most recall and the shortest delay). */

enum { CAL_MAX_PATH = 64, CAL_LO = 6, CAL_HI = 40 };
static const char *const cal_level[5] = {"none", "low", "medium", "high", "critical"};

typedef struct cal_child {
    int64_t level_at[5]; /* first time at each level (history), 0 never */
    int64_t trig_high;   /* high by a trigger or T3, 0 never */
    int n;
    int score[CAL_MAX_PATH];
    int64_t at[CAL_MAX_PATH];
    bool corr[CAL_MAX_PATH];
} cal_child;

typedef struct cal_acc {
    cal_child *c;
} cal_acc;

static int each_alert_cal(ctx *c, json_t *o, void *payload)
{
    cal_acc *a = payload;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (!kind || strcmp(kind, "child_at_risk"))
        return JD_OK;
    int p = subject_person(c, json_object_get(o, "subject"));
    if (p < 0)
        return JD_OK;
    cal_child *k = &a->c[p];
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "history"), i, v) {
        int l = level_rank(json_string_value(json_object_get(v, "level")));
        int64_t t = parse_time(json_object_get(v, "raised_at"));
        if (l > 0 && t && (!k->level_at[l] || t < k->level_at[l]))
            k->level_at[l] = t;
    }
    int64_t tr = parse_time(json_object_get(o, "high_by_trigger_at"));
    if (tr && (!k->trig_high || tr < k->trig_high))
        k->trig_high = tr;
    json_array_foreach(json_object_get(o, "score_path"), i, v) {
        if (k->n >= CAL_MAX_PATH)
            break;
        k->score[k->n] = (int)json_integer_value(json_array_get(v, 0));
        k->at[k->n] = parse_time(json_array_get(v, 1));
        k->corr[k->n] = json_is_true(json_array_get(v, 2));
        k->n++;
    }
    return JD_OK;
}

/* When the child would first be at high with threshold h (0: never). */
static int64_t high_with(const cal_child *k, int h)
{
    int64_t best = k->trig_high;
    for (int i = 0; i < k->n; i++)
        if (k->corr[i] && k->score[i] >= h && k->at[i] && (!best || k->at[i] < best))
            best = k->at[i];
    return best;
}

/* Reached level l or above (history of this run). */
static bool reached(const cal_child *k, int l)
{
    for (int x = l; x <= 4; x++)
        if (k->level_at[x])
            return true;
    return false;
}

static double median(double *v, size_t n)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int group_of(ctx *c, json_t *names, const char *g)
{
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) if (!strcmp(json_string_value(v), g)) return (int)i;
    json_array_append_new(names, json_string(g));
    (void)c;
    return (int)json_array_size(names) - 1;
}

/* One calibration: the truth and this run's alerts per true person, the
 * non-exploited children's groups and the counts over them. */
typedef struct cal_run {
    ctx *c;
    cal_acc *a;
    int *grp;         /* true person -> group (non-exploited children) */
    json_t *names;    /* the groups' names */
    size_t ng;        /* how many groups */
    long long *gn;    /* non-exploited children per group */
    long long *gl;    /* per group (and level): how many reached it */
    double *delays;   /* scratch: days from first evidence to high */
    long long nx, nn; /* exploited and non-exploited children */
} cal_run;

/* The share of exploited and non-exploited children (overall and by group)
 * that reached each level in this run; counts R->gn. */
static json_t *cal_levels(cal_run *R)
{
    const ctx *c = R->c;
    long long xl[5] = {0}, nl[5] = {0};
    for (size_t i = 0; i < c->ntp; i++) {
        if (!c->tp[i].is_child)
            continue;
        if (!c->tp[i].exploited)
            R->gn[R->grp[i]]++;
        for (int l = 1; l <= 4; l++)
            if (reached(&R->a->c[i], l)) {
                if (c->tp[i].exploited)
                    xl[l]++;
                else {
                    nl[l]++;
                    R->gl[R->grp[i] * 5 + l]++;
                }
            }
    }
    json_t *levels = json_array();
    for (int l = 1; l <= 4; l++) {
        json_t *by = json_object();
        for (size_t g = 0; g < R->ng; g++)
            json_object_set_new(
                by, json_string_value(json_array_get(R->names, g)),
                json_real(R->gn[g] ? (double)R->gl[g * 5 + l] / (double)R->gn[g] : 0));
        json_array_append_new(
            levels,
            json_pack("{s:s,s:f,s:f,s:o}", "level", cal_level[l], "exploited",
                      R->nx ? (double)xl[l] / (double)R->nx : 0.0, "non_exploited",
                      R->nn ? (double)nl[l] / (double)R->nn : 0.0, "non_exploited_by_group", by));
    }
    return levels;
}

/* Each candidate score for high with its false alarm rate (overall and in
 * the worst group), recall and median delay; *proposal is the lowest that
 * meets both targets (-1: none). */
static json_t *cal_thresholds(cal_run *R, double target, double group_target, int *proposal)
{
    const ctx *c = R->c;
    json_t *cand = json_array();
    *proposal = -1;
    for (int h = CAL_LO; h <= CAL_HI; h++) {
        long long fa = 0, hit = 0;
        size_t nd = 0;
        memset(R->gl, 0, (R->ng + 1) * 5 * sizeof *R->gl);
        for (size_t i = 0; i < c->ntp; i++) {
            if (!c->tp[i].is_child)
                continue;
            int64_t t = high_with(&R->a->c[i], h);
            if (!t)
                continue;
            if (c->tp[i].exploited) {
                hit++;
                if (c->tp[i].first_evidence)
                    R->delays[nd++] = (double)(t - c->tp[i].first_evidence) / 86400.0;
            } else {
                fa++;
                R->gl[R->grp[i]]++;
            }
        }
        double worst = 0;
        const char *wg = "";
        for (size_t g = 0; g < R->ng; g++) {
            double r = R->gn[g] ? (double)R->gl[g] / (double)R->gn[g] : 0;
            if (r > worst) {
                worst = r;
                wg = json_string_value(json_array_get(R->names, g));
            }
        }
        double far = R->nn ? (double)fa / (double)R->nn : 0;
        double rec = R->nx ? (double)hit / (double)R->nx : 0;
        double med = median(R->delays, nd);
        bool meets = far <= target && worst <= group_target;
        if (meets && *proposal < 0)
            *proposal = h;
        json_array_append_new(cand, json_pack("{s:i,s:f,s:f,s:s,s:f,s:o,s:b}", "high_min_score", h,
                                              "false_alarm_rate", far, "worst_group_rate", worst,
                                              "worst_group", wg, "recall", rec, "median_delay_days",
                                              isnan(med) ? json_null() : json_real(med),
                                              "meets_targets", meets));
    }
    return cand;
}

/* The calibration OUT as text on F. */
static int cal_print(FILE *f, const json_t *out, const cal_run *R, int proposal, double target,
                     double group_target)
{
    json_t *levels = json_object_get(out, "levels"),
           *cand = json_object_get(out, "high_thresholds");
    fprintf(f, "calibration on %lld exploited and %lld non-exploited children\n\n", R->nx, R->nn);
    fprintf(f, "share reaching each level in this run (exploited / non-exploited):\n");
    size_t i;
    json_t *v;
    json_array_foreach(levels, i, v)
        fprintf(f, "  %-9s %6.3f / %6.4f\n", json_string_value(json_object_get(v, "level")),
                json_real_value(json_object_get(v, "exploited")),
                json_real_value(json_object_get(v, "non_exploited")));
    fprintf(f, "\nnon-exploited at high or critical, by group:\n");
    json_t *hv = json_array_get(levels, 2);
    const char *k;
    json_object_foreach(json_object_get(hv, "non_exploited_by_group"), k, v)
        fprintf(f, "  %-28s %6.4f\n", k, json_real_value(v));
    fprintf(f, "\nscore needed for high (corroborated; triggers and T3 count at any score):\n");
    fprintf(f, "  %5s %12s %12s %-28s %8s %12s\n", "score", "false alarm", "worst group", "(group)",
            "recall", "median delay");
    json_array_foreach(cand, i, v)
    {
        json_t *md = json_object_get(v, "median_delay_days");
        char mds[32] = "n/a";
        if (json_is_real(md))
            snprintf(mds, sizeof mds, "%.1f d", json_real_value(md));
        fprintf(f, "  %5lld %12.4f %12.4f %-28s %8.3f %12s%s\n",
                (long long)json_integer_value(json_object_get(v, "high_min_score")),
                json_real_value(json_object_get(v, "false_alarm_rate")),
                json_real_value(json_object_get(v, "worst_group_rate")),
                json_string_value(json_object_get(v, "worst_group")),
                json_real_value(json_object_get(v, "recall")), mds,
                json_is_true(json_object_get(v, "meets_targets")) ? "  meets" : "");
    }
    if (proposal >= 0)
        fprintf(f,
                "\nproposed: high at a corroborated score of %d or more (the lowest that "
                "meets %.2f%% overall and %.2f%% in every group)\n",
                proposal, 100 * target, 100 * group_target);
    else
        fprintf(f, "\nno threshold meets the targets: corroboration, mitigation or triggers "
                   "need work, not the score\n");
    return ferror(f) ? JD_EIO : JD_OK;
}

int jd_score_calibrate(const char *truth, const char *alerts, double target, double group_target,
                       FILE *f, bool as_json, jd_error *err)
{
    if (!truth || !alerts || !f || target < 0 || target > 1 || group_target < 0 || group_target > 1)
        return jd_error_set(err, JD_EINVALID,
                            "a truth file, an alerts file and targets from 0 to 1 are required");
    ctx c = {0};
    cal_acc a = {NULL};
    cal_run R = {&c, &a, NULL, json_array(), 0, NULL, NULL, NULL, 0, 0};
    json_t *out = json_object();
    int rc = load_truth(&c, truth, err);
    if (rc < 0)
        goto done;
    a.c = calloc(c.ntp + 1, sizeof *a.c);
    R.grp = calloc(c.ntp + 1, sizeof *R.grp);
    R.delays = malloc((c.ntp + 1) * sizeof *R.delays);
    if (!a.c || !R.grp || !R.delays || !R.names || !out) {
        rc = jd_oom(err);
        goto done;
    }
    if ((rc = read_jsonl(alerts, "alerts", each_alert_cal, &c, &a, err)) < 0)
        goto done;
    for (size_t i = 0; i < c.ntp; i++) {
        if (!c.tp[i].is_child)
            continue;
        R.grp[i] = c.tp[i].exploited ? -1 : group_of(&c, R.names, c.tp[i].confounder);
        R.nx += c.tp[i].exploited;
        R.nn += !c.tp[i].exploited;
    }
    R.ng = json_array_size(R.names);
    R.gn = calloc(R.ng + 1, sizeof *R.gn);
    R.gl = calloc((R.ng + 1) * 5, sizeof *R.gl);
    if (!R.gn || !R.gl) {
        rc = jd_oom(err);
        goto done;
    }
    int proposal;
    json_object_set_new(out, "exploited", json_integer(R.nx));
    json_object_set_new(out, "non_exploited", json_integer(R.nn));
    json_object_set_new(out, "target_false_alarm_rate", json_real(target));
    json_object_set_new(out, "target_group_rate", json_real(group_target));
    json_object_set_new(out, "levels", cal_levels(&R));
    json_object_set_new(out, "high_thresholds",
                        cal_thresholds(&R, target, group_target, &proposal));
    json_object_set_new(out, "proposed_high_min_score",
                        proposal >= 0 ? json_integer(proposal) : json_null());
    if (as_json) {
        rc = json_dumpf(out, f, JSON_INDENT(1) | JSON_SORT_KEYS) ? JD_EIO : JD_OK;
        fputc('\n', f);
    } else {
        rc = cal_print(f, out, &R, proposal, target, group_target);
    }
    if (rc == JD_EIO)
        jd_error_set(err, JD_EIO, "cannot write");
done:
    json_decref(out);
    json_decref(R.names);
    free(R.gn);
    free(R.gl);
    free(R.delays);
    free(R.grp);
    free(a.c);
    truth_free(&c);
    return rc;
}
