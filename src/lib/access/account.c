/*
 * Accounts and sessions: argon2id password hashes, failed logins counted
 * (never a lock-out), random session and CSRF tokens (only the token's BLAKE2b digest
 * is stored). See include/joindots/account.h.
 */
#include "access/access.h"
#include <joindots/account.h>

#include "util/internal.h"
#include "store/account_ops.h"
#include "store/store.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

static const char *const role_names[JD_ROLE_COUNT] = {
    [JD_ROLE_PRACTITIONER] = "practitioner", [JD_ROLE_ANALYST] = "analyst",
    [JD_ROLE_MANAGER] = "manager",           [JD_ROLE_BOARD] = "board",
    [JD_ROLE_AUDITOR] = "auditor",           [JD_ROLE_ADMIN] = "admin",
};

const char *jd_role_name(int role)
{
    return role >= 0 && role < JD_ROLE_COUNT ? role_names[role] : "";
}

int jd_role_parse(const char *name, jd_role *out)
{
    for (int i = 0; name && i < JD_ROLE_COUNT; i++)
        if (!strcmp(name, role_names[i])) {
            *out = (jd_role)i;
            return JD_OK;
        }
    return JD_EINVALID;
}

static const struct jd_account_ops *ops(jd_store *s, jd_error *err)
{
    if (!s || !s->ops->account) {
        jd_error_set(err, JD_EINVALID, "this store has no accounts");
        return NULL;
    }
    return s->ops->account;
}

static int64_t clock_or(int64_t now)
{
    return now > 0 ? now : (int64_t)time(NULL);
}

static bool valid_username(const char *u)
{
    size_t n = u ? strlen(u) : 0;
    if (n == 0 || n > JD_USERNAME_MAX)
        return false;
    for (; *u; u++)
        if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') ||
              *u == '.' || *u == '_' || *u == '-'))
            return false;
    return true;
}

static int check_password(const char *pw, jd_error *err)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < JD_PASSWORD_MIN || n > JD_PASSWORD_MAX)
        return jd_error_set(err, JD_EINVALID, "a password has %d to %d characters", JD_PASSWORD_MIN,
                            JD_PASSWORD_MAX);
    return JD_OK;
}

/* The argon2id string of a password that passes check_password. */
static int hash_password(char out[crypto_pwhash_STRBYTES], const char *pw, jd_error *err)
{
    int rc = check_password(pw, err);
    if (rc < 0)
        return rc;
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return jd_error_set(err, JD_ECRYPTO, "password hashing failed (out of memory?)");
    return JD_OK;
}

int jd_account_add(jd_store *s, const char *username, jd_role role, const char *agency,
                   const char *team, const char *password, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o)
        return JD_EINVALID;
    if (!valid_username(username))
        return jd_error_set(err, JD_EINVALID,
                            "a user name has 1 to %d letters, digits, '.', '_' or '-'",
                            JD_USERNAME_MAX);
    if ((int)role < 0 || role >= JD_ROLE_COUNT)
        return jd_error_set(err, JD_EINVALID, "unknown role");
    if ((agency && strlen(agency) >= sizeof(((jd_account *)0)->agency)) ||
        (team && strlen(team) >= sizeof(((jd_account *)0)->team)))
        return jd_error_set(err, JD_EINVALID, "agency or team name too long");
    char h[crypto_pwhash_STRBYTES];
    int rc = hash_password(h, password, err);
    if (rc < 0)
        return rc;
    jd_account_row r = {.username = username,
                        .role = jd_role_name(role),
                        .agency = agency ? agency : "",
                        .team = team ? team : "",
                        .pwhash = h,
                        .created_at = clock_or(0)};
    rc = o->add(s, &r, err);
    sodium_memzero(h, sizeof h);
    return rc;
}

int jd_account_set_disabled(jd_store *s, const char *username, bool disabled, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o)
        return JD_EINVALID;
    if (!valid_username(username))
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    return o->set_disabled(s, username, disabled, err);
}

int jd_account_reset(jd_store *s, const char *username, const char *password, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o)
        return JD_EINVALID;
    if (!valid_username(username))
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    char h[crypto_pwhash_STRBYTES];
    int rc = hash_password(h, password, err);
    if (rc < 0)
        return rc;
    rc = o->set_password(s, username, h, clock_or(0), err);
    sodium_memzero(h, sizeof h);
    return rc;
}

typedef struct fill_ctx {
    jd_account *out;
    char pwhash[crypto_pwhash_STRBYTES];
} fill_ctx;

static int fill(const jd_account_row *r, void *payload)
{
    fill_ctx *c = payload;
    jd_account *a = c->out;
    memset(a, 0, sizeof *a);
    a->id = r->id;
    snprintf(a->username, sizeof a->username, "%s", r->username);
    jd_role role = JD_ROLE_BOARD; /* an unknown role gets the least */
    (void)jd_role_parse(r->role, &role);
    a->role = role;
    snprintf(a->agency, sizeof a->agency, "%s", r->agency);
    snprintf(a->team, sizeof a->team, "%s", r->team);
    a->disabled = r->disabled;
    a->failed = r->failed;
    a->locked_until = r->locked_until;
    a->created_at = r->created_at;
    snprintf(c->pwhash, sizeof c->pwhash, "%s", r->pwhash);
    return 0;
}

int jd_account_get(jd_store *s, const char *username, jd_account *out, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (!valid_username(username))
        return jd_error_set(err, JD_ENOTFOUND, "no such account");
    fill_ctx c = {.out = out};
    int rc = o->get(s, username, fill, &c, err);
    sodium_memzero(c.pwhash, sizeof c.pwhash);
    return rc;
}

typedef struct list_ctx {
    int (*cb)(const jd_account *a, void *payload);
    void *payload;
} list_ctx;

static int list_one(const jd_account_row *r, void *payload)
{
    list_ctx *l = payload;
    jd_account a;
    fill_ctx c = {.out = &a};
    fill(r, &c);
    sodium_memzero(c.pwhash, sizeof c.pwhash);
    return l->cb(&a, l->payload);
}

int jd_account_list(jd_store *s, int (*cb)(const jd_account *a, void *payload), void *payload,
                    jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !cb)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    list_ctx l = {cb, payload};
    return o->list(s, list_one, &l, err);
}

/* For unknown names, disabled or locked accounts: hash the password once
 * anyway, so a login costs the same whatever the outcome. */
static void dummy_verify(const char *password)
{
    char h[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(h, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) == 0)
        sodium_memzero(h, sizeof h);
}

int jd_account_login(jd_store *s, const char *username, const char *password, int64_t now,
                     jd_account *out, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    now = clock_or(now);
    size_t pwlen = password ? strlen(password) : 0;
    if (!valid_username(username) || pwlen == 0 || pwlen > JD_PASSWORD_MAX) {
        if (password && pwlen <= JD_PASSWORD_MAX)
            dummy_verify(password);
        return jd_error_set(err, JD_EDENIED, "unknown user or bad password");
    }
    fill_ctx c = {.out = out};
    jd_error e2;
    int rc = o->get(s, username, fill, &c, &e2);
    if (rc == JD_ENOTFOUND) {
        dummy_verify(password);
        return jd_error_set(err, JD_EDENIED, "unknown user");
    }
    if (rc < 0) {
        if (err)
            *err = e2;
        return rc;
    }
    if (out->disabled) {
        dummy_verify(password);
        rc = jd_error_set(err, JD_EDENIED, "account disabled");
    } else if (crypto_pwhash_str_verify(c.pwhash, password, pwlen) != 0) {
        /* Counted, never locked: a lock anyone can trigger is a denial of
         * service against the account's owner. Callers throttle guessing by
         * address and by account and address (the server's throttle). */
        int failed = out->failed < INT32_MAX - 1 ? out->failed + 1 : out->failed;
        rc = o->set_failures(s, out->id, failed, 0, err);
        if (rc == JD_OK)
            rc = jd_error_set(err, JD_EDENIED, "bad password");
    } else {
        if (out->failed || out->locked_until)
            rc = o->set_failures(s, out->id, 0, 0, err);
        out->failed = 0;
        out->locked_until = 0;
    }
    sodium_memzero(c.pwhash, sizeof c.pwhash);
    return rc;
}

void jd_password_generate(char out[21])
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 20; i++)
        out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    out[20] = '\0';
}

static void random_token(char out[JD_SESSION_TOKEN_SIZE])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2base64(out, JD_SESSION_TOKEN_SIZE, b, sizeof b,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void token_digest(char out[65], const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static bool valid_token(const char *t)
{
    return t && strlen(t) == JD_SESSION_TOKEN_SIZE - 1;
}

int jd_session_start(jd_store *s, int64_t account_id, int64_t now,
                     char token[JD_SESSION_TOKEN_SIZE], char csrf[JD_SESSION_TOKEN_SIZE],
                     jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o)
        return JD_EINVALID;
    now = clock_or(now);
    char d[65];
    random_token(token);
    random_token(csrf);
    token_digest(d, token);
    return o->session_put(s, d, account_id, csrf, now, now + JD_SESSION_MAX_SECONDS, err);
}

int jd_session_check(jd_store *s, const char *token, int64_t now, jd_account *out,
                     char csrf[JD_SESSION_TOKEN_SIZE], jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (!valid_token(token))
        return jd_error_set(err, JD_EDENIED, "no session");
    now = clock_or(now);
    char d[65];
    token_digest(d, token);
    int64_t id = 0;
    char c[JD_SESSION_TOKEN_SIZE];
    int rc = o->session_get(s, d, now, JD_SESSION_IDLE_SECONDS, &id, c, err);
    if (rc == JD_ENOTFOUND)
        return jd_error_set(err, JD_EDENIED, "no session or session expired");
    if (rc < 0)
        return rc;
    fill_ctx f = {.out = out};
    rc = o->by_id(s, id, fill, &f, err);
    sodium_memzero(f.pwhash, sizeof f.pwhash);
    if (rc == JD_ENOTFOUND)
        return jd_error_set(err, JD_EDENIED, "no session");
    if (rc < 0)
        return rc;
    if (out->disabled) {
        (void)o->session_delete(s, d, NULL);
        return jd_error_set(err, JD_EDENIED, "account disabled");
    }
    if (csrf)
        memcpy(csrf, c, JD_SESSION_TOKEN_SIZE);
    return JD_OK;
}

int jd_session_end(jd_store *s, const char *token, jd_error *err)
{
    const struct jd_account_ops *o = ops(s, err);
    if (!o)
        return JD_EINVALID;
    if (!valid_token(token))
        return JD_OK;
    char d[65];
    token_digest(d, token);
    return o->session_delete(s, d, err);
}
