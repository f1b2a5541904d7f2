/*
 * One pass of a partitioned analysis (issue 20), measured: the subset load
 * of the persons whose key falls in partition k of K (FNV-1a % K, as
 * `analyse --partitions`; hops 0: their events with every mention), then
 * with "run" the screening and the risk walk on it (no networks, no save).
 * K = 0 loads everything. Prints the rows loaded, the CPU of the load and
 * of the run, and the peak RSS; with OUT, the run's alerts as JSON Lines
 * there. "scan" and "scanrun" load partition k instead through the
 * partition load (jd_snapshot__parts, then the store's scans with the
 * partition's events only; k = -1: all K in turn). Used by
 * bench/part_bench.sh.
 *
 *   part_pass DB KEYFILE K k load|run|scan|scanrun [OUT]
 */
#include "analyse/analyse_internal.h"

#include <joindots/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The keys of partition k of K from the file, one a line. */
static char **read_keys(const char *path, int K, int k, size_t *n)
{
    FILE *f = fopen(path, "r");
    char line[600], **v = NULL;
    size_t cap = 0;
    *n = 0;
    if (!f)
        return NULL;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (K > 1 && (int)(jd_hash64(line, strlen(line), 0) % (uint64_t)K) != k)
            continue;
        if (jd_grow((void **)&v, &cap, *n + 1, sizeof *v) < 0 || !(v[*n] = strdup(line)))
            break;
        (*n)++;
    }
    fclose(f);
    return v ? v : calloc(1, sizeof *v); /* no keys: an empty list */
}

/* Load (and with run, screen and walk) one snapshot: the subset of keys,
 * or with P partition k of P's (the scan), or the whole. */
static int pass(jd_store *s, char **keys, size_t n, int K, const jd_snapshot_parts *P, int k,
                bool run, FILE *out, jd_error *err)
{
    jd_snapshot S;
    jd_snapshot_opts so = {JD_AS_OF_NOW, false, K > 0 && !P ? (const char *const *)keys : NULL,
                           n, 0, P, k, false};
    double t0 = cpu();
    int rc = jd_snapshot__load(&S, s, &so, err);
    double load = cpu() - t0;
    if (rc == JD_OK)
        printf("pass %d: %zu events, %zu mentions, %zu persons, %zu walked; load CPU %.2f s\n", k,
               S.nev, S.nm, S.np, S.nwalk, load);
    if (rc == JD_OK && run) {
        jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
        ao.threads = 1;
        jd_analyse_stats st;
        t0 = cpu();
        if ((rc = jd_an__run(&S, s, &ao, NULL, NULL, out, &st, err)) == JD_OK)
            printf("%lld alerts, %lld children; screening and walk CPU %.2f s\n",
                   (long long)st.alerts, (long long)st.children, cpu() - t0);
    }
    jd_snapshot__dispose(&S);
    return rc;
}

/* The passes asked for: the subset load (load, run), or partition k of K
 * through the scan (scan, scanrun; k = -1: every partition in turn, after
 * the one scan that marks them). */
static int passes(jd_store *s, char **keys, size_t n, int K, int k, const char *mode, FILE *out,
                  jd_error *err)
{
    bool scan = !strncmp(mode, "scan", 4), run = strstr(mode, "run") != NULL;
    if (!scan || K < 1)
        return pass(s, keys, n, K, NULL, k, run, out, err);
    jd_snapshot_parts P;
    double t0 = cpu();
    int rc = jd_snapshot__parts(&P, s, JD_AS_OF_NOW, K, err);
    printf("partition marks: CPU %.2f s\n", cpu() - t0);
    for (int i = k < 0 ? 0 : k; rc == JD_OK && i < (k < 0 ? K : k + 1); i++)
        rc = pass(s, keys, n, K, &P, i, run, out, err);
    jd_snapshot__parts_free(&P);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: part_pass DB KEYFILE K k load|run|scan|scanrun [OUT]\n");
        return 2;
    }
    int K = atoi(argv[3]), k = atoi(argv[4]);
    size_t n;
    char **keys = read_keys(argv[2], K, k, &n);
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    jd_store_opts o = JD_STORE_OPTS_INIT;
    o.create = false;
    if (!keys || jd_store_open(&s, argv[1], &o, &err) < 0) {
        fprintf(stderr, "part_pass: cannot read the keys or open the store: %s\n", err.msg);
        return 1;
    }
    FILE *out = argc == 7 ? fopen(argv[6], "w") : NULL;
    int rc = argc == 7 && !out ? jd_error_set(&err, JD_EIO, "cannot write %s", argv[6])
                               : passes(s, keys, n, K, k, argv[5], out, &err);
    if (out && fclose(out) != 0 && rc == JD_OK)
        rc = jd_error_set(&err, JD_EIO, "cannot write %s", argv[6]);
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    if (rc == JD_OK)
        printf("peak RSS %ld KiB, CPU %.2f s\n", u.ru_maxrss, cpu());
    else
        fprintf(stderr, "part_pass: %s\n", err.msg);
    jd_store_close(s);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return rc == JD_OK ? 0 : 1;
}
