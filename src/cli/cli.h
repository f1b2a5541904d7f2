/*
 * Shared pieces of the joindots command-line program: the command table,
 * exit codes, error printing and the progress bar.
 */
#ifndef JD_CLI_H
#define JD_CLI_H

#include <joindots/joindots.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses (documented in README.md and `joindots --help`). */
enum {
    JD_EXIT_OK = 0,       /* success */
    JD_EXIT_FAIL = 1,     /* run-time failure: store, I/O, memory */
    JD_EXIT_USAGE = 2,    /* bad command line */
    JD_EXIT_DATA = 3,     /* fatal input problem: nothing was stored */
    JD_EXIT_NOTFOUND = 4, /* the person, record or file asked for does not exist */
    JD_EXIT_DENIED = 5,   /* refused: access control or a rule forbids it */
    JD_EXIT_REJECTS = 6,  /* --strict and some rows were quarantined */
};

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} cli_command;

/* Map a library code to an exit status. */
int cli_exit_code(int code);
/* Print "joindots: SOURCE:LINE:COL: message" (position parts only if set). */
void cli_print_error(const char *what, const jd_error *err);
/* Open the store at `db` (create: make it if missing; read_only: no writes,
 * no migrations). On failure prints why and returns the exit code; else 0. */
int cli_store_open(jd_store **out, const char *db, bool create, bool read_only);
/* Commands that show personal data (chronology, profile, concern show,
 * export) record who, what and why in the audit log before they show
 * anything (DOMAIN §5.2), so they need a writable store: open `db` for
 * writing and append one entry (actor: user, else $USER, else "cli").
 * Fails closed: when the store cannot be opened for writing or the entry
 * cannot be written, prints why ("nothing is shown") and returns the exit
 * code with *out NULL; else 0 with *out open. */
int cli_audited_open(jd_store **out, const char *db, const char *what, const char *user,
                     const char *action, const char *target, const char *reason,
                     const char *detail);
/* The actor of CLI audit entries: user, else $USER, else "cli". */
const char *cli_actor(const char *user);
/* True when `arg` is -h or --help. */
bool cli_is_help(const char *arg);

/* Progress bar on stderr when it is a terminal; silent otherwise. */
typedef struct cli_progress {
    bool enabled;
    const char *label;
    uint64_t total; /* 0 if unknown: no ETA */
    double started, last_draw;
} cli_progress;
void cli_progress_start(cli_progress *p, const char *label, uint64_t total);
void cli_progress_update(cli_progress *p, uint64_t done, uint64_t rows);
void cli_progress_end(cli_progress *p);
double cli_now(void);

/* Parse the whole of `arg` as a whole number from lo to hi for option `opt`
 * ("--hops"); -1 after "joindots: --hops takes a number from 0 to 1000". */
int cli_parse_range(const char *opt, const char *arg, long lo, long hi, long *out);
/* Parse --as-of (a date alone means the end of that day); -1 after a message. */
int cli_parse_as_of(const char *arg, int64_t *out);

/* The end of every command's option parsing: the usage on stdout and
 * JD_EXIT_OK for --help (help true), else on stderr and JD_EXIT_USAGE. A
 * getopt switch ends `default: return cli_usage(usage, o == 'h');`. */
int cli_usage(void (*usage)(FILE *), bool help);

/* The options several commands share, under the same letters in their
 * option tables: 'd' --db, 'a' --as-of, 'r' --rules, 'u' --user, 'w'
 * --reason. */
typedef struct cli_common {
    const char *db, *rules, *user, *reason;
    int64_t as_of; /* JD_AS_OF_NOW unless --as-of */
} cli_common;
#define CLI_COMMON_INIT {NULL, NULL, NULL, NULL, JD_AS_OF_NOW}
/* The default case of such a command's getopt switch: a shared option into
 * *c and -1 to go on; else the exit status (a bad --as-of, --help or an
 * unknown option: cli_usage). */
int cli_common_opt(cli_common *c, int opt, const char *arg, void (*usage)(FILE *));

/* Print o (a jansson json_t, released here) as one line of JSON on stdout
 * with json_dumps's flags; JD_ENOMEM when it cannot be encoded. */
struct json_t;
int cli_json_line(struct json_t *o, size_t flags);

/* Split AGENCY:REF (arg, cut in place) into out; -1 when it is not one. */
struct jd_ref;
int cli_split_ref(struct jd_ref *out, char *arg);

/* Serve the web application on `listen` (NULL: 127.0.0.1:8080) until
 * SIGTERM or SIGINT; banner(url) is called once it listens (cmd_serve.c). */
int cli_serve_demo(const char *db, const char *listen,
                   void (*banner)(const char *url, void *payload), void *payload);

/* Commands: one per file cmd_<name>.c. */
/* (declarations are added as commands land; keep sorted) */
int cmd_analyse(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_chronology(int argc, char **argv);
int cmd_concern(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_explain_match(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_rejects(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_screen_train(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif
