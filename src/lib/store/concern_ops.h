/*
 * Store operations of concerns and escalation (a sub-table of jd_store_ops,
 * implemented per backend: store/sqlite_concern.c). Rows passed in and out
 * are borrowed for the call. The library (concern.c, escalate.c, notify.c)
 * owns the logic; these only read and write.
 */
#ifndef JD_CONCERN_OPS_H
#define JD_CONCERN_OPS_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* One concern row: key columns and the base and state JSON documents. */
typedef struct jd_concern_rec {
    const char *id;
    int64_t version; /* on write: ignored, the store sets it */
    bool automatic;  /* derived by the escalation engine */
    const char *status, *owner, *rung, *level;
    bool strategic;
    int64_t raised_at, due_at, updated_at;
    const char *base, *state;
} jd_concern_rec;

/* One history entry. */
typedef struct jd_concern_evrec {
    int64_t seq;
    const char *concern_id;
    int64_t at, recorded_at;
    const char *actor, *role, *action;
    bool automatic;
    const char *doc; /* JSON object */
} jd_concern_evrec;

/* One queued message, with its delivery attempts on the channel asked for. */
typedef struct jd_outbox_rec {
    int64_t id;
    const char *concern_id, *recipient, *subject, *body;
    int64_t created_at;
    int attempts;
} jd_outbox_rec;

typedef int (*jd_concern_rec_cb)(const jd_concern_rec *r, void *payload);
typedef int (*jd_concern_evrec_cb)(const jd_concern_evrec *e, void *payload);
typedef int (*jd_outbox_rec_cb)(const jd_outbox_rec *m, void *payload);

struct jd_concern_ops {
    /* A fresh number for a manual concern id. */
    int (*next_number)(jd_store *s, int64_t *out, jd_error *err);
    /* One concern: cb once, or JD_ENOTFOUND. */
    int (*get)(jd_store *s, const char *id, jd_concern_rec_cb cb, void *payload, jd_error *err);
    /* Every concern, by id. */
    int (*list)(jd_store *s, jd_concern_rec_cb cb, void *payload, jd_error *err);
    /* The concerns not closed whose id begins with prefix, by id (a range
     * on the primary key): whole rows. */
    int (*open_prefix)(jd_store *s, const char *prefix, jd_concern_rec_cb cb, void *payload,
                       jd_error *err);
    /* Every concern's id and version only (the other fields 0), by id. */
    int (*versions)(jd_store *s, jd_concern_rec_cb cb, void *payload, jd_error *err);
    /* History of one concern (or of all when id is NULL), by concern, at, seq. */
    int (*events)(jd_store *s, const char *id, jd_concern_evrec_cb cb, void *payload,
                  jd_error *err);
    /*
     * One change, atomically: insert the row (expected_version 0; JD_ECONFLICT
     * if the id exists) or update it if its version is still expected_version
     * (else JD_ECONFLICT, nothing written); append the events; queue the
     * messages. [out] *new_version.
     */
    int (*write)(jd_store *s, const jd_concern_rec *r, int64_t expected_version,
                 const jd_concern_evrec *ev, size_t nev, const jd_outbox_rec *msg, size_t nmsg,
                 int64_t *new_version, jd_error *err);
    /* The change counter: one more at each write (0 before the first). */
    int (*gen)(jd_store *s, int64_t *out, jd_error *err);
    /* Messages not yet delivered on `channel` whose next attempt is due by now. */
    int (*outbox_due)(jd_store *s, const char *channel, int64_t now, jd_outbox_rec_cb cb,
                      void *payload, jd_error *err);
    /* Record an attempt: delivered, or failed with the next attempt time. */
    int (*delivery_mark)(jd_store *s, int64_t outbox_id, const char *channel, bool delivered,
                         int64_t now, int64_t next_at, const char *error, jd_error *err);
    /* Messages queued, and those still undelivered on `channel`. */
    int (*outbox_counts)(jd_store *s, const char *channel, int64_t *queued, int64_t *pending,
                         jd_error *err);
};

/* The least string above every string that begins with prefix (its last
 * byte one more), into hi[cap]: -1 when prefix is empty, too long or ends
 * in 0xff. For open_prefix's range on the primary key. */
static inline int jd_concern__prefix_end(const char *prefix, char *hi, size_t cap)
{
    size_t n = prefix ? strlen(prefix) : 0;
    if (!n || n >= cap || (unsigned char)prefix[n - 1] == 0xff)
        return -1;
    memcpy(hi, prefix, n + 1);
    hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
    return 0;
}

#endif
