/*
 * Narrative screening: tokenizer and compiled multi-pattern matcher with
 * negation and misspelling tolerance (see textscan.h for the pattern
 * language). Patterns are indexed by their first term; the candidates of a
 * word are computed once and memoised, so a county's narratives cost about
 * one hash lookup per word.
 */
#include "screen/textscan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { T_ALT = 0, T_GAP = 1, T_NUM = 2 };

typedef struct alt {
    const char *s;
    uint16_t len;
    uint8_t prefix;
} alt;

typedef struct term {
    uint8_t kind, gap;
    uint16_t nalt;
    uint32_t alt0;
} term;

typedef struct pattern {
    uint32_t term0;
    uint8_t nterms, role;
    uint32_t owner;
    int32_t value;
    const char *text;
} pattern;

typedef struct u32vec {
    uint32_t *v;
    uint32_t n, cap;
} u32vec;

struct jd_ts {
    pattern *pat;
    size_t npat, patcap;
    term *terms;
    size_t nterms, termcap;
    alt *alts;
    size_t nalts, altcap;
    jd_arena ar;
    jd_strmap exact, prefix, dels, memo;
    uint32_t prefix_lens; /* bit L set: some first-term prefix has length L */
    u32vec *lists;        /* candidate lists; index 0 unused */
    uint32_t nlists, listcap;
    u32vec numstart; /* patterns whose first term is #num */
    int window;
};

#define FUZZY_MIN 8 /* shorter words are too often one edit from another real word ("setting", "sexting") */


static int vec_push(u32vec *v, uint32_t x)
{
    if (v->n == v->cap) {
        uint32_t nc = v->cap ? v->cap * 2 : 4;
        uint32_t *q = realloc(v->v, nc * sizeof *q);
        if (!q)
            return -1;
        v->v = q;
        v->cap = nc;
    }
    v->v[v->n++] = x;
    return 0;
}

static int vec_add_unique(u32vec *v, uint32_t x)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (v->v[i] == x)
            return 0;
    return vec_push(v, x);
}

jd_ts *jd_ts__new(void)
{
    jd_ts *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    jd_arena_init(&t->ar, 64 * 1024);
    jd_strmap_init(&t->exact);
    jd_strmap_init(&t->prefix);
    jd_strmap_init(&t->dels);
    jd_strmap_init(&t->memo);
    t->nlists = 1;
    t->window = 5;
    return t;
}

void jd_ts__free(jd_ts *t)
{
    if (!t)
        return;
    free(t->pat);
    free(t->terms);
    free(t->alts);
    for (uint32_t i = 0; i < t->nlists; i++)
        free(t->lists ? t->lists[i].v : NULL);
    free(t->lists);
    free(t->numstart.v);
    jd_strmap_free(&t->exact);
    jd_strmap_free(&t->prefix);
    jd_strmap_free(&t->dels);
    jd_strmap_free(&t->memo);
    jd_arena_free(&t->ar);
    free(t);
}

void jd_ts__set_window(jd_ts *t, int words)
{
    t->window = words < 0 ? 0 : words > 12 ? 12 : words;
}

uint32_t jd_ts__owner(const jd_ts *t, uint32_t p)
{
    return t->pat[p].owner;
}
int32_t jd_ts__value(const jd_ts *t, uint32_t p)
{
    return t->pat[p].value;
}
const char *jd_ts__text(const jd_ts *t, uint32_t p)
{
    return t->pat[p].text;
}

/* A new candidate list; returns its index or 0 on OOM. */
static uint32_t new_list(jd_ts *t)
{
    if (t->nlists >= t->listcap) {
        uint32_t nc = t->listcap ? t->listcap * 2 : 64;
        while (nc <= t->nlists)
            nc *= 2;
        u32vec *q = realloc(t->lists, nc * sizeof *q);
        if (!q)
            return 0;
        memset(q + t->listcap, 0, (nc - t->listcap) * sizeof *q);
        t->lists = q;
        t->listcap = nc;
    }
    return t->nlists++;
}

/* Append pattern p to the list under key in map m. */
static int index_key(jd_ts *t, jd_strmap *m, const char *k, size_t n, uint32_t p)
{
    bool added;
    uint32_t *v = jd_strmap_put(m, k, n, 0, &added);
    if (!v)
        return -1;
    if (added && !(*v = new_list(t)))
        return -1;
    return vec_add_unique(&t->lists[*v], p);
}

/* Normalise one pattern word: lower case, apostrophes dropped. */
static size_t norm_word(char *out, const char *w, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c == '\'')
            continue;
        out[k++] = (char)tolower(c);
    }
    return k;
}

/* Parses the |-separated alternatives of word w of pattern src into term tm,
 * appending them to t->alts. Returns 0 or a negative jd_code. */
static int add_alts(jd_ts *t, char *w, term *tm, const char *src, jd_error *err)
{
    tm->kind = T_ALT;
    tm->alt0 = (uint32_t)t->nalts;
    char *s2 = NULL;
    for (char *a = strtok_r(w, "|", &s2); a; a = strtok_r(NULL, "|", &s2)) {
        size_t al = strlen(a);
        if (!strcmp(a, "#num")) { /* a number as one alternative */
            if (jd_grow((void **)&t->alts, &t->altcap, t->nalts + 1, sizeof *t->alts) < 0)
                return jd_oom(err);
            t->alts[t->nalts++] = (alt){"", 0, 2};
            tm->nalt++;
            continue;
        }
        bool prefix = al > 1 && a[al - 1] == '*';
        if (prefix)
            al--;
        char tmp[128];
        if (al == 0 || al >= sizeof tmp)
            return jd_error_set(err, JD_EINVALID, "bad word in pattern: %.60s", src);
        size_t nl = norm_word(tmp, a, al);
        for (size_t i = 0; i < nl; i++)
            if (!isalnum((unsigned char)tmp[i]) && (unsigned char)tmp[i] < 0x80)
                return jd_error_set(err, JD_EINVALID,
                                    "patterns use letters, digits, | * ~N and #num: %.60s", src);
        if (jd_grow((void **)&t->alts, &t->altcap, t->nalts + 1, sizeof *t->alts) < 0)
            return jd_oom(err);
        char *s = jd_arena_strndup(&t->ar, tmp, nl);
        if (!s)
            return jd_oom(err);
        t->alts[t->nalts++] = (alt){s, (uint16_t)nl, prefix};
        tm->nalt++;
    }
    return 0;
}

/* Indexes pattern p under the alternatives of its first term f (not #num):
 * exact words, prefixes and, for long words, their single deletions. Returns 0
 * or JD_ENOMEM. */
static int index_first(jd_ts *t, const term *f, uint32_t p, jd_error *err)
{
    for (uint16_t i = 0; i < f->nalt; i++) {
        const alt *a = &t->alts[f->alt0 + i];
        int rc;
        if (a->prefix == 2) {
            rc = vec_add_unique(&t->numstart, p);
        } else if (a->prefix) {
            if (a->len < 32)
                t->prefix_lens |= 1u << a->len;
            rc = index_key(t, &t->prefix, a->s, a->len, p);
        } else {
            rc = index_key(t, &t->exact, a->s, a->len, p);
            if (rc == 0 && a->len >= FUZZY_MIN) {
                /* the word and its single deletions */
                char d[128];
                rc = index_key(t, &t->dels, a->s, a->len, p);
                for (size_t k = 0; rc == 0 && k < a->len; k++) {
                    memcpy(d, a->s, k);
                    memcpy(d + k, a->s + k + 1, a->len - k - 1);
                    rc = index_key(t, &t->dels, d, a->len - 1u, p);
                }
            }
        }
        if (rc < 0)
            return jd_oom(err);
    }
    return 0;
}

int jd_ts__add(jd_ts *t, const char *src, int role, uint32_t owner, int32_t value,
               jd_error *err)
{
    if (!src)
        return jd_error_set(err, JD_EINVALID, "empty pattern");
    /* Split into words; hyphens split words too ("street-wise"). */
    char buf[512];
    size_t sl = strlen(src);
    if (sl >= sizeof buf)
        return jd_error_set(err, JD_EINVALID, "pattern too long: %.60s", src);
    memcpy(buf, src, sl + 1);
    term terms[JD_TS_MAX_TERMS];
    size_t nt = 0;
    size_t alt_start = t->nalts;
    char *save = NULL;
    for (char *w = strtok_r(buf, " \t-", &save); w; w = strtok_r(NULL, " \t-", &save)) {
        if (nt == JD_TS_MAX_TERMS)
            return jd_error_set(err, JD_EINVALID, "pattern has too many terms: %.60s", src);
        term *tm = &terms[nt];
        memset(tm, 0, sizeof *tm);
        if (w[0] == '~') {
            int g = atoi(w + 1);
            if (g < 1 || g > 9 || nt == 0)
                return jd_error_set(err, JD_EINVALID,
                                    "a gap is ~1..~9 and cannot start a pattern: %.60s", src);
            tm->kind = T_GAP;
            tm->gap = (uint8_t)g;
            nt++;
            continue;
        }
        if (!strcmp(w, "#num")) {
            tm->kind = T_NUM;
            nt++;
            continue;
        }
        int rc = add_alts(t, w, tm, src, err);
        if (rc < 0)
            return rc;
        if (!tm->nalt)
            return jd_error_set(err, JD_EINVALID, "empty alternative in pattern: %.60s", src);
        nt++;
    }
    if (nt == 0 || terms[nt - 1].kind == T_GAP) {
        t->nalts = alt_start;
        return jd_error_set(err, JD_EINVALID, "a pattern needs words and cannot end in a gap: "
                                              "%.60s", src);
    }
    if (jd_grow((void **)&t->terms, &t->termcap, t->nterms + nt, sizeof *t->terms) < 0 ||
        jd_grow((void **)&t->pat, &t->patcap, t->npat + 1, sizeof *t->pat) < 0)
        return jd_oom(err);
    uint32_t p = (uint32_t)t->npat;
    const char *text = jd_arena_strdup(&t->ar, src);
    if (!text)
        return jd_oom(err);
    t->pat[t->npat++] = (pattern){(uint32_t)t->nterms, (uint8_t)nt, (uint8_t)role, owner, value,
                                  text};
    memcpy(t->terms + t->nterms, terms, nt * sizeof *terms);
    t->nterms += nt;
    /* index the first term */
    const term *f = &terms[0];
    if (f->kind == T_NUM)
        return vec_push(&t->numstart, p) < 0 ? jd_oom(err)
                                             : (int)p;
    int rc = index_first(t, f, p, err);
    if (rc < 0)
        return rc;
    /* a new pattern invalidates memoised candidate lists */
    if (t->memo.n) {
        jd_strmap_free(&t->memo);
        jd_strmap_init(&t->memo);
    }
    return (int)p;
}

/* ---- tokenizer ---- */

static bool is_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

static bool is_apostrophe(const char *s, size_t i, size_t n, size_t *skip)
{
    if (s[i] == '\'') {
        *skip = 1;
        return true;
    }
    if ((unsigned char)s[i] == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0x99 || (unsigned char)s[i + 2] == 0x98)) {
        *skip = 3;
        return true;
    }
    return false;
}

static bool is_clause_word(const char *s, size_t n)
{
    /* every token is tried: the lengths are kept, not counted each time */
    static const struct {
        const char *w;
        size_t n;
    } w[] = {{"but", 3},    {"however", 7}, {"although", 8}, {"though", 6},
             {"except", 6}, {"whereas", 7}, {"yet", 3}};
    if (n < 3 || n > 8)
        return false;
    for (size_t i = 0; i < JD_ARRAY_LEN(w); i++)
        if (w[i].n == n && !memcmp(w[i].w, s, n))
            return true;
    return false;
}

static bool is_abbrev(const jd_ts_token *t)
{
    static const char *const w[] = {"mr", "mrs", "ms", "dr", "st", "approx", "eg", "ie",
                                    "etc", "no", "vs", "rd", "ave", "yrs", "hrs", "mins"};
    if (t->len == 1 && t->num < 0)
        return true;
    for (size_t i = 0; i < JD_ARRAY_LEN(w); i++)
        if (strlen(w[i]) == t->len && !memcmp(w[i], t->s, t->len))
            return true;
    return false;
}

/* A number token of up to 4 digits [start, end) of text: its value, and
 * whether a bracket opens before it ("(15)") or a percent sign follows it. */
static void number_token(jd_ts_token *t, const char *text, size_t len, size_t start, size_t end)
{
    int v = 0;
    for (size_t q = 0; q < t->len; q++)
        v = v * 10 + (t->s[q] - '0');
    t->num = v;
    size_t b = start;
    while (b > 0 && text[b - 1] == ' ')
        b--;
    t->paren = b > 0 && text[b - 1] == '(';
    size_t a = end;
    while (a < len && text[a] == ' ')
        a++;
    t->pct = a < len && text[a] == '%';
}

int jd_ts__tokenize(jd_ts_scan *sc, const char *text, size_t len)
{
    sc->ntok = 0;
    sc->nsentences = 0;
    /* Each token is written with a space after it, and a token need not be
     * followed by a separator in the text ("a1" is two tokens; the last word
     * ends at the end): up to 2 bytes per input byte, plus the NUL
     * (fuzz_screen found the overflow of len + 1). */
    if (jd_grow((void **)&sc->low, &sc->lowcap, 2 * len + 1, 1) < 0)
        return JD_ENOMEM;
    size_t k = 0; /* write position in low */
    uint32_t sentence = 0, clause = 0;
    bool pending_end = false;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t skip;
        if (is_word_byte(c) && !is_apostrophe(text, i, len, &skip)) {
            if (sc->ntok >= JD_TS_MAX_TOKENS)
                break;
            if (jd_grow((void **)&sc->tok, &sc->tokcap, sc->ntok + 1, sizeof *sc->tok) < 0)
                return JD_ENOMEM;
            if (pending_end) {
                sentence++;
                clause++;
                pending_end = false;
            }
            bool digit = isdigit(c);
            size_t start = i, ks = k;
            while (i < len) {
                unsigned char d = (unsigned char)text[i];
                if (is_apostrophe(text, i, len, &skip)) {
                    /* inside a word ("won't", "she's"): dropped, word goes on */
                    if (!digit && i + skip < len && isalpha((unsigned char)text[i + skip])) {
                        i += skip;
                        continue;
                    }
                    break;
                }
                if (!is_word_byte(d) || (bool)isdigit(d) != digit)
                    break;
                /* tolower of the C locale, inline */
                sc->low[k++] = (char)((unsigned)(d - 'A') < 26u ? d | 0x20 : d);
                i++;
            }
            jd_ts_token *t = &sc->tok[sc->ntok++];
            t->s = sc->low + ks;
            t->len = (uint16_t)((k - ks) > 0xFFFF ? 0xFFFF : k - ks);
            t->off = (uint32_t)start;
            t->olen = (uint32_t)(i - start);
            t->num = -1;
            t->paren = t->pct = 0;
            if (digit && t->len <= 4)
                number_token(t, text, len, start, i);
            if (!digit && is_clause_word(t->s, t->len))
                clause++;
            t->sentence = sentence;
            t->clause = clause;
            sc->low[k++] = ' ';
            continue;
        }
        if (is_apostrophe(text, i, len, &skip)) {
            i += skip;
            continue;
        }
        if (c == '!' || c == '?' || c == ';') {
            pending_end = sc->ntok > 0;
        } else if (c == '.') {
            bool decimal = i + 1 < len && isdigit((unsigned char)text[i + 1]) && sc->ntok &&
                           sc->tok[sc->ntok - 1].num >= 0;
            if (!decimal && sc->ntok && !is_abbrev(&sc->tok[sc->ntok - 1]))
                pending_end = true;
        } else if (c == '\n') {
            size_t a = i + 1;
            while (a < len && (text[a] == ' ' || text[a] == '\r' || text[a] == '\t'))
                a++;
            if (a >= len || text[a] == '\n' || isupper((unsigned char)text[a]) ||
                isdigit((unsigned char)text[a]) || text[a] == '-' || text[a] == '*')
                pending_end = sc->ntok > 0;
        }
        i++;
    }
    sc->low[k] = '\0';
    sc->nsentences = sc->ntok ? sentence + 1 : 0;
    return JD_OK;
}

/* ---- matching ---- */

/* a and b within one edit (substitution, insertion/deletion, adjacent swap) */
static bool within1(const char *a, size_t al, const char *b, size_t bl)
{
    if (al > bl) {
        const char *x = a;
        a = b;
        b = x;
        size_t y = al;
        al = bl;
        bl = y;
    }
    if (bl - al > 1)
        return false;
    size_t i = 0;
    while (i < al && a[i] == b[i])
        i++;
    if (i == al)
        return true; /* equal, or b has one extra byte at the end */
    if (al == bl) {
        if (!memcmp(a + i + 1, b + i + 1, al - i - 1))
            return true; /* one substitution */
        return i + 1 < al && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               !memcmp(a + i + 2, b + i + 2, al - i - 2);
    }
    return !memcmp(a + i, b + i + 1, al - i); /* one insertion in b */
}

static bool term_ok(const jd_ts *t, const term *tm, const jd_ts_token *tok)
{
    if (tm->kind == T_NUM)
        return tok->num >= 0;
    for (uint16_t i = 0; i < tm->nalt; i++) {
        const alt *a = &t->alts[tm->alt0 + i];
        if (a->prefix == 2) {
            if (tok->num >= 0)
                return true;
        } else if (a->prefix) {
            if (tok->len >= a->len && !memcmp(tok->s, a->s, a->len))
                return true;
        } else if (tok->len == a->len && !memcmp(tok->s, a->s, a->len)) {
            return true;
        } else if (a->len >= FUZZY_MIN && tok->len + 1 >= a->len && tok->num < 0 &&
                   within1(tok->s, tok->len, a->s, a->len)) {
            return true;
        }
    }
    return false;
}

/* Match terms[k..] from token i; returns the end token (exclusive) or -1. */
static long match_from(const jd_ts *t, const pattern *p, uint32_t k, const jd_ts_scan *sc,
                       size_t i, uint32_t sentence, int32_t *num)
{
    if (k == p->nterms)
        return (long)i;
    const term *tm = &t->terms[p->term0 + k];
    if (tm->kind == T_GAP) {
        for (uint32_t g = 0; g <= tm->gap; g++) {
            if (i + g > sc->ntok || (g > 0 && sc->tok[i + g - 1].sentence != sentence))
                break;
            long e = match_from(t, p, k + 1, sc, i + g, sentence, num);
            if (e >= 0)
                return e;
        }
        return -1;
    }
    if (i >= sc->ntok || sc->tok[i].sentence != sentence || !term_ok(t, tm, &sc->tok[i]))
        return -1;
    int32_t save = *num;
    if (sc->tok[i].num >= 0 && *num < 0)
        *num = sc->tok[i].num;
    long e = match_from(t, p, k + 1, sc, i + 1, sentence, num);
    if (e < 0)
        *num = save;
    return e;
}

/* Candidate patterns for a word (memoised). Returns a list index, 0 = none. */
static uint32_t candidates(jd_ts *t, const jd_ts_token *tok)
{
    uint32_t *m = jd_strmap_get(&t->memo, tok->s, tok->len);
    if (m)
        return *m;
    u32vec acc = {0};
    uint32_t *l = jd_strmap_get(&t->exact, tok->s, tok->len);
    if (l)
        for (uint32_t i = 0; i < t->lists[*l].n; i++)
            vec_add_unique(&acc, t->lists[*l].v[i]);
    for (uint32_t L = 1; L < 32 && L <= tok->len; L++)
        if (t->prefix_lens & (1u << L) && (l = jd_strmap_get(&t->prefix, tok->s, L)))
            for (uint32_t i = 0; i < t->lists[*l].n; i++)
                vec_add_unique(&acc, t->lists[*l].v[i]);
    if (tok->len + 1 >= FUZZY_MIN && tok->len < 64 && tok->num < 0) {
        char d[64];
        if ((l = jd_strmap_get(&t->dels, tok->s, tok->len)))
            for (uint32_t i = 0; i < t->lists[*l].n; i++)
                vec_add_unique(&acc, t->lists[*l].v[i]);
        for (size_t k = 0; k < tok->len; k++) {
            memcpy(d, tok->s, k);
            memcpy(d + k, tok->s + k + 1, tok->len - k - 1u);
            if ((l = jd_strmap_get(&t->dels, d, tok->len - 1u)))
                for (uint32_t i = 0; i < t->lists[*l].n; i++)
                    vec_add_unique(&acc, t->lists[*l].v[i]);
        }
    }
    uint32_t id = 0;
    if (acc.n) {
        id = new_list(t);
        if (id)
            t->lists[id] = acc;
        else
            free(acc.v);
    }
    uint32_t *slot = jd_strmap_put(&t->memo, tok->s, tok->len, id, NULL);
    (void)slot; /* on OOM the word is simply not memoised */
    return id;
}

void jd_ts__scan_init(jd_ts_scan *sc)
{
    memset(sc, 0, sizeof *sc);
}

void jd_ts__scan_free(jd_ts_scan *sc)
{
    free(sc->tok);
    free(sc->low);
    free(sc->hits);
    free(sc->neg_end);
    free(sc->post_start);
    free(sc->hypo_end);
    memset(sc, 0, sizeof *sc);
}

static int try_at(jd_ts *t, jd_ts_scan *sc, uint32_t p, size_t i)
{
    const pattern *pt = &t->pat[p];
    int32_t num = -1;
    long e = match_from(t, pt, 0, sc, i, sc->tok[i].sentence, &num);
    if (e < 0)
        return 0;
    switch (pt->role) {
    case JD_TS_NEG_PRE: sc->neg_end[e - 1] = 1; return 0;
    case JD_TS_NEG_POST: sc->post_start[i] = 1; return 0;
    case JD_TS_HYPO: sc->hypo_end[e - 1] = 1; return 0;
    default: break;
    }
    if (jd_grow((void **)&sc->hits, &sc->hitcap, sc->nhits + 1, sizeof *sc->hits) < 0)
        return JD_ENOMEM;
    sc->hits[sc->nhits++] = (jd_ts_hit){p, (uint32_t)i, (uint32_t)e, sc->tok[i].sentence, num,
                                        false, false};
    return 0;
}

int jd_ts__scan(jd_ts *t, jd_ts_scan *sc, const char *text, size_t len)
{
    sc->nhits = 0;
    if (jd_ts__tokenize(sc, text, len) != JD_OK)
        return JD_ENOMEM;
    size_t n = sc->ntok;
    if (n + 1 > sc->markcap) {
        size_t nc = n + 64;
        uint8_t *a = realloc(sc->neg_end, nc), *b = a ? realloc(sc->post_start, nc) : NULL;
        if (a)
            sc->neg_end = a;
        if (b)
            sc->post_start = b;
        uint8_t *c = b ? realloc(sc->hypo_end, nc) : NULL;
        if (!c)
            return JD_ENOMEM;
        sc->hypo_end = c;
        sc->markcap = nc;
    }
    memset(sc->neg_end, 0, n + 1);
    memset(sc->post_start, 0, n + 1);
    memset(sc->hypo_end, 0, n + 1);
    for (size_t i = 0; i < n; i++) {
        const jd_ts_token *tok = &sc->tok[i];
        if (tok->num >= 0) {
            for (uint32_t j = 0; j < t->numstart.n; j++)
                if (try_at(t, sc, t->numstart.v[j], i) < 0)
                    return JD_ENOMEM;
            continue;
        }
        uint32_t l = candidates(t, tok);
        if (!l)
            continue;
        const u32vec *v = &t->lists[l];
        for (uint32_t j = 0; j < v->n; j++)
            if (try_at(t, sc, v->v[j], i) < 0)
                return JD_ENOMEM;
    }
    /* negation and hypothetical scope */
    for (size_t h = 0; h < sc->nhits; h++) {
        jd_ts_hit *x = &sc->hits[h];
        uint32_t cl = sc->tok[x->start].clause;
        for (size_t k = x->start, w = 0; k > 0 && w < (size_t)t->window; k--, w++) {
            const jd_ts_token *pk = &sc->tok[k - 1];
            if (pk->clause != cl)
                break;
            if (sc->neg_end[k - 1])
                x->negated = true;
            if (sc->hypo_end[k - 1])
                x->hypothetical = true;
        }
        for (size_t k = x->end; k < n && k < x->end + 3; k++) {
            if (sc->tok[k].clause != cl)
                break;
            if (sc->post_start[k])
                x->negated = true;
        }
    }
    return JD_OK;
}
