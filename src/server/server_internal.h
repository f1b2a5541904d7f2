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
#include <time.h>

/* Login throttling (throttle.c): a bounded map keyed by the full client
 * address ("a|ADDR": failures per minute) and by account and address
 * ("u|USER|ADDR": failures in a row, with a growing wait). When the map is
 * full the entry used least recently is evicted. */
#define TH_SLOTS 4096
#define TH_KEY 136
typedef struct th_entry {
    char key[TH_KEY];
    int64_t last;    /* unix seconds of the last failure (eviction order) */
    int64_t window;  /* minute of `count` (per-address entries) */
    int count;       /* failures in `window` (per-address entries) */
    int fails;       /* failures in a row (account entries) */
    int64_t next_ok; /* no attempt before this time (account entries) */
} th_entry;
typedef struct th_map {
    pthread_mutex_t mu;
    th_entry *e; /* TH_SLOTS entries; key[0] == 0 when free */
    size_t n;    /* entries in use */
} th_map;

/* A worker thread of the daemon and the time it spent in handlers: a
 * connection it owns cannot be read meanwhile, so that time is not the
 * client's and the request deadline does not count it (server.c). */
typedef struct worker_clock {
    pthread_t thread;
    bool used;
    bool in_handler;
    int64_t since_ms; /* the handler running started then */
    int64_t busy_ms;  /* in finished handlers */
    struct conn_node *pending; /* admitted by on_accept, not yet started */
} worker_clock;

/* A live connection, for the request deadline and the per-address limit
 * (server.c). */
typedef struct conn_node {
    struct conn_node *prev, *next;
    int fd;                    /* -1 until the connection has started */
    unsigned char addr[16];    /* the client's address (IPv4 or IPv6) */
    unsigned char addr_len;    /* 4 or 16, 0 when unknown */
    int64_t since_ms; /* start of the request being received */
    worker_clock *w;  /* the worker that owns the connection, or NULL */
    int64_t busy0_ms; /* w's handler time at since_ms */
    bool handling;    /* the whole request is in: the handler runs or answers */
    bool cut;         /* shut down by the deadline */
} conn_node;

typedef struct concern_snap concern_snap; /* api_work.c */

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
    /* The person index, rebuilt when the store's identities change (a new
     * resolve run): readers hold idx_lock for reading while they use it. */
    pthread_rwlock_t idx_lock;
    pthread_mutex_t idx_build_mu;
    jd_person_index *index;
    int64_t idx_gen;
    /* read-only after start */
    json_t *alerts; /* array of alert documents */
    json_t *board;  /* precomputed aggregates (no names) */
    char web_real[4096];
    unsigned char board_key[32]; /* keys the board's opaque item ids */
    char role_rung[JD_ROLE_COUNT][64]; /* the ladder's "web_roles" ("" none) */
    /* login throttling */
    th_map th;
    /* request deadline: live connections and their watchdog */
    pthread_mutex_t conn_mu;
    conn_node conns; /* list head */
    worker_clock *workers; /* n_stores: one per daemon worker thread */
    pthread_t watchdog;
    bool watchdog_on;
    atomic_bool watchdog_stop;
    atomic_int port; /* bound: set once the daemon runs, read by its workers */
    atomic_int in_flight;
    atomic_bool stopping;
    pthread_mutex_t view_mu; /* guards view */
    struct alert_view *view; /* of alerts and the index (alert_view.c) */
    pthread_mutex_t raise_mu; /* a concern raised from an alert is raised once (api_work.c) */
    /* The audit rows' group commit (reply.c): a request's row waits in
     * audit_q; the first request to find no writer at work writes every
     * row waiting, its own among them, in one transaction, and each
     * request goes on only once its row is committed. Off (each row its
     * own transaction) unless audit_group. */
    bool audit_group;
    bool phase_log; /* JD_REQ_PHASES: each API request's phases on stderr */
    /* JD_AUDIT_UNDER_LOCK: reads commit their audit rows with idx_lock
     * still held (the behaviour before issue 17's convoy fix, for A/B) */
    bool audit_under_lock;
    pthread_mutex_t audit_mu;
    pthread_cond_t audit_cv;
    struct audit_wait *audit_q, **audit_tail;
    bool audit_writing;
    atomic_llong audit_commits, audit_rows; /* transactions and rows written by the group */
    /* The open concerns as the alert queue, the counts and the dashboard
     * read them (api_work.c): rebuilt by a request that finds them out of
     * date (the concerns' change counter moved, or a deadline passed),
     * under concern_build_mu; read and swapped under concern_mu. */
    pthread_mutex_t concern_mu, concern_build_mu;
    struct concern_snap *concerns;
    /* Always current (live.c): one thread ingests the drop folder, brings
     * identities, alerts and concerns up to date after feeds, runs the
     * escalation engine on its schedule, and reloads the alerts, the board
     * and the person index when the store's change counter moved. The new
     * ones are built aside and swapped in under idx_lock held for writing,
     * which every API request holds for reading while it runs: no request
     * sees a half-loaded state. */
    jd_store *live_store;
    jd_resolve_resident *resident; /* --resident: the mentions kept between resolves */
    pthread_t live;
    bool live_on;
    /* the live thread runs and rebuilds a stale index: requests need not */
    atomic_bool idx_async;
    pthread_mutex_t live_mu; /* guards live_kick and live_stop */
    pthread_cond_t live_cv;
    bool live_kick; /* a feed was uploaded: update */
    bool live_stop;
    pthread_mutex_t write_mu; /* one feed ingest or update stage at a time */
    /* The urgent lane first (live.c): while the live thread's scan and
     * urgent lane want write_mu (urgent_want), the others (jd_write_lock:
     * the update's stages, uploads) wait at gate_mu before taking it. The
     * live thread reads and writes through lane_store, the update's stages
     * through live_store, so the two run side by side where the locks allow
     * (the feed's resolve computes without write_mu). gate_mu also guards
     * live_counts and live_counts_ok. */
    pthread_mutex_t gate_mu;
    pthread_cond_t gate_cv;
    bool urgent_want;
    jd_store *lane_store;
    bool live_wake; /* the update's lane finished a job (under live_mu) */
    int64_t loaded_analysis;  /* change counter of the loaded alerts (under idx_lock) */
    atomic_llong reloads;     /* how many times the alerts were reloaded */
    /* the board's counts of the last full analysis this thread ran (an
     * incremental one counts only its walked persons): live thread only */
    jd_analyse_stats live_counts;
    bool live_counts_ok;
    /* an incremental update ran since the last full analysis: networks,
     * clocks of untouched children and the board's counts wait for the
     * next scheduled run, which analyses in full (live thread only) */
    bool live_full_due;
};

/* The loaded alerts as the queue and the person's page read them
 * (alert_view.c). */
typedef struct alert_row {
    json_t *a; /* borrowed from the view's alerts */
    const char *id, *kind, *level_name, *at, *pid, *name;
    char *name_owned; /* the subject's name as the index had it ("" none) */
    int level;        /* 1 low .. 4 critical, 0 none */
    size_t order;     /* position in the loaded alerts */
} alert_row;
typedef struct view_key {
    const char *key; /* borrowed from the alerts */
    uint32_t row;
} view_key;
enum { VIEW_NEWEST, VIEW_OLDEST, VIEW_LEVEL, VIEW_NAME, VIEW_SORTS };
typedef struct alert_view { /* struct jd_server holds one */
    json_t *alerts;  /* a reference: the alerts it was built from */
    int64_t idx_gen; /* of the person index that named the subjects */
    alert_row *rows;
    size_t n;
    uint32_t *perm[VIEW_SORTS]; /* row numbers in each of the queue's orders */
    view_key *by_person, *by_id; /* sorted by key, then row */
    size_t n_by_person, n_by_id;
} alert_view;

typedef struct req {
    char *body;
    size_t len, cap;
    size_t max; /* body limit of this request's route */
    bool too_big;
    bool answered; /* refused before the body: ignore the rest */
    bool counted;
} req;

/* A response being built by a handler. */
typedef struct reply {
    unsigned status;
    json_t *json;     /* body (owned), or NULL */
    char *set_cookie; /* Set-Cookie header value (owned), or NULL */
    /* A body that is not JSON (the PDF chronology): malloc'd, owned; sent
     * with raw_type and, when set, Content-Disposition raw_name. */
    unsigned char *raw;
    size_t raw_len;
    const char *raw_type;
    char raw_name[96];
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
    const jd_person_index *index; /* the loaded person index (read lock held) */
    /* The index is older than the store's identities (being rebuilt):
     * persons are looked up in the store (jd_api_person), the index read
     * for names only. */
    bool stale;
    jd_person_now **nows; /* what jd_api_person read from the store, freed after */
    size_t n_nows, cap_nows;
    json_t *body;    /* parsed JSON body of POSTs, or NULL */
    /* A read (GET) in the group commit: its audit rows are queued by
     * jd_audit and waited for by jd_audit_finish once idx_lock is released
     * (issue 17, the idx_lock convoy); the reply is sent only after. */
    bool audit_defer;
    struct audit_wait *audit_pending; /* this request's queued rows */
    double audit_wait_s;              /* wall time spent waiting for them */
    /* Of audit_wait_s (JD_REQ_PHASES): the group transaction this request
     * wrote itself (wall and thread CPU; the rest of its wall is the
     * COMMIT's fsync and the CPU queue), and the checkpoint it ran after
     * answering its group; audit_wait_s less these is the wait for another
     * request's group. */
    double audit_write_s, audit_write_cpu_s, audit_ckpt_s;
    int audit_group_rows; /* rows in the group it wrote (0: none) */
} api_ctx;

typedef void (*api_fn)(api_ctx *c, reply *r);

/* A person for need-to-know: from the index, or while it is stale from the
 * store's identities as they are now (jd_person_now_get); JD_OK or an
 * error (none found, or the store unread: both refused). */
int jd_api_person(api_ctx *c, const char *person, jd_person_summary *out);

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
extern const route jd_api_work_routes[]; /* api_work.c */
extern const size_t jd_api_n_work_routes;
/* The menu, the routes and the home page of a role, set on the /api/me object. */
void jd_api_menu(json_t *me, jd_role role);
/* The open concern raised from an alert (its id, owned), or NULL. */
char *jd_api_concern_for_alert(api_ctx *c, const char *alert_id);
/* Raise the concern of an alert once: the open one raised from it, or a
 * new one (*created). Owned id, or NULL with *rc and err set. */
struct jd_concern_new;
char *jd_api_raise_once(api_ctx *c, const struct jd_concern_new *n, bool *created, int *rc,
                        jd_error *err);
/* Add each record's text ("narrative") to a profile document. */
void jd_api_profile_texts(api_ctx *c, json_t *profile);
/* A concern title with identifiers left out, for the board. */
void jd_api_board_title(const char *title, char *out, size_t n);
/* An alert as this caller may see it (new reference). (api_shared.c) */
json_t *jd_api_alert_for(const caller *w, json_t *a);
extern const route jd_api_person_routes[]; /* api_person.c */
extern const size_t jd_api_n_person_routes;
/* Routes of systems, not people (feeds.c): authenticated by an API token
 * of the feed role, not a session; their bodies are not JSON. */
extern const route jd_feed_routes[];
extern const size_t jd_feed_n_routes;
#define ROLES_FEED 0x100u /* marks a feed route (printed as "feed") */
bool jd_feed_route(const route *rt);
/* Answer a feed route (the whole request is in rq's body) into *out, which
 * the caller sends (server.c: feeds.c never calls back into it). */
void jd_feeds_handle(jd_server *srv, struct MHD_Connection *con, const route *rt,
                     const char *arg, const char *body, size_t len, reply *out);
/* The live thread (live.c): start after the store pool, stop before it. */
int jd_live_start(jd_server *srv, jd_error *err);
void jd_live_stop(jd_server *srv);
/* A feed landed: wake the live thread to bring the analysis up to date. */
void jd_live_kick(jd_server *srv);
/* write_mu for a feed's ingest or an update's stage, after the urgent lane
 * (it waits while the live thread's scan or urgent lane wants write_mu). */
void jd_write_lock(jd_server *srv);
void jd_write_unlock(jd_server *srv);
/* Send a reply built by a handler (server.c). */
enum MHD_Result jd_send_reply(struct MHD_Connection *con, jd_server *srv, reply *rp);
/* Open strategic items by age (no names), or NULL (api_shared.c). */
/* The dashboard's open strategic items by age, from the server's snapshot
 * of the open concerns (api_work.c); NULL when the store cannot be read. */
json_t *jd_api_agenda_ages(api_ctx *c);
void jd_concern_snap_free(concern_snap *v);

/* CPU time of the calling thread, in seconds (the machine's load aside). */
static inline double jd_thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
/* The live thread: bring the snapshot of open concerns up to date with its
 * own store, so that requests seldom build it. */
void jd_api_concerns_warm(jd_server *srv, jd_store *s);

/* Helpers for handlers. */
void jd_reply_error(reply *r, unsigned status, const char *code, const char *msg);
void jd_reply_json(reply *r, unsigned status, json_t *j);
/* Append an audit entry (fields made valid UTF-8 first). Returns JD_OK or
 * the store's negative code: the caller then shows, changes and exports
 * nothing (jd_reply_audit_failed). */
int jd_audit(api_ctx *c, const char *action, const char *target, const char *reason,
             const char *detail, bool ok);
/* Wait until every audit row c queued (c->audit_defer) is committed, and
 * free them; JD_OK, or the first failure (logged): the caller then answers
 * jd_reply_audit_failed whatever the route replied. Call with idx_lock not
 * held and c's store still the caller's. */
int jd_audit_finish(api_ctx *c);

/* The monotonic clock in seconds (reply.c). */
double jd_srv_secs(void);
/* The answer when the audit row could not be written: 503, nothing else. */
void jd_reply_audit_failed(reply *r);
/* Audit, or answer 503 (jd_reply_audit_failed) and return false: nothing is
 * shown, changed or exported without its audit row (issue 19 item 2). */
bool jd_audited(api_ctx *c, reply *r, const char *action, const char *target, const char *reason,
                const char *detail, bool ok);
/* Copy `in` to out (cap bytes with the NUL) with every byte that is not
 * part of valid UTF-8 replaced by U+FFFD; truncated at a character. */
void jd_utf8_clean(char *out, size_t cap, const char *in);
const char *jd_query(api_ctx *c, const char *key);

/* Login throttling (throttle.c). */
int jd_throttle_init(th_map *m);
void jd_throttle_free(th_map *m);
/* Seconds the caller must still wait before a password for `user` is
 * checked from `addr` (0: go ahead): the address is over its failures per
 * minute, or the account has failed from this address and its wait (2 s
 * after 3 failures, doubling to 15 min) has not passed. */
int64_t jd_throttle_wait(th_map *m, const char *addr, const char *user, int per_minute,
                         int64_t now);
/* A failed password from addr for user: counts for both. */
void jd_throttle_failed(th_map *m, const char *addr, const char *user, int64_t now);
/* A right password from addr for user: that pair's failures are forgotten. */
void jd_throttle_succeeded(th_map *m, const char *addr, const char *user);
/* The state, as a JSON array of {kind, username, address, failures, wait_seconds}. */
json_t *jd_throttle_list(th_map *m, int per_minute, int64_t now);
/* Forget the entries of a user (all addresses) and/or an address (all
 * users); returns how many were cleared. */
size_t jd_throttle_clear(th_map *m, const char *user, const char *addr);

/* A password proven here and now (login, a manager's sign-off): refused with
 * 429 while the client's address or this account from this address is
 * throttled; a wrong password or a disabled account counts a failure and is
 * refused with fail_status and fail_code. Every refusal is audited under
 * action with target "account:USER". True with the account in *out. */
bool jd_password_proof(api_ctx *c, reply *r, const char *action, const char *user,
                       const char *password, unsigned fail_status, const char *fail_code,
                       const char *fail_msg, jd_account *out);
/* May the caller see this person (need-to-know)? Analysts see all;
 * practitioners and managers persons known to their agency. (api.c) */
bool jd_api_may_see_person(const caller *w, const jd_person_summary *p);
/* The loaded alerts about a person (subject or network member), each as the
 * caller may see it; a new array. (api.c) */
json_t *jd_api_alerts_of(jd_server *srv, const caller *w, const char *person_id);
/* The language findings of a text (wording that blames a child), a new
 * array. (api.c) */
json_t *jd_api_language(api_ctx *c, const char *text);
/* A note or acknowledgement with flagged wording is saved only after a
 * second look: true when the body says "confirmed": true or the text has
 * no flagged wording; else false with 409 wording_flagged and the
 * findings set. (api.c) */
bool jd_api_second_look(api_ctx *c, reply *r, const char *text);
/* May the caller see this alert (need-to-know)? (api_shared.c) */
bool jd_api_may_see_alert(const caller *w, json_t *a);
/* Analysts see every record; the caller's agency is `agency` (case aside);
 * one of a person's refs ({"refs":[{"agency"...}]}) is the caller's agency
 * (api_shared.c). */
bool jd_api_sees_all(const caller *w);
bool jd_api_same_agency(const caller *w, const char *agency);
bool jd_api_refs_have_agency(const caller *w, json_t *person);
/* The board's opaque id of a concern ("B-" and 32 hex digits). */
void jd_board_id(const jd_server *srv, const char *concern_id, char out[35]);
/* Load alerts and board aggregates (at start). */
int jd_api_load(jd_server *srv, jd_store *s, jd_error *err);
/* Build the alerts and the board's aggregates from the store, without
 * touching the server (board.c): [out] new references on success. `known`:
 * the counts of the analysis run that stored the alerts, or NULL to have
 * them computed (a run that writes nothing). `prev_board` (or NULL): the
 * board shown so far, whose hotspots stand when the store holds none of
 * its latest analysis (an incremental one stores none), and whose
 * equality monitoring is copied: the caller replaces it with
 * jd_api_equality's once the new alerts are shown. `prev_alerts` (or
 * NULL): the alerts loaded at analysis run `since`; only the alerts later
 * runs wrote are read, the rest taken from them, ids gone dropped (equal
 * to a full read; the reload after an urgent call on the 1M county: 1.54
 * -> 0.59 s CPU, docs/feeds.md). */
int jd_api_build(jd_store *s, const jd_analyse_stats *known, const json_t *prev_board,
                 const json_t *prev_alerts, int64_t since, json_t **alerts, json_t **board,
                 jd_error *err);
/* The board's equality monitoring of `alerts` (high or critical children
 * by ethnicity, counts only): a new reference, or NULL with err set. */
json_t *jd_api_equality(jd_store *s, json_t *alerts, jd_error *err);
/* The same, and the board's counts it used into *counts (when not NULL). */
int jd_api_build_counts(jd_store *s, const jd_analyse_stats *known, const json_t *prev_board,
                        jd_analyse_stats *counts, json_t **alerts, json_t **board,
                        jd_error *err);
/* The JSON of one alert of the loaded analysis (borrowed), or NULL. */
json_t *jd_api_alert(jd_server *srv, const char *id);

/* The view of the loaded alerts named by index ix, built when stale; NULL
 * when out of memory. Call with idx_lock held for reading; valid while it
 * is held. (alert_view.c) */
/* The person index for the store's identities at resolve run `gen`: the
 * loaded one patched (jd_person_index_patch), or built whole when there is
 * none or JD_INDEX_REBUILD is set; with JD_LIVE_CHECK_PATCH the result is
 * compared with a full build (logged). Call with idx_build_mu held.
 * *patched as jd_person_index_patch gives it (may be NULL). */
int jd_server_index_next(jd_server *srv, jd_store *s, int64_t gen, jd_person_index **out,
                         size_t *patched, jd_error *err);
const alert_view *jd_alert_view(jd_server *srv, const jd_person_index *ix);
void jd_alert_view_free(alert_view *v);
/* A view built aside (NULL when out of memory), for the live thread to
 * swap in with the alerts and index it names: requests then never sort
 * the alerts themselves under view_mu. Swap with idx_lock held for
 * writing; it returns the old view, to free once the lock is released. */
alert_view *jd_alert_view_build(json_t *alerts, const jd_person_index *ix, int64_t gen);
alert_view *jd_alert_view_swap(jd_server *srv, alert_view *nv);
/* The rows of the alerts about a person (subject or member), in loaded
 * order: a new array of *n (NULL when out of memory). */
uint32_t *jd_alert_view_of_person(const alert_view *v, const char *pid, size_t *n);
/* The alerts about a person (json_t *, borrowed) sorted by id, as the
 * store's order: a new array of *n, for jd_child_summary_build_with (NULL
 * when out of memory). */
void **jd_alert_view_docs_of(const alert_view *v, const char *pid, size_t *n);
/* The alert with this id (borrowed), or NULL. */
json_t *jd_alert_view_by_id(const alert_view *v, const char *id);
/* 1 low, 2 medium, 3 high, 4 critical; 0 otherwise. */
int jd_alert_level_rank(const char *level);

#endif
