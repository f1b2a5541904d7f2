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

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { JD_WORD_BITS = 4096 };
typedef struct jd_words {
    uint64_t bit[JD_WORD_BITS / 64];
} jd_words;

/* The set of the words of text (ASCII letters and digits; lower case is
 * the caller's). */
void jd_words_of(jd_words *ws, const char *text);

/* The hash of the word s..s+n in the set (FNV-1a). */
static inline uint32_t jd_word_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h % JD_WORD_BITS;
}

/* Can the phrase ph stand in the text of ws? false only when it cannot; a
 * phrase that starts with no letter or digit always can. Inline: it runs
 * once for each phrase of each record (an out-of-line call was 8.6 % of the
 * 1M county's analyse samples in perf). */
static inline bool jd_words_may_hold(const jd_words *ws, const char *ph)
{
    size_t m = 0;
    while (isalnum((unsigned char)ph[m]))
        m++;
    if (!m)
        return true;
    uint32_t h = jd_word_hash(ph, m);
    return ws->bit[h / 64] >> (h % 64) & 1;
}

#endif
