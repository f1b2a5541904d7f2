/* A throwaway SQLite store for unit tests: a path unique to the process, and
 * its removal with the WAL files beside it. Header-only (static inline). */
#ifndef JD_TEST_SCRATCH_DB_H
#define JD_TEST_SCRATCH_DB_H

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

#endif
