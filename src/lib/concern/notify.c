/*
 * Notification delivery (see include/joindots/concern.h): messages are
 * queued in notify_outbox in the same transaction as the concern change
 * they announce, so a change is never made without its message. This file
 * delivers them by SMTP (a minimal RFC 5321 client) and/or by an HTTP POST
 * webhook, over plain sockets with a timeout on every step. A failed
 * attempt is recorded with the next attempt time (30 s doubling, capped at
 * an hour); a message leaves the queue only when a server accepted it.
 */
#include "concern/concern_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPLY 4096
#define MAX_DUE 1000

typedef struct conn {
    int fd, timeout_ms;
    char buf[MAX_REPLY];
    size_t len;
} conn;

static int dial(conn *c, const char *host, int port, int timeout_ms, char *why, size_t wn)
{
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, ps, &hints, &res) != 0 || !res) {
        snprintf(why, wn, "cannot resolve the host");
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        int fl = fcntl(fd, F_GETFL, 0);
        (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        int r = connect(fd, a->ai_addr, a->ai_addrlen);
        if (r < 0 && errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (poll(&p, 1, timeout_ms) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                r = 0;
            else
                errno = soerr ? soerr : ETIMEDOUT;
        }
        if (r < 0) {
            snprintf(why, wn, "connect: %s", strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return -1;
    c->fd = fd;
    c->timeout_ms = timeout_ms;
    c->len = 0;
    return 0;
}

static int send_all(conn *c, const char *s, size_t n)
{
    while (n) {
        struct pollfd p = {c->fd, POLLOUT, 0};
        if (poll(&p, 1, c->timeout_ms) != 1)
            return -1;
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read one CRLF line into line[] (NUL-terminated, without the CRLF). */
static int read_line(conn *c, char *line, size_t n)
{
    for (int guard = 0; guard < 1000; guard++) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl) {
            size_t k = (size_t)(nl - c->buf);
            size_t m = k < n - 1 ? k : n - 1;
            memcpy(line, c->buf, m);
            line[m] = 0;
            if (m && line[m - 1] == '\r')
                line[m - 1] = 0;
            memmove(c->buf, nl + 1, c->len - k - 1);
            c->len -= k + 1;
            return 0;
        }
        if (c->len == sizeof c->buf)
            return -1;
        struct pollfd p = {c->fd, POLLIN, 0};
        if (poll(&p, 1, c->timeout_ms) != 1)
            return -1;
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (r <= 0)
            return -1;
        c->len += (size_t)r;
    }
    return -1;
}

/* An SMTP reply (multi-line aware); its code, or -1. */
static int smtp_reply(conn *c, char *why, size_t wn)
{
    char line[512];
    for (int i = 0; i < 100; i++) {
        if (read_line(c, line, sizeof line) < 0) {
            snprintf(why, wn, "no reply from the mail server");
            return -1;
        }
        if (strlen(line) < 3)
            continue;
        if (line[3] != '-') {
            int code = atoi(line);
            if (code >= 400)
                snprintf(why, wn, "mail server said %.3s", line);
            return code;
        }
    }
    return -1;
}

static int smtp_cmd(conn *c, const char *cmd, int want, char *why, size_t wn)
{
    if (cmd && send_all(c, cmd, strlen(cmd)) < 0) {
        snprintf(why, wn, "cannot write to the mail server");
        return -1;
    }
    int code = smtp_reply(c, why, wn);
    return code / 100 == want / 100 ? 0 : -1;
}

static bool header_safe(const char *s)
{
    return s && !strpbrk(s, "\r\n<>");
}

static int send_mail(const jd_notify_opts *o, const jd_outbox_rec *m, char *why, size_t wn)
{
    char to[300];
    snprintf(to, sizeof to, "%s@%s", m->recipient, o->mail_domain ? o->mail_domain : "localhost");
    if (!header_safe(to) || !header_safe(o->mail_from) || !header_safe(m->subject) ||
        strchr(to, ' ')) {
        snprintf(why, wn, "unsafe address or subject");
        return -1;
    }
    conn c;
    if (dial(&c, o->smtp_host, o->smtp_port ? o->smtp_port : 25, o->timeout_ms, why, wn) < 0)
        return -1;
    char cmd[700];
    int rc = smtp_cmd(&c, NULL, 220, why, wn);
    if (rc == 0)
        rc = smtp_cmd(&c, "HELO joindots\r\n", 250, why, wn);
    snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>\r\n", o->mail_from);
    if (rc == 0)
        rc = smtp_cmd(&c, cmd, 250, why, wn);
    snprintf(cmd, sizeof cmd, "RCPT TO:<%s>\r\n", to);
    if (rc == 0)
        rc = smtp_cmd(&c, cmd, 250, why, wn);
    if (rc == 0)
        rc = smtp_cmd(&c, "DATA\r\n", 354, why, wn);
    if (rc == 0) {
        jd_buf b = JD_BUF_INIT(1 << 20);
        int br = jd_buf_printf(&b,
                               "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
                               "Message-ID: <outbox-%lld@joindots>\r\n\r\n",
                               o->mail_from, to, m->subject, (long long)m->id);
        /* dot-stuffing: a line starting with '.' gets another */
        for (const char *p = m->body; br == 0 && *p;) {
            const char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p + 1) : strlen(p);
            if (*p == '.')
                br = jd_buf_addc(&b, '.');
            if (br == 0)
                br = jd_buf_add(&b, p, n);
            p += n;
        }
        if (br == 0)
            br = jd_buf_adds(&b, "\r\n.\r\n");
        if (br < 0 || send_all(&c, jd_buf_cstr(&b), b.len) < 0) {
            snprintf(why, wn, "cannot write the message");
            rc = -1;
        }
        jd_buf_dispose(&b);
        if (rc == 0)
            rc = smtp_cmd(&c, NULL, 250, why, wn);
    }
    if (rc == 0)
        (void)smtp_cmd(&c, "QUIT\r\n", 221, why, wn);
    close(c.fd);
    return rc;
}

/* http://host[:port]/path */
static int parse_url(const char *url, char *host, size_t hn, int *port, const char **path)
{
    if (strncmp(url, "http://", 7) != 0)
        return -1;
    const char *h = url + 7, *slash = strchr(h, '/');
    const char *end = slash ? slash : h + strlen(h);
    const char *colon = memchr(h, ':', (size_t)(end - h));
    size_t n = (size_t)((colon ? colon : end) - h);
    if (!n || n >= hn)
        return -1;
    memcpy(host, h, n);
    host[n] = 0;
    *port = colon ? atoi(colon + 1) : 80;
    *path = slash ? slash : "/";
    return *port > 0 && *port < 65536 ? 0 : -1;
}

static int post_webhook(const jd_notify_opts *o, const jd_outbox_rec *m, char *why, size_t wn)
{
    char host[256];
    int port;
    const char *path;
    if (parse_url(o->webhook_url, host, sizeof host, &port, &path) < 0) {
        snprintf(why, wn, "bad webhook URL (http://host:port/path)");
        return -1;
    }
    json_t *j =
        json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)m->id, "concern", m->concern_id,
                  "recipient", m->recipient, "subject", m->subject, "body", m->body);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!body) {
        snprintf(why, wn, "out of memory");
        return -1;
    }
    conn c;
    int rc = dial(&c, host, port, o->timeout_ms, why, wn);
    if (rc == 0) {
        char head[1024];
        snprintf(head, sizeof head,
                 "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                 "Idempotency-Key: joindots-outbox-%lld\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 path, host, port, (long long)m->id, strlen(body));
        char line[512];
        if (send_all(&c, head, strlen(head)) < 0 || send_all(&c, body, strlen(body)) < 0 ||
            read_line(&c, line, sizeof line) < 0) {
            snprintf(why, wn, "webhook: no reply");
            rc = -1;
        } else {
            const char *sp = strchr(line, ' ');
            int status = sp ? atoi(sp + 1) : 0;
            if (status < 200 || status > 299) {
                snprintf(why, wn, "webhook: HTTP status %d", status);
                rc = -1;
            }
        }
        close(c.fd);
    }
    free(body);
    return rc;
}

typedef struct due {
    jd_outbox_rec *m;
    size_t n, cap;
} due;

static int on_due(const jd_outbox_rec *r, void *payload)
{
    due *d = payload;
    if (d->n >= MAX_DUE)
        return 1;
    if (jd_grow((void **)&d->m, &d->cap, d->n + 1, sizeof *d->m) < 0)
        return JD_ENOMEM;
    jd_outbox_rec c = *r;
    c.concern_id = strdup(r->concern_id);
    c.recipient = strdup(r->recipient);
    c.subject = strdup(r->subject);
    c.body = strdup(r->body);
    d->m[d->n++] = c;
    return c.concern_id && c.recipient && c.subject && c.body ? 0 : JD_ENOMEM;
}

static void due_free(due *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free((char *)d->m[i].concern_id);
        free((char *)d->m[i].recipient);
        free((char *)d->m[i].subject);
        free((char *)d->m[i].body);
    }
    free(d->m);
    memset(d, 0, sizeof *d);
}

static int64_t backoff(int attempts)
{
    int64_t b = 30;
    for (int i = 0; i < attempts && b < 3600; i++)
        b *= 2;
    return b < 3600 ? b : 3600;
}

static int one_pass(jd_store *s, const jd_notify_opts *o, const char *channel, int64_t now,
                    jd_notify_stats *st, jd_error *err)
{
    due d = {0};
    int rc = s->ops->concern->outbox_due(s, channel, now, on_due, &d, err);
    if (rc == JD_ENOMEM)
        rc = jd_oom(err);
    else if (rc > 0)
        rc = JD_OK;
    for (size_t i = 0; rc == JD_OK && i < d.n; i++) {
        char why[200] = "";
        int ok = !strcmp(channel, "smtp") ? send_mail(o, &d.m[i], why, sizeof why)
                                          : post_webhook(o, &d.m[i], why, sizeof why);
        if (ok == 0)
            st->delivered++;
        else
            st->failed++;
        rc = s->ops->concern->delivery_mark(s, d.m[i].id, channel, ok == 0, now,
                                            ok == 0 ? now : now + backoff(d.m[i].attempts),
                                            ok == 0 ? NULL : why, err);
    }
    due_free(&d);
    return rc;
}

int jd_notify_deliver(jd_store *s, const jd_notify_opts *o, jd_notify_stats *stats, jd_error *err)
{
    jd_notify_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    if (!s || !o || (!o->smtp_host && !o->webhook_url) ||
        (o->smtp_host && (!o->mail_from || !o->mail_domain)) || o->wait_s < 0 || o->wait_s > 86400)
        return jd_error_set(err, JD_EINVALID,
                            "notify needs an SMTP host (with from address and mail domain) or "
                            "a webhook URL");
    if (!s->ops->concern)
        return jd_error_set(err, JD_ESTORE, "this store has no concerns");
    jd_notify_opts op = *o;
    if (op.timeout_ms <= 0)
        op.timeout_ms = 5000;
    const char *channels[2];
    int nch = 0;
    if (o->smtp_host)
        channels[nch++] = "smtp";
    if (o->webhook_url)
        channels[nch++] = "webhook";
    int64_t until = (int64_t)time(NULL) + o->wait_s;
    int rc = JD_OK;
    /* bounded: one pass, or one pass a second until the wait is over */
    for (int round = 0; round <= o->wait_s; round++) {
        int64_t now = o->now ? o->now : (int64_t)time(NULL);
        for (int c = 0; c < nch && rc == JD_OK; c++)
            rc = one_pass(s, &op, channels[c], now, stats, err);
        int64_t pending = 0;
        stats->queued = 0;
        for (int c = 0; c < nch && rc == JD_OK; c++) {
            int64_t q = 0, p = 0;
            rc = s->ops->concern->outbox_counts(s, channels[c], &q, &p, err);
            stats->queued = q;
            pending += p;
        }
        stats->pending = pending;
        if (rc < 0 || !pending || o->now || (int64_t)time(NULL) >= until)
            break;
        struct timespec ts = {1, 0};
        nanosleep(&ts, NULL);
    }
    return rc;
}
