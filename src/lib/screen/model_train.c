/*
 * Training the learned combiner: a labelled corpus is screened once with
 * the rules alone (jd_screen_data_new) and every candidate's features kept;
 * then one L2-regularised logistic regression per kind is fitted by
 * full-batch AdaGrad (deterministic: no sampling, a fixed order; a step that
 * raises the objective is undone, fit_kind), and each
 * label's threshold, or "rules", is chosen on out-of-fold probabilities
 * from leave-one-set-out inside the training notes only.
 *
 * Feature ids: a named feature is its index in the data's dictionary; a
 * word bucket b is WORD_ID | b.
 */
#include "screen/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_ID 0x80000000u
#define MAX_SETS 64

typedef struct cfeat {
    uint32_t id;
    float v;
} cfeat;

typedef struct cand {
    uint32_t note;
    uint8_t kind;
    bool counted, y, recorded;
    bool family;      /* no rule of its own matched */
    bool closed;      /* a family candidate where a rule of its kind matched too */
    const char *code; /* arena */
    uint32_t f0, nf;  /* its features in D->f */
    bool shadow;      /* a wording label its rule matched, read as a family one
                       * (the text classifier learns from every note; never
                       * scored and never given a threshold) */
} cand;

typedef struct dnote {
    int set;
    double weight;
    bool recorded;   /* the gold says the crime is recorded */
    uint32_t g0, ng; /* gold labels in D->gold */
    uint32_t p0, np; /* rules-alone labels (offences unrecorded) in D->pred, kind in top byte */
} dnote;

struct jd_screen_data {
    dnote *notes;
    size_t n, ncap;
    cand *c;
    size_t nc, ccap;
    cfeat *f;
    size_t nf, fcap;
    const char **gold, **pred;
    uint8_t *pred_kind;
    size_t ngold, goldcap, npred, predcap, pkcap;
    jd_strmap dict; /* feature name -> index in names */
    const char **names;
    uint32_t *keys; /* per name, jd_sm__key of it */
    size_t nnames, namecap, keycap;
    jd_arena ar;
};

void jd_screen_data_free(jd_screen_data *D)
{
    if (!D)
        return;
    free(D->notes);
    free(D->c);
    free(D->f);
    free(D->gold);
    free(D->pred);
    free(D->pred_kind);
    free(D->names);
    free(D->keys);
    jd_strmap_free(&D->dict);
    jd_arena_free(&D->ar);
    free(D);
}

size_t jd_screen_data_count(const jd_screen_data *D)
{
    return D ? D->n : 0;
}

static const char *intern(jd_screen_data *D, const char *s)
{
    return jd_arena_strndup(&D->ar, s, strlen(s));
}

static int name_id(jd_screen_data *D, const char *name, uint32_t *id)
{
    bool added;
    uint32_t *v = jd_strmap_put(&D->dict, name, strlen(name), (uint32_t)D->nnames, &added);
    if (!v)
        return JD_ENOMEM;
    if (added) {
        if (jd_grow((void **)&D->names, &D->namecap, D->nnames + 1, sizeof *D->names) ||
            jd_grow((void **)&D->keys, &D->keycap, D->nnames + 1, sizeof *D->keys) ||
            !(D->names[D->nnames] = intern(D, name)))
            return JD_ENOMEM;
        D->keys[D->nnames] = jd_sm__key(name, strlen(name));
        D->nnames++;
    }
    *id = *v;
    return JD_OK;
}

static bool has_label(const jd_screen_gold *g, const char *code)
{
    for (size_t i = 0; i < g->nlabels; i++)
        if (g->labels[i] && !strcmp(g->labels[i], code))
            return true;
    return false;
}

static int add_cand(jd_screen_data *D, const jd_screen_gold *g, const jd_screen_result *res,
                    jd_sm_stemmer *st, jd_sm_fv *fv, const jd_screen_match *m, int ci, int xi)
{
    bool closed = ci < 0 && xi < 0 && jd_screen__family_candidate(res, m->kind, m->code, false);
    if (jd_screen__features_for(fv, st, &g->note, res, m, ci, xi) ||
        jd_grow((void **)&D->c, &D->ccap, D->nc + 1, sizeof *D->c) ||
        jd_grow((void **)&D->f, &D->fcap, D->nf + fv->n, sizeof *D->f))
        return JD_ENOMEM;
    cand *c = &D->c[D->nc];
    *c = (cand){(uint32_t)D->n,        (uint8_t)m->kind, ci >= 0,
                has_label(g, m->code), m->recorded,      ci < 0 && xi < 0,
                closed,                intern(D, m->code),
                (uint32_t)D->nf,       (uint32_t)fv->n,  false};
    if (!c->code)
        return JD_ENOMEM;
    for (size_t i = 0; i < fv->n; i++) {
        uint32_t id = fv->f[i].bucket | WORD_ID;
        if (fv->f[i].bucket == JD_SM_WORD && name_id(D, jd_sm__name(fv, i), &id))
            return JD_ENOMEM;
        D->f[D->nf++] = (cfeat){id, fv->f[i].v};
    }
    D->nc++;
    return JD_OK;
}

/* The family candidates of a note (JD_SM_DATA_FAMILY kinds). */
static int add_family(jd_screen_data *D, const jd_screen *S, const jd_screen_gold *g,
                      const jd_screen_result *res, jd_sm_stemmer *st, jd_sm_fv *fv)
{
    jd_screen_match protos[JD_SM_FAMILY_MAX];
    for (int kind = 0; kind < 3; kind++) {
        if (!(JD_SM_DATA_FAMILY & (1u << kind)))
            continue;
        size_t np =
            jd_screen__labels(S, (jd_screen_kind)kind, g->note.child_age, protos, JD_SM_FAMILY_MAX);
        bool recorded = kind == JD_SCREEN_OFFENCE && g->note.crime_recorded == 1;
        for (size_t i = 0; i < res->n; i++)
            recorded |= (int)res->m[i].kind == kind && res->m[i].recorded;
        for (size_t j = 0; j < np; j++) {
            protos[j].recorded = recorded;
            bool fam = jd_screen__family_candidate(res, (jd_screen_kind)kind, protos[j].code, true);
            bool shadow = !fam && kind == JD_SCREEN_LANGUAGE;
            if ((fam || shadow) && add_cand(D, g, res, st, fv, &protos[j], -1, -1))
                return JD_ENOMEM;
            if (shadow)
                D->c[D->nc - 1].shadow = true;
        }
    }
    return JD_OK;
}

/* One note: its gold, its rules-alone labels and its candidates. */
static int add_note(jd_screen_data *D, const jd_screen *S, const jd_screen_gold *g,
                    const jd_screen_result *res, jd_sm_stemmer *st, jd_sm_fv *fv)
{
    if (jd_grow((void **)&D->notes, &D->ncap, D->n + 1, sizeof *D->notes) ||
        jd_grow((void **)&D->gold, &D->goldcap, D->ngold + g->nlabels, sizeof *D->gold) ||
        jd_grow((void **)&D->pred, &D->predcap, D->npred + res->n, sizeof *D->pred) ||
        jd_grow((void **)&D->pred_kind, &D->pkcap, D->npred + res->n, 1))
        return JD_ENOMEM;
    dnote *d = &D->notes[D->n];
    *d = (dnote){g->set,
                 g->weight > 0 ? g->weight : 1.0,
                 g->note.crime_recorded == 1,
                 (uint32_t)D->ngold,
                 (uint32_t)g->nlabels,
                 (uint32_t)D->npred,
                 0};
    for (size_t i = 0; i < g->nlabels; i++)
        if (!(D->gold[D->ngold++] = intern(D, g->labels[i] ? g->labels[i] : "")))
            return JD_ENOMEM;
    for (size_t i = 0; i < res->n; i++) {
        const jd_screen_match *m = &res->m[i];
        int ci, xi;
        if (m->counts && !(m->kind == JD_SCREEN_OFFENCE && m->recorded)) {
            if (!(D->pred[D->npred] = intern(D, m->code)))
                return JD_ENOMEM;
            D->pred_kind[D->npred++] = (uint8_t)m->kind;
            d->np++;
        }
        /* a ruled-out match the model may not count (jd_sm__may_count) is
         * the rules' at prediction: not fitted, scored as the rules decide */
        if (jd_screen__candidate(res, m->kind, m->code, &ci, &xi) &&
            (int)i == (ci >= 0 ? ci : xi) && (ci >= 0 || jd_sm__may_count(&res->m[xi])) &&
            add_cand(D, g, res, st, fv, m, ci, xi))
            return JD_ENOMEM;
    }
    if (add_family(D, S, g, res, st, fv))
        return JD_ENOMEM;
    D->n++;
    return JD_OK;
}

int jd_screen_data_new(jd_screen_data **out, jd_screen *S, const jd_screen_gold *notes, size_t n,
                       jd_error *err)
{
    if (!out || !S || (!notes && n))
        return jd_error_set(err, JD_EINVALID, "out, screen and notes are required");
    jd_screen_data *D = calloc(1, sizeof *D);
    jd_sm_stemmer *st = NULL;
    if (!D || jd_sm__stemmer_new(&st)) {
        free(D);
        return jd_oom(err);
    }
    jd_strmap_init(&D->dict);
    jd_arena_init(&D->ar, 64 * 1024);
    jd_screen_model *keep = jd_screen__model_swap(S, NULL);
    bool weak = jd_screen_set_weak(S, true); /* the weak candidates, for every kind */
    jd_screen_result res = {0};
    jd_sm_fv fv = {0};
    int rc = JD_OK;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        if (notes[i].set < 0 || notes[i].set >= MAX_SETS) {
            rc = jd_error_set(err, JD_EINVALID, "note %zu: set %d is not 0-63", i, notes[i].set);
            break;
        }
        rc = jd_screen_run(S, &notes[i].note, &res, err);
        if (rc >= 0 && add_note(D, S, &notes[i], &res, st, &fv))
            rc = jd_oom(err);
    }
    (void)jd_screen__model_swap(S, keep);
    (void)jd_screen_set_weak(S, weak);
    jd_screen_result_free(&res);
    jd_sm__fv_free(&fv);
    jd_sm__stemmer_free(st);
    if (rc < 0) {
        jd_screen_data_free(D);
        return rc;
    }
    *out = D;
    return JD_OK;
}

/* ---- fitting ---- */

typedef struct fit {
    const jd_screen_data *D;
    int kind;
    double *w; /* nnames named, then JD_SM_BUCKETS words */
    size_t dim;
} fit;

static size_t dim_of(const jd_screen_data *D, uint32_t id)
{
    return id & WORD_ID ? D->nnames + (id & ~WORD_ID) : id;
}

static double margin(const fit *F, const cand *c)
{
    double z = 0;
    for (uint32_t j = 0; j < c->nf; j++)
        z += F->w[dim_of(F->D, F->D->f[c->f0 + j].id)] * F->D->f[c->f0 + j].v;
    return z;
}

static bool in_use(const jd_screen_data *D, const bool *use, const cand *c)
{
    return !use || use[c->note];
}

/* A candidate of kind the fit learns from: family ones only when asked (and
 * in every note only for an open kind; none for a veto-only kind). */
static bool learns(const cand *c, int kind, const jd_screen_train_opts *o)
{
    unsigned b = 1u << kind;
    if (c->kind != kind)
        return false;
    bool open = (o->open & b) || kind == JD_SCREEN_INDICATOR || kind == JD_SCREEN_LANGUAGE;
    return !c->family || ((o->family & b) && !(o->only_veto & b) && (c->closed || open));
}

/* The objective at F->w, the mean weighted logistic loss + l2/2 |w|^2 over
 * the candidates the fit learns from (n: their weight), and its data
 * gradient in g (the penalty's is added by the step). */
static double objective(const fit *F, const bool *use, const jd_screen_train_opts *o, double n,
                        double *g)
{
    const jd_screen_data *D = F->D;
    memset(g, 0, F->dim * sizeof *g);
    double loss = 0, w2 = 0;
    for (size_t i = 0; i < D->nc; i++) {
        const cand *c = &D->c[i];
        if (!learns(c, F->kind, o) || !in_use(D, use, c))
            continue;
        double z = margin(F, c), wt = D->notes[c->note].weight / n;
        /* log(1 + e^-yz) without overflow */
        double yz = c->y ? z : -z;
        loss += wt * (yz > 0 ? log1p(exp(-yz)) : -yz + log1p(exp(yz)));
        double r = (1.0 / (1.0 + exp(-z)) - (c->y ? 1.0 : 0.0)) * wt;
        for (uint32_t j = 0; j < c->nf; j++)
            g[dim_of(D, D->f[c->f0 + j].id)] += r * D->f[c->f0 + j].v;
    }
    for (size_t d = 0; d < F->dim; d++)
        w2 += F->w[d] * F->w[d];
    return loss + o->l2 / 2 * w2;
}

/* One AdaGrad step of size eta from w (accumulators h) along g + l2 w. */
static void adagrad_step(fit *F, double *g, double *h, double l2, double eta)
{
    for (size_t d = 0; d < F->dim; d++) {
        double gd = g[d] + l2 * F->w[d];
        if (gd == 0)
            continue;
        h[d] += gd * gd;
        F->w[d] -= eta * gd / (sqrt(h[d]) + 1e-8);
    }
}

/* Full-batch AdaGrad on the mean logistic loss + l2/2 |w|^2, guarded: a step
 * that raises the objective is undone (w, the accumulators and the gradient
 * back to the best point) and the step size halved; a step that lowers it
 * lets the step size grow back (x1.25, at most o->rate). The fit is the best
 * point evaluated. Unguarded, AdaGrad's steps, each word bucket scaled on
 * its own, can move 65,536 buckets that every note shares the same way at
 * once: on 23 tune parts the last of 150 steps took the loss from 0.009 to
 * 0.40, every word bucket 0.08 lower, and the model vetoed nearly every
 * indicator of the set left out (docs/internals/screen.md). */
static int fit_kind(fit *F, const bool *use, const jd_screen_train_opts *o)
{
    const jd_screen_data *D = F->D;
    F->dim = D->nnames + JD_SM_BUCKETS;
    F->w = calloc(F->dim, sizeof *F->w);
    double *g = calloc(F->dim, sizeof *g), *h = calloc(F->dim, sizeof *h);
    double *wb = calloc(F->dim, sizeof *wb), *gb = calloc(F->dim, sizeof *gb),
           *hb = calloc(F->dim, sizeof *hb);
    int rc = F->w && g && h && wb && gb && hb ? JD_OK : JD_ENOMEM;
    double n = 0;
    for (size_t i = 0; !rc && i < D->nc; i++)
        if (learns(&D->c[i], F->kind, o) && in_use(D, use, &D->c[i]))
            n += D->notes[D->c[i].note].weight;
    size_t bytes = F->dim * sizeof *g;
    double best = INFINITY, eta = o->rate;
    for (int it = 0; !rc && n > 0 && it <= o->iterations; it++) {
        double J = objective(F, use, o, n, g);
        if (J <= best) {
            best = J;
            memcpy(wb, F->w, bytes);
            memcpy(gb, g, bytes);
            memcpy(hb, h, bytes);
            eta = eta * 1.25 < o->rate ? eta * 1.25 : o->rate;
        } else {
            memcpy(F->w, wb, bytes);
            memcpy(g, gb, bytes);
            memcpy(h, hb, bytes);
            eta *= 0.5;
        }
        if (it < o->iterations)
            adagrad_step(F, g, h, o->l2, eta);
    }
    if (!rc && n > 0)
        memcpy(F->w, wb, bytes);
    free(g);
    free(h);
    free(wb);
    free(gb);
    free(hb);
    return rc;
}

/* ---- thresholds ---- */

static const float grid[] = {0.1f,  0.15f, 0.2f,  0.25f, 0.3f,  0.35f, 0.4f,  0.45f, 0.5f,
                             0.55f, 0.6f,  0.65f, 0.7f,  0.75f, 0.8f,  0.85f, 0.9f};
#define NGRID (sizeof grid / sizeof grid[0])

/* F1 counts per choice: [0] the rules, [1 + g] the model at grid[g]. */
typedef struct tally {
    const char *code;
    long n;
    double tp[NGRID + 1], fp[NGRID + 1], fn[NGRID + 1]; /* weighted */
} tally;

static void tally_add(tally *t, int only, bool counted, bool y, double p, double w)
{
    t->n++;
    for (size_t g = 0; g <= NGRID; g++) {
        bool on = g ? jd_sm__counts(only, counted, p, grid[g - 1]) : counted;
        t->tp[g] += on && y ? w : 0;
        t->fp[g] += on && !y ? w : 0;
        t->fn[g] += !on && y ? w : 0;
    }
}

/* The kind's micro F1 with this label's counts at choice g and the rest of
 * the kind's (base: tp, fp, fn) as the rules decide them. */
static double f1_with(const tally *t, size_t g, const double base[3])
{
    double tp = base[0] + t->tp[g];
    return 2.0 * tp / (2 * tp + base[1] + t->fp[g] + base[2] + t->fn[g] + 1e-9);
}

/* The best choice: -1 the rules (unless the model is strictly better), or a
 * grid threshold (nearest 0.5 among equals). Judged by the kind's micro F1,
 * not the label's own: a label no rule matched (a family candidate) has an
 * F1 of its own near 0, and raising it at a precision under the kind's
 * F1 / 2 costs the kind more than it gives. all: the kind's counts with
 * every label as the rules decide it. */
static float best_choice(const tally *t, const double all[3])
{
    const double base[3] = {all[0] - t->tp[0], all[1] - t->fp[0], all[2] - t->fn[0]};
    double best = f1_with(t, 0, base);
    float pick = -1.0f;
    double bd = 1;
    for (size_t g = 1; g <= NGRID; g++) {
        double f = f1_with(t, g, base);
        double d = fabs(grid[g - 1] - 0.5);
        if (f > best + 1e-9 || (pick >= 0 && f > best - 1e-9 && d < bd)) {
            best = f;
            pick = grid[g - 1];
            bd = d;
        }
    }
    return pick;
}

static tally *tally_of(tally **v, size_t *n, size_t *cap, const char *code)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i].code, code))
            return &(*v)[i];
    if (jd_grow((void **)v, cap, *n + 1, sizeof **v))
        return NULL;
    memset(&(*v)[*n], 0, sizeof **v);
    if (!((*v)[*n].code = strdup(code)))
        return NULL;
    return &(*v)[(*n)++];
}

#define INNER_FOLDS 4

/* Probabilities of the kind's training candidates, out of fold when asked:
 * folds of whole sets (set % INNER_FOLDS), so a writer is never scored by a
 * fit that saw it. */
static int oof_probs(const jd_screen_data *D, const bool *use, int kind,
                     const jd_screen_train_opts *o, const fit *all, double *p)
{
    bool folds[INNER_FOLDS] = {false};
    int nfolds = 0;
    for (size_t i = 0; i < D->n; i++)
        if ((!use || use[i]) && !folds[D->notes[i].set % INNER_FOLDS]) {
            folds[D->notes[i].set % INNER_FOLDS] = true;
            nfolds++;
        }
    for (size_t i = 0; i < D->nc; i++)
        p[i] = 1.0 / (1.0 + exp(-margin(all, &D->c[i])));
    if (!o->inner_cv || nfolds < 2)
        return JD_OK;
    bool *inner = malloc(D->n ? D->n : 1);
    if (!inner)
        return JD_ENOMEM;
    for (int s = 0; s < INNER_FOLDS; s++) {
        if (!folds[s])
            continue;
        for (size_t i = 0; i < D->n; i++)
            inner[i] = (!use || use[i]) && D->notes[i].set % INNER_FOLDS != s;
        fit F = {D, kind, NULL, 0};
        if (fit_kind(&F, inner, o)) {
            free(F.w);
            free(inner);
            return JD_ENOMEM;
        }
        for (size_t i = 0; i < D->nc; i++)
            if (D->c[i].kind == kind && D->notes[D->c[i].note].set % INNER_FOLDS == s)
                p[i] = 1.0 / (1.0 + exp(-margin(&F, &D->c[i])));
        free(F.w);
    }
    free(inner);
    return JD_OK;
}

static int choose_thresholds(jd_screen_model *m, const jd_screen_data *D, const bool *use, int kind,
                             const jd_screen_train_opts *o, const double *p)
{
    /* pooled: matched candidates, family ones beside a match of the kind, open ones */
    tally *t = NULL, pooled[3] = {{"*", 0, {0}, {0}, {0}},
                                  {"any/family", 0, {0}, {0}, {0}},
                                  {"any/open", 0, {0}, {0}, {0}}};
    size_t nt = 0, cap = 0;
    unsigned b = 1u << kind;
    int only = o->only_veto & b ? JD_SM_VETO : o->only_raise & b ? JD_SM_RAISE : JD_SM_BOTH;
    int rc = JD_OK;
    for (size_t i = 0; i < D->nc && !rc; i++) {
        const cand *c = &D->c[i];
        if (!learns(c, kind, o) || !in_use(D, use, c) || c->shadow)
            continue;
        int pool = !c->family ? 0 : c->closed ? 1 : 2;
        char key[64]; /* whole: a rule's code is at most JD_SM_CODE_MAX bytes (load_rules) */
        _Static_assert(JD_SM_CODE_MAX + sizeof "/family" <= sizeof key, "a tally key is cut");
        snprintf(key, sizeof key, "%s%s", c->code, pool == 2 ? "/open" : pool ? "/family" : "");
        tally *x = tally_of(&t, &nt, &cap, key);
        if (!x)
            rc = JD_ENOMEM;
        else {
            double w = D->notes[c->note].weight;
            tally_add(x, only, c->counted, c->y, p[i], w);
            tally_add(&pooled[pool], only, c->counted, c->y, p[i], w);
        }
    }
    double all[3] = {0};
    for (int q = 0; q < 3; q++)
        all[0] += pooled[q].tp[0], all[1] += pooled[q].fp[0], all[2] += pooled[q].fn[0];
    float def[3] = {best_choice(&pooled[0], all), best_choice(&pooled[1], all),
                    best_choice(&pooled[2], all)};
    m->k[kind].def_thr = def[0];
    m->k[kind].family = (o->family & b) && only != JD_SM_VETO;
    m->k[kind].open = (o->open & b) != 0;
    m->k[kind].only = (uint8_t)only;
    if (!rc && m->k[kind].family)
        rc = jd_sm__set_threshold(m, kind, "any/family", def[1]);
    if (!rc && m->k[kind].family && pooled[2].n)
        rc = jd_sm__set_threshold(m, kind, "any/open", def[2]);
    for (size_t i = 0; i < nt && !rc; i++) {
        const char *slash = strchr(t[i].code, '/');
        int pool = !slash ? 0 : !strcmp(slash, "/open") ? 2 : 1;
        rc = jd_sm__set_threshold(m, kind, t[i].code,
                                  t[i].n >= o->min_label ? best_choice(&t[i], all) : def[pool]);
    }
    for (size_t i = 0; i < nt; i++)
        free((char *)t[i].code);
    free(t);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int store_kind(jd_screen_model *m, const jd_screen_data *D, int kind, const fit *F)
{
    jd_sm_kind *k = &m->k[kind];
    size_t nn = 0;
    for (size_t i = 0; i < D->nnames; i++)
        nn += F->w[i] != 0;
    k->keys = calloc(nn ? nn : 1, sizeof *k->keys);
    k->w = calloc(nn ? nn : 1, sizeof *k->w);
    k->names = calloc(nn ? nn : 1, sizeof *k->names);
    k->wb = calloc(JD_SM_BUCKETS, sizeof *k->wb);
    if (!k->keys || !k->w || !k->names || !k->wb)
        return JD_ENOMEM;
    /* by key, as the loader keeps them (jd_sm__named_weight's binary search) */
    uint64_t *order = malloc((nn ? nn : 1) * sizeof *order);
    if (!order)
        return JD_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < D->nnames; i++)
        if (F->w[i] != 0)
            order[o++] = (uint64_t)D->keys[i] << 32 | i;
    qsort(order, nn, sizeof *order, cmp_u64);
    for (size_t j = 0; j < nn; j++) {
        size_t i = (size_t)(order[j] & 0xffffffffu);
        k->keys[j] = D->keys[i];
        k->w[j] = (float)F->w[i];
        if (!(k->names[j] = jd_arena_strndup(&m->ar, D->names[i], strlen(D->names[i])))) {
            free(order);
            return JD_ENOMEM;
        }
    }
    free(order);
    k->nn = nn;
    for (size_t b = 0; b < JD_SM_BUCKETS; b++)
        k->wb[b] = (float)F->w[D->nnames + b];
    k->on = true;
    return JD_OK;
}

/* opts.keep: the kinds to learn (0: the kept model's) and each one's family,
 * open and only settings are the kept model's, so that the fit learns from
 * the candidates the kept thresholds will decide. */
static int keep_settings(jd_screen_train_opts *o, jd_error *err)
{
    static const char *kn[3] = {"offences", "language", "indicators"};
    const jd_screen_model *k = o->keep;
    if (k->shared)
        return jd_error_set(err, JD_EINVALID, "the kept model must be a model of its own");
    for (int kind = 0; kind < 3 && !o->kinds; kind++)
        o->kinds |= k->k[kind].on ? 1u << kind : 0;
    if (!o->kinds)
        return jd_error_set(err, JD_EINVALID, "the kept model has no kinds");
    for (int kind = 0; kind < 3; kind++) {
        unsigned b = 1u << kind;
        const jd_sm_kind *x = &k->k[kind];
        if (!(o->kinds & b))
            continue;
        if (!x->on)
            return jd_error_set(err, JD_EINVALID, "the kept model has no %s thresholds", kn[kind]);
        o->family = x->family ? o->family | b : o->family & ~b;
        o->open = x->open ? o->open | b : o->open & ~b;
        o->only_veto = x->only == JD_SM_VETO ? o->only_veto | b : o->only_veto & ~b;
        o->only_raise = x->only == JD_SM_RAISE ? o->only_raise | b : o->only_raise & ~b;
    }
    return JD_OK;
}

int jd_screen_model_train(jd_screen_model **out, const jd_screen_data *D, const bool *use,
                          const jd_screen_train_opts *opts, jd_error *err)
{
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    if (opts)
        o = *opts;
    if (!out || !D || o.iterations < 0 || o.rate <= 0 || o.l2 < 0)
        return jd_error_set(err, JD_EINVALID, "out, data and sane options are required");
    if (o.keep && keep_settings(&o, err) < 0)
        return JD_EINVALID;
    jd_screen_model *m;
    double *p = malloc((D->nc ? D->nc : 1) * sizeof *p);
    if (!p || jd_sm__model_new(&m)) {
        free(p);
        return jd_oom(err);
    }
    int rc = JD_OK;
    for (int kind = 0; kind < 3 && !rc; kind++) {
        if (o.kinds && !(o.kinds & (1u << kind)))
            continue;
        fit F = {D, kind, NULL, 0};
        rc = fit_kind(&F, use, &o);
        if (!rc)
            rc = store_kind(m, D, kind, &F);
        if (!rc && o.keep) /* only the weights are learnt */
            rc = jd_sm__keep_thresholds(m, o.keep, kind);
        else if (!rc)
            rc = oof_probs(D, use, kind, &o, &F, p);
        if (!rc && !o.keep)
            rc = choose_thresholds(m, D, use, kind, &o, p);
        free(F.w);
    }
    free(p);
    if (rc) {
        jd_screen_model_free(m);
        return jd_oom(err);
    }
    *out = m;
    return JD_OK;
}

/* ---- scoring ---- */

static int label_kind(const char *code)
{
    bool digits = code[0] && code[1] >= '0' && code[1] <= '9';
    if (code[0] == 'C' && digits)
        return JD_SCREEN_OFFENCE;
    if ((code[0] == 'V' || code[0] == 'M' || code[0] == 'S') && digits)
        return JD_SCREEN_INDICATOR;
    return JD_SCREEN_LANGUAGE;
}

static double cand_prob(const jd_screen_data *D, const jd_screen_model *m, const cand *c)
{
    const jd_sm_kind *k = &m->k[c->kind];
    double z = 0;
    for (uint32_t j = 0; j < c->nf; j++) {
        const cfeat *f = &D->f[c->f0 + j];
        if (f->id & WORD_ID) {
            z += k->wb ? (double)k->wb[f->id & ~WORD_ID] * f->v : 0;
            continue;
        }
        z += (double)jd_sm__named_weight(k, D->keys[f->id]) * f->v;
    }
    return 1.0 / (1.0 + exp(-z));
}

double jd_sm__objective(const jd_screen_data *D, const jd_screen_model *m, const bool *use,
                        int kind, const jd_screen_train_opts *o)
{
    if (!D || !m || !o || kind < 0 || kind > 2)
        return NAN;
    const jd_sm_kind *k = &m->k[kind];
    double loss = 0, n = 0, w2 = 0;
    for (size_t i = 0; i < D->nc; i++) {
        const cand *c = &D->c[i];
        if (!learns(c, kind, o) || !in_use(D, use, c))
            continue;
        double p = cand_prob(D, m, c), wt = D->notes[c->note].weight;
        loss -= wt * log(c->y ? fmax(p, 1e-300) : fmax(1 - p, 1e-300));
        n += wt;
    }
    for (size_t i = 0; i < k->nn; i++)
        w2 += (double)k->w[i] * k->w[i];
    for (size_t b = 0; k->wb && b < JD_SM_BUCKETS; b++)
        w2 += (double)k->wb[b] * k->wb[b];
    return (n > 0 ? loss / n : 0) + o->l2 / 2 * w2;
}

/* Is code predicted for the note: the rules' word, or the model's. */
static bool predicted(const jd_screen_data *D, const jd_screen_model *m, const dnote *d, size_t c0,
                      size_t c1, int kind, const char *code)
{
    bool rules = false;
    for (uint32_t i = 0; i < d->np; i++)
        if (D->pred_kind[d->p0 + i] == kind && !strcmp(D->pred[d->p0 + i], code))
            rules = true;
    for (size_t i = c0; m && i < c1; i++) {
        const cand *c = &D->c[i];
        const jd_sm_kind *k = &m->k[kind];
        if (c->kind != kind || c->shadow || strcmp(c->code, code) ||
            (c->family && !c->closed && !k->open && kind != JD_SCREEN_INDICATOR))
            continue;
        double t = c->family ? jd_sm__family_threshold(m, (jd_screen_kind)kind, code,
                                                       !c->closed)
                             : jd_sm__threshold(m, (jd_screen_kind)kind, code);
        if (t < 0)
            return rules;
        bool on = jd_sm__counts(k->only, c->counted, cand_prob(D, m, c), t);
        return on && !(kind == JD_SCREEN_OFFENCE && c->recorded) ? true : on ? rules : false;
    }
    return rules;
}

static void score_note(const jd_screen_data *D, const jd_screen_model *m, size_t ni, size_t c0,
                       size_t c1, jd_screen_counts out[3])
{
    const dnote *d = &D->notes[ni];
    /* every label either side: the gold's and the rules' and the candidates' */
    const char *seen[256];
    int seen_kind[256];
    size_t ns = 0;
    for (uint32_t i = 0; i < d->ng + d->np + (uint32_t)(c1 - c0); i++) {
        const char *code = i < d->ng           ? D->gold[d->g0 + i]
                           : i < d->ng + d->np ? D->pred[d->p0 + i - d->ng]
                                               : D->c[c0 + i - d->ng - d->np].code;
        int kind = label_kind(code);
        bool dup = false;
        for (size_t j = 0; j < ns && !dup; j++)
            dup = !strcmp(seen[j], code);
        if (dup || ns >= 256 || !*code)
            continue;
        seen[ns] = code;
        seen_kind[ns++] = kind;
    }
    for (size_t j = 0; j < ns; j++) {
        int kind = seen_kind[j];
        bool g = false;
        for (uint32_t i = 0; i < d->ng; i++)
            g |= !strcmp(D->gold[d->g0 + i], seen[j]);
        if (kind == JD_SCREEN_OFFENCE && d->recorded)
            g = false;
        bool p = predicted(D, m, d, c0, c1, kind, seen[j]);
        out[kind].tp += g && p;
        out[kind].fp += !g && p;
        out[kind].fn += g && !p;
    }
}

int jd_screen_data_score(const jd_screen_data *D, const jd_screen_model *m, const bool *use,
                         jd_screen_counts out[3], jd_error *err)
{
    if (!D || !out)
        return jd_error_set(err, JD_EINVALID, "data and out are required");
    size_t c = 0;
    for (size_t i = 0; i < D->n; i++) {
        size_t c0 = c;
        while (c < D->nc && D->c[c].note == i)
            c++;
        if (!use || use[i])
            score_note(D, m, i, c0, c, out);
    }
    return JD_OK;
}
