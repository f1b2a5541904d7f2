/* joindots score: accuracy of identities and alerts against a truth.json. */
#include "cli.h"

#include <joindots/score.h>

#include <getopt.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots score --truth truth.json [--identities FILE] [--alerts FILE]\n"
               "                      [--baseline singletons] [--json]\n"
               "\n"
               "Compares joindots' outputs (JSON Lines of `joindots export identities` and\n"
               "`joindots export alerts`) with a synthetic county's truth and prints\n"
               "precision, recall, F1, detection delays, false alarms by confounder group\n"
               "and alert rates by ethnicity. Missing outputs score as zero.\n"
               "  --baseline singletons   score one identity per person_ref\n");
}

int cmd_score(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"truth", required_argument, NULL, 't'},    {"identities", required_argument, NULL, 'i'},
        {"alerts", required_argument, NULL, 'a'},   {"baseline", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},           {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *truth = NULL, *ids = NULL, *alerts = NULL;
    bool json = false, singletons = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 't': truth = optarg; break;
        case 'i': ids = optarg; break;
        case 'a': alerts = optarg; break;
        case 'j': json = true; break;
        case 'b':
            if (strcmp(optarg, "singletons"))
                return cli_usage(usage, false);
            singletons = true;
            break;
        default: return cli_usage(usage, o == 'h');
        }
    }
    if (!truth || optind != argc)
        return cli_usage(usage, false);
    jd_error err;
    jd_error_clear(&err);
    jd_score_report r;
    int rc = jd_score_run(&r, truth, ids, alerts, singletons, &err);
    if (rc == JD_OK) {
        rc = jd_score_print(&r, stdout, json, &err);
        jd_score_report_dispose(&r);
    }
    if (rc < 0) {
        cli_print_error("score", &err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
}
