/*
 * Focus on the perpetrators: profiles of an adult, a vehicle, a phone or a
 * place, hotspots, and the exploitation-network graph (issue 6). All three
 * rest on a fresh analysis (jd_analyse, not saved) of what was known by the
 * "as of" time, so they agree with the exploitation_network and
 * child_at_risk alerts of the same moment. Names, places and case text
 * appear in the output (it is a case-work view) but never in errors.
 */
#ifndef JOINDOTS_NETWORK_H
#define JOINDOTS_NETWORK_H

#include <joindots/chronology.h>
#include <joindots/common.h>
#include <joindots/store.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jd_profile_opts {
    int64_t as_of;          /* JD_AS_OF_NOW for everything */
    const char *rules_path; /* NULL: the built-in catalogue */
    bool json;              /* one JSON document instead of text */
    int min_children;       /* hotspots: at-risk children needed (default 2) */
} jd_profile_opts;
#define JD_PROFILE_OPTS_INIT                                                                       \
    {                                                                                              \
        JD_AS_OF_NOW, NULL, false, 2                                                               \
    }

/*
 * Everything recorded about `subject` and the children linked to it, and
 * when: the networks naming it, its links (each with the records behind
 * it), then every record, oldest first. `subject` is a person_id, an
 * AGENCY:REF, "vehicle:MARK", "phone:NUMBER" or "place:TEXT"; without a
 * prefix a vehicle mark or phone number seen in the records is tried, then
 * a place description (near-duplicates included).
 * Returns JD_OK, JD_ENOTFOUND (nothing matches), JD_EINVALID, JD_ENOMEM,
 * JD_ESTORE, JD_EIO.
 */
JD_API int jd_profile(jd_store *s, const char *subject, const jd_profile_opts *opts, FILE *out,
                      jd_error *err);

/*
 * Places where opts->min_children or more children at risk (child_at_risk
 * at medium or above) were found, stopped, seen or returned from (police
 * found_with_adult, stop_check, intelligence, missing_return), with the
 * adults and vehicles seen there; near-duplicate descriptions are one
 * place. Most children first.
 * Returns JD_OK, JD_ENOMEM, JD_ESTORE, JD_EIO.
 */
JD_API int jd_hotspots(jd_store *s, const jd_profile_opts *opts, FILE *out, jd_error *err);

typedef enum { JD_GRAPH_JSON = 0, JD_GRAPH_GRAPHML = 1 } jd_graph_format;

/*
 * The exploitation-network graph: persons (adults and children with their
 * role), vehicles, phones, addresses and networks as nodes; links (adult to
 * child, through an event, vehicle, phone or address), ties between adults
 * and memberships as edges, each with the time it was first known.
 * JSON ({"nodes": [...], "edges": [...]}) or GraphML.
 * Returns JD_OK, JD_EINVALID, JD_ENOMEM, JD_ESTORE, JD_EIO.
 */
JD_API int jd_network_graph(jd_store *s, jd_graph_format format, const jd_profile_opts *opts,
                            FILE *out, jd_error *err);

/*
 * What the latest full analysis stored (jd_escalate_analyse): `what` is
 * "graph", "hotspots" or "profile" (with `subject` as the web application
 * names it: a person_id, vehicle:MARK, phone:NUMBER, place:TEXT). *out is
 * the text the live call writes (jd_network_graph JSON, jd_hotspots and
 * jd_profile with opts.json), malloc'd, the caller frees it. Documents of
 * the latest run are served even when records were ingested since: they
 * agree with the stored alerts. Safe from any thread with its own store.
 * Returns JD_OK, JD_ENOTFOUND (none: ask for it afresh), JD_EINVALID,
 * JD_ENOMEM, JD_ESTORE.
 */
JD_API int jd_network_stored(jd_store *s, const char *what, const char *subject, char **out,
                             jd_error *err);

#ifdef __cplusplus
}
#endif
#endif
