/*
 * The child's risk walk (DOMAIN.md §2-§4). Each person's events are walked
 * in the order they became known; a walk keeps, per indicator, the times it
 * was seen (jd_risk_walk.hits) and from them a SERAF-style score over
 * distinct indicators and their windows, plus the overrides: under 13 and
 * learning disability never low (V07, V06), T1 offence by age, T2 held
 * against her will, T3 under 13 with a significant indicator. Each first
 * rise to a level is a history step raised at the known time of the event
 * that caused it, so a run "as of" that time reaches the same level.
 *
 * The same walk counts missing episodes (M-R3), grade disagreements (M-R6),
 * minimum grades (M-R2), return-interview clocks (M-R4), offences disclosed
 * and not recorded (R-C1) and victim-blaming wording (§6). Every number and
 * indicator id it depends on comes from the policy (risk.json).
 *
 * Invariant: a person's walk reads only events known by the event at hand
 * (by_person is sorted by known time), never later ones, except the
 * overdue-interview pass, which runs at the analysis' "now".
 */
#include "analyse/risk.h"
#include "analyse/screen_memo.h"
#include "text/words.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORDS 60
#define MAX_EXPLAIN 40

typedef struct step {
    int level;
    int64_t t;
    uint32_t ev;
    json_t *explain; /* array of strings */
    json_t *records; /* array of {agency, record_id} */
} step;

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

/* The escalation and missing-pattern accumulators of one child. */
typedef struct multi {
    int level;
    step steps[5];
    int nsteps;
    json_t *explain, *records;
} multi;

/* One person's walk. */
typedef struct pwalk {
    an *A;
    jd_risk_walk *W;
    const aperson *p;
    const jd_rules *R;
    const jd_risk_policy *P;
    child_state cs;
    multi esc, mp;
    size_t xi, xend; /* the person's network memberships (A->m09) */
    int64_t last_report, last_return;
    const char *last_grade, *last_grade_agency;
    int s_any, child_events, last_age;
    /* for calibration: the score's new maxima, corroborated or not, and when
     * high was first reached by a trigger or T3 rather than by the score */
    int max_raw, max_corr;
    json_t *spath;
    int64_t bypass_high_at;
    char line[1024], lab[160];
} pwalk;

/* One event of the walk. */
typedef struct evwalk {
    const amention *m;
    const aev *e;
    uint32_t ei;
    int64_t t;
    int age;
    bool subj;
    bool changed; /* an indicator was added */
    int olevel;   /* override level from this event (trigger, T1) */
    const char *override;
    char obuf[512];
} evwalk;

static int oom(an *A)
{
    return jd_oom(A->err);
}

static void fmt_time(char b[32], int64_t t)
{
    jd_time_format(b, t);
}

static bool grade_not_urgent(const char *g)
{
    if (!g || !*g)
        return true;
    return !strcasecmp(g, "low") || !strcasecmp(g, "absent") || !strcasecmp(g, "none") ||
           !strcasecmp(g, "no apparent risk") || !strcasecmp(g, "no_apparent_risk");
}

static bool under(const jd_risk_policy *P, int age)
{
    return age >= 0 && age < P->under_age;
}

static bool has_ind(const jd_risk_walk *W, int i)
{
    return i >= 0 && W->nh[i];
}

static void quote_of(char *b, size_t n, const aev *e, const finding *f)
{
    if (f->pattern >= 0 && e->narrative && f->len) {
        size_t l = f->len < 80 ? f->len : 80;
        snprintf(b, n, " (\"%.*s\")", (int)l, e->narrative + f->off);
    } else if (f->pattern == -1) {
        snprintf(b, n, " (event type %s)", e->type);
    } else if (f->pattern == -3) {
        snprintf(b, n, " (recorded by %s)", e->agency);
    } else if (f->pattern == -2) {
        snprintf(b, n, " (%s%s)", e->vehicle ? "a vehicle and " : "",
                 e->adult_party ? "an adult suspect or associate in the record" : "its people");
    } else {
        b[0] = '\0';
    }
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

/* ---- score and level ---- */

/* The mitigating fact known by t that stops hit k of indicator i from
 * counting, or NULL. Network feedback (M09) is never mitigated. */
static const jd_risk_mit *mitigated_by(const jd_risk_walk *W, size_t i, size_t k, int64_t t)
{
    const jd_risk_hit *h = &W->hits[i][k];
    if (h->net || !(W->mit_lowers & (1ull << i)))
        return NULL;
    for (size_t j = 0; j < W->nmits; j++) {
        const jd_risk_mit *m = &W->mits[j];
        if (m->t > t || !(m->lowers & (1ull << i)))
            continue;
        if (m->same_event ? h->ev == m->ev : (h->t >= m->from && h->t <= m->to))
            return m;
    }
    return NULL;
}

/* The latest hit of indicator i that counts at t; -1 none. */
static ptrdiff_t last_counted(const jd_risk_walk *W, size_t i, int64_t t)
{
    for (size_t k = W->nh[i]; k > 0; k--)
        if (!mitigated_by(W, i, k - 1, t))
            return (ptrdiff_t)(k - 1);
    return -1;
}

static bool has_bit(uint64_t bits, size_t i)
{
    return i < 64 && (bits >> i) & 1u;
}

static int score_at(const an *A, jd_risk_walk *W, int64_t t, int *distinct, int *sig_recent,
                    int *mod_recent, int *sig_t3)
{
    const jd_rules *R = A->rules;
    int score = 0, dummy;
    if (!sig_t3)
        sig_t3 = &dummy;
    *distinct = *sig_recent = *mod_recent = *sig_t3 = 0;
    for (size_t i = 0; i < R->nind; i++) {
        ptrdiff_t lc = W->nh[i] ? last_counted(W, i, t) : -1;
        if (lc < 0)
            continue;
        size_t n = W->nh[i];
        int64_t last = W->hits[i][lc].t;
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
                if (h >= t - (int64_t)R->late_days * DAY && h < t - (int64_t)R->recent_days * DAY &&
                    !mitigated_by(W, i, k, t))
                    late = true;
            }
            score += (recent ? 5 : 0) + (late ? 1 : 0);
            if (recent || late)
                (*distinct)++;
            if (recent)
                (*sig_recent)++;
            /* T3 as refined (risk.json under_13): an exploitation-specific one */
            if (recent && !(R->t3_not_alone & (1ull << i)) && has_bit(A->pol->specific, i))
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

/* ---- corroboration (risk.json "corroboration") ---- */

typedef struct corro {
    bool ok, bypass, specific;
    int nind, nsrc;
    char ids[160], agencies[160], spec[96];
} corro;

static void add_word(char *b, size_t cap, const char *w)
{
    if (strlen(b) + strlen(w) + 3 < cap) {
        if (*b)
            strcat(b, ", ");
        strcat(b, w);
    }
}

/* Is high corroborated at t? Distinct moderate and significant indicators
 * counted now, their sources (agencies; one agency's records days apart
 * count as a second source), an exploitation-specific one, or a bypass. */
static void corroboration(const an *A, const jd_risk_walk *W, int64_t t, corro *c)
{
    const jd_rules *R = A->rules;
    const jd_risk_policy *P = A->pol;
    memset(c, 0, sizeof *c);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < R->nind; i++) {
        if (R->ind[i].cls == IC_VULN || !W->nh[i])
            continue;
        int64_t win =
            (int64_t)(R->ind[i].cls == IC_MODERATE ? R->moderate_days : R->late_days) * DAY;
        bool any = false;
        for (size_t k = 0; k < W->nh[i]; k++) {
            const jd_risk_hit *h = &W->hits[i][k];
            if (h->t > t || h->t < t - win || mitigated_by(W, i, k, t))
                continue;
            any = true;
            const char *ag = h->net ? "network" : A->ev[h->ev].agency;
            if (!strstr(c->agencies, ag)) {
                add_word(c->agencies, sizeof c->agencies, ag);
                c->nsrc++;
            }
            lo = h->t < lo ? h->t : lo;
            hi = h->t > hi ? h->t : hi;
        }
        if (!any)
            continue;
        c->nind++;
        add_word(c->ids, sizeof c->ids, R->ind[i].id);
        if (has_bit(P->specific, i)) {
            c->specific = true;
            add_word(c->spec, sizeof c->spec, R->ind[i].id);
        }
        if (has_bit(P->bypass, i))
            c->bypass = true;
    }
    if (c->nsrc == 1 && hi - lo >= P->corr_apart)
        c->nsrc = 2; /* one agency, records days apart */
    c->ok = c->bypass || (c->nind >= P->corr_min_ind && c->nsrc >= P->corr_min_src && c->specific);
}

static void corro_line(const an *A, const corro *c, bool bypassed, char *line, size_t cap)
{
    const jd_risk_policy *P = A->pol;
    if (bypassed && !c->ok)
        snprintf(line, cap,
                 "corroboration not required (a trigger or T3 applies); on record: %d distinct "
                 "indicators (%s) from %d sources (%s)",
                 c->nind, *c->ids ? c->ids : "none", c->nsrc, *c->agencies ? c->agencies : "none");
    else if (c->ok)
        snprintf(line, cap, "corroborated: %d distinct indicators (%s) from %d sources (%s)%s%s%s",
                 c->nind, c->ids, c->nsrc, c->agencies,
                 c->specific ? ", exploitation-specific: " : "", c->spec,
                 c->bypass ? "; an adult found with the child" : "");
    else
        snprintf(line, cap,
                 "not corroborated for high: %d distinct indicators (%s) from %d sources (%s), "
                 "%s%s; high needs %d indicators from %d sources, one exploitation-specific, or "
                 "a trigger",
                 c->nind, *c->ids ? c->ids : "none", c->nsrc, *c->agencies ? c->agencies : "none",
                 c->specific ? "exploitation-specific: " : "none exploitation-specific", c->spec,
                 P->corr_min_ind, P->corr_min_src);
}

/* ---- mitigating facts (risk.json "mitigating") ---- */

/* ph as whole words in text (both lower case; ph compared case-blind). */
static bool phrase_in(const char *text, const char *ph)
{
    size_t n = strlen(ph);
    for (const char *p = text; (p = strstr(p, ph)) != NULL; p++) {
        bool start = p == text || !isalnum((unsigned char)p[-1]);
        bool end = !isalnum((unsigned char)p[n]) || !isalnum((unsigned char)ph[n - 1]);
        if (start && end)
            return true;
    }
    return false;
}

/* The first phrase of arr in text, or NULL; ws (or NULL) the words of text,
 * a filter (text/words.h): a phrase whose first word is not among them is
 * not searched. The 105 strstr calls a record made per mitigating fact's
 * first group were a fifth of the 1M county's analyse CPU. */
static const char *first_phrase(const char *text, const jd_words *ws, json_t *arr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *ph = json_string_value(v); /* lowered by the loader */
        if ((!ws || jd_words_may_hold(ws, ph)) && phrase_in(text, ph))
            return ph;
    }
    return NULL;
}

/* The mitigating facts the record of event e holds (bit k: P->mit[k]),
 * searched in its narrative in lower case. */
static int record_mitigators(pwalk *w, const aev *e, uint32_t *out)
{
    const jd_risk_policy *P = w->P;
    jd_risk_walk *W = w->W;
    uint32_t found = 0;
    size_t n = strlen(e->narrative);
    if (jd_grow((void **)&W->lower, &W->lowercap, n + 1, 1) < 0)
        return oom(w->A);
    for (size_t i = 0; i <= n; i++)
        W->lower[i] = (char)tolower((unsigned char)e->narrative[i]);
    jd_words ws;
    jd_words_of(&ws, W->lower);
    for (size_t k = 0; k < P->nmit; k++) {
        const jd_risk_mitigator *mg = &P->mit[k];
        if (mg->types && !(mg->types & (1u << e->et)))
            continue;
        bool all = true; /* most records fail the first group: before `unless` */
        size_t g;
        json_t *grp;
        json_array_foreach(mg->all, g, grp) all = all && first_phrase(W->lower, &ws, grp);
        if (all && !(mg->unless && first_phrase(W->lower, &ws, mg->unless)))
            found |= 1u << k;
    }
    *out = found;
    return 0;
}

/* Mitigating facts in the record: each one found is kept with what it
 * lowers and for how long (from the record's known time). The record's
 * facts are searched at its first walk of the run (W->mitev). */
static int walk_mitigating(pwalk *w, const evwalk *x)
{
    const jd_risk_policy *P = w->P;
    const aev *e = x->e;
    jd_risk_walk *W = w->W;
    if (!P->nmit || !e->narrative || !*e->narrative)
        return 0;
    if (x->ei >= W->mitevcap) {
        size_t cap = W->mitevcap;
        if (jd_grow((void **)&W->mitev, &W->mitevcap, (size_t)x->ei + 1, sizeof *W->mitev) < 0)
            return oom(w->A);
        memset(W->mitev + cap, 0, (W->mitevcap - cap) * sizeof *W->mitev);
    }
    uint32_t *known = &W->mitev[x->ei];
    if (!(*known & JD_RISK_MIT_KNOWN)) {
        uint32_t found = 0;
        if (record_mitigators(w, e, &found) < 0)
            return JD_ENOMEM;
        *known = JD_RISK_MIT_KNOWN | found;
    }
    for (size_t k = 0; k < P->nmit; k++) {
        const jd_risk_mitigator *mg = &P->mit[k];
        if (!(*known & (1u << k)))
            continue;
        if (jd_grow((void **)&W->mits, &W->mitcap, W->nmits + 1, sizeof *W->mits) < 0)
            return oom(w->A);
        W->mits[W->nmits++] = (jd_risk_mit){
            (int)k, x->ei, x->t, x->t - mg->before, x->t + mg->after, mg->lowers, mg->same_event};
        W->mit_lowers |= mg->lowers;
    }
    return 0;
}

/* "weighs against: X02 ... (csc return_interview R3 on ...: \"safe\"): S01 from 2
 * records not counted" for each fact known by t that stops something counting. */
static void explain_mitigations(an *A, jd_risk_walk *W, int64_t t, json_t *ex)
{
    const jd_rules *R = A->rules;
    const jd_risk_policy *P = A->pol;
    int shown = 0;
    for (size_t j = W->nmits; j > 0 && shown < 6; j--) {
        const jd_risk_mit *m = &W->mits[j - 1];
        if (m->t > t)
            continue;
        char ids[160] = "";
        int nrec = 0;
        for (size_t i = 0; i < R->nind; i++) {
            int c = 0;
            for (size_t k = 0; k < W->nh[i]; k++)
                c += mitigated_by(W, i, k, t) == m;
            if (c) {
                add_word(ids, sizeof ids, R->ind[i].id);
                nrec += c;
            }
        }
        if (!nrec)
            continue;
        const jd_risk_mitigator *mg = &P->mit[m->idx];
        const aev *e = &A->ev[m->ev];
        char lab[160], line[1024];
        jd_an__ev_label(lab, sizeof lab, e);
        /* the words of its last group (safe, confirmed, the cause...) */
        const char *quote = NULL;
        size_t n = e->narrative ? strlen(e->narrative) : 0;
        if (n && jd_grow((void **)&W->lower, &W->lowercap, n + 1, 1) == 0) {
            for (size_t i = 0; i <= n; i++)
                W->lower[i] = (char)tolower((unsigned char)e->narrative[i]);
            json_t *last = json_array_get(mg->all, json_array_size(mg->all) - 1);
            quote = first_phrase(W->lower, NULL, last);
        }
        snprintf(line, sizeof line, "weighs against: %s %s (%s%s%s%s): %s from %d %s not counted",
                 mg->id, mg->name, lab, quote ? ": \"" : "", quote ? quote : "", quote ? "\"" : "",
                 ids, nrec, nrec == 1 ? "record" : "records");
        if (json_array_size(ex) < MAX_EXPLAIN)
            json_array_append_new(ex, json_string(line));
        shown++;
    }
}

/* ---- explanations ---- */

/* "V01 Looked after (vulnerability, +1): csc case_note ... (\"...\")" */
static void explain_indicator(an *A, jd_risk_walk *W, size_t i, int64_t t, char *line, size_t cap)
{
    const jd_rules *R = A->rules;
    size_t n = W->nh[i];
    const jd_indicator *d = &R->ind[i];
    ptrdiff_t lc = last_counted(W, i, t);
    int64_t last = W->hits[i][lc >= 0 ? (size_t)lc : n - 1].t;
    const char *cls =
        lc < 0              ? "weighed against, not counted"
        : d->cls == IC_VULN ? "vulnerability, +1"
        : d->cls == IC_MODERATE
            ? (last >= t - (int64_t)R->moderate_days * DAY ? "moderate, +1" : "moderate, expired")
            : (last >= t - (int64_t)R->recent_days * DAY ? "significant, +5 within 6 months"
               : last >= t - (int64_t)R->late_days * DAY ? "significant, +1 within 12 months"
                                                         : "significant, expired");
    const aev *e = &A->ev[W->hits[i][n - 1].ev];
    const finding *f = find_finding(A, e, F_IND, (uint16_t)i);
    char lab[160], q[128];
    jd_an__ev_label(lab, sizeof lab, e);
    if (f)
        quote_of(q, sizeof q, e, f);
    else
        q[0] = '\0';
    if (W->m09_net && (int)i == A->m09_ind && W->hits[i][n - 1].net)
        snprintf(line, cap, "%s %s (%s): member of %s, linked through %s (network feedback, T4)",
                 d->id, d->name, cls, W->m09_net, lab);
    else
        snprintf(line, cap, "%s %s (%s): %s%s%s", d->id, d->name, cls, lab, q,
                 n > 1 ? " and earlier records" : "");
}

/* Add each of indicator i's records (latest first) to recs, once each. */
static void add_indicator_records(an *A, jd_risk_walk *W, size_t i, json_t *recs)
{
    for (size_t k = W->nh[i]; k > 0 && json_array_size(recs) < MAX_RECORDS; k--) {
        const aev *r = &A->ev[W->hits[i][k - 1].ev];
        bool dup = false;
        size_t j;
        json_t *v;
        json_array_foreach(recs, j, v)
        {
            if (!strcmp(json_string_value(json_object_get(v, "agency")), r->agency) &&
                !strcmp(json_string_value(json_object_get(v, "record_id")), r->record_id))
                dup = true;
        }
        if (!dup)
            json_array_append_new(recs, jd_an__record_ref(r));
    }
}

/* Explanation and records of a level step, from the state at time t. */
static int explain_step(an *A, jd_risk_walk *W, step *s, int64_t t, int score, int distinct,
                        const child_state *cs, const char *why_override, const corro *co,
                        bool bypassed)
{
    const jd_rules *R = A->rules;
    json_t *ex = json_array(), *recs = json_array();
    char line[1024], when[32];
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
    if (co) {
        corro_line(A, co, bypassed, line, sizeof line);
        json_array_append_new(ex, json_string(line));
    }
    explain_mitigations(A, W, t, ex);
    for (size_t i = 0; i < R->nind; i++) {
        if (!W->nh[i])
            continue;
        explain_indicator(A, W, i, t, line, sizeof line);
        if (json_array_size(ex) < MAX_EXPLAIN)
            json_array_append_new(ex, json_string(line));
        add_indicator_records(A, W, i, recs);
    }
    if (cs->trig_ev)
        json_array_append_new(recs, jd_an__record_ref(&A->ev[cs->trig_ev - 1]));
    if (cs->crime_ev && cs->crime_ev != cs->trig_ev)
        json_array_append_new(recs, jd_an__record_ref(&A->ev[cs->crime_ev - 1]));
    s->explain = ex;
    s->records = recs;
    return 0;
}

static json_t *history_json(const step *s, int n)
{
    json_t *h = json_array();
    char t[32];
    for (int i = 0; i < n; i++) {
        fmt_time(t, s[i].t);
        json_array_append_new(
            h, json_pack("{s:s,s:s}", "level", jd_level_name(s[i].level), "raised_at", t));
    }
    return h;
}

/* ---- escalation and missing-pattern accumulators ---- */

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

static int multi_emit(an *A, multi *M, int kind, const aperson *p)
{
    if (!M->nsteps)
        return 0;
    char id[600];
    snprintf(id, sizeof id, "%s:%s", jd_alert_kind_name(kind), p->pid);
    json_t *doc = json_pack("{s:O,s:O,s:o}", "records", M->records, "explanation", M->explain,
                            "history", history_json(M->steps, M->nsteps));
    return jd_an__add_alert(A, kind, id, M->level, p, M->steps[M->nsteps - 1].t, doc);
}

/* ---- scratch ---- */

/* Record one hit of indicator i in the person's walk. */
static int push_hit(jd_risk_walk *W, size_t i, jd_risk_hit h)
{
    if (W->nh[i] == W->hc[i]) {
        size_t nc = W->hc[i] ? W->hc[i] * 2 : 8;
        jd_risk_hit *nhits = realloc(W->hits[i], nc * sizeof *nhits);
        if (!nhits)
            return JD_ENOMEM;
        W->hits[i] = nhits;
        W->hc[i] = nc;
    }
    W->hits[i][W->nh[i]++] = h;
    return JD_OK;
}

void jd_risk__walk_dispose(jd_risk_walk *W)
{
    for (size_t i = 0; i < 64; i++)
        free(W->hits[i]);
    free(W->ep);
    free(W->rets);
    free(W->mits);
    free(W->lower);
    free(W->mitev);
    memset(W, 0, sizeof *W);
}

/* Episodes starting in the window that ends at t. */
static int episodes_in_window(const pwalk *w, int64_t t)
{
    int n = 0;
    for (size_t j = 0; j < w->W->nep; j++)
        n += w->W->ep[j] > t - (int64_t)w->P->mp_window_days * DAY;
    return n;
}

/* ---- one event ---- */

/* Language: one alert per event about the young person it describes (a
 * child, or a care leaver whose exploitation began as a child: the wording
 * guidance is about victims, not only minors). */
static int walk_language(pwalk *w, const evwalk *x)
{
    an *A = w->A;
    const jd_rules *R = w->R;
    const aev *e = x->e;
    const amention *m = x->m;
    char id[600];
    snprintf(id, sizeof id, "language:%s:%s", e->agency, e->record_id);
    if (jd_strmap_get(&A->lang_seen, id, strlen(id)))
        return 0;
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
        snprintf(w->line, sizeof w->line,
                 "%s: \"%s\" (avoid: %s) - write instead: %s; the record is not changed%s",
                 R->lang[i].id, found, R->lang[i].avoid, R->lang[i].instead,
                 f && f->pattern == 1 ? " (counted over the wording model, which may not veto "
                                        "an adult named with an age)"
                                      : "");
        json_array_append_new(ex, json_string(w->line));
        json_array_append_new(sug, json_pack("{s:s,s:s,s:s}", "rule", R->lang[i].id, "found", found,
                                             "instead", R->lang[i].instead));
    }
    json_t *recs = json_array();
    json_array_append_new(recs, jd_an__record_ref(e));
    int lvl = (e->sexual && m->age >= 0 && m->age < w->P->lang_medium_age) ? JD_LEVEL_MEDIUM
                                                                           : JD_LEVEL_LOW;
    json_t *doc =
        json_pack("{s:o,s:o,s:o}", "records", recs, "explanation", ex, "suggestions", sug);
    return jd_an__add_alert(A, JD_ALERT_LANGUAGE, id, lvl, w->p, x->t, doc);
}

/* T5: a child found with an adult of concern is high, whatever mitigates. */
static void found_with_adult(pwalk *w, evwalk *x, const finding *f)
{
    char q[128] = "";
    quote_of(q, sizeof q, x->e, f);
    jd_an__ev_label(w->lab, sizeof w->lab, x->e);
    snprintf(x->obuf, sizeof x->obuf, "%s found with an adult of concern (%s): %s%s", w->P->t5_id,
             w->R->ind[f->idx].id, w->lab, q);
    x->olevel = w->P->t5_level;
    x->override = x->obuf;
    /* the override in force for the current level: keep a higher trigger
     * that is still recent (T2 critical) */
    int64_t recent = (int64_t)w->R->recent_days * DAY;
    if (!w->cs.trig_ev || w->P->t5_level >= w->cs.trig_level || w->cs.trig_t < x->t - recent) {
        w->cs.trig_ev = x->ei + 1;
        w->cs.trig_t = x->t;
        w->cs.trig_level = w->P->t5_level;
    }
}

/* The event's indicators for the child's role, and network memberships
 * known by now (M09 counts from the moment the membership was known). */
static int walk_indicators(pwalk *w, evwalk *x)
{
    an *A = w->A;
    const jd_rules *R = w->R;
    const aev *e = x->e;
    for (uint32_t q = 0; q < e->nf; q++) {
        const finding *f = &A->f[e->f0 + q];
        if (f->kind != F_IND || !(R->ind[f->idx].roles & x->m->role))
            continue;
        size_t i = f->idx;
        if (push_hit(w->W, i, (jd_risk_hit){x->t, x->ei, false}) < 0)
            return oom(A);
        if (R->ind[i].cls == IC_SIGNIFICANT && (int)i != w->P->missing_ind)
            w->s_any = 1;
        x->changed = true;
        if ((int)i == w->P->t5_ind && x->subj && w->P->t5_level > x->olevel)
            found_with_adult(w, x, f);
    }
    for (; w->xi < w->xend && A->m09[w->xi].t <= x->t; w->xi++) {
        if (push_hit(w->W, (size_t)A->m09_ind,
                     (jd_risk_hit){A->m09[w->xi].t, A->m09[w->xi].ev, true}) < 0)
            return oom(A);
        w->W->m09_net = A->m09[w->xi].net;
        x->changed = true;
    }
    return 0;
}

/* Bypass triggers (T2...) of the event: the override, and an escalation
 * when the record graded the child as not urgent (DOMAIN 4.4). */
static void walk_triggers(pwalk *w, evwalk *x)
{
    const jd_rules *R = w->R;
    const aev *e = x->e;
    for (size_t i = 0; i < R->ntrig; i++) {
        if (!(e->trig_mask & (1u << i)))
            continue;
        const finding *f = find_finding(w->A, e, F_TRIG, (uint16_t)i);
        char q[128] = "";
        if (f)
            quote_of(q, sizeof q, e, f);
        jd_an__ev_label(w->lab, sizeof w->lab, e);
        snprintf(x->obuf, sizeof x->obuf, "%s %s: %s%s", R->trig[i].id, R->trig[i].name, w->lab, q);
        if (R->trig[i].level > x->olevel) {
            x->olevel = R->trig[i].level;
            x->override = x->obuf;
        }
        w->cs.trig_ev = x->ei + 1;
        w->cs.trig_t = x->t;
        w->cs.trig_level = R->trig[i].level;
        if (grade_not_urgent(e->risk_grade)) {
            snprintf(w->line, sizeof w->line,
                     "%s: %s graded '%s' by %s; a child held or kept by adults is a possible "
                     "crime in progress and must be treated as critical (DOMAIN 4.4)",
                     R->trig[i].id, w->lab, e->risk_grade ? e->risk_grade : "not graded",
                     e->agency);
            multi_add(&w->esc, JD_LEVEL_CRITICAL, x->t, x->ei, e, w->line);
        }
    }
}

/* Offences against the child (C1-C20) the text screen reads in the event
 * at the child's age, cached on the event per age. Sets *cms, *ncm and *cm
 * (C1 first, else the first counted one). */
static int screen_offences(pwalk *w, const evwalk *x, bool self_recorded,
                           const jd_screen_match **cms, size_t *ncm, const jd_screen_match **cm)
{
    an *A = w->A;
    const aev *ew = &A->ev[x->m->ev];
    ev_scr *sc = &A->evscr[x->m->ev]; /* the screen's cache of the event */
    int age = x->age;
    if (sc->age != age + 2) { /* not screened at this age yet (0 = never) */
        jd_screen_note sn = {
            ew->record_id,          ew->narrative,          ew->type, ew->agency, age, 0,
            self_recorded ? 1 : ew->crime_recorded == 0 ? 0 : -1, 1u << JD_SCREEN_OFFENCE,
            ew->linked_age > 0 ? ew->linked_age : 0};
        jd_error serr;
        jd_error_clear(&serr);
        const jd_screen_result *res = &A->sres;
        int rc = A->smemo ? jd_smemo__screen(A->smemo, A->scr, &sn, &res, &serr)
                          : jd_screen_run(A->scr, &sn, &A->sres, &serr);
        if (rc == JD_ENOMEM)
            return oom(A);
        if (rc < 0) { /* a note the screen refuses (over 1 MiB) discloses nothing */
            A->sres.n = 0;
            res = &A->sres;
        }
        sc->first = (uint32_t)A->nscache;
        sc->n = 0;
        for (size_t i = 0; i < res->n && sc->n < 20; i++) {
            const jd_screen_match *sm = &res->m[i];
            if (!sm->counts || sm->kind != JD_SCREEN_OFFENCE)
                continue;
            if (jd_grow((void **)&A->scache, &A->scachecap, A->nscache + 1,
                        sizeof *A->scache) < 0)
                return oom(A);
            A->scache[A->nscache++] = *sm;
            sc->n++;
        }
        sc->age = (int16_t)(age + 2);
    }
    *cms = A->scache + sc->first;
    *ncm = sc->n;
    *cm = NULL;
    for (size_t i = 0; i < *ncm; i++)
        if (!*cm || !strcmp((*cms)[i].code, "C1"))
            *cm = &(*cms)[i];
    return 0;
}

static bool records_crime(const aev *e)
{
    return e->et == ET_CRIME_REPORT || e->crime_recorded == 1 || (e->crime_ref && *e->crime_ref);
}

/* A crime recorded by police about this child near the event. */
static bool crime_recorded_near(const pwalk *w, const aev *e)
{
    const an *A = w->A;
    const aperson *p = w->p;
    int64_t win = w->P->crime_recorded_within;
    for (uint32_t j = 0; j < p->nx; j++) {
        const amention *m2 = &A->m[A->by_person[p->x0 + j]];
        const aev *e2 = &A->ev[m2->ev];
        if (records_crime(e2) && e2->occurred >= e->occurred - win &&
            e2->occurred <= e->occurred + win && (m2->role & (ROLE_SUBJECT | ROLE_VICTIM)))
            return true;
    }
    return false;
}

static bool closed_nfa(const aev *e)
{
    return e->outcome && (strcasestr(e->outcome, "nfa") || strcasestr(e->outcome, "no further"));
}

/* The unrecorded_crime alert of an event: the offence, its words, the ages,
 * other offences of the same note, and why it counts as unrecorded. */
static int unrecorded_alert(pwalk *w, const evwalk *x, const jd_screen_match *cms, size_t ncm,
                            const jd_screen_match *cm, int clevel, const char *why)
{
    an *A = w->A;
    const aev *e = x->e;
    char cbuf[512];
    json_t *ex = json_array();
    snprintf(cbuf, sizeof cbuf, "%s %s: %s discloses it in the words \"%.*s\"", cm->code, cm->name,
             w->lab, cm->end - cm->start > 120 ? 120 : cm->end - cm->start,
             e->narrative + cm->start);
    json_array_append_new(ex, json_string(cbuf));
    snprintf(w->line, sizeof w->line, "ages: %s", cm->basis);
    json_array_append_new(ex, json_string(w->line));
    if (why)
        json_array_append_new(ex, json_string(why));
    /* a concern is no discount: crime_level's reason says what it did */
    unsigned although = cm->attrs & ~(unsigned)JD_SCREEN_CONCERN;
    if (although) {
        char ab[160];
        snprintf(w->line, sizeof w->line, "counted although %s",
                 jd_screen_attrs_str(although, ab, sizeof ab));
        json_array_append_new(ex, json_string(w->line));
    }
    for (size_t i = 0; i < ncm; i++) {
        const jd_screen_match *sm = &cms[i];
        if (sm != cm) {
            snprintf(w->line, sizeof w->line, "also %s %s (\"%.*s\")", sm->code, sm->name,
                     sm->end - sm->start > 80 ? 80 : sm->end - sm->start, e->narrative + sm->start);
            json_array_append_new(ex, json_string(w->line));
        }
    }
    snprintf(w->line, sizeof w->line,
             "no crime recorded: %s has no crime_ref and no police crime report about the child "
             "within 24 hours (Crime Recording Rules; R-C1)",
             w->lab);
    json_array_append_new(ex, json_string(w->line));
    if (closed_nfa(e))
        json_array_append_new(ex, json_string("closed with no further action: words such as "
                                              "'consensual' or 'boyfriend' are not credible "
                                              "evidence to the contrary (R-C3, R-C4)"));
    char id[600];
    snprintf(id, sizeof id, "unrecorded_crime:%s:%s", e->agency, e->record_id);
    json_t *recs = json_array();
    json_array_append_new(recs, jd_an__record_ref(e));
    json_t *doc = json_pack("{s:o,s:o,s:s,s:s,s:s}", "records", recs, "explanation", ex, "rule",
                            cm->code, "age_basis", cm->basis, "words", "");
    json_object_set_new(doc, "words",
                        json_stringn(e->narrative + cm->start, (size_t)(cm->end - cm->start)));
    /* One alert per event (contract §2.2): a second child of the same event
     * (siblings at one incident) adds no second alert with the same id; the
     * first child walked keeps it. lang_seen holds the per-event alert ids of
     * both kinds (their prefixes differ). */
    if (jd_strmap_get(&A->lang_seen, id, strlen(id))) {
        json_decref(doc);
        return 0;
    }
    jd_strmap_put(&A->lang_seen, id, strlen(id), 0, NULL);
    return jd_an__add_alert(A, JD_ALERT_UNRECORDED_CRIME, id, clevel, w->p, x->t, doc);
}

/* The level of an unrecorded crime, from the offence's gravity and how
 * certain the text is (R-C1: high, critical for C1). Neglect or cruelty (C17)
 * that only a third party's concern or an allegation tells ("Caller concerned
 * the children are left alone"), with no other offence beside it, is medium:
 * still unrecorded, still a crime-recording question, but not yet the child's
 * disclosure or a professional's finding. Sets *why to the reason, or NULL. */
static int crime_level(const jd_screen_match *cms, size_t ncm, const jd_screen_match *cm,
                       const char **why)
{
    *why = NULL;
    if (!strcmp(cm->code, "C1"))
        return JD_LEVEL_CRITICAL;
    for (size_t i = 0; i < ncm; i++)
        if (strcmp(cms[i].code, "C17") || !(cms[i].attrs & JD_SCREEN_CONCERN))
            return JD_LEVEL_HIGH;
    *why = "level medium, not high: cruelty or neglect (C17) told only as a third party's "
           "concern or an allegation, not the child's disclosure or a professional's finding; "
           "high once it is confirmed";
    return JD_LEVEL_MEDIUM;
}

/* Crimes by the child's age, whether one was recorded, and T1. */
static int walk_crimes(pwalk *w, evwalk *x)
{
    an *A = w->A;
    const aev *e = x->e;
    bool self_recorded = records_crime(e);
    const jd_screen_match *cm = NULL, *cms = NULL;
    size_t ncm = 0;
    int rc;
    if (!A->scr || !e->narrative || !*e->narrative)
        return 0;
    if ((rc = screen_offences(w, x, self_recorded, &cms, &ncm, &cm)) < 0)
        return rc;
    if (!cm)
        return 0;
    bool recorded = cm->recorded || (!self_recorded && crime_recorded_near(w, e));
    A->st->crimes_disclosed++;
    if (recorded || self_recorded) {
        A->st->crimes_recorded++;
        return 0;
    }
    const char *why;
    int clevel = crime_level(cms, ncm, cm, &why);
    jd_an__ev_label(w->lab, sizeof w->lab, e);
    if ((rc = unrecorded_alert(w, x, cms, ncm, cm, clevel, why)) < 0)
        return rc;
    if (closed_nfa(e)) {
        snprintf(w->line, sizeof w->line,
                 "%s closed with no further action although it meets %s (R-C3)", w->lab, cm->code);
        multi_add(&w->esc, JD_LEVEL_HIGH, x->t, x->ei, e, w->line);
    }
    /* T1 is about sexual activity that is an offence by age (C1-C14) */
    bool sexual_offence = cm->code[0] == 'C' && atoi(cm->code + 1) <= 14;
    if (sexual_offence && clevel > x->olevel) {
        x->olevel = clevel;
        snprintf(x->obuf, sizeof x->obuf, "T1 offence by age (%s) disclosed in %s", cm->code,
                 w->lab);
        x->override = x->obuf;
    }
    if (sexual_offence) {
        w->cs.crime_ev = x->ei + 1;
        w->cs.crime_t = x->t;
        w->cs.crime_level = clevel;
    }
    return 0;
}

/* M-R6: agencies disagree on the grade of one episode; M-R2: a graded-low
 * report of a child who must never be graded lower than medium. */
static void missing_grades(pwalk *w, const evwalk *x, bool same)
{
    const aev *e = x->e;
    if (same && w->last_grade && e->risk_grade && strcasecmp(w->last_grade, e->risk_grade) &&
        strcmp(w->last_grade_agency, e->agency) &&
        (grade_not_urgent(w->last_grade) != grade_not_urgent(e->risk_grade))) {
        jd_an__ev_label(w->lab, sizeof w->lab, e);
        snprintf(w->line, sizeof w->line,
                 "agencies disagree on the grade of one missing episode: %s graded '%s', %s "
                 "graded '%s' (M-R6)",
                 w->last_grade_agency, w->last_grade, e->agency, e->risk_grade);
        multi_add(&w->esc, JD_LEVEL_MEDIUM, x->t, x->ei, e, w->line);
    }
    bool ld = has_ind(w->W, w->P->ld_ind);
    if ((under(w->P, x->age) || w->s_any || ld) && e->risk_grade &&
        grade_not_urgent(e->risk_grade)) {
        char young[32];
        snprintf(young, sizeof young, "under %d", w->P->under_age);
        jd_an__ev_label(w->lab, sizeof w->lab, e);
        snprintf(w->line, sizeof w->line,
                 "%s graded '%s' although the child is %s: never lower than medium (M-R2)", w->lab,
                 e->risk_grade,
                 under(w->P, x->age) ? young
                 : w->s_any          ? "known to have significant indicators"
                                     : "known to have a learning disability");
        multi_add(&w->esc, JD_LEVEL_MEDIUM, x->t, x->ei, e, w->line);
    }
}

static int walk_missing_report(pwalk *w, const evwalk *x)
{
    const aev *e = x->e;
    const jd_risk_policy *P = w->P;
    bool same = w->last_report != INT64_MIN && e->occurred - w->last_report < P->same_episode;
    missing_grades(w, x, same);
    if (!same) {
        jd_risk_walk *W = w->W;
        if (jd_grow((void **)&W->ep, &W->epcap, W->nep + 1, sizeof *W->ep) < 0)
            return oom(w->A);
        W->ep[W->nep++] = e->occurred;
        int n = episodes_in_window(w, e->occurred);
        int lvl = n >= P->mp_high     ? JD_LEVEL_HIGH
                  : n >= P->mp_medium ? JD_LEVEL_MEDIUM
                                      : JD_LEVEL_NONE;
        if (n >= P->mp_medium &&
            (w->cs.max_level >= JD_LEVEL_MEDIUM || under(P, x->age) || has_ind(W, P->ld_ind)))
            lvl = JD_LEVEL_HIGH;
        if (e->overnight && lvl < JD_LEVEL_LOW)
            lvl = JD_LEVEL_LOW;
        if (lvl > JD_LEVEL_NONE) {
            jd_an__ev_label(w->lab, sizeof w->lab, e);
            snprintf(w->line, sizeof w->line, "%d missing episodes in %d days up to %s%s (M-R3)", n,
                     P->mp_window_days, w->lab, e->overnight ? ", overnight" : "");
            multi_add(&w->mp, lvl, x->t, x->ei, e, w->line);
        }
    }
    w->last_report = e->occurred;
    w->last_grade = e->risk_grade;
    w->last_grade_agency = e->agency;
    return 0;
}

static int walk_missing_return(pwalk *w, const evwalk *x)
{
    const aev *e = x->e;
    const jd_risk_policy *P = w->P;
    /* overnight: back on a later day after some hours, or after many hours */
    int64_t away = w->last_report != INT64_MIN ? e->occurred - w->last_report : -1;
    bool overnight =
        e->overnight ||
        (away >= P->overnight_after && away < P->longest_episode &&
         ((e->occurred + 3600) / DAY != (w->last_report + 3600) / DAY || away >= P->overnight));
    if (overnight) {
        jd_an__ev_label(w->lab, sizeof w->lab, e);
        snprintf(w->line, sizeof w->line, "missing overnight or longer: returned %s (M-R3)",
                 w->lab);
        multi_add(&w->mp, JD_LEVEL_LOW, x->t, x->ei, e, w->line);
    }
    if (w->last_return == INT64_MIN || e->occurred - w->last_return >= DAY) {
        jd_risk_walk *W = w->W;
        if (jd_grow((void **)&W->rets, &W->retcap, W->nret + 1, sizeof *W->rets) < 0)
            return oom(w->A);
        W->rets[W->nret++] = (jd_risk_ret){x->ei, e->occurred};
    }
    w->last_return = e->occurred;
    return 0;
}

/* Keep the score's path for calibration (alert field score_path: each new
 * maximum [score, raised_at, corroborated]); `joindots calibrate` reads it
 * to say which thresholds would meet a false-alarm target. */
static void note_score(pwalk *w, int64_t t, int score)
{
    /* below the lowest band nothing is calibrated: no corroboration to work out */
    if ((score <= w->max_raw && score <= w->max_corr) || score < w->R->level_min[JD_LEVEL_LOW])
        return;
    corro co;
    corroboration(w->A, w->W, t, &co);
    if (score <= w->max_raw && !(co.ok && score > w->max_corr))
        return;
    if (!w->spath && !(w->spath = json_array()))
        return;
    char when[32];
    fmt_time(when, t);
    if (json_array_size(w->spath) < 64)
        json_array_append_new(w->spath, json_pack("[i,s,b]", score, when, co.ok));
    if (score > w->max_raw)
        w->max_raw = score;
    if (co.ok && score > w->max_corr)
        w->max_corr = score;
}

/* The level of a score at t: a score at high without corroboration is
 * graded medium (co filled when the score reaches high). */
static int score_level(const an *A, jd_risk_walk *W, int64_t t, int score, corro *co, bool *capped)
{
    int level = level_of_score(A->rules, score);
    *capped = false;
    if (level >= JD_LEVEL_HIGH) {
        corroboration(A, W, t, co);
        if (!co->ok) {
            level = JD_LEVEL_MEDIUM;
            *capped = true;
        }
    }
    return level;
}

/* The child's level after the event: score (corroborated for high), the
 * never-low and T3 rules, and the event's override; one history step per
 * level first reached. */
static void walk_level(pwalk *w, const evwalk *x)
{
    an *A = w->A;
    const jd_risk_policy *P = w->P;
    int distinct, sig, mod, sig3;
    int score = score_at(A, w->W, x->t, &distinct, &sig, &mod, &sig3);
    corro co;
    bool capped = false;
    /* once at high, the score can raise no step: corroboration would only
     * be worked out again to be thrown away */
    int level = w->cs.max_level >= JD_LEVEL_HIGH
                    ? level_of_score(w->R, score)
                    : score_level(A, w->W, x->t, score, &co, &capped);
    const char *why = NULL;
    char wbuf[512];
    bool young = under(P, x->age), ld = has_ind(w->W, P->ld_ind);
    if ((young || ld) && (sig || mod) && level < JD_LEVEL_MEDIUM) {
        level = JD_LEVEL_MEDIUM;
        snprintf(wbuf, sizeof wbuf, "under %d: never graded low (V07)", P->under_age);
        why = young ? wbuf : "learning disability: never graded low (V06)";
    }
    bool bypassed = false;
    if (young && sig3 && level < JD_LEVEL_HIGH) {
        level = JD_LEVEL_HIGH;
        capped = false;
        bypassed = true;
        why = "T3 under 13 with an exploitation-specific significant indicator";
    }
    if (x->olevel > level) {
        level = x->olevel;
        capped = false;
        bypassed = true;
        snprintf(wbuf, sizeof wbuf, "%s", x->override);
        why = wbuf;
    }
    note_score(w, x->t, score);
    if (bypassed && level >= JD_LEVEL_HIGH && !w->bypass_high_at)
        w->bypass_high_at = x->t;
    if (level <= w->cs.max_level)
        return;
    if (level >= JD_LEVEL_HIGH)
        corroboration(A, w->W, x->t, &co);
    /* one step per level reached, lower levels reached at the same time */
    for (int l = w->cs.max_level + 1; l <= level; l++) {
        if (w->cs.nsteps >= 5)
            break;
        step *s = &w->cs.steps[w->cs.nsteps++];
        ((aperson *)w->p)->level_at[l] = x->t;
        s->level = l;
        s->t = x->t;
        s->ev = x->ei;
        s->explain = s->records = NULL;
        if (l == level)
            explain_step(A, w->W, s, x->t, score, distinct, &w->cs, why,
                         level >= JD_LEVEL_HIGH || capped ? &co : NULL, bypassed);
    }
    w->cs.max_level = level;
}

static int walk_event(pwalk *w, const amention *m)
{
    an *A = w->A;
    evwalk x;
    memset(&x, 0, sizeof x);
    x.m = m;
    x.e = &A->ev[m->ev];
    x.ei = m->ev;
    x.t = x.e->known;
    const aev *e = x.e;
    int rc;
    bool subj = (m->role & (ROLE_SUBJECT | ROLE_VICTIM)) != 0;
    if (subj && e->lang_mask && (m->age < 0 || m->age < w->P->lang_max_age) &&
        (rc = walk_language(w, &x)) < 0)
        return rc;
    if (!jd_an__is_child_at(A, m))
        return 0;
    x.age = m->age >= 0 ? m->age : e->text_child_age;
    if (x.age >= 0)
        w->last_age = x.age;
    x.subj = subj;
    w->child_events++;
    if ((rc = walk_indicators(w, &x)) < 0 || (rc = walk_mitigating(w, &x)) < 0)
        return rc;
    if (subj && e->trig_mask)
        walk_triggers(w, &x);
    if (subj && (rc = walk_crimes(w, &x)) < 0)
        return rc;
    if (subj && e->et == ET_MISSING_REPORT && (rc = walk_missing_report(w, &x)) < 0)
        return rc;
    if (subj && e->et == ET_MISSING_RETURN && (rc = walk_missing_return(w, &x)) < 0)
        return rc;
    if (x.changed || x.olevel != JD_LEVEL_NONE)
        walk_level(w, &x);
    return 0;
}

/* ---- after the events ---- */

/* M-R4: each return with no independent interview within the window. */
static int overdue_interviews(pwalk *w)
{
    an *A = w->A;
    const aperson *p = w->p;
    const jd_risk_policy *P = w->P;
    for (size_t r = 0; r < w->W->nret; r++) {
        const jd_risk_ret *ret = &w->W->rets[r];
        const aev *e = &A->ev[ret->ev];
        int64_t deadline = ret->t + P->ri_within;
        if (deadline > A->now)
            continue;
        const aev *done = NULL, *declined = NULL;
        for (uint32_t k = 0; k < p->nx; k++) {
            const aev *x = &A->ev[A->m[A->by_person[p->x0 + k]].ev];
            if (x->et != ET_RETURN_INTERVIEW || x->occurred < ret->t - P->ri_before ||
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
        jd_an__ev_label(w->lab, sizeof w->lab, e);
        json_t *ex = json_array();
        snprintf(w->line, sizeof w->line,
                 "M-R4: no independent return interview within %lld hours of the return (%s); "
                 "the deadline was %s",
                 (long long)(P->ri_within / 3600), w->lab, dl);
        json_array_append_new(ex, json_string(w->line));
        if (declined) {
            jd_an__ev_label(w->lab, sizeof w->lab, declined);
            snprintf(w->line, sizeof w->line,
                     "an interview was declined or not completed (%s): recorded, not counted as "
                     "done",
                     w->lab);
            json_array_append_new(ex, json_string(w->line));
        }
        json_t *recs = json_array();
        json_array_append_new(recs, jd_an__record_ref(e));
        /* high when the child was already at high when the clock started */
        bool was_high = p->level_at[JD_LEVEL_HIGH] && p->level_at[JD_LEVEL_HIGH] <= e->known;
        int lvl = was_high ? JD_LEVEL_HIGH : JD_LEVEL_MEDIUM;
        int64_t raised = deadline > e->known ? deadline : e->known;
        json_t *doc = json_pack("{s:o,s:o}", "records", recs, "explanation", ex);
        int rc = jd_an__add_alert(A, JD_ALERT_OVERDUE_RETURN_INTERVIEW, id, lvl, p, raised, doc);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The child_at_risk alert: the explanation of the highest step, the
 * history, and the level in force at the end of the run. */
static int emit_child(pwalk *w)
{
    an *A = w->A;
    const jd_rules *R = w->R;
    child_state *cs = &w->cs;
    step *top = &cs->steps[cs->nsteps - 1];
    int distinct, sig, mod;
    int64_t tend = A->opts->as_of != JD_AS_OF_NOW ? A->opts->as_of : A->now;
    corro co;
    bool capped;
    int cur = score_level(A, w->W, tend, score_at(A, w->W, tend, &distinct, &sig, &mod, NULL), &co,
                          &capped);
    int64_t recent = (int64_t)R->recent_days * DAY;
    if (cs->trig_ev && cs->trig_t >= tend - recent && cs->trig_level > cur)
        cur = cs->trig_level;
    if (cs->crime_ev && cs->crime_t >= tend - recent && cs->crime_level > cur)
        cur = cs->crime_level;
    char id[600];
    snprintf(id, sizeof id, "child_at_risk:%s", w->p->pid);
    json_t *doc = json_pack("{s:O,s:O,s:o,s:s,s:i}", "records", top->records, "explanation",
                            top->explain, "history", history_json(cs->steps, cs->nsteps),
                            "current_level", jd_level_name(cur), "age", w->last_age);
    char when[32];
    if (w->bypass_high_at)
        fmt_time(when, w->bypass_high_at);
    json_object_set_new(doc, "score_path", w->spath ? json_incref(w->spath) : json_array());
    json_object_set_new(doc, "high_by_trigger_at",
                        w->bypass_high_at ? json_string(when) : json_null());
    A->st->by_level[cs->max_level]++;
    return jd_an__add_alert(A, JD_ALERT_CHILD_AT_RISK, id, cs->max_level, w->p, top->t, doc);
}

/* This person's network memberships from the previous pass (A->m09 is
 * sorted by person). */
static void m09_range(pwalk *w)
{
    const an *A = w->A;
    w->xi = w->xend = 0;
    if (A->m09_ind < 0 || !A->nm09)
        return;
    uint32_t me = (uint32_t)(w->p - A->p);
    size_t lo = 0, hi = A->nm09;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (A->m09[mid].person < me)
            lo = mid + 1;
        else
            hi = mid;
    }
    w->xi = w->xend = lo;
    while (w->xend < A->nm09 && A->m09[w->xend].person == me)
        w->xend++;
}

int jd_risk__walk_person(an *A, jd_risk_walk *W, const aperson *p)
{
    pwalk *w = calloc(1, sizeof *w); /* 2 KiB of buffers: not on a worker's stack */
    if (!w)
        return oom(A);
    w->A = A;
    w->W = W;
    w->p = p;
    w->R = A->rules;
    w->P = A->pol;
    w->last_report = w->last_return = INT64_MIN;
    w->last_age = -1;
    for (size_t i = 0; i < w->R->nind; i++)
        W->nh[i] = 0;
    W->m09_net = NULL;
    W->nep = W->nret = W->nmits = 0;
    W->mit_lowers = 0;
    m09_range(w);
    int rc = 0;
    for (uint32_t k = 0; k < p->nx && rc == 0; k++)
        rc = walk_event(w, &A->m[A->by_person[p->x0 + k]]);
    if (rc == 0)
        rc = overdue_interviews(w);
    if (rc == 0 && w->child_events)
        A->st->children++;
    if (rc == 0 && (rc = multi_emit(A, &w->mp, JD_ALERT_MISSING_PATTERN, p)) == 0)
        rc = multi_emit(A, &w->esc, JD_ALERT_ESCALATION, p);
    if (rc == 0 && w->cs.nsteps)
        rc = emit_child(w);
    for (int i = 0; i < w->cs.nsteps; i++) {
        json_decref(w->cs.steps[i].explain);
        json_decref(w->cs.steps[i].records);
    }
    multi_free(&w->esc);
    multi_free(&w->mp);
    json_decref(w->spath);
    free(w);
    return rc;
}
