/* The server's alert view as the person's summary reads it (web-p99,
 * api_person.c summary_of): jd_alert_view_build over the stored alerts,
 * jd_alert_view_docs_of for one person, then jd_child_summary_build_with
 * says what jd_child_summary_build says from the store. On the small
 * "alerts" bundle (Amy Hart, a child with alerts; Ben Cole, with none). */
#include "server_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"
#include "summary_check.h"

#include <joindots/analyse.h>
#include <joindots/child.h>
#include <joindots/ingest.h>
#include <joindots/query.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The alerts whose subject or a member is pid, counted over them all. */
static size_t about(json_t *all, const char *pid)
{
    size_t i, j, n = 0;
    json_t *a, *m;
    json_array_foreach(all, i, a)
    {
        const char *subj =
            json_string_value(json_object_get(json_object_get(a, "subject"), "person_id"));
        bool hit = subj && !strcmp(subj, pid);
        json_array_foreach(json_object_get(a, "members"), j, m)
        {
            const char *p = json_string_value(json_object_get(m, "person_id"));
            hit |= p && !strcmp(p, pid);
        }
        n += hit;
    }
    return n;
}

static void test_alert_view__summary_as_the_store_says(void **state)
{
    (void)state;
    char path[64];
    jd_store *s = NULL;
    jd_person_index *idx = NULL;
    jd_screener *scr = NULL;
    assert_int_equal(alerts_store(&s, path, sizeof path, "alert-view", &idx, &scr), JD_OK);
    jd_error err;
    bool ran = false;
    json_t *all = json_array();
    assert_int_equal(jd_alerts_stored(s, &ran, add_doc, all, &err), JD_OK);
    assert_true(ran && json_array_size(all) > 0);
    alert_view *v = jd_alert_view_build(all, idx, 1);
    assert_non_null(v);
    const char *refs[] = {"csc:C-1", "gp:G2"}, *names[] = {"Amy Hart", "Ben Cole"},
               *dobs[] = {"1992-05-01", "1991-02-02"};
    size_t with_docs = 0;
    for (int k = 0; k < 2; k++) {
        jd_person_summary p;
        assert_int_equal(jd_person_index_get(idx, refs[k], &p), JD_OK);
        char pid[64];
        snprintf(pid, sizeof pid, "%s", p.person_id);
        size_t n = 0;
        void **docs = jd_alert_view_docs_of(v, pid, &n);
        assert_int_equal(docs ? n : 0, about(all, pid)); /* subject or member */
        for (size_t i = 1; docs && i < n; i++)           /* by id, the store's order */
            assert_true(strcmp(json_string_value(json_object_get(docs[i - 1], "id")),
                               json_string_value(json_object_get(docs[i], "id"))) < 0);
        with_docs += docs && n > 0;
        jd_child_summary a, c;
        assert_int_equal(jd_child_summary_build(&a, s, scr, pid, names[k], dobs[k], &err), JD_OK);
        assert_int_equal(jd_child_summary_build_with(&c, s, scr, pid, names[k], dobs[k], docs,
                                                     docs ? n : 0, &err),
                         JD_OK);
        assert_same_summary(&a, &c);
        if (k == 0)
            assert_string_not_equal(a.level, "none"); /* Amy's alerts say a level */
        jd_child_summary_dispose(&a);
        jd_child_summary_dispose(&c);
        free(docs);
    }
    assert_true(with_docs >= 1);
    /* nobody: no alerts, and the summary says no level */
    size_t n = 7;
    void **none = jd_alert_view_docs_of(v, "P-nobody", &n);
    assert_int_equal(none ? n : 0, 0);
    free(none);
    jd_alert_view_free(v);
    json_decref(all);
    jd_screener_close(scr);
    jd_person_index_close(idx);
    scratch_store_close(s, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert_view__summary_as_the_store_says),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
