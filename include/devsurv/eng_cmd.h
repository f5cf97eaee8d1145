/*
 * eng_cmd.h - the `devsurv` subcommands and what they share.
 *
 * Each subcommand is `int eng_cmd_X(int argc, char **argv)` with argv[0]
 * the subcommand name; it parses its own options (getopt_long), prints its
 * own --help on stdout, and returns a sysexits.h code. engine/devsurv.c
 * holds the table that dispatches to them.
 */
#ifndef DEVSURV_ENG_CMD_H
#define DEVSURV_ENG_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "devsurv/eng_config.h"
#include "devsurv/eng_store_cells.h"

int eng_cmd_serve(int argc, char **argv);
int eng_cmd_replay(int argc, char **argv);
int eng_cmd_signals(int argc, char **argv);
int eng_cmd_keygen(int argc, char **argv);
int eng_cmd_config(int argc, char **argv);
int eng_cmd_stats(int argc, char **argv);
int eng_cmd_check_rules(int argc, char **argv);
int eng_cmd_check_plans(int argc, char **argv);
int eng_cmd_extract(int argc, char **argv);
int eng_cmd_context(int argc, char **argv);
int eng_cmd_eval_maude(int argc, char **argv);
int eng_cmd_verify(int argc, char **argv);
int eng_cmd_explain(int argc, char **argv);
int eng_cmd_alert(int argc, char **argv);

#define ENG_CMD_SETS_MAX 64

/* Configuration sources named on a command line, applied in the order
 * defaults < file < --set (in command-line order) < --db. */
struct eng_cmd_cfg {
    const char *file;
    const char *sets[ENG_CMD_SETS_MAX];
    int nsets;
    const char *db;
};

/* Parse s as a whole decimal integer in [min, max] into *out (for
 * command-line numbers: devsurv and the contrib tools). False, *out
 * untouched, for an empty string, trailing bytes, overflow or a value out
 * of range; the caller says which option was wrong. */
bool eng_cmd_int(const char *s, long long min, long long max, long long *out);

/* Record one --set; EX_USAGE (with a message) when there are too many. */
int eng_cmd_cfg_add_set(struct eng_cmd_cfg *o, const char *assignment);

/* Build *cfg from o, validate, apply log.level. Prints the diagnostic on
 * stderr and returns EX_CONFIG (EX_NOINPUT for an unreadable file), or 0. */
int eng_cmd_cfg_build(const struct eng_cmd_cfg *o, struct eng_config *cfg);

/* The rule tree a command uses: given (--rules) if not NULL, else
 * $DEVSURV_RULES, else ./rules when it is a directory, else the installed
 * tree DS_RULES_DIR ($(PREFIX)/share/devsurv/rules). */
const char *eng_cmd_rules_dir(const char *given);

/* One human-readable line for a committed signal. */
void eng_cmd_print_signal(FILE *out, const struct eng_signal *s);

/* The getopt_long option index values shared by subcommands. */
enum {
    ENG_OPT_SET = 1000,
    ENG_OPT_DB,
    ENG_OPT_JSON,
    ENG_OPT_SOURCE,
    ENG_OPT_EPOCH,
    ENG_OPT_CHECK
};

#endif
