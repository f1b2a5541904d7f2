/*
 * Notes about a person written in joindots (include/joindots/child.h). They
 * are stored as acknowledgement rows keyed "note:PERSON_ID" (the alert_ack
 * table of both stores holds who, when and the text, append-only), which
 * no alert id can take (alert ids start with their kind).
 */
#include "util/internal.h"
#include "store/account_ops.h"
#include "store/store.h"

#include <joindots/child.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#define NOTE_KEY "note:"

int jd_person_note_add(jd_store *s, const char *person_id, const char *by, const char *text,
                       jd_error *err)
{
    if (!s || !s->ops->account)
        return jd_error_set(err, JD_EINVALID, "this store keeps no notes");
    if (!person_id || !*person_id || strlen(person_id) > 100 || !by || !*by)
        return jd_error_set(err, JD_EINVALID, "a note needs a person and a user");
    if (!text || !*text || strlen(text) > JD_NOTE_MAX)
        return jd_error_set(err, JD_EINVALID, "a note of 1 to %d bytes is needed", JD_NOTE_MAX);
    char key[128];
    snprintf(key, sizeof key, NOTE_KEY "%s", person_id);
    return s->ops->account->ack_add(s, key, by, text, (int64_t)time(NULL), err);
}

typedef struct nctx {
    char key[128];
    int (*cb)(const char *by, int64_t at, const char *text, void *payload);
    void *payload;
} nctx;

static int on_ack(const char *id, const char *by, int64_t at, const char *note, void *payload)
{
    nctx *x = payload;
    return strcmp(id, x->key) ? 0 : x->cb(by, at, note, x->payload);
}

int jd_person_notes(jd_store *s, const char *person_id,
                    int (*cb)(const char *by, int64_t at, const char *text, void *payload),
                    void *payload, jd_error *err)
{
    if (!s || !person_id || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (!s->ops->account)
        return JD_OK; /* a store without accounts has no notes */
    nctx x = {.cb = cb, .payload = payload};
    snprintf(x.key, sizeof x.key, NOTE_KEY "%s", person_id);
    return s->ops->account->ack_list(s, on_ack, &x, err);
}
