/*
 * Keeping the analysis current after feeds land (issue 17 item 2): resolve,
 * analyse (alerts saved), then the escalation engine (concerns opened and
 * risen, notifications queued), each stage timed.
 *
 * Resolve is incremental once a full run stored its parameters: only the
 * refs the feeds brought or changed and the clusters they touch are
 * resolved again, and the result is what a full run with those parameters
 * gives (tests/integration/test_resolve_incremental.sh); identities keep
 * their person_ids, alerts their ids. With opts.incremental the analysis is
 * incremental too (jd_analyse_incremental_ex: only the persons the feeds
 * touched, given by the incremental resolve's touched set, gone person_ids
 * included, and whoever shares an event with them, their alerts replaced in
 * place; networks stay as the last full run found them), then the
 * escalation engine over the persons it walked; an urgent call's child is
 * analysed and escalated before all of it. Without opts.incremental the
 * analysis is a full re-run, by construction what a batch run on the same
 * data gives.
 */
#include <joindots/analyse.h>
#include <joindots/concern.h>
#include <joindots/feed.h>
#include <joindots/identity.h>

#include "util/internal.h"
#include "store/incr_ops.h"
#include "store/live_ops.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>


/* The escalation engine, over everyone (persons NULL) or over some. */
static int escalate(jd_store *s, const jd_live_opts *o, const char *const *persons, size_t n,
                    const jd_analysis_kept *kept, jd_live_stats *st, jd_error *err)
{
    jd_live_opts def = JD_LIVE_OPTS_INIT;
    if (!o)
        o = &def;
    jd_escalate_opts eo = JD_ESCALATE_OPTS_INIT;
    eo.ladder_path = o->ladder_path;
    eo.rules_path = o->rules_path;
    eo.save = true;
    eo.persons = persons;
    eo.npersons = n;
    eo.kept = kept;
    jd_escalate_stats es;
    double t0 = jd_secs();
    int rc = jd_escalate_run(s, JD_AS_OF_NOW, o->now, &eo, &es, err);
    if (st) {
        st->seconds_escalate = jd_secs() - t0;
        if (rc == JD_OK) {
            st->concerns = es.concerns;
            st->escalated = es.auto_steps;
        }
    }
    return rc;
}

int jd_live_resolve(jd_store *s, const jd_live_opts *o, jd_live_stats *st, jd_person_set **touched,
                    jd_error *err)
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
    ro.incr_hops = o->resolve_hops > 0 ? o->resolve_hops : 0;
    ro.incr_no_checks = true; /* the scoped load's checks are for resolve --incremental */
    ro.resident = o->resident;
    ro.before_write = o->before_write;
    ro.before_write_arg = o->before_write_arg;
    jd_resolve_stats rs;
    double t0 = jd_secs();
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
    st->seconds_resolve = jd_secs() - t0;
    if (rc < 0)
        return rc;
    st->identities = rs.identities;
    st->resolve_changed_refs = rs.incr_refs;
    st->resolve_scope_refs = rs.incr_component_refs;
    st->resolve_touched = rs.incr_touched;
    const double ph[6] = {rs.seconds_load,  rs.seconds_block,   rs.seconds_estimate,
                          rs.seconds_score, rs.seconds_cluster, rs.seconds_save};
    memcpy(st->seconds_resolve_phase, ph, sizeof ph);
    const double cp[9] = {rs.cpu_load,  rs.cpu_incr_old,     rs.cpu_block,
                          rs.cpu_estimate, rs.cpu_score,  rs.cpu_incr_walk,
                          rs.cpu_cluster, rs.cpu_identities, rs.cpu_save};
    memcpy(st->cpu_resolve_phase, cp, sizeof cp);
    return JD_OK;
}

/* The urgent lane's open concerns on refs since placed, reconciled from the
 * store (jd_escalate_placed_open) after an escalation, even one that failed
 * (rc < 0: its error kept). */
static int placed_open(jd_store *s, const jd_live_opts *o, jd_live_stats *st, int rc,
                       jd_error *err)
{
    jd_error mine;
    jd_error_clear(&mine);
    int64_t np = 0;
    int r2 = jd_escalate_placed_open(s, o ? o->now : 0, &np, rc < 0 ? &mine : err);
    if (st)
        st->urgent_placed = np;
    return rc < 0 ? rc : r2;
}

int jd_live_escalate(jd_store *s, const jd_live_opts *o, jd_live_stats *st, jd_error *err)
{
    return placed_open(s, o, st, escalate(s, o, NULL, 0, NULL, st, err), err);
}

/* Does the touched set name every identity changed since the last saved
 * analysis? Yes when the analysis read the identities of the run the set
 * started from (the last field of its watermark), or of an earlier one with
 * only incremental runs that changed nothing between (a feed that touched
 * no one saves no analysis), and the set's run is the store's latest: no
 * other resolve run (a nightly full one) came between. */
static int touched_covers(jd_store *s, const jd_person_set *touched, bool *out, jd_error *err)
{
    *out = false;
    const struct jd_incr_ops *I = s->ops->incr;
    if (!I || !I->mark_resolve_run || !I->resolve_changed || touched->full || !touched->run_id ||
        !touched->since_run)
        return JD_OK;
    int64_t seen = 0, latest = 0;
    bool between = true;
    int rc = I->mark_resolve_run(s, &seen, err);
    if (rc == JD_OK)
        rc = s->ops->identity_generation(s, &latest, err);
    if (rc == JD_OK && seen && seen <= touched->since_run && latest == touched->run_id)
        rc = I->resolve_changed(s, seen, touched->since_run, &between, err);
    *out = rc == JD_OK && !between;
    return rc;
}

int jd_live_analyse_touched(jd_store *s, const jd_analyse_opts *ao, const jd_person_set *touched,
                            jd_analyse_stats *as, char ***walked, size_t *nwalked,
                            jd_analysis_kept **kept, jd_error *err)
{
    if (!touched) {
        jd_incr_input all = {NULL, 0, true, false, kept};
        return jd_analyse_incremental_ex(s, ao, &all, as, walked, nwalked, err);
    }
    if (!s)
        return jd_error_set(err, JD_EINVALID, "no store");
    bool known = false;
    int rc = touched_covers(s, touched, &known, err);
    if (rc < 0)
        return rc;
    const char **keys = NULL;
    if (touched->n && !(keys = malloc(touched->n * sizeof *keys)))
        return jd_oom(err);
    for (size_t i = 0; i < touched->n; i++)
        keys[i] = touched->v[i].person_id;
    /* identities_known only when the set covers every resolve run since the
     * last analysis; otherwise (a full `joindots resolve` ran since, or the
     * analysis never recorded its run) the store compares every resolved
     * ref with what the last analysis saw (analysis_ref). The touched
     * persons are walked either way. */
    jd_incr_input in = {keys, touched->n, true, known, kept};
    rc = jd_analyse_incremental_ex(s, ao, &in, as, walked, nwalked, err);
    if (as)
        as->identities_known = known && rc == JD_OK && !as->full;
    free(keys);
    return rc;
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
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.rules_path = o->rules_path;
    ao.save = true;
    ao.now = o->now;
    jd_analyse_stats as;
    double t0 = jd_secs();
    int rc;
    char **uw = NULL; /* the urgent lane's keys, placed after the update */
    size_t nuw = 0;
    if (o->incremental) {
        /* an urgent call first: its child's alert and escalation before the
         * rest of the feed is resolved and analysed */
        rc = jd_analyse_urgent_keys(s, &ao, &as, &uw, &nuw, err);
        st->seconds_urgent_screen = as.seconds_touched;
        st->seconds_urgent_analyse = jd_secs() - t0 - as.seconds_touched;
        st->urgent_walked = (int64_t)nuw;
        t0 = jd_secs();
        if (rc == JD_OK && nuw) {
            jd_live_stats es;
            memset(&es, 0, sizeof es);
            rc = escalate(s, o, (const char *const *)uw, nuw, NULL, &es, err);
        }
        st->seconds_urgent_escalate = jd_secs() - t0;
        if (rc < 0) {
            jd_analyse_keys_free(uw, nuw);
            return rc;
        }
    }
    jd_person_set *touched = NULL; /* NULL after a plain full run: any may have changed */
    rc = jd_live_resolve(s, o, st, &touched, err);
    if (rc < 0) {
        jd_analyse_keys_free(uw, nuw);
        return rc;
    }
    t0 = jd_secs();
    char **walked = NULL;
    size_t nwalked = 0;
    jd_analysis_kept *kept = NULL; /* its records, for the escalation over its walked */
    rc = o->incremental
             ? jd_live_analyse_touched(s, &ao, touched, &as, &walked, &nwalked, &kept, err)
             : jd_analyse(s, &ao, NULL, &as, err);
    jd_person_set_free(touched);
    st->seconds_analyse = jd_secs() - t0;
    st->touched = as.touched;
    st->walked = as.walked;
    st->seconds_touched = as.seconds_touched;
    st->seconds_load = as.seconds_load;
    st->analyse_full = !o->incremental || as.full;
    st->analyse_identities_known = o->incremental && as.identities_known;
    if (rc < 0) {
        jd_analyse_keys_free(walked, nwalked);
        jd_analyse_keys_free(uw, nuw);
        jd_analysis_kept_free(kept);
        return rc;
    }
    st->alerts = as.alerts;
    st->returns_due = as.returns_due;
    st->returns_interviewed_72h = as.returns_interviewed_72h;
    st->crimes_disclosed = as.crimes_disclosed;
    st->crimes_recorded = as.crimes_recorded;
    /* after an incremental analysis, the engine over the persons it walked
     * (none walked: nothing changed, nothing to escalate) */
    if (st->analyse_full)
        rc = jd_live_escalate(s, o, st, err);
    else if (nwalked)
        rc = escalate(s, o, (const char *const *)walked, nwalked, kept, st, err);
    jd_analyse_keys_free(walked, nwalked);
    jd_analysis_kept_free(kept);
    /* the urgent lane's concerns on refs the resolve has placed since (the
     * store's open ones, not only this lane's): carried on by their
     * identities' concerns; jd_live_escalate did so after a full run */
    if (!st->analyse_full)
        rc = placed_open(s, o, st, rc, err);
    jd_analyse_keys_free(uw, nuw);
    return rc;
}

int jd_live_behind(jd_store *s, bool *behind, jd_error *err)
{
    *behind = false;
    if (!s)
        return jd_error_set(err, JD_EINVALID, "no store");
    const struct jd_incr_ops *I = s->ops->incr;
    if (!I || !I->resolve_mark_get || !I->resolve_mark_now || !I->mark_get || !I->mark_now)
        return JD_OK;
    char was[JD_MARK_MAX], now[JD_MARK_MAX];
    int rc = I->resolve_mark_get(s, was, err);
    if (rc == JD_OK && was[0] && (rc = I->resolve_mark_now(s, now, err)) == JD_OK &&
        strcmp(was, now))
        *behind = true;
    if (rc == JD_OK && !*behind && (rc = I->mark_get(s, was, err)) == JD_OK && was[0] &&
        (rc = I->mark_now(s, now, err)) == JD_OK && strcmp(was, now))
        *behind = true;
    return rc;
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
