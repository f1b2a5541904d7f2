/*
 * joindots common definitions: export macro, return codes, the caller-owned
 * error struct and the library context. Every public header includes this.
 */
#ifndef JOINDOTS_COMMON_H
#define JOINDOTS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(JD_BUILDING_LIBRARY) && defined(__GNUC__)
#define JD_API __attribute__((visibility("default")))
#else
#define JD_API
#endif

#if defined(__GNUC__)
#define JD_NODISCARD __attribute__((warn_unused_result))
#else
#define JD_NODISCARD
#endif

#define JD_VERSION_STRING "0.1.0"

/* Return codes: 0 on success, a negative jd_code on failure. */
typedef enum {
    JD_OK = 0,
    JD_ERROR = -1,     /* generic failure */
    JD_ENOMEM = -2,    /* out of memory */
    JD_EINVALID = -3,  /* bad argument or bad input */
    JD_ENOTFOUND = -4, /* no such record, file or key */
    JD_ECONFLICT = -5, /* concurrent change, duplicate, state conflict */
    JD_EDENIED = -6,   /* access refused */
    JD_ELIMIT = -7,    /* a size or resource limit was exceeded */
    JD_EIO = -8,       /* read or write failure */
    JD_ESTORE = -9,    /* the store failed */
    JD_ECRYPTO = -10,  /* a cryptographic operation failed */
} jd_code;

/*
 * Caller-owned error details, usually on the stack. Functions that fail fill
 * it when it is not NULL. Messages are one English line and never contain
 * personal data (names, dates of birth, addresses, case text): only record
 * ids, file names, lines and columns.
 */
typedef struct jd_error {
    jd_code code;
    char msg[256];
    char source[64]; /* "events.csv", "<http>", "rules:12" */
    long line, column; /* 1-based input position; 0 if not applicable */
} jd_error;

/* Record a code and a printf-style message; returns `code`. NULL-safe. */
JD_API int jd_error_set(jd_error *err, jd_code code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Also record where in the input: source name, line and column. */
JD_API int jd_error_set_at(jd_error *err, jd_code code, const char *source, long line,
                           long column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* Clear to JD_OK with empty strings. NULL-safe. */
JD_API void jd_error_clear(jd_error *err);
/* Short constant name of a code, e.g. "JD_EINVALID". */
JD_API const char *jd_code_name(int code);

/*
 * Parse a date or date-time as the interchange contract writes them
 * (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] in UK local time, or with an offset or
 * Z; also DD/MM/YYYY) into unix seconds (UTC). A date alone is 00:00 UK
 * local time; `end_of_day` makes it 23:59:59 instead (for "as of" a date).
 * Returns JD_OK or JD_EINVALID.
 */
JD_API int jd_time_parse(int64_t *out, const char *s, int end_of_day);
/* Format unix seconds as ISO 8601 in UK local time with its offset,
 * "2005-10-06T16:07:00+01:00". buf must hold 32 bytes. */
JD_API void jd_time_format(char buf[32], int64_t utc);

/*
 * Make room for `need` elements of `size` bytes in the realloc'd array *p
 * (capacity *cap, in elements), doubling from 64. Returns 0, or -1 when out
 * of memory or when the byte count would overflow (then *p and *cap are
 * unchanged). Free *p with free(). Public so that the CLI and server grow
 * their arrays with the library's one helper.
 */
JD_API JD_NODISCARD int jd_grow(void **p, size_t *cap, size_t need, size_t size);

/* Call once from main() before any thread starts (initialises libsodium). */
JD_API int jd_global_init(void);

/* Library version string, e.g. "0.1.0". */
JD_API const char *jd_version(void);

#ifdef __cplusplus
}
#endif
#endif
