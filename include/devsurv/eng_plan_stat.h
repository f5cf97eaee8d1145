/*
 * eng_plan_stat.h - the statistics of one surveillance cell under a plan:
 * a fixed-size state, what each observation does to it, and whether the
 * cell signals. Pure: no I/O, no clock, no allocation per update. The
 * engine (eng_plan_run) and the calibration check (make eval) both drive
 * cells through these functions, so what is calibrated is what runs.
 *
 * A cell is (plan, device key, plan event code). Observations:
 *   exposure       a device of the group was used/implanted: exposures++,
 *                  expected += baseline_rate (maxsprt-poisson)
 *   comp_exposure  a comparator device was used (maxsprt-binomial)
 *   event          an affirmed, linked, de-duplicated event in the cell
 *   comp_event     the same for a comparator device (binomial: a control)
 *   trial          cusum-bernoulli: one exposure whose outcome is known
 *                  (y = event within the window, or window closed)
 *   table          disproportionality: the cell's current 2x2 table
 * Each update tests the cell; the verdict says whether it just signalled.
 * After a signal the cell is ENG_PLAN_CELL_SIGNALLED and ignores further
 * tests until eng_plan_stat_rearm() (plans with after_signal = rearm,
 * once their alert is closed); counts keep counting. An ENDED cell stays
 * ended (rearm does not revive it).
 *
 * Per method (every call counts its own counter for every method):
 *   maxsprt-poisson  exposure adds baseline_rate to expected (or the
 *                    engine adds an estimated mu with eng_plan_stat_expect,
 *                    comparator family); exposure, expect and event test
 *                    eng_maxsprt_test(observed, expected) of the segment
 *                    since the last rearm. ENDED once expected exceeds T
 *                    (mu == T still watches: as in the exact design, whose
 *                    alpha covers events up to and including mu = T).
 *   maxsprt-binomial event = a case, comp_event = a control, each through
 *                    eng_binomial_add (z, N = max_events, M = min_events);
 *                    ENDED at the N-th event without signal.
 *   cusum-bernoulli  trial(y) updates the chart (p0 = baseline_rate, r0 =
 *                    1, ra = odds_ratio, h); exposure and event only count.
 *                    A crossing signals; the chart resets itself.
 *   disproportionality  table(t) computes what the set thresholds need and
 *                    signals when all hold: PRR >= prr_min, chi2 >=
 *                    chi2_min, a >= a_min, IC025 > ic025_min, EB05 >=
 *                    eb05_min (a NaN statistic fails its threshold).
 *                    statistic = PRR when prr_min, chi2_min or a_min is set,
 *                    else IC025 when ic025_min is set, else EB05; expected
 *                    = E of the table. No ENDED.
 * statistic: the MaxSPRT LLR, the CUSUM value S, or as above; frozen at
 * the signal while the cell is signalled.
 *
 * Ownership: the caller owns cells and the design; nothing is retained.
 * Not here: which events reach a cell (eng_link), storage, audit.
 */
#ifndef DEVSURV_ENG_PLAN_STAT_H
#define DEVSURV_ENG_PLAN_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_binomial.h"
#include "devsurv/eng_cusum.h"
#include "devsurv/eng_disprop.h"
#include "devsurv/eng_maxsprt.h"
#include "devsurv/eng_plan.h"

enum eng_plan_cell_status {
    ENG_PLAN_CELL_WATCHING = 0,
    ENG_PLAN_CELL_SIGNALLED,
    ENG_PLAN_CELL_ENDED /* surveillance length reached without signal */
};

/* A plan's design, derived once from the plan (critical values solved
 * exactly). */
struct eng_plan_design {
    const struct eng_plan *plan;         /* borrowed */
    struct eng_maxsprt_params maxsprt;   /* maxsprt-poisson */
    struct eng_binomial_params binomial; /* maxsprt-binomial */
    struct eng_cusum_params cusum;       /* cusum-bernoulli */
    double threshold;      /* the boundary reported with the statistic */
    double alpha_attained; /* MaxSPRT: exact P(signal | H0) at the cv
                              (<= alpha); NAN for the other methods */
};

struct eng_plan_cell {
    int64_t observed;               /* events in the cell */
    double expected;                /* expected under H0 (method's own sense) */
    int64_t exposures;              /* device-key exposures */
    int64_t comp_events;            /* comparator events (binomial) */
    int64_t comp_exposures;         /* comparator exposures */
    struct eng_disprop_table table; /* disproportionality */
    struct eng_binomial_state binomial;
    struct eng_cusum_state cusum;
    double statistic; /* LLR, CUSUM S, or the PRR (disproportionality) */
    enum eng_plan_cell_status status;
    int64_t base_observed; /* observed at the last rearm (Poisson test) */
    double base_expected;  /* expected at the last rearm */
    int64_t signals;       /* signals of this cell so far */
};

/* Largest eng_plan_cell_pack() output. */
#define ENG_PLAN_CELL_PACK_MAX 192

enum eng_plan_verdict {
    ENG_PLAN_CONTINUE = 0,
    ENG_PLAN_SIGNAL, /* this update crossed the boundary */
    ENG_PLAN_ENDED   /* this update ended surveillance without signal */
};

/* Solve the design of plan p (borrowed; must outlive d). 0, or
 * DS_ECONFIG with why (e.g. a MaxSPRT design with no solution, naming the
 * smallest T that works). */
int eng_plan_design_init(struct eng_plan_design *d, const struct eng_plan *p,
                         struct ds_diag *diag);

void eng_plan_cell_init(struct eng_plan_cell *c);

enum eng_plan_verdict eng_plan_stat_exposure(const struct eng_plan_design *d,
                                             struct eng_plan_cell *c);
enum eng_plan_verdict
eng_plan_stat_comp_exposure(const struct eng_plan_design *d,
                            struct eng_plan_cell *c);
enum eng_plan_verdict eng_plan_stat_event(const struct eng_plan_design *d,
                                          struct eng_plan_cell *c);
enum eng_plan_verdict eng_plan_stat_comp_event(const struct eng_plan_design *d,
                                               struct eng_plan_cell *c);
enum eng_plan_verdict eng_plan_stat_trial(const struct eng_plan_design *d,
                                          struct eng_plan_cell *c, bool y);
enum eng_plan_verdict eng_plan_stat_table(const struct eng_plan_design *d,
                                          struct eng_plan_cell *c,
                                          const struct eng_disprop_table *t);

/* maxsprt-poisson: add mu (finite, >= 0) H0-expected events that the
 * engine estimated (comparator family), then test as exposure does. Other
 * methods, or a bad mu: nothing changes, CONTINUE. */
enum eng_plan_verdict eng_plan_stat_expect(const struct eng_plan_design *d,
                                           struct eng_plan_cell *c, double mu);

/* Watch again after a closed alert (after_signal = rearm): the counts
 * stay, the test state restarts from them: the Poisson MaxSPRT tests the
 * events and expected count after this point (a fresh test of length T),
 * the binomial MaxSPRT starts a fresh state, the CUSUM chart starts at 0,
 * disproportionality tests the next table (which signals again if it still
 * meets the thresholds). Only a SIGNALLED cell is rearmed; no-op else. */
void eng_plan_stat_rearm(const struct eng_plan_design *d,
                         struct eng_plan_cell *c);

/* The method's parameters as one JSON object (alpha, T, M, D, cv, ...),
 * NUL-terminated into buf (cap bytes); its length. Deterministic text:
 * "%.10g", C locale. */
int eng_plan_design_params(const struct eng_plan_design *d, char *buf,
                           size_t cap);

/* "watching", "signalled", "ended". */
const char *eng_plan_cell_status_name(enum eng_plan_cell_status s);

/* The cell as bytes for storage (plan_cells.state), into buf (cap bytes;
 * ENG_PLAN_CELL_PACK_MAX always suffices). Format, version 1: byte 0 =
 * 1, byte 1 = status, bytes 2-5 = u32 little-endian mask of the fields
 * that are not zero (bit i = field i in struct order: observed, expected,
 * exposures, comp_events, comp_exposures, table a b c d, binomial n cases
 * over, cusum s n signals, statistic, base_observed, base_expected,
 * signals), then each such field: integers (>= 0) as LEB128 varints,
 * doubles as their 8 IEEE-754 bytes little-endian. Canonical: one cell has
 * one encoding. Returns the length, or 0 when cap is too small. */
size_t eng_plan_cell_pack(const struct eng_plan_cell *c, uint8_t *buf,
                          size_t cap);

/* Bytes from eng_plan_cell_pack() back into *c. 0, or DS_EPARSE for an
 * unknown version, truncated or trailing bytes, a non-canonical encoding
 * or values no cell has (negative counts, cases > n, expected not finite
 * or negative, an unknown status); *c is untouched on error. */
int eng_plan_cell_unpack(struct eng_plan_cell *c, const uint8_t *buf, size_t n);

#endif
