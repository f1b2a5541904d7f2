/*
 * The rules catalogue's "network" section (docs/rules.md): the policy of
 * the exploitation-network detection that is not part of a child's risk
 * walk. The values live only in data/rules/catalogue.json; a user
 * catalogue without the section takes the built-in one's, so no number
 * is written twice.
 *
 *   "network": {
 *     "object_window_days": 730,      one vehicle or phone seen with two people
 *     "address_window_days": 365,     one address seen with two people
 *     "community": {"seed": 20150303, "resolution_scale": 1, "beta": 0.01},
 *     "feedback_indicator": "M09"     indicator a network membership adds, or null
 *   }
 */
#include "screen/rules.h"
#include "util/embedded.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

static int bad(const char *src, const char *what, const char *msg, jd_error *err)
{
    return jd_error_set_at(err, JD_EINVALID, src, 0, 0, "network.%s: %s", what, msg);
}

/* An integer member in [lo, hi]. */
static int int_in(json_t *o, const char *k, long long lo, long long hi, long long *out,
                  const char *src, jd_error *err)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be a whole number from %lld to %lld", lo, hi);
        return bad(src, k, msg, err);
    }
    *out = json_integer_value(v);
    return JD_OK;
}

/* A number member in (lo, hi]. */
static int real_in(json_t *o, const char *k, double lo, double hi, double *out, const char *src,
                   jd_error *err)
{
    json_t *v = json_object_get(o, k);
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    if (!(x > lo && x <= hi)) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be a number above %g and at most %g", lo, hi);
        return bad(src, k, msg, err);
    }
    *out = x;
    return JD_OK;
}

static int read_section(jd_rules *r, json_t *net, const char *src, jd_error *err)
{
    if (!json_is_object(net))
        return bad(src, "network", "must be an object", err);
    long long ow, aw, seed;
    int rc;
    json_t *com = json_object_get(net, "community");
    if ((rc = int_in(net, "object_window_days", 1, 3650, &ow, src, err)) < 0 ||
        (rc = int_in(net, "address_window_days", 1, 3650, &aw, src, err)) < 0)
        return rc;
    if (!json_is_object(com))
        return bad(src, "community", "must be an object (seed, resolution_scale, beta)", err);
    if ((rc = int_in(com, "seed", 0, UINT32_MAX, &seed, src, err)) < 0 ||
        (rc = real_in(com, "resolution_scale", 0, 100, &r->net_resolution_scale, src, err)) < 0 ||
        (rc = real_in(com, "beta", 0, 1, &r->net_beta, src, err)) < 0)
        return rc;
    r->net_object_window_days = (int)ow;
    r->net_address_window_days = (int)aw;
    r->net_seed = (uint32_t)seed;
    json_t *fb = json_object_get(net, "feedback_indicator");
    r->net_feedback_id = NULL;
    if (fb && !json_is_null(fb)) {
        const char *id = json_string_value(fb);
        size_t i = 0;
        while (id && i < r->nind && strcmp(r->ind[i].id, id))
            i++;
        if (!id || i == r->nind)
            return bad(src, "feedback_indicator", "must name an indicator of the catalogue, or "
                                                  "be null",
                       err);
        r->net_feedback_id = r->ind[i].id;
    }
    return JD_OK;
}

int jd_rules__load_policy(jd_rules *r, json_t *root, const char *src, jd_error *err)
{
    json_t *net = json_object_get(root, "network");
    if (net)
        return read_section(r, net, src, err);
    json_error_t je;
    json_t *builtin = json_loadb(jd_data_rules_catalogue, jd_data_rules_catalogue_len, 0, &je);
    if (!builtin)
        return jd_error_set(err, JD_ERROR, "the built-in catalogue is not valid JSON");
    net = json_object_get(builtin, "network");
    int rc = net ? read_section(r, net, "catalogue.json (built in)", err)
                 : jd_error_set(err, JD_ERROR, "the built-in catalogue has no network section");
    /* an indicator named by the built-in section but absent from the user's
     * catalogue means no feedback, not an error */
    if (rc == JD_EINVALID && !json_is_null(json_object_get(net, "feedback_indicator"))) {
        json_t *copy = json_deep_copy(net);
        json_object_set_new(copy, "feedback_indicator", json_null());
        rc = read_section(r, copy, "catalogue.json (built in)", err);
        json_decref(copy);
    }
    json_decref(builtin);
    return rc;
}
