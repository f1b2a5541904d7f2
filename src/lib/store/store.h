/*
 * The store module: one vtable per backend (SQLite, PostgreSQL), so that a
 * backend is one more implementation, not a rewrite. May include: util,
 * text (and public headers). store.c and the backends call each other (the
 * one call cycle scripts/check-cycles.py allows).
 *
 * Facts are written through put_* calls inside a transaction opened with
 * begin(); each put reports whether the fact was new, identical to what was
 * stored (idempotent re-ingest), or a corrected version (the old content goes
 * to history). Rows passed in are borrowed for the call.
 */
#ifndef JD_STORE_INTERNAL_H
#define JD_STORE_INTERNAL_H

#include <joindots/store.h>

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    JD_PUT_NEW = 0,
    JD_PUT_UNCHANGED = 1,
    JD_PUT_UPDATED = 2,
    JD_PUT_ORPHAN = 3, /* person/object row whose event is not in the store */
    /* The fact's key was already written from the same file (file_id) in
     * this transaction, at result.first_line: nothing is changed, so a
     * repeated row never silently replaces an earlier one of its own file. */
    JD_PUT_REPEATED = 4, /* ... with the same content */
    JD_PUT_CONFLICT = 5, /* ... with other content */
} jd_put_outcome;

typedef struct jd_put_result {
    jd_put_outcome outcome;
    long first_line; /* REPEATED, CONFLICT: the line that wrote the key */
} jd_put_result;

/* Strings are NUL-terminated or NULL for an absent value. */
typedef struct jd_event_row {
    const char *agency, *record_id;
    const char *event_type;     /* contract code, "other" if unknown */
    const char *event_type_raw; /* as written, only when it was unknown */
    int64_t occurred_at, reported_at; /* unix seconds, UTC */
    int occurred_prec, reported_prec; /* jd_precision */
    const char *location, *postcode, *postcode_raw, *narrative;
    int crime_recorded; /* -1 absent, 0 N, 1 Y */
    const char *crime_ref, *outcome, *author_role, *risk_grade;
    int64_t file_id;
    long line;
    uint64_t hash; /* content hash of the normalised row */
} jd_event_row;

typedef struct jd_person_row {
    const char *agency, *record_id, *person_ref, *role;
    const char *surname, *forenames, *known_as;
    const char *dob; /* canonical YYYY[-MM[-DD]] */
    int dob_prec;
    int age; /* -1 absent */
    const char *gender; /* "F","M","X","U" or NULL */
    const char *gender_raw;
    const char *address, *postcode, *postcode_raw, *phone, *phone_raw, *nhs_number, *upn;
    const char *ethnicity; /* equality monitoring only */
    const char *other_id;  /* another identifier from a column mapping */
    int64_t file_id;
    long line;
    uint64_t hash;
} jd_person_row;

typedef struct jd_object_row {
    const char *agency, *record_id, *object_type;
    const char *value_raw, *value_norm; /* norm: VRM "LX51OTJ" or E.164, else cleaned */
    bool value_valid;
    const char *description, *person_ref;
    int64_t file_id;
    long line;
    uint64_t hash;
} jd_object_row;

typedef struct jd_file_info {
    int64_t run_id;
    const char *bundle, *name, *kind;
    const char *sha256; /* hex */
    int64_t size;
} jd_file_info;

/* A row of the identity export: one ref with its identity (person_id NULL
 * when the ref is not resolved yet). Rows of one identity come together. */
typedef struct jd_identity_row {
    const char *person_id, *agency, *person_ref, *display_name, *dob;
    bool is_child;
    int64_t fp; /* identity_refs only: the ref's fingerprint at the last resolve run, 0 none */
    const char *nbr; /* identity_refs only: its neighbours then (jd_identity_save), or NULL */
    int64_t identity_id; /* identity_rows(_of) only: the identity's row id (their order), 0 none */
} jd_identity_row;
typedef int (*jd_identity_row_cb)(const jd_identity_row *r, void *payload);

/* One person mention, as identity resolution reads it (strings borrowed). */
typedef struct jd_mention_row {
    const char *agency, *person_ref, *role;
    const char *surname, *forenames, *known_as, *dob;
    int dob_prec, age; /* age -1 if absent */
    int64_t seen_at;   /* the event's occurred_at */
    int64_t event_id;  /* the event's row id: mentions of one event share it */
    const char *gender, *address, *postcode, *postcode_raw, *phone, *nhs, *upn, *other_id;
    const char *event_postcode; /* the event's own postcode (where it happened), NULL none */
} jd_mention_row;
typedef int (*jd_mention_cb)(const jd_mention_row *m, void *payload);

/* A human link decision in force (the latest for its pair). */
typedef struct jd_decision_row {
    const char *agency_a, *ref_a, *agency_b, *ref_b;
    bool same;
} jd_decision_row;
typedef int (*jd_decision_cb)(const jd_decision_row *d, void *payload);

/* One resolved ref to save, and its identity's display fields. */
typedef struct jd_identity_save {
    const char *agency, *person_ref, *person_id;
    int64_t fp; /* what resolution read of the ref, hashed (0: none): an incremental run
                   re-resolves a ref whose fingerprint changed */
    const char *nbr; /* the other identities it has a link to (person_ids, space-separated;
                        NULL none): what the ref's old links reached, should it change */
    const uint64_t *keys; /* its blocking keys (nkeys, distinct), stored in ref_key; NULL:
                             none stored (an update leaves the ref's keys as they were) */
    uint32_t nkeys;
    uint32_t info_ix; /* 0, or k + 1 where info[k] is its identity (info[k].person_id is
                         person_id): a full replace takes the row id by k instead of looking
                         person_id up; a k out of range or naming another id is looked up */
} jd_identity_save;
typedef struct jd_identity_info {
    const char *person_id, *display_name, *dob, *note;
    bool is_child;
} jd_identity_info;
/* Identity i's note made when the store writes it (a full replace's notes
 * made one at a time instead of all held at once): *note borrowed until the
 * next call, NULL none; JD_OK or JD_ENOMEM. A replace given a maker reads
 * it, not info[].note. */
typedef struct jd_note_maker {
    int (*make)(void *payload, size_t i, const char **note);
    void *payload;
} jd_note_maker;
/* A change to a person_id in a resolve run (how: JD_PERSON_* of resolve.h). */
typedef struct jd_identity_change_save {
    const char *person_id, *other;
    unsigned how;
} jd_identity_change_save;
/* What an incremental resolve run writes: refs[] (re)assigned, info[] one per
 * identity rewritten (its notes replaced), gone[] identities left with no
 * ref (deleted), changes[] recorded in identity_change; the run recorded in
 * resolve_run with mode 'incremental' and no model (the full run's stays
 * in force). */
typedef struct jd_identity_update {
    const jd_identity_save *refs;
    size_t nrefs;
    const jd_identity_info *info;
    size_t ninfo;
    const char *const *gone;
    size_t ngone;
    const jd_identity_change_save *changes;
    size_t nchanges;
    int64_t refs_total, candidate_pairs, links, identities_total;
    int64_t *run_id; /* when not NULL: the resolve_run id the update recorded */
} jd_identity_update;


/* ---- analysis: everything known by a time, in bulk (strings borrowed) ---- */
typedef struct jd_an_event_row {
    int64_t id;
    const char *agency, *record_id, *event_type;
    int64_t occurred_at, reported_at, known_at;
    int occurred_prec;
    const char *location, *postcode, *narrative, *crime_ref, *outcome, *author_role,
        *risk_grade;
    int crime_recorded; /* -1, 0, 1 */
} jd_an_event_row;
/* A mention with its resolved identity (person_id NULL when unresolved).
 * Ethnicity is deliberately not part of it: it never feeds an analysis. */
typedef struct jd_an_mention_row {
    int64_t event_id;
    const char *agency, *person_ref, *role, *person_id, *dob, *name;
    int dob_prec, age;
    /* analysis_load's full mentions only: the identity's display name, date
     * of birth and child flag (id_child -1: none given), which a
     * partition's load takes here instead of reading every identity */
    const char *id_name, *id_dob;
    int id_child;
} jd_an_mention_row;
typedef struct jd_an_object_row {
    int64_t event_id;
    const char *object_type, *value, *description, *person_ref;
    bool valid;
} jd_an_object_row;
typedef struct jd_an_identity_row {
    const char *person_id, *display_name, *dob;
    bool is_child;
} jd_an_identity_row;
typedef struct jd_an_callbacks {
    int (*identity)(const jd_an_identity_row *r, void *payload);
    int (*event)(const jd_an_event_row *r, void *payload);     /* in id order */
    int (*mention)(const jd_an_mention_row *r, void *payload); /* any order */
    int (*object)(const jd_an_object_row *r, void *payload);   /* any order */
    /* Optional, for analysis_load only (a partition's load, snapshot.c):
     * whether an event's rows (the event, its mentions, its objects) are
     * wanted; the store passes the others over before it reads their
     * columns (SQLite: in the query, so a mention passed over costs no
     * identity look-up). NULL: every row. A NULL identity, event or object
     * callback: that query is not run. */
    bool (*want)(int64_t event_id, void *payload);
    /* Mentions with their event_id, agency and person_ref only (the rest
     * NULL, age -1), read without the join to identities: one scan. */
    bool mention_refs;
} jd_an_callbacks;

/* One stored alert (the JSON document of contract §2.2 and its keys). */
typedef struct jd_alert_save {
    const char *id, *kind, *level, *subject; /* subject: person_id or "" */
    int64_t raised_at;
    const char *doc;
} jd_alert_save;
typedef int (*jd_alert_doc_cb)(const char *doc, void *payload);

/* A document built from the latest analysis run (analysis_doc): the network
 * graph, hotspots, profiles, the escalation engine's concern bases. */
typedef struct jd_doc_save {
    const char *name, *doc;
} jd_doc_save;
/* How a stored document stands against the store now. */
typedef enum {
    JD_DOC_NONE = 0,   /* never stored */
    JD_DOC_OLD = 1,    /* of an earlier analysis run, or of an "as of" run */
    JD_DOC_BEHIND = 2, /* of the latest run, but an ingest or resolve ran since */
    JD_DOC_CURRENT = 3 /* of the latest full run, nothing ingested or resolved since */
} jd_doc_state;

/* One network of the registry (issue 17 item 2): its lifetime id
 * ("N000123"), sequence number, when it first met the rule, when it ended
 * (0: alive; merged into another, or dissolved) and its members as JSON
 * [[person_id, since, is_child], ...]. */
typedef struct jd_network_row {
    const char *id;
    int64_t seq, first_at, ended_at;
    const char *merged_into; /* NULL unless merged */
    const char *members;
} jd_network_row;
typedef int (*jd_network_row_cb)(const jd_network_row *r, void *payload);
/* One change to the registry made by an analysis run: how is "new",
 * "grown", "shrunk", "merged" (other: the id it merged into), "split"
 * (other: the id it split from) or "dissolved". */
typedef struct jd_network_change {
    const char *network_id, *how, *other;
    int64_t at;
} jd_network_change;

struct jd_chrono_event;
typedef int (*jd_chrono_event_cb)(const struct jd_chrono_event *ev, void *payload);

/* Sub-tables of later modules: each declared in a header of its own and
 * implemented per backend in a file of its own (store/sqlite_<module>.c). */
struct jd_concern_ops; /* store/concern_ops.h: concerns and escalation */
struct jd_account_ops; /* store/account_ops.h: accounts, sessions, audit */
struct jd_live_ops;    /* store/live_ops.h: feeds, feed tokens, change counter */
struct jd_incr_ops;    /* store/incr_ops.h: incremental analysis (subset load, alert patch) */

typedef struct jd_store_ops {
    const char *name;
    void (*close)(jd_store *s);
    int (*schema_version)(jd_store *s, int *out, jd_error *err);
    /* A value of the meta table into out (at most cap bytes with the NUL);
     * *found false when the key is absent. */
    int (*meta_get)(jd_store *s, const char *key, char *out, size_t cap, bool *found,
                    jd_error *err);
    /* The ingest transaction: its writer guarantees its own references, so
     * the backend may skip per-row foreign-key checks until commit or
     * rollback (SQLite does). */
    int (*begin)(jd_store *s, jd_error *err);
    int (*commit)(jd_store *s, jd_error *err);
    void (*rollback)(jd_store *s);
    /* Inside the ingest transaction: about person_rows person rows are coming.
     * When that is twice what the store holds, a backend may drop
     * secondary indexes that ingest never reads and rebuild them, sorted, in
     * bulk_restore (which commit also calls; rollback restores by itself). */
    int (*bulk_defer)(jd_store *s, int64_t person_rows, jd_error *err);
    int (*bulk_restore)(jd_store *s, jd_error *err);
    int (*run_start)(jd_store *s, int64_t *out_id, const char *what, jd_error *err);
    int (*run_finish)(jd_store *s, int64_t run_id, const char *status, int64_t read,
                      int64_t stored, int64_t updated, int64_t unchanged, int64_t rejected,
                      jd_error *err);
    /* Was a file with these bytes fully ingested before? */
    int (*file_seen)(jd_store *s, const char *sha256, bool *out, jd_error *err);
    int (*file_add)(jd_store *s, int64_t *out_id, const jd_file_info *f, jd_error *err);
    int (*file_finish)(jd_store *s, int64_t file_id, int64_t read, int64_t stored,
                       int64_t updated, int64_t unchanged, int64_t rejected, jd_error *err);
    int (*put_event)(jd_store *s, const jd_event_row *r, jd_put_result *out, jd_error *err);
    int (*put_person)(jd_store *s, const jd_person_row *r, jd_put_result *out, jd_error *err);
    int (*put_object)(jd_store *s, const jd_object_row *r, jd_put_result *out, jd_error *err);
    /* When the stored event (agency, record_id) occurred; *found false if
     * there is none. Person and object rows of that event usually follow, so
     * the backend may keep the answer for their put_person / put_object. */
    int (*event_when)(jd_store *s, const char *agency, const char *record_id,
                      int64_t *occurred_at, bool *found, jd_error *err);
    int (*put_problem)(jd_store *s, const jd_problem *p, jd_error *err);
    int (*problems)(jd_store *s, bool warnings, jd_problem_cb cb, void *payload, jd_error *err);
    int (*counts)(jd_store *s, jd_store_counts *out, jd_error *err);
    /* identities */
    int (*ref_exists)(jd_store *s, const char *agency, const char *ref, bool *out,
                      jd_error *err);
    int (*link_add)(jd_store *s, const char *agency_a, const char *ref_a, const char *agency_b,
                    const char *ref_b, bool same, const char *reason, const char *by,
                    jd_error *err);
    int (*identity_rows)(jd_store *s, jd_identity_row_cb cb, void *payload, jd_error *err);
    /* Resolved refs only, with their person_id (no display fields): what a
     * re-run of resolution needs to keep person_ids stable. Any order. */
    int (*identity_refs)(jd_store *s, jd_identity_row_cb cb, void *payload, jd_error *err);
    /* One person as the identities are now, by indexed lookups (not the
     * whole table): the identity person_id (agency and ref NULL) or the
     * one holding (agency, ref) (person_id NULL); each of its refs that has
     * a mention, ordered by agency then ref, with the identity's display
     * fields; an unresolved ref with mentions as one row of person_id NULL.
     * No call when there is no such person now. */
    int (*person_refs_now)(jd_store *s, const char *person_id, const char *agency,
                           const char *ref, jd_identity_row_cb cb, void *payload,
                           jd_error *err);
    /* The last resolve run's id (0 if none): changes whenever identities do. */
    int (*identity_generation)(jd_store *s, int64_t *out, jd_error *err);
    /* events of a person (person_id, or one agency ref when person_id is NULL) */
    int (*chronology)(jd_store *s, const char *person_id, const char *agency, const char *ref,
                      int64_t as_of, jd_chrono_event_cb cb, void *payload, jd_error *err);
    /* identity resolution */
    int (*mentions)(jd_store *s, jd_mention_cb cb, void *payload, jd_error *err);
    /* Like mentions, the rows cut in two at the first mention of a ref at
     * or after the middle: those before it to cb(m, first) on this thread,
     * the others to cb(m, rest) on a thread of its own at the same time
     * (cb must let the two run together), each part in order; the first
     * non-zero cb return, if any. NULL on a backend without it. */
    int (*mentions_halves)(jd_store *s, jd_mention_cb cb, void *first, void *rest,
                           jd_error *err);
    /* Like mentions, for the refs (agency[i], ref[i]) i < n only, in the
     * same order ((agency, person_ref), ties in row order), found by the
     * person_mention_ref index. NULL on a backend without it. */
    int (*mentions_of)(jd_store *s, const char *const *agency, const char *const *ref, size_t n,
                       jd_mention_cb cb, void *payload, jd_error *err);
    /* Like mentions_of, for every mention of every event that names one of
     * the refs (the refs' own mentions and those of everyone named beside
     * them: what their fingerprints read), each once, in mentions' order;
     * an event's mentions found by the unique key's (agency, record_id)
     * prefix. NULL on a backend without it. */
    int (*mentions_around)(jd_store *s, const char *const *agency, const char *const *ref,
                           size_t n, jd_mention_cb cb, void *payload, jd_error *err);
    /* The refs whose stored blocking keys (ref_key, written with the
     * identities) include one of keys[0..n), by the key index: one call per
     * (key, ref), ordered by key then ref. *have false (and no call) when
     * the store holds no keys (resolved before they were kept, or never).
     * NULL on a backend without it. */
    int (*refs_by_keys)(jd_store *s, const uint64_t *keys, size_t n, bool *have,
                        int (*cb)(uint64_t key, const char *agency, const char *ref,
                                  void *payload),
                        void *payload, jd_error *err);
    int (*decisions)(jd_store *s, jd_decision_cb cb, void *payload, jd_error *err);
    /* Replace all identities in one transaction: refs[] with their person_id,
     * info[] one per identity, their notes from notes (NULL: info[].note);
     * run fields go to resolve_run. */
    int (*identities_replace)(jd_store *s, const jd_identity_save *refs, size_t nrefs,
                              const jd_identity_info *info, size_t ninfo,
                              const jd_note_maker *notes, const char *model_json,
                              int64_t candidate_pairs, int64_t links, jd_error *err);
    /* Optional (SQLite; NULL elsewhere): identities_replace's first part,
     * run early on a thread of its own while the caller uses the store for
     * nothing else. Begins the replace's transaction and replaces ref_key
     * from refs' keys (agency, person_ref, keys and nkeys are read);
     * identities_replace then writes the rest in it and commits, or
     * keys_abort rolls it back. On failure nothing is left begun. */
    int (*keys_replace_early)(jd_store *s, const jd_identity_save *refs, size_t nrefs,
                              jd_error *err);
    void (*keys_abort)(jd_store *s);
    /* Update some identities in one transaction (jd_identity_update).
     * JD_EINVALID, nothing written, when a ref names a person_id not in
     * info[] or a gone identity still has refs. */
    int (*identities_update)(jd_store *s, const jd_identity_update *u, jd_error *err);
    /* The latest saved model (JSON), or NULL in *out if none; caller frees. */
    int (*model_load)(jd_store *s, char **out, jd_error *err);
    /* analysis: identities, then events (known by as_of), mentions, objects */
    int (*analysis_load)(jd_store *s, int64_t as_of, const jd_an_callbacks *cb, void *payload,
                         jd_error *err);
    /* Replace the stored alerts with those of a new analysis run. */
    int (*alerts_replace)(jd_store *s, int64_t as_of, int64_t events, const jd_alert_save *a,
                          size_t n, jd_error *err);
    /* Stored alert documents, ordered by id; none if analysis never ran
     * (*ran false). */
    int (*alerts_read)(jd_store *s, bool *ran, jd_alert_doc_cb cb, void *payload,
                       jd_error *err);
    /* The stored alert documents that may be about one person, ordered by
     * id: those with the person as subject, and those with no subject (""
     * or NULL: the networks, which name members); by the alert_subject index, where
     * alerts_read reads them all. NULL: use alerts_read. */
    int (*alerts_about)(jd_store *s, const char *person_id, jd_alert_doc_cb cb, void *payload,
                        jd_error *err);
    /* Every stored alert's id, ordered by id as alerts_read orders them,
     * with its document only when its run is later than `run` (NULL
     * otherwise): a reload after an incremental run parses only what the
     * run wrote. NULL: use alerts_read. */
    int (*alerts_since)(jd_store *s, int64_t run,
                        int (*cb)(const char *id, const char *doc, void *payload), void *payload,
                        jd_error *err);
    /* Replace the documents whose names start with `prefix` by d[0..n), in
     * one transaction, stamped with the latest analysis run and the ingest
     * and resolve runs of now. JD_ESTORE when analysis never ran. */
    int (*docs_replace)(jd_store *s, const char *prefix, const jd_doc_save *d, size_t n,
                        jd_error *err);
    /* One document (malloc'd into *out, NULL when none) and its state. */
    int (*doc_get)(jd_store *s, const char *name, char **out, jd_doc_state *state,
                   jd_error *err);
    /* A reader that streams what it reads once (export alerts): the page
     * cache of this handle kept to kib KiB from here on (0: the default
     * again). NULL on a backend without a page cache of its own. */
    int (*cache_limit)(jd_store *s, int64_t kib, jd_error *err);
    /* Equality monitoring only: for each resolved child, each ethnicity its
     * mentions record with how many (ethnicity "" and n 0 when none), by
     * person_id. Nothing else may read ethnicity. */
    int (*ethnicity_rows)(jd_store *s,
                          int (*cb)(const char *person_id, const char *ethnicity, int64_t n,
                                    void *payload),
                          void *payload, jd_error *err);
    /* The network registry: every row, by seq. */
    int (*networks_read)(jd_store *s, jd_network_row_cb cb, void *payload, jd_error *err);
    /* Replace the registry by r[0..n) and add the changes c[0..nc), stamped
     * with the latest analysis run, in one transaction. */
    int (*networks_save)(jd_store *s, const jd_network_row *r, size_t n,
                         const jd_network_change *c, size_t nc, jd_error *err);
    const struct jd_concern_ops *concern;
    const struct jd_account_ops *account;
    const struct jd_live_ops *live; /* NULL: the backend has no feeds yet */
    const struct jd_incr_ops *incr; /* NULL: no incremental analysis (full runs only) */
} jd_store_ops;

struct jd_store {
    const jd_store_ops *ops;
    void *impl;
    /* The audit key (audit.c), read from a file outside the database. */
    bool has_audit_key;
    unsigned char audit_key[32];
};

/* audit.c: read the audit key file into s (created, mode 0600, when missing
 * and create is set; a NULL path leaves s without a key), and on a writable
 * store adopt it (the first keyed entry; nothing if adopted before). */
int jd_audit__key_load(jd_store *s, const char *path, bool create, jd_error *err);
int jd_audit__key_adopt(jd_store *s, jd_error *err);

/* store.c: the location key both backends store (at most JD_LOCATION_KEY
 * bytes with its NUL): the canonical postcode (its first 16 bytes), '|', and
 * the place text folded to lower case with runs of blanks and commas
 * collapsed to one space. Returns the key's length. */
#define JD_LOCATION_KEY 512
size_t jd_store__location_key(const char *postcode, const char *text,
                              char key[JD_LOCATION_KEY]);

/* store.c, what both backends decide alike around their SQL: */
/* A link decision's pair in the canonical order (agency, then ref), so a
 * decision about (B, A) replaces one about (A, B). */
void jd_store__pair_order(const char **agency_a, const char **ref_a, const char **agency_b,
                          const char **ref_b);
/* The error of a concern write that changed no row: another writer saved a
 * newer version (expected > 0), or the id is taken (expected 0). */
int jd_store__concern_conflict(jd_error *err, const char *id, int64_t expected);
/* A session read back (last seen, expiry) at now, with idle seconds allowed
 * between requests: expired or idle too long, it is deleted and refused
 * (JD_ENOTFOUND); else 1 when due its touch (at most once a minute: fewer
 * writes on busy pages), 0 when not. */
int jd_store__session_live(jd_store *s, const char *token_hash, int64_t now, int64_t last,
                           int64_t exp, int64_t idle, jd_error *err);
/* The analysis watermark "a,b,c,d,e,f[,g]" read into v: v[0..6) the row
 * ids, v[6] the resolve run the analysis read (0 in a mark of six
 * fields); a malformed mark is JD_EINVALID. */
int jd_store__mark_parse(const char *m, int64_t v[7], jd_error *err);
/* The resolve run a watermark records into *out (0 for an empty mark or
 * one of six fields); a malformed mark is JD_EINVALID. */
int jd_store__mark_run(const char *m, int64_t *out, jd_error *err);

/*
 * ref_key's rows (the blocking keys of resolved refs): one row per key, its
 * refs as text, each "agency" US "person_ref" RS (0x1f, 0x1e; ingest strips
 * control characters, so neither occurs in a ref). One row a key instead
 * of a row a (key, ref): on the 1M-event county 6.6M (key, ref) rows cost
 * a full run 8 s of CPU and 430 MB; a row a key far less.
 */
struct jd_buf;
/* Append the ref to a key's list unless it is there (JD_OK, JD_ENOMEM). */
int jd_store__refs_add(struct jd_buf *list, const char *agency, const char *ref);
/* Remove the ref from a key's list (list->len 0 when it was the last). */
void jd_store__refs_remove(struct jd_buf *list, const char *agency, const char *ref);
/* Whether k is one of v[0..n) (a ref's few keys: a linear scan). */
bool jd_store__has_key(const uint64_t *v, size_t n, uint64_t k);
/* An update's edits to ref_key: refs[ref] taken out of key's list (add
 * false) or put in, seq their order. Grouped by key (jd_store__key_edits_
 * sort), each key's row is read and written once however many of the
 * update's refs share it, and ends as the edits one by one leave it. */
typedef struct jd_key_edit {
    uint64_t key;
    uint32_t seq, ref;
    bool add;
} jd_key_edit;
typedef struct jd_key_edits {
    jd_key_edit *v;
    size_t n, cap;
} jd_key_edits;
/* The edits of refs[ref] (its keys before: had[0..nh); now: its keys). */
int jd_store__key_edits_add(jd_key_edits *e, const jd_identity_save *refs, uint32_t ref,
                            const uint64_t *had, size_t nh);
/* By key, in their order within a key. */
void jd_store__key_edits_sort(jd_key_edits *e);
/* The edits of one key, v[from..to), applied to its list (JD_ENOMEM). */
int jd_store__key_edits_apply(struct jd_buf *list, const jd_key_edit *v, size_t from, size_t to,
                              const jd_identity_save *refs);
/* The refs of one key's list, sorted (agency, then person_ref, byte-wise),
 * each passed to cb; a non-zero return stops and is returned. */
int jd_store__refs_each(uint64_t key, const char *list, size_t len,
                        int (*cb)(uint64_t key, const char *agency, const char *ref,
                                  void *payload),
                        void *payload);
/* Every key of refs[0..n) with its list, in signed order of the keys
 * (SQLite's rowid order), passed to cb (list not NUL-terminated); *total
 * the (key, ref) entries. A non-zero return of cb stops and is returned;
 * JD_ENOMEM. */
/* Identity i's note for a replace: from notes (jd_note_maker) or, NULL,
 * info[i].note; JD_OK, or the maker's error set in err. */
int jd_store__note(const jd_note_maker *notes, const jd_identity_info *info, size_t i,
                   const char **note, jd_error *err);
int jd_store__key_lists(const jd_identity_save *refs, size_t n,
                        int (*cb)(uint64_t key, const char *list, size_t len, void *payload),
                        void *payload, size_t *total);
/* The same lists held (for a save that makes them in a thread of its own
 * while it writes the identities): list i is key[i] with the bytes of
 * text from end[i-1] (0 for the first) to end[i]; total the (key, ref)
 * entries; rc JD_OK or JD_ENOMEM (then nothing is held). Free with
 * jd_store__key_lists_free. */
typedef struct jd_key_lists {
    uint64_t *key;
    size_t *end;
    size_t n, cap, total;
    char *text;
    size_t len, tcap;
    int rc;
} jd_key_lists;
int jd_store__key_lists_make(const jd_identity_save *refs, size_t n, jd_key_lists *out);
void jd_store__key_lists_free(jd_key_lists *x);
/* A ref's own keys as stored on its identity_ref row. PostgreSQL: the
 * 64-bit keys as text, decimal and space-separated -- parse and format.
 * SQLite: 8 bytes a key, little-endian, in a BLOB (a store written before
 * holds the text, which its reader still takes) -- jd_store__keys_blob
 * gives the bytes to bind (the keys themselves on a little-endian machine,
 * else put into b), jd_store__keys_unblob reads them back (a trailing part
 * key ignored). NULL from keys_blob only without memory. */
int jd_store__keys_parse(const char *text, uint64_t **out, size_t *n);
int jd_store__keys_format(struct jd_buf *b, const uint64_t *keys, size_t n);
const void *jd_store__keys_blob(struct jd_buf *b, const uint64_t *keys, size_t n);
int jd_store__keys_unblob(const void *blob, size_t bytes, uint64_t **out, size_t *n);

int jd_store__sqlite_open(jd_store **out, const char *path, const jd_store_opts *opts,
                          jd_error *err);
/* store/pg.c, in builds with libpq (JD_HAVE_POSTGRES). */
int jd_store__pg_open(jd_store **out, const char *location, const jd_store_opts *opts,
                      jd_error *err);

#endif
