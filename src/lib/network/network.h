/*
 * Exploitation networks (internal API): place normalisation shared by the
 * network detection (network.c), the profile and graph commands, and the
 * unit tests. See docs/networks.md.
 */
#ifndef JD_NETWORK_H
#define JD_NETWORK_H

#include <stdbool.h>
#include <stddef.h>

/* Longest place key kept; longer descriptions are cut at a token boundary. */
#define JD_PLACE_KEY_MAX 160
#define JD_PLACE_MAX_TOKENS 16
#define JD_PLACE_MAX_INPUT 4096 /* bytes of a location read; the rest is ignored */

/*
 * A free-text place description reduced to its content: lower case ASCII
 * tokens, abbreviations expanded (Rd -> road, St -> street...), plurals
 * singular (offices -> office, takeaways -> takeaway), stop words and
 * position words dropped (the, outside, near...), sorted and unique.
 * "Cowley Rd, outside the council office" and "outside the council
 * offices, Cowley Road" both give "council cowley office road".
 */
typedef struct jd_place {
    char key[JD_PLACE_KEY_MAX]; /* tokens joined by one space; "" when nothing is left */
    unsigned char toff[JD_PLACE_MAX_TOKENS], tlen[JD_PLACE_MAX_TOKENS]; /* tokens in key */
    int ntok;
    bool dwelling;   /* names a flat, house, hotel... (an address, not a public place) */
    bool has_number; /* a house or flat number among the tokens */
} jd_place;

/* Normalise `text` (n bytes) into *out. Never fails; an empty or
 * content-free text gives ntok == 0. */
void jd_place__norm(jd_place *out, const char *text, size_t n);
/* Rebuild the tokens and flags of a place from its key (a key stored
 * elsewhere and copied back). */
void jd_place__retoken(jd_place *p);

/*
 * Whether two normalised places are near-duplicates: the same numbers (a
 * house number never matches a different one), and a token-set similarity
 * (tokens equal, or one edit apart when both are 5 letters or longer) of at
 * least 0.75 by Jaccard, or the smaller set of 3 or more tokens inside the
 * larger. Symmetric.
 */
bool jd_place__similar(const jd_place *a, const jd_place *b);
/* The similarity in [0, 1] used above (numbers not considered). */
double jd_place__similarity(const jd_place *a, const jd_place *b);

/*
 * The graph, hotspots and profiles built with an analysis run and stored
 * with it (jd_escalate_analyse): the records come through the run's tap,
 * the alerts from the caller, then jd_network__docs_store builds and
 * stores them (analysis_doc, names "net:...").
 */
struct jd_an_callbacks;
struct jd_store;
struct jd_error;
typedef struct jd_netdocs jd_netdocs;
int jd_network__docs_new(jd_netdocs **out, struct jd_error *err);
/* The callbacks of the tap; their payload is the jd_netdocs. */
const struct jd_an_callbacks *jd_network__docs_tap(void);
/* One alert of the run (borrowed): networks and children's risk are kept. */
void jd_network__docs_alert(jd_netdocs *d, void *alert_json);
int jd_network__docs_store(jd_netdocs *d, struct jd_store *s, struct jd_error *err);
void jd_network__docs_free(jd_netdocs *d);

#endif
