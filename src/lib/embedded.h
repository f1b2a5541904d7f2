/* Data files compiled into the library (see embedded_data in meson.build). */
#ifndef JD_EMBEDDED_H
#define JD_EMBEDDED_H
#include <stddef.h>
/* Declarations are added here as catalogues land, e.g.:
 * extern const char jd_data_name_variants[]; extern const size_t jd_data_name_variants_len; */
#endif
