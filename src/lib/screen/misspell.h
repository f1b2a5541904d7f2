/* Common misspellings of the words that disclose an offence (issue 14). */
#ifndef JD_SCREEN_MISSPELL_H
#define JD_SCREEN_MISSPELL_H

#include <stddef.h>

/* Misspelt form -> the word meant. Only forms that are no English word
 * ("touchd", "threatend", "trafficed"; not "rapped", "massages", "heroine"),
 * so no real word is ever changed into another: the old one-edit tolerance
 * turned "packed" into "picked" and "setting" into "sexting". */
extern const char *const jd_screen_misspell[][2];
extern const size_t jd_screen_nmisspell;

#endif
