/*
 * Store sub-table of accounts, sessions, the audit log and alert
 * acknowledgements (see store.h).
 * Cryptography stays in account.c and audit.c: the backend stores digests
 * and argon2id strings it is given, and calls back to hash audit entries so
 * the chain is extended inside one write transaction.
 */
#ifndef JD_STORE_ACCOUNT_OPS_H
#define JD_STORE_ACCOUNT_OPS_H

#include <joindots/account.h>
#include <joindots/audit.h>

#include "store/store.h"

/* One account row; strings borrowed for the call. */
typedef struct jd_account_row {
    int64_t id;
    const char *username, *role, *agency, *team, *pwhash;
    bool disabled;
    int failed;
    int64_t locked_until, created_at;
} jd_account_row;
typedef int (*jd_account_row_cb)(const jd_account_row *r, void *payload);

/* Compute entry e's hash (hex, 65 bytes) from the previous hash, and with
 * the store's audit key its MAC and the MAC of the head it makes ("" without
 * a key). */
typedef void (*jd_audit_hash_fn)(jd_store *s, const char *prev_hash, const jd_audit_entry *e,
                                 char hash[65], char mac[65], char head_mac[65]);

struct jd_account_ops {
    /* JD_ECONFLICT if the name is taken. */
    int (*add)(jd_store *s, const jd_account_row *r, jd_error *err);
    /* One account by name: cb once, or JD_ENOTFOUND. */
    int (*get)(jd_store *s, const char *username, jd_account_row_cb cb, void *payload,
               jd_error *err);
    int (*by_id)(jd_store *s, int64_t id, jd_account_row_cb cb, void *payload, jd_error *err);
    int (*list)(jd_store *s, jd_account_row_cb cb, void *payload, jd_error *err);
    /* Ends the account's sessions when disabling. JD_ENOTFOUND. */
    int (*set_disabled)(jd_store *s, const char *username, bool disabled, jd_error *err);
    /* New hash, failures cleared, sessions ended. JD_ENOTFOUND. */
    int (*set_password)(jd_store *s, const char *username, const char *pwhash, int64_t now,
                        jd_error *err);
    int (*set_failures)(jd_store *s, int64_t id, int failed, int64_t locked_until, jd_error *err);
    int (*session_put)(jd_store *s, const char *token_hash, int64_t account_id, const char *csrf,
                       int64_t now, int64_t expires_at, jd_error *err);
    /* The session's account and CSRF if it is alive at now (last_seen is
     * set to now); expired ones are deleted. JD_ENOTFOUND otherwise. */
    int (*session_get)(jd_store *s, const char *token_hash, int64_t now, int64_t idle,
                       int64_t *account_id, char csrf[JD_SESSION_TOKEN_SIZE], jd_error *err);
    int (*session_delete)(jd_store *s, const char *token_hash, jd_error *err);
    /* Append e[0, n) in one write transaction (all or none): each seq =
     * head + 1, hash via fn. */
    int (*audit_append)(jd_store *s, jd_audit_entry *e, size_t n, jd_audit_hash_fn fn,
                        jd_error *err);
    int (*audit_list)(jd_store *s, int64_t after, int64_t limit,
                      int (*cb)(const jd_audit_entry *e, void *payload), void *payload,
                      jd_error *err);
    /* The log's WAL checkpointed if past its threshold (*done set when
     * one ran); NULL: nothing to do (PostgreSQL). */
    int (*audit_checkpoint)(jd_store *s, bool *done, jd_error *err);
    /* The recorded head: last seq, its hash and the head's MAC ("" if none). */
    int (*audit_head)(jd_store *s, int64_t *seq, char hash[65], char mac[65], jd_error *err);
    /* Set the head's MAC (key adoption). */
    int (*audit_head_mac)(jd_store *s, const char mac[65], jd_error *err);
    /* Acknowledgements of alerts (kept for ever), oldest first. */
    int (*ack_add)(jd_store *s, const char *alert_id, const char *by, const char *note, int64_t at,
                   jd_error *err);
    int (*ack_list)(jd_store *s,
                    int (*cb)(const char *alert_id, const char *by, int64_t at, const char *note,
                              void *payload),
                    void *payload, jd_error *err);
};

#endif
