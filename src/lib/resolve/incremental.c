/*
 * The incremental resolve's account of what it changed (issue 17 item 2):
 * from each re-resolved ref's person_id before and after the run, which
 * person_ids are new, grew, shrank, merged, split, went or only had a
 * ref's mentions change (jd_person_set, include/joindots/resolve.h). The
 * run itself is in resolve.c (jd_resolve_incremental), beside the phases
 * of the full run it reuses.
 */
#include "resolve/resolve.h"

#include <joindots/resolve.h>

#include <stdlib.h>
#include <string.h>

int jd_resolve__cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* What is known of one person_id while the changes are worked out. */
typedef struct pid_acc {
    const char *id;
    const char *came_from, *went_to, *merged_from; /* one of each, or NULL */
    bool before, after, gained, lost, changed;
} pid_acc;

static pid_acc *acc_of(pid_acc *v, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].id, id);
        if (!c)
            return &v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The distinct person_ids of m, sorted, each with its flags cleared. */
static pid_acc *distinct_ids(const jd_resolve__moved *m, size_t n, size_t *out_n)
{
    const char **all = malloc((2 * n + 1) * sizeof *all);
    if (!all)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].old_pid)
            all[k++] = m[i].old_pid;
        all[k++] = m[i].new_pid;
    }
    qsort(all, k, sizeof *all, jd_resolve__cmp_str);
    pid_acc *v = calloc(k ? k : 1, sizeof *v);
    size_t nv = 0;
    for (size_t i = 0; v && i < k; i++)
        if (!nv || strcmp(v[nv - 1].id, all[i]))
            v[nv++].id = all[i];
    free(all);
    *out_n = nv;
    return v;
}

static unsigned how_of(const pid_acc *a, const char **other)
{
    unsigned how = 0;
    *other = NULL;
    if (a->after && !a->before) {
        how = JD_PERSON_NEW;
        *other = a->came_from;
    } else if (a->before && !a->after) {
        how = JD_PERSON_GONE;
        *other = a->went_to;
    } else {
        how |= a->gained ? JD_PERSON_GROWN : 0;
        how |= a->lost ? JD_PERSON_SHRUNK : 0;
        how |= a->changed && !a->gained && !a->lost ? JD_PERSON_CHANGED : 0;
        if (a->merged_from) {
            how |= JD_PERSON_MERGED;
            *other = a->merged_from;
        }
        if (a->lost && a->went_to) {
            how |= JD_PERSON_SPLIT;
            *other = *other ? *other : a->went_to;
        }
    }
    return how;
}

int jd_resolve__changes(const jd_resolve__moved *m, size_t n, jd_person_set **out)
{
    *out = NULL;
    size_t nv = 0;
    pid_acc *v = distinct_ids(m, n, &nv);
    jd_person_set *set = calloc(1, sizeof *set);
    if (!v || !set) {
        free(v);
        free(set);
        return JD_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        pid_acc *b = m[i].old_pid ? acc_of(v, nv, m[i].old_pid) : NULL, *a = acc_of(v, nv, m[i].new_pid);
        if (!a)
            continue; /* not reached: every id of m is in v */
        a->after = true;
        if (b)
            b->before = true;
        if (b == a) {
            a->changed |= m[i].changed;
            continue;
        }
        a->gained = true;
        if (b) {
            b->lost = true;
            a->came_from = a->came_from ? a->came_from : b->id;
            b->went_to = b->went_to ? b->went_to : a->id;
        }
    }
    /* a person_id that took refs of one that is gone merged with it */
    for (size_t i = 0; i < n; i++) {
        pid_acc *b = m[i].old_pid ? acc_of(v, nv, m[i].old_pid) : NULL, *a = acc_of(v, nv, m[i].new_pid);
        if (a && b && b != a && !b->after && a->before && !a->merged_from)
            a->merged_from = b->id;
    }
    set->v = calloc(nv ? nv : 1, sizeof *set->v);
    int rc = set->v ? JD_OK : JD_ENOMEM;
    for (size_t k = 0; rc == JD_OK && k < nv; k++) {
        const char *other;
        unsigned how = how_of(&v[k], &other);
        if (!how)
            continue;
        jd_person_change *c = &set->v[set->n++];
        c->how = how;
        c->person_id = strdup(v[k].id);
        c->other = other ? strdup(other) : NULL;
        if (!c->person_id || (other && !c->other))
            rc = JD_ENOMEM;
    }
    free(v);
    if (rc < 0) {
        jd_person_set_free(set);
        return rc;
    }
    *out = set;
    return JD_OK;
}

void jd_person_set_free(jd_person_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->v[i].person_id);
        free(set->v[i].other);
    }
    free(set->v);
    free(set);
}

const jd_person_change *jd_person_set_find(const jd_person_set *set, const char *person_id)
{
    if (!set || !person_id)
        return NULL;
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(set->v[mid].person_id, person_id);
        if (!c)
            return &set->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
