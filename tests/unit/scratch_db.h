/* Throwaway stores for unit tests: a path unique to the process and the
 * call, opened fresh, and removed with the WAL files beside it.
 * Header-only (static inline).
 *
 * With JD_TEST_DB set to the admin location of a PostgreSQL test cluster
 * ("postgresql:///postgres?host=DIR&user=jd", scripts/test-postgres.sh),
 * each scratch store is instead a new database on it, dropped on close: the
 * same tests then run against the PostgreSQL backend. Tests that reach into
 * the SQLite file itself check scratch_is_pg() and skip, saying why. */
#ifndef JD_TEST_SCRATCH_DB_H
#define JD_TEST_SCRATCH_DB_H

#include <joindots/store.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef JD_HAVE_POSTGRES
#include <libpq-fe.h>
#endif

/* Are scratch stores PostgreSQL databases (JD_TEST_DB set)? */
static inline bool scratch_is_pg(void)
{
    const char *u = getenv("JD_TEST_DB");
    return u && *u;
}

/* Run one statement on the test cluster's admin database; 0 when it ran. */
static inline int scratch_pg_admin(const char *sql)
{
#ifdef JD_HAVE_POSTGRES
    PGconn *c = PQconnectdb(getenv("JD_TEST_DB"));
    int rc = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
        if (rc)
            fprintf(stderr, "scratch_db: %s", PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);
    return rc;
#else
    (void)sql;
    return -1;
#endif
}

/* Remove a store and its -wal, -shm and -audit files; missing files are fine. */
static inline void scratch_db_remove(const char *path)
{
    char p[512];
    const char *db = strstr(path, ":///jdu_");
    if (scratch_is_pg() && db) {
        char sql[160];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.*s WITH (FORCE)",
                 (int)strcspn(db + 4, "?"), db + 4);
        (void)scratch_pg_admin(sql);
        return;
    }
    /* the store, its audit log's file (store/sqlite_audit.c), their WALs */
    const char *tails[] = {"", "-wal", "-shm", "-audit", "-audit-wal", "-audit-shm"};
    for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
        snprintf(p, sizeof p, "%s%s", path, tails[i]);
        unlink(p);
    }
}

/* A new store at a path of its own ("/tmp/jd-test-NAME-PID-N.db", N counting
 * the calls), any leftover of that name removed first; JD_OK or its error. */
static inline int scratch_store_open(jd_store **s, char *path, size_t cap, const char *name)
{
    static int n;
    if (scratch_is_pg()) {
        const char *admin = getenv("JD_TEST_DB"), *q = strstr(admin, ":///postgres?");
        char dbname[32], sql[96];
        snprintf(dbname, sizeof dbname, "jdu_%d_%d", (int)getpid(), n++);
        if (!q)
            return -1;
        snprintf(path, cap, "%.*s:///%s?%s", (int)(q - admin), admin, dbname, q + 13);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
        scratch_db_remove(path);
        if (scratch_pg_admin(sql) != 0)
            return -1;
        (void)name;
    } else {
        snprintf(path, cap, "/tmp/jd-test-%s-%d-%d.db", name, (int)getpid(), n++);
        scratch_db_remove(path);
    }
    jd_store_opts o = JD_STORE_OPTS_INIT;
    return jd_store_open(s, path, &o, NULL);
}

/* Close a scratch store and remove its files. */
static inline void scratch_store_close(jd_store *s, const char *path)
{
    jd_store_close(s);
    scratch_db_remove(path);
}

#endif
