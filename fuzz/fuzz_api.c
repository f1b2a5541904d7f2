/*
 * libFuzzer target for the JSON bodies of every POST route of the web API
 * (issue 19): the handlers of api.c, api_concern.c and api_person.c are called directly,
 * without a socket, as server.c calls them after its checks (the caller
 * logged in, CSRF good, the body parsed as a JSON object). Any body must
 * give an answer (a status and a JSON object), never a crash, a leak or an
 * overrun; every answer must serialise.
 *
 * Input: byte 0 picks the POST route, byte 1 the caller's role, byte 2 the
 * {id} of the route (a board id, an alert id, a concern id or junk); the
 * rest is the body. A scratch store in /tmp (removed at exit) holds three
 * accounts and the audit rows the handlers write.
 */
#include "server_internal.h"

#include <joindots/account.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jd_server srv;
static jd_store *store;
static jd_screener *screener;
static const route *posts[64];
static size_t n_posts;
static char db_path[128];

static void remove_db(void)
{
    char p[160];
    jd_store_close(store);
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

static void init(void)
{
    snprintf(db_path, sizeof db_path, "/tmp/jd-fuzz-api-%d.db", (int)getpid());
    jd_store_opts so = JD_STORE_OPTS_INIT;
    jd_error err;
    if (jd_store_open(&store, db_path, &so, &err) < 0 ||
        jd_screener_open(&screener, NULL, &err) < 0 ||
        jd_person_index_open(&srv.index, store, &err) < 0 || jd_throttle_init(&srv.th) < 0) {
        fprintf(stderr, "fuzz_api: setup failed: %s\n", err.msg);
        abort();
    }
    atexit(remove_db);
    (void)jd_account_add(store, "mgr", JD_ROLE_MANAGER, "csc", "north", "password-of-mgr-1", &err);
    (void)jd_account_add(store, "prac", JD_ROLE_PRACTITIONER, "csc", "north", "password-of-prac-1",
                         &err);
    jd_server_opts o = JD_SERVER_OPTS_INIT;
    srv.o = o;
    srv.alerts = json_loads(
        "[{\"id\":\"A1\",\"kind\":\"exploitation_network\",\"level\":\"high\","
        "\"subject\":{\"person_id\":\"P000001\",\"refs\":[{\"agency\":\"csc\",\"person_ref\":"
        "\"C1\"}]},\"members\":[{\"person_id\":\"P000002\",\"refs\":[{\"agency\":\"police\","
        "\"person_ref\":\"N1\"}]}],\"records\":[{\"agency\":\"csc\",\"record_id\":\"R1\"}]}]",
        0, NULL);
    const route *const tables[] = {jd_api_routes, jd_api_concern_routes, jd_api_person_routes};
    const size_t sizes[] = {jd_api_n_routes, jd_api_n_concern_routes, jd_api_n_person_routes};
    for (size_t t = 0; t < 3; t++)
        for (size_t i = 0; i < sizes[t]; i++) {
            const route *rt = &tables[t][i];
            if (!strcmp(rt->method, "POST") && n_posts < sizeof posts / sizeof *posts)
                posts[n_posts++] = rt;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        init();
    if (size < 3)
        return 0;
    static const jd_role roles[] = {JD_ROLE_PRACTITIONER, JD_ROLE_ANALYST, JD_ROLE_MANAGER,
                                    JD_ROLE_BOARD,        JD_ROLE_AUDITOR, JD_ROLE_ADMIN};
    static const char *const args[] = {"A1", "B-00000000000000000000000000000000",
                                       "auto:child:P000001", "prac", "mgr", "\xff\xfe"};
    const route *rt = posts[data[0] % n_posts];
    caller who = {.authed = true};
    who.acct.role = roles[data[1] % (sizeof roles / sizeof *roles)];
    snprintf(who.acct.username, sizeof who.acct.username, "fuzzer");
    snprintf(who.acct.agency, sizeof who.acct.agency, "csc");
    snprintf(who.addr, sizeof who.addr, "127.0.0.%u", data[2] % 4);
    json_t *body = json_loadb((const char *)data + 3, size - 3, 0, NULL);
    if (!json_is_object(body)) { /* server.c answers 400 before any handler */
        json_decref(body);
        return 0;
    }
    api_ctx c = {.srv = &srv,
                 .con = NULL,
                 .store = store,
                 .screener = screener,
                 .who = &who,
                 .method = "POST",
                 .path = rt->pattern,
                 .arg = strstr(rt->pattern, "{id}") ? args[data[2] % 6] : NULL,
                 .index = srv.index,
                 .body = body};
    reply rp = {.status = 200};
    rt->fn(&c, &rp);
    if (rp.status < 200 || rp.status > 599)
        __builtin_trap();
    char *s = rp.json ? json_dumps(rp.json, JSON_COMPACT) : NULL;
    if (rp.json && !s)
        __builtin_trap(); /* every answer serialises */
    free(s);
    json_decref(rp.json);
    free(rp.set_cookie);
    json_decref(body);
    return 0;
}
