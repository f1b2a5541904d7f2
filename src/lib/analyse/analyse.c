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
#include "analyse/risk.h"
#include "analyse/screen_memo.h"
#include "store/incr_ops.h"
#include "store/store.h"

#include <joindots/screen_model.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static int oom(an *A)
{
    return jd_oom(A->err);
}

/* ---- screening ---- */

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
    const jd_ts_scan *cur; /* the event's scan: sc, or the memo's (screen_event) */
    uint8_t *adult_s, *sex_s;
    size_t scap;
    int32_t *unless_hit;
    size_t evcap;
} screen_ctx;

/* The age of each event's youngest child subject or victim, and of the other
 * person the person records link to it (a suspect, else an associate, whose
 * age at the event is known): the text screen reads the event with them. */
static int event_ages(an *A)
{
    uint8_t *prio = calloc(A->nev + 1, 1); /* 2: a suspect's age, 1: an associate's */
    if (!prio)
        return oom(A);
    for (size_t i = 0; i < A->nev; i++) {
        A->ev[i].child_age = A->ev[i].linked_age = -1;
        A->ev[i].about_person = 0;
    }
    for (size_t i = 0; i < A->nm; i++) {
        const amention *m = &A->m[i];
        aev *e = &A->ev[m->ev];
        if (m->role & (ROLE_SUBJECT | ROLE_VICTIM | ROLE_WITNESS))
            e->about_person = 1;
        if (m->age < 0)
            continue;
        if ((m->role & (ROLE_SUBJECT | ROLE_VICTIM)) && m->age < 18) {
            if (e->child_age < 0 || m->age < e->child_age)
                e->child_age = m->age;
        } else if (m->role & (ROLE_SUSPECT | ROLE_ASSOCIATE)) {
            uint8_t p = (m->role & ROLE_SUSPECT) ? 2 : 1;
            if (p > prio[m->ev] || (p == prio[m->ev] && m->age < e->linked_age)) {
                e->linked_age = m->age;
                prio[m->ev] = p;
            }
        }
    }
    free(prio);
    return JD_OK;
}

/* Whether a match of the text screen holds for a trigger: counted, or, the
 * child's age unknown, ruled out by the age alone. */
static bool screen_holds(const jd_screen_match *m, int age)
{
    if (m->counts)
        return true;
    return age < 0 && (m->attrs & ~(unsigned)(JD_SCREEN_AGE | JD_SCREEN_CONCERN)) == 0;
}

/* Sizes screen_event's per-sentence flags and per-evidence hits for the
 * scan sc and clears them. */
static int size_buffers(an *A, screen_ctx *X, const jd_ts_scan *sc)
{
    const jd_rules *R = A->rules;
    size_t ns = sc->nsentences + 1;
    if (ns > X->scap) {
        uint8_t *a = realloc(X->adult_s, ns + 16);
        if (a)
            X->adult_s = a;
        uint8_t *b = a ? realloc(X->sex_s, ns + 16) : NULL;
        if (!b)
            return oom(A);
        X->sex_s = b;
        X->scap = ns + 16;
    }
    memset(X->adult_s, 0, ns);
    memset(X->sex_s, 0, ns);
    if (R->nev > X->evcap) {
        int32_t *b = realloc(X->unless_hit, R->nev * sizeof *b);
        if (!b)
            return oom(A);
        X->unless_hit = b;
        X->evcap = R->nev;
    }
    for (size_t i = 0; i < R->nev; i++)
        X->unless_hit[i] = -1;
    return JD_OK;
}

/* Pass 1 of screen_event: the cues the analysis reads beside the screen
 * (adult and sexual sentences, ages written, overnight, declined). */
static void read_cues(an *A, screen_ctx *X, aev *e)
{
    jd_rules *R = A->rules;
    const jd_ts_scan *sc = X->cur;
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
                X->sex_s[x->sentence] = 1;
                e->sexual = 1;
            }
            break;
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
}

/* Pass 2 of screen_event: the catalogue's crime rules (network context) and
 * the words that cancel an event type's evidence. */
static int crime_hits(an *A, screen_ctx *X, aev *e, bool adult_any)
{
    jd_rules *R = A->rules;
    const jd_ts_scan *sc = X->cur;
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
        default: break;
        }
    }
    return JD_OK;
}

/* The screen's findings of an event: victim-blaming wording and the triggers
 * its offences hold for. */
static int screen_findings(an *A, aev *e, const jd_screen_result *res, int age, uint32_t etb)
{
    jd_rules *R = A->rules;
    for (size_t k = 0; k < res->n; k++) {
        const jd_screen_match *m = &res->m[k];
        uint32_t off = m->start >= 0 ? (uint32_t)m->start : 0;
        uint32_t len = m->start >= 0 ? (uint32_t)(m->end - m->start) : 0;
        if (m->kind == JD_SCREEN_LANGUAGE && m->counts) {
            /* pattern 1: counted by the rules' firm form over the wording
             * model's veto (its veto floor: modelled, p below the threshold) */
            int32_t kept = m->modelled && m->prob < m->threshold;
            for (size_t i = 0; i < R->nlang; i++)
                if (!strcmp(R->lang[i].slug, m->code) && !(e->lang_mask & (1u << i))) {
                    e->lang_mask |= 1u << i;
                    if (add_finding(A, F_LANG, (uint16_t)i, kept, off, len) < 0)
                        return JD_ENOMEM;
                }
        } else if (m->kind == JD_SCREEN_OFFENCE && screen_holds(m, age)) {
            for (size_t i = 0; i < R->ntrig; i++) {
                const jd_trigger *t = &R->trig[i];
                bool named = false;
                for (int j = 0; j < JD_TRIGGER_OFFENCES && t->offences[j]; j++)
                    named |= !strcmp(t->offences[j], m->code);
                if (!named || (t->in_types && !(t->in_types & etb)) ||
                    (e->trig_mask & (1u << i)))
                    continue;
                e->trig_mask |= 1u << i;
                if (add_finding(A, F_TRIG, (uint16_t)i, m->start >= 0 ? 0 : -2, off, len) < 0)
                    return JD_ENOMEM;
            }
        }
    }
    return JD_OK;
}

/* The offences counted at the child's age, kept for the risk walk (its cache). */
static int keep_offences(an *A, aev *e, const jd_screen_result *res, int age)
{
    e->scr0 = (uint32_t)A->nscache;
    e->scr_n = 0;
    for (size_t k = 0; k < res->n && e->scr_n < 20; k++) {
        const jd_screen_match *m = &res->m[k];
        if (!m->counts || m->kind != JD_SCREEN_OFFENCE)
            continue;
        if (jd_grow((void **)&A->scache, &A->scachecap, A->nscache + 1, sizeof *A->scache) <
            0)
            return oom(A);
        A->scache[A->nscache++] = *m;
        e->scr_n++;
    }
    e->scr_age = (int16_t)(age + 2);
    return JD_OK;
}

/* The event's indicators: by event type, by the event's structure, or held by
 * the screen. */
static int event_indicators(an *A, screen_ctx *X, aev *e, const jd_screen_result *res,
                            bool adult_any, uint32_t etb)
{
    jd_rules *R = A->rules;
    for (size_t i = 0; i < R->nev; i++) {
        const jd_evidence *ev = &R->ev[i];
        uint16_t ind = ev->indicator;
        if (e->ind_mask & (1ull << ind))
            continue;
        if (ev->screen) {
            const jd_screen_match *hit = NULL;
            for (size_t k = 0; k < res->n && !hit; k++)
                if (res->m[k].kind == JD_SCREEN_INDICATOR && res->m[k].counts &&
                    !strcmp(res->m[k].code, R->ind[ind].id))
                    hit = &res->m[k];
            if (!hit)
                continue;
            e->ind_mask |= 1ull << ind;
            int rc = hit->start >= 0
                         ? add_finding(A, F_IND, ind, 0, (uint32_t)hit->start,
                                       (uint32_t)(hit->end - hit->start))
                         : add_finding(A, F_IND, ind, -3, 0, 0);
            if (rc < 0)
                return rc;
            continue;
        }
        if (ev->types && !(ev->types & etb))
            continue;
        if (ev->has_unless && X->unless_hit[i] >= 0)
            continue;
        if ((ev->needs & NEED_ADULT_ANY) && !adult_any)
            continue;
        if ((ev->needs & NEED_ADULT_SENTENCE) && !e->adult_text)
            continue;
        if ((ev->needs & NEED_VEHICLE) && !e->vehicle)
            continue;
        if ((ev->needs & NEED_PHONE) && !e->phone)
            continue;
        if ((ev->needs & NEED_ADULT_PARTY) && !e->adult_party)
            continue;
        e->ind_mask |= 1ull << ind;
        if (add_finding(A, F_IND, ind, ev->needs ? -2 : -1, 0, 0) < 0)
            return JD_ENOMEM;
    }
    return JD_OK;
}

static int screen_event(an *A, screen_ctx *X, aev *e)
{
    jd_rules *R = A->rules;
    e->f0 = (uint32_t)A->nf;
    const char *txt = e->narrative ? e->narrative : "";
    /* a note seen before word for word is read from the memo (screen_memo.h) */
    if (A->smemo ? jd_smemo__scan(A->smemo, R->ts, txt, strlen(txt), &X->cur) != JD_OK
                 : jd_ts__scan(R->ts, &X->sc, txt, strlen(txt)) != JD_OK)
        return oom(A);
    if (!A->smemo)
        X->cur = &X->sc;
    int rc = size_buffers(A, X, X->cur);
    if (rc != JD_OK)
        return rc;
    read_cues(A, X, e);
    bool adult_any = e->adult_text || e->adult_party;
    uint32_t etb = 1u << e->et;
    if ((rc = crime_hits(A, X, e, adult_any)) != JD_OK)
        return rc;
    /* the text screen: indicators, triggers (from its offences) and
     * victim-blaming wording, the same findings `joindots screen` gives */
    int age = e->child_age >= 0 ? e->child_age : e->text_child_age;
    bool self_recorded =
        e->et == ET_CRIME_REPORT || e->crime_recorded == 1 || (e->crime_ref && *e->crime_ref);
    jd_screen_note sn = {e->record_id, txt, e->type, e->agency, age, 0,
                         self_recorded ? 1 : e->crime_recorded == 0 ? 0 : -1, 0,
                         e->linked_age > 0 ? e->linked_age : 0};
    jd_error serr;
    jd_error_clear(&serr);
    const jd_screen_result *res = &A->sres;
    A->sres.n = 0;
    /* indicators, triggers, wording and offences reach only a subject, victim
     * or witness of the event: with none, nothing would be read */
    if (*txt && A->scr && e->about_person) {
        rc = A->smemo ? jd_smemo__screen(A->smemo, A->scr, &sn, &res, &serr)
                      : jd_screen_run(A->scr, &sn, &A->sres, &serr);
        if (rc == JD_ENOMEM)
            return oom(A);
        if (rc < 0) { /* a note the screen refuses (over 1 MiB) discloses nothing */
            A->sres.n = 0;
            res = &A->sres;
        }
    }
    if ((rc = screen_findings(A, e, res, age, etb)) != JD_OK)
        return rc;
    /* the offences counted at this age are kept for the risk walk (its cache) */
    if (age >= 0 && *txt && A->scr && e->about_person &&
        (rc = keep_offences(A, e, res, age)) != JD_OK)
        return rc;
    /* indicators: an event type, the event's structure, or the screen */
    if ((rc = event_indicators(A, X, e, res, adult_any, etb)) != JD_OK)
        return rc;
    e->nf = (uint32_t)(A->nf - e->f0);
    return JD_OK;
}

/* ---- driver ---- */

static int cmp_alert(const void *a, const void *b)
{
    return strcmp(((const struct out_alert *)a)->id, ((const struct out_alert *)b)->id);
}


/* An alert's JSON as written (malloc'd; NULL: out of memory). */
static char *alert_text(const struct out_alert *a)
{
    return a->text ? strdup(a->text) : json_dumps(a->doc, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
}

static void alert_free(struct out_alert *a)
{
    free(a->id);
    free(a->text);
    json_decref(a->doc);
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
    for (size_t i = 0; i < A->nalerts; i++)
        alert_free(&A->alerts[i]);
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

/* ---- incremental runs (issue 17): the network feedback kept, the
 * alerts of persons outside the subset respected ---- */

#define M09_DOC "m09:links"

/* The network feedback of a full run (A->m09, noted by the first network
 * pass), by names: [[person_id, agency, record_id, known time, network
 * alert id], ...]. An incremental run, which does not detect networks,
 * reads it back for the children it walks. */
static int m09_save(an *A, jd_store *s)
{
    if (!s->ops->docs_replace)
        return JD_OK;
    json_t *arr = json_array();
    if (!arr)
        return oom(A);
    for (size_t i = 0; i < A->nm09; i++) {
        const m09_link *l = &A->m09[i];
        const aev *e = &A->ev[l->ev];
        if (json_array_append_new(arr, json_pack("[s,s,s,I,s]", A->p[l->person].pid, e->agency,
                                                 e->record_id, (json_int_t)l->t, l->net)) < 0) {
            json_decref(arr);
            return oom(A);
        }
    }
    char *doc = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!doc)
        return oom(A);
    jd_doc_save d = {M09_DOC, doc};
    int rc = s->ops->docs_replace(s, M09_DOC, &d, 1, A->err);
    free(doc);
    return rc;
}

/* This walked person's event (agency, record_id), as an index into ev. */
static uint32_t event_of_person(const an *A, const aperson *p, const char *agency,
                                const char *record_id)
{
    for (uint32_t k = 0; k < p->nx; k++) {
        uint32_t ev = A->m[A->by_person[p->x0 + k]].ev;
        if (!strcmp(A->ev[ev].agency, agency) && !strcmp(A->ev[ev].record_id, record_id))
            return ev;
    }
    return UINT32_MAX;
}

/* The stored network feedback of the walked children (see m09_save). */
static int m09_load(an *A, jd_store *s)
{
    char *doc = NULL;
    jd_doc_state state;
    if (!s->ops->doc_get)
        return JD_OK;
    int rc = s->ops->doc_get(s, M09_DOC, &doc, &state, A->err);
    if (rc < 0 || !doc)
        return rc == JD_ENOTFOUND ? JD_OK : rc;
    json_error_t je;
    json_t *arr = json_loads(doc, 0, &je);
    free(doc);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return jd_error_set(A->err, JD_ESTORE, "the stored network feedback is not a list");
    }
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        const char *pid = json_string_value(json_array_get(x, 0));
        const char *ag = json_string_value(json_array_get(x, 1));
        const char *rec = json_string_value(json_array_get(x, 2));
        const char *net = json_string_value(json_array_get(x, 4));
        json_t *t = json_array_get(x, 3);
        if (!pid || !ag || !rec || !net || !json_is_integer(t)) {
            json_decref(arr);
            return jd_error_set(A->err, JD_ESTORE, "a malformed stored network feedback link");
        }
        const uint32_t *pi = jd_strmap_get(&A->pmap, pid, strlen(pid));
        if (!pi || !A->p[*pi].walk)
            continue;
        uint32_t ev = event_of_person(A, &A->p[*pi], ag, rec);
        if (ev == UINT32_MAX)
            continue; /* the event is not known by this run's time */
        const char *id = jd_arena_strdup(&A->ar, net);
        if (!id || jd_grow((void **)&A->m09, &A->m09cap, A->nm09 + 1, sizeof *A->m09) < 0) {
            json_decref(arr);
            return oom(A);
        }
        A->m09[A->nm09++] = (m09_link){*pi, ev, (int64_t)json_integer_value(t), id};
    }
    json_decref(arr);
    return JD_OK;
}

typedef struct seed_ctx {
    an *A;
    int rc;
} seed_ctx;

static int seed_one(const jd_alert_row *r, void *payload)
{
    seed_ctx *c = payload;
    if (!jd_strmap_put(&c->A->lang_seen, r->id, strlen(r->id), 0, NULL))
        return c->rc = oom(c->A);
    return 0;
}

/* A subset run: the per-event alerts (language, unrecorded crime) that the
 * store holds for persons it does not walk stay theirs, as "the first child
 * walked keeps it" gave them; their events' other children do not take
 * them. */
static int seed_fringe(an *A, jd_store *s)
{
    if (!A->snap->subset || A->snap->nwalk == A->np)
        return JD_OK;
    const char **fr = malloc((A->np - A->snap->nwalk + 1) * sizeof *fr);
    if (!fr)
        return oom(A);
    size_t n = 0;
    for (size_t p = 0; p < A->np; p++)
        if (!A->p[p].walk && A->p[p].pid)
            fr[n++] = A->p[p].pid;
    seed_ctx c = {A, 0};
    int rc = s->ops->incr->alerts_select(s, NULL, fr, n, false, seed_one, &c, A->err);
    free(fr);
    return c.rc < 0 ? c.rc : rc;
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
        char *doc = alert_text(&A->alerts[i]);
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
            save[i] = (jd_alert_save){A->alerts[i].id, jd_alert_kind_name(A->alerts[i].kind),
                                      jd_level_name(A->alerts[i].level), A->alerts[i].subject,
                                      A->alerts[i].raised_at, doc};
        else
            free(doc);
    }
    const jd_snapshot *S = A->snap;
    if (rc == JD_OK && save && S->subset) {
        /* only the walked persons' alerts are replaced */
        const char **subj = malloc((S->nwalk + 1) * sizeof *subj);
        size_t n = 0;
        if (!subj)
            rc = oom(A);
        for (size_t p = 0; rc == JD_OK && p < A->np; p++)
            if (A->p[p].walk)
                subj[n++] = A->p[p].pid;
        if (rc == JD_OK)
            rc = s->ops->incr->alerts_patch(s, subj, n, save, A->nalerts, (int64_t)A->nev,
                                            S->mark[0] ? S->mark : NULL, A->err);
        free(subj);
    } else if (rc == JD_OK && save) {
        rc = s->ops->alerts_replace(s, A->opts->as_of, (int64_t)A->nev, save, A->nalerts,
                                    A->err);
        /* what an incremental run after this one needs: the watermark and
         * the network feedback */
        if (rc == JD_OK && A->opts->as_of == JD_AS_OF_NOW && s->ops->incr && S->mark[0])
            rc = s->ops->incr->mark_set(s, S->mark, A->err);
        if (rc == JD_OK && A->opts->as_of == JD_AS_OF_NOW)
            rc = m09_save(A, s);
    }
    if (save)
        for (size_t i = 0; i < A->nalerts; i++)
            free((char *)save[i].doc);
    free(save);
    if (rc == JD_OK && out && fflush(out) != 0)
        rc = jd_error_set(A->err, JD_EIO, "cannot write alerts");
    return rc;
}

/* ---- the risk walk on threads ---- */

/* One thread's share of a walk: the persons [lo, hi) with its own copy of
 * the run, so that nothing mutable is shared: its alerts, counts, per-event
 * alert ids, screen, memo and offences cache. The snapshot, the findings,
 * the rules and the network feedback are read by all; each child's levels
 * (aperson.level_at) are written by the one thread that walks the child.
 * Job 0 runs on the calling thread and borrows the run's screen and memo. */
typedef struct walk_job {
    an A;
    jd_risk_walk W;
    jd_analyse_stats st;
    jd_error err;
    size_t lo, hi;
    int part, nparts; /* walks the persons of partition part of nparts */
    bool borrowed;
    int rc;
    double cpu; /* the thread's CPU time for the share */
} walk_job;

/* The partition of person p among n (issue 20): a hash of its key, so that
 * a person falls in the same one whatever the load. */
static int part_of(const aperson *p, int n)
{
    return jd_snapshot__part_of(p->pid, n);
}

static void *walk_range(void *arg)
{
    walk_job *j = arg;
    double t0 = jd_thread_cpu_secs();
    for (size_t p = j->lo; p < j->hi && j->rc == 0; p++)
        if (j->A.p[p].walk && part_of(&j->A.p[p], j->nparts) == j->part)
            j->rc = jd_risk__walk_person(&j->A, &j->W, &j->A.p[p]);
    j->cpu = jd_thread_cpu_secs() - t0;
    return NULL;
}

static void job_free(walk_job *j)
{
    for (size_t i = 0; i < j->A.nalerts; i++)
        alert_free(&j->A.alerts[i]);
    free(j->A.alerts);
    jd_risk__walk_dispose(&j->W);
    jd_strmap_free(&j->A.lang_seen);
    if (!j->borrowed) {
        jd_screen_result_free(&j->A.sres);
        jd_smemo__free(j->A.smemo);
        jd_screen_close(j->A.scr);
    }
    free(j->A.scache);
    free(j->A.evscr);
}

/* The run's screen: the built-in rules, with opts->screen_model's learned
 * combiner when one is given (each worker loads its own: a screen owns its
 * model). */
static int an_screen_open(const an *A, jd_screen **out)
{
    return jd_screen_open_model(out, NULL, A->opts ? A->opts->screen_model : NULL, A->err);
}

/* Job j's copy of the run A (see walk_job) for the persons [lo, hi); with
 * borrow, A's screen, memo and result are used (job 0). */
static int job_init(walk_job *j, an *A, jd_store *s, size_t lo, size_t hi, bool borrow)
{
    an *B = &j->A;
    *B = *A;
    B->alerts = NULL;
    B->nalerts = B->alertcap = 0;
    B->st = &j->st;
    B->err = &j->err;
    memset(&B->ar, 0, sizeof B->ar); /* the walk allocates nothing there */
    jd_strmap_init(&B->lang_seen);
    j->lo = lo;
    j->hi = hi;
    j->borrowed = borrow;
    if (!j->borrowed) {
        memset(&B->sres, 0, sizeof B->sres);
        B->scr = NULL;
        if (!(B->smemo = jd_smemo__new()))
            return oom(A);
        if (A->scr && an_screen_open(A, &B->scr) < 0)
            return A->err->code;
    }
    B->scache = malloc((A->nscache + 1) * sizeof *B->scache);
    B->evscr = malloc((A->nev + 1) * sizeof *B->evscr);
    if (!B->scache || !B->evscr)
        return oom(A);
    if (A->nscache)
        memcpy(B->scache, A->scache, A->nscache * sizeof *B->scache);
    B->scachecap = A->nscache + 1;
    for (size_t e = 0; e < A->nev; e++)
        B->evscr[e] = (ev_scr){A->ev[e].scr_age, A->ev[e].scr_n, A->ev[e].scr0};
    return A->snap->subset ? seed_fringe(B, s) : JD_OK;
}

static void stats_add(jd_analyse_stats *to, const jd_analyse_stats *st)
{
    for (int k = 0; k < JD_ALERT_KINDS; k++)
        to->by_kind[k] += st->by_kind[k];
    for (int l = 0; l < 5; l++)
        to->by_level[l] += st->by_level[l];
    to->children += st->children;
    to->returns_due += st->returns_due;
    to->returns_interviewed_72h += st->returns_interviewed_72h;
    to->crimes_disclosed += st->crimes_disclosed;
    to->crimes_recorded += st->crimes_recorded;
}

/* Alert a (taken from a job) where seen (per-event alert id -> slot in
 * A->alerts) may hold one with its id: a per-event alert (language,
 * unrecorded crime) raised for two children stays the one of the child
 * first in the snapshot's order, as on one thread in one pass; the other is
 * dropped and its count taken off (st: the job's counts, not yet added).
 * Returns 1 when a was kept, 0 when dropped, or JD_ENOMEM. */
static int merge_one(an *A, jd_strmap *seen, struct out_alert *a, jd_analyse_stats *st)
{
    bool added = true;
    uint32_t *slot = NULL;
    if ((a->kind == JD_ALERT_LANGUAGE || a->kind == JD_ALERT_UNRECORDED_CRIME) &&
        !(slot = jd_strmap_put(seen, a->id, strlen(a->id), (uint32_t)A->nalerts, &added)))
        return oom(A);
    if (!added) {
        struct out_alert *k = &A->alerts[*slot];
        if (k->who <= a->who) {
            st->by_kind[a->kind]--;
            return 0; /* freed with the job */
        }
        A->st->by_kind[k->kind]--; /* a later partition's child comes first */
        alert_free(k);
        *k = *a;
        return 1;
    }
    if (jd_grow((void **)&A->alerts, &A->alertcap, A->nalerts + 1, sizeof *A->alerts) < 0)
        return oom(A);
    A->alerts[A->nalerts++] = *a;
    return 1;
}

/* The jobs' alerts and counts into A, job after job (see merge_one). */
static int jobs_merge(an *A, walk_job *job, int n, jd_strmap *seen)
{
    int rc = JD_OK;
    for (int t = 0; t < n && rc == JD_OK; t++) {
        an *B = &job[t].A;
        for (size_t i = 0; i < B->nalerts && rc == JD_OK; i++) {
            struct out_alert *a = &B->alerts[i];
            if ((rc = merge_one(A, seen, a, &job[t].st)) == 1) {
                *a = (struct out_alert){NULL, 0, 0, NULL, 0, NULL, 0, NULL};
                rc = JD_OK;
            }
        }
        stats_add(A->st, &job[t].st);
    }
    return rc;
}

/* The walk's work for person p, for cutting shares: an event where the
 * person is not a child is passed over, one where they are is walked and
 * weighs four (at 1M the longest of two shares went from 2.31 to 2.17 s
 * of the walk's 3.9-4.0 s of CPU; ten did no better). */
static size_t walk_weight(const an *A, const aperson *p, int part, int nparts)
{
    if (!p->walk || part_of(p, nparts) != part)
        return 0;
    size_t w = 1;
    for (uint32_t k = 0; k < p->nx; k++)
        w += jd_an__is_child_at(A, &A->m[A->by_person[p->x0 + k]]) ? 4 : 1;
    return w;
}

/* The risk walk of the walked persons of partition part (of nparts) on
 * A->opts->threads threads (consecutive shares of about equal work,
 * walk_weight), merged in person order into A (seen: see merge_one). */
enum { SMALL_WALK = 65536 };

static int walk_partition(an *A, jd_store *s, int part, int nparts, jd_strmap *seen)
{
    size_t total = 0, acc = 0, lo = 0;
    for (size_t p = 0; p < A->np; p++)
        total += walk_weight(A, &A->p[p], part, nparts);
    /* By default a small walk (an urgent call's child, a feed's few
     * children, a county of 40k events) stays on one thread: a second one
     * opens its own screener (~25 ms of CPU) and starts with an empty memo,
     * more than it saves below about 64k of weight (synth seed 1: weight
     * 44,470, the walk 32 ms on one thread, ~0.7 us a weight; on two its
     * risk stage took 38 -> 81 ms wall). An explicit --threads is obeyed. */
    int n = A->opts->threads == 0 && total < SMALL_WALK ? 1 : jd_thread_count(A->opts->threads);
    walk_job *job = calloc((size_t)n, sizeof *job);
    if (!job)
        return oom(A);
    int rc = JD_OK;
    for (int t = 0; t < n && rc == JD_OK; t++) {
        size_t hi = lo, goal = total * (size_t)(t + 1) / (size_t)n;
        while (hi < A->np && (t == n - 1 || acc < goal))
            acc += walk_weight(A, &A->p[hi++], part, nparts);
        job[t].part = part;
        job[t].nparts = nparts;
        rc = job_init(&job[t], A, s, lo, hi, t == 0);
        lo = hi;
    }
    if (rc == JD_OK)
        jd_run_jobs(walk_range, job, sizeof *job, n);
    for (int t = 0; t < n && rc == JD_OK; t++)
        if (job[t].rc < 0) {
            *A->err = job[t].err;
            rc = job[t].rc;
        }
    if (rc == JD_OK)
        rc = jobs_merge(A, job, n, seen);
    double longest = 0;
    for (int t = 0; t < n; t++) {
        A->st->seconds_walk_cpu += job[t].cpu;
        longest = job[t].cpu > longest ? job[t].cpu : longest;
    }
    A->st->seconds_walk_longest += longest;
    A->st->walk_threads = n;
    A->sres = job[0].A.sres; /* job 0 borrowed it and may have grown it */
    for (int t = 0; t < n; t++)
        job_free(&job[t]);
    free(job);
    return rc;
}

/* The partitions of a walk on a snapshot already loaded whole (an
 * incremental run's, the benches'): opts->partitions, else one. Each
 * partition walks on that whole snapshot, so more than one saves no memory
 * here; jd_analyse's run on partitions loads each pass's own events instead
 * (jd_an__run_parts; docs/internals/analyse.md). */
static int partitions(const an *A)
{
    return A->opts->partitions > 0 ? A->opts->partitions : 1;
}

/* The risk walk of every walked person, partition after partition. */
static int walk_persons(an *A, jd_store *s)
{
    int k = partitions(A), rc = JD_OK;
    jd_strmap seen;
    jd_strmap_init(&seen);
    for (int part = 0; part < k && rc == JD_OK; part++)
        rc = walk_partition(A, s, part, k, &seen);
    jd_strmap_free(&seen);
    A->st->walk_partitions = k;
    return rc;
}

/* The network feedback indicator (named in the catalogue's "network"
 * section, docs/rules.md): it runs the round and the walk explains it. */
static void m09_setup(an *A)
{
    for (size_t i = 0; i < A->rules->nind; i++)
        if (A->rules->net_feedback_id && !strcmp(A->rules->ind[i].id, A->rules->net_feedback_id))
            A->m09_ind = (int)i;
    A->m09_record = A->m09_ind >= 0;
}

/* Every child's risk walk and the network pass, then the network feedback
 * round. */
static int walk_all(an *A, jd_snapshot *S, jd_store *s, jd_an_pass networks)
{
    int rc;
    m09_setup(A);
    if (S->subset && (!s || !s->ops->incr))
        return jd_error_set(A->err, JD_EINVALID, "this store cannot take an incremental analysis");
    if ((rc = walk_persons(A, s)) < 0)
        return rc;
    /* a subset detects no networks: its walked children keep the network
     * feedback of the last full run (m09_save) */
    if (S->subset ? (A->m09_ind >= 0 && (rc = m09_load(A, s)) < 0)
                  : (networks && (rc = networks(A)) < 0))
        return rc;
    if (A->nm09) {
        /* Network feedback (DOMAIN M09): children who became members of an
         * exploitation network gain "associates of exploited children" from
         * the moment the membership was known. The risk walk and the network
         * detection run once more with it; one round, so it cannot feed on
         * itself. */
        qsort(A->m09, A->nm09, sizeof *A->m09, cmp_m09);
        if ((rc = second_pass_reset(A)) < 0 || (rc = walk_persons(A, s)) < 0)
            return rc;
        if (!S->subset && networks && (rc = networks(A)) < 0)
            return rc;
    }
    return 0;
}

/* What a pass holds (pass_init), or the part of a run alike, freed. */
static void pass_free(an *A)
{
    for (size_t i = 0; i < A->nalerts; i++)
        alert_free(&A->alerts[i]);
    free(A->alerts);
    free(A->f);
    free(A->scache);
    free(A->evscr);
    free(A->m09);
    jd_smemo__free(A->smemo);
    jd_strmap_free(&A->lang_seen);
    jd_arena_free(&A->ar);
}

/* What one run holds, freed. */
static void an_free(an *A, jd_risk_policy *pol, screen_ctx *X)
{
    pass_free(A);
    jd_risk__dispose(pol);
    jd_ts__scan_free(&X->sc);
    free(X->adult_s);
    free(X->sex_s);
    free(X->unless_hit);
    jd_rules__free(A->rules);
    jd_screen_result_free(&A->sres);
    jd_screen_close(A->scr);
}

void jd_an__defaults(const jd_analyse_opts **opts, jd_analyse_opts *def,
                     jd_analyse_stats **stats, jd_analyse_stats *dummy)
{
    if (opts && !*opts) {
        *def = (jd_analyse_opts)JD_ANALYSE_OPTS_INIT;
        *opts = def;
    }
    if (!*stats)
        *stats = dummy;
    memset(*stats, 0, sizeof **stats);
}

/* The run's rules, screen, memo and risk policy (free with an_free, even
 * on failure). */
static int an_open(an *A, jd_risk_policy *pol, screen_ctx *X, const jd_analyse_opts *opts,
                   void *pass_ctx, jd_analyse_stats *stats, jd_error *err)
{
    memset(A, 0, sizeof *A);
    A->opts = opts;
    A->err = err;
    A->st = stats;
    A->pass_ctx = pass_ctx;
    A->now = opts->as_of != JD_AS_OF_NOW ? opts->as_of
             : opts->now                 ? opts->now
                                         : (int64_t)time(NULL);
    jd_arena_init(&A->ar, 1 << 20);
    jd_strmap_init(&A->lang_seen);
    A->m09_ind = -1;
    memset(pol, 0, sizeof *pol);
    memset(X, 0, sizeof *X);
    jd_ts__scan_init(&X->sc);
    int rc = jd_rules__load(&A->rules, opts->rules_path, err);
    if (rc < 0 || (rc = an_screen_open(A, &A->scr)) < 0)
        return rc;
    if (!(A->smemo = jd_smemo__new()))
        return jd_oom(err);
    if ((rc = jd_risk__load(pol, opts->risk_path, A->rules, err)) < 0)
        return rc;
    A->pol = pol;
    return JD_OK;
}

/* Every event's ages and screening (stats->seconds_screen). */
static int screen_all(an *A, screen_ctx *X)
{
    double t0 = jd_secs();
    int rc = event_ages(A);
    for (size_t e = 0; rc == JD_OK && e < A->nev; e++)
        rc = screen_event(A, X, &A->ev[e]);
    A->st->seconds_screen += jd_secs() - t0;
    return rc;
}

/* The alerts sorted, written and saved, with the counts. */
static int finish(an *A, jd_store *s, FILE *out)
{
    double t0 = jd_secs();
    if (A->nalerts > 1) /* qsort's base must not be NULL, even for no alerts */
        qsort(A->alerts, A->nalerts, sizeof *A->alerts, cmp_alert);
    A->st->alerts = (int64_t)A->nalerts;
    int rc = write_alerts(A, s, out);
    /* the counts with the run, for readers (the server's board) */
    if (rc == JD_OK && A->opts->save)
        rc = jd_an__stats_save(s, A->st, A->err);
    A->st->seconds_write = jd_secs() - t0;
    return rc;
}

int jd_an__run(jd_snapshot *S, jd_store *s, const jd_analyse_opts *opts, jd_an_pass networks,
               void *pass_ctx, FILE *out, jd_analyse_stats *stats, jd_error *err)
{
    jd_analyse_opts def;
    jd_analyse_stats dummy;
    jd_an__defaults(&opts, &def, &stats, &dummy);
    if (!S || (opts->save && (!s || S->nparts > 1)))
        return jd_error_set(err, JD_EINVALID,
                            "no snapshot, no store to save to, or one partition's to save");
    an A;
    jd_risk_policy pol;
    screen_ctx X;
    int rc = an_open(&A, &pol, &X, opts, pass_ctx, stats, err);
    if (rc < 0)
        goto done;
    attach(&A, S);
    stats->events = (int64_t)A.nev;
    stats->mentions = (int64_t)A.nm;
    stats->persons = (int64_t)A.np;
    if ((rc = screen_all(&A, &X)) < 0)
        goto done;
    double t0 = jd_secs();
    rc = walk_all(&A, S, s, networks);
    stats->seconds_alerts = jd_secs() - t0;
    if (rc == JD_OK)
        rc = finish(&A, s, out);
done:
    an_free(&A, &pol, &X);
    return rc;
}

/* ---- the run on partitions (issue 20) ---- */

/* A network membership (M09) the first network pass noted, by names, for
 * the loads after it (strings in the run's arena). */
typedef struct m09_kept {
    const char *pid, *net;
    int64_t ev_id, t;
} m09_kept;

/* What a run on partitions keeps between its loads (jd_an__run_parts). */
typedef struct part_run {
    an *G; /* the run: rules, policy, screen, the merged alerts (as text), the counts */
    screen_ctx *X;
    jd_store *s;
    jd_an_pass networks;
    int nparts;
    jd_snapshot_parts P;
    jd_strmap seen;         /* per-event alert id -> slot in G->alerts (merge_one) */
    int64_t *lv_id, *lv_un; /* each walked person's level_at[medium], by rank */
    uint32_t *roles;        /* by event id: an.net_roles */
    uint8_t *flags;         /* by event id: an.net_flags */
    m09_kept *links;
    size_t nlinks, linkcap;
    bool detail;            /* the whole county's load with the mentions' detail and the
                             * narratives, handed to the caller (jd_an__run_parts keep) */
    char mark[JD_MARK_MAX]; /* the store's watermark before the first load */
    double load;            /* seconds in the loads */
} part_run;

/* A pass's own copy of the run G: the rules, policy and screen shared, its
 * own alerts, findings, caches, memo and counts (st). */
static int pass_init(an *A, const an *G, jd_analyse_stats *st)
{
    *A = *G;
    A->st = st;
    A->alerts = NULL;
    A->nalerts = A->alertcap = 0;
    A->f = NULL;
    A->nf = A->fcap = 0;
    A->scache = NULL;
    A->nscache = A->scachecap = 0;
    A->evscr = NULL;
    A->m09 = NULL;
    A->nm09 = A->m09cap = 0;
    jd_arena_init(&A->ar, 4096);
    jd_strmap_init(&A->lang_seen);
    return (A->smemo = jd_smemo__new()) ? JD_OK : oom(A);
}

/* A pass's copy of the run (pass_init) and, with so, its load into *S
 * (dispose it even on failure; without so, *S is left as it is). */
static int pass_open(part_run *R, an *A, jd_analyse_stats *st, jd_snapshot *S,
                     const jd_snapshot_opts *so)
{
    int rc = pass_init(A, R->G, st);
    double t0 = jd_secs();
    if (so && rc == JD_OK)
        rc = jd_snapshot__load(S, R->s, so, R->G->err);
    else if (so)
        memset(S, 0, sizeof *S);
    R->load += jd_secs() - t0;
    return rc;
}


/* What the network pass reads of each event's screening (network.c's
 * concerning() and adultness()), 5 bytes an event: an event is in every
 * pass of its persons, screened alike in each. */
static void keep_narrow(part_run *R, const an *A)
{
    const jd_rules *Ru = A->rules;
    for (size_t e = 0; e < A->nev; e++) {
        const aev *v = &A->ev[e];
        uint32_t roles = 0;
        for (uint32_t k = 0; k < v->nf; k++) {
            const finding *f = &A->f[v->f0 + k];
            if (f->kind == F_IND && f->pattern != -2 && Ru->ind[f->idx].cls != IC_VULN)
                roles |= Ru->ind[f->idx].roles;
        }
        R->roles[v->id] = roles;
        R->flags[v->id] = (uint8_t)((v->adult_text ? JD_NET_ADULT_TEXT : 0) |
                                    (v->crime_mask || v->trig_mask ? JD_NET_CONCERN : 0));
    }
}

/* The walked persons' level_at[medium] by rank (what the networks read). */
static void keep_levels(part_run *R, const an *A)
{
    for (size_t p = 0; p < A->np; p++) {
        uint64_t r = A->p[p].rank, un = r - (1ULL << 32);
        if (!A->p[p].walk)
            continue;
        if (r < R->P.identities.n)
            R->lv_id[r] = A->p[p].level_at[JD_LEVEL_MEDIUM];
        else if (r >= 1ULL << 32 && un < R->P.unresolved.n)
            R->lv_un[un] = A->p[p].level_at[JD_LEVEL_MEDIUM];
    }
}

/* A person's level_at[medium] as its pass kept it, 0 none. */
static int64_t level_of(const part_run *R, const aperson *p)
{
    const uint32_t *v = jd_strmap_get(p->resolved ? &R->P.identities : &R->P.unresolved, p->pid,
                                      strlen(p->pid));
    return !v ? 0 : p->resolved ? R->lv_id[*v] : R->lv_un[*v];
}

static bool per_event(int kind)
{
    return kind == JD_ALERT_LANGUAGE || kind == JD_ALERT_UNRECORDED_CRIME;
}

/* Does R->seen name each per-event alert of the run at its slot in
 * G->alerts, and nothing else (merge_one's map)? For assert(). */
static bool seen_true(const part_run *R)
{
    const an *G = R->G;
    size_t n = 0;
    for (size_t i = 0; i < G->nalerts; i++) {
        const struct out_alert *a = &G->alerts[i];
        if (!per_event(a->kind))
            continue;
        const uint32_t *v = jd_strmap_get(&R->seen, a->id, strlen(a->id));
        if (!v || *v != i)
            return false;
        n++;
    }
    return n == R->seen.n;
}

/* R->seen again from G->alerts: swap_alerts moved the run's alerts (the
 * walked children's taken out, the rest packed) and appended the second
 * walk's, so the slots the map named were stale. */
static int seen_rebuild(part_run *R)
{
    an *G = R->G;
    jd_strmap_free(&R->seen);
    jd_strmap_init(&R->seen);
    for (size_t i = 0; i < G->nalerts; i++) {
        const struct out_alert *a = &G->alerts[i];
        if (per_event(a->kind) &&
            !jd_strmap_put(&R->seen, a->id, strlen(a->id), (uint32_t)i, NULL))
            return oom(G);
    }
    return JD_OK;
}

/* A's alerts into the run's as text (merge_one's rule), and its counts. */
static int keep_alerts(part_run *R, an *A, jd_analyse_stats *st)
{
    an *G = R->G;
    int rc = JD_OK;
    assert(seen_true(R));
    for (size_t i = 0; i < A->nalerts && rc == JD_OK; i++) {
        struct out_alert *a = &A->alerts[i];
        a->text = alert_text(a);
        json_decref(a->doc);
        a->doc = NULL;
        a->subject = jd_arena_strdup(&G->ar, a->subject);
        if (!a->text || !a->subject)
            rc = oom(G);
        else if ((rc = merge_one(G, &R->seen, a, st)) == 1)
            *a = (struct out_alert){NULL, 0, 0, NULL, 0, NULL, 0, NULL};
        rc = rc < 0 ? rc : JD_OK;
    }
    stats_add(G->st, st);
    G->st->seconds_walk_cpu += st->seconds_walk_cpu;
    G->st->seconds_walk_longest += st->seconds_walk_longest;
    G->st->walk_threads = st->walk_threads ? st->walk_threads : G->st->walk_threads;
    return rc;
}

/* The first network pass's memberships (A->m09), by names. */
static int links_keep(part_run *R, const an *A)
{
    an *G = R->G;
    for (size_t i = 0; i < A->nm09; i++) {
        const m09_link *l = &A->m09[i];
        m09_kept k = {jd_arena_strdup(&G->ar, A->p[l->person].pid),
                      jd_arena_strdup(&G->ar, l->net), A->ev[l->ev].id, l->t};
        if (!k.pid || !k.net ||
            jd_grow((void **)&R->links, &R->linkcap, R->nlinks + 1, sizeof *R->links) < 0)
            return oom(G);
        R->links[R->nlinks++] = k;
    }
    return JD_OK;
}

/* The kept memberships of A's walked persons as A->m09 (sorted). */
static int links_give(const part_run *R, an *A)
{
    for (size_t i = 0; i < R->nlinks; i++) {
        const m09_kept *k = &R->links[i];
        const uint32_t *pi = jd_strmap_get(&A->pmap, k->pid, strlen(k->pid));
        uint32_t ev = (size_t)k->ev_id < A->snap->ev_index_cap ? A->ev_index[k->ev_id] : 0;
        if (!pi || !A->p[*pi].walk || !ev)
            continue;
        if (jd_grow((void **)&A->m09, &A->m09cap, A->nm09 + 1, sizeof *A->m09) < 0)
            return oom(A);
        A->m09[A->nm09++] = (m09_link){*pi, ev - 1, k->t, k->net};
    }
    if (A->nm09 > 1)
        qsort(A->m09, A->nm09, sizeof *A->m09, cmp_m09);
    return JD_OK;
}

/* Pass k: its load screened and walked; in the first round what the
 * network pass needs is kept, in the second the network feedback given. */
static int part_pass(part_run *R, int k, bool second)
{
    an *G = R->G;
    jd_snapshot S;
    jd_snapshot_opts so = {G->opts->as_of, false, NULL, 0, 0, &R->P, k, false};
    jd_analyse_stats st;
    memset(&st, 0, sizeof st);
    an A;
    jd_strmap seen;
    jd_strmap_init(&seen);
    int rc = pass_open(R, &A, &st, &S, &so);
    if (rc == JD_OK) {
        attach(&A, &S);
        rc = screen_all(&A, R->X);
    }
    if (rc == JD_OK && !second)
        keep_narrow(R, &A);
    if (rc == JD_OK && second)
        rc = links_give(R, &A);
    double t0 = jd_secs();
    if (rc == JD_OK)
        rc = walk_partition(&A, R->s, k, R->nparts, &seen);
    if (rc == JD_OK)
        keep_levels(R, &A);
    if (rc == JD_OK)
        rc = keep_alerts(R, &A, &st);
    G->st->seconds_screen += st.seconds_screen;
    G->st->seconds_alerts += jd_secs() - t0;
    G->sres = A.sres; /* borrowed, and may have grown */
    jd_strmap_free(&seen);
    pass_free(&A);
    jd_snapshot__dispose(&S);
    return rc;
}

/* The whole county's narrow load (*S, kept for the write; with R->detail
 * the full one with the mentions' detail, for the caller) and, with
 * networks, the network pass on it: each event's screening and each
 * child's level from the passes; record: the memberships kept. */
static int part_networks(part_run *R, jd_snapshot *S, bool record, bool load)
{
    an *G = R->G;
    jd_snapshot_opts so = {G->opts->as_of, R->detail, NULL, 0, 0, NULL, 0, !R->detail};
    jd_analyse_stats st;
    memset(&st, 0, sizeof st);
    an A;
    int rc = pass_open(R, &A, &st, S, load ? &so : NULL);
    double t0 = jd_secs();
    if (rc == JD_OK && R->networks) {
        attach(&A, S);
        A.net_roles = R->roles;
        A.net_flags = R->flags;
        A.net_cap = R->P.cap;
        A.m09_record = record;
        for (size_t e = 0; e < A.nev; e++)
            A.ev[e].adult_text = (size_t)A.ev[e].id < R->P.cap &&
                                 (R->flags[A.ev[e].id] & JD_NET_ADULT_TEXT);
        for (size_t p = 0; p < A.np; p++)
            A.p[p].level_at[JD_LEVEL_MEDIUM] = level_of(R, &A.p[p]);
        rc = R->networks(&A);
        if (rc == JD_OK && record)
            rc = links_keep(R, &A);
        if (rc == JD_OK)
            rc = keep_alerts(R, &A, &st);
    }
    G->st->seconds_alerts += jd_secs() - t0;
    pass_free(&A);
    return rc;
}

/* ---- the network feedback round for the linked children only ---- */

static int cmp_who_id(const void *a, const void *b)
{
    const struct out_alert *x = a, *y = b;
    if (x->who != y->who)
        return x->who < y->who ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Whether two walks of the same children raised the same per-event alerts
 * (ids and children): then the first round's choice of the child that
 * keeps each (merge_one) stands. Sorts both lists. */
static bool same_per_event(struct out_alert *a, size_t na, struct out_alert *b, size_t nb)
{
    if (na > 1)
        qsort(a, na, sizeof *a, cmp_who_id);
    if (nb > 1)
        qsort(b, nb, sizeof *b, cmp_who_id);
    size_t i = 0, j = 0;
    for (;;) {
        while (i < na && !per_event(a[i].kind))
            i++;
        while (j < nb && !per_event(b[j].kind))
            j++;
        if (i == na || j == nb)
            return i == na && j == nb;
        if (cmp_who_id(&a[i++], &b[j++]) != 0)
            return false;
    }
}

/* The rank of a person of a subset load, as in the full load's order. */
static void subset_ranks(const part_run *R, jd_snapshot *T)
{
    for (size_t i = 0; i < T->np; i++) {
        aperson *p = &T->p[i];
        const uint32_t *v = jd_strmap_get(p->resolved ? &R->P.identities : &R->P.unresolved,
                                          p->pid, strlen(p->pid));
        p->rank = !v ? UINT64_MAX : p->resolved ? *v : (1ULL << 32) + *v;
    }
}

/* The counts of walk b in place of walk a's (the same children). */
static void stats_swap(jd_analyse_stats *to, const jd_analyse_stats *a,
                       const jd_analyse_stats *b)
{
    jd_analyse_stats neg = *a;
    for (int k = 0; k < JD_ALERT_KINDS; k++)
        neg.by_kind[k] = -a->by_kind[k];
    for (int l = 0; l < 5; l++)
        neg.by_level[l] = -a->by_level[l];
    neg.children = -a->children;
    neg.returns_due = -a->returns_due;
    neg.returns_interviewed_72h = -a->returns_interviewed_72h;
    neg.crimes_disclosed = -a->crimes_disclosed;
    neg.crimes_recorded = -a->crimes_recorded;
    stats_add(to, &neg);
    stats_add(to, b);
    to->seconds_walk_cpu += a->seconds_walk_cpu + b->seconds_walk_cpu;
}

/* The run's alerts with the second walk's of A's walked children (A's
 * alerts): theirs replaced, a per-event alert only where the child kept it
 * in the first round; the networks' dropped (they run again). */
static int swap_alerts(part_run *R, an *A)
{
    an *G = R->G;
    jd_strmap held, who;
    jd_strmap_init(&held);
    jd_strmap_init(&who);
    int rc = JD_OK;
    for (size_t p = 0; p < A->np && rc == JD_OK; p++)
        if (A->p[p].walk && !jd_strmap_put(&who, (const char *)&A->p[p].rank,
                                           sizeof A->p[p].rank, 0, NULL))
            rc = oom(G);
    for (size_t i = 0; i < G->nalerts && rc == JD_OK; i++) {
        const struct out_alert *a = &G->alerts[i];
        if (per_event(a->kind) && jd_strmap_get(&who, (const char *)&a->who, sizeof a->who) &&
            !jd_strmap_put(&held, a->id, strlen(a->id), 0, NULL))
            rc = oom(G);
    }
    size_t n = 0;
    for (size_t i = 0; i < G->nalerts && rc == JD_OK; i++) {
        struct out_alert *a = &G->alerts[i];
        if (jd_strmap_get(&who, (const char *)&a->who, sizeof a->who) ||
            a->kind == JD_ALERT_NETWORK) {
            G->st->by_kind[a->kind] -= a->kind == JD_ALERT_NETWORK;
            alert_free(a);
        } else
            G->alerts[n++] = *a;
    }
    G->nalerts = rc == JD_OK ? n : G->nalerts;
    for (size_t i = 0; i < A->nalerts && rc == JD_OK; i++) {
        struct out_alert *a = &A->alerts[i];
        if (per_event(a->kind) && !jd_strmap_get(&held, a->id, strlen(a->id)))
            continue;
        a->text = alert_text(a);
        json_decref(a->doc);
        a->doc = NULL;
        a->subject = jd_arena_strdup(&G->ar, a->subject);
        if (!a->text || !a->subject ||
            jd_grow((void **)&G->alerts, &G->alertcap, G->nalerts + 1, sizeof *G->alerts) < 0)
            rc = oom(G);
        else {
            G->alerts[G->nalerts++] = *a;
            *a = (struct out_alert){NULL, 0, 0, NULL, 0, NULL, 0, NULL};
        }
    }
    jd_strmap_free(&held);
    jd_strmap_free(&who);
    return rc == JD_OK ? seen_rebuild(R) : rc;
}

/* A's alerts handed over (*out, *n), and its walk forgotten (counts,
 * levels, per-event alert ids) for a walk again. */
static void walk_forget(an *A, struct out_alert **out, size_t *n)
{
    *out = A->alerts;
    *n = A->nalerts;
    A->alerts = NULL;
    A->nalerts = A->alertcap = 0;
    memset(A->st, 0, sizeof *A->st);
    for (size_t p = 0; p < A->np; p++)
        memset(A->p[p].level_at, 0, sizeof A->p[p].level_at);
    jd_strmap_free(&A->lang_seen);
    jd_strmap_init(&A->lang_seen);
}

/* Walk A's walked persons (one partition of one). */
static int walk_once(an *A, jd_store *s)
{
    jd_strmap seen;
    jd_strmap_init(&seen);
    int rc = walk_partition(A, s, 0, 1, &seen);
    jd_strmap_free(&seen);
    return rc;
}

/* The network feedback round on the children the first network pass made
 * members (R->links) alone: their events loaded by index (a subset, hops 0:
 * a child's walk reads only its events), screened, walked without and
 * with the feedback. When both walks raise the same per-event alerts, the
 * first round's choice of who keeps each stands: their alerts, counts and
 * levels replace the first round's (*done). Else, or on a store without
 * subset loads, the caller runs the round on every partition. */
static int rewalk_linked(part_run *R, bool *done)
{
    an *G = R->G;
    *done = false;
    if (!R->s->ops->incr)
        return JD_OK;
    const char **keys = malloc((R->nlinks + 1) * sizeof *keys);
    if (!keys)
        return oom(G);
    for (size_t i = 0; i < R->nlinks; i++)
        keys[i] = R->links[i].pid;
    jd_snapshot T;
    jd_snapshot_opts so = {G->opts->as_of, false, keys, R->nlinks, 0, NULL, 0, false};
    jd_analyse_stats st, st1;
    memset(&st, 0, sizeof st);
    struct out_alert *first = NULL;
    size_t nfirst = 0;
    an A;
    int rc = pass_open(R, &A, &st, &T, &so);
    if (rc == JD_OK) {
        T.subset = false; /* walked as a partition: no stored alert seeds it (seed_fringe) */
        subset_ranks(R, &T);
        attach(&A, &T);
        rc = screen_all(&A, R->X);
    }
    double t0 = jd_secs();
    if (rc == JD_OK && (rc = walk_once(&A, R->s)) == JD_OK) {
        st1 = st;
        walk_forget(&A, &first, &nfirst);
        rc = links_give(R, &A);
    }
    if (rc == JD_OK && (rc = walk_once(&A, R->s)) == JD_OK &&
        same_per_event(first, nfirst, A.alerts, A.nalerts)) {
        *done = true;
        stats_swap(G->st, &st1, &st);
        keep_levels(R, &A);
        rc = swap_alerts(R, &A);
    }
    G->st->seconds_alerts += jd_secs() - t0;
    G->sres = A.sres;
    for (size_t i = 0; i < nfirst; i++)
        alert_free(&first[i]);
    free(first);
    pass_free(&A);
    jd_snapshot__dispose(&T);
    free(keys);
    return rc;
}

/* The watermark, the marks of the partitions and what the passes keep. */
static int part_setup(part_run *R)
{
    an *G = R->G;
    jd_store *s = R->s;
    int rc = JD_OK;
    m09_setup(G);
    if (G->opts->as_of == JD_AS_OF_NOW && s->ops->incr &&
        (rc = s->ops->incr->mark_now(s, R->mark, G->err)) < 0)
        return rc;
    double t0 = jd_secs();
    rc = jd_snapshot__parts(&R->P, s, G->opts->as_of, R->nparts, G->err);
    R->load += jd_secs() - t0;
    if (rc < 0)
        return rc;
    R->lv_id = calloc(R->P.identities.n + 1, sizeof *R->lv_id);
    R->lv_un = calloc(R->P.unresolved.n + 1, sizeof *R->lv_un);
    R->roles = calloc(R->P.cap + 1, sizeof *R->roles);
    R->flags = calloc(R->P.cap + 1, sizeof *R->flags);
    return R->lv_id && R->lv_un && R->roles && R->flags ? JD_OK : oom(G);
}

/* Both rounds: the passes, the networks, and with the network feedback
 * (M09) both once more (as walk_all on one snapshot). */
static int part_rounds(part_run *R, jd_snapshot *S)
{
    an *G = R->G;
    int rc = JD_OK;
    for (int k = 0; rc == JD_OK && k < R->nparts; k++)
        rc = part_pass(R, k, false);
    if (rc == JD_OK)
        rc = part_networks(R, S, G->m09_ind >= 0, true);
    if (rc < 0 || !R->nlinks)
        return rc;
    bool done = false;
    if ((rc = rewalk_linked(R, &done)) < 0 || done)
        return rc < 0 ? rc : part_networks(R, S, false, false);
    second_pass_reset(G);
    jd_strmap_free(&R->seen);
    jd_strmap_init(&R->seen);
    jd_snapshot__dispose(S);
    for (int k = 0; rc == JD_OK && k < R->nparts; k++)
        rc = part_pass(R, k, true);
    return rc == JD_OK ? part_networks(R, S, false, true) : rc;
}

int jd_an__run_parts(jd_store *s, const jd_analyse_opts *opts, int nparts, jd_an_pass networks,
                     void *pass_ctx, FILE *out, jd_analyse_stats *stats, jd_snapshot *keep,
                     jd_error *err)
{
    if (keep)
        memset(keep, 0, sizeof *keep);
    jd_analyse_opts def;
    jd_analyse_stats dummy;
    jd_an__defaults(&opts, &def, &stats, &dummy);
    if (!s || nparts < 1 || nparts > 64)
        return jd_error_set(err, JD_EINVALID, "a run on partitions needs a store and 1 to 64");
    an G;
    jd_risk_policy pol;
    screen_ctx X;
    jd_snapshot S;
    memset(&S, 0, sizeof S);
    part_run R;
    memset(&R, 0, sizeof R);
    R = (part_run){.G = &G, .X = &X, .s = s, .networks = networks, .nparts = nparts,
                   .detail = keep != NULL};
    jd_strmap_init(&R.seen);
    int rc = an_open(&G, &pol, &X, opts, pass_ctx, stats, err);
    if (rc == JD_OK)
        rc = part_setup(&R);
    if (rc == JD_OK)
        rc = part_rounds(&R, &S);
    if (rc == JD_OK) {
        /* the write, on the whole county's load: ids and names for the network
         * feedback saved (m09_save), the watermark of before the first load */
        attach(&G, &S);
        memcpy(S.mark, R.mark, sizeof S.mark);
        free(G.m09);
        G.m09 = NULL;
        G.nm09 = G.m09cap = 0;
        rc = links_give(&R, &G);
    }
    stats->events = (int64_t)S.nev;
    stats->mentions = (int64_t)S.nm;
    stats->persons = (int64_t)S.np;
    stats->walk_partitions = nparts;
    if (rc == JD_OK)
        rc = finish(&G, s, out);
    stats->seconds_load = R.load;
    an_free(&G, &pol, &X);
    if (keep && rc == JD_OK)
        *keep = S; /* the caller's now */
    else
        jd_snapshot__dispose(&S);
    jd_snapshot__parts_free(&R.P);
    jd_strmap_free(&R.seen);
    free(R.lv_id);
    free(R.lv_un);
    free(R.roles);
    free(R.flags);
    free(R.links);
    return rc;
}

/* ---- screening one text ---- */

struct jd_screener {
    an A;
    screen_ctx X;
};

int jd_screener_open(jd_screener **out, const char *rules_path, jd_error *err)
{
    return jd_screener_open_model(out, rules_path, NULL, err);
}

int jd_screener_open_model(jd_screener **out, const char *rules_path, const char *screen_model,
                           jd_error *err)
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
    if ((rc = jd_screen_open_model(&S->A.scr, NULL, screen_model, err)) < 0) {
        jd_rules__free(S->A.rules);
        jd_arena_free(&S->A.ar);
        free(S);
        return rc;
    }
    jd_ts__scan_init(&S->X.sc);
    /* the analysis's screening memo (screen_memo.h): a reader screens the
     * same child's events at each request (the server's child pages).
     * Without it (out of memory) each note is screened again. */
    S->A.smemo = jd_smemo__new();
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
    free(S->X.unless_hit);
    free(S->A.f);
    jd_screen_result_free(&S->A.sres);
    jd_smemo__free(S->A.smemo);
    free(S->A.scache);
    jd_screen_close(S->A.scr);
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
    e.child_age = (int16_t)(in->age >= 0 && in->age < 18 ? in->age : -1);
    e.linked_age = -1;
    e.about_person = 1;
    e.vehicle = in->vehicle;
    e.adult_party = in->adult_party;
    A->nscache = 0;
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
        else if (f->pattern == -3)
            snprintf(why, sizeof why, "the recording agency");
        else
            snprintf(why, sizeof why, "%s%s", e.vehicle ? "a vehicle, " : "",
                     e.adult_party ? "an adult suspect or associate" : "the people recorded");
        jd_finding out = {NULL, NULL, why, NULL, (int)f->off, (int)f->len};
        if (f->pattern < 0)
            out.offset = out.length = -1;
        switch (f->kind) {
        case F_IND: out.rule = R->ind[f->idx].id; out.name = R->ind[f->idx].name; break;
        case F_TRIG: out.rule = R->trig[f->idx].id; out.name = R->trig[f->idx].name; break;
        case F_CRIME: continue; /* offences: the text screen's, below */
        default:
            out.rule = R->lang[f->idx].id;
            out.name = R->lang[f->idx].avoid;
            out.advice = R->lang[f->idx].instead;
            break;
        }
        rc = cb(&out, payload);
    }
    /* offences against the child (C1-C20), read by the text screen at the
     * child's age (none when the age is unknown) */
    for (uint32_t k = 0; rc == JD_OK && age >= 0 && e.scr_age == age + 2 && k < e.scr_n; k++) {
        const jd_screen_match *m = &A->scache[e.scr0 + k];
        char why[200];
        snprintf(why, sizeof why, "%.*s; ages: %s", m->end - m->start > 120 ? 120 : m->end - m->start,
                 text + m->start, m->basis);
        jd_finding out = {m->code, m->name, why, NULL, m->start, m->end - m->start};
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
