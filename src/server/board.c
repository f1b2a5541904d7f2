/*
 * What the server loads at start (and live.c again after a run): the
 * alerts and the counts stored by the last `joindots analyse` (or from a
 * fresh analysis when none were saved) and
 * the board's aggregates (DOMAIN §5.3), which hold counts and places only,
 * never a name.
 */
#include "server_internal.h"

#include <limits.h>
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

typedef struct patch_ctx {
    json_t *out, *by_id; /* by_id: the loaded alerts by id (references held) */
} patch_ctx;

/* One stored alert into the patched array: its document when the runs
 * since the reload wrote it, else the loaded alert of its id. */
static int on_since(const char *id, const char *doc, void *payload)
{
    patch_ctx *c = payload;
    json_t *a = doc ? json_loads(doc, 0, NULL) : json_incref(json_object_get(c->by_id, id));
    if (!a)
        return doc ? 0 : 1; /* a loaded alert missing: a full reload */
    return json_array_append_new(c->out, a) < 0 ? -1 : 0;
}

/* The alerts as stored, reading only those written by runs after `since`
 * (those before are taken from `prev`, loaded at `since`); ids no longer
 * stored drop out. 1 when the patch cannot be made (reload everything). */
static int patch_alerts(json_t *alerts, jd_store *s, const json_t *prev, int64_t since,
                        jd_error *err)
{
    patch_ctx c = {alerts, json_object()};
    json_t *a;
    size_t i;
    json_array_foreach(prev, i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        if (!c.by_id || !id || json_object_set(c.by_id, id, a) < 0) {
            json_decref(c.by_id);
            return 1;
        }
    }
    int rc = jd_alerts_stored_since(s, since, on_since, &c, err);
    json_decref(c.by_id);
    if (rc == 1)
        json_array_clear(alerts);
    return rc;
}

/* The alerts, and the analysis' counts for the board (returns, crimes):
 * `known` when the caller has them from the run that stored the alerts.
 * `prev` (or NULL): the alerts loaded at analysis run `since`, patched. */
static int load_alerts(json_t *alerts, jd_store *s, const jd_analyse_stats *known,
                       const json_t *prev, int64_t since, jd_analyse_stats *st, jd_error *err)
{
    bool ran = prev && since > 0;
    int rc = ran ? patch_alerts(alerts, s, prev, since, err) : 1;
    if (rc == 1)
        rc = jd_alerts_stored(s, &ran, on_doc, alerts, err);
    jd_analyse_opts o = JD_ANALYSE_OPTS_INIT;
    if (rc < 0)
        return rc;
    if (ran && known) {
        *st = *known;
        return JD_OK;
    }
    if (ran) {
        /* the stored alerts stand; so do the counts their run stored with
         * them. Only a store analysed before they were stored (or by an
         * as-of run) has its counts made by a run that writes nothing. */
        if ((rc = jd_analyse_stats_stored(s, st, err)) != JD_ENOTFOUND)
            return rc;
        jd_error_clear(err);
        return jd_analyse(s, &o, NULL, st, err);
    }
    /* Never analysed: analyse now, without saving (the server only reads). */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    rc = jd_analyse(s, &o, f, st, err);
    fclose(f);
    for (char *line = buf, *nl; rc == JD_OK && line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        on_doc(line, alerts);
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

/* The board's hotspots: stored by the last analysis (jd_escalate_analyse);
 * after an incremental analysis (which stores none) those the board showed
 * (`prev`: the last full analysis', as the board's counts are); else built
 * afresh from the county (35-60 s of a reload on the 1M-event county). */
static json_t *hotspots(jd_store *s, const json_t *prev, jd_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = JD_OK;
    json_t *kept = json_object_get(prev, "hotspots");
    if (jd_network_stored(s, "hotspots", NULL, &buf, err) == JD_OK) {
        len = strlen(buf);
    } else if (json_is_array(kept)) {
        jd_error_clear(err);
        json_t *copy = json_deep_copy(kept); /* the old board is freed apart */
        return copy ? copy : json_array();
    } else {
        FILE *f = open_memstream(&buf, &len);
        if (!f)
            return json_array();
        jd_profile_opts o = JD_PROFILE_OPTS_INIT;
        o.json = true;
        rc = jd_hotspots(s, &o, f, err);
        fclose(f);
    }
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

static int on_group(const jd_equality_group *g, void *payload)
{
    double rate = g->children ? (double)g->at_risk / (double)g->children : 0.0;
    json_array_append_new(payload,
                          json_pack("{s:s,s:I,s:I,s:f}", "ethnicity", g->ethnicity, "children",
                                    (json_int_t)g->children, "high_or_critical",
                                    (json_int_t)g->at_risk, "rate", rate));
    return 0;
}

/* Alert rates at high or critical by ethnicity: counts only (the library
 * is the only reader of ethnicity). */
json_t *jd_api_equality(jd_store *s, json_t *alerts, jd_error *err)
{
    size_t n = json_array_size(alerts), k = 0;
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    json_t *out = json_array();
    if (!ids || !out) {
        free(ids);
        json_decref(out);
        return NULL;
    }
    json_t *a;
    size_t i;
    json_array_foreach(alerts, i, a)
    {
        const char *kind = json_string_value(json_object_get(a, "kind"));
        const char *level = json_string_value(json_object_get(a, "level"));
        const char *pid =
            json_string_value(json_object_get(json_object_get(a, "subject"), "person_id"));
        if (kind && !strcmp(kind, "child_at_risk") && level_index(level) >= 2 && pid)
            ids[k++] = pid;
    }
    int rc = jd_equality_monitor(s, ids, k, on_group, out, err);
    free(ids);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *share(int64_t part, int64_t whole)
{
    return whole > 0 ? json_real((double)part / (double)whole) : json_null();
}

int jd_api_load(jd_server *srv, jd_store *s, jd_error *err)
{
    int rc;
    for (int role = 0; role < JD_ROLE_COUNT; role++)
        if ((rc = jd_concern_role_rung(NULL, jd_role_name(role), srv->role_rung[role],
                                       sizeof srv->role_rung[role], err)) < 0)
            return rc;
    /* the counts it finds are the board's until the live thread runs a
     * full analysis (an incremental one counts only the persons it walked) */
    rc = jd_api_build_counts(s, NULL, NULL, &srv->live_counts, &srv->alerts, &srv->board, err);
    srv->live_counts_ok = rc == JD_OK;
    return rc;
}

static int build(jd_store *s, const jd_analyse_stats *known, const json_t *prev_board,
                 const json_t *prev_alerts, int64_t since, jd_analyse_stats *counts,
                 json_t **alerts_out, json_t **board_out, jd_error *err);

int jd_api_build(jd_store *s, const jd_analyse_stats *known, const json_t *prev_board,
                 const json_t *prev_alerts, int64_t since, json_t **alerts_out,
                 json_t **board_out, jd_error *err)
{
    return build(s, known, prev_board, prev_alerts, since, NULL, alerts_out, board_out, err);
}

int jd_api_build_counts(jd_store *s, const jd_analyse_stats *known, const json_t *prev_board,
                        jd_analyse_stats *counts, json_t **alerts_out, json_t **board_out,
                        jd_error *err)
{
    return build(s, known, prev_board, NULL, 0, counts, alerts_out, board_out, err);
}

/* Children at each level at the end of each year from ymin to ymax, into
 * over_time, and the load high puts on the team, into capacity. One pass
 * over the alerts: each child's first year at each level, then its best
 * level by each year (a pass a year read the 33,520 alerts of the 1M-event
 * county 20-odd times at every reload). */
static void over_years(json_t *alerts, const jd_analyse_stats *st, int ymin, int ymax,
                       json_t *over_time, json_t *capacity)
{
    if (ymin > ymax || ymax - ymin >= 200)
        return;
    int ny = ymax - ymin + 1;
    int (*n)[4] = calloc((size_t)ny, sizeof *n);
    if (!n)
        return;
    json_t *a;
    size_t i;
    json_array_foreach(alerts, i, a)
    {
        const char *kind = json_string_value(json_object_get(a, "kind"));
        if (!kind || strcmp(kind, "child_at_risk") != 0)
            continue;
        int first[4] = {INT_MAX, INT_MAX, INT_MAX, INT_MAX}; /* first year at each level */
        json_t *step;
        size_t j;
        json_array_foreach(json_object_get(a, "history"), j, step)
        {
            int sy = year_of(json_string_value(json_object_get(step, "raised_at")));
            int li = level_index(json_string_value(json_object_get(step, "level")));
            if (sy && li >= 0 && sy < first[li])
                first[li] = sy;
        }
        for (int y = ymin; y <= ymax; y++) {
            int best = -1;
            for (int l = 0; l < 4; l++)
                best = first[l] <= y ? l : best;
            if (best >= 0)
                n[y - ymin][best]++;
        }
    }
    for (int y = ymin; y <= ymax; y++) {
        const int *c = n[y - ymin];
        json_array_append_new(over_time, json_pack("{s:i,s:i,s:i,s:i,s:i}", "year", y, "low", c[0],
                                                   "medium", c[1], "high", c[2], "critical", c[3]));
        /* capacity (issue 15 item 6): the load high puts on the team */
        json_array_append_new(
            capacity, json_pack("{s:i,s:i,s:o}", "year", y, "high_or_critical", c[2] + c[3],
                                "per_1000_children",
                                st->children > 0
                                    ? json_real(1000.0 * (c[2] + c[3]) / (double)st->children)
                                    : json_null()));
    }
    free(n);
}

static int build(jd_store *s, const jd_analyse_stats *known, const json_t *prev_board,
                 const json_t *prev_alerts, int64_t since, jd_analyse_stats *counts,
                 json_t **alerts_out, json_t **board_out, jd_error *err)
{
    jd_analyse_stats st;
    memset(&st, 0, sizeof st);
    json_t *alerts = json_array();
    if (!alerts)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    int rc = load_alerts(alerts, s, known, prev_alerts, since, &st, err);
    if (rc < 0) {
        json_decref(alerts);
        return rc;
    }
    if (counts)
        *counts = st;
    /* with a board shown already, its equality monitoring stands until the
     * caller brings it up to date (jd_api_equality: it reads every child's
     * ethnicity, half of a reload after an urgent call at 1M events) */
    json_t *was = json_object_get(prev_board, "equality_monitoring");
    json_t *eq = json_is_array(was) ? json_deep_copy(was) : jd_api_equality(s, alerts, err);
    if (!eq) {
        json_decref(alerts);
        return err->code < 0 ? err->code : jd_error_set(err, JD_ENOMEM, "out of memory");
    }
    json_t *by_kind = json_object(), *by_level = json_object(), *missing = json_object(),
           *lang = json_object();
    int ymin = 9999, ymax = 0;
    json_t *a;
    size_t i;
    json_array_foreach(alerts, i, a)
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
    json_t *over_time = json_array(), *capacity = json_array();
    over_years(alerts, &st, ymin, ymax, over_time, capacity);
    json_t *k1 = json_object_get(by_kind, "overdue_return_interview");
    json_t *k2 = json_object_get(by_kind, "unrecorded_crime");
    json_int_t overdue = k1 ? json_integer_value(k1) : 0;
    json_int_t unrecorded = k2 ? json_integer_value(k2) : 0;
    json_t *ri =
        json_pack("{s:I,s:I,s:o,s:I}", "returns", (json_int_t)st.returns_due, "within_72_hours",
                  (json_int_t)st.returns_interviewed_72h, "share",
                  share(st.returns_interviewed_72h, st.returns_due), "overdue_alerts", overdue);
    json_t *cr = json_pack(
        "{s:I,s:I,s:o,s:I}", "offences_disclosed", (json_int_t)st.crimes_disclosed,
        "crimes_recorded", (json_int_t)st.crimes_recorded, "share_recorded",
        share(st.crimes_recorded, st.crimes_disclosed), "not_recorded_alerts", unrecorded);
    json_t *board = json_pack(
        "{s:o,s:o,s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:[]}", "alerts_by_kind", by_kind,
        "children_by_level", by_level, "levels_over_time", over_time, "repeat_missing", missing,
        "return_interviews_overdue", overdue, "crimes_disclosed_not_recorded", unrecorded,
        "return_interviews", ri, "disclosed_vs_recorded", cr, "equality_monitoring", eq,
        "language_flags_by_agency", lang, "hotspots", hotspots(s, prev_board, err), "not_yet_available");
    if (!board) {
        json_decref(capacity);
        json_decref(alerts);
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    }
    json_object_set_new(board, "capacity",
                        json_pack("{s:I,s:o}", "children_known", (json_int_t)st.children,
                                  "high_per_1000_by_year", capacity));
    *alerts_out = alerts;
    *board_out = board;
    return JD_OK;
}
