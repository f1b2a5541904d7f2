/*
 * What the API's route files share (api.c: persons, alerts, accounts;
 * api_concern.c: concerns and the board): need-to-know on an alert, the
 * loaded alerts, the board's pseudonymous ids and its agenda's ages. Both
 * route files call this one and never each other.
 */
#include "server_internal.h"

#include <joindots/concern.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int jd_api_person(api_ctx *c, const char *person, jd_person_summary *out)
{
    if (!c->stale)
        return jd_person_index_get(c->index, person, out);
    if (jd_grow((void **)&c->nows, &c->cap_nows, c->n_nows + 1, sizeof *c->nows) < 0)
        return JD_ENOMEM;
    jd_person_now *p = NULL;
    jd_error err;
    int rc = jd_person_now_get(c->store, c->index, person, &p, &err);
    if (rc < 0)
        return rc;
    c->nows[c->n_nows++] = p;
    *out = *jd_person_now_summary(p);
    return JD_OK;
}

bool jd_api_sees_all(const caller *w)
{
    return w->acct.role == JD_ROLE_ANALYST;
}

bool jd_api_same_agency(const caller *w, const char *agency)
{
    return *w->acct.agency && agency && !strcasecmp(w->acct.agency, agency);
}

bool jd_api_refs_have_agency(const caller *w, json_t *person)
{
    json_t *refs = json_object_get(person, "refs"), *r;
    size_t i;
    json_array_foreach(refs, i, r)
    {
        if (jd_api_same_agency(w, str(r, "agency")))
            return true;
    }
    return false;
}

bool jd_api_may_see_alert(const caller *w, json_t *a)
{
    if (jd_api_sees_all(w))
        return true;
    if (w->acct.role != JD_ROLE_PRACTITIONER && w->acct.role != JD_ROLE_MANAGER)
        return false;
    if (jd_api_refs_have_agency(w, json_object_get(a, "subject")))
        return true;
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(a, "members"), i, m)
    {
        if (jd_api_refs_have_agency(w, m))
            return true;
    }
    json_array_foreach(json_object_get(a, "records"), i, m)
    {
        if (jd_api_same_agency(w, str(m, "agency")))
            return true;
    }
    return false;
}

/* An alert as this caller may see it. Analysts see it whole. Others see
 * what their agency knows: a member of a network whose refs are none of
 * their agency's is shown only as "not known to your agency" (no person
 * id, name or refs), and records are their agency's own (issue 19: a
 * practitioner who knew one member saw every member and other agencies'
 * refs). The subject, known to them, keeps the joined picture as on the
 * person's page. Returns a new reference. */
json_t *jd_api_alert_for(const caller *w, json_t *a)
{
    json_t *o = json_deep_copy(a);
    if (!o || jd_api_sees_all(w))
        return o;
    json_t *members = json_object_get(o, "members"), *m;
    size_t i;
    json_array_foreach(members, i, m)
    {
        if (jd_api_refs_have_agency(w, m))
            continue;
        json_t *red = json_object();
        json_object_set_new(red, "known_to_your_agency", json_false());
        json_t *role = json_object_get(m, "role");
        if (json_is_string(role))
            json_object_set(red, "role", role);
        json_array_set_new(members, i, red);
    }
    json_t *recs = json_object_get(o, "records");
    if (json_is_array(recs) && json_array_size(members) > 0) {
        json_t *kept = json_array();
        json_array_foreach(recs, i, m)
        {
            if (jd_api_same_agency(w, str(m, "agency")))
                json_array_append(kept, m);
        }
        json_object_set_new(o, "records", kept);
    }
    return o;
}

json_t *jd_api_alert(jd_server *srv, const char *id)
{
    /* the view of these alerts when there is one (alert_view.c) */
    pthread_mutex_lock(&srv->view_mu);
    bool viewed = srv->view && srv->view->alerts == srv->alerts;
    json_t *a = viewed ? jd_alert_view_by_id(srv->view, id) : NULL;
    pthread_mutex_unlock(&srv->view_mu);
    if (viewed)
        return a;
    size_t i;
    json_array_foreach(srv->alerts, i, a)
    {
        const char *aid = str(a, "id");
        if (aid && !strcmp(aid, id))
            return a;
    }
    return NULL;
}

void jd_board_id(const jd_server *srv, const char *concern_id, char out[35])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)concern_id, strlen(concern_id),
                       srv->board_key, sizeof srv->board_key);
    out[0] = 'B';
    out[1] = '-';
    sodium_bin2hex(out + 2, 33, h, sizeof h);
}

