/*
 * eng_cusum.h - Bernoulli and risk-adjusted CUSUM charts: weights, the
 * streaming chart, ARL by a lattice Markov chain, and the control limit h
 * for a target in-control ARL.
 *
 * Steiner SH, Cook RJ, Farewell VT, Treasure T (2000). Monitoring surgical
 * performance using risk-adjusted cumulative sum charts. Biostatistics
 * 1:441-452. Bernoulli chart: Reynolds & Stoumbos (1999), i.e. the same
 * chart with a constant risk p0. Formulas: ../shared/reference/stats.md
 * section 6. Patient t with risk p_t, outcome y_t; H0 odds R0 p/(1-p)
 * against HA odds RA p/(1-p):
 *     W = ln[(1 - p + R0 p) RA / ((1 - p + RA p) R0)]    if y = 1
 *     W = ln[(1 - p + R0 p) / (1 - p + RA p)]            if y = 0
 *     S_t = max(0, S_{t-1} + W_t), signal when S_t >= h, then S = 0.
 * RA > R0 is the upper chart (deterioration); RA < R0 the lower chart
 * (improvement), plotted as X = -S <= 0 and signalling at X <= -h, which is
 * cusum::racusum's min(0, X - W) convention.
 *
 * ARL (expected patients to signal from S = 0): the chart on the lattice
 * delta*Z with mean-preserving split rounding of every increment (W/delta =
 * lo + fr: step lo with probability 1 - fr, lo + 1 with fr); states
 * 0..H-1, H = ceil(h/delta). The naive Brook-Evans midpoint chain is not
 * used: it is badly wrong when |W0| spans few cells (stats.md 6.3).
 *
 * Not here: probability control limits by simulation (cusum_limit_sim),
 * fitting the risk model, charts with R0 != 1 for the CLI.
 */
#ifndef DEVSURV_ENG_CUSUM_H
#define DEVSURV_ENG_CUSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default lattice resolution: Bernoulli cells per smallest |W|; risk mix
 * cells across [0, h). */
#define ENG_CUSUM_CELLS 1000
/* Largest lattice an ARL computation accepts (two doubles per state). */
#define ENG_CUSUM_STATES_MAX 4000000

struct eng_cusum_params {
    double r0; /* odds ratio under H0, > 0 (1: the risk model holds) */
    double ra; /* odds ratio to detect, > 0, != r0 */
    double h;  /* control limit, > 0 */
};

/* 0 when the parameters are usable, else DS_EINVAL. */
int eng_cusum_check(const struct eng_cusum_params *p);

/* Probability whose odds are `odds_ratio` times those of p. */
double eng_cusum_odds_prob(double p, double odds_ratio);

/* The weight W above for outcome y and risk p in (0, 1). */
double eng_cusum_weight(const struct eng_cusum_params *p, bool y, double p_i);

/* Streaming chart: a fixed-size state per surveillance cell. */
struct eng_cusum_state {
    double s;        /* S >= 0 (the lower chart plots -S) */
    int64_t n;       /* patients counted */
    int64_t signals; /* signals so far (S resets to 0 after each) */
};

enum eng_cusum_verdict {
    ENG_CUSUM_CONTINUE = 0, /* below the limit */
    ENG_CUSUM_SIGNAL,       /* crossed h; the state is reset to 0 */
    ENG_CUSUM_INVALID       /* risk not in (0, 1): state unchanged */
};

/* Zero state. */
void eng_cusum_init(struct eng_cusum_state *st);

/* Add one patient (outcome y, risk p_i). *value receives the plotted chart
 * value (upper: S, lower: -S), on a signal the value that crossed, before
 * the reset (racusum would show 0 on that row). O(1), no allocation. */
enum eng_cusum_verdict eng_cusum_update(struct eng_cusum_state *st,
                                        const struct eng_cusum_params *p,
                                        bool y, double p_i, double *value);

/* "continue", "signal", "invalid". */
const char *eng_cusum_verdict_name(enum eng_cusum_verdict v);

/* An ARL and the lattice it was computed on. */
struct eng_cusum_arl {
    double arl;     /* expected patients to signal, zero-state */
    double delta;   /* lattice spacing */
    int64_t states; /* H */
};

/* Bernoulli chart (constant risk p0) when the true odds ratio relative to
 * p0 is true_or (p->r0 for the in-control ARL0). delta = min(|W0|, |W1|) /
 * cells rounded so that |W0| is a whole number of cells (cells <= 0: the
 * default); cells is halved while H > ENG_CUSUM_STATES_MAX (not below 50).
 * Solved exactly on the lattice by following the chain from event to event
 * (between events it moves deterministically) with renewal at S = 0: O(H)
 * per event, O(H) memory. 0, DS_EINVAL, DS_ERANGE (lattice too large or
 * no convergence) or DS_ENOMEM. */
int eng_cusum_arl_bernoulli(const struct eng_cusum_params *p, double p0,
                            double true_or, int cells,
                            struct eng_cusum_arl *out);

/* Patient mix: risk[i] in (0, 1) with weight[i] >= 0 (not all 0). */
struct eng_cusum_mix {
    const double *risk;
    const double *weight;
    size_t n;
};

/* Risk-adjusted chart on patients drawn from mix, true odds ratio true_or
 * (p->r0 for ARL0); delta = h / cells (cells <= 0: the default); solved
 * by banded elimination, O(H kl ku) time, O(ku (kl + ku)) memory.
 * 0, DS_EINVAL, DS_ERANGE or DS_ENOMEM. */
int eng_cusum_arl_mix(const struct eng_cusum_params *p,
                      const struct eng_cusum_mix *mix, double true_or,
                      int cells, struct eng_cusum_arl *out);

/* Smallest h (to within the lattice spacing) whose in-control ARL is at
 * least arl0 (> 1); p->h is ignored. *h receives it and *out its ARL0.
 * A coarse lattice brackets h, the requested one refines it. Return codes
 * as the ARL functions. */
int eng_cusum_h_bernoulli(const struct eng_cusum_params *p, double p0,
                          double arl0, int cells, double *h,
                          struct eng_cusum_arl *out);
int eng_cusum_h_mix(const struct eng_cusum_params *p,
                    const struct eng_cusum_mix *mix, double arl0, int cells,
                    double *h, struct eng_cusum_arl *out);

/* One transition of a lattice chain. */
struct eng_cusum_move {
    int64_t to; /* >= states: absorbed (signal) */
    double p;
};

/* Writes the moves out of state `from` (at most cap) and returns their
 * number; probabilities may sum to less than 1 (the rest is absorbed). */
typedef size_t (*eng_cusum_moves_fn)(void *ctx, int64_t from,
                                     struct eng_cusum_move *out, size_t cap);

/* Expected steps to absorption from state 0 of the chain on states
 * 0..states-1 whose moves from i stay within [i - kl, i + ku] (or are
 * absorbed): (I - Q) x = 1 by banded elimination from the top state down,
 * keeping only ku + 1 rows. 0, DS_EINVAL (a move outside the band),
 * DS_ERANGE (singular: some state never absorbs) or DS_ENOMEM. */
int eng_cusum_chain_arl(int64_t states, int64_t kl, int64_t ku,
                        size_t max_moves, eng_cusum_moves_fn fn, void *ctx,
                        double *arl);

#endif
