/*
 * Building alerts of an analysis run (analyse_internal.h): the alert kinds'
 * names, the JSON of a record, an event's label, a person, and adding an
 * alert to the run. Called by the driver (analyse.c), the risk walk
 * (risk.c) and the network pass; it calls none of them, so they do not call
 * each other in a cycle.
 */
#include "analyse/analyse_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[JD_ALERT_KINDS] = {
    "child_at_risk", "exploitation_network", "unrecorded_crime", "missing_pattern",
    "overdue_return_interview", "language", "escalation"};

const char *jd_alert_kind_name(int kind)
{
    return kind >= 0 && kind < JD_ALERT_KINDS ? kind_names[kind] : "unknown";
}

bool jd_an__is_child_at(const an *A, const amention *m)
{
    if (m->age >= 0)
        return m->age < 18;
    return A->p[m->person].is_child;
}

/* ---- alerts ---- */

static void fmt_time(char b[32], int64_t t)
{
    jd_time_format(b, t);
}

json_t *jd_an__record_ref(const aev *e)
{
    return json_pack("{s:s,s:s}", "agency", e->agency, "record_id", e->record_id);
}

/* "csc case_note W123 on 2005-07-01" */
void jd_an__ev_label(char *b, size_t n, const aev *e)
{
    char t[32];
    fmt_time(t, e->occurred);
    t[10] = '\0';
    snprintf(b, n, "%s %s %s on %s", e->agency, e->type, e->record_id, t);
}

int jd_an__add_alert(an *A, int kind, const char *id, int level, const aperson *subj,
                     int64_t raised, json_t *doc)
{
    if (jd_grow((void **)&A->alerts, &A->alertcap, A->nalerts + 1, sizeof *A->alerts) < 0) {
        json_decref(doc);
        return jd_oom(A->err);
    }
    char t[32];
    fmt_time(t, raised);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "kind", json_string(kind_names[kind]));
    json_object_set_new(o, "level", json_string(jd_level_name(level)));
    json_object_set_new(o, "raised_at", json_string(t));
    if (subj)
        json_object_set_new(o, "subject", jd_an__person_json(A, subj));
    json_t *lane = subj && A->snap && A->snap->lane ? json_object_get(A->snap->lane, subj->pid)
                                                    : NULL;
    /* raised by the urgent lane: how and why. A copy of its own: the lane's
     * document is read by every walk thread (STYLE 6), and a shared
     * reference count is a write to it. */
    json_t *lc = lane ? json_deep_copy(lane) : NULL;
    if (lane && (!lc || json_object_set_new(o, "urgent_lane", lc) < 0)) {
        json_decref(o);
        json_decref(doc);
        return jd_oom(A->err);
    }
    json_object_update(o, doc);
    json_decref(doc);
    A->alerts[A->nalerts++] = (struct out_alert){strdup(id), kind, level,
                                                 subj ? subj->pid : "", raised, o,
                                                 subj ? subj->rank : UINT64_MAX, NULL};
    if (!A->alerts[A->nalerts - 1].id)
        return jd_oom(A->err);
    A->st->by_kind[kind]++;
    return 0;
}

json_t *jd_an__person_json(const an *A, const aperson *p)
{
    json_t *refs = json_array();
    for (uint32_t k = 0; k < p->nr; k++)
        json_array_append_new(refs, json_pack("{s:s,s:s}", "agency", A->refs[p->r0 + k].agency,
                                              "person_ref", A->refs[p->r0 + k].ref));
    return json_pack("{s:s,s:o}", "person_id", p->pid, "refs", refs);
}
