/*
 * The audit log: every view, search, export, change, link decision and
 * login (failed ones too) with who, what, when and why (DOMAIN §5.2).
 *
 * Append-only and hash-chained: entry n's hash is BLAKE2b-256 over entry
 * n-1's hash and entry n's canonical content (seq, time, actor, action,
 * target, reason, detail, outcome, each length-prefixed). The store keeps
 * the head (last seq and hash) beside the log, so that `jd_audit_verify`
 * detects an edited, deleted, inserted or reordered entry, and a deleted
 * tail. Entries hold identifiers (person ids, record ids), not case text.
 *
 * The chain alone does not stop whoever holds the database file: with the
 * triggers dropped they can rewrite the log and recompute every hash. So,
 * with an audit key (32 random bytes in a file outside the database, mode
 * 0600; jd_store_opts.audit_key_path or $JD_AUDIT_KEY_FILE), each entry also
 * carries mac = BLAKE2b-256 keyed with it over the entry's hash, and the head
 * a MAC over its seq and hash. The first writable open with a key "adopts"
 * it: an `audit-key` entry is written, and from there on every entry and
 * the head must carry a valid MAC; entries before it are reported as
 * unkeyed, not as tampered. A head exported with jd_audit_anchor (kept
 * elsewhere: an append-only file, a printout) also detects a log rolled
 * back to an older copy, which the key alone cannot.
 */
#ifndef JOINDOTS_AUDIT_H
#define JOINDOTS_AUDIT_H

#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JD_AUDIT_FIELD_MAX 8192 /* longer fields are refused (JD_ELIMIT) */

typedef struct jd_audit_entry {
    int64_t seq;                  /* 1, 2, ...: set by the log */
    int64_t at;                   /* unix seconds; 0 on append means now */
    const char *actor;            /* user name, or "-" before login */
    const char *action;           /* "login", "view", "search", "export", "acknowledge", ... */
    const char *target;           /* what: "person:P000012", "alert:A1", "" */
    const char *reason;           /* why, as the user gave it; "" if not asked */
    const char *detail;           /* short machine detail: "role=board", "denied: locked" */
    bool ok;                      /* false for refusals and failed logins */
    const char *prev_hash, *hash; /* hex; filled when read */
    const char *mac;              /* hex keyed MAC; "" if written without the key; when read */
} jd_audit_entry;

/* Append one entry (strings borrowed; NULL counts as ""). [out] seq may be NULL.
 * Returns JD_OK, JD_EINVALID (no actor or action), JD_ELIMIT, JD_ESTORE. */
JD_API int jd_audit_append(jd_store *s, const jd_audit_entry *e, int64_t *seq, jd_error *err);

/* JD_OK if jd_audit_append would take e's fields: an actor and an action,
 * none longer than JD_AUDIT_FIELD_MAX (JD_EINVALID, JD_ELIMIT). */
JD_API int jd_audit_check(const jd_audit_entry *e, jd_error *err);

/* Append e[0, n) in this order in one write transaction, all or none (a
 * server's group commit): each e[i].seq is set, and at when it was 0.
 * Returns as jd_audit_append; an entry jd_audit_check refuses fails all. */
JD_API int jd_audit_append_many(jd_store *s, jd_audit_entry *e, size_t n, jd_error *err);

/* As jd_audit_append_many, but the log's checkpoint (SQLite: copying the
 * audit file's WAL back into the file, with its own fsyncs) is left to
 * jd_audit_checkpoint: a group commit answers its waiters first, so that
 * none of them waits for the checkpoint beside its transaction's fsync. */
JD_API int jd_audit_append_group(jd_store *s, jd_audit_entry *e, size_t n, jd_error *err);

/* Checkpoint the audit log's WAL if it has grown past SQLite's usual
 * threshold (1000 pages) since the last one; passive, never waits for a
 * writer or a reader and never fails a request (a busy checkpoint is left
 * to the next call). JD_OK; nothing to do on PostgreSQL or an in-memory
 * store. [out] done may be NULL: set when a checkpoint ran. */
JD_API int jd_audit_checkpoint(jd_store *s, bool *done, jd_error *err);

/* Entries with seq > after, oldest first, at most `limit` (0: all). Pointers
 * in *e are borrowed for the call; a non-zero return from cb stops the walk. */
JD_API int jd_audit_list(jd_store *s, int64_t after, int64_t limit,
                         int (*cb)(const jd_audit_entry *e, void *payload), void *payload,
                         jd_error *err);

typedef struct jd_audit_report {
    int64_t entries;   /* entries read */
    int64_t first_bad; /* seq (or position) of the first broken entry; 0 if none */
    char problem[128]; /* what is wrong; "" if intact */
    int64_t keyed;     /* entries carrying a MAC (checked only with the key) */
    int64_t unkeyed;   /* entries written before the audit key was adopted */
    bool key_checked;  /* MACs were checked with the store's audit key */
    int64_t anchors;   /* anchor lines checked (jd_audit_verify_anchor) */
} jd_audit_report;

/* Recompute the chain and, when the store was opened with the audit key,
 * every MAC and the head's. Returns JD_OK when intact, JD_ECONFLICT when not
 * (report says where and why), JD_ESTORE. */
JD_API int jd_audit_verify(jd_store *s, jd_audit_report *out, jd_error *err);

#define JD_AUDIT_ANCHOR_MAX 256 /* bytes of one anchor line, with its NUL */

/* The head as one line to keep outside the database:
 * "jd-audit-anchor-1 seq=N hash=HEX at=UNIX mac=HEX" (no newline), the MAC
 * keyed with the audit key over the other fields. Needs the audit key
 * (JD_EDENIED without). */
JD_API int jd_audit_anchor(jd_store *s, char out[JD_AUDIT_ANCHOR_MAX], jd_error *err);

/* jd_audit_verify, then check the log against the anchor lines in `text`
 * (one per line, as jd_audit_anchor writes them; blank lines and lines
 * starting with '#' skipped): each must be signed with the store's audit key
 * (when it has one), and the log must still hold its entry with the same
 * hash. JD_OK, JD_ECONFLICT (report says which entry and why: a cut tail, a
 * wiped or rewritten log, a forged anchor), JD_EINVALID (no anchor line),
 * JD_ESTORE. */
JD_API int jd_audit_verify_anchor(jd_store *s, const char *text, jd_audit_report *out,
                                  jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
