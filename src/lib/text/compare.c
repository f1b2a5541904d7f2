/*
 * String comparators: Jaro, Jaro-Winkler, Damerau-Levenshtein (full) and
 * optimal string alignment. Inputs are capped at JD_CMP_MAX bytes so every
 * table lives on the stack: names are short, and a cap keeps a hostile
 * 1 MB "surname" from costing a quadratic amount of work.
 */
#include "text/compare.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static size_t cap(size_t n)
{
    return n > JD_CMP_MAX ? JD_CMP_MAX : n;
}

/*
 * Jaro with bit sets: JD_CMP_MAX is 64, so the positions of b that hold each
 * byte, and the matched positions of both strings, fit in one 64-bit word.
 * Each byte of a takes the lowest unmatched equal byte of b in its window,
 * as the textbook loop does, so m, t and the result are the same; the work
 * is linear in the lengths instead of their product.
 */
_Static_assert(JD_CMP_MAX <= 64, "the bit-set Jaro needs one word per string");

double jd_cmp__jaro(const char *a, size_t al, const char *b, size_t bl)
{
    al = cap(al);
    bl = cap(bl);
    if (al == 0 && bl == 0)
        return 1.0;
    if (al == 0 || bl == 0)
        return 0.0;
    size_t window = (al > bl ? al : bl) / 2;
    window = window ? window - 1 : 0;
    uint64_t pos[256], seen[4] = {0}; /* pos[c] is valid where seen has bit c */
    for (size_t j = 0; j < bl; j++) {
        unsigned char c = (unsigned char)b[j];
        if (!(seen[c >> 6] >> (c & 63) & 1)) {
            seen[c >> 6] |= UINT64_C(1) << (c & 63);
            pos[c] = 0;
        }
        pos[c] |= UINT64_C(1) << j;
    }
    uint64_t am = 0, bm = 0;
    size_t m = 0;
    for (size_t i = 0; i < al; i++) {
        unsigned char c = (unsigned char)a[i];
        if (!(seen[c >> 6] >> (c & 63) & 1))
            continue;
        size_t lo = i > window ? i - window : 0, hi = i + window + 1 < bl ? i + window + 1 : bl;
        if (lo >= hi)
            continue;
        uint64_t win = (hi == 64 ? ~UINT64_C(0) : (UINT64_C(1) << hi) - 1) & ~((UINT64_C(1) << lo) - 1);
        uint64_t cand = pos[c] & ~bm & win;
        if (cand) {
            bm |= cand & -cand;
            am |= UINT64_C(1) << i;
            m++;
        }
    }
    if (m == 0)
        return 0.0;
    size_t t = 0;
    for (uint64_t x = am, y = bm; x; x &= x - 1, y &= y - 1)
        t += a[__builtin_ctzll(x)] != b[__builtin_ctzll(y)];
    double md = (double)m;
    return (md / (double)al + md / (double)bl + (md - (double)t / 2.0) / md) / 3.0;
}

double jd_cmp__jaro_winkler(const char *a, size_t al, const char *b, size_t bl)
{
    double j = jd_cmp__jaro(a, al, b, bl);
    size_t l = 0, n = cap(al) < cap(bl) ? cap(al) : cap(bl);
    while (l < n && l < 4 && a[l] == b[l])
        l++;
    return j + (double)l * 0.1 * (1.0 - j);
}

static int min3(int x, int y, int z)
{
    int m = x < y ? x : y;
    return m < z ? m : z;
}

int jd_cmp__osa(const char *a, size_t al, const char *b, size_t bl)
{
    al = cap(al);
    bl = cap(bl);
    int d[JD_CMP_MAX + 1][JD_CMP_MAX + 1];
    for (size_t i = 0; i <= al; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= bl; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= al; i++)
        for (size_t j = 1; j <= bl; j++) {
            int cost = a[i - 1] != b[j - 1];
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[al][bl];
}

int jd_cmp__damerau_levenshtein(const char *a, size_t al, const char *b, size_t bl)
{
    al = cap(al);
    bl = cap(bl);
    /* Lowrance-Wagner with a last-row-seen table over byte values. */
    int da[256] = {0};
    int d[JD_CMP_MAX + 2][JD_CMP_MAX + 2];
    int maxd = (int)(al + bl);
    d[0][0] = maxd;
    for (size_t i = 0; i <= al; i++) {
        d[i + 1][0] = maxd;
        d[i + 1][1] = (int)i;
    }
    for (size_t j = 0; j <= bl; j++) {
        d[0][j + 1] = maxd;
        d[1][j + 1] = (int)j;
    }
    for (size_t i = 1; i <= al; i++) {
        int db = 0;
        for (size_t j = 1; j <= bl; j++) {
            int i1 = da[(unsigned char)b[j - 1]], j1 = db;
            int cost = 1;
            if (a[i - 1] == b[j - 1]) {
                cost = 0;
                db = (int)j;
            }
            int v = min3(d[i][j] + cost, d[i + 1][j] + 1, d[i][j + 1] + 1);
            int tr = d[i1][j1] + (int)(i - (size_t)i1 - 1) + 1 + (int)(j - (size_t)j1 - 1);
            d[i + 1][j + 1] = v < tr ? v : tr;
        }
        da[(unsigned char)a[i - 1]] = (int)i;
    }
    return d[al + 1][bl + 1];
}
