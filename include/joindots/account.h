/*
 * Accounts and sessions for the web application (issue 8).
 *
 * Passwords are hashed with argon2id (libsodium, interactive limits) and
 * never stored or logged in clear. Failed logins are counted, but never
 * lock an account (a lock anyone can trigger locks its owner out): callers
 * throttle guessing, as `joindots serve` does by address and by account and
 * address (issue 19). A session is a random token sent as a
 * cookie; the store keeps only its BLAKE2b digest, with a CSRF token, an
 * idle timeout and an absolute expiry. A store handle is used by one thread
 * at a time.
 */
#ifndef JOINDOTS_ACCOUNT_H
#define JOINDOTS_ACCOUNT_H

#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Roles of DOMAIN §5 (need-to-know). */
typedef enum {
    JD_ROLE_PRACTITIONER = 0, /* own agency's records and the children they work with */
    JD_ROLE_ANALYST,          /* exploitation analyst: all records */
    JD_ROLE_MANAGER,          /* team or service manager: their teams' work, escalations */
    JD_ROLE_BOARD,            /* aggregates only, never a name */
    JD_ROLE_AUDITOR,          /* the audit log */
    JD_ROLE_ADMIN,            /* accounts, no case data */
    JD_ROLE_COUNT
} jd_role;

/* "practitioner", "analyst", "manager", "board", "auditor", "admin". */
JD_API const char *jd_role_name(int role);
/* Parse a role name; returns JD_OK or JD_EINVALID. */
JD_API int jd_role_parse(const char *name, jd_role *out);

#define JD_PASSWORD_MIN 12
#define JD_PASSWORD_MAX 256
#define JD_USERNAME_MAX 63

typedef struct jd_account {
    int64_t id;
    char username[JD_USERNAME_MAX + 1];
    jd_role role;
    char agency[32]; /* agency code for practitioners and managers; "" otherwise */
    char team[64];   /* team name; "" if none */
    bool disabled;
    int failed;           /* failed logins in a row (cleared by a success or a reset) */
    int64_t locked_until; /* set by versions before issue 19; no longer checked */
    int64_t created_at;
} jd_account;

/*
 * Create an account. username: 1..63 of [A-Za-z0-9._-]; password:
 * JD_PASSWORD_MIN..JD_PASSWORD_MAX bytes. agency and team may be NULL.
 * Returns JD_OK, JD_EINVALID, JD_ECONFLICT (name taken), JD_ECRYPTO, JD_ESTORE.
 */
JD_API int jd_account_add(jd_store *s, const char *username, jd_role role, const char *agency,
                          const char *team, const char *password, jd_error *err);
/* Disable (or re-enable) an account; disabling ends its sessions.
 * Returns JD_OK, JD_ENOTFOUND, JD_ESTORE. */
JD_API int jd_account_set_disabled(jd_store *s, const char *username, bool disabled, jd_error *err);
/* Set a new password, clear the lock-out and end every session.
 * Returns JD_OK, JD_EINVALID (password length), JD_ENOTFOUND, JD_ECRYPTO, JD_ESTORE. */
JD_API int jd_account_reset(jd_store *s, const char *username, const char *password, jd_error *err);
/* Look an account up by name. Returns JD_OK, JD_ENOTFOUND, JD_ESTORE. */
JD_API int jd_account_get(jd_store *s, const char *username, jd_account *out, jd_error *err);
/* Every account, by name. A non-zero return from cb stops and is returned. */
JD_API int jd_account_list(jd_store *s, int (*cb)(const jd_account *a, void *payload),
                           void *payload, jd_error *err);
/*
 * Check a password at time `now` (unix seconds; 0 for the wall clock). On
 * success the failure count is cleared and *out filled. A wrong password
 * counts a failure; no number of failures locks the account. Unknown
 * names cost the same time as known ones.
 * Returns JD_OK or JD_EDENIED (unknown, wrong password or disabled:
 * err->msg says which, for the audit log, never the password), JD_ESTORE.
 */
JD_API int jd_account_login(jd_store *s, const char *username, const char *password, int64_t now,
                            jd_account *out, jd_error *err);
/* A random password of 20 characters from an unambiguous alphabet. */
JD_API void jd_password_generate(char out[21]);

#define JD_SESSION_TOKEN_SIZE 44 /* 43 base64url characters and a NUL */
#define JD_SESSION_IDLE_SECONDS 1800
#define JD_SESSION_MAX_SECONDS 28800

/* Start a session for an account: a new cookie token and CSRF token.
 * Returns JD_OK, JD_ESTORE. */
JD_API int jd_session_start(jd_store *s, int64_t account_id, int64_t now,
                            char token[JD_SESSION_TOKEN_SIZE], char csrf[JD_SESSION_TOKEN_SIZE],
                            jd_error *err);
/*
 * The account behind a token at `now`, and the session's CSRF token; the
 * idle clock restarts. Expired sessions, and sessions of disabled
 * accounts, are ended. Returns JD_OK, JD_EDENIED (unknown or expired), JD_ESTORE.
 */
JD_API int jd_session_check(jd_store *s, const char *token, int64_t now, jd_account *out,
                            char csrf[JD_SESSION_TOKEN_SIZE], jd_error *err);
/* End a session (logout); an unknown token is not an error. */
JD_API int jd_session_end(jd_store *s, const char *token, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
