/*
 * Store sub-table of live operation (issue 17; see store.h): feed tokens,
 * the record of feeds, and the change counter a running server checks.
 * The backend stores token digests it is given; the tokens themselves and
 * their digests are made in access/feed_token.c.
 */
#ifndef JD_STORE_LIVE_OPS_H
#define JD_STORE_LIVE_OPS_H

#include <joindots/feed.h>

#include "store/store.h"

struct jd_live_ops {
    /* JD_ECONFLICT if the name is taken. */
    int (*token_add)(jd_store *s, const char *name, const char *agency, const char *token_hash,
                     int64_t now, jd_error *err);
    /* The live token with this digest (last_used set to now): its name and
     * agency. JD_ENOTFOUND when there is none or it is disabled. */
    int (*token_find)(jd_store *s, const char *token_hash, int64_t now, char name[64],
                      char agency[32], jd_error *err);
    int (*token_list)(jd_store *s, jd_feed_token_cb cb, void *payload, jd_error *err);
    /* JD_ENOTFOUND. */
    int (*token_set_disabled)(jd_store *s, const char *name, bool disabled, jd_error *err);
    /* Record one feed (its own transaction); out_id may be NULL. */
    int (*feed_add)(jd_store *s, const jd_feed_record *r, int64_t *out_id, jd_error *err);
    /* The latest `limit` feeds, newest first. */
    int (*feed_list)(jd_store *s, int64_t limit, jd_feed_record_cb cb, void *payload,
                     jd_error *err);
    /* Changes a reader of analysis results must pick up: the last analysis
     * run's id and the last resolve run's id (0 when none). */
    int (*generation)(jd_store *s, int64_t *analysis, int64_t *identities, jd_error *err);
};

#endif
