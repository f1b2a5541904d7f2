/*
 * Read-side queries: the person index for search and the stored alerts.
 * See include/joindots/query.h.
 */
#include "query/query_internal.h"
#include <joindots/query.h>

#include "text/compare.h"
#include "util/internal.h"
#include "text/names.h"
#include "text/phonetic.h"
#include "store/account_ops.h"
#include "store/incr_ops.h"
#include "store/store.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_NORM_MAX 128

typedef struct pentry {
    char *person_id, *name, *dob, *norm; /* norm: normalised name words */
    int64_t row; /* the identity's row id (identity_rows' order), 0 unresolved */
    bool is_child;
    jd_ref *refs;
    size_t n_refs, cap_refs;
} pentry;

/* A distinct word of the normalised names, with its Double Metaphone codes
 * and the entries whose names hold it (post[first .. first+count)). */
typedef struct nword {
    const char *w; /* into an entry's norm (not NUL-terminated at len) */
    uint32_t len, first, count;
    char pa[JD_PHON_MAX + 1], pb[JD_PHON_MAX + 1];
} nword;

typedef struct skey {
    const char *key;
    uint32_t entry;
    uint64_t pre; /* the key's first 8 bytes, big-endian: sorts without reading it */
} skey;

static skey skey_of(const char *key, uint32_t entry)
{
    uint64_t pre = 0;
    for (int i = 0; i < 8 && key[i]; i++)
        pre |= (uint64_t)(unsigned char)key[i] << (56 - 8 * i);
    return (skey){key, entry, pre};
}

struct jd_person_index {
    pentry *p;
    size_t n, cap;
    size_t *by_id; /* entry numbers sorted by person_id (lookups by id) */
    /* search (jd_person_index_search): the name words, ids in lower case,
     * refs and dates of birth, each sorted, so that a search scores only
     * the entries that can match instead of every entry */
    nword *words;
    size_t nwords;
    uint32_t *post;
    uint32_t *ew, *ew_off; /* the word numbers of entry i: ew[ew_off[i] .. ew_off[i+1]) */
    skey *ids_lower, *refs;
    size_t n_refs;
    char *lower_buf;
    uint32_t *by_dob;
    /* the name-word index: what a query word can reach 0.85 with
     * (word_cands): the words in byte order (the prefix rule), their Double
     * Metaphone codes sorted (sounding alike), and each word's letters as
     * bits (bytes & 31), which bound Jaro-Winkler's matches */
    uint32_t *by_word;
    skey *by_code;
    size_t n_codes;
    uint32_t *wmask;
    /* the highest person_mention id when built (-1: unknown): a patch adds
     * the unresolved refs of later mentions */
    int64_t mention_max;
    /* entries another index took over (jd_person_index_patch): not freed
     * by close; NULL when none. Readers never read it. */
    bool *given;
};

/* "U:AGENCY:REF", an unresolved ref's id: on_row and mark_drops alike */
enum { UID_MAX = 512 };

static char *dupz(const char *s)
{
    return strdup(s ? s : "");
}

static int on_row(const jd_identity_row *r, void *payload)
{
    jd_person_index *x = payload;
    char uid[UID_MAX];
    const char *pid = r->person_id;
    if (!pid) {
        snprintf(uid, sizeof uid, "U:%s:%s", r->agency, r->person_ref);
        pid = uid;
    }
    pentry *e = x->n ? &x->p[x->n - 1] : NULL;
    if (!e || strcmp(e->person_id, pid) != 0) {
        if (jd_grow((void **)&x->p, &x->cap, x->n + 1, sizeof *x->p) < 0)
            return JD_ENOMEM;
        e = &x->p[x->n++];
        memset(e, 0, sizeof *e);
        char norm[NAME_NORM_MAX];
        const char *nm = r->display_name ? r->display_name : "";
        if (jd_names__normalise(norm, sizeof norm, nm, strlen(nm)) < 0)
            norm[0] = '\0';
        e->person_id = dupz(pid);
        e->row = r->person_id ? r->identity_id : 0;
        e->name = dupz(nm);
        e->dob = dupz(r->dob);
        e->norm = dupz(norm);
        if (!e->person_id || !e->name || !e->dob || !e->norm)
            return JD_ENOMEM;
    }
    e->is_child = e->is_child || r->is_child;
    if (jd_grow((void **)&e->refs, &e->cap_refs, e->n_refs + 1, sizeof *e->refs) < 0)
        return JD_ENOMEM;
    jd_ref *ref = &e->refs[e->n_refs];
    ref->agency = strdup(r->agency ? r->agency : "");
    ref->person_ref = strdup(r->person_ref ? r->person_ref : "");
    if (!ref->agency || !ref->person_ref) {
        free((char *)ref->agency);
        free((char *)ref->person_ref);
        return JD_ENOMEM;
    }
    e->n_refs++;
    return 0;
}

void jd_person_index_close(jd_person_index *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++) {
        pentry *e = &x->p[i];
        if (x->given && x->given[i])
            continue;
        free(e->person_id);
        free(e->name);
        free(e->dob);
        free(e->norm);
        for (size_t j = 0; j < e->n_refs; j++) {
            free((char *)e->refs[j].agency);
            free((char *)e->refs[j].person_ref);
        }
        free(e->refs);
    }
    free(x->p);
    free(x->by_id);
    free(x->words);
    free(x->post);
    free(x->ew);
    free(x->ew_off);
    free(x->ids_lower);
    free(x->refs);
    free(x->lower_buf);
    free(x->by_dob);
    free(x->by_word);
    free(x->by_code);
    free(x->wmask);
    free(x->given);
    free(x);
}

static int cmp_by_id(const void *a, const void *b, void *ctx)
{
    const jd_person_index *x = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(x->p[i].person_id, x->p[j].person_id);
    return c ? c : (i > j) - (i < j); /* equal ids: the first entry first, as a scan finds it */
}

static int cmp_skey(const void *a, const void *b)
{
    const skey *x = a, *y = b;
    if (x->pre != y->pre) /* strcmp's order: unsigned bytes, the shorter first */
        return x->pre < y->pre ? -1 : 1;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->entry > y->entry) - (x->entry < y->entry);
}

/* The first index of a sorted skey array whose key is not below key. */
static size_t skey_lower(const skey *k, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(k[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_dob(const void *a, const void *b, void *ctx)
{
    const jd_person_index *x = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    int c = strcmp(x->p[i].dob, x->p[j].dob);
    return c ? c : (i > j) - (i < j);
}

/* The next word of a normalised name from *at (its length in *l; *at moves
 * past it), or NULL when there is none. */
static const char *next_word(const char **at, size_t *l)
{
    const char *w = *at;
    while (*w == ' ')
        w++;
    *l = strcspn(w, " ");
    if (!*l)
        return NULL;
    *at = w + *l;
    return w;
}

/* Calls fn(x, word, len, entry, ctx) for each word of each entry's name. */
static int each_word(jd_person_index *x,
                     int (*fn)(jd_person_index *x, const char *w, size_t l, uint32_t e, void *ctx),
                     void *ctx)
{
    size_t l;
    for (size_t i = 0; i < x->n; i++)
        for (const char *at = x->p[i].norm, *w; (w = next_word(&at, &l));) {
            int rc = fn(x, w, l, (uint32_t)i, ctx);
            if (rc < 0)
                return rc;
        }
    return JD_OK;
}

typedef struct wctx {
    jd_strmap map;  /* word -> its number */
    uint32_t *last; /* per word: 1 + the last entry counted (a name may repeat a word) */
    size_t cap_words, cap_last;
    size_t all;  /* words of all names, repeats included */
    size_t n_ew; /* of them placed in ew */
} wctx;

/* Pass 1: number the distinct words and count their entries. */
static int count_word(jd_person_index *x, const char *w, size_t l, uint32_t e, void *ctx)
{
    wctx *c = ctx;
    bool added;
    uint32_t *id = jd_strmap_put(&c->map, w, l, (uint32_t)x->nwords, &added);
    if (!id)
        return JD_ENOMEM;
    c->all++;
    if (added) {
        if (jd_grow((void **)&x->words, &c->cap_words, x->nwords + 1, sizeof *x->words) < 0 ||
            jd_grow((void **)&c->last, &c->cap_last, x->nwords + 1, sizeof *c->last) < 0)
            return JD_ENOMEM;
        nword *nw = &x->words[x->nwords++];
        *nw = (nword){w, (uint32_t)l, 0, 0, "", ""};
        jd_phon__double_metaphone(w, l, nw->pa, nw->pb);
        c->last[*id] = 0;
    }
    if (c->last[*id] != e + 1) {
        c->last[*id] = e + 1;
        x->words[*id].count++;
    }
    return JD_OK;
}

/* Pass 2: the entries of each word, in entry order, and the words of each
 * entry, in name order. */
static int post_word(jd_person_index *x, const char *w, size_t l, uint32_t e, void *ctx)
{
    wctx *c = ctx;
    uint32_t id = *jd_strmap_get(&c->map, w, l);
    nword *nw = &x->words[id];
    x->ew[c->n_ew++] = id;
    x->ew_off[e + 1] = (uint32_t)c->n_ew;
    if (c->last[id] != e + 1) {
        c->last[id] = e + 1;
        x->post[nw->first + nw->count++] = e;
    }
    return JD_OK;
}

/* Byte order of the words a[0..al) and b[0..bl) (not NUL-terminated). */
static int word_order(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* Name words (numbers into ctx) in byte order. */
static int cmp_word(const void *a, const void *b, void *ctx)
{
    const nword *W = ctx, *x = &W[*(const uint32_t *)a], *y = &W[*(const uint32_t *)b];
    return word_order(x->w, x->len, y->w, y->len);
}

static uint32_t letters(const char *w, size_t l)
{
    uint32_t m = 0;
    for (size_t i = 0; i < l; i++)
        m |= 1u << ((unsigned char)w[i] & 31);
    return m;
}

/* The name-word index (struct jd_person_index, word_cands). */
static int word_index(jd_person_index *x)
{
    size_t n = x->nwords;
    x->by_word = malloc((n ? n : 1) * sizeof *x->by_word);
    x->wmask = malloc((n ? n : 1) * sizeof *x->wmask);
    x->by_code = malloc((2 * n + 1) * sizeof *x->by_code);
    if (!x->by_word || !x->wmask || !x->by_code)
        return JD_ENOMEM;
    x->n_codes = 0;
    for (size_t w = 0; w < n; w++) {
        const nword *nw = &x->words[w];
        x->by_word[w] = (uint32_t)w;
        x->wmask[w] = letters(nw->w, nw->len);
        if (*nw->pa)
            x->by_code[x->n_codes++] = skey_of(nw->pa, (uint32_t)w);
        if (*nw->pb && strcmp(nw->pb, nw->pa))
            x->by_code[x->n_codes++] = skey_of(nw->pb, (uint32_t)w);
    }
    qsort_r(x->by_word, n, sizeof *x->by_word, cmp_word, x->words);
    qsort(x->by_code, x->n_codes, sizeof *x->by_code, cmp_skey);
    return JD_OK;
}

/* Between the passes: each word's place in post (words[].first; counts
 * and last, of the words counted, zeroed for pass 2), and room for post,
 * ew (all: words of all names) and ew_off. */
static int words_place(jd_person_index *x, uint32_t *last, size_t all)
{
    size_t total = 0;
    for (size_t w = 0; w < x->nwords; w++) {
        x->words[w].first = (uint32_t)total;
        total += x->words[w].count;
        x->words[w].count = 0;
        last[w] = 0;
    }
    if (!(x->post = malloc((total ? total : 1) * sizeof *x->post)) ||
        !(x->ew = malloc((all ? all : 1) * sizeof *x->ew)) ||
        !(x->ew_off = calloc(x->n + 1, sizeof *x->ew_off)))
        return JD_ENOMEM;
    return JD_OK;
}

/* The search's name words (see struct jd_person_index): the distinct
 * words with their entries (by a hash of the words: two passes, no sort),
 * and the name-word index. */
static int search_index(jd_person_index *x)
{
    wctx c = {0};
    jd_strmap_init(&c.map);
    int rc = each_word(x, count_word, &c);
    if (rc == JD_OK)
        rc = words_place(x, c.last, c.all);
    if (rc == JD_OK)
        rc = each_word(x, post_word, &c);
    for (size_t i = 1; rc == JD_OK && i <= x->n; i++)
        if (x->ew_off[i] < x->ew_off[i - 1])
            x->ew_off[i] = x->ew_off[i - 1]; /* a name without words */
    jd_strmap_free(&c.map);
    free(c.last);
    return rc < 0 ? rc : word_index(x);
}

/* Room for the sorted lookups of x (by_id, ids_lower, refs, by_dob), and
 * the lower-case ids written: ids_lower[i] is entry i's, unsorted; refs
 * and by_id not filled. */
static int sorted_alloc(jd_person_index *x)
{
    size_t nref = 0, idbytes = 0;
    for (size_t i = 0; i < x->n; i++) {
        nref += x->p[i].n_refs;
        idbytes += strlen(x->p[i].person_id) + 1;
    }
    x->by_id = malloc((x->n ? x->n : 1) * sizeof *x->by_id);
    x->ids_lower = malloc((x->n ? x->n : 1) * sizeof *x->ids_lower);
    x->refs = malloc((nref ? nref : 1) * sizeof *x->refs);
    x->lower_buf = malloc(idbytes ? idbytes : 1);
    x->by_dob = malloc((x->n ? x->n : 1) * sizeof *x->by_dob);
    if (!x->by_id || !x->ids_lower || !x->refs || !x->lower_buf || !x->by_dob)
        return JD_ENOMEM;
    char *b = x->lower_buf;
    for (size_t i = 0; i < x->n; i++) {
        const char *id = x->p[i].person_id;
        size_t l = strlen(id);
        for (size_t k = 0; k <= l; k++)
            b[k] = (char)tolower((unsigned char)id[k]);
        x->ids_lower[i] = skey_of(b, (uint32_t)i);
        b += l + 1;
    }
    return JD_OK;
}

/* The lookups of x's entries: by person_id (so that a page naming many
 * people looks each up in O(log n): the work queues name every alert's
 * subject), ids in lower case, refs and dates of birth, each sorted, and
 * the name words. */
static int index_finish(jd_person_index *x)
{
    if (sorted_alloc(x) < 0)
        return JD_ENOMEM;
    for (size_t i = 0; i < x->n; i++) {
        x->by_id[i] = i;
        for (size_t j = 0; j < x->p[i].n_refs; j++)
            x->refs[x->n_refs++] = skey_of(x->p[i].refs[j].person_ref, (uint32_t)i);
        x->by_dob[i] = (uint32_t)i;
    }
    qsort_r(x->by_id, x->n, sizeof *x->by_id, cmp_by_id, x);
    qsort(x->ids_lower, x->n, sizeof *x->ids_lower, cmp_skey);
    qsort(x->refs, x->n_refs, sizeof *x->refs, cmp_skey);
    qsort_r(x->by_dob, x->n, sizeof *x->by_dob, cmp_dob, x);
    return search_index(x);
}

/* The store's highest mention id, read before the rows (a mention ingested
 * meanwhile is read again by the next patch); -1 when the store cannot say. */
static int mention_max(jd_store *s, int64_t *out, jd_error *err)
{
    const struct jd_incr_ops *io = s->ops->incr;
    *out = -1;
    return io && io->mention_max ? io->mention_max(s, out, err) : JD_OK;
}

int jd_person_index_open(jd_person_index **out, jd_store *s, jd_error *err)
{
    if (!out || !s)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    jd_person_index *x = calloc(1, sizeof *x);
    if (!x)
        return jd_oom(err);
    int rc = mention_max(s, &x->mention_max, err);
    if (rc == JD_OK)
        rc = s->ops->identity_rows(s, on_row, x, err);
    if (rc == JD_ENOMEM)
        jd_oom(err);
    if (rc < 0) {
        jd_person_index_close(x);
        return rc;
    }
    if (index_finish(x) < 0) {
        jd_person_index_close(x);
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    }
    *out = x;
    return JD_OK;
}

/* ---- a patch for the identities a resolve changed ---- */

typedef struct pids {
    jd_strmap map; /* person_id -> 1 */
    const char **v;
    size_t n, cap;
} pids;

static int pid_add(const char *person_id, void *payload)
{
    pids *P = payload;
    bool added;
    if (!jd_strmap_put(&P->map, person_id, strlen(person_id), 1, &added))
        return JD_ENOMEM;
    if (added && (jd_grow((void **)&P->v, &P->cap, P->n + 1, sizeof *P->v) < 0 ||
                  !(P->v[P->n++] = strdup(person_id))))
        return JD_ENOMEM;
    return JD_OK;
}

static size_t by_id_lower(const jd_person_index *x, const char *person);

/* Old's entries of person_id id give way (drop). */
static void drop_id(const jd_person_index *old, const char *id, bool *drop)
{
    for (size_t k = by_id_lower(old, id);
         k < old->n && !strcmp(old->p[old->by_id[k]].person_id, id); k++)
        drop[old->by_id[k]] = true;
}

/* The old entries that give way to the fresh rows (drop): those of a
 * person_id read again (P) and the unresolved ones ("U:AGENCY:REF") of a
 * ref a fresh entry holds, found by old's by_id (a few thousand lookups,
 * not a hash of every old entry's id). */
static void mark_drops(const pids *P, const jd_person_index *f, const jd_person_index *old,
                       bool *drop)
{
    char uid[UID_MAX];
    for (size_t i = 0; i < P->n; i++)
        drop_id(old, P->v[i], drop);
    for (size_t i = 0; i < f->n; i++)
        for (size_t j = 0; j < f->p[i].n_refs; j++) {
            int l = snprintf(uid, sizeof uid, "U:%s:%s", f->p[i].refs[j].agency,
                             f->p[i].refs[j].person_ref);
            if (l > 0 && (size_t)l < sizeof uid)
                drop_id(old, uid, drop);
        }
}

/* identity_rows' order: resolved entries by identity row id, then the
 * unresolved (row 0, one ref each) by (agency, person_ref). */
static bool entry_before(const pentry *a, const pentry *b)
{
    if (a->row || b->row)
        return a->row && (!b->row || a->row < b->row);
    int c = strcmp(a->refs[0].agency, b->refs[0].agency);
    return (c ? c : strcmp(a->refs[0].person_ref, b->refs[0].person_ref)) < 0;
}

/* x's entries: old's kept ones and f's, merged in identity_rows' order
 * (entry_before).
 * x->given marks those taken from old (onew[i]: where old's entry i went;
 * left UINT32_MAX for one replaced); f's are moved out of f. */
static int merge_entries(jd_person_index *x, const jd_person_index *old, jd_person_index *f,
                         const bool *drop, uint32_t *onew)
{
    size_t cap = old->n + f->n;
    x->p = malloc((cap ? cap : 1) * sizeof *x->p);
    x->given = calloc(cap ? cap : 1, sizeof *x->given);
    if (!x->p || !x->given)
        return JD_ENOMEM;
    x->cap = cap;
    size_t i = 0, j = 0;
    while (i < old->n || j < f->n) {
        const pentry *a = i < old->n ? &old->p[i] : NULL;
        if (a && drop[i]) {
            i++;
            continue;
        }
        bool take_old = a && (j == f->n || entry_before(a, &f->p[j]));
        if (take_old) {
            x->given[x->n] = true;
            onew[i] = (uint32_t)x->n;
            x->p[x->n++] = old->p[i++];
        } else {
            x->p[x->n++] = f->p[j];
            memset(&f->p[j++], 0, sizeof *f->p); /* now x's */
        }
    }
    f->n = 0;
    return JD_OK;
}

/* How many of sorted run a's first na elements are not above y (cmp with
 * ctx): a galloping search, 1, 2, 4... then a binary one, so that a merge
 * of a few elements into a long run compares O(nb log na), not O(na). */
static size_t run_upto(const char *a, size_t na, const void *y, size_t sz,
                       int (*cmp)(const void *, const void *, void *), void *ctx)
{
    size_t lo = 0, k = 1;
    while (k <= na && cmp(a + (k - 1) * sz, y, ctx) <= 0) {
        lo = k;
        k *= 2;
    }
    size_t hi = k - 1 < na ? k - 1 : na;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(a + mid * sz, y, ctx) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* out[0 .. na+nb): sorted runs a and b merged (cmp with ctx; a first on a
 * tie); a's stretches between b's elements copied whole. */
static void merge_runs(void *out, const void *a, size_t na, const void *b, size_t nb, size_t sz,
                       int (*cmp)(const void *, const void *, void *), void *ctx)
{
    char *o = out;
    const char *x = a, *y = b;
    for (size_t j = 0; j < nb; j++, y += sz) {
        size_t k = run_upto(x, na, y, sz, cmp, ctx);
        memcpy(o, x, k * sz);
        o += k * sz;
        x += k * sz;
        na -= k;
        memcpy(o, y, sz);
        o += sz;
    }
    memcpy(o, x, na * sz);
}

static int cmp_skey_r(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return cmp_skey(a, b);
}

/* A sorted lookup of x into v as a sort of x's entries would make it: the
 * kept entries' elements as old's sorted array holds them (renumbered:
 * they keep their order in x, so the run stays sorted) merged with the
 * new entries' (fresh), which alone are sorted. */
typedef struct remap {
    size_t nkept, nnew; /* elements of the array being made */
} remap;

static int lookups_merge(remap *m, void *v, const void *kept, void *fresh, size_t sz,
                         int (*cmp)(const void *, const void *, void *), void *ctx)
{
    qsort_r(fresh, m->nnew, sz, cmp, ctx);
    merge_runs(v, kept, m->nkept, fresh, m->nnew, sz, cmp, ctx);
    return JD_OK;
}

/* ---- the search's name words of a patched index, from the old one's ---- */

/* old's number of the word w[0..l) (a search of by_word), or UINT32_MAX. */
static uint32_t word_find(const jd_person_index *old, const char *w, size_t l)
{
    size_t lo = 0, hi = old->nwords;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const nword *m = &old->words[old->by_word[mid]];
        if (word_order(m->w, m->len, w, l) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const nword *m = lo < old->nwords ? &old->words[old->by_word[lo]] : NULL;
    return m && !word_order(m->w, m->len, w, l) ? old->by_word[lo] : UINT32_MAX;
}

/* The words of x's entries as numbers of old's words ("old numbers"; a word
 * old lacks: old->nwords + k), read from old's ew for a kept entry and
 * looked up for a new one, then numbered by first appearance as
 * search_index numbers them: no hash of every entry's words. */
typedef struct wpatch {
    const jd_person_index *old;
    uint32_t *xold;      /* x's entry i: old's entry it was; UINT32_MAX: new */
    uint32_t *fw;        /* the new entries' words (old numbers), entry after entry */
    size_t nfw, cap_fw;
    jd_strmap added;     /* a word old lacks -> k */
    size_t nadded;
    uint32_t *nid, *last; /* per old number: x's number (UINT32_MAX: none yet); search_index's last */
} wpatch;

/* The new entries' words as old numbers (wp->fw). */
static int wpatch_new_words(wpatch *wp, const jd_person_index *x)
{
    size_t l;
    for (size_t i = 0; i < x->n; i++)
        for (const char *at = x->p[i].norm, *w; wp->xold[i] == UINT32_MAX && (w = next_word(&at, &l));) {
            uint32_t id = word_find(wp->old, w, l);
            bool added = false;
            uint32_t *k = id == UINT32_MAX ? jd_strmap_put(&wp->added, w, l, (uint32_t)wp->nadded, &added) : &id;
            if (!k || jd_grow((void **)&wp->fw, &wp->cap_fw, wp->nfw + 1, sizeof *wp->fw) < 0)
                return JD_ENOMEM;
            wp->nadded += added;
            wp->fw[wp->nfw++] = id == UINT32_MAX ? (uint32_t)(wp->old->nwords + *k) : id;
        }
    return JD_OK;
}

/* Entry i's words as old numbers: *n of them at the result; *cur walks fw. */
static const uint32_t *wpatch_span(const wpatch *wp, const jd_person_index *x, size_t i, size_t *cur, size_t *n)
{
    uint32_t t = wp->xold[i];
    if (t != UINT32_MAX) {
        *n = wp->old->ew_off[t + 1] - wp->old->ew_off[t];
        return wp->old->ew + wp->old->ew_off[t];
    }
    size_t l, c = 0;
    for (const char *at = x->p[i].norm; next_word(&at, &l);)
        c++;
    *n = c;
    *cur += c;
    return wp->fw + *cur - c;
}

/* A word first seen at word k of entry i (old number t): x's next word. */
static int wpatch_add(wpatch *wp, jd_person_index *x, size_t *cap, size_t i, size_t k, uint32_t t)
{
    if (jd_grow((void **)&x->words, cap, x->nwords + 1, sizeof *x->words) < 0)
        return JD_ENOMEM;
    const char *at = x->p[i].norm, *w = NULL;
    size_t l = 0;
    for (size_t j = 0; j <= k; j++)
        w = next_word(&at, &l);
    nword *nw = &x->words[x->nwords];
    *nw = (nword){w, (uint32_t)l, 0, 0, "", ""};
    if (t < wp->old->nwords) {
        memcpy(nw->pa, wp->old->words[t].pa, sizeof nw->pa);
        memcpy(nw->pb, wp->old->words[t].pb, sizeof nw->pb);
    } else {
        jd_phon__double_metaphone(w, l, nw->pa, nw->pb);
    }
    wp->nid[t] = (uint32_t)x->nwords++;
    return JD_OK;
}

/* search_index's pass 1 by old numbers: x's words numbered and counted;
 * *all: words of all names, repeats included. */
static int wpatch_count(wpatch *wp, jd_person_index *x, size_t *all)
{
    size_t cap = 0, cur = 0, n;
    for (size_t i = 0; i < x->n; i++) {
        const uint32_t *sp = wpatch_span(wp, x, i, &cur, &n);
        for (size_t k = 0; k < n; k++) {
            if (wp->nid[sp[k]] == UINT32_MAX && wpatch_add(wp, x, &cap, i, k, sp[k]) < 0)
                return JD_ENOMEM;
            uint32_t id = wp->nid[sp[k]];
            if (wp->last[id] != i + 1) {
                wp->last[id] = (uint32_t)i + 1;
                x->words[id].count++;
            }
        }
        *all += n;
    }
    return JD_OK;
}

/* search_index's pass 2 by old numbers: post, ew and ew_off. */
static void wpatch_post(wpatch *wp, jd_person_index *x)
{
    size_t cur = 0, n, n_ew = 0;
    for (size_t i = 0; i < x->n; i++) {
        const uint32_t *sp = wpatch_span(wp, x, i, &cur, &n);
        for (size_t k = 0; k < n; k++) {
            uint32_t id = wp->nid[sp[k]];
            nword *nw = &x->words[id];
            x->ew[n_ew++] = id;
            if (wp->last[id] != i + 1) {
                wp->last[id] = (uint32_t)i + 1;
                x->post[nw->first + nw->count++] = (uint32_t)i;
            }
        }
        x->ew_off[i + 1] = (uint32_t)n_ew;
    }
}

/* search_index for patched x, from old's words (onew: where old's entry
 * went, UINT32_MAX replaced). Equal to search_index's result. */
static int search_index_patch(jd_person_index *x, const jd_person_index *old, const uint32_t *onew)
{
    wpatch wp = {.old = old};
    jd_strmap_init(&wp.added);
    int rc = (wp.xold = malloc((x->n ? x->n : 1) * sizeof *wp.xold)) ? JD_OK : JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < x->n; i++)
        wp.xold[i] = UINT32_MAX;
    for (size_t t = 0; rc == JD_OK && t < old->n; t++)
        if (onew[t] != UINT32_MAX)
            wp.xold[onew[t]] = (uint32_t)t;
    if (rc == JD_OK)
        rc = wpatch_new_words(&wp, x);
    size_t nold = old->nwords + wp.nadded, all = 0;
    if (rc == JD_OK && (!(wp.nid = malloc((nold ? nold : 1) * sizeof *wp.nid)) ||
                        !(wp.last = calloc(nold ? nold : 1, sizeof *wp.last))))
        rc = JD_ENOMEM;
    for (size_t t = 0; rc == JD_OK && t < nold; t++)
        wp.nid[t] = UINT32_MAX;
    if (rc == JD_OK)
        rc = wpatch_count(&wp, x, &all);
    if (rc == JD_OK)
        rc = words_place(x, wp.last, all);
    if (rc == JD_OK)
        wpatch_post(&wp, x);
    free(wp.xold);
    free(wp.fw);
    free(wp.nid);
    free(wp.last);
    jd_strmap_free(&wp.added);
    return rc < 0 ? rc : word_index(x);
}

/* The lookups of patched x (index_finish's), from old's sorted ones where
 * they can be: sorting only the patched entries' (a few thousand) instead
 * of every entry's. */
static int index_finish_patch(jd_person_index *x, const jd_person_index *old, const uint32_t *onew)
{
    if (sorted_alloc(x) < 0)
        return JD_ENOMEM;
    size_t nref = 0;
    for (size_t i = 0; i < x->n; i++)
        nref += x->p[i].n_refs;
    size_t big = (nref > x->n ? nref : x->n) + 1;
    void *kept = malloc(big * sizeof(skey)), *fresh = malloc(big * sizeof(skey));
    int rc = kept && fresh ? JD_OK : JD_ENOMEM;
    remap m = {0, 0};
    if (rc == JD_OK) { /* by person_id */
        size_t *k = kept, *f = fresh;
        for (size_t t = 0; t < old->n; t++)
            if (onew[old->by_id[t]] != UINT32_MAX)
                k[m.nkept++] = onew[old->by_id[t]];
        for (size_t i = 0; i < x->n; i++)
            if (!x->given[i])
                f[m.nnew++] = i;
        rc = lookups_merge(&m, x->by_id, kept, fresh, sizeof(size_t), cmp_by_id, x);
    }
    if (rc == JD_OK) { /* ids in lower case: sorted_alloc wrote entry i's at i */
        skey *k = kept, *f = fresh;
        m.nkept = m.nnew = 0;
        for (size_t t = 0; t < old->n; t++)
            if (onew[old->ids_lower[t].entry] != UINT32_MAX)
                k[m.nkept++] = x->ids_lower[onew[old->ids_lower[t].entry]];
        for (size_t i = 0; i < x->n; i++)
            if (!x->given[i])
                f[m.nnew++] = x->ids_lower[i];
        rc = lookups_merge(&m, x->ids_lower, kept, fresh, sizeof(skey), cmp_skey_r, NULL);
    }
    if (rc == JD_OK) { /* refs: their strings are the entries', taken over */
        skey *k = kept, *f = fresh;
        m.nkept = m.nnew = 0;
        for (size_t t = 0; t < old->n_refs; t++)
            if (onew[old->refs[t].entry] != UINT32_MAX)
                k[m.nkept++] = (skey){old->refs[t].key, onew[old->refs[t].entry], old->refs[t].pre};
        for (size_t i = 0; i < x->n; i++)
            for (size_t j = 0; !x->given[i] && j < x->p[i].n_refs; j++)
                f[m.nnew++] = skey_of(x->p[i].refs[j].person_ref, (uint32_t)i);
        x->n_refs = m.nkept + m.nnew;
        rc = lookups_merge(&m, x->refs, kept, fresh, sizeof(skey), cmp_skey_r, NULL);
    }
    if (rc == JD_OK) { /* dates of birth */
        uint32_t *k = kept, *f = fresh;
        m.nkept = m.nnew = 0;
        for (size_t t = 0; t < old->n; t++)
            if (onew[old->by_dob[t]] != UINT32_MAX)
                k[m.nkept++] = onew[old->by_dob[t]];
        for (size_t i = 0; i < x->n; i++)
            if (!x->given[i])
                f[m.nnew++] = (uint32_t)i;
        rc = lookups_merge(&m, x->by_dob, kept, fresh, sizeof(uint32_t), cmp_dob, x);
    }
    free(kept);
    free(fresh);
    return rc < 0 ? rc : search_index_patch(x, old, onew);
}

/* jd_person_index_patch; sort: the lookups sorted over every entry
 * (index_finish) rather than the old index's merged (index_finish_patch). */
static int index_patch(jd_person_index *old, jd_store *s, int64_t after, int64_t upto,
                       jd_person_index **out, size_t *patched, bool sort, jd_error *err)
{
    if (!old || !s || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (patched)
        *patched = SIZE_MAX;
    const struct jd_incr_ops *io = s->ops->incr;
    if (!io || !io->persons_changed || !io->identity_rows_of || !io->unresolved_rows_after ||
        !io->persons_mentioned_after || old->mention_max < 0)
        return jd_person_index_open(out, s, err);
    pids P = {0};
    jd_strmap_init(&P.map);
    bool whole = false;
    jd_person_index *f = calloc(1, sizeof *f), *x = calloc(1, sizeof *x);
    int rc = f && x ? io->persons_changed(s, after, upto, &whole, pid_add, &P, err) : JD_ENOMEM;
    if (rc == JD_OK && !whole)
        rc = mention_max(s, &x->mention_max, err);
    /* identities with mentions since old was built: their name or date of
     * birth may come from those (an identity without them) */
    if (rc == JD_OK && !whole)
        rc = io->persons_mentioned_after(s, old->mention_max, pid_add, &P, err);
    if (rc == JD_OK && !whole)
        rc = io->identity_rows_of(s, P.v, P.n, on_row, f, err);
    /* refs of mentions ingested since old was built that no identity holds:
     * in neither old nor identity_change (an old entry of such a ref gives
     * way to its fresh row, mark_drops) */
    if (rc == JD_OK && !whole)
        rc = io->unresolved_rows_after(s, old->mention_max, on_row, f, err);
    uint32_t *onew = rc == JD_OK && !whole ? malloc((old->n ? old->n : 1) * sizeof *onew) : NULL;
    bool *drop = onew ? calloc(old->n ? old->n : 1, sizeof *drop) : NULL;
    if (rc == JD_OK && !whole && !drop)
        rc = JD_ENOMEM;
    for (size_t i = 0; onew && i < old->n; i++)
        onew[i] = UINT32_MAX;
    if (rc == JD_OK && !whole)
        mark_drops(&P, f, old, drop);
    if (rc == JD_OK && !whole && (rc = merge_entries(x, old, f, drop, onew)) == JD_OK &&
        (sort ? index_finish(x) : index_finish_patch(x, old, onew)) < 0)
        rc = JD_ENOMEM;
    free(onew);
    free(drop);
    for (size_t i = 0; i < P.n; i++)
        free((char *)P.v[i]);
    free(P.v);
    jd_strmap_free(&P.map);
    jd_person_index_close(f);
    if (rc == JD_OK && !whole) {
        /* done: the kept entries are x's now (old stays readable until closed) */
        if (!old->given && !(old->given = calloc(old->n ? old->n : 1, sizeof *old->given)))
            rc = JD_ENOMEM;
        for (size_t i = 0, k = 0; rc == JD_OK && i < x->n; i++)
            if (x->given[i]) {
                while (old->p[k].person_id != x->p[i].person_id)
                    k++;
                old->given[k] = true;
            }
        if (rc == JD_OK) {
            free(x->given);
            x->given = NULL;
            if (patched)
                *patched = P.n;
        }
    }
    if (rc < 0 || whole) {
        jd_person_index_close(x);
        if (rc == JD_ENOMEM)
            jd_oom(err);
        return rc < 0 ? rc : jd_person_index_open(out, s, err);
    }
    *out = x;
    return JD_OK;
}

int jd_person_index_patch(jd_person_index *old, jd_store *s, int64_t after, int64_t upto,
                          jd_person_index **out, size_t *patched, jd_error *err)
{
    return index_patch(old, s, after, upto, out, patched, false, err);
}

int jd_person_index__patch_sorted(jd_person_index *old, jd_store *s, int64_t after,
                                  int64_t upto, jd_person_index **out, size_t *patched,
                                  jd_error *err)
{
    return index_patch(old, s, after, upto, out, patched, true, err);
}

static bool same_str(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static bool skeys_equal(const skey *a, const skey *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].entry != b[i].entry || a[i].pre != b[i].pre || strcmp(a[i].key, b[i].key))
            return false;
    return true;
}

/* The name words of two indexes with equal entries: the same words, codes,
 * letters and entries, numbered alike, and the same words per entry. */
static bool words_equal(const jd_person_index *a, const jd_person_index *b)
{
    for (size_t w = 0; w < a->nwords; w++) {
        const nword *x = &a->words[w], *y = &b->words[w];
        if (word_order(x->w, x->len, y->w, y->len) || x->first != y->first ||
            x->count != y->count || strcmp(x->pa, y->pa) || strcmp(x->pb, y->pb) ||
            a->wmask[w] != b->wmask[w])
            return false;
    }
    size_t total = a->nwords ? a->words[a->nwords - 1].first + a->words[a->nwords - 1].count : 0;
    return !memcmp(a->post, b->post, total * sizeof *a->post) &&
           !memcmp(a->ew_off, b->ew_off, (a->n + 1) * sizeof *a->ew_off) &&
           !memcmp(a->ew, b->ew, a->ew_off[a->n] * sizeof *a->ew);
}

/* The sorted lookups (by id, lower-case ids, refs, dates of birth, name
 * words in byte order) of two indexes with equal entries. */
static bool lookups_equal(const jd_person_index *a, const jd_person_index *b)
{
    if (a->n_refs != b->n_refs || a->nwords != b->nwords || a->n_codes != b->n_codes ||
        !skeys_equal(a->ids_lower, b->ids_lower, a->n) ||
        !skeys_equal(a->refs, b->refs, a->n_refs) ||
        !skeys_equal(a->by_code, b->by_code, a->n_codes))
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->by_id[i] != b->by_id[i] || a->by_dob[i] != b->by_dob[i])
            return false;
    for (size_t w = 0; w < a->nwords; w++)
        if (a->by_word[w] != b->by_word[w])
            return false;
    return words_equal(a, b);
}

bool jd_person_index_equal(const jd_person_index *a, const jd_person_index *b)
{
    if (!a || !b || a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const pentry *x = &a->p[i], *y = &b->p[i];
        if (strcmp(x->person_id, y->person_id) || strcmp(x->name, y->name) ||
            strcmp(x->dob, y->dob) || strcmp(x->norm, y->norm) || x->is_child != y->is_child ||
            x->n_refs != y->n_refs)
            return false;
        for (size_t j = 0; j < x->n_refs; j++)
            if (!same_str(x->refs[j].agency, y->refs[j].agency) ||
                !same_str(x->refs[j].person_ref, y->refs[j].person_ref))
                return false;
    }
    return lookups_equal(a, b);
}

size_t jd_person_index_size(const jd_person_index *x)
{
    return x ? x->n : 0;
}

static void summary(const pentry *e, double score, jd_person_summary *o)
{
    *o = (jd_person_summary){.person_id = e->person_id,
                             .name = e->name,
                             .dob = e->dob,
                             .is_child = e->is_child,
                             .refs = e->refs,
                             .n_refs = e->n_refs,
                             .score = score};
}

static bool ref_is(const jd_ref *r, const char *q)
{
    size_t al = strlen(r->agency);
    if (!strncasecmp(q, r->agency, al) && q[al] == ':' && !strcmp(q + al + 1, r->person_ref))
        return true;
    return false;
}

/* The first position in by_id whose person id is not below person. */
static size_t by_id_lower(const jd_person_index *x, const char *person)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->p[x->by_id[mid]].person_id, person) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first entry (in entry order, as a scan of every entry finds it) whose
 * person_id is `person` or that holds a ref "AGENCY:REF" equal to it, by
 * the sorted lookups: by_id, and refs for the part after each ':' (REF may
 * hold a ':' too). SIZE_MAX: none. A work queue or the concerns' list looks
 * up subjects such as "call_handling:CH1" or "exploitation_network:N000001"
 * one by one: a scan of every entry each was 0.3-0.6 s of CPU for the
 * concerns' list of the 1M-event county (issue 17). */
static size_t ref_entry(const jd_person_index *x, const char *person)
{
    size_t first = SIZE_MAX, lo = by_id_lower(x, person);
    for (; lo < x->n && !strcmp(x->p[x->by_id[lo]].person_id, person); lo++)
        if (x->by_id[lo] < first)
            first = x->by_id[lo];
    for (const char *col = strchr(person, ':'); col; col = strchr(col + 1, ':')) {
        for (size_t k = skey_lower(x->refs, x->n_refs, col + 1);
             k < x->n_refs && !strcmp(x->refs[k].key, col + 1); k++) {
            const pentry *e = &x->p[x->refs[k].entry];
            if (x->refs[k].entry >= first)
                continue;
            for (size_t j = 0; j < e->n_refs; j++)
                if (ref_is(&e->refs[j], person)) {
                    first = x->refs[k].entry;
                    break;
                }
        }
    }
    return first;
}

int jd_person_index_get(const jd_person_index *x, const char *person, jd_person_summary *out)
{
    if (!x || !person || !out)
        return JD_EINVALID;
    if (!strchr(person, ':') && x->by_id) { /* a person id: only ids can match */
        size_t lo = by_id_lower(x, person);
        if (lo < x->n && !strcmp(x->p[x->by_id[lo]].person_id, person)) {
            summary(&x->p[x->by_id[lo]], 1, out);
            return JD_OK;
        }
        return JD_ENOTFOUND;
    }
    if (x->by_id && x->refs) {
        size_t first = ref_entry(x, person);
        if (first == SIZE_MAX)
            return JD_ENOTFOUND;
        summary(&x->p[first], 1, out);
        return JD_OK;
    }
    return jd_person_index__get_scan(x, person, out);
}

int jd_person_index__get_scan(const jd_person_index *x, const char *person, jd_person_summary *out)
{
    for (size_t i = 0; i < x->n; i++) {
        const pentry *e = &x->p[i];
        if (!strcmp(e->person_id, person)) {
            summary(e, 1, out);
            return JD_OK;
        }
        for (size_t j = 0; j < e->n_refs; j++)
            if (ref_is(&e->refs[j], person)) {
                summary(e, 1, out);
                return JD_OK;
            }
    }
    return JD_ENOTFOUND;
}

/* "DD/MM/YYYY" -> "YYYY-MM-DD"; "YYYY-MM-DD" kept; else false. */
static bool as_date(const char *q, char out[11])
{
    int d, m, y;
    char tail;
    if (sscanf(q, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 ||
        sscanf(q, "%2d/%2d/%4d%c", &d, &m, &y, &tail) == 3) {
        if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
            return false;
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
        return true;
    }
    return false;
}

/* Do two name words sound alike (Double Metaphone, either code)? */
static bool sounds_alike(const char *a, size_t al, const char *b, size_t bl)
{
    char ap[JD_PHON_MAX + 1], aa[JD_PHON_MAX + 1], bp[JD_PHON_MAX + 1], ba[JD_PHON_MAX + 1];
    jd_phon__double_metaphone(a, al, ap, aa);
    jd_phon__double_metaphone(b, bl, bp, ba);
    if (!*ap || !*bp)
        return false;
    return !strcmp(ap, bp) || !strcmp(ap, ba) || !strcmp(aa, bp) || !strcmp(aa, ba);
}

/* How well one query word matches one name word, 0 to 1: Jaro-Winkler; a
 * prefix of three letters or more ("Rebec"), an initial ("W") or a word
 * that sounds the same and is spelt close ("Eva" for "Ava") counts 0.9. */
static double word_score(const char *q, size_t ql, const char *n, size_t nl)
{
    double s = jd_cmp__jaro_winkler(q, ql, n, nl);
    if (s >= 0.9)
        return s;
    if (ql < nl && !strncmp(q, n, ql) && (ql >= 3 || ql == 1))
        return 0.9;
    if (s >= 0.6 && ql >= 2 && sounds_alike(q, ql, n, nl))
        return 0.9;
    return s;
}

/* Score of the query words against the name words: every query word must
 * match one name word; the score is their mean similarity. An initial
 * counts only as the last word ("Ava W"), never alone. */
static double name_score(const char *qn, const char *nn)
{
    if (!*qn || !*nn)
        return 0;
    double sum = 0;
    int words = 0, long_words = 0;
    const char *q = qn;
    while (*q) {
        while (*q == ' ')
            q++;
        size_t ql = strcspn(q, " ");
        if (!ql)
            break;
        double best = 0;
        const char *n = nn;
        while (*n) {
            while (*n == ' ')
                n++;
            size_t nl = strcspn(n, " ");
            if (!nl)
                break;
            double s = word_score(q, ql, n, nl);
            if (s > best)
                best = s;
            n += nl;
        }
        if (best < 0.85)
            return 0;
        sum += best;
        words++;
        long_words += ql > 1;
        q += ql;
    }
    return long_words ? sum / words : 0;
}

/* Split a query into a date of birth (the first word that is one) and the
 * rest: "Ava Wilson 16/03/1993" -> "1993-03-16" and "Ava Wilson". */
static bool split_date(const char *q, char date[11], char *rest, size_t cap)
{
    bool found = false;
    size_t o = 0;
    rest[0] = '\0';
    const char *p = q;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t l = strcspn(p, " ,");
        if (!l)
            break;
        char w[32];
        if (!found && l < sizeof w) {
            memcpy(w, p, l);
            w[l] = '\0';
            if (as_date(w, date)) {
                found = true;
                p += l;
                continue;
            }
        }
        if (o + l + 2 < cap) {
            if (o)
                rest[o++] = ' ';
            memcpy(rest + o, p, l);
            o += l;
            rest[o] = '\0';
        }
        p += l;
    }
    return found;
}

typedef struct hit {
    size_t i;
    double score;
} hit;

static int by_score(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* A parsed query: trimmed, its date of birth and its normalised name words. */
typedef struct pquery {
    char q[NAME_NORM_MAX], date[11], qn[NAME_NORM_MAX];
    bool is_date;
    /* false when no id or ref is the query (candidates found none): the
     * index search then skips those comparisons on each of its candidates
     * (25% of a name search's CPU on the 1M county, strcasecmp) */
    bool may_be_key;
} pquery;

static bool parse_query(const char *query, pquery *Q)
{
    size_t ql = strlen(query);
    while (ql && query[ql - 1] == ' ')
        ql--;
    while (ql && *query == ' ')
        query++, ql--;
    if (!ql || ql >= NAME_NORM_MAX)
        return false;
    memcpy(Q->q, query, ql);
    Q->q[ql] = '\0';
    Q->may_be_key = true; /* until the index search's candidates say otherwise */
    char rest[NAME_NORM_MAX];
    Q->is_date = split_date(Q->q, Q->date, rest, sizeof rest);
    if (!Q->is_date)
        snprintf(rest, sizeof rest, "%s", Q->q);
    if (!*rest || jd_names__normalise(Q->qn, sizeof Q->qn, rest, strlen(rest)) < 0)
        Q->qn[0] = '\0';
    return true;
}

/* Keep the best `max` in h[0..*nh), in by_score order. */
static void keep_hit(hit *h, size_t *nh, size_t max, size_t i, double s)
{
    hit x = {i, s};
    if (*nh == max && by_score(&x, &h[*nh - 1]) >= 0)
        return;
    size_t lo = 0, hi = *nh;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_score(&h[mid], &x) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = *nh < max ? *nh + 1 : max;
    memmove(&h[lo + 1], &h[lo], (n - 1 - lo) * sizeof *h);
    h[lo] = x;
    *nh = n;
}

static size_t emit(const jd_person_index *x, hit *h, size_t nh, jd_person_summary *out)
{
    for (size_t k = 0; k < nh; k++)
        summary(&x->p[h[k].i], h[k].score, &out[k]);
    free(h);
    return nh;
}

/* word_score against a name word of the index, its codes made once. */
static double word_score_ix(const char *q, size_t ql, const char *qa, const char *qb,
                            const nword *w)
{
    double s = jd_cmp__jaro_winkler(q, ql, w->w, w->len);
    if (s >= 0.9)
        return s;
    if (ql < w->len && !strncmp(q, w->w, ql) && (ql >= 3 || ql == 1))
        return 0.9;
    if (s >= 0.6 && ql >= 2 && *qa && *w->pa &&
        (!strcmp(qa, w->pa) || !strcmp(qa, w->pb) || !strcmp(qb, w->pa) || !strcmp(qb, w->pb)))
        return 0.9;
    return s;
}

typedef struct cands {
    uint32_t *v;
    size_t n, cap;
} cands;

static int cand_add(cands *c, const uint32_t *e, size_t n)
{
    if (jd_grow((void **)&c->v, &c->cap, c->n + n + 1, sizeof *c->v) < 0)
        return JD_ENOMEM;
    memcpy(c->v + c->n, e, n * sizeof *e);
    c->n += n;
    return JD_OK;
}

/* Entries with key equal to `key` in a sorted skey array. */
static int cand_key(cands *c, const skey *k, size_t n, const char *key)
{
    size_t lo = skey_lower(k, n, key);
    for (; lo < n && !strcmp(k[lo].key, key); lo++)
        if (cand_add(c, &k[lo].entry, 1) < 0)
            return JD_ENOMEM;
    return JD_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The entries that can score above 0: those whose id or a ref is the
 * query, whose date of birth is the query's, or (a name query) whose name
 * holds a word close enough (0.85) to one query word, the word with the
 * fewest entries; name_score needs such a word for every query word. */
/* The scores of each query word against each distinct name word
 * (word_score), made once per search: sc[k * nwords + w]. */
typedef struct qscores {
    double *sc;
    size_t nq;
    size_t ql[NAME_NORM_MAX];
} qscores;

/* name_score of entry i from the table: the same sums in the same order. */
static double name_score_ix(const jd_person_index *x, size_t i, const qscores *T)
{
    uint32_t a = x->ew_off[i], b = x->ew_off[i + 1];
    if (!T->nq || a == b)
        return 0;
    double sum = 0;
    int words = 0, long_words = 0;
    for (size_t k = 0; k < T->nq; k++) {
        const double *row = T->sc + k * x->nwords;
        double best = 0;
        for (uint32_t j = a; j < b; j++)
            if (row[x->ew[j]] > best)
                best = row[x->ew[j]];
        if (best < 0.85)
            return 0;
        sum += best;
        words++;
        long_words += T->ql[k] > 1;
    }
    return long_words ? sum / words : 0;
}

/* The score of entry i for the query (0 or less: no match): its person_id
 * or a ref, else its date of birth and name. Names are compared through the
 * query's word table T (the index search) or, T NULL, word by word (the
 * reference scan). */
static double entry_score(const jd_person_index *x, size_t i, const pquery *Q,
                          const qscores *T)
{
    const pentry *e = &x->p[i];
    double s = 0;
    if (Q->may_be_key && !strcasecmp(e->person_id, Q->q))
        s = 1;
    for (size_t j = 0; Q->may_be_key && s < 1 && j < e->n_refs; j++)
        if (ref_is(&e->refs[j], Q->q) || !strcmp(e->refs[j].person_ref, Q->q))
            s = 1;
    if (s < 1 && Q->is_date) {
        /* a date of birth alone, or with a name that must match too */
        if (strcmp(e->dob, Q->date) != 0)
            return 0;
        s = !*Q->qn ? 0.95 : T ? name_score_ix(x, i, T) : name_score(Q->qn, e->norm);
    } else if (s == 0 && *Q->qn) {
        s = T ? name_score_ix(x, i, T) : name_score(Q->qn, e->norm);
    }
    return s;
}

/* A score of 0.85 or more (all that name_score_ix and candidates read: a
 * best word under it makes no match) comes from one of word_score_ix's
 * three rules: Jaro-Winkler >= 0.85, the query word a prefix of the name
 * word, or the two sounding alike (with Jaro-Winkler >= 0.6). So a query
 * word is scored only against the words the index gives for them: the
 * prefix's range of by_word, the equal codes of by_code, and the words
 * whose letters allow Jaro-Winkler 0.85 (may_reach: Jaro is at most
 * (m/ql + m/wl + 1) / 3 with m its matches, at most the letters the words
 * share: the bits of wmask both have plus the query's repeated letters,
 * and Jaro-Winkler at most that raised by the common prefix). Every other
 * word scores under 0.85 and is left 0: the answers are those of scoring
 * every word (test_query, search_index_equals_scan). */
static void score_word(const jd_person_index *x, double *row, uint32_t w, const char *q,
                       size_t ql, const char *qa, const char *qb)
{
    row[w] = word_score_ix(q, ql, qa, qb, &x->words[w]);
}

static bool may_reach(const char *q, size_t ql, uint32_t qm, size_t slack, const nword *w,
                      uint32_t wm)
{
    size_t al = ql > JD_CMP_MAX ? JD_CMP_MAX : ql, bl = w->len > JD_CMP_MAX ? JD_CMP_MAX : w->len;
    if (!al || !bl)
        return true;
    size_t m = (size_t)__builtin_popcount(qm & wm) + slack;
    if (m > al)
        m = al;
    if (m > bl)
        m = bl;
    double j = ((double)m / (double)al + (double)m / (double)bl + 1.0) / 3.0;
    if (j > 1.0)
        j = 1.0;
    /* the bound with the longest prefix first: most words fail it without
     * their letters being read (a cache miss each, most of a search) */
    size_t lmax = al < bl ? al : bl;
    lmax = lmax < 4 ? lmax : 4;
    if (j + (double)lmax * 0.1 * (1.0 - j) < 0.85 - 1e-9)
        return false;
    size_t l = 0;
    while (l < lmax && q[l] == w->w[l])
        l++;
    return j + (double)l * 0.1 * (1.0 - j) >= 0.85 - 1e-9;
}

static void word_cands(const jd_person_index *x, double *row, const char *q, size_t ql,
                       const char *qa, const char *qb)
{
    /* the prefix rule: the words that start with q and are longer */
    if (ql >= 3 || ql == 1) {
        size_t lo = 0, hi = x->nwords;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const nword *w = &x->words[x->by_word[mid]];
            size_t n = w->len < ql ? w->len : ql;
            int c = memcmp(w->w, q, n);
            if (c < 0 || (c == 0 && w->len < ql))
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < x->nwords; lo++) {
            const nword *w = &x->words[x->by_word[lo]];
            if (w->len < ql || memcmp(w->w, q, ql))
                break;
            score_word(x, row, x->by_word[lo], q, ql, qa, qb);
        }
    }
    /* sounding alike: the words with one of the query's codes */
    const char *codes[2] = {qa, strcmp(qa, qb) ? qb : ""};
    for (int k = 0; k < 2 && ql >= 2; k++) {
        if (!*codes[k])
            continue;
        for (size_t i = skey_lower(x->by_code, x->n_codes, codes[k]);
             i < x->n_codes && !strcmp(x->by_code[i].key, codes[k]); i++)
            score_word(x, row, x->by_code[i].entry, q, ql, qa, qb);
    }
    /* Jaro-Winkler 0.85: the words whose letters allow it */
    uint32_t qm = letters(q, ql);
    size_t slack = ql - (size_t)__builtin_popcount(qm);
    for (size_t w = 0; w < x->nwords; w++)
        if (may_reach(q, ql, qm, slack, &x->words[w], x->wmask[w]))
            score_word(x, row, (uint32_t)w, q, ql, qa, qb);
}

/* The scores of every query word against the index's words (0 where the
 * index says no word rule can reach 0.85). */
static int score_words(const jd_person_index *x, const pquery *Q, qscores *T)
{
    T->nq = 0;
    T->sc = NULL;
    for (const char *q = Q->qn; *q;) {
        while (*q == ' ')
            q++;
        size_t ql = strcspn(q, " ");
        if (!ql)
            break;
        double *n = realloc(T->sc, (T->nq + 1) * (x->nwords ? x->nwords : 1) * sizeof *n);
        if (!n)
            return JD_ENOMEM;
        T->sc = n;
        char qa[JD_PHON_MAX + 1], qb[JD_PHON_MAX + 1];
        jd_phon__double_metaphone(q, ql, qa, qb);
        double *row = T->sc + T->nq * x->nwords;
        memset(row, 0, x->nwords * sizeof *row);
        word_cands(x, row, q, ql, qa, qb);
        T->ql[T->nq++] = ql;
        q += ql;
    }
    return JD_OK;
}

static int candidates(const jd_person_index *x, pquery *Q, const qscores *T, cands *c)
{
    char low[NAME_NORM_MAX];
    size_t l = strlen(Q->q);
    for (size_t k = 0; k <= l; k++)
        low[k] = (char)tolower((unsigned char)Q->q[k]);
    if (cand_key(c, x->ids_lower, x->n, low) < 0 || cand_key(c, x->refs, x->n_refs, Q->q) < 0)
        return JD_ENOMEM;
    for (const char *col = strchr(Q->q, ':'); col; col = strchr(col + 1, ':'))
        if (cand_key(c, x->refs, x->n_refs, col + 1) < 0)
            return JD_ENOMEM;
    Q->may_be_key = c->n > 0; /* each ref's person_ref is in refs: a superset of ref_is */
    if (Q->is_date) {
        size_t lo = 0, hi = x->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(x->p[x->by_dob[mid]].dob, Q->date) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t end = lo;
        while (end < x->n && !strcmp(x->p[x->by_dob[end]].dob, Q->date))
            end++;
        if (cand_add(c, x->by_dob + lo, end - lo) < 0)
            return JD_ENOMEM;
    } else if (T->nq) {
        /* the query word whose close words hold the fewest entries */
        size_t best = 0, best_total = SIZE_MAX;
        for (size_t k = 0; k < T->nq; k++) {
            size_t total = 0;
            const double *row = T->sc + k * x->nwords;
            for (size_t w = 0; w < x->nwords; w++)
                if (row[w] >= 0.85)
                    total += x->words[w].count;
            if (total < best_total) {
                best = k;
                best_total = total;
            }
        }
        const double *row = T->sc + best * x->nwords;
        for (size_t w = 0; w < x->nwords; w++)
            if (row[w] >= 0.85 &&
                cand_add(c, x->post + x->words[w].first, x->words[w].count) < 0)
                return JD_ENOMEM;
    }
    if (c->n)
        qsort(c->v, c->n, sizeof *c->v, cmp_u32);
    return JD_OK;
}

/* The query parsed into *Q and room for max hits (and one more), or NULL on a
 * bad call, an empty query or no memory: both searches return nothing then. */
static hit *search_start(const jd_person_index *x, const char *query,
                         const jd_person_summary *out, size_t max, pquery *Q)
{
    if (!x || !query || !out || !max || !parse_query(query, Q))
        return NULL;
    return malloc((max + 1) * sizeof(hit));
}

size_t jd_person_index__search_scan(const jd_person_index *x, const char *query,
                                    jd_person_summary *out, size_t max)
{
    pquery Q;
    hit *h = search_start(x, query, out, max, &Q);
    if (!h)
        return 0;
    size_t nh = 0;
    for (size_t i = 0; i < x->n; i++) {
        double s = entry_score(x, i, &Q, NULL);
        if (s > 0)
            keep_hit(h, &nh, max, i, s);
    }
    return emit(x, h, nh, out);
}

size_t jd_person_index_search(const jd_person_index *x, const char *query, jd_person_summary *out,
                              size_t max)
{
    pquery Q;
    hit *h = search_start(x, query, out, max, &Q);
    if (!h)
        return 0;
    cands c = {0};
    qscores T;
    if (score_words(x, &Q, &T) < 0 || candidates(x, &Q, &T, &c) < 0) {
        free(T.sc);
        free(c.v);
        free(h);
        return 0;
    }
    size_t nh = 0;
    for (size_t k = 0; k < c.n; k++) {
        if (k && c.v[k] == c.v[k - 1])
            continue;
        double s = entry_score(x, c.v[k], &Q, &T);
        if (s > 0)
            keep_hit(h, &nh, max, c.v[k], s);
    }
    free(T.sc);
    free(c.v);
    return emit(x, h, nh, out);
}

int jd_alerts_stored(jd_store *s, bool *ran, int (*cb)(const char *doc, void *payload),
                     void *payload, jd_error *err)
{
    if (!s || !ran || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return s->ops->alerts_read(s, ran, cb, payload, err);
}

typedef struct since_all {
    int (*cb)(const char *id, const char *doc, void *payload);
    void *payload;
} since_all;

static int since_all_doc(const char *doc, void *payload)
{
    since_all *c = payload;
    return c->cb(NULL, doc, c->payload);
}

int jd_alerts_stored_since(jd_store *s, int64_t run,
                           int (*cb)(const char *id, const char *doc, void *payload),
                           void *payload, jd_error *err)
{
    if (!s || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (s->ops->alerts_since)
        return s->ops->alerts_since(s, run, cb, payload, err);
    bool ran = false;
    since_all c = {cb, payload};
    return s->ops->alerts_read(s, &ran, since_all_doc, &c, err);
}

int jd_query__alerts_about(jd_store *s, const char *person_id,
                           int (*cb)(const char *doc, void *payload), void *payload,
                           jd_error *err)
{
    bool ran = false;
    if (!s || !person_id || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return s->ops->alerts_about ? s->ops->alerts_about(s, person_id, cb, payload, err)
                                : s->ops->alerts_read(s, &ran, cb, payload, err);
}

int jd_alert_acknowledge(jd_store *s, const char *alert_id, const char *by, const char *note,
                         jd_error *err)
{
    if (!s || !s->ops->account)
        return jd_error_set(err, JD_EINVALID, "this store has no acknowledgements");
    if (!alert_id || !*alert_id || strlen(alert_id) > 200 || !by || !*by)
        return jd_error_set(err, JD_EINVALID, "an acknowledgement needs an alert and a user");
    if (!note || !*note || strlen(note) > 1000)
        return jd_error_set(err, JD_EINVALID, "a note of 1 to 1000 characters is needed");
    return s->ops->account->ack_add(s, alert_id, by, note, (int64_t)time(NULL), err);
}

int jd_alert_acks(jd_store *s,
                  int (*cb)(const char *alert_id, const char *by, int64_t at, const char *note,
                            void *payload),
                  void *payload, jd_error *err)
{
    if (!s || !s->ops->account || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    return s->ops->account->ack_list(s, cb, payload, err);
}

/* ---- equality monitoring ---- */

typedef struct eq_group {
    char *ethnicity;
    int64_t children, at_risk;
} eq_group;

typedef struct eq_ctx {
    const char **risk; /* sorted */
    size_t n_risk;
    eq_group *g;
    size_t ng, capg;
    char *pid, *best; /* the child being read and its most frequent value */
    int64_t best_n;
} eq_ctx;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Count the child of x->pid in its group. */
static int eq_flush(eq_ctx *x)
{
    if (!x->pid)
        return JD_OK;
    const char *e = x->best && *x->best ? x->best : "not recorded";
    size_t i = 0;
    while (i < x->ng && strcmp(x->g[i].ethnicity, e) != 0)
        i++;
    if (i == x->ng) {
        if (jd_grow((void **)&x->g, &x->capg, x->ng + 1, sizeof *x->g) < 0)
            return JD_ENOMEM;
        x->g[i] = (eq_group){strdup(e), 0, 0};
        if (!x->g[i].ethnicity)
            return JD_ENOMEM;
        x->ng++;
    }
    x->g[i].children++;
    const char *key = x->pid;
    if (x->n_risk && bsearch(&key, x->risk, x->n_risk, sizeof *x->risk, cmp_str))
        x->g[i].at_risk++;
    free(x->pid);
    free(x->best);
    x->pid = x->best = NULL;
    x->best_n = 0;
    return JD_OK;
}

static int eq_row(const char *person_id, const char *ethnicity, int64_t n, void *payload)
{
    eq_ctx *x = payload;
    if (!person_id)
        return JD_OK;
    if (!x->pid || strcmp(x->pid, person_id) != 0) {
        int rc = eq_flush(x);
        if (rc < 0)
            return rc;
        if (!(x->pid = strdup(person_id)))
            return JD_ENOMEM;
    }
    /* rows come by ethnicity within a child: ">" keeps the first of a tie */
    if (ethnicity && *ethnicity && n > x->best_n) {
        free(x->best);
        if (!(x->best = strdup(ethnicity)))
            return JD_ENOMEM;
        x->best_n = n;
    }
    return JD_OK;
}

static int cmp_group(const void *a, const void *b)
{
    const eq_group *x = a, *y = b;
    bool nx = !strcmp(x->ethnicity, "not recorded"), ny = !strcmp(y->ethnicity, "not recorded");
    if (nx != ny)
        return nx ? 1 : -1;
    return strcmp(x->ethnicity, y->ethnicity);
}

int jd_equality_monitor(jd_store *s, const char *const *at_risk, size_t n_at_risk,
                        int (*cb)(const jd_equality_group *g, void *payload), void *payload,
                        jd_error *err)
{
    if (!s || !cb || (n_at_risk && !at_risk))
        return jd_error_set(err, JD_EINVALID, "bad argument");
    eq_ctx x = {0};
    int rc = JD_OK;
    if (n_at_risk) {
        x.risk = malloc(n_at_risk * sizeof *x.risk);
        if (!x.risk)
            return jd_oom(err);
        size_t k = 0;
        for (size_t i = 0; i < n_at_risk; i++)
            if (at_risk[i])
                x.risk[k++] = at_risk[i];
        x.n_risk = k;
        qsort(x.risk, x.n_risk, sizeof *x.risk, cmp_str);
    }
    rc = s->ops->ethnicity_rows(s, eq_row, &x, err);
    if (rc == JD_OK)
        rc = eq_flush(&x);
    if (rc == JD_ENOMEM)
        jd_oom(err);
    if (rc == JD_OK) {
        if (x.ng > 1)
            qsort(x.g, x.ng, sizeof *x.g, cmp_group);
        for (size_t i = 0; i < x.ng && rc == JD_OK; i++) {
            jd_equality_group g = {x.g[i].ethnicity, x.g[i].children, x.g[i].at_risk};
            rc = cb(&g, payload);
        }
    }
    for (size_t i = 0; i < x.ng; i++)
        free(x.g[i].ethnicity);
    free(x.g);
    free(x.pid);
    free(x.best);
    free(x.risk);
    return rc;
}
