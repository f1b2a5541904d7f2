/* joindots resolve and joindots explain-match: identity resolution. */
#include "cli.h"

#include <joindots/identity.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: joindots resolve --db FILE [--threshold P] [--variants FILE] [--threads N]\n"
               "                        [--review] [--frozen | --incremental [--touched]\n"
               "                        [--max-share S] [--hops N] [--checks | --no-checks]]\n"
               "\n"
               "Resolves every person_ref in the store into identities: a probabilistic\n"
               "(Fellegi-Sunter) model estimated without labels, several blocking rules,\n"
               "clustering that never joins what a cannot-link separates (different NHS\n"
               "numbers or pupil numbers, settled genders that differ, dates of birth or\n"
               "ages that cannot be one person's, two people named in one event), a sparse\n"
               "record joined only on evidence that singles out one person (else shown as\n"
               "a possible match), and every human decision (`joindots link`) honoured.\n"
               "Person ids stay stable across runs.\n"
               "  --threshold P   match probability at which two refs are linked (0.999)\n"
               "  --variants FILE extra forename variants (data/names/variants.tsv format)\n"
               "  --threads N     scoring threads (default: one per CPU, at most 8); the\n"
               "                  result is the same for any N\n"
               "  --review        list every identity holding more than one date of birth,\n"
               "                  gender or first name (person_id, why, the dates and names);\n"
               "                  explain any pair in it with joindots explain-match\n"
               "  --frozen        use the parameters (weights, term frequencies) the last\n"
               "                  full run stored instead of estimating them again\n"
               "  --incremental   re-resolve only the refs new or changed since the last run\n"
               "                  and the clusters they touch, with the stored parameters\n"
               "                  (the result of --frozen on the same data); merges and\n"
               "                  splits are recorded\n"
               "  --max-share S   with --incremental: when more than this share of the refs\n"
               "                  is new or changed, resolve everything with parameters\n"
               "                  estimated again (default 0.2; 0: never)\n"
               "  --hops N        with --incremental: re-resolve only the identities within N\n"
               "                  links or households of a change (default 0: the whole\n"
               "                  components they touch, exactly what --frozen gives; N > 0\n"
               "                  is faster on a county whose links and households chain\n"
               "                  into one large component)\n"
               "  --checks        with --incremental: also check the scope loaded alone with\n"
               "                  its pairs from the stored keys (a second load of up to half\n"
               "                  the county: about 7 s more CPU at 1M refs); off by default\n"
               "  --no-checks     with --incremental: skip the cheap checks of the scoped\n"
               "                  load's steps too (watermark, the listed refs loaded alone,\n"
               "                  the stored blocking keys and household places, the store's\n"
               "                  tally), as the live resolve does; the result is the same.\n"
               "                  A check whose read of the store fails is reported as not\n"
               "                  checked and the resolve carries on\n"
               "  --touched       with --incremental: list each person_id touched, how\n"
               "                  (new, grown, shrunk, merged, split, gone, changed) and the\n"
               "                  other person_id of a merge or split\n");
}

static void print_touched(const jd_person_set *set)
{
    static const char *const names[] = {"new",   "grown", "shrunk", "merged",
                                        "split", "gone",  "changed"};
    for (size_t i = 0; set && i < set->n; i++) {
        printf("touched\t%s\t", set->v[i].person_id);
        for (int b = 0, first = 1; b < 7; b++)
            if (set->v[i].how >> b & 1) {
                printf("%s%s", first ? "" : ",", names[b]);
                first = 0;
            }
        printf("\t%s\n", set->v[i].other ? set->v[i].other : "");
    }
}

/* What an incremental run re-resolved, and with --touched whom. */
static void print_incremental(const jd_resolve_stats *st, const jd_person_set *touched, bool list)
{
    printf("incremental: %lld refs new or changed, %lld refs re-resolved with them%s, "
           "%lld identities touched\n",
           (long long)st->incr_refs, (long long)st->incr_component_refs,
           !st->incr_full ? ""
           : st->incr_household_whole
               ? " (all, a household reached outside the scope: saved as a full run)"
               : " (all: saved as a full run)",
           (long long)st->incr_touched);
    if (st->incr_scope_refs) {
        printf("  scope walked: %lld refs; of them reached through 0..7+ old links from the changes"
               " (the rest: the changes, their new links, households):",
               (long long)st->incr_scope_refs);
        for (int k = 0; k < 8; k++)
            printf(" %lld", (long long)st->incr_scope_by_hop[k]);
        printf("\n");
    }
    if (!st->incr_full && st->incr_component_refs)
        printf("  refs written: %lld (the others re-resolved to the rows stored)\n",
               (long long)st->incr_saved_refs);
    if (st->incr_nbr_kept)
        printf("  refs that kept stored neighbours out of scope (their links there not scored "
               "again): %lld\n",
               (long long)st->incr_nbr_kept);
    printf("  CPU of its own steps: fingerprints and stored identities %.2f s, walk %.2f s\n",
           st->cpu_incr_old, st->cpu_incr_walk);
    if (st->incr_mark_refs == -3)
        printf("  checks of the scoped load: skipped (--no-checks)\n");
    else if (st->incr_mark_refs == -2)
        printf("  watermark: not checked (its read of the store failed)\n");
    else if (st->incr_mark_refs < 0)
        printf("  watermark: none yet (a store resolved before it was kept)\n");
    else
        printf("  watermark: %lld refs listed since the last run, %lld changed refs not among "
               "them\n",
               (long long)st->incr_mark_refs, (long long)st->incr_mark_missed);
    if (st->incr_fp_loaded >= 0)
        printf("  scoped fingerprints: the listed refs loaded alone (%lld refs with everyone "
               "their events name, %.2f s CPU), %lld changed, %lld differing from the county's\n",
               (long long)st->incr_fp_loaded, st->cpu_incr_fp_load,
               (long long)st->incr_fp_changed, (long long)st->incr_fp_missed);
    if (st->incr_keys_pairs == -2)
        printf("  stored blocking keys: none (a store resolved before they were kept)\n");
    else if (st->incr_keys_pairs >= 0)
        printf("  stored blocking keys: %lld candidate pairs of the changed refs, %lld differing "
               "from the county's blocking\n",
               (long long)st->incr_keys_pairs, (long long)st->incr_keys_missed);
    if (st->incr_checks_failed)
        printf("  checks whose read of the store failed: %d, shown as not checked; the resolve "
               "carried on (first: %s)\n",
               st->incr_checks_failed, st->incr_check_error);
    if (st->incr_scope_loaded == -2)
        printf("  scope loaded alone: not checked (%s)\n",
               st->incr_checks_failed ? "the store holds no keys, or its read failed"
                                      : "the store holds no keys");
    else if (st->incr_scope_loaded >= 0)
        printf("  scope loaded alone: %lld refs loaded for a scope of %lld (%.2f s CPU), %lld "
               "stored rows (%.2f s CPU); %lld candidate pairs from the stored keys (%.2f s CPU); "
               "%lld fingerprints, rows and pairs differing from the county's; %lld blocks over "
               "the cap kept out by the county's sizes\n",
               (long long)st->incr_scope_loaded, (long long)st->incr_scope_refs,
               st->cpu_incr_scope_load, (long long)st->incr_scope_rows, st->cpu_incr_scope_rows,
               (long long)st->incr_scope_pairs, st->cpu_incr_scope_keys,
               (long long)st->incr_scope_missed, (long long)st->incr_scope_capped);
    if (st->incr_tally_missed >= 0)
        printf("  identities counted by the store: %lld before the run; its highest person number "
               "and the identities after the run so counted: %lld differing from the county's\n",
               (long long)st->incr_tally_identities, (long long)st->incr_tally_missed);
    if (st->incr_hh_places == -2)
        printf("  stored household places: none (a store resolved before they were kept)\n");
    else if (st->incr_hh_places >= 0)
        printf("  stored household places: %lld places of the changed refs (%lld of over 96 "
               "refs), %lld entries differing from the county's\n",
               (long long)st->incr_hh_places, (long long)st->incr_hh_big,
               (long long)st->incr_hh_missed);
    if (list)
        print_touched(touched);
}

/* What a run did, in figures. */
static void print_stats(const jd_resolve_stats *st, double seconds, bool review)
{
    printf("resolved %lld person_refs (%lld mentions) into %lld identities in %.2f s\n"
           "  candidate pairs %lld, links %lld, merges refused %lld, large blocks skipped %lld\n"
           "  human decisions applied: %lld confirmed, %lld not the same\n"
           "  load %.2f s, block %.2f s, estimate %.2f s, score %.2f s, cluster %.2f s, "
           "save %.2f s\n",
           (long long)st->refs, (long long)st->mentions, (long long)st->identities, seconds,
           (long long)st->candidate_pairs, (long long)st->links, (long long)st->refused,
           (long long)st->skipped_blocks, (long long)st->confirmed, (long long)st->rejected,
           st->seconds_load, st->seconds_block, st->seconds_estimate, st->seconds_score,
           st->seconds_cluster, st->seconds_save);
    printf("  CPU (all threads): load %.2f s, block %.2f s, estimate %.2f s, score %.2f s, "
           "cluster %.2f s, identities %.2f s, save %.2f s; the main thread %.2f s\n",
           st->cpu_load, st->cpu_block, st->cpu_estimate, st->cpu_score, st->cpu_cluster,
           st->cpu_identities, st->cpu_save, st->cpu_main);
    printf("  scored in full %lld; the rest could not reach the threshold: %lld on dates,\n"
           "  places, phones and identifiers whatever their names, %lld once a name was compared\n",
           (long long)st->scored_pairs, (long long)st->bounded_out, (long long)st->name_cut);
    /* throughput per CPU-second of the scoring phase (all threads): its wall
     * time times the threads counts the queue for the cores on a shared
     * machine (at 10M under load, 0.39M a core-second by wall, 2.6M by CPU) */
    if (st->cpu_score > 0)
        printf("  scoring: %d thread%s, %.2fM candidate pairs and %.2fM scored pairs per "
               "CPU-second\n",
               st->threads, st->threads == 1 ? "" : "s",
               (double)st->candidate_pairs / st->cpu_score / 1e6,
               (double)st->scored_pairs / st->cpu_score / 1e6);
    printf("  identities to review: %lld (more than one date of birth %lld, both genders %lld,\n"
           "  more than one first name %lld)%s\n",
           (long long)st->review, (long long)st->review_dob, (long long)st->review_gender,
           (long long)st->review_forename, review ? "" : "; list them with --review");
    printf("  cannot-links: %lld pairs of refs named as two people in one event; merges refused\n"
           "  for different identifiers or decisions %lld, genders %lld, dates of birth %lld,\n"
           "  ages %lld, a shared event %lld, first names %lld; sparse refs kept apart as\n"
           "  possible matches %lld,"
           "  joined as the one person their links point to %lld, as the one member of\n"
           "  their household who fits %lld, of the family of the people named with\n"
           "  them %lld\n",
           (long long)st->event_cannot_links, (long long)st->refused_by[0],
           (long long)st->refused_by[1], (long long)st->refused_by[2], (long long)st->refused_by[3],
           (long long)st->refused_by[4], (long long)st->refused_by[5],
           (long long)st->sparse_kept_apart, (long long)st->sparse_joined,
           (long long)st->household_joined, (long long)st->family_joined);
    if (st->peak_kb[0]) {
        printf("  memory at the end of load, block, estimate, score, cluster, identities, save"
               " (MiB): peak so far");
        for (int k = 0; k < 7; k++)
            printf(" %lld", (long long)st->peak_kb[k] / 1024);
        printf("; RSS then");
        for (int k = 0; k < 7; k++)
            printf(" %lld", (long long)st->rss_kb[k] / 1024);
        printf("; notes left out (they could not change a ref's note) %lld\n",
               (long long)st->notes_left_out);
    }
    if (st->household_fits_asked)
        printf("  household members asked whether they fit a sparse ref %lld, not asked"
               " again at another of their refs %lld\n",
               (long long)st->household_fits_asked, (long long)st->household_fits_memo);
    if (st->links_pre_made)
        printf("  links checked ahead on a second thread %lld, taken by the clustering %lld\n",
               (long long)st->links_pre_made, (long long)st->links_pre_taken);
    printf("  pairs proposed by blocking rule:");
    for (int i = 0; i < 16; i++)
        if (st->pairs_by_rule[i])
            printf(" %d:%lld", i, (long long)st->pairs_by_rule[i]);
    printf("\n");
}

/* resolve's options with a number (--threads, --threshold, --hops,
 * --max-share) into ro; -1 (said on stderr) when it is not one. */
static int number_opt(int o, const char *arg, jd_resolve_opts *ro)
{
    long n;
    char *e;
    switch (o) {
    case 'j':
        if (cli_parse_range("--threads", arg, 1, 64, &n) < 0)
            return -1;
        ro->threads = (int)n;
        return 0;
    case 'H':
        if (cli_parse_range("--hops", arg, 0, 1000, &n) < 0)
            return -1;
        ro->incr_hops = (int)n;
        return 0;
    case 't':
        ro->threshold = strtod(arg, &e);
        if (*e || ro->threshold <= 0 || ro->threshold >= 1) {
            fprintf(stderr, "joindots: --threshold is a probability between 0 and 1\n");
            return -1;
        }
        return 0;
    default:
        ro->incr_max_share = strtod(arg, &e);
        if (*e || ro->incr_max_share < 0 || ro->incr_max_share > 1) {
            fprintf(stderr, "joindots: --max-share is a share between 0 and 1\n");
            return -1;
        }
        return 0;
    }
}

int cmd_resolve(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"threshold", required_argument, NULL, 't'},
                                             {"variants", required_argument, NULL, 'v'},
                                             {"threads", required_argument, NULL, 'j'},
                                             {"review", no_argument, NULL, 'r'},
                                             {"frozen", no_argument, NULL, 'f'},
                                             {"incremental", no_argument, NULL, 'i'},
                                             {"touched", no_argument, NULL, 'T'},
                                             {"max-share", required_argument, NULL, 'm'},
                                             {"hops", required_argument, NULL, 'H'},
                                             {"no-checks", no_argument, NULL, 'C'},
                                             {"checks", no_argument, NULL, 'K'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL;
    jd_resolve_opts ro = JD_RESOLVE_OPTS_INIT;
    bool incremental = false, list = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'j':
        case 't':
        case 'H':
        case 'm':
            if (number_opt(o, optarg, &ro) < 0)
                return JD_EXIT_USAGE;
            break;
        case 'v':
            ro.variants = optarg;
            break;
        case 'r':
            ro.review = stdout;
            break;
        case 'f':
            ro.frozen_params = true;
            break;
        case 'i':
            incremental = true;
            break;
        case 'T':
            list = true;
            break;
        case 'C':
            ro.incr_no_checks = true;
            break;
        case 'K':
            ro.incr_scope_check = true;
            break;
        default:
            return cli_usage(usage, o == 'h');
        }
    }
    if (!db || optind != argc || (incremental && ro.frozen_params) ||
        ((list || ro.incr_no_checks || ro.incr_scope_check) && !incremental) ||
        (ro.incr_no_checks && ro.incr_scope_check))
        return cli_usage(usage, false);
#ifdef __GLIBC__
    /* Resolve's large arrays come and go phase by phase: a fixed threshold
     * maps each one of 1 MB or more apart and hands it back when freed
     * (glibc's moving threshold keeps those up to 32 MB in the heap once
     * one is freed: at 1M, 82 MB more at the peak). A failure only leaves
     * glibc's default, so the result is ignored. */
    (void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    jd_store_opts so = {.create = false, .read_only = false};
    int rc = jd_store_open(&s, db, &so, &err);
    jd_resolve_stats st;
    double t0 = cli_now();
    jd_person_set *touched = NULL;
    if (rc == JD_OK)
        rc = incremental ? jd_resolve_incremental(s, &ro, &st, &touched, &err)
                         : jd_resolve(s, &ro, &st, &err);
    jd_store_close(s);
    if (rc == JD_OK && incremental)
        print_incremental(&st, touched, list);
    jd_person_set_free(touched);
    if (rc < 0) {
        cli_print_error("resolve", &err);
        return cli_exit_code(rc);
    }
    print_stats(&st, cli_now() - t0, ro.review != NULL);
    return JD_EXIT_OK;
}

int cmd_explain_match(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'h':
            printf("usage: joindots explain-match --db FILE AGENCY:REF AGENCY:REF\n\n"
                   "Shows how the last resolution model compares two refs: each field's\n"
                   "level and weight, strong identifiers, the total and the probability.\n");
            return JD_EXIT_OK;
        default:
            return JD_EXIT_USAGE;
        }
    }
    jd_ref a, b;
    if (!db || argc - optind != 2 || cli_split_ref(&a, argv[optind]) ||
        cli_split_ref(&b, argv[optind + 1])) {
        fprintf(stderr, "usage: joindots explain-match --db FILE AGENCY:REF AGENCY:REF\n");
        return JD_EXIT_USAGE;
    }
    jd_error err;
    jd_error_clear(&err);
    jd_store *s = NULL;
    jd_store_opts so = {.create = false, .read_only = true};
    int rc = jd_store_open(&s, db, &so, &err);
    if (rc == JD_OK)
        rc = jd_explain_match(s, &a, &b, stdout, &err);
    jd_store_close(s);
    if (rc < 0) {
        cli_print_error("explain-match", &err);
        return cli_exit_code(rc);
    }
    return JD_EXIT_OK;
}
