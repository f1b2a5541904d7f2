/*
 * Store front end: picks the backend from the location string and forwards
 * the public calls through the backend's vtable.
 */
#include "store/account_ops.h"
#include "store/store.h"
#include "util/internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int jd_store_open(jd_store **out, const char *location, const jd_store_opts *opts,
                  jd_error *err)
{
    jd_store_opts def = JD_STORE_OPTS_INIT;
    if (!out || !location || !*location)
        return jd_error_set(err, JD_EINVALID, "no store location given");
    if (!opts)
        opts = &def;
    jd_store *s = NULL;
    int rc;
    if (!strncmp(location, "postgres://", 11) || !strncmp(location, "postgresql://", 13)) {
#ifdef JD_HAVE_POSTGRES
        rc = jd_store__pg_open(&s, location, opts, err);
#else
        return jd_error_set(err, JD_EINVALID,
                            "the PostgreSQL backend is not available in this build");
#endif
    } else {
        rc = jd_store__sqlite_open(&s, strncmp(location, "sqlite:", 7) ? location : location + 7,
                                   opts, err);
    }
    if (rc < 0)
        return rc;
    /* The audit key lives outside the database (audit.h). */
    const char *key = opts->audit_key_path;
    if (!key) {
        const char *env = getenv("JD_AUDIT_KEY_FILE");
        key = env && *env ? env : NULL;
    }
    if ((rc = jd_audit__key_load(s, key, !opts->read_only, err)) < 0 ||
        (!opts->read_only && (rc = jd_audit__key_adopt(s, err)) < 0)) {
        jd_store_close(s);
        return rc;
    }
    *out = s;
    return JD_OK;
}

void jd_store_close(jd_store *s)
{
    if (s) {
        sodium_memzero(s->audit_key, sizeof s->audit_key);
        s->ops->close(s);
    }
}

const char *jd_store_backend(const jd_store *s)
{
    return s ? s->ops->name : "";
}

int jd_store_schema_version(const jd_store *s, int *out, jd_error *err)
{
    if (!s || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return s->ops->schema_version((jd_store *)s, out, err);
}

int jd_store_counts_get(jd_store *s, jd_store_counts *out, jd_error *err)
{
    if (!s || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return s->ops->counts(s, out, err);
}

int jd_store_problems(jd_store *s, bool warnings, jd_problem_cb cb, void *payload,
                      jd_error *err)
{
    if (!s || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return s->ops->problems(s, warnings, cb, payload, err);
}

#ifndef JD_HAVE_POSTGRES
int jd_store_copy(const char *from, const char *to, jd_store_copy_stats *stats, jd_error *err)
{
    (void)from;
    (void)to;
    (void)stats;
    return jd_error_set(err, JD_EINVALID, "the PostgreSQL backend is not available in this build");
}
#endif

size_t jd_store__location_key(const char *postcode, const char *text,
                              char key[JD_LOCATION_KEY])
{
    size_t k = 0;
    const char *pc = postcode ? postcode : "";
    for (; *pc && k < 16; pc++)
        key[k++] = *pc;
    key[k++] = '|';
    bool space = false;
    for (const unsigned char *t = (const unsigned char *)(text ? text : ""); *t && k < 500; t++) {
        unsigned char c = *t;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
            space = k > 0 && key[k - 1] != '|';
            continue;
        }
        if (space) {
            key[k++] = ' ';
            space = false;
        }
        key[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    key[k] = '\0';
    return k;
}

void jd_store__pair_order(const char **agency_a, const char **ref_a, const char **agency_b,
                          const char **ref_b)
{
    int c = strcmp(*agency_a, *agency_b);
    if (c > 0 || (c == 0 && strcmp(*ref_a, *ref_b) > 0)) {
        const char *t = *agency_a;
        *agency_a = *agency_b;
        *agency_b = t;
        t = *ref_a;
        *ref_a = *ref_b;
        *ref_b = t;
    }
}

int jd_store__concern_conflict(jd_error *err, const char *id, int64_t expected)
{
    return jd_error_set(err, JD_ECONFLICT,
                        expected ? "concern %s was changed by someone else (version %lld "
                                   "is stale); reload and try again"
                                 : "concern %s exists already",
                        id, (long long)expected);
}

int jd_store__session_live(jd_store *s, const char *token_hash, int64_t now, int64_t last,
                           int64_t exp, int64_t idle, jd_error *err)
{
    if (now >= exp || now - last > idle) {
        (void)s->ops->account->session_delete(s, token_hash, NULL);
        return jd_error_set(err, JD_ENOTFOUND, "session expired");
    }
    return now - last >= 60;
}

int jd_store__mark_parse(const char *m, int64_t v[7], jd_error *err)
{
    int n = 0;
    v[6] = 0;
    for (const char *p = m; p && n < 7; n++) {
        char *end;
        errno = 0;
        long long a = *p >= '0' && *p <= '9' ? strtoll(p, &end, 10) : -1;
        if (a < 0 || errno)
            break;
        v[n] = a;
        p = *end == ',' ? end + 1 : NULL;
        if (!p && *end)
            break;
        if (!p && (n == 5 || n == 6))
            return JD_OK;
    }
    return jd_error_set(err, JD_EINVALID, "malformed analysis watermark");
}

int jd_store__mark_run(const char *m, int64_t *out, jd_error *err)
{
    int64_t v[7];
    *out = 0;
    if (!m[0])
        return JD_OK;
    int rc = jd_store__mark_parse(m, v, err);
    if (rc == JD_OK)
        *out = v[6];
    return rc;
}
