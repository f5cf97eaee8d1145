/*
 * eng_cmd_stats_disprop.c - `devsurv stats disprop` (PRR, ROR, chi2, IC,
 * EBGM of one 2x2 table) and `devsurv stats ebgm-fit` (the EBGM prior
 * fitted to an "N,E" CSV table). Thin shells over eng_disprop.h and
 * eng_ebgm.h; the statistics, their sources and the zero-cell policy are
 * documented there and in the --help texts below.
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_cmd_stats.h"
#include "devsurv/eng_disprop.h"
#include "devsurv/eng_ebgm.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static const char s_disprop_help[] =
    "usage: devsurv stats disprop --a A --b B --c C --d D\n"
    "                             [--prior a1,b1,a2,b2,p]\n"
    "\n"
    "Disproportionality of one 2x2 table of report counts:\n"
    "                   event   other events\n"
    "    device           a          b\n"
    "    other devices    c          d           N = a + b + c + d\n"
    "\n"
    "Prints one JSON object:\n"
    "  E                  (a+b)(a+c)/N, the count expected in a\n"
    "  prr, prr_lo, prr_hi  PRR = [a/(a+b)]/[c/(c+d)] and its 95% interval\n"
    "                     exp(ln PRR -/+ 1.959964 SE) (Evans et al. 2001)\n"
    "  ror, ror_lo, ror_hi  ROR = ad/(bc), 95% interval likewise\n"
    "                     (van Puijenbroek et al. 2002)\n"
    "  chi2               chi-square with Yates' correction, 1 df\n"
    "  ic, ic025, ic975   IC = log2((a+0.5)/(E+0.5)) and log2 of the exact\n"
    "                     2.5%/97.5% quantiles of Gamma(a+0.5, rate E+0.5)\n"
    "                     (BCPNN shrinkage form, Noren et al. 2006, 2013)\n"
    "  ebgm, eb05, eb95   DuMouchel's (1999) EBGM and the 5%/95% quantiles\n"
    "                     of the posterior, for the prior --prior\n"
    "\n"
    "--prior a1,b1,a2,b2,p  gamma mixture p Gamma(a1, b1) + (1-p) Gamma(a2,\n"
    "                     b2), shapes and rates > 0, 0 < p < 1; default\n"
    "                     0.2,0.06,1.4,1.8,0.1: DuMouchel's 1999 starting\n"
    "                     values (PhViD's default prior). Use the prior\n"
    "                     `devsurv stats ebgm-fit` fits to the whole table.\n"
    "\n"
    "Zero cells: no continuity correction (no Haldane +0.5, which would make\n"
    "a table without a single report of the pair look disproportionate).\n"
    "A value that is infinite or undefined prints as null:\n"
    "  a = 0   prr = ror = 0, their bounds null\n"
    "  b = 0   ror and bounds null (prr finite)\n"
    "  c = 0   prr, ror and all bounds null\n"
    "  d = 0   ror = 0, its bounds null (prr finite)\n"
    "  a margin (a+b, c+d, a+c or b+d) of 0: chi2 null\n"
    "IC and EBGM are finite for every table (Bayesian shrinkage); with\n"
    "E = 0 they describe the prior alone.\n"
    "\n"
    "exit: 0 ok, 64 bad options, 65 a count negative, fractional or over\n"
    "2^53, all counts 0, or an invalid prior\n";

static json_t *s_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* --x as a count: a whole number in [0, 2^53]. */
static int s_count(const char *name, double v, int64_t *out)
{
    if (!(v >= 0) || v != floor(v) || v > ENG_DISPROP_N_MAX)
        return eng_stats_fail("disprop", EX_DATAERR,
                              "--%s: a count must be a whole number >= 0 "
                              "(got %.17g)",
                              name, v);
    *out = (int64_t)v;
    return 0;
}

static int s_table(const double v[4], struct eng_disprop_table *t)
{
    int64_t *cells[4] = {&t->a, &t->b, &t->c, &t->d};
    static const char *const names[4] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
        int rc = s_count(names[i], v[i], cells[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int s_prior(const struct eng_stats_list *l, struct eng_ebgm_prior *th)
{
    if (l->n != 5)
        return eng_stats_fail("disprop", EX_DATAERR,
                              "--prior: needs 5 values a1,b1,a2,b2,p "
                              "(got %zu)",
                              l->n);
    *th = (struct eng_ebgm_prior){l->v[0], l->v[1], l->v[2], l->v[3], l->v[4]};
    if (!eng_ebgm_prior_valid(th))
        return eng_stats_fail("disprop", EX_DATAERR,
                              "--prior: shapes and rates must be > 0 and "
                              "0 < p < 1");
    return 0;
}

static json_t *s_disprop_json(const struct eng_disprop *r)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "E", s_num(r->e));
    json_object_set_new(o, "prr", s_num(r->prr));
    json_object_set_new(o, "prr_lo", s_num(r->prr_lo));
    json_object_set_new(o, "prr_hi", s_num(r->prr_hi));
    json_object_set_new(o, "ror", s_num(r->ror));
    json_object_set_new(o, "ror_lo", s_num(r->ror_lo));
    json_object_set_new(o, "ror_hi", s_num(r->ror_hi));
    json_object_set_new(o, "chi2", s_num(r->chi2));
    json_object_set_new(o, "ic", s_num(r->ic));
    json_object_set_new(o, "ic025", s_num(r->ic025));
    json_object_set_new(o, "ic975", s_num(r->ic975));
    json_object_set_new(o, "ebgm", s_num(r->ebgm));
    json_object_set_new(o, "eb05", s_num(r->eb05));
    json_object_set_new(o, "eb95", s_num(r->eb95));
    return o;
}

int eng_stats_cmd_disprop(int argc, char **argv)
{
    double v[4];
    struct eng_stats_list prior_list;
    bool prior_seen = false;
    const struct eng_stats_opt opts[] = {
        {"a", ENG_STATS_DOUBLE, true, &v[0], NULL},
        {"b", ENG_STATS_DOUBLE, true, &v[1], NULL},
        {"c", ENG_STATS_DOUBLE, true, &v[2], NULL},
        {"d", ENG_STATS_DOUBLE, true, &v[3], NULL},
        {"prior", ENG_STATS_LIST, false, &prior_list, &prior_seen},
    };
    struct eng_ebgm_prior th = ENG_EBGM_PRIOR_DEFAULT;
    struct eng_disprop_table t;
    struct eng_disprop r;
    int rc = eng_stats_args(argc, argv, opts, sizeof opts / sizeof opts[0],
                            NULL, 0, s_disprop_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = s_table(v, &t)) != 0 ||
        (prior_seen && (rc = s_prior(&prior_list, &th)) != 0))
        return rc;
    if (eng_disprop_compute(&t, &th, &r) != 0)
        return eng_stats_fail("disprop", EX_DATAERR,
                              "the table is empty or too large: need "
                              "0 < a+b+c+d <= 2^53");
    return eng_stats_print(s_disprop_json(&r));
}

static const char s_fit_help[] =
    "usage: devsurv stats ebgm-fit FILE\n"
    "\n"
    "Fits the EBGM prior theta = (alpha1, beta1, alpha2, beta2, p) of\n"
    "DuMouchel's (1999) gamma-Poisson shrinker to a whole table of cells\n"
    "by maximum marginal likelihood, zero-truncated as openEBGM does by\n"
    "default: only cells with N >= 1 enter, each negative binomial\n"
    "component truncated at 0 (openEBGM negLL, N* = 1). No data squashing.\n"
    "\n"
    "FILE  CSV: the header line \"N,E\", then one cell per line, N the\n"
    "      observed count (a whole number >= 0, at most 15 digits), E > 0\n"
    "      the expected count (decimal); empty lines are skipped. \"-\"\n"
    "      reads standard input.\n"
    "\n"
    "Prints {\"alpha1\", \"beta1\", \"alpha2\", \"beta2\", \"p\", "
    "\"neg_log_lik\"}:\n"
    "the prior p Gamma(alpha1, beta1) + (1-p) Gamma(alpha2, beta2) (shape,\n"
    "rate; components ordered so that p <= 0.5) and the negative\n"
    "log-likelihood there. Method: BFGS with an analytic gradient on\n"
    "(ln alpha1, ln beta1, ln alpha2, ln beta2, logit p) from 5 starts\n"
    "(DuMouchel's among them); from 4000 cells on, the starts run on a\n"
    "subsample of about 2000 cells and the 2 best distinct end points are\n"
    "polished on all cells.\n"
    "\n"
    "exit: 0 ok, 64 bad options, 65 a malformed line (file:line says which)\n"
    "or fewer than 5 cells with N >= 1, 66 FILE cannot be read\n";

/* Whole file (or stdin for "-") into *buf, which the caller ds_free()s.
 * 0, DS_EIO (errno says why) or DS_ENOMEM. */
static int s_read_all(FILE *f, char **buf, size_t *len)
{
    size_t cap = 1 << 16, n = 0, got;
    char *p = ds_malloc(cap);
    while (p && (got = fread(p + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *np = ds_realloc(p, cap *= 2);
            if (!np)
                ds_free(p);
            p = np;
        }
    }
    if (p && ferror(f)) {
        ds_free(p);
        return DS_EIO;
    }
    *buf = p;
    *len = n;
    return p ? 0 : DS_ENOMEM;
}

static int s_slurp(const char *path, char **buf, size_t *len)
{
    if (strcmp(path, "-") == 0)
        return s_read_all(stdin, buf, len);
    FILE *f = fopen(path, "rb");
    if (!f)
        return DS_EIO;
    int rc = s_read_all(f, buf, len);
    fclose(f);
    return rc;
}

static json_t *s_fit_json(const struct eng_ebgm_fit *fit)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "alpha1", s_num(fit->theta.alpha1));
    json_object_set_new(o, "beta1", s_num(fit->theta.beta1));
    json_object_set_new(o, "alpha2", s_num(fit->theta.alpha2));
    json_object_set_new(o, "beta2", s_num(fit->theta.beta2));
    json_object_set_new(o, "p", s_num(fit->theta.p));
    json_object_set_new(o, "neg_log_lik", s_num(fit->neg_log_lik));
    return o;
}

/* Read, parse and fit: EX_OK, or the exit status after the message. */
static int s_fit_file(const char *path, struct eng_ebgm_fit *fit)
{
    struct eng_ebgm_table t;
    struct ds_diag diag;
    char *buf, msg[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    size_t len;
    int rc = s_slurp(path, &buf, &len);
    if (rc != 0)
        return eng_stats_fail("ebgm-fit", rc == DS_EIO ? EX_NOINPUT : EX_OSERR,
                              "%s: %s", path,
                              rc == DS_EIO ? strerror(errno) : "out of memory");
    eng_ebgm_table_init(&t);
    rc = eng_ebgm_csv_parse(buf, len, path, &t, &diag);
    ds_free(buf);
    if (rc != 0)
        rc = eng_stats_fail("ebgm-fit", rc == DS_ENOMEM ? EX_OSERR : EX_DATAERR,
                            "%s", ds_diag_format(&diag, msg, sizeof msg));
    else if ((rc = eng_ebgm_fit(&t, fit)) != 0)
        rc = eng_stats_fail("ebgm-fit", rc == DS_ENOMEM ? EX_OSERR : EX_DATAERR,
                            "%s: %s", path,
                            rc == DS_ENOMEM ? "out of memory"
                                            : "no fit: need at least 5 cells "
                                              "with N >= 1");
    eng_ebgm_table_clear(&t);
    return rc;
}

int eng_stats_cmd_ebgm_fit(int argc, char **argv)
{
    const char *path = NULL;
    struct eng_ebgm_fit fit;
    int rc = eng_stats_args(argc, argv, NULL, 0, &path, 1, s_fit_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if (!path)
        return eng_stats_fail("ebgm-fit", EX_USAGE, "missing FILE");
    if ((rc = s_fit_file(path, &fit)) != 0)
        return rc;
    return eng_stats_print(s_fit_json(&fit));
}
