/*
 * The always-current server (issue 17 item 3). One thread, beside the
 * request workers, with a store handle of its own:
 *
 *  - every check_ms it reads the store's change counter (the last analysis
 *    and resolve runs, jd_live_generation); when it moved (an update here,
 *    or `joindots analyse` / `resolve` / `watch` run elsewhere), it builds
 *    the new alerts, board and person index aside and swaps them in under
 *    idx_lock held for writing. Requests hold idx_lock for reading while
 *    they run, so each sees the old state or the new one, never half;
 *  - it ingests ready bundles of the drop folder (--feeds DIR), and after
 *    feeds landed (there or by upload, feeds.c) brings identities, alerts
 *    and concerns up to date (jd_live_update: resolve, analyse, escalation);
 *    an update that failed is tried again with a back-off (retry_note);
 *  - it runs the escalation engine every escalate_every_s seconds, so
 *    rises on overdue concerns do not wait for someone to type a command.
 *
 * Writes by this thread and by feed uploads take write_mu one stage at a
 * time, so an upload waits at most for the stage in hand. The urgent lane
 * comes first: the live thread scans the drop folder and runs the urgent
 * lane (through a store handle of its own, lane_store) while the update
 * after a feed runs on the background lane, whose stages wait at the gate
 * while the live thread wants write_mu; the feed's resolve holds write_mu
 * only for its save (jd_resolve_opts.before_write), so an urgent call that
 * lands during a 5,000-event update waits at most for the stage in hand's
 * writes, not for the update.
 */
#include "server_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* CPU of the calling thread (the live thread: the machine's load aside). */
static double cpu_now(void)
{
    return jd_thread_cpu();
}

static void log_err(const char *what, const jd_error *err)
{
    fprintf(stderr, "joindots serve: %s: %s\n", what, err->msg[0] ? err->msg : "failed");
}

/* The board's equality monitoring brought up to date once the alerts it
 * counts are shown (jd_api_build copied the old one: reading every child's
 * ethnicity is half of a reload after an urgent call on the 1M-event
 * county); `alerts` and `board` as swapped in (references held). The board
 * is replaced by a copy with the new monitoring, unless it moved meanwhile. */
static void equality_after(jd_server *srv, jd_store *s, json_t *alerts, json_t *board)
{
    jd_error err;
    jd_error_clear(&err);
    double t0 = jd_srv_secs(), c0 = cpu_now();
    json_t *eq = jd_api_equality(s, alerts, &err);
    json_t *nb = eq ? json_deep_copy(board) : NULL;
    if (!nb || json_object_set_new(nb, "equality_monitoring", eq) < 0) {
        if (!nb)
            json_decref(eq);
        json_decref(nb);
        log_err("cannot bring the equality monitoring up to date", &err);
        return;
    }
    json_t *old = NULL;
    pthread_rwlock_wrlock(&srv->idx_lock);
    if (srv->board == board) {
        old = srv->board;
        srv->board = nb;
        nb = NULL;
    }
    pthread_rwlock_unlock(&srv->idx_lock);
    json_decref(old);
    json_decref(nb);
    fprintf(stderr, "joindots serve: the board's equality monitoring in %.2f s (cpu %.2f s)\n",
            jd_srv_secs() - t0, cpu_now() - c0);
}

/* JD_LIVE_CHECK_PATCH set (tests): the patched alerts and board compared
 * with what a full read builds from the same store, byte for byte. */
static void patch_check(jd_store *s, const jd_analyse_stats *known, const json_t *prev_board,
                        const json_t *alerts, const json_t *board)
{
    if (!getenv("JD_LIVE_CHECK_PATCH") || !alerts)
        return;
    jd_error err;
    jd_error_clear(&err);
    json_t *fa = NULL, *fb = NULL;
    if (jd_api_build(s, known, prev_board, NULL, 0, &fa, &fb, &err) < 0) {
        log_err("patch check: cannot read the alerts", &err);
        return;
    }
    size_t f = JSON_SORT_KEYS | JSON_COMPACT;
    char *d[4] = {json_dumps(alerts, f), json_dumps(fa, f), json_dumps(board, f),
                  json_dumps(fb, f)};
    bool same = d[0] && d[1] && d[2] && d[3] && !strcmp(d[0], d[1]) && !strcmp(d[2], d[3]);
    fprintf(stderr, "joindots serve: patch check: %zu alerts, %s a full reload\n",
            json_array_size(alerts), same ? "equal to" : "DIFFERENT FROM");
    for (int i = 0; i < 4; i++)
        free(d[i]);
    json_decref(fa);
    json_decref(fb);
}

/* JD_LIVE_CHECK_PATCH set (tests): a patched person index compared with
 * the one a full build gives from the same store. */
static void index_check(const jd_person_index *x, jd_store *s)
{
    jd_error err;
    jd_error_clear(&err);
    jd_person_index *full = NULL;
    if (jd_person_index_open(&full, s, &err) < 0) {
        fprintf(stderr, "joindots serve: the patched person index check: cannot build a full one: %s\n",
                err.msg);
        return;
    }
    fprintf(stderr, "joindots serve: the patched person index: %zu persons, %s a full build\n",
            jd_person_index_size(x), jd_person_index_equal(x, full) ? "equal to" : "DIFFERENT FROM");
    jd_person_index_close(full);
}

int jd_server_index_next(jd_server *srv, jd_store *s, int64_t gen, jd_person_index **out,
                          size_t *patched, jd_error *err)
{
    if (patched)
        *patched = SIZE_MAX;
    /* srv->index and idx_gen change only under idx_build_mu, held */
    if (!srv->index || getenv("JD_INDEX_REBUILD"))
        return jd_person_index_open(out, s, err);
    int rc = jd_person_index_patch(srv->index, s, srv->idx_gen, gen, out, patched, err);
    if (rc == JD_OK && getenv("JD_LIVE_CHECK_PATCH"))
        index_check(*out, s);
    return rc;
}

/* Reload what readers see when the change counter moved, reading s (the
 * calling thread's handle). `known`: the counts of the analysis this thread
 * just ran, or NULL. Called with idx_build_mu held: the index is built
 * under it, as index_acquire (server.c) builds it, so the two never build
 * it twice at once (nor the live thread and the update's lane). */
static void test_hold(const char *env, const char *where);

static void reload_locked(jd_server *srv, jd_store *s, const jd_analyse_stats *known)
{
    jd_error err;
    jd_error_clear(&err);
    int64_t an = 0, ids = 0;
    if (jd_live_generation(s, &an, &ids, &err) < 0)
        return;
    pthread_rwlock_rdlock(&srv->idx_lock);
    bool stale_alerts = an != srv->loaded_analysis;
    bool stale_index = ids != srv->idx_gen;
    pthread_rwlock_unlock(&srv->idx_lock);
    if (!stale_alerts && !stale_index)
        return;
    double t0 = jd_srv_secs(), c0 = cpu_now();
    json_t *alerts = NULL, *board = NULL;
    jd_person_index *ni = NULL;
    size_t patched = SIZE_MAX;
    if (stale_index && jd_server_index_next(srv, s, ids, &ni, &patched, &err) < 0) {
        log_err("cannot reload the person index", &err);
        ni = NULL;
    }
    /* the board shown so far: only this thread replaces it */
    pthread_rwlock_rdlock(&srv->idx_lock);
    json_t *prev_board = json_incref(srv->board);
    json_t *prev_alerts = json_incref(srv->alerts); /* patched: loaded at loaded_analysis */
    int64_t since = srv->loaded_analysis;
    pthread_rwlock_unlock(&srv->idx_lock);
    int brc = stale_alerts ? jd_api_build(s, known, prev_board, prev_alerts, since, &alerts,
                                          &board, &err)
                           : JD_OK;
    json_decref(prev_alerts);
    if (brc < 0) {
        log_err("cannot reload the alerts", &err);
        alerts = board = NULL;
    }
    patch_check(s, known, prev_board, alerts, board);
    /* the alert view (the queue's sorts, names from the index) built aside
     * too: srv->alerts, index and idx_gen change only under idx_build_mu */
    alert_view *nv = NULL, *old_view = NULL;
    if (alerts || ni)
        nv = jd_alert_view_build(alerts ? alerts : srv->alerts, ni ? ni : srv->index,
                                 ni ? ids : srv->idx_gen);
    json_t *old_alerts = NULL, *old_board = NULL;
    jd_person_index *old_index = NULL;
    /* tests: all built, the swap waits (test_serve_sec: the convoy) */
    test_hold("JD_LIVE_TEST_HOLD_SWAP", "before the swap of what readers see");
    pthread_rwlock_wrlock(&srv->idx_lock);
    if (alerts) {
        old_alerts = srv->alerts;
        old_board = srv->board;
        srv->alerts = alerts;
        srv->board = board;
        srv->loaded_analysis = an;
    }
    if (ni) {
        old_index = srv->index;
        srv->index = ni;
        srv->idx_gen = ids;
    }
    /* references for the equality's pass: the swap's may go meanwhile */
    json_t *eq_alerts = prev_board && alerts ? json_incref(alerts) : NULL;
    json_t *eq_board = eq_alerts ? json_incref(board) : NULL;
    if (alerts || ni)
        old_view = jd_alert_view_swap(srv, nv); /* NULL (out of memory): built on demand */
    pthread_rwlock_unlock(&srv->idx_lock);
    jd_alert_view_free(old_view);
    json_decref(old_alerts);
    json_decref(old_board);
    jd_person_index_close(old_index);
    if (alerts)
        atomic_fetch_add(&srv->reloads, 1);
    char how[64] = "";
    if (ni && patched != SIZE_MAX)
        snprintf(how, sizeof how, " (%zu identities patched)", patched);
    fprintf(stderr, "joindots serve: reloaded%s%s%s in %.2f s (cpu %.2f s; analysis run %lld)\n",
            alerts ? " the alerts and the board" : "",
            ni ? (alerts ? " and the persons" : " the persons") : "", how, jd_srv_secs() - t0,
            cpu_now() - c0, (long long)an);
    if (eq_alerts)
        equality_after(srv, s, eq_alerts, eq_board);
    json_decref(eq_alerts);
    json_decref(eq_board);
    json_decref(prev_board);
}

static void reload_if_changed(jd_server *srv, jd_store *s, const jd_analyse_stats *known)
{
    pthread_mutex_lock(&srv->idx_build_mu);
    reload_locked(srv, s, known);
    pthread_mutex_unlock(&srv->idx_build_mu);
}

/* ---- write_mu, the urgent lane first ---- */

/* The gate, then write_mu, then the gate again: the live thread may have
 * turned urgent_want on between the two (its scan), and a stage that took
 * write_mu then would move the analysis watermark past the new call before
 * the urgent lane reads it (latency, not loss). Then write_mu goes back and
 * the stage waits at the gate. No deadlock: the live thread never holds
 * gate_mu while it waits for write_mu. */
static void test_hold(const char *env, const char *where);

/* jd_write_lock; hold_env (tests, NULL: none) names the test hold between
 * the gate and write_mu (JD_LIVE_TEST_HOLD_GATE: the update's analysis). */
static void write_lock_at(jd_server *srv, const char *hold_env)
{
    for (;;) {
        pthread_mutex_lock(&srv->gate_mu);
        while (srv->urgent_want)
            pthread_cond_wait(&srv->gate_cv, &srv->gate_mu);
        pthread_mutex_unlock(&srv->gate_mu);
        if (hold_env)
            test_hold(hold_env, "past the gate, before write_mu");
        pthread_mutex_lock(&srv->write_mu);
        pthread_mutex_lock(&srv->gate_mu);
        bool passed = !srv->urgent_want;
        pthread_mutex_unlock(&srv->gate_mu);
        if (passed)
            return;
        pthread_mutex_unlock(&srv->write_mu);
        fprintf(stderr, "joindots serve: a write stage waits at the gate again: the urgent lane "
                        "came first\n");
    }
}

void jd_write_lock(jd_server *srv)
{
    write_lock_at(srv, NULL);
}

void jd_write_unlock(jd_server *srv)
{
    pthread_mutex_unlock(&srv->write_mu);
}

/* The live thread wants write_mu (on) or no longer (off): while it does,
 * the update's next stage and uploads wait (one already holding write_mu
 * finishes its stage first). */
static void urgent_want(jd_server *srv, bool on)
{
    pthread_mutex_lock(&srv->gate_mu);
    srv->urgent_want = on;
    if (!on)
        pthread_cond_broadcast(&srv->gate_cv);
    pthread_mutex_unlock(&srv->gate_mu);
}

/* The board's counts of the last full analysis, for a reload (NULL: none). */
static const jd_analyse_stats *counts_copy(jd_server *srv, jd_analyse_stats *out)
{
    pthread_mutex_lock(&srv->gate_mu);
    bool ok = srv->live_counts_ok;
    if (ok)
        *out = srv->live_counts;
    pthread_mutex_unlock(&srv->gate_mu);
    return ok ? out : NULL;
}

static void counts_set(jd_server *srv, const jd_analyse_stats *as)
{
    pthread_mutex_lock(&srv->gate_mu);
    srv->live_counts = *as;
    srv->live_counts_ok = true;
    pthread_mutex_unlock(&srv->gate_mu);
}

static void on_feed(const char *agency, const char *name, const jd_feed_result *r, void *payload)
{
    (void)payload;
    if (r->resumed)
        fprintf(stderr,
                "joindots serve: feed %lld %s/%s: stored before; its move out of the drop "
                "folder, cut short, finished\n",
                (long long)r->id, agency, name);
    else if (r->accepted)
        fprintf(stderr,
                "joindots serve: feed %lld %s/%s ingested in %.3f s (cpu %.3f s): %lld rows, %lld "
                "new, %lld updated\n",
                (long long)r->id, agency, name, r->seconds, r->cpu_seconds,
                (long long)r->counts.read,
                (long long)r->counts.stored, (long long)r->counts.updated);
    else
        fprintf(stderr, "joindots serve: feed %lld %s/%s rejected whole: %s\n", (long long)r->id,
                agency, name, r->reason);
}

/* The escalation engine over some persons, under write_mu, through s: the
 * live thread's (the urgent lane, which wants write_mu already) or the
 * update's lane's (after the gate). */
static int escalate_some(jd_server *srv, jd_store *s, char **keys, size_t n,
                         const jd_analysis_kept *kept, const int64_t *kept_gen, jd_error *err)
{
    bool lane = s == srv->lane_store;
    if (!n)
        return JD_OK;
    jd_escalate_opts eo = JD_ESCALATE_OPTS_INIT;
    eo.save = true;
    eo.persons = (const char *const *)keys;
    eo.npersons = n;
    eo.kept = kept;
    jd_escalate_stats es;
    if (lane)
        pthread_mutex_lock(&srv->write_mu);
    else
        jd_write_lock(srv);
    /* the kept records are the analysis's as the store was when it ran
     * (kept_gen: the change counter then, under write_mu); a resolve or
     * analysis since (the urgent lane between the two locks) makes them
     * stale: the persons' records are loaded again */
    int64_t an = 0, ids = 0;
    jd_error ge;
    jd_error_clear(&ge);
    if (kept && (!kept_gen || jd_live_generation(s, &an, &ids, &ge) < 0 || an != kept_gen[0] ||
                 ids != kept_gen[1])) {
        eo.kept = NULL;
        fprintf(stderr, "joindots serve: the escalation loads its records again: the store "
                        "moved since the analysis kept them\n");
    }
    int rc = jd_escalate_run(s, JD_AS_OF_NOW, 0, &eo, &es, err);
    pthread_mutex_unlock(&srv->write_mu);
    return rc;
}

/* The urgent-call fast path (--incremental): the feed's urgent records'
 * persons analysed and escalated, and what readers see reloaded, before
 * the feed is resolved, through the live thread's handle. Called with
 * urgent_want on (the caller's scan took it): it is turned off before the
 * reload, which waits for idx_build_mu (the update's lane may hold it
 * while it reloads, and waits at the gate while urgent_want is on). Their
 * concerns on refs are placed after the update (placed: from the store, so
 * a restart between loses none). */
static void urgent_first(jd_server *srv, double landed_at, bool beside)
{
    jd_error err;
    jd_error_clear(&err);
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    jd_analyse_stats us;
    char **keys = NULL;
    size_t n = 0;
    double t0 = jd_srv_secs(), c0 = cpu_now();
    pthread_mutex_lock(&srv->write_mu);
    int rc = jd_analyse_urgent_keys(srv->lane_store, &ao, &us, &keys, &n, &err);
    pthread_mutex_unlock(&srv->write_mu);
    double t1 = jd_srv_secs(), c1 = cpu_now();
    if (rc == JD_OK)
        rc = escalate_some(srv, srv->lane_store, keys, n, NULL, NULL, &err);
    jd_analyse_keys_free(keys, n);
    urgent_want(srv, false);
    if (rc < 0 || !n) {
        if (rc < 0)
            log_err("urgent calls first", &err);
        return;
    }
    double t2 = jd_srv_secs(), c2 = cpu_now();
    jd_analyse_stats counts;
    reload_if_changed(srv, srv->lane_store, counts_copy(srv, &counts));
    fprintf(stderr,
            "joindots serve: urgent calls first: %zu persons, screened in %.2f s, analysed in "
            "%.2f s, escalated in %.2f s, visible in %.2f s (cpu: analysed %.2f s, escalated "
            "%.2f s, with the reload %.2f s); %.2f s after the scan began%s\n",
            n, us.seconds_touched, t1 - t0 - us.seconds_touched, t2 - t1, jd_srv_secs() - t0, c1 - c0,
            c2 - c1, cpu_now() - c0, jd_srv_secs() - landed_at,
            beside ? ", beside the update in hand" : "");
}

/* The urgent lane's open concerns on refs since placed, reconciled from the
 * store (jd_escalate_placed_open; jd_live_escalate does so itself). */
static void placed(jd_server *srv, bool reconcile, int64_t np)
{
    jd_error err;
    jd_error_clear(&err);
    int rc = JD_OK;
    if (reconcile) {
        jd_write_lock(srv);
        rc = jd_escalate_placed_open(srv->live_store, 0, &np, &err);
        jd_write_unlock(srv);
    }
    if (rc < 0)
        log_err("urgent calls placed", &err);
    else if (np)
        fprintf(stderr,
                "joindots serve: urgent calls placed: %lld concerns on a call's ref carried on "
                "by its identity's\n",
                (long long)np);
}

/* The feed's resolve by phase, in CPU seconds (all threads), and what the
 * resident mentions (--resident) read. */
static void resolve_line(jd_server *srv, const jd_live_stats *rs)
{
    const double *c = rs->cpu_resolve_phase;
    fprintf(stderr,
            "joindots serve: resolve cpu by phase: load %.2f, fingerprints and stored identities "
            "%.2f, block %.2f, estimate %.2f, score %.2f, scope walk %.2f, cluster %.2f, "
            "identities %.2f, save %.2f s\n",
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
    const jd_resolve_resident_stats *r = jd_resolve_resident_stats_of(srv->resident);
    if (r)
        fprintf(stderr,
                "joindots serve: resident mentions: %lld kept (%.0f MB), %lld refs and %lld "
                "mentions read from the store in %.2f s cpu (reads of everything %lld, "
                "brought up to date %lld); stored identities: %lld rows kept (%.0f MB), read "
                "%lld times, used as kept %lld times; blocking keys: %lld kept (%.0f MB), used "
                "%lld times; built refs: kept (%.0f MB), taken %lld times, the last run built "
                "%lld again (-1: all)\n",
                (long long)r->rows, (double)r->bytes / 1048576.0, (long long)r->refs_read,
                (long long)r->rows_read, r->cpu_refresh, (long long)r->fills,
                (long long)r->refreshes, (long long)r->ids_rows,
                (double)r->ids_bytes / 1048576.0, (long long)r->ids_reads,
                (long long)r->ids_kept_runs, (long long)r->keys_entries,
                (double)r->keys_bytes / 1048576.0, (long long)r->keys_kept_runs,
                (double)r->built_bytes / 1048576.0, (long long)r->built_runs,
                (long long)r->refs_rebuilt);
}

/* Tests: the variable `env` names a file; while it exists (at most 120 s)
 * the update (or the fill) waits, holding no lock, as a long resolve of a
 * large county computes (test_incremental: an urgent call beside it).
 * JD_LIVE_TEST_HOLD: before the resolve (before its watermark is read);
 * JD_LIVE_TEST_HOLD_SAVE: in the resolve, once it has read and computed,
 * before it takes write_mu for its save (rows that land then are after its
 * watermark); JD_LIVE_TEST_HOLD_GATE: the analysis past the gate, before
 * it takes write_mu (the gate's second look); JD_LIVE_TEST_HOLD_LANE: the
 * live thread after a scan of the drop folder that landed feeds,
 * urgent_want on, before the urgent lane; JD_LIVE_TEST_HOLD_SCAN: after
 * any scan and its urgent lane, urgent_want off (a kick and a stop then
 * arrive together); JD_LIVE_TEST_HOLD_ESC: the update between its
 * analysis and its escalation, holding no lock (the urgent lane may run
 * then: the escalation finds the store moved and loads its records);
 * JD_LIVE_TEST_HOLD_SWAP: a reload, its index and alerts built, before it
 * takes idx_lock to swap them in (holding idx_build_mu only). */
static void test_hold(const char *env, const char *where)
{
    const char *f = getenv(env);
    if (!f || !*f || access(f, F_OK) != 0)
        return;
    fprintf(stderr, "joindots serve: test: held %s (%s)\n", where, env);
    for (int i = 0; i < 1200 && access(f, F_OK) == 0; i++)
        usleep(100000);
}

/* --resident: the county's mentions read once, kept: the background
 * lane's first job, through live_store, holding no lock, so the live
 * thread's first scans and the urgent lane run beside it (a call that lands
 * in these seconds is not held behind the read; the feed's update, on the
 * lane, follows it). Exact without write_mu: the watermark is taken before
 * the rows are read, so a ref whose rows an ingest writes meanwhile is in
 * refs_since and read again by the first update (resident.c).
 * JD_LIVE_TEST_HOLD_FILL: the fill held before it reads (test_incremental). */
static void resident_fill(jd_server *srv)
{
    if (!srv->resident)
        return;
    test_hold("JD_LIVE_TEST_HOLD_FILL", "before the resident mentions' read");
    jd_error err;
    jd_error_clear(&err);
    double t0 = jd_srv_secs(), c0 = cpu_now();
    int rc = jd_resolve_resident_fill(srv->resident, srv->live_store, &err);
    if (rc < 0) {
        log_err("reading the mentions to keep (--resident)", &err);
        return; /* the first resolve reads them */
    }
    const jd_resolve_resident_stats *r = jd_resolve_resident_stats_of(srv->resident);
    /* once the refs are built the rows go (lean): their bytes are 0, the
     * built refs' are what is kept */
    fprintf(stderr, "joindots serve: kept %lld mentions (%.0f MB) in %.2f s (cpu %.2f s)\n",
            (long long)r->rows, (double)(r->bytes + r->built_bytes) / 1048576.0,
            jd_srv_secs() - t0, cpu_now() - c0);
}

/* Tests: JD_LIVE_TEST_FAIL names a file; while it exists, the update's
 * resolve fails before it reads anything (a failed update is retried). */
static int test_fail(jd_error *err)
{
    const char *f = getenv("JD_LIVE_TEST_FAIL");
    if (!f || !*f || access(f, F_OK) != 0)
        return JD_OK;
    return jd_error_set(err, JD_ESTORE, "test: a forced failure (JD_LIVE_TEST_FAIL)");
}

/* The feed's resolve takes write_mu just before its first write. */
typedef struct save_gate {
    jd_server *srv;
    bool held;
} save_gate;

static void save_gate_take(void *arg)
{
    save_gate *g = arg;
    if (!g->held) {
        test_hold("JD_LIVE_TEST_HOLD_SAVE", "before its resolve's save");
        jd_write_lock(g->srv);
    }
    g->held = true;
}

/* resolve, analyse, escalation: each stage's writes under write_mu (the
 * resolve's reading and computing without it, beside the urgent lane).
 * Returns JD_OK, or below 0 when the resolve or the analysis failed (their
 * watermarks did not move: the live thread tries again later). */
static int update(jd_server *srv, jd_analyse_stats *as, bool *have_stats)
{
    jd_store *s = srv->live_store;
    jd_error err;
    jd_error_clear(&err);
    fprintf(stderr, "joindots serve: updating after feeds\n");
    test_hold("JD_LIVE_TEST_HOLD", "before its resolve");
    double t0 = jd_srv_secs(), c0 = cpu_now();
    jd_live_stats rs; /* incremental once a full run stored its parameters */
    memset(&rs, 0, sizeof rs);
    /* The new identities' index right after the resolve, on this thread,
     * not after the analysis. While the live thread runs, a request that
     * finds the identities' generation moved serves the index it has
     * (idx_async, index_acquire in server.c) until this build swaps in. */
    jd_person_set *touched = NULL; /* for the incremental analysis */
    jd_live_opts lo = JD_LIVE_OPTS_INIT;
    lo.resident = srv->resident;
    save_gate gate = {srv, false};
    lo.before_write = save_gate_take;
    lo.before_write_arg = &gate;
    int rc = test_fail(&err);
    if (rc == JD_OK)
        rc = jd_live_resolve(s, &lo, &rs, srv->o.incremental ? &touched : NULL, &err);
    if (gate.held)
        jd_write_unlock(srv);
    double t1 = jd_srv_secs(), c1 = cpu_now();
    if (rc == JD_OK)
        resolve_line(srv, &rs);
    if (rc == JD_OK)
        reload_if_changed(srv, s, NULL);
    if (rc < 0) {
        log_err("resolve after a feed failed", &err);
        return rc;
    }
    double ta = jd_srv_secs(), ca = cpu_now();
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    char **walked = NULL;
    size_t nwalked = 0;
    jd_analysis_kept *kept = NULL; /* its records, for the escalation over its walked */
    int64_t gen[2] = {0, 0}; /* the store's change counter after the analysis */
    bool have_gen = false;
    write_lock_at(srv, "JD_LIVE_TEST_HOLD_GATE");
    rc = srv->o.incremental
             ? jd_live_analyse_touched(s, &ao, touched, as, &walked, &nwalked,
                                       getenv("JD_ESCALATE_RELOAD") ? NULL : &kept, &err)
             : jd_analyse(s, &ao, NULL, as, &err);
    if (rc == JD_OK && kept) {
        jd_error ge;
        jd_error_clear(&ge);
        have_gen = jd_live_generation(s, &gen[0], &gen[1], &ge) == JD_OK;
    }
    jd_write_unlock(srv);
    test_hold("JD_LIVE_TEST_HOLD_ESC", "between its analysis and its escalation");
    jd_person_set_free(touched);
    double t2 = jd_srv_secs(), c2 = cpu_now();
    if (rc < 0) {
        jd_analyse_keys_free(walked, nwalked);
        jd_analysis_kept_free(kept);
        log_err("analysis after a feed failed", &err);
        return rc;
    }
    bool full = !srv->o.incremental || as->full;
    if (!full && as->walked > 0)
        srv->live_full_due = true;
    jd_analyse_stats last;
    if (full) {
        counts_set(srv, as);
        *have_stats = true;
    } else if (counts_copy(srv, &last)) {
        /* the board's counts stay those of the last full run */
        int64_t alerts = as->alerts;
        *as = last;
        as->alerts = alerts;
        *have_stats = true;
    }
    jd_live_stats ls;
    memset(&ls, 0, sizeof ls);
    if (full) {
        jd_write_lock(srv);
        rc = jd_live_escalate(s, NULL, &ls, &err);
        jd_write_unlock(srv);
    } else {
        rc = escalate_some(srv, s, walked, nwalked, kept, have_gen ? gen : NULL, &err);
    }
    jd_analyse_keys_free(walked, nwalked);
    jd_analysis_kept_free(kept);
    if (rc < 0)
        log_err("escalation after a feed failed", &err);
    placed(srv, !full, ls.urgent_placed);
    fprintf(stderr,
            "joindots serve: updated after feeds: resolve %.2f s (%lld identities; %s: %lld refs "
            "new or changed, %lld re-resolved), analyse %.2f s (%lld alerts), escalation %.2f s "
            "(%lld concerns); the live thread's cpu for these three: %.2f, %.2f, %.2f s\n",
            t1 - t0, (long long)rs.identities, rs.resolve_incremental ? "incremental" : "full",
            (long long)rs.resolve_changed_refs, (long long)rs.resolve_scope_refs, t2 - ta,
            (long long)as->alerts, jd_srv_secs() - t2, (long long)ls.concerns, c1 - c0, c2 - ca,
            cpu_now() - c2);
    return JD_OK;
}

/* The escalation engine over everyone, on its schedule (--escalate-every). */
static void scheduled_escalation(jd_server *srv)
{
    jd_error err;
    jd_error_clear(&err);
    jd_live_stats ls;
    jd_write_lock(srv);
    memset(&ls, 0, sizeof ls);
    if (jd_live_escalate(srv->live_store, NULL, &ls, &err) < 0)
        log_err("scheduled escalation run failed", &err);
    jd_write_unlock(srv);
    placed(srv, false, ls.urgent_placed);
}

/* After incremental updates, at most every full_every_s (--full-every): the
 * full analysis they leave to the schedule (networks, clocks of persons no
 * feed touched, the board's counts), with the documents readers serve
 * (graph, profiles), then the escalation engine over everyone. */
static void scheduled_full(jd_server *srv, jd_analyse_stats *as, bool *have_stats)
{
    jd_error err;
    jd_error_clear(&err);
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    double t0 = jd_srv_secs(), c0 = cpu_now();
    jd_write_lock(srv);
    int rc = jd_escalate_analyse(srv->live_store, &ao, as, &err);
    jd_write_unlock(srv);
    if (rc < 0) {
        log_err("scheduled full analysis failed", &err);
    } else {
        srv->live_full_due = false;
        counts_set(srv, as);
        *have_stats = true;
        fprintf(stderr,
                "joindots serve: scheduled full analysis after incremental updates in %.2f s "
                "(cpu %.2f s; %lld alerts)\n",
                jd_srv_secs() - t0, cpu_now() - c0, (long long)as->alerts);
    }
    scheduled_escalation(srv);
}

/* The background lane (issue 17): a feed's resolve, analysis and
 * escalation, the scheduled runs and the reloads after them run on a thread
 * of their own, "jd-live-bg", through live_store, at the server's nice
 * value plus feed_nice (at most 19), so that they take the CPU the requests
 * leave. Linux keeps a nice value per thread (within the server's process,
 * one autogroup, a thread at nice 19 weighs 15 against a request worker's
 * 1024 at nice 0), and the threads it starts (the resolve's and analysis's
 * helpers, jobs.c) inherit it. The live thread ("jd-live") keeps the
 * server's priority for the drop folder's scan (ingest) and the urgent-call
 * lane, through lane_store. It hands a job to the lane and goes on: while
 * the lane runs a feed's update, the live thread keeps scanning the drop
 * folder, so an urgent call that lands meanwhile is ingested, analysed and
 * escalated at once (its write stages before the lane's next ones, at the
 * gate); the update for the feeds that landed meanwhile follows when the
 * lane is free (docs/feeds.md). */
enum { BG_CHECK, BG_UPDATE, BG_FULL, BG_ESCALATE, BG_FILL };

typedef struct bg_lane {
    jd_server *srv;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job;
    bool busy, quit, on;
    bool failed; /* the last update failed (taken by bg_take_failed) */
    pthread_t th;
} bg_lane;

/* Lower the calling thread's priority by feed_nice; says so on stderr. */
static void bg_nice(const jd_server *srv)
{
    if (srv->o.feed_nice <= 0)
        return;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    errno = 0;
    int now = getpriority(PRIO_PROCESS, (id_t)tid);
    if (now == -1 && errno)
        now = 0;
    int want = now + srv->o.feed_nice > 19 ? 19 : now + srv->o.feed_nice;
    if (setpriority(PRIO_PROCESS, (id_t)tid, want) < 0)
        fprintf(stderr, "joindots serve: cannot lower the live updates' priority: %s\n",
                strerror(errno));
    else
        fprintf(stderr, "joindots serve: the live updates run at nice %d\n", want);
}

/* One job: the stage chosen by the live thread, then the reload of what
 * readers see and the open-concern snapshot. Returns whether an update
 * failed. */
static bool bg_run(jd_server *srv, int job)
{
    jd_analyse_stats as;
    bool have_stats = false;
    bool failed = false;
    if (job == BG_FILL) {
        resident_fill(srv); /* nothing readers see changed */
        return false;
    }
    if (job == BG_UPDATE)
        failed = update(srv, &as, &have_stats) < 0;
    else if (job == BG_FULL)
        scheduled_full(srv, &as, &have_stats);
    else if (job == BG_ESCALATE)
        scheduled_escalation(srv);
    reload_if_changed(srv, srv->live_store, have_stats ? &as : NULL);
    jd_api_concerns_warm(srv, srv->live_store);
    return failed;
}

static void *bg_main(void *p)
{
    bg_lane *l = p;
    /* nice first, then the name: a reader that finds the name sees the nice */
    bg_nice(l->srv);
    (void)pthread_setname_np(pthread_self(), "jd-live-bg");
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->busy && !l->quit)
            pthread_cond_wait(&l->cv, &l->mu);
        if (!l->busy)
            break;
        int job = l->job;
        pthread_mutex_unlock(&l->mu);
        bool failed = bg_run(l->srv, job);
        pthread_mutex_lock(&l->mu);
        l->failed = failed;
        l->busy = false;
        pthread_cond_broadcast(&l->cv);
        if (job != BG_CHECK) { /* the live thread may have an update waiting */
            pthread_mutex_lock(&l->srv->live_mu);
            l->srv->live_wake = true;
            pthread_cond_signal(&l->srv->live_cv);
            pthread_mutex_unlock(&l->srv->live_mu);
        }
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static bool bg_busy(bg_lane *l)
{
    if (!l->on)
        return false;
    pthread_mutex_lock(&l->mu);
    bool b = l->busy;
    pthread_mutex_unlock(&l->mu);
    return b;
}

/* Whether the lane's last update failed (once: cleared). */
static bool bg_take_failed(bg_lane *l)
{
    pthread_mutex_lock(&l->mu);
    bool f = l->failed;
    l->failed = false;
    pthread_mutex_unlock(&l->mu);
    return f;
}

/* Start job on the lane, which is free (here, to the end, if the lane did
 * not start). */
static void bg_start(bg_lane *l, int job)
{
    if (!l->on) {
        bool failed = bg_run(l->srv, job);
        pthread_mutex_lock(&l->mu);
        l->failed = failed;
        pthread_mutex_unlock(&l->mu);
        return;
    }
    pthread_mutex_lock(&l->mu);
    l->job = job;
    l->busy = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

static void bg_wait(bg_lane *l)
{
    if (!l->on)
        return;
    pthread_mutex_lock(&l->mu);
    while (l->busy)
        pthread_cond_wait(&l->cv, &l->mu);
    pthread_mutex_unlock(&l->mu);
}

/* Sleep until check_ms passed, a feed was uploaded, the lane finished a
 * job or the server stops; *kicked: an upload came. */
static bool live_wait(jd_server *srv, unsigned check_ms, bool *kicked)
{
    pthread_mutex_lock(&srv->live_mu);
    if (!srv->live_stop && !srv->live_kick && !srv->live_wake) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += check_ms / 1000;
        ts.tv_nsec += (long)(check_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->live_cv, &srv->live_mu, &ts);
    }
    bool stop = srv->live_stop;
    *kicked = srv->live_kick;
    srv->live_kick = srv->live_wake = false;
    pthread_mutex_unlock(&srv->live_mu);
    return stop;
}

/* The drop folder's ready bundles ingested through the live thread's
 * handle, ahead of the lane's next stage; then, when feeds landed (or were
 * uploaded), the urgent lane. Returns whether an update is due. */
static bool scan_and_urgent(jd_server *srv, bool kicked, bool beside)
{
    size_t landed = 0;
    double t0 = jd_srv_secs();
    urgent_want(srv, true);
    if (srv->o.feeds_dir) {
        jd_error err;
        jd_error_clear(&err);
        pthread_mutex_lock(&srv->write_mu);
        int rc =
            jd_feed_scan(srv->lane_store, srv->o.feeds_dir, NULL, on_feed, NULL, &landed, &err);
        pthread_mutex_unlock(&srv->write_mu);
        if (rc < 0)
            log_err("feed scan", &err);
    }
    if (landed)
        test_hold("JD_LIVE_TEST_HOLD_LANE", "after a scan that landed feeds, before the urgent lane");
    if ((landed || kicked) && srv->o.incremental)
        urgent_first(srv, t0, beside); /* here, at the requests' priority; wants off */
    else
        urgent_want(srv, false);
    test_hold("JD_LIVE_TEST_HOLD_SCAN", "after its scan and the urgent lane");
    return landed || kicked;
}

/* A failed update (its watermarks did not move: the feeds stay stored,
 * unresolved) tried again by the live thread, with no feed landing: 1 s
 * after it failed, then twice as long after each failure, at most 60 s. */
typedef struct retry {
    bool due;
    double at, wait;
} retry;

/* The lane is free, `ran` the job it last ran: note how it went. */
static void retry_note(retry *r, bool failed, int ran)
{
    if (ran != BG_UPDATE)
        return;
    if (!failed) {
        r->wait = 0;
        return;
    }
    r->wait = r->wait <= 0 ? 1 : r->wait * 2 > 60 ? 60 : r->wait * 2;
    r->due = true;
    r->at = jd_srv_secs() + r->wait;
    fprintf(stderr, "joindots serve: the update after feeds failed: trying again in %.0f s\n",
            r->wait);
}

static void *live_main(void *p)
{
    jd_server *srv = p;
    (void)pthread_setname_np(pthread_self(), "jd-live");
    bg_lane lane = {.srv = srv};
    pthread_mutex_init(&lane.mu, NULL);
    pthread_cond_init(&lane.cv, NULL);
    lane.on = pthread_create(&lane.th, NULL, bg_main, &lane) == 0;
    if (!lane.on)
        fprintf(stderr, "joindots serve: no background thread; live updates run at the "
                        "requests' priority\n");
    double next_escalate = jd_srv_secs() + (double)srv->o.escalate_every_s;
    double next_full = jd_srv_secs() + (double)srv->o.full_every_s;
    unsigned check_ms = srv->o.check_ms ? srv->o.check_ms : 1000;
    int running = BG_CHECK; /* the lane's job, while busy */
    if (srv->o.resident && (srv->resident = jd_resolve_resident_new())) {
        running = BG_FILL; /* the mentions read beside the scans (resident_fill) */
        bg_start(&lane, BG_FILL);
    }
    /* tests: a long interval keeps a stale index loaded (test_serve_sec) */
    const char *cms = getenv("JD_LIVE_CHECK_MS");
    if (cms && atoi(cms) > 0)
        check_ms = (unsigned)atoi(cms);
    bool pending = false; /* feeds landed since the lane's last update began */
    {
        /* a feed stored, its update cut short (SIGKILL mid-update): now */
        jd_error err;
        jd_error_clear(&err);
        if (jd_live_behind(srv->lane_store, &pending, &err) < 0)
            log_err("cannot read the store's watermarks", &err);
        else if (pending)
            fprintf(stderr, "joindots serve: rows stored since the last resolve or analysis "
                            "(an update cut short?): updating\n");
    }
    retry rt = {false, 0, 0};
    for (;;) {
        bool kicked = false;
        if (live_wait(srv, check_ms, &kicked)) {
            if (kicked) /* an upload stored just before the stop */
                pending = true;
            break;
        }
        bool busy = bg_busy(&lane);
        if (scan_and_urgent(srv, kicked, busy && running == BG_UPDATE))
            pending = true;
        if (busy && bg_busy(&lane))
            continue; /* the lane's job in hand: the update waits for it */
        /* the lane is free: what it ran is done (its writes seen here) */
        retry_note(&rt, bg_take_failed(&lane), running);
        int job = BG_CHECK;
        if (pending || (rt.due && jd_srv_secs() >= rt.at)) {
            job = BG_UPDATE;
            pending = rt.due = false;
        } else if (srv->live_full_due && srv->o.full_every_s && jd_srv_secs() >= next_full) {
            job = BG_FULL;
        } else if (srv->o.escalate_every_s && jd_srv_secs() >= next_escalate) {
            job = BG_ESCALATE;
        }
        running = job;
        bg_start(&lane, job);
        if (job == BG_FULL)
            next_full = jd_srv_secs() + (double)srv->o.full_every_s;
        if (job != BG_CHECK)
            next_escalate = jd_srv_secs() + (double)srv->o.escalate_every_s;
    }
    /* stopping: the lane's job in hand ends, and the feeds that landed
     * since are brought up to date, as before the lane ran beside */
    bg_wait(&lane);
    if (pending || rt.due || bg_take_failed(&lane)) {
        bg_start(&lane, BG_UPDATE);
        bg_wait(&lane);
    }
    if (lane.on) {
        pthread_mutex_lock(&lane.mu);
        lane.quit = true;
        pthread_cond_broadcast(&lane.cv);
        pthread_mutex_unlock(&lane.mu);
        pthread_join(lane.th, NULL);
    }
    pthread_cond_destroy(&lane.cv);
    pthread_mutex_destroy(&lane.mu);
    return NULL;
}

/* A JD_LIVE_TEST_* variable left set by mistake would hold or fail the
 * live thread while its file exists: say so once, at start, by name. */
static void warn_test_hooks(void)
{
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "JD_LIVE_TEST_", 13) == 0)
            fprintf(stderr, "joindots serve: warning: test hook %.*s is set: the live thread may "
                            "stall or fail on purpose (docs/internals/server.md)\n",
                    (int)strcspn(*e, "="), *e);
}

int jd_live_start(jd_server *srv, jd_error *err)
{
    warn_test_hooks();
    if (pthread_create(&srv->live, NULL, live_main, srv) != 0)
        return jd_error_set(err, JD_ENOMEM, "cannot start the live thread");
    srv->live_on = true;
    atomic_store_explicit(&srv->idx_async, true, memory_order_release);
    return JD_OK;
}

void jd_live_stop(jd_server *srv)
{
    if (!srv->live_on)
        return;
    atomic_store_explicit(&srv->idx_async, false, memory_order_release);
    pthread_mutex_lock(&srv->live_mu);
    /* before live_stop, under live_mu (which live_wait takes to read it):
     * test_incremental waits for this line to release a held live thread,
     * and the stop and a kick then meet, whatever the timing */
    fprintf(stderr, "joindots serve: stopping the live thread\n");
    srv->live_stop = true;
    pthread_cond_signal(&srv->live_cv);
    pthread_mutex_unlock(&srv->live_mu);
    pthread_join(srv->live, NULL);
    srv->live_on = false;
}

void jd_live_kick(jd_server *srv)
{
    pthread_mutex_lock(&srv->live_mu);
    srv->live_kick = true;
    pthread_cond_signal(&srv->live_cv);
    pthread_mutex_unlock(&srv->live_mu);
}
