/*
 * joindots concern: concerns, the escalation ladder, the board's agenda,
 * inboxes and notifications (issue 7). A thin client of <joindots/concern.h>.
 */
#include "cli.h"

#include <joindots/concern.h>

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots concern SUBCOMMAND [ID] --db FILE [OPTIONS]\n"
               "\n"
               "  raise     --by NAME --as RUNG --kind child|adult|place|vehicle|pattern\n"
               "            --subject S [--title T] [--level L] [--rung R] [--owner U]\n"
               "            [--records JSON] [--from-alert ID] [--disclosure] [--strategic]\n"
               "  show ID   [--as-of T] [--by NAME] [--reason WHY]   one concern with its history;\n"
               "            written to the audit log first (needs a writable store)\n"
               "  list      [--as-of T] [--open] [--overdue]\n"
               "  inbox     --by NAME [--as RUNG] [--as-of T]   theirs, and what is overdue\n"
               "  ack ID      --by NAME --as RUNG\n"
               "  comment ID  --by NAME --as RUNG --text TEXT\n"
               "  assign ID   --by NAME --as RUNG --to USER\n"
               "  escalate ID --by NAME --as RUNG [--to RUNG] [--text WHY]\n"
               "  close ID    --by NAME --as RUNG --reason CODE --text TEXT\n"
               "              [--signoff NAME --signoff-as RUNG]\n"
               "  decide ID   --by NAME --as RUNG --decision D --decision-maker NAME --text WHY\n"
               "  agenda    [--as-of T]            the board's open strategic items and their age\n"
               "  run       [--as-of T]            the escalation engine; without --as-of it\n"
               "            saves derived concerns and automatic steps and queues messages\n"
               "  notify    [--smtp HOST:PORT --from ADDR --domain D] [--webhook URL]\n"
               "            [--wait SECONDS]       deliver queued messages, retrying with backoff\n"
               "\n"
               "Common: --format text|json, --ladder FILE (default data/escalation/ladder.json),\n"
               "--rules FILE, --at T (when an action happened; default now), --now T (the\n"
               "clock), --expect-version N (refuse if the concern changed since).\n"
               "Rungs: practitioner, team_manager, service_manager, head_of_service,\n"
               "exploitation_meeting, board. Exit 5: refused (e.g. closing without a reason\n"
               "or without a manager's sign-off); 4: no such concern; 1 with a conflict.\n");
}

typedef struct args {
    const char *db, *by, *as, *kind, *subject, *title, *level, *rung, *owner, *records;
    const char *from_alert, *text, *to, *reason, *signoff, *signoff_as, *decision, *maker;
    const char *ladder, *rules, *format, *smtp, *from, *domain, *webhook;
    bool disclosure, strategic, open, overdue, json;
    int64_t as_of, at, now, expect;
    int wait;
} args;

static void print_time(FILE *f, int64_t t)
{
    char b[32];
    if (!t) {
        fputs("-", f);
        return;
    }
    jd_time_format(b, t);
    fputs(b, f);
}

static int print_line(const jd_concern *c, void *payload)
{
    const args *a = payload;
    if (a->json) {
        puts(c->json);
        return 0;
    }
    printf("%-34s %-12s %-20s %-8s %-20s due ", c->id, c->status, c->rung, c->level, c->owner);
    print_time(stdout, c->due_at);
    printf("%s%s  %s\n", c->overdue ? "  OVERDUE" : "", c->strategic ? "  AGENDA" : "", c->title);
    return 0;
}

static int print_agenda(const jd_concern *c, void *payload)
{
    const args *a = payload;
    if (a->json) {
        puts(c->json);
        return 0;
    }
    int64_t ref = a->as_of != JD_AS_OF_NOW ? a->as_of : a->now;
    printf("%-34s since ", c->id);
    print_time(stdout, c->raised_at);
    printf("  age %lld days  %s  %s\n", (long long)((ref - c->raised_at) / 86400), c->rung,
           c->title);
    return 0;
}

static int open_store(jd_store **s, const args *a, bool write)
{
    jd_error err;
    jd_error_clear(&err);
    jd_store_opts so = {.create = false, .read_only = !write};
    int rc = jd_store_open(s, a->db, &so, &err);
    if (rc < 0)
        cli_print_error("cannot open the store", &err);
    return rc;
}

static int fail(const char *what, int rc, const jd_error *err)
{
    cli_print_error(what, err);
    return cli_exit_code(rc);
}

static int do_show(jd_store *s, const args *a, const char *id)
{
    jd_error err;
    jd_error_clear(&err);
    jd_concern c;
    int rc = jd_concern_get(&c, s, id, a->as_of, a->now, a->ladder, &err);
    if (rc < 0)
        return fail("show", rc, &err);
    if (a->json) {
        puts(c.json);
    } else {
        print_line(&c, (void *)a);
        printf("  kind %s, subject %s, version %lld%s\n  raised ", c.kind, c.subject,
               (long long)c.version, c.automatic ? ", derived by joindots" : "");
        print_time(stdout, c.raised_at);
        printf(", at this rung since ");
        print_time(stdout, c.reached_at);
        printf("\n");
        /* records and history, from the JSON */
        json_t *o = json_loads(c.json, 0, NULL);
        json_t *st = json_object_get(o, "state"), *base = json_object_get(o, "base");
        size_t i;
        json_t *x;
        printf("  records:");
        json_array_foreach(json_object_get(base, "records"), i, x)
            printf(" %s:%s", json_string_value(json_object_get(x, "agency")),
                   json_string_value(json_object_get(x, "record_id")));
        printf("\n  history:\n");
        json_array_foreach(json_object_get(o, "history"), i, x)
        {
            const char *keys[] = {"rung",           "to",  "reason_code", "signoff_by", "decision",
                                  "decision_maker", "why", "text"};
            printf("    %-25s %-12s %s%s%s%s", json_string_value(json_object_get(x, "at")),
                   json_string_value(json_object_get(x, "action")),
                   json_string_value(json_object_get(x, "actor")),
                   json_is_true(json_object_get(x, "automatic")) ? " (automatic)" : "",
                   json_string_length(json_object_get(x, "role")) ? " as " : "",
                   json_string_length(json_object_get(x, "role"))
                       ? json_string_value(json_object_get(x, "role"))
                       : "");
            for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
                if (json_is_string(json_object_get(x, keys[k])))
                    printf("; %s: %s", keys[k], json_string_value(json_object_get(x, keys[k])));
            printf("\n");
        }
        if (json_object_get(st, "age_days"))
            printf("  on the board's agenda for %lld days\n",
                   (long long)json_integer_value(json_object_get(st, "age_days")));
        json_decref(o);
    }
    jd_concern_dispose(&c);
    return JD_EXIT_OK;
}

static int do_run(jd_store *s, const args *a)
{
    jd_error err;
    jd_error_clear(&err);
    jd_escalate_opts o = JD_ESCALATE_OPTS_INIT;
    o.ladder_path = a->ladder;
    o.rules_path = a->rules;
    o.save = a->as_of == JD_AS_OF_NOW;
    jd_escalate_stats st;
    int rc = jd_escalate_run(s, a->as_of, a->now, &o, &st, &err);
    if (rc < 0)
        return fail("escalation run failed", rc, &err);
    /* the urgent lane's open concerns on refs since placed, from the store */
    int64_t placed = 0;
    if (o.save && (rc = jd_escalate_placed_open(s, a->now, &placed, &err)) < 0)
        return fail("placing the urgent lane's concerns failed", rc, &err);
    char t1[32] = "-", t2[32] = "-";
    if (st.first_high_at)
        jd_time_format(t1, st.first_high_at);
    if (st.board_first_at)
        jd_time_format(t2, st.board_first_at);
    long long gap = st.first_high_at && st.board_first_at
                        ? (long long)(st.board_first_at - st.first_high_at)
                        : -1;
    if (a->json) {
        printf("{\"concerns\":%lld,\"derived\":%lld,\"open\":%lld,\"closed\":%lld,"
               "\"overdue\":%lld,\"on_agenda\":%lld,\"auto_steps\":%lld,\"written\":%lld,"
               "\"first_high_at\":\"%s\",\"board_first_at\":\"%s\",\"board_first_id\":\"%s\","
               "\"seconds_high_to_board\":%lld,\"urgent_placed\":%lld}\n",
               (long long)st.concerns, (long long)st.derived, (long long)st.open,
               (long long)st.closed, (long long)st.overdue, (long long)st.on_agenda,
               (long long)st.auto_steps, (long long)st.written, t1, t2, st.board_first_id, gap,
               (long long)placed);
        return JD_EXIT_OK;
    }
    printf("concerns %lld (%lld derived): %lld open, %lld closed, %lld overdue, %lld on the "
           "board's agenda\n",
           (long long)st.concerns, (long long)st.derived, (long long)st.open, (long long)st.closed,
           (long long)st.overdue, (long long)st.on_agenda);
    printf("automatic rises and reopenings: %lld%s\n", (long long)st.auto_steps,
           o.save ? "" : " (replay: nothing saved)");
    if (o.save)
        printf("concerns written: %lld%s\n", (long long)st.written,
               st.conflicts ? " (some changed meanwhile: run again)" : "");
    if (placed)
        printf("urgent calls placed: %lld concerns on a call's ref carried on by its "
               "identity's\n",
               (long long)placed);
    printf("first alert at high or above: %s\n", t1);
    printf("first item on the board's agenda: %s (%s)\n", t2, st.board_first_id);
    if (gap >= 0)
        printf("from the first high alert to the board knowing: %lld days %lld hours\n",
               gap / 86400, gap % 86400 / 3600);
    return JD_EXIT_OK;
}

static int do_notify(jd_store *s, const args *a)
{
    jd_notify_opts o = JD_NOTIFY_OPTS_INIT;
    char host[256] = "";
    if (a->smtp) {
        const char *colon = strrchr(a->smtp, ':');
        size_t n = colon ? (size_t)(colon - a->smtp) : strlen(a->smtp);
        if (n >= sizeof host) {
            fprintf(stderr, "joindots: --smtp: host too long\n");
            return JD_EXIT_USAGE;
        }
        memcpy(host, a->smtp, n);
        host[n] = 0;
        o.smtp_host = host;
        o.smtp_port = colon ? atoi(colon + 1) : 25;
    }
    o.mail_from = a->from;
    o.mail_domain = a->domain;
    o.webhook_url = a->webhook;
    o.now = a->now != JD_AS_OF_NOW ? a->now : 0;
    o.wait_s = a->wait;
    jd_error err;
    jd_error_clear(&err);
    jd_notify_stats st;
    int rc = jd_notify_deliver(s, &o, &st, &err);
    if (rc < 0)
        return fail("notify", rc, &err);
    printf("queued %lld, delivered now %lld, failed attempts %lld, still pending %lld\n",
           (long long)st.queued, (long long)st.delivered, (long long)st.failed,
           (long long)st.pending);
    return JD_EXIT_OK;
}

/* Where option O's string goes in A, or NULL when O is no string option. */
static const char **string_option(args *a, int o)
{
    switch (o) {
    case 'd':
        return &a->db;
    case 'b':
        return &a->by;
    case 'A':
        return &a->as;
    case 'k':
        return &a->kind;
    case 's':
        return &a->subject;
    case 'T':
        return &a->title;
    case 'l':
        return &a->level;
    case 'R':
        return &a->rung;
    case 'o':
        return &a->owner;
    case 'c':
        return &a->records;
    case 'F':
        return &a->from_alert;
    case 't':
        return &a->text;
    case '2':
        return &a->to;
    case 'r':
        return &a->reason;
    case 'g':
        return &a->signoff;
    case 'G':
        return &a->signoff_as;
    case 'e':
        return &a->decision;
    case 'm':
        return &a->maker;
    case 'L':
        return &a->ladder;
    case 'u':
        return &a->rules;
    case 'f':
        return &a->format;
    case 'M':
        return &a->smtp;
    case 'x':
        return &a->from;
    case 'y':
        return &a->domain;
    case 'w':
        return &a->webhook;
    default:
        return NULL;
    }
}

/* One option O (other than a string) into A: -1 to go on, else the exit code. */
static int other_option(args *a, int o)
{
    switch (o) {
    case 'D':
        a->disclosure = true;
        break;
    case 'S':
        a->strategic = true;
        break;
    case 'a':
        if (cli_parse_as_of(optarg, &a->as_of) < 0)
            return JD_EXIT_USAGE;
        break;
    case '@':
    case 'n': {
        int64_t t;
        if (jd_time_parse(&t, optarg, 0) != JD_OK) {
            fprintf(stderr, "joindots: --%s: not a date or date-time: %s\n",
                    o == '@' ? "at" : "now", optarg);
            return JD_EXIT_USAGE;
        }
        if (o == '@')
            a->at = t;
        else
            a->now = t;
        break;
    }
    case 'v':
        a->expect = strtoll(optarg, NULL, 10);
        break;
    case 'O':
        a->open = true;
        break;
    case 'V':
        a->overdue = true;
        break;
    case 'W':
        a->wait = atoi(optarg);
        break;
    default:
        return cli_usage(usage, o == 'h');
    }
    return -1;
}

/* The options after the subcommand into A: -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, args *a)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"by", required_argument, NULL, 'b'},
                                             {"user", required_argument, NULL, 'b'},
                                             {"as", required_argument, NULL, 'A'},
                                             {"kind", required_argument, NULL, 'k'},
                                             {"subject", required_argument, NULL, 's'},
                                             {"title", required_argument, NULL, 'T'},
                                             {"level", required_argument, NULL, 'l'},
                                             {"rung", required_argument, NULL, 'R'},
                                             {"owner", required_argument, NULL, 'o'},
                                             {"records", required_argument, NULL, 'c'},
                                             {"from-alert", required_argument, NULL, 'F'},
                                             {"disclosure", no_argument, NULL, 'D'},
                                             {"strategic", no_argument, NULL, 'S'},
                                             {"text", required_argument, NULL, 't'},
                                             {"to", required_argument, NULL, '2'},
                                             {"reason", required_argument, NULL, 'r'},
                                             {"signoff", required_argument, NULL, 'g'},
                                             {"signoff-as", required_argument, NULL, 'G'},
                                             {"decision", required_argument, NULL, 'e'},
                                             {"decision-maker", required_argument, NULL, 'm'},
                                             {"ladder", required_argument, NULL, 'L'},
                                             {"rules", required_argument, NULL, 'u'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"as-of", required_argument, NULL, 'a'},
                                             {"at", required_argument, NULL, '@'},
                                             {"now", required_argument, NULL, 'n'},
                                             {"expect-version", required_argument, NULL, 'v'},
                                             {"open", no_argument, NULL, 'O'},
                                             {"overdue", no_argument, NULL, 'V'},
                                             {"smtp", required_argument, NULL, 'M'},
                                             {"from", required_argument, NULL, 'x'},
                                             {"domain", required_argument, NULL, 'y'},
                                             {"webhook", required_argument, NULL, 'w'},
                                             {"wait", required_argument, NULL, 'W'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int o, ex;
    optind = 2;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        const char **field = string_option(a, o);
        if (field)
            *field = optarg;
        else if ((ex = other_option(a, o)) >= 0)
            return ex;
    }
    if (a->format && strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0) {
        fprintf(stderr, "joindots: --format text or json\n");
        return JD_EXIT_USAGE;
    }
    a->json = a->format && !strcmp(a->format, "json");
    return -1;
}

/* concern raise: prints the new concern's id. */
static int do_raise(jd_store *s, const args *a, const jd_concern_actor *by, jd_error *err)
{
    jd_concern_new n = JD_CONCERN_NEW_INIT;
    n.kind = a->kind;
    n.subject = a->subject;
    n.title = a->title;
    n.level = a->level;
    n.rung = a->rung;
    n.owner = a->owner;
    n.records = a->records;
    n.from_alert = a->from_alert;
    n.disclosure = a->disclosure;
    n.strategic = a->strategic;
    n.ladder_path = a->ladder;
    char *nid = NULL;
    int ex = JD_EXIT_OK;
    int rc = jd_concern_raise(&nid, s, &n, by, a->at, err);
    if (rc < 0)
        ex = fail("cannot raise the concern", rc, err);
    else
        printf("%s\n", nid);
    free(nid);
    return ex;
}

/* One action (ack, comment, assign, escalate, close, decide) on concern ID,
 * then the concern as it now stands. */
static int do_act(jd_store *s, const args *a, const char *sub, const char *id,
                  const jd_concern_actor *by, jd_error *err)
{
    jd_concern_verb verb = !strcmp(sub, "ack")        ? JD_CONCERN_ACK
                           : !strcmp(sub, "comment")  ? JD_CONCERN_COMMENT
                           : !strcmp(sub, "assign")   ? JD_CONCERN_ASSIGN
                           : !strcmp(sub, "escalate") ? JD_CONCERN_ESCALATE
                           : !strcmp(sub, "close")    ? JD_CONCERN_CLOSE
                                                      : JD_CONCERN_DECIDE;
    jd_concern_action act = JD_CONCERN_ACTION_INIT;
    act.at = a->at;
    act.expected_version = a->expect;
    act.text = a->text;
    act.to = a->to;
    act.reason_code = a->reason;
    act.signoff_by = a->signoff;
    act.signoff_role = a->signoff_as;
    act.decision = a->decision;
    act.decision_maker = a->maker;
    act.ladder_path = a->ladder;
    int rc = jd_concern_act(s, id, verb, &act, by, err);
    if (rc < 0)
        return fail(sub, rc, err);
    return do_show(s, a, id);
}

/* concern list, inbox or agenda. */
static int do_list(jd_store *s, args *a, const char *sub, jd_error *err)
{
    jd_concern_query q = JD_CONCERN_QUERY_INIT;
    q.as_of = a->as_of;
    q.now = a->now;
    q.ladder_path = a->ladder;
    q.rules_path = a->rules;
    q.open_only = a->open || !strcmp(sub, "inbox");
    q.overdue_only = a->overdue;
    q.agenda = !strcmp(sub, "agenda");
    if (!strcmp(sub, "inbox")) {
        q.owner = a->by;
        q.role = a->as;
    }
    int rc = jd_concern_list(s, &q, q.agenda ? print_agenda : print_line, a, err);
    if (rc < 0)
        return fail(sub, rc, err);
    return JD_EXIT_OK;
}

/* SUB's identifier in *id (NULL for a subcommand without one) when SUB is
 * known and the words after the options fit it: -1 to go on, else the exit
 * code. */
static int check_subcommand(int argc, char **argv, const char *sub, const args *a, const char **id)
{
    static const char *const with_id[] = {"show",     "ack",   "comment", "assign",
                                          "escalate", "close", "decide"};
    static const char *const without_id[] = {"raise", "list", "inbox", "agenda", "run", "notify"};
    bool needs_id = false, known = false;
    for (size_t i = 0; i < sizeof with_id / sizeof *with_id; i++)
        if (!strcmp(sub, with_id[i]))
            needs_id = known = true;
    for (size_t i = 0; i < sizeof without_id / sizeof *without_id; i++)
        known |= !strcmp(sub, without_id[i]);
    *id = needs_id && optind == argc - 1 ? argv[optind] : NULL;
    if (!known || !a->db || (needs_id ? !*id : optind != argc)) {
        if (!known)
            fprintf(stderr, "joindots: concern: unknown subcommand '%s'\n", sub);
        usage(stderr);
        return JD_EXIT_USAGE;
    }
    bool acting = needs_id && strcmp(sub, "show") != 0;
    if ((acting || !strcmp(sub, "raise")) && (!a->by || !a->as)) {
        fprintf(stderr, "joindots: concern %s: --by NAME and --as RUNG are needed\n", sub);
        return JD_EXIT_USAGE;
    }
    if (!strcmp(sub, "inbox") && !a->by) {
        fprintf(stderr, "joindots: concern inbox: --by NAME is needed\n");
        return JD_EXIT_USAGE;
    }
    return -1;
}

int cmd_concern(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    a.as_of = JD_AS_OF_NOW;
    a.now = JD_AS_OF_NOW;
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? JD_EXIT_USAGE : JD_EXIT_OK;
    }
    const char *sub = argv[1];
    const char *id;
    int ex;
    if ((ex = parse_options(argc, argv, &a)) >= 0 ||
        (ex = check_subcommand(argc, argv, sub, &a, &id)) >= 0)
        return ex;
    bool acting = id && strcmp(sub, "show") != 0;
    if (a.now == JD_AS_OF_NOW)
        a.now = 0;
    bool write = acting || !strcmp(sub, "raise") || !strcmp(sub, "show") ||
                 (!strcmp(sub, "run") && a.as_of == JD_AS_OF_NOW) || !strcmp(sub, "notify");
    jd_store *s = NULL;
    int rc;
    if (!strcmp(sub, "show")) {
        /* Audited first: no audit entry, nothing shown (DOMAIN §5.2). */
        char target[300];
        snprintf(target, sizeof target, "concern:%.280s", id);
        if ((rc = cli_audited_open(&s, a.db, "concern show", a.by, "view", target, a.reason,
                                   "")) != JD_EXIT_OK)
            return rc;
    } else if ((rc = open_store(&s, &a, write)) < 0) {
        return cli_exit_code(rc);
    }
    if (!a.now && (!strcmp(sub, "agenda")))
        a.now = (int64_t)time(NULL);
    jd_error err;
    jd_error_clear(&err);
    jd_concern_actor by = {a.by, a.as};
    if (!strcmp(sub, "raise"))
        ex = do_raise(s, &a, &by, &err);
    else if (!strcmp(sub, "show"))
        ex = do_show(s, &a, id);
    else if (acting)
        ex = do_act(s, &a, sub, id, &by, &err);
    else if (!strcmp(sub, "list") || !strcmp(sub, "inbox") || !strcmp(sub, "agenda"))
        ex = do_list(s, &a, sub, &err);
    else if (!strcmp(sub, "run"))
        ex = do_run(s, &a);
    else
        ex = do_notify(s, &a);
    jd_store_close(s);
    return ex;
}
