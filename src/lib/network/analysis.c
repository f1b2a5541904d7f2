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
#include "store/incr_ops.h"

#include <stdlib.h>

#include <string.h>
#include <time.h>


/* The analysis with the networks: on the snapshot S, or with S NULL on
 * nparts partitions (jd_an__run_parts). The network registry as of the
 * run's time; a saved run as of now names new networks and writes it back
 * (network_id.c). */
static int with_networks(jd_snapshot *S, int nparts, jd_store *s, const jd_analyse_opts *opts,
                         FILE *out, jd_analyse_stats *stats, jd_snapshot *keep, jd_error *err)
{
    jd_netreg *R;
    bool write = opts && opts->save && opts->as_of == JD_AS_OF_NOW && (!S || !S->subset);
    int64_t now = opts && opts->now ? opts->now : (int64_t)time(NULL);
    int rc = jd_network__reg_load(&R, s, opts ? opts->as_of : JD_AS_OF_NOW, now, write, err);
    if (rc < 0)
        return rc;
    rc = S ? jd_an__run(S, s, opts, jd_network__detect, R, out, stats, err)
           : jd_an__run_parts(s, opts, nparts, jd_network__detect, R, out, stats, keep, err);
    if (rc == JD_OK)
        rc = jd_network__reg_save(R, s, err);
    jd_network__reg_free(R);
    return rc;
}

int jd_network__analyse(jd_snapshot *S, jd_store *s, const jd_analyse_opts *opts, FILE *out,
                        jd_analyse_stats *stats, jd_error *err)
{
    return with_networks(S, 1, s, opts, out, stats, NULL, err);
}

int jd_network__analyse_parts(jd_store *s, const jd_analyse_opts *opts, int nparts,
                              jd_analyse_stats *stats, jd_snapshot *keep, jd_error *err)
{
    return with_networks(NULL, nparts, s, opts, NULL, stats, keep, err);
}

/* A pass's peak grows by about 0.9 KB an event it holds over a fixed
 * quarter GiB (1M and 3M, docs/internals/analyse.md), and a pass holds
 * about 1.18 / K of the county's events. */
#define PART_FIXED_MB 256
#define PART_KB_PER_EVENT 0.9
#define PART_SHARE 1.18

int jd_analyse_partitions(jd_store *s, const jd_analyse_opts *opts, jd_error *err)
{
    int k = opts ? opts->partitions : 0;
    if (k != JD_PARTITIONS_AUTO)
        return k > 1 ? k : 1;
    jd_store_counts c;
    int rc = jd_store_counts_get(s, &c, err);
    if (rc < 0)
        return rc;
    int64_t mb = opts->memory_mb > 0 ? opts->memory_mb : JD_ANALYSE_MEMORY_MB;
    /* what a pass may hold beyond its fixed part; a budget at or below the
     * fixed part gets the most passes (more budget never gives more passes) */
    if (mb <= PART_FIXED_MB)
        return 64;
    double room = (double)(mb - PART_FIXED_MB);
    double n = PART_SHARE * (double)c.events * PART_KB_PER_EVENT / 1024.0 / room;
    return n <= 1 ? 1 : n >= 64 ? 64 : (int)n + (n > (int)n);
}

int jd_analyse(jd_store *s, const jd_analyse_opts *opts, FILE *out, jd_analyse_stats *stats,
               jd_error *err)
{
    jd_analyse_opts def;
    jd_analyse_stats dummy;
    jd_an__defaults(&opts, &def, &stats, &dummy);
    if (!s)
        return jd_error_set(err, JD_EINVALID, "no store");
    int k = jd_analyse_partitions(s, opts, err);
    if (k < 0)
        return k;
    if (k > 1) /* each pass loads only its persons' events (issue 20) */
        return with_networks(NULL, k, s, opts, out, stats, NULL, err);
    jd_snapshot S;
    jd_snapshot_opts so = {opts->as_of, false, NULL, 0, 0, NULL, 0, false};
    double t0 = jd_secs();
    int rc = jd_snapshot__load(&S, s, &so, err);
    double load = jd_secs() - t0;
    if (rc == JD_OK)
        rc = jd_network__analyse(&S, s, opts, out, stats, err);
    stats->seconds_load = load;
    jd_snapshot__dispose(&S);
    return rc;
}

typedef struct keyset {
    char **k;
    size_t n, cap;
    int rc;
    jd_error *err;
} keyset;

static int key_add(const char *key, void *payload)
{
    keyset *K = payload;
    char *d = strdup(key);
    if (!d || jd_grow((void **)&K->k, &K->cap, K->n + 1, sizeof *K->k) < 0) {
        free(d);
        return K->rc = jd_error_set(K->err, JD_ENOMEM, "out of memory");
    }
    K->k[K->n++] = d;
    return 0;
}

void jd_analyse_keys_free(char **keys, size_t n)
{
    for (size_t i = 0; keys && i < n; i++)
        free(keys[i]);
    free(keys);
}

/* The walked persons' keys, copied out of the snapshot. */
static int walked_keys(const jd_snapshot *S, char ***out, size_t *nout, jd_error *err)
{
    char **v = calloc(S->nwalk + 1, sizeof *v);
    size_t n = 0;
    if (!v)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    for (size_t p = 0; p < S->np; p++)
        if (S->p[p].walk && !(v[n++] = strdup(S->p[p].pid))) {
            jd_analyse_keys_free(v, n);
            return jd_error_set(err, JD_ENOMEM, "out of memory");
        }
    *out = v;
    *nout = n;
    return JD_OK;
}

int jd_analyse_incremental(jd_store *s, const jd_analyse_opts *opts, const char *const *persons,
                           size_t npersons, jd_analyse_stats *stats, jd_error *err)
{
    return jd_analyse_incremental_keys(s, opts, persons, npersons, stats, NULL, NULL, err);
}

int jd_analyse_incremental_keys(jd_store *s, const jd_analyse_opts *opts,
                                const char *const *persons, size_t npersons,
                                jd_analyse_stats *stats, char ***walked, size_t *nwalked,
                                jd_error *err)
{
    jd_incr_input in = {persons, npersons, persons == NULL, false, NULL};
    return jd_analyse_incremental_ex(s, opts, &in, stats, walked, nwalked, err);
}

/* jd_analyse_incremental_ex, with the urgent lane's notes (person key ->
 * why, jd_snapshot.lane) or lane NULL. */
static int incremental_run(jd_store *s, const jd_analyse_opts *opts, const jd_incr_input *in,
                           json_t *lane, jd_analyse_stats *stats, char ***walked,
                           size_t *nwalked, jd_error *err)
{
    if (walked) {
        *walked = NULL;
        *nwalked = 0;
    }
    jd_analyse_stats dummy;
    jd_an__defaults(NULL, NULL, &stats, &dummy);
    if (!s || !opts || !in || !opts->save || opts->as_of != JD_AS_OF_NOW)
        return jd_error_set(err, JD_EINVALID,
                            "an incremental analysis needs a store, what it covers, and saves"
                            " as of now");
    const struct jd_incr_ops *I = s->ops->incr;
    char since[JD_MARK_MAX] = "";
    int rc;
    if (I && (rc = I->mark_get(s, since, err)) < 0)
        return rc;
    if (!I || !since[0]) {
        rc = jd_analyse(s, opts, NULL, stats, err);
        stats->full = true;
        return rc;
    }
    jd_snapshot own;
    memset(&own, 0, sizeof own);
    jd_snapshot *S = &own;
    jd_analysis_kept *kept = NULL; /* the loaded records kept for the escalation (in->keep) */
    if (in->keep) {
        *in->keep = NULL;
        if (!(kept = calloc(1, sizeof *kept)))
            return jd_error_set(err, JD_ENOMEM, "out of memory");
        S = &kept->S;
    }
    keyset K = {NULL, 0, 0, 0, err};
    char mark[JD_MARK_MAX];
    double t0 = jd_secs();
    /* the watermark first: rows stored while this runs are left to the next */
    if ((rc = I->mark_now(s, mark, err)) < 0)
        goto out;
    for (size_t i = 0; in->persons && i < in->npersons; i++)
        if (in->persons[i] && (rc = key_add(in->persons[i], &K)) != 0)
            goto out;
    if (in->since_mark &&
        (rc = I->touched(s, since, !in->identities_known, key_add, &K, err)) != JD_OK) {
        if (K.rc < 0)
            rc = K.rc;
        goto out;
    }
    const char *const *persons = (const char *const *)K.k;
    size_t npersons = K.n;
    stats->touched = (int64_t)npersons;
    stats->seconds_touched = jd_secs() - t0;
    if (npersons == 0) {
        /* nothing changed: nothing to walk. Where every resolved ref was
         * compared with analysis_ref (no touched set from the resolve run,
         * or one that does not cover a full resolve since) and the store
         * moved on since the watermark, the analysis as saved is that of
         * now: the watermark says so (an empty run, no alert changed), or
         * every later feed compares every ref again until one touches
         * someone (a nightly resolve that changed no one) */
        if (in->since_mark && !in->identities_known && strcmp(mark, since) != 0)
            rc = I->alerts_patch(s, NULL, 0, NULL, 0, 0, mark, err);
        goto out;
    }
    t0 = jd_secs();
    jd_snapshot_opts so = {JD_AS_OF_NOW, false, persons, npersons, 2, NULL, 0, false};
    if ((rc = jd_snapshot__load(S, s, &so, err)) < 0)
        goto out;
    /* persons named by the caller do not cover everything since the
     * watermark: it stays for the next run to find the rest */
    if (in->since_mark)
        memcpy(S->mark, mark, sizeof mark);
    S->lane = lane;
    double load = jd_secs() - t0;
    int64_t touched = stats->touched;
    double st = stats->seconds_touched;
    rc = jd_an__run(S, s, opts, NULL, NULL, NULL, stats, err);
    stats->seconds_load = load;
    stats->touched = touched;
    stats->seconds_touched = st;
    stats->walked = (int64_t)S->nwalk;
    if (rc == JD_OK && walked)
        rc = walked_keys(S, walked, nwalked, err);
out:
    if (kept && rc == JD_OK && S->nwalk) {
        *in->keep = kept; /* the caller's now (jd_analysis_kept_free) */
    } else {
        jd_snapshot__dispose(S);
        free(kept);
    }
    for (size_t i = 0; i < K.n; i++)
        free(K.k[i]);
    free(K.k);
    return rc;
}

int jd_analyse_incremental_ex(jd_store *s, const jd_analyse_opts *opts, const jd_incr_input *in,
                              jd_analyse_stats *stats, char ***walked, size_t *nwalked,
                              jd_error *err)
{
    return incremental_run(s, opts, in, NULL, stats, walked, nwalked, err);
}

void jd_analysis_kept_free(jd_analysis_kept *k)
{
    if (!k)
        return;
    jd_snapshot__dispose(&k->S);
    free(k);
}

/* ---- the urgent-call fast path ---- */

typedef struct urgent {
    jd_screener *scr;
    keyset K;
    int64_t last_ev;
    bool last_urgent;
    json_t *why;  /* the last event's first trigger: rule, name, phrase, event type */
    json_t *lane; /* person key -> the lane's note for its alerts */
    int64_t events, urgent_events;
    int rc;
} urgent;

static int trig_found(const jd_finding *f, void *payload)
{
    json_t **why = payload;
    /* a bypass trigger of the catalogue (T1 offence, T2 held...): the first */
    if (!*why && f->rule && f->rule[0] == 'T' && f->rule[1] >= '0' && f->rule[1] <= '9')
        *why = json_pack("{s:s,s:s?,s:s?}", "rule", f->rule, "trigger", f->name, "matched",
                         f->why);
    return 0;
}

/* The lane's note on the alerts of `key` (an identity's person_id, or
 * "U:agency:ref" for a ref no resolve has placed yet): how they came, why,
 * and where the identity stands. */
static int lane_note(urgent *U, const char *key)
{
    if (json_object_get(U->lane, key))
        return 0;
    bool pending = !strncmp(key, "U:", 2);
    json_t *n = json_pack(
        "{s:s,s:O,s:s,s:s}", "lane", "urgent", "why", U->why, "identity",
        pending ? "pending" : "stored", "note",
        pending ? "raised before the feed was resolved, on the call's ref alone (no stored "
                  "identity holds it yet); the feed's incremental run places the ref and "
                  "replaces this alert with its identity's"
                : "raised before the feed was resolved, on the stored identity of the call's "
                  "ref; the feed's incremental run analyses it again with the rest");
    if (!n || json_object_set_new(U->lane, key, n) < 0)
        return U->rc = jd_error_set(U->K.err, JD_ENOMEM, "out of memory");
    return 0;
}

static int urgent_row(int64_t ev, const char *type, const char *narrative, const char *key,
                      void *payload)
{
    urgent *U = payload;
    if (ev != U->last_ev) {
        U->last_ev = ev;
        U->events++;
        json_decref(U->why);
        U->why = NULL;
        jd_screen_input in = {type, narrative, -1, false, false};
        jd_error e2;
        jd_error_clear(&e2);
        int rc = jd_screener_run(U->scr, &in, trig_found, &U->why, &e2);
        if (rc == JD_ENOMEM)
            return U->rc = jd_error_set(U->K.err, JD_ENOMEM, "out of memory");
        U->last_urgent = U->why != NULL;
        if (U->why)
            json_object_set_new(U->why, "event_type", json_string(type ? type : ""));
        U->urgent_events += U->last_urgent;
    }
    if (!U->last_urgent)
        return 0;
    int rc = lane_note(U, key);
    return rc ? rc : key_add(key, &U->K);
}

int jd_analyse_urgent_keys(jd_store *s, const jd_analyse_opts *opts, jd_analyse_stats *stats,
                           char ***walked, size_t *nwalked, jd_error *err)
{
    jd_analyse_stats dummy;
    jd_an__defaults(NULL, NULL, &stats, &dummy);
    if (walked) {
        *walked = NULL;
        *nwalked = 0;
    }
    if (!s || !opts || !opts->save || opts->as_of != JD_AS_OF_NOW)
        return jd_error_set(err, JD_EINVALID, "the urgent pass needs a store and saves as of now");
    const struct jd_incr_ops *I = s->ops->incr;
    char since[JD_MARK_MAX] = "";
    int rc;
    if (!I || !I->touched_events)
        return JD_OK; /* no fast path: the full update comes next */
    if ((rc = I->mark_get(s, since, err)) < 0 || !since[0])
        return rc;
    urgent U;
    memset(&U, 0, sizeof U);
    U.K.err = err;
    U.last_ev = -1;
    double t0 = jd_secs();
    if (!(U.lane = json_object()))
        return jd_oom(err);
    if ((rc = jd_screener_open_model(&U.scr, opts->rules_path, opts->screen_model, err)) < 0) {
        json_decref(U.lane);
        return rc;
    }
    rc = I->touched_events(s, since, "call_handling,police", urgent_row, &U, err);
    jd_screener_close(U.scr);
    if (U.rc < 0 || U.K.rc < 0)
        rc = U.rc < 0 ? U.rc : U.K.rc;
    double found = jd_secs() - t0;
    json_decref(U.why);
    jd_incr_input in = {(const char *const *)U.K.k, U.K.n, false, false, NULL};
    if (rc == JD_OK && U.K.n)
        rc = incremental_run(s, opts, &in, U.lane, stats, walked, nwalked, err);
    json_decref(U.lane);
    stats->seconds_touched = found;
    for (size_t i = 0; i < U.K.n; i++)
        free(U.K.k[i]);
    free(U.K.k);
    return rc;
}
