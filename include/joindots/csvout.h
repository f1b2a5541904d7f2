/*
 * CSV output: the one writer every CSV export of joindots goes through
 * (`chronology --format csv`, `rejects --format csv`), so quoting and the
 * defence against CSV (formula) injection cannot differ between exports.
 *
 * Values in an export come from agency files and from users: a name, a
 * narrative or a record_id written as `=HYPERLINK("http://...")` or
 * `@SUM(...)` would be run as a formula by the spreadsheet an analyst opens
 * the export in. A field whose first character (after any spaces) is `=`,
 * `+`, `-`, `@`, a tab or a carriage return is written with a leading
 * apostrophe, `'=HYPERLINK(...)`, which spreadsheets show as text (OWASP's
 * "CSV Injection" advice). Plain numbers such as `-5` or `+447700900123`
 * cannot be formulas and are left alone. To read a value back, drop a
 * leading apostrophe that is followed by one of those characters.
 */
#ifndef JOINDOTS_CSVOUT_H
#define JOINDOTS_CSVOUT_H

#include <joindots/common.h>

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Would a spreadsheet read s as a formula (so the writer neutralises it)? */
JD_API bool jd_csv_formula_risk(const char *s);

/*
 * Write one field to f: RFC 4180 quoting when it holds a comma, quote, CR
 * or LF, and a leading apostrophe (inside quotes) when jd_csv_formula_risk.
 * NULL writes an empty field. Returns JD_OK or JD_EIO (the stream failed).
 * Thread-safe as far as f is.
 */
JD_API int jd_csv_field_write(FILE *f, const char *s);

/* Write n fields as one record, separated by commas and ended by "\n". */
JD_API int jd_csv_row_write(FILE *f, const char *const *fields, size_t n);

#ifdef __cplusplus
}
#endif
#endif
