/*
 * The analysis driver (include/joindots/analyse.h): load the snapshot of
 * what was known by the "as of" time once, then run the risk walk of module
 * analyse with the exploitation-network pass of this module handed in
 * (jd_an__run calls it after each walk; analyse never calls network, so
 * the modules have no cycle). Escalation and profiles load their own
 * snapshot, run jd_network__analyse on it, and read the same rows.
 */
#include "analyse/analyse_internal.h"
#include "network/network.h"

#include <string.h>
#include <time.h>

static double secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int jd_network__analyse(jd_snapshot *S, jd_store *s, const jd_analyse_opts *opts, FILE *out,
                        jd_analyse_stats *stats, jd_error *err)
{
    return jd_an__run(S, s, opts, jd_network__detect, out, stats, err);
}

int jd_analyse(jd_store *s, const jd_analyse_opts *opts, FILE *out, jd_analyse_stats *stats,
               jd_error *err)
{
    jd_analyse_opts def = JD_ANALYSE_OPTS_INIT;
    jd_analyse_stats dummy;
    if (!opts)
        opts = &def;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    if (!s)
        return jd_error_set(err, JD_EINVALID, "no store");
    jd_snapshot S;
    jd_snapshot_opts so = {opts->as_of, false};
    double t0 = secs();
    int rc = jd_snapshot__load(&S, s, &so, err);
    double load = secs() - t0;
    if (rc == JD_OK)
        rc = jd_network__analyse(&S, s, opts, out, stats, err);
    stats->seconds_load = load;
    jd_snapshot__dispose(&S);
    return rc;
}
