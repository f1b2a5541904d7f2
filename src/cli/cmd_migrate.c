/*
 * joindots migrate --from FILE.db --to postgres://...: copy a whole SQLite
 * store into an empty PostgreSQL one (jd_store_copy).
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots migrate --from FILE.db --to postgres://USER@HOST/DBNAME\n"
               "\n"
               "Copies every table of a SQLite store (facts with their history, quarantine,\n"
               "identities, alerts, concerns, accounts, the audit chain) into an empty\n"
               "PostgreSQL database, in one transaction, and checks the row counts. The\n"
               "password comes from PGPASSFILE (or ~/.pgpass) or PGPASSWORD, never from the\n"
               "location. Then `joindots audit verify --db postgres://...` checks the chain.\n");
}

int cmd_migrate(int argc, char **argv)
{
    static const struct option longopts[] = {{"from", required_argument, NULL, 'f'},
                                              {"to", required_argument, NULL, 't'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'f':
            from = optarg;
            break;
        case 't':
            to = optarg;
            break;
        default:
            return cli_usage(usage, o == 'h');
        }
    }
    if (!from || !to || optind != argc)
        return cli_usage(usage, false);
    jd_error err;
    jd_error_clear(&err);
    jd_store_copy_stats st;
    int rc = jd_store_copy(from, to, &st, &err);
    if (rc < 0) {
        cli_print_error("cannot copy the store", &err);
        return cli_exit_code(rc);
    }
    printf("copied %lld rows in %lld tables\n", (long long)st.rows, (long long)st.tables);
    return JD_EXIT_OK;
}
