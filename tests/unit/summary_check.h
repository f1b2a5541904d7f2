/* Shared by test_child.c and test_alert_view.c: the alerts bundle
 * ingested, resolved, analysed and saved in a scratch store with its person
 * index and screener (alerts_store), the stored alerts read into a jansson
 * array (add_doc, a jd_alerts_stored callback) and two child summaries
 * asserted equal. Header-only (static inline); include after <cmocka.h> and
 * the scratch store's header. */
#ifndef JD_TEST_SUMMARY_CHECK_H
#define JD_TEST_SUMMARY_CHECK_H

#include <joindots/analyse.h>
#include <joindots/child.h>
#include <joindots/ingest.h>
#include <joindots/resolve.h>
#include <joindots/query.h>

#include <jansson.h>

/* tests/data/bundles/alerts in a scratch store named name (path: its
 * file), analysed and saved; its person index and screener opened. JD_OK,
 * or the first step's error. */
static inline int alerts_store(jd_store **s, char *path, size_t cap, const char *name,
                               jd_person_index **idx, jd_screener **scr)
{
    const char *root = getenv("JD_SOURCE_ROOT");
    char bundle[1024];
    snprintf(bundle, sizeof bundle, "%s/tests/data/bundles/alerts", root ? root : ".");
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t;
    const char *b[] = {bundle};
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    int rc = jd_global_init();
    if (rc >= 0)
        rc = scratch_store_open(s, path, cap, name);
    if (rc >= 0)
        rc = jd_ingest_bundles(*s, b, 1, &io, &t, NULL);
    if (rc >= 0)
        rc = jd_resolve(*s, &ro, NULL, NULL);
    if (rc >= 0)
        rc = jd_analyse(*s, &ao, NULL, NULL, NULL);
    if (rc >= 0)
        rc = jd_person_index_open(idx, *s, NULL);
    if (rc >= 0)
        rc = jd_screener_open(scr, NULL, NULL);
    return rc < 0 ? rc : JD_OK;
}

static inline int add_doc(const char *doc, void *payload)
{
    json_t *a = json_loads(doc, 0, NULL);
    return a ? json_array_append_new(payload, a) : -1;
}

static inline void assert_same_summary(const jd_child_summary *a, const jd_child_summary *b)
{
    assert_string_equal(a->level, b->level);
    assert_string_equal(a->current, b->current);
    assert_int_equal(a->level_at, b->level_at);
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->text[i], b->text[i]);
        assert_string_equal(a->codes[i], b->codes[i]);
    }
    assert_int_equal(a->n_changes, b->n_changes);
    for (size_t i = 0; i < a->n_changes; i++) {
        assert_string_equal(a->changes[i].reason, b->changes[i].reason);
        assert_string_equal(a->changes[i].codes, b->changes[i].codes);
    }
    assert_int_equal(a->n_events, b->n_events);
    assert_int_equal(a->n_third_parties, b->n_third_parties);
}

#endif
