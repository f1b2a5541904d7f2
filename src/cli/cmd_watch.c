/*
 * joindots watch DIR: the drop folder of agencies' feeds (issue 17). Every
 * ready bundle (DIR/AGENCY/NAME/ with its marker DIR/AGENCY/NAME.done) is
 * ingested as a feed of AGENCY; after feeds landed, identities, alerts and
 * concerns are brought up to date (resolve, analyse, escalation); the
 * escalation engine also runs on its own every --escalate-every seconds.
 * Stops on SIGTERM or SIGINT after the feed in hand.
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: joindots watch --db FILE [--once] [--interval S] [--escalate-every S]\n"
            "                      [--no-update] [--incremental] [--resolve-hops N] DIR\n"
            "       joindots watch --db FILE --list [--limit N]\n"
            "\n"
            "Reads agencies' feeds from the drop folder DIR: a bundle DIR/AGENCY/NAME/ is\n"
            "read once the empty file DIR/AGENCY/NAME.done exists (write the bundle, then\n"
            "the marker). Each is ingested like `joindots ingest` (every row must be\n"
            "AGENCY's, or the whole feed is refused), recorded, and moved to\n"
            "DIR/AGENCY/ingested/ or DIR/AGENCY/rejected/ (with the reason). After feeds\n"
            "landed, resolve, analyse and the escalation engine run. See docs/feeds.md.\n"
            "  --once              one scan (and its update), then exit\n"
            "  --interval S        seconds between scans (default 2)\n"
            "  --escalate-every S  run the escalation engine every S seconds (default 300;\n"
            "                      0: only after feeds)\n"
            "  --no-update         ingest only (no resolve, analyse, escalation)\n"
            "  --incremental       analyse only the persons the feeds touched (see\n"
            "                      `joindots analyse --incremental`)\n"
            "  --resolve-hops N    how far the incremental resolve walks from the changes,\n"
            "                      in links or households (default 1; 0: to the end, what\n"
            "                      a full run with the stored parameters gives). The\n"
            "                      nightly `joindots resolve` repairs what a bounded walk\n"
            "                      missed\n"
            "  --list              the latest feeds, newest first\n");
}

static void on_feed(const char *agency, const char *name, const jd_feed_result *r, void *payload)
{
    (void)payload;
    if (r->resumed)
        printf("feed %lld %s/%s: stored before; its move out of the drop folder, cut short, "
               "finished (marker moved to %s/)\n",
               (long long)r->id, agency, name, r->accepted ? "ingested" : "rejected");
    else if (r->accepted)
        printf("feed %lld %s/%s: ingested %lld rows (%lld new, %lld updated, %lld unchanged, "
               "%lld quarantined) in %.2f s\n",
               (long long)r->id, agency, name, (long long)r->counts.read,
               (long long)r->counts.stored, (long long)r->counts.updated,
               (long long)r->counts.unchanged, (long long)r->counts.rejected, r->seconds);
    else
        printf("feed %lld %s/%s: rejected whole: %s\n", (long long)r->id, agency, name, r->reason);
    fflush(stdout);
}

static int on_record(const jd_feed_record *r, void *payload)
{
    (void)payload;
    char t[32];
    jd_time_format(t, r->received_at);
    printf("%lld\t%s\t%s\t%s\t%s\t%lld rows\t%s\t%s\n", (long long)r->id, t, r->agency, r->name,
           r->accepted ? "ingested" : "rejected", (long long)r->counts.read, r->source,
           r->reason);
    return 0;
}

/* Sleep up to `s` seconds; true when SIGTERM or SIGINT arrived. */
static bool wait_signal(const sigset_t *set, double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    int sig = sigtimedwait(set, NULL, &ts);
    return sig == SIGTERM || sig == SIGINT;
}

/* One update after feeds landed: how long each step took and what it found. */
static void print_update(const jd_live_stats *st, double seconds)
{
    printf("updated in %.2f s: resolve %.2f s (%lld identities), analyse %.2f s "
           "(%lld alerts), escalation %.2f s (%lld concerns)\n",
           seconds, st->seconds_resolve, (long long)st->identities, st->seconds_analyse,
           (long long)st->alerts, st->seconds_escalate, (long long)st->concerns);
    if (st->resolve_incremental)
        printf("  incremental resolve: %lld refs new or changed, %lld re-resolved with them, "
               "%lld identities touched\n",
               (long long)st->resolve_changed_refs, (long long)st->resolve_scope_refs,
               (long long)st->resolve_touched);
    if (st->urgent_walked)
        printf("  urgent calls first: %lld persons, screened in %.2f s, analysed in "
               "%.2f s, escalated in %.2f s\n",
               (long long)st->urgent_walked, st->seconds_urgent_screen, st->seconds_urgent_analyse,
               st->seconds_urgent_escalate);
    if (st->urgent_placed)
        printf("  urgent calls placed: %lld concerns on a call's ref carried on by its "
               "identity's\n",
               (long long)st->urgent_placed);
    if (!st->analyse_full)
        printf("  incremental analysis: %lld persons touched (found in %.2f s, %s), "
               "%lld walked (loaded in %.2f s)\n",
               (long long)st->touched, st->seconds_touched,
               st->analyse_identities_known ? "identities from the resolve run"
                                            : "identities compared",
               (long long)st->walked, st->seconds_load);
    fflush(stdout);
}

/* Scan dir for feeds every interval seconds (once: one scan) until SIGTERM
 * or SIGINT, updating the analysis after feeds land (update) and running
 * the escalation every escalate_every seconds between them. */
static int watch_loop(jd_store *s, const char *dir, const jd_live_opts *lo, bool once,
                      bool update, double interval, double escalate_every)
{
    jd_error err;
    jd_error_clear(&err);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL); /* taken by sigtimedwait between scans */
    double next_escalate = cli_now() + escalate_every;
    int rc = JD_OK;
    for (;;) {
        size_t landed = 0;
        rc = jd_feed_scan(s, dir, NULL, on_feed, NULL, &landed, &err);
        if (rc < 0) {
            cli_print_error("feed scan", &err);
            if (once || rc == JD_ENOTFOUND)
                break;
            jd_error_clear(&err);
        }
        if (update && landed) {
            jd_live_stats st;
            double t0 = cli_now();
            rc = jd_live_update(s, lo, &st, &err);
            if (rc < 0) {
                cli_print_error("update after feeds", &err);
                jd_error_clear(&err);
            } else {
                print_update(&st, cli_now() - t0);
            }
            next_escalate = cli_now() + escalate_every;
        } else if (update && escalate_every > 0 && cli_now() >= next_escalate) {
            jd_live_stats st = {0};
            if (jd_live_escalate(s, lo, &st, &err) < 0) {
                cli_print_error("escalation run", &err);
                jd_error_clear(&err);
            }
            next_escalate = cli_now() + escalate_every;
        }
        if (once || wait_signal(&set, interval))
            break;
    }
    return rc;
}

int cmd_watch(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},     {"once", no_argument, NULL, 'o'},
        {"interval", required_argument, NULL, 'i'}, {"escalate-every", required_argument, NULL, 'e'},
        {"no-update", no_argument, NULL, 'n'},    {"list", no_argument, NULL, 'l'},
        {"limit", required_argument, NULL, 'L'},  {"help", no_argument, NULL, 'h'},
        {"incremental", no_argument, NULL, 'I'},  {"resolve-hops", required_argument, NULL, 'H'},
        {NULL, 0, NULL, 0}};
    bool incremental = false;
    long hops = JD_LIVE_RESOLVE_HOPS;
    const char *db = NULL;
    bool once = false, update = true, list = false;
    double interval = 2, escalate_every = 300;
    long limit = 50;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd': db = optarg; break;
        case 'o': once = true; break;
        case 'n': update = false; break;
        case 'I': incremental = true; break;
        case 'H':
            if (cli_parse_range("--resolve-hops", optarg, 0, 1000, &hops) < 0)
                return JD_EXIT_USAGE;
            break;
        case 'l': list = true; break;
        case 'i':
        case 'e':
        case 'L': {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || v < 0 || v > 86400 || (o == 'i' && v < 0.05) || (o == 'L' && v < 1)) {
                fprintf(stderr, "joindots: --%s: a number of %s\n",
                        o == 'i' ? "interval" : o == 'e' ? "escalate-every" : "limit",
                        o == 'L' ? "feeds (1 or more)" : "seconds (at most a day)");
                return JD_EXIT_USAGE;
            }
            if (o == 'i')
                interval = v;
            else if (o == 'e')
                escalate_every = v;
            else
                limit = (long)v;
            break;
        }
        default: return cli_usage(usage, o == 'h');
        }
    }
    if (!db || optind != argc - (list ? 0 : 1))
        return cli_usage(usage, false);
    jd_store *s = NULL;
    /* A deployment fed only by feeds starts from an empty store. */
    int ex = cli_store_open(&s, db, !list, list);
    if (ex)
        return ex;
    jd_error err;
    jd_error_clear(&err);
    if (list) {
        int rc = jd_feed_list(s, limit, on_record, NULL, &err);
        jd_store_close(s);
        if (rc < 0)
            cli_print_error("feeds", &err);
        return cli_exit_code(rc);
    }
    jd_live_opts lo = JD_LIVE_OPTS_INIT;
    lo.incremental = incremental;
    lo.resolve_hops = (int)hops;
    int rc = watch_loop(s, argv[optind], &lo, once, update, interval, escalate_every);
    jd_store_close(s);
    return rc < 0 ? cli_exit_code(rc) : JD_EXIT_OK;
}
