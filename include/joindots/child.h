/*
 * A child's page (issue 18): the plain-English summary of why she is at her
 * level, her chronology filtered and paged, and the chronology as a PDF for
 * a strategy meeting or court. The web page and the PDF are built from these
 * functions so that they say the same thing.
 *
 * Dates shown to people are UK dates (DD/MM/YYYY, UK local time); ages are
 * her age at the event from her date of birth. Summary sentences name no
 * rule code and no internal id: the codes behind each sentence are given
 * beside it ("codes on demand").
 *
 * Thread-safety: every function here uses the store and screener it is
 * given and nothing else; one thread at a time per store and screener.
 */
#ifndef JOINDOTS_CHILD_H
#define JOINDOTS_CHILD_H

#include <joindots/analyse.h>
#include <joindots/chronology.h>
#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An agency's name for people ("csc" -> "Children's social care"); an
 * unknown code is returned as given. Static storage. */
JD_API const char *jd_agency_label(const char *code);
/* An event type in words ("missing_report" -> "Missing report"). */
JD_API void jd_event_type_label(char *out, size_t cap, const char *type);
/* Unix seconds as a UK date "DD/MM/YYYY" (UK local time). */
JD_API void jd_uk_date(char out[11], int64_t t);
/* Age in whole years at t from a date of birth "YYYY-MM-DD"; -1 unknown. */
JD_API int jd_age_at(const char *dob, int64_t t);

#define JD_SUMMARY_MAX 5
#define JD_SUMMARY_CHANGES 8

/* One change of the child's risk level and why, in words. */
typedef struct jd_level_change {
    char level[12];
    int64_t at;   /* unix seconds */
    int age;      /* her age then, -1 unknown */
    char *reason; /* plain English (owned by the summary) */
    char *codes;  /* the rule codes and records behind it (owned) */
} jd_level_change;

/* The summary of one child; strings owned by it (jd_child_summary_dispose). */
typedef struct jd_child_summary {
    char level[12];              /* highest level reached ("none" when never raised) */
    int64_t level_at;            /* when it was reached, 0 when none */
    char current[12];            /* the level her current indicators give, "" unknown */
    size_t n;                    /* sentences: 0 when nothing was raised, else 2 to 5 */
    char *text[JD_SUMMARY_MAX];  /* plain English: names, DD/MM/YYYY, ages */
    char *codes[JD_SUMMARY_MAX]; /* rule codes and record ids behind text[i] */
    size_t n_changes;
    jd_level_change changes[JD_SUMMARY_CHANGES];
    size_t n_events;           /* events in her chronology */
    int64_t first_at, last_at; /* first and last event, 0 when none */
    char **third_parties;      /* distinct names of other people in her events */
    size_t n_third_parties;
} jd_child_summary;

/*
 * Build the summary of `person_id` from the stored alerts (the analysis'
 * explanations) and her chronology. `name` and `dob` ("YYYY-MM-DD" or "")
 * are as the person index gives them. The screener names the signs in the
 * events behind each level change. On success *out must be disposed.
 * Returns JD_OK, JD_EINVALID, JD_ENOMEM, JD_ESTORE.
 */
JD_API int jd_child_summary_build(jd_child_summary *out, jd_store *s, jd_screener *scr,
                                  const char *person_id, const char *name, const char *dob,
                                  jd_error *err);
/*
 * The same from alerts the caller has already parsed: `alerts` holds
 * n_alerts jansson objects (json_t *, borrowed and only read; NULL entries
 * skipped), those that may be about her in the store's order (by id), e.g.
 * a server's loaded alerts; the store is then read for her chronology only.
 * With alerts NULL (and n_alerts 0), as jd_child_summary_build.
 */
JD_API int jd_child_summary_build_with(jd_child_summary *out, jd_store *s, jd_screener *scr,
                                       const char *person_id, const char *name,
                                       const char *dob, void *const *alerts, size_t n_alerts,
                                       jd_error *err);
JD_API void jd_child_summary_dispose(jd_child_summary *sum);

/* Which events of a chronology, in which order, which page. */
typedef struct jd_chrono_filter {
    const char *agencies;  /* comma-separated agency codes; NULL or "" = all */
    const char *indicator; /* a rule code ("S01"): events with that finding; NULL = any */
    int64_t from, to;      /* occurred between (inclusive) */
    const char *text;      /* case-insensitive words in the narrative, type, outcome or place */
    bool significant;      /* only events with a significant sign, trigger or offence */
    bool newest_first;
    size_t offset, limit; /* the page, in the order asked for */
} jd_chrono_filter;
#define JD_CHRONO_FILTER_INIT                                                                      \
    {                                                                                              \
        NULL, NULL, INT64_MIN, INT64_MAX, NULL, false, false, 0, 50                                \
    }
#define JD_CHRONO_MAX_LIMIT 500

/* One event of the page. Borrowed for the callback. */
typedef struct jd_chrono_row {
    const jd_chrono_event *ev;
    int age;                    /* her age at the event, -1 unknown */
    const jd_finding *findings; /* indicators, triggers, offences, wording */
    size_t n_findings;
    bool significant; /* a significant sign (S), trigger (T) or offence (C) */
    size_t index;     /* position among the matches, in the order asked for */
} jd_chrono_row;

/*
 * The events of `person` that pass the filter; cb is called for the page
 * (offset, limit) only, oldest first whatever the order asked (row.index
 * gives the place in that order). *total is the number of matching events.
 * A limit of 0 or above JD_CHRONO_MAX_LIMIT is JD_EINVALID; so is a "from"
 * after "to". Returns JD_OK, JD_EINVALID, JD_ENOTFOUND, JD_ESTORE, or cb's
 * non-zero return.
 */
JD_API int jd_chrono_query(jd_store *s, jd_screener *scr, const char *person, const char *dob,
                           const jd_chrono_filter *f,
                           int (*cb)(const jd_chrono_row *row, void *payload), void *payload,
                           size_t *total, jd_error *err);

/* What goes on the PDF's cover and how third parties are redacted. */
typedef struct jd_chrono_pdf_opts {
    const char *name, *dob;         /* the child */
    const char *by, *role, *agency; /* who asked */
    const char *reason;             /* why (as given, recorded in the audit log) */
    const char *filters;            /* the filters in words */
    int64_t at;                     /* when */
    const char *const *summary;     /* the summary's sentences, for the cover */
    size_t n_summary;
    const char *const *redact; /* names of third parties to redact */
    size_t n_redact;
    bool redact_all; /* every other person in her events */
} jd_chrono_pdf_opts;

/* Pages of an export above this are refused with JD_ELIMIT. */
#define JD_CHRONO_PDF_MAX_EVENTS 5000

/*
 * The filtered chronology (the filter's offset and limit are ignored: every
 * matching event, up to JD_CHRONO_PDF_MAX_EVENTS) as a PDF: a cover page
 * (who, when, why, filters, redaction), one line per event with its source
 * (agency and record id), significant events marked, "page N of M" on every
 * page. *out is malloc'd (free()); *pages the page count.
 * Returns JD_OK, JD_EINVALID, JD_ENOTFOUND, JD_ELIMIT, JD_ENOMEM, JD_ESTORE.
 */
JD_API int jd_chrono_pdf(unsigned char **out, size_t *len, int *pages, jd_store *s,
                         jd_screener *scr, const char *person, const jd_chrono_filter *f,
                         const jd_chrono_pdf_opts *o, jd_error *err);

/*
 * Notes written in joindots about a person ("Write a note" on her page):
 * kept beside the acknowledgements of alerts, under the key
 * "note:PERSON_ID", so every store (SQLite, PostgreSQL) and every copy
 * (`joindots migrate`) keeps them with no change of schema. They appear in
 * her chronology (jd_chrono_query, jd_chrono_pdf) as events of the agency
 * "joindots", type "note", written by the user at the time saved.
 */
#define JD_NOTE_MAX 4000
/* Save a note of 1..JD_NOTE_MAX bytes about person_id by user `by`.
 * Returns JD_OK, JD_EINVALID, JD_ESTORE. */
JD_API int jd_person_note_add(jd_store *s, const char *person_id, const char *by, const char *text,
                              jd_error *err);
/* The notes about person_id, oldest first; strings borrowed for the call. */
JD_API int jd_person_notes(jd_store *s, const char *person_id,
                           int (*cb)(const char *by, int64_t at, const char *text, void *payload),
                           void *payload, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
