/*
 * The network module: exploitation networks over the analysis snapshot
 * (network.c), place normalisation (network_place.c), profiles, hotspots
 * and the graph (network_profile.c), and the analysis driver
 * (analysis.c: the risk walk of module analyse, then the networks).
 * See docs/networks.md.
 *
 * May include: util, text, store, resolve, screen, analyse (and public
 * headers). Never calls concern, access, query or tools.
 */
#ifndef JD_NETWORK_H
#define JD_NETWORK_H

#include "analyse/snapshot.h"

#include <joindots/analyse.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct an;

/* Exploitation networks (network.c): run after every child's risk walk,
 * so aperson.level_at is filled. Adds exploitation_network alerts. */
int jd_network__detect(struct an *A);

/*
 * The whole analysis on a loaded snapshot (S borrowed; the analysis writes
 * its own fields in it, so run it once per snapshot): the risk walk and the
 * exploitation networks, with the network feedback round (analysis.c).
 * Alerts to `out` (JSON Lines sorted by id) when not NULL; saved through s
 * when opts->save. stats may be NULL.
 */
int jd_network__analyse(jd_snapshot *S, jd_store *s, const jd_analyse_opts *opts, FILE *out,
                        jd_analyse_stats *stats, jd_error *err);

/* The same on nparts partitions (jd_an__run_parts), saved as opts says
 * (no alert output); *keep gets the whole county's snapshot as
 * jd_snapshot__load with mention_detail gives it (dispose it). */
int jd_network__analyse_parts(jd_store *s, const jd_analyse_opts *opts, int nparts,
                              jd_analyse_stats *stats, jd_snapshot *keep, jd_error *err);

/*
 * Lifetime network ids (network_id.c, docs/networks.md "Network ids"): the
 * registry of the store's networks as of a time, matched to the networks a
 * run finds by members. Loaded once per analysis; `write` (a saved run as
 * of now) lets it allocate ids and write the registry back.
 */
struct jd_store;
struct jd_error;
struct jd_network_change;
typedef struct jd_netreg jd_netreg;
/* One network a run found, in the order first detected. */
typedef struct jd_netfound {
    const char *const *members; /* person ids, each once */
    const int64_t *since;       /* when each became a member */
    const bool *child;
    uint32_t n;
    int64_t created, ended; /* first met the rule; merged into another (0: alive) */
    int32_t merged_into;    /* index of the found network it merged into, -1 */
} jd_netfound;
int jd_network__reg_load(jd_netreg **out, struct jd_store *s, int64_t as_of, int64_t now,
                         bool write, struct jd_error *err);
void jd_network__reg_free(jd_netreg *R);
/* Names f[0..nf) (ids without the "exploitation_network:" prefix) into
 * *ids, owned by R until the next call or free; a writing registry also
 * prepares what jd_network__reg_save writes. Each call replaces the last. */
int jd_network__name(jd_netreg *R, const jd_netfound *f, size_t nf, const char ***ids,
                     struct jd_error *err);
/* The registry and the changes of the last naming, written through s (a
 * registry that does not write writes nothing). */
int jd_network__reg_save(jd_netreg *R, struct jd_store *s, struct jd_error *err);
/* The changes the last naming recorded (borrowed). */
size_t jd_network__reg_changes(const jd_netreg *R, const struct jd_network_change **out);

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
 * with it (jd_escalate_analyse): the records are the run's own snapshot
 * (borrowed; loaded with mention_detail, read after jd_network__analyse),
 * the alerts come from the caller, then jd_network__docs_store builds and
 * stores them (analysis_doc, names "net:...").
 */
struct jd_store;
struct jd_error;
typedef struct jd_netdocs jd_netdocs;
int jd_network__docs_new(jd_netdocs **out, jd_snapshot *S, struct jd_error *err);
/* One alert of the run (borrowed): networks and children's risk are kept. */
void jd_network__docs_alert(jd_netdocs *d, void *alert_json);
int jd_network__docs_store(jd_netdocs *d, struct jd_store *s, struct jd_error *err);
void jd_network__docs_free(jd_netdocs *d);

#endif
