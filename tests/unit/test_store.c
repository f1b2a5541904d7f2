/* Unit tests for the store: migrations, upserts with history, quarantine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/internal.h"
#include "store/schema.h"
#include "store/store.h"

typedef struct fx {
    char path[64];
    jd_store *s;
    int64_t run, file;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (scratch_store_open(&f->s, f->path, sizeof f->path, "store") != JD_OK)
        return -1;
    if (f->s->ops->begin(f->s, NULL) || f->s->ops->run_start(f->s, &f->run, "test", NULL))
        return -1;
    jd_file_info fi = {.run_id = f->run, .bundle = "b", .name = "events.csv", .kind = "events",
                       .sha256 = "00", .size = 1};
    if (f->s->ops->file_add(f->s, &f->file, &fi, NULL))
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

static jd_event_row ev(fx *f, const char *rid, uint64_t hash)
{
    jd_event_row e = {.agency = "police", .record_id = rid, .event_type = "other",
                      .occurred_at = 1100000000, .reported_at = 1100000000,
                      .crime_recorded = -1, .file_id = f->file, .line = 2, .hash = hash,
                      .location = "Cowley Road", .postcode = "OX4 1AB"};
    return e;
}

static void test_store__schema_migrated(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite-only: reads the file with sqlite3 (user_version, schema_migration); the PostgreSQL schema version is checked by test_postgres.sh */
    fx *f = *state;
    int v = 0;
    assert_int_equal(jd_store_schema_version(f->s, &v, NULL), JD_OK);
    /* A new store is at the newest version, with one history row per migration. */
    assert_int_equal(v, (int)JD_ARRAY_LEN(jd_sqlite_migrations));
    assert_true(v >= 4);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), max(version) FROM schema_migration",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), v);
    assert_int_equal(sqlite3_column_int(st, 1), v);
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_string_equal(jd_store_backend(f->s), "sqlite");
}

/* A second file (of a later run, say) with the same key. */
static int64_t other_file(fx *f)
{
    int64_t id = 0;
    jd_file_info fi = {.run_id = f->run, .bundle = "b", .name = "events2.csv",
                       .kind = "events", .sha256 = "01", .size = 1};
    assert_int_equal(f->s->ops->file_add(f->s, &id, &fi, NULL), JD_OK);
    return id;
}

static void test_store__event_new_unchanged_updated(void **state)
{
    fx *f = *state;
    jd_put_result o;
    jd_event_row e = ev(f, "E1", 42);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_NEW);
    e.file_id = other_file(f);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UNCHANGED);
    e.file_id = other_file(f); /* that file would repeat itself: a third one corrects */
    e.hash = 43;
    e.narrative = "corrected";
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UPDATED);
    jd_store_counts c;
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 1);
    assert_int_equal(c.history, 1);
    assert_int_equal(c.locations, 1);
}

static void test_store__person_needs_event(void **state)
{
    fx *f = *state;
    jd_put_result o;
    jd_event_row e = ev(f, "E2", 7);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    jd_person_row p = {.agency = "police", .record_id = "E2", .person_ref = "N1",
                       .role = "subject", .age = -1, .file_id = f->file, .line = 3, .hash = 1};
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_NEW);
    p.record_id = "NOPE";
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_ORPHAN);
    jd_object_row ob = {.agency = "police", .record_id = "E2", .object_type = "vehicle",
                        .value_raw = "LX51 OTJ", .value_norm = "LX51OTJ", .value_valid = true,
                        .file_id = f->file, .line = 4, .hash = 9};
    assert_int_equal(f->s->ops->put_object(f->s, &ob, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_NEW);
    assert_int_equal(f->s->ops->put_object(f->s, &ob, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_REPEATED); /* the same file again */
    ob.file_id = other_file(f);
    assert_int_equal(f->s->ops->put_object(f->s, &ob, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UNCHANGED);
}

/* A key the same file already wrote is never replaced: the store names the
 * first line, and says whether the content was the same. */
static void test_store__same_file_key_kept(void **state)
{
    fx *f = *state;
    jd_put_result o;
    jd_event_row e = ev(f, "E9", 42);
    e.line = 7;
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_NEW);
    e.line = 12;
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_REPEATED);
    assert_int_equal(o.first_line, 7);
    e.hash = 43;
    e.narrative = "second version";
    e.occurred_at = 1200000000;
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_CONFLICT);
    assert_int_equal(o.first_line, 7);
    int64_t when = 0;
    bool found = false;
    assert_int_equal(f->s->ops->event_when(f->s, "police", "E9", &when, &found, NULL), JD_OK);
    assert_true(found);
    assert_int_equal(when, 1100000000); /* the first row's */
    assert_int_equal(f->s->ops->event_when(f->s, "police", "NOPE", &when, &found, NULL), JD_OK);
    assert_false(found);
    jd_person_row p = {.agency = "police", .record_id = "E9", .person_ref = "N1",
                       .role = "subject", .age = -1, .file_id = f->file, .line = 20, .hash = 1};
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_NEW);
    p.line = 21;
    p.hash = 2;
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_CONFLICT);
    assert_int_equal(o.first_line, 20);
    jd_store_counts c;
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 1);
    assert_int_equal(c.history, 0); /* nothing was replaced */
}

static void test_store__rollback_leaves_nothing(void **state)
{
    fx *f = *state;
    jd_put_result o;
    jd_event_row e = ev(f, "E3", 5);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    f->s->ops->rollback(f->s);
    jd_store_counts c;
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 0);
    assert_int_equal(c.runs, 0);
}

/* A new transaction with its run and file, as setup's. */
static void begin_again(fx *f)
{
    assert_int_equal(f->s->ops->begin(f->s, NULL), JD_OK);
    assert_int_equal(f->s->ops->run_start(f->s, &f->run, "test", NULL), JD_OK);
    jd_file_info fi = {.run_id = f->run, .bundle = "b", .name = "events.csv", .kind = "events",
                       .sha256 = "00", .size = 1};
    assert_int_equal(f->s->ops->file_add(f->s, &f->file, &fi, NULL), JD_OK);
}

static int64_t when_of(fx *f, const char *rid, bool *found)
{
    int64_t when = -1;
    assert_int_equal(f->s->ops->event_when(f->s, "police", rid, &when, found, NULL), JD_OK);
    return when;
}

/* The events a transaction wrote are found without a probe (SQLite's map of
 * them): an update corrects the map, a rollback forgets it, and after a
 * commit another connection's change is seen. */
static void test_store__event_map_follows_writes(void **state)
{
    fx *f = *state;
    jd_put_result o;
    bool found = false;
    jd_event_row e = ev(f, "E1", 42), e2 = ev(f, "E2", 43);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(f->s->ops->put_event(f->s, &e2, &o, NULL), JD_OK);
    assert_int_equal(when_of(f, "E1", &found), 1100000000);
    assert_true(found);
    e.file_id = other_file(f);
    e.hash = 44;
    e.occurred_at = 1200000000;
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UPDATED);
    assert_int_equal(when_of(f, "E2", &found), 1100000000); /* E1 is not the last one looked up */
    assert_int_equal(when_of(f, "E1", &found), 1200000000);
    jd_person_row p = {.agency = "police", .record_id = "E1", .person_ref = "N1",
                       .role = "subject", .age = -1, .file_id = f->file, .line = 3, .hash = 1};
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_NEW);
    f->s->ops->rollback(f->s);
    begin_again(f);
    when_of(f, "E1", &found);
    assert_false(found); /* rolled back: not from a stale map */
    p.file_id = f->file;
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_ORPHAN);
    e = ev(f, "E5", 45);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    if (scratch_is_pg())
        return;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    const char *sql = "UPDATE event SET occurred_at = 1300000000 WHERE record_id = 'E5'";
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    begin_again(f);
    assert_int_equal(when_of(f, "E5", &found), 1300000000);
    assert_true(found);
}

static int count_cb(const jd_problem *p, void *payload)
{
    int *n = payload;
    (*n)++;
    assert_string_equal(p->file, "events.csv");
    return 0;
}

static void test_store__problems_are_idempotent(void **state)
{
    fx *f = *state;
    jd_problem p = {.run_id = f->run, .severity = "reject", .file = "events.csv", .line = 7,
                    .column = 3, .field = "occurred_at", .message = "bad date", .raw = "a,b"};
    assert_int_equal(f->s->ops->put_problem(f->s, &p, NULL), JD_OK);
    assert_int_equal(f->s->ops->put_problem(f->s, &p, NULL), JD_OK);
    p.severity = "warning";
    p.line = 8;
    assert_int_equal(f->s->ops->put_problem(f->s, &p, NULL), JD_OK);
    int n = 0;
    assert_int_equal(jd_store_problems(f->s, false, count_cb, &n, NULL), JD_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(jd_store_problems(f->s, true, count_cb, &n, NULL), JD_OK);
    assert_int_equal(n, 2);
}

static void test_store__open_errors(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite-only: missing files and a PRAGMA user_version from the future */
    (void)state;
    jd_store *s = NULL;
    jd_error e;
    jd_store_opts o = {.create = false, .read_only = false};
    assert_int_equal(jd_store_open(&s, "/tmp/jd-definitely-missing.db", &o, &e), JD_ENOTFOUND);
    assert_null(s);
#ifdef JD_HAVE_POSTGRES
    /* built with the PostgreSQL backend: a server that is not there is a store error */
    assert_int_equal(jd_store_open(&s, "postgres:///x?host=/nonexistent-jd-socket-dir", NULL, &e),
                     JD_ESTORE);
    assert_null(s);
#else
    assert_int_equal(jd_store_open(&s, "postgres://localhost/x", NULL, &e), JD_EINVALID);
#endif
    assert_int_equal(jd_store_open(&s, "", NULL, &e), JD_EINVALID);
    /* A newer schema than this program knows is refused, never downgraded. */
    const char *p = "/tmp/jd-test-newer.db";
    unlink(p);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(jd_store_open(&s, p, NULL, &e), JD_EINVALID);
    assert_non_null(strstr(e.msg, "newer"));
    unlink(p);
}

typedef struct seen_mentions {
    char got[32][48];
    int n;
} seen_mentions;

static int mention_cb(const jd_mention_row *m, void *payload)
{
    seen_mentions *sm = payload;
    if (sm->n < 32)
        snprintf(sm->got[sm->n++], sizeof sm->got[0], "%s:%s:%s:%s:%d:%s", m->agency,
                 m->person_ref, m->surname ? m->surname : "-",
                 m->forenames ? m->forenames : "-", m->age, m->dob ? m->dob : "-");
    return 0;
}

/* Mentions come grouped by agency and person_ref in byte order, one ref's
 * mentions in the order they were stored; absent fields stay absent ("" is
 * not absent), whatever order the rows went in. */
static void test_store__mentions_grouped_by_ref(void **state)
{
    fx *f = *state;
    jd_put_result o;
    const char *rid[] = {"E1", "E2", "E3", "E4", "E5", "E6"};
    for (int i = 0; i < 6; i++) {
        jd_event_row e = ev(f, rid[i], (uint64_t)i + 1);
        assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    }
    struct { const char *rid, *agency, *ref, *surname, *forenames; int age; } rows[] = {
        {"E1", "police", "N2", "Smith", NULL, 14},   {"E2", "police", "N10", "Smyth", "Amy", -1},
        {"E3", "csc", "C1", "Jones", "", 13},        {"E4", "police", "N2", "Smith", "Amy", -1},
        {"E5", "police", "N1", NULL, NULL, -1},      {"E6", "police", "N2", "Smithe", NULL, 15},
    };
    for (int i = 0; i < 6; i++) {
        jd_person_row p = {.agency = rows[i].agency, .record_id = rows[i].rid,
                           .person_ref = rows[i].ref, .role = "subject",
                           .surname = rows[i].surname, .forenames = rows[i].forenames,
                           .age = rows[i].age, .dob = i == 0 ? "2000-01-02" : NULL,
                           .file_id = f->file, .line = 3 + i, .hash = 1};
        if (!strcmp(rows[i].agency, "csc")) { /* its event is police's; store one of its own */
            jd_event_row e = ev(f, "E3", 99);
            e.agency = "csc";
            assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
        }
        assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
        assert_int_equal(o.outcome, JD_PUT_NEW);
    }
    seen_mentions sm = {0};
    assert_int_equal(f->s->ops->mentions(f->s, mention_cb, &sm, NULL), JD_OK);
    assert_int_equal(sm.n, 6);
    assert_string_equal(sm.got[0], "csc:C1:Jones::13:-");
    assert_string_equal(sm.got[1], "police:N1:-:-:-1:-");
    assert_string_equal(sm.got[2], "police:N10:Smyth:Amy:-1:-");
    assert_string_equal(sm.got[3], "police:N2:Smith:-:14:2000-01-02");
    assert_string_equal(sm.got[4], "police:N2:Smith:Amy:-1:-");
    assert_string_equal(sm.got[5], "police:N2:Smithe:-:15:-");
}

/* Values the bulk path writes read back as they went in (PostgreSQL: its
 * binary COPY, store/pg_binary.h): keys and text with tab, newline,
 * carriage return, backslash and UTF-8, a hash with its top bit set (a
 * negative bigint), a date before 1970, a line past 2^32, NULL beside "".
 * A second file with the same rows finds every key stored and every hash
 * the same, which needs the stored keys and hashes byte for byte. */
static void test_store__values_round_trip(void **state)
{
    fx *f = *state;
    jd_put_result o;
    char text[200];
    size_t n = 0;
    for (int c = 1; c < 128; c++)
        text[n++] = (char)c;
    memcpy(text + n, "\xc3\xa9\xe2\x82\xac", 6); /* e acute, euro sign */
    text[n + 6] = '\0';
    const char *rid = "R\t1\n\\x\r\xc3\xa9";
    jd_event_row e = ev(f, rid, 0xfedcba9876543210ULL);
    e.occurred_at = e.reported_at = -2208988800LL; /* 1900-01-01 */
    e.narrative = text;
    e.line = 5000000000L;
    e.crime_recorded = 0;
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    jd_person_row p = {.agency = "police", .record_id = rid, .person_ref = "N\t\\1",
                       .role = "subject", .surname = "O\\Br\tien\n", .forenames = "",
                       .age = 0, .file_id = f->file, .line = 3, .hash = UINT64_MAX};
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    jd_object_row ob = {.agency = "police", .record_id = rid, .object_type = "phone",
                        .value_raw = "07700\t900", .value_norm = "+44\\7700", .value_valid = false,
                        .person_ref = "N\t\\1", .file_id = f->file, .line = 4, .hash = 1ULL << 63};
    assert_int_equal(f->s->ops->put_object(f->s, &ob, &o, NULL), JD_OK);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    bool found = false;
    assert_int_equal(when_of(f, rid, &found), -2208988800LL);
    assert_true(found);
    seen_mentions sm = {0};
    assert_int_equal(f->s->ops->mentions(f->s, mention_cb, &sm, NULL), JD_OK);
    assert_int_equal(sm.n, 1);
    assert_string_equal(sm.got[0], "police:N\t\\1:O\\Br\tien\n::0:-");
    begin_again(f);
    e.file_id = p.file_id = ob.file_id = other_file(f);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UNCHANGED);
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UNCHANGED);
    assert_int_equal(f->s->ops->put_object(f->s, &ob, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UNCHANGED);
    e.file_id = other_file(f);
    e.narrative = "changed";
    e.hash = 1;
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UPDATED); /* the history copy reads the stored row */
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_store_counts c;
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 1);
    assert_int_equal(c.persons, 1);
    assert_int_equal(c.objects, 1);
    assert_int_equal(c.history, 1);
}

/* PostgreSQL reads a binary COPY field by its column's declared type: a
 * column whose type is not the one the encoder writes (here a migration
 * that made an integer a bigint) stops the ingest with an error, and the
 * rows are not stored as wrong values. */
static void test_store__binary_copy_checks_types(void **state)
{
    if (!scratch_is_pg())
        skip(); /* PostgreSQL-only: SQLite has no COPY and no declared column types to read */
#ifdef JD_HAVE_POSTGRES
    fx *f = *state;
    PGconn *c = PQconnectdb(f->path);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "ALTER TABLE event ALTER COLUMN occurred_prec TYPE bigint");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
    jd_put_result o;
    jd_event_row e = ev(f, "E1", 42);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK); /* buffered */
    jd_error err = {0};
    assert_int_equal(f->s->ops->commit(f->s, &err), JD_ESTORE);
    assert_non_null(strstr(err.msg, "not of the types the binary COPY writes"));
    jd_store_counts cn;
    assert_int_equal(jd_store_counts_get(f->s, &cn, NULL), JD_OK);
    assert_int_equal(cn.events, 0);
    assert_int_equal(cn.runs, 0); /* the whole ingest rolled back */
#endif
}

#ifdef JD_HAVE_POSTGRES
/* The first value of one query on the PostgreSQL store at url, on a
 * connection of its own, into out ("" when no row). */
static void pg_value(const char *url, const char *sql, char *out, size_t n)
{
    PGconn *c = PQconnectdb(url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    ExecStatusType t = PQresultStatus(r);
    if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK)
        fprintf(stderr, "pg_value: %s", PQerrorMessage(c));
    assert_true(t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK);
    snprintf(out, n, "%s", t == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    PQfinish(c);
}

/* text columns (of ctext or of text) whose collation is not "C", in any
 * table of the store; and the columns of the ingest tables still of the
 * domain ctext */
#define NOT_BYTEWISE_SQL                                                                           \
    "SELECT count(*) FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"                   \
    " JOIN pg_type t ON t.oid = a.atttypid WHERE r.relnamespace = current_schema()::regnamespace" \
    " AND r.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"                                 \
    " AND coalesce(nullif(t.typbasetype, 0), t.oid) = 'text'::regtype"                            \
    " AND a.attcollation <> (SELECT oid FROM pg_collation WHERE collname = 'C')"
#define INGEST_TABLES                                                                              \
    "('location', 'event', 'person_mention', 'object_mention', 'event_history',"                  \
    " 'person_mention_history', 'object_mention_history')"
#define INGEST_COLS_SQL(type)                                                                      \
    "SELECT count(*) FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"                   \
    " WHERE r.relnamespace = current_schema()::regnamespace AND r.relname IN " INGEST_TABLES      \
    " AND a.atttypid = '" type "'::regtype AND NOT a.attisdropped"
#endif

/* The domain ctext checked nothing but carried the collation "C"; the
 * ingest tables' text columns now declare it themselves (migration "ingest
 * tables: text columns as text COLLATE "C""). What it guaranteed still
 * holds on every write path: every text column of the store orders
 * byte-wise, and a value text refuses (invalid UTF-8) is refused by a new
 * row's binary COPY and by a corrected row's UPDATE alike, the ingest
 * rolled back. */
static void test_store__ingest_text_bytewise(void **state)
{
    if (!scratch_is_pg())
        skip(); /* PostgreSQL-only: SQLite has no domain and no collation per column; its TEXT compares byte-wise (BINARY) and ingest re-encodes every field to valid UTF-8 before either store */
#ifdef JD_HAVE_POSTGRES
    fx *f = *state;
    char got[256];
    pg_value(f->path, NOT_BYTEWISE_SQL, got, sizeof got);
    assert_string_equal(got, "0");
    pg_value(f->path, INGEST_COLS_SQL("ctext"), got, sizeof got);
    assert_string_equal(got, "0");
    pg_value(f->path, INGEST_COLS_SQL("text"), got, sizeof got);
    assert_true(atoi(got) > 50);
    jd_put_result o;
    const char *rids[] = {"a", "\xc3\xa9", "B", "Z"};
    for (size_t i = 0; i < 4; i++) {
        jd_event_row e = ev(f, rids[i], 7 + i);
        assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    }
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    pg_value(f->path, "SELECT string_agg(record_id, ',' ORDER BY record_id) FROM event", got,
             sizeof got);
    assert_string_equal(got, "B,Z,a,\xc3\xa9");
    /* a new row with invalid UTF-8: its COPY fails, nothing of the ingest stays */
    begin_again(f);
    jd_event_row bad = ev(f, "E-bad", 99);
    bad.narrative = "caf\xe9 \xff";
    assert_int_equal(f->s->ops->put_event(f->s, &bad, &o, NULL), JD_OK); /* buffered */
    jd_error err = {0};
    assert_int_not_equal(f->s->ops->commit(f->s, &err), JD_OK);
    jd_store_counts c;
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 4);
    assert_int_equal(c.runs, 1);
    /* a corrected row with invalid UTF-8: the UPDATE fails */
    begin_again(f);
    jd_event_row upd = ev(f, "a", 1000);
    upd.file_id = other_file(f);
    upd.narrative = "\xc3("; /* not a location: nothing to COPY before the UPDATE */
    assert_int_not_equal(f->s->ops->put_event(f->s, &upd, &o, &err), JD_OK);
    f->s->ops->rollback(f->s);
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 4);
    assert_int_equal(c.history, 0);
    pg_value(f->path, "SELECT count(*) FROM event WHERE hash = 1000", got, sizeof got);
    assert_string_equal(got, "0");
#endif
}

/* A store made before that migration (the ingest tables' columns of the
 * domain ctext) is migrated when opened: the columns become text COLLATE
 * "C", its rows and indexes stay, and it ingests again. */
static void test_store__ingest_text_migrated(void **state)
{
    if (!scratch_is_pg())
        skip(); /* PostgreSQL-only: the migration is a no-op on SQLite (a version kept in step) */
#ifdef JD_HAVE_POSTGRES
    fx *f = *state;
    jd_put_result o;
    jd_event_row e = ev(f, "E1", 42);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    int v = 0, v2 = 0;
    assert_int_equal(jd_store_schema_version(f->s, &v, NULL), JD_OK);
    jd_store_close(f->s);
    f->s = NULL;
    char got[256], idx[4096], idx2[4096], sql[96];
    const char *indexes = "SELECT string_agg(indexdef, ';' ORDER BY indexname) FROM pg_indexes"
                          " WHERE schemaname = current_schema()";
    pg_value(f->path, indexes, idx, sizeof idx);
    /* back to the version before: every text column of those tables a ctext */
    pg_value(f->path,
             "DO $$DECLARE t record; BEGIN FOR t IN SELECT r.relname, string_agg(format("
             "'ALTER COLUMN %I TYPE ctext', a.attname), ', ') AS cols FROM pg_attribute a"
             " JOIN pg_class r ON r.oid = a.attrelid WHERE r.relnamespace ="
             " current_schema()::regnamespace AND r.relname IN " INGEST_TABLES
             " AND a.atttypid = 'text'::regtype AND NOT a.attisdropped GROUP BY r.relname"
             " LOOP EXECUTE format('ALTER TABLE %I %s', t.relname, t.cols); END LOOP; END$$",
             got, sizeof got);
    snprintf(sql, sizeof sql, "DELETE FROM schema_migration WHERE version = %d", v);
    pg_value(f->path, sql, got, sizeof got);
    pg_value(f->path, INGEST_COLS_SQL("text"), got, sizeof got);
    assert_string_equal(got, "0");
    jd_error err;
    assert_int_equal(jd_store_open(&f->s, f->path, NULL, &err), JD_OK);
    assert_int_equal(jd_store_schema_version(f->s, &v2, NULL), JD_OK);
    assert_int_equal(v2, v);
    pg_value(f->path, INGEST_COLS_SQL("ctext"), got, sizeof got);
    assert_string_equal(got, "0");
    pg_value(f->path, NOT_BYTEWISE_SQL, got, sizeof got);
    assert_string_equal(got, "0");
    pg_value(f->path, indexes, idx2, sizeof idx2);
    assert_string_equal(idx2, idx);
    snprintf(sql, sizeof sql, "SELECT description FROM schema_migration WHERE version = %d", v);
    pg_value(f->path, sql, got, sizeof got);
    assert_non_null(strstr(got, "text COLLATE"));
    begin_again(f);
    e.file_id = f->file;
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UNCHANGED); /* the stored key and hash read back */
    e = ev(f, "E2", 43);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_store_counts c;
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 2);
#endif
}

#ifdef JD_HAVE_POSTGRES
/* every index and constraint of the tables a first load defers keys of */
#define KEY_DEFS_SQL                                                                               \
    "SELECT string_agg(d, ';' ORDER BY d) FROM (SELECT indexdef AS d FROM pg_indexes"             \
    " WHERE schemaname = current_schema() AND tablename IN " INGEST_TABLES                       \
    " UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)"  \
    " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"                     \
    " AND conrelid::regclass::text IN " INGEST_TABLES ") x"
#define HISTORY_LOCKED_SQL                                                                         \
    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"                       \
    " WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"        \
    " AND c.relname = 'event_history' AND l.mode = 'AccessExclusiveLock' AND l.granted"
/* "name=oid;..." of every constraint of those tables and every index of
 * theirs that no constraint of its table owns: a key dropped and added
 * again (keys_defer) comes back under its name with another oid */
#define KEY_OIDS_SQL                                                                               \
    "SELECT string_agg(n || '=' || o, ';' ORDER BY n) FROM (SELECT conname AS n, oid AS o"        \
    " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"                     \
    " AND conrelid::regclass::text IN " INGEST_TABLES " UNION ALL SELECT i.relname, i.oid"         \
    " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid" \
    " WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN " INGEST_TABLES      \
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"              \
    " AND c.conrelid = x.indrelid)) k"

/* What a deferring load drops and builds again (store/pg.c keys_defer and
 * pg_bulk_defer): the keys of the tables COPY fills, their other indexes,
 * and the history tables' foreign keys to them. */
static const char *const deferred_keys[] = {
    "event_agency_record_id_key", "event_history_event_id_fkey", "event_pkey",
    "object_mention_agency_record_id_object_type_value_norm_pers_key",
    "object_mention_history_mention_id_fkey", "object_mention_pkey", "object_mention_value",
    "person_mention_agency_record_id_person_ref_role_key",
    "person_mention_history_mention_id_fkey", "person_mention_pkey", "person_mention_ref",
};

/* The oid list gives name ("" when it does not name it), into out. */
static void key_oid(const char *list, const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    out[0] = '\0';
    for (const char *p = list; *p; p += strcspn(p, ";"), p += *p == ';')
        if (!strncmp(p, name, len) && p[len] == '=') {
            snprintf(out, n, "%.*s", (int)strcspn(p + len + 1, ";"), p + len + 1);
            return;
        }
}

/* Every key of before is in after, with another oid when the load between
 * them deferred it (deferred and a name of deferred_keys), the same one
 * otherwise; and every name of deferred_keys is in before. */
static void keys_moved(const char *before, const char *after, bool deferred)
{
    char a[32], b[32], name[128];
    size_t n = sizeof deferred_keys / sizeof *deferred_keys;
    for (size_t k = 0; k < n; k++) {
        key_oid(before, deferred_keys[k], b, sizeof b);
        if (!*b)
            fail_msg("%s: not in %s", deferred_keys[k], before);
    }
    for (const char *p = before; *p; p += strcspn(p, ";"), p += *p == ';') {
        snprintf(name, sizeof name, "%.*s", (int)strcspn(p, "="), p);
        key_oid(before, name, b, sizeof b);
        key_oid(after, name, a, sizeof a);
        bool want = false;
        for (size_t k = 0; k < n && deferred; k++)
            want = want || !strcmp(name, deferred_keys[k]);
        if (!*a || (strcmp(a, b) != 0) != want)
            fail_msg("%s: oid %s before the load, %s after (%s)", name, b, *a ? a : "none",
                     want ? "deferred: built anew" : "kept: the same");
    }
}
#endif

/* A first large load (bulk_defer) drops the primary and unique keys of the
 * tables COPY fills and the history tables' foreign keys to them, and builds
 * them again: at commit, or before its first corrected row (whose history
 * copy reads the stored row by id). Either way every index and constraint
 * is the migrated one afterwards, each of those built anew (another oid),
 * and the correction is kept; a load too small to defer keeps them all. */
static void test_store__deferred_keys_rebuilt(void **state)
{
    if (!scratch_is_pg())
        skip(); /* PostgreSQL-only: SQLite defers no key (it switches foreign keys off for the ingest) */
#ifdef JD_HAVE_POSTGRES
    fx *f = *state;
    char before[8192], after[8192], got[64], oids[4096], oids2[4096];
    pg_value(f->path, KEY_DEFS_SQL, before, sizeof before);
    assert_non_null(strstr(before, "event_pkey PRIMARY KEY (id)"));
    assert_non_null(strstr(before, "event_history_event_id_fkey FOREIGN KEY"));
    jd_put_result o;
    for (int round = 0; round < 2; round++) {
        if (round)
            begin_again(f);
        pg_value(f->path, KEY_OIDS_SQL, oids, sizeof oids);
        assert_int_equal(f->s->ops->bulk_defer(f->s, 100000, NULL), JD_OK);
        pg_value(f->path, HISTORY_LOCKED_SQL, got, sizeof got);
        assert_string_equal(got, "1"); /* the deferring path, with the history tables */
        jd_event_row e = ev(f, round ? "E2" : "E1", 42);
        assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
        assert_int_equal(o.outcome, JD_PUT_NEW);
        jd_person_row p = {.agency = "police", .record_id = e.record_id, .person_ref = "N1",
                           .role = "subject", .surname = "Smith", .age = -1,
                           .file_id = f->file, .line = 3, .hash = 5};
        assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
        if (round) { /* the first load's E1 corrected: the keys come back first */
            jd_event_row c = ev(f, "E1", 43);
            c.file_id = other_file(f);
            c.narrative = "corrected";
            assert_int_equal(f->s->ops->put_event(f->s, &c, &o, NULL), JD_OK);
            assert_int_equal(o.outcome, JD_PUT_UPDATED);
            jd_event_row e3 = ev(f, "E3", 44); /* after it, a row by COPY again */
            assert_int_equal(f->s->ops->put_event(f->s, &e3, &o, NULL), JD_OK);
        }
        assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
        pg_value(f->path, KEY_DEFS_SQL, after, sizeof after);
        assert_string_equal(after, before);
        pg_value(f->path, KEY_OIDS_SQL, oids2, sizeof oids2);
        keys_moved(oids, oids2, true); /* the same definitions, built anew */
    }
    /* a load too small to defer (BULK_MIN_ROWS) keeps every key as it is */
    begin_again(f);
    pg_value(f->path, KEY_OIDS_SQL, oids, sizeof oids);
    assert_int_equal(f->s->ops->bulk_defer(f->s, 10, NULL), JD_OK);
    pg_value(f->path, HISTORY_LOCKED_SQL, got, sizeof got);
    assert_string_equal(got, "0");
    jd_event_row e4 = ev(f, "E4", 45);
    assert_int_equal(f->s->ops->put_event(f->s, &e4, &o, NULL), JD_OK);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    pg_value(f->path, KEY_OIDS_SQL, oids2, sizeof oids2);
    keys_moved(oids, oids2, false);
    jd_store_counts c;
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 4);
    assert_int_equal(c.persons, 2);
    assert_int_equal(c.history, 1);
    pg_value(f->path, "SELECT narrative FROM event WHERE record_id = 'E1'", got, sizeof got);
    assert_string_equal(got, "corrected");
    /* the rebuilt keys hold: a second E1 is refused */
    PGconn *pc = PQconnectdb(f->path);
    PGresult *r = PQexec(pc, "INSERT INTO event(agency, record_id, hash, event_type,"
                             " occurred_at, occurred_prec, reported_at, reported_prec, known_at,"
                             " file_id, line) SELECT agency, record_id, hash, event_type,"
                             " occurred_at, occurred_prec, reported_at, reported_prec, known_at,"
                             " file_id, line FROM event WHERE record_id = 'E1'");
    assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23505"); /* unique_violation */
    PQclear(r);
    PQfinish(pc);
#endif
}

static int64_t count_rows(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* identities_replace: a full replace that keeps row ids of kept person_ids;
 * a ref naming a person_id without identity is refused and nothing changes
 * (not even the index it drops while loading). */
static void test_store__identities_replace(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite-only: counts rows and the dropped index with sqlite3 on the file */
    fx *f = *state;
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P-1", .display_name = "Amy S", .is_child = 1,
                                .note = "kept apart from P-2"},
                               {.person_id = "P-2", .display_name = "Bea T"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 0}, {"csc", "C1", "P-1", 0, NULL, NULL, 0, 0},
                               {"police", "N2", "P-2", 0, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 2, NULL, "{}", 3, 1, NULL),
                     JD_OK);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity_ref r JOIN identity i"
                                         " ON i.id = r.identity_id AND i.person_id = 'P-1'"),
                     2);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity_note"), 1);
    int64_t p1 = count_rows(f->path, "SELECT id FROM identity WHERE person_id = 'P-1'");
    /* second run: P-2 gone, P-1 keeps its row, a new P-3 */
    jd_identity_info info2[] = {{.person_id = "P-3", .display_name = "Bea T"},
                                {.person_id = "P-1", .display_name = "Amy Smith"}};
    jd_identity_save refs2[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 0}, {"csc", "C1", "P-1", 0, NULL, NULL, 0, 0},
                                {"police", "N2", "P-3", 0, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs2, 3, info2, 2, NULL, "{}", 3, 1, NULL),
                     JD_OK);
    assert_int_equal(count_rows(f->path, "SELECT id FROM identity WHERE person_id = 'P-1'"), p1);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity"), 2);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity_note"), 0);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* refused: a ref whose person_id has no identity */
    jd_identity_save bad[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 0}, {"police", "N9", "P-404", 0, NULL, NULL, 0, 0}};
    jd_error e;
    assert_int_equal(f->s->ops->identities_replace(f->s, bad, 2, info2, 2, NULL, "{}", 2, 0, &e),
                     JD_EINVALID);
    assert_non_null(strstr(e.msg, "P-404"));
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity_ref"), 3);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM sqlite_master WHERE"
                                         " name = 'identity_ref_identity'"),
                     1);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM resolve_run"), 2);
    /* refused: one person_id given twice */
    jd_identity_info twice[] = {{.person_id = "P-1", .display_name = "A"},
                                {.person_id = "P-1", .display_name = "B"}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs2, 2, twice, 2, NULL, "{}", 2, 0, &e),
                     JD_EINVALID);
    assert_non_null(strstr(e.msg, "given twice"));
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity"), 2);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity WHERE"
                                         " display_name = 'Amy Smith'"),
                     1);
}

/* identities_replace on a store with no identity_ref rows: into an empty
 * identity table the identities take row ids 1.. in order, with their
 * notes; over identity rows left without refs (written here by hand) a
 * kept person_id keeps its row id and takes the new display fields. */
static void test_store__identities_replace_fresh_or_not(void **state)
{
    if (scratch_is_pg())
        skip(); /* SQLite-only: writes the identity rows with sqlite3 on the file */
    fx *f = *state;
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P-7", .display_name = "Cy D", .note = "n7"},
                               {.person_id = "P-5", .display_name = "Di E", .is_child = 1}};
    jd_identity_save refs[] = {{"police", "N1", "P-7", 0, NULL, NULL, 0, 0},
                               {"police", "N2", "P-5", 0, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 2, info, 2, NULL, "{}", 2, 0, NULL),
                     JD_OK);
    assert_int_equal(count_rows(f->path, "SELECT id FROM identity WHERE person_id = 'P-7'"), 1);
    assert_int_equal(count_rows(f->path, "SELECT id FROM identity WHERE person_id = 'P-5'"), 2);
    assert_int_equal(count_rows(f->path, "SELECT identity_id FROM identity_note WHERE"
                                         " note = 'n7'"),
                     1);
    assert_int_equal(count_rows(f->path, "SELECT identity_id FROM identity_ref WHERE"
                                         " person_ref = 'N2'"),
                     2);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM identity_ref; DELETE FROM identity_note;"
                                      " INSERT INTO identity(id, person_id, display_name,"
                                      " created_at, updated_at) VALUES (40, 'P-9', 'old', 1, 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    jd_identity_info info2[] = {{.person_id = "P-9", .display_name = "new"},
                                {.person_id = "P-8", .display_name = "Ed F"}};
    jd_identity_save refs2[] = {{"police", "N1", "P-9", 0, NULL, NULL, 0, 0},
                                {"police", "N2", "P-8", 0, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs2, 2, info2, 2, NULL, "{}", 2, 0,
                                                   NULL),
                     JD_OK);
    assert_int_equal(count_rows(f->path, "SELECT id FROM identity WHERE person_id = 'P-9'"
                                         " AND display_name = 'new'"),
                     40);
    assert_int_equal(count_rows(f->path, "SELECT identity_id FROM identity_ref WHERE"
                                         " person_ref = 'N1'"),
                     40);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity"), 2);
    assert_int_equal(count_rows(f->path, "SELECT count(*) FROM identity_ref r JOIN identity i"
                                         " ON i.id = r.identity_id AND i.person_id = 'P-8'"
                                         " AND r.person_ref = 'N2'"),
                     1);
}

#ifdef JD_HAVE_POSTGRES
/* identity_ref's and identity_note's indexes and constraints: definitions,
 * and "name=oid" (another oid: built anew) */
#define SAVE_TABLES "('identity_ref', 'identity_note')"
#define SAVE_DEFS_SQL                                                                              \
    "SELECT string_agg(d, ';' ORDER BY d) FROM (SELECT indexdef AS d FROM pg_indexes"             \
    " WHERE schemaname = current_schema() AND tablename IN " SAVE_TABLES                         \
    " UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)"  \
    " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"                     \
    " AND conrelid::regclass::text IN " SAVE_TABLES ") x"
#define SAVE_OIDS_SQL                                                                              \
    "SELECT string_agg(n || '=' || o, ';' ORDER BY n) FROM (SELECT conname AS n, oid AS o"        \
    " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"                     \
    " AND conrelid::regclass::text IN " SAVE_TABLES " UNION ALL SELECT i.relname, i.oid"           \
    " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid" \
    " WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN " SAVE_TABLES        \
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"              \
    " AND c.conrelid = x.indrelid)) k"

/* n refs (police R0..), two a person_id (P0..), a note every tenth
 * identity; bad: the last ref names a person_id without identity */
typedef struct save_set {
    jd_identity_save *refs;
    jd_identity_info *info;
    char (*names)[2][16];
    size_t n, ninfo;
} save_set;

static save_set save_make(size_t n, bool bad)
{
    save_set v = {calloc(n, sizeof *v.refs), calloc(n, sizeof *v.info), calloc(n, sizeof *v.names),
                  n, (n + 1) / 2};
    assert_true(v.refs && v.info && v.names);
    for (size_t i = 0; i < n; i++) {
        snprintf(v.names[i][0], sizeof v.names[i][0], "R%zu", i);
        snprintf(v.names[i][1], sizeof v.names[i][1], "P%zu", i / 2);
        v.refs[i] = (jd_identity_save){.agency = "police", .person_ref = v.names[i][0],
                                       .person_id = v.names[i / 2 * 2][1], .fp = (int64_t)i + 1};
        if (i % 2 == 0)
            v.info[i / 2] = (jd_identity_info){.person_id = v.names[i][1], .display_name = "Amy",
                                               .note = i % 20 == 0 ? "a note" : NULL};
    }
    if (bad)
        v.refs[n - 1].person_id = "P-404";
    return v;
}

static int save_run(fx *f, const save_set *v, jd_error *err)
{
    return f->s->ops->identities_replace(f->s, v->refs, v->n, v->info, v->ninfo, NULL, "{}",
                                         (int64_t)v->n, 0, err);
}

static void save_free(save_set *v)
{
    free(v->refs);
    free(v->info);
    free(v->names);
}
#endif

/* A first large save (store/pg.c save_defer: at least 50,000 refs and twice
 * identity_ref's rows) fills identity_ref and identity_note without their
 * indexes and foreign keys and builds them at the end: the same
 * definitions, built anew, and the foreign keys hold again. It does not
 * while a reader holds identity_ref (the reader is not kept waiting), nor
 * over as many rows; a refused save rolls its drops back with it. */
static void test_store__identities_save_deferred(void **state)
{
    if (!scratch_is_pg())
        skip(); /* PostgreSQL-only: SQLite's save defers no index */
#ifdef JD_HAVE_POSTGRES
    fx *f = *state;
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    char defs[4096], defs2[4096], oids[2048], oids2[2048], got[64];
    pg_value(f->path, SAVE_DEFS_SQL, defs, sizeof defs);
    assert_non_null(strstr(defs, "identity_ref_identity_id_fkey FOREIGN KEY"));
    pg_value(f->path, SAVE_OIDS_SQL, oids, sizeof oids);
    /* a reader holds identity_ref: the save keeps every index, and ends */
    save_set a = save_make(50000, false);
    PGconn *reader = PQconnectdb(f->path);
    PGresult *r = PQexec(reader, "BEGIN; SELECT count(*) FROM identity_ref");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    assert_int_equal(save_run(f, &a, NULL), JD_OK);
    PQclear(PQexec(reader, "COMMIT"));
    PQfinish(reader);
    pg_value(f->path, SAVE_OIDS_SQL, oids2, sizeof oids2);
    assert_string_equal(oids2, oids);
    /* twice the rows, one ref refused: the drops are undone, nothing changes */
    save_set b = save_make(100002, true);
    jd_error e;
    assert_int_equal(save_run(f, &b, &e), JD_EINVALID);
    assert_non_null(strstr(e.msg, "P-404"));
    pg_value(f->path, SAVE_OIDS_SQL, oids2, sizeof oids2);
    assert_string_equal(oids2, oids);
    pg_value(f->path, "SELECT count(*) FROM identity_ref", got, sizeof got);
    assert_string_equal(got, "50000");
    /* the same, right: deferred, built anew, every row there */
    b.refs[b.n - 1].person_id = b.names[(b.n - 1) / 2 * 2][1];
    assert_int_equal(save_run(f, &b, NULL), JD_OK);
    pg_value(f->path, SAVE_DEFS_SQL, defs2, sizeof defs2);
    assert_string_equal(defs2, defs);
    pg_value(f->path, SAVE_OIDS_SQL, oids2, sizeof oids2);
    char name[128], was[32], now[32];
    for (const char *p = oids; *p; p += strcspn(p, ";"), p += *p == ';') {
        snprintf(name, sizeof name, "%.*s", (int)strcspn(p, "="), p);
        key_oid(oids, name, was, sizeof was);
        key_oid(oids2, name, now, sizeof now);
        if (!*now || !strcmp(now, was))
            fail_msg("%s: oid %s before the save, %s after (deferred: built anew)", name, was,
                     *now ? now : "none");
    }
    pg_value(f->path,
             "SELECT count(*) || ' ' || count(DISTINCT r.identity_id) || ' ' ||"
             " (SELECT count(*) FROM identity_note) FROM identity_ref r"
             " JOIN identity i ON i.id = r.identity_id AND i.person_id = 'P' || (substr("
             "r.person_ref, 2)::int / 2)",
             got, sizeof got);
    assert_string_equal(got, "100002 50001 5001");
    PGconn *c = PQconnectdb(f->path);
    r = PQexec(c, "INSERT INTO identity_ref(agency, person_ref, identity_id)"
                  " VALUES ('police', 'X1', -1)");
    assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23503"); /* foreign key */
    PQclear(r);
    r = PQexec(c, "INSERT INTO identity_ref(agency, person_ref, identity_id)"
                  " SELECT agency, person_ref, identity_id FROM identity_ref LIMIT 1");
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23505"); /* primary key */
    PQclear(r);
    PQfinish(c);
    /* again over as many rows: kept */
    pg_value(f->path, SAVE_OIDS_SQL, oids, sizeof oids);
    assert_int_equal(save_run(f, &b, NULL), JD_OK);
    pg_value(f->path, SAVE_OIDS_SQL, oids2, sizeof oids2);
    assert_string_equal(oids2, oids);
    save_free(&a);
    save_free(&b);
#endif
}

/* meta values: found, absent, and one too long for the caller's buffer. */
static void test_store__meta_get(void **state)
{
    fx *f = *state;
    char v[16];
    bool found = false;
    assert_int_equal(f->s->ops->meta_get(f->s, "row_hash", v, sizeof v, &found, NULL), JD_OK);
    assert_true(found);
    assert_string_equal(v, "wyhash64");
    assert_int_equal(f->s->ops->meta_get(f->s, "no such key", v, sizeof v, &found, NULL), JD_OK);
    assert_false(found);
    jd_error e;
    assert_int_equal(f->s->ops->meta_get(f->s, "row_hash", v, 8, &found, &e), JD_ELIMIT);
    assert_false(found);
    assert_non_null(strstr(e.msg, "too long"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store__schema_migrated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__event_new_unchanged_updated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__person_needs_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__same_file_key_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__rollback_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__event_map_follows_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__problems_are_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__mentions_grouped_by_ref, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__values_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__binary_copy_checks_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__ingest_text_bytewise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__ingest_text_migrated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__deferred_keys_rebuilt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__identities_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__identities_replace_fresh_or_not, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__identities_save_deferred, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__meta_get, setup, teardown),
        cmocka_unit_test(test_store__open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
