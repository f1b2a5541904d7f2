/*
 * SQLite schema migrations, in order. Migration i (0-based) takes the schema
 * from version i to i+1; PRAGMA user_version holds the version. Never edit a
 * released migration: append a new one.
 */
#ifndef JD_STORE_SCHEMA_H
#define JD_STORE_SCHEMA_H

typedef struct jd_migration {
    const char *description;
    const char *sql;
} jd_migration;

/* Migrations of later modules keep their SQL in a header of their own. */
#include "store/schema_account.h"
#include "store/schema_concern.h"
#include "store/schema_live.h"

static const jd_migration jd_sqlite_migrations[] = {
    {"POLE facts with provenance and history; ingest runs; quarantine",
     "CREATE TABLE schema_migration(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL,"
     " description TEXT NOT NULL);"
     "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
     "CREATE TABLE ingest_run(id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL,"
     " finished_at INTEGER, status TEXT NOT NULL DEFAULT 'running', what TEXT,"
     " rows_read INTEGER NOT NULL DEFAULT 0, rows_stored INTEGER NOT NULL DEFAULT 0,"
     " rows_updated INTEGER NOT NULL DEFAULT 0, rows_unchanged INTEGER NOT NULL DEFAULT 0,"
     " rows_rejected INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE source_file(id INTEGER PRIMARY KEY,"
     " run_id INTEGER NOT NULL REFERENCES ingest_run(id), bundle TEXT NOT NULL,"
     " name TEXT NOT NULL, kind TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
     " rows_read INTEGER, rows_stored INTEGER, rows_updated INTEGER, rows_unchanged INTEGER,"
     " rows_rejected INTEGER, complete INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX source_file_sha ON source_file(sha256);"
     /* L of POLE: a place as written (postcode + text); issue 6 merges near-duplicates. */
     "CREATE TABLE location(id INTEGER PRIMARY KEY, postcode TEXT, text TEXT,"
     " key TEXT NOT NULL UNIQUE);"
     /* E of POLE: one row per (agency, record_id) holding the current version. */
     "CREATE TABLE event(id INTEGER PRIMARY KEY, agency TEXT NOT NULL, record_id TEXT NOT NULL,"
     " version INTEGER NOT NULL DEFAULT 1, hash INTEGER NOT NULL,"
     " event_type TEXT NOT NULL, event_type_raw TEXT,"
     " occurred_at INTEGER NOT NULL, occurred_prec INTEGER NOT NULL,"
     " reported_at INTEGER NOT NULL, reported_prec INTEGER NOT NULL, known_at INTEGER NOT NULL,"
     " location_id INTEGER REFERENCES location(id), location TEXT, postcode TEXT,"
     " postcode_raw TEXT, narrative TEXT, crime_recorded INTEGER, crime_ref TEXT, outcome TEXT,"
     " author_role TEXT, risk_grade TEXT,"
     " file_id INTEGER NOT NULL REFERENCES source_file(id), line INTEGER NOT NULL,"
     " UNIQUE(agency, record_id));"

     /* Earlier versions, copied here when a corrected row replaces them. */
     "CREATE TABLE event_history(id INTEGER PRIMARY KEY,"
     " event_id INTEGER NOT NULL REFERENCES event(id), superseded_at INTEGER NOT NULL,"
     " superseded_by_file INTEGER REFERENCES source_file(id),"
     " agency TEXT NOT NULL, record_id TEXT NOT NULL, version INTEGER NOT NULL,"
     " hash INTEGER NOT NULL, event_type TEXT NOT NULL, event_type_raw TEXT,"
     " occurred_at INTEGER NOT NULL, occurred_prec INTEGER NOT NULL,"
     " reported_at INTEGER NOT NULL, reported_prec INTEGER NOT NULL, known_at INTEGER NOT NULL,"
     " location_id INTEGER, location TEXT, postcode TEXT, postcode_raw TEXT, narrative TEXT,"
     " crime_recorded INTEGER, crime_ref TEXT, outcome TEXT, author_role TEXT, risk_grade TEXT,"
     " file_id INTEGER NOT NULL, line INTEGER NOT NULL);"
     "CREATE INDEX event_history_event ON event_history(event_id);"
     /* P of POLE: one person as mentioned in one event by one agency. The
      * mentions of an event are found through the unique key's (agency,
      * record_id) prefix; events are never deleted, so event_id needs no
      * index of its own (one B-tree less per row at ingest). */
     "CREATE TABLE person_mention(id INTEGER PRIMARY KEY,"
     " event_id INTEGER NOT NULL REFERENCES event(id), agency TEXT NOT NULL,"
     " record_id TEXT NOT NULL, person_ref TEXT NOT NULL, role TEXT NOT NULL,"
     " version INTEGER NOT NULL DEFAULT 1, hash INTEGER NOT NULL,"
     " surname TEXT, forenames TEXT, known_as TEXT, dob TEXT, dob_prec INTEGER, age INTEGER,"
     " gender TEXT, gender_raw TEXT, address TEXT, postcode TEXT, postcode_raw TEXT, phone TEXT,"
     " phone_raw TEXT, nhs_number TEXT, upn TEXT, ethnicity TEXT,"
     " file_id INTEGER NOT NULL REFERENCES source_file(id), line INTEGER NOT NULL,"
     " UNIQUE(agency, record_id, person_ref, role));"
     "CREATE INDEX person_mention_ref ON person_mention(agency, person_ref);"
     "CREATE TABLE person_mention_history(id INTEGER PRIMARY KEY,"
     " mention_id INTEGER NOT NULL REFERENCES person_mention(id),"
     " superseded_at INTEGER NOT NULL, superseded_by_file INTEGER REFERENCES source_file(id),"
     " version INTEGER NOT NULL, hash INTEGER NOT NULL, role TEXT NOT NULL,"
     " surname TEXT, forenames TEXT, known_as TEXT, dob TEXT, dob_prec INTEGER, age INTEGER,"
     " gender TEXT, gender_raw TEXT, address TEXT, postcode TEXT, postcode_raw TEXT, phone TEXT,"
     " phone_raw TEXT, nhs_number TEXT, upn TEXT, ethnicity TEXT,"
     " file_id INTEGER NOT NULL, line INTEGER NOT NULL);"
     /* O of POLE: a vehicle, phone or other object seen in an event. */
     "CREATE TABLE object_mention(id INTEGER PRIMARY KEY,"
     " event_id INTEGER NOT NULL REFERENCES event(id), agency TEXT NOT NULL,"
     " record_id TEXT NOT NULL, object_type TEXT NOT NULL, value_norm TEXT NOT NULL,"
     " person_ref TEXT NOT NULL DEFAULT '', value_raw TEXT NOT NULL,"
     " value_valid INTEGER NOT NULL, description TEXT,"
     " version INTEGER NOT NULL DEFAULT 1, hash INTEGER NOT NULL,"
     " file_id INTEGER NOT NULL REFERENCES source_file(id), line INTEGER NOT NULL,"
     " UNIQUE(agency, record_id, object_type, value_norm, person_ref));"
     "CREATE INDEX object_mention_value ON object_mention(object_type, value_norm);"
     "CREATE TABLE object_mention_history(id INTEGER PRIMARY KEY,"
     " mention_id INTEGER NOT NULL REFERENCES object_mention(id),"
     " superseded_at INTEGER NOT NULL, superseded_by_file INTEGER REFERENCES source_file(id),"
     " version INTEGER NOT NULL, hash INTEGER NOT NULL, value_raw TEXT NOT NULL,"
     " value_valid INTEGER NOT NULL, description TEXT,"
     " file_id INTEGER NOT NULL, line INTEGER NOT NULL);"
     /* Quarantine and warnings: nothing is dropped silently. */
     "CREATE TABLE problem(id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES ingest_run(id),"
     " severity TEXT NOT NULL CHECK (severity IN ('reject','warning')), file TEXT NOT NULL,"
     " line INTEGER NOT NULL, col INTEGER NOT NULL, field TEXT NOT NULL, message TEXT NOT NULL,"
     " raw TEXT, hash INTEGER NOT NULL, UNIQUE(file, line, col, hash));"},
    {"identities: resolved persons, their refs, human link decisions, model parameters",
     /* One row per resolved person; person_id is stable across re-runs. */
     "CREATE TABLE identity(id INTEGER PRIMARY KEY, person_id TEXT NOT NULL UNIQUE,"
     " display_name TEXT, dob TEXT, is_child INTEGER NOT NULL DEFAULT 0,"
     " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
     "CREATE TABLE identity_ref(agency TEXT NOT NULL, person_ref TEXT NOT NULL,"
     " identity_id INTEGER NOT NULL REFERENCES identity(id), PRIMARY KEY(agency, person_ref))"
     " WITHOUT ROWID;"
     "CREATE INDEX identity_ref_identity ON identity_ref(identity_id);"
     /* Why a cluster was split, or other notes a practitioner should read. */
     "CREATE TABLE identity_note(id INTEGER PRIMARY KEY,"
     " identity_id INTEGER NOT NULL REFERENCES identity(id), note TEXT NOT NULL);"
     "CREATE INDEX identity_note_identity ON identity_note(identity_id);"
     /* Human decisions: kept for ever (history), the latest per pair is in force.
      * 'different' always wins in clustering. */
     "CREATE TABLE link_decision(id INTEGER PRIMARY KEY,"
     " agency_a TEXT NOT NULL, ref_a TEXT NOT NULL, agency_b TEXT NOT NULL, ref_b TEXT NOT NULL,"
     " decision TEXT NOT NULL CHECK (decision IN ('same','different')),"
     " reason TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at INTEGER NOT NULL);"
     "CREATE INDEX link_decision_pair ON link_decision(agency_a, ref_a, agency_b, ref_b);"
     "CREATE TABLE resolve_run(id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL,"
     " finished_at INTEGER, mode TEXT NOT NULL, refs INTEGER, candidate_pairs INTEGER,"
     " links INTEGER, identities INTEGER, model TEXT);"},
    {"person mentions: another identifier read through a column mapping",
     "ALTER TABLE person_mention ADD COLUMN other_id TEXT;"
     "ALTER TABLE person_mention_history ADD COLUMN other_id TEXT;"},
    {"analysis: alerts of the latest run, kept by stable id",
     "CREATE TABLE analysis_run(id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL,"
     " finished_at INTEGER, as_of INTEGER, events INTEGER, alerts INTEGER);"
     "CREATE TABLE alert(id TEXT PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES"
     " analysis_run(id), kind TEXT NOT NULL, level TEXT NOT NULL, subject TEXT,"
     " raised_at INTEGER NOT NULL, doc TEXT NOT NULL);"
     "CREATE INDEX alert_subject ON alert(subject);"
     "CREATE INDEX alert_kind_level ON alert(kind, level);"},
    {"concerns: owners, levels, history, escalation, the board's agenda, notifications",
     JD_SCHEMA_CONCERNS},
    {"accounts, sessions and the hash-chained audit log", JD_SCHEMA_ACCOUNTS},
    /* Ingest's change detection compares a 64-bit hash of each row's
     * normalised content with the stored one. A store that already holds
     * rows keeps FNV-1a, with which they were hashed; a new store uses the
     * wyhash-style jd_hash_fast, ten times faster on long narratives. */
    {"row hash function recorded in meta (row_hash)",
     "INSERT INTO meta(key, value) SELECT 'row_hash',"
     " CASE WHEN EXISTS (SELECT 1 FROM event) THEN 'fnv1a64' ELSE 'wyhash64' END;"},
    /* Issue 19 item 8: a keyed MAC per audit entry and on the head, with the
     * key in a file outside the database. Entries written before are kept
     * with an empty MAC and reported as unkeyed. */
    {"audit log: keyed MAC per entry and on the head", JD_SCHEMA_AUDIT_MAC},
    /* Issue 17 item 4: what readers need from an analysis run, stored by it
     * (the network graph, hotspots, profiles, the concern bases of the
     * escalation engine) so that exports and the server serve them instead
     * of analysing again. Each document records the analysis run, ingest run
     * and resolve run it was built from, so a reader knows when the data
     * moved on since. */
    {"analysis documents: network graph, hotspots, profiles, concern bases",
     "CREATE TABLE analysis_doc(name TEXT PRIMARY KEY,"
     " run_id INTEGER NOT NULL REFERENCES analysis_run(id), ingest_gen INTEGER NOT NULL,"
     " identity_gen INTEGER NOT NULL, doc TEXT NOT NULL);"},
    /* Issue 17: agency feeds and the API tokens of the feed role. */
    {"live operation: feeds and feed tokens", JD_SCHEMA_LIVE},
    /* Issue 17 item 2: who each resolved ref was (person_id, date of birth,
     * child flag, name) at the last saved analysis, so an incremental
     * analysis finds the persons a resolve run changed, whichever way it
     * ran, by one indexed comparison. */
    {"incremental analysis: identities as the last analysis saw them",
     "CREATE TABLE analysis_ref(agency TEXT NOT NULL, person_ref TEXT NOT NULL,"
     " person_id TEXT NOT NULL, info TEXT NOT NULL, PRIMARY KEY(agency, person_ref))"
     " WITHOUT ROWID;"},
    /* Issue 17 item 2: the incremental resolve re-resolves the refs whose
     * fingerprint (what resolution read of them, hashed) changed since the
     * last run, and records each merge and split it makes. */
    {"incremental resolve: ref fingerprints, identity changes",
     "ALTER TABLE identity_ref ADD COLUMN fp INTEGER;"
     "ALTER TABLE identity_ref ADD COLUMN nbr TEXT;"
     "CREATE TABLE identity_change(id INTEGER PRIMARY KEY,"
     " run_id INTEGER NOT NULL REFERENCES resolve_run(id), person_id TEXT NOT NULL,"
     " how INTEGER NOT NULL, other TEXT);"
     "CREATE INDEX identity_change_person ON identity_change(person_id);"},
    /* Issue 17 item 2: exploitation networks keep one opaque id for their
     * life (N000001...), given when first detected; each saved full
     * analysis matches the networks it finds to these by members
     * (network/network_id.c) and records what changed. members: JSON
     * [[person_id, since, is_child], ...]; times are seconds since 1970. */
    {"network registry: lifetime network ids, their members and changes",
     "CREATE TABLE network(id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,"
     " first_at INTEGER NOT NULL, ended_at INTEGER NOT NULL DEFAULT 0, merged_into TEXT,"
     " members TEXT NOT NULL);"
     "CREATE TABLE network_change(id INTEGER PRIMARY KEY,"
     " run_id INTEGER REFERENCES analysis_run(id), network_id TEXT NOT NULL,"
     " how TEXT NOT NULL, other TEXT, at INTEGER NOT NULL);"
     "CREATE INDEX network_change_network ON network_change(network_id);"},
    /* Issue 17: the blocking keys of every resolved ref (what the full run's
     * blocking rules emitted for it, resolve.c keys_range), by key, so that
     * an incremental resolve finds the candidates of its new refs by an
     * indexed lookup instead of loading and blocking the county. Written
     * with the identities, in their transaction (identities_replace in
     * bulk, identities_update for the refs whose keys it gives). One row a
     * key (the 64-bit block key as a signed integer), its refs as text
     * (store.h, jd_store__refs_add); each ref's own keys also on its
     * identity_ref row (keys: written as a BLOB of 8 bytes a key,
     * little-endian, since the tenth session -- 53 MB instead of 148 MB of
     * decimal text at 1M events; text rows of a store before are still
     * read; PostgreSQL keeps decimal text), so an update knows which rows
     * to take the ref out of. The column's TEXT affinity leaves a BLOB as
     * it is: no migration. */
    {"incremental resolve: blocking keys of resolved refs",
     "CREATE TABLE ref_key(key INTEGER PRIMARY KEY, refs TEXT NOT NULL);"
     "ALTER TABLE identity_ref ADD COLUMN keys TEXT;"},
    /* The person index's patch and the incremental analysis ask which
     * identities the resolve runs in (after, upto] changed
     * (persons_changed, resolve_changed): by run, a range on this index
     * instead of a scan of every change ever recorded. */
    {"identity changes by resolve run",
     "CREATE INDEX identity_change_run ON identity_change(run_id);"},
    /* PostgreSQL only (its ingest tables' text columns lose the domain
     * ctext, pg_schema.h); here a version kept in step, nothing to change:
     * SQLite's TEXT columns already compare byte-wise (BINARY). */
    {"ingest tables: text columns as text COLLATE \"C\" instead of the domain ctext", ""},
};

#endif
