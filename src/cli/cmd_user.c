/*
 * joindots user add|disable|enable|reset|list: accounts of the web
 * application. A password is read from stdin (--password-stdin) or
 * generated and printed once; it never appears on the command line.
 * Every change is recorded in the audit log with the operating-system user.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: joindots user add --db FILE --role ROLE [--agency CODE] [--team NAME]\n"
            "                         [--password-stdin] NAME\n"
            "       joindots user disable|enable --db FILE NAME\n"
            "       joindots user reset --db FILE [--password-stdin] NAME\n"
            "       joindots user list --db FILE\n"
            "\n"
            "Accounts of `joindots serve`. Roles: practitioner, analyst, manager, board,\n"
            "auditor, admin. Practitioners and managers need --agency. Without\n"
            "--password-stdin a password is generated and printed once on stdout.\n"
            "Passwords have %d to %d characters. reset also clears a lock-out and ends\n"
            "the account's sessions; disable ends them too.\n",
            JD_PASSWORD_MIN, JD_PASSWORD_MAX);
}

static int read_password(char *out, size_t cap)
{
    if (!fgets(out, (int)cap, stdin)) {
        fprintf(stderr, "joindots: no password on stdin\n");
        return -1;
    }
    size_t n = strlen(out);
    if (n == cap - 1 && out[n - 1] != '\n') {
        fprintf(stderr, "joindots: the password is too long\n");
        return -1;
    }
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

static void audit(jd_store *s, const char *action, const char *name, const char *detail)
{
    char actor[96];
    const char *u = getenv("USER");
    snprintf(actor, sizeof actor, "cli:%s", u && *u ? u : "unknown");
    char target[96];
    snprintf(target, sizeof target, "account:%s", name);
    jd_audit_entry e = {
        .actor = actor, .action = action, .target = target, .detail = detail, .ok = true};
    jd_error err;
    if (jd_audit_append(s, &e, NULL, &err) < 0)
        cli_print_error("cannot write the audit log", &err);
}

static int print_account(const jd_account *a, void *payload)
{
    (void)payload;
    printf("%-20s %-13s %-8s %-16s %s failed=%d\n", a->username, jd_role_name(a->role),
           *a->agency ? a->agency : "-", *a->team ? a->team : "-",
           a->disabled ? "disabled" : "active", a->failed);
    return 0;
}

/* One subcommand on the open store: list, add, reset, disable or enable
 * (each change audited). */
static int run_sub(jd_store *s, const char *sub, const char *name, jd_role role,
                   const char *agency, const char *team, const char *pw, jd_error *err)
{
    int rc;
    if (!strcmp(sub, "list"))
        return jd_account_list(s, print_account, NULL, err);
    if (!strcmp(sub, "add")) {
        rc = jd_account_add(s, name, role, agency, team, pw, err);
        if (rc == JD_OK) {
            char d[64];
            snprintf(d, sizeof d, "role=%s", jd_role_name(role));
            audit(s, "account.add", name, d);
        }
    } else if (!strcmp(sub, "reset")) {
        rc = jd_account_reset(s, name, pw, err);
        if (rc == JD_OK)
            audit(s, "account.reset", name, "");
    } else {
        bool dis = !strcmp(sub, "disable");
        rc = jd_account_set_disabled(s, name, dis, err);
        if (rc == JD_OK)
            audit(s, dis ? "account.disable" : "account.enable", name, "");
    }
    return rc;
}

int cmd_user(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"role", required_argument, NULL, 'r'},
                                             {"agency", required_argument, NULL, 'a'},
                                             {"team", required_argument, NULL, 't'},
                                             {"password-stdin", no_argument, NULL, 'p'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? JD_EXIT_USAGE : JD_EXIT_OK;
    }
    const char *sub = argv[1];
    const char *db = NULL, *role_s = NULL, *agency = NULL, *team = NULL;
    bool pw_stdin = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'r':
            role_s = optarg;
            break;
        case 'a':
            agency = optarg;
            break;
        case 't':
            team = optarg;
            break;
        case 'p':
            pw_stdin = true;
            break;
        default:
            return cli_usage(usage, o == 'h');
        }
    }
    int nargs = argc - 1 - optind;
    const char *name = nargs == 1 ? argv[1 + optind] : NULL;
    bool is_list = !strcmp(sub, "list");
    bool known = is_list || !strcmp(sub, "add") || !strcmp(sub, "disable") ||
                 !strcmp(sub, "enable") || !strcmp(sub, "reset");
    if (!known || !db || (is_list ? nargs != 0 : nargs != 1))
        return cli_usage(usage, false);
    jd_role role = JD_ROLE_BOARD;
    if (!strcmp(sub, "add")) {
        if (!role_s || jd_role_parse(role_s, &role) < 0) {
            fprintf(stderr, "joindots: --role must be one of practitioner, analyst, manager,"
                            " board, auditor, admin\n");
            return JD_EXIT_USAGE;
        }
        if ((role == JD_ROLE_PRACTITIONER || role == JD_ROLE_MANAGER) && (!agency || !*agency)) {
            fprintf(stderr, "joindots: practitioners and managers need --agency\n");
            return JD_EXIT_USAGE;
        }
    }
    char pw[JD_PASSWORD_MAX + 2] = "";
    bool generated = false;
    if (!strcmp(sub, "add") || !strcmp(sub, "reset")) {
        if (pw_stdin) {
            if (read_password(pw, sizeof pw) < 0)
                return JD_EXIT_USAGE;
        } else {
            jd_password_generate(pw);
            generated = true;
        }
    }
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    int rc = cli_store_open(&s, db, !strcmp(sub, "add"), false);
    if (rc != JD_EXIT_OK)
        return rc;
    rc = run_sub(s, sub, name, role, agency, team, pw, &err);
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("user", &err);
        return cli_exit_code(rc);
    }
    if (generated)
        printf("%s\n", pw);
    if (!is_list)
        fprintf(stderr, "joindots: %s %s%s\n", sub, name,
                generated ? " (password printed once on stdout)" : "");
    memset(pw, 0, sizeof pw);
    return JD_EXIT_OK;
}
