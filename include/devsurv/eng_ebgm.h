/*
 * eng_ebgm.h - MGPS / EBGM: DuMouchel's empirical Bayes gamma-Poisson
 * shrinker. Scoring one cell with given hyperparameters, the zero-truncated
 * marginal likelihood, its maximisation over a table of cells, and the
 * "N,E" CSV reader that feeds it.
 *
 * DuMouchel W (1999). Bayesian data mining in large frequency tables, with
 * an application to the FDA spontaneous reporting system. American
 * Statistician 53(3):177-190. Zero truncation as in openEBGM (Canida T,
 * Ihrie J (2017), The R Journal 9(2):499-519; R package openEBGM 0.9.1,
 * negLL with N* = 1). Formulas: ../shared/reference/stats.md section 5.
 *
 * Model: N ~ Poisson(lambda E); lambda ~ P Gamma(a1, b1) + (1-P) Gamma(a2,
 * b2) (shape, rate). Marginally N ~ P NB(a1, b1/(b1+E)) + (1-P) NB(a2,
 * b2/(b2+E)). Posterior weight of component 1:
 *     Qn = P f1(n) / (P f1(n) + (1-P) f2(n)),
 * posterior lambda | n ~ Qn Gamma(a1+n, b1+E) + (1-Qn) Gamma(a2+n, b2+E),
 *     EBlog2 = E[log2 lambda | n], EBGM = 2^EBlog2,
 * EB05 / EB95 = 5th / 95th percentiles of that posterior mixture (solved
 * exactly, not with openEBGM's fixed-tolerance bisection).
 *
 * The fit maximises the zero-truncated likelihood prod over cells with
 * N >= 1 of P f1(N)/(1 - f1(0)) + (1-P) f2(N)/(1 - f2(0)) - each component
 * truncated on its own, as openEBGM's negLL does (so data drawn from the
 * mixture and then filtered to N >= 1 are not exactly this model) - by
 * BFGS on (ln a1, ln b1, ln a2, ln b2, logit P) with an analytic gradient,
 * from 5 starting points (DuMouchel's among them) run on a subsample of
 * about 2000 cells, then the 2 best distinct end points polished on all
 * cells. 17,000 cells: about 0.1 s. The likelihood can be largest on the
 * boundary (a shape -> 0 turns a component into a log-series law); the
 * search stops at |u_i| = 25. Not here: data squashing (the fit is fast
 * enough on whole tables), stratified E, the likelihood with zero cells
 * (openEBGM zeroes = TRUE).
 */
#ifndef DEVSURV_ENG_EBGM_H
#define DEVSURV_ENG_EBGM_H

#include <stdbool.h>
#include <stddef.h>

#include "devsurv/ds_diag.h"

/* Hyperparameters theta. */
struct eng_ebgm_prior {
    double alpha1, beta1; /* component 1: shape, rate */
    double alpha2, beta2; /* component 2: shape, rate */
    double p;             /* weight of component 1, 0 < p < 1 */
};

/* DuMouchel's (1999) starting values, also PhViD::GPS's default prior:
 * the default for single-table EBGM when no fitted prior is at hand. */
#define ENG_EBGM_PRIOR_DEFAULT                                                 \
    {                                                                          \
        0.2, 0.06, 1.4, 1.8, 0.1                                               \
    }

/* True when all five are finite, the shapes and rates > 0 and 0 < p < 1. */
bool eng_ebgm_prior_valid(const struct eng_ebgm_prior *th);

/* Posterior summary of one cell. */
struct eng_ebgm_score {
    double qn;     /* posterior weight of component 1 */
    double eblog2; /* E[log2 lambda | n] */
    double ebgm;   /* 2^eblog2 */
    double eb05;   /* 5th percentile of lambda | n */
    double eb95;   /* 95th percentile of lambda | n */
};

/* Score a cell with n observed (whole number >= 0) and e expected
 * (e > 0; e = 0 only with n = 0, which gives the prior). 0, or DS_EINVAL
 * for an invalid prior or n, e out of domain (*out untouched). */
int eng_ebgm_score(const struct eng_ebgm_prior *th, double n, double e,
                   struct eng_ebgm_score *out);

/* The prob-quantile (0 < prob < 1) of the posterior of a cell whose
 * component-1 weight is qn (from eng_ebgm_score()). Arguments as there;
 * NaN when out of domain. */
double eng_ebgm_quantile(const struct eng_ebgm_prior *th, double n, double e,
                         double qn, double prob);

/* Negative log of the zero-truncated marginal likelihood (openEBGM's
 * negLL, N* = 1, including the -ln N! terms) over the cells with
 * n[i] >= 1; cells with n[i] = 0 are skipped. +inf for an invalid prior,
 * NaN if a used cell has e <= 0. */
double eng_ebgm_negll(const struct eng_ebgm_prior *th, const double *n,
                      const double *e, size_t count);

/* A table of cells (N, E), e.g. every device x event pair of a database.
 * Embedded struct: eng_ebgm_table_init() / eng_ebgm_table_clear(). */
struct eng_ebgm_table {
    double *n; /* observed counts, whole numbers >= 0 */
    double *e; /* expected counts, > 0 */
    size_t count, cap;
};

void eng_ebgm_table_init(struct eng_ebgm_table *t);

/* Free the arrays and re-init; safe on an initialised empty table. */
void eng_ebgm_table_clear(struct eng_ebgm_table *t);

/* Append one cell. 0, DS_EINVAL (n not a whole number >= 0, e not finite
 * and > 0) or DS_ENOMEM (table unchanged). */
int eng_ebgm_table_add(struct eng_ebgm_table *t, double n, double e);

/* Most cells a table read from text may hold (ETOOBIG beyond). */
#define ENG_EBGM_CSV_MAX_CELLS 50000000

/* Parse CSV text buf[0..len) (need not be NUL-terminated) into t, which
 * must be initialised; cells are appended. Format: a header line "N,E"
 * (either case; a UTF-8 byte order mark is skipped), then one cell per
 * line "n,e": n a whole number written with at most 15 digits, e a
 * decimal number > 0 (0.5, .5, 1e-3; no inf, nan or hex); spaces and tabs
 * around fields are ignored, CRLF is accepted, empty lines are skipped. name
 * (may be NULL) goes into diag->file. Returns 0; DS_EPARSE with diag naming the
 * line for a malformed line, a missing header or a value out of range;
 * DS_ETOOBIG past ENG_EBGM_CSV_MAX_CELLS; DS_ENOMEM. On error t keeps
 * the cells appended so far (clear it). */
int eng_ebgm_csv_parse(const char *buf, size_t len, const char *name,
                       struct eng_ebgm_table *t, struct ds_diag *diag);

/* Result of eng_ebgm_fit(). */
struct eng_ebgm_fit {
    struct eng_ebgm_prior theta; /* components ordered so that p <= 0.5 */
    double neg_log_lik;          /* eng_ebgm_negll() at theta */
    int starts;                  /* starting points tried */
    int starts_agree;            /* starts whose exploring run ended where the
                                    winner's did (every u_i within 0.01) */
    int evaluations; /* likelihood + gradient evaluations, all runs */
};

/* Maximum-likelihood hyperparameters for the cells of t with n >= 1.
 * Returns 0; DS_EINVAL when fewer than 5 cells have n >= 1 (5 parameters)
 * or no run reaches a finite likelihood; DS_ENOMEM. */
int eng_ebgm_fit(const struct eng_ebgm_table *t, struct eng_ebgm_fit *out);

#endif
