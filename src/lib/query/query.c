/*
 * Read-side queries: the person index for search and the stored alerts.
 * See include/joindots/query.h.
 */
#include "query/query_internal.h"
#include <joindots/query.h>

#include "text/compare.h"
#include "util/internal.h"
#include "text/names.h"
#include "text/phonetic.h"
#include "store/account_ops.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_NORM_MAX 128

typedef struct pentry {
    char *person_id, *name, *dob, *norm; /* norm: normalised name words */
    bool is_child;
    jd_ref *refs;
    size_t n_refs, cap_refs;
} pentry;

struct jd_person_index {
    pentry *p;
    size_t n, cap;
    size_t *by_id; /* entry numbers sorted by person_id (lookups by id) */
};

static char *dupz(const char *s)
{
    return strdup(s ? s : "");
}

static int on_row(const jd_identity_row *r, void *payload)
{
    jd_person_index *x = payload;
    char uid[256];
    const char *pid = r->person_id;
    if (!pid) {
        snprintf(uid, sizeof uid, "U:%s:%s", r->agency, r->person_ref);
        pid = uid;
    }
    pentry *e = x->n ? &x->p[x->n - 1] : NULL;
    if (!e || strcmp(e->person_id, pid) != 0) {
        if (x->n == x->cap) {
            size_t nc = x->cap ? x->cap * 2 : 256;
            pentry *np = realloc(x->p, nc * sizeof *np);
            if (!np)
                return JD_ENOMEM;
            x->p = np;
            x->cap = nc;
        }
        e = &x->p[x->n++];
        memset(e, 0, sizeof *e);
        char norm[NAME_NORM_MAX];
        const char *nm = r->display_name ? r->display_name : "";
        if (jd_names__normalise(norm, sizeof norm, nm, strlen(nm)) < 0)
            norm[0] = '\0';
        e->person_id = dupz(pid);
        e->name = dupz(nm);
        e->dob = dupz(r->dob);
        e->norm = dupz(norm);
        if (!e->person_id || !e->name || !e->dob || !e->norm)
            return JD_ENOMEM;
    }
    e->is_child = e->is_child || r->is_child;
    if (e->n_refs == e->cap_refs) {
        size_t nc = e->cap_refs ? e->cap_refs * 2 : 4;
        jd_ref *nr = realloc(e->refs, nc * sizeof *nr);
        if (!nr)
            return JD_ENOMEM;
        e->refs = nr;
        e->cap_refs = nc;
    }
    jd_ref *ref = &e->refs[e->n_refs];
    ref->agency = strdup(r->agency ? r->agency : "");
    ref->person_ref = strdup(r->person_ref ? r->person_ref : "");
    if (!ref->agency || !ref->person_ref) {
        free((char *)ref->agency);
        free((char *)ref->person_ref);
        return JD_ENOMEM;
    }
    e->n_refs++;
    return 0;
}

void jd_person_index_close(jd_person_index *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++) {
        pentry *e = &x->p[i];
        free(e->person_id);
        free(e->name);
        free(e->dob);
        free(e->norm);
        for (size_t j = 0; j < e->n_refs; j++) {
            free((char *)e->refs[j].agency);
            free((char *)e->refs[j].person_ref);
        }
        free(e->refs);
    }
    free(x->p);
    free(x->by_id);
    free(x);
}

static int cmp_by_id(const void *a, const void *b, void *ctx)
{
    const jd_person_index *x = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(x->p[i].person_id, x->p[j].person_id);
    return c ? c : (i > j) - (i < j); /* equal ids: the first entry first, as a scan finds it */
}

int jd_person_index_open(jd_person_index **out, jd_store *s, jd_error *err)
{
    if (!out || !s)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    jd_person_index *x = calloc(1, sizeof *x);
    if (!x)
        return jd_oom(err);
    int rc = s->ops->identity_rows(s, on_row, x, err);
    if (rc == JD_ENOMEM)
        jd_oom(err);
    if (rc < 0) {
        jd_person_index_close(x);
        return rc;
    }
    /* Person ids sorted, so that a page naming many people looks each up in
     * O(log n) (the work queues name every alert's subject). */
    x->by_id = malloc((x->n ? x->n : 1) * sizeof *x->by_id);
    if (!x->by_id) {
        jd_person_index_close(x);
        return jd_oom(err);
    }
    for (size_t i = 0; i < x->n; i++)
        x->by_id[i] = i;
    qsort_r(x->by_id, x->n, sizeof *x->by_id, cmp_by_id, x);
    *out = x;
    return JD_OK;
}

size_t jd_person_index_size(const jd_person_index *x)
{
    return x ? x->n : 0;
}

static void summary(const pentry *e, double score, jd_person_summary *o)
{
    *o = (jd_person_summary){.person_id = e->person_id,
                             .name = e->name,
                             .dob = e->dob,
                             .is_child = e->is_child,
                             .refs = e->refs,
                             .n_refs = e->n_refs,
                             .score = score};
}

static bool ref_is(const jd_ref *r, const char *q)
{
    size_t al = strlen(r->agency);
    if (!strncasecmp(q, r->agency, al) && q[al] == ':' && !strcmp(q + al + 1, r->person_ref))
        return true;
    return false;
}

int jd_person_index_get(const jd_person_index *x, const char *person, jd_person_summary *out)
{
    if (!x || !person || !out)
        return JD_EINVALID;
    if (!strchr(person, ':') && x->by_id) { /* a person id: only ids can match */
        size_t lo = 0, hi = x->n; /* the first entry not below person */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(x->p[x->by_id[mid]].person_id, person) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < x->n && !strcmp(x->p[x->by_id[lo]].person_id, person)) {
            summary(&x->p[x->by_id[lo]], 1, out);
            return JD_OK;
        }
        return JD_ENOTFOUND;
    }
    for (size_t i = 0; i < x->n; i++) {
        const pentry *e = &x->p[i];
        if (!strcmp(e->person_id, person)) {
            summary(e, 1, out);
            return JD_OK;
        }
        for (size_t j = 0; j < e->n_refs; j++)
            if (ref_is(&e->refs[j], person)) {
                summary(e, 1, out);
                return JD_OK;
            }
    }
    return JD_ENOTFOUND;
}

/* "DD/MM/YYYY" -> "YYYY-MM-DD"; "YYYY-MM-DD" kept; else false. */
static bool as_date(const char *q, char out[11])
{
    int d, m, y;
    char tail;
    if (sscanf(q, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 ||
        sscanf(q, "%2d/%2d/%4d%c", &d, &m, &y, &tail) == 3) {
        if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
            return false;
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
        return true;
    }
    return false;
}

/* Do two name words sound alike (Double Metaphone, either code)? */
static bool sounds_alike(const char *a, size_t al, const char *b, size_t bl)
{
    char ap[JD_PHON_MAX + 1], aa[JD_PHON_MAX + 1], bp[JD_PHON_MAX + 1], ba[JD_PHON_MAX + 1];
    jd_phon__double_metaphone(a, al, ap, aa);
    jd_phon__double_metaphone(b, bl, bp, ba);
    if (!*ap || !*bp)
        return false;
    return !strcmp(ap, bp) || !strcmp(ap, ba) || !strcmp(aa, bp) || !strcmp(aa, ba);
}

/* How well one query word matches one name word, 0 to 1: Jaro-Winkler; a
 * prefix of three letters or more ("Rebec"), an initial ("W") or a word
 * that sounds the same and is spelt close ("Eva" for "Ava") counts 0.9. */
static double word_score(const char *q, size_t ql, const char *n, size_t nl)
{
    double s = jd_cmp__jaro_winkler(q, ql, n, nl);
    if (s >= 0.9)
        return s;
    if (ql < nl && !strncmp(q, n, ql) && (ql >= 3 || ql == 1))
        return 0.9;
    if (s >= 0.6 && ql >= 2 && sounds_alike(q, ql, n, nl))
        return 0.9;
    return s;
}

/* Score of the query words against the name words: every query word must
 * match one name word; the score is their mean similarity. An initial
 * counts only as the last word ("Ava W"), never alone. */
static double name_score(const char *qn, const char *nn)
{
    if (!*qn || !*nn)
        return 0;
    double sum = 0;
    int words = 0, long_words = 0;
    const char *q = qn;
    while (*q) {
        while (*q == ' ')
            q++;
        size_t ql = strcspn(q, " ");
        if (!ql)
            break;
        double best = 0;
        const char *n = nn;
        while (*n) {
            while (*n == ' ')
                n++;
            size_t nl = strcspn(n, " ");
            if (!nl)
                break;
            double s = word_score(q, ql, n, nl);
            if (s > best)
                best = s;
            n += nl;
        }
        if (best < 0.85)
            return 0;
        sum += best;
        words++;
        long_words += ql > 1;
        q += ql;
    }
    return long_words ? sum / words : 0;
}

/* Split a query into a date of birth (the first word that is one) and the
 * rest: "Ava Wilson 16/03/1993" -> "1993-03-16" and "Ava Wilson". */
static bool split_date(const char *q, char date[11], char *rest, size_t cap)
{
    bool found = false;
    size_t o = 0;
    rest[0] = '\0';
    const char *p = q;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t l = strcspn(p, " ,");
        if (!l)
            break;
        char w[32];
        if (!found && l < sizeof w) {
            memcpy(w, p, l);
            w[l] = '\0';
            if (as_date(w, date)) {
                found = true;
                p += l;
                continue;
            }
        }
        if (o + l + 2 < cap) {
            if (o)
                rest[o++] = ' ';
            memcpy(rest + o, p, l);
            o += l;
            rest[o] = '\0';
        }
        p += l;
    }
    return found;
}

typedef struct hit {
    size_t i;
    double score;
} hit;

static int by_score(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

size_t jd_person_index_search(const jd_person_index *x, const char *query, jd_person_summary *out,
                              size_t max)
{
    if (!x || !query || !out || !max)
        return 0;
    char q[NAME_NORM_MAX], date[11];
    size_t ql = strlen(query);
    while (ql && query[ql - 1] == ' ')
        ql--;
    while (ql && *query == ' ')
        query++, ql--;
    if (!ql || ql >= NAME_NORM_MAX)
        return 0;
    memcpy(q, query, ql);
    q[ql] = '\0';
    char rest[NAME_NORM_MAX];
    bool is_date = split_date(q, date, rest, sizeof rest);
    char qn[NAME_NORM_MAX];
    if (!is_date)
        snprintf(rest, sizeof rest, "%s", q);
    if (!*rest || jd_names__normalise(qn, sizeof qn, rest, strlen(rest)) < 0)
        qn[0] = '\0';
    hit *h = malloc((max + 1) * sizeof *h);
    if (!h)
        return 0;
    size_t nh = 0;
    for (size_t i = 0; i < x->n; i++) {
        const pentry *e = &x->p[i];
        double s = 0;
        if (!strcasecmp(e->person_id, q))
            s = 1;
        for (size_t j = 0; s < 1 && j < e->n_refs; j++)
            if (ref_is(&e->refs[j], q) || !strcmp(e->refs[j].person_ref, q))
                s = 1;
        if (s < 1 && is_date) {
            /* a date of birth alone, or with a name that must match too */
            if (strcmp(e->dob, date) != 0)
                continue;
            s = *qn ? name_score(qn, e->norm) : 0.95;
        } else if (s == 0 && *qn) {
            s = name_score(qn, e->norm);
        }
        if (s <= 0)
            continue;
        /* Keep the best `max` in h[0..nh), sorted. */
        if (nh == max && s <= h[nh - 1].score)
            continue;
        size_t k = nh < max ? nh++ : nh - 1;
        h[k] = (hit){i, s};
        qsort(h, nh, sizeof *h, by_score);
    }
    for (size_t k = 0; k < nh; k++)
        summary(&x->p[h[k].i], h[k].score, &out[k]);
    free(h);
    return nh;
}

int jd_alerts_stored(jd_store *s, bool *ran, int (*cb)(const char *doc, void *payload),
                     void *payload, jd_error *err)
{
    if (!s || !ran || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return s->ops->alerts_read(s, ran, cb, payload, err);
}

int jd_alert_acknowledge(jd_store *s, const char *alert_id, const char *by, const char *note,
                         jd_error *err)
{
    if (!s || !s->ops->account)
        return jd_error_set(err, JD_EINVALID, "this store has no acknowledgements");
    if (!alert_id || !*alert_id || strlen(alert_id) > 200 || !by || !*by)
        return jd_error_set(err, JD_EINVALID, "an acknowledgement needs an alert and a user");
    if (!note || !*note || strlen(note) > 1000)
        return jd_error_set(err, JD_EINVALID, "a note of 1 to 1000 characters is needed");
    return s->ops->account->ack_add(s, alert_id, by, note, (int64_t)time(NULL), err);
}

int jd_alert_acks(jd_store *s,
                  int (*cb)(const char *alert_id, const char *by, int64_t at, const char *note,
                            void *payload),
                  void *payload, jd_error *err)
{
    if (!s || !s->ops->account || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return s->ops->account->ack_list(s, cb, payload, err);
}

/* ---- equality monitoring ---- */

typedef struct eq_group {
    char *ethnicity;
    int64_t children, at_risk;
} eq_group;

typedef struct eq_ctx {
    const char **risk; /* sorted */
    size_t n_risk;
    eq_group *g;
    size_t ng, capg;
    char *pid, *best; /* the child being read and its most frequent value */
    int64_t best_n;
} eq_ctx;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Count the child of x->pid in its group. */
static int eq_flush(eq_ctx *x)
{
    if (!x->pid)
        return JD_OK;
    const char *e = x->best && *x->best ? x->best : "not recorded";
    size_t i = 0;
    while (i < x->ng && strcmp(x->g[i].ethnicity, e) != 0)
        i++;
    if (i == x->ng) {
        if (x->ng == x->capg) {
            size_t nc = x->capg ? x->capg * 2 : 16;
            eq_group *ng = realloc(x->g, nc * sizeof *ng);
            if (!ng)
                return JD_ENOMEM;
            x->g = ng;
            x->capg = nc;
        }
        x->g[i] = (eq_group){strdup(e), 0, 0};
        if (!x->g[i].ethnicity)
            return JD_ENOMEM;
        x->ng++;
    }
    x->g[i].children++;
    const char *key = x->pid;
    if (x->n_risk && bsearch(&key, x->risk, x->n_risk, sizeof *x->risk, cmp_str))
        x->g[i].at_risk++;
    free(x->pid);
    free(x->best);
    x->pid = x->best = NULL;
    x->best_n = 0;
    return JD_OK;
}

static int eq_row(const char *person_id, const char *ethnicity, int64_t n, void *payload)
{
    eq_ctx *x = payload;
    if (!person_id)
        return JD_OK;
    if (!x->pid || strcmp(x->pid, person_id) != 0) {
        int rc = eq_flush(x);
        if (rc < 0)
            return rc;
        if (!(x->pid = strdup(person_id)))
            return JD_ENOMEM;
    }
    /* rows come by ethnicity within a child: ">" keeps the first of a tie */
    if (ethnicity && *ethnicity && n > x->best_n) {
        free(x->best);
        if (!(x->best = strdup(ethnicity)))
            return JD_ENOMEM;
        x->best_n = n;
    }
    return JD_OK;
}

static int cmp_group(const void *a, const void *b)
{
    const eq_group *x = a, *y = b;
    bool nx = !strcmp(x->ethnicity, "not recorded"), ny = !strcmp(y->ethnicity, "not recorded");
    if (nx != ny)
        return nx ? 1 : -1;
    return strcmp(x->ethnicity, y->ethnicity);
}

int jd_equality_monitor(jd_store *s, const char *const *at_risk, size_t n_at_risk,
                        int (*cb)(const jd_equality_group *g, void *payload), void *payload,
                        jd_error *err)
{
    if (!s || !cb || (n_at_risk && !at_risk))
        return jd_error_set(err, JD_EINVALID, "bad argument");
    eq_ctx x = {0};
    int rc = JD_OK;
    if (n_at_risk) {
        x.risk = malloc(n_at_risk * sizeof *x.risk);
        if (!x.risk)
            return jd_oom(err);
        size_t k = 0;
        for (size_t i = 0; i < n_at_risk; i++)
            if (at_risk[i])
                x.risk[k++] = at_risk[i];
        x.n_risk = k;
        qsort(x.risk, x.n_risk, sizeof *x.risk, cmp_str);
    }
    rc = s->ops->ethnicity_rows(s, eq_row, &x, err);
    if (rc == JD_OK)
        rc = eq_flush(&x);
    if (rc == JD_ENOMEM)
        jd_oom(err);
    if (rc == JD_OK) {
        if (x.ng > 1)
            qsort(x.g, x.ng, sizeof *x.g, cmp_group);
        for (size_t i = 0; i < x.ng && rc == JD_OK; i++) {
            jd_equality_group g = {x.g[i].ethnicity, x.g[i].children, x.g[i].at_risk};
            rc = cb(&g, payload);
        }
    }
    for (size_t i = 0; i < x.ng; i++)
        free(x.g[i].ethnicity);
    free(x.g);
    free(x.pid);
    free(x.best);
    free(x.risk);
    return rc;
}
