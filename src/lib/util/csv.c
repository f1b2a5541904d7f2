/*
 * Streaming RFC 4180 CSV reader.
 *
 * Input arrives in 1 MiB blocks (or one memory block) and runs through a
 * small state machine; field bytes are copied into `rec`, each field ending
 * in a NUL, with `off[i]` its start. Unquoted runs are copied a span at a
 * time (the fast path); quoted fields go byte by byte.
 *
 * Leniency follows common readers: a quote inside an unquoted field is kept
 * literally, text after a closing quote is appended (`"ab"c` gives `abc`),
 * LF, CRLF and bare CR all end a record, and a completely empty line is not
 * a record. A NUL byte, or end of input inside a quoted field, means the
 * input is not CSV.
 *
 * Invariant: between records, `pos` is at the first byte of the next record
 * (or end), so a limit error can skip the rest of a record and go on.
 */
#include "util/csv.h"
#include "util/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK (1u << 20)

enum { S_START, S_UNQUOTED, S_QUOTED, S_QUOTE_SEEN };

struct jd_csv {
    FILE *fp;
    const char *mem;
    size_t mem_len;
    char *block;          /* file input buffer */
    const char *in;       /* current input window */
    size_t pos, end;
    bool eof;
    uint64_t consumed;    /* bytes of earlier windows */
    uint64_t size;
    char name[64];
    jd_csv_opts o;
    char *rec;            /* field bytes, NUL after each */
    size_t rec_len, rec_cap;
    size_t *off;          /* field starts */
    size_t nf, off_cap;
    long line;            /* current physical line (1-based) */
    long rec_line;        /* line where the current record starts */
    bool pending_cr;      /* last byte was CR ending a record: skip one LF */
    bool started;
};

bool jd_csv__valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        /* ASCII fast path, 8 bytes at a time */
        while (e - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (w & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= e)
            break;
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        int len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (e - p < len)
            return false;
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += len;
    }
    return true;
}

static int init(jd_csv **out, const char *name, const jd_csv_opts *opts, jd_csv *c,
                jd_error *err)
{
    jd_csv_opts def = JD_CSV_OPTS_INIT;
    c->o = opts ? *opts : def;
    if (!c->o.sep)
        c->o.sep = ',';
    snprintf(c->name, sizeof c->name, "%s", name ? name : "<csv>");
    c->line = 1;
    c->rec_cap = 4096;
    c->off_cap = 32;
    c->rec = malloc(c->rec_cap);
    c->off = malloc(c->off_cap * sizeof *c->off);
    if (!c->rec || !c->off) {
        jd_csv__close(c);
        return jd_oom(err);
    }
    *out = c;
    return JD_OK;
}

static const char *file_type(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket"
         : S_ISLNK(m) ? "a symbolic link" : "not a regular file";
}

int jd_csv__fopen(FILE **out, const char *path, const char *name, bool no_symlink,
                  jd_error *err)
{
    struct stat st;
    if ((no_symlink ? lstat(path, &st) : stat(path, &st)) != 0)
        return jd_error_set_at(err, JD_EIO, name, 0, 0, "cannot open: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return jd_error_set_at(err, JD_EINVALID, name, 0, 0,
                               "not a regular file (%s): refused before reading",
                               file_type(st.st_mode));
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                            (no_symlink ? O_NOFOLLOW : 0));
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP && no_symlink)
            return jd_error_set_at(err, JD_EINVALID, name, 0, 0,
                                   "not a regular file (a symbolic link): refused before reading");
        return jd_error_set_at(err, JD_EIO, name, 0, 0, "cannot open: %s", strerror(e));
    }
    int flags;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        mode_t m = st.st_mode;
        close(fd);
        return jd_error_set_at(err, JD_EINVALID, name, 0, 0,
                               "not a regular file (%s): refused before reading", file_type(m));
    }
    /* reads of a regular file never block; clear the flag all the same */
    if ((flags = fcntl(fd, F_GETFL)) != -1)
        (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        int e = errno;
        close(fd);
        return jd_error_set_at(err, JD_EIO, name, 0, 0, "cannot open: %s", strerror(e));
    }
    *out = fp;
    return JD_OK;
}

int jd_csv__open(jd_csv **out, const char *path, const char *name, const jd_csv_opts *opts,
                 jd_error *err)
{
    jd_csv *c = calloc(1, sizeof *c);
    if (!c)
        return jd_oom(err);
    int rc = jd_csv__fopen(&c->fp, path, name, opts && opts->no_symlink, err);
    if (rc < 0) {
        free(c);
        return rc;
    }
    struct stat st;
    if (fstat(fileno(c->fp), &st) == 0)
        c->size = (uint64_t)st.st_size;
    c->block = malloc(BLOCK);
    if (!c->block) {
        fclose(c->fp);
        free(c);
        return jd_oom(err);
    }
    c->in = c->block;
    return init(out, name, opts, c, err);
}

int jd_csv__open_mem(jd_csv **out, const char *data, size_t len, const char *name,
                     const jd_csv_opts *opts, jd_error *err)
{
    jd_csv *c = calloc(1, sizeof *c);
    if (!c)
        return jd_oom(err);
    c->mem = data;
    c->mem_len = len;
    c->in = data;
    c->end = len;
    c->eof = true;
    c->size = len;
    return init(out, name, opts, c, err);
}

void jd_csv__close(jd_csv *c)
{
    if (!c)
        return;
    if (c->fp)
        fclose(c->fp);
    free(c->block);
    free(c->rec);
    free(c->off);
    free(c);
}

/* Make input available: 1 if bytes are there, 0 at end, <0 on error. */
static int fill(jd_csv *c, jd_error *err)
{
    if (c->pos < c->end)
        return 1;
    if (c->eof)
        return 0;
    c->consumed += c->end;
    size_t got = fread(c->block, 1, BLOCK, c->fp);
    if (got < BLOCK) {
        if (ferror(c->fp))
            return jd_error_set_at(err, JD_EIO, c->name, c->line, 0, "read error");
        c->eof = true;
    }
    c->pos = 0;
    c->end = got;
    return got > 0;
}

static int grow_rec(jd_csv *c, size_t need)
{
    if (need <= c->rec_cap)
        return JD_OK;
    size_t cap = c->rec_cap * 2;
    while (cap < need)
        cap *= 2;
    char *p = realloc(c->rec, cap);
    if (!p)
        return JD_ENOMEM;
    c->rec = p;
    c->rec_cap = cap;
    return JD_OK;
}

/*
 * Index of the first byte in in[s, e) that is a, b, c or NUL; e if none.
 * Eight bytes a step on little-endian machines (the zero-byte test of
 * "Bit Twiddling Hacks": only bytes above the first match can be false
 * positives, so the lowest flagged byte is exact); half of the reader's
 * time went to the byte-by-byte loop on narrative-heavy exports.
 */
static size_t scan_special(const char *in, size_t s, size_t e, char a, char b, char c)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t ra = ones * (unsigned char)a, rb = ones * (unsigned char)b,
                   rc = ones * (unsigned char)c;
    while (e - s >= 8) {
        uint64_t v;
        memcpy(&v, in + s, 8);
        uint64_t x = v ^ ra, y = v ^ rb, z = v ^ rc;
        uint64_t t = (((x - ones) & ~x) | ((y - ones) & ~y) | ((z - ones) & ~z) |
                      ((v - ones) & ~v)) & highs;
        if (t)
            return s + (size_t)(__builtin_ctzll(t) >> 3);
        s += 8;
    }
#endif
    while (s < e && in[s] != a && in[s] != b && in[s] != c && in[s] != '\0')
        s++;
    return s;
}

typedef struct pstate {
    int st;
    size_t field_len;
    int limit;      /* JD_ELIMIT once a limit is hit: keep parsing, store nothing */
    long limit_col;
    const char *limit_what;
    bool any;       /* the record has at least one byte or separator */
} pstate;

static void hit_limit(jd_csv *c, pstate *p, const char *what)
{
    if (!p->limit) {
        p->limit = JD_ELIMIT;
        p->limit_col = (long)c->nf + 1;
        p->limit_what = what;
    }
}

static int append(jd_csv *c, pstate *p, const char *s, size_t n)
{
    if (p->limit)
        return JD_OK;
    if (p->field_len + n > c->o.max_field) {
        hit_limit(c, p, "field longer than the limit");
        return JD_OK;
    }
    if (c->rec_len + n + 1 > c->o.max_record) {
        hit_limit(c, p, "record longer than the limit");
        return JD_OK;
    }
    if (grow_rec(c, c->rec_len + n + 1) < 0)
        return JD_ENOMEM;
    memcpy(c->rec + c->rec_len, s, n);
    c->rec_len += n;
    p->field_len += n;
    return JD_OK;
}

static int end_field(jd_csv *c, pstate *p)
{
    if (p->limit) {
        p->field_len = 0;
        c->nf++;
        return JD_OK;
    }
    if (c->nf >= c->o.max_fields) {
        hit_limit(c, p, "too many fields in the record");
        return JD_OK;
    }
    if (c->nf == c->off_cap) {
        size_t nc = c->off_cap * 2;
        size_t *n = realloc(c->off, nc * sizeof *n);
        if (!n)
            return JD_ENOMEM;
        c->off = n;
        c->off_cap = nc;
    }
    if (grow_rec(c, c->rec_len + 1) < 0)
        return JD_ENOMEM;
    c->rec[c->rec_len++] = '\0';
    c->off[c->nf++] = c->rec_len - p->field_len - 1;
    p->field_len = 0;
    return JD_OK;
}

int jd_csv__next(jd_csv *c, jd_error *err)
{
    pstate p = {S_START, 0, 0, 0, NULL, false};
    const char sep = c->o.sep;
    int rc;
    c->nf = 0;
    c->rec_len = 0;
    if (!c->started) {
        c->started = true;
        if ((rc = fill(c, err)) < 0)
            return rc;
        if (c->end - c->pos >= 3 && !memcmp(c->in + c->pos, "\xEF\xBB\xBF", 3))
            c->pos += 3;
    }
    for (;;) {
        if ((rc = fill(c, err)) < 0)
            return rc;
        if (rc == 0)
            break;
        const char *in = c->fp ? c->block : c->mem;
        if (c->pending_cr) {
            c->pending_cr = false;
            if (in[c->pos] == '\n') {
                c->pos++;
                continue;
            }
        }
        if (p.st == S_START && !p.any)
            c->rec_line = c->line;
        char ch = in[c->pos];
        if (ch == '\0')
            return jd_error_set_at(err, JD_EINVALID, c->name, c->line, (long)c->nf + 1,
                                   "NUL byte: this is not a text CSV file");
        switch (p.st) {
        case S_START:
            if (c->o.trim_leading_space && (ch == ' ' || ch == '\t')) {
                c->pos++;
                p.any = true;
                continue;
            }
            if (ch == '"') {
                p.st = S_QUOTED;
                p.any = true;
                c->pos++;
                continue;
            }
            p.st = S_UNQUOTED;
            /* fall through */
        case S_UNQUOTED: {
            /* Fast path: copy the run up to the next special byte. */
            size_t s = scan_special(in, c->pos, c->end, sep, '\n', '\r');
            if (s > c->pos) {
                if ((rc = append(c, &p, in + c->pos, s - c->pos)) < 0)
                    goto oom;
                p.any = true;
                c->pos = s;
                continue;
            }
            if (ch == sep) {
                c->pos++;
                p.any = true;
                if ((rc = end_field(c, &p)) < 0)
                    goto oom;
                p.st = S_START;
                continue;
            }
            /* a line ending */
            c->pos++;
            c->line++;
            if (ch == '\r')
                c->pending_cr = true;
            if (!p.any && c->nf == 0)
                continue; /* empty line: not a record */
            goto record;
        }
        case S_QUOTED: {
            size_t s = scan_special(in, c->pos, c->end, '"', '\n', '\r');
            if (s > c->pos) {
                if ((rc = append(c, &p, in + c->pos, s - c->pos)) < 0)
                    goto oom;
                c->pos = s;
                continue;
            }
            c->pos++;
            if (ch == '"') {
                p.st = S_QUOTE_SEEN;
            } else {
                /* a newline inside quotes is data; count CRLF as one line */
                if (ch == '\n' || (ch == '\r' && (c->pos >= c->end || in[c->pos] != '\n')))
                    c->line++;
                if ((rc = append(c, &p, &ch, 1)) < 0)
                    goto oom;
            }
            continue;
        }
        case S_QUOTE_SEEN:
            if (ch == '"') {
                c->pos++;
                if ((rc = append(c, &p, "\"", 1)) < 0)
                    goto oom;
                p.st = S_QUOTED;
                continue;
            }
            if (ch == sep) {
                c->pos++;
                if ((rc = end_field(c, &p)) < 0)
                    goto oom;
                p.st = S_START;
                continue;
            }
            if (ch == '\n' || ch == '\r') {
                c->pos++;
                c->line++;
                if (ch == '\r')
                    c->pending_cr = true;
                goto record;
            }
            p.st = S_UNQUOTED; /* `"ab"c`: keep c literally */
            continue;
        }
    }
    /* end of input */
    if (p.st == S_QUOTED)
        return jd_error_set_at(err, JD_EINVALID, c->name, c->rec_line, (long)c->nf + 1,
                               "quoted field not closed before the end of the file");
    if (!p.any && c->nf == 0)
        return 0;
record:
    if ((rc = end_field(c, &p)) < 0)
        goto oom;
    if (p.limit) {
        c->nf = 0;
        c->rec_len = 0;
        return jd_error_set_at(err, JD_ELIMIT, c->name, c->rec_line, p.limit_col, "%s",
                               p.limit_what);
    }
    return 1;
oom:
    return jd_oom(err);
}

size_t jd_csv__nfields(const jd_csv *c)
{
    return c->nf;
}

const char *jd_csv__field(const jd_csv *c, size_t i, size_t *len)
{
    if (i >= c->nf) {
        if (len)
            *len = 0;
        return "";
    }
    size_t start = c->off[i];
    size_t end = i + 1 < c->nf ? c->off[i + 1] - 1 : c->rec_len - 1;
    if (len)
        *len = end - start;
    return c->rec + start;
}

long jd_csv__line(const jd_csv *c)
{
    return c->rec_line;
}

uint64_t jd_csv__offset(const jd_csv *c)
{
    return c->consumed + c->pos;
}

uint64_t jd_csv__size(const jd_csv *c)
{
    return c->size;
}
