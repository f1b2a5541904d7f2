/*
 * joindots serve: the HTTP server of the web application (issue 8). HTTP
 * in, library calls out: no business logic lives here (STYLE §1).
 *
 * libmicrohttpd with an internal thread pool; every request borrows a
 * store handle from a small pool (a handle is used by one thread at a
 * time). The person index and the alerts are loaded at start and
 * reloaded whenever the store's change counter moves (live.c), so the
 * server is always current without a restart.
 */
#ifndef JD_SERVER_H
#define JD_SERVER_H

#include <joindots/joindots.h>
#include <joindots/network.h>
#include <joindots/query.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct jd_server_opts {
    const char *db;
    const char *host;     /* "127.0.0.1" */
    int port;             /* 8080; 0 picks a free port */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    const char *web_root; /* static files */
    unsigned threads;     /* worker threads (and store handles) */
    unsigned max_connections;
    unsigned timeout_s;   /* per-connection idle timeout */
    size_t max_body;      /* request bodies above this get 413 */
    int login_per_minute; /* failed logins per client address per minute */
    unsigned max_per_address; /* connections from one client address (<= max_connections) */
    unsigned deadline_s;      /* a whole request (headers and body) arrives within this */
    const char *host_name;    /* another name the Host header may give (a proxy's), or NULL */
    /* Live operation (issue 17, live.c and feeds.c). */
    const char *feeds_dir;     /* the drop folder of agencies' feeds to watch, or NULL */
    unsigned escalate_every_s; /* the escalation engine's own schedule; 0: only after feeds */
    size_t max_feed_body;      /* bytes of one feed upload (POST /api/feeds/{agency}) */
    unsigned check_ms;         /* how often the store's change counter is read */
    bool incremental;          /* after feeds: the urgent-call fast path, then an incremental
                                  analysis and escalation (jd_analyse_incremental); the
                                  default (`serve --full`: false, a full re-run each time) */
    unsigned full_every_s;     /* after incremental updates, a full analysis and escalation at
                                  most this often (networks, clocks of untouched persons, the
                                  board's counts and hotspots); 0: never (a nightly batch) */
    int feed_nice; /* added to the server's nice for the live thread's background lane (0-19;
                      default 0, off): a feed's resolve, analysis and escalation behind the
                      requests (issue 17); ingest and the urgent lane keep the server's */
    bool resident;             /* keep the county's mentions in memory between feeds' resolves
                                  (jd_resolve_resident, read at the start): off by default */
} jd_server_opts;

#define JD_SERVER_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, "127.0.0.1", 8080, NULL, NULL, NULL, 4, 64, 30, 65536, 20, 8, 10, NULL, NULL, 300,   \
            (size_t)64 << 20, 1000, true, 3600, 0, false                                           \
    }

typedef struct jd_server jd_server;

/* Load the store, the person index and the alerts, and start listening.
 * Returns JD_OK, JD_EINVALID (address, TLS files), JD_EIO (cannot bind),
 * JD_ESTORE. */
int jd_server_start(jd_server **out, const jd_server_opts *opts, jd_error *err);
/* The port actually bound (for --listen HOST:0). */
int jd_server_port(const jd_server *srv);
/* Print the API routes ("METHOD PATTERN ROLES" a line), for the test
 * that checks docs/openapi.yaml describes each. */
void jd_server_print_routes(FILE *f);
/* Stop accepting, let requests in flight finish (up to grace_s seconds),
 * then stop and free everything. */
void jd_server_stop(jd_server *srv, unsigned grace_s);

#endif
