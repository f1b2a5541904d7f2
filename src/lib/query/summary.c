/*
 * The plain-English summary of why a child is at her level (issue 18), for
 * the top of her page and the cover of her PDF chronology.
 *
 * It is built from what the analysis stored: her alerts and their
 * explanations (analyse.c writes each explanation line in a fixed form:
 * "level L reached T: score S from N distinct indicators across M agencies
 * (...)[; WHY]", "CODE Name (tier, ...): AGENCY TYPE RECORD on DATE ...",
 * "T4 exploitation_network: A adults linked to C children ...") and from
 * her chronology (missing reports, agencies, the events behind each level
 * change, the other people named). Each sentence names no rule code and no
 * id; the codes behind it are kept beside it. A line that does not parse is
 * left out, never guessed at.
 */
#include "query/query_internal.h"
#include "util/internal.h"

#include <joindots/child.h>
#include <joindots/query.h>

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THIRD 200
#define MAX_CRIMES 3
#define MAX_SIGNS 4

/* A record named in an explanation: "AGENCY TYPE RECORD on YYYY-MM-DD". */
typedef struct xref {
    char agency[32], type[48], record[48];
    int64_t at; /* 0 when not found */
} xref;

typedef struct step_ev {
    int64_t t; /* the step's time */
    char level[12];
    bool found;
    int64_t best_known; /* reported_at of the best event so far */
    char agency[32], type[48], record[48];
    int64_t occurred;
    char *narrative; /* owned */
    bool vehicle, adult;
} step_ev;

typedef struct sctx {
    const char *pid;
    const char *dob;
    char first[64]; /* first name, for the sentences */
    /* from the alerts */
    json_t *car;       /* child_at_risk (owned when car_owned, else borrowed) */
    bool car_owned;
    size_t overdue;    /* overdue return interviews */
    size_t unrecorded; /* unrecorded crimes */
    char crimes[MAX_CRIMES][96];
    char crime_codes[64];
    size_t n_crimes;
    size_t language; /* records with wording to avoid */
    int net_adults, net_children;
    int64_t net_since;
    bool in_network;
    /* from the chronology */
    size_t n_events;
    int64_t first_at, last_at;
    size_t missing;
    int64_t miss_first, miss_last;
    char agencies[24][32];
    size_t n_agencies;
    char **third;
    size_t n_third, cap_third;
    step_ev steps[JD_SUMMARY_CHANGES];
    size_t n_steps;
    jd_error *err;
    int rc;
} sctx;

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool about(json_t *a, const char *pid)
{
    const char *s = jstr(json_object_get(a, "subject"), "person_id");
    if (s && !strcmp(s, pid))
        return true;
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(a, "members"), i, m)
    {
        const char *mp = jstr(m, "person_id");
        if (mp && !strcmp(mp, pid))
            return true;
    }
    return false;
}

static void copy(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* "AGENCY TYPE RECORD on YYYY-MM-DD" at the start of s. */
static bool parse_ref(const char *s, xref *r)
{
    memset(r, 0, sizeof *r);
    const char *p = s;
    char *f[3] = {r->agency, r->type, r->record};
    size_t caps[3] = {sizeof r->agency, sizeof r->type, sizeof r->record};
    for (int i = 0; i < 3; i++) {
        size_t n = strcspn(p, " ");
        if (!n || !p[n])
            return false;
        copy(f[i], caps[i], p, n);
        p += n + 1;
    }
    if (strncmp(p, "on ", 3))
        return false;
    char date[11];
    copy(date, sizeof date, p + 3, 10);
    return jd_time_parse(&r->at, date, 0) == JD_OK;
}

/* An indicator's name in words: the part before ';' or ':', first letter
 * lower case unless it is an acronym. */
static void short_name(char *out, size_t cap, const char *name)
{
    size_t n = strcspn(name, ";:(");
    while (n && name[n - 1] == ' ')
        n--;
    copy(out, cap, name, n);
    if (out[0] && !(out[1] && isupper((unsigned char)out[1])))
        out[0] = (char)tolower((unsigned char)out[0]);
}

static void lower_first(char *s)
{
    if (s[0] && !(s[1] && isupper((unsigned char)s[1])))
        s[0] = (char)tolower((unsigned char)s[0]);
}

/* "DD/MM/YYYY (aged N)" or "DD/MM/YYYY". */
static void date_age(char *out, size_t cap, int64_t t, const char *dob)
{
    char d[11];
    jd_uk_date(d, t);
    int age = jd_age_at(dob, t);
    if (age >= 0)
        snprintf(out, cap, "%s (aged %d)", d, age);
    else
        snprintf(out, cap, "%s", d);
}

/* A record in words: "a Police missing report of 02/05/2006". */
static void ref_words(char *out, size_t cap, const xref *r)
{
    char type[64], d[11];
    jd_event_type_label(type, sizeof type, r->type);
    lower_first(type);
    jd_uk_date(d, r->at);
    char ag[64];
    snprintf(ag, sizeof ag, "%s", jd_agency_label(r->agency));
    lower_first(ag);
    snprintf(out, cap, "%s %s of %s", ag, type, d);
}

/* One alert that may be about her: parsed from the store (own: the context
 * takes it) or borrowed from the caller's loaded alerts (read only). */
static void on_alert_obj(sctx *x, json_t *a, bool own)
{
    const char *kind = about(a, x->pid) ? jstr(a, "kind") : NULL;
    json_t *ex = json_object_get(a, "explanation");
    if (kind && !strcmp(kind, "child_at_risk")) {
        if (x->car_owned)
            json_decref(x->car);
        x->car = a;
        x->car_owned = own;
        return;
    }
    if (!kind) {
        if (own)
            json_decref(a);
        return;
    }
    if (!strcmp(kind, "overdue_return_interview")) {
        x->overdue++;
    } else if (!strcmp(kind, "language")) {
        x->language++;
    } else if (!strcmp(kind, "unrecorded_crime")) {
        x->unrecorded++;
        const char *e0 = json_string_value(json_array_get(ex, 0));
        const char *code = jstr(a, "rule");
        if (e0 && code && !strncmp(e0, code, strlen(code)) && e0[strlen(code)] == ' ') {
            char nm[96];
            short_name(nm, sizeof nm, e0 + strlen(code) + 1);
            bool dup = false;
            for (size_t i = 0; i < x->n_crimes; i++)
                dup = dup || !strcmp(x->crimes[i], nm);
            if (!dup && x->n_crimes < MAX_CRIMES && *nm)
                snprintf(x->crimes[x->n_crimes++], sizeof x->crimes[0], "%s", nm);
            if (!strstr(x->crime_codes, code) &&
                strlen(x->crime_codes) + strlen(code) + 2 < sizeof x->crime_codes) {
                if (*x->crime_codes)
                    strcat(x->crime_codes, " ");
                strcat(x->crime_codes, code);
            }
        }
    } else if (!strcmp(kind, "exploitation_network")) {
        const char *e0 = json_string_value(json_array_get(ex, 0));
        const char *p = e0 ? strstr(e0, ": ") : NULL;
        int ad = 0, ch = 0;
        if (p && sscanf(p + 2, "%d adults linked to %d children", &ad, &ch) == 2) {
            const char *met = strstr(e0, "first met ");
            int64_t since = 0;
            if (met) {
                char iso[32];
                copy(iso, sizeof iso, met + 10, strcspn(met + 10, " ;)"));
                (void)jd_time_parse(&since, iso, 0);
            }
            if (!x->in_network || (since && since < x->net_since)) {
                x->net_adults = ad;
                x->net_children = ch;
                x->net_since = since;
            }
            x->in_network = true;
        }
    }
    if (own)
        json_decref(a);
}

static int on_alert(const char *doc, void *payload)
{
    sctx *x = payload;
    if (!strstr(doc, x->pid)) /* cheap: most alerts are about someone else */
        return 0;
    json_t *a = json_loads(doc, 0, NULL);
    if (a)
        on_alert_obj(x, a, true);
    return 0;
}

static int add_third(sctx *x, const char *name)
{
    if (!name || !*name || x->n_third >= MAX_THIRD)
        return 0;
    for (size_t i = 0; i < x->n_third; i++)
        if (!strcasecmp(x->third[i], name))
            return 0;
    if (jd_grow((void **)&x->third, &x->cap_third, x->n_third + 1, sizeof *x->third) < 0)
        return jd_oom(x->err);
    if (!(x->third[x->n_third] = strdup(name)))
        return jd_oom(x->err);
    x->n_third++;
    return 0;
}

static int on_event(const jd_chrono_event *ev, void *payload)
{
    sctx *x = payload;
    x->n_events++;
    if (!x->first_at || ev->occurred_at < x->first_at)
        x->first_at = ev->occurred_at;
    if (ev->occurred_at > x->last_at)
        x->last_at = ev->occurred_at;
    /* reports of one episode by several agencies: within a day of the
     * previous report it is the same episode (as the analysis counts) */
    if (!strcmp(ev->event_type, "missing_report")) {
        if (!x->missing || ev->occurred_at - x->miss_last >= 86400) {
            if (!x->missing++)
                x->miss_first = ev->occurred_at;
        }
        x->miss_last = ev->occurred_at;
    }
    bool seen = false;
    for (size_t i = 0; i < x->n_agencies && !seen; i++)
        seen = !strcmp(x->agencies[i], ev->agency);
    if (!seen && x->n_agencies < JD_ARRAY_LEN(x->agencies))
        snprintf(x->agencies[x->n_agencies++], sizeof x->agencies[0], "%s", ev->agency);
    for (size_t i = 0; i < ev->n_parties; i++) {
        int rc = add_third(x, ev->parties[i].name);
        if (rc)
            return rc;
    }
    /* the event behind each level change: known at the step's time, or
     * the last one known before it */
    int64_t known = ev->reported_at > ev->occurred_at ? ev->reported_at : ev->occurred_at;
    for (size_t k = 0; k < x->n_steps; k++) {
        step_ev *s = &x->steps[k];
        if (known > s->t || (s->found && known < s->best_known))
            continue;
        char *nar = strdup(ev->narrative ? ev->narrative : "");
        if (!nar)
            return jd_oom(x->err);
        free(s->narrative);
        s->narrative = nar;
        s->found = true;
        s->best_known = known;
        snprintf(s->agency, sizeof s->agency, "%s", ev->agency);
        snprintf(s->type, sizeof s->type, "%s", ev->event_type);
        snprintf(s->record, sizeof s->record, "%s", ev->record_id);
        s->occurred = ev->occurred_at;
        s->vehicle = s->adult = false;
        for (size_t i = 0; i < ev->n_parties; i++)
            if (!strcmp(ev->parties[i].role, "suspect") ||
                !strcmp(ev->parties[i].role, "associate"))
                s->adult = true;
        for (size_t i = 0; i < ev->n_objects; i++)
            if (!strcmp(ev->objects[i].object_type, "vehicle"))
                s->vehicle = true;
    }
    return 0;
}

/* Findings of a step's event, named in words: significant first. */
typedef struct fnames {
    jd_buf words, codes;
    int n;
    int pass; /* 0: S, T and C; 1: the rest */
    int rc;
} fnames;

static int on_step_finding(const jd_finding *f, void *payload)
{
    fnames *fn = payload;
    char c = f->rule[0];
    bool sig = c == 'S' || c == 'T' || c == 'C';
    if (c == 'L' || sig != (fn->pass == 0) || fn->n >= 3)
        return 0;
    char nm[96];
    short_name(nm, sizeof nm, f->name);
    if (strstr(jd_buf_cstr(&fn->words), nm))
        return 0;
    if (jd_buf_printf(&fn->words, "%s%s", fn->n ? ", " : "", nm) < 0 ||
        jd_buf_printf(&fn->codes, "%s%s", fn->n ? " " : "", f->rule) < 0)
        return fn->rc = JD_ENOMEM;
    fn->n++;
    return 0;
}

static char *dupf(jd_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static char *dupf(jd_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (!s)
        (void)jd_oom(err);
    return s;
}

/* The trigger of the highest level in words, from the first explanation
 * line's "; WHY" part. */
static bool trigger_words(char *out, size_t cap, char *codes, size_t ccap, const char *why,
                          const char *first)
{
    xref r;
    char rw[200];
    if (!strncmp(why, "T1 offence by age (", 19)) {
        const char *in = strstr(why, " disclosed in ");
        if (!in || !parse_ref(in + 14, &r))
            return false;
        ref_words(rw, sizeof rw, &r);
        snprintf(out, cap, "a %s recorded sexual activity that is a crime at %s's age", rw, first);
        snprintf(codes, ccap, "T1 (%.*s); %s %s", (int)strcspn(why + 19, ")"), why + 19, r.agency,
                 r.record);
        return true;
    }
    if (!strncmp(why, "T2 ", 3)) {
        const char *colon = strstr(why, "): ");
        const char *paren = strstr(why, " (");
        if (!colon || !paren || !parse_ref(colon + 3, &r))
            return false;
        char what[160];
        const char *w = why + 3;
        if (!strncmp(w, "Child ", 6))
            w += 6;
        copy(what, sizeof what, w, (size_t)(paren - w));
        ref_words(rw, sizeof rw, &r);
        snprintf(out, cap, "a %s said %s was %s", rw, first, what);
        snprintf(codes, ccap, "T2; %s %s", r.agency, r.record);
        return true;
    }
    if (!strncmp(why, "T3 ", 3)) {
        snprintf(out, cap, "%s was under 13 with a significant sign of exploitation", first);
        snprintf(codes, ccap, "T3");
        return true;
    }
    if (!strncmp(why, "under 13", 8)) {
        snprintf(out, cap, "%s was under 13 with signs of exploitation", first);
        snprintf(codes, ccap, "V07");
        return true;
    }
    if (!strncmp(why, "learning disability", 19)) {
        snprintf(out, cap, "%s has a learning disability and signs of exploitation", first);
        snprintf(codes, ccap, "V06");
        return true;
    }
    return false;
}

static void dispose_ctx(sctx *x)
{
    if (x->car_owned)
        json_decref(x->car);
    for (size_t k = 0; k < JD_SUMMARY_CHANGES; k++)
        free(x->steps[k].narrative);
    for (size_t i = 0; i < x->n_third; i++)
        free(x->third[i]);
    free(x->third);
}

void jd_child_summary_dispose(jd_child_summary *sum)
{
    if (!sum)
        return;
    for (size_t i = 0; i < sum->n; i++) {
        free(sum->text[i]);
        free(sum->codes[i]);
    }
    for (size_t i = 0; i < sum->n_changes; i++) {
        free(sum->changes[i].reason);
        free(sum->changes[i].codes);
    }
    for (size_t i = 0; i < sum->n_third_parties; i++)
        free(sum->third_parties[i]);
    free(sum->third_parties);
    memset(sum, 0, sizeof *sum);
}

static int add_sentence(jd_child_summary *o, char *text, char *codes, jd_error *err)
{
    if (!text || !codes) {
        free(text);
        free(codes);
        return jd_oom(err);
    }
    if (o->n >= JD_SUMMARY_MAX) {
        free(text);
        free(codes);
        return 0;
    }
    o->text[o->n] = text;
    o->codes[o->n] = codes;
    o->n++;
    return 0;
}

/* The significant signs of the child_at_risk explanation, in words. */
static int signs_sentence(jd_child_summary *o, sctx *x, const char *first, json_t *ex,
                          const char *line0, jd_error *err)
{
    int distinct = 0;
    size_t nag = 0;
    const char *sc = strstr(line0, " from ");
    if (!sc || sscanf(sc, " from %d distinct indicators across %zu", &distinct, &nag) != 2)
        return 0;
    jd_buf w = JD_BUF_INIT(4096), c = JD_BUF_INIT(1024);
    int n = 0, rc = 0;
    json_t *l;
    size_t i;
    json_array_foreach(ex, i, l)
    {
        const char *s = json_string_value(l);
        if (i == 0 || !s || n >= MAX_SIGNS)
            continue;
        const char *tier = strstr(s, " (significant");
        const char *colon = tier ? strstr(tier, "): ") : NULL;
        size_t cl = strcspn(s, " ");
        if (!tier || !colon || cl > 8)
            continue;
        char nm[160], when[40] = "";
        short_name(nm, sizeof nm, s + cl + 1);
        xref r;
        if (parse_ref(colon + 3, &r)) {
            char d[11];
            jd_uk_date(d, r.at);
            int age = jd_age_at(x->dob, r.at);
            if (age >= 0)
                snprintf(when, sizeof when, " (last on %s, aged %d)", d, age);
            else
                snprintf(when, sizeof when, " (last on %s)", d);
        }
        if (jd_buf_printf(&w, "%s%s%s", n ? "; " : "", nm, when) < 0 ||
            jd_buf_printf(&c, "%s%.*s", n ? " " : "", (int)cl, s) < 0) {
            rc = jd_oom(err);
            goto out;
        }
        n++;
    }
    char *text;
    if (n)
        text = dupf(err,
                    "%zu %s recorded %d different signs of exploitation about %s; the most "
                    "serious: %s.",
                    nag, nag == 1 ? "agency" : "agencies", distinct, first, jd_buf_cstr(&w));
    else
        text = dupf(err, "%zu %s recorded %d different signs of exploitation about %s.", nag,
                    nag == 1 ? "agency" : "agencies", distinct, first);
    rc = add_sentence(o, text, dupf(err, "%s (child at risk)", n ? jd_buf_cstr(&c) : "score"), err);
out:
    jd_buf_dispose(&w);
    jd_buf_dispose(&c);
    return rc;
}

static int level_sentence(jd_child_summary *o, sctx *x, const char *name, json_t *hist,
                          const char *why)
{
    char trig[400] = "", tcodes[160] = "";
    bool has_trig = why && trigger_words(trig, sizeof trig, tcodes, sizeof tcodes, why, x->first);
    /* first time at high or above, and the top */
    int64_t high_at = 0;
    json_t *h;
    size_t i;
    json_array_foreach(hist, i, h)
    {
        const char *lv = jstr(h, "level");
        int64_t t;
        if (lv && (!strcmp(lv, "high") || !strcmp(lv, "critical")) && !high_at &&
            jd_time_parse(&t, jstr(h, "raised_at") ? jstr(h, "raised_at") : "", 0) == JD_OK)
            high_at = t;
    }
    char top[48], hi[48];
    date_age(top, sizeof top, o->level_at, x->dob);
    char *text;
    if (high_at && high_at < o->level_at && !strcmp(o->level, "critical")) {
        date_age(hi, sizeof hi, high_at, x->dob);
        text = dupf(x->err, "%s has been at high risk since %s and reached critical on %s%s%s.",
                    name, hi, top, has_trig ? ", when " : "", trig);
    } else {
        text = dupf(x->err, "%s reached %s risk on %s%s%s.", name, o->level, top,
                    has_trig ? ", when " : "", trig);
    }
    return add_sentence(
        o, text, dupf(x->err, "child at risk: %s%s%s", o->level, *tcodes ? "; " : "", tcodes),
        x->err);
}

static int changes_of(jd_child_summary *o, sctx *x, jd_screener *scr, const char *why)
{
    for (size_t k = 0; k < x->n_steps; k++) {
        step_ev *s = &x->steps[k];
        /* steps at one time are one change, to the highest of them */
        if (k + 1 < x->n_steps && x->steps[k + 1].t == s->t)
            continue;
        jd_level_change *c = &o->changes[o->n_changes];
        snprintf(c->level, sizeof c->level, "%s", s->level);
        c->at = s->t;
        c->age = jd_age_at(x->dob, s->t);
        char trig[400] = "", tcodes[160] = "";
        bool last = k + 1 == x->n_steps;
        if (last && why && trigger_words(trig, sizeof trig, tcodes, sizeof tcodes, why, x->first)) {
            trig[0] = (char)toupper((unsigned char)trig[0]);
            c->reason = dupf(x->err, "%s.", trig);
            c->codes = dupf(x->err, "%s", tcodes);
        } else if (s->found) {
            fnames fn = {.words = JD_BUF_INIT(2048), .codes = JD_BUF_INIT(512)};
            jd_screen_input in = {.event_type = s->type,
                                  .text = s->narrative,
                                  .age = jd_age_at(x->dob, s->occurred),
                                  .vehicle = s->vehicle,
                                  .adult_party = s->adult};
            jd_error e2;
            for (fn.pass = 0; fn.pass < 2 && scr; fn.pass++)
                (void)jd_screener_run(scr, &in, on_step_finding, &fn, &e2);
            xref r = {.at = s->occurred};
            snprintf(r.agency, sizeof r.agency, "%s", s->agency);
            snprintf(r.type, sizeof r.type, "%s", s->type);
            char rw[200];
            ref_words(rw, sizeof rw, &r);
            int age = jd_age_at(x->dob, s->occurred);
            char under[96] = "";
            if (age >= 0 && age < 13 && strcmp(s->level, "low"))
                snprintf(under, sizeof under, "; %s was %d", x->first, age);
            rw[0] = (char)toupper((unsigned char)rw[0]);
            c->reason =
                dupf(x->err, "%s%s%s%s.", rw, fn.n ? ": " : "", jd_buf_cstr(&fn.words), under);
            c->codes = dupf(x->err, "%s%s%s %s", jd_buf_cstr(&fn.codes), fn.n ? "; " : "",
                            s->agency, s->record);
            jd_buf_dispose(&fn.words);
            jd_buf_dispose(&fn.codes);
            if (fn.rc) {
                free(c->reason);
                free(c->codes);
                return jd_oom(x->err);
            }
        } else {
            c->reason = dupf(x->err, "The signs recorded by then.");
            c->codes = dupf(x->err, "child at risk");
        }
        if (!c->reason || !c->codes) {
            free(c->reason);
            free(c->codes);
            return jd_oom(x->err);
        }
        o->n_changes++;
    }
    return 0;
}

/* The sentence on the child's missing episodes and overdue return
 * interviews (M-R3, M-R4). */
static int missing_sentence(jd_child_summary *o, const sctx *x, const char *first, jd_error *err)
{
    char a[48], b[48], ri[320] = "";
    date_age(a, sizeof a, x->miss_first, x->dob);
    date_age(b, sizeof b, x->miss_last, x->dob);
    if (x->overdue)
        snprintf(ri, sizeof ri,
                 "; %zu %s no independent return interview was held within 72 "
                 "hours of %s coming back",
                 x->overdue, x->overdue == 1 ? "time" : "times", first);
    char *t = x->missing == 1 ? dupf(err, "%s went missing once, on %s%s.", first, a, ri)
                             : dupf(err, "%s went missing %zu times between %s and %s%s.",
                                    first, x->missing, a, b, ri);
    return add_sentence(o, t, dupf(err, "missing reports; M-R3%s", x->overdue ? " M-R4" : ""),
                        err);
}

/* The sentence on disclosures not recorded as crimes (R-C1). */
static int unrecorded_sentence(jd_child_summary *o, const sctx *x, const char *first,
                               jd_error *err)
{
    jd_buf w = JD_BUF_INIT(1024);
    for (size_t k = 0; k < x->n_crimes; k++)
        if (jd_buf_printf(&w, "%s%s", k ? (k + 1 == x->n_crimes ? " and " : ", ") : "",
                          x->crimes[k]) < 0) {
            jd_buf_dispose(&w);
            return jd_oom(err);
        }
    char *t = x->unrecorded == 1
                  ? dupf(err,
                         "One disclosure of a possible crime against %s (%s) was not "
                         "recorded as a crime.",
                         first, jd_buf_cstr(&w))
                  : dupf(err,
                         "%zu disclosures of possible crimes against %s, such as %s, "
                         "were not recorded as crimes.",
                         x->unrecorded, first, jd_buf_cstr(&w));
    jd_buf_dispose(&w);
    return add_sentence(o, t, dupf(err, "%s (R-C1)", x->crime_codes), err);
}

/* The sentence on the exploitation network the child is linked to (T4). */
static int network_sentence(jd_child_summary *o, const sctx *x, const char *first, jd_error *err)
{
    char since[64] = "";
    if (x->net_since) {
        char d[48];
        date_age(d, sizeof d, x->net_since, x->dob);
        snprintf(since, sizeof since, "Since %s", d);
    }
    char *t = dupf(err,
                   "%s%s%s is linked to a group of %d %s and %d %s through shared events, "
                   "vehicles, phones or addresses.",
                   since, *since ? ", " : "", first, x->net_adults,
                   x->net_adults == 1 ? "adult" : "adults", x->net_children,
                   x->net_children == 1 ? "child" : "children");
    return add_sentence(o, t, dupf(err, "T4 (exploitation network)"), err);
}

/* The alerts that may be about her, not every alert of the county: the
 * caller's, or read from the store and parsed. */
static int alerts_in(sctx *x, jd_store *s, void *const *alerts, size_t n, jd_error *err)
{
    for (size_t k = 0; alerts && k < n; k++)
        if (alerts[k])
            on_alert_obj(x, alerts[k], false);
    return alerts ? JD_OK : jd_query__alerts_about(s, x->pid, on_alert, x, err);
}

int jd_child_summary_build(jd_child_summary *out, jd_store *s, jd_screener *scr,
                           const char *person_id, const char *name, const char *dob, jd_error *err)
{
    return jd_child_summary_build_with(out, s, scr, person_id, name, dob, NULL, 0, err);
}

int jd_child_summary_build_with(jd_child_summary *out, jd_store *s, jd_screener *scr,
                                const char *person_id, const char *name, const char *dob,
                                void *const *alerts, size_t n_alerts, jd_error *err)
{
    if (!out || !s || !person_id || !*person_id || (!alerts && n_alerts))
        return jd_error_set(err, JD_EINVALID, "bad argument");
    jd_child_summary o = {0};
    sctx x = {.pid = person_id, .dob = dob ? dob : "", .err = err};
    const char *nm = name && *name ? name : "This person";
    copy(x.first, sizeof x.first, nm, strcspn(nm, " "));
    const char *first = x.first;
    int rc = alerts_in(&x, s, alerts, n_alerts, err);
    if (rc < 0)
        goto out;
    json_t *ex = x.car ? json_object_get(x.car, "explanation") : NULL;
    json_t *hist = x.car ? json_object_get(x.car, "history") : NULL;
    const char *line0 = json_string_value(json_array_get(ex, 0));
    const char *why = line0 ? strstr(line0, "); ") : NULL;
    if (why)
        why += 3;
    snprintf(o.level, sizeof o.level, "%s",
             x.car && jstr(x.car, "level") ? jstr(x.car, "level") : "none");
    snprintf(o.current, sizeof o.current, "%s",
             x.car && jstr(x.car, "current_level") ? jstr(x.car, "current_level") : "");
    if (x.car && jstr(x.car, "raised_at"))
        (void)jd_time_parse(&o.level_at, jstr(x.car, "raised_at"), 0);
    json_t *h;
    size_t i;
    json_array_foreach(hist, i, h)
    {
        int64_t t;
        const char *lv = jstr(h, "level"), *at = jstr(h, "raised_at");
        if (!lv || !at || jd_time_parse(&t, at, 0) < 0 || x.n_steps >= JD_SUMMARY_CHANGES)
            continue;
        step_ev *st = &x.steps[x.n_steps++];
        st->t = t;
        snprintf(st->level, sizeof st->level, "%s", lv);
    }
    rc = jd_chronology(s, person_id, JD_AS_OF_NOW, on_event, &x, err);
    if (rc == JD_ENOTFOUND)
        rc = JD_OK;
    if (rc < 0)
        goto out;
    o.n_events = x.n_events;
    o.first_at = x.first_at;
    o.last_at = x.last_at;

    if (!x.car || !line0) {
        char d1[11], d2[11];
        jd_uk_date(d1, x.first_at);
        jd_uk_date(d2, x.last_at);
        rc = add_sentence(&o,
                          x.n_events ? dupf(err,
                                            "No risk level has been raised for %s: %zu records "
                                            "from %zu %s between %s and %s.",
                                            nm, x.n_events, x.n_agencies,
                                            x.n_agencies == 1 ? "agency" : "agencies", d1, d2)
                                     : dupf(err,
                                            "No risk level has been raised for %s, and no "
                                            "agency has recorded an event.",
                                            nm),
                          dupf(err, "no child at risk alert"), err);
        if (rc < 0)
            goto out;
    } else {
        if ((rc = level_sentence(&o, &x, nm, hist, why)) < 0 ||
            (rc = signs_sentence(&o, &x, first, ex, line0, err)) < 0)
            goto out;
    }
    if (x.missing && (rc = missing_sentence(&o, &x, first, err)) < 0)
        goto out;
    if (x.unrecorded && (rc = unrecorded_sentence(&o, &x, first, err)) < 0)
        goto out;
    if (x.in_network && (rc = network_sentence(&o, &x, first, err)) < 0)
        goto out;
    if (o.n < JD_SUMMARY_MAX && x.language) {
        char *t =
            dupf(err, "%zu %s about %s use wording that blames the child for what adults did.",
                 x.language, x.language == 1 ? "record" : "records", first);
        if ((rc = add_sentence(&o, t, dupf(err, "language (L rules)"), err)) < 0)
            goto out;
    }
    if (x.car && (rc = changes_of(&o, &x, scr, why)) < 0)
        goto out;
    o.third_parties = x.third;
    o.n_third_parties = x.n_third;
    x.third = NULL; /* now owned by the summary */
    x.n_third = 0;
    *out = o;
    memset(&o, 0, sizeof o);
    rc = JD_OK;
out:
    jd_child_summary_dispose(&o);
    dispose_ctx(&x);
    return rc;
}
