/*
 * joindots audit verify|list: check the hash chain of the audit log, or
 * list its entries.
 */
#include "cli.h"

#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots audit verify --db FILE [--audit-key KEY] [--anchor FILE]\n"
               "       joindots audit anchor --db FILE --audit-key KEY [--out FILE]\n"
               "       joindots audit list --db FILE [--after SEQ] [--limit N] [--json]\n"
               "\n"
               "verify recomputes the hash chain of the audit log and, with the audit key\n"
               "(--audit-key or JD_AUDIT_KEY_FILE; a file outside the database), every\n"
               "entry's MAC and the head's: exit 0 when intact, 5 when an entry was edited,\n"
               "deleted, inserted or reordered, the tail cut, the log wiped or rewritten.\n"
               "With --anchor it also checks the log against every head saved by `audit\n"
               "anchor` (a log rolled back to an older copy is caught only this way).\n"
               "anchor prints the head (seq, hash, time, MAC) as one line, and with --out\n"
               "appends it to FILE (created 0600): keep it away from the database.\n"
               "list prints entries oldest first: seq, time, who, what, why, outcome.\n"
               "All three open the store read-only (a read-only file works).\n");
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
        if (cli_json_line(o, JSON_COMPACT) < 0)
            return JD_ENOMEM;
    } else {
        printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)e->seq, t, e->actor, e->action,
               e->target, e->ok ? "ok" : "refused", e->reason, e->detail);
    }
    return 0;
}

/* audit anchor: the anchor line on stdout, appended to OUTP (when given)
 * and synced first. Closes S. */
static int do_anchor(jd_store *s, const char *outp)
{
    jd_error err;
    jd_error_clear(&err);
    char line[JD_AUDIT_ANCHOR_MAX];
    int rc = jd_audit_anchor(s, line, &err);
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("cannot anchor the audit log", &err);
        return cli_exit_code(rc);
    }
    if (outp) {
        int fd = open(outp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
        if (!f || fprintf(f, "%s\n", line) < 0 || fflush(f) != 0 || fsync(fd) != 0) {
            fprintf(stderr, "joindots: cannot append the anchor to %s\n", outp);
            if (f)
                fclose(f);
            else if (fd >= 0)
                close(fd);
            return JD_EXIT_FAIL;
        }
        fclose(f);
    }
    printf("%s\n", line);
    return JD_EXIT_OK;
}

/* audit verify: the chain (and MACs, with the key), and the anchors in
 * the file ANCHOR when given. Closes S. */
static int do_verify(jd_store *s, const char *anchor)
{
    jd_error err;
    jd_error_clear(&err);
    int rc;
    jd_audit_report r;
    char *text = NULL;
    if (anchor) {
        FILE *f = fopen(anchor, "rb");
        long n = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1L << 24) &&
            fseek(f, 0, SEEK_SET) == 0 && (text = calloc(1, (size_t)n + 1)) != NULL &&
            fread(text, 1, (size_t)n, f) == (size_t)n) {
            fclose(f);
        } else {
            if (f)
                fclose(f);
            free(text);
            jd_store_close(s);
            fprintf(stderr, "joindots: cannot read the anchor file %s\n", anchor);
            return JD_EXIT_NOTFOUND;
        }
        rc = jd_audit_verify_anchor(s, text, &r, &err);
        free(text);
    } else {
        rc = jd_audit_verify(s, &r, &err);
    }
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
    printf("audit log intact: %lld entries", (long long)r.entries);
    if (r.key_checked)
        printf(", %lld with a valid MAC", (long long)r.keyed);
    else if (r.keyed)
        printf(", %lld with a MAC (not checked: no audit key given)", (long long)r.keyed);
    if (r.unkeyed)
        printf(", %lld unkeyed (written before the audit key)", (long long)r.unkeyed);
    if (anchor)
        printf(", %lld anchors match", (long long)r.anchors);
    printf("\n");
    return JD_EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},    {"after", required_argument, NULL, 'a'},
        {"limit", required_argument, NULL, 'l'}, {"json", no_argument, NULL, 'j'},
        {"audit-key", required_argument, NULL, 'k'},
        {"anchor", required_argument, NULL, 'A'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? JD_EXIT_USAGE : JD_EXIT_OK;
    }
    const char *sub = argv[1], *db = NULL, *key = NULL, *anchor = NULL, *outp = NULL;
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
            if (!*optarg || *end || v < 0)
                return cli_usage(usage, false);
            if (o == 'a')
                after = v;
            else
                limit = v;
            break;
        }
        case 'j':
            json = true;
            break;
        case 'k':
            key = optarg;
            break;
        case 'A':
            anchor = optarg;
            break;
        case 'o':
            outp = optarg;
            break;
        default:
            return cli_usage(usage, o == 'h');
        }
    }
    bool verify = !strcmp(sub, "verify"), anch = !strcmp(sub, "anchor");
    if ((!verify && !anch && strcmp(sub, "list") != 0) || !db || optind != argc - 1 ||
        (anchor && !verify) || (outp && !anch))
        return cli_usage(usage, false);
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    /* Read-only: verify, anchor and list work on a read-only file; the key
     * must then exist (it is never created by a read-only open). */
    jd_store_opts so = {.create = false, .read_only = true, .audit_key_path = key};
    int rc = jd_store_open(&s, db, &so, &err);
    if (rc < 0) {
        cli_print_error("cannot open the store", &err);
        return cli_exit_code(rc);
    }
    if (anch)
        return do_anchor(s, outp);
    if (verify)
        return do_verify(s, anchor);
    rc = jd_audit_list(s, after, limit, print_entry, &json, &err);
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("cannot list the audit log", &err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
}
