/*
 * eng_maxsprt_cv.c - exact operating characteristics and critical values of
 * the continuous Poisson MaxSPRT (Kulldorff, Davis, Kolczak, Lewis, Lieu,
 * Platt 2011, Sequential Analysis 30:58-78; minimum events M: Kulldorff &
 * Silva 2017, REVSTAT 15:373-394), following reference/stats.md 1.2-1.5.
 *
 * The k-th event signals iff it arrives by u_k, the root u < k of
 * LLR(k, u) = cv (Newton on x - 1 - ln x = cv/k, u = kx), k >= M and, with
 * a delayed start D > 0, not before the first look at mu = D. Between
 * consecutive u_k the signalling count is constant, so P(signal) and
 * E[signal time] follow exactly from a recursion over the Poisson count at
 * the interval ends (eng_maxsprt_dp_*); the expected arrival time inside an
 * interval is E[S_r 1{S_r <= d}] = (r / rr) P(Pois(rr d) >= r + 1). The
 * critical value is the root of ln alpha(cv) = ln alpha, by a bracketed
 * secant (Illinois) on [0, 40]; the sample size is the root in T of
 * power(T, cv(T)) = target the same way.
 *
 * Not here: simulation, R Sequential's built-in CV table and its D > 0
 * time-to-signal error (stats.md 9), the binomial test. State and kernel
 * probabilities below 1e-30 are dropped (total effect far below 1e-15).
 */
#include "devsurv/eng_maxsprt.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define S_TINY    1e-30
#define S_SUM_EPS 1e-17

/* ---- Poisson probabilities ---- */

static double s_ldpois(long n, double m)
{
    return (double)n * log(m) - m - lgamma((double)n + 1);
}

/* P(Pois(m) >= r), summing whichever tail is small (stats.md 1.7). */
static double s_upper(long r, double m)
{
    if (r <= 0)
        return 1;
    if (!(m > 0))
        return 0;
    double sum = 0, term;
    if (m < (double)r) {
        term = exp(s_ldpois(r, m));
        for (long n = r; term > 0 && term >= S_SUM_EPS * sum; n++) {
            sum += term;
            term *= m / (double)(n + 1);
        }
        return sum;
    }
    term = exp(s_ldpois(r - 1, m));
    for (long n = r - 1; n >= 0 && term > 0 && term >= S_SUM_EPS * sum; n--) {
        sum += term;
        term *= (double)n / m;
    }
    return sum < 1 ? 1 - sum : 0;
}

/* ---- the interval recursion (stats.md 1.3, generic form) ---- */

int eng_maxsprt_dp_init(struct eng_maxsprt_dp *dp, size_t cap, double rr)
{
    memset(dp, 0, sizeof *dp);
    if (cap < 3 || cap > SIZE_MAX / (4 * sizeof(double)) || !(rr > 0))
        return DS_EINVAL;
    double *w = ds_calloc(4 * cap, sizeof *w);
    if (!w)
        return DS_ENOMEM;
    dp->mem = dp->p = w;
    dp->q = w + cap;
    dp->pmf = w + 2 * cap;
    dp->tail = w + 3 * cap;
    dp->cap = cap;
    eng_maxsprt_dp_reset(dp, rr);
    return 0;
}

void eng_maxsprt_dp_reset(struct eng_maxsprt_dp *dp, double rr)
{
    dp->rr = rr;
    dp->t = dp->power = dp->tsum = 0;
    dp->p[0] = 1;
    dp->lo = 0;
    dp->hi = 1;
}

void eng_maxsprt_dp_clear(struct eng_maxsprt_dp *dp)
{
    ds_free(dp->mem);
    dp->mem = dp->p = dp->q = dp->pmf = dp->tail = NULL;
    dp->cap = 0;
}

/* pmf[klo..khi] = dpois(., m) (negligible outside), tail[r] = P(Pois(m) >=
 * r) for r = 0..n+1. Recurrences run outwards from the mode. */
static void s_kernel(struct eng_maxsprt_dp *dp, double m, long n, long *klo,
                     long *khi)
{
    double *pmf = dp->pmf, *tail = dp->tail;
    long k, mode = m < (double)n ? (long)m : n;
    if (!(m > 0)) {
        pmf[0] = 1;
        *klo = *khi = 0;
    } else {
        pmf[mode] = exp(s_ldpois(mode, m));
        for (k = mode; k > 0 && pmf[k] > S_TINY; k--)
            pmf[k - 1] = pmf[k] * (double)k / m;
        *klo = k;
        for (k = mode; k < n && pmf[k] > S_TINY; k++)
            pmf[k + 1] = pmf[k] * m / (double)(k + 1);
        *khi = k;
    }
    tail[n + 1] = *khi == n ? s_upper(n + 1, m) : 0;
    for (k = n; k >= 0; k--)
        tail[k] = tail[k + 1] + (k >= *klo && k <= *khi ? pmf[k] : 0);
}

/* Signal mass and E[signal time; signal] of this interval. From l events
 * at t0, r = thr - l more arrive by t1 with probability tail[r], at mean
 * time t0 + (r / rr) tail[r + 1] / tail[r] (Gamma(r, rr) truncated). */
static void s_signal(struct eng_maxsprt_dp *dp, double t1, long thr, bool look)
{
    double a = 0, w = 0;
    for (long l = dp->lo; l < dp->hi; l++) {
        long r = thr - l;
        double pl = dp->p[l], qr = dp->tail[r];
        a += pl * qr;
        if (look)
            w += pl * t1 * qr;
        else
            w += pl * (dp->t * qr + (double)r / dp->rr * dp->tail[r + 1]);
    }
    dp->power += a;
    dp->tsum += w;
}

/* p'[j] = sum_l p[l] pmf[j - l] for j < thr, then trim negligible ends. */
static void s_convolve(struct eng_maxsprt_dp *dp, long thr, long klo, long khi)
{
    long lo = dp->lo + klo, hi = dp->hi + khi < thr ? dp->hi + khi : thr;
    double *p = dp->p, *q = dp->q;
    if (lo < hi)
        memset(q + lo, 0, (size_t)(hi - lo) * sizeof *q);
    for (long l = dp->lo; l < dp->hi; l++) {
        long jmax = l + khi < hi - 1 ? l + khi : hi - 1;
        const double pl = p[l], *k = dp->pmf;
        for (long j = l + klo; j <= jmax; j++)
            q[j] += pl * k[j - l];
    }
    while (lo < hi && q[lo] < S_TINY)
        lo++;
    while (hi > lo && q[hi - 1] < S_TINY)
        hi--;
    dp->p = q;
    dp->q = p;
    dp->lo = lo < hi ? lo : 0;
    dp->hi = lo < hi ? hi : 0;
}

void eng_maxsprt_dp_step(struct eng_maxsprt_dp *dp, double t1, long thr,
                         bool look)
{
    long klo, khi;
    assert(thr >= dp->hi && thr >= 1 && (size_t)thr + 1 < dp->cap);
    assert(t1 >= dp->t);
    s_kernel(dp, dp->rr * (t1 - dp->t), thr, &klo, &khi);
    s_signal(dp, t1, thr, look);
    s_convolve(dp, thr, klo, khi);
    dp->t = t1;
}

/* ---- the continuous test ---- */

int eng_maxsprt_check(double T, double alpha, long M, double D,
                      const char **why)
{
    const char *w = NULL;
    if (!(T > 0 && T <= ENG_MAXSPRT_T_MAX))
        w = "T must be > 0 and <= 10000 (expected events)";
    else if (M < 1 || M > ENG_MAXSPRT_M_MAX)
        w = "M must be in 1..100";
    else if (!(D >= 0 && D <= T))
        w = "D must be in [0, T]";
    else if (!(alpha < 0) && !(alpha >= ENG_MAXSPRT_ALPHA_MIN &&
                               alpha <= ENG_MAXSPRT_ALPHA_MAX))
        w = "alpha must be in [1e-7, 0.5]";
    if (w && why)
        *why = w;
    return w ? DS_EINVAL : 0;
}

/* x - 1 - ln x for x in (0, 1], without cancellation near 1. */
static double s_xlog(double x)
{
    double y = 1 - x;
    return x < 0.5 ? x - 1 - log(x) : -y - log1p(-y);
}

double eng_maxsprt_boundary(long k, double cv)
{
    if (k < 1 || !(cv >= 0) || !isfinite(cv))
        return NAN;
    /* f(x) = x - 1 - ln x - c is convex and decreasing on (0, 1]; both
     * starts are left of the root, so Newton climbs to it monotonically. */
    double c = cv / (double)k, x = fmax(exp(-1 - c), 1 - sqrt(2 * c));
    for (int i = 0; i < 100 && x < 1; i++) {
        double f = s_xlog(x) - c, nx = x - f / (1 - 1 / x);
        if (!(f > 0) || !(nx > x))
            break;
        x = fmin(nx, 1);
    }
    return (double)k * x;
}

/* The last threshold: the first k >= M with u_k >= T (u_k < k for cv > 0). */
static long s_last(double T, double cv, long M)
{
    long k = (long)ceil(T);
    if (k < M)
        k = M;
    while (eng_maxsprt_boundary(k, cv) < T)
        k++;
    return k;
}

/* Feed the intervals of (T, cv, M, D) through the recursion: a look at D
 * (D > 0) with the count i0 needed there, then (t, min(u_i, T)] with
 * threshold i for i = i0, i0 + 1, ... until u_i >= T. */
static void s_run(struct eng_maxsprt_dp *dp, double T, double cv, long M,
                  double D)
{
    long i = M;
    if (D > 0) {
        while (eng_maxsprt_boundary(i, cv) < D)
            i++;
        eng_maxsprt_dp_step(dp, D, i, true);
    }
    for (;; i++) {
        double u = eng_maxsprt_boundary(i, cv);
        eng_maxsprt_dp_step(dp, fmin(u, T), i, false);
        if (u >= T)
            break;
    }
}

static void s_result(const struct eng_maxsprt_dp *dp, double T,
                     struct eng_maxsprt_perf *out)
{
    double pw = fmin(dp->power, 1);
    out->power = pw;
    out->signal_time = pw > 0 ? dp->tsum / pw : 0;
    out->sample_size = dp->tsum + (1 - pw) * T;
}

int eng_maxsprt_perf(double T, double cv, long M, double D, double rr,
                     struct eng_maxsprt_perf *out)
{
    struct eng_maxsprt_dp dp;
    if (!out || eng_maxsprt_check(T, -1, M, D, NULL) != 0 ||
        !(cv >= 0 && cv <= ENG_MAXSPRT_CV_MAX) ||
        !(rr >= 1 && rr <= ENG_MAXSPRT_RR_MAX))
        return DS_EINVAL;
    int rc = eng_maxsprt_dp_init(&dp, (size_t)s_last(T, cv, M) + 2, rr);
    if (rc != 0)
        return rc;
    s_run(&dp, T, cv, M, D);
    s_result(&dp, T, out);
    eng_maxsprt_dp_clear(&dp);
    return 0;
}

int eng_maxsprt_alpha(double T, double cv, long M, double D, double *alpha)
{
    struct eng_maxsprt_perf pf;
    if (!alpha)
        return DS_EINVAL;
    int rc = eng_maxsprt_perf(T, cv, M, D, 1.0, &pf);
    if (rc == 0)
        *alpha = pf.power;
    return rc;
}

int eng_maxsprt_tmin(long M, double alpha, double *tmin)
{
    if (!tmin || eng_maxsprt_check(1, alpha, M, 0, NULL) != 0)
        return DS_EINVAL;
    /* Q(M, T) is increasing in T; bisect on ln T over [1e-12, M + ...] */
    double lo = 1e-12, hi = (double)M + 10 * sqrt((double)M) + 20;
    for (int i = 0; i < 100 && hi > lo * (1 + 1e-14); i++) {
        double mid = sqrt(lo * hi);
        if (s_upper(M, mid) < alpha)
            lo = mid;
        else
            hi = mid;
    }
    *tmin = hi;
    return 0;
}

/* ---- root finding: Illinois (modified regula falsi) ---- */

struct s_bracket {
    double lo, flo; /* f(lo) > 0 */
    double hi, fhi; /* f(hi) < 0 */
};

/* A root of f in the bracket: returns x with |f(x)| <= ftol (*fx = f(x)),
 * or, when the bracket has shrunk below xtol (f jumps over 0 there), its
 * upper end hi (*fx = f(hi) < 0). The third step in a row on the same side
 * bisects, which bounds the cost at a jump. */
static double s_illinois(double (*f)(void *, double), void *ctx,
                         struct s_bracket *b, double xtol, double ftol,
                         double *fx)
{
    int side = 0;
    for (int it = 0; it < 300 && b->hi - b->lo > xtol; it++) {
        double x = (b->lo * b->fhi - b->hi * b->flo) / (b->fhi - b->flo);
        if (!(x > b->lo && x < b->hi) || side > 2 || side < -2)
            x = 0.5 * (b->lo + b->hi);
        double y = f(ctx, x);
        if (fabs(y) <= ftol) {
            *fx = y;
            return x;
        }
        if (y > 0) {
            b->lo = x, b->flo = y;
            b->fhi *= side > 0 ? 0.5 : 1;
            side = side > 0 ? side + 1 : 1;
        } else {
            b->hi = x, b->fhi = y;
            b->flo *= side < 0 ? 0.5 : 1;
            side = side < 0 ? side - 1 : -1;
        }
    }
    *fx = b->fhi;
    return b->hi;
}

/* ---- the critical value ---- */

#define S_CV_MAX     ENG_MAXSPRT_CV_SEARCH_MAX
#define S_JUMP_EPS   1e-10
#define S_ALPHA_RTOL 1e-10 /* |ln(alpha(cv) / alpha)| at a root */

struct s_cvctx {
    struct eng_maxsprt_dp dp;
    double T, D, alpha;
    long M;
};

/* ln(alpha(cv) / target): decreasing in cv. */
static double s_cv_gap(void *ctx, double cv)
{
    struct s_cvctx *c = ctx;
    eng_maxsprt_dp_reset(&c->dp, 1.0);
    s_run(&c->dp, c->T, cv, c->M, c->D);
    return log(fmax(c->dp.power, 1e-300) / c->alpha);
}

/* With D > 0, alpha(cv) jumps down at w_k = LLR(k, D): on (w_{k-1}, w_k]
 * the first look needs k events. Pieces are numbered by that k, from k0 =
 * the least k >= M above D to k1, the piece holding the search limit; with
 * D = 0 there is one piece, [0, 40]. A piece's ends are evaluated
 * S_JUMP_EPS inside, clear of rounding at the jump. Returns k1. */
static long s_pieces(const struct s_cvctx *c, long *k0)
{
    long k = (long)floor(c->D) + 1;
    *k0 = k = k > c->M ? k : c->M;
    while (c->D > 0 && eng_maxsprt_llr((double)k, c->D) < S_CV_MAX)
        k++;
    return k;
}

static void s_piece(const struct s_cvctx *c, long k, long k0, long k1,
                    struct s_bracket *b)
{
    double w0 = k == k0 ? 0 : eng_maxsprt_llr((double)(k - 1), c->D);
    double w1 = k == k1 ? S_CV_MAX : eng_maxsprt_llr((double)k, c->D);
    b->lo = k == k0 ? 0 : w0 + S_JUMP_EPS * (1 + w0);
    b->hi = k == k1 ? S_CV_MAX : w1 - S_JUMP_EPS * (1 + w1);
    b->hi = fmax(b->hi, b->lo);
}

/* Binary search for the first piece whose low end (in alpha, its upper end
 * in cv) spends at most alpha; b gets its ends and f(hi). */
static int s_find_piece(struct s_cvctx *c, struct s_bracket *b, long *kp)
{
    long k0, k1 = s_pieces(c, &k0), lo = k0, hi = k1;
    double fh = s_cv_gap(c, S_CV_MAX);
    if (fh > 0)
        return DS_ERANGE;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        s_piece(c, mid, k0, k1, b);
        double f = s_cv_gap(c, b->hi);
        if (f <= 0)
            hi = mid, fh = f;
        else
            lo = mid + 1;
    }
    s_piece(c, lo, k0, k1, b);
    b->fhi = fh;
    *kp = lo - k0;
    return 0;
}

static int s_cv_solve(struct s_cvctx *c, double *cv, double *attained)
{
    struct s_bracket b;
    long k;
    double x, fx;
    if (s_find_piece(c, &b, &k) != 0)
        return DS_ERANGE;
    b.flo = s_cv_gap(c, b.lo);
    if (k == 0 && b.flo < -S_ALPHA_RTOL)
        return DS_ERANGE;      /* even cv = 0 does not spend alpha */
    if (b.flo <= S_ALPHA_RTOL) /* a jump steps over alpha: its top */
        x = b.lo, fx = b.flo;
    else
        x = s_illinois(s_cv_gap, c, &b, 1e-13, S_ALPHA_RTOL, &fx);
    *cv = x;
    if (attained)
        *attained = c->alpha * exp(fx);
    return 0;
}

int eng_maxsprt_cv(double T, double alpha, long M, double D, double *cv,
                   double *attained)
{
    struct s_cvctx c = {.T = T, .D = D, .alpha = alpha, .M = M};
    if (!cv || eng_maxsprt_check(T, alpha, M, D, NULL) != 0)
        return DS_EINVAL;
    if (s_upper(M, T) < alpha)
        return DS_ERANGE;
    long K = s_last(T, S_CV_MAX, M);
    int rc = eng_maxsprt_dp_init(&c.dp, (size_t)K + 2, 1.0);
    if (rc != 0)
        return rc;
    rc = s_cv_solve(&c, cv, attained);
    eng_maxsprt_dp_clear(&c.dp);
    return rc;
}

/* ---- sample size (D = 0) ---- */

struct s_ssctx {
    double rr, power, alpha;
    long M;
    int rc;
};

/* target power - power(T) at T's own critical value: decreasing in T. */
static double s_ss_gap(void *ctx, double T)
{
    struct s_ssctx *s = ctx;
    struct eng_maxsprt_perf pf;
    double cv;
    int rc = eng_maxsprt_cv(T, s->alpha, s->M, 0, &cv, NULL);
    if (rc == 0)
        rc = eng_maxsprt_perf(T, cv, s->M, 0, s->rr, &pf);
    if (rc != 0) {
        s->rc = rc;
        return 0; /* stops the root finder; the caller reports rc */
    }
    return s->power - pf.power;
}

/* Bracket: from just above T_min (where the test can first spend alpha),
 * doubling. Returns 1 when T_lo already has the power. */
static int s_ss_bracket(struct s_ssctx *s, struct s_bracket *b)
{
    int rc = eng_maxsprt_tmin(s->M, s->alpha, &b->lo);
    if (rc != 0)
        return rc;
    b->lo *= 1 + 1e-6;
    b->flo = s_ss_gap(s, b->lo);
    if (s->rc || b->flo <= 0)
        return s->rc ? s->rc : 1;
    for (b->hi = 2 * b->lo;; b->hi = fmin(2 * b->hi, ENG_MAXSPRT_T_MAX)) {
        b->fhi = s_ss_gap(s, b->hi);
        if (s->rc || b->fhi < 0)
            return s->rc;
        b->lo = b->hi;
        b->flo = b->fhi;
        if (b->flo == 0)
            return 1;
        if (b->hi >= ENG_MAXSPRT_T_MAX)
            return DS_ERANGE;
    }
}

int eng_maxsprt_samplesize(double rr, double power, double alpha, long M,
                           double *T, double *cv)
{
    struct s_ssctx s = {rr, power, alpha, M, 0};
    struct s_bracket b;
    double x, fx, v;
    if (!T || !(rr > 1 && rr <= ENG_MAXSPRT_RR_MAX) ||
        eng_maxsprt_check(1, alpha, M, 0, NULL) != 0 ||
        !(power > alpha && power < 1))
        return DS_EINVAL;
    int rc = s_ss_bracket(&s, &b);
    if (rc < 0)
        return rc;
    x = rc == 1 ? b.lo : s_illinois(s_ss_gap, &s, &b, 1e-10 * b.hi, 1e-9, &fx);
    if (s.rc != 0)
        return s.rc;
    rc = eng_maxsprt_cv(x, alpha, M, 0, &v, NULL);
    if (rc != 0)
        return rc;
    *T = x;
    if (cv)
        *cv = v;
    return 0;
}

/* ---- cache ---- */

void eng_maxsprt_cv_cache_init(struct eng_maxsprt_cv_cache *c)
{
    memset(c, 0, sizeof *c);
}

int eng_maxsprt_cv_cached(struct eng_maxsprt_cv_cache *c, double T,
                          double alpha, long M, double D, double *cv)
{
    if (!c || !cv)
        return DS_EINVAL;
    for (unsigned i = 0; i < ENG_MAXSPRT_CV_CACHE_SLOTS; i++) {
        const struct eng_maxsprt_cv_slot *s = &c->slot[i];
        if (s->used && s->T == T && s->alpha == alpha && s->M == M &&
            s->D == D) {
            c->hits++;
            *cv = s->cv;
            return 0;
        }
    }
    double v;
    int rc = eng_maxsprt_cv(T, alpha, M, D, &v, NULL);
    if (rc != 0)
        return rc;
    c->misses++;
    c->slot[c->next] = (struct eng_maxsprt_cv_slot){T, alpha, D, v, M, true};
    c->next = (c->next + 1) % ENG_MAXSPRT_CV_CACHE_SLOTS;
    *cv = v;
    return 0;
}
