/*
 * joindots analyse: screen every event, keep each child's risk level over
 * time and raise the alerts of contract §2.2; saves them in the store and
 * prints a summary.
 */
#include "cli.h"

#include <joindots/analyse.h>
#include <joindots/concern.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: joindots analyse --db FILE [--as-of T] [--rules FILE] [--no-save]\n"
            "                        [--threads N] [--partitions K|auto [--memory-mb M]]\n"
            "                        [--screen-model FILE]\n"
            "       joindots analyse --db FILE --incremental [--rules FILE] [--threads N]\n"
            "       joindots analyse --db FILE --urgent\n"
            "\n"
            "Screens every event for exploitation indicators, keeps a risk level per\n"
            "child over time and raises alerts (child_at_risk, unrecorded_crime,\n"
            "missing_pattern, overdue_return_interview, language, escalation). With\n"
            "--as-of only events known by T are used (a date alone means its end).\n"
            "Alerts are saved in the store (unless --no-save) and written by\n"
            "`joindots export alerts`. --rules replaces the built-in catalogue\n"
            "(data/rules/catalogue.json). --screen-model FILE: another learned combiner\n"
            "for the screen (screen-train), 'none' the rules alone; without it the\n"
            "built-in one (data/rules/screen_model_ind.json, _off.json and _lang.json:\n"
            "the indicators, offences and wording models joined; the one the server's\n"
            "child pages and the demo re-screen with).\n"
            "--incremental re-analyses only the persons that events stored since the\n"
            "last saved analysis touch (and whoever shares an event with them), and\n"
            "replaces only their alerts; networks stay as the last full run found\n"
            "them (a full run when none was saved yet).\n"
            "--urgent runs the urgent lane alone (what `serve` does first after a feed):\n"
            "call handling and police records stored since the last saved analysis are\n"
            "screened for the bypass triggers (T1-T3), their persons analysed (an\n"
            "unresolved ref on its own) and escalated; the watermark is left for the\n"
            "incremental run that follows, which reconciles them.\n"
            "--threads N: the risk walk's threads (default: one per CPU, at most 8);\n"
            "the alerts are the same whatever N.\n"
            "--partitions K: analyse the persons in K passes (1-64) by a hash of their\n"
            "person id, each pass loading only its persons' events, then the networks\n"
            "on a narrow load of the whole county (default 1); the alerts are the same\n"
            "whatever K. auto: the fewest passes each of which fits --memory-mb (default\n"
            "1024: about 256 MB and 0.9 KB an event a pass holds); the networks' load\n"
            "of the whole county is not cut (1M events: about 0.7-0.9 GB).\n");
}

/* --partitions K|auto (o 'k') and --memory-mb M (o 'm'); -1 when refused. */
static int parse_parts(jd_analyse_opts *opts, int o, const char *arg)
{
    long n = JD_PARTITIONS_AUTO;
    if (o == 'm') {
        if (cli_parse_range("--memory-mb", arg, 1, 1L << 30, &n) < 0)
            return -1;
        opts->memory_mb = n;
        return 0;
    }
    if (strcmp(arg, "auto") != 0 && cli_parse_range("--partitions", arg, 1, 64, &n) < 0)
        return -1;
    opts->partitions = (int)n;
    return 0;
}

/* --urgent: the urgent lane alone (jd_analyse_urgent_keys, then the
 * escalation engine over its persons). */
static int urgent_only(const char *db, const jd_analyse_opts *opts)
{
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    int rc = cli_store_open(&s, db, false, false);
    if (rc != JD_EXIT_OK)
        return rc;
    jd_analyse_stats st;
    char **keys = NULL;
    size_t n = 0;
    double t0 = cli_now();
    rc = jd_analyse_urgent_keys(s, opts, &st, &keys, &n, &err);
    jd_escalate_opts eo = JD_ESCALATE_OPTS_INIT;
    eo.save = true;
    eo.persons = (const char *const *)keys;
    eo.npersons = n;
    jd_escalate_stats es;
    if (rc == JD_OK && n)
        rc = jd_escalate_run(s, JD_AS_OF_NOW, 0, &eo, &es, &err);
    jd_store_close(s);
    if (rc < 0) {
        jd_analyse_keys_free(keys, n);
        cli_print_error("the urgent lane failed", &err);
        return cli_exit_code(rc);
    }
    printf("urgent lane: %zu persons in %.2f s (screened in %.2f s)\n", n, cli_now() - t0,
           st.seconds_touched);
    for (size_t i = 0; i < n; i++)
        printf("  %s\n", keys[i]);
    jd_analyse_keys_free(keys, n);
    return JD_EXIT_OK;
}

int cmd_analyse(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},    {"as-of", required_argument, NULL, 'a'},
        {"rules", required_argument, NULL, 'r'}, {"no-save", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},        {"incremental", no_argument, NULL, 'i'},
        {"threads", required_argument, NULL, 'j'}, {"partitions", required_argument, NULL, 'k'},
        {"memory-mb", required_argument, NULL, 'm'}, {"screen-model", required_argument, NULL, 's'},
        {"urgent", no_argument, NULL, 'u'},      {NULL, 0, NULL, 0}};
    bool incremental = false, urgent = false;
    cli_common co = CLI_COMMON_INIT;
    jd_analyse_opts opts = JD_ANALYSE_OPTS_INIT;
    opts.save = true;
    int o, rc;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'n': opts.save = false; break;
        case 'i': incremental = true; break;
        case 'u': urgent = true; break;
        case 's': opts.screen_model = optarg; break;
        case 'j': {
            long n;
            if (cli_parse_range("--threads", optarg, 1, 64, &n) < 0)
                return JD_EXIT_USAGE;
            opts.threads = (int)n;
            break;
        }
        case 'k':
        case 'm':
            if (parse_parts(&opts, o, optarg) < 0)
                return JD_EXIT_USAGE;
            break;
        default:
            if ((rc = cli_common_opt(&co, o, optarg, usage)) >= 0)
                return rc;
        }
    }
    opts.as_of = co.as_of;
    opts.rules_path = co.rules;
    if (!co.db || optind != argc ||
        ((incremental || urgent) && (!opts.save || opts.as_of != JD_AS_OF_NOW)) ||
        (opts.memory_mb && opts.partitions != JD_PARTITIONS_AUTO) ||
        (urgent && (incremental || opts.threads || opts.partitions || opts.memory_mb)))
        return cli_usage(usage, false);
    if (urgent)
        return urgent_only(co.db, &opts);
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    if ((rc = cli_store_open(&s, co.db, false, false)) != JD_EXIT_OK)
        return rc;
    jd_analyse_stats st;
    double t0 = cli_now();
    /* What readers need from this run, stored with it (issue 17 item 4):
     * the escalation engine's concern bases for `export alerts`, the
     * network graph, hotspots and profiles for the server. Only for a full
     * run with the built-in rules, which is what readers ask for. */
    bool docs = opts.save && opts.as_of == JD_AS_OF_NOW && !opts.rules_path && !incremental;
    rc = incremental ? jd_analyse_incremental(s, &opts, NULL, 0, &st, &err)
         : docs      ? jd_escalate_analyse(s, &opts, &st, &err)
                     : jd_analyse(s, &opts, NULL, &st, &err);
    double secs = cli_now() - t0;
    double secs_docs = secs - st.seconds_load - st.seconds_screen - st.seconds_alerts -
                       st.seconds_write;
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("analysis failed", &err);
        return cli_exit_code(rc);
    }
    printf("analysed %lld events (%lld mentions, %lld persons, %lld children) in %.2f s "
           "(%.0f events/s)\n",
           (long long)st.events, (long long)st.mentions, (long long)st.persons,
           (long long)st.children, secs, secs > 0 ? (double)st.events / secs : 0.0);
    if (incremental && !st.full)
        printf("  incremental: %lld persons touched, %lld walked (found in %.2f s)\n",
               (long long)st.touched, (long long)st.walked, st.seconds_touched);
    printf("  load %.3f s, screening %.3f s, risk and alerts %.3f s, writing %.3f s; the walk "
           "on %d thread%s in %d partition%s: CPU %.3f s, the longest share %.3f s\n",
           st.seconds_load, st.seconds_screen, st.seconds_alerts, st.seconds_write,
           st.walk_threads, st.walk_threads == 1 ? "" : "s", st.walk_partitions,
           st.walk_partitions == 1 ? "" : "s", st.seconds_walk_cpu,
           st.seconds_walk_longest);
    if (docs)
        printf("  concern bases, network, hotspots and profiles stored in %.2f s\n", secs_docs);
    printf("%lld alerts:\n", (long long)st.alerts);
    for (int k = 0; k < JD_ALERT_KINDS; k++)
        if (st.by_kind[k])
            printf("  %-26s %lld\n", jd_alert_kind_name(k), (long long)st.by_kind[k]);
    printf("children at risk by highest level: low %lld, medium %lld, high %lld, critical %lld\n",
           (long long)st.by_level[1], (long long)st.by_level[2], (long long)st.by_level[3],
           (long long)st.by_level[4]);
    printf("returns from missing: %lld due an interview, %lld interviewed within 72 hours; "
           "offences disclosed: %lld, with a crime recorded: %lld\n",
           (long long)st.returns_due, (long long)st.returns_interviewed_72h,
           (long long)st.crimes_disclosed, (long long)st.crimes_recorded);
    if (opts.save)
        printf("saved; `joindots export alerts --db %s` writes them as JSON Lines\n", co.db);
    return JD_EXIT_OK;
}

