/*
 * The demonstration bundle shipped inside the library (data/demo): a small
 * synthetic multi-agency bundle with examples of every kind of row, good and
 * bad. Only synthetic people.
 */
#ifndef JOINDOTS_DEMO_H
#define JOINDOTS_DEMO_H

#include <joindots/analyse.h>
#include <joindots/common.h>
#include <joindots/concern.h>
#include <joindots/resolve.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Write the demo bundle's CSV files into the folder `dir` (created if
 * missing). Returns JD_OK or JD_EIO.
 */
JD_API int jd_demo_write_bundle(const char *dir, jd_error *err);

/* One strategic item on the board's agenda. */
typedef struct jd_demo_agenda_item {
    int64_t raised_at;
    char title[120];
} jd_demo_agenda_item;

typedef struct jd_demo_result {
    jd_resolve_stats resolve;
    double resolve_seconds;
    jd_analyse_stats analyse; /* analyse.seconds_* time its phases */
    double analyse_seconds;
    jd_escalate_stats escalate;
    jd_demo_agenda_item agenda[6]; /* the first strategic items, oldest first */
    int n_agenda;
} jd_demo_result;

/*
 * What the demo shows on an ingested store: identity resolution (the
 * identities written to ids_path as JSON Lines), the analysis (saved), and
 * the escalation ladder replayed with nobody acting, its alerts (the
 * analysis's and the escalations') written to alerts_path. [out] *out
 * (filled on success). Returns JD_OK, JD_EIO (a file), or the error of the
 * step that failed, which err names.
 */
JD_API int jd_demo_pipeline(jd_demo_result *out, jd_store *s, const char *ids_path,
                            const char *alerts_path, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
