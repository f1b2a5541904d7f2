/* Public time parsing and formatting over the normalisers (norm.c). */
#include "util/internal.h"
#include "text/norm.h"

#include <string.h>

int jd_time_parse(int64_t *out, const char *s, int end_of_day)
{
    jd_datetime dt;
    if (!out || !s || jd_norm__datetime(&dt, s, strlen(s)) != JD_OK)
        return JD_EINVALID;
    int64_t t = dt.utc;
    if (end_of_day && dt.prec <= JD_PREC_DAY) {
        /* The last second of that UK day, whatever its offset. */
        jd_datetime next;
        char buf[32];
        int64_t probe = t + 36 * 3600; /* safely inside the next day */
        jd_norm__format_uk(buf, probe);  /* "YYYY-MM-DDT..." */
        buf[10] = '\0';
        if (jd_norm__datetime(&next, buf, 10) != JD_OK)
            return JD_EINVALID;
        t = next.utc - 1;
    }
    *out = t;
    return JD_OK;
}

void jd_time_format(char buf[32], int64_t utc)
{
    jd_norm__format_uk(buf, utc);
}
