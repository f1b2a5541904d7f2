/*
 * Place normalisation for the network graph: free-text locations become
 * sorted token sets so that one place written several ways ("Cowley Rd,
 * outside the council office", "outside the council offices, Cowley
 * Road") is one node. The rules are the tables below (abbreviations, stop
 * and position words, words that name a dwelling), not code: extend them
 * rather than adding special cases. Pure functions, thread-safe.
 */
#include "network/network.h"

#include "text/compare.h"
#include "util/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Abbreviations and spellings written in place descriptions -> one form. */
static const char *const abbrev[][2] = {
    {"rd", "road"},        {"st", "street"},       {"str", "street"},       {"ave", "avenue"},
    {"av", "avenue"},      {"ln", "lane"},         {"cl", "close"},         {"cres", "crescent"},
    {"cresc", "crescent"}, {"dr", "drive"},        {"pl", "place"},         {"sq", "square"},
    {"gdns", "garden"},    {"gdn", "garden"},      {"ct", "court"},         {"crt", "court"},
    {"pk", "park"},        {"hse", "house"},       {"stn", "station"},      {"ctr", "centre"},
    {"cntr", "centre"},    {"center", "centre"},   {"hosp", "hospital"},    {"sch", "school"},
    {"rbt", "roundabout"}, {"rdbt", "roundabout"}, {"est", "estate"},       {"ter", "terrace"},
    {"terr", "terrace"},   {"hwy", "highway"},     {"bldg", "building"},    {"blk", "block"},
    {"apt", "apartment"},  {"flt", "flat"},        {"mkt", "market"},       {"ofc", "office"},
    {"offc", "office"},    {"govt", "government"}, {"carpark", "car park"}, {"takeout", "takeaway"},
    {"bnb", "b&b"},
};

/* Words that carry no place identity: articles, position words. */
static const char *const stop_words[] = {
    "the",      "a",      "an",       "of",       "on",      "at",     "in",     "by",
    "near",     "nearby", "outside",  "opposite", "opp",     "behind", "beside", "besides",
    "next",     "to",     "above",    "below",    "under",   "over",   "from",   "and",
    "just",     "area",   "vicinity", "around",   "round",   "off",    "o",      "s",
    "nr",       "inside", "within",   "rear",     "front",   "back",   "side",   "corner",
    "junction", "with",   "location", "located",  "concern", "some",   "one",
};

/* Words naming somewhere people stay (an address of concern, S05), as
 * opposed to a public place where anyone may be seen. "home" is left out on
 * purpose: children's and care homes are where children live. */
static const char *const dwelling_words[] = {
    "flat",       "house",    "hotel",   "motel",     "travelodge", "inn",
    "guesthouse", "hostel",   "bedsit",  "apartment", "room",       "maisonette",
    "b&b",        "dwelling", "caravan", "lodge",     "address",    "premises",
};

static bool in_list(const char *const *list, size_t n, const char *s, size_t l)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == l && !memcmp(list[i], s, l))
            return true;
    return false;
}

/* Singular of an English noun, in place: offices -> office, parties ->
 * party, churches -> church; leaves "bus", "cross", "jesus" alone. */
static size_t singular(char *w, size_t l)
{
    if (l > 4 && !memcmp(w + l - 3, "ies", 3)) {
        w[l - 3] = 'y';
        return l - 2;
    }
    if (l > 4 && (!memcmp(w + l - 4, "sses", 4) || !memcmp(w + l - 4, "ches", 4) ||
                  !memcmp(w + l - 4, "shes", 4)))
        return l - 2;
    if (l > 3 && !memcmp(w + l - 3, "xes", 3))
        return l - 2;
    if (l > 3 && w[l - 1] == 's' && w[l - 2] != 's' && w[l - 2] != 'u' && w[l - 2] != 'i')
        return l - 1;
    return l;
}

static int cmp_tok(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void jd_place__retoken(jd_place *p)
{
    p->ntok = 0;
    p->has_number = false;
    p->dwelling = false;
    char *s = p->key;
    while (*s && p->ntok < JD_PLACE_MAX_TOKENS) {
        char *e = strchr(s, ' ');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        p->toff[p->ntok] = (unsigned char)(s - p->key);
        p->tlen[p->ntok] = (unsigned char)(l > 255 ? 255 : l);
        p->ntok++;
        for (size_t i = 0; i < l; i++)
            if (s[i] >= '0' && s[i] <= '9')
                p->has_number = true;
        if (in_list(dwelling_words, JD_ARRAY_LEN(dwelling_words), s, l))
            p->dwelling = true;
        if (!e)
            break;
        s = e + 1;
    }
}

/* Place text -> one folded UTF-8 string: compatibility forms, case folding
 * and accents stripped (utf8proc), control and format characters dropped.
 * Invalid UTF-8 is read as Latin-1 (each byte one code point), so any bytes
 * give a string. Returns NULL (free() it otherwise) only when out of memory. */
static utf8proc_uint8_t *fold(const char *text, size_t n, utf8proc_ssize_t *outlen)
{
    utf8proc_uint8_t *src = NULL;
    utf8proc_int32_t cp;
    for (size_t i = 0; i < n;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            src = malloc(n * 2 + 1);
            if (!src)
                return NULL;
            size_t m = 0;
            for (size_t j = 0; j < n; j++)
                m += (size_t)utf8proc_encode_char((unsigned char)text[j], src + m);
            n = m;
            break;
        }
        i += (size_t)k;
    }
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t ml = utf8proc_map(src ? src : (const utf8proc_uint8_t *)text,
                                       (utf8proc_ssize_t)n, &mapped,
                                       UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
                                           UTF8PROC_STRIPMARK | UTF8PROC_IGNORE |
                                           UTF8PROC_STRIPCC);
    free(src);
    if (ml < 0)
        return NULL;
    *outlen = ml;
    return mapped;
}

/* One code point of folded text: a word character (letter, digit, '&'), an
 * apostrophe (dropped inside a word: "o'brien's" -> "obriens"), or a
 * separator (everything else: spaces, punctuation, every dash and quote). */
enum { SEP, WORD, APOS };

static int class_of(utf8proc_int32_t cp)
{
    if (cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x60 || cp == 0x2bc)
        return APOS;
    if (cp == '&')
        return WORD;
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                   c == UTF8PROC_CATEGORY_ND
               ? WORD
               : SEP;
}

/* Expand, singularise, expand again (gdns -> garden) the word w of l bytes
 * in a buffer of size bytes. */
static void expand_word(char *w, size_t size, size_t l)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < JD_ARRAY_LEN(abbrev); k++)
            if (!strcmp(w, abbrev[k][0])) {
                snprintf(w, size, "%s", abbrev[k][1]);
                l = strlen(w);
                break;
            }
        if (pass == 0 && !strchr(w, ' ')) {
            bool digit = false;
            for (size_t k = 0; k < l; k++)
                digit |= w[k] >= '0' && w[k] <= '9';
            if (!digit) {
                l = singular(w, l);
                w[l] = '\0';
            }
        }
    }
}

void jd_place__norm(jd_place *out, const char *text, size_t n)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return;
    if (n > JD_PLACE_MAX_INPUT)
        n = JD_PLACE_MAX_INPUT; /* locations are short; bound the work on hostile input */
    utf8proc_ssize_t fl = 0;
    utf8proc_uint8_t *f = fold(text, n, &fl);
    if (!f)
        return; /* out of memory: no tokens, as for an empty location */
    char words[JD_PLACE_MAX_TOKENS * 2][32];
    int nw = 0;
    utf8proc_ssize_t i = 0;
    /* Every pass of both loops advances i by at least one code point (or
     * one byte where the folded text would not decode, which it always
     * should), so the loops end on any input. */
    while (i < fl && nw < (int)JD_ARRAY_LEN(words)) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(f + i, fl - i, &cp);
        if (step <= 0) {
            i++;
            continue;
        }
        if (class_of(cp) != WORD) {
            i += step;
            continue;
        }
        char w[64];
        size_t l = 0;
        while (i < fl) {
            step = utf8proc_iterate(f + i, fl - i, &cp);
            if (step <= 0) {
                i++;
                break;
            }
            int cls = class_of(cp);
            if (cls == SEP)
                break;
            if (cls == WORD && l + (size_t)step < sizeof w) /* cut a long word at a whole character */
                for (utf8proc_ssize_t b = 0; b < step; b++)
                    w[l++] = (char)f[i + b];
            i += step;
        }
        w[l] = '\0';
        expand_word(w, sizeof w, l);
        /* an expansion may hold two words ("car park") */
        char *save = w, *sp;
        do {
            sp = strchr(save, ' ');
            size_t wl = sp ? (size_t)(sp - save) : strlen(save);
            if (wl >= sizeof words[0]) {
                wl = sizeof words[0] - 1; /* cut, do not drop, a very long word, */
                while (wl && ((unsigned char)save[wl] & 0xC0) == 0x80)
                    wl--; /* at a whole character */
            }
            if (wl && !in_list(stop_words, JD_ARRAY_LEN(stop_words), save, wl) &&
                nw < (int)JD_ARRAY_LEN(words)) {
                memcpy(words[nw], save, wl);
                words[nw][wl] = '\0';
                nw++;
            }
            save = sp ? sp + 1 : NULL;
        } while (save);
    }
    const char *ptr[JD_ARRAY_LEN(words)];
    for (int k = 0; k < nw; k++)
        ptr[k] = words[k];
    qsort(ptr, (size_t)nw, sizeof *ptr, cmp_tok);
    size_t kl = 0;
    int kept = 0;
    for (int k = 0; k < nw && kept < JD_PLACE_MAX_TOKENS; k++) {
        if (k && !strcmp(ptr[k], ptr[k - 1]))
            continue;
        size_t wl = strlen(ptr[k]);
        if (kl + wl + 2 > sizeof out->key)
            break;
        if (kl)
            out->key[kl++] = ' ';
        memcpy(out->key + kl, ptr[k], wl);
        kl += wl;
        kept++;
    }
    out->key[kl] = '\0';
    free(f);
    jd_place__retoken(out);
}

static bool is_number(const char *s, size_t l)
{
    for (size_t i = 0; i < l; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return true;
    return false;
}

static bool tok_match(const char *a, size_t al, const char *b, size_t bl)
{
    if (al == bl && !memcmp(a, b, al))
        return true;
    if (al < 5 || bl < 5 || (al > bl ? al - bl : bl - al) > 1 || is_number(a, al) ||
        is_number(b, bl))
        return false;
    return jd_cmp__damerau_levenshtein(a, al, b, bl) <= 1;
}

/* Matched tokens between a and b (each token used once). */
static int matched(const jd_place *a, const jd_place *b)
{
    bool used[JD_PLACE_MAX_TOKENS] = {false};
    int m = 0;
    for (int i = 0; i < a->ntok; i++)
        for (int j = 0; j < b->ntok; j++)
            if (!used[j] &&
                tok_match(a->key + a->toff[i], a->tlen[i], b->key + b->toff[j], b->tlen[j])) {
                used[j] = true;
                m++;
                break;
            }
    return m;
}

double jd_place__similarity(const jd_place *a, const jd_place *b)
{
    if (!a->ntok || !b->ntok)
        return 0.0;
    int m = matched(a, b);
    return (double)m / (double)(a->ntok + b->ntok - m);
}

bool jd_place__similar(const jd_place *a, const jd_place *b)
{
    if (!a->ntok || !b->ntok)
        return false;
    if (!strcmp(a->key, b->key))
        return true;
    /* numbers must agree exactly: flat 2 is not flat 3 */
    if (a->has_number || b->has_number) {
        int na = 0, nb = 0;
        for (int i = 0; i < a->ntok; i++)
            if (is_number(a->key + a->toff[i], a->tlen[i])) {
                na++;
                bool found = false;
                for (int j = 0; j < b->ntok; j++)
                    found |= a->tlen[i] == b->tlen[j] &&
                             !memcmp(a->key + a->toff[i], b->key + b->toff[j], a->tlen[i]);
                if (!found)
                    return false;
            }
        for (int j = 0; j < b->ntok; j++)
            nb += is_number(b->key + b->toff[j], b->tlen[j]);
        if (na != nb)
            return false;
    }
    int m = matched(a, b);
    int small = a->ntok < b->ntok ? a->ntok : b->ntok;
    if (small >= 3 && m == small)
        return true;
    return 4 * m >= 3 * (a->ntok + b->ntok - m);
}
