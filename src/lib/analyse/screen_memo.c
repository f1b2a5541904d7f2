/*
 * Screening memo of one analysis (see screen_memo.h).
 */
#include "analyse/screen_memo.h"

#include <stdlib.h>
#include <string.h>

/* A note's key and what was found for it. */
typedef struct mslot {
    char *key; /* the key's bytes (owned) */
    size_t klen, kcap;
    uint64_t h;
    bool full; /* the slot's scan or result is the key's */
} mslot;

struct jd_smemo {
    /* the last of each is the scratch slot of the notes too long to keep */
    mslot tkey[JD_SMEMO_SLOTS + 1], skey[JD_SMEMO_SLOTS + 1];
    jd_ts_scan scan[JD_SMEMO_SLOTS + 1];
    jd_screen_result res[JD_SMEMO_SLOTS + 1];
    char *kb; /* scratch: the screen's key of the note in hand */
    size_t kbcap;
    uint64_t hits[2], calls[2];
};

jd_smemo *jd_smemo__new(void)
{
    jd_smemo *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    for (size_t i = 0; i <= JD_SMEMO_SLOTS; i++)
        jd_ts__scan_init(&m->scan[i]);
    return m;
}

void jd_smemo__free(jd_smemo *m)
{
    if (!m)
        return;
    for (size_t i = 0; i <= JD_SMEMO_SLOTS; i++) {
        free(m->tkey[i].key);
        free(m->skey[i].key);
        jd_ts__scan_free(&m->scan[i]);
        jd_screen_result_free(&m->res[i]);
    }
    free(m->kb);
    free(m);
}

/* The slot of key k[0, n) (hash h): true when it holds that key. */
static bool slot_has(const mslot *s, const char *k, size_t n, uint64_t h)
{
    return s->full && s->h == h && s->klen == n && !memcmp(s->key, k, n);
}

/* Keep key k[0, n) in slot s, whose result is now that key's. */
static int slot_keep(mslot *s, const char *k, size_t n, uint64_t h)
{
    if (n + 1 > s->kcap) {
        char *b = realloc(s->key, n + 1);
        if (!b) {
            free(s->key);
            *s = (mslot){0};
            return JD_ENOMEM;
        }
        s->key = b;
        s->kcap = n + 1;
    }
    memcpy(s->key, k, n);
    s->klen = n;
    s->h = h;
    s->full = true;
    return JD_OK;
}

int jd_smemo__scan(jd_smemo *m, jd_ts *ts, const char *text, size_t len,
                   const jd_ts_scan **out)
{
    m->calls[0]++;
    if (len > JD_SMEMO_MAX_TEXT) {
        *out = &m->scan[JD_SMEMO_SLOTS];
        return jd_ts__scan(ts, &m->scan[JD_SMEMO_SLOTS], text, len) != JD_OK ? JD_ENOMEM
                                                                             : JD_OK;
    }
    uint64_t h = jd_hash_fast(text, len, 0);
    size_t i = (size_t)(h & (JD_SMEMO_SLOTS - 1));
    mslot *s = &m->tkey[i];
    *out = &m->scan[i];
    if (slot_has(s, text, len, h)) {
        m->hits[0]++;
        return JD_OK;
    }
    s->full = false; /* until the new scan is whole */
    if (jd_ts__scan(ts, &m->scan[i], text, len) != JD_OK)
        return JD_ENOMEM;
    return slot_keep(s, text, len, h);
}

/* Append n bytes of p to the key scratch at *at. */
static int key_put(jd_smemo *m, size_t *at, const void *p, size_t n)
{
    if (jd_grow((void **)&m->kb, &m->kbcap, *at + n + 1, 1) < 0)
        return JD_ENOMEM;
    memcpy(m->kb + *at, p, n);
    *at += n;
    return JD_OK;
}

/* Append a string (NULL and "" kept apart) to the key scratch. */
static int key_str(jd_smemo *m, size_t *at, const char *s)
{
    char tag = s ? 1 : 0;
    if (key_put(m, at, &tag, 1) < 0)
        return JD_ENOMEM;
    return s ? key_put(m, at, s, strlen(s) + 1) : JD_OK;
}

/* The screen's key of a note: every field but the id. */
static int screen_key(jd_smemo *m, const jd_screen_note *in, size_t *n)
{
    int f[4] = {in->child_age, in->child_gender, in->crime_recorded, in->linked_other_age};
    unsigned kinds = in->kinds;
    *n = 0;
    if (key_put(m, n, f, sizeof f) < 0 || key_put(m, n, &kinds, sizeof kinds) < 0 ||
        key_str(m, n, in->event_type) < 0 || key_str(m, n, in->agency) < 0 ||
        key_str(m, n, in->text ? in->text : ""))
        return JD_ENOMEM;
    return JD_OK;
}

int jd_smemo__screen(jd_smemo *m, jd_screen *S, const jd_screen_note *in,
                     const jd_screen_result **out, jd_error *err)
{
    m->calls[1]++;
    if (in->text && strlen(in->text) > JD_SMEMO_MAX_TEXT) {
        jd_screen_result *res = &m->res[JD_SMEMO_SLOTS];
        *out = res;
        int rc = jd_screen_run(S, in, res, err);
        if (rc < 0)
            res->n = 0;
        return rc;
    }
    size_t n;
    if (screen_key(m, in, &n) < 0)
        return jd_oom(err);
    uint64_t h = jd_hash_fast(m->kb, n, 0);
    size_t i = (size_t)(h & (JD_SMEMO_SLOTS - 1));
    mslot *s = &m->skey[i];
    jd_screen_result *res = &m->res[i];
    *out = res;
    if (slot_has(s, m->kb, n, h)) {
        m->hits[1]++;
        return JD_OK;
    }
    s->full = false; /* until the new result is whole */
    int rc = jd_screen_run(S, in, res, err);
    if (rc < 0) { /* refused or out of memory: nothing found, nothing kept */
        res->n = 0;
        return rc;
    }
    if (slot_keep(s, m->kb, n, h) < 0)
        return jd_oom(err);
    return JD_OK;
}

void jd_smemo__counts(const jd_smemo *m, uint64_t hits[2], uint64_t calls[2])
{
    hits[0] = m->hits[0];
    hits[1] = m->hits[1];
    calls[0] = m->calls[0];
    calls[1] = m->calls[1];
}
