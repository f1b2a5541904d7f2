/*
 * Loading the risk walk's policy (data/rules/risk.json or a user file of
 * the same form). Every number the walk used to carry as a literal is here,
 * range-checked, so a wrong file fails with the key at fault rather than
 * grading children on a typo.
 */
#include "analyse/risk.h"

#include "util/embedded.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>

typedef struct loader {
    const char *src;
    jd_error *err;
    int rc;
} loader;

static int num(loader *L, json_t *root, const char *sect, const char *key, long lo, long hi,
               long *out)
{
    if (L->rc < 0)
        return L->rc;
    json_t *o = sect ? json_object_get(root, sect) : root;
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return L->rc = jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                       "%s%s%s: an integer from %ld to %ld is required",
                                       sect ? sect : "", sect ? "." : "", key, lo, hi);
    *out = (long)json_integer_value(v);
    return 0;
}

/* obj[key] as an indicator id and its index (-1: not in the catalogue). */
static int ind(loader *L, json_t *obj, const char *key, const jd_rules *R, char *id, size_t cap,
               int *out)
{
    if (L->rc < 0)
        return L->rc;
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s || strlen(s) >= cap)
        return L->rc = jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                       "%s: an indicator id is required", key);
    snprintf(id, cap, "%s", s);
    *out = -1;
    for (size_t i = 0; R && i < R->nind; i++)
        if (!strcmp(R->ind[i].id, s))
            *out = (int)i;
    return 0;
}

/* Indicator ids of an array as bits; unknown ids fail (with a catalogue). */
static uint64_t ind_bits(loader *L, json_t *arr, const char *what, const jd_rules *R)
{
    uint64_t bits = 0;
    if (L->rc < 0)
        return 0;
    if (!json_is_array(arr)) {
        L->rc = jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                "%s: an array of indicator ids is required", what);
        return 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *id = json_string_value(v);
        int k = -1;
        for (size_t j = 0; id && R && j < R->nind; j++)
            if (!strcmp(R->ind[j].id, id))
                k = (int)j;
        if (!id || (R && k < 0)) {
            L->rc = jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                    "%s: unknown indicator id '%.16s'", what, id ? id : "?");
            return 0;
        }
        if (k >= 0 && k < 64)
            bits |= 1ull << k;
    }
    return bits;
}

/* An array of non-empty strings; each is lowered in place (the walk
 * matches them against the lowered narrative as they are). */
static bool strings(json_t *a)
{
    size_t i;
    json_t *v;
    if (!json_is_array(a))
        return false;
    json_array_foreach(a, i, v) {
        const char *s = json_string_value(v);
        if (!s || !*s || strlen(s) > 200)
            return false;
        char low[256];
        size_t n = strlen(s);
        for (size_t k = 0; k <= n; k++)
            low[k] = (char)tolower((unsigned char)s[k]);
        if (strcmp(low, s) && json_string_set(v, low) < 0)
            return false;
    }
    return true;
}

static void mitigators(loader *L, json_t *root, const jd_rules *R, jd_risk_policy *P)
{
    json_t *arr = json_object_get(root, "mitigating"), *m;
    size_t i;
    if (L->rc < 0)
        return;
    if (!json_is_array(arr) || json_array_size(arr) > JD_RISK_MAX_MITIGATORS) {
        L->rc = jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                "mitigating: an array of at most %d facts is required",
                                JD_RISK_MAX_MITIGATORS);
        return;
    }
    json_array_foreach(arr, i, m)
    {
        jd_risk_mitigator *x = &P->mit[i];
        char what[48];
        snprintf(what, sizeof what, "mitigating[%zu]", i);
        x->id = json_string_value(json_object_get(m, "id"));
        x->name = json_string_value(json_object_get(m, "name"));
        x->all = json_object_get(m, "all");
        x->unless = json_object_get(m, "unless");
        bool ok = x->id && x->name && json_is_array(x->all) && json_array_size(x->all) > 0 &&
                  (!x->unless || strings(x->unless));
        size_t k;
        json_t *g;
        json_array_foreach(x->all, k, g) ok = ok && strings(g) && json_array_size(g) > 0;
        json_t *ts = json_object_get(m, "event_types"), *t;
        ok = ok && (!ts || strings(ts));
        json_array_foreach(ts, k, t)
        {
            int et = jd_rules__event_type(json_string_value(t));
            if (et == ET_OTHER && strcmp(json_string_value(t), "other"))
                ok = false;
            x->types |= 1u << et;
        }
        if (!ok) {
            L->rc = jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                    "%s: id, name, event types and phrase groups 'all' (and "
                                    "'unless') of non-empty strings are required",
                                    what);
            return;
        }
        char w2[64];
        snprintf(w2, sizeof w2, "%s.lowers", what);
        x->lowers = ind_bits(L, json_object_get(m, "lowers"), w2, R);
        if (L->rc == 0 && (x->lowers & P->bypass)) {
            L->rc = jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                    "%s: a mitigating fact never lowers a trigger's indicator", w2);
            return;
        }
        x->same_event = json_is_true(json_object_get(m, "same_event"));
        long b = 0, a = 0;
        if (!x->same_event) {
            num(L, m, NULL, "days_before", 0, 3660, &b);
            num(L, m, NULL, "days_after", 0, 3660, &a);
        }
        x->before = (int64_t)b * DAY;
        x->after = (int64_t)a * DAY;
        P->nmit = i + 1;
    }
}

void jd_risk__dispose(jd_risk_policy *P)
{
    if (P) {
        json_decref(P->doc);
        P->doc = NULL;
        P->nmit = 0;
    }
}

int jd_risk__load(jd_risk_policy *out, const char *path, const jd_rules *R, jd_error *err)
{
    json_error_t je;
    const char *src = path ? path : "risk.json (built in)";
    json_t *root = path ? json_load_file(path, 0, &je)
                        : json_loadb(jd_data_rules_risk, jd_data_rules_risk_len, 0, &je);
    if (!root)
        return jd_error_set_at(err, path ? JD_EINVALID : JD_ERROR, src, je.line, je.column, "%s",
                               je.text);
    jd_risk_policy P;
    memset(&P, 0, sizeof P);
    snprintf(P.source, sizeof P.source, "%s", src);
    loader L = {src, err, 0};
    long v[16];
    num(&L, root, "ages", "under", 1, 17, &v[0]);
    num(&L, root, "ages", "language_medium_under", 1, 18, &v[1]);
    num(&L, root, "ages", "language_young_person_under", 1, 30, &v[2]);
    num(&L, root, "missing", "window_days", 1, 3660, &v[3]);
    num(&L, root, "missing", "medium_episodes", 1, 1000, &v[4]);
    num(&L, root, "missing", "high_episodes", 1, 1000, &v[5]);
    num(&L, root, "missing", "same_episode_hours", 0, 24 * 30, &v[6]);
    num(&L, root, "missing", "overnight_after_hours", 0, 48, &v[7]);
    num(&L, root, "missing", "overnight_hours", 1, 72, &v[8]);
    num(&L, root, "missing", "longest_episode_days", 1, 3660, &v[9]);
    num(&L, root, "return_interview", "within_hours", 1, 24 * 60, &v[10]);
    num(&L, root, "return_interview", "before_return_hours", 0, 24 * 30, &v[11]);
    num(&L, root, NULL, "crime_recorded_within_hours", 0, 24 * 60, &v[12]);
    json_t *inds = json_object_get(root, "indicators");
    ind(&L, inds, "learning_disability", R, P.ld_id, sizeof P.ld_id, &P.ld_ind);
    ind(&L, inds, "missing", R, P.missing_id, sizeof P.missing_id, &P.missing_ind);
    if (L.rc == 0 && json_object_get(inds, "network"))
        L.rc = jd_error_set_at(err, JD_EINVALID, src, 0, 0,
                               "indicators.network: the network feedback indicator is the "
                               "catalogue's network.feedback_indicator, not the risk policy's");
    if (L.rc == 0 && v[5] < v[4])
        L.rc = jd_error_set_at(err, JD_EINVALID, src, 0, 0,
                               "missing.high_episodes: must not be below medium_episodes");
    json_t *corr = json_object_get(root, "corroboration");
    num(&L, root, "corroboration", "min_indicators", 1, 64, &v[13]);
    num(&L, root, "corroboration", "min_sources", 1, 16, &v[14]);
    num(&L, root, "corroboration", "days_apart", 0, 3660, &v[15]);
    P.specific = ind_bits(&L, json_object_get(corr, "specific"), "corroboration.specific", R);
    P.bypass = ind_bits(&L, json_object_get(corr, "bypass"), "corroboration.bypass", R);
    json_t *t5 = json_object_get(root, "found_with_adult");
    const char *t5id = json_string_value(json_object_get(t5, "id"));
    P.t5_level = jd_level_parse(json_string_value(json_object_get(t5, "level")));
    if (L.rc == 0 && (!t5id || strlen(t5id) >= sizeof P.t5_id || P.t5_level < JD_LEVEL_LOW))
        L.rc = jd_error_set_at(err, JD_EINVALID, src, 0, 0,
                               "found_with_adult: id, indicator and level are required");
    if (L.rc == 0) {
        snprintf(P.t5_id, sizeof P.t5_id, "%s", t5id);
        char tid[16];
        ind(&L, t5, "indicator", R, tid, sizeof tid, &P.t5_ind);
    }
    mitigators(&L, root, R, &P);
    if (L.rc < 0) {
        json_decref(root);
        return L.rc;
    }
    P.doc = root; /* the mitigators' strings live in it */
    P.under_age = (int)v[0];
    P.lang_medium_age = (int)v[1];
    P.lang_max_age = (int)v[2];
    P.mp_window_days = (int)v[3];
    P.mp_medium = (int)v[4];
    P.mp_high = (int)v[5];
    P.same_episode = (int64_t)v[6] * 3600;
    P.overnight_after = (int64_t)v[7] * 3600;
    P.overnight = (int64_t)v[8] * 3600;
    P.longest_episode = (int64_t)v[9] * DAY;
    P.ri_within = (int64_t)v[10] * 3600;
    P.ri_before = (int64_t)v[11] * 3600;
    P.crime_recorded_within = (int64_t)v[12] * 3600;
    P.corr_min_ind = (int)v[13];
    P.corr_min_src = (int)v[14];
    P.corr_apart = (int64_t)v[15] * DAY;
    *out = P;
    return JD_OK;
}
