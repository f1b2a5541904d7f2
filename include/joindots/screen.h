/*
 * joindots text screen: reads one agency note and finds the offences it
 * discloses against the child (DOMAIN §3, C1-C20), the indicators it gives
 * evidence of (§2.2) and victim-blaming wording (§6), with why.
 *
 * Words are normalised (case, punctuation, UK/US spellings, agency
 * abbreviations) and reduced to Snowball English stems, so one rule entry
 * covers every grammatical form. Every match carries ConText-style
 * attributes found in its sentence (negated, hypothetical, historical,
 * about another person, quoted or attributed in order to challenge it); an
 * attribute decides what the match counts for, and the explanation says so.
 * Offences are decided on the child's age at the event and the other
 * person's age as read from the text ("aged 24", "(39)", "in his 30s",
 * "DOB 1979", "much older", "a man").
 *
 * The rules are data: data/rules/screen.json is compiled in; a user file
 * with the same format may replace it (docs/rules.md).
 */
#ifndef JOINDOTS_SCREEN_H
#define JOINDOTS_SCREEN_H

#include "common.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a match is. */
typedef enum { JD_SCREEN_OFFENCE = 0, JD_SCREEN_LANGUAGE = 1, JD_SCREEN_INDICATOR = 2 } jd_screen_kind;

/* Attributes of a match (bits). */
enum {
    JD_SCREEN_NEGATED = 1 << 0,      /* "denies", "no concerns of", "not" */
    JD_SCREEN_HYPOTHETICAL = 1 << 1, /* "if she goes missing", "at risk of", plans */
    JD_SCREEN_HISTORICAL = 1 << 2,   /* a former tenant, before the child's time */
    JD_SCREEN_OTHER_PERSON = 1 << 3, /* about a mother, sibling, friend, another child */
    JD_SCREEN_QUOTED = 1 << 4,       /* quoted or attributed, not the writer's own words */
    JD_SCREEN_CHALLENGED = 1 << 5,   /* quoted in order to challenge it */
    JD_SCREEN_INNOCENT = 1 << 6,     /* an injury with a stated innocent cause */
    JD_SCREEN_PROPERTY = 1 << 7,     /* the thing taken is property, not the child */
    JD_SCREEN_AGE = 1 << 8,          /* the ages do not make it this offence */
    JD_SCREEN_SENSE = 1 << 9,        /* the words in another, innocent sense ("sell herself
                                        short" at a mock interview, "on the game" of an Xbox) */
    JD_SCREEN_WEAK = 1 << 10,        /* weak evidence (a rule marked "weak"): a candidate for
                                        the model, never counted by the rules alone */
    JD_SCREEN_CONCERN = 1 << 11,     /* offences: a third party's concern or an allegation
                                        ("caller concerned", "alleged"), not a disclosure or a
                                        finding; it still counts (the alert's level may differ) */
};

typedef struct jd_screen_note {
    const char *id;         /* echoed back; may be NULL */
    const char *text;       /* the note */
    const char *event_type; /* contract code; NULL = other */
    const char *agency;     /* may be NULL */
    int child_age;          /* the child's age at the event; -1 unknown */
    char child_gender;      /* 'F', 'M' or 0 */
    int crime_recorded;     /* 1 recorded (Y or a crime ref), 0 not, -1 unknown */
    unsigned kinds;         /* 1u << JD_SCREEN_OFFENCE | ...: what to look for; 0 = all */
    int linked_other_age;   /* the other person's age from linked person records (a suspect
                               of the event with a date of birth), used when the text gives
                               none; 0 = none */
} jd_screen_note;

typedef struct jd_screen_match {
    jd_screen_kind kind;
    const char *code;   /* "C2", "consent", "S02" */
    const char *name;   /* offence, wording to avoid, or indicator name */
    const char *advice; /* language: what to write instead; else NULL */
    const char *rule;   /* the rule entry's pattern that matched */
    int start, end;     /* byte span [start, end) in the text */
    unsigned attrs;     /* JD_SCREEN_* bits */
    bool counts;        /* false: an attribute rules it out (see why) */
    bool recorded;      /* offences: the note records the crime */
    int other_age;      /* offences: the other person's age (-1 unknown, 18 "an adult") */
    int act_age;        /* offences: the child's age at the act (at its start), -1 unknown */
    char basis[96];     /* offences: the age basis, "child 14, other 19 ('(19)')" */
    char why[160];      /* what the attributes did */
    /* The learned combiner (screen_model.h), when it decided this label: its
     * probability, the label's threshold and the features that weighed most,
     * "p 0.83 >= 0.40; weighed most: counted +1.20, s:consent +0.61". */
    bool modelled;
    float prob, threshold;
    char model[200];
} jd_screen_match;

typedef struct jd_screen_result {
    jd_screen_match *m; /* counted matches first per code, then the discounted */
    size_t n, cap;
} jd_screen_result;

typedef struct jd_screen jd_screen; /* compiled rules and scratch; one thread at a time */

/* Compile the rules (path NULL: the catalogue compiled in). Errors name the
 * file and the entry. Returns JD_OK, JD_EINVALID, JD_EIO or JD_ENOMEM. */
JD_API int jd_screen_open(jd_screen **out, const char *rules_path, jd_error *err);
JD_API void jd_screen_close(jd_screen *s);

/* Screen one note. `res` is reset and filled: at most one counted match per
 * code, plus the matches an attribute ruled out (counts = false), so the
 * caller can explain both. Returns JD_OK, JD_EINVALID or JD_ENOMEM
 * (JD_ELIMIT for a text over 1 MiB). */
JD_API int jd_screen_run(jd_screen *s, const jd_screen_note *in, jd_screen_result *res,
                         jd_error *err);
JD_API void jd_screen_result_free(jd_screen_result *res);

/* "negated, about another person" for attribute bits (buf of n bytes). */
JD_API const char *jd_screen_attrs_str(unsigned attrs, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
