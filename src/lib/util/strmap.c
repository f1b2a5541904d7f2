/*
 * A small open-addressing hash map from byte strings to uint32 values, with
 * linear probing and keys copied into an arena. Used for vocabularies,
 * person ids and pattern indexes; one owner at a time (not thread-safe).
 */
#include "util/internal.h"

#include <stdlib.h>
#include <string.h>

void jd_strmap_init(jd_strmap *m)
{
    memset(m, 0, sizeof *m);
    jd_arena_init(&m->keys, 64 * 1024);
}

void jd_strmap_free(jd_strmap *m)
{
    free(m->slots);
    jd_arena_free(&m->keys);
    memset(m, 0, sizeof *m);
}

static jd_strmap_slot *find(const jd_strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        jd_strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == h && s->len == len && !memcmp(s->key, key, len)))
            return s;
    }
}

uint32_t *jd_strmap_get(const jd_strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    jd_strmap_slot *s = find(m, key, len, jd_hash_fast(key, len, 0));
    return s->key ? &s->val : NULL;
}

static int grow(jd_strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    jd_strmap_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    jd_strmap old = *m;
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *find(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) = old.slots[i];
    free(old.slots);
    return 0;
}

/* The slot of key, inserted with val when absent; NULL on out of memory. */
static jd_strmap_slot *put_slot(jd_strmap *m, const char *key, size_t len, uint32_t val,
                                bool *added)
{
    if ((m->n + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return NULL;
    uint64_t h = jd_hash_fast(key, len, 0);
    jd_strmap_slot *s = find(m, key, len, h);
    if (s->key) {
        if (added)
            *added = false;
        return s;
    }
    char *k = jd_arena_strndup(&m->keys, key, len);
    if (!k)
        return NULL;
    s->key = k;
    s->len = (uint32_t)len;
    s->hash = h;
    s->val = val;
    m->n++;
    if (added)
        *added = true;
    return s;
}

uint32_t *jd_strmap_put(jd_strmap *m, const char *key, size_t len, uint32_t val, bool *added)
{
    jd_strmap_slot *s = put_slot(m, key, len, val, added);
    return s ? &s->val : NULL;
}

const char *jd_strmap_key(const jd_strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    jd_strmap_slot *s = find(m, key, len, jd_hash_fast(key, len, 0));
    return s->key;
}

const char *jd_strmap_intern(jd_strmap *m, const char *s)
{
    if (!s)
        return NULL;
    jd_strmap_slot *slot = put_slot(m, s, strlen(s), 0, NULL);
    return slot ? slot->key : NULL;
}

/* ---- jd_hash_fast: the single-lane wyhash (final version 4) scheme ---- */

static inline uint64_t mum(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) /* compiles to one load on little-endian */
        v = v << 8 | p[i];
    return v;
}

static inline uint64_t rd32(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

uint64_t jd_hash_fast(const void *data, size_t n, uint64_t seed)
{
    static const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL,
                          k2 = 0x8ebc6af09c88c6e3ULL;
    const unsigned char *p = (const unsigned char *)data;
    uint64_t a = 0, b = 0;
    seed ^= mum(seed ^ k0, k1);
    if (n <= 16) {
        if (n >= 4) {
            size_t mid = (n >> 3) << 2;
            a = rd32(p) << 32 | rd32(p + mid);
            b = rd32(p + n - 4) << 32 | rd32(p + n - 4 - mid);
        } else if (n > 0) {
            a = (uint64_t)p[0] << 16 | (uint64_t)p[n >> 1] << 8 | p[n - 1];
        }
    } else {
        size_t i = n;
        for (; i > 16; i -= 16, p += 16)
            seed = mum(rd64(p) ^ k1, rd64(p + 8) ^ seed);
        a = rd64(p + i - 16);
        b = rd64(p + i - 8);
    }
    a ^= k1;
    b ^= seed;
    __uint128_t r = (__uint128_t)a * b;
    a = (uint64_t)r;
    b = (uint64_t)(r >> 64);
    return mum(a ^ k2 ^ n, b ^ k1);
}
