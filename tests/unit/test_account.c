/* Unit tests for accounts and sessions: argon2id, lock-out, expiry, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include <joindots/account.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

typedef struct fx {
    char path[64];
    jd_store *s;
} fx;

static const char PW[] = "correct horse battery";

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (jd_global_init() < 0 ||
        scratch_store_open(&f->s, f->path, sizeof f->path, "account") != JD_OK)
        return -1;
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

static void test_account__roles(void **state)
{
    (void)state;
    jd_role r;
    for (int i = 0; i < JD_ROLE_COUNT; i++) {
        assert_int_equal(jd_role_parse(jd_role_name(i), &r), JD_OK);
        assert_int_equal((int)r, i);
    }
    assert_int_equal(jd_role_parse("root", &r), JD_EINVALID);
    assert_int_equal(jd_role_parse(NULL, &r), JD_EINVALID);
    assert_string_equal(jd_role_name(99), "");
}

static void test_account__add_and_login(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite-only: looks for the password in the database file */
    fx *f = *state;
    jd_error err;
    jd_account a;
    assert_int_equal(jd_account_add(f->s, "pat", JD_ROLE_PRACTITIONER, "CSC", "north", PW, &err),
                     JD_OK);
    assert_int_equal(jd_account_add(f->s, "pat", JD_ROLE_BOARD, NULL, NULL, PW, &err),
                     JD_ECONFLICT);
    assert_int_equal(jd_account_get(f->s, "pat", &a, &err), JD_OK);
    assert_int_equal(a.role, JD_ROLE_PRACTITIONER);
    assert_string_equal(a.agency, "CSC");
    assert_string_equal(a.team, "north");
    assert_int_equal(jd_account_login(f->s, "pat", PW, 0, &a, &err), JD_OK);
    assert_int_equal(jd_account_login(f->s, "pat", "wrong password!!", 0, &a, &err), JD_EDENIED);
    assert_int_equal(jd_account_login(f->s, "nobody", PW, 0, &a, &err), JD_EDENIED);
    assert_int_equal(jd_account_get(f->s, "nobody", &a, &err), JD_ENOTFOUND);

    /* The hash is argon2id and the password is nowhere in the file. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT pwhash FROM account WHERE username='pat'", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *h = (const char *)sqlite3_column_text(st, 0);
    assert_true(!strncmp(h, "$argon2id$", 10));
    assert_null(strstr(h, PW));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_account__bad_input(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_account a;
    assert_int_equal(jd_account_add(f->s, "", JD_ROLE_ADMIN, NULL, NULL, PW, &err), JD_EINVALID);
    assert_int_equal(jd_account_add(f->s, "a b", JD_ROLE_ADMIN, NULL, NULL, PW, &err), JD_EINVALID);
    assert_int_equal(
        jd_account_add(f->s, "x'; DROP TABLE account;--", JD_ROLE_ADMIN, NULL, NULL, PW, &err),
        JD_EINVALID);
    assert_int_equal(jd_account_add(f->s, "short", JD_ROLE_ADMIN, NULL, NULL, "short", &err),
                     JD_EINVALID);
    assert_int_equal(jd_account_add(f->s, "nopw", JD_ROLE_ADMIN, NULL, NULL, NULL, &err),
                     JD_EINVALID);
    assert_int_equal(jd_account_add(f->s, "r", (jd_role)42, NULL, NULL, PW, &err), JD_EINVALID);
    char longpw[JD_PASSWORD_MAX + 2];
    memset(longpw, 'a', sizeof longpw - 1);
    longpw[sizeof longpw - 1] = '\0';
    assert_int_equal(jd_account_add(f->s, "long", JD_ROLE_ADMIN, NULL, NULL, longpw, &err),
                     JD_EINVALID);
    assert_int_equal(jd_account_login(f->s, "long", longpw, 0, &a, &err), JD_EDENIED);
    assert_int_equal(jd_account_login(f->s, NULL, NULL, 0, &a, &err), JD_EDENIED);
    assert_int_equal(jd_account_reset(f->s, "ghost", PW, &err), JD_ENOTFOUND);
    assert_int_equal(jd_account_set_disabled(f->s, "ghost", true, &err), JD_ENOTFOUND);
    char csrf[JD_SESSION_TOKEN_SIZE];
    assert_int_equal(jd_session_check(f->s, "not-a-token", 0, &a, csrf, &err), JD_EDENIED);
    assert_int_equal(jd_session_check(f->s, NULL, 0, &a, csrf, &err), JD_EDENIED);
}

/* Issue 19 item 7: failures are counted but never lock the account (a
 * lock-out anyone can trigger locks its owner out); a reset clears them. */
static void test_account__failures_never_lock(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_account a;
    int64_t t = 1700000000;
    assert_int_equal(jd_account_add(f->s, "mo", JD_ROLE_MANAGER, "POL", NULL, PW, &err), JD_OK);
    for (int i = 0; i < 8; i++)
        assert_int_equal(jd_account_login(f->s, "mo", "not the password", t, &a, &err), JD_EDENIED);
    assert_int_equal(jd_account_get(f->s, "mo", &a, &err), JD_OK);
    assert_int_equal(a.failed, 8);
    /* The right password works at once, and clears the count. */
    assert_int_equal(jd_account_login(f->s, "mo", PW, t + 1, &a, &err), JD_OK);
    assert_int_equal(a.failed, 0);
    assert_int_equal(jd_account_get(f->s, "mo", &a, &err), JD_OK);
    assert_int_equal(a.failed, 0);
    /* A reset with a new password: the old one no longer works. */
    for (int i = 0; i < 6; i++)
        (void)jd_account_login(f->s, "mo", "not the password", t + 2000, &a, &err);
    assert_int_equal(jd_account_reset(f->s, "mo", "a brand new password", &err), JD_OK);
    assert_int_equal(jd_account_login(f->s, "mo", PW, t + 2002, &a, &err), JD_EDENIED);
    assert_int_equal(jd_account_login(f->s, "mo", "a brand new password", t + 2003, &a, &err),
                     JD_OK);
}

static void test_account__sessions(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_account a;
    char tok[JD_SESSION_TOKEN_SIZE], csrf[JD_SESSION_TOKEN_SIZE], c2[JD_SESSION_TOKEN_SIZE];
    int64_t t = 1700000000;
    assert_int_equal(jd_account_add(f->s, "bo", JD_ROLE_BOARD, NULL, NULL, PW, &err), JD_OK);
    assert_int_equal(jd_account_login(f->s, "bo", PW, t, &a, &err), JD_OK);
    assert_int_equal(jd_session_start(f->s, a.id, t, tok, csrf, &err), JD_OK);
    assert_int_equal(strlen(tok), JD_SESSION_TOKEN_SIZE - 1);
    assert_string_not_equal(tok, csrf);
    memset(&a, 0, sizeof a);
    assert_int_equal(jd_session_check(f->s, tok, t + 10, &a, c2, &err), JD_OK);
    assert_string_equal(a.username, "bo");
    assert_int_equal(a.role, JD_ROLE_BOARD);
    assert_string_equal(csrf, c2);
    /* Idle timeout: touched at +100, alive at +100+IDLE-1, gone after. */
    assert_int_equal(jd_session_check(f->s, tok, t + 100, &a, c2, &err), JD_OK);
    assert_int_equal(
        jd_session_check(f->s, tok, t + 100 + JD_SESSION_IDLE_SECONDS + 1, &a, c2, &err),
        JD_EDENIED);
    /* Absolute expiry, even when used all the time. */
    assert_int_equal(jd_session_start(f->s, a.id, t, tok, csrf, &err), JD_OK);
    int64_t now = t;
    int rc = JD_OK;
    while (rc == JD_OK && now < t + JD_SESSION_MAX_SECONDS + 600) {
        now += 600;
        rc = jd_session_check(f->s, tok, now, &a, c2, &err);
    }
    assert_int_equal(rc, JD_EDENIED);
    assert_true(now >= t + JD_SESSION_MAX_SECONDS);
    /* Logout, and disabling the account, end sessions. */
    assert_int_equal(jd_session_start(f->s, a.id, t, tok, csrf, &err), JD_OK);
    assert_int_equal(jd_session_end(f->s, tok, &err), JD_OK);
    assert_int_equal(jd_session_check(f->s, tok, t + 1, &a, c2, &err), JD_EDENIED);
    assert_int_equal(jd_session_start(f->s, a.id, t, tok, csrf, &err), JD_OK);
    assert_int_equal(jd_account_set_disabled(f->s, "bo", true, &err), JD_OK);
    assert_int_equal(jd_session_check(f->s, tok, t + 1, &a, c2, &err), JD_EDENIED);
    assert_int_equal(jd_account_login(f->s, "bo", PW, t + 2, &a, &err), JD_EDENIED);
    assert_non_null(strstr(err.msg, "disabled"));
    assert_int_equal(jd_account_set_disabled(f->s, "bo", false, &err), JD_OK);
    assert_int_equal(jd_account_login(f->s, "bo", PW, t + 3, &a, &err), JD_OK);
}

/* One number from the scratch store (a session's last_seen, a count). */
static long long one_value(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

/* Account "bo" with a session started at t: its token and CSRF token. */
static void session_at(fx *f, int64_t t, jd_account *a, char tok[JD_SESSION_TOKEN_SIZE],
                       char csrf[JD_SESSION_TOKEN_SIZE])
{
    jd_error err;
    assert_int_equal(jd_account_add(f->s, "bo", JD_ROLE_BOARD, NULL, NULL, PW, &err), JD_OK);
    assert_int_equal(jd_account_get(f->s, "bo", a, &err), JD_OK);
    assert_int_equal(jd_session_start(f->s, a->id, t, tok, csrf, &err), JD_OK);
}

/* The session rules both stores share (jd_store__session_live): touched at
 * most once a minute, and an idle or expired session deleted, not kept. */
static void test_account__session_touch_and_delete(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite-only: reads the session row from the database file */
    fx *f = *state;
    jd_error err;
    jd_account a;
    char tok[JD_SESSION_TOKEN_SIZE], csrf[JD_SESSION_TOKEN_SIZE], c2[JD_SESSION_TOKEN_SIZE];
    int64_t t = 1700000000;
    session_at(f, t, &a, tok, csrf);
    assert_int_equal(one_value(f->path, "SELECT last_seen FROM session"), t);
    assert_int_equal(jd_session_check(f->s, tok, t + 59, &a, c2, &err), JD_OK);
    assert_int_equal(one_value(f->path, "SELECT last_seen FROM session"), t);
    assert_int_equal(jd_session_check(f->s, tok, t + 60, &a, c2, &err), JD_OK);
    assert_int_equal(one_value(f->path, "SELECT last_seen FROM session"), t + 60);
    assert_int_equal(
        jd_session_check(f->s, tok, t + 60 + JD_SESSION_IDLE_SECONDS + 1, &a, c2, &err),
        JD_EDENIED);
    assert_int_equal(one_value(f->path, "SELECT count(*) FROM session"), 0);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Another connection holds the write lock (a feed's transaction, issue 17):
 * the check does not wait the 10 s busy timeout to touch the session, and
 * leaves last_seen for the next request, which touches it once free. */
static void test_account__session_touch_never_waits(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite's one writer */
    fx *f = *state;
    jd_error err;
    jd_account a;
    char tok[JD_SESSION_TOKEN_SIZE], csrf[JD_SESSION_TOKEN_SIZE], c2[JD_SESSION_TOKEN_SIZE];
    int64_t t = 1700000000;
    session_at(f, t, &a, tok, csrf);
    sqlite3 *w = NULL;
    assert_int_equal(sqlite3_open(f->path, &w), SQLITE_OK);
    assert_int_equal(sqlite3_exec(w, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    double t0 = mono_s();
    assert_int_equal(jd_session_check(f->s, tok, t + 60, &a, c2, &err), JD_OK);
    assert_true(mono_s() - t0 < 5.0); /* the busy timeout is 10 s */
    assert_string_equal(a.username, "bo");
    assert_string_equal(c2, csrf);
    assert_int_equal(sqlite3_exec(w, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(w);
    assert_int_equal(one_value(f->path, "SELECT last_seen FROM session"), t);
    assert_int_equal(jd_session_check(f->s, tok, t + 61, &a, c2, &err), JD_OK);
    assert_int_equal(one_value(f->path, "SELECT last_seen FROM session"), t + 61);
}

static void test_account__generated_password(void **state)
{
    (void)state;
    char a[21], b[21];
    jd_password_generate(a);
    jd_password_generate(b);
    assert_int_equal(strlen(a), 20);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account__roles),
        cmocka_unit_test_setup_teardown(test_account__add_and_login, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account__bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account__failures_never_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account__sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account__session_touch_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account__session_touch_never_waits, setup, teardown),
        cmocka_unit_test(test_account__generated_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
