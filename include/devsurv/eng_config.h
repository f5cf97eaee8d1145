/*
 * eng_config.h - the engine configuration: one table, one struct.
 *
 * Every key lives in one table (section, key, type, default, range or
 * choices, description, where it lands in struct eng_config). The same
 * table validates files and --set overrides, fills defaults, prints
 * `devsurv config --help` and prints the effective configuration, so a key
 * cannot exist in one place and be missing in another.
 *
 * File format (INI-like):
 *     # comment (also ';'), only at the start of a line after blanks
 *     [section]
 *     key = value          value runs to end of line, blanks trimmed;
 *     key = "  value "     double quotes keep blanks; \" and \\ escapes
 * Sections and keys are lower-case [a-z0-9_]. An unknown section or key, a
 * key outside a section, a duplicate key in one file, a bad value or a line
 * that is not one of the above is an error naming file:line. Booleans accept
 * true/false, yes/no, on/off, 1/0. Integers are decimal. Doubles are finite
 * and decimal (no nan, inf or hex). Strings hold no control character but
 * tab, and must fit their field.
 *
 * Precedence: defaults < file (-c) < --set section.key=value (in order).
 *
 * Not here: reloading (SIGHUP re-reads allowlists, not this file) and the
 * audit of configuration changes (the audit module records the printed
 * effective configuration).
 */
#ifndef DEVSURV_ENG_CONFIG_H
#define DEVSURV_ENG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devsurv/ds_diag.h"

#define ENG_CONFIG_STR_MAX 512

struct eng_config {
    struct {
        char level[16]; /* error | warn | info | debug */
    } log;
    struct {
        char endpoint[ENG_CONFIG_STR_MAX]; /* ZeroMQ ROUTER bind endpoint */
        bool insecure;        /* plaintext link (local demos only) */
        int64_t max_msg_size; /* bytes; larger messages are rejected */
        int64_t credit;       /* events a publisher may have un-ACKed */
        char server_key[ENG_CONFIG_STR_MAX]; /* CURVE secret key file */
        char allowlist[ENG_CONFIG_STR_MAX];  /* source -> public key file */
    } ingest;
    struct {
        char endpoint[ENG_CONFIG_STR_MAX]; /* PUB fan-out bind, "" = off */
        char snapshot[ENG_CONFIG_STR_MAX]; /* ROUTER snapshot bind */
        int64_t health_ms;                 /* period of the health message */
    } publish;
    struct {
        char path[ENG_CONFIG_STR_MAX]; /* SQLite database file */
        int64_t batch_ms;     /* group commit: max age of an open batch */
        int64_t batch_events; /* group commit: max events per batch */
    } store;
    struct {
        double alpha;         /* type I error of the whole surveillance */
        int64_t min_events;   /* M: fewest events that may signal */
        double baseline_rate; /* H0 outcomes per exposure */
        double max_expected;  /* T: surveillance length in H0 events */
        double delay;         /* D: H0 events before the first look */
    } maxsprt;
    struct {
        int64_t checkpoint_every; /* audit entries between checkpoints */
        char signing_key[ENG_CONFIG_STR_MAX]; /* Ed25519 .sign.key, "" */
        char anchors[ENG_CONFIG_STR_MAX];     /* signed tree heads file, "" */
    } audit;
    struct {
        char dir[ENG_CONFIG_STR_MAX]; /* rule tree, "" = the default one */
    } rules;
    struct {
        bool enabled;                 /* extract, link and test plans */
        char dir[ENG_CONFIG_STR_MAX]; /* plan files, "" = <rules>/plans */
        int64_t lateness_hours;       /* allowed lateness of event time */
    } plans;
    struct {
        char listen[ENG_CONFIG_STR_MAX];     /* "127.0.0.1:8080", "" = off */
        char token_file[ENG_CONFIG_STR_MAX]; /* bearer token, "" = none */
        char static_dir[ENG_CONFIG_STR_MAX]; /* dashboard files, "" = default */
    } http;
};

enum eng_config_type {
    ENG_CONFIG_STR,
    ENG_CONFIG_INT,    /* int64_t */
    ENG_CONFIG_DOUBLE, /* double */
    ENG_CONFIG_BOOL    /* bool */
};

struct eng_config_key {
    const char *section;
    const char *key;
    enum eng_config_type type;
    const char *def;     /* default value, as it would be written in a file */
    double min, max;     /* inclusive range for INT and DOUBLE; for STR
                            0 and the longest value in bytes (the field
                            size less its NUL) */
    const char *choices; /* STR only: "a|b|c", or NULL for free text */
    const char *desc;    /* one line for `devsurv config --help` */
    size_t offset;       /* of the field in struct eng_config */
};

/* The key table, *n entries, in a fixed order (static; never freed). */
const struct eng_config_key *eng_config_keys(size_t *n);

/* Fill every field with its default. Cannot fail (defaults are tested). */
void eng_config_defaults(struct eng_config *cfg);

/* Apply the INI text buf[0..n) named `name` (for diagnostics) over cfg.
 * On error returns DS_ECONFIG (DS_EPARSE for a malformed line) with
 * diag = name:line: message; cfg may then be partly updated: discard it. */
int eng_config_parse(struct eng_config *cfg, const char *buf, size_t n,
                     const char *name, struct ds_diag *diag);

/* Read file path and apply it as eng_config_parse(). DS_EIO with diag
 * "path: <strerror>" when it cannot be read, DS_ETOOBIG when it is over
 * 1 MiB (not a config file), DS_ENOMEM when the read buffer cannot be
 * allocated. */
int eng_config_load(struct eng_config *cfg, const char *path,
                    struct ds_diag *diag);

/* Apply one "section.key=value" override (the --set syntax). The value is
 * everything after the first '=', taken as is: no trimming, quotes or
 * escapes (the shell has already done that). Errors as eng_config_parse()
 * with diag file "--set", line 0. */
int eng_config_set(struct eng_config *cfg, const char *assignment,
                   struct ds_diag *diag);

/* Checks that span several keys (maxsprt.delay <= maxsprt.max_expected;
 * call once after all sources are applied). Also re-checks each
 * field against its key, for structs filled in by code. 0 or DS_ECONFIG. */
int eng_config_validate(const struct eng_config *cfg, struct ds_diag *diag);

/* The table as `devsurv config --help` shows it: per section, each key with
 * type, default, range/choices and description. */
void eng_config_print_help(FILE *out);

/* The effective configuration as a valid INI file (every key, in table
 * order). Parsing the output gives back an equal struct. */
void eng_config_print(const struct eng_config *cfg, FILE *out);

#endif
