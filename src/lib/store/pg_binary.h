/*
 * PostgreSQL's binary COPY format (the "COPY ... FROM STDIN (FORMAT binary)"
 * stream), written into a jd_buf: what the ingest sends for its bulk tables
 * instead of COPY text, so that the server skips the text parsing (field
 * splitting, de-escaping, each column's text input function).
 *
 * The stream is the signature header (jd_pgbin_header), then per row the
 * field count (jd_pgbin_row) and each field as a 32-bit length and its bytes
 * in the column's binary send format, a NULL as length -1; then the trailer
 * (jd_pgbin_trailer). Every integer is in network byte order (big-endian).
 * The server reads a field by its column's type, not by anything in the
 * stream, so each value must be written as the type the table declares:
 * jd_pgbin_int4 for integer, jd_pgbin_int8 for bigint, jd_pgbin_text for
 * text and domains over it (ctext). pg.c checks the declared types once per
 * connection before the first binary COPY of a table.
 *
 * No libpq here: the encoder is plain bytes, tested on its own
 * (tests/unit/test_pgbin.c).
 */
#ifndef JD_STORE_PG_BINARY_H
#define JD_STORE_PG_BINARY_H

#include "util/internal.h"

#include <stdint.h>

/* The 19-byte header: signature, flags 0, header extension length 0. */
JD_NODISCARD int jd_pgbin_header(jd_buf *b);
/* The 2-byte trailer (field count -1). */
JD_NODISCARD int jd_pgbin_trailer(jd_buf *b);
/* A row of nfields fields starts (1..1600, the server's column limit). */
JD_NODISCARD int jd_pgbin_row(jd_buf *b, int nfields);
/* A NULL field. */
JD_NODISCARD int jd_pgbin_null(jd_buf *b);
/* A bigint field. */
JD_NODISCARD int jd_pgbin_int8(jd_buf *b, int64_t v);
/* An integer field: JD_ELIMIT (nothing written) when v is outside int32,
 * where COPY text would have failed with "out of range" on the server. */
JD_NODISCARD int jd_pgbin_int4(jd_buf *b, int64_t v);
/* A text field, its bytes as they are (the server checks the encoding, as
 * for COPY text); s NULL is a NULL field. */
JD_NODISCARD int jd_pgbin_text(jd_buf *b, const char *s);

#endif
