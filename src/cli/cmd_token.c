/*
 * joindots token add|list|disable|enable: API tokens of the `feed` role
 * (issue 17). A token is bound to one agency and only posts that agency's
 * feeds (POST /api/feeds/{agency}); it is printed once, only its digest is
 * stored. Every change is recorded in the audit log.
 */
#include "cli.h"

#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots token add --db FILE --agency CODE NAME\n"
               "       joindots token disable|enable --db FILE NAME\n"
               "       joindots token list --db FILE\n"
               "\n"
               "API tokens of the feed role: a token posts one agency's feeds to\n"
               "`joindots serve` (POST /api/feeds/AGENCY, header Authorization: Bearer\n"
               "TOKEN; docs/feeds.md) and nothing else. add prints the token once on\n"
               "stdout; only its digest is kept.\n");
}

static void audit(jd_store *s, const char *action, const char *name, const char *detail)
{
    char target[96];
    snprintf(target, sizeof target, "feed_token:%.63s", name);
    jd_audit_entry e = {.actor = cli_actor(NULL),
                        .action = action,
                        .target = target,
                        .reason = "",
                        .detail = detail,
                        .ok = true};
    jd_error err;
    if (jd_audit_append(s, &e, NULL, &err) < 0)
        cli_print_error("cannot write the audit log", &err);
}

static int on_token(const jd_feed_token *t, void *payload)
{
    (void)payload;
    char c[32] = "-", u[32] = "never";
    jd_time_format(c, t->created_at);
    if (t->last_used)
        jd_time_format(u, t->last_used);
    printf("%-24s %-18s %-8s created %s, last used %s\n", t->name, t->agency,
           t->disabled ? "disabled" : "active", c, u);
    return 0;
}

int cmd_token(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"agency", required_argument, NULL, 'a'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? JD_EXIT_USAGE : JD_EXIT_OK;
    }
    const char *verb = argv[1];
    const char *db = NULL, *agency = NULL;
    int o;
    optind = 2;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd': db = optarg; break;
        case 'a': agency = optarg; break;
        default: return cli_usage(usage, o == 'h');
        }
    }
    bool list = !strcmp(verb, "list");
    bool add = !strcmp(verb, "add");
    bool toggle = !strcmp(verb, "disable") || !strcmp(verb, "enable");
    if (!db || (!list && !add && !toggle) || optind != argc - (list ? 0 : 1) ||
        (add && !agency))
        return cli_usage(usage, false);
    jd_store *s = NULL;
    int ex = cli_store_open(&s, db, false, list);
    if (ex)
        return ex;
    jd_error err;
    jd_error_clear(&err);
    int rc;
    if (list) {
        rc = jd_feed_token_list(s, on_token, NULL, &err);
    } else if (add) {
        char tok[JD_FEED_TOKEN_SIZE];
        rc = jd_feed_token_add(tok, s, argv[optind], agency, &err);
        if (rc == JD_OK) {
            char d[64];
            snprintf(d, sizeof d, "agency=%.40s", agency);
            audit(s, "feed_token_add", argv[optind], d);
            printf("%s\n", tok);
            sodium_memzero(tok, sizeof tok);
            fprintf(stderr, "joindots: token '%s' for %s feeds made; it is shown only this once\n",
                    argv[optind], agency);
        }
    } else {
        bool off = !strcmp(verb, "disable");
        rc = jd_feed_token_disable(s, argv[optind], off, &err);
        if (rc == JD_OK)
            audit(s, off ? "feed_token_disable" : "feed_token_enable", argv[optind], "");
    }
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("token", &err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
}
