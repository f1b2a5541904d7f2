/*
 * joindots screen: offences, indicators and victim-blaming wording in one
 * text, or in a JSON Lines batch (one result line per input line, in order).
 */
#include "cli.h"

#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_key[] = {"offences", "language", "indicators"};

static json_t *match_json(const jd_screen_match *m, const char *text, bool all)
{
    json_t *o = json_object();
    json_object_set_new(o, m->kind == JD_SCREEN_LANGUAGE ? "slug" : "code", json_string(m->code));
    if (m->kind == JD_SCREEN_OFFENCE)
        json_object_set_new(o, "recorded", json_boolean(m->recorded));
    json_object_set_new(o, "name", json_string(m->name));
    if (m->start >= 0) {
        json_object_set_new(o, "words", json_stringn(text + m->start, (size_t)(m->end - m->start)));
        json_object_set_new(o, "span", json_pack("[ii]", m->start, m->end));
    }
    json_t *at = json_object();
    static const struct {
        unsigned bit;
        const char *key;
    } names[] = {{JD_SCREEN_NEGATED, "negated"},           {JD_SCREEN_HYPOTHETICAL, "hypothetical"},
                 {JD_SCREEN_HISTORICAL, "historical"},     {JD_SCREEN_OTHER_PERSON, "other_person"},
                 {JD_SCREEN_QUOTED, "quoted"},             {JD_SCREEN_CHALLENGED, "challenged"},
                 {JD_SCREEN_INNOCENT, "innocent_cause"},   {JD_SCREEN_PROPERTY, "property"},
                 {JD_SCREEN_AGE, "ages_do_not_fit"},       {JD_SCREEN_SENSE, "other_sense"},
                 {JD_SCREEN_WEAK, "weak"},                 {JD_SCREEN_CONCERN, "concern"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        json_object_set_new(at, names[i].key, json_boolean(m->attrs & names[i].bit));
    json_object_set_new(o, "attributes", at);
    if (m->kind == JD_SCREEN_OFFENCE)
        json_object_set_new(o, "age_basis", json_string(m->basis));
    if (m->advice)
        json_object_set_new(o, "instead", json_string(m->advice));
    json_object_set_new(o, "rule", json_string(m->rule));
    json_object_set_new(o, "why", json_string(m->why));
    if (m->modelled)
        json_object_set_new(o, "model", json_pack("{s:f,s:f,s:s}", "p", round(m->prob * 1e3) / 1e3,
                                                  "threshold", round(m->threshold * 1e3) / 1e3,
                                                  "features", m->model));
    if (all)
        json_object_set_new(o, "counts", json_boolean(m->counts));
    return o;
}

static json_t *result_json(const char *id, const char *text, const jd_screen_result *res, bool all)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", id ? json_string(id) : json_null());
    json_t *arr[3] = {json_array(), json_array(), json_array()};
    json_t *dropped = json_array();
    for (size_t i = 0; i < res->n; i++) {
        const jd_screen_match *m = &res->m[i];
        if (m->counts)
            json_array_append_new(arr[m->kind], match_json(m, text, false));
        else if (all)
            json_array_append_new(dropped, match_json(m, text, true));
    }
    for (int k = 0; k < 3; k++)
        json_object_set_new(o, kind_key[k], arr[k]);
    if (all)
        json_object_set_new(o, "not_counted", dropped);
    else
        json_decref(dropped);
    return o;
}

static void print_text(const char *text, const jd_screen_result *res)
{
    static const char *label[] = {"offence", "wording", "indicator"};
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < res->n; i++) {
            const jd_screen_match *m = &res->m[i];
            if (m->counts != (pass == 0))
                continue;
            printf("%s%-9s %-22s %s", pass ? "  (not counted) " : "", label[m->kind], m->code,
                   m->name);
            if (m->start >= 0)
                printf("\n     words: \"%.*s\"", m->end - m->start, text + m->start);
            if (m->kind == JD_SCREEN_OFFENCE)
                printf("\n     ages: %s%s", m->basis, m->recorded ? "; crime recorded" : "");
            if (m->advice && m->counts)
                printf("\n     write instead: %s", m->advice);
            if (m->modelled)
                printf("\n     model: %s", m->model);
            printf("\n     %s\n", m->why);
        }
}

static int screen_batch(jd_screen *S, const char *path, bool all)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "joindots screen: cannot open %s\n", path);
        return JD_EXIT_NOTFOUND;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = JD_EXIT_OK;
    jd_screen_result res = {0};
    while ((n = getline(&line, &cap, f)) != -1) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (!n) {
            fprintf(stderr, "joindots screen: %s line %ld is empty\n", path, lineno);
            puts("{\"id\": null, \"error\": \"empty line\"}");
            rc = JD_EXIT_DATA;
            continue;
        }
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)n, 0, &je);
        const char *text = o ? json_string_value(json_object_get(o, "text")) : NULL;
        if (!o || !json_is_object(o) || !text) {
            fprintf(stderr, "joindots screen: %s line %ld: %s\n", path, lineno,
                    o ? "needs a \"text\" string" : je.text);
            json_t *e = json_pack("{s:o,s:s}", "id",
                                  o && json_object_get(o, "id") ? json_incref(json_object_get(o, "id"))
                                                                : json_null(),
                                  "error", o ? "no text" : "not JSON");
            char *s = json_dumps(e, JSON_COMPACT);
            puts(s ? s : "{}");
            free(s);
            json_decref(e);
            json_decref(o);
            rc = JD_EXIT_DATA;
            continue;
        }
        json_t *age = json_object_get(o, "child_age");
        const char *cr = json_string_value(json_object_get(o, "crime_recorded"));
        const char *g = json_string_value(json_object_get(o, "child_gender"));
        const char *ref = json_string_value(json_object_get(o, "crime_ref"));
        jd_screen_note in = {json_string_value(json_object_get(o, "id")),
                             text,
                             json_string_value(json_object_get(o, "event_type")),
                             json_string_value(json_object_get(o, "agency")),
                             json_is_integer(age) ? (int)json_integer_value(age) : -1,
                             g && *g ? g[0] : 0,
                             (cr && !strcmp(cr, "Y")) || (ref && *ref) ? 1
                             : cr && !strcmp(cr, "N")                  ? 0
                                                                       : -1,
                             0, 0};
        json_t *oa = json_object_get(o, "other_age");
        if (json_is_integer(oa) && json_integer_value(oa) > 0 && json_integer_value(oa) < 130)
            in.linked_other_age = (int)json_integer_value(oa);
        jd_error err;
        jd_error_clear(&err);
        json_t *out;
        if (jd_screen_run(S, &in, &res, &err) < 0) {
            fprintf(stderr, "joindots screen: %s line %ld: %s\n", path, lineno, err.msg);
            out = json_pack("{s:O,s:s}", "id", json_object_get(o, "id") ? json_object_get(o, "id")
                                                                        : json_null(),
                            "error", err.msg);
            rc = JD_EXIT_DATA;
        } else {
            out = result_json(NULL, text, &res, all);
            json_object_set(out, "id", json_object_get(o, "id") ? json_object_get(o, "id")
                                                                : json_null());
        }
        char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
        json_decref(out);
        json_decref(o);
    }
    jd_screen_result_free(&res);
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

static const char screen_usage[] =
    "usage: joindots screen [--type EVENT_TYPE] [--age N] [--recorded] [--rules FILE]\n"
    "                       [--format text|json] [--all] TEXT\n"
    "       joindots screen --batch FILE.jsonl [--all] [--rules FILE]\n"
    "       (both: [--model MODEL.json | --no-model])\n"
    "\nShows the offences against the child (with --age), the indicators and the\n"
    "victim-blaming wording in TEXT, with the words, their attributes and what to\n"
    "write instead. --batch reads one JSON object a line (id, text, event_type,\n"
    "child_age, agency, child_gender, crime_recorded; other_age: the age of a\n"
    "suspect linked to the event in the person records, used when the text gives\n"
    "none) and writes one result a line, in the same order. --all also lists the\n"
    "matches an attribute ruled out and the weak evidence (without --all the weak\n"
    "rules of a kind are read only when the model decides that kind; the built-in\n"
    "model decides all three kinds). The built-in rules come with the built-in\n"
    "learned combiner: the indicators, offences and wording models\n"
    "(data/rules/screen_model_ind.json, _off.json, _lang.json) joined; --model\n"
    "uses another in their place (screen-train), --no-model none: the rules alone.\n";

int cmd_screen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"type", required_argument, NULL, 't'}, {"age", required_argument, NULL, 'a'},
        {"rules", required_argument, NULL, 'r'}, {"format", required_argument, NULL, 'f'},
        {"batch", required_argument, NULL, 'b'}, {"all", no_argument, NULL, 'A'},
        {"recorded", no_argument, NULL, 'R'}, {"help", no_argument, NULL, 'h'},
        {"model", required_argument, NULL, 'm'}, {"no-model", no_argument, NULL, 'N'},
        {NULL, 0, NULL, 0}};
    const char *type = "case_note", *rules = NULL, *format = "text", *batch = NULL, *model = NULL;
    int age = -1, o;
    bool all = false, recorded = false, no_model = false;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 't': type = optarg; break;
        case 'a': age = atoi(optarg); break;
        case 'r': rules = optarg; break;
        case 'f': format = optarg; break;
        case 'b': batch = optarg; break;
        case 'A': all = true; break;
        case 'R': recorded = true; break;
        case 'm': model = optarg; break;
        case 'N': no_model = true; break;
        case 'h':
        default:
            fputs(screen_usage, o == 'h' ? stdout : stderr);
            return o == 'h' ? JD_EXIT_OK : JD_EXIT_USAGE;
        }
    }
    if (strcmp(format, "text") && strcmp(format, "json")) {
        fprintf(stderr, "joindots screen: --format is text or json\n");
        return JD_EXIT_USAGE;
    }
    if (batch ? optind != argc : optind != argc - 1) {
        fprintf(stderr, batch ? "joindots screen: --batch takes no TEXT\n"
                              : "joindots screen: one TEXT argument is needed\n");
        return JD_EXIT_USAGE;
    }
    jd_error err;
    jd_error_clear(&err);
    jd_screen *S;
    int rc = jd_screen_open_model(&S, rules, no_model ? JD_SCREEN_MODEL_NONE : model, &err);
    if (rc < 0) {
        cli_print_error(model ? "cannot load the screen rules or model"
                              : "cannot load the screen rules",
                        &err);
        return cli_exit_code(rc);
    }
    (void)jd_screen_set_weak(S, all); /* --all lists the weak candidates too */
    if (batch) {
        rc = screen_batch(S, batch, all);
        jd_screen_close(S);
        return rc;
    }
    const char *text = argv[optind];
    jd_screen_note in = {NULL, text, type, NULL, age, 0, recorded ? 1 : -1, 0, 0};
    jd_screen_result res = {0};
    rc = jd_screen_run(S, &in, &res, &err);
    if (rc < 0) {
        cli_print_error("screening failed", &err);
        jd_screen_result_free(&res);
        jd_screen_close(S);
        return cli_exit_code(rc);
    }
    if (!strcmp(format, "json")) {
        json_t *out = result_json(NULL, text, &res, all);
        char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
        json_decref(out);
    } else {
        if (!res.n)
            puts("nothing found");
        print_text(text, &res);
    }
    jd_screen_result_free(&res);
    jd_screen_close(S);
    return JD_EXIT_OK;
}
