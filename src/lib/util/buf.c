/*
 * jd_buf: a growable byte buffer with a hard size cap, for anything that grows
 * from outside input (a CSV field, an HTTP body). The cap is the defence: a
 * caller names the largest size it accepts and appends past it fail with
 * JD_ELIMIT instead of allocating without bound. The string is always kept
 * NUL-terminated so it can be handed to C string functions.
 */
#include "util/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jd_buf_init(jd_buf *b, size_t toobig)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->toobig = toobig;
}

static int grow(jd_buf *b, size_t need)
{
    if (need + 1 > b->toobig || need + 1 < need)
        return JD_ELIMIT;
    if (need + 1 <= b->cap)
        return JD_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need + 1)
        cap *= 2;
    if (cap > b->toobig)
        cap = b->toobig;
    char *p = realloc(b->ptr, cap);
    if (!p)
        return JD_ENOMEM;
    b->ptr = p;
    b->cap = cap;
    return JD_OK;
}

int jd_buf_reserve(jd_buf *b, size_t len)
{
    return grow(b, b->len + len);
}

int jd_buf_add(jd_buf *b, const void *mem, size_t len)
{
    int rc = grow(b, b->len + len);
    if (rc < 0)
        return rc;
    if (len)
        memcpy(b->ptr + b->len, mem, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return JD_OK;
}

int jd_buf_addc(jd_buf *b, char c)
{
    if (b->len + 2 <= b->cap) { /* fast path for the CSV reader's byte loop */
        b->ptr[b->len++] = c;
        b->ptr[b->len] = '\0';
        return JD_OK;
    }
    return jd_buf_add(b, &c, 1);
}

int jd_buf_adds(jd_buf *b, const char *s)
{
    return jd_buf_add(b, s, strlen(s));
}

int jd_buf_printf(jd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return JD_ERROR;
    int rc = grow(b, b->len + (size_t)n);
    if (rc < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return JD_OK;
}

void jd_buf_reset(jd_buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

void jd_buf_dispose(jd_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

char *jd_buf_detach(jd_buf *b)
{
    char *p = b->ptr;
    if (!p)
        p = calloc(1, 1);
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

bool jd_str_ieq_n(const char *s, size_t n, const char *t)
{
    size_t i = 0;
    for (; i < n && t[i]; i++) {
        unsigned char a = (unsigned char)s[i], c = (unsigned char)t[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a + 32);
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (a != c)
            return false;
    }
    return i == n && t[i] == '\0';
}

const char *jd_str_trim(const char *s, size_t *len)
{
    size_t n = *len;
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    *len = n;
    return s;
}

int jd_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return -1;
        nc *= 2;
    }
    if (size && nc > SIZE_MAX / size)
        return -1;
    void *q = realloc(*p, nc * size);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}
