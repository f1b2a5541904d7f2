/*
 * A CSV file's records read ahead on a thread of their own (issue 17: the
 * 1M ingest on two cores). The thread runs jd_csv__next, copies each
 * record's fields into a batch and checks them for UTF-8, while the
 * ingest's thread cleans, checks and stores the rows of the batch before.
 * Sixteen batches of at most 2,048 records or about 1 MiB go round a ring,
 * so memory stays flat (at most about 16 MiB), and the writer has some
 * 300 ms of rows in hand when a busy machine is slow to wake the reader
 * (with four, about 70 ms, the 1M ingest's wall under a load of 13-28
 * was longer than without the thread; docs/scale.md). Records come out in file order with the line, offset
 * and error jd_csv__next gave them; a batch ends after a record that was
 * not read whole (JD_ELIMIT, end of input or a fatal error). A small file
 * is read on the caller's thread (JD_ROWS_AHEAD_MIN): a few rows are not
 * worth a thread; so is a live feed's (ingest.c), whose CPU the feed
 * measures on its own thread at the live lane's priority.
 */
#include "ingest/ingest_internal.h"
#include "util/csv.h"
#include "util/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { NBATCH = 16, BATCH_RECS = 2048, BATCH_BYTES = 1 << 20 };

typedef struct batch {
    size_t n;
    int got[BATCH_RECS];
    long line[BATCH_RECS];
    uint64_t offset[BATCH_RECS];
    size_t first[BATCH_RECS + 1]; /* record i's fields: [first[i], first[i + 1]) */
    size_t *off, *len;            /* each field: offset into data, length */
    bool *utf8;
    size_t fcap;
    jd_buf data; /* the fields, each NUL-terminated */
    jd_error err; /* of the last record, when it was not read whole */
} batch;

struct jd_rows {
    jd_csv *csv;
    bool ahead; /* a reader thread runs */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t filled, freed;
    batch b[NBATCH];
    size_t head, full; /* the consumer's batch; batches filled, not yet given back */
    size_t pos;        /* its current record */
    bool started, stop;
};

/* Room for nf more fields in b's arrays. */
static int batch_room(batch *b, size_t nf)
{
    if (nf <= b->fcap)
        return JD_OK;
    size_t ncap = b->fcap ? 2 * b->fcap : 4096;
    while (ncap < nf)
        ncap *= 2;
    size_t *off = realloc(b->off, ncap * sizeof *off);
    if (off)
        b->off = off;
    size_t *ln = off ? realloc(b->len, ncap * sizeof *ln) : NULL;
    if (ln)
        b->len = ln;
    bool *u = ln ? realloc(b->utf8, ncap * sizeof *u) : NULL;
    if (!u)
        return JD_ENOMEM;
    b->utf8 = u;
    b->fcap = ncap;
    return JD_OK;
}

/* The current record's fields into b from field nf on: one reservation, one
 * copy a field, each NUL-terminated. */
static int batch_record(batch *b, jd_csv *csv, size_t nf)
{
    size_t n = jd_csv__nfields(csv), bytes = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len;
        (void)jd_csv__field(csv, k, &len);
        bytes += len + 1;
    }
    if (batch_room(b, nf + n) < 0 || jd_buf_reserve(&b->data, bytes) < 0)
        return JD_ENOMEM;
    char *to = b->data.ptr + b->data.len;
    for (size_t k = 0; k < n; k++) {
        size_t len;
        const char *s = jd_csv__field(csv, k, &len);
        b->off[nf + k] = (size_t)(to - b->data.ptr);
        b->len[nf + k] = len;
        b->utf8[nf + k] = jd_csv__valid_utf8(s, len);
        memcpy(to, s, len + 1);
        to += len + 1;
    }
    b->data.len += bytes;
    return JD_OK;
}

/* Fill b from the reader; false once the input ended (or failed). */
static bool batch_fill(jd_rows *r, batch *b)
{
    b->n = 0;
    b->first[0] = 0;
    jd_buf_reset(&b->data);
    jd_error_clear(&b->err);
    size_t nf = 0;
    while (b->n < BATCH_RECS && b->data.len < BATCH_BYTES) {
        size_t i = b->n++;
        b->got[i] = jd_csv__next(r->csv, &b->err);
        b->line[i] = jd_csv__line(r->csv);
        b->offset[i] = jd_csv__offset(r->csv);
        if (b->got[i] == 1) {
            if (batch_record(b, r->csv, nf) < 0)
                b->got[i] = jd_error_set(&b->err, JD_ENOMEM, "out of memory");
            else
                nf += jd_csv__nfields(r->csv);
        }
        b->first[i + 1] = nf;
        if (b->got[i] != 1)
            return b->got[i] == JD_ELIMIT;
    }
    return true;
}

static void *ahead_run(void *arg)
{
    jd_rows *r = arg;
    bool more = true;
    while (more) {
        pthread_mutex_lock(&r->mu);
        while (r->full == NBATCH && !r->stop)
            pthread_cond_wait(&r->freed, &r->mu);
        bool stop = r->stop;
        batch *b = &r->b[(r->head + r->full) % NBATCH];
        pthread_mutex_unlock(&r->mu);
        if (stop)
            break;
        more = batch_fill(r, b);
        pthread_mutex_lock(&r->mu);
        r->full++;
        pthread_cond_signal(&r->filled);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

int jd_rows__start(jd_rows **out, jd_csv *csv, bool may_thread, jd_error *err)
{
    jd_rows *r = calloc(1, sizeof *r);
    if (!r)
        return jd_oom(err);
    r->csv = csv;
    uint64_t size = jd_csv__size(csv);
    if (may_thread && size >= JD_ROWS_AHEAD_MIN) {
        for (int i = 0; i < NBATCH; i++)
            jd_buf_init(&r->b[i].data, SIZE_MAX);
        pthread_mutex_init(&r->mu, NULL);
        pthread_cond_init(&r->filled, NULL);
        pthread_cond_init(&r->freed, NULL);
        r->ahead = pthread_create(&r->th, NULL, ahead_run, r) == 0;
        if (!r->ahead) { /* no thread: read on this one */
            pthread_mutex_destroy(&r->mu);
            pthread_cond_destroy(&r->filled);
            pthread_cond_destroy(&r->freed);
        }
    }
    *out = r;
    return JD_OK;
}

bool jd_rows__ahead(const jd_rows *r)
{
    return r && r->ahead;
}

int jd_rows__next(jd_rows *r, jd_error *err)
{
    if (!r->ahead)
        return jd_csv__next(r->csv, err);
    /* the head batch is the consumer's until given back: no lock to read it */
    if (r->started && r->pos + 1 < r->b[r->head].n) {
        r->pos++;
    } else {
        pthread_mutex_lock(&r->mu);
        const batch *cur = &r->b[r->head];
        if (r->started && cur->n && cur->got[cur->n - 1] != 1 &&
            cur->got[cur->n - 1] != JD_ELIMIT) { /* the input ended: stay there */
            pthread_mutex_unlock(&r->mu);
            if (err)
                *err = cur->err;
            return cur->got[cur->n - 1];
        }
        if (r->started) { /* give the batch back */
            r->head = (r->head + 1) % NBATCH;
            r->full--;
            pthread_cond_signal(&r->freed);
        }
        while (r->full == 0)
            pthread_cond_wait(&r->filled, &r->mu);
        r->started = true;
        r->pos = 0;
        pthread_mutex_unlock(&r->mu);
    }
    const batch *b = &r->b[r->head];
    int got = b->got[r->pos];
    if (got != 1 && err)
        *err = b->err;
    return got;
}

size_t jd_rows__nfields(const jd_rows *r)
{
    if (!r->ahead)
        return jd_csv__nfields(r->csv);
    const batch *b = &r->b[r->head];
    return b->first[r->pos + 1] - b->first[r->pos];
}

const char *jd_rows__field(const jd_rows *r, size_t i, size_t *len, bool *utf8)
{
    if (!r->ahead) {
        const char *s = jd_csv__field(r->csv, i, len);
        if (utf8)
            *utf8 = jd_csv__valid_utf8(s, *len);
        return s;
    }
    const batch *b = &r->b[r->head];
    size_t k = b->first[r->pos] + i;
    if (k >= b->first[r->pos + 1]) {
        *len = 0;
        if (utf8)
            *utf8 = true;
        return "";
    }
    *len = b->len[k];
    if (utf8)
        *utf8 = b->utf8[k];
    return b->data.ptr + b->off[k];
}

long jd_rows__line(const jd_rows *r)
{
    return r->ahead ? r->b[r->head].line[r->pos] : jd_csv__line(r->csv);
}

uint64_t jd_rows__offset(const jd_rows *r)
{
    return r->ahead ? r->b[r->head].offset[r->pos] : jd_csv__offset(r->csv);
}

void jd_rows__stop(jd_rows *r)
{
    if (!r)
        return;
    if (r->ahead) {
        pthread_mutex_lock(&r->mu);
        r->stop = true;
        pthread_cond_signal(&r->freed);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->th, NULL);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->filled);
        pthread_cond_destroy(&r->freed);
        for (int i = 0; i < NBATCH; i++) {
            free(r->b[i].off);
            free(r->b[i].len);
            free(r->b[i].utf8);
            jd_buf_dispose(&r->b[i].data);
        }
    }
    free(r);
}
