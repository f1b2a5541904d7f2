/*
 * The text screen (include/joindots/screen.h): offences C1-C20, language
 * slugs and indicators in several grammatical forms with near misses
 * (tests/data/screen/engine_cases.tsv), ConText attributes, roles, every
 * age form, crime-recorded detection, rule-file validation and limits.
 * Sentences are written from DOMAIN.md, not taken from any corpus.
 */
#include <joindots/analyse.h>
#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screen_fx.h"

static const jd_screen_result *run(fx *f, const char *text, int age, const char *type,
                                   int recorded)
{
    jd_error err;
    jd_error_clear(&err);
    jd_screen_note in = {"t", text, type, NULL, age, 0, recorded, 0, 0}; /* gender unknown */
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    return &f->res;
}

/* The match for code (counted or not), or NULL. */
static const jd_screen_match *find(const jd_screen_result *r, const char *code, bool counts)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->m[i].counts == counts && !strcmp(r->m[i].code, code))
            return &r->m[i];
    return NULL;
}

/* The match, failing the test when there is none. */
static const jd_screen_match *must(const jd_screen_result *r, const char *code, bool counts)
{
    static const jd_screen_match none; /* never reached: fail() ends the test */
    const jd_screen_match *m = find(r, code, counts);
    if (!m) {
        fprintf(stderr, "no %s match for %s\n", counts ? "counted" : "discounted", code);
        fail();
        return &none;
    }
    return m;
}

/* Counted and, for an offence, not recorded (what an unrecorded_crime alert needs). */
static bool counted(const jd_screen_result *r, const char *code)
{
    const jd_screen_match *m = find(r, code, true);
    return m && !(m->kind == JD_SCREEN_OFFENCE && m->recorded);
}

static bool in_list(const char *list, const char *code)
{
    if (!strcmp(list, "-"))
        return false;
    size_t n = strlen(code);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !memcmp(p, code, n))
            return true;
        p += l + (e ? 1 : 0);
    }
    return false;
}

/* Runs the cases of one file under tests/data/screen/; counts into *cases and
 * *failures and prints each failure with the rule and why. A difference
 * "CASE:CODE" listed in allow (comma list, NULL none) is printed, not counted. */
static void run_case_file(fx *f, const char *name, const char *allow, int *cases_out,
                          int *failures_out)
{
    const char *root = getenv("JD_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/screen/%s", root ? root : ".", name);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[4096];
    int cases = 0, failures = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char *fld[5];
        char *p = line;
        int n = 0;
        for (; n < 5 && p; n++) {
            fld[n] = p;
            p = n < 4 ? strchr(p, '\t') : NULL;
            if (p)
                *p++ = 0;
        }
        assert_int_equal(n, 5);
        const jd_screen_result *r = run(f, fld[4], atoi(fld[0]), fld[1], -1);
        cases++;
        for (int want = 0; want < 2; want++) {
            char list[512];
            snprintf(list, sizeof list, "%s", fld[2 + want]);
            if (!strcmp(list, "-"))
                continue;
            for (char *c = strtok(list, ","); c; c = strtok(NULL, ",")) {
                bool got = counted(r, c);
                char key[32];
                snprintf(key, sizeof key, "%d:%s", cases, c);
                if (got != (want == 0)) {
                    failures += !(allow && in_list(allow, key));
                    fprintf(stderr, "case %d: %s %s in: %s\n", cases,
                            want == 0 ? "missed" : "wrongly found", c, fld[4]);
                    const jd_screen_match *m = find(r, c, true);
                    if (!m)
                        m = find(r, c, false);
                    if (m)
                        fprintf(stderr, "   rule \"%s\": %s\n", m->rule, m->why);
                }
            }
        }
    }
    fclose(in);
    fprintf(stderr, "%s: %d cases, %d failures\n", name, cases, failures);
    *cases_out = cases;
    *failures_out = failures;
}

static void test_cases(void **state)
{
    int cases = 0, failures = 0;
    run_case_file(*state, "engine_cases.tsv", NULL, &cases, &failures);
    assert_true(cases >= 150);
    assert_int_equal(failures, 0);
}

/* engine_cases.tsv through the DEFAULT screen (jd_screen_open: the
 * built-in models, indicators + offences + wording joined), what production
 * decides on the traps: the model never counts what the rules ruled out as
 * negated, hypothetical, historical, challenged, innocent or "no concern"
 * (model_may_count). The allowed differences (CASE:CODE, CASE the n-th case
 * of the file), those of the indicators model trained on the 25 sets' tune
 * parts by the guarded trainer (fourteenth session; screen.md "The 25-set
 * indicators model"):
 * - vetoes, a rule's find below the label's threshold: 30 S09, 36 S05,
 *   536 S09, 543 S09, 1373 S11, 1374 S11, 1477 V03, 1600 M09, 1601 M09
 *   (scr-ind7's peer rule: the model, trained before it, keeps M09 at .6);
 * - weak evidence the model counts (what weak rules are for): 82 M07,
 *   591 M10, 592 M10, 594 M13, 659 S04, 760 S03, 1379 M04, 1403 S07,
 *   1409 M11, 1414 V04, 1478 S03 (weak and about another person);
 * - raised from the note's words, no rule of the label: 1132 S08;
 * - about another person, counted by the model (kept by the figures, see
 *   screen.md "What the model may count over"): 32 S09, 753 S07, 1156 S04.
 * Those of the offences and wording models joined as the default
 * (eighteenth session, screen.md "The three models as the default, an
 * activity floor and a name floor"; 663 and 1571, weak raises about a
 * thing, are right by the thing_subject floor, 1345 "runs a line of
 * washing" by the activity floor). The default's worth on the pool
 * held-out parts of heldout2..28 (rules + indicators model -> the three):
 * offences 900/314/392 -> 935/306/357, wording 1070/98/128 -> 1096/93/102,
 * indicators 2892/896/1096 -> 2925/922/1063; each below a floor was tried
 * for or measured there:
 * - indicators the offences model moves: with it the weak offence rules
 *   are read, as they were when the indicators model was trained (the
 *   indicators model alone with --all decides the same): 655 S03, 749 S03,
 *   1150 M04, 1160 S06;
 * - vetoes with a word of the note among the weightiest (not the setting
 *   alone): 1352 C13 and 1556 C11 (hasx:S09); a parent's or friends'
 *   attributed slur, 219 C9 "hustler", 1543 and 1659 C9 "on the game"
 *   (cattr:quoted: the corpora's writers leave an unchallenged relative's
 *   slur unlabelled more often than not);
 * - a weak raise beside an activity in a sentence about older youths:
 *   1623 C13 "wraps" after travelling "with the olders" "for a football
 *   match" ("olders" keeps the activity floor off, as it should);
 * - wording raised from the note's words alone: 298 streetwise, 316 enjoys
 *   ("the centre of attention": "attention" keeps the activity floor off).
 *   The activity floor on such raises cost 1 TP and saved no FP on the
 *   pool held-out (tune: none either way), so it was not kept.
 *   A floor of no wording raise in a note with no wording match cost 2 TP
 *   and saved no FP on the pool held-out (tune: 8 TP, no FP), so it was
 *   not kept. */
static void test_cases_default(void **state)
{
    (void)state;
    static const char allow[] = "30:S09,36:S05,536:S09,543:S09,1373:S11,1374:S11,1477:V03,"
                                "82:M07,591:M10,592:M10,594:M13,659:S04,760:S03,1379:M04,"
                                "1403:S07,1409:M11,1414:V04,1478:S03,1132:S08,32:S09,753:S07,"
                                "1156:S04,1600:M09,1601:M09,655:S03,749:S03,1150:M04,"
                                "1160:S06,1352:C13,1556:C11,219:C9,1543:C9,1659:C9,1623:C13,"
                                "298:streetwise,316:enjoys";
    fx g = {0};
    jd_error err;
    assert_int_equal(jd_screen_open(&g.S, NULL, &err), JD_OK);
    int cases = 0, failures = 0;
    run_case_file(&g, "engine_cases.tsv", allow, &cases, &failures);
    jd_screen_result_free(&g.res);
    jd_screen_close(g.S);
    assert_true(cases >= 150);
    assert_int_equal(failures, 0);
}

/* The thing_subject floor through the default screen: a weak raise whose
 * clause is about a thing, not a person, is not the model's to count
 * (the why names the floor); with a person as the subject the offences
 * model still raises the weak rule's find. */
static void test_floor_thing_subject(void **state)
{
    (void)state;
    fx g = {0};
    jd_error err;
    assert_int_equal(jd_screen_open(&g.S, NULL, &err), JD_OK);
    const jd_screen_result *r = run(&g, "The heating is out of control in the flat.", 14,
                                    "case_note", -1);
    assert_null(find(r, "out_of_control", true));
    assert_non_null(strstr(must(r, "out_of_control", false)->why, "about a thing, not a person"));
    r = run(&g, "The flat below hers is believed to be a trap house.", 15, "police", -1);
    assert_null(find(r, "C13", true));
    assert_non_null(strstr(must(r, "C13", false)->why, "about a thing, not a person"));
    r = run(&g, "The man at the flat is believed to run a trap house where she stays.", 15,
            "police", -1);
    assert_non_null(strstr(must(r, "C13", true)->why, "counted by the model"));
    r = run(&g, "Mum says he is out of control at home.", 14, "case_note", -1);
    must(r, "out_of_control", true);
    jd_screen_result_free(&g.res);
    jd_screen_close(g.S);
}

/* The activity floor (screen.c activity_object) through the default
 * screen: a weak raise of enjoys, experimenting or an offence whose verb's
 * object is an activity or a thing (data/rules/screen.json "activities":
 * a sport, a school subject, a hobby, a chore, an outing) is not the
 * model's to count (the why names the floor); with a man, sex, drugs or
 * money in the sentence the model still counts it. */
static void test_floor_activity_object(void **state)
{
    (void)state;
    fx g = {0};
    jd_error err;
    assert_int_equal(jd_screen_open(&g.S, NULL, &err), JD_OK);
    static const char why[] = "an activity or thing as its object";
    const jd_screen_result *r =
        run(&g, "She is experimenting with chemistry sets.", 14, "school", -1);
    assert_null(find(r, "experimenting", true));
    assert_non_null(strstr(must(r, "experimenting", false)->why, why));
    r = run(&g, "He runs a line of washing from the kitchen into the garden.", 16,
            "intelligence", -1);
    assert_null(find(r, "C13", true));
    assert_non_null(strstr(must(r, "C13", false)->why, why));
    /* must count: the verb's object is sex, drugs, men or money */
    r = run(&g, "She is experimenting with drugs and alcohol.", 14, "school", -1);
    must(r, "experimenting", true);
    r = run(&g, "She is experimenting sexually with older men.", 14, "school", -1);
    must(r, "experimenting", true);
    r = run(&g, "He runs a line of washing for the men in the flat.", 16, "intelligence", -1);
    assert_non_null(strstr(must(r, "C13", true)->why, "counted by the model"));
    jd_screen_result_free(&g.res);
    jd_screen_close(g.S);
}

/* The name floor (screen.c name_span) through the default screen: a weak
 * offence find whose words are one title-case word inside the sentence is
 * a name, not the model's to count; the same word in lower case is. */
static void test_floor_name(void **state)
{
    (void)state;
    fx g = {0};
    jd_error err;
    assert_int_equal(jd_screen_open(&g.S, NULL, &err), JD_OK);
    const jd_screen_result *r = run(&g,
                                    "Officers found Olivia with Mark in a parked car at the "
                                    "takeaway at 1am.",
                                    16, "found_with_adult", -1);
    assert_null(find(r, "C16", true));
    assert_non_null(strstr(must(r, "C16", false)->why, "a name, not the rule's word"));
    r = run(&g, "Officers found a mark on her neck where he grabbed her.", 16, "found_with_adult",
            -1);
    must(r, "C16", true);
    jd_screen_result_free(&g.res);
    jd_screen_close(g.S);
}

/* The section 6 wording in other words: one family per row, each with near
 * misses (tests/data/screen/language_cases.tsv). */
static void test_language_cases(void **state)
{
    int cases = 0, failures = 0;
    run_case_file(*state, "language_cases.tsv", NULL, &cases, &failures);
    assert_true(cases >= 90);
    assert_int_equal(failures, 0);
}

/* Each attribute rules a match out and the explanation says which. */
static void test_attributes(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    const jd_screen_match *m;

    r = run(f, "She denies any sexual activity with the man aged 30.", 14, "case_note", -1);
    m = must(r, "C2", false);
    assert_true(m->attrs & JD_SCREEN_NEGATED);
    assert_non_null(strstr(m->why, "negated"));
    assert_null(find(r, "C2", true));

    r = run(f, "If she goes missing again she would be at risk of exploitation; she absconds "
               "from the unit.", 14, "case_note", -1);
    assert_true(counted(r, "absconded")); /* the second clause is a fact */
    r = run(f, "If she absconds again staff will call the police.", 14, "case_note", -1);
    m = must(r, "absconded", false);
    assert_true(m->attrs & JD_SCREEN_HYPOTHETICAL);

    /* negation ends at "and" before a verb and at "as" before a subject */
    r = run(f, "She was told not to go back there and has been non-compliant since.", 15,
            "case_note", -1);
    assert_true(counted(r, "refused_to_engage"));
    r = run(f, "She was told not to go back there and not non-compliant at all.", 15,
            "case_note", -1);
    assert_false(counted(r, "refused_to_engage")); /* "and not": no verb, still negated */
    r = run(f, "No further action as Kayleigh consented to sex with the man.", 14, "case_note", -1);
    assert_true(counted(r, "consent"));
    r = run(f, "No suggestion that Kayleigh consented to sex with the man.", 14, "case_note", -1);
    assert_false(counted(r, "consent"));
    /* challenges in other words: "stop describing", "a child being exploited" */
    r = run(f, "We must stop describing her as putting herself at risk.", 14, "case_note", -1);
    m = must(r, "putting_self_at_risk", false);
    assert_true(m->attrs & JD_SCREEN_CHALLENGED);
    r = run(f, "Staff wrote that she chose to go with the men, but she is a child being "
               "exploited.", 14, "case_note", -1);
    assert_false(counted(r, "own_accord"));
    r = run(f, "She chose to go with the men again last night.", 14, "case_note", -1);
    assert_true(counted(r, "own_accord"));
    /* wording rules that name their subject still ask whom the clause is about */
    r = run(f, "Another girl in the home has been sleeping with older men.", 14, "case_note", -1);
    m = must(r, "sexual_activity_with_adult", false);
    assert_true(m->attrs & JD_SCREEN_OTHER_PERSON);
    /* an adult as the subject of the wording is another person; the child as
     * subject, with the adult after the verb, is not */
    r = run(f, "The man (34) refused to cooperate and gave a no comment interview.", 15,
            "police", -1);
    m = must(r, "refused_to_engage", false);
    assert_true(m->attrs & JD_SCREEN_OTHER_PERSON);
    assert_false(counted(r, "refused_to_engage"));
    r = run(f, "She refused to cooperate with the worker and the man (34) drove off.", 15,
            "police", -1);
    assert_true(counted(r, "refused_to_engage"));
    r = run(f, "Staff know that she has been sleeping with older men.", 14, "case_note", -1);
    assert_true(counted(r, "sexual_activity_with_adult"));
    /* "sexually active with" an adult is the sexually_active row (the corpora
     * label it so), not the adult's act told as hers */
    r = run(f, "Staff know that she is sexually active with older men.", 14, "case_note", -1);
    assert_true(counted(r, "sexually_active"));
    assert_false(counted(r, "sexual_activity_with_adult"));
    /* a negation runs on over "or that" */
    r = run(f, "There is nothing to indicate that she has been sexually exploited or that men "
               "have had sex with her.", 14, "case_note", -1);
    assert_false(counted(r, "C2"));
    r = run(f, "There is nothing to indicate that she is at school, and men have had sex with "
               "her at the flat.", 14, "case_note", -1);
    assert_true(counted(r, "C2"));
    /* "No 12" is a house number, not a negation */
    r = run(f, "Police at No 12: a man (30) locked her in the bedroom.", 15,
            "call_for_service", -1);
    assert_true(counted(r, "C19"));
    r = run(f, "No sign that a man aged 30 had locked her in the bedroom.", 15,
            "call_for_service", -1);
    assert_false(counted(r, "C19"));
    /* the subject carries over "and then": her aunt agreed, not the child */
    r = run(f, "Her aunt was upset and then agreed to meet the man at the flat.", 14, "case_note",
            -1);
    assert_false(counted(r, "consent"));
    r = run(f, "The previous tenant at the flat was a known sex worker.", 15, "case_note", -1);
    m = must(r, "prostitution", false);
    assert_true(m->attrs & JD_SCREEN_HISTORICAL);

    r = run(f, "Her mother is described by neighbours as promiscuous.", 15, "case_note", -1);
    m = must(r, "promiscuous", false);
    assert_true(m->attrs & JD_SCREEN_OTHER_PERSON);
    assert_non_null(strstr(m->why, "another person"));

    r = run(f, "She says \"I'm streetwise\"; this is grooming and she is a victim.", 15,
            "case_note", -1);
    m = must(r, "streetwise", false);
    assert_true(m->attrs & (JD_SCREEN_QUOTED | JD_SCREEN_CHALLENGED));

    /* the same words as the writer's own are counted */
    r = run(f, "She is streetwise.", 15, "case_note", -1);
    assert_true(counted(r, "streetwise"));
}

/* Roles: the child taken, not property; injuries caused by a person. */
static void test_roles(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    r = run(f, "A man grabbed her and pulled her into his car.", 14, "call_for_service", -1);
    assert_true(counted(r, "C19"));
    r = run(f, "A man grabbed her phone and ran off.", 14, "call_for_service", -1);
    assert_false(counted(r, "C19"));
    r = run(f, "Her bike was taken from outside the shop.", 14, "call_for_service", -1);
    assert_false(counted(r, "C19"));
    assert_false(counted(r, "C15"));

    r = run(f, "Her dad hit her with a belt.", 12, "case_note", -1);
    assert_true(counted(r, "C16"));
    r = run(f, "Bruising to her arm after a fall from her scooter.", 12, "ae_attendance", -1);
    assert_false(counted(r, "C16"));
    r = run(f, "Bitten by a dog in the park.", 12, "ae_attendance", -1);
    assert_false(counted(r, "C16"));
    r = run(f, "Fingertip bruises on both arms; she would not say how.", 12, "ae_attendance", -1);
    assert_true(counted(r, "S06"));
    r = run(f, "Bruises on both knees from rugby training.", 12, "ae_attendance", -1);
    const jd_screen_match *m = find(r, "S06", false);
    assert_false(counted(r, "S06"));
    if (m)
        assert_true(m->attrs & JD_SCREEN_INNOCENT);
}

static const jd_screen_result *run_gender(fx *f, const char *text, int age, char gender)
{
    jd_error err;
    jd_error_clear(&err);
    jd_screen_note in = {"t", text, "case_note", NULL, age, gender, -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    return &f->res;
}

/* Whose wording it is: the clause's subject, not the nearest person word. A
 * professional or the writer as the subject of the verb ("Manager consented
 * to the search", "we have agreed to go at her pace") is not the child; a
 * subject pronoun of the other gender than the child's ("he keeps asking for
 * it" in a note about a girl) is another person; near misses keep the child
 * as the subject. */
static void test_subject(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    const jd_screen_match *m;
    r = run_gender(f, "A man was in the car park. Manager consented to CCTV review, nothing of note.", 16, 'F');
    assert_false(counted(r, "consent"));
    m = must(r, "consent", false);
    assert_true(m->attrs & JD_SCREEN_OTHER_PERSON);
    r = run_gender(f, "A man was at the flat. Her support worker was present and consented to it.", 16, 'F');
    assert_false(counted(r, "consent"));
    r = run_gender(f, "She went to his flat. She is not ready to talk and we have agreed to go at her pace.", 15, 'F');
    assert_false(counted(r, "consent"));
    /* near misses: the child is the subject, or the professional's view of her */
    r = run_gender(f, "A man was at the flat. Manager says she consented to it.", 16, 'F');
    assert_true(counted(r, "consent"));
    r = run_gender(f, "Officers felt the sexual contact was consensual.", 15, 'F');
    assert_true(counted(r, "consent"));
    r = run_gender(f, "Staff describe her as very streetwise.", 15, 'F');
    assert_true(counted(r, "streetwise"));
    r = run_gender(f, "Staff discussed it and agreed that this is her lifestyle choice.", 16, 'F');
    assert_true(counted(r, "lifestyle_choice"));
    r = run_gender(f, "Dylan has kept his key worker at arm's length and refuses to engage.", 17,
                   'M');
    assert_true(counted(r, "refused_to_engage"));
    /* quoted, "I" is the child's own word */
    r = run_gender(f, "Mia has been sexually active with a man of 25 and I think she consented.",
                   14, 'F');
    assert_true(counted(r, "consent"));

    /* gender: "he" in a note about a girl is someone else */
    const char *boy = "She says that he keeps asking for it again.";
    r = run_gender(f, boy, 14, 'F');
    assert_false(counted(r, "asking_for_it"));
    r = run_gender(f, boy, 14, 0); /* gender unknown: "he" may be the child */
    assert_true(counted(r, "asking_for_it"));
    r = run_gender(f, "He keeps asking for it, staff say.", 14, 'M');
    assert_true(counted(r, "asking_for_it"));
    r = run_gender(f, "She was flirting with him earlier, she was asking for it.", 16, 'F');
    assert_true(counted(r, "asking_for_it")); /* "him" is an object, not a subject */

    /* names: with the child's name known from its age ("Ellie (14)"), another
     * person's name ("older daughter (18) Aimee", "her sister Aimee") owns
     * what follows it: "Aimee's boyfriend" is not the child's */
    r = run_gender(f,
                   "Report from mum re older daughter (18) Aimee's boyfriend (26). Ellie (14) is "
                   "at school.",
                   14, 'F');
    assert_false(counted(r, "boyfriend"));
    r = run_gender(f,
                   "Ellie's boyfriend (26) picks her up from school. Ellie (14) was missing "
                   "overnight.",
                   14, 'F');
    assert_true(counted(r, "boyfriend")); /* the child's own name */
    r = run_gender(f, "Aimee's boyfriend (26) picks her up. Ellie (14) was missing overnight.", 14,
                   'F');
    assert_true(counted(r, "boyfriend")); /* nothing says Aimee is someone else */
    r = run_gender(f, "Dale (22) had sex with her at his flat. Keeley (14) was upset.", 14, 'F');
    assert_true(counted(r, "C2")); /* a named adult acts: not "another person" */

    /* an injury done to a person of the other gender is someone else's */
    const char *hit = "A man punched him in the face outside the shop.";
    r = run_gender(f, hit, 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, hit, 14, 'M');
    assert_true(counted(r, "C16"));
    r = run_gender(f, hit, 14, 0);
    assert_true(counted(r, "C16"));
    /* other acts name the one acting with that pronoun: still the child's */
    r = run_gender(f, "A man of 25 touched her and she told him to stop.", 14, 'F');
    assert_true(counted(r, "C2") || counted(r, "C11"));
}

/* Every way the other person's age is written decides C2 against C3. */
static void test_ages(void **state)
{
    fx *f = *state;
    static const struct {
        const char *text;
        int age;
    } cases[] = {
        {"She has had sex with a man aged 24.", 24},
        {"She has had sex with Dean (39) at his flat.", 39},
        {"She has had sex with a man in his 30s.", 30},
        {"She has had sex with a man, DOB 1979.", 45},
        {"She has had sex with a much older male.", 18},
        {"She has had sex with a man old enough to be her dad.", 18},
        {"She has had sex with a 19yo from the shop.", 19},
        {"She has had sex with a 23-year-old.", 23},
        {"She has had sex with a man.", 18},
        {"Her boyfriend is 21 and she has had sex with him.", 21},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const jd_screen_result *r = run(f, cases[i].text, 14, "case_note", -1);
        const jd_screen_match *m = must(r, "C2", true);
        assert_int_equal(m->other_age, cases[i].age);
        assert_non_null(strstr(m->basis, "child 14"));
        assert_false(counted(r, "C3"));
    }
    /* a 17-year-old partner: C3, not C2 */
    const jd_screen_result *r = run(f, "She has had sex with a boy aged 17.", 14, "case_note", -1);
    assert_true(counted(r, "C3"));
    assert_false(counted(r, "C2"));
    /* same age: neither */
    r = run(f, "She has kissed a boy aged 14 from her class.", 14, "case_note", -1);
    assert_false(counted(r, "C2"));
    assert_false(counted(r, "C3"));
    /* the act when under 13 decides C1 for an older child */
    r = run(f, "She says her uncle had sex with her when she was 11.", 15, "case_note", -1);
    assert_true(counted(r, "C1"));
}

/* A crime recorded in the note or in the input is not an unrecorded crime. */
static void test_recorded(void **state)
{
    fx *f = *state;
    const char *t = "She says a man aged 30 had sex with her. Crime ref 33/40011/24.";
    const jd_screen_result *r = run(f, t, 14, "case_note", -1);
    assert_true(must(r, "C2", true)->recorded);
    r = run(f, "She says a man aged 30 had sex with her. Crime recorded.", 14, "case_note", -1);
    assert_true(must(r, "C2", true)->recorded);
    r = run(f, "She says a man aged 30 had sex with her. No crime recorded, NFA.", 14, "case_note",
            -1);
    assert_false(must(r, "C2", true)->recorded);
    r = run(f, "She says a man aged 30 had sex with her. DOB 02/03/1994.", 14, "case_note", -1);
    assert_false(must(r, "C2", true)->recorded);
    r = run(f, "She says a man aged 30 had sex with her.", 14, "case_note", 1);
    assert_true(must(r, "C2", true)->recorded);
    /* a crime to be recorded or a decision on recording to come is not a record */
    r = run(f, "She says a man aged 30 had sex with her. Police to record crime after ABE.", 14,
            "case_note", -1);
    assert_false(must(r, "C2", true)->recorded);
    r = run(f, "She says a man aged 30 had sex with her. Police to decide on crime recording.", 14,
            "case_note", -1);
    assert_false(must(r, "C2", true)->recorded);
    r = run(f, "She says a man aged 30 had sex with her. Recorded as a crime today.", 14,
            "case_note", -1);
    assert_true(must(r, "C2", true)->recorded);
    /* the record's own "not recorded" (0) outranks a reference or a cue in
     * the text: it names another crime of the event, so the rest stays
     * unrecorded ("the assault was crimed, 33/...; the sexual offence has
     * not been considered"); unknown (-1) lets the text decide, and the
     * record's "recorded" (1) stands alone */
    t = "A man aged 30 punched her and had sex with her. The assault was crimed, 33/40011/24; "
        "the sexual offence has not yet been considered.";
    r = run(f, t, 14, "case_note", 0);
    assert_false(must(r, "C2", true)->recorded);
    assert_false(must(r, "C16", true)->recorded);
    r = run(f, t, 14, "case_note", -1);
    assert_true(must(r, "C2", true)->recorded);
    r = run(f, "She says a man aged 30 had sex with her. Crime recorded.", 14, "case_note", 0);
    assert_false(must(r, "C2", true)->recorded);
    r = run(f, "She says a man aged 30 had sex with her.", 14, "case_note", 0);
    assert_false(must(r, "C2", true)->recorded);
}

/* The loader refuses bad rule files with a message naming the entry. */
static void test_loader_errors(void **state)
{
    (void)state;
    static const struct {
        const char *body, *needle;
    } bad[] = {
        {"{", "not valid JSON"},
        /* a key given twice: jansson would keep the last and drop the other */
        {"{\"version\": 1, \"sets\": {\"give\": [\"give\"], \"give\": [\"hand\"]}}",
         "duplicate object key"},
        {"{\"version\": 1, \"spellings\": [\"absconed\"]}", "spellings: must be an object"},
        {"{\"version\": 1, \"spellings\": {\"Absconed\": \"absconded\"}}", "lower-case"},
        {"{\"version\": 1, \"spellings\": {\"absconed\": 3}}", "maps a written form"},
        {"{\"version\": 1, \"senses\": [\"mollie\"]}", "senses: must be an object"},
        {"{\"version\": 1, \"senses\": {\"mollie\": \"mollie\"}}", "maps a written form"},
        {"{\"version\": 1, \"senses\": {\"Mollie\": \"molliex\"}}", "lower-case"},
        /* one form in both maps: read one way only */
        {"{\"version\": 1, \"spellings\": {\"mollie\": \"molly\"}, \"senses\": "
         "{\"mollie\": \"molliex\"}}",
         "senses: a written form is listed twice"},
        {"{\"version\": 2}", "version"},
        {"{\"version\": 1, \"sets\": {}, \"cues\": {}}", "child, other and possessive"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {\"nonsense\": []}}",
         "unknown cue list"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C2\", \"name\": \"x\", "
         "\"patterns\": [\"sex ~99 with\"]}], \"language\": [], \"indicators\": []}",
         "a gap is ~N"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C2\", \"name\": \"x\", "
         "\"patterns\": [\"@nosuch sex\"]}], \"language\": [], \"indicators\": []}",
         "unknown set"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [{\"slug\": \"consent\", "
         "\"avoid\": \"x\", \"patterns\": [\"consent\"]}], \"indicators\": []}",
         "instead"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C2\", \"name\": \"x\", "
         "\"keep\": [\"sometimes\"], \"patterns\": [\"sex\"]}], \"language\": [], "
         "\"indicators\": []}",
         "keep: unknown attribute"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C2\", \"name\": \"x\", "
         "\"min_age\": 15, \"max_age\": 13, \"patterns\": [\"sex\"]}], \"language\": [], "
         "\"indicators\": []}",
         "min_age is above max_age"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C2\", \"name\": \"x\", "
         "\"patterns\": [\"=nolist\"]}], \"language\": [], \"indicators\": []}",
         "unknown list"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [{\"slug\": \"consent\", "
         "\"name\": \"x\", \"avoid\": \"y\", \"instead\": \"z\", \"from_offences\": [\"C8\"], \"patterns\": [\"sex\"]}], "
         "\"indicators\": []}",
         "from_offences: a list of up to 4 offence codes, for indicators and offences"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"V02\", \"name\": \"x\", \"from_offences\": [\"C8\", 7]}]}",
         "from_offences"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C2\", \"name\": \"x\", "
         "\"patterns\": [\"sex\"], \"not_with\": [\"C9\"]}], \"language\": [], \"indicators\": []}",
         "not_with: a list of up to 12 codes, for indicators"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"S02\", \"name\": \"x\", \"from_offences\": [\"C2\"], \"not_with\": [\"C9\", \"\"]}]}",
         "not_with"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"V02\", \"name\": \"x\", \"patterns\": [\"abuse\"], \"with\": [\"C16\"]}]}",
         "with: a list of up to 4 codes, beside from_offences"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"V02\", \"name\": \"x\", \"from_offences\": [\"C17\"], \"with\": [\"C16\", 3]}]}",
         "with: each an offence or indicator code"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"S02\", \"name\": \"x\", \"patterns\": [\"sex\"], \"actor\": [\"uncle\"]}]}",
         "indicators[0] S02: actor: a list of patterns (the role lexicon), for offences"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C8\", \"name\": \"x\", "
         "\"patterns\": [\"sex\"], \"actor\": \"uncle\"}], \"language\": [], \"indicators\": []}",
         "actor: a list of patterns"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C13\", \"name\": \"x\", "
         "\"patterns\": [\"#name ~2 sex\"]}], \"language\": [], \"indicators\": []}",
         "#name cannot start a pattern"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C13\", \"name\": \"x\", "
         "\"patterns\": [\"him|#name ~2 sex\"]}], \"language\": [], \"indicators\": []}",
         "#name cannot start a pattern"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"S12\", \"name\": \"x\", \"candidate\": true, \"patterns\": [\"drunk\"]}]}",
         "indicators[0] S12: candidate: only with \"always\""},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"S12\", \"name\": \"x\", \"patterns\": [\"drunk\"], \"near\": [\"returned\"], "
         "\"near_sentences\": -1}]}",
         "indicators[0] S12: near_sentences: a number of sentences, 0 to 1000"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"S12\", \"name\": \"x\", \"patterns\": [\"drunk\"], \"near\": [\"returned\"], "
         "\"near_sentences\": \"2\"}]}",
         "near_sentences: a number of sentences"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [], \"indicators\": "
         "[{\"code\": \"S02\", \"name\": \"x\", \"patterns\": [\"boyfriend\"], \"needs\": [\"elder\"]}]}",
         "needs: one of sexual, adult, older, minor_other, looked_after, not_adult"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C5\", \"name\": \"x\", "
         "\"patterns\": [\"meet\"], \"needs\": [\"adult\"], \"sexual_from\": [\"C6\"]}], "
         "\"language\": [], \"indicators\": []}",
         "sexual_from: a list of up to 4 offence codes, with needs sexual"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": \"C5\", \"name\": \"x\", "
         "\"patterns\": [\"meet\"], \"needs\": [\"sexual\"], \"sexual_from\": [6]}], "
         "\"language\": [], \"indicators\": []}",
         "sexual_from: each an offence code"},
        /* a code or slug the model's keys would cut (fix-screen): refused, the rule named */
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [{\"code\": "
         "\"C2_with_a_code_far_longer_than_any_key\", \"name\": \"x\", \"patterns\": [\"sex\"]}], "
         "\"language\": [], \"indicators\": []}",
         "offences[0] C2_with_a_code_far_longer_than_any_key: code over 32 bytes"},
        {"{\"version\": 1, \"sets\": {\"child\": [\"she\"], \"other\": [\"mum\"], \"possessive\": "
         "[\"her\"]}, \"cues\": {}, \"offences\": [], \"language\": [{\"slug\": "
         "\"sexual_activity_with_an_adult_man\", \"avoid\": \"x\", \"instead\": \"y\", "
         "\"patterns\": [\"sex\"]}], \"indicators\": []}",
         "language[0] sexual_activity_with_an_adult_man: slug over 32 bytes"},
    };
    char path[] = "/tmp/jd-screen-rules-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(write_file(path, bad[i].body), 0);
        jd_screen *S = NULL;
        jd_error err;
        jd_error_clear(&err);
        int rc = jd_screen_open(&S, path, &err);
        if (rc != JD_EINVALID || !strstr(err.msg, bad[i].needle))
            fprintf(stderr, "case %zu: rc %d, message: %s\n", i, rc, err.msg);
        assert_int_equal(rc, JD_EINVALID);
        assert_null(S);
        assert_non_null(strstr(err.msg, bad[i].needle));
    }
    unlink(path);
    jd_screen *S = NULL;
    jd_error err;
    jd_error_clear(&err);
    assert_int_equal(jd_screen_open(&S, "/nonexistent/screen.json", &err), JD_EINVALID);
}

/* Step 3 of issue 14: the other person's age from linked person records (a
 * suspect of the event with a date of birth) when the text gives none. */
static const jd_screen_result *run_linked(fx *f, const char *text, int age, int linked)
{
    jd_error err;
    jd_error_clear(&err);
    jd_screen_note in = {"t", text, "case_note", NULL, age, 'F', -1, 0, linked};
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_OK);
    return &f->res;
}

static void test_linked_age(void **state)
{
    fx *f = *state;
    const char *text = "She says she has been having sex with him at his flat.";
    /* no age in the text, none linked: no offence named on the age gap */
    const jd_screen_result *r = run_linked(f, text, 14, 0);
    assert_false(counted(r, "C2"));
    assert_false(counted(r, "C3"));
    /* a linked suspect of 24: C2, and the basis says where the age came from */
    r = run_linked(f, text, 14, 24);
    const jd_screen_match *m = must(r, "C2", true);
    assert_int_equal(m->other_age, 24);
    assert_non_null(strstr(m->basis, "linked person record"));
    /* a linked suspect of 16: C3, not C2 */
    r = run_linked(f, text, 14, 16);
    assert_true(counted(r, "C3"));
    assert_false(counted(r, "C2"));
    /* the text's own age wins: "(16)" in the text, a linked 30 */
    r = run_linked(f, "She says she has been having sex with Jay (16) at his flat.", 14, 30);
    assert_true(counted(r, "C3"));
    assert_false(counted(r, "C2"));
    /* "a man" is made precise by a linked adult, never undone by a linked minor */
    r = run_linked(f, "She has had sex with a man at his flat.", 14, 31);
    assert_int_equal(must(r, "C2", true)->other_age, 31);
    r = run_linked(f, "She has had sex with a man at his flat.", 14, 15);
    assert_int_equal(must(r, "C2", true)->other_age, 18);
    /* a nonsense linked age is ignored, as is the child's own */
    r = run_linked(f, text, 14, 200);
    assert_false(counted(r, "C2"));
    r = run_linked(f, text, 14, 14);
    assert_false(counted(r, "C3"));
}

/* What the analysis reads in a note (jd_screener, the code path of
 * `joindots analyse` and the chronology) is what `joindots screen` reports:
 * the same indicators, the same wording (same words), the same offences. */
typedef struct found {
    char codes[64][16];
    int off[64], len[64];
    int n;
} found;

static int collect(const jd_finding *fd, void *payload)
{
    found *x = payload;
    if (x->n < 64) { /* offset -1: from the event type or the event's structure */
        snprintf(x->codes[x->n], sizeof x->codes[0], "%s", fd->rule);
        x->off[x->n] = fd->offset;
        x->len[x->n] = fd->length;
        x->n++;
    }
    return 0;
}

static bool in_found(const found *x, const char *code, int off, int len)
{
    for (int i = 0; i < x->n; i++)
        if ((code && !strcmp(x->codes[i], code)) ||
            (!code && x->off[i] == off && x->len[i] == len && x->codes[i][0] == 'L'))
            return true;
    return false;
}

/* Context scope (issue 14, scr-ctx): whose words a reported clause are, and
 * words in another sense. A relative of the child's gender reporting words
 * of an adult's life ("as a teenager", "her ex", "her own father") owns
 * "she" and "her" in what she reports; near misses: no such words, or the
 * child named. "Mum was herself a victim": the intensifier is mum's. A
 * subject pronoun after a sibling's reported act is the sibling's. A `sense`
 * cue sharing a word with the match (an interview's "sell herself", an
 * Xbox's "on the game", a score's "beaten 3-0", paramedics' diazepam, a
 * parent's pick-up) discounts it for every kind. */
static void test_context_scope(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    const jd_screen_match *m;
    r = run_gender(f, "Mum disclosed she was sexually exploited by men as a teenager.", 15, 'F');
    assert_false(counted(r, "C2"));
    m = must(r, "C2", false);
    assert_true(m->attrs & JD_SCREEN_OTHER_PERSON);
    r = run_gender(f, "Mum reports she has been sexually exploited by men.", 15, 'F');
    assert_true(counted(r, "C2"));
    r = run_gender(f, "Mum told me she was abused by her own father and worries about Lily.", 14,
                   'F');
    assert_false(counted(r, "V02"));
    r = run_gender(f, "Mum disclosed that she was sexually abused by her stepfather last year.",
                   14, 'F');
    assert_true(counted(r, "C8"));
    r = run_gender(f, "Mum reports her ex was convicted of assaulting her in 2022.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "Mum reports her boyfriend (24) assaulted her last night.", 14, 'F');
    assert_true(counted(r, "C16"));
    /* the speaker's gender differs from the child's: "she" and "her" are not the boy */
    r = run_gender(f, "Mum says Leah was abused by her own father as a girl.", 14, 'F');
    assert_true(counted(r, "V02")); /* the child named */
    /* the intensifier */
    r = run_gender(f, "Mum was herself a victim of sexual abuse by her uncle when she was 12.", 15,
                   'F');
    assert_false(counted(r, "C1"));
    r = run_gender(f, "She was herself a victim of sexual abuse by her uncle when she was 12.", 15,
                   'F');
    assert_true(counted(r, "C1"));
    /* a sibling's report: a subject after the act is the sibling's, before it the child's */
    r = run_gender(f, "Her older sister (19) says their uncle sexually abused her when she was small.",
                   14, 0);
    assert_false(counted(r, "C8"));
    r = run_gender(f, "Her older sister (19) says she was sexually abused by their uncle.", 14, 0);
    assert_true(counted(r, "C8"));

    /* other senses, each with the sense it is not */
    r = run_gender(f, "Maya (16) was told by the interviewer to sell herself more.", 16, 'F');
    assert_false(counted(r, "prostitution"));
    m = find(r, "prostitution", false);
    if (m)
        assert_true(m->attrs & JD_SCREEN_SENSE);
    assert_false(counted(r, "C9"));
    r = run_gender(f, "Maya (16) is selling herself to men for money.", 16, 'F');
    assert_true(counted(r, "prostitution"));
    assert_true(counted(r, "C9"));
    r = run_gender(f, "Mum says she was up all night on the game again - it is her Xbox.", 16, 'F');
    assert_false(counted(r, "prostitution"));
    r = run_gender(f, "Police believe she is on the game in Leeds.", 16, 'F');
    assert_true(counted(r, "prostitution"));
    r = run_gender(f, "She was beaten 3-0 in the tennis final.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "She was beaten by her stepdad.", 14, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Paramedics gave her diazepam for the seizure.", 14, 'F');
    assert_false(counted(r, "C18"));
    r = run_gender(f, "A man gave her diazepam at the party.", 14, 'F');
    assert_true(counted(r, "C18"));
    r = run_gender(f, "She smacked her lips.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "He smacked her across the face.", 14, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Diazepam given by paramedics for a prolonged seizure.", 14, 'F');
    assert_false(counted(r, "C18"));

    /* an innocent cause in the sentence before an injury that names no one */
    r = run_gender(f, "She was kicked by her horse while mucking out. Bruise to thigh.", 14, 'F');
    assert_false(counted(r, "S06"));
    m = must(r, "S06", false);
    assert_true(m->attrs & JD_SCREEN_INNOCENT);
    r = run_gender(f, "She fell off her bike last week. Today a man hit her.", 14, 'F');
    assert_true(counted(r, "C16")); /* the sentence names the one who hit her */
    r = run_gender(f, "Known to play football. Says a client hit her.", 16, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Burns to her fingers from a sparkler.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "Marks on her neck from a lanyard caught on a door handle.", 14, 'F');
    assert_false(counted(r, "S06"));
    r = run_gender(f, "He was punched in the face by another boxer during an amateur bout.", 15, 'M');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "CALLER: man has just punched him in the head twice, boy crying.", 14, 'M');
    assert_true(counted(r, "C16")); /* "head" is no heading drill */

    /* a passive's subject is the one acted on: "a girl at school" is not the child */
    r = run_gender(f, "A girl at school was raped at a party last year; Amy knows her.", 14, 'F');
    assert_false(counted(r, "C11"));
    m = must(r, "C11", false);
    assert_true(m->attrs & JD_SCREEN_OTHER_PERSON);
    r = run_gender(f, "She was raped at a party last year.", 14, 'F');
    assert_true(counted(r, "C11"));
    r = run_gender(f, "Jess told staff that a girl in her class is being sexually exploited by "
                      "older men.", 14, 'F');
    assert_false(counted(r, "C2"));
    r = run_gender(f, "Jess told staff that she is being sexually exploited by older men.", 14, 'F');
    assert_true(counted(r, "C2"));
    /* an indefinite person as a subject, not as a description of the child */
    r = run_gender(f, "Another girl in the home is very promiscuous.", 14, 'F');
    assert_false(counted(r, "promiscuous"));
    r = run_gender(f, "She is known as a girl who sleeps with anyone.", 14, 'F');
    assert_true(counted(r, "sexually_available"));
    /* relative clauses: "whose" gives the antecedent the object, "who" the subject */
    r = run_gender(f, "Ellie is worried about her friend, whose dad hits her.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "Ellie is worried because her dad hits her.", 14, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Her cousin (12), who is being groomed online by a man, confides in her.",
                   14, 'F');
    assert_false(counted(r, "S08"));
    r = run_gender(f, "She met a man (30) who touched her in the park.", 14, 'F');
    assert_true(counted(r, "C2")); /* the antecedent acts on her */
    /* names: a minor's or a relative's name as the subject, not an adult's */
    r = run_gender(f, "Amy says that Lauren (17) is very promiscuous.", 14, 'F');
    assert_false(counted(r, "promiscuous"));
    r = run_gender(f, "Ruby and Lauren (17) are very promiscuous.", 14, 'F');
    assert_true(counted(r, "promiscuous")); /* a joint subject, the child among them */
    r = run_gender(f, "Amy says that Lauren (15) is very promiscuous.", 14, 'F');
    assert_true(counted(r, "promiscuous")); /* an age a year off the child's: maybe hers */
    r = run_gender(f, "Lee STAFFORD (26) has sex with her; their relationship is a lifestyle "
                      "choice.", 14, 'F');
    assert_true(counted(r, "lifestyle_choice"));

    /* children in general, not this child */
    r = run_gender(f, "Training today: men who pay for sex with children are abusers.", 15, 'F');
    assert_false(counted(r, "C9"));
    r = run_gender(f, "Men pay for sex with her and other children at the flat.", 15, 'F');
    assert_true(counted(r, "C9"));
    /* quoted words not adopted by "we agreed to write" ("instead of" is no
     * challenge cue: "sex in place of the rent", "instead of paying") */
    r = run_gender(f, "In supervision we agreed to write 'she is being sexually exploited' instead "
                      "of 'she is prostituting herself'.", 15, 'F');
    assert_false(counted(r, "prostitution"));
    r = run_gender(f, "In supervision we agreed she is prostituting herself.", 15, 'F');
    assert_true(counted(r, "prostitution"));

    /* negation: ended by a relative pronoun or a conjunction of time; pseudo-negations */
    r = run_gender(f, "She didn't know the man (30) who touched her on the bus.", 14, 'F');
    assert_true(counted(r, "C2"));
    r = run_gender(f, "She didn't say that the man (30) touched her on the bus.", 14, 'F');
    assert_false(counted(r, "C2")); /* near miss: no termination */
    r = run_gender(f, "There was no one at home when her stepdad hit her.", 14, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "There is no suggestion that her stepdad hit her.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "Without warning, her stepdad punched her.", 14, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "She came home without anyone having hit her.", 14, 'F');
    assert_false(counted(r, "C16"));
    /* hypothetical: inverted conditionals, contingencies, a risk that */
    r = run_gender(f, "Contingency: should Skye (14) abscond during contact, staff to ring 999.", 14,
                   'F');
    assert_false(counted(r, "absconded"));
    r = run_gender(f, "Skye (14) absconded from contact; she should be spoken to.", 14, 'F');
    assert_true(counted(r, "absconded"));
    r = run_gender(f, "There is a risk that men will pay her for sex.", 14, 'F');
    assert_false(counted(r, "C9"));
    r = run_gender(f, "We know that men pay her for sex.", 14, 'F');
    assert_true(counted(r, "C9"));

    /* a child with another age as a relative clause's antecedent */
    r = run_gender(f, "Complaint about the neighbour's daughter (19), who she believes is doing sex "
                      "work from the flat.", 15, 'F');
    assert_false(counted(r, "C9"));
    assert_false(counted(r, "prostitution"));
    r = run_gender(f, "Complaint about Amy (15), who she believes is doing sex work from the flat.",
                   15, 'F');
    assert_true(counted(r, "C9"));
    /* the other gender's possessive: "his girlfriend" in a note about a girl */
    r = run_gender(f, "Carl (22) has agreed to move to his girlfriend's.", 15, 'F');
    assert_false(counted(r, "boyfriend"));
    r = run_gender(f, "She has agreed to move to her boyfriend's (24).", 15, 'F');
    assert_true(counted(r, "boyfriend"));
    /* leaving a partner is the speaker's life */
    r = run_gender(f, "Mum told me she left Kenzie's dad in 2022 after years of him hitting her.", 14,
                   'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "Mum told me dad has been hitting her for years.", 14, 'F');
    assert_true(counted(r, "C16"));
    /* a label someone calls the child */
    r = run_gender(f, "Some lads have been calling Jay (14) a 'rent boy'.", 14, 'M');
    assert_false(counted(r, "C9"));
    r = run_gender(f, "Jay (14) is working as a rent boy at the station.", 14, 'M');
    assert_true(counted(r, "C9"));
    /* a thing as the object */
    r = run_gender(f, "She was screaming at mum, smashing her room.", 15, 'F');
    assert_false(counted(r, "C17"));
    r = run_gender(f, "Mum was screaming at her, smashing her head against the wall.", 15, 'F');
    assert_true(counted(r, "C17"));

    /* a relative who found out or told, or whose partner it was, is not the one acting */
    r = run_gender(f, "Dad found her naked photos on her phone and called police.", 14, 'F');
    assert_false(counted(r, "C8"));
    r = run_gender(f, "Stepdad found out a man had been sending her sexual messages.", 14, 'F');
    assert_false(counted(r, "C8"));
    assert_true(counted(r, "C6"));
    r = run_gender(f, "Her brother is in a sexual relationship with his girlfriend (17).", 14, 'F');
    assert_false(counted(r, "C8"));
    r = run_gender(f, "Her stepdad has been touching her sexually at night.", 14, 'F');
    assert_true(counted(r, "C8"));
    /* other senses: a goodnight kiss, a sex offender's status */
    r = run_gender(f, "Dad kissed her goodnight and left for his night shift.", 12, 'F');
    assert_false(counted(r, "C8"));
    assert_false(counted(r, "C1"));
    /* the child as the one who hit, or arrested for it; near misses: passives */
    r = run_gender(f, "She assaulted a member of staff and was restrained.", 14, 'F');
    assert_false(counted(r, "C16"));
    m = must(r, "C16", false);
    assert_true(m->attrs & JD_SCREEN_OTHER_PERSON);
    r = run_gender(f, "She was arrested for assault after a fight with another girl.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "She has been charged with assault on a police officer.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "The log says she 'kicked off and punched a carer'.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "She was assaulted after a fight with another girl.", 14, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Ethan (15) assaulted on the Pinfold by two adults he owed money to.", 15, 'M');
    assert_true(counted(r, "C16"));
    /* a closed case: convicted or a sentence served, in the sentence or the next */
    r = run_gender(f, "In 2019 her stepdad hit her; he was convicted and has no contact.", 15, 'F');
    assert_false(counted(r, "C16"));
    m = must(r, "C16", false);
    assert_true(m->attrs & JD_SCREEN_HISTORICAL);
    r = run_gender(f, "He was convicted of assault in 2015. Last week her stepdad hit her.", 15, 'F');
    assert_true(counted(r, "C16")); /* a conviction before is no closed case of this act */
    r = run_gender(f, "Dad served 4 years for assaulting mum; released 2019, no contact.", 15, 'F');
    assert_false(counted(r, "C17"));
    /* an injury she did to herself, an accident */
    r = run_gender(f, "She hit her head on the bunk bed.", 14, 'F');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "He hit her head against the wall.", 14, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Her little brother accidentally hit her with a toy.", 14, 'F');
    assert_false(counted(r, "C17"));
    r = run_gender(f, "Dad gives her her ADHD tablets each morning.", 14, 'F');
    assert_false(counted(r, "C18"));
    r = run_gender(f, "Her uncle is a registered sex offender; he has no contact with her.", 14, 'F');
    assert_false(counted(r, "C8"));
    assert_false(counted(r, "C2"));
}

/* An outcome in the same note ("officers attended, children safe and well",
 * "unfounded", "caller mistaken") clears a third party's C17 concern: ruled
 * out as resolved, and the why says so. Not a disclosure the child or a
 * finding made, nor an outcome that is negated or before the concern. */
static void test_concern_outcome(void **state)
{
    fx *f = *state;
    static const char *cleared[] = {
        "Caller concerned the children are left alone in the flat. Officers attended, children "
        "safe and well, no concerns.",
        "Caller concerned the children are left alone in the flat. Report unfounded: mum was in "
        "the bath.",
        "Caller concerned the children are left alone in the flat. Caller mistaken, it was the "
        "flat next door.",
        "It is alleged that mum leaves the baby alone at night. Police visited: baby safe and "
        "well with mum."};
    for (size_t i = 0; i < sizeof cleared / sizeof *cleared; i++) {
        const jd_screen_result *r = run(f, cleared[i], 6, "call_for_service", -1);
        assert_false(counted(r, "C17"));
        const jd_screen_match *m = must(r, "C17", false);
        assert_true(m->attrs & JD_SCREEN_CONCERN);
        assert_non_null(strstr(m->why, "outcome"));
    }
    static const char *stays[] = {
        "Caller concerned the children are left alone in the flat.",
        "Caller concerned the children are left alone in the flat. Officers attended; the "
        "children were not safe and well, the flat was cold.",
        "Children found safe and well last month. Caller concerned the children are left alone "
        "in the flat again.",
        "Amy said mum leaves her alone every night. Amy is safe and well at school today."};
    for (size_t i = 0; i < sizeof stays / sizeof *stays; i++)
        assert_true(counted(run(f, stays[i], 6, "call_for_service", -1), "C17"));
}

/* A third party's concern or an allegation still counts an offence, marked so
 * (the alert's level reads it); the child's words or a finding are not. */
static void test_concern(void **state)
{
    fx *f = *state;
    const jd_screen_result *r =
        run(f, "Caller concerned the children are left alone in the flat.", 8, "call_for_service", -1);
    assert_true(must(r, "C17", true)->attrs & JD_SCREEN_CONCERN);
    char ab[200];
    assert_non_null(strstr(jd_screen_attrs_str(must(r, "C17", true)->attrs, ab, sizeof ab),
                           "a third party's concern or an allegation"));
    r = run(f, "Neighbour says dad punched mum while the children were in the room.", 9, "other", -1);
    assert_true(must(r, "C17", true)->attrs & JD_SCREEN_CONCERN);
    r = run(f, "It is alleged that mum leaves the baby alone at night.", 1, "referral", -1);
    assert_true(must(r, "C17", true)->attrs & JD_SCREEN_CONCERN);
    r = run(f, "Amy found home alone at 2300; mum had gone out drinking.", 8, "other", -1);
    assert_false(must(r, "C17", true)->attrs & JD_SCREEN_CONCERN);
    r = run(f, "Amy said mum leaves her alone every night.", 8, "case_note", -1);
    assert_false(must(r, "C17", true)->attrs & JD_SCREEN_CONCERN);
    /* the child's own "alleged", "allegation", "concerned": her disclosure,
     * not a third party's concern (near misses of the cue) */
    static const char *own[] = {
        "Amy alleged that mum leaves her alone every night.",
        "Amy made an allegation that mum leaves her alone and there is no food in the house.",
        "Amy is concerned that mum leaves her alone every night.",
        "She alleged that mum leaves her alone every night."};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++) {
        r = run(f, own[i], 8, "case_note", -1);
        assert_false(must(r, "C17", true)->attrs & JD_SCREEN_CONCERN);
    }
    r = run(f, "The neighbour is concerned that mum leaves her alone every night.", 8, "referral",
            -1);
    assert_true(must(r, "C17", true)->attrs & JD_SCREEN_CONCERN);
    r = run(f, "Caller alleged that mum leaves her alone every night.", 8, "call_for_service", -1);
    assert_true(must(r, "C17", true)->attrs & JD_SCREEN_CONCERN);
    /* a sign of neglect alone is no offence, and with the weak evidence
     * listed the screen says why; beside the carer's failure it is one */
    bool was = jd_screen_set_weak(f->S, true);
    r = run(f, "Siblings arriving late and hungry most mornings; family support offered.", 8,
            "welfare_concern", -1);
    assert_null(find(r, "C17", true));
    assert_non_null(strstr(must(r, "C17", false)->name, "a sign of neglect alone"));
    jd_screen_set_weak(f->S, was);
    r = run(f, "Grace came in hungry again and has worn the same clothes all week.", 9, "referral",
            -1);
    assert_non_null(strstr(must(r, "C17", true)->name, "with the carer's failure"));
}

static void test_analyse_agrees(void **state)
{
    fx *f = *state;
    jd_screener *A = NULL;
    jd_error err;
    jd_error_clear(&err);
    /* the rules alone, as the fixture's screen: what the rules decide */
    assert_int_equal(jd_screener_open_model(&A, NULL, JD_SCREEN_MODEL_NONE, &err), JD_OK);
    const char *root = getenv("JD_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/screen/engine_cases.tsv", root ? root : ".");
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[4096];
    int cases = 0, compared = 0, differ = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char *fld[5], *p = line;
        int n = 0;
        for (; n < 5 && p; n++) {
            fld[n] = p;
            p = n < 4 ? strchr(p, '\t') : NULL;
            if (p)
                *p++ = 0;
        }
        assert_int_equal(n, 5);
        int age = atoi(fld[0]);
        const jd_screen_result *r = run(f, fld[4], age, fld[1], -1);
        found x = {0};
        jd_screen_input si = {fld[1], fld[4], age, false, false};
        assert_int_equal(jd_screener_run(A, &si, collect, &x, &err), JD_OK);
        cases++;
        /* everything the screen counts from the words, the analysis has */
        for (size_t i = 0; i < r->n; i++) {
            const jd_screen_match *m = &r->m[i];
            if (!m->counts || m->start < 0 || !strcmp(m->code, "V07"))
                continue;
            compared++;
            bool ok = m->kind == JD_SCREEN_LANGUAGE
                          ? in_found(&x, NULL, m->start, m->end - m->start)
                          : in_found(&x, m->code, 0, 0);
            if (!ok) {
                differ++;
                fprintf(stderr, "analysis lacks %s in: %s\n", m->code, fld[4]);
            }
        }
        /* and nothing more from the words but the T2 trigger it derives from C19/C15 */
        for (int i = 0; i < x.n; i++) {
            if (x.off[i] < 0 || !strcmp(x.codes[i], "T2"))
                continue;
            bool ok = false;
            for (size_t k = 0; k < r->n && !ok; k++) {
                const jd_screen_match *m = &r->m[k];
                ok = m->counts && (m->kind == JD_SCREEN_LANGUAGE
                                       ? x.codes[i][0] == 'L' && m->start == x.off[i] &&
                                             m->end - m->start == x.len[i]
                                       : !strcmp(m->code, x.codes[i]));
            }
            if (!ok) {
                differ++;
                fprintf(stderr, "the screen lacks %s in: %s\n", x.codes[i], fld[4]);
            }
        }
    }
    fclose(in);
    jd_screener_close(A);
    fprintf(stderr, "%d notes, %d findings compared, %d differences\n", cases, compared, differ);
    assert_true(compared >= 200);
    assert_int_equal(differ, 0);
}

static void test_limits(void **state)
{
    fx *f = *state;
    jd_error err;
    jd_error_clear(&err);
    size_t n = (1u << 20) + 10;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'a', n);
    big[n] = 0;
    jd_screen_note in = {"big", big, "case_note", NULL, 14, 0, -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &in, &f->res, &err), JD_ELIMIT);
    free(big);
    assert_int_equal(jd_screen_run(NULL, &in, &f->res, &err), JD_EINVALID);
    assert_int_equal(jd_screen_run(f->S, NULL, &f->res, &err), JD_EINVALID);
    /* empty and odd texts are fine */
    jd_screen_note empty = {"e", "", NULL, NULL, -1, 0, -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &empty, &f->res, &err), JD_OK);
    assert_int_equal(f->res.n, 0);
    jd_screen_note odd = {"o", "\"\"\"((( ''' \xe2\x80\x9c 12/ / 1999 (", NULL, NULL, 14, 0, -1, 0, 0};
    assert_int_equal(jd_screen_run(f->S, &odd, &f->res, &err), JD_OK);
    /* kinds: offences only, as joindots analyse asks */
    jd_screen_note only = {"k", "She is streetwise and a man aged 30 had sex with her.", NULL, NULL,
                           14, 0, -1, 1u << JD_SCREEN_OFFENCE, 0};
    assert_int_equal(jd_screen_run(f->S, &only, &f->res, &err), JD_OK);
    assert_true(counted(&f->res, "C2"));
    for (size_t i = 0; i < f->res.n; i++)
        assert_int_equal(f->res.m[i].kind, JD_SCREEN_OFFENCE);
    char ab[200];
    assert_string_equal(jd_screen_attrs_str(JD_SCREEN_NEGATED | JD_SCREEN_OTHER_PERSON, ab,
                                            sizeof ab),
                        "negated, about another person");
}

/* Long notes (issue 14, session 6): a chain of pronouns back to another
 * person, a sentence-initial name of another person, wording that names its
 * owner inside it; each with the near miss that must still count. */
static void test_context_chain(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    /* "She" after a clause about her sister is the sister */
    r = run_gender(f,
                   "Her sister (19) answered the door. She has been in a refuge since her "
                   "ex-partner hit her.",
                   15, 'F');
    assert_false(counted(r, "C16"));
    assert_true(must(r, "C16", false)->attrs & JD_SCREEN_OTHER_PERSON);
    r = run_gender(f,
                   "Her sister (19) answered: she has been in a refuge since her ex-partner hit "
                   "her, and Kelsie has been minding the baby.",
                   15, 'F');
    assert_false(counted(r, "C16"));
    /* near misses: a parent (her abuse at home is the child's too), speech
     * (maybe about the child), the other person named again, a boy's note */
    r = run_gender(f,
                   "Her mum answered the door. She has been in a refuge since her ex-partner hit "
                   "her.",
                   15, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Her sister (19) answered the door. She said her ex-partner hit her.", 15,
                   'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Her friend Tia came round. She went to the park with Tia and a man hit her.",
                   15, 'F');
    assert_true(counted(r, "C16"));
    r = run_gender(f,
                   "Her brother (19) answered the door. She has been in a refuge since her "
                   "ex-partner hit her.",
                   15, 'F');
    assert_true(counted(r, "C16")); /* "she" is not her brother */
    r = run_gender(f,
                   "His brother (19) answered the door. He has been in a refuge since his "
                   "ex-partner hit him.",
                   15, 'M');
    assert_false(counted(r, "C16"));
    r = run_gender(f,
                   "Her sister (19) answered the door. Kelsie has been in a refuge since her "
                   "ex-partner hit her.",
                   15, 'F');
    assert_true(counted(r, "C16"));
    /* a name first in its sentence, known as another person's */
    r = run_gender(f,
                   "I spoke to Lacey about her friend Shannon. Shannon is 15 and has been having "
                   "sex with a 30-year-old man.",
                   16, 'F');
    assert_false(counted(r, "sexual_activity_with_adult"));
    r = run_gender(f,
                   "I spoke to Lacey about her friend Shannon. Lacey has been having sex with a "
                   "30-year-old man.",
                   16, 'F');
    assert_true(counted(r, "sexual_activity_with_adult"));
    /* the owner inside the wording */
    r = run_gender(f, "Her cousin's boyfriend is 30.", 15, 'F');
    assert_false(counted(r, "boyfriend"));
    assert_true(must(r, "boyfriend", false)->attrs & JD_SCREEN_OTHER_PERSON);
    r = run_gender(f, "Her boyfriend is 30.", 15, 'F');
    assert_true(counted(r, "boyfriend"));
    /* the chain runs on over the other gender's acts ("he gives her vodka") and
     * past a place's name ("in Stannick"), not past a name that may be hers */
    r = run_gender(f,
                   "Megan talked about her friend Caitlin. Caitlin goes to a man's flat in "
                   "Stannick, he's like thirty, and he gives her vodka and then she has to do "
                   "stuff with his mates.",
                   14, 'F');
    assert_false(counted(r, "S04"));
    assert_false(counted(r, "C2"));
    r = run_gender(f,
                   "Megan talked about her friend Caitlin. Megan goes to a man's flat in "
                   "Stannick, he's like thirty, and he gives her vodka.",
                   14, 'F');
    assert_true(counted(r, "S04"));
    r = run_gender(f,
                   "Her friend Tia came round. She went to the park with Kayla and a man punched "
                   "her.",
                   15, 'F');
    assert_true(counted(r, "C16"));
}

/* The offence's frame beyond the sentence's words (issue 14, sixth session):
 * the child described rather than named, whose age is whose, and a carer's
 * assault. Each with a near miss. */
static void test_offence_frame(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    /* "the girl" is the child in a girl's note, not a young person beside her */
    r = run_gender(f,
                   "Suspect Adam NEALE (33) met her on Roblox. The girl had been in sexual contact "
                   "with him online for months.",
                   14, 'F');
    assert_true(counted(r, "C2"));
    r = run_gender(f,
                   "Suspect Adam NEALE (33) met her on Roblox. The boy had been in sexual contact "
                   "with her online for months.",
                   14, 'F');
    assert_false(counted(r, "C2")); /* a boy in a girl's note stays a young person */
    /* a person word right after the child's own age */
    r = run_gender(f, "The shopkeeper sold two bottles of vodka to a 14-year-old girl.", 14, 'F');
    assert_true(counted(r, "C18"));
    r = run_gender(f, "The shopkeeper sold two bottles of vodka to a 19-year-old girl.", 14, 'F');
    assert_false(counted(r, "C18"));
    /* "she told him she was 17": the girl's claimed age, not the other's */
    r = run_gender(f, "She told him she was 17 and they had sex at his flat. He is 30.", 15, 'F');
    assert_true(counted(r, "C2"));
    assert_false(counted(r, "C3"));
    r = run_gender(f, "Her boyfriend is 17 and they had sex at his flat.", 15, 'F');
    assert_true(counted(r, "C3"));
    /* in a boy's note "he is 34" is as often the man: still his age */
    r = run_gender(f, "Chats with a male stating he is 34; he touched him in the car.", 13, 'M');
    assert_true(counted(r, "C2"));
    /* a carer's assault is C17 too; a boyfriend's is not */
    r = run_gender(f, "Her mum's boyfriend slapped her across the face.", 13, 'F');
    assert_true(counted(r, "C16"));
    assert_true(counted(r, "C17"));
    r = run_gender(f, "Her boyfriend slapped her across the face.", 15, 'F');
    assert_true(counted(r, "C16"));
    assert_false(counted(r, "C17"));
    /* the basis says what else an offence needs and the note lacks */
    r = run_gender(f, "She meets men from an app and they give her £20 afterwards.", 15, 'F');
    const jd_screen_match *m = find(r, "C9", false);
    assert_non_null(m);
    if (m) {
        assert_false(m->counts);
        assert_non_null(strstr(m->basis, "no sexual act in the note"));
    }
    r = run_gender(f, "She meets men from an app for sex and they give her £20 afterwards.", 15,
                   'F');
    assert_true(counted(r, "C9"));
}

/* scr-lang, seventh session: the writer's own wording in long notes. A closing
 * quote after a number ends the quotation ("Dev is 'about 50'." left the rest
 * of the note quoted); "this young man" / "this young lady" of the note's
 * gender is the child, "a young man" is not. Each with a near miss. */
static void test_lang_frame(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    r = run_gender(f, "Dev is 'about 50'. Later. Tomasz trades sex for a bed.", 17, 'M');
    assert_true(counted(r, "exchanging_sex"));
    r = run_gender(f, "Dev said 'he trades sex for a bed'. Later.", 17, 'M');
    assert_false(counted(r, "exchanging_sex")); /* near miss: inside the quotation */
    r = run_gender(f, "GP's note: this young man is experimenting with older men.", 16, 'M');
    assert_true(counted(r, "experimenting"));
    r = run_gender(f, "GP's note: this young lady is experimenting with older men.", 16, 'F');
    assert_true(counted(r, "experimenting"));
    r = run_gender(f, "GP's note: a young man is experimenting with older men.", 16, 'M');
    assert_false(counted(r, "experimenting")); /* near miss: another young man */
    r = run_gender(f, "GP's note: this young man is experimenting with older men.", 16, 'F');
    assert_false(counted(r, "experimenting")); /* near miss: a man in a girl's note */
    /* "boyfriend" for an age-mate: a written age within two years of a child of 15 or
     * more is no adult with power over her; the same age beside a younger child is */
    r = run_gender(f, "Her boyfriend Dylan (18) picks her up from college.", 17, 'F');
    assert_false(counted(r, "boyfriend"));
    r = run_gender(f, "Her boyfriend Kieran (19) picks her up from college.", 17, 'F');
    assert_false(counted(r, "boyfriend"));
    r = run_gender(f, "Her boyfriend Kieran (19) picks her up from school.", 14, 'F');
    assert_true(counted(r, "boyfriend"));
    r = run_gender(f, "Her boyfriend Kieran (24) picks her up from college.", 17, 'F');
    assert_true(counted(r, "boyfriend"));
    r = run_gender(f, "Her boyfriend, a man, picks her up from college.", 17, 'F');
    assert_true(counted(r, "boyfriend")); /* "a man": no written number, an adult */
    /* a double quote nested in a single one ends only itself */
    r = run_gender(f,
                   "She told me: 'I read my file. It says I was \"sexually available\" and "
                   "promiscuous when I was 12.'",
                   15, 'F');
    assert_false(counted(r, "promiscuous"));
    assert_false(counted(r, "sexually_available"));
    r = run_gender(f, "She told me: 'I read my file.' The men say she is \"easy\"; she is promiscuous.",
                   15, 'F');
    assert_true(counted(r, "promiscuous")); /* near miss: after the quotation */
    /* misspelt key words ("spellings"), prefixes included; a real word is no slip */
    r = run_gender(f, "She absconed from the unit at 2am with the men.", 15, 'F');
    assert_true(counted(r, "absconded"));
    r = run_gender(f, "He is a child prostitue at the station.", 15, 'M');
    assert_true(counted(r, "prostitution"));
    r = run_gender(f, "The sexual activity with the man (30) was concensual.", 15, 'F');
    assert_true(counted(r, "consent"));
    r = run_gender(f, "She is very promiscious with older men.", 15, 'F');
    assert_true(counted(r, "promiscuous"));
    r = run_gender(f, "She went to the flat of her own acord with the men.", 15, 'F');
    assert_true(counted(r, "own_accord")); /* "accord to" is no "according to" */
    r = run_gender(f, "She ascended the stairs and descended to the flat with the men.", 15, 'F');
    assert_false(counted(r, "absconded")); /* near miss: other words */
}

/* Who acted on whom (issue 14, s7 scr-offence), each with a near miss: a
 * passive whose subject is a pronoun of the other gender is someone else's;
 * the child named right before a blow is the one who hit; the parent told is
 * not the one acting (no C17); the same words under 13 are C1 alone, not C11
 * too; "or he'd tell her mum": the one told is not the victim of the threat. */
static void test_offence_roles_s7(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    r = run_gender(f, "Mum disclosed that she was sexually exploited by men from a taxi firm when "
                      "she was 14.", 15, 'M');
    assert_false(counted(r, "C2"));
    assert_false(counted(r, "C10"));
    r = run_gender(f, "Mum disclosed that he was sexually exploited by men (40s) from a taxi firm.",
                   15, 'M');
    assert_true(counted(r, "C2"));
    r = run_gender(f, "Reece (13) argued with another resident over the Xbox and Reece pushed him.",
                   13, 'M');
    assert_false(counted(r, "C16"));
    r = run_gender(f, "Reece (13) argued with another resident over the Xbox and the man pushed him.",
                   13, 'M');
    assert_true(counted(r, "C16"));
    r = run_gender(f, "Kelly-Ann (16) later told mum her ex (22) had pinned her to the bed by the throat.",
                   16, 'F');
    assert_true(counted(r, "C16"));
    assert_false(counted(r, "C17"));
    r = run_gender(f, "Kelly-Ann (16) said mum had pinned her to the bed by the throat.", 16, 'F');
    assert_true(counted(r, "C17"));
    r = run_gender(f, "Hollie (15) was raped by adults from the age of 12.", 15, 'F');
    assert_true(counted(r, "C1"));
    assert_false(counted(r, "C11"));
    r = run_gender(f, "Hollie (15) was raped by a man (30) last week.", 15, 'F');
    assert_true(counted(r, "C11"));
    r = run_gender(f, "She had to go with his mate (40) or he'd tell her mum she smokes weed.", 14,
                   'F');
    assert_true(counted(r, "C20"));
    r = run_gender(f, "Her uncle (40) hit her mum.", 14, 'F');
    assert_false(counted(r, "C16"));
    /* the child's quoted "my": the speaker is the subject of the nearest verb
     * of saying, not the man named between */
    r = run_gender(f, "Report from mother that Amelia (12) came home and said that her friend's "
                      "dad, Kevin (about 45), came into the room and 'stroked my bum'.", 12, 'F');
    assert_true(counted(r, "C1"));
    r = run_gender(f, "Amelia (12) said that her older sister (17) told mum 'Kevin (45) stroked "
                      "my bum at the sleepover'.", 12, 'F');
    assert_false(counted(r, "C1"));
}
/* Similar words by stem: Snowball gives "terminated", "terminal" and "terminally" the
 * stem of "termination" (a pregnancy ended: S07, C2 under 16 with an adult); the
 * rules' senses read each as a word of its own, so a contract ended, a seizure
 * that stopped by itself or an illness no longer discloses one (each beside the
 * sense it is not). */
static void test_similar_words(void **state)
{
    fx *f = *state;
    const char *near[] = {
        "Her boyfriend (30) is a lorry driver; his contract was terminated in May.",
        "Tonic-clonic seizure, self-terminated before the ambulance arrived.",
        "Her nan is terminally ill and she is caring for her.",
        "Mum works nights at the bus terminal.",
    };
    for (size_t i = 0; i < sizeof near / sizeof *near; i++) {
        const jd_screen_result *r = run_gender(f, near[i], 14, 'F');
        assert_false(counted(r, "S07"));
        assert_false(counted(r, "C2"));
    }
    const jd_screen_result *r =
        run_gender(f, "Her boyfriend (30) got her pregnant and she had a termination in May.", 14,
                   'F');
    assert_true(counted(r, "S07"));
    assert_true(counted(r, "C2"));
}

/* A reflexive names the clause's subject (scr-off4): "her cousin is selling
 * herself" is about the cousin (other_person), "she is selling herself" and
 * "he made her sell herself" about the child. */
static void test_reflexive_owner(void **state)
{
    fx *f = *state;
    const char *other[] = {
        "Chantelle says her cousin Brooke is selling herself down the docks.",
        "Her older sister is selling herself to men in town.",
        "Sian's sister Lauren (19) 'sells herself' according to Sian, and mum lets her.",
    };
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        const jd_screen_result *r = run_gender(f, other[i], 16, 'F');
        assert_false(counted(r, "C9"));
        const jd_screen_match *m = must(r, "C9", false); /* found, and ruled out as hers */
        assert_true(m->attrs & JD_SCREEN_OTHER_PERSON);
    }
    const char *own[] = {
        "She is selling herself down the docks.",
        "Staff believe she is selling herself to men for money.",
        "Her mum's boyfriend made her sell herself to his mates.",
    };
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        assert_true(counted(run_gender(f, own[i], 16, 'F'), "C9"));
}

/* The child's own act ("child_acts": selling drugs or sex) done by a relative
 * or friend the note named before, across sentences (scr-off4): "his cousin
 * Jordan (17) ... Jordan has been selling drugs" is Jordan's; a friend a year
 * younger than the child is named too. Near misses: a pronoun, the child's own
 * name (her age), a friend of the child's very age (maybe the child). */
static void test_named_other_acts(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    r = run(f, "His cousin Jordan (17) was arrested last week. Jordan has been selling drugs for "
               "men from the city.", 14, "case_note", -1);
    assert_false(counted(r, "C18"));
    r = run(f, "Her friend Mia (14) goes to the flat. Mia is selling drugs for older boys there.",
            15, "case_note", -1);
    assert_false(counted(r, "C18"));
    r = run(f, "His cousin Jordan (17) was arrested last week. He has been selling drugs for men "
               "from the city.", 14, "case_note", -1);
    assert_true(counted(r, "C18"));
    r = run(f, "Jordan (14) was stopped last week. Jordan has been selling drugs for men from the "
               "city.", 14, "case_note", -1);
    assert_true(counted(r, "C18"));
    r = run(f, "Her friend Mia (15) goes to the flat. Mia is selling drugs for older boys there.",
            15, "case_note", -1);
    assert_true(counted(r, "C18"));
    /* the child the object right after the act ("to her"): done to the child */
    const char *to_child[] = {
        "Her cousin Jordan (17) stays at weekends. Jordan has been selling drugs to her and her "
        "friends.",
        "Her cousin Jordan (19) stays at weekends. Jordan has been selling drugs to her and her "
        "friends.",
        "Her cousin Jordan (17) has been selling drugs to her and her friends.",
    };
    for (size_t i = 0; i < sizeof to_child / sizeof *to_child; i++)
        assert_true(counted(run(f, to_child[i], 14, "case_note", -1), "C18"));
    /* near miss: to the cousin's own friends, not the child */
    r = run(f, "Her cousin Jordan (17) stays at weekends. Jordan has been selling drugs to his "
               "friends.", 14, "case_note", -1);
    assert_false(counted(r, "C18"));
}

/* "Recorded" in the sense of written down (scr-off4): a crime recorded, a
 * view minuted ("asked that it be recorded that this is an adult sexually
 * exploiting ..."), marks on a body map; none is a child filmed (C14). Each
 * beside the filming it is not. */
static void test_recorded_sense(void **state)
{
    fx *f = *state;
    const char *near[] = {
        "SW asked that it be recorded that this is an adult sexually exploiting a 15 year old.",
        "The OIC recorded that Jenna had been having sex with Mr Dale (28) for some months.",
        "Crime recorded 33/77031/26 (s48 causing or inciting sexual exploitation of a child).",
        "All offences against Tiegan have been recorded: trafficking, paying for the sexual "
        "services of a child.",
        "She showed me fresh scratches on her arm. Recorded on body map.",
    };
    for (size_t i = 0; i < sizeof near / sizeof *near; i++) {
        const jd_screen_result *r = run(f, near[i], 15, "case_note", -1);
        assert_false(counted(r, "C14"));
    }
    const char *filmed[] = {
        "He recorded her naked on his phone.",
        "An adult incited him to sexual activity and recorded images of it.",
        "He recorded them having sex with her and shared it on Snapchat.",
        /* a crime word four words before "recorded" that films a person */
        "She disclosed an offence: Dean recorded her naked on his phone.",
        "She disclosed the offences: the man recorded a video of her naked on his phone.",
    };
    for (size_t i = 0; i < sizeof filmed / sizeof *filmed; i++) {
        const jd_screen_result *r = run(f, filmed[i], 15, "case_note", -1);
        assert_true(counted(r, "C14"));
    }
}


/* The ninth session's scope cases (scr-ctx), each cause with a positive and
 * a near miss: the note, the child's age and event type, the code, whether it
 * must count (1), must not (0) or is not checked (2), and an attribute its
 * discounted match must carry (0: none checked). */
typedef struct {
    const char *text;
    int age;
    const char *type;
    const char *code;
    int counts;
    unsigned attr;
} scope_case;

static const scope_case scope_cases[] = {
    /* Ninth session (scr-ctx): a question or an offer answered no, a term named as a topic of
       teaching, senses of "in touch", a burner and an animal that bolts, and "reminded" as advice
       to the child. Each with a near miss. */
    /* asked about, answered no in the same sentence */
    {"Asked about anyone giving her drinks or drugs at the party: she and her friends "
     "all say no.",
     14, "case_note", "C18", 0, JD_SCREEN_NEGATED},
    {"I asked about older boyfriends, money, being made to do sexual things, and she "
     "said no to each.",
     14, "case_note", "C11", 0, 0},
    /* near misses: the answer tells what happened; the no in another sentence */
    {"Asked about anyone giving her drinks or drugs at the party: she says a man gave "
     "her vodka.",
     14, "case_note", "C18", 1, 0},
    {"Asked about anyone giving her drinks or drugs at the party. She said no to "
     "the police.",
     14, "case_note", "C18", 1, 0},
    /* an offer refused; near misses: the act done, an attempt at the act */
    {"An older boy offered to sell him cannabis at the park and he refused.", 14, "case_note",
     "C18", 0, 0},
    {"An older man sold him cannabis at the park and he would not say who.", 14, "case_note", "C18",
     1, 0},
    {"A man tried to touch her on the bus and she told him no.", 14, "case_note", "C2", 1, 0},
    /* a quoted term as a topic of teaching; near miss: the same word as an act */
    {"She wanted help with her 'sexting' worksheet for the PSHE lesson.", 13, "case_note", "C14", 0,
     JD_SCREEN_HYPOTHETICAL},
    {"He knows about county lines from the workshop at school.", 15, "case_note", "C13", 0, 0},
    {"She says her uncle has been 'sexting' her since the summer.", 13, "case_note", "C14", 1, 0},
    {"He has been running county lines for the older lads after school.", 15, "case_note", "C13", 1,
     0},
    /* other senses: contact, a burner flame, a dog bolting */
    {"His birth dad has not been in touch since 2019.", 13, "case_note", "C8", 0, JD_SCREEN_SENSE},
    {"Her birth dad touched her when she stayed there in the summer.", 13, "case_note", "C8", 1, 0},
    {"He caught the back of his hand on a Bunsen burner flame in science.", 15, "case_note", "C18",
     0, 0},
    {"He has two phones, one of them a burner.", 15, "case_note", "C18", 1, 0},
    {"Their whippet absconded again on Sunday evening.", 15, "case_note", "absconded", 0, 0},
    {"She absconded from the unit again through the fence.", 15, "case_note", "absconded", 1, 0},
    /* "reminded" challenges wording only when it reminds that she is a child */
    {"She is street-savvy with these men. I reminded her about the curfew.", 15, "case_note",
     "streetwise", 1, 0},
    {"She is street-savvy with these men. I reminded the panel that she is a child.", 15,
     "case_note", "streetwise", 0, JD_SCREEN_CHALLENGED},
    /* Scope ends (ninth session, scr-ctx): a verb of speech written as a noun reports no one ("in
       that state"), "if" in "if I'm honest" supposes nothing, a subject with its verb ("he's") ends
       a negation. Near misses. */
    {"She put herself in that state and it is a lifestyle choice at her age.", 15, "case_note",
     "lifestyle_choice", 1, 0},
    {"She put herself in that state and says it is a lifestyle choice.", 15, "case_note",
     "lifestyle_choice", 0, JD_SCREEN_QUOTED},
    {"If I'm honest, she has been seeking out older men online for months.", 15, "case_note",
     "contacting_adults", 1, 0},
    {"If she keeps seeking out older men online she will be hurt.", 15, "case_note",
     "contacting_adults", 0, JD_SCREEN_HYPOTHETICAL},
    {"Carers cant manage him any more hes beyond our control.", 15, "case_note", "out_of_control",
     1, 0},
    {"Carers do not think hes beyond our control.", 15, "case_note", "out_of_control", 0,
     JD_SCREEN_NEGATED},
    /* a quoted label said of her in reported speech; near misses: the same words unquoted, a quoted
       act ("was attacked") */
    {"Her classmate said Tia is 'on the game' at weekends.", 15, "case_note", "C9", 0,
     JD_SCREEN_QUOTED},
    {"Her classmate said Tia is on the game at weekends.", 15, "case_note", "C9", 1, 0},
    {"She says she 'was attacked' by a man in the park.", 15, "case_note", "C16", 1, 0},
    /* Whose words (ninth session, scr-ctx): a caller's turn in a transcript with an operator's
       turns is the caller's; relationships education is a school subject. Near misses: a call
       summary line, a relationship with a man. */
    {"OP: Police, what is the emergency?\nCALLER: It is my daughter. I told her she is a "
     "little tart.\nOP: Do you know his name?",
     15, "police", "sexually_available", 0, JD_SCREEN_QUOTED},
    {"Referral from dad.\nCaller: dad. Says she is a little tart.", 15, "police",
     "sexually_available", 1, 0},
    {"Marie: she is a little tart and she will not listen.\nOperator: Where is she?\n"
     "Marie: at a flat.",
     15, "police", "sexually_available", 0, 0},
    {"Summary: she is a little tart.\nOperator note: graded P1.", 15, "police",
     "sexually_available", 1, 0},
    /* a field label opens one line */
    {"She has started relationships and sex education at school. The men at the flat "
     "are in their 30s.",
     15, "case_note", "boyfriend", 0, 0},
    {"She has been in a relationship with a man in his 30s since May.", 15, "case_note",
     "boyfriend", 1, 0},
    /* an offender's record: index offences, cautions; near miss: an act now */
    {"Index offences (2013): arranging the sexual exploitation of a child.", 11, "case_note", "C1",
     0, JD_SCREEN_HISTORICAL},
    {"Last month he arranged the sexual exploitation of a child.", 11, "case_note", "C1", 1, 0},
    /* a clinician's "seen alone"; near miss: arguments and fights seen at home */
    {"History from Sky (seen alone): arguments at home about her curfew.", 13, "case_note", "C17",
     0, 0},
    {"Sky says she has seen arguments and fights at home between mum and her partner.", 13,
     "case_note", "C17", 1, 0},
    /* a rule's words do not run past a field's label at a line's start */
    {"Clinic note.\nShe says sexual favours for a lift home.", 14, "case_note", "C9", 1, 0},
    /* nor past a colon whose answer is a negation; near miss: answered yes */
    {"A man (30) has been messaging her. We checked the messages with her: no sexual "
     "messages or requests for images found.",
     14, "case_note", "C6", 0, 0},
    {"A man (30) has been messaging her. We checked the messages with her: there are "
     "sexual messages and requests for images.",
     14, "case_note", "C6", 1, 0},
    /* a list after a colon spells out the owner's things; near miss: the child's own name as the
       owner */
    {"The concerns were about Ms Hale's own circumstances: her heroin use, her "
     "involvement in prostitution from the flat.",
     14, "case_note", "C9", 0, 0},
    {"The concerns were about Ms Hale's own circumstances: her heroin use, her "
     "involvement in prostitution from the flat.",
     14, "case_note", "prostitution", 0, 0},
    {"The concerns were about Jade's circumstances: her involvement in prostitution "
     "from the flat.",
     14, "case_note", "C9", 1, 0},
    /* history told at the start of the next sentence; near miss: "That was when" dates it and keeps
       it his */
    {"The flat was cuckooed in 2019 by a gang from the city; previous tenant evicted.", 10,
     "case_note", "C18", 0, JD_SCREEN_HISTORICAL},
    {"The flat has been cuckooed this month by a gang from the city; mum is scared.", 10,
     "case_note", "C18", 1, 0},
    {"He asked about the old flats where the county lines lot used to operate. That was "
     "before his time on the estate.",
     17, "case_note", "C13", 0, 0},
    {"He has been running county lines from the old flats. That was when he first went "
     "missing.",
     17, "case_note", "C13", 1, 0},
    /* the child's own statement: "him" is someone else; near misses: "me" in it, and a note about
       the child that is no statement of his */
    {"WITNESS STATEMENT of Kyle Bennett, age 17.\nI was walking with my mate Callum. "
     "One of them stabbed him in the leg.",
     17, "police", "C16", 0, JD_SCREEN_OTHER_PERSON},
    {"WITNESS STATEMENT of Kyle Bennett, age 17.\nI was walking with my mate Callum. "
     "One of them stabbed me in the leg.",
     17, "police", "C16", 1, 0},
    {"WITNESS STATEMENT of Josh Arnott, age 16.\nI go to college. Kai told me they give "
     "him spice and weed for free.",
     16, "police", "C18", 0, 0},
    {"WITNESS STATEMENT of Josh Arnott, age 16.\nI go to college. They give me spice "
     "and weed for free.",
     16, "police", "C18", 1, 0},
    /* a blow to a thing ("punched a hole in the door") is another sense */
    {"He is out of hand now, punched a hole in the lounge door when asked to take his "
     "shoes off.",
     16, "case_note", "C16", 2, JD_SCREEN_SENSE},
    {"He is out of hand now; his stepdad punched him in the face when asked to take his "
     "shoes off.",
     16, "case_note", "C16", 1, 0},
    /* "another one" is one more case like her; "another one of the girls" someone else */
    {"Crew comment: another one living the high-risk lifestyle with older men.", 15, "ambulance",
     "lifestyle_choice", 1, 0},
    {"Crew comment: another one of the girls is living the high-risk lifestyle with "
     "older men.",
     15, "ambulance", "lifestyle_choice", 0, 0},
    {"Case note about Kyle, age 17.\nHe was walking with his mate Callum. One of them "
     "stabbed him in the leg.",
     17, "police", "C16", 1, 0},
    /* a place's past before a re-let; a voluntary admission to a ward; near misses: cuckooed now,
       going voluntarily to a man's flat */
    {"Flat 3 was a cuckooed address in 2019, since re-let. Dean lives there with mum.", 15,
     "case_note", "C18", 0, 0},
    {"Flat 3 has been cuckooed since the summer. Dean lives there with mum.", 15, "case_note",
     "C18", 1, 0},
    {"Missing overnight. Found at a flat with a man (30). Later she was admitted "
     "voluntarily to the ward.",
     15, "case_note", "own_accord", 0, 0},
    {"Missing overnight. She went voluntarily to a flat with a man (30).", 15, "case_note",
     "own_accord", 1, 0},
    /* Tenth session (scr-ctx2): a description disagreed with in the next sentence, wording
       someone made the child feel, "anything but", an age at the act above the child's. Each
       with a near miss. */
    {"Her SW told the review that Tia has a long history of promiscuity. The review did not "
     "agree with this description.",
     16, "case_note", "promiscuous", 0, JD_SCREEN_CHALLENGED},
    {"Her SW told the review that Tia has a long history of promiscuity. The review did not "
     "agree with the plan.",
     16, "case_note", "promiscuous", 1, 0},
    {"Older notes call him promiscuous. These descriptions are wrong.", 15, "case_note",
     "promiscuous", 0, JD_SCREEN_CHALLENGED},
    {"He is promiscuous. These appointments are wrong for him.", 15, "case_note", "promiscuous",
     1, 0},
    {"The officer's words made her feel it was all her fault.", 17, "case_note", "asking_for_it", 0,
     JD_SCREEN_QUOTED},
    {"She went back there again, so it was all her fault.", 17, "case_note", "asking_for_it", 1, 0},
    {"I agree with mum - he is anything but streetwise.", 16, "case_note", "streetwise", 0,
     JD_SCREEN_NEGATED},
    {"He's not been seen doing anything but he is clearly streetwise.", 16, "case_note",
     "streetwise", 1, 0},
    {"Mum talked about her own past. Since the age of 12 she was on the game for men in the "
     "town.",
     0, "health_visit", "C1", 0, JD_SCREEN_OTHER_PERSON},
    {"Mum talked about her own past. Since the age of 12 she was on the game for men in the "
     "town.",
     14, "case_note", "C1", 1, 0},
    /* a date is no age at the act ("from 15 March", "since 16th June" for a child of 14) */
    {"From 15 March to 20 March she was kept at a flat by two men and raped.", 14, "police", "C2",
     1, 0},
    {"Since 16th June a man (30) has been having sex with her.", 14, "police", "C2", 1, 0},
    /* the subject of "and is ..." is further back than the object of a preposition; near
       miss: "with both sets of parents consenting" is theirs */
    {"Pt has been sexually active with her partner for six months and is fully consenting.", 14,
     "clinic", "consent", 1, 0},
    {"Phones checked with both sets of parents consenting.", 14, "police", "consent", 0, 0},
    /* "putting herself at risk" tells what she does, not what may be; near miss: at risk */
    {"She is putting herself at risk going to that flat, and she is now recruiting for the older "
     "lads.",
     15, "case_note", "recruiting", 1, 0},
    {"She is at risk and may start recruiting for the older lads.", 15, "case_note", "recruiting",
     0, JD_SCREEN_HYPOTHETICAL},
    /* an attribution cue that starts inside the wording and runs past it; near miss: the
       parents' feeling before the words */
    {"She is now beyond her parents' control and they feel they cannot keep her safe.", 16,
     "case_note", "out_of_control", 1, 0},
    {"Her parents feel she is beyond their control.", 16, "case_note", "out_of_control", 0,
     JD_SCREEN_QUOTED},
    /* a next sentence that names the act challenges only someone else's words; near misses:
       the words reported, a challenge of the wording */
    {"Owen is clearly proud of it; he loves the attention of an older woman. However as he is 15 "
     "this is an offence by Ms Best.",
     15, "mash", "enjoys", 1, 0},
    {"He says he loves the attention of an older woman. This is an offence by Ms Best.", 15, "mash",
     "enjoys", 0, JD_SCREEN_CHALLENGED},
    {"He loves the attention of an older woman. This is not appropriate language.", 15, "mash",
     "enjoys", 0, JD_SCREEN_CHALLENGED},
    /* the child coerced into the act the wording calls her choice; near miss: no coercion */
    {"She was encouraged to bring other girls to the flat by the men.", 15, "case_note",
     "recruiting", 0, JD_SCREEN_CHALLENGED},
    {"She has been bringing younger girls to the flat.", 15, "case_note", "recruiting", 1, 0},
    /* asked to reconsider the wording; near miss: to reconsider a plan */
    {"Mr Ormerod said she is a little madam who brings it all on herself. The chair asked him to "
     "reconsider this wording.",
     14, "strategy", "asking_for_it", 0, JD_SCREEN_CHALLENGED},
    {"She brings it all on herself. The chair asked him to reconsider the plan.", 14, "strategy",
     "asking_for_it", 1, 0},
    /* "not" right before the last word of a match whose words are apart; near miss: and */
    {"PC Vyse looked at the accounts: the men's messages are flattering but not sexual so far.", 15,
     "strategy", "C6", 0, JD_SCREEN_NEGATED},
    {"PC Vyse looked at the accounts: the men's messages are flattering and sexual.", 15,
     "strategy", "C6", 1, 0},
    /* the child named by a plain noun ("Lad", "the lad"); near miss: "a lad in his year" */
    {"Youth club. Lad can handle himself tbf.", 15, "youth", "streetwise", 1, 0},
    {"Youth club. A lad in his year can handle himself.", 15, "youth", "streetwise", 0,
     JD_SCREEN_OTHER_PERSON},
    /* Thirteenth session (scr-lang3): an agreement whose sentence goes on to challenge adopts
       nothing; near miss: an agreement with the words */
    {"The referral described Amber (14) as \"promiscuous\". Having reviewed it I agree that "
     "this wording was wrong.",
     14, "complaint", "promiscuous", 0, JD_SCREEN_CHALLENGED},
    {"The referral described Amber (14) as \"promiscuous\". Having reviewed it I agree that "
     "this is accurate.",
     14, "complaint", "promiscuous", 1, 0},
    {"Mum describes him as 'out of control'. In my view that is not the right frame: men are "
     "giving him cannabis.",
     13, "gp", "out_of_control", 0, JD_SCREEN_CHALLENGED},
    {"Mum describes him as 'out of control'. In my view that is right: he is in fights daily.", 13,
     "gp", "out_of_control", 1, 0},
    /* words that blame, named as words; near miss: a person who blames */
    {"A handover note describes A (16) as \"promiscuous\". These words blame A for what adults "
     "are doing.",
     16, "care_home", "promiscuous", 0, JD_SCREEN_CHALLENGED},
    {"She is promiscuous. Her mother blames A for what adults are doing.", 16, "care_home",
     "promiscuous", 1, 0},
    /* a passive whose agent follows: the adults act; near miss: she contacts them */
    {"Amber (14) was being approached by adult men outside school.", 14, "school",
     "contacting_adults", 0, JD_SCREEN_OTHER_PERSON},
    {"Amber (14) has been contacted by older males on Snapchat.", 14, "school", "contacting_adults",
     0, JD_SCREEN_OTHER_PERSON},
    {"Amber (14) has been contacting older men on Snapchat.", 14, "school", "contacting_adults", 1,
     0},
    /* the agent past an ethnicity, religion or nationality word and a number: the same decision
       with and without the word (fix-screen); near miss above: she contacts them */
    {"Amber (14) has been contacted by two older Asian men on Snapchat.", 14, "school",
     "contacting_adults", 0, JD_SCREEN_OTHER_PERSON},
    {"Amber (14) has been contacted by two older men on Snapchat.", 14, "school",
     "contacting_adults", 0, JD_SCREEN_OTHER_PERSON},
    {"Amber (14) has been contacted by several older Muslim men on Snapchat.", 14, "school",
     "contacting_adults", 0, JD_SCREEN_OTHER_PERSON},
    {"Amber (14) has been contacted by several older men on Snapchat.", 14, "school",
     "contacting_adults", 0, JD_SCREEN_OTHER_PERSON},
    {"Amber (14) has been contacted by 3 older Polish men on Snapchat.", 14, "school",
     "contacting_adults", 0, JD_SCREEN_OTHER_PERSON},
    {"Amber (14) has been contacted by 3 older men on Snapchat.", 14, "school",
     "contacting_adults", 0, JD_SCREEN_OTHER_PERSON},
    /* a warm or loving relationship is a parent's with the child; near miss: with a man */
    {"Mum (24) was exploited by a group of men as a teenager. The health visitor reports a warm "
     "relationship.",
     -1, "court", "boyfriend", 0, 0},
    {"Mum (24) was exploited by a group of men as a teenager. The health visitor reports a new "
     "relationship.",
     -1, "court", "boyfriend", 1, 0},
    /* "sexually exploited by adults" names the abuse, no one who arranges or profits (C10);
       near miss: a cut taken */
    {"The old CP plan calls Shay (14) a 'rent boy'. That is wrong: Shay is a boy who was being "
     "sexually exploited by adults.",
     14, "case_note", "C10", 0, 0},
    {"Shay (14) is being sexually exploited by adults; his cousin (25) takes a cut of the money.", 14,
     "case_note", "C10", 1, 0},
    /* "by others", like "by adults", names no one arranging or profiting (fix-screen); near
       miss: by a group */
    {"Shay (14) was being sexually exploited by others, his worker says.", 14, "case_note", "C10",
     0, 0},
    {"Shay (14) was being sexually exploited by a group of men, his worker says.", 14, "case_note",
     "C10", 1, 0},
    /* a negated challenge and "challenging behaviour" void no agreement and challenge no match
       (fix-screen); near misses: a challenge */
    {"School describe her as streetwise. I agree with this: she is not being exploited by "
     "anyone.",
     15, "school", "streetwise", 1, 0},
    {"School describe her as streetwise. I agree with this: she is being exploited by older "
     "boys.",
     15, "school", "streetwise", 0, 0},
    {"She is streetwise and shows challenging behaviour at home.", 15, "school", "streetwise", 1,
     0},
    {"She is streetwise. Staff challenged this description at the meeting.", 15, "school",
     "streetwise", 0, JD_SCREEN_CHALLENGED},
};

static void test_scope_cases(void **state)
{
    fx *f = *state;
    for (size_t i = 0; i < sizeof scope_cases / sizeof *scope_cases; i++) {
        const scope_case *c = &scope_cases[i];
        const jd_screen_result *r = run(f, c->text, c->age, c->type, 0);
        if (c->counts != 2 && counted(r, c->code) != (c->counts == 1)) {
            fprintf(stderr, "scope case %zu: %s should%s count in \"%s\"\n", i, c->code,
                    c->counts ? "" : " not", c->text);
            fail();
        }
        if (c->attr)
            assert_true(must(r, c->code, false)->attrs & c->attr);
    }
    /* a rule's words do not run past a field's label at a line's start */
    const char *clinic = "Clinic note.\nSexual health: came in for a lift home.";
    const jd_screen_result *r = run(f, clinic, 14, "case_note", 0);
    int colon = (int)(strchr(clinic, ':') - clinic);
    for (size_t i = 0; i < r->n; i++)
        assert_false(!strcmp(r->m[i].code, "C9") && r->m[i].start < colon);
}

/* The explanation of a match ruled out names the cue and its words (why_cue),
 * so an audit can tell which cue, attribute or sense cost a match; an
 * attribute the sentence's structure set names no cue. */
/* An echo of a quoted label is listed as its own match, and its why names
 * the earlier quoted words ("echo"), not quotation marks it has not. */
static void test_echo_why(void **state)
{
    fx *f = *state;
    const char *text = "Police describe her as \"a regular absconder\". The home has written to "
                       "challenge this. Describing her as an absconder risks lowering the risk grade.";
    const jd_screen_result *r = run(f, text, 15, "case_note", -1);
    assert_null(find(r, "absconded", true));
    const jd_screen_match *quoted = NULL, *echo = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const jd_screen_match *m = &r->m[i];
        if (strcmp(m->code, "absconded") != 0 || m->counts)
            continue;
        if (m->start < (int)(strstr(text, "Describing") - text))
            quoted = m;
        else
            echo = m;
    }
    if (!quoted || !echo) { /* each match listed */
        fprintf(stderr, "echo test: quoted %p echo %p\n", (void *)quoted, (void *)echo);
        fail();
        return;
    }
    assert_non_null(strstr(quoted->why, "inside quotation marks"));
    assert_null(strstr(echo->why, "inside quotation marks"));
    assert_non_null(strstr(echo->why, "(echo: \"absconder\")"));
    assert_true(echo->attrs & JD_SCREEN_QUOTED);
}

static void test_why_cues(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;

    r = run(f, "She denies any sexual activity with the man aged 30.", 14, "case_note", -1);
    assert_non_null(strstr(must(r, "C2", false)->why, "(negation: \"denies\")"));
    r = run_gender(f, "Mum says she is putting herself at risk.", 15, 'F');
    assert_non_null(strstr(must(r, "putting_self_at_risk", false)->why,
                           "(attribution: \"Mum says"));
    r = run_gender(f, "The file calls her 'promiscuous'.", 15, 'F');
    assert_non_null(strstr(must(r, "promiscuous", false)->why, "quoted or attributed"));
    r = run_gender(f, "She is 'promiscuous', she told me.", 15, 'F');
    assert_non_null(strstr(must(r, "promiscuous", false)->why, "(inside quotation marks)"));
    r = run_gender(f, "If she absconds again we will call the police.", 15, 'F');
    assert_non_null(strstr(must(r, "absconded", false)->why, "(hypothetical: \"If\")"));
    /* structure, no cue: the clause's subject is her mother */
    r = run_gender(f, "Her mother is promiscuous.", 15, 'F');
    const jd_screen_match *m = must(r, "promiscuous", false);
    assert_non_null(strstr(m->why, "about another person"));
    assert_null(strchr(m->why, '('));
    /* the quotation marks decided, not "described" (the rule reads no
     * reported speech) */
    r = run_gender(f, "The teacher described her as 'promiscuous'.", 15, 'F');
    m = must(r, "promiscuous", false);
    assert_non_null(strstr(m->why, "(inside quotation marks)"));
    assert_null(strstr(m->why, "reported"));
    /* counted: no cue named */
    r = run_gender(f, "She is promiscuous.", 15, 'F');
    assert_null(strstr(must(r, "promiscuous", true)->why, "not counted"));
    /* C17 from a carer's blow elsewhere in the note names the blow's words and
     * how the name became a carer (fix-screen) */
    r = run(f,
            "The tutor saw grip marks on his upper arm. Gavin (45) is mums partner. He said "
            "Gavin hit him.",
            12, "case_note", -1);
    m = must(r, "C17", true);
    assert_non_null(strstr(m->why, "a carer's blow elsewhere in the note: \"Gavin hit him\""));
    assert_non_null(strstr(m->why, "(Gavin: \"is mums partner\")"));
    /* the structural cues name their words (review-b 6): the writer's
     * clearing finding, "no" after a dash, the owner said after the match, an
     * adult named as such */
    r = run(f,
            "Caller reports 'a girl being dragged into a van' near the park. Officers attended: "
            "the report was unfounded.",
            15, "call_for_service", -1);
    assert_non_null(strstr(must(r, "C19", false)->why, "(cleared: \"unfounded"));
    r = run(f, "A man kept messaging her on Snapchat - no sexual content, no pictures.", 14,
            "case_note", -1);
    assert_non_null(strstr(must(r, "C6", false)->why, "(negation: \"- no\")"));
    r = run(f,
            "Records check: the sexting report from 2018 on the school system belongs to her "
            "older brother, not to Maya.",
            15, "welfare_concern", -1);
    assert_non_null(strstr(must(r, "C14", false)->why, "(other person: \"belongs to her older"));
    r = run(f,
            "Our apprentice (16) saw a customer, an adult sex worker, being threatened by her "
            "pimp in the car park.",
            16, "case_note", -1);
    assert_non_null(strstr(must(r, "C20", false)->why, "(other person: \""));
    /* the ages line keeps "age not written" apart from why (fix-screen) */
    r = run(f, "A boy from her class touched her breasts.", 12, "case_note", -1);
    bool young = false;
    for (size_t i = 0; i < r->n; i++) {
        assert_null(strstr(r->m[i].basis, "age not writtena"));
        young |= strstr(r->m[i].basis, "age not written: a young person") != NULL;
    }
    assert_true(young);
}

/* Whether s is well-formed UTF-8 (no cut character; what a JSON writer takes). */
static bool utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2
                          : (*p & 0xF8) == 0xF0   ? 3
                                                  : -1;
        if (n < 0)
            return false;
        p++;
        for (int k = 0; k < n; k++, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* The explanations cut long words at a character, never inside one: curly
 * apostrophes and en dashes (3 bytes each) at the 40-byte cue cut and the
 * 160-byte why. */
static void test_why_utf8(void **state)
{
    fx *f = *state;
    const char *text = "Mum\u2019s ex\u2013partner\u2019s half\u2013sister\u2019s friend says she "
                       "wouldn\u2019t ever be putting herself at risk.";
    const jd_screen_result *r = run_gender(f, text, 15, 'F');
    const jd_screen_match *m = must(r, "putting_self_at_risk", false);
    assert_non_null(strstr(m->why, "(attribution: \"Mum\u2019s"));
    for (size_t i = 0; i < r->n; i++) {
        assert_true(r->m[i].why[0]);
        assert_true(utf8_ok(r->m[i].why));
    }
}

/* The one told who then acts (fix-screen4, review-b 8): "she told her coach
 * she did not want to, and he had sex with her anyway" is the coach's act,
 * a position of trust; one told of another man's act is not. */
static void test_one_told_acts(void **state)
{
    fx *f = *state;
    static const struct {
        const char *text, *code;
        bool want;
    } cases[] = {
        {"She told her coach she did not want to, and he had sex with her anyway.", "C7", true},
        {"She told her coach that a man of 30 had sex with her at the weekend.", "C7", false},
        {"She told her coach that a man of 30 had sex with her at the weekend.", "C2", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const jd_screen_result *r = run_gender(f, cases[i].text, 15, 'F');
        if (counted(r, cases[i].code) != cases[i].want)
            fprintf(stderr, "%s %s in: %s\n", cases[i].want ? "missed" : "wrongly found",
                    cases[i].code, cases[i].text);
        assert_true(counted(r, cases[i].code) == cases[i].want);
    }
}

/* The guard against the child's own screaming ("heard her screaming" in a
 * girl's note) holds only for the child: in a boy's note "her" is someone
 * else, and the boy hearing his mother scream after "dad hit his mum" is a
 * child who heard domestic abuse (C17). Near miss: the one heard is the
 * child (a pronoun of the child's gender). */
static void test_heard_other_scream(void **state)
{
    fx *f = *state;
    const jd_screen_result *r;
    r = run_gender(f,
                   "He said that last weekend dad hit his mum in the kitchen and Kai heard her "
                   "screaming from his bedroom.",
                   9, 'M');
    assert_true(counted(r, "C17"));
    r = run_gender(f, "Kai had a nightmare. Mum heard him screaming from upstairs.", 9, 'M');
    assert_false(counted(r, "C17"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),         cmocka_unit_test(test_cases_default),
        cmocka_unit_test(test_floor_thing_subject),
        cmocka_unit_test(test_floor_activity_object),
        cmocka_unit_test(test_floor_name),
        cmocka_unit_test(test_language_cases),
        cmocka_unit_test(test_attributes),    cmocka_unit_test(test_why_cues),
        cmocka_unit_test(test_echo_why),
        cmocka_unit_test(test_concern_outcome),
        cmocka_unit_test(test_roles),         cmocka_unit_test(test_ages),
        cmocka_unit_test(test_subject),       cmocka_unit_test(test_context_scope),
        cmocka_unit_test(test_context_chain),
        cmocka_unit_test(test_recorded),      cmocka_unit_test(test_loader_errors),
        cmocka_unit_test(test_limits),        cmocka_unit_test(test_linked_age),
        cmocka_unit_test(test_analyse_agrees),
        cmocka_unit_test(test_concern),
        cmocka_unit_test(test_why_utf8),
        cmocka_unit_test(test_offence_frame),
        cmocka_unit_test(test_lang_frame),
        cmocka_unit_test(test_offence_roles_s7),
        cmocka_unit_test(test_scope_cases),
        cmocka_unit_test(test_similar_words),
        cmocka_unit_test(test_recorded_sense),
        cmocka_unit_test(test_reflexive_owner),
        cmocka_unit_test(test_named_other_acts),
        cmocka_unit_test(test_one_told_acts),
        cmocka_unit_test(test_heard_other_scream),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
