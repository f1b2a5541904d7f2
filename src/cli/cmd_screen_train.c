/*
 * joindots screen-train: learn the screen's combiner (screen_model.h) from
 * labelled corpora (JSON Lines, the schema of data/notes/README.md), on the
 * TUNE part only (a note whose id number is not divisible by 3: held-out
 * notes are dropped unread), and with --cv print leave-one-set-out figures
 * (a set is an id's leading capital letters, "D" or "AA"): rules alone
 * against rules and model, per kind, for each set left out.
 */
#include "cli.h"

#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SETS 64
#define SET_NAME 8 /* a set's name: up to 7 leading capitals of an id */

typedef struct set_weight {
    char name[SET_NAME];
    float w;
} set_weight;

typedef struct corpus {
    json_t *rows; /* array of the tune notes */
    jd_screen_gold *g;
    const char **labels;
    char set[MAX_SETS][SET_NAME]; /* the sets' names, in order of first note */
    int nsets;
    set_weight weight[MAX_SETS]; /* --weight NAME=W; a set not named weighs 1 */
    int nweights;
    const char *cv_sets; /* --cv-sets: the sets left out in turn (NULL: every set) */
    bool leave_out[MAX_SETS]; /* the sets --cv-sets names */
    bool cv_raise;            /* --cv-raise: each fold's model in its narrower uses too */
} corpus;

static bool tune_part(const char *id)
{
    const char *p = id;
    while (*p && (*p < '0' || *p > '9'))
        p++;
    return !*p || strtol(p, NULL, 10) % 3 != 0;
}

/* The set of an id: its leading capital letters ("AA0012" -> "AA"; "D0003"
 * -> "D"), so a two-letter set never merges with a one-letter one. Returns
 * the name's length; 0 when the text does not start with 1-7 capitals (and
 * for an id, none: every note without a prefix falls in the set ""). */
static size_t set_name(const char *id, char name[SET_NAME])
{
    size_t n = 0;
    while (id[n] >= 'A' && id[n] <= 'Z' && n < SET_NAME - 1) {
        name[n] = id[n];
        n++;
    }
    name[n] = 0;
    return id[n] >= 'A' && id[n] <= 'Z' ? 0 : n;
}

static int find_set(const corpus *c, const char *name)
{
    for (int i = 0; i < c->nsets; i++)
        if (!strcmp(c->set[i], name))
            return i;
    return -1;
}

static int set_of(corpus *c, const char *id)
{
    char name[SET_NAME];
    set_name(id, name);
    int i = find_set(c, name);
    if (i >= 0)
        return i;
    if (c->nsets >= MAX_SETS)
        return -1;
    memcpy(c->set[c->nsets], name, SET_NAME);
    return c->nsets++;
}

static float weight_of(const corpus *c, int set)
{
    for (int i = 0; i < c->nweights; i++)
        if (!strcmp(c->weight[i].name, c->set[set]))
            return c->weight[i].w;
    return 0; /* 0 = 1 */
}

/* Read the tune notes of one file into c->rows. */
static int read_file(corpus *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "joindots screen-train: cannot open %s\n", path);
        return JD_EXIT_NOTFOUND;
    }
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = JD_EXIT_OK;
    while (getline(&line, &cap, f) != -1 && rc == JD_EXIT_OK) {
        lineno++;
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        const char *id = o ? json_string_value(json_object_get(o, "id")) : NULL;
        if (!id || !json_is_string(json_object_get(o, "text"))) {
            fprintf(stderr, "joindots screen-train: %s line %ld: needs an id and a text\n", path,
                    lineno);
            rc = JD_EXIT_DATA;
        } else if (tune_part(id)) {
            json_array_append(c->rows, o);
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return rc;
}

/* The gold notes of c->rows (strings borrowed from the rows). */
static int make_gold(corpus *c)
{
    size_t n = json_array_size(c->rows), nl = 0, i;
    json_t *o;
    json_array_foreach(c->rows, i, o) for (int k = 0; k < 3; k++) nl +=
        json_array_size(json_object_get(o, k == 0 ? "offences" : k == 1 ? "language" : "indicators"));
    c->g = calloc(n ? n : 1, sizeof *c->g);
    c->labels = calloc(nl ? nl : 1, sizeof *c->labels);
    if (!c->g || !c->labels)
        return JD_EXIT_FAIL;
    size_t at = 0;
    json_array_foreach(c->rows, i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *cr = json_string_value(json_object_get(o, "crime_recorded"));
        const char *sex = json_string_value(json_object_get(o, "child_gender"));
        json_t *age = json_object_get(o, "child_age");
        jd_screen_gold *g = &c->g[i];
        g->note = (jd_screen_note){id,
                                   json_string_value(json_object_get(o, "text")),
                                   json_string_value(json_object_get(o, "event_type")),
                                   json_string_value(json_object_get(o, "agency")),
                                   json_is_integer(age) ? (int)json_integer_value(age) : -1,
                                   sex && *sex ? sex[0] : 0,
                                   cr && !strcmp(cr, "Y")   ? 1
                                   : cr && !strcmp(cr, "N") ? 0
                                                            : -1,
                                   0,
                                   0};
        g->labels = c->labels + at;
        for (int k = 0; k < 3; k++) {
            json_t *a = json_object_get(o, k == 0 ? "offences" : k == 1 ? "language" : "indicators");
            for (size_t j = 0; j < json_array_size(a); j++)
                if (json_is_string(json_array_get(a, j)))
                    c->labels[at++] = json_string_value(json_array_get(a, j));
        }
        g->nlabels = (size_t)(c->labels + at - g->labels);
        g->set = set_of(c, id);
        if (g->set < 0) {
            fprintf(stderr, "joindots screen-train: more than %d sets\n", MAX_SETS);
            return JD_EXIT_DATA;
        }
        g->weight = weight_of(c, g->set);
    }
    return JD_EXIT_OK;
}

/* One line: rules alone -> rules + model per kind, P/R (indicators F1) and
 * tp/fp/fn, so that folds pool; flushed (a fold can take minutes). */
static void print_counts(const char *what, const jd_screen_counts r[3], const jd_screen_counts m[3])
{
    static const char *kn[3] = {"off", "lang", "ind"};
    printf("%-10s", what);
    for (int k = 0; k < 3; k++) {
        const jd_screen_counts *x[2] = {&r[k], &m[k]};
        printf("  %s", kn[k]);
        for (int j = 0; j < 2; j++) {
            double p = x[j]->tp + x[j]->fp ? (double)x[j]->tp / (double)(x[j]->tp + x[j]->fp) : 1;
            double rc = x[j]->tp + x[j]->fn ? (double)x[j]->tp / (double)(x[j]->tp + x[j]->fn) : 1;
            double f = p + rc ? 2 * p * rc / (p + rc) : 0;
            printf(k == 2 ? "%s%.2f" : "%s%.2f/%.2f", j ? " -> " : " ", k == 2 ? f : p, rc);
        }
        printf(" (%ld/%ld/%ld -> %ld/%ld/%ld)", r[k].tp, r[k].fp, r[k].fn, m[k].tp, m[k].fp,
               m[k].fn);
    }
    printf("\n");
    fflush(stdout);
}

static void add_counts(jd_screen_counts to[3], const jd_screen_counts x[3])
{
    for (int k = 0; k < 3; k++)
        to[k].tp += x[k].tp, to[k].fp += x[k].fp, to[k].fn += x[k].fn;
}

/* --cv-raise: the fold's model scored again in narrower uses of the same fit
 * (jd_screen_model_limit, applied in this order: each builds on the last). */
#define NVARIANTS 4
static const struct variant {
    const char *name;
    int only;
    double floor;
    int family;
} variants[NVARIANTS] = {
    {"model", JD_SCREEN_LIMIT_BOTH, 0, -1},  /* as trained */
    {"raise", JD_SCREEN_LIMIT_RAISE, 0, -1}, /* never vetoes a rule's match */
    {"weak", JD_SCREEN_LIMIT_RAISE, 0, 0},   /* ... and counts only weak matches */
    {"raise.8", JD_SCREEN_LIMIT_RAISE, 0.8, 1}, /* never vetoes; raises at p >= .8 */
};

/* Score the fold's test notes with each use of m (one only unless nv > 1). */
static int score_variants(const jd_screen_data *D, jd_screen_model *m, const bool *test,
                          unsigned kinds, int nv, jd_screen_counts mm[NVARIANTS][3], jd_error *err)
{
    for (int v = 0; v < nv; v++) {
        const struct variant *x = &variants[v];
        if ((v && jd_screen_model_limit(m, kinds, x->only, x->floor, x->family, err) < 0) ||
            jd_screen_data_score(D, m, test, mm[v], err) < 0)
            return -1;
    }
    return 0;
}

/* Leave one set out: train on the others' tune notes, score its tune notes. */
static int cross_validate(const corpus *c, const jd_screen_data *D,
                          const jd_screen_train_opts *o)
{
    size_t n = jd_screen_data_count(D);
    bool *use = calloc(n ? n : 1, 1), *test = calloc(n ? n : 1, 1);
    jd_screen_counts tr[3] = {{0}}, tm[NVARIANTS][3] = {{{0}}};
    int nv = c->cv_raise ? NVARIANTS : 1;
    unsigned kinds = o->kinds ? o->kinds : 7u;
    int rc = use && test ? JD_EXIT_OK : JD_EXIT_FAIL;
    printf("leave-one-set-out on the tune parts: rules alone -> rules + model\n"
           "(offences P/R unrecorded only, language P/R, indicators micro-F1; tp/fp/fn)\n");
    for (int s = 0; s < c->nsets && rc == JD_EXIT_OK; s++) {
        if (c->cv_sets && !c->leave_out[s])
            continue;
        for (size_t i = 0; i < n; i++) {
            use[i] = c->g[i].set != s;
            test[i] = !use[i];
        }
        jd_error err;
        jd_error_clear(&err);
        jd_screen_model *m = NULL;
        jd_screen_counts r[3] = {{0}}, mm[NVARIANTS][3] = {{{0}}};
        if (jd_screen_model_train(&m, D, use, o, &err) < 0 ||
            jd_screen_data_score(D, NULL, test, r, &err) < 0 ||
            score_variants(D, m, test, kinds, nv, mm, &err) < 0) {
            cli_print_error("training failed", &err);
            rc = JD_EXIT_FAIL;
        }
        jd_screen_model_free(m);
        for (int v = 0; v < nv && rc == JD_EXIT_OK; v++) {
            char what[32];
            snprintf(what, sizeof what, "set %s%s%s", c->set[s], nv > 1 ? " " : "",
                     nv > 1 ? variants[v].name : "");
            print_counts(what, r, mm[v]);
            add_counts(tm[v], mm[v]);
        }
        add_counts(tr, r);
    }
    for (int v = 0; v < nv; v++) {
        char what[24];
        snprintf(what, sizeof what, "pooled%s%s", nv > 1 ? " " : "", nv > 1 ? variants[v].name : "");
        print_counts(what, tr, tm[v]);
    }
    free(use);
    free(test);
    return rc;
}

/* --cv-sets: the sets to leave out, by name, comma-separated ("AA,D"); a
 * list without commas that names no set is one set a letter (the older
 * "SZLA" form). Every name must be a set of the corpora's tune parts: one
 * that matches nothing would print an all-zero pooled line. */
static int mark_one(corpus *c, const char *name, size_t len)
{
    char buf[SET_NAME];
    int s = -1;
    if (len > 0 && len < SET_NAME) {
        memcpy(buf, name, len);
        buf[len] = 0;
        s = find_set(c, buf);
    }
    if (s < 0) {
        fprintf(stderr, "joindots screen-train: --cv-sets: no set %.*s in the corpora\n",
                (int)len, name);
        return JD_EXIT_USAGE;
    }
    c->leave_out[s] = true;
    return JD_EXIT_OK;
}

static int mark_cv_sets(corpus *c)
{
    const char *a = c->cv_sets;
    if (!a)
        return JD_EXIT_OK;
    if (!a[0]) {
        fprintf(stderr, "joindots screen-train: --cv-sets needs at least one set\n");
        return JD_EXIT_USAGE;
    }
    if (!strchr(a, ',') && find_set(c, a) < 0) {
        for (const char *p = a; *p; p++)
            if (mark_one(c, p, 1) != JD_EXIT_OK)
                return JD_EXIT_USAGE;
        return JD_EXIT_OK;
    }
    for (const char *p = a;; p++) {
        size_t n = strcspn(p, ",");
        if (mark_one(c, p, n) != JD_EXIT_OK)
            return JD_EXIT_USAGE;
        p += n;
        if (!*p)
            return JD_EXIT_OK;
    }
}

/* --weight NAME=W: NAME a set's name (1-7 capitals), W above 0. */
static int parse_weight(corpus *c, const char *arg)
{
    char name[SET_NAME];
    size_t n = set_name(arg, name);
    char *end = NULL;
    double w = n && arg[n] == '=' ? strtod(arg + n + 1, &end) : 0;
    if (!n || !end || end == arg + n + 1 || *end || !(w > 0) || c->nweights >= MAX_SETS) {
        fprintf(stderr, "joindots screen-train: --weight takes SET=W (SET the capitals an id "
                        "starts with, W above 0)\n");
        return -1;
    }
    set_weight *x = &c->weight[c->nweights++];
    memcpy(x->name, name, SET_NAME);
    x->w = (float)w;
    return 0;
}

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: joindots screen-train --out MODEL.json [--cv [--cv-sets SETS] [--cv-raise]]\n"
               "                             [--kinds off,lang,ind]\n"
               "                             [--family off|none] [--weight SET=W]... [--rules FILE]\n"
               "                             [--l2 X] [--iterations N] [--open off]\n"
               "                             [--only-veto KINDS | --only-raise KINDS]\n"
               "                             [--keep-thresholds MODEL.json]\n"
               "                             CORPUS.jsonl...\n"
               "\nLearns the screen's combiner from the TUNE part of each labelled corpus\n"
               "(id number not divisible by 3; held-out notes are dropped unread) and writes\n"
               "it to MODEL.json. --cv first prints leave-one-set-out figures (a set is an\n"
               "id's leading capitals: D0003 is set D, AA0012 set AA): rules alone -> rules\n"
               "and model. --kinds: what to learn; --family: kinds where the model may raise\n"
               "a label no rule of its own matched when a rule of the kind did (default off\n"
               "= offences). --weight: the weight of one set's notes (a writer the rules\n"
               "were not tuned on). --l2 (default 0.001) and --iterations (default 150): the\n"
               "penalty and the steps. --cv-sets: leave out only these sets in turn\n"
               "(\"AA,D\", or \"RST\" for one-letter sets; each must be a set of the corpora;\n"
               "needs --cv); with --cv, --out may be left out (no model is trained on all\n"
               "the notes then). --open: family kinds whose labels are candidates in every\n"
               "note, not only beside a match of their kind (indicators always are).\n"
               "--only-veto / --only-raise: kinds where the model may only veto a counted\n"
               "match / only count (never veto). --cv-raise: each fold's model is also\n"
               "scored never vetoing (raise), counting only weak matches (weak) and never\n"
               "vetoing with raises at p >= .8 (raise.8).\n"
               "--keep-thresholds: each kind's thresholds (and its family, open and only\n"
               "settings) are read from MODEL.json, a model of those kinds (the shipped\n"
               "one), and only the weights are learnt; without --kinds, the kinds it has.\n");
    return rc;
}

static unsigned parse_kinds(const char *s)
{
    unsigned k = 0;
    if (strstr(s, "off"))
        k |= 1u << JD_SCREEN_OFFENCE;
    if (strstr(s, "lang"))
        k |= 1u << JD_SCREEN_LANGUAGE;
    if (strstr(s, "ind"))
        k |= 1u << JD_SCREEN_INDICATOR;
    return k;
}

static int train_and_save(const corpus *c, jd_screen *S, const char *out, bool cv,
                          const jd_screen_train_opts *o)
{
    jd_error err;
    jd_error_clear(&err);
    jd_screen_data *D = NULL;
    jd_screen_model *m = NULL;
    int rc = jd_screen_data_new(&D, S, c->g, json_array_size(c->rows), &err);
    if (rc < 0) {
        cli_print_error("cannot screen the corpora", &err);
        return cli_exit_code(rc);
    }
    int x = cv ? cross_validate(c, D, o) : JD_EXIT_OK;
    if (x == JD_EXIT_OK && out && (rc = jd_screen_model_train(&m, D, NULL, o, &err)) >= 0)
        rc = jd_screen_model_save(m, out, &err);
    if (x == JD_EXIT_OK && rc < 0) {
        cli_print_error("cannot train or save the model", &err);
        x = cli_exit_code(rc);
    }
    jd_screen_model_free(m);
    jd_screen_data_free(D);
    return x;
}

/* --l2 X (0 to 10) or --iterations N (1 to 100000) into o. */
static int train_number(jd_screen_train_opts *o, int opt, const char *arg)
{
    if (opt == 'i') {
        long n = 0;
        if (cli_parse_range("--iterations", arg, 1, 100000, &n) < 0)
            return -1;
        o->iterations = (int)n;
        return 0;
    }
    char *end = NULL;
    double v = strtod(arg, &end);
    if (!end || end == arg || *end || !(v >= 0 && v <= 10)) {
        fprintf(stderr, "joindots: --l2 takes a number from 0 to 10\n");
        return -1;
    }
    o->l2 = v;
    return 0;
}

int cmd_screen_train(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},   {"cv", no_argument, NULL, 'c'},
        {"kinds", required_argument, NULL, 'k'}, {"rules", required_argument, NULL, 'r'},
        {"family", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
        {"weight", required_argument, NULL, 'w'}, {"l2", required_argument, NULL, 'l'},
        {"iterations", required_argument, NULL, 'i'}, {"cv-sets", required_argument, NULL, 's'},
        {"open", required_argument, NULL, 'O'},   {"only-veto", required_argument, NULL, 'V'},
        {"only-raise", required_argument, NULL, 'R'}, {"cv-raise", no_argument, NULL, 'X'},
        {"keep-thresholds", required_argument, NULL, 'K'}, {NULL, 0, NULL, 0}};
    const char *out = NULL, *rules = NULL, *keep = NULL;
    bool cv = false;
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    corpus c = {.rows = json_array()};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o': out = optarg; break;
        case 'c': cv = true; break;
        case 's': c.cv_sets = optarg; break;
        case 'X': c.cv_raise = true; break;
        case 'k': o.kinds = parse_kinds(optarg); break;
        case 'f': o.family = parse_kinds(optarg); break;
        case 'O': o.open = parse_kinds(optarg); break;
        case 'V': o.only_veto = parse_kinds(optarg); break;
        case 'R': o.only_raise = parse_kinds(optarg); break;
        case 'w':
            if (parse_weight(&c, optarg) < 0) {
                json_decref(c.rows);
                return usage(stderr, JD_EXIT_USAGE);
            }
            break;
        case 'r': rules = optarg; break;
        case 'K': keep = optarg; break;
        case 'l':
        case 'i':
            if (train_number(&o, opt, optarg) < 0) {
                json_decref(c.rows);
                return JD_EXIT_USAGE;
            }
            break;
        case 'h': json_decref(c.rows); return usage(stdout, JD_EXIT_OK);
        default: json_decref(c.rows); return usage(stderr, JD_EXIT_USAGE);
        }
    }
    if ((!out && !cv) || optind >= argc || ((c.cv_sets || c.cv_raise) && !cv)) {
        json_decref(c.rows);
        return usage(stderr, JD_EXIT_USAGE);
    }
    int rc = JD_EXIT_OK;
    for (int i = optind; i < argc && rc == JD_EXIT_OK; i++)
        rc = read_file(&c, argv[i]);
    if (rc == JD_EXIT_OK)
        rc = make_gold(&c);
    if (rc == JD_EXIT_OK)
        rc = mark_cv_sets(&c);
    jd_screen *S = NULL;
    jd_screen_model *kept = NULL;
    jd_error err;
    jd_error_clear(&err);
    int lrc = rc == JD_EXIT_OK && keep ? jd_screen_model_load(&kept, keep, &err) : JD_OK;
    if (lrc < 0) {
        cli_print_error("cannot load the model whose thresholds are kept", &err);
        rc = cli_exit_code(lrc);
    }
    o.keep = kept;
    if (rc == JD_EXIT_OK && jd_screen_open_model(&S, rules, JD_SCREEN_MODEL_NONE, &err) < 0) {
        cli_print_error("cannot load the screen rules", &err);
        rc = JD_EXIT_DATA;
    }
    if (rc == JD_EXIT_OK)
        rc = train_and_save(&c, S, out, cv, &o);
    jd_screen_close(S);
    jd_screen_model_free(kept);
    free(c.g);
    free(c.labels);
    json_decref(c.rows);
    return rc;
}
