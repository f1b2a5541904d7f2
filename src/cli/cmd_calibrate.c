/* joindots calibrate: the share of exploited and non-exploited children at
 * each level, and the score thresholds for high that meet a false-alarm
 * target, on a labelled synthetic county. */
#include "cli.h"

#include <joindots/score.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots calibrate --truth truth.json --alerts FILE [--target RATE]\n"
               "                          [--group-target RATE] [--json]\n"
               "\n"
               "On a labelled county (`joindots synth`, best with --confounders stories) and\n"
               "its alerts (`joindots export alerts`): the share of exploited and of\n"
               "non-exploited children reaching each level, by confounder group, and for\n"
               "each score threshold for high the false alarms (overall and in the worst\n"
               "group), recall and median delay; proposes the lowest threshold that meets\n"
               "the targets. Put the chosen one in the catalogue's scoring.levels and the\n"
               "figures in docs/risk.md.\n"
               "  --target RATE        false alarms at high overall (default 0.01)\n"
               "  --group-target RATE  in every confounder group (default 0.03)\n");
}

static int rate(const char *s, double *out)
{
    char *e;
    double v = strtod(s, &e);
    if (!*s || *e || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}

int cmd_calibrate(int argc, char **argv)
{
    static const struct option longopts[] = {{"truth", required_argument, NULL, 't'},
                                             {"alerts", required_argument, NULL, 'a'},
                                             {"target", required_argument, NULL, 'r'},
                                             {"group-target", required_argument, NULL, 'g'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *truth = NULL, *alerts = NULL;
    double target = 0.01, group = 0.03;
    bool json = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 't':
            truth = optarg;
            break;
        case 'a':
            alerts = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'r':
            if (rate(optarg, &target))
                goto bad;
            break;
        case 'g':
            if (rate(optarg, &group))
                goto bad;
            break;
        case 'h':
            usage(stdout);
            return JD_EXIT_OK;
        default:
            goto bad;
        }
    }
    if (!truth || !alerts || optind != argc)
        goto bad;
    jd_error err;
    jd_error_clear(&err);
    int rc = jd_score_calibrate(truth, alerts, target, group, stdout, json, &err);
    if (rc < 0) {
        cli_print_error("calibrate", &err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
bad:
    usage(stderr);
    return JD_EXIT_USAGE;
}
