/*
 * Field normalisers: turn what agencies write into canonical values.
 *
 * Dates: calendar arithmetic is done here (days_from_civil), never through
 * the C library's time zone state, so results do not depend on TZ and the
 * functions are thread-safe. UK local time follows the Europe/London rules
 * of the tz database from 1972:
 *   1972-1980  BST from the Sunday on or after 16 March, 02:00 GMT,
 *              to the Sunday on or after 23 October, 02:00 GMT;
 *   1981-1995  from the last Sunday in March, 01:00 GMT, to the Sunday on
 *              or after 23 October (1981-89) or 22 October (1990-95), 01:00 GMT;
 *   1996-      last Sunday in March to last Sunday in October, 01:00 GMT.
 */
#include "text/norm.h"
#include "util/internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---- calendar ---- */

int64_t jd_norm__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void jd_norm__civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* Weekday of a day number: 0 = Sunday. 1970-01-01 was a Thursday. */
static int weekday(int64_t days)
{
    return (int)(((days % 7) + 11) % 7);
}

/* Day number of the first Sunday on or after y-m-d. */
static int64_t sunday_on_or_after(int y, int m, int d)
{
    int64_t z = jd_norm__days_from_civil(y, (unsigned)m, (unsigned)d);
    return z + (7 - weekday(z)) % 7;
}

static int64_t last_sunday(int y, int m)
{
    int64_t z = jd_norm__days_from_civil(y, (unsigned)m, (unsigned)days_in_month(y, m));
    return z - weekday(z);
}

/* BST start and end instants (UTC seconds) for a year; 0,0 if none. */
static void bst_bounds(int y, int64_t *start, int64_t *end)
{
    if (y < 1972) {
        *start = *end = 0;
        return;
    }
    if (y <= 1980) {
        *start = sunday_on_or_after(y, 3, 16) * 86400 + 2 * 3600;
        *end = sunday_on_or_after(y, 10, 23) * 86400 + 2 * 3600;
    } else if (y <= 1995) {
        *start = last_sunday(y, 3) * 86400 + 3600;
        *end = sunday_on_or_after(y, 10, y <= 1989 ? 23 : 22) * 86400 + 3600;
    } else {
        *start = last_sunday(y, 3) * 86400 + 3600;
        *end = last_sunday(y, 10) * 86400 + 3600;
    }
}

int32_t jd_norm__uk_offset(int64_t utc)
{
    int y;
    unsigned m, d;
    int64_t days = utc >= 0 ? utc / 86400 : (utc - 86399) / 86400;
    jd_norm__civil_from_days(days, &y, &m, &d);
    int64_t s, e;
    bst_bounds(y, &s, &e);
    return utc >= s && utc < e ? 3600 : 0;
}

void jd_norm__format_uk(char buf[32], int64_t utc)
{
    int32_t off = jd_norm__uk_offset(utc);
    int64_t t = utc + off;
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int y;
    unsigned m, d;
    jd_norm__civil_from_days(days, &y, &m, &d);
    snprintf(buf, 32, "%04d-%02u-%02uT%02d:%02d:%02d%s", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60), off ? "+01:00" : "+00:00");
}

void jd_norm__uk_date(char out[11], int64_t utc)
{
    int64_t t = utc + jd_norm__uk_offset(utc);
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int y;
    unsigned m, d;
    jd_norm__civil_from_days(days, &y, &m, &d);
    jd_norm__ymd_text(out, y, m, d);
}

void jd_norm__ymd_text(char out[11], int y, unsigned m, unsigned d)
{
    if (y < 0 || y > 9999) {
        memcpy(out, "0000-00-00", 11);
        return;
    }
    /* by hand: snprintf per person row was 3% of person ingest */
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* ---- small parsing helpers over a byte range ---- */

typedef struct cur {
    const char *p, *e;
} cur;

static int digits(cur *c, int min, int max, int *out)
{
    int v = 0, n = 0;
    while (c->p < c->e && n < max && *c->p >= '0' && *c->p <= '9') {
        v = v * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    if (n < min)
        return -1;
    *out = v;
    return n;
}

static bool eat(cur *c, char ch)
{
    if (c->p < c->e && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static bool valid_date(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int jd_norm__datetime(jd_datetime *out, const char *s, size_t n)
{
    size_t len = n;
    s = jd_str_trim(s, &len);
    cur c = {s, s + len};
    int y = 0, m = 0, d = 0, hh = 0, mi = 0, ss = 0;
    jd_precision prec = JD_PREC_DAY;
    /* Date part: YYYY-MM-DD or DD/MM/YYYY. */
    const char *slash = memchr(s, '/', len);
    if (slash && slash - s <= 2) {
        if (digits(&c, 1, 2, &d) < 0 || !eat(&c, '/') || digits(&c, 1, 2, &m) < 0 ||
            !eat(&c, '/') || digits(&c, 4, 4, &y) < 0)
            return JD_EINVALID;
    } else {
        if (digits(&c, 4, 4, &y) < 0 || !eat(&c, '-') || digits(&c, 2, 2, &m) < 0 ||
            !eat(&c, '-') || digits(&c, 2, 2, &d) < 0)
            return JD_EINVALID;
    }
    if (y < 1800 || y > 2200 || !valid_date(y, m, d))
        return JD_EINVALID;
    int32_t offset = 0;
    bool has_offset = false;
    if (c.p < c.e) {
        if (!eat(&c, 'T') && !eat(&c, ' ') && !eat(&c, 't'))
            return JD_EINVALID;
        if (digits(&c, 2, 2, &hh) < 0 || !eat(&c, ':') || digits(&c, 2, 2, &mi) < 0)
            return JD_EINVALID;
        prec = JD_PREC_MINUTE;
        if (eat(&c, ':')) {
            if (digits(&c, 2, 2, &ss) < 0)
                return JD_EINVALID;
            prec = JD_PREC_SECOND;
            if (eat(&c, '.') || eat(&c, ',')) {
                int frac;
                if (digits(&c, 1, 9, &frac) < 0)
                    return JD_EINVALID;
            }
        }
        if (hh > 23 || mi > 59 || ss > 60) /* 60: a leap second, read as :59 */
            return JD_EINVALID;
        if (ss == 60)
            ss = 59;
        if (eat(&c, 'Z') || eat(&c, 'z')) {
            has_offset = true;
        } else if (c.p < c.e && (*c.p == '+' || *c.p == '-')) {
            int sign = *c.p == '-' ? -1 : 1;
            int oh = 0, om = 0;
            c.p++;
            if (digits(&c, 2, 2, &oh) < 0)
                return JD_EINVALID;
            eat(&c, ':');
            if (c.p < c.e && digits(&c, 2, 2, &om) < 0)
                return JD_EINVALID;
            if (oh > 14 || om > 59)
                return JD_EINVALID;
            offset = sign * (oh * 3600 + om * 60);
            has_offset = true;
        }
        if (c.p != c.e)
            return JD_EINVALID;
    }
    int64_t local = jd_norm__days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 +
                    hh * 3600 + mi * 60 + ss;
    int64_t utc;
    jd_local_fold fold = JD_LOCAL_EXACT;
    if (has_offset) {
        utc = local - offset;
    } else {
        /* UK local: prefer the BST reading when it is consistent (the first
         * of two ambiguous autumn times), else GMT (also for the spring gap).
         * Both readings consistent: the repeated hour; neither: the gap. */
        int64_t s0, e0; /* the changes fall in March and October: year y's rules decide */
        bst_bounds(y, &s0, &e0);
        int64_t bst = local - 3600;
        bool bst_ok = bst >= s0 && bst < e0;
        bool gmt_ok = !(local >= s0 && local < e0);
        if (bst_ok) {
            utc = bst;
            offset = 3600;
        } else {
            utc = local;
            offset = 0;
        }
        if (bst_ok && gmt_ok)
            fold = JD_LOCAL_AMBIGUOUS;
        else if (!bst_ok && !gmt_ok)
            fold = JD_LOCAL_GAP;
    }
    out->fold = (int8_t)fold;
    out->utc = utc;
    out->offset = offset;
    out->prec = prec;
    out->year = (int16_t)y;
    out->month = (int8_t)m;
    out->day = (int8_t)d;
    return JD_OK;
}

int jd_norm__dob(char out[11], jd_precision *prec, const char *s, size_t n)
{
    size_t len = n;
    s = jd_str_trim(s, &len);
    cur c = {s, s + len};
    int y = 0, m = 0, d = 0;
    jd_precision p;
    if (len == 8 && digits(&c, 8, 8, &y) == 8) { /* YYYYMMDD */
        d = y % 100;
        m = y / 100 % 100;
        y /= 10000;
        p = JD_PREC_DAY;
    } else if (memchr(s, '/', len)) {
        c.p = s;
        if (digits(&c, 1, 2, &d) < 0 || !eat(&c, '/') || digits(&c, 1, 2, &m) < 0 ||
            !eat(&c, '/') || digits(&c, 4, 4, &y) < 0 || c.p != c.e)
            return JD_EINVALID;
        p = JD_PREC_DAY;
    } else {
        c.p = s;
        if (digits(&c, 4, 4, &y) < 0)
            return JD_EINVALID;
        p = JD_PREC_YEAR;
        if (eat(&c, '-')) {
            if (digits(&c, 1, 2, &m) < 0)
                return JD_EINVALID;
            p = JD_PREC_MONTH;
            if (eat(&c, '-')) {
                if (digits(&c, 1, 2, &d) < 0)
                    return JD_EINVALID;
                p = JD_PREC_DAY;
            }
        }
        /* "1991-02-14T00:00:00" from some exports: a midnight time is harmless */
        if (p == JD_PREC_DAY && c.p < c.e && (*c.p == 'T' || *c.p == ' ')) {
            size_t rest = (size_t)(c.e - c.p);
            if (rest == 9 && !memcmp(c.p + 1, "00:00:00", 8))
                c.p = c.e;
            else if (rest == 6 && !memcmp(c.p + 1, "00:00", 5))
                c.p = c.e;
        }
        if (c.p != c.e)
            return JD_EINVALID;
    }
    if (y < 1900 || y > 2100)
        return JD_EINVALID;
    if (p >= JD_PREC_MONTH && (m < 1 || m > 12))
        return JD_EINVALID;
    if (p == JD_PREC_DAY && !valid_date(y, m, d))
        return JD_EINVALID;
    /* "YYYY[-MM[-DD]]" written by hand: snprintf was 5% of person ingest */
    char *o = out;
    *o++ = (char)('0' + y / 1000);
    *o++ = (char)('0' + y / 100 % 10);
    *o++ = (char)('0' + y / 10 % 10);
    *o++ = (char)('0' + y % 10);
    if (p >= JD_PREC_MONTH) {
        *o++ = '-';
        *o++ = (char)('0' + m / 10);
        *o++ = (char)('0' + m % 10);
    }
    if (p == JD_PREC_DAY) {
        *o++ = '-';
        *o++ = (char)('0' + d / 10);
        *o++ = (char)('0' + d % 10);
    }
    *o = '\0';
    *prec = p;
    return JD_OK;
}

/* ---- postcodes ---- */

static bool is_alpha(char c)
{
    return c >= 'A' && c <= 'Z';
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int jd_norm__postcode(char out[9], const char *s, size_t n)
{
    char b[8];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '\t' || ch == '-')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        if (!is_alpha(ch) && !is_digit(ch))
            return JD_EINVALID;
        if (k == 7)
            return JD_EINVALID;
        b[k++] = ch;
    }
    if (k < 5)
        return JD_EINVALID;
    b[k] = '\0';
    if (!strcmp(b, "GIR0AA")) {
        memcpy(out, "GIR 0AA", 8);
        return JD_OK;
    }
    /* Inward code: digit + two letters, never C I K M O V. */
    const char *in = b + k - 3;
    static const char bad_in[] = "CIKMOV";
    if (!is_digit(in[0]) || !is_alpha(in[1]) || !is_alpha(in[2]) || strchr(bad_in, in[1]) ||
        strchr(bad_in, in[2]))
        return JD_EINVALID;
    /* Outward code: A9 A99 AA9 AA99 A9A AA9A. */
    size_t ol = k - 3;
    const char *o = b;
    if (!is_alpha(o[0]) || strchr("QVX", o[0]))
        return JD_EINVALID;
    bool ok = false;
    if (ol == 2)
        ok = is_digit(o[1]);
    else if (ol == 3)
        ok = (is_digit(o[1]) && is_digit(o[2])) ||
             (is_alpha(o[1]) && !strchr("IJZ", o[1]) && is_digit(o[2])) ||
             (is_digit(o[1]) && is_alpha(o[2]) && strchr("ABCDEFGHJKPSTUW", o[2]));
    else if (ol == 4)
        ok = is_alpha(o[1]) && !strchr("IJZ", o[1]) && is_digit(o[2]) &&
             (is_digit(o[3]) || (is_alpha(o[3]) && strchr("ABEHMNPRVWXY", o[3])));
    if (!ok)
        return JD_EINVALID;
    memcpy(out, b, ol);
    out[ol] = ' ';
    memcpy(out + ol + 1, in, 3);
    out[ol + 4] = '\0';
    return JD_OK;
}

/* ---- phones ---- */

int jd_norm__phone(char out[17], const char *s, size_t n)
{
    char dg[32];
    size_t k = 0;
    bool plus = false;
    size_t i = 0;
    size_t len = n;
    s = jd_str_trim(s, &len);
    n = len;
    if (n && s[0] == '+') {
        plus = true;
        i = 1;
    }
    for (; i < n; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '-' || ch == '.' || ch == '/')
            continue;
        if (ch == '(' || ch == ')') {
            /* "+44 (0)7700": the trunk 0 in brackets is dropped */
            if (ch == '(' && i + 2 < n && s[i + 1] == '0' && s[i + 2] == ')' && k > 0) {
                i += 2;
            }
            continue;
        }
        if (!is_digit(ch))
            return JD_EINVALID;
        if (k == sizeof dg - 1)
            return JD_EINVALID;
        dg[k++] = ch;
    }
    dg[k] = '\0';
    const char *p = dg;
    if (!plus && k > 2 && p[0] == '0' && p[1] == '0') { /* 00 international prefix */
        plus = true;
        p += 2;
        k -= 2;
    }
    if (plus) {
        if (k >= 2 && p[0] == '4' && p[1] == '4') {
            const char *nat = p + 2;
            size_t nl = k - 2;
            if (nl && nat[0] == '0') { /* +440... written by mistake */
                nat++;
                nl--;
            }
            if (nl < 9 || nl > 10 || nat[0] == '0')
                return JD_EINVALID;
            memcpy(out, "+44", 3);
            memcpy(out + 3, nat, nl + 1);
            return JD_OK;
        }
        if (k < 8 || k > 15 || p[0] == '0')
            return JD_EINVALID;
        out[0] = '+';
        memcpy(out + 1, p, k + 1);
        return JD_OK;
    }
    /* National UK: 0 + 9 or 10 digits. */
    if (k < 10 || k > 11 || p[0] != '0' || p[1] == '0')
        return JD_EINVALID;
    memcpy(out, "+44", 3);
    memcpy(out + 3, p + 1, k); /* k-1 digits and the NUL */
    return JD_OK;
}

/* ---- vehicle registration marks ---- */

static int run(const char *s, bool alpha)
{
    int n = 0;
    while (s[n] && (alpha ? is_alpha(s[n]) : is_digit(s[n])))
        n++;
    return n;
}

int jd_norm__vrm(char out[16], const char *s, size_t n)
{
    char b[16];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '-' || ch == '.' || ch == '\t')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        if (!is_alpha(ch) && !is_digit(ch))
            return JD_EINVALID;
        if (k == 8)
            return JD_EINVALID;
        b[k++] = ch;
    }
    b[k] = '\0';
    if (k < 2 || k > 7)
        return JD_EINVALID;
    int a1 = run(b, true);
    int d1 = run(b + a1, false);
    int a2 = run(b + a1 + d1, true);
    bool whole = (size_t)(a1 + d1 + a2) == k;
    bool ok = false;
    if (whole) {
        if (a1 == 2 && d1 == 2 && a2 == 3)
            ok = true; /* current: AB12 CDE */
        else if (a1 == 1 && d1 >= 1 && d1 <= 3 && a2 == 3)
            ok = true; /* prefix: A123 BCD */
        else if (a1 == 3 && d1 >= 1 && d1 <= 3 && a2 == 1)
            ok = true; /* suffix: ABC 123D */
        else if (a1 >= 1 && a1 <= 4 && d1 >= 1 && d1 <= 4 && a2 == 0 && a1 + d1 <= 7)
            ok = true; /* dateless, and Northern Ireland "ABZ 1234" */
        else if (a1 == 0 && d1 >= 1 && d1 <= 4 && a2 >= 1 && a2 <= 3)
            ok = true; /* dateless reversed: 1234 AB */
    }
    if (!ok)
        return JD_EINVALID;
    memcpy(out, b, k + 1);
    return JD_OK;
}

void jd_norm__vrm_display(char out[16], const char *v)
{
    size_t k = strlen(v);
    if (k == 7 && is_alpha(v[0]) && is_alpha(v[1]) && is_digit(v[2]) && is_digit(v[3]) &&
        is_alpha(v[4]) && is_alpha(v[5]) && is_alpha(v[6])) {
        snprintf(out, 16, "%.4s %.3s", v, v + 4);
        return;
    }
    snprintf(out, 16, "%s", v);
}

/* ---- strong identifiers ---- */

int jd_norm__nhs(char out[11], const char *s, size_t n)
{
    char b[11];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '-')
            continue;
        if (!is_digit(ch) || k == 10)
            return JD_EINVALID;
        b[k++] = ch;
    }
    if (k != 10)
        return JD_EINVALID;
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (b[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10 || check != b[9] - '0')
        return JD_EINVALID;
    memcpy(out, b, 10);
    out[10] = '\0';
    return JD_OK;
}

/* DfE check letters: remainder 0..22 of the weighted sum. */
static const char upn_letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

int jd_norm__upn(char out[14], const char *s, size_t n)
{
    char b[14];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '-')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        if (k == 13)
            return JD_EINVALID;
        b[k++] = ch;
    }
    if (k != 13)
        return JD_EINVALID;
    b[13] = '\0';
    const char *cl = strchr(upn_letters, b[0]);
    if (!is_alpha(b[0]) || !cl)
        return JD_EINVALID;
    int sum = 0;
    for (int i = 1; i < 13; i++) {
        int v;
        if (is_digit(b[i])) {
            v = b[i] - '0';
        } else if (i == 12 && is_alpha(b[i]) && strchr(upn_letters, b[i])) {
            v = (int)(strchr(upn_letters, b[i]) - upn_letters); /* temporary UPN */
        } else {
            return JD_EINVALID;
        }
        sum += v * (i + 1);
    }
    if (upn_letters[sum % 23] != b[0])
        return JD_EINVALID;
    memcpy(out, b, 14);
    return JD_OK;
}

/* ---- input hygiene ---- */

enum { HY_KEEP, HY_BREAK, HY_TAB, HY_CONTROL, HY_BIDI, HY_INVISIBLE };

/*
 * What the character at p (before e) is, for the hygiene pass, and its
 * length in bytes. Only lead bytes C2, D8, E1, E2, EF and F3 start a
 * character of interest, and no continuation byte (80-BF) is one of them,
 * so a scan may look at every byte in turn.
 */
static int hy_class(const unsigned char *p, const unsigned char *e, size_t *len)
{
    unsigned c = p[0];
    size_t left = (size_t)(e - p);
    *len = 1;
    if (c >= 0x20 && c < 0x7F)
        return HY_KEEP;
    if (c == '\t')
        return HY_TAB;
    if (c == '\n')
        return HY_BREAK;
    if (c == '\r') {
        if (left > 1 && p[1] == '\n')
            *len = 2;
        return HY_BREAK;
    }
    if (c < 0x80)
        return HY_CONTROL; /* other C0 controls and DEL */
    unsigned c1 = left > 1 ? p[1] : 0, c2 = left > 2 ? p[2] : 0;
    switch (c) {
    case 0xC2:
        if (c1 >= 0x80 && c1 <= 0x9F) {
            *len = 2;
            return c1 == 0x85 ? HY_BREAK : HY_CONTROL; /* NEL; C1 controls */
        }
        if (c1 == 0xAD) {
            *len = 2;
            return HY_INVISIBLE; /* soft hyphen */
        }
        break;
    case 0xD8:
        if (c1 == 0x9C) {
            *len = 2;
            return HY_BIDI; /* U+061C arabic letter mark */
        }
        break;
    case 0xE1:
        if (c1 == 0xA0 && c2 == 0x8E) {
            *len = 3;
            return HY_INVISIBLE; /* U+180E */
        }
        break;
    case 0xE2:
        if (c1 == 0x80) {
            *len = 3;
            if (c2 >= 0x8B && c2 <= 0x8D)
                return HY_INVISIBLE; /* U+200B-U+200D */
            if (c2 == 0x8E || c2 == 0x8F || (c2 >= 0xAA && c2 <= 0xAE))
                return HY_BIDI; /* U+200E, U+200F, U+202A-U+202E */
            if (c2 == 0xA8 || c2 == 0xA9)
                return HY_BREAK; /* U+2028, U+2029 */
        } else if (c1 == 0x81 && c2 >= 0xA0 && c2 <= 0xAF) {
            *len = 3;
            return c2 >= 0xA6 && c2 <= 0xA9 ? HY_BIDI : HY_INVISIBLE; /* U+2060-U+206F */
        }
        *len = 1;
        break;
    case 0xEF:
        if ((c1 == 0xBB && c2 == 0xBF) || (c1 == 0xBF && c2 >= 0xB9 && c2 <= 0xBB)) {
            *len = 3;
            return HY_INVISIBLE; /* U+FEFF, U+FFF9-U+FFFB */
        }
        break;
    case 0xF3:
        if (left > 3 && c1 == 0xA0 && (c2 == 0x80 || c2 == 0x81) && p[3] >= 0x80 &&
            p[3] <= 0xBF) {
            *len = 4;
            return HY_INVISIBLE; /* tags U+E0000-U+E007F */
        }
        break;
    default: break;
    }
    return HY_KEEP;
}

size_t jd_norm__hygiene_scan(const char *s, size_t n, bool multiline)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    while (p < e) {
        /* printable ASCII words: no byte below 0x20, none at or above 0x7F */
        while (e - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if ((((v - ones * 0x20) & ~v) | (v + ones) | v) & highs)
                break;
            p += 8;
        }
        const unsigned char *stop = e - p > 8 ? p + 8 : e;
        for (; p < stop; p++) {
            unsigned c = *p;
            if ((c >= 0x20 && c < 0x7F) || (c >= 0x80 && c < 0xC2))
                continue; /* printable ASCII, continuation bytes: the short tail's fast path */
            size_t len;
            int k = hy_class(p, e, &len);
            if (k == HY_KEEP || (multiline && (k == HY_TAB || (k == HY_BREAK && *p < 0x80))))
                continue;
            return (size_t)(p - (const unsigned char *)s);
        }
    }
    return n;
}

size_t jd_norm__hygiene(char *out, const char *s, size_t n, bool multiline, jd_hygiene *h)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    size_t k = 0;
    while (p < e) {
        size_t len;
        int c = hy_class(p, e, &len);
        switch (c) {
        case HY_KEEP:
            memcpy(out + k, p, len);
            k += len;
            break;
        case HY_BREAK:
            if (multiline && *p < 0x80) { /* LF, CR, CRLF kept as written */
                memcpy(out + k, p, len);
                k += len;
            } else {
                out[k++] = multiline ? '\n' : ' ';
            }
            break;
        case HY_TAB: out[k++] = multiline ? '\t' : ' '; break;
        case HY_CONTROL: h->control++; break;
        case HY_BIDI: h->bidi++; break;
        default: h->invisible++; break;
        }
        p += len;
    }
    out[k] = '\0';
    return k;
}

/* ---- gender and age ---- */

char jd_norm__gender(const char *s, size_t n)
{
    s = jd_str_trim(s, &n);
    if (n == 0)
        return 0;
    static const char *const f[] = {"f", "female", "girl", "woman", "w"};
    static const char *const m[] = {"m", "male", "boy", "man"};
    static const char *const x[] = {"x", "nonbinary", "non-binary", "non binary", "other"};
    for (size_t i = 0; i < JD_ARRAY_LEN(f); i++)
        if (jd_str_ieq_n(s, n, f[i]))
            return 'F';
    for (size_t i = 0; i < JD_ARRAY_LEN(m); i++)
        if (jd_str_ieq_n(s, n, m[i]))
            return 'M';
    for (size_t i = 0; i < JD_ARRAY_LEN(x); i++)
        if (jd_str_ieq_n(s, n, x[i]))
            return 'X';
    return 'U';
}

int jd_norm__age(int *out, const char *s, size_t n)
{
    s = jd_str_trim(s, &n);
    cur c = {s, s + n};
    int v;
    if (digits(&c, 1, 3, &v) < 0 || v > 120)
        return JD_EINVALID;
    size_t rest = (size_t)(c.e - c.p);
    const char *r = jd_str_trim(c.p, &rest);
    static const char *const units[] = {"", "y", "yr", "yrs", "yo", "y/o", "years",
                                        "years old", "yrs old", "year old"};
    for (size_t i = 0; i < JD_ARRAY_LEN(units); i++)
        if (jd_str_ieq_n(r, rest, units[i])) {
            *out = v;
            return JD_OK;
        }
    return JD_EINVALID;
}
