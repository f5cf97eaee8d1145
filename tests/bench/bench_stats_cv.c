/*
 * bench_stats_cv.c - bench_stats' critical-value rows: Poisson MaxSPRT
 * (eng_maxsprt_cv, computed from scratch), the same from a primed cv cache,
 * and the binomial MaxSPRT (eng_binomial_cv).
 */
#include "bench_stats.h"
#include "bench_util.h"

#define S_HIT_CALLS 1000000L

/* ---- Poisson MaxSPRT critical values ---- */

struct s_pcv {
    double T;
    double cv, attained, first;
    int rc;
    bool differs; /* a call gave another cv than the first */
};

static int s_pcv_call(void *ctx)
{
    struct s_pcv *p = ctx;
    p->rc = eng_maxsprt_cv(p->T, 0.05, 1, 0.0, &p->cv, &p->attained);
    if (p->rc != 0)
        return -1;
    if (p->first == 0)
        p->first = p->cv;
    p->differs |= p->cv != p->first;
    return 0;
}

/* The critical values timed, with stats.md 1.6 and 8. */
static const struct s_pcv_case {
    const char *name;
    double T, ref;
    const char *r_ref;
    double r_lo, r_hi, target;
} s_pcv_cases[] = {
    {"poisson-cv T=20 (a .05, M 1, D 0)", 20, 3.628123, "0.18-0.23 s", 0.18,
     0.23, 0},
    {"poisson-cv T=50 (a .05, M 1, D 0)", 50, 3.819903, "0.9-1.0 s", 0.9, 1.0,
     0},
    {"poisson-cv T=200 (a .05, M 1, D 0)", 200, 4.074828, "15-24 s", 15, 24,
     0.010},
};

static int s_run_pcv(const struct s_pcv_case *c, double *cv)
{
    uint64_t ns[BST_REPS_MAX];
    struct s_pcv p = {.T = c->T};
    char value[40];
    struct bst_calc row = {.name = c->name,
                           .cache = "bypassed",
                           .r_ref = c->r_ref,
                           .r_lo = c->r_lo,
                           .r_hi = c->r_hi,
                           .target = c->target,
                           .reps = 15,
                           .calls = 1};
    if (bst_time_reps(s_pcv_call, &p, row.reps, ns) != 0)
        return bench_fail(c->name, "eng_maxsprt_cv: %s", ds_strerror(p.rc));
    snprintf(value, sizeof value, "cv %.7f", p.cv);
    bst_calc_add(&row, ns, value);
    *cv = p.cv;
    if (fabs(p.cv - c->ref) > 1e-6)
        return bench_fail(c->name, "cv %.9f, stats.md 1.6 says %.6f", p.cv,
                          c->ref);
    if (fabs(p.attained - 0.05) > 1e-9)
        return bench_fail(c->name, "attained alpha %.12f, not .05", p.attained);
    if (p.differs)
        return bench_fail(c->name, "repeated calls gave different cvs");
    return 0;
}

struct s_hit {
    struct eng_maxsprt_cv_cache cache;
    double cold; /* the value computed without the cache */
    int rc;
    long wrong; /* hits that returned another value */
};

static int s_hit_call(void *ctx)
{
    struct s_hit *h = ctx;
    for (long i = 0; i < S_HIT_CALLS; i++) {
        double cv;
        int rc = eng_maxsprt_cv_cached(&h->cache, 200, 0.05, 1, 0.0, &cv);
        h->rc |= rc;
        h->wrong += rc != 0 || cv != h->cold;
    }
    return h->rc != 0 ? -1 : 0;
}

int bst_run_hit(double cold)
{
    const char *name = "poisson-cv T=200 through cv cache";
    uint64_t ns[BST_REPS_MAX];
    struct s_hit h = {.cold = cold};
    struct bst_calc row = {
        .name = name, .cache = "hit", .reps = 5, .calls = S_HIT_CALLS};
    eng_maxsprt_cv_cache_init(&h.cache);
    /* the warm-up run's first call is the one miss that fills the slot */
    if (bst_time_reps(s_hit_call, &h, row.reps, ns) != 0)
        return bench_fail(name, "eng_maxsprt_cv_cached: %s", ds_strerror(h.rc));
    char value[40];
    snprintf(value, sizeof value, "%lu miss, %lu hits", h.cache.misses,
             h.cache.hits);
    bst_calc_add(&row, ns, value);
    unsigned long all = (unsigned long)(row.reps + 1) * S_HIT_CALLS;
    if (h.wrong || h.cache.misses != 1 || h.cache.hits != all - 1)
        return bench_fail(name, "%ld wrong values, %lu misses, %lu hits",
                          h.wrong, h.cache.misses, h.cache.hits);
    return 0;
}

/* ---- binomial MaxSPRT critical value ---- */

struct s_bcv {
    struct eng_binomial_design d;
    struct eng_binomial_cv out;
    double first;
    int rc;
    bool differs;
};

static int s_bcv_call(void *ctx)
{
    struct s_bcv *b = ctx;
    b->rc = eng_binomial_cv(&b->d, 0.05, &b->out);
    if (b->rc != 0)
        return -1;
    if (b->first == 0)
        b->first = b->out.cv;
    b->differs |= b->out.cv != b->first;
    return 0;
}

int bst_run_bcv(struct eng_binomial_cv *cv)
{
    const char *name = "binomial-cv N=200 (z 1, M 1, a .05)";
    uint64_t ns[BST_REPS_MAX];
    struct s_bcv b = {.d = {.n_max = 200, .z = 1.0, .min_cases = 1}};
    struct bst_calc row = {.name = name,
                           .cache = "none",
                           .r_ref = "1.0-3.5 s",
                           .r_lo = 1.0,
                           .r_hi = 3.5,
                           .target = 0.010,
                           .reps = 15,
                           .calls = 1};
    if (bst_time_reps(s_bcv_call, &b, row.reps, ns) != 0)
        return bench_fail(name, "eng_binomial_cv: %s", ds_strerror(b.rc));
    char value[40];
    snprintf(value, sizeof value, "cv %.5f a %.7f", b.out.cv_package,
             b.out.alpha);
    bst_calc_add(&row, ns, value);
    *cv = b.out;
    if (fabs(b.out.cv_package - 3.68065) > 1e-9 ||
        fabs(b.out.alpha - 0.0491322150) > 1e-9)
        return bench_fail(name,
                          "cv %.9f alpha %.12f, stats.md 2 says 3.68065 "
                          "and 0.0491322150",
                          b.out.cv_package, b.out.alpha);
    if (b.differs)
        return bench_fail(name, "repeated calls gave different cvs");
    return 0;
}

/* Every case of s_pcv_cases; *cv200 gets the T = 200 value when one is
 * computed (even when wrong: the cache must return it). */
int bst_run_pcvs(double *cv200)
{
    double cv = 0;
    int rc = 0;
    for (size_t i = 0; i < sizeof s_pcv_cases / sizeof s_pcv_cases[0]; i++) {
        cv = 0;
        int r = s_run_pcv(&s_pcv_cases[i], &cv);
        if (cv > 0 && s_pcv_cases[i].T == 200)
            *cv200 = cv; /* even when wrong: the cache must return it */
        rc |= r;
    }
    return rc;
}
