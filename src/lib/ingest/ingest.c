/*
 * Ingest: agency export bundles (events*.csv, persons*.csv, objects*.csv)
 * into the store, exactly as the interchange contract §1 says.
 *
 * One call is one store transaction. Before anything is written every file
 * is opened, its header checked for the required columns and its bytes
 * digested; a file that cannot be read, is not CSV or lacks a required
 * column is fatal and the transaction is rolled back, so the store is
 * exactly as it was. Inside a file a bad row (missing required value,
 * impossible date, invalid NHS number, orphan person or object row, wrong
 * number of fields) is quarantined in the store's problem table with file,
 * line, column and reason, and the run goes on. Fields that are merely odd
 * (an unknown event type, a postcode that is not a UK postcode) keep the row
 * and record a warning.
 *
 * Events files are read before persons and objects files, so a person row
 * may refer to an event in another file of the same bundle. Each row's
 * normalised content is hashed; the store compares hashes so a re-ingest
 * adds nothing and a corrected row becomes a new version.
 *
 * Input hygiene (docs/security.md): only regular files are read (a FIFO or
 * /dev/zero would hang the run; links inside a bundle folder are refused);
 * control, bidirectional and invisible characters are removed from every
 * value with a warning that keeps the raw row; a file whose name gives an
 * agency (events_police.csv) holds only that agency's rows; a key written
 * twice by one file keeps the first; future dates, a date of birth after
 * its event and local times in the hours the clocks change are caught.
 */
#include "ingest/ingest_internal.h"
#include "util/csv.h"
#include "util/internal.h"
#include "text/norm.h"
#include "store/store.h"

#include <joindots/feed.h>
#include <joindots/ingest.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef enum { KIND_EVENTS = 0, KIND_PERSONS = 1, KIND_OBJECTS = 2 } file_kind;
static const char *const kind_name[] = {"events", "persons", "objects"};

/* ---- column catalogues (contract §1.1-§1.3) ---- */

enum {
    E_AGENCY, E_RECORD_ID, E_EVENT_TYPE, E_OCCURRED_AT, E_REPORTED_AT, E_LOCATION, E_POSTCODE,
    E_NARRATIVE, E_CRIME_RECORDED, E_CRIME_REF, E_OUTCOME, E_AUTHOR_ROLE, E_RISK_GRADE, E_NCOL
};
static const char *const event_cols[E_NCOL] = {
    "agency", "record_id", "event_type", "occurred_at", "reported_at", "location", "postcode",
    "narrative", "crime_recorded", "crime_ref", "outcome", "author_role", "risk_grade"};
static const bool event_req[E_NCOL] = {[E_AGENCY] = true, [E_RECORD_ID] = true,
                                       [E_EVENT_TYPE] = true, [E_OCCURRED_AT] = true};

enum {
    P_AGENCY, P_RECORD_ID, P_PERSON_REF, P_ROLE, P_SURNAME, P_FORENAMES, P_KNOWN_AS, P_DOB, P_AGE,
    P_GENDER, P_ADDRESS, P_POSTCODE, P_PHONE, P_NHS, P_UPN, P_ETHNICITY, P_OTHER_ID, P_NCOL
};
static const char *const person_cols[P_NCOL] = {
    "agency", "record_id", "person_ref", "role", "surname", "forenames", "known_as", "dob",
    "age", "gender", "address", "postcode", "phone", "nhs_number", "upn", "ethnicity",
    "other_id"};
static const bool person_req[P_NCOL] = {[P_AGENCY] = true, [P_RECORD_ID] = true,
                                        [P_PERSON_REF] = true, [P_ROLE] = true};

enum { O_AGENCY, O_RECORD_ID, O_TYPE, O_VALUE, O_DESCRIPTION, O_PERSON_REF, O_NCOL };
static const char *const object_cols[O_NCOL] = {"agency", "record_id", "object_type",
                                                "value", "description", "person_ref"};
static const bool object_req[O_NCOL] = {[O_AGENCY] = true, [O_RECORD_ID] = true,
                                        [O_TYPE] = true, [O_VALUE] = true};

static const char *const *const kind_cols[] = {event_cols, person_cols, object_cols};
static const bool *const kind_req[] = {event_req, person_req, object_req};
static const int kind_ncol[] = {E_NCOL, P_NCOL, O_NCOL};

/* in the order of the ET_* bits the screen and analysis use (screen/rules.h) */
const char *const jd_ingest__event_types[JD_INGEST_NEVENT_TYPES] = {
    "missing_report", "missing_return", "return_interview", "call_for_service",
    "concern_report", "intelligence", "stop_check", "found_with_adult", "crime_report",
    "arrest", "referral", "assessment", "strategy_discussion", "section47", "case_note",
    "ae_attendance", "sexual_health_visit", "pregnancy", "termination", "gp_note",
    "school_nurse_note", "absence", "exclusion", "welfare_concern", "placement_change",
    "substance_contact", "parent_report", "other"};
static const char *const roles[] = {"subject", "victim", "suspect", "associate", "reporter",
                                    "parent", "carer", "witness", "professional"};

#define MAX_COLS 64   /* columns a file may have, extra ones included */
#define MAX_FIELDS 17 /* the widest kind (persons) */
#define MAX_SRC 6     /* source columns one mapped field may join */

/*
 * A column mapping lets ingest read CSV that is not in the contract layout
 * (docs/mapping.md): which kind the file is, which source columns feed each
 * field (several are joined with a space), constant values (a fixed agency),
 * the separator, and for person lists without events one synthesised event
 * per row.
 */
typedef struct jd_mapping {
    file_kind kind;
    char sep;
    bool trim_space;
    bool synth_event;
    int dob_order; /* 0 auto (UK D/M/Y), 1 M/D/Y */
    char *constant[MAX_FIELDS];
    char *source[MAX_FIELDS][MAX_SRC];
    int nsource[MAX_FIELDS];
    char *event_type, *occurred_at;
} jd_mapping;

/* ---- one input file ---- */
typedef struct in_file {
    char *path, *name, *bundle;
    file_kind kind;
    bool in_folder;               /* found in a bundle folder: no symbolic links */
    char agency[24];              /* the agency its name gives, "" if none */
    bool agencies_several;        /* its name gives several: rows not tied */
    char sha256[65];
    int64_t size;
    int col[MAX_FIELDS];          /* field -> column index, -1 absent */
    int extra[MAX_FIELDS][MAX_SRC]; /* more columns joined into the field (mappings) */
    int nextra[MAX_FIELDS];
    size_t ncols;                 /* header width */
    const jd_mapping *map;        /* NULL: the contract layout */
    bool seen;                    /* fully ingested before: skipped */
} in_file;

typedef struct ingest {
    jd_store *store;
    const jd_ingest_opts *opts;
    int64_t run_id, file_id;
    in_file *file;
    jd_csv *csv;
    jd_rows *rows; /* csv's records, read ahead on a thread for a large file */
    jd_ingest_counts fc; /* this file */
    jd_ingest_counts tc; /* total */
    jd_arena row_arena;  /* values of one row; reset per row */
    jd_buf raw;          /* the row re-encoded as CSV, for the quarantine */
    jd_buf utf8;         /* re-encoded text for non-UTF-8 rows */
    uint64_t bytes_done, bytes_total;
    const in_file *last_persons; /* the store's deferred indexes come back after it */
    bool fast_hash; /* the store's row_hash: wyhash64, else fnv1a64 */
    int64_t future_limit; /* instants after it are in the future */
    char future_day[11];  /* its UK date: later dates of birth are in the future */
    char tolerance[24];   /* the tolerance as messages give it */
    int64_t day_of;       /* the event instant whose UK date is in day (persons */
    char day[11];         /* of one event come together) */
} ingest;


_Static_assert(P_NCOL <= MAX_FIELDS && E_NCOL <= MAX_FIELDS, "MAX_FIELDS too small");
_Static_assert(E_AGENCY == 0 && P_AGENCY == 0 && O_AGENCY == 0, "agency is field 0");

static void mapping_free(jd_mapping *m)
{
    if (!m)
        return;
    for (int i = 0; i < MAX_FIELDS; i++) {
        free(m->constant[i]);
        for (int k = 0; k < m->nsource[i]; k++)
            free(m->source[i][k]);
    }
    free(m->event_type);
    free(m->occurred_at);
    free(m);
}

static int field_index(file_kind k, const char *name, size_t len)
{
    for (int i = 0; i < kind_ncol[k]; i++)
        if (jd_str_ieq_n(name, len, kind_cols[k][i]))
            return i;
    return -1;
}

static bool yes(const char *v)
{
    return !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1");
}

/* One "field NAME = COLUMN [COLUMN...]" or "const NAME = VALUE" line of a
 * mapping file (key: kl bytes; v: the value, cut into columns here). */
static int mapping_field(jd_mapping *m, const char *key, size_t kl, char *v, const char *base,
                         long ln, jd_error *err)
{
    bool is_const = !strncasecmp(key, "const ", 6);
    size_t fl = kl - 6;
    const char *fname = jd_str_trim(key + 6, &fl);
    int fi = field_index(m->kind, fname, fl);
    if (fi < 0)
        return jd_error_set_at(err, JD_EINVALID, base, ln, 0,
                               "unknown field '%.*s' for kind %s (give kind first)",
                               (int)(fl > 40 ? 40 : fl), fname, kind_name[m->kind]);
    if (is_const) {
        free(m->constant[fi]);
        m->constant[fi] = strdup(v);
        return JD_OK;
    }
    for (char *tok = strtok(v, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (m->nsource[fi] == MAX_SRC)
            return jd_error_set_at(err, JD_EINVALID, base, ln, 0,
                                   "at most %d columns may feed one field", MAX_SRC);
        m->source[fi][m->nsource[fi]++] = strdup(tok);
    }
    return JD_OK;
}

/*
 * Parse a mapping file: "key = value" lines, '#' comments. Keys: kind,
 * separator, trim_space, synthesize_event, event_type, occurred_at,
 * dob_order, and "field NAME = COLUMN [COLUMN...]" or "const NAME = VALUE".
 */
static int mapping_load(jd_mapping **out, const char *path, jd_error *err)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    FILE *fp = NULL;
    int orc = jd_csv__fopen(&fp, path, base, false, err);
    if (orc < 0)
        return orc;
    jd_mapping *m = calloc(1, sizeof *m);
    int rc = m ? JD_OK : jd_oom(err);
    bool have_kind = false;
    char line[1024];
    long ln = 0;
    if (m) {
        m->sep = ',';
        m->kind = KIND_PERSONS;
    }
    while (rc == JD_OK && fgets(line, sizeof line, fp)) {
        ln++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        size_t n = strlen(line);
        const char *t = jd_str_trim(line, &n);
        if (n == 0)
            continue;
        char *eq = memchr(t, '=', n);
        if (!eq) {
            rc = jd_error_set_at(err, JD_EINVALID, base, ln, 0, "expected 'key = value'");
            break;
        }
        size_t kl = (size_t)(eq - t), vl = n - kl - 1;
        const char *key = jd_str_trim(t, &kl);
        const char *val = jd_str_trim(eq + 1, &vl);
        char v[1024];
        snprintf(v, sizeof v, "%.*s", (int)vl, val);
        if (jd_str_ieq_n(key, kl, "kind")) {
            int k = !strcasecmp(v, "events") ? 0 : !strcasecmp(v, "persons") ? 1
                  : !strcasecmp(v, "objects") ? 2 : -1;
            if (k < 0 || have_kind) {
                rc = jd_error_set_at(err, JD_EINVALID, base, ln, 0,
                                     "kind must be given once: events, persons or objects");
                break;
            }
            m->kind = (file_kind)k;
            have_kind = true;
        } else if (jd_str_ieq_n(key, kl, "separator")) {
            if (!strcmp(v, "tab") || !strcmp(v, "\\t"))
                m->sep = '\t';
            else if (strlen(v) == 1 && v[0] != '"')
                m->sep = v[0];
            else
                rc = jd_error_set_at(err, JD_EINVALID, base, ln, 0,
                                     "separator must be one character or 'tab'");
        } else if (jd_str_ieq_n(key, kl, "trim_space")) {
            m->trim_space = yes(v);
        } else if (jd_str_ieq_n(key, kl, "synthesize_event")) {
            m->synth_event = yes(v);
        } else if (jd_str_ieq_n(key, kl, "dob_order")) {
            if (!strcasecmp(v, "mdy"))
                m->dob_order = 1;
            else if (strcasecmp(v, "dmy") && strcasecmp(v, "auto"))
                rc = jd_error_set_at(err, JD_EINVALID, base, ln, 0, "dob_order is dmy or mdy");
        } else if (jd_str_ieq_n(key, kl, "event_type")) {
            free(m->event_type);
            m->event_type = strdup(v);
        } else if (jd_str_ieq_n(key, kl, "occurred_at")) {
            free(m->occurred_at);
            m->occurred_at = strdup(v);
        } else if (kl > 6 && (!strncasecmp(key, "field ", 6) || !strncasecmp(key, "const ", 6))) {
            rc = mapping_field(m, key, kl, v, base, ln, err);
        } else {
            rc = jd_error_set_at(err, JD_EINVALID, base, ln, 0, "unknown key '%.*s'",
                                 (int)(kl > 40 ? 40 : kl), key);
        }
    }
    fclose(fp);
    if (rc == JD_OK && m->synth_event && (!m->occurred_at || m->kind != KIND_PERSONS))
        rc = jd_error_set_at(err, JD_EINVALID, base, 0, 0,
                             "synthesize_event needs kind = persons and occurred_at");
    if (rc < 0) {
        mapping_free(m);
        return rc;
    }
    *out = m;
    return JD_OK;
}

/* ---- small helpers ---- */

static bool name_matches(const char *name, const char *prefix)
{
    size_t pl = strlen(prefix), nl = strlen(name);
    if (nl < pl + 4 || strncasecmp(name, prefix, pl) != 0)
        return false;
    return strcasecmp(name + nl - 4, ".csv") == 0;
}

static int kind_of(const char *name)
{
    for (int k = 0; k < 3; k++)
        if (name_matches(name, kind_name[k]))
            return k;
    return -1;
}

static int cmp_file(const void *a, const void *b)
{
    const in_file *x = a, *y = b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    int c = strcmp(x->bundle, y->bundle);
    return c ? c : strcmp(x->name, y->name);
}

static void files_free(in_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].path);
        free(f[i].name);
        free(f[i].bundle);
    }
    free(f);
}

static int add_file(in_file **files, size_t *n, size_t *cap, const char *bundle,
                    const char *path, const char *name, int kind, jd_error *err)
{
    if (jd_grow((void **)files, cap, *n + 1, sizeof **files) < 0)
        return jd_oom(err);
    in_file *f = &(*files)[*n];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->name = strdup(name);
    f->bundle = strdup(bundle);
    f->kind = (file_kind)kind;
    (*n)++;
    if (!f->path || !f->name || !f->bundle)
        return jd_oom(err);
    return JD_OK;
}

/* Agency codes of contract §1.4 that a file name can give ("other" cannot:
 * persons_other.csv is the rest of the agencies, not an agency). */
static const char *const name_agencies[] = {
    "police", "call_handling", "csc", "health_ae", "sexual_health", "gp", "school_nursing",
    "school", "care_provider", "youth_service", "substance_service", "housing"};

bool jd_feed_agency_valid(const char *agency)
{
    for (size_t i = 0; agency && i < JD_ARRAY_LEN(name_agencies); i++)
        if (!strcmp(agency, name_agencies[i]))
            return true;
    return false;
}

static bool name_sep(char c)
{
    return c == '_' || c == '-' || c == '.' || c == ' ';
}

/*
 * The agency a file's name gives. The contract lets a bundle split its files
 * "one per agency" (events_police.csv); such a name is a promise about every
 * row in it, and a row of another agency there is a mistake or an attempt to
 * rewrite that agency's records. The name gives agency X when X is the one
 * §1.4 code that appears after the kind as a word between separators (_ - .
 * space): events_police.csv, persons-gp-2024.csv, events_2024_health_ae.csv.
 * A name with two codes (events_police_csc.csv) gives none, and says so.
 */
static void agency_of_name(in_file *f)
{
    const char *kind = kind_name[f->kind];
    size_t kl = strlen(kind), nl = strlen(f->name);
    f->agency[0] = '\0';
    f->agencies_several = false;
    if (nl < kl + 4 || strncasecmp(f->name, kind, kl) != 0 || strcasecmp(f->name + nl - 4, ".csv"))
        return;
    const char *p = f->name + kl, *e = f->name + nl - 4, *found = NULL;
    while (p < e) {
        if (name_sep(*p)) {
            p++;
            continue;
        }
        const char *code = NULL;
        size_t best = 0;
        for (size_t i = 0; i < JD_ARRAY_LEN(name_agencies); i++) {
            size_t cl = strlen(name_agencies[i]);
            if (cl > best && (size_t)(e - p) >= cl && !strncasecmp(p, name_agencies[i], cl) &&
                (p + cl == e || name_sep(p[cl]))) {
                code = name_agencies[i];
                best = cl;
            }
        }
        if (code) {
            if (found && strcmp(found, code))
                f->agencies_several = true;
            found = code;
            p += best;
            continue;
        }
        while (p < e && !name_sep(*p))
            p++;
    }
    if (found && !f->agencies_several)
        snprintf(f->agency, sizeof f->agency, "%s", found);
}

/* Collect the contract files of each bundle (a folder, or one CSV file). */
static bool is_csv_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcasecmp(name + n - 4, ".csv");
}

static int discover(in_file **out, size_t *out_n, const char *const *bundles, size_t nb,
                    const jd_mapping *map, jd_error *err)
{
    in_file *files = NULL;
    size_t n = 0, cap = 0;
    int rc = JD_OK;
    for (size_t b = 0; b < nb && rc == JD_OK; b++) {
        struct stat st;
        if (stat(bundles[b], &st) != 0) {
            rc = jd_error_set_at(err, JD_ENOTFOUND, bundles[b], 0, 0, "no such bundle");
            break;
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            rc = jd_error_set_at(err, JD_EINVALID, bundles[b], 0, 0,
                                 "a bundle is a folder or a regular CSV file; this is neither "
                                 "(a FIFO or a device?): refused before reading");
            break;
        }
        if (S_ISREG(st.st_mode)) {
            const char *base = strrchr(bundles[b], '/');
            base = base ? base + 1 : bundles[b];
            int k = map ? (int)map->kind : kind_of(base);
            if (k < 0) {
                rc = jd_error_set_at(err, JD_EINVALID, base, 0, 0,
                                     "a file must be named events*.csv, persons*.csv or "
                                     "objects*.csv");
                break;
            }
            rc = add_file(&files, &n, &cap, "", bundles[b], base, k, err);
            continue;
        }
        DIR *d = opendir(bundles[b]);
        if (!d) {
            rc = jd_error_set_at(err, JD_EIO, bundles[b], 0, 0, "cannot read the bundle folder");
            break;
        }
        size_t before = n;
        struct dirent *de;
        while (rc == JD_OK && (de = readdir(d)) != NULL) {
            int k = map ? (is_csv_name(de->d_name) ? (int)map->kind : -1) : kind_of(de->d_name);
            if (k < 0)
                continue;
            jd_buf p = JD_BUF_INIT(8192);
            rc = jd_buf_printf(&p, "%s/%s", bundles[b], de->d_name);
            if (rc == JD_OK)
                rc = add_file(&files, &n, &cap, bundles[b], p.ptr, de->d_name, k, err);
            if (rc == JD_OK)
                files[n - 1].in_folder = true;
            jd_buf_dispose(&p);
        }
        closedir(d);
        if (rc == JD_OK && n == before)
            rc = jd_error_set_at(err, JD_ENOTFOUND, bundles[b], 0, 0,
                                 "the bundle holds no events*.csv, persons*.csv or objects*.csv");
    }
    if (rc < 0) {
        files_free(files, n);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        files[i].map = map;
        agency_of_name(&files[i]);
    }
    qsort(files, n, sizeof *files, cmp_file);
    *out = files;
    *out_n = n;
    return JD_OK;
}

/* BLAKE2b-256 of the file's bytes: identifies a file already ingested. */
static int digest_file(in_file *f, jd_error *err)
{
    FILE *fp = NULL;
    int rc = jd_csv__fopen(&fp, f->path, f->name, f->in_folder, err);
    if (rc < 0)
        return rc;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    enum { CHUNK = 1 << 16 };
    unsigned char *buf = malloc(CHUNK); /* not static: no state outlives a call */
    if (!buf) {
        fclose(fp);
        return jd_oom(err);
    }
    size_t got;
    int64_t size = 0;
    while ((got = fread(buf, 1, CHUNK, fp)) > 0) {
        crypto_generichash_update(&st, buf, got);
        size += (int64_t)got;
    }
    free(buf);
    int bad = ferror(fp);
    fclose(fp);
    if (bad)
        return jd_error_set_at(err, JD_EIO, f->name, 0, 0, "read error");
    unsigned char h[32];
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(f->sha256, sizeof f->sha256, h, sizeof h);
    f->size = size;
    return JD_OK;
}

static int open_csv(jd_csv **out, const in_file *f, jd_error *err)
{
    jd_csv_opts o = JD_CSV_OPTS_INIT;
    if (f->map) {
        o.sep = f->map->sep;
        o.trim_leading_space = f->map->trim_space;
    }
    o.no_symlink = f->in_folder;
    return jd_csv__open(out, f->path, f->name, &o, err);
}

/* Store a warning, count it and tell the caller's on_problem. */
static int put_warning(ingest *in, const jd_problem *p, jd_error *err)
{
    int rc = in->store->ops->put_problem(in->store, p, err);
    if (rc < 0)
        return rc;
    in->fc.warnings++;
    if (in->opts->on_problem)
        in->opts->on_problem(p, in->opts->payload);
    return JD_OK;
}

static int file_warning(ingest *in, in_file *f, long column, const char *msg, jd_error *err)
{
    jd_problem p = {.run_id = in->run_id, .severity = "warning", .file = f->name, .line = 1,
                    .column = column, .field = "", .message = msg};
    return put_warning(in, &p, err);
}

static int header_warning(ingest *in, in_file *f, size_t c, const char *h, size_t len,
                          const char *what, jd_error *err)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s column '%.*s' ignored", what, (int)(len > 60 ? 60 : len), h);
    return file_warning(in, f, (long)c + 1, msg, err);
}

/*
 * Map header names (case-insensitive, trimmed) to the kind's fields, or to
 * the mapping's source columns. `report`: record one warning per column
 * that is not used (the pre-flight pass only checks).
 */
static int read_header(ingest *in, in_file *f, jd_csv *csv, bool report, jd_error *err)
{
    int ncol = kind_ncol[f->kind];
    const char *const *cols = kind_cols[f->kind];
    const jd_mapping *m = f->map;
    bool used[MAX_COLS] = {false};
    for (int i = 0; i < ncol; i++) {
        f->col[i] = -1;
        f->nextra[i] = 0;
    }
    int r = jd_csv__next(csv, err);
    if (r < 0)
        return r;
    if (r == 0)
        return jd_error_set_at(err, JD_EINVALID, f->name, 1, 0, "empty file: no header row");
    f->ncols = jd_csv__nfields(csv);
    if (report && f->agencies_several) {
        int rc = file_warning(in, f, 0,
                              "the file name gives several agencies, so its rows are not tied "
                              "to one agency", err);
        if (rc < 0)
            return rc;
    }
    if (f->ncols > MAX_COLS)
        return jd_error_set_at(err, JD_EINVALID, f->name, 1, 0,
                               "header has %zu columns; at most %d are accepted", f->ncols,
                               MAX_COLS);
    for (size_t c = 0; c < f->ncols; c++) {
        size_t len;
        const char *h = jd_csv__field(csv, c, &len);
        h = jd_str_trim(h, &len);
        for (int i = 0; i < ncol; i++) {
            if (m) {
                for (int k = 0; k < m->nsource[i]; k++) {
                    if (!jd_str_ieq_n(h, len, m->source[i][k]))
                        continue;
                    if (k == 0)
                        f->col[i] = (int)c;
                    else if (f->nextra[i] < MAX_SRC)
                        f->extra[i][f->nextra[i]++] = (int)c;
                    used[c] = true;
                }
            } else if (jd_str_ieq_n(h, len, cols[i])) {
                if (f->col[i] < 0) {
                    f->col[i] = (int)c;
                    used[c] = true;
                } else if (report) {
                    int rc = header_warning(in, f, c, h, len, "duplicate", err);
                    if (rc < 0)
                        return rc;
                    used[c] = true;
                }
            }
        }
        if (!used[c] && report) {
            int rc = header_warning(in, f, c, h, len, "unknown", err);
            if (rc < 0)
                return rc;
        }
    }
    for (int i = 0; i < ncol; i++) {
        if (m && m->nsource[i] > 0 && f->col[i] < 0)
            return jd_error_set_at(err, JD_EINVALID, f->name, 1, 0,
                                   "mapped column '%s' is not in the header", m->source[i][0]);
        if (kind_req[f->kind][i] && f->col[i] < 0 && !(m && m->constant[i]))
            return jd_error_set_at(err, JD_EINVALID, f->name, 1, 0,
                                   "required column '%s' is missing", cols[i]);
    }
    return JD_OK;
}

/* ---- per-row work ---- */

typedef struct row {
    ingest *in;
    const char *reject_field; /* set when the row is rejected */
    char reject_msg[200];
    long reject_col;
    bool rejected;
    const char *v[MAX_COLS]; /* field values by kind field index; NULL = absent */
    size_t vlen[MAX_COLS];
} row;

static int problem(row *r, const char *severity, int field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record a warning now, or a reject (which is written once the row is done). */
static int problem(row *r, const char *severity, int field, const char *fmt, ...)
{
    ingest *in = r->in;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    long col = field >= 0 && in->file->col[field] >= 0 ? in->file->col[field] + 1 : 0;
    const char *fname = field >= 0 ? kind_cols[in->file->kind][field] : "";
    if (!strcmp(severity, "reject")) {
        if (!r->rejected) {
            r->rejected = true;
            snprintf(r->reject_msg, sizeof r->reject_msg, "%s", msg);
            r->reject_field = fname;
            r->reject_col = col;
        }
        return JD_OK;
    }
    jd_problem p = {.run_id = in->run_id, .severity = "warning", .file = in->file->name,
                    .line = jd_rows__line(in->rows), .column = col, .field = fname,
                    .message = msg};
    jd_error e;
    return put_warning(in, &p, &e);
}

/* Re-encode the row as one CSV line for the quarantine. */
static int raw_row(ingest *in)
{
    jd_buf_reset(&in->raw);
    size_t n = jd_rows__nfields(in->rows);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *f = jd_rows__field(in->rows, i, &len, NULL);
        int rc = i ? jd_buf_addc(&in->raw, ',') : JD_OK;
        bool quote = memchr(f, ',', len) || memchr(f, '"', len) || memchr(f, '\n', len) ||
                     memchr(f, '\r', len);
        if (rc == JD_OK && quote)
            rc = jd_buf_addc(&in->raw, '"');
        for (size_t k = 0; rc == JD_OK && k < len; k++) {
            if (f[k] == '"')
                rc = jd_buf_addc(&in->raw, '"');
            if (rc == JD_OK)
                rc = jd_buf_addc(&in->raw, f[k]);
        }
        if (rc == JD_OK && quote)
            rc = jd_buf_addc(&in->raw, '"');
        if (rc == JD_ELIMIT) { /* keep the quarantine bounded; mark the cut */
            in->raw.len = in->raw.len > 8 ? in->raw.len - 8 : 0;
            in->raw.ptr[in->raw.len] = '\0';
            return jd_buf_adds(&in->raw, " [...]");
        }
        if (rc < 0)
            return rc;
    }
    return JD_OK;
}

static int quarantine(row *r, jd_error *err)
{
    ingest *in = r->in;
    int rc = raw_row(in);
    if (rc < 0)
        return jd_error_set(err, rc, "out of memory");
    jd_problem p = {.run_id = in->run_id, .severity = "reject", .file = in->file->name,
                    .line = jd_rows__line(in->rows), .column = r->reject_col,
                    .field = r->reject_field ? r->reject_field : "", .message = r->reject_msg,
                    .raw = jd_buf_cstr(&in->raw)};
    if ((rc = in->store->ops->put_problem(in->store, &p, err)) < 0)
        return rc;
    in->fc.rejected++;
    if (in->opts->on_problem)
        in->opts->on_problem(&p, in->opts->payload);
    return JD_OK;
}

/* A warning that keeps the row as read (for a value ingest changed). */
static int warn_raw(row *r, int field, const char *msg)
{
    ingest *in = r->in;
    int rc = raw_row(in);
    if (rc < 0)
        return rc;
    jd_problem p = {.run_id = in->run_id, .severity = "warning", .file = in->file->name,
                    .line = jd_rows__line(in->rows),
                    .column = in->file->col[field] >= 0 ? in->file->col[field] + 1 : 0,
                    .field = kind_cols[in->file->kind][field], .message = msg,
                    .raw = jd_buf_cstr(&in->raw)};
    jd_error e;
    if ((rc = in->store->ops->put_problem(in->store, &p, &e)) < 0)
        return rc;
    in->fc.warnings++;
    if (in->opts->on_problem)
        in->opts->on_problem(&p, in->opts->payload);
    return JD_OK;
}

/* Free text that may run over several lines; every other value is one line. */
static bool multiline_field(file_kind k, int field)
{
    return (k == KIND_EVENTS && (field == E_NARRATIVE || field == E_OUTCOME)) ||
           (k == KIND_OBJECTS && field == O_DESCRIPTION);
}

/*
 * The hygiene pass over one trimmed value (t, tl) that the scan found to
 * need it, into the row arena: *out and *out_len are the cleaned, trimmed
 * value.
 * Removals are reported in a warning that carries the raw row, so the
 * characters stay on record for provenance while names, refs and places
 * that people read and matching compares are free of them.
 */
static int hygiene(row *r, int field, bool ml, const char *t, size_t tl, const char **out,
                   size_t *out_len, jd_error *err)
{
    ingest *in = r->in;
    char *c = jd_arena_alloc(&in->row_arena, tl + 1);
    if (!c)
        return jd_oom(err);
    jd_hygiene h = {0, 0, 0};
    size_t cl = jd_norm__hygiene(c, t, tl, ml, &h);
    char *ct = (char *)jd_str_trim(c, &cl);
    ct[cl] = '\0';
    *out = ct;
    *out_len = cl;
    if (h.control + h.bidi + h.invisible == 0)
        return JD_OK;
    char msg[200];
    int k = snprintf(msg, sizeof msg, "removed");
    const char *sep = " ";
    if (h.control) {
        k += snprintf(msg + k, sizeof msg - (size_t)k, "%s%u control", sep, h.control);
        sep = ", ";
    }
    if (h.bidi) {
        k += snprintf(msg + k, sizeof msg - (size_t)k, "%s%u bidirectional control", sep, h.bidi);
        sep = ", ";
    }
    if (h.invisible)
        k += snprintf(msg + k, sizeof msg - (size_t)k, "%s%u zero-width or invisible", sep,
                      h.invisible);
    snprintf(msg + k, sizeof msg - (size_t)k, " character%s (the raw row keeps them)",
             h.control + h.bidi + h.invisible > 1 ? "s" : "");
    int rc = warn_raw(r, field, msg);
    return rc < 0 ? jd_error_set(err, rc, "cannot record a warning") : JD_OK;
}

/* Windows-1252 to UTF-8, for exports that are not UTF-8 (a common case). */
static const uint16_t cp1252_hi[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static int cp1252_to_utf8(jd_buf *out, const char *s, size_t n)
{
    int rc = JD_OK;
    for (size_t i = 0; i < n && rc == JD_OK; i++) {
        unsigned c = (unsigned char)s[i];
        unsigned cp = c < 0x80 ? c : c < 0xA0 ? cp1252_hi[c - 0x80] : c;
        char u[3];
        if (cp < 0x80) {
            rc = jd_buf_addc(out, (char)cp);
        } else if (cp < 0x800) {
            u[0] = (char)(0xC0 | (cp >> 6));
            u[1] = (char)(0x80 | (cp & 0x3F));
            rc = jd_buf_add(out, u, 2);
        } else {
            u[0] = (char)(0xE0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
            rc = jd_buf_add(out, u, 3);
        }
    }
    return rc;
}

/* One raw field as UTF-8 and trimmed; *out NULL when blank. */
static int field_value(row *r, int field, int col, const char **out, size_t *out_len,
                       jd_error *err)
{
    ingest *in = r->in;
    size_t len;
    bool utf8;
    const char *s = jd_rows__field(in->rows, (size_t)col, &len, &utf8);
    bool copy = false;
    *out = NULL;
    *out_len = 0;
    if (!utf8) {
        jd_buf_reset(&in->utf8);
        if (cp1252_to_utf8(&in->utf8, s, len) < 0)
            return jd_oom(err);
        s = jd_buf_cstr(&in->utf8);
        len = in->utf8.len;
        copy = true;
        int rc = problem(r, "warning", field, "not UTF-8; read as Windows-1252");
        if (rc < 0)
            return rc;
    }
    size_t tl = len;
    const char *t = jd_str_trim(s, &tl);
    if (tl == 0)
        return JD_OK;
    bool ml = multiline_field(in->file->kind, field);
    if (jd_norm__hygiene_scan(t, tl, ml) < tl) { /* cleaned into the arena */
        int rc = hygiene(r, field, ml, t, tl, out, out_len, err);
        if (rc == JD_OK && *out_len == 0)
            *out = NULL;
        return rc;
    }
    if (copy || tl != len) {
        t = jd_arena_strndup(&in->row_arena, t, tl);
        if (!t)
            return jd_oom(err);
    }
    *out = t;
    *out_len = tl;
    return JD_OK;
}

/*
 * Fill r->v[] from the current record: trimmed, "" -> absent, re-encoded to
 * UTF-8 when needed; mapped fields joined from several columns or taken
 * from constants. Values point into the reader's buffer or the row arena;
 * both stay valid until the next record.
 */
static int load_fields(row *r, jd_error *err)
{
    ingest *in = r->in;
    in_file *f = in->file;
    int ncol = kind_ncol[f->kind];
    size_t nf = jd_rows__nfields(in->rows);
    if (nf != f->ncols)
        return problem(r, "reject", -1, "row has %zu fields but the header has %zu", nf,
                       f->ncols);
    for (int i = 0; i < ncol; i++) {
        r->v[i] = NULL;
        r->vlen[i] = 0;
        if (f->col[i] < 0) {
            if (f->map && f->map->constant[i]) {
                r->v[i] = f->map->constant[i];
                r->vlen[i] = strlen(r->v[i]);
            }
            continue;
        }
        int rc = field_value(r, i, f->col[i], &r->v[i], &r->vlen[i], err);
        if (rc < 0)
            return rc;
        if (f->nextra[i] == 0)
            continue;
        /* Several source columns feed this field: join the non-blank ones. */
        jd_buf j = JD_BUF_INIT(1u << 20);
        if (r->v[i])
            rc = jd_buf_add(&j, r->v[i], r->vlen[i]);
        for (int k = 0; rc == JD_OK && k < f->nextra[i]; k++) {
            const char *x;
            size_t xl;
            if ((rc = field_value(r, i, f->extra[i][k], &x, &xl, err)) < 0)
                break;
            if (x && j.len)
                rc = jd_buf_addc(&j, ' ');
            if (x && rc == JD_OK)
                rc = jd_buf_add(&j, x, xl);
        }
        if (rc == JD_OK && j.len) {
            r->v[i] = jd_arena_strndup(&in->row_arena, j.ptr, j.len);
            r->vlen[i] = j.len;
            if (!r->v[i])
                rc = JD_ENOMEM;
        } else if (rc == JD_OK) {
            r->v[i] = NULL;
        }
        jd_buf_dispose(&j);
        if (rc < 0)
            return rc == JD_ENOMEM || rc == JD_ELIMIT ? jd_error_set(err, rc, "field too large")
                                                       : rc;
    }
    for (int i = 0; i < ncol; i++)
        if (kind_req[f->kind][i] && !r->v[i])
            return problem(r, "reject", i, "required value '%s' is empty",
                           kind_cols[f->kind][i]);
    /* agency is field 0 of every kind */
    if (in->opts->agency && !jd_str_ieq_n(r->v[0], r->vlen[0], in->opts->agency)) {
        return jd_error_set_at(err, JD_EDENIED, f->name, jd_rows__line(in->rows), f->col[0] + 1,
                               "%.60s line %ld: a row of another agency in a feed of '%.30s': "
                               "the whole feed is refused",
                               f->name, jd_rows__line(in->rows), in->opts->agency);
    }
    if (f->agency[0] && !jd_str_ieq_n(r->v[0], r->vlen[0], f->agency))
        return problem(r, "reject", 0,
                       "agency is not '%s', the agency the file name gives to every row "
                       "of %.60s", f->agency, f->name);
    return JD_OK;
}

/* ---- value normalisation shared by the three kinds ---- */

static const char *lower_copy(row *r, int i)
{
    if (!r->v[i])
        return NULL;
    char *p = jd_arena_strndup(&r->in->row_arena, r->v[i], r->vlen[i]);
    if (p)
        for (char *c = p; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
    return p;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

/* Hash of the normalised content (not the provenance): equal rows, equal
 * hash. The function is the store's (meta row_hash): FNV-1a over the fields
 * with separators in stores created before migration 7, else jd_hash_fast
 * chained field by field (an absent field and "" differ). */
static uint64_t hash_fields(const ingest *in, const char *const *v, size_t n)
{
    uint64_t h = 0x6a6f696e646f7473ULL; /* "joindots" */
    static const char absent = 0x1e, sep = 0x1f;
    if (in->fast_hash) {
        for (size_t i = 0; i < n; i++)
            h = v[i] ? jd_hash_fast(v[i], strlen(v[i]), h) : jd_hash_fast(&absent, 1, h ^ i);
        return h;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i])
            h = jd_hash64(v[i], strlen(v[i]), h);
        else
            h = jd_hash64(&absent, 1, h);
        h = jd_hash64(&sep, 1, h);
    }
    return h;
}

/* Decimal text of v, as "%lld" prints it (the row hash covers this text;
 * snprintf was 5% of event ingest). */
static char *fmt_int(row *r, int64_t v)
{
    char tmp[24], *e = tmp + sizeof tmp, *p = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return jd_arena_strndup(&r->in->row_arena, p, (size_t)(e - p));
}

/* Canonical postcode, or NULL with the raw value kept and a warning. */
static int postcode_field(row *r, int field, const char **canon, const char **raw)
{
    *canon = *raw = NULL;
    if (!r->v[field])
        return JD_OK;
    char pc[9];
    if (jd_norm__postcode(pc, r->v[field], r->vlen[field]) == JD_OK) {
        *canon = jd_arena_strdup(&r->in->row_arena, pc);
        if (strcmp(pc, r->v[field]) != 0)
            *raw = r->v[field];
        return JD_OK;
    }
    *raw = r->v[field];
    return problem(r, "warning", field, "not a UK postcode; kept as written");
}

/*
 * A date-time value: 1 when usable, 0 when the row is rejected, or a negative
 * code. Quarantined: not a date; after the ingest time plus the tolerance
 * (a record cannot describe the future, and a future date would stay out of
 * every "as of" run until then). A UK local time without an offset in the
 * hour the clocks skip (spring) is read as GMT, and in the hour they repeat
 * (autumn) as its first, BST occurrence, the earlier instant: each with a
 * warning, so the choice is never silent (contract §2.2: times without an
 * offset are UK local time as in force).
 */
static int datetime_field(row *r, int field, jd_datetime *dt)
{
    const char *name = kind_cols[r->in->file->kind][field];
    if (jd_norm__datetime(dt, r->v[field], r->vlen[field]) != JD_OK) {
        problem(r, "reject", field, "%s is not a valid date or date-time (YYYY-MM-DD, "
                                    "YYYY-MM-DDTHH:MM[:SS][offset] or DD/MM/YYYY)", name);
        return 0;
    }
    if (dt->utc > r->in->future_limit) {
        problem(r, "reject", field, "%s is in the future: after the time of this ingest plus "
                                    "the tolerance of %s", name, r->in->tolerance);
        return 0;
    }
    int rc = JD_OK;
    if (dt->fold == JD_LOCAL_GAP)
        rc = problem(r, "warning", field, "%s is a UK local time in the hour skipped when the "
                                          "clocks went forward: read as GMT (one hour later on "
                                          "the BST clock); give an offset to be exact", name);
    else if (dt->fold == JD_LOCAL_AMBIGUOUS)
        rc = problem(r, "warning", field, "%s is a UK local time in the hour repeated when the "
                                          "clocks went back: read as its first (BST) "
                                          "occurrence, the earlier instant; give an offset to "
                                          "be exact", name);
    return rc < 0 ? rc : 1;
}

/*
 * Count a put, or deal with a key this file already wrote (contract §1.1: a
 * record_id is unique within its agency; the store keeps the first): the
 * same row again is a warning, other content under the same key is
 * quarantined naming both lines. Either way nothing is overwritten.
 */
static int put_done(row *r, const jd_put_result *o, int key_field, const char *key,
                    jd_error *err)
{
    ingest *in = r->in;
    switch (o->outcome) {
    case JD_PUT_NEW: in->fc.stored++; break;
    case JD_PUT_UNCHANGED: in->fc.unchanged++; break;
    case JD_PUT_UPDATED: in->fc.updated++; break;
    case JD_PUT_REPEATED:
        in->fc.unchanged++;
        return problem(r, "warning", key_field, "repeats line %ld of this file (the same %s "
                                                "and content): stored once", o->first_line, key);
    case JD_PUT_CONFLICT:
        problem(r, "reject", key_field, "the %s of line %ld of this file again, with other "
                                        "content: line %ld is kept, this row is not",
                key, o->first_line, o->first_line);
        return quarantine(r, err);
    case JD_PUT_ORPHAN:
        problem(r, "reject", key_field, "no event with this agency and record_id");
        return quarantine(r, err);
    }
    return JD_OK;
}

static int do_event(row *r, jd_error *err)
{
    ingest *in = r->in;
    jd_event_row e = {.crime_recorded = -1, .file_id = in->file_id,
                      .line = jd_rows__line(in->rows)};
    int rc;
    e.agency = lower_copy(r, E_AGENCY);
    e.record_id = r->v[E_RECORD_ID];
    const char *type = lower_copy(r, E_EVENT_TYPE);
    if (!e.agency || !type)
        return jd_oom(err);
    if (in_list(type, jd_ingest__event_types, JD_INGEST_NEVENT_TYPES)) {
        e.event_type = type;
    } else {
        e.event_type = "other";
        e.event_type_raw = r->v[E_EVENT_TYPE];
        if ((rc = problem(r, "warning", E_EVENT_TYPE, "unknown event type kept as 'other'")) < 0)
            return rc;
    }
    jd_datetime occ = {0}, rep = {0};
    if ((rc = datetime_field(r, E_OCCURRED_AT, &occ)) < 0)
        return rc;
    if (rc) {
        e.occurred_at = occ.utc;
        e.occurred_prec = (int)occ.prec;
    }
    if (r->v[E_REPORTED_AT]) {
        if ((rc = datetime_field(r, E_REPORTED_AT, &rep)) < 0)
            return rc;
        if (rc) {
            e.reported_at = rep.utc;
            e.reported_prec = (int)rep.prec;
        }
    } else {
        e.reported_at = e.occurred_at;
        e.reported_prec = e.occurred_prec;
    }
    if (!r->rejected && e.reported_at + 86400 < e.occurred_at &&
        (rc = problem(r, "warning", E_REPORTED_AT, "reported_at is before occurred_at")) < 0)
        return rc;
    e.location = r->v[E_LOCATION];
    e.narrative = r->v[E_NARRATIVE];
    if (e.narrative && r->vlen[E_NARRATIVE] > 65536 &&
        (rc = problem(r, "warning", E_NARRATIVE, "narrative longer than 64 KiB")) < 0)
        return rc;
    if ((rc = postcode_field(r, E_POSTCODE, &e.postcode, &e.postcode_raw)) < 0)
        return rc;
    const char *cr = lower_copy(r, E_CRIME_RECORDED);
    if (cr) {
        if (!strcmp(cr, "y") || !strcmp(cr, "yes") || !strcmp(cr, "true") || !strcmp(cr, "1"))
            e.crime_recorded = 1;
        else if (!strcmp(cr, "n") || !strcmp(cr, "no") || !strcmp(cr, "false") ||
                 !strcmp(cr, "0"))
            e.crime_recorded = 0;
        else if ((rc = problem(r, "warning", E_CRIME_RECORDED,
                               "crime_recorded must be Y or N; treated as absent")) < 0)
            return rc;
    }
    e.crime_ref = r->v[E_CRIME_REF];
    e.outcome = r->v[E_OUTCOME];
    e.author_role = r->v[E_AUTHOR_ROLE];
    const char *grade = lower_copy(r, E_RISK_GRADE);
    if (grade) {
        if (!strcmp(grade, "no apparent risk") || !strcmp(grade, "none") ||
            !strcmp(grade, "no risk"))
            grade = "absent";
        static const char *const grades[] = {"high", "medium", "low", "absent"};
        if (!in_list(grade, grades, 4) &&
            (rc = problem(r, "warning", E_RISK_GRADE,
                          "risk_grade is not high, medium, low or absent; kept as written")) < 0)
            return rc;
        e.risk_grade = grade;
    }
    if (r->rejected)
        return quarantine(r, err);
    const char *hv[] = {e.agency, e.record_id, e.event_type, e.event_type_raw,
                        fmt_int(r, e.occurred_at), fmt_int(r, e.occurred_prec),
                        fmt_int(r, e.reported_at), fmt_int(r, e.reported_prec), e.location,
                        e.postcode, e.postcode_raw, e.narrative,
                        e.crime_recorded < 0 ? NULL : e.crime_recorded ? "Y" : "N",
                        e.crime_ref, e.outcome, e.author_role, e.risk_grade};
    e.hash = hash_fields(in, hv, JD_ARRAY_LEN(hv));
    jd_put_result o;
    if ((rc = in->store->ops->put_event(in->store, &e, &o, err)) < 0)
        return rc;
    return put_done(r, &o, E_RECORD_ID, "agency and record_id", err);
}

/* Person lists with no events (a mapping's synthesize_event): one event per row. */
static int synth_event(row *r, const jd_person_row *p, jd_error *err)
{
    ingest *in = r->in;
    const jd_mapping *m = in->file->map;
    jd_datetime dt;
    if (jd_norm__datetime(&dt, m->occurred_at, strlen(m->occurred_at)) < 0)
        return jd_error_set_at(err, JD_EINVALID, in->file->name, 0, 0,
                               "the mapping's occurred_at is not a valid date");
    jd_event_row e = {.agency = p->agency, .record_id = p->record_id,
                      .event_type = m->event_type ? m->event_type : "other",
                      .occurred_at = dt.utc, .reported_at = dt.utc, .occurred_prec = (int)dt.prec,
                      .reported_prec = (int)dt.prec, .crime_recorded = -1,
                      .file_id = in->file_id, .line = p->line};
    const char *hv[] = {e.agency, e.record_id, e.event_type, m->occurred_at};
    e.hash = hash_fields(in, hv, JD_ARRAY_LEN(hv));
    jd_put_result o; /* several rows of one record share their event: repeats are fine */
    return in->store->ops->put_event(in->store, &e, &o, err);
}

/*
 * A date of birth (canonical YYYY[-MM[-DD]], compared on its precision)
 * after the ingest date plus the tolerance, or after the day of the event the
 * row belongs to, cannot be right: quarantined. Born on the day of the event
 * is fine. A row whose event is not stored is left to the orphan check.
 */
static int dob_order(row *r, const jd_person_row *p, const char *dob, jd_error *err)
{
    ingest *in = r->in;
    size_t n = strlen(dob);
    if (strncmp(dob, in->future_day, n) > 0) {
        problem(r, "reject", P_DOB, "dob is in the future: after the date of this ingest");
        return JD_OK;
    }
    int64_t occ = 0;
    bool found = false;
    int rc = in->store->ops->event_when(in->store, p->agency, p->record_id, &occ, &found, err);
    if (rc < 0 || !found)
        return rc;
    if (occ != in->day_of || !in->day[0]) {
        jd_norm__uk_date(in->day, occ);
        in->day_of = occ;
    }
    if (strncmp(dob, in->day, n) > 0)
        problem(r, "reject", P_DOB, "dob is after the date of the event this row belongs to "
                                    "(its occurred_at)");
    return JD_OK;
}

/* The date of birth of a person row into p (a US-ordered export's swapped
 * first); one that is no possible date of birth rejects the row. */
static int person_dob(row *r, jd_person_row *p, jd_error *err)
{
    ingest *in = r->in;
    int rc;
    char dob[11], swapped[16];
    jd_precision prec;
    const char *dv = r->v[P_DOB];
    size_t dl = r->vlen[P_DOB];
    int a, b, y, used = 0;
    /* US-ordered exports (mapping dob_order = mdy): M/D/YYYY -> D/M/YYYY. */
    if (in->file->map && in->file->map->dob_order == 1 &&
        sscanf(dv, "%d/%d/%d%n", &a, &b, &y, &used) == 3 && (size_t)used == dl) {
        snprintf(swapped, sizeof swapped, "%d/%d/%d", b, a, y);
        dv = swapped;
        dl = strlen(swapped);
    }
    if (jd_norm__dob(dob, &prec, dv, dl) == JD_OK) {
        p->dob = jd_arena_strdup(&in->row_arena, dob);
        p->dob_prec = (int)prec;
        if ((rc = dob_order(r, p, dob, err)) < 0)
            return rc;
    } else {
        problem(r, "reject", P_DOB, "dob is not a possible date of birth");
    }
    return JD_OK;
}

static int do_person(row *r, jd_error *err)
{
    ingest *in = r->in;
    jd_person_row p = {.age = -1, .file_id = in->file_id, .line = jd_rows__line(in->rows)};
    int rc;
    p.agency = lower_copy(r, P_AGENCY);
    p.record_id = r->v[P_RECORD_ID];
    p.person_ref = r->v[P_PERSON_REF];
    p.role = lower_copy(r, P_ROLE);
    if (!p.agency || !p.role)
        return jd_oom(err);
    if (!in_list(p.role, roles, JD_ARRAY_LEN(roles)) &&
        (rc = problem(r, "warning", P_ROLE, "unknown role kept as written")) < 0)
        return rc;
    p.surname = r->v[P_SURNAME];
    p.forenames = r->v[P_FORENAMES];
    p.known_as = r->v[P_KNOWN_AS];
    if (r->v[P_DOB] && (rc = person_dob(r, &p, err)) < 0)
        return rc;
    if (r->v[P_AGE]) {
        int age;
        if (jd_norm__age(&age, r->v[P_AGE], r->vlen[P_AGE]) == JD_OK)
            p.age = age;
        else if ((rc = problem(r, "warning", P_AGE, "age is not a number of years; ignored")) < 0)
            return rc;
    }
    if (r->v[P_GENDER]) {
        char g = jd_norm__gender(r->v[P_GENDER], r->vlen[P_GENDER]);
        static const char *const gs[] = {"F", "M", "X", "U"};
        p.gender = g == 'F' ? gs[0] : g == 'M' ? gs[1] : g == 'X' ? gs[2] : gs[3];
        if (g == 'U')
            p.gender_raw = r->v[P_GENDER];
    }
    p.address = r->v[P_ADDRESS];
    if ((rc = postcode_field(r, P_POSTCODE, &p.postcode, &p.postcode_raw)) < 0)
        return rc;
    if (r->v[P_PHONE]) {
        char ph[17];
        if (jd_norm__phone(ph, r->v[P_PHONE], r->vlen[P_PHONE]) == JD_OK) {
            p.phone = jd_arena_strdup(&in->row_arena, ph);
        } else {
            p.phone_raw = r->v[P_PHONE];
            if ((rc = problem(r, "warning", P_PHONE, "not a phone number; kept as written")) < 0)
                return rc;
        }
    }
    if (r->v[P_NHS]) {
        char nhs[11];
        if (jd_norm__nhs(nhs, r->v[P_NHS], r->vlen[P_NHS]) == JD_OK)
            p.nhs_number = jd_arena_strdup(&in->row_arena, nhs);
        else
            problem(r, "reject", P_NHS, "nhs_number fails the NHS modulus 11 check");
    }
    if (r->v[P_UPN]) {
        char upn[14];
        if (jd_norm__upn(upn, r->v[P_UPN], r->vlen[P_UPN]) == JD_OK) {
            p.upn = jd_arena_strdup(&in->row_arena, upn);
        } else {
            p.upn = r->v[P_UPN];
            if ((rc = problem(r, "warning", P_UPN,
                              "upn fails the pupil number check; kept as written")) < 0)
                return rc;
        }
    }
    p.ethnicity = r->v[P_ETHNICITY];
    p.other_id = r->v[P_OTHER_ID];
    if (r->rejected)
        return quarantine(r, err);
    const jd_mapping *m = in->file->map;
    if (m && m->synth_event && (rc = synth_event(r, &p, err)) < 0)
        return rc;
    const char *hv[] = {p.agency, p.record_id, p.person_ref, p.role, p.surname, p.forenames,
                        p.known_as, p.dob, p.age >= 0 ? fmt_int(r, p.age) : NULL, p.gender,
                        p.gender_raw, p.address, p.postcode, p.postcode_raw, p.phone,
                        p.phone_raw, p.nhs_number, p.upn, p.ethnicity, p.other_id};
    p.hash = hash_fields(in, hv, JD_ARRAY_LEN(hv));
    jd_put_result o;
    if ((rc = in->store->ops->put_person(in->store, &p, &o, err)) < 0)
        return rc;
    return put_done(r, &o, o.outcome == JD_PUT_ORPHAN ? P_RECORD_ID : P_PERSON_REF,
                    "agency, record_id, person_ref and role", err);
}

static int do_object(row *r, jd_error *err)
{
    ingest *in = r->in;
    jd_object_row ob = {.file_id = in->file_id, .line = jd_rows__line(in->rows)};
    int rc;
    ob.agency = lower_copy(r, O_AGENCY);
    ob.record_id = r->v[O_RECORD_ID];
    const char *type = lower_copy(r, O_TYPE);
    if (!ob.agency || !type)
        return jd_oom(err);
    static const char *const types[] = {"vehicle", "phone", "other"};
    if (!in_list(type, types, 3)) {
        if ((rc = problem(r, "warning", O_TYPE, "unknown object_type kept as 'other'")) < 0)
            return rc;
        type = "other";
    }
    ob.object_type = type;
    ob.value_raw = r->v[O_VALUE];
    char norm[17];
    if (!strcmp(type, "vehicle") && jd_norm__vrm(norm, ob.value_raw, r->vlen[O_VALUE]) == JD_OK) {
        ob.value_norm = jd_arena_strdup(&in->row_arena, norm);
        ob.value_valid = true;
    } else if (!strcmp(type, "phone") &&
               jd_norm__phone(norm, ob.value_raw, r->vlen[O_VALUE]) == JD_OK) {
        ob.value_norm = jd_arena_strdup(&in->row_arena, norm);
        ob.value_valid = true;
    } else {
        /* Partial plates and odd numbers are still intelligence: keep them,
         * folded to upper-case letters and digits, and say so. */
        char *c = jd_arena_alloc(&in->row_arena, r->vlen[O_VALUE] + 1);
        if (!c)
            return jd_oom(err);
        size_t k = 0;
        for (size_t i = 0; i < r->vlen[O_VALUE]; i++) {
            unsigned char ch = (unsigned char)ob.value_raw[i];
            if (strcmp(type, "other") == 0) {
                c[k++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            } else if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
                       (ch >= 'a' && ch <= 'z')) {
                c[k++] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
            }
        }
        c[k] = '\0';
        ob.value_norm = k ? c : ob.value_raw;
        ob.value_valid = !strcmp(type, "other");
        if (!ob.value_valid &&
            (rc = problem(r, "warning", O_VALUE,
                          !strcmp(type, "vehicle") ? "not a valid GB registration mark; kept"
                                                   : "not a valid phone number; kept")) < 0)
            return rc;
    }
    ob.description = r->v[O_DESCRIPTION];
    ob.person_ref = r->v[O_PERSON_REF];
    if (r->rejected)
        return quarantine(r, err);
    const char *hv[] = {ob.agency, ob.record_id, ob.object_type, ob.value_norm, ob.value_raw,
                        ob.description, ob.person_ref};
    ob.hash = hash_fields(in, hv, JD_ARRAY_LEN(hv));
    jd_put_result o;
    if ((rc = in->store->ops->put_object(in->store, &ob, &o, err)) < 0)
        return rc;
    return put_done(r, &o, o.outcome == JD_PUT_ORPHAN ? O_RECORD_ID : O_VALUE,
                    "agency, record_id, object and person_ref", err);
}

typedef int (*row_fn)(row *r, jd_error *err);
static const row_fn kind_fn[] = {do_event, do_person, do_object};

static void add_counts(jd_ingest_counts *t, const jd_ingest_counts *c)
{
    t->read += c->read;
    t->stored += c->stored;
    t->updated += c->updated;
    t->unchanged += c->unchanged;
    t->rejected += c->rejected;
    t->warnings += c->warnings;
}


/* Read one file's rows into the store (inside the open transaction). */
static int ingest_file(ingest *in, in_file *f, jd_error *err)
{
    int rc;
    double t0 = jd_secs();
    memset(&in->fc, 0, sizeof in->fc);
    in->file = f;
    if (f->seen) {
        if (f == in->last_persons && (rc = in->store->ops->bulk_restore(in->store, err)) < 0)
            return rc;
        jd_ingest_file_summary s = {.name = f->name, .kind = kind_name[f->kind],
                                    .skipped = true, .seconds = jd_secs() - t0};
        in->bytes_done += (uint64_t)f->size;
        if (in->opts->on_file)
            in->opts->on_file(&s, in->opts->payload);
        return JD_OK;
    }
    jd_file_info fi = {.run_id = in->run_id, .bundle = f->bundle, .name = f->name,
                       .kind = kind_name[f->kind], .sha256 = f->sha256, .size = f->size};
    if ((rc = in->store->ops->file_add(in->store, &in->file_id, &fi, err)) < 0)
        return rc;
    if ((rc = open_csv(&in->csv, f, err)) < 0)
        return rc;
    /* a feed (opts->agency) reads on its own thread: feed.c measures that
     * thread's CPU, and the live lane's priority is that thread's */
    if ((rc = read_header(in, f, in->csv, true, err)) < 0 ||
        (rc = jd_rows__start(&in->rows, in->csv, !in->opts->agency, err)) < 0)
        goto out;
    for (;;) {
        jd_error rerr;
        jd_error_clear(&rerr);
        int got = jd_rows__next(in->rows, &rerr);
        if (got == 0)
            break;
        row r = {.in = in};
        jd_arena_reset(&in->row_arena);
        in->fc.read++;
        if (got == JD_ELIMIT) {
            /* The reader skipped the oversized record; quarantine what we know. */
            r.rejected = true;
            r.reject_col = rerr.column;
            snprintf(r.reject_msg, sizeof r.reject_msg, "%.199s", rerr.msg);
            jd_problem p = {.run_id = in->run_id, .severity = "reject", .file = f->name,
                            .line = rerr.line, .column = rerr.column, .field = "",
                            .message = r.reject_msg, .raw = NULL};
            if ((rc = in->store->ops->put_problem(in->store, &p, err)) < 0)
                goto out;
            in->fc.rejected++;
            if (in->opts->on_problem)
                in->opts->on_problem(&p, in->opts->payload);
            continue;
        }
        if (got < 0) {
            rc = got;
            if (err)
                *err = rerr;
            goto out;
        }
        if ((rc = load_fields(&r, err)) < 0)
            goto out;
        if (r.rejected)
            rc = quarantine(&r, err);
        else
            rc = kind_fn[f->kind](&r, err);
        if (rc < 0)
            goto out;
        if (in->opts->on_progress && (in->fc.read & 16383) == 0)
            in->opts->on_progress(in->bytes_done + jd_rows__offset(in->rows), in->bytes_total,
                                  (uint64_t)(in->tc.read + in->fc.read), in->opts->payload);
    }
    rc = in->store->ops->file_finish(in->store, in->file_id, in->fc.read, in->fc.stored,
                                     in->fc.updated, in->fc.unchanged, in->fc.rejected, err);
    /* the index rebuild is part of the person files' time: counted in the last */
    if (rc == JD_OK && f == in->last_persons)
        rc = in->store->ops->bulk_restore(in->store, err);
    if (rc == JD_OK) {
        add_counts(&in->tc, &in->fc);
        in->bytes_done += (uint64_t)f->size;
        jd_ingest_file_summary s = {.name = f->name, .kind = kind_name[f->kind],
                                    .counts = in->fc, .seconds = jd_secs() - t0};
        if (in->opts->on_file)
            in->opts->on_file(&s, in->opts->payload);
    }
out:
    jd_rows__stop(in->rows); /* before the reader it reads from goes */
    in->rows = NULL;
    jd_csv__close(in->csv);
    in->csv = NULL;
    return rc;
}

/* Every file readable, CSV, with its required columns: checked before any write. */
static int preflight(ingest *in, in_file *files, size_t n, jd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = digest_file(&files[i], err);
        if (rc < 0)
            return rc;
        in->bytes_total += (uint64_t)files[i].size;
        jd_csv *csv = NULL;
        if ((rc = open_csv(&csv, &files[i], err)) < 0)
            return rc;
        rc = read_header(in, &files[i], csv, false, err);
        jd_csv__close(csv);
        if (rc < 0)
            return rc;
    }
    return JD_OK;
}

/* The instant after which dates are in the future, and how messages say it. */
static void future_init(ingest *in)
{
    int64_t now = in->opts->now ? in->opts->now : (int64_t)time(NULL);
    int64_t tol = in->opts->future_tolerance > 0 ? in->opts->future_tolerance : 0;
    in->future_limit = now + tol;
    jd_norm__uk_date(in->future_day, in->future_limit);
    long long t = (long long)tol;
    if (t && t % 86400 == 0)
        snprintf(in->tolerance, sizeof in->tolerance, "%lld d", t / 86400);
    else if (t && t % 3600 == 0)
        snprintf(in->tolerance, sizeof in->tolerance, "%lld h", t / 3600);
    else if (t && t % 60 == 0)
        snprintf(in->tolerance, sizeof in->tolerance, "%lld min", t / 60);
    else
        snprintf(in->tolerance, sizeof in->tolerance, "%lld s", t);
}

int jd_ingest_bundles(jd_store *s, const char *const *bundles, size_t nb,
                      const jd_ingest_opts *opts, jd_ingest_counts *total, jd_error *err)
{
    jd_ingest_opts def = JD_INGEST_OPTS_INIT;
    if (!s || !bundles || nb == 0)
        return jd_error_set(err, JD_EINVALID, "no bundle given");
    in_file *files = NULL;
    size_t n = 0;
    ingest in = {.store = s, .opts = opts ? opts : &def};
    jd_buf_init(&in.raw, 64 * 1024);
    jd_buf_init(&in.utf8, 4u << 20);
    jd_arena_init(&in.row_arena, 64 * 1024);
    bool in_tx = false;
    jd_mapping *map = NULL;
    int rc = JD_OK;
    if (in.opts->mapping && (rc = mapping_load(&map, in.opts->mapping, err)) < 0)
        goto out;
    if ((rc = discover(&files, &n, bundles, nb, map, err)) < 0)
        goto out;
    if ((rc = preflight(&in, files, n, err)) < 0)
        goto out;
    if ((rc = s->ops->begin(s, err)) < 0)
        goto out;
    in_tx = true;
    char hk[32];
    bool hk_found;
    if ((rc = s->ops->meta_get(s, "row_hash", hk, sizeof hk, &hk_found, err)) < 0)
        goto out;
    if (hk_found && strcmp(hk, "wyhash64") && strcmp(hk, "fnv1a64")) {
        rc = jd_error_set(err, JD_ESTORE, "the store's row hash '%s' is unknown to this "
                                            "version of joindots", hk);
        goto out;
    }
    in.fast_hash = hk_found && !strcmp(hk, "wyhash64");
    future_init(&in);
    /* Which files are skipped (the same bytes ingested before, or earlier in
     * this call), and the person rows to come, roughly (80 bytes a row): the
     * store may defer an index for a large load. */
    int64_t person_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (in.opts->skip_identical_files &&
            (rc = s->ops->file_seen(s, files[i].sha256, &files[i].seen, err)) < 0)
            goto out;
        for (size_t k = 0; in.opts->skip_identical_files && k < i && !files[i].seen; k++)
            files[i].seen = !strcmp(files[k].sha256, files[i].sha256);
        if (files[i].kind == KIND_PERSONS) {
            in.last_persons = &files[i];
            if (!files[i].seen)
                person_bytes += files[i].size;
        }
    }
    if (person_bytes && (rc = s->ops->bulk_defer(s, person_bytes / 80, err)) < 0)
        goto out;
    jd_buf what = JD_BUF_INIT(16384);
    for (size_t b = 0; b < nb && rc == JD_OK; b++)
        rc = jd_buf_printf(&what, "%s%s", b ? " " : "", bundles[b]);
    if (rc == JD_OK)
        rc = s->ops->run_start(s, &in.run_id, jd_buf_cstr(&what), err);
    jd_buf_dispose(&what);
    for (size_t i = 0; i < n && rc == JD_OK; i++)
        rc = ingest_file(&in, &files[i], err);
    if (rc == JD_OK)
        rc = s->ops->run_finish(s, in.run_id, "complete", in.tc.read, in.tc.stored,
                                in.tc.updated, in.tc.unchanged, in.tc.rejected, err);
    if (rc == JD_OK)
        rc = s->ops->commit(s, err);
    if (rc == JD_OK) {
        in_tx = false;
        if (total) {
            *total = in.tc;
            total->run_id = in.run_id;
        }
    }
out:
    if (in_tx)
        s->ops->rollback(s);
    files_free(files, n);
    mapping_free(map);
    jd_buf_dispose(&in.raw);
    jd_buf_dispose(&in.utf8);
    jd_arena_free(&in.row_arena);
    return rc;
}

/* Load and free a mapping file: the entry point of fuzz/fuzz_mapping.c. */
int jd_ingest__mapping_check(const char *path, jd_error *err)
{
    jd_mapping *m = NULL;
    int rc = mapping_load(&m, path, err);
    mapping_free(m);
    return rc;
}
