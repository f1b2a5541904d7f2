/* joindots chronology: one person's multi-agency chronology. */
#include "cli.h"

#include <jansson.h>
#include <joindots/analyse.h>
#include <joindots/chronology.h>
#include <joindots/csvout.h>

#include <getopt.h>
#include <string.h>

typedef struct ctx {
    int format; /* 0 text, 1 json lines, 2 csv */
    long n;
    jd_screener *scr;
    json_t *found; /* findings of the current event */
} ctx;

static int collect(const jd_finding *f, void *payload)
{
    ctx *c = payload;
    json_t *x = json_pack("{s:s,s:s,s:s}", "rule", f->rule, "name", f->name, "found", f->why);
    if (x && f->advice)
        json_object_set_new(x, "write_instead", json_string(f->advice));
    return json_array_append_new(c->found, x) ? JD_ENOMEM : 0;
}

/* The indicators, triggers and wording the rules find in one event. */
static int screen(ctx *c, const jd_chrono_event *e)
{
    json_array_clear(c->found);
    if (!c->scr)
        return 0;
    jd_screen_input in = {e->event_type, e->narrative, -1, false, false};
    for (size_t i = 0; i < e->n_objects; i++)
        in.vehicle |= !strcmp(e->objects[i].object_type, "vehicle");
    for (size_t i = 0; i < e->n_parties; i++)
        in.adult_party |= !strcmp(e->parties[i].role, "suspect");
    jd_error err;
    jd_error_clear(&err);
    return jd_screener_run(c->scr, &in, collect, c, &err);
}

/* One event as a JSON line. */
static int each_json(ctx *c, const jd_chrono_event *e, const char *when, const char *rep)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "occurred_at", when, "reported_at",
                          rep, "agency", e->agency, "record_id", e->record_id, "event_type",
                          e->event_type, "role", e->subject_role);
    if (!o)
        return JD_ENOMEM;
    const char *opt[][2] = {{"location", e->location}, {"postcode", e->postcode},
                            {"narrative", e->narrative}, {"outcome", e->outcome},
                            {"author_role", e->author_role}, {"risk_grade", e->risk_grade},
                            {"crime_ref", e->crime_ref}};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (opt[i][1])
            json_object_set_new(o, opt[i][0], json_string(opt[i][1]));
    if (e->crime_recorded >= 0)
        json_object_set_new(o, "crime_recorded", json_boolean(e->crime_recorded));
    json_t *ps = json_array(), *os = json_array();
    for (size_t i = 0; i < e->n_parties; i++) {
        const jd_chrono_party *p = &e->parties[i];
        json_t *x = json_pack("{s:s,s:s,s:s,s:s}", "agency", p->agency, "person_ref",
                              p->person_ref, "role", p->role, "name", p->name);
        if (x && p->person_id)
            json_object_set_new(x, "person_id", json_string(p->person_id));
        json_array_append_new(ps, x);
    }
    for (size_t i = 0; i < e->n_objects; i++) {
        const jd_chrono_object *ob = &e->objects[i];
        json_t *x = json_pack("{s:s,s:s,s:b}", "type", ob->object_type, "value", ob->value,
                              "valid", ob->valid);
        if (x && ob->description)
            json_object_set_new(x, "description", json_string(ob->description));
        json_array_append_new(os, x);
    }
    json_object_set_new(o, "people", ps);
    json_object_set_new(o, "objects", os);
    json_object_set(o, "findings", c->found);
    return cli_json_line(o, JSON_COMPACT | JSON_ENSURE_ASCII);
}

/* One event as a CSV row. */
static int each_csv(ctx *c, const jd_chrono_event *e, const char *when)
{
    /* every field through the shared writer: quoting and formula
     * neutralisation (joindots/csvout.h) */
    char rules[512] = "";
    size_t i, k = 0;
    json_t *v;
    json_array_foreach(c->found, i, v) {
        int w = snprintf(rules + k, sizeof rules - k, "%s%s", i ? ";" : "",
                         json_string_value(json_object_get(v, "rule")));
        if (w < 0 || (size_t)w >= sizeof rules - k)
            break;
        k += (size_t)w;
    }
    rules[k] = '\0';
    const char *row[] = {when, e->agency, e->record_id, e->event_type, e->subject_role,
                         e->location, e->postcode, e->outcome, e->narrative, rules};
    return jd_csv_row_write(stdout, row, sizeof row / sizeof row[0]) < 0 ? JD_EIO : 0;
}

/* One event as text. */
static void each_text(ctx *c, const jd_chrono_event *e, const char *when)
{
    printf("%s  %-14s %-20s %-10s %s\n", when, e->agency, e->event_type, e->subject_role,
           e->record_id);
    if (e->location || e->postcode)
        printf("    at: %s%s%s\n", e->location ? e->location : "",
               e->location && e->postcode ? ", " : "", e->postcode ? e->postcode : "");
    for (size_t i = 0; i < e->n_parties; i++)
        printf("    with: %s (%s, %s:%s%s%s)\n", *e->parties[i].name ? e->parties[i].name : "?",
               e->parties[i].role, e->parties[i].agency, e->parties[i].person_ref,
               e->parties[i].person_id ? ", " : "",
               e->parties[i].person_id ? e->parties[i].person_id : "");
    for (size_t i = 0; i < e->n_objects; i++)
        printf("    %s: %s%s%s\n", e->objects[i].object_type, e->objects[i].value,
               e->objects[i].description ? " - " : "",
               e->objects[i].description ? e->objects[i].description : "");
    if (e->narrative)
        printf("    \"%s\"\n", e->narrative);
    if (e->outcome || e->crime_ref)
        printf("    outcome: %s%s%s\n", e->outcome ? e->outcome : "",
               e->crime_ref ? "  crime ref: " : "", e->crime_ref ? e->crime_ref : "");
    size_t i;
    json_t *v;
    json_array_foreach(c->found, i, v) {
        printf("    ! %s %s: \"%s\"\n", json_string_value(json_object_get(v, "rule")),
               json_string_value(json_object_get(v, "name")),
               json_string_value(json_object_get(v, "found")));
        if (json_object_get(v, "write_instead"))
            printf("      write instead: %s\n",
                   json_string_value(json_object_get(v, "write_instead")));
    }
}

static int each(const jd_chrono_event *e, void *payload)
{
    ctx *c = payload;
    char when[32], rep[32];
    jd_time_format(when, e->occurred_at);
    jd_time_format(rep, e->reported_at);
    if (e->occurred_prec <= 3)
        when[10] = '\0'; /* the agency gave a date only */
    c->n++;
    if (screen(c, e) != 0)
        return JD_ENOMEM;
    if (c->format == 1)
        return each_json(c, e, when, rep);
    if (c->format == 2)
        return each_csv(c, e, when);
    each_text(c, e, when);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots chronology --db FILE [--format text|json|csv] [--as-of T]\n"
               "                           [--rules FILE] [--user NAME] [--reason TEXT] PERSON\n"
               "\n"
               "Every agency's events about PERSON in time order, with the other people\n"
               "and the objects involved. PERSON is a person_id (see `joindots export\n"
               "identities`) or AGENCY:PERSON_REF. With --as-of only what was known by T\n"
               "(occurred and reported on or before it) is shown. Each event lists the\n"
               "indicators, triggers and victim-blaming wording the rules find in it\n"
               "(marked \"!\" in text, \"findings\" in JSON, the last CSV column).\n"
               "Every view is written to the audit log first (who: --user NAME, default\n"
               "$USER or \"cli\"; why: --reason TEXT), so the store must be writable; no\n"
               "audit entry, nothing shown.\n");
}

int cmd_chronology(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                              {"format", required_argument, NULL, 'f'},
                                              {"as-of", required_argument, NULL, 'a'},
                                              {"rules", required_argument, NULL, 'r'},
                                              {"user", required_argument, NULL, 'u'},
                                              {"reason", required_argument, NULL, 'w'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    cli_common co = CLI_COMMON_INIT;
    ctx c = {0};
    int o, rc;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'f':
            c.format = !strcmp(optarg, "text") ? 0 : !strcmp(optarg, "json") ? 1
                     : !strcmp(optarg, "csv") ? 2 : -1;
            if (c.format < 0)
                return cli_usage(usage, false);
            break;
        default:
            if ((rc = cli_common_opt(&co, o, optarg, usage)) >= 0)
                return rc;
        }
    }
    if (!co.db || optind != argc - 1)
        return cli_usage(usage, false);
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    rc = jd_screener_open(&c.scr, co.rules, &err);
    if (rc < 0) {
        cli_print_error("cannot load the rules", &err);
        return cli_exit_code(rc);
    }
    c.found = json_array();
    /* Audited first: no audit entry, no chronology (DOMAIN §5.2). */
    char target[300], detail[64] = "";
    snprintf(target, sizeof target, "person:%.280s", argv[optind]);
    if (co.as_of != JD_AS_OF_NOW)
        snprintf(detail, sizeof detail, "as_of=%lld", (long long)co.as_of);
    rc = cli_audited_open(&s, co.db, "chronology", co.user, "view", target, co.reason, detail);
    if (rc != JD_EXIT_OK) {
        jd_screener_close(c.scr);
        json_decref(c.found);
        return rc;
    }
    if (c.format == 2)
        printf("occurred_at,agency,record_id,event_type,role,location,postcode,outcome,"
               "narrative,findings\n");
    rc = jd_chronology(s, argv[optind], co.as_of, each, &c, &err);
    jd_store_close(s);
    jd_screener_close(c.scr);
    json_decref(c.found);
    if (rc < 0) {
        cli_print_error("chronology", &err);
        return cli_exit_code(rc);
    }
    if (c.format == 0)
        fprintf(stderr, "%ld events\n", c.n);
    return JD_EXIT_OK;
}
