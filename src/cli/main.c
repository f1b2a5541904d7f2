/*
 * joindots: the command-line program. Dispatches `joindots COMMAND ...` to
 * one function per command; every command is a thin client of libjoindots.
 * Results go to stdout, messages to stderr.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep sorted by name. */
static const cli_command commands[] = {
    {"analyse", "screen events, keep each child's risk over time, raise alerts", cmd_analyse},
    {"audit", "verify the audit log (chain, MACs, anchors), anchor its head, or list it", cmd_audit},
    {"chronology", "one person's multi-agency chronology, as of any time", cmd_chronology},
    {"concern", "concerns, escalation, the board's agenda, inboxes, notifications", cmd_concern},
    {"demo", "ingest a synthetic demo bundle and show what joindots finds", cmd_demo},
    {"explain-match", "how the model compares two person_refs, field by field", cmd_explain_match},
    {"export", "write identities or alerts as JSON Lines (contract section 2)", cmd_export},
    {"ingest", "read agency export bundles into the store", cmd_ingest},
    {"link", "record that two person_refs are, or are not, one person", cmd_link},
    {"migrate", "copy a SQLite store into an empty PostgreSQL one", cmd_migrate},
    {"profile", "an adult, vehicle, phone or place: networks, children linked, records", cmd_profile},
    {"rejects", "list quarantined rows and warnings", cmd_rejects},
    {"resolve", "resolve person_refs across agencies into identities", cmd_resolve},
    {"score", "accuracy of identities and alerts against a synthetic truth", cmd_score},
    {"calibrate", "levels and score thresholds against a false-alarm target (synthetic truth)",
     cmd_calibrate},
    {"screen", "find indicators and victim-blaming wording in one text", cmd_screen},
    {"screen-train", "learn the screen's combiner from labelled corpora (--cv: by writer)",
     cmd_screen_train},
    {"serve", "the web application and its JSON API", cmd_serve},
    {"synth", "write a synthetic county bundle with ground truth", cmd_synth},
    {"token", "API tokens of the feed role: add, disable, enable, list", cmd_token},
    {"user", "accounts of the web application: add, disable, enable, reset, list", cmd_user},
    {"watch", "ingest agencies' feeds from a drop folder and keep the analysis current", cmd_watch},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: joindots [--version] [--help] [--audit-key FILE] COMMAND [ARGS...]\n"
            "\n"
            "joindots joins what agencies know about a child: ingest of agency exports,\n"
            "identity resolution, one chronology per child, risk and alerts.\n"
            "\n"
            "Commands:\n");
    for (const cli_command *c = commands; c->name; c++)
        fprintf(f, "  %-18s %s\n", c->name, c->summary);
    fprintf(f,
            "\n"
            "Run `joindots COMMAND --help` for a command's options.\n"
            "\n"
            "--audit-key FILE (or JD_AUDIT_KEY_FILE): the key that MACs the audit log,\n"
            "kept outside the database (created, mode 0600, when missing and the store\n"
            "is opened for writing). See docs/security.md.\n"
            "\n"
            "Exit status: 0 success; 1 run-time failure; 2 bad command line;\n"
            "3 fatal input problem (nothing stored); 4 not found; 5 refused;\n"
            "6 rows were quarantined and --strict was given.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return JD_EXIT_USAGE;
    }
    /* --audit-key FILE before the command: passed to the library through
     * JD_AUDIT_KEY_FILE, which every store open reads (audit.h). */
    while (argc >= 3 && (!strcmp(argv[1], "--audit-key") || !strncmp(argv[1], "--audit-key=", 12))) {
        const char *k = argv[1][11] == '=' ? argv[1] + 12 : argv[2];
        int used = argv[1][11] == '=' ? 1 : 2;
        if (!*k || setenv("JD_AUDIT_KEY_FILE", k, 1) != 0) {
            usage(stderr);
            return JD_EXIT_USAGE;
        }
        argc -= used;
        argv += used;
    }
    if (argc < 2 || !strncmp(argv[1], "--audit-key", 11)) {
        usage(stderr);
        return JD_EXIT_USAGE;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return JD_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("joindots %s\n", jd_version());
        return JD_EXIT_OK;
    }
    if (jd_global_init() < 0) {
        fprintf(stderr, "joindots: cannot initialise the crypto library\n");
        return JD_EXIT_FAIL;
    }
    for (const cli_command *c = commands; c->name; c++)
        if (!strcmp(c->name, argv[1]))
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "joindots: unknown command '%s' (see joindots --help)\n", argv[1]);
    return JD_EXIT_USAGE;
}
