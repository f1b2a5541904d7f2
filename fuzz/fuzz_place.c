/*
 * libFuzzer target for place normalisation (network_place.c): any bytes
 * must give a key within bounds, in bounded time (issue 19, item 1: an en
 * dash made jd_place__norm loop for ever), never a crash or an overrun.
 * The input is split at the first NUL into two places that are compared.
 */
#include "network/network.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const jd_place *p)
{
    size_t kl = strnlen(p->key, sizeof p->key);
    if (kl >= sizeof p->key || p->ntok > JD_PLACE_MAX_TOKENS)
        __builtin_trap();
    for (int i = 0; i < p->ntok; i++)
        if ((size_t)p->toff[i] + p->tlen[i] > kl)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t n1 = nul ? (size_t)(nul - s) : size;
    jd_place a, b;
    jd_place__norm(&a, s, n1);
    check(&a);
    if (nul) {
        jd_place__norm(&b, nul + 1, size - n1 - 1);
        check(&b);
        double sim = jd_place__similarity(&a, &b);
        if (!(sim >= 0.0 && sim <= 1.0))
            __builtin_trap();
        (void)jd_place__similar(&a, &b);
        /* the same text gives the same key */
        jd_place c;
        jd_place__norm(&c, s, n1);
        if (strcmp(a.key, c.key) != 0)
            __builtin_trap();
    }
    return 0;
}
