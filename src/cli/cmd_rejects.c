/* joindots rejects: list quarantined rows (and warnings) from the store. */
#include "cli.h"

#include <jansson.h>
#include <joindots/csvout.h>
#include <joindots/store.h>

#include <getopt.h>
#include <string.h>

typedef struct ctx {
    int format; /* 0 text, 1 csv, 2 json lines */
    long n;
} ctx;

/* The raw row as text for a terminal: it holds what the agency file held,
 * so control characters (an escape sequence could rewrite the screen) are
 * shown as \xNN; line breaks and tabs stay. */
static void put_raw_text(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F)
            printf("\\x%02X", *p);
        else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) /* C1 controls */
            printf("\\u%04X", (unsigned)*++p);
        else
            putchar(*p);
    }
}

static int each(const jd_problem *p, void *payload)
{
    ctx *c = payload;
    c->n++;
    if (c->format == 1) {
        /* the shared writer quotes and neutralises formulas (joindots/csvout.h):
         * the raw row holds whatever the agency file held */
        char id[24], run[24], line[24], col[24];
        snprintf(id, sizeof id, "%lld", (long long)p->id);
        snprintf(run, sizeof run, "%lld", (long long)p->run_id);
        snprintf(line, sizeof line, "%ld", p->line);
        snprintf(col, sizeof col, "%ld", p->column);
        const char *row[] = {id, run, p->severity, p->file, line, col, p->field, p->message,
                             p->raw};
        if (jd_csv_row_write(stdout, row, sizeof row / sizeof row[0]) < 0)
            return JD_EIO;
    } else if (c->format == 2) {
        json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:i,s:i,s:s,s:s,s:s?}", "id", (json_int_t)p->id,
                              "run", (json_int_t)p->run_id, "severity", p->severity, "file",
                              p->file, "line", (int)p->line, "column", (int)p->column, "field",
                              p->field, "message", p->message, "raw", p->raw);
        if (!o)
            return JD_ENOMEM;
        if (cli_json_line(o, JSON_COMPACT | JSON_ENSURE_ASCII) < 0)
            return JD_ENOMEM;
    } else {
        printf("%s:%ld", p->file, p->line);
        if (p->column)
            printf(":%ld", p->column);
        printf(": %s: %s%s%s\n", p->severity, *p->field ? p->field : "", *p->field ? ": " : "",
               p->message);
        if (p->raw) {
            fputs("    ", stdout);
            put_raw_text(p->raw);
            putchar('\n');
        }
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots rejects --db FILE [--warnings] [--format text|csv|json]\n"
               "\n"
               "Lists the rows ingest quarantined, with file, line, column and reason.\n"
               "  --warnings   also list rows kept with a warning\n"
               "  --format     text (default), csv, or json (one object a line)\n");
}

int cmd_rejects(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                              {"warnings", no_argument, NULL, 'w'},
                                              {"format", required_argument, NULL, 'f'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *db = NULL;
    bool warnings = false;
    ctx c = {0};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd': db = optarg; break;
        case 'w': warnings = true; break;
        case 'f':
            if (!strcmp(optarg, "text"))
                c.format = 0;
            else if (!strcmp(optarg, "csv"))
                c.format = 1;
            else if (!strcmp(optarg, "json"))
                c.format = 2;
            else
                return cli_usage(usage, false);
            break;
        default: return cli_usage(usage, o == 'h');
        }
    }
    if (!db || optind != argc)
        return cli_usage(usage, false);
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    int rc = cli_store_open(&s, db, false, true);
    if (rc != JD_EXIT_OK)
        return rc;
    if (c.format == 1)
        printf("id,run,severity,file,line,column,field,message,raw\n");
    rc = jd_store_problems(s, warnings, each, &c, &err);
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("cannot list problems", &err);
        return cli_exit_code(rc);
    }
    if (c.format == 0)
        fprintf(stderr, "%ld %s\n", c.n, warnings ? "problems" : "rejected rows");
    return JD_EXIT_OK;
}
