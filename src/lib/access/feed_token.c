/*
 * API tokens of the `feed` role (issue 17): each is bound to one agency and
 * lets a system post that agency's feeds, nothing else (no session, no
 * case data). A token is "jdf_" and 32 random bytes in base64url; only its
 * BLAKE2b digest is stored, as for sessions (account.c), so a copy of the
 * database does not give the tokens away. See include/joindots/feed.h.
 */
#include <joindots/feed.h>

#include "util/internal.h"
#include "store/live_ops.h"
#include "store/store.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#define PREFIX "jdf_"

static const struct jd_live_ops *ops(jd_store *s, jd_error *err)
{
    if (!s || !s->ops->live) {
        jd_error_set(err, JD_EINVALID, "this store has no feeds");
        return NULL;
    }
    return s->ops->live;
}

static void digest(char out[65], const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static bool valid_name(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len < 1 || len > 63)
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

int jd_feed_token_add(char token[JD_FEED_TOKEN_SIZE], jd_store *s, const char *name,
                      const char *agency, jd_error *err)
{
    const struct jd_live_ops *o = ops(s, err);
    if (!o)
        return JD_EINVALID;
    if (!valid_name(name))
        return jd_error_set(err, JD_EINVALID,
                            "a token name is 1 to 63 characters of letters, digits, . _ -");
    if (!jd_feed_agency_valid(agency))
        return jd_error_set(err, JD_EINVALID, "not an agency code of the contract (§1.4)");
    char t[JD_FEED_TOKEN_SIZE], d[65];
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    memcpy(t, PREFIX, sizeof PREFIX - 1);
    sodium_bin2base64(t + sizeof PREFIX - 1, JD_FEED_TOKEN_SIZE - (sizeof PREFIX - 1), b, sizeof b,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof b);
    digest(d, t);
    int rc = o->token_add(s, name, agency, d, (int64_t)time(NULL), err);
    if (rc == JD_OK)
        memcpy(token, t, JD_FEED_TOKEN_SIZE);
    sodium_memzero(t, sizeof t);
    return rc;
}

int jd_feed_token_check(jd_store *s, const char *token, char agency[32], char name[64],
                        jd_error *err)
{
    const struct jd_live_ops *o = ops(s, err);
    if (!o)
        return JD_EINVALID;
    if (!token || strlen(token) != JD_FEED_TOKEN_SIZE - 1 ||
        strncmp(token, PREFIX, sizeof PREFIX - 1) != 0)
        return jd_error_set(err, JD_EDENIED, "no such feed token");
    char d[65], a[32], n[64];
    digest(d, token);
    int rc = o->token_find(s, d, (int64_t)time(NULL), n, a, err);
    if (rc == JD_ENOTFOUND)
        return jd_error_set(err, JD_EDENIED, "no such feed token");
    if (rc < 0)
        return rc;
    if (agency)
        memcpy(agency, a, sizeof a);
    if (name)
        memcpy(name, n, sizeof n);
    return JD_OK;
}

int jd_feed_token_list(jd_store *s, jd_feed_token_cb cb, void *payload, jd_error *err)
{
    const struct jd_live_ops *o = ops(s, err);
    return o ? o->token_list(s, cb, payload, err) : JD_EINVALID;
}

int jd_feed_token_disable(jd_store *s, const char *name, bool disabled, jd_error *err)
{
    const struct jd_live_ops *o = ops(s, err);
    return o ? o->token_set_disabled(s, name, disabled, err) : JD_EINVALID;
}
