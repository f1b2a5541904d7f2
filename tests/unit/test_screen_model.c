/*
 * The screen's learned combiner (include/joindots/screen_model.h,
 * src/lib/screen/model.h): features of a candidate on short notes, training
 * on a tiny synthetic corpus that a word separates, load errors that name
 * the file and the field, the no-model path equal to the rules alone, and
 * determinism (two trainings, the same bytes). Notes are written here from
 * DOMAIN.md's wording, not taken from any corpus.
 */
#include "screen/model.h"
#include "util/csv.h"

#include <joindots/analyse.h>
#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screen_fx.h"

static jd_screen_note note(const char *text, int age)
{
    return (jd_screen_note){"T0001", text, "case_note", "police", age, 'F', -1, 0, 0};
}

static bool has_feature(const jd_sm_fv *fv, const char *name)
{
    for (size_t i = 0; i < fv->n; i++)
        if (!strcmp(jd_sm__name(fv, i), name))
            return true;
    return false;
}

/* The value of a feature by name, -1 when absent. */
static float feature_value(const jd_sm_fv *fv, const char *name)
{
    for (size_t i = 0; i < fv->n; i++)
        if (!strcmp(jd_sm__name(fv, i), name))
            return fv->f[i].v;
    return -1;
}

static bool has_feature_part(const jd_sm_fv *fv, const char *part)
{
    for (size_t i = 0; i < fv->n; i++)
        if (strstr(jd_sm__name(fv, i), part))
            return true;
    return false;
}

/* Rules alone, then the features of the "own_accord" candidate. */
static void features_of(fx *f, jd_sm_stemmer *st, jd_sm_fv *fv, const char *text)
{
    jd_error err;
    jd_screen_set_model(f->S, NULL);
    jd_screen_note in = note(text, 14);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    int ci, xi;
    assert_true(jd_screen__candidate(&f->res, JD_SCREEN_LANGUAGE, "own_accord", &ci, &xi));
    assert_true(ci >= 0);
    assert_int_equal(jd_screen__features(fv, st, &in, &f->res, ci, xi), JD_OK);
}

static void test_screen_model__features(void **state)
{
    fx *f = *state;
    jd_sm_stemmer *st;
    jd_sm_fv fv = {0};
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    features_of(f, st, &fv, "YP went of her own accord with the older males. Polish speaking.");
    assert_true(has_feature(&fv, "counted"));
    assert_true(has_feature(&fv, "own_accord|counted"));
    assert_false(has_feature(&fv, "ruled_out"));
    assert_true(has_feature(&fv, "bias"));
    assert_true(has_feature(&fv, "et:case_note"));
    assert_true(has_feature(&fv, "own_accord|ag:police"));
    assert_true(has_feature(&fv, "s:accord"));
    assert_true(has_feature(&fv, "own_accord|s:male")); /* "males", stemmed */
    assert_true(has_feature(&fv, "b:own_accord"));
    assert_true(has_feature(&fv, "fr:child")); /* "her" */
    assert_true(has_feature(&fv, "own_accord|n:speak"));
    /* fairness: a nationality is never a feature, in any position */
    assert_false(has_feature_part(&fv, "polish"));
    /* each once ("her" twice in the sentence, "fr:child" once) */
    for (size_t i = 0; i < fv.n; i++)
        for (size_t j = i + 1; j < fv.n; j++)
            assert_false(fv.f[i].bucket == fv.f[j].bucket && fv.f[i].key == fv.f[j].key);
    /* the same note twice: the same features (a pure function) */
    jd_sm_fv again = {0};
    features_of(f, st, &again, "YP went of her own accord with the older males. Polish speaking.");
    assert_int_equal(again.n, fv.n);
    for (size_t i = 0; i < fv.n; i++)
        assert_string_equal(jd_sm__name(&again, i), jd_sm__name(&fv, i));
    jd_sm__fv_free(&again);
    jd_sm__fv_free(&fv);
    jd_sm__stemmer_free(st);
}

/* A label of the kind no rule of its own matched: "family" features. */
static void test_screen_model__family_features(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_sm_stemmer *st;
    jd_sm_fv fv = {0};
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    jd_screen_set_model(f->S, NULL);
    jd_screen_set_weak(f->S, true); /* the weak candidates, as training reads them */
    jd_screen_note in = note("YP went of her own accord with the older males.", 14);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    assert_false(jd_screen__family_candidate(&f->res, JD_SCREEN_LANGUAGE, "own_accord", false));
    assert_true(jd_screen__family_candidate(&f->res, JD_SCREEN_LANGUAGE, "consent", false));
    /* weak evidence (scr-recall): "went ... with the older males" is a weak
     * C15 match, a candidate of its own, but weak matches open no family
     * (nor does a note with no offence match at all) */
    assert_false(jd_screen__family_candidate(&f->res, JD_SCREEN_OFFENCE, "C2", false));
    assert_true(jd_screen__candidate(&f->res, JD_SCREEN_OFFENCE, "C15", &(int){0}, &(int){0}));
    jd_screen_result calm_res = {0};
    jd_screen_note calm = note("YP went to school of her own accord.", 14);
    assert_int_equal(jd_screen_run(f->S, &calm, &calm_res, &err), JD_OK);
    assert_false(jd_screen__family_candidate(&calm_res, JD_SCREEN_OFFENCE, "C2", false));
    jd_screen_result_free(&calm_res);
    jd_screen_match proto = {0};
    proto.kind = JD_SCREEN_LANGUAGE;
    proto.code = "consent";
    proto.start = proto.end = -1;
    assert_int_equal(jd_screen__features_for(&fv, st, &in, &f->res, &proto, -1, -1), JD_OK);
    assert_true(has_feature(&fv, "family"));
    assert_true(has_feature(&fv, "consent|fhas:own_accord"));
    assert_true(has_feature(&fv, "consent|fs:accord"));
    assert_false(has_feature(&fv, "counted"));
    /* the labels of a kind whose ages admit the child */
    jd_screen_match protos[JD_SM_FAMILY_MAX];
    size_t n14 = jd_screen__labels(f->S, JD_SCREEN_OFFENCE, 14, protos, JD_SM_FAMILY_MAX);
    bool c2 = false, c1 = false;
    for (size_t i = 0; i < n14; i++) {
        c2 |= !strcmp(protos[i].code, "C2");
        c1 |= !strcmp(protos[i].code, "C1");
    }
    assert_true(c2);
    assert_false(c1); /* under 13 only */
    assert_int_equal(jd_screen__labels(f->S, JD_SCREEN_OFFENCE, -1, protos, JD_SM_FAMILY_MAX), 0);
    jd_sm__fv_free(&fv);
    jd_sm__stemmer_free(st);
}

/* 24 notes, each with the "own_accord" wording; the gold has the slug when
 * the note names the alpha team, not when it names the bravo team. */
#define NSYN 24
typedef struct syn {
    char text[NSYN][128];
    char id[NSYN][8];
    const char *yes[1];
    jd_screen_gold g[NSYN];
} syn;

static void make_syn(syn *s)
{
    memset(s, 0, sizeof *s);
    s->yes[0] = "own_accord";
    for (int i = 0; i < NSYN; i++) {
        bool pos = i % 2 == 0;
        snprintf(s->text[i], sizeof s->text[i], "YP went of her own accord with the %s team %s.",
                 pos ? "alpha" : "bravo", i % 3 ? "today" : "again");
        snprintf(s->id[i], sizeof s->id[i], "%c%04d", i < NSYN / 2 ? 'A' : 'B', i + 1);
        s->g[i].note = note(s->text[i], 15);
        s->g[i].note.id = s->id[i];
        s->g[i].labels = pos ? s->yes : NULL;
        s->g[i].nlabels = pos ? 1 : 0;
        s->g[i].set = i < NSYN / 2 ? 0 : 1;
    }
}

static jd_screen_model *train_syn(fx *f, const syn *s, jd_screen_data **dout)
{
    jd_error err;
    jd_screen_data *D;
    assert_int_equal(jd_screen_data_new(&D, f->S, s->g, NSYN, &err), JD_OK);
    assert_int_equal(jd_screen_data_count(D), NSYN);
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    o.kinds = 1u << JD_SCREEN_LANGUAGE;
    o.family = 0;
    o.min_label = 4;
    jd_screen_model *m;
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_OK);
    if (dout)
        *dout = D;
    else
        jd_screen_data_free(D);
    return m;
}

static void test_screen_model__learns_separable(void **state)
{
    fx *f = *state;
    jd_error err;
    syn s;
    make_syn(&s);
    jd_screen_data *D;
    jd_screen_model *m = train_syn(f, &s, &D);
    assert_true(jd_screen_model_labels(m) > 0);
    jd_screen_counts rules[3] = {{0}}, model[3] = {{0}};
    assert_int_equal(jd_screen_data_score(D, NULL, NULL, rules, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, m, NULL, model, &err), JD_OK);
    /* the rules count every note; the model keeps the alpha ones only */
    assert_int_equal(rules[JD_SCREEN_LANGUAGE].tp, NSYN / 2);
    assert_int_equal(rules[JD_SCREEN_LANGUAGE].fp, NSYN / 2);
    assert_int_equal(model[JD_SCREEN_LANGUAGE].tp, NSYN / 2);
    assert_int_equal(model[JD_SCREEN_LANGUAGE].fp, 0);
    assert_int_equal(model[JD_SCREEN_LANGUAGE].fn, 0);
    /* the same through jd_screen_run: a veto that explains itself */
    jd_screen_set_model(f->S, m);
    jd_screen_note in = note("YP went of her own accord with the bravo team today.", 15);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    bool vetoed = false;
    for (size_t i = 0; i < f->res.n; i++)
        if (!strcmp(f->res.m[i].code, "own_accord")) {
            assert_false(f->res.m[i].counts);
            assert_true(f->res.m[i].modelled);
            assert_true(f->res.m[i].prob < f->res.m[i].threshold);
            assert_non_null(strstr(f->res.m[i].why, "the model"));
            assert_non_null(strstr(f->res.m[i].model, "bravo"));
            vetoed = true;
        }
    assert_true(vetoed);
    in.text = "YP went of her own accord with the alpha team again.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    assert_true(f->res.n > 0 && f->res.m[0].counts && f->res.m[0].modelled);
    jd_screen_data_free(D);
}

/* Indicators: every label no rule of its own matched is a candidate, even in
 * a note where no indicator rule matched, with the note's stem pairs. */
static void test_screen_model__indicator_open(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_sm_stemmer *st;
    jd_sm_fv fv = {0};
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    jd_screen_set_model(f->S, NULL);
    jd_screen_note in = note("Met the zulu team at school. Polish family, quiet week.", 14);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    assert_true(jd_screen__family_candidate(&f->res, JD_SCREEN_INDICATOR, "M09", false));
    assert_false(jd_screen__family_candidate(&f->res, JD_SCREEN_OFFENCE, "C2", false));
    jd_screen_match proto = {0};
    proto.kind = JD_SCREEN_INDICATOR;
    proto.code = "M09";
    proto.start = proto.end = -1;
    assert_int_equal(jd_screen__features_for(&fv, st, &in, &f->res, &proto, -1, -1), JD_OK);
    assert_true(has_feature(&fv, "M09|n:zulu"));
    assert_true(has_feature(&fv, "M09|nb:zulu_team"));
    assert_false(has_feature(&fv, "M09|nb:school_polish")); /* not across sentences */
    assert_false(has_feature_part(&fv, "polish"));          /* fairness, pairs too */
    float v_short = feature_value(&fv, "M09|n:zulu");
    /* a long note: each word weighs less, so the margin does not grow with length */
    char longer[2048] = "Met the zulu team at school.";
    for (int i = 0; i < 60; i++)
        snprintf(longer + strlen(longer), sizeof longer - strlen(longer), " Word%c%c here.",
                 'a' + i % 26, 'a' + i / 26);
    jd_screen_note in2 = note(longer, 14);
    assert_int_equal(jd_screen_run(f->S, &in2, &f->res, &err), JD_OK);
    assert_int_equal(jd_screen__features_for(&fv, st, &in2, &f->res, &proto, -1, -1), JD_OK);
    float v_long = feature_value(&fv, "M09|n:zulu");
    assert_true(v_short == 0.5f);
    assert_true(v_long > 0 && v_long < 0.5f);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    proto.kind = JD_SCREEN_OFFENCE; /* the note's pairs for every kind */
    proto.code = "C2";
    assert_int_equal(jd_screen__features_for(&fv, st, &in, &f->res, &proto, -1, -1), JD_OK);
    assert_true(has_feature(&fv, "C2|n:zulu"));
    assert_true(has_feature_part(&fv, "nb:"));
    jd_sm__fv_free(&fv);
    jd_sm__stemmer_free(st);
}

/* The features of a candidate of `kind` for `code` that no rule of its own
 * matched, on `text` screened by f->S as it is. */
static void candidate_features(fx *f, jd_sm_stemmer *st, jd_sm_fv *fv, const char *text,
                               jd_screen_kind kind, const char *code)
{
    jd_error err;
    jd_screen_note in = note(text, 14);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    jd_screen_match proto = {0};
    proto.kind = kind;
    proto.code = code;
    proto.start = proto.end = -1;
    assert_int_equal(jd_screen__features_for(fv, st, &in, &f->res, &proto, -1, -1), JD_OK);
}

/* The features of a wording label no rule of its own matched, on `text`. */
static void lang_features(fx *f, jd_sm_stemmer *st, jd_sm_fv *fv, const char *text,
                          jd_screen_kind kind, const char *code)
{
    jd_screen_set_model(f->S, NULL);
    candidate_features(f, st, fv, text, kind, code);
}

/* Wording is open (a candidate in every note) and reads word families by
 * meaning: the writer's own, in a sentence naming the child, or quoted. */
static void test_screen_model__lang_families(void **state)
{
    fx *f = *state;
    jd_sm_stemmer *st;
    jd_sm_fv fv = {0};
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    lang_features(f, st, &fv, "Quiet week at the unit. Zulu team visited.", JD_SCREEN_LANGUAGE,
                  "own_accord");
    assert_true(jd_screen__family_candidate(&f->res, JD_SCREEN_LANGUAGE, "own_accord", false));
    assert_true(has_feature(&fv, "own_accord|nb:zulu_team")); /* pairs, as for indicators */
    assert_false(has_feature_part(&fv, "lex"));
    lang_features(f, st, &fv, "The men collected YP and she went along readily.",
                  JD_SCREEN_LANGUAGE, "own_accord");
    assert_true(has_feature(&fv, "own_accord|lex:volition"));  /* "readily" */
    assert_true(has_feature(&fv, "own_accord|lexc:volition")); /* "YP", "she" */
    assert_true(has_feature(&fv, "own_accord|lex:consent"));   /* the frame "went along" */
    assert_false(has_feature(&fv, "own_accord|lexq:volition"));
    lang_features(f, st, &fv, "The landlord was willing to help. Her room is tidy.",
                  JD_SCREEN_LANGUAGE, "own_accord");
    assert_true(has_feature(&fv, "own_accord|lex:volition"));
    assert_false(has_feature(&fv, "own_accord|lexc:volition")); /* no child in that sentence */
    lang_features(f, st, &fv, "Mum says \"she went willingly\"; this is grooming.",
                  JD_SCREEN_LANGUAGE, "own_accord");
    assert_true(has_feature(&fv, "own_accord|lexq:volition"));
    assert_false(has_feature(&fv, "own_accord|lex:volition"));
    assert_true(has_feature(&fv, "own_accord|lex:reframe"));  /* "grooming" */
    assert_true(has_feature(&fv, "own_accord|lex:reported")); /* "says" */
    /* curly quotes close; a new line ends an unclosed quotation */
    lang_features(f, st, &fv, "She said \xe2\x80\x9cI go under my own steam\xe2\x80\x9d. Tidy.\n"
                  "Kayla says \"no\nShe went under her own steam.",
                  JD_SCREEN_LANGUAGE, "own_accord");
    assert_true(has_feature(&fv, "own_accord|lexq:volition"));
    assert_true(has_feature(&fv, "own_accord|lexc:volition"));
    /* an indicator reads no families */
    lang_features(f, st, &fv, "She went willingly.", JD_SCREEN_INDICATOR, "M09");
    assert_false(has_feature_part(&fv, "lex"));
    jd_sm__fv_free(&fv);
    jd_sm__stemmer_free(st);
}

/* NSYN notes in two sets, "<lead>Met the zulu|yankee team at the library
 * today|again."; the gold is yes[0] when the note names the zulu team. */
static void zulu_corpus(jd_screen_gold *g, char (*text)[96], char (*id)[8], const char *lead,
                        const char *const *yes)
{
    memset(g, 0, NSYN * sizeof *g);
    for (int i = 0; i < NSYN; i++) {
        bool pos = i % 2 == 0;
        snprintf(text[i], 96, "%sMet the %s team at the library %s.", lead,
                 pos ? "zulu" : "yankee", i % 3 ? "today" : "again");
        snprintf(id[i], 8, "%c%04d", i < NSYN / 2 ? 'A' : 'B', i + 1);
        g[i].note = note(text[i], 15);
        g[i].note.id = id[i];
        g[i].labels = pos ? yes : NULL;
        g[i].nlabels = pos ? 1 : 0;
        g[i].set = i < NSYN / 2 ? 0 : 1;
    }
}

/* 24 notes no indicator rule matches; the gold has M09 when the note names
 * the zulu team. The model raises M09 from the note's words alone, and says
 * which words weighed most. */
static void test_screen_model__indicator_raised(void **state)
{
    fx *f = *state;
    jd_error err;
    char text[NSYN][96], id[NSYN][8];
    const char *yes[1] = {"M09"};
    jd_screen_gold g[NSYN];
    zulu_corpus(g, text, id, "", yes);
    jd_screen_data *D;
    assert_int_equal(jd_screen_data_new(&D, f->S, g, NSYN, &err), JD_OK);
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    o.kinds = o.family = 1u << JD_SCREEN_INDICATOR;
    o.min_label = 4;
    jd_screen_model *m;
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_OK);
    jd_screen_counts rules[3] = {{0}}, model[3] = {{0}};
    assert_int_equal(jd_screen_data_score(D, NULL, NULL, rules, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, m, NULL, model, &err), JD_OK);
    assert_int_equal(rules[JD_SCREEN_INDICATOR].tp, 0);
    assert_int_equal(model[JD_SCREEN_INDICATOR].tp, NSYN / 2);
    assert_int_equal(model[JD_SCREEN_INDICATOR].fp, 0);
    jd_screen_set_model(f->S, m);
    jd_screen_note in = note("Met the zulu team at the library today.", 15);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    const jd_screen_match *r = NULL;
    for (size_t i = 0; i < f->res.n; i++)
        if (!strcmp(f->res.m[i].code, "M09"))
            r = &f->res.m[i];
    assert_non_null(r);
    if (!r)
        return;
    assert_true(r->counts && r->modelled && r->prob >= r->threshold);
    assert_non_null(strstr(r->why, "counted by the model"));
    assert_non_null(strstr(r->model, "weighed most"));
    assert_non_null(strstr(r->model, "zulu"));
    /* beside another label's match, the raised one shows its own sentence
     * and the rule "model", never the other label's words or rule */
    static const char first[] = "She went missing overnight. ";
    char two[128];
    snprintf(two, sizeof two, "%sMet the zulu team at the library today.", first);
    in.text = two;
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    const jd_screen_match *s01 = NULL;
    r = NULL;
    for (size_t i = 0; i < f->res.n; i++) {
        if (!strcmp(f->res.m[i].code, "M09"))
            r = &f->res.m[i];
        if (!strcmp(f->res.m[i].code, "S01"))
            s01 = &f->res.m[i];
    }
    assert_non_null(s01);
    assert_non_null(r);
    if (!r || !s01)
        return;
    assert_true(r->counts && r->modelled);
    assert_string_equal(r->rule, "model");
    assert_string_not_equal(r->rule, s01->rule);
    assert_int_equal(r->start, (int)strlen(first));
    assert_int_equal(r->end, (int)strlen(two));
    assert_non_null(strstr(r->why, "from the note's words"));
    in.text = "Met the yankee team at the library today.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    for (size_t i = 0; i < f->res.n; i++)
        assert_string_not_equal(f->res.m[i].code, "M09");
    jd_screen_set_model(f->S, NULL);
    jd_screen_data_free(D);
}

/* The first match of code in f->res, or NULL. */
static const jd_screen_match *code_of(const fx *f, const char *code)
{
    for (size_t i = 0; i < f->res.n; i++)
        if (!strcmp(f->res.m[i].code, code))
            return &f->res.m[i];
    return NULL;
}

/* The C20 match of f->res, or NULL. */
static const jd_screen_match *c20_of(const fx *f)
{
    return code_of(f, "C20");
}

/* 24 notes no offence rule matches; the gold has C20 when the note names the
 * zulu team. Open (`open`), the offences model raises C20 from the note's
 * words and shows the sentence that weighed most; closed (the default) it
 * cannot, no offence rule having matched; veto-only it raises nothing. */
static void test_screen_model__offence_open_raised(void **state)
{
    fx *f = *state;
    jd_error err;
    char text[NSYN][96], id[NSYN][8];
    const char *yes[1] = {"C20"};
    jd_screen_gold g[NSYN];
    zulu_corpus(g, text, id, "Quiet week. ", yes);
    jd_screen_data *D;
    assert_int_equal(jd_screen_data_new(&D, f->S, g, NSYN, &err), JD_OK);
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    o.kinds = o.family = 1u << JD_SCREEN_OFFENCE;
    o.min_label = 4;
    o.l2 = 1e-5;
    o.inner_cv = false; /* two sets: thresholds from the fit itself */
    jd_screen_counts rules[3] = {{0}}, closed[3] = {{0}}, open[3] = {{0}}, veto[3] = {{0}};
    jd_screen_model *mc, *mo, *mv;
    assert_int_equal(jd_screen_model_train(&mc, D, NULL, &o, &err), JD_OK);
    o.open = o.kinds;
    assert_int_equal(jd_screen_model_train(&mo, D, NULL, &o, &err), JD_OK);
    o.only_veto = o.kinds;
    assert_int_equal(jd_screen_model_train(&mv, D, NULL, &o, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, NULL, NULL, rules, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, mc, NULL, closed, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, mo, NULL, open, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, mv, NULL, veto, &err), JD_OK);
    assert_int_equal(rules[JD_SCREEN_OFFENCE].tp, 0);
    assert_int_equal(closed[JD_SCREEN_OFFENCE].tp, 0);
    assert_int_equal(veto[JD_SCREEN_OFFENCE].tp, 0);
    assert_int_equal(open[JD_SCREEN_OFFENCE].tp, NSYN / 2);
    assert_int_equal(open[JD_SCREEN_OFFENCE].fp, 0);
    /* the open raises (no offence matched in these notes) get thresholds of their own */
    assert_non_null(jd_strmap_get(&mo->k[JD_SCREEN_OFFENCE].thr_of, "any/open", 8));
    assert_non_null(jd_strmap_get(&mo->k[JD_SCREEN_OFFENCE].thr_of, "C20/open", 8));
    assert_null(jd_strmap_get(&mc->k[JD_SCREEN_OFFENCE].thr_of, "any/open", 8));
    jd_screen_model_free(mc);
    jd_screen_model_free(mv);
    jd_screen_set_model(f->S, mo);
    jd_screen_note in = note("Quiet week. Met the zulu team at the library today.", 15);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    const jd_screen_match *r = c20_of(f);
    assert_non_null(r);
    if (!r)
        return;
    assert_true(r->counts && r->modelled && r->prob >= r->threshold && !r->recorded);
    assert_non_null(strstr(r->why, "from the note's words"));
    assert_non_null(strstr(r->model, "zulu"));
    /* the sentence shown is the one whose words weighed most */
    assert_int_equal(r->start, (int)strlen("Quiet week. "));
    in.crime_recorded = 1; /* the record's answer holds for a raised offence */
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    assert_true(c20_of(f) && c20_of(f)->recorded);
    in = note("Quiet week. Met the yankee team at the library today.", 15);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    assert_null(c20_of(f));
    jd_screen_set_model(f->S, NULL);
    jd_screen_data_free(D);
}

/* jd_screen_model_limit narrows a trained model (screen-train --cv-raise):
 * the open model that raises C20 from the zulu notes raises nothing with
 * family raises off, raises again when they are allowed, and nothing when a
 * raise needs p >= 1; only and floor are kept; bad arguments are refused. */
static void test_screen_model__limit(void **state)
{
    fx *f = *state;
    jd_error err;
    char text[NSYN][96], id[NSYN][8];
    const char *yes[1] = {"C20"};
    jd_screen_gold g[NSYN];
    zulu_corpus(g, text, id, "Quiet week. ", yes);
    jd_screen_data *D;
    assert_int_equal(jd_screen_data_new(&D, f->S, g, NSYN, &err), JD_OK);
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    o.kinds = o.family = o.open = 1u << JD_SCREEN_OFFENCE;
    o.min_label = 4;
    o.l2 = 1e-5;
    o.inner_cv = false;
    jd_screen_model *m;
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_OK);
    jd_screen_counts c[4][3] = {{{0}}};
    unsigned off = 1u << JD_SCREEN_OFFENCE;
    assert_int_equal(jd_screen_data_score(D, m, NULL, c[0], &err), JD_OK);
    assert_int_equal(jd_screen_model_limit(m, off, JD_SCREEN_LIMIT_RAISE, 0, 0, &err), JD_OK);
    assert_int_equal(m->k[JD_SCREEN_OFFENCE].only, JD_SM_RAISE);
    assert_true(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C20", true) < 0);
    assert_int_equal(jd_screen_data_score(D, m, NULL, c[1], &err), JD_OK);
    assert_int_equal(jd_screen_model_limit(m, off, JD_SCREEN_LIMIT_RAISE, 0, 1, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, m, NULL, c[2], &err), JD_OK);
    assert_int_equal(jd_screen_model_limit(m, off, JD_SCREEN_LIMIT_RAISE, 1.0, -1, &err), JD_OK);
    assert_true(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C20", true) >= 1.0);
    assert_int_equal(jd_screen_data_score(D, m, NULL, c[3], &err), JD_OK);
    assert_int_equal(c[0][JD_SCREEN_OFFENCE].tp, NSYN / 2);
    assert_int_equal(c[1][JD_SCREEN_OFFENCE].tp, 0); /* no raise of an unmatched label */
    assert_int_equal(c[2][JD_SCREEN_OFFENCE].tp, NSYN / 2);
    assert_int_equal(c[3][JD_SCREEN_OFFENCE].tp, 0); /* no p reaches 1 */
    /* a kind not named is left as trained */
    assert_int_equal(jd_screen_model_limit(m, 1u << JD_SCREEN_LANGUAGE, JD_SCREEN_LIMIT_VETO, 0, 0,
                                           &err),
                     JD_OK);
    assert_int_equal(m->k[JD_SCREEN_OFFENCE].only, JD_SM_RAISE);
    assert_true(m->k[JD_SCREEN_OFFENCE].family);
    assert_int_equal(jd_screen_model_limit(NULL, off, 0, 0, -1, &err), JD_EINVALID);
    assert_int_equal(jd_screen_model_limit(m, off, 3, 0, -1, &err), JD_EINVALID);
    assert_int_equal(jd_screen_model_limit(m, off, 0, 1.5, -1, &err), JD_EINVALID);
    assert_int_equal(jd_screen_model_limit(m, off, 0, 0, 2, &err), JD_EINVALID);
    jd_screen_model_free(m);
    jd_screen_data_free(D);
}

/* The one acting, named: a chronology that names the same man in every
 * sentence reads his role once per rule, not once per act and mention (the
 * work was cubic in the note: 26 KB took 16 s). Twice the sentences, about
 * twice the role reads; a count of work, not a timing. */
static uint64_t role_work_of(jd_screen *S, int times)
{
    size_t n = (size_t)times * 40 + 1;
    char *text = malloc(n);
    assert_non_null(text);
    text[0] = 0;
    for (int i = 0; i < times; i++)
        strcat(text, "Mr Smith touched her in the car. ");
    jd_error err;
    jd_error_clear(&err);
    jd_screen_note in = {"T0001", text, "case_note", "police", 11, 'F', -1, 0, 0};
    jd_screen_result res = {0};
    assert_int_equal(jd_screen_run(S, &in, &res, &err), JD_OK);
    assert_true(res.n > 0);
    jd_screen_result_free(&res);
    free(text);
    return jd_screen__role_work(S);
}

static void test_screen_model__role_reads_linear(void **state)
{
    (void)state;
    jd_error err;
    jd_error_clear(&err);
    jd_screen *S = NULL;
    assert_int_equal(jd_screen_open(&S, NULL, &err), JD_OK);
    uint64_t w1 = role_work_of(S, 60), w2 = role_work_of(S, 120), w4 = role_work_of(S, 240);
    assert_true(w1 >= 60); /* the role is read: every act asks who acts */
    assert_true(w2 <= 2 * w1 + 16);
    assert_true(w4 <= 2 * w2 + 16);
    jd_screen_close(S);
}

static void test_screen_model__only(void **state)
{
    (void)state;
    assert_true(jd_sm__counts(JD_SM_BOTH, false, 0.6, 0.5));
    assert_false(jd_sm__counts(JD_SM_BOTH, true, 0.4, 0.5));
    assert_false(jd_sm__counts(JD_SM_VETO, false, 0.9, 0.5)); /* never counts */
    assert_false(jd_sm__counts(JD_SM_VETO, true, 0.4, 0.5));
    assert_true(jd_sm__counts(JD_SM_VETO, true, 0.6, 0.5));
    assert_true(jd_sm__counts(JD_SM_RAISE, true, 0.1, 0.5)); /* never vetoes */
    assert_true(jd_sm__counts(JD_SM_RAISE, false, 0.6, 0.5));
    assert_false(jd_sm__counts(JD_SM_RAISE, false, 0.4, 0.5));
}

/* Wording is open too: a slug no rule matched is raised from the note's
 * words, learnt from the notes the rule matched (shadows) and those it
 * missed; the notes without the slug keep none. */
static void test_screen_model__wording_raised(void **state)
{
    fx *f = *state;
    jd_error err;
    char text[NSYN][96], id[NSYN][8];
    const char *yes[1] = {"own_accord"};
    jd_screen_gold g[NSYN];
    memset(g, 0, sizeof g);
    for (int i = 0; i < NSYN; i++) {
        const char *form[] = {"YP went of her own accord with the alpha team",
                              "YP met the alpha team", "YP met the bravo team"};
        snprintf(text[i], sizeof text[i], "%s %s.", form[i % 3], i % 2 ? "today" : "again");
        snprintf(id[i], sizeof id[i], "%c%04d", i < NSYN / 2 ? 'A' : 'B', i + 1);
        g[i].note = note(text[i], 15);
        g[i].note.id = id[i];
        g[i].labels = i % 3 < 2 ? yes : NULL;
        g[i].nlabels = i % 3 < 2 ? 1 : 0;
        g[i].set = i < NSYN / 2 ? 0 : 1;
    }
    jd_screen_data *D;
    assert_int_equal(jd_screen_data_new(&D, f->S, g, NSYN, &err), JD_OK);
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    o.kinds = o.family = 1u << JD_SCREEN_LANGUAGE;
    o.min_label = 4;
    jd_screen_model *m;
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_OK);
    jd_screen_counts rules[3] = {{0}}, model[3] = {{0}};
    assert_int_equal(jd_screen_data_score(D, NULL, NULL, rules, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, m, NULL, model, &err), JD_OK);
    assert_int_equal(rules[JD_SCREEN_LANGUAGE].tp, NSYN / 3);
    assert_int_equal(rules[JD_SCREEN_LANGUAGE].fn, NSYN / 3);
    assert_int_equal(model[JD_SCREEN_LANGUAGE].tp, 2 * NSYN / 3);
    assert_int_equal(model[JD_SCREEN_LANGUAGE].fp, 0);
    jd_screen_set_model(f->S, m);
    jd_screen_note in = note("YP met the alpha team at the library.", 15);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    const jd_screen_match *r = NULL;
    for (size_t i = 0; i < f->res.n; i++)
        r = strcmp(f->res.m[i].code, "own_accord") ? r : &f->res.m[i];
    assert_non_null(r);
    if (r) {
        assert_true(r->counts && r->modelled && r->prob >= r->threshold);
        assert_non_null(strstr(r->why, "counted by the model"));
        assert_non_null(strstr(r->model, "weighed most"));
    }
    in.text = "YP met the bravo team at the library.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    for (size_t i = 0; i < f->res.n; i++)
        assert_string_not_equal(f->res.m[i].code, "own_accord");
    jd_screen_set_model(f->S, NULL); /* frees m */
    jd_screen_data_free(D);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *b = malloc(1 << 24);
    assert_non_null(b);
    *n = fread(b, 1, 1 << 24, fp);
    fclose(fp);
    return b;
}

static void test_screen_model__deterministic(void **state)
{
    fx *f = *state;
    jd_error err;
    syn s;
    make_syn(&s);
    jd_screen_model *a = train_syn(f, &s, NULL), *b = train_syn(f, &s, NULL);
    char pa[] = "/tmp/jd_model_a_XXXXXX", pb[] = "/tmp/jd_model_b_XXXXXX";
    close(mkstemp(pa));
    close(mkstemp(pb));
    assert_int_equal(jd_screen_model_save(a, pa, &err), JD_OK);
    assert_int_equal(jd_screen_model_save(b, pb, &err), JD_OK);
    size_t na, nb;
    char *ba = slurp(pa, &na), *bb = slurp(pb, &nb);
    assert_true(na > 100);
    assert_int_equal(na, nb);
    assert_memory_equal(ba, bb, na);
    /* load and save again: the same bytes */
    jd_screen_model *c;
    assert_int_equal(jd_screen_model_load(&c, pa, &err), JD_OK);
    assert_int_equal(jd_screen_model_save(c, pb, &err), JD_OK);
    free(bb);
    bb = slurp(pb, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(ba, bb, na);
    free(ba);
    free(bb);
    unlink(pa);
    unlink(pb);
    jd_screen_model_free(a);
    jd_screen_model_free(b);
    jd_screen_model_free(c);
}

/* Write text to a temporary file; returns its path (static buffer). */
static const char *temp_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/jd_model_err_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void load_fails(const char *text, int code, const char *needle)
{
    jd_error err;
    jd_error_clear(&err);
    const char *path = temp_file(text);
    jd_screen_model *m = NULL;
    assert_int_equal(jd_screen_model_load(&m, path, &err), code);
    assert_null(m);
    const char *base = strrchr(path, '/') + 1;
    if (!strstr(err.msg, base) || !strstr(err.msg, needle))
        fprintf(stderr, "message: %s\n", err.msg);
    assert_non_null(strstr(err.msg, base));
    assert_non_null(strstr(err.msg, needle));
    unlink(path);
}

#define HEAD "{\"format\": \"joindots-screen-model\", \"version\": 1, \"buckets\": 65536, "

static void test_screen_model__load_errors(void **state)
{
    (void)state;
    load_fails("{not json", JD_EINVALID, "not valid JSON");
    load_fails("{\"format\": \"other\"}", JD_EINVALID, "format");
    load_fails(HEAD "\"kinds\": []}", JD_EINVALID, "kinds");
    load_fails("{\"format\": \"joindots-screen-model\", \"buckets\": 12, \"kinds\": {}}",
               JD_EINVALID, "buckets");
    load_fails(HEAD "\"kinds\": {\"crimes\": {}}}", JD_EINVALID, "kinds.crimes");
    load_fails(HEAD "\"kinds\": {\"offences\": {\"threshold\": 0.5, \"weights\": "
                    "{\"bias\": \"high\"}}}}",
               JD_EINVALID, "kinds.offences.weights.bias");
    load_fails(HEAD "\"kinds\": {\"language\": {\"threshold\": 0.5, \"weights\": {}, "
                    "\"words\": {\"70000\": 0.1}}}}",
               JD_EINVALID, "kinds.language.words.70000");
    load_fails(HEAD "\"kinds\": {\"language\": {\"threshold\": 1.5, \"weights\": {}}}}",
               JD_EINVALID, "kinds.language.threshold");
    load_fails(HEAD "\"kinds\": {\"language\": {\"threshold\": 0.5, \"weights\": {}, "
                    "\"thresholds\": {\"consent\": \"maybe\"}}}}",
               JD_EINVALID, "kinds.language.thresholds.consent");
    load_fails(HEAD "\"kinds\": {\"offences\": {\"threshold\": 0.5, \"weights\": {}, "
                    "\"family\": 3}}}",
               JD_EINVALID, "kinds.offences.family");
    load_fails(HEAD "\"kinds\": {\"offences\": {\"threshold\": 0.5, \"weights\": {}, "
                    "\"open\": 1}}}",
               JD_EINVALID, "kinds.offences.open");
    load_fails(HEAD "\"kinds\": {\"offences\": {\"threshold\": 0.5, \"weights\": {}, "
                    "\"only\": \"both\"}}}",
               JD_EINVALID, "kinds.offences.only");
    jd_error err;
    jd_screen_model *m = NULL;
    assert_int_equal(jd_screen_model_load(&m, "/nonexistent/dir/m.json", &err), JD_EIO);
    assert_non_null(strstr(err.msg, "m.json"));
    /* an empty model is valid and decides nothing */
    const char *path = temp_file(HEAD "\"kinds\": {}}");
    assert_int_equal(jd_screen_model_load(&m, path, &err), JD_OK);
    assert_int_equal(jd_screen_model_labels(m), 0);
    jd_screen_model_free(m);
    unlink(path);
}

/* A family raise in a note where no rule of its kind matched (an open raise)
 * has thresholds of its own ("C2/open", then "any/open"); one beside a match
 * keeps "/family"; a file trained before the split (no "/open") reads an open
 * raise as a family one. */
static void test_screen_model__open_thresholds(void **state)
{
    (void)state;
    jd_error err;
    jd_screen_model *m = NULL;
    const char *path = temp_file(
        HEAD "\"kinds\": {\"offences\": {\"threshold\": 0.5, \"weights\": {}, \"family\": true, "
             "\"open\": true, \"thresholds\": {\"C2/family\": 0.1, \"C2/open\": 0.45, "
             "\"C17/family\": 0.2, \"C9/open\": \"rules\", \"any/family\": 0.3, "
             "\"any/open\": 0.6}}}}");
    assert_int_equal(jd_screen_model_load(&m, path, &err), JD_OK);
    unlink(path);
    double eps = 1e-6;
    assert_float_equal(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C2", false), 0.1, eps);
    assert_float_equal(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C2", true), 0.45, eps);
    assert_float_equal(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C17", false), 0.2, eps);
    assert_float_equal(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C17", true), 0.6, eps);
    assert_float_equal(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C10", false), 0.3, eps);
    assert_true(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C9", true) < 0);
    assert_true(jd_sm__family_threshold(m, JD_SCREEN_INDICATOR, "V01", false) < 0); /* kind off */
    /* a code longer than a loaded rule's (JD_SM_CODE_MAX) has no threshold,
     * not the "any/" one a key cut at 64 bytes would find (and no read past
     * the key: fix-screen) */
    static const char long_code[] = "C2_with_a_code_far_longer_than_any_key_the_rules_loader_takes";
    assert_true(strlen(long_code) > 48);
    assert_true(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, long_code, false) < 0);
    assert_true(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, long_code, true) < 0);
    static const char over[] = "C2_and_thirty_three_bytes_long___"; /* 33 */
    assert_int_equal(strlen(over), JD_SM_CODE_MAX + 1);
    assert_true(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, over, true) < 0);
    jd_screen_model_free(m);
    path = temp_file(HEAD "\"kinds\": {\"offences\": {\"threshold\": 0.5, \"weights\": {}, "
                          "\"family\": true, \"open\": true, \"thresholds\": {\"C2/family\": 0.1, "
                          "\"any/family\": 0.3}}}}");
    assert_int_equal(jd_screen_model_load(&m, path, &err), JD_OK);
    unlink(path);
    assert_float_equal(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C2", true), 0.1, eps);
    assert_float_equal(jd_sm__family_threshold(m, JD_SCREEN_OFFENCE, "C17", true), 0.3, eps);
    jd_screen_model_free(m);
}

static bool same_result(const jd_screen_result *a, const jd_screen_result *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->m[i].code, b->m[i].code) || a->m[i].counts != b->m[i].counts ||
            a->m[i].attrs != b->m[i].attrs || strcmp(a->m[i].why, b->m[i].why) ||
            a->m[i].start != b->m[i].start || a->m[i].modelled || b->m[i].modelled)
            return false;
    return true;
}

static void test_screen_model__no_model_is_rules_alone(void **state)
{
    fx *f = *state;
    jd_error err;
    static const char *texts[] = {
        "YP went of her own accord with the bravo team today.",
        "She is 14 and has been having sex with a man aged 24 who gives her cash.",
        "No concerns of CSE. She was bitten by the family dog.",
    };
    /* a screen opened from a rules file has no model: the old behaviour */
    char rules[4096];
    snprintf(rules, sizeof rules, "%s/data/rules/screen.json",
             getenv("JD_SOURCE_ROOT") ? getenv("JD_SOURCE_ROOT") : ".");
    jd_screen *plain;
    assert_int_equal(jd_screen_open(&plain, rules, &err), JD_OK);
    syn s;
    make_syn(&s);
    jd_screen_model *m = train_syn(f, &s, NULL);
    jd_screen_result r0 = {0}, r1 = {0};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        jd_screen_note in = note(texts[t], 14);
        assert_int_equal(jd_screen_run(plain, &in, &r0, &err), JD_OK);
        jd_screen_set_model(f->S, NULL);
        assert_int_equal(jd_screen_run(f->S, &in, &r1, &err), JD_OK);
        assert_true(same_result(&r0, &r1));
    }
    /* with the model the first note differs; without it again, it does not */
    jd_screen_note in = note(texts[0], 14);
    assert_int_equal(jd_screen_run(plain, &in, &r0, &err), JD_OK);
    jd_screen_set_model(f->S, m);
    assert_int_equal(jd_screen_run(f->S, &in, &r1, &err), JD_OK);
    assert_false(same_result(&r0, &r1));
    jd_screen_set_model(f->S, NULL);
    assert_int_equal(jd_screen_run(f->S, &in, &r1, &err), JD_OK);
    assert_true(same_result(&r0, &r1));
    jd_screen_result_free(&r0);
    jd_screen_result_free(&r1);
    jd_screen_close(plain);
}

/* The features of an open indicator candidate (code) on text. */
static void open_features(fx *f, jd_sm_stemmer *st, jd_sm_fv *fv, const char *text,
                          const char *code)
{
    candidate_features(f, st, fv, text, code[0] == 'C' ? JD_SCREEN_OFFENCE : JD_SCREEN_INDICATOR,
                       code);
}

/* Fairness through Unicode: curly quotes, U+2019, a no-break space and an
 * en dash separate words, so a religion or nationality in them is never a
 * feature, alone or in a pair; other non-ASCII letters stay in words. */
static void test_screen_model__fairness_unicode(void **state)
{
    fx *f = *state;
    jd_sm_stemmer *st;
    jd_sm_fv fv = {0};
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    jd_screen_set_model(f->S, NULL);
    static const struct {
        const char *text, *word;
    } cases[] = {
        {"Met the zulu team. Mum said they are \u201cMuslim\u201d and quiet.", "muslim"},
        {"Met the zulu team. Her Muslim\u2019s friend was there.", "muslim"},
        {"Met the zulu team. Her Pakistani\u2019s uncle was there.", "pakistani"},
        {"Met the zulu team. A Muslim\u00a0family were there.", "muslim"},
        {"Met the zulu team. A Sunni family were there.", "sunni"},
        {"Met the zulu team. The family are \u2018Jamaican\u2019.", "jamaican"},
        {"Met the zulu team\u2014Sikhs\u2013Methodist and hijab.", "sikh"},
        {"Met the zulu team. Went to the mosque for Ramadan and Eid.", "ramadan"},
        /* folded (NFKC, case fold, marks stripped) before the stop list */
        {"Met the zulu team. A MUSL\u0130M man was there.", "musl"},
        {"Met the zulu team. A \uff2d\uff35\uff33\uff2c\uff29\uff2d man was there.", "\xef\xbc"},
        {"Met the zulu team. A musli\u0307m man was there.", "musl"},
        {"Met the zulu team. A MUSLI\u0307M man was there.", "musl"},
        {"Met the zulu team. She reads the Qur'an and the Qur\u2019an.", "qur"},
        {"Met the zulu team. She reads the Quran and the Koran.", "koran"},
        {"Met the zulu team. An Italian, a Pole, a Scot and a Turk.", "ital"},
        {"Met the zulu team. Poles, Scots, Turks, Brits and an Israeli.", "turk"},
        {"Met the zulu team. A Palestinian and a Sri Lankan man.", "lank"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        open_features(f, st, &fv, cases[c].text, "M09");
        assert_true(has_feature(&fv, "M09|n:zulu"));
        if (has_feature_part(&fv, cases[c].word) || has_feature_part(&fv, "\xe2\x80") ||
            has_feature_part(&fv, "\xc2\xa0") || has_feature_part(&fv, "methodist") ||
            has_feature_part(&fv, "hijab") || has_feature_part(&fv, "mosque") ||
            has_feature_part(&fv, "eid") || has_feature_part(&fv, ":pole") ||
            has_feature_part(&fv, "scot") || has_feature_part(&fv, "brit") ||
            has_feature_part(&fv, "israel") || has_feature_part(&fv, "palestin") ||
            has_feature_part(&fv, ":sri") || has_feature_part(&fv, "quran") ||
            has_feature_part(&fv, "\xcc\x87") || has_feature_part(&fv, "\xc4\xb0"))
            fail_msg("case %zu leaks a fairness word or a separator", c);
    }
    /* the en dash separates like a space: the pair across it is kept */
    open_features(f, st, &fv, "Met the zulu\u2013team.", "M09");
    assert_true(has_feature(&fv, "M09|nb:zulu_team"));
    /* an accented letter is part of its word, its mark stripped; a capital
     * not ASCII is folded ("\u00c9" -> "e"), fullwidth letters to ASCII */
    open_features(f, st, &fv, "Met the zulu team at the caf\u00e9.", "M09");
    assert_true(has_feature(&fv, "M09|n:cafe"));
    open_features(f, st, &fv, "Met the ZULU team at the CAF\u00c9 \uff34\uff25\uff21.", "M09");
    assert_true(has_feature(&fv, "M09|n:cafe"));
    assert_true(has_feature(&fv, "M09|n:tea"));
    assert_true(has_feature(&fv, "M09|nb:cafe_tea"));
    assert_true(jd_sm__fairness_word("sunnis", 6));
    assert_true(jd_sm__fairness_word("christmas", 9));
    assert_false(jd_sm__fairness_word("team", 4));
    assert_false(jd_sm__fairness_word("shi", 3));
    jd_sm__fv_free(&fv);
    jd_sm__stemmer_free(st);
}

/* Each pair of notes gets the same matches, counts, decisions and
 * probabilities from f->S's model; and a match the model counted names its
 * probability and what weighed most (explainability). */
static void same_decisions(fx *f, const char *const (*pairs)[2], size_t np, jd_screen_result *r0,
                           jd_screen_result *r1)
{
    jd_error err;
    for (size_t p = 0; p < np; p++) {
        jd_screen_note n0 = note(pairs[p][0], 14), n1 = note(pairs[p][1], 14);
        assert_int_equal(jd_screen_run(f->S, &n0, r0, &err), JD_OK);
        assert_int_equal(jd_screen_run(f->S, &n1, r1, &err), JD_OK);
        assert_int_equal(r0->n, r1->n);
        for (size_t i = 0; i < r0->n; i++) {
            assert_string_equal(r0->m[i].code, r1->m[i].code);
            assert_int_equal(r0->m[i].counts, r1->m[i].counts);
            assert_int_equal(r0->m[i].modelled, r1->m[i].modelled);
            assert_true(r0->m[i].prob == r1->m[i].prob);
            if (r0->m[i].modelled && r0->m[i].counts)
                assert_non_null(strstr(r0->m[i].model, "weighed most"));
        }
    }
}

/* Two notes that differ only by a religion or nationality word get the same
 * features for every indicator and offence (an open candidate each) and the
 * same decisions and probabilities from the indicators model
 * (data/rules/screen_model_ind.json). */
static void test_screen_model__fairness_same_decision(void **state)
{
    fx *f = *state;
    jd_error err;
    static const char *const pairs[][2] = {
        {"Mum said they are \u201cMuslim\u201d. She, 14, stays out late with older males who "
         "give her cash and lifts; she was found drunk in a car.",
         "Mum said they are \u201cCatholic\u201d. She, 14, stays out late with older males who "
         "give her cash and lifts; she was found drunk in a car."},
        {"Her Pakistani\u2019s boyfriend, 24, buys her vodka and a phone. Sunni family.",
         "Her Jamaican\u2019s boyfriend, 24, buys her vodka and a phone. Methodist family."},
        {"Went missing after Eid at the mosque; seen in a taxi with an older man.",
         "Went missing after Christmas at the chapel; seen in a taxi with an older man."},
        {"She told staff a Muslim man, 30, sent her pictures and asked for photos of her in "
         "her underwear.",
         "She told staff a Catholic man, 30, sent her pictures and asked for photos of her in "
         "her underwear."},
        /* the reviewer's M03 note: the same p for every form (was .948 left
         * out or "Spanish", .873 MUSL\u0130M, .885 fullwidth, .939 Italian) */
        {"She came home with a new phone and said a Spanish man gave it to her.",
         "She came home with a new phone and said a MUSL\u0130M man gave it to her."},
        {"She came home with a new phone and said a Spanish man gave it to her.",
         "She came home with a new phone and said a \uff2d\uff35\uff33\uff2c\uff29\uff2d man "
         "gave it to her."},
        {"She came home with a new phone and said a Spanish man gave it to her.",
         "She came home with a new phone and said a musli\u0307m man gave it to her."},
        {"She came home with a new phone and said an Italian man gave it to her.",
         "She came home with a new phone and said an Israeli man gave it to her."},
        {"She came home with a new phone and said a Spanish man gave it to her.",
         "She came home with a new phone and said a Turk man gave it to her."},
        {"She came home with a new phone and said a Pole gave it to her.",
         "She came home with a new phone and said a Scot gave it to her."},
        {"Found at a trap house in another town with wraps on her; a Polish family lives there.",
         "Found at a trap house in another town with wraps on her; a Nigerian family lives "
         "there."},
    };
    static const char *const codes[] = {"S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08",
                                        "S09", "S10", "S11", "S12", "M01", "M02", "M03", "M04",
                                        "M05", "M06", "M07", "M08", "M09", "M10", "M11", "M12",
                                        "M13", "V01", "V02", "V03", "V04", "V05", "V06", "V07",
                                        "C1",  "C2",  "C3",  "C4",  "C5",  "C6",  "C7",  "C8",
                                        "C9",  "C10", "C11", "C12", "C13", "C14", "C15", "C16",
                                        "C17", "C18", "C19", "C20"};
    jd_sm_stemmer *st;
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    jd_sm_fv a = {0}, b = {0};
    jd_screen_set_model(f->S, NULL);
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
        for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
            open_features(f, st, &a, pairs[p][0], codes[c]);
            open_features(f, st, &b, pairs[p][1], codes[c]);
            assert_int_equal(a.n, b.n);
            for (size_t i = 0; i < a.n; i++) {
                assert_string_equal(jd_sm__name(&a, i), jd_sm__name(&b, i));
                assert_true(a.f[i].v == b.f[i].v);
            }
        }
    jd_sm__fv_free(&a);
    jd_sm__fv_free(&b);
    jd_sm__stemmer_free(st);
    jd_screen_result r0 = {0}, r1 = {0};
    for (int file = 0; file < 2; file++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/data/rules/screen_model_%s.json",
                 getenv("JD_SOURCE_ROOT") ? getenv("JD_SOURCE_ROOT") : ".", file ? "off" : "ind");
        jd_screen_model *m;
        assert_int_equal(jd_screen_model_load(&m, path, &err), JD_OK);
        jd_screen_set_model(f->S, m); /* frees the one before */
        same_decisions(f, pairs, sizeof pairs / sizeof pairs[0], &r0, &r1);
    }
    jd_screen_set_model(f->S, NULL); /* frees m */
    jd_screen_result_free(&r0);
    jd_screen_result_free(&r1);
}

/* A shipped model, data/rules/screen_model_KIND.json, loaded. */
static jd_screen_model *shipped_model(const char *kind)
{
    char path[4096];
    const char *root = getenv("JD_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/data/rules/screen_model_%s.json", root ? root : ".", kind);
    jd_screen_model *m;
    jd_error err;
    assert_int_equal(jd_screen_model_load(&m, path, &err), JD_OK);
    return m;
}

/* An open raise (the opt-in offences model, no offence rule matched) keeps
 * the rules' reading of its sentence (fix-screen): a mother's worry that she
 * may be seeing an older male, a denial, another person's relationship raise
 * nothing that counts, and the explanation says what the rules read; near
 * miss: her own relationship is raised. */
static void test_screen_model__open_raise_scope(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_screen_set_model(f->S, shipped_model("off"));
    static const struct {
        const char *text;
        const char *why;
    } out[] = {
        {"Mum worries she may be seeing an older male (37) one day.", "hypothetical"},
        {"She denies seeing an older male (37) after school.", "negated"},
        {"Her sister (19) is seeing an older male (37); they meet after school.",
         "about another person"},
    };
    for (size_t i = 0; i < sizeof out / sizeof *out; i++) {
        jd_screen_note in = {"T0001", out[i].text, "school", NULL, 14, 0, -1, 0, 0};
        assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
        const jd_screen_match *r = code_of(f, "C2");
        if (r && r->counts)
            fprintf(stderr, "C2 counted in \"%s\": %s\n", out[i].text, r->why);
        assert_true(!r || !r->counts);
        if (i == 0) /* main raised it: p .12 >= .10 */
            assert_true(r && !strcmp(r->rule, "model") && r->modelled);
        if (r && !strcmp(r->rule, "model")) {
            assert_non_null(strstr(r->why, "not counted: the model's p"));
            assert_non_null(strstr(r->why, out[i].why));
        }
    }
    jd_screen_note in = {"T0001", "She is seeing an older male (37); they meet after school.",
                         "school", NULL, 14, 0, -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    const jd_screen_match *r = code_of(f, "C2");
    assert_non_null(r);
    if (r) {
        assert_true(r->counts && r->modelled);
        assert_string_equal(r->rule, "model");
        assert_non_null(strstr(r->why, "counted by the model"));
    }
    jd_screen_set_model(f->S, NULL); /* frees m */
}

/* The wording model's veto floor (sixteenth session): an adult "seeing" the
 * child with his age given in the sentence (the synthetic county's DOMAIN 6
 * "relationship with an older male", which the model vetoes at p .08) stays
 * counted and says why; the floor is only the model's: the rules' result is
 * the same with and without it. Near misses: no age, a bystander's age
 * (her mum's), the child's own age alone: the model still vetoes. */
static void test_screen_model__veto_floor(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_screen_set_model(f->S, shipped_model("lang"));
    static const char *const kept[] = {
        "Amy says she is seeing a man called Dean Smith, aged about 24.",
        "Amy says she is seeing a man called Dean Smith (24).",
    };
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        jd_screen_note in = {"T0001", kept[i], "case_note", NULL, 14, 'F', -1, 0, 0};
        assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
        const jd_screen_match *r = code_of(f, "boyfriend");
        assert_non_null(r);
        if (r) {
            assert_true(r->counts && r->modelled && r->prob < r->threshold);
            assert_non_null(strstr(r->why, "the model may not veto an adult named with an age"));
            assert_int_equal(r->attrs & JD_SCREEN__FIRM, 0); /* the internal bit is cleared */
        }
    }
    static const char *const vetoed[] = {
        "Amy says she is seeing a man called Dean Smith.",
        "Amy says she is seeing a man, her mum (41) told staff.",
        "Amy (14) says she is seeing a man called Dean Smith.",
    };
    for (size_t i = 0; i < sizeof vetoed / sizeof *vetoed; i++) {
        jd_screen_note in = {"T0001", vetoed[i], "case_note", NULL, 14, 'F', -1, 0, 0};
        assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
        const jd_screen_match *r = code_of(f, "boyfriend");
        assert_non_null(r);
        if (r) {
            assert_true(!r->counts && r->modelled);
            assert_non_null(strstr(r->why, "not counted: the model"));
        }
    }
    jd_screen_set_model(f->S, NULL); /* frees m */
    jd_screen_note in = {"T0001", kept[0], "case_note", NULL, 14, 'F', -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    const jd_screen_match *r = code_of(f, "boyfriend");
    assert_true(r && r->counts && !r->modelled && !(r->attrs & JD_SCREEN__FIRM));
}

/* The offences and wording models' floors (issue 14, second wave of the
 * sixteenth session; screen.c model_floors): an offence the rules counted
 * with the act on the child by an adult in its words stays counted whatever
 * the model's p; the offences model may not count what the rules read as
 * about another person (mum's own history); the wording model may not count
 * wording in the account of an adult named with an age. Each floor is
 * named in the why. Without a floor the shipped models did each of these
 * (engine_cases.tsv 681, 1046, 940 through the three models joined). */
static void test_screen_model__offence_floors(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_screen_set_model(f->S, shipped_model("off"));
    jd_screen_note in = {"T0001", "A man gives her \u00a320 each time she performs sexual acts on him.",
                         "case_note", NULL, 15, 0, -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    const jd_screen_match *r = code_of(f, "C9");
    assert_true(r && r->counts && r->modelled && r->prob < r->threshold);
    if (r)
        assert_non_null(strstr(r->why, "the model may not veto an offence the rules read on"));
    in.text = "Mum told the nurse 'my ex used to touch me there when we were together'.";
    in.child_age = 8;
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    r = code_of(f, "C1");
    assert_true(r && !r->counts);
    if (r)
        assert_non_null(strstr(r->why, "floor: the model may not count it about another person"));
    jd_screen_set_model(f->S, shipped_model("lang"));
    in.text = "According to the man (30), she was a willing participant.";
    in.child_age = 15;
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    r = code_of(f, "consent");
    assert_true(r && !r->counts);
    if (r)
        assert_non_null(strstr(r->why, "an adult's account, not the model's to count"));
    /* the rules alone: no floor, "no intelligence that" negates */
    jd_screen_set_model(f->S, NULL);
    in.text = "There is no intelligence that he has been at a trap house.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    r = code_of(f, "C18");
    assert_true(r && !r->counts && (r->attrs & JD_SCREEN_NEGATED));
}

/* The seventeenth session's floors (model.c setting_only, screen.c
 * relative_subject): the offences model may not veto the note's only
 * offence when the five features that weighed most toward the veto are all
 * the setting (base rate, event type, age band, how many labels); a word of
 * the note among them, or another offence the rules counted, leaves the veto
 * the model's. The wording model may not count wording the rules read as
 * another person's when the clause opens with the child's relative ("Her
 * mother is promiscuous"); the child as subject is counted. Without the
 * floors the shipped models vetoed and raised these (engine_cases.tsv 222,
 * 396 through the three models joined). */
static void test_screen_model__setting_floor(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_screen_set_model(f->S, shipped_model("off"));
    (void)jd_screen_set_weak(f->S, true); /* every kind's weak rules, as the three models joined read */
    jd_screen_note in = {"T0001", "She was attacked by two lads in the park and had a panic attack.",
                         "case_note", NULL, 15, 0, -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    const jd_screen_match *r = code_of(f, "C16");
    assert_true(r && r->counts && r->modelled && r->prob < r->threshold);
    if (r) {
        assert_non_null(strstr(r->why, "the model may not veto on the setting alone"));
        assert_non_null(strstr(r->model, "nkind:0"));
    }
    /* beside an offence the rules counted the model chooses: p is its own */
    in.text = "She was attacked by two lads in the park and a man (30) had sex with her in his car.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    r = code_of(f, "C16");
    assert_true(r && r->modelled && !strstr(r->why, "setting alone"));
    /* a word of the note among the five weightiest: the veto stands */
    in.text = "Mum left him alone for the whole weekend while she went abroad.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    r = code_of(f, "C17");
    assert_true(r && !r->counts && r->modelled && r->prob < r->threshold);
    if (r)
        assert_non_null(strstr(r->why, "not counted: the model"));
    /* the rules alone: no model, no floor */
    jd_screen_set_model(f->S, NULL);
    in.text = "She was attacked by two lads in the park and had a panic attack.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    r = code_of(f, "C16");
    assert_true(r && r->counts && !r->modelled);

    jd_screen_set_model(f->S, shipped_model("lang"));
    static const char *const relative[] = {"Her mother is promiscuous.",
                                           "Her sister went of her own accord."};
    static const char *const slug[] = {"promiscuous", "own_accord"};
    for (size_t i = 0; i < 2; i++) {
        in.text = relative[i];
        assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
        r = code_of(f, slug[i]);
        assert_true(r && !r->counts && (r->attrs & JD_SCREEN_OTHER_PERSON));
        if (r)
            assert_non_null(strstr(r->why, "about the child's relative or friend"));
    }
    in.text = "She is promiscuous, her mother says.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    r = code_of(f, "promiscuous");
    assert_true(r && r->counts);
    /* her own relation: the match is there and the model decides it (p below
     * its threshold, the partner's claim), not the relative-or-friend floor */
    in.text = "Her partner (17) says it was all consensual.";
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    r = code_of(f, "consent");
    assert_non_null(r);
    if (!r)
        return;
    assert_true(!r->counts && r->modelled && r->prob < r->threshold);
    assert_non_null(strstr(r->why, "the model"));
    assert_null(strstr(r->why, "relative or friend"));
}

/* A file of data/rules read whole (NUL-terminated; *len its bytes). */
static char *rules_file(const char *name, size_t *len)
{
    char path[4096];
    const char *root = getenv("JD_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/data/rules/%s", root ? root : ".", name);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    assert_int_equal(fseek(in, 0, SEEK_END), 0);
    long n = ftell(in);
    assert_true(n > 0);
    rewind(in);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, in), (size_t)n);
    buf[n] = 0;
    fclose(in);
    *len = (size_t)n;
    return buf;
}

/* The same weights, words and thresholds for one kind. */
static void same_kind(const jd_sm_kind *a, const jd_sm_kind *b)
{
    assert_true(a->on && b->on);
    assert_int_equal(a->nn, b->nn);
    assert_memory_equal(a->keys, b->keys, a->nn * sizeof *a->keys);
    assert_memory_equal(a->w, b->w, a->nn * sizeof *a->w);
    assert_true((a->wb == NULL) == (b->wb == NULL));
    if (a->wb)
        assert_memory_equal(a->wb, b->wb, JD_SM_BUCKETS * sizeof *a->wb);
    assert_int_equal(a->nthr, b->nthr);
    assert_true(a->def_thr == b->def_thr && a->family == b->family && a->open == b->open &&
                a->only == b->only);
}

/* jd_screen_model_loadbv joins the three shipped files' kinds into one
 * model, each kind as its own file loads it; refused: a kind in two
 * buffers, another version, other buckets or format, bad JSON, each error
 * naming the buffer; no buffer is an empty model. */
static void test_screen_model__loadbv(void **state)
{
    (void)state;
    static const char *const names[3] = {"screen_model_ind.json", "screen_model_off.json",
                                         "screen_model_lang.json"};
    static const int kinds[3] = {JD_SCREEN_INDICATOR, JD_SCREEN_OFFENCE, JD_SCREEN_LANGUAGE};
    char *bufs[3];
    size_t lens[3];
    for (int i = 0; i < 3; i++)
        bufs[i] = rules_file(names[i], &lens[i]);
    jd_screen_model *m = NULL, *one = NULL;
    jd_error err;
    assert_int_equal(jd_screen_model_loadbv(&m, (const char *const *)bufs, lens, 3, "built in", &err),
                     JD_OK);
    assert_int_equal(jd_sm__kinds(m), 7u);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(jd_screen_model_loadb(&one, bufs[i], lens[i], names[i], &err), JD_OK);
        same_kind(&m->k[kinds[i]], &one->k[kinds[i]]);
        assert_true(jd_sm__threshold(m, (jd_screen_kind)kinds[i], "any") ==
                    jd_sm__threshold(one, (jd_screen_kind)kinds[i], "any"));
        jd_screen_model_free(one);
    }
    jd_screen_model_free(m);

    /* a kind twice */
    const char *twice[2] = {bufs[0], bufs[0]};
    size_t tl[2] = {lens[0], lens[0]};
    m = NULL;
    assert_int_equal(jd_screen_model_loadbv(&m, twice, tl, 2, "built in", &err), JD_EINVALID);
    assert_null(m);
    assert_non_null(strstr(err.msg, "built in[1]: kinds.indicators: given by another file"));
    static const char *const bad[] = {
        "{\"format\": \"joindots-screen-model\", \"version\": 2, \"buckets\": 65536, \"kinds\": {}}",
        "{\"format\": \"joindots-screen-model\", \"version\": 1, \"buckets\": 1024, \"kinds\": {}}",
        "{\"format\": \"other\", \"version\": 1, \"buckets\": 65536, \"kinds\": {}}",
        "{\"format\": ", NULL};
    static const char *const says[] = {"built in[1]: version: 2, not the first file's 1",
                                       "built in[1]: buckets: needs 65536",
                                       "built in[1]: format: not", "built in[1]: not valid JSON",
                                       "built in[1]: not valid JSON: no buffer"};
    for (size_t i = 0; i < JD_ARRAY_LEN(says); i++) {
        const char *two[2] = {bufs[1], bad[i]};
        size_t l2[2] = {lens[1], bad[i] ? strlen(bad[i]) : 0};
        assert_int_equal(jd_screen_model_loadbv(&m, two, l2, 2, "built in", &err), JD_EINVALID);
        assert_non_null(strstr(err.msg, says[i]));
    }
    assert_int_equal(jd_screen_model_loadbv(&m, NULL, NULL, 0, "none", &err), JD_OK);
    assert_int_equal(jd_sm__kinds(m), 0u);
    jd_screen_model_free(m);
    assert_int_equal(jd_screen_model_loadbv(NULL, NULL, NULL, 0, "none", &err), JD_EINVALID);
    for (int i = 0; i < 3; i++)
        free(bufs[i]);
}

static bool valid_utf8(const char *s)
{
    return jd_csv__valid_utf8(s, strlen(s));
}

/* Long words of two-byte letters (a word is read to 63 bytes, the model's
 * explanation to 199): every cut falls at a character boundary, so the
 * explanation is valid UTF-8 and a JSON string of it is not dropped. */
static void test_screen_model__explain_utf8_cut(void **state)
{
    fx *f = *state;
    jd_error err;
    char text[1024], word[80];
    size_t o = (size_t)snprintf(text, sizeof text, "She came home with a new phone");
    /* two-byte letters a fold keeps two-byte (no marks to strip) */
    static const char *const letters[] = {"\u00f8", "\u00e6", "\u00f0",
                                          "\u00fe", "\u0142", "\u0111"};
    for (size_t w = 0; w < 6; w++) {
        size_t wl = 0;
        for (size_t k = 0; k < 35; k++)
            wl += (size_t)snprintf(word + wl, sizeof word - wl, "%s", letters[(w + k) % 6]);
        o += (size_t)snprintf(text + o, sizeof text - o, " %s", word);
    }
    snprintf(text + o, sizeof text - o, " and cash.");
    jd_screen_set_model(f->S, shipped_model("ind"));
    jd_screen_note in = note(text, 14);
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    size_t modelled = 0;
    for (size_t i = 0; i < f->res.n; i++) {
        const jd_screen_match *x = &f->res.m[i];
        assert_true(valid_utf8(x->why));
        if (!x->modelled)
            continue;
        modelled++;
        assert_non_null(strstr(x->model, "weighed most"));
        assert_true(valid_utf8(x->model));
    }
    assert_true(modelled > 0);
    jd_screen_set_model(f->S, NULL);
    /* each word's feature is cut at a character boundary (was at byte 63) */
    jd_sm_stemmer *st;
    jd_sm_fv fv = {0};
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    open_features(f, st, &fv, text, "M03");
    size_t longs = 0;
    for (size_t i = 0; i < fv.n; i++) {
        assert_true(valid_utf8(jd_sm__name(&fv, i)));
        longs += strlen(jd_sm__name(&fv, i)) > 60;
    }
    assert_true(longs >= 6);
    jd_sm__fv_free(&fv);
    jd_sm__stemmer_free(st);
}

/* jd_sm__family_prob against jd_sm__predict over jd_screen__features_for,
 * bit for bit, for every family candidate of res; how many. */
static size_t same_bits_of(jd_screen_model *m, jd_sm_stemmer *st, jd_sm_fv *a, jd_sm_fv *b,
                           const jd_screen_note *n, const jd_screen_result *res,
                           const jd_screen_match *protos, size_t np, jd_screen_kind kind)
{
    size_t checked = 0;
    for (size_t j = 0; j < np; j++) {
        if (!jd_screen__family_candidate(res, kind, protos[j].code, false))
            continue;
        double p1, p2;
        assert_int_equal(jd_sm__family_prob(m, n, res, &protos[j], a, &p1), JD_OK);
        assert_int_equal(jd_screen__features_for(b, st, n, res, &protos[j], -1, -1), JD_OK);
        p2 = jd_sm__predict(m, kind, b, 0, NULL, 0, NULL);
        assert_memory_equal(&p1, &p2, sizeof p1);
        assert_true(p1 > 0 && p1 < 1);
        checked++;
    }
    return checked;
}

static size_t same_bits(jd_screen_model *m, jd_sm_stemmer *st, jd_sm_fv *a, jd_sm_fv *b,
                        const jd_screen_note *n, const jd_screen_result *res,
                        const jd_screen_match *protos, size_t np)
{
    return same_bits_of(m, st, a, b, n, res, protos, np, JD_SCREEN_INDICATOR);
}

/* The family candidates' probabilities from the per-note lists
 * (jd_sm__family_prob) are the bits of jd_sm__predict over
 * jd_screen__features_for: notes with and without indicator matches, an
 * offence, a long note (its words weigh 4/sqrt(n)), the same text again
 * at another age and event type (what the lists are kept by), and a label
 * raised into the result (the family part read again). */
static void test_screen_model__family_prob_same_bits(void **state)
{
    fx *f = *state;
    jd_error err;
    char longnote[4096];
    size_t o = 0;
    for (int i = 0; i < 30; i++)
        o += (size_t)snprintf(longnote + o, sizeof longnote - o,
                              "Visit %d: she stays out late with older males and comes back "
                              "drunk with a new phone. ", i);
    const char *texts[] = {
        "She, 14, stays out late with older males who give her cash and lifts; she was found "
        "drunk in a car.",
        "She, 14, stays out late with older males who give her cash and lifts; she was found "
        "drunk in a car.",
        "Her boyfriend, 24, buys her vodka and a phone. He had sex with her at his flat.",
        "Routine review, nothing of note. School attendance good.",
        "Went missing overnight; seen in a taxi with an older man. Says she self-harms.",
        longnote,
    };
    static const char *const ets[] = {"case_note", "missing_episode", NULL};
    jd_screen_model *m = shipped_model("ind");
    jd_screen_set_model(f->S, NULL);
    jd_sm_stemmer *st;
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    jd_sm_fv a = {0}, b = {0};
    jd_screen_match protos[JD_SM_FAMILY_MAX];
    size_t checked = 0;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        jd_screen_note n = note(texts[t], t == 1 ? 16 : 14);
        n.event_type = ets[t % 3];
        assert_int_equal(jd_screen_run(f->S, &n, &f->res, &err), JD_OK);
        for (int round = 0; round < 2; round++) {
            size_t np = jd_screen__labels(f->S, JD_SCREEN_INDICATOR, n.child_age, protos,
                                          JD_SM_FAMILY_MAX);
            assert_true(np >= 30);
            /* the same text and matches at once with another age and event type */
            jd_screen_note n2 = n;
            n2.child_age = 16;
            n2.event_type = "missing_episode";
            n2.agency = "health";
            checked += same_bits(m, st, &a, &b, &n, &f->res, protos, np);
            checked += same_bits(m, st, &a, &b, &n2, &f->res, protos, np);
            /* a label raised: a match of res now, beside the first indicator's words */
            jd_screen_match r = protos[np - 1];
            r.start = f->res.n ? f->res.m[0].start : -1;
            r.end = f->res.n ? f->res.m[0].end : -1;
            r.counts = true;
            assert_int_equal(jd_grow((void **)&f->res.m, &f->res.cap, f->res.n + 1, sizeof r),
                             JD_OK);
            f->res.m[f->res.n++] = r;
        }
    }
    assert_true(checked > 150);
    jd_sm__fv_free(&a);
    jd_sm__fv_free(&b);
    jd_sm__stemmer_free(st);
    jd_screen_model_free(m);
}

/* The wording slugs' family candidates too (scr-speed: they read the
 * per-note lists, and their "lex:" families after the note's words, no
 * longer the whole vector): the bits of jd_sm__predict over
 * jd_screen__features_for, with the families in the writer's words, in a
 * sentence naming the child and quoted, a note with none, a long note, and
 * a slug raised into the result. */
static void test_screen_model__family_prob_same_bits_wording(void **state)
{
    fx *f = *state;
    jd_error err;
    char longnote[4096];
    size_t o = 0;
    for (int i = 0; i < 30; i++)
        o += (size_t)snprintf(longnote + o, sizeof longnote - o,
                              "Visit %d: she says she is streetwise and goes willingly with "
                              "her boyfriend, who pays for things. ", i);
    const char *texts[] = {
        "She went willingly of her own accord and enjoys the attention of older males.",
        "Mum says \"she chose this lifestyle\"; this is grooming, not a choice.",
        "Her boyfriend, 24, gives her gifts in exchange for favours. She is promiscuous.",
        "Routine review, nothing of note. School attendance good.",
        longnote,
    };
    jd_screen_model *m = shipped_model("lang");
    jd_screen_set_model(f->S, NULL);
    jd_sm_stemmer *st;
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    jd_sm_fv a = {0}, b = {0};
    jd_screen_match protos[JD_SM_FAMILY_MAX];
    size_t checked = 0;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        jd_screen_note n = note(texts[t], 14);
        assert_int_equal(jd_screen_run(f->S, &n, &f->res, &err), JD_OK);
        for (int round = 0; round < 2; round++) {
            size_t np = jd_screen__labels(f->S, JD_SCREEN_LANGUAGE, n.child_age, protos,
                                          JD_SM_FAMILY_MAX);
            assert_true(np >= 15);
            checked += same_bits_of(m, st, &a, &b, &n, &f->res, protos, np, JD_SCREEN_LANGUAGE);
            /* a slug raised: a match of res now, beside the first match's words */
            jd_screen_match r = protos[np - 1];
            r.start = f->res.n ? f->res.m[0].start : -1;
            r.end = f->res.n ? f->res.m[0].end : -1;
            r.counts = true;
            assert_int_equal(jd_grow((void **)&f->res.m, &f->res.cap, f->res.n + 1, sizeof r),
                             JD_OK);
            f->res.m[f->res.n++] = r;
        }
    }
    assert_true(checked > 60);
    jd_sm__fv_free(&a);
    jd_sm__fv_free(&b);
    jd_sm__stemmer_free(st);
    jd_screen_model_free(m);
}

/* A note that asks for offences only (jd_screen_note.kinds, as analyse
 * asks) gets no indicator nor wording the model raises: their rules were
 * not scanned, and the model's family candidates of those kinds are not
 * read (scr-speed: they were, then kept in the result). Asked for every
 * kind, the same notes hold indicators and wording. */
static void test_screen_model__kinds_asked_only(void **state)
{
    (void)state;
    jd_error err;
    jd_screen *S;
    assert_int_equal(jd_screen_open(&S, NULL, &err), JD_OK);
    const char *texts[] = {
        "She stays out late with older males who give her cash, alcohol and lifts; she was "
        "found drunk in a car with a man of 30 and says he is her boyfriend.",
        "She goes missing for days and comes back with new clothes and a phone; she says she "
        "is streetwise and went willingly of her own accord.",
    };
    jd_screen_result res = {0};
    size_t raised = 0;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        jd_screen_note n = note(texts[t], 14);
        assert_int_equal(jd_screen_run(S, &n, &res, &err), JD_OK);
        for (size_t i = 0; i < res.n; i++)
            raised += res.m[i].kind != JD_SCREEN_OFFENCE;
        n.kinds = 1u << JD_SCREEN_OFFENCE;
        assert_int_equal(jd_screen_run(S, &n, &res, &err), JD_OK);
        for (size_t i = 0; i < res.n; i++)
            assert_int_equal(res.m[i].kind, JD_SCREEN_OFFENCE);
    }
    assert_true(raised > 0);
    jd_screen_result_free(&res);
    jd_screen_close(S);
}

/* The trainer fits what prediction may decide (jd_sm__may_count): a negated
 * match is the rules' at prediction, so the trainer does not fit it either.
 * The gold here has M05 in every note beside "no sign of self-harm": a
 * trainer that fitted the negated match would learn to count it (its
 * scoring tp NSYN, a weight on "M05|ruled_out"); gated, the model learns
 * nothing of M05, its scoring agrees with the rules and with prediction. */
static void test_screen_model__gate_in_training(void **state)
{
    fx *f = *state;
    jd_error err;
    char text[NSYN][96], id[NSYN][8];
    const char *yes[1] = {"M05"};
    jd_screen_gold g[NSYN];
    for (int i = 0; i < NSYN; i++) {
        snprintf(text[i], sizeof text[i], "There is no sign of self-harm; met the %s team %s.",
                 i % 2 ? "alpha" : "zulu", i % 3 ? "today" : "again");
        snprintf(id[i], sizeof id[i], "%c%04d", i < NSYN / 2 ? 'A' : 'B', i + 1);
        g[i] = (jd_screen_gold){0};
        g[i].note = note(text[i], 15);
        g[i].note.id = id[i];
        g[i].labels = yes;
        g[i].nlabels = 1;
        g[i].set = i < NSYN / 2 ? 0 : 1;
    }
    jd_screen_data *D;
    assert_int_equal(jd_screen_data_new(&D, f->S, g, NSYN, &err), JD_OK);
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    o.kinds = o.family = 1u << JD_SCREEN_INDICATOR;
    o.min_label = 4;
    jd_screen_model *m;
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_OK);
    jd_screen_counts rules[3] = {{0}}, model[3] = {{0}};
    assert_int_equal(jd_screen_data_score(D, NULL, NULL, rules, &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, m, NULL, model, &err), JD_OK);
    assert_int_equal(rules[JD_SCREEN_INDICATOR].tp, 0);
    assert_int_equal(rules[JD_SCREEN_INDICATOR].fn, NSYN);
    assert_int_equal(model[JD_SCREEN_INDICATOR].tp, 0);
    assert_int_equal(model[JD_SCREEN_INDICATOR].fp, 0);
    assert_int_equal(model[JD_SCREEN_INDICATOR].fn, NSYN);
    const char *nm[] = {"M05|ruled_out", "M05|bias", "M05|xattr:negated"};
    for (size_t i = 0; i < sizeof nm / sizeof nm[0]; i++)
        assert_true(jd_sm__named_weight(&m->k[JD_SCREEN_INDICATOR],
                                        jd_sm__key(nm[i], strlen(nm[i]))) == 0.0f);
    /* prediction: the negated match stays the rules' */
    jd_screen_set_model(f->S, m);
    assert_int_equal(jd_screen_run(f->S, &g[0].note, &f->res, &err), JD_OK);
    bool seen = false;
    for (size_t i = 0; i < f->res.n; i++)
        if (!strcmp(f->res.m[i].code, "M05")) {
            assert_false(f->res.m[i].counts);
            assert_false(f->res.m[i].modelled);
            assert_true(f->res.m[i].attrs & JD_SCREEN_NEGATED);
            seen = true;
        }
    assert_true(seen);
    jd_screen_data_free(D);
}

/* 48 notes in four sets that share a long run of words (every open
 * indicator candidate of every note carries them: 32 labels, 1 or 2
 * positives a note), the gold S01 where the rules match it and M09 where
 * the note names the zulu team. */
#define NSTAB 48
static void shared_corpus(jd_screen_gold *g, char (*text)[320], char (*id)[8], const char **yes)
{
    for (int i = 0; i < NSTAB; i++) {
        bool zulu = i % 4 == 0, missing = i % 3 == 0;
        snprintf(text[i], 320,
                 "%sThe family were seen at home and the worker spoke with the school about "
                 "the plan for the week, the next visit and the %s team at the library %s.",
                 missing ? "She went missing overnight. " : "", zulu ? "zulu" : "yankee",
                 i % 5 ? "today" : "again");
        snprintf(id[i], 8, "%c%04d", 'A' + i % 4, i + 1);
        g[i] = (jd_screen_gold){0};
        g[i].note = note(text[i], 15);
        g[i].note.id = id[i];
        g[i].labels = zulu ? yes : yes + 1;
        g[i].nlabels = (size_t)zulu + missing;
        g[i].set = i % 4;
    }
}

/* The fit is guarded: AdaGrad's first step moves every weight by the step
 * size at once, and on 23 tune parts a later step moved the 65,536 word
 * buckets every note shares the same way (the objective 0.009 -> 0.40 at the
 * last of 150 steps; the model vetoed nearly every indicator of the set left
 * out). A step that raises the objective is undone and the step halved, and
 * the fit is the best point it saw: so its objective never exceeds the zero
 * model's ln 2, and never rises with more steps (the steps are the same,
 * whatever their number). Unguarded, here, 3 steps gave 0.059 and 5 steps
 * 0.087 (the fifth step a spike): this test failed. */
static void test_screen_model__guarded_fit(void **state)
{
    fx *f = *state;
    jd_error err;
    char text[NSTAB][320], id[NSTAB][8];
    const char *yes[2] = {"M09", "S01"};
    jd_screen_gold g[NSTAB];
    shared_corpus(g, text, id, yes);
    jd_screen_data *D;
    assert_int_equal(jd_screen_data_new(&D, f->S, g, NSTAB, &err), JD_OK);
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    o.kinds = o.family = 1u << JD_SCREEN_INDICATOR;
    o.l2 = 1e-5;
    o.min_label = 4;
    jd_screen_counts rules[3] = {{0}};
    assert_int_equal(jd_screen_data_score(D, NULL, NULL, rules, &err), JD_OK);
    assert_int_equal(rules[JD_SCREEN_INDICATOR].tp, NSTAB / 3); /* S01 only */
    static const int steps[] = {1, 2, 3, 5, 8, 13, 21, 34, 55};
    double last = log(2.0) + 1e-6;
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        o.iterations = steps[s];
        jd_screen_model *m;
        assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_OK);
        double J = jd_sm__objective(D, m, NULL, JD_SCREEN_INDICATOR, &o);
        assert_true(J <= last + 1e-5); /* weights saved as floats */
        last = J < last ? J : last;
        jd_screen_counts model[3] = {{0}};
        assert_int_equal(jd_screen_data_score(D, m, NULL, model, &err), JD_OK);
        assert_true(model[JD_SCREEN_INDICATOR].tp >= rules[JD_SCREEN_INDICATOR].tp);
        jd_screen_model_free(m);
    }
    assert_true(last < 0.1); /* it learns: ln 2 is 0.69 */
    /* bad arguments */
    assert_true(isnan(jd_sm__objective(NULL, NULL, NULL, 0, &o)));
    jd_screen_data_free(D);
}

/* Every decision of the model reads the rules' result, as the trainer's
 * candidates did: a modelled match's probability is jd_sm__predict over its
 * features on the rules-alone result, a raised label's jd_sm__family_prob on
 * it, whatever the model decided before it in the note (a veto turning
 * "has:" into "hasx:", a raised label a "has:" of its own). */
static void test_screen_model__decisions_read_rules(void **state)
{
    fx *f = *state;
    jd_error err;
    const char *texts[] = {
        "She, 14, stays out late with older males who give her cash and lifts; she was found "
        "drunk in a car.",
        "Her boyfriend, 24, buys her vodka and a phone. He had sex with her at his flat.",
        "Went missing overnight; seen in a taxi with an older man. Says she self-harms.",
        "Missing again, returned with a new phone and cannabis; will not say where she was. "
        "Older boys pick her up from school and she is excluded.",
        "She was assaulted at a party, drinks heavily and says an older man gives her money "
        "and gifts for sex; missing from care twice this week.",
        "He is carrying cash for older boys and has new trainers; he goes to other towns by "
        "train and is scared of a man called Tiny who says he owes him.",
        "Mum reports he was picked up by a car at 2am and came back with cannabis and two "
        "phones; he has been excluded and goes to London.",
    };
    jd_screen_model *m = shipped_model("ind");
    jd_screen_set_model(f->S, NULL);
    (void)jd_screen_set_weak(f->S, true); /* the weak matches, as with a model */
    jd_sm_fv fv = {0};
    jd_screen_match protos[JD_SM_FAMILY_MAX];
    jd_screen_result r0 = {0}, r1 = {0};
    size_t checked = 0, decided = 0;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        jd_screen_note n = note(texts[t], 14);
        assert_int_equal(jd_screen_run(f->S, &n, &r0, &err), JD_OK);
        assert_int_equal(jd_grow((void **)&r1.m, &r1.cap, r0.n + 1, sizeof *r1.m), JD_OK);
        memcpy(r1.m, r0.m, r0.n * sizeof *r0.m);
        r1.n = r0.n;
        assert_int_equal(jd_sm__apply(m, f->S, jd_screen__labels, jd_screen__attrs_at, &n, &r1, &err), JD_OK);
        size_t np = jd_screen__labels(f->S, JD_SCREEN_INDICATOR, n.child_age, protos,
                                      JD_SM_FAMILY_MAX);
        for (size_t i = 0; i < r1.n; i++) {
            const jd_screen_match *x = &r1.m[i];
            if (!x->modelled)
                continue;
            double p = -1;
            if (i >= r0.n) { /* raised */
                for (size_t j = 0; j < np; j++)
                    if (!strcmp(protos[j].code, x->code))
                        assert_int_equal(jd_sm__family_prob(m, &n, &r0, &protos[j], &fv, &p),
                                         JD_OK);
            } else {
                int ci, xi;
                assert_true(jd_screen__candidate(&r0, x->kind, x->code, &ci, &xi));
                assert_int_equal(jd_screen__features(&fv, m->st, &n, &r0, ci, xi), JD_OK);
                p = jd_sm__predict(m, x->kind, &fv, 0, NULL, 0, NULL);
            }
            assert_true(x->prob == (float)p);
            decided += i >= r0.n || x->counts != r0.m[i].counts;
            checked++;
        }
    }
    assert_true(checked >= 5);
    assert_true(decided >= 2); /* some decisions came before others in a note */
    jd_screen_result_free(&r0);
    jd_screen_result_free(&r1);
    jd_sm__fv_free(&fv);
    jd_screen_model_free(m);
}

/* The family memo keeps a term's weight by label, keyed by kind and code:
 * the same code asked as an indicator and then as an offence (a rules file
 * may give two kinds one code) reads each kind's own weights (the
 * indicators model has no offence weights: p 0.5), the bits of
 * jd_sm__predict, in either order. */
static void test_screen_model__memo_by_kind(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_screen_model *m = shipped_model("ind");
    jd_screen_set_model(f->S, NULL);
    jd_screen_note n = note("Went missing overnight; seen in a taxi with an older man.", 14);
    assert_int_equal(jd_screen_run(f->S, &n, &f->res, &err), JD_OK);
    jd_screen_match protos[JD_SM_FAMILY_MAX];
    size_t np =
        jd_screen__labels(f->S, JD_SCREEN_INDICATOR, n.child_age, protos, JD_SM_FAMILY_MAX);
    jd_screen_match ind = {0};
    for (size_t j = 0; j < np; j++)
        if (!strcmp(protos[j].code, "M09"))
            ind = protos[j];
    assert_non_null(ind.code);
    jd_screen_match off = ind;
    off.kind = JD_SCREEN_OFFENCE;
    jd_sm_fv fv = {0};
    double want[2], got[2][2];
    const jd_screen_match *as[2] = {&ind, &off};
    jd_sm_stemmer *st;
    assert_int_equal(jd_sm__stemmer_new(&st), JD_OK);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(jd_screen__features_for(&fv, st, &n, &f->res, as[k], -1, -1), JD_OK);
        want[k] = jd_sm__predict(m, as[k]->kind, &fv, 0, NULL, 0, NULL);
    }
    assert_true(want[1] == 0.5 && want[0] != 0.5);
    for (int round = 0; round < 2; round++) /* indicator first, then offence first */
        for (int k = 0; k < 2; k++) {
            int w = round ? 1 - k : k;
            assert_int_equal(jd_sm__family_prob(m, &n, &f->res, as[w], &fv, &got[round][w]),
                             JD_OK);
        }
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < 2; k++)
            assert_true(got[round][k] == want[k]);
    jd_sm__stemmer_free(st);
    jd_sm__fv_free(&fv);
    jd_screen_model_free(m);
}

/* A file of data/rules, read whole into *buf (the caller frees it). */
static size_t read_rules_file(const char *name, char **buf)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data/rules/%s",
             getenv("JD_SOURCE_ROOT") ? getenv("JD_SOURCE_ROOT") : ".", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    *buf = malloc((size_t)n);
    assert_non_null(*buf);
    assert_int_equal(fread(*buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return (size_t)n;
}

/* jd_screen_open_model and jd_screener_open_model: NULL, the built-in model
 * (the indicators, offences and wording models joined: the same decisions
 * and probabilities as the three files joined by jd_screen_model_loadbv,
 * and it decides offences and wording, not the indicators alone); "none",
 * the rules alone (nothing modelled); a missing file, an error and no
 * screen. */
static void test_screen_model__open_model(void **state)
{
    (void)state;
    jd_error err;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/rules/screen_model_ind.json",
             getenv("JD_SOURCE_ROOT") ? getenv("JD_SOURCE_ROOT") : ".");
    jd_screen_note n = note("She, 14, stays out late with older males who give her cash and "
                            "lifts; she was found drunk in a car. Mum says she is self-harming. "
                            "She is sexually active with an older man and says she consented.",
                            14);
    jd_screen *A = NULL, *B = NULL, *C = NULL, *D = NULL, *I = NULL;
    jd_screen_result ra = {0}, rb = {0}, rc = {0}, ri = {0};
    assert_int_equal(jd_screen_open_model(&A, NULL, NULL, &err), JD_OK);
    assert_int_equal(jd_screen_open_model(&B, NULL, JD_SCREEN_MODEL_NONE, &err), JD_OK);
    assert_int_equal(jd_screen_open_model(&I, NULL, path, &err), JD_OK);
    assert_true(jd_screen_open_model(&D, NULL, "/nonexistent/model.json", &err) < 0);
    assert_null(D);
    /* C: the rules with the three shipped files joined at load */
    static const char *const files[] = {"screen_model_ind.json", "screen_model_off.json",
                                        "screen_model_lang.json"};
    char *bufs[3];
    size_t lens[3];
    for (int i = 0; i < 3; i++)
        lens[i] = read_rules_file(files[i], &bufs[i]);
    jd_screen_model *three = NULL;
    assert_int_equal(
        jd_screen_model_loadbv(&three, (const char *const *)bufs, lens, 3, "three", &err), JD_OK);
    for (int i = 0; i < 3; i++)
        free(bufs[i]);
    assert_int_equal(jd_screen_open_model(&C, NULL, JD_SCREEN_MODEL_NONE, &err), JD_OK);
    jd_screen_set_model(C, three);
    assert_int_equal(jd_screen_run(A, &n, &ra, &err), JD_OK);
    assert_int_equal(jd_screen_run(B, &n, &rb, &err), JD_OK);
    assert_int_equal(jd_screen_run(C, &n, &rc, &err), JD_OK);
    assert_int_equal(jd_screen_run(I, &n, &ri, &err), JD_OK);
    size_t ma = 0, mb = 0, kinds = 0, ikinds = 0;
    for (size_t i = 0; i < ra.n; i++)
        if (ra.m[i].modelled) {
            ma++;
            kinds |= 1u << ra.m[i].kind;
        }
    for (size_t i = 0; i < rb.n; i++)
        mb += rb.m[i].modelled;
    for (size_t i = 0; i < ri.n; i++)
        if (ri.m[i].modelled)
            ikinds |= 1u << ri.m[i].kind;
    assert_true(ma > 0);
    assert_int_equal(mb, 0);
    /* the built-in decides all three kinds; the indicators file alone one */
    assert_int_equal(kinds, (1u << JD_SCREEN_OFFENCE) | (1u << JD_SCREEN_LANGUAGE) |
                                (1u << JD_SCREEN_INDICATOR));
    assert_int_equal(ikinds, 1u << JD_SCREEN_INDICATOR);
    assert_int_equal(ra.n, rc.n);
    for (size_t i = 0; i < ra.n; i++) {
        assert_string_equal(ra.m[i].code, rc.m[i].code);
        assert_int_equal(ra.m[i].counts, rc.m[i].counts);
        assert_true(ra.m[i].prob == rc.m[i].prob);
    }
    jd_screen_result_free(&ri);
    jd_screen_close(I);
    jd_screener *s = NULL;
    assert_int_equal(jd_screener_open_model(&s, NULL, JD_SCREEN_MODEL_NONE, &err), JD_OK);
    jd_screener_close(s);
    s = NULL;
    assert_true(jd_screener_open_model(&s, NULL, "/nonexistent/model.json", &err) < 0);
    assert_null(s);
    jd_screen_result_free(&ra);
    jd_screen_result_free(&rb);
    jd_screen_result_free(&rc);
    jd_screen_close(A);
    jd_screen_close(B);
    jd_screen_close(C);
}

static void test_screen_model__bad_arguments(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_screen_data *D = NULL;
    jd_screen_model *m = NULL;
    assert_int_equal(jd_screen_data_new(&D, NULL, NULL, 0, &err), JD_EINVALID);
    jd_screen_gold g = {note("text", 14), NULL, 0, 99, 0};
    assert_int_equal(jd_screen_data_new(&D, f->S, &g, 1, &err), JD_EINVALID);
    assert_null(D);
    assert_int_equal(jd_screen_model_train(&m, NULL, NULL, NULL, &err), JD_EINVALID);
    assert_int_equal(jd_screen_model_apply(NULL, NULL, NULL, &err), JD_EINVALID);
    assert_int_equal(jd_screen_model_load(&m, NULL, &err), JD_EINVALID);
    assert_int_equal(jd_screen_model_save(NULL, "/tmp/x", &err), JD_EINVALID);
}

/* jd_screen_train_opts.keep (`screen-train --keep-thresholds`): the kept
 * model's thresholds come through training and saving unchanged ("rules" and
 * the kind's default too), with its family and only settings over the
 * options', and only the weights are learnt: the kept weights veto every
 * note at the kept 0.7, the new ones keep the alpha notes and veto the bravo
 * ones. A label kept at "rules" stays the rules'. A kind the kept model
 * lacks, or a kept model with no kinds, is refused. */
#define KEPT(own)                                                                                  \
    HEAD "\"kinds\": {\"language\": {\"threshold\": 0.35, \"family\": false, \"only\": \"veto\", " \
         "\"weights\": {\"counted\": 0.5}, \"thresholds\": {\"own_accord\": " own ", "             \
         "\"consent\": \"rules\"}}}}"

static jd_screen_model *load_text(const char *text)
{
    jd_error err;
    jd_screen_model *m = NULL;
    assert_int_equal(jd_screen_model_loadb(&m, text, strlen(text), "kept", &err), JD_OK);
    return m;
}

static void assert_kept(const jd_screen_model *x)
{
    const int L = JD_SCREEN_LANGUAGE;
    assert_float_equal(jd_sm__threshold(x, L, "own_accord"), 0.7, 1e-6);
    assert_true(jd_sm__threshold(x, L, "consent") < 0);
    assert_float_equal(jd_sm__threshold(x, L, "boyfriend"), 0.35, 1e-6); /* the default */
    assert_false(x->k[L].family);
    assert_int_equal(x->k[L].only, JD_SM_VETO);
    assert_false(x->k[JD_SCREEN_OFFENCE].on);
    assert_false(x->k[JD_SCREEN_INDICATOR].on);
}

static void test_screen_model__keep_thresholds(void **state)
{
    fx *f = *state;
    jd_error err;
    syn s;
    make_syn(&s);
    jd_screen_data *D;
    assert_int_equal(jd_screen_data_new(&D, f->S, s.g, NSYN, &err), JD_OK);
    jd_screen_model *kept = load_text(KEPT("0.7")), *m = NULL, *back = NULL;
    jd_screen_train_opts o = JD_SCREEN_TRAIN_OPTS_INIT;
    o.family = 1u << JD_SCREEN_LANGUAGE; /* the kept model's false wins */
    o.l2 = 1e-5;
    o.keep = kept; /* kinds 0: the kept model's, wording */
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_OK);
    assert_kept(m);
    char path[] = "/tmp/jd_model_keep_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(jd_screen_model_save(m, path, &err), JD_OK);
    assert_int_equal(jd_screen_model_load(&back, path, &err), JD_OK);
    unlink(path);
    assert_kept(back);
    jd_screen_counts c[3][3] = {{{0}}};
    assert_int_equal(jd_screen_data_score(D, kept, NULL, c[0], &err), JD_OK);
    assert_int_equal(jd_screen_data_score(D, back, NULL, c[1], &err), JD_OK);
    assert_int_equal(c[0][JD_SCREEN_LANGUAGE].tp, 0); /* p .62 < .7: all vetoed */
    assert_int_equal(c[1][JD_SCREEN_LANGUAGE].tp, NSYN / 2);
    assert_int_equal(c[1][JD_SCREEN_LANGUAGE].fp, 0);
    assert_int_equal(c[1][JD_SCREEN_LANGUAGE].fn, 0);
    jd_screen_model_free(m);
    jd_screen_model_free(kept);
    /* "rules" kept: the same fit, and the rules count every note */
    kept = load_text(KEPT("\"rules\""));
    o.keep = kept;
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_OK);
    assert_true(jd_sm__threshold(m, JD_SCREEN_LANGUAGE, "own_accord") < 0);
    assert_int_equal(jd_screen_data_score(D, m, NULL, c[2], &err), JD_OK);
    assert_int_equal(c[2][JD_SCREEN_LANGUAGE].tp, NSYN / 2);
    assert_int_equal(c[2][JD_SCREEN_LANGUAGE].fp, NSYN / 2);
    jd_screen_model_free(m);
    m = NULL;
    /* refused: a kind the kept model lacks, a kept model with no kinds */
    o.kinds = 1u << JD_SCREEN_LANGUAGE | 1u << JD_SCREEN_INDICATOR;
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "indicators"));
    assert_null(m);
    jd_screen_model_free(kept);
    kept = load_text(HEAD "\"kinds\": {}}");
    o.keep = kept;
    o.kinds = 0;
    assert_int_equal(jd_screen_model_train(&m, D, NULL, &o, &err), JD_EINVALID);
    assert_null(m);
    jd_screen_model_free(kept);
    jd_screen_model_free(back);
    jd_screen_data_free(D);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_screen_model__features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__family_features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__learns_separable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__indicator_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__indicator_raised, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__offence_open_raised, setup, teardown),
        cmocka_unit_test(test_screen_model__only),
        cmocka_unit_test_setup_teardown(test_screen_model__limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__lang_families, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__wording_raised, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__deterministic, setup, teardown),
        cmocka_unit_test(test_screen_model__load_errors),
        cmocka_unit_test(test_screen_model__open_thresholds),
        cmocka_unit_test_setup_teardown(test_screen_model__no_model_is_rules_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__fairness_unicode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__fairness_same_decision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__open_raise_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__explain_utf8_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__family_prob_same_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__family_prob_same_bits_wording, setup,
                                        teardown),
        cmocka_unit_test(test_screen_model__kinds_asked_only),
        cmocka_unit_test_setup_teardown(test_screen_model__gate_in_training, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__guarded_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__decisions_read_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__memo_by_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__offence_floors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_model__setting_floor, setup, teardown),
        cmocka_unit_test(test_screen_model__loadbv),
        cmocka_unit_test_setup_teardown(test_screen_model__veto_floor, setup, teardown),
        cmocka_unit_test(test_screen_model__open_model),
        cmocka_unit_test(test_screen_model__role_reads_linear),
        cmocka_unit_test_setup_teardown(test_screen_model__keep_thresholds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
