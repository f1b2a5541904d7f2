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
} jd_audit_entry;

/* Append one entry (strings borrowed; NULL counts as ""). [out] seq may be NULL.
 * Returns JD_OK, JD_EINVALID (no actor or action), JD_ELIMIT, JD_ESTORE. */
JD_API int jd_audit_append(jd_store *s, const jd_audit_entry *e, int64_t *seq, jd_error *err);

/* Entries with seq > after, oldest first, at most `limit` (0: all). Pointers
 * in *e are borrowed for the call; a non-zero return from cb stops the walk. */
JD_API int jd_audit_list(jd_store *s, int64_t after, int64_t limit,
                         int (*cb)(const jd_audit_entry *e, void *payload), void *payload,
                         jd_error *err);

typedef struct jd_audit_report {
    int64_t entries;   /* entries read */
    int64_t first_bad; /* seq (or position) of the first broken entry; 0 if none */
    char problem[128]; /* what is wrong; "" if intact */
} jd_audit_report;

/* Recompute the chain. Returns JD_OK when intact, JD_ECONFLICT when not
 * (report says where and why), JD_ESTORE. */
JD_API int jd_audit_verify(jd_store *s, jd_audit_report *out, jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
