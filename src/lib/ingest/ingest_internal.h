/*
 * The ingest module: agency bundles in (include/joindots/ingest.h),
 * checked before any write, rows cleaned (text/norm.h) and stored through
 * the store's vtable in one transaction. ingest.c is the whole module; it
 * shares only the contract's list of event types, which the rules catalogue
 * (screen/rules.c) names its ET_* bits by.
 *
 * May include: util, text, store (and public headers).
 */
#ifndef JD_INGEST_INTERNAL_H
#define JD_INGEST_INTERNAL_H

#include "util/internal.h"

/* The contract's event types (interchange §1.5), "other" last: a row of
 * another type is kept as "other". */
#define JD_INGEST_NEVENT_TYPES 28
extern const char *const jd_ingest__event_types[JD_INGEST_NEVENT_TYPES];

/*
 * A CSV file's records read ahead on a thread (rows.c), for files of at
 * least JD_ROWS_AHEAD_MIN bytes when may_thread; others are read on the
 * caller's thread through the same calls. The jd_csv, its header read, belongs to
 * the reader until jd_rows__stop. next returns what jd_csv__next returned
 * for the record (its error in err); field also says whether the field is
 * valid UTF-8 (utf8 may be NULL). Values live until the next call of next.
 */
#define JD_ROWS_AHEAD_MIN (1u << 20)
typedef struct jd_csv jd_csv;
typedef struct jd_rows jd_rows;
int jd_rows__start(jd_rows **out, jd_csv *csv, bool may_thread, jd_error *err);
bool jd_rows__ahead(const jd_rows *r);
int jd_rows__next(jd_rows *r, jd_error *err);
size_t jd_rows__nfields(const jd_rows *r);
const char *jd_rows__field(const jd_rows *r, size_t i, size_t *len, bool *utf8);
long jd_rows__line(const jd_rows *r);
uint64_t jd_rows__offset(const jd_rows *r);
void jd_rows__stop(jd_rows *r); /* joins the thread; NULL-safe */

#endif
