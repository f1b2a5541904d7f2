/* Helpers shared by the CLI commands: exit codes, error lines, progress. */
#include "cli.h"

#include <jansson.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_exit_code(int code)
{
    switch (code) {
    case JD_OK: return JD_EXIT_OK;
    case JD_EINVALID:
    case JD_ELIMIT: return JD_EXIT_DATA;
    case JD_ENOTFOUND: return JD_EXIT_NOTFOUND;
    case JD_EDENIED: return JD_EXIT_DENIED;
    default: return JD_EXIT_FAIL;
    }
}

void cli_print_error(const char *what, const jd_error *err)
{
    fprintf(stderr, "joindots: ");
    if (what && *what)
        fprintf(stderr, "%s: ", what);
    const char *msg = err->msg;
    size_t sl = strlen(err->source);
    if (sl && !strncmp(msg, err->source, sl) && msg[sl] == ':' && msg[sl + 1] == ' ')
        msg += sl + 2; /* "m.json: cannot open" with its source: the name once */
    if (err->source[0]) {
        fprintf(stderr, "%s:", err->source);
        if (err->line > 0)
            fprintf(stderr, "%ld:", err->line);
        if (err->column > 0)
            fprintf(stderr, "%ld:", err->column);
        fputc(' ', stderr);
    }
    fprintf(stderr, "%s\n", msg[0] ? msg : jd_code_name(err->code));
}

bool cli_is_help(const char *arg)
{
    return arg && (!strcmp(arg, "-h") || !strcmp(arg, "--help"));
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(cli_progress *p, const char *label, uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->enabled = isatty(STDERR_FILENO) != 0;
    p->label = label;
    p->total = total;
    p->started = cli_now();
}

void cli_progress_update(cli_progress *p, uint64_t done, uint64_t rows)
{
    if (!p->enabled)
        return;
    double now = cli_now();
    if (now - p->last_draw < 0.2)
        return;
    p->last_draw = now;
    double el = now - p->started;
    double rate = el > 0 ? (double)rows / el : 0;
    fprintf(stderr, "\r%s: %llu rows, %.0f rows/s", p->label, (unsigned long long)rows, rate);
    if (p->total && done <= p->total && done > 0) {
        double frac = (double)done / (double)p->total;
        double eta = el / frac - el;
        int w = 24, fill = (int)(frac * w);
        fprintf(stderr, " [");
        for (int i = 0; i < w; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %3.0f%% ETA %.0fs", frac * 100, eta);
    }
    fprintf(stderr, "\033[K");
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->enabled && p->last_draw > 0)
        fprintf(stderr, "\r\033[K");
}

int cli_store_open(jd_store **out, const char *db, bool create, bool read_only)
{
    jd_error err;
    jd_error_clear(&err);
    jd_store_opts so = {.create = create, .read_only = read_only};
    int rc = jd_store_open(out, db, &so, &err);
    if (rc < 0) {
        cli_print_error("cannot open the store", &err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
}

const char *cli_actor(const char *user)
{
    if (user && *user)
        return user;
    const char *env = getenv("USER");
    return env && *env ? env : "cli";
}

int cli_audited_open(jd_store **out, const char *db, const char *what, const char *user,
                     const char *action, const char *target, const char *reason,
                     const char *detail)
{
    *out = NULL;
    jd_error err;
    jd_error_clear(&err);
    jd_store_opts so = {.create = false, .read_only = false};
    jd_store *s = NULL;
    int rc = jd_store_open(&s, db, &so, &err);
    if (rc < 0) {
        fprintf(stderr, "joindots: %s: cannot open the store for writing its audit entry, so "
                        "nothing is shown: %s\n",
                what, err.msg[0] ? err.msg : jd_code_name(err.code));
        return cli_exit_code(rc);
    }
    jd_audit_entry e = {.actor = cli_actor(user),
                        .action = action,
                        .target = target,
                        .reason = reason,
                        .detail = detail,
                        .ok = true};
    if ((rc = jd_audit_append(s, &e, NULL, &err)) < 0) {
        jd_store_close(s);
        const char *m = err.msg[0] ? err.msg : jd_code_name(err.code);
        fprintf(stderr, "joindots: %s: cannot write the audit log, so nothing is shown: %s%s\n",
                what, m,
                strstr(m, "readonly") ? " (this command needs a writable database)" : "");
        return rc == JD_ELIMIT || rc == JD_EINVALID ? JD_EXIT_USAGE : JD_EXIT_DENIED;
    }
    *out = s;
    return JD_EXIT_OK;
}int cli_parse_range(const char *opt, const char *arg, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    if (end == arg || *end || errno || n < lo || n > hi) {
        fprintf(stderr, "joindots: %s takes a number from %ld to %ld\n", opt, lo, hi);
        return -1;
    }
    *out = n;
    return 0;
}

int cli_parse_as_of(const char *arg, int64_t *out)
{
    if (jd_time_parse(out, arg, 1) != JD_OK) {
        fprintf(stderr, "joindots: --as-of: not a date or date-time: %s\n", arg);
        return -1;
    }
    return 0;
}

int cli_usage(void (*usage)(FILE *), bool help)
{
    usage(help ? stdout : stderr);
    return help ? JD_EXIT_OK : JD_EXIT_USAGE;
}

int cli_common_opt(cli_common *c, int opt, const char *arg, void (*usage)(FILE *))
{
    switch (opt) {
    case 'd': c->db = arg; return -1;
    case 'a': return cli_parse_as_of(arg, &c->as_of) < 0 ? JD_EXIT_USAGE : -1;
    case 'r': c->rules = arg; return -1;
    case 'u': c->user = arg; return -1;
    case 'w': c->reason = arg; return -1;
    default: return cli_usage(usage, opt == 'h');
    }
}

int cli_split_ref(jd_ref *out, char *arg)
{
    char *c = strchr(arg, ':');
    if (!c || c == arg || !c[1])
        return -1;
    *c = '\0';
    out->agency = arg;
    out->person_ref = c + 1;
    return 0;
}

int cli_json_line(json_t *o, size_t flags)
{
    char *s = json_dumps(o, flags);
    json_decref(o);
    if (!s)
        return JD_ENOMEM;
    puts(s);
    free(s);
    return 0;
}
