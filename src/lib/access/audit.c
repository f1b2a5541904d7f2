/*
 * The hash-chained audit log. See include/joindots/audit.h.
 *
 * hash(n) = hex(BLAKE2b-256(prev_hash_hex || canonical(entry n))), where the
 * canonical form is "jd-audit-1", then seq, at and ok as decimal, then
 * actor, action, target, reason and detail, each field preceded by its
 * length as 8 little-endian bytes.
 *
 * With the audit key (a file outside the database, see audit.h):
 *   mac(n)   = hex(BLAKE2b-256 keyed(key, field("jd-audit-mac-1") field(hash(n))))
 *   head mac = hex(BLAKE2b-256 keyed(key, field("jd-audit-head-1") field(seq) field(hash)))
 *   anchor   = hex(BLAKE2b-256 keyed(key, field("jd-audit-anchor-1") seq hash at))
 * each with its own label, so that no MAC can stand in for another.
 */
#include "access/access.h"
#include <joindots/audit.h>

#include "util/internal.h"
#include "store/account_ops.h"
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static void chain_hash(char out[65], const char *prev, const jd_audit_entry *e)
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

/* Keyed MAC over the label and fields (NULL-terminated), hex. */
static void mac_of(char out[65], const unsigned char key[32], const char *label, ...)
{
    crypto_generichash_state h;
    unsigned char d[32];
    crypto_generichash_init(&h, key, 32, sizeof d);
    field(&h, label);
    va_list ap;
    va_start(ap, label);
    for (const char *f; (f = va_arg(ap, const char *)) != NULL;)
        field(&h, f);
    va_end(ap);
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(out, 65, d, sizeof d);
    sodium_memzero(&h, sizeof h);
}

static void entry_mac(char out[65], const jd_store *s, const char *hash)
{
    mac_of(out, s->audit_key, "jd-audit-mac-1", hash, (const char *)NULL);
}

static void head_mac_of(char out[65], const jd_store *s, int64_t seq, const char *hash)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)seq);
    mac_of(out, s->audit_key, "jd-audit-head-1", num, hash, (const char *)NULL);
}

static void anchor_mac(char out[65], const jd_store *s, int64_t seq, const char *hash, int64_t at)
{
    char n1[32], n2[32];
    snprintf(n1, sizeof n1, "%lld", (long long)seq);
    snprintf(n2, sizeof n2, "%lld", (long long)at);
    mac_of(out, s->audit_key, "jd-audit-anchor-1", n1, hash, n2, (const char *)NULL);
}

/* Constant-time comparison of two hex MACs. */
static bool mac_eq(const char *a, const char *b)
{
    return strlen(a) == 64 && strlen(b) == 64 && sodium_memcmp(a, b, 64) == 0;
}

/* The backend's callback: chain hash, and with the key the entry's and the
 * new head's MACs. */
static void entry_hash(jd_store *s, const char *prev, const jd_audit_entry *e, char hash[65],
                       char mac[65], char head_mac[65])
{
    chain_hash(hash, prev, e);
    mac[0] = head_mac[0] = '\0';
    if (s->has_audit_key) {
        entry_mac(mac, s, hash);
        head_mac_of(head_mac, s, e->seq, hash);
    }
}

static const struct jd_account_ops *ops(jd_store *s, jd_error *err)
{
    if (!s || !s->ops->account) {
        jd_error_set(err, JD_EINVALID, "this store has no audit log");
        return NULL;
    }
    return s->ops->account;
}

int jd_audit_check(const jd_audit_entry *e, jd_error *err)
{
    if (!e)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (!e->actor || !*e->actor || !e->action || !*e->action)
        return jd_error_set(err, JD_EINVALID, "an audit entry needs an actor and an action");
    const char *f[] = {e->actor, e->action, e->target, e->reason, e->detail};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (f[i] && strlen(f[i]) > JD_AUDIT_FIELD_MAX)
            return jd_error_set(err, JD_ELIMIT, "an audit field is longer than %d bytes",
                                JD_AUDIT_FIELD_MAX);
    return JD_OK;
}

static int append_many(jd_store *s, jd_audit_entry *e, size_t n, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || (!e && n))
        return jd_error_set(err, JD_EINVALID, "bad argument");
    for (size_t i = 0; i < n; i++) {
        int rc = jd_audit_check(&e[i], err);
        if (rc < 0)
            return rc;
    }
    if (!s->has_audit_key) {
        /* A keyed log takes no unkeyed entry: it would read as tampered. */
        int64_t head = 0;
        char hh[65], hm[65];
        int hr = o->audit_head(s, &head, hh, hm, err);
        if (hr < 0)
            return hr;
        if (*hm)
            return jd_error_set(err, JD_EDENIED,
                                "this store's audit log is keyed: give the audit key "
                                "(--audit-key FILE or JD_AUDIT_KEY_FILE)");
    }
    if (!n)
        return JD_OK;
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < n; i++) {
        e[i].at = e[i].at > 0 ? e[i].at : now;
        e[i].target = e[i].target ? e[i].target : "";
        e[i].reason = e[i].reason ? e[i].reason : "";
        e[i].detail = e[i].detail ? e[i].detail : "";
    }
    return o->audit_append(s, e, n, entry_hash, err);
}

int jd_audit_checkpoint(jd_store *s, bool *done, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (done)
        *done = false;
    if (!o)
        return JD_EINVALID;
    return o->audit_checkpoint ? o->audit_checkpoint(s, done, err) : JD_OK;
}

int jd_audit_append_group(jd_store *s, jd_audit_entry *e, size_t n, jd_error *err)
{
    return append_many(s, e, n, err);
}

int jd_audit_append_many(jd_store *s, jd_audit_entry *e, size_t n, jd_error *err)
{
    int rc = append_many(s, e, n, err);
    if (rc == JD_OK)
        (void)jd_audit_checkpoint(s, NULL, NULL);
    return rc;
}

int jd_audit_append(jd_store *s, const jd_audit_entry *in, int64_t *seq, jd_error *err)
{
    if (!in)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    jd_audit_entry e = *in;
    int rc = jd_audit_append_many(s, &e, 1, err);
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
    jd_store *s;
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
        chain_hash(h, v->prev, e);
        if (strcmp(h, e->hash) != 0)
            problem = "the entry was changed after it was written";
    }
    const char *mac = e->mac ? e->mac : "";
    /* The keyed part of the log starts with the entry jd_audit__key_adopt
     * wrote, with a MAC and the count of unkeyed entries before it: so MACs
     * stripped from the first keyed entries, which would otherwise read as
     * "written before the key", are found too. */
    bool starts_key = e->actor && !strcmp(e->actor, "joindots") && e->action &&
                      !strcmp(e->action, "audit-key");
    if (!problem && starts_key && !*mac)
        problem = "the entry that started the keyed log has lost its MAC";
    if (!problem && *mac && r->keyed == 0) {
        long long before = -1;
        if (!starts_key)
            problem = "the first entry with a MAC is not the one that started the keyed log: "
                      "the MACs of earlier entries were stripped";
        else if (!e->detail || sscanf(e->detail, "keyed from here; %lld", &before) != 1 ||
                 before != (long long)r->unkeyed)
            problem = "the entries before the audit key differ in number from those recorded "
                      "when the key was adopted";
    }
    if (!problem && !*mac && r->keyed > 0)
        problem = "the entry has no MAC though an earlier one has: written or rewritten without "
                  "the audit key";
    if (!problem && *mac && v->s->has_audit_key) {
        entry_mac(h, v->s, e->hash);
        if (!mac_eq(h, mac))
            problem = "the entry's MAC does not match the audit key: rewritten without the key";
    }
    if (problem) {
        r->first_bad = e->seq != v->expect && e->seq > v->expect ? v->expect : e->seq;
        snprintf(r->problem, sizeof r->problem, "%s", problem);
        return 1;
    }
    if (*mac)
        r->keyed++;
    else
        r->unkeyed++;
    snprintf(v->prev, sizeof v->prev, "%s", e->hash);
    v->expect++;
    return 0;
}

static int broken(jd_audit_report *r, int64_t at, const char *problem, jd_error *err)
{
    r->first_bad = at;
    snprintf(r->problem, sizeof r->problem, "%s", problem);
    return jd_error_set(err, JD_ECONFLICT, "audit log broken at entry %lld: %s", (long long)at,
                        problem);
}

int jd_audit_verify(jd_store *s, jd_audit_report *out, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    memset(out, 0, sizeof *out);
    out->key_checked = s->has_audit_key;
    verify_ctx v = {.s = s, .r = out, .expect = 1};
    memset(v.prev, '0', 64);
    v.prev[64] = '\0';
    int rc = o->audit_list(s, 0, 0, verify_one, &v, err);
    if (rc < 0)
        return rc;
    if (rc > 0)
        return jd_error_set(err, JD_ECONFLICT, "audit log broken at entry %lld: %s",
                            (long long)out->first_bad, out->problem);
    int64_t head = 0;
    char hh[65], hm[65];
    if ((rc = o->audit_head(s, &head, hh, hm, err)) < 0)
        return rc;
    if (head != v.expect - 1 || strcmp(hh, v.prev) != 0)
        return broken(out, v.expect,
                      head > v.expect - 1 ? "entries at the end of the log were deleted"
                                          : "the log does not end where its head says",
                      err);
    if (s->has_audit_key) {
        /* With the key the head must carry its MAC: the first writable open
         * with the key adopted it (jd_audit__key_adopt), so a missing one
         * means a cut, wiped or stripped log. */
        char want[65];
        head_mac_of(want, s, head, hh);
        if (!*hm)
            return broken(out, v.expect,
                          "the head has no MAC: the log was wiped or stripped, or the audit key "
                          "was never used with this store",
                          err);
        if (!mac_eq(want, hm))
            return broken(out, v.expect,
                          "the head's MAC does not match the audit key: the log was cut or "
                          "rewritten",
                          err);
    } else if (*hm && out->keyed == 0) {
        return broken(out, v.expect, "the head has a MAC but no entry has: MACs were stripped",
                      err);
    }
    return JD_OK;
}

/* ---- the audit key ---- */

static int key_parse(unsigned char key[32], const char *buf, size_t n)
{
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    size_t bin = 0;
    if (n != 64 || sodium_hex2bin(key, 32, buf, n, NULL, &bin, NULL) != 0 || bin != 32)
        return -1;
    return 0;
}

int jd_audit__key_load(jd_store *s, const char *path, bool create, jd_error *err)
{
    s->has_audit_key = false;
    if (!path || !*path)
        return JD_OK;
    if (sodium_init() < 0)
        return jd_error_set(err, JD_ECRYPTO, "libsodium could not start");
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        unsigned char key[32];
        char hex[65];
        randombytes_buf(key, sizeof key);
        sodium_bin2hex(hex, sizeof hex, key, sizeof key);
        sodium_memzero(key, sizeof key);
        hex[64] = '\n';
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return jd_error_set(err, JD_EIO, "cannot create the audit key file %s: %s", path,
                                strerror(errno));
        bool okw = write(fd, hex, 65) == 65 && fsync(fd) == 0;
        sodium_memzero(hex, sizeof hex);
        close(fd);
        if (!okw) {
            unlink(path);
            return jd_error_set(err, JD_EIO, "cannot write the audit key file %s", path);
        }
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0)
        return jd_error_set(err, errno == ENOENT ? JD_ENOTFOUND : JD_EIO,
                            "cannot open the audit key file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return jd_error_set(err, JD_EINVALID, "the audit key file %s is not a regular file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        return jd_error_set(err, JD_EDENIED,
                            "the audit key file %s may be read by others (chmod 600 it)", path);
    }
    char buf[130];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    int bad = n <= 0 || key_parse(s->audit_key, buf, (size_t)n);
    sodium_memzero(buf, sizeof buf);
    if (bad)
        return jd_error_set(err, JD_EINVALID,
                            "the audit key file %s does not hold 64 hex digits", path);
    s->has_audit_key = true;
    return JD_OK;
}

int jd_audit__key_adopt(jd_store *s, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o)
        return JD_EINVALID;
    if (!s->has_audit_key)
        return JD_OK;
    int64_t head = 0;
    char hh[65], hm[65];
    int rc = o->audit_head(s, &head, hh, hm, err);
    if (rc < 0 || *hm)
        return rc; /* adopted before */
    /* First open with the key: an entry that starts the keyed part; from
     * here on every entry and the head carry a MAC. */
    char detail[96];
    snprintf(detail, sizeof detail, "keyed from here; %lld earlier entries unkeyed",
             (long long)head);
    jd_audit_entry e = {.actor = "joindots", .action = "audit-key", .detail = detail, .ok = true};
    return jd_audit_append(s, &e, NULL, err);
}

/* ---- anchors ---- */

int jd_audit_anchor(jd_store *s, char out[JD_AUDIT_ANCHOR_MAX], jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    out[0] = '\0';
    if (!s->has_audit_key)
        return jd_error_set(err, JD_EDENIED,
                            "an anchor needs the audit key (--audit-key FILE or JD_AUDIT_KEY_FILE)");
    int64_t head = 0;
    char hh[65], hm[65], want[65], mac[65];
    int rc = o->audit_head(s, &head, hh, hm, err);
    if (rc < 0)
        return rc;
    head_mac_of(want, s, head, hh);
    if (!mac_eq(want, hm))
        return jd_error_set(err, JD_ECONFLICT,
                            "the audit head has no valid MAC: run `joindots audit verify` first");
    int64_t at = (int64_t)time(NULL);
    anchor_mac(mac, s, head, hh, at);
    snprintf(out, JD_AUDIT_ANCHOR_MAX, "jd-audit-anchor-1 seq=%lld hash=%s at=%lld mac=%s",
             (long long)head, hh, (long long)at, mac);
    return JD_OK;
}

typedef struct anchor_ctx {
    int64_t seq;
    char hash[65];
    bool found, has_mac;
} anchor_ctx;

static int find_entry(const jd_audit_entry *e, void *payload)
{
    anchor_ctx *a = payload;
    if (e->seq == a->seq) {
        a->found = true;
        a->has_mac = e->mac && *e->mac;
        snprintf(a->hash, sizeof a->hash, "%s", e->hash);
    }
    return 1;
}

/* One anchor line -> seq, hash, at, mac; -1 if it is not one. */
static int anchor_parse(const char *line, size_t n, int64_t *seq, char hash[65], int64_t *at,
                        char mac[65])
{
    char buf[JD_AUDIT_ANCHOR_MAX];
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, line, n);
    buf[n] = '\0';
    long long sq = -1, t = -1;
    int used = 0;
    if (sscanf(buf, "jd-audit-anchor-1 seq=%lld hash=%64[0-9a-f] at=%lld mac=%64[0-9a-f]%n", &sq,
               hash, &t, mac, &used) != 4 ||
        sq < 0 || t < 0 || strlen(hash) != 64 || strlen(mac) != 64)
        return -1;
    while (buf[used] == ' ' || buf[used] == '\r' || buf[used] == '\t')
        used++;
    if (buf[used])
        return -1;
    *seq = sq;
    *at = t;
    return 0;
}

int jd_audit_verify_anchor(jd_store *s, const char *text, jd_audit_report *out, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !out || !text)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    int rc = jd_audit_verify(s, out, err);
    if (rc < 0 && rc != JD_ECONFLICT)
        return rc;
    bool chain_broken = rc == JD_ECONFLICT;
    int64_t lineno = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        lineno++;
        const char *q = p;
        p = e ? e + 1 : p + n;
        while (n && (*q == ' ' || *q == '\t'))
            q++, n--;
        if (!n || *q == '#' || *q == '\r')
            continue;
        int64_t seq = 0, at = 0;
        char hash[65], mac[65];
        if (anchor_parse(q, n, &seq, hash, &at, mac) < 0)
            return jd_error_set(err, JD_EINVALID, "anchor line %lld is not an audit anchor",
                                (long long)lineno);
        out->anchors++;
        if (s->has_audit_key) {
            char want[65];
            anchor_mac(want, s, seq, hash, at);
            if (!mac_eq(want, mac)) {
                out->first_bad = seq;
                snprintf(out->problem, sizeof out->problem,
                         "anchor line %lld is not signed with this audit key", (long long)lineno);
                return jd_error_set(err, JD_ECONFLICT, "%s", out->problem);
            }
        }
        if (seq == 0)
            continue;
        anchor_ctx a = {.seq = seq};
        if ((rc = o->audit_list(s, seq - 1, 1, find_entry, &a, err)) < 0)
            return rc;
        if (!a.found) {
            out->first_bad = seq;
            snprintf(out->problem, sizeof out->problem,
                     "entry %lld of the anchor is gone: the log was %s", (long long)seq,
                     out->entries == 0 ? "wiped" : "cut or rolled back");
            return jd_error_set(err, JD_ECONFLICT, "audit log broken at entry %lld: %s",
                                (long long)seq, out->problem);
        }
        if (strcmp(a.hash, hash) != 0) {
            out->first_bad = seq;
            snprintf(out->problem, sizeof out->problem,
                     "entry %lld differs from the anchor: the log was rewritten", (long long)seq);
            return jd_error_set(err, JD_ECONFLICT, "audit log broken at entry %lld: %s",
                                (long long)seq, out->problem);
        }
        if (!a.has_mac) {
            /* an anchor is only made of a keyed head (jd_audit_anchor) */
            out->first_bad = seq;
            snprintf(out->problem, sizeof out->problem,
                     "entry %lld had a MAC when anchored and has none now: MACs were stripped",
                     (long long)seq);
            return jd_error_set(err, JD_ECONFLICT, "audit log broken at entry %lld: %s",
                                (long long)seq, out->problem);
        }
    }
    if (chain_broken)
        return jd_error_set(err, JD_ECONFLICT, "audit log broken at entry %lld: %s",
                            (long long)out->first_bad, out->problem);
    if (out->anchors == 0)
        return jd_error_set(err, JD_EINVALID, "no audit anchor in the given text");
    return JD_OK;
}
