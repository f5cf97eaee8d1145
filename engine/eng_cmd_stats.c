/*
 * eng_cmd_stats.c - `devsurv stats`: the calculator table, the shared
 * option parser and JSON output (see eng_cmd_stats.h). The calculators
 * live in engine/eng_cmd_stats_<family>.c.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_cmd_stats.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} s_calcs[] = {
    {"poisson-cv", eng_stats_cmd_poisson_cv,
     "Poisson MaxSPRT critical value (continuous or group looks)"},
    {"poisson-perf", eng_stats_cmd_poisson_perf,
     "Poisson MaxSPRT power, time to signal, surveillance length"},
    {"poisson-samplesize", eng_stats_cmd_poisson_samplesize,
     "Poisson MaxSPRT length T for a target power"},
    {"disprop", eng_stats_cmd_disprop, "PRR, ROR, chi2, IC, EBGM, 2x2 table"},
    {"ebgm-fit", eng_stats_cmd_ebgm_fit, "EBGM prior fitted to an N,E table"},
    {"binomial-cv", eng_stats_cmd_binomial_cv, "binomial MaxSPRT exact CV"},
    {"binomial-perf", eng_stats_cmd_binomial_perf, "binomial MaxSPRT power"},
    {"sprt-poisson", eng_stats_cmd_sprt_poisson, "Wald SPRT exact alpha"},
    {"cusum-arl", eng_stats_cmd_cusum_arl, "Bernoulli CUSUM run length"},
    {"cusum-h", eng_stats_cmd_cusum_h, "Bernoulli CUSUM h for an ARL0"},
    {NULL, NULL, NULL} /* calculators are added above this line */
};

static size_t s_ncalcs(void)
{
    size_t n = 0;
    while (s_calcs[n].name)
        n++;
    return n;
}

static void s_usage(FILE *out)
{
    fprintf(out, "usage: devsurv stats <calculator> [options]\n\n"
                 "Signal statistics, exactly, one JSON object on stdout.\n"
                 "Formulas and references: reference/stats.md.\n\n"
                 "calculators:\n");
    for (size_t i = 0; i < s_ncalcs(); i++)
        fprintf(out, "  %-20s %s\n", s_calcs[i].name, s_calcs[i].summary);
    fprintf(out, "\n`devsurv stats <calculator> --help` documents each.\n"
                 "exit: 0 ok, 64 usage, 65 invalid or infeasible input\n");
}

int eng_cmd_stats(int argc, char **argv)
{
    if (argc < 2) {
        s_usage(stderr);
        return EX_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        s_usage(stdout);
        return EX_OK;
    }
    for (size_t i = 0; i < s_ncalcs(); i++)
        if (strcmp(argv[1], s_calcs[i].name) == 0)
            return s_calcs[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "devsurv stats: unknown calculator '%s'\n", argv[1]);
    s_usage(stderr);
    return EX_USAGE;
}

int eng_stats_fail(const char *calc, int code, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "devsurv stats %s: ", calc);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int eng_stats_print(json_t *obj)
{
    if (!obj)
        return EX_SOFTWARE;
    json_dumpf(obj, stdout, JSON_COMPACT | JSON_REAL_PRECISION(17));
    fputc('\n', stdout);
    json_decref(obj);
    return EX_OK;
}

static int s_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return (*s && !*end && !errno && isfinite(*out)) ? 0 : -1;
}

static int s_list(const char *s, struct eng_stats_list *l)
{
    char buf[64];
    l->n = 0;
    while (*s) {
        size_t k = strcspn(s, ",");
        if (k == 0 || k >= sizeof buf || l->n == ENG_STATS_LIST_MAX)
            return -1;
        memcpy(buf, s, k);
        buf[k] = '\0';
        if (s_number(buf, &l->v[l->n++]) != 0)
            return -1;
        s += k + (s[k] == ',');
    }
    return l->n ? 0 : -1;
}

static int s_set(const struct eng_stats_opt *o, const char *v)
{
    double d;
    switch (o->type) {
    case ENG_STATS_DOUBLE: return s_number(v, o->out);
    case ENG_STATS_LIST: return s_list(v, o->out);
    case ENG_STATS_STR: *(const char **)o->out = v; return 0;
    case ENG_STATS_INT:
        if (s_number(v, &d) != 0 || d != floor(d) || fabs(d) > 1e15)
            return -1;
        *(long *)o->out = (long)d;
        return 0;
    }
    return -1;
}

static const struct eng_stats_opt *
s_find(const struct eng_stats_opt *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len &&
            strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

/* One "--name value" or "--name=value" at argv[*i]; advances *i. */
static int s_option(int argc, char **argv, int *i,
                    const struct eng_stats_opt *opts, size_t n, bool *seen)
{
    const char *name = argv[*i] + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct eng_stats_opt *o = s_find(opts, n, name, len);
    if (!o)
        return eng_stats_fail(argv[0], EX_USAGE, "unknown option %s", argv[*i]);
    const char *v = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
    if (!v || s_set(o, v) != 0)
        return eng_stats_fail(argv[0], EX_USAGE, "--%.*s: %s", (int)len, name,
                              v ? "not a valid value" : "needs a value");
    seen[o - opts] = true;
    if (o->seen)
        *o->seen = true;
    return 0;
}

int eng_stats_args(int argc, char **argv, const struct eng_stats_opt *opts,
                   size_t n, const char **pos, size_t npos,
                   const char *help_text)
{
    bool seen[64] = {false};
    size_t np = 0;
    if (n > 64)
        return EX_SOFTWARE;
    for (int i = 1; i < argc; i++) {
        int rc = 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(help_text, stdout);
            return -1;
        }
        if (strncmp(argv[i], "--", 2) == 0 && argv[i][2])
            rc = s_option(argc, argv, &i, opts, n, seen);
        else if (np < npos && pos)
            pos[np++] = argv[i];
        else
            rc = eng_stats_fail(argv[0], EX_USAGE,
                                "unexpected argument "
                                "'%s'",
                                argv[i]);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (opts[i].required && !seen[i])
            return eng_stats_fail(argv[0], EX_USAGE, "missing --%s",
                                  opts[i].name);
    return 0;
}
