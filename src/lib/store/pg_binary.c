/* PostgreSQL's binary COPY stream (pg_binary.h). */
#include "store/pg_binary.h"

#include <string.h>

static void put_be(char *at, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        at[i] = (char)(unsigned char)(v & 0xff);
        v >>= 8;
    }
}

/* bytes of v big-endian, then len bytes of data */
static int add_be(jd_buf *b, uint64_t v, int bytes, const void *data, size_t len)
{
    int rc = jd_buf_reserve(b, (size_t)bytes + len);
    if (rc < 0)
        return rc;
    put_be(b->ptr + b->len, v, bytes);
    if (len)
        memcpy(b->ptr + b->len + bytes, data, len);
    b->len += (size_t)bytes + len;
    b->ptr[b->len] = '\0';
    return JD_OK;
}

int jd_pgbin_header(jd_buf *b)
{
    static const char sig[19] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0',
                                 0,   0,   0,   0,   0,   0,   0,    0};
    return jd_buf_add(b, sig, sizeof sig);
}

int jd_pgbin_trailer(jd_buf *b)
{
    return add_be(b, 0xffff, 2, NULL, 0);
}

int jd_pgbin_row(jd_buf *b, int nfields)
{
    if (nfields < 1 || nfields > 1600)
        return JD_EINVALID;
    return add_be(b, (uint64_t)nfields, 2, NULL, 0);
}

int jd_pgbin_null(jd_buf *b)
{
    return add_be(b, 0xffffffffu, 4, NULL, 0);
}

int jd_pgbin_int8(jd_buf *b, int64_t v)
{
    char be[8];
    put_be(be, (uint64_t)v, 8);
    return add_be(b, 8, 4, be, 8);
}

int jd_pgbin_int4(jd_buf *b, int64_t v)
{
    if (v < INT32_MIN || v > INT32_MAX)
        return JD_ELIMIT;
    char be[4];
    put_be(be, (uint32_t)(int32_t)v, 4);
    return add_be(b, 4, 4, be, 4);
}

int jd_pgbin_text(jd_buf *b, const char *s)
{
    if (!s)
        return jd_pgbin_null(b);
    size_t n = strlen(s);
    if (n > INT32_MAX)
        return JD_ELIMIT;
    return add_be(b, n, 4, s, n);
}
