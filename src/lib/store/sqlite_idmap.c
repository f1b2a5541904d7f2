/*
 * Every resolved ref's identity, read into memory in two scans (identity
 * in row order, then identity_ref in key order) for the analysis load's
 * mentions of the whole county. Joined in SQL, each mention cost an index
 * search in identity_ref and a row search in identity: 1M county, the
 * mentions' query 8.7 s user against 2.8 s without the join
 * (docs/internals/analyse.md).
 */
#include "store/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

/* Column text, NULL for NULL; "" with nul set (no calls into sqlite.c,
 * which calls this file: scripts/check-cycles.py). */
static const char *col(sqlite3_stmt *st, int i, bool nul)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t || nul ? t : "";
}

static int idmap_ids(sq *q, jd_sq_idmap *m, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT id, person_id, display_name, dob, is_child"
                           " FROM identity ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identities");
    int r, rc = JD_OK;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (jd_grow((void **)&m->ids, &m->cap, m->nids + 1, sizeof *m->ids) < 0) {
            rc = jd_oom(err);
            break;
        }
        const char *name = col(st, 2, true), *dob = col(st, 3, true);
        jd_sq_ident *d = &m->ids[m->nids];
        *d = (jd_sq_ident){sqlite3_column_int64(st, 0), jd_arena_strdup(&m->ar, col(st, 1, false)),
                           name ? jd_arena_strdup(&m->ar, name) : NULL,
                           dob ? jd_arena_strdup(&m->ar, dob) : NULL,
                           sqlite3_column_int(st, 4) != 0};
        if (!d->person_id || (name && !d->name) || (dob && !d->dob)) {
            rc = jd_oom(err);
            break;
        }
        m->nids++;
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identities");
    sqlite3_finalize(st);
    return rc;
}

const jd_sq_ident *jd_sq__idmap_by_id(const jd_sq_idmap *m, int64_t id)
{
    size_t lo = 0, hi = m->nids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->ids[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->nids && m->ids[lo].id == id ? &m->ids[lo] : NULL;
}

/* The map's key of a ref: the agency's length, the agency, the ref (no
 * separator that a value could hold). -1 when it does not fit. */
static int ref_key(char *key, size_t cap, const char *agency, size_t alen, const char *ref,
                   size_t rlen)
{
    uint32_t a = (uint32_t)alen;
    if (alen > UINT32_MAX || sizeof a + alen + rlen > cap)
        return -1;
    memcpy(key, &a, sizeof a);
    memcpy(key + sizeof a, agency, alen);
    memcpy(key + sizeof a + alen, ref, rlen);
    return (int)(sizeof a + alen + rlen);
}

#define REF_KEY_MAX 1024

/* SQLite's BINARY order of two texts: bytes, then the shorter first. */
static int bin_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

/* bin_cmp of agency || char(31) || ref against the text k (n bytes). */
static int cat_cmp(const char *a, size_t alen, const char *p, size_t plen, const char *k,
                   size_t n)
{
    int c = memcmp(a, k, alen < n ? alen : n);
    if (c || n <= alen)
        return c ? c : 1; /* k is a prefix of the agency: the longer is greater */
    if ((unsigned char)k[alen] != 31)
        return 31 < (unsigned char)k[alen] ? -1 : 1;
    return bin_cmp(p, plen, k + alen + 1, n - alen - 1);
}

/* Keeps agency || char(31) || ref as identity i's least ref if it is less
 * than the one kept (identity_ref's scan is in key order, so the first is
 * almost always the least; the texts decide, as min() does). */
static int keep_first(jd_sq_idmap *m, size_t i, const char *a, size_t alen, const char *p,
                      size_t plen, jd_error *err)
{
    if (m->fkey[i] && cat_cmp(a, alen, p, plen, m->fkey[i], m->flen[i]) >= 0)
        return JD_OK;
    size_t n = alen + 1 + plen;
    char *c = n <= UINT32_MAX ? jd_arena_alloc(&m->ar, n) : NULL;
    if (!c)
        return jd_oom(err);
    memcpy(c, a, alen);
    c[alen] = 31;
    memcpy(c + alen + 1, p, plen);
    m->fkey[i] = c;
    m->flen[i] = (uint32_t)n;
    return JD_OK;
}

static int idmap_refs(sq *q, jd_sq_idmap *m, jd_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "SELECT agency, person_ref, identity_id FROM identity_ref", -1,
                           &st, NULL) != SQLITE_OK)
        return jd_sq__err(q, err, "identity refs");
    int r, rc = JD_OK;
    char key[REF_KEY_MAX];
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *a = col(st, 0, false), *p = col(st, 1, false);
        size_t alen = (size_t)sqlite3_column_bytes(st, 0), plen = (size_t)sqlite3_column_bytes(st, 1);
        const jd_sq_ident *d = jd_sq__idmap_by_id(m, sqlite3_column_int64(st, 2));
        /* a ref whose identity row is missing joins to none, as LEFT JOIN */
        uint32_t v = d ? (uint32_t)(d - m->ids) : UINT32_MAX;
        if (m->fkey && d && (rc = keep_first(m, v, a, alen, p, plen, err)) != JD_OK)
            break;
        int n = ref_key(key, sizeof key, a, alen, p, plen);
        if (n < 0)
            continue; /* not in the map: the analysis load refuses such a ref anyway */
        if (!jd_strmap_put(&m->refs, key, (size_t)n, v, NULL)) {
            rc = jd_oom(err);
            break;
        }
    }
    if (rc == JD_OK && r != SQLITE_DONE)
        rc = jd_sq__err(q, err, "identity refs");
    sqlite3_finalize(st);
    return rc;
}

static int idmap_load(sq *q, jd_sq_idmap *m, bool firsts, jd_error *err)
{
    memset(m, 0, sizeof *m);
    jd_arena_init(&m->ar, 1 << 20);
    jd_strmap_init(&m->refs);
    int rc = idmap_ids(q, m, err);
    if (rc == JD_OK && firsts) {
        m->fkey = calloc(m->nids + 1, sizeof *m->fkey);
        m->flen = calloc(m->nids + 1, sizeof *m->flen);
        if (!m->fkey || !m->flen)
            rc = jd_oom(err);
    }
    if (rc == JD_OK)
        rc = idmap_refs(q, m, err);
    if (rc < 0)
        jd_sq__idmap_free(m);
    return rc;
}

int jd_sq__idmap_load(sq *q, jd_sq_idmap *m, jd_error *err)
{
    return idmap_load(q, m, false, err);
}

int jd_sq__idmap_load_firsts(sq *q, jd_sq_idmap *m, jd_error *err)
{
    return idmap_load(q, m, true, err);
}

typedef struct first_ref {
    const char *k;
    uint32_t n, i;
} first_ref;

static int cmp_first(const void *a, const void *b)
{
    const first_ref *x = a, *y = b;
    int c = bin_cmp(x->k, x->n, y->k, y->n);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

int jd_sq__idmap_order(const jd_sq_idmap *m, uint32_t **order, size_t *n, jd_error *err)
{
    *order = NULL;
    *n = 0;
    if (!m->fkey)
        return jd_error_set(err, JD_EINVALID, "identity map loaded without first refs");
    first_ref *f = malloc((m->nids + 1) * sizeof *f);
    uint32_t *o = malloc((m->nids + 1) * sizeof *o);
    if (!f || !o) {
        free(f);
        free(o);
        return jd_oom(err);
    }
    size_t k = 0;
    for (size_t i = 0; i < m->nids; i++)
        if (m->fkey[i])
            f[k++] = (first_ref){m->fkey[i], m->flen[i], (uint32_t)i};
    if (k > 1)
        qsort(f, k, sizeof *f, cmp_first);
    for (size_t i = 0; i < k; i++)
        o[i] = f[i].i;
    free(f);
    *order = o;
    *n = k;
    return JD_OK;
}

const jd_sq_ident *jd_sq__idmap_ref(const jd_sq_idmap *m, const char *agency, size_t alen,
                                    const char *ref, size_t rlen)
{
    char key[REF_KEY_MAX];
    int n = ref_key(key, sizeof key, agency, alen, ref, rlen);
    const uint32_t *v = n < 0 ? NULL : jd_strmap_get(&m->refs, key, (size_t)n);
    return v && *v != UINT32_MAX ? &m->ids[*v] : NULL;
}

void jd_sq__idmap_free(jd_sq_idmap *m)
{
    free(m->ids);
    free(m->fkey);
    free(m->flen);
    jd_strmap_free(&m->refs);
    jd_arena_free(&m->ar);
    memset(m, 0, sizeof *m);
}
