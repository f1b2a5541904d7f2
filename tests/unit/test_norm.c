/*
 * Unit tests for the field normalisers. Expected instants were computed
 * independently from the tz database (Python zoneinfo, Europe/London).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "text/norm.h"

static int64_t dt(const char *s)
{
    jd_datetime d;
    assert_int_equal(jd_norm__datetime(&d, s, strlen(s)), JD_OK);
    return d.utc;
}

static void bad_dt(const char *s)
{
    jd_datetime d;
    assert_int_equal(jd_norm__datetime(&d, s, strlen(s)), JD_EINVALID);
}

static void test_norm__uk_local_time(void **state)
{
    (void)state;
    assert_int_equal(dt("2005-01-01"), 1104537600);
    assert_int_equal(dt("2005-06-01T12:00"), 1117623600);      /* BST */
    assert_int_equal(dt("2005-03-27T00:59"), 1111885140);      /* just before the change */
    assert_int_equal(dt("2005-03-27T02:30"), 1111887000);      /* just after */
    assert_int_equal(dt("2005-10-30T00:30"), 1130628600);
    assert_int_equal(dt("2005-10-30T01:30"), 1130632200);      /* ambiguous: first (BST) */
    assert_int_equal(dt("2005-10-30 02:00:00"), 1130637600);   /* space separator */
    assert_int_equal(dt("1980-03-16T03:00"), 322020000);       /* 1972-80 rule */
    assert_int_equal(dt("1980-03-15T12:00"), 321969600);
    assert_int_equal(dt("1995-10-22T00:30"), 814318200);       /* 1990-95 October rule */
    assert_int_equal(dt("1995-10-21T12:00"), 814273200);
    assert_int_equal(dt("1985-10-27T00:30"), 499217400);
    assert_int_equal(dt("01/06/2005 12:00"), 1117623600);      /* UK order */
    assert_int_equal(dt("1/6/2005"), dt("2005-06-01"));
    assert_int_equal(dt("2005-06-01T11:00:00Z"), 1117623600);
    assert_int_equal(dt("2005-06-01T12:00:00+01:00"), 1117623600);
    assert_int_equal(dt("2005-06-01T12:00:00+0100"), 1117623600);
    assert_int_equal(dt("2005-06-01T06:00:00-05"), 1117623600);
    assert_int_equal(dt("2005-06-01T12:00:00.250"), 1117623600);
    assert_int_equal(dt("  2005-01-01 "), 1104537600);
    jd_datetime d;
    assert_int_equal(jd_norm__datetime(&d, "2005-06-01", 10), JD_OK);
    assert_int_equal(d.prec, JD_PREC_DAY);
    assert_int_equal(d.offset, 3600);
    assert_int_equal(jd_norm__datetime(&d, "2005-06-01T12:00:07", 19), JD_OK);
    assert_int_equal(d.prec, JD_PREC_SECOND);
}

static void test_norm__datetime_rejects(void **state)
{
    (void)state;
    bad_dt("");
    bad_dt("yesterday");
    bad_dt("2005-13-01");
    bad_dt("2005-02-29");      /* not a leap year */
    bad_dt("2005-04-31");
    bad_dt("2005-06-01T24:00");
    bad_dt("2005-06-01T12:60");
    bad_dt("2005-06-01T12:00+15:00");
    bad_dt("2005-06-01T12:00 trailing");
    bad_dt("32/01/2005");
    bad_dt("2005-6-1");
    jd_datetime d;
    assert_int_equal(jd_norm__datetime(&d, "2004-02-29", 10), JD_OK); /* leap year */
    assert_int_equal(jd_norm__datetime(&d, "2000-02-29", 10), JD_OK);
    assert_int_equal(jd_norm__datetime(&d, "1900-02-29", 10), JD_EINVALID);
}

static void test_norm__format_uk(void **state)
{
    (void)state;
    char b[32];
    jd_norm__format_uk(b, 1111885199);
    assert_string_equal(b, "2005-03-27T00:59:59+00:00");
    jd_norm__format_uk(b, 1111885200);
    assert_string_equal(b, "2005-03-27T02:00:00+01:00");
    jd_norm__format_uk(b, 1130633999);
    assert_string_equal(b, "2005-10-30T01:59:59+01:00");
    jd_norm__format_uk(b, 1130634000);
    assert_string_equal(b, "2005-10-30T01:00:00+00:00");
    assert_int_equal(jd_norm__uk_offset(1117623600), 3600);
    assert_int_equal(jd_norm__days_from_civil(1970, 1, 1), 0);
    assert_int_equal(jd_norm__days_from_civil(2000, 3, 1), 11017);
}

static void dob(const char *in, const char *want, jd_precision wp)
{
    char out[11];
    jd_precision p;
    assert_int_equal(jd_norm__dob(out, &p, in, strlen(in)), JD_OK);
    assert_string_equal(out, want);
    assert_int_equal(p, wp);
}

static void test_norm__dob_forms(void **state)
{
    (void)state;
    dob("1991-02-14", "1991-02-14", JD_PREC_DAY);
    dob("14/02/1991", "1991-02-14", JD_PREC_DAY);
    dob("4/2/1991", "1991-02-04", JD_PREC_DAY);
    dob("1991-02", "1991-02", JD_PREC_MONTH);
    dob("1991", "1991", JD_PREC_YEAR);
    dob("19910214", "1991-02-14", JD_PREC_DAY);
    dob("1991-02-14T00:00:00", "1991-02-14", JD_PREC_DAY);
    dob("1/1/1900", "1900-01-01", JD_PREC_DAY);
    dob("2100-12-31", "2100-12-31", JD_PREC_DAY);
    dob("2009-10", "2009-10", JD_PREC_MONTH);
    char out[11];
    jd_precision p;
    const char *bad[] = {"", "1960-02-30", "31/04/2005", "1991-13", "1899-01-01", "2101",
                         "19911314", "14-02-1991", "abc", "0000-00-00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(jd_norm__dob(out, &p, bad[i], strlen(bad[i])), JD_EINVALID);
}

static void pc(const char *in, const char *want)
{
    char out[9];
    int rc = jd_norm__postcode(out, in, strlen(in));
    if (!want) {
        assert_int_equal(rc, JD_EINVALID);
        return;
    }
    assert_int_equal(rc, JD_OK);
    assert_string_equal(out, want);
}

static void test_norm__postcodes(void **state)
{
    (void)state;
    pc("EC1A 1BB", "EC1A 1BB");
    pc("w1a0ax", "W1A 0AX");
    pc("M1 1AE", "M1 1AE");
    pc("b33  8th", "B33 8TH");
    pc("CR2 6XH", "CR2 6XH");
    pc("DN55 1PT", "DN55 1PT");
    pc("ox41ab", "OX4 1AB");
    pc("GIR 0AA", "GIR 0AA");
    pc("OX4", NULL);
    pc("12345", NULL);
    pc("QQ1 1AA", NULL);   /* Q cannot start a postcode */
    pc("OX4 1AC", NULL);   /* C never in the inward unit */
    pc("OX4 1A!", NULL);
    pc("", NULL);
    pc("OX4 1AB EXTRA", NULL);
}

static void ph(const char *in, const char *want)
{
    char out[17];
    int rc = jd_norm__phone(out, in, strlen(in));
    if (!want) {
        assert_int_equal(rc, JD_EINVALID);
        return;
    }
    assert_int_equal(rc, JD_OK);
    assert_string_equal(out, want);
}

static void test_norm__phones(void **state)
{
    (void)state;
    ph("07700 900123", "+447700900123");
    ph("07700-900-123", "+447700900123");
    ph("+44 (0)7700 900123", "+447700900123");
    ph("+447700900123", "+447700900123");
    ph("0044 7700 900123", "+447700900123");
    ph("01865 123456", "+441865123456");
    ph("(01865) 123456", "+441865123456");
    ph("020 7946 0018", "+442079460018");
    ph("+1 212 555 0123", "+12125550123");
    ph("0033 1 23 45 67 89", "+33123456789");
    ph("7700900123", NULL);     /* no trunk 0 */
    ph("077009001", NULL);      /* too short */
    ph("077009001234", NULL);   /* too long */
    ph("07700 9OO123", NULL);   /* letters */
    ph("", NULL);
    ph("+44", NULL);
}

static void vrm(const char *in, const char *want)
{
    char out[16];
    int rc = jd_norm__vrm(out, in, strlen(in));
    if (!want) {
        assert_int_equal(rc, JD_EINVALID);
        return;
    }
    assert_int_equal(rc, JD_OK);
    assert_string_equal(out, want);
}

static void test_norm__registration_marks(void **state)
{
    (void)state;
    vrm("LX51 OTJ", "LX51OTJ");   /* current */
    vrm("lx51-otj", "LX51OTJ");
    vrm("A123 BCD", "A123BCD");   /* prefix */
    vrm("ABC 123D", "ABC123D");   /* suffix */
    vrm("ABZ 1234", "ABZ1234");   /* Northern Ireland */
    vrm("1234 AB", "1234AB");     /* dateless reversed */
    vrm("K 1", "K1");             /* dateless */
    vrm("LX51 O", NULL);          /* partial */
    vrm("LX51OTJX", NULL);
    vrm("L", NULL);
    vrm("LX5! OTJ", NULL);
    char d[16];
    jd_norm__vrm_display(d, "LX51OTJ");
    assert_string_equal(d, "LX51 OTJ");
    jd_norm__vrm_display(d, "A123BCD");
    assert_string_equal(d, "A123BCD");
}

static void test_norm__nhs_numbers(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(jd_norm__nhs(out, "9434765919", 10), JD_OK);
    assert_string_equal(out, "9434765919");
    assert_int_equal(jd_norm__nhs(out, "943 476 5919", 12), JD_OK);
    assert_int_equal(jd_norm__nhs(out, "401-023-2137", 12), JD_OK);
    assert_string_equal(out, "4010232137");
    assert_int_equal(jd_norm__nhs(out, "9434765918", 10), JD_EINVALID); /* wrong check */
    assert_int_equal(jd_norm__nhs(out, "1234567890", 10), JD_EINVALID); /* check 10 */
    assert_int_equal(jd_norm__nhs(out, "943476591", 9), JD_EINVALID);
    assert_int_equal(jd_norm__nhs(out, "94347659190", 11), JD_EINVALID);
    assert_int_equal(jd_norm__nhs(out, "94347659l9", 10), JD_EINVALID);
    assert_int_equal(jd_norm__nhs(out, "", 0), JD_EINVALID);
}

static void test_norm__upn(void **state)
{
    (void)state;
    char out[14];
    /* Check letters worked out by the DfE rule (weights 2..13, mod 23). */
    assert_int_equal(jd_norm__upn(out, "H801200001001", 13), JD_OK);
    assert_int_equal(jd_norm__upn(out, "h801 2000 01001", 15), JD_OK);
    assert_string_equal(out, "H801200001001");
    assert_int_equal(jd_norm__upn(out, "A20412345678A", 13), JD_OK); /* temporary UPN */
    assert_int_equal(jd_norm__upn(out, "B801200001001", 13), JD_EINVALID);
    assert_int_equal(jd_norm__upn(out, "H80120000100", 12), JD_EINVALID);
    assert_int_equal(jd_norm__upn(out, "I801200001001", 13), JD_EINVALID);
}

static void test_norm__gender_and_age(void **state)
{
    (void)state;
    assert_int_equal(jd_norm__gender("F", 1), 'F');
    assert_int_equal(jd_norm__gender(" Female ", 8), 'F');
    assert_int_equal(jd_norm__gender("boy", 3), 'M');
    assert_int_equal(jd_norm__gender("non-binary", 10), 'X');
    assert_int_equal(jd_norm__gender("unknown", 7), 'U');
    assert_int_equal(jd_norm__gender("", 0), 0);
    int a;
    assert_int_equal(jd_norm__age(&a, "14", 2), JD_OK);
    assert_int_equal(a, 14);
    assert_int_equal(jd_norm__age(&a, "14 yrs", 6), JD_OK);
    assert_int_equal(jd_norm__age(&a, "14y", 3), JD_OK);
    assert_int_equal(jd_norm__age(&a, "15 years old", 12), JD_OK);
    assert_int_equal(a, 15);
    assert_int_equal(jd_norm__age(&a, "121", 3), JD_EINVALID);
    assert_int_equal(jd_norm__age(&a, "fourteen", 8), JD_EINVALID);
    assert_int_equal(jd_norm__age(&a, "14 stone", 8), JD_EINVALID);
}

/* Local times without an offset at the clock changes say which reading they
 * got: the spring gap (read as GMT) and the repeated autumn hour (read as
 * BST, the earlier instant); an explicit offset or a date alone never. The
 * 1972-80 rules changed at 02:00 GMT, so their gap is 02:00-03:00. */
static void test_norm__clock_change_fold(void **state)
{
    (void)state;
    static const struct { const char *s; int fold; int64_t utc; } cases[] = {
        {"2005-03-27T00:59", JD_LOCAL_EXACT, 1111885140},
        {"2005-03-27T01:00", JD_LOCAL_GAP, 1111885200},
        {"2005-03-27T01:59:59", JD_LOCAL_GAP, 1111888799},
        {"2005-03-27T02:00", JD_LOCAL_EXACT, 1111885200},
        {"2005-10-30T00:59", JD_LOCAL_EXACT, 1130630340},
        {"2005-10-30T01:00", JD_LOCAL_AMBIGUOUS, 1130630400},
        {"2005-10-30T01:59:59", JD_LOCAL_AMBIGUOUS, 1130633999},
        {"2005-10-30T02:00", JD_LOCAL_EXACT, 1130637600},
        {"30/10/2005 01:30", JD_LOCAL_AMBIGUOUS, 1130632200},
        {"2005-10-30T01:30+00:00", JD_LOCAL_EXACT, 1130635800},
        {"2005-03-27T01:30Z", JD_LOCAL_EXACT, 1111887000},
        {"2005-03-27", JD_LOCAL_EXACT, 1111881600},
        {"2005-10-30", JD_LOCAL_EXACT, 1130626800},
        {"1975-03-16T02:30", JD_LOCAL_GAP, 164169000},
        {"1975-03-16T01:30", JD_LOCAL_EXACT, 164165400},
        {"1960-06-01T12:00", JD_LOCAL_EXACT, -302443200},
    };
    char day[11];
    jd_norm__uk_date(day, 1130626799); /* 2005-10-29T23:59:59+01:00 */
    assert_string_equal(day, "2005-10-29");
    jd_norm__uk_date(day, 1130626800);
    assert_string_equal(day, "2005-10-30");
    jd_norm__uk_date(day, 1104537599); /* 2004-12-31T23:59:59Z */
    assert_string_equal(day, "2004-12-31");
    jd_norm__uk_date(day, -302443200);
    assert_string_equal(day, "1960-06-01");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jd_datetime d;
        assert_int_equal(jd_norm__datetime(&d, cases[i].s, strlen(cases[i].s)), JD_OK);
        if (d.fold != cases[i].fold || d.utc != cases[i].utc)
            fail_msg("%s: fold %d utc %lld, expected fold %d utc %lld", cases[i].s, d.fold,
                     (long long)d.utc, cases[i].fold, (long long)cases[i].utc);
    }
}

static void clean(const char *in, bool multiline, const char *want, unsigned control,
                  unsigned bidi, unsigned invisible)
{
    size_t n = strlen(in);
    char out[256];
    jd_hygiene h = {0, 0, 0};
    size_t first = jd_norm__hygiene_scan(in, n, multiline);
    size_t k = jd_norm__hygiene(out, in, n, multiline, &h);
    if (strcmp(out, want) || k != strlen(want) || h.control != control || h.bidi != bidi ||
        h.invisible != invisible)
        fail_msg("'%s': got '%s' (%u/%u/%u), want '%s' (%u/%u/%u)", in, out, h.control, h.bidi,
                 h.invisible, want, control, bidi, invisible);
    /* the scan finds a change exactly when the pass makes one */
    assert_int_equal(first == n, strcmp(in, out) == 0);
}

static void test_norm__hygiene(void **state)
{
    (void)state;
    clean("Smith", false, "Smith", 0, 0, 0);
    clean("Zoë Łukasz 山田 😀 – “quoted” …", false, "Zoë Łukasz 山田 😀 – “quoted” …", 0, 0, 0);
    clean("Sm\xe2\x80\x8bith", false, "Smith", 0, 0, 1);                 /* ZWSP */
    clean("\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xef\xbb\xbf" "A", false, "A", 0, 0, 4); /* ZWNJ ZWJ WJ BOM */
    clean("\xc2\xad\xe1\xa0\x8e\xe2\x81\xa4\xef\xbf\xb9x", false, "x", 0, 0, 4); /* SHY MVS U+2064 U+FFF9 */
    clean("a\xf3\xa0\x80\x81\xf3\xa0\x81\xbf" "b", false, "ab", 0, 0, 2);      /* tag characters */
    clean("\xe2\x80\xae" "eikaK\xe2\x80\xac", false, "eikaK", 0, 2, 0);         /* RLO ... PDF */
    clean("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xad", false, "", 0, 3, 0);      /* LRE RLE LRO */
    clean("\xe2\x81\xa6x\xe2\x81\xa7y\xe2\x81\xa8z\xe2\x81\xa9", false, "xyz", 0, 4, 0); /* isolates */
    clean("\xe2\x80\x8e" "a\xe2\x80\x8f\xd8\x9c", false, "a", 0, 3, 0);         /* LRM RLM ALM */
    clean("a\x1b[31mb\x07\x7f", false, "a[31mb", 3, 0, 0);                   /* ESC, BEL, DEL */
    clean("a\xc2\x80\xc2\x9b" "b", false, "ab", 2, 0, 0);                   /* C1 */
    clean("1 High St\r\nOxford\tOX4", false, "1 High St Oxford OX4", 0, 0, 0);
    clean("a\nb\rc", false, "a b c", 0, 0, 0);
    clean("a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9" "d", false, "a b c d", 0, 0, 0);
    clean("one\r\ntwo\n\tthree\x01" "x", true, "one\r\ntwo\n\tthreex", 1, 0, 0);
    clean("a\xc2\x85" "b\xe2\x80\xa8" "c", true, "a\nb\nc", 0, 0, 0);
    /* near misses are kept: other E2 80 xx punctuation, a lone lead byte at the end */
    clean("\xe2\x80\x93\xe2\x80\x99\xe2\x80\xa6\xe2\x82\xac", false,
          "\xe2\x80\x93\xe2\x80\x99\xe2\x80\xa6\xe2\x82\xac", 0, 0, 0);
    clean("abc\xe2\x80", false, "abc\xe2\x80", 0, 0, 0);
    clean("abc\xc2", false, "abc\xc2", 0, 0, 0);
    /* every offset of the fast path: one ZWSP at each position of a long ASCII run */
    char buf[64], want[64];
    for (int pos = 0; pos <= 40; pos++) {
        memset(buf, 'x', 40);
        memcpy(buf + pos, "\xe2\x80\x8b", 3);
        memset(buf + pos + 3, 'y', 40 - (size_t)pos);
        buf[43] = '\0';
        memset(want, 'x', (size_t)pos);
        memset(want + pos, 'y', 40 - (size_t)pos);
        want[40] = '\0';
        assert_int_equal(jd_norm__hygiene_scan(buf, 43, false), (size_t)pos);
        clean(buf, false, want, 0, 0, 1);
    }
}

/* Day numbers and dates both ways (synth writes its dates with these) and
 * the date's text. */
static void test_norm__civil_days_round_trip(void **state)
{
    (void)state;
    for (int64_t day = -800000; day <= 800000; day += 97) {
        int y;
        unsigned m, d;
        jd_norm__civil_from_days(day, &y, &m, &d);
        assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        assert_int_equal(jd_norm__days_from_civil(y, m, d), day);
    }
    int y;
    unsigned m, d;
    jd_norm__civil_from_days(11123, &y, &m, &d); /* 2000-06-15 */
    assert_int_equal(y, 2000);
    assert_int_equal(m, 6);
    assert_int_equal(d, 15);
    char out[11];
    jd_norm__ymd_text(out, y, m, d);
    assert_string_equal(out, "2000-06-15");
    jd_norm__ymd_text(out, 10000, 1, 1);
    assert_string_equal(out, "0000-00-00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_norm__uk_local_time),
        cmocka_unit_test(test_norm__datetime_rejects),
        cmocka_unit_test(test_norm__format_uk),
        cmocka_unit_test(test_norm__dob_forms),
        cmocka_unit_test(test_norm__postcodes),
        cmocka_unit_test(test_norm__phones),
        cmocka_unit_test(test_norm__registration_marks),
        cmocka_unit_test(test_norm__nhs_numbers),
        cmocka_unit_test(test_norm__upn),
        cmocka_unit_test(test_norm__gender_and_age),
        cmocka_unit_test(test_norm__clock_change_fold),
        cmocka_unit_test(test_norm__hygiene),
        cmocka_unit_test(test_norm__civil_days_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
