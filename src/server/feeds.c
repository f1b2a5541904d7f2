/*
 * Feed uploads (issue 17 item 1): POST /api/feeds/{agency}, for agencies'
 * systems, not people.
 *
 *   POST /api/feeds/police?name=2026-12-04
 *   Authorization: Bearer jdf_...        (a token of the feed role: joindots token)
 *   Content-Type: application/x-tar
 *   <a tar of the bundle's events*.csv, persons*.csv, objects*.csv>
 *
 * The token must be bound to the agency of the path (a token of another
 * agency is refused, 403, and audited). The tar is unpacked into a folder
 * of its own (inside the drop folder when the server watches one, so that
 * it stays on the same file system; else in $TMPDIR), ingested exactly as
 * a drop-folder bundle (jd_feed_ingest: one transaction, every row of the
 * token's agency), recorded, and removed. The answer says what was stored,
 * or why the whole feed was refused (422). The live thread then brings the
 * analysis up to date (live.c). No session, cookie or CSRF token is
 * involved: a feed token can do nothing else.
 */
#include "server_internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* The handler is in jd_feeds_handle: the table only routes and documents. */
static void api_feed_unused(api_ctx *c, reply *r)
{
    (void)c;
    jd_reply_error(r, 500, "internal", "not reachable");
}

const route jd_feed_routes[] = {
    {"POST", "/api/feeds/{id}", ROLES_FEED, api_feed_unused},
};
const size_t jd_feed_n_routes = sizeof jd_feed_routes / sizeof jd_feed_routes[0];

bool jd_feed_route(const route *rt)
{
    return rt >= jd_feed_routes && rt < jd_feed_routes + jd_feed_n_routes;
}

/* Audit as the token ("feed:NAME", or "-" before it is known). */
static int audit(jd_server *srv, jd_store *s, const char *addr, const char *token_name,
                 const char *target, const char *detail, bool ok)
{
    caller who = {0};
    snprintf(who.addr, sizeof who.addr, "%s", addr);
    if (token_name && *token_name) {
        who.authed = true;
        snprintf(who.acct.username, sizeof who.acct.username, "feed:%.58s", token_name);
    }
    api_ctx c = {.srv = srv, .store = s, .who = &who};
    return jd_audit(&c, "feed", target, "", detail, ok);
}

static void client_addr(struct MHD_Connection *con, char out[64])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, 64, "?");
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        snprintf(out, 64, "%s",
                 inet_ntoa(((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr));
}

static bool valid_name(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len < 1 || len > 100 || n[0] == '.')
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[4096];
            if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < (int)sizeof p)
                unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* A fresh folder for one upload. */
static bool spool_dir(jd_server *srv, const char *agency, char out[4096])
{
    if (srv->o.feeds_dir) {
        char ad[4096];
        snprintf(ad, sizeof ad, "%s/%s", srv->o.feeds_dir, agency);
        (void)mkdir(ad, 0750);
        if (snprintf(out, 4096, "%s/.upload-XXXXXX", ad) < 4096 && mkdtemp(out))
            return true;
    }
    const char *tmp = getenv("TMPDIR");
    return snprintf(out, 4096, "%s/joindots-feed-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 4096 &&
           mkdtemp(out);
}

static void refuse(reply *r, unsigned status, const char *code, const char *msg)
{
    jd_reply_error(r, status, code, msg);
}

/* A feed whose token and form were accepted: spooled, audited, ingested,
 * and answered with its counts (or why it was rejected) in r. */
static void take_feed(jd_server *srv, jd_store *s, reply *r, const char *agency, const char *name,
                      const char *tok_name, const char *addr, const char *target,
                      const char *body, size_t len, jd_error *err)
{
    int rc;
    char nm[128], dir[4096] = "", source[200];
    if (name)
        snprintf(nm, sizeof nm, "%s", name);
    else
        snprintf(nm, sizeof nm, "upload-%lld", (long long)time(NULL));
    snprintf(source, sizeof source, "upload:token %.63s from %.63s", tok_name, addr);
    jd_feed_result res;
    memset(&res, 0, sizeof res);
    if (!spool_dir(srv, agency, dir)) {
        dir[0] = '\0';
        refuse(r, 503, "spool", "The feed could not be written down; try again.");
    } else if ((rc = jd_feed_untar(body ? body : "", len, dir, err)) < 0) {
        char d[300];
        snprintf(d, sizeof d, "rejected: %.250s", err->msg);
        if (audit(srv, s, addr, tok_name, target, d, false) < 0)
            jd_reply_audit_failed(r);
        else if (rc == JD_EIO)
            refuse(r, 503, "spool", "The feed could not be written down; try again.");
        else
            refuse(r, 422, "feed_rejected", err->msg);
    } else if (audit(srv, s, addr, tok_name, target, "received", true) < 0) {
        jd_reply_audit_failed(r);
    } else {
        jd_write_lock(srv);
        rc = jd_feed_ingest(s, agency, dir, nm, source, NULL, &res, err);
        jd_write_unlock(srv);
        if (rc < 0) {
            refuse(r, 503, "store", "The feed could not be stored now; send it again.");
        } else if (!res.accepted) {
            char d[300];
            snprintf(d, sizeof d, "feed %lld rejected: %.250s", (long long)res.id, res.reason);
            (void)audit(srv, s, addr, tok_name, target, d, false);
            refuse(r, 422, "feed_rejected", res.reason);
            if (r->json)
                json_object_set_new(r->json, "feed", json_integer(res.id));
        } else {
            char d[96];
            snprintf(d, sizeof d, "feed %lld ingested: %lld rows", (long long)res.id,
                     (long long)res.counts.read);
            (void)audit(srv, s, addr, tok_name, target, d, true);
            jd_reply_json(
                r, 200,
                json_pack("{s:I,s:s,s:b,s:{s:I,s:I,s:I,s:I,s:I,s:I},s:f}", "feed",
                          (json_int_t)res.id, "name", nm, "accepted", 1, "rows", "read",
                          (json_int_t)res.counts.read, "stored",
                          (json_int_t)res.counts.stored, "updated",
                          (json_int_t)res.counts.updated, "unchanged",
                          (json_int_t)res.counts.unchanged, "quarantined",
                          (json_int_t)res.counts.rejected, "warnings",
                          (json_int_t)res.counts.warnings, "seconds", res.seconds));
            if (res.counts.stored + res.counts.updated > 0)
                jd_live_kick(srv);
        }
    }
    if (dir[0])
        rm_tree(dir);
}

void jd_feeds_handle(jd_server *srv, struct MHD_Connection *con, const route *rt,
                     const char *agency, const char *body, size_t len, reply *out)
{
    (void)rt;
    reply r = {.status = 200};
    char addr[64], target[96];
    client_addr(con, addr);
    snprintf(target, sizeof target, "feed:%.60s", agency ? agency : "");
    /* One store slot for the audit and the ingest, like any request. */
    jd_store *s = NULL;
    unsigned slot = 0;
    pthread_mutex_lock(&srv->pool_mu);
    for (;;) {
        for (slot = 0; slot < srv->n_stores && srv->busy[slot]; slot++)
            ;
        if (slot < srv->n_stores)
            break;
        pthread_cond_wait(&srv->pool_cv, &srv->pool_mu);
    }
    srv->busy[slot] = true;
    pthread_mutex_unlock(&srv->pool_mu);
    s = srv->stores[slot];

    const char *auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization");
    const char *ct = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Type");
    const char *name = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "name");
    char tok_agency[32] = "", tok_name[64] = "";
    jd_error err;
    jd_error_clear(&err);
    int rc = JD_EDENIED;
    if (auth && !strncasecmp(auth, "Bearer ", 7))
        rc = jd_feed_token_check(s, auth + 7, tok_agency, tok_name, &err);
    if (rc == JD_EDENIED) {
        if (audit(srv, s, addr, NULL, target, "denied: no valid feed token", false) < 0)
            jd_reply_audit_failed(&r);
        else
            refuse(&r, 401, "token_required", "A feed needs the API token of its agency.");
    } else if (rc < 0) {
        refuse(&r, 503, "store", "The token could not be checked; try again.");
    } else if (!agency || strcmp(agency, tok_agency) != 0) {
        char d[96];
        snprintf(d, sizeof d, "denied: the token is for %.30s", tok_agency);
        if (audit(srv, s, addr, tok_name, target, d, false) < 0)
            jd_reply_audit_failed(&r);
        else
            refuse(&r, 403, "wrong_agency",
                   "This token posts only its own agency's feeds.");
    } else if (!ct || strncasecmp(ct, "application/x-tar", 17) != 0) {
        refuse(&r, 415, "unsupported_media_type",
               "A feed is sent as application/x-tar: a tar of the bundle's CSV files.");
    } else if (name && !valid_name(name)) {
        refuse(&r, 400, "bad_name", "A feed name is 1 to 100 of letters, digits, . _ -");
    } else {
        take_feed(srv, s, &r, agency, name, tok_name, addr, target, body, len, &err);
    }
    pthread_mutex_lock(&srv->pool_mu);
    srv->busy[slot] = false;
    pthread_cond_signal(&srv->pool_cv);
    pthread_mutex_unlock(&srv->pool_mu);
    *out = r; /* sent by server.c */
}
