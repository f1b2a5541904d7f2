/*
 * Phonetic keys for identity resolution (internal API): Lawrence Philips'
 * Double Metaphone (C/C++ Users Journal, June 2000), exact to the
 * reference C implementation (Maurice Aubrey's port of Philips' C++, the
 * one behind Text::DoubleMetaphone and PostgreSQL's dmetaphone()).
 *
 * Input is a name as names.c leaves it (lower case, accents stripped), but
 * any ASCII case works. Bytes >= 0x80 (letters of other scripts) are kept
 * in place and code as nothing, so they neither match a rule nor join their
 * neighbours. Only the first JD_PHON_IN_MAX bytes are read. The functions
 * are pure, never allocate and are thread-safe.
 */
#ifndef JD_PHONETIC_H
#define JD_PHONETIC_H

#include <stddef.h>

#define JD_PHON_LEN 4      /* the reference code length */
#define JD_PHON_MAX 16     /* longest code the output buffers hold */
#define JD_PHON_IN_MAX 128 /* input bytes read; the rest is ignored */

/*
 * Double Metaphone codes of `in[0..len)`, at most JD_PHON_LEN characters
 * each (letters and '0' for "th"). `primary` and `alternate` are always
 * NUL-terminated; when the name has no second pronunciation the alternate
 * equals the primary. A name with nothing to code (empty, "h", digits)
 * gets empty codes. Returns the length of the primary code.
 */
size_t jd_phon__double_metaphone(const char *in, size_t len, char primary[JD_PHON_MAX + 1],
                                 char alternate[JD_PHON_MAX + 1]);

/* The same with codes of at most `maxlen` characters (1..JD_PHON_MAX;
 * out-of-range values are clamped). */
size_t jd_phon__double_metaphone_n(const char *in, size_t len, size_t maxlen,
                                   char primary[JD_PHON_MAX + 1], char alternate[JD_PHON_MAX + 1]);

#endif
