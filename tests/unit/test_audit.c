/* Unit tests for the hash-chained audit log: append, list, and tamper
 * detection (edited, deleted, reordered, inserted entries, deleted tail), on
 * either backend (JD_TEST_DB: tampering through libpq as the owner). On
 * SQLite the log is in its own file, STORE-audit (store/sqlite_audit.c):
 * appended beside a store writer, moved there from an older store's table
 * with its chain, refused when missing, reported when damaged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include <joindots/audit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

typedef struct fx {
    char path[64];
    jd_store *s;
} fx;

/* The SQLite store's audit file: PATH-audit. */
static void audit_file(const fx *f, char out[96])
{
    snprintf(out, 96, "%s-audit", f->path);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (jd_global_init() < 0 ||
        scratch_store_open(&f->s, f->path, sizeof f->path, "audit") != JD_OK)
        return -1;
    const char *actions[] = {"login", "search", "view", "acknowledge", "logout"};
    for (int i = 0; i < 5; i++) {
        jd_audit_entry e = {.at = 1700000000 + i,
                            .actor = "pat",
                            .action = actions[i],
                            .target = i == 2 ? "person:P000001" : "",
                            .reason = i == 2 ? "strategy meeting" : "",
                            .ok = true};
        int64_t seq;
        if (jd_audit_append(f->s, &e, &seq, NULL) != JD_OK || seq != i + 1)
            return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    scratch_store_close(f->s, f->path);
    free(f);
    return 0;
}

/* Tamper with the store as an attacker with write access to it would: with
 * sqlite3 on the file, or as the database owner on PostgreSQL, switch the
 * append-only guards off first. */
static void tamper(fx *f, const char *sql)
{
    if (scratch_is_pg()) {
#ifdef JD_HAVE_POSTGRES
        PGconn *c = PQconnectdb(f->path);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        char buf[1024];
        snprintf(buf, sizeof buf,
                 "BEGIN; ALTER TABLE audit_log DISABLE TRIGGER USER; %s;"
                 " ALTER TABLE audit_log ENABLE TRIGGER USER; COMMIT",
                 sql);
        PGresult *r = PQexec(c, buf);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fprintf(stderr, "%s\n", PQerrorMessage(c));
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
        PQfinish(c);
        return;
#else
        fail_msg("a PostgreSQL scratch store in a build without libpq");
#endif
    }
    sqlite3 *db;
    char file[96];
    audit_file(f, file);
    assert_int_equal(sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
                          NULL, NULL, &msg);
    assert_int_equal(rc, SQLITE_OK);
    rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s\n", msg);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(db);
}

static int64_t verify(fx *f, char problem[128])
{
    jd_audit_report r;
    jd_error err;
    int rc = jd_audit_verify(f->s, &r, &err);
    snprintf(problem, 128, "%s", r.problem);
    if (rc == JD_OK)
        return 0;
    assert_int_equal(rc, JD_ECONFLICT);
    return r.first_bad;
}

static int count(const jd_audit_entry *e, void *payload)
{
    (*(int *)payload)++;
    assert_non_null(e->hash);
    assert_int_equal(strlen(e->hash), 64);
    return 0;
}

static void test_audit__intact(void **state)
{
    fx *f = *state;
    char p[128];
    assert_int_equal(verify(f, p), 0);
    int n = 0;
    jd_error err;
    assert_int_equal(jd_audit_list(f->s, 0, 0, count, &n, &err), JD_OK);
    assert_int_equal(n, 5);
    n = 0;
    assert_int_equal(jd_audit_list(f->s, 2, 2, count, &n, &err), JD_OK);
    assert_int_equal(n, 2);
}

static void test_audit__guards(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite-only: tampers with the file through sqlite3; the PostgreSQL guards are
                   checked by test_postgres.sh */
    fx *f = *state;
    sqlite3 *db;
    char file[96];
    audit_file(f, file);
    assert_int_equal(sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit_log SET actor='x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit_log", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_audit__edit(void **state)
{
    fx *f = *state;
    char p[128];
    tamper(f, "UPDATE audit_log SET reason = 'curiosity' WHERE seq = 3");
    assert_int_equal(verify(f, p), 3);
    assert_non_null(strstr(p, "changed"));
}

static void test_audit__edit_with_rehash_of_one(void **state)
{
    /* Changing an entry's ok flag and its own hash still breaks the next link. */
    fx *f = *state;
    char p[128];
    tamper(f, "UPDATE audit_log SET ok = 0, hash = 'ab' WHERE seq = 2");
    assert_int_equal(verify(f, p), 2);
}

static void test_audit__delete_middle(void **state)
{
    fx *f = *state;
    char p[128];
    tamper(f, "DELETE FROM audit_log WHERE seq = 2");
    assert_int_equal(verify(f, p), 2);
    assert_non_null(strstr(p, "missing"));
}

static void test_audit__delete_tail(void **state)
{
    fx *f = *state;
    char p[128];
    tamper(f, "DELETE FROM audit_log WHERE seq >= 4");
    assert_int_equal(verify(f, p), 4);
    assert_non_null(strstr(p, "deleted"));
}

static void test_audit__reorder(void **state)
{
    fx *f = *state;
    char p[128];
    /* Swap the contents of entries 2 and 3, keeping seq order. */
    tamper(f, "UPDATE audit_log SET seq = -2 WHERE seq = 2;"
              "UPDATE audit_log SET seq = 2 WHERE seq = 3;"
              "UPDATE audit_log SET seq = 3 WHERE seq = -2;");
    assert_int_equal(verify(f, p), 2);
}

static void test_audit__append_after_verify_and_bad_input(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_audit_entry e = {.actor = "pat", .action = "view", .ok = false};
    int64_t seq = 0;
    assert_int_equal(jd_audit_append(f->s, &e, &seq, &err), JD_OK);
    assert_int_equal(seq, 6);
    char p[128];
    assert_int_equal(verify(f, p), 0);
    jd_audit_entry bad = {.actor = "", .action = "view"};
    assert_int_equal(jd_audit_append(f->s, &bad, NULL, &err), JD_EINVALID);
    bad = (jd_audit_entry){.actor = "pat"};
    assert_int_equal(jd_audit_append(f->s, &bad, NULL, &err), JD_EINVALID);
    char big[JD_AUDIT_FIELD_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    bad = (jd_audit_entry){.actor = "pat", .action = "view", .reason = big};
    assert_int_equal(jd_audit_append(f->s, &bad, NULL, &err), JD_ELIMIT);
    /* SQL metacharacters are stored as text. */
    jd_audit_entry q = {.actor = "pat", .action = "search", .detail = "'; DROP TABLE audit_log;--"};
    assert_int_equal(jd_audit_append(f->s, &q, NULL, &err), JD_OK);
    assert_int_equal(verify(f, p), 0);
}

/* Several rows in one transaction (the server's group commit): in order,
 * each with its seq, the chain intact; a batch with one bad row writes none. */
static void test_audit__append_many(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_audit_entry e[3] = {{.actor = "pat", .action = "view", .target = "person:P1", .ok = true},
                           {.actor = "sam", .action = "search", .ok = true},
                           {.actor = "pat", .action = "view", .at = 1700000100, .ok = false}};
    assert_int_equal(jd_audit_append_many(f->s, e, 3, &err), JD_OK);
    assert_int_equal(e[0].seq, 6);
    assert_int_equal(e[1].seq, 7);
    assert_int_equal(e[2].seq, 8);
    assert_true(e[0].at > 1700000100 && e[2].at == 1700000100);
    char p[128];
    assert_int_equal(verify(f, p), 0);
    int n = 0;
    assert_int_equal(jd_audit_list(f->s, 5, 0, count, &n, &err), JD_OK);
    assert_int_equal(n, 3);
    jd_audit_entry bad[2] = {{.actor = "pat", .action = "view"}, {.actor = "", .action = "view"}};
    assert_int_equal(jd_audit_check(&bad[0], &err), JD_OK);
    assert_int_equal(jd_audit_check(&bad[1], &err), JD_EINVALID);
    assert_int_equal(jd_audit_append_many(f->s, bad, 2, &err), JD_EINVALID);
    n = 0;
    assert_int_equal(jd_audit_list(f->s, 0, 0, count, &n, &err), JD_OK);
    assert_int_equal(n, 8); /* neither row of the refused batch */
    assert_int_equal(jd_audit_append_many(f->s, NULL, 0, &err), JD_OK);
    assert_int_equal(jd_audit_append_many(f->s, NULL, 1, &err), JD_EINVALID);
    assert_int_equal(jd_audit_check(NULL, &err), JD_EINVALID);
    assert_int_equal(verify(f, p), 0);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Issue 17, the web's p99: a group commit (jd_audit_append_group) leaves
 * the audit WAL's checkpoint to jd_audit_checkpoint, run once the group's
 * requests are answered; SQLite's autocheckpoint ran it inside the commit,
 * so that every request of that group waited for its fsyncs. The WAL grows
 * past the threshold (1000 pages) under group commits; a checkpoint then
 * lets the next commits reuse it from its start; the chain is intact
 * throughout, and jd_audit_append_many still checkpoints on its own. */
static void test_audit__group_commit_leaves_the_checkpoint(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite's audit WAL file: PostgreSQL checkpoints itself (keyed_batch covers
                   the group append there) */
    fx *f = *state;
    jd_error err;
    char wal[512], p[128];
    snprintf(wal, sizeof wal, "%s-audit-wal", f->path);
    static char detail[3001];
    memset(detail, 'd', sizeof detail - 1);
    const long long past = 1100LL * 4096;
    int batches = 0;
    bool done = true;
    assert_int_equal(jd_audit_checkpoint(f->s, &done, &err), JD_OK);
    assert_false(done); /* nothing due yet */
    while (file_size(wal) < past && batches < 400) {
        jd_audit_entry e[8];
        for (int i = 0; i < 8; i++)
            e[i] = (jd_audit_entry){.actor = "pat", .action = "view", .target = "person:P1",
                                    .detail = detail, .ok = true};
        assert_int_equal(jd_audit_append_group(f->s, e, 8, &err), JD_OK);
        batches++;
    }
    assert_true(file_size(wal) >= past); /* no checkpoint inside a group's commit */
    assert_int_equal(verify(f, p), 0);
    assert_int_equal(jd_audit_checkpoint(f->s, &done, &err), JD_OK);
    assert_true(done);
    long long after = file_size(wal);
    for (int b = 0; b < 20; b++) {
        jd_audit_entry e = {.actor = "pat", .action = "view", .detail = detail, .ok = true};
        assert_int_equal(jd_audit_append_group(f->s, &e, 1, &err), JD_OK);
    }
    assert_int_equal(file_size(wal), after); /* the WAL reused from its start */
    assert_int_equal(jd_audit_checkpoint(f->s, &done, &err), JD_OK);
    assert_false(done); /* not due again */
    /* jd_audit_append_many checkpoints itself: the WAL never passes the
     * size it had (its threshold and one batch). */
    for (int b = 0; b < batches; b++) {
        jd_audit_entry e[8];
        for (int i = 0; i < 8; i++)
            e[i] = (jd_audit_entry){.actor = "sam", .action = "search", .detail = detail,
                                    .ok = true};
        assert_int_equal(jd_audit_append_many(f->s, e, 8, &err), JD_OK);
    }
    assert_true(file_size(wal) <= after);
    int n = 0;
    assert_int_equal(jd_audit_list(f->s, 0, 0, count, &n, &err), JD_OK);
    assert_int_equal(n, 5 + batches * 8 + 20 + batches * 8);
    assert_int_equal(verify(f, p), 0);
}

/* A keyed batch: one head write per batch carries the last row's head MAC. */
static void test_audit__keyed_batch(void **state)
{
    fx *f = *state;
    char key[96], p[128];
    snprintf(key, sizeof key, "/tmp/jd-test-audit-kb-%d", (int)getpid());
    unlink(key);
    jd_store_close(f->s);
    jd_error err;
    jd_store_opts o = {.create = false, .read_only = false, .audit_key_path = key};
    assert_int_equal(jd_store_open(&f->s, f->path, &o, &err), JD_OK);
    jd_audit_entry e[3] = {{.actor = "pat", .action = "view", .ok = true},
                           {.actor = "sam", .action = "search", .ok = true},
                           {.actor = "pat", .action = "view", .target = "person:P2", .ok = true}};
    assert_int_equal(jd_audit_append_group(f->s, e, 3, &err), JD_OK);
    assert_int_equal(e[2].seq, 9); /* 5, the audit-key entry, then these */
    jd_audit_report r;
    assert_int_equal(jd_audit_verify(f->s, &r, &err), JD_OK);
    assert_int_equal(r.keyed, 4);
    char line[JD_AUDIT_ANCHOR_MAX];
    assert_int_equal(jd_audit_anchor(f->s, line, &err), JD_OK);
    assert_non_null(strstr(line, "seq=9 hash="));
    assert_int_equal(verify(f, p), 0);
    unlink(key);
}

/* Issue 19 item 8: the audit key, adoption, MACs and anchors. */
static void test_audit__key_and_anchor(void **state)
{
    fx *f = *state;
    char key[96], problem[128];
    snprintf(key, sizeof key, "/tmp/jd-test-audit-key-%d", (int)getpid());
    unlink(key);
    jd_store_close(f->s);
    jd_error err;
    jd_store_opts o = {.create = false, .read_only = false, .audit_key_path = key};
    assert_int_equal(jd_store_open(&f->s, f->path, &o, &err), JD_OK);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    jd_audit_report r;
    assert_int_equal(jd_audit_verify(f->s, &r, &err), JD_OK);
    assert_true(r.key_checked);
    assert_int_equal(r.unkeyed, 5);
    assert_int_equal(r.keyed, 1); /* the audit-key entry */
    for (int i = 0; i < 2; i++) {
        jd_audit_entry e = {
            .actor = "pat", .action = "view", .target = "person:P000002", .ok = true};
        assert_int_equal(jd_audit_append(f->s, &e, NULL, &err), JD_OK);
    }
    char line[JD_AUDIT_ANCHOR_MAX];
    assert_int_equal(jd_audit_anchor(f->s, line, &err), JD_OK);
    assert_non_null(strstr(line, "jd-audit-anchor-1 seq=8 hash="));
    assert_int_equal(jd_audit_verify_anchor(f->s, line, &r, &err), JD_OK);
    assert_int_equal(r.anchors, 1);
    assert_int_equal(jd_audit_verify_anchor(f->s, "# nothing\n", &r, &err), JD_EINVALID);
    assert_int_equal(jd_audit_verify_anchor(f->s, "jd-audit-anchor-1 seq=x\n", &r, &err),
                     JD_EINVALID);

    /* the same store without the key: reads, but takes no unkeyed entry */
    jd_store *plain = NULL;
    jd_store_opts po = {.create = false, .read_only = false};
    assert_int_equal(jd_store_open(&plain, f->path, &po, &err), JD_OK);
    jd_audit_entry e = {.actor = "pat", .action = "view", .ok = true};
    assert_int_equal(jd_audit_append(plain, &e, NULL, &err), JD_EDENIED);
    char none[JD_AUDIT_ANCHOR_MAX];
    assert_int_equal(jd_audit_anchor(plain, none, &err), JD_EDENIED);
    jd_store_close(plain);

    /* cut the tail, re-point the head at entry 7 with its own MAC */
    tamper(f, "DELETE FROM audit_log WHERE seq = 8;"
              "UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit_log WHERE seq = 7),"
              " mac = (SELECT mac FROM audit_log WHERE seq = 7);");
    assert_int_equal(verify(f, problem), 8);
    assert_non_null(strstr(problem, "head's MAC"));
    assert_int_equal(jd_audit_verify_anchor(f->s, line, &r, &err), JD_ECONFLICT);
    if (!strstr(r.problem, "entry 8 of the anchor is gone"))
        fail_msg("%s", r.problem);

    /* key files: unreadable content, others may read it */
    FILE *kf = fopen(key, "w");
    fputs("not hex\n", kf);
    fclose(kf);
    chmod(key, 0600);
    jd_store *k2 = NULL;
    jd_store_opts ro = {.create = false, .read_only = true, .audit_key_path = key};
    assert_int_equal(jd_store_open(&k2, f->path, &ro, &err), JD_EINVALID);
    chmod(key, 0644);
    assert_int_equal(jd_store_open(&k2, f->path, &ro, &err), JD_EDENIED);
    unlink(key);
    assert_int_equal(jd_store_open(&k2, f->path, &ro, &err), JD_ENOTFOUND);
    assert_int_equal(stat(key, &st), -1); /* a read-only open creates no key */
}

/* Entries as verify and the list see them. */
static int n_entries(fx *f)
{
    int n = 0;
    jd_error err;
    assert_int_equal(jd_audit_list(f->s, 0, 0, count, &n, &err), JD_OK);
    return n;
}

/* The chain verifies intact and holds n entries. */
static void assert_intact(fx *f, int n)
{
    char p[128];
    assert_int_equal(verify(f, p), 0);
    assert_int_equal(n_entries(f), n);
}

/* Issue 17: a read's audit row while another connection holds the store's
 * write lock (a feed's ingest or save) is written at once, not after
 * SQLite's busy limit (10 s, then "database is locked" and a 503). */
static void test_audit__append_beside_a_store_writer(void **state)
{
    if (scratch_is_pg())
        skip(); /* PostgreSQL's audit rows lock audit_head, not the store */
    fx *f = *state;
    sqlite3 *w;
    assert_int_equal(sqlite3_open(f->path, &w), SQLITE_OK);
    assert_int_equal(sqlite3_exec(w,
                                  "BEGIN IMMEDIATE; INSERT OR REPLACE INTO meta(key, value)"
                                  " VALUES ('test_writer', 'holding')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    jd_audit_entry e = {.actor = "pat", .action = "view", .target = "person:P000002", .ok = true};
    int64_t seq = 0;
    jd_error err;
    time_t t0 = time(NULL);
    int rc = jd_audit_append(f->s, &e, &seq, &err);
    time_t waited = time(NULL) - t0;
    if (rc != JD_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, JD_OK);
    assert_true(waited < 5);
    assert_int_equal(seq, 6);
    assert_int_equal(sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(w);
    assert_intact(f, 6);
}

/* Turn the fixture's moved store back into one from before this version:
 * the file's rows and head copied into the store's own table and the marker
 * removed; the file itself left in place (the caller removes or replaces
 * it). The handle is closed. */
static void to_older_store(fx *f)
{
    char file[96], sql[400];
    audit_file(f, file);
    jd_store_close(f->s);
    f->s = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    snprintf(sql, sizeof sql,
             "ATTACH '%s' AS a; INSERT INTO main.audit_log SELECT * FROM a.audit_log;"
             " UPDATE main.audit_head SET seq = (SELECT seq FROM a.audit_head),"
             " hash = (SELECT hash FROM a.audit_head); DETACH a;"
             " DELETE FROM meta WHERE key = 'audit_file'",
             file);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* One integer from a file by SQL (sqlite3 on it, as an operator would). */
static int64_t file_int(const char *file, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* A store whose log is still its own table (before this version): the first
 * writable open moves it to the file, the chain unchanged, and appends
 * continue it. Made here from a moved store: the file's rows copied back
 * into the table, the marker and the file removed. */
static void test_audit__moves_from_an_older_store(void **state)
{
    if (scratch_is_pg())
        skip();
    fx *f = *state;
    char file[96];
    audit_file(f, file);
    to_older_store(f);
    assert_int_equal(unlink(file), 0);
    jd_error err;
    /* read-only: read from the table as it is, nothing written */
    jd_store_opts ro = {.read_only = true, .audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, f->path, &ro, &err), JD_OK);
    assert_intact(f, 5);
    jd_store_close(f->s);
    assert_int_equal(access(file, F_OK), -1);
    jd_store_opts rw = {.audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, f->path, &rw, &err), JD_OK);
    assert_int_equal(access(file, F_OK), 0);
    jd_audit_entry e = {.actor = "pat", .action = "search", .ok = true};
    int64_t seq = 0;
    assert_int_equal(jd_audit_append(f->s, &e, &seq, &err), JD_OK);
    assert_int_equal(seq, 6);
    assert_intact(f, 6);
    /* the store's own table is left as it was at the move */
    assert_int_equal(file_int(f->path, "SELECT count(*) FROM audit_log"), 5);
    /* reopened: moved once, not again */
    jd_store_close(f->s);
    assert_int_equal(jd_store_open(&f->s, f->path, &rw, &err), JD_OK);
    assert_int_equal(n_entries(f), 6);
}

/* A store whose log has moved is refused without its file (a copy of the
 * store alone), never given a fresh log; a file of another store's log is
 * refused at the move. */
static void test_audit__missing_file_is_refused(void **state)
{
    if (scratch_is_pg())
        skip();
    fx *f = *state;
    char file[96];
    audit_file(f, file);
    jd_store_close(f->s);
    f->s = NULL;
    assert_int_equal(unlink(file), 0);
    jd_error err;
    jd_store_opts rw = {.audit_key_path = ""}, ro = {.read_only = true, .audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, f->path, &rw, &err), JD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "audit log"));
    assert_int_equal(access(file, F_OK), -1);
    assert_int_equal(jd_store_open(&f->s, f->path, &ro, &err), JD_ENOTFOUND);
    f->s = NULL;
}

/* Review finding 1: another store's log, shorter than this store's, put
 * in place of its file before the move is refused, not continued with this
 * store's rows on top of the other's (1 alice, then 2 pat... : a chain
 * broken at entry 2). The file must be a prefix of the store's chain. */
static void test_audit__shorter_foreign_file_is_refused(void **state)
{
    if (scratch_is_pg())
        skip();
    fx *f = *state;
    char file[96], other[64], other_file[96];
    jd_store *o;
    assert_int_equal(scratch_store_open(&o, other, sizeof other, "audit-other"), JD_OK);
    jd_audit_entry e = {.actor = "alice", .action = "view", .target = "person:P000001", .ok = true};
    assert_int_equal(jd_audit_append(o, &e, NULL, NULL), JD_OK);
    jd_store_close(o);
    audit_file(f, file);
    snprintf(other_file, sizeof other_file, "%s-audit", other);
    to_older_store(f);
    assert_int_equal(rename(other_file, file), 0);
    jd_error err;
    jd_store_opts rw = {.audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, f->path, &rw, &err), JD_ECONFLICT);
    assert_non_null(strstr(err.msg, "not this store's log"));
    /* nothing written: the file holds the other store's one entry only */
    assert_int_equal(file_int(file, "SELECT count(*) FROM audit_log"), 1);
    assert_int_equal(file_int(file, "SELECT seq FROM audit_head"), 1);
    assert_int_equal(file_int(f->path, "SELECT count(*) FROM meta WHERE key = 'audit_file'"), 0);
    scratch_db_remove(other);
}

/* A file that is a prefix of the store's chain (a move cut short before the
 * marker) is continued: the rest of the table's rows copied after it. */
static void test_audit__prefix_file_is_continued(void **state)
{
    if (scratch_is_pg())
        skip();
    fx *f = *state;
    to_older_store(f);
    tamper(f, "DELETE FROM audit_log WHERE seq > 3; UPDATE audit_head SET seq = 3,"
              " hash = (SELECT hash FROM audit_log WHERE seq = 3)");
    char file[96];
    audit_file(f, file);
    assert_int_equal(file_int(file, "SELECT count(*) FROM audit_log"), 3);
    jd_error err;
    jd_store_opts rw = {.audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, f->path, &rw, &err), JD_OK);
    assert_intact(f, 5);
}

/* A store not marked as moved whose file already extends its chain (the
 * state a second process finds when another moved the log and appended
 * while it opened) is continued, not refused as another store's log. */
static void test_audit__file_extending_the_store_is_continued(void **state)
{
    if (scratch_is_pg())
        skip();
    fx *f = *state;
    to_older_store(f); /* table 1-5, file 1-5, no marker */
    jd_error err;
    jd_store_opts rw = {.audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, f->path, &rw, &err), JD_OK);
    jd_audit_entry e = {.actor = "pat", .action = "search", .ok = true};
    int64_t seq = 0;
    assert_int_equal(jd_audit_append(f->s, &e, &seq, &err), JD_OK);
    assert_int_equal(seq, 6);
    jd_store_close(f->s);
    f->s = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "DELETE FROM meta WHERE key = 'audit_file'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    int rc = jd_store_open(&f->s, f->path, &rw, &err);
    if (rc != JD_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, JD_OK);
    assert_intact(f, 6);
    assert_int_equal(file_int(f->path, "SELECT count(*) FROM meta WHERE key = 'audit_file'"), 1);
}

/* Review finding 3: two first opens at once. The second read "not moved",
 * then waited for the audit file's lock while the first moved the log, set
 * the marker and appended; it must see the marker under the lock and use
 * the file, not refuse it as another store's log. Made with a fresh store
 * (its table empty, its log in the file) whose marker is removed: alone, a
 * writable open refuses its file (a file beside a new store); with the
 * marker written by "the first process" while this one waits, it opens. The
 * child is forked before any SQLite connection is open here. */
static void test_audit__racing_first_opens(void **state)
{
    if (scratch_is_pg())
        skip();
    fx *f = *state;
    char file[96];
    audit_file(f, file);
    jd_store_close(f->s);
    f->s = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "DELETE FROM meta WHERE key = 'audit_file'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    jd_error err;
    jd_store_opts rw = {.audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, f->path, &rw, &err), JD_ECONFLICT);
    f->s = NULL;
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the second process */
        char c;
        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            _exit(3);
        jd_store *s;
        if (jd_store_open(&s, f->path, &rw, &err) != JD_OK) {
            fprintf(stderr, "second open: %s\n", err.msg);
            _exit(1);
        }
        jd_audit_entry e = {.actor = "pat", .action = "search", .ok = true};
        int64_t seq = 0;
        int rc = jd_audit_append(s, &e, &seq, &err);
        jd_store_close(s);
        _exit(rc == JD_OK && seq == 6 ? 0 : 2);
    }
    close(go[0]);
    sqlite3 *a;
    assert_int_equal(sqlite3_open(file, &a), SQLITE_OK);
    assert_int_equal(sqlite3_exec(a, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(write(go[1], "g", 1), 1);
    close(go[1]);
    sleep(1); /* the child reads "not moved" and waits for the file's lock */
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO meta(key, value) VALUES ('audit_file', '1')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sqlite3_exec(a, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(a);
    int status = -1;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(jd_store_open(&f->s, f->path, &rw, &err), JD_OK);
    assert_intact(f, 6);
}

/* Review finding 2: a store opened by a file: URI uses its audit file as a
 * path does (the file the URI names, plus -audit); the store's own table is
 * not written. An in-memory store keeps its log in its table. */
static void test_audit__uri_path_uses_the_file(void **state)
{
    if (scratch_is_pg())
        skip();
    fx *f = *state;
    char file[96], uri[96];
    audit_file(f, file);
    jd_store_close(f->s);
    f->s = NULL;
    snprintf(uri, sizeof uri, "file:%s", f->path);
    jd_error err;
    jd_store_opts rw = {.create = true, .audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, uri, &rw, &err), JD_OK);
    jd_audit_entry e = {.actor = "pat", .action = "search", .ok = true};
    int64_t seq = 0;
    assert_int_equal(jd_audit_append(f->s, &e, &seq, &err), JD_OK);
    assert_int_equal(seq, 6);
    jd_store_close(f->s);
    f->s = NULL;
    assert_int_equal(file_int(file, "SELECT count(*) FROM audit_log"), 6);
    assert_int_equal(file_int(f->path, "SELECT count(*) FROM audit_log"), 0);
    snprintf(uri, sizeof uri, "file:%s?mode=ro", f->path);
    /* create: the existence check at open reads the location as a path */
    jd_store_opts ro = {.create = true, .read_only = true, .audit_key_path = ""};
    assert_int_equal(jd_store_open(&f->s, uri, &ro, &err), JD_OK);
    assert_intact(f, 6);
    jd_store_close(f->s);
    f->s = NULL;
    jd_store *m;
    assert_int_equal(jd_store_open(&m, ":memory:", &rw, &err), JD_OK);
    assert_int_equal(jd_audit_append(m, &e, &seq, &err), JD_OK);
    assert_int_equal(seq, 1);
    jd_store_close(m);
    assert_int_equal(access(":memory:-audit", F_OK), -1);
}

/* A crash that tears the audit file (its last page cut short) is reported by
 * verify or at the open, never read as an intact, shorter log. */
static void test_audit__torn_file_is_reported(void **state)
{
    if (scratch_is_pg())
        skip();
    fx *f = *state;
    char file[96];
    audit_file(f, file);
    for (int i = 0; i < 60; i++) { /* a few pages of entries */
        jd_audit_entry e = {.actor = "pat",
                            .action = "view",
                            .target = "person:P000009",
                            .reason = "a reason long enough to fill the log's pages faster",
                            .ok = true};
        assert_int_equal(jd_audit_append(f->s, &e, NULL, NULL), JD_OK);
    }
    jd_store_close(f->s); /* checkpointed into the file */
    f->s = NULL;
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_true(st.st_size > 3 * 4096);
    assert_int_equal(truncate(file, st.st_size - 4096 - 1000), 0);
    jd_error err;
    jd_store_opts ro = {.read_only = true, .audit_key_path = ""};
    int rc = jd_store_open(&f->s, f->path, &ro, &err);
    if (rc == JD_OK) {
        jd_audit_report r;
        rc = jd_audit_verify(f->s, &r, &err);
        assert_int_not_equal(rc, JD_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_audit__intact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__guards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__edit_with_rehash_of_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__delete_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__delete_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__reorder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__key_and_anchor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__append_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__group_commit_leaves_the_checkpoint, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit__keyed_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__append_after_verify_and_bad_input, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit__append_beside_a_store_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__moves_from_an_older_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__missing_file_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__shorter_foreign_file_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit__prefix_file_is_continued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__file_extending_the_store_is_continued, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit__racing_first_opens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__uri_path_uses_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit__torn_file_is_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
