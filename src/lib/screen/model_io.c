/*
 * The learned combiner as data: data/rules/screen_model_ind.json is built in.
 *
 *   {"format": "joindots-screen-model", "version": 1, "buckets": 65536,
 *    "kinds": {"offences": {"threshold": 0.5,
 *                           "thresholds": {"C2": 0.35, "C9": "rules"},
 *                           "weights": {"bias": -1.2, "C2|counted": 0.8},
 *                           "words": {"4711": 0.02}}, "language": ..., "indicators": ...}}
 *
 * weights: named features (model.h); words: hashed word buckets; a label's
 * threshold "rules" leaves it to the rules. Saved with sorted keys and four
 * decimals, so one model is always the same bytes. Errors name the file and
 * the field ("screen_model.json: kinds.offences.weights.bias: not a number").
 */
#include "screen/model.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_names[3] = {"offences", "language", "indicators"};

static void kind_free(jd_sm_kind *k)
{
    free(k->keys);
    free(k->w);
    free(k->names);
    free(k->wb);
    free(k->thr);
    jd_strmap_free(&k->thr_of);
    memset(k, 0, sizeof *k);
}

int jd_sm__model_share(const jd_screen_model *src, jd_screen_model **out)
{
    jd_screen_model *m = calloc(1, sizeof *m);
    if (!m)
        return JD_ENOMEM;
    memcpy(m->k, src->k, sizeof m->k);
    m->shared = true;
    *out = m;
    return JD_OK;
}

int jd_screen_model_limit(jd_screen_model *m, unsigned kinds, int only, double floor,
                          int family, jd_error *err)
{
    if (!m || m->shared)
        return jd_error_set(err, JD_EINVALID, "a model of its own is required");
    if (only < JD_SCREEN_LIMIT_BOTH || only > JD_SCREEN_LIMIT_RAISE || !(floor >= 0 && floor <= 1) ||
        family < -1 || family > 1)
        return jd_error_set(err, JD_EINVALID, "only, floor or family out of range");
    _Static_assert((int)JD_SCREEN_LIMIT_VETO == (int)JD_SM_VETO && (int)JD_SCREEN_LIMIT_RAISE == (int)JD_SM_RAISE,
                   "the limits are the model's own");
    for (int kind = 0; kind < 3; kind++) {
        jd_sm_kind *k = &m->k[kind];
        if (!(kinds & 1u << kind) || !k->on)
            continue;
        k->only = (uint8_t)only;
        if (family >= 0)
            k->family = family == 1;
        for (size_t i = 0; i < k->nthr; i++)
            if (k->thr[i] >= 0 && k->thr[i] < floor)
                k->thr[i] = (float)floor;
        if (k->def_thr >= 0 && k->def_thr < floor)
            k->def_thr = (float)floor;
    }
    return JD_OK;
}

void jd_screen_model_free(jd_screen_model *m)
{
    if (!m)
        return;
    if (m->shared) {
        jd_sm__stemmer_free(m->st);
        free(m);
        return;
    }
    for (int i = 0; i < 3; i++)
        kind_free(&m->k[i]);
    jd_sm__stemmer_free(m->st);
    jd_arena_free(&m->ar);
    free(m);
}

int jd_sm__model_new(jd_screen_model **out)
{
    jd_screen_model *m = calloc(1, sizeof *m);
    if (!m)
        return JD_ENOMEM;
    jd_arena_init(&m->ar, 16 * 1024);
    for (int i = 0; i < 3; i++)
        jd_strmap_init(&m->k[i].thr_of);
    *out = m;
    return JD_OK;
}

int jd_sm__set_threshold(jd_screen_model *m, int kind, const char *code, float t)
{
    jd_sm_kind *k = &m->k[kind];
    bool added;
    uint32_t *v = jd_strmap_put(&k->thr_of, code, strlen(code), (uint32_t)k->nthr, &added);
    if (!v)
        return JD_ENOMEM;
    if (added) {
        if (jd_grow((void **)&k->thr, &k->thrcap, k->nthr + 1, sizeof *k->thr))
            return JD_ENOMEM;
        k->nthr++;
    }
    k->thr[*v] = t;
    return JD_OK;
}

int jd_sm__keep_thresholds(jd_screen_model *m, const jd_screen_model *src, int kind)
{
    const jd_sm_kind *s = &src->k[kind];
    jd_sm_kind *k = &m->k[kind];
    k->def_thr = s->def_thr;
    k->family = s->family;
    k->open = s->open;
    k->only = s->only;
    for (size_t i = 0; i < s->thr_of.cap; i++) {
        const jd_strmap_slot *sl = &s->thr_of.slots[i];
        if (sl->key && jd_sm__set_threshold(m, kind, sl->key, s->thr[sl->val]))
            return JD_ENOMEM;
    }
    return JD_OK;
}

typedef struct ldr {
    jd_screen_model *m;
    const char *src;
    jd_error *err;
} ldr;

static int bad(ldr *L, const char *kind, const char *field, const char *key, const char *what)
{
    return jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0, "%s: kinds.%s.%s%s%s: %s", L->src,
                           kind, field, key ? "." : "", key ? key : "", what);
}

typedef struct kv {
    uint32_t key;
    float w;
    const char *name;
} kv;

static int cmp_kv(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static int load_weights(ldr *L, jd_sm_kind *k, json_t *o, const char *kn)
{
    if (!json_is_object(o))
        return bad(L, kn, "weights", NULL, "not an object");
    size_t n = json_object_size(o), i = 0;
    kv *v = calloc(n ? n : 1, sizeof *v);
    k->keys = calloc(n ? n : 1, sizeof *k->keys);
    k->w = calloc(n ? n : 1, sizeof *k->w);
    k->names = calloc(n ? n : 1, sizeof *k->names);
    if (!v || !k->keys || !k->w || !k->names) {
        free(v);
        return jd_oom(L->err);
    }
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val)
    {
        if (!json_is_number(val)) {
            free(v);
            return bad(L, kn, "weights", key, "not a number");
        }
        v[i++] = (kv){jd_sm__key(key, strlen(key)), (float)json_number_value(val), key};
    }
    qsort(v, n, sizeof *v, cmp_kv);
    for (i = 0; i < n; i++) {
        k->keys[i] = v[i].key;
        k->w[i] = v[i].w;
        k->names[i] = jd_arena_strndup(&L->m->ar, v[i].name, strlen(v[i].name));
        if (!k->names[i]) {
            free(v);
            return jd_oom(L->err);
        }
    }
    k->nn = n;
    free(v);
    return JD_OK;
}

static int load_words(ldr *L, jd_sm_kind *k, json_t *o, const char *kn)
{
    if (!o)
        return JD_OK;
    if (!json_is_object(o))
        return bad(L, kn, "words", NULL, "not an object");
    k->wb = calloc(JD_SM_BUCKETS, sizeof *k->wb);
    if (!k->wb)
        return jd_oom(L->err);
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val)
    {
        char *end;
        unsigned long b = strtoul(key, &end, 10);
        if (!*key || *end || b >= JD_SM_BUCKETS)
            return bad(L, kn, "words", key, "not a bucket number below 65536");
        if (!json_is_number(val))
            return bad(L, kn, "words", key, "not a number");
        k->wb[b] = (float)json_number_value(val);
    }
    return JD_OK;
}

/* "open": true (family candidates in every note) and "only": "veto" | "raise"
 * (both optional: a model file without them decides both ways). */
static int load_scope(ldr *L, jd_sm_kind *k, json_t *o, const char *kn)
{
    json_t *op = json_object_get(o, "open"), *only = json_object_get(o, "only");
    if (op && !json_is_boolean(op))
        return bad(L, kn, "open", NULL, "not true or false");
    k->open = json_is_true(op);
    const char *s = only ? json_string_value(only) : "";
    if (!s || (*s && strcmp(s, "veto") && strcmp(s, "raise")))
        return bad(L, kn, "only", NULL, "not \"veto\" or \"raise\"");
    k->only = !*s ? JD_SM_BOTH : !strcmp(s, "veto") ? JD_SM_VETO : JD_SM_RAISE;
    return JD_OK;
}

static int load_thresholds(ldr *L, int kind, json_t *o, const char *kn)
{
    jd_sm_kind *k = &L->m->k[kind];
    json_t *d = json_object_get(o, "threshold");
    bool drules = json_is_string(d) && !strcmp(json_string_value(d), "rules");
    if (!drules && (!json_is_number(d) || json_number_value(d) < 0 || json_number_value(d) > 1))
        return bad(L, kn, "threshold", NULL, "needs a number from 0 to 1 or \"rules\"");
    k->def_thr = drules ? -1.0f : (float)json_number_value(d);
    json_t *t = json_object_get(o, "thresholds");
    if (!t)
        return JD_OK;
    if (!json_is_object(t))
        return bad(L, kn, "thresholds", NULL, "not an object");
    const char *key;
    json_t *val;
    json_object_foreach(t, key, val)
    {
        double x = json_is_number(val) ? json_number_value(val) : -1;
        bool rules = json_is_string(val) && !strcmp(json_string_value(val), "rules");
        if (!rules && (x < 0 || x > 1))
            return bad(L, kn, "thresholds", key, "needs a number from 0 to 1 or \"rules\"");
        if (jd_sm__set_threshold(L->m, kind, key, rules ? -1.0f : (float)x))
            return jd_oom(L->err);
    }
    return JD_OK;
}

static int load_root(ldr *L, json_t *root)
{
    const char *fmt = json_string_value(json_object_get(root, "format"));
    if (!json_is_object(root) || !fmt || strcmp(fmt, "joindots-screen-model"))
        return jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                               "%s: format: not \"joindots-screen-model\"", L->src);
    json_t *b = json_object_get(root, "buckets");
    if (!json_is_integer(b) || json_integer_value(b) != JD_SM_BUCKETS)
        return jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0, "%s: buckets: needs %u", L->src,
                               JD_SM_BUCKETS);
    json_t *kinds = json_object_get(root, "kinds");
    if (!json_is_object(kinds))
        return jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0, "%s: kinds: not an object",
                               L->src);
    const char *key;
    json_t *o;
    json_object_foreach(kinds, key, o)
    {
        int kind = -1;
        for (int i = 0; i < 3; i++)
            if (!strcmp(key, kind_names[i]))
                kind = i;
        if (kind < 0)
            return jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                   "%s: kinds.%s: not offences, language or indicators", L->src,
                                   key);
        if (!json_is_object(o))
            return bad(L, key, "", NULL, "not an object");
        if (L->m->k[kind].on) /* joined buffers (loadbv): one file a kind */
            return jd_error_set_at(L->err, JD_EINVALID, L->src, 0, 0,
                                   "%s: kinds.%s: given by another file as well", L->src, key);
        int rc = load_weights(L, &L->m->k[kind], json_object_get(o, "weights"), key);
        if (!rc)
            rc = load_words(L, &L->m->k[kind], json_object_get(o, "words"), key);
        if (!rc)
            rc = load_thresholds(L, kind, o, key);
        json_t *fam = json_object_get(o, "family");
        if (!rc && fam && !json_is_boolean(fam))
            rc = bad(L, key, "family", NULL, "not true or false");
        L->m->k[kind].family = json_is_true(fam);
        if (!rc)
            rc = load_scope(L, &L->m->k[kind], o, key);
        if (rc)
            return rc;
        L->m->k[kind].on = true;
    }
    return JD_OK;
}

static int load_json(jd_screen_model **out, json_t *root, const char *src, jd_error *err)
{
    jd_screen_model *m;
    if (jd_sm__model_new(&m))
        return jd_oom(err);
    ldr L = {m, src, err};
    int rc = load_root(&L, root);
    if (rc < 0) {
        jd_screen_model_free(m);
        return rc;
    }
    *out = m;
    return JD_OK;
}

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

int jd_screen_model_load(jd_screen_model **out, const char *path, jd_error *err)
{
    if (!out || !path)
        return jd_error_set(err, JD_EINVALID, "out and path are required");
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return jd_error_set_at(err, JD_EIO, base_name(path), 0, 0, "%s: cannot open",
                                   base_name(path));
        fclose(f);
        return jd_error_set_at(err, JD_EINVALID, base_name(path), je.line, je.column,
                               "%s: not valid JSON: %s", base_name(path), je.text);
    }
    int rc = load_json(out, root, base_name(path), err);
    json_decref(root);
    return rc;
}

int jd_screen_model_loadb(jd_screen_model **out, const char *buf, size_t len, const char *source,
                          jd_error *err)
{
    if (!out || !buf)
        return jd_error_set(err, JD_EINVALID, "out and buf are required");
    const char *src = source ? source : "<model>";
    json_error_t je;
    json_t *root = json_loadb(buf, len, 0, &je);
    if (!root)
        return jd_error_set_at(err, JD_EINVALID, src, je.line, je.column, "%s: not valid JSON: %s",
                               src, je.text);
    int rc = load_json(out, root, src, err);
    json_decref(root);
    return rc;
}

int jd_screen_model_loadbv(jd_screen_model **out, const char *const *bufs, const size_t *lens,
                           size_t n, const char *source, jd_error *err)
{
    if (!out || (n && (!bufs || !lens)))
        return jd_error_set(err, JD_EINVALID, "out, bufs and lens are required");
    jd_screen_model *m;
    if (jd_sm__model_new(&m))
        return jd_oom(err);
    json_int_t version = 0;
    int rc = JD_OK;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        char src[160];
        snprintf(src, sizeof src, "%s[%zu]", source ? source : "<model>", i);
        json_error_t je = {0};
        json_t *root = bufs[i] ? json_loadb(bufs[i], lens[i], 0, &je) : NULL;
        if (!root) {
            rc = jd_error_set_at(err, JD_EINVALID, src, je.line, je.column,
                                 "%s: not valid JSON: %s", src, bufs[i] ? je.text : "no buffer");
            break;
        }
        json_t *v = json_object_get(root, "version");
        json_int_t vi = json_is_integer(v) ? json_integer_value(v) : -1;
        if (i == 0)
            version = vi;
        if (vi != version) {
            rc = jd_error_set_at(err, JD_EINVALID, src, 0, 0,
                                 "%s: version: %lld, not the first file's %lld", src,
                                 (long long)vi, (long long)version);
        } else {
            ldr L = {m, src, err};
            rc = load_root(&L, root);
        }
        json_decref(root);
    }
    if (rc < 0) {
        jd_screen_model_free(m);
        return rc;
    }
    *out = m;
    return JD_OK;
}

static json_t *num4(double x)
{
    return json_real(round(x * 1e4) / 1e4);
}

static json_t *kind_json(const jd_sm_kind *k)
{
    json_t *o = json_object(), *w = json_object(), *wb = json_object(), *t = json_object();
    for (size_t i = 0; i < k->nn; i++)
        if (fabs(k->w[i]) >= 5e-5)
            json_object_set_new(w, k->names[i], num4(k->w[i]));
    for (uint32_t b = 0; k->wb && b < JD_SM_BUCKETS; b++)
        if (fabs(k->wb[b]) >= 5e-5) {
            char key[16];
            snprintf(key, sizeof key, "%u", b);
            json_object_set_new(wb, key, num4(k->wb[b]));
        }
    for (size_t i = 0; i < k->thr_of.cap; i++) {
        const jd_strmap_slot *s = &k->thr_of.slots[i];
        if (!s->key)
            continue;
        float x = k->thr[s->val];
        json_object_set_new(t, s->key, x < 0 ? json_string("rules") : num4(x));
    }
    json_object_set_new(o, "family", json_boolean(k->family));
    if (k->open)
        json_object_set_new(o, "open", json_true());
    if (k->only)
        json_object_set_new(o, "only", json_string(k->only == JD_SM_VETO ? "veto" : "raise"));
    json_object_set_new(o, "threshold", k->def_thr < 0 ? json_string("rules") : num4(k->def_thr));
    json_object_set_new(o, "thresholds", t);
    json_object_set_new(o, "weights", w);
    json_object_set_new(o, "words", wb);
    return o;
}

int jd_screen_model_save(const jd_screen_model *m, const char *path, jd_error *err)
{
    if (!m || !path)
        return jd_error_set(err, JD_EINVALID, "model and path are required");
    json_t *root = json_object(), *kinds = json_object();
    json_object_set_new(root, "format", json_string("joindots-screen-model"));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "buckets", json_integer(JD_SM_BUCKETS));
    for (int i = 0; i < 3; i++)
        if (m->k[i].on)
            json_object_set_new(kinds, kind_names[i], kind_json(&m->k[i]));
    json_object_set_new(root, "kinds", kinds);
    int rc = json_dump_file(root, path, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_REAL_PRECISION(6));
    json_decref(root);
    if (rc)
        return jd_error_set_at(err, JD_EIO, base_name(path), 0, 0, "%s: cannot write",
                               base_name(path));
    return JD_OK;
}
