/*
 * Login throttling of `joindots serve` (issue 19, items 7 and 12).
 *
 * No account is ever locked by failed passwords: a lock-out anyone can
 * trigger is a denial of service against the account's owner (five wrong
 * sign-off passwords from a practitioner used to lock a manager out for 15
 * minutes). Instead two throttles refuse with 429 before a password is
 * even checked:
 *   - per client address: at most `per_minute` failures a minute, whoever
 *     the accounts ("a|ADDR");
 *   - per account and address: after 3 failures in a row from one address,
 *     that address waits 2 s before its next try for that account, then 4,
 *     8, ... up to 15 minutes ("u|USER|ADDR"). The right password from
 *     another address is not affected; the right one from this address
 *     clears the pair.
 * Entries are kept in a bounded map keyed by the full address (no hashing
 * into shared slots: two addresses never reset each other); when it is
 * full, the entry whose last failure is oldest is evicted. Managers and
 * admins see and clear the state (GET /api/throttle, POST
 * /api/throttle/clear).
 */
#include "server_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FREE_TRIES 3
#define MAX_WAIT 900

int jd_throttle_init(th_map *m)
{
    memset(m, 0, sizeof *m);
    m->e = calloc(TH_SLOTS, sizeof *m->e);
    if (!m->e)
        return JD_ENOMEM;
    pthread_mutex_init(&m->mu, NULL);
    return JD_OK;
}

void jd_throttle_free(th_map *m)
{
    if (!m->e)
        return;
    free(m->e);
    m->e = NULL;
    pthread_mutex_destroy(&m->mu);
}

static void key_addr(char k[TH_KEY], const char *addr)
{
    snprintf(k, TH_KEY, "a|%.63s", addr);
}

static void key_user(char k[TH_KEY], const char *addr, const char *user)
{
    snprintf(k, TH_KEY, "u|%.63s|%.63s", user, addr);
}

static th_entry *find(th_map *m, const char *k)
{
    for (size_t i = 0; i < TH_SLOTS; i++)
        if (m->e[i].key[0] && !strcmp(m->e[i].key, k))
            return &m->e[i];
    return NULL;
}

/* The entry for k, made (evicting the least recently failed when full). */
static th_entry *get(th_map *m, const char *k, int64_t now)
{
    th_entry *e = find(m, k);
    if (e)
        return e;
    th_entry *victim = NULL;
    for (size_t i = 0; i < TH_SLOTS; i++) {
        if (!m->e[i].key[0]) {
            victim = &m->e[i];
            m->n++;
            break;
        }
        if (!victim || m->e[i].last < victim->last)
            victim = &m->e[i];
    }
    memset(victim, 0, sizeof *victim);
    snprintf(victim->key, TH_KEY, "%s", k);
    victim->last = now;
    return victim;
}

static void drop(th_map *m, th_entry *e)
{
    memset(e, 0, sizeof *e);
    m->n--;
}

int64_t jd_throttle_wait(th_map *m, const char *addr, const char *user, int per_minute,
                         int64_t now)
{
    char k[TH_KEY];
    int64_t wait = 0;
    pthread_mutex_lock(&m->mu);
    key_addr(k, addr);
    th_entry *a = find(m, k);
    if (a && a->window == now / 60 && a->count >= per_minute)
        wait = 60 - now % 60;
    if (user) {
        key_user(k, addr, user);
        th_entry *u = find(m, k);
        if (u && u->next_ok > now && u->next_ok - now > wait)
            wait = u->next_ok - now;
    }
    pthread_mutex_unlock(&m->mu);
    return wait;
}

void jd_throttle_failed(th_map *m, const char *addr, const char *user, int64_t now)
{
    char k[TH_KEY];
    pthread_mutex_lock(&m->mu);
    key_addr(k, addr);
    th_entry *a = get(m, k, now);
    if (a->window != now / 60) {
        a->window = now / 60;
        a->count = 0;
    }
    a->count++;
    a->last = now;
    if (user) {
        key_user(k, addr, user);
        th_entry *u = get(m, k, now);
        u->fails++;
        u->last = now;
        if (u->fails >= FREE_TRIES) {
            int sh = u->fails - FREE_TRIES + 1;
            int64_t w = sh >= 10 ? MAX_WAIT : (int64_t)1 << sh;
            u->next_ok = now + (w < MAX_WAIT ? w : MAX_WAIT);
        }
    }
    pthread_mutex_unlock(&m->mu);
}

void jd_throttle_succeeded(th_map *m, const char *addr, const char *user)
{
    char k[TH_KEY];
    key_user(k, addr, user);
    pthread_mutex_lock(&m->mu);
    th_entry *u = find(m, k);
    if (u)
        drop(m, u);
    pthread_mutex_unlock(&m->mu);
}

json_t *jd_throttle_list(th_map *m, int per_minute, int64_t now)
{
    json_t *out = json_array();
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; out && i < TH_SLOTS; i++) {
        const th_entry *e = &m->e[i];
        if (!e->key[0])
            continue;
        char user[64] = "", addr[64] = "";
        int64_t wait = 0;
        int failures;
        if (e->key[0] == 'a') {
            snprintf(addr, sizeof addr, "%s", e->key + 2);
            failures = e->window == now / 60 ? e->count : 0;
            if (failures >= per_minute)
                wait = 60 - now % 60;
        } else {
            const char *bar = strchr(e->key + 2, '|');
            if (!bar)
                continue;
            snprintf(user, sizeof user, "%.*s", (int)(bar - e->key - 2), e->key + 2);
            snprintf(addr, sizeof addr, "%s", bar + 1);
            failures = e->fails;
            wait = e->next_ok > now ? e->next_ok - now : 0;
        }
        json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:I}", "kind",
                              e->key[0] == 'a' ? "address" : "account", "username", user,
                              "address", addr, "failures", failures, "wait_seconds",
                              (json_int_t)wait);
        if (o)
            json_array_append_new(out, o);
    }
    pthread_mutex_unlock(&m->mu);
    return out;
}

size_t jd_throttle_clear(th_map *m, const char *user, const char *addr)
{
    size_t n = 0;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < TH_SLOTS; i++) {
        th_entry *e = &m->e[i];
        if (!e->key[0])
            continue;
        bool hit = false;
        if (e->key[0] == 'a') {
            hit = addr && *addr && !strcmp(e->key + 2, addr);
        } else {
            const char *bar = strchr(e->key + 2, '|');
            if (bar) {
                size_t ul = (size_t)(bar - e->key - 2);
                bool u_ok = user && *user && strlen(user) == ul && !strncmp(e->key + 2, user, ul);
                bool a_ok = addr && *addr && !strcmp(bar + 1, addr);
                hit = (user && *user && addr && *addr) ? (u_ok && a_ok) : (u_ok || a_ok);
            }
        }
        if (hit) {
            drop(m, e);
            n++;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return n;
}
