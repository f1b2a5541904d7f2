/*
 * The demo: the compiled-in CSV bundle written out on request, and the
 * pipeline `joindots demo` shows (resolve, analyse, the escalation replay),
 * whose figures the command prints.
 */
#include "tools/tools.h"
#include "util/embedded.h"
#include "util/internal.h"

#include <joindots/demo.h>
#include <joindots/identity_export.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define F(name) {#name ".csv", jd_data_demo_##name, &jd_data_demo_##name##_len}
static const struct {
    const char *name;
    const char *data;
    const size_t *len;
} files[] = {F(events_csc),     F(events_health),  F(events_police),
             F(objects_police), F(persons_other), F(persons_police)};

int jd_demo_write_bundle(const char *dir, jd_error *err)
{
    if (!dir)
        return jd_error_set(err, JD_EINVALID, "no folder given");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return jd_error_set_at(err, JD_EIO, dir, 0, 0, "cannot create: %s", strerror(errno));
    for (size_t i = 0; i < JD_ARRAY_LEN(files); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        FILE *f = fopen(path, "wb");
        if (!f)
            return jd_error_set_at(err, JD_EIO, files[i].name, 0, 0, "cannot write: %s",
                                   strerror(errno));
        size_t n = fwrite(files[i].data, 1, *files[i].len, f);
        if (fclose(f) != 0 || n != *files[i].len)
            return jd_error_set_at(err, JD_EIO, files[i].name, 0, 0, "cannot write");
    }
    return JD_OK;
}

static int step_failed(jd_error *err, int rc, const char *step)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
    return err ? jd_error_set(err, (jd_code)rc, "%s: %s", step, msg) : rc;
}

/* The first few strategic items on the board's agenda, in the replay's order. */
static int on_agenda(const jd_concern *c, void *payload)
{
    jd_demo_result *r = payload;
    if (!c->strategic || r->n_agenda >= (int)JD_ARRAY_LEN(r->agenda))
        return 0;
    jd_demo_agenda_item *it = &r->agenda[r->n_agenda++];
    it->raised_at = c->raised_at;
    snprintf(it->title, sizeof it->title, "%s", c->title ? c->title : c->id);
    return 0;
}


static int resolve_step(jd_demo_result *r, jd_store *s, const char *ids_path, jd_error *err)
{
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    double t0 = jd_secs();
    int rc = jd_resolve(s, &ro, &r->resolve, err);
    r->resolve_seconds = jd_secs() - t0;
    if (rc < 0)
        return step_failed(err, rc, "identity resolution");
    FILE *f = fopen(ids_path, "w");
    if (!f)
        return jd_error_set(err, JD_EIO, "cannot write the identities file");
    rc = jd_identities_export(s, f, NULL, err);
    if (fclose(f) != 0 && rc == JD_OK)
        rc = jd_error_set(err, JD_EIO, "cannot write the identities file");
    return rc;
}

static int escalate_step(jd_demo_result *r, jd_store *s, const char *alerts_path, jd_error *err)
{
    FILE *f = fopen(alerts_path, "w");
    if (!f)
        return jd_error_set(err, JD_EIO, "cannot write the alerts file");
    jd_escalate_opts eo = JD_ESCALATE_OPTS_INIT;
    eo.alerts_out = f;
    /* Store the derived concerns, so that the web application's inboxes and
     * the board's agenda hold what the replay found (issue 18). */
    eo.save = true;
    eo.cb = on_agenda;
    eo.payload = r;
    int rc = jd_escalate_run(s, JD_AS_OF_NOW, 0, &eo, &r->escalate, err);
    if (fclose(f) != 0 && rc == JD_OK)
        rc = jd_error_set(err, JD_EIO, "cannot write the alerts file");
    if (rc < 0)
        return step_failed(err, rc, "escalation");
    /* oldest first (insertion sort: a handful) */
    for (int i = 1; i < r->n_agenda; i++)
        for (int k = i; k > 0 && r->agenda[k].raised_at < r->agenda[k - 1].raised_at; k--) {
            jd_demo_agenda_item t = r->agenda[k];
            r->agenda[k] = r->agenda[k - 1];
            r->agenda[k - 1] = t;
        }
    return JD_OK;
}

int jd_demo_pipeline(jd_demo_result *out, jd_store *s, const char *ids_path,
                     const char *alerts_path, jd_error *err)
{
    if (!out || !s || !ids_path || !alerts_path)
        return jd_error_set(err, JD_EINVALID, "a result, a store and two output files are needed");
    jd_demo_result r;
    memset(&r, 0, sizeof r);
    int rc = resolve_step(&r, s, ids_path, err);
    if (rc < 0)
        return rc;
    jd_analyse_opts ao = JD_ANALYSE_OPTS_INIT;
    ao.save = true;
    double t0 = jd_secs();
    /* saved with what the server reads (graph, profiles, concern bases) */
    if ((rc = jd_escalate_analyse(s, &ao, &r.analyse, err)) < 0)
        return step_failed(err, rc, "analysis");
    r.analyse_seconds = jd_secs() - t0;
    if ((rc = escalate_step(&r, s, alerts_path, err)) < 0)
        return rc;
    *out = r;
    return JD_OK;
}
