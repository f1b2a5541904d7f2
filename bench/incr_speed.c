/*
 * Stages of the incremental update after a feed (issue 17), on a store
 * where the feed is ingested (and resolved, for the second half) after a
 * saved full analysis: the urgent-call fast path (screen the feed's
 * call-handling and police records, analyse their persons, escalate them),
 * then the incremental analysis of everything the feed touched and the
 * escalation engine over the persons it walked. Each stage timed
 * in wall time and in this process's CPU time (the machine is shared: CPU
 * time is the figure to compare). Used by bench/incr_bench.sh.
 *
 *   incr_speed DB [urgent|all [kept]]
 *
 * kept: the escalation reads the incremental analysis's records
 * (jd_incr_input.keep, jd_escalate_opts.kept) instead of loading its
 * persons' events again, as the server does.
 */
#include <joindots/analyse.h>
#include <joindots/concern.h>
#include <joindots/store.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int escalate(jd_store *s, char **keys, size_t n, const jd_analysis_kept *kept,
                    jd_error *err)
{
    if (!n)
        return JD_OK;
    jd_escalate_opts eo = JD_ESCALATE_OPTS_INIT;
    eo.save = true;
    eo.persons = (const char *const *)keys;
    eo.npersons = n;
    eo.kept = kept;
    jd_escalate_stats es;
    return jd_escalate_run(s, JD_AS_OF_NOW, 0, &eo, &es, err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: incr_speed DB [urgent|all [kept]]\n");
        return 2;
    }
    bool all = argc < 3 || strcmp(argv[2], "urgent") != 0;
    bool keep = argc > 3 && !strcmp(argv[3], "kept");
    jd_analysis_kept *kept = NULL;
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    jd_store_opts so = {.create = false};
    double t0 = now();
    if (jd_store_open(&s, argv[1], &so, &err) < 0) {
        fprintf(stderr, "incr_speed: %s\n", err.msg);
        return 1;
    }
    double t_open = now() - t0;
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    jd_analyse_stats st;
    char **w = NULL;
    size_t nw = 0;
    t0 = now();
    double c0 = cpu();
    int rc = jd_analyse_urgent_keys(s, &ao, &st, &w, &nw, &err);
    double t_ua = now() - t0, c_ua = cpu() - c0;
    t0 = now();
    c0 = cpu();
    if (rc == JD_OK)
        rc = escalate(s, w, nw, NULL, &err);
    double t_ue = now() - t0, c_ue = cpu() - c0;
    jd_analyse_keys_free(w, nw);
    printf("open %.3f s; urgent: screen %.3f s, load %.3f s, analyse (all) %.3f s [cpu %.3f s],"
           " %lld walked, %lld alerts; escalate %.3f s [cpu %.3f s]; total %.3f s [cpu %.3f s]\n",
           t_open, st.seconds_touched, st.seconds_load, t_ua, c_ua, (long long)st.walked,
           (long long)st.alerts, t_ue, c_ue, t_ua + t_ue, c_ua + c_ue);
    if (rc == JD_OK && all) {
        t0 = now();
        c0 = cpu();
        jd_incr_input in = {NULL, 0, true, false, keep ? &kept : NULL};
        rc = jd_analyse_incremental_ex(s, &ao, &in, &st, &w, &nw, &err);
        double t_a = now() - t0, c_a = cpu() - c0;
        t0 = now();
        c0 = cpu();
        if (rc == JD_OK)
            rc = escalate(s, w, nw, kept, &err);
        jd_analysis_kept_free(kept);
        double t_e = now() - t0, c_e = cpu() - c0;
        jd_analyse_keys_free(w, nw);
        printf("feed: touched %lld (found in %.3f s), walked %lld, load %.3f s, screen %.3f s,"
               " walk %.3f s, write %.3f s, analyse (all) %.3f s [cpu %.3f s]; escalate %.3f s"
               " [cpu %.3f s]; total %.3f s [cpu %.3f s]\n",
               (long long)st.touched, st.seconds_touched, (long long)st.walked, st.seconds_load,
               st.seconds_screen, st.seconds_alerts, st.seconds_write, t_a, c_a, t_e, c_e,
               t_a + t_e, c_a + c_e);
    }
    if (rc < 0)
        fprintf(stderr, "incr_speed: %s\n", err.msg);
    jd_store_close(s);
    return rc < 0 ? 1 : 0;
}
