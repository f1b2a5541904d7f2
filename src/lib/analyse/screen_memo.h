/*
 * Screening memo of one analysis (internal API of the analyse module): the
 * results of the older cue matcher (textscan) and of the text screen for the
 * notes last seen, so that a note written again word for word (an agency's
 * stock phrase: "Asthma review, inhaler technique checked.", "Did not
 * attend.") is screened once, not at each of its events. Both matchers are
 * pure functions of what they are given, so a result read back is the
 * result a new run would give: the key is the whole text and, for the
 * screen, every field of the note but its id (echoed by no match).
 *
 * Direct-mapped and bounded (JD_SMEMO_SLOTS of each, notes of up to
 * JD_SMEMO_MAX_TEXT bytes: stock phrases are short, and a slot's buffers
 * grow to the longest note it held): a county whose notes are all different
 * pays a hash of each note and keeps at most that many scans and results
 * (about 40 KiB a slot at most). A longer note is screened each time, in a
 * scratch slot. A scan or result handed out stays valid until the next call
 * of the same function.
 */
#ifndef JD_ANALYSE_SCREEN_MEMO_H
#define JD_ANALYSE_SCREEN_MEMO_H

#include "screen/textscan.h"
#include "util/internal.h"

#include <joindots/screen.h>

enum { JD_SMEMO_SLOTS = 1024, JD_SMEMO_MAX_TEXT = 2048 };

typedef struct jd_smemo jd_smemo;

/* A memo (NULL: out of memory). */
jd_smemo *jd_smemo__new(void);
void jd_smemo__free(jd_smemo *m);

/* The textscan of text[0, len) with ts: *out is the memo's (read only; valid
 * until the next jd_smemo__scan). JD_OK or JD_ENOMEM. */
int jd_smemo__scan(jd_smemo *m, jd_ts *ts, const char *text, size_t len,
                   const jd_ts_scan **out);

/* jd_screen_run of `in` with S: *out is the memo's result (read only; valid
 * until the next jd_smemo__screen). Returns what jd_screen_run returned for
 * the note (a refused note, over its size limit, gives its error again with
 * an empty result; out of memory is never kept). */
int jd_smemo__screen(jd_smemo *m, jd_screen *S, const jd_screen_note *in,
                     const jd_screen_result **out, jd_error *err);

/* Calls that found their note in the memo, and all calls (scan, screen). */
void jd_smemo__counts(const jd_smemo *m, uint64_t hits[2], uint64_t calls[2]);

#endif
