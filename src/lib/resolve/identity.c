/*
 * Identities in the store: export (contract §2.1), the identity generation
 * and human link decisions (include/joindots/link.h, identity_export.h). The
 * resolution run itself, jd_resolve in resolve.c, loads the mentions
 * through the store (ops->mentions), clusters them in memory and saves its
 * identities through ops->identities_replace; nothing of it is here.
 *
 * Export groups the store's refs by identity: the store hands rows ordered
 * by identity, so one JSON line is built per run of equal person_id, with
 * memory bounded by the size of one identity.
 */
#include "util/internal.h"
#include "store/store.h"

#include <jansson.h>
#include <joindots/identity.h>

#include <stdlib.h>
#include <string.h>

int jd_link_decide(jd_store *s, const jd_link_decision *d, jd_error *err)
{
    if (!s || !d || !d->a.agency || !d->a.person_ref || !d->b.agency || !d->b.person_ref)
        return jd_error_set(err, JD_EINVALID, "two refs (agency and person_ref) are needed");
    if (!d->reason || !*d->reason)
        return jd_error_set(err, JD_EINVALID, "a reason is required for a link decision");
    if (!d->decided_by || !*d->decided_by)
        return jd_error_set(err, JD_EINVALID, "the deciding user is required");
    if (!strcmp(d->a.agency, d->b.agency) && !strcmp(d->a.person_ref, d->b.person_ref))
        return jd_error_set(err, JD_EINVALID, "both refs are the same");
    const jd_ref *refs[2] = {&d->a, &d->b};
    for (int i = 0; i < 2; i++) {
        bool found = false;
        int rc = s->ops->ref_exists(s, refs[i]->agency, refs[i]->person_ref, &found, err);
        if (rc < 0)
            return rc;
        if (!found)
            return jd_error_set(err, JD_ENOTFOUND, "no person_ref %s in agency %s",
                                refs[i]->person_ref, refs[i]->agency);
    }
    return s->ops->link_add(s, d->a.agency, d->a.person_ref, d->b.agency, d->b.person_ref,
                            d->same, d->reason, d->decided_by, err);
}

int jd_identity_generation(jd_store *s, int64_t *out, jd_error *err)
{
    if (!s || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    if (!s->ops->identity_generation)
        return jd_error_set(err, JD_EINVALID, "this store has no identities");
    return s->ops->identity_generation(s, out, err);
}

typedef struct export_ctx {
    FILE *out;
    json_t *cur;   /* the identity being built */
    json_t *refs;  /* its refs array (borrowed from cur) */
    char *cur_id;  /* its person_id; NULL when it is an unresolved ref */
    int64_t lines;
    int rc;
} export_ctx;

static int flush_line(export_ctx *x)
{
    if (!x->cur)
        return JD_OK;
    char *s = json_dumps(x->cur, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(x->cur);
    x->cur = NULL;
    free(x->cur_id);
    x->cur_id = NULL;
    if (!s)
        return JD_ENOMEM;
    int bad = fputs(s, x->out) < 0 || fputc('\n', x->out) == EOF;
    free(s);
    x->lines++;
    return bad ? JD_EIO : JD_OK;
}

static int on_row(const jd_identity_row *r, void *payload)
{
    export_ctx *x = payload;
    int rc;
    bool same = r->person_id && x->cur_id && !strcmp(r->person_id, x->cur_id);
    if (!same) {
        if ((rc = flush_line(x)) < 0)
            return rc;
        char unresolved[512];
        const char *pid = r->person_id;
        if (!pid) {
            snprintf(unresolved, sizeof unresolved, "U:%s:%s", r->agency, r->person_ref);
            pid = unresolved;
        }
        x->refs = json_array();
        x->cur = json_pack("{s:s,s:o}", "person_id", pid, "refs", x->refs);
        if (!x->cur)
            return JD_ENOMEM;
        if (r->display_name)
            json_object_set_new(x->cur, "display_name", json_string(r->display_name));
        json_object_set_new(x->cur, "dob", r->dob ? json_string(r->dob) : json_null());
        json_object_set_new(x->cur, "is_child", json_boolean(r->is_child));
        if (r->person_id && !(x->cur_id = strdup(r->person_id)))
            return JD_ENOMEM;
    }
    json_t *ref = json_pack("{s:s,s:s}", "agency", r->agency, "person_ref", r->person_ref);
    if (!ref || json_array_append_new(x->refs, ref) < 0)
        return JD_ENOMEM;
    return JD_OK;
}

int jd_identities_export(jd_store *s, FILE *out, int64_t *n_lines, jd_error *err)
{
    if (!s || !out)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    export_ctx x = {.out = out};
    int rc = s->ops->identity_rows(s, on_row, &x, err);
    if (rc > 0 || rc == JD_ENOMEM || rc == JD_EIO) /* from the callback */
        rc = jd_error_set(err, rc > 0 ? JD_ERROR : rc, "cannot write identities");
    if (rc == JD_OK && (rc = flush_line(&x)) < 0)
        rc = jd_error_set(err, rc, "cannot write identities");
    json_decref(x.cur);
    free(x.cur_id);
    if (rc == JD_OK && fflush(out) != 0)
        rc = jd_error_set(err, JD_EIO, "cannot write identities");
    if (rc == JD_OK && n_lines)
        *n_lines = x.lines;
    return rc;
}
