/* Unit tests for the analysis snapshot (src/lib/analyse/snapshot.c): the one
 * age-at-event function on the UK calendar (the BST edge on the 13th, 16th
 * and 18th birthdays), and one load of a small bundle: persons, events,
 * mentions with their ages, refs grouped by person, mentions by event and
 * by known time, objects by event, and the "U:agency:ref" of an unresolved
 * ref; a subset load (incremental analysis) by person keys and hops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scratch_db.h"

#include "analyse/snapshot.h"

#include <joindots/analyse.h>
#include <joindots/identity.h>
#include <joindots/ingest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* UTC seconds of a UTC date and time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return (int64_t)timegm(&tm);
}

/* 00:30 BST on the birthday is 23:30 UTC the day before: the child has
 * turned 13, 16 and 18 there (counted on the UTC day, a year younger). */
static void test_snapshot__age_bst_birthdays(void **state)
{
    (void)state;
    const char *dob = "2010-06-15";
    assert_int_equal(jd_snapshot__age_at(dob, utc(2023, 6, 14, 23, 30)), 13);
    assert_int_equal(jd_snapshot__age_at(dob, utc(2026, 6, 14, 23, 30)), 16);
    assert_int_equal(jd_snapshot__age_at(dob, utc(2028, 6, 14, 23, 30)), 18);
    /* 23:59 BST the evening before each birthday: still a year younger */
    assert_int_equal(jd_snapshot__age_at(dob, utc(2023, 6, 14, 22, 59)), 12);
    assert_int_equal(jd_snapshot__age_at(dob, utc(2026, 6, 14, 22, 59)), 15);
    assert_int_equal(jd_snapshot__age_at(dob, utc(2028, 6, 14, 22, 59)), 17);
}

/* In winter (GMT) the UK day is the UTC day. */
static void test_snapshot__age_gmt(void **state)
{
    (void)state;
    const char *dob = "2010-01-15";
    assert_int_equal(jd_snapshot__age_at(dob, utc(2023, 1, 14, 23, 30)), 12);
    assert_int_equal(jd_snapshot__age_at(dob, utc(2023, 1, 15, 0, 30)), 13);
    /* BST from 01:00 UTC on the last Sunday of March (26 March 2028):
     * 23:30 UTC that night is already the 27th in the UK, the night
     * before is still the 25th */
    assert_int_equal(jd_snapshot__age_at("2010-03-27", utc(2028, 3, 26, 23, 30)), 18);
    assert_int_equal(jd_snapshot__age_at("2010-03-26", utc(2028, 3, 25, 23, 30)), 17);
}

static void test_snapshot__age_partial_and_bad(void **state)
{
    (void)state;
    /* a month alone is the 1st; a year alone is 1 July */
    assert_int_equal(jd_snapshot__age_at("2010-06", utc(2023, 5, 31, 23, 30)), 13);
    assert_int_equal(jd_snapshot__age_at("2010-06", utc(2023, 5, 31, 22, 30)), 12);
    assert_int_equal(jd_snapshot__age_at("2010", utc(2023, 6, 30, 23, 30)), 13);
    assert_int_equal(jd_snapshot__age_at("2010", utc(2023, 6, 30, 22, 30)), 12);
    assert_int_equal(jd_snapshot__age_at(NULL, utc(2023, 1, 1, 0, 0)), -1);
    assert_int_equal(jd_snapshot__age_at("", utc(2023, 1, 1, 0, 0)), -1);
    assert_int_equal(jd_snapshot__age_at("abc", utc(2023, 1, 1, 0, 0)), -1);
    assert_int_equal(jd_snapshot__age_at("1700-01-01", utc(2023, 1, 1, 0, 0)), -1);
    assert_int_equal(jd_snapshot__age_at("2030-01-01", utc(2023, 1, 1, 0, 0)), -1); /* unborn */
}

/* ---- a load ---- */

typedef struct fx {
    char path[64], dir[64];
    jd_store *s;
} fx;

static int write_file(const char *dir, const char *name, const char *text)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/jd-snapshot-XXXXXX");
    if (!f || jd_global_init() < 0 || !mkdtemp(f->dir) ||
        scratch_store_open(&f->s, f->path, sizeof f->path, "snapshot") != JD_OK)
        return -1;
    /* UK local times: 00:30 on 15 June is BST, 23:30 UTC the day before */
    if (write_file(f->dir, "events.csv",
                   "agency,record_id,event_type,occurred_at,reported_at,location,postcode,"
                   "narrative,crime_recorded,crime_ref,outcome,author_role,risk_grade\n"
                   "police,P3,police_stop,2018-06-15T00:30,,Cowley Road,OX4 1AA,Stopped.,,,,PC,\n"
                   "police,P1,police_stop,2013-06-15T00:30,,Cowley Road,OX4 1AA,Stopped.,,,,PC,\n"
                   "police,P0,police_stop,2013-06-14T23:30,,Cowley Road,OX4 1AA,Stopped.,,,,PC,\n"
                   "csc,C2,case_note,2016-06-15T00:30,,,OX4 1AA,Seen at home.,,,,social_worker,\n") <
            0 ||
        write_file(f->dir, "persons.csv",
                   "agency,record_id,person_ref,role,surname,forenames,dob,gender,postcode,"
                   "ethnicity\n"
                   "police,P3,N1,subject,Hart,Amy,2000-06-15,F,OX4 1AA,\n"
                   "police,P1,N1,subject,Hart,Amy,2000-06-15,F,OX4 1AA,\n"
                   "police,P0,N1,subject,Hart,Amy,2000-06-15,F,OX4 1AA,\n"
                   "police,P1,N9,suspect,Stone,Carl,,M,,\n"
                   "csc,C2,C-1,subject,Hart,Amy,2000-06-15,F,OX4 1AA,\n") < 0 ||
        write_file(f->dir, "objects.csv",
                   "agency,record_id,object_type,value,description,person_ref\n"
                   "police,P1,vehicle,LX51 OTJ,black BMW,N9\n") < 0)
        return -1;
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t;
    const char *b[] = {f->dir};
    if (jd_ingest_bundles(f->s, b, 1, &io, &t, NULL) != JD_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    scratch_store_close(f->s, f->path);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static const aev *event_of(const jd_snapshot *S, const char *record_id)
{
    for (size_t e = 0; e < S->nev; e++)
        if (!strcmp(S->ev[e].record_id, record_id))
            return &S->ev[e];
    return NULL;
}

static int age_in(const jd_snapshot *S, const char *record_id, const char *ref)
{
    const aev *e = event_of(S, record_id);
    if (!e) {
        fail_msg("no event %s", record_id);
        return -2;
    }
    for (uint32_t k = 0; k < e->nm; k++) {
        const amention *m = &S->m[S->by_event[e->m0 + k]];
        if (!strcmp(m->person_ref, ref))
            return m->age;
    }
    fail_msg("no mention of %s in %s", ref, record_id);
    return -2;
}

/* Unresolved: each ref is a person of its own, "U:agency:ref". */
static void test_snapshot__load_unresolved(void **state)
{
    fx *f = *state;
    jd_snapshot S;
    jd_error err = {0};
    jd_snapshot_opts o = {JD_AS_OF_NOW, true, NULL, 0, 0};
    assert_int_equal(jd_snapshot__load(&S, f->s, &o, &err), JD_OK);
    assert_int_equal(S.nev, 4);
    assert_int_equal(S.nm, 5);
    assert_int_equal(S.np, 3); /* U:police:N1, U:police:N9, U:csc:C-1 */
    assert_int_equal(S.nrefs, 3);
    for (size_t e = 1; e < S.nev; e++)
        assert_true(S.ev[e - 1].id < S.ev[e].id); /* id order */
    /* the ages at the BST edge: the event of 00:30 BST on the birthday */
    assert_int_equal(age_in(&S, "P0", "N1"), 12);
    assert_int_equal(age_in(&S, "P1", "N1"), 13);
    assert_int_equal(age_in(&S, "C2", "C-1"), 16);
    assert_int_equal(age_in(&S, "P3", "N1"), 18);
    assert_int_equal(age_in(&S, "P1", "N9"), -1); /* no date of birth, no age */
    /* the person of a ref, its mentions in known order */
    uint32_t *v = jd_strmap_get(&S.pmap, "U:police:N1", strlen("U:police:N1"));
    if (!v)
        fail();
    const aperson *p = &S.p[*v];
    assert_false(p->identity);
    assert_int_equal(p->nx, 3);
    assert_int_equal(p->nr, 1);
    assert_string_equal(S.refs[p->r0].ref, "N1");
    for (uint32_t k = 1; k < p->nx; k++)
        assert_true(S.ev[S.m[S.by_person[p->x0 + k - 1]].ev].known <=
                    S.ev[S.m[S.by_person[p->x0 + k]].ev].known);
    /* the object by its event, and the event's flag */
    const aev *e = event_of(&S, "P1");
    if (!e) {
        fail();
        return;
    }
    assert_int_equal(e->no, 1);
    assert_string_equal(S.obj[S.obj_by_event[e->o0]].value, "LX51OTJ");
    assert_true(e->vehicle);
    assert_int_equal(e->nm, 2);
    jd_snapshot__dispose(&S);
}

/* Resolved: the two refs of the child are one identity; without
 * mention_detail the mentions carry no text. */
static void test_snapshot__load_resolved(void **state)
{
    fx *f = *state;
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    jd_error err = {0};
    assert_int_equal(jd_resolve(f->s, &ro, NULL, &err), JD_OK);
    jd_snapshot S;
    jd_snapshot_opts o = {JD_AS_OF_NOW, false, NULL, 0, 0};
    assert_int_equal(jd_snapshot__load(&S, f->s, &o, &err), JD_OK);
    size_t ids = 0;
    for (size_t i = 0; i < S.np; i++)
        ids += S.p[i].identity;
    assert_true(ids >= 2);
    const aev *e = event_of(&S, "C2");
    if (!e) {
        fail();
        return;
    }
    const amention *m = &S.m[S.by_event[e->m0]];
    assert_null(m->name);
    assert_null(m->person_ref);
    const aperson *p = &S.p[m->person];
    assert_true(p->identity);
    assert_int_equal(m->age, 16);
    assert_int_equal(p->nr, 2); /* csc:C-1 and police:N1 */
    assert_int_equal(p->nx, 4);
    jd_snapshot__dispose(&S);
}

/* A subset (incremental analysis): the persons asked for are walked with
 * all their events; hops widen the walked set to whoever shares an event;
 * persons named only in loaded events come with them but are not walked. */
static void test_snapshot__subset_hops(void **state)
{
    fx *f = *state;
    jd_snapshot S;
    jd_error err = {0};
    const char *n9[] = {"U:police:N9"};
    jd_snapshot_opts o = {JD_AS_OF_NOW, true, n9, 1, 0};
    assert_int_equal(jd_snapshot__load(&S, f->s, &o, &err), JD_OK);
    assert_true(S.subset);
    assert_int_equal(S.nev, 1); /* P1, the suspect's one event */
    assert_int_equal(S.np, 2);  /* N9, and N1 named in it */
    assert_int_equal(S.nwalk, 1);
    uint32_t *v = jd_strmap_get(&S.pmap, "U:police:N1", strlen("U:police:N1"));
    if (!v)
        fail();
    assert_false(S.p[*v].walk); /* her other events are not loaded */
    assert_int_equal(S.p[*v].nx, 1);
    jd_snapshot__dispose(&S);
    /* one hop: the child in his event is walked too, with all her events */
    o.hops = 1;
    assert_int_equal(jd_snapshot__load(&S, f->s, &o, &err), JD_OK);
    assert_int_equal(S.nev, 3); /* P0, P1, P3 */
    assert_int_equal(S.nwalk, 2);
    v = jd_strmap_get(&S.pmap, "U:police:N1", strlen("U:police:N1"));
    if (!v)
        fail();
    assert_true(S.p[*v].walk);
    assert_int_equal(S.p[*v].nx, 3);
    assert_int_equal(age_in(&S, "P1", "N1"), 13); /* ages as the full load gives them */
    jd_snapshot__dispose(&S);
    /* a key no store holds: nothing loaded, nothing walked */
    const char *none[] = {"P999999"};
    jd_snapshot_opts o2 = {JD_AS_OF_NOW, false, none, 1, 2};
    assert_int_equal(jd_snapshot__load(&S, f->s, &o2, &err), JD_OK);
    assert_int_equal(S.nev, 0);
    assert_int_equal(S.nwalk, 0);
    jd_snapshot__dispose(&S);
    /* a malformed key, and a negative hop count, are refused */
    const char *bad[] = {"U:police"};
    jd_snapshot_opts o3 = {JD_AS_OF_NOW, false, bad, 1, 0};
    assert_int_equal(jd_snapshot__load(&S, f->s, &o3, &err), JD_EINVALID);
    jd_snapshot__dispose(&S);
    jd_snapshot_opts o4 = {JD_AS_OF_NOW, false, n9, 1, -1};
    assert_int_equal(jd_snapshot__load(&S, f->s, &o4, &err), JD_EINVALID);
    jd_snapshot__dispose(&S);
}

/* A resolved person in a subset: every ref of the identity (csc and
 * police) brings its events, and the walked person has the mentions the
 * full load gives it, in the same known order. */
static void test_snapshot__subset_identity(void **state)
{
    fx *f = *state;
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    jd_error err = {0};
    assert_int_equal(jd_resolve(f->s, &ro, NULL, &err), JD_OK);
    jd_snapshot F, S;
    jd_snapshot_opts fo = {JD_AS_OF_NOW, false, NULL, 0, 0};
    assert_int_equal(jd_snapshot__load(&F, f->s, &fo, &err), JD_OK);
    const aev *c2 = event_of(&F, "C2");
    if (!c2) {
        fail();
        return;
    }
    const aperson *fp = &F.p[F.m[F.by_event[c2->m0]].person];
    const char *key[] = {fp->pid};
    jd_snapshot_opts so = {JD_AS_OF_NOW, false, key, 1, 0};
    assert_int_equal(jd_snapshot__load(&S, f->s, &so, &err), JD_OK);
    uint32_t *v = jd_strmap_get(&S.pmap, fp->pid, strlen(fp->pid));
    if (!v)
        fail();
    const aperson *sp = &S.p[*v];
    assert_true(sp->walk);
    assert_true(sp->identity);
    assert_int_equal(sp->nx, fp->nx);
    assert_int_equal(sp->nr, fp->nr);
    for (uint32_t k = 0; k < sp->nx; k++)
        assert_int_equal(S.ev[S.m[S.by_person[sp->x0 + k]].ev].id,
                         F.ev[F.m[F.by_person[fp->x0 + k]].ev].id);
    jd_snapshot__dispose(&S);
    jd_snapshot__dispose(&F);
}

/* A store that fails is reported, and dispose is safe after it. */
static void test_snapshot__bad_args(void **state)
{
    (void)state;
    jd_snapshot S;
    jd_error err = {0};
    jd_snapshot_opts o = {JD_AS_OF_NOW, false, NULL, 0, 0};
    assert_int_equal(jd_snapshot__load(&S, NULL, &o, &err), JD_EINVALID);
    jd_snapshot__dispose(&S);
    jd_snapshot__dispose(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot__age_bst_birthdays),
        cmocka_unit_test(test_snapshot__age_gmt),
        cmocka_unit_test(test_snapshot__age_partial_and_bad),
        cmocka_unit_test(test_snapshot__bad_args),
        cmocka_unit_test_setup_teardown(test_snapshot__load_unresolved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot__load_resolved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot__subset_hops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot__subset_identity, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
