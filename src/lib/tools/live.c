/*
 * Keeping the analysis current after feeds land (issue 17 item 2): resolve,
 * analyse (alerts saved), then the escalation engine (concerns opened and
 * risen, notifications queued), each stage timed.
 *
 * Resolve is incremental once a full run stored its parameters: only the
 * refs the feeds brought or changed and the clusters they touch are
 * resolved again, and the result is what a full run with those parameters
 * gives (tests/integration/test_incremental.sh); identities keep their
 * person_ids. Analysis and escalation are still full re-runs; the
 * person_ids resolve touched are where an incremental analysis would look.
 */
#include <joindots/analyse.h>
#include <joindots/concern.h>
#include <joindots/feed.h>
#include <joindots/identity.h>

#include "store/live_ops.h"
#include "store/store.h"

#include <string.h>
#include <time.h>

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int jd_live_escalate(jd_store *s, const jd_live_opts *o, jd_live_stats *st, jd_error *err)
{
    jd_live_opts def = JD_LIVE_OPTS_INIT;
    if (!o)
        o = &def;
    jd_escalate_opts eo = JD_ESCALATE_OPTS_INIT;
    eo.ladder_path = o->ladder_path;
    eo.rules_path = o->rules_path;
    eo.save = true;
    jd_escalate_stats es;
    double t0 = mono();
    int rc = jd_escalate_run(s, JD_AS_OF_NOW, o->now, &eo, &es, err);
    if (st) {
        st->seconds_escalate = mono() - t0;
        if (rc == JD_OK) {
            st->concerns = es.concerns;
            st->escalated = es.auto_steps;
        }
    }
    return rc;
}

int jd_live_resolve(jd_store *s, const jd_live_opts *o, jd_live_stats *st,
                    jd_person_set **touched, jd_error *err)
{
    jd_live_opts def = JD_LIVE_OPTS_INIT;
    jd_live_stats local;
    if (touched)
        *touched = NULL;
    if (!o)
        o = &def;
    if (!st)
        st = &local;
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    if (o->threshold > 0)
        ro.threshold = o->threshold;
    if (o->resolve_max_share > 0)
        ro.incr_max_share = o->resolve_max_share;
    if (o->resolve_mode == JD_LIVE_RESOLVE_AUTO)
        ro.incr_min_refs = 1000; /* a small county: its estimate is no basis, a full run is quick */
    ro.threads = o->threads;
    jd_resolve_stats rs;
    double t0 = mono();
    int rc = JD_ENOTFOUND;
    if (o->resolve_mode != JD_LIVE_RESOLVE_FULL) {
        jd_error e2;
        jd_error_clear(&e2);
        rc = jd_resolve_incremental(s, &ro, &rs, touched, &e2);
        if (rc < 0 && (rc != JD_ENOTFOUND || o->resolve_mode == JD_LIVE_RESOLVE_INCREMENTAL)) {
            if (err)
                *err = e2;
            return rc;
        }
        st->resolve_incremental = rc == JD_OK && !rs.incr_full;
    }
    if (rc == JD_ENOTFOUND) /* no stored parameters yet: the first full run */
        rc = jd_resolve(s, &ro, &rs, err);
    st->seconds_resolve = mono() - t0;
    if (rc < 0)
        return rc;
    st->identities = rs.identities;
    st->resolve_changed_refs = rs.incr_refs;
    st->resolve_scope_refs = rs.incr_component_refs;
    st->resolve_touched = rs.incr_touched;
    const double ph[6] = {rs.seconds_load,  rs.seconds_block,   rs.seconds_estimate,
                          rs.seconds_score, rs.seconds_cluster, rs.seconds_save};
    memcpy(st->seconds_resolve_phase, ph, sizeof ph);
    return JD_OK;
}

int jd_live_update(jd_store *s, const jd_live_opts *o, jd_live_stats *st, jd_error *err)
{
    jd_live_opts def = JD_LIVE_OPTS_INIT;
    jd_live_stats local;
    if (!o)
        o = &def;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    jd_person_set *touched = NULL; /* what an incremental analysis would look at */
    int rc = jd_live_resolve(s, o, st, &touched, err);
    jd_person_set_free(touched);
    if (rc < 0)
        return rc;
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.rules_path = o->rules_path;
    ao.save = true;
    ao.now = o->now;
    jd_analyse_stats as;
    double t0 = mono();
    rc = jd_analyse(s, &ao, NULL, &as, err);
    st->seconds_analyse = mono() - t0;
    if (rc < 0)
        return rc;
    st->alerts = as.alerts;
    st->returns_due = as.returns_due;
    st->returns_interviewed_72h = as.returns_interviewed_72h;
    st->crimes_disclosed = as.crimes_disclosed;
    st->crimes_recorded = as.crimes_recorded;
    return jd_live_escalate(s, o, st, err);
}

int jd_live_generation(jd_store *s, int64_t *analysis, int64_t *identities, jd_error *err)
{
    if (!s || !s->ops->live)
        return jd_error_set(err, JD_EINVALID, "this store has no change counter");
    int64_t a = 0, i = 0;
    int rc = s->ops->live->generation(s, &a, &i, err);
    if (rc == JD_OK) {
        if (analysis)
            *analysis = a;
        if (identities)
            *identities = i;
    }
    return rc;
}
