/*
 * Name normalisation for identity resolution (internal API): Unicode NFKC
 * compatibility forms, case folding and accent stripping (utf8proc), then
 * punctuation removed, hyphens and separators turned into single spaces,
 * apostrophes dropped ("O'Brien" -> "obrien") and titles removed.
 */
#ifndef JD_NAMES_H
#define JD_NAMES_H

#include <joindots/common.h>

#include <stddef.h>

/*
 * Normalise `in[0..n)` into `out` (NUL-terminated, at most cap-1 bytes,
 * cut at a character boundary). Invalid UTF-8 is read as Latin-1 rather
 * than rejected. Returns the length written, or JD_EINVALID if cap is 0.
 */
int jd_names__normalise(char *out, size_t cap, const char *in, size_t n);

#endif
