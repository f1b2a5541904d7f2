/*
 * jd_arena: bump allocator for many small allocations sharing one lifetime
 * (one HTTP request, one ingest batch, one rule evaluation). Chunks form a
 * singly linked list, newest first; an allocation larger than a chunk gets a
 * chunk of its own. With -Darena_debug=true (JD_ARENA_DEBUG) every
 * allocation is its own malloc so ASan and valgrind see overruns.
 */
#include "util/internal.h"

#include <stdlib.h>
#include <string.h>

struct jd_arena_chunk {
    jd_arena_chunk *next;
    size_t size, off;
    _Alignas(16) unsigned char data[];
};

void jd_arena_init(jd_arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 16 * 1024;
    a->used = 0;
    a->limit = 0;
}

/* n bytes at a multiple of align (1 or 16) in the newest chunk, or in a new
 * one. Strings take align 1: packed end to end, a 6-byte agency name costs
 * 7 bytes and not 16 (the analysis snapshot keeps ten strings an event). */
static void *arena_bump(jd_arena *a, size_t n, size_t align)
{
    size_t need = (n + align - 1) & ~(align - 1);
    if (need < n)
        return NULL;
    if (a->limit && a->used + need > a->limit)
        return NULL;
#ifdef JD_ARENA_DEBUG
    jd_arena_chunk *c = malloc(sizeof *c + n);
    if (!c)
        return NULL;
    c->size = n;
    c->off = n;
    c->next = a->head;
    a->head = c;
    a->used += need;
    return c->data;
#else
    jd_arena_chunk *c = a->head;
    size_t off = c ? (c->off + align - 1) & ~(align - 1) : 0;
    if (!c || off > c->size || c->size - off < need) {
        size_t sz = need > a->chunk_size ? need : a->chunk_size;
        jd_arena_chunk *nc = malloc(sizeof *nc + sz);
        if (!nc)
            return NULL;
        nc->size = sz;
        nc->off = 0;
        if (need > a->chunk_size && c) {
            /* Oversized: keep the current chunk at the head for small ones. */
            nc->next = c->next;
            c->next = nc;
            nc->off = need;
            a->used += need;
            return nc->data;
        }
        nc->next = c;
        a->head = nc;
        c = nc;
        off = 0;
    }
    void *p = c->data + off;
    c->off = off + need;
    a->used += need;
    return p;
#endif
}

void *jd_arena_alloc(jd_arena *a, size_t n)
{
    return arena_bump(a, n, 16);
}

void *jd_arena_calloc(jd_arena *a, size_t n)
{
    void *p = jd_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *jd_arena_strndup(jd_arena *a, const char *s, size_t n)
{
    if (n + 1 == 0)
        return NULL;
    char *p = arena_bump(a, n + 1, 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *jd_arena_strdup(jd_arena *a, const char *s)
{
    return jd_arena_strndup(a, s, strlen(s));
}

void jd_arena_reset(jd_arena *a)
{
    jd_arena_chunk *c = a->head;
    if (!c)
        return;
    /* Keep the last (oldest, normal-sized) chunk for reuse. */
    jd_arena_chunk *keep = c;
    while (keep->next)
        keep = keep->next;
    while (c != keep) {
        jd_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
#ifdef JD_ARENA_DEBUG
    free(keep);
    a->head = NULL;
#else
    keep->off = 0;
    a->head = keep;
#endif
    a->used = 0;
}

void jd_arena_free(jd_arena *a)
{
    jd_arena_chunk *c = a->head;
    while (c) {
        jd_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
    a->used = 0;
}
