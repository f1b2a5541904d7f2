/*
 * The screen's learned combiner: features of a candidate label (model.h),
 * the model's probability, and the decision it makes on a rules-alone
 * result (jd_screen_model_apply). Loading and saving are model_io.c;
 * training, cross-validation and scoring model_train.c.
 *
 * Invariant: features depend only on the note and the rules' result, so a
 * corpus is screened once and every fold of a cross-validation reuses them.
 */
#include "screen/model.h"
#include "util/internal.h"

#include <libstemmer.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define MEMO_MAX 200000 /* words kept in the stem memo before it starts again */
#define TERM_SLOTS 64    /* labels whose buckets a term keeps (family_prob) */
#define LAB_AGES 26       /* ages whose labels are kept (kind_labels) */
#define TERMS_MAX 16384  /* terms kept (~4.4 MB) before the memo starts again */

/* A feature of the notes and its weight for each label's code: a term is
 * "stem" (n:), "_a_b" (nb:), "\1stem" (fs:), "\2name" (code|name, named)
 * or "\3name" (a generic named feature, the same for every code). */
typedef struct term_ent {
    uint64_t have; /* slots whose weight is in w */
    uint32_t stamp;
    float w[TERM_SLOTS];
} term_ent;
/* A family candidate's feature before the note's words: a term (its text
 * at off in fstems) and its value. */
typedef struct fam_item {
    uint32_t ent, off;
    float v;
} fam_item;

struct jd_sm_stemmer {
    struct sb_stemmer *sb;
    jd_strmap memo; /* word -> offset + 1 of its stem in stems */
    char *stems;
    size_t slen, scap;
    /* the last note's stems, NUL after each (note_stems): every candidate of
     * a note shares them; keyed by a hash of the text and its length */
    uint64_t note_hash;
    size_t note_len;
    char *nstems;
    size_t nslen, nscap;
    /* the note's terms (its stems and pairs) once each, with each term's
     * bucket for every label asked (family_prob): a family candidate adds
     * up weights, it hashes nothing of the note again */
    jd_strmap terms;   /* "stem" or "_a_b" -> entry in ent */
    struct term_ent *ent;
    size_t entcap;
    uint32_t stamp;    /* the note listing its terms (term_ent.stamp) */
    jd_strmap slot_of; /* code -> slot */
    char scode[TERM_SLOTS][JD_SM_CODE_MAX + 1];
    uint64_t spre[TERM_SLOTS][3]; /* FNV state (bucket_of) after "code|n:", "nb:", "fs:" */
    uint8_t sprelen[TERM_SLOTS][3];
    size_t nslots;
    /* the labels of each kind by the child's age (-1 to LAB_AGES - 2; the
     * others in lab_any), for the screen lab_of (jd_screen__labels) */
    jd_screen_match *lab[3][LAB_AGES], lab_any[JD_SM_FAMILY_MAX];
    uint8_t nlab[3][LAB_AGES];
    const void *lab_of[3];
    uint32_t *nt;      /* the note's terms, first occurrence first */
    const char **ntw;  /* their text (in nstems) */
    size_t nnt, ntcap, ntwcap;
    float nt_v;        /* the weight of each (note_words) */
    bool nt_ok, nt_pairs;
    /* the family part of the note's kind (fam_build): "fhas:" codes and the
     * stems of the kind's matched sentences ("\1stem" in terms) */
    struct fam_item *fam;
    size_t nfam, famcap;
    char *fstems;
    size_t fslen, fscap;
    uint64_t fam_key;
    bool fam_ok;
    /* the last note's word families by meaning (model_lex.c): one bit a
     * family, in the writer's words, in a sentence naming the child, quoted */
    jd_strmap lex;
    bool lex_built;
    uint32_t lex_own, lex_child, lex_quoted;
};

int jd_sm__stemmer_new(jd_sm_stemmer **out)
{
    jd_sm_stemmer *st = calloc(1, sizeof *st);
    if (!st)
        return JD_ENOMEM;
    jd_strmap_init(&st->memo);
    jd_strmap_init(&st->terms);
    jd_strmap_init(&st->slot_of);
    jd_strmap_init(&st->lex);
    st->sb = sb_stemmer_new("english", NULL);
    if (!st->sb) {
        jd_sm__stemmer_free(st);
        return JD_ENOMEM;
    }
    *out = st;
    return JD_OK;
}

void jd_sm__stemmer_free(jd_sm_stemmer *st)
{
    if (!st)
        return;
    if (st->sb)
        sb_stemmer_delete(st->sb);
    jd_strmap_free(&st->memo);
    jd_strmap_free(&st->lex);
    free(st->stems);
    free(st->nstems);
    jd_strmap_free(&st->terms);
    jd_strmap_free(&st->slot_of);
    free(st->ent);
    free(st->nt);
    free(st->ntw);
    free(st->fam);
    free(st->fstems);
    for (int i = 0; i < 3; i++)
        for (int a = 0; a < LAB_AGES; a++)
            free(st->lab[i][a]);
    free(st);
}

/* The stem of a lower-case word (borrowed until the next call), NULL on OOM. */
static const char *stem_of(jd_sm_stemmer *st, const char *w, size_t n)
{
    uint32_t *v = jd_strmap_get(&st->memo, w, n);
    if (v)
        return st->stems + *v - 1;
    if (st->memo.n >= MEMO_MAX) {
        jd_strmap_free(&st->memo);
        jd_strmap_init(&st->memo);
        st->slen = 0;
    }
    const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)n);
    if (!s)
        return NULL;
    size_t sl = (size_t)sb_stemmer_length(st->sb);
    if (jd_grow((void **)&st->stems, &st->scap, st->slen + sl + 1, 1))
        return NULL;
    size_t at = st->slen;
    memcpy(st->stems + at, s, sl);
    st->stems[at + sl] = 0;
    st->slen += sl + 1;
    bool added;
    if (!jd_strmap_put(&st->memo, w, n, (uint32_t)at + 1, &added))
        return NULL;
    return st->stems + at;
}

/* Words that name an ethnicity, religion or nationality, or a place of
 * worship, garment or festival of one: never a feature. Read after the
 * fold (word_at: "MUSL\u0130M", fullwidth, combining marks), with each
 * nationality's noun and demonym beside its adjective ("pole", "scot",
 * "turk", "brit"; "dane" and "finn" left out: first names). Sorted (bsearch). */
static const char *const fair_stop[] = {
    "aboriginal", "afghan",       "afghani",     "afghanistan", "africa",       "african",
    "afro",       "agnostic",     "albania",     "albanian",    "algeria",      "algerian",
    "allah",      "american",     "amish",       "anglican",    "angolan",      "arab",
    "arabic",     "argentine",    "argentinian", "armenia",     "armenian",     "asian",
    "asians",     "asylum",       "atheist",     "aussie",      "australian",   "austrian",
    "azerbaijan", "azerbaijani",  "azeri",       "bajan",       "baloch",       "bame",
    "bangla",     "bangladesh",   "bangladeshi", "baptist",     "barbadian",    "barbados",
    "belarus",    "belarusian",   "belgian",     "bengali",     "bhutanese",    "bible",
    "biracial",   "black",        "bme",         "bosniak",     "bosnian",      "brazil",
    "brazilian",  "brit",         "britain",     "british",     "brits",        "buddhism",
    "buddhist",   "bulgaria",     "bulgarian",   "burka",       "burmese",      "burqa",
    "burundian",  "cambodian",    "cameroon",    "cameroonian", "canada",       "canadian",
    "caribbean",  "cathedral",    "catholic",    "catholicism", "caucasian",    "chapel",
    "chechen",    "chilean",      "china",       "chinese",     "chink",        "christ",
    "christian",  "christianity", "christmas",   "church",      "churches",     "colombia",
    "colombian",  "congo",        "congolese",   "croat",       "croatian",     "cuban",
    "cypriot",    "czech",        "czechia",     "danish",      "diwali",       "dominican",
    "dutch",      "dutchman",     "easter",      "eastern",     "egypt",        "egyptian",
    "eid",        "emirati",      "english",     "englishman",  "englishwoman", "eritrea",
    "eritrean",   "estonia",      "estonian",    "ethiopia",    "ethiopian",    "ethnic",
    "ethnicity",  "european",     "evangelical", "filipina",    "filipino",     "finnish",
    "foreign",    "france",       "french",      "frenchman",   "frenchwoman",  "gambia",
    "gambian",    "gentile",      "georgian",    "german",      "germany",      "ghana",
    "ghanaian",   "greece",       "greek",       "gujarati",    "gurdwara",     "guyanese",
    "gypo",       "gypsies",      "gypsy",       "haitian",     "halal",        "hanukkah",
    "haredi",     "hasidic",      "hazara",      "headscarf",   "hebrew",       "heritage",
    "hijab",      "hindi",        "hindu",       "hinduism",    "hindus",       "hispanic",
    "hungarian",  "hungary",      "imam",        "immigrant",   "india",        "indian",
    "indonesia",  "indonesian",   "inuit",       "iran",        "iranian",      "iraq",
    "iraqi",      "irish",        "irishman",    "irishwoman",  "islam",        "islamic",
    "islamist",   "israel",       "israeli",     "italian",     "italy",        "jain",
    "jainism",    "jamaica",      "jamaican",    "japan",       "japanese",     "jehovah",
    "jesus",      "jew",          "jewish",      "jordanian",   "judaism",      "kashmiri",
    "kazakh",     "kenya",        "kenyan",      "kippah",      "koran",        "korea",
    "korean",     "kosher",       "kosovan",     "kosovar",     "kurd",         "kurdish",
    "kuwaiti",    "kyrgyz",       "lankan",      "laotian",     "latina",       "latino",
    "latvia",     "latvian",      "lebanese",    "leonean",     "libya",        "libyan",
    "lithuania",  "lithuanian",   "macedonian",  "madrasa",     "madrassa",     "malawian",
    "malaysia",   "malaysian",    "mandir",      "maori",       "mecca",        "methodist",
    "mexican",    "mexico",       "migrant",     "mixed",       "mohammedan",   "moldova",
    "moldovan",   "mongolian",    "montenegrin", "mormon",      "moroccan",     "morocco",
    "moslem",     "mosque",       "mosques",     "mozambican",  "mulatto",      "muslim",
    "muslima",    "mussulman",    "myanmar",     "namibian",    "nationality",  "negro",
    "nepal",      "nepalese",     "nepali",      "netherlands", "nigeria",      "nigerian",
    "niqab",      "norway",       "norwegian",   "omani",       "oriental",     "orthodox",
    "pagan",      "paki",         "pakistan",    "pakistani",   "palestine",    "palestinian",
    "parsi",      "pashto",       "pashtun",     "passover",    "pathan",       "pentecostal",
    "persian",    "peruvian",     "philippines", "pikey",       "poland",       "pole",
    "poles",      "polish",       "portugal",    "portuguese",  "protestant",   "punjab",
    "punjabi",    "qatari",       "quaker",      "qur",         "quran",        "rabbi",
    "ramadan",    "rastafarian",  "refugee",     "religion",    "religious",    "roma",
    "romani",     "romania",      "romanian",    "romanies",    "romany",       "russia",
    "russian",    "rwandan",      "saudi",       "scot",        "scots",        "scotsman",
    "scotswoman", "scottish",     "senegalese",  "serb",        "serbian",      "shia",
    "shiite",     "sikh",         "sikhism",     "sinhala",     "sinhalese",    "slovak",
    "slovakia",   "slovene",      "slovenian",   "somali",      "somalia",      "somalian",
    "spain",      "spaniard",     "spanish",     "sri",         "sudan",        "sudanese",
    "sunni",      "swede",        "swedish",     "swiss",       "sylheti",      "synagogue",
    "syria",      "syrian",       "taiwanese",   "tajik",       "tamil",        "tamils",
    "tanzanian",  "temple",       "thai",        "thailand",    "tibetan",      "traveler",
    "traveller",  "trinidadian",  "tunisian",    "turban",      "turk",         "turkish",
    "turkmen",    "turks",        "uganda",      "ugandan",     "uighur",       "ukraine",
    "ukrainian",  "urdu",         "uyghur",      "uzbek",       "vaisakhi",     "venezuelan",
    "vietnam",    "vietnamese",   "welsh",       "welshman",    "welshwoman",   "white",
    "wiccan",     "yemeni",       "yiddish",     "zambian",     "zimbabwe",     "zimbabwean",
    "zoroastrian"};

typedef struct {
    const char *w;
    size_t n;
} word_ref;

static int cmp_fair(const void *key, const void *elt)
{
    const word_ref *k = key;
    const char *s = *(const char *const *)elt;
    int c = strncmp(k->w, s, k->n);
    return c ? c : -(int)(unsigned char)s[k->n];
}

static bool fair_listed(const char *w, size_t n)
{
    word_ref k = {w, n};
    return bsearch(&k, fair_stop, JD_ARRAY_LEN(fair_stop), sizeof *fair_stop, cmp_fair) != NULL;
}

bool jd_sm__fairness_word(const char *w, size_t n)
{
    /* as written, or a plural ("sikhs"; "christmas" is listed as written) */
    return fair_listed(w, n) || (n > 3 && w[n - 1] == 's' && fair_listed(w, n - 1));
}

uint32_t jd_sm__key(const char *name, size_t len)
{
    return (uint32_t)jd_hash64(name, len, 0x5eed);
}

static uint32_t bucket_of(const char *name, size_t len)
{
    return (uint32_t)(jd_hash64(name, len, 0xb0c7) & (JD_SM_BUCKETS - 1));
}

static size_t put(char *dst, size_t at, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (at + n >= cap)
        n = at < cap - 1 ? cap - 1 - at : 0;
    memcpy(dst + at, s, n);
    return at + n;
}

/* Add a feature named code|a b (code NULL: no prefix; b may be NULL). */
static int feat(jd_sm_fv *fv, const char *code, const char *a, const char *b, bool word, float v)
{
    char name[160];
    size_t len = 0;
    if (code) {
        len = put(name, len, sizeof name, code);
        len = put(name, len, sizeof name, "|");
    }
    len = put(name, len, sizeof name, a);
    if (b)
        len = put(name, len, sizeof name, b);
    name[len] = 0;
    if (jd_grow((void **)&fv->f, &fv->cap, fv->n + 1, sizeof *fv->f) ||
        jd_grow((void **)&fv->names, &fv->ncap, fv->nlen + len + 1, 1))
        return JD_ENOMEM;
    jd_sm_feat *f = &fv->f[fv->n++];
    f->key = jd_sm__key(name, len);
    f->bucket = word ? bucket_of(name, len) : JD_SM_WORD;
    f->name = (uint32_t)fv->nlen;
    f->v = v;
    memcpy(fv->names + fv->nlen, name, len + 1);
    fv->nlen += len + 1;
    return JD_OK;
}

/* Generic and label-specific at once. */
static int both(jd_sm_fv *fv, const char *code, const char *a, const char *b)
{
    int rc = feat(fv, NULL, a, b, false, 1.0f);
    return rc ? rc : feat(fv, code, a, b, false, 1.0f);
}

const char *jd_sm__name(const jd_sm_fv *fv, size_t i)
{
    return fv->names + fv->f[i].name;
}

void jd_sm__fv_free(jd_sm_fv *fv)
{
    if (!fv)
        return;
    free(fv->f);
    free(fv->names);
    free(fv->set);
    memset(fv, 0, sizeof *fv);
}

bool jd_screen__candidate(const jd_screen_result *res, jd_screen_kind kind, const char *code,
                          int *ci, int *xi)
{
    *ci = *xi = -1;
    for (size_t i = 0; i < res->n; i++) {
        const jd_screen_match *m = &res->m[i];
        if (m->kind != kind || strcmp(m->code, code))
            continue;
        if (m->counts && *ci < 0)
            *ci = (int)i;
        else if (!m->counts && *xi < 0)
            *xi = (int)i;
    }
    if (*ci >= 0)
        return true;
    return *xi >= 0 && !(res->m[*xi].attrs & JD_SCREEN_AGE);
}

static const struct {
    unsigned bit;
    const char *name;
} attr_names[] = {{JD_SCREEN_NEGATED, "negated"},
                  {JD_SCREEN_HYPOTHETICAL, "hypothetical"},
                  {JD_SCREEN_HISTORICAL, "historical"},
                  {JD_SCREEN_OTHER_PERSON, "other"},
                  {JD_SCREEN_QUOTED, "quoted"},
                  {JD_SCREEN_CHALLENGED, "challenged"},
                  {JD_SCREEN_INNOCENT, "innocent"},
                  {JD_SCREEN_PROPERTY, "property"},
                  {JD_SCREEN_AGE, "age"},
                  {JD_SCREEN_SENSE, "sense"},
                  {JD_SCREEN_WEAK, "weak"}};

static const char *age_band(int age, bool child)
{
    if (age < 0)
        return "unknown";
    if (child)
        return age < 13 ? "u13" : age < 16 ? "13-15" : "16-17";
    return age < 16 ? "u16" : age < 18 ? "16-17" : "adult";
}

/* One match's own facts: counted or ruled out, its rule and attributes. */
static int match_feats(jd_sm_fv *fv, const jd_screen_match *m, const char *code, bool counted)
{
    const char *p = counted ? "cattr:" : "xattr:";
    int rc = both(fv, code, counted ? "counted" : "ruled_out", NULL);
    if (!rc && m->rule)
        rc = feat(fv, code, counted ? "rule:" : "xrule:", m->rule, false, 1.0f);
    for (size_t i = 0; !rc && i < JD_ARRAY_LEN(attr_names); i++)
        if (m->attrs & attr_names[i].bit)
            rc = both(fv, code, p, attr_names[i].name);
    if (!rc && m->kind == JD_SCREEN_OFFENCE) {
        rc = both(fv, code, "oage:", age_band(m->other_age, false));
        if (!rc && m->recorded)
            rc = both(fv, code, "recorded", NULL);
    }
    return rc;
}

/* The note's facts: event type, agency, the child's age and the other labels. */
static int note_feats(jd_sm_fv *fv, const jd_screen_note *in, const jd_screen_result *res,
                      const jd_screen_match *self)
{
    int rc = both(fv, self->code, "bias", NULL);
    if (!rc)
        rc = both(fv, self->code, "et:", in->event_type ? in->event_type : "other");
    if (!rc && in->agency)
        rc = both(fv, self->code, "ag:", in->agency);
    if (!rc)
        rc = both(fv, self->code, "age:", age_band(in->child_age, true));
    int same = 0;
    for (size_t i = 0; !rc && i < res->n; i++) {
        const jd_screen_match *m = &res->m[i];
        if (!strcmp(m->code, self->code))
            continue;
        if (m->counts && m->kind == self->kind)
            same++;
        rc = feat(fv, self->code, m->counts ? "has:" : "hasx:", m->code, false, 1.0f);
    }
    char nb[2] = {(char)('0' + (same > 3 ? 3 : same)), 0}; /* 0..3 */
    return rc ? rc : both(fv, self->code, "nkind:", nb);
}

/* The bytes of the character at t[i] (*word: part of a word, or it
 * separates words): ASCII letters and digits and any other character are
 * words; ASCII punctuation and space, and in UTF-8 U+00A0 (no-break space),
 * U+00AB/U+00BB (guillemets), U+00AD (soft hyphen), U+2000-U+206F (spaces,
 * dashes, curly quotes, U+2028/9), U+3000 and U+FEFF separate, so that
 * "\u201cMuslim\u201d" and "Muslim\u2019s" give the word "muslim". A byte
 * that does not begin a whole UTF-8 character is a word byte of its own. */
static size_t char_at(const char *t, size_t i, size_t e, bool *word)
{
    const unsigned char *u = (const unsigned char *)t + i;
    *word = true;
    if (u[0] < 0x80) {
        *word = (u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z') ||
                (u[0] >= '0' && u[0] <= '9');
        return 1;
    }
    size_t n = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 1;
    if (n == 1 || i + n > e)
        return 1;
    uint32_t cp = u[0] & (0x7F >> n);
    for (size_t k = 1; k < n; k++) {
        if ((u[k] & 0xC0) != 0x80)
            return 1;
        cp = cp << 6 | (u[k] & 0x3F);
    }
    *word = !(cp == 0xA0 || cp == 0xAB || cp == 0xBB || cp == 0xAD ||
              (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF);
    return n;
}

/* A quote, which ends a pair in a sentence: ' " and U+2018-U+201F. */
static bool quote_at(const char *t, size_t i, size_t e)
{
    const unsigned char *u = (const unsigned char *)t + i;
    if (u[0] == '"' || u[0] == '\'')
        return true;
    return u[0] == 0xE2 && i + 2 < e && u[1] == 0x80 && u[2] >= 0x98 && u[2] <= 0x9F;
}

static bool in_list(const char *w, size_t n, const char *const *v)
{
    for (; *v; v++)
        if (strlen(*v) == n && !memcmp(*v, w, n))
            return true;
    return false;
}

static const char *const child_words[] = {"she", "her", "herself", "he",    "him",
                                          "his", "himself", "yp",   "child", "pt", NULL};

/* Whom a sentence names: the child (pronouns), another person, the writer. */
static int frame_word(jd_sm_fv *fv, const char *code, const char *w, size_t n)
{
    static const char *const other[] = {
        "mum",  "mother", "dad", "father",  "sister",  "brother", "friend", "friends", "cousin",
        "aunt", "uncle",  "nan", "stepdad", "sibling", "peer",    "peers",  NULL};
    static const char *const writer[] = {"i",       "we",     "me",     "us", "staff",
                                         "officer", "worker", "writer", NULL};
    if (in_list(w, n, child_words))
        return both(fv, code, "fr:child", NULL);
    if (in_list(w, n, other))
        return both(fv, code, "fr:other", NULL);
    if (in_list(w, n, writer))
        return both(fv, code, "fr:writer", NULL);
    return JD_OK;
}

static bool sentence_end(const char *t, size_t len, size_t i)
{
    if (t[i] == '\n' || t[i] == '!' || t[i] == '?' || t[i] == ';')
        return true;
    return t[i] == '.' && (i + 1 >= len || t[i + 1] == ' ' || t[i + 1] == '\n');
}

/* Keep one of the note's stems (a == ""), or a pair of them as "_a_b", in
 * st->nstems (NUL after each). */
static int collect(jd_sm_stemmer *st, const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b), n = al ? al + bl + 2 : bl;
    if (jd_grow((void **)&st->nstems, &st->nscap, st->nslen + n + 1, 1))
        return JD_ENOMEM;
    char *d = st->nstems + st->nslen;
    if (al) {
        *d++ = '_';
        memcpy(d, a, al);
        d += al;
        *d++ = '_';
    }
    memcpy(d, b, bl + 1);
    st->nslen += n + 1;
    return JD_OK;
}

/* A word of n bytes (some not ASCII) folded into w[64] (NUL after): NFKC,
 * case folded, marks stripped, so "MUSL\u0130M", fullwidth and combining
 * forms read as "muslim"; cut at a character boundary. Returns its bytes,
 * 0 if utf8proc fails (the caller keeps the bytes as written). */
static size_t fold_word(const char *raw, size_t n, char *w)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t r =
        utf8proc_map((const utf8proc_uint8_t *)raw, (utf8proc_ssize_t)n, &out,
                     UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    size_t k = 0;
    if (r > 0) {
        k = (size_t)r < 64 ? (size_t)r : jd_utf8_cut((const char *)out, 63);
        memcpy(w, out, k);
        w[k] = 0;
    }
    free(out);
    return k;
}

/* The word at text[i] (a word character) lower-cased into w[64], NUL after
 * (*n its bytes, *digits: digits only); returns the index after it. A word
 * with a byte not ASCII is folded (fold_word) from its first 255 bytes;
 * either is cut at a character boundary. */
static size_t word_at(const char *text, size_t i, size_t e, char *w, size_t *n, bool *digits)
{
    bool word, ascii = true;
    size_t cl, k = 0, s = i;
    *digits = true;
    for (; i < e && (cl = char_at(text, i, e, &word), word); i += cl)
        for (size_t j = i; j < i + cl; j++) {
            ascii &= (unsigned char)text[j] < 0x80;
            if (k < 63)
                w[k++] = (char)(text[j] >= 'A' && text[j] <= 'Z' ? text[j] + 32 : text[j]);
            *digits &= text[j] >= '0' && text[j] <= '9';
        }
    size_t f = 0;
    if (!ascii) {
        size_t rn = i - s < 256 ? i - s : jd_utf8_cut(text + s, 255);
        f = fold_word(text + s, rn, w);
        for (size_t j = 0; j < f; j++)
            *digits &= w[j] >= '0' && w[j] <= '9';
    }
    if (!f && i - s > 63)
        k = jd_utf8_cut(text + s, 63);
    *n = f ? f : k;
    w[*n] = 0;
    return i;
}

/* Keep a term tag + a + b (NUL after) in st->fstems: a stem of a family
 * sentence ("\1stem") or a named feature ("\2name", "\3name"). */
static int fcollect(jd_sm_stemmer *st, char tag, const char *a, const char *b)
{
    size_t n = strlen(a), m = b ? strlen(b) : 0;
    if (jd_grow((void **)&st->fstems, &st->fscap, st->fslen + n + m + 2, 1))
        return JD_ENOMEM;
    char *d = st->fstems + st->fslen;
    d[0] = tag;
    memcpy(d + 1, a, n);
    if (m)
        memcpy(d + 1 + n, b, m);
    d[1 + n + m] = 0;
    st->fslen += n + m + 2;
    return JD_OK;
}

enum { W_SENT = 1, W_FAMILY = 2, W_COLLECT = 3, W_FCOLLECT = 4 };

/* Stems of text[s, e): in the candidate's sentences (W_SENT) with pairs, in
 * its kind's matched sentences (W_FAMILY, label-specific), or of the note
 * (W_COLLECT: into the note's stems, note_words). */
static int word_feats(jd_sm_fv *fv, jd_sm_stemmer *st, const char *code, const char *text, size_t s,
                      size_t e, int mode)
{
    bool sent = mode == W_SENT;
    char prev[64] = "", w[64];
    for (size_t i = s; i < e;) {
        bool word;
        size_t cl = char_at(text, i, e, &word);
        if (!word) {
            if (sent ? quote_at(text, i, e) : sentence_end(text, e, i))
                prev[0] = 0;
            i += cl;
            continue;
        }
        bool digits;
        size_t n;
        i = word_at(text, i, e, w, &n, &digits);
        if (digits || jd_sm__fairness_word(w, n))
            continue;
        int rc = sent ? frame_word(fv, code, w, n) : JD_OK;
        const char *stem = rc ? NULL : stem_of(st, w, n);
        if (!stem)
            return JD_ENOMEM;
        char sw[64];
        size_t sl = strlen(stem) < sizeof sw - 1 ? strlen(stem) : sizeof sw - 1;
        memcpy(sw, stem, sl);
        sw[sl] = 0;
        if (sent) {
            rc = feat(fv, NULL, "s:", sw, true, 1.0f);
            if (!rc)
                rc = feat(fv, code, "s:", sw, true, 1.0f);
            char pair[130];
            if (!rc && prev[0]) {
                size_t pl = put(pair, 0, sizeof pair, prev);
                pl = put(pair, pl, sizeof pair, "_");
                pair[put(pair, pl, sizeof pair, sw)] = 0;
                rc = feat(fv, NULL, "b:", pair, true, 1.0f);
                if (!rc)
                    rc = feat(fv, code, "b:", pair, true, 1.0f);
            }
        } else if (mode == W_FCOLLECT) {
            rc = fcollect(st, 1, sw, NULL);
        } else if (mode == W_COLLECT) {
            rc = collect(st, "", sw);
            if (!rc && prev[0])
                rc = collect(st, prev, sw); /* a pair: "_prev_stem" */
        } else {
            rc = feat(fv, code, mode == W_FAMILY ? "fs:" : "n:", sw, true, 0.5f);
        }
        if (rc)
            return rc;
        memcpy(prev, sw, sl + 1);
    }
    return JD_OK;
}

/* A double quotation mark at t[i]: 1 opens or toggles ("), 2 closes (U+201D). */
static int dquote_at(const char *t, size_t i, size_t e)
{
    const unsigned char *u = (const unsigned char *)t + i;
    if (u[0] == '"')
        return 1;
    if (u[0] == 0xE2 && i + 2 < e && u[1] == 0x80 && (u[2] == 0x9C || u[2] == 0x9D))
        return u[2] == 0x9C ? 1 : 2;
    return 0;
}

/* A single quotation mark or apostrophe at t[i]: ' or U+2018/U+2019. */
static bool squote_at(const char *t, size_t i, size_t e)
{
    const unsigned char *u = (const unsigned char *)t + i;
    return u[0] == '\'' ||
           (u[0] == 0xE2 && i + 2 < e && u[1] == 0x80 && (u[2] == 0x98 || u[2] == 0x99));
}

/* Single quotes at a word's edge open (before a word) or close (after one)
 * a quotation; between two words ("she's", "o'clock") an apostrophe. */
static bool squoted(const char *t, size_t i, size_t cl, size_t len, bool after, bool sq)
{
    if (!squote_at(t, i, len))
        return sq;
    bool next = false;
    if (i + cl < len)
        (void)char_at(t, i + cl, len, &next);
    return !after && next ? true : after && !next ? false : sq;
}

/* The note's word families by meaning (model_lex.c) into st->lex_*: a
 * family's word or two-word frame in the writer's own words (outside
 * quotation marks), in a sentence naming the child, or quoted. */
static int lex_scan(jd_sm_stemmer *st, const char *text, size_t len)
{
    if (!st->lex_built && jd_sm__lex_build(&st->lex))
        return JD_ENOMEM;
    st->lex_built = true;
    st->lex_own = st->lex_child = st->lex_quoted = 0;
    uint32_t sent = 0;
    bool named = false, quoted = false, sq = false, after = false;
    char prev[64] = "", w[64], pair[130];
    for (size_t i = 0, n, pn = 0; i <= len;) {
        bool word = false, digits;
        size_t cl = i < len ? char_at(text, i, len, &word) : 1;
        if (i == len || sentence_end(text, len, i)) {
            st->lex_child |= named ? sent : 0;
            sent = 0;
            named = false;
            quoted &= i < len && text[i] != '\n';
            sq &= i < len && text[i] != '\n';
            pn = 0;
        }
        if (!word) {
            int q = i < len ? dquote_at(text, i, len) : 0;
            quoted = q == 1 ? !quoted : q == 2 ? false : quoted;
            sq = i < len ? squoted(text, i, cl, len, after, sq) : sq;
            after = false;
            i += cl;
            continue;
        }
        i = word_at(text, i, len, w, &n, &digits);
        after = true;
        bool in_q = quoted || sq;
        named |= in_list(w, n, child_words);
        uint32_t *v = jd_strmap_get(&st->lex, w, n), bits = v ? *v : 0;
        if (pn) {
            memcpy(pair, prev, pn);
            pair[pn] = ' ';
            memcpy(pair + pn + 1, w, n);
            v = jd_strmap_get(&st->lex, pair, pn + 1 + n);
            bits |= v ? *v : 0;
        }
        st->lex_quoted |= in_q ? bits : 0;
        st->lex_own |= in_q ? 0 : bits;
        sent |= in_q ? 0 : bits;
        memcpy(prev, w, n + 1);
        pn = n;
    }
    return JD_OK;
}

/* A wording candidate's families by meaning: "lex:" in the writer's words,
 * "lexc:" in a sentence naming the child, "lexq:" inside quotation marks. */
static int lex_feats(jd_sm_fv *fv, const jd_sm_stemmer *st, const char *code)
{
    static const char *const pre[] = {"lex:", "lexc:", "lexq:"};
    const uint32_t bits[] = {st->lex_own, st->lex_child, st->lex_quoted};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < jd_sm__lex_count(); i++)
            if ((bits[k] >> i & 1u) && feat(fv, code, pre[k], jd_sm__lex_name(i), false, 1.0f))
                return JD_ENOMEM;
    return JD_OK;
}

/* The note's words as label-specific features, from the stems of the note
 * read once a note (W_COLLECT); with pairs (the stems side by side in a
 * sentence, "nb:") for an indicator, whose model reads the note as a text
 * classifier of its own. */
static int note_stems(jd_sm_stemmer *st, const char *text, size_t len)
{
    uint64_t h = jd_hash_fast(text, len, 0x4e07e);
    if (!st->nstems || h != st->note_hash || len != st->note_len) {
        st->nslen = 0;
        st->note_hash = 0;
        st->nt_ok = false;
        if (word_feats(NULL, st, NULL, text, 0, len, W_COLLECT) || lex_scan(st, text, len))
            return JD_ENOMEM;
        st->note_hash = h;
        st->note_len = len;
    }
    return JD_OK;
}

static int note_words(jd_sm_fv *fv, jd_sm_stemmer *st, const char *code, const char *text,
                      size_t len, bool pairs)
{
    if (note_stems(st, text, len))
        return JD_ENOMEM;
    /* with pairs, a long note's words weigh less each (4 / sqrt(n), at most
     * 0.5): a note's margin must not grow with its length */
    size_t n = 0;
    for (size_t i = 0; pairs && i < st->nslen; i += strlen(st->nstems + i) + 1)
        n++;
    float v = pairs && n > 64 ? 4.0f / sqrtf((float)n) : 0.5f;
    for (size_t i = 0; i < st->nslen; i += strlen(st->nstems + i) + 1) {
        const char *w = st->nstems + i;
        if ((*w != '_' || pairs) &&
            feat(fv, code, *w == '_' ? "nb:" : "n:", w + (*w == '_'), true, v))
            return JD_ENOMEM;
    }
    return JD_OK;
}

/* The sentence(s) around [s, e). */
static void sentence_of(const char *t, size_t len, size_t *s, size_t *e)
{
    size_t a = *s < len ? *s : len, b = *e < len ? *e : len;
    while (a > 0 && !sentence_end(t, len, a - 1))
        a--;
    while (b < len && !sentence_end(t, len, b))
        b++;
    *s = a;
    *e = b;
}

/* Keep each feature once (the first, in the order found): binary features,
 * by an open-addressing set over (bucket, key) in fv's scratch. */
static int unique(jd_sm_fv *fv)
{
    size_t cap = 64;
    while (cap < 2 * fv->n)
        cap *= 2;
    if (jd_grow((void **)&fv->set, &fv->setcap, cap, sizeof *fv->set))
        return JD_ENOMEM;
    memset(fv->set, 0xff, cap * sizeof *fv->set);
    size_t o = 0;
    for (size_t i = 0; i < fv->n; i++) {
        const jd_sm_feat *f = &fv->f[i];
        size_t h = (f->key ^ f->bucket * 0x9e3779b9u) & (cap - 1);
        bool dup = false;
        for (; fv->set[h] != UINT32_MAX; h = (h + 1) & (cap - 1))
            if (fv->f[fv->set[h]].key == f->key && fv->f[fv->set[h]].bucket == f->bucket) {
                dup = true;
                break;
            }
        if (dup)
            continue;
        fv->f[o] = *f;
        fv->set[h] = (uint32_t)o++;
    }
    fv->n = o;
    return JD_OK;
}

/* The words of the sentences of the kind's matches (a family candidate). */
static int family_feats(jd_sm_fv *fv, jd_sm_stemmer *st, const jd_screen_note *in,
                        const jd_screen_result *res, const jd_screen_match *self, bool words)
{
    const char *text = in->text ? in->text : "";
    size_t len = strlen(text), done[4];
    int nd = 0, rc = both(fv, self->code, "family", NULL);
    for (size_t i = 0; !rc && words && i < res->n && nd < 4; i++) {
        const jd_screen_match *m = &res->m[i];
        if (m->kind != self->kind || m->start < 0 || !strcmp(m->code, self->code))
            continue;
        rc = feat(fv, self->code, m->counts ? "fhas:" : "fhasx:", m->code, false, 1.0f);
        size_t s = (size_t)m->start, e = (size_t)m->end;
        sentence_of(text, len, &s, &e);
        bool seen = false;
        for (int j = 0; j < nd; j++)
            seen |= done[j] == s;
        if (seen || rc)
            continue;
        done[nd++] = s;
        rc = word_feats(fv, st, self->code, text, s, e, W_FAMILY);
    }
    return rc;
}

/* jd_screen__features_for; words false: without the note's words nor the
 * family's (fhas: and the kind's sentences): family_prob adds those. */
static int features(jd_sm_fv *fv, jd_sm_stemmer *st, const jd_screen_note *in,
                    const jd_screen_result *res, const jd_screen_match *self, int ci, int xi,
                    bool words)
{
    fv->n = fv->nlen = 0;
    const char *code = self->code, *text = in->text ? in->text : "";
    size_t len = strlen(text);
    int rc = note_feats(fv, in, res, self);
    if (!rc && ci < 0 && xi < 0)
        rc = family_feats(fv, st, in, res, self, words);
    if (!rc && ci >= 0)
        rc = match_feats(fv, &res->m[ci], code, true);
    if (!rc && xi >= 0)
        rc = match_feats(fv, &res->m[xi], code, false);
    for (int k = 0; k < 2 && !rc; k++) {
        int mi = k ? xi : ci;
        if (mi < 0 || res->m[mi].start < 0 ||
            (k && ci >= 0 && res->m[ci].start >= 0 && res->m[ci].start == res->m[mi].start))
            continue;
        size_t s = (size_t)res->m[mi].start, e = (size_t)res->m[mi].end;
        sentence_of(text, len, &s, &e);
        if (memchr(text + s, '"', e - s) || memmem(text + s, e - s, "\xe2\x80\x9c", 3))
            rc = both(fv, code, "sent:quote", NULL);
        if (!rc)
            rc = word_feats(fv, st, code, text, s, e, W_SENT);
    }
    if (!rc && words)
        rc = note_words(fv, st, code, text, len, true); /* stem pairs for every kind */
    if (!rc && words && self->kind == JD_SCREEN_LANGUAGE)
        rc = lex_feats(fv, st, code);
    return rc || unique(fv) ? JD_ENOMEM : JD_OK;
}

int jd_screen__features_for(jd_sm_fv *fv, jd_sm_stemmer *st, const jd_screen_note *in,
                            const jd_screen_result *res, const jd_screen_match *self, int ci,
                            int xi)
{
    return features(fv, st, in, res, self, ci, xi, true);
}

int jd_screen__features(jd_sm_fv *fv, jd_sm_stemmer *st, const jd_screen_note *in,
                        const jd_screen_result *res, int ci, int xi)
{
    return jd_screen__features_for(fv, st, in, res, &res->m[ci >= 0 ? ci : xi], ci, xi);
}

bool jd_screen__beside_match(const jd_screen_result *res, jd_screen_kind kind)
{
    if (kind == JD_SCREEN_INDICATOR || kind == JD_SCREEN_LANGUAGE)
        return true;
    for (size_t i = 0; i < res->n; i++)
        if (res->m[i].kind == kind && !(res->m[i].attrs & JD_SCREEN_WEAK))
            return true;
    return false;
}

bool jd_screen__family_candidate(const jd_screen_result *res, jd_screen_kind kind, const char *code,
                                 bool open)
{
    /* a text classifier per indicator and per wording slug; offences when open */
    for (size_t i = 0; i < res->n; i++)
        if (res->m[i].kind == kind && !strcmp(res->m[i].code, code))
            return false;
    return open || jd_screen__beside_match(res, kind);
}

float jd_sm__named_weight(const jd_sm_kind *k, uint32_t key)
{
    size_t lo = 0, hi = k->nn;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k->keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k->nn && k->keys[lo] == key ? k->w[lo] : 0.0f;
}

static float weight_of(const jd_sm_kind *k, const jd_sm_feat *f)
{
    if (f->bucket == JD_SM_WORD)
        return jd_sm__named_weight(k, f->key);
    return k->wb ? k->wb[f->bucket] : 0;
}

double jd_sm__predict(const jd_screen_model *m, jd_screen_kind kind, const jd_sm_fv *fv, int dir,
                      size_t *top, size_t ntop, size_t *nout)
{
    const jd_sm_kind *k = &m->k[kind];
    double z = 0;
    double best[8] = {0};
    size_t nb = 0;
    ntop = ntop > 8 ? 8 : ntop;
    for (size_t i = 0; i < fv->n; i++) {
        const jd_sm_feat *f = &fv->f[i];
        float w = weight_of(k, f);
        double c = (double)w * f->v;
        z += c;
        double r = dir ? c * dir : fabs(c); /* its rank: toward the decision, or any way */
        if (!top || !ntop || r <= 0)
            continue;
        /* keep the ntop largest r, by insertion */
        size_t at = nb < ntop ? nb++ : ntop;
        while (at > 0 && best[at - 1] < r) {
            if (at < ntop) {
                best[at] = best[at - 1];
                top[at] = top[at - 1];
            }
            at--;
        }
        if (at < ntop) {
            best[at] = r;
            top[at] = i;
        }
    }
    if (nout)
        *nout = nb;
    return 1.0 / (1.0 + exp(-z));
}

double jd_sm__threshold(const jd_screen_model *m, jd_screen_kind kind, const char *code)
{
    const jd_sm_kind *k = &m->k[kind];
    if (!k->on)
        return -1;
    uint32_t *v = jd_strmap_get(&k->thr_of, code, strlen(code));
    return v ? k->thr[*v] : k->def_thr;
}

double jd_sm__family_threshold(const jd_screen_model *m, jd_screen_kind kind, const char *code,
                               bool open)
{
    const jd_sm_kind *k = &m->k[kind];
    if (!k->on || !k->family)
        return -1;
    char key[64];
    _Static_assert(JD_SM_CODE_MAX + sizeof "/family" <= sizeof key, "a threshold key is cut");
    uint32_t *v = NULL;
    if (strlen(code) > JD_SM_CODE_MAX)
        return -1; /* longer than a loaded rule's: no key of its own */
    if (open) {
        int n = snprintf(key, sizeof key, "%s/open", code);
        if (!(v = jd_strmap_get(&k->thr_of, key, (size_t)n)))
            v = jd_strmap_get(&k->thr_of, "any/open", 8);
    }
    int n = snprintf(key, sizeof key, "%s/family", code);
    if (!v)
        v = jd_strmap_get(&k->thr_of, key, (size_t)n);
    if (!v)
        v = jd_strmap_get(&k->thr_of, "any/family", 10);
    return v ? k->thr[*v] : -1;
}

unsigned jd_sm__kinds(const jd_screen_model *m)
{
    unsigned k = 0;
    for (int i = 0; m && i < 3; i++)
        k |= m->k[i].on ? 1u << i : 0;
    return k;
}

size_t jd_screen_model_labels(const jd_screen_model *m)
{
    size_t n = 0;
    for (int i = 0; m && i < 3; i++)
        n += m->k[i].on ? (m->k[i].nthr ? m->k[i].nthr : 1) : 0;
    return n;
}

/* "p 0.83 >= 0.40; weighed most: counted +1.20, s:consent +0.61": the
 * features that weighed most toward the decision (for a count, against a veto). */
static void explain(jd_screen_match *m, const jd_screen_model *M, const jd_sm_fv *fv, double p,
                    double t)
{
    size_t top[5], nt = 0;
    (void)jd_sm__predict(M, m->kind, fv, p >= t ? 1 : -1, top, 5, &nt);
    m->modelled = true;
    m->prob = (float)p;
    m->threshold = (float)t;
    char s[sizeof m->model + 256]; /* room for the last feature, then cut to fit */
    size_t o =
        (size_t)snprintf(s, sizeof s, "p %.2f %s %.2f; weighed most:", p, p >= t ? ">=" : "<", t);
    const jd_sm_kind *k = &M->k[m->kind];
    for (size_t i = 0; i < nt && o < sizeof m->model; i++) {
        const jd_sm_feat *f = &fv->f[top[i]];
        float w = weight_of(k, f);
        o += (size_t)snprintf(s + o, sizeof s - o, "%s %s %+.2f", i ? "," : "",
                              jd_sm__name(fv, top[i]), (double)(w * f->v));
    }
    o = o < sizeof s ? o : sizeof s - 1;
    /* cut at a character boundary (a name cut mid-character drops the JSON) */
    size_t len = o < sizeof m->model ? o : jd_utf8_cut(s, sizeof m->model - 1);
    memcpy(m->model, s, len);
    m->model[len] = '\0';
}

/* m->why as the model's verdict over the rules' reason (lead), the
 * reason's first 100 bytes and the whole cut at a character boundary. */
static void why_over(jd_screen_match *m, const char *lead, double p, double t)
{
    char why[sizeof m->why + 160]; /* room for the whole, then cut to fit */
    size_t rl = strnlen(m->why, sizeof m->why);
    int keep = (int)(rl > 100 ? jd_utf8_cut(m->why, 100) : rl);
    int n = snprintf(why, sizeof why, "%s (p %.2f %s %.2f)%s %.*s", lead, p, p < t ? "<" : ">=",
                     t, m->counts ? " over:" : ";", keep, m->why);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (len >= sizeof m->why)
        len = jd_utf8_cut(why, sizeof m->why - 1);
    memcpy(m->why, why, len);
    m->why[len] = '\0';
}

bool jd_sm__counts(int only, bool counted, double p, double t)
{
    if (only == JD_SM_VETO)
        return counted && p >= t;
    if (only == JD_SM_RAISE)
        return counted || p >= t;
    return p >= t;
}

/* Whether the model may count a ruled-out match: only a ruling-out that is
 * weak (JD_SCREEN_WEAK, or a candidate by the event type alone: no words,
 * no attributes), about another person (kept by the figures: U/Y/Z tune
 * .699 -> .702 and the pool held-out .733 -> .736 against refusing it) or
 * attributed, not challenged ("Mum says she is streetwise": the wording
 * model's case); never over negated, hypothetical, historical, challenged,
 * innocent, property, sense or age, nor over a ruling-out with no attribute
 * ("the note concludes there is no concern", "C11 counts in the note").
 * The trainer asks the same (model_train.c: such a candidate is not fitted). */
bool jd_sm__may_count(const jd_screen_match *m)
{
    unsigned firm = JD_SCREEN_NEGATED | JD_SCREEN_HYPOTHETICAL | JD_SCREEN_HISTORICAL |
                    JD_SCREEN_CHALLENGED | JD_SCREEN_INNOCENT | JD_SCREEN_PROPERTY |
                    JD_SCREEN_SENSE | JD_SCREEN_AGE | JD_SCREEN__OVERRULED;
    if (m->counts || (m->attrs & firm))
        return false;
    if (m->attrs & (JD_SCREEN_WEAK | JD_SCREEN_OTHER_PERSON | JD_SCREEN_QUOTED))
        return true;
    return m->start < 0 && !m->attrs;
}

/* Whether a feature is the note's setting, not what it says: the label's
 * base rate ("bias"), that the rules counted it and by which rule, the event
 * type, agency, the child's age band and how many labels of its kind the
 * rules counted ("nkind:"). The rest is the note's content: its words, the
 * attributes the rules read, the other labels, the other person's age. */
static bool setting_feature(const char *name)
{
    const char *b = strchr(name, '|'); /* "C16|bias": the label's own */
    b = b ? b + 1 : name;
    static const char *const pre[] = {"et:", "ag:", "age:", "nkind:", "rule:"};
    if (!strcmp(b, "bias") || !strcmp(b, "counted"))
        return true;
    for (size_t i = 0; i < JD_ARRAY_LEN(pre); i++)
        if (!strncmp(b, pre[i], strlen(pre[i])))
            return true;
    return false;
}

/* The veto floor on the setting alone (issue 14, seventeenth session): a
 * veto of an offence or wording the rules counted is the model's only when
 * something the note says is among the features that weighed most toward
 * it (the five explain() shows); "nkind:0, bias, age:13-15, et:case_note"
 * names no reason, only how often such notes held the label in the
 * corpora ("She was attacked by two lads in the park", "Mum left him alone
 * for the whole weekend": p .28 and .22 from the setting). Only for the
 * note's one label of its kind the rules counted: beside another (an offence
 * or a slug the rules counted too) the model chooses between labels, and the
 * corpora often name the other for the same act ("SARC" beside a counted C2).
 * Indicators keep their model's vetoes (the default since the eleventh
 * session). */
static bool setting_only(const jd_screen_model *M, const jd_screen_result *res,
                         const jd_screen_match *m, const jd_sm_fv *fv)
{
    if (m->kind == JD_SCREEN_INDICATOR)
        return false;
    for (size_t i = 0; i < res->n; i++)
        if (res->m[i].kind == m->kind && res->m[i].counts && strcmp(res->m[i].code, m->code))
            return false; /* another label of its kind stands: the model chooses between them */
    size_t top[5], nt = 0;
    (void)jd_sm__predict(M, m->kind, fv, -1, top, 5, &nt);
    for (size_t i = 0; i < nt; i++)
        if (!setting_feature(jd_sm__name(fv, top[i])))
            return false;
    return nt > 0;
}

/* Decide one candidate: veto its counted match or count its ruled-out one.
 * A firm match (JD_SCREEN__FIRM, the veto floor) stays counted whatever p,
 * its why naming the floor and p; so does one whose veto rests on the
 * setting alone (bare, setting_only). */
static void decide(jd_screen_result *res, int ci, int xi, double p, double t, bool bare)
{
    bool on = p >= t;
    if (ci >= 0 && !on && bare && !(res->m[ci].attrs & JD_SCREEN__FIRM)) {
        why_over(&res->m[ci], "counted: the model may not veto on the setting alone", p, t);
    } else if (ci >= 0 && !on && (res->m[ci].attrs & JD_SCREEN__FIRM)) {
        why_over(&res->m[ci],
                 res->m[ci].kind == JD_SCREEN_OFFENCE
                     ? "counted: the model may not veto an offence the rules read on the child"
                     : "counted: the model may not veto an adult named with an age",
                 p, t);
    } else if (ci >= 0 && !on) {
        res->m[ci].counts = false;
        why_over(&res->m[ci], "not counted: the model", p, t);
    } else if (ci < 0 && on) {
        res->m[xi].counts = true;
        why_over(&res->m[xi], "counted by the model", p, t);
    }
}

/* The summed weight toward proto's code of the words of text[a, b) (their
 * features in fv). */
static int span_weight(jd_screen_model *M, const jd_screen_match *proto, const char *text,
                       size_t a, size_t b, jd_sm_fv *fv, double *z)
{
    fv->n = fv->nlen = 0;
    if (word_feats(fv, M->st, proto->code, text, a, b, 0))
        return JD_ENOMEM;
    *z = 0;
    for (size_t i = 0; i < fv->n; i++)
        *z += (double)weight_of(&M->k[proto->kind], &fv->f[i]);
    return JD_OK;
}

/* The sentence of the note whose words weigh most toward code (an open
 * label raised where no rule of its kind matched: the sentence the
 * practitioner is shown). [*s, *e) = [-1, -1) for an empty note. */
static int best_sentence(jd_screen_model *M, const jd_screen_match *proto,
                         const jd_screen_note *in, int *s, int *e)
{
    const char *text = in->text ? in->text : "";
    size_t len = strlen(text);
    double best = -HUGE_VAL;
    jd_sm_fv fv = {0};
    *s = *e = -1;
    for (size_t a = 0; a < len;) {
        size_t b = a;
        sentence_of(text, len, &a, &b);
        b = b < len ? b + 1 : len;
        double z;
        if (span_weight(M, proto, text, a, b, &fv, &z)) {
            jd_sm__fv_free(&fv);
            return JD_ENOMEM;
        }
        if (fv.n && z > best) {
            best = z;
            *s = (int)a + (int)strspn(text + a, " \t\r\n"); /* from its first word */
            *e = (int)b;
        }
        a = b;
    }
    jd_sm__fv_free(&fv);
    return JD_OK;
}

/* The word of text[s, e) that weighs most toward proto's code on its own
 * (its byte offset in *at; -1 none): where the rules' scope is read. */
static int anchor_word(jd_screen_model *M, const jd_screen_match *proto, const char *text, int s,
                       int e, int *at)
{
    double best = -HUGE_VAL;
    jd_sm_fv fv = {0};
    *at = -1;
    for (size_t i = (size_t)(s < 0 ? 0 : s), end = (size_t)(e < 0 ? 0 : e); i < end;) {
        bool word;
        size_t j = i + char_at(text, i, end, &word);
        if (!word) {
            i = j;
            continue;
        }
        for (bool w = true; w && j < end;) {
            size_t cl = char_at(text, j, end, &w);
            j += w ? cl : 0;
        }
        double z;
        if (span_weight(M, proto, text, i, j, &fv, &z)) {
            jd_sm__fv_free(&fv);
            return JD_ENOMEM;
        }
        if (fv.n && z > best)
            best = z, *at = (int)i;
        i = j;
    }
    jd_sm__fv_free(&fv);
    return JD_OK;
}

/* A label no rule of its own matched, raised by the model: shown with the
 * note's sentence that weighs most toward it (best_sentence) and the rule
 * "model", never another label's words or rule; with the model's why. The
 * rules' reading of that sentence's weightiest word (anchor_word,
 * jd_screen__attrs_at) is kept: what the rules would rule out (negated,
 * hypothetical, historical, about another person...) is not counted. */
static int raise_family(jd_screen_model *M, const jd_screen *S, jd_sm_attrs_fn attrs,
                        jd_screen_result *res, const jd_screen_match *proto,
                        const jd_screen_note *in, double p, double t)
{
    if (jd_grow((void **)&res->m, &res->cap, res->n + 1, sizeof *res->m))
        return JD_ENOMEM;
    jd_screen_match m = *proto;
    m.rule = "model";
    int at = -1;
    if (best_sentence(M, proto, in, &m.start, &m.end) ||
        (S && attrs && anchor_word(M, proto, in->text ? in->text : "", m.start, m.end, &at)))
        return JD_ENOMEM;
    unsigned out = JD_SCREEN_NEGATED | JD_SCREEN_HYPOTHETICAL | JD_SCREEN_HISTORICAL |
                   JD_SCREEN_OTHER_PERSON | JD_SCREEN_CHALLENGED |
                   JD_SCREEN_INNOCENT | JD_SCREEN_PROPERTY | JD_SCREEN_SENSE;
    m.attrs = at >= 0 ? attrs(S, proto->kind, proto->code, at) : 0;
    m.counts = !(m.attrs & out);
    m.recorded = in->crime_recorded == 1; /* the record's answer */
    m.other_age = -1;
    m.act_age = -1;
    snprintf(m.basis, sizeof m.basis, "child %d, the other's age not read", in->child_age);
    char names[160];
    size_t o = 0;
    names[0] = 0;
    for (size_t i = 0; i < JD_ARRAY_LEN(attr_names) && o < sizeof names; i++)
        if (m.attrs & out & attr_names[i].bit)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", o ? ", " : "",
                                  attr_names[i].bit == JD_SCREEN_OTHER_PERSON
                                      ? "about another person"
                                      : attr_names[i].name);
    if (m.counts)
        snprintf(m.why, sizeof m.why,
                 "counted by the model (p %.2f >= %.2f) from the note's words; no rule of its "
                 "label matched",
                 p, t);
    else
        snprintf(m.why, sizeof m.why,
                 "not counted: the model's p %.2f >= %.2f, but the rules read its words as %s",
                 p, t, names);
    res->m[res->n++] = m;
    return JD_OK;
}

/* The memo entry of a term (added with no bucket yet). */
static int term_entry(jd_sm_stemmer *st, const char *w, uint32_t *out)
{
    bool added;
    if (jd_grow((void **)&st->ent, &st->entcap, st->terms.n + 1, sizeof *st->ent))
        return JD_ENOMEM;
    uint32_t *e = jd_strmap_put(&st->terms, w, strlen(w), (uint32_t)st->terms.n, &added);
    if (!e)
        return JD_ENOMEM;
    if (added)
        st->ent[*e].have = st->ent[*e].stamp = 0;
    *out = *e;
    return JD_OK;
}

/* What the family part of a kind's candidates depends on: the note (its
 * text, event type, agency, child's age), its matches and the kind (a
 * raised label adds a match). */
static uint64_t fam_key(const jd_sm_stemmer *st, const jd_screen_note *in,
                        const jd_screen_result *res, int kind)
{
    const char *et = in->event_type ? in->event_type : "", *ag = in->agency ? in->agency : "";
    uint64_t h = (st->note_hash ^ st->note_len) * 0x100000001b3ULL ^ (uint64_t)kind;
    h = (h ^ jd_hash_fast(et, strlen(et), 1) ^ jd_hash_fast(ag, strlen(ag), 2) * 3 ^
         (uint64_t)(uint32_t)in->child_age << 40) *
        0x100000001b3ULL;
    for (size_t i = 0; i < res->n; i++) {
        const jd_screen_match *m = &res->m[i];
        h = (h ^ (uint64_t)(uintptr_t)m->code ^ (uint64_t)m->kind << 60 ^ (uint64_t)m->counts << 59 ^
             (uint64_t)(uint32_t)m->start << 29 ^ (uint64_t)(uint32_t)m->end) *
            0x100000001b3ULL;
    }
    return h ^ res->n;
}

/* Add the term at st->fstems + off to the family list (once; value v). */
static int fam_push(jd_sm_stemmer *st, size_t off, float v)
{
    uint32_t e;
    if (term_entry(st, st->fstems + off, &e))
        return JD_ENOMEM;
    if (st->ent[e].stamp == st->stamp)
        return JD_OK;
    st->ent[e].stamp = st->stamp;
    if (jd_grow((void **)&st->fam, &st->famcap, st->nfam + 1, sizeof *st->fam))
        return JD_ENOMEM;
    st->fam[st->nfam++] = (fam_item){e, (uint32_t)off, v};
    return JD_OK;
}

/* The note's facts and "family" as terms, from the features of a code no
 * match has (FAM_CODE): "\2name" for "FAM_CODE|name", else "\3name". */
#define FAM_CODE "\x7f"
static int fam_named(jd_sm_stemmer *st, jd_sm_fv *fv, const jd_screen_note *in,
                     const jd_screen_result *res, int kind)
{
    jd_screen_match self = {.kind = (jd_screen_kind)kind, .code = FAM_CODE};
    if (features(fv, st, in, res, &self, -1, -1, false))
        return JD_ENOMEM;
    for (size_t i = 0; i < fv->n; i++) {
        const char *name = jd_sm__name(fv, i);
        bool own = !strncmp(name, FAM_CODE "|", 2);
        size_t off = st->fslen;
        if (fcollect(st, own ? 2 : 3, name + (own ? 2 : 0), NULL) ||
            fam_push(st, off, fv->f[i].v))
            return JD_ENOMEM;
    }
    return JD_OK;
}

/* A family candidate's features but the note's words, in the order
 * jd_screen__features_for gives them, each once: the note's facts,
 * "family", "fhas:"/"fhasx:" of the kind's matches and the stems of their
 * sentences (at most 4). */
static int fam_build(jd_sm_stemmer *st, jd_sm_fv *fv, const jd_screen_note *in, const char *text,
                     size_t len, const jd_screen_result *res, int kind)
{
    uint64_t key = fam_key(st, in, res, kind);
    if (st->fam_ok && st->fam_key == key)
        return JD_OK;
    st->fam_ok = false;
    st->nfam = st->fslen = 0;
    st->stamp++;
    if (fam_named(st, fv, in, res, kind))
        return JD_ENOMEM;
    size_t done[4];
    int nd = 0;
    for (size_t i = 0; i < res->n && nd < 4; i++) {
        const jd_screen_match *m = &res->m[i];
        if ((int)m->kind != kind || m->start < 0)
            continue;
        size_t s = (size_t)m->start, e = (size_t)m->end, from = st->fslen;
        if (fcollect(st, 2, m->counts ? "fhas:" : "fhasx:", m->code) || fam_push(st, from, 1.0f))
            return JD_ENOMEM;
        sentence_of(text, len, &s, &e);
        bool seen = false;
        for (int j = 0; j < nd; j++)
            seen |= done[j] == s;
        if (seen)
            continue;
        done[nd++] = s;
        from = st->fslen;
        if (word_feats(NULL, st, NULL, text, s, e, W_FCOLLECT))
            return JD_ENOMEM;
        for (size_t o = from; o < st->fslen; o += strlen(st->fstems + o) + 1)
            if (fam_push(st, o, 0.5f))
                return JD_ENOMEM;
    }
    st->fam_key = key;
    st->fam_ok = true;
    return JD_OK;
}

/* The note's terms once each, in the order note_words adds them, and the
 * weight of each (st->nt, st->nt_v); a memo entry for each. */
static int note_terms(jd_sm_stemmer *st, const char *text, size_t len, bool pairs)
{
    if (note_stems(st, text, len))
        return JD_ENOMEM;
    if (st->nt_ok && st->nt_pairs == pairs)
        return JD_OK;
    size_t n = 0;
    for (size_t i = 0; i < st->nslen; i += strlen(st->nstems + i) + 1)
        n++;
    if (jd_grow((void **)&st->nt, &st->ntcap, n, sizeof *st->nt) ||
        jd_grow((void **)&st->ntw, &st->ntwcap, n, sizeof *st->ntw))
        return JD_ENOMEM;
    st->stamp++;
    st->nnt = 0;
    for (size_t i = 0; i < st->nslen; i += strlen(st->nstems + i) + 1) {
        const char *w = st->nstems + i;
        uint32_t e;
        if (*w == '_' && !pairs)
            continue;
        if (term_entry(st, w, &e))
            return JD_ENOMEM;
        if (st->ent[e].stamp == st->stamp)
            continue;
        st->ent[e].stamp = st->stamp;
        st->ntw[st->nnt] = w;
        st->nt[st->nnt++] = e;
    }
    st->nt_v = pairs && n > 64 ? 4.0f / sqrtf((float)n) : 0.5f; /* as note_words */
    st->nt_pairs = pairs;
    st->nt_ok = true;
    return JD_OK;
}

/* The memo's column of a label (its kind and code: a weight is the kind's,
 * so a code two kinds shared would otherwise read the other kind's): >= 0,
 * -1 none left (or a long code), -2 out of memory. */
static int slot_for(jd_sm_stemmer *st, jd_screen_kind kind, const char *code)
{
    size_t n = strlen(code);
    char key[sizeof st->scode[0] + 1];
    if (n >= sizeof st->scode[0])
        return -1;
    key[0] = (char)('0' + kind);
    memcpy(key + 1, code, n + 1);
    uint32_t *v = jd_strmap_get(&st->slot_of, key, n + 1);
    if (v)
        return (int)*v;
    if (st->nslots >= TERM_SLOTS)
        return -1;
    bool added;
    if (!jd_strmap_put(&st->slot_of, key, n + 1, (uint32_t)st->nslots, &added))
        return -2;
    memcpy(st->scode[st->nslots], code, n + 1);
    static const char *const pre[3] = {"n:", "nb:", "fs:"};
    for (int i = 0; i < 3; i++) {
        char name[JD_SM_CODE_MAX + 8];
        int len = snprintf(name, sizeof name, "%s|%s", code, pre[i]);
        st->spre[st->nslots][i] = jd_hash64(name, (size_t)len, 0xb0c7);
        st->sprelen[st->nslots][i] = (uint8_t)len;
    }
    return (int)st->nslots++;
}

/* The weight of a term (term_ent) for a code, by the name
 * jd_screen__features_for gives the feature. */
static float term_weight_of(const jd_sm_kind *k, const char *code, const char *w)
{
    char name[160];
    size_t len = 0;
    if (*w != 3) {
        len = put(name, len, sizeof name, code);
        len = put(name, len, sizeof name, "|");
    }
    bool named = *w == 2 || *w == 3;
    len = put(name, len, sizeof name, *w == 1 ? "fs:" : *w == '_' ? "nb:" : named ? "" : "n:");
    len = put(name, len, sizeof name, w + (*w == '_' || *w == 1 || named));
    if (named)
        return jd_sm__named_weight(k, jd_sm__key(name, len));
    return k->wb ? k->wb[bucket_of(name, len)] : 0;
}

/* A term's weight for the label of slot (computed once a term and label). */
static float term_weight(jd_sm_stemmer *st, const jd_sm_kind *k, int slot, uint32_t e,
                         const char *w)
{
    term_ent *t = &st->ent[e];
    if (t->have >> slot & 1)
        return t->w[slot];
    int pi = *w == 1 ? 2 : *w == '_' ? 1 : 0;
    const char *tail = w + (*w == 1 || *w == '_');
    size_t tl = strlen(tail);
    if (*w == 2 || *w == 3 || st->sprelen[slot][pi] + tl >= 160) {
        t->w[slot] = term_weight_of(k, st->scode[slot], w);
    } else { /* bucket_of the name, on from the hash of its prefix */
        uint64_t h = st->spre[slot][pi];
        for (size_t i = 0; i < tl; i++) {
            h ^= (unsigned char)tail[i];
            h *= 1099511628211ULL;
        }
        t->w[slot] = k->wb ? k->wb[h & (JD_SM_BUCKETS - 1)] : 0;
    }
    t->have |= 1ull << slot;
    return t->w[slot];
}

/* The note's terms and the kind's family part, for family_p. */
static int family_prep(jd_sm_stemmer *st, jd_sm_fv *fv, const jd_screen_note *in,
                       const jd_screen_result *res, int kind)
{
    const char *text = in->text ? in->text : "";
    size_t len = strlen(text);
    if (st->terms.n > TERMS_MAX) { /* the memo starts again: every list with it */
        jd_strmap_free(&st->terms);
        jd_strmap_init(&st->terms);
        st->nt_ok = st->fam_ok = false;
    }
    return note_stems(st, text, len) || fam_build(st, fv, in, text, len, res, kind) ||
                   note_terms(st, text, len, true)
               ? JD_ENOMEM
               : JD_OK;
}

static double family_p(jd_sm_stemmer *st, const jd_sm_kind *k, int slot, bool lex);

int jd_sm__family_prob(jd_screen_model *M, const jd_screen_note *in, const jd_screen_result *res,
                       const jd_screen_match *self, jd_sm_fv *fv, double *p)
{
    if (!M->st && jd_sm__stemmer_new(&M->st))
        return JD_ENOMEM;
    jd_sm_stemmer *st = M->st;
    int slot = slot_for(st, self->kind, self->code);
    if (slot == -2)
        return JD_ENOMEM;
    if (slot < 0) {
        if (jd_screen__features_for(fv, st, in, res, self, -1, -1))
            return JD_ENOMEM;
        *p = jd_sm__predict(M, self->kind, fv, 0, NULL, 0, NULL);
        return JD_OK;
    }
    if (family_prep(st, fv, in, res, (int)self->kind))
        return JD_ENOMEM;
    *p = family_p(st, &M->k[self->kind], slot, self->kind == JD_SCREEN_LANGUAGE);
    return JD_OK;
}

/* A family candidate's probability once family_prep has read the note;
 * lex: a wording candidate, whose "lex:" features (lex_feats) come after
 * the note's words. */
static double family_p(jd_sm_stemmer *st, const jd_sm_kind *k, int slot, bool lex)
{
    /* jd_sm__predict's sum, in the order of jd_screen__features_for: the same bits */
    double z = 0;
    for (size_t i = 0; i < st->nfam; i++)
        z += (double)term_weight(st, k, slot, st->fam[i].ent, st->fstems + st->fam[i].off) *
             st->fam[i].v;
    for (size_t i = 0; i < st->nnt; i++)
        z += (double)term_weight(st, k, slot, st->nt[i], st->ntw[i]) * st->nt_v;
    static const char *const pre[] = {"lex:", "lexc:", "lexq:"};
    const uint32_t bits[] = {st->lex_own, st->lex_child, st->lex_quoted};
    for (size_t b = 0; lex && b < 3; b++)
        for (size_t i = 0; i < jd_sm__lex_count(); i++)
            if (bits[b] >> i & 1u) {
                char name[160];
                size_t len = put(name, 0, sizeof name, st->scode[slot]);
                len = put(name, len, sizeof name, "|");
                len = put(name, len, sizeof name, pre[b]);
                len = put(name, len, sizeof name, jd_sm__lex_name(i));
                z += (double)jd_sm__named_weight(k, jd_sm__key(name, len));
            }
    return 1.0 / (1.0 + exp(-z));
}

/* The labels of a kind for the child's age (labels(), kept while the age
 * and the screen stay the same); NULL when out of memory. */
static const jd_screen_match *kind_labels(jd_sm_stemmer *st, const jd_screen *S,
                                          jd_sm_labels_fn labels, int kind, int age, size_t *n)
{
    if (age < -1 || age > LAB_AGES - 2) {
        *n = labels(S, (jd_screen_kind)kind, age, st->lab_any, JD_SM_FAMILY_MAX);
        return st->lab_any;
    }
    if (st->lab_of[kind] != (const void *)S) {
        for (int a = 0; a < LAB_AGES; a++) {
            free(st->lab[kind][a]);
            st->lab[kind][a] = NULL;
        }
        st->lab_of[kind] = S;
    }
    jd_screen_match **l = &st->lab[kind][age + 1];
    if (!*l) {
        if (!(*l = calloc(JD_SM_FAMILY_MAX, sizeof **l)))
            return NULL;
        st->nlab[kind][age + 1] =
            (uint8_t)labels(S, (jd_screen_kind)kind, age, *l, JD_SM_FAMILY_MAX);
    }
    *n = st->nlab[kind][age + 1];
    return *l;
}

void jd_sm__new_screen(jd_screen_model *m)
{
    for (int i = 0; m && m->st && i < 3; i++)
        m->st->lab_of[i] = NULL;
}

/* A decision of the model, applied once every candidate of the note is
 * read: each candidate reads the rules' result, as the trainer's did
 * (jd_screen_data_new), never another candidate's decision, so the order of
 * the matches and labels changes no probability ("has:" of a label vetoed
 * or raised before it). ci = xi = -1: a raised label, explained. */
typedef struct pending {
    int ci, xi;
    double p, t;
    bool bare; /* a veto would rest on the setting alone (setting_only) */
    jd_screen_match raised;
} pending;

typedef struct pendings {
    pending *v;
    size_t n, cap;
} pendings;

static pending *pend(pendings *P, int ci, int xi, double p, double t)
{
    if (jd_grow((void **)&P->v, &P->cap, P->n + 1, sizeof *P->v))
        return NULL;
    pending *d = &P->v[P->n++];
    d->ci = ci;
    d->xi = xi;
    d->p = p;
    d->t = t;
    d->bare = false;
    return d;
}

static int apply_family(jd_screen_model *M, const jd_screen *S, jd_sm_labels_fn labels,
                        const jd_screen_note *in, const jd_screen_result *res, jd_sm_fv *fv,
                        pendings *P)
{
    for (int kind = 0; kind < 3; kind++) {
        /* a kind the note did not ask for (in->kinds: analyse asks offences)
         * raises nothing: its rules were not scanned either */
        if (!M->k[kind].on || !M->k[kind].family || M->k[kind].only == JD_SM_VETO ||
            (in->kinds && !(in->kinds & (1u << kind))))
            continue;
        bool open = M->k[kind].open;
        size_t np = 0;
        const jd_screen_match *protos = kind_labels(M->st, S, labels, kind, in->child_age, &np);
        if (!protos)
            return JD_ENOMEM;
        bool prepared = false; /* family_prep for this res */
        /* before any raise: an open raise is one in a note where no rule of its kind matched */
        bool lone = !jd_screen__beside_match(res, (jd_screen_kind)kind);
        for (size_t j = 0; j < np; j++) {
            double t = jd_sm__family_threshold(M, (jd_screen_kind)kind, protos[j].code, lone);
            if (t < 0 || !jd_screen__family_candidate(res, (jd_screen_kind)kind, protos[j].code, open))
                continue;
            double p;
            int slot = slot_for(M->st, (jd_screen_kind)kind, protos[j].code);
            if (slot >= 0 && !prepared && family_prep(M->st, fv, in, res, kind))
                return JD_ENOMEM;
            prepared |= slot >= 0;
            if (slot >= 0)
                p = family_p(M->st, &M->k[kind], slot, kind == JD_SCREEN_LANGUAGE);
            else if (jd_sm__family_prob(M, in, res, &protos[j], fv, &p))
                return JD_ENOMEM;
            if (p < t)
                continue;
            prepared = false; /* the features below use the stemmer's lists */
            /* raised: every feature, for the explanation; into res at the end */
            pending *d = pend(P, -1, -1, p, t);
            if (!d || jd_screen__features_for(fv, M->st, in, res, &protos[j], -1, -1))
                return JD_ENOMEM;
            d->raised = protos[j];
            explain(&d->raised, M, fv, p, t);
        }
    }
    return JD_OK;
}

int jd_sm__apply(jd_screen_model *M, const jd_screen *S, jd_sm_labels_fn labels,
                 jd_sm_attrs_fn attrs, const jd_screen_note *in, jd_screen_result *res,
                 jd_error *err)
{
    if (!M || !in || !res)
        return jd_error_set(err, JD_EINVALID, "model, note and result are required");
    if (!M->st && jd_sm__stemmer_new(&M->st))
        return jd_oom(err);
    jd_sm_fv fv = {0};
    pendings P = {0};
    size_t n = res->n;
    for (size_t i = 0; i < n; i++) {
        jd_screen_match *m = &res->m[i];
        int ci, xi;
        if (m->modelled || !M->k[m->kind].on ||
            !jd_screen__candidate(res, m->kind, m->code, &ci, &xi) || (int)i != (ci >= 0 ? ci : xi))
            continue;
        double t = jd_sm__threshold(M, m->kind, m->code);
        int only = M->k[m->kind].only; /* a veto-only model leaves ruled-out matches be */
        if (t < 0 || (only == JD_SM_VETO && ci < 0) || (only == JD_SM_RAISE && ci >= 0) ||
            (ci < 0 && !jd_sm__may_count(&res->m[xi])))
            continue;
        if (jd_screen__features(&fv, M->st, in, res, ci, xi) || !pend(&P, ci, xi, 0, t)) {
            jd_sm__fv_free(&fv);
            free(P.v);
            return jd_oom(err);
        }
        double p = P.v[P.n - 1].p = jd_sm__predict(M, m->kind, &fv, 0, NULL, 0, NULL);
        P.v[P.n - 1].bare = ci >= 0 && p < t && setting_only(M, res, &res->m[ci], &fv);
        explain(m, M, &fv, p, t);
    }
    int rc = S && labels ? apply_family(M, S, labels, in, res, &fv, &P) : JD_OK;
    for (size_t i = 0; i < P.n && !rc; i++) {
        const pending *d = &P.v[i];
        if (d->ci >= 0 || d->xi >= 0)
            decide(res, d->ci, d->xi, d->p, d->t, d->bare);
        else
            rc = raise_family(M, S, attrs, res, &d->raised, in, d->p, d->t);
    }
    jd_sm__fv_free(&fv);
    free(P.v);
    return rc ? jd_oom(err) : JD_OK;
}

int jd_screen_model_apply(jd_screen_model *M, const jd_screen_note *in, jd_screen_result *res,
                          jd_error *err)
{
    return jd_sm__apply(M, NULL, NULL, NULL, in, res, err);
}
