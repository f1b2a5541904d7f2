/* joindots link: a person's decision that two refs are, or are not, one person. */
#include "cli.h"

#include <joindots/audit.h>
#include <joindots/identity.h>

#include <getopt.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots link confirm|reject --db FILE --reason TEXT [--user NAME]\n"
               "                      AGENCY:REF AGENCY:REF\n"
               "\n"
               "Records that two person_refs are the same person (confirm) or not (reject).\n"
               "Decisions are kept with who, when and why, survive every re-run of\n"
               "`joindots resolve`, and \"not the same person\" always wins.\n");
}

int cmd_link(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},   {"reason", required_argument, NULL, 'r'},
        {"user", required_argument, NULL, 'u'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *reason = NULL, *user = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd': db = optarg; break;
        case 'r': reason = optarg; break;
        case 'u': user = optarg; break;
        default: return cli_usage(usage, o == 'h');
        }
    }
    jd_link_decision d = {0};
    if (!db || argc - optind != 3 ||
        (strcmp(argv[optind], "confirm") && strcmp(argv[optind], "reject")) ||
        cli_split_ref(&d.a, argv[optind + 1]) || cli_split_ref(&d.b, argv[optind + 2]))
        return cli_usage(usage, false);
    if (!user) {
        struct passwd *pw = getpwuid(getuid());
        user = pw ? pw->pw_name : "unknown";
    }
    d.same = !strcmp(argv[optind], "confirm");
    d.reason = reason;
    d.decided_by = user;
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    jd_store_opts so = {.create = false, .read_only = false};
    int rc = jd_store_open(&s, db, &so, &err);
    if (rc == JD_OK)
        rc = jd_link_decide(s, &d, &err);
    if (rc == JD_OK) {
        /* The audit log records every link decision, with its reason. */
        char target[300];
        snprintf(target, sizeof target, "link:%s:%s|%s:%s", d.a.agency, d.a.person_ref,
                 d.b.agency, d.b.person_ref);
        jd_audit_entry e = {.actor = user,
                            .action = d.same ? "link.confirm" : "link.reject",
                            .target = target,
                            .reason = reason,
                            .ok = true};
        jd_error aerr;
        if (jd_audit_append(s, &e, NULL, &aerr) < 0)
            cli_print_error("cannot write the audit log", &aerr);
    }
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("link decision not recorded", &err);
        return cli_exit_code(rc);
    }
    printf("recorded: %s:%s and %s:%s are %s (by %s); run `joindots resolve` to apply\n",
           d.a.agency, d.a.person_ref, d.b.agency, d.b.person_ref,
           d.same ? "the same person" : "NOT the same person", user);
    return JD_EXIT_OK;
}
