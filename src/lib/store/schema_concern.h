/* Schema of concerns and escalation (migration 5). See store/schema.h.
 *
 * concern: one row per concern, the cache of its current state. `base` holds
 * what it rests on (kind, subject, opening time and rung, the alert level
 * steps of derived concerns, records) and `state` what the escalation
 * engine computed from it and the human actions (docs/escalation.md).
 * `version` is bumped by every write: writers name the version they read
 * and a stale write is refused (optimistic concurrency).
 * concern_event: the append-only history (triggers forbid UPDATE and
 * DELETE). notify_outbox: messages queued in the same transaction as the
 * change they announce; notify_delivery: one row per message and channel
 * with attempts and the next retry, so an outage loses nothing. */
#ifndef JD_SCHEMA_CONCERN_H
#define JD_SCHEMA_CONCERN_H
#define JD_SCHEMA_CONCERNS                                                                       \
    "CREATE TABLE concern(id TEXT PRIMARY KEY, version INTEGER NOT NULL,"                       \
    " automatic INTEGER NOT NULL, status TEXT NOT NULL, owner TEXT NOT NULL, rung TEXT NOT NULL,"  \
    " level TEXT NOT NULL, strategic INTEGER NOT NULL, raised_at INTEGER NOT NULL,"             \
    " due_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, base TEXT NOT NULL,"                \
    " state TEXT NOT NULL);"                                                                    \
    "CREATE INDEX concern_owner ON concern(owner, status);"                                     \
    "CREATE INDEX concern_agenda ON concern(strategic, status);"                                \
    "CREATE TABLE concern_event(seq INTEGER PRIMARY KEY AUTOINCREMENT,"                         \
    " concern_id TEXT NOT NULL REFERENCES concern(id), at INTEGER NOT NULL,"                    \
    " recorded_at INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,"                   \
    " action TEXT NOT NULL, automatic INTEGER NOT NULL, doc TEXT NOT NULL);"                     \
    "CREATE INDEX concern_event_of ON concern_event(concern_id, at, seq);"                      \
    "CREATE TRIGGER concern_event_no_update BEFORE UPDATE ON concern_event"                     \
    " BEGIN SELECT RAISE(ABORT, 'concern history is append-only'); END;"                        \
    "CREATE TRIGGER concern_event_no_delete BEFORE DELETE ON concern_event"                     \
    " BEGIN SELECT RAISE(ABORT, 'concern history is append-only'); END;"                        \
    "CREATE TABLE notify_outbox(id INTEGER PRIMARY KEY AUTOINCREMENT,"                          \
    " concern_id TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL,"                \
    " body TEXT NOT NULL, created_at INTEGER NOT NULL);"                                        \
    "CREATE TABLE notify_delivery(outbox_id INTEGER NOT NULL REFERENCES notify_outbox(id),"     \
    " channel TEXT NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL,"              \
    " delivered_at INTEGER, last_error TEXT, PRIMARY KEY(outbox_id, channel));"
#endif
