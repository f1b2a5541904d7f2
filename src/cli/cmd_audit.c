/*
 * joindots audit verify|list: check the hash chain of the audit log, or
 * list its entries.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots audit verify --db FILE\n"
               "       joindots audit list --db FILE [--after SEQ] [--limit N] [--json]\n"
               "\n"
               "verify recomputes the hash chain of the audit log: exit 0 when intact,\n"
               "5 when an entry was edited, deleted, inserted or reordered.\n"
               "list prints entries oldest first: seq, time, who, what, why, outcome.\n");
}

static int print_entry(const jd_audit_entry *e, void *payload)
{
    bool json = *(bool *)payload;
    char t[32];
    jd_time_format(t, e->at);
    if (json) {
        json_t *o =
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "seq", (json_int_t)e->seq, "at", t,
                      "actor", e->actor, "action", e->action, "target", e->target, "reason",
                      e->reason, "detail", e->detail, "ok", e->ok, "hash", e->hash);
        if (!o)
            return JD_ENOMEM;
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (!s)
            return JD_ENOMEM;
        puts(s);
        free(s);
    } else {
        printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)e->seq, t, e->actor, e->action,
               e->target, e->ok ? "ok" : "refused", e->reason, e->detail);
    }
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},    {"after", required_argument, NULL, 'a'},
        {"limit", required_argument, NULL, 'l'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? JD_EXIT_USAGE : JD_EXIT_OK;
    }
    const char *sub = argv[1], *db = NULL;
    long long after = 0, limit = 0;
    bool json = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'a':
        case 'l': {
            long long v = strtoll(optarg, &end, 10);
            if (!*optarg || *end || v < 0) {
                usage(stderr);
                return JD_EXIT_USAGE;
            }
            if (o == 'a')
                after = v;
            else
                limit = v;
            break;
        }
        case 'j':
            json = true;
            break;
        case 'h':
            usage(stdout);
            return JD_EXIT_OK;
        default:
            usage(stderr);
            return JD_EXIT_USAGE;
        }
    }
    bool verify = !strcmp(sub, "verify");
    if ((!verify && strcmp(sub, "list") != 0) || !db || optind != argc - 1) {
        usage(stderr);
        return JD_EXIT_USAGE;
    }
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    int rc = cli_store_open(&s, db, false, true);
    if (rc != JD_EXIT_OK)
        return rc;
    if (verify) {
        jd_audit_report r;
        rc = jd_audit_verify(s, &r, &err);
        jd_store_close(s);
        if (rc == JD_ECONFLICT) {
            printf("audit log BROKEN at entry %lld: %s (%lld entries read)\n",
                   (long long)r.first_bad, r.problem, (long long)r.entries);
            return JD_EXIT_DENIED;
        }
        if (rc < 0) {
            cli_print_error("cannot verify the audit log", &err);
            return cli_exit_code(rc);
        }
        printf("audit log intact: %lld entries\n", (long long)r.entries);
        return JD_EXIT_OK;
    }
    rc = jd_audit_list(s, after, limit, print_entry, &json, &err);
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("cannot list the audit log", &err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
}
