/*
 * joindots demo: the main job on the embedded SQLite default. Generates the
 * oxford scenario (a synthetic county with the shape of the Oxfordshire
 * case), ingests it, resolves identities across agencies, analyses every
 * event (risk, alerts, networks), replays the escalation ladder, and prints
 * what joindots finds: the landmark events and the alerts on each, one
 * girl's joined chronology, when the board would have known, and the scores
 * against the truth. At a terminal it then serves the web application with
 * a demo account per role. `--small` uses the small bundle compiled into the
 * program instead (every kind of bad row).
 */
#include "cli.h"

#include <joindots/chronology.h>
#include <joindots/demo.h>
#include <joindots/identity.h>
#include <joindots/ingest.h>
#include <joindots/score.h>
#include <joindots/synth.h>
#include <joindots/account.h>
#include <joindots/analyse.h>
#include <joindots/concern.h>

#include <jansson.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void on_file(const jd_ingest_file_summary *f, void *payload)
{
    (void)payload;
    printf("  %-22s %-8s read %3lld  stored %3lld  rejected %2lld  warnings %2lld\n", f->name,
           f->kind, (long long)f->counts.read, (long long)f->counts.stored,
           (long long)f->counts.rejected, (long long)f->counts.warnings);
}

static int show_reject(const jd_problem *p, void *payload)
{
    (void)payload;
    printf("  %s:%ld:%ld %s%s%s\n", p->file, p->line, p->column, p->field,
           *p->field ? ": " : "", p->message);
    return 0;
}

static int show_event(const jd_chrono_event *e, void *payload)
{
    (void)payload;
    char when[32];
    jd_time_format(when, e->occurred_at);
    when[16] = '\0';
    printf("  %s  %-10s %-20s %s\n", when, e->agency, e->event_type,
           e->narrative ? e->narrative : "");
    return 0;
}

typedef struct shown {
    int n, max;
} shown;

static int show_some(const jd_chrono_event *e, void *payload)
{
    shown *s = payload;
    if (s->n++ < s->max)
        return show_event(e, NULL);
    return 0;
}

static void ingest_summary(const jd_ingest_file_summary *f, void *payload)
{
    jd_ingest_counts *t = payload;
    t->read += f->counts.read;
}

/* The oxford scenario: generate, ingest, show the case as joindots holds it. */
/* The alerts (JSON Lines) whose records include one event. */
static void alerts_citing(const char *alerts_path, const char *agency, const char *record_id,
                          char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(alerts_path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    size_t used = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *a = json_loads(line, 0, NULL);
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(a, "records"), i, r)
        {
            if (strcmp(json_string_value(json_object_get(r, "agency")), agency) ||
                strcmp(json_string_value(json_object_get(r, "record_id")), record_id))
                continue;
            int w = snprintf(out + used, n - used, "%s%s (%s)", used ? ", " : "",
                             json_string_value(json_object_get(a, "kind")),
                             json_string_value(json_object_get(a, "level")));
            if (w > 0 && (size_t)w < n - used)
                used += (size_t)w;
            break;
        }
        json_decref(a);
    }
    free(line);
    fclose(f);
}

/* Each exploited child of the truth (issue 15): the first time their
 * child_at_risk alert reached high and the first lines of its explanation
 * (the level, the corroboration or the trigger standing instead). */
static void exploited_at_high(const char *alerts_path, json_t *root)
{
    json_t *refs = json_object(); /* "agency\x1fref" -> truth person id */
    size_t i, k;
    json_t *p, *r;
    json_t *ex = json_object();
    json_array_foreach(json_object_get(root, "exploited"), i, p)
        json_object_set(ex, json_string_value(json_object_get(p, "person")), json_true());
    json_array_foreach(json_object_get(root, "persons"), i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        if (!id || !json_object_get(ex, id))
            continue;
        json_array_foreach(json_object_get(p, "refs"), k, r)
        {
            char key[200];
            snprintf(key, sizeof key, "%s\x1f%s", json_string_value(json_object_get(r, "agency")),
                     json_string_value(json_object_get(r, "person_ref")));
            json_object_set_new(refs, key, json_string(id));
        }
    }
    FILE *f = fopen(alerts_path, "r");
    char *line = NULL;
    size_t cap = 0;
    printf("   Each exploited girl, when her risk first reached high, and why:\n");
    while (f && getline(&line, &cap, f) > 0) {
        json_t *a = json_loads(line, 0, NULL);
        const char *kind = json_string_value(json_object_get(a, "kind"));
        const char *who = NULL;
        json_array_foreach(json_object_get(json_object_get(a, "subject"), "refs"), k, r)
        {
            char key[200];
            snprintf(key, sizeof key, "%s\x1f%s", json_string_value(json_object_get(r, "agency")),
                     json_string_value(json_object_get(r, "person_ref")));
            if (!who)
                who = json_string_value(json_object_get(refs, key));
        }
        if (kind && !strcmp(kind, "child_at_risk") && who) {
            const char *at = NULL;
            json_array_foreach(json_object_get(a, "history"), k, r)
            {
                const char *l = json_string_value(json_object_get(r, "level"));
                if (!at && l && (!strcmp(l, "high") || !strcmp(l, "critical")))
                    at = json_string_value(json_object_get(r, "raised_at"));
            }
            json_t *exp = json_object_get(a, "explanation");
            printf("   %s %s: high on %.10s\n", who,
                   json_string_value(json_object_get(json_object_get(a, "subject"), "person_id")),
                   at ? at : "(never)");
            for (k = 0; k < 2 && k < json_array_size(exp); k++)
                printf("      %.200s\n", json_string_value(json_array_get(exp, k)));
        }
        json_decref(a);
    }
    free(line);
    if (f)
        fclose(f);
    json_decref(refs);
    json_decref(ex);
}

/* The person_id holding an agency ref, from an identities export. */
static void person_of(const char *ids_path, const char *ref, char *out, size_t n)
{
    out[0] = '\0';
    const char *colon = strchr(ref, ':');
    FILE *f = colon ? fopen(ids_path, "r") : NULL;
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (!out[0] && getline(&line, &cap, f) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(o, "refs"), i, r)
        {
            const char *ag = json_string_value(json_object_get(r, "agency"));
            const char *pr = json_string_value(json_object_get(r, "person_ref"));
            if (ag && pr && strlen(ag) == (size_t)(colon - ref) &&
                !strncmp(ag, ref, (size_t)(colon - ref)) && !strcmp(pr, colon + 1)) {
                snprintf(out, n, "%s", json_string_value(json_object_get(o, "person_id")));
                break;
            }
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
}

typedef struct agencies {
    int events, n;
    char names[256];
} agencies;

static int count_agencies(const jd_chrono_event *e, void *payload)
{
    agencies *a = payload;
    a->events++;
    size_t len = strlen(e->agency);
    const char *p = a->names;
    bool seen = false;
    while ((p = strstr(p, e->agency)) != NULL) {
        if ((p == a->names || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0')) {
            seen = true;
            break;
        }
        p += len;
    }
    if (!seen)
        a->n++;
    if (!seen && strlen(a->names) + len + 3 < sizeof a->names) {
        if (a->names[0])
            strcat(a->names, ", ");
        strcat(a->names, e->agency);
    }
    return 0;
}

static void fmt_day(char b[32], int64_t t)
{
    if (!t) {
        snprintf(b, 32, "never");
        return;
    }
    jd_time_format(b, t);
    b[10] = '\0';
}

/* Steps 4 to 7: what joindots finds (jd_demo_pipeline: identity
 * resolution, the analysis, the escalation replay), printed with the joined
 * chronology of one girl, the landmarks' alerts and the scores. */
static int demo_pipeline(jd_store *s, const char *dir, const char *db, json_t *root,
                         const char *ref, const char *truth)
{
    jd_error err;
    jd_error_clear(&err);
    char ids_path[4200], alerts_path[4200];
    snprintf(ids_path, sizeof ids_path, "%s/identities.jsonl", dir);
    snprintf(alerts_path, sizeof alerts_path, "%s/alerts.jsonl", dir);
    jd_demo_result res;
    int rc = jd_demo_pipeline(&res, s, ids_path, alerts_path, &err);
    if (rc < 0) {
        cli_print_error("demo", &err);
        return cli_exit_code(rc);
    }
    const jd_resolve_stats *rst = &res.resolve;
    printf("\n4. Identity resolution joined %lld agency refs into %lld people in %.1f s\n"
           "   (%lld candidate pairs, %lld links; %lld merges refused and explained).\n",
           (long long)rst->refs, (long long)rst->identities, res.resolve_seconds,
           (long long)rst->candidate_pairs, (long long)rst->links, (long long)rst->refused);
    char pid[64] = "";
    if (ref[0])
        person_of(ids_path, ref, pid, sizeof pid);
    if (pid[0]) {
        agencies who = {0, 0, ""};
        (void)jd_chronology(s, pid, JD_AS_OF_NOW, (jd_chrono_cb)count_agencies, &who, &err);
        shown sh = {0, 12};
        printf("   The girl from the A&E disclosure is %s: %d events in one chronology\n"
               "   from %d agencies (the first %d):\n",
               pid, who.events, who.n, sh.max);
        (void)jd_chronology(s, pid, JD_AS_OF_NOW, show_some, &sh, &err);
    }
    const jd_analyse_stats *ast = &res.analyse;
    printf("\n5. The analysis screened every event across agencies in %.1f s and raised\n"
           "   %lld alerts: %lld children with a risk level (%lld at most high, %lld\n"
           "   critical), %lld exploitation networks, %lld unrecorded crimes, %lld\n"
           "   missing patterns, %lld overdue return interviews, %lld notes with\n"
           "   victim-blaming wording.\n",
           res.analyse_seconds, (long long)ast->alerts,
           (long long)ast->by_kind[JD_ALERT_CHILD_AT_RISK], (long long)ast->by_level[3],
           (long long)ast->by_level[4], (long long)ast->by_kind[JD_ALERT_NETWORK],
           (long long)ast->by_kind[JD_ALERT_UNRECORDED_CRIME],
           (long long)ast->by_kind[JD_ALERT_MISSING_PATTERN],
           (long long)ast->by_kind[JD_ALERT_OVERDUE_RETURN_INTERVIEW],
           (long long)ast->by_kind[JD_ALERT_LANGUAGE]);
    printf("   What it says of each landmark:\n");
    json_t *lm = json_object_get(root, "landmarks");
    static const char *const keys[][2] = {{"ring_note_2005", "the constable's 'ring' note"},
                                          {"nfa_13", "the 13-year-old closed NFA"},
                                          {"ae_disclosure_14", "the A&E disclosure at 14"},
                                          {"held_against_will_call", "'held against her will'"},
                                          {"streetwise", "'streetwise and loves it'"},
                                          {"board_2007", "the board's 2007 fear"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *r = json_object_get(lm, keys[i][0]);
        const char *ag = json_string_value(json_object_get(r, "agency"));
        const char *rid = json_string_value(json_object_get(r, "record_id"));
        char cites[512];
        if (!ag || !rid)
            continue;
        alerts_citing(alerts_path, ag, rid, cites, sizeof cites);
        printf("   %-30s %s\n", keys[i][1], cites[0] ? cites : "(a strategic item: step 6)");
    }
    exploited_at_high(alerts_path, root);

    /* 6. when would the board have known? */
    const jd_escalate_stats *est = &res.escalate;
    char hi[32], board[32];
    fmt_day(hi, est->first_high_at);
    fmt_day(board, est->board_first_at);
    printf("\n6. Escalation, replayed with nobody acting on anything: the first alert at\n"
           "   high came on %s; the safeguarding board's agenda had its first item on\n"
           "   %s (%s).\n"
           "   In Oxfordshire, leaders learnt of it in late 2010.\n"
           "   %lld concerns in all; on the board's agenda until it records a decision:\n",
           hi, board, est->board_first_id[0] ? est->board_first_id : "none",
           (long long)est->concerns);
    for (int i = 0; i < res.n_agenda; i++) {
        char when[32];
        fmt_day(when, res.agenda[i].raised_at);
        printf("     %s  %s\n", when, res.agenda[i].title);
    }

    /* 7. scores */
    jd_score_report r;
    printf("\n7. Scores against the truth (identities and alerts above):\n\n");
    fflush(stdout);
    if (jd_score_run(&r, truth, ids_path, alerts_path, false, &err) == JD_OK) {
        (void)jd_score_print(&r, stdout, false, &err);
        jd_score_report_dispose(&r);
    }
    printf("\nExplore further:\n"
           "  joindots chronology --db %s %s\n"
           "  joindots profile --db %s --hotspots\n"
           "  joindots concern agenda --db %s\n"
           "  joindots export alerts --db %s\n"
           "  joindots demo --small    (the quarantine of bad rows)\n",
           db, pid[0] ? pid : ref, db, db, db);
    return JD_EXIT_OK;
}

static int demo_oxford(const char *dir, const char *bundle, const char *db,
                       unsigned long long seed)
{
    jd_error err;
    jd_error_clear(&err);
    jd_synth_opts so = JD_SYNTH_OPTS_INIT;
    so.scenario = "oxford";
    so.seed = seed;
    so.children = 4000;
    /* The showcase county stays the one its walkthrough, screenshots and
     * tests were written on; `joindots synth` makes the noisier counties
     * (realistic identity noise) that identity accuracy is measured on. */
    so.identity_noise = JD_SYNTH_NOISE_NONE;
    jd_synth_stats st;
    printf("joindots %s demo: synthetic data only, shaped like the Oxfordshire case\n\n",
           jd_version());
    double t0 = cli_now();
    int rc = jd_synth_write(bundle, &so, &st, &err);
    if (rc < 0) {
        cli_print_error("synth", &err);
        return cli_exit_code(rc);
    }
    printf("1. A synthetic county, 2004-2011 (%s): %lld events from 11 agencies about\n"
           "   %lld people; six exploited girls and seven men in one network, %lld\n"
           "   disclosed crimes never recorded, %lld notes that blame the child. %.1f s\n",
           bundle, (long long)st.events, (long long)st.people, (long long)st.unrecorded_crimes,
           (long long)st.blaming, cli_now() - t0);
    jd_store *s = NULL;
    if ((rc = cli_store_open(&s, db, true, false)) != JD_EXIT_OK)
        return rc;
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    jd_ingest_counts t = {0}, seen = {0};
    io.on_file = ingest_summary;
    io.payload = &seen;
    const char *bundles[] = {bundle};
    t0 = cli_now();
    if ((rc = jd_ingest_bundles(s, bundles, 1, &io, &t, &err)) < 0) {
        cli_print_error("ingest", &err);
        jd_store_close(s);
        return cli_exit_code(rc);
    }
    jd_store_counts c;
    (void)jd_store_counts_get(s, &c, &err);
    printf("\n2. Ingested into %s in %.1f s: %lld rows read, %lld stored, %lld quarantined.\n"
           "   The store holds %lld events, %lld person mentions under %lld agency refs,\n"
           "   %lld cars and phones, %lld places.\n",
           db, cli_now() - t0, (long long)t.read, (long long)t.stored, (long long)t.rejected,
           (long long)c.events, (long long)c.persons, (long long)c.person_refs,
           (long long)c.objects, (long long)c.locations);
    char truth[4200];
    snprintf(truth, sizeof truth, "%s/truth.json", bundle);
    json_t *root = json_load_file(truth, 0, NULL);
    json_t *lm = json_object_get(root, "landmarks");
    static const char *const marks[][2] = {
        {"ring_note_2005", "2005: a constable records his belief in an abuse ring"},
        {"nfa_13", "2005: a 13-year-old with older men, closed NFA as 'consensual'"},
        {"ae_disclosure_14", "2006: a 14-year-old at A&E discloses rape; no crime recorded"},
        {"held_against_will_call", "2006: a mother says her daughter is held against her will"},
        {"streetwise", "2007: a manager calls a girl 'streetwise and loves it'"},
        {"board_2007", "2007: the board sub-group fears an organised abuse ring"}};
    printf("\n3. The landmarks of the case, each one record in one agency:\n");
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        json_t *r = json_object_get(lm, marks[i][0]);
        printf("   %-62s %s %s\n", marks[i][1],
               json_string_value(json_object_get(r, "agency")),
               json_string_value(json_object_get(r, "record_id")));
    }
    /* One girl's joined picture: her police ref, every agency's events. */
    json_t *girl = json_object_get(json_object_get(lm, "ae_disclosure_14"), "person");
    const char *gid = json_string_value(girl);
    size_t i;
    json_t *p;
    char ref[256] = "";
    json_array_foreach(json_object_get(root, "persons"), i, p)
    {
        if (!gid || strcmp(json_string_value(json_object_get(p, "id")), gid))
            continue;
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(p, "refs"), k, r)
        {
            if (!strcmp(json_string_value(json_object_get(r, "agency")), "police")) {
                snprintf(ref, sizeof ref, "police:%s",
                         json_string_value(json_object_get(r, "person_ref")));
                break;
            }
        }
    }
    int ret = demo_pipeline(s, dir, db, root, ref, truth);
    json_decref(root);
    jd_store_close(s);
    return ret;
}

/* ---- serving the demo (issue 8) ---- */

typedef struct demo_accounts {
    char name[JD_ROLE_COUNT][32];
    char pw[JD_ROLE_COUNT][21];
} demo_accounts;

static void demo_banner(const char *url, void *payload)
{
    const demo_accounts *a = payload;
    printf("\nThe web application is at %s (this machine only). Demo accounts:\n", url);
    for (int r = 0; r < JD_ROLE_COUNT; r++)
        printf("  %-13s %-22s password %s\n", jd_role_name(r), a->name[r], a->pw[r]);
    printf("Stop with Ctrl-C.\n");
    fflush(stdout);
}

/* Resolve and analyse the demo store (saved, as the server reads them),
 * give every role a demo account with a fresh password, then serve. */
static int demo_serve(const char *db, const char *listen)
{
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    int rc = cli_store_open(&s, db, true, false);
    if (rc != JD_EXIT_OK)
        return rc;
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    if ((rc = jd_resolve(s, &ro, NULL, &err)) < 0 ||
        (rc = jd_escalate_analyse(s, &ao, NULL, &err)) < 0) {
        cli_print_error("preparing the web demo", &err);
        jd_store_close(s);
        return cli_exit_code(rc);
    }
    demo_accounts a;
    for (int r = 0; r < JD_ROLE_COUNT && rc == JD_OK; r++) {
        snprintf(a.name[r], sizeof a.name[r], "demo-%s", jd_role_name(r));
        jd_password_generate(a.pw[r]);
        const char *agency = r == JD_ROLE_PRACTITIONER ? "csc" : r == JD_ROLE_MANAGER ? "police" : NULL;
        rc = jd_account_add(s, a.name[r], (jd_role)r, agency, NULL, a.pw[r], &err);
        if (rc == JD_ECONFLICT)
            rc = jd_account_reset(s, a.name[r], a.pw[r], &err);
    }
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("demo accounts", &err);
        return cli_exit_code(rc);
    }
    return cli_serve_demo(db, listen, demo_banner, &a);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots demo [--dir DIR] [--small] [--seed N] [--no-serve] [--listen HOST:PORT]\n"
               "\n"
               "Generates the oxford scenario (a synthetic county shaped like the\n"
               "Oxfordshire case) into DIR (default: a new folder under /tmp), ingests it\n"
               "into DIR/joindots.db and shows what joindots holds.\n"
               "  --small   use the small bundle shipped in the program instead\n"
               "Then, when stdin is a terminal, it serves the scenario as the web\n"
               "application (default 127.0.0.1:8080) with a demo account for each role,\n"
               "and prints the address and the accounts; --no-serve (or no terminal)\n"
               "ends after the report.\n");
}

/* The small bundle shipped in the program: ingest it into DB and show what
 * the store holds. */
static int demo_small(const char *bundle, const char *db)
{
    jd_error err;
    jd_error_clear(&err);
    int rc = jd_demo_write_bundle(bundle, &err);
    if (rc < 0) {
        cli_print_error("demo bundle", &err);
        return cli_exit_code(rc);
    }
    printf("joindots %s demo: synthetic data only\n\n", jd_version());
    printf("1. Ingest the demo bundle (%s) into %s\n", bundle, db);
    jd_store *s = NULL;
    if ((rc = cli_store_open(&s, db, true, false)) != JD_EXIT_OK)
        return rc;
    jd_ingest_opts io = JD_INGEST_OPTS_INIT;
    io.on_file = on_file;
    jd_ingest_counts t;
    const char *bundles[] = {bundle};
    if ((rc = jd_ingest_bundles(s, bundles, 1, &io, &t, &err)) < 0) {
        cli_print_error("ingest", &err);
        jd_store_close(s);
        return cli_exit_code(rc);
    }
    jd_store_counts c;
    if ((rc = jd_store_counts_get(s, &c, &err)) < 0) {
        cli_print_error("counts", &err);
        jd_store_close(s);
        return cli_exit_code(rc);
    }
    printf("\n2. The store now holds %lld events, %lld person mentions (%lld person_refs),\n"
           "   %lld objects and %lld places; %lld rows were quarantined, %lld kept with a "
           "warning:\n",
           (long long)c.events, (long long)c.persons, (long long)c.person_refs,
           (long long)c.objects, (long long)c.locations, (long long)c.rejects,
           (long long)c.warnings);
    (void)jd_store_problems(s, false, show_reject, NULL, &err);
    printf("\n3. One child's chronology across agencies (police ref N1001):\n");
    if ((rc = jd_chronology(s, "police:N1001", JD_AS_OF_NOW, show_event, NULL, &err)) < 0)
        cli_print_error("chronology", &err);
    printf("\n4. Identities (contract 2.1), before identity resolution:\n");
    int64_t n = 0;
    fflush(stdout);
    if ((rc = jd_identities_export(s, stdout, &n, &err)) < 0)
        cli_print_error("identities", &err);
    jd_store_close(s);
    printf("\nExplore further:\n"
           "  joindots chronology --db %s police:N1001 --format json\n"
           "  joindots rejects --db %s --warnings\n"
           "  joindots export identities --db %s\n",
           db, db, db);
    return rc < 0 ? cli_exit_code(rc) : JD_EXIT_OK;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {{"dir", required_argument, NULL, 'd'},
                                              {"small", no_argument, NULL, 's'},
                                              {"seed", required_argument, NULL, 'e'},
                                              {"no-serve", no_argument, NULL, 'n'},
                                              {"listen", required_argument, NULL, 'l'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    bool small = false;
    unsigned long long seed = 2015;
    bool no_serve = false;
    const char *listen = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd': dir = optarg; break;
        case 's': small = true; break;
        case 'e': seed = strtoull(optarg, NULL, 10); break;
        case 'n': no_serve = true; break;
        case 'l': listen = optarg; break;
        default: return cli_usage(usage, o == 'h');
        }
    }
    if (optind != argc)
        return cli_usage(usage, false);
    char tmpl[] = "/tmp/joindots-demo.XXXXXX";
    if (!dir) {
        dir = mkdtemp(tmpl);
        if (!dir) {
            perror("joindots: mkdtemp");
            return JD_EXIT_FAIL;
        }
    } else if (mkdir(dir, 0700) != 0 && access(dir, W_OK) != 0) {
        perror(dir);
        return JD_EXIT_FAIL;
    }
    char bundle[4096], db[4096];
    snprintf(bundle, sizeof bundle, "%s/bundle", dir);
    snprintf(db, sizeof db, "%s/joindots.db", dir);
    if (!small) {
        int drc = demo_oxford(dir, bundle, db, seed);
        /* Serve only for a person at a terminal: CI and scripts never block. */
        if (drc != JD_EXIT_OK || no_serve || !isatty(STDIN_FILENO))
            return drc;
        fflush(stdout);
        return demo_serve(db, listen);
    }
    return demo_small(bundle, db);
}
