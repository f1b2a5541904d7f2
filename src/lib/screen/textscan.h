/*
 * Text screening of narratives (internal API): a tokenizer and a compiled
 * multi-pattern matcher with negation and misspelling tolerance.
 *
 * Patterns are written as space-separated terms over normalised words
 * (lower case, apostrophes dropped, hyphens split):
 *   word          the word, or a misspelling of it one edit away when the
 *                 word has 6 or more letters ("streetwise" ~ "streetwize")
 *   word*         any word starting with "word"
 *   a|b*|c        any of the alternatives
 *   ~N            up to N other words in the same sentence (N <= 9)
 *   #num          a number
 * A match never crosses a sentence. Candidates are found through an index of
 * every pattern's first term (exact, prefix, and single-deletion keys for
 * misspellings), memoised per distinct word, so scanning costs about one
 * hash lookup per word plus the checks of the few patterns that start there.
 *
 * Negation (NegEx-style): a match is negated when a negation cue ends at most
 * `window` words before it in the same clause ("no evidence of", "denies"),
 * or a post-cue starts right after it ("... ruled out"); "hypothetical"
 * cues ("advice about", "leaflet on") work the same way and mark it as not
 * a report of fact. Clauses end at sentence ends and at "but", "however",
 * "although", "though", "except", "whereas".
 */
#ifndef JD_TEXTSCAN_H
#define JD_TEXTSCAN_H

#include "util/internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JD_TS_MAX_TERMS 24
#define JD_TS_MAX_TOKENS 16384 /* words scanned per narrative (64 KiB of text) */

typedef struct jd_ts_token {
    const char *s; /* normalised word (not NUL-terminated) */
    uint16_t len;
    uint32_t off, olen; /* byte range in the original text */
    uint32_t sentence, clause;
    int32_t num; /* value of a number token, else -1 */
    uint8_t paren; /* a number written in parentheses, "(24)" */
    uint8_t pct;   /* a number followed by "%" */
} jd_ts_token;

typedef struct jd_ts_hit {
    uint32_t pattern;        /* index as returned by jd_ts__add */
    uint32_t start, end;     /* token range [start, end) */
    uint32_t sentence;
    int32_t num;             /* the first #num in the match, else -1 */
    bool negated, hypothetical;
} jd_ts_hit;

typedef struct jd_ts jd_ts; /* compiled pattern set; read-only once built */

/* What a pattern is for: matching text or being a cue. */
enum { JD_TS_MATCH = 0, JD_TS_NEG_PRE = 1, JD_TS_NEG_POST = 2, JD_TS_HYPO = 3 };

jd_ts *jd_ts__new(void);
void jd_ts__free(jd_ts *t);
/* Add a pattern; returns its index (>= 0) or a negative jd_code (bad syntax:
 * err names the pattern). `owner` and `value` are opaque to the matcher. */
int jd_ts__add(jd_ts *t, const char *pattern, int role, uint32_t owner, int32_t value,
               jd_error *err);
uint32_t jd_ts__owner(const jd_ts *t, uint32_t pattern);
int32_t jd_ts__value(const jd_ts *t, uint32_t pattern);
const char *jd_ts__text(const jd_ts *t, uint32_t pattern);
void jd_ts__set_window(jd_ts *t, int words);

/* Per-thread scratch space for scanning (reusable across narratives). */
typedef struct jd_ts_scan {
    jd_ts_token *tok;
    size_t ntok, tokcap;
    char *low; /* normalised text */
    size_t lowcap;
    jd_ts_hit *hits;
    size_t nhits, hitcap;
    uint8_t *neg_end, *post_start, *hypo_end; /* per token marks */
    size_t markcap;
    uint32_t nsentences;
} jd_ts_scan;

void jd_ts__scan_init(jd_ts_scan *sc);
void jd_ts__scan_free(jd_ts_scan *sc);
/* Tokenize `text` and find every JD_TS_MATCH pattern occurrence (overlaps
 * included, each pattern at most once per start token), with its negation.
 * The compiled set's memo is updated, so one jd_ts is used by one thread at
 * a time. Returns JD_OK or JD_ENOMEM. */
int jd_ts__scan(jd_ts *t, jd_ts_scan *sc, const char *text, size_t len);
/* Tokenize only (used by tests and the language checker). */
int jd_ts__tokenize(jd_ts_scan *sc, const char *text, size_t len);

#endif
