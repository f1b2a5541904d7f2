/*
 * A person as the store's identities are now (include/joindots/query.h):
 * what need-to-know reads while the server's person index is being rebuilt
 * after a resolve, so that no request waits for that rebuild.
 */
#include "util/internal.h"
#include "store/store.h"

#include <joindots/query.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jd_person_now {
    jd_person_summary sum;
    char *person_id, *name, *dob;
    jd_ref *refs;
    size_t n, cap;
    bool unresolved; /* its rows had no person_id */
    bool gone;       /* an unresolved id whose ref has been resolved since */
};

static int on_ref(const jd_identity_row *r, void *payload)
{
    jd_person_now *p = payload;
    if (!p->n) {
        p->unresolved = !r->person_id;
        p->person_id = strdup(r->person_id ? r->person_id : "");
        p->name = strdup(r->display_name ? r->display_name : "");
        p->dob = strdup(r->dob ? r->dob : "");
        p->sum.is_child = r->is_child;
        if (!p->person_id || !p->name || !p->dob)
            return JD_ENOMEM;
    }
    if (jd_grow((void **)&p->refs, &p->cap, p->n + 1, sizeof *p->refs) < 0)
        return JD_ENOMEM;
    jd_ref *f = &p->refs[p->n];
    f->agency = strdup(r->agency ? r->agency : "");
    f->person_ref = strdup(r->person_ref ? r->person_ref : "");
    if (!f->agency || !f->person_ref) {
        free((char *)f->agency);
        free((char *)f->person_ref);
        return JD_ENOMEM;
    }
    p->n++;
    return 0;
}

/* The store's rows for (person_id) or (agency, ref) into p. */
static int lookup(jd_store *s, const char *pid, const char *agency, const char *ref,
                  jd_person_now *p, jd_error *err)
{
    int rc = s->ops->person_refs_now(s, pid, agency, ref, on_ref, p, err);
    if (rc == JD_ENOMEM)
        jd_oom(err);
    return rc < 0 ? rc : JD_OK;
}

/* "AGENCY:REF" or "U:AGENCY:REF" (as jd_person_index_get reads them): an
 * unresolved id names its ref only while that ref is unresolved, with the
 * agency as stored; in "AGENCY:REF" the agency matches in any case, as in
 * the index (tried as given, in small letters, in capitals). */
static int by_ref(jd_store *s, const char *person, jd_person_now *p, jd_error *err)
{
    bool uid = !strncmp(person, "U:", 2) && strchr(person + 2, ':');
    const char *a = uid ? person + 2 : person;
    const char *colon = strchr(a, ':');
    char agency[128];
    if ((size_t)(colon - a) >= sizeof agency)
        return JD_OK;
    memcpy(agency, a, (size_t)(colon - a));
    agency[colon - a] = '\0';
    int rc = lookup(s, NULL, agency, colon + 1, p, err);
    for (int pass = 0; pass < 2 && rc == JD_OK && !p->n && !uid; pass++) {
        bool changed = false; /* the stored agency in small letters, or capitals */
        for (char *c = agency; *c; c++) {
            char to = (char)(pass ? toupper((unsigned char)*c) : tolower((unsigned char)*c));
            changed = changed || to != *c;
            *c = to;
        }
        if (changed)
            rc = lookup(s, NULL, agency, colon + 1, p, err);
    }
    if (rc == JD_OK && uid && p->n && !p->unresolved)
        p->gone = true; /* resolved since: that id names nobody now */
    return rc;
}

/* The unresolved person's id, "U:AGENCY:REF", as the index names it. */
static int unresolved_id(jd_person_now *p)
{
    size_t len = strlen(p->refs[0].agency) + strlen(p->refs[0].person_ref) + 3;
    char *id = malloc(len + 1);
    if (!id)
        return JD_ENOMEM;
    snprintf(id, len + 1, "U:%s:%s", p->refs[0].agency, p->refs[0].person_ref);
    free(p->person_id);
    p->person_id = id;
    return JD_OK;
}

int jd_person_now_get(jd_store *s, const jd_person_index *names, const char *person,
                      jd_person_now **out, jd_error *err)
{
    if (!s || !person || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    *out = NULL;
    if (!s->ops->person_refs_now)
        return jd_error_set(err, JD_EINVALID, "this store cannot look a person up alone");
    jd_person_now *p = calloc(1, sizeof *p);
    if (!p)
        return jd_oom(err);
    int rc = strchr(person, ':') ? by_ref(s, person, p, err) : lookup(s, person, NULL, NULL, p, err);
    if (rc == JD_OK && (!p->n || p->gone))
        rc = jd_error_set(err, JD_ENOTFOUND, "no such person now");
    if (rc == JD_OK && p->unresolved && (rc = unresolved_id(p)) < 0)
        jd_oom(err);
    if (rc < 0) {
        jd_person_now_free(p);
        return rc;
    }
    jd_person_summary old;
    bool named = names && jd_person_index_get(names, p->person_id, &old) == JD_OK;
    p->sum = (jd_person_summary){.person_id = p->person_id,
                                 .name = named ? old.name : p->name,
                                 .dob = named ? old.dob : p->dob,
                                 .is_child = named ? old.is_child : p->sum.is_child,
                                 .refs = p->refs,
                                 .n_refs = p->n,
                                 .score = 1};
    *out = p;
    return JD_OK;
}

const jd_person_summary *jd_person_now_summary(const jd_person_now *p)
{
    return &p->sum;
}

void jd_person_now_free(jd_person_now *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free((char *)p->refs[i].agency);
        free((char *)p->refs[i].person_ref);
    }
    free(p->refs);
    free(p->person_id);
    free(p->name);
    free(p->dob);
    free(p);
}
