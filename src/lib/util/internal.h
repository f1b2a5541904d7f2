/*
 * The util module: arenas, capped buffers and jd_grow, string maps, the CSV
 * reader and writer, errors. Never installed; the CLI, server and tests
 * outside tests/unit must use <joindots/...> only.
 *
 * May include: nothing of the library but public headers (every other
 * module sits above it; scripts/check-includes.py).
 */
#ifndef JD_INTERNAL_H
#define JD_INTERNAL_H

#include <joindots/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* JD_ENOMEM with the library's one out-of-memory message in *err (NULL-safe,
 * as jd_error_set); returns JD_ENOMEM. */
int jd_oom(jd_error *err);
/* The monotonic clock in seconds (clock.c), for stage timings. */
double jd_secs(void);
/* The CPU time of the calling thread in seconds (0 where unknown). */
double jd_thread_cpu_secs(void);

/* jd_grow (growable arrays) is public: <joindots/common.h>. */

/* ---- growable byte buffer with a hard cap (curl's dynbuf) ---- */
typedef struct jd_buf {
    char *ptr;     /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
    size_t toobig; /* appends that would reach this size fail with JD_ELIMIT */
} jd_buf;

#define JD_BUF_INIT(limit) {NULL, 0, 0, (limit)}
void jd_buf_init(jd_buf *b, size_t toobig);
JD_NODISCARD int jd_buf_add(jd_buf *b, const void *mem, size_t len);
/* Room for len more bytes (and the NUL) without moving: write at ptr + len. */
JD_NODISCARD int jd_buf_reserve(jd_buf *b, size_t len);
JD_NODISCARD int jd_buf_addc(jd_buf *b, char c);
JD_NODISCARD int jd_buf_adds(jd_buf *b, const char *s);
JD_NODISCARD int jd_buf_printf(jd_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void jd_buf_reset(jd_buf *b); /* empty, keep memory */
void jd_buf_dispose(jd_buf *b); /* free memory */
/* Hand the string over to the caller (free() it); the buffer is emptied. */
char *jd_buf_detach(jd_buf *b);
static inline const char *jd_buf_cstr(const jd_buf *b)
{
    return b->ptr ? b->ptr : "";
}

/* ---- arena: many small allocations with one lifetime (nginx pools) ---- */
typedef struct jd_arena_chunk jd_arena_chunk;
typedef struct jd_arena {
    jd_arena_chunk *head;
    size_t chunk_size;
    size_t used;  /* bytes handed out */
    size_t limit; /* 0 = no limit; over it allocations return NULL */
} jd_arena;

void jd_arena_init(jd_arena *a, size_t chunk_size);
void *jd_arena_alloc(jd_arena *a, size_t n); /* 16-byte aligned, NULL on OOM/limit */
void *jd_arena_calloc(jd_arena *a, size_t n);
char *jd_arena_strndup(jd_arena *a, const char *s, size_t n); /* packed: not aligned */
char *jd_arena_strdup(jd_arena *a, const char *s);
void jd_arena_reset(jd_arena *a); /* free all but keep the first chunk */
void jd_arena_free(jd_arena *a);

/* ---- strings ---- */
/* ASCII case-insensitive equality of s[0..n) with the C string t. */
bool jd_str_ieq_n(const char *s, size_t n, const char *t);
/* Trim ASCII white space in place, returning the new start; *len updated. */
const char *jd_str_trim(const char *s, size_t *len);

/* The length of s's first n bytes backed off to a character boundary (s
 * holds more than n bytes): a cut before a UTF-8 continuation byte
 * (10xxxxxx) moves back to its lead byte, so a cut text stays valid UTF-8
 * (a JSON string of it is not dropped). */
static inline size_t jd_utf8_cut(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* 64-bit FNV-1a, a byte at a time. Stored row hashes (ingest's change
 * detection) and resolution's blocking keys use it: never change it. */
static inline uint64_t jd_hash64(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = (const unsigned char *)data;
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* 64-bit hash of the wyhash family (128-bit multiply-mix, 16 bytes a step):
 * about ten times faster than FNV-1a on long keys. Little-endian reads, so
 * its values are the same on every platform. In-memory tables use it, and
 * stores created since migration 7 keep row hashes made with it (meta
 * row_hash = wyhash64): never change it either. */
uint64_t jd_hash_fast(const void *data, size_t n, uint64_t seed);

/* ---- string map: byte-string keys (copied) to uint32 values ---- */
typedef struct jd_strmap_slot {
    const char *key; /* NULL: empty */
    uint32_t len, val;
    uint64_t hash;
} jd_strmap_slot;
typedef struct jd_strmap {
    jd_strmap_slot *slots;
    size_t cap, n; /* cap is a power of two */
    jd_arena keys;
} jd_strmap;

void jd_strmap_init(jd_strmap *m);
void jd_strmap_free(jd_strmap *m);
/* Pointer to the value of key, or NULL. */
uint32_t *jd_strmap_get(const jd_strmap *m, const char *key, size_t len);
/* Insert key (with val) if absent; returns a pointer to the stored value
 * (the old one when present; *added tells which), NULL on out of memory. */
uint32_t *jd_strmap_put(jd_strmap *m, const char *key, size_t len, uint32_t val, bool *added);
/* The map's own copy of key (stable until jd_strmap_free), or NULL: a
 * reader may keep it instead of a copy of its own. */
const char *jd_strmap_key(const jd_strmap *m, const char *key, size_t len);
/* The map's one copy of the string s (added when absent; NULL for NULL or
 * out of memory), valid until jd_strmap_free: interning of values that
 * repeat (an agency, an event type), one copy however many rows hold it. */
const char *jd_strmap_intern(jd_strmap *m, const char *s);

/* ---- jobs on threads (jobs.c) ---- */
enum { JD_MAX_THREADS = 8 };
/* Threads to use: `threads`, or one per online CPU when 0; at most
 * JD_MAX_THREADS. */
int jd_thread_count(int threads);
/* Run fn on each of `n` jobs (an array of job_size-byte structs), job 0 here
 * and the others in threads; a job whose thread cannot start (or past
 * JD_MAX_THREADS) runs here too. Returns when all are done. */
void jd_run_jobs(void *(*fn)(void *), void *jobs, size_t job_size, int n);

/* ingest.c: load and free the column-mapping file at path (fuzzing). */
int jd_ingest__mapping_check(const char *path, jd_error *err);

#endif
