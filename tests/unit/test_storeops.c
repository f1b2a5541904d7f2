/* Store operations through the vtable only, so that the same cases run on
 * SQLite (suite unit) and on PostgreSQL (suite postgres, JD_TEST_DB set):
 * identity replaces and their refusals, an ingest rolled back then redone,
 * a record twice in one load, the password refusal, and jd_store_copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <joindots/identity.h>
#include <sqlite3.h>

#include "util/internal.h"
#include "store/incr_ops.h"
#include "store/sqlite_internal.h"
#include "store/store.h"

typedef struct fx {
    char path[160];
    jd_store *s;
    int64_t run, file;
} fx;

static int start_ingest(fx *f)
{
    if (f->s->ops->begin(f->s, NULL) || f->s->ops->run_start(f->s, &f->run, "test", NULL))
        return -1;
    jd_file_info fi = {.run_id = f->run, .bundle = "b", .name = "events.csv", .kind = "events",
                       .sha256 = "00", .size = 1};
    return f->s->ops->file_add(f->s, &f->file, &fi, NULL) ? -1 : 0;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || scratch_store_open(&f->s, f->path, sizeof f->path, "ops") != JD_OK)
        return -1;
    *state = f;
    return start_ingest(f);
}

static int teardown(void **state)
{
    fx *f = *state;
    scratch_store_close(f->s, f->path);
    free(f);
    return 0;
}

static jd_event_row ev(fx *f, const char *agency, const char *rid, uint64_t hash)
{
    jd_event_row e = {.agency = agency, .record_id = rid, .event_type = "other",
                      .occurred_at = 1100000000, .reported_at = 1100000000,
                      .crime_recorded = -1, .file_id = f->file, .line = 2, .hash = hash,
                      .location = "Cowley Road", .postcode = "OX4 1AB"};
    return e;
}

static void put_mention(fx *f, const char *agency, const char *rid, const char *ref)
{
    jd_put_result o;
    jd_event_row e = ev(f, agency, rid, 1);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    jd_person_row p = {.agency = agency, .record_id = rid, .person_ref = ref, .role = "subject",
                       .surname = "Smith", .age = 12, .file_id = f->file, .line = 3, .hash = 2};
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_NEW);
}

typedef struct seen {
    int n;
    char rows[8][96];
} seen;

static int on_identity(const jd_identity_row *r, void *payload)
{
    seen *s = payload;
    if (s->n < 8)
        snprintf(s->rows[s->n], sizeof s->rows[0], "%s %s:%s",
                 r->person_id ? r->person_id : "-", r->agency, r->person_ref);
    s->n++;
    return 0;
}

/* A replace keeps the row of a person_id it keeps (identity rows come in row
 * order: P-1 before the new P-3 although P-3 is listed first); a ref naming
 * no identity, or a person_id twice, is refused and nothing changes. */
/* identity_tally: the count of identities and the highest n of "Pn",
 * taken from at most 18 digits on both stores (a longer id neither fails
 * nor reads as INT64_MAX), and nothing set on failure. */
static void test_storeops__identity_tally_long_id(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    put_mention(f, "police", "E2", "N2");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    const struct jd_incr_ops *I = f->s->ops->incr;
    assert_non_null(I);
    assert_non_null(I->identity_tally);
    int64_t count = -1, max_num = -1;
    assert_int_equal(I->identity_tally(f->s, &count, &max_num, NULL), JD_OK);
    assert_int_equal(count, 0);
    assert_int_equal(max_num, 0);
    jd_identity_info info[] = {{.person_id = "P12", .display_name = "A"},
                               {.person_id = "P1234567890123456789012345", .display_name = "B"},
                               {.person_id = "P-7", .display_name = "C"}};
    jd_identity_save refs[] = {{"police", "N1", "P12", 0, NULL, NULL, 0, 0},
                               {"csc", "C1", "P1234567890123456789012345", 0, NULL, NULL, 0, 0},
                               {"police", "N2", "P-7", 0, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 3, NULL, "{}", 3, 1, NULL),
                     JD_OK);
    jd_error e;
    assert_int_equal(I->identity_tally(f->s, &count, &max_num, &e), JD_OK);
    assert_int_equal(count, 3);
    assert_int_equal(max_num, 123456789012345678); /* its first 18 digits */
    /* an ordinary id over them */
    jd_identity_info info2[] = {{.person_id = "P999999999999999999", .display_name = "A"}};
    jd_identity_save refs2[] = {{"police", "N1", "P999999999999999999", 0, NULL, NULL, 0, 0}};
    assert_int_equal(
        f->s->ops->identities_replace(f->s, refs2, 1, info2, 1, NULL, "{}", 1, 0, NULL), JD_OK);
    assert_int_equal(I->identity_tally(f->s, &count, &max_num, &e), JD_OK);
    assert_int_equal(count, 1);
    assert_int_equal(max_num, 999999999999999999); /* 18 of its 19 nines */
}

static void test_storeops__identities_replace(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    put_mention(f, "police", "E2", "N2");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P-1", .display_name = "Amy S", .is_child = 1,
                                .note = "kept apart from P-2"},
                               {.person_id = "P-2", .display_name = "Bea T"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 0}, {"csc", "C1", "P-1", 0, NULL, NULL, 0, 0},
                               {"police", "N2", "P-2", 0, NULL, NULL, 0, 0}};
    int64_t gen0 = -1, gen1 = -1, gen2 = -1;
    assert_int_equal(jd_identity_generation(f->s, &gen0, NULL), JD_OK);
    assert_int_equal(gen0, 0); /* never resolved */
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 2, NULL, "{}", 3, 1, NULL),
                     JD_OK);
    assert_int_equal(jd_identity_generation(f->s, &gen1, NULL), JD_OK);
    assert_true(gen1 > gen0);
    jd_identity_info info2[] = {{.person_id = "P-3", .display_name = "Bea T"},
                                {.person_id = "P-1", .display_name = "Amy Smith"}};
    jd_identity_save refs2[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 0}, {"csc", "C1", "P-1", 0, NULL, NULL, 0, 0},
                                {"police", "N2", "P-3", 0, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs2, 3, info2, 2, NULL, "{\"m\":2}", 3, 1,
                                                   NULL),
                     JD_OK);
    assert_int_equal(jd_identity_generation(f->s, &gen2, NULL), JD_OK);
    assert_true(gen2 > gen1); /* each replace is a new generation */
    seen s = {0};
    assert_int_equal(f->s->ops->identity_rows(f->s, on_identity, &s, NULL), JD_OK);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.rows[0], "P-1 csc:C1");
    assert_string_equal(s.rows[1], "P-1 police:N1");
    assert_string_equal(s.rows[2], "P-3 police:N2");
    jd_identity_save bad[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 0}, {"police", "N9", "P-404", 0, NULL, NULL, 0, 0}};
    jd_error e;
    assert_int_equal(f->s->ops->identities_replace(f->s, bad, 2, info2, 2, NULL, "{}", 2, 0, &e),
                     JD_EINVALID);
    assert_non_null(strstr(e.msg, "P-404"));
    jd_identity_info twice[] = {{.person_id = "P-1", .display_name = "A"},
                                {.person_id = "P-1", .display_name = "B"}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs2, 2, twice, 2, NULL, "{}", 2, 0, &e),
                     JD_EINVALID);
    assert_non_null(strstr(e.msg, "given twice"));
    seen s2 = {0};
    assert_int_equal(f->s->ops->identity_rows(f->s, on_identity, &s2, NULL), JD_OK);
    assert_int_equal(s2.n, 3);
    assert_string_equal(s2.rows[2], "P-3 police:N2");
    char *model = NULL;
    assert_int_equal(f->s->ops->model_load(f->s, &model, NULL), JD_OK);
    assert_string_equal(model, "{\"m\":2}");
    free(model);
}

/* A ref's info_ix (k + 1: info[k] is its identity) gives the row id
 * without the person_id's look-up; an index out of range, or naming
 * another identity, is not trusted: the person_id decides, and a
 * person_id with no identity is still refused. */
static void test_storeops__identities_replace_by_index(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    put_mention(f, "police", "E2", "N2");
    put_mention(f, "police", "E3", "N3");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P-1", .display_name = "Amy S"},
                               {.person_id = "P-2", .display_name = "Bea T"},
                               {.person_id = "P-3", .display_name = "Cas U"}};
    char p2[] = "P-2"; /* not info[1]'s pointer: compared by its text */
    jd_identity_save refs[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 1},  /* right */
                               {"csc", "C1", "P-3", 0, NULL, NULL, 0, 1},     /* names P-1 */
                               {"police", "N2", p2, 0, NULL, NULL, 0, 2},     /* right, a copy */
                               {"police", "N3", "P-3", 0, NULL, NULL, 0, 99}}; /* out of range */
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 4, info, 3, NULL, "{}", 4, 1, NULL),
                     JD_OK);
    seen s = {0};
    assert_int_equal(f->s->ops->identity_rows(f->s, on_identity, &s, NULL), JD_OK);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.rows[0], "P-1 police:N1");
    assert_string_equal(s.rows[1], "P-2 police:N2");
    assert_string_equal(s.rows[2], "P-3 csc:C1");
    assert_string_equal(s.rows[3], "P-3 police:N3");
    jd_identity_save bad[] = {{"police", "N1", "P-404", 0, NULL, NULL, 0, 1}};
    jd_error e;
    assert_int_equal(f->s->ops->identities_replace(f->s, bad, 1, info, 3, NULL, "{}", 1, 0, &e),
                     JD_EINVALID);
    assert_non_null(strstr(e.msg, "P-404"));
}

static void put_person_at(fx *f, const char *agency, const char *rid, const char *ref,
                          const char *fore, const char *sur, const char *dob, int age)
{
    jd_put_result o;
    jd_event_row e = ev(f, agency, rid, 1);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    jd_person_row p = {.agency = agency, .record_id = rid, .person_ref = ref, .role = "subject",
                       .forenames = fore, .surname = sur, .dob = dob, .dob_prec = dob ? 3 : 0,
                       .age = age, .file_id = f->file, .line = 3, .hash = 2};
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
}

static int on_id_row(const jd_identity_row *r, void *payload)
{
    seen *s = payload;
    if (s->n < 8)
        snprintf(s->rows[s->n], sizeof s->rows[0], "%s %s:%s %s|%s|%d",
                 r->person_id ? r->person_id : "-", r->agency, r->person_ref,
                 r->display_name ? r->display_name : "-", r->dob ? r->dob : "-", r->is_child);
    s->n++;
    return 0;
}

typedef struct ids_seen {
    seen r;
    int64_t id[8];
} ids_seen;

static int on_id_rows(const jd_identity_row *r, void *payload)
{
    ids_seen *w = payload;
    if (w->r.n < 8)
        w->id[w->r.n] = r->identity_id;
    return on_id_row(r, &w->r);
}

static int on_pid(const char *person_id, void *payload)
{
    seen *s = payload;
    if (s->n < 8)
        snprintf(s->rows[s->n], sizeof s->rows[0], "%s", person_id);
    s->n++;
    return 0;
}

/* Two identities over the refs the identity tests put: P-1 (police:N1,
 * csc:C1; a child or not) and P-2 "Cal B" 1974 (police:N2, and police:N5
 * with no mention). */
static void save_two_identities(fx *f, bool p1_child)
{
    jd_identity_info info[] = {{.person_id = "P-2", .display_name = "Cal B", .dob = "1974"},
                               {.person_id = "P-1", .is_child = p1_child}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 0},
                               {"csc", "C1", "P-1", 0, NULL, NULL, 0, 0},
                               {"police", "N2", "P-2", 0, NULL, NULL, 0, 0},
                               {"police", "N5", "P-2", 0, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 4, info, 2, NULL, "{}", 4, 1, NULL),
                     JD_OK);
}

/* identity_rows (the person index, export identities): every ref with a
 * mention, the resolved by identity row and (agency, ref), then the
 * unresolved by (agency, ref); an identity's name and date of birth, or
 * where it has none the ref's own most frequent name and full date of
 * birth (and, unresolved, a child when a mention puts it under 18); a
 * resolved ref with no mention is not listed. */
static void test_storeops__identity_rows(void **state)
{
    fx *f = *state;
    put_person_at(f, "police", "E1", "N1", "Amy", "Smith", "2010-03-04", -1);
    put_person_at(f, "police", "E2", "N1", "Amy", "Smith", "2010-03-05", -1);
    put_person_at(f, "police", "E3", "N1", "Amie", "Smith", "2010-03-05", -1);
    put_person_at(f, "csc", "C1", "C1", "Bea", "Jones", NULL, -1);
    put_person_at(f, "police", "E4", "N2", "Cal", "Brown", NULL, 30);
    put_person_at(f, "police", "E5", "N3", "Eve", "Green", NULL, 12);
    put_person_at(f, "health", "H1", "H9", "Dee", "White", "1980-01-02", -1);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    save_two_identities(f, false);
    seen r = {0};
    assert_int_equal(f->s->ops->identity_rows(f->s, on_id_row, &r, NULL), JD_OK);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.rows[0], "P-2 police:N2 Cal B|1974|0"); /* N5: no mention */
    assert_string_equal(r.rows[1], "P-1 csc:C1 Bea Jones|-|0");
    assert_string_equal(r.rows[2], "P-1 police:N1 Amy Smith|2010-03-05|0");
    assert_string_equal(r.rows[3], "- health:H9 Dee White|1980-01-02|0");
    assert_string_equal(r.rows[4], "- police:N3 Eve Green|-|1");
    /* identity_rows_of (the person index's patch): the same rows of the
     * identities named, in the same order, an unknown person_id none */
    ids_seen w = {0};
    const char *pids[] = {"P-9", "P-1", "P-2"};
    const struct jd_incr_ops *I = f->s->ops->incr;
    assert_int_equal(I->identity_rows_of(f->s, pids, 3, on_id_rows, &w, NULL), JD_OK);
    assert_int_equal(w.r.n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(w.r.rows[i], r.rows[i]);
    assert_true(w.id[0] > 0 && w.id[1] > w.id[0] && w.id[2] == w.id[1]); /* P-2 written first */
    ids_seen one = {0};
    assert_int_equal(I->identity_rows_of(f->s, pids + 1, 1, on_id_rows, &one, NULL), JD_OK);
    assert_int_equal(one.r.n, 2);
    assert_string_equal(one.r.rows[0], "P-1 csc:C1 Bea Jones|-|0");
    assert_int_equal(one.id[0], w.id[1]);
    ids_seen none = {0};
    assert_int_equal(I->identity_rows_of(f->s, pids, 0, on_id_rows, &none, NULL), JD_OK);
    assert_int_equal(none.r.n, 0);
}

static int on_an_mention(const jd_an_mention_row *m, void *payload)
{
    seen *s = payload;
    if (s->n < 8)
        snprintf(s->rows[s->n], sizeof s->rows[0], "%s:%s %s %s|%s|%d %s", m->agency,
                 m->person_ref, m->person_id ? m->person_id : "-", m->id_name ? m->id_name : "-",
                 m->id_dob ? m->id_dob : "-", m->id_child, m->name);
    s->n++;
    return 0;
}

/* The refs of analysis_load's mentions in the order they come. */
typedef struct an_order {
    int n;
    char ref[64][8];
} an_order;

static int on_an_order(const jd_an_mention_row *m, void *payload)
{
    an_order *o = payload;
    if (o->n < 64)
        snprintf(o->ref[o->n], sizeof o->ref[0], "%s", m->person_ref);
    o->n++;
    return 0;
}

/*
 * As of a time, the whole county's mentions come in the mentions' row
 * order, as they do as of now, whatever plan the join on event takes:
 * sixty events whose known_at order is neither their row order nor their
 * mentions' (written last event first). On SQLite, indexes on
 * event(known_at) and person_mention(event_id) and ANALYZE make the
 * planner drive the join from event (by known_at); without the query's
 * ORDER BY pm.id the rows came in known_at order and this failed.
 */
static void test_storeops__analysis_load_as_of_row_order(void **state)
{
    fx *f = *state;
    enum { N = 60 };
    char rid[N][8], ref[N][8];
    jd_put_result o;
    for (int i = 0; i < N; i++) {
        snprintf(rid[i], sizeof rid[i], "E%02d", i);
        snprintf(ref[i], sizeof ref[i], "R%02d", i);
        jd_event_row e = ev(f, "police", rid[i], 1);
        e.reported_at = 1100000000 + (i * 37 % N) * 1000; /* known then; 37, 60 coprime */
        assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    }
    for (int i = N - 1; i >= 0; i--) { /* mention row order: last event first */
        jd_person_row p = {.agency = "police",
                           .record_id = rid[i],
                           .person_ref = ref[i],
                           .role = "subject",
                           .surname = "Smith",
                           .age = 12,
                           .file_id = f->file,
                           .line = 3,
                           .hash = 2};
        assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    }
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    if (!scratch_is_pg())
        assert_int_equal(jd_sq__exec(f->s->impl,
                                     "CREATE INDEX event_known_t ON event(known_at);"
                                     " CREATE INDEX pm_event_t ON person_mention(event_id);"
                                     " ANALYZE",
                                     NULL),
                         JD_OK);
    const int64_t as_of[] = {INT64_MAX, 1100000000 + (N - 1) * 1000, 1100000000 + 20 * 1000};
    for (int k = 0; k < 3; k++) {
        an_order r = {0};
        jd_an_callbacks cb = {.mention = on_an_order};
        assert_int_equal(f->s->ops->analysis_load(f->s, as_of[k], &cb, &r, NULL), JD_OK);
        int n = 0;
        for (int i = N - 1; i >= 0; i--)
            if (1100000000 + (i * 37 % N) * 1000 <= as_of[k]) {
                assert_true(n < r.n);
                assert_string_equal(r.ref[n], ref[i]);
                n++;
            }
        assert_int_equal(n, k < 2 ? N : 21);
        assert_int_equal(r.n, n);
    }
}

/* The whole county's mentions joined to their identities (SQLite: in
 * memory, jd_sq_idmap) as the per-row SQL join gave them: a resolved ref
 * with its identity's fields (NULLs as NULL), an unresolved one with none,
 * in the mentions' row order, as of now and as of a time; and the
 * watermark's analysis_ref rows, a ref without mentions too. */
static void test_storeops__analysis_load_identities(void **state)
{
    fx *f = *state;
    put_person_at(f, "police", "E1", "N1", "Amy", "Smith", "2010-03-04", -1);
    put_person_at(f, "csc", "C1", "C1", "Bea", "Jones", NULL, -1);
    put_person_at(f, "police", "E4", "N2", "Cal", "Brown", NULL, 30);
    put_person_at(f, "health", "H1", "H9", "Dee", "White", "1980-01-02", -1);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    save_two_identities(f, true);
    const char *want[] = {"police:N1 P-1 -|-|1 Amy Smith", "csc:C1 P-1 -|-|1 Bea Jones",
                          "police:N2 P-2 Cal B|1974|0 Cal Brown", "health:H9 - -|-|-1 Dee White"};
    const int64_t as_of[] = {INT64_MAX, 1100000000, 1099999999};
    for (int k = 0; k < 3; k++) {
        seen r = {0};
        jd_an_callbacks cb = {.mention = on_an_mention};
        assert_int_equal(f->s->ops->analysis_load(f->s, as_of[k], &cb, &r, NULL), JD_OK);
        assert_int_equal(r.n, k < 2 ? 4 : 0); /* as of before the events: none */
        for (int i = 0; i < r.n; i++)
            assert_string_equal(r.rows[i], want[i]);
    }
    if (scratch_is_pg())
        return; /* the rest reads SQLite's tables */
    const struct jd_incr_ops *I = f->s->ops->incr;
    char mark[JD_MARK_MAX];
    assert_int_equal(I->mark_now(f->s, mark, NULL), JD_OK);
    assert_int_equal(I->mark_set(f->s, mark, NULL), JD_OK);
    sq *q = f->s->impl;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(q->db,
                                        "SELECT group_concat(agency || ':' || person_ref || ' '"
                                        " || person_id || ' ' || info, ';') FROM"
                                        " (SELECT * FROM analysis_ref ORDER BY 1, 2)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0),
                        "csc:C1 P-1 |1|;police:N1 P-1 |1|;police:N2 P-2 1974|0|Cal B;"
                        "police:N5 P-2 1974|0|Cal B");
    sqlite3_finalize(st);
    /* the in-memory map itself: by row id and by ref; a ref whose identity
     * row is gone (foreign keys off) and an unknown ref join to none */
    assert_int_equal(jd_sq__exec(q, "PRAGMA foreign_keys = OFF;"
                                    " UPDATE identity_ref SET identity_id = 999999"
                                    " WHERE person_ref = 'N5'; PRAGMA foreign_keys = ON", NULL),
                     JD_OK);
    jd_sq_idmap m;
    assert_int_equal(jd_sq__idmap_load(q, &m, NULL), JD_OK);
    assert_int_equal(m.nids, 2);
    const jd_sq_ident *d = jd_sq__idmap_ref(&m, "csc", 3, "C1", 2);
    assert_non_null(d);
    assert_string_equal(d->person_id, "P-1");
    assert_null(d->name);
    assert_true(d->is_child);
    assert_ptr_equal(jd_sq__idmap_by_id(&m, d->id), d);
    assert_null(jd_sq__idmap_by_id(&m, 999999));
    assert_null(jd_sq__idmap_ref(&m, "police", 6, "N5", 2));
    assert_null(jd_sq__idmap_ref(&m, "police", 6, "N9", 2));
    assert_null(jd_sq__idmap_ref(&m, "polic", 5, "eN1", 3)); /* no separator to fool */
    d = jd_sq__idmap_ref(&m, "police", 6, "N2", 2);
    assert_non_null(d);
    assert_string_equal(d->name, "Cal B");
    jd_sq__idmap_free(&m);
}

typedef struct idorder {
    int n;
    char rows[8][64];
} idorder;

static int on_an_ident_row(const jd_an_identity_row *r, void *payload)
{
    idorder *o = payload;
    if (o->n < 8)
        snprintf(o->rows[o->n], sizeof o->rows[0], "%s %s %s %d", r->person_id,
                 r->display_name ? r->display_name : "-", r->dob ? r->dob : "-", r->is_child);
    o->n++;
    return 0;
}

static int on_no_mention(const jd_an_mention_row *r, void *payload)
{
    (void)r;
    (void)payload;
    return 0;
}

/* The whole county's load (SQLite) takes its identities from the identity
 * map's scan of identity_ref (jd_sq__idmap_order): the same rows and order
 * as the SQL query (min(agency || char(31) || person_ref) per identity)
 * that the identities-only load still runs. The scan is in (agency, ref)
 * order, so P-D's first ref seen, a|zz, is not its least, a^Ax|r (char(1)
 * sorts before char(31)); "po" is a prefix of "police"; an identity with no
 * ref and a ref without its identity row give nothing. */
static void test_storeops__analysis_load_identity_order(void **state)
{
    fx *f = *state;
    if (scratch_is_pg())
        skip(); /* SQLite's map; PostgreSQL keeps its query */
    sq *q = f->s->impl;
    assert_int_equal(
        jd_sq__exec(q,
                    "INSERT INTO identity(id, person_id, display_name, dob, is_child, created_at,"
                    " updated_at) VALUES (1, 'P-A', 'Amy', '2010-01-02', 1, 0, 0),"
                    " (2, 'P-B', NULL, NULL, 0, 0, 0), (3, 'P-C', 'Cal', NULL, 0, 0, 0),"
                    " (4, 'P-D', NULL, '1990', 0, 0, 0), (5, 'P-E', 'Eve', NULL, 1, 0, 0),"
                    " (6, 'P-F', 'Fay', NULL, 0, 0, 0);"
                    "PRAGMA foreign_keys = OFF;"
                    "INSERT INTO identity_ref(agency, person_ref, identity_id) VALUES"
                    " ('police', 'Z9', 1), ('csc', 'B1', 1), ('police', 'A1', 2), ('po', 'Z', 3),"
                    " ('a', 'zz', 4), ('a' || char(1) || 'x', 'r', 4), ('a', 'b', 5),"
                    " ('health', 'H1', 999);"
                    "PRAGMA foreign_keys = ON",
                    NULL),
        JD_OK);
    const char *want[] = {"P-D - 1990 0", "P-E Eve - 1", "P-A Amy 2010-01-02 1",
                          "P-C Cal - 0", "P-B - - 0"};
    idorder sql = {0}, map = {0};
    jd_an_callbacks ids = {.identity = on_an_ident_row};
    jd_an_callbacks full = {.identity = on_an_ident_row, .mention = on_no_mention};
    assert_int_equal(f->s->ops->analysis_load(f->s, INT64_MAX, &ids, &sql, NULL), JD_OK);
    assert_int_equal(f->s->ops->analysis_load(f->s, INT64_MAX, &full, &map, NULL), JD_OK);
    assert_int_equal(sql.n, 5);
    assert_int_equal(map.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_string_equal(sql.rows[i], want[i]);
        assert_string_equal(map.rows[i], want[i]);
    }
    /* the order needs the first refs: a map loaded without them refuses */
    jd_sq_idmap m;
    uint32_t *order = NULL;
    size_t n = 1;
    jd_error err;
    jd_error_clear(&err);
    assert_int_equal(jd_sq__idmap_load(q, &m, NULL), JD_OK);
    assert_int_equal(jd_sq__idmap_order(&m, &order, &n, &err), JD_EINVALID);
    assert_null(order);
    assert_int_equal(n, 0);
    jd_sq__idmap_free(&m);
}

typedef struct fps {
    int n;
    char rows[8][96];
} fps;

static int on_fp(const jd_identity_row *r, void *payload)
{
    fps *s = payload;
    if (s->n < 8)
        snprintf(s->rows[s->n], sizeof s->rows[0], "%s:%s %s %lld %s", r->agency, r->person_ref,
                 r->person_id, (long long)r->fp, r->nbr ? r->nbr : "-");
    s->n++;
    return 0;
}

static int cmp_row(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* An incremental update (issue 17 item 2): refs moved with their
 * fingerprints and neighbours, an identity gone, the changes recorded, the
 * run a new generation with the full run's model still in force; a ref
 * naming an identity not updated, or a gone identity that still has refs,
 * is refused and nothing changes. */
/* P-1 (police N1) stored by a full run (*full), then an incremental run
 * that changes it (*changed) and, with quiet, one that changes nothing. */
static void runs_made(fx *f, int64_t *full, int64_t *changed, int64_t *quiet)
{
    put_mention(f, "police", "E1", "N1");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P-1", .display_name = "Amy S"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 11, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 1, info, 1, NULL, "{}", 0, 0, NULL),
                     JD_OK);
    assert_int_equal(jd_identity_generation(f->s, full, NULL), JD_OK);
    jd_identity_change_save ch[] = {{"P-1", NULL, 4}};
    jd_identity_update u = {.refs = refs, .nrefs = 1, .info = info, .ninfo = 1, .changes = ch,
                            .nchanges = 1, .refs_total = 1, .identities_total = 1,
                            .run_id = changed};
    assert_int_equal(f->s->ops->identities_update(f->s, &u, NULL), JD_OK);
    if (!quiet)
        return;
    u.nchanges = 0;
    u.run_id = quiet;
    assert_int_equal(f->s->ops->identities_update(f->s, &u, NULL), JD_OK);
}

/* What the incremental analysis reads of resolve runs (store/incr_ops.h):
 * the watermark names the latest run, a stored mark of six fields reads as
 * run 0 and a damaged one is refused; whether runs in a range changed
 * identities (a full run, or an incremental one that recorded a change),
 * and the run id an update reports. */
static void test_storeops__resolve_runs(void **state)
{
    fx *f = *state;
    const struct jd_incr_ops *I = f->s->ops->incr;
    assert_non_null(I);
    int64_t full = 0, changed = 0, quiet = 0, got = -1;
    runs_made(f, &full, &changed, &quiet);
    assert_int_equal(jd_identity_generation(f->s, &got, NULL), JD_OK);
    assert_true(full > 0 && changed > full && quiet > changed);
    assert_int_equal(got, quiet); /* the update reports the run it recorded */
    bool between = false;
    assert_int_equal(I->resolve_changed(f->s, 0, full, &between, NULL), JD_OK);
    assert_true(between); /* a full run */
    assert_int_equal(I->resolve_changed(f->s, full, changed, &between, NULL), JD_OK);
    assert_true(between); /* a change recorded */
    assert_int_equal(I->resolve_changed(f->s, changed, quiet, &between, NULL), JD_OK);
    assert_false(between); /* an incremental run that changed nothing */
    assert_int_equal(I->resolve_changed(f->s, full, quiet, &between, NULL), JD_OK);
    assert_true(between);
    /* the person_ids those runs changed (the person index's patch) */
    seen p = {0};
    bool whole = false;
    assert_int_equal(I->persons_changed(f->s, 0, full, &whole, on_pid, &p, NULL), JD_OK);
    assert_true(whole); /* a full run: every identity */
    assert_int_equal(p.n, 0);
    assert_int_equal(I->persons_changed(f->s, full, quiet, &whole, on_pid, &p, NULL), JD_OK);
    assert_false(whole);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.rows[0], "P-1");
    p.n = 0;
    assert_int_equal(I->persons_changed(f->s, changed, quiet, &whole, on_pid, &p, NULL), JD_OK);
    assert_false(whole);
    assert_int_equal(p.n, 0); /* an incremental run that changed nothing */
    char mark[JD_MARK_MAX], want[32];
    assert_int_equal(I->mark_now(f->s, mark, NULL), JD_OK);
    snprintf(want, sizeof want, ",%lld", (long long)quiet);
    assert_string_equal(mark + strlen(mark) - strlen(want), want);
    assert_int_equal(I->mark_set(f->s, mark, NULL), JD_OK);
    assert_int_equal(I->mark_resolve_run(f->s, &got, NULL), JD_OK);
    assert_int_equal(got, quiet);
    assert_int_equal(I->mark_set(f->s, "1,2,3,4,5,6", NULL), JD_OK);
    assert_int_equal(I->mark_resolve_run(f->s, &got, NULL), JD_OK);
    assert_int_equal(got, 0);
    const char *bad[] = {"1,2,3,4,5", "1,2,3,4,5,6,7,8", "1,2,3,4,5,6,", "1,2,3,4,5,6,x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jd_error e;
        jd_error_clear(&e);
        assert_int_equal(I->mark_set(f->s, bad[i], NULL), JD_OK);
        int rc = I->mark_resolve_run(f->s, &got, &e);
        if (!bad[i][0]) { /* no watermark: nothing known */
            assert_int_equal(rc, JD_OK);
            assert_int_equal(got, 0);
            continue;
        }
        assert_int_equal(rc, JD_EINVALID);
        assert_non_null(strstr(e.msg, "malformed analysis watermark"));
    }
}

static void test_storeops__identities_update(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    put_mention(f, "police", "E2", "N2");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P-1", .display_name = "Amy S"},
                               {.person_id = "P-2", .display_name = "Bea T", .note = "old"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 11, "P-2", NULL, 0, 0}, {"csc", "C1", "P-1", 12, NULL, NULL, 0, 0},
                               {"police", "N2", "P-2", 13, "P-1", NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 2, NULL, "{\"m\":1}", 3, 1,
                                                   NULL),
                     JD_OK);
    int64_t gen1 = -1, gen2 = -1;
    assert_int_equal(jd_identity_generation(f->s, &gen1, NULL), JD_OK);
    /* refused: N2 names P-9, not updated; then P-2 gone while N2 still names it */
    jd_identity_info up_info[] = {{.person_id = "P-1", .display_name = "Amy Smith", .note = "merged"}};
    jd_identity_save bad[] = {{"police", "N2", "P-9", 21, NULL, NULL, 0, 0}};
    const char *gone[] = {"P-2"};
    jd_identity_change_save ch[] = {{"P-1", "P-2", 2 | 8}, {"P-2", "P-1", 32}};
    jd_identity_update u = {.refs = bad, .nrefs = 1, .info = up_info, .ninfo = 1, .gone = gone,
                            .ngone = 1, .changes = ch, .nchanges = 2, .refs_total = 3,
                            .identities_total = 1};
    jd_error e;
    assert_int_equal(f->s->ops->identities_update(f->s, &u, &e), JD_EINVALID);
    assert_non_null(strstr(e.msg, "P-9"));
    u.nrefs = 0;
    assert_int_equal(f->s->ops->identities_update(f->s, &u, &e), JD_EINVALID);
    assert_non_null(strstr(e.msg, "P-2"));
    fps s = {0};
    assert_int_equal(f->s->ops->identity_refs(f->s, on_fp, &s, NULL), JD_OK);
    qsort(s.rows, (size_t)s.n, sizeof s.rows[0], cmp_row);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.rows[0], "csc:C1 P-1 12 -");
    assert_string_equal(s.rows[1], "police:N1 P-1 11 P-2");
    assert_string_equal(s.rows[2], "police:N2 P-2 13 P-1"); /* nothing changed */
    /* the merge: N2 joins P-1, P-2 goes */
    jd_identity_save moved[] = {{"police", "N2", "P-1", 23, NULL, NULL, 0, 0}, {"police", "N1", "P-1", 11, NULL, NULL, 0, 0}};
    u.refs = moved;
    u.nrefs = 2;
    assert_int_equal(f->s->ops->identities_update(f->s, &u, NULL), JD_OK);
    assert_int_equal(jd_identity_generation(f->s, &gen2, NULL), JD_OK);
    assert_true(gen2 > gen1);
    fps s2 = {0};
    assert_int_equal(f->s->ops->identity_refs(f->s, on_fp, &s2, NULL), JD_OK);
    qsort(s2.rows, (size_t)s2.n, sizeof s2.rows[0], cmp_row);
    assert_int_equal(s2.n, 3);
    assert_string_equal(s2.rows[0], "csc:C1 P-1 12 -");
    assert_string_equal(s2.rows[1], "police:N1 P-1 11 -");
    assert_string_equal(s2.rows[2], "police:N2 P-1 23 -");
    seen r = {0};
    assert_int_equal(f->s->ops->identity_rows(f->s, on_identity, &r, NULL), JD_OK);
    assert_int_equal(r.n, 3); /* P-2 is gone */
    seen p = {0};
    bool whole = true;
    assert_int_equal(f->s->ops->incr->persons_changed(f->s, gen1, gen2, &whole, on_pid, &p, NULL),
                     JD_OK);
    qsort(p.rows, (size_t)p.n, sizeof p.rows[0], cmp_row);
    assert_false(whole);
    assert_int_equal(p.n, 2); /* each once: the merge's and the gone one */
    assert_string_equal(p.rows[0], "P-1");
    assert_string_equal(p.rows[1], "P-2");
    char *model = NULL;
    assert_int_equal(f->s->ops->model_load(f->s, &model, NULL), JD_OK);
    assert_string_equal(model, "{\"m\":1}"); /* the full run's */
    free(model);
}

/* A run rolled back leaves nothing; the next one stores from scratch (ids
 * are not reused wrongly: the event's mentions still find it). The same
 * record again later in the same file is a conflict and the first row is
 * kept (issue 19); from another file of the same load it is an update with
 * the first in history. */
typedef struct key_hits {
    int n;
    char rows[8][64];
} key_hits;

static int on_key(uint64_t key, const char *agency, const char *ref, void *payload)
{
    key_hits *h = payload;
    if (h->n < 8)
        snprintf(h->rows[h->n], sizeof h->rows[0], "%llu %s:%s", (unsigned long long)key, agency,
                 ref);
    h->n++;
    return 0;
}

static int on_ref_mention(const jd_mention_row *m, void *payload)
{
    key_hits *h = payload;
    if (h->n < 8)
        snprintf(h->rows[h->n], sizeof h->rows[0], "%s:%s %s %s", m->agency, m->person_ref,
                 m->surname ? m->surname : "-", m->event_postcode ? m->event_postcode : "-");
    h->n++;
    return 0;
}

/* Blocking keys (ref_key): none before a run gave them (*have false); a
 * replace stores each ref's keys, found by key (a key of two refs finds
 * both, a key of the top bit set keeps its sign); an update replaces the
 * keys of the refs that carry some and leaves the others'; a replace with
 * no keys leaves none. mentions_of gives the mentions of the refs asked for
 * only, in the order of mentions, each with its event's postcode. */
static void test_storeops__ref_keys(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    put_mention(f, "police", "E2", "N2");
    put_mention(f, "police", "E3", "N1");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    key_hits h = {0};
    bool have = true;
    uint64_t ask[] = {7, UINT64_C(0xb000000000000001), 9};
    assert_int_equal(f->s->ops->refs_by_keys(f->s, ask, 3, &have, on_key, &h, NULL), JD_OK);
    assert_false(have);
    assert_int_equal(h.n, 0);
    uint64_t k1[] = {7, UINT64_C(0xb000000000000001)}, k2[] = {7}, k3[] = {9};
    jd_identity_info info[] = {{.person_id = "P-1"}, {.person_id = "P-2"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 11, NULL, k1, 2, 0},
                               {"csc", "C1", "P-1", 12, NULL, k2, 1, 0},
                               {"police", "N2", "P-2", 13, NULL, k3, 1, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 2, NULL, "{}", 3, 1, NULL),
                     JD_OK);
    assert_int_equal(f->s->ops->refs_by_keys(f->s, ask, 2, &have, on_key, &h, NULL), JD_OK);
    assert_true(have);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.rows[0], "12682136550675316737 police:N1"); /* signed order: first */
    assert_string_equal(h.rows[1], "7 csc:C1");
    assert_string_equal(h.rows[2], "7 police:N1");
    /* an update: N1's keys replaced, C1 (no keys given) keeps its own */
    uint64_t k4[] = {9};
    jd_identity_save moved[] = {{"police", "N1", "P-2", 21, NULL, k4, 1, 0},
                                {"csc", "C1", "P-1", 12, NULL, NULL, 0, 0}};
    jd_identity_update up = {.refs = moved, .nrefs = 2, .info = info, .ninfo = 2};
    assert_int_equal(f->s->ops->identities_update(f->s, &up, NULL), JD_OK);
    h.n = 0;
    assert_int_equal(f->s->ops->refs_by_keys(f->s, ask, 3, &have, on_key, &h, NULL), JD_OK);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.rows[0], "7 csc:C1");
    assert_string_equal(h.rows[1], "9 police:N1");
    assert_string_equal(h.rows[2], "9 police:N2");
    /* mentions of some refs only: N1's two (of two events), C1's one */
    const char *ag[] = {"police", "csc", "police"}, *rf[] = {"N1", "C1", "N404"};
    h.n = 0;
    assert_int_equal(f->s->ops->mentions_of(f->s, ag, rf, 3, on_ref_mention, &h, NULL), JD_OK);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.rows[0], "csc:C1 Smith OX4 1AB");
    assert_string_equal(h.rows[1], "police:N1 Smith OX4 1AB");
    assert_string_equal(h.rows[2], "police:N1 Smith OX4 1AB");
    /* a replace that gives no keys: none stored, none claimed */
    jd_identity_save bare[] = {{"police", "N1", "P-1", 11, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, bare, 1, info, 1, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    h.n = 0;
    assert_int_equal(f->s->ops->refs_by_keys(f->s, ask, 3, &have, on_key, &h, NULL), JD_OK);
    assert_false(have);
    assert_int_equal(h.n, 0);
}

/* police:N1, stored under keys 7 and 0xb000000000000001 of P-1 (info),
 * updated to key 9 alone: the update read the keys it had off its row and
 * took it out of them, so only "9 police:N1" is found. */
static void moved_to_nine(fx *f, const jd_identity_info *info)
{
    uint64_t k9[] = {9};
    jd_identity_save moved[] = {{"police", "N1", "P-1", 21, NULL, k9, 1, 0}};
    jd_identity_update up = {.refs = moved, .nrefs = 1, .info = info, .ninfo = 1};
    assert_int_equal(f->s->ops->identities_update(f->s, &up, NULL), JD_OK);
    key_hits h = {0};
    bool have = false;
    uint64_t ask[] = {7, UINT64_C(0xb000000000000001), 9};
    assert_int_equal(f->s->ops->refs_by_keys(f->s, ask, 3, &have, on_key, &h, NULL), JD_OK);
    assert_true(have);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.rows[0], "9 police:N1");
}

/* One SQL statement on a SQLite store's file, from a connection of its own;
 * the first column of its row as text into out (when out is not NULL). */
static void sql_on_file(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int r = sqlite3_step(st);
    assert_true(r == SQLITE_ROW || r == SQLITE_DONE);
    if (out)
        snprintf(out, n, "%s", r == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* One statement on the store at path, a SQLite file or a PostgreSQL URL
 * (JD_TEST_DB set); its first value into out when out is not NULL. */
static void sql_on_store(const char *path, const char *sql, char *out, size_t n)
{
#ifdef JD_HAVE_POSTGRES
    if (scratch_is_pg()) {
        PGconn *c = PQconnectdb(path);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PGresult *r = PQexec(c, sql);
        ExecStatusType t = PQresultStatus(r);
        assert_true(t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK);
        if (out)
            snprintf(out, n, "%s", t == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
        PQclear(r);
        PQfinish(c);
        return;
    }
#endif
    sql_on_file(path, sql, out, n);
}

/* The migration "identity changes by resolve run" from the schema version
 * before it: a store at that version (no identity_change_run index, no row
 * for the migration) opened again is migrated, keeps its changes, and the
 * queries by run read the index (SQLite's plan) instead of scanning. */
static void test_storeops__identity_change_run_index(void **state)
{
    fx *f = *state;
    const struct jd_incr_ops *I = f->s->ops->incr;
    int64_t full = 0, changed = 0;
    runs_made(f, &full, &changed, NULL);
    int v = 0, v2 = 0;
    assert_int_equal(jd_store_schema_version(f->s, &v, NULL), JD_OK);
    jd_store_close(f->s);
    f->s = NULL;
    const char *has = scratch_is_pg()
                          ? "SELECT count(*) FROM pg_indexes WHERE indexname = 'identity_change_run'"
                          : "SELECT count(*) FROM sqlite_master WHERE name = 'identity_change_run'";
    char got[256], sql[96];
    sql_on_store(f->path, has, got, sizeof got);
    assert_string_equal(got, "1");
    /* back to the version before (and before any migration after it) */
    sql_on_store(f->path,
                 "SELECT version FROM schema_migration"
                 " WHERE description = 'identity changes by resolve run'",
                 got, sizeof got);
    int mv = atoi(got);
    assert_true(mv > 0 && mv <= v);
    sql_on_store(f->path, "DROP INDEX identity_change_run", NULL, 0);
    snprintf(sql, sizeof sql, "DELETE FROM schema_migration WHERE version >= %d", mv);
    sql_on_store(f->path, sql, NULL, 0);
    if (!scratch_is_pg()) {
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", mv - 1);
        sql_on_store(f->path, sql, NULL, 0);
    }
    sql_on_store(f->path, has, got, sizeof got);
    assert_string_equal(got, "0");
    jd_error e;
    assert_int_equal(jd_store_open(&f->s, f->path, NULL, &e), JD_OK);
    assert_int_equal(jd_store_schema_version(f->s, &v2, NULL), JD_OK);
    assert_int_equal(v2, v);
    sql_on_store(f->path, has, got, sizeof got);
    assert_string_equal(got, "1");
    snprintf(sql, sizeof sql, "SELECT description FROM schema_migration WHERE version = %d", mv);
    sql_on_store(f->path, sql, got, sizeof got);
    assert_string_equal(got, "identity changes by resolve run");
    I = f->s->ops->incr;
    seen p = {0};
    bool whole = true, between = false;
    assert_int_equal(I->persons_changed(f->s, full, changed, &whole, on_pid, &p, NULL), JD_OK);
    assert_false(whole);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.rows[0], "P-1");
    assert_int_equal(I->resolve_changed(f->s, full, changed, &between, NULL), JD_OK);
    assert_true(between);
    if (scratch_is_pg())
        return; /* a table this small is scanned whatever its indexes */
    const char *by_run[] = {
        "EXPLAIN QUERY PLAN SELECT person_id FROM identity_change WHERE run_id > 1"
        " AND run_id <= 2",
        "EXPLAIN QUERY PLAN SELECT EXISTS (SELECT 1 FROM identity_change WHERE run_id > 1"
        " AND run_id <= 2)"};
    for (size_t i = 0; i < 2; i++) {
        char plan[256] = "";
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, by_run[i], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
            snprintf(plan + strlen(plan), sizeof plan - strlen(plan), "%s;",
                     (const char *)sqlite3_column_text(st, 3));
        sqlite3_finalize(st);
        sqlite3_close(db);
        assert_non_null(strstr(plan, "identity_change_run"));
    }
}

/* SQLite keeps a ref's own keys on identity_ref as a BLOB (8 bytes a key);
 * a row of a store from before, in decimal text, is still read by an
 * update (the ref taken out of the keys it had). */
static void test_storeops__keys_blob_and_text(void **state)
{
    fx *f = *state;
    if (scratch_is_pg()) {
        skip(); /* PostgreSQL's column is text, read by test_storeops__ref_keys */
        return;
    }
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "police", "E2", "N2");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    uint64_t k1[] = {7, UINT64_C(0xb000000000000001)}, none[] = {0};
    jd_identity_info info[] = {{.person_id = "P-1"}, {.person_id = "P-2"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 11, NULL, k1, 2, 0},
                               {"police", "N2", "P-2", 12, NULL, none, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 2, info, 2, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    char got[96];
    sql_on_file(f->path, "SELECT typeof(keys) || ' ' || length(keys) || ' ' || hex(keys)"
                         " FROM identity_ref WHERE person_ref = 'N1'", got, sizeof got);
    assert_string_equal(got, "blob 16 070000000000000001000000000000B0");
    sql_on_file(f->path, "SELECT typeof(keys) || ' ' || length(keys)"
                         " FROM identity_ref WHERE person_ref = 'N2'", got, sizeof got);
    assert_string_equal(got, "blob 0"); /* no keys: empty, not NULL */
    /* N1's row as a store before wrote it: its update still finds key 7 */
    sql_on_file(f->path, "UPDATE identity_ref SET keys = '7 12682136550675316737'"
                         " WHERE person_ref = 'N1'", NULL, 0);
    moved_to_nine(f, info);
    sql_on_file(f->path, "SELECT typeof(keys) FROM identity_ref WHERE person_ref = 'N1'", got,
                sizeof got);
    assert_string_equal(got, "blob");
}

/* A re-resolve on SQLite writes only the rows that differ: an unchanged
 * identity keeps its updated_at and its note's row, a changed one is
 * rewritten, a ref no longer saved loses its row, and an identity left
 * with no ref goes with its note -- the rows a first resolve would leave. */
static void test_storeops__replace_writes_changes(void **state)
{
    fx *f = *state;
    if (scratch_is_pg()) {
        skip(); /* PostgreSQL replaces every row (COPY) */
        return;
    }
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "police", "E2", "N2");
    put_mention(f, "police", "E3", "N3");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    uint64_t k1[] = {7}, k2[] = {9};
    jd_identity_info info[] = {{.person_id = "P-1", .display_name = "Amy", .note = "one"},
                               {.person_id = "P-2", .display_name = "Bea", .note = "two"},
                               {.person_id = "P-3", .display_name = "Cy", .note = "three"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 11, NULL, k1, 1, 0},
                               {"police", "N2", "P-2", 12, "P-1", k2, 1, 0},
                               {"police", "N3", "P-3", 13, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 3, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    sql_on_file(f->path, "UPDATE identity SET updated_at = 5", NULL, 0);
    char got[160], rowid[32];
    sql_on_file(f->path, "SELECT n.id FROM identity_note n JOIN identity i ON i.id ="
                         " n.identity_id WHERE i.person_id = 'P-1'", rowid, sizeof rowid);
    /* again: P-1 as it was, P-2 renamed, N3 not saved (its mentions gone) */
    info[1].display_name = "Beatrice";
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 2, info, 2, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    sql_on_file(f->path, "SELECT group_concat(person_id || '=' || display_name || '@' ||"
                         " (updated_at = 5), ' ') FROM (SELECT * FROM identity ORDER BY person_id)",
                got, sizeof got);
    assert_string_equal(got, "P-1=Amy@1 P-2=Beatrice@0");
    sql_on_file(f->path, "SELECT group_concat(person_ref || ':' || fp || ':' || ifnull(nbr, '-')"
                         " || ':' || hex(keys), ' ') FROM (SELECT * FROM identity_ref"
                         " ORDER BY person_ref)", got, sizeof got);
    assert_string_equal(got, "N1:11:-:0700000000000000 N2:12:P-1:0900000000000000");
    sql_on_file(f->path, "SELECT group_concat(note, ' ') FROM (SELECT note FROM identity_note"
                         " ORDER BY note)", got, sizeof got);
    assert_string_equal(got, "one two");
    char again[32];
    sql_on_file(f->path, "SELECT n.id FROM identity_note n JOIN identity i ON i.id ="
                         " n.identity_id WHERE i.person_id = 'P-1'", again, sizeof again);
    assert_string_equal(again, rowid); /* P-1's note not written again */
}

/* One text of the rows a query gives (each a text; on either backend), in
 * order, space-separated: a sorted list to compare. */
static void rows_text(const char *path, const char *rows, char *out, size_t n)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             scratch_is_pg() ? "SELECT coalesce(string_agg(x, ' ' ORDER BY x), '') FROM (%s) t"
                             : "SELECT ifnull(group_concat(x, ' '), '') FROM (SELECT x FROM"
                               " (%s) ORDER BY x)",
             rows);
    sql_on_store(path, sql, out, n);
}

/* A re-resolve whose refs move between identities, one of which loses its
 * last ref, and where a ref is no longer saved (its mentions gone): the
 * rows left are those the second save alone would write into an empty
 * store (row ids aside): the identities of the refs saved, each with its
 * own note, no note or identity of those left with no ref, and the
 * blocking keys of the refs saved (a key no ref has now deleted; SQLite
 * writes only the key whose list changed). */
static void test_storeops__replace_moves_refs(void **state)
{
    fx *f = *state;
    const char *rf[] = {"N1", "N2", "N3", "N4", "N5"};
    for (int i = 0; i < 5; i++) {
        char rid[8];
        snprintf(rid, sizeof rid, "E%d", i + 1);
        put_mention(f, "police", rid, rf[i]);
    }
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P1", .display_name = "Amy", .note = "p1"},
                               {.person_id = "P2", .display_name = "Bea", .note = "p2"},
                               {.person_id = "P3", .display_name = "Cy", .note = "p3"},
                               {.person_id = "P4", .display_name = "Di", .note = "p4"}};
    const uint64_t neg = UINT64_C(0xb000000000000001), gone = UINT64_C(0xc000000000000002);
    uint64_t k79[] = {7, 9}, k9[] = {9}, kneg[] = {neg}, k11[] = {11}, kgone[] = {gone},
             k7_11[] = {7, 11};
    jd_identity_save refs[] = {{"police", "N1", "P1", 11, NULL, k79, 2, 0},
                               {"police", "N2", "P1", 12, "P2", k9, 1, 0},
                               {"police", "N3", "P2", 13, "P1", kneg, 1, 0},
                               {"police", "N4", "P3", 14, NULL, k11, 1, 0},
                               {"police", "N5", "P4", 15, NULL, kgone, 1, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 5, info, 4, NULL, "{}", 5, 1, NULL),
                     JD_OK);
    /* N2 to P2, N4 to P1 (P3 left with none), N5 not saved (P4 with none) */
    jd_identity_info info2[] = {{.person_id = "P1", .display_name = "Amy", .note = "p1"},
                                {.person_id = "P2", .display_name = "Bea", .note = "p2 now"}};
    jd_identity_save refs2[] = {{"police", "N1", "P1", 11, NULL, k79, 2, 0},
                                {"police", "N2", "P2", 12, NULL, k9, 1, 0},
                                {"police", "N3", "P2", 13, NULL, kneg, 1, 0},
                                {"police", "N4", "P1", 14, "P2", k7_11, 2, 0}};
    if (!scratch_is_pg()) { /* which ref_key rows are written (PostgreSQL: all) */
        sql_on_file(f->path, "CREATE TABLE probe(k INTEGER)", NULL, 0);
        sql_on_file(f->path, "CREATE TRIGGER probe_key BEFORE INSERT ON ref_key BEGIN"
                             " INSERT INTO probe VALUES (new.key); END", NULL, 0);
    }
    assert_int_equal(f->s->ops->identities_replace(f->s, refs2, 4, info2, 2, NULL, "{}", 4, 1,
                                                   NULL),
                     JD_OK);
    char got[256];
    rows_text(f->path, "SELECT person_id || '=' || display_name AS x FROM identity", got,
              sizeof got);
    assert_string_equal(got, "P1=Amy P2=Bea");
    rows_text(f->path,
              "SELECT r.person_ref || '>' || i.person_id || ':' || r.fp || ':' ||"
              " coalesce(r.nbr, '-') AS x FROM identity_ref r JOIN identity i ON i.id ="
              " r.identity_id",
              got, sizeof got);
    assert_string_equal(got, "N1>P1:11:- N2>P2:12:- N3>P2:13:- N4>P1:14:P2");
    rows_text(f->path, "SELECT count(*) || ' refs' AS x FROM identity_ref", got, sizeof got);
    assert_string_equal(got, "4 refs");
    rows_text(f->path,
              "SELECT i.person_id || ':' || n.note AS x FROM identity_note n JOIN identity i"
              " ON i.id = n.identity_id",
              got, sizeof got);
    assert_string_equal(got, "P1:p1 P2:p2 now");
    /* no note left behind by P3 or P4 */
    rows_text(f->path, "SELECT count(*) || ' notes' AS x FROM identity_note", got, sizeof got);
    assert_string_equal(got, "2 notes");
    /* ref_key: key 7 gains N4, N5's key goes, the others as they were (and,
     * on SQLite, only key 7's row written again) */
    key_hits h = {0};
    bool have = false;
    uint64_t ask[] = {gone, neg, 7, 9, 11};
    assert_int_equal(f->s->ops->refs_by_keys(f->s, ask, 5, &have, on_key, &h, NULL), JD_OK);
    assert_true(have);
    const char *want[] = {"12682136550675316737 police:N3", "7 police:N1", "7 police:N4",
                          "9 police:N1", "9 police:N2", "11 police:N4"};
    assert_int_equal(h.n, 6);
    for (int i = 0; i < 6; i++)
        assert_string_equal(h.rows[i], want[i]);
    if (!scratch_is_pg()) {
        sql_on_file(f->path, "SELECT ifnull(group_concat(k, ' '), '') FROM probe", got,
                    sizeof got);
        assert_string_equal(got, "7");
        sql_on_file(f->path, "SELECT count(*) FROM ref_key", got, sizeof got);
        assert_string_equal(got, "4");
    }
}

/* A re-resolve's save reads the identities as they were in one scan and
 * sends no statement for one that matches: a trigger counts the upserts
 * tried (BEFORE INSERT fires for an upsert that finds its row). Each field
 * compared, the note's presence and an identity with two notes are
 * written as before; identity_ref's rows the same way, a row whose keys
 * are text rewritten. */
static void test_storeops__replace_skips_unchanged(void **state)
{
    fx *f = *state;
    if (scratch_is_pg()) {
        skip(); /* PostgreSQL replaces every row (COPY) */
        return;
    }
    const char *rf[] = {"N1", "N2", "N3", "N4", "N5", "N6", "N7"};
    uint64_t k1[] = {7}, k2[] = {7, 9};
    jd_identity_save refs[7];
    for (int i = 0; i < 7; i++) {
        char rid[8];
        snprintf(rid, sizeof rid, "E%d", i + 1);
        put_mention(f, "police", rid, rf[i]);
        refs[i] = (jd_identity_save){"police", rf[i], NULL, 10 + i, NULL, k1, 1, 0};
    }
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {
        {.person_id = "P1", .display_name = "Amy", .dob = "2001-01-01", .note = "one"},
        {.person_id = "P2", .display_name = "Bea", .note = "two"},
        {.person_id = "P3", .display_name = "Cy", .note = "three"},
        {.person_id = "P4", .display_name = "Di", .note = "four"},
        {.person_id = "P5", .display_name = "Ed", .note = "five"},
        {.person_id = "P6", .display_name = "Flo", .is_child = true},
        {.person_id = "P7", .display_name = NULL, .note = NULL}};
    const char *pid[] = {"P1", "P2", "P3", "P4", "P5", "P6", "P7"};
    for (int i = 0; i < 7; i++)
        refs[i].person_id = pid[i];
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 7, info, 7, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    sql_on_file(f->path, "CREATE TABLE probe(person_id TEXT)", NULL, 0);
    sql_on_file(f->path, "CREATE TRIGGER probe_up BEFORE INSERT ON identity BEGIN"
                         " INSERT INTO probe VALUES (new.person_id); END", NULL, 0);
    sql_on_file(f->path, "CREATE TRIGGER probe_ref BEFORE INSERT ON identity_ref BEGIN"
                         " INSERT INTO probe VALUES (new.person_ref); END", NULL, 0);
    sql_on_file(f->path, "INSERT INTO identity_note(identity_id, note) SELECT id, 'extra'"
                         " FROM identity WHERE person_id = 'P5'", NULL, 0);
    /* N7's keys as an old store's decimal text: written again as the BLOB */
    sql_on_file(f->path, "UPDATE identity_ref SET keys = '7' WHERE person_ref = 'N7'", NULL, 0);
    char got[400];
    /* the same again: no identity tried but P5 (two notes), no ref but N7 */
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 7, info, 7, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    sql_on_file(f->path, "SELECT ifnull(group_concat(person_id, ' '), '') FROM probe", got,
                sizeof got);
    assert_string_equal(got, "P5 N7");
    sql_on_file(f->path, "DELETE FROM probe", NULL, 0);
    /* each ref's column changed once, N2 to another identity */
    refs[0].fp = 99;
    refs[1].person_id = "P1";
    refs[2].nbr = "P1";
    refs[3].keys = k2;
    refs[3].nkeys = 2;
    refs[4].keys = NULL;
    /* each field changed once: P1 as it was */
    info[1].display_name = "Beatrice";
    info[2].dob = "1999-09-09";
    info[3].note = NULL;
    info[5].is_child = false;
    info[6].note = "seven";
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 7, info, 7, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    sql_on_file(f->path, "SELECT group_concat(person_id, ' ') FROM (SELECT person_id FROM probe"
                         " ORDER BY person_id)", got, sizeof got);
    assert_string_equal(got, "N1 N2 N3 N4 N5 P2 P3 P4 P6 P7");
    sql_on_file(f->path, "SELECT group_concat(person_ref || ':' || i.person_id || ':' || r.fp"
                         " || ':' || ifnull(nbr, '-') || ':' || typeof(keys) || hex(keys), ' ') FROM (SELECT * FROM identity_ref ORDER BY person_ref) r JOIN"
                         " identity i ON i.id = r.identity_id", got, sizeof got);
    assert_string_equal(got, "N1:P1:99:-:blob0700000000000000 N2:P1:11:-:blob0700000000000000"
                             " N3:P3:12:P1:blob0700000000000000"
                             " N4:P4:13:-:blob07000000000000000900000000000000 N5:P5:14:-:null"
                             " N6:P6:15:-:blob0700000000000000 N7:P7:16:-:blob0700000000000000");
    sql_on_file(f->path, "SELECT group_concat(person_id || '=' || ifnull(display_name, '-') || ':'"
                         " || ifnull(dob, '-') || ':' || is_child || ':' || ifnull((SELECT"
                         " group_concat(note, '+') FROM identity_note n WHERE n.identity_id ="
                         " i.id), '-'), ' ') FROM (SELECT * FROM identity ORDER BY person_id) i",
                got, sizeof got);
    /* P2 left without a ref: gone */
    assert_string_equal(got, "P1=Amy:2001-01-01:0:one P3=Cy:1999-09-09:0:three P4=Di:-:0:-"
                             " P5=Ed:-:0:five P6=Flo:-:0:- P7=-:-:0:seven");
}

/* The notes of the store, sorted and joined by spaces, into got. */
static void notes_of(fx *f, char *got, size_t n)
{
    sql_on_store(f->path,
                 scratch_is_pg() ? "SELECT coalesce(string_agg(note, ' ' ORDER BY note), '')"
                                   " FROM identity_note"
                                 : "SELECT ifnull(group_concat(note, ' '), '') FROM (SELECT note"
                                   " FROM identity_note ORDER BY note)",
                 got, n);
}

/* A note maker for the tests: identity i's note is "made-i" (none for i
 * == none), fails at i == fail; calls counted. */
typedef struct maker_ctx {
    size_t calls, none, fail;
    char buf[32];
} maker_ctx;

static int test_maker(void *payload, size_t i, const char **note)
{
    maker_ctx *m = payload;
    m->calls++;
    if (i == m->fail)
        return JD_ENOMEM;
    snprintf(m->buf, sizeof m->buf, "made-%zu", i);
    *note = i == m->none ? NULL : m->buf;
    return JD_OK;
}

/* A replace given a note maker writes the notes it makes, one call an
 * identity, not info[].note (a first resolve and a re-resolve alike); a
 * maker that fails leaves the store as it was. */
static void test_storeops__replace_notes_made(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "police", "E2", "N2");
    put_mention(f, "police", "E3", "N3");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P-1", .display_name = "Amy", .note = "unused"},
                               {.person_id = "P-2", .display_name = "Bea"},
                               {.person_id = "P-3", .display_name = "Cy"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 0, NULL, NULL, 0, 0},
                               {"police", "N2", "P-2", 0, NULL, NULL, 0, 0},
                               {"police", "N3", "P-3", 0, NULL, NULL, 0, 0}};
    maker_ctx m = {.none = 1, .fail = SIZE_MAX};
    jd_note_maker nm = {test_maker, &m};
    char got[160];
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 3, &nm, "{}", 1, 0, NULL),
                     JD_OK);
    assert_int_equal(m.calls, 3);
    notes_of(f, got, sizeof got);
    assert_string_equal(got, "made-0 made-2");
    /* again, P-2 with a note now: the re-resolve writes what differs */
    m = (maker_ctx){.none = 0, .fail = SIZE_MAX};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 3, &nm, "{}", 1, 0, NULL),
                     JD_OK);
    notes_of(f, got, sizeof got);
    assert_string_equal(got, "made-1 made-2");
    /* a maker failing at the second identity: an error, nothing changed */
    m = (maker_ctx){.none = SIZE_MAX, .fail = 1};
    jd_error e;
    info[0].display_name = "Amelia";
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 3, &nm, "{}", 1, 0, &e),
                     JD_ENOMEM);
    assert_non_null(strstr(e.msg, "note 1"));
    notes_of(f, got, sizeof got);
    assert_string_equal(got, "made-1 made-2");
    seen s = {0};
    assert_int_equal(f->s->ops->identity_rows(f->s, on_identity, &s, NULL), JD_OK);
    assert_int_equal(s.n, 3);
}

/* The refs stored under the keys asked for, into h (emptied first); how
 * many. */
static int keys_found(fx *f, const uint64_t *ask, size_t n, key_hits *h)
{
    bool have = false;
    h->n = 0;
    assert_int_equal(f->s->ops->refs_by_keys(f->s, ask, n, &have, on_key, h, NULL), JD_OK);
    assert_true(have);
    return h->n;
}

/* ref_key written early (keys_replace_early, SQLite only: a full resolve
 * writes it while clustering) is part of the replace that follows: kept
 * when identities_replace commits, gone with it when the replace is
 * refused or keys_abort rolls it back, the store then as it was and
 * writable. */
static void test_storeops__keys_replace_early(void **state)
{
    fx *f = *state;
    if (!f->s->ops->keys_replace_early) {
        skip();
        return;
    }
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "police", "E2", "N2");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    uint64_t k1[] = {7}, k2[] = {9}, ask[] = {7, 9};
    jd_identity_info info[] = {{.person_id = "P-1"}, {.person_id = "P-2"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 0, NULL, k1, 1, 0},
                               {"police", "N2", "P-2", 0, NULL, k2, 1, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 2, info, 2, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    /* early, then aborted: ref_key and identities as they were */
    jd_identity_save swapped[] = {{"police", "N1", "P-2", 0, NULL, k2, 1, 0},
                                  {"police", "N2", "P-1", 0, NULL, k1, 1, 0}};
    assert_int_equal(f->s->ops->keys_replace_early(f->s, swapped, 2, NULL), JD_OK);
    f->s->ops->keys_abort(f->s);
    f->s->ops->keys_abort(f->s); /* nothing open: nothing done */
    key_hits h = {0};
    assert_int_equal(keys_found(f, ask, 2, &h), 2);
    assert_string_equal(h.rows[0], "7 police:N1");
    assert_string_equal(h.rows[1], "9 police:N2");
    /* early, then a replace refused (a person_id with no identity) */
    jd_identity_save bad[] = {{"police", "N1", "P-404", 0, NULL, k2, 1, 0}};
    jd_error e;
    assert_int_equal(f->s->ops->keys_replace_early(f->s, bad, 1, NULL), JD_OK);
    assert_int_equal(f->s->ops->identities_replace(f->s, bad, 1, info, 2, NULL, "{}", 1, 0, &e),
                     JD_EINVALID);
    assert_int_equal(keys_found(f, ask, 2, &h), 2);
    assert_string_equal(h.rows[0], "7 police:N1");
    /* early, then the replace: its keys, its identities, one run */
    assert_int_equal(f->s->ops->keys_replace_early(f->s, swapped, 2, NULL), JD_OK);
    assert_int_equal(f->s->ops->identities_replace(f->s, swapped, 2, info, 2, NULL, "{}", 1, 0, NULL),
                     JD_OK);
    assert_int_equal(keys_found(f, ask, 2, &h), 2);
    assert_string_equal(h.rows[0], "7 police:N2");
    assert_string_equal(h.rows[1], "9 police:N1");
    seen s = {0};
    assert_int_equal(f->s->ops->identity_rows(f->s, on_identity, &s, NULL), JD_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.rows[0], "P-1 police:N2");
    assert_string_equal(s.rows[1], "P-2 police:N1");
    /* the keys on N1's identity_ref row (their text made early) are what an
     * update takes it out of: key 9 left with no ref */
    jd_identity_save back[] = {{"police", "N1", "P-2", 0, NULL, k1, 1, 0}};
    jd_identity_update up = {.refs = back, .nrefs = 1, .info = info, .ninfo = 2};
    assert_int_equal(f->s->ops->identities_update(f->s, &up, NULL), JD_OK);
    assert_int_equal(keys_found(f, ask, 2, &h), 2);
    assert_string_equal(h.rows[0], "7 police:N1");
    assert_string_equal(h.rows[1], "7 police:N2");
}

/* mentions_around gives every mention of every event naming one of the
 * refs asked for, each once, in the order of mentions: N1's two events,
 * with X1 named beside it in E1; not N2 (another event) nor C1. A ref
 * unknown adds nothing, and no refs give no rows. */
static void test_storeops__mentions_around(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    put_mention(f, "police", "E2", "N2");
    put_mention(f, "police", "E3", "N1");
    jd_put_result o;
    jd_person_row x = {.agency = "police", .record_id = "E1", .person_ref = "X1",
                       .role = "suspect", .surname = "Jones", .age = 30, .file_id = f->file,
                       .line = 4, .hash = 3};
    assert_int_equal(f->s->ops->put_person(f->s, &x, &o, NULL), JD_OK);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    const char *ag[] = {"police", "police", "police"}, *rf[] = {"N1", "N404", "N1"};
    key_hits h = {0};
    assert_int_equal(f->s->ops->mentions_around(f->s, ag, rf, 3, on_ref_mention, &h, NULL),
                     JD_OK);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.rows[0], "police:N1 Smith OX4 1AB");
    assert_string_equal(h.rows[1], "police:N1 Smith OX4 1AB");
    assert_string_equal(h.rows[2], "police:X1 Jones OX4 1AB");
    h.n = 0;
    assert_int_equal(f->s->ops->mentions_around(f->s, ag, rf, 0, on_ref_mention, &h, NULL), JD_OK);
    assert_int_equal(h.n, 0);
}

/* What mentions_halves gave: each part's rows, and the thread of each. */
typedef struct halves_seen {
    key_hits h;
    pthread_t thread;
    int threads; /* calls made on a thread other than the first call's */
} halves_seen;

static int on_half_mention(const jd_mention_row *m, void *payload)
{
    halves_seen *s = payload;
    if (s->h.n == 0)
        s->thread = pthread_self();
    else if (!pthread_equal(s->thread, pthread_self()))
        s->threads++;
    return on_ref_mention(m, &s->h);
}

static int refuse_half_mention(const jd_mention_row *m, void *payload)
{
    (void)m;
    (void)payload;
    return JD_ELIMIT;
}

/* mentions_halves: the rows of mentions, in their order, cut at the first
 * mention of a ref at or after the middle (N1's two mentions stay in the
 * first part, N2 starts the rest), the rest given on another thread; a
 * callback's refusal is returned, from either part. */
static void test_storeops__mentions_halves(void **state)
{
    fx *f = *state;
    if (scratch_is_pg()) {
        assert_null(f->s->ops->mentions_halves); /* PostgreSQL gives them in one part */
        skip();
    }
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    put_mention(f, "police", "E2", "N2");
    put_mention(f, "police", "E3", "N1");
    put_mention(f, "police", "E4", "N3");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_non_null(f->s->ops->mentions_halves);
    halves_seen a = {0}, z = {0};
    assert_int_equal(f->s->ops->mentions_halves(f->s, on_half_mention, &a, &z, NULL), JD_OK);
    assert_int_equal(a.h.n, 3);
    assert_string_equal(a.h.rows[0], "csc:C1 Smith OX4 1AB");
    assert_string_equal(a.h.rows[1], "police:N1 Smith OX4 1AB");
    assert_string_equal(a.h.rows[2], "police:N1 Smith OX4 1AB");
    assert_int_equal(z.h.n, 2);
    assert_string_equal(z.h.rows[0], "police:N2 Smith OX4 1AB");
    assert_string_equal(z.h.rows[1], "police:N3 Smith OX4 1AB");
    assert_int_equal(a.threads + z.threads, 0);
    assert_true(pthread_equal(a.thread, pthread_self()));
    assert_false(pthread_equal(z.thread, pthread_self()));
    /* the whole, in one part: the same rows in the same order */
    halves_seen w = {0};
    assert_int_equal(f->s->ops->mentions(f->s, on_half_mention, &w, NULL), JD_OK);
    assert_int_equal(w.h.n, 5);
    assert_string_equal(w.h.rows[2], a.h.rows[2]);
    assert_string_equal(w.h.rows[3], z.h.rows[0]);
    assert_int_equal(f->s->ops->mentions_halves(f->s, refuse_half_mention, &a, &z, NULL),
                     JD_ELIMIT);
}

/* identity_refs_of: the stored rows of the refs asked for that are
 * resolved (N1 with its fingerprint and neighbours; N404 unknown and X1
 * unresolved give nothing) and of every ref of the identities asked for
 * (P-2: N2), each once (N1 asked twice, and through P-1 too); nothing
 * asked, nothing given. */
static int on_idr(const jd_identity_row *r, void *payload)
{
    key_hits *h = payload;
    if (h->n < 8)
        snprintf(h->rows[h->n], sizeof h->rows[0], "%s %s:%s %lld %s", r->person_id, r->agency,
                 r->person_ref, (long long)r->fp, r->nbr ? r->nbr : "-");
    h->n++;
    return 0;
}

static void test_storeops__identity_refs_of(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    put_mention(f, "police", "E2", "N2");
    put_mention(f, "police", "E3", "X1");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    jd_identity_info info[] = {{.person_id = "P-1"}, {.person_id = "P-2"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 11, "P-2", NULL, 0, 0},
                               {"csc", "C1", "P-1", 12, NULL, NULL, 0, 0},
                               {"police", "N2", "P-2", 13, NULL, NULL, 0, 0}};
    assert_int_equal(f->s->ops->identities_replace(f->s, refs, 3, info, 2, NULL, "{}", 3, 1, NULL),
                     JD_OK);
    const struct jd_incr_ops *I = f->s->ops->incr;
    const char *ag[] = {"police", "police", "police", "police"},
               *rf[] = {"N1", "N404", "X1", "N1"}, *pid[] = {"P-2", "P-1"};
    key_hits h = {0};
    assert_int_equal(I->identity_refs_of(f->s, ag, rf, 4, pid, 1, on_idr, &h, NULL), JD_OK);
    assert_int_equal(h.n, 2);
    qsort(h.rows, 2, sizeof h.rows[0], cmp_row);
    assert_string_equal(h.rows[0], "P-1 police:N1 11 P-2");
    assert_string_equal(h.rows[1], "P-2 police:N2 13 -");
    h.n = 0;
    assert_int_equal(I->identity_refs_of(f->s, ag, rf, 1, pid + 1, 1, on_idr, &h, NULL), JD_OK);
    assert_int_equal(h.n, 2); /* N1 once, C1 through P-1 */
    qsort(h.rows, 2, sizeof h.rows[0], cmp_row);
    assert_string_equal(h.rows[0], "P-1 csc:C1 12 -");
    assert_string_equal(h.rows[1], "P-1 police:N1 11 P-2");
    h.n = 0;
    assert_int_equal(I->identity_refs_of(f->s, ag, rf, 0, pid, 0, on_idr, &h, NULL), JD_OK);
    assert_int_equal(h.n, 0);
}

static int on_since_ref(const char *agency, const char *ref, void *payload)
{
    key_hits *h = payload;
    if (h->n < 8)
        snprintf(h->rows[h->n], sizeof h->rows[0], "%s:%s", agency, ref);
    h->n++;
    return 0;
}

/* The refs since a resolve watermark, sorted into h (at most 8). */
static int since(fx *f, const char *mark, key_hits *h)
{
    h->n = 0;
    jd_error e;
    int rc = f->s->ops->incr->refs_since(f->s, mark, on_since_ref, h, &e);
    qsort(h->rows, (size_t)(h->n < 8 ? h->n : 8), sizeof h->rows[0], cmp_row);
    return rc;
}

/* The resolve watermark (issue 17): none saved at first; saved, read back;
 * the refs since it are those of events added after it (all of an event's
 * refs, the new mention's and the others'), of a mention corrected after
 * it (its history), and of link decisions after it; none since the mark
 * of now; a malformed mark is refused. */
static void test_storeops__resolve_mark(void **state)
{
    fx *f = *state;
    const struct jd_incr_ops *I = f->s->ops->incr;
    assert_non_null(I);
    char m0[JD_MARK_MAX], m1[JD_MARK_MAX], m2[JD_MARK_MAX], got[JD_MARK_MAX];
    put_mention(f, "police", "E1", "N1");
    put_mention(f, "csc", "C1", "C1");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_int_equal(I->resolve_mark_get(f->s, got, NULL), JD_OK);
    assert_string_equal(got, "");
    assert_int_equal(I->resolve_mark_now(f->s, m0, NULL), JD_OK);
    assert_int_equal(I->resolve_mark_set(f->s, m0, NULL), JD_OK);
    assert_int_equal(I->resolve_mark_get(f->s, got, NULL), JD_OK);
    assert_string_equal(got, m0);
    key_hits h;
    assert_int_equal(since(f, m0, &h), JD_OK);
    assert_int_equal(h.n, 0);
    /* a second person in E1, a new event of N2 */
    assert_int_equal(start_ingest(f), 0);
    jd_put_result o;
    jd_person_row p = {.agency = "police", .record_id = "E1", .person_ref = "N3",
                       .role = "witness", .surname = "Jones", .age = 40, .file_id = f->file,
                       .line = 4, .hash = 3};
    assert_int_equal(f->s->ops->put_person(f->s, &p, &o, NULL), JD_OK);
    put_mention(f, "police", "E2", "N2");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_int_equal(since(f, m0, &h), JD_OK);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.rows[0], "police:N1");
    assert_string_equal(h.rows[1], "police:N2");
    assert_string_equal(h.rows[2], "police:N3");
    assert_int_equal(I->resolve_mark_now(f->s, m1, NULL), JD_OK);
    assert_int_equal(since(f, m1, &h), JD_OK);
    assert_int_equal(h.n, 0);
    /* C1's mention corrected (another file): C1 only */
    assert_int_equal(start_ingest(f), 0);
    jd_person_row c = {.agency = "csc", .record_id = "C1", .person_ref = "C1",
                       .role = "subject", .surname = "Smyth", .age = 12, .file_id = f->file,
                       .line = 3, .hash = 9};
    assert_int_equal(f->s->ops->put_person(f->s, &c, &o, NULL), JD_OK);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_int_equal(since(f, m1, &h), JD_OK);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.rows[0], "csc:C1");
    /* a link decision: both its refs */
    assert_int_equal(I->resolve_mark_now(f->s, m2, NULL), JD_OK);
    assert_int_equal(f->s->ops->link_add(f->s, "police", "N2", "csc", "C9", false, "twins", "t",
                                         NULL),
                     JD_OK);
    assert_int_equal(since(f, m2, &h), JD_OK);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.rows[0], "csc:C9");
    assert_string_equal(h.rows[1], "police:N2");
    assert_int_equal(since(f, "1,2,x", &h), JD_EINVALID);
}

/* A key's list of refs (store.h): a ref added once, taken out from the
 * front, middle or end with the rest kept and the text still ending where
 * the list does; read back sorted. */
static int on_list_ref(uint64_t key, const char *agency, const char *ref, void *payload)
{
    jd_buf *b = payload;
    return jd_buf_printf(b, "%llu %s:%s;", (unsigned long long)key, agency, ref);
}

/* An update's key edits grouped by key (jd_store__key_edits_*): each
 * key's list ends as the edits one by one, ref after ref, leave it (a ref
 * that moves out of a key another puts itself into, a key left empty, a
 * key gained by two refs in their order). */
static void test_storeops__key_edits_grouped(void **state)
{
    (void)state;
    uint64_t a_now[] = {2, 3}, b_now[] = {1, 3}, a_had[] = {1, 2}, c_had[] = {3, 4};
    jd_identity_save refs[] = {{"police", "A", "P-1", 0, NULL, a_now, 2, 0},
                               {"csc", "B", "P-2", 0, NULL, b_now, 2, 0},
                               {"gp", "C", "P-3", 0, NULL, NULL, 0, 0}};
    const uint64_t *had[] = {a_had, NULL, c_had};
    size_t nh[] = {2, 0, 2};
    /* one by one: the rows before are key 1 {A}, 2 {A}, 3 {C}, 4 {C} */
    jd_key_edits e = {0};
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(jd_store__key_edits_add(&e, refs, i, had[i], nh[i]), JD_OK);
    assert_int_equal(e.n, 6); /* A: -1 +3; B: +1 +3; C: -3 -4 */
    jd_store__key_edits_sort(&e);
    const char *before[] = {"police\x1f" "A\x1e", "police\x1f" "A\x1e", "gp\x1f" "C\x1e",
                            "gp\x1f" "C\x1e"};
    const char *after[] = {"csc\x1f" "B\x1e", "police\x1f" "A\x1e",
                           "police\x1f" "A\x1e" "csc\x1f" "B\x1e", ""};
    size_t groups = 0;
    for (size_t a = 0, b; a < e.n; a = b) {
        for (b = a + 1; b < e.n && e.v[b].key == e.v[a].key; b++)
            ;
        uint64_t key = e.v[a].key;
        assert_true(key >= 1 && key <= 4 && key != 2); /* 2: no edit */
        jd_buf l = JD_BUF_INIT(SIZE_MAX);
        assert_int_equal(jd_buf_adds(&l, before[key - 1]), JD_OK);
        assert_int_equal(jd_store__key_edits_apply(&l, e.v, a, b, refs), JD_OK);
        assert_string_equal(jd_buf_cstr(&l), after[key - 1]);
        jd_buf_dispose(&l);
        groups++;
    }
    assert_int_equal(groups, 3);
    free(e.v);
}

static void test_storeops__ref_lists(void **state)
{
    (void)state;
    jd_buf l = JD_BUF_INIT(SIZE_MAX), out = JD_BUF_INIT(SIZE_MAX);
    assert_int_equal(jd_store__refs_add(&l, "police", "N1"), JD_OK);
    assert_int_equal(jd_store__refs_add(&l, "csc", "C1"), JD_OK);
    assert_int_equal(jd_store__refs_add(&l, "police", "N1"), JD_OK); /* there: once */
    assert_int_equal(jd_store__refs_add(&l, "gp", "G1"), JD_OK);
    assert_int_equal(l.len, strlen("police\x1f" "N1\x1e" "csc\x1f" "C1\x1e" "gp\x1f" "G1\x1e"));
    jd_store__refs_remove(&l, "police", "N1"); /* the front */
    assert_string_equal(jd_buf_cstr(&l), "csc\x1f" "C1\x1e" "gp\x1f" "G1\x1e");
    jd_store__refs_remove(&l, "police", "N"); /* not there: nothing */
    assert_int_equal(jd_store__refs_each(7, l.ptr, l.len, on_list_ref, &out), JD_OK);
    assert_string_equal(jd_buf_cstr(&out), "7 csc:C1;7 gp:G1;");
    jd_store__refs_remove(&l, "gp", "G1"); /* the end */
    assert_string_equal(jd_buf_cstr(&l), "csc\x1f" "C1\x1e");
    jd_store__refs_remove(&l, "csc", "C1");
    assert_int_equal(l.len, 0);
    assert_string_equal(jd_buf_cstr(&l), "");
    uint64_t *k = NULL;
    size_t nk = 0;
    jd_buf_reset(&out);
    uint64_t keys[] = {7, UINT64_C(12682136550675316737)};
    assert_int_equal(jd_store__keys_format(&out, keys, 2), JD_OK);
    assert_string_equal(jd_buf_cstr(&out), "7 12682136550675316737");
    assert_int_equal(jd_store__keys_parse(jd_buf_cstr(&out), &k, &nk), JD_OK);
    assert_int_equal(nk, 2);
    assert_true(k[0] == 7 && k[1] == keys[1]);
    free(k);
    assert_int_equal(jd_store__keys_parse(NULL, &k, &nk), JD_OK);
    assert_int_equal(nk, 0);
    free(k);
    /* the digits written by hand: the ends of the range, appended */
    uint64_t ends[] = {0, 9, 10, UINT64_MAX};
    assert_int_equal(jd_store__keys_format(&out, ends, 4), JD_OK);
    assert_string_equal(jd_buf_cstr(&out), "7 126821365506753167370 9 10 18446744073709551615");
    jd_buf_reset(&out);
    assert_int_equal(jd_store__keys_format(&out, ends, 0), JD_OK);
    assert_int_equal(out.len, 0);
    /* SQLite's BLOB: 8 bytes a key, little-endian, whatever the machine */
    jd_buf bb = JD_BUF_INIT(SIZE_MAX);
    const unsigned char *blob = jd_store__keys_blob(&bb, keys, 2);
    assert_non_null(blob);
    static const unsigned char want[16] = {7, 0, 0, 0, 0, 0, 0, 0,
                                           0x01, 0, 0, 0, 0, 0, 0, 0xb0};
    assert_memory_equal(blob, want, 16);
    assert_int_equal(jd_store__keys_unblob(blob, 16, &k, &nk), JD_OK);
    assert_int_equal(nk, 2);
    assert_true(k[0] == 7 && k[1] == keys[1]);
    free(k);
    assert_int_equal(jd_store__keys_unblob(want, 12, &k, &nk), JD_OK); /* a part key: dropped */
    assert_int_equal(nk, 1);
    assert_true(k[0] == 7);
    free(k);
    assert_non_null(jd_store__keys_blob(&bb, keys, 0)); /* none: empty, not NULL */
    assert_int_equal(jd_store__keys_unblob(NULL, 0, &k, &nk), JD_OK);
    assert_int_equal(nk, 0);
    free(k);
    jd_buf_dispose(&bb);
    jd_buf_dispose(&l);
    jd_buf_dispose(&out);
}

/* A full save's lists made ahead (jd_store__key_lists_make) are the lists
 * jd_store__key_lists streams: keys in signed order, each ref once, refs
 * in the order saved; a ref with no keys in none. */
static int on_key_list(uint64_t key, const char *list, size_t len, void *payload)
{
    jd_buf *b = payload;
    return jd_buf_printf(b, "%lld=%.*s|", (long long)key, (int)len, list);
}

static void test_storeops__key_lists_made(void **state)
{
    (void)state;
    const uint64_t k1[] = {5, UINT64_C(0x8000000000000001)}, k2[] = {5, 9},
                   k3[] = {UINT64_C(0x8000000000000001), 9, 5};
    jd_identity_save refs[] = {{.agency = "police", .person_ref = "N1", .keys = k1, .nkeys = 2},
                               {.agency = "csc", .person_ref = "C1"},
                               {.agency = "gp", .person_ref = "G1", .keys = k2, .nkeys = 2},
                               {.agency = "csc", .person_ref = "C2", .keys = k3, .nkeys = 3}};
    jd_buf want = JD_BUF_INIT(SIZE_MAX), got = JD_BUF_INIT(SIZE_MAX);
    size_t total = 0;
    assert_int_equal(jd_store__key_lists(refs, 4, on_key_list, &want, &total), JD_OK);
    assert_int_equal(total, 7);
    assert_string_equal(jd_buf_cstr(&want), "-9223372036854775807=police\x1f" "N1\x1e" "csc\x1f"
                                            "C2\x1e|5=police\x1f" "N1\x1e" "gp\x1f" "G1\x1e" "csc\x1f"
                                            "C2\x1e|9=gp\x1f" "G1\x1e" "csc\x1f" "C2\x1e|");
    jd_key_lists ls;
    assert_int_equal(jd_store__key_lists_make(refs, 4, &ls), JD_OK);
    assert_int_equal(ls.n, 3);
    assert_int_equal(ls.total, 7);
    for (size_t i = 0; i < ls.n; i++) {
        size_t from = i ? ls.end[i - 1] : 0;
        assert_int_equal(on_key_list(ls.key[i], ls.text + from, ls.end[i] - from, &got), JD_OK);
    }
    assert_string_equal(jd_buf_cstr(&got), jd_buf_cstr(&want));
    jd_store__key_lists_free(&ls);
    assert_null(ls.key);
    assert_int_equal(jd_store__key_lists_make(refs + 1, 1, &ls), JD_OK); /* no keys: no list */
    assert_int_equal(ls.n, 0);
    jd_store__key_lists_free(&ls);
    jd_buf_dispose(&want);
    jd_buf_dispose(&got);
}

static void test_storeops__rollback_then_redo(void **state)
{
    fx *f = *state;
    put_mention(f, "police", "E1", "N1");
    f->s->ops->rollback(f->s);
    jd_store_counts c;
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events + c.persons + c.locations + c.runs, 0);
    assert_int_equal(start_ingest(f), 0);
    put_mention(f, "police", "E1", "N1");
    jd_put_result o;
    jd_event_row e = ev(f, "police", "E1", 99);
    e.narrative = "the same record again, corrected, later in the same file";
    e.line = 7;
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_CONFLICT);
    assert_int_equal(o.first_line, 2);
    jd_file_info fi = {.run_id = f->run, .bundle = "b", .name = "events2.csv", .kind = "events",
                       .sha256 = "01", .size = 1};
    assert_int_equal(f->s->ops->file_add(f->s, &f->file, &fi, NULL), JD_OK);
    e = ev(f, "police", "E1", 99);
    e.narrative = "the same record again, corrected, in another file of the load";
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_UPDATED);
    assert_int_equal(f->s->ops->put_event(f->s, &e, &o, NULL), JD_OK);
    assert_int_equal(o.outcome, JD_PUT_REPEATED);
    assert_int_equal(o.first_line, 2);
    int64_t when = 0;
    bool found = false;
    assert_int_equal(f->s->ops->event_when(f->s, "police", "E1", &when, &found, NULL), JD_OK);
    assert_true(found);
    assert_int_equal(when, 1100000000);
    assert_int_equal(f->s->ops->event_when(f->s, "police", "E9", &when, &found, NULL), JD_OK);
    assert_false(found);
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 1);
    assert_int_equal(c.persons, 1);
    assert_int_equal(c.history, 1);
    assert_int_equal(c.runs, 1);
    bool there = false;
    assert_int_equal(f->s->ops->ref_exists(f->s, "police", "N1", &there, NULL), JD_OK);
    assert_true(there);
    /* a second run adds to the first: the new event gets an id of its own */
    assert_int_equal(start_ingest(f), 0);
    put_mention(f, "police", "E2", "N1");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 2);
    assert_int_equal(c.persons, 2);
    assert_int_equal(c.person_refs, 1);
}

/* A password in a PostgreSQL location is refused before any connection,
 * and the message names where it belongs without repeating it. */
/* The subset load's memory map (SQLite): 256 MiB unless set; the store's
 * option, else $JD_SUBSET_MMAP_MIB (0 there: none); negative: none; at most
 * SQLite's 2 GiB; an unreadable value is the default. */
static void test_storeops__subset_mmap_capped(void **state)
{
    (void)state;
    const int64_t mib = 1 << 20;
    jd_store_opts o = JD_STORE_OPTS_INIT;
    assert_int_equal(unsetenv("JD_SUBSET_MMAP_MIB"), 0);
    assert_int_equal(jd_sq__subset_mmap(NULL), 256 * mib);
    assert_int_equal(jd_sq__subset_mmap(&o), 256 * mib);
    o.subset_mmap_mib = 32;
    assert_int_equal(jd_sq__subset_mmap(&o), 32 * mib);
    o.subset_mmap_mib = -1;
    assert_int_equal(jd_sq__subset_mmap(&o), 0);
    o.subset_mmap_mib = 1 << 20;
    assert_int_equal(jd_sq__subset_mmap(&o), 2047 * mib);
    o.subset_mmap_mib = 0;
    const char *const env[] = {"0", "64", "x", "-5", "12M"};
    const int64_t want[] = {0, 64 * mib, 256 * mib, 256 * mib, 256 * mib};
    for (int k = 0; k < 5; k++) {
        assert_int_equal(setenv("JD_SUBSET_MMAP_MIB", env[k], 1), 0);
        assert_int_equal(jd_sq__subset_mmap(&o), want[k]);
    }
    o.subset_mmap_mib = 16; /* the option before the environment */
    assert_int_equal(jd_sq__subset_mmap(&o), 16 * mib);
    unsetenv("JD_SUBSET_MMAP_MIB");
    if (scratch_is_pg())
        return;
    /* the store keeps it; a subset load leaves no map behind */
    char path[] = "/tmp/jd-mmap-XXXXXX.db";
    int fd = mkstemps(path, 3);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    o.subset_mmap_mib = 8;
    jd_store *s = NULL;
    assert_int_equal(jd_store_open(&s, path, &o, NULL), JD_OK);
    sq *q = s->impl;
    assert_int_equal(q->subset_mmap, 8 * mib);
    jd_an_callbacks cb = {0};
    const char *keys[] = {"police:N1"};
    assert_int_equal(s->ops->incr->load_subset(s, 0, keys, 1, 1, &cb, NULL, NULL), JD_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(q->db, "PRAGMA mmap_size", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 0);
    sqlite3_finalize(st);
    jd_store_close(s);
    for (int k = 0; k < 3; k++) {
        char f[40];
        snprintf(f, sizeof f, "%s%s", path, (const char *[]){"", "-wal", "-shm"}[k]);
        unlink(f);
    }
}

static void test_storeops__password_refused(void **state)
{
    (void)state;
    jd_store *s = NULL;
    jd_error e;
    jd_store_opts o = JD_STORE_OPTS_INIT;
    int rc = jd_store_open(&s, "postgres://jd:hunter2secret@localhost/jd", &o, &e);
    assert_int_equal(rc, JD_EINVALID);
    assert_null(s);
    assert_null(strstr(e.msg, "hunter2secret"));
#ifdef JD_HAVE_POSTGRES
    assert_non_null(strstr(e.msg, "PGPASSFILE"));
#endif
}

/* jd_store_copy: SQLite file -> empty PostgreSQL store; refused when the
 * destination holds data or is not PostgreSQL. */
static void test_storeops__copy(void **state)
{
    fx *f = *state;
    jd_error e;
    char src[96];
    snprintf(src, sizeof src, "/tmp/jd-test-copy-%d.db", (int)getpid());
    scratch_db_remove(src);
    jd_store *lite = NULL;
    jd_store_opts o = JD_STORE_OPTS_INIT;
    assert_int_equal(jd_store_open(&lite, src, &o, NULL), JD_OK);
    fx g = {.s = lite};
    assert_int_equal(start_ingest(&g), 0);
    put_mention(&g, "police", "E1", "N1");
    assert_int_equal(lite->ops->commit(lite, NULL), JD_OK);
    uint64_t k1[] = {7, UINT64_C(0xb000000000000001)};
    jd_identity_info info[] = {{.person_id = "P-1"}};
    jd_identity_save refs[] = {{"police", "N1", "P-1", 11, NULL, k1, 2, 0}};
    assert_int_equal(lite->ops->identities_replace(lite, refs, 1, info, 1, NULL, "{}", 1, 0, NULL), JD_OK);
    jd_store_close(lite);
    assert_int_equal(jd_store_copy(src, src, NULL, &e), JD_EINVALID);
    if (!scratch_is_pg()) {
        scratch_db_remove(src);
        return; /* the rest needs a PostgreSQL destination */
    }
    f->s->ops->rollback(f->s); /* the fixture's open run: the destination stays empty */
    jd_store_copy_stats st;
    assert_int_equal(jd_store_copy(src, f->path, &st, &e), JD_OK);
    assert_int_equal(st.tables, 33); /* analysis_doc since schema 9; feed_token, feed since 10;
                                      * network, network_change since 13; ref_key since 14 */
    /* meta copied without the SQLite audit file's marker (the source has
     * it; PostgreSQL keeps its log in its table) */
    const char *marker = "SELECT count(*) FROM meta WHERE key = 'audit_file'";
    char n_src[16], n_dst[16];
    sql_on_file(src, marker, n_src, sizeof n_src);
    sql_on_store(f->path, marker, n_dst, sizeof n_dst);
    assert_string_equal(n_src, "1");
    assert_string_equal(n_dst, "0");
    jd_store_counts c;
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 1);
    assert_int_equal(c.persons, 1);
    /* identity_ref.keys, a BLOB in SQLite, copied as PostgreSQL's text: an
     * update takes N1 out of the keys it had */
    moved_to_nine(f, info);
    assert_int_equal(jd_store_copy(src, f->path, &st, &e), JD_ECONFLICT);
    /* ingest continues after the copied ids */
    assert_int_equal(start_ingest(f), 0);
    put_mention(f, "police", "E2", "N2");
    assert_int_equal(f->s->ops->commit(f->s, NULL), JD_OK);
    assert_int_equal(jd_store_counts_get(f->s, &c, NULL), JD_OK);
    assert_int_equal(c.events, 2);
    scratch_db_remove(src);
}

/* The location key both backends store (jd_store__location_key): the
 * postcode's first 16 bytes, '|', then the text lower-cased with blanks and
 * commas folded to one space between words and none at either end, the text
 * cut at 500 bytes of key. */
/* Analysis documents (issue 17): replaced by prefix, stamped with the
 * analysis, ingest and resolve runs, and their state follows the store. */
static jd_doc_state doc_state(jd_store *s, const char *name, const char *want)
{
    char *txt = NULL;
    jd_doc_state st = JD_DOC_NONE;
    assert_int_equal(s->ops->doc_get(s, name, &txt, &st, NULL), JD_OK);
    if (want)
        assert_string_equal(txt, want);
    else
        assert_null(txt);
    free(txt);
    return st;
}

static void test_storeops__analysis_docs(void **state)
{
    (void)state;
    char path[160];
    jd_store *s = NULL;
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "docs"), JD_OK);
    jd_doc_save d[] = {{"net:a", "A"}, {"net:b", "B"}}, c = {"concern_bases", "C"};
    jd_error err;
    assert_int_equal(doc_state(s, "net:a", NULL), JD_DOC_NONE);
    assert_true(s->ops->docs_replace(s, "net:", d, 2, &err) < 0); /* never analysed */
    assert_int_equal(doc_state(s, "net:a", NULL), JD_DOC_NONE);
    assert_int_equal(s->ops->alerts_replace(s, INT64_MAX, 0, NULL, 0, NULL), JD_OK);
    assert_int_equal(s->ops->docs_replace(s, "net:", d, 2, NULL), JD_OK);
    assert_int_equal(s->ops->docs_replace(s, "concern_bases", &c, 1, NULL), JD_OK);
    assert_int_equal(doc_state(s, "net:a", "A"), JD_DOC_CURRENT);
    assert_int_equal(doc_state(s, "net:b", "B"), JD_DOC_CURRENT);
    /* a prefix replaces its own documents only */
    jd_doc_save a2 = {"net:a", "A2"};
    assert_int_equal(s->ops->docs_replace(s, "net:", &a2, 1, NULL), JD_OK);
    assert_int_equal(doc_state(s, "net:a", "A2"), JD_DOC_CURRENT);
    assert_int_equal(doc_state(s, "net:b", NULL), JD_DOC_NONE);
    assert_int_equal(doc_state(s, "concern_bases", "C"), JD_DOC_CURRENT);
    /* an ingest since: behind */
    int64_t run = 0;
    assert_int_equal(s->ops->begin(s, NULL), JD_OK);
    assert_int_equal(s->ops->run_start(s, &run, "test", NULL), JD_OK);
    assert_int_equal(s->ops->run_finish(s, run, "ok", 0, 0, 0, 0, 0, NULL), JD_OK);
    assert_int_equal(s->ops->commit(s, NULL), JD_OK);
    assert_int_equal(doc_state(s, "net:a", "A2"), JD_DOC_BEHIND);
    /* restamped by the next replace; then a new analysis run makes them old */
    assert_int_equal(s->ops->docs_replace(s, "net:", &a2, 1, NULL), JD_OK);
    assert_int_equal(doc_state(s, "net:a", "A2"), JD_DOC_CURRENT);
    assert_int_equal(s->ops->alerts_replace(s, INT64_MAX, 0, NULL, 0, NULL), JD_OK);
    assert_int_equal(doc_state(s, "net:a", "A2"), JD_DOC_OLD);
    /* documents of an as-of run are never current */
    assert_int_equal(s->ops->alerts_replace(s, 1000000000, 0, NULL, 0, NULL), JD_OK);
    assert_int_equal(s->ops->docs_replace(s, "net:", &a2, 1, NULL), JD_OK);
    assert_int_equal(doc_state(s, "net:a", "A2"), JD_DOC_OLD);
    scratch_store_close(s, path);
}

/* jd_sq__prep keeps a statement per SQL literal on the connection: handed
 * out twice at once (a nested call) the second is a fresh one, finalised
 * when given back; a statement given back is reset (no read snapshot held:
 * another connection's write is seen) with its bindings cleared; a full
 * cache prepares afresh; the store closes with statements cached. */
#define CACHE_SQL "SELECT value FROM meta WHERE key = ?1"

static void test_storeops__statement_cache(void **state)
{
    (void)state;
    if (scratch_is_pg()) {
        skip(); /* SQLite's statements */
    }
    char path[160];
    jd_store *s = NULL;
    assert_int_equal(scratch_store_open(&s, path, sizeof path, "cache"), JD_OK);
    sq *q = s->impl;
    assert_int_equal(jd_sq__exec(q, "INSERT INTO meta(key, value) VALUES ('cache_k', 'one')",
                                 NULL), JD_OK);
    sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(jd_sq__prep(q, CACHE_SQL, &a), SQLITE_OK);
    size_t kept = q->n_cache;
    assert_true(kept >= 1);
    sqlite3_bind_text(a, 1, "cache_k", -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW); /* mid-read: a snapshot held */
    assert_int_equal(jd_sq__prep(q, CACHE_SQL, &b), SQLITE_OK); /* nested */
    assert_ptr_not_equal(a, b);
    assert_int_equal(q->n_cache, kept); /* not kept */
    jd_sq__unprep(q, b); /* finalised */
    jd_sq__unprep(q, a); /* reset, bindings cleared */
    assert_false(sqlite3_stmt_busy(a));
    assert_int_equal(jd_sq__prep(q, CACHE_SQL, &c), SQLITE_OK);
    assert_ptr_equal(c, a); /* the kept one again */
    assert_int_equal(sqlite3_step(c), SQLITE_DONE); /* ?1 is NULL now: no row */
    jd_sq__unprep(q, c);
    /* another connection's write is seen through the kept statements */
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    sqlite3_busy_timeout(other, 5000);
    char v[16];
    bool found = false;
    assert_int_equal(s->ops->meta_get(s, "cache_k", v, sizeof v, &found, NULL), JD_OK);
    assert_string_equal(v, "one");
    assert_int_equal(sqlite3_exec(other, "UPDATE meta SET value = 'two' WHERE key = 'cache_k'",
                                  NULL, NULL, NULL), SQLITE_OK);
    /* nothing of ours reads: a truncating checkpoint is not blocked by us */
    int log = -1, done = -1;
    assert_int_equal(sqlite3_wal_checkpoint_v2(other, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log,
                                               &done), SQLITE_OK);
    assert_int_equal(s->ops->meta_get(s, "cache_k", v, sizeof v, &found, NULL), JD_OK);
    assert_string_equal(v, "two");
    /* a schema change on the other connection: the kept statement is prepared again */
    assert_int_equal(sqlite3_exec(other, "CREATE TABLE cache_t(x)", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(s->ops->meta_get(s, "cache_k", v, sizeof v, &found, NULL), JD_OK);
    assert_true(found);
    assert_string_equal(v, "two");
    sqlite3_close(other);
    /* a full cache: statements past it are prepared afresh and finalised */
    static char sql[JD_SQ_CACHE + 1][24]; /* static: the cache keeps their addresses */
    for (int i = 0; i <= JD_SQ_CACHE; i++) {
        snprintf(sql[i], sizeof sql[i], "SELECT %d", i);
        sqlite3_stmt *t = NULL;
        assert_int_equal(jd_sq__prep_at(q, sql[i], &t), SQLITE_OK);
        assert_int_equal(sqlite3_step(t), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(t, 0), i);
        jd_sq__unprep(q, t);
    }
    assert_int_equal(q->n_cache, JD_SQ_CACHE);
    jd_sq__unprep(q, NULL); /* ignored */
    scratch_store_close(s, path); /* finalises the kept ones (else the close fails) */
}

static void test_storeops__location_key(void **state)
{
    (void)state;
    char key[JD_LOCATION_KEY];
    size_t k = jd_store__location_key("AB1 2CD", "  12, High\tSTREET ,\r\nTown  ", key);
    assert_string_equal(key, "AB1 2CD|12 high street town");
    assert_int_equal(k, strlen(key));
    assert_int_equal(jd_store__location_key(NULL, "Mill Lane", key), 10);
    assert_string_equal(key, "|mill lane");
    jd_store__location_key("XX", NULL, key);
    assert_string_equal(key, "XX|");
    jd_store__location_key("0123456789ABCDEFGHIJ", "a", key);
    assert_string_equal(key, "0123456789ABCDEF|a");
    char text[700];
    memset(text, 'Q', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    k = jd_store__location_key("P", text, key);
    assert_int_equal(k, 500);
    assert_int_equal(key[2], 'q');
    assert_int_equal(key[499], 'q');
    assert_int_equal(key[500], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storeops__statement_cache),
        cmocka_unit_test_setup_teardown(test_storeops__identities_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__replace_skips_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__replace_moves_refs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__identities_replace_by_index, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_storeops__identities_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__identity_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__analysis_load_identities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__analysis_load_identity_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_storeops__analysis_load_as_of_row_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_storeops__resolve_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__identity_change_run_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__ref_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__keys_replace_early, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__keys_blob_and_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__replace_writes_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__replace_notes_made, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__mentions_around, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__mentions_halves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__identity_refs_of, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__resolve_mark, setup, teardown),
        cmocka_unit_test(test_storeops__ref_lists),
        cmocka_unit_test(test_storeops__key_edits_grouped),
        cmocka_unit_test(test_storeops__key_lists_made),
        cmocka_unit_test_setup_teardown(test_storeops__rollback_then_redo, setup, teardown),
        cmocka_unit_test(test_storeops__password_refused),
        cmocka_unit_test(test_storeops__location_key),
        cmocka_unit_test(test_storeops__subset_mmap_capped),
        cmocka_unit_test(test_storeops__analysis_docs),
        cmocka_unit_test_setup_teardown(test_storeops__copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storeops__identity_tally_long_id, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
