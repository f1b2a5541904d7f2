/*
 * Streaming RFC 4180 CSV reader (internal API).
 *
 * Reads one record at a time from a file or a memory block with bounded
 * memory: fields are unquoted into one reusable buffer and handed out as
 * NUL-terminated pointers valid until the next record. Every limit (field,
 * record, field count) is enforced; exceeding one skips the rest of that
 * record correctly (quotes honoured) and reports JD_ELIMIT, so the caller
 * can quarantine it and go on.
 */
#ifndef JD_CSV_H
#define JD_CSV_H

#include <joindots/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct jd_csv jd_csv;

typedef struct jd_csv_opts {
    size_t max_field;        /* bytes in one field */
    size_t max_fields;       /* fields in one record */
    size_t max_record;       /* bytes in one record */
    char sep;                /* field separator */
    bool trim_leading_space; /* drop blanks after a separator (FEBRL ", " files) */
    bool no_symlink;         /* refuse a symbolic link (jd_csv__fopen) */
} jd_csv_opts;
#define JD_CSV_OPTS_INIT {1u << 20, 1024, 4u << 20, ',', false, false}

/*
 * Open an outside input file for reading, only if it is a regular file: a
 * FIFO, a device (/dev/zero), a socket or a directory would block or never
 * end. An lstat (stat when links are followed) keeps devices from being
 * opened at all; the open is non-blocking (a FIFO cannot hang it) and the
 * type is then checked again on the opened descriptor (fstat), so a file
 * swapped in between is caught too. With no_symlink a symbolic link is
 * refused (O_NOFOLLOW). `name` is what messages call the file.
 * Returns JD_OK, JD_EIO (cannot open), JD_EINVALID (not a regular file).
 */
int jd_csv__fopen(FILE **out, const char *path, const char *name, bool no_symlink,
                  jd_error *err);

/* Open a file (through jd_csv__fopen); `name` is what messages call it. A
 * UTF-8 BOM is skipped. Returns JD_OK, JD_EIO (unreadable), JD_EINVALID (not
 * a regular file), JD_ENOMEM. */
int jd_csv__open(jd_csv **out, const char *path, const char *name, const jd_csv_opts *opts,
                 jd_error *err);
/* The same over memory (not copied; it must outlive the reader). */
int jd_csv__open_mem(jd_csv **out, const char *data, size_t len, const char *name,
                     const jd_csv_opts *opts, jd_error *err);
/*
 * Read the next record: 1 if read, 0 at end of input, or a negative code:
 * JD_EINVALID (not CSV: NUL byte, unterminated quoted field; fatal),
 * JD_ELIMIT (a limit exceeded; the record was skipped and the next call
 * continues with the following record), JD_EIO. err gets name, line, column.
 */
int jd_csv__next(jd_csv *c, jd_error *err);
size_t jd_csv__nfields(const jd_csv *c);
/* Field i, NUL-terminated; borrowed until the next jd_csv__next. Out of
 * range gives "" with length 0. */
const char *jd_csv__field(const jd_csv *c, size_t i, size_t *len);
long jd_csv__line(const jd_csv *c);       /* line where the current record starts */
uint64_t jd_csv__offset(const jd_csv *c); /* bytes consumed so far */
uint64_t jd_csv__size(const jd_csv *c);   /* input size if known, else 0 */
void jd_csv__close(jd_csv *c);            /* NULL-safe */

/* Strict UTF-8 check: no overlongs, surrogates or code points past U+10FFFF. */
bool jd_csv__valid_utf8(const char *s, size_t n);

#endif
