/*
 * Name normalisation. utf8proc does the Unicode work in one pass
 * (compatibility decomposition, case folding, combining marks stripped);
 * then a byte pass keeps letters and digits of any script, turns hyphens,
 * dots, commas and other separators into single spaces, drops apostrophes
 * and removes titles as whole words. Non-Latin scripts are kept as they are
 * (folded), never dropped: transliteration variants are matched through the
 * name-variant list, not by guessing.
 */
#include "text/names.h"
#include "util/internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const char *const titles[] = {"mr", "mrs", "miss", "ms", "mx", "dr", "master", "sir",
                                     "dame", "rev", "prof"};

static bool is_title(const char *w, size_t n)
{
    for (size_t i = 0; i < JD_ARRAY_LEN(titles); i++)
        if (strlen(titles[i]) == n && !memcmp(w, titles[i], n))
            return true;
    return false;
}

int jd_names__normalise(char *out, size_t cap, const char *in, size_t n)
{
    if (!out || cap == 0)
        return JD_EINVALID;
    out[0] = '\0';
    if (!in || n == 0)
        return 0;
    if (n > 4096)
        n = 4096; /* names are short; bound the work on hostile input */
    /* Invalid UTF-8 is read as Latin-1 (each byte one code point). */
    utf8proc_uint8_t *src = NULL;
    utf8proc_ssize_t srclen = (utf8proc_ssize_t)n;
    utf8proc_int32_t cp;
    bool valid = true;
    for (utf8proc_ssize_t i = 0; i < srclen;) {
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)in + i, srclen - i, &cp);
        if (k < 0) {
            valid = false;
            break;
        }
        i += k;
    }
    if (!valid) {
        src = malloc(n * 2 + 1);
        if (!src)
            return 0;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            k += (size_t)utf8proc_encode_char((unsigned char)in[i], src + k);
        srclen = (utf8proc_ssize_t)k;
    }
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t ml = utf8proc_map(src ? src : (const utf8proc_uint8_t *)in, srclen, &mapped,
                                       UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                           UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                                           UTF8PROC_IGNORE | UTF8PROC_STRIPCC);
    free(src);
    if (ml < 0)
        return 0;
    /* Keep letters and digits; separators become one space; apostrophes go. */
    size_t k = 0;
    bool space = false;
    for (utf8proc_ssize_t i = 0; i < ml;) {
        utf8proc_ssize_t len = utf8proc_iterate(mapped + i, ml - i, &cp);
        if (len <= 0)
            break;
        utf8proc_category_t c = utf8proc_category(cp);
        bool letter = c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
        bool digit = c == UTF8PROC_CATEGORY_ND;
        bool apostrophe = cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x60;
        if (letter || digit) {
            if (space && k > 0 && k + 1 < cap)
                out[k++] = ' ';
            space = false;
            if (k + (size_t)len >= cap)
                break;
            memcpy(out + k, mapped + i, (size_t)len);
            k += (size_t)len;
        } else if (!apostrophe) {
            space = true;
        }
        i += len;
    }
    out[k] = '\0';
    free(mapped);
    /* Drop titles as whole words, in place. */
    size_t r = 0, w = 0;
    while (r < k) {
        size_t e = r;
        while (e < k && out[e] != ' ')
            e++;
        if (!is_title(out + r, e - r)) {
            if (w)
                out[w++] = ' ';
            memmove(out + w, out + r, e - r);
            w += e - r;
        }
        r = e + 1;
    }
    out[w] = '\0';
    return (int)w;
}
