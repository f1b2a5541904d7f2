/* joindots synth: write a synthetic county bundle with its ground truth. */
#include "cli.h"

#include <joindots/synth.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots synth --out DIR [--seed N] [--children N] [--years N]\n"
               "                      [--start DATE] [--networks K] [--scenario county|oxford]\n"
               "                      [--events N] [--identity-noise realistic|none]\n"
               "                      [--confounders basic|stories]\n"
               "\n"
               "Writes a synthetic county (interchange contract §1) and truth.json (§3) to\n"
               "DIR. Same options and seed, same bytes. Only invented people.\n"
               "  --events N   about N events (the number of children follows from it)\n"
               "  --scenario oxford   the shape and published numbers of the Oxfordshire\n"
               "                      case (six girls, seven men, 2004-2011) in a county\n"
               "  --identity-noise realistic   (default) sparse call-handling, housing and\n"
               "                      police rows, households, twins, namesakes, name and\n"
               "                      date-of-birth noise (docs/internals/synth.md)\n"
               "  --identity-noise none   the county as made before that noise existed\n"
               "  --confounders stories   add children who are not exploited, in the\n"
               "                      situations of tests/data/confounders/stories.md\n"
               "                      (sport and pet injuries, stolen phones, same-age\n"
               "                      relationships, siblings of victims, twins...), each\n"
               "                      a confounder group in truth.json; the county's own\n"
               "                      events are unchanged\n");
}

static int num(const char *s, long long lo, long long hi, long long *out)
{
    char *e;
    long long v = strtoll(s, &e, 10);
    if (*s == '\0' || *e || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cmd_synth(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},      {"seed", required_argument, NULL, 's'},
        {"children", required_argument, NULL, 'c'}, {"years", required_argument, NULL, 'y'},
        {"start", required_argument, NULL, 'b'},    {"networks", required_argument, NULL, 'n'},
        {"scenario", required_argument, NULL, 'x'}, {"events", required_argument, NULL, 'e'},
        {"identity-noise", required_argument, NULL, 'i'},
        {"confounders", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    jd_synth_opts so = JD_SYNTH_OPTS_INIT;
    const char *out = NULL;
    long long v;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'o': out = optarg; break;
        case 's':
            if (num(optarg, 0, 1LL << 62, &v))
                goto bad;
            so.seed = (uint64_t)v;
            break;
        case 'c':
            if (num(optarg, 50, 5000000, &v))
                goto bad;
            so.children = (int)v;
            break;
        case 'y':
            if (num(optarg, 1, 40, &v))
                goto bad;
            so.years = (int)v;
            break;
        case 'b': so.start = optarg; break;
        case 'n':
            if (num(optarg, 0, 12, &v))
                goto bad;
            so.networks = (int)v;
            break;
        case 'x': so.scenario = optarg; break;
        case 'e':
            if (num(optarg, 100, 100000000, &v))
                goto bad;
            so.events = v;
            break;
        case 'i':
            if (!strcmp(optarg, "realistic"))
                so.identity_noise = JD_SYNTH_NOISE_REALISTIC;
            else if (!strcmp(optarg, "none"))
                so.identity_noise = JD_SYNTH_NOISE_NONE;
            else
                goto bad;
            break;
        case 'C':
            if (!strcmp(optarg, "basic"))
                so.confounders = JD_SYNTH_CONFOUNDERS_BASIC;
            else if (!strcmp(optarg, "stories"))
                so.confounders = JD_SYNTH_CONFOUNDERS_STORIES;
            else
                goto bad;
            break;
        case 'h': usage(stdout); return JD_EXIT_OK;
        default: goto bad;
        }
    }
    if (!out || optind != argc)
        goto bad;
    jd_error err;
    jd_error_clear(&err);
    jd_synth_stats st;
    double t0 = cli_now();
    int rc = jd_synth_write(out, &so, &st, &err);
    if (rc < 0) {
        cli_print_error("synth", &err);
        return cli_exit_code(rc);
    }
    fprintf(stderr,
            "joindots: wrote %lld events, %lld person rows, %lld object rows in %.2f s:\n"
            "  %lld people (%lld children), %lld exploited children in %lld networks,\n"
            "  %lld unrecorded crimes (and %lld left-alone calls), %lld notes with victim-blaming"
            " language,\n"
            "  %lld refs used for one row (%lld of them sparse)\n",
            (long long)st.events, (long long)st.person_rows, (long long)st.object_rows,
            cli_now() - t0, (long long)st.people, (long long)st.children,
            (long long)st.exploited, (long long)st.networks, (long long)st.unrecorded_crimes,
            (long long)st.left_alone, (long long)st.blaming, (long long)st.one_row_refs, (long long)st.sparse_refs);
    return JD_EXIT_OK;
bad:
    usage(stderr);
    return JD_EXIT_USAGE;
}
