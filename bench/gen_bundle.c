/*
 * gen_bundle: a plain, fast generator of contract-shaped bundles for the
 * ingest benchmark and the kill-in-the-middle test. It is not the synthetic
 * county (`joindots synth`): the rows are shaped right (valid dates,
 * postcodes, phones, NHS numbers; quoted narratives with commas, quotes and
 * newlines) but carry no story.
 * Usage: gen_bundle OUTDIR EVENTS [PERSONS_PER_EVENT=3] [SEED=1]
 * Places: one of EVENTS/20 distinct places per event (GEN_UNIQUE_PLACES=1:
 * a new place for every event).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static unsigned pick(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static const char *agencies[] = {"police", "csc", "health_ae", "school", "care_provider",
                                 "gp", "sexual_health", "call_handling"};
static const char *types[] = {"missing_report", "call_for_service", "case_note",
                              "ae_attendance", "absence", "intelligence", "gp_note",
                              "welfare_concern", "referral", "stop_check"};
static const char *surnames[] = {"Smith", "Jones", "Khan", "Patel", "Brown", "Taylor",
                                 "Williams", "Ahmed", "Kowalski", "O'Neill", "Evans", "Okafor"};
static const char *forenames[] = {"Katie", "Amy", "Mohammed", "Sara", "Jade", "Liam",
                                  "Aisha", "Chloe", "Daniel", "Zara", "Megan", "Kyle"};
static const char *roles[] = {"subject", "parent", "reporter", "associate", "witness"};
static const char *words[] = {"seen", "with", "older", "male", "near", "the", "shop", "and",
                              "car", "reported", "missing", "home", "school", "visit",
                              "concern", "mother", "called", "police", "late", "night"};

/* Letters valid in a postcode's inward code and in a current-format plate. */
static const char pc_letters[] = "ABDEFGHJLNPQRSTUWXYZ";
static const char vrm_letters[] = "ABCDEFGHJKLMNPRSTUVWXY";

static void nhs_number(char out[11])
{
    for (;;) {
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            out[i] = (char)('0' + pick(10));
            sum += (out[i] - '0') * (10 - i);
        }
        int check = 11 - sum % 11;
        if (check == 11)
            check = 0;
        if (check == 10)
            continue;
        out[9] = (char)('0' + check);
        out[10] = '\0';
        return;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_bundle OUTDIR EVENTS [PERSONS_PER_EVENT] [SEED]\n");
        return 2;
    }
    const char *dir = argv[1];
    long nev = atol(argv[2]);
    int ppe = argc > 3 ? atoi(argv[3]) : 3;
    rng_state = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/events.csv", dir);
    FILE *ev = fopen(path, "w");
    snprintf(path, sizeof path, "%s/persons.csv", dir);
    FILE *pe = fopen(path, "w");
    snprintf(path, sizeof path, "%s/objects.csv", dir);
    FILE *ob = fopen(path, "w");
    if (!ev || !pe || !ob) {
        perror("open");
        return 1;
    }
    static char b1[1 << 20], b2[1 << 20], b3[1 << 20];
    setvbuf(ev, b1, _IOFBF, sizeof b1);
    setvbuf(pe, b2, _IOFBF, sizeof b2);
    setvbuf(ob, b3, _IOFBF, sizeof b3);
    fprintf(ev, "agency,record_id,event_type,occurred_at,reported_at,location,postcode,"
                "narrative,crime_recorded,outcome,author_role\n");
    fprintf(pe, "agency,record_id,person_ref,role,surname,forenames,dob,gender,postcode,phone,"
                "nhs_number\n");
    fprintf(ob, "agency,record_id,object_type,value,description,person_ref\n");
    long npeople = nev / 4 + 10;
    const char *up = getenv("GEN_UNIQUE_PLACES");
    int unique_places = up && *up == '1';
    unsigned nplaces = nev / 20 > 1000 ? (unsigned)(nev / 20) : 1000;
    for (long i = 0; i < nev; i++) {
        const char *ag = agencies[pick(8)];
        int y = 2004 + (int)pick(8), m = 1 + (int)pick(12), d = 1 + (int)pick(28);
        int hh = (int)pick(24), mm = (int)pick(60);
        fprintf(ev, "%s,R%ld,%s,%04d-%02d-%02dT%02d:%02d,%04d-%02d-%02d,", ag, i, types[pick(10)],
                y, m, d, hh, mm, y, m, d);
        /* Places repeat as in a real county (homes, schools, hotspots): one of
         * nplaces, each with its own postcode. GEN_UNIQUE_PLACES=1 gives every
         * event a new place instead (the worst case for the location index). */
        unsigned place = unique_places ? (unsigned)i : (unsigned)pick(nplaces);
        fprintf(ev, "\"%u %s Road, by the \"\"old\"\" shop\",OX%u %u%c%c,\"", place % 997,
                surnames[place % 12], 1 + place % 4, (place / 4) % 10,
                pc_letters[(place / 40) % 20], pc_letters[(place / 800) % 20]);
        int nw = 20 + (int)pick(30);
        for (int w = 0; w < nw; w++) {
            fputs(words[pick(20)], ev);
            fputc(w == 10 ? '\n' : w % 7 == 6 ? ',' : ' ', ev);
        }
        fprintf(ev, "\",%s,%s,%s\n", pick(4) ? "N" : "Y", pick(3) ? "NFA" : "referred",
                pick(2) ? "PC" : "social_worker");
        for (int p = 0; p < ppe; p++) {
            long who = (long)(rnd() % (uint64_t)npeople);
            char nhs[11] = "";
            if (!strcmp(ag, "health_ae") || !strcmp(ag, "gp"))
                nhs_number(nhs);
            fprintf(pe, "%s,R%ld,%c%ld,%s,%s,%s,%04ld-%02ld-%02ld,%c,OX%ld %ld%c%c,07700 9%05ld,%s\n",
                    ag, i, 'A' + (char)(who % 20), who, roles[p % 5],
                    surnames[who % 12], forenames[(who / 12) % 12], 1985 + who % 20,
                    1 + who % 12, 1 + who % 28, who % 2 ? 'F' : 'M', 1 + who % 4, who % 10,
                    pc_letters[who % 20], pc_letters[(who / 20) % 20], who % 100000, nhs);
        }
        if (pick(10) < 3)
            fprintf(ob, "%s,R%ld,%s,%s%02u %c%c%c,\"silver car, \"\"Astra\"\"\",\n", ag, i,
                    "vehicle", pick(2) ? "LX" : "AB", 51 + pick(19), vrm_letters[pick(22)],
                    vrm_letters[pick(22)], vrm_letters[pick(22)]);
    }
    if (fclose(ev) || fclose(pe) || fclose(ob)) {
        perror("close");
        return 1;
    }
    return 0;
}
