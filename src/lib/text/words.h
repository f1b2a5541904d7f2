/*
 * The words of a lowered text as a set of hashes, a filter before a phrase
 * search (part of the text module; may include util and public headers).
 *
 * A phrase that starts with a letter or digit can stand as whole words in
 * a text only where the text has a whole word (a run of letters and
 * digits) equal to the phrase's first word: the match wants a word start,
 * and the phrase's next character (or the text's, after a one-word phrase)
 * is no letter or digit. jd_words_may_hold is false only when that first
 * word is not in the set, so a search it lets through finds what it found
 * before; a hash collision only lets a search through. Thread-safe, no
 * allocation.
 */
#ifndef JD_WORDS_H
#define JD_WORDS_H

#include <stdbool.h>
#include <stdint.h>

enum { JD_WORD_BITS = 4096 };
typedef struct jd_words {
    uint64_t bit[JD_WORD_BITS / 64];
} jd_words;

/* The set of the words of text (ASCII letters and digits; lower case is
 * the caller's). */
void jd_words_of(jd_words *ws, const char *text);
/* Can the phrase ph stand in the text of ws? false only when it cannot; a
 * phrase that starts with no letter or digit always can. */
bool jd_words_may_hold(const jd_words *ws, const char *ph);

#endif
