/*
 * eng_cmd_stats.h - `devsurv stats <calculator>`: every statistic on the
 * command line so a statistician can check it.
 *
 * Each calculator is `int eng_stats_cmd_<name>(int argc, char **argv)`
 * (argv[0] = calculator name), registered in the table in
 * engine/eng_cmd_stats.c. It reads `--name value` options with
 * eng_stats_args(), prints exactly one JSON object on stdout with
 * eng_stats_print() (17 significant digits), and returns EX_OK; on invalid
 * or infeasible input it prints "devsurv stats <name>: <why>" on stderr and
 * returns EX_USAGE (malformed options) or EX_DATAERR (values out of domain,
 * no solution).
 */
#ifndef DEVSURV_ENG_CMD_STATS_H
#define DEVSURV_ENG_CMD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum eng_stats_opt_type {
    ENG_STATS_DOUBLE, /* double *: finite number */
    ENG_STATS_INT,    /* long *: decimal integer */
    ENG_STATS_LIST,   /* struct eng_stats_list *: "x1,x2,..." numbers */
    ENG_STATS_STR     /* const char **: any text (a file name) */
};

#define ENG_STATS_LIST_MAX 1024

struct eng_stats_list {
    double v[ENG_STATS_LIST_MAX];
    size_t n;
};

struct eng_stats_opt {
    const char *name; /* without the leading "--", e.g. "alpha" */
    enum eng_stats_opt_type type;
    bool required;
    void *out;  /* where the value goes (type above) */
    bool *seen; /* optional: set when the option was given */
};

/* Parse argv[1..argc) as --name value pairs (also --name=value) against
 * opts[0..n). Positional arguments are collected into *pos (at most npos;
 * pos may be NULL when none are allowed). `--help` prints help_text on
 * stdout and returns -1. Returns 0, -1 (help shown) or EX_USAGE after
 * printing what is wrong ("unknown option", "missing --T", "--alpha: not a
 * number"). */
int eng_stats_args(int argc, char **argv, const struct eng_stats_opt *opts,
                   size_t n, const char **pos, size_t npos,
                   const char *help_text);

/* Print obj compactly with 17 significant digits and a newline on stdout;
 * steals the reference. EX_OK, or EX_SOFTWARE when obj is NULL. */
int eng_stats_print(json_t *obj);

/* Print "devsurv stats <calc>: <message>" on stderr; returns code. */
int eng_stats_fail(const char *calc, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Poisson MaxSPRT design (engine/eng_cmd_stats_poisson.c; eng_maxsprt.h):
 * poisson-cv: critical value and attained alpha (continuous, or looks with
 * --groups: also the boundaries); poisson-perf: power, expected time to
 * signal and surveillance length; poisson-samplesize: T for a power. */
int eng_stats_cmd_poisson_cv(int argc, char **argv);
int eng_stats_cmd_poisson_perf(int argc, char **argv);
int eng_stats_cmd_poisson_samplesize(int argc, char **argv);

/* Disproportionality (engine/eng_cmd_stats_disprop.c; eng_disprop.h,
 * eng_ebgm.h): disprop: PRR, ROR, chi2, IC, EBGM of one 2x2 table;
 * ebgm-fit: the EBGM prior fitted to an "N,E" CSV table of cells. */
int eng_stats_cmd_disprop(int argc, char **argv);
int eng_stats_cmd_ebgm_fit(int argc, char **argv);

/* Sequential tests and charts (engine/eng_cmd_stats_seq.c; eng_binomial.h,
 * eng_sprt.h, eng_cusum.h): binomial-cv / binomial-perf: binomial MaxSPRT
 * critical value, power and events at signal; sprt-poisson: exact alpha,
 * power and times of the truncated upper-boundary Wald SPRT; cusum-arl /
 * cusum-h: Bernoulli CUSUM ARL and the limit h for a target ARL0. */
int eng_stats_cmd_binomial_cv(int argc, char **argv);
int eng_stats_cmd_binomial_perf(int argc, char **argv);
int eng_stats_cmd_sprt_poisson(int argc, char **argv);
int eng_stats_cmd_cusum_arl(int argc, char **argv);
int eng_stats_cmd_cusum_h(int argc, char **argv);

#endif
