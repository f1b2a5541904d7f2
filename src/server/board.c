/*
 * What the server loads once at start: the alerts (stored by the last
 * `joindots analyse`, or from a fresh analysis when none were saved) and
 * the board's aggregates (DOMAIN §5.3), which hold counts and places only,
 * never a name.
 */
#include "server_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_doc(const char *doc, void *payload)
{
    json_t *a = json_loads(doc, 0, NULL);
    if (a)
        json_array_append_new(payload, a);
    return 0;
}

static int load_alerts(jd_server *srv, jd_store *s, jd_error *err)
{
    srv->alerts = json_array();
    bool ran = false;
    int rc = jd_alerts_stored(s, &ran, on_doc, srv->alerts, err);
    if (rc < 0 || ran)
        return rc;
    /* Never analysed: analyse now, without saving (the server only reads). */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    jd_analyse_opts o = JD_ANALYSE_OPTS_INIT;
    rc = jd_analyse(s, &o, f, NULL, err);
    fclose(f);
    for (char *line = buf, *nl; rc == JD_OK && line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        on_doc(line, srv->alerts);
    }
    free(buf);
    return rc;
}

static int year_of(const char *iso)
{
    return iso && strlen(iso) >= 4 ? atoi(iso) : 0;
}

static const char *const LEVELS[] = {"low", "medium", "high", "critical"};

static int level_index(const char *l)
{
    for (int i = 0; l && i < 4; i++)
        if (!strcmp(l, LEVELS[i]))
            return i;
    return -1;
}

static void bump(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static json_t *hotspots(jd_store *s, jd_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return json_array();
    jd_profile_opts o = JD_PROFILE_OPTS_INIT;
    o.json = true;
    int rc = jd_hotspots(s, &o, f, err);
    fclose(f);
    json_t *doc = rc == JD_OK ? json_loadb(buf, len, 0, NULL) : NULL;
    free(buf);
    json_t *out = json_array(), *h;
    size_t i;
    /* Places and counts only: the adults' and children's names stay out. */
    json_array_foreach(json_object_get(doc, "hotspots"), i, h)
    {
        json_t *place = json_object_get(h, "place");
        json_array_append_new(
            out, json_pack("{s:s,s:I,s:I,s:I,s:I}", "place",
                           json_is_string(place) ? json_string_value(place) : "", "children",
                           (json_int_t)json_array_size(json_object_get(h, "children")), "adults",
                           (json_int_t)json_array_size(json_object_get(h, "adults")), "vehicles",
                           (json_int_t)json_array_size(json_object_get(h, "objects")), "records",
                           json_integer_value(json_object_get(h, "record_count"))));
    }
    json_decref(doc);
    return out;
}

int jd_api_load(jd_server *srv, jd_store *s, jd_error *err)
{
    int rc = load_alerts(srv, s, err);
    if (rc < 0)
        return rc;
    json_t *by_kind = json_object(), *by_level = json_object(), *missing = json_object(),
           *lang = json_object();
    int ymin = 9999, ymax = 0;
    json_t *a;
    size_t i;
    json_array_foreach(srv->alerts, i, a)
    {
        const char *kind = json_string_value(json_object_get(a, "kind"));
        const char *level = json_string_value(json_object_get(a, "level"));
        if (!kind)
            continue;
        bump(by_kind, kind);
        if (!strcmp(kind, "child_at_risk") && level)
            bump(by_level, level);
        if (!strcmp(kind, "missing_pattern") && level)
            bump(missing, level);
        if (!strcmp(kind, "language")) {
            json_t *rec = json_array_get(json_object_get(a, "records"), 0);
            const char *ag = json_string_value(json_object_get(rec, "agency"));
            bump(lang, ag ? ag : "unknown");
        }
        json_t *step;
        size_t j;
        json_array_foreach(json_object_get(a, "history"), j, step)
        {
            int y = year_of(json_string_value(json_object_get(step, "raised_at")));
            if (y > 0 && y < ymin)
                ymin = y;
            if (y > ymax)
                ymax = y;
        }
    }
    /* Children at each level at the end of each year. */
    json_t *over_time = json_array();
    for (int y = ymin; y <= ymax && ymax - ymin < 200; y++) {
        int n[4] = {0};
        json_array_foreach(srv->alerts, i, a)
        {
            const char *kind = json_string_value(json_object_get(a, "kind"));
            if (!kind || strcmp(kind, "child_at_risk") != 0)
                continue;
            int best = -1;
            json_t *step;
            size_t j;
            json_array_foreach(json_object_get(a, "history"), j, step)
            {
                int sy = year_of(json_string_value(json_object_get(step, "raised_at")));
                int li = level_index(json_string_value(json_object_get(step, "level")));
                if (sy && sy <= y && li > best)
                    best = li;
            }
            if (best >= 0)
                n[best]++;
        }
        json_array_append_new(over_time, json_pack("{s:i,s:i,s:i,s:i,s:i}", "year", y, "low", n[0],
                                                   "medium", n[1], "high", n[2], "critical", n[3]));
    }
    json_t *k1 = json_object_get(by_kind, "overdue_return_interview");
    json_t *k2 = json_object_get(by_kind, "unrecorded_crime");
    json_int_t overdue = k1 ? json_integer_value(k1) : 0;
    json_int_t unrecorded = k2 ? json_integer_value(k2) : 0;
    srv->board = json_pack(
        "{s:o,s:o,s:o,s:o,s:I,s:I,s:o,s:o,s:[s]}", "alerts_by_kind", by_kind, "children_by_level",
        by_level, "levels_over_time", over_time, "repeat_missing", missing,
        "return_interviews_overdue", overdue, "crimes_disclosed_not_recorded", unrecorded,
        "language_flags_by_agency", lang, "hotspots", hotspots(s, err), "not_yet_available",
        "equality monitoring of alert rates (ethnicity is kept out of the analysis)");
    if (!srv->board)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    return JD_OK;
}
