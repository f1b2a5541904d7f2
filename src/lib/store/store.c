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

/* ---- ref_key's lists ---- */

/* Where the ref's entry starts in list, or -1. */
static long refs_find(const jd_buf *list, const char *agency, const char *ref)
{
    size_t la = strlen(agency), lr = strlen(ref);
    for (size_t i = 0; i < list->len;) {
        const char *e = list->ptr + i, *end = memchr(e, 0x1e, list->len - i);
        size_t n = end ? (size_t)(end - e) : list->len - i;
        if (n == la + 1 + lr && !memcmp(e, agency, la) && e[la] == 0x1f &&
            !memcmp(e + la + 1, ref, lr))
            return (long)i;
        i += n + 1;
    }
    return -1;
}

int jd_store__refs_add(jd_buf *list, const char *agency, const char *ref)
{
    if (refs_find(list, agency, ref) >= 0)
        return JD_OK;
    static const char us = 0x1f, rs = 0x1e;
    if (jd_buf_adds(list, agency) != JD_OK || jd_buf_add(list, &us, 1) != JD_OK ||
        jd_buf_adds(list, ref) != JD_OK || jd_buf_add(list, &rs, 1) != JD_OK)
        return JD_ENOMEM;
    return JD_OK;
}

bool jd_store__has_key(const uint64_t *v, size_t n, uint64_t k)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == k)
            return true;
    return false;
}

void jd_store__refs_remove(jd_buf *list, const char *agency, const char *ref)
{
    long at = refs_find(list, agency, ref);
    if (at < 0)
        return;
    size_t n = strlen(agency) + strlen(ref) + 2;
    memmove(list->ptr + at, list->ptr + at + (long)n, list->len - (size_t)at - n);
    list->len -= n;
    list->ptr[list->len] = '\0'; /* jd_buf's promise: NUL-terminated */
}

int jd_store__key_edits_add(jd_key_edits *e, const jd_identity_save *refs, uint32_t ref,
                            const uint64_t *had, size_t nh)
{
    const jd_identity_save *r = &refs[ref];
    for (int add = 0; add < 2; add++) { /* the keys it had and lost, then those it gained */
        const uint64_t *v = add ? r->keys : had, *other = add ? had : r->keys;
        size_t n = add ? r->nkeys : nh, no = add ? nh : r->nkeys;
        for (size_t k = 0; k < n; k++) {
            if (jd_store__has_key(other, no, v[k]))
                continue;
            if (jd_grow((void **)&e->v, &e->cap, e->n + 1, sizeof *e->v) < 0)
                return JD_ENOMEM;
            e->v[e->n] = (jd_key_edit){v[k], (uint32_t)e->n, ref, add != 0};
            e->n++;
        }
    }
    return JD_OK;
}

static int cmp_key_edit(const void *a, const void *b)
{
    const jd_key_edit *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

void jd_store__key_edits_sort(jd_key_edits *e)
{
    if (e->n)
        qsort(e->v, e->n, sizeof *e->v, cmp_key_edit);
}

int jd_store__key_edits_apply(jd_buf *list, const jd_key_edit *v, size_t from, size_t to,
                              const jd_identity_save *refs)
{
    for (size_t k = from; k < to; k++) {
        const jd_identity_save *r = &refs[v[k].ref];
        if (!v[k].add)
            jd_store__refs_remove(list, r->agency, r->person_ref);
        else if (jd_store__refs_add(list, r->agency, r->person_ref) != JD_OK)
            return JD_ENOMEM;
    }
    return JD_OK;
}

typedef struct ref_item {
    const char *agency, *ref;
} ref_item;

static int cmp_ref_item(const void *a, const void *b)
{
    const ref_item *x = a, *y = b;
    int c = strcmp(x->agency, y->agency);
    return c ? c : strcmp(x->ref, y->ref);
}

int jd_store__refs_each(uint64_t key, const char *list, size_t len,
                        int (*cb)(uint64_t key, const char *agency, const char *ref,
                                  void *payload),
                        void *payload)
{
    char *copy = malloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += list[i] == 0x1e;
    ref_item *v = malloc((n ? n : 1) * sizeof *v);
    if (!copy || !v) {
        free(copy);
        free(v);
        return JD_ENOMEM;
    }
    memcpy(copy, list, len);
    copy[len] = '\0';
    size_t k = 0;
    for (char *p = copy, *end; k < n && (end = strchr(p, 0x1e)); p = end + 1) {
        *end = '\0';
        char *us = strchr(p, 0x1f);
        if (!us)
            continue; /* not written by this file: skipped */
        *us = '\0';
        v[k++] = (ref_item){p, us + 1};
    }
    qsort(v, k, sizeof *v, cmp_ref_item);
    int rc = JD_OK;
    for (size_t i = 0; i < k && rc == JD_OK; i++)
        rc = cb(key, v[i].agency, v[i].ref, payload);
    free(copy);
    free(v);
    return rc;
}

int jd_store__keys_parse(const char *text, uint64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 1;
    for (const char *p = text ? text : ""; *p; p++)
        cap += *p == ' ';
    uint64_t *v = malloc(cap * sizeof *v);
    if (!v)
        return JD_ENOMEM;
    for (const char *p = text ? text : ""; *p;) {
        char *end;
        unsigned long long x = strtoull(p, &end, 10);
        if (end == p)
            break;
        v[(*n)++] = (uint64_t)x;
        p = *end == ' ' ? end + 1 : end;
    }
    *out = v;
    return JD_OK;
}

/* A key in decimal into out (20 bytes at most); its length. printf took a
 * full resolve's save 1.4 s of CPU for the 6.6M keys of the 1M-event county. */
static size_t u64_decimal(char out[20], uint64_t v)
{
    char t[20];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = t[n - 1 - i];
    return n;
}

int jd_store__keys_format(jd_buf *b, const uint64_t *keys, size_t n)
{
    if (jd_buf_reserve(b, n * 21) != JD_OK)
        return JD_ENOMEM;
    char *p = b->ptr + b->len;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ' ';
        p += u64_decimal(p, keys[i]);
    }
    b->len = (size_t)(p - b->ptr);
    b->ptr[b->len] = '\0';
    return JD_OK;
}

const void *jd_store__keys_blob(jd_buf *b, const uint64_t *keys, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)b;
    return n ? (const void *)keys : (const void *)"";
#else
    jd_buf_reset(b);
    if (jd_buf_reserve(b, n * 8) != JD_OK)
        return NULL;
    unsigned char *p = (unsigned char *)b->ptr;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 8; k++)
            *p++ = (unsigned char)(keys[i] >> (8 * k));
    b->len = n * 8;
    return b->ptr;
#endif
}

int jd_store__keys_unblob(const void *blob, size_t bytes, uint64_t **out, size_t *n)
{
    *n = bytes / 8;
    *out = malloc((*n ? *n : 1) * sizeof **out);
    if (!*out) {
        *n = 0;
        return JD_ENOMEM;
    }
    const unsigned char *p = blob;
    for (size_t i = 0; i < *n; i++) {
        uint64_t v = 0;
        for (int k = 7; k >= 0; k--)
            v = v << 8 | p[8 * i + (size_t)k];
        (*out)[i] = v;
    }
    return JD_OK;
}

/* One (key, ref) entry of jd_store__key_lists: the key and the ref's index. */
typedef struct key_row {
    uint64_t key;
    uint64_t ref;
} key_row;

/* LSD radix sort by key in signed order, 16 bits a pass. */
static int sort_key_rows(key_row *v, size_t n)
{
    key_row *tmp = malloc((n ? n : 1) * sizeof *tmp);
    size_t *cnt = malloc(((size_t)1 << 16) * sizeof *cnt);
    if (!tmp || !cnt) {
        free(tmp);
        free(cnt);
        return JD_ENOMEM;
    }
    key_row *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(cnt, 0, ((size_t)1 << 16) * sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[((src[i].key ^ (UINT64_C(1) << 63)) >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < ((size_t)1 << 16); d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[((src[i].key ^ (UINT64_C(1) << 63)) >> shift) & 0xffff]++] = src[i];
        key_row *t = src;
        src = dst;
        dst = t;
    }
    free(tmp); /* four passes: the sorted rows are back in v */
    free(cnt);
    return JD_OK;
}

/* A key's top 16 bits in signed order (the parts of jd_store__key_lists). */
static inline uint32_t key_top(uint64_t key)
{
    return (uint32_t)((key ^ (UINT64_C(1) << 63)) >> 48);
}

/* Each ref's entry ("agency" US "person_ref" RS) once into ent, ref i's at
 * at[i] .. at[i + 1], rather than once a key: strlen of both names for
 * every (key, ref) took 0.9 s at 1M. */
static int key_entries(const jd_identity_save *refs, size_t n, jd_buf *ent, size_t **at_out)
{
    size_t *at = malloc((n + 1) * sizeof *at);
    if (!at)
        return JD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        at[i] = ent->len;
        static const char us = 0x1f, rs = 0x1e;
        if (refs[i].keys && refs[i].nkeys &&
            (jd_buf_adds(ent, refs[i].agency) != JD_OK || jd_buf_add(ent, &us, 1) != JD_OK ||
             jd_buf_adds(ent, refs[i].person_ref) != JD_OK || jd_buf_add(ent, &rs, 1) != JD_OK)) {
            free(at);
            return JD_ENOMEM;
        }
    }
    at[n] = ent->len;
    *at_out = at;
    return JD_OK;
}

/* The (key, ref) rows whose key's top 16 bits are in [lo, hi), into v,
 * sorted; how many. */
static size_t key_part(const jd_identity_save *refs, size_t n, uint32_t lo, uint32_t hi,
                       key_row *v)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (uint32_t j = 0; refs[i].keys && j < refs[i].nkeys; j++) {
            uint32_t t = key_top(refs[i].keys[j]);
            if (t >= lo && t < hi)
                v[k++] = (key_row){refs[i].keys[j], i};
        }
    return k;
}

/*
 * The lists, a part of the keys at a time: the keys' top 16 bits counted,
 * cut into about 16 ranges of as many rows, and each range's rows
 * gathered, sorted and listed in turn. The rows are 16 bytes each and the
 * sort needs as much again: at 1M (6.6M keys) 210 MB held at once beside
 * clustering, the run's peak, now a sixteenth of it; 17 reads of the keys
 * instead of one (a second thread's, at 1M about 0.2 s).
 */
int jd_store__note(const jd_note_maker *notes, const jd_identity_info *info, size_t i,
                   const char **note, jd_error *err)
{
    if (!notes) {
        *note = info[i].note;
        return JD_OK;
    }
    *note = NULL;
    int rc = notes->make(notes->payload, i, note);
    return rc < 0 ? jd_error_set(err, rc, "identity note %zu not made", i) : JD_OK;
}

int jd_store__key_lists(const jd_identity_save *refs, size_t n,
                        int (*cb)(uint64_t key, const char *list, size_t len, void *payload),
                        void *payload, size_t *total)
{
    enum { TOPS = 1 << 16, PARTS = 16 };
    size_t nk = 0, *hist = calloc(TOPS, sizeof *hist);
    if (!hist)
        return JD_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (uint32_t j = 0; refs[i].keys && j < refs[i].nkeys; j++, nk++)
            hist[key_top(refs[i].keys[j])]++;
    *total = nk;
    size_t want = nk / PARTS + 1, most = 1; /* rows a part aims at; the largest part's */
    for (uint32_t lo = 0, hi; lo < TOPS; lo = hi) {
        size_t c = 0;
        for (hi = lo; hi < TOPS && (c == 0 || c + hist[hi] <= want); hi++)
            c += hist[hi];
        most = c > most ? c : most;
    }
    key_row *v = malloc(most * sizeof *v);
    jd_buf ent = JD_BUF_INIT(SIZE_MAX), list = JD_BUF_INIT(SIZE_MAX);
    size_t *at = NULL;
    int rc = v ? key_entries(refs, n, &ent, &at) : JD_ENOMEM;
    for (uint32_t lo = 0, hi; rc == JD_OK && lo < TOPS; lo = hi) {
        size_t c = 0;
        for (hi = lo; hi < TOPS && (c == 0 || c + hist[hi] <= want); hi++)
            c += hist[hi];
        size_t np = c ? key_part(refs, n, lo, hi, v) : 0;
        rc = sort_key_rows(v, np);
        for (size_t i = 0, j; rc == JD_OK && i < np; i = j) {
            jd_buf_reset(&list);
            /* a ref's keys are distinct: each ref once in its keys' lists */
            for (j = i; j < np && v[j].key == v[i].key && rc == JD_OK; j++) {
                size_t r = v[j].ref;
                if (jd_buf_add(&list, ent.ptr + at[r], at[r + 1] - at[r]) != JD_OK)
                    rc = JD_ENOMEM;
            }
            if (rc == JD_OK)
                rc = cb(v[i].key, list.ptr, list.len, payload);
        }
    }
    jd_buf_dispose(&list);
    jd_buf_dispose(&ent);
    free(at);
    free(v);
    free(hist);
    return rc;
}

/* jd_store__key_lists's lists appended to one jd_key_lists. */
static int lists_keep(uint64_t key, const char *list, size_t len, void *payload)
{
    jd_key_lists *x = payload;
    if (x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 4096;
        uint64_t *k = realloc(x->key, nc * sizeof *k);
        if (k)
            x->key = k;
        size_t *e = realloc(x->end, nc * sizeof *e);
        if (e)
            x->end = e;
        if (!k || !e)
            return JD_ENOMEM;
        x->cap = nc;
    }
    if (x->len + len > x->tcap) {
        size_t nc = x->tcap ? x->tcap : 1 << 20;
        while (nc < x->len + len)
            nc *= 2;
        char *t = realloc(x->text, nc);
        if (!t)
            return JD_ENOMEM;
        x->text = t;
        x->tcap = nc;
    }
    memcpy(x->text + x->len, list, len);
    x->len += len;
    x->key[x->n] = key;
    x->end[x->n++] = x->len;
    return JD_OK;
}

int jd_store__key_lists_make(const jd_identity_save *refs, size_t n, jd_key_lists *out)
{
    *out = (jd_key_lists){0};
    out->rc = jd_store__key_lists(refs, n, lists_keep, out, &out->total);
    if (out->rc != JD_OK) {
        int rc = out->rc;
        jd_store__key_lists_free(out);
        out->rc = rc;
    }
    return out->rc;
}

void jd_store__key_lists_free(jd_key_lists *x)
{
    free(x->key);
    free(x->end);
    free(x->text);
    *x = (jd_key_lists){0};
}
