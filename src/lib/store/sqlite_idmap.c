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
        int n = ref_key(key, sizeof key, a, (size_t)sqlite3_column_bytes(st, 0), p,
                        (size_t)sqlite3_column_bytes(st, 1));
        if (n < 0)
            continue; /* not in the map: the analysis load refuses such a ref anyway */
        const jd_sq_ident *d = jd_sq__idmap_by_id(m, sqlite3_column_int64(st, 2));
        /* a ref whose identity row is missing joins to none, as LEFT JOIN */
        uint32_t v = d ? (uint32_t)(d - m->ids) : UINT32_MAX;
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

int jd_sq__idmap_load(sq *q, jd_sq_idmap *m, jd_error *err)
{
    memset(m, 0, sizeof *m);
    jd_arena_init(&m->ar, 1 << 20);
    jd_strmap_init(&m->refs);
    int rc = idmap_ids(q, m, err);
    if (rc == JD_OK)
        rc = idmap_refs(q, m, err);
    if (rc < 0)
        jd_sq__idmap_free(m);
    return rc;
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
    jd_strmap_free(&m->refs);
    jd_arena_free(&m->ar);
    memset(m, 0, sizeof *m);
}
