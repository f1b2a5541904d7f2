/*
 * Loading the risk walk's policy (data/rules/risk.json or a user file of
 * the same form). Every number the walk used to carry as a literal is here,
 * range-checked, so a wrong file fails with the key at fault rather than
 * grading children on a typo.
 */
#include "analyse/risk.h"

#include "util/embedded.h"

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

static int ind(loader *L, json_t *root, const char *key, const jd_rules *R, char *id, size_t cap,
               int *out)
{
    if (L->rc < 0)
        return L->rc;
    const char *s = json_string_value(json_object_get(json_object_get(root, "indicators"), key));
    if (!s || strlen(s) >= cap)
        return L->rc = jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                       "indicators.%s: an indicator id is required", key);
    snprintf(id, cap, "%s", s);
    *out = -1;
    for (size_t i = 0; R && i < R->nind; i++)
        if (!strcmp(R->ind[i].id, s))
            *out = (int)i;
    return 0;
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
    ind(&L, root, "learning_disability", R, P.ld_id, sizeof P.ld_id, &P.ld_ind);
    ind(&L, root, "missing", R, P.missing_id, sizeof P.missing_id, &P.missing_ind);
    ind(&L, root, "network", R, P.net_id, sizeof P.net_id, &P.net_ind);
    if (L.rc == 0 && v[5] < v[4])
        L.rc = jd_error_set_at(err, JD_EINVALID, src, 0, 0,
                               "missing.high_episodes: must not be below medium_episodes");
    json_decref(root);
    if (L.rc < 0)
        return L.rc;
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
    *out = P;
    return JD_OK;
}
