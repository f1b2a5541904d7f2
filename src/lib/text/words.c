/* The words of a text as a set of hashes (words.h). */
#include "text/words.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

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
        uint32_t h = jd_word_hash(w, (size_t)(p - w));
        ws->bit[h / 64] |= 1ull << (h % 64);
    }
}
