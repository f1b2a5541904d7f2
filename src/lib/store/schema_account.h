/* Schema of accounts, sessions and the audit log (migration 6). See store/schema.h. */
#ifndef JD_SCHEMA_ACCOUNT_H
#define JD_SCHEMA_ACCOUNT_H
/*
 * account: one row per user; pwhash is an argon2id string (libsodium).
 * session: only a BLAKE2b digest of the cookie token is kept.
 * audit_log: append-only (triggers refuse UPDATE and DELETE); each hash
 * covers the previous hash and the entry's content; audit_head holds the
 * last seq and hash so that a deleted tail is detected too.
 */
#define JD_SCHEMA_ACCOUNTS                                                                         \
    "CREATE TABLE account(id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,"                \
    " role TEXT NOT NULL, agency TEXT NOT NULL DEFAULT '', team TEXT NOT NULL DEFAULT '',"       \
    " pwhash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"                                \
    " failed INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,"              \
    " created_at INTEGER NOT NULL, password_set_at INTEGER NOT NULL);"                          \
    "CREATE TABLE session(token_hash TEXT PRIMARY KEY,"                                          \
    " account_id INTEGER NOT NULL REFERENCES account(id), csrf TEXT NOT NULL,"                  \
    " created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL);"    \
    "CREATE INDEX session_account ON session(account_id);"                                       \
    "CREATE TABLE audit_log(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"  \
    " action TEXT NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL,"  \
    " ok INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"                        \
    "CREATE TABLE audit_head(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,"       \
    " hash TEXT NOT NULL);"                                                                       \
    "INSERT INTO audit_head VALUES (1, 0,"                                                        \
    " '0000000000000000000000000000000000000000000000000000000000000000');"                     \
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"                              \
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"                          \
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"                              \
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"                          \
    "CREATE TABLE alert_ack(id INTEGER PRIMARY KEY, alert_id TEXT NOT NULL, by_user TEXT NOT NULL,"\
    " at INTEGER NOT NULL, note TEXT NOT NULL);"                                                  \
    "CREATE INDEX alert_ack_alert ON alert_ack(alert_id);"

/* mac: hex keyed BLAKE2b of the entry's hash (audit.c), "" when written
 * without the audit key; audit_head.mac covers the head's seq and hash. */
#define JD_SCHEMA_AUDIT_MAC                                                                        \
    "ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';"                             \
    "ALTER TABLE audit_head ADD COLUMN mac TEXT NOT NULL DEFAULT '';"
#endif
