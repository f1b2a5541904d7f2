/*
 * joindots serve: the web application (issue 8) on one address, until
 * SIGTERM or SIGINT; requests in flight are finished before it exits.
 */
#include "cli.h"

#include "server.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#ifndef JD_WEB_ROOT
#define JD_WEB_ROOT "web"
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots serve --db FILE [--listen HOST:PORT] [--tls-cert F --tls-key F]\n"
               "                      [--web DIR] [--threads N] [--port-file F]\n"
               "                      [--max-per-address N] [--request-deadline S]\n"
               "                      [--host-name NAME] [--feeds DIR] [--escalate-every S]\n"
               "                      [--full | --incremental] [--full-every S] [--resident]\n"
               "                      [--feed-nice N]\n"
               "\n"
               "Serves the web application and its JSON API (docs/openapi.yaml) until\n"
               "SIGTERM or SIGINT; requests in flight are finished first. The default\n"
               "address is 127.0.0.1:8080; port 0 picks a free port (written to\n"
               "--port-file). Accounts are made with `joindots user add`.\n"
               "  --web DIR   static files (default: the web/ folder of the source tree)\n"
               "  --routes    print the API routes and the roles allowed on each, and exit\n"
               "  --max-per-address N   connections from one client address (default 8 of 64)\n"
               "  --request-deadline S  a whole request must arrive within S seconds (10)\n"
               "  --host-name NAME      a Host name to answer besides the listen address and\n"
               "                        localhost (e.g. a reverse proxy's); others get 421\n"
               "  --feeds DIR           watch DIR, the drop folder of agencies' feeds\n"
               "                        (docs/feeds.md); uploads go to POST /api/feeds/AGENCY\n"
               "  --escalate-every S    run the escalation engine every S seconds (default\n"
               "                        300; 0: only after feeds). New alerts, identities and\n"
               "                        concerns are picked up without a restart.\n"
               "  --incremental         the default: after feeds, urgent calls first (analysed,\n"
               "                        escalated and shown before the feed is resolved), then\n"
               "                        only the persons the feeds touched are analysed and\n"
               "                        escalated\n"
               "  --full                after feeds, analyse and escalate everyone again (what\n"
               "                        a batch run gives, at a batch run's cost)\n"
               "  --full-every S        after incremental updates, a full analysis and escalation\n"
               "                        at most every S seconds (default 3600; 0: never): the\n"
               "                        networks, clocks of persons no feed touched (overdue\n"
               "                        return interviews) and the board's counts\n"
               "  --feed-nice N         a feed's resolve, analysis and escalation, the scheduled\n"
               "                        runs and the reloads run at the server's nice value\n"
               "                        plus N, at most 19 (default 0: the requests' own),\n"
               "                        behind the requests; ingest and urgent calls do not\n"
               "  --resident            keep the county's mentions in memory between feeds (read\n"
               "                        at the start): a feed's resolve reads from the store only\n"
               "                        the mentions of refs new or changed since; same result\n");
}

/* Parse "HOST:PORT" (IPv4). */
static int parse_listen(const char *s, char *host, size_t cap, int *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= cap || colon == s)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

/* Takes SIGTERM and SIGINT from the start: while the server loads (seconds
 * on a county store) a signal ends the process at once, as nothing is
 * served yet and the store is only read; once it listens, the thread
 * returns the signal to serve_until_signal, which stops cleanly. */
typedef struct sig_watch {
    sigset_t set;
    atomic_bool listening;
} sig_watch;

static void *watch_signals(void *payload)
{
    sig_watch *w = payload;
    int sig = 0;
    sigwait(&w->set, &sig);
    if (!atomic_load(&w->listening)) {
        static const char msg[] = "joindots serve: stopped while loading\n";
        (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(128 + sig);
    }
    return (void *)(intptr_t)sig;
}

/* Start, print the address (and `banner` if given), wait for SIGTERM or
 * SIGINT, finish requests in flight, stop. */
static int serve_until_signal(const jd_server_opts *so, const char *port_file,
                              void (*banner)(const char *url, void *payload), void *payload)
{
    /* Signals are taken by sigwait below: block them before threads start. */
    static sig_watch w; /* read by the watcher thread for the life of the process */
    sigemptyset(&w.set);
    sigaddset(&w.set, SIGTERM);
    sigaddset(&w.set, SIGINT);
    atomic_store(&w.listening, false);
    pthread_sigmask(SIG_BLOCK, &w.set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_t watcher;
    if (pthread_create(&watcher, NULL, watch_signals, &w) != 0) {
        fprintf(stderr, "joindots serve: cannot start the signal thread\n");
        return JD_EXIT_FAIL;
    }
    jd_error err;
    jd_error_clear(&err);
    jd_server *srv = NULL;
    int rc = jd_server_start(&srv, so, &err);
    if (rc < 0) {
        cli_print_error("cannot start the server", &err);
        return cli_exit_code(rc);
    }
    atomic_store(&w.listening, true);
    int port = jd_server_port(srv);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }
    char url[128];
    snprintf(url, sizeof url, "%s://%s:%d/", so->tls_cert ? "https" : "http", so->host, port);
    if (banner)
        banner(url, payload);
    fprintf(stderr, "joindots serve: listening on %s (stop with Ctrl-C or SIGTERM)\n", url);
    void *sig = NULL;
    pthread_join(watcher, &sig);
    fprintf(stderr, "joindots serve: stopping (finishing requests in flight)\n");
    jd_server_stop(srv, 10);
    fprintf(stderr, "joindots serve: stopped\n");
    return JD_EXIT_OK;
}

int cli_serve_demo(const char *db, const char *listen,
                   void (*banner)(const char *url, void *payload), void *payload)
{
    jd_server_opts so = JD_SERVER_OPTS_INIT;
    so.web_root = JD_WEB_ROOT;
    so.db = db;
    char host[64] = "127.0.0.1";
    if (listen && parse_listen(listen, host, sizeof host, &so.port) < 0) {
        fprintf(stderr, "joindots: --listen takes HOST:PORT, e.g. 127.0.0.1:8080\n");
        return JD_EXIT_USAGE;
    }
    so.host = host;
    return serve_until_signal(&so, NULL, banner, payload);
}

/* The options that take a number: --max-per-address (m), --request-deadline
 * (D), --escalate-every (E), --full-every (V), --feed-nice (N). */
static int number_opt(jd_server_opts *so, int o, const char *arg)
{
    static const struct {
        int o;
        const char *name;
        long lo, hi;
    } t[] = {{'m', "--max-per-address", 1, 64},
             {'D', "--request-deadline", 1, 600},
             {'E', "--escalate-every", 0, 86400},
             {'V', "--full-every", 0, 7 * 86400},
             {'N', "--feed-nice", 0, 19}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        long n;
        if (t[i].o != o)
            continue;
        if (cli_parse_range(t[i].name, arg, t[i].lo, t[i].hi, &n) < 0)
            return -1;
        if (o == 'N') {
            so->feed_nice = (int)n;
            return 0;
        }
        unsigned *dst = o == 'm'   ? &so->max_per_address
                        : o == 'D' ? &so->deadline_s
                        : o == 'E' ? &so->escalate_every_s
                                   : &so->full_every_s;
        *dst = (unsigned)n;
        return 0;
    }
    return -1;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"listen", required_argument, NULL, 'l'},
                                             {"tls-cert", required_argument, NULL, 'c'},
                                             {"tls-key", required_argument, NULL, 'k'},
                                             {"web", required_argument, NULL, 'w'},
                                             {"threads", required_argument, NULL, 't'},
                                             {"port-file", required_argument, NULL, 'p'},
                                             {"routes", no_argument, NULL, 'r'},
                                             {"max-per-address", required_argument, NULL, 'm'},
                                             {"request-deadline", required_argument, NULL, 'D'},
                                             {"host-name", required_argument, NULL, 'H'},
                                             {"feeds", required_argument, NULL, 'F'},
                                             {"escalate-every", required_argument, NULL, 'E'},
                                             {"incremental", no_argument, NULL, 'I'},
                                             {"resident", no_argument, NULL, 'K'},
                                             {"full", no_argument, NULL, 'U'},
                                             {"full-every", required_argument, NULL, 'V'},
                                             {"feed-nice", required_argument, NULL, 'N'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    jd_server_opts so = JD_SERVER_OPTS_INIT;
    so.web_root = JD_WEB_ROOT;
    char host[64] = "127.0.0.1";
    const char *port_file = NULL;
    bool full_every_given = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd':
            so.db = optarg;
            break;
        case 'l':
            if (parse_listen(optarg, host, sizeof host, &so.port) < 0) {
                fprintf(stderr, "joindots: --listen takes HOST:PORT, e.g. 127.0.0.1:8080\n");
                return JD_EXIT_USAGE;
            }
            break;
        case 'c':
            so.tls_cert = optarg;
            break;
        case 'k':
            so.tls_key = optarg;
            break;
        case 'w':
            so.web_root = optarg;
            break;
        case 't': {
            long n;
            if (cli_parse_range("--threads", optarg, 1, 64, &n) < 0)
                return JD_EXIT_USAGE;
            so.threads = (unsigned)n;
            break;
        }
        case 'p':
            port_file = optarg;
            break;
        case 'm':
        case 'D':
        case 'E':
        case 'V':
        case 'N':
            if (number_opt(&so, o, optarg) < 0)
                return JD_EXIT_USAGE;
            full_every_given = full_every_given || o == 'V';
            break;
        case 'H':
            so.host_name = optarg;
            break;
        case 'F':
            so.feeds_dir = optarg;
            break;
        case 'I':
        case 'U':
            so.incremental = o == 'I';
            break;
        case 'K':
            so.resident = true;
            break;
        case 'r':
            jd_server_print_routes(stdout);
            return JD_EXIT_OK;
        default:
            return cli_usage(usage, o == 'h');
        }
    }
    /* --full re-runs everything after each feed: --full-every means nothing */
    if (!so.db || optind != argc || (full_every_given && !so.incremental))
        return cli_usage(usage, false);
    so.host = host;
    return serve_until_signal(&so, port_file, NULL, NULL);
}
