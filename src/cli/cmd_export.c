/* joindots export: machine-readable outputs (contract §2) on stdout. */
#include "cli.h"

#include <joindots/analyse.h>
#include <joindots/audit.h>
#include <joindots/concern.h>
#include <joindots/identity.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots export identities --db FILE [--user NAME] [--reason TEXT]\n"
               "       joindots export alerts --db FILE [--as-of T] [--rules FILE]\n"
               "                                [--user NAME] [--reason TEXT]\n"
               "\n"
               "  Every export is written to the audit log first (who: --user, default\n"
               "  $USER or \"cli\"; what; why: --reason); no audit entry, no export.\n"
               "\n"
               "  identities   one JSON line per resolved person (contract §2.1); every\n"
               "               person_ref appears in exactly one line\n"
               "  alerts       one JSON line per alert (contract §2.2), ordered by id: those\n"
               "               `joindots analyse` stored when nothing was ingested or\n"
               "               resolved since, else from a fresh analysis of what was\n"
               "               known by T (default: all),\n"
               "               with an `escalation` alert per concern that rose a rung\n"
               "               (id escalation:concern:ID, history of rungs reached)\n");
}

/* The export failed after it was recorded: say so in the log too. */
static void audit_failure(jd_store *s, const jd_audit_entry *ae, const jd_error *why)
{
    char detail[300];
    snprintf(detail, sizeof detail, "failed: %.280s", why->msg);
    jd_audit_entry e = *ae;
    e.detail = detail;
    e.ok = false;
    jd_error aerr;
    if (jd_audit_append(s, &e, NULL, &aerr) < 0)
        cli_print_error("cannot write the audit log", &aerr);
}

/* The store closed after an export that returned rc, its failure recorded
 * and printed first; the exit status. */
static int finish(jd_store *s, const jd_audit_entry *ae, int rc, jd_error *err)
{
    if (rc < 0)
        audit_failure(s, ae, err);
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("export failed", err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                              {"as-of", required_argument, NULL, 'a'},
                                              {"rules", required_argument, NULL, 'r'},
                                              {"user", required_argument, NULL, 'u'},
                                              {"reason", required_argument, NULL, 'w'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    cli_common co = CLI_COMMON_INIT;
    int o, stop;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
        if ((stop = cli_common_opt(&co, o, optarg, usage)) >= 0)
            return stop;
    bool alerts = optind == argc - 1 && !strcmp(argv[optind], "alerts");
    if (!co.db || optind != argc - 1 || (!alerts && strcmp(argv[optind], "identities") != 0))
        return cli_usage(usage, false);
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    /* Writable: the audit log records the export first (DOMAIN §5.2); no
     * entry, no export. */
    char detail[80] = "";
    if (alerts && co.as_of != JD_AS_OF_NOW)
        snprintf(detail, sizeof detail, "as_of=%lld", (long long)co.as_of);
    jd_audit_entry ae = {.actor = cli_actor(co.user),
                         .action = "export",
                         .target = alerts ? "export:alerts" : "export:identities",
                         .reason = co.reason,
                         .detail = detail,
                         .ok = true};
    int rc =
        cli_audited_open(&s, co.db, "export", co.user, ae.action, ae.target, co.reason, detail);
    if (rc != JD_EXIT_OK)
        return rc;
    int64_t n = 0;
    if (alerts) {
        /* the analysis alerts plus the escalation alerts of concerns (issue 7) */
        jd_escalate_opts opts = JD_ESCALATE_OPTS_INIT;
        jd_escalate_stats st;
        opts.rules_path = co.rules;
        opts.alerts_out = stdout;
        opts.stored = true; /* what `analyse` stored, when it is current */
        rc = jd_escalate_run(s, co.as_of, 0, &opts, &st, &err);
        if ((rc = finish(s, &ae, rc, &err)) != JD_EXIT_OK)
            return rc;
        fprintf(stderr, "joindots: %lld alerts written (%s)\n", (long long)st.alerts,
                st.stored ? "as the last analysis stored them"
                          : "from a fresh analysis: none stored, or ingest or resolve ran since");
        return JD_EXIT_OK;
    }
    rc = jd_identities_export(s, stdout, &n, &err);
    if ((rc = finish(s, &ae, rc, &err)) != JD_EXIT_OK)
        return rc;
    fprintf(stderr, "joindots: %lld identities written\n", (long long)n);
    return JD_EXIT_OK;
}
