/*
 * joindots text screen, the learned combiner: an L2-regularised logistic
 * regression per kind (offences, language, indicators) over what the rules
 * found in a note (the rules that matched, the attribute bits that ruled a
 * match out, ages, event type, agency) and over Snowball stems of the
 * sentences that hold a candidate, hashed into a fixed space. A label counts
 * when the model's probability reaches its threshold. The model may veto a
 * counted rule match, and may count a match an attribute ruled out; it may
 * raise a label no rule of its own matched only in a kind trained with
 * "family" (offences by default) and only when some rule of that kind
 * matched in the note, and only for a label whose rules' ages admit the
 * child; never one the ages ruled out (the age rules decide the offence
 * code). docs/internals/screen.md, "The learned combiner".
 *
 * The model is data (data/rules/screen_model_ind.json is compiled in and read
 * by jd_screen_open when it opens the built-in rules); `joindots
 * screen-train` writes one from labelled corpora.
 */
#ifndef JOINDOTS_SCREEN_MODEL_H
#define JOINDOTS_SCREEN_MODEL_H

#include "common.h"
#include "screen.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jd_screen_model jd_screen_model; /* weights, thresholds and stemming scratch;
                                                   one thread at a time */
typedef struct jd_screen_data jd_screen_data;   /* screened, labelled notes with features */

/* One labelled note: the input, its gold codes and slugs (any kind, "C2",
 * "consent", "S02") and the corpus it comes from (leave-one-set-out). The
 * strings are borrowed for the call that takes them. */
typedef struct jd_screen_gold {
    jd_screen_note note;
    const char *const *labels;
    size_t nlabels;
    int set;
    float weight; /* of its candidates in the loss and thresholds; 0 = 1 */
} jd_screen_gold;

typedef struct jd_screen_train_opts {
    unsigned kinds;  /* 1u << JD_SCREEN_OFFENCE | ...: kinds to learn; 0 = all */
    double l2;       /* L2 penalty per example (mean loss + l2/2 |w|^2) */
    int iterations;  /* full-batch gradient steps */
    double rate;     /* step size */
    int min_label;   /* candidates of a label needed for its own threshold */
    bool inner_cv;   /* thresholds from out-of-fold probabilities inside the training
                        notes, folds of whole sets (set % 4), else from the fit itself */
    unsigned family; /* kinds where the model may raise a label no rule of its own
                        matched, when a rule of the kind did (1u << JD_SCREEN_OFFENCE) */
    unsigned open;   /* family kinds whose labels are candidates in every note, not
                        only where a rule of the kind matched (indicators always are) */
    unsigned only_veto;  /* kinds where the model may only veto a counted match */
    unsigned only_raise; /* kinds where the model may only count (never veto) */
    const jd_screen_model *keep; /* NULL, or a model whose thresholds are kept: each kind
                                    trained takes this model's thresholds ("rules" too),
                                    and its family, open and only settings (they replace
                                    family, open, only_veto and only_raise for that kind),
                                    and only the weights are learnt (no inner folds);
                                    kinds 0 = the kinds this model has; a kind asked for
                                    that it lacks is refused (JD_EINVALID) */
} jd_screen_train_opts;
#define JD_SCREEN_TRAIN_OPTS_INIT                                                                  \
    {                                                                                              \
        0, 1e-3, 150, 1.0, 12, true, 1u << JD_SCREEN_OFFENCE, 0, 0, 0, NULL                        \
    }

/* Screen every note with the rules alone (S's model, if any, is not used)
 * and keep its candidates' features and gold labels. `S` is used during the
 * call only. Returns JD_OK, JD_EINVALID or JD_ENOMEM. */
JD_API int jd_screen_data_new(jd_screen_data **out, jd_screen *S, const jd_screen_gold *notes,
                              size_t n, jd_error *err);
JD_API void jd_screen_data_free(jd_screen_data *D);
JD_API size_t jd_screen_data_count(const jd_screen_data *D);

/* Train on the notes of D with use[i] true (use NULL: all), deterministic:
 * the same notes and options give the same model, byte for byte once saved.
 * Returns JD_OK, JD_EINVALID or JD_ENOMEM. */
JD_API int jd_screen_model_train(jd_screen_model **out, const jd_screen_data *D, const bool *use,
                                 const jd_screen_train_opts *opts, jd_error *err);

/* Counts of one kind over some notes: true, false positives, false negatives
 * (offences: unrecorded only, as bench/screen_score.py scores them). */
typedef struct jd_screen_counts {
    long tp, fp, fn;
} jd_screen_counts;

/* Score the notes of D with use[i] true: rules alone (m NULL) or with the
 * model; out[kind] is added to. */
JD_API int jd_screen_data_score(const jd_screen_data *D, const jd_screen_model *m, const bool *use,
                                jd_screen_counts out[3], jd_error *err);

/* Narrow what a trained model may do in the kinds of `kinds` (1u << kind), to
 * compare uses of one fit (`screen-train --cv --cv-raise`): only, JD_SCREEN_LIMIT_*
 * (as trained, only veto, only count: never veto a rule's match); floor: every
 * threshold of the kind at least this (with only count, a raise needs p >= floor);
 * family 0: no raise of a label no rule of its own matched (only weak matches
 * the rules left uncounted), 1: allowed again, -1: unchanged. Returns JD_OK or
 * JD_EINVALID (m NULL or shared, only or floor out of range). */
enum { JD_SCREEN_LIMIT_BOTH = 0, JD_SCREEN_LIMIT_VETO = 1, JD_SCREEN_LIMIT_RAISE = 2 };
JD_API int jd_screen_model_limit(jd_screen_model *m, unsigned kinds, int only, double floor,
                                 int family, jd_error *err);

/* Load a model from a file, or from a buffer (source names it in errors).
 * Errors name the file and the field. Returns JD_OK, JD_EIO, JD_EINVALID or
 * JD_ENOMEM. A file with no kinds is a valid, empty model (rules alone). */
JD_API int jd_screen_model_load(jd_screen_model **out, const char *path, jd_error *err);
JD_API int jd_screen_model_loadb(jd_screen_model **out, const char *buf, size_t len,
                                 const char *source, jd_error *err);
/* Load one model from n buffers, each a model file of its own kinds (the
 * indicators, offences and wording files), their kinds joined. Refused
 * (JD_EINVALID, naming "source[i]" and the field): a kind given in two
 * buffers, a version that differs from the first buffer's, and whatever
 * jd_screen_model_loadb refuses in one buffer. n = 0 is an empty model. */
JD_API int jd_screen_model_loadbv(jd_screen_model **out, const char *const *bufs,
                                  const size_t *lens, size_t n, const char *source,
                                  jd_error *err);
/* Write the model as JSON (sorted keys, fixed precision: same model, same
 * bytes). Returns JD_OK, JD_EIO or JD_ENOMEM. */
JD_API int jd_screen_model_save(const jd_screen_model *m, const char *path, jd_error *err);
JD_API void jd_screen_model_free(jd_screen_model *m);
/* Labels the model decides (0: an empty model). */
JD_API size_t jd_screen_model_labels(const jd_screen_model *m);

/* The model argument of jd_screen_open_model (and of
 * jd_analyse_opts.screen_model, `analyse --screen-model none`): no learned
 * combiner, the rules alone. */
#define JD_SCREEN_MODEL_NONE "none"

/* jd_screen_open with a chosen learned combiner: model NULL, the built-in
 * one (as jd_screen_open: with the built-in rules only); JD_SCREEN_MODEL_NONE,
 * the rules alone (the suites that assert what the rules decide, `joindots
 * screen --no-model`), without reading the built-in model at all; else a
 * model file (screen-train). Returns what jd_screen_open and
 * jd_screen_model_load return. */
JD_API int jd_screen_open_model(jd_screen **out, const char *rules_path, const char *model,
                                jd_error *err);

/* Give S a model (S owns it now; NULL: rules alone). jd_screen_run applies
 * it after the rules. The previous model is freed. */
JD_API void jd_screen_set_model(jd_screen *S, jd_screen_model *m);

/* Weak rules ("weak": true) make candidates only a model counts, so the
 * screen scans a kind's weak rules only while its model decides that kind
 * (none with the shipped, empty model: nothing to pay for). all = true scans
 * every kind's even without a model (training, `screen --all`): what counts
 * is the same either way. Returns the previous setting. */
JD_API bool jd_screen_set_weak(jd_screen *S, bool all);

/* Apply a model to a rules-alone result of the note (what jd_screen_run does
 * when S has a model): veto or count candidates and say why. Returns JD_OK
 * or JD_ENOMEM. */
JD_API int jd_screen_model_apply(jd_screen_model *m, const jd_screen_note *in,
                                 jd_screen_result *res, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
