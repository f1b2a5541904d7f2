/*
 * libFuzzer target for the bundle ingest path past the CSV reader: header
 * mapping, the row normalisation of every kind, input hygiene, the agency a
 * file name gives, dates against the ingest time, duplicate keys, orphans,
 * quarantine with the raw row, and the store's upserts. fuzz_csv covers the
 * reader and each normaliser alone; this one runs them as ingest does.
 *
 * Input: byte 0 picks the file names (bit 0: events_police.csv and
 * persons_police.csv, which tie rows to police, else events.csv and
 * persons.csv; bit 1: objects_gp.csv instead of objects.csv); the rest is
 * the events file, a NUL, the persons file, a NUL, the objects file (a NUL
 * can never be in CSV, so it is a free separator). Each input goes into a
 * fresh in-memory store, so a finding replays on its own.
 *
 * Checked: the hygiene pass over the raw input (never longer, its scan
 * agrees, idempotent on UTF-8); ingest returns JD_OK or a clean fatal code;
 * every row read is counted exactly once (stored, updated, unchanged or
 * rejected); no stored name, ref or address holds a character the hygiene
 * pass removes.
 */
#include "util/csv.h"
#include "util/internal.h"
#include "text/norm.h"
#include "store/store.h"

#include <joindots/ingest.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64]; /* one scratch folder per process */

static int write_file(const char *name, const uint8_t *p, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    if (n && fwrite(p, 1, n, f) != n) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}

static const char *const names[] = {"events.csv", "events_police.csv", "persons.csv",
                                    "persons_police.csv", "objects.csv", "objects_gp.csv"};

/* Remove the files this input does not write (keep): files are rewritten in
 * place, as a new inode after an unlink cost most of each run's time. */
static void clear_dir(const char *const *keep, size_t nkeep)
{
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        bool kept = false;
        for (size_t k = 0; k < nkeep; k++)
            kept |= keep[k] && !strcmp(keep[k], names[i]);
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (!kept && access(path, F_OK) == 0)
            unlink(path);
    }
}

static void remove_dir(void)
{
    clear_dir(NULL, 0);
    rmdir(dir);
}

static void clean(const char *s)
{
    if (s && jd_norm__hygiene_scan(s, strlen(s), false) != strlen(s))
        __builtin_trap(); /* a stored value the hygiene pass would still change */
}

static int each_mention(const jd_mention_row *m, void *payload)
{
    (void)payload;
    clean(m->agency);
    clean(m->person_ref);
    clean(m->surname);
    clean(m->forenames);
    clean(m->known_as);
    clean(m->address);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/jd-fuzz-ingest.XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(dir))
            abort();
        atexit(remove_dir);
    }
    if (size < 1 || size > (1u << 20))
        return 0;
    /* The hygiene pass alone, over the whole input: never longer, the scan
     * agrees with it, and on UTF-8 (all ingest gives it) one pass is enough. */
    char *h1 = malloc(size + 1), *h2 = malloc(size + 1);
    if (!h1 || !h2)
        abort();
    for (int ml = 0; ml < 2; ml++) {
        jd_hygiene h = {0, 0, 0};
        size_t n1 = jd_norm__hygiene(h1, (const char *)data, size, ml, &h);
        size_t first = jd_norm__hygiene_scan((const char *)data, size, ml);
        if (n1 > size || (first == size) != (n1 == size && !memcmp(h1, data, size)))
            __builtin_trap();
        if (jd_csv__valid_utf8((const char *)data, size)) {
            size_t n2 = jd_norm__hygiene(h2, h1, n1, ml, &h);
            if (n2 != n1 || memcmp(h1, h2, n1) || jd_norm__hygiene_scan(h1, n1, ml) != n1)
                __builtin_trap();
        }
    }
    free(h1);
    free(h2);
    unsigned flags = data[0];
    const uint8_t *p = data + 1, *e = data + size;
    const uint8_t *part[3] = {p, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        const uint8_t *z = k < 2 ? memchr(part[k], 0, (size_t)(e - part[k])) : NULL;
        len[k] = (size_t)((z ? z : e) - part[k]);
        if (k < 2)
            part[k + 1] = z ? z + 1 : e;
    }
    const char *ev = flags & 1 ? "events_police.csv" : "events.csv";
    const char *pe = flags & 1 ? "persons_police.csv" : "persons.csv";
    const char *ob = flags & 2 ? "objects_gp.csv" : "objects.csv";
    const char *keep[] = {ev, len[1] ? pe : NULL, len[2] ? ob : NULL};
    clear_dir(keep, 3);
    if (write_file(ev, part[0], len[0]) || (len[1] && write_file(pe, part[1], len[1])) ||
        (len[2] && write_file(ob, part[2], len[2])))
        abort();
    jd_store *s = NULL;
    jd_error err;
    if (jd_store_open(&s, ":memory:", NULL, &err) != JD_OK)
        abort();
    jd_ingest_opts o = JD_INGEST_OPTS_INIT;
    o.now = 1700000000; /* 2023-11-14: fixed, so a finding replays */
    o.skip_identical_files = false;
    jd_ingest_counts c;
    const char *bundles[] = {dir};
    int rc = jd_ingest_bundles(s, bundles, 1, &o, &c, &err);
    if (rc == JD_OK) {
        if (c.read != c.stored + c.updated + c.unchanged + c.rejected)
            __builtin_trap(); /* a row counted twice or not at all */
        if (s->ops->mentions(s, each_mention, NULL, &err) < 0)
            abort();
    } else if (rc != JD_EINVALID && rc != JD_ELIMIT && rc != JD_ENOTFOUND && rc != JD_EIO) {
        __builtin_trap(); /* only input problems may stop an ingest */
    }
    jd_store_close(s);
    return 0;
}
