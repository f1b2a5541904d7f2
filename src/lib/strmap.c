/*
 * A small open-addressing hash map from byte strings to uint32 values, with
 * linear probing and keys copied into an arena. Used for vocabularies,
 * person ids and pattern indexes; one owner at a time (not thread-safe).
 */
#include "internal.h"

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
    jd_strmap_slot *s = find(m, key, len, jd_hash64(key, len, 0));
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

uint32_t *jd_strmap_put(jd_strmap *m, const char *key, size_t len, uint32_t val, bool *added)
{
    if ((m->n + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return NULL;
    uint64_t h = jd_hash64(key, len, 0);
    jd_strmap_slot *s = find(m, key, len, h);
    if (s->key) {
        if (added)
            *added = false;
        return &s->val;
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
    return &s->val;
}
