/*
 * The scorer: compares joindots' outputs (identities and alerts, contract §2)
 * with a synthetic county's truth.json (§3) and reports accuracy figures.
 * Works before any analysis exists: missing outputs score as zero.
 */
#ifndef JOINDOTS_SCORE_H
#define JOINDOTS_SCORE_H

#include <joindots/common.h>

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jd_prf {
    double precision, recall, f1;
    long long tp, fp, fn; /* pairs for identities; records or people otherwise */
} jd_prf;

typedef struct jd_score_report {
    jd_prf ident_all, ident_children; /* pairwise over person_refs; children: pairs of two
                                         children's refs */
    long long exploited, exploited_high;  /* exploited children; with child_at_risk >= high */
    double recall_high;
    double median_delay_days;             /* first evidence to high; NAN if none detected */
    long long non_exploited_children, false_alarms;
    double false_alarm_rate;
    jd_prf network_adults;                /* adults named in exploitation_network alerts */
    long long networks, networks_detected, networks_within_180;
    /* alerts per true network (issue 17): network alerts naming one of its
     * adults, summed over the true networks (one each is right) */
    long long network_alerts;
    jd_prf unrecorded, language;          /* by event */
    jd_prf left_alone;                    /* by event: the truth's left-alone calls, scored
                                             apart from unrecorded (both skip the other's) */
    void *detail;                         /* per group rates (confounder, ethnicity) and
                                             identity by group: json_t */
    /* true persons (with a ref) whose predicted cluster is exactly their refs */
    long long persons, persons_exact, children_persons, children_exact;
    double exactly_right, exactly_right_children;
} jd_score_report;

/*
 * Score. `identities` and `alerts` may be NULL (scored as no output);
 * `singletons`: score the baseline of one identity per person_ref instead of
 * an identities file. [out] *out; free its detail with jd_score_report_dispose.
 * Returns JD_OK, JD_ENOTFOUND, JD_EINVALID (a file is not what it should be).
 */
JD_API int jd_score_run(jd_score_report *out, const char *truth, const char *identities,
                        const char *alerts, bool singletons, jd_error *err);
JD_API void jd_score_report_dispose(jd_score_report *r);
/* Print as a table, or as one JSON object. */
JD_API int jd_score_print(const jd_score_report *r, FILE *f, bool json, jd_error *err);

/*
 * Calibration (`joindots calibrate`): on a labelled county, the share of
 * exploited and non-exploited children reaching each level (by confounder
 * group), and for each score threshold for high (from the child_at_risk
 * alerts' score_path and high_by_trigger_at) the false-alarm rate overall
 * and in the worst group, recall and median delay; proposes the lowest
 * threshold with false alarms <= target overall and <= group_target in every
 * group. Written to f as a table or one JSON object.
 * Returns JD_OK, JD_EINVALID, JD_ENOTFOUND (a file), JD_EIO, JD_ENOMEM.
 */
JD_API int jd_score_calibrate(const char *truth, const char *alerts, double target,
                              double group_target, FILE *f, bool json, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
