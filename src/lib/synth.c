/*
 * The synthetic county generator.
 *
 * World: households at addresses (postcodes in an invented OX-like area),
 * children and adults with names drawn from a diverse pool, schools, GP
 * practices, children's homes, and hotspot places. People get a timeline:
 * ordinary contact for everyone, confounder episodes for vulnerable children
 * who are not exploited, decoy professionals meeting many children, and for
 * the exploited children an escalating sequence of indicator events across
 * agencies tied to the network's adults, cars and phones.
 *
 * Rendering: every event is written at once to its agency's events file,
 * with one persons row per party (each agency writes names, dates of birth
 * and references with its own noise) and objects rows for cars and phones.
 * Nothing is held but the people, so memory grows with the population, not
 * with the number of events.
 *
 * Truth: refs actually written per person, exploited children with the
 * first moment the records held three distinct exploitation indicators from
 * two agencies (computed from the events as written, parsed back with the
 * same normaliser joindots uses), networks, unrecorded crimes, victim-
 * blaming language, confounder groups and the Oxfordshire landmarks.
 *
 * Fairness: ethnicity is drawn independently of every role; it is written
 * by some agencies for equality monitoring only.
 */
#include "internal.h"
#include "norm.h"
#include "rng.h"

#include <jansson.h>
#include <joindots/synth.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- reference data (invented; common UK names across communities) ---- */

static const char *const girls[] = {
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Chloe", "Jessica", "Lily",
    "Katie", "Megan", "Jade", "Amy", "Lauren", "Charlotte", "Hannah", "Ellie", "Rebecca",
    "Bethany", "Aisha", "Fatima", "Maryam", "Zainab", "Amira", "Priya", "Anjali", "Simran",
    "Nadia", "Shannon", "Chantelle", "Abigail", "Zara", "Leah", "Courtney", "Kayleigh", "Paige",
    "Natalia", "Zuzanna", "Oliwia", "Aleksandra", "Precious", "Blessing", "Chiamaka", "Keisha",
    "Tanisha", "Siobhan", "Niamh", "Roisin", "Elizabeth", "Katherine", "Rebekah", "Samantha",
    "Victoria", "Alexandra", "Jennifer", "Stephanie", "Danielle", "Gemma", "Kirsty"};
static const char *const boys[] = {
    "Oliver", "Jack", "Harry", "George", "Charlie", "Thomas", "James", "William", "Daniel",
    "Joshua", "Liam", "Kyle", "Connor", "Jordan", "Ryan", "Callum", "Mohammed", "Ali", "Omar",
    "Yusuf", "Ibrahim", "Arjun", "Rohan", "Harjit", "Kwame", "Tyrone", "Jamal", "Dwayne",
    "Jakub", "Kacper", "Piotr", "Michael", "Patrick", "Sean", "Christopher", "Matthew",
    "Anthony", "Benjamin", "Alexander", "Nathan"};
static const char *const men[] = {
    "Mohammed", "Akhtar", "Kamar", "Bassam", "Anjum", "Zeeshan", "Assad", "Mark", "Paul",
    "Gary", "Darren", "Lee", "Wayne", "Craig", "Steven", "Tomasz", "Marek", "Delroy", "Winston",
    "Tariq", "Imran", "Shabir", "Dean", "Jason", "Kevin", "Carl", "Raj", "Sunil", "Adebayo",
    "Emeka"};
static const char *const surnames[] = {
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke",
    "Khan", "Ahmed", "Hussain", "Ali", "Patel", "Shah", "Begum", "Iqbal", "Dogar", "Karrar",
    "Singh", "Kaur", "Sharma", "Okafor", "Mensah", "Adeyemi", "Campbell", "Francis",
    "Kowalski", "Nowak", "Wisniewski", "O'Brien", "Murphy", "McDonagh", "Ward",
    "Smith-Jones", "Lloyd-Davies", "Ellis", "Fisher", "Mason", "Sondergeld", "Bhatti",
    "Chaudhry", "Mahmood"};
/* Name variants agencies write (nicknames, short forms, transliterations). */
static const char *const variants[][4] = {
    {"Elizabeth", "Liz", "Beth", "Lizzie"}, {"Katherine", "Kate", "Katie", "Kath"},
    {"Katie", "Kate", "Katy", "Kt"},         {"Rebecca", "Becky", "Becca", "Bex"},
    {"Samantha", "Sam", "Sammy", "Sammi"},   {"Victoria", "Vicky", "Tori", "Vikki"},
    {"Alexandra", "Alex", "Lexi", "Aleksandra"}, {"Jennifer", "Jen", "Jenny", "Jenna"},
    {"Stephanie", "Steph", "Stef", "Stevie"}, {"Danielle", "Dani", "Danni", "Elle"},
    {"Mohammed", "Muhammad", "Mohamed", "Mohammad"}, {"Charlotte", "Charlie", "Lottie", "Lotte"},
    {"Abigail", "Abby", "Abi", "Gail"},      {"Bethany", "Beth", "Bethan", "Bethy"},
    {"Jessica", "Jess", "Jessie", "Jesica"}, {"Christopher", "Chris", "Kit", "Cris"},
    {"Michael", "Mike", "Mick", "Mikhail"},  {"William", "Will", "Bill", "Liam"},
    {"Daniel", "Dan", "Danny", "Dani"},      {"Alexander", "Alex", "Sasha", "Alec"},
    {"Joshua", "Josh", "Joshy", "Jos"},      {"Matthew", "Matt", "Matty", "Mathew"},
    {"Megan", "Meg", "Meggie", "Meghan"},    {"Hannah", "Hanna", "Han", "Annah"},
    {"Yusuf", "Yousef", "Youssef", "Yosef"}, {"Aisha", "Ayesha", "Aysha", "Aishah"},
    {"Fatima", "Fatimah", "Fatma", "Fatemah"}, {"Natalia", "Natalie", "Nat", "Talia"},
    {"Zuzanna", "Susanna", "Zuza", "Suzanne"}, {"Omar", "Umar", "Omer", "Omar"}};
static const char *const ethnicities[] = {"White British", "White Other", "Asian Pakistani",
                                          "Asian Indian", "Black African", "Black Caribbean",
                                          "Mixed", "Irish Traveller", "Asian Bangladeshi"};
static const char *const streets[] = {
    "Cowley Road", "Iffley Road", "Magdalen Road", "Howard Street", "Temple Road",
    "Barns Road", "Rose Hill", "Blackbird Leys Road", "Sandy Lane", "Marston Road",
    "Headington Road", "London Road", "Abingdon Road", "Botley Road", "Banbury Road",
    "Walton Street", "Kennington Road", "Donnington Bridge Road", "Littlemore Road",
    "Oxford Road", "Church Lane", "Mill Street", "Station Road", "Victoria Road"};
static const char *const districts[] = {"OX1", "OX2", "OX3", "OX4", "OX14", "OX44"};
static const char pc_letters[] = "ABDEFGHJLNPQRSTUWXYZ";
static const char vrm_letters[] = "ABCDEFGHJKLMNPRSTUVWXY";
static const char *const cars[] = {"silver Vauxhall Astra", "black BMW", "red Ford Focus",
                                   "white Mercedes van", "blue Audi A3", "grey Toyota Prius"};

enum {
    A_POLICE, A_CALLS, A_CSC, A_AE, A_SEXH, A_GP, A_SCHNURSE, A_SCHOOL, A_CARE, A_YOUTH,
    A_SUBST, A_N
};
static const char *const agency_code[A_N] = {
    "police", "call_handling", "csc", "health_ae", "sexual_health", "gp", "school_nursing",
    "school", "care_provider", "youth_service", "substance_service"};
static const char *const ref_prefix[A_N] = {"N", "CH", "C-", "H", "SH", "GP", "SN", "S", "CP",
                                            "Y", "SS"};

enum { R_ORDINARY, R_VICTIM, R_NETWORK, R_DECOY, R_PARENT };
static const char *const role_name[] = {"ordinary", "victim", "network_adult", "decoy",
                                        "ordinary"};
enum { C_NONE, C_CARE_FAMILY, C_SUBSTANCE, C_DOMESTIC, C_SELF_HARM, C_PEER, C_LD, C_N };
static const char *const confounder_name[C_N] = {
    "none", "in_care_missing_family", "substance", "domestic_abuse", "self_harm",
    "peer_relationship", "learning_disability"};

typedef struct person {
    char fore[24], sur[32], known_as[16];
    char gender;
    int32_t dob; /* day number */
    int hh, hh2;
    int32_t move_day;
    uint8_t eth, is_adult, role, confounder, in_care;
    int8_t network;
    int twin_of, parent;
    char nhs[11], upn[14], phone[14];
    uint32_t refs_used; /* bit a*2 (+1 for the duplicate ref) */
    int32_t began;      /* victims: day exploitation began */
    json_t *indicators; /* victims: [known_at, indicator, agency] */
} person;

typedef struct household {
    char street_no[8];
    int street;
    char pc[9];
} household;

typedef struct party {
    int p;
    const char *role;
} party;

typedef struct obj {
    const char *type, *value, *desc;
    int owner;
} obj;

typedef struct netw {
    int adults[8], nadults;
    int children[12], nchildren;
    char vrm[3][10];
    int nvrm;
    char phone[2][14];
    int hotspot;
    int64_t first_evidence;
    int first_child; /* the first child linked to an adult, for first_evidence */
} netw;

typedef struct synth {
    jd_rng r;
    jd_synth_opts o;
    int32_t day0, days;
    person *pp;
    int np, pcap;
    household *hh;
    int nhh;
    netw nets[16];
    int nnet;
    FILE *ev[A_N], *pe[A_N], *ob;
    uint32_t counter[A_N];
    jd_synth_stats st;
    json_t *unrec, *blame, *landmarks;
    bool oxford;
    int64_t ox_police, ox_missing; /* police contacts and missing reports on the six */
    char buf[4096];
    jd_error *err;
    int io_error;
} synth;

/* ---- small helpers ---- */

static uint32_t rnd(synth *S, uint32_t n)
{
    return jd_rng__below(&S->r, n);
}
static int chance(synth *S, double p)
{
    return jd_rng__chance(&S->r, p);
}
#define PICK(S, arr) (arr)[rnd(S, JD_ARRAY_LEN(arr))]

static void day_text(char out[11], int32_t day)
{
    char b[32];
    jd_norm__format_uk(b, (int64_t)day * 86400 + 12 * 3600);
    memcpy(out, b, 10);
    out[10] = '\0';
}

/* A valid NHS number (modulus 11) in the 9xx test range. */
static void make_nhs(synth *S, char out[11])
{
    for (;;) {
        int sum = 0;
        out[0] = '9';
        for (int i = 1; i < 9; i++)
            out[i] = (char)('0' + rnd(S, 10));
        for (int i = 0; i < 9; i++)
            sum += (out[i] - '0') * (10 - i);
        int c = 11 - sum % 11;
        if (c == 11)
            c = 0;
        if (c == 10)
            continue;
        out[9] = (char)('0' + c);
        out[10] = '\0';
        return;
    }
}

/* A valid UPN: check letter by the DfE rule over 12 characters. */
static void make_upn(synth *S, char out[14])
{
    static const char L[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
    int sum = 0;
    snprintf(out + 1, 13, "93%d%09u", 1 + (int)rnd(S, 9), rnd(S, 1000000000));
    for (int i = 1; i < 13; i++)
        sum += (out[i] - '0') * (i + 1);
    out[0] = L[sum % 23];
    out[13] = '\0';
}

static void make_vrm(synth *S, char out[10])
{
    snprintf(out, 10, "%c%c%02u %c%c%c", 'A' + (int)rnd(S, 2) * 11, vrm_letters[rnd(S, 22)],
             51 + rnd(S, 12), vrm_letters[rnd(S, 22)], vrm_letters[rnd(S, 22)],
             vrm_letters[rnd(S, 22)]);
}

static int add_person(synth *S)
{
    if (S->np == S->pcap) {
        int nc = S->pcap ? S->pcap * 2 : 1024;
        person *n = realloc(S->pp, (size_t)nc * sizeof *n);
        if (!n)
            return -1;
        S->pp = n;
        S->pcap = nc;
    }
    person *p = &S->pp[S->np];
    memset(p, 0, sizeof *p);
    p->network = -1;
    p->twin_of = -1;
    p->parent = -1;
    p->move_day = -1;
    p->hh2 = -1;
    return S->np++;
}

static int age_on(const person *p, int32_t day)
{
    int y1, y2;
    char a[11], b[11];
    day_text(a, p->dob);
    day_text(b, day);
    y1 = atoi(a);
    y2 = atoi(b);
    int age = y2 - y1;
    if (strcmp(b + 5, a + 5) < 0)
        age--;
    return age;
}

static const household *home_of(const synth *S, const person *p, int32_t day)
{
    if (p->hh2 >= 0 && p->move_day >= 0 && day >= p->move_day)
        return &S->hh[p->hh2];
    return &S->hh[p->hh];
}

/* ---- CSV writing ---- */

static void csv_field(synth *S, FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
    (void)S;
}

/* Column orders differ by agency, as real exports do. */
static const char *const ev_cols_a[] = {"agency", "record_id", "event_type", "occurred_at",
                                        "reported_at", "location", "postcode", "narrative",
                                        "crime_recorded", "crime_ref", "outcome", "author_role",
                                        "risk_grade"};
static const char *const ev_cols_b[] = {"record_id", "agency", "occurred_at", "event_type",
                                        "narrative", "location", "postcode", "outcome",
                                        "author_role", "reported_at", "risk_grade",
                                        "crime_recorded", "crime_ref"};
static const char *const pe_cols_a[] = {"agency", "record_id", "person_ref", "role", "surname",
                                        "forenames", "known_as", "dob", "age", "gender",
                                        "address", "postcode", "phone", "nhs_number", "upn",
                                        "ethnicity"};
static const char *const pe_cols_b[] = {"person_ref", "agency", "record_id", "role",
                                        "forenames", "surname", "dob", "gender", "age",
                                        "postcode", "address", "known_as", "phone", "upn",
                                        "nhs_number", "ethnicity"};

static void write_row(synth *S, FILE *f, const char *const *cols, size_t n,
                      const char *const *names, const char *const *vals, size_t nv)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        for (size_t k = 0; k < nv; k++)
            if (!strcmp(cols[i], names[k])) {
                csv_field(S, f, vals[k]);
                break;
            }
    }
    fputs(S->o.seed % 2 && f == S->ev[A_CSC] ? "\r\n" : "\n", f);
}

static const char *const *ev_cols(int a)
{
    return a % 2 ? ev_cols_b : ev_cols_a;
}
static const char *const *pe_cols(int a)
{
    return a % 3 == 1 ? pe_cols_b : pe_cols_a;
}

/* ---- agency noise on a person row ---- */

static void ref_of(synth *S, char out[24], int a, int pi, bool dup)
{
    /* Agency numbering is unrelated to the truth ids, so refs carry no hint. */
    uint32_t k = (uint32_t)((uint64_t)(pi + 17) * 2654435761u % 9000000u) + 1000000u;
    snprintf(out, 24, "%s%s%u", ref_prefix[a], dup ? "9" : "", k + (uint32_t)a * 7u);
    (void)S;
}

static void typo(synth *S, char *s)
{
    size_t n = strlen(s);
    if (n < 4)
        return;
    size_t i = 1 + rnd(S, (uint32_t)(n - 2));
    switch (rnd(S, 3)) {
    case 0: { /* swap */
        char t = s[i];
        s[i] = s[i + 1];
        s[i + 1] = t;
        break;
    }
    case 1: /* drop */
        memmove(s + i, s + i + 1, n - i);
        break;
    default: /* double */
        if (n + 1 < 31) {
            memmove(s + i + 1, s + i, n - i + 1);
        }
        break;
    }
}

static const char *variant_of(synth *S, const char *name)
{
    for (size_t i = 0; i < JD_ARRAY_LEN(variants); i++)
        if (!strcmp(variants[i][0], name))
            return variants[i][1 + rnd(S, 3)];
    return name;
}

static void person_row(synth *S, int a, const char *record_id, int pi, const char *role,
                       int32_t day)
{
    person *p = &S->pp[pi];
    bool dup = !p->is_adult && (p->refs_used & (1u << (a * 2 + 1))) ? chance(S, 0.5)
               : !p->is_adult && chance(S, 0.04);
    char ref[24], fore[32], sur[40], dob[16] = "", age[8] = "", addr[64] = "", phone[16] = "";
    ref_of(S, ref, a, pi, dup);
    p->refs_used |= 1u << (a * 2 + (dup ? 1 : 0));
    snprintf(fore, sizeof fore, "%s", p->fore);
    snprintf(sur, sizeof sur, "%s", p->sur);
    /* Names: nicknames by staff who know the child, typos, half of a
     * double-barrelled surname, the occasional swapped field. */
    if (chance(S, a == A_POLICE || a == A_CARE || a == A_YOUTH ? 0.3 : 0.1))
        snprintf(fore, sizeof fore, "%s", variant_of(S, p->fore));
    if (chance(S, 0.04))
        typo(S, fore);
    if (chance(S, 0.05))
        typo(S, sur);
    char *hy = strchr(sur, '-');
    if (hy && chance(S, 0.4))
        memmove(sur, hy + 1, strlen(hy));
    if (chance(S, 0.03))
        for (char *c = sur; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    /* Dates of birth: health and schools are accurate; police and call
     * handlers swap day and month, get the year wrong, or give only an age. */
    char d[11];
    day_text(d, p->dob);
    int yy = atoi(d), mm = atoi(d + 5), dd = atoi(d + 8);
    bool accurate = a == A_AE || a == A_GP || a == A_SCHOOL || a == A_SCHNURSE || a == A_SEXH;
    if (a == A_CALLS || (a == A_YOUTH && chance(S, 0.5)) || (!accurate && chance(S, 0.08))) {
        snprintf(age, sizeof age, "%d", age_on(p, day));
    } else if (!(p->is_adult && chance(S, 0.3))) {
        if (!accurate && dd <= 12 && chance(S, 0.05)) {
            int t = dd;
            dd = mm;
            mm = t;
        }
        if (!accurate && chance(S, 0.03)) {
            yy += chance(S, 0.5) ? 1 : -1;
            if (mm == 2 && dd == 29) /* a wrong year must still be a real date */
                dd = 28;
        }
        if (a == A_CSC || a == A_CARE)
            snprintf(dob, sizeof dob, "%02d/%02d/%04d", dd, mm, yy);
        else
            snprintf(dob, sizeof dob, "%04d-%02d-%02d", yy, mm, dd);
    }
    const household *h = home_of(S, p, day);
    if (!(a == A_CALLS) && chance(S, 0.7))
        snprintf(addr, sizeof addr, "%s %s", h->street_no, streets[h->street]);
    if (p->phone[0] && (a == A_POLICE || a == A_CALLS) && chance(S, 0.4))
        snprintf(phone, sizeof phone, "%s", p->phone);
    bool health = a == A_AE || a == A_GP || a == A_SEXH || a == A_SCHNURSE;
    const char *gender = p->gender == 'F' ? (a == A_CSC ? "Female" : "F")
                                          : (a == A_CSC ? "Male" : "M");
    const char *names[] = {"agency",   "record_id", "person_ref", "role",       "surname",
                           "forenames", "known_as", "dob",        "age",        "gender",
                           "address",  "postcode",  "phone",      "nhs_number", "upn",
                           "ethnicity"};
    const char *vals[] = {agency_code[a],
                          record_id,
                          ref,
                          role,
                          sur,
                          fore,
                          a == A_POLICE && p->known_as[0] ? p->known_as : NULL,
                          dob[0] ? dob : NULL,
                          age[0] ? age : NULL,
                          gender,
                          addr[0] ? addr : NULL,
                          a == A_CALLS ? NULL : h->pc,
                          phone[0] ? phone : NULL,
                          health && p->nhs[0] ? p->nhs : NULL,
                          a == A_SCHOOL && p->upn[0] ? p->upn : NULL,
                          (a == A_POLICE || a == A_CSC || a == A_SCHOOL) ? ethnicities[p->eth]
                                                                        : NULL};
    write_row(S, S->pe[a], pe_cols(a), 16, names, vals, 16);
    S->st.person_rows++;
}

/* ---- events ---- */

enum { F_UNREC = 1, F_BLAME = 2 };

typedef struct event_spec {
    int a;
    const char *type;
    int32_t day;
    int minute;          /* minutes after midnight, local; -1: date only */
    int report_delay;    /* days */
    const char *location, *postcode, *narrative, *outcome, *author, *grade, *crime_ref;
    int crime;           /* -1 absent, 0 N, 1 Y */
    party parties[8];
    int nparties;
    obj objs[4];
    int nobjs;
    int flags;
    int victim;          /* truth: whose indicator, -1 none */
    const char *ind[3];  /* indicator ids this event evidences for `victim` */
    const char *landmark;
} event_spec;

static void when_text(char out[32], int32_t day, int minute, bool offset)
{
    char d[11];
    day_text(d, day);
    if (minute < 0) {
        snprintf(out, 32, "%s", d);
        return;
    }
    /* Never 01:xx local: that hour is ambiguous on the autumn change day. */
    int h = minute / 60, m = minute % 60;
    if (h == 1)
        h = 2;
    snprintf(out, 32, "%sT%02d:%02d", d, h, m);
    if (offset) {
        jd_datetime dt;
        if (jd_norm__datetime(&dt, out, strlen(out)) == JD_OK)
            jd_norm__format_uk(out, dt.utc);
    }
}

static int64_t instant(const char *s)
{
    jd_datetime dt;
    return jd_norm__datetime(&dt, s, strlen(s)) == JD_OK ? dt.utc : 0;
}

static void emit(synth *S, event_spec *e)
{
    int a = e->a;
    char rid[32], occ[32], rep[32];
    char d[11];
    day_text(d, e->day);
    S->counter[a]++;
    if (a == A_POLICE)
        snprintf(rid, sizeof rid, "IR%.2s-%06u", d + 2, S->counter[a]);
    else
        snprintf(rid, sizeof rid, "%s%07u", ref_prefix[a], S->counter[a]);
    bool date_only = a == A_SCHOOL || a == A_GP;
    when_text(occ, e->day, date_only ? -1 : e->minute, a == A_CALLS);
    rep[0] = '\0';
    if (e->report_delay > 0)
        when_text(rep, e->day + e->report_delay, date_only ? -1 : 9 * 60 + (int)rnd(S, 480),
                  a == A_CALLS);
    const char *crime = e->crime < 0 ? NULL : e->crime ? "Y" : "N";
    const char *names[] = {"agency",    "record_id", "event_type",     "occurred_at",
                           "reported_at", "location", "postcode",      "narrative",
                           "crime_recorded", "crime_ref", "outcome",   "author_role",
                           "risk_grade"};
    const char *vals[] = {agency_code[a], rid,          e->type,      occ,
                          rep[0] ? rep : NULL, e->location, e->postcode, e->narrative,
                          crime,          e->crime_ref, e->outcome,  e->author,
                          e->grade};
    write_row(S, S->ev[a], ev_cols(a), 13, names, vals, 13);
    S->st.events++;
    for (int i = 0; i < e->nparties; i++)
        person_row(S, a, rid, e->parties[i].p, e->parties[i].role, e->day);
    for (int i = 0; i < e->nobjs; i++) {
        char ref[24] = "";
        if (e->objs[i].owner >= 0 && chance(S, 0.5))
            ref_of(S, ref, a, e->objs[i].owner, false);
        fprintf(S->ob, "%s,%s,%s,", agency_code[a], rid, e->objs[i].type);
        csv_field(S, S->ob, e->objs[i].value);
        fputc(',', S->ob);
        csv_field(S, S->ob, e->objs[i].desc);
        fprintf(S->ob, ",%s\n", ref);
        S->st.object_rows++;
    }
    if (ferror(S->ev[a]) || ferror(S->pe[a]) || ferror(S->ob))
        S->io_error = 1;
    if (S->oxford && e->victim >= 0 && S->pp[e->victim].role == R_VICTIM) {
        S->ox_police += a == A_POLICE;
        S->ox_missing += !strcmp(e->type, "missing_report");
    }
    /* truth */
    int64_t known = instant(occ);
    if (rep[0] && instant(rep) > known)
        known = instant(rep);
    if (e->victim >= 0) {
        person *v = &S->pp[e->victim];
        for (int i = 0; i < 3 && e->ind[i]; i++)
            json_array_append_new(v->indicators,
                                  json_pack("[I,s,s]", (json_int_t)known, e->ind[i],
                                            agency_code[a]));
        if (v->network >= 0) {
            netw *n = &S->nets[v->network];
            for (int i = 0; i < e->nparties; i++)
                if (S->pp[e->parties[i].p].role == R_NETWORK && e->ind[0]) {
                    if (n->first_child < 0)
                        n->first_child = e->victim;
                    else if (n->first_child != e->victim &&
                             (n->first_evidence == 0 || known < n->first_evidence))
                        n->first_evidence = known;
                }
        }
    }
    json_t *ref = json_pack("{s:s,s:s}", "agency", agency_code[a], "record_id", rid);
    if (e->victim >= 0)
        json_object_set_new(ref, "person", json_sprintf("T%06d", e->victim + 1));
    if (e->flags & F_UNREC) {
        json_array_append(S->unrec, ref);
        S->st.unrecorded_crimes++;
    }
    if (e->flags & F_BLAME) {
        json_array_append(S->blame, ref);
        S->st.blaming++;
    }
    if (e->landmark) {
        json_t *l = json_object_get(S->landmarks, e->landmark);
        if (!strcmp(e->landmark, "cowley_pickups")) {
            if (!l) {
                l = json_array();
                json_object_set_new(S->landmarks, e->landmark, l);
            }
            json_array_append(l, ref);
        } else if (!l) {
            json_object_set(S->landmarks, e->landmark, ref);
        }
    }
    json_decref(ref);
}

static void party_add(event_spec *e, int p, const char *role)
{
    if (e->nparties < 8) {
        e->parties[e->nparties].p = p;
        e->parties[e->nparties].role = role;
        e->nparties++;
    }
}

static event_spec base(synth *S, int a, const char *type, int32_t day, int child,
                       const char *role)
{
    event_spec e;
    memset(&e, 0, sizeof e);
    e.a = a;
    e.type = type;
    e.day = day;
    e.minute = 8 * 60 + (int)rnd(S, 14 * 60);
    e.crime = -1;
    e.victim = -1;
    if (chance(S, 0.2))
        e.report_delay = 1 + (int)rnd(S, 5);
    if (child >= 0) {
        party_add(&e, child, role);
        const household *h = home_of(S, &S->pp[child], day);
        e.postcode = h->pc;
    }
    static const char *const authors[A_N] = {"PC", "call_handler", "social_worker", "nurse",
                                             "nurse", "GP", "school_nurse", "teacher",
                                             "care_worker", "youth_worker", "key_worker"};
    e.author = authors[a];
    return e;
}

/* Expand a template: %N child's first name, %K child's age, %A adult's age,
 * %P place, %V vehicle, %M adult's name. */
static const char *fill(synth *S, const char *t, int child, int adult_age, const char *place,
                        const char *vrm, const char *adult_name, int32_t day)
{
    char *o = S->buf;
    size_t k = 0, cap = sizeof S->buf - 1;
    for (; *t && k < cap; t++) {
        if (*t != '%' || !t[1]) {
            o[k++] = *t;
            continue;
        }
        char tmp[64] = "";
        switch (*++t) {
        case 'N': snprintf(tmp, sizeof tmp, "%s", child >= 0 ? S->pp[child].fore : "she"); break;
        case 'K': snprintf(tmp, sizeof tmp, "%d", child >= 0 ? age_on(&S->pp[child], day) : 14);
                  break;
        case 'A': snprintf(tmp, sizeof tmp, "%d", adult_age); break;
        case 'P': snprintf(tmp, sizeof tmp, "%s", place ? place : "a flat"); break;
        case 'V': snprintf(tmp, sizeof tmp, "%s", vrm ? vrm : "a car"); break;
        case 'M': snprintf(tmp, sizeof tmp, "%s", adult_name ? adult_name : "a man"); break;
        default: tmp[0] = '%'; tmp[1] = *t; break;
        }
        for (char *c = tmp; *c && k < cap; c++)
            o[k++] = *c;
    }
    o[k] = '\0';
    return o;
}

#define T(arr) PICK(S, arr)

/* ---- narratives: many phrasings per meaning ---- */

static const char *const t_missing[] = {
    "%N reported missing by care staff, not returned by curfew. Phone off.",
    "Carer called to report %N has not come home. Last seen near %P.",
    "MFH report: %N (%K) left the home at about 6pm and has not returned.",
    "%N missing from placement overnight. Staff believe she is with older males.",
    "Young person absent from home, whereabouts unknown. Mother concerned she is with men in a car.",
    "Missing person report - %N failed to return after school, friends say she got into %V."};
static const char *const t_return[] = {
    "%N returned at 03:00, smelling of alcohol and would not say where she had been.",
    "Found by officers near %P. Intoxicated and upset, had a new phone.",
    "%N came back to the home dishevelled, bruising to arm, refused to talk.",
    "Returned by a male in %V who drove off before staff could speak to him.",
    "Located at %P with older males. Returned home, safe and well check done."};
static const char *const t_boyfriend[] = {
    "%N talks about her boyfriend who is %A and has a car.",
    "Staff concerned about an older boyfriend (%A) who picks %N up from the home.",
    "%N says she is seeing a man called %M, aged about %A.",
    "Mother reports %N has a 'boyfriend' in his twenties who buys her things.",
    "Worried about %N's relationship with an older male, possibly %A yrs old."};
static const char *const t_gifts[] = {
    "%N came back with new clothes and a phone she could not explain.",
    "Has money and cigarettes, says a friend gave them to her.",
    "%N has an expensive new mobile and says 'the lads' bought it.",
    "Staff found vodka and £50 in her bag; she says she was given it by men."};
static const char *const t_car[] = {
    "Vehicle %V stopped, %N (%K) in the front passenger seat, driver %M (%A).",
    "Intelligence: %N seen getting into %V outside %P with two older men.",
    "%N seen being dropped off by %V late at night.",
    "Patrol saw %V collect girls from outside %P; one identified as %N."};
static const char *const t_found[] = {
    "%N found in a flat at %P with %M (%A) and other adult males.",
    "Officers found %N with %M in %V parked at %P at 1am.",
    "%N located at an address of concern above %P with older men."};
static const char *const t_ae_alcohol[] = {
    "Attended with alcohol intoxication, brought in by ambulance from %P.",
    "%N, %K, vomiting, very drunk. Would not say who she was drinking with.",
    "Alcohol poisoning. Says she was at a party at a flat with older men."};
static const char *const t_injury[] = {
    "Bruising to wrists and thighs, explanation vague.",
    "%N attended with a bite mark on her neck and bruising; says she fell.",
    "Unexplained injuries, burn mark on arm."};
static const char *const t_sti[] = {
    "%N attended for STI screen, chlamydia positive. Partner details not given.",
    "Repeat STI test requested; says partner is older.",
    "Emergency contraception requested for the third time this year."};
static const char *const t_preg[] = {
    "Pregnancy confirmed, %N aged %K. Will not name the father.",
    "Termination of pregnancy arranged. %N says the father is 'a friend'."};
static const char *const t_absence[] = {
    "Persistent unexplained absence, attendance 61% this term.",
    "%N absent again, seen in town during school hours with older youths.",
    "Fixed term exclusion for aggression towards staff."};
static const char *const t_disclosure[] = {
    "%N told the nurse she had sex with a %A year old man she calls her boyfriend.",
    "Disclosed she was made to have sex with his friends at a flat above %P.",
    "%N said the men gave her vodka and then she had sex with %M, who is %A.",
    "She says she slept with %M (aged %A) in exchange for a phone.",
    "%N disclosed she was raped by an older man at %P last weekend."};
static const char *const t_withdrawn[] = {
    "%N withdrew her statement and says nothing happened. NFA.",
    "Victim no longer supports police action; retracted account. Closed."};
static const char *const t_blame[] = {
    "%N is streetwise and knows what she is doing.",
    "She is putting herself at risk by going with these men.",
    "%N appears to be prostituting herself for cigarettes and alcohol.",
    "This is a lifestyle choice; she is promiscuous and will not engage.",
    "%N absconded again and is choosing to associate with older males.",
    "Relationship appears consensual, %N says she is happy with him."};
static const char *const t_parent_call[] = {
    "Mother calling: daughter %N is with older men in a car and won't come home.",
    "Caller says her daughter is being held against her will at a flat on %P.",
    "Father reports %N has been taken to a house by men and they won't let her leave.",
    "Mum worried - %N (%K) keeps going off with men in their twenties."};
/* Innocent uses of the same words. */
static const char *const t_ordinary[] = {
    "Routine review. Mum consented to the assessment.",
    "Sexual health leaflet given as part of PSHE, no concerns.",
    "%N has a boyfriend (15, same year at school). No concerns.",
    "Healthy lifestyle advice given. Risk of falls discussed with grandmother.",
    "Denies any older boyfriend. No evidence of gifts or new phone.",
    "No concerns about exploitation at this time; attends youth club regularly.",
    "Attendance good. Parents attended parents' evening.",
    "Sprained ankle playing netball.",
    "Travel disrupted by works on the ring road; late to school.",
    "Visited the home; house organised and clean, children well cared for."};

/* ---- the county ---- */

static int make_household(synth *S)
{
    household h;
    h.street = (int)rnd(S, JD_ARRAY_LEN(streets));
    snprintf(h.street_no, sizeof h.street_no, "%u", 1 + rnd(S, 180));
    snprintf(h.pc, sizeof h.pc, "%s %u%c%c", PICK(S, districts), rnd(S, 10),
             pc_letters[rnd(S, 20)], pc_letters[rnd(S, 20)]);
    S->hh[S->nhh] = h;
    return S->nhh++;
}

static int make_person(synth *S, bool adult, char gender, int hh, int eth, const char *sur)
{
    int pi = add_person(S);
    if (pi < 0)
        return -1;
    person *p = &S->pp[pi];
    p->is_adult = adult;
    p->gender = gender;
    p->hh = hh;
    p->eth = (uint8_t)eth;
    const char *f = adult ? (gender == 'F' ? PICK(S, girls) : PICK(S, men))
                          : (gender == 'F' ? PICK(S, girls) : PICK(S, boys));
    snprintf(p->fore, sizeof p->fore, "%s", f);
    snprintf(p->sur, sizeof p->sur, "%s", sur ? sur : PICK(S, surnames));
    int32_t start = S->day0;
    if (adult)
        p->dob = start - (int32_t)(365.25 * (20 + rnd(S, 30))) - (int32_t)rnd(S, 365);
    else
        p->dob = start - (int32_t)(365.25 * (1 + rnd(S, 14))) - (int32_t)rnd(S, 365);
    make_nhs(S, p->nhs);
    if (!adult)
        make_upn(S, p->upn);
    if (adult || chance(S, 0.3))
        snprintf(p->phone, sizeof p->phone, "07700 9%05u", rnd(S, 100000));
    p->indicators = NULL;
    return pi;
}

static int32_t rand_day(synth *S, int32_t from, int32_t to)
{
    if (to <= from)
        return from;
    return from + (int32_t)rnd(S, (uint32_t)(to - from));
}

/* Ordinary agency contact, for everyone. */
static void ordinary_life(synth *S, int pi)
{
    person *p = &S->pp[pi];
    int32_t end = S->day0 + S->days;
    int n = 1 + (int)rnd(S, p->is_adult ? 3 : 6);
    char cref[32];
    for (int i = 0; i < n; i++) {
        int32_t day = rand_day(S, S->day0, end);
        int age = age_on(p, day);
        event_spec e;
        switch (rnd(S, 6)) {
        case 0:
            e = base(S, A_GP, "gp_note", day, pi, "subject");
            e.narrative = T(t_ordinary);
            break;
        case 1:
            e = base(S, A_AE, "ae_attendance", day, pi, "subject");
            e.narrative = chance(S, 0.5) ? "Sports injury, wrist X-ray, discharged."
                                         : "Fell from bike, minor head injury, discharged home.";
            break;
        case 2:
            if (age < 5 || age > 16)
                continue;
            e = base(S, A_SCHOOL, "absence", day, pi, "subject");
            e.narrative = chance(S, 0.7) ? "Authorised absence: illness, note from parent."
                                         : "Family holiday in term time.";
            break;
        case 3:
            e = base(S, A_POLICE, chance(S, 0.5) ? "crime_report" : "call_for_service", day, pi,
                     p->is_adult ? "victim" : "witness");
            e.narrative = chance(S, 0.5) ? "Burglary at the home address, items taken from shed."
                                         : "Neighbour dispute over parking, words exchanged.";
            if (!strcmp(e.type, "crime_report")) {
                e.crime = 1;
                snprintf(cref, sizeof cref, "CR/%u/%02d", rnd(S, 90000) + 10000,
                         (int)(day / 365) % 100);
                e.crime_ref = cref;
            }
            break;
        case 4:
            if (age > 17)
                continue;
            e = base(S, A_SCHNURSE, "school_nurse_note", day, pi, "subject");
            e.narrative = T(t_ordinary);
            break;
        default:
            e = base(S, A_GP, "gp_note", day, pi, "subject");
            e.narrative = "Asthma review, inhaler technique checked.";
            break;
        }
        emit(S, &e);
    }
}

/* ---- vulnerable children who are not exploited ---- */

static void confounder_life(synth *S, int pi)
{
    person *p = &S->pp[pi];
    int32_t end = S->day0 + S->days;
    int n = 2 + (int)rnd(S, 6);
    for (int i = 0; i < n; i++) {
        int32_t day = rand_day(S, S->day0, end);
        int age = age_on(p, day);
        if (age < 8 || age > 17)
            continue;
        event_spec e;
        switch (p->confounder) {
        case C_CARE_FAMILY:
            e = base(S, chance(S, 0.5) ? A_CARE : A_POLICE, "missing_report", day, pi,
                     "subject");
            e.minute = 19 * 60 + (int)rnd(S, 240);
            e.narrative = chance(S, 0.5)
                              ? "Not returned to placement; believed to be at her mum's house."
                              : "Absent from the home, has gone to see family as before.";
            e.grade = "low";
            emit(S, &e);
            e = base(S, A_POLICE, "missing_return", day + 1, pi, "subject");
            e.narrative = "Returned from family address next morning, safe and well, no concerns.";
            emit(S, &e);
            if (chance(S, 0.7)) {
                e = base(S, A_YOUTH, "return_interview", day + 2, pi, "subject");
                e.narrative = "Return interview: went to see mum, wants more family time.";
                emit(S, &e);
            }
            continue;
        case C_SUBSTANCE:
            if (chance(S, 0.6)) {
                e = base(S, A_SUBST, "substance_contact", day, pi, "subject");
                e.narrative = "Cannabis use with friends from school, engaging well with worker.";
            } else {
                e = base(S, A_AE, "ae_attendance", day, pi, "subject");
                e.narrative = "Drunk after a house party with school friends, all the same age.";
            }
            break;
        case C_DOMESTIC:
            if (chance(S, 0.5)) {
                e = base(S, A_POLICE, "call_for_service", day, pi, "witness");
                e.narrative = "Domestic incident at the home address, children present.";
            } else {
                e = base(S, A_CSC, "assessment", day, pi, "subject");
                e.narrative = "Assessment following domestic abuse at home; mum consented to support.";
            }
            break;
        case C_SELF_HARM:
            e = base(S, chance(S, 0.5) ? A_AE : A_GP, chance(S, 0.5) ? "ae_attendance" : "gp_note",
                     day, pi, "subject");
            if (e.a == A_GP)
                e.type = "gp_note";
            e.narrative = "Superficial self-harm to forearm, referred to CAMHS.";
            break;
        case C_PEER:
            if (age < 16)
                continue;
            e = base(S, A_SEXH, "sexual_health_visit", day, pi, "subject");
            e.narrative = "Contraception advice. Boyfriend is 16 and at the same college.";
            break;
        default: /* learning disability */
            e = base(S, A_SCHOOL, "welfare_concern", day, pi, "subject");
            e.narrative = "SEND support plan reviewed; needs help with friendships.";
            break;
        }
        emit(S, &e);
    }
}

/* Decoys: professionals who meet many children for innocent reasons. */
static void decoy_contacts(synth *S, int decoy, const int *kids, int nkids)
{
    static const char *const what[] = {
        "Youth club session; %M ran the group. Good engagement.",
        "School transport: %M drove pupils home as usual.",
        "Football training with coach %M, minor knock to knee."};
    int kind = decoy % 3;
    for (int i = 0; i < nkids; i++) {
        int32_t day = rand_day(S, S->day0, S->day0 + S->days);
        event_spec e = base(S, kind == 2 ? A_AE : A_YOUTH, kind == 2 ? "ae_attendance" : "case_note",
                            day, kids[i], "subject");
        char name[64];
        snprintf(name, sizeof name, "%s %s", S->pp[decoy].fore, S->pp[decoy].sur);
        e.narrative = fill(S, what[kind], kids[i], 0, NULL, NULL, name, day);
        party_add(&e, decoy, "professional");
        emit(S, &e);
    }
}

/* ---- exploitation ---- */

static const char *const hotspots[] = {
    "the takeaway on Cowley Road", "a flat above the shop on Magdalen Road",
    "Rose Hill park", "outside the council offices, Cowley Road",
    "the Travelodge by the ring road", "the taxi rank at Gloucester Green",
    "a house on Howard Street"};
static const char *const street_names[] = {"Mo", "Bluey", "Kam", "Rocky", "Zed", "Jay",
                                           "Dee", "Ace"};

typedef struct episode_ctx {
    int child, adult, adult_age;
    const char *place, *vrm;
    char adult_name[64];
    netw *n;
} episode_ctx;

static void pick_adult(synth *S, episode_ctx *c)
{
    netw *n = c->n;
    c->adult = n->adults[rnd(S, (uint32_t)n->nadults)];
    person *a = &S->pp[c->adult];
    c->adult_age = 20 + (int)rnd(S, 20);
    snprintf(c->adult_name, sizeof c->adult_name, "%s",
             chance(S, 0.4) && a->known_as[0] ? a->known_as : a->fore);
    c->vrm = n->vrm[rnd(S, (uint32_t)n->nvrm)];
    c->place = hotspots[(n->hotspot + (int)rnd(S, 2)) % (int)JD_ARRAY_LEN(hotspots)];
}

static void with_adult(synth *S, event_spec *e, episode_ctx *c, bool car, bool phone)
{
    party_add(e, c->adult, chance(S, 0.5) ? "suspect" : "associate");
    if (car && e->nobjs < 4)
        e->objs[e->nobjs++] = (obj){"vehicle", c->vrm, PICK(S, cars), c->adult};
    if (phone && e->nobjs < 4)
        e->objs[e->nobjs++] = (obj){"phone", c->n->phone[rnd(S, 2)], "pay-as-you-go", c->adult};
}

/* One indicator episode for an exploited child on `day`. */
static void episode(synth *S, episode_ctx *c, int kind, int32_t day)
{
    int v = c->child;
    person *p = &S->pp[v];
    event_spec e;
    const char *narr;
    int age = age_on(p, day);
    pick_adult(S, c);
#define NARR(arr) fill(S, T(arr), v, c->adult_age, c->place, c->vrm, c->adult_name, day)
    switch (kind) {
    case 0: /* missing and return */
        e = base(S, p->in_care && chance(S, 0.6) ? A_CARE : A_POLICE, "missing_report", day, v,
                 "subject");
        e.minute = 18 * 60 + (int)rnd(S, 300);
        e.narrative = NARR(t_missing);
        e.grade = chance(S, 0.5) ? "low" : chance(S, 0.5) ? "absent" : "medium";
        e.victim = v;
        e.ind[0] = "S01";
        if (e.a == A_CARE)
            e.author = "care_worker";
        emit(S, &e);
        e = base(S, A_POLICE, "missing_return", day + 1, v, "subject");
        e.minute = 2 * 60 + (int)rnd(S, 240);
        e.narrative = NARR(t_return);
        e.victim = v;
        e.ind[0] = "S12";
        if (chance(S, 0.4))
            with_adult(S, &e, c, true, false);
        emit(S, &e);
        if (chance(S, 0.3)) { /* a return interview only sometimes */
            e = base(S, A_YOUTH, "return_interview", day + 2 + (int)rnd(S, 6), v, "subject");
            e.narrative = "Return interview offered; %N would not talk about where she was.";
            e.narrative = fill(S, e.narrative, v, 0, NULL, NULL, NULL, day);
            emit(S, &e);
        }
        return;
    case 1:
        e = base(S, chance(S, 0.5) ? A_CSC : A_SCHOOL, "case_note", day, v, "subject");
        if (e.a == A_SCHOOL)
            e.type = "welfare_concern";
        narr = NARR(t_boyfriend);
        e.ind[0] = "S02";
        break;
    case 2:
        e = base(S, p->in_care ? A_CARE : A_SCHOOL, p->in_care ? "case_note" : "welfare_concern",
                 day, v, "subject");
        narr = NARR(t_gifts);
        e.ind[0] = "S04";
        break;
    case 3:
        e = base(S, A_POLICE, chance(S, 0.5) ? "stop_check" : "intelligence", day, v, "subject");
        e.minute = 21 * 60 + (int)rnd(S, 170);
        narr = NARR(t_car);
        e.ind[0] = "S03";
        e.ind[1] = "S05";
        with_adult(S, &e, c, true, chance(S, 0.5));
        e.location = c->place;
        break;
    case 4:
        e = base(S, A_POLICE, "found_with_adult", day, v, "subject");
        e.minute = 22 * 60 + (int)rnd(S, 110);
        narr = NARR(t_found);
        e.ind[0] = "S11";
        e.ind[1] = "S09";
        with_adult(S, &e, c, chance(S, 0.5), false);
        e.location = c->place;
        break;
    case 5:
        e = base(S, A_AE, "ae_attendance", day, v, "subject");
        e.minute = 23 * 60 + (int)rnd(S, 50);
        narr = NARR(t_ae_alcohol);
        e.ind[0] = "M11";
        break;
    case 6:
        e = base(S, A_AE, "ae_attendance", day, v, "subject");
        narr = NARR(t_injury);
        e.ind[0] = "S06";
        break;
    case 7:
        e = base(S, A_SEXH, "sexual_health_visit", day, v, "subject");
        narr = NARR(t_sti);
        e.ind[0] = "M08";
        break;
    case 8:
        e = base(S, A_SEXH, chance(S, 0.5) ? "pregnancy" : "termination", day, v, "subject");
        narr = NARR(t_preg);
        e.ind[0] = "S07";
        break;
    case 9:
        e = base(S, A_SCHOOL, chance(S, 0.7) ? "absence" : "exclusion", day, v, "subject");
        narr = NARR(t_absence);
        e.ind[0] = "M06";
        break;
    case 10: { /* a disclosure of an offence, not recorded as a crime */
        static const int who[] = {A_AE, A_SEXH, A_CSC, A_POLICE, A_SCHNURSE};
        int a = who[rnd(S, 5)];
        e = base(S, a, a == A_AE ? "ae_attendance" : a == A_SEXH ? "sexual_health_visit"
                       : a == A_CSC ? "case_note" : a == A_POLICE ? "concern_report"
                                                                  : "school_nurse_note",
                 day, v, "subject");
        /* the first phrasing (sex with an adult she calls her boyfriend) is an
         * offence by age only under 16; the others (made to have sex with
         * his friends, alcohol given, in exchange for a phone, rape) are
         * offences at any age under 18 */
        uint32_t which = rnd(S, JD_ARRAY_LEN(t_disclosure));
        narr = fill(S, t_disclosure[which], v, c->adult_age, c->place, c->vrm, c->adult_name, day);
        e.ind[0] = "S02";
        if (age < (which == 0 ? 16 : 18)) {
            e.flags |= F_UNREC;
            if (a == A_POLICE) {
                e.crime = 0;
                e.outcome = "NFA";
            }
        }
        break;
    }
    case 11:
        e = base(S, A_POLICE, "crime_report", day, v, "victim");
        narr = NARR(t_withdrawn);
        e.crime = 1;
        e.crime_ref = "CR/withdrawn";
        e.ind[0] = "M07";
        with_adult(S, &e, c, false, false);
        break;
    case 12: {
        e = base(S, A_CALLS, "call_for_service", day, v, "subject");
        const char *tpl = T(t_parent_call);
        narr = fill(S, tpl, v, c->adult_age, c->place, c->vrm, c->adult_name, day);
        /* held or kept by adults: false imprisonment (DOMAIN 3 C19, 4.4), an
         * unrecorded crime however the call was graded */
        if ((tpl == t_parent_call[1] || tpl == t_parent_call[2]) && age < 18)
            e.flags |= F_UNREC;
        e.ind[0] = "M02";
        e.grade = chance(S, 0.5) ? "low" : NULL;
        if (p->parent >= 0) /* a parent makes the call */
            party_add(&e, p->parent, "reporter");
        break;
    }
    default: /* a note that blames the child */
        e = base(S, chance(S, 0.6) ? A_CSC : A_POLICE, "case_note", day, v, "subject");
        if (e.a == A_POLICE)
            e.type = "concern_report";
        const char *btpl = T(t_blame);
        narr = fill(S, btpl, v, c->adult_age, c->place, c->vrm, c->adult_name, day);
        e.flags |= F_BLAME;
        /* "prostituting herself for cigarettes": adults paying for sex with a
         * child (DOMAIN 3 C9), whatever the writer calls it */
        if (btpl == t_blame[2] && age < 18)
            e.flags |= F_UNREC;
        e.ind[0] = "S02";
        break;
    }
#undef NARR
    e.narrative = narr;
    e.victim = v;
    emit(S, &e);
}

/* The escalation of one exploited child from `began` to the period end. */
static void exploitation_life(synth *S, int v, netw *n, int32_t began, int32_t stop,
                              double intensity)
{
    episode_ctx c = {.child = v, .n = n};
    /* Early signs across agencies first, then a mix that grows denser. */
    static const int opening[] = {1, 0, 9, 2, 3};
    int32_t day = began;
    for (size_t i = 0; i < JD_ARRAY_LEN(opening) && day < stop; i++) {
        episode(S, &c, opening[i], day);
        day += 7 + (int32_t)rnd(S, 25);
    }
    double gap = 40.0 / intensity;
    while (day < stop) {
        int kind = (int)rnd(S, 14);
        episode(S, &c, kind, day);
        gap = gap > 6 ? gap * 0.97 : 6;
        day += (int32_t)(gap * 0.5) + (int32_t)rnd(S, (uint32_t)gap + 1);
    }
}

static int make_network(synth *S, int nadults, int nchildren, int32_t began, int32_t stop,
                        double intensity)
{
    if (S->nnet >= (int)JD_ARRAY_LEN(S->nets))
        return -1;
    int ni = S->nnet++;
    netw *n = &S->nets[ni];
    memset(n, 0, sizeof *n);
    n->first_child = -1;
    n->hotspot = (int)rnd(S, JD_ARRAY_LEN(hotspots));
    n->nvrm = 1 + (int)rnd(S, 3);
    for (int i = 0; i < n->nvrm; i++)
        make_vrm(S, n->vrm[i]);
    for (int i = 0; i < 2; i++)
        snprintf(n->phone[i], sizeof n->phone[i], "07700 9%05u", rnd(S, 100000));
    /* Adults: some brothers sharing a surname and an address. */
    int hh = make_household(S);
    const char *family = PICK(S, surnames);
    int eth = (int)rnd(S, JD_ARRAY_LEN(ethnicities));
    for (int i = 0; i < nadults && i < 8; i++) {
        bool brother = i < 2 + (nadults > 4);
        int a = make_person(S, true, 'M', brother ? hh : make_household(S),
                            brother ? eth : (int)rnd(S, JD_ARRAY_LEN(ethnicities)),
                            brother ? family : NULL);
        if (a < 0)
            return -1;
        S->pp[a].role = R_NETWORK;
        S->pp[a].network = (int8_t)ni;
        snprintf(S->pp[a].known_as, sizeof S->pp[a].known_as, "%s", street_names[i % 8]);
        n->adults[n->nadults++] = a;
    }
    (void)nchildren;
    (void)began;
    (void)stop;
    (void)intensity;
    return ni;
}

/* Choose a child aged 11-15 on `day` who is not yet exploited or a confounder. */
static int pick_victim(synth *S, int32_t day, int first_child, int nchild)
{
    for (int tries = 0; tries < 10000; tries++) {
        int pi = first_child + (int)rnd(S, (uint32_t)nchild);
        person *p = &S->pp[pi];
        int age = age_on(p, day);
        if (p->is_adult || p->role != R_ORDINARY || p->confounder || age < 11 || age > 15)
            continue;
        if (p->gender != 'F' && !chance(S, 0.15))
            continue;
        return pi;
    }
    return -1;
}

/* ---- the Oxfordshire shape (DOMAIN.md §7): landmarks on fixed days ---- */

static int32_t date_day(const char *ymd)
{
    jd_datetime dt;
    if (jd_norm__datetime(&dt, ymd, strlen(ymd)) != JD_OK)
        return 0;
    return (int32_t)((dt.utc + 3600) / 86400);
}

static void oxford_landmarks(synth *S, netw *n)
{
    int g0 = n->children[0], g1 = n->children[1], g2 = n->children[2 % n->nchildren];
    episode_ctx c = {.child = g0, .n = n};
    pick_adult(S, &c);
    event_spec e = base(S, A_POLICE, "intelligence", date_day("2005-06-14"), g0, "subject");
    e.narrative = "PC's note: I believe a paedophile ring is operating here. Girls from the "
                  "children's home are being groomed by a group of men who give them drink "
                  "and drive them to flats.";
    e.author = "PC";
    e.victim = g0;
    e.ind[0] = "S09";
    /* men driving the girls to flats to abuse them: arranging or facilitating
     * (DOMAIN 3 C4), disclosed by the constable and never recorded */
    e.flags = age_on(&S->pp[g0], date_day("2005-06-14")) < 18 ? F_UNREC : 0;
    e.landmark = "ring_note_2005";
    emit(S, &e);

    /* The A&E disclosure at 14: a child who is 14 on the day. */
    int who = g1;
    for (int i = 0; i < n->nchildren; i++)
        if (age_on(&S->pp[n->children[i]], date_day("2006-03-11")) == 14)
            who = n->children[i];
    c.child = who;
    pick_adult(S, &c);
    e = base(S, A_AE, "ae_attendance", date_day("2006-03-11"), who, "subject");
    e.minute = 23 * 60 + 40;
    e.narrative = "Alcohol poisoning, brought in from a flat. Aged 14. She disclosed she had been "
                  "raped by an older man there. Discharged to care staff.";
    e.victim = who;
    e.ind[0] = "M11";
    e.ind[1] = "S02";
    e.flags = F_UNREC;
    e.landmark = "ae_disclosure_14";
    emit(S, &e);

    e = base(S, A_CALLS, "call_for_service", date_day("2006-09-02"), g2, "subject");
    e.minute = 22 * 60 + 5;
    e.narrative = "Mother calling: her daughter is being held against her will in a flat by "
                  "older men and they will not let her leave.";
    e.grade = "low";
    e.outcome = "advised to call back if not home by morning";
    e.victim = g2;
    e.ind[0] = "M02";
    e.landmark = "held_against_will_call";
    e.flags = F_UNREC; /* false imprisonment (DOMAIN 3 C19, 4.4) */
    if (S->pp[g2].parent >= 0)
        party_add(&e, S->pp[g2].parent, "reporter");
    emit(S, &e);

    /* The 13-year-old closed with no further action. */
    who = g0;
    for (int i = 0; i < n->nchildren; i++)
        if (age_on(&S->pp[n->children[i]], date_day("2005-11-20")) == 13)
            who = n->children[i];
    e = base(S, A_CSC, "strategy_discussion", date_day("2005-11-20"), who, "subject");
    e.narrative = "Strategy discussion: 13 year old associating with older males, sexual activity "
                  "with a man in his twenties reported. Relationship appears consensual. NFA as a "
                  "team around the child is in place.";
    e.outcome = "NFA";
    e.author = "team_manager";
    e.victim = who;
    e.ind[0] = "S02";
    e.flags = F_UNREC | F_BLAME;
    e.landmark = "nfa_13";
    emit(S, &e);

    for (int i = 0; i < 4; i++) {
        int g = n->children[i % n->nchildren];
        c.child = g;
        pick_adult(S, &c);
        e = base(S, A_POLICE, "intelligence", date_day("2006-01-10") + i * 47, g, "subject");
        e.minute = 16 * 60 + 30;
        e.narrative = fill(S, "Girls, including %N, seen being picked up outside the social "
                              "services office on Cowley Road by men in %V.",
                           g, 0, NULL, c.vrm, NULL, e.day);
        e.location = "outside the social services office, Cowley Road";
        e.postcode = "OX4 1FZ";
        with_adult(S, &e, &c, true, false);
        e.victim = g;
        e.ind[0] = "S03";
        e.ind[1] = "S05";
        e.landmark = "cowley_pickups";
        emit(S, &e);
    }

    e = base(S, A_CSC, "concern_report", date_day("2007-06-19"), -1, NULL);
    e.narrative = "Safeguarding board sub-group minutes: a serious concern that there is an "
                  "organised abuse ring within the city; a complex abuse investigation should be "
                  "considered.";
    e.author = "board_subgroup";
    e.landmark = "board_2007";
    emit(S, &e);

    e = base(S, A_CSC, "case_note", date_day("2007-02-08"), g1, "subject");
    e.narrative = fill(S, "Manager spoke to mother: %N is streetwise and loves it.", g1, 0, NULL,
                       NULL, NULL, e.day);
    e.author = "team_manager";
    e.victim = g1;
    e.ind[0] = "S01";
    e.flags = F_BLAME;
    e.landmark = "streetwise";
    emit(S, &e);
}

/* Police contacts with the six, up to the published numbers: about 450
 * missing reports and 1,561 police contacts. */
static void oxford_volume(synth *S, netw *n, int32_t stop)
{
    for (int guard = 0; S->ox_missing < 450 && guard < 5000; guard++) {
        int g = n->children[guard % n->nchildren];
        episode_ctx c = {.child = g, .n = n};
        episode(S, &c, 0, rand_day(S, S->pp[g].began, stop));
    }
    for (int guard = 0; S->ox_police < 1561 && guard < 5000; guard++) {
        int g = n->children[guard % n->nchildren];
        event_spec e = base(S, A_POLICE, "call_for_service", rand_day(S, S->pp[g].began, stop),
                            g, "subject");
        e.narrative = chance(S, 0.5) ? "Call from the home: young person abusive to staff."
                                     : "Reported seen in town late at night with older youths.";
        if (S->pp[g].parent >= 0 && chance(S, 0.3))
            party_add(&e, S->pp[g].parent, "parent");
        e.victim = g;
        emit(S, &e);
    }
}

/* ---- truth ---- */

static json_t *refs_json(const synth *S, int pi)
{
    json_t *a = json_array();
    for (int ag = 0; ag < A_N; ag++)
        for (int d = 0; d < 2; d++)
            if (S->pp[pi].refs_used & (1u << (ag * 2 + d))) {
                char ref[24];
                ref_of((synth *)S, ref, ag, pi, d);
                json_array_append_new(a, json_pack("{s:s,s:s}", "agency", agency_code[ag],
                                                   "person_ref", ref));
            }
    return a;
}

static int cmp_ind(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_array_get(*(json_t *const *)a, 0));
    json_int_t y = json_integer_value(json_array_get(*(json_t *const *)b, 0));
    return x < y ? -1 : x > y;
}

/* First moment the records held 3 distinct indicators from 2 agencies. */
static int64_t first_evidence(const person *p)
{
    size_t n = json_array_size(p->indicators);
    if (n == 0)
        return 0;
    json_t **v = malloc(n * sizeof *v);
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(p->indicators, i);
    qsort(v, n, sizeof *v, cmp_ind);
    const char *ids[64], *ags[16];
    int ni = 0, na = 0;
    int64_t at = 0;
    for (size_t i = 0; i < n && !at; i++) {
        const char *id = json_string_value(json_array_get(v[i], 1));
        const char *ag = json_string_value(json_array_get(v[i], 2));
        bool seen = false;
        for (int k = 0; k < ni; k++)
            seen |= !strcmp(ids[k], id);
        if (!seen && ni < 64)
            ids[ni++] = id;
        seen = false;
        for (int k = 0; k < na; k++)
            seen |= !strcmp(ags[k], ag);
        if (!seen && na < 16)
            ags[na++] = ag;
        if (ni >= 3 && na >= 2)
            at = json_integer_value(json_array_get(v[i], 0));
    }
    free(v);
    return at;
}

static json_t *iso(int64_t t)
{
    char b[32];
    jd_norm__format_uk(b, t);
    return json_string(b);
}

static int write_truth(synth *S, const char *dir, jd_error *err)
{
    json_t *root = json_object(), *persons = json_array(), *exploited = json_array(),
           *networks = json_array(), *children = json_array();
    char s0[11], s1[11];
    day_text(s0, S->day0);
    day_text(s1, S->day0 + S->days - 1);
    json_object_set_new(root, "period", json_pack("{s:s,s:s}", "start", s0, "end", s1));
    json_object_set_new(root, "generator",
                        json_pack("{s:s,s:I,s:s}", "name", "joindots synth", "seed",
                                  (json_int_t)S->o.seed, "scenario",
                                  S->oxford ? "oxford" : "county"));
    for (int i = 0; i < S->np; i++) {
        person *p = &S->pp[i];
        if (!p->refs_used)
            continue;
        char id[16], dob[11];
        snprintf(id, sizeof id, "T%06d", i + 1);
        day_text(dob, p->dob);
        int age_end = age_on(p, S->day0 + S->days - 1);
        bool child = !p->is_adult && age_on(p, S->day0) < 18;
        json_array_append_new(
            persons, json_pack("{s:s,s:o,s:s,s:b,s:b,s:s,s:s,s:s,s:i}", "id", id, "refs",
                               refs_json(S, i), "dob", dob, "is_child", child, "is_adult",
                               p->is_adult || age_end >= 18, "gender",
                               p->gender == 'F' ? "F" : "M", "ethnicity", ethnicities[p->eth],
                               "role", role_name[p->role], "age_at_end", age_end));
        if (child && p->role != R_VICTIM)
            json_array_append_new(children, json_pack("{s:s,s:s}", "person", id, "confounder",
                                                      confounder_name[p->confounder]));
        if (p->role == R_VICTIM) {
            char began[11], net[16];
            day_text(began, p->began);
            snprintf(net, sizeof net, "NET-%02d", p->network + 1);
            int64_t fe = first_evidence(p);
            json_t *x = json_pack("{s:s,s:s,s:s}", "person", id, "began", began, "network", net);
            json_object_set_new(x, "first_evidence_at", fe ? iso(fe) : json_null());
            json_array_append_new(exploited, x);
        }
    }
    for (int i = 0; i < S->nnet; i++) {
        netw *n = &S->nets[i];
        json_t *ad = json_array(), *ch = json_array(), *vr = json_array();
        for (int k = 0; k < n->nadults; k++)
            json_array_append_new(ad, json_sprintf("T%06d", n->adults[k] + 1));
        for (int k = 0; k < n->nchildren; k++)
            json_array_append_new(ch, json_sprintf("T%06d", n->children[k] + 1));
        for (int k = 0; k < n->nvrm; k++)
            json_array_append_new(vr, json_string(n->vrm[k]));
        json_t *x = json_pack("{s:o,s:o,s:o,s:o}", "id", json_sprintf("NET-%02d", i + 1),
                              "adults", ad, "children", ch, "vehicles", vr);
        json_object_set_new(x, "first_evidence_at",
                            n->first_evidence ? iso(n->first_evidence) : json_null());
        json_array_append_new(networks, x);
    }
    json_object_set_new(root, "persons", persons);
    json_object_set_new(root, "exploited", exploited);
    json_object_set_new(root, "networks", networks);
    json_object_set(root, "unrecorded_crimes", S->unrec);
    json_object_set(root, "blaming_language", S->blame);
    json_object_set_new(root, "children", children);
    if (S->oxford)
        json_object_set(root, "landmarks", S->landmarks);
    char path[4096];
    snprintf(path, sizeof path, "%s/truth.json", dir);
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(root);
    if (rc != 0)
        return jd_error_set_at(err, JD_EIO, "truth.json", 0, 0, "cannot write");
    return JD_OK;
}

/* ---- files ---- */

static int open_files(synth *S, const char *dir, jd_error *err)
{
    char path[4096];
    for (int a = 0; a < A_N; a++) {
        snprintf(path, sizeof path, "%s/events_%s.csv", dir, agency_code[a]);
        S->ev[a] = fopen(path, "wb");
        snprintf(path, sizeof path, "%s/persons_%s.csv", dir, agency_code[a]);
        S->pe[a] = fopen(path, "wb");
        if (!S->ev[a] || !S->pe[a])
            return jd_error_set_at(err, JD_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        setvbuf(S->ev[a], NULL, _IOFBF, 1 << 18);
        setvbuf(S->pe[a], NULL, _IOFBF, 1 << 18);
        const char *const *ec = ev_cols(a), *const *pc = pe_cols(a);
        for (int i = 0; i < 13; i++)
            fprintf(S->ev[a], "%s%s", i ? "," : "", ec[i]);
        fputs(S->o.seed % 2 && a == A_CSC ? "\r\n" : "\n", S->ev[a]);
        for (int i = 0; i < 16; i++)
            fprintf(S->pe[a], "%s%s", i ? "," : "", pc[i]);
        fputc('\n', S->pe[a]);
    }
    snprintf(path, sizeof path, "%s/objects.csv", dir);
    S->ob = fopen(path, "wb");
    if (!S->ob)
        return jd_error_set_at(err, JD_EIO, "objects.csv", 0, 0, "cannot write");
    setvbuf(S->ob, NULL, _IOFBF, 1 << 18);
    fputs("agency,record_id,object_type,value,description,person_ref\n", S->ob);
    return JD_OK;
}

static int close_files(synth *S)
{
    int bad = S->io_error;
    for (int a = 0; a < A_N; a++) {
        if (S->ev[a] && fclose(S->ev[a]) != 0)
            bad = 1;
        if (S->pe[a] && fclose(S->pe[a]) != 0)
            bad = 1;
        S->ev[a] = S->pe[a] = NULL;
    }
    if (S->ob && fclose(S->ob) != 0)
        bad = 1;
    S->ob = NULL;
    return bad;
}

/* ---- the whole county ---- */

static int build_county(synth *S, int nchildren)
{
    int made = 0;
    while (made < nchildren) {
        int hh = make_household(S);
        int eth = (int)rnd(S, JD_ARRAY_LEN(ethnicities));
        const char *fam = PICK(S, surnames);
        int mum = make_person(S, true, 'F', hh, eth, fam);
        if (mum < 0)
            return -1;
        S->pp[mum].role = R_PARENT;
        if (chance(S, 0.5)) {
            int dad = make_person(S, true, 'M', hh, eth, fam);
            if (dad < 0)
                return -1;
            S->pp[dad].role = R_PARENT;
        }
        int kids = 1 + (int)rnd(S, 3);
        for (int k = 0; k < kids && made < nchildren; k++) {
            int c = make_person(S, false, chance(S, 0.5) ? 'F' : 'M', hh, eth,
                                chance(S, 0.1) ? NULL : fam);
            if (c < 0)
                return -1;
            S->pp[c].parent = mum;
            made++;
            if (k == 0 && made < nchildren && chance(S, 0.02)) { /* twins */
                int t = make_person(S, false, chance(S, 0.5) ? 'F' : 'M', hh, eth,
                                    S->pp[c].sur);
                if (t < 0)
                    return -1;
                S->pp[t].dob = S->pp[c].dob;
                S->pp[t].twin_of = c;
                S->pp[t].parent = mum;
                made++;
            }
        }
        if (chance(S, 0.15)) { /* the family moves once */
            int nh = make_household(S);
            int32_t mv = rand_day(S, S->day0, S->day0 + S->days);
            for (int q = mum; q < S->np; q++) {
                S->pp[q].hh2 = nh;
                S->pp[q].move_day = mv;
            }
        }
    }
    return 0;
}

int jd_synth_write(const char *outdir, const jd_synth_opts *opts, jd_synth_stats *stats,
                   jd_error *err)
{
    jd_synth_opts def = JD_SYNTH_OPTS_INIT;
    synth *S = calloc(1, sizeof *S);
    if (!S)
        return jd_error_set(err, JD_ENOMEM, "out of memory");
    S->o = opts ? *opts : def;
    int rc = JD_OK;
    if (!outdir || S->o.years < 1 || S->o.years > 40 || S->o.networks < 0 ||
        S->o.networks > 12 || S->o.children < 0 || S->o.children > 5000000 ||
        S->o.events < 0 || S->o.events > 100000000) {
        rc = jd_error_set(err, JD_EINVALID,
                          "options out of range (years 1-40, networks 0-12, children 0-5000000)");
        goto out;
    }
    S->oxford = S->o.scenario && !strcmp(S->o.scenario, "oxford");
    if (S->o.scenario && !S->oxford && strcmp(S->o.scenario, "county")) {
        rc = jd_error_set(err, JD_EINVALID, "unknown scenario (county or oxford)");
        goto out;
    }
    jd_datetime st;
    if (!S->o.start || jd_norm__datetime(&st, S->o.start, strlen(S->o.start)) != JD_OK) {
        rc = jd_error_set(err, JD_EINVALID, "start must be a date YYYY-MM-DD");
        goto out;
    }
    S->day0 = (int32_t)((st.utc + 3600) / 86400);
    S->days = (int32_t)(S->o.years * 365.25);
    int nchildren = S->o.children;
    if (S->o.events > 0) /* about 4.7 events per child (measured; the family's included) */
        nchildren = (int)((double)S->o.events / 4.7);
    if (nchildren < 50)
        nchildren = 50;
    jd_rng__seed(&S->r, S->o.seed);
    S->hh = malloc(sizeof *S->hh * (size_t)(nchildren * 2 + 512));
    S->unrec = json_array();
    S->blame = json_array();
    S->landmarks = json_object();
    if (!S->hh || !S->unrec || !S->blame || !S->landmarks) {
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        goto out;
    }
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
        rc = jd_error_set_at(err, JD_EIO, outdir, 0, 0, "cannot create: %s", strerror(errno));
        goto out;
    }
    if (build_county(S, nchildren) < 0) {
        rc = jd_error_set(err, JD_ENOMEM, "out of memory");
        goto out;
    }
    int first_child = 0, np_county = S->np;
    /* Vulnerable children who are not exploited. */
    for (int i = 0; i < np_county; i++)
        if (!S->pp[i].is_adult && chance(S, 0.12)) {
            S->pp[i].confounder = (uint8_t)(1 + rnd(S, C_N - 1));
            S->pp[i].in_care = S->pp[i].confounder == C_CARE_FAMILY;
        }
    /* Exploitation networks. */
    int32_t end = S->day0 + S->days;
    int nnets = S->oxford ? 1 : S->o.networks;
    for (int k = 0; k < nnets; k++) {
        int nad = S->oxford ? 7 : 2 + (int)rnd(S, 4);
        int nch = S->oxford ? 6 : 2 + (int)rnd(S, 4);
        int32_t began = S->oxford ? date_day("2004-09-01")
                                  : rand_day(S, S->day0, S->day0 + S->days * 6 / 10);
        int32_t stop = S->oxford ? date_day("2011-06-30")
                                 : began + 365 + (int32_t)rnd(S, 365 * 3);
        if (stop > end)
            stop = end;
        int ni = make_network(S, nad, nch, began, stop, 1.0);
        if (ni < 0) {
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
            goto out;
        }
        netw *n = &S->nets[ni];
        for (int c = 0; c < nch; c++) {
            int32_t b = began + (int32_t)rnd(S, 240);
            int v = pick_victim(S, b, first_child, np_county);
            if (v < 0)
                break;
            person *p = &S->pp[v];
            p->role = R_VICTIM;
            p->network = (int8_t)ni;
            p->began = b;
            p->in_care = S->oxford ? c < 5 : chance(S, 0.6);
            p->indicators = json_array();
            if (S->oxford)
                p->gender = 'F';
            n->children[n->nchildren++] = v;
        }
    }
    /* Decoy professionals. */
    int decoys[3];
    for (int d = 0; d < 3; d++) {
        decoys[d] = make_person(S, true, d == 0 ? 'F' : 'M', make_household(S),
                                (int)rnd(S, JD_ARRAY_LEN(ethnicities)), NULL);
        if (decoys[d] < 0) {
            rc = jd_error_set(err, JD_ENOMEM, "out of memory");
            goto out;
        }
        S->pp[decoys[d]].role = R_DECOY;
    }
    if ((rc = open_files(S, outdir, err)) < 0)
        goto out;
    for (int i = 0; i < np_county; i++) {
        ordinary_life(S, i);
        if (S->pp[i].confounder)
            confounder_life(S, i);
        if (S->pp[i].in_care && S->pp[i].role != R_VICTIM && chance(S, 0.5)) {
            event_spec e = base(S, A_CSC, "placement_change", rand_day(S, S->day0, end), i,
                                "subject");
            e.narrative = "Placement started at a children's home.";
            emit(S, &e);
        }
    }
    for (int d = 0; d < 3; d++) {
        int kids[60], nk = 0;
        int want = 20 + (int)rnd(S, 40);
        for (int t = 0; t < 1000 && nk < want; t++) {
            int c = (int)rnd(S, (uint32_t)np_county);
            if (!S->pp[c].is_adult)
                kids[nk++] = c;
        }
        decoy_contacts(S, decoys[d], kids, nk);
    }
    for (int k = 0; k < S->nnet; k++) {
        netw *n = &S->nets[k];
        int32_t stop = S->oxford ? date_day("2011-06-30") : end;
        for (int c = 0; c < n->nchildren; c++) {
            person *p = &S->pp[n->children[c]];
            int32_t my_stop = S->oxford ? stop
                                        : p->began + 365 + (int32_t)rnd(S, 365 * 2);
            if (my_stop > end)
                my_stop = end;
            exploitation_life(S, n->children[c], n, p->began, my_stop, S->oxford ? 0.7 : 1.0);
        }
        if (S->oxford) {
            oxford_landmarks(S, n);
            oxford_volume(S, n, stop);
        }
    }
    if (close_files(S)) {
        rc = jd_error_set(err, JD_EIO, "cannot write the bundle");
        goto out;
    }
    if ((rc = write_truth(S, outdir, err)) < 0)
        goto out;
    S->st.people = 0;
    for (int i = 0; i < S->np; i++) {
        if (S->pp[i].refs_used)
            S->st.people++;
        if (!S->pp[i].is_adult && S->pp[i].refs_used)
            S->st.children++;
        if (S->pp[i].role == R_VICTIM)
            S->st.exploited++;
    }
    S->st.networks = S->nnet;
    if (stats)
        *stats = S->st;
out:
    close_files(S);
    for (int i = 0; S->pp && i < S->np; i++)
        json_decref(S->pp[i].indicators);
    free(S->pp);
    free(S->hh);
    json_decref(S->unrec);
    json_decref(S->blame);
    json_decref(S->landmarks);
    free(S);
    return rc;
}
