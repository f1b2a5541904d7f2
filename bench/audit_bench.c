/*
 * The audit path alone (issue 17, the web's p99): THREADS request threads,
 * each with its own store handle on STORE as the server's are, append a
 * read's audit row through the server's group commit (jd_audit queued,
 * jd_audit_finish waits for its commit, reply.c) for SECONDS, with no HTTP
 * and no route. Prints rows/s, transactions (each one fsync of the audit
 * file's WAL, synchronous = FULL) per second and rows per transaction, and
 * the p50/p99/max of a request's wait for its row (the phases' audit_ms).
 * The same source builds against the base's server library for an A/B:
 * it uses only the group commit's fields that predate the phases' split.
 *
 *   bench/audit_bench STORE THREADS SECONDS
 *
 * STORE is made if missing (a scratch file: its -audit file grows by
 * about 300 bytes a row). Run it on a quiet disk or alternate A and B.
 */
#include "server_internal.h"

#include <joindots/audit.h>
#include <joindots/store.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    jd_server *srv;
    const char *path;
    double until;
    double *lat;
    size_t n, cap;
    int failed;
    int id;
} worker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
    worker *w = arg;
    jd_store *s = NULL;
    jd_error err = {0};
    jd_store_opts o = JD_STORE_OPTS_INIT;
    if (jd_store_open(&s, w->path, &o, &err) < 0) {
        fprintf(stderr, "audit_bench: %s\n", err.msg);
        w->failed = 1;
        return NULL;
    }
    caller who = {.authed = false};
    snprintf(who.addr, sizeof who.addr, "10.0.0.%d", w->id);
    char target[64];
    for (long k = 0; now_s() < w->until; k++) {
        api_ctx c = {.srv = w->srv, .store = s, .who = &who, .audit_defer = true};
        snprintf(target, sizeof target, "person:P%06ld", (long)w->id * 1000000L + k);
        double t0 = now_s();
        if (jd_audit(&c, "person.view", target, "bench", "route=/api/persons/{id}", true) !=
                JD_OK ||
            jd_audit_finish(&c) != JD_OK) {
            w->failed = 1;
            break;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            double *g = realloc(w->lat, w->cap * sizeof *g);
            if (!g) {
                w->failed = 1;
                break;
            }
            w->lat = g;
        }
        w->lat[w->n++] = now_s() - t0;
    }
    jd_store_close(s);
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: audit_bench STORE THREADS SECONDS\n");
        return 2;
    }
    int nt = atoi(argv[2]);
    double secs = atof(argv[3]);
    if (nt < 1 || nt > 256 || secs <= 0) {
        fprintf(stderr, "audit_bench: THREADS 1-256, SECONDS > 0\n");
        return 2;
    }
    jd_store *s = NULL;
    jd_error err = {0};
    jd_store_opts o = JD_STORE_OPTS_INIT;
    if (jd_store_open(&s, argv[1], &o, &err) < 0) { /* made and migrated once */
        fprintf(stderr, "audit_bench: %s\n", err.msg);
        return 1;
    }
    jd_store_close(s);
    jd_server *srv = calloc(1, sizeof *srv);
    worker *w = calloc((size_t)nt, sizeof *w);
    pthread_t *th = calloc((size_t)nt, sizeof *th);
    if (!srv || !w || !th)
        return 1;
    pthread_mutex_init(&srv->audit_mu, NULL);
    pthread_cond_init(&srv->audit_cv, NULL);
    srv->audit_tail = &srv->audit_q;
    srv->audit_group = true;
    double t0 = now_s(), until = t0 + secs;
    for (int i = 0; i < nt; i++) {
        w[i] = (worker){.srv = srv, .path = argv[1], .until = until, .id = i + 1};
        pthread_create(&th[i], NULL, run, &w[i]);
    }
    size_t total = 0;
    int failed = 0;
    for (int i = 0; i < nt; i++) {
        pthread_join(th[i], NULL);
        total += w[i].n;
        failed |= w[i].failed;
    }
    double wall = now_s() - t0;
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < nt; i++) {
        if (w[i].n)
            memcpy(all + k, w[i].lat, w[i].n * sizeof *all);
        k += w[i].n;
        free(w[i].lat);
    }
    qsort(all, total, sizeof *all, cmp_d);
    long long commits = atomic_load(&srv->audit_commits), rows = atomic_load(&srv->audit_rows);
    printf("threads=%d seconds=%.1f rows=%lld rows_per_s=%.0f commits=%lld commits_per_s=%.0f "
           "rows_per_commit=%.2f wait_p50_ms=%.2f wait_p99_ms=%.2f wait_max_ms=%.2f failed=%d\n",
           nt, wall, rows, (double)rows / wall, commits, (double)commits / wall,
           commits ? (double)rows / (double)commits : 0.0, total ? all[total / 2] * 1e3 : 0.0,
           total ? all[(size_t)((double)total * 0.99)] * 1e3 : 0.0,
           total ? all[total - 1] * 1e3 : 0.0, failed);
    free(all);
    free(w);
    free(th);
    free(srv);
    return failed;
}
