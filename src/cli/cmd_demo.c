/*
 * joindots demo: the main job on the embedded SQLite default. Writes the
 * shipped synthetic bundle, ingests it, resolves nothing yet beyond what is
 * built, and prints what the store now holds: summary, quarantine, one
 * child's joined chronology and the identities export.
 */
#include "cli.h"

#include <joindots/chronology.h>
#include <joindots/demo.h>
#include <joindots/identity.h>
#include <joindots/ingest.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void on_file(const jd_ingest_file_summary *f, void *payload)
{
    (void)payload;
    printf("  %-22s %-8s read %3lld  stored %3lld  rejected %2lld  warnings %2lld\n", f->name,
           f->kind, (long long)f->counts.read, (long long)f->counts.stored,
           (long long)f->counts.rejected, (long long)f->counts.warnings);
}

static int show_reject(const jd_problem *p, void *payload)
{
    (void)payload;
    printf("  %s:%ld:%ld %s%s%s\n", p->file, p->line, p->column, p->field,
           *p->field ? ": " : "", p->message);
    return 0;
}

static int show_event(const jd_chrono_event *e, void *payload)
{
    (void)payload;
    char when[32];
    jd_time_format(when, e->occurred_at);
    when[16] = '\0';
    printf("  %s  %-10s %-20s %s\n", when, e->agency, e->event_type,
           e->narrative ? e->narrative : "");
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots demo [--dir DIR]\n"
               "\n"
               "Writes a small synthetic multi-agency bundle to DIR (default: a new folder\n"
               "under /tmp), ingests it into DIR/joindots.db and shows what joindots holds.\n");
}

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {{"dir", required_argument, NULL, 'd'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd': dir = optarg; break;
        case 'h': usage(stdout); return JD_EXIT_OK;
        default: usage(stderr); return JD_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return JD_EXIT_USAGE;
    }
    char tmpl[] = "/tmp/joindots-demo.XXXXXX";
    if (!dir) {
        dir = mkdtemp(tmpl);
        if (!dir) {
            perror("joindots: mkdtemp");
            return JD_EXIT_FAIL;
        }
    } else if (mkdir(dir, 0700) != 0 && access(dir, W_OK) != 0) {
        perror(dir);
        return JD_EXIT_FAIL;
    }
    char bundle[4096], db[4096];
    snprintf(bundle, sizeof bundle, "%s/bundle", dir);
    snprintf(db, sizeof db, "%s/joindots.db", dir);
    jd_error err;
    jd_error_clear(&err);
    int rc = jd_demo_write_bundle(bundle, &err);
    if (rc < 0) {
        cli_print_error("demo bundle", &err);
        return cli_exit_code(rc);
    }
    printf("joindots %s demo: synthetic data only\n\n", jd_version());
    printf("1. Ingest the demo bundle (%s) into %s\n", bundle, db);
    jd_store *s = NULL;
    jd_store_opts so = JD_STORE_OPTS_INIT;
    if ((rc = jd_store_open(&s, db, &so, &err)) < 0) {
        cli_print_error("cannot open the store", &err);
        return cli_exit_code(rc);
    }
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    io.on_file = on_file;
    jd_ingest_counts t;
    const char *bundles[] = {bundle};
    if ((rc = jd_ingest_bundles(s, bundles, 1, &io, &t, &err)) < 0) {
        cli_print_error("ingest", &err);
        jd_store_close(s);
        return cli_exit_code(rc);
    }
    jd_store_counts c;
    if ((rc = jd_store_counts_get(s, &c, &err)) < 0) {
        cli_print_error("counts", &err);
        jd_store_close(s);
        return cli_exit_code(rc);
    }
    printf("\n2. The store now holds %lld events, %lld person mentions (%lld person_refs),\n"
           "   %lld objects and %lld places; %lld rows were quarantined, %lld kept with a "
           "warning:\n",
           (long long)c.events, (long long)c.persons, (long long)c.person_refs,
           (long long)c.objects, (long long)c.locations, (long long)c.rejects,
           (long long)c.warnings);
    (void)jd_store_problems(s, false, show_reject, NULL, &err);
    printf("\n3. One child's chronology across agencies (police ref N1001):\n");
    if ((rc = jd_chronology(s, "police:N1001", JD_AS_OF_NOW, show_event, NULL, &err)) < 0)
        cli_print_error("chronology", &err);
    printf("\n4. Identities (contract 2.1), before identity resolution:\n");
    int64_t n = 0;
    fflush(stdout);
    if ((rc = jd_identities_export(s, stdout, &n, &err)) < 0)
        cli_print_error("identities", &err);
    jd_store_close(s);
    printf("\nExplore further:\n"
           "  joindots chronology --db %s police:N1001 --format json\n"
           "  joindots rejects --db %s --warnings\n"
           "  joindots export identities --db %s\n",
           db, db, db);
    return rc < 0 ? cli_exit_code(rc) : JD_EXIT_OK;
}
