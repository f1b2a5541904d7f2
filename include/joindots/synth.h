/*
 * The synthetic county: a deterministic generator of agency export bundles
 * (interchange contract §1) with ground truth (§3), for the demo, the tests
 * and every accuracy benchmark. Only invented people.
 *
 * A county of households, schools and GP practices; ordinary agency contact
 * for everyone; vulnerable children who are not exploited (the confounders
 * that make naive rules raise false alarms); decoy adults who meet many
 * children for innocent reasons; and exploitation networks whose indicators
 * escalate across agencies over months and years. Each agency writes its own
 * noise into names, dates of birth and references.
 */
#ifndef JOINDOTS_SYNTH_H
#define JOINDOTS_SYNTH_H

#include <joindots/common.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jd_synth_opts {
    uint64_t seed;
    int children;         /* children in the county (0: derived from `events`) */
    int years;            /* length of the period */
    const char *start;    /* first day, YYYY-MM-DD */
    int networks;         /* exploitation networks */
    const char *scenario; /* NULL or "county"; "oxford" for the Operation Bullfinch shape */
    int64_t events;       /* approximate number of events wanted (0: natural size) */
    int identity_noise;   /* JD_SYNTH_NOISE_REALISTIC (default) or JD_SYNTH_NOISE_NONE */
    int confounders;      /* JD_SYNTH_CONFOUNDERS_BASIC (default) or _STORIES */
} jd_synth_opts;

/*
 * Identity noise. REALISTIC: sparse call-handling, housing and police rows
 * under their own refs, households with step-families, twins with similar
 * names and shared addresses, namesakes, and the name and date-of-birth
 * noise of docs/internals/synth.md. NONE: the county as generated before
 * that noise existed (same bytes for the same seed), for tests and figures
 * that must stay comparable with earlier runs.
 */
enum { JD_SYNTH_NOISE_REALISTIC = 0, JD_SYNTH_NOISE_NONE = 1 };
/*
 * Confounders. BASIC: the six groups of vulnerable, not exploited children
 * (in care going missing to family, substance use, domestic abuse,
 * self-harm, older-teen peer, learning disability). STORIES: on top, the
 * confounder stories written blind to the rules (tests/data/confounders/
 * stories.md part A: sport and pet injuries, stolen phones, same-age
 * relationships, many professionals, siblings of victims, twins...), each a
 * group in truth.json; the county's own events come first, the same as
 * BASIC (only the numbers of one-row refs move).
 */
enum { JD_SYNTH_CONFOUNDERS_BASIC = 0, JD_SYNTH_CONFOUNDERS_STORIES = 1 };
#define JD_SYNTH_OPTS_INIT                                                                          \
    {1, 2000, 8, "2004-01-01", 3, NULL, 0, JD_SYNTH_NOISE_REALISTIC, JD_SYNTH_CONFOUNDERS_BASIC}

typedef struct jd_synth_stats {
    int64_t events, person_rows, object_rows;
    int64_t people, children, exploited, networks, unrecorded_crimes, blaming;
    int64_t left_alone; /* left-alone calls (C17, not exploitation): truth "left_alone" */
    int64_t one_row_refs, sparse_refs; /* refs used for one row; of them, rows lacking a
                                          forename, a surname or a date of birth */
} jd_synth_stats;

/*
 * Write a bundle (events_*.csv, persons_*.csv, objects.csv) and truth.json
 * into `outdir` (created if missing). Same options, same bytes.
 * Returns JD_OK, JD_EINVALID (bad options), JD_EIO, JD_ENOMEM.
 */
JD_API int jd_synth_write(const char *outdir, const jd_synth_opts *opts, jd_synth_stats *stats,
                          jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
