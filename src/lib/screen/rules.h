/*
 * The screen module: the rules catalogue and its policy sections (rules.c,
 * rules_policy.c), the text matcher (textscan.c) and the text screen
 * (screen.c). May include: util, text, store (and public headers).
 *
 * The rules catalogue (internal API): indicators, bypass triggers, crime
 * rules, victim-blaming language and text cues, loaded from JSON
 * (data/rules/catalogue.json is compiled in; a user file may replace it).
 * What the text discloses (indicators, triggers, language) is read by the
 * text screen (screen.h, data/rules/screen.json): the catalogue names them,
 * their class, level and advice, and links them to the screen's codes. The
 * old matcher (textscan.h) still reads the cues the analysis needs beside
 * (ages, sexual activity, overnight, a declined interview) and the crime
 * rules the network and chronology use. See docs/rules.md for the format.
 */
#ifndef JD_RULES_H
#define JD_RULES_H

#include "screen/textscan.h"

#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>

/* Contract event types (interchange §1.5), as bits. */
enum {
    ET_MISSING_REPORT, ET_MISSING_RETURN, ET_RETURN_INTERVIEW, ET_CALL_FOR_SERVICE,
    ET_CONCERN_REPORT, ET_INTELLIGENCE, ET_STOP_CHECK, ET_FOUND_WITH_ADULT, ET_CRIME_REPORT,
    ET_ARREST, ET_REFERRAL, ET_ASSESSMENT, ET_STRATEGY_DISCUSSION, ET_SECTION47, ET_CASE_NOTE,
    ET_AE_ATTENDANCE, ET_SEXUAL_HEALTH_VISIT, ET_PREGNANCY, ET_TERMINATION, ET_GP_NOTE,
    ET_SCHOOL_NURSE_NOTE, ET_ABSENCE, ET_EXCLUSION, ET_WELFARE_CONCERN, ET_PLACEMENT_CHANGE,
    ET_SUBSTANCE_CONTACT, ET_PARENT_REPORT, ET_OTHER, ET_N
};
int jd_rules__event_type(const char *code); /* ET_*, ET_OTHER if unknown */
const char *jd_rules__event_type_name(int et);

/* Conditions an evidence item or rule may need (bits). */
enum {
    NEED_ADULT_SENTENCE = 1 << 0, /* an adult named in the same sentence as the phrase */
    NEED_ADULT_ANY = 1 << 1,      /* an adult anywhere: in the text or a party */
    NEED_VEHICLE = 1 << 2,        /* a vehicle in the event's objects */
    NEED_PHONE = 1 << 3,
    NEED_ADULT_PARTY = 1 << 4, /* an adult suspect or associate among the people */
    NEED_SEXUAL = 1 << 5,      /* sexual activity described in the same sentence */
};

typedef enum { IC_VULN = 0, IC_MODERATE = 1, IC_SIGNIFICANT = 2 } jd_ind_class;

typedef struct jd_evidence {
    uint16_t indicator;
    uint32_t types, in_types; /* ET bits; 0 = none / any */
    bool has_phrases, has_unless;
    bool screen; /* text evidence: the text screen (screen.h) finds the indicator */
    uint32_t needs;
} jd_evidence;

typedef struct jd_indicator {
    const char *id, *name;
    jd_ind_class cls;
    uint32_t roles; /* role bits that receive it (ROLE_*) */
} jd_indicator;

typedef struct jd_crime_rule {
    const char *id, *offence;
    int min_age, max_age;
    int level; /* JD_LEVEL_* */
    uint32_t needs;
} jd_crime_rule;

typedef struct jd_lang_rule {
    const char *id, *avoid, *instead;
    const char *slug; /* the text screen's language slug (one per DOMAIN 6 row) */
} jd_lang_rule;

#define JD_TRIGGER_OFFENCES 4
typedef struct jd_trigger {
    const char *id, *name;
    int level;
    uint32_t in_types;
    const char *offences[JD_TRIGGER_OFFENCES]; /* the screen's offences that raise it ("C19") */
} jd_trigger;

enum { JD_LEVEL_NONE = 0, JD_LEVEL_LOW, JD_LEVEL_MEDIUM, JD_LEVEL_HIGH, JD_LEVEL_CRITICAL };
const char *jd_level_name(int level);
int jd_level_parse(const char *s);

/* Person roles in an event (bits). */
enum {
    ROLE_SUBJECT = 1, ROLE_VICTIM = 2, ROLE_SUSPECT = 4, ROLE_ASSOCIATE = 8, ROLE_REPORTER = 16,
    ROLE_PARENT = 32, ROLE_CARER = 64, ROLE_WITNESS = 128, ROLE_PROFESSIONAL = 256,
    ROLE_OTHER = 512
};
uint32_t jd_rules__role(const char *role);

/* Pattern owners: kind in the top byte, index below. */
enum {
    OWN_UNLESS = 1, OWN_CRIME, OWN_ADULT, OWN_AGE, OWN_DECADE, OWN_SEXUAL, OWN_DECLINED, OWN_OVERNIGHT
};
#define OWN(kind, idx) (((uint32_t)(kind) << 24) | (uint32_t)(idx))
#define OWN_KIND(o) ((o) >> 24)
#define OWN_IDX(o) ((o)&0xFFFFFFu)

typedef struct jd_rules {
    jd_ts *ts;
    jd_indicator *ind;
    size_t nind;
    jd_evidence *ev;
    size_t nev;
    jd_crime_rule *crime;
    size_t ncrime;
    jd_lang_rule *lang;
    size_t nlang;
    jd_trigger *trig;
    size_t ntrig;
    int recent_days, late_days, moderate_days;
    int level_min[JD_LEVEL_CRITICAL + 1]; /* score needed for low/medium/high */
    uint64_t t3_not_alone; /* indicators that trigger T3 only with repeat missing */
    jd_arena ar;
    char source[64];
    /* Policy outside the child's risk walk: the "network" section
     * (rules_policy.c, docs/rules.md). */
    int net_object_window_days;  /* one vehicle or phone seen with two people */
    int net_address_window_days; /* one address */
    uint32_t net_seed;           /* community detection's random seed */
    double net_resolution_scale; /* Leiden resolution = scale / (2 x total weight) */
    double net_beta;             /* Leiden randomness */
    const char *net_feedback_id; /* indicator a network membership adds (M09); NULL none */
} jd_rules;

/* The most rules of each kind: indicators are bits of a uint64_t mask,
 * crimes, language and triggers of a uint32_t. More is JD_ELIMIT. */
#define JD_RULES_MAX_INDICATORS 64
#define JD_RULES_MAX_OTHER 32

/* Load rules from a JSON file (path NULL: the catalogue compiled in) and
 * check them whole, caps included (JD_ELIMIT over JD_RULES_MAX_*): every
 * command that takes --rules (analyse, chronology, concern, profile, serve)
 * gets the same checks. Errors name the file and the entry. */
int jd_rules__load(jd_rules **out, const char *path, jd_error *err);
void jd_rules__free(jd_rules *r);

/* The "network" section of a catalogue (rules_policy.c): windows, community
 * detection and the feedback indicator, checked; a catalogue without one
 * takes the built-in catalogue's. Called by the loader after indicators. */
int jd_rules__load_policy(jd_rules *r, json_t *root, const char *src, jd_error *err);

#endif
