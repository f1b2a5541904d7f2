/*
 * HTTP plumbing of `joindots serve`: limits, sessions, CSRF, routing,
 * static files, security headers and graceful shutdown. The API handlers
 * are in api.c.
 */
#include "server_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <joindots/identity.h>

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self';"
                          " img-src 'self' data:; connect-src 'self'; object-src 'none';"
                          " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static void headers(struct MHD_Response *r, bool tls)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    if (tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_buf(struct MHD_Connection *con, jd_server *srv, unsigned status,
                                const char *type, char *buf, size_t len, const char *cookie,
                                const char *cache)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, buf, free);
    if (!r) {
        free(buf);
        return MHD_NO;
    }
    headers(r, srv->o.tls_cert != NULL);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", cache ? cache : "no-store");
    if (cookie)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result ret = MHD_queue_response(con, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *con, jd_server *srv, reply *rp);

enum MHD_Result jd_send_reply(struct MHD_Connection *con, jd_server *srv, reply *rp)
{
    return send_json(con, srv, rp);
}

static enum MHD_Result send_json(struct MHD_Connection *con, jd_server *srv, reply *rp)
{
    char *s = rp->json ? json_dumps(rp->json, JSON_COMPACT) : strdup("{}");
    json_decref(rp->json);
    enum MHD_Result ret = MHD_NO;
    if (s)
        ret = send_buf(con, srv, rp->status, "application/json; charset=utf-8", s, strlen(s),
                       rp->set_cookie, NULL);
    free(rp->set_cookie);
    return ret;
}

/* A handler's body that is not JSON (reply.raw), e.g. the PDF chronology. */
static enum MHD_Result send_raw(struct MHD_Connection *con, jd_server *srv, reply *rp)
{
    json_decref(rp->json);
    free(rp->set_cookie);
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(rp->raw_len, rp->raw, free);
    if (!r) {
        free(rp->raw);
        return MHD_NO;
    }
    headers(r, srv->o.tls_cert != NULL);
    MHD_add_response_header(r, "Content-Type", rp->raw_type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (*rp->raw_name) {
        char cd[160];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", rp->raw_name);
        MHD_add_response_header(r, "Content-Disposition", cd);
    }
    enum MHD_Result ret = MHD_queue_response(con, rp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *con, jd_server *srv, unsigned status,
                                  const char *code, const char *msg)
{
    reply r = {0};
    jd_reply_error(&r, status, code, msg);
    return send_json(con, srv, &r);
}

/* ---- store pool ---- */

static unsigned pool_get(jd_server *srv)
{
    pthread_mutex_lock(&srv->pool_mu);
    for (;;) {
        for (unsigned i = 0; i < srv->n_stores; i++)
            if (!srv->busy[i]) {
                srv->busy[i] = true;
                pthread_mutex_unlock(&srv->pool_mu);
                return i;
            }
        pthread_cond_wait(&srv->pool_cv, &srv->pool_mu);
    }
}

static void pool_put(jd_server *srv, unsigned i)
{
    pthread_mutex_lock(&srv->pool_mu);
    srv->busy[i] = false;
    pthread_cond_signal(&srv->pool_cv);
    pthread_mutex_unlock(&srv->pool_mu);
}

bool jd_password_proof(api_ctx *c, reply *r, const char *action, const char *user,
                       const char *password, unsigned fail_status, const char *fail_code,
                       const char *fail_msg, jd_account *out)
{
    char target[96];
    snprintf(target, sizeof target, "account:%.63s", user);
    int64_t now = (int64_t)time(NULL);
    int64_t wait = jd_throttle_wait(&c->srv->th, c->who->addr, user, c->srv->o.login_per_minute,
                                    now);
    if (wait > 0) {
        char d[64], msg[160];
        snprintf(d, sizeof d, "denied: throttled %llds", (long long)wait);
        (void)jd_audit(c, action, target, "", d, false);
        snprintf(msg, sizeof msg,
                 "Too many failed attempts from here. Wait %lld seconds and try again.",
                 (long long)wait);
        jd_reply_error(r, 429, "too_many_attempts", msg);
        if (r->json)
            json_object_set_new(r->json, "retry_after", json_integer((json_int_t)wait));
        return false;
    }
    jd_error err;
    int rc = jd_account_login(c->store, user, password, 0, out, &err);
    if (rc < 0) {
        char d[300];
        snprintf(d, sizeof d, "denied: %.255s", err.msg);
        if (rc == JD_EDENIED)
            jd_throttle_failed(&c->srv->th, c->who->addr, user, now);
        if (jd_audit(c, action, target, "", d, false) < 0 && rc != JD_EDENIED) {
            jd_reply_audit_failed(r);
            return false;
        }
        if (rc == JD_EDENIED)
            jd_reply_error(r, fail_status, fail_code, fail_msg);
        else
            jd_reply_error(r, 503, "store", "The account could not be checked; try again.");
        return false;
    }
    jd_throttle_succeeded(&c->srv->th, c->who->addr, user);
    return true;
}

/* ---- static files ---- */

static const char *mime(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    static const char *const m[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".yaml", "text/plain; charset=utf-8"},
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
        if (!strcmp(dot, m[i][0]))
            return m[i][1];
    return "application/octet-stream";
}

/* Only [A-Za-z0-9._/-], no "..", no "//", no hidden files. */
static bool safe_path(const char *p)
{
    if (*p != '/' || strlen(p) > 200)
        return false;
    for (const char *q = p; *q; q++) {
        char ch = *q;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '/' || ch == '-'))
            return false;
        if (ch == '/' && (q[1] == '/' || q[1] == '.'))
            return false;
    }
    return true;
}

static enum MHD_Result serve_static(struct MHD_Connection *con, jd_server *srv, const char *url)
{
    if (!safe_path(url))
        return send_error(con, srv, MHD_HTTP_NOT_FOUND, "not_found", "No such page.");
    char path[PATH_MAX], real[PATH_MAX];
    const char *rel = strcmp(url, "/") == 0 ? "/index.html" : url;
    /* Pages of the single-page app all load index.html. */
    if (!strchr(rel + 1, '.') && !strchr(rel + 1, '/'))
        rel = "/index.html";
    if (snprintf(path, sizeof path, "%s%s", srv->web_real, rel) >= (int)sizeof path ||
        !realpath(path, real) || strncmp(real, srv->web_real, strlen(srv->web_real)) != 0 ||
        real[strlen(srv->web_real)] != '/')
        return send_error(con, srv, MHD_HTTP_NOT_FOUND, "not_found", "No such page.");
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return send_error(con, srv, MHD_HTTP_NOT_FOUND, "not_found", "No such page.");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((size_t)st.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    headers(r, srv->o.tls_cert != NULL);
    MHD_add_response_header(r, "Content-Type", mime(real));
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    enum MHD_Result ret = MHD_queue_response(con, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- routing ---- */

/* The i-th route of the API's route tables (api.c, api_concern.c,
 * api_work.c, api_person.c, and feeds.c: the
 * routes of systems), or NULL past the last. */
static const route *route_nth(size_t i)
{
    const struct {
        const route *r;
        size_t n;
    } tables[] = {{jd_api_routes, jd_api_n_routes},
                  {jd_api_concern_routes, jd_api_n_concern_routes},
                  {jd_api_work_routes, jd_api_n_work_routes},
                  {jd_api_person_routes, jd_api_n_person_routes},
                  {jd_feed_routes, jd_feed_n_routes}};
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
        if (i < tables[t].n)
            return &tables[t].r[i];
        i -= tables[t].n;
    }
    return NULL;
}

static const route *match(const char *method, const char *url, char *arg, size_t argcap,
                          bool *method_ok)
{
    *method_ok = false;
    const route *found = NULL;
    const route *rt;
    for (size_t i = 0; (rt = route_nth(i)) != NULL; i++) {
        const char *p = rt->pattern, *u = url;
        const char *brace = strstr(p, "{id}");
        bool ok;
        if (!brace) {
            ok = !strcmp(p, u);
        } else {
            size_t pre = (size_t)(brace - p);
            ok = !strncmp(p, u, pre);
            if (ok) {
                u += pre;
                size_t n = strcspn(u, "/");
                const char *post = brace + 4;
                ok = n > 0 && n < argcap && !strcmp(u + n, post);
                if (ok) {
                    memcpy(arg, u, n);
                    arg[n] = '\0';
                }
            }
        }
        if (!ok)
            continue;
        if (!strcmp(rt->method, method)) {
            *method_ok = true;
            return rt;
        }
        found = rt;
    }
    return found;
}

static void addr_text(const struct sockaddr *sa, char out[64])
{
    snprintf(out, 64, "?");
    if (!sa)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

static void client_addr(struct MHD_Connection *con, char out[64])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    addr_text(ci ? ci->client_addr : NULL, out);
}

/* The X-CSRF-Token header equals the session's token (constant time). */
static bool csrf_ok(struct MHD_Connection *con, const caller *who)
{
    const char *h = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-CSRF-Token");
    return h && strlen(h) == JD_SESSION_TOKEN_SIZE - 1 &&
           sodium_memcmp(h, who->csrf, JD_SESSION_TOKEN_SIZE - 1) == 0;
}

/* A POST must be JSON: exactly "application/json", optionally with
 * "; charset=utf-8" (a cross-site form cannot send that without a
 * preflight, which is never granted; "application/jsonfoo" is not JSON). */
static bool is_json_type(const char *ct)
{
    if (!ct || strncasecmp(ct, "application/json", 16) != 0)
        return false;
    const char *p = ct + 16;
    p += strspn(p, " \t");
    if (!*p)
        return true;
    if (*p++ != ';')
        return false;
    p += strspn(p, " \t");
    if (strncasecmp(p, "charset=", 8) != 0)
        return false;
    p += 8;
    bool q = *p == '"';
    p += q;
    if (strncasecmp(p, "utf-8", 5) != 0)
        return false;
    p += 5;
    if (q && *p++ != '"')
        return false;
    p += strspn(p, " \t");
    return *p == '\0';
}

/* When the browser says where a POST comes from, it is this host. This
 * covers the login form too, which has no session and so no CSRF token. */
static bool same_origin(struct MHD_Connection *con)
{
    const char *origin = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Host");
    if (!origin)
        return true;
    const char *o = strstr(origin, "://");
    return host && o && !strcasecmp(o + 3, host);
}

/* The Host header names this server: the listen address, localhost forms
 * or the configured host name, with the port (or none on 80/443). Anything
 * else is refused, so a rebound DNS name cannot reach the API. */
static bool host_ok(jd_server *srv, const char *host)
{
    if (!host || !*host || strlen(host) > 255)
        return false;
    char name[256];
    const char *colon = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
    if (colon && host[0] == '[')
        colon++;
    int port;
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end || v <= 0 || v > 65535)
            return false;
        port = (int)v;
        snprintf(name, sizeof name, "%.*s", (int)(colon - host), host);
    } else {
        port = srv->o.tls_cert ? 443 : 80;
        snprintf(name, sizeof name, "%s", host);
    }
    if (port != atomic_load_explicit(&srv->port, memory_order_acquire))
        return false;
    const char *ok[] = {srv->o.host, "localhost", "127.0.0.1", "[::1]", srv->o.host_name};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (ok[i] && *ok[i] && strcmp(ok[i], "0.0.0.0") != 0 && !strcasecmp(ok[i], name))
            return true;
    return false;
}

/* The person index, with idx_lock held for reading, or NULL (lock not
 * held) when the store cannot be read. Need-to-know is decided on current
 * identities (issue 19 item 5): when a resolve run has changed them since
 * the index was built, *stale is set and the live thread, which rebuilds
 * it, is not waited for (jd_api_person reads the store meanwhile); a
 * server without that thread builds it first, once for all waiters. */
static const jd_person_index *index_acquire(jd_server *srv, jd_store *s, bool *stale)
{
    int64_t gen = 0;
    jd_error err;
    *stale = false;
    if (jd_identity_generation(s, &gen, &err) < 0)
        return NULL;
    pthread_rwlock_rdlock(&srv->idx_lock);
    if (gen == srv->idx_gen)
        return srv->index;
    if (atomic_load_explicit(&srv->idx_async, memory_order_acquire)) {
        *stale = true;
        return srv->index;
    }
    pthread_rwlock_unlock(&srv->idx_lock);
    pthread_mutex_lock(&srv->idx_build_mu);
    bool ok = true;
    pthread_rwlock_rdlock(&srv->idx_lock);
    bool old_gen = gen != srv->idx_gen;
    pthread_rwlock_unlock(&srv->idx_lock);
    if (old_gen) {
        jd_person_index *ni = NULL, *old;
        int64_t g2 = 0;
        ok = jd_identity_generation(s, &g2, &err) == JD_OK &&
             jd_server_index_next(srv, s, g2, &ni, NULL, &err) == JD_OK;
        if (ok) {
            pthread_rwlock_wrlock(&srv->idx_lock);
            old = srv->index;
            srv->index = ni;
            srv->idx_gen = g2;
            pthread_rwlock_unlock(&srv->idx_lock);
            jd_person_index_close(old);
        }
    }
    pthread_mutex_unlock(&srv->idx_build_mu);
    if (!ok)
        return NULL;
    pthread_rwlock_rdlock(&srv->idx_lock);
    return srv->index;
}

/* A request's phases (JD_REQ_PHASES set): the wall clock and the thread's
 * CPU at the wait for idx_lock, the route's run and its end. */
typedef struct {
    double wall, cpu;
} phase_at;
typedef struct {
    phase_at wait, route, done;
} phases;

static void phase_time(phase_at *p)
{
    p->wall = jd_srv_secs();
    p->cpu = jd_thread_cpu();
}

/* One line per request on stderr: where its time went (docs/internals/
 * server.md, "The convoy's fix"): lock = waiting for idx_lock (and the
 * identity generation read), route = the route's wall and CPU time with the
 * lock held, audit = waiting for the audit rows' commit (lock not held);
 * of audit: audit_write = the group transaction this request wrote itself
 * (its CPU audit_write_cpu, the rest its COMMIT's fsync and the CPU
 * queue) for audit_rows rows, audit_ckpt = the WAL checkpoint it ran
 * after answering that group; the rest of audit is the wait for another
 * request's group. */
static void phase_report(const phases *ph, const char *method, const route *rt, const api_ctx *c,
                         unsigned status)
{
    bool ran = ph->wait.wall > 0;
    fprintf(stderr,
            "joindots serve: phases %s %s status=%u lock_ms=%.2f route_ms=%.2f "
            "route_cpu_ms=%.2f audit_ms=%.2f audit_write_ms=%.2f audit_write_cpu_ms=%.2f "
            "audit_ckpt_ms=%.2f audit_rows=%d\n",
            method, rt->pattern, status, ran ? (ph->route.wall - ph->wait.wall) * 1e3 : 0.0,
            ran ? (ph->done.wall - ph->route.wall) * 1e3 : 0.0,
            ran ? (ph->done.cpu - ph->route.cpu) * 1e3 : 0.0, c->audit_wait_s * 1e3,
            c->audit_write_s * 1e3, c->audit_write_cpu_s * 1e3, c->audit_ckpt_s * 1e3,
            c->audit_group_rows);
}

/* The route with idx_lock held for reading. A read's audit rows are
 * committed after the lock is released, so that one slow commit holds no
 * swap and no request queued behind it (issue 17, the idx_lock convoy);
 * the answer waits for them, and is the 503 if they failed. */
static void run_route(jd_server *srv, const route *rt, api_ctx *c, reply *rp, phases *ph)
{
    c->audit_defer = !strcmp(c->method, "GET") && !srv->audit_under_lock;
    phase_time(&ph->wait);
    c->index = index_acquire(srv, c->store, &c->stale);
    phase_time(&ph->route);
    if (!c->index) {
        jd_reply_error(rp, 503, "store", "The store cannot be read just now; try again.");
    } else {
        rt->fn(c, rp);
        pthread_rwlock_unlock(&srv->idx_lock);
    }
    phase_time(&ph->done);
    if (jd_audit_finish(c) < 0) {
        free(rp->raw);
        rp->raw = NULL;
        rp->raw_type = NULL;
        jd_reply_audit_failed(rp);
    }
}

static enum MHD_Result handle_api(jd_server *srv, struct MHD_Connection *con, const char *url,
                                  const char *method, req *rq)
{
    char arg[128] = "";
    bool method_ok;
    const route *rt = match(method, url, arg, sizeof arg, &method_ok);
    if (!rt)
        return send_error(con, srv, MHD_HTTP_NOT_FOUND, "not_found", "No such API route.");
    if (!method_ok)
        return send_error(con, srv, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                          "Method not allowed on this route.");
    if (jd_feed_route(rt)) {
        reply fr = {0};
        jd_feeds_handle(srv, con, rt, *arg ? arg : NULL, rq->body, rq->len, &fr);
        return jd_send_reply(con, srv, &fr);
    }
    caller who = {0};
    client_addr(con, who.addr);
    unsigned slot = pool_get(srv);
    jd_store *s = srv->stores[slot];
    api_ctx c = {.srv = srv,
                 .con = con,
                 .store = s,
                 .screener = srv->screeners[slot],
                 .screen = srv->screens[slot],
                 .who = &who,
                 .method = method,
                 .path = url,
                 .arg = *arg ? arg : NULL};
    reply rp = {.status = 200};
    phases ph = {0};
    const char *tok = MHD_lookup_connection_value(con, MHD_COOKIE_KIND, "jd_session");
    int sess = JD_EDENIED;
    if (tok) {
        jd_error err;
        sess = jd_session_check(s, tok, 0, &who.acct, who.csrf, &err);
        if (sess == JD_OK) {
            who.authed = true;
            snprintf(who.token, sizeof who.token, "%s", tok);
        }
    }
    bool is_post = !strcmp(method, "POST");
    const char *ct = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Type");
    if (sess < 0 && sess != JD_EDENIED) {
        jd_reply_error(&rp, 503, "store", "The session could not be checked; try again.");
    } else if (is_post && !is_json_type(ct)) {
        if (jd_audit(&c, "denied", url, "", "not JSON", false) < 0)
            jd_reply_audit_failed(&rp);
        else
            jd_reply_error(&rp, 415, "unsupported_media_type",
                           "State changes are sent as application/json (charset utf-8).");
    } else if (is_post && !same_origin(con)) {
        if (jd_audit(&c, "denied", url, "", "cross-origin", false) < 0)
            jd_reply_audit_failed(&rp);
        else
            jd_reply_error(&rp, MHD_HTTP_FORBIDDEN, "cross_origin",
                           "State changes must come from this site.");
    } else if (rt->roles != ROLES_NONE && !who.authed) {
        jd_reply_error(&rp, MHD_HTTP_UNAUTHORIZED, "login_required", "Please log in.");
    } else if (rt->roles != ROLES_NONE && !(rt->roles & R(who.acct.role))) {
        if (jd_audit(&c, "denied", url, "", "role", false) < 0)
            jd_reply_audit_failed(&rp);
        else
            jd_reply_error(&rp, MHD_HTTP_FORBIDDEN, "forbidden",
                           "Your role does not give access to this.");
    } else if (is_post && rt->roles != ROLES_NONE && !csrf_ok(con, &who)) {
        if (jd_audit(&c, "denied", url, "", "csrf", false) < 0)
            jd_reply_audit_failed(&rp);
        else
            jd_reply_error(&rp, MHD_HTTP_FORBIDDEN, "csrf", "Missing or wrong CSRF token.");
    } else if (is_post && rq->len > 0 && !(c.body = json_loadb(rq->body, rq->len, 0, NULL))) {
        jd_reply_error(&rp, MHD_HTTP_BAD_REQUEST, "bad_json", "The request body is not JSON.");
    } else if (is_post && c.body && !json_is_object(c.body)) {
        jd_reply_error(&rp, MHD_HTTP_BAD_REQUEST, "bad_json", "Expected a JSON object.");
    } else {
        run_route(srv, rt, &c, &rp, &ph);
    }
    if (srv->phase_log)
        phase_report(&ph, method, rt, &c, rp.status);
    for (size_t i = 0; i < c.n_nows; i++)
        jd_person_now_free(c.nows[i]);
    free(c.nows);
    json_decref(c.body);
    pool_put(srv, slot);
    if (rp.raw && rp.raw_type)
        return send_raw(con, srv, &rp);
    free(rp.raw);
    return send_json(con, srv, &rp);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static conn_node *conn_of(struct MHD_Connection *con)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The calling daemon worker's clock (claimed on first use), under conn_mu;
 * NULL for a thread that is not one of the n_stores workers. */
static worker_clock *worker_self(jd_server *srv)
{
    pthread_t me = pthread_self();
    for (unsigned i = 0; i < srv->n_stores; i++) {
        worker_clock *w = &srv->workers[i];
        if (!w->used) {
            w->used = true;
            w->thread = me;
            return w;
        }
        if (pthread_equal(w->thread, me))
            return w;
    }
    return NULL;
}

/* Milliseconds w has spent in handlers up to now, under conn_mu. */
static int64_t worker_busy(const worker_clock *w, int64_t now)
{
    if (!w)
        return 0;
    return w->busy_ms + (w->in_handler ? now - w->since_ms : 0);
}

/* The calling worker enters (on) or leaves a handler. */
static void worker_handler(jd_server *srv, bool on)
{
    int64_t now = now_ms();
    pthread_mutex_lock(&srv->conn_mu);
    worker_clock *w = worker_self(srv);
    if (w && on) {
        w->in_handler = true;
        w->since_ms = now;
    } else if (w && w->in_handler) {
        w->busy_ms += now - w->since_ms;
        w->in_handler = false;
    }
    pthread_mutex_unlock(&srv->conn_mu);
}

/* The deadline of n starts again now, under conn_mu. */
static void conn_restart(conn_node *n, int64_t now)
{
    n->since_ms = now;
    n->busy0_ms = worker_busy(n->w, now);
}

/* How long n's request has been waited for: since it started, less the
 * time its worker spent in handlers (of other connections) meanwhile,
 * when it could not read n at all. Under conn_mu. */
static int64_t conn_waited(const conn_node *n, int64_t now)
{
    return now - n->since_ms - (worker_busy(n->w, now) - n->busy0_ms);
}

/* The request is in (or answered early): the deadline stops counting. */
static void conn_handling(jd_server *srv, struct MHD_Connection *con, bool on)
{
    conn_node *n = conn_of(con);
    if (!n)
        return;
    pthread_mutex_lock(&srv->conn_mu);
    n->handling = on;
    if (!on)
        conn_restart(n, now_ms());
    pthread_mutex_unlock(&srv->conn_mu);
}

/* n's address is sa's (its port aside). */
static void conn_set_addr(conn_node *n, const struct sockaddr *sa)
{
    n->addr_len = 0;
    if (sa && sa->sa_family == AF_INET) {
        memcpy(n->addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        n->addr_len = 4;
    } else if (sa && sa->sa_family == AF_INET6) {
        memcpy(n->addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        n->addr_len = 16;
    }
}

static bool conn_same_addr(const conn_node *a, const conn_node *b)
{
    return a->addr_len && a->addr_len == b->addr_len && !memcmp(a->addr, b->addr, a->addr_len);
}

static void conn_link(jd_server *srv, conn_node *n)
{
    n->next = srv->conns.next;
    n->prev = &srv->conns;
    srv->conns.next->prev = n;
    srv->conns.next = n;
}

static void conn_unlink(conn_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
}

/* The client has closed (or reset) the socket fd: its end is shut for
 * writing. A worker busy in a handler has not read that yet. */
static bool peer_closed(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

/* Whether one more connection from a's address is let in: fewer than
 * max_per_address are open from there. A connection its client has closed
 * is not open, though its worker, busy in a handler, has not reaped it yet
 * (libmicrohttpd's own limit counted it until then, issue 17); with those
 * the address holds at most half the slots (or twice its limit, if more).
 * A connection in a handler counts whatever its socket says. Under
 * conn_mu. */
static bool addr_admits(jd_server *srv, const conn_node *a)
{
    unsigned lim = srv->o.max_per_address, all = 0, open = 0;
    unsigned cap = srv->o.max_connections / 2 > 2 * lim ? srv->o.max_connections / 2 : 2 * lim;
    for (conn_node *n = srv->conns.next; n != &srv->conns; n = n->next)
        all += conn_same_addr(n, a);
    if (all < lim)
        return true;
    for (conn_node *n = srv->conns.next; n != &srv->conns; n = n->next)
        if (conn_same_addr(n, a) && (n->handling || n->fd < 0 || !peer_closed(n->fd)))
            open++;
    return open < lim && all < cap;
}

/* libmicrohttpd's accept policy: the per-address limit on open
 * connections. An admitted connection is counted at once (the calling
 * worker's `pending`, taken up by on_connection on the same thread), so
 * workers accepting at the same time cannot both let one more in. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    jd_server *srv = cls;
    (void)addrlen;
    conn_node *n = calloc(1, sizeof *n);
    if (!n)
        return MHD_NO;
    n->fd = -1;
    conn_set_addr(n, addr);
    pthread_mutex_lock(&srv->conn_mu);
    worker_clock *w = worker_self(srv);
    if (w && w->pending) { /* admitted before, then failed to start */
        conn_unlink(w->pending);
        free(w->pending);
        w->pending = NULL;
    }
    bool ok = addr_admits(srv, n);
    if (ok && w) {
        n->w = w;
        conn_link(srv, n);
        w->pending = n;
        n = NULL;
    }
    pthread_mutex_unlock(&srv->conn_mu);
    free(n);
    if (!ok) {
        char a[64];
        addr_text(addr, a);
        fprintf(stderr, "joindots serve: refused a connection from %s at the per-address connection "
                        "limit (%u open)\n", a, srv->o.max_per_address);
    }
    return ok ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    jd_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        pthread_mutex_lock(&srv->conn_mu);
        worker_clock *w = worker_self(srv); /* the worker that accepted it serves it */
        conn_node *n = w ? w->pending : NULL;
        if (n) {
            w->pending = NULL;
        } else if ((n = calloc(1, sizeof *n)) != NULL) {
            conn_set_addr(n, ai ? ai->client_addr : NULL);
            conn_link(srv, n);
        }
        if (n) {
            n->fd = ci ? ci->connect_fd : -1;
            n->w = w;
            conn_restart(n, now_ms());
        }
        pthread_mutex_unlock(&srv->conn_mu);
        *socket_context = n;
        return;
    }
    /* Closed: libmicrohttpd closes the socket only after this returns, so
     * the watchdog and on_accept (under the same mutex) never touch a
     * reused fd. */
    conn_node *n = *socket_context;
    if (!n)
        return;
    pthread_mutex_lock(&srv->conn_mu);
    conn_unlink(n);
    pthread_mutex_unlock(&srv->conn_mu);
    free(n);
    *socket_context = NULL;
}

/* A request (headers and body) must arrive within deadline_s of the
 * connection opening or of the previous answer, however slowly it trickles
 * in: the idle timeout alone let a client keep a slot for ever by sending
 * a header line every few seconds (slowloris). Late connections are shut
 * down; libmicrohttpd then closes them. */
static void *watchdog(void *p)
{
    jd_server *srv = p;
    int64_t limit = (int64_t)srv->o.deadline_s * 1000;
    while (!atomic_load(&srv->watchdog_stop)) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        int64_t now = now_ms();
        pthread_mutex_lock(&srv->conn_mu);
        for (conn_node *n = srv->conns.next; n != &srv->conns; n = n->next)
            if (!n->handling && !n->cut && n->fd >= 0 && conn_waited(n, now) > limit) {
                shutdown(n->fd, SHUT_RDWR);
                n->cut = true;
            }
        pthread_mutex_unlock(&srv->conn_mu);
    }
    return NULL;
}

/* The whole request is in: answer it. */
static enum MHD_Result dispatch(jd_server *srv, struct MHD_Connection *con, const char *url,
                                const char *method, req *rq)
{
    if (rq->too_big)
        return send_error(con, srv, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                          "The request is too large.");
    if (!strncmp(url, "/api/", 5))
        return handle_api(srv, con, url, method, rq);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_error(con, srv, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                          "Method not allowed.");
    return serve_static(con, srv, url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    jd_server *srv = cls;
    req *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        *con_cls = rq;
        atomic_fetch_add(&srv->in_flight, 1);
        rq->counted = true;
        if (!host_ok(srv, MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Host"))) {
            rq->answered = true; /* any body is ignored */
            conn_handling(srv, con, true);
            return send_error(con, srv, 421, "misdirected",
                              "This server does not answer for that host name.");
        }
        /* A feed upload is a whole bundle: it has a limit of its own. */
        rq->max = strncmp(url, "/api/feeds/", 11) == 0 ? srv->o.max_feed_body : srv->o.max_body;
        const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > rq->max) {
            rq->too_big = true;
            conn_handling(srv, con, true);
            return send_error(con, srv, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                              "The request is too large.");
        }
        return MHD_YES;
    }
    if (rq->answered) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_big) {
            if (rq->len + *upload_size > rq->max) {
                rq->too_big = true;
                free(rq->body);
                rq->body = NULL;
                rq->len = rq->cap = 0;
            } else {
                if (rq->len + *upload_size + 1 > rq->cap) {
                    size_t nc = (rq->len + *upload_size + 1) * 2;
                    char *nb = realloc(rq->body, nc);
                    if (!nb)
                        return MHD_NO;
                    rq->body = nb;
                    rq->cap = nc;
                }
                memcpy(rq->body + rq->len, upload_data, *upload_size);
                rq->len += *upload_size;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    conn_handling(srv, con, true);
    worker_handler(srv, true);
    enum MHD_Result res = dispatch(srv, con, url, method, rq);
    worker_handler(srv, false);
    return res;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    jd_server *srv = cls;
    (void)toe;
    conn_handling(srv, con, false);
    req *rq = *con_cls;
    if (!rq)
        return;
    if (rq->counted)
        atomic_fetch_sub(&srv->in_flight, 1);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (cap + 4096) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void free_server(jd_server *srv)
{
    if (!srv)
        return;
    for (unsigned i = 0; i < srv->n_stores; i++) {
        if (srv->stores)
            jd_store_close(srv->stores[i]);
        if (srv->screeners)
            jd_screener_close(srv->screeners[i]);
        if (srv->screens)
            jd_screen_close(srv->screens[i]);
    }
    free(srv->stores);
    free(srv->screeners);
    free(srv->screens);
    free(srv->busy);
    if (srv->watchdog_on) {
        atomic_store(&srv->watchdog_stop, true);
        pthread_join(srv->watchdog, NULL);
    }
    free(srv->workers); /* the watchdog read them */
    /* nodes admitted that never started (the daemon has stopped) */
    while (srv->conns.next && srv->conns.next != &srv->conns) {
        conn_node *n = srv->conns.next;
        conn_unlink(n);
        free(n);
    }
    jd_live_stop(srv);
    jd_resolve_resident_free(srv->resident);
    jd_store_close(srv->live_store);
    jd_store_close(srv->lane_store);
    jd_person_index_close(srv->index);
    json_decref(srv->alerts);
    json_decref(srv->board);
    if (srv->key)
        sodium_memzero(srv->key, strlen(srv->key));
    free(srv->key);
    free(srv->cert);
    pthread_mutex_destroy(&srv->pool_mu);
    pthread_cond_destroy(&srv->pool_cv);
    pthread_rwlock_destroy(&srv->idx_lock);
    pthread_mutex_destroy(&srv->idx_build_mu);
    pthread_mutex_destroy(&srv->conn_mu);
    pthread_mutex_destroy(&srv->raise_mu);
    pthread_mutex_destroy(&srv->view_mu);
    jd_alert_view_free(srv->view);
    pthread_mutex_destroy(&srv->live_mu);
    pthread_cond_destroy(&srv->live_cv);
    pthread_mutex_destroy(&srv->write_mu);
    pthread_mutex_destroy(&srv->gate_mu);
    pthread_cond_destroy(&srv->gate_cv);
    pthread_mutex_destroy(&srv->audit_mu);
    pthread_mutex_destroy(&srv->concern_mu);
    pthread_mutex_destroy(&srv->concern_build_mu);
    jd_concern_snap_free(srv->concerns);
    pthread_cond_destroy(&srv->audit_cv);
    jd_throttle_free(&srv->th);
    free(srv);
}

/* The HTTP daemon on opts->host:port, a worker per store, TLS when given. */
static int start_daemon(jd_server *srv, const jd_server_opts *opts, jd_error *err)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opts->port)};
    if (inet_pton(AF_INET, opts->host, &sa.sin_addr) != 1)
        return jd_error_set(err, JD_EINVALID, "the listen address must be an IPv4 address");
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (srv->cert)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_opts[] = {
        {srv->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->cert},
        {srv->cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, srv->key},
        {MHD_OPTION_END, 0, NULL},
    };
    /* The per-address limit is on_accept's, not MHD_OPTION_PER_IP_CONNECTION_LIMIT
     * (which counts closed connections until their worker reaps them). */
    srv->d = MHD_start_daemon(
        flags, 0, on_accept, srv, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->n_stores, MHD_OPTION_CONNECTION_LIMIT,
        srv->o.max_connections, MHD_OPTION_CONNECTION_TIMEOUT, srv->o.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)131072, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    if (!srv->d)
        return jd_error_set(err, JD_EIO, "cannot listen on %s:%d", opts->host, opts->port);
    return JD_OK;
}

/* The server's mutexes and condition variables (idx_lock aside). */
static void locks_init(jd_server *srv)
{
    pthread_mutex_init(&srv->idx_build_mu, NULL);
    pthread_mutex_init(&srv->conn_mu, NULL);
    pthread_mutex_init(&srv->raise_mu, NULL);
    pthread_mutex_init(&srv->view_mu, NULL);
    pthread_mutex_init(&srv->live_mu, NULL);
    pthread_cond_init(&srv->live_cv, NULL);
    pthread_mutex_init(&srv->write_mu, NULL);
    pthread_mutex_init(&srv->gate_mu, NULL);
    pthread_cond_init(&srv->gate_cv, NULL);
    pthread_mutex_init(&srv->audit_mu, NULL);
    pthread_mutex_init(&srv->concern_mu, NULL);
    pthread_mutex_init(&srv->concern_build_mu, NULL);
    pthread_cond_init(&srv->audit_cv, NULL);
}

int jd_server_start(jd_server **out, const jd_server_opts *opts, jd_error *err)
{
    jd_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    srv->o = *opts;
    pthread_mutex_init(&srv->pool_mu, NULL);
    pthread_cond_init(&srv->pool_cv, NULL);
    /* Writers first: the live thread's swap must not wait behind a stream
     * of requests (no request takes idx_lock twice, so this cannot
     * deadlock). */
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&srv->idx_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    locks_init(srv);
    srv->audit_tail = &srv->audit_q;
    srv->audit_group = true;
    srv->phase_log = getenv("JD_REQ_PHASES") != NULL;
    srv->audit_under_lock = getenv("JD_AUDIT_UNDER_LOCK") != NULL; /* the old way, for A/B */
    srv->conns.next = srv->conns.prev = &srv->conns;
    randombytes_buf(srv->board_key, sizeof srv->board_key);
    int rc = jd_throttle_init(&srv->th);
    if (rc < 0) {
        free(srv);
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    }
    if (!srv->o.max_per_address || srv->o.max_per_address > srv->o.max_connections)
        srv->o.max_per_address = srv->o.max_connections;
    if (!srv->o.deadline_s)
        srv->o.deadline_s = srv->o.timeout_s;
    if (!opts->web_root || !realpath(opts->web_root, srv->web_real)) {
        rc = jd_error_set(err, JD_EINVALID, "the web folder cannot be found");
        goto fail;
    }
    if (!opts->tls_cert != !opts->tls_key) {
        rc = jd_error_set(err, JD_EINVALID, "--tls-cert and --tls-key go together");
        goto fail;
    }
    if (opts->tls_cert &&
        (!(srv->cert = slurp(opts->tls_cert)) || !(srv->key = slurp(opts->tls_key)))) {
        rc = jd_error_set(err, JD_EINVALID, "cannot read the TLS certificate or key");
        goto fail;
    }
    srv->n_stores = opts->threads ? opts->threads : 4;
    srv->stores = calloc(srv->n_stores, sizeof *srv->stores);
    srv->screeners = calloc(srv->n_stores, sizeof *srv->screeners);
    srv->screens = calloc(srv->n_stores, sizeof *srv->screens);
    srv->busy = calloc(srv->n_stores, sizeof *srv->busy);
    srv->workers = calloc(srv->n_stores, sizeof *srv->workers);
    if (!srv->stores || !srv->screeners || !srv->screens || !srv->busy || !srv->workers) {
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        goto fail;
    }
    jd_store_opts so = {.create = false, .read_only = false};
    for (unsigned i = 0; i < srv->n_stores; i++)
        if ((rc = jd_store_open(&srv->stores[i], opts->db, &so, err)) < 0 ||
            (rc = jd_screener_open(&srv->screeners[i], NULL, err)) < 0 ||
            (rc = jd_screen_open(&srv->screens[i], NULL, err)) < 0)
            goto fail;
    if ((rc = jd_identity_generation(srv->stores[0], &srv->idx_gen, err)) < 0 ||
        (rc = jd_person_index_open(&srv->index, srv->stores[0], err)) < 0)
        goto fail;
    if ((rc = jd_live_generation(srv->stores[0], &srv->loaded_analysis, NULL, err)) < 0 &&
        rc != JD_EINVALID)
        goto fail;
    if ((rc = jd_api_load(srv, srv->stores[0], err)) < 0)
        goto fail;
    (void)jd_alert_view(srv, srv->index); /* not built by a request, others waiting */
    if ((rc = start_daemon(srv, opts, err)) < 0)
        goto fail;
    /* workers may already be answering (TSan: a plain int raced host_ok) */
    atomic_store_explicit(&srv->port, jd_server_port(srv), memory_order_release);
    if (pthread_create(&srv->watchdog, NULL, watchdog, srv) != 0) {
        MHD_stop_daemon(srv->d);
        rc = jd_error_set(err, JD_ENOMEM, "cannot start the request watchdog");
        goto fail;
    }
    srv->watchdog_on = true;
    if ((rc = jd_store_open(&srv->live_store, opts->db, &so, err)) < 0 ||
        (rc = jd_store_open(&srv->lane_store, opts->db, &so, err)) < 0 ||
        (rc = jd_live_start(srv, err)) < 0) {
        MHD_stop_daemon(srv->d);
        goto fail;
    }
    *out = srv;
    return JD_OK;
fail:
    free_server(srv);
    return rc;
}

int jd_server_port(const jd_server *srv)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : srv->o.port;
}

void jd_server_stop(jd_server *srv, unsigned grace_s)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, true);
    /* Stop accepting; connections already open finish their requests. */
    MHD_socket ls = MHD_quiesce_daemon(srv->d);
    for (unsigned i = 0; i < grace_s * 20 && atomic_load(&srv->in_flight) > 0; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    long long rows = atomic_load(&srv->audit_rows), commits = atomic_load(&srv->audit_commits);
    if (rows)
        fprintf(stderr, "joindots serve: %lld audit rows written in %lld transactions\n", rows,
                commits);
    free_server(srv);
}

void jd_server_print_routes(FILE *f)
{
    const route *rt;
    for (size_t i = 0; (rt = route_nth(i)) != NULL; i++) {
        fprintf(f, "%s %s", rt->method, rt->pattern);
        if (rt->roles == ROLES_FEED) {
            fputs(" feed\n", f);
            continue;
        }
        for (int r = 0; r < JD_ROLE_COUNT; r++)
            if (rt->roles == ROLES_NONE ? r == 0 : (rt->roles & R(r)) != 0)
                fprintf(f, " %s", rt->roles == ROLES_NONE ? "public" : jd_role_name(r));
        fputc('\n', f);
    }
}
