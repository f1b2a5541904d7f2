/*
 * libFuzzer target for name normalisation (names.c) and the phonetic codes
 * (phonetic.c) computed from its output: any bytes, any output size, never
 * a crash, an overrun or an unterminated string.
 */
#include "text/names.h"
#include "text/phonetic.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the first byte picks the output size, so the cut paths run too */
    size_t cap = size ? (size_t)data[0] % 80 + 1 : 64;
    char out[256];
    int n = jd_names__normalise(out, cap, (const char *)data + (size ? 1 : 0),
                                size ? size - 1 : 0);
    if (n < 0 || (size_t)n >= cap || strlen(out) != (size_t)n)
        __builtin_trap();
    char p[JD_PHON_MAX + 1], a[JD_PHON_MAX + 1];
    size_t pl = jd_phon__double_metaphone(out, (size_t)n, p, a);
    if (pl != strlen(p) || pl > JD_PHON_MAX || strlen(a) > JD_PHON_MAX)
        __builtin_trap();
    /* the raw bytes straight into the phonetic coder too */
    (void)jd_phon__double_metaphone_n((const char *)data, size, size ? data[0] % 8 : 4, p, a);
    return 0;
}
