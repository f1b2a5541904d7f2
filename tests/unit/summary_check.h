/* Shared by test_child.c and test_alert_view.c: the stored alerts read
 * into a jansson array (add_doc, a jd_alerts_stored callback) and two
 * child summaries asserted equal. Header-only (static inline); include
 * after <cmocka.h>. */
#ifndef JD_TEST_SUMMARY_CHECK_H
#define JD_TEST_SUMMARY_CHECK_H

#include <joindots/child.h>

#include <jansson.h>

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
