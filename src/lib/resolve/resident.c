/*
 * The resident mentions of a long-running process (issue 17, the live
 * server's "keep the county in memory" road): every person mention the
 * resolve's load reads, packed in the order the store gives them
 * (mentions: by (agency, person_ref), ties in row order), kept between
 * runs. The next run does not read the county again: it asks the store for
 * the refs mentioned in an event new or changed since the resolve
 * watermark taken before the rows were read (refs_since), reads those
 * refs' mentions (mentions_of, same order) and puts them in place of the
 * kept ones (a mention is never deleted nor moved to another ref). The rows then given to the load are, row for row, what
 * the store's mentions would give: the resolve is the same.
 *
 * A full read again (the fallback) when the kept rows are of another store,
 * when the store's highest mention id went down (rebuilt), when its
 * watermark is malformed, or when the backend lacks the reads; and always
 * when the store's order is not strcmp's on (agency, person_ref) (a
 * PostgreSQL collation): the merge could not keep it.
 *
 * Beside the rows, the refs the load built from them (jd_resolve__built,
 * made and read by resolve.c's load, cut 1) and the refs the last refresh
 * read again: the next load takes the kept refs once, builds again only
 * those refs, and gives back what it built. Any full read drops them.
 * Once the load keeps the refs the rows are freed (lean: the kept refs
 * stand for them); a refresh then hands the load only the changed refs'
 * rows, and without the kept refs or the list of what changed the store
 * is read again (fill). The kept refs are dropped (the next load builds
 * them all) once their bytes a ref pass (1 + regrow) times the last full
 * build's: their pools only grow.
 */
#include "resolve/resolve.h"

#include "store/incr_ops.h"
#include "store/store.h"
#include "util/internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The text fields of jd_mention_row, in packed order (agency, ref first). */
#define NSTR 16
static const size_t str_at[NSTR] = {
    offsetof(jd_mention_row, agency),       offsetof(jd_mention_row, person_ref),
    offsetof(jd_mention_row, role),         offsetof(jd_mention_row, surname),
    offsetof(jd_mention_row, forenames),    offsetof(jd_mention_row, known_as),
    offsetof(jd_mention_row, dob),          offsetof(jd_mention_row, gender),
    offsetof(jd_mention_row, address),      offsetof(jd_mention_row, postcode),
    offsetof(jd_mention_row, postcode_raw), offsetof(jd_mention_row, phone),
    offsetof(jd_mention_row, nhs),          offsetof(jd_mention_row, upn),
    offsetof(jd_mention_row, other_id),     offsetof(jd_mention_row, event_postcode)};

struct keys;

typedef struct row_hdr {
    int64_t seen_at, event_id;
    int32_t dob_prec, age;
} row_hdr;

/* Rows packed one after another (header, then each text field as a
 * presence byte and its NUL-ended text), off[k] where row k begins. */
typedef struct rows {
    jd_buf b;
    size_t *off, n, cap;
} rows;

/* The store's identity_ref rows as a run reads them (identity_refs), in
 * the store's order, kept while the store's identity generation is gen:
 * row k packed at off[k] (fp, then agency, ref, person_id and nbr, each a
 * presence byte and its NUL-ended text); at: "agency\0ref" -> k. A row
 * patched is packed again at the end (dead: the bytes left behind). */
typedef struct idrows {
    jd_buf b;
    size_t *off, n, cap, dead;
    jd_strmap at;
    const jd_store *s;
    int64_t gen;
    bool have;
} idrows;

struct jd_resolve_resident {
    const jd_store *s;       /* the store the rows were read from */
    char mark[JD_MARK_MAX];  /* the resolve watermark taken before they were */
    int64_t mention_max;     /* the store's highest mention id then */
    rows r;
    bool have, ordered;
    /* r holds one stub a ref (jd_resolve__resident_lean) but for the refs
     * the last refresh read again: the rows only the kept refs stand for */
    bool lean;
    jd_resolve_resident_stats st;
    idrows ids; /* the stored identities (jd_resolve__resident_ids) */
    /* the refs the load built from the rows before the last refresh (cut 1:
     * jd_resolve__resident_rows hands them to the load, which gives back
     * those it builds), and the refs whose rows that refresh replaced */
    jd_resolve__built *built;
    void (*built_free)(jd_resolve__built *);
    /* the kept refs' bytes a ref when a load last built every ref, and the
     * share past which they are built again (their pools only grow: a
     * string a rebuilt ref no longer holds stays) */
    double built_base;
    double regrow;
    uint64_t built_tags; /* the loads that gave built back (their tags) */
    struct keys *chg;
    jd_resolve__kept_keys keys; /* the county's blocking keys (jd_resolve__resident_keys) */
};

static void rows_free(rows *r)
{
    jd_buf_dispose(&r->b);
    free(r->off);
    memset(r, 0, sizeof *r);
}

static int rows_add(rows *r, const jd_mention_row *m)
{
    if (jd_grow((void **)&r->off, &r->cap, r->n + 1, sizeof *r->off) < 0)
        return JD_ENOMEM;
    r->off[r->n] = r->b.len;
    row_hdr h = {m->seen_at, m->event_id, m->dob_prec, m->age};
    if (jd_buf_add(&r->b, &h, sizeof h) < 0)
        return JD_ENOMEM;
    for (int k = 0; k < NSTR; k++) {
        const char *t = *(const char *const *)((const char *)m + str_at[k]);
        if (jd_buf_addc(&r->b, t ? 1 : 0) < 0 || (t && jd_buf_add(&r->b, t, strlen(t) + 1) < 0))
            return JD_ENOMEM;
    }
    r->n++;
    return JD_OK;
}

static int rows_add_row(rows *r, const rows *from, size_t k)
{
    size_t end = k + 1 < from->n ? from->off[k + 1] : from->b.len;
    if (jd_grow((void **)&r->off, &r->cap, r->n + 1, sizeof *r->off) < 0)
        return JD_ENOMEM;
    r->off[r->n++] = r->b.len;
    return jd_buf_add(&r->b, from->b.ptr + from->off[k], end - from->off[k]) < 0 ? JD_ENOMEM
                                                                               : JD_OK;
}

/* The rows' memory cut to their size (kept for long: the doubling's slack
 * was a quarter of the 1M county's rows). */
static void rows_fit(rows *r)
{
    if (r->b.ptr && r->b.cap > r->b.len + 1) {
        char *p = realloc(r->b.ptr, r->b.len + 1);
        if (p) {
            r->b.ptr = p;
            r->b.cap = r->b.len + 1;
        }
    }
    if (r->off && r->cap > r->n) {
        size_t *o = realloc(r->off, (r->n ? r->n : 1) * sizeof *o);
        if (o) {
            r->off = o;
            r->cap = r->n ? r->n : 1;
        }
    }
}

/* Row k unpacked into m (its strings point into the rows). */
static void rows_get(const rows *r, size_t k, jd_mention_row *m)
{
    const char *p = r->b.ptr + r->off[k];
    row_hdr h;
    memcpy(&h, p, sizeof h);
    p += sizeof h;
    memset(m, 0, sizeof *m);
    m->seen_at = h.seen_at;
    m->event_id = h.event_id;
    m->dob_prec = h.dob_prec;
    m->age = h.age;
    for (int i = 0; i < NSTR; i++) {
        const char *t = NULL;
        if (*p++) {
            t = p;
            p += strlen(p) + 1;
        }
        *(const char **)((char *)m + str_at[i]) = t;
    }
}

/* Row k's agency and ref (NUL-ended, one after the other's presence byte). */
static const char *row_agency(const rows *r, size_t k)
{
    return r->b.ptr + r->off[k] + sizeof(row_hdr) + 1;
}

static const char *row_ref(const rows *r, size_t k)
{
    const char *a = row_agency(r, k);
    return a + strlen(a) + 2;
}

static int key_cmp(const char *a1, const char *r1, const char *a2, const char *r2)
{
    int c = strcmp(a1, a2);
    return c ? c : strcmp(r1, r2);
}

static int on_row(const jd_mention_row *m, void *payload)
{
    return rows_add(payload, m);
}

/* Are the rows in strcmp's (agency, person_ref) order? */
static bool rows_ordered(const rows *r)
{
    for (size_t k = 1; k < r->n; k++)
        if (key_cmp(row_agency(r, k - 1), row_ref(r, k - 1), row_agency(r, k), row_ref(r, k)) > 0)
            return false;
    return true;
}

static void ids_init(idrows *x)
{
    memset(x, 0, sizeof *x);
    jd_buf_init(&x->b, SIZE_MAX);
    jd_strmap_init(&x->at);
}

static void ids_free(idrows *x)
{
    jd_buf_dispose(&x->b);
    free(x->off);
    jd_strmap_free(&x->at);
    memset(x, 0, sizeof *x);
}

static void chg_drop(jd_resolve_resident *c);

/* The kept refs freed (by their maker's function: resolve.c's). */
static void built_drop(jd_resolve_resident *c)
{
    if (c->built && c->built_free)
        c->built_free(c->built);
    c->built = NULL;
}

jd_resolve_resident *jd_resolve_resident_new(void)
{
    jd_resolve_resident *c = calloc(1, sizeof *c);
    if (c) {
        jd_buf_init(&c->r.b, SIZE_MAX);
        ids_init(&c->ids);
        c->regrow = JD_RESIDENT_REGROW;
    }
    return c;
}

void jd_resolve_resident_free(jd_resolve_resident *c)
{
    if (!c)
        return;
    rows_free(&c->r);
    ids_free(&c->ids);
    jd_resolve__kept_keys_drop(&c->keys);
    chg_drop(c);
    built_drop(c);
    free(c);
}

void jd_resolve_resident_drop(jd_resolve_resident *c)
{
    if (!c)
        return;
    rows_free(&c->r);
    jd_buf_init(&c->r.b, SIZE_MAX);
    c->have = false;
    c->lean = false;
    c->s = NULL;
    jd_resolve__resident_ids_drop(c);
    jd_resolve__kept_keys_drop(&c->keys);
    chg_drop(c);
    built_drop(c);
}

jd_resolve__kept_keys *jd_resolve__resident_keys(jd_resolve_resident *c)
{
    return c ? &c->keys : NULL;
}

void jd_resolve__kept_keys_drop(jd_resolve__kept_keys *k)
{
    free(k->k);
    free(k->fp);
    free(k->at);
    free(k->names);
    free(k->variants);
    memset(k, 0, sizeof *k);
}

void jd_resolve__resident_keys_note(jd_resolve_resident *c, bool used)
{
    const jd_resolve__kept_keys *k = &c->keys;
    c->st.keys_kept_runs += used;
    c->st.keys_entries = k->have ? (int64_t)k->n : 0;
    c->st.keys_bytes =
        k->have ? (int64_t)(k->n * sizeof *k->k + k->nrefs * (sizeof *k->fp + sizeof *k->at) +
                            k->names_len)
                : 0;
}

const jd_resolve_resident_stats *jd_resolve_resident_stats_of(const jd_resolve_resident *c)
{
    return c ? &c->st : NULL;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool can_keep(const jd_store *s)
{
    const struct jd_incr_ops *I = s->ops->incr;
    return s->ops->mentions_of && I && I->resolve_mark_now &&
           I->refs_since && I->mention_max;
}

/* Every mention read again, with the watermark and highest id before. */
static int fill(jd_resolve_resident *c, jd_store *s, jd_error *err)
{
    jd_resolve_resident_drop(c);
    const struct jd_incr_ops *I = s->ops->incr;
    int rc = I->resolve_mark_now(s, c->mark, err);
    if (rc == JD_OK)
        rc = I->mention_max(s, &c->mention_max, err);
    if (rc == JD_OK)
        rc = s->ops->mentions(s, on_row, &c->r, err);
    if (rc == JD_ENOMEM)
        rc = jd_oom(err);
    if (rc < 0) {
        jd_resolve_resident_drop(c);
        return rc;
    }
    rows_fit(&c->r);
    c->s = s;
    c->have = true;
    c->ordered = rows_ordered(&c->r);
    c->st.fills++;
    return JD_OK;
}

/* A set of (agency, ref) keys, "agency\0ref" each, sorted, distinct. */
typedef struct keys {
    char **v;
    size_t n, cap;
} keys;

static int keys_add(keys *k, const char *agency, const char *ref)
{
    if (jd_grow((void **)&k->v, &k->cap, k->n + 1, sizeof *k->v) < 0)
        return JD_ENOMEM;
    size_t la = strlen(agency), lr = strlen(ref);
    char *x = malloc(la + lr + 2);
    if (!x)
        return JD_ENOMEM;
    memcpy(x, agency, la + 1);
    memcpy(x + la + 1, ref, lr + 1);
    k->v[k->n++] = x;
    return JD_OK;
}

static int kcmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return key_cmp(x, x + strlen(x) + 1, y, y + strlen(y) + 1);
}

static void keys_sort(keys *k)
{
    if (k->n < 2)
        return; /* none or one: sorted and distinct (and qsort wants a pointer) */
    qsort(k->v, k->n, sizeof *k->v, kcmp);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++) {
        if (n && !kcmp(&k->v[n - 1], &k->v[i]))
            free(k->v[i]);
        else
            k->v[n++] = k->v[i];
    }
    k->n = n;
}

static bool keys_has(const keys *k, const char *agency, const char *ref)
{
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *x = k->v[mid];
        int c = key_cmp(x, x + strlen(x) + 1, agency, ref);
        if (!c)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void keys_free(keys *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
}

static void chg_drop(jd_resolve_resident *c)
{
    if (c->chg)
        keys_free(c->chg);
    free(c->chg);
    c->chg = NULL;
}

bool jd_resolve__resident_changed(const jd_resolve_resident *c, const char *agency,
                                  const char *ref)
{
    return !c->chg || keys_has(c->chg, agency, ref);
}

static int on_ref(const char *agency, const char *ref, void *payload)
{
    return keys_add(payload, agency, ref);
}

/* The refs whose kept rows may differ from the store's: those refs_since
 * lists (every ref mentioned in an event new or changed since the mark).
 * A mention is never deleted nor moved to another ref (person_mention's
 * key holds its person_ref; an amendment updates the row in place or adds
 * one), so no other ref's rows can have changed. */
static int changed_refs(jd_resolve_resident *c, jd_store *s, keys *y, jd_error *err)
{
    int rc = s->ops->incr->refs_since(s, c->mark, on_ref, y, err);
    if (rc == JD_OK)
        keys_sort(y);
    return rc == JD_ENOMEM ? jd_oom(err) : rc;
}

/* The kept rows with those of refs y replaced by fresh (in order). */
static int merge(rows *out, const rows *old, const keys *y, const rows *fresh)
{
    size_t i = 0, j = 0;
    while (i < old->n || j < fresh->n) {
        if (i < old->n && keys_has(y, row_agency(old, i), row_ref(old, i))) {
            i++;
            continue;
        }
        bool take_old = j == fresh->n ||
                        (i < old->n && key_cmp(row_agency(old, i), row_ref(old, i),
                                               row_agency(fresh, j), row_ref(fresh, j)) < 0);
        int rc = take_old ? rows_add_row(out, old, i++) : rows_add_row(out, fresh, j++);
        if (rc < 0)
            return rc;
    }
    return JD_OK;
}

/* The kept rows brought up to the store's; *stale when they cannot be.
 * Lean (no rows kept): the changed refs' rows read into *fresh_out. */
static int refresh(jd_resolve_resident *c, jd_store *s, bool *stale, rows *fresh_out,
                   jd_error *err)
{
    *stale = true;
    const struct jd_incr_ops *I = s->ops->incr;
    char mark[JD_MARK_MAX];
    int64_t mx = 0;
    int rc = I->resolve_mark_now(s, mark, err);
    if (rc == JD_OK)
        rc = I->mention_max(s, &mx, err);
    if (rc < 0 || mx < c->mention_max)
        return rc;
    keys y = {0};
    rc = changed_refs(c, s, &y, err);
    if (rc == JD_EINVALID) { /* a malformed watermark: read it all again */
        keys_free(&y);
        if (err)
            jd_error_clear(err);
        return JD_OK;
    }
    rows fresh = {0}, out = {0};
    jd_buf_init(&fresh.b, SIZE_MAX);
    jd_buf_init(&out.b, SIZE_MAX);
    const char **ag = malloc((y.n ? y.n : 1) * sizeof *ag), **rf = malloc((y.n ? y.n : 1) * sizeof *rf);
    if (rc == JD_OK && (!ag || !rf))
        rc = jd_oom(err);
    for (size_t i = 0; rc == JD_OK && i < y.n; i++) {
        ag[i] = y.v[i];
        rf[i] = y.v[i] + strlen(y.v[i]) + 1;
    }
    if (rc == JD_OK && y.n)
        rc = s->ops->mentions_of(s, ag, rf, y.n, on_row, &fresh, err);
    if (rc == JD_OK && !rows_ordered(&fresh))
        rc = JD_EINVALID; /* not strcmp's order: read it all again */
    else if (rc == JD_OK && y.n && !c->lean && merge(&out, &c->r, &y, &fresh) < 0)
        rc = jd_oom(err);
    if (rc == JD_OK) {
        if (c->lean) {
            *fresh_out = fresh;
            memset(&fresh, 0, sizeof fresh);
        } else if (y.n) {
            rows_free(&c->r);
            rows_fit(&out);
            c->r = out;
            memset(&out, 0, sizeof out);
        }
        memcpy(c->mark, mark, sizeof mark);
        c->mention_max = mx;
        c->st.refreshes++;
        c->st.refs_read = (int64_t)y.n;
        c->st.rows_read = (int64_t)(c->lean ? fresh_out->n : fresh.n);
        *stale = false;
        chg_drop(c);
        c->chg = malloc(sizeof *c->chg);
        if (c->chg) { /* without it every ref counts as changed */
            *c->chg = y;
            memset(&y, 0, sizeof y);
        }
    }
    if (rc == JD_EINVALID)
        rc = JD_OK;
    free(ag);
    free(rf);
    keys_free(&y);
    rows_free(&fresh);
    rows_free(&out);
    return rc;
}

int jd_resolve__resident_rows(jd_resolve_resident *c, jd_store *s, jd_mention_cb cb,
                              void *payload, jd_resolve__built **built, jd_error *err)
{
    /* the refs built from the rows as they were: the caller's, unless the
     * rows are read whole again (then nothing tells what changed) */
    *built = NULL;
    if (!can_keep(s)) { /* nothing kept of these rows: the refs built from them neither */
        built_drop(c);
        rows_free(&c->r);
        jd_buf_init(&c->r.b, SIZE_MAX);
        c->have = c->lean = false;
        return s->ops->mentions(s, cb, payload, err);
    }
    jd_resolve__built *b = c->built;
    c->built = NULL;
    double t0 = cpu_now();
    bool stale = true;
    int rc = JD_OK;
    rows fresh = {0};
    jd_buf_init(&fresh.b, SIZE_MAX);
    if (c->have && c->s == s && c->ordered)
        rc = refresh(c, s, &stale, &fresh, err);
    /* lean, the changed refs' rows stand beside the kept refs only: without
     * them, or without the list of what changed, the store is read again */
    if (rc == JD_OK && !stale && c->lean && (!b || !c->chg))
        stale = true;
    if (stale)
        rows_free(&fresh);
    if (rc == JD_OK && stale)
        rc = fill(c, s, err); /* drops the changed refs: every ref counts as changed */
    c->st.cpu_refresh = cpu_now() - t0;
    if ((rc < 0 || stale) && b) {
        c->built_free(b);
        b = NULL;
    }
    if (rc < 0) {
        rows_free(&fresh);
        jd_resolve_resident_drop(c);
        return rc;
    }
    *built = b;
    const rows *give = c->lean ? &fresh : &c->r;
    if (!c->lean)
        c->st.rows = (int64_t)c->r.n;
    c->st.bytes = (int64_t)(c->r.b.cap + c->r.cap * sizeof *c->r.off);
    jd_mention_row m;
    for (size_t k = 0; rc == JD_OK && k < give->n; k++) {
        rows_get(give, k, &m);
        rc = cb(&m, payload);
    }
    rows_free(&fresh);
    return rc;
}

bool jd_resolve__resident_is_lean(const jd_resolve_resident *c)
{
    return c->lean;
}

void jd_resolve__resident_lean(jd_resolve_resident *c, int64_t mentions)
{
    if (!c->have || !c->built)
        return;
    rows_free(&c->r);
    jd_buf_init(&c->r.b, SIZE_MAX);
    c->lean = true;
    c->st.rows = mentions;
    c->st.bytes = 0;
}

int jd_resolve__resident_fill_rows(jd_resolve_resident *c, jd_store *s, jd_error *err)
{
    if (!c || !s)
        return jd_error_set(err, JD_EINVALID, "no store");
    if (!can_keep(s))
        return JD_OK;
    double t0 = cpu_now();
    int rc = fill(c, s, err);
    c->st.cpu_refresh = cpu_now() - t0;
    c->st.rows = (int64_t)c->r.n;
    c->st.bytes = (int64_t)(c->r.b.cap + c->r.cap * sizeof *c->r.off);
    return rc;
}

uint64_t jd_resolve__resident_keep_built(jd_resolve_resident *c, jd_resolve__built *b,
                                         void (*free_fn)(jd_resolve__built *))
{
    built_drop(c);
    c->built = b;
    c->built_free = free_fn;
    return ++c->built_tags;
}

jd_resolve__built *jd_resolve__resident_built(jd_resolve_resident *c)
{
    return c->built;
}

void jd_resolve__resident_built_note(jd_resolve_resident *c, int64_t rebuilt, int64_t bytes,
                                     int64_t refs)
{
    c->st.built_runs += rebuilt >= 0;
    c->st.refs_rebuilt = rebuilt;
    c->st.built_bytes = bytes;
    double per = refs > 0 ? (double)bytes / (double)refs : 0;
    if (rebuilt < 0)
        c->built_base = per;
    else if (c->built && per > c->built_base * (1.0 + c->regrow)) {
        built_drop(c); /* the next load reads and builds every ref again */
        c->st.built_regrown++;
    }
}

void jd_resolve__resident_set_regrow(jd_resolve_resident *c, double share)
{
    c->regrow = share < 0 ? 0 : share;
}

/* ---- the stored identities kept ---- */

void jd_resolve__resident_ids_drop(jd_resolve_resident *c)
{
    if (!c)
        return;
    ids_free(&c->ids);
    ids_init(&c->ids);
}

static int add_str(jd_buf *b, const char *t)
{
    if (jd_buf_addc(b, t ? 1 : 0) < 0 || (t && jd_buf_add(b, t, strlen(t) + 1) < 0))
        return JD_ENOMEM;
    return JD_OK;
}

/* The bytes row k takes. */
static size_t ids_size(const idrows *x, size_t k)
{
    const char *p = x->b.ptr + x->off[k] + sizeof(int64_t);
    for (int f = 0; f < 4; f++)
        if (*p++)
            p += strlen(p) + 1;
    return (size_t)(p - (x->b.ptr + x->off[k]));
}

/* The rows packed again without those left behind, once they are more
 * than the live ones (a server's rows patched feed after feed). */
static int ids_compact(idrows *x)
{
    if (x->dead <= x->b.len - x->dead)
        return JD_OK;
    jd_buf nb = JD_BUF_INIT(SIZE_MAX);
    for (size_t k = 0; k < x->n; k++) {
        size_t at = nb.len, sz = ids_size(x, k);
        if (jd_buf_add(&nb, x->b.ptr + x->off[k], sz) < 0) {
            jd_buf_dispose(&nb);
            return JD_ENOMEM;
        }
        x->off[k] = at;
    }
    jd_buf_dispose(&x->b);
    x->b = nb;
    x->dead = 0;
    return JD_OK;
}

/* "agency\0ref" into a buffer of the caller's (*key), its length; NULL on
 * out of memory. */
static const char *id_key(jd_buf *key, const char *agency, const char *ref, size_t *len)
{
    key->len = 0;
    if (jd_buf_add(key, agency, strlen(agency) + 1) < 0 || jd_buf_add(key, ref, strlen(ref)) < 0)
        return NULL;
    *len = key->len;
    return key->ptr;
}

/* A row packed at the end as row k (k == n: a new one), its key mapped to
 * k; a row it replaces is left behind (dead). */
static int ids_pack(idrows *x, size_t k, const char *agency, const char *ref,
                    const char *person_id, int64_t fp, const char *nbr, jd_buf *key)
{
    size_t at = x->b.len, klen = 0;
    const char *kp = id_key(key, agency, ref, &klen);
    if (!kp || jd_buf_add(&x->b, &fp, sizeof fp) < 0 || add_str(&x->b, agency) < 0 ||
        add_str(&x->b, ref) < 0 || add_str(&x->b, person_id) < 0 || add_str(&x->b, nbr) < 0)
        return JD_ENOMEM;
    if (k == x->n && jd_grow((void **)&x->off, &x->cap, x->n + 1, sizeof *x->off) < 0)
        return JD_ENOMEM;
    if (k < x->n)
        x->dead += ids_size(x, k);
    x->off[k] = at;
    if (k == x->n)
        x->n++;
    bool added;
    uint32_t *v = jd_strmap_put(&x->at, kp, klen, (uint32_t)k, &added);
    if (!v)
        return JD_ENOMEM;
    *v = (uint32_t)k;
    return JD_OK;
}

/* Row k unpacked into r (its strings point into the rows). */
static const char *get_str(const char **p)
{
    const char *t = NULL;
    if (*(*p)++) {
        t = *p;
        *p += strlen(t) + 1;
    }
    return t;
}

static void ids_get(const idrows *x, size_t k, jd_identity_row *r)
{
    const char *p = x->b.ptr + x->off[k];
    memset(r, 0, sizeof *r);
    memcpy(&r->fp, p, sizeof r->fp);
    p += sizeof r->fp;
    r->agency = get_str(&p);
    r->person_ref = get_str(&p);
    r->person_id = get_str(&p);
    r->nbr = get_str(&p);
}

typedef struct ids_tee {
    idrows *x;
    jd_identity_row_cb cb;
    void *payload;
    jd_buf key;
} ids_tee;

static int on_id_row(const jd_identity_row *r, void *payload)
{
    ids_tee *t = payload;
    if (t->x->n >= UINT32_MAX)
        return JD_ENOMEM;
    int rc = ids_pack(t->x, t->x->n, r->agency, r->person_ref, r->person_id, r->fp, r->nbr,
                      &t->key);
    return rc < 0 ? rc : t->cb(r, t->payload);
}

int jd_resolve__resident_ids(jd_resolve_resident *c, jd_store *s, int64_t gen,
                             jd_identity_row_cb cb, void *payload, jd_error *err)
{
    idrows *x = &c->ids;
    if (x->have && x->s == s && x->gen == gen) {
        c->st.ids_kept_runs++;
        jd_identity_row r;
        int rc = JD_OK;
        for (size_t k = 0; rc == JD_OK && k < x->n; k++) {
            ids_get(x, k, &r);
            rc = cb(&r, payload);
        }
        return rc;
    }
    jd_resolve__resident_ids_drop(c);
    ids_tee t = {x, cb, payload, JD_BUF_INIT(SIZE_MAX)};
    int rc = s->ops->identity_refs(s, on_id_row, &t, err);
    jd_buf_dispose(&t.key);
    if (rc == JD_ENOMEM)
        rc = jd_oom(err);
    if (rc < 0) {
        jd_resolve__resident_ids_drop(c);
        return rc;
    }
    x->have = true;
    x->s = s;
    x->gen = gen;
    c->st.ids_reads++;
    c->st.ids_rows = (int64_t)x->n;
    c->st.ids_bytes = (int64_t)(x->b.cap + x->cap * sizeof *x->off);
    return JD_OK;
}

void jd_resolve__resident_ids_saved(jd_resolve_resident *c, const jd_store *s, int64_t from,
                                    int64_t run_id, const jd_identity_save *refs, size_t n)
{
    idrows *x = &c->ids;
    /* the run's own rows on the generation it read, and no other run between */
    if (!x->have || x->s != s || x->gen != from || run_id != from + 1) {
        jd_resolve__resident_ids_drop(c);
        return;
    }
    jd_buf key = JD_BUF_INIT(SIZE_MAX);
    for (size_t i = 0; i < n; i++) {
        const jd_identity_save *r = &refs[i];
        size_t klen = 0;
        const char *kp = id_key(&key, r->agency, r->person_ref, &klen);
        uint32_t *k = kp ? jd_strmap_get(&x->at, kp, klen) : NULL;
        /* as the store writes it: fp 0 is none, read back as 0 */
        if (!kp || ids_pack(x, k ? *k : x->n, r->agency, r->person_ref, r->person_id, r->fp,
                            r->nbr, &key) < 0) {
            jd_buf_dispose(&key);
            jd_resolve__resident_ids_drop(c);
            return;
        }
    }
    jd_buf_dispose(&key);
    if (ids_compact(x) < 0) {
        jd_resolve__resident_ids_drop(c);
        return;
    }
    x->gen = run_id;
    c->st.ids_rows = (int64_t)x->n;
    c->st.ids_bytes = (int64_t)(x->b.cap + x->cap * sizeof *x->off);
}
