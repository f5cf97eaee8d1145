/*
 * eng_cmd_check_rules.c - `devsurv check-rules [-q] DIR`: load and validate
 * a rule tree the way the engine will, print what it holds and its SHA-256.
 *
 * The output is deterministic (no times, no absolute paths): one line per
 * file in load order, totals, then "sha256 <64 hex>" last, so scripts can
 * take the last field of the last line. -q prints the hash alone. An
 * invalid tree prints "devsurv check-rules: file:line: message" on stderr;
 * that includes an identifier pattern PCRE2 cannot compile (nlp_regex),
 * and the report says whether PCRE2 JIT is active on this machine.
 *
 * Not here: the format and its checks (nlp/nlp_rules*.c), regenerating
 * files (rules/tools/gen_rules.py).
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_regex.h"
#include "devsurv/nlp_rules.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static void s_help(void)
{
    printf("usage: devsurv check-rules [-q] DIR\n\n"
           "Load the rule tree DIR (VERSION, concepts/, terms/, context/,\n"
           "identifiers/) with every check the engine applies: header\n"
           "columns, required fields, unique ids, enumerations, the licence\n"
           "allow-list, term codes present in their concept files, parents,\n"
           "UTF-8, no control characters, and PCRE2 compiling every\n"
           "pattern. Print the rows of each file, the totals and\n"
           "the rule-set SHA-256 (the value recorded with every mention\n"
           "batch and signal). -q, --quiet prints the SHA-256 alone.\n\n"
           "exit: 0 valid, 64 usage, 65 invalid (file:line: message on\n"
           "stderr), 66 no such directory, 71 out of memory, 74 read "
           "error\n");
}

static const char *s_kind(const struct nlp_rules_file *f)
{
    switch (f->kind) {
    case NLP_RULES_VERSION: return "version";
    case NLP_RULES_CONCEPTS: return "concepts";
    case NLP_RULES_TERMS: return "terms";
    case NLP_RULES_TRIGGERS: return "triggers";
    case NLP_RULES_PATTERNS: return "patterns";
    default: return "sections";
    }
}

static void s_totals(const nlp_rules_t *rules)
{
    size_t n, amb = 0, stop = 0, nconcepts, ntriggers, nsections;
    const struct nlp_term *t = nlp_rules_terms(rules, &n);
    for (size_t i = 0; i < n; i++) {
        amb += t[i].status == NLP_TERM_AMBIGUOUS;
        stop += t[i].status == NLP_TERM_STOP;
    }
    nlp_rules_concepts(rules, &nconcepts);
    nlp_rules_triggers(rules, &ntriggers);
    nlp_rules_sections(rules, &nsections);
    printf("total: %zu concepts, %zu terms (%zu ambiguous, %zu stop), "
           "%zu triggers, %zu sections\n",
           nconcepts, n, amb, stop, ntriggers, nsections);
}

static void s_report(const nlp_rules_t *rules, const nlp_regex_t *re)
{
    size_t n;
    const struct nlp_rules_file *f = nlp_rules_files(rules, &n);
    printf("rules: %s\n", nlp_rules_version(rules));
    for (size_t i = 0; i < n; i++)
        printf("  %-38s %-8s %-16s %6zu rows %9zu bytes\n", f[i].path,
               s_kind(&f[i]),
               f[i].axis < NLP_AXIS_COUNT ? nlp_axis_name(f[i].axis) : "-",
               f[i].rows, f[i].bytes);
    s_totals(rules);
    printf("patterns: %zu compiled, %zu regex passes, PCRE2 JIT %s (%d)\n",
           nlp_regex_count(re), nlp_regex_passes(re),
           nlp_regex_jit(re) ? "on" : "off", nlp_regex_jit_rc(re));
    printf("sha256 %s\n", nlp_rules_sha256(rules));
}

/* Diagnostics name files relative to the tree; print them as DIR/file so
 * an editor can jump to the line. */
static void s_prefix_dir(struct ds_diag *diag, const char *dir, int rc)
{
    size_t nd = strlen(dir), nf = strlen(diag->file);
    if (rc == DS_ENOTFOUND || nf == 0 || nd + 1 + nf >= sizeof diag->file)
        return;
    memmove(diag->file + nd + 1, diag->file, nf + 1);
    memcpy(diag->file, dir, nd);
    diag->file[nd] = '/';
}

static int s_exit_code(int rc)
{
    switch (rc) {
    case DS_ENOTFOUND: return EX_NOINPUT;
    case DS_ENOMEM: return EX_OSERR;
    case DS_EIO: return EX_IOERR;
    default: return EX_DATAERR;
    }
}

int eng_cmd_check_rules(int argc, char **argv)
{
    static const struct option opts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, quiet = 0;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'h': s_help(); return EX_OK;
        default: return EX_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: devsurv check-rules [-q] DIR\n");
        return EX_USAGE;
    }
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    nlp_rules_t *rules = NULL;
    nlp_regex_t *re = NULL;
    int rc = nlp_rules_load(&rules, argv[optind], &diag);
    if (rc == 0)
        rc = nlp_regex_new(&re, rules, 0, &diag);
    if (rc != 0) {
        nlp_rules_destroy(&rules);
        s_prefix_dir(&diag, argv[optind], rc);
        fprintf(stderr, "devsurv check-rules: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return s_exit_code(rc);
    }
    if (quiet)
        printf("%s\n", nlp_rules_sha256(rules));
    else
        s_report(rules, re);
    nlp_regex_destroy(&re);
    nlp_rules_destroy(&rules);
    return EX_OK;
}
