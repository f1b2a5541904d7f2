/*
 * The hash-chained audit log. See include/joindots/audit.h.
 *
 * hash(n) = hex(BLAKE2b-256(prev_hash_hex || canonical(entry n))), where the
 * canonical form is "jd-audit-1", then seq, at and ok as decimal, then
 * actor, action, target, reason and detail, each field preceded by its
 * length as 8 little-endian bytes.
 */
#include <joindots/audit.h>

#include "internal.h"
#include "store/account_ops.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void field(crypto_generichash_state *h, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)n >> (8 * i));
    crypto_generichash_update(h, len, sizeof len);
    if (n)
        crypto_generichash_update(h, (const unsigned char *)s, n);
}

static void entry_hash(char out[65], const char *prev, const jd_audit_entry *e)
{
    crypto_generichash_state h;
    unsigned char d[32];
    char num[64];
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    field(&h, "jd-audit-1");
    field(&h, prev);
    snprintf(num, sizeof num, "%lld", (long long)e->seq);
    field(&h, num);
    snprintf(num, sizeof num, "%lld", (long long)e->at);
    field(&h, num);
    field(&h, e->ok ? "1" : "0");
    field(&h, e->actor);
    field(&h, e->action);
    field(&h, e->target);
    field(&h, e->reason);
    field(&h, e->detail);
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

static const struct jd_account_ops *ops(jd_store *s, jd_error *err)
{
    if (!s || !s->ops->account) {
        jd_error_set(err, JD_EINVALID, "this store has no audit log");
        return NULL;
    }
    return s->ops->account;
}

int jd_audit_append(jd_store *s, const jd_audit_entry *in, int64_t *seq, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !in)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (!in->actor || !*in->actor || !in->action || !*in->action)
        return jd_error_set(err, JD_EINVALID, "an audit entry needs an actor and an action");
    const char *f[] = {in->actor, in->action, in->target, in->reason, in->detail};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (f[i] && strlen(f[i]) > JD_AUDIT_FIELD_MAX)
            return jd_error_set(err, JD_ELIMIT, "an audit field is longer than %d bytes",
                                JD_AUDIT_FIELD_MAX);
    jd_audit_entry e = *in;
    e.at = e.at > 0 ? e.at : (int64_t)time(NULL);
    e.target = e.target ? e.target : "";
    e.reason = e.reason ? e.reason : "";
    e.detail = e.detail ? e.detail : "";
    int rc = o->audit_append(s, &e, entry_hash, err);
    if (rc == JD_OK && seq)
        *seq = e.seq;
    return rc;
}

int jd_audit_list(jd_store *s, int64_t after, int64_t limit,
                  int (*cb)(const jd_audit_entry *e, void *payload), void *payload, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return o->audit_list(s, after, limit, cb, payload, err);
}

typedef struct verify_ctx {
    jd_audit_report *r;
    char prev[65];
    int64_t expect;
} verify_ctx;

static int verify_one(const jd_audit_entry *e, void *payload)
{
    verify_ctx *v = payload;
    jd_audit_report *r = v->r;
    r->entries++;
    const char *problem = NULL;
    char h[65];
    if (e->seq != v->expect)
        problem =
            e->seq > v->expect ? "an entry is missing before this one" : "entries are out of order";
    else if (strcmp(e->prev_hash, v->prev) != 0)
        problem = "the link to the previous entry is broken";
    else {
        entry_hash(h, v->prev, e);
        if (strcmp(h, e->hash) != 0)
            problem = "the entry was changed after it was written";
    }
    if (problem) {
        r->first_bad = e->seq != v->expect && e->seq > v->expect ? v->expect : e->seq;
        snprintf(r->problem, sizeof r->problem, "%s", problem);
        return 1;
    }
    snprintf(v->prev, sizeof v->prev, "%s", e->hash);
    v->expect++;
    return 0;
}

int jd_audit_verify(jd_store *s, jd_audit_report *out, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    memset(out, 0, sizeof *out);
    verify_ctx v = {.r = out, .expect = 1};
    memset(v.prev, '0', 64);
    v.prev[64] = '\0';
    int rc = o->audit_list(s, 0, 0, verify_one, &v, err);
    if (rc < 0)
        return rc;
    if (rc > 0)
        return jd_error_set(err, JD_ECONFLICT, "audit log broken at entry %lld: %s",
                            (long long)out->first_bad, out->problem);
    int64_t head = 0;
    char hh[65];
    if ((rc = o->audit_head(s, &head, hh, err)) < 0)
        return rc;
    if (head != v.expect - 1 || strcmp(hh, v.prev) != 0) {
        out->first_bad = v.expect;
        snprintf(out->problem, sizeof out->problem, "%s",
                 head > v.expect - 1 ? "entries at the end of the log were deleted"
                                     : "the log does not end where its head says");
        return jd_error_set(err, JD_ECONFLICT, "audit log broken at entry %lld: %s",
                            (long long)out->first_bad, out->problem);
    }
    return JD_OK;
}
