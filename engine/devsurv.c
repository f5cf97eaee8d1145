/*
 * devsurv.c - main: the subcommand table and the top-level --help and
 * --version. Each subcommand lives in engine/eng_cmd_<name>.c and documents
 * itself with `devsurv <name> --help`.
 */
#include "devsurv/eng_cmd.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#ifndef DS_VERSION
#define DS_VERSION "0.0.0"
#endif

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} s_cmds[] = {
    {"serve", eng_cmd_serve, "run the engine: ZeroMQ ingest into the store"},
    {"replay", eng_cmd_replay, "process a file of events in order, then exit"},
    {"keygen", eng_cmd_keygen,
     "write a CURVE (ingest) or Ed25519 (--signing, audit) key pair"},
    {"signals", eng_cmd_signals, "list the signals in a database"},
    {"verify", eng_cmd_verify,
     "check the audit hash chain, checkpoints and anchors"},
    {"explain", eng_cmd_explain, "why a signal was raised: its lineage"},
    {"alert", eng_cmd_alert, "list, acknowledge and close alerts"},
    {"config", eng_cmd_config, "print the configuration keys or values"},
    {"stats", eng_cmd_stats, "signal statistics calculators (JSON out)"},
    {"check-rules", eng_cmd_check_rules,
     "validate a rule tree and print its SHA-256"},
    {"check-plans", eng_cmd_check_plans, "validate surveillance plans"},
    {"extract", eng_cmd_extract, "extract device and event mentions from text"},
    {"context", eng_cmd_context,
     "context of a phrase in a sentence (NegEx test-set layout)"},
    {"eval-maude", eng_cmd_eval_maude,
     "score extraction against MAUDE report fields"},
};
#define S_NCMDS (sizeof s_cmds / sizeof s_cmds[0])

static void s_usage(FILE *out)
{
    fprintf(out, "usage: devsurv <command> [options]\n"
                 "       devsurv --help | --version\n\n"
                 "Near-real-time medical-device safety surveillance.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < S_NCMDS; i++)
        fprintf(out, "  %-12s %s\n", s_cmds[i].name, s_cmds[i].summary);
    fprintf(out, "\n`devsurv <command> --help` documents each command.\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "C");
    if (argc < 2) {
        s_usage(stderr);
        return EX_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        s_usage(stdout);
        return EX_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("devsurv %s\n", DS_VERSION);
        return EX_OK;
    }
    for (size_t i = 0; i < S_NCMDS; i++)
        if (strcmp(argv[1], s_cmds[i].name) == 0)
            return s_cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "devsurv: unknown command '%s'\n", argv[1]);
    s_usage(stderr);
    return EX_USAGE;
}
