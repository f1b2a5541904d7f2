/* Unit tests for the read-side queries: the person index (fuzzy names,
 * dates of birth, references, bad input), stored alerts, acknowledgements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include <joindots/analyse.h>
#include <joindots/feed.h>
#include <joindots/identity.h>
#include <joindots/ingest.h>
#include <joindots/link.h>
#include <joindots/identity_export.h>
#include <joindots/resolve.h>
#include <joindots/query.h>
#include <joindots/synth.h>

#include "query/query_internal.h"

#include <jansson.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fx {
    char path[64];
    jd_store *s;
    jd_person_index *idx;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    const char *root = getenv("JD_SOURCE_ROOT");
    char bundle[1024];
    snprintf(bundle, sizeof bundle, "%s/tests/data/bundles/alerts", root ? root : ".");
    if (jd_global_init() < 0 ||
        scratch_store_open(&f->s, f->path, sizeof f->path, "query") != JD_OK)
        return -1;
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t;
    const char *b[] = {bundle};
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    if (jd_ingest_bundles(f->s, b, 1, &io, &t, NULL) != JD_OK ||
        jd_resolve(f->s, &ro, NULL, NULL) != JD_OK ||
        jd_person_index_open(&f->idx, f->s, NULL) != JD_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    jd_person_index_close(f->idx);
    scratch_store_close(f->s, f->path);
    free(f);
    return 0;
}

static bool finds(fx *f, const char *q, const char *name)
{
    jd_person_summary out[10];
    size_t n = jd_person_index_search(f->idx, q, out, 10);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(out[i].name, name))
            return true;
    return false;
}

static void test_query__search(void **state)
{
    fx *f = *state;
    assert_true(jd_person_index_size(f->idx) > 0);
    assert_true(finds(f, "Amy Hart", "Amy Hart"));
    assert_true(finds(f, "amy hart", "Amy Hart"));
    assert_true(finds(f, "Aimy Hartt", "Amy Hart")); /* misspelt */
    assert_true(finds(f, "Har", "Amy Hart"));        /* a prefix */
    assert_true(finds(f, "01/05/1992", "Amy Hart")); /* UK date order */
    assert_true(finds(f, "1992-05-01", "Amy Hart"));
    assert_true(finds(f, "csc:C-1", "Amy Hart")); /* agency reference */
    assert_true(finds(f, "N1", "Amy Hart"));      /* bare reference */
    assert_false(finds(f, "Zebedee Quartermain", "Amy Hart"));
    jd_person_summary out[3], one;
    /* issue 18: a first name that sounds the same ("Eimy" for "Amy"), an
     * initial for the surname, a name with a date of birth. */
    assert_true(finds(f, "Eimy Hart", "Amy Hart"));
    assert_true(finds(f, "Amy H", "Amy Hart"));
    assert_true(finds(f, "Amy Hart 01/05/1992", "Amy Hart"));
    assert_true(finds(f, "01/05/1992 amy", "Amy Hart"));
    assert_false(finds(f, "Amy Hart 02/05/1992", "Amy Hart")); /* another date of birth */
    assert_false(finds(f, "H", "Amy Hart"));                     /* an initial alone */
    assert_false(finds(f, "Amy Q", "Amy Hart"));                 /* the wrong initial */
    /* Exact references score 1 and come first. */
    assert_true(jd_person_index_search(f->idx, "csc:C-1", out, 3) >= 1);
    assert_true(out[0].score == 1.0);
    assert_int_equal(jd_person_index_get(f->idx, out[0].person_id, &one), JD_OK);
    assert_string_equal(one.name, out[0].name);
    assert_int_equal(jd_person_index_get(f->idx, "police:N1", &one), JD_OK);
    assert_true(one.n_refs >= 2);
}

static void test_query__bad_input(void **state)
{
    fx *f = *state;
    jd_person_summary out[5], one;
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(jd_person_index_search(f->idx, "", out, 5), 0);
    assert_int_equal(jd_person_index_search(f->idx, "   ", out, 5), 0);
    assert_int_equal(jd_person_index_search(f->idx, big, out, 5), 0);
    assert_int_equal(jd_person_index_search(f->idx, NULL, out, 5), 0);
    assert_int_equal(jd_person_index_search(f->idx, "amy", out, 0), 0);
    assert_int_equal(jd_person_index_search(f->idx, "'; DROP TABLE event;--", out, 5), 0);
    assert_int_equal(jd_person_index_search(f->idx, "32/13/1992", out, 5), 0);
    assert_int_equal(jd_person_index_get(f->idx, "P999999", &one), JD_ENOTFOUND);
    assert_int_equal(jd_person_index_get(f->idx, "csc:", &one), JD_ENOTFOUND);
    /* Never more than asked for. */
    assert_true(jd_person_index_search(f->idx, "a", out, 1) <= 1);
}

/* jd_person_now_get reads a person as the index built from the same
 * identities has it: id, refs (as sets), and by the keys the index takes. */
static void same_as_index(fx *f, const char *key)
{
    jd_person_summary want;
    jd_person_now *p = NULL;
    int rc = jd_person_now_get(f->s, f->idx, key, &p, NULL);
    if (jd_person_index_get(f->idx, key, &want) != JD_OK) {
        assert_int_equal(rc, JD_ENOTFOUND);
        assert_null(p);
        return;
    }
    assert_int_equal(rc, JD_OK);
    const jd_person_summary *got = jd_person_now_summary(p);
    assert_string_equal(got->person_id, want.person_id);
    assert_string_equal(got->name, want.name);
    assert_int_equal(got->n_refs, want.n_refs);
    for (size_t i = 0; i < got->n_refs; i++) {
        bool in = false;
        for (size_t j = 0; j < want.n_refs; j++)
            in = in || (!strcmp(got->refs[i].agency, want.refs[j].agency) &&
                        !strcmp(got->refs[i].person_ref, want.refs[j].person_ref));
        assert_true(in);
    }
    jd_person_now_free(p);
}

static void test_query__person_now(void **state)
{
    fx *f = *state;
    jd_person_summary hits[300];
    size_t n = 0;
    for (int k = 1; k <= 250; k++) { /* every resolved person id that exists */
        char id[16];
        snprintf(id, sizeof id, "P%06d", k);
        if (jd_person_index_get(f->idx, id, &hits[n]) == JD_OK)
            n++;
        else
            same_as_index(f, id); /* none there either */
    }
    n += jd_person_index_search(f->idx, "Hart", hits + n, 300 - n);
    n += jd_person_index_search(f->idx, "Cole", hits + n, 300 - n);
    assert_true(n > 3);
    size_t unresolved = 0;
    for (size_t i = 0; i < n; i++) {
        same_as_index(f, hits[i].person_id);
        unresolved += !strncmp(hits[i].person_id, "U:", 2);
        for (size_t j = 0; j < hits[i].n_refs; j++) {
            char key[200];
            snprintf(key, sizeof key, "%s:%s", hits[i].refs[j].agency, hits[i].refs[j].person_ref);
            same_as_index(f, key);
            for (char *c = key; *c != ':'; c++)
                *c = (char)(*c ^ 0x20); /* the agency in the other case */
            same_as_index(f, key);
        }
    }
    const char *none[] = {"P999999", "csc:", "csc:no-such-ref", "U:csc:no-such-ref", "U:csc", ":", "U:"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        same_as_index(f, none[i]);
    jd_person_now *p = NULL;
    assert_int_equal(jd_person_now_get(f->s, f->idx, "P999999", &p, NULL), JD_ENOTFOUND);
    assert_int_equal(jd_person_now_get(NULL, f->idx, "P000001", &p, NULL), JD_EINVALID);
    assert_int_equal(jd_person_now_get(f->s, f->idx, NULL, &p, NULL), JD_EINVALID);
    assert_null(p);
    /* a resolved ref named by the unresolved id it no longer has */
    char uid[200];
    snprintf(uid, sizeof uid, "U:%s:%s", hits[0].refs[0].agency, hits[0].refs[0].person_ref);
    if (strncmp(hits[0].person_id, "U:", 2) != 0) {
        assert_int_equal(jd_person_now_get(f->s, f->idx, uid, &p, NULL), JD_ENOTFOUND);
        assert_null(p);
    }
    /* without an index for names: the identity's own */
    assert_int_equal(jd_person_now_get(f->s, NULL, hits[0].person_id, &p, NULL), JD_OK);
    assert_string_equal(jd_person_now_summary(p)->person_id, hits[0].person_id);
    jd_person_now_free(p);
    print_message("# person_now: %zu persons (%zu unresolved) as the index has them\n", n,
                  unresolved);
}

static int count_doc(const char *doc, void *payload)
{
    (*(int *)payload)++;
    assert_non_null(strstr(doc, "\"id\""));
    return 0;
}

typedef struct acks {
    int n;
    char last[128];
} acks;

static int on_ack(const char *id, const char *by, int64_t at, const char *note, void *payload)
{
    acks *a = payload;
    a->n++;
    snprintf(a->last, sizeof a->last, "%s|%s|%s", id, by, note);
    assert_true(at > 0);
    return 0;
}

static void test_query__alerts_and_acks(void **state)
{
    fx *f = *state;
    bool ran = true;
    int n = 0;
    jd_error err;
    assert_int_equal(jd_alerts_stored(f->s, &ran, count_doc, &n, &err), JD_OK);
    assert_false(ran);
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    assert_int_equal(jd_analyse(f->s, &ao, NULL, NULL, &err), JD_OK);
    assert_int_equal(jd_alerts_stored(f->s, &ran, count_doc, &n, &err), JD_OK);
    assert_true(ran);
    assert_true(n > 0);
    assert_int_equal(jd_alert_acknowledge(f->s, "child_at_risk:P1", "pat", "", &err), JD_EINVALID);
    assert_int_equal(jd_alert_acknowledge(f->s, "", "pat", "note", &err), JD_EINVALID);
    assert_int_equal(jd_alert_acknowledge(f->s, "child_at_risk:P1", "pat", "seen; 'quoted'", &err),
                     JD_OK);
    assert_int_equal(jd_alert_acknowledge(f->s, "child_at_risk:P1", "sam", "strategy booked", &err),
                     JD_OK);
    acks a = {0};
    assert_int_equal(jd_alert_acks(f->s, on_ack, &a, &err), JD_OK);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.last, "child_at_risk:P1|sam|strategy booked");
}

typedef struct since_rows {
    int n, docs;
    char ids[64][128];
} since_rows;

static int on_since(const char *id, const char *doc, void *payload)
{
    since_rows *r = payload;
    assert_non_null(id);
    if (r->n < 64)
        snprintf(r->ids[r->n], sizeof r->ids[0], "%s", id);
    r->n++;
    r->docs += doc != NULL;
    if (doc)
        assert_non_null(strstr(doc, id)); /* the document is its id's */
    return 0;
}

/* Every alert's id in jd_alerts_stored's order; documents only of runs
 * after the one given. */
static void test_query__alerts_since(void **state)
{
    fx *f = *state;
    jd_error err;
    since_rows a = {0}, b = {0}, c = {0};
    assert_int_equal(jd_alerts_stored_since(f->s, 0, NULL, NULL, &err), JD_EINVALID);
    assert_int_equal(jd_alerts_stored_since(NULL, 0, on_since, &a, &err), JD_EINVALID);
    assert_int_equal(jd_alerts_stored_since(f->s, 0, on_since, &a, &err), JD_OK);
    assert_int_equal(a.n, 0); /* never analysed */
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    assert_int_equal(jd_analyse(f->s, &ao, NULL, NULL, &err), JD_OK);
    int64_t run = 0;
    assert_int_equal(jd_live_generation(f->s, &run, NULL, &err), JD_OK);
    assert_true(run > 0);
    assert_int_equal(jd_alerts_stored_since(f->s, run - 1, on_since, &a, &err), JD_OK);
    assert_true(a.n > 0 && a.n <= 64);
    assert_int_equal(a.docs, a.n); /* all written by the run after run - 1 */
    assert_int_equal(jd_alerts_stored_since(f->s, run, on_since, &b, &err), JD_OK);
    assert_int_equal(b.n, a.n);
    assert_int_equal(b.docs, 0); /* none written after it */
    for (int i = 0; i < a.n; i++)
        assert_string_equal(a.ids[i], b.ids[i]);
    for (int i = 1; i < a.n; i++)
        assert_true(strcmp(a.ids[i - 1], a.ids[i]) < 0);
    assert_int_equal(jd_analyse(f->s, &ao, NULL, NULL, &err), JD_OK); /* rewrites them all */
    assert_int_equal(jd_alerts_stored_since(f->s, run, on_since, &c, &err), JD_OK);
    assert_int_equal(c.n, a.n);
    assert_int_equal(c.docs, a.n);
}

typedef struct groups {
    int n;
    char names[8][40];
    int64_t children[8], at_risk[8];
} groups;

static int on_group(const jd_equality_group *g, void *payload)
{
    groups *x = payload;
    if (x->n < 8) {
        snprintf(x->names[x->n], sizeof x->names[x->n], "%s", g->ethnicity);
        x->children[x->n] = g->children;
        x->at_risk[x->n] = g->at_risk;
    }
    x->n++;
    return 0;
}

static void test_query__equality(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_person_summary amy;
    jd_person_summary out[4];
    assert_true(jd_person_index_search(f->idx, "Amy Hart", out, 4) >= 1);
    amy = out[0];
    assert_true(amy.is_child);
    /* Amy (White British) is at risk; an id that is no child counts nowhere. */
    const char *risk[] = {"P999999", amy.person_id};
    groups g = {0};
    assert_int_equal(jd_equality_monitor(f->s, risk, 2, on_group, &g, &err), JD_OK);
    assert_true(g.n >= 2 && g.n <= 8);
    int64_t total = 0, flagged = 0;
    int wb = -1, ap = -1;
    for (int i = 0; i < g.n; i++) {
        total += g.children[i];
        flagged += g.at_risk[i];
        if (!strcmp(g.names[i], "White British"))
            wb = i;
        if (!strcmp(g.names[i], "Asian Pakistani"))
            ap = i;
        if (i > 0 && strcmp(g.names[i], "not recorded") != 0)
            assert_true(strcmp(g.names[i - 1], g.names[i]) < 0); /* by ethnicity */
    }
    assert_true(wb >= 0 && ap >= 0);
    assert_int_equal(g.at_risk[wb], 1);
    assert_int_equal(g.at_risk[ap], 0);
    assert_int_equal(flagged, 1);
    assert_true(total >= 2);
    /* nobody at risk: every rate is zero; bad arguments are refused */
    groups none = {0};
    assert_int_equal(jd_equality_monitor(f->s, NULL, 0, on_group, &none, &err), JD_OK);
    assert_int_equal(none.n, g.n);
    for (int i = 0; i < none.n && i < 8; i++)
        assert_int_equal(none.at_risk[i], 0);
    assert_int_equal(jd_equality_monitor(f->s, NULL, 1, on_group, &none, &err), JD_EINVALID);
    assert_int_equal(jd_equality_monitor(f->s, risk, 2, NULL, NULL, &err), JD_EINVALID);
}

/* The analysis counts what the board's dashboard shows. */
static void test_query__board_counts(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    jd_analyse_stats st;
    assert_int_equal(jd_analyse(f->s, &ao, NULL, &st, &err), JD_OK);
    assert_true(st.returns_due >= st.returns_interviewed_72h);
    assert_true(st.crimes_disclosed >= st.crimes_recorded);
    /* every disclosure without a recorded crime is an unrecorded_crime alert,
     * every return without an interview in time an overdue one */
    assert_int_equal(st.crimes_disclosed - st.crimes_recorded,
                     st.by_kind[JD_ALERT_UNRECORDED_CRIME]);
    assert_int_equal(st.returns_due - st.returns_interviewed_72h,
                     st.by_kind[JD_ALERT_OVERDUE_RETURN_INTERVIEW]);
    assert_true(st.returns_due > 0);
    assert_true(st.crimes_disclosed > 0);
}

/* The counts an analysis stores with its run are those it returned, and
 * are read back instead of analysing again (issue 17: the server's board
 * ran a whole analysis at start for them); a run that saves nothing leaves
 * the stored ones as they were, and a store never analysed has none. */
static void test_query__stored_counts(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_analyse_stats st, back;
    assert_int_equal(jd_analyse_stats_stored(f->s, &back, &err), JD_ENOTFOUND);
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    assert_int_equal(jd_analyse(f->s, &ao, NULL, &st, &err), JD_OK);
    memset(&back, 0xff, sizeof back);
    assert_int_equal(jd_analyse_stats_stored(f->s, &back, &err), JD_OK);
    assert_int_equal(back.children, st.children);
    assert_int_equal(back.alerts, st.alerts);
    assert_int_equal(back.events, st.events);
    assert_int_equal(back.returns_due, st.returns_due);
    assert_int_equal(back.returns_interviewed_72h, st.returns_interviewed_72h);
    assert_int_equal(back.crimes_disclosed, st.crimes_disclosed);
    assert_int_equal(back.crimes_recorded, st.crimes_recorded);
    for (int k = 0; k < JD_ALERT_KINDS; k++)
        assert_int_equal(back.by_kind[k], st.by_kind[k]);
    for (int k = 0; k < 5; k++)
        assert_int_equal(back.by_level[k], st.by_level[k]);
    assert_true(st.returns_due > 0 && st.children > 0);
    /* a run that writes nothing counts the same and stores nothing new */
    jd_analyse_stats fresh;
    ao.save = false;
    assert_int_equal(jd_analyse(f->s, &ao, NULL, &fresh, &err), JD_OK);
    assert_int_equal(fresh.returns_due, back.returns_due);
    assert_int_equal(fresh.crimes_disclosed, back.crimes_disclosed);
    assert_int_equal(fresh.children, back.children);
    assert_int_equal(jd_analyse_stats_stored(f->s, &back, &err), JD_OK);
    /* an as-of run saves alerts of another time: its counts are not those */
    ao.save = true;
    ao.as_of = 1000000000; /* 2001 */
    assert_int_equal(jd_analyse(f->s, &ao, NULL, &fresh, &err), JD_OK);
    assert_int_equal(jd_analyse_stats_stored(f->s, &back, &err), JD_ENOTFOUND);
    assert_int_equal(jd_analyse_stats_stored(NULL, &back, &err), JD_EINVALID);
}

typedef struct about_ctx {
    const char *pid;
    char ids[4096];
    int n;
} about_ctx;

/* Collects the ids of the alerts about ctx->pid (subject or member). */
static int about_doc(const char *doc, void *payload)
{
    about_ctx *x = payload;
    json_t *a = json_loads(doc, 0, NULL), *m;
    const char *s = json_string_value(json_object_get(json_object_get(a, "subject"), "person_id"));
    bool hit = s && !strcmp(s, x->pid);
    size_t i;
    json_array_foreach(json_object_get(a, "members"), i, m)
    {
        const char *mp = json_string_value(json_object_get(m, "person_id"));
        hit = hit || (mp && !strcmp(mp, x->pid));
    }
    if (hit) {
        size_t l = strlen(x->ids);
        snprintf(x->ids + l, sizeof x->ids - l, "%s|",
                 json_string_value(json_object_get(a, "id")));
        x->n++;
    }
    json_decref(a);
    return 0;
}

typedef struct subj_ctx {
    char pids[64][16];
    int n;
} subj_ctx;

static int subj_doc(const char *doc, void *payload)
{
    subj_ctx *x = payload;
    json_t *a = json_loads(doc, 0, NULL), *m;
    const char *ids[64];
    size_t k = 0, i;
    const char *s = json_string_value(json_object_get(json_object_get(a, "subject"), "person_id"));
    if (s)
        ids[k++] = s;
    json_array_foreach(json_object_get(a, "members"), i, m)
    {
        if (k < 64 && json_string_value(json_object_get(m, "person_id")))
            ids[k++] = json_string_value(json_object_get(m, "person_id"));
    }
    for (size_t j = 0; j < k; j++) {
        bool seen = false;
        for (int t = 0; t < x->n; t++)
            seen = seen || !strcmp(x->pids[t], ids[j]);
        if (!seen && x->n < 64)
            snprintf(x->pids[x->n++], sizeof x->pids[0], "%s", ids[j]);
    }
    json_decref(a);
    return 0;
}

/* Collects the members of network alerts (who are no alert's subject). */
static int member_doc(const char *doc, void *payload)
{
    subj_ctx *x = payload;
    json_t *a = json_loads(doc, 0, NULL), *m;
    size_t i;
    json_array_foreach(json_object_get(a, "members"), i, m)
    {
        const char *mp = json_string_value(json_object_get(m, "person_id"));
        if (mp && x->n < 64)
            snprintf(x->pids[x->n++], sizeof x->pids[0], "%s", mp);
    }
    json_decref(a);
    return 0;
}

/* alerts_about finds for each of these persons what a walk of every alert
 * finds; returns how many have some. */
static int same_about(jd_store *s, const subj_ctx *sc)
{
    jd_error err;
    bool ran = false;
    int with_alerts = 0;
    for (int i = 0; i < sc->n; i++) {
        about_ctx all = {.pid = sc->pids[i]}, some = {.pid = sc->pids[i]};
        assert_int_equal(jd_alerts_stored(s, &ran, about_doc, &all, &err), JD_OK);
        assert_int_equal(jd_query__alerts_about(s, sc->pids[i], about_doc, &some, &err), JD_OK);
        assert_string_equal(some.ids, all.ids);
        with_alerts += all.n > 0;
    }
    return with_alerts;
}

/* The alerts a person's summary reads by the subject index are those about
 * her among all the stored alerts (issue 17: the summary read every alert of
 * the county for each child), the networks' members included, in id order. */
static void test_query__alerts_about(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    jd_analyse_stats st;
    assert_int_equal(jd_analyse(f->s, &ao, NULL, &st, &err), JD_OK);
    subj_ctx sc = {.n = 0};
    bool ran = false;
    assert_int_equal(jd_alerts_stored(f->s, &ran, subj_doc, &sc, &err), JD_OK);
    assert_true(sc.n >= 1);
    assert_int_equal(same_about(f->s, &sc), sc.n);
    about_ctx none = {.pid = "P999999"};
    assert_int_equal(jd_query__alerts_about(f->s, "P999999", about_doc, &none, &err), JD_OK);
    assert_int_equal(none.n, 0);
    assert_int_equal(jd_query__alerts_about(f->s, NULL, about_doc, &none, &err), JD_EINVALID);
}

/* Search by the index of name words, ids, refs and dates finds exactly
 * what scoring every person finds (the same persons, order and scores), on
 * a synthetic county with its name noise: every word of many names, their
 * prefixes, misspellings, initials, dates of birth, ids and refs. */
/* jd_person_index_get by its sorted lookups finds whom a scan of every
 * entry finds: by id, by every ref "AGENCY:REF" (the agency in any case),
 * and nobody for a ref that is not there, a network's subject or a key cut
 * short. */
static void same_get(const jd_person_index *x, const char *key, size_t *found)
{
    jd_person_summary a, c;
    int ra = jd_person_index_get(x, key, &a), rc = jd_person_index__get_scan(x, key, &c);
    assert_int_equal(ra, rc);
    if (ra == JD_OK) {
        /* the same entry, not one with an equal id: entries own their strings */
        assert_ptr_equal(a.person_id, c.person_id);
        assert_ptr_equal(a.refs, c.refs);
        (*found)++;
    }
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Refs holding ':' ("a:b", "police:a:b"), one ref under two agencies and
 * under one agency in two cases, not resolved (ids "U:AGENCY:REF"): the
 * lookup splits "AGENCY:REF" at each ':' in turn, and a tie (the id
 * "U:police:x" and agency U's ref "police:x") goes as the scan decides. */
static void test_query__get_refs_with_colons(void **state)
{
    (void)state;
    char dir[] = "/tmp/jd-test-query-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    write_file(dir, "events.csv",
               "agency,record_id,event_type,occurred_at\n"
               "police,E1,other,2020-01-01\ncsc,E2,other,2020-01-02\n"
               "health,E3,other,2020-01-03\npolice,E4,other,2020-01-04\n"
               "POLICE,E9,other,2020-01-05\nU,E5,other,2020-01-06\n");
    write_file(dir, "persons.csv",
               "agency,record_id,person_ref,role,surname,forenames,dob,gender\n"
               "police,E1,a:b,subject,Ash,Ann,2010-01-01,F\n"
               "police,E1,A,subject,Bell,Bo,2011-01-01,M\n"
               "csc,E2,a:b,subject,Cole,Cy,2012-01-01,M\n"
               "health,E3,b,subject,Dee,Di,2013-01-01,F\n"
               "police,E4,x,subject,Eve,Em,2014-01-01,F\n"
               "csc,E2,police:a:b,subject,Fox,Fay,2015-01-01,F\n"
               "POLICE,E9,a:b,subject,Zed,Zoe,2016-01-01,F\n"
               "U,E5,police:x,subject,Gill,Gus,2017-01-01,M\n");
    jd_store *s = NULL;
    jd_error err;
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t;
    const char *b[] = {dir};
    jd_person_index *x = NULL;
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "qcolon"), JD_OK);
    assert_int_equal(jd_ingest_bundles(s, b, 1, &io, &t, NULL), JD_OK);
    assert_int_equal(jd_person_index_open(&x, s, &err), JD_OK);
    static const char *const keys[] = {"U:police:x", "u:police:x", "U:police:a:b",
        "police:a:b", "POLICE:a:b", "csc:a:b", "CSC:A:B", "csc:police:a:b", "CSC:police:a:b",
        "police:A", "police:a", "health:b", "HeAlTh:b", "police:x", "police:X", ":a:b", "a:b",
        "police:", "csc:police", "csc:police:a", "police:a:b:", "x:police:a:b"};
    size_t found = 0;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        same_get(x, keys[i], &found);
    /* 12 of the 22 keys find an entry (each the scan's) */
    assert_int_equal(found, 12);
    jd_person_summary p;
    assert_int_equal(jd_person_index_get(x, "csc:police:a:b", &p), JD_OK);
    assert_string_equal(p.name, "Fay Fox"); /* not police's "a:b" */
    assert_int_equal(jd_person_index_get(x, "csc:a:b", &p), JD_OK);
    assert_string_equal(p.name, "Cy Cole");
    jd_person_index_close(x);
    scratch_store_close(s, path);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void get_equals_scan(const jd_person_index *x, size_t n)
{
    size_t keys = 0, found = 0;
    for (size_t i = 1; i <= n; i++) {
        char id[32], k[200];
        jd_person_summary p;
        snprintf(id, sizeof id, "P%06zu", i);
        if (jd_person_index_get(x, id, &p) != JD_OK)
            continue;
        for (size_t j = 0; j < p.n_refs; j++, keys += 4) {
            snprintf(k, sizeof k, "%s:%s", p.refs[j].agency, p.refs[j].person_ref);
            same_get(x, k, &found);
            for (char *u = k; *u && *u != ':'; u++)
                *u = (char)toupper((unsigned char)*u);
            same_get(x, k, &found);
            snprintf(k, sizeof k, "%s:%s:x", p.refs[j].agency, p.refs[j].person_ref);
            same_get(x, k, &found);
            snprintf(k, sizeof k, "other_agency:%s", p.refs[j].person_ref);
            same_get(x, k, &found);
        }
    }
    static const char *const odd[] = {"exploitation_network:N000001", ":", "::", "police:",
                                      ":P000001", "P000001:", "csc:csc:1"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++, keys++)
        same_get(x, odd[i], &found);
    assert_true(keys > 1000);
    assert_true(found * 2 >= keys / 2); /* each ref, in either case */
}

static void test_query__search_index_equals_scan(void **state)
{
    (void)state;
    char dir[] = "/tmp/jd-test-query-XXXXXX", path[64], county[64];
    assert_non_null(mkdtemp(dir));
    snprintf(county, sizeof county, "%s/county", dir);
    jd_synth_opts so = JD_SYNTH_OPTS_INIT;
    so.seed = 7;
    so.children = 400;
    so.years = 4;
    jd_error err;
    jd_store *s = NULL;
    assert_int_equal(jd_synth_write(county, &so, NULL, &err), JD_OK);
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "qidx"), JD_OK);
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t;
    const char *b[] = {county};
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    jd_person_index *x = NULL;
    assert_int_equal(jd_ingest_bundles(s, b, 1, &io, &t, NULL), JD_OK);
    assert_int_equal(jd_resolve(s, &ro, NULL, NULL), JD_OK);
    assert_int_equal(jd_person_index_open(&x, s, &err), JD_OK);
    size_t n = jd_person_index_size(x);
    assert_true(n > 200);
    enum { MAXR = 500 };
    jd_person_summary *a = malloc(MAXR * sizeof *a), *c = malloc(MAXR * sizeof *c);
    assert_non_null(a);
    assert_non_null(c);
    size_t checked = 0, found = 0;
    for (size_t i = 0; i < 120; i++) {
        jd_person_summary p[1];
        char q[24][160];
        size_t nq = 0;
        char id[32];
        snprintf(id, sizeof id, "P%06zu", 1 + i * (n / 120));
        if (jd_person_index_get(x, id, p) != JD_OK)
            continue;
        const char *nm = p->name;
        size_t l1 = strcspn(nm, " ");
        snprintf(q[nq++], 160, "%s", nm);                    /* the whole name */
        snprintf(q[nq++], 160, "%.*s", (int)l1, nm);         /* the first word */
        snprintf(q[nq++], 160, "%s", nm + l1 + (nm[l1] == ' ')); /* the rest */
        snprintf(q[nq++], 160, "%.3s", nm);                  /* a prefix */
        snprintf(q[nq++], 160, "%.*s %c", (int)l1, nm, nm[l1] && nm[l1 + 1] ? nm[l1 + 1] : 'x'); /* initial */
        snprintf(q[nq++], 160, "%.*sa", (int)(l1 > 1 ? l1 - 1 : l1), nm); /* misspelt */
        /* typos: two letters swapped, one dropped, one doubled, one changed */
        char ty[160];
        snprintf(ty, sizeof ty, "%s", nm);
        size_t tl = strlen(ty);
        if (tl > 3) {
            char sw = ty[1];
            ty[1] = ty[2];
            ty[2] = sw;
            snprintf(q[nq++], 160, "%s", ty);
            snprintf(q[nq++], 160, "%.2s%s", nm, nm + 3);
            snprintf(q[nq++], 160, "%.3s%c%s", nm, nm[2], nm + 3);
            snprintf(q[nq++], 160, "%.*sq%s", (int)(tl / 2), nm, nm + tl / 2 + 1);
        }
        /* nicknames and short forms with the surname */
        static const char *const nick[] = {"Bill", "Liz", "Kate", "Jim", "Becky", "Alex"};
        const char *sur = strrchr(nm, ' ');
        snprintf(q[nq++], 160, "%s%s", nick[i % 6], sur ? sur : "");
        snprintf(q[nq++], 160, "%s", p->dob);                /* a date of birth */
        snprintf(q[nq++], 160, "%.*s %s", (int)l1, nm, p->dob);
        snprintf(q[nq++], 160, "%s", p->person_id);
        snprintf(q[nq++], 160, "p%s", p->person_id + 1);     /* an id in lower case */
        if (p->n_refs) {
            snprintf(q[nq++], 160, "%s:%s", p->refs[0].agency, p->refs[0].person_ref);
            snprintf(q[nq++], 160, "%s", p->refs[0].person_ref);
            /* the agency in capitals (ref_is ignores its case): still found by
             * its key although the search skips keys when none is the query */
            snprintf(q[nq], 160, "%s:%s", p->refs[0].agency, p->refs[0].person_ref);
            for (char *u = q[nq]; *u && *u != ':'; u++)
                *u = (char)toupper((unsigned char)*u);
            nq++;
        }
        for (size_t k = 0; k < nq; k++) {
            size_t na = jd_person_index_search(x, q[k], a, MAXR);
            size_t nc = jd_person_index__search_scan(x, q[k], c, MAXR);
            assert_int_equal(na, nc);
            for (size_t j = 0; j < na; j++) {
                assert_string_equal(a[j].person_id, c[j].person_id);
                assert_true(a[j].score == c[j].score);
            }
            checked++;
            found += na > 0;
        }
    }
    assert_true(checked > 1000);
    assert_true(found * 10 > checked * 8); /* most queries find someone */
    get_equals_scan(x, n);
    /* few results asked for: the best of them, the same */
    assert_int_equal(jd_person_index_search(x, "a", a, 3), jd_person_index__search_scan(x, "a", c, 3));
    /* the members of the county's networks: their alerts have no subject */
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    jd_analyse_stats st;
    assert_int_equal(jd_analyse(s, &ao, NULL, &st, &err), JD_OK);
    assert_true(st.by_kind[JD_ALERT_NETWORK] > 0);
    subj_ctx sc = {.n = 0};
    bool ran = false;
    assert_int_equal(jd_alerts_stored(s, &ran, member_doc, &sc, &err), JD_OK);
    assert_true(sc.n > 0);
    assert_int_equal(same_about(s, &sc), sc.n);
    free(a);
    free(c);
    jd_person_index_close(x);
    scratch_store_close(s, path);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Patch ix from run *gen to the store's last one (sort: with the lookups
 * sorted over every entry, jd_person_index__patch_sorted); equal to a full
 * build; *gen moves on. Returns the person_ids read again (SIZE_MAX:
 * whole). */
static size_t patch_equal(jd_store *s, jd_person_index **ix, int64_t *gen, bool sort)
{
    int64_t g = 0;
    size_t read = 0;
    jd_person_index *p = NULL, *full = NULL;
    assert_int_equal(jd_identity_generation(s, &g, NULL), JD_OK);
    assert_int_equal((sort ? jd_person_index__patch_sorted : jd_person_index_patch)(
                         *ix, s, *gen, g, &p, &read, NULL),
                     JD_OK);
    jd_person_index_close(*ix); /* first: p holds the entries it kept */
    *ix = p;
    *gen = g;
    assert_int_equal(jd_person_index_open(&full, s, NULL), JD_OK);
    assert_true(jd_person_index_equal(p, full));
    jd_person_index_close(full);
    return read;
}

/* A bundle of one call naming one new ref (call_handling:CLATE1), at dir. */
static void write_late(const char *dir)
{
    char path[160];
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/events.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("agency,record_id,event_type,occurred_at,reported_at,location,postcode,narrative,"
          "crime_recorded,crime_ref,outcome,author_role,risk_grade\n"
          "call_handling,CHLATE1,call_for_service,2024-07-01T21:00,,,OX4 1AB,"
          "Caller worried about a boy out late.,,,,call_handler,\n",
          f);
    assert_int_equal(fclose(f), 0);
    snprintf(path, sizeof path, "%s/persons.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("agency,record_id,person_ref,role,surname,forenames,known_as,dob,age,gender,address,"
          "postcode,phone,nhs_number,upn,ethnicity\n"
          "call_handling,CHLATE1,CLATE1,subject,Quillfeather,Ansel,,2011-05-02,,M,,OX4 1AB,,,,\n",
          f);
    assert_int_equal(fclose(f), 0);
}

/* Two persons of one ref each (not `not`), under different names, merged
 * by a decision: the patched index (equal to a full build) has one entry
 * holding both refs, and the person who lost every ref is gone. */
static void merge_two(jd_store *s, const jd_resolve_opts *ro, jd_person_index **ix, int64_t *gen,
                      const char *not)
{
    jd_person_summary a = {0}, b = {0};
    char ida[32] = "", idb[32] = "", ra[96], rb[96];
    for (int k = 1; k < 2000 && !*idb; k++) {
        char id[32];
        jd_person_summary p;
        snprintf(id, sizeof id, "P%06d", k);
        if (!strcmp(id, not) || jd_person_index_get(*ix, id, &p) != JD_OK || p.n_refs != 1)
            continue;
        if (!*ida) {
            a = p;
            snprintf(ida, sizeof ida, "%s", id);
        } else if (strcmp(p.name, a.name)) {
            b = p;
            snprintf(idb, sizeof idb, "%s", id);
        }
    }
    assert_true(*ida && *idb);
    snprintf(ra, sizeof ra, "%s:%s", a.refs[0].agency, a.refs[0].person_ref);
    snprintf(rb, sizeof rb, "%s:%s", b.refs[0].agency, b.refs[0].person_ref);
    size_t n0 = jd_person_index_size(*ix);
    jd_link_decision d = {a.refs[0], b.refs[0], true, "one person", "tester"};
    assert_int_equal(jd_link_decide(s, &d, NULL), JD_OK);
    assert_int_equal(jd_resolve_incremental(s, ro, NULL, NULL, NULL), JD_OK);
    size_t read = patch_equal(s, ix, gen, false);
    assert_true(read >= 2 && read != SIZE_MAX);
    assert_int_equal(jd_person_index_size(*ix), n0 - 1);
    jd_person_summary ma, mb, gone;
    assert_int_equal(jd_person_index_get(*ix, ra, &ma), JD_OK);
    assert_int_equal(jd_person_index_get(*ix, rb, &mb), JD_OK);
    assert_string_equal(ma.person_id, mb.person_id);
    assert_int_equal(ma.n_refs, 2);
    const char *lost = strcmp(ma.person_id, ida) ? ida : idb;
    assert_int_not_equal(jd_person_index_get(*ix, lost, &gone), JD_OK);
}

/* The index patched after incremental resolves (jd_person_index_patch)
 * equals one built from the store (entries, lookups and name words), on a
 * synthetic county: after a split by a link decision and a new call's refs
 * (identities gone, new, changed); after a merge (a person who lost every
 * ref); after nothing changed (none read again); after a full run
 * (built whole); bad arguments refused. */
static void test_query__index_patch(void **state)
{
    (void)state;
    char dir[] = "/tmp/jd-test-query-XXXXXX", path[64], county[64], call[1024];
    assert_non_null(mkdtemp(dir));
    snprintf(county, sizeof county, "%s/county", dir);
    const char *root = getenv("JD_SOURCE_ROOT");
    snprintf(call, sizeof call, "%s/tests/data/bundles/feed_call", root ? root : ".");
    jd_synth_opts so = JD_SYNTH_OPTS_INIT;
    so.seed = 3;
    so.children = 300;
    so.years = 3;
    jd_store *s = NULL;
    assert_int_equal(jd_synth_write(county, &so, NULL, NULL), JD_OK);
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "qpatch"), JD_OK);
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t;
    const char *b[] = {county}, *b2[] = {call};
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    ro.incr_hops = 1;
    jd_person_index *ix = NULL;
    int64_t gen = 0;
    assert_int_equal(jd_ingest_bundles(s, b, 1, &io, &t, NULL), JD_OK);
    assert_int_equal(jd_resolve(s, &ro, NULL, NULL), JD_OK);
    assert_int_equal(jd_identity_generation(s, &gen, NULL), JD_OK);
    /* the call ingested before the index is built: its refs unresolved */
    assert_int_equal(jd_ingest_bundles(s, b2, 1, &io, &t, NULL), JD_OK);
    assert_int_equal(jd_person_index_open(&ix, s, NULL), JD_OK);
    size_t n0 = jd_person_index_size(ix);
    jd_person_summary u;
    assert_int_equal(jd_person_index_get(ix, "call_handling:CLIVE1", &u), JD_OK);
    assert_memory_equal(u.person_id, "U:", 2);
    /* a person of two refs or more, split by a decision */
    jd_person_summary p = {0};
    char id[32];
    for (int k = 1; k < 2000 && p.n_refs < 2; k++) {
        snprintf(id, sizeof id, "P%06d", k);
        if (jd_person_index_get(ix, id, &p) != JD_OK)
            p.n_refs = 0;
    }
    assert_true(p.n_refs >= 2);
    jd_link_decision d = {p.refs[0], p.refs[1], false, "two people", "tester"};
    assert_int_equal(jd_link_decide(s, &d, NULL), JD_OK);
    jd_person_set *set = NULL;
    assert_int_equal(jd_resolve_incremental(s, &ro, NULL, &set, NULL), JD_OK);
    assert_non_null(set);
    assert_false(set->full);
    size_t nset = set->n;
    jd_person_set_free(set);
    size_t read = patch_equal(s, &ix, &gen, false);
    assert_true(read >= nset && read >= 2 && read < n0 / 10);
    jd_person_summary q;
    assert_int_equal(jd_person_index_get(ix, id, &q), JD_OK);
    assert_true(q.n_refs < p.n_refs); /* the split */
    assert_int_equal(jd_person_index_get(ix, "call_handling:CLIVE1", &u), JD_OK);
    assert_memory_equal(u.person_id, "P", 1); /* resolved, its U: entry gone */
    merge_two(s, &ro, &ix, &gen, id);
    /* nothing new: nothing read again */
    assert_int_equal(jd_resolve_incremental(s, &ro, NULL, NULL, NULL), JD_OK);
    assert_int_equal(patch_equal(s, &ix, &gen, true), 0);
    /* a call ingested after the resolve, before the patch: its ref is in
     * no identity_change, yet a full build shows it (U:) */
    char late[96];
    snprintf(late, sizeof late, "%s/late", dir);
    write_late(late);
    const char *b3[] = {late};
    assert_int_equal(jd_ingest_bundles(s, b3, 1, &io, &t, NULL), JD_OK);
    assert_int_equal(patch_equal(s, &ix, &gen, false), 0);
    assert_int_equal(jd_person_index_get(ix, "call_handling:CLATE1", &u), JD_OK);
    assert_string_equal(u.person_id, "U:call_handling:CLATE1");
    assert_string_equal(u.dob, "2011-05-02");
    /* resolved next: its U: entry gives way to its identity's */
    assert_int_equal(jd_resolve_incremental(s, &ro, NULL, NULL, NULL), JD_OK);
    assert_true(patch_equal(s, &ix, &gen, true) >= 1);
    assert_int_equal(jd_person_index_get(ix, "call_handling:CLATE1", &u), JD_OK);
    assert_memory_equal(u.person_id, "P", 1);
    /* a full run: built whole */
    assert_int_equal(jd_resolve(s, &ro, NULL, NULL), JD_OK);
    assert_int_equal(patch_equal(s, &ix, &gen, false), SIZE_MAX);
    assert_false(jd_person_index_equal(ix, NULL));
    jd_person_index *bad = NULL;
    assert_int_equal(jd_person_index_patch(NULL, s, 0, gen, &bad, NULL, NULL), JD_EINVALID);
    assert_null(bad);
    jd_person_index_close(ix);
    scratch_store_close(s, path);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_query__search, setup, teardown),
        cmocka_unit_test(test_query__index_patch),
        cmocka_unit_test_setup_teardown(test_query__bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query__person_now, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query__alerts_and_acks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query__alerts_since, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query__equality, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query__board_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query__stored_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query__alerts_about, setup, teardown),
        cmocka_unit_test(test_query__search_index_equals_scan),
        cmocka_unit_test(test_query__get_refs_with_colons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
