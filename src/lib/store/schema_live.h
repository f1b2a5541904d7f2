/* Schema of live operation (issue 17): agency feeds and their API tokens.
 * See store/schema.h. */
#ifndef JD_SCHEMA_LIVE_H
#define JD_SCHEMA_LIVE_H
/*
 * feed_token: an API token of the `feed` role, bound to one agency; only a
 * BLAKE2b digest of the token is kept (as for sessions).
 * feed: every feed that arrived (a drop-folder bundle or an upload), with
 * its source, whether it was ingested or rejected whole (and why), and the
 * ingest run that stored it.
 */
#define JD_SCHEMA_LIVE                                                                             \
    "CREATE TABLE feed_token(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"                 \
    " agency TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,"      \
    " disabled INTEGER NOT NULL DEFAULT 0, last_used INTEGER NOT NULL DEFAULT 0);"              \
    "CREATE TABLE feed(id INTEGER PRIMARY KEY, agency TEXT NOT NULL, source TEXT NOT NULL,"      \
    " name TEXT NOT NULL, received_at INTEGER NOT NULL,"                                         \
    " status TEXT NOT NULL CHECK (status IN ('ingested','rejected')),"                           \
    " reason TEXT NOT NULL DEFAULT '', run_id INTEGER REFERENCES ingest_run(id),"               \
    " rows_read INTEGER NOT NULL DEFAULT 0, rows_stored INTEGER NOT NULL DEFAULT 0,"            \
    " rows_updated INTEGER NOT NULL DEFAULT 0, rows_unchanged INTEGER NOT NULL DEFAULT 0,"      \
    " rows_rejected INTEGER NOT NULL DEFAULT 0, seconds REAL NOT NULL DEFAULT 0);"              \
    "CREATE INDEX feed_agency ON feed(agency, id);"
#endif
