/*
 * Screening against held-out cases (tests/data/screen/cases.tsv): staff
 * phrasing unlike the synthetic generator's, misspellings, negation and
 * innocent uses of the same words. Each line must find the rules it names
 * and must not find the rules it forbids.
 */
#include <joindots/analyse.h>
#include "ingest/ingest_internal.h"
#include "screen/rules.h"
#include "screen/textscan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


typedef struct found {
    char rules[1024];
} found;

static int collect(const jd_finding *f, void *payload)
{
    found *x = payload;
    size_t n = strlen(x->rules);
    snprintf(x->rules + n, sizeof x->rules - n, ",%s,", f->rule);
    return 0;
}

static bool has(const found *x, const char *rule)
{
    char key[32];
    snprintf(key, sizeof key, ",%s,", rule);
    return strstr(x->rules, key) != NULL;
}

/* Whether line `lineno` checking `rule` is a listed, allowed difference. */
static bool allowed(const int (*allow)[2], const char *const *codes, int lineno, const char *rule)
{
    for (int i = 0; allow && allow[i][0]; i++)
        if (allow[i][0] == lineno && !strcmp(codes[allow[i][1]], rule))
            return true;
    return false;
}

/* Every line of cases.tsv through `s`: the number of failed checks, but for
 * the (line, code) pairs of `allow` (codes[allow[i][1]]; ends with {0, 0}). */
static int run_cases(jd_screener *s, const int (*allow)[2], const char *const *codes, int *n)
{
    const char *root = getenv("JD_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/screen/cases.tsv", root ? root : ".");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    jd_error err;
    char line[2048];
    int failed = 0, lineno = 0;
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL;
        char *expect = strtok_r(line, "\t", &save), *forbid = strtok_r(NULL, "\t", &save);
        char *type = strtok_r(NULL, "\t", &save), *age = strtok_r(NULL, "\t", &save);
        char *text = strtok_r(NULL, "\t", &save);
        assert_non_null(text);
        found x = {""};
        jd_screen_input in = {type, text, atoi(age), false, false};
        assert_int_equal(jd_screener_run(s, &in, collect, &x, &err), JD_OK);
        (*n)++;
        char *r, *sv2 = NULL;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", expect);
        for (r = strtok_r(buf, ",", &sv2); r; r = strtok_r(NULL, ",", &sv2))
            if (strcmp(r, "-") && !has(&x, r) && !allowed(allow, codes, lineno, r)) {
                printf("line %d: %s not found in \"%s\" (found%s)\n", lineno, r, text, x.rules);
                failed++;
            }
        snprintf(buf, sizeof buf, "%s", forbid);
        for (r = strtok_r(buf, ",", &sv2); r; r = strtok_r(NULL, ",", &sv2))
            if (strcmp(r, "-") && has(&x, r) && !allowed(allow, codes, lineno, r)) {
                printf("line %d: %s wrongly found in \"%s\"\n", lineno, r, text);
                failed++;
            }
    }
    fclose(f);
    return failed;
}

static void test_cases(void **state)
{
    (void)state;
    jd_screener *s = NULL;
    jd_error err;
    /* the rules alone: cases.tsv is what the rules decide */
    assert_int_equal(jd_screener_open_model(&s, NULL, "none", &err), JD_OK);
    int n, failed = run_cases(s, NULL, NULL, &n);
    jd_screener_close(s);
    printf("%d cases, %d failed checks\n", n, failed);
    assert_true(n >= 50);
    assert_int_equal(failed, 0);
}

/* The same cases through the DEFAULT screener (jd_screener_open: the
 * built-in indicators model), what production decides on the traps. The
 * model never counts what the rules ruled out as negated, hypothetical,
 * historical, quoted, innocent, about another person or "no concern"; the
 * differences it may make are listed here, each with its reason. */
static void test_cases_default(void **state)
{
    (void)state;
    static const char *const codes[] = {"", "S11", "S09", "M09"};
    /* only vetoes: a rule's find the model does not count (its p below the
     * label's threshold), none of them a trap: line 19 S11 "in the company
     * of three adult males", line 21 S09 "taken to parties at houses in
     * another town", line 66 M09 "associates with older girls" (M01 counts) */
    static const int allow[][2] = {{19, 1}, {21, 2}, {66, 3}, {0, 0}};
    jd_screener *s = NULL;
    jd_error err;
    assert_int_equal(jd_screener_open(&s, NULL, &err), JD_OK);
    int n, failed = run_cases(s, allow, codes, &n);
    jd_screener_close(s);
    printf("%d cases through the default model, %d failed checks\n", n, failed);
    assert_true(n >= 50);
    assert_int_equal(failed, 0);
}

static void test_bad_rules(void **state)
{
    (void)state;
    char path[] = "/tmp/jd-rules-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"scoring\": {\"recent_days\": 183, \"late_days\": 365, \"moderate_window_days\": 183,"
          " \"levels\": [{\"level\": \"low\", \"min_score\": 6}, {\"level\": \"medium\","
          " \"min_score\": 11}, {\"level\": \"high\", \"min_score\": 16}]},"
          " \"indicators\": [{\"id\": \"X1\", \"class\": \"moderate\", \"evidence\":"
          " [{\"phrases\": [\"bad ~0 gap\"]}]}]}", f);
    fclose(f);
    jd_error err;
    jd_screener *s = NULL;
    assert_int_equal(jd_screener_open(&s, path, &err), JD_EINVALID);
    assert_non_null(strstr(err.msg, "X1"));
    assert_non_null(strstr(err.source, "jd-rules-"));
    /* the text evidence is the text screen's (issue 14): old phrases are refused with where
     * they went, a language row needs the screen's slug, a trigger its offences */
    assert_non_null(strstr(err.msg, "screen.json"));
    static const char *const scoring =
        "{\"scoring\": {\"recent_days\": 183, \"late_days\": 365, \"moderate_window_days\": 183,"
        " \"levels\": [{\"level\": \"low\", \"min_score\": 6}, {\"level\": \"medium\","
        " \"min_score\": 11}, {\"level\": \"high\", \"min_score\": 16}]}, \"indicators\": [{\"id\":"
        " \"X1\", \"class\": \"moderate\", \"evidence\": [{\"screen\": true}]}], ";
    static const struct {
        const char *tail, *needle;
    } bad[] = {
        {"\"language\": [{\"id\": \"L01\", \"avoid\": \"a\", \"instead\": \"b\"}]}", "slug"},
        {"\"language\": [{\"id\": \"L01\", \"slug\": \"consent\", \"phrases\": [\"x\"]}]}",
         "screen.json"},
        {"\"triggers\": [{\"id\": \"T2\", \"name\": \"t\", \"phrases\": [\"held\"]}]}",
         "screen.json"},
        {"\"triggers\": [{\"id\": \"T2\", \"name\": \"t\", \"screen\": []}]}", "screen lists"},
        {"\"triggers\": [{\"id\": \"T2\", \"name\": \"t\", \"screen\": [19]}]}", "offence codes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = fopen(path, "w");
        fprintf(f, "%s%s", scoring, bad[i].tail);
        fclose(f);
        jd_error_clear(&err);
        assert_int_equal(jd_screener_open(&s, path, &err), JD_EINVALID);
        if (!strstr(err.msg, bad[i].needle))
            fprintf(stderr, "case %zu: %s\n", i, err.msg);
        assert_non_null(strstr(err.msg, bad[i].needle));
    }
    /* the same with a good trigger and language row opens */
    f = fopen(path, "w");
    fprintf(f, "%s%s", scoring,
            "\"triggers\": [{\"id\": \"T2\", \"name\": \"t\", \"screen\": [\"C19\"]}],"
            " \"language\": [{\"id\": \"L01\", \"slug\": \"consent\", \"avoid\": \"a\","
            " \"instead\": \"b\"}]}");
    fclose(f);
    assert_int_equal(jd_screener_open(&s, path, &err), JD_OK);
    jd_screener_close(s);
    /* not JSON at all: the error names line and column */
    f = fopen(path, "w");
    fputs("{\n  \"scoring\": [\n", f);
    fclose(f);
    assert_int_equal(jd_screener_open(&s, path, &err), JD_EINVALID);
    assert_true(err.line >= 2);
    assert_int_equal(jd_screener_open(&s, "/nonexistent/rules.json", &err), JD_EINVALID);
    unlink(path);
}

static int cb(const jd_finding *f, void *p);

static void test_offsets_and_advice(void **state)
{
    (void)state;
    jd_screener *s = NULL;
    jd_error err;
    assert_int_equal(jd_screener_open(&s, NULL, &err), JD_OK);
    const char *text = "Plan agreed. She is streetwise.";
    struct {
        int off, len;
        char advice[200];
    } got = {-2, -2, ""};
        jd_screen_input in = {"case_note", text, 14, false, false};
    assert_int_equal(jd_screener_run(s, &in, cb, &got, &err), JD_OK);
    assert_int_equal(got.off, 20);
    assert_int_equal(got.len, 10);
    assert_non_null(strstr(got.advice, "exploit"));
    jd_screener_close(s);
}

static int cb(const jd_finding *f, void *p)
{
    struct {
        int off, len;
        char advice[200];
    } *g = p;
    if (!strcmp(f->rule, "L07")) {
        g->off = f->offset;
        g->len = f->length;
        snprintf(g->advice, sizeof g->advice, "%s", f->advice);
    }
    return 0;
}

/* jd_ts__tokenize writes each token and a space: "a1a1..." (every byte a
 * token without a separator) once wrote past the normalised-text buffer
 * (fuzz_screen, issue 19). */
static void test_tokenize_output_bound(void **state)
{
    (void)state;
    static const char *const texts[] = {"a1", "x", "won't", "1a2b3c4d"};
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
        for (size_t reps = 1; reps <= 64; reps++) {
            char in[600] = "";
            for (size_t r = 0; r < reps && strlen(in) + 10 < sizeof in; r++)
                strcat(in, texts[t]);
            jd_ts_scan sc;
            jd_ts__scan_init(&sc);
            assert_int_equal(jd_ts__tokenize(&sc, in, strlen(in)), JD_OK);
            if (strlen(sc.low) >= sc.lowcap)
                fail_msg("tokenized \"%s\" (%zu bytes) into %zu bytes, buffer %zu", in,
                         strlen(in), strlen(sc.low), sc.lowcap);
            jd_ts__scan_free(&sc);
        }
}

/* The catalogue's ET_* bits are named by ingest's list of the contract's
 * event types (one list for both): every name maps back to its bit, and an
 * unknown type or bit is "other". */
static void test_event_types(void **state)
{
    (void)state;
    assert_int_equal(JD_INGEST_NEVENT_TYPES, ET_N);
    for (int i = 0; i < ET_N; i++) {
        assert_string_equal(jd_rules__event_type_name(i), jd_ingest__event_types[i]);
        assert_int_equal(jd_rules__event_type(jd_ingest__event_types[i]), i);
    }
    assert_string_equal(jd_rules__event_type_name(ET_MISSING_REPORT), "missing_report");
    assert_string_equal(jd_rules__event_type_name(ET_SECTION47), "section47");
    assert_string_equal(jd_rules__event_type_name(ET_PARENT_REPORT), "parent_report");
    assert_string_equal(jd_rules__event_type_name(ET_OTHER), "other");
    assert_string_equal(jd_rules__event_type_name(-1), "other");
    assert_string_equal(jd_rules__event_type_name(ET_N), "other");
    assert_int_equal(jd_rules__event_type("strategy_meeting"), ET_OTHER);
    assert_int_equal(jd_rules__event_type(NULL), ET_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_cases_default),
        cmocka_unit_test(test_bad_rules),
        cmocka_unit_test(test_offsets_and_advice),
        cmocka_unit_test(test_tokenize_output_bound),
        cmocka_unit_test(test_event_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
