/* Throwaway SQLite stores for unit tests: a path unique to the process and
 * the call, opened fresh, and removed with the WAL files beside it.
 * Header-only (static inline). */
#ifndef JD_TEST_SCRATCH_DB_H
#define JD_TEST_SCRATCH_DB_H

#include <joindots/store.h>

#include <stdio.h>
#include <unistd.h>

/* Remove a store and its -wal and -shm files; missing files are fine. */
static inline void scratch_db_remove(const char *path)
{
    char p[512];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* A new store at a path of its own ("/tmp/jd-test-NAME-PID-N.db", N counting
 * the calls), any leftover of that name removed first; JD_OK or its error. */
static inline int scratch_store_open(jd_store **s, char *path, size_t cap, const char *name)
{
    static int n;
    snprintf(path, cap, "/tmp/jd-test-%s-%d-%d.db", name, (int)getpid(), n++);
    scratch_db_remove(path);
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
