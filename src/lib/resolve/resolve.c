/*
 * Identity resolution: which person_refs, in which agencies, are one person.
 *
 * 1. Load: every person mention, folded into one record per (agency,
 *    person_ref) — one ref is always one real person — holding the distinct
 *    normalised forenames, surnames, dates of birth, postcodes, phones and
 *    identifiers the ref was written with. Strings are interned, so the hot
 *    loop compares integers.
 * 2. Block: several rules (surname Double Metaphone code + birth year +
 *    initial, forename sound + date of birth, date of birth and its
 *    day/month swap, postcode + initial, surname + initial, NHS number,
 *    UPN, phone, other identifier)
 *    emit (key, ref) entries; sorted runs of equal keys give candidate pairs,
 *    unioned and de-duplicated. Runs longer than block_cap are skipped and
 *    counted, so one common value cannot explode the work.
 * 3. Score: Fellegi-Sunter. Each field compares at discrete levels (names:
 *    different, sounds alike, similar, close, exact); u comes from random
 *    pairs, m from EM over the candidate pairs, both without labels; exact
 *    name agreement is term-frequency adjusted. The same NHS
 *    number or UPN is decisive; two different ones are a contradiction that
 *    only a person's confirmation overrides.
 * 4. Cluster: links in order of weight through a union-find that refuses a
 *    merge when the two clusters hold different NHS numbers or UPNs,
 *    irreconcilable dates of birth, or a pair a person said is not the same;
 *    each refusal of a would-be link is noted on the identity. Confirmed
 *    pairs are merged first; "not the same person" always wins.
 *
 * Ethnicity is never read: it cannot feed a match weight.
 */
#include "text/compare.h"
#include "util/embedded.h"
#include "util/internal.h"
#include "text/names.h"
#include "text/phonetic.h"
#include "resolve/resolve.h"
#include "store/incr_ops.h"
#include "store/store.h"

#include <jansson.h>
#include <joindots/identity.h>

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* CPU seconds of the whole process (every thread, user and system): a
 * phase's CPU beside its wall time, which a shared machine inflates. */
static double cpu_secs(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { MEM_LOAD, MEM_BLOCK, MEM_ESTIMATE, MEM_SCORE, MEM_CLUSTER, MEM_IDENTITIES, MEM_SAVE };

/* The process's peak RSS so far and its RSS now into stats at the end of
 * phase k (jd_resolve_stats.peak_kb, rss_kb). The RSS is read first (fopen
 * allocates), and the peak is at least the RSS: the kernel's high-water mark
 * (ru_maxrss) is brought up to date from its per-thread RSS counters lazily,
 * so it can lag behind /proc/self/statm (seen under ASan). */
static void phase_mem(jd_resolve_stats *st, int k)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size, res;
    if (f && fscanf(f, "%ld %ld", &size, &res) == 2)
        st->rss_kb[k] = (int64_t)res * (sysconf(_SC_PAGESIZE) / 1024);
    if (f)
        fclose(f);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        st->peak_kb[k] = (int64_t)ru.ru_maxrss;
    if (st->peak_kb[k] < st->rss_kb[k])
        st->peak_kb[k] = st->rss_kb[k];
    if (k > 0 && st->peak_kb[k] < st->peak_kb[k - 1])
        st->peak_kb[k] = st->peak_kb[k - 1];
}

/* ---- memory that is read at random ---- */

/*
 * Zeroed memory for a large table read at random (the refs while scoring,
 * the level caches): 2 MiB aligned and, where the kernel offers it, backed
 * by huge pages, so that a random read costs a cache miss and not also a
 * page walk. Free with free(); NULL without memory.
 */
static void *huge_calloc(size_t bytes)
{
    enum { HUGE = 2u << 20 };
    size_t n = bytes < HUGE ? bytes : (bytes + HUGE - 1) / HUGE * HUGE;
    void *p = n < HUGE ? calloc(1, n ? n : 1) : aligned_alloc(HUGE, n);
    if (p && n >= HUGE) {
#ifdef MADV_HUGEPAGE
        (void)madvise(p, n, MADV_HUGEPAGE); /* a hint: without it only slower */
#endif
        memset(p, 0, n);
    }
    return p;
}

/* ---- string interning ---- */

/* Each string is kept as a length byte (255: that long or longer), its
 * bytes and a NUL; its id is the offset of its first byte + 1, so that
 * comparisons take a name's length without strlen. */
typedef struct pool {
    char *buf;
    size_t len, cap;
    uint32_t *slots; /* open addressing: string offset + 1, 0 empty */
    size_t nslots, count;
} pool;

/* The slot holding s, or the empty slot where it would go (nslots > 0). */
static size_t pool_slot(const pool *p, const char *s, size_t n)
{
    size_t h = (size_t)jd_hash_fast(s, n, 0) & (p->nslots - 1);
    while (p->slots[h]) {
        const char *t = p->buf + p->slots[h] - 1;
        if ((uint8_t)t[-1] == (n < 255 ? n : 255) &&
            (n < 255 ? !memcmp(t, s, n) : !strncmp(t, s, n) && t[n] == '\0'))
            break;
        h = (h + 1) & (p->nslots - 1);
    }
    return h;
}

/* The id of an interned string, 0 when it was never added. */
static uint32_t pool_find(const pool *p, const char *s, size_t n)
{
    return n && p->nslots ? p->slots[pool_slot(p, s, n)] : 0;
}

/* The length of an interned string. */
static inline size_t pool_len(const pool *p, uint32_t id)
{
    if (!id)
        return 0;
    uint8_t n = (uint8_t)p->buf[id - 2];
    return n < 255 ? n : strlen(p->buf + id - 1);
}

static uint32_t pool_add(pool *p, const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if ((p->count + 1) * 2 > p->nslots) {
        size_t ns = p->nslots ? p->nslots * 2 : 1 << 16;
        uint32_t *sl = calloc(ns, sizeof *sl);
        if (!sl)
            return 0;
        for (size_t i = 0; i < p->nslots; i++) {
            uint32_t o = p->slots[i];
            if (!o)
                continue;
            const char *t = p->buf + o - 1;
            size_t h = (size_t)jd_hash_fast(t, pool_len(p, o), 0) & (ns - 1);
            while (sl[h])
                h = (h + 1) & (ns - 1);
            sl[h] = o;
        }
        free(p->slots);
        p->slots = sl;
        p->nslots = ns;
    }
    size_t h = pool_slot(p, s, n);
    if (p->slots[h])
        return p->slots[h];
    if (p->len + n + 2 > p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 1 << 20;
        while (nc < p->len + n + 2)
            nc *= 2;
        char *nb = realloc(p->buf, nc);
        if (!nb)
            return 0;
        p->buf = nb;
        p->cap = nc;
    }
    p->buf[p->len] = (char)(n < 255 ? n : 255);
    uint32_t off = (uint32_t)p->len + 2;
    memcpy(p->buf + p->len + 1, s, n);
    p->buf[p->len + 1 + n] = '\0';
    p->len += n + 2;
    p->slots[h] = off;
    p->count++;
    return off;
}

static const char *pool_str(const pool *p, uint32_t id)
{
    return id ? p->buf + id - 1 : "";
}

static void pool_free(pool *p)
{
    free(p->buf);
    free(p->slots);
    memset(p, 0, sizeof *p);
}

/* ---- one ref ---- */

#define NV 4
typedef struct rref {
    uint32_t agency, ref;
    uint32_t fore[NV], sur[NV];
    uint32_t dob[NV]; /* yyyymmdd; mm or dd 0 when partial */
    uint32_t pc[NV], phone[NV];
    uint32_t pcd[NV]; /* each postcode's district (outward code), 0 none */
    uint8_t pcs[NV];  /* and its sector: the byte after the space */
    uint32_t nhs[2], upn[2], other, addr, name;
    uint32_t epc; /* the postcode of its first event that has one (where it happened) */
    uint32_t apc; /* with an address and no postcode: the address's (address_postcodes) */
    uint32_t addr2; /* a second address it was written at (a move), 0 none */
    /* the days (since 1970) its mentions at addr were first and last
     * written: its time at the address (join_dated); 0 none */
    int32_t ad_from, ad_to;
    /* the days its mentions were first and last written, at any place or
     * none (join_dated_pc); 0 none */
    int32_t d_from, d_to;
    int16_t by_lo, by_hi; /* birth years allowed by recorded ages */
    /* birth dates (yyyymmdd) its recorded ages allow at their events'
     * dates: after bd_lo, up to bd_hi; 0 none */
    uint32_t bd_lo, bd_hi;
    uint8_t nfore, nsur, ndob, npc, nphone, nnhs, nupn;
    char gender;
    uint8_t gmask;    /* genders of all its mentions: 1 F, 2 M */
    uint16_t ngen[2]; /* mentions recording F, M */
    bool child;
    uint32_t mentions;
} rref;

/*
 * What the comparisons read of a ref, packed into one 64-byte cache line:
 * scoring reads the second ref of each pair at random, and a line a pair
 * instead of three keeps most of the refs in the last-level cache. The
 * values of the fields below lie one after another in v, field f ending
 * at end[f]; a ref with more than HOT_V values keeps them in R->spill
 * (v[0] its index). view() unpacks a record for the comparisons.
 */
enum { HF_FORE, HF_SUR, HF_DOB, HF_PC, HF_PCD, HF_PHONE, HF_NHS, HF_UPN, HF_OTHER, HF_ADDR, HF_N };
enum { HOT_V = 11, HOT_MAXV = 6 * NV + 2 * 2 + 3 };
typedef struct hot {
    uint8_t end[HF_N];
    uint8_t pcs[NV]; /* each postcode's sector byte */
    char gender;
    uint8_t spill;
    int16_t by_lo, by_hi;
    uint32_t v[HOT_V];
} hot;
_Static_assert(sizeof(hot) == 64, "a hot record is one cache line");

typedef struct hot_spill {
    uint32_t v[HOT_MAXV];
} hot_spill;

/* A ref as the comparisons see it (unpacked from its hot record). */
typedef struct rview {
    const uint32_t *fore, *sur, *dob, *pc, *pcd, *phone, *nhs, *upn;
    const uint8_t *pcs;
    uint32_t other, addr, addr2; /* addr2: a second address, 0 none */
    int16_t by_lo, by_hi;
    uint8_t nfore, nsur, ndob, npc, nphone, nnhs, nupn;
    char gender;
} rview;

static void add_id(uint32_t *arr, uint8_t *n, uint8_t max, uint32_t v)
{
    if (!v)
        return;
    for (uint8_t i = 0; i < *n; i++)
        if (arr[i] == v)
            return;
    if (*n < max)
        arr[(*n)++] = v;
}

/* ---- fields and levels ---- */

enum { F_FORE, F_SUR, F_DOB, F_PC, F_PHONE, F_GENDER, F_OTHER, F_ADDR, NF };
static const char *const field_name[NF] = {"forename", "surname", "dob",      "postcode",
                                           "phone",    "gender",  "other_id", "address"};
/* Name levels: L_SOUND is Double Metaphone agreement where Jaro-Winkler
 * sees little (Catherine / Kathryn 0.76, Gough / Goff 0.71, Hughes / Hews). */
enum { L_DIFF, L_SOUND, L_SIMILAR, L_CLOSE, L_EXACT };
static const int nlevels[NF] = {5, 5, 5, 4, 2, 2, 3, 3};
static const char *const level_name[NF][5] = {
    {"different", "sounds alike (Double Metaphone)", "similar (JW >= 0.80 or initial)",
     "variant or JW >= 0.92", "exact"},
    {"different", "sounds alike (Double Metaphone)", "similar (JW >= 0.80)",
     "close (JW >= 0.92 or shared part)", "exact"},
    {"different", "consistent (partial date or age)", "one digit or one year off",
     "day and month swapped", "exact"},
    {"different", "same district", "same sector", "exact"},
    {"different", "exact"},
    {"different", "same"},
    {"different", "one typo", "exact"},
    {"different", "similar", "close or exact"}};

typedef struct model {
    double m[NF][5], u[NF][5];
    double lambda, threshold;
    /* derived by model_weights() whenever m, u or lambda change: */
    double w[NF][6]; /* log2(m / u) of level l at [l + 1]; [0] = missing, 0 */
    double prior;    /* log2(lambda / (1 - lambda)) */
} model;

/* Fill the weight table of a model whose m, u and lambda are set: scoring
 * looks weights up instead of taking a logarithm per field of every pair. */
static void model_weights(model *md)
{
    for (int f = 0; f < NF; f++) {
        md->w[f][0] = 0.0;
        for (int l = 0; l < nlevels[f]; l++)
            md->w[f][l + 1] = log2(md->m[f][l] / md->u[f][l]);
    }
    md->prior = log2(md->lambda / (1 - md->lambda));
}

typedef struct variants {
    /* name id -> up to 4 group numbers */
    uint32_t *key;
    uint16_t (*grp)[4];
    size_t nslots, used;
    uint32_t *canon; /* group number -> its first (canonical) name's id */
    uint16_t ngroups;
} variants;

/* What a name's comparisons read without its text: its two Double
 * Metaphone codes, packed 4 bytes to a uint32, and what name_surely_diff
 * bounds Jaro-Winkler and the other levels with. */
typedef struct phon_entry {
    uint32_t key; /* the name id; 0: an empty slot */
    uint32_t code[2];
    char head[4];  /* its first four bytes, NUL-padded */
    uint64_t mask; /* the bytes it holds, as bits c & 63 */
    uint8_t len;   /* its length; 0: longer than JD_CMP_MAX (never bounded) */
} phon_entry;
_Static_assert(sizeof(phon_entry) == 32, "two entries a cache line");

/* name id -> its phon_entry (open addressing: a look-up reads one line) */
typedef struct phonmap {
    phon_entry *e;
    size_t nslots, count;
} phonmap;

enum { TFW_N = 1 << 14 };

typedef struct vec vec;

typedef struct rs {
    pool names, ids, districts;
    phonmap ph;
    rref *r;
    size_t n, cap;
    hot *h;           /* [n]: what comparisons read, one line a ref */
    hot_spill *spill; /* values of refs with more than HOT_V */
    size_t nspill;
    variants var;
    uint64_t var_hash; /* the variants file's content (0: the built-in list) */
    uint32_t *tf; /* name id (pool offset) -> uses by refs */
    size_t ntf;
    /* name id -> the gender of a first name in the county (name_genders):
     * 1 F, 2 M, 0 neither or too few (frozen: the last full run's) */
    uint8_t *fg;
    size_t tf_n; /* refs the term frequencies count (frozen: the last full run's) */
    /* incremental runs: refs whose fingerprint changed, and (set by block)
     * refs in a block the changed refs pushed over block_cap; NULL otherwise */
    const uint8_t *chg;
    uint8_t *over;
    /* incremental runs: the old identities, (old id << 32 | ref) sorted
     * (scope_walk), and each ref's old id; NULL otherwise (hh_could_fit) */
    const uint64_t *old_vk;
    size_t old_nv;
    const uint32_t *old_pid;
    double *tfw;      /* [f * TFW_N + count]: tf_weight's log2(m / u), F_FORE/F_SUR */
    uint64_t *refkey; /* (agency id << 32 | ref id) + 1 -> index in refidx */
    uint32_t *refidx;
    size_t nrefslots;
    model md;
    jd_resolve_stats st;
    /* Cannot-links from shared events (see event_cannot_links): ref i may
     * never be one person with refs nl_to[nl_off[i] .. nl_off[i + 1]). */
    uint32_t *nl_off, *nl_to;
    /* Every ref named in one event with ref i (any role or name): the
     * people a ref with no place of its own is found with (households). */
    uint32_t *co_off, *co_to;
    /* Pairs of first names (lower id << 32 | higher) that one event names
     * as two people side by side (siblings on a housing list or in a
     * call), sorted: first_names_differ's evidence. */
    uint64_t *sib;
    size_t nsib;
    /* The county's events name people side by side (not FEBRL, one person
     * a row): twins_apart and the dates rule hold. A full run counts it
     * (nsib > 0 over the county); a frozen or incremental run takes the
     * last full run's (params_tf), so its scope does not switch the rules;
     * from a store saved before it was kept, counted on the refs loaded. */
    bool side_by_side;
    /* while loading: (event id << 32 | mention number), and per mention
     * its ref, role and names (NULL: not collected) */
    vec *ev_keys, *ev_info;
    uint32_t nev;
    /* once the records (r) are shed, each ref's agency and person_ref for
     * the notes made at the save (nf_ref); NULL: from r */
    const jd_identity_save *sv;
    /* each ref's fingerprint when its record was kept by the resident and
     * it is known (fp_range), 0 otherwise; NULL: none kept */
    int64_t *kept_fp;
    /* the tag of the kept refs this rs's load built (load_resident), 0: none */
    uint64_t built_tag;
} rs;

static void *vec_push(vec *v);
static bool key_slip(const char *x, const char *y);

/* What a mention says about who else is in its event. Only ref and fore
 * are read (event_cannot_links); role and sur are kept, and mapped at a
 * half's join, but nothing reads them, so no test can see them (dropping
 * their mapping in half_join passes the halves tests; dropping fore's
 * fails). Dropping role would also drop its strings from R->ids. */
typedef struct ev_mention {
    uint32_t ref, role, fore, sur;
} ev_mention;

static inline void view(const rs *R, const hot *h, rview *w)
{
    const uint32_t *x = h->spill ? R->spill[h->v[0]].v : h->v;
    const uint8_t *e = h->end;
    w->fore = x;
    w->nfore = e[HF_FORE];
    w->sur = x + e[HF_FORE];
    w->nsur = (uint8_t)(e[HF_SUR] - e[HF_FORE]);
    w->dob = x + e[HF_SUR];
    w->ndob = (uint8_t)(e[HF_DOB] - e[HF_SUR]);
    w->pc = x + e[HF_DOB];
    w->npc = (uint8_t)(e[HF_PC] - e[HF_DOB]);
    w->pcd = x + e[HF_PC];
    w->phone = x + e[HF_PCD];
    w->nphone = (uint8_t)(e[HF_PHONE] - e[HF_PCD]);
    w->nhs = x + e[HF_PHONE];
    w->nnhs = (uint8_t)(e[HF_NHS] - e[HF_PHONE]);
    w->upn = x + e[HF_NHS];
    w->nupn = (uint8_t)(e[HF_UPN] - e[HF_NHS]);
    w->other = e[HF_OTHER] > e[HF_UPN] ? x[e[HF_UPN]] : 0;
    w->addr = e[HF_ADDR] > e[HF_OTHER] ? x[e[HF_OTHER]] : 0;
    w->addr2 = e[HF_ADDR] > e[HF_OTHER] + 1 ? x[e[HF_OTHER] + 1] : 0;
    w->pcs = h->pcs;
    w->by_lo = h->by_lo;
    w->by_hi = h->by_hi;
    w->gender = h->gender;
}

static uint32_t norm_name(rs *R, const char *s, bool first_token_only)
{
    char b[128];
    int n = jd_names__normalise(b, sizeof b, s, s ? strlen(s) : 0);
    if (n <= 0)
        return 0;
    if (first_token_only) {
        char *sp = strchr(b, ' ');
        if (sp) {
            *sp = '\0';
            n = (int)(sp - b);
        }
    }
    return pool_add(&R->names, b, (size_t)n);
}

static int var_lookup(const variants *v, uint32_t id, const uint16_t **out)
{
    if (!v->nslots || !id)
        return 0;
    size_t h = (size_t)id * 2654435761u & (v->nslots - 1);
    while (v->key[h]) {
        if (v->key[h] == id) {
            *out = v->grp[h];
            return 1;
        }
        h = (h + 1) & (v->nslots - 1);
    }
    return 0;
}

/* Add the groups of a variants text to R->var (the built-in list, then a
 * user's file: its groups extend the list). JD_ENOMEM, or JD_ELIMIT when
 * the table of names or the group numbers are full. */
static int load_variants(rs *R, const char *text, size_t len)
{
    variants *v = &R->var;
    if (!v->key) {
        v->nslots = 1 << 14;
        v->key = calloc(v->nslots, sizeof *v->key);
        v->grp = calloc(v->nslots, sizeof *v->grp);
        if (!v->key || !v->grp)
            return JD_ENOMEM;
    }
    const char *p = text, *e = text + len;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        if (*p != '#' && le > p) {
            if (v->ngroups == UINT16_MAX)
                return JD_ELIMIT;
            uint16_t group = ++v->ngroups;
            uint32_t *nc = realloc(v->canon, ((size_t)group + 1) * sizeof *nc);
            if (!nc)
                return JD_ENOMEM;
            v->canon = nc;
            nc[group] = 0;
            const char *t = p;
            while (t < le) {
                while (t < le && (*t == '\t' || *t == ',' || *t == ' ' || *t == '\r'))
                    t++;
                const char *w = t;
                while (t < le && *t != '\t' && *t != ',' && *t != '\r')
                    t++;
                if (t > w) {
                    char tmp[64];
                    snprintf(tmp, sizeof tmp, "%.*s", (int)(t - w), w);
                    uint32_t id = norm_name(R, tmp, false);
                    if (!id)
                        continue;
                    if (!nc[group])
                        nc[group] = id;
                    size_t h = (size_t)id * 2654435761u & (v->nslots - 1);
                    while (v->key[h] && v->key[h] != id)
                        h = (h + 1) & (v->nslots - 1);
                    if (!v->key[h] && ++v->used > v->nslots / 2)
                        return JD_ELIMIT;
                    v->key[h] = id;
                    for (int k = 0; k < 4; k++)
                        if (!v->grp[h][k] || v->grp[h][k] == group) {
                            v->grp[h][k] = group;
                            break;
                        }
                }
            }
        }
        p = le + 1;
    }
    return JD_OK;
}

/* The canonical name of a forename's first variant group (Jakub for Kuba,
 * William for Liam), or 0 when it has none or is its own canonical name:
 * blocking meets a nickname with its full name by the canonical name's
 * initial and sound. */
static uint32_t variant_canon(const rs *R, uint32_t id)
{
    const uint16_t *g;
    if (!var_lookup(&R->var, id, &g) || !g[0] || g[0] > R->var.ngroups)
        return 0;
    uint32_t c = R->var.canon[g[0]];
    return c != id ? c : 0;
}

static bool variant_match(const rs *R, uint32_t a, uint32_t b)
{
    const uint16_t *ga, *gb;
    if (!var_lookup(&R->var, a, &ga) || !var_lookup(&R->var, b, &gb))
        return false;
    for (int i = 0; i < 4 && ga[i]; i++)
        for (int k = 0; k < 4 && gb[k]; k++)
            if (ga[i] == gb[k])
                return true;
    return false;
}

static uint32_t pack_code(const char *c)
{
    uint32_t v = 0;
    for (int i = 0; i < JD_PHON_LEN && c[i]; i++)
        v |= (uint32_t)(unsigned char)c[i] << (8 * i);
    return v;
}

/* Remember the Double Metaphone codes of name `id` (computed once per
 * distinct name, so comparisons only look them up). */
/* The slot of name id in R->ph (grown when it would be over half full),
 * holding id already or empty; NULL without memory. */
static phon_entry *phon_slot(rs *R, uint32_t id)
{
    phonmap *m = &R->ph;
    if ((m->count + 1) * 2 > m->nslots) {
        size_t ns = m->nslots ? m->nslots * 2 : 1 << 12;
        phon_entry *c = calloc(ns, sizeof *c);
        if (!c)
            return NULL;
        for (size_t i = 0; i < m->nslots; i++) {
            if (!m->e[i].key)
                continue;
            size_t h = (size_t)m->e[i].key * 2654435761u & (ns - 1);
            while (c[h].key)
                h = (h + 1) & (ns - 1);
            c[h] = m->e[i];
        }
        free(m->e);
        m->e = c;
        m->nslots = ns;
    }
    size_t h = (size_t)id * 2654435761u & (m->nslots - 1);
    while (m->e[h].key && m->e[h].key != id)
        h = (h + 1) & (m->nslots - 1);
    return &m->e[h];
}

static int phon_note(rs *R, uint32_t id)
{
    if (!id)
        return JD_OK;
    phon_entry *e = phon_slot(R, id);
    if (!e)
        return JD_ENOMEM;
    if (e->key)
        return JD_OK;
    phonmap *m = &R->ph;
    const char *s = pool_str(&R->names, id);
    size_t n = pool_len(&R->names, id);
    char p[JD_PHON_MAX + 1], a[JD_PHON_MAX + 1];
    jd_phon__double_metaphone(s, n, p, a);
    *e = (phon_entry){id, {pack_code(p), pack_code(a)}, {0}, 0, 0};
    if (n <= JD_CMP_MAX) {
        e->len = (uint8_t)n;
        for (size_t i = 0; i < n; i++)
            e->mask |= UINT64_C(1) << ((unsigned char)s[i] & 63);
        memcpy(e->head, s, n < 4 ? n : 4);
    }
    m->count++;
    return JD_OK;
}

static const phon_entry *phon_entry_of(const rs *R, uint32_t id)
{
    const phonmap *m = &R->ph;
    if (!m->nslots || !id)
        return NULL;
    size_t h = (size_t)id * 2654435761u & (m->nslots - 1);
    while (m->e[h].key) {
        if (m->e[h].key == id)
            return &m->e[h];
        h = (h + 1) & (m->nslots - 1);
    }
    return NULL;
}

/* Fetch early the entry of name id (a hint). */
static inline void phon_prefetch(const rs *R, uint32_t id)
{
    if (R->ph.nslots)
        __builtin_prefetch(&R->ph.e[(size_t)id * 2654435761u & (R->ph.nslots - 1)]);
}

static const uint32_t *phon_codes(const rs *R, uint32_t id)
{
    const phon_entry *e = phon_entry_of(R, id);
    return e ? e->code : NULL;
}

/* Do two names share a Double Metaphone code (primary or alternate)? */
static bool sounds_alike(const rs *R, uint32_t a, uint32_t b)
{
    const uint32_t *x = phon_codes(R, a), *y = phon_codes(R, b);
    if (!x || !y || !x[0] || !y[0])
        return false;
    return x[0] == y[0] || x[0] == y[1] || x[1] == y[0] || x[1] == y[1];
}

/*
 * A cache of string-pair levels for one scoring thread. Names and addresses
 * are interned, so a pair of ids always compares the same way; the same
 * pairs of names recur across millions of candidate pairs, and Jaro-Winkler
 * is most of the cost of scoring. A set of seven entries fills one cache
 * line, so a look-up costs one miss at most; a full set forgets its oldest
 * entry (a forgotten pair is just compared again).
 */
enum { LVC_NAME_FORE, LVC_NAME_SUR, LVC_ADDR, LVC_KINDS, LVC_BITS = 15, LVC_WAYS = 7 };
typedef struct lvset {
    uint64_t key[LVC_WAYS]; /* a << 32 | b; 0 = empty (ids are >= 1) */
    int8_t lv[LVC_WAYS];
    uint8_t next; /* the way to fill next */
} lvset;
_Static_assert(sizeof(lvset) == 64, "a set is one cache line");
typedef struct lvcache {
    lvset set[LVC_KINDS][1 << LVC_BITS];
} lvcache;

/* The set of a pair of ids. */
static inline int lvc_slot(uint32_t a, uint32_t b)
{
    uint64_t k = (uint64_t)a << 32 | b;
    return (int)((k * 0x9e3779b97f4a7c15ULL) >> (64 - LVC_BITS));
}

static int cached(lvcache *c, int kind, uint32_t a, uint32_t b, int *slot)
{
    if (!c)
        return -1;
    uint64_t k = (uint64_t)a << 32 | b;
    *slot = lvc_slot(a, b);
    const lvset *e = &c->set[kind][*slot];
    for (int w = 0; w < LVC_WAYS; w++)
        if (e->key[w] == k)
            return e->lv[w];
    return -1;
}

static void remember(lvcache *c, int kind, uint32_t a, uint32_t b, int slot, int lv)
{
    if (c) {
        lvset *e = &c->set[kind][slot];
        e->key[e->next] = (uint64_t)a << 32 | b;
        e->lv[e->next] = (int8_t)lv;
        e->next = (uint8_t)((e->next + 1) % LVC_WAYS);
    }
}

/* The level of one pair of different names. */
static int name_pair_level(const rs *R, uint32_t a, uint32_t b, bool forename)
{
    const char *x = pool_str(&R->names, a), *y = pool_str(&R->names, b);
    size_t xl = pool_len(&R->names, a), yl = pool_len(&R->names, b);
    if (forename && variant_match(R, a, b))
        return L_CLOSE;
    if (!forename && (strstr(x, y) || strstr(y, x)) && xl > 2 && yl > 2)
        return L_CLOSE; /* one part of a double-barrelled name */
    double jw = jd_cmp__jaro_winkler(x, xl, y, yl);
    int l = jw >= 0.92 ? L_CLOSE : jw >= 0.80 ? L_SIMILAR : L_DIFF;
    if (forename && l == L_DIFF && (xl == 1 || yl == 1) && x[0] == y[0])
        l = L_SIMILAR; /* an initial */
    if (l == L_DIFF && xl > 1 && yl > 1 && sounds_alike(R, a, b))
        l = L_SOUND;
    if (l <= L_SOUND && xl > 2 && yl > 2 && (xl > yl ? xl - yl : yl - xl) <= 1 &&
        (x[0] == y[0] || x[1] == y[1]) && jd_cmp__damerau_levenshtein(x, xl, y, yl) <= 1)
        l = L_SIMILAR; /* one typo in a short name (Ava / Aav), which Jaro-Winkler scores low */
    return l;
}

/*
 * Is the level of two different names surely L_DIFF, a forename variant
 * aside (name_pair_level checks that first), from their phon_entry alone?
 * Each test bounds one way name_pair_level could rise above L_DIFF; false
 * when unsure. Jaro-Winkler's bound: a byte of one name that the other
 * never holds is never a match, so m is at most the length less those
 * (bytes folded to 64 bits only loosen it), and no transpositions.
 */
static bool name_surely_diff(const phon_entry *x, const phon_entry *y, bool forename)
{
    unsigned xl = x->len, yl = y->len;
    if (!xl || !yl)
        return false;
    uint64_t ox = x->mask & ~y->mask, oy = y->mask & ~x->mask;
    if (!forename && xl > 2 && yl > 2 && (!ox || !oy))
        return false; /* one may be a part of the other */
    if (forename && (xl == 1 || yl == 1) && x->head[0] == y->head[0])
        return false; /* an initial */
    const uint32_t *p = x->code, *q = y->code;
    if (xl > 1 && yl > 1 && p[0] && q[0] &&
        (p[0] == q[0] || p[0] == q[1] || p[1] == q[0] || p[1] == q[1]))
        return false; /* sounds alike */
    if (xl > 2 && yl > 2 && (xl > yl ? xl - yl : yl - xl) <= 1 &&
        (x->head[0] == y->head[0] || x->head[1] == y->head[1]) &&
        __builtin_popcountll(x->mask ^ y->mask) <= 2)
        return false; /* maybe one typo: one edit changes at most two bytes held */
    int mx = (int)xl - __builtin_popcountll(ox), my = (int)yl - __builtin_popcountll(oy);
    int m = mx < my ? mx : my;
    if (m <= 0)
        return true; /* Jaro 0, Jaro-Winkler at most 0.4 */
    unsigned n = xl < yl ? xl : yl, l = 0;
    while (l < n && l < 4 && x->head[l] == y->head[l])
        l++;
    /* j + l / 10 (1 - j) < 0.8, j = (m / xl + m / yl + 1) / 3, in integers:
     * short of 0.8 by 1 / (3 xl yl (10 - l)) at least, far beyond rounding */
    unsigned um = (unsigned)m;
    return (um * (xl + yl) + xl * yl) * (10 - l) < 3 * xl * yl * (8 - l);
}

static int name_level(const rs *R, const uint32_t *a, uint8_t na, const uint32_t *b, uint8_t nb,
                      bool forename, lvcache *c)
{
    if (!na || !nb)
        return -1;
    int best = 0;
    for (uint8_t i = 0; i < na; i++)
        for (uint8_t k = 0; k < nb; k++)
            if (a[i] == b[k])
                return L_EXACT;
    const int kind = forename ? LVC_NAME_FORE : LVC_NAME_SUR;
    for (uint8_t i = 0; i < na; i++)
        for (uint8_t k = 0; k < nb; k++) {
            /* most pairs of names are wholly different: known so from the
             * names' entries, which common names keep in cache, without a
             * miss in the level cache or Jaro-Winkler */
            const phon_entry *x = phon_entry_of(R, a[i]), *y = phon_entry_of(R, b[k]);
            if (x && y && name_surely_diff(x, y, forename)) {
                int l = forename && variant_match(R, a[i], b[k]) ? L_CLOSE : L_DIFF;
                best = l > best ? l : best;
                continue;
            }
            int slot = 0, l = cached(c, kind, a[i], b[k], &slot);
            if (l < 0) {
                l = name_pair_level(R, a[i], b[k], forename);
                remember(c, kind, a[i], b[k], slot, l);
            }
            best = l > best ? l : best;
        }
    return best;
}

static int dob_pair(uint32_t a, uint32_t b)
{
    if (a == b)
        return 4;
    unsigned ya = a / 10000, ma = a / 100 % 100, da = a % 100;
    unsigned yb = b / 10000, mb = b / 100 % 100, db = b % 100;
    if (!ma || !mb || !da || !db) /* partial: consistent if what is there agrees */
        return ya == yb && (!ma || !mb || ma == mb) ? 1 : 0;
    if (ya == yb && ma == db && da == mb)
        return 3;
    int diff = (ya != yb) + (ma != mb) + (da != db);
    if (diff == 1) {
        if (ya != yb)
            return (ya > yb ? ya - yb : yb - ya) == 1 ||
                           (ya % 10 != yb % 10) + (ya / 10 != yb / 10) == 1
                       ? 2
                       : 0;
        unsigned x = ma != mb ? ma : da, y = ma != mb ? mb : db;
        if (x % 10 == y % 10 || x / 10 == y / 10)
            return 2; /* one digit off */
    }
    return 0;
}

static bool has_full_dob(const rview *r)
{
    for (uint8_t i = 0; i < r->ndob; i++)
        if (r->dob[i] % 100 && r->dob[i] / 100 % 100)
            return true;
    return false;
}

static int dob_level(const rview *a, const rview *b)
{
    int best = -1;
    for (uint8_t i = 0; i < a->ndob; i++)
        for (uint8_t k = 0; k < b->ndob; k++) {
            int l = dob_pair(a->dob[i], b->dob[k]);
            best = l > best ? l : best;
        }
    /* Ages against dates of birth or other ages: only where one side has no
     * full date. Two full dates that disagree are a contradiction that an age
     * recorded elsewhere cannot soften. */
    if (best < 1 && !(has_full_dob(a) && has_full_dob(b))) {
        int lo_a = a->by_lo, hi_a = a->by_hi, lo_b = b->by_lo, hi_b = b->by_hi;
        for (uint8_t i = 0; i < a->ndob; i++) {
            int y = (int)(a->dob[i] / 10000);
            lo_a = lo_a ? (y < lo_a ? y : lo_a) : y;
            hi_a = hi_a ? (y > hi_a ? y : hi_a) : y;
        }
        for (uint8_t k = 0; k < b->ndob; k++) {
            int y = (int)(b->dob[k] / 10000);
            lo_b = lo_b ? (y < lo_b ? y : lo_b) : y;
            hi_b = hi_b ? (y > hi_b ? y : hi_b) : y;
        }
        bool a_age = a->by_lo != 0, b_age = b->by_lo != 0;
        if ((a_age || b_age) && lo_a && lo_b)
            best = lo_a <= hi_b && lo_b <= hi_a ? 1 : (best < 0 ? 0 : best);
    }
    return best;
}

static int set_level(const uint32_t *a, uint8_t na, const uint32_t *b, uint8_t nb)
{
    if (!na || !nb)
        return -1;
    for (uint8_t i = 0; i < na; i++)
        for (uint8_t k = 0; k < nb; k++)
            if (a[i] == b[k])
                return 1;
    return 0;
}

/* Postcodes of two refs: exact, same sector, same district, different.
 * Districts and sectors were taken apart once per ref (postcode_parts). */
static int pc_level(const rview *a, const rview *b)
{
    if (!a->npc || !b->npc)
        return -1;
    int best = 0;
    for (uint8_t i = 0; i < a->npc; i++)
        for (uint8_t k = 0; k < b->npc; k++)
            if (a->pc[i] == b->pc[k])
                return 3;
    for (uint8_t i = 0; i < a->npc; i++)
        for (uint8_t k = 0; k < b->npc; k++)
            if (a->pcd[i] && a->pcd[i] == b->pcd[k]) {
                int l = a->pcs[i] && a->pcs[i] == b->pcs[k] ? 2 : 1;
                best = l > best ? l : best;
            }
    return best;
}

/* The fields that cost no string work: dates, places, phones, gender. */
static void compare_cheap(const rview *a, const rview *b, int lv[NF])
{
    lv[F_DOB] = dob_level(a, b);
    lv[F_PC] = pc_level(a, b);
    lv[F_PHONE] = set_level(a->phone, a->nphone, b->phone, b->nphone);
    lv[F_GENDER] = a->gender && b->gender ? a->gender == b->gender : -1;
}

static int other_level(const rs *R, const rview *a, const rview *b)
{
    if (!a->other || !b->other)
        return -1;
    if (a->other == b->other)
        return 2;
    const char *x = pool_str(&R->ids, a->other), *y = pool_str(&R->ids, b->other);
    return jd_cmp__damerau_levenshtein(x, pool_len(&R->ids, a->other), y,
                                       pool_len(&R->ids, b->other)) <= 1
               ? 1
               : 0;
}

static int addr_pair_level(const rs *R, uint32_t a, uint32_t b, lvcache *c)
{
    int slot = 0, l = a == b ? 2 : cached(c, LVC_ADDR, a, b, &slot);
    if (l < 0) {
        const char *x = pool_str(&R->names, a), *y = pool_str(&R->names, b);
        double jw = jd_cmp__jaro_winkler(x, pool_len(&R->names, a), y, pool_len(&R->names, b));
        l = jw >= 0.92 ? 2 : jw >= 0.80 ? 1 : 0;
        remember(c, LVC_ADDR, a, b, slot, l);
    }
    return l;
}

/* The model's address level: the first address each ref was written at
 * (the best over both addresses cost seeds 1 and 3 recall through EM:
 * children R .98399 -> .98355, .98204 -> .98189). */
static int addr_level(const rs *R, const rview *a, const rview *b, lvcache *c)
{
    return a->addr && b->addr ? addr_pair_level(R, a->addr, b->addr, c) : -1;
}

/* The best level over each address either ref was written at (a move
 * leaves a full record at two; a sparse row writes the one of its time),
 * for the evidence rules. */
static int addr_level_any(const rs *R, const rview *a, const rview *b, lvcache *c)
{
    if (!a->addr || !b->addr)
        return -1;
    int l = addr_pair_level(R, a->addr, b->addr, c);
    const uint32_t xa[2] = {a->addr, a->addr2}, xb[2] = {b->addr, b->addr2};
    for (int i = 0; i < 2 && l < 2; i++)
        for (int j = 0; j < 2 && l < 2; j++)
            if ((i || j) && xa[i] && xb[j]) {
                int k = addr_pair_level(R, xa[i], xb[j], c);
                l = k > l ? k : l;
            }
    return l;
}

/*
 * Surname written first on one side: when the forenames differ, a's
 * forename against b's surname and a's surname against b's forename. If
 * both are close or exact, both name fields take the lower of the two
 * levels (the levels EM learnt for names); returns true then. `lf` is the
 * forename level already found.
 */
static bool swapped_names(const rs *R, const rview *a, const rview *b, int lf, int lv[NF],
                          lvcache *c)
{
    if (lf != L_DIFF || !a->nfore || !b->nsur || !a->nsur || !b->nfore)
        return false;
    /* most pairs whose forenames differ are not swapped: a name and the
     * other's surname that share no initial are never close (few typos
     * fall on the first letter), so the string work is skipped for them */
    bool ini = false;
    for (uint8_t i = 0; i < a->nfore && !ini; i++)
        for (uint8_t k = 0; k < b->nsur && !ini; k++)
            ini = pool_str(&R->names, a->fore[i])[0] == pool_str(&R->names, b->sur[k])[0];
    if (!ini)
        return false;
    int x = name_level(R, a->fore, a->nfore, b->sur, b->nsur, false, c);
    if (x < L_CLOSE)
        return false;
    int y = name_level(R, a->sur, a->nsur, b->fore, b->nfore, false, c);
    if (y < L_CLOSE)
        return false;
    lv[F_FORE] = lv[F_SUR] = x < y ? x : y;
    return true;
}

static void compare(const rs *R, const rview *a, const rview *b, int lv[NF], lvcache *c)
{
    lv[F_FORE] = name_level(R, a->fore, a->nfore, b->fore, b->nfore, true, c);
    if (!swapped_names(R, a, b, lv[F_FORE], lv, c))
        lv[F_SUR] = name_level(R, a->sur, a->nsur, b->sur, b->nsur, false, c);
    compare_cheap(a, b, lv);
    lv[F_OTHER] = other_level(R, a, b);
    lv[F_ADDR] = addr_level(R, a, b, c);
}

/* +1 the same strong identifier, -1 different ones, 0 nothing to compare. */
static int strong(const rview *a, const rview *b)
{
    int r = 0;
    if (a->nnhs && b->nnhs)
        r = set_level(a->nhs, a->nnhs, b->nhs, b->nnhs) ? 1 : -1;
    if (r >= 0 && a->nupn && b->nupn) {
        int u = set_level(a->upn, a->nupn, b->upn, b->nupn) ? 1 : -1;
        r = u < 0 ? -1 : 1;
    }
    return r;
}

/* ---- weights ---- */

static double level_weight(const model *md, int f, int l)
{
    return md->w[f][l + 1]; /* l = -1: missing on one side, weight 0 */
}

/* The weight of exact agreement on a name `cnt` refs use. */
static double tf_log(const rs *R, int f, uint32_t cnt)
{
    double c = (double)cnt;
    double u = c > 0 ? c / (double)R->tf_n : 1.0 / (double)R->tf_n;
    return log2(R->md.m[f][L_EXACT] / u);
}

/* Once the model is final: its weight table, and tf_log of the counts
 * most names have (NULL without memory: tf_weight then computes them). */
static void weights_ready(rs *R)
{
    model_weights(&R->md);
    free(R->tfw);
    R->tfw = malloc(2 * TFW_N * sizeof *R->tfw);
    for (int f = 0; R->tfw && f < 2; f++)
        for (uint32_t k = 0; k < TFW_N; k++)
            R->tfw[f * TFW_N + k] = tf_log(R, f, k);
}

/* Exact name agreement, adjusted for how common the name is. */
static double tf_weight(const rs *R, int f, const rview *a, const rview *b, double base)
{
    const uint32_t *x = f == F_FORE ? a->fore : a->sur, *y = f == F_FORE ? b->fore : b->sur;
    uint8_t nx = f == F_FORE ? a->nfore : a->nsur, ny = f == F_FORE ? b->nfore : b->nsur;
    for (uint8_t i = 0; i < nx; i++)
        for (uint8_t k = 0; k < ny; k++)
            if (x[i] == y[k]) {
                uint32_t cnt = x[i] < R->ntf ? R->tf[x[i]] : 0;
                double w = R->tfw && cnt < TFW_N ? R->tfw[f * TFW_N + cnt] : tf_log(R, f, cnt),
                       avg = base;
                /* never let a rare value count for more than twice the average */
                return w > avg + 2 ? avg + 2 : w;
            }
    return base;
}

typedef struct pair_score {
    int lv[NF];
    int strong;
    double w[NF], total, prob;
} pair_score;

/* The weight of field f at level l: exact names are tf-adjusted. */
static double field_weight(const rs *R, int f, int l, const rview *a, const rview *b)
{
    double w = level_weight(&R->md, f, l);
    return (f == F_FORE || f == F_SUR) && l == L_EXACT ? tf_weight(R, f, a, b, w) : w;
}

/* The total of a pair whose weights and strong agreement are in ps (every
 * scoring path ends here, so all add up in the same order). */
static void sum_score(const rs *R, pair_score *ps)
{
    ps->total = R->md.prior;
    for (int f = 0; f < NF; f++)
        ps->total += ps->w[f];
    if (ps->strong > 0)
        ps->total += 30; /* the same NHS number or UPN is decisive */
    else if (ps->strong < 0)
        ps->total -= 30;
    ps->prob = 1.0 / (1.0 + exp2(-ps->total));
}

/* The weights and total of a pair whose levels and strong agreement are in
 * ps. */
static void total_score(const rs *R, const rview *a, const rview *b, pair_score *ps)
{
    for (int f = 0; f < NF; f++)
        ps->w[f] = field_weight(R, f, ps->lv[f], a, b);
    sum_score(R, ps);
}

static void score_pair(const rs *R, const rview *a, const rview *b, pair_score *ps, lvcache *c)
{
    compare(R, a, b, ps->lv, c);
    ps->strong = strong(a, b);
    total_score(R, a, b, ps);
}

/* ---- loading ---- */

/*
 * A direct-mapped memo of raw name -> interned normalised name, one per
 * name field, and one for addresses (95k distinct in 896k mentions at 1M
 * events): the same raw text recurs on most mentions, and normalising
 * (NFKC, folding, stripping) is most of a mention's work. The raw bytes are
 * kept and compared, so a hit is exact; longer text is not memoised.
 */
enum { NMEMO_BITS = 15, AMEMO_BITS = 17, NMEMO_RAW = 51 };
typedef struct nmemo {
    uint32_t id;
    uint8_t len; /* 0: empty */
    char raw[NMEMO_RAW];
} nmemo;

/* The slot of raw s[0..n) in memo (1 << bits of them), *hit whether it
 * holds s; NULL when there is no memo or s is not memoised. */
static nmemo *memo_slot(nmemo *memo, int bits, const char *s, size_t n, bool *hit)
{
    if (!memo || n == 0 || n > NMEMO_RAW)
        return NULL;
    nmemo *e = &memo[jd_hash_fast(s, n, 0) >> (64 - bits)];
    *hit = e->len == n && !memcmp(e->raw, s, n);
    return e;
}
static void memo_keep(nmemo *e, const char *s, size_t n, uint32_t id)
{
    e->id = id;
    e->len = (uint8_t)n;
    memcpy(e->raw, s, n);
}

/* The normalised name id of raw `s` (0 when nothing is left of it), its
 * Double Metaphone codes noted. JD_OK or JD_ENOMEM. */
static int name_id(rs *R, nmemo *memo, const char *s, bool first_token_only, uint32_t *out)
{
    size_t n = s ? strlen(s) : 0;
    bool hit = false;
    nmemo *e = memo_slot(memo, NMEMO_BITS, s, n, &hit);
    if (hit) {
        *out = e->id;
        return JD_OK;
    }
    uint32_t id = norm_name(R, s, first_token_only);
    if (phon_note(R, id) != JD_OK)
        return JD_ENOMEM;
    if (e)
        memo_keep(e, s, n, id);
    *out = id;
    return JD_OK;
}

/* The n of a person id "Pn" (see resolve.h). */
int64_t jd_resolve__person_num(const char *id)
{
    if (!id || id[0] != 'P' || id[1] < '0' || id[1] > '9')
        return 0;
    int64_t n = 0;
    for (const char *p = id + 1; p < id + 19 && *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (*p - '0');
    return n;
}

/* A date's parts, as sscanf "%u-%u-%u" reads them (see resolve.h). */
int jd_resolve__parse_ymd(const char *s, unsigned *y, unsigned *m, unsigned *d)
{
    unsigned *v[3] = {y, m, d};
    const char *p = s;
    for (int k = 0; k < 3; k++) {
        if (*p < '0' || *p > '9')
            break;
        unsigned x = 0;
        int nd = 0;
        while (*p >= '0' && *p <= '9' && nd < 10) {
            x = x * 10 + (unsigned)(*p++ - '0');
            nd++;
        }
        if (nd > 9)
            break;
        *v[k] = x;
        if (k == 2 || *p != '-')
            return k + 1;
        p++;
    }
    return sscanf(s, "%u-%u-%u", y, m, d);
}

typedef struct loader {
    rs *R;
    nmemo *memo[2]; /* forenames, surnames (NULL without memory: no memo) */
    nmemo *amemo;   /* addresses (NULL without memory: no memo) */
    rref *cur;
    const char *last_agency, *last_ref;
    uint32_t cur_agency, cur_ref;
    /* raw name ids of cur and their counts: room for many spellings, so
     * that the most frequent is found whatever order the mentions come in
     * (a county fed day by day names people as one loaded at once, issue
     * 17); a 33rd distinct spelling of one ref is not counted */
    uint32_t name_counts[32];
    uint32_t names[32];
} loader;

/* A new ref at the end of R's (its record not set), NULL without memory. */
static rref *ref_push(rs *R)
{
    if (R->n == R->cap) {
        size_t nc = R->cap ? R->cap * 2 : 4096;
        rref *n = realloc(R->r, nc * sizeof *n);
        if (!n)
            return NULL;
        R->r = n;
        R->cap = nc;
    }
    return &R->r[R->n++];
}

/* The ref of mention m: the current one when m repeats its agency and
 * person_ref (mentions come ordered by them), else a new one. NULL without
 * memory. */
static rref *mention_ref(loader *L, const jd_mention_row *m)
{
    rs *R = L->R;
    /* mentions come ordered by agency and ref: most repeat the last ones */
    uint32_t ag = L->cur && !strcmp(m->agency, pool_str(&R->ids, L->cur_agency))
                      ? L->cur_agency
                      : pool_add(&R->ids, m->agency, strlen(m->agency));
    uint32_t rf = L->cur && !strcmp(m->person_ref, pool_str(&R->ids, L->cur_ref))
                      ? L->cur_ref
                      : pool_add(&R->ids, m->person_ref, strlen(m->person_ref));
    if (!ag || !rf)
        return NULL;
    R->st.mentions++;
    if (!L->cur || L->cur_agency != ag || L->cur_ref != rf) {
        if (!(L->cur = ref_push(R)))
            return NULL;
        memset(L->cur, 0, sizeof *L->cur);
        L->cur->agency = ag;
        L->cur->ref = rf;
        L->cur_agency = ag;
        L->cur_ref = rf;
        memset(L->name_counts, 0, sizeof L->name_counts);
        memset(L->names, 0, sizeof L->names);
    }
    return L->cur;
}

/* The date of birth (its parts dy, dm, dd, dn of them read), the birth
 * years its age allows, and whether it is a child at the mention's date. */
static void mention_dates(rref *r, const jd_mention_row *m, unsigned dy, unsigned dm, unsigned dd,
                          int dn)
{
    if (dn >= 1)
        add_id(r->dob, &r->ndob, NV, dy * 10000 + dm * 100 + dd);
    if (m->age >= 0 && m->seen_at) {
        time_t t = (time_t)m->seen_at;
        struct tm tm;
        gmtime_r(&t, &tm);
        int y = tm.tm_year + 1900;
        int lo = y - m->age - 1, hi = y - m->age;
        r->by_lo = (int16_t)(r->by_lo ? (lo < r->by_lo ? lo : r->by_lo) : lo);
        r->by_hi = (int16_t)(r->by_hi ? (hi > r->by_hi ? hi : r->by_hi) : hi);
        /* aged `age` on the event's day: born after that day `age` + 1
         * years before, on or before it `age` years before */
        uint32_t md = (uint32_t)(tm.tm_mon + 1) * 100 + (uint32_t)tm.tm_mday;
        if (lo > 0) {
            uint32_t dlo = (uint32_t)lo * 10000 + md, dhi = (uint32_t)hi * 10000 + md;
            r->bd_lo = r->bd_lo && r->bd_lo < dlo ? r->bd_lo : dlo;
            r->bd_hi = r->bd_hi > dhi ? r->bd_hi : dhi;
        }
        if (m->age < 18)
            r->child = true;
    }
    if (m->dob && m->dob_prec == 3 && m->seen_at) {
        unsigned y = dy, mo = dm, d = dd;
        if (dn == 3) {
            time_t t = (time_t)m->seen_at;
            struct tm tm;
            gmtime_r(&t, &tm);
            unsigned ey = (unsigned)tm.tm_year + 1900, em = (unsigned)tm.tm_mon + 1,
                     ed = (unsigned)tm.tm_mday;
            unsigned age = ey - y - ((em < mo || (em == mo && ed < d)) ? 1 : 0);
            if (ey >= y && age < 18)
                r->child = true;
        }
    }
}

/* The interned normalised address of raw `s` (0 when nothing is left of
 * it, or without memory), through memo when it is not NULL: the ids are
 * those of interning every mention's (the pool only grows). */
static uint32_t addr_id(rs *R, nmemo *memo, const char *s)
{
    size_t sn = strlen(s);
    bool hit = false;
    nmemo *e = memo_slot(memo, AMEMO_BITS, s, sn, &hit);
    if (hit)
        return e->id;
    char b[256];
    int n = jd_names__normalise(b, sizeof b, s, sn);
    uint32_t id = n > 0 ? pool_add(&R->names, b, (size_t)n) : 0;
    if (e && (id || n <= 0))
        memo_keep(e, s, sn, id);
    return id;
}

/* The places, phones, identifiers and gender of mention m (addresses
 * through memo, which may be NULL). */
static void mention_places(rs *R, nmemo *memo, rref *r, const jd_mention_row *m)
{
    const char *pc = m->postcode ? m->postcode : m->postcode_raw;
    if (pc)
        add_id(r->pc, &r->npc, NV, pool_add(&R->ids, pc, strlen(pc)));
    if (m->phone)
        add_id(r->phone, &r->nphone, NV, pool_add(&R->ids, m->phone, strlen(m->phone)));
    if (m->nhs)
        add_id(r->nhs, &r->nnhs, 2, pool_add(&R->ids, m->nhs, strlen(m->nhs)));
    if (m->upn)
        add_id(r->upn, &r->nupn, 2, pool_add(&R->ids, m->upn, strlen(m->upn)));
    if (m->other_id && !r->other)
        r->other = pool_add(&R->ids, m->other_id, strlen(m->other_id));
    if (m->event_postcode && !r->epc)
        r->epc = pool_add(&R->ids, m->event_postcode, strlen(m->event_postcode));
    if (m->address) {
        uint32_t id = addr_id(R, memo, m->address);
        if (!r->addr)
            r->addr = id;
        else if (id != r->addr && !r->addr2)
            r->addr2 = id; /* a second address: a move */
        if (id && id == r->addr && m->seen_at > 0 && m->seen_at / 86400 < INT32_MAX) {
            int32_t d = (int32_t)(m->seen_at / 86400);
            r->ad_from = r->ad_from && r->ad_from < d ? r->ad_from : d;
            r->ad_to = r->ad_to > d ? r->ad_to : d;
        }
    }
    if (m->seen_at > 0 && m->seen_at / 86400 < INT32_MAX) {
        int32_t d = (int32_t)(m->seen_at / 86400);
        r->d_from = r->d_from && r->d_from < d ? r->d_from : d;
        r->d_to = r->d_to > d ? r->d_to : d;
    }
    if (m->gender && (m->gender[0] == 'F' || m->gender[0] == 'M')) {
        r->gender = m->gender[0];
        r->gmask |= m->gender[0] == 'F' ? 1 : 2;
        if (r->ngen[m->gender[0] == 'M'] < UINT16_MAX)
            r->ngen[m->gender[0] == 'M']++;
    }
}

/* The ref's display name: the most frequent raw "forenames surname" of its
 * mentions so far, m's counted. */
static void mention_display_name(loader *L, rref *r, const jd_mention_row *m)
{
    rs *R = L->R;
    char raw[160];
    size_t rn = 0;
    const char *parts[3] = {m->forenames, m->forenames && m->surname ? " " : NULL, m->surname};
    for (int i = 0; i < 3; i++) /* "forenames surname", cut at sizeof raw - 1 bytes */
        for (const char *q = parts[i]; q && *q && rn < sizeof raw - 1; q++)
            raw[rn++] = *q;
    uint32_t nid = pool_add(&R->ids, raw, rn);
    for (int i = 0; i < (int)JD_ARRAY_LEN(L->names); i++) {
        if (L->names[i] == nid || !L->names[i]) {
            L->names[i] = nid;
            L->name_counts[i]++;
            break;
        }
    }
    /* Ties go to the smaller name, not the first read: the mentions of a ref
     * come in the order they were ingested, and a county fed day by day
     * must get the names a batch load gets (issue 17). */
    int best = 0;
    for (int i = 1; i < (int)JD_ARRAY_LEN(L->names) && L->names[i]; i++)
        if (L->name_counts[i] > L->name_counts[best] ||
            (L->name_counts[i] && L->name_counts[i] == L->name_counts[best] &&
             strcmp(pool_str(&R->ids, L->names[i]), pool_str(&R->ids, L->names[best])) < 0))
            best = i;
    r->name = L->names[best];
}

static int on_mention(const jd_mention_row *m, void *payload)
{
    loader *L = payload;
    rs *R = L->R;
    rref *r = mention_ref(L, m);
    if (!r)
        return JD_ENOMEM;
    r->mentions++;
    uint32_t fid, sid;
    if (name_id(R, L->memo[0], m->forenames, true, &fid) != JD_OK ||
        name_id(R, L->memo[1], m->surname, false, &sid) != JD_OK)
        return JD_ENOMEM;
    add_id(r->fore, &r->nfore, NV, fid);
    add_id(r->sur, &r->nsur, NV, sid);
    unsigned dy = 0, dm = 0, dd = 0;
    int dn = m->dob ? jd_resolve__parse_ymd(m->dob, &dy, &dm, &dd) : 0;
    mention_dates(r, m, dy, dm, dd, dn);
    mention_places(R, L->amemo, r, m);
    if (R->ev_keys && m->event_id > 0 && m->event_id < INT64_C(1) << 31 && R->nev < UINT32_MAX) {
        uint64_t *k = vec_push(R->ev_keys);
        ev_mention *e = vec_push(R->ev_info);
        if (!k || !e)
            return JD_ENOMEM;
        *k = (uint64_t)m->event_id << 32 | R->nev++;
        *e = (ev_mention){(uint32_t)(r - R->r),
                          pool_add(&R->ids, m->role ? m->role : "", m->role ? strlen(m->role) : 0),
                          fid, sid};
    }
    mention_display_name(L, r, m);
    return JD_OK;
}

/* ---- blocking ---- */

/* Text being written (notes, blocking keys, dates), cut at cap - 1 bytes as
 * snprintf into cap cuts it: by hand, since printf takes its slow
 * positional path in this process (libquadmath registers a printf
 * modifier; the notes' snprintf was 1.0 s of the save at 1M). */
typedef struct nfmt {
    char *p;
    size_t n, cap;
} nfmt;

static void nf_put(nfmt *f, const char *s, size_t k)
{
    size_t room = f->cap - 1 - f->n;
    memcpy(f->p + f->n, s, k < room ? k : room);
    f->n += k < room ? k : room;
}
#define NF_LIT(f, lit) nf_put((f), (lit), sizeof(lit) - 1)
static void nf_str(nfmt *f, const char *s)
{
    nf_put(f, s, strlen(s));
}

/* "%.1f" of w (strfromd: glibc's own rounding, without printf). */
static void nf_weight(nfmt *f, double w)
{
    char t[32];
    int k = strfromd(t, sizeof t, "%.1f", w);
    nf_put(f, t, k < 0 ? 0 : (size_t)k < sizeof t ? (size_t)k : sizeof t - 1);
}

/* "%0*u" (width digits at least, then "%d" when signed and v negative). */
static void nf_num(nfmt *f, int64_t v, int width)
{
    char t[24];
    int k = (int)sizeof t;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do
        t[--k] = (char)('0' + u % 10);
    while ((u /= 10) > 0 || (int)sizeof t - k < width);
    if (v < 0)
        t[--k] = '-';
    nf_put(f, t + k, sizeof t - (size_t)k);
}

/* Does a ref carry a full date of birth (day and month too)? */
static bool has_full_date(const rref *r)
{
    for (uint8_t i = 0; i < r->ndob; i++)
        if (r->dob[i] % 100 && r->dob[i] / 100 % 100)
            return true;
    return false;
}

/* American Soundex of an ASCII-folded name: a blocking key only. */
static void soundex(const char *s, char out[5])
{
    static const char code[26] = {0,   '1', '2', '3', 0,   '1', '2', 0, 0,   '2', '2', '4', '5',
                                  '5', 0,   '1', '2', '6', '2', '3', 0, '1', 0,   '2', 0,   '2'};
    int k = 0;
    char last = 0;
    for (; *s && k < 4; s++) {
        char c = *s;
        if (c < 'a' || c > 'z')
            continue;
        char d = code[c - 'a'];
        if (k == 0) {
            out[k++] = (char)(c - 32);
            last = d;
            continue;
        }
        if (d && d != last)
            out[k++] = d;
        if (c != 'h' && c != 'w')
            last = d;
    }
    while (k > 0 && k < 4)
        out[k++] = '0';
    out[k] = '\0';
}

typedef jd_block_key kv;

typedef struct vec {
    void *p;
    size_t n, cap, sz;
} vec;

/* Free a vec's memory (its element size kept). */
static void vec_drop(vec *v)
{
    free(v->p);
    v->p = NULL;
    v->n = v->cap = 0;
}

/* Room for `more` elements past n (capacity doubled as needed). */
static int vec_reserve(vec *v, size_t more)
{
    if (v->n + more <= v->cap)
        return JD_OK;
    size_t nc = v->cap ? v->cap : 1 << 16;
    while (nc < v->n + more)
        nc *= 2;
    void *np = realloc(v->p, nc * v->sz);
    if (!np)
        return JD_ENOMEM;
    v->p = np;
    v->cap = nc;
    return JD_OK;
}

static void *vec_push(vec *v)
{
    return vec_reserve(v, 1) == JD_OK ? (char *)v->p + v->sz * v->n++ : NULL;
}

/* Append the elements of parts[0..n), in order, to *out (one allocation of
 * the exact size; an empty *out takes over parts[0]'s memory) and free the
 * parts, on failure too. Threads' results are joined with it. JD_OK or
 * JD_ENOMEM. */
static int vec_concat(vec *out, vec *const *parts, int n)
{
    size_t total = out->n;
    for (int i = 0; i < n; i++)
        total += parts[i]->n;
    int i = 0, rc = JD_OK;
    if (!out->p && n > 0) {
        *out = *parts[0];
        *parts[0] = (vec){.sz = out->sz};
        i = 1;
    }
    if (total > out->cap) {
        void *np = realloc(out->p, total * out->sz);
        if (np) {
            out->p = np;
            out->cap = total;
        } else {
            rc = JD_ENOMEM;
        }
    }
    for (; i < n; i++) {
        if (rc == JD_OK && parts[i]->n) {
            memcpy((char *)out->p + out->n * out->sz, parts[i]->p, parts[i]->n * out->sz);
            out->n += parts[i]->n;
        }
        free(parts[i]->p);
        *parts[i] = (vec){.sz = out->sz};
    }
    return rc;
}

/* The start of share t of `threads` consecutive shares of [0, n). */
static size_t share(size_t n, int t, int threads)
{
    return n * (size_t)t / (size_t)threads;
}

/* A blocking key keeps its rule number in the top 4 bits, so that the
 * candidate pairs each rule contributes can be counted and reported. */
static uint64_t rule_key(int rule, uint64_t h)
{
    return (uint64_t)rule << 60 | (h & ((UINT64_C(1) << 60) - 1));
}

/* The key of `n` bytes of text. */
static int key_push_n(vec *v, int rule, const char *text, size_t n, uint32_t ref)
{
    kv *e = vec_push(v);
    if (!e)
        return JD_ENOMEM;
    e->key = rule_key(rule, jd_hash64(text, n, (uint64_t)rule * 0x9e3779b97f4a7c15ULL));
    e->ref = ref;
    return JD_OK;
}

static int key_push(vec *v, int rule, const char *text, uint32_t ref)
{
    return key_push_n(v, rule, text, strlen(text), ref);
}

/* Rule 1's key (surname code, birth year, initial), hashed from its binary
 * fields: there is no text to format. */
static int phon_key_push(vec *v, uint32_t code, uint32_t year, char initial, uint32_t ref)
{
    kv *e = vec_push(v);
    if (!e)
        return JD_ENOMEM;
    unsigned char k[9];
    memcpy(k, &code, 4);
    memcpy(k + 4, &year, 4);
    k[8] = (unsigned char)initial;
    e->key = rule_key(1, jd_hash64(k, sizeof k, 1 * 0x9e3779b97f4a7c15ULL));
    e->ref = ref;
    return JD_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/*
 * Stable LSD radix sort of an array of T by the 64-bit KEY(element), 16 bits
 * a pass; a pass whose digit is the same everywhere is skipped (the order is
 * already right for it). One body for the types sorted here.
 */
#define RADIX16(T, KEY)                                                                            \
    {                                                                                              \
        T *tmp = malloc(n * sizeof *tmp);                                                          \
        size_t *cnt = malloc(65536 * sizeof *cnt);                                                 \
        if (!tmp || !cnt) {                                                                        \
            free(tmp);                                                                             \
            free(cnt);                                                                             \
            return JD_ENOMEM;                                                                      \
        }                                                                                          \
        T *src = v, *dst = tmp;                                                                    \
        for (int shift = 0; shift < 64; shift += 16) {                                             \
            memset(cnt, 0, 65536 * sizeof *cnt);                                                   \
            for (size_t i = 0; i < n; i++)                                                         \
                cnt[(KEY(src[i]) >> shift) & 0xffff]++;                                            \
            if (cnt[(KEY(src[0]) >> shift) & 0xffff] == n)                                         \
                continue;                                                                          \
            size_t sum = 0;                                                                        \
            for (size_t d = 0; d < 65536; d++) {                                                   \
                size_t c = cnt[d];                                                                 \
                cnt[d] = sum;                                                                      \
                sum += c;                                                                          \
            }                                                                                      \
            for (size_t i = 0; i < n; i++)                                                         \
                dst[cnt[(KEY(src[i]) >> shift) & 0xffff]++] = src[i];                              \
            T *t = src;                                                                            \
            src = dst;                                                                             \
            dst = t;                                                                               \
        }                                                                                          \
        if (src != v)                                                                              \
            memcpy(v, src, n * sizeof *v);                                                         \
        free(tmp);                                                                                 \
        free(cnt);                                                                                 \
        return JD_OK;                                                                              \
    }
#define U64_KEY(x) (x)
#define KV_KEY(x) ((x).key)

/* LSD radix sort (see resolve.h). */
int jd_resolve__radix_sort_u64(uint64_t *v, size_t n)
{
    if (n < 2)
        return JD_OK;
    if (n < 1024) {
        qsort(v, n, sizeof *v, cmp_u64);
        return JD_OK;
    }
    RADIX16(uint64_t, U64_KEY)
}

/* Blocking keys by key, stably: pushed in ref order, they end in (key,
 * ref) order. */
static int sort_keys(kv *v, size_t n)
{
    if (n < 2)
        return JD_OK;
    RADIX16(kv, KV_KEY)
}

/*
 * A ref counts once in a block: of entries sorted by key, each ref's
 * entries of one key being next to each other (keys_range pushes a ref's
 * keys together, and the sort is stable), a (key, ref) entry repeated is
 * dropped. A ref emits one key twice when two of its names give it (two
 * forenames of one initial at one postcode: rule 4's key twice); counted
 * twice it would take a second place in the block, put a block at the
 * cap's edge over it, and its stored list (ref_key, one ref once) would
 * not be the block the county holds. Returns the entries kept.
 */
static size_t distinct_keys(kv *k, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || k[m - 1].key != k[i].key || k[m - 1].ref != k[i].ref)
            k[m++] = k[i];
    return m;
}

/* Hoare's partition of v[0..n), n > 24, about the median of three: returns
 * j with [0, j] <= piv <= [j + 1, n), both sides not empty. */
static size_t partition_u32(uint32_t *v, size_t n)
{
    uint32_t a = v[0], b = v[n / 2], c = v[n - 1];
    uint32_t piv = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    size_t i = 0, j = n - 1;
    for (;;) {
        while (v[i] < piv)
            i++;
        while (v[j] > piv)
            j--;
        if (i >= j)
            return j;
        uint32_t t = v[i];
        v[i++] = v[j];
        v[j--] = t;
    }
}

static void insertion_u32(uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Sort a short array of ref numbers: insertion sort below 24, else
 * quicksort (median of three) recursing into the smaller side. */
static void sort_u32(uint32_t *v, size_t n)
{
    while (n > 24) {
        size_t j = partition_u32(v, n);
        if (j + 1 < n - j - 1) {
            sort_u32(v, j + 1);
            v += j + 1;
            n -= j + 1;
        } else {
            sort_u32(v + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion_u32(v, n);
}

/* The k-th smallest of v[0..n) (k < n) put at v[k], the rest of v[0..k)
 * no larger and of v(k..n) no smaller (Hoare's selection): what v[k] would
 * be sorted, without sorting the rest. */
static void select_u32(uint32_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* k in [lo, hi) */
    while (hi - lo > 24) {
        size_t j = lo + partition_u32(v + lo, hi - lo);
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
    insertion_u32(v + lo, hi - lo);
}

enum { MAX_THREADS = JD_MAX_THREADS }; /* jd_run_jobs (util/jobs.c) */

/* One thread's share of jd_resolve__pairs: the refs [lo, hi). */
typedef struct pair_job {
    const uint32_t *ref, *end; /* pair_index's */
    const uint32_t *start, *pos;
    uint32_t nrefs, lo, hi;
    vec out;       /* the pairs of refs [lo, hi), in order */
    uint32_t *own; /* [nrefs] marks to use (no ref of [lo, hi) marked yet), NULL: its own */
    const uint64_t *probe; /* rule 11's pairs, sorted, maybe repeated (NULL: none) */
    size_t nprobe;
    bool loose; /* each ref's pairs in no order, its rule 11 pairs among them */
    int rc;
} pair_job;

/* The partners of ref a (marked a + 1 in mark), each once, appended to
 * *buf (grown; NULL: only counted); how many, or -1 without memory. */
static inline ptrdiff_t ref_partners(const pair_job *j, uint32_t a, uint32_t *mark, uint32_t **buf,
                                     size_t *bcap)
{
    const uint32_t *ref = j->ref, *end = j->end;
    size_t nb = 0;
    for (uint32_t p = j->start[a]; p < j->start[a + 1]; p++) {
        size_t q = j->pos[p];
        for (size_t t = q + 1; t < end[q]; t++) {
            uint32_t b = ref[t];
            if (b == a || mark[b] == a + 1)
                continue;
            mark[b] = a + 1;
            if (buf && nb == *bcap) {
                uint32_t *nbuf = realloc(*buf, 2 * *bcap * sizeof **buf);
                if (!nbuf)
                    return -1;
                *buf = nbuf;
                *bcap *= 2;
            }
            if (buf)
                (*buf)[nb] = b;
            nb++;
        }
    }
    return (ptrdiff_t)nb;
}

/* The first of ref lo's rule 11 pairs in probe. */
static size_t probe_first(const pair_job *j)
{
    size_t lo = 0, hi = j->nprobe;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->probe[mid] >> 32 < j->lo)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The pairs of ref a as stream_pass gives them, in no order: its partners
 * (ref_partners) and its rule 11 pairs, probe[q0..q), not among them, into
 * *buf (grown); how many, or -1 without memory. */
static ptrdiff_t ref_pairs_unsorted(const pair_job *j, uint32_t a, uint32_t *mark, size_t q0,
                                    size_t q, uint32_t **buf, size_t *bcap)
{
    ptrdiff_t got = ref_partners(j, a, mark, buf, bcap);
    if (got < 0)
        return -1;
    size_t m = (size_t)got;
    for (; q0 < q; q0++) {
        uint32_t b = (uint32_t)j->probe[q0];
        if (mark[b] == a + 1)
            continue;
        mark[b] = a + 1;
        if (m == *bcap) {
            uint32_t *nb = realloc(*buf, 2 * *bcap * sizeof **buf);
            if (!nb)
                return -1;
            *buf = nb;
            *bcap *= 2;
        }
        (*buf)[m++] = b;
    }
    return (ptrdiff_t)m;
}

static void *pairs_range(void *arg)
{
    pair_job *j = arg;
    /* partner of a: a + 1 */
    uint32_t *mark = j->own ? j->own : calloc(j->nrefs ? j->nrefs : 1, sizeof *mark);
    size_t bcap = 1024;
    uint32_t *buf = malloc(bcap * sizeof *buf);
    j->rc = JD_ENOMEM;
    if (!mark || !buf)
        goto out;
    size_t q = j->loose ? probe_first(j) : 0;
    for (uint32_t a = j->lo; a < j->hi; a++) {
        size_t q0 = q;
        while (j->loose && q < j->nprobe && j->probe[q] >> 32 == a)
            q++;
        ptrdiff_t got = j->loose ? ref_pairs_unsorted(j, a, mark, q0, q, &buf, &bcap)
                                 : ref_partners(j, a, mark, &buf, &bcap);
        if (got < 0)
            goto out;
        size_t nb = (size_t)got;
        if (!j->loose)
            sort_u32(buf, nb);
        if (vec_reserve(&j->out, nb) != JD_OK)
            goto out;
        uint64_t *o = j->out.p;
        for (size_t i = 0; i < nb; i++)
            o[j->out.n++] = (uint64_t)a << 32 | buf[i];
    }
    j->rc = JD_OK;
out:
    if (mark != j->own)
        free(mark);
    free(buf);
    return NULL;
}

/* Sorted blocking keys indexed by ref: start[a] .. start[a + 1] are the
 * positions (pos) of a's entries in runs of at most cap; the entry at
 * position q is ref[q], in a run that ends before end[q]. Without the keys
 * themselves: 12 bytes an entry instead of 20. */
typedef struct pair_index {
    size_t nk;
    uint32_t nrefs;
    uint32_t *start, *pos, *ref, *end;
} pair_index;

static void pair_index_free(pair_index *x)
{
    free(x->start);
    free(x->pos);
    free(x->ref);
    free(x->end);
    x->start = x->pos = x->ref = x->end = NULL;
}

/* The index of nk sorted keys; counts each rule's proposals and the runs
 * over cap. JD_OK, JD_ENOMEM, or JD_EINVALID for a ref not below nrefs. */
static int pair_index_build(pair_index *x, const jd_block_key *k, size_t nk, uint32_t nrefs,
                            size_t cap, int64_t by_rule[16], int64_t *skipped)
{
    *x = (pair_index){nk, nrefs, NULL, NULL, NULL, NULL};
    uint32_t *start = calloc((size_t)nrefs + 2, sizeof *start); /* per ref, into pos */
    uint32_t *pos = malloc((nk ? nk : 1) * sizeof *pos);        /* key entries of kept runs */
    x->ref = malloc((nk ? nk : 1) * sizeof *x->ref);
    x->end = malloc((nk ? nk : 1) * sizeof *x->end);
    if (!start || !pos || !x->ref || !x->end || nk > UINT32_MAX) {
        free(start);
        free(pos);
        pair_index_free(x);
        return JD_ENOMEM;
    }
    /* runs of one key: count the pairs each rule proposes, skip the large */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t s = 0; s < nk;) {
            size_t e = s + 1;
            while (e < nk && k[e].key == k[s].key)
                e++;
            if (e - s > cap) {
                if (pass == 0)
                    (*skipped)++;
            } else if (pass == 0) {
                by_rule[k[s].key >> 60] += (int64_t)(e - s) * (int64_t)(e - s - 1) / 2;
                for (size_t q = s; q < e; q++) {
                    if (k[q].ref >= nrefs) { /* would write past start */
                        free(start);
                        free(pos);
                        pair_index_free(x);
                        return JD_EINVALID;
                    }
                    start[k[q].ref + 2]++;
                    x->ref[q] = k[q].ref;
                    x->end[q] = (uint32_t)e;
                }
            } else {
                for (size_t q = s; q < e; q++)
                    pos[start[k[q].ref + 1]++] = (uint32_t)q;
            }
            s = e;
        }
        if (pass == 0)
            for (uint32_t r = 0; r < nrefs; r++)
                start[r + 2] += start[r + 1];
    }
    x->start = start;
    x->pos = pos;
    return JD_OK;
}

/*
 * The candidate pairs of refs [lo, hi) appended to *out in (a, b) order,
 * one ref at a time: the partners of ref a are the later entries of every
 * run a stands in, gathered once each (a mark per ref) and sorted, so the
 * pairs come out in order without sorting the ~1.5 times as many pairs the
 * runs propose. `threads` threads take consecutive ranges of refs of about
 * equal work and their pairs are joined in order, so the result is the
 * same for any number. marks: one [nrefs] array per thread in which no ref
 * of [lo, hi) is marked yet, or NULL (each thread its own); keep: one vec
 * per thread whose memory the threads' pairs use and keep for the next
 * call, or NULL (freed).
 */
static int pairs_emit(const pair_index *x, uint32_t lo, uint32_t hi, int threads,
                      uint32_t *const *marks, const uint64_t *probe, size_t nprobe, vec *keep,
                      vec *out)
{
    if (threads < 1)
        threads = 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    const uint32_t *start = x->start;
    pair_job job[MAX_THREADS];
    uint32_t l = lo;
    for (int t = 0; t < threads; t++) {
        uint32_t h = l;
        size_t upto =
            start[lo] + (size_t)(start[hi] - start[lo]) * (size_t)(t + 1) / (size_t)threads;
        while (h < hi && (t == threads - 1 || start[h] < upto))
            h++;
        job[t] = (pair_job){.ref = x->ref,
                            .end = x->end,
                            .start = start,
                            .pos = x->pos,
                            .nrefs = x->nrefs,
                            .lo = l,
                            .hi = h,
                            .out = {.sz = sizeof(uint64_t)},
                            .own = marks ? marks[t] : NULL,
                            .probe = probe,
                            .nprobe = nprobe,
                            .loose = probe != NULL,
                            .rc = JD_OK};
        if (keep) {
            job[t].out = keep[t];
            job[t].out.n = 0;
        }
        l = h;
    }
    jd_run_jobs(pairs_range, job, sizeof *job, threads);
    int rc = JD_OK;
    if (keep) { /* copied out, the memory kept */
        for (int t = 0; t < threads; t++) {
            rc = job[t].rc < 0 ? job[t].rc : rc;
            keep[t] = job[t].out;
            if (rc == JD_OK && (rc = vec_reserve(out, keep[t].n)) == JD_OK && keep[t].n) {
                memcpy((uint64_t *)out->p + out->n, keep[t].p, keep[t].n * sizeof(uint64_t));
                out->n += keep[t].n;
            }
        }
        return rc;
    }
    vec *parts[MAX_THREADS] = {NULL};
    for (int t = 0; t < threads; t++) {
        rc = job[t].rc < 0 ? job[t].rc : rc;
        parts[t] = &job[t].out;
    }
    if (vec_concat(out, parts, threads) != JD_OK)
        rc = JD_ENOMEM;
    return rc;
}

/* Candidate pairs from sorted blocking keys (see resolve.h): the index,
 * then every ref's pairs (pairs_emit). */
int jd_resolve__pairs(const jd_block_key *k, size_t nk, uint32_t nrefs, size_t cap, int threads,
                      uint64_t **out, size_t *nout, int64_t by_rule[16], int64_t *skipped)
{
    *out = NULL;
    *nout = 0;
    pair_index x;
    int rc = pair_index_build(&x, k, nk, nrefs, cap, by_rule, skipped);
    if (rc < 0)
        return rc;
    vec all = {.sz = sizeof(uint64_t)};
    rc = pairs_emit(&x, 0, nrefs, threads, NULL, NULL, 0, NULL, &all);
    pair_index_free(&x);
    if (rc < 0 || !all.n) {
        free(all.p);
        return rc < 0 ? rc : JD_OK;
    }
    *out = all.p;
    *nout = all.n;
    return JD_OK;
}

/* One thread's share of the blocking keys: refs [lo, hi), in order. */
typedef struct key_job {
    const rs *R;
    uint32_t lo, hi;
    vec keys;
    int rc;
    const uint8_t *sel; /* only the refs marked (NULL: all) */
    int places;         /* 0: the blocking keys; 1: and the places (keys_household); 2: those alone */
} key_job;

/* The initials a forename blocks by: its own, and its canonical variant's
 * where that differs (Kuba meets Jakub, Liam William). Returns 1 or 2. */
static int fore_initials(const rs *R, uint32_t fore, char out[2])
{
    uint32_t c = variant_canon(R, fore);
    out[0] = pool_str(&R->names, fore)[0];
    out[1] = c ? pool_str(&R->names, c)[0] : out[0];
    return out[1] != out[0] ? 2 : 1;
}

/* Rules 1 and 9 for ref i: its surname's sound with a birth year and an
 * initial, or with its forename's sound in a district when it has no date. */
static int keys_sound(const rs *R, const rref *r, uint32_t i, vec *keys)
{
    char b[96];
    int rc = JD_OK;
    for (uint8_t s = 0; s < r->nsur; s++) {
        /* surname sound + birth year + initial, once per Double Metaphone
         * code: the alternate meets Smith with Schmidt, and the codes
         * meet across a different first letter (Knight / Night, Philips
         * / Fillips), where Soundex cannot. Names with nothing to code
         * (other scripts) share the code 0. */
        const uint32_t *ph = phon_codes(R, r->sur[s]);
        uint32_t codes[2] = {ph ? ph[0] : 0, ph && ph[1] != ph[0] ? ph[1] : 0};
        for (uint8_t f = 0; f < r->nfore; f++) {
            char ini[2];
            int ni = fore_initials(R, r->fore[f], ini);
            for (int c = 0; c < 2; c++) {
                if (c == 1 && !codes[1])
                    continue;
                for (int n = 0; n < ni; n++) {
                    for (uint8_t d = 0; d < r->ndob; d++)
                        rc |= phon_key_push(keys, codes[c], r->dob[d] / 10000, ini[n], i);
                    if (r->by_lo)
                        for (int y = r->by_lo; y <= r->by_hi; y++)
                            rc |= phon_key_push(keys, codes[c], (uint32_t)y, ini[n], i);
                }
            }
            /* no date at all: surname and forename sound, within a district */
            if (!r->ndob && !r->by_lo) {
                char fx[5];
                soundex(pool_str(&R->names, r->fore[f]), fx);
                const char *pc = r->npc ? pool_str(&R->ids, r->pc[0]) : "";
                const char *sp = strchr(pc, ' ');
                nfmt t = {b, 0, sizeof b};
                nf_str(&t, pool_str(&R->names, r->sur[s]));
                NF_LIT(&t, "|");
                nf_str(&t, fx);
                NF_LIT(&t, "|");
                nf_put(&t, pc, sp ? (size_t)(sp - pc) : strlen(pc));
                rc |= key_push_n(keys, 9, b, t.n, i);
            }
        }
    }
    return rc;
}

/* "%u|%c" of a date and a gender into b; its length. */
static size_t date_key(char *b, size_t cap, uint32_t v, char g)
{
    nfmt t = {b, 0, cap};
    nf_num(&t, v, 1);
    NF_LIT(&t, "|");
    nf_put(&t, &g, 1);
    return t.n;
}

/* Rules 3 and 2 for ref i: its full dates of birth with gender (and the
 * day/month swap), and its forenames' Soundex with the day and month. */
static int keys_dates(const rs *R, const rref *r, uint32_t i, vec *keys)
{
    char b[96], sx[5];
    int rc = JD_OK;
    for (uint8_t d = 0; d < r->ndob; d++) {
        uint32_t v = r->dob[d];
        if (v % 100 == 0)
            continue; /* partial dates only block through the year rules */
        /* the full date with gender; its day/month swap meets its twin
         * here. A ref with no gender meets both genders' blocks too. */
        unsigned y = v / 10000, mo = v / 100 % 100, dd = v % 100;
        static const char none[] = "?FM";
        for (int g = 0; g < (r->gender ? 1 : 3); g++) {
            char gc = r->gender ? r->gender : none[g];
            rc |= key_push_n(keys, 3, b, date_key(b, sizeof b, v, gc), i);
            if (dd <= 12 && dd != mo)
                rc |= key_push_n(keys, 3, b,
                                 date_key(b, sizeof b, y * 10000 + dd * 100 + mo, gc), i);
        }
        for (uint8_t f = 0; f < r->nfore; f++) {
            uint32_t names[2] = {r->fore[f], variant_canon(R, r->fore[f])};
            for (int n = 0; n < 2 && names[n]; n++) {
                char cx[5];
                soundex(pool_str(&R->names, names[n]), cx);
                if (n && !strcmp(cx, sx))
                    continue;
                memcpy(sx, cx, sizeof sx);
                nfmt t = {b, 0, sizeof b};
                nf_str(&t, sx);
                NF_LIT(&t, "|");
                nf_num(&t, v % 10000, 1);
                rc |= key_push_n(keys, 2, b, t.n, i);
            }
        }
    }
    return rc;
}

/* A place's key text into b[96], as snprintf(b, 96, "%.*s|%.*s", max, s,
 * ntail, tail) writes it (tail ends at a NUL too), without printf (a
 * fifth of blocking); returns its length. */
static size_t place_key(char *b, const char *s, size_t slen, size_t max, const char *tail,
                        size_t ntail)
{
    enum { CAP = 95 };
    size_t n = slen < max ? slen : max;
    n = n < CAP ? n : CAP;
    memcpy(b, s, n);
    if (n < CAP)
        b[n++] = '|';
    for (size_t k = 0; k < ntail && tail[k] && n < CAP; k++)
        b[n++] = tail[k];
    b[n] = '\0';
    return n;
}

/* Rules 4 and 10 for ref i: its postcodes and its address, each with an
 * initial. */
static int keys_place(const rs *R, const rref *r, uint32_t i, vec *keys)
{
    char b[96];
    int rc = JD_OK;
    /* A ref with no full date of birth (a call handler's or housing
     * officer's row) has no date rule to meet its person by: it also
     * meets them by the initial of its surname at the place (a surname
     * written first), and it probes every ref with its names (rule 11) */
    bool probe = !has_full_date(r);
    /* and every ref with both names meets its person at the place by the
     * two initials in either order (a surname written first, "Shah
     * Harpreet", beside a date mistyped: no other rule meets them) */
    char two[NV * NV][3];
    int ntwo = 0;
    for (uint8_t f = 0; f < r->nfore; f++)
        for (uint8_t s = 0; s < r->nsur && ntwo < NV * NV; s++) {
            char x = pool_str(&R->names, r->fore[f])[0], y = pool_str(&R->names, r->sur[s])[0];
            two[ntwo][0] = x < y ? x : y;
            two[ntwo][1] = x < y ? y : x;
            two[ntwo++][2] = '\0';
        }
    /* the postcodes as written, then the address as written (at most 80
     * bytes: a call handler writes the address and no postcode) */
    for (uint8_t p = 0; p <= r->npc; p++) {
        int rule = p < r->npc ? 4 : 10;
        uint32_t id = p < r->npc ? r->pc[p] : r->addr;
        if (p == r->npc && !id)
            continue; /* no address */
        const pool *pl = p < r->npc ? &R->ids : &R->names;
        const char *ps = pool_str(pl, id);
        size_t pn = pool_len(pl, id), max = p < r->npc ? SIZE_MAX : 80;
        for (int t = 0; t < ntwo; t++)
            rc |= key_push_n(keys, rule, b, place_key(b, ps, pn, max, two[t], 2), i);
        for (uint8_t f = 0; f < r->nfore; f++) {
            char ini[2];
            for (int n = 0, ni = fore_initials(R, r->fore[f], ini); n < ni; n++)
                rc |= key_push_n(keys, rule, b, place_key(b, ps, pn, max, &ini[n], 1), i);
        }
        for (uint8_t f = 0; probe && f < r->nsur; f++)
            rc |= key_push_n(keys, rule, b,
                             place_key(b, ps, pn, max, pool_str(&R->names, r->sur[f]), 1), i);
    }
    return rc;
}

/* Rule 11 for ref i (see probe_pairs). */
static int keys_probe(const rs *R, const rref *r, uint32_t i, vec *keys)
{
    int rc = JD_OK;
    /* rule 11, one way: surname sound and initial with no year, from a
     * ref with no date, age or postcode (the probe, key bit 0 set;
     * either order of its names), which no other rule reaches, to every
     * ref (bit 0 clear) */
    bool probe = !has_full_date(r);
    bool lost = probe && !r->by_lo && !r->npc; /* no date, age or postcode at all */
    for (uint8_t s = 0; s < r->nsur; s++)
        for (uint8_t f = 0; f < r->nfore; f++)
            for (int sw = 0; sw < (lost ? 2 : 1); sw++) {
                uint32_t sur = sw ? r->fore[f] : r->sur[s], fo = sw ? r->sur[s] : r->fore[f];
                const uint32_t *ph = phon_codes(R, sur);
                uint32_t codes[2] = {ph ? ph[0] : 0, ph && ph[1] != ph[0] ? ph[1] : 0};
                for (int c = 0; c < 2; c++) {
                    if (!codes[c])
                        continue;
                    unsigned char k[5];
                    memcpy(k, &codes[c], 4);
                    k[4] = (unsigned char)pool_str(&R->names, fo)[0];
                    kv *e = vec_push(keys);
                    if (!e) {
                        rc |= JD_ENOMEM;
                        continue;
                    }
                    e->key = (rule_key(11, jd_hash64(k, sizeof k, 11 * 0x9e3779b97f4a7c15ULL)) &
                              ~UINT64_C(1)) |
                             (lost ? 1 : 0);
                    e->ref = i;
                }
            }
    return rc;
}

/* Rules 5 to 8 for ref i: NHS number, UPN, phone, other identifier. */
static int keys_ids(const rs *R, const rref *r, uint32_t i, vec *keys)
{
    int rc = JD_OK;
    for (uint8_t k = 0; k < r->nnhs; k++)
        rc |= key_push(keys, 5, pool_str(&R->ids, r->nhs[k]), i);
    for (uint8_t k = 0; k < r->nupn; k++)
        rc |= key_push(keys, 6, pool_str(&R->ids, r->upn[k]), i);
    for (uint8_t k = 0; k < r->nphone; k++)
        rc |= key_push(keys, 7, pool_str(&R->ids, r->phone[k]), i);
    if (r->other)
        rc |= key_push(keys, 8, pool_str(&R->ids, r->other), i);
    return rc;
}

/*
 * A ref's household places, stored with its blocking keys (never blocked
 * on): its address (rule 12) and its postcodes (13; a ref with no place of
 * its own: its event's, as hh_keys takes it). The stored list of a place
 * is then every ref there in the county, kept current by every run as the
 * blocking keys are (a changed ref's keys rewritten; the places are read
 * from what its fingerprint hashes), so its length is the county's count
 * of refs at the place (join_household's HH_MEMBERS cap) and a run that
 * loads only its scope can read who is there. Not stored: the postcode an
 * address written without one takes (apc), the vote of the refs at the
 * address, which their address list gives.
 */
enum { KEY_ADDRESS = 12, KEY_POSTCODE = 13 };

static int keys_household(const rs *R, const rref *r, uint32_t i, vec *keys)
{
    int rc = JD_OK;
    if (r->addr)
        rc |= key_push(keys, KEY_ADDRESS, pool_str(&R->names, r->addr), i);
    for (uint8_t p = 0; p < r->npc; p++)
        rc |= key_push(keys, KEY_POSTCODE, pool_str(&R->ids, r->pc[p]), i);
    if (!r->addr && !r->npc && r->epc)
        rc |= key_push(keys, KEY_POSTCODE, pool_str(&R->ids, r->epc), i);
    return rc;
}

/* The blocking keys of refs [lo, hi), rule by rule for each ref (and their
 * places, j->places). */
static void *keys_range(void *arg)
{
    key_job *j = arg;
    const rs *R = j->R;
    vec *keys = &j->keys;
    int rc = JD_OK;
    for (uint32_t i = j->lo; i < j->hi && rc == JD_OK; i++) {
        const rref *r = &R->r[i];
        if (j->sel && !j->sel[i])
            continue;
        if (j->places != 2) {
            rc |= keys_sound(R, r, i, keys);
            rc |= keys_dates(R, r, i, keys);
            rc |= keys_place(R, r, i, keys);
            rc |= keys_probe(R, r, i, keys);
            rc |= keys_ids(R, r, i, keys);
        }
        if (j->places)
            rc |= keys_household(R, r, i, keys);
    }
    j->rc = rc != JD_OK ? JD_ENOMEM : JD_OK;
    return NULL;
}

/*
 * One-way candidate pairs (rule 11) from its sorted keys: a key's targets
 * (bit 0 clear) and probes (bit 0 set) sort next to each other; each probe
 * pairs with every other ref of the two runs, and targets never with one
 * another (every ref is a target, so their pairs would be the county's
 * namesakes). Keys of more than `cap` refs are skipped and counted.
 */
static int probe_pairs(const kv *k, size_t nk, size_t cap, vec *out, int64_t *proposed,
                       int64_t *skipped)
{
    for (size_t s = 0, e; s < nk; s = e) {
        e = s + 1;
        while (e < nk && k[e].key >> 1 == k[s].key >> 1)
            e++;
        size_t first_probe = s;
        while (first_probe < e && !(k[first_probe].key & 1))
            first_probe++;
        if (first_probe == e || e - s < 2)
            continue;
        if (cap && e - s > cap) {
            (*skipped)++;
            continue;
        }
        for (size_t p = first_probe; p < e; p++)
            for (size_t q = s; q < e; q++) {
                uint32_t a = k[p].ref, b = k[q].ref;
                if (a == b || (q >= first_probe && q < p))
                    continue; /* two probes pair once */
                uint64_t *o = vec_push(out);
                if (!o)
                    return JD_ENOMEM;
                *o = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
                (*proposed)++;
            }
    }
    return JD_OK;
}

/* The sorted, distinct union of the sorted pairs *pp and the pairs q
 * (sorted here): *pp is replaced. JD_OK or JD_ENOMEM. */
static int merge_pairs(uint64_t **pp, size_t *np, uint64_t *q, size_t nq)
{
    if (jd_resolve__radix_sort_u64(q, nq) < 0)
        return JD_ENOMEM;
    uint64_t *m = malloc((*np + nq) * sizeof *m);
    if (!m)
        return JD_ENOMEM;
    size_t i = 0, j = 0, n = 0;
    const uint64_t *p = *pp;
    while (i < *np || j < nq) {
        uint64_t v = j == nq || (i < *np && p[i] <= q[j]) ? p[i++] : q[j++];
        if (!n || m[n - 1] != v)
            m[n++] = v;
    }
    free(*pp);
    *pp = m;
    *np = n;
    return JD_OK;
}

/* Candidate pairs by the blocking rules, with `threads` threads (1 to 8). */
/*
 * Incremental runs: a block longer than cap now, but not without its
 * changed refs, may have been paired before and is skipped now; every ref
 * in it is marked in over[] so that the clusters its old pairs made are
 * resolved again. An unchanged ref has the keys it had, so a block whose
 * unchanged refs alone exceed cap was skipped before too.
 */
static void mark_over_cap(const kv *k, size_t nk, size_t cap, const uint8_t *chg, uint8_t *over)
{
    for (size_t i = 0, j; i < nk; i = j) {
        /* rule 11's blocks are its targets and probes together (probe_pairs) */
        bool r11 = k[i].key >> 60 == 11;
        uint64_t key = r11 ? k[i].key >> 1 : k[i].key;
        size_t nchg = chg[k[i].ref];
        for (j = i + 1; j < nk && (r11 ? k[j].key >> 1 : k[j].key) == key; j++)
            nchg += chg[k[j].ref];
        if (j - i > cap && nchg && j - i - nchg <= cap && (cap || !r11))
            for (size_t x = i; x < j; x++)
                over[k[x].ref] = 1;
    }
}

/* The blocking keys of the refs marked in sel (NULL: every ref), sorted
 * by (key, ref), a (key, ref) once: *out (malloc'd), *nk. */
static int keys_sorted(const rs *R, const uint8_t *sel, int threads, kv **out, size_t *nk)
{
    /* the keys of consecutive shares of refs, built in threads and joined
     * in order: the same array as one pass over the refs */
    key_job job[MAX_THREADS];
    vec keys = {.sz = sizeof(kv)}, *parts[MAX_THREADS] = {NULL};
    for (int t = 0; t < threads; t++)
        job[t] = (key_job){R,
                           (uint32_t)share(R->n, t, threads),
                           (uint32_t)share(R->n, t + 1, threads),
                           {.sz = sizeof(kv)},
                           JD_OK,
                           sel,
                           0};
    jd_run_jobs(keys_range, job, sizeof *job, threads);
    int rc = JD_OK;
    for (int t = 0; t < threads; t++) {
        rc = job[t].rc < 0 ? job[t].rc : rc;
        parts[t] = &job[t].keys;
    }
    if (vec_concat(&keys, parts, threads) != JD_OK || rc != JD_OK) {
        free(keys.p);
        return JD_ENOMEM;
    }
    /* keys were pushed in ref order: a stable sort by key orders them by
     * (key, ref), as jd_resolve__pairs wants */
    kv *k = keys.p;
    if (sort_keys(k, keys.n) < 0) {
        free(keys.p);
        return JD_ENOMEM;
    }
    *out = k;
    *nk = distinct_keys(k, keys.n);
    return JD_OK;
}

/* Sorted keys k[0..nk) taken on: the blocks the changed refs pushed over
 * the cap marked, rule 11's one-way pairs (which sort last) into *probe
 * (unsorted, maybe repeated), the entries before them *n11_out. */
static int keys_finish(rs *R, const kv *k, size_t nk, int cap, size_t *n11_out, vec *probe)
{
    if (R->chg && R->over)
        mark_over_cap(k, nk, (size_t)(cap > 0 ? cap : 0), R->chg, R->over);
    size_t n11 = nk;
    while (n11 > 0 && k[n11 - 1].key >> 60 == 11)
        n11--;
    if (probe_pairs(k + n11, nk - n11, (size_t)(cap > 0 ? cap : 0), probe,
                    &R->st.pairs_by_rule[11], &R->st.skipped_blocks) != JD_OK) {
        vec_drop(probe);
        return JD_ENOMEM;
    }
    *n11_out = n11;
    return JD_OK;
}

/*
 * The blocking keys of every ref, sorted by (key, ref) into *keys (nk), the
 * first n11 of them for jd_resolve__pairs; rule 11's one-way pairs, which
 * sort last, taken apart into *probe (unsorted, maybe repeated).
 */
static int block_keys(rs *R, int cap, int threads, kv **keys_out, size_t *nk, size_t *n11_out,
                      vec *probe)
{
    kv *k = NULL;
    size_t n = 0, n11 = 0;
    if (keys_sorted(R, NULL, threads, &k, &n) < 0 || keys_finish(R, k, n, cap, &n11, probe) < 0) {
        free(k);
        return JD_ENOMEM;
    }
    *keys_out = k;
    *nk = n;
    *n11_out = n11;
    return JD_OK;
}

static int block(rs *R, vec *pairs, int cap, int threads)
{
    kv *k = NULL;
    size_t nk = 0, n11 = 0;
    vec probe = {.sz = sizeof(uint64_t)};
    int rc = block_keys(R, cap, threads, &k, &nk, &n11, &probe);
    if (rc < 0)
        return rc;
    uint64_t *pp = NULL;
    size_t np = 0;
    rc = jd_resolve__pairs(k, n11, (uint32_t)R->n, (size_t)(cap > 0 ? cap : 0), threads, &pp, &np,
                           R->st.pairs_by_rule, &R->st.skipped_blocks);
    free(k);
    if (rc == JD_OK && probe.n)
        rc = merge_pairs(&pp, &np, probe.p, probe.n);
    free(probe.p);
    if (rc < 0) {
        free(pp);
        return rc;
    }
    pairs->p = pp;
    pairs->n = pairs->cap = np;
    return JD_OK;
}

/*
 * Candidate pairs as a stream (a full run): never all held at once, but
 * made again, a range of refs at a time, for each pass over them (counting,
 * EM's sample, scoring). Each range's pairs are exactly the pairs of its
 * refs that block() would list, in the same order, so the passes see the
 * same pairs in the same order as over block()'s array.
 */
enum { STREAM_ENTRIES = 1 << 19 }; /* key entries of the refs of one range */
typedef struct pair_stream {
    kv *keys; /* sorted blocking keys, until indexed in x */
    pair_index x;
    uint64_t *probe; /* rule 11's pairs, sorted (maybe repeated) */
    size_t nprobe;
    int threads;
    size_t entries;              /* key entries a range holds at most (STREAM_ENTRIES) */
    uint32_t *mark[MAX_THREADS]; /* each thread's marks, reused range after range */
    uint32_t *cnt;               /* each ref's pairs, by the count pass (NULL: not kept) */
    vec part[MAX_THREADS];       /* each thread's pairs of a range (memory reused) */
    vec chunk, merged;           /* one range's pairs */
} pair_stream;

static void stream_free(pair_stream *ps)
{
    free(ps->keys);
    pair_index_free(&ps->x);
    free(ps->probe);
    free(ps->cnt);
    for (int t = 0; t < MAX_THREADS; t++) {
        free(ps->mark[t]);
        free(ps->part[t].p);
    }
    free(ps->chunk.p);
    free(ps->merged.p);
    memset(ps, 0, sizeof *ps);
}

static int stream_open(pair_stream *ps, rs *R, int cap, int threads)
{
    memset(ps, 0, sizeof *ps);
    ps->threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    ps->entries = STREAM_ENTRIES;
    ps->chunk.sz = ps->merged.sz = sizeof(uint64_t);
    for (int t = 0; t < MAX_THREADS; t++)
        ps->part[t].sz = sizeof(uint64_t);
    size_t nk = 0, n11 = 0;
    vec probe = {.sz = sizeof(uint64_t)};
    int rc = block_keys(R, cap, ps->threads, &ps->keys, &nk, &n11, &probe);
    if (rc < 0)
        return rc;
    ps->probe = probe.p;
    ps->nprobe = probe.n;
    if (jd_resolve__radix_sort_u64(ps->probe, ps->nprobe) < 0)
        return JD_ENOMEM;
    rc = pair_index_build(&ps->x, ps->keys, n11, (uint32_t)R->n, (size_t)(cap > 0 ? cap : 0),
                          R->st.pairs_by_rule, &R->st.skipped_blocks);
    free(ps->keys); /* the index holds what the passes read of them */
    ps->keys = NULL;
    for (int t = 0; rc == JD_OK && t < ps->threads; t++)
        if (!(ps->mark[t] = calloc(R->n ? R->n : 1, sizeof *ps->mark[t])))
            rc = JD_ENOMEM;
    return rc;
}

/* One thread's count of stream_pass's pairs of refs [lo, hi): each ref's
 * partners by their marks, and its rule 11 pairs (in probe, sorted, maybe
 * repeated) that are none of them; or (pairs_sample) EM's sample of them. */
typedef struct count_job {
    pair_job p; /* the index, refs, marks and rule 11's pairs; p.out: the sample */
    size_t n;   /* pairs counted; the sample: pairs before ref lo */
    uint32_t *cnt;    /* each ref's pairs, counted (NULL: not kept) */
    size_t stride;    /* the sample's */
} count_job;

static void *pairs_count(void *arg)
{
    count_job *j = arg;
    uint32_t *mark = j->p.own;
    size_t lo = probe_first(&j->p);
    for (uint32_t a = j->p.lo; a < j->p.hi; a++) {
        size_t n = (size_t)ref_partners(&j->p, a, mark, NULL, NULL);
        for (; lo < j->p.nprobe && j->p.probe[lo] >> 32 == a; lo++) {
            uint32_t b = (uint32_t)j->p.probe[lo];
            n += mark[b] != a + 1;
            mark[b] = a + 1;
        }
        if (j->cnt)
            j->cnt[a] = (uint32_t)n;
        j->n += n;
    }
    j->p.rc = JD_OK;
    return NULL;
}

/*
 * One thread's share of EM's sample: the pairs at every stride-th place of
 * the whole list (j->n of them before ref lo), by each ref's count. A ref
 * none of whose places is sampled is passed over; the others' pairs are
 * gathered and the sampled places selected (select_u32), not sorted,
 * unless a ref holds three places or more (small strides, small counties).
 */
static void *pairs_sample(void *arg)
{
    count_job *j = arg;
    size_t q = probe_first(&j->p), g = j->n, bcap = 1024;
    uint32_t *buf = malloc(bcap * sizeof *buf);
    j->p.rc = buf ? JD_OK : JD_ENOMEM;
    for (uint32_t a = j->p.lo; j->p.rc == JD_OK && a < j->p.hi; a++) {
        size_t n = j->cnt[a], r = (j->stride - g % j->stride) % j->stride, q0 = q;
        g += n;
        while (q < j->p.nprobe && j->p.probe[q] >> 32 == a)
            q++;
        if (r >= n)
            continue;
        ptrdiff_t got = ref_pairs_unsorted(&j->p, a, j->p.own, q0, q, &buf, &bcap);
        j->p.rc = got < 0 ? JD_ENOMEM : (size_t)got != n ? JD_EINVALID : JD_OK;
        bool sort = (n - r - 1) / j->stride >= 2; /* one sort costs less then */
        if (sort && j->p.rc == JD_OK)
            sort_u32(buf, n);
        for (size_t at = 0; j->p.rc == JD_OK && r < n; at = r + 1, r += j->stride) {
            if (!sort)
                select_u32(buf + at, n - at, r - at);
            uint64_t *o = vec_push(&j->p.out);
            if (!o)
                j->p.rc = JD_ENOMEM;
            else
                *o = (uint64_t)a << 32 | buf[r];
        }
    }
    free(buf);
    return NULL;
}

/* The jobs of a pass by count_job: consecutive ranges of refs of about
 * equal work, each thread's marks cleared. */
static void count_jobs(pair_stream *ps, count_job *job)
{
    const pair_index *x = &ps->x;
    uint32_t l = 0;
    for (int t = 0; t < ps->threads; t++) {
        memset(ps->mark[t], 0, (x->nrefs ? x->nrefs : 1) * sizeof *ps->mark[t]);
        uint32_t h = l;
        size_t upto = (size_t)x->start[x->nrefs] * (size_t)(t + 1) / (size_t)ps->threads;
        while (h < x->nrefs && (t == ps->threads - 1 || x->start[h] < upto))
            h++;
        job[t] = (count_job){{.ref = x->ref,
                              .end = x->end,
                              .start = x->start,
                              .pos = x->pos,
                              .nrefs = x->nrefs,
                              .lo = l,
                              .hi = h,
                              .out = {.sz = sizeof(uint64_t)},
                              .own = ps->mark[t],
                              .probe = ps->probe,
                              .nprobe = ps->nprobe},
                             0,
                             ps->cnt,
                             1};
        l = h;
    }
}

/* How many pairs stream_pass gives, without making them (no sorting, no
 * copies, no merge): counting is the first pass of a full run. Each ref's
 * count is kept in ps->cnt for stream_sample (left NULL without memory). */
static void stream_count(pair_stream *ps, size_t *total)
{
    count_job job[MAX_THREADS];
    free(ps->cnt);
    ps->cnt = malloc((ps->x.nrefs ? ps->x.nrefs : 1) * sizeof *ps->cnt);
    count_jobs(ps, job);
    jd_run_jobs(pairs_count, job, sizeof *job, ps->threads);
    *total = 0;
    for (int t = 0; t < ps->threads; t++)
        *total += job[t].n;
}

/*
 * EM's sample, the pairs at every stride-th place of the whole list, into
 * out (empty): what stream_pass with sample_sink takes, without making,
 * sorting and merging every pair (at 1M a stride of 23 against some 40
 * pairs a ref). Needs the count pass's ps->cnt: JD_EINVALID without it or
 * when a ref's pairs are not as many as counted; JD_ENOMEM.
 */
static int stream_sample(pair_stream *ps, size_t stride, vec *out)
{
    if (!ps->cnt || !stride)
        return JD_EINVALID;
    count_job job[MAX_THREADS];
    count_jobs(ps, job);
    size_t before = 0;
    vec *parts[MAX_THREADS] = {NULL};
    for (int t = 0; t < ps->threads; t++) {
        job[t].n = before;
        job[t].stride = stride;
        for (uint32_t a = job[t].p.lo; a < job[t].p.hi; a++)
            before += ps->cnt[a];
        parts[t] = &job[t].p.out;
    }
    jd_run_jobs(pairs_sample, job, sizeof *job, ps->threads);
    int rc = JD_OK;
    for (int t = 0; t < ps->threads; t++)
        rc = job[t].p.rc < 0 && rc == JD_OK ? job[t].p.rc : rc;
    if (vec_concat(out, parts, ps->threads) != JD_OK && rc == JD_OK)
        rc = JD_ENOMEM;
    return rc;
}

/* Called with each range's pairs, in order, and how many came before. */
typedef int (*pair_sink)(const uint64_t *pp, size_t n, size_t before, void *payload);

/* Every candidate pair, a range of refs at a time, to sink; *total gets
 * how many. The sorted union of the rules' pairs and rule 11's, as
 * merge_pairs makes it. */
static int stream_pass(pair_stream *ps, bool loose, pair_sink sink, void *payload, size_t *total)
{
    const uint32_t *start = ps->x.start;
    uint32_t nrefs = ps->x.nrefs;
    size_t done = 0, q = 0;
    for (int t = 0; t < ps->threads; t++) /* no ref is marked at the start of a pass */
        memset(ps->mark[t], 0, (nrefs ? nrefs : 1) * sizeof *ps->mark[t]);
    for (uint32_t lo = 0; lo < nrefs;) {
        uint32_t hi = lo + 1;
        while (hi < nrefs && start[hi + 1] - start[lo] <= ps->entries)
            hi++;
        ps->chunk.n = 0;
        int rc = pairs_emit(&ps->x, lo, hi, ps->threads, ps->mark, loose ? ps->probe : NULL,
                            loose ? ps->nprobe : 0, ps->part, &ps->chunk);
        if (rc < 0)
            return rc;
        /* rule 11's pairs of these refs, merged in (loose: taken already) */
        size_t q0 = q;
        while (!loose && q < ps->nprobe && ps->probe[q] >> 32 < hi)
            q++;
        const uint64_t *pp = ps->chunk.p;
        size_t n = ps->chunk.n;
        if (q > q0) {
            ps->merged.n = 0;
            if (vec_reserve(&ps->merged, n + (q - q0)) != JD_OK)
                return JD_ENOMEM;
            uint64_t *m = ps->merged.p;
            const uint64_t *p = ps->chunk.p, *r = ps->probe;
            size_t i = 0, j = q0, k = 0;
            while (i < n || j < q) {
                uint64_t v = j == q || (i < n && p[i] <= r[j]) ? p[i++] : r[j++];
                if (!k || m[k - 1] != v)
                    m[k++] = v;
            }
            pp = m;
            n = ps->merged.n = k;
        }
        if (n && (rc = sink(pp, n, done, payload)) < 0)
            return rc;
        done += n;
        lo = hi;
    }
    *total = done;
    return JD_OK;
}
/* ---- estimation without labels ---- */

enum { ANCHOR_FIELDS = 32 }; /* the fields m_from_anchors_all takes at most */

/*
 * jd_resolve__m_from_anchors for every field f < nf (at most
 * ANCHOR_FIELDS) at once: out[f] and its anchors in tot[f]. One walk of
 * the pairs, each pair's fields at the top level counted once and its own
 * taken off for each f (not once a field: nf times less work, on the main
 * thread at 2M sampled pairs). The same counts, so the same m.
 */
static void m_from_anchors_all(double (*out)[JD_RESOLVE_MAX_LEVELS], size_t *tot,
                               const uint8_t *lvs, size_t np, size_t nf, const int *levels,
                               uint32_t ignore, int min_agree)
{
    double mc[ANCHOR_FIELDS][JD_RESOLVE_MAX_LEVELS] = {{0}}, tc[ANCHOR_FIELDS] = {0};
    for (size_t p = 0; p < np; p++) {
        const uint8_t *v = lvs + p * nf;
        int all = 0;
        uint32_t top = 0; /* the fields at the top level, +1 coded, not ignored */
        for (size_t g = 0; g < nf; g++)
            if (!(ignore >> g & 1) && v[g] == levels[g]) {
                all++;
                top |= UINT32_C(1) << g;
            }
        for (size_t f = 0; f < nf; f++) {
            if (all - (int)(top >> f & 1) < min_agree || v[f] == 0)
                continue;
            assert(v[f] <= levels[f] && levels[f] <= JD_RESOLVE_MAX_LEVELS);
            mc[f][v[f] - 1] += 1;
            tc[f] += 1;
        }
    }
    for (size_t f = 0; f < nf; f++) {
        for (int l = 0; l < levels[f]; l++)
            out[f][l] = (mc[f][l] + 0.5) / (tc[f] + 0.5 * levels[f]);
        tot[f] = (size_t)tc[f];
    }
}

size_t jd_resolve__m_from_anchors(double *out, const uint8_t *lvs, size_t np, size_t nf,
                                  const int *levels, size_t f, uint32_t ignore, int min_agree)
{
    double m[ANCHOR_FIELDS][JD_RESOLVE_MAX_LEVELS];
    size_t tot[ANCHOR_FIELDS];
    if (nf > ANCHOR_FIELDS || f >= nf)
        return 0;
    m_from_anchors_all(m, tot, lvs, np, nf, levels, ignore, min_agree);
    memcpy(out, m[f], sizeof(double) * (size_t)levels[f]);
    return tot[f];
}

double jd_resolve__em_lambda(const double *llr, size_t n, double lambda, int iters)
{
    return jd_resolve__em_lambda_grouped(llr, n, NULL, n, lambda, iters);
}

double jd_resolve__em_lambda_grouped(const double *llr, size_t nu, const uint32_t *idx, size_t n,
                                     double lambda, int iters)
{
    if (n == 0)
        return lambda;
    /* each distinct ratio's posterior once a round, then summed pair by pair
     * in order: the same sum, bit for bit, as one exp() per pair */
    double *term = idx ? malloc((nu ? nu : 1) * sizeof *term) : NULL;
    for (int it = 0; it < iters; it++) {
        double sump = 0, logit = log(lambda / (1 - lambda));
        if (term) {
            for (size_t u = 0; u < nu; u++)
                term[u] = 1.0 / (1.0 + exp(-(llr[u] + logit)));
            for (size_t p = 0; p < n; p++)
                sump += term[idx[p]];
        } else {
            for (size_t p = 0; p < n; p++)
                sump += 1.0 / (1.0 + exp(-(llr[idx ? idx[p] : p] + logit)));
        }
        lambda = sump / (double)n;
        if (lambda < 1e-6)
            lambda = 1e-6;
        /* A candidate pair is never a match a priori: on tiny inputs EM would
         * otherwise drift towards "everything matches". */
        if (lambda > 0.5)
            lambda = 0.5;
    }
    free(term);
    return lambda;
}

/* One thread's share of EM's sampled pairs: q in [lo, hi). */
typedef struct em_job {
    const rs *R;
    const uint64_t *pairs;
    size_t stride, lo, hi;
    uint8_t *lvs;
} em_job;

static void *em_range(void *arg)
{
    em_job *j = arg;
    const rs *R = j->R;
    lvcache *c = huge_calloc(sizeof *c); /* exact: only saves recomputing names */
    for (size_t q = j->lo; q < j->hi; q++) {
        size_t p = q * j->stride;
        int lv[NF];
        rview va, vb;
        view(R, &R->h[j->pairs[p] >> 32], &va);
        view(R, &R->h[j->pairs[p] & 0xffffffffu], &vb);
        compare(R, &va, &vb, lv, c);
        for (int f = 0; f < NF; f++)
            j->lvs[q * NF + (size_t)f] = (uint8_t)(lv[f] + 1); /* 0 = null */
    }
    free(c);
    return NULL;
}

/* u: agreement levels among random pairs (almost all non-matches), drawn
 * with seed, beside a prior from a typical county. */
static void estimate_u(rs *R, uint64_t seed)
{
    model *md = &R->md;
    double cnt[NF][5];
    memset(cnt, 0, sizeof cnt);
    uint64_t x = seed ? seed : 0x6a6f696e;
    /* no more samples than there are distinct pairs: a tiny input must not
     * pretend to know its population */
    double distinct = (double)R->n * ((double)R->n - 1) / 2;
    size_t samples = R->n < 2 ? 0 : distinct < 200000 ? (size_t)distinct : 200000;
    for (size_t s = 0; s < samples; s++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t i = (uint32_t)(x % R->n), j = (uint32_t)((x >> 32) % R->n);
        if (i == j)
            continue;
        int lv[NF];
        rview va, vb;
        view(R, &R->h[i], &va);
        view(R, &R->h[j], &vb);
        compare(R, &va, &vb, lv, NULL);
        for (int f = 0; f < NF; f++)
            if (lv[f] >= 0)
                cnt[f][lv[f]] += 1;
    }
    /* A prior of 2,000 pseudo-pairs from a typical county keeps u sane when
     * the input is tiny; on real volumes the sample outweighs it. */
    static const double u0[NF][5] = {{0.92, 0.01, 0.04, 0.02, 0.01},
                                     {0.94, 0.01, 0.03, 0.01, 0.01},
                                     {0.96, 0.03, 0.008, 0.001, 0.001},
                                     {0.90, 0.08, 0.015, 0.005},
                                     {0.999, 0.001},
                                     {0.5, 0.5},
                                     {0.998, 0.001, 0.001},
                                     {0.97, 0.02, 0.01}};
    for (int f = 0; f < NF; f++) {
        double tot = 0;
        for (int l = 0; l < nlevels[f]; l++)
            tot += cnt[f][l];
        for (int l = 0; l < nlevels[f]; l++)
            md->u[f][l] = (cnt[f][l] + 2000.0 * u0[f][l]) / (tot + 2000.0);
    }
}

/*
 * lambda, the share of matches among the np sampled pairs (levels +1 coded
 * in lvs, NF a pair), by EM with m and u held. The pairs fall into few
 * patterns of levels (at most 155,520): each pattern's log likelihood
 * ratio once, and a pattern number per pair. lambda is left as it is
 * without memory.
 */
static void estimate_lambda(model *md, const uint8_t *lvs, size_t np, int iters)
{
    double logm[NF][5], logu[NF][5];
    for (int f = 0; f < NF; f++)
        for (int l = 0; l < nlevels[f]; l++) {
            logm[f][l] = log(md->m[f][l]);
            logu[f][l] = log(md->u[f][l]);
        }
    enum { PAT_BITS = 19 };
    _Static_assert(NF == 8, "a pattern of levels is 8 bytes");
    uint64_t *pkey = calloc((size_t)1 << PAT_BITS, sizeof *pkey);
    uint32_t *pnum = calloc((size_t)1 << PAT_BITS, sizeof *pnum); /* pattern + 1, 0 empty */
    uint32_t *idx = malloc(np * sizeof *idx);
    double *lr = malloc(np * sizeof *lr); /* log likelihood ratio per pattern */
    size_t npat = 0;
    if (!pkey || !pnum || !idx || !lr) {
        free(pkey);
        free(pnum);
        free(idx);
        free(lr);
        return;
    }
    for (size_t p = 0; p < np; p++) {
        uint64_t k;
        memcpy(&k, lvs + p * NF, sizeof k);
        size_t h = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> (64 - PAT_BITS));
        while (pnum[h] && pkey[h] != k)
            h = (h + 1) & (((size_t)1 << PAT_BITS) - 1);
        if (!pnum[h]) {
            double llr = 0;
            for (int f = 0; f < NF; f++) {
                int l = lvs[p * NF + (size_t)f] - 1;
                if (l >= 0)
                    llr += logm[f][l] - logu[f][l];
            }
            lr[npat] = llr;
            pkey[h] = k;
            pnum[h] = (uint32_t)++npat;
        }
        idx[p] = pnum[h] - 1;
    }
    md->lambda = jd_resolve__em_lambda_grouped(lr, npat, idx, np, md->lambda, iters);
    free(pkey);
    free(pnum);
    free(idx);
    free(lr);
}

/* u, and m and lambda where EM starts, for np candidate pairs. */
static void estimate_init(rs *R, size_t np, uint64_t seed)
{
    model *md = &R->md;
    estimate_u(R, seed);
    /* m: EM over the candidate pairs, u held fixed (as Splink does) */
    for (int f = 0; f < NF; f++)
        for (int l = 0; l < nlevels[f]; l++)
            md->m[f][l] = l == nlevels[f] - 1 ? 0.8 : 0.2 / (nlevels[f] - 1);
    md->lambda = np ? 0.3 : 0.01;
}

/* EM needs the shape of the pairs, not all of them: a fixed stride over
 * at most 2 million of the np candidate pairs (deterministic), which
 * samples (np + stride - 1) / stride of them. */
static size_t em_stride(size_t np)
{
    return np > 2000000 ? np / 2000000 + 1 : 1;
}

/* m and lambda from the ns pairs at pairs[0], pairs[stride], ... */
static void estimate_sampled(rs *R, const uint64_t *pairs, size_t stride, size_t ns, int iters,
                             int threads)
{
    model *md = &R->md;
    size_t np;
    uint8_t *lvs = malloc((ns ? ns : 1) * NF);
    if (!lvs)
        return;
    /* the sampled pairs' levels, by consecutive shares in threads */
    em_job job[MAX_THREADS];
    for (int t = 0; t < threads; t++)
        job[t] = (em_job){R, pairs, stride, share(ns, t, threads), share(ns, t + 1, threads), lvs};
    jd_run_jobs(em_range, job, sizeof *job, threads);
    np = ns;
    /*
     * m without labels, per field, from "anchor" pairs: candidate pairs that
     * agree exactly on at least three OTHER fields are almost all matches, and
     * leaving the field itself out keeps its estimate unbiased by the
     * selection (the idea behind Splink's per-blocking-rule training). Then
     * only lambda, the share of matches among candidate pairs, is fitted by
     * EM with m and u held: a one-parameter EM cannot switch its classes.
     */
    _Static_assert((int)NF <= (int)ANCHOR_FIELDS, "m_from_anchors_all takes every field");
    double m[NF][JD_RESOLVE_MAX_LEVELS];
    size_t anchors[NF];
    m_from_anchors_all(m, anchors, lvs, np, NF, nlevels, 1u << F_GENDER, 3);
    for (int f = 0; f < NF; f++)
        if (anchors[f] >= 30)
            memcpy(md->m[f], m[f], sizeof(double) * (size_t)nlevels[f]);
    estimate_lambda(md, lvs, np, iters);
    free(lvs);
}

static void estimate(rs *R, const uint64_t *pairs, size_t np, uint64_t seed, int iters, int threads)
{
    estimate_init(R, np, seed);
    if (!np)
        return;
    size_t stride = em_stride(np);
    estimate_sampled(R, pairs, stride, (np + stride - 1) / stride, iters, threads);
}

/* ---- clustering ---- */

/* Do two refs share an identifier, or do their forenames and surnames each
 * resemble, or go unrecorded on one side (any level but different)? Only then
 * may their own link outweigh a wholly different date of birth: a parent
 * and a child, or two siblings, differ in first name. */
static bool names_agree(const rs *R, uint32_t a, uint32_t b, lvcache *c)
{
    rview va, vb;
    view(R, &R->h[a], &va);
    view(R, &R->h[b], &vb);
    if (other_level(R, &va, &vb) > 0 || strong(&va, &vb) > 0)
        return true; /* an identifier in common */
    if (name_level(R, va.fore, va.nfore, vb.fore, vb.nfore, true, c) != L_DIFF &&
        name_level(R, va.sur, va.nsur, vb.sur, vb.nsur, false, c) != L_DIFF)
        return true;
    /* surname written first on one side */
    return name_level(R, va.fore, va.nfore, vb.sur, vb.nsur, false, c) >= L_CLOSE &&
           name_level(R, va.sur, va.nsur, vb.fore, vb.nfore, false, c) >= L_CLOSE;
}

/* What the cannot-links read of a cluster (its root's; clw holds them). */
typedef struct cl {
    uint32_t nhs[4], upn[4], dob[8];
    uint8_t dc[8];        /* refs written with each full date of birth */
    int16_t by_lo, by_hi; /* birth years every recorded age allows, 0 none */
    uint8_t nn, nu, nd;
    uint8_t gmask; /* genders recorded: 1 F, 2 M */
    bool full;     /* holds a ref with both names and a full date of birth */
    bool named;    /* holds a ref with both names */
    uint8_t nfn;
    uint32_t ngen[2]; /* mentions recording F, M */
    uint32_t fn[4];   /* first names and the refs written with each */
    uint16_t fc[4];
} cl;

/*
 * The clusters: each ref's union-find head (16 bytes) and a summary (cl,
 * 116 bytes) only for the roots read or merged so far, made from the ref
 * when first read (cs) and given back when its root is merged into
 * another; 128 bytes a ref before (1.1 GiB at 10M events, at the peak of
 * clustering). The summaries lie in chunks of CL_CHUNK, so a pointer to one
 * stays good while others are made.
 */
typedef struct cl_head {
    uint32_t parent, size;
    uint32_t next; /* the next member: a root's members form a ring */
    uint32_t slot; /* its summary + 1 (0: none made yet) */
} cl_head;
enum { CL_CHUNK = 1 << 16 };
typedef struct clw {
    const rs *R;
    cl_head *h;
    cl **chunk;
    uint32_t nchunk, used; /* summaries made in all, given back among them */
    vec back;              /* the slots given back (uint32_t), made again first */
    cl spare;              /* cs without memory: the answer, c->oom set */
    bool oom;
} clw;

/* Add `n` refs written with first name `f` to a cluster's first names (a
 * fifth name is not kept). */
static void fn_add(cl *x, uint32_t f, uint16_t n)
{
    for (uint8_t i = 0; i < x->nfn; i++)
        if (x->fn[i] == f) {
            x->fc[i] = (uint16_t)(x->fc[i] + n < UINT16_MAX ? x->fc[i] + n : UINT16_MAX);
            return;
        }
    if (x->nfn < 4) {
        x->fn[x->nfn] = f;
        x->fc[x->nfn++] = n;
    }
}

/* Add `n` refs written with full date of birth `v` to a cluster's dates
 * (a ninth date is not kept). */
static void dob_add(cl *x, uint32_t v, uint8_t n)
{
    for (uint8_t i = 0; i < x->nd; i++)
        if (x->dob[i] == v) {
            x->dc[i] = (uint8_t)(x->dc[i] + n < UINT8_MAX ? x->dc[i] + n : UINT8_MAX);
            return;
        }
    if (x->nd < 8) {
        x->dob[x->nd] = v;
        x->dc[x->nd++] = n;
    }
}

/*
 * Minimum evidence for a link with a sparse record (issue 16). A ref with
 * no full date of birth (a first name only, an age instead of a date, a
 * call handler's or housing officer's row) links only on evidence that
 * singles out one person in the county: an identifier in common (NHS
 * number, pupil number, phone, other identifier); or the first name (close
 * or exact) with a date of birth and the surname or the address; or the
 * first name, an age that fits and the same address or postcode at the
 * time (a household holds one person of a first name and age); or both
 * names and the address; or both names and a fitting age alone when the
 * county's own term frequencies say few refs share both names. No first
 * name, or a surname that differs, never suffices. Otherwise the link is
 * refused and shown as a possible match.
 */
enum { RARE_NAME_REFS = 3 };
/* The share of a county's refs whose birth year an age or a partial date
 * fits (within a year either way): a stated age narrows the namesakes a
 * pair of names leaves. Conservative: a county spans sixty and more birth
 * years, three of which fit; on the 1M-event county 1/4 joined as many as
 * 1/8 with fewer false merges. */
#ifndef AGE_SHARE
#define AGE_SHARE 0.25
#endif

/* How many refs the county's own term frequencies expect to carry both
 * the forename and the surname of a ref (the rarest pair of its names);
 * 1e9 without both. */
static double name_refs(const rs *R, const rview *a)
{
    double rare = 1e9;
    for (uint8_t i = 0; i < a->nfore; i++)
        for (uint8_t k = 0; k < a->nsur; k++) {
            uint32_t f = a->fore[i], g = a->sur[k];
            double e = (double)(f < R->ntf ? R->tf[f] : 1) * (double)(g < R->ntf ? R->tf[g] : 1) /
                       (double)(R->tf_n ? R->tf_n : 1);
            rare = e < rare ? e : rare;
        }
    return rare;
}

/* The place at the time: the same address as written, or the same
 * postcode where either has no address or the house numbers agree
 * (neighbours share a postcode: another number is another home). */
static bool same_place(const rs *R, const rview *a, const rview *b)
{
    if (a->addr && (a->addr == b->addr || a->addr == b->addr2))
        return true;
    if (a->addr2 && (a->addr2 == b->addr || a->addr2 == b->addr2))
        return true; /* an address each was written at (one moved) */
    if (pc_level(a, b) != 3)
        return false;
    if (!a->addr || !b->addr)
        return true;
    /* one postcode: one home unless the house numbers differ */
    const char *x = pool_str(&R->names, a->addr), *y = pool_str(&R->names, b->addr);
    if (*x < '0' || *x > '9' || *y < '0' || *y > '9')
        return true;
    return strtol(x, NULL, 10) == strtol(y, NULL, 10);
}

/* Two homes of one street: both addresses written, the same street and
 * town after another house number, and postcodes written on both that
 * differ ("152 Castle Way", OX5 2ZD; "120 Castle Way", OX5 8GR): the
 * namesakes of a street live at different numbers. A number alone that
 * differs under one postcode may be mistyped (FEBRL rewrites them). */
static bool street_neighbours(const rs *R, const rview *a, const rview *b)
{
    int pl = pc_level(a, b);
    if (!a->addr || !b->addr || a->addr == b->addr || pl < 0 || pl == 3)
        return false;
    const char *x = pool_str(&R->names, a->addr), *y = pool_str(&R->names, b->addr);
    char *ex, *ey;
    long nx = strtol(x, &ex, 10), ny = strtol(y, &ey, 10);
    if (ex == x || ey == y || nx == ny)
        return false;
    while (*ex == ' ')
        ex++;
    while (*ey == ' ')
        ey++;
    return *ex && !strcmp(ex, ey);
}

static bool enough_evidence(const rs *R, uint32_t a, uint32_t b, lvcache *c)
{
    rview va, vb;
    view(R, &R->h[a], &va);
    view(R, &R->h[b], &vb);
    if (strong(&va, &vb) > 0 || other_level(R, &va, &vb) > 0)
        return true;
    /* the place at the time: the same postcode, or the same address as
     * written (a neighbour's house number is not close enough) */
    bool place = same_place(R, &va, &vb);
    int lv[NF];
    int lf = lv[F_FORE] = name_level(R, va.fore, va.nfore, vb.fore, vb.nfore, true, c);
    int ls = swapped_names(R, &va, &vb, lf, lv, c)
                 ? lv[F_SUR]
                 : name_level(R, va.sur, va.nsur, vb.sur, vb.nsur, false, c);
    lf = lv[F_FORE];
    /* a phone in common, unless the first names differ (a household's
     * landline: Sophie and Megan Barstone give one number) */
    if (set_level(va.phone, va.nphone, vb.phone, vb.nphone) == 1 && lf != L_DIFF)
        return true;
    if (has_full_dob(&va) && has_full_dob(&vb)) {
        /* both names and a date of birth, exact or swapped (a name that
         * differs or is missing needs an address like the other or the same
         * postcode sector); a
         * date one digit off is a typo only where the place agrees: across
         * a county of namesakes it is another person */
        int l = dob_level(&va, &vb);
        bool near = addr_level_any(R, &va, &vb, c) >= 1 || pc_level(&va, &vb) >= 2;
        return (l >= 3 && ((lf > L_DIFF && ls > L_DIFF) || near)) || place;
    }
    if (lf <= L_DIFF || ls == L_DIFF)
        return false; /* no first name, or names that differ */
    /* each name: 2 close or exact, 1 similar or sounding alike, 0 missing */
    int nf = lf >= L_CLOSE ? 2 : 1, ns = ls >= L_CLOSE ? 2 : ls > L_DIFF ? 1 : 0;
    int ld = dob_level(&va, &vb);
    if (ld == 0)
        return false;
    if (ld >= 2 && (nf + ns >= 3 || place))
        return true; /* names and a date (a full one agrees with a partial) */
    /* a close first name and the address at the time, with an age that
     * does not contradict (one person of a first name to a household); a
     * first name only similar (Clive and Claire, Emma and Emeka at one
     * address), or names and an age with no place (a call handler's row),
     * are left to join_sparse, which asks that the links point to one
     * person and that names without a place be rare in the county */
    return place && nf == 2;
}

/* Is ref i sparse: no forename, no surname or no full date of birth? */
static bool sparse_ref(const rs *R, uint32_t i)
{
    return !R->r[i].nfore || !R->r[i].nsur || !has_full_date(&R->r[i]);
}

/*
 * The evidence a link with a sparse ref carries when enough_evidence found
 * it short of singling out one person on its own: 0 when it is no evidence
 * (no first name, names or dates that differ), else the points of what
 * agrees: each name 2 (close or exact) or 1 (similar or sounding alike),
 * the place at the time 2, a date 1 (an age or partial date that fits), 2
 * (one digit off) or 3 (exact or swapped); at least 4 points are needed.
 * *names gets the names' points, which rank the candidates of one ref.
 */
static int sparse_evidence(const rs *R, uint32_t a, uint32_t b, lvcache *c, int *names)
{
    rview va, vb;
    view(R, &R->h[a], &va);
    view(R, &R->h[b], &vb);
    int lv[NF];
    int lf = lv[F_FORE] = name_level(R, va.fore, va.nfore, vb.fore, vb.nfore, true, c);
    int ls = swapped_names(R, &va, &vb, lf, lv, c)
                 ? lv[F_SUR]
                 : name_level(R, va.sur, va.nsur, vb.sur, vb.nsur, false, c);
    lf = lv[F_FORE];
    for (uint8_t i = 0; i < va.nfore && lf > L_DIFF && lf < L_CLOSE; i++)
        for (uint8_t k = 0; k < vb.nfore; k++)
            if (key_slip(pool_str(&R->names, va.fore[i]), pool_str(&R->names, vb.fore[k])))
                lf = L_CLOSE; /* a slip of the keyboard is the name (Grsce, Grace) */
    int ld = dob_level(&va, &vb);
    /* no first name is no evidence, unless the surname and a full date of
     * birth agree ("Mrs Cole, 21/02/1955": a county holds one such person
     * but for twins, and twins of a surname and date both reach the ref,
     * so join_sparse leaves it apart) */
    bool sur_dob = lf < 0 && ls >= L_CLOSE && ld >= 3;
    if ((lf <= L_DIFF && !sur_dob) || ls == L_DIFF || ld == 0 ||
        (va.gender && vb.gender && va.gender != vb.gender))
        return 0; /* no first name, or names, dates or genders that differ */
    bool place = same_place(R, &va, &vb);
    if (!place && ld < 3 && street_neighbours(R, &va, &vb))
        return 0; /* a namesake at another number of the street */
    /* names with no place and no date of birth to back them: the names
     * must be rare enough in the county that few refs share both (a
     * namesake whose own records were never written in full is otherwise
     * the only candidate) */
    if (!place && ld < 3 && name_refs(R, &va) * (ld > 0 ? AGE_SHARE : 1.0) > RARE_NAME_REFS)
        return 0;
    /* a first name only similar, no surname and no place: a date of birth
     * is shared by a score of the county's children, and a name merely like
     * the ref's is common among them ("Stefan", 16/02/1989, and Sean
     * Baptiste of that date) */
    if (ls < 0 && !place && lf < L_CLOSE)
        return 0;
    *names = (lf >= L_CLOSE ? 2 : lf > L_DIFF ? 1 : 0) + (ls >= L_CLOSE ? 2 : ls > L_DIFF ? 1 : 0);
    int pts = *names + (place ? 2 : 0) + (ld >= 3 ? 3 : ld > 0 ? ld : 0);
    return pts >= 4 ? pts : 0;
}

/* A link with a sparse ref that waits for the second pass (see
 * join_sparse): the sparse ref, the other, the link's weight. Kept as the
 * link's index and side (def_at: 4 bytes instead of 16; about 50M of them
 * at 10M events, the peak of clustering). */
typedef struct deferred {
    uint32_t s, o;
    double w;
} deferred;
typedef struct match_link match_link;
static deferred def_at(const match_link *lv, uint32_t x);

/* Reasons a merge is refused (jd_resolve_stats.refused_by). */
enum { CL_ID, CL_GENDER, CL_DOB, CL_AGE, CL_EVENT, CL_NAME, CL_N };

static uint32_t find(clw *c, uint32_t i)
{
    cl_head *h = c->h;
    while (h[i].parent != i) {
        h[i].parent = h[h[i].parent].parent;
        i = h[i].parent;
    }
    return i;
}

/* Ref i's own cluster: what cluster_init made of each ref before. */
static void cl_from_ref(const rs *R, uint32_t i, cl *x)
{
    const rref *r = &R->r[i];
    memset(x, 0, sizeof *x);
    /* a ref written with both genders says nothing about its gender */
    x->gmask = r->gmask == 3 ? 0 : r->gmask;
    x->ngen[0] = r->ngen[0];
    x->ngen[1] = r->ngen[1];
    x->by_lo = r->by_lo;
    x->by_hi = r->by_hi;
    x->full = !sparse_ref(R, i);
    x->named = r->nfore && r->nsur;
    for (uint8_t k = 0; k < r->nfore; k++)
        fn_add(x, r->fore[k], 1);
    for (uint8_t k = 0; k < r->nnhs; k++)
        add_id(x->nhs, &x->nn, 4, r->nhs[k]);
    for (uint8_t k = 0; k < r->nupn; k++)
        add_id(x->upn, &x->nu, 4, r->upn[k]);
    for (uint8_t k = 0; k < r->ndob; k++)
        if (r->dob[k] % 100 && r->dob[k] / 100 % 100)
            dob_add(x, r->dob[k], 1);
}

/* A free slot for a summary (0 without memory). */
static uint32_t cl_slot(clw *c)
{
    if (c->back.n)
        return ((uint32_t *)c->back.p)[--c->back.n];
    if (c->used == c->nchunk * (uint32_t)CL_CHUNK) {
        cl **nc = realloc(c->chunk, (c->nchunk + 1) * sizeof *nc);
        if (nc)
            c->chunk = nc;
        if (!nc || !(c->chunk[c->nchunk] = malloc(CL_CHUNK * sizeof(cl))))
            return 0;
        c->nchunk++;
    }
    return ++c->used;
}

/* The summary of cluster root x, made from the ref when first read. */
static cl *cs(clw *c, uint32_t x)
{
    assert(c->h[x].parent == x); /* a merged cluster's summary is given back */
    uint32_t k = c->h[x].slot;
    if (!k && !(k = cl_slot(c))) {
        c->oom = true;
        cl_from_ref(c->R, x, &c->spare);
        return &c->spare;
    }
    cl *p = &c->chunk[(k - 1) / CL_CHUNK][(k - 1) % CL_CHUNK];
    if (!c->h[x].slot)
        cl_from_ref(c->R, x, p);
    c->h[x].slot = k;
    return p;
}

/* Every ref its own cluster, no summary made yet; NULL without memory. */
static clw *clw_new(const rs *R)
{
    clw *c = calloc(1, sizeof *c);
    if (c && !(c->h = malloc((R->n ? R->n : 1) * sizeof *c->h))) {
        free(c);
        return NULL;
    }
    if (!c)
        return NULL;
    c->R = R;
    c->back.sz = sizeof(uint32_t);
    for (uint32_t i = 0; i < R->n; i++)
        c->h[i] = (cl_head){i, 1, i, 0};
    return c;
}

static void clw_free(clw *c)
{
    if (!c)
        return;
    for (uint32_t k = 0; k < c->nchunk; k++)
        free(c->chunk[k]);
    free(c->chunk);
    free(c->back.p);
    free(c->h);
    free(c);
}

typedef struct decision {
    uint32_t a, b;
    bool same;
} decision;

/* Digits that differ between two yyyymmdd dates (a swap of two digits is 2). */
static int digit_distance(uint32_t a, uint32_t b)
{
    int d = 0;
    for (int i = 0; i < 8; i++, a /= 10, b /= 10)
        d += a % 10 != b % 10;
    return d;
}

/* Full dates of birth of two sets that cannot be one person's: no pair of
 * them within two digit edits (typos, swaps and a wrong year are tolerated,
 * a different person's date is not). */
static bool dobs_apart(const uint32_t *a, uint8_t na, const uint32_t *b, uint8_t nb)
{
    if (!na || !nb)
        return false;
    for (uint8_t i = 0; i < na; i++)
        for (uint8_t k = 0; k < nb; k++)
            if (dob_pair(a[i], b[k]) >= 2 || digit_distance(a[i], b[k]) <= 2)
                return false;
    return true;
}

/*
 * Genders that disagree: each side's gender is settled (recorded on at least
 * two mentions, never the other way) and they differ. A gender written once
 * may be a slip of the keyboard, which the model's gender weight allows for.
 */
static bool genders_apart(const uint32_t a[2], const uint32_t b[2])
{
    int ga = a[0] >= 2 && !a[1] ? 1 : a[1] >= 2 && !a[0] ? 2 : 0;
    int gb = b[0] >= 2 && !b[1] ? 1 : b[1] >= 2 && !b[0] ? 2 : 0;
    return ga && gb && ga != gb;
}

/* Does a birth year fit the years lo..hi that ages allow (within a year)? */
static bool year_fits(uint32_t dob, int lo, int hi)
{
    int y = (int)(dob / 10000);
    return y >= lo - 1 && y <= hi + 1;
}

/* Ages that cannot both be true: the birth years allowed by the ages of one
 * side (lo..hi, 0 none) miss the other side's by more than a year, or miss
 * every year of its full dates of birth by more than a year. A date of the
 * other side one digit from a date of the ages' own side that fits them
 * (1992-04-08 written 1990-04-08, 1984 written 1981) is that date mistyped,
 * not another birth year: it fits too. */
static bool ages_apart(int lo_a, int hi_a, const uint32_t *dob_a, uint8_t nda, int lo_b, int hi_b,
                       const uint32_t *dob_b, uint8_t ndb)
{
    if (lo_a && lo_b && (lo_a > hi_b + 1 || lo_b > hi_a + 1))
        return true;
    for (int side = 0; side < 2; side++) {
        int lo = side ? lo_b : lo_a, hi = side ? hi_b : hi_a;
        const uint32_t *d = side ? dob_a : dob_b, *own = side ? dob_b : dob_a;
        uint8_t nd = side ? nda : ndb, nown = side ? ndb : nda;
        if (!lo || !nd)
            continue;
        bool fits = false;
        for (uint8_t i = 0; i < nd && !fits; i++) {
            fits = year_fits(d[i], lo, hi);
            for (uint8_t k = 0; k < nown && !fits; k++)
                fits = year_fits(own[k], lo, hi) && digit_distance(d[i], own[k]) <= 1;
        }
        if (!fits)
            return true;
    }
    return false;
}

bool jd_resolve__genders_apart(const uint32_t a[2], const uint32_t b[2])
{
    return genders_apart(a, b);
}

bool jd_resolve__dobs_apart(const uint32_t *a, uint8_t na, const uint32_t *b, uint8_t nb)
{
    return dobs_apart(a, na, b, nb);
}

bool jd_resolve__ages_apart(int lo_a, int hi_a, const uint32_t *dob_a, uint8_t nda, int lo_b,
                            int hi_b, const uint32_t *dob_b, uint8_t ndb)
{
    return ages_apart(lo_a, hi_a, dob_a, nda, lo_b, hi_b, dob_b, ndb);
}

/* Are two names one adjacent transposition apart (Jamse, James)? A typing
 * slip that two given names rarely differ by: twins and siblings differ
 * by a letter (Jack, Jake; Amara, Amari). */
static bool transposed(const char *x, const char *y)
{
    size_t n = strlen(x), i = 0;
    if (n != strlen(y) || n < 3)
        return false;
    while (i < n && x[i] == y[i])
        i++;
    if (i + 1 >= n || x[i] != y[i + 1] || x[i + 1] != y[i])
        return false;
    return !strcmp(x + i + 2, y + i + 2);
}

/* Are two names one key apart on a keyboard's row, past the first letter
 * (Grsce, Grace; Rhts, Rhys)? The commonest slip of a typist; given names
 * of four letters or more rarely differ so. */
static bool key_slip(const char *x, const char *y)
{
    static const char *const rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
    size_t n = strlen(x), i = 1;
    if (n < 4 || n != strlen(y) || x[0] != y[0])
        return false;
    while (i < n && x[i] == y[i])
        i++;
    if (i == n || strcmp(x + i + 1, y + i + 1))
        return false;
    for (size_t r = 0; r < JD_ARRAY_LEN(rows); r++) {
        const char *a = strchr(rows[r], x[i]), *b = strchr(rows[r], y[i]);
        if (a && b && (a - b == 1 || b - a == 1))
            return true;
    }
    return false;
}

bool jd_resolve__key_slip(const char *x, const char *y)
{
    return key_slip(x, y);
}

bool jd_resolve__transposed(const char *x, const char *y)
{
    return transposed(x, y);
}

/* Is y x with one letter more, not the first, that spelling varies by: an
 * h (Amira, Amirah; Sara, Sarah), a doubled letter (Calum, Callum; Conor,
 * Connor) or a vowel beside a vowel (Gerge, George)? Names of fewer than
 * four letters, and other letters (Kian, Kiran; Luca, Lucas; Maria,
 * Marcia; Mark, Marek: siblings' names), are not. */
static bool spelt_longer(const char *x, size_t n, const char *y)
{
    if (n < 4 || strlen(y) != n + 1)
        return false;
    size_t i = 0;
    while (i < n && x[i] == y[i])
        i++;
    if (!i || strcmp(x + i, y + i + 1))
        return false;
    char c = y[i], prev = y[i - 1], next = y[i + 1];
    bool vowel = strchr("aeiouy", c) && (strchr("aeiouy", prev) || (next && strchr("aeiouy", next)));
    return c == 'h' || c == prev || c == next || vowel;
}

/* Two spellings of one name a letter apart (spelt_longer either way). */
static bool spelling_variant(const char *x, const char *y)
{
    return spelt_longer(x, strlen(x), y) || spelt_longer(y, strlen(y), x);
}

bool jd_resolve__spelling_variant(const char *x, const char *y)
{
    return spelling_variant(x, y);
}

/* The length of a name without its pet-form ending (-ie, -ey, -ee, -y,
 * -i), or 0 when it has none. */
static size_t pet_stem(const char *x, size_t n)
{
    static const char *const end[] = {"ie", "ey", "ee", "y", "i"};
    for (size_t e = 0; e < JD_ARRAY_LEN(end); e++) {
        size_t k = strlen(end[e]);
        if (n > k + 1 && !memcmp(x + n - k, end[e], k))
            return n - k;
    }
    return 0;
}

/* Two spellings of one pet form: both end in a pet-form ending and the
 * rest is the same (Elly, Ellie; Jodi, Jody, Jodie; Danni, Dannie).
 * Names that differ before the ending (Jack, Jake; Amara, Amari; Evie,
 * Elly) are not. */
static bool pet_spelling(const char *x, const char *y)
{
    size_t a = pet_stem(x, strlen(x)), b = pet_stem(y, strlen(y));
    return a && a == b && !memcmp(x, y, a);
}

bool jd_resolve__pet_spelling(const char *x, const char *y)
{
    return pet_spelling(x, y);
}

/* Are two first names one person's: the same, variants (the nicknames
 * file), an initial and a name it begins, one adjacent transposition
 * apart, two spellings of one pet form, or a letter apart as spellings
 * vary (spelling_variant)? */
static bool same_first_name(const rs *R, uint32_t a, uint32_t b)
{
    if (a == b || variant_match(R, a, b))
        return true;
    const char *x = pool_str(&R->names, a), *y = pool_str(&R->names, b);
    return ((!x[1] || !y[1]) && x[0] == y[0]) || transposed(x, y) || pet_spelling(x, y) ||
           spelling_variant(x, y) || key_slip(x, y);
}

/*
 * First names that disagree (twins, siblings): each side has a settled
 * first name (written on two refs or more) and no settled name of either
 * side is the same as, a variant of or an initial of any first name of the
 * other. Jack and Jake, Amara and Amari are close to Jaro-Winkler, but two
 * refs of each say two people; a typo is written once.
 */
static bool first_names_apart(const rs *R, const cl *x, const cl *y)
{
    bool sx = false, sy = false;
    for (uint8_t i = 0; i < x->nfn; i++)
        sx |= x->fc[i] >= 2;
    for (uint8_t k = 0; k < y->nfn; k++)
        sy |= y->fc[k] >= 2;
    if (!sx || !sy)
        return false;
    for (uint8_t i = 0; i < x->nfn; i++)
        for (uint8_t k = 0; k < y->nfn; k++)
            if ((x->fc[i] >= 2 || y->fc[k] >= 2) && same_first_name(R, x->fn[i], y->fn[k]))
                return false;
    return true;
}

/*
 * First names wholly different on the two refs of a link, each carrying
 * both names and each a child at one of its events (twins Cian and
 * Christopher Mehta; brothers Oliver and Toby Wilson, their dates a few
 * digits apart; adults, FEBRL's among them, are left to the model: its
 * records of one person carry other first names, and F1 on FEBRL 4 fell
 * from .999 to .964 when they were held to it): no pair of their first names is
 * the same, a variant, an initial, a spelling or a slip of the other, nor
 * similar or sounding alike (the name level is L_DIFF), and neither ref's
 * surname is written as the other's first name (surname first), while
 * their surnames agree (close or exact), no identifier is shared, and
 * some event of the county names two people of these first names side by
 * side (R->sib: FEBRL, a list of one person a row, names none, and its
 * generator writes another first name for one person). Date,
 * surname and address may outweigh the first name in the model; two given
 * names of one family that share nothing are two people.
 */
static bool first_names_differ(const rs *R, uint32_t a, uint32_t b, lvcache *lc)
{
    const rref *x = &R->r[a], *y = &R->r[b];
    if (!x->child || !y->child || !x->nfore || !x->nsur || !y->nfore || !y->nsur ||
        name_level(R, x->sur, x->nsur, y->sur, y->nsur, false, lc) < L_CLOSE ||
        name_level(R, x->fore, x->nfore, y->fore, y->nfore, true, lc) != L_DIFF ||
        name_level(R, x->fore, x->nfore, y->sur, y->nsur, false, lc) >= L_SIMILAR ||
        name_level(R, x->sur, x->nsur, y->fore, y->nfore, false, lc) >= L_SIMILAR)
        return false;
    bool side_by_side = false;
    for (uint8_t i = 0; i < x->nfore; i++)
        for (uint8_t k = 0; k < y->nfore; k++) {
            if (same_first_name(R, x->fore[i], y->fore[k]) ||
                pool_len(&R->names, x->fore[i]) < 4 || pool_len(&R->names, y->fore[k]) < 4)
                return false; /* a short form or a slip in one (Loz, Ai): too short to tell */
            uint32_t lo = x->fore[i] < y->fore[k] ? x->fore[i] : y->fore[k];
            uint32_t hi = x->fore[i] ^ y->fore[k] ^ lo;
            uint64_t key = (uint64_t)lo << 32 | hi;
            size_t l = 0, h = R->nsib;
            while (l < h) {
                size_t m = l + (h - l) / 2;
                if (R->sib[m] < key)
                    l = m + 1;
                else
                    h = m;
            }
            side_by_side |= l < R->nsib && R->sib[l] == key;
        }
    if (!side_by_side)
        return false; /* no event names these first names as two people */
    rview va, vb; /* an identifier in common says one person */
    view(R, &R->h[a], &va);
    view(R, &R->h[b], &vb);
    return other_level(R, &va, &vb) <= 0 && strong(&va, &vb) <= 0;
}

/*
 * Twins: two refs carrying both names and one full date of birth, the same
 * date exactly, their surnames agreeing (close or exact), and first names
 * wholly different (the test of first_names_differ: no pair the same, a
 * variant, an initial, a spelling or a slip, nor similar or sounding
 * alike; neither surname written as the other's first name) with no
 * identifier in common. Surname, date and address outweigh a first name
 * in the model, so twins Reece and James Redcombe, or Louise and Vicky
 * Kingswell, were one person. Held at any age (adult twins), but only in a
 * county whose events name people side by side (R->side_by_side): FEBRL, one
 * person a row, names none, and its generator writes another first name
 * for one person on one date (first_names_differ's note).
 */
static bool twins_apart(const rs *R, uint32_t a, uint32_t b, lvcache *lc)
{
    const rref *x = &R->r[a], *y = &R->r[b];
    if (!R->side_by_side || !x->nfore || !x->nsur || !y->nfore || !y->nsur)
        return false;
    rview va, vb;
    view(R, &R->h[a], &va);
    view(R, &R->h[b], &vb);
    bool one_date = false;
    for (uint8_t i = 0; i < va.ndob; i++)
        for (uint8_t k = 0; k < vb.ndob; k++)
            one_date |= va.dob[i] == vb.dob[k] && va.dob[i] % 100 && va.dob[i] / 100 % 100;
    if (!one_date || other_level(R, &va, &vb) > 0 || strong(&va, &vb) > 0 ||
        name_level(R, x->sur, x->nsur, y->sur, y->nsur, false, lc) < L_CLOSE ||
        name_level(R, x->fore, x->nfore, y->fore, y->nfore, true, lc) != L_DIFF ||
        name_level(R, x->fore, x->nfore, y->sur, y->nsur, false, lc) >= L_SIMILAR ||
        name_level(R, x->sur, x->nsur, y->fore, y->nfore, false, lc) >= L_SIMILAR)
        return false;
    for (uint8_t i = 0; i < x->nfore; i++)
        for (uint8_t k = 0; k < y->nfore; k++)
            if (same_first_name(R, x->fore[i], y->fore[k]) ||
                pool_len(&R->names, x->fore[i]) < 4 || pool_len(&R->names, y->fore[k]) < 4)
                return false; /* a short form or a slip in one: too short to tell */
    return true;
}

/*
 * Settled dates of birth that disagree (a parent and a child of one name at
 * one address, siblings): each side has a full date written on two refs or
 * more, and no date of either side is the same as, a day/month swap of, or
 * a digit or a year off a settled date of the other. A mistyped date is
 * written once; two records that agree on a date confirm it, so this holds
 * even against the link's own refs, where the model may have outweighed a
 * wholly different date with names and an address in common.
 */
static bool settled_dobs_apart(const cl *x, const cl *y)
{
    bool sx = false, sy = false;
    for (uint8_t i = 0; i < x->nd; i++)
        sx |= x->dc[i] >= 2;
    for (uint8_t k = 0; k < y->nd; k++)
        sy |= y->dc[k] >= 2;
    if (!sx || !sy)
        return false;
    for (uint8_t i = 0; i < x->nd; i++)
        for (uint8_t k = 0; k < y->nd; k++)
            if ((x->dc[i] >= 2 || y->dc[k] >= 2) && dob_pair(x->dob[i], y->dob[k]) >= 2)
                return false;
    return true;
}

/* First names of other genders (Danielle and Daniel Lewis, twins; a call
 * about "Danielle" with no gender and Daniel Smith of her date): every
 * first name of one side that has a gender in the county (name_genders)
 * is F, every one of the other's M, and no first name of one is the same
 * as, a variant or a spelling of one of the other's. A gender field
 * written wrongly once is weighed by the model; the name is written with
 * the person's gender by every agency. */
static bool names_of_genders(const rs *R, const uint32_t *fx, uint8_t nx, const uint32_t *fy,
                             uint8_t ny)
{
    uint8_t gx = 0, gy = 0;
    for (uint8_t i = 0; R->fg && i < nx; i++)
        gx |= fx[i] < R->ntf ? R->fg[fx[i]] : 0;
    for (uint8_t k = 0; R->fg && k < ny; k++)
        gy |= fy[k] < R->ntf ? R->fg[fy[k]] : 0;
    if (!((gx == 1 && gy == 2) || (gx == 2 && gy == 1)))
        return false;
    for (uint8_t i = 0; i < nx; i++)
        for (uint8_t k = 0; k < ny; k++)
            if (same_first_name(R, fx[i], fy[k]))
                return false;
    return true;
}

/* Is a settled first name of cluster x (root) a surname some ref of
 * cluster y carries? A lone surname in the forenames, written twice
 * ("Bell", M, at George Bell's home: a housing officer's or call
 * handler's habit) is not a first name that disagrees. Walks at most 64
 * members of y. */
static bool surname_settled_as_first(const rs *R, clw *c, uint32_t x, uint32_t y)
{
    uint32_t m = y;
    int walked = 0;
    const cl *X = cs(c, x);
    do {
        const rref *r = &R->r[m];
        for (uint8_t i = 0; i < X->nfn; i++)
            for (uint8_t k = 0; X->fc[i] >= 2 && k < r->nsur; k++)
                if (X->fn[i] == r->sur[k])
                    return true;
        m = c->h[m].next;
    } while (m != y && ++walked < 64);
    return false;
}

/* Why a link was refused (conflict, cluster_links): a refused note logs
 * the index. */
enum {
    WHY_DECIDED,
    WHY_NHS,
    WHY_UPN,
    WHY_GENDER,
    WHY_FIRST_SETTLED,
    WHY_FIRST_GENDER,
    WHY_DOB,
    WHY_DOB_SETTLED,
    WHY_AGE,
    WHY_EVENT,
    WHY_FIRST_DIFF,
    WHY_TWINS,
    WHY_N
};
static const char *const refusal_why[WHY_N] = {
    [WHY_DECIDED] = "a person decided they are not the same person",
    [WHY_NHS] = "different NHS numbers",
    [WHY_UPN] = "different pupil numbers",
    [WHY_GENDER] = "genders that disagree",
    [WHY_FIRST_SETTLED] = "first names that disagree, each written on two records or more",
    [WHY_FIRST_GENDER] = "first names of other genders",
    [WHY_DOB] = "dates of birth that cannot be one person's",
    [WHY_DOB_SETTLED] = "dates of birth that disagree, each written on two records or more",
    [WHY_AGE] = "ages that cannot both be true at the two events' dates",
    [WHY_EVENT] = "named as two people in one event",
    [WHY_FIRST_DIFF] = "first names wholly different",
    [WHY_TWINS] = "first names wholly different beside one surname and one date of birth (twins)",
};

/* Why clusters x and y (roots) must not be one person, or NULL; *reason
 * gets its CL_ number. The rules stop chains too (A-B-C where A and C were
 * never compared): every cannot-link between any member of one and any of
 * the other holds. `direct`: the link's own two refs both carry full dates
 * of birth, so the model has already weighed them against each other (a
 * wholly wrong date beside agreeing names, address and identifiers is a
 * typing error the model may outweigh); the dates of the rest of the two
 * clusters still hold. In a county whose events name people side by side
 * (R->side_by_side) the link must also share an identifier to be direct: there two
 * of one name at one address with dates wholly apart (Gemma Malik, 1980
 * and 1985) are two people; FEBRL, one person a row, rewrites whole dates. `same_id`: the link's own two refs share an NHS
 * number or pupil number and none differs, so first names settled apart
 * do not hold (Amelia Lamb's records and "Amelie" Lamb's, one NHS number
 * and one date; twins of one date carry two numbers). */
static const char *conflict(const rs *R, clw *c, uint32_t x, uint32_t y, const decision *d,
                            size_t nd, bool direct, bool same_id, int *reason)
{
    *reason = CL_ID;
    for (size_t i = 0; i < nd; i++) {
        if (d[i].same)
            continue;
        uint32_t ra = find(c, d[i].a), rb = find(c, d[i].b);
        if ((ra == x && rb == y) || (ra == y && rb == x))
            return refusal_why[WHY_DECIDED];
    }
    const cl *X = cs(c, x), *Y = cs(c, y);
    if (X->nn && Y->nn && !set_level(X->nhs, X->nn, Y->nhs, Y->nn))
        return refusal_why[WHY_NHS];
    if (X->nu && Y->nu && !set_level(X->upn, X->nu, Y->upn, Y->nu))
        return refusal_why[WHY_UPN];
    *reason = CL_GENDER;
    if (genders_apart(X->ngen, Y->ngen))
        return refusal_why[WHY_GENDER];
    *reason = CL_NAME;
    if (!same_id && first_names_apart(R, X, Y) && !surname_settled_as_first(R, c, x, y) &&
        !surname_settled_as_first(R, c, y, x))
        return refusal_why[WHY_FIRST_SETTLED];
    if (!same_id && names_of_genders(R, X->fn, X->nfn, Y->fn, Y->nfn))
        return refusal_why[WHY_FIRST_GENDER];
    *reason = CL_DOB;
    if (settled_dobs_apart(X, Y))
        return refusal_why[WHY_DOB_SETTLED];
    if (!direct && dobs_apart(X->dob, X->nd, Y->dob, Y->nd))
        return refusal_why[WHY_DOB];
    *reason = CL_AGE;
    if (ages_apart(X->by_lo, X->by_hi, X->dob, X->nd, Y->by_lo, Y->by_hi, Y->dob, Y->nd))
        return refusal_why[WHY_AGE];
    *reason = CL_EVENT;
    if (R->nl_off) {
        uint32_t small = c->h[x].size <= c->h[y].size ? x : y, other = small == x ? y : x;
        uint32_t m = small;
        do {
            for (uint32_t i = R->nl_off[m]; i < R->nl_off[m + 1]; i++)
                if (find(c, R->nl_to[i]) == other)
                    return refusal_why[WHY_EVENT];
            m = c->h[m].next;
        } while (m != small);
    }
    return NULL;
}

static void merge(clw *c, uint32_t x, uint32_t y)
{
    cl_head *h = c->h;
    if (h[x].size < h[y].size) {
        uint32_t t = x;
        x = y;
        y = t;
    }
    cl *X = cs(c, x), *Y = cs(c, y);
    h[y].parent = x;
    h[x].size += h[y].size;
    uint32_t t = h[x].next; /* splice the two rings */
    h[x].next = h[y].next;
    h[y].next = t;
    X->gmask |= Y->gmask;
    X->full |= Y->full;
    X->named |= Y->named;
    for (uint8_t i = 0; i < Y->nfn; i++)
        fn_add(X, Y->fn[i], Y->fc[i]);
    X->ngen[0] += Y->ngen[0];
    X->ngen[1] += Y->ngen[1];
    if (Y->by_lo) {
        X->by_lo = X->by_lo && X->by_lo > Y->by_lo ? X->by_lo : Y->by_lo;
        X->by_hi = X->by_hi && X->by_hi < Y->by_hi ? X->by_hi : Y->by_hi;
    }
    for (uint8_t i = 0; i < Y->nn; i++)
        add_id(X->nhs, &X->nn, 4, Y->nhs[i]);
    for (uint8_t i = 0; i < Y->nu; i++)
        add_id(X->upn, &X->nu, 4, Y->upn[i]);
    for (uint8_t i = 0; i < Y->nd; i++)
        dob_add(X, Y->dob[i], Y->dc[i]);
    /* y's summary given back (read until the next is made: household_note) */
    uint32_t *back = Y == &c->spare ? NULL : vec_push(&c->back);
    if (back)
        *back = h[y].slot;
    h[y].slot = back ? 0 : h[y].slot;
}

/*
 * What clustering notes on a ref, kept as the note's arguments and made
 * into text only when its identity's notes are made (note_text), in the
 * order noted: 48 bytes a note instead of its text (150-250 bytes) held
 * from clustering to the identities, the text then made and dropped ref by
 * ref. The text and the caps are those of formatting at once (the checks
 * of a note's length read only the ref's own note, made in the same order).
 */
enum { NOTE_POSSIBLE, NOTE_REFUSED, NOTE_UNJOINED, NOTE_SPARSE, NOTE_PLACE, NOTE_FAMILY };
typedef struct note_op {
    uint32_t ref;
    uint32_t other; /* the link's other ref; place and family notes: the ref joined through */
    union {
        double w;                         /* possible, refused, unjoined, sparse */
        struct {
            uint32_t by;   /* place: by the event's postcode; family: the ref it is named with */
            uint32_t name; /* family: the name shown, in R->ids (name_in 1) or R->names (2) */
        } f;
    } u;
    /* refused: the reason (refusal_why[x]); sparse: the evidence's points;
     * family: the member's first date of birth, when has_dob */
    uint32_t x;
    uint8_t kind, how; /* how: a place note's (0 address, 1 events' places, 3 dated) */
    uint8_t name_in;   /* 0: "no first name" (ids, not pointers: the pools grow later) */
    bool has_dob;
} note_op;
_Static_assert(sizeof(note_op) == 24, "a logged note is 24 bytes");

/* A note onto the log (a vec of note_op); JD_OK or JD_ENOMEM. */
static int note_log(vec *log, note_op op)
{
    note_op *o = vec_push(log);
    if (!o)
        return JD_ENOMEM;
    *o = op;
    return JD_OK;
}

/*
 * The second pass for sparse refs (issue 16, minimum evidence): a sparse
 * ref whose links fell short of enough_evidence joins a person only when
 * its links point to one: among the clusters they reach with
 * sparse_evidence and no cannot-link, exactly one has the best names (a
 * household holds one Jack, a county one Nadia Siddiqui of that age).
 * Round 0 counts only clusters holding a full ref (a person known by both
 * names and a date of birth); round 1 any, so that two sparse rows of one
 * person without a full record can meet. A ref already with a full ref
 * stays where it is. Each join is noted on the ref. Returns refs joined.
 */
/* Does a ref of sparse cluster x (root) live at another number of the
 * street of a ref of cluster y, under another postcode (street_neighbours),
 * with no two refs at one place? A call row with no postcode joined to
 * "Jsde Siddiqui" of 152 Castle Way is not Jade Siddiqui of 120. Walks 16
 * members of x against 64 of y. */
static bool street_apart(const rs *R, clw *c, uint32_t x, uint32_t y)
{
    bool apart = false;
    uint32_t a = x;
    int wa = 0;
    do {
        rview va, vb;
        view(R, &R->h[a], &va);
        uint32_t b = y;
        int wb = 0;
        do {
            view(R, &R->h[b], &vb);
            if (va.addr && vb.addr && same_place(R, &va, &vb))
                return false;
            apart = apart || street_neighbours(R, &va, &vb);
            b = c->h[b].next;
        } while (b != y && ++wb < 64);
        a = c->h[a].next;
    } while (a != x && ++wa < 16);
    return apart;
}

/* The deferred links (def_at, sorted: sort_deferred) of each sparse ref
 * that cluster_links left, joined where they single out one person. */
static int64_t join_sparse(const rs *R, clw *c, const match_link *lv, const uint32_t *dx, size_t nd,
                           const decision *dv, size_t ndec, lvcache *lc, vec *notes)
{
    int64_t joined = 0;
    for (int round = 0; round < 2; round++)
        for (size_t i = 0, j; i < nd; i = j) {
            uint32_t s = def_at(lv, dx[i]).s, rs_ = find(c, s), best = UINT32_MAX;
            j = i + 1;
            while (j < nd && def_at(lv, dx[j]).s == s)
                j++;
            if (cs(c, rs_)->full)
                continue;
            int bestn = -1, bestp = 0;
            bool tie = false;
            size_t via = i;
            for (size_t k = i; k < j; k++) {
                uint32_t o = def_at(lv, dx[k]).o, r = find(c, o);
                int names = 0, why, pts;
                if (r == rs_ || (round == 0 && !cs(c, r)->full) || (r == best && !tie))
                    continue;
                if (!(pts = sparse_evidence(R, s, o, lc, &names)) ||
                    conflict(R, c, rs_, r, dv, ndec, false, false, &why) ||
                    street_apart(R, c, rs_, r))
                    continue;
                if (names > bestn) {
                    bestn = names;
                    bestp = pts;
                    best = r;
                    tie = false;
                    via = k;
                } else if (names == bestn && r != best) {
                    tie = true;
                }
            }
            if (best == UINT32_MAX || tie)
                continue;
            merge(c, rs_, best);
            joined++;
            deferred d = def_at(lv, dx[via]);
            if (note_log(notes, (note_op){.kind = NOTE_SPARSE,
                                          .ref = s,
                                          .other = d.o,
                                          .u.w = d.w,
                                          .x = (uint32_t)bestp}) != JD_OK)
                return -1;
        }
    return joined;
}

/*
 * Households (issue 16): the people at one address. A sparse ref that
 * join_sparse left on its own (no link singled out a person: a call
 * handler's "Mrs Khan", a girl of 12 at the address with no name, a first
 * name with no place in an event that names her mother) joins the one
 * household member whose details fit, when exactly one does.
 *
 * The household of a ref is every ref written at its address, or at its
 * postcode where one side has no address; a ref with no place of its own
 * takes the places of the people named with it in its events (the parent
 * reporting a child). A member fits when its cluster holds a full ref
 * (both names and a date of birth), none of the cannot-links holds, its
 * gender does not differ, its dates of birth or ages fit the ref's age, and
 * each name the ref carries is one of its names (first name: the same, a
 * variant, an initial or close; surname: close or exact, either order; a
 * lone name either). The ref must carry a first name, an age, or a
 * surname and a gender: "Mrs Stevens" joins the household's one woman of
 * that name, and stays apart where a mother and a daughter live (a gender
 * alone is too little: the household is every ref ever written at the
 * address). Twins and siblings of one age stay apart by their first names;
 * a ref that fits two members stays apart.
 */
typedef struct hh_index {
    uint64_t *k; /* (place id << 32 | ref), sorted */
    size_t n;
} hh_index;

/* Refs at place `id` in an index: [*lo, return). */
static size_t hh_range(const hh_index *x, uint32_t id, size_t *lo)
{
    size_t a = 0, b = x->n;
    uint64_t key = (uint64_t)id << 32;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (x->k[m] < key)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (b < x->n && x->k[b] >> 32 == id)
        b++;
    return b;
}

/* The first names of a cluster hold one that is `f` (same, a variant, an
 * initial, or close: Sophie, Sophia)? Twins a letter apart both fit, and
 * a ref that fits two stays apart. */
static bool hh_first_fits(const rs *R, const cl *x, uint32_t f, int level, lvcache *lc)
{
    for (uint8_t i = 0; i < x->nfn; i++)
        if (same_first_name(R, x->fn[i], f) ||
            name_level(R, &x->fn[i], 1, &f, 1, true, lc) >= level)
            return true;
    return false;
}

/* Does some ref of cluster root r carry surname `sur` (at `level` or
 * better, or written as a forename)? Walks at most 64 members. */
static bool hh_sur_fits(const rs *R, clw *c, uint32_t r, uint32_t sur, int level, lvcache *lc)
{
    uint32_t m = r;
    int walked = 0;
    do {
        const rref *x = &R->r[m];
        if (name_level(R, x->sur, x->nsur, &sur, 1, false, lc) >= level ||
            name_level(R, x->fore, x->nfore, &sur, 1, false, lc) >= L_EXACT)
            return true;
        m = c->h[m].next;
    } while (m != r && ++walked < 64);
    return false;
}

/*
 * hh_sur_fits over one cluster asked several times (hh_names_fit asks up
 * to six names): the same walk, each surname and forename of its members
 * checked once and kept, so that the next name is checked against the
 * names kept and the walk goes on only from where it stopped. Its answer
 * is hh_sur_fits': name_level of a list is that of its best name. More
 * than SW_NAMES names of either kind: hh_sur_fits itself.
 */
enum { SW_NAMES = 64 };
typedef struct sur_walk {
    uint32_t r, m; /* the root, the next member to read */
    int walked;
    bool done, over;
    uint8_t ns, nf;
    uint32_t sur[SW_NAMES], fore[SW_NAMES];
} sur_walk;

/* Add the names of list l not kept yet to set (n of them): false when it
 * is full; *hit when one of them fits `sur` at `level`. */
static bool sw_add(const rs *R, uint32_t *set, uint8_t *n, const uint32_t *l, uint8_t nl,
                   uint32_t sur, int level, lvcache *lc, bool *hit)
{
    for (uint8_t i = 0; i < nl; i++) {
        uint8_t k = 0;
        while (k < *n && set[k] != l[i])
            k++;
        if (k < *n)
            continue;
        if (*n == SW_NAMES)
            return false;
        set[(*n)++] = l[i];
        *hit = *hit || name_level(R, &l[i], 1, &sur, 1, false, lc) >= level;
    }
    return true;
}

static bool hh_sur_fits_w(const rs *R, clw *c, sur_walk *w, uint32_t sur, int level, lvcache *lc)
{
    for (uint8_t i = 0; !w->over && i < w->ns; i++)
        if (name_level(R, &w->sur[i], 1, &sur, 1, false, lc) >= level)
            return true;
    for (uint8_t i = 0; !w->over && i < w->nf; i++)
        if (name_level(R, &w->fore[i], 1, &sur, 1, false, lc) >= L_EXACT)
            return true;
    while (!w->over && !w->done) {
        const rref *x = &R->r[w->m];
        bool hit = false;
        w->over = !sw_add(R, w->sur, &w->ns, x->sur, x->nsur, sur, level, lc, &hit) ||
                  !sw_add(R, w->fore, &w->nf, x->fore, x->nfore, sur, L_EXACT, lc, &hit);
        w->m = c->h[w->m].next;
        w->done = w->m == w->r || ++w->walked >= 64;
        if (hit)
            return true;
    }
    return w->over ? hh_sur_fits(R, c, w->r, sur, level, lc) : false;
}

enum { HH_KEYS = 16, HH_MEMBERS = 96, HH_CAND = 8, HH_NOFIT = 32 };
/* how far from a ref's days at an address its household is taken
 * (join_dated, hh_narrow): three years */
enum { DATED_DAYS = 1095 };

/* Add a ref's places to the key lists (addresses, postcodes); with ev, a
 * ref with no place of its own takes the postcode of its event. */
static void hh_places(const rs *R, uint32_t i, bool ev, uint32_t *ad, int *na, uint32_t *pc,
                      int *np)
{
    const rref *r = &R->r[i];
    if (r->addr) {
        int k = 0;
        while (k < *na && ad[k] != r->addr)
            k++;
        if (k == *na && *na < HH_KEYS)
            ad[(*na)++] = r->addr;
    }
    for (uint8_t p = 0; p <= r->npc; p++) {
        /* an address with no postcode: the postcode the county writes it
         * with; a ref with no place of its own: where its event happened */
        uint32_t v = p < r->npc ? r->pc[p] : r->addr ? r->apc : ev ? r->epc : 0;
        int k = 0;
        while (k < *np && pc[k] != v)
            k++;
        if (v && k == *np && *np < HH_KEYS)
            pc[(*np)++] = v;
    }
}

static void hh_keys(const rs *R, uint32_t i, uint32_t *ad, int *na, uint32_t *pc, int *np)
{
    hh_places(R, i, true, ad, na, pc, np);
}

/* Do the names of sparse ref sr fit household member r (a root)? Each
 * name the ref carries is one of the member's: a first name the same, a
 * variant, an initial or close, a surname close or exact, in either
 * field (a lone name may be a surname written in the forenames, a
 * housing officer's "Stevens, 14"). Where the ref carries both names and
 * one of them fits so, the other may be only similar: one typo (Ksren,
 * Butns) beside a name that fits. */
static bool hh_names_fit(const rs *R, clw *c, uint32_t r, const rref *sr, lvcache *lc)
{
    sur_walk w = {.r = r, .m = r};
    bool sur = sr->nsur > 0, fore_close = true, fore_sim = true, sur_close = true, sur_sim = true;
    for (uint8_t f = 0; f < sr->nfore && fore_sim; f++) {
        bool close = hh_first_fits(R, cs(c, r), sr->fore[f], L_CLOSE, lc) ||
                     (!sur && hh_sur_fits_w(R, c, &w, sr->fore[f], L_CLOSE, lc));
        fore_close &= close;
        fore_sim = close || (sur && hh_first_fits(R, cs(c, r), sr->fore[f], L_SIMILAR, lc));
    }
    for (uint8_t f = 0; f < sr->nsur && sur_sim; f++) {
        bool close = hh_sur_fits_w(R, c, &w, sr->sur[f], L_CLOSE, lc);
        sur_close &= close;
        sur_sim = close || (sr->nfore && hh_sur_fits_w(R, c, &w, sr->sur[f], L_SIMILAR, lc));
    }
    if (!sr->nfore || !sur)
        return fore_close && sur_close; /* one name: it must fit closely */
    if ((fore_close && sur_sim) || (fore_sim && sur_close))
        return true;
    /* the surname written first: each name fits the other field closely */
    bool swapped = true;
    for (uint8_t f = 0; f < sr->nfore && swapped; f++)
        swapped = hh_sur_fits_w(R, c, &w, sr->fore[f], L_CLOSE, lc);
    for (uint8_t f = 0; f < sr->nsur && swapped; f++)
        swapped = hh_first_fits(R, cs(c, r), sr->sur[f], L_CLOSE, lc);
    return swapped;
}

/* The refs at each address (ax) and postcode (px); -1 without memory. */
static int hh_build(const rs *R, hh_index *ax, hh_index *px)
{
    ax->n = px->n = 0;
    ax->k = malloc((R->n ? R->n : 1) * sizeof *ax->k);
    px->k = malloc((R->n * (NV + 1) + 1) * sizeof *px->k);
    if (!ax->k || !px->k) {
        free(ax->k);
        free(px->k);
        ax->k = px->k = NULL;
        return -1;
    }
    for (uint32_t i = 0; i < R->n; i++) {
        if (R->r[i].addr)
            ax->k[ax->n++] = (uint64_t)R->r[i].addr << 32 | i;
        for (uint8_t p = 0; p < R->r[i].npc; p++)
            px->k[px->n++] = (uint64_t)R->r[i].pc[p] << 32 | i;
        if (!R->r[i].addr && !R->r[i].npc && R->r[i].epc) /* hh_keys' place of it */
            px->k[px->n++] = (uint64_t)R->r[i].epc << 32 | i;
        if (R->r[i].apc) /* an address's postcode: a member there */
            px->k[px->n++] = (uint64_t)R->r[i].apc << 32 | i;
    }
    if (jd_resolve__radix_sort_u64(ax->k, ax->n) < 0)
        qsort(ax->k, ax->n, sizeof *ax->k, cmp_u64);
    if (jd_resolve__radix_sort_u64(px->k, px->n) < 0)
        qsort(px->k, px->n, sizeof *px->k, cmp_u64);
    return 0;
}

/* A sparse ref that carries enough to tell a household's members apart. */
static bool hh_eligible(const rs *R, uint32_t s)
{
    const rref *sr = &R->r[s];
    uint32_t g = sr->gmask == 1 || sr->gmask == 2 ? sr->gmask : 0;
    return sparse_ref(R, s) &&
           (sr->nfore > 0 || sr->by_lo != 0 || sr->ndob > 0 || (sr->nsur > 0 && g));
}

/* The first entry of old identity `id` in vk (old id << 32 | ref, sorted). */
static size_t vk_first(const uint64_t *vk, size_t nv, uint32_t id)
{
    size_t lo = 0, hi = nv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (vk[mid] >> 32 < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The name a sparse ref's names are checked by first (hh_could_fit). */
static uint32_t first_name_of(const rs *R, uint32_t s)
{
    const rref *sr = &R->r[s];
    return sr->nfore ? sr->fore[0] : sr->nsur ? sr->sur[0] : 0;
}

/* Does ref y carry a name near x (hh_could_fit)? */
static bool name_near(const rs *R, const rref *y, uint32_t x, lvcache *lc)
{
    for (uint8_t f = 0; f < y->nfore + y->nsur; f++) {
        uint32_t n = f < y->nfore ? y->fore[f] : y->sur[f - y->nfore];
        if (same_first_name(R, n, x) || name_level(R, &n, 1, &x, 1, true, lc) >= L_SIMILAR ||
            name_level(R, &n, 1, &x, 1, false, lc) >= L_SIMILAR)
            return true;
    }
    return false;
}

/*
 * An incremental run: could household member o fit sparse ref s by
 * names (hh_names_fit)? Every name s carries must be at least similar to
 * one of the member's (the same, a variant or similar as a first name or
 * a surname, either field), so false when no ref of the person o was
 * before this run (its old identity, or o alone) carries a name so near
 * s's first. While o is outside the scope its cluster at s's decision
 * holds no more than those refs (a sparse ref joining it first must fit
 * it too, and is walked for it), so o cannot be the member s joins nor
 * one that keeps it apart: the walk leaves it out and join_household
 * does not need it. True for a ref with no name (it fits by age, gender
 * or date) and outside incremental runs.
 */
static bool hh_could_fit(const rs *R, uint32_t s, uint32_t o, lvcache *lc)
{
    uint32_t x = first_name_of(R, s);
    if (!x || !R->old_pid)
        return true;
    uint32_t id = R->old_pid[o];
    size_t lo = id ? vk_first(R->old_vk, R->old_nv, id) : 0;
    for (size_t k = lo; id ? k < R->old_nv && R->old_vk[k] >> 32 == id : k == lo; k++)
        if (name_near(R, &R->r[id ? (uint32_t)R->old_vk[k] : o], x, lc))
            return true;
    return false;
}

/* Could cluster r as it is now fit s by names (hh_could_fit; every
 * member read)? */
static bool cluster_could_fit(const rs *R, clw *c, uint32_t s, uint32_t r, lvcache *lc)
{
    uint32_t x = first_name_of(R, s), m = r;
    if (!x)
        return true;
    do
        if (name_near(R, &R->r[m], x, lc))
            return true;
    while ((m = c->h[m].next) != r);
    return false;
}

/* A sparse ref that may join a member of its family (family_candidates):
 * a first name and an age or a date to fit (a first name alone, or an age
 * and a gender alone, fit too many in the families a person is named in). */
static bool fam_eligible(const rs *R, uint32_t s)
{
    const rref *sr = &R->r[s];
    return hh_eligible(R, s) && sr->nfore > 0 && (sr->by_lo != 0 || sr->ndob > 0);
}

/* An incremental run (in: the refs re-resolved): does out-of-scope sparse
 * ref s have a household member in scope (its decision may change)? With
 * c, after the households are decided: only a member whose cluster now or
 * old identity could fit s by names (hh_could_fit) counts. */
static bool hh_touches_scope(const rs *R, uint32_t s, const hh_index *ax, const hh_index *px,
                             const uint8_t *in, clw *c, lvcache *lc)
{
    uint32_t ad[HH_KEYS], pc[HH_KEYS];
    int na = 0, np = 0;
    hh_keys(R, s, ad, &na, pc, &np);
    for (int side = 0; side < 2; side++)
        for (int q = 0; q < (side ? np : na); q++) {
            const hh_index *x = side ? px : ax;
            size_t lo, hi = hh_range(x, side ? pc[q] : ad[q], &lo);
            for (size_t e = lo; hi - lo <= HH_MEMBERS && e < hi; e++) {
                uint32_t u = (uint32_t)x->k[e];
                if (in[u] && (!c || hh_could_fit(R, s, u, lc) ||
                              cluster_could_fit(R, c, s, find(c, u), lc)))
                    return true;
            }
        }
    for (uint32_t e = R->co_off ? R->co_off[s] : 0; R->co_off && e < R->co_off[s + 1]; e++) {
        uint32_t t = R->co_to[e];
        if (in[t])
            return true;
        for (uint32_t f = R->co_off[t]; f < R->co_off[t + 1]; f++)
            if (in[R->co_to[f]]) /* its family (family_candidates) */
                return true;
    }
    return false;
}

/* Whether cluster r can be the household member that ref s (sr, in cluster
 * rs_) is: gender, age, names and any partial date fit, and no decision or
 * conflict keeps them apart. */
static bool hh_member_fits(const rs *R, clw *c, uint32_t rs_, uint32_t r, const rref *sr,
                           const decision *dv, size_t ndec, lvcache *lc)
{
    uint32_t g = sr->gmask == 1 || sr->gmask == 2 ? sr->gmask : 0;
    const cl *x = cs(c, r);
    if (g && x->gmask && !(x->gmask & g))
        return false;
    /* an age needs a date or an age to fit, unless both names fit a
     * member known by both (its records carry no date) */
    bool age = sr->by_lo != 0 || sr->ndob > 0;
    if (age && !x->nd && !x->by_lo && (x->full || !sr->nfore || !sr->nsur))
        return false;
    int why;
    bool fits = hh_names_fit(R, c, r, sr, lc);
    if (!fits || conflict(R, c, rs_, r, dv, ndec, false, false, &why) || street_apart(R, c, rs_, r))
        return false;
    if (sr->ndob && x->nd) { /* a partial date must fit a full one */
        bool dfit = false;
        for (uint8_t i = 0; i < sr->ndob && !dfit; i++)
            for (uint8_t j = 0; j < x->nd && !dfit; j++)
                dfit = dob_pair(sr->dob[i], x->dob[j]) > 0;
        return dfit;
    }
    return true;
}

static int dated_where(const rs *R, clw *c, uint32_t r, const rref *sr);

/* Several members fit a ref (siblings a year or two apart: an age fits
 * each within the year either way ages_apart allows; two boys of one name
 * who lived at the address at different times): the ones whose full date
 * of birth makes them exactly that age on the event's day are kept (a
 * member with no full date, which cannot be told, too), and of those the
 * ones whose records do not put them only at another address within
 * DATED_DAYS of the ref's days there (dated_where). Returns how many are
 * left, first in cand, via and by (if not NULL). */
static int hh_narrow(const rs *R, clw *c, const rref *sr, uint32_t *cand, uint32_t *via,
                     uint32_t *by, int nc)
{
    int left = 0;
    for (int k = 0; k < nc; k++) {
        const cl *x = cs(c, cand[k]);
        bool fits = !x->nd || !sr->bd_lo;
        for (uint8_t i = 0; i < x->nd && !fits; i++)
            fits = x->dob[i] > sr->bd_lo && x->dob[i] <= sr->bd_hi;
        if (fits && (!sr->ad_from || dated_where(R, c, cand[k], sr))) {
            cand[left] = cand[k];
            if (by)
                by[left] = by[k];
            via[left++] = via[k];
        }
    }
    return left;
}

/*
 * The family of a sparse ref that no member of its household fits
 * (join_household): the people named in events with the people it is
 * named with. A call about "Sophie, 10" made by her mother, whose own
 * records name Sophie Wilson in full elsewhere; a housing list at the
 * address a family left, beside the tenant whose later lists name the
 * man in full at the new one. Each ref named with s (t), the person it
 * was resolved to (up to 32 of its refs), and everyone named with any of
 * those refs: a member known in full (or by both names, for a ref with
 * both) whose names, gender and age fit is a candidate, as in a
 * household; the ref must carry a first name (an age and a gender alone
 * fit too many in a family). Families of more than FAM_MEMBERS people (a police
 * incident's crowd) are not used. Adds to cand / via / by (the ref named
 * with s) and returns false when too many fit.
 */
enum { FAM_MEMBERS = 48 };

/* Add cluster r to the max clusters seen (ns of them): 1 added, 0 seen
 * already, -1 full. */
static int seen_add(uint32_t *seen, int *ns, int max, uint32_t r)
{
    for (int k = 0; k < *ns; k++)
        if (seen[k] == r)
            return 0;
    if (*ns == max)
        return -1;
    seen[(*ns)++] = r;
    return 1;
}
static bool family_candidates(const rs *R, clw *c, uint32_t s, uint32_t rs_, const decision *dv,
                              size_t ndec, lvcache *lc, uint32_t *cand, uint32_t *via, uint32_t *by,
                              int *nc, const uint8_t *in, bool *need)
{
    const rref *sr = &R->r[s];
    uint32_t seen[FAM_MEMBERS];
    int ns = 0;
    for (uint32_t e = R->co_off[s]; e < R->co_off[s + 1]; e++) {
        uint32_t t = R->co_to[e], rt = find(c, t), m = rt;
        int walked = 0;
        do {
            if (in && !in[m])
                *need = true;
            for (uint32_t f = R->co_off[m]; f < R->co_off[m + 1]; f++) {
                uint32_t u = R->co_to[f], r = find(c, u);
                if (in && !in[u]) {
                    *need = true;
                    continue;
                }
                if (r == rs_ || r == rt)
                    continue;
                int fresh = seen_add(seen, &ns, FAM_MEMBERS, r);
                if (fresh < 0)
                    return false; /* a crowd, not a family */
                if (!fresh)
                    continue;
                if (!(cs(c, r)->full || (cs(c, r)->named && sr->nfore && sr->nsur)) ||
                    !hh_member_fits(R, c, rs_, r, sr, dv, ndec, lc))
                    continue;
                int k = 0;
                while (k < *nc && cand[k] != r)
                    k++;
                if (k < *nc)
                    continue;
                if (*nc == HH_CAND)
                    return false;
                via[*nc] = u;
                by[*nc] = t;
                cand[(*nc)++] = r;
            }
        } while ((m = c->h[m].next) != rt && ++walked < 32);
    }
    return true;
}

/* The note of a family join (family_candidates): the ref named with s,
 * and the member's name (as the ref it was found by writes it, else its
 * commonest first name) and date of birth. */
/* The note of ref s joined to member x through ref via: at its address
 * (how 0), at its events' places (1; by: the event's postcode), through
 * its family (2; by: the ref it is named with), or at its address at its
 * date (3, join_dated): logged, with what
 * the family note shows of x now (its first name written most often, its
 * first date of birth). */
static int household_note(const rs *R, const cl *x, uint32_t s, uint32_t via, int how,
                          uint32_t by, vec *notes)
{
    note_op op = {.kind = how == 2 ? NOTE_FAMILY : NOTE_PLACE, .ref = s, .other = via,
                  .u.f.by = by, .how = (uint8_t)how};
    if (how == 2) {
        uint8_t f = 0; /* the first name written most often */
        for (uint8_t i = 1; i < x->nfn; i++)
            f = x->fc[i] > x->fc[f] ? i : f;
        op.name_in = R->r[via].name ? 1 : x->nfn ? 2 : 0;
        op.u.f.name = R->r[via].name ? R->r[via].name : x->nfn ? x->fn[f] : 0;
        op.has_dob = x->nd != 0;
        op.x = x->nd ? x->dob[0] : 0;
    }
    return note_log(notes, op);
}

/*
 * Who lived at an address when (issue 16): a sparse ref that carries its
 * address and nothing else to tell a household apart but, perhaps, a
 * gender (a call about "a girl at 140 Elm Lane", no name, no age) joins
 * the one person of the household at that address at that time. Each ref keeps
 * the days it was written at its address (ad_from, ad_to); a person's
 * refs are its address history. The person a ref joins is known in full
 * and was written at the address within DATED_DAYS (three years) of the
 * ref's days. Everyone else ever written there whose gender does not
 * differ and that no cannot-link keeps apart (a brother named in the same
 * call) counts against it, a parent known by an age as much as a child
 * known in full, unless their records put them at another address only
 * at that time (a family that moved out, or in later): "F" beside a
 * mother and a daughter stays apart, and so does a boy at an address at a
 * date where a later tenant's son may have lived. Clusters known by
 * nothing (no name, date or age) do not count. Returns the refs joined;
 * an incremental run as join_household.
 */

static bool dated_eligible(const rs *R, uint32_t s)
{
    const rref *sr = &R->r[s];
    return !sr->nfore && !sr->nsur && !sr->ndob && !sr->by_lo && sr->addr && sr->ad_from &&
           sr->gmask != 3;
}

/* Where cluster r was at the days of ref sr (within DATED_DAYS): 1 at its
 * address, 0 at another address only, -1 not known (walks at most 64
 * members). */
static int dated_where(const rs *R, clw *c, uint32_t r, const rref *sr)
{
    uint32_t m = r;
    int walked = 0, where = -1, w = DATED_DAYS;
    do {
        const rref *x = &R->r[m];
        if (x->ad_from && x->ad_to >= sr->ad_from - w && x->ad_from <= sr->ad_to + w) {
            if (x->addr == sr->addr)
                return 1;
            where = 0;
        }
        m = c->h[m].next;
    } while (m != r && ++walked < 64);
    return where;
}

/* Cluster r, written at s's address some time: 1 a candidate (known in
 * full, there at the time), 0 not fitting or elsewhere at the time, -1 a
 * person who fits and may have been there (s stays apart). */
static int dated_member(const rs *R, clw *c, uint32_t s, uint32_t rs_, uint32_t r,
                        const decision *dv, size_t ndec)
{
    const rref *sr = &R->r[s];
    const cl *x = cs(c, r);
    if (r == rs_ || !(x->full || x->named || x->nfn || x->nd || x->by_lo))
        return 0; /* itself, or another ref with nothing to know a person by */
    int why;
    if ((sr->gmask && x->gmask && !(x->gmask & sr->gmask)) ||
        conflict(R, c, rs_, r, dv, ndec, false, false, &why))
        return 0;
    int where = dated_where(R, c, r, sr);
    return where == 1 && x->full ? 1 : where ? -1 : 0;
}

static int64_t join_dated(const rs *R, clw *c, const decision *dv, size_t ndec, vec *notes,
                          const hh_index *ax, const hh_index *px, const uint8_t *in, bool *need)
{
    int64_t joined = 0;
    for (uint32_t s = 0; s < R->n; s++) {
        if (!dated_eligible(R, s))
            continue;
        if (in && !in[s]) {
            if (!*need && hh_touches_scope(R, s, ax, px, in, NULL, NULL))
                *need = true;
            continue;
        }
        uint32_t rs_ = find(c, s), cand = UINT32_MAX, via = 0;
        if (c->h[rs_].size > 1)
            continue; /* joined already */
        size_t lo, hi = hh_range(ax, R->r[s].addr, &lo);
        bool two = hi - lo > HH_MEMBERS;
        for (size_t e = lo; e < hi && !two; e++) {
            uint32_t u = (uint32_t)ax->k[e], r = find(c, u);
            if (in && !in[u]) {
                *need = true;
                continue;
            }
            int f = r == cand ? 0 : dated_member(R, c, s, rs_, r, dv, ndec);
            two = f < 0 || (f > 0 && cand != UINT32_MAX);
            if (f > 0)
                cand = r, via = u;
        }
        if (two || cand == UINT32_MAX)
            continue;
        const cl *x = cs(c, cand); /* read after the merge (merge) */
        merge(c, rs_, cand);
        joined++;
        if (household_note(R, x, s, via, 3, 0, notes) < 0)
            return -1;
    }
    return joined;
}

/*
 * Who was written at a postcode when (issue 16): a sparse ref with no
 * place of its own (a call about "Nguyen", F; a police witness "Sinead",
 * 13, at the incident's postcode) that no household round joined joins
 * the one person known in full who fits it (hh_member_fits) and whose
 * records were written at its event's postcode within DATED_DAYS of its
 * own days. Anyone else ever written there who fits counts against it (a
 * sister known in full, a mother known by a name and an age; twins stay
 * apart; a father written there only years later), unless their records
 * put them only at another place at that time (the family that lived
 * there before), as do more than DATED_PC_PEOPLE people. Postcodes with
 * more than DATED_PC_REFS refs (a block of flats) are not used. Returns
 * the refs joined; an incremental run as join_household, except that a
 * ref with anyone at its postcode out of scope stays apart (with --hops
 * the next full run decides).
 */
enum { DATED_PC_REFS = 1024, DATED_PC_PEOPLE = 128 };

static bool dated_pc_eligible(const rs *R, uint32_t s)
{
    const rref *sr = &R->r[s];
    return !sr->addr && !sr->npc && sr->epc && sr->d_from && hh_eligible(R, s);
}

/* Was ref x written at postcode p within w days of days from..to? */
static bool dated_at_pc(const rref *x, uint32_t p, int32_t from, int32_t to, int32_t w)
{
    if (!p)
        return false;
    int32_t a = x->addr ? x->ad_from : x->d_from, b = x->addr ? x->ad_to : x->d_to;
    if (!a || b < from - w || a > to + w)
        return false;
    bool at = x->apc == p;
    for (uint8_t i = 0; i < x->npc && !at; i++)
        at = x->pc[i] == p;
    return at;
}

/* Where cluster r was at the days of ref sr (within DATED_DAYS): 1 at
 * its event's postcode, 0 at other places only, -1 not known (walks at
 * most 64 members). */
static int dated_pc_where(const rs *R, clw *c, uint32_t r, const rref *sr)
{
    uint32_t m = r;
    int walked = 0, where = -1;
    do {
        const rref *x = &R->r[m];
        if (dated_at_pc(x, sr->epc, sr->d_from, sr->d_to, DATED_DAYS))
            return 1;
        uint32_t own = x->apc ? x->apc : x->npc ? x->pc[0] : 0;
        if (where < 0 && own && dated_at_pc(x, own, sr->d_from, sr->d_to, DATED_DAYS))
            where = 0; /* written at a place of its own then, not this one */
        m = c->h[m].next;
    } while (m != r && ++walked < 64);
    return where;
}

/* The one person ref s (in cluster rs_) joins at its event's postcode, or
 * UINT32_MAX (*via: the ref found by). */
static uint32_t dated_pc_person(const rs *R, clw *c, uint32_t s, uint32_t rs_, const decision *dv,
                                size_t ndec, lvcache *lc, const hh_index *px, const uint8_t *in,
                                bool *need, uint32_t *via)
{
    const rref *sr = &R->r[s];
    uint32_t seen[DATED_PC_PEOPLE], cand = UINT32_MAX;
    int ns = 0;
    size_t lo, hi = hh_range(px, sr->epc, &lo);
    if (hi - lo > DATED_PC_REFS)
        return UINT32_MAX;
    for (size_t e = lo; e < hi; e++) {
        uint32_t u = (uint32_t)px->k[e], r;
        if (!R->r[u].addr && !R->r[u].npc)
            continue; /* there by its event's postcode: not a member */
        /* someone not in scope who could fit: not decided here; who could
         * not is the person it was (counted by its old identity) */
        if (in && !in[u] && hh_could_fit(R, s, u, lc)) {
            *need = true;
            return UINT32_MAX;
        }
        bool out = in && !in[u];
        if (!out && (r = find(c, u)) == rs_)
            continue;
        int fresh = seen_add(seen, &ns, DATED_PC_PEOPLE,
                            out ? 1u << 31 | (R->old_pid[u] ? R->old_pid[u] : u) : r);
        if (out && fresh >= 0)
            continue;
        if (fresh < 0)
            return UINT32_MAX; /* too many people */
        if (!fresh)
            continue;
        /* known in full, or by a first name or an age (a parent) */
        const cl *x = cs(c, r);
        bool full = x->full || (x->named && sr->nfore && sr->nsur);
        if (!(full || x->nfn || x->nd || x->by_lo) ||
            !hh_member_fits(R, c, rs_, r, sr, dv, ndec, lc))
            continue;
        int where = dated_pc_where(R, c, r, sr);
        if (!where)
            continue; /* elsewhere then */
        if (!full || where < 0 || cand != UINT32_MAX)
            return UINT32_MAX; /* someone else who fits may have been there */
        cand = r;
        *via = u;
    }
    return cand;
}

static int64_t join_dated_pc(const rs *R, clw *c, const decision *dv, size_t ndec, lvcache *lc,
                             vec *notes, const hh_index *px, const uint8_t *in, bool *need)
{
    int64_t joined = 0;
    for (uint32_t s = 0; s < R->n; s++) {
        if (!dated_pc_eligible(R, s))
            continue;
        const rref *sr = &R->r[s];
        if (in && !in[s]) { /* an in-scope ref there then may change it */
            size_t lo, hi = hh_range(px, sr->epc, &lo);
            for (size_t e = lo; !*need && hi - lo <= DATED_PC_REFS && e < hi; e++)
                *need = in[(uint32_t)px->k[e]];
            continue;
        }
        uint32_t rs_ = find(c, s), via = 0;
        if (c->h[rs_].size > 1)
            continue; /* joined already */
        uint32_t cand = dated_pc_person(R, c, s, rs_, dv, ndec, lc, px, in, need, &via);
        if (cand == UINT32_MAX)
            continue;
        const cl *x = cs(c, cand); /* read after the merge (merge) */
        merge(c, rs_, cand);
        joined++;
        if (household_note(R, x, s, via, 1, 1, notes) < 0)
            return -1;
    }
    return joined;
}

/* An incremental run, its households decided: is there an out-of-scope
 * sparse ref whose decision may change (hh_touches_scope, reading the
 * clusters now of the members in scope)? */
static bool hh_outside_needs(const rs *R, clw *c, const hh_index *ax, const hh_index *px,
                             const uint8_t *in, lvcache *lc)
{
    for (uint32_t s = 0; s < R->n; s++)
        if (hh_eligible(R, s) && !in[s] && hh_touches_scope(R, s, ax, px, in, c, lc))
            return true;
    return false;
}

/* Sparse ref s's places (hh_keys) and, where it has none of its own, those
 * of the people named with it and of the person each of them is
 * (join_household); *need set where one of them is outside the scope. */
static void hh_ref_places(const rs *R, clw *c, uint32_t s, const uint8_t *in, bool *need,
                          uint32_t *ad, int *na, uint32_t *pc, int *np)
{
    hh_keys(R, s, ad, na, pc, np);
    if (R->r[s].addr || R->r[s].npc || !R->co_off)
        return;
    for (uint32_t e = R->co_off[s]; e < R->co_off[s + 1]; e++) {
        uint32_t t = R->co_to[e], rt = find(c, t), m = rt;
        int walked = 0;
        if (in && !in[t])
            *need = true;
        do
            hh_places(R, m, false, ad, na, pc, np);
        while ((m = c->h[m].next) != rt && ++walked < 32);
    }
}

/* Is member r among the n that did not fit the sparse ref (join_household)? */
static bool hh_not_fitted(const uint32_t *nofit, int n, uint32_t r)
{
    for (int k = 0; k < n; k++)
        if (nofit[k] == r)
            return true;
    return false;
}

/*
 * Returns the refs joined at their places (those joined through their
 * family, family_candidates, are counted in *family), or -1 without
 * memory. An incremental run (in
 * not NULL) joins only refs in scope; where a decision needs a ref outside
 * it (a member of an in-scope ref's household, or an out-of-scope sparse
 * ref whose household has a ref in scope), *need is set: the scope is not
 * closed and the run resolves everything instead.
 */
static int64_t join_household(const rs *R, clw *c, const decision *dv, size_t ndec, lvcache *lc,
                              vec *notes, const uint8_t *in, bool *need, int64_t *family,
                              bool memo, int64_t fits[2])
{
    hh_index ax = {0}, px = {0};
    uint8_t *done = calloc(R->n ? R->n : 1, 1);
    if (!done || hh_build(R, &ax, &px) < 0) {
        free(done);
        return -1;
    }
    int64_t joined = 0, bad = 0; /* bad: a note not logged (no memory) */
    /* Two rounds: the first joins some people's sparse refs (a caller "Funmi
     * Evans, 32" to Funmi, so that "Evans, F" named with her in the call fits
     * only her daughter, told apart by cannot-links); the second the rest. */
    for (uint32_t s = 0, round = 0; R->n && round < 2; s = s + 1 < R->n ? s + 1 : (round++, 0)) {
        const rref *sr = &R->r[s];
        if (!hh_eligible(R, s) || done[s])
            continue; /* too little to tell the household's members apart */
        if (in && !in[s])
            continue; /* its household is checked below */
        uint32_t rs_ = find(c, s);
        if (cs(c, rs_)->full)
            continue;
        uint32_t ad[HH_KEYS], pc[HH_KEYS];
        int na = 0, np = 0;
        bool own = sr->addr || sr->npc;
        hh_ref_places(R, c, s, in, need, ad, &na, pc, &np);
        uint32_t cand[HH_CAND], via[HH_CAND], by[HH_CAND];
        /* members that did not fit s, not asked again at their other refs
         * here (nothing merges meanwhile: hh_member_fits answers the same) */
        uint32_t nofit[HH_NOFIT];
        int nc = 0, nn = 0;
        bool over = false;
        for (int side = 0; side < 2 && !over; side++) {
            const hh_index *x = side ? &px : &ax;
            int nk = side ? np : na;
            for (int q = 0; q < nk && !over; q++) {
                size_t lo, hi = hh_range(x, side ? pc[q] : ad[q], &lo);
                if (hi - lo > HH_MEMBERS)
                    continue; /* a block of flats or a shared postcode: too many */
                for (size_t e = lo; e < hi && !over; e++) {
                    uint32_t u = (uint32_t)x->k[e], r = find(c, u);
                    /* by postcode only where one side has no address */
                    if (side && R->r[u].addr && na && sr->addr)
                        continue;
                    if (!R->r[u].addr && !R->r[u].npc)
                        continue; /* there by its event's postcode: not a member */
                    if (in && !in[u]) {
                        *need |= hh_could_fit(R, s, u, lc);
                        continue;
                    }
                    /* a member known in full, or by both names where the ref
                     * carries both (a parent whose records hold no date) */
                    if (r == rs_ || !(cs(c, r)->full || (cs(c, r)->named && sr->nfore && sr->nsur)))
                        continue;
                    int k = 0;
                    while (k < nc && cand[k] != r)
                        k++;
                    if (k < nc)
                        continue;
                    bool again = hh_not_fitted(nofit, nn, r);
                    fits[again]++;
                    if (again)
                        continue;
                    if (!hh_member_fits(R, c, rs_, r, sr, dv, ndec, lc)) {
                        if (memo && nn < HH_NOFIT)
                            nofit[nn++] = r;
                        continue;
                    }
                    if (nc == HH_CAND) {
                        over = true;
                        break;
                    }
                    /* by: 1 where the place is where its event happened */
                    by[nc] = !own && side && pc[q] == sr->epc;
                    via[nc] = u;
                    cand[nc++] = r;
                }
            }
        }
        bool fam = !over && !nc && R->co_off && fam_eligible(R, s) &&
                   family_candidates(R, c, s, rs_, dv, ndec, lc, cand, via, by, &nc, in, need);
        if (!over && nc > 1)
            nc = hh_narrow(R, c, sr, cand, via, by, nc);
        if (over || nc != 1)
            continue;
        const cl *x = cs(c, cand[0]); /* read after the merge (merge) */
        merge(c, rs_, cand[0]);
        done[s] = 1;
        *(fam ? family : &joined) += 1;
        bad |= household_note(R, x, s, via[0], fam ? 2 : own ? 0 : 1, by[0], notes) < 0;
    }
    *need = *need || (in && hh_outside_needs(R, c, &ax, &px, in, lc));
    int64_t dated = bad ? -1 : join_dated(R, c, dv, ndec, notes, &ax, &px, in, need);
    int64_t dpc = dated < 0 ? -1 : join_dated_pc(R, c, dv, ndec, lc, notes, &px, in, need);
    free(done);
    free(ax.k);
    free(px.k);
    return dpc < 0 ? -1 : joined + dated + dpc;
}

/* A link above the threshold: 16 bytes (24 with the tier a byte of its
 * own: 58M links at 10M events), so refs are below 2^31 (run_load). */
typedef struct match_link {
    uint32_t a;
    uint32_t b : 31;
    uint32_t tier : 1; /* 0: first names the same (or one missing), 1: not */
    double w;
} match_link;
_Static_assert(sizeof(match_link) == 16, "a link is 16 bytes");

/* Deferred link x: link x >> 1, its sparse ref b when x & 1, else a. */
static deferred def_at(const match_link *lv, uint32_t x)
{
    const match_link *l = &lv[x >> 1];
    return x & 1 ? (deferred){l->b, l->a, l->w} : (deferred){l->a, l->b, l->w};
}

/* One sparse ref's deferred links, in order of weight (the heaviest
 * first), then of the other ref. */
typedef struct def_key {
    double w;
    uint32_t o, x;
} def_key;

static int cmp_def_key(const void *p, const void *q)
{
    const def_key *x = p, *y = q;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    if (x->o != y->o)
        return x->o < y->o ? -1 : 1;
    return (x->x > y->x) - (x->x < y->x);
}

/*
 * The deferred links (d, def_at's indices) in join_sparse's order: by
 * sparse ref, each ref's in order of weight (the heaviest first) and then
 * of the other ref. A counting sort by ref into a second array (4 bytes an
 * entry and 4 a ref), then each ref's few sorted; before, a qsort of the
 * 16-byte records themselves. The counts are 4 bytes: d holds each
 * link's side at most once and run_cluster takes at most INT32_MAX links,
 * so d->n <= UINT32_MAX - 1; over UINT32_MAX entries (a caller without
 * that guard) is JD_ELIMIT, not a count that wraps (review-a). JD_OK,
 * JD_ELIMIT or JD_ENOMEM (d as it was).
 */
static int sort_deferred(const match_link *lv, vec *d, uint32_t nrefs)
{
    if (d->n > UINT32_MAX)
        return JD_ELIMIT;
    uint32_t *in = d->p, *out = malloc((d->n ? d->n : 1) * sizeof *out);
    uint32_t *end = calloc((size_t)nrefs + 1, sizeof *end);
    vec g = {.sz = sizeof(def_key)};
    int rc = out && end ? JD_OK : JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < d->n; i++)
        end[def_at(lv, in[i]).s + 1]++;
    for (uint32_t r = 0; rc == JD_OK && r < nrefs; r++)
        end[r + 1] += end[r];
    for (size_t i = 0; rc == JD_OK && i < d->n; i++) /* end[s] moves to its end */
        out[end[def_at(lv, in[i]).s]++] = in[i];
    for (uint32_t r = 0; rc == JD_OK && r < nrefs; r++) {
        uint32_t lo = r ? end[r - 1] : 0, hi = end[r];
        if (hi - lo < 2)
            continue;
        g.n = 0;
        if ((rc = vec_reserve(&g, hi - lo)) != JD_OK)
            break;
        def_key *k = g.p;
        for (uint32_t i = lo; i < hi; i++) {
            deferred df = def_at(lv, out[i]);
            k[i - lo] = (def_key){df.w, df.o, out[i]};
        }
        qsort(k, hi - lo, sizeof *k, cmp_def_key);
        for (uint32_t i = lo; i < hi; i++)
            out[i] = k[i - lo].x;
    }
    free(g.p);
    free(end);
    if (rc != JD_OK) {
        free(out);
        return rc;
    }
    free(d->p);
    d->p = out;
    d->cap = d->n;
    return JD_OK;
}

/* Links in tiers, each in order of weight: first names that agree
 * exactly (or are missing on one side) first, so that each person's own
 * records have come together, and their first names settled, before a
 * link between similar names (Jack and Jake, a twin's) is weighed. */
static int cmp_link(const void *p, const void *q)
{
    const match_link *x = p, *y = q;
    if (x->tier != y->tier)
        return x->tier < y->tier ? -1 : 1;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

/* ---- scoring, in parallel ---- */

/* One thread's share of the candidate pairs: a contiguous range, scored
 * against the read-only model; links above the threshold go to its own
 * vector, so threads never share a write. */
typedef struct score_job {
    const rs *R;
    const uint64_t *pp;
    size_t lo, hi;
    double threshold;
    vec links;
    int rc;
    double maxw[NF];  /* the best weight each field can add (0 when missing) */
    double need;      /* total weight at which a pair reaches the threshold */
    lvcache *cache;   /* the level cache to use (kept warm across calls), NULL: its own */
    int64_t skipped;  /* pairs that could not reach it on their cheap fields */
    int64_t name_cut; /* nor once the forename, or both names, were compared */
} score_job;

/*
 * Score a pair unless it cannot reach the threshold; false when it cannot.
 * The cheap fields are compared first and the expensive ones (names,
 * address, other id) bounded by the best weight they could add; then each
 * name, once compared, replaces its bound by its weight. Exact, not a
 * heuristic: a pair refused here would have been scored below the
 * threshold, so the links are unchanged. A pair with the same strong
 * identifier is never refused (it is decisive whatever the rest). A field
 * one of the two refs lacks adds exactly nothing (level_weight of -1), so
 * its bound is 0 for that pair and not the field's best weight: at 10M
 * events, most refs carry no other identifier.
 */
static bool score_bounded(score_job *j, const rview *a, const rview *b, pair_score *ps, lvcache *c)
{
    const rs *R = j->R;
    int *lv = ps->lv;
    double *w = ps->w;
    ps->strong = strong(a, b);
    const bool bounded = ps->strong <= 0;
    /* the best each expensive field can add to this pair (bound_weights) */
    const double best_fore = a->nfore && b->nfore ? j->maxw[F_FORE] : 0,
                 best_sur = a->nsur && b->nsur ? j->maxw[F_SUR] : 0,
                 best_addr = a->addr && b->addr ? j->maxw[F_ADDR] : 0,
                 rest = (a->other && b->other ? j->maxw[F_OTHER] : 0) + best_addr,
                 need = j->need - 1e-6;
    compare_cheap(a, b, lv);
    double t = R->md.prior + (ps->strong < 0 ? -30 : 0);
    for (int f = F_DOB; f <= F_GENDER; f++) { /* dob, postcode, phone, gender */
        w[f] = level_weight(&R->md, f, lv[f]);
        t += w[f];
    }
    if (bounded && t + (best_fore + best_sur + rest) < need) {
        j->skipped++;
        return false;
    }
    lv[F_FORE] = name_level(R, a->fore, a->nfore, b->fore, b->nfore, true, c);
    bool swapped = swapped_names(R, a, b, lv[F_FORE], lv, c);
    w[F_FORE] = field_weight(R, F_FORE, lv[F_FORE], a, b);
    t += w[F_FORE];
    if (bounded && t + (best_sur + rest) < need) {
        j->name_cut++;
        return false;
    }
    if (!swapped)
        lv[F_SUR] = name_level(R, a->sur, a->nsur, b->sur, b->nsur, false, c);
    w[F_SUR] = field_weight(R, F_SUR, lv[F_SUR], a, b);
    t += w[F_SUR];
    if (bounded && t + rest < need) {
        j->name_cut++;
        return false;
    }
    lv[F_OTHER] = other_level(R, a, b);
    w[F_OTHER] = level_weight(&R->md, F_OTHER, lv[F_OTHER]);
    if (bounded && t + w[F_OTHER] + best_addr < need) { /* the address cannot help */
        j->name_cut++;
        return false;
    }
    lv[F_ADDR] = addr_level(R, a, b, c);
    w[F_ADDR] = level_weight(&R->md, F_ADDR, lv[F_ADDR]);
    sum_score(R, ps); /* the names' weights are not taken twice */
    return true;
}

static void bound_weights(score_job *j)
{
    const model *md = &j->R->md;
    for (int f = 0; f < NF; f++) {
        double best = 0; /* a missing field adds nothing */
        for (int l = 0; l < nlevels[f]; l++) {
            double w = level_weight(md, f, l);
            best = w > best ? w : best;
        }
        if (f == F_FORE || f == F_SUR) {
            double exact = level_weight(md, f, nlevels[f] - 1) + 2; /* tf_weight's cap */
            best = exact > best ? exact : best;
        }
        j->maxw[f] = best;
    }
    j->need = log2(j->threshold / (1 - j->threshold));
}

/*
 * Fetch early the level-cache sets that the pair of hot records a and b
 * will read (their first forenames, surnames and addresses) and the entry
 * of b's first forename, so that the misses overlap the work on the pairs
 * before it. A hint: the levels are the same without it.
 */
static inline void prefetch_levels(const rs *R, const lvcache *c, const hot *a, const hot *b)
{
    if (!c || a->spill || b->spill)
        return;
    const uint32_t *x = a->v, *y = b->v;
    const uint8_t *ea = a->end, *eb = b->end;
    if (eb[HF_FORE]) /* its forename's entry (name_surely_diff) */
        phon_prefetch(R, y[0]);
    if (ea[HF_FORE] && eb[HF_FORE] && x[0] != y[0])
        __builtin_prefetch(&c->set[LVC_NAME_FORE][lvc_slot(x[0], y[0])]);
    if (ea[HF_SUR] > ea[HF_FORE] && eb[HF_SUR] > eb[HF_FORE] && x[ea[HF_FORE]] != y[eb[HF_FORE]])
        __builtin_prefetch(&c->set[LVC_NAME_SUR][lvc_slot(x[ea[HF_FORE]], y[eb[HF_FORE]])]);
    if (ea[HF_ADDR] > ea[HF_OTHER] && eb[HF_ADDR] > eb[HF_OTHER] &&
        x[ea[HF_OTHER]] != y[eb[HF_OTHER]])
        __builtin_prefetch(&c->set[LVC_ADDR][lvc_slot(x[ea[HF_OTHER]], y[eb[HF_OTHER]])]);
}

static void *score_range(void *arg)
{
    score_job *j = arg;
    /* without a cache scoring is only slower */
    lvcache *c = j->cache ? j->cache : huge_calloc(sizeof *c);
    const hot *h = j->R->h;
    enum { AHEAD = 12 }; /* pairs ahead whose second ref is fetched early */
    rview va, vb;
    uint32_t last_a = UINT32_MAX;
    for (size_t i = j->lo; i < j->hi; i++) {
        if (i + AHEAD < j->hi)
            __builtin_prefetch(&h[j->pp[i + AHEAD] & 0xffffffffu]);
        if (i + AHEAD / 2 < j->hi) /* its second ref fetched AHEAD / 2 pairs ago */
            prefetch_levels(j->R, c, &h[j->pp[i + AHEAD / 2] >> 32],
                            &h[j->pp[i + AHEAD / 2] & 0xffffffffu]);
        pair_score ps;
        uint32_t a = (uint32_t)(j->pp[i] >> 32), b = (uint32_t)(j->pp[i] & 0xffffffffu);
        if (a != last_a) { /* pairs come grouped by their first ref */
            view(j->R, &h[a], &va);
            last_a = a;
        }
        view(j->R, &h[b], &vb);
        if (!score_bounded(j, &va, &vb, &ps, c))
            continue;
        if (ps.prob < j->threshold)
            continue;
        match_link *l = vec_push(&j->links);
        if (!l) {
            j->rc = JD_ENOMEM;
            break;
        }
        assert(b < UINT32_C(1) << 31); /* run_load */
        *l = (match_link){.a = a,
                          .b = b,
                          .w = ps.total,
                          .tier = ps.lv[F_FORE] == L_EXACT || ps.lv[F_FORE] < 0 ? 0 : 1};
    }
    if (c != j->cache)
        free(c);
    return NULL;
}

/* Score every candidate pair with at most `threads` threads (1 to 8) and
 * append the links, in pair order, to `links`. The result is the same
 * whatever the number of threads. caches: one level cache per thread, kept
 * warm from one call to the next, or NULL (each thread its own). */
static int score_cached(const rs *R, const uint64_t *pp, size_t n, double threshold, int threads,
                        lvcache *const *caches, vec *links, jd_resolve_stats *st)
{
    enum { MIN_SHARE = 4096 };
    if ((size_t)threads > n / MIN_SHARE)
        threads = n / MIN_SHARE > 0 ? (int)(n / MIN_SHARE) : 1;
    st->threads = threads > st->threads ? threads : st->threads;
    score_job job[MAX_THREADS],
        base = {.R = R, .pp = pp, .threshold = threshold, .links = {.sz = sizeof(match_link)}};
    bound_weights(&base); /* the same for every share */
    vec *parts[MAX_THREADS] = {NULL};
    for (int t = 0; t < threads; t++) {
        job[t] = base;
        job[t].lo = share(n, t, threads);
        job[t].hi = share(n, t + 1, threads);
        job[t].cache = caches ? caches[t] : NULL;
        parts[t] = &job[t].links;
    }
    jd_run_jobs(score_range, job, sizeof *job, threads);
    int rc = JD_OK;
    for (int t = 0; t < threads; t++) {
        if (job[t].rc < 0)
            rc = job[t].rc;
        st->bounded_out += job[t].skipped;
        st->name_cut += job[t].name_cut;
        st->scored_pairs -= job[t].skipped + job[t].name_cut;
    }
    int crc = vec_concat(links, parts, threads);
    return rc < 0 ? rc : crc;
}

static int score_all(const rs *R, const uint64_t *pp, size_t n, double threshold, int threads,
                     vec *links, jd_resolve_stats *st)
{
    return score_cached(R, pp, n, threshold, threads, NULL, links, st);
}

/* ---- the run ---- */


static void rs_free(rs *R)
{
    pool_free(&R->names);
    pool_free(&R->ids);
    pool_free(&R->districts);
    free(R->r);
    free(R->var.key);
    free(R->var.grp);
    free(R->var.canon);
    free(R->ph.e);
    free(R->tf);
    free(R->fg);
    free(R->tfw);
    free(R->refkey);
    free(R->h);
    free(R->spill);
    free(R->refidx);
    free(R->nl_off);
    free(R->nl_to);
    free(R->co_off);
    free(R->sib);
    free(R->co_to);
    free(R->kept_fp);
}

/* Index (agency, person_ref) -> ref number, once every ref is loaded. */
static int index_refs(rs *R)
{
    size_t ns = 1024;
    while (ns < R->n * 2)
        ns *= 2;
    R->refkey = calloc(ns, sizeof *R->refkey);
    R->refidx = calloc(ns, sizeof *R->refidx);
    if (!R->refkey || !R->refidx)
        return JD_ENOMEM;
    R->nrefslots = ns;
    for (uint32_t i = 0; i < R->n; i++) {
        uint64_t k = ((uint64_t)R->r[i].agency << 32 | R->r[i].ref) + 1;
        size_t h = (size_t)(k * 0x9e3779b97f4a7c15ULL) & (ns - 1);
        while (R->refkey[h] && R->refkey[h] != k)
            h = (h + 1) & (ns - 1);
        R->refkey[h] = k;
        R->refidx[h] = i;
    }
    return JD_OK;
}

static int find_ref(const rs *R, const char *agency, const char *ref)
{
    uint32_t a = pool_find(&R->ids, agency, strlen(agency)),
             r = pool_find(&R->ids, ref, strlen(ref));
    if (!a || !r || !R->nrefslots)
        return -1;
    uint64_t k = ((uint64_t)a << 32 | r) + 1;
    size_t h = (size_t)(k * 0x9e3779b97f4a7c15ULL) & (R->nrefslots - 1);
    while (R->refkey[h]) {
        if (R->refkey[h] == k)
            return (int)R->refidx[h];
        h = (h + 1) & (R->nrefslots - 1);
    }
    return -1;
}

/* Each ref's postcodes taken apart: "OX4 1AB" is district "OX4" (interned,
 * so districts compare as integers) and sector '1'. A postcode without a
 * space has no district. */
static int postcode_parts(rs *R)
{
    char b[80];
    for (size_t i = 0; i < R->n; i++) {
        rref *r = &R->r[i];
        for (uint8_t p = 0; p < r->npc; p++) {
            const char *x = pool_str(&R->ids, r->pc[p]), *sp = strchr(x, ' ');
            r->pcd[p] = 0;
            r->pcs[p] = 0;
            if (!sp)
                continue;
            /* "D" + outward code: an empty outward code is a district too */
            size_t n = (size_t)(sp - x) + 1;
            char *k = n <= sizeof b ? b : malloc(n);
            if (!k)
                return JD_ENOMEM;
            k[0] = 'D';
            memcpy(k + 1, x, n - 1);
            r->pcd[p] = pool_add(&R->districts, k, n);
            if (k != b)
                free(k);
            if (!r->pcd[p])
                return JD_ENOMEM;
            r->pcs[p] = (uint8_t)sp[1];
        }
    }
    return JD_OK;
}

/* The hot records of all refs (see hot), on huge pages where possible. */
/*
 * The postcode of each address as the county writes it (households): a
 * call handler writes an address and no postcode, a GP a postcode and no
 * address, and the household of a ref takes its postcode only where one
 * side has no address. A ref with an address and no postcode takes the
 * postcode that most refs written with that address carry (apc), where
 * one postcode has more of them than any other; ties and addresses never
 * written with a postcode give none.
 */
static int address_postcodes(rs *R)
{
    size_t n = 0;
    for (uint32_t i = 0; i < R->n; i++)
        n += R->r[i].addr ? R->r[i].npc : 0;
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return JD_ENOMEM;
    n = 0;
    for (uint32_t i = 0; i < R->n; i++)
        for (uint8_t p = 0; R->r[i].addr && p < R->r[i].npc; p++)
            v[n++] = (uint64_t)R->r[i].addr << 32 | R->r[i].pc[p];
    if (jd_resolve__radix_sort_u64(v, n) < 0)
        qsort(v, n, sizeof *v, cmp_u64);
    /* v becomes (address << 32 | its postcode, 0 none), one per address */
    size_t out = 0;
    for (size_t a = 0, b; a < n; a = b) {
        uint32_t best = 0;
        size_t most = 0, runs = 0;
        for (b = a; b < n && v[b] >> 32 == v[a] >> 32; b += runs) {
            for (runs = 1; b + runs < n && v[b + runs] == v[b]; runs++)
                ;
            best = runs > most ? (uint32_t)v[b] : runs == most ? 0 : best;
            most = runs > most ? runs : most;
        }
        v[out++] = (v[a] >> 32) << 32 | best;
    }
    for (uint32_t i = 0; i < R->n; i++) {
        rref *r = &R->r[i];
        r->apc = 0;
        if (!r->addr || r->npc)
            continue;
        size_t lo = 0, hi = out;
        while (lo < hi) {
            size_t m = lo + (hi - lo) / 2;
            if (v[m] >> 32 < r->addr)
                lo = m + 1;
            else
                hi = m;
        }
        if (lo < out && v[lo] >> 32 == r->addr)
            r->apc = (uint32_t)v[lo];
    }
    free(v);
    return JD_OK;
}

static int build_hot(rs *R)
{
    R->h = huge_calloc((R->n ? R->n : 1) * sizeof *R->h);
    if (!R->h)
        return JD_ENOMEM;
    size_t spcap = 0;
    for (size_t i = 0; i < R->n; i++) {
        const rref *r = &R->r[i];
        hot *h = &R->h[i];
        uint32_t v[HOT_MAXV];
        uint8_t n = 0;
        const uint32_t ad[2] = {r->addr, r->addr2};
        const uint32_t *src[HF_N] = {r->fore,  r->sur, r->dob, r->pc,     r->pcd,
                                     r->phone, r->nhs, r->upn, &r->other, ad};
        const uint8_t cnt[HF_N] = {r->nfore,  r->nsur, r->ndob, r->npc,        r->npc,
                                   r->nphone, r->nnhs, r->nupn, r->other != 0,
                                   (uint8_t)((r->addr != 0) + (r->addr && r->addr2))};
        for (int f = 0; f < HF_N; f++) {
            memcpy(v + n, src[f], cnt[f] * sizeof *v);
            n = (uint8_t)(n + cnt[f]);
            h->end[f] = n;
        }
        memcpy(h->pcs, r->pcs, sizeof h->pcs);
        h->gender = r->gender;
        h->by_lo = r->by_lo;
        h->by_hi = r->by_hi;
        if (n <= HOT_V) {
            memcpy(h->v, v, n * sizeof *v);
            continue;
        }
        if (R->nspill == spcap) {
            size_t nc = spcap ? spcap * 2 : 1024;
            hot_spill *ns = realloc(R->spill, nc * sizeof *ns);
            if (!ns)
                return JD_ENOMEM;
            R->spill = ns;
            spcap = nc;
        }
        memcpy(R->spill[R->nspill].v, v, n * sizeof *v);
        h->spill = 1;
        h->v[0] = (uint32_t)R->nspill++;
    }
    return JD_OK;
}

/*
 * Cannot-links from shared events: two refs mentioned in one event with
 * different roles (the child and the parent reporting them), different
 * names, or a name on one and none on the other are two people. Mentions are sorted by event; each event's refs are
 * paired (an event naming more than EV_CAP people adds none: a meeting's
 * list of attendees says little about any two of them). The pairs become
 * per-ref lists (nl_off, nl_to), both directions. JD_OK or JD_ENOMEM.
 */
/* Per-ref lists from (a << 32 | b) pairs, both directions already in
 * `pairs`: sorted and de-duplicated in place, then *off[i] .. *off[i + 1]
 * index ref i's partners in *to. Returns the partners listed, or -1
 * without memory. */
static int64_t pair_lists(const rs *R, vec *pairs, uint32_t **off, uint32_t **to)
{
    uint64_t *pp = pairs->p;
    *off = calloc(R->n + 2, sizeof **off);
    if (!*off || jd_resolve__radix_sort_u64(pp, pairs->n) < 0)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < pairs->n; i++) /* de-duplicated in place */
        if (!n || pp[n - 1] != pp[i])
            pp[n++] = pp[i];
    *to = malloc((n ? n : 1) * sizeof **to);
    if (!*to)
        return -1;
    for (size_t i = 0; i < n; i++) {
        (*to)[i] = (uint32_t)pp[i];
        (*off)[(pp[i] >> 32) + 1]++;
    }
    for (size_t i = 0; i < R->n; i++)
        (*off)[i + 1] += (*off)[i];
    return (int64_t)n;
}

static int event_cannot_links(rs *R, vec *keys, vec *info)
{
    enum { EV_CAP = 32 };
    uint64_t *k = keys->p;
    const ev_mention *e = info->p;
    if (jd_resolve__radix_sort_u64(k, keys->n) < 0)
        return JD_ENOMEM;
    /* pairs: cannot-links; co: every two refs named in one event (the
     * households of join_household) */
    vec pairs = {.sz = sizeof(uint64_t)}, co = {.sz = sizeof(uint64_t)},
        sib = {.sz = sizeof(uint64_t)};
    for (size_t i = 0, j; i < keys->n; i = j) {
        j = i + 1;
        while (j < keys->n && k[j] >> 32 == k[i] >> 32)
            j++;
        if (j - i < 2 || j - i > EV_CAP)
            continue;
        for (size_t a = i; a < j; a++)
            for (size_t b = a + 1; b < j; b++) {
                const ev_mention *x = &e[(uint32_t)k[a]], *y = &e[(uint32_t)k[b]];
                if (x->ref == y->ref)
                    continue;
                uint64_t *p = vec_push(&co), *q = vec_push(&co);
                if (!p || !q)
                    goto nomem;
                *p = (uint64_t)x->ref << 32 | y->ref;
                *q = (uint64_t)y->ref << 32 | x->ref;
                if (x->fore && y->fore && x->fore != y->fore) {
                    uint64_t *f = vec_push(&sib);
                    if (!f)
                        goto nomem;
                    *f = x->fore < y->fore ? (uint64_t)x->fore << 32 | y->fore
                                           : (uint64_t)y->fore << 32 | x->fore;
                }
                /* two refs of one event are two people, whatever their
                 * roles and names: an event lists a person once ("Smith",
                 * M, 9, beside "Kwame Smith", 9, in one call; two rows
                 * "Umar" in one housing list, twins of one first name; two
                 * children with no name in one call). On the 1M-event
                 * county 1,437 such pairs have one role and the same
                 * names, none of them one person. */
                p = vec_push(&pairs);
                q = vec_push(&pairs);
                if (!p || !q)
                    goto nomem;
                *p = (uint64_t)x->ref << 32 | y->ref;
                *q = (uint64_t)y->ref << 32 | x->ref;
            }
    }
    int64_t n = pair_lists(R, &pairs, &R->nl_off, &R->nl_to);
    if (n < 0 || pair_lists(R, &co, &R->co_off, &R->co_to) < 0)
        goto nomem;
    R->st.event_cannot_links = n / 2;
    free(pairs.p);
    free(co.p);
    if (jd_resolve__radix_sort_u64(sib.p, sib.n) < 0) {
        free(sib.p);
        return JD_ENOMEM;
    }
    size_t u = 0;
    for (size_t i = 0; i < sib.n; i++)
        if (!u || ((uint64_t *)sib.p)[i] != ((uint64_t *)sib.p)[u - 1])
            ((uint64_t *)sib.p)[u++] = ((uint64_t *)sib.p)[i];
    R->sib = sib.p;
    R->nsib = u;
    R->side_by_side = u > 0;
    return JD_OK;
nomem:
    free(pairs.p);
    free(co.p);
    free(sib.p);
    return JD_ENOMEM;
}

/* Are refs a and b named as two people in one event? */
static bool event_apart(const rs *R, uint32_t a, uint32_t b)
{
    if (!R->nl_off)
        return false;
    for (uint32_t i = R->nl_off[a]; i < R->nl_off[a + 1]; i++)
        if (R->nl_to[i] == b)
            return true;
    return false;
}

/* The gender of each first name in the county: a name whose refs that
 * carry one gender (not both) are 8 or more and 95% one gender is that
 * gender's (Danielle F, Daniel M; Alex, Charlie, Jordan neither), unless
 * it is a surname on more than 1 in 20 of its uses (Owen, Thomas: "Owen
 * Ava" is Ava Owen, surname first). A gender written wrongly once does not
 * move it. Counted on the refs loaded (a full run); a frozen run reads the
 * full run's back (params_tf). */
static int name_genders(rs *R)
{
    enum { FG_MIN = 8 };
    uint16_t *n = calloc(3 * R->ntf, sizeof *n); /* F, M, as a surname; saturating */
    R->fg = calloc(R->ntf, 1);
    if (!n || !R->fg) {
        free(n);
        return JD_ENOMEM;
    }
    for (size_t i = 0; i < R->n; i++) {
        const rref *r = &R->r[i];
        for (uint8_t k = 0; (r->gmask == 1 || r->gmask == 2) && k < r->nfore; k++)
            if (n[3 * r->fore[k] + (r->gmask == 2)] < UINT16_MAX)
                n[3 * r->fore[k] + (r->gmask == 2)]++;
        for (uint8_t k = 0; k < r->nsur; k++)
            if (n[3 * r->sur[k] + 2] < UINT16_MAX)
                n[3 * r->sur[k] + 2]++;
    }
    for (size_t id = 0; id < R->ntf; id++) {
        uint32_t f = n[3 * id], m = n[3 * id + 1], sur = n[3 * id + 2];
        if (f + m >= FG_MIN && (f >= 19 * m || m >= 19 * f) && 19 * sur <= f + m)
            R->fg[id] = f > m ? 1 : 2;
    }
    free(n);
    return JD_OK;
}

/*
 * The load's second half (a store's mentions_halves): the mentions from a
 * ref's first one near the middle on, parsed on a thread of its own into an
 * rs of its own (pools, Double Metaphone codes, refs, event keys) while the
 * main thread parses the first half into R, then joined into R as one
 * thread reading every mention in order makes it. A pool's ids are offsets
 * in the order its strings were first added, and a string new to R's pool
 * at the join is one new to the half's pool first met in the same order:
 * the half's strings added to R's pool in the half's order take the ids a
 * single thread gives them, and the half's ids are mapped to those.
 */
typedef struct half_load {
    rs R;
    loader L;
    vec evk, evi;
} half_load;

/* A half's pool id mapped to R's (0 stays 0): map indexed by (id - 2) / 3
 * (a string takes 3 bytes of its pool at least). */
static inline uint32_t half_id(const uint32_t *map, uint32_t id)
{
    return id ? map[(id - 2) / 3] : 0;
}

/* Every string of src added to dst in src's order; the map of src's ids
 * to dst's (see half_id), NULL without memory. */
static uint32_t *pool_replay(pool *dst, const pool *src)
{
    uint32_t *map = calloc(src->len / 3 + 1, sizeof *map);
    for (size_t at = 0; map && at < src->len;) {
        uint32_t id = (uint32_t)at + 2;
        size_t n = pool_len(src, id);
        if (!(map[at / 3] = pool_add(dst, src->buf + at + 1, n))) {
            free(map);
            return NULL;
        }
        at += n + 2;
    }
    return map;
}

static void half_ids(uint32_t *v, uint8_t n, const uint32_t *map)
{
    for (uint8_t i = 0; i < n; i++)
        v[i] = half_id(map, v[i]);
}

/* The half's refs, codes and event keys joined into R (after R's own, read
 * from the mentions before the half's). JD_OK or JD_ENOMEM. */
static int half_join(rs *R, half_load *H, vec *evk, vec *evi)
{
    rs *B = &H->R;
    uint32_t *nm = pool_replay(&R->names, &B->names), *im = nm ? pool_replay(&R->ids, &B->ids) : NULL;
    int rc = im ? JD_OK : JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < B->ph.nslots; i++) {
        const phon_entry *e = &B->ph.e[i];
        uint32_t id = half_id(nm, e->key);
        phon_entry *t = e->key ? phon_slot(R, id) : NULL;
        if (e->key && !t)
            rc = JD_ENOMEM;
        else if (t && !t->key) {
            *t = *e;
            t->key = id;
            R->ph.count++;
        }
    }
    if (rc == JD_OK && R->n + B->n > R->cap) {
        rref *n = realloc(R->r, (R->n + B->n) * sizeof *n);
        if (n) {
            R->r = n;
            R->cap = R->n + B->n;
        } else {
            rc = JD_ENOMEM;
        }
    }
    size_t base = R->n;
    for (size_t i = 0; rc == JD_OK && i < B->n; i++) {
        rref *r = &R->r[R->n++];
        *r = B->r[i];
        r->agency = half_id(im, r->agency);
        r->ref = half_id(im, r->ref);
        half_ids(r->fore, r->nfore, nm);
        half_ids(r->sur, r->nsur, nm);
        half_ids(r->pc, r->npc, im);
        half_ids(r->phone, r->nphone, im);
        half_ids(r->nhs, r->nnhs, im);
        half_ids(r->upn, r->nupn, im);
        r->other = half_id(im, r->other);
        r->epc = half_id(im, r->epc);
        r->name = half_id(im, r->name);
        r->addr = half_id(nm, r->addr);
        r->addr2 = half_id(nm, r->addr2);
    }
    if (rc == JD_OK && (vec_reserve(evk, H->evk.n) != JD_OK || vec_reserve(evi, H->evi.n) != JD_OK))
        rc = JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < H->evk.n; i++) {
        uint64_t *k = vec_push(evk);
        ev_mention *e = vec_push(evi);
        *k = ((const uint64_t *)H->evk.p)[i] + R->nev;
        *e = ((const ev_mention *)H->evi.p)[i];
        e->ref += (uint32_t)base;
        e->role = half_id(im, e->role);
        e->fore = half_id(nm, e->fore);
        e->sur = half_id(nm, e->sur);
    }
    R->nev += B->nev;
    R->st.mentions += B->st.mentions;
    free(nm);
    free(im);
    return rc;
}

static void half_free(half_load *H)
{
    if (!H)
        return;
    pool_free(&H->R.names);
    pool_free(&H->R.ids);
    free(H->R.ph.e);
    free(H->R.r);
    free(H->L.memo[0]);
    free(H->L.amemo);
    free(H->evk.p);
    free(H->evi.p);
    free(H);
}

/* Every mention of s to on_mention through L (main's memos set), on two
 * threads when the store cuts them in two (see half_load). */
static int load_mentions(rs *R, jd_store *s, loader *L, vec *evk, vec *evi, jd_error *err)
{
    half_load *H = s->ops->mentions_halves ? calloc(1, sizeof *H) : NULL;
    if (!H)
        return s->ops->mentions(s, on_mention, L, err);
    H->L.R = &H->R;
    H->L.memo[0] = calloc((size_t)2 << NMEMO_BITS, sizeof(nmemo));
    H->L.memo[1] = H->L.memo[0] ? H->L.memo[0] + ((size_t)1 << NMEMO_BITS) : NULL;
    H->L.amemo = calloc((size_t)1 << AMEMO_BITS, sizeof(nmemo));
    H->evk = (vec){.sz = sizeof(uint64_t)};
    H->evi = (vec){.sz = sizeof(ev_mention)};
    H->R.ev_keys = &H->evk;
    H->R.ev_info = &H->evi;
    int rc = s->ops->mentions_halves(s, on_mention, L, &H->L, err);
    if (rc == JD_OK)
        rc = half_join(R, H, evk, evi);
    half_free(H);
    return rc;
}


/* ---- the refs kept between runs (the resident's, cut 1) ---- */

/* What on_mention pushed for one mention of a kept ref (its event's id,
 * role, first name and surname ids): the ref's share of the event keys. */
typedef struct kept_ev {
    uint32_t event, role, fore, sur;
} kept_ev;

/*
 * The refs a load built from the resident rows, as they stood once every
 * mention was read (before postcode_parts and the rest, which the next
 * load runs again over every ref): the records, the pools their ids are
 * offsets in, the Double Metaphone codes, and each ref's event entries.
 * A ref's record depends on its own rows and the pools only (the memos
 * are caches; its display name is its own mentions'), so a kept record
 * put in R beside refs built again is the one its rows would build, its
 * strings at the offsets they have in the pools kept. A string's offset
 * is not the one a load of everything gives it (new strings go to the
 * end), which nothing reads but as a name: results compare strings, not
 * offsets (best_old_id, mention_display_name, the notes) or use offsets
 * as keys only (tf, fg, level caches); params_json writes its names
 * sorted.
 */
struct jd_resolve__built {
    pool names, ids;
    phonmap ph;
    rref *r;
    size_t n;
    uint32_t *ev_off; /* ref k's entries: ev[ev_off[k] .. ev_off[k + 1]) */
    kept_ev *ev;
    int64_t *fp; /* each ref's fingerprint (ref_fp), NULL: not made yet */
    /* the tag of the load that built them (its rs's built_tag, given by
     * the resident that keeps them), until its fingerprints: 0 after. A
     * number, not the rs's address: a run that ended without them (a
     * failed fill) leaves a tag no later rs has, where an address could be
     * a later run's rs at the same place. */
    uint64_t tag;
};

void jd_resolve__built_free(jd_resolve__built *b)
{
    if (!b)
        return;
    pool_free(&b->names);
    pool_free(&b->ids);
    free(b->ph.e);
    free(b->r);
    free(b->ev_off);
    free(b->ev);
    free(b->fp);
    free(b);
}

/* The fingerprints of the refs R's load built and the resident keeps (a
 * copy of fp), when it still keeps them. */
static void built_fps(jd_resolve_resident *c, const rs *R, const int64_t *fp)
{
    jd_resolve__built *b = c ? jd_resolve__resident_built(c) : NULL;
    if (!b || !R->built_tag || b->tag != R->built_tag || b->fp || b->n != R->n)
        return;
    b->tag = 0;
    if ((b->fp = malloc((b->n ? b->n : 1) * sizeof *b->fp)) && b->n)
        memcpy(b->fp, fp, b->n * sizeof *b->fp);
}

/* A copy of src (its table and strings) into dst. JD_OK or JD_ENOMEM. */
static int pool_copy(pool *dst, const pool *src)
{
    memset(dst, 0, sizeof *dst);
    dst->buf = malloc(src->len ? src->len : 1);
    dst->slots = malloc((src->nslots ? src->nslots : 1) * sizeof *dst->slots);
    if (!dst->buf || !dst->slots) {
        pool_free(dst);
        return JD_ENOMEM;
    }
    if (src->len)
        memcpy(dst->buf, src->buf, src->len);
    if (src->nslots)
        memcpy(dst->slots, src->slots, src->nslots * sizeof *dst->slots);
    dst->len = src->len;
    dst->cap = src->len ? src->len : 1;
    dst->nslots = src->nslots;
    dst->count = src->count;
    return JD_OK;
}

/* The bytes b takes. */
static int64_t built_bytes(const jd_resolve__built *b)
{
    return b ? (int64_t)(b->names.len + b->ids.len +
                         (b->names.nslots + b->ids.nslots) * sizeof(uint32_t) +
                         b->ph.nslots * sizeof *b->ph.e + b->n * sizeof *b->r +
                         (b->n + 1) * sizeof *b->ev_off + b->ev_off[b->n] * sizeof *b->ev)
             : 0;
}

/* R's refs as loaded (the mention pass over, evk and evi its event keys
 * and entries) kept: NULL without memory. */
static jd_resolve__built *built_make(const rs *R, const vec *evk, const vec *evi)
{
    jd_resolve__built *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    size_t ne = evi->n;
    b->r = malloc((R->n ? R->n : 1) * sizeof *b->r);
    b->ev_off = calloc(R->n + 1, sizeof *b->ev_off);
    b->ev = malloc((ne ? ne : 1) * sizeof *b->ev);
    b->ph.e = malloc((R->ph.nslots ? R->ph.nslots : 1) * sizeof *b->ph.e);
    if (!b->r || !b->ev_off || !b->ev || !b->ph.e || ne >= UINT32_MAX ||
        pool_copy(&b->names, &R->names) < 0 || pool_copy(&b->ids, &R->ids) < 0) {
        jd_resolve__built_free(b);
        return NULL;
    }
    if (R->n)
        memcpy(b->r, R->r, R->n * sizeof *b->r);
    b->n = R->n;
    if (R->ph.nslots)
        memcpy(b->ph.e, R->ph.e, R->ph.nslots * sizeof *b->ph.e);
    b->ph.nslots = R->ph.nslots;
    b->ph.count = R->ph.count;
    const uint64_t *k = evk->p;
    const ev_mention *m = evi->p;
    for (size_t e = 0; e < ne; e++) { /* entries come ref by ref, in order */
        b->ev[e] = (kept_ev){(uint32_t)(k[e] >> 32), m[e].role, m[e].fore, m[e].sur};
        b->ev_off[m[e].ref + 1]++;
    }
    for (size_t i = 0; i < R->n; i++)
        b->ev_off[i + 1] += b->ev_off[i];
    return b;
}

/* The resident's load: the rows of refs whose rows did not change since
 * the kept refs (b) were built are not read again, their kept records
 * taken in their place. */
typedef struct kept_load {
    loader *L;
    jd_resolve_resident *c;
    jd_resolve__built *b; /* set before the first row (NULL: build every ref) */
    bool ready;           /* b checked, and its pools R's */
    bool lean;            /* the rows are the changed refs' only (b's others taken) */
    size_t k;             /* b's next ref */
    const char *agency, *ref; /* the current ref's (the row's strings) */
    bool kept;                /* the current ref's record taken from b */
    int64_t rebuilt;
    vec taken; /* (R's ref << 32 | b's) of each kept ref */
} kept_load;

/* Can b's pools be made R's? When R's names so far (the variants') are the
 * first of b's and R holds nothing else yet: the ids b's records hold are
 * then R's. */
static bool kept_fits(const rs *R, const jd_resolve__built *b)
{
    return !R->n && !R->nev && !R->ids.len && R->names.len <= b->names.len &&
           (!R->names.len || !memcmp(R->names.buf, b->names.buf, R->names.len)) &&
           R->ph.count <= b->ph.count;
}

/* b's pools made R's when it fits (kept_fits), else b dropped. */
static void kept_take(kept_load *K)
{
    rs *R = K->L->R;
    jd_resolve__built *b = K->b;
    K->ready = true;
    K->lean = jd_resolve__resident_is_lean(K->c);
    if (!b)
        return;
    if (!kept_fits(R, b)) {
        jd_resolve__built_free(b);
        K->b = NULL;
        return;
    }
    pool_free(&R->names);
    pool_free(&R->ids);
    free(R->ph.e);
    R->names = b->names;
    R->ids = b->ids;
    R->ph = b->ph;
    memset(&b->names, 0, sizeof b->names);
    memset(&b->ids, 0, sizeof b->ids);
    memset(&b->ph, 0, sizeof b->ph);
}

/* Kept ref k put in R, with its event entries. JD_OK or JD_ENOMEM. */
static int kept_ref(kept_load *K, size_t k)
{
    rs *R = K->L->R;
    const jd_resolve__built *b = K->b;
    rref *r = ref_push(R);
    if (!r)
        return JD_ENOMEM;
    *r = b->r[k];
    R->st.mentions += r->mentions;
    uint32_t i = (uint32_t)(R->n - 1);
    for (uint32_t e = b->ev_off[k]; e < b->ev_off[k + 1]; e++) {
        uint64_t *key = vec_push(R->ev_keys);
        ev_mention *x = vec_push(R->ev_info);
        if (!key || !x)
            return JD_ENOMEM;
        *key = (uint64_t)b->ev[e].event << 32 | R->nev++;
        *x = (ev_mention){i, b->ev[e].role, b->ev[e].fore, b->ev[e].sur};
    }
    return JD_OK;
}

static int kept_cmp(const rs *R, const rref *r, const char *agency, const char *ref)
{
    int c = strcmp(pool_str(&R->ids, r->agency), agency);
    return c ? c : strcmp(pool_str(&R->ids, r->ref), ref);
}

/* Lean: b's refs before (agency, ref) (every one left: agency NULL) put in
 * R, but those the store changed (their rows, if any, are given). */
static int kept_upto(kept_load *K, const char *agency, const char *ref)
{
    const jd_resolve__built *b = K->b;
    const rs *R = K->L->R;
    for (; K->k < b->n && (!agency || kept_cmp(R, &b->r[K->k], agency, ref) < 0); K->k++) {
        const rref *r = &b->r[K->k];
        if (jd_resolve__resident_changed(K->c, pool_str(&R->ids, r->agency),
                                         pool_str(&R->ids, r->ref)))
            continue;
        uint64_t *t = vec_push(&K->taken);
        if (!t || kept_ref(K, K->k) < 0)
            return JD_ENOMEM;
        *t = (uint64_t)(R->n - 1) << 32 | K->k;
    }
    return JD_OK;
}

static int on_kept_mention(const jd_mention_row *m, void *payload)
{
    kept_load *K = payload;
    if (!K->ready)
        kept_take(K);
    if (!K->agency || strcmp(m->person_ref, K->ref) || strcmp(m->agency, K->agency)) {
        K->agency = m->agency;
        K->ref = m->person_ref;
        K->kept = false;
        K->L->cur = NULL; /* a new ref; R's records may move (ref_push) */
        const jd_resolve__built *b = K->b;
        if (b && K->lean && kept_upto(K, m->agency, m->person_ref) < 0)
            return JD_ENOMEM;
        if (b && !K->lean && !jd_resolve__resident_changed(K->c, m->agency, m->person_ref)) {
            const rs *R = K->L->R;
            while (K->k < b->n && kept_cmp(R, &b->r[K->k], m->agency, m->person_ref) < 0)
                K->k++;
            K->kept = K->k < b->n && !kept_cmp(R, &b->r[K->k], m->agency, m->person_ref);
            uint64_t *t = K->kept ? vec_push(&K->taken) : NULL;
            if (K->kept && (!t || kept_ref(K, K->k) < 0))
                return JD_ENOMEM;
            if (t)
                *t = (uint64_t)(R->n - 1) << 32 | K->k++;
        }
        K->rebuilt += !K->kept;
    }
    return K->kept ? JD_OK : on_mention(m, K->L);
}

/* The resident's rows loaded into R through L (kept refs taken), and the
 * refs so built kept for the next load. */
static int load_resident(rs *R, jd_store *s, loader *L, jd_resolve_resident *res, vec *evk,
                         vec *evi, jd_error *err)
{
    kept_load K = {.L = L, .c = res, .taken = {.sz = sizeof(uint64_t)}};
    /* kept refs that cannot be taken dropped first (lean, the rows are then
     * read again) */
    jd_resolve__built *kb = jd_resolve__resident_built(res);
    if (kb && !kept_fits(R, kb))
        jd_resolve__resident_keep_built(res, NULL, jd_resolve__built_free);
    int rc = jd_resolve__resident_rows(res, s, on_kept_mention, &K, &K.b, err);
    if (!K.ready)
        kept_take(&K);
    if (rc == JD_OK && K.b && K.lean && kept_upto(&K, NULL, NULL) < 0)
        rc = JD_ENOMEM;
    /* the kept refs' fingerprints (fp_range), when known */
    if (rc == JD_OK && K.b && K.b->fp && (R->kept_fp = calloc(R->n ? R->n : 1, sizeof *R->kept_fp)))
        for (size_t t = 0; t < K.taken.n; t++) {
            uint64_t x = ((const uint64_t *)K.taken.p)[t];
            R->kept_fp[x >> 32] = K.b->fp[(uint32_t)x];
        }
    free(K.taken.p);
    int64_t rebuilt = K.b ? K.rebuilt : -1;
    jd_resolve__built_free(K.b); /* before the copy: not both at once */
    jd_resolve__built *nb = rc == JD_OK ? built_make(R, evk, evi) : NULL;
    uint64_t tag = jd_resolve__resident_keep_built(res, nb, jd_resolve__built_free);
    if (nb)
        nb->tag = R->built_tag = tag;
    jd_resolve__resident_built_note(res, rebuilt, built_bytes(nb), (int64_t)R->n);
    if (nb)
        jd_resolve__resident_lean(res, R->st.mentions);
    return rc;
}

/* Load mentions, variants and term frequencies: every mention, or (ag
 * set) those around the refs (ag[i], rf[i]) i < nrefs (mentions_around). */
static int prepare_from(rs *R, jd_store *s, const char *variants_file, const char *const *ag,
                        const char *const *rf, size_t nrefs, jd_resolve_resident *res,
                        jd_error *err)
{
    int rc = load_variants(R, jd_data_name_variants, jd_data_name_variants_len);
    if (rc == JD_OK && variants_file) {
        FILE *f = fopen(variants_file, "rb");
        if (!f)
            return jd_error_set_at(err, JD_EIO, variants_file, 0, 0, "cannot read variants");
        jd_buf b = JD_BUF_INIT(16u << 20);
        char chunk[4096];
        size_t got;
        while (rc == JD_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
            rc = jd_buf_add(&b, chunk, got);
        fclose(f);
        if (rc == JD_OK)
            rc = load_variants(R, jd_buf_cstr(&b), b.len);
        R->var_hash = jd_hash64(jd_buf_cstr(&b), b.len, 0x7661) | 1;
        jd_buf_dispose(&b);
    }
    if (rc == JD_ELIMIT)
        return jd_error_set(err, rc, "too many name variants (at most 8192 names in 65535 groups)");
    if (rc < 0)
        return jd_error_set(err, rc, "cannot load name variants");
    loader L = {.R = R};
    L.memo[0] = calloc((size_t)2 << NMEMO_BITS, sizeof(nmemo));
    L.memo[1] = L.memo[0] ? L.memo[0] + ((size_t)1 << NMEMO_BITS) : NULL;
    L.amemo = calloc((size_t)1 << AMEMO_BITS, sizeof(nmemo));
    vec evk = {.sz = sizeof(uint64_t)}, evi = {.sz = sizeof(ev_mention)};
    R->ev_keys = &evk;
    R->ev_info = &evi;
    rc = ag    ? s->ops->mentions_around(s, ag, rf, nrefs, on_mention, &L, err)
         : res ? load_resident(R, s, &L, res, &evk, &evi, err)
               : load_mentions(R, s, &L, &evk, &evi, err);
    free(L.memo[0]);
    free(L.amemo);
    R->ev_keys = R->ev_info = NULL;
    if (R->n && R->n < R->cap) { /* the records, held to the save, at their exact size */
        rref *r = realloc(R->r, R->n * sizeof *r);
        R->r = r ? r : R->r;
        R->cap = r ? R->n : R->cap;
    }
    if (rc == JD_OK && event_cannot_links(R, &evk, &evi) != JD_OK)
        rc = JD_ENOMEM;
    free(evk.p);
    free(evi.p);
    if (rc != JD_OK)
        return rc < 0 && rc != JD_ENOMEM ? rc : jd_oom(err);
    if (postcode_parts(R) != JD_OK || address_postcodes(R) != JD_OK)
        return jd_oom(err);
    /* Term frequencies, by name id: names are interned, so an array indexed
     * by pool offset is exact and lock-free to read while scoring. */
    R->ntf = R->names.len + 1;
    R->tf = calloc(R->ntf, sizeof *R->tf);
    if (!R->tf)
        return jd_oom(err);
    for (size_t i = 0; i < R->n; i++) {
        uint32_t ids[2 * NV];
        int n = 0;
        for (uint8_t k = 0; k < R->r[i].nfore; k++)
            ids[n++] = R->r[i].fore[k];
        for (uint8_t k = 0; k < R->r[i].nsur; k++)
            ids[n++] = R->r[i].sur[k];
        for (int k = 0; k < n; k++)
            R->tf[ids[k]]++;
    }
    if (name_genders(R) != JD_OK || build_hot(R) != JD_OK || index_refs(R) < 0)
        return jd_oom(err);
    R->st.refs = (int64_t)R->n;
    R->tf_n = R->n;
    return JD_OK;
}

static int prepare(rs *R, jd_store *s, const char *variants_file, jd_error *err)
{
    return prepare_from(R, s, variants_file, NULL, NULL, 0, NULL, err);
}

static int64_t *fps_of(const rs *R, int threads);

static int on_id_none(const jd_identity_row *r, void *payload)
{
    (void)r, (void)payload;
    return JD_OK;
}

/* The resident's rows read (a server's start), the refs built from them
 * now too (cut 1), so that the first run builds only the refs its feed
 * changed, and the stored identities read as of the generation taken
 * before them (a run that finds the generation moved reads them again). */
int jd_resolve_resident_fill(jd_resolve_resident *c, jd_store *s, jd_error *err)
{
    int rc = jd_resolve__resident_fill_rows(c, s, err);
    if (rc != JD_OK || !jd_resolve_resident_stats_of(c)->rows)
        return rc; /* nothing kept (a backend without the reads) */
    rs R;
    memset(&R, 0, sizeof R);
    rc = prepare_from(&R, s, NULL, NULL, NULL, 0, c, err);
    int64_t *fp = rc == JD_OK ? fps_of(&R, jd_thread_count(0)) : NULL;
    if (fp)
        built_fps(c, &R, fp);
    free(fp);
    rs_free(&R);
    int64_t gen = 0;
    if (rc == JD_OK && (rc = s->ops->identity_generation(s, &gen, err)) == JD_OK)
        rc = jd_resolve__resident_ids(c, s, gen, on_id_none, NULL, err);
    return rc;
}

typedef struct decisions_ctx {
    rs *R;
    vec *v;
} decisions_ctx;

static int on_decision(const jd_decision_row *d, void *payload)
{
    decisions_ctx *c = payload;
    int a = find_ref(c->R, d->agency_a, d->ref_a), b = find_ref(c->R, d->agency_b, d->ref_b);
    if (a < 0 || b < 0)
        return JD_OK;
    decision *x = vec_push(c->v);
    if (!x)
        return JD_ENOMEM;
    x->a = (uint32_t)a;
    x->b = (uint32_t)b;
    x->same = d->same;
    return JD_OK;
}

typedef struct old_ids {
    rs *R;
    uint32_t *pid; /* ref -> its person_id before this run (interned in R->ids), 0 none */
    int64_t *fp;   /* ref -> its fingerprint at that run (0 none); NULL: not read */
    uint32_t *nbr; /* ref -> its neighbours then (interned in R->ids), 0 none; NULL: not read */
    uint64_t *vk;  /* (person_id << 32 | ref), sorted (scope_walk); NULL: not made */
    long max_num;
} old_ids;

static int on_old(const jd_identity_row *r, void *payload)
{
    old_ids *o = payload;
    if (!r->person_id)
        return JD_OK;
    int i = find_ref(o->R, r->agency, r->person_ref);
    if (i >= 0) {
        o->pid[i] = pool_add(&o->R->ids, r->person_id, strlen(r->person_id));
        if (!o->pid[i])
            return JD_ENOMEM;
        if (o->fp)
            o->fp[i] = r->fp;
        if (o->nbr && r->nbr && *r->nbr &&
            !(o->nbr[i] = pool_add(&o->R->ids, r->nbr, strlen(r->nbr))))
            return JD_ENOMEM;
    }
    long n = (long)jd_resolve__person_num(r->person_id);
    if (n > o->max_num)
        o->max_num = n;
    return JD_OK;
}

static json_t *model_json(const model *md)
{
    json_t *fs = json_array();
    for (int f = 0; f < NF; f++) {
        json_t *m = json_array(), *u = json_array();
        for (int l = 0; l < nlevels[f]; l++) {
            json_array_append_new(m, json_real(md->m[f][l]));
            json_array_append_new(u, json_real(md->u[f][l]));
        }
        json_array_append_new(fs,
                              json_pack("{s:s,s:o,s:o}", "field", field_name[f], "m", m, "u", u));
    }
    return json_pack("{s:o,s:f,s:f}", "fields", fs, "lambda", md->lambda, "threshold",
                     md->threshold);
}

/* The model with the term frequencies it was estimated with: the refs
 * counted and each name two refs or more carry (a name not listed counts
 * as one), the first names' genders (fg: 1 F, 2 M) and whether the
 * county's events name people side by side (side_by_side). A frozen run
 * reads them back (params_tf). Keys sorted: the names' pool order is not
 * a fresh load's when the resident's kept refs were loaded. */
static char *params_json(const rs *R)
{
    json_t *o = model_json(&R->md), *tf = json_object(), *fg = json_object();
    for (size_t off = 0; tf && fg && off < R->names.len;) {
        const char *name = R->names.buf + off + 1;
        size_t id = off + 2, len = pool_len(&R->names, (uint32_t)id);
        if (id < R->ntf && R->tf[id] >= 2)
            json_object_set_new(tf, name, json_integer(R->tf[id]));
        if (id < R->ntf && R->fg && R->fg[id])
            json_object_set_new(fg, name, json_integer(R->fg[id]));
        off += len + 2;
    }
    json_object_set_new(o, "tf_refs", json_integer((json_int_t)R->tf_n));
    /* the identities' save stores the refs' household places (keys_household) */
    json_object_set_new(o, "places", json_true());
    json_object_set_new(o, "tf", tf);
    json_object_set_new(o, "fg", fg);
    json_object_set_new(o, "side_by_side", json_boolean(R->side_by_side));
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

/* Term frequencies as stored by params_json, for the names loaded now,
 * and the county's side_by_side (none stored, an older joindots: as
 * counted on the refs loaded). JD_EINVALID when the model holds no term
 * frequencies (saved by an older joindots) or a side_by_side not true or
 * false (damaged). */
static int params_tf(rs *R, const char *text)
{
    json_t *o = json_loads(text, 0, NULL), *tf = json_object_get(o, "tf");
    json_t *sbs = json_object_get(o, "side_by_side");
    json_int_t n = json_integer_value(json_object_get(o, "tf_refs"));
    if (!json_is_object(tf) || n <= 0 || (sbs && !json_is_boolean(sbs))) {
        json_decref(o);
        return JD_EINVALID;
    }
    for (size_t id = 0; id < R->ntf; id++)
        R->tf[id] = R->tf[id] ? 1 : 0;
    const char *name;
    json_t *v;
    json_object_foreach(tf, name, v)
    {
        uint32_t id = pool_find(&R->names, name, strlen(name));
        if (id && id < R->ntf)
            R->tf[id] = (uint32_t)json_integer_value(v);
    }
    if (R->fg) { /* none stored (an older joindots): no first name has a gender */
        memset(R->fg, 0, R->ntf);
        json_object_foreach(json_object_get(o, "fg"), name, v)
        {
            uint32_t id = pool_find(&R->names, name, strlen(name));
            json_int_t g = json_integer_value(v);
            if (id && id < R->ntf && (g == 1 || g == 2))
                R->fg[id] = (uint8_t)g;
        }
    }
    if (sbs)
        R->side_by_side = json_is_true(sbs);
    R->tf_n = (size_t)n;
    json_decref(o);
    return JD_OK;
}

static int model_from_json(model *md, const char *text)
{
    json_t *o = json_loads(text, 0, NULL);
    json_t *fs = json_object_get(o, "fields");
    if (!o || json_array_size(fs) != NF) {
        json_decref(o);
        return JD_EINVALID;
    }
    for (int f = 0; f < NF; f++) {
        /* a model saved with other levels (an older joindots) cannot be read */
        if (json_array_size(json_object_get(json_array_get(fs, f), "m")) != (size_t)nlevels[f]) {
            json_decref(o);
            return JD_EINVALID;
        }
    }
    for (int f = 0; f < NF; f++)
        for (int l = 0; l < nlevels[f]; l++) {
            md->m[f][l] =
                json_real_value(json_array_get(json_object_get(json_array_get(fs, f), "m"), l));
            md->u[f][l] =
                json_real_value(json_array_get(json_object_get(json_array_get(fs, f), "u"), l));
            if (md->m[f][l] <= 0 || md->u[f][l] <= 0) {
                json_decref(o);
                return JD_EINVALID;
            }
        }
    md->lambda = json_real_value(json_object_get(o, "lambda"));
    md->threshold = json_real_value(json_object_get(o, "threshold"));
    json_decref(o);
    return md->lambda > 0 && md->lambda < 1 ? JD_OK : JD_EINVALID;
}

/*
 * One resolve run, phase by phase: load the refs, block, estimate the
 * parameters (or take the stored ones), score the candidate pairs, cluster
 * them (confirmed pairs, links by weight with the cannot-links, the second
 * pass for sparse refs), give each cluster its person_id, its display
 * fields and notes, and save. jd_resolve runs them all; the incremental run
 * (incremental.c) reuses them.
 */
enum { TEST_EVERY_NOTE = 1, TEST_AHEAD_WAIT = 2, TEST_NO_FIT_MEMO = 4 }; /* run.test */
typedef struct run {
    rs R;
    jd_store *s;
    const jd_resolve_opts *o;
    int threads;
    vec pairs, links, decs;
    clw *c;
    /* once clustered (run_identities): each ref's root, u->c freed (at 1M,
     * 4 bytes a ref instead of 128 from the identities to the save) */
    uint32_t *root;
    vec notes; /* what clustering noted on the refs (note_op), in the order noted */
    /* a full run's identities' notes, made one at a time as the store
     * writes them (make_note) instead of all held: identity k's refs are
     * members[moff[k] .. moff[k + 1]), ref i's logged notes nidx[noff[i] ..
     * noff[i + 1]), rev[k] its review's mask (review); lazy: so kept */
    bool lazy;
    /* tests: TEST_EVERY_NOTE logs notes that cannot change a ref's
     * (note_room); TEST_AHEAD_WAIT waits for every link's checks made
     * ahead (cluster_links); TEST_NO_FIT_MEMO keeps no members that did
     * not fit (join_household) */
    int test;
    uint32_t *members, *moff, *noff, *nidx;
    uint8_t *rev;
    jd_buf nbuf;
    old_ids old;
    /* an incremental run: the store's identity generation it starts from
     * (ids_gen: the run whose identities it reads; those kept by
     * o->resident are used when they are of it, load_old) */
    int64_t ids_gen;
    bool ids_gen_known;
    char **ids;              /* root -> person_id (malloc'd) */
    jd_identity_save *saves; /* one per ref */
    jd_identity_info *info;  /* one per identity, in the order of their first refs */
    size_t ninfo;
    char *model_json;
    /* incremental runs: the refs re-resolved (in the components the changed
     * refs touch), NULL when all are; chg: refs whose fingerprint changed;
     * fp: each ref's fingerprint now */
    uint8_t *in, *chg;
    int64_t *fp;
    char **nbr; /* ref -> the other identities its links reach (saves[].nbr), NULL none */
    uint64_t *keys; /* the blocking keys saved (saves[].keys point into it) */
    bool decs_loaded;
    bool hh_need; /* a household decision needs a ref outside u->in (join_household) */
    bool places_kept; /* the stored model says the refs' places are stored (keys_household) */
    int64_t tally_n, tally_max; /* the store's identities before the run, highest "Pn" */
    /* an incremental run that resolves part of the county: the county's
     * blocking keys, sorted (the rules' first, bk_n11 of them, then rule
     * 11's), and rule 11's pairs, kept instead of every candidate pair; the
     * pairs a selection of refs needs are made from them (pairs_of) */
    kv *bk;
    size_t bk_n, bk_n11;
    vec bk_probe;
    /* the resident's kept keys, emptied once read: bk handed to them (not
     * copied: both at once were the run's peak) when the run is done with
     * it (keys_hand_over); bk_used: the kept ones were used */
    jd_resolve__kept_keys *bk_keep;
    bool bk_used;
    /* a full run on a store with keys_replace_early: ref_key written by a
     * thread of its own while clustering (early_keys); keys_open once its
     * transaction is open, until identities_replace ends it */
    bool early, keys_open;
    pthread_t keys_thread;
    bool keys_started;
    int keys_rc;
    jd_error keys_err;
} run;

static void run_init(run *u, jd_store *s, const jd_resolve_opts *o)
{
    memset(u, 0, sizeof *u);
    u->s = s;
    u->o = o;
    u->pairs.sz = sizeof(uint64_t);
    u->links.sz = sizeof(match_link);
    u->decs.sz = sizeof(decision);
    u->notes.sz = sizeof(note_op);
    u->bk_probe.sz = sizeof(uint64_t);
    u->threads = jd_thread_count(o->threads);
}

static void keys_hand_over(run *u);

static void run_free(run *u)
{
    keys_hand_over(u);
    free(u->model_json);
    for (size_t k = 0; u->info && k < u->ninfo; k++) {
        free((char *)u->info[k].dob);
        free((char *)u->info[k].note);
    }
    for (size_t i = 0; u->ids && i < u->R.n; i++)
        free(u->ids[i]);
    free(u->ids);
    free(u->notes.p);
    free(u->members);
    free(u->moff);
    free(u->noff);
    free(u->nidx);
    free(u->rev);
    jd_buf_dispose(&u->nbuf);
    clw_free(u->c);
    free(u->root);
    free(u->saves);
    free(u->info);
    free(u->pairs.p);
    free(u->links.p);
    free(u->decs.p);
    free(u->old.pid);
    free(u->old.fp);
    free(u->old.nbr);
    free(u->old.vk);
    for (size_t i = 0; u->nbr && i < u->R.n; i++)
        free(u->nbr[i]);
    free(u->nbr);
    free(u->keys);
    free(u->bk);
    free(u->bk_probe.p);
    free(u->in);
    free(u->chg);
    free(u->fp);
    free(u->R.over);
    rs_free(&u->R);
}

static int run_load(run *u, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    int rc = prepare_from(&u->R, u->s, u->o->variants, NULL, NULL, 0, u->o->resident, err);
    if (rc == JD_OK && u->R.n >= UINT32_C(1) << 31) /* match_link's 31 bits */
        rc = jd_error_set(err, JD_EINVALID, "more than 2^31 person_refs to resolve");
    u->R.st.seconds_load = jd_secs() - t;
    u->R.st.cpu_load = cpu_secs() - tc;
    return rc;
}

static int run_block(run *u, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    if (block(&u->R, &u->pairs, u->o->block_cap, u->threads) < 0)
        return jd_oom(err);
    u->R.st.candidate_pairs = (int64_t)u->pairs.n;
    u->R.st.seconds_block = jd_secs() - t;
    u->R.st.cpu_block = cpu_secs() - tc;
    return JD_OK;
}

/* The keys of the kept refs (to[ref] their number now, UINT32_MAX gone or
 * changed) and the new keys nw, both sorted by (key, ref), merged into out. */
static size_t keys_merge(const jd_resolve__kept_keys *kk, const uint32_t *to, const kv *nw,
                         size_t nn, kv *out)
{
    size_t m = 0, j = 0;
    for (size_t i = 0; i < kk->n; i++) {
        uint32_t r = to[kk->k[i].ref];
        if (r == UINT32_MAX)
            continue;
        kv x = {kk->k[i].key, r};
        while (j < nn && (nw[j].key < x.key || (nw[j].key == x.key && nw[j].ref < x.ref)))
            out[m++] = nw[j++];
        out[m++] = x;
    }
    while (j < nn)
        out[m++] = nw[j++];
    return m;
}

static bool same_file(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/*
 * Ref i's keys' check value: its fingerprint fp (the stored one, not
 * changed) and what the key makers (keys_range: keys_sound, keys_dates,
 * keys_place, keys_probe, keys_ids) read that the fingerprint does not
 * cover. The fingerprint sums each field, so it is blind to the order of
 * a ref's postcodes, and rule 9 (no date, no age) keys on the first one,
 * pc[0]: a mention's postcode corrected in place can leave the sum and
 * move pc[0]. Every other field the makers read is taken whole (every
 * value of it makes keys) and is in the sum. The variants file is checked
 * apart (its path and content, kk->var_hash). Never 0.
 */
static int64_t key_check_value(const rs *R, const int64_t *fp, uint32_t i)
{
    const rref *r = &R->r[i];
    uint64_t h = (uint64_t)fp[i];
    if (r->npc)
        h ^= jd_hash64(pool_str(&R->ids, r->pc[0]), pool_len(&R->ids, r->pc[0]), 0x6b70);
    return h ? (int64_t)h : 1;
}

/*
 * The county's sorted keys from the resident's kept ones (cut 3): a ref
 * found by its name whose keys' check value (key_check_value: its fingerprint
 * and its first postcode) is the one its keys were made with keeps them
 * (renumbered), every other ref's are made, and the two merged. A ref's
 * keys read only what its check value hashes and the variants file (same
 * path and content), so the result is keys_sorted's over every ref.
 * Returns 1 made so, 0 not (none kept, other variants, or the kept refs
 * not in the order of today's numbers: the merge would not be sorted), or
 * JD_ENOMEM.
 */
static int keys_from_kept(run *u, jd_resolve__kept_keys *kk, kv **out, size_t *nk)
{
    rs *R = &u->R;
    if (!kk->have || !same_file(kk->variants, u->o->variants) || kk->var_hash != R->var_hash ||
        !u->fp)
        return 0;
    uint32_t *to = malloc((kk->nrefs ? kk->nrefs : 1) * sizeof *to);
    uint8_t *dirty = malloc(R->n ? R->n : 1);
    if (!to || !dirty) {
        free(to);
        free(dirty);
        return JD_ENOMEM;
    }
    memset(dirty, 1, R->n);
    int64_t last = -1, kept = 0;
    for (uint32_t o = 0; o < kk->nrefs; o++) {
        const char *ag = kk->names + kk->at[o];
        int i = find_ref(R, ag, ag + strlen(ag) + 1);
        to[o] = UINT32_MAX;
        if (i < 0 || key_check_value(R, u->fp, (uint32_t)i) != kk->fp[o])
            continue;
        if (i <= last) { /* not in today's order */
            free(to);
            free(dirty);
            return 0;
        }
        last = i;
        to[o] = (uint32_t)i;
        dirty[i] = 0;
        kept++;
    }
    kv *nw = NULL, *k = NULL;
    size_t nn = 0, m = 0;
    int rc = keys_sorted(R, dirty, u->threads, &nw, &nn);
    for (size_t i = 0; rc == JD_OK && i < kk->n; i++)
        m += to[kk->k[i].ref] != UINT32_MAX;
    if (rc == JD_OK && !(k = malloc((m + nn ? m + nn : 1) * sizeof *k)))
        rc = JD_ENOMEM;
    if (rc == JD_OK)
        *nk = keys_merge(kk, to, nw, nn, k);
    free(nw);
    free(to);
    free(dirty);
    if (rc != JD_OK) {
        free(k);
        return JD_ENOMEM;
    }
    *out = k;
    R->st.incr_keys_kept = kept;
    return 1;
}

/* The county's sorted keys k[0..n) (kk's now, freed with them) kept in kk
 * for the next run, with each ref's keys' check value (key_check_value)
 * and name and the variants file's path and content hash; dropped when
 * memory runs short. */
static void keys_keep(const run *u, kv *k, size_t n, jd_resolve__kept_keys *kk)
{
    const rs *R = &u->R;
    jd_resolve__kept_keys_drop(kk);
    size_t len = 0;
    for (uint32_t i = 0; i < R->n; i++)
        len += pool_len(&R->ids, R->r[i].agency) + pool_len(&R->ids, R->r[i].ref) + 2;
    kk->k = k;
    kk->fp = malloc((R->n ? R->n : 1) * sizeof *kk->fp);
    kk->at = malloc((R->n ? R->n : 1) * sizeof *kk->at);
    kk->names = malloc(len ? len : 1);
    if (!kk->k || !kk->fp || !kk->at || !kk->names ||
        (u->o->variants && !(kk->variants = strdup(u->o->variants)))) {
        jd_resolve__kept_keys_drop(kk);
        return;
    }
    for (uint32_t i = 0; i < R->n; i++)
        kk->fp[i] = key_check_value(R, u->fp, i);
    kk->var_hash = R->var_hash;
    size_t at = 0;
    for (uint32_t i = 0; i < R->n; i++) {
        kk->at[i] = at;
        for (int f = 0; f < 2; f++) {
            uint32_t id = f ? R->r[i].ref : R->r[i].agency;
            size_t l = pool_len(&R->ids, id);
            memcpy(kk->names + at, pool_str(&R->ids, id), l);
            kk->names[at + l] = '\0';
            at += l + 1;
        }
    }
    kk->n = n;
    kk->nrefs = (uint32_t)R->n;
    kk->names_len = len;
    kk->have = true;
}

/* The run done with its keys (u->bk): the resident's kept keys made of
 * them (keys_keep), else freed. */
static void keys_hand_over(run *u)
{
    if (u->bk_keep && u->bk) {
        keys_keep(u, u->bk, u->bk_n, u->bk_keep);
        jd_resolve__resident_keys_note(u->o->resident, u->bk_used);
    } else
        free(u->bk);
    u->bk = NULL;
    u->bk_keep = NULL;
}

/* How many (key, ref) entries of k[0..n) differ from the county's keys made
 * again (the kept keys' check); -2 when memory runs short. When some
 * differ, the keys made again are handed over in *fresh (*nfresh). */
static int64_t keys_kept_missed(run *u, const kv *k, size_t n, kv **fresh, size_t *nfresh)
{
    kv *all = NULL;
    size_t na = 0;
    if (keys_sorted(&u->R, NULL, u->threads, &all, &na) < 0)
        return -2;
    int64_t missed = n > na ? (int64_t)(n - na) : (int64_t)(na - n);
    for (size_t i = 0; i < n && i < na; i++)
        missed += all[i].key != k[i].key || all[i].ref != k[i].ref;
    if (missed) {
        *fresh = all;
        *nfresh = na;
    } else
        free(all);
    return missed;
}

/*
 * An incremental run's blocking without its pairs: the county's keys
 * (block_keys: sorted, the blocks the changed refs pushed over the cap
 * marked, rule 11's pairs apart) kept in u->bk, and what block() counts of
 * them (each rule's proposals, the blocks over the cap). The pairs of the
 * changed refs and of the scope are made from them (pairs_of), so a small
 * scope no longer makes and sorts every candidate pair of the county.
 * Given the resident (o->resident), the keys of the refs whose keys' check
 * value did not change come from the last run's (keys_from_kept), and the
 * keys are kept for the next. Unless o->incr_no_checks, the kept keys are
 * checked against keys made afresh; when any differ (or the check ran out
 * of memory) the fresh keys are used and kept instead.
 */
static int run_block_keys(run *u, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs(), tchk = 0, tcchk = 0;
    rs *R = &u->R;
    int cap = u->o->block_cap;
    jd_resolve__kept_keys *kk = jd_resolve__resident_keys(u->o->resident);
    R->st.incr_keys_kept = R->st.incr_keys_kept_missed = -1;
    int got = kk ? keys_from_kept(u, kk, &u->bk, &u->bk_n) : 0;
    if (got < 0)
        return jd_oom(err);
    bool used = got > 0;
    if (got && u->o->incr_no_checks)
        R->st.incr_keys_kept_missed = -3;
    else if (got) { /* the check, timed apart from the blocking */
        double t0 = jd_secs(), tc0 = cpu_secs();
        kv *fresh = NULL;
        size_t nf = 0;
        int64_t missed = keys_kept_missed(u, u->bk, u->bk_n, &fresh, &nf);
        R->st.incr_keys_kept_missed = missed;
        if (missed) { /* wrong (or not checked): the keys made afresh */
            free(u->bk);
            u->bk = fresh;
            u->bk_n = nf;
            got = fresh != NULL;
            used = false;
        }
        tchk = jd_secs() - t0;
        tcchk = cpu_secs() - tc0;
    }
    if (got ? keys_finish(R, u->bk, u->bk_n, cap, &u->bk_n11, &u->bk_probe) < 0
            : block_keys(R, cap, u->threads, &u->bk, &u->bk_n, &u->bk_n11, &u->bk_probe) < 0)
        return jd_oom(err);
    if (kk) { /* read: kept again from u->bk once the run is done with it */
        jd_resolve__kept_keys_drop(kk);
        u->bk_keep = kk;
        u->bk_used = used;
    }
    const kv *k = u->bk;
    size_t c = (size_t)(cap > 0 ? cap : 0);
    for (size_t s = 0, e; s < u->bk_n11; s = e) { /* as pair_index_build counts them */
        for (e = s + 1; e < u->bk_n11 && k[e].key == k[s].key; e++)
            ;
        if (e - s > c)
            R->st.skipped_blocks++;
        else
            R->st.pairs_by_rule[k[s].key >> 60] += (int64_t)(e - s) * (int64_t)(e - s - 1) / 2;
    }
    R->st.seconds_block = jd_secs() - t - tchk;
    R->st.cpu_block = cpu_secs() - tc - tcchk;
    return JD_OK;
}

/* The parameters: estimated from the candidate pairs, or (frozen) those the
 * last full run stored; the threshold is always the caller's. */
static int run_estimate(run *u, bool frozen, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    if (frozen) {
        char *mj = NULL;
        int rc = u->s->ops->model_load(u->s, &mj, err);
        if (rc == JD_OK && !mj)
            rc = jd_error_set(err, JD_ENOTFOUND,
                              "no stored parameters yet: run joindots resolve first");
        if (rc == JD_OK &&
            (model_from_json(&u->R.md, mj) != JD_OK || params_tf(&u->R, mj) != JD_OK))
            rc = jd_error_set(err, JD_ESTORE,
                              "the stored parameters are damaged or from an older joindots: "
                              "run joindots resolve again");
        free(mj);
        if (rc < 0)
            return rc;
    }
    u->R.md.threshold = u->o->threshold;
    if (!frozen)
        estimate(&u->R, u->pairs.p, u->pairs.n, 0x5eed, u->o->em_iterations, u->threads);
    weights_ready(&u->R);
    u->R.st.seconds_estimate = jd_secs() - t;
    u->R.st.cpu_estimate = cpu_secs() - tc;
    return JD_OK;
}

static int run_score(run *u, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    u->R.st.scored_pairs = (int64_t)u->pairs.n;
    if (score_all(&u->R, u->pairs.p, u->pairs.n, u->o->threshold, u->threads, &u->links, &u->R.st) <
        0)
        return jd_oom(err);
    u->R.st.seconds_score = jd_secs() - t;
    u->R.st.cpu_score = cpu_secs() - tc;
    return JD_OK;
}

/* ---- what an incremental run re-resolves ---- */

static uint64_t fp_str(const pool *p, uint32_t id, uint64_t salt)
{
    if (!id)
        return 0;
    return jd_hash64(pool_str(p, id), pool_len(p, id), salt);
}

/*
 * Everything resolution reads of ref i, hashed: its names, dates, places,
 * phones and identifiers (each field a sum, so the order the mentions came
 * in does not count), its ages, genders and mentions, and the refs its
 * events name beside it (cannot-links, and households: join_household). A ref whose fingerprint is
 * not the one stored with its identity is re-resolved. Never 0.
 */
static int64_t ref_fp(const rs *R, uint32_t i)
{
    const rref *r = &R->r[i];
    uint64_t f[16] = {0};
    for (uint8_t k = 0; k < r->nfore; k++)
        f[0] += fp_str(&R->names, r->fore[k], 1);
    for (uint8_t k = 0; k < r->nsur; k++)
        f[1] += fp_str(&R->names, r->sur[k], 2);
    for (uint8_t k = 0; k < r->ndob; k++)
        f[2] += jd_hash64(&r->dob[k], sizeof r->dob[k], 3);
    for (uint8_t k = 0; k < r->npc; k++)
        f[3] += fp_str(&R->ids, r->pc[k], 4);
    for (uint8_t k = 0; k < r->nphone; k++)
        f[4] += fp_str(&R->ids, r->phone[k], 5);
    for (uint8_t k = 0; k < r->nnhs; k++)
        f[5] += fp_str(&R->ids, r->nhs[k], 6);
    for (uint8_t k = 0; k < r->nupn; k++)
        f[6] += fp_str(&R->ids, r->upn[k], 7);
    f[7] = fp_str(&R->ids, r->other, 8);
    f[8] = fp_str(&R->names, r->addr, 9) + 3 * fp_str(&R->names, r->addr2, 9);
    f[9] = fp_str(&R->ids, r->name, 10);
    f[10] = (uint64_t)(uint16_t)r->by_lo << 48 | (uint64_t)(uint16_t)r->by_hi << 32 |
            (uint64_t)(uint8_t)r->gender << 16 | (uint64_t)r->gmask << 8 | (uint64_t)r->child;
    f[11] = (uint64_t)r->ngen[0] << 48 | (uint64_t)r->ngen[1] << 32 | r->mentions;
    f[14] = (uint64_t)r->bd_lo << 32 | r->bd_hi;
    f[15] = r->addr || r->npc ? 0 : fp_str(&R->ids, r->epc, 15); /* hh_keys' place */
    f[15] += (uint64_t)(uint32_t)r->ad_from << 32 | (uint32_t)r->ad_to; /* join_dated */
    f[15] += ((uint64_t)(uint32_t)r->d_from << 32 | (uint32_t)r->d_to) * 3; /* join_dated_pc */
    for (uint32_t k = R->nl_off ? R->nl_off[i] : 0; R->nl_off && k < R->nl_off[i + 1]; k++) {
        const rref *o = &R->r[R->nl_to[k]];
        f[12] += fp_str(&R->ids, o->agency, 11) * 31 + fp_str(&R->ids, o->ref, 12);
    }
    for (uint32_t k = R->co_off ? R->co_off[i] : 0; R->co_off && k < R->co_off[i + 1]; k++) {
        const rref *o = &R->r[R->co_to[k]];
        f[13] += fp_str(&R->ids, o->agency, 13) * 31 + fp_str(&R->ids, o->ref, 14);
    }
    int64_t h = (int64_t)jd_hash64(f, sizeof f, 0x6670);
    return h ? h : 1;
}

typedef struct fp_job {
    const rs *R;
    int64_t *fp;
    uint32_t lo, hi;
} fp_job;
/* A kept ref's fingerprint is the one it had (R->kept_fp, see
 * built_make): its rows are the same, and so are its events' refs (an event
 * that gains or changes a mention makes refs_since list every ref it
 * names), which is all ref_fp reads. */
static void *fp_range(void *arg)
{
    fp_job *j = arg;
    const int64_t *kept = j->R->kept_fp;
    for (uint32_t i = j->lo; i < j->hi; i++)
        j->fp[i] = kept && kept[i] ? kept[i] : ref_fp(j->R, i);
    return NULL;
}

/* Every ref's fingerprint now, the refs shared among the threads (ref_fp
 * only reads); NULL without memory. */
static int64_t *fps_of(const rs *R, int threads)
{
    int64_t *fp = malloc((R->n ? R->n : 1) * sizeof *fp);
    if (!fp)
        return NULL;
    threads = threads > 0 && R->n >= 4096 ? threads : 1;
    fp_job job[MAX_THREADS];
    for (int t = 0; t < threads; t++)
        job[t] = (fp_job){R, fp, (uint32_t)share(R->n, t, threads),
                          (uint32_t)share(R->n, t + 1, threads)};
    jd_run_jobs(fp_range, job, sizeof *job, threads);
    return fp;
}

/* Every ref's fingerprint now (u->fp), and kept with the resident's refs
 * when this run's load built them (built_fps). */
static int fingerprints(run *u, jd_error *err)
{
    if (!(u->fp = fps_of(&u->R, u->threads)))
        return jd_oom(err);
    built_fps(u->o->resident, &u->R, u->fp);
    return JD_OK;
}

/* Links and decisions outside the refs re-resolved dropped: clustering is
 * local to a component of links and decisions, so the rest stands. */
static void keep_in_scope(run *u)
{
    match_link *lv = u->links.p;
    size_t n = 0;
    for (size_t i = 0; i < u->links.n; i++)
        if (u->in[lv[i].a] && u->in[lv[i].b])
            lv[n++] = lv[i];
    u->links.n = n;
    decision *dv = u->decs.p;
    n = 0;
    for (size_t i = 0; i < u->decs.n; i++)
        if (u->in[dv[i].a] && u->in[dv[i].b])
            dv[n++] = dv[i];
    u->decs.n = n;
}

/* Confirmed pairs first; "not the same person" still wins. */
static void merge_confirmed(rs *R, clw *c, const decision *dv, size_t nd)
{
    for (size_t i = 0; i < nd; i++) {
        if (!dv[i].same)
            continue;
        uint32_t x = find(c, dv[i].a), y = find(c, dv[i].b);
        if (x == y)
            continue;
        bool blocked = false;
        for (size_t k = 0; k < nd; k++) {
            if (dv[k].same)
                continue;
            uint32_t ra = find(c, dv[k].a), rb = find(c, dv[k].b);
            blocked |= (ra == x && rb == y) || (ra == y && rb == x);
        }
        if (!blocked) {
            merge(c, x, y);
            R->st.confirmed++;
        }
    }
}

/* A ref's note being made (note_text): note_add puts at most 511 bytes
 * after a note of at most 600, so NOTE_MAX holds the longest. */
enum { NOTE_MAX = 1200 };
typedef struct note_b {
    char t[NOTE_MAX];
    size_t n;  /* its bytes */
    bool have; /* a note, if empty: a next one comes after "; " */
} note_b;

/* The note becomes "note; text" (text alone when there is none), cut at
 * 511 bytes: what snprintf into 512 bytes made of the whole, without
 * copying the old note through printf for every link (0.8 s at 1M). */
static void note_cat(note_b *nb, const char *text, size_t t)
{
    enum { CAP = 511 };
    size_t on = nb->n < CAP ? nb->n : CAP, sep = nb->have ? 2 : 0;
    size_t sn = on + sep < CAP ? sep : CAP - on, tn = on + sn + t < CAP ? t : CAP - on - sn;
    memcpy(nb->t + on, "; ", sn);
    memcpy(nb->t + on + sn, text, tn);
    nb->n = on + sn + tn;
    nb->have = true;
}

/* Append `text` to a ref's note (notes are capped near 600 bytes: what
 * does not fit is left out). */
static void note_add(note_b *nb, const char *text, size_t t)
{
    if (nb->n > 600)
        return;
    if (nb->n)
        memcpy(nb->t + nb->n, "; ", 2), nb->n += 2;
    memcpy(nb->t + nb->n, text, t);
    nb->n += t;
    nb->have = true;
}

/*
 * Notes that cannot change a ref's note are not logged. note_text makes a
 * ref's note from its logged notes in order: the kept-apart and refused
 * links' (note_cat, all logged by cluster_links, before any other) stop at
 * 511 bytes, and nothing is added to a note over 600 bytes. least[ref] is
 * a lower bound of that note's bytes (each kind's shortest text, below;
 * note_text asserts it): a kept-apart or refused link once it reaches 511,
 * an unjoined link (note_unjoined, last) once it passes 600, would leave
 * the note as it is. At 10M events the unjoined links alone were 46M.
 */
static const uint16_t note_least[] = {[NOTE_POSSIBLE] = 154, [NOTE_REFUSED] = 61,
                                      [NOTE_UNJOINED] = 189};

/* Whether ref's note can still change by a note of this kind (least
 * NULL: always), counting it if so; *out counts the notes left out. */
static bool note_room(uint16_t *least, uint32_t ref, int kind, int64_t *out)
{
    if (!least)
        return true;
    if (kind == NOTE_UNJOINED ? least[ref] > 600 : least[ref] >= 511) {
        ++*out;
        return false;
    }
    unsigned v = least[ref] + note_least[kind];
    least[ref] = (uint16_t)(v < 1000 ? v : 1000);
    return true;
}

/* least[0..n) capped at 511 before the unjoined links are noted
 * (note_unjoined): note_cat's part of a note is at most 511 bytes. */
static void least_cap(uint16_t *least, size_t n)
{
    for (size_t i = 0; i < n; i++)
        least[i] = least[i] < 511 ? least[i] : 511;
}

/* A link kept apart for want of evidence (NOTE_POSSIBLE) or refused by a
 * cannot-link (NOTE_REFUSED, why: one of refusal_why), noted on both refs
 * (on each whose note it can change, note_room). */
static int note_link(vec *notes, uint16_t *least, int64_t *out, const match_link *l, int kind,
                     const char *why)
{
    uint32_t k = 0; /* a possible link (why NULL) logs 0 */
    while (why && k < WHY_N && refusal_why[k] != why)
        k++;
    assert(k < WHY_N); /* a why not from refusal_why is a bug */
    if (k >= WHY_N)
        return JD_ERROR;
    int rc = JD_OK;
    for (int side = 0; side < 2 && rc == JD_OK; side++)
        if (note_room(least, side ? l->b : l->a, kind, out))
            rc = note_log(notes, (note_op){.kind = (uint8_t)kind, .ref = side ? l->b : l->a,
                                           .other = side ? l->a : l->b, .u.w = l->w, .x = k});
    return rc;
}

/* The links in order of weight, each merged unless evidence is short (a
 * sparse ref's links wait in `defer` for join_sparse) or a cannot-link
 * refuses it. */
/* A link's weight as a key that sorts the heaviest first (0 and -0 one). */
static uint64_t link_w_key(double w)
{
    uint64_t u;
    double v = w == 0 ? 0.0 : w;
    memcpy(&u, &v, sizeof u);
    return ~(u >> 63 ? ~u : u | UINT64_C(1) << 63);
}
#define LINK_AB_KEY(x) ((uint64_t)(x).a << 32 | (x).b)
#define LINK_W_KEY(x) link_w_key((x).w)
#define LINK_TIER_KEY(x) ((uint64_t)(x).tier)
static int sort_links_ab(match_link *v, size_t n) RADIX16(match_link, LINK_AB_KEY)
static int sort_links_w(match_link *v, size_t n) RADIX16(match_link, LINK_W_KEY)
static int sort_links_tier(match_link *v, size_t n) RADIX16(match_link, LINK_TIER_KEY)

/* Links in cmp_link's order: stable radix sorts by its keys, the last
 * first (a third of clustering's time at 1M was qsort's). */
static void sort_links(match_link *v, size_t n)
{
    if (n < 1024 || sort_links_ab(v, n) != JD_OK || sort_links_w(v, n) != JD_OK ||
        sort_links_tier(v, n) != JD_OK)
        qsort(v, n, sizeof *v, cmp_link);
}

/* What join_sparse's order was made by before sort_deferred (a qsort of
 * 16-byte records): sparse ref, weight heaviest first, other ref. */
static int cmp_deferred(const void *p, const void *q)
{
    const deferred *x = p, *y = q;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return (x->o > y->o) - (x->o < y->o);
}

int64_t jd_resolve__check_deferred_sort(size_t n, uint32_t nrefs, uint64_t seed)
{
    match_link *lv = malloc((n ? n : 1) * sizeof *lv);
    deferred *want = malloc((2 * n + 1) * sizeof *want);
    vec d = {.sz = sizeof(uint32_t)};
    int64_t bad = lv && want && nrefs ? 0 : -1;
    static const double ws[] = {-0.0, 0.0, 3.5, -2.25, 17.125, 9.0};
    for (size_t i = 0; bad == 0 && i < n; i++) { /* few refs and weights: many ties */
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(seed >> 33);
        lv[i] = (match_link){
            .a = r % nrefs, .b = (r >> 7) % nrefs, .w = ws[(r >> 14) % 6], .tier = (r >> 20) & 1};
        for (uint32_t side = 0; side < 2; side++) /* a side of some links, both of others */
            if ((r >> (21 + side)) & 1 || side == ((r >> 23) & 1)) {
                uint32_t *x = vec_push(&d);
                if (!x) {
                    bad = -1;
                    break;
                }
                *x = (uint32_t)i << 1 | side;
                want[d.n - 1] = def_at(lv, *x);
            }
    }
    if (bad == 0 && d.n > 1)
        qsort(want, d.n, sizeof *want, cmp_deferred);
    if (bad == 0 && sort_deferred(lv, &d, nrefs) != JD_OK)
        bad = -1;
    for (size_t i = 0; bad >= 0 && i < d.n; i++) {
        deferred got = def_at(lv, ((uint32_t *)d.p)[i]);
        bad += got.s != want[i].s || got.o != want[i].o || got.w != want[i].w;
    }
    free(d.p);
    free(want);
    free(lv);
    return bad;
}

int64_t jd_resolve__check_link_sort(size_t n, uint64_t seed)
{
    match_link *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return -1;
    }
    static const double ws[] = {-0.0, 0.0, 3.5, -2.25, 17.125, 1e-300, -1e300, 9.0};
    for (size_t i = 0; i < n; i++) { /* few distinct values: many ties to break */
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(seed >> 33);
        x[i] = (match_link){r % 7 ? r % 97 : UINT32_MAX - r % 3, (r >> 8) % 89,
                            (r >> 20) % 3 ? ws[(r >> 16) % 8] + (r >> 20) % 3 : ws[(r >> 16) % 8],
                            (uint8_t)((r >> 24) & 1)};
    }
    memcpy(y, x, n * sizeof *x);
    sort_links(x, n);
    if (n > 1)
        qsort(y, n, sizeof *y, cmp_link);
    int64_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += x[i].a != y[i].a || x[i].b != y[i].b || cmp_link(&x[i], &y[i]) != 0;
    free(x);
    free(y);
    return bad;
}

/*
 * The checks of cluster_links that read R alone, of link l: enough
 * evidence, a sparse ref, and where there is evidence a direct link (dates
 * of birth and names, an identifier where events name people side by
 * side), an identifier in common, first names that differ, twins. The
 * cannot-links of the clusters (conflict) are not among them.
 */
enum { LP_EE = 1, LP_SPARSE = 2, LP_DIRECT = 4, LP_STRONG = 8, LP_FIRST = 16, LP_TWINS = 32,
       LP_READY = 128 };

static uint8_t link_checks(const rs *R, const match_link *l, lvcache *lc)
{
    uint32_t a = l->a, b = l->b;
    uint8_t f = LP_READY;
    f |= enough_evidence(R, a, b, lc) ? LP_EE : 0;
    f |= sparse_ref(R, a) || sparse_ref(R, b) ? LP_SPARSE : 0;
    if (!(f & LP_EE))
        return f; /* deferred or kept apart: nothing else is read */
    rview va, vb;
    view(R, &R->h[a], &va);
    view(R, &R->h[b], &vb);
    bool st = strong(&va, &vb) > 0;
    f |= st ? LP_STRONG : 0;
    f |= R->r[a].ndob && R->r[b].ndob && names_agree(R, a, b, lc) &&
                 (!R->side_by_side || st || other_level(R, &va, &vb) > 0)
             ? LP_DIRECT
             : 0;
    f |= first_names_differ(R, a, b, lc) ? LP_FIRST : 0;
    f |= twins_apart(R, a, b, lc) ? LP_TWINS : 0;
    return f;
}

/*
 * link_checks made ahead on a second thread (link_pre_job) while the main
 * thread walks the links in order, finds and merges (the second core is
 * otherwise idle there, or writing ref_key: early_keys). pre[i] is link
 * i's answers, LP_READY set once they are there (each byte stored with
 * release, read with acquire); the main thread takes them or, where the
 * thread has not reached link i, makes them itself, so it never waits. The
 * thread jumps LP_GAP links ahead of the main thread's position (at,
 * published every LP_STEP links) when passed. Same answers either way:
 * link_checks reads only R and the thread's own level cache. A test's
 * run (wait) publishes no position and waits for each answer instead, so
 * that every link clustered takes the thread's.
 */
enum { LP_GAP = 64, LP_STEP = 32 };
typedef struct link_pre {
    const rs *R;
    const match_link *lv;
    size_t nl;
    _Atomic uint8_t *pre;
    _Atomic size_t at;   /* the main thread's link */
    _Atomic bool stop;   /* the main thread is done */
    lvcache *lc;         /* the thread's own (NULL: only slower) */
    size_t made;         /* links the thread answered (its own until joined) */
} link_pre;

static void *link_pre_job(void *arg)
{
    link_pre *p = arg;
    for (size_t i = 0; i < p->nl && !atomic_load_explicit(&p->stop, memory_order_relaxed);
         i++) {
        size_t at = atomic_load_explicit(&p->at, memory_order_relaxed);
        if (i < at)
            i = at + LP_GAP; /* passed: ahead of it again */
        if (i >= p->nl)
            break;
        atomic_store_explicit(&p->pre[i], link_checks(p->R, &p->lv[i], p->lc),
                              memory_order_release);
        p->made++;
    }
    return NULL;
}

/* The links' checks ahead (link_pre) started on lv[0..nl), sorted: false
 * (checks all made here) without a thread, memory or links enough. */
static bool link_pre_start(link_pre *p, pthread_t *th, const rs *R, const match_link *lv,
                           size_t nl, int threads)
{
    *p = (link_pre){.R = R, .lv = lv, .nl = nl};
    if (threads < 2 || nl < 2 * LP_GAP)
        return false;
    p->pre = calloc(nl, sizeof *p->pre);
    p->lc = huge_calloc(sizeof *p->lc);
    if (p->pre && pthread_create(th, NULL, link_pre_job, p) == 0)
        return true;
    free((void *)p->pre);
    free(p->lc);
    p->pre = NULL;
    p->lc = NULL;
    return false;
}

/* Link l (index i) of cluster_links, its checks f (link_checks), between
 * clusters x and y: merged, deferred (a sparse ref), kept apart or
 * refused. JD_OK or JD_ENOMEM. */
static int cluster_link(rs *R, clw *c, const match_link *l, uint8_t f, uint32_t x, uint32_t y,
                        const decision *dv, size_t nd, vec *notes, uint16_t *least, vec *defer,
                        size_t i)
{
    if (!(f & LP_EE) && (f & LP_SPARSE)) {
        /* a sparse ref: the second pass decides (join_sparse) */
        for (uint32_t side = 0; side < 2; side++) {
            uint32_t *df = sparse_ref(R, side ? l->b : l->a) ? vec_push(defer) : NULL;
            if (df)
                *df = (uint32_t)i << 1 | side; /* def_at; nl < 2^31 (run_cluster) */
        }
        return JD_OK;
    }
    if (!(f & LP_EE)) {
        R->st.sparse_kept_apart++;
        return note_link(notes, least, &R->st.notes_left_out, l, NOTE_POSSIBLE, NULL) != JD_OK
                   ? JD_ENOMEM
                   : JD_OK;
    }
    int reason;
    const char *why = conflict(R, c, x, y, dv, nd, f & LP_DIRECT, f & LP_STRONG, &reason);
    if (!why && (f & LP_FIRST)) {
        reason = CL_NAME;
        why = refusal_why[WHY_FIRST_DIFF];
    }
    if (!why && (f & LP_TWINS)) {
        reason = CL_NAME;
        why = refusal_why[WHY_TWINS];
    }
    if (!why) {
        merge(c, x, y);
        R->st.links++;
        return JD_OK;
    }
    R->st.refused++;
    R->st.refused_by[reason]++;
    return note_link(notes, least, &R->st.notes_left_out, l, NOTE_REFUSED, why) != JD_OK
               ? JD_ENOMEM
               : JD_OK;
}

static int cluster_links(rs *R, clw *c, match_link *lv, size_t nl, const decision *dv, size_t nd,
                         lvcache *lc, vec *notes, uint16_t *least, vec *defer, int threads,
                         bool wait)
{
    if (nl > 1)
        sort_links(lv, nl);
    link_pre lp;
    pthread_t th;
    bool ahead = link_pre_start(&lp, &th, R, lv, nl, threads);
    int rc = JD_OK;
    size_t taken = 0;
    for (size_t i = 0; i < nl && rc == JD_OK; i++) {
        if (ahead && !wait && i % LP_STEP == 0)
            atomic_store_explicit(&lp.at, i, memory_order_relaxed);
        uint32_t x = find(c, lv[i].a), y = find(c, lv[i].b);
        if (x == y)
            continue;
        uint8_t f = ahead ? atomic_load_explicit(&lp.pre[i], memory_order_acquire) : 0;
        while (ahead && wait && !f) {
            sched_yield();
            f = atomic_load_explicit(&lp.pre[i], memory_order_acquire);
        }
        taken += f != 0;
        if (!f)
            f = link_checks(R, &lv[i], lc);
        rc = cluster_link(R, c, &lv[i], f, x, y, dv, nd, notes, least, defer, i);
    }
    if (ahead) {
        atomic_store_explicit(&lp.stop, true, memory_order_relaxed);
        pthread_join(th, NULL);
        R->st.links_pre_made = lp.made;
        R->st.links_pre_taken = taken;
        free((void *)lp.pre);
        free(lp.lc);
    }
    return rc;
}

/* The deferred links of sparse refs the second pass did not join, noted
 * (on each ref whose note they can change: least, note_room). */
static int note_unjoined(rs *R, clw *c, const match_link *lv, const uint32_t *dx, size_t n,
                         vec *notes, uint16_t *least)
{
    if (least)
        least_cap(least, R->n);
    for (size_t i = 0; i < n; i++) {
        const deferred d = def_at(lv, dx[i]), *df = &d;
        if (find(c, df->s) == find(c, df->o))
            continue;
        bool both = sparse_ref(R, df->o);
        R->st.sparse_kept_apart += !both || df->s < df->o;
        for (int side = 0; side < (both ? 1 : 2); side++)
            if (note_room(least, side ? df->o : df->s, NOTE_UNJOINED, &R->st.notes_left_out) &&
                note_log(notes, (note_op){.kind = NOTE_UNJOINED, .ref = side ? df->o : df->s,
                                          .other = side ? df->s : df->o, .u.w = df->w}) != JD_OK)
                return JD_ENOMEM;
    }
    return JD_OK;
}

/* "agency:ref" of ref i. */
static void nf_ref(const rs *R, nfmt *f, uint32_t i)
{
    nf_str(f, R->sv ? R->sv[i].agency : pool_str(&R->ids, R->r[i].agency));
    NF_LIT(f, ":");
    nf_str(f, R->sv ? R->sv[i].person_ref : pool_str(&R->ids, R->r[i].ref));
}

/* "%s:%s ... %s:%s" of the note's two refs, `mid` between them. */
static void nf_pair(const rs *R, nfmt *f, const note_op *o, const char *mid)
{
    nf_ref(R, f, o->ref);
    nf_str(f, mid);
    nf_ref(R, f, o->other);
}

size_t jd_resolve__note_fmt(char *buf, size_t cap, const char *s, double w, int64_t v, int width)
{
    nfmt f = {buf, 0, cap};
    nf_str(&f, s);
    nf_weight(&f, w);
    nf_num(&f, v, width);
    buf[f.n] = '\0';
    return f.n;
}

/* NOTE_FAMILY's text. */
static void note_family(const rs *R, const note_op *o, nfmt *f)
{
    nf_pair(R, f, o, " joined through ");
    NF_LIT(f, ": named in one event with ");
    nf_ref(R, f, o->u.f.by);
    NF_LIT(f, ", whose family (the people named with them in events) has one member whose "
              "names, gender and age fit (");
    nf_str(f, o->name_in == 1   ? pool_str(&R->ids, o->u.f.name)
              : o->name_in == 2 ? pool_str(&R->names, o->u.f.name)
                                : "no first name");
    if (o->has_dob) {
        NF_LIT(f, ", born ");
        nf_num(f, o->x / 10000, 4);
        NF_LIT(f, "-");
        nf_num(f, o->x / 100 % 100, 2);
        NF_LIT(f, "-");
        nf_num(f, o->x % 100, 2);
    }
    NF_LIT(f, ")");
}

/* One logged note as the text it stands for, into buf (n: the bytes the
 * note was always cut at; *len its length); whether it is appended by
 * note_cat (else note_add). */
static bool note_format(const rs *R, const note_op *o, char *buf, size_t n, size_t *len)
{
    nfmt f = {buf, 0, n};
    bool cat = false;
    switch (o->kind) {
    case NOTE_POSSIBLE: /* kept apart at clustering (note_cat); unjoined: by join_sparse */
    case NOTE_UNJOINED:
        NF_LIT(&f, "possible match: ");
        nf_pair(R, &f, o, " and ");
        NF_LIT(&f, " (match weight ");
        nf_weight(&f, o->u.w);
        NF_LIT(&f, ") kept apart, a sparse record needs an identifier, names and a date of "
                   "birth, or names, age and address in common");
        if (o->kind == NOTE_UNJOINED)
            NF_LIT(&f, ", or links that point to one person");
        cat = o->kind == NOTE_POSSIBLE;
        break;
    case NOTE_REFUSED:
        nf_pair(R, &f, o, " kept apart from ");
        NF_LIT(&f, " (match weight ");
        nf_weight(&f, o->u.w);
        NF_LIT(&f, "): ");
        nf_str(&f, refusal_why[o->x]);
        cat = true;
        break;
    case NOTE_SPARSE:
        nf_pair(R, &f, o, " joined through ");
        NF_LIT(&f, " (match weight ");
        nf_weight(&f, o->u.w);
        NF_LIT(&f, ", evidence ");
        nf_num(&f, (int32_t)o->x, 1);
        NF_LIT(&f, " points): the only person its links point to");
        break;
    case NOTE_PLACE:
        nf_pair(R, &f, o, " joined through ");
        if (o->how == 3)
            NF_LIT(&f, ": the only person written at its address within three years of its "
                       "date, and not elsewhere then, whose gender fits (or any)");
        else {
            NF_LIT(&f, ": the only member of the household at its ");
            nf_str(&f, !o->how     ? "address"
                       : o->u.f.by ? "event's postcode (where it happened)"
                                   : "events' addresses");
            NF_LIT(&f, " whose names, gender and age fit");
        }
        break;
    default: /* NOTE_FAMILY */
        note_family(R, o, &f);
        break;
    }
    buf[f.n] = '\0';
    *len = f.n;
    return cat;
}

/* A ref's note from its logged notes (ops[idx[0..n)], in the order noted)
 * into nb, cut as formatting at once cut it (note_cat at 511 bytes, and no
 * note added to one over 600); nb->have false when it has none. */
static void note_text(const rs *R, const note_op *ops, const uint32_t *idx, size_t n, note_b *nb)
{
    /* the bytes each kind was formatted into */
    static const size_t cut[] = {512, 512, 400, 320, 400, 400};
    char buf[512];
    size_t len;
    nb->n = 0;
    nb->have = false;
    for (size_t k = 0; k < n; k++) {
        const note_op *o = &ops[idx[k]];
        if (nb->n > 600)
            continue; /* full: neither note_cat's callers nor note_add add to it */
        bool cat = note_format(R, o, buf, cut[o->kind], &len);
        assert(o->kind >= JD_ARRAY_LEN(note_least) || len >= note_least[o->kind]);
        if (cat)
            note_cat(nb, buf, len);
        else
            note_add(nb, buf, len);
    }
}

/* One note_b as a C string into out (cap bytes, at least NOTE_MAX + 1). */
static void note_out(const note_b *nb, char *out)
{
    size_t n = nb->have ? nb->n : 0;
    memcpy(out, nb->t, n);
    out[n] = '\0';
}

int jd_resolve__check_note_room(const char *ref, const char *other, const int *kinds,
                                const double *w, size_t n, char *full, char *kept, size_t cap,
                                size_t *logged)
{
    if (!ref || !other || (n && (!kinds || !w)) || !full || !kept || cap <= NOTE_MAX ||
        n > UINT32_MAX)
        return JD_EINVALID;
    jd_identity_save sv[2] = {{.agency = "", .person_ref = ref}, {.agency = "", .person_ref = other}};
    rs *R = calloc(1, sizeof *R);
    note_op *ops = calloc(n ? n : 1, sizeof *ops);
    uint32_t *all = calloc(n ? n : 1, sizeof *all), *idx = calloc(n ? n : 1, sizeof *idx);
    int rc = R && ops && all && idx ? JD_OK : JD_ENOMEM;
    uint16_t least[1] = {0};
    int64_t out = 0;
    size_t m = 0;
    bool later = false; /* past the kept-apart and refused links */
    for (size_t k = 0; rc == JD_OK && k < n; k++) {
        int kind = kinds[k];
        bool cat = kind == NOTE_POSSIBLE || kind == NOTE_REFUSED;
        if ((!cat && kind != NOTE_SPARSE && kind != NOTE_UNJOINED) || (cat && later)) {
            rc = JD_EINVALID; /* the order cluster_links, join_sparse, note_unjoined log */
            break;
        }
        if (!cat && !later)
            least_cap(least, 1);
        later = later || !cat;
        ops[k] = (note_op){.kind = (uint8_t)kind, .ref = 0, .other = 1, .u.w = w[k],
                           .x = kind == NOTE_REFUSED ? (uint32_t)(k % WHY_N)
                                                     : (uint32_t)(4 + k % 7)};
        all[k] = (uint32_t)k;
        if (kind == NOTE_SPARSE || note_room(least, 0, kind, &out))
            idx[m++] = (uint32_t)k;
    }
    if (rc == JD_OK) {
        R->n = 2;
        R->sv = sv;
        note_b nb;
        note_text(R, ops, all, n, &nb);
        note_out(&nb, full);
        note_text(R, ops, idx, m, &nb);
        note_out(&nb, kept);
        if (logged)
            *logged = m;
    }
    free(R);
    free(ops);
    free(all);
    free(idx);
    return rc;
}

/* The human decisions in force, by ref; once. */
static int load_decisions(run *u, jd_error *err)
{
    if (u->decs_loaded)
        return JD_OK;
    decisions_ctx dc = {&u->R, &u->decs};
    int rc = u->s->ops->decisions(u->s, on_decision, &dc, err);
    u->decs_loaded = rc == JD_OK;
    return rc;
}

static int run_cluster(run *u, jd_error *err)
{
    rs *R = &u->R;
    double t = jd_secs(), tc = cpu_secs();
    int rc = load_decisions(u, err);
    if (rc < 0)
        return rc;
    if (u->links.n > INT32_MAX) /* a deferred link is its index and side (def_at) */
        return jd_error_set(err, JD_EINVALID, "more than 2^31 links to cluster");
    u->c = clw_new(R);
    u->notes.n = 0;
    if (!u->c)
        return jd_oom(err);
    if (u->in)
        keep_in_scope(u);
    decision *dv = u->decs.p;
    merge_confirmed(R, u->c, dv, u->decs.n);
    lvcache *lc = huge_calloc(sizeof *lc); /* names of the links; NULL: only slower */
    vec defer = {.sz = sizeof(uint32_t)};  /* links with a sparse ref (def_at), for join_sparse */
    /* NULL: every note logged */
    uint16_t *least = u->test & TEST_EVERY_NOTE ? NULL : calloc(R->n ? R->n : 1, sizeof *least);
    rc = cluster_links(R, u->c, u->links.p, u->links.n, dv, u->decs.n, lc, &u->notes, least,
                       &defer, u->threads, u->test & TEST_AHEAD_WAIT);
    if (rc == JD_OK && (rc = sort_deferred(u->links.p, &defer, R->n)) == JD_ELIMIT)
        (void)jd_error_set(err, rc, "more than 2^32 - 1 deferred links to sort");
    R->st.sparse_joined =
        rc < 0 ? -1
               : join_sparse(R, u->c, u->links.p, defer.p, defer.n, dv, u->decs.n, lc, &u->notes);
    int64_t hh_fits[2] = {0, 0};
    R->st.household_joined =
        R->st.sparse_joined < 0 ? -1
                                : join_household(R, u->c, dv, u->decs.n, lc, &u->notes, u->in,
                                                 &u->hh_need, &R->st.family_joined,
                                                 !(u->test & TEST_NO_FIT_MEMO), hh_fits);
    R->st.household_fits_asked = hh_fits[0];
    R->st.household_fits_memo = hh_fits[1];
    if (R->st.household_joined >= 0)
        rc = note_unjoined(R, u->c, u->links.p, defer.p, defer.n, &u->notes, least);
    free(least);
    free(defer.p);
    free(lc);
    if (rc == JD_ELIMIT)
        return rc; /* err set above */
    if (R->st.household_joined < 0 || rc < 0 || u->c->oom)
        return jd_oom(err);
    for (size_t i = 0; i < u->decs.n; i++)
        R->st.rejected += !dv[i].same;
    R->st.seconds_cluster = jd_secs() - t;
    R->st.cpu_cluster = cpu_secs() - tc;
    return JD_OK;
}

/* Each ref's person_id before this run (u->old); once. */
static int load_old(run *u, jd_error *err)
{
    if (u->old.pid)
        return JD_OK;
    u->old.R = &u->R;
    u->old.pid = calloc(u->R.n ? u->R.n : 1, sizeof *u->old.pid);
    if (!u->old.pid)
        return jd_oom(err);
    int rc = u->o->resident && u->ids_gen_known
                 ? jd_resolve__resident_ids(u->o->resident, u->s, u->ids_gen, on_old, &u->old,
                                            err)
                 : u->s->ops->identity_refs(u->s, on_old, &u->old, err);
    if (rc > 0 || rc == JD_ENOMEM)
        rc = jd_oom(err);
    return rc;
}

/* The old id most of root r's refs had, not yet taken by another cluster;
 * ties go to the smaller id. vk: the votes (root << 32 | old id) sorted,
 * first[r]: where r's start (+1; 0 none). Returns 0 when there is none. */
static uint32_t best_old_id(const rs *R, uint32_t r, const uint64_t *vk, size_t nv,
                            const uint32_t *first, const uint8_t *claimed)
{
    const char *best = NULL;
    uint32_t best_id = 0, bn = 0;
    for (size_t v = first[r] ? first[r] - 1 : nv; v < nv && (uint32_t)(vk[v] >> 32) == r;) {
        size_t e = v;
        while (e < nv && vk[e] == vk[v])
            e++;
        uint32_t id = (uint32_t)vk[v], n = (uint32_t)(e - v);
        const char *k = pool_str(&R->ids, id);
        if (!claimed[id] && (n > bn || (n == bn && best && strcmp(k, best) < 0))) {
            best = k;
            best_id = id;
            bn = n;
        }
        v = e;
    }
    return best_id;
}

/* person_ids: a cluster keeps the id most of its refs had before; the
 * others get fresh ones. Fills u->ids, u->saves and u->info (person_ids). */
static int assign_ids(run *u, jd_error *err)
{
    rs *R = &u->R;
    size_t nn = R->n ? R->n : 1;
    if (!u->saves) /* early_keys made them, with their keys */
        u->saves = calloc(nn, sizeof *u->saves);
    u->info = calloc(nn, sizeof *u->info);
    u->ids = calloc(nn, sizeof *u->ids);
    /* Votes: each ref's old person_id, keyed by its new cluster (root) and
     * sorted, so a root's votes lie together. */
    uint64_t *vk = malloc(nn * sizeof *vk);
    uint32_t *first = calloc(nn, sizeof *first);
    uint8_t *claimed = calloc(R->ids.len + 1, 1); /* old id (pool offset) -> taken */
    uint32_t *ix = calloc(nn, sizeof *ix);        /* root -> its info index + 1 */
    int rc = JD_OK;
    if (!u->saves || !u->info || !u->ids || !vk || !first || !claimed || !ix) {
        rc = jd_oom(err);
        goto out;
    }
    size_t nv = 0;
    for (uint32_t i = 0; i < R->n; i++)
        if (u->old.pid[i] && (!u->in || u->in[i]))
            vk[nv++] = (uint64_t)u->root[i] << 32 | u->old.pid[i];
    if (jd_resolve__radix_sort_u64(vk, nv) < 0)
        qsort(vk, nv, sizeof *vk, cmp_u64);
    for (size_t v = nv; v-- > 0;)
        first[vk[v] >> 32] = (uint32_t)v + 1;
    long next = u->old.max_num;
    for (uint32_t i = 0; i < R->n; i++) {
        if (u->in && !u->in[i])
            continue;
        uint32_t r = u->root[i];
        if (!u->ids[r]) {
            uint32_t best_id = best_old_id(R, r, vk, nv, first, claimed);
            char fresh[32];
            const char *best = fresh;
            if (!best_id) {
                /* fresh ids stay within the 18 digits the stores' tally and
                 * jd_resolve__person_num read back: past them the next run
                 * would read a smaller highest id and give one id twice */
                if (next >= JD_RESOLVE_PERSON_NUM_MAX) {
                    rc = jd_error_set(err, JD_ELIMIT,
                                      "resolve: no fresh person id left (the highest is "
                                      "P%ld; ids have at most 18 digits)",
                                      next);
                    goto out;
                }
                nfmt t = {fresh, 0, sizeof fresh};
                NF_LIT(&t, "P");
                nf_num(&t, ++next, 6);
                fresh[t.n] = '\0';
            } else {
                claimed[best_id] = 1;
                best = pool_str(&R->ids, best_id);
            }
            if (!(u->ids[r] = strdup(best))) {
                rc = jd_oom(err);
                goto out;
            }
            u->info[u->ninfo++].person_id = u->ids[r];
            ix[r] = (uint32_t)u->ninfo;
        }
        u->saves[i] =
            (jd_identity_save){pool_str(&R->ids, R->r[i].agency), pool_str(&R->ids, R->r[i].ref),
                               u->ids[r], u->fp ? u->fp[i] : 0, NULL, u->saves[i].keys,
                               u->saves[i].nkeys, ix[r]};
    }
    if (u->ninfo < nn) { /* one per identity, not per ref (at 1M, 329,155 of 936,567) */
        jd_identity_info *in = realloc(u->info, u->ninfo ? u->ninfo * sizeof *in : 1);
        u->info = in ? in : u->info;
    }
out:
    free(vk);
    free(first);
    free(claimed);
    free(ix);
    return rc;
}

/*
 * Each ref's neighbours: the other identities its links (above the
 * threshold, joined or not) reach, person_ids space-separated in strcmp
 * order, saved with the ref. Should the ref change, an incremental run
 * re-resolves them too: the links it had may be gone, and what they
 * decided with them. The order is the ids' own, not the clusters' (a
 * root's index depends on which refs were clustered): a bounded run
 * (--hops) keeps neighbours it did not cluster (kept_neighbours) and
 * writes the list a full run writes.
 */
/*
 * The links between two identities, each its two refs (8 bytes) written
 * over the links' own memory in their order, which is then cut to them:
 * nothing reads a link's weight after clustering (16 bytes a link, 0.9 GB
 * at 10M events, held beside the neighbours' own arrays before). Each ref's
 * count of them into end[ref + 1]; their count into *npairs. u->links is
 * left empty and the pairs are the caller's to free (the links' memory
 * uncut when realloc fails).
 */
static uint32_t *links_to_pairs(run *u, size_t *end, size_t *npairs)
{
    match_link *lv = u->links.p;
    uint32_t *ab = u->links.p;
    size_t m = 0;
    for (size_t i = 0; i < u->links.n; i++) {
        uint32_t a = lv[i].a, b = lv[i].b; /* read before ab[2m .. 2m + 2), m <= i, is written */
        if (u->root[a] != u->root[b]) {
            end[a + 1]++;
            end[b + 1]++;
            ab[2 * m] = a;
            ab[2 * m + 1] = b;
            m++;
        }
    }
    uint32_t *cut = realloc(ab, (m ? m : 1) * 2 * sizeof *ab);
    u->links = (vec){.sz = u->links.sz};
    *npairs = m;
    return cut ? cut : ab;
}

/*
 * The old identities outside this run's scope, by id (interned in R->ids):
 * out[id] 1 for an identity that had refs none of which is re-resolved
 * (an identity is walked whole), else 0 (ids.len bytes, as assign_ids'
 * claimed). NULL in a run that is not incremental; *oom on a failed
 * allocation.
 */
static uint8_t *old_out_of_scope(const run *u, bool *oom)
{
    const rs *R = &u->R;
    *oom = false;
    if (!u->in || !u->old.pid || !u->old.nbr)
        return NULL;
    uint8_t *out = calloc(R->ids.len + 1, 1);
    if (!out) {
        *oom = true;
        return NULL;
    }
    for (uint32_t i = 0; i < R->n; i++) /* 1 some ref out, 2 some ref in */
        if (u->old.pid[i])
            out[u->old.pid[i]] |= u->in[i] ? 2 : 1;
    for (uint32_t i = 0; i < R->n; i++)
        if (u->old.pid[i])
            out[u->old.pid[i]] = out[u->old.pid[i]] == 1;
    return out;
}

/*
 * The neighbours ref r keeps from its stored list (u->old.nbr): in a
 * bounded run (some refs not re-resolved), an unchanged ref's links to an
 * identity out of scope (out, old_out_of_scope) were not scored again,
 * and score as they did: the old neighbours out of scope stand (those in
 * scope come from the links clustered now, an id gone from the store is
 * dropped). Appended to *v (const char *). JD_OK or JD_ENOMEM.
 */
static int kept_neighbours(run *u, const uint8_t *out, uint32_t r, vec *v)
{
    if (!out || !u->old.nbr[r] || !u->in[r] || u->chg[r])
        return JD_OK;
    rs *R = &u->R;
    size_t n0 = v->n;
    for (const char *t = pool_str(&R->ids, u->old.nbr[r]); *t;) {
        size_t len = strcspn(t, " ");
        uint32_t id = pool_find(&R->ids, t, len);
        t += len + (t[len] == ' ');
        if (!id || !out[id])
            continue;
        const char **q = vec_push(v);
        if (!q)
            return JD_ENOMEM;
        *q = pool_str(&R->ids, id);
    }
    R->st.incr_nbr_kept += v->n > n0;
    return JD_OK;
}

/* Ref r's neighbours, the other roots of its links to[0..n) and those it
 * keeps (kept_neighbours, from the identities out of scope `oos`), as
 * their ids sorted and distinct, into *out (malloc'd; NULL with none). v: a
 * scratch vec of const char *. */
static int neighbour_list(run *u, const uint8_t *oos, uint32_t r, const uint32_t *to, size_t n,
                          vec *v, char **out)
{
    *out = NULL;
    v->n = 0;
    for (size_t j = 0; j < n; j++) {
        const char **q = vec_push(v);
        if (!q)
            return JD_ENOMEM;
        *q = u->ids[to[j]];
    }
    if (kept_neighbours(u, oos, r, v) != JD_OK)
        return JD_ENOMEM;
    if (!v->n)
        return JD_OK;
    const char **s = v->p;
    qsort(s, v->n, sizeof *s, jd_resolve__cmp_str);
    jd_buf b = JD_BUF_INIT(1u << 20);
    int rc = JD_OK;
    for (size_t j = 0; rc == JD_OK && j < v->n; j++)
        if ((j == 0 || strcmp(s[j], s[j - 1])) &&
            ((b.len && jd_buf_adds(&b, " ") != JD_OK) || jd_buf_adds(&b, s[j]) != JD_OK))
            rc = JD_ENOMEM;
    *out = rc == JD_OK ? jd_buf_detach(&b) : NULL;
    jd_buf_dispose(&b);
    return *out ? JD_OK : JD_ENOMEM;
}

static int neighbours(run *u, jd_error *err)
{
    rs *R = &u->R;
    /* each ref's other roots, counted then placed by ref (4 bytes a link's
     * side; a sorted (ref, root) pair of 8 and its sort's copy took 32:
     * 1.6 GB at 10M events); ref i's are to[end[i-1] .. end[i]) */
    size_t *end = calloc((size_t)R->n + 1, sizeof *end), total = 0, np = 0;
    uint32_t *to = NULL, *ab = NULL;
    vec v = {.sz = sizeof(const char *)};
    bool oom;
    uint8_t *oos = old_out_of_scope(u, &oom);
    u->nbr = calloc(R->n ? R->n : 1, sizeof *u->nbr);
    int rc = end && u->nbr && !oom ? JD_OK : JD_ENOMEM;
    if (rc == JD_OK)
        ab = links_to_pairs(u, end, &np);
    for (uint32_t i = 0; rc == JD_OK && i < R->n; i++)
        end[i + 1] += end[i];
    total = rc == JD_OK ? end[R->n] : 0;
    if (rc == JD_OK && !(to = malloc((total ? total : 1) * sizeof *to)))
        rc = JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < np; i++) { /* end[i] moves to its end */
        uint32_t a = ab[2 * i], b = ab[2 * i + 1];
        to[end[a]++] = u->root[b];
        to[end[b]++] = u->root[a];
    }
    free(ab);
    for (uint32_t r = 0; rc == JD_OK && r < R->n; r++) {
        size_t lo = r ? end[r - 1] : 0, hi = end[r];
        rc = neighbour_list(u, oos, r, to + lo, hi - lo, &v, &u->nbr[r]);
        if (rc == JD_OK && u->nbr[r])
            u->saves[r].nbr = u->nbr[r];
    }
    free(v.p);
    free(oos);
    free(end);
    free(to);
    return rc < 0 ? jd_oom(err) : JD_OK;
}

/* What the display fields of one identity are made from. */
typedef struct acc {
    uint32_t best, bestm, dobv[4], dobc[4];
    uint32_t fore[4]; /* distinct first names (4: at least four) */
    uint8_t ndob, nfore, gmask;
    bool child;
} acc;

/* One pass over the refs: the ref with most mentions names the identity,
 * the full dates of birth and first names. slot: root -> info index + 1
 * (identities were numbered in ref order in assign_ids). The notes are
 * gathered identity by identity (identity_notes). */
static void accumulate(const run *u, acc *ac, uint32_t *slot)
{
    const rs *R = &u->R;
    for (uint32_t i = 0, k = 0; i < R->n; i++) {
        if (u->in && !u->in[i])
            continue;
        uint32_t r = u->root[i];
        if (!slot[r])
            slot[r] = ++k;
    }
    for (uint32_t i = 0; i < R->n; i++) {
        if (u->in && !u->in[i])
            continue;
        acc *a = &ac[slot[u->root[i]] - 1];
        if (R->r[i].mentions > a->bestm) {
            a->bestm = R->r[i].mentions;
            a->best = i;
        }
        a->child |= R->r[i].child;
        a->gmask |= R->r[i].gmask;
        for (uint8_t f = 0; f < R->r[i].nfore && a->nfore < 4; f++)
            add_id(a->fore, &a->nfore, 4, R->r[i].fore[f]);
        for (uint8_t d = 0; d < R->r[i].ndob; d++) {
            uint32_t v = R->r[i].dob[d];
            if (!(v % 100) || !(v / 100 % 100))
                continue;
            int j = 0;
            while (j < 4 && a->dobv[j] && a->dobv[j] != v)
                j++;
            if (j < 4) {
                a->ndob += !a->dobv[j];
                a->dobv[j] = v;
                a->dobc[j] += R->r[i].mentions;
            }
        }
    }
}

/* Each ref's logged notes (u->notes), in the order noted: ref i's are
 * idx[off[i] .. off[i + 1]). JD_OK or JD_ENOMEM. */
static int notes_by_ref(const run *u, uint32_t **off_out, uint32_t **idx_out)
{
    const note_op *ops = u->notes.p;
    uint32_t n = u->R.n, *off = calloc((size_t)n + 2, sizeof *off);
    uint32_t *idx = malloc((u->notes.n ? u->notes.n : 1) * sizeof *idx);
    if (!off || !idx) {
        free(off);
        free(idx);
        return JD_ENOMEM;
    }
    for (size_t k = 0; k < u->notes.n; k++)
        off[ops[k].ref + 2]++;
    for (uint32_t i = 0; i < n; i++)
        off[i + 2] += off[i + 1];
    for (size_t k = 0; k < u->notes.n; k++)
        idx[off[ops[k].ref + 1]++] = (uint32_t)k;
    *off_out = off;
    *idx_out = idx;
    return JD_OK;
}

/*
 * The notes of identity a: those of its refs (members[0..n), in ref
 * order), each ref's made from its logged notes (note_text) and dropped
 * once appended.
 */
static void identity_notes(const run *u, jd_buf *b, const uint32_t *members, size_t n,
                           const uint32_t *noff, const uint32_t *nidx)
{
    note_b nb;
    for (size_t m = 0; m < n; m++) {
        uint32_t i = members[m];
        if (noff[i] == noff[i + 1])
            continue;
        note_text(&u->R, u->notes.p, nidx + noff[i], noff[i + 1] - noff[i], &nb);
        if (!nb.have)
            continue;
        int r1 = b->len ? jd_buf_add(b, "; ", 2) : JD_OK;
        if (r1 == JD_OK && jd_buf_add(b, nb.t, nb.n) != JD_OK) {
            /* notes are capped: the identity keeps what fits */
        }
    }
}

/* The review line of mask (review: 1 dates of birth, 2 genders, 4 first
 * names) into line[400]. */
static void review_line(unsigned mask, char *line)
{
    bool rd = mask & 1, rg = mask & 2, rf = mask & 4;
    snprintf(line, 400, "review:%s%s%s", rd ? " more than one date of birth" : "",
             rg ? (rd ? ", both genders" : " both genders") : "",
             rf ? (rd || rg ? ", more than one first name" : " more than one first name") : "");
}

/* The review line of mask, if any, appended to an identity's notes. */
static void review_note(jd_buf *b, unsigned mask)
{
    char line[400];
    if (!mask)
        return;
    review_line(mask, line);
    if ((b->len && jd_buf_adds(b, "; ") != JD_OK) || jd_buf_adds(b, line) != JD_OK) {
        /* notes are capped: the identity keeps what fits */
    }
}

/* Review of mixed identities: more than one full date of birth, gender or
 * first name is shown to a person (on the identity, by review_note with
 * the mask returned, and as a line on opts->review); explain-match
 * explains any pair. */
static unsigned review(run *u, acc *a, const char *person_id)
{
    rs *R = &u->R;
    bool rd = a->ndob > 1, rg = a->gmask == 3, rf = false;
    /* first names that are not one another's typo, variant or initial */
    for (int x = 0; x < a->nfore && !rf; x++)
        for (int y = x + 1; y < a->nfore && !rf; y++)
            rf = name_pair_level(R, a->fore[x], a->fore[y], true) < L_SIMILAR;
    if (!(rd || rg || rf))
        return 0;
    R->st.review++;
    R->st.review_dob += rd;
    R->st.review_gender += rg;
    R->st.review_forename += rf;
    unsigned mask = (unsigned)rd | (unsigned)rg << 1 | (unsigned)rf << 2;
    char line[400];
    review_line(mask, line);
    FILE *out = u->o->review;
    if (out) {
        fprintf(out, "%s\t%s", person_id, line + 8);
        for (int d = 0; d < 4 && a->dobv[d]; d++)
            fprintf(out, "%s%04u-%02u-%02u", d ? ", " : "\tdates of birth ", a->dobv[d] / 10000,
                    a->dobv[d] / 100 % 100, a->dobv[d] % 100);
        for (int f = 0; f < a->nfore; f++)
            fprintf(out, "%s%s", f ? ", " : "\tfirst names ", pool_str(&R->names, a->fore[f]));
        fputc('\n', out);
    }
    return mask;
}

/* Identity k's notes of a lazy run, as identity_fields would have made
 * them, into b (emptied first; b's limit 4096 as u->nbuf's). Reads u only. */
static void note_into(const run *u, jd_buf *b, size_t k)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
    identity_notes(u, b, u->members + u->moff[k], u->moff[k + 1] - u->moff[k], u->noff, u->nidx);
    review_note(b, u->rev[k]);
}

/* make_note (jd_note_maker) of a lazy run: identity k's notes in u->nbuf. */
static int make_note(void *payload, size_t k, const char **note)
{
    run *u = payload;
    note_into(u, &u->nbuf, k);
    *note = u->nbuf.len ? u->nbuf.ptr : NULL;
    return JD_OK;
}

/*
 * The identities' notes made ahead on a thread of their own while the
 * store writes the rows (make_note's work was 1.1 s of the main thread's
 * save at 1M, the second core idle): note k waits in ring[k % AHEAD_RING]
 * until the store asks for it. The store asks in order 0, 1, ...; a
 * note asked out of that order is made on the caller's thread
 * (make_note), and so is every note when no thread starts. A full ring
 * waits until half of it is taken, the store for 16 notes (or the last):
 * not a wake-up a note. The counts and flags are the mutex's; the thread
 * only reads the run. `done` is set when the thread ends (all made, or
 * stopped after a note it could not make): a note asked past the last
 * made is then JD_ENOMEM, not a wait for ever.
 */
enum { AHEAD_RING = 1024 };
typedef struct notes_ahead {
    run *u;
    char *ring[AHEAD_RING]; /* malloc'd; NULL: no note */
    size_t made, taken;     /* notes made, taken by the store */
    size_t fail;            /* 1 + the note not made for want of memory; 0 none */
    bool stop, started, done;
    bool prod_wait, cons_wait; /* the thread waits for room, the store for a note */
    /* note_into, or the test hook's maker; fail_at: 1 + a note the hook
     * makes fail as a strdup would (0: none) */
    void (*make)(const run *u, jd_buf *b, size_t k);
    size_t fail_at;
    char *held; /* the note last given, freed at the next call */
    pthread_mutex_t mu;
    pthread_t th;
    pthread_cond_t cv; /* one waits at a time: the thread when the ring is full,
                        * the store when it is empty */
} notes_ahead;

static void *ahead_job(void *payload)
{
    notes_ahead *a = payload;
    jd_buf b = JD_BUF_INIT(4096);
    for (size_t k = 0; k < a->u->ninfo; k++) {
        a->make(a->u, &b, k);
        char *t = b.len && k + 1 != a->fail_at ? strdup(b.ptr) : NULL;
        pthread_mutex_lock(&a->mu);
        if (a->made - a->taken >= AHEAD_RING) { /* full: on when half is taken */
            a->prod_wait = true;
            while (!a->stop && a->made - a->taken > AHEAD_RING / 2)
                pthread_cond_wait(&a->cv, &a->mu);
            a->prod_wait = false;
        }
        bool end = a->stop || (b.len && !t);
        if (!a->stop) {
            a->ring[k % AHEAD_RING] = t;
            a->fail = b.len && !t ? k + 1 : 0;
            a->made++;
            if (a->cons_wait && (a->made - a->taken >= 16 || a->made == a->u->ninfo || end))
                pthread_cond_signal(&a->cv);
        }
        pthread_mutex_unlock(&a->mu);
        if (end) {
            free(t);
            break;
        }
    }
    jd_buf_dispose(&b);
    pthread_mutex_lock(&a->mu);
    a->done = true; /* no more notes: a waiting store wakes to that */
    if (a->cons_wait)
        pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* jd_note_maker over a notes_ahead: note k from the ring when it is the
 * next in order, else made here. */
static int ahead_note(void *payload, size_t k, const char **note)
{
    notes_ahead *a = payload;
    free(a->held);
    a->held = NULL;
    if (!a->started || k != a->taken)
        return make_note(a->u, k, note);
    pthread_mutex_lock(&a->mu);
    a->cons_wait = true;
    while (a->made <= k && !a->done)
        pthread_cond_wait(&a->cv, &a->mu);
    a->cons_wait = false;
    if (a->made <= k) { /* the thread ended before it: after a note it could not make */
        a->taken++;       /* the next is asked here too, and answered so */
        pthread_mutex_unlock(&a->mu);
        *note = NULL;
        return JD_ENOMEM;
    }
    bool failed = a->fail == k + 1;
    a->held = a->ring[k % AHEAD_RING];
    a->ring[k % AHEAD_RING] = NULL;
    a->taken++;
    if (a->prod_wait && a->made - a->taken <= AHEAD_RING / 2)
        pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    *note = a->held;
    return failed ? JD_ENOMEM : JD_OK;
}

/* Start the thread of a (run u's notes made by `make`, note_into but in
 * the test hook; with one thread, none). */
static void ahead_start(notes_ahead *a, run *u, void (*make)(const run *, jd_buf *, size_t),
                        size_t fail_at)
{
    memset(a, 0, sizeof *a);
    a->u = u;
    a->make = make;
    a->fail_at = fail_at;
    if (u->threads < 2 || pthread_mutex_init(&a->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&a->cv, NULL) != 0) {
        pthread_mutex_destroy(&a->mu);
        return;
    }
    a->started = pthread_create(&a->th, NULL, ahead_job, a) == 0;
    if (!a->started) {
        pthread_cond_destroy(&a->cv);
        pthread_mutex_destroy(&a->mu);
    }
}

/* Stop and join a's thread; the notes not taken freed. */
static void ahead_stop(notes_ahead *a)
{
    free(a->held);
    a->held = NULL;
    if (!a->started)
        return;
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->th, NULL);
    for (size_t k = a->taken; k < a->made; k++)
        free(a->ring[k % AHEAD_RING]);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    a->started = false;
}

/* Display fields per identity: the ref with most mentions names it; the
 * full date of birth most mentions carry is its dob. */
static int identity_fields(run *u, jd_error *err)
{
    size_t ninfo = u->ninfo;
    const rs *R = &u->R;
    acc *ac = calloc(ninfo ? ninfo : 1, sizeof *ac);
    uint32_t *slot = calloc(R->n ? R->n : 1, sizeof *slot); /* root -> info index + 1 */
    /* each identity's refs in ref order: members[off[k] .. off[k + 1]) */
    uint32_t *off = calloc(ninfo + 2, sizeof *off), *members = malloc((R->n ? R->n : 1) * 4);
    uint32_t *noff = NULL, *nidx = NULL; /* each ref's logged notes (notes_by_ref) */
    uint8_t *rev = u->lazy ? calloc(ninfo ? ninfo : 1, 1) : NULL;
    if (!ac || !slot || !off || !members || (u->lazy && !rev) ||
        notes_by_ref(u, &noff, &nidx) != JD_OK) {
        free(ac);
        free(slot);
        free(off);
        free(members);
        free(rev);
        return jd_oom(err);
    }
    for (size_t k = 0; k < ninfo; k++)
        ac[k].best = UINT32_MAX;
    accumulate(u, ac, slot);
    for (uint32_t i = 0; i < R->n; i++)
        if (!u->in || u->in[i])
            off[slot[u->root[i]] + 1]++;
    for (size_t k = 0; k < ninfo; k++)
        off[k + 2] += off[k + 1];
    for (uint32_t i = 0; i < R->n; i++)
        if (!u->in || u->in[i])
            members[off[slot[u->root[i]]]++] = i;
    free(slot);
    /* now off[k] .. off[k + 1] are identity k's; its notes are written in
     * one buffer for all and copied out at their length -- or, lazy, made
     * at the save (make_note) from what is kept for it */
    jd_buf scratch = JD_BUF_INIT(4096);
    int rc = JD_OK;
    for (size_t k = 0; k < ninfo; k++) {
        acc *a = &ac[k];
        jd_identity_info *in = &u->info[k];
        scratch.len = 0;
        if (!u->lazy)
            identity_notes(u, &scratch, members + off[k], off[k + 1] - off[k], noff, nidx);
        unsigned mask = review(u, a, in->person_id);
        if (rev)
            rev[k] = (uint8_t)mask;
        else
            review_note(&scratch, mask);
        in->display_name = a->best != UINT32_MAX ? pool_str(&u->R.ids, u->R.r[a->best].name) : NULL;
        char *dob = NULL;
        if (a->dobv[0]) {
            int j = 0;
            for (int q = 1; q < 4 && a->dobv[q]; q++)
                if (a->dobc[q] > a->dobc[j] ||
                    (a->dobc[q] == a->dobc[j] && a->dobv[q] < a->dobv[j]))
                    j = q;
            char dobs[32];
            nfmt t = {dobs, 0, sizeof dobs};
            nf_num(&t, a->dobv[j] / 10000, 4);
            NF_LIT(&t, "-");
            nf_num(&t, a->dobv[j] / 100 % 100, 2);
            NF_LIT(&t, "-");
            nf_num(&t, a->dobv[j] % 100, 2);
            dobs[t.n] = '\0';
            dob = strdup(dobs);
        }
        in->dob = dob;
        in->is_child = a->child;
        in->note = scratch.len ? strdup(scratch.ptr) : NULL;
        if (scratch.len && !in->note)
            rc = JD_ENOMEM;
    }
    jd_buf_dispose(&scratch);
    free(ac);
    if (u->lazy) { /* kept for make_note */
        u->members = members;
        u->moff = off;
        u->noff = noff;
        u->nidx = nidx;
        u->rev = rev;
        u->nbuf = (jd_buf)JD_BUF_INIT(4096);
        return rc < 0 ? jd_oom(err) : JD_OK;
    }
    free(off);
    free(members);
    free(noff);
    free(nidx);
    vec_drop(&u->notes); /* made into the identities' notes */
    return rc < 0 ? jd_oom(err) : JD_OK;
}

/* Ids, display fields and notes of every cluster (timed as save). */
/* Each ref's cluster root into u->root, and the clusters freed: what the
 * identities read of them. JD_OK or JD_ENOMEM. */
static int clusters_flatten(run *u)
{
    size_t n = u->R.n ? u->R.n : 1;
    free(u->root);
    if (!(u->root = malloc(n * sizeof *u->root)))
        return JD_ENOMEM;
    for (uint32_t i = 0; i < u->R.n; i++)
        u->root[i] = find(u->c, i);
    clw_free(u->c);
    u->c = NULL;
    return JD_OK;
}

static int run_identities(run *u, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    int rc = clusters_flatten(u) == JD_OK ? JD_OK : jd_oom(err);
    if (rc == JD_OK)
        rc = load_old(u, err);
    if (rc == JD_OK)
        rc = assign_ids(u, err);
    if (rc == JD_OK)
        rc = neighbours(u, err);
    if (rc == JD_OK)
        rc = identity_fields(u, err);
    u->R.st.identities = (int64_t)u->ninfo;
    u->R.st.seconds_save = u->R.st.seconds_identities = jd_secs() - t;
    u->R.st.cpu_identities = cpu_secs() - tc;
    return rc;
}

static int cmp_kv(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->ref > y->ref) - (x->ref < y->ref);
}

/* Each ref's keys in a part of keys_range's (refs in runs) sorted and made
 * distinct in place; the part's new length. */
static size_t distinct_by_ref(vec *part)
{
    kv *k = part->p;
    size_t m = 0;
    for (size_t i = 0, j; i < part->n; i = j) {
        for (j = i; j < part->n && k[j].ref == k[i].ref; j++)
            ;
        qsort(k + i, j - i, sizeof *k, cmp_kv);
        size_t first = m;
        for (size_t x = i; x < j; x++)
            if (m == first || k[m - 1].key != k[x].key)
                k[m++] = k[x];
    }
    part->n = m;
    return m;
}

/* A part of keys_range's onto all: each ref's keys sorted and distinct
 * (distinct_by_ref), their count into its save. JD_OK or JD_ENOMEM. */
static int keys_take(run *u, vec *part, vec *all)
{
    size_t m = distinct_by_ref(part);
    if (vec_reserve(all, m) != JD_OK)
        return JD_ENOMEM;
    const kv *k = part->p;
    uint64_t *o = (uint64_t *)all->p + all->n;
    for (size_t i = 0, j; i < m; i = j) {
        for (j = i; j < m && k[j].ref == k[i].ref; j++)
            o[j] = k[j].key;
        u->saves[k[i].ref].nkeys = (uint32_t)(j - i);
    }
    all->n += m;
    return JD_OK;
}

/*
 * The blocking keys of the refs marked in sel (NULL: all) onto their saves
 * (saves[i].keys, distinct, ascending), for the store's ref_key: the keys
 * keys_range gives, the very ones blocking uses, so an incremental run
 * finds a new ref's candidates by looking its keys up, and its household
 * places (keys_household). Before run_shed
 * (the refs' records are read). The keys are made a round of refs at a
 * time, each round's parts (16 bytes a key made, repeats included) made
 * distinct and taken into one array of 8 bytes a key saved: at 1M the
 * threads' parts for all refs at once were 268 MB at the run's peak.
 * JD_OK or JD_ENOMEM.
 */
static int save_keys(run *u, const uint8_t *sel)
{
    enum { ROUND = 1 << 16 }; /* refs a round */
    rs *R = &u->R;
    key_job job[MAX_THREADS];
    for (int t = 0; t < u->threads; t++)
        job[t] = (key_job){R, 0, 0, {.sz = sizeof(kv)}, JD_OK, sel, 1};
    for (uint32_t i = 0; i < R->n; i++) /* a ref with no key stores none */
        if (!sel || sel[i])
            u->saves[i].nkeys = 0;
    vec all = {.sz = sizeof(uint64_t)};
    int rc = JD_OK;
    for (uint32_t lo = 0; lo < R->n && rc == JD_OK; lo += ROUND) {
        uint32_t n = R->n - lo < ROUND ? (uint32_t)(R->n - lo) : ROUND;
        for (int t = 0; t < u->threads; t++) {
            job[t].lo = lo + (uint32_t)share(n, t, u->threads);
            job[t].hi = lo + (uint32_t)share(n, t + 1, u->threads);
            job[t].keys.n = 0;
        }
        jd_run_jobs(keys_range, job, sizeof *job, u->threads);
        for (int t = 0; t < u->threads && rc == JD_OK; t++) /* in ref order */
            rc = job[t].rc < 0 ? job[t].rc : keys_take(u, &job[t].keys, &all);
    }
    for (int t = 0; t < u->threads; t++)
        vec_drop(&job[t].keys);
    if (rc != JD_OK) {
        free(all.p);
        return JD_ENOMEM;
    }
    uint64_t *keys = realloc(all.p, (all.n ? all.n : 1) * sizeof *keys); /* to its size */
    u->keys = keys ? keys : all.p;
    if (!u->keys)
        return JD_ENOMEM;
    size_t off = 0;
    for (uint32_t i = 0; i < R->n; i++)
        if (!sel || sel[i]) {
            u->saves[i].keys = u->keys + off;
            off += u->saves[i].nkeys;
        }
    return JD_OK;
}

/* The thread of early_keys: ref_key replaced, the transaction left open. */
static void *keys_early_job(void *arg)
{
    run *u = arg;
    jd_error_clear(&u->keys_err);
    u->keys_rc = u->s->ops->keys_replace_early(u->s, u->saves, u->R.n, &u->keys_err);
    return NULL;
}

/*
 * A full run's ref_key written while clustering, whose one thread leaves
 * the second core idle (the save's own share of the serial run: 1.4 s of
 * writes and 2.4 s of lists at 1M). The store is read first (decisions;
 * clustering reads nothing else of it) and then left to the thread until
 * early_keys_join; each ref's agency and person_ref and its keys are made
 * here, as assign_ids and save_keys would. JD_OK when no store offers it.
 */
static int early_keys(run *u, jd_error *err)
{
    rs *R = &u->R;
    if (!u->early)
        return JD_OK;
    int rc = load_decisions(u, err);
    if (rc < 0)
        return rc;
    if (!(u->saves = calloc(R->n ? R->n : 1, sizeof *u->saves)))
        return jd_oom(err);
    for (uint32_t i = 0; i < R->n; i++)
        u->saves[i] = (jd_identity_save){pool_str(&R->ids, R->r[i].agency),
                                         pool_str(&R->ids, R->r[i].ref), NULL, 0, NULL, NULL, 0, 0};
    if (save_keys(u, NULL) != JD_OK)
        return jd_oom(err);
    u->keys_started = pthread_create(&u->keys_thread, NULL, keys_early_job, u) == 0;
    if (!u->keys_started) { /* no thread: written here, before clustering */
        keys_early_job(u);
        u->keys_open = u->keys_rc == JD_OK;
    } /* else the thread owns keys_rc until early_keys_join reads it */
    return JD_OK;
}

/* The thread of early_keys joined; its error into err when rc is JD_OK. */
static int early_keys_join(run *u, int rc, jd_error *err)
{
    if (u->keys_started)
        pthread_join(u->keys_thread, NULL);
    if (u->keys_started)
        u->keys_open = u->keys_rc == JD_OK;
    u->keys_started = false;
    if (rc == JD_OK && u->early && u->keys_rc < 0) {
        if (err)
            *err = u->keys_err;
        rc = u->keys_rc;
    }
    return rc;
}

static void test_note(const run *u, jd_buf *b, size_t k)
{
    (void)u;
    jd_buf_reset(b);
    if (jd_buf_printf(b, "note %zu", k) < 0)
        jd_buf_reset(b); /* no note: the store is given none */
}

int jd_resolve__check_ahead(size_t n, size_t fail_at, size_t *ok, size_t *failed)
{
    run *u = calloc(1, sizeof *u);
    notes_ahead *a = malloc(sizeof *a);
    int rc = u && a ? JD_OK : JD_ENOMEM;
    *ok = *failed = 0;
    if (rc == JD_OK) {
        u->threads = 2;
        u->ninfo = n;
        ahead_start(a, u, test_note, fail_at);
        rc = a->started ? JD_OK : JD_ENOMEM;
    }
    char want[32];
    for (size_t k = 0; rc == JD_OK && k < n; k++) {
        const char *note = NULL;
        int r = ahead_note(a, k, &note); /* asked on past an error, as a store might */
        snprintf(want, sizeof want, "note %zu", k);
        *ok += r == JD_OK && note && !strcmp(note, want);
        *failed += r == JD_ENOMEM;
    }
    if (a && a->started)
        ahead_stop(a);
    free(a);
    free(u);
    return rc;
}

/* Replace every identity in the store. */
static int run_save(run *u, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    jd_resolve__resident_ids_drop(u->o->resident); /* a replace: read them again */
    u->model_json = params_json(&u->R);
    if (!u->model_json)
        return jd_oom(err);
    notes_ahead *ah = u->lazy ? malloc(sizeof *ah) : NULL;
    jd_note_maker nm = {make_note, u};
    if (u->lazy) /* the records are shed: make_note names refs from these */
        u->R.sv = u->saves;
    if (ah) {
        ahead_start(ah, u, note_into, 0);
        nm = (jd_note_maker){ahead_note, ah};
    }
    int rc = u->s->ops->identities_replace(u->s, u->saves, u->R.n, u->info, u->ninfo,
                                           u->lazy ? &nm : NULL, u->model_json,
                                           u->R.st.candidate_pairs, u->R.st.links, err);
    if (ah)
        ahead_stop(ah);
    free(ah);
    u->keys_open = false; /* committed or rolled back */
    u->R.st.seconds_save += jd_secs() - t;
    u->R.st.cpu_save = cpu_secs() - tc;
    return rc;
}

/* ---- a full run's candidate pairs, streamed ---- */

/* EM's sample: the pairs at every stride-th place of the whole list. */
typedef struct sample_sink_ctx {
    size_t stride;
    vec out;
} sample_sink_ctx;

static int sample_sink(const uint64_t *pp, size_t n, size_t before, void *payload)
{
    sample_sink_ctx *x = payload;
    for (size_t i = (x->stride - before % x->stride) % x->stride; i < n; i += x->stride) {
        uint64_t *o = vec_push(&x->out);
        if (!o)
            return JD_ENOMEM;
        *o = pp[i];
    }
    return JD_OK;
}

typedef struct score_sink_ctx {
    run *u;
    lvcache *cache[MAX_THREADS];
} score_sink_ctx;

static int score_sink(const uint64_t *pp, size_t n, size_t before, void *payload)
{
    score_sink_ctx *x = payload;
    rs *R = &x->u->R;
    (void)before;
    R->st.scored_pairs += (int64_t)n;
    return score_cached(R, pp, n, x->u->o->threshold, x->u->threads, x->cache, &x->u->links,
                        &R->st);
}

/*
 * Block, estimate and score of a full run over streamed pairs (pair_stream):
 * a pass counts them (and each ref's), a second takes EM's sample (the
 * pairs block() would give estimate(), by their places in the whole list:
 * stream_sample, only the refs that hold one), a third scores them,
 * keeping only the links; frozen parameters need the third alone. The
 * links and figures are those of run_block, run_estimate and run_score;
 * memory holds a range's pairs, not all of them.
 */
static int run_streamed(run *u, bool frozen, jd_error *err)
{
    rs *R = &u->R;
    pair_stream ps;
    double t = jd_secs(), tc = cpu_secs();
    int rc = stream_open(&ps, R, u->o->block_cap, u->threads);
    size_t np = 0;
    if (rc == JD_OK && !frozen)
        stream_count(&ps, &np);
    R->st.candidate_pairs = (int64_t)np;
    R->st.seconds_block = jd_secs() - t;
    R->st.cpu_block = cpu_secs() - tc;
    phase_mem(&R->st, MEM_BLOCK);
    if (rc < 0) {
        stream_free(&ps);
        return jd_oom(err);
    }
    if (frozen) {
        rc = run_estimate(u, true, err);
    } else {
        t = jd_secs();
        tc = cpu_secs();
        R->md.threshold = u->o->threshold;
        estimate_init(R, np, 0x5eed);
        if (np) {
            sample_sink_ctx sx = {em_stride(np), {.sz = sizeof(uint64_t)}};
            /* by the count's per-ref totals; without them (or should a
             * ref's pairs not be as many as counted), a pass */
            rc = stream_sample(&ps, sx.stride, &sx.out);
            if (rc == JD_EINVALID) {
                sx.out.n = 0;
                rc = stream_pass(&ps, false, sample_sink, &sx, &np);
            }
            free(ps.cnt); /* not needed again */
            ps.cnt = NULL;
            if (rc == JD_OK)
                estimate_sampled(R, sx.out.p, 1, sx.out.n, u->o->em_iterations, u->threads);
            free(sx.out.p);
        }
        weights_ready(R);
        R->st.seconds_estimate = jd_secs() - t;
        R->st.cpu_estimate = cpu_secs() - tc;
        rc = rc < 0 ? jd_oom(err) : rc;
    }
    phase_mem(&R->st, MEM_ESTIMATE);
    if (rc == JD_OK) {
        t = jd_secs();
        tc = cpu_secs();
        score_sink_ctx sx = {.u = u};
        for (int k = 0; k < u->threads; k++)
            sx.cache[k] = huge_calloc(sizeof(lvcache)); /* NULL: each call its own */
        rc = stream_pass(&ps, true, score_sink, &sx, &np); /* links are sorted later */
        R->st.candidate_pairs = (int64_t)np;
        for (int k = 0; k < u->threads; k++)
            free(sx.cache[k]);
        R->st.seconds_score = jd_secs() - t;
        R->st.cpu_score = cpu_secs() - tc;
        rc = rc < 0 ? jd_oom(err) : rc;
    }
    stream_free(&ps);
    phase_mem(&R->st, MEM_SCORE);
    return rc;
}

/* Everything up to the identities, with estimated or stored parameters. */
static int run_resolve(run *u, bool frozen, jd_error *err)
{
    int rc = run_load(u, err);
    if (rc == JD_OK)
        rc = fingerprints(u, err);
    phase_mem(&u->R.st, MEM_LOAD);
    if (rc == JD_OK) /* block, estimate, score; never all candidate pairs at once */
        rc = run_streamed(u, frozen, err);
    if (rc == JD_OK)
        rc = early_keys(u, err);
    if (rc == JD_OK)
        rc = run_cluster(u, err);
    rc = early_keys_join(u, rc, err);
    phase_mem(&u->R.st, MEM_CLUSTER);
    /* nor, once clustered, its hot records and event lists */
    void **done[] = {(void **)&u->R.h,     (void **)&u->R.spill,  (void **)&u->R.nl_off,
                     (void **)&u->R.nl_to, (void **)&u->R.co_off, (void **)&u->R.co_to};
    for (size_t k = 0; k < JD_ARRAY_LEN(done); k++) {
        free(*done[k]);
        *done[k] = NULL;
    }
    u->R.nspill = 0;
    if (rc == JD_OK)
        rc = run_identities(u, err);
    phase_mem(&u->R.st, MEM_IDENTITIES);
    return rc;
}

/* ---- the incremental run ---- */

static inline bool marked(const uint8_t *sel, const uint8_t *sel2, uint32_t i)
{
    return sel[i] || (sel2 && sel2[i]);
}

static int pair_push(vec *out, uint32_t a, uint32_t b)
{
    uint64_t *o = vec_push(out);
    if (!o)
        return JD_ENOMEM;
    *o = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
    return JD_OK;
}

/*
 * The candidate pairs block() lists with both refs (both) or either ref
 * marked in sel or sel2, sorted and distinct, into *out: the very pairs
 * score_some took from block()'s array, made from the kept keys (u->bk)
 * instead. A rule's block of at most block_cap entries pairs each marked
 * ref with every other ref of it (both: with every other marked one);
 * rule 11's pairs are those of block_keys. JD_OK or JD_ENOMEM.
 */
typedef struct keyset {
    const kv *k;        /* sorted (key, ref); rule 11's last */
    size_t n11;         /* the entries before rule 11's */
    const uint64_t *pr; /* rule 11's pairs (probe_pairs) */
    size_t npr;
    size_t cap;
} keyset;

static keyset kept_keys(const run *u)
{
    return (keyset){u->bk, u->bk_n11, u->bk_probe.p, u->bk_probe.n,
                    (size_t)(u->o->block_cap > 0 ? u->o->block_cap : 0)};
}

static int pairs_of(const keyset *ks, const uint8_t *sel, const uint8_t *sel2, bool both,
                    vec *out)
{
    const kv *k = ks->k;
    size_t cap = ks->cap;
    vec m = {.sz = sizeof(uint32_t)}; /* the marked refs of one block */
    int rc = JD_OK;
    for (size_t s = 0, e; rc == JD_OK && s < ks->n11; s = e) {
        for (e = s + 1; e < ks->n11 && k[e].key == k[s].key; e++)
            ;
        if (e - s > cap || e - s < 2)
            continue;
        m.n = 0;
        for (size_t q = s; rc == JD_OK && q < e; q++) {
            uint32_t *x = marked(sel, sel2, k[q].ref) ? vec_push(&m) : NULL;
            if (x)
                *x = k[q].ref;
            else if (marked(sel, sel2, k[q].ref))
                rc = JD_ENOMEM;
        }
        const uint32_t *mv = m.p;
        for (size_t i = 0; rc == JD_OK && i < m.n; i++) {
            uint32_t a = mv[i];
            if (both) {
                for (size_t j = i + 1; rc == JD_OK && j < m.n; j++)
                    rc = mv[j] != a ? pair_push(out, a, mv[j]) : JD_OK;
                continue;
            }
            for (size_t q = s; rc == JD_OK && q < e; q++) {
                uint32_t b = k[q].ref; /* a marked pair once, from its smaller ref */
                if (b != a && !(b < a && marked(sel, sel2, b)))
                    rc = pair_push(out, a, b);
            }
        }
    }
    free(m.p);
    const uint64_t *pr = ks->pr;
    for (size_t i = 0; rc == JD_OK && i < ks->npr; i++) {
        bool x = marked(sel, sel2, (uint32_t)(pr[i] >> 32)), y = marked(sel, sel2, (uint32_t)pr[i]);
        uint64_t *o = (both ? x && y : x || y) ? vec_push(out) : NULL;
        if (o)
            *o = pr[i];
        else if (both ? x && y : x || y)
            rc = JD_ENOMEM;
    }
    if (rc == JD_OK && jd_resolve__radix_sort_u64(out->p, out->n) < 0)
        rc = JD_ENOMEM;
    uint64_t *pp = out->p;
    size_t n = 0;
    for (size_t i = 0; rc == JD_OK && i < out->n; i++)
        if (!n || pp[n - 1] != pp[i])
            pp[n++] = pp[i];
    if (rc == JD_OK)
        out->n = n;
    return rc;
}

/* Every candidate pair of the county from the kept keys (as block() makes
 * them; its counts were taken by run_block_keys), the keys then freed: a
 * scope that grew to most of the county is resolved whole. */
static int pairs_all(run *u, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    rs *R = &u->R;
    int64_t by_rule[16] = {0}, skipped = 0;
    uint64_t *pp = NULL;
    size_t np = 0;
    int rc = jd_resolve__pairs(u->bk, u->bk_n11, (uint32_t)R->n,
                               (size_t)(u->o->block_cap > 0 ? u->o->block_cap : 0), u->threads,
                               &pp, &np, by_rule, &skipped);
    keys_hand_over(u);
    if (rc == JD_OK && u->bk_probe.n)
        rc = merge_pairs(&pp, &np, u->bk_probe.p, u->bk_probe.n);
    vec_drop(&u->bk_probe);
    if (rc < 0) {
        free(pp);
        return jd_oom(err);
    }
    free(u->pairs.p);
    u->pairs.p = pp;
    u->pairs.n = u->pairs.cap = np;
    R->st.candidate_pairs = (int64_t)np;
    R->st.seconds_block += jd_secs() - t;
    R->st.cpu_block += cpu_secs() - tc;
    return JD_OK;
}

/* Score the candidate pairs with both refs (both) or either ref marked in
 * sel[] into *out: from the kept keys (pairs_of; with both, the scope's,
 * counted as the run's candidate pairs), or from every candidate pair. */
static int score_some(run *u, const uint8_t *sel, const uint8_t *sel2, bool both, vec *out,
                      jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    const uint64_t *pp = u->pairs.p;
    size_t n = 0;
    uint64_t *sub = NULL;
    if (u->bk) {
        vec v = {.sz = sizeof(uint64_t)};
        keyset ks = kept_keys(u);
        if (pairs_of(&ks, sel, sel2, both, &v) != JD_OK) {
            free(v.p);
            return jd_oom(err);
        }
        sub = v.p;
        n = v.n;
        if (both)
            u->R.st.candidate_pairs = (int64_t)n;
    } else if ((sub = malloc((u->pairs.n ? u->pairs.n : 1) * sizeof *sub))) {
        for (size_t i = 0; i < u->pairs.n; i++) {
            uint32_t a = (uint32_t)(pp[i] >> 32), b = (uint32_t)pp[i];
            bool x = marked(sel, sel2, a), y = marked(sel, sel2, b);
            if (both ? x && y : x || y)
                sub[n++] = pp[i];
        }
    } else
        return jd_oom(err);
    u->R.st.scored_pairs += (int64_t)n;
    int rc = score_all(&u->R, sub, n, u->o->threshold, u->threads, out, &u->R.st);
    free(sub);
    u->R.st.seconds_score += jd_secs() - t;
    u->R.st.cpu_score += cpu_secs() - tc;
    return rc < 0 ? jd_oom(err) : JD_OK;
}

/* The walk over the old identities of scope_walk. */
typedef struct walk {
    run *u;
    const uint64_t *vk; /* (old id << 32 | ref), sorted */
    size_t nv;
    uint8_t *done;   /* [nv]: the identity whose votes start here was walked */
    vec todo;        /* (links away << 32 | old id) to walk */
    vec refq;        /* refs with no old identity, their households to walk */
    hh_index ax, px; /* households (join_household) */
    lvcache *lc;     /* names compared (hh_could_fit); NULL: only slower */
    uint32_t *tried; /* per sparse ref, the old identity it last did not fit */
    int hops;        /* how many links away to walk; 0: all */
    /* per ref, of its old identity (or itself, with none): W_FAM, some ref
     * of it is named with a sparse ref that could join someone (its
     * family: family_candidates); W_PLACE, with such a ref with no place
     * of its own (the places of the people named with it) */
    uint8_t *head;
    /* per ref, of the old identity it comes first in: its family walked
     * (fam_expand: 1, with places 2), its sparse refs walked (fam_back: 4) */
    uint8_t *fx;
} walk;

enum { W_FAM = 1, W_PLACE = 2 };

/* Ref i is re-resolved, and its old identity walked (a ref with none:
 * its households, hh_walk). */
static int walk_ref(walk *w, uint32_t i, uint32_t away)
{
    if (w->u->in[i] && !w->u->old.pid[i])
        return JD_OK;
    w->u->in[i] = 1;
    uint32_t id = w->u->old.pid[i];
    uint64_t *q = vec_push(id ? &w->todo : &w->refq);
    if (!q)
        return JD_ENOMEM;
    *q = (uint64_t)away << 32 | (id ? id : i);
    return JD_OK;
}

/*
 * The households of ref i (join_household): a sparse ref that may join a
 * household member, and the members it may join, are re-resolved
 * together. Where i is at a place (an address or a postcode of at most
 * HH_MEMBERS refs), the sparse refs there that could join someone; where i
 * is such a ref, everyone at its places; and the refs its events name with
 * it. Through w->head, a sparse ref's family (family_candidates: everyone
 * named with the person it is named with) and, for a sparse ref with no
 * place of its own, everyone at that person's places. What this still
 * misses (a person whose refs were not named with a sparse ref before
 * this run) join_household finds, and the run then resolves everything.
 */
/* Could sparse ref o fit the old identity of m (hh_could_fit)? Asked of
 * each ref of an identity at o's place in turn: answered once. */
static bool walk_fits(walk *w, uint32_t o, uint32_t m)
{
    uint32_t id = w->u->old.pid[m];
    if (id && w->tried[o] == id)
        return false;
    if (hh_could_fit(&w->u->R, o, m, w->lc))
        return true;
    w->tried[o] = id;
    return false;
}

/* Walk everyone at ref m's places (of at most HH_MEMBERS refs): the
 * sparse refs m's old identity could fit by names (hh_could_fit; those
 * that a new name of its cluster fits, join_household finds), and with
 * `all`, the refs that could fit sparse ref s (m itself; UINT32_MAX:
 * everyone). */
static int walk_places(walk *w, uint32_t m, uint32_t away, bool all, uint32_t s)
{
    const rs *R = &w->u->R;
    uint32_t ad[HH_KEYS], pc[HH_KEYS];
    int na = 0, np = 0;
    hh_keys(R, m, ad, &na, pc, &np);
    /* a changed ref writing an address with a postcode may change the
     * postcode the others written with that address alone take
     * (address_postcodes): they are walked too */
    bool votes = R->chg && R->chg[m] && R->r[m].addr && R->r[m].npc;
    for (int side = 0; side < 2; side++)
        for (int q = 0; q < (side ? np : na); q++) {
            const hh_index *x = side ? &w->px : &w->ax;
            size_t lo, hi = hh_range(x, side ? pc[q] : ad[q], &lo);
            for (size_t e = lo; hi - lo <= HH_MEMBERS && e < hi; e++) {
                uint32_t o = (uint32_t)x->k[e];
                /* else the sparse refs that could join someone there, and
                 * the people whose places such a ref takes */
                bool go = !w->u->in[o] &&
                          ((w->head[o] & W_PLACE) || (votes && !side && R->r[o].apc) ||
                           (hh_eligible(R, o) && walk_fits(w, o, m)) ||
                           (all && (s == UINT32_MAX || hh_could_fit(R, s, o, w->lc))));
                int rc = go ? walk_ref(w, o, away) : JD_OK;
                if (rc < 0)
                    return rc;
            }
        }
    return JD_OK;
}

/*
 * Sparse ref s (in scope) is named with t: the person t was (its old
 * identity, or t alone) is walked whole (walk_ref) and, once, so are
 * everyone named with any of its refs (s's family: family_candidates)
 * and, for an s with no place of its own, everyone at their places.
 */
static size_t old_first(const walk *w, uint32_t id)
{
    return id ? vk_first(w->vk, w->nv, id) : 0;
}

static int fam_expand(walk *w, uint32_t t, uint32_t away, bool fam, bool places)
{
    const rs *R = &w->u->R;
    uint32_t id = w->u->old.pid[t];
    size_t lo = old_first(w, id);
    uint32_t first = id ? (uint32_t)w->vk[lo] : t; /* where its flags are kept */
    uint8_t bit = (fam ? 1 : 0) | (places ? 2 : 0);
    if ((w->fx[first] & bit) == bit)
        return JD_OK;
    w->fx[first] |= bit;
    for (size_t k = lo; id ? k < w->nv && w->vk[k] >> 32 == id : k == lo; k++) {
        uint32_t m = id ? (uint32_t)w->vk[k] : t;
        int rc = JD_OK;
        for (uint32_t e = fam && R->co_off ? R->co_off[m] : 0;
             rc == JD_OK && fam && R->co_off && e < R->co_off[m + 1]; e++)
            if (!w->u->in[R->co_to[e]])
                rc = walk_ref(w, R->co_to[e], away);
        if (rc == JD_OK && places)
            rc = walk_places(w, m, away, true, UINT32_MAX);
        if (rc < 0)
            return rc;
    }
    return JD_OK;
}

/* Ref y (in scope) is named with m, a ref of a person (m's old identity)
 * that sparse refs are named with: y is in their family, and they are
 * walked (once for m's identity). */
static int fam_back(walk *w, uint32_t m, uint32_t away)
{
    const rs *R = &w->u->R;
    uint32_t id = w->u->old.pid[m];
    size_t lo = old_first(w, id);
    uint32_t first = id ? (uint32_t)w->vk[lo] : m;
    if (w->fx[first] & 4)
        return JD_OK;
    w->fx[first] |= 4;
    for (size_t k = lo; id ? k < w->nv && w->vk[k] >> 32 == id : k == lo; k++) {
        uint32_t t = id ? (uint32_t)w->vk[k] : m;
        for (uint32_t e = R->co_off[t]; e < R->co_off[t + 1]; e++) {
            uint32_t s = R->co_to[e];
            int rc = !w->u->in[s] && fam_eligible(R, s) ? walk_ref(w, s, away)
                                                                         : JD_OK;
            if (rc < 0)
                return rc;
        }
    }
    return JD_OK;
}

static int hh_walk(walk *w, uint32_t i, uint32_t away)
{
    if (w->hops && away >= (uint32_t)w->hops)
        return JD_OK; /* a household is one link away (--hops) */
    const rs *R = &w->u->R;
    bool me = hh_eligible(R, i);
    int rc = walk_places(w, i, away + 1, me, i);
    /* a ref dated at its event's postcode (join_dated_pc): the members
     * there who could fit it, at a postcode of up to DATED_PC_REFS refs */
    if (rc == JD_OK && dated_pc_eligible(R, i)) {
        size_t lo, hi = hh_range(&w->px, R->r[i].epc, &lo);
        for (size_t e = lo; rc == JD_OK && hi - lo <= DATED_PC_REFS && e < hi; e++) {
            uint32_t o = (uint32_t)w->px.k[e];
            bool go = !w->u->in[o] && (R->r[o].addr || R->r[o].npc) && hh_could_fit(R, i, o, w->lc);
            rc = go ? walk_ref(w, o, away + 1) : JD_OK;
        }
    }
    /* the refs its events name with it: a sparse ref's (and their family),
     * and those of a person a sparse ref is named with */
    for (uint32_t e = R->co_off ? R->co_off[i] : 0;
         rc == JD_OK && R->co_off && e < R->co_off[i + 1]; e++) {
        uint32_t o = R->co_to[e];
        bool go = me || hh_eligible(R, o);
        rc = !w->u->in[o] && go ? walk_ref(w, o, away + 1) : JD_OK;
        if (rc == JD_OK && me && (fam_eligible(R, i) || (!R->r[i].addr && !R->r[i].npc)))
            rc = fam_expand(w, o, away + 1, fam_eligible(R, i), !R->r[i].addr && !R->r[i].npc);
        else if (rc == JD_OK && (w->head[o] & W_FAM))
            rc = fam_back(w, o, away + 1);
    }
    return rc;
}
/* w->head (see walk) from the old identities (vk sorted by old id). */
static int walk_heads(walk *w, const uint64_t *vk, size_t nv)
{
    const rs *R = &w->u->R;
    w->head = calloc(R->n ? R->n : 1, 1);
    if (!w->head)
        return JD_ENOMEM;
    for (uint32_t i = 0; R->co_off && i < R->n; i++)
        for (uint32_t e = R->co_off[i]; e < R->co_off[i + 1]; e++) {
            uint32_t o = R->co_to[e];
            if (hh_eligible(R, o))
                w->head[i] |= (fam_eligible(R, o) ? W_FAM : 0) |
                              (R->r[o].addr || R->r[o].npc ? 0 : W_PLACE);
        }
    for (size_t a = 0, b; a < nv; a = b) { /* over each old identity */
        uint8_t f = 0;
        for (b = a; b < nv && vk[b] >> 32 == vk[a] >> 32; b++)
            f |= w->head[(uint32_t)vk[b]];
        for (size_t k = a; k < b; k++)
            w->head[(uint32_t)vk[k]] = f;
    }
    return JD_OK;
}

/* Every ref of old identity `id`, and the identities their old links
 * reached (their neighbours), to walk. */
static int walk_identity(walk *w, uint32_t id, uint32_t away)
{
    rs *R = &w->u->R;
    size_t lo = vk_first(w->vk, w->nv, id);
    if (lo >= w->nv || w->vk[lo] >> 32 != id || w->done[lo])
        return JD_OK;
    w->done[lo] = 1;
    for (size_t k = lo; k < w->nv && w->vk[k] >> 32 == id; k++) {
        uint32_t i = (uint32_t)w->vk[k];
        R->st.incr_scope_by_hop[away < 7 ? away : 7] += !w->u->in[i];
        w->u->in[i] = 1;
        int rc = hh_walk(w, i, away);
        if (rc < 0)
            return rc;
        uint32_t list = w->hops && away >= (uint32_t)w->hops ? 0 : w->u->old.nbr[i];
        for (const char *t = list ? pool_str(&R->ids, list) : ""; *t;) {
            size_t len = strcspn(t, " ");
            uint32_t other = pool_find(&R->ids, t, len);
            t += len + (t[len] == ' ');
            uint64_t *q = other ? vec_push(&w->todo) : NULL;
            if (other && !q)
                return JD_ENOMEM;
            if (q)
                *q = (uint64_t)(away + 1) << 32 | other;
        }
    }
    return JD_OK;
}

/*
 * The refs to re-resolve (u->in), without scoring the county: the changed
 * refs, those of blocks they pushed over the cap, those of decisions (one
 * made since the last run cannot be told apart), the refs their new links
 * (links1, scored now) reach; and, walked to the end, every old identity
 * any of them belongs to, and every identity its refs' old links reached
 * (the neighbours saved with each ref). An old link is within an identity
 * or saved as a neighbour on both sides, and a pair of unchanged refs
 * scores as it did, so this is the union of the components, old and new,
 * that the changes touch: clustering and ids are local to them. Returns
 * how many refs, or JD_ENOMEM.
 */
static int64_t scope_walk(run *u, const vec *links1)
{
    rs *R = &u->R;
    size_t n = R->n ? R->n : 1;
    walk w = {.u = u,
              .todo = {.sz = sizeof(uint64_t)},
              .refq = {.sz = sizeof(uint64_t)},
              .hops = u->o->incr_hops,
              .lc = huge_calloc(sizeof(lvcache))};
    uint64_t *vk = malloc(n * sizeof *vk);
    u->in = calloc(n, 1);
    int rc = vk && u->in && hh_build(R, &w.ax, &w.px) == 0 ? JD_OK : JD_ENOMEM;
    for (uint32_t i = 0; rc == JD_OK && i < R->n; i++)
        if (u->old.pid[i])
            vk[w.nv++] = (uint64_t)u->old.pid[i] << 32 | i;
    if (rc == JD_OK && jd_resolve__radix_sort_u64(vk, w.nv) < 0)
        qsort(vk, w.nv, sizeof *vk, cmp_u64);
    w.vk = vk;
    /* kept for join_household (hh_could_fit) */
    u->old.vk = vk;
    R->old_vk = vk;
    R->old_nv = w.nv;
    R->old_pid = u->old.pid;
    if (rc == JD_OK)
        rc = walk_heads(&w, vk, w.nv);
    w.fx = rc == JD_OK ? calloc(n, 1) : NULL;
    w.tried = w.fx ? calloc(n, sizeof *w.tried) : NULL;
    rc = w.tried ? rc : JD_ENOMEM;
    w.done = rc == JD_OK ? calloc(w.nv ? w.nv : 1, 1) : NULL;
    rc = w.done ? rc : JD_ENOMEM;
    for (uint32_t i = 0; rc == JD_OK && i < R->n; i++)
        if (u->chg[i] || (R->over && R->over[i]))
            rc = walk_ref(&w, i, 0);
    const decision *dv = u->decs.p;
    for (size_t k = 0; rc == JD_OK && k < u->decs.n; k++)
        if ((rc = walk_ref(&w, dv[k].a, 0)) == JD_OK)
            rc = walk_ref(&w, dv[k].b, 0);
    const match_link *lv = links1->p;
    for (size_t k = 0; rc == JD_OK && k < links1->n; k++)
        if ((rc = walk_ref(&w, lv[k].a, 0)) == JD_OK)
            rc = walk_ref(&w, lv[k].b, 0);
    for (size_t head = 0, rh = 0; rc == JD_OK && (head < w.todo.n || rh < w.refq.n);) {
        if (rh < w.refq.n) { /* a ref with no old identity: its households */
            uint64_t q = ((uint64_t *)w.refq.p)[rh++];
            rc = hh_walk(&w, (uint32_t)q, (uint32_t)(q >> 32));
            continue;
        }
        uint64_t q = ((uint64_t *)w.todo.p)[head++]; /* breadth first: the nearest way */
        rc = walk_identity(&w, (uint32_t)q, (uint32_t)(q >> 32));
    }
    int64_t nin = 0;
    for (uint32_t i = 0; rc == JD_OK && i < R->n; i++)
        nin += u->in[i];
    R->st.incr_scope_refs = nin;
    free(w.done);
    free(w.todo.p);
    free(w.refq.p);
    free(w.head);
    free(w.fx);
    free(w.tried);
    free(w.lc);
    free(w.ax.k);
    free(w.px.k);
    return rc == JD_OK ? nin : JD_ENOMEM;
}

/* What changed for each person_id of the refs re-resolved. */
static int run_changes(run *u, jd_person_set **set, jd_error *err)
{
    rs *R = &u->R;
    jd_resolve__moved *m = malloc((R->n ? R->n : 1) * sizeof *m);
    if (!m)
        return jd_oom(err);
    size_t n = 0;
    for (uint32_t i = 0; i < R->n; i++)
        if (u->in[i])
            m[n++] = (jd_resolve__moved){u->old.pid[i] ? pool_str(&R->ids, u->old.pid[i]) : NULL,
                                         u->saves[i].person_id, u->chg[i] != 0};
    int rc = jd_resolve__changes(m, n, set);
    free(m);
    return rc < 0 ? jd_oom(err) : JD_OK;
}

/* How many identities there are after the run: those of the refs not
 * re-resolved, and those just made. */
static int64_t identities_after(const run *u)
{
    uint8_t *seen = calloc(u->R.ids.len + 2, 1);
    if (!seen)
        return -1;
    int64_t n = (int64_t)u->ninfo;
    for (uint32_t i = 0; i < u->R.n; i++) {
        uint32_t id = u->old.pid[i];
        if (!u->in[i] && id && !seen[id]) {
            seen[id] = 1;
            n++;
        }
    }
    free(seen);
    return n;
}

/* Is ref i's stored row (identity_ref: person_id, fingerprint, neighbours)
 * what this run would write? */
static bool ref_row_same(const run *u, uint32_t i)
{
    const rs *R = &u->R;
    const jd_identity_save *v = &u->saves[i];
    const char *nbr = u->old.nbr[i] ? pool_str(&R->ids, u->old.nbr[i]) : NULL;
    return !u->chg[i] && u->old.pid[i] && u->old.fp[i] == v->fp &&
           !strcmp(pool_str(&R->ids, u->old.pid[i]), v->person_id) &&
           (nbr && v->nbr ? !strcmp(nbr, v->nbr) : !nbr && !v->nbr);
}

/* Write the identities of the refs re-resolved, the gone ones deleted and
 * the changes recorded, in one transaction. */
static int run_update(run *u, jd_person_set *set, jd_error *err)
{
    double t = jd_secs(), tc = cpu_secs();
    rs *R = &u->R;
    jd_identity_save *refs = malloc((R->n ? R->n : 1) * sizeof *refs);
    const char **gone = malloc((set->n + 1) * sizeof *gone);
    jd_identity_change_save *ch = malloc((set->n + 1) * sizeof *ch);
    if (!refs || !gone || !ch) {
        free(refs);
        free(gone);
        free(ch);
        return jd_oom(err);
    }
    jd_identity_update up = {.refs = refs,
                             .info = u->info,
                             .ninfo = u->ninfo,
                             .gone = gone,
                             .changes = ch,
                             .refs_total = (int64_t)R->n,
                             .candidate_pairs = R->st.candidate_pairs,
                             .links = R->st.links,
                             .identities_total = identities_after(u),
                             .run_id = &set->run_id};
    /* only the refs whose row changes: a new person_id, fingerprint or
     * neighbours (most of a scope is re-resolved to what it was) */
    for (uint32_t i = 0; i < R->n; i++)
        if (u->in[i] && !ref_row_same(u, i))
            refs[up.nrefs++] = u->saves[i];
    R->st.incr_saved_refs = (int64_t)up.nrefs;
    for (size_t k = 0; k < set->n; k++) {
        ch[up.nchanges++] =
            (jd_identity_change_save){set->v[k].person_id, set->v[k].other, set->v[k].how};
        if (set->v[k].how & JD_PERSON_GONE)
            gone[up.ngone++] = set->v[k].person_id;
    }
    int rc = u->s->ops->identities_update(u->s, &up, err);
    if (u->o->resident && u->ids_gen_known && rc == JD_OK) /* the kept rows patched */
        jd_resolve__resident_ids_saved(u->o->resident, u->s, u->ids_gen, set->run_id, refs,
                                       up.nrefs);
    else if (u->o->resident) /* a failed save: read them again */
        jd_resolve__resident_ids_drop(u->o->resident);
    free(refs);
    free(gone);
    free(ch);
    R->st.seconds_save += jd_secs() - t;
    R->st.cpu_save += cpu_secs() - tc;
    return rc;
}

/* Before a run's first write: the caller's hook (jd_resolve_opts), if any. */
static int write_first(const jd_resolve_opts *o)
{
    if (o->before_write)
        o->before_write(o->before_write_arg);
    return JD_OK;
}

/* The resolve watermark now into out (JD_MARK_MAX; "" when the store
 * keeps none): taken before a run reads anything, saved once its
 * identities are (mark_save). */
static int mark_take(jd_store *s, char *out, jd_error *err)
{
    const struct jd_incr_ops *I = s->ops->incr;
    out[0] = '\0';
    return I && I->resolve_mark_now ? I->resolve_mark_now(s, out, err) : JD_OK;
}

static int mark_save(jd_store *s, const char *mark, jd_error *err)
{
    const struct jd_incr_ops *I = s->ops->incr;
    return mark[0] && I && I->resolve_mark_set ? I->resolve_mark_set(s, mark, err) : JD_OK;
}

typedef struct since_ctx {
    const rs *R;
    uint8_t *listed;
    int64_t n;
} since_ctx;

static int on_since(const char *agency, const char *ref, void *payload)
{
    since_ctx *c = payload;
    int i = find_ref(c->R, agency, ref);
    c->n++;
    if (i >= 0)
        c->listed[i] = 1;
    return JD_OK;
}

/*
 * Step 1b of loading only the scope (docs/internals/resolve.md), checked
 * on a run that loaded the county: the listed refs (listed[]) loaded
 * alone with every mention of their events (mentions_around: a ref's
 * fingerprint reads the refs its events name beside it, so those are
 * loaded too, as partial refs whose own fingerprints are not made), and
 * their fingerprints made from that load compared with the county's
 * (incr_fp_loaded: the refs loaded; incr_fp_missed: listed refs whose
 * fingerprint differs, 0 when exact). The load's CPU is what the scoped
 * run will spend on it (cpu_incr_fp_load).
 */
typedef struct stored_fp {
    const rs *S;
    int64_t *fp; /* [S->n]: the stored fingerprint, 0 none (no row) */
} stored_fp;

static int on_stored_fp(const jd_identity_row *r, void *payload)
{
    stored_fp *c = payload;
    int j = r->person_id ? find_ref(c->S, r->agency, r->person_ref) : -1;
    if (j >= 0)
        c->fp[j] = r->fp; /* 0 (none stored) is never a fingerprint: changed */
    return JD_OK;
}

static int fp_check(run *u, const uint8_t *listed, jd_error *err)
{
    rs *R = &u->R;
    const struct jd_incr_ops *I = u->s->ops->incr;
    if (!u->s->ops->mentions_around || !I || !I->identity_refs_of)
        return JD_OK;
    double tc = cpu_secs();
    size_t n = 0;
    for (uint32_t i = 0; i < R->n; i++)
        n += listed[i];
    const char **ag = malloc((n ? n : 1) * sizeof *ag), **rf = malloc((n ? n : 1) * sizeof *rf);
    if (!ag || !rf) {
        free(ag);
        free(rf);
        return jd_oom(err);
    }
    n = 0;
    for (uint32_t i = 0; i < R->n; i++)
        if (listed[i]) {
            ag[n] = pool_str(&R->ids, R->r[i].agency);
            rf[n++] = pool_str(&R->ids, R->r[i].ref);
        }
    rs S;
    memset(&S, 0, sizeof S);
    int rc = prepare_from(&S, u->s, u->o->variants, ag, rf, n, NULL, err);
    stored_fp c = {&S, rc == JD_OK ? calloc(S.n ? S.n : 1, sizeof *c.fp) : NULL};
    if (rc == JD_OK && !c.fp)
        rc = jd_oom(err);
    if (rc == JD_OK)
        rc = I->identity_refs_of(u->s, ag, rf, n, NULL, 0, on_stored_fp, &c, err);
    R->st.cpu_incr_fp_load = cpu_secs() - tc;
    if (rc == JD_OK) {
        R->st.incr_fp_loaded = (int64_t)S.n;
        R->st.incr_fp_changed = R->st.incr_fp_missed = 0;
        for (size_t k = 0; k < n; k++) {
            int i = find_ref(R, ag[k], rf[k]), j = find_ref(&S, ag[k], rf[k]);
            int64_t fp = j >= 0 ? ref_fp(&S, (uint32_t)j) : 0;
            bool chg = j >= 0 && c.fp[j] != fp;
            R->st.incr_fp_changed += chg;
            R->st.incr_fp_missed += i < 0 || j < 0 || fp != u->fp[i] || chg != !!u->chg[i];
        }
    }
    free(c.fp);
    rs_free(&S);
    free(ag);
    free(rf);
    return rc;
}

/*
 * The first step of loading only the scope (docs/internals/resolve.md):
 * the changed refs found without the county, as the refs the store lists
 * since the last run's watermark (refs_since). Here, on a run that loaded
 * the county, they are counted against the refs whose fingerprint changed
 * (incr_mark_refs, incr_mark_missed: 0 when the watermark finds every
 * change); -1 both when the store keeps no watermark (an older store, or
 * one resolved before it was kept).
 */
/*
 * A check of the scoped load (mark_check, scope_check, tally_check) whose
 * store read failed (rc < 0): its figures stay -2, the failure is counted
 * with its message (incr_checks_failed) and the resolve carries on. A
 * check is no part of the result; it must not end a real resolve.
 */
static int check_failed(run *u, int rc, jd_error *err)
{
    if (rc >= 0)
        return rc;
    jd_resolve_stats *st = &u->R.st;
    if (!st->incr_checks_failed++)
        snprintf(st->incr_check_error, sizeof st->incr_check_error, "%s",
                 err && err->msg[0] ? err->msg : jd_code_name(rc));
    if (err)
        jd_error_clear(err);
    return JD_OK;
}

static int mark_check(run *u, jd_error *err)
{
    rs *R = &u->R;
    R->st.incr_mark_refs = R->st.incr_mark_missed = -1;
    R->st.incr_fp_loaded = R->st.incr_fp_changed = R->st.incr_fp_missed = -1;
    const struct jd_incr_ops *I = u->s->ops->incr;
    char was[JD_MARK_MAX];
    if (!I || !I->resolve_mark_get || !I->refs_since)
        return JD_OK;
    int rc = I->resolve_mark_get(u->s, was, err);
    if (rc == JD_OK && !was[0])
        return rc;
    since_ctx c = {R, rc == JD_OK ? calloc(R->n ? R->n : 1, 1) : NULL, 0};
    if (rc == JD_OK && !c.listed)
        rc = jd_oom(err);
    if (rc == JD_OK)
        rc = I->refs_since(u->s, was, on_since, &c, err);
    if (rc == JD_OK) {
        R->st.incr_mark_refs = c.n;
        R->st.incr_mark_missed = 0;
        for (uint32_t i = 0; i < R->n; i++)
            R->st.incr_mark_missed += u->chg[i] && !c.listed[i];
        rc = fp_check(u, c.listed, err);
    }
    free(c.listed);
    if (rc < 0) /* a read failed: not checked (check_failed) */
        R->st.incr_mark_refs = R->st.incr_mark_missed = R->st.incr_fp_loaded =
            R->st.incr_fp_changed = R->st.incr_fp_missed = -2;
    return rc;
}

typedef struct keyref_ctx {
    const rs *R;
    const uint8_t *chg;
    vec *ent;
} keyref_ctx;

/* A stored (key, ref): kept for an unchanged ref (a changed ref's stored
 * keys are its old ones; its keys now are added apart). */
static int on_keyref(uint64_t key, const char *agency, const char *ref, void *payload)
{
    keyref_ctx *c = payload;
    int i = find_ref(c->R, agency, ref);
    if (i < 0 || c->chg[i])
        return JD_OK;
    kv *e = vec_push(c->ent);
    if (!e)
        return JD_ENOMEM;
    e->key = key;
    e->ref = (uint32_t)i;
    return JD_OK;
}

/* How many of a[0..na) and b[0..nb) (both sorted, distinct) are not in
 * the other. */
static int64_t sorted_diff(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    int64_t d = 0;
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        if (j == nb || (i < na && a[i] < b[j]))
            d++, i++;
        else if (i == na || b[j] < a[i])
            d++, j++;
        else
            i++, j++;
    }
    return d;
}

/*
 * The blocks of the refs marked in sel as the store holds them (step 2 of
 * loading only the scope, docs/internals/resolve.md): the keys those refs
 * carry now (and, for rule 11, the other half of each of its blocks) are
 * looked up (refs_by_keys); their stored lists with the changed refs taken
 * out (their stored keys are their old ones) and put back under their keys
 * now are those blocks as the county holds them, so the cap sees the
 * county's sizes. [out] *ks (pointing into ent and probe, the caller's to
 * free) and *have (false: the store holds no keys). JD_OK, JD_ENOMEM or a
 * store error.
 */
static int stored_blocks(run *u, const uint8_t *sel, vec *ent, vec *probe, keyset *ks,
                         bool *have, jd_error *err)
{
    rs *R = &u->R;
    key_job j = {R, 0, (uint32_t)R->n, {.sz = sizeof(kv)}, JD_OK, sel, 0};
    keys_range(&j);
    *ent = j.keys;
    size_t na = 0;
    uint64_t *ask = j.rc == JD_OK ? malloc((2 * ent->n + 1) * sizeof *ask) : NULL;
    int rc = ask ? JD_OK : JD_ENOMEM;
    kv *k = ent->p;
    size_t ne = 0;
    for (size_t i = 0; rc == JD_OK && i < ent->n; i++) {
        ask[na++] = k[i].key;
        if (k[i].key >> 60 == 11)
            ask[na++] = k[i].key ^ 1; /* a probe's targets, a target's probes */
        if (u->chg[k[i].ref]) /* an unchanged ref's entries come from the store */
            k[ne++] = k[i];
    }
    ent->n = ne;
    if (rc == JD_OK && jd_resolve__radix_sort_u64(ask, na) < 0)
        rc = JD_ENOMEM;
    size_t nd = 0;
    for (size_t i = 0; rc == JD_OK && i < na; i++)
        if (!nd || ask[nd - 1] != ask[i])
            ask[nd++] = ask[i];
    keyref_ctx c = {R, u->chg, ent};
    *have = false;
    if (rc == JD_OK)
        rc = u->s->ops->refs_by_keys(u->s, ask, nd, have, on_keyref, &c, err);
    free(ask);
    size_t cap = (size_t)(u->o->block_cap > 0 ? u->o->block_cap : 0), n11 = ent->n;
    k = ent->p;
    if (rc == JD_OK && *have && sort_keys(k, ent->n) < 0) /* (key, ref) */
        rc = JD_ENOMEM;
    if (rc == JD_OK && *have) {
        ent->n = distinct_keys(k, ent->n);
        n11 = ent->n;
        while (n11 > 0 && k[n11 - 1].key >> 60 == 11)
            n11--;
        int64_t proposed = 0, skipped = 0;
        rc = probe_pairs(k + n11, ent->n - n11, cap, probe, &proposed, &skipped);
    }
    *ks = (keyset){k, n11, probe->p, probe->n, cap};
    return rc == JD_ENOMEM ? jd_oom(err) : rc;
}

/*
 * Step 2 checked on a run that loaded the county: the changed refs'
 * candidate pairs from their stored blocks (stored_blocks), and
 * mark_over_cap on them. incr_keys_pairs: the pairs made so;
 * incr_keys_missed: pairs the county's blocking gives and these do not or
 * the other way, and refs marked over the cap by one and not the other (0:
 * exact); both -2 when the store holds no keys.
 */
static int keys_check(run *u, jd_error *err)
{
    rs *R = &u->R;
    R->st.incr_keys_pairs = R->st.incr_keys_missed = -2;
    if (!u->s->ops->refs_by_keys || !u->bk)
        return JD_OK;
    vec ent = {.sz = sizeof(kv)}, probe = {.sz = sizeof(uint64_t)},
        got = {.sz = sizeof(uint64_t)}, want = {.sz = sizeof(uint64_t)};
    uint8_t *over = calloc(R->n ? R->n : 1, 1);
    keyset store, county = kept_keys(u);
    bool have = false;
    int rc = over ? stored_blocks(u, u->chg, &ent, &probe, &store, &have, err) : jd_oom(err);
    if (rc == JD_OK && have) {
        mark_over_cap(store.k, ent.n, store.cap, u->chg, over);
        if ((rc = pairs_of(&store, u->chg, NULL, false, &got)) == JD_OK)
            rc = pairs_of(&county, u->chg, NULL, false, &want);
        if (rc == JD_OK) {
            R->st.incr_keys_pairs = (int64_t)got.n;
            R->st.incr_keys_missed = sorted_diff(got.p, got.n, want.p, want.n);
            for (uint32_t i = 0; i < R->n; i++)
                R->st.incr_keys_missed += over[i] != R->over[i];
        }
    }
    free(over);
    free(ent.p);
    free(probe.p);
    free(got.p);
    free(want.p);
    return rc == JD_ENOMEM ? jd_oom(err) : rc;
}

/* (key, ref) order. */
/* How many entries of a[0..na) and b[0..nb) (both in (key, ref) order,
 * distinct) are not in the other. */
static int64_t kv_diff(const kv *a, size_t na, const kv *b, size_t nb)
{
    int64_t d = 0;
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : cmp_kv(&a[i], &b[j]);
        d += c != 0;
        i += c <= 0;
        j += c >= 0;
    }
    return d;
}

typedef struct place_ctx {
    const rs *R;
    const uint8_t *chg;
    vec *ent;
    int64_t unknown; /* stored refs the county does not hold */
} place_ctx;

/* A stored (place, ref): kept for an unchanged ref (a changed ref's are
 * its places before; its places now are added apart). */
static int on_placeref(uint64_t key, const char *agency, const char *ref, void *payload)
{
    place_ctx *c = payload;
    int i = find_ref(c->R, agency, ref);
    c->unknown += i < 0;
    kv *e = i >= 0 && !c->chg[i] ? vec_push(c->ent) : NULL;
    if (e)
        *e = (kv){.key = key, .ref = (uint32_t)i};
    return i >= 0 && !c->chg[i] && !e ? JD_ENOMEM : JD_OK;
}

/* The places of refs (sel; NULL: all) sorted by (key, ref), distinct, and
 * only those of keys in ask[0..nask) when ask. JD_OK or JD_ENOMEM. */
static int places_of(const rs *R, const uint8_t *sel, const uint64_t *ask, size_t nask, vec *out)
{
    key_job j = {R, 0, (uint32_t)R->n, {.sz = sizeof(kv)}, JD_OK, sel, 2};
    keys_range(&j);
    kv *k = j.keys.p;
    size_t n = 0;
    for (size_t i = 0; j.rc == JD_OK && i < j.keys.n; i++)
        if (!ask || bsearch(&k[i].key, ask, nask, sizeof *ask, cmp_u64))
            k[n++] = k[i];
    if (n)
        qsort(k, n, sizeof *k, cmp_kv);
    j.keys.n = distinct_keys(k, n);
    *out = j.keys;
    return j.rc;
}

/*
 * The household places stored with the keys (keys_household), checked on
 * a run that loaded the county: the places of the changed refs now are
 * looked up (refs_by_keys); their stored lists, with the changed refs
 * taken out and put back under their places now, are compared with the
 * county's refs at those places. incr_hh_places: the places;
 * incr_hh_big: of them, over HH_MEMBERS refs by the stored lists (a
 * household join_household does not look into); incr_hh_missed: (place,
 * ref) entries in one and not the other, and stored refs the county does
 * not hold (0: exact); all -2 when the store keeps no places (resolved
 * before they were kept).
 */
static int hh_check(run *u, jd_error *err)
{
    rs *R = &u->R;
    R->st.incr_hh_places = R->st.incr_hh_big = R->st.incr_hh_missed = -2;
    if (!u->s->ops->refs_by_keys || !u->places_kept)
        return JD_OK;
    vec ent = {.sz = sizeof(kv)}, want = {.sz = sizeof(kv)};
    int rc = places_of(R, u->chg, NULL, 0, &ent);
    size_t nd = 0;
    uint64_t *ask = rc == JD_OK ? malloc((ent.n + 1) * sizeof *ask) : NULL;
    rc = ask ? rc : JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < ent.n; i++) /* sorted by key */
        if (!nd || ask[nd - 1] != ((kv *)ent.p)[i].key)
            ask[nd++] = ((kv *)ent.p)[i].key;
    bool have = false;
    place_ctx c = {R, u->chg, &ent, 0};
    if (rc == JD_OK)
        rc = u->s->ops->refs_by_keys(u->s, ask, nd, &have, on_placeref, &c, err);
    if (rc == JD_OK && have)
        rc = places_of(R, NULL, ask, nd, &want);
    if (rc == JD_OK && have) {
        kv *k = ent.p;
        if (ent.n) /* no places among the changed refs: ent.p is NULL */
            qsort(k, ent.n, sizeof *k, cmp_kv);
        ent.n = distinct_keys(k, ent.n);
        R->st.incr_hh_places = (int64_t)nd;
        R->st.incr_hh_big = 0;
        for (size_t a = 0, b; a < ent.n; a = b) {
            for (b = a; b < ent.n && k[b].key == k[a].key; b++)
                ;
            R->st.incr_hh_big += b - a > HH_MEMBERS;
        }
        R->st.incr_hh_missed = kv_diff(k, ent.n, want.p, want.n) + c.unknown;
    }
    free(ask);
    free(ent.p);
    free(want.p);
    return rc == JD_ENOMEM ? jd_oom(err) : rc;
}

/* The scope's stored rows (identity_refs_of) against the county's read of
 * every row (load_old): person_id, fingerprint and neighbours of each ref
 * in scope. */
typedef struct scope_rows {
    const run *u;
    uint8_t *seen; /* [R->n] */
    int64_t rows, missed;
} scope_rows;

static int on_scope_row(const jd_identity_row *r, void *payload)
{
    scope_rows *c = payload;
    const run *u = c->u;
    const rs *R = &u->R;
    int i = r->person_id ? find_ref(R, r->agency, r->person_ref) : -1;
    c->rows++;
    if (i < 0 || !u->in[i]) {
        c->missed++;
        return JD_OK;
    }
    c->seen[i] = 1;
    const char *nbr = u->old.nbr[i] ? pool_str(&R->ids, u->old.nbr[i]) : "";
    c->missed += !u->old.pid[i] || strcmp(pool_str(&R->ids, u->old.pid[i]), r->person_id) ||
                 u->old.fp[i] != r->fp || strcmp(nbr, r->nbr ? r->nbr : "");
    return JD_OK;
}

/* How many of the scope's stored rows, read alone, differ from the
 * county's read (rows missing too); incr_scope_rows and its CPU set. */
static int64_t scope_rows_check(run *u, const char **ag, const char **rf, size_t n,
                                jd_error *err)
{
    const struct jd_incr_ops *I = u->s->ops->incr;
    rs *R = &u->R;
    if (!I || !I->identity_refs_of)
        return 0;
    double tc = cpu_secs();
    scope_rows c = {u, calloc(R->n ? R->n : 1, 1), 0, 0};
    if (!c.seen)
        return jd_oom(err);
    int rc = I->identity_refs_of(u->s, ag, rf, n, NULL, 0, on_scope_row, &c, err);
    for (uint32_t i = 0; rc == JD_OK && i < R->n; i++)
        c.missed += u->in[i] && u->old.pid[i] && !c.seen[i];
    free(c.seen);
    R->st.incr_scope_rows = c.rows;
    R->st.cpu_incr_scope_rows = cpu_secs() - tc;
    return rc < 0 ? rc : c.missed;
}

/*
 * Step 4 of loading only the scope (docs/internals/resolve.md), checked on
 * a run that loaded the county: the scope's refs (u->in) loaded alone
 * with every mention of their events (prepare_from: mentions_around), their
 * fingerprints so made compared with the county's, and the scope's
 * candidate pairs made from their stored blocks (stored_blocks: the
 * county's block sizes, so a block over the cap in the county is skipped
 * however few of its refs are in scope) compared with the county's
 * (pairs_of with both refs in scope). incr_scope_loaded: the refs loaded
 * (the scope and everyone its events name); incr_scope_missed: scope refs
 * whose fingerprint differs or which the load lacks, and pairs in one and
 * not the other (0: exact); incr_scope_capped: blocks over the cap in the
 * county holding 2 to cap refs of the scope (blocked by the scope's own
 * sizes, they would give pairs the county's blocking does not); -1 when
 * not checked, -2 when the store holds no keys or lacks the loads.
 */
static int scope_check(run *u, jd_error *err)
{
    rs *R = &u->R;
    jd_resolve_stats *st = &R->st;
    st->incr_scope_loaded = st->incr_scope_pairs = st->incr_scope_missed = -2;
    st->incr_scope_capped = -2;
    if (!u->s->ops->refs_by_keys || !u->s->ops->mentions_around || !u->bk)
        return JD_OK;
    double tc = cpu_secs();
    size_t n = 0;
    for (uint32_t i = 0; i < R->n; i++)
        n += u->in[i];
    const char **ag = malloc((n ? n : 1) * sizeof *ag), **rf = malloc((n ? n : 1) * sizeof *rf);
    rs S;
    memset(&S, 0, sizeof S);
    int rc = ag && rf ? JD_OK : jd_oom(err);
    for (uint32_t i = 0, k = 0; rc == JD_OK && i < R->n; i++)
        if (u->in[i]) {
            ag[k] = pool_str(&R->ids, R->r[i].agency);
            rf[k++] = pool_str(&R->ids, R->r[i].ref);
        }
    if (rc == JD_OK)
        rc = prepare_from(&S, u->s, u->o->variants, ag, rf, n, NULL, err);
    st->cpu_incr_scope_load = cpu_secs() - tc;
    int64_t missed = rc == JD_OK ? scope_rows_check(u, ag, rf, n, err) : 0;
    if (missed < 0)
        rc = (int)missed;
    for (uint32_t i = 0; rc == JD_OK && i < R->n; i++) {
        int j = u->in[i] ? find_ref(&S, pool_str(&R->ids, R->r[i].agency),
                                    pool_str(&R->ids, R->r[i].ref))
                         : 0;
        missed += u->in[i] && (j < 0 || ref_fp(&S, (uint32_t)j) != u->fp[i]);
    }
    st->incr_scope_loaded = rc == JD_OK ? (int64_t)S.n : -2;
    rs_free(&S);
    free(ag);
    free(rf);
    tc = cpu_secs();
    vec ent = {.sz = sizeof(kv)}, probe = {.sz = sizeof(uint64_t)},
        got = {.sz = sizeof(uint64_t)}, want = {.sz = sizeof(uint64_t)};
    keyset store, county = kept_keys(u);
    bool have = false;
    if (rc == JD_OK)
        rc = stored_blocks(u, u->in, &ent, &probe, &store, &have, err);
    if (rc == JD_OK && have && (rc = pairs_of(&store, u->in, NULL, true, &got)) == JD_OK)
        rc = pairs_of(&county, u->in, NULL, true, &want);
    st->cpu_incr_scope_keys = cpu_secs() - tc;
    if (rc == JD_OK && have) {
        st->incr_scope_pairs = (int64_t)got.n;
        st->incr_scope_missed = missed + sorted_diff(got.p, got.n, want.p, want.n);
        st->incr_scope_capped = 0; /* blocks the cap skips that the scope alone would keep */
        for (size_t a = 0, b; a < store.n11; a = b) {
            size_t m = 0;
            for (b = a; b < store.n11 && store.k[b].key == store.k[a].key; b++)
                m += u->in[store.k[b].ref];
            st->incr_scope_capped += b - a > store.cap && m >= 2 && m <= store.cap;
        }
    } else if (rc == JD_OK)
        st->incr_scope_loaded = -2;
    free(ent.p);
    free(probe.p);
    free(got.p);
    free(want.p);
    return rc == JD_ENOMEM ? jd_oom(err) : rc;
}

/*
 * The scoped load's fresh ids and identity count, checked on a run that
 * loaded the county: the store's count of identities and highest person
 * number before the run (identity_tally) against the highest number of the
 * stored refs' rows (old.max_num, where fresh ids start), and, once
 * identified, the identities after the run as the store's count less the
 * old identities in scope plus those made, against identities_after's
 * count over the county (tally_after). incr_tally_identities: the store's
 * count; incr_tally_missed: values that differ (0: exact; the scope holds
 * whole old identities); -1 not checked, -2 the store lacks the op.
 */
static int tally_check(run *u, jd_error *err)
{
    const struct jd_incr_ops *I = u->s->ops->incr;
    jd_resolve_stats *st = &u->R.st;
    st->incr_tally_identities = st->incr_tally_missed = -2;
    if (!I || !I->identity_tally)
        return JD_OK;
    int rc = I->identity_tally(u->s, &u->tally_n, &u->tally_max, err);
    if (rc == JD_OK) {
        st->incr_tally_identities = u->tally_n;
        st->incr_tally_missed = u->tally_max != (int64_t)u->old.max_num;
    }
    return rc;
}

static int tally_after(run *u)
{
    jd_resolve_stats *st = &u->R.st;
    if (st->incr_tally_missed < 0)
        return JD_OK;
    uint8_t *seen = calloc(u->R.ids.len + 2, 1);
    if (!seen)
        return JD_ENOMEM;
    int64_t n = u->tally_n + (int64_t)u->ninfo;
    for (uint32_t i = 0; i < u->R.n; i++) {
        uint32_t id = u->old.pid[i];
        n -= u->in[i] && id && !seen[id];
        if (u->in[i] && id)
            seen[id] = 1;
    }
    free(seen);
    st->incr_tally_missed += n != identities_after(u);
    return JD_OK;
}

/* Up to the scope: load, fingerprints against the stored ones, blocking
 * (noting blocks pushed over the cap), the stored parameters, scoring. */
static int incr_prepare(run *u, bool small, jd_error *err)
{
    int rc = run_load(u, err);
    double tc = cpu_secs();
    if (rc == JD_OK)
        rc = fingerprints(u, err);
    u->old.fp = calloc(u->R.n ? u->R.n : 1, sizeof *u->old.fp);
    u->old.nbr = calloc(u->R.n ? u->R.n : 1, sizeof *u->old.nbr);
    u->chg = calloc(u->R.n ? u->R.n : 1, 1);
    u->R.over = calloc(u->R.n ? u->R.n : 1, 1);
    if (rc == JD_OK && (!u->old.fp || !u->old.nbr || !u->chg || !u->R.over))
        rc = jd_oom(err);
    if (rc == JD_OK)
        rc = load_old(u, err);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < u->R.n; i++) {
        u->chg[i] = !u->old.pid[i] || u->old.fp[i] != u->fp[i];
        u->R.st.incr_refs += u->chg[i];
    }
    jd_resolve_stats *st = &u->R.st;
    if (u->o->incr_no_checks) /* not checked: -3 (jd_resolve_opts) */
        st->incr_mark_refs = st->incr_mark_missed = st->incr_fp_loaded = st->incr_fp_changed =
            st->incr_fp_missed = -3;
    else if ((rc = check_failed(u, mark_check(u, err), err)) < 0)
        return rc;
    u->R.st.cpu_incr_old = cpu_secs() - tc;
    /* much has changed: everything is resolved again, the parameters too */
    double share = u->o->incr_max_share;
    bool full = (share > 0 && (double)u->R.st.incr_refs > share * (double)u->R.n) || small;
    u->R.chg = full ? NULL : u->chg;
    if (full && (u->in = malloc(u->R.n ? u->R.n : 1)))
        memset(u->in, 1, u->R.n);
    if (full && !u->in)
        return jd_oom(err);
    int64_t no = u->o->incr_no_checks ? -3 : -1; /* not checked */
    st->incr_keys_pairs = st->incr_keys_missed = no;
    st->incr_hh_places = st->incr_hh_big = st->incr_hh_missed = no;
    rc = full ? run_block(u, err) : run_block_keys(u, err);
    if (rc == JD_OK && !full && !u->o->incr_no_checks)
        rc = keys_check(u, err);
    if (rc == JD_OK && !full && !u->o->incr_no_checks)
        rc = hh_check(u, err);
    if (rc == JD_OK && (rc = run_estimate(u, !full, err)) == JD_OK)
        rc = full ? run_score(u, err) : JD_OK;
    if (rc == JD_OK)
        rc = load_decisions(u, err);
    return rc;
}

/* The refs to re-resolve and their links: the changed refs' pairs scored,
 * the scope walked from them, then every pair within it scored. */
static int64_t incr_scope(run *u, jd_error *err)
{
    vec links1 = {.sz = sizeof(match_link)};
    int rc = score_some(u, u->chg, u->R.over, false, &links1, err);
    double tc = cpu_secs();
    int64_t nin = rc == JD_OK ? scope_walk(u, &links1) : rc;
    u->R.st.cpu_incr_walk = cpu_secs() - tc;
    free(links1.p);
    if (nin == JD_ENOMEM)
        return jd_oom(err);
    if (nin >= 0 && (rc = score_some(u, u->in, NULL, true, &u->links, err)) < 0)
        return rc;
    return nin;
}

/* Every ref re-resolved with the stored parameters: all pairs scored, the
 * decisions and clusters of an earlier try dropped. */
static int incr_whole(run *u, jd_error *err)
{
    memset(u->in, 1, u->R.n);
    u->notes.n = 0;
    clw_free(u->c);
    u->c = NULL;
    free(u->root);
    u->root = NULL;
    u->decs.n = 0;
    u->decs_loaded = false;
    u->links.n = 0;
    u->R.st.scored_pairs = 0;
    int rc = u->bk ? pairs_all(u, err) : JD_OK;
    return rc == JD_OK ? run_score(u, err) : rc;
}

int jd_resolve_incremental(jd_store *s, const jd_resolve_opts *opts, jd_resolve_stats *stats,
                           jd_person_set **touched, jd_error *err)
{
    jd_resolve_opts def = JD_RESOLVE_OPTS_INIT;
    if (touched)
        *touched = NULL;
    if (!s)
        return jd_error_set(err, JD_EINVALID, "no store");
    if (!opts)
        opts = &def;
    run u;
    run_init(&u, s, opts);
    jd_person_set *set = NULL;
    char *mj = NULL; /* no stored parameters: nothing else is read */
    int rc = s->ops->model_load(s, &mj, err);
    if (rc == JD_OK && !mj)
        rc =
            jd_error_set(err, JD_ENOTFOUND, "no stored parameters yet: run joindots resolve first");
    json_t *mo = mj ? json_loads(mj, 0, NULL) : NULL;
    bool small = opts->incr_min_refs > 0 &&
                 json_integer_value(json_object_get(mo, "tf_refs")) < opts->incr_min_refs;
    u.places_kept = json_is_true(json_object_get(mo, "places"));
    json_decref(mo);
    free(mj);
    char mark[JD_MARK_MAX] = "";
    if (rc == JD_OK)
        rc = mark_take(s, mark, err);
    if (rc == JD_OK)
        rc = s->ops->identity_generation(s, &u.ids_gen, err);
    u.ids_gen_known = rc == JD_OK;
    if (rc == JD_OK)
        rc = incr_prepare(&u, small, err);
    int64_t nin = rc < 0 ? 0 : u.in ? (int64_t)u.R.n : incr_scope(&u, err);
    if (nin < 0)
        rc = (int)nin;
    u.R.st.incr_scope_loaded = u.R.st.incr_scope_pairs = u.R.st.incr_scope_missed =
        u.R.st.incr_scope_capped = opts->incr_no_checks ? -3 : -1;
    /* a scope a scoped run would load (at most half the county), when asked */
    if (rc == JD_OK && opts->incr_scope_check && !opts->incr_no_checks && nin > 0 &&
        (size_t)nin * 2 <= u.R.n)
        rc = check_failed(&u, scope_check(&u, err), err);
    u.R.st.incr_tally_identities = u.R.st.incr_tally_missed = opts->incr_no_checks ? -3 : -1;
    if (rc == JD_OK && !opts->incr_no_checks)
        rc = check_failed(&u, tally_check(&u, err), err);
    if (rc == JD_OK && nin > 0 && (size_t)nin * 2 > u.R.n && (size_t)nin < u.R.n) {
        /* most of the county (its links chain into one large component):
         * everything with the stored parameters, saved in bulk, is cheaper */
        rc = incr_whole(&u, err);
        nin = (int64_t)u.R.n;
    }
    jd_resolve_stats st0 = u.R.st;
    if (rc == JD_OK)
        rc = run_cluster(&u, err);
    /* a household decision reaches outside the scope: everything; with
     * --hops the scope is bounded on purpose, and such a decision is made
     * with the members in scope (the next full run repairs what it misses) */
    if (rc == JD_OK && u.hh_need && (size_t)nin < u.R.n && !opts->incr_hops) {
        u.R.st = st0;
        u.R.st.incr_household_whole = true;
        u.hh_need = false;
        if ((rc = incr_whole(&u, err)) == JD_OK)
            rc = run_cluster(&u, err);
        nin = (int64_t)u.R.n;
    }
    u.R.st.incr_component_refs = nin;
    if (rc == JD_OK)
        rc = run_identities(&u, err);
    if (rc == JD_OK)
        rc = run_changes(&u, &set, err);
    if (rc == JD_OK && tally_after(&u) != JD_OK)
        rc = jd_oom(err);
    if (rc == JD_OK) {
        /* every ref re-resolved (a store resolved before fingerprints were
         * kept, or a feed that reaches everything): one replace is cheaper */
        set->full = u.R.st.incr_full = (size_t)nin == u.R.n && u.R.n > 0;
        /* keys: all of them for a replace; in an update those of the changed
         * refs (an unchanged ref has the keys it had) */
        if (save_keys(&u, set->full ? NULL : u.chg) != JD_OK)
            rc = jd_oom(err);
        if (rc == JD_OK && (rc = write_first(opts)) == JD_OK) /* the first write is next */
            rc = set->full ? run_save(&u, err) : run_update(&u, set, err);
    }
    if (rc == JD_OK && set->run_id) /* run_update recorded its run */
        set->since_run = u.ids_gen;
    if (rc == JD_OK)
        rc = mark_save(s, mark, err);
    if (rc == JD_OK) {
        u.R.st.incr_touched = (int64_t)set->n;
        u.R.st.identities = identities_after(&u);
        if (stats)
            *stats = u.R.st;
    }
    if (rc == JD_OK && touched)
        *touched = set;
    else
        jd_person_set_free(set);
    run_free(&u);
    return rc;
}

/*
 * A full run's phase data that saving does not read, freed before the save
 * (the save phase was the peak of memory): the refs' records and hot
 * records, the candidate pairs, links and decisions, the clusters, the
 * cannot-link and co-mention lists, the per-ref notes (copied into the
 * identities' notes) and the old ids. Kept: the interned strings and term
 * frequencies (the model's JSON), u->ids, u->saves, u->info and u->nbr.
 * run_shed_links sheds all but what save_keys reads (the refs' records, the
 * phonetic codes, the pools and variants), and a full run calls it before
 * save_keys: the keys were the peak, beside the pairs, links and clusters
 * they do not need.
 */
static void run_shed_links(run *u)
{
    rs *R = &u->R;
    vec_drop(&u->pairs);
    vec_drop(&u->links);
    vec_drop(&u->decs);
    clw_free(u->c);
    u->c = NULL;
    free(u->root);
    u->root = NULL;
    if (!u->lazy) /* a lazy run's are made into notes at the save */
        vec_drop(&u->notes);
    free(u->old.pid);
    free(u->old.fp);
    free(u->old.nbr);
    free(u->old.vk);
    u->old.pid = NULL;
    u->old.fp = NULL;
    u->old.nbr = NULL;
    u->old.vk = NULL;
    R->old_vk = NULL;
    R->old_pid = NULL;
    void **big[] = {(void **)&R->h,      (void **)&R->spill,  (void **)&R->refkey,
                    (void **)&R->refidx, (void **)&R->nl_off, (void **)&R->nl_to,
                    (void **)&R->co_off, (void **)&R->co_to};
    for (size_t k = 0; k < JD_ARRAY_LEN(big); k++) {
        free(*big[k]);
        *big[k] = NULL;
    }
    R->nspill = R->nrefslots = 0;
}

static void run_shed(run *u)
{
    rs *R = &u->R;
    run_shed_links(u);
    void **big[] = {(void **)&R->r, (void **)&R->ph.e};
    for (size_t k = 0; k < JD_ARRAY_LEN(big); k++) {
        free(*big[k]);
        *big[k] = NULL;
    }
    R->cap = R->ph.nslots = R->ph.count = 0;
}

/*
 * Test hook (resolve.h): every candidate pair of the store scored in full
 * (score_pair) and through score_bounded's cuts at `threshold`.
 */
int jd_resolve__check_bounds(jd_store *s, double threshold, int64_t *pairs, int64_t *cut,
                             int64_t *wrong, int64_t *loose, jd_error *err)
{
    jd_resolve_opts o = JD_RESOLVE_OPTS_INIT;
    o.threshold = threshold;
    o.threads = 1;
    run u;
    run_init(&u, s, &o);
    *pairs = *cut = *wrong = *loose = 0;
    int rc = run_load(&u, err);
    if (rc == JD_OK)
        rc = run_block(&u, err);
    if (rc == JD_OK)
        rc = run_estimate(&u, false, err);
    score_job j = {.R = &u.R, .threshold = threshold};
    bound_weights(&j);
    lvcache *c = huge_calloc(sizeof *c);
    const uint64_t *pp = u.pairs.p;
    for (size_t i = 0; rc == JD_OK && i < u.pairs.n; i++) {
        rview va, vb;
        view(&u.R, &u.R.h[pp[i] >> 32], &va);
        view(&u.R, &u.R.h[pp[i] & 0xffffffffu], &vb);
        pair_score full, part;
        score_pair(&u.R, &va, &vb, &full, NULL);
        bool kept = score_bounded(&j, &va, &vb, &part, c);
        (*pairs)++;
        *cut += !kept;
        if (kept ? part.total != full.total || part.prob != full.prob : full.prob >= threshold)
            (*wrong)++;
        *loose += kept && full.prob < threshold && (!va.addr || !vb.addr);
    }
    free(c);
    run_free(&u);
    return rc;
}

/* Test hook (resolve.h): name_surely_diff against name_pair_level for
 * every two of n names, as forenames and as surnames. */
int jd_resolve__check_name_bounds(const char *const *names, size_t n, int64_t *sure,
                                  int64_t *wrong)
{
    rs R;
    memset(&R, 0, sizeof R);
    *sure = *wrong = 0;
    uint32_t *id = malloc((n ? n : 1) * sizeof *id);
    int rc = id ? JD_OK : JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < n; i++)
        if (!(id[i] = pool_add(&R.names, names[i], strlen(names[i]))) || phon_note(&R, id[i]))
            rc = JD_ENOMEM;
    for (size_t i = 0; rc == JD_OK && i < n; i++)
        for (size_t k = 0; k < n; k++)
            for (int f = 0; f < 2 && id[i] != id[k]; f++) {
                const phon_entry *x = phon_entry_of(&R, id[i]), *y = phon_entry_of(&R, id[k]);
                if (!name_surely_diff(x, y, f))
                    continue;
                (*sure)++;
                *wrong += name_pair_level(&R, id[i], id[k], f) != L_DIFF;
            }
    free(id);
    rs_free(&R);
    return rc;
}

/* Test hook (resolve.h): a stream against block(). */
typedef struct check_sink_ctx {
    const uint64_t *pp; /* block()'s pairs */
    size_t np, stride;
    int64_t ranges, wrong, sampled;
} check_sink_ctx;

static int check_sink(const uint64_t *pp, size_t n, size_t before, void *payload)
{
    check_sink_ctx *x = payload;
    x->ranges++;
    for (size_t i = 0; i < n; i++)
        x->wrong += before + i >= x->np || x->pp[before + i] != pp[i];
    sample_sink_ctx sx = {x->stride, {.sz = sizeof(uint64_t)}};
    int rc = sample_sink(pp, n, before, &sx);
    const uint64_t *q = sx.out.p;
    for (size_t k = 0; rc == JD_OK && k < sx.out.n; k++, x->sampled++) /* k-th sampled pair */
        x->wrong += x->sampled * x->stride >= x->np || x->pp[x->sampled * x->stride] != q[k];
    free(sx.out.p);
    return rc;
}

/* A loose pass's pairs gathered (check_stream). */
static int collect_sink(const uint64_t *pp, size_t n, size_t before, void *payload)
{
    vec *v = payload;
    if (before != v->n || vec_reserve(v, n) != JD_OK)
        return JD_ENOMEM;
    memcpy((uint64_t *)v->p + v->n, pp, n * sizeof *pp);
    v->n += n;
    return JD_OK;
}

int jd_resolve__check_stream(jd_store *s, size_t entries, size_t stride, int threads,
                             int64_t *pairs, int64_t *ranges, int64_t *wrong, jd_error *err)
{
    jd_resolve_opts o = JD_RESOLVE_OPTS_INIT;
    run u;
    run_init(&u, s, &o);
    *pairs = *ranges = *wrong = 0;
    int rc = run_load(&u, err);
    if (rc == JD_OK)
        rc = run_block(&u, err);
    pair_stream ps = {0};
    if (rc == JD_OK && stream_open(&ps, &u.R, o.block_cap, threads) != JD_OK)
        rc = jd_oom(err);
    check_sink_ctx x = {u.pairs.p, u.pairs.n, stride ? stride : 1, 0, 0, 0};
    size_t n = 0, counted = 0;
    ps.entries = entries;
    if (rc == JD_OK) /* the count pass's total, and its marks left for the next */
        stream_count(&ps, &counted);
    /* the sample by the count's per-ref totals is the one by place */
    vec smp = {.sz = sizeof(uint64_t)};
    int by_cnt = rc == JD_OK ? stream_sample(&ps, x.stride, &smp) : JD_OK;
    if (by_cnt == JD_ENOMEM)
        rc = jd_oom(err);
    x.wrong += by_cnt == JD_EINVALID; /* a ref's pairs not as many as counted */
    const uint64_t *sp = smp.p;
    for (size_t k = 0; rc == JD_OK && k < smp.n; k++)
        x.wrong += k * x.stride >= x.np || x.pp[k * x.stride] != sp[k];
    x.wrong += rc == JD_OK && smp.n != (x.np + x.stride - 1) / x.stride;
    free(smp.p);
    if (rc == JD_OK && stream_pass(&ps, false, check_sink, &x, &n) != JD_OK)
        rc = jd_oom(err);
    /* a loose pass (scoring's) gives the same pairs, each ref's in no order */
    vec lp = {.sz = sizeof(uint64_t)};
    size_t nl = 0;
    if (rc == JD_OK && (stream_pass(&ps, true, collect_sink, &lp, &nl) != JD_OK ||
                        jd_resolve__radix_sort_u64(lp.p, lp.n) != JD_OK))
        rc = jd_oom(err);
    const uint64_t *lq = lp.p;
    for (size_t k = 0; rc == JD_OK && k < lp.n; k++)
        x.wrong += k >= x.np || x.pp[k] != lq[k];
    x.wrong += rc == JD_OK && (lp.n != x.np || nl != x.np);
    free(lp.p);
    /* a second pass gives the same (the marks are cleared between passes) */
    if (rc == JD_OK) {
        x.sampled = 0;
        if (stream_pass(&ps, false, check_sink, &x, &n) != JD_OK)
            rc = jd_oom(err);
    }
    *pairs = (int64_t)u.pairs.n;
    *ranges = x.ranges / 2;
    *wrong = x.wrong + (n != u.pairs.n) + (counted != u.pairs.n) +
             (x.sampled != (int64_t)((u.pairs.n + x.stride - 1) / x.stride));
    stream_free(&ps);
    run_free(&u);
    return rc;
}

/*
 * Test hook (resolve.h): the pairs pairs_of makes for selections of refs
 * against block()'s pairs with those refs.
 */
int jd_resolve__check_pairs_of(jd_store *s, int cap, uint64_t seed, int64_t *pairs,
                               int64_t *selected, int64_t *wrong, jd_error *err)
{
    jd_resolve_opts o = JD_RESOLVE_OPTS_INIT;
    o.block_cap = cap;
    run u;
    run_init(&u, s, &o);
    *pairs = *selected = *wrong = 0;
    int rc = run_load(&u, err);
    if (rc == JD_OK)
        rc = run_block(&u, err);
    jd_resolve_stats st = u.R.st; /* block()'s counts, to compare */
    memset(u.R.st.pairs_by_rule, 0, sizeof u.R.st.pairs_by_rule);
    u.R.st.skipped_blocks = 0;
    if (rc == JD_OK)
        rc = run_block_keys(&u, err);
    *wrong += memcmp(st.pairs_by_rule, u.R.st.pairs_by_rule, sizeof st.pairs_by_rule) != 0;
    *wrong += st.skipped_blocks != u.R.st.skipped_blocks;
    size_t n = u.R.n ? u.R.n : 1;
    uint8_t *sel = calloc(n, 1), *sel2 = calloc(n, 1);
    if (rc == JD_OK && (!sel || !sel2))
        rc = jd_oom(err);
    /* refs marked at one in 1000, 50 and 3 (sel2: one in 500), both ways */
    const unsigned every[] = {1000, 50, 3};
    uint64_t x = seed | 1;
    for (size_t t = 0; rc == JD_OK && t < 2 * JD_ARRAY_LEN(every); t++) {
        bool both = t % 2;
        for (uint32_t i = 0; i < u.R.n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            sel[i] = x % every[t / 2] == 0;
            sel2[i] = (x >> 20) % 500 == 0;
        }
        vec got = {.sz = sizeof(uint64_t)};
        keyset ks = kept_keys(&u);
        if (pairs_of(&ks, sel, sel2, both, &got) != JD_OK)
            rc = jd_oom(err);
        const uint64_t *pp = u.pairs.p, *g = got.p;
        size_t k = 0;
        for (size_t i = 0; rc == JD_OK && i < u.pairs.n; i++) {
            uint32_t a = (uint32_t)(pp[i] >> 32), b = (uint32_t)pp[i];
            bool ma = marked(sel, sel2, a), mb = marked(sel, sel2, b);
            if (!(both ? ma && mb : ma || mb))
                continue;
            *wrong += k >= got.n || g[k] != pp[i];
            k++;
        }
        *wrong += rc == JD_OK && k != got.n;
        *selected += (int64_t)k;
        free(got.p);
    }
    *pairs = (int64_t)u.pairs.n;
    free(sel);
    free(sel2);
    run_free(&u);
    return rc;
}

static int resolve_full(jd_store *s, const jd_resolve_opts *opts, int test,
                        jd_resolve_stats *stats, jd_error *err);

int jd_resolve(jd_store *s, const jd_resolve_opts *opts, jd_resolve_stats *stats, jd_error *err)
{
    return resolve_full(s, opts, 0, stats, err);
}

int jd_resolve__every_note(jd_store *s, const jd_resolve_opts *opts, jd_resolve_stats *stats,
                           jd_error *err)
{
    return resolve_full(s, opts, TEST_EVERY_NOTE, stats, err);
}

int jd_resolve__links_ahead_wait(jd_store *s, const jd_resolve_opts *opts,
                                 jd_resolve_stats *stats, jd_error *err)
{
    return resolve_full(s, opts, TEST_AHEAD_WAIT, stats, err);
}

int jd_resolve__household_no_memo(jd_store *s, const jd_resolve_opts *opts,
                                  jd_resolve_stats *stats, jd_error *err)
{
    return resolve_full(s, opts, TEST_NO_FIT_MEMO, stats, err);
}

/* jd_resolve; test: TEST_EVERY_NOTE logs every note (note_room not asked),
 * TEST_AHEAD_WAIT takes every link's checks from the thread (cluster_links),
 * TEST_NO_FIT_MEMO asks hh_member_fits again of a member that did not fit
 * (join_household). */
static int resolve_full(jd_store *s, const jd_resolve_opts *opts, int test,
                        jd_resolve_stats *stats, jd_error *err)
{
    jd_resolve_opts def = JD_RESOLVE_OPTS_INIT;
    if (!s)
        return jd_error_set(err, JD_EINVALID, "no store");
    if (!opts)
        opts = &def;
    run u;
    run_init(&u, s, opts);
    u.early = s->ops->keys_replace_early && s->ops->keys_abort;
    u.lazy = true; /* the identities' notes made as the store writes them */
    u.test = test;
    char mark[JD_MARK_MAX]; /* the resolve watermark, saved with the identities */
    struct timespec m0, m1;
    bool mt = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &m0) == 0;
    write_first(opts); /* a full run may write while clustering (early_keys) */
    int rc = mark_take(s, mark, err);
    if (rc == JD_OK)
        rc = run_resolve(&u, opts->frozen_params, err);
    if (rc == JD_OK)
        run_shed_links(&u);
    if (rc == JD_OK && !u.keys && save_keys(&u, NULL) != JD_OK)
        rc = jd_oom(err);
    if (rc == JD_OK) {
        run_shed(&u);
        rc = run_save(&u, err);
        phase_mem(&u.R.st, MEM_SAVE);
    }
    if (u.keys_open) /* failed between early_keys and the save */
        s->ops->keys_abort(s);
    if (rc == JD_OK)
        rc = mark_save(s, mark, err);
    if (mt && clock_gettime(CLOCK_THREAD_CPUTIME_ID, &m1) == 0)
        u.R.st.cpu_main =
            (double)(m1.tv_sec - m0.tv_sec) + (double)(m1.tv_nsec - m0.tv_nsec) / 1e9;
    if (rc == JD_OK && stats)
        *stats = u.R.st;
    run_free(&u);
    return rc;
}

/* The full dates of birth of a ref into out[NV]; returns how many. */
static uint8_t full_dobs(const rref *r, uint32_t out[NV])
{
    uint8_t n = 0;
    for (uint8_t i = 0; i < r->ndob; i++)
        if (r->dob[i] % 100 && r->dob[i] / 100 % 100)
            out[n++] = r->dob[i];
    return n;
}

/* Why refs a and b can never be one person, as clustering would say it
 * (NULL when nothing forbids it). */
static const char *pair_cannot_link(const rs *R, uint32_t a, uint32_t b)
{
    const rref *x = &R->r[a], *y = &R->r[b];
    const uint32_t gx[2] = {x->ngen[0], x->ngen[1]}, gy[2] = {y->ngen[0], y->ngen[1]};
    if (genders_apart(gx, gy))
        return "genders that disagree";
    if (first_names_differ(R, a, b, NULL))
        return "first names wholly different";
    if (twins_apart(R, a, b, NULL))
        return refusal_why[WHY_TWINS];
    rview va, vb;
    view(R, &R->h[a], &va);
    view(R, &R->h[b], &vb);
    if (names_of_genders(R, x->fore, x->nfore, y->fore, y->nfore) && strong(&va, &vb) <= 0)
        return "first names of other genders";
    uint32_t dx[NV], dy[NV];
    uint8_t nx = full_dobs(x, dx), ny = full_dobs(y, dy);
    if (dobs_apart(dx, nx, dy, ny) && !names_agree(R, a, b, NULL))
        return "dates of birth that cannot be one person's, with different names and no "
               "identifier in common";
    if (ages_apart(x->by_lo, x->by_hi, dx, nx, y->by_lo, y->by_hi, dy, ny))
        return "ages that cannot both be true at the two events' dates";
    if (event_apart(R, a, b))
        return "named as two people in one event";
    return NULL;
}

int jd_explain_match(jd_store *s, const jd_ref *a, const jd_ref *b, FILE *out, jd_error *err)
{
    if (!s || !a || !b || !out)
        return jd_error_set(err, JD_EINVALID, "two refs are needed");
    rs R;
    memset(&R, 0, sizeof R);
    char *mj = NULL;
    int rc = s->ops->model_load(s, &mj, err);
    if (rc == JD_OK && !mj)
        rc = jd_error_set(err, JD_ENOTFOUND, "no model yet: run joindots resolve first");
    if (rc == JD_OK && model_from_json(&R.md, mj) != JD_OK)
        rc = jd_error_set(err, JD_ESTORE,
                          "the saved model is damaged or from an older joindots: run joindots "
                          "resolve again");
    free(mj);
    if (rc == JD_OK)
        rc = prepare(&R, s, NULL, err);
    if (rc == JD_OK)
        weights_ready(&R);
    int ia = -1, ib = -1;
    if (rc == JD_OK) {
        ia = find_ref(&R, a->agency, a->person_ref);
        ib = find_ref(&R, b->agency, b->person_ref);
        if (ia < 0 || ib < 0)
            rc = jd_error_set(err, JD_ENOTFOUND, "no person_ref %s in agency %s",
                              ia < 0 ? a->person_ref : b->person_ref,
                              ia < 0 ? a->agency : b->agency);
    }
    if (rc == JD_OK) {
        pair_score ps;
        rview va, vb;
        view(&R, &R.h[ia], &va);
        view(&R, &R.h[ib], &vb);
        score_pair(&R, &va, &vb, &ps, NULL);
        fprintf(out, "%s:%s  vs  %s:%s\n", a->agency, a->person_ref, b->agency, b->person_ref);
        fprintf(out, "  %-10s %-36s %8s\n", "field", "level", "weight");
        fprintf(out, "  %-10s %-36s %8.2f\n", "prior", "log2(lambda / (1 - lambda))", R.md.prior);
        for (int f = 0; f < NF; f++)
            fprintf(out, "  %-10s %-36s %8.2f\n", field_name[f],
                    ps.lv[f] < 0 ? "missing on one side" : level_name[f][ps.lv[f]], ps.w[f]);
        fprintf(out, "  %-10s %-36s %8s\n", "NHS/UPN",
                ps.strong > 0   ? "the same: decisive"
                : ps.strong < 0 ? "different: contradiction"
                                : "not both present",
                ps.strong ? (ps.strong > 0 ? "+30.00" : "-30.00") : "0.00");
        fprintf(out, "  total %.2f, match probability %.6f (linked at >= %g)\n", ps.total, ps.prob,
                R.md.threshold);
        const char *why = pair_cannot_link(&R, (uint32_t)ia, (uint32_t)ib);
        if (why)
            fprintf(out, "  cannot-link: %s; never one person, whatever the weight\n", why);
    }
    rs_free(&R);
    return rc;
}
