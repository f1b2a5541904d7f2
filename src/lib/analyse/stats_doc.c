/*
 * The counts of an analysis run (jd_analyse_stats), stored with the run as
 * the analysis document "analysis:stats", so that readers (the server's
 * board at start and after a run made elsewhere) read them instead of
 * analysing again (issue 17: a no-save analysis at start took 20 s on a
 * 1M-event county). The document is tied to the run like the network's
 * documents: a later run that stores none leaves it old, and readers then
 * say it is missing.
 */
#include "analyse/analyse_internal.h"
#include "store/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define STATS_DOC "analysis:stats"

int jd_an__stats_save(jd_store *s, const jd_analyse_stats *st, jd_error *err)
{
    if (!s || !st)
        return jd_error_set(err, JD_EINVALID, "a store and counts are required");
    if (!s->ops->docs_replace)
        return JD_OK; /* a store without documents: readers count afresh */
    json_t *kinds = json_array(), *levels = json_array();
    for (int i = 0; kinds && i < JD_ALERT_KINDS; i++)
        json_array_append_new(kinds, json_integer(st->by_kind[i]));
    for (int i = 0; levels && i < 5; i++)
        json_array_append_new(levels, json_integer(st->by_level[i]));
    json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:I,s:I,s:I,s:I}", "events",
                          (json_int_t)st->events, "mentions", (json_int_t)st->mentions, "persons",
                          (json_int_t)st->persons, "children", (json_int_t)st->children, "alerts",
                          (json_int_t)st->alerts, "by_kind", kinds, "by_level", levels,
                          "returns_due", (json_int_t)st->returns_due, "returns_interviewed_72h",
                          (json_int_t)st->returns_interviewed_72h, "crimes_disclosed",
                          (json_int_t)st->crimes_disclosed, "crimes_recorded",
                          (json_int_t)st->crimes_recorded);
    char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!txt)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    jd_doc_save d = {STATS_DOC, txt};
    int rc = s->ops->docs_replace(s, STATS_DOC, &d, 1, err);
    free(txt);
    return rc;
}

static int64_t num(json_t *o, const char *k, bool *ok)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        *ok = false;
    return json_integer_value(v);
}

int jd_analyse_stats_stored(jd_store *s, jd_analyse_stats *st, jd_error *err)
{
    if (!s || !st)
        return jd_error_set(err, JD_EINVALID, "a store and counts are required");
    if (!s->ops->doc_get)
        return jd_error_set(err, JD_ENOTFOUND, "this store keeps no analysis documents");
    char *txt = NULL;
    jd_doc_state state;
    int rc = s->ops->doc_get(s, STATS_DOC, &txt, &state, err);
    if (rc < 0)
        return rc;
    if (state != JD_DOC_CURRENT && state != JD_DOC_BEHIND) {
        free(txt);
        return jd_error_set(err, JD_ENOTFOUND, "no counts stored by the latest analysis");
    }
    json_t *o = json_loads(txt, 0, NULL);
    free(txt);
    json_t *kinds = json_object_get(o, "by_kind"), *levels = json_object_get(o, "by_level");
    bool ok = json_is_array(kinds) && json_array_size(kinds) == JD_ALERT_KINDS &&
              json_is_array(levels) && json_array_size(levels) == 5;
    jd_analyse_stats r;
    memset(&r, 0, sizeof r);
    r.events = num(o, "events", &ok);
    r.mentions = num(o, "mentions", &ok);
    r.persons = num(o, "persons", &ok);
    r.children = num(o, "children", &ok);
    r.alerts = num(o, "alerts", &ok);
    r.returns_due = num(o, "returns_due", &ok);
    r.returns_interviewed_72h = num(o, "returns_interviewed_72h", &ok);
    r.crimes_disclosed = num(o, "crimes_disclosed", &ok);
    r.crimes_recorded = num(o, "crimes_recorded", &ok);
    for (size_t i = 0; ok && i < JD_ALERT_KINDS; i++)
        r.by_kind[i] = json_integer_value(json_array_get(kinds, i));
    for (size_t i = 0; ok && i < 5; i++)
        r.by_level[i] = json_integer_value(json_array_get(levels, i));
    json_decref(o);
    if (!ok)
        return jd_error_set(err, JD_ENOTFOUND, "the stored counts cannot be read");
    *st = r;
    return JD_OK;
}
