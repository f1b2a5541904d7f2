/*
 * String comparators for identity resolution (internal API). All work on
 * byte strings that names.c has already normalised (NFKC, case folded,
 * accents stripped); they are pure, allocation-free for short inputs and
 * thread-safe. Inputs longer than JD_CMP_MAX bytes are compared on their
 * first JD_CMP_MAX bytes.
 */
#ifndef JD_COMPARE_H
#define JD_COMPARE_H

#include <stddef.h>

#define JD_CMP_MAX 64

/* Jaro similarity in [0, 1]. */
double jd_cmp__jaro(const char *a, size_t al, const char *b, size_t bl);
/* Jaro-Winkler with prefix scale 0.1 over at most 4 common leading bytes. */
double jd_cmp__jaro_winkler(const char *a, size_t al, const char *b, size_t bl);
/* Damerau-Levenshtein distance (unrestricted: transpositions of
 * non-adjacent edits allowed; Lowrance-Wagner). */
int jd_cmp__damerau_levenshtein(const char *a, size_t al, const char *b, size_t bl);
/* Optimal string alignment distance (restricted Damerau-Levenshtein). */
int jd_cmp__osa(const char *a, size_t al, const char *b, size_t bl);

#endif
