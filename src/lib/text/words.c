/* The words of a text as a set of hashes (words.h). */
#include "text/words.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

static uint32_t word_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h % JD_WORD_BITS;
}

void jd_words_of(jd_words *ws, const char *text)
{
    memset(ws, 0, sizeof *ws);
    for (const char *p = text; *p;) {
        if (!isalnum((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *w = p;
        while (isalnum((unsigned char)*p))
            p++;
        uint32_t h = word_hash(w, (size_t)(p - w));
        ws->bit[h / 64] |= 1ull << (h % 64);
    }
}

bool jd_words_may_hold(const jd_words *ws, const char *ph)
{
    size_t m = 0;
    while (isalnum((unsigned char)ph[m]))
        m++;
    if (!m)
        return true;
    uint32_t h = word_hash(ph, m);
    return ws->bit[h / 64] >> (h % 64) & 1;
}
