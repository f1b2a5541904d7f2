/*
 * The demonstration bundle shipped inside the library (data/demo): a small
 * synthetic multi-agency bundle with examples of every kind of row, good and
 * bad. Only synthetic people.
 */
#ifndef JOINDOTS_DEMO_H
#define JOINDOTS_DEMO_H

#include <joindots/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Write the demo bundle's CSV files into the folder `dir` (created if
 * missing). Returns JD_OK or JD_EIO.
 */
JD_API int jd_demo_write_bundle(const char *dir, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
