/*
 * A child's chronology filtered and paged for her page and its PDF
 * (include/joindots/child.h), and the words and dates shown with it.
 *
 * The walk is the store's chronology, oldest first. Each event is screened
 * only when a filter needs its findings (significant, indicator) or when it
 * is on the page asked for. Oldest first, one walk does it all: the page is
 * known as matches are counted. Newest first needs the count before the
 * page: when the page ends within the newest RING_MAX matches, one walk
 * keeps a copy of the last offset + limit matches (a ring) and the page is
 * emitted from it; deeper pages take two walks, the first keeping the walk
 * positions of the matches (4 bytes each), the second emitting the page.
 * (A child's page asks the newest 50: the second walk of the store, its
 * events, parties and objects, was a third of the request.)
 */
#include "util/internal.h"

#include <joindots/child.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const agency_names[][2] = {
    {"call_handling", "Call handling"},
    {"care_provider", "Care home"},
    {"csc", "Children's social care"},
    {"gp", "GP"},
    {"health_ae", "Hospital A&E"},
    {"housing", "Housing"},
    {"joindots", "joindots note"},
    {"police", "Police"},
    {"school", "School"},
    {"school_nursing", "School nursing"},
    {"sexual_health", "Sexual health"},
    {"substance", "Substance service"},
    {"substance_service", "Substance service"},
    {"youth_service", "Youth service"},
    {"yot", "Youth offending"},
};

const char *jd_agency_label(const char *code)
{
    if (!code)
        return "";
    for (size_t i = 0; i < JD_ARRAY_LEN(agency_names); i++)
        if (!strcmp(agency_names[i][0], code))
            return agency_names[i][1];
    return code;
}

void jd_event_type_label(char *out, size_t cap, const char *type)
{
    if (!cap)
        return;
    /* words that are initials keep them */
    static const char *const initials[][2] = {{"ae_", "A&E "}, {"gp_", "GP "}, {"sti_", "STI "}};
    const char *p = type ? type : "";
    size_t i = 0;
    for (size_t k = 0; k < JD_ARRAY_LEN(initials); k++)
        if (!strncmp(p, initials[k][0], strlen(initials[k][0]))) {
            size_t n = strlen(initials[k][1]);
            if (n >= cap)
                n = cap - 1;
            memcpy(out, initials[k][1], n);
            i = n;
            p += strlen(initials[k][0]);
            break;
        }
    bool first = i == 0;
    for (; *p && i + 1 < cap; p++, i++)
        out[i] = *p == '_' ? ' ' : *p;
    out[i] = '\0';
    if (first && i)
        out[0] = (char)toupper((unsigned char)out[0]);
}

void jd_uk_date(char out[11], int64_t t)
{
    char iso[32];
    jd_time_format(iso, t);
    /* "YYYY-MM-DDTHH:MM:SS+01:00" in UK local time */
    memcpy(out, iso + 8, 2);
    out[2] = '/';
    memcpy(out + 3, iso + 5, 2);
    out[5] = '/';
    memcpy(out + 6, iso, 4);
    out[10] = '\0';
}

int jd_age_at(const char *dob, int64_t t)
{
    if (!dob || strlen(dob) < 10 || dob[4] != '-' || dob[7] != '-')
        return -1;
    int by = atoi(dob), bm = atoi(dob + 5), bd = atoi(dob + 8);
    char iso[32];
    jd_time_format(iso, t);
    int y = atoi(iso), m = atoi(iso + 5), d = atoi(iso + 8);
    if (by <= 0 || bm < 1 || bm > 12 || bd < 1 || bd > 31)
        return -1;
    int age = y - by - ((m < bm || (m == bm && d < bd)) ? 1 : 0);
    return age >= 0 ? age : -1;
}

/* ---- the query ---- */

#define RING_MAX 256 /* newest-first pages ending within this many matches: one walk */

/* A match kept for the page of a newest-first walk: a deep copy of the
 * event (its strings, parties and objects in blob, which it owns). */
typedef struct kept {
    jd_chrono_event ev;
    char *blob;
} kept;

#define MAX_FINDINGS 64

typedef struct qctx {
    jd_screener *scr;
    const jd_chrono_filter *f;
    const char *dob;
    int (*cb)(const jd_chrono_row *row, void *payload);
    void *payload;
    jd_error *err;
    /* the event being screened */
    jd_finding fs[MAX_FINDINGS];
    size_t nf;
    jd_arena ar; /* copies of the findings' strings, reset per event */
    bool screened;
    /* walk state */
    size_t pos;     /* walk position of the event */
    size_t matches; /* matches so far */
    uint32_t *keep; /* pass 1 of newest first: walk positions of the matches */
    size_t nkeep, capkeep;
    /* pass 2 of newest first: walk positions of the page, ascending */
    const uint32_t *want;
    size_t nwant, wi;
    size_t first_index; /* index (newest first) of want[nwant-1] */
    int pass;           /* 0 oldest first; 1 count; 2 emit */
    kept *ring;         /* pass 1 when the page is near the newest: the last ringcap matches */
    size_t ringcap;
    int rc;
    /* notes written in joindots, merged into the walk by time */
    struct qnote {
        char *by, *text;
        int64_t at;
    } * notes;
    size_t nnotes, capnotes, ni;
    jd_arena nar;
} qctx;

static int on_finding(const jd_finding *f, void *payload)
{
    qctx *q = payload;
    if (q->nf >= MAX_FINDINGS)
        return 0;
    jd_finding *o = &q->fs[q->nf];
    o->rule = jd_arena_strdup(&q->ar, f->rule ? f->rule : "");
    o->name = jd_arena_strdup(&q->ar, f->name ? f->name : "");
    o->why = f->why ? jd_arena_strdup(&q->ar, f->why) : NULL;
    o->advice = f->advice ? jd_arena_strdup(&q->ar, f->advice) : NULL;
    o->offset = f->offset;
    o->length = f->length;
    if (!o->rule || !o->name)
        return JD_ENOMEM;
    q->nf++;
    return 0;
}

static int screen(qctx *q, const jd_chrono_event *ev, int age)
{
    if (q->screened)
        return 0;
    q->screened = true;
    q->nf = 0;
    jd_arena_reset(&q->ar);
    bool vehicle = false, adult = false;
    for (size_t i = 0; i < ev->n_parties; i++)
        if (!strcmp(ev->parties[i].role, "suspect") || !strcmp(ev->parties[i].role, "associate"))
            adult = true;
    for (size_t i = 0; i < ev->n_objects; i++)
        if (!strcmp(ev->objects[i].object_type, "vehicle"))
            vehicle = true;
    jd_screen_input in = {.event_type = ev->event_type,
                          .text = ev->narrative ? ev->narrative : "",
                          .age = age,
                          .vehicle = vehicle,
                          .adult_party = adult};
    if (!q->scr)
        return 0;
    return jd_screener_run(q->scr, &in, on_finding, q, q->err);
}

static bool is_significant(const qctx *q)
{
    for (size_t i = 0; i < q->nf; i++) {
        char c = q->fs[i].rule[0];
        if (c == 'S' || c == 'T' || c == 'C')
            return true;
    }
    return false;
}

/* The agency is in the comma-separated list. */
static bool agency_in(const char *list, const char *agency)
{
    size_t n = strlen(agency);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && !strncasecmp(p, agency, n))
            return true;
        p += k;
        if (*p == ',')
            p++;
    }
    return false;
}

static bool has_words(const char *hay, const char *needle)
{
    return hay && strcasestr(hay, needle) != NULL;
}

static bool text_match(const jd_chrono_event *ev, const char *t)
{
    char type[64];
    jd_event_type_label(type, sizeof type, ev->event_type);
    return has_words(ev->narrative, t) || has_words(type, t) || has_words(ev->outcome, t) ||
           has_words(ev->location, t) || has_words(jd_agency_label(ev->agency), t) ||
           has_words(ev->record_id, t);
}

/* Does the event pass the filter? Screens it when the filter needs it. */
static int passes(qctx *q, const jd_chrono_event *ev, int age, bool *ok)
{
    const jd_chrono_filter *f = q->f;
    *ok = false;
    if (ev->occurred_at < f->from || ev->occurred_at > f->to)
        return 0;
    if (f->agencies && *f->agencies && !agency_in(f->agencies, ev->agency))
        return 0;
    if (f->text && *f->text && !text_match(ev, f->text))
        return 0;
    if (f->significant || (f->indicator && *f->indicator)) {
        int rc = screen(q, ev, age);
        if (rc)
            return rc;
        if (f->significant && !is_significant(q))
            return 0;
        if (f->indicator && *f->indicator) {
            bool hit = false;
            for (size_t i = 0; i < q->nf && !hit; i++)
                hit = !strcasecmp(q->fs[i].rule, f->indicator);
            if (!hit)
                return 0;
        }
    }
    *ok = true;
    return 0;
}

static int emit(qctx *q, const jd_chrono_event *ev, int age, size_t index)
{
    int rc = screen(q, ev, age);
    if (rc)
        return rc;
    jd_chrono_row row = {.ev = ev,
                         .age = age,
                         .findings = q->fs,
                         .n_findings = q->nf,
                         .significant = is_significant(q),
                         .index = index};
    return q->cb(&row, q->payload);
}

static size_t slen(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Copy s to *at (NULL stays NULL). */
static const char *put(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = memcpy(*at, s, n);
    *at += n;
    return d;
}

/* A deep copy of ev into k (k->blob freed first). */
static int keep_copy(kept *k, const jd_chrono_event *ev)
{
    size_t n = ev->n_parties * sizeof(jd_chrono_party) + ev->n_objects * sizeof(jd_chrono_object);
    n += slen(ev->agency) + slen(ev->record_id) + slen(ev->event_type) + slen(ev->location) +
         slen(ev->postcode) + slen(ev->narrative) + slen(ev->outcome) + slen(ev->author_role) +
         slen(ev->risk_grade) + slen(ev->crime_ref) + slen(ev->subject_role);
    for (size_t i = 0; i < ev->n_parties; i++) {
        const jd_chrono_party *p = &ev->parties[i];
        n += slen(p->agency) + slen(p->person_ref) + slen(p->role) + slen(p->person_id) +
             slen(p->name);
    }
    for (size_t i = 0; i < ev->n_objects; i++) {
        const jd_chrono_object *o = &ev->objects[i];
        n += slen(o->object_type) + slen(o->value) + slen(o->description);
    }
    char *b = malloc(n ? n : 1);
    if (!b)
        return JD_ENOMEM;
    free(k->blob);
    k->blob = b;
    k->ev = *ev;
    /* the arrays first (the blob is aligned for them), then the strings */
    jd_chrono_party *parties = (jd_chrono_party *)(void *)b;
    jd_chrono_object *objects = (jd_chrono_object *)(void *)(parties + ev->n_parties);
    char *at = (char *)(objects + ev->n_objects);
    for (size_t i = 0; i < ev->n_parties; i++) {
        const jd_chrono_party *p = &ev->parties[i];
        parties[i] = (jd_chrono_party){put(&at, p->agency), put(&at, p->person_ref),
                                       put(&at, p->role), put(&at, p->person_id),
                                       put(&at, p->name)};
    }
    for (size_t i = 0; i < ev->n_objects; i++) {
        const jd_chrono_object *o = &ev->objects[i];
        objects[i] = (jd_chrono_object){put(&at, o->object_type), put(&at, o->value),
                                        put(&at, o->description), o->valid};
    }
    k->ev.parties = ev->n_parties ? parties : NULL;
    k->ev.objects = ev->n_objects ? objects : NULL;
    k->ev.agency = put(&at, ev->agency);
    k->ev.record_id = put(&at, ev->record_id);
    k->ev.event_type = put(&at, ev->event_type);
    k->ev.location = put(&at, ev->location);
    k->ev.postcode = put(&at, ev->postcode);
    k->ev.narrative = put(&at, ev->narrative);
    k->ev.outcome = put(&at, ev->outcome);
    k->ev.author_role = put(&at, ev->author_role);
    k->ev.risk_grade = put(&at, ev->risk_grade);
    k->ev.crime_ref = put(&at, ev->crime_ref);
    k->ev.subject_role = put(&at, ev->subject_role);
    return JD_OK;
}

/* The newest-first page from the ring: matches [end - limit, end) in walk
 * order, end = matches - offset, each with its index newest first. */
static int emit_ring(qctx *q)
{
    size_t end = q->matches - q->f->offset;
    size_t start = end > q->f->limit ? end - q->f->limit : 0;
    for (size_t k = start; k < end; k++) {
        const jd_chrono_event *ev = &q->ring[k % q->ringcap].ev;
        q->screened = false;
        int rc = emit(q, ev, jd_age_at(q->dob, ev->occurred_at), q->f->offset + (end - 1 - k));
        if (rc)
            return rc;
    }
    return 0;
}

static int handle(qctx *q, const jd_chrono_event *ev)
{
    size_t pos = q->pos++;
    q->screened = false;
    int age = jd_age_at(q->dob, ev->occurred_at);
    if (q->pass == 2) {
        if (q->wi >= q->nwant || q->want[q->wi] != pos)
            return 0;
        /* the page's events come oldest first: their newest-first index falls */
        size_t index = q->first_index + (q->nwant - 1 - q->wi);
        q->wi++;
        return emit(q, ev, age, index);
    }
    bool ok;
    int rc = passes(q, ev, age, &ok);
    if (rc || !ok)
        return rc;
    size_t index = q->matches++;
    if (q->pass == 1 && q->ring)
        return keep_copy(&q->ring[index % q->ringcap], ev) < 0 ? jd_oom(q->err) : 0;
    if (q->pass == 1) {
        if (pos > UINT32_MAX)
            return jd_error_set(q->err, JD_ELIMIT, "too many events in one chronology");
        if (jd_grow((void **)&q->keep, &q->capkeep, q->nkeep + 1, sizeof *q->keep) < 0)
            return jd_oom(q->err);
        q->keep[q->nkeep++] = (uint32_t)pos;
        return 0;
    }
    if (index >= q->f->offset && index - q->f->offset < q->f->limit)
        return emit(q, ev, age, index);
    return 0;
}

/* The notes saved before `until`, as events of the agency "joindots". */
static int flush_notes(qctx *q, int64_t until)
{
    while (q->ni < q->nnotes && q->notes[q->ni].at <= until) {
        const struct qnote *n = &q->notes[q->ni];
        char rec[32];
        snprintf(rec, sizeof rec, "note-%zu", q->ni + 1);
        q->ni++;
        jd_chrono_event ev = {.agency = "joindots",
                              .record_id = rec,
                              .event_type = "note",
                              .occurred_at = n->at,
                              .reported_at = n->at,
                              .occurred_prec = 5,
                              .narrative = n->text,
                              .outcome = "",
                              .author_role = n->by,
                              .subject_role = "subject"};
        int rc = handle(q, &ev);
        if (rc)
            return rc;
    }
    return 0;
}

static int on_event(const jd_chrono_event *ev, void *payload)
{
    qctx *q = payload;
    int rc = flush_notes(q, ev->occurred_at);
    return rc ? rc : handle(q, ev);
}

static int on_note(const char *by, int64_t at, const char *text, void *payload)
{
    qctx *q = payload;
    if (jd_grow((void **)&q->notes, &q->capnotes, q->nnotes + 1, sizeof *q->notes) < 0)
        return jd_oom(q->err);
    struct qnote *n = &q->notes[q->nnotes];
    n->by = jd_arena_strdup(&q->nar, by);
    n->text = jd_arena_strdup(&q->nar, text);
    n->at = at;
    if (!n->by || !n->text)
        return jd_oom(q->err);
    /* saved in id order; keep them in time order whatever the clock did */
    for (size_t i = q->nnotes; i > 0 && q->notes[i - 1].at > q->notes[i].at; i--) {
        struct qnote t = q->notes[i - 1];
        q->notes[i - 1] = q->notes[i];
        q->notes[i] = t;
    }
    q->nnotes++;
    return 0;
}

/* One walk: the store's events with the notes merged in. */
static int walk(qctx *q, jd_store *s, const char *person)
{
    q->ni = 0;
    q->pos = 0;
    int rc = jd_chronology(s, person, JD_AS_OF_NOW, on_event, q, q->err);
    if (rc == JD_ENOTFOUND && q->nnotes)
        rc = JD_OK;
    return rc ? rc : flush_notes(q, INT64_MAX);
}

int jd_chrono_query(jd_store *s, jd_screener *scr, const char *person, const char *dob,
                    const jd_chrono_filter *f, int (*cb)(const jd_chrono_row *row, void *payload),
                    void *payload, size_t *total, jd_error *err)
{
    if (!s || !person || !*person || !f || !cb || !total)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (f->limit == 0 || f->limit > JD_CHRONO_MAX_LIMIT)
        return jd_error_set(err, JD_EINVALID, "a page holds 1 to %d events", JD_CHRONO_MAX_LIMIT);
    if (f->from > f->to)
        return jd_error_set(err, JD_EINVALID, "the start of the date range is after its end");
    qctx q = {.scr = scr, .f = f, .dob = dob, .cb = cb, .payload = payload, .err = err};
    jd_arena_init(&q.ar, 4096);
    jd_arena_init(&q.nar, 4096);
    q.pass = f->newest_first ? 1 : 0;
    if (f->newest_first && f->offset < RING_MAX && f->offset + f->limit <= RING_MAX) {
        q.ringcap = f->offset + f->limit;
        q.ring = calloc(q.ringcap, sizeof *q.ring);
        if (!q.ring) {
            jd_arena_free(&q.ar);
            jd_arena_free(&q.nar);
            return jd_oom(err);
        }
    }
    int rc = strchr(person, ':') ? JD_OK : jd_person_notes(s, person, on_note, &q, err);
    if (rc == JD_OK)
        rc = walk(&q, s, person);
    if (rc == JD_OK && q.ring && q.matches > f->offset) {
        rc = emit_ring(&q);
    } else if (rc == JD_OK && f->newest_first && !q.ring && q.nkeep > f->offset) {
        /* newest first: the page is matches [n-offset-limit, n-offset) in walk order */
        size_t end = q.nkeep - f->offset;
        size_t start = end > f->limit ? end - f->limit : 0;
        q.want = q.keep + start;
        q.nwant = end - start;
        q.first_index = f->offset;
        q.wi = 0;
        q.pass = 2;
        rc = walk(&q, s, person);
    }
    if (rc == JD_OK)
        *total = q.matches;
    free(q.keep);
    for (size_t i = 0; q.ring && i < q.ringcap; i++)
        free(q.ring[i].blob);
    free(q.ring);
    free(q.notes);
    jd_arena_free(&q.ar);
    jd_arena_free(&q.nar);
    return rc;
}
