/*
 * Feeds (issue 17): an agency's bundle that arrives by itself, from the drop
 * folder or an upload, ingested exactly as `joindots ingest` does (one
 * transaction, quarantine, idempotent) with the feed's agency enforced, and
 * recorded with its source whether it was ingested or rejected whole.
 *
 * The drop folder's rule (documented in feed.h and docs/feeds.md): the
 * bundle folder DIR/AGENCY/NAME/ is read only once its marker
 * DIR/AGENCY/NAME.done exists. A writer creates the marker after closing the
 * bundle's last file, so a half-written bundle is never read. The bundle is
 * moved out of the way only after its transaction committed, so a process
 * killed at any point loses nothing: the bundle is read again next time,
 * and what had been committed is found unchanged.
 */
#include <joindots/feed.h>

#include "util/internal.h"
#include "store/live_ops.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SCAN_MAX 10000
#define UNTAR_MAX_FILES 64


/* Input problems reject the feed whole; the others (the store busy or
 * failing, memory) leave it to be tried again. */
static bool transient(int rc)
{
    return rc == JD_ESTORE || rc == JD_ENOMEM;
}

int jd_feed_ingest(jd_store *s, const char *agency, const char *bundle, const char *name,
                   const char *source, const jd_ingest_opts *opts, jd_feed_result *out,
                   jd_error *err)
{
    if (!s || !bundle || !name || !source || !out)
        return jd_error_set(err, JD_EINVALID, "a feed needs a store, a bundle, a name and a source");
    if (!s->ops->live)
        return jd_error_set(err, JD_EINVALID, "this store has no feeds");
    if (!jd_feed_agency_valid(agency))
        return jd_error_set(err, JD_EINVALID, "not an agency code of the contract (§1.4)");
    jd_ingest_opts o = JD_INGEST_OPTS_INIT;
    if (opts)
        o = *opts;
    o.agency = agency;
    memset(out, 0, sizeof *out);
    jd_error ie;
    jd_error_clear(&ie);
    double t0 = jd_secs(), c0 = jd_thread_cpu_secs();
    const char *one[] = {bundle};
    int rc = jd_ingest_bundles(s, one, 1, &o, &out->counts, &ie);
    out->seconds = jd_secs() - t0;
    out->cpu_seconds = jd_thread_cpu_secs() - c0;
    if (rc < 0 && transient(rc)) {
        if (err)
            *err = ie;
        return rc;
    }
    out->accepted = rc == JD_OK;
    if (!out->accepted) {
        snprintf(out->reason, sizeof out->reason, "%.250s", ie.msg[0] ? ie.msg : "refused");
        memset(&out->counts, 0, sizeof out->counts);
    }
    jd_feed_record r = {.agency = agency,
                        .source = source,
                        .name = name,
                        .received_at = (int64_t)time(NULL),
                        .accepted = out->accepted,
                        .reason = out->reason,
                        .run_id = out->accepted ? out->counts.run_id : 0,
                        .counts = out->counts,
                        .seconds = out->seconds};
    return s->ops->live->feed_add(s, &r, &out->id, err);
}

int jd_feed_list(jd_store *s, int64_t limit, jd_feed_record_cb cb, void *payload, jd_error *err)
{
    if (!s || !s->ops->live)
        return jd_error_set(err, JD_EINVALID, "this store has no feeds");
    return s->ops->live->feed_list(s, limit > 0 ? limit : 100, cb, payload, err);
}

/* ---- the drop folder ---- */

typedef struct ready {
    char agency[32];
    char name[256];
    /* An interrupted move (resume): the folder is already in
     * SUB/ID-NAME, its marker NAME.done still here. */
    bool resume, accepted;
    int64_t id;
} ready;

static int by_agency_name(const void *a, const void *b)
{
    const ready *x = a, *y = b;
    int c = strcmp(x->agency, y->agency);
    return c ? c : strcmp(x->name, y->name);
}

/* A bundle name: no leading dot (a folder being written may be hidden), no
 * slash, and not one of the folders feeds are moved to. */
static bool bundle_name(const char *n, size_t len)
{
    if (len == 0 || len >= 256 || n[0] == '.')
        return false;
    if ((len == 8 && !strncmp(n, "ingested", 8)) || (len == 8 && !strncmp(n, "rejected", 8)))
        return false;
    return memchr(n, '/', len) == NULL;
}

/* SUB/ID-NAME: ID, or -1 when the entry is not a feed named `name`. */
static int64_t moved_id(const char *entry, const char *name)
{
    int64_t id = 0;
    const char *p = entry;
    for (; *p >= '0' && *p <= '9' && id < INT64_MAX / 10 - 9; p++)
        id = id * 10 + (*p - '0');
    return p > entry && *p == '-' && !strcmp(p + 1, name) ? id : -1;
}

static bool not_after(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

/* Was the move of feed NAME cut short between its two renames (move_done:
 * the folder went to SUB/ID-NAME, the process died before its marker
 * followed)? Then SUB/ID-NAME is a folder without SUB/ID-NAME.done, moved
 * (its ctime) after the marker was last touched: a marker touched since is
 * a new bundle's. [out] its id (the newest such) and whether SUB is
 * ingested/. */
static bool interrupted_move(const char *agency_dir, const char *name, int64_t *id, bool *accepted)
{
    static const char *const subs[] = {"ingested", "rejected"};
    bool found = false;
    char m[4096];
    struct stat ms;
    if (snprintf(m, sizeof m, "%s/%s.done", agency_dir, name) >= (int)sizeof m ||
        lstat(m, &ms) != 0)
        return false;
    for (size_t i = 0; i < JD_ARRAY_LEN(subs); i++) {
        char sd[4096], p[4096];
        DIR *d = snprintf(sd, sizeof sd, "%s/%s", agency_dir, subs[i]) < (int)sizeof sd
                     ? opendir(sd)
                     : NULL;
        struct dirent *e;
        while (d && (e = readdir(d))) {
            int64_t v = moved_id(e->d_name, name);
            struct stat st;
            if (v < 0 || (found && v <= *id) ||
                snprintf(p, sizeof p, "%s/%s", sd, e->d_name) >= (int)sizeof p ||
                lstat(p, &st) != 0 || !S_ISDIR(st.st_mode) || !not_after(&ms.st_mtim, &st.st_ctim))
                continue;
            if (snprintf(p, sizeof p, "%s/%s.done", sd, e->d_name) < (int)sizeof p &&
                lstat(p, &st) != 0 && errno == ENOENT) {
                found = true;
                *id = v;
                *accepted = i == 0;
            }
        }
        if (d)
            closedir(d);
    }
    return found;
}

/* The ready bundles of one agency folder (markers whose folder exists). */
static int scan_agency(const char *dir, const char *agency, ready **list, size_t *n, size_t *cap,
                       jd_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, agency);
    DIR *d = opendir(path);
    if (!d)
        return JD_OK; /* gone or not a folder: nothing ready */
    struct dirent *e;
    int rc = JD_OK;
    while (rc == JD_OK && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".done") != 0)
            continue;
        if (!bundle_name(e->d_name, len - 5))
            continue;
        char b[4096];
        struct stat st;
        if (snprintf(b, sizeof b, "%s/%.*s", path, (int)(len - 5), e->d_name) >= (int)sizeof b)
            continue;
        ready it = {.resume = false};
        snprintf(it.name, sizeof it.name, "%.*s", (int)(len - 5), e->d_name);
        /* Checked first: a folder of the same name here is then a new
         * bundle, perhaps half written, that this stale marker must not
         * make ready. */
        it.resume = interrupted_move(path, it.name, &it.id, &it.accepted);
        if (!it.resume && (lstat(b, &st) != 0 || !S_ISDIR(st.st_mode)))
            continue; /* a marker without its folder (or a link): not a bundle */
        if (*n == SCAN_MAX) {
            rc = jd_error_set(err, JD_ELIMIT, "more than %d feeds ready at once", SCAN_MAX);
            break;
        }
        if (jd_grow((void **)list, cap, *n + 1, sizeof **list) < 0) {
            rc = jd_oom(err);
            break;
        }
        snprintf(it.agency, sizeof it.agency, "%.31s", agency);
        (*list)[(*n)++] = it;
    }
    closedir(d);
    return rc;
}

/* Move the marker NAME.done to SUB/ID-NAME.done. */
static int move_marker(const char *dir, const char *agency, const char *name, const char *sub,
                       int64_t id, jd_error *err)
{
    char from[4096], to[4096];
    if (snprintf(from, sizeof from, "%s/%s/%s.done", dir, agency, name) >= (int)sizeof from ||
        snprintf(to, sizeof to, "%s/%s/%s/%lld-%s.done", dir, agency, sub, (long long)id, name) >=
            (int)sizeof to ||
        rename(from, to) != 0)
        return jd_error_set(err, JD_EIO, "cannot move the marker of feed %lld", (long long)id);
    return JD_OK;
}

/* Move NAME and NAME.done into SUB/ID-NAME(.done), with the reason beside a
 * rejected one. */
static int move_done(const char *dir, const ready *r, const jd_feed_result *res, jd_error *err)
{
    const char *sub = res->accepted ? "ingested" : "rejected";
    char from[4096], to[4096], sd[4096];
    snprintf(sd, sizeof sd, "%s/%s/%s", dir, r->agency, sub);
    if (mkdir(sd, 0750) != 0 && errno != EEXIST)
        return jd_error_set(err, JD_EIO, "cannot make the %s folder of feeds", sub);
    if (!res->accepted) {
        FILE *f = snprintf(to, sizeof to, "%s/%lld-%s.reason", sd, (long long)res->id,
                           r->name) < (int)sizeof to
                      ? fopen(to, "w")
                      : NULL;
        if (f) {
            fprintf(f, "%s\n", res->reason);
            fclose(f);
        }
    }
    if (snprintf(from, sizeof from, "%s/%s/%s", dir, r->agency, r->name) >= (int)sizeof from ||
        snprintf(to, sizeof to, "%s/%lld-%s", sd, (long long)res->id, r->name) >= (int)sizeof to ||
        rename(from, to) != 0)
        return jd_error_set(err, JD_EIO, "cannot move feed %lld out of the drop folder",
                            (long long)res->id);
    /* The marker goes last. Killed just before, the marker stays without
     * its folder: the next scan finds SUB/ID-NAME without its marker
     * (interrupted_move) and finishes the move (move_marker). */
    return move_marker(dir, r->agency, r->name, sub, res->id, err);
}

int jd_feed_scan(jd_store *s, const char *dir, const jd_ingest_opts *opts, jd_feed_cb cb,
                 void *payload, size_t *landed, jd_error *err)
{
    if (!s || !dir)
        return jd_error_set(err, JD_EINVALID, "no drop folder");
    DIR *d = opendir(dir);
    if (!d)
        return jd_error_set(err, JD_ENOTFOUND, "the drop folder cannot be opened");
    ready *list = NULL;
    size_t n = 0, cap = 0, got = 0;
    int rc = JD_OK;
    struct dirent *e;
    while (rc == JD_OK && (e = readdir(d)))
        if (jd_feed_agency_valid(e->d_name))
            rc = scan_agency(dir, e->d_name, &list, &n, &cap, err);
    closedir(d);
    if (rc == JD_OK && n)
        qsort(list, n, sizeof *list, by_agency_name);
    for (size_t i = 0; rc == JD_OK && i < n; i++) {
        if (list[i].resume) { /* stored and recorded before: only its marker to move */
            jd_feed_result res = {.id = list[i].id, .accepted = list[i].accepted, .resumed = true};
            rc = move_marker(dir, list[i].agency, list[i].name,
                             res.accepted ? "ingested" : "rejected", res.id, err);
            if (rc == JD_OK && cb)
                cb(list[i].agency, list[i].name, &res, payload);
            continue;
        }
        char bundle[4096], source[400];
        snprintf(bundle, sizeof bundle, "%s/%s/%s", dir, list[i].agency, list[i].name);
        snprintf(source, sizeof source, "drop:%s/%s", list[i].agency, list[i].name);
        jd_feed_result res;
        rc = jd_feed_ingest(s, list[i].agency, bundle, list[i].name, source, opts, &res, err);
        if (rc < 0)
            break; /* left where it is: the next scan tries again */
        if (res.accepted && res.counts.stored + res.counts.updated > 0)
            got++; /* a feed that changed nothing needs no new analysis */
        if (cb)
            cb(list[i].agency, list[i].name, &res, payload);
        rc = move_done(dir, &list[i], &res, err);
    }
    free(list);
    if (landed)
        *landed = got;
    return rc;
}

/* ---- uploads: a tar of the bundle's CSV files ---- */

static bool is_contract_csv(const char *n)
{
    static const char *const kinds[] = {"events", "persons", "objects"};
    size_t len = strlen(n);
    if (len < 5 || len > 200 || strcasecmp(n + len - 4, ".csv") != 0 || n[0] == '.')
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    for (size_t i = 0; i < JD_ARRAY_LEN(kinds); i++)
        if (!strncasecmp(n, kinds[i], strlen(kinds[i])))
            return true;
    return false;
}

/* An octal field of a tar header. */
static bool octal(const char *f, size_t w, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    while (i < w && (f[i] == ' ' || f[i] == '\0'))
        i++;
    if (i == w)
        return false;
    for (; i < w && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v > (UINT64_MAX >> 3))
            return false;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    for (; i < w; i++)
        if (f[i] != ' ' && f[i] != '\0')
            return false;
    *out = v;
    return true;
}

static bool header_sum_ok(const unsigned char *h)
{
    uint64_t want;
    if (!octal((const char *)h + 148, 8, &want))
        return false;
    uint64_t sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (i >= 148 && i < 156) ? (unsigned)' ' : h[i];
    return sum == want;
}

static bool all_zero(const unsigned char *p)
{
    for (int i = 0; i < 512; i++)
        if (p[i])
            return false;
    return true;
}

int jd_feed_untar(const char *data, size_t len, const char *dir, jd_error *err)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t off = 0, files = 0;
    if (!data || !dir)
        return jd_error_set(err, JD_EINVALID, "no upload");
    while (off + 512 <= len) {
        const unsigned char *h = p + off;
        if (all_zero(h))
            break; /* end of archive */
        if (!header_sum_ok(h))
            return jd_error_set(err, JD_EINVALID,
                                "the upload is not a tar archive (header at byte %zu)", off);
        uint64_t size;
        if (!octal((const char *)h + 124, 12, &size) || size > len - off - 512)
            return jd_error_set(err, JD_EINVALID, "a tar entry is cut short at byte %zu", off);
        char name[260];
        const char *prefix = (const char *)h + 345;
        if (!memcmp(h + 257, "ustar", 5) && prefix[0])
            snprintf(name, sizeof name, "%.155s/%.100s", prefix, (const char *)h);
        else
            snprintf(name, sizeof name, "%.100s", (const char *)h);
        char type = (char)h[156];
        size_t body = off + 512;
        off = body + (size_t)((size + 511) / 512 * 512);
        if (off > len)
            off = len;
        if (type == 'x' || type == 'g')
            continue; /* pax attributes (tar writes mtimes there): not needed */
        const char *base = name;
        while (!strncmp(base, "./", 2))
            base += 2;
        if (type == '5' && (!*base || !strcmp(base, ".") || !strcmp(base, "./")))
            continue; /* the bundle folder itself */
        if ((type != '0' && type != '\0') || !is_contract_csv(base))
            return jd_error_set(err, JD_EINVALID,
                                "the upload holds '%.80s', which is not an events, persons or "
                                "objects CSV file at the top of the bundle", base);
        if (++files > UNTAR_MAX_FILES)
            return jd_error_set(err, JD_ELIMIT, "more than %d files in one upload",
                                UNTAR_MAX_FILES);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, base);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
        if (fd < 0)
            return jd_error_set(err, errno == EEXIST ? JD_EINVALID : JD_EIO,
                                errno == EEXIST ? "the upload holds '%.80s' twice"
                                                : "cannot write '%.80s' of the upload",
                                base);
        size_t done = 0;
        while (done < size) {
            ssize_t w = write(fd, data + body + done, (size_t)size - done);
            if (w <= 0) {
                close(fd);
                return jd_error_set(err, JD_EIO, "cannot write '%.80s' of the upload", base);
            }
            done += (size_t)w;
        }
        if (close(fd) != 0)
            return jd_error_set(err, JD_EIO, "cannot write '%.80s' of the upload", base);
    }
    if (files == 0)
        return jd_error_set(err, JD_EINVALID, "the upload holds no CSV file");
    return JD_OK;
}
