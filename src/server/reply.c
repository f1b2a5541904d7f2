/*
 * What every route file answers with (server_internal.h): replies, query
 * arguments, valid UTF-8, and the audit row of a request. The route files
 * (api*.c, feeds.c) and server.c call this one; it calls none of them, so
 * server.c dispatching to feeds.c is no cycle.
 */
#include "server_internal.h"

#include <joindots/audit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void jd_reply_error(reply *r, unsigned status, const char *code, const char *msg)
{
    json_decref(r->json);
    r->status = status;
    r->json = json_pack("{s:s,s:s}", "error", code, "message", msg);
}

void jd_reply_json(reply *r, unsigned status, json_t *j)
{
    json_decref(r->json);
    r->status = status;
    r->json = j;
}

const char *jd_query(api_ctx *c, const char *key)
{
    if (!c->con) /* a handler called without a connection (fuzz/fuzz_api.c) */
        return NULL;
    return MHD_lookup_connection_value(c->con, MHD_GET_ARGUMENT_KIND, key);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4
                                                                                          : 0;
    }
    return 0;
}

void jd_utf8_clean(char *out, size_t cap, const char *in)
{
    static const char repl[] = "\xEF\xBF\xBD";
    size_t o = 0;
    if (!cap)
        return;
    for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p;) {
        size_t n = utf8_seq(p);
        const char *src = n ? (const char *)p : repl;
        size_t len = n ? n : 3;
        if (o + len + 1 > cap)
            break;
        memcpy(out + o, src, len);
        o += len;
        p += n ? n : 1;
    }
    out[o] = '\0';
}

/* Every audited field is stored as valid UTF-8 (an invalid byte becomes
 * U+FFFD), so that every row can be shown as JSON to the auditor. */
static char *clean_dup(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *out = malloc(n * 3 + 1); /* each byte at most one U+FFFD */
    if (out)
        jd_utf8_clean(out, n * 3 + 1, s);
    return out;
}

/* A request's row in the group commit (jd_server.audit_q). A deferred
 * row (api_ctx.audit_defer) owns its fields (f) and sits on its request's
 * audit_pending list (own) until jd_audit_finish. */
typedef struct audit_wait {
    jd_audit_entry e;
    struct audit_wait *next;
    bool done;
    int rc;
    jd_error err;
    char *f[5];
    struct audit_wait *own;
} audit_wait;

/* Write the rows waiting, w's among them, in one transaction on s. Called
 * and returns with audit_mu held; the writer flag is set meanwhile. The
 * rows' requests are woken once the transaction is committed; then the
 * audit WAL is checkpointed if due (jd_audit_checkpoint), still as the
 * writer, so that no group's commit runs beside it: a checkpoint that
 * copies every frame lets the next commit start the WAL afresh (run beside
 * a commit it would leave the new frames, the WAL growing past its
 * threshold and checkpointed again at every commit). Only this request
 * and rows queued meanwhile wait for it, never the group just committed.
 * c (may be NULL) gets the phases. */
static void audit_write_waiting(jd_server *srv, jd_store *s, api_ctx *c)
{
    double t0 = jd_srv_secs(), cpu0 = jd_thread_cpu();
    audit_wait *batch = srv->audit_q;
    srv->audit_q = NULL;
    srv->audit_tail = &srv->audit_q;
    srv->audit_writing = true;
    pthread_mutex_unlock(&srv->audit_mu);
    size_t n = 0;
    for (audit_wait *w = batch; w; w = w->next)
        n++;
    jd_error err = {0};
    int rc = JD_ENOMEM;
    jd_audit_entry *es = malloc(n * sizeof *es);
    if (es) {
        n = 0;
        for (audit_wait *w = batch; w; w = w->next)
            es[n++] = w->e;
        rc = jd_audit_append_group(s, es, n, &err);
        free(es);
    } else {
        jd_error_set(&err, JD_ENOMEM, "out of memory");
    }
    if (rc == JD_OK) {
        atomic_fetch_add(&srv->audit_commits, 1);
        atomic_fetch_add(&srv->audit_rows, (long long)n);
    }
    pthread_mutex_lock(&srv->audit_mu);
    for (audit_wait *w = batch; w; w = w->next) {
        w->rc = rc;
        w->err = err;
        w->done = true;
    }
    pthread_cond_broadcast(&srv->audit_cv); /* the group's requests go on */
    pthread_mutex_unlock(&srv->audit_mu);
    double t1 = jd_srv_secs(), cpu1 = jd_thread_cpu();
    if (rc == JD_OK)
        (void)jd_audit_checkpoint(s, NULL, NULL);
    if (c) {
        c->audit_write_s += t1 - t0;
        c->audit_write_cpu_s += cpu1 - cpu0;
        c->audit_ckpt_s += jd_srv_secs() - t1;
        c->audit_group_rows += (int)n;
    }
    pthread_mutex_lock(&srv->audit_mu);
    srv->audit_writing = false;
    pthread_cond_broadcast(&srv->audit_cv);
}

/* Wait, with audit_mu held, until w is committed: another request's
 * transaction takes it, or this one writes every row waiting on s. */
static void audit_wait_done(jd_server *srv, jd_store *s, audit_wait *w, api_ctx *c)
{
    while (!w->done && srv->audit_writing)
        pthread_cond_wait(&srv->audit_cv, &srv->audit_mu);
    if (!w->done)
        audit_write_waiting(srv, s, c);
}

/* Append e as jd_audit_append does, in the server's group commit: returns
 * once e's row is committed (or its transaction failed). The caller's store
 * must be in no transaction of its own (none in the server is). */
static int audit_append(api_ctx *c, const jd_audit_entry *e, jd_error *err)
{
    jd_server *srv = c->srv;
    if (!srv || !srv->audit_group)
        return jd_audit_append(c->store, e, NULL, err);
    int rc = jd_audit_check(e, err); /* a row refused alone fails alone */
    if (rc < 0)
        return rc;
    audit_wait w = {.e = *e};
    pthread_mutex_lock(&srv->audit_mu);
    *srv->audit_tail = &w;
    srv->audit_tail = &w.next;
    audit_wait_done(srv, c->store, &w, c);
    pthread_mutex_unlock(&srv->audit_mu);
    *err = w.err;
    return w.rc;
}

/* A read's row queued in the group commit, not waited for (jd_audit_finish
 * does): w takes f. JD_OK, or the row refused alone (f left to the caller). */
static int audit_queue(api_ctx *c, char *f[5], bool ok, jd_error *err)
{
    jd_server *srv = c->srv;
    audit_wait *w = calloc(1, sizeof *w);
    if (!w) {
        jd_error_set(err, JD_ENOMEM, "out of memory");
        return JD_ENOMEM;
    }
    w->e = (jd_audit_entry){
        .actor = f[0], .action = f[1], .target = f[2], .reason = f[3], .detail = f[4], .ok = ok};
    int rc = jd_audit_check(&w->e, err);
    if (rc < 0) {
        free(w);
        return rc;
    }
    memcpy(w->f, f, sizeof w->f);
    w->own = c->audit_pending;
    c->audit_pending = w;
    pthread_mutex_lock(&srv->audit_mu);
    *srv->audit_tail = w;
    srv->audit_tail = &w->next;
    pthread_mutex_unlock(&srv->audit_mu);
    return JD_OK;
}

/* The monotonic clock in seconds, for the server's timings (live.c, server.c). */
double jd_srv_secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int jd_audit_finish(api_ctx *c)
{
    if (!c->audit_pending)
        return JD_OK;
    jd_server *srv = c->srv;
    double t0 = jd_srv_secs();
    int rc = JD_OK;
    pthread_mutex_lock(&srv->audit_mu);
    for (audit_wait *w = c->audit_pending; w; w = w->own)
        audit_wait_done(srv, c->store, w, c);
    pthread_mutex_unlock(&srv->audit_mu);
    while (c->audit_pending) {
        audit_wait *w = c->audit_pending;
        c->audit_pending = w->own;
        if (w->rc < 0 && rc == JD_OK) {
            rc = w->rc;
            fprintf(stderr,
                    "joindots serve: audit write failed (%s): %s; the request is refused\n",
                    w->e.action, w->err.msg[0] ? w->err.msg : "out of memory");
        }
        for (int i = 0; i < 5; i++)
            free(w->f[i]);
        free(w);
    }
    c->audit_wait_s += jd_srv_secs() - t0;
    return rc;
}

int jd_audit(api_ctx *c, const char *action, const char *target, const char *reason,
             const char *detail, bool ok)
{
    char d[400];
    snprintf(d, sizeof d, "%s%sfrom=%s", detail ? detail : "", detail && *detail ? " " : "",
             c->who->addr);
    const char *actor = c->who->authed ? c->who->acct.username : "-";
    char *f[5] = {clean_dup(actor), clean_dup(action), clean_dup(target), clean_dup(reason),
                  clean_dup(d)};
    int rc = JD_ENOMEM;
    jd_error err = {0};
    if (f[0] && f[1] && f[2] && f[3] && f[4]) {
        if (c->audit_defer && c->srv && c->srv->audit_group) {
            rc = audit_queue(c, f, ok, &err);
            if (rc == JD_OK)
                return JD_OK; /* f is the queued row's now */
        } else {
            jd_audit_entry e = {.actor = f[0],
                                .action = f[1],
                                .target = f[2],
                                .reason = f[3],
                                .detail = f[4],
                                .ok = ok};
            double t0 = jd_srv_secs();
            rc = audit_append(c, &e, &err);
            c->audit_wait_s += jd_srv_secs() - t0;
        }
    }
    for (int i = 0; i < 5; i++)
        free(f[i]);
    if (rc < 0)
        fprintf(stderr, "joindots serve: audit write failed (%s): %s; the request is refused\n",
                action, err.msg[0] ? err.msg : "out of memory");
    return rc < 0 ? rc : JD_OK;
}

void jd_reply_audit_failed(reply *r)
{
    jd_reply_error(r, 503, "audit_unavailable",
                   "This could not be recorded in the audit log, so it was not done. "
                   "Try again in a moment; tell the administrator if it goes on.");
}

bool jd_audited(api_ctx *c, reply *r, const char *action, const char *target, const char *reason,
                const char *detail, bool ok)
{
    if (jd_audit(c, action, target, reason, detail, ok) == JD_OK)
        return true;
    jd_reply_audit_failed(r);
    return false;
}
