/*
 * The screen's learned combiner, internal API (model.c; the public side is
 * include/joindots/screen_model.h). May include: util (and public headers).
 *
 * A candidate is one label (kind + code) of one note that the rules matched:
 * its counted match, its match an attribute ruled out, or both. Its features
 * are a pure function of the note and the rules' result (jd_screen__features):
 * named features ("counted", "C2|xattr:negated", "et:case_note") and word
 * features (Snowball stems and stem pairs of the candidate's sentences,
 * stems of the note), each also written with the label's code in front
 * ("C2|s:consent") so the model learns what holds for every label and what
 * holds for one. Words naming an ethnicity, religion or nationality are
 * never features (DOMAIN fairness rule).
 */
#ifndef JD_SCREEN_MODEL_H
#define JD_SCREEN_MODEL_H

#include "util/internal.h"

#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Word features are hashed into this many buckets (a power of two). */
#define JD_SM_BUCKETS (1u << 16)
/* The longest code or slug of a rule, in bytes: the rules loader refuses a
 * longer one (load_rules), so the memo (slot_for), the per-label thresholds
 * (jd_sm__family_threshold) and the trainer's tallies never cut a key and two
 * long codes never share one. */
#define JD_SM_CODE_MAX 32
#define JD_SM_WORD UINT32_MAX

/* One feature: named (key = hash of the name, bucket JD_SM_WORD) or a word
 * (bucket < JD_SM_BUCKETS). name: offset of its text in the vector's names. */
typedef struct jd_sm_feat {
    uint32_t key;
    uint32_t bucket;
    uint32_t name;
    float v;
} jd_sm_feat;

typedef struct jd_sm_fv {
    jd_sm_feat *f;
    size_t n, cap;
    char *names;
    size_t nlen, ncap;
    uint32_t *set; /* scratch: keeping each feature once */
    size_t setcap;
} jd_sm_fv;

/* The model of one kind: named weights by key (sorted, with their names
 * for saving), word weights by bucket, thresholds by code. */
typedef struct jd_sm_kind {
    bool on;
    bool family; /* may raise a label of the kind no rule of its own matched */
    bool open;   /* its family candidates stand in every note (indicators: always) */
    uint8_t only; /* JD_SM_BOTH, JD_SM_VETO (never counts), JD_SM_RAISE (never vetoes) */
    uint32_t *keys;
    float *w;
    char **names; /* arena strings */
    size_t nn;
    float *wb;        /* JD_SM_BUCKETS */
    jd_strmap thr_of; /* code -> index in thr */
    float *thr;       /* < 0: the rules decide the code */
    size_t nthr, thrcap;
    float def_thr;
} jd_sm_kind;

struct jd_screen_model {
    jd_sm_kind k[3];
    jd_arena ar;
    struct jd_sm_stemmer *st; /* scratch for apply */
    bool shared;              /* k's weights and thresholds belong to another model
                                 (jd_sm__model_share): read only, not freed */
};

/* model_io.c: a model that reads src's weights and thresholds (read only,
 * src outlives it) with its own scratch: screens in several threads share
 * the built-in model's 1.7 MB parse. Returns JD_OK or JD_ENOMEM. */
int jd_sm__model_share(const jd_screen_model *src, jd_screen_model **out);

/* Stemming with a memo (word -> stem), owned by one thread at a time. */
typedef struct jd_sm_stemmer jd_sm_stemmer;
int jd_sm__stemmer_new(jd_sm_stemmer **out);
void jd_sm__stemmer_free(jd_sm_stemmer *st);

/* A match another rule or the note's conclusion ruled out, not an attribute
 * of its own ("the note concludes there is no concern", "C11 counts in the
 * note"): never the model's to count (jd_sm__may_count). Internal: no name in
 * the attribute lists, no feature. */
#define JD_SCREEN__OVERRULED (1u << 15)

/* A counted match of a firm form, which the model may not veto (its veto
 * floor): a "boyfriend" match whose sentence gives the adult's age (screen.c
 * firm_matches). Set only while the model decides, cleared after it;
 * internal: no name, no feature. */
#define JD_SCREEN__FIRM (1u << 14)

/* The candidate of `code` in res: the index of its counted match (*ci) and of
 * a ruled-out one (*xi), -1 when none. True when the model may decide it:
 * some match, and not a match the ages alone ruled out. */
bool jd_screen__candidate(const jd_screen_result *res, jd_screen_kind kind, const char *code,
                          int *ci, int *xi);

/* The features of one candidate (ci, xi from jd_screen__candidate), each
 * (bucket, key) once, in the order found. fv is reset first. Returns JD_OK or JD_ENOMEM. */
int jd_screen__features(jd_sm_fv *fv, jd_sm_stemmer *st, const jd_screen_note *in,
                        const jd_screen_result *res, int ci, int xi);
/* The same for the label of `self` (kind and code; a match of res or one of
 * jd_screen__labels); ci = xi = -1: a family candidate, a label no rule of its
 * own matched in a note where some rule of its kind did ("family" features:
 * the words of those rules' sentences). */
int jd_screen__features_for(jd_sm_fv *fv, jd_sm_stemmer *st, const jd_screen_note *in,
                            const jd_screen_result *res, const jd_screen_match *self, int ci,
                            int xi);
/* Does some match of `kind` (counted or not, not weak evidence: a weak match
 * is a candidate of its own but opens no family) stand in res, and none of code?
 * Indicators are open: every indicator no rule of its own matched is a
 * candidate, in any note (the model reads the note as a text classifier of
 * that indicator: its stems and stem pairs, the other labels, the event). */
bool jd_screen__family_candidate(const jd_screen_result *res, jd_screen_kind kind,
                                 const char *code, bool open);
/* Does a match of kind (not weak evidence) stand in res? A family candidate
 * of an open kind in a note with none is an open raise, with thresholds of
 * its own ("/open"); indicators and wording always count as beside one. */
bool jd_screen__beside_match(const jd_screen_result *res, jd_screen_kind kind);
/* What the model of a kind may do (jd_sm_kind.only). */
enum { JD_SM_BOTH = 0, JD_SM_VETO = 1, JD_SM_RAISE = 2 };
/* Does the model, deciding a candidate (counted by the rules or not) at
 * probability p against threshold t, count it (its kind's `only`)? */
bool jd_sm__counts(int only, bool counted, double p, double t);
/* May the model count this ruled-out match (weak, about another person or
 * attributed unchallenged; never negated, hypothetical, historical,
 * challenged, innocent, property, sense, age or overruled)? Prediction and
 * training ask the same: a candidate it forbids is the rules' alone. */
bool jd_sm__may_count(const jd_screen_match *m);
/* Family candidates come in at most this many labels a kind. */
#define JD_SM_FAMILY_MAX 40
/* The kinds whose family candidates jd_screen_data_new keeps. An offence
 * costs a candidate per offence label in every note where an offence
 * matched; an indicator is open, so every indicator label (32) no rule of
 * its own matched is a candidate in every note, each with the note's stems
 * and pairs: ~90,000 candidates on the 16 tune parts, ~30 times the matched
 * ones, and most of training's 210 MB and 37 s CPU (docs/internals/screen.md). */
#define JD_SM_DATA_FAMILY                                                                          \
    (1u << JD_SCREEN_OFFENCE | 1u << JD_SCREEN_LANGUAGE | 1u << JD_SCREEN_INDICATOR)
void jd_sm__fv_free(jd_sm_fv *fv);

/* Word families by meaning for wording (model_lex.c): how many, the name of
 * family i, and a map from each word or two-word frame ("own accord") to
 * its families' bits. */
size_t jd_sm__lex_count(void);
const char *jd_sm__lex_name(size_t i);
int jd_sm__lex_build(jd_strmap *map);
/* The text of feature i's name. */
const char *jd_sm__name(const jd_sm_fv *fv, size_t i);

/* The weight of a named feature by its key (0 when the model has none). */
float jd_sm__named_weight(const jd_sm_kind *k, uint32_t key);

/* The hash key of a named feature ("counted"). */
uint32_t jd_sm__key(const char *name, size_t len);
/* Whether a word (lower case, n bytes) names an ethnicity, religion or
 * nationality (or its plural): never a feature. */
bool jd_sm__fairness_word(const char *w, size_t n);

/* The model's probability for a feature vector of kind, and the threshold
 * of code (-1: the rules decide this code). top[]: the indices in fv of the
 * (at most ntop) features that weighed most, *nout of them: toward a count
 * (dir 1), toward a veto (dir -1) or either way (dir 0). */
double jd_sm__predict(const jd_screen_model *m, jd_screen_kind kind, const jd_sm_fv *fv, int dir,
                      size_t *top, size_t ntop, size_t *nout);
double jd_sm__threshold(const jd_screen_model *m, jd_screen_kind kind, const char *code);
/* A family candidate's threshold: code + "/family", else the kind's ("any/family"), else -1.
 * open (no match of its kind in the note, jd_screen__beside_match): code + "/open", else
 * "any/open", else as a family one (a file trained before the split has no "/open"). */
double jd_sm__family_threshold(const jd_screen_model *m, jd_screen_kind kind, const char *code,
                               bool open);

/* The labels of a kind for the family candidates (jd_screen__labels); passed
 * in by screen.c, so the model never calls the engine that calls it. */
typedef size_t (*jd_sm_labels_fn)(const jd_screen *S, jd_screen_kind kind, int child_age,
                                  jd_screen_match *out, size_t cap);

/* The model's probability for a family candidate (the label of self, no
 * rule of its own matched): the bits jd_sm__predict gives over
 * jd_screen__features_for, but the note's stems and pairs are read and
 * hashed once a note, not once a label (a memo of each term's bucket by
 * label, in m's stemmer). fv is scratch. Returns JD_OK or JD_ENOMEM. */
int jd_sm__family_prob(jd_screen_model *m, const jd_screen_note *in, const jd_screen_result *res,
                       const jd_screen_match *self, jd_sm_fv *fv, double *p);

/* The rules' attributes for a raised label's word (jd_screen__attrs_at);
 * passed in by screen.c like the labels. */
typedef unsigned (*jd_sm_attrs_fn)(const jd_screen *S, jd_screen_kind kind, const char *code,
                                   int off);

/* jd_screen_model_apply, and with S and labels also the family candidates
 * (screen.c); with attrs a raise keeps the rules' reading of its words. */
int jd_sm__apply(jd_screen_model *m, const jd_screen *S, jd_sm_labels_fn labels,
                 jd_sm_attrs_fn attrs, const jd_screen_note *in, jd_screen_result *res,
                 jd_error *err);

/* model_train.c: the objective the trainer lowers, the mean weighted logistic
 * loss + l2/2 |w|^2, of m's weights of kind on the candidates of D with
 * use[i] true (use NULL: all) that o's fit learns from; NaN on bad arguments.
 * A fit never returns weights above the zero model's ln 2 (fit_kind). */
double jd_sm__objective(const jd_screen_data *D, const jd_screen_model *m, const bool *use,
                        int kind, const jd_screen_train_opts *o);

/* model_io.c: an empty model; a label's threshold (-1: the rules decide). */
int jd_sm__model_new(jd_screen_model **out);
int jd_sm__set_threshold(jd_screen_model *m, int kind, const char *code, float t);
/* The thresholds of kind in src ("rules" too, the kind's default and its
 * "any/family", "any/open") and its family, open and only settings, copied
 * into m (jd_screen_train_opts.keep). Returns JD_OK or JD_ENOMEM. */
int jd_sm__keep_thresholds(jd_screen_model *m, const jd_screen_model *src, int kind);

/* screen.c: the labels of a kind whose rules' ages admit the child, as
 * matches with no words (code, name, advice), at most cap. */
size_t jd_screen__labels(const jd_screen *S, jd_screen_kind kind, int child_age,
                         jd_screen_match *out, size_t cap);

/* screen.c: the attributes the rules would give a match of kind and code on
 * the word of the note just read at byte off (its scope, certainty, time and
 * person: attributes()); 0 when no rule has that code or no word is there. */
unsigned jd_screen__attrs_at(const jd_screen *S, jd_screen_kind kind, const char *code, int off);

/* screen.c: how many times the last run read a person's role (the role
 * lexicon at one mention): a work count, linear in the note (a name is read
 * once per note and rule, not once per act). */
uint64_t jd_screen__role_work(const jd_screen *S);

/* m now serves another screen: what it kept of the last one's labels goes
 * (m may be NULL). */
void jd_sm__new_screen(jd_screen_model *m);

/* screen.c: S's model, swapped for m (returns the old one, not freed). */
jd_screen_model *jd_screen__model_swap(jd_screen *S, jd_screen_model *m);
/* The kinds the model decides (1u << JD_SCREEN_*; 0 for NULL or empty):
 * the screen scans the weak rules of these kinds only (jd_screen_set_weak). */
unsigned jd_sm__kinds(const jd_screen_model *m);

#endif
