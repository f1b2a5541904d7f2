/*
 * The child's page routes (issue 18; include/joindots/child.h): her summary
 * in plain English, her chronology filtered and paged, and the chronology
 * as a PDF. Need-to-know as on GET /api/persons/{id}: analysts see all,
 * practitioners and managers a person known to their agency, others are
 * refused by role; an unknown person and one not theirs get the same 404.
 * Each route needs a reason, and each view and export is audited before
 * anything is shown (an export that cannot be audited is not made).
 */
#include "server_internal.h"

#include <joindots/child.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_REASON 300
#define MAX_Q 100
#define MAX_OFFSET 1000000L

/* The person of the route, checked for need-to-know, and the reason given;
 * false when the answer (404 or 428) has been set. */
static bool person_of(api_ctx *c, reply *r, const char *what, jd_person_summary *p,
                      const char **why)
{
    char target[160];
    snprintf(target, sizeof target, "person:%.150s", c->arg);
    bool found = jd_api_person(c, c->arg, p) == JD_OK;
    if (!found || !jd_api_may_see_person(c->who, p)) {
        char d[64];
        snprintf(d, sizeof d, "%s denied: %s", what, found ? "need to know" : "not found");
        if (jd_audited(c, r, "view", target, "", d, false))
            jd_reply_error(r, 404, "not_found", "No such person known to your agency.");
        return false;
    }
    *why = jd_query(c, "reason");
    if (!*why || strlen(*why) < 3 || strlen(*why) > MAX_REASON) {
        jd_reply_error(r, 428, "reason_required",
                       "Say why you need this record (3 to 300 characters); it is recorded.");
        return false;
    }
    return true;
}

/* ---- the filter from the query string ---- */

/* The filters in words, for the audit row and the PDF's cover. */
typedef struct fwords {
    char s[1024];
} fwords;

static void addf(fwords *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void addf(fwords *w, const char *fmt, ...)
{
    size_t n = strlen(w->s);
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(w->s + n, sizeof w->s - n, fmt, ap);
    va_end(ap);
}

static bool parse_count(const char *s, long max, long *out)
{
    if (!s || !*s || strlen(s) > 9)
        return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    long v = atol(s);
    if (v > max)
        return false;
    *out = v;
    return true;
}

static bool only(const char *s, const char *allowed, size_t max)
{
    if (strlen(s) > max)
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr(allowed, *p))
            return false;
    return true;
}

/* Fills f from the query; false with a 400 set on a bad value. */
static bool filter_of(api_ctx *c, reply *r, jd_chrono_filter *f, fwords *words)
{
    const char *v;
    long n;
    *f = (jd_chrono_filter)JD_CHRONO_FILTER_INIT;
    words->s[0] = '\0';
    if ((v = jd_query(c, "offset")) && *v) {
        if (!parse_count(v, MAX_OFFSET, &n))
            goto bad_offset;
        f->offset = (size_t)n;
    }
    if ((v = jd_query(c, "limit")) && *v) {
        if (!parse_count(v, JD_CHRONO_MAX_LIMIT, &n) || n < 1) {
            jd_reply_error(r, 400, "bad_limit", "limit is a whole number from 1 to 500.");
            return false;
        }
        f->limit = (size_t)n;
    }
    if ((v = jd_query(c, "agency")) && *v) {
        if (!only(v, "abcdefghijklmnopqrstuvwxyz_,", 200)) {
            jd_reply_error(r, 400, "bad_agency",
                           "agency is a comma-separated list of agency codes.");
            return false;
        }
        f->agencies = v;
        addf(words, "agencies: %s; ", v);
    }
    if ((v = jd_query(c, "indicator")) && *v) {
        if (!only(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", 8)) {
            jd_reply_error(r, 400, "bad_indicator", "indicator is a rule code such as S01.");
            return false;
        }
        f->indicator = v;
        addf(words, "sign %s; ", v);
    }
    const char *names[2] = {"from", "to"};
    for (int i = 0; i < 2; i++)
        if ((v = jd_query(c, names[i])) && *v) {
            int64_t t;
            if (strlen(v) > 10 || jd_time_parse(&t, v, i == 1) < 0) {
                jd_reply_error(r, 400, "bad_date",
                               "from and to are dates: DD/MM/YYYY or YYYY-MM-DD.");
                return false;
            }
            if (i == 0)
                f->from = t;
            else
                f->to = t;
            char d[11];
            jd_uk_date(d, t);
            addf(words, "%s %s; ", names[i], d);
        }
    if (f->from > f->to) {
        jd_reply_error(r, 400, "bad_date", "The start of the date range is after its end.");
        return false;
    }
    if ((v = jd_query(c, "q")) && *v) {
        if (strlen(v) > MAX_Q) {
            jd_reply_error(r, 400, "bad_query", "Search the text with up to 100 characters.");
            return false;
        }
        f->text = v;
        addf(words, "text \"%s\"; ", v);
    }
    if ((v = jd_query(c, "significant")) && *v) {
        if (strcmp(v, "0") && strcmp(v, "1")) {
            jd_reply_error(r, 400, "bad_significant", "significant is 0 or 1.");
            return false;
        }
        f->significant = !strcmp(v, "1");
        if (f->significant)
            addf(words, "%s", "significant events only; ");
    }
    if ((v = jd_query(c, "order")) && *v) {
        if (strcmp(v, "newest") && strcmp(v, "oldest")) {
            jd_reply_error(r, 400, "bad_order", "order is newest or oldest.");
            return false;
        }
        f->newest_first = !strcmp(v, "newest");
        addf(words, "%s", f->newest_first ? "newest first" : "oldest first");
    }
    size_t len = strlen(words->s);
    while (len && (words->s[len - 1] == ' ' || words->s[len - 1] == ';'))
        words->s[--len] = '\0';
    return true;
bad_offset:
    jd_reply_error(r, 400, "bad_offset", "offset is a whole number from 0 to 1000000.");
    return false;
}

/* ---- summary ---- */

/* Her summary from the loaded alerts (the alert view, as her alerts route
 * shows them; parsed once when loaded, not per request), from the store's
 * when there is no view (out of memory). */
static int summary_of(api_ctx *c, const jd_person_summary *p, jd_child_summary *sum,
                      jd_error *err)
{
    const alert_view *v = jd_alert_view(c->srv, c->index);
    size_t n = 0;
    void **docs = v ? jd_alert_view_docs_of(v, p->person_id, &n) : NULL;
    int rc = jd_child_summary_build_with(sum, c->store, c->screener, p->person_id, p->name,
                                         p->dob, docs, docs ? n : 0, err);
    free(docs);
    return rc;
}

static void api_summary(api_ctx *c, reply *r)
{
    jd_person_summary p;
    const char *why;
    if (!person_of(c, r, "summary", &p, &why))
        return;
    jd_child_summary sum;
    jd_error err;
    if (summary_of(c, &p, &sum, &err) < 0) {
        jd_reply_error(r, 500, "store", "The summary could not be built.");
        return;
    }
    char target[160];
    snprintf(target, sizeof target, "person:%s", p.person_id);
    if (!jd_audited(c, r, "view", target, why, "summary", true)) {
        jd_child_summary_dispose(&sum);
        return;
    }
    json_t *sentences = json_array(), *changes = json_array(), *third = json_array();
    json_t *agencies = json_array();
    for (size_t i = 0; i < sum.n; i++)
        json_array_append_new(sentences,
                              json_pack("{s:s,s:s}", "text", sum.text[i], "codes", sum.codes[i]));
    char t[32];
    for (size_t i = 0; i < sum.n_changes; i++) {
        const jd_level_change *ch = &sum.changes[i];
        jd_time_format(t, ch->at);
        json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "level", ch->level, "at", t, "reason",
                              ch->reason, "codes", ch->codes);
        json_object_set_new(o, "age", ch->age >= 0 ? json_integer(ch->age) : json_null());
        json_array_append_new(changes, o);
    }
    for (size_t i = 0; i < sum.n_third_parties; i++)
        json_array_append_new(third, json_string(sum.third_parties[i]));
    for (size_t i = 0; i < p.n_refs; i++) {
        bool dup = false;
        json_t *a;
        size_t k;
        json_array_foreach(agencies, k, a)
        {
            dup = dup || !strcmp(json_string_value(json_object_get(a, "code")), p.refs[i].agency);
        }
        if (!dup)
            json_array_append_new(agencies, json_pack("{s:s,s:s}", "code", p.refs[i].agency,
                                                      "label", jd_agency_label(p.refs[i].agency)));
    }
    json_t *o = json_pack("{s:s,s:s,s:b,s:s,s:s,s:o,s:o,s:o,s:o,s:I}", "name", p.name, "dob", p.dob,
                          "is_child", p.is_child, "level", sum.level, "current_level", sum.current,
                          "summary", sentences, "level_changes", changes, "third_parties", third,
                          "agencies", agencies, "events", (json_int_t)sum.n_events);
    int now_age = jd_age_at(p.dob, (int64_t)time(NULL));
    json_object_set_new(o, "age_now", now_age >= 0 ? json_integer(now_age) : json_null());
    const int64_t at[3] = {sum.level_at, sum.first_at, sum.last_at};
    const char *keys[3] = {"level_at", "first_event_at", "last_event_at"};
    for (int i = 0; i < 3; i++) {
        if (!at[i]) {
            json_object_set_new(o, keys[i], json_null());
            continue;
        }
        jd_time_format(t, at[i]);
        json_object_set_new(o, keys[i], json_string(t));
    }
    jd_child_summary_dispose(&sum);
    jd_reply_json(r, 200, o);
}

/* ---- alerts (without the chronology that GET /api/persons/{id} sends) ---- */

static void api_person_alerts(api_ctx *c, reply *r)
{
    jd_person_summary p;
    const char *why;
    if (!person_of(c, r, "alerts", &p, &why))
        return;
    (void)jd_alert_view(c->srv, c->index); /* the person's alerts by id (alert_view.c) */
    json_t *a = jd_api_alerts_of(c->srv, c->who, p.person_id);
    char target[160], d[64];
    snprintf(target, sizeof target, "person:%s", p.person_id);
    snprintf(d, sizeof d, "alerts=%zu", json_array_size(a));
    if (!jd_audited(c, r, "view", target, why, d, true)) {
        json_decref(a);
        return;
    }
    jd_reply_json(r, 200, json_pack("{s:o}", "alerts", a));
}

/* ---- chronology ---- */

typedef struct rows_ctx {
    json_t *events;
} rows_ctx;

static int on_row(const jd_chrono_row *row, void *payload)
{
    rows_ctx *x = payload;
    const jd_chrono_event *ev = row->ev;
    char t[32], type[64];
    jd_time_format(t, ev->occurred_at);
    jd_event_type_label(type, sizeof type, ev->event_type);
    json_t *findings = json_array(), *parties = json_array(), *objects = json_array();
    for (size_t i = 0; i < row->n_findings; i++) {
        const jd_finding *f = &row->findings[i];
        json_array_append_new(findings,
                              json_pack("{s:s,s:s,s:s,s:s?,s:i,s:i}", "rule", f->rule, "name",
                                        f->name, "why", f->why ? f->why : "", "advice", f->advice,
                                        "offset", f->offset, "length", f->length));
    }
    for (size_t i = 0; i < ev->n_parties; i++)
        json_array_append_new(parties, json_pack("{s:s,s:s}", "name", ev->parties[i].name, "role",
                                                 ev->parties[i].role));
    for (size_t i = 0; i < ev->n_objects; i++)
        json_array_append_new(objects, json_pack("{s:s,s:s}", "type", ev->objects[i].object_type,
                                                 "value", ev->objects[i].value));
    json_t *e =
        json_pack("{s:I,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:o,s:o,s:o}", "index",
                  (json_int_t)row->index, "occurred_at", t, "precision", ev->occurred_prec,
                  "agency", ev->agency, "agency_label", jd_agency_label(ev->agency), "record_id",
                  ev->record_id, "event_type", ev->event_type, "type_label", type, "narrative",
                  ev->narrative ? ev->narrative : "", "outcome", ev->outcome ? ev->outcome : "",
                  "location", ev->location ? ev->location : "", "significant", row->significant,
                  "findings", findings, "parties", parties, "objects", objects);
    if (!e)
        return JD_ENOMEM;
    json_object_set_new(e, "age", row->age >= 0 ? json_integer(row->age) : json_null());
    json_array_append_new(x->events, e);
    return 0;
}

static void api_chronology(api_ctx *c, reply *r)
{
    jd_person_summary p;
    const char *why;
    if (!person_of(c, r, "chronology", &p, &why))
        return;
    jd_chrono_filter f;
    fwords words = {""};
    if (!filter_of(c, r, &f, &words)) {
        return;
    }
    rows_ctx x = {.events = json_array()};
    size_t total = 0;
    jd_error err;
    int rc =
        jd_chrono_query(c->store, c->screener, p.person_id, p.dob, &f, on_row, &x, &total, &err);
    if (rc < 0 && rc != JD_ENOTFOUND) {
        json_decref(x.events);
        jd_reply_error(r, 500, "store", "The chronology could not be read.");
        return;
    }
    if (f.newest_first) { /* the page comes oldest first */
        size_t n = json_array_size(x.events);
        json_t *rev = json_array();
        for (size_t i = n; i-- > 0;)
            json_array_append(rev, json_array_get(x.events, i));
        json_decref(x.events);
        x.events = rev;
    }
    char target[160], d[2300];
    snprintf(target, sizeof target, "person:%s", p.person_id);
    snprintf(d, sizeof d, "chronology offset=%zu shown=%zu of %zu %s", f.offset,
             json_array_size(x.events), total, words.s);
    if (!jd_audited(c, r, "view", target, why, d, true)) {
        json_decref(x.events);
        return;
    }
    jd_reply_json(r, 200,
                  json_pack("{s:I,s:I,s:I,s:s,s:o}", "total", (json_int_t)total, "offset",
                            (json_int_t)f.offset, "limit", (json_int_t)f.limit, "order",
                            f.newest_first ? "newest" : "oldest", "events", x.events));
}

/* ---- the PDF ---- */

#define MAX_REDACT 50

static void api_chronology_pdf(api_ctx *c, reply *r)
{
    jd_person_summary p;
    const char *why;
    if (!person_of(c, r, "export", &p, &why))
        return;
    jd_chrono_filter f;
    fwords words = {""};
    char *redact_buf = NULL;
    const char *redact[MAX_REDACT];
    size_t n_redact = 0;
    jd_child_summary sum = {0};
    unsigned char *pdf = NULL;
    if (!filter_of(c, r, &f, &words))
        goto out;
    const char *rv = jd_query(c, "redact");
    if (rv && *rv) {
        if (strlen(rv) > 2000 || !(redact_buf = strdup(rv))) {
            jd_reply_error(r, 400, "bad_redact",
                           "redact is up to 2000 characters of names "
                           "separated by |.");
            goto out;
        }
        for (char *save = NULL, *tok = strtok_r(redact_buf, "|", &save); tok;
             tok = strtok_r(NULL, "|", &save)) {
            if (n_redact == MAX_REDACT) {
                jd_reply_error(r, 400, "bad_redact", "Redact at most 50 people by name.");
                goto out;
            }
            if (*tok)
                redact[n_redact++] = tok;
        }
    }
    const char *ra = jd_query(c, "redact_all");
    if (ra && strcmp(ra, "0") && strcmp(ra, "1")) {
        jd_reply_error(r, 400, "bad_redact", "redact_all is 0 or 1.");
        goto out;
    }
    jd_error err;
    if (summary_of(c, &p, &sum, &err) < 0) {
        jd_reply_error(r, 500, "store", "The summary could not be built.");
        goto out;
    }
    jd_chrono_pdf_opts o = {.name = p.name,
                            .dob = p.dob,
                            .by = c->who->acct.username,
                            .role = jd_role_name(c->who->acct.role),
                            .agency = c->who->acct.agency,
                            .reason = why,
                            .filters = words.s,
                            .at = (int64_t)time(NULL),
                            .summary = (const char *const *)sum.text,
                            .n_summary = sum.n,
                            .redact = redact,
                            .n_redact = n_redact,
                            .redact_all = ra && !strcmp(ra, "1")};
    size_t len = 0;
    int pages = 0;
    int rc = jd_chrono_pdf(&pdf, &len, &pages, c->store, c->screener, p.person_id, &f, &o, &err);
    char target[160], d[2400];
    snprintf(target, sizeof target, "person:%s", p.person_id);
    if (rc < 0) {
        snprintf(d, sizeof d, "pdf refused: %s", err.msg);
        if (!jd_audited(c, r, "export", target, why, d, false))
            goto out;
        if (rc == JD_ELIMIT)
            jd_reply_error(r, 413, "too_many_events", err.msg);
        else
            jd_reply_error(r, 500, "export", "The PDF could not be made.");
        goto out;
    }
    snprintf(d, sizeof d, "chronology pdf pages=%d redacted=%s%zu filters: %s", pages,
             o.redact_all ? "all " : "", n_redact, words.s);
    /* Audited before it is sent: an export is never made without its row. */
    if (!jd_audited(c, r, "export", target, why, d, true))
        goto out;
    r->status = 200;
    r->raw = pdf;
    r->raw_len = len;
    r->raw_type = "application/pdf";
    snprintf(r->raw_name, sizeof r->raw_name, "chronology.pdf");
    pdf = NULL; /* now owned by the reply */
out:
    free(pdf);
    jd_child_summary_dispose(&sum);
    free(redact_buf);
}

/* ---- notes ---- */

static void api_note(api_ctx *c, reply *r)
{
    jd_person_summary p;
    char target[160];
    snprintf(target, sizeof target, "person:%.150s", c->arg);
    bool found = jd_api_person(c, c->arg, &p) == JD_OK;
    if (!found || !jd_api_may_see_person(c->who, &p)) {
        if (jd_audited(c, r, "note", target, "",
                       found ? "denied: need to know" : "denied: not found", false))
            jd_reply_error(r, 404, "not_found", "No such person known to your agency.");
        return;
    }
    json_t *t = c->body ? json_object_get(c->body, "text") : NULL;
    const char *text = json_is_string(t) ? json_string_value(t) : NULL;
    if (!text || !*text || strlen(text) > JD_NOTE_MAX) {
        jd_reply_error(r, 400, "note_required", "Write a note of 1 to 4000 characters.");
        return;
    }
    if (!jd_api_second_look(c, r, text))
        return;
    snprintf(target, sizeof target, "person:%s", p.person_id);
    json_t *cf = json_object_get(c->body, "confirmed");
    /* Audited before it is done: a change is never made without its row. */
    if (!jd_audited(c, r, "note", target, text, json_is_true(cf) ? "saved after a second look" : "",
                    true))
        return;
    jd_error err;
    if (jd_person_note_add(c->store, p.person_id, c->who->acct.username, text, &err) < 0) {
        (void)jd_audit(c, "note", target, "", "refused: not stored", false);
        jd_reply_error(r, 500, "store", "The note could not be saved.");
        return;
    }
    jd_reply_json(r, 201, json_pack("{s:b}", "ok", 1));
}

/* Keep in step with docs/openapi.yaml (tests/integration/test_serve.sh checks). */
const route jd_api_person_routes[] = {
    {"GET", "/api/persons/{id}/summary", ROLES_CASE, api_summary},
    {"GET", "/api/persons/{id}/alerts", ROLES_CASE, api_person_alerts},
    {"GET", "/api/persons/{id}/chronology", ROLES_CASE, api_chronology},
    {"GET", "/api/persons/{id}/chronology/pdf", ROLES_CASE, api_chronology_pdf},
    {"POST", "/api/persons/{id}/notes", ROLES_CASE, api_note},
};
const size_t jd_api_n_person_routes = sizeof jd_api_person_routes / sizeof *jd_api_person_routes;
