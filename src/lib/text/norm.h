/*
 * The text module (this is its main header; names.h, phonetic.h and
 * compare.h are the rest): values as agencies write them, made comparable.
 * May include: util (and public headers).
 *
 * Field normalisers (internal API): dates and times in UK local time,
 * dates of birth, UK postcodes, phone numbers to E.164, vehicle registration
 * marks, NHS numbers (modulus 11), unique pupil numbers, gender and age.
 * Each takes a byte range (not necessarily NUL-terminated) and either fills
 * its output and returns JD_OK, or returns JD_EINVALID and leaves the
 * output unspecified. None allocates; all are thread-safe.
 */
#ifndef JD_NORM_H
#define JD_NORM_H

#include <joindots/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    JD_PREC_NONE = 0,
    JD_PREC_YEAR,
    JD_PREC_MONTH,
    JD_PREC_DAY,
    JD_PREC_MINUTE,
    JD_PREC_SECOND
} jd_precision;

/* How a UK local time without an offset mapped to an instant. */
typedef enum {
    JD_LOCAL_EXACT = 0,     /* one instant (or an explicit offset was given) */
    JD_LOCAL_GAP = 1,       /* in the hour skipped when clocks go forward: read as GMT */
    JD_LOCAL_AMBIGUOUS = 2, /* in the hour repeated when clocks go back: the first, BST */
} jd_local_fold;

typedef struct jd_datetime {
    int64_t utc;    /* seconds since 1970-01-01T00:00Z */
    int32_t offset; /* offset from UTC that applied, seconds */
    jd_precision prec;
    int16_t year;
    int8_t month, day; /* local calendar fields as given */
    int8_t fold;       /* jd_local_fold */
} jd_datetime;

/*
 * occurred_at / reported_at: YYYY-MM-DD, YYYY-MM-DD[T ]HH:MM[:SS[.frac]]
 * with an optional offset (Z, +01:00, +0100, +01), or DD/MM/YYYY [HH:MM[:SS]].
 * Without an offset the time is UK local (Europe/London rules from 1972;
 * earlier years are taken as GMT). A local time that does not exist (the
 * spring gap) is read as GMT, i.e. the clock had not yet gone forward; an
 * ambiguous autumn time as its first (BST) occurrence, the earlier instant.
 * Either way out->fold says so, for the caller to warn. A date alone is
 * 00:00 UK local time (never in a gap or a repeated hour).
 */
int jd_norm__datetime(jd_datetime *out, const char *s, size_t n);
/* Dates of birth: YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY, YYYY-MM, YYYY,
 * YYYYMMDD; years 1900-2100. Canonical "YYYY-MM-DD", "YYYY-MM" or "YYYY". */
int jd_norm__dob(char out[11], jd_precision *prec, const char *s, size_t n);
/* "2005-10-06T16:07:00+01:00" in UK local time. */
void jd_norm__format_uk(char buf[32], int64_t utc);
int32_t jd_norm__uk_offset(int64_t utc); /* 0 or 3600 */
/* "YYYY-MM-DD", the UK calendar day of an instant (years 0-9999). */
void jd_norm__uk_date(char out[11], int64_t utc);
/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
int64_t jd_norm__days_from_civil(int64_t y, unsigned m, unsigned d);
/* Its inverse: the date of a day number. */
void jd_norm__civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);
/* "YYYY-MM-DD" of a date (years 0-9999, else "0000-00-00"). */
void jd_norm__ymd_text(char out[11], int y, unsigned m, unsigned d);
/* UK postcode, any spacing or case, to "OX4 1AB". */
int jd_norm__postcode(char out[9], const char *s, size_t n);
/* UK or international phone number to E.164, "+447700900123". */
int jd_norm__phone(char out[17], const char *s, size_t n);
/* GB/NI registration mark to "LX51OTJ" (upper case, no separators). */
int jd_norm__vrm(char out[16], const char *s, size_t n);
/* "LX51 OTJ" spacing for the current format; others unchanged. */
void jd_norm__vrm_display(char out[16], const char *canonical);
/* NHS number: 10 digits passing the modulus 11 check, separators dropped. */
int jd_norm__nhs(char out[11], const char *s, size_t n);
/* Unique pupil number: 13 characters with a valid DfE check letter. */
int jd_norm__upn(char out[14], const char *s, size_t n);
/*
 * Input hygiene for text that people read and that matching compares:
 * removes C0 and C1 control characters and DEL, bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and invisible
 * format characters (U+00AD, U+180E, U+200B-U+200D, U+2060-U+2064, U+206A-
 * U+206F, U+FEFF, U+FFF9-U+FFFB, tags U+E0000-U+E007F). Line breaks (LF, CR,
 * CRLF, NEL, U+2028, U+2029) and tabs stay in `multiline` text (LF, CR and
 * tab as written, the others as LF) and become one space elsewhere (CRLF
 * one space too); those are not counted as removals.
 * Bytes that are not valid UTF-8 pass unchanged (callers convert first).
 */
typedef struct jd_hygiene {
    unsigned control;   /* control characters removed */
    unsigned bidi;      /* bidirectional controls removed */
    unsigned invisible; /* zero-width and other invisible characters removed */
} jd_hygiene;
/* Offset of the first byte the pass would change; n when there is none.
 * Eight bytes a step over printable ASCII (the common case). */
size_t jd_norm__hygiene_scan(const char *s, size_t n, bool multiline);
/* The cleaned s[0..n) into out (room for n + 1 bytes; NUL-terminated; the
 * result is never longer). Returns its length; adds what it removed to *h. */
size_t jd_norm__hygiene(char *out, const char *s, size_t n, bool multiline, jd_hygiene *h);

/* 'F', 'M', 'X'; 'U' for anything else; 0 for empty. */
char jd_norm__gender(const char *s, size_t n);
/* "14", "14 yrs", "14y", "14 years old" -> 14 (0..120). */
int jd_norm__age(int *out, const char *s, size_t n);

#endif
