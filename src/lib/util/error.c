/*
 * Error reporting: jd_error is owned by the caller (jansson's json_error_t
 * pattern), so no message can go stale and no thread-local storage is needed.
 */
#include "util/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

static void vset(jd_error *err, jd_code code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void vset(jd_error *err, jd_code code, const char *fmt, va_list ap)
{
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int jd_error_set(jd_error *err, jd_code code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vset(err, code, fmt, ap);
        va_end(ap);
    }
    return code;
}

int jd_error_set_at(jd_error *err, jd_code code, const char *source, long line, long column,
                    const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vset(err, code, fmt, ap);
        va_end(ap);
        snprintf(err->source, sizeof err->source, "%s", source ? source : "");
        err->line = line;
        err->column = column;
    }
    return code;
}

int jd_oom(jd_error *err)
{
    return jd_error_set(err, JD_ENOMEM, "out of memory");
}

void jd_error_clear(jd_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

const char *jd_code_name(int code)
{
    switch (code) {
    case JD_OK: return "JD_OK";
    case JD_ERROR: return "JD_ERROR";
    case JD_ENOMEM: return "JD_ENOMEM";
    case JD_EINVALID: return "JD_EINVALID";
    case JD_ENOTFOUND: return "JD_ENOTFOUND";
    case JD_ECONFLICT: return "JD_ECONFLICT";
    case JD_EDENIED: return "JD_EDENIED";
    case JD_ELIMIT: return "JD_ELIMIT";
    case JD_EIO: return "JD_EIO";
    case JD_ESTORE: return "JD_ESTORE";
    case JD_ECRYPTO: return "JD_ECRYPTO";
    default: return "JD_UNKNOWN";
    }
}

int jd_global_init(void)
{
    return sodium_init() < 0 ? JD_ECRYPTO : JD_OK;
}

const char *jd_version(void)
{
    return JD_VERSION_STRING;
}
