/*
 * ds-scenario.c - main of ds-scenario: a seeded generator of synthetic
 * device-surveillance event streams from a small scenario file.
 *
 *   ds-scenario [--seed N] [--truth FILE] [--reports] SCENARIO|-
 *
 * Writes native event envelopes, one JSON object a line, to stdout in
 * event-time order; the same scenario and seed give the same bytes on
 * every machine. --truth writes the ground truth as TSV: per implant month,
 * device and outcome, the exposures and the patients who develop the
 * outcome. The format of the scenario file is in ds-scenario-parse.c; the .scn
 * files in fixtures/scenarios/ are worked examples.
 *
 * Exit codes (sysexits.h): 0 done, 64 usage, 65 bad scenario (file:line on
 * stderr), 66 no such file, 70 generation failed, 71 out of memory, 73
 * cannot create the truth file, 74 write error.
 *
 * Not here: the parser, generator and writer (ds-scenario-*.c).
 */
#include "ds-scenario.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

struct s_opts {
    const char *file, *truth;
    bool seed_set, reports;
    uint64_t seed;
};

static void s_usage(FILE *f)
{
    fputs("usage: ds-scenario [--seed N] [--truth FILE] [--reports] "
          "SCENARIO|-\n\n"
          "Generate a synthetic surveillance stream (native event envelopes,\n"
          "one JSON object a line, in event-time order) from SCENARIO.\n"
          "The same file and seed give the same bytes everywhere.\n\n"
          "  --seed N      override the scenario's seed (0..2^64-1)\n"
          "  --truth FILE  write the ground truth as TSV: month, device,\n"
          "                product_code, outcome, code, baseline, rate,\n"
          "                exposures, cases (patients who develop it)\n"
          "  --reports     also emit MAUDE-like report events for the\n"
          "                scenario's `reports` share of cases\n\n"
          "exit: 0 done, 64 usage, 65 bad scenario (file:line), 66 no such\n"
          "file, 71 out of memory, 73 cannot create FILE, 74 write error\n",
          f);
}

static int s_seed(const char *v, uint64_t *out)
{
    char *end;
    if (!v || *v < '0' || *v > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end || errno)
        return -1;
    *out = x;
    return 0;
}

static int s_args(int argc, char **argv, struct s_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            s_usage(stdout);
            exit(0);
        } else if (strcmp(a, "--seed") == 0) {
            if (i + 1 >= argc || s_seed(argv[++i], &o->seed)) {
                fprintf(stderr, "ds-scenario: --seed: expected 0..2^64-1\n");
                return EX_USAGE;
            }
            o->seed_set = true;
        } else if (strcmp(a, "--truth") == 0 && i + 1 < argc) {
            o->truth = argv[++i];
        } else if (strcmp(a, "--reports") == 0) {
            o->reports = true;
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && !o->file) {
            o->file = a;
        } else {
            fprintf(stderr, "ds-scenario: unexpected argument '%s'\n", a);
            s_usage(stderr);
            return EX_USAGE;
        }
    }
    if (!o->file) {
        s_usage(stderr);
        return EX_USAGE;
    }
    return 0;
}

/* Read all of f (at most DSS_FILE_MAX + 1 bytes: more is refused by the
 * parser). Caller frees *buf. */
static int s_slurp(FILE *f, char **buf, size_t *n)
{
    size_t cap = DSS_FILE_MAX + 1;
    if (!(*buf = ds_malloc(cap)))
        return DS_ENOMEM;
    *n = fread(*buf, 1, cap, f);
    return ferror(f) ? DS_EIO : 0;
}

static int s_load(const struct s_opts *o, struct dss_scenario *sc)
{
    FILE *f = strcmp(o->file, "-") == 0 ? stdin : fopen(o->file, "rb");
    char *buf = NULL, msg[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    size_t n = 0;
    struct ds_diag diag;
    if (!f) {
        fprintf(stderr, "ds-scenario: %s: %s\n", o->file, strerror(errno));
        return EX_NOINPUT;
    }
    int rc = s_slurp(f, &buf, &n);
    if (f != stdin)
        fclose(f);
    if (rc == 0)
        rc = dss_parse(sc, strcmp(o->file, "-") ? o->file : "<stdin>", buf, n,
                       &diag);
    else
        ds_diag_set_code(&diag, rc, o->file, 0, "%s", ds_strerror(rc));
    ds_free(buf);
    if (rc == 0)
        return 0;
    fprintf(stderr, "ds-scenario: %s\n",
            ds_diag_format(&diag, msg, sizeof msg));
    return rc == DS_ENOMEM ? EX_OSERR : rc == DS_EIO ? EX_IOERR : EX_DATAERR;
}

static void s_truth_row(FILE *f, const struct dss_scenario *sc, long m,
                        const struct dss_device *d, const struct dss_outcome *o,
                        const struct dss_rate *r, const struct dss_truth *t)
{
    long y = sc->year + (sc->month - 1 + m) / 12;
    int mo = (int)((sc->month - 1 + m) % 12) + 1;
    fprintf(f, "%04ld-%02d\t%s\t%s\t%s\t%s\t%s\t%s\t%ld\t%ld\n", y, mo, d->name,
            d->product_code, o ? o->name : "-", o ? o->code : "-",
            r ? r->baseline_s : "-", r ? r->rate_s : "-", t->exposures,
            o ? t->cases : 0);
}

static int s_truth(const char *path, const struct dss_scenario *sc,
                   const struct dss_truth *truth)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "ds-scenario: %s: %s\n", path, strerror(errno));
        return EX_CANTCREAT;
    }
    fputs("month\tdevice\tproduct_code\toutcome\tcode\tbaseline\trate\t"
          "exposures\tcases\n",
          f);
    for (long m = 0; m < sc->months; m++)
        for (size_t d = 0; d < sc->ndev; d++) {
            const struct dss_truth *cells =
                &truth[(m * (long)sc->ndev + (long)d) * (long)sc->nout];
            struct dss_truth none = {sc->dev[d].implants, 0};
            int rows = 0;
            for (size_t o = 0; o < sc->nout; o++)
                for (size_t j = 0; j < sc->out[o].nrates; j++)
                    if (sc->out[o].rates[j].device == (int)d) {
                        s_truth_row(f, sc, m, &sc->dev[d], &sc->out[o],
                                    &sc->out[o].rates[j], &cells[o]);
                        rows++;
                    }
            if (!rows)
                s_truth_row(f, sc, m, &sc->dev[d], NULL, NULL, &none);
        }
    if (fclose(f) != 0) {
        fprintf(stderr, "ds-scenario: %s: write failed\n", path);
        return EX_IOERR;
    }
    return 0;
}

static int s_run(const struct s_opts *o, const struct dss_scenario *sc)
{
    size_t cells = (size_t)sc->months * sc->ndev * (sc->nout ? sc->nout : 1);
    struct dss_truth *truth = ds_calloc(cells, sizeof *truth);
    dss_emit_t *em = dss_emit_new(stdout, sc->site);
    struct dss_gen_opts go = {.reports = o->reports};
    int rc = truth && em ? dss_generate(sc, &go, em, truth) : DS_ENOMEM;
    int ex = 0;
    if (rc == 0 && fflush(stdout) != 0)
        rc = DS_EIO;
    if (rc)
        fprintf(stderr, "ds-scenario: %s\n", ds_strerror(rc));
    ex = rc == DS_ENOMEM ? EX_OSERR
         : rc == DS_EIO  ? EX_IOERR
         : rc            ? EX_SOFTWARE
                         : 0;
    if (ex == 0 && o->truth)
        ex = s_truth(o->truth, sc, truth);
    dss_emit_destroy(&em);
    ds_free(truth);
    return ex;
}

int main(int argc, char **argv)
{
    struct s_opts o = {0};
    int ex = s_args(argc, argv, &o);
    if (ex)
        return ex;
    struct dss_scenario *sc = ds_calloc(1, sizeof *sc);
    if (!sc) {
        fprintf(stderr, "ds-scenario: out of memory\n");
        return EX_OSERR;
    }
    ex = s_load(&o, sc);
    if (ex == 0) {
        if (o.seed_set)
            sc->seed = o.seed;
        ex = s_run(&o, sc);
    }
    dss_clear(sc);
    ds_free(sc);
    return ex;
}
