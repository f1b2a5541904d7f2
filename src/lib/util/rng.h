/*
 * Deterministic pseudo-random numbers for the synthetic county: xoshiro256**
 * seeded through splitmix64. Same seed, same sequence, on every platform;
 * never rand(), never time.
 */
#ifndef JD_RNG_H
#define JD_RNG_H

#include <stdint.h>

typedef struct jd_rng {
    uint64_t s[4];
} jd_rng;

static inline uint64_t jd_rng__splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void jd_rng__seed(jd_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = jd_rng__splitmix(&seed);
}

static inline uint64_t jd_rng__next(jd_rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t jd_rng__below(jd_rng *r, uint32_t n)
{
    return (uint32_t)(((jd_rng__next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability p. */
static inline int jd_rng__chance(jd_rng *r, double p)
{
    return (double)(jd_rng__next(r) >> 11) * 0x1.0p-53 < p;
}

#endif
