/*
 * The CSV writer of every export (include/joindots/csvout.h): RFC 4180
 * quoting plus formula neutralisation. A field is scanned once for the
 * bytes that need quoting; the formula test looks only at its start.
 */
#include <joindots/csvout.h>

#include <string.h>

/* A plain number: optional sign, digits, at most one decimal point. */
static bool plain_number(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    bool digit = false, dot = false;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digit = true;
        else if (*s == '.' && !dot)
            dot = true;
        else
            return false;
    }
    return digit;
}

bool jd_csv_formula_risk(const char *s)
{
    if (!s)
        return false;
    const char *p = s;
    while (*p == ' ')
        p++;
    switch (*p) {
    case '=':
    case '@':
    case '\t':
    case '\r': return true;
    case '+':
    case '-': return !plain_number(p);
    default: return false;
    }
}

int jd_csv_field_write(FILE *f, const char *s)
{
    if (!s || !*s)
        return ferror(f) ? JD_EIO : JD_OK;
    bool risk = jd_csv_formula_risk(s);
    bool quote = risk || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        fputs(s, f);
    } else {
        fputc('"', f);
        if (risk)
            fputc('\'', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    }
    return ferror(f) ? JD_EIO : JD_OK;
}

int jd_csv_row_write(FILE *f, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        int rc = jd_csv_field_write(f, fields[i]);
        if (rc < 0)
            return rc;
    }
    fputc('\n', f);
    return ferror(f) ? JD_EIO : JD_OK;
}
