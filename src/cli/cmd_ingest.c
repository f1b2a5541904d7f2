/* joindots ingest: read agency export bundles into the store. */
#include "cli.h"

#include <joindots/ingest.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
    cli_progress progress;
    long shown, hidden; /* problems printed to stderr, and those left for `rejects` */
    bool quiet;
    /* Per-file lines, printed only once the transaction has committed: a run
     * that fails stores nothing and must not claim otherwise. */
    char *files;
    size_t files_len;
    FILE *out;
} ctx;

#define SHOW_PROBLEMS 20

static void on_problem(const jd_problem *p, void *payload)
{
    ctx *c = payload;
    if (c->shown >= SHOW_PROBLEMS || c->quiet) {
        c->hidden++;
        return;
    }
    c->shown++;
    cli_progress_end(&c->progress);
    fprintf(stderr, "joindots: %s:%ld:", p->file, p->line);
    if (p->column)
        fprintf(stderr, "%ld:", p->column);
    fprintf(stderr, " %s: %s%s%s\n", p->severity, p->field && *p->field ? p->field : "",
            p->field && *p->field ? ": " : "", p->message);
}

static void on_file(const jd_ingest_file_summary *f, void *payload)
{
    ctx *c = payload;
    cli_progress_end(&c->progress);
    if (f->skipped) {
        fprintf(c->out, "%-28s %-8s skipped: identical to a file already ingested\n", f->name, f->kind);
        return;
    }
    const jd_ingest_counts *k = &f->counts;
    fprintf(c->out, "%-28s %-8s read %8lld  stored %8lld  updated %6lld  unchanged %8lld  rejected %6lld"
           "  warnings %6lld  %9.0f rows/s\n",
           f->name, f->kind, (long long)k->read, (long long)k->stored, (long long)k->updated,
           (long long)k->unchanged, (long long)k->rejected, (long long)k->warnings,
           f->seconds > 0 ? (double)k->read / f->seconds : 0.0);
}

static void on_progress(uint64_t done, uint64_t total, uint64_t rows, void *payload)
{
    ctx *c = payload;
    cli_progress_update(&c->progress, done, rows);
    (void)total;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots ingest --db FILE [--mapping MAP] [--strict] [--quiet] [--reread]\n"
               "                       [--future-tolerance D] [--now T] BUNDLE...\n"
               "\n"
               "Reads agency export bundles (folders of events*.csv, persons*.csv and\n"
               "objects*.csv, or single such files) into the store, in one transaction.\n"
               "Bad rows are quarantined (list them with `joindots rejects`); a fatal\n"
               "problem leaves the store exactly as it was.\n"
               "\n"
               "  --db FILE   the store (SQLite file; created if missing)\n"
               "  --strict    exit 6 if any row was quarantined\n"
               "  --quiet     do not print problems, only the summary\n"
               "  --reread    read files even if identical bytes were ingested before\n"
               "  --mapping MAP  read CSV files of another layout through a column mapping\n"
               "              (docs/mapping.md); BUNDLE may then be any CSV file\n"
               "  --future-tolerance D  how far after the ingest time a date may lie before\n"
               "              its row is quarantined as in the future: N[s|m|h|d] (default 2h)\n"
               "  --now T     take T (a date-time) as the ingest time, e.g. to re-run an old\n"
               "              export as it was first read (default: the clock)\n");
}

/* "90", "90s", "15m", "2h", "1d" -> seconds; -1 if not a duration. */
static int64_t parse_duration(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0 || v > 3650LL * 86400)
        return -1;
    int64_t unit = !*end || !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60
                 : !strcmp(end, "h") ? 3600 : !strcmp(end, "d") ? 86400 : 0;
    return unit ? (int64_t)v * unit : -1;
}

int cmd_ingest(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'}, {"strict", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},    {"reread", no_argument, NULL, 'r'},
        {"mapping", required_argument, NULL, 'm'},
        {"future-tolerance", required_argument, NULL, 'F'},
        {"now", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0}};
    int64_t tolerance = JD_INGEST_FUTURE_TOLERANCE, now = 0;
    const char *db = NULL, *mapping = NULL;
    bool strict = false, reread = false;
    ctx c = {0};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd': db = optarg; break;
        case 's': strict = true; break;
        case 'q': c.quiet = true; break;
        case 'r': reread = true; break;
        case 'm': mapping = optarg; break;
        case 'F':
            if ((tolerance = parse_duration(optarg)) < 0) {
                fprintf(stderr, "joindots: --future-tolerance: not a duration: %s\n", optarg);
                return JD_EXIT_USAGE;
            }
            break;
        case 'N':
            if (jd_time_parse(&now, optarg, 0) != JD_OK || now == 0) {
                fprintf(stderr, "joindots: --now: not a date or date-time: %s\n", optarg);
                return JD_EXIT_USAGE;
            }
            break;
        default: return cli_usage(usage, o == 'h');
        }
    }
    if (!db || optind >= argc)
        return cli_usage(usage, false);
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    int rc = cli_store_open(&s, db, true, false);
    if (rc != JD_EXIT_OK)
        return rc;
    c.out = open_memstream(&c.files, &c.files_len);
    if (!c.out) {
        jd_store_close(s);
        fprintf(stderr, "joindots: out of memory\n");
        return JD_EXIT_FAIL;
    }
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    io.on_file = on_file;
    io.on_problem = on_problem;
    io.on_progress = on_progress;
    io.payload = &c;
    io.skip_identical_files = !reread;
    io.mapping = mapping;
    io.future_tolerance = tolerance;
    io.now = now;
    jd_ingest_counts t = {0};
    cli_progress_start(&c.progress, "ingest", 0);
    double t0 = cli_now();
    rc = jd_ingest_bundles(s, (const char *const *)argv + optind, (size_t)(argc - optind), &io,
                           &t, &err);
    double secs = cli_now() - t0;
    cli_progress_end(&c.progress);
    jd_store_close(s);
    fclose(c.out);
    if (rc < 0) {
        free(c.files);
        cli_print_error("ingest failed; nothing was stored", &err);
        return cli_exit_code(rc);
    }
    fwrite(c.files, 1, c.files_len, stdout);
    free(c.files);
    if (c.hidden)
        fprintf(stderr, "joindots: %ld more problems not shown (see joindots rejects --db %s%s)\n",
                c.hidden, db, " --warnings");
    printf("total: read %lld, stored %lld, updated %lld, unchanged %lld, rejected %lld, "
           "warnings %lld in %.2f s\n",
           (long long)t.read, (long long)t.stored, (long long)t.updated, (long long)t.unchanged,
           (long long)t.rejected, (long long)t.warnings, secs);
    if (strict && t.rejected)
        return JD_EXIT_REJECTS;
    return JD_EXIT_OK;
}
