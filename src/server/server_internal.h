/* Internals shared by the server's files: the server state, the request
 * and the route table. */
#ifndef JD_SERVER_INTERNAL_H
#define JD_SERVER_INTERNAL_H

#include "server.h"

#include <joindots/screen.h>

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Rate limiting of logins per client address (a small fixed table). */
#define RL_SLOTS 256
typedef struct rl_slot {
    char addr[64];
    int64_t window; /* minute */
    int count;
} rl_slot;

struct jd_server {
    jd_server_opts o;
    struct MHD_Daemon *d;
    char *cert, *key; /* PEM contents */
    /* store pool */
    jd_store **stores;
    jd_screener **screeners; /* one per store slot: a screener is single-threaded */
    jd_screen **screens;     /* the text screen (language check), one per slot too */
    bool *busy;
    unsigned n_stores;
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    /* read-only after start */
    jd_person_index *index;
    json_t *alerts; /* array of alert documents */
    json_t *board;  /* precomputed aggregates (no names) */
    char web_real[4096];
    /* rate limiting */
    pthread_mutex_t rl_mu;
    rl_slot rl[RL_SLOTS];
    atomic_int in_flight;
    atomic_bool stopping;
};

typedef struct req {
    char *body;
    size_t len, cap;
    bool too_big;
    bool counted;
} req;

/* A response being built by a handler. */
typedef struct reply {
    unsigned status;
    json_t *json;     /* body (owned), or NULL */
    char *set_cookie; /* Set-Cookie header value (owned), or NULL */
} reply;

/* The caller of an API route. */
typedef struct caller {
    bool authed;
    jd_account acct;
    char csrf[JD_SESSION_TOKEN_SIZE];
    char token[JD_SESSION_TOKEN_SIZE];
    char addr[64];
} caller;

typedef struct api_ctx {
    jd_server *srv;
    struct MHD_Connection *con;
    jd_store *store;
    jd_screener *screener;
    jd_screen *screen;
    caller *who;
    const char *method, *path;
    const char *arg; /* the {id} of a route, or NULL */
    json_t *body;    /* parsed JSON body of POSTs, or NULL */
} api_ctx;

typedef void (*api_fn)(api_ctx *c, reply *r);

/* Role bits. */
#define R(x) (1u << (x))
#define ROLES_CASE (R(JD_ROLE_PRACTITIONER) | R(JD_ROLE_ANALYST) | R(JD_ROLE_MANAGER))
#define ROLES_ANY 0xffu
#define ROLES_NONE 0u /* public */

typedef struct route {
    const char *method;
    const char *pattern; /* "/api/persons/{id}": one {id} segment at most */
    unsigned roles;
    api_fn fn;
} route;

extern const route jd_api_routes[];
extern const size_t jd_api_n_routes;
extern const route jd_api_concern_routes[]; /* api_concern.c */
extern const size_t jd_api_n_concern_routes;
/* Open strategic items by age (no names), or NULL. */
json_t *jd_api_agenda_ages(jd_store *s);

/* Helpers for handlers. */
void jd_reply_error(reply *r, unsigned status, const char *code, const char *msg);
void jd_reply_json(reply *r, unsigned status, json_t *j);
void jd_audit(api_ctx *c, const char *action, const char *target, const char *reason,
              const char *detail, bool ok);
const char *jd_query(api_ctx *c, const char *key);
/* Failed logins per client address and minute: blocked at the limit. */
bool jd_rate_blocked(jd_server *srv, const char *addr);
void jd_rate_failed(jd_server *srv, const char *addr);
/* A password proven here and now (login, a manager's sign-off): refused with
 * 429 while the client's address is rate-limited; a wrong password or a
 * locked or disabled account counts a failure and is refused with
 * fail_status and fail_code. Every refusal is audited under action with
 * target "account:USER". True with the account in *out. */
bool jd_password_proof(api_ctx *c, reply *r, const char *action, const char *user,
                       const char *password, unsigned fail_status, const char *fail_code,
                       const char *fail_msg, jd_account *out);
/* Load alerts and board aggregates (at start). */
int jd_api_load(jd_server *srv, jd_store *s, jd_error *err);
/* The JSON of one alert of the loaded analysis (borrowed), or NULL. */
json_t *jd_api_alert(jd_server *srv, const char *id);

#endif
