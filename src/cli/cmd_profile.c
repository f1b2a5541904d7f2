/* joindots profile: an adult, a vehicle, a phone or a place; hotspots; the
 * exploitation-network graph. */
#include "cli.h"

#include <joindots/network.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: joindots profile --db FILE [--as-of T] [--json] [--rules FILE] SUBJECT\n"
            "       joindots profile --db FILE [--as-of T] [--json] --hotspots [--min-children N]\n"
            "       joindots profile --db FILE [--as-of T] --graph [--format json|graphml]\n"
            "\n"
            "SUBJECT is a person_id or AGENCY:REF, vehicle:MARK, phone:NUMBER or place:TEXT\n"
            "(without a prefix a mark or number seen in the records, else a place). Shows the\n"
            "exploitation networks naming it, the children linked to it and when, through\n"
            "what, and every record about it, oldest first. Places written another way\n"
            "(\"Cowley Rd\" / \"Cowley Road\") are the same place.\n"
            "  --hotspots   places where N (default 2) or more children at risk were found,\n"
            "               stopped, seen or returned from, with the adults and vehicles there\n"
            "  --graph      the network graph (persons, vehicles, phones, addresses, networks)\n"
            "               as JSON or GraphML on stdout\n"
            "  --user NAME, --reason TEXT   who and why, for the audit log (default\n"
            "               $USER or \"cli\"); every profile is written there first, so the\n"
            "               store must be writable; no audit entry, nothing shown\n");
}

int cmd_profile(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},    {"as-of", required_argument, NULL, 'a'},
        {"rules", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
        {"hotspots", no_argument, NULL, 'H'},    {"min-children", required_argument, NULL, 'm'},
        {"graph", no_argument, NULL, 'g'},       {"format", required_argument, NULL, 'f'},
        {"user", required_argument, NULL, 'u'},  {"reason", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    cli_common co = CLI_COMMON_INIT;
    jd_profile_opts po = JD_PROFILE_OPTS_INIT;
    bool hot = false, graph = false;
    jd_graph_format gf = JD_GRAPH_JSON;
    int o, rc;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'j':
            po.json = true;
            break;
        case 'H':
            hot = true;
            break;
        case 'g':
            graph = true;
            break;
        case 'm': {
            long n;
            if (cli_parse_range("--min-children", optarg, 1, 1000, &n) < 0)
                return JD_EXIT_USAGE;
            po.min_children = (int)n;
            break;
        }
        case 'f':
            if (!strcmp(optarg, "json")) {
                gf = JD_GRAPH_JSON;
            } else if (!strcmp(optarg, "graphml")) {
                gf = JD_GRAPH_GRAPHML;
            } else {
                fprintf(stderr, "joindots: --format is json or graphml\n");
                return JD_EXIT_USAGE;
            }
            break;
        default:
            if ((rc = cli_common_opt(&co, o, optarg, usage)) >= 0)
                return rc;
        }
    }
    po.as_of = co.as_of;
    po.rules_path = co.rules;
    int left = argc - optind;
    if (!co.db || (hot && graph) || ((hot || graph) ? left != 0 : left != 1))
        return cli_usage(usage, false);
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    /* Audited first: no audit entry, no profile (DOMAIN §5.2). */
    char target[300], detail[64] = "";
    snprintf(target, sizeof target, "%s%.280s", hot ? "hotspots" : graph ? "graph" : "profile:",
             hot || graph ? "" : argv[optind]);
    if (po.as_of != JD_AS_OF_NOW)
        snprintf(detail, sizeof detail, "as_of=%lld", (long long)po.as_of);
    rc = cli_audited_open(&s, co.db, "profile", co.user, "view", target, co.reason, detail);
    if (rc != JD_EXIT_OK)
        return rc;
    if (hot)
        rc = jd_hotspots(s, &po, stdout, &err);
    else if (graph)
        rc = jd_network_graph(s, gf, &po, stdout, &err);
    else
        rc = jd_profile(s, argv[optind], &po, stdout, &err);
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("profile failed", &err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
}
