/*
 * Risk and alerts (see include/joindots/analyse.h).
 *
 * 1. What was known by the "as of" time is the snapshot (snapshot.c):
 *    identities, events, person mentions with their ages, and objects.
 *    Ethnicity is never loaded.
 * 2. Screen each event once: the rules' text matcher over the narrative
 *    (negation, misspellings, ages), the event type and the structure
 *    (vehicles, adult suspects or associates) give indicator findings,
 *    bypass triggers, crime rules and victim-blaming wording.
 * 3. Walk each child's events in the order they became known and keep a
 *    SERAF-style score over distinct indicators with their time windows,
 *    plus the overrides of DOMAIN.md §2 (under 13, learning disability,
 *    T1 offence by age, T2 held against her will, T3 under 13 with a
 *    significant indicator). Each first rise to a level is a history step
 *    raised at the known time of the event that caused it, so a run "as of"
 *    that time reaches the same level: nothing depends on the future.
 * 4. Missing episodes, return-interview clocks, unrecorded crimes, language
 *    and grade disagreements become their own alerts.
 */
#include "analyse/analyse_internal.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#define MAX_RECORDS 60
#define MAX_EXPLAIN 40

static const char *const kind_names[JD_ALERT_KINDS] = {
    "child_at_risk", "exploitation_network", "unrecorded_crime", "missing_pattern",
    "overdue_return_interview", "language", "escalation"};

const char *jd_alert_kind_name(int kind)
{
    return kind >= 0 && kind < JD_ALERT_KINDS ? kind_names[kind] : "unknown";
}


static int oom(an *A)
{
    return jd_error_set(A->err, JD_ENOMEM, "out of memory");
}

bool jd_an__is_child_at(const an *A, const amention *m)
{
    if (m->age >= 0)
        return m->age < 18;
    return A->p[m->person].is_child;
}

/* ---- screening ---- */

static bool grade_not_urgent(const char *g)
{
    if (!g || !*g)
        return true;
    return !strcasecmp(g, "low") || !strcasecmp(g, "absent") || !strcasecmp(g, "none") ||
           !strcasecmp(g, "no apparent risk") || !strcasecmp(g, "no_apparent_risk");
}

static int add_finding(an *A, uint8_t kind, uint16_t idx, int32_t pattern, uint32_t off,
                       uint32_t len)
{
    if (jd_grow((void **)&A->f, &A->fcap, A->nf + 1, sizeof *A->f) < 0)
        return oom(A);
    A->f[A->nf++] = (finding){kind, idx, pattern, off, len};
    return 0;
}

typedef struct screen_ctx {
    jd_ts_scan sc;
    uint8_t *adult_s, *sex_s, *rel_s;
    size_t scap;
    int32_t *ev_hit, *unless_hit;
    size_t evcap;
} screen_ctx;

static int screen_event(an *A, screen_ctx *X, aev *e)
{
    jd_rules *R = A->rules;
    e->f0 = (uint32_t)A->nf;
    const char *txt = e->narrative ? e->narrative : "";
    if (jd_ts__scan(R->ts, &X->sc, txt, strlen(txt)) != JD_OK)
        return oom(A);
    jd_ts_scan *sc = &X->sc;
    size_t ns = sc->nsentences + 1;
    if (ns > X->scap) {
        size_t nc = ns + 16;
        uint8_t *a = realloc(X->adult_s, nc), *b = a ? realloc(X->sex_s, nc) : NULL;
        if (a)
            X->adult_s = a;
        if (b)
            X->sex_s = b;
        uint8_t *c = b ? realloc(X->rel_s, nc) : NULL;
        if (!c)
            return oom(A);
        X->rel_s = c;
        X->scap = nc;
    }
    memset(X->adult_s, 0, ns);
    memset(X->sex_s, 0, ns);
    memset(X->rel_s, 0, ns);
    if (R->nev > X->evcap) {
        int32_t *a = realloc(X->ev_hit, R->nev * sizeof *a);
        if (a)
            X->ev_hit = a;
        int32_t *b = a ? realloc(X->unless_hit, R->nev * sizeof *b) : NULL;
        if (!b)
            return oom(A);
        X->unless_hit = b;
        X->evcap = R->nev;
    }
    for (size_t i = 0; i < R->nev; i++)
        X->ev_hit[i] = X->unless_hit[i] = -1;
    /* pass 1: sentence signals */
    for (size_t h = 0; h < sc->nhits; h++) {
        const jd_ts_hit *x = &sc->hits[h];
        uint32_t o = jd_ts__owner(R->ts, x->pattern);
        if (x->negated)
            continue;
        switch (OWN_KIND(o)) {
        case OWN_ADULT: X->adult_s[x->sentence] = 1; break;
        case OWN_DECADE: X->adult_s[x->sentence] = 1; break;
        case OWN_AGE:
            if (x->num >= 18 && x->num < 100)
                X->adult_s[x->sentence] = 1;
            else if (x->num >= 5 && x->num < 18 && e->text_child_age < 0)
                e->text_child_age = (int16_t)x->num;
            break;
        case OWN_SEXUAL:
            if (!x->hypothetical) {
                X->sex_s[x->sentence] = X->rel_s[x->sentence] = 1;
                e->sexual = 1;
            }
            break;
        case OWN_SEXREL: X->rel_s[x->sentence] = 1; break;
        case OWN_OVERNIGHT: e->overnight = 1; break;
        case OWN_DECLINED: e->declined = 1; break;
        default: break;
        }
    }
    for (size_t i = 0; i < sc->ntok; i++) { /* "(24)" after a name */
        const jd_ts_token *t = &sc->tok[i];
        if (t->paren && !t->pct && t->num >= 18 && t->num < 100)
            X->adult_s[t->sentence] = 1;
        else if (t->paren && t->num >= 8 && t->num < 18 && e->text_child_age < 0)
            e->text_child_age = (int16_t)t->num;
        if (t->num >= 20 && t->num <= 50 && t->num % 10 == 0 && i + 1 < sc->ntok &&
            sc->tok[i + 1].len == 1 && sc->tok[i + 1].s[0] == 's')
            X->adult_s[t->sentence] = 1; /* "in their 20s" */
    }
    for (size_t s = 0; s < sc->nsentences; s++)
        if (X->adult_s[s])
            e->adult_text = 1;
    bool adult_any = e->adult_text || e->adult_party;
    uint32_t etb = 1u << e->et;
    /* pass 2: rules */
    for (size_t h = 0; h < sc->nhits; h++) {
        const jd_ts_hit *x = &sc->hits[h];
        uint32_t o = jd_ts__owner(R->ts, x->pattern);
        uint32_t idx = OWN_IDX(o);
        uint32_t off = sc->tok[x->start].off;
        uint32_t len = sc->tok[x->end - 1].off + sc->tok[x->end - 1].olen - off;
        switch (OWN_KIND(o)) {
        case OWN_UNLESS:
            if (!x->negated)
                X->unless_hit[idx] = (int32_t)x->pattern;
            break;
        case OWN_EVIDENCE: {
            const jd_evidence *ev = &R->ev[idx];
            if (x->negated || x->hypothetical || X->ev_hit[idx] >= 0)
                break;
            if (ev->in_types && !(ev->in_types & etb))
                break;
            if ((ev->needs & NEED_ADULT_SENTENCE) && !X->adult_s[x->sentence])
                break;
            if ((ev->needs & NEED_ADULT_ANY) && !adult_any)
                break;
            if ((ev->needs & NEED_SEXUAL) && !X->sex_s[x->sentence])
                break;
            X->ev_hit[idx] = (int32_t)h;
            break;
        }
        case OWN_TRIGGER: {
            const jd_trigger *t = &R->trig[idx];
            if (x->negated || x->hypothetical || (t->in_types && !(t->in_types & etb)) ||
                (e->trig_mask & (1u << idx)))
                break;
            e->trig_mask |= 1u << idx;
            if (add_finding(A, F_TRIG, (uint16_t)idx, (int32_t)x->pattern, off, len) < 0)
                return JD_ENOMEM;
            break;
        }
        case OWN_CRIME: {
            const jd_crime_rule *c = &R->crime[idx];
            if (x->negated || x->hypothetical || (e->crime_mask & (1u << idx)))
                break;
            if ((c->needs & NEED_SEXUAL) && !X->sex_s[x->sentence])
                break;
            if ((c->needs & NEED_ADULT_ANY) && !adult_any)
                break;
            e->crime_mask |= 1u << idx;
            if (add_finding(A, F_CRIME, (uint16_t)idx, (int32_t)x->pattern, off, len) < 0)
                return JD_ENOMEM;
            break;
        }
        case OWN_LANG: {
            const jd_lang_rule *l = &R->lang[idx];
            if (x->negated || (e->lang_mask & (1u << idx)))
                break;
            if ((l->needs & NEED_SEX_OR_REL) && !X->rel_s[x->sentence])
                break;
            e->lang_mask |= 1u << idx;
            if (add_finding(A, F_LANG, (uint16_t)idx, (int32_t)x->pattern, off, len) < 0)
                return JD_ENOMEM;
            break;
        }
        default: break;
        }
    }
    /* indicators: each evidence item needs all it names */
    for (size_t i = 0; i < R->nev; i++) {
        const jd_evidence *ev = &R->ev[i];
        uint16_t ind = ev->indicator;
        if (e->ind_mask & (1ull << ind))
            continue;
        if (ev->types && !(ev->types & etb))
            continue;
        if (ev->has_phrases && X->ev_hit[i] < 0)
            continue;
        if (ev->has_unless && X->unless_hit[i] >= 0)
            continue;
        if (ev->in_types && !ev->has_phrases && !(ev->in_types & etb))
            continue;
        if (!ev->has_phrases) {
            if ((ev->needs & NEED_ADULT_ANY) && !adult_any)
                continue;
            if ((ev->needs & NEED_ADULT_SENTENCE) && !e->adult_text)
                continue;
        }
        if ((ev->needs & NEED_VEHICLE) && !e->vehicle)
            continue;
        if ((ev->needs & NEED_PHONE) && !e->phone)
            continue;
        if ((ev->needs & NEED_ADULT_PARTY) && !e->adult_party)
            continue;
        e->ind_mask |= 1ull << ind;
        int rc;
        if (ev->has_phrases) {
            const jd_ts_hit *x = &sc->hits[X->ev_hit[i]];
            uint32_t off = sc->tok[x->start].off;
            rc = add_finding(A, F_IND, ind, (int32_t)x->pattern, off,
                             sc->tok[x->end - 1].off + sc->tok[x->end - 1].olen - off);
        } else {
            rc = add_finding(A, F_IND, ind, ev->needs ? -2 : -1, 0, 0);
        }
        if (rc < 0)
            return rc;
    }
    e->nf = (uint32_t)(A->nf - e->f0);
    return JD_OK;
}

/* ---- per-child walk ---- */

typedef struct hit {
    int64_t t;
    uint32_t ev;
    bool net; /* from the network feedback (M09), not from the event's content */
} hit;

typedef struct step {
    int level;
    int64_t t;
    uint32_t ev;
    json_t *explain; /* array of strings */
    json_t *records; /* array of {agency, record_id} */
} step;

typedef struct walk {
    hit *hits[64];
    size_t nh[64], hc[64];
    const char *m09_net; /* the network behind the person's M09 hit, if any */
} walk;

static void fmt_time(char b[32], int64_t t)
{
    jd_time_format(b, t);
}

json_t *jd_an__record_ref(const aev *e)
{
    return json_pack("{s:s,s:s}", "agency", e->agency, "record_id", e->record_id);
}

/* "csc case_note W123 on 2005-07-01" */
void jd_an__ev_label(char *b, size_t n, const aev *e)
{
    char t[32];
    fmt_time(t, e->occurred);
    t[10] = '\0';
    snprintf(b, n, "%s %s %s on %s", e->agency, e->type, e->record_id, t);
}

static void quote_of(char *b, size_t n, const aev *e, const finding *f, const jd_rules *R)
{
    if (f->pattern >= 0 && e->narrative && f->len) {
        size_t l = f->len < 80 ? f->len : 80;
        snprintf(b, n, " (\"%.*s\")", (int)l, e->narrative + f->off);
    } else if (f->pattern == -1) {
        snprintf(b, n, " (event type %s)", e->type);
    } else if (f->pattern == -2) {
        snprintf(b, n, " (%s%s)", e->vehicle ? "a vehicle and " : "",
                 e->adult_party ? "an adult suspect or associate in the record" : "its people");
    } else {
        b[0] = '\0';
    }
    (void)R;
}

static const finding *find_finding(const an *A, const aev *e, uint8_t kind, uint16_t idx)
{
    for (uint32_t k = 0; k < e->nf; k++) {
        const finding *f = &A->f[e->f0 + k];
        if (f->kind == kind && f->idx == idx)
            return f;
    }
    return NULL;
}

typedef struct child_state {
    int max_level;
    step steps[5];
    int nsteps;
    /* override sources in force (event index + 1, time) */
    uint32_t trig_ev, crime_ev;
    int64_t trig_t, crime_t;
    int trig_level, crime_level;
    const char *crime_rule;
    int age;
} child_state;

static int score_at(const an *A, walk *W, int64_t t, int *distinct, int *sig_recent,
                    int *mod_recent, int *sig_t3)
{
    const jd_rules *R = A->rules;
    int score = 0, dummy;
    if (!sig_t3)
        sig_t3 = &dummy;
    *distinct = *sig_recent = *mod_recent = *sig_t3 = 0;
    for (size_t i = 0; i < R->nind; i++) {
        size_t n = W->nh[i];
        if (!n)
            continue;
        int64_t last = W->hits[i][n - 1].t;
        switch (R->ind[i].cls) {
        case IC_VULN:
            score += 1;
            (*distinct)++;
            break;
        case IC_MODERATE:
            if (last >= t - (int64_t)R->moderate_days * DAY) {
                score += 1;
                (*distinct)++;
                (*mod_recent)++;
            }
            break;
        case IC_SIGNIFICANT: {
            bool recent = last >= t - (int64_t)R->recent_days * DAY, late = false;
            for (size_t k = 0; k < n; k++) {
                int64_t h = W->hits[i][k].t;
                if (h >= t - (int64_t)R->late_days * DAY && h < t - (int64_t)R->recent_days * DAY)
                    late = true;
            }
            score += (recent ? 5 : 0) + (late ? 1 : 0);
            if (recent || late)
                (*distinct)++;
            if (recent)
                (*sig_recent)++;
            if (recent && !(R->t3_not_alone & (1ull << i)))
                (*sig_t3)++;
            break;
        }
        }
    }
    return score;
}

static int level_of_score(const jd_rules *R, int score)
{
    for (int l = JD_LEVEL_HIGH; l >= JD_LEVEL_LOW; l--)
        if (score >= R->level_min[l])
            return l;
    return JD_LEVEL_NONE;
}

/* Explanation and records of a level step, from the state at time t. */
static int explain_step(an *A, walk *W, step *s, int64_t t, int score, int distinct,
                        const child_state *cs, const char *why_override)
{
    const jd_rules *R = A->rules;
    json_t *ex = json_array(), *recs = json_array();
    char line[1024], lab[160], q[128], when[32];
    fmt_time(when, t);
    /* agencies behind the counted indicators */
    char agencies[256] = "";
    size_t nag = 0;
    for (size_t i = 0; i < R->nind; i++)
        for (size_t k = 0; k < W->nh[i]; k++) {
            const char *ag = A->ev[W->hits[i][k].ev].agency;
            if (!strstr(agencies, ag) && strlen(agencies) + strlen(ag) + 3 < sizeof agencies) {
                strcat(agencies, nag ? ", " : "");
                strcat(agencies, ag);
                nag++;
            }
        }
    snprintf(line, sizeof line,
             "level %s reached %s: score %d from %d distinct indicators across %zu %s (%s)%s%s",
             jd_level_name(s->level), when, score, distinct, nag, nag == 1 ? "agency" : "agencies",
             agencies, why_override ? "; " : "", why_override ? why_override : "");
    json_array_append_new(ex, json_string(line));
    for (size_t i = 0; i < R->nind; i++) {
        size_t n = W->nh[i];
        if (!n)
            continue;
        const jd_indicator *d = &R->ind[i];
        int64_t last = W->hits[i][n - 1].t;
        const char *cls = d->cls == IC_VULN ? "vulnerability, +1"
                          : d->cls == IC_MODERATE
                              ? (last >= t - (int64_t)R->moderate_days * DAY ? "moderate, +1"
                                                                             : "moderate, expired")
                              : (last >= t - (int64_t)R->recent_days * DAY
                                     ? "significant, +5 within 6 months"
                                     : last >= t - (int64_t)R->late_days * DAY
                                           ? "significant, +1 within 12 months"
                                           : "significant, expired");
        const aev *e = &A->ev[W->hits[i][n - 1].ev];
        const finding *f = find_finding(A, e, F_IND, (uint16_t)i);
        jd_an__ev_label(lab, sizeof lab, e);
        if (f)
            quote_of(q, sizeof q, e, f, R);
        else
            q[0] = '\0';
        if (W->m09_net && (int)i == A->m09_ind && W->hits[i][n - 1].net)
            snprintf(line, sizeof line,
                     "%s %s (%s): member of %s, linked through %s (network feedback, T4)",
                     d->id, d->name, cls, W->m09_net, lab);
        else
            snprintf(line, sizeof line, "%s %s (%s): %s%s%s", d->id, d->name, cls, lab, q,
                     n > 1 ? " and earlier records" : "");
        if (json_array_size(ex) < MAX_EXPLAIN)
            json_array_append_new(ex, json_string(line));
        for (size_t k = n; k > 0 && json_array_size(recs) < MAX_RECORDS; k--) {
            const aev *r = &A->ev[W->hits[i][k - 1].ev];
            bool dup = false;
            size_t j;
            json_t *v;
            json_array_foreach(recs, j, v) {
                if (!strcmp(json_string_value(json_object_get(v, "agency")), r->agency) &&
                    !strcmp(json_string_value(json_object_get(v, "record_id")), r->record_id))
                    dup = true;
            }
            if (!dup)
                json_array_append_new(recs, jd_an__record_ref(r));
        }
    }
    if (cs->trig_ev)
        json_array_append_new(recs, jd_an__record_ref(&A->ev[cs->trig_ev - 1]));
    if (cs->crime_ev && cs->crime_ev != cs->trig_ev)
        json_array_append_new(recs, jd_an__record_ref(&A->ev[cs->crime_ev - 1]));
    s->explain = ex;
    s->records = recs;
    return 0;
}

int jd_an__add_alert(an *A, int kind, const char *id, int level, const aperson *subj,
                     int64_t raised, json_t *doc)
{
    if (jd_grow((void **)&A->alerts, &A->alertcap, A->nalerts + 1, sizeof *A->alerts) < 0) {
        json_decref(doc);
        return oom(A);
    }
    char t[32];
    fmt_time(t, raised);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "kind", json_string(kind_names[kind]));
    json_object_set_new(o, "level", json_string(jd_level_name(level)));
    json_object_set_new(o, "raised_at", json_string(t));
    if (subj)
        json_object_set_new(o, "subject", jd_an__person_json(A, subj));
    json_object_update(o, doc);
    json_decref(doc);
    A->alerts[A->nalerts++] = (struct out_alert){strdup(id), kind, level,
                                                 subj ? subj->pid : "", raised, o};
    if (!A->alerts[A->nalerts - 1].id)
        return oom(A);
    A->st->by_kind[kind]++;
    return 0;
}

json_t *jd_an__person_json(const an *A, const aperson *p)
{
    json_t *refs = json_array();
    for (uint32_t k = 0; k < p->nr; k++)
        json_array_append_new(refs, json_pack("{s:s,s:s}", "agency", A->refs[p->r0 + k].agency,
                                              "person_ref", A->refs[p->r0 + k].ref));
    return json_pack("{s:s,s:o}", "person_id", p->pid, "refs", refs);
}

static json_t *history_json(const step *s, int n)
{
    json_t *h = json_array();
    char t[32];
    for (int i = 0; i < n; i++) {
        fmt_time(t, s[i].t);
        json_array_append_new(h, json_pack("{s:s,s:s}", "level", jd_level_name(s[i].level),
                                           "raised_at", t));
    }
    return h;
}

/* The escalation and missing-pattern accumulators of one child. */
typedef struct multi {
    int level;
    step steps[5];
    int nsteps;
    json_t *explain, *records;
} multi;

static void multi_add(multi *M, int level, int64_t t, uint32_t ev, const aev *e, const char *why)
{
    if (!M->explain) {
        M->explain = json_array();
        M->records = json_array();
    }
    if (json_array_size(M->explain) < MAX_EXPLAIN)
        json_array_append_new(M->explain, json_string(why));
    if (json_array_size(M->records) < MAX_RECORDS)
        json_array_append_new(M->records, jd_an__record_ref(e));
    if (level > M->level && M->nsteps < 5) {
        M->steps[M->nsteps++] = (step){level, t, ev, NULL, NULL};
        M->level = level;
    }
}

static void multi_free(multi *M)
{
    json_decref(M->explain);
    json_decref(M->records);
    memset(M, 0, sizeof *M);
}

static int multi_emit(an *A, multi *M, int kind, const aperson *p, const char *extra_key,
                      json_t *extra)
{
    if (!M->nsteps) {
        json_decref(extra);
        return 0;
    }
    char id[600];
    snprintf(id, sizeof id, "%s:%s", kind_names[kind], p->pid);
    json_t *doc = json_pack("{s:O,s:O,s:o}", "records", M->records, "explanation", M->explain,
                            "history", history_json(M->steps, M->nsteps));
    if (extra_key)
        json_object_set_new(doc, extra_key, extra);
    else
        json_decref(extra);
    return jd_an__add_alert(A, kind, id, M->level, p, M->steps[M->nsteps - 1].t, doc);
}

/* Record one hit of indicator i in the person's walk. */
static int push_hit(walk *W, size_t i, hit h)
{
    if (W->nh[i] == W->hc[i]) {
        size_t nc = W->hc[i] ? W->hc[i] * 2 : 8;
        hit *nhits = realloc(W->hits[i], nc * sizeof *nhits);
        if (!nhits)
            return JD_ENOMEM;
        W->hits[i] = nhits;
        W->hc[i] = nc;
    }
    W->hits[i][W->nh[i]++] = h;
    return JD_OK;
}

static int walk_person(an *A, walk *W, const aperson *p)
{
    const jd_rules *R = A->rules;
    int rc = 0;
    for (size_t i = 0; i < R->nind; i++)
        W->nh[i] = 0;
    W->m09_net = NULL;
    /* this person's network memberships from the previous pass (sorted) */
    size_t xi = 0, xend = 0;
    if (A->m09_ind >= 0 && A->nm09) {
        uint32_t me = (uint32_t)(p - A->p);
        size_t lo = 0, hi = A->nm09;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (A->m09[mid].person < me)
                lo = mid + 1;
            else
                hi = mid;
        }
        xi = xend = lo;
        while (xend < A->nm09 && A->m09[xend].person == me)
            xend++;
    }
    child_state cs;
    memset(&cs, 0, sizeof cs);
    multi esc = {0}, mp = {0};
    int64_t ep_start[512];
    size_t nep = 0;
    int64_t last_report = INT64_MIN, last_return = INT64_MIN;
    uint32_t last_report_ev = 0;
    const char *last_grade = NULL, *last_grade_agency = NULL;
    int v06 = -1, s_any = 0, child_events = 0, last_age = -1;
    char line[1024], lab[160];
    /* returns awaiting an interview */
    struct ret {
        uint32_t ev;
        int64_t t;
    } rets[256];
    size_t nret = 0;
    for (size_t i = 0; i < R->nind; i++)
        if (!strcmp(R->ind[i].id, "V06"))
            v06 = (int)i;
    for (uint32_t k = 0; k < p->nx; k++) {
        const amention *m = &A->m[A->by_person[p->x0 + k]];
        const aev *e = &A->ev[m->ev];
        uint32_t ei = m->ev;
        bool subj_any = (m->role & (ROLE_SUBJECT | ROLE_VICTIM)) != 0;
        int64_t t = e->known;
        /* language: one alert per event about the young person it describes
         * (a child, or a care leaver under 25 whose exploitation began as a
         * child: the wording guidance is about victims, not only minors) */
        if (subj_any && e->lang_mask && (m->age < 0 || m->age < 25)) {
            char id[600];
            snprintf(id, sizeof id, "language:%s:%s", e->agency, e->record_id);
            uint32_t *seen = jd_strmap_get(&A->lang_seen, id, strlen(id));
            if (!seen) {
                jd_strmap_put(&A->lang_seen, id, strlen(id), 0, NULL);
                json_t *ex = json_array(), *sug = json_array();
                for (size_t i = 0; i < R->nlang; i++) {
                    if (!(e->lang_mask & (1u << i)))
                        continue;
                    const finding *f = find_finding(A, e, F_LANG, (uint16_t)i);
                    char found[128] = "";
                    if (f && e->narrative)
                        snprintf(found, sizeof found, "%.*s", (int)(f->len < 100 ? f->len : 100),
                                 e->narrative + f->off);
                    snprintf(line, sizeof line,
                             "%s: \"%s\" (avoid: %s) - write instead: %s; the record is not "
                             "changed",
                             R->lang[i].id, found, R->lang[i].avoid, R->lang[i].instead);
                    json_array_append_new(ex, json_string(line));
                    json_array_append_new(sug, json_pack("{s:s,s:s,s:s}", "rule", R->lang[i].id,
                                                         "found", found, "instead",
                                                         R->lang[i].instead));
                }
                json_t *recs = json_array();
                json_array_append_new(recs, jd_an__record_ref(e));
                int lvl = (e->sexual && m->age >= 0 && m->age < 16) ? JD_LEVEL_MEDIUM : JD_LEVEL_LOW;
                json_t *doc = json_pack("{s:o,s:o,s:o}", "records", recs, "explanation", ex,
                                        "suggestions", sug);
                if ((rc = jd_an__add_alert(A, JD_ALERT_LANGUAGE, id, lvl, p, t, doc)) < 0)
                    goto out;
            }
        }
        if (!jd_an__is_child_at(A, m))
            continue;
        int age = m->age >= 0 ? m->age : e->text_child_age;
        if (age >= 0)
            last_age = age;
        bool subj = (m->role & (ROLE_SUBJECT | ROLE_VICTIM)) != 0;
        child_events++;
        /* indicators */
        bool changed = false;
        for (uint32_t q = 0; q < e->nf; q++) {
            const finding *f = &A->f[e->f0 + q];
            if (f->kind != F_IND || !(R->ind[f->idx].roles & m->role))
                continue;
            size_t i = f->idx;
            if (push_hit(W, i, (hit){t, ei, false}) < 0)
                return oom(A);
            if (R->ind[i].cls == IC_SIGNIFICANT && strcmp(R->ind[i].id, "S01"))
                s_any = 1;
            changed = true;
        }
        /* network feedback (M09): a membership known by now counts from here */
        for (; xi < xend && A->m09[xi].t <= t; xi++) {
            if (push_hit(W, (size_t)A->m09_ind, (hit){A->m09[xi].t, A->m09[xi].ev, true}) < 0)
                return oom(A);
            W->m09_net = A->m09[xi].net;
            changed = true;
        }
        const char *override = NULL;
        char obuf[512];
        int olevel = JD_LEVEL_NONE;
        if (subj && e->trig_mask) {
            for (size_t i = 0; i < R->ntrig; i++)
                if (e->trig_mask & (1u << i)) {
                    const finding *f = find_finding(A, e, F_TRIG, (uint16_t)i);
                    char q[128] = "";
                    if (f)
                        quote_of(q, sizeof q, e, f, R);
                    jd_an__ev_label(lab, sizeof lab, e);
                    snprintf(obuf, sizeof obuf, "%s %s: %s%s", R->trig[i].id, R->trig[i].name,
                             lab, q);
                    if (R->trig[i].level > olevel) {
                        olevel = R->trig[i].level;
                        override = obuf;
                    }
                    cs.trig_ev = ei + 1;
                    cs.trig_t = t;
                    cs.trig_level = R->trig[i].level;
                    if (grade_not_urgent(e->risk_grade)) {
                        snprintf(line, sizeof line,
                                 "%s: %s graded '%s' by %s; a child held or kept by adults is a "
                                 "possible crime in progress and must be treated as critical "
                                 "(DOMAIN 4.4)",
                                 R->trig[i].id, lab, e->risk_grade ? e->risk_grade : "not graded",
                                 e->agency);
                        multi_add(&esc, JD_LEVEL_CRITICAL, t, ei, e, line);
                    }
                }
        }
        /* crimes by the child's age, and whether one was recorded */
        char cbuf[512];
        bool self_recorded =
            e->et == ET_CRIME_REPORT || e->crime_recorded == 1 || (e->crime_ref && *e->crime_ref);
        /* offences against the child (C1-C20) read by the text screen */
        const jd_screen_match *cm = NULL, *cms = NULL;
        size_t ncm = 0;
        if (subj && A->scr && e->narrative && *e->narrative) {
            aev *ew = &A->ev[m->ev]; /* the screen's cache lives on the event */
            if (ew->scr_age != age + 2) { /* not screened at this age yet (0 = never) */
                jd_screen_note sn = {e->record_id, e->narrative, e->type, e->agency, age, 0,
                                     self_recorded ? 1 : -1, 1u << JD_SCREEN_OFFENCE};
                jd_error serr;
                jd_error_clear(&serr);
                rc = jd_screen_run(A->scr, &sn, &A->sres, &serr);
                if (rc == JD_ENOMEM) {
                    rc = oom(A);
                    goto out;
                }
                rc = JD_OK; /* a note the screen refuses (over 1 MiB) discloses nothing */
                ew->scr0 = (uint32_t)A->nscache;
                ew->scr_n = 0;
                for (size_t i = 0; i < A->sres.n && ew->scr_n < 20; i++) {
                    const jd_screen_match *sm = &A->sres.m[i];
                    if (!sm->counts || sm->kind != JD_SCREEN_OFFENCE)
                        continue;
                    if (A->nscache == A->scachecap) {
                        size_t nc = A->scachecap ? A->scachecap * 2 : 256;
                        jd_screen_match *q = realloc(A->scache, nc * sizeof *q);
                        if (!q) {
                            rc = oom(A);
                            goto out;
                        }
                        A->scache = q;
                        A->scachecap = nc;
                    }
                    A->scache[A->nscache++] = *sm;
                    ew->scr_n++;
                }
                ew->scr_age = (int16_t)(age + 2);
            }
            cms = A->scache + e->scr0;
            ncm = e->scr_n;
            for (size_t i = 0; i < ncm; i++)
                if (!cm || !strcmp(cms[i].code, "C1"))
                    cm = &cms[i];
        }
        if (cm) {
            /* a crime recorded by police about this child within a day */
            bool recorded = cm->recorded;
            for (uint32_t j = 0; !self_recorded && !recorded && j < p->nx; j++) {
                const amention *m2 = &A->m[A->by_person[p->x0 + j]];
                const aev *e2 = &A->ev[m2->ev];
                if ((e2->et == ET_CRIME_REPORT || e2->crime_recorded == 1 ||
                     (e2->crime_ref && *e2->crime_ref)) &&
                    e2->occurred >= e->occurred - DAY && e2->occurred <= e->occurred + DAY &&
                    (m2->role & (ROLE_SUBJECT | ROLE_VICTIM)))
                    recorded = true;
            }
            A->st->crimes_disclosed++;
            if (recorded || self_recorded)
                A->st->crimes_recorded++;
            if (!recorded && !self_recorded) {
                int clevel = !strcmp(cm->code, "C1") ? JD_LEVEL_CRITICAL : JD_LEVEL_HIGH;
                jd_an__ev_label(lab, sizeof lab, e);
                json_t *ex = json_array();
                snprintf(cbuf, sizeof cbuf, "%s %s: %s discloses it in the words \"%.*s\"",
                         cm->code, cm->name, lab, cm->end - cm->start > 120 ? 120 : cm->end - cm->start,
                         e->narrative + cm->start);
                json_array_append_new(ex, json_string(cbuf));
                snprintf(line, sizeof line, "ages: %s", cm->basis);
                json_array_append_new(ex, json_string(line));
                if (cm->attrs) {
                    char ab[160];
                    snprintf(line, sizeof line, "counted although %s",
                             jd_screen_attrs_str(cm->attrs, ab, sizeof ab));
                    json_array_append_new(ex, json_string(line));
                }
                for (size_t i = 0; i < ncm; i++) {
                    const jd_screen_match *sm = &cms[i];
                    if (sm != cm) {
                        snprintf(line, sizeof line, "also %s %s (\"%.*s\")", sm->code, sm->name,
                                 sm->end - sm->start > 80 ? 80 : sm->end - sm->start,
                                 e->narrative + sm->start);
                        json_array_append_new(ex, json_string(line));
                    }
                }
                snprintf(line, sizeof line,
                         "no crime recorded: %s has no crime_ref and no police crime report "
                         "about the child within 24 hours (Crime Recording Rules; R-C1)", lab);
                json_array_append_new(ex, json_string(line));
                if (e->outcome && (strcasestr(e->outcome, "nfa") ||
                                   strcasestr(e->outcome, "no further")))
                    json_array_append_new(
                        ex, json_string("closed with no further action: words such as "
                                        "'consensual' or 'boyfriend' are not credible evidence "
                                        "to the contrary (R-C3, R-C4)"));
                char id[600];
                snprintf(id, sizeof id, "unrecorded_crime:%s:%s", e->agency, e->record_id);
                json_t *recs = json_array();
                json_array_append_new(recs, jd_an__record_ref(e));
                json_t *doc = json_pack("{s:o,s:o,s:s,s:s,s:s}", "records", recs, "explanation",
                                        ex, "rule", cm->code, "age_basis", cm->basis, "words",
                                        "");
                json_object_set_new(doc, "words",
                                    json_stringn(e->narrative + cm->start,
                                                 (size_t)(cm->end - cm->start)));
                /* One alert per event (contract §2.2): a second child of the same
                 * event (siblings at one incident) adds no second alert with the
                 * same id; the first child walked keeps it. lang_seen holds the
                 * per-event alert ids of both kinds (their prefixes differ). */
                if (jd_strmap_get(&A->lang_seen, id, strlen(id))) {
                    json_decref(doc);
                } else {
                    jd_strmap_put(&A->lang_seen, id, strlen(id), 0, NULL);
                    if ((rc = jd_an__add_alert(A, JD_ALERT_UNRECORDED_CRIME, id, clevel, p, t,
                                               doc)) < 0)
                        goto out;
                }
                if (e->outcome && (strcasestr(e->outcome, "nfa") ||
                                   strcasestr(e->outcome, "no further"))) {
                    snprintf(line, sizeof line,
                             "%s closed with no further action although it meets %s (R-C3)", lab,
                             cm->code);
                    multi_add(&esc, JD_LEVEL_HIGH, t, ei, e, line);
                }
                /* T1 is about sexual activity that is an offence by age (C1-C14) */
                bool sexual_offence = cm->code[0] == 'C' && atoi(cm->code + 1) <= 14;
                if (sexual_offence && clevel > olevel) {
                    olevel = clevel;
                    snprintf(obuf, sizeof obuf, "T1 offence by age (%s) disclosed in %s", cm->code,
                             lab);
                    override = obuf;
                }
                if (sexual_offence) {
                    cs.crime_ev = ei + 1;
                    cs.crime_t = t;
                    cs.crime_level = clevel;
                }
            }
        }
        /* missing episodes */
        if (subj && e->et == ET_MISSING_REPORT) {
            bool same = last_report != INT64_MIN && e->occurred - last_report < DAY;
            if (same && last_grade && e->risk_grade && strcasecmp(last_grade, e->risk_grade) &&
                strcmp(last_grade_agency, e->agency) &&
                (grade_not_urgent(last_grade) != grade_not_urgent(e->risk_grade))) {
                jd_an__ev_label(lab, sizeof lab, e);
                snprintf(line, sizeof line,
                         "agencies disagree on the grade of one missing episode: %s graded "
                         "'%s', %s graded '%s' (M-R6)",
                         last_grade_agency, last_grade, e->agency, e->risk_grade);
                multi_add(&esc, JD_LEVEL_MEDIUM, t, ei, e, line);
            }
            if ((age >= 0 && age < 13) || s_any || (v06 >= 0 && W->nh[v06])) {
                if (e->risk_grade && grade_not_urgent(e->risk_grade)) {
                    jd_an__ev_label(lab, sizeof lab, e);
                    snprintf(line, sizeof line,
                             "%s graded '%s' although the child is %s: never lower than "
                             "medium (M-R2)",
                             lab, e->risk_grade,
                             age >= 0 && age < 13 ? "under 13"
                             : s_any              ? "known to have significant indicators"
                                                  : "known to have a learning disability");
                    multi_add(&esc, JD_LEVEL_MEDIUM, t, ei, e, line);
                }
            }
            if (!same) {
                if (nep < JD_ARRAY_LEN(ep_start))
                    ep_start[nep++] = e->occurred;
                int n90 = 0;
                for (size_t j = 0; j < nep; j++)
                    n90 += ep_start[j] > e->occurred - 90 * (int64_t)DAY;
                int lvl = n90 >= 6 ? JD_LEVEL_HIGH : n90 >= 3 ? JD_LEVEL_MEDIUM : JD_LEVEL_NONE;
                if (n90 >= 3 && (cs.max_level >= JD_LEVEL_MEDIUM || (age >= 0 && age < 13) ||
                                 (v06 >= 0 && W->nh[v06])))
                    lvl = JD_LEVEL_HIGH;
                if (e->overnight && lvl < JD_LEVEL_LOW)
                    lvl = JD_LEVEL_LOW;
                if (lvl > JD_LEVEL_NONE) {
                    jd_an__ev_label(lab, sizeof lab, e);
                    snprintf(line, sizeof line, "%d missing episodes in 90 days up to %s%s (M-R3)",
                             n90, lab, e->overnight ? ", overnight" : "");
                    multi_add(&mp, lvl, t, ei, e, line);
                }
                last_report_ev = ei + 1;
            }
            last_report = e->occurred;
            last_grade = e->risk_grade;
            last_grade_agency = e->agency;
        }
        if (subj && e->et == ET_MISSING_RETURN) {
            /* overnight: back on a later day after 3 hours or more, or 12 hours */
            int64_t away = last_report != INT64_MIN ? e->occurred - last_report : -1;
            bool overnight = e->overnight ||
                             (away >= 3 * 3600 && away < 30 * DAY &&
                              ((e->occurred + 3600) / DAY != (last_report + 3600) / DAY ||
                               away >= 12 * 3600));
            if (overnight) {
                jd_an__ev_label(lab, sizeof lab, e);
                snprintf(line, sizeof line, "missing overnight or longer: returned %s (M-R3)",
                         lab);
                multi_add(&mp, JD_LEVEL_LOW, t, ei, e, line);
            }
            if (last_return == INT64_MIN || e->occurred - last_return >= DAY) {
                if (nret < JD_ARRAY_LEN(rets))
                    rets[nret++] = (struct ret){ei, e->occurred};
            }
            last_return = e->occurred;
        }
        (void)last_report_ev;
        /* the level now */
        if (!changed && olevel == JD_LEVEL_NONE)
            continue;
        int distinct, sig, mod, sig3;
        int score = score_at(A, W, t, &distinct, &sig, &mod, &sig3);
        int n90 = 0;
        for (size_t j = 0; j < nep; j++)
            n90 += ep_start[j] > e->occurred - 90 * (int64_t)DAY;
        int level = level_of_score(R, score);
        const char *why = NULL;
        char wbuf[512];
        if (((age >= 0 && age < 13) || (v06 >= 0 && W->nh[v06])) && (sig || mod) &&
            level < JD_LEVEL_MEDIUM) {
            level = JD_LEVEL_MEDIUM;
            why = age >= 0 && age < 13 ? "under 13: never graded low (V07)"
                                       : "learning disability: never graded low (V06)";
        }
        if (age >= 0 && age < 13 && (sig3 || (sig && n90 >= 3)) && level < JD_LEVEL_HIGH) {
            level = JD_LEVEL_HIGH;
            why = "T3 under 13 with a significant indicator";
        }
        if (olevel > level) {
            level = olevel;
            snprintf(wbuf, sizeof wbuf, "%s", override);
            why = wbuf;
        }
        if (level > cs.max_level) {
            /* one step per level reached, lower levels reached at the same time */
            for (int l = cs.max_level + 1; l <= level; l++) {
                if (cs.nsteps >= 5)
                    break;
                step *s = &cs.steps[cs.nsteps++];
                ((aperson *)p)->level_at[l] = t;
                s->level = l;
                s->t = t;
                s->ev = ei;
                s->explain = s->records = NULL;
                if (l == level)
                    explain_step(A, W, s, t, score, distinct, &cs, why);
            }
            cs.max_level = level;
        }
    }
    /* overdue return interviews */
    for (size_t r = 0; r < nret; r++) {
        const aev *e = &A->ev[rets[r].ev];
        int64_t deadline = rets[r].t + 72 * 3600;
        if (deadline > A->now)
            continue;
        const aev *done = NULL, *declined = NULL;
        for (uint32_t k = 0; k < p->nx; k++) {
            const amention *m = &A->m[A->by_person[p->x0 + k]];
            const aev *x = &A->ev[m->ev];
            if (x->et != ET_RETURN_INTERVIEW || x->occurred < rets[r].t - 12 * 3600 ||
                x->occurred > deadline)
                continue;
            if (x->declined)
                declined = x;
            else
                done = x;
        }
        A->st->returns_due++;
        if (done) {
            A->st->returns_interviewed_72h++;
            continue;
        }
        char id[600], dl[32];
        snprintf(id, sizeof id, "overdue_return_interview:%s:%s", e->agency, e->record_id);
        fmt_time(dl, deadline);
        jd_an__ev_label(lab, sizeof lab, e);
        json_t *ex = json_array();
        snprintf(line, sizeof line,
                 "M-R4: no independent return interview within 72 hours of the return (%s); "
                 "the deadline was %s",
                 lab, dl);
        json_array_append_new(ex, json_string(line));
        if (declined) {
            jd_an__ev_label(lab, sizeof lab, declined);
            snprintf(line, sizeof line,
                     "an interview was declined or not completed (%s): recorded, not counted as "
                     "done",
                     lab);
            json_array_append_new(ex, json_string(line));
        }
        json_t *recs = json_array();
        json_array_append_new(recs, jd_an__record_ref(e));
        /* high when the child was already at high when the clock started */
        bool was_high = p->level_at[JD_LEVEL_HIGH] && p->level_at[JD_LEVEL_HIGH] <= e->known;
        int lvl = was_high ? JD_LEVEL_HIGH : JD_LEVEL_MEDIUM;
        int64_t raised = deadline > e->known ? deadline : e->known;
        json_t *doc = json_pack("{s:o,s:o}", "records", recs, "explanation", ex);
        if ((rc = jd_an__add_alert(A, JD_ALERT_OVERDUE_RETURN_INTERVIEW, id, lvl, p, raised, doc)) < 0)
            goto out;
    }
    if (child_events)
        A->st->children++;
    if ((rc = multi_emit(A, &mp, JD_ALERT_MISSING_PATTERN, p, NULL, NULL)) < 0 ||
        (rc = multi_emit(A, &esc, JD_ALERT_ESCALATION, p, NULL, NULL)) < 0)
        goto out;
    if (cs.nsteps) {
        step *top = &cs.steps[cs.nsteps - 1];
        int distinct, sig, mod;
        int64_t tend = A->opts->as_of != JD_AS_OF_NOW ? A->opts->as_of : A->now;
        int cur = level_of_score(R, score_at(A, W, tend, &distinct, &sig, &mod, NULL));
        if (cs.trig_ev && cs.trig_t >= tend - (int64_t)R->recent_days * DAY &&
            cs.trig_level > cur)
            cur = cs.trig_level;
        if (cs.crime_ev && cs.crime_t >= tend - (int64_t)R->recent_days * DAY &&
            cs.crime_level > cur)
            cur = cs.crime_level;
        char id[600];
        snprintf(id, sizeof id, "child_at_risk:%s", p->pid);
        json_t *doc = json_pack("{s:O,s:O,s:o,s:s,s:i}", "records", top->records, "explanation",
                                top->explain, "history", history_json(cs.steps, cs.nsteps),
                                "current_level", jd_level_name(cur), "age", last_age);
        A->st->by_level[cs.max_level]++;
        rc = jd_an__add_alert(A, JD_ALERT_CHILD_AT_RISK, id, cs.max_level, p, top->t, doc);
    }
out:
    for (int i = 0; i < cs.nsteps; i++) {
        json_decref(cs.steps[i].explain);
        json_decref(cs.steps[i].records);
    }
    multi_free(&esc);
    multi_free(&mp);
    return rc;
}

/* ---- driver ---- */

static int cmp_alert(const void *a, const void *b)
{
    return strcmp(((const struct out_alert *)a)->id, ((const struct out_alert *)b)->id);
}

static double secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Point the analysis at the snapshot's rows (views, see an) and mark the
 * events with an adult suspect or associate. */
static void attach(an *A, jd_snapshot *S)
{
    A->snap = S;
    A->ev = S->ev;
    A->nev = S->nev;
    A->ev_index = S->ev_index;
    A->m = S->m;
    A->nm = S->nm;
    A->p = S->p;
    A->np = S->np;
    A->refs = S->refs;
    A->nrefs = S->nrefs;
    A->obj = S->obj;
    A->nobj = S->nobj;
    A->by_person = S->by_person;
    A->pmap = S->pmap;     /* a copy of the map's handle, read only */
    A->refmap = S->refmap; /* likewise */
    for (size_t e = 0; e < A->nev; e++)
        for (uint32_t k = 0; k < A->ev[e].nm; k++) {
            const amention *m = &A->m[S->by_event[A->ev[e].m0 + k]];
            if ((m->role & (ROLE_SUSPECT | ROLE_ASSOCIATE)) &&
                (m->age >= 18 || (m->age < 0 && (m->role & ROLE_SUSPECT) &&
                                  !A->p[m->person].is_child)))
                A->ev[e].adult_party = 1;
        }
}

static int cmp_m09(const void *a, const void *b)
{
    const m09_link *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->ev > y->ev) - (x->ev < y->ev);
}

/* Forget the first pass's results (alerts, levels reached, counts) before
 * the walk runs again with the network feedback. */
static int second_pass_reset(an *A)
{
    for (size_t i = 0; i < A->nalerts; i++) {
        free(A->alerts[i].id);
        json_decref(A->alerts[i].doc);
    }
    A->nalerts = 0;
    memset(A->st->by_kind, 0, sizeof A->st->by_kind);
    memset(A->st->by_level, 0, sizeof A->st->by_level);
    A->st->children = 0;
    A->st->returns_due = A->st->returns_interviewed_72h = 0;
    A->st->crimes_disclosed = A->st->crimes_recorded = 0;
    for (size_t p = 0; p < A->np; p++)
        memset(A->p[p].level_at, 0, sizeof A->p[p].level_at);
    jd_strmap_free(&A->lang_seen);
    jd_strmap_init(&A->lang_seen);
    A->m09_record = false;
    return JD_OK;
}

/* The alerts (sorted) as JSON Lines to out when not NULL, and saved in
 * place of the stored ones when opts->save. */
static int write_alerts(an *A, jd_store *s, FILE *out)
{
    int rc = JD_OK;
    jd_alert_save *save = A->opts->save ? calloc(A->nalerts + 1, sizeof *save) : NULL;
    if (A->opts->save && !save)
        return oom(A);
    for (size_t i = 0; i < A->nalerts; i++) {
        char *doc = json_dumps(A->alerts[i].doc, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
        if (!doc) {
            rc = oom(A);
            break;
        }
        if (out && (fputs(doc, out) == EOF || fputc('\n', out) == EOF)) {
            rc = jd_error_set(A->err, JD_EIO, "cannot write alerts");
            free(doc);
            break;
        }
        if (save)
            save[i] = (jd_alert_save){A->alerts[i].id, kind_names[A->alerts[i].kind],
                                      jd_level_name(A->alerts[i].level), A->alerts[i].subject,
                                      A->alerts[i].raised_at, doc};
        else
            free(doc);
    }
    if (rc == JD_OK && save)
        rc = s->ops->alerts_replace(s, A->opts->as_of, (int64_t)A->nev, save, A->nalerts,
                                    A->err);
    if (save)
        for (size_t i = 0; i < A->nalerts; i++)
            free((char *)save[i].doc);
    free(save);
    if (rc == JD_OK && out && fflush(out) != 0)
        rc = jd_error_set(A->err, JD_EIO, "cannot write alerts");
    return rc;
}

int jd_an__run(jd_snapshot *S, jd_store *s, const jd_analyse_opts *opts, jd_an_pass networks,
               FILE *out, jd_analyse_stats *stats, jd_error *err)
{
    jd_analyse_opts def = JD_ANALYSE_OPTS_INIT;
    jd_analyse_stats dummy;
    if (!opts)
        opts = &def;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    if (!S || (opts->save && !s))
        return jd_error_set(err, JD_EINVALID, "no snapshot or no store to save to");
    an A;
    memset(&A, 0, sizeof A);
    A.opts = opts;
    A.err = err;
    A.st = stats;
    A.now = opts->as_of != JD_AS_OF_NOW ? opts->as_of
            : opts->now                 ? opts->now
                                        : (int64_t)time(NULL);
    jd_arena_init(&A.ar, 1 << 20);
    jd_strmap_init(&A.lang_seen);
    A.m09_ind = -1;
    int rc = jd_rules__load(&A.rules, opts->rules_path, err);
    walk W;
    memset(&W, 0, sizeof W);
    screen_ctx X;
    memset(&X, 0, sizeof X);
    jd_ts__scan_init(&X.sc);
    if (rc < 0)
        goto done;
    if ((rc = jd_screen_open(&A.scr, NULL, err)) < 0)
        goto done;
    attach(&A, S);
    stats->events = (int64_t)A.nev;
    stats->mentions = (int64_t)A.nm;
    stats->persons = (int64_t)A.np;
    double t0 = secs();
    for (size_t e = 0; e < A.nev; e++)
        if ((rc = screen_event(&A, &X, &A.ev[e])) < 0)
            goto done;
    stats->seconds_screen = secs() - t0;
    t0 = secs();
    for (size_t i = 0; i < A.rules->nind; i++)
        if (A.rules->net_feedback_id && !strcmp(A.rules->ind[i].id, A.rules->net_feedback_id))
            A.m09_ind = (int)i;
    A.m09_record = A.m09_ind >= 0;
    for (size_t p = 0; p < A.np; p++)
        if ((rc = walk_person(&A, &W, &A.p[p])) < 0)
            goto done;
    if (networks && (rc = networks(&A)) < 0)
        goto done;
    if (A.nm09) {
        /* Network feedback (DOMAIN M09): children who became members of an
         * exploitation network gain "associates of exploited children" from
         * the moment the membership was known. The risk walk and the network
         * detection run once more with it; one round, so it cannot feed on
         * itself. */
        qsort(A.m09, A.nm09, sizeof *A.m09, cmp_m09);
        if ((rc = second_pass_reset(&A)) < 0)
            goto done;
        for (size_t p = 0; p < A.np; p++)
            if ((rc = walk_person(&A, &W, &A.p[p])) < 0)
                goto done;
        if (networks && (rc = networks(&A)) < 0)
            goto done;
    }
    if (A.nalerts > 1) /* qsort's base must not be NULL, even for no alerts */
        qsort(A.alerts, A.nalerts, sizeof *A.alerts, cmp_alert);
    stats->alerts = (int64_t)A.nalerts;
    stats->seconds_alerts = secs() - t0;
    t0 = secs();
    rc = write_alerts(&A, s, out);
    stats->seconds_write = secs() - t0;
done:
    for (size_t i = 0; i < A.nalerts; i++) {
        free(A.alerts[i].id);
        json_decref(A.alerts[i].doc);
    }
    free(A.alerts);
    for (size_t i = 0; i < 64; i++)
        free(W.hits[i]);
    jd_ts__scan_free(&X.sc);
    free(X.adult_s);
    free(X.sex_s);
    free(X.rel_s);
    free(X.ev_hit);
    free(X.unless_hit);
    free(A.f);
    jd_strmap_free(&A.lang_seen);
    free(A.m09);
    jd_arena_free(&A.ar);
    jd_rules__free(A.rules);
    jd_screen_result_free(&A.sres);
    free(A.scache);
    jd_screen_close(A.scr);
    return rc;
}

/* ---- screening one text ---- */

struct jd_screener {
    an A;
    screen_ctx X;
};

int jd_screener_open(jd_screener **out, const char *rules_path, jd_error *err)
{
    *out = NULL;
    jd_screener *S = calloc(1, sizeof *S);
    if (!S)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    S->A.err = err;
    jd_arena_init(&S->A.ar, 4096);
    int rc = jd_rules__load(&S->A.rules, rules_path, err);
    if (rc < 0) {
        jd_arena_free(&S->A.ar);
        free(S);
        return rc;
    }
    jd_ts__scan_init(&S->X.sc);
    *out = S;
    return JD_OK;
}

void jd_screener_close(jd_screener *S)
{
    if (!S)
        return;
    jd_ts__scan_free(&S->X.sc);
    free(S->X.adult_s);
    free(S->X.sex_s);
    free(S->X.rel_s);
    free(S->X.ev_hit);
    free(S->X.unless_hit);
    free(S->A.f);
    jd_rules__free(S->A.rules);
    jd_arena_free(&S->A.ar);
    free(S);
}

int jd_screener_run(jd_screener *S, const jd_screen_input *in,
                    int (*cb)(const jd_finding *f, void *payload), void *payload, jd_error *err)
{
    if (!S || !in || !cb)
        return jd_error_set(err, JD_EINVALID, "screener, input and callback are required");
    an *A = &S->A;
    A->err = err;
    A->nf = 0;
    const char *text = in->text ? in->text : "";
    aev e;
    memset(&e, 0, sizeof e);
    e.narrative = text;
    e.type = in->event_type ? in->event_type : "other";
    e.et = (uint8_t)jd_rules__event_type(e.type);
    e.text_child_age = -1;
    e.vehicle = in->vehicle;
    e.adult_party = in->adult_party;
    int rc = screen_event(A, &S->X, &e);
    int age = in->age >= 0 ? in->age : e.text_child_age;
    const jd_rules *R = A->rules;
    for (uint32_t k = 0; rc == JD_OK && k < e.nf; k++) {
        const finding *f = &A->f[e.f0 + k];
        char why[200];
        if (f->pattern >= 0)
            snprintf(why, sizeof why, "%.*s", (int)(f->len < 180 ? f->len : 180), text + f->off);
        else if (f->pattern == -1)
            snprintf(why, sizeof why, "event type %s", e.type);
        else
            snprintf(why, sizeof why, "%s%s", e.vehicle ? "a vehicle, " : "",
                     e.adult_party ? "an adult suspect or associate" : "the people recorded");
        jd_finding out = {NULL, NULL, why, NULL, (int)f->off, (int)f->len};
        if (f->pattern < 0)
            out.offset = out.length = -1;
        switch (f->kind) {
        case F_IND: out.rule = R->ind[f->idx].id; out.name = R->ind[f->idx].name; break;
        case F_TRIG: out.rule = R->trig[f->idx].id; out.name = R->trig[f->idx].name; break;
        case F_CRIME:
            if (age < 0 || age < R->crime[f->idx].min_age || age > R->crime[f->idx].max_age)
                continue;
            out.rule = R->crime[f->idx].id;
            out.name = R->crime[f->idx].offence;
            break;
        default:
            out.rule = R->lang[f->idx].id;
            out.name = R->lang[f->idx].avoid;
            out.advice = R->lang[f->idx].instead;
            break;
        }
        rc = cb(&out, payload);
    }
    return rc;
}

int jd_screen_text(const char *rules_path, const char *event_type, const char *text, int age,
                   int (*cb)(const jd_finding *f, void *payload), void *payload, jd_error *err)
{
    if (!text || !cb)
        return jd_error_set(err, JD_EINVALID, "text and callback are required");
    jd_screener *S;
    int rc = jd_screener_open(&S, rules_path, err);
    if (rc < 0)
        return rc;
    jd_screen_input in = {event_type, text, age, false, false};
    rc = jd_screener_run(S, &in, cb, payload, err);
    jd_screener_close(S);
    return rc;
}
