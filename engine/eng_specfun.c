/*
 * eng_specfun.c - incomplete gamma, gamma quantile, digamma, negative
 * binomial log-pmf (see eng_specfun.h for formulas, sources and accuracy).
 *
 * P and Q: the power series (DLMF 8.7.1) below x = a + 1, where it
 * converges fast and gives P with full relative accuracy; above it the
 * Legendre continued fraction for Gamma(a, x) (DLMF 8.9.2, even form),
 * evaluated with the modified Lentz algorithm (Thompson & Barnett 1986,
 * J Comput Phys 64:490), which gives Q. The common prefactor
 * x^a e^-x / Gamma(a) loses digits for large a when written as
 * exp(a ln x - x - lgamma(a)); for a >= 10 it is computed as
 * a (ln(1+t) - t) + ln(a / 2 pi) / 2 - stirling(a), t = (x - a) / a,
 * which keeps relative accuracy near the peak x ~ a. For a < 1 below
 * x = a + 1, where Q can be small and 1 - P would cancel, both come from
 * the alternating series of gamma(a, x) with ln Gamma(1 + a) summed
 * without forming 1 + a.
 *
 * The quantile runs Newton on ln P (or ln Q above the median) as a
 * function of ln x: in the tails these are nearly straight lines, so a
 * few steps suffice from a Wilson-Hilferty or small-x start. Every step
 * must stay inside the bracket the previous values proved; otherwise the
 * bracket is bisected (geometrically).
 *
 * Deliberately not here: the uniform asymptotic (Temme) expansion for
 * a > 1e6, where series and fraction need O(sqrt(a)) terms but still work.
 */
#include "devsurv/eng_specfun.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>

#define S_EPS     (DBL_EPSILON / 2)
#define S_TINY    1e-300
#define S_MAXITER 10000000
#define S_LN2     0.693147180559945309417232121458176568
#define S_LN2PI   1.837877066409345483560659472811235279
#define S_EULER   0.577215664901532860606512090082402431

static double s_lgamma(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

/* ln(1 + t) - t for |t| <= 0.5, through ln(1+t) = 2 atanh(t / (2+t)),
 * whose leading terms 2y - t = -y t cancel exactly. */
static double s_log1pmx(double t)
{
    double y = t / (2 + t), y2 = y * y, term = y2 * y, sum = 0;
    for (int k = 3; fabs(term) > 1e-18 * fabs(y * t); k += 2) {
        sum += term / k;
        term *= y2;
    }
    return 2 * sum - y * t;
}

/* lgamma(a) - [(a - 1/2) ln a - a + ln(2 pi) / 2] for a >= 10: Stirling's
 * series (DLMF 5.11.1), truncation error below 2e-18. */
static double s_stirling_tail(double a)
{
    static const double c[] = {1.0 / 12,    -1.0 / 360,      1.0 / 1260,
                               -1.0 / 1680, 1.0 / 1188,      -691.0 / 360360,
                               1.0 / 156,   -3617.0 / 122400};
    double r = 1 / a, r2 = r * r, sum = 0;
    for (int k = 7; k >= 0; k--)
        sum = sum * r2 + c[k];
    return sum * r;
}

/* ln(x^a e^-x / Gamma(a)) for x > 0. For a >= 10 as
 * a (ln r - r + 1) + ln(a / 2 pi) / 2 - stirling(a), r = x / a, with
 * ln r - r + 1 = ln(1+t) - t, t = r - 1, evaluated without cancellation
 * near r = 1 (and from r itself elsewhere: 1 + t would lose digits). */
static double s_lprefactor(double a, double x)
{
    if (a < 10)
        return a * log(x) - x - s_lgamma(a);
    double r = x / a;
    double d = fabs(r - 1) > 0.5 ? log(r) - r + 1 : s_log1pmx((x - a) / a);
    return a * d + 0.5 * (log(a) - S_LN2PI) - s_stirling_tail(a);
}

/* P(a, x) = prefactor * sum_k x^k / (a (a+1) ... (a+k)); the sum, for
 * x < a + 1. */
static double s_series(double a, double x)
{
    double term = 1 / a, sum = term;
    for (int n = 1; n < S_MAXITER && term > sum * S_EPS; n++) {
        term *= x / (a + n);
        sum += term;
    }
    return sum;
}

/* Q(a, x) = prefactor * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...)));
 * the fraction, for x >= a + 1. */
static double s_fraction(double a, double x)
{
    double b = x + 1 - a, c = 1 / S_TINY, d = 1 / b, h = d;
    for (int i = 1; i < S_MAXITER; i++) {
        double an = -i * (i - a), delta;
        b += 2;
        d = an * d + b;
        c = b + an / c;
        d = 1 / (fabs(d) < S_TINY ? S_TINY : d);
        c = fabs(c) < S_TINY ? S_TINY : c;
        delta = d * c;
        h *= delta;
        if (fabs(delta - 1) <= S_EPS)
            break;
    }
    return h;
}

static bool s_gamma_domain(double a, double x)
{
    return a > 0 && isfinite(a) && x >= 0;
}

/* ln Gamma(1 + a) for 0 < a < 1. libm's lgamma(1 + a) is exact for the
 * rounded 1 + a, which for tiny a is off by a relative 1e-16 / a; below
 * a = 1/4 use DLMF 5.7.3, ln Gamma(1+a) = -gamma a + sum_k>=2 (-1)^k
 * zeta(k) a^k / k, with the zeta(k) = 1 part summed in closed form
 * (a - ln(1+a)); what is left decays like (a/2)^k. */
static double s_lgamma1p(double a)
{
    static const double zm1[] = {
        /* zeta(k) - 1 for k = 2..19 */
        0.64493406684822641,    0.20205690315959429,    0.082323233711138186,
        0.036927755143369927,   0.01734306198444914,    0.0083492773819228271,
        0.0040773561979443396,  0.0020083928260822143,  0.00099457512781808526,
        0.00049418860411946453, 0.00024608655330804832, 0.00012271334757848915,
        6.1248135058704828e-05, 3.0588236307020493e-05, 1.5282259408651871e-05,
        7.6371976378997626e-06, 3.8172932649998402e-06, 1.908212716553939e-06};
    if (a >= 0.25)
        return s_lgamma(1 + a);
    double s = 0;
    for (int k = 19; k >= 2; k--)
        s = s * -a + zm1[k - 2] / k;
    return -S_EULER * a + (a - log1p(a)) + a * a * s;
}

/* P and Q for a < 1, x < a + 1, where Q may be small and 1 - P would
 * lose its digits: from gamma(a, x) = sum_k (-1)^k x^(a+k) / (k! (a+k))
 * (DLMF 8.7.1, second form),
 *     P = v (1 + a S),  Q = (1 - v) - v a S,  v = x^a / Gamma(a+1),
 *     S = sum_{k>=1} (-x)^k / (k! (a+k)),
 * with 1 - v = -expm1(a ln x - lgamma(1+a)) computed without cancellation.
 * The two terms of Q may have opposite signs near x = 1 but are of the
 * size of Q there, so at most a few bits go. */
static double s_small_a(double a, double x, bool upper)
{
    double lv = a * log(x) - s_lgamma1p(a), t = 1, sum = 0;
    for (int k = 1; k < S_MAXITER; k++) {
        t *= -x / k;
        sum += t / (a + k);
        if (fabs(t / (a + k)) <= S_EPS * fabs(sum))
            break;
    }
    if (upper)
        return -expm1(lv) - exp(lv) * a * sum;
    return exp(lv) * (1 + a * sum);
}

/* P (Q when upper) for finite x > 0; *lpref = ln of the prefactor. */
static double s_pq(double a, double x, bool upper, double *lpref)
{
    *lpref = s_lprefactor(a, x);
    if (x >= a + 1) {
        double q = exp(*lpref + log(s_fraction(a, x)));
        return upper ? q : 1 - q;
    }
    if (a < 1)
        return s_small_a(a, x, upper);
    double p = exp(*lpref + log(s_series(a, x)));
    return upper ? 1 - p : p;
}

static double s_pq_edge(double a, double x, bool upper)
{
    double lp;
    if (!s_gamma_domain(a, x))
        return NAN;
    if (x == 0 || isinf(x))
        return (x == 0) == upper ? 1.0 : 0.0;
    return s_pq(a, x, upper, &lp);
}

double eng_specfun_gamma_p(double a, double x)
{
    return s_pq_edge(a, x, false);
}

double eng_specfun_gamma_q(double a, double x)
{
    return s_pq_edge(a, x, true);
}

double eng_specfun_gamma_p_pdf(double a, double x, double *pdf)
{
    double lp;
    if (!s_gamma_domain(a, x) || x == 0 || isinf(x)) {
        *pdf = exp(eng_specfun_gamma_lpdf(x, a));
        return s_pq_edge(a, x, false);
    }
    double p = s_pq(a, x, false, &lp);
    *pdf = exp(lp) / x;
    return p;
}

double eng_specfun_gamma_lpdf(double x, double a)
{
    if (!s_gamma_domain(a, x))
        return NAN;
    if (isinf(x))
        return -INFINITY;
    if (x == 0)
        return a == 1 ? 0.0 : (a > 1 ? -INFINITY : INFINITY);
    return s_lprefactor(a, x) - log(x);
}

/* A rough standard normal quantile (Abramowitz & Stegun 26.2.23, error
 * below 4.5e-4): only a starting point. */
static double s_normal_guess(double p)
{
    double q = p < 0.5 ? p : 1 - p, t = sqrt(-2 * log(q));
    double z = t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                       (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
    return p < 0.5 ? -z : z;
}

/* Wilson-Hilferty for a >= 1, else the small-x form of P,
 * P(a, x) ~ x^a / Gamma(a + 1). */
double eng_specfun_gamma_quantile_start(double p, double a)
{
    if (!(a > 0) || !isfinite(a) || !(p > 0 && p < 1))
        return NAN;
    double small = exp((log(p) + s_lgamma(a + 1)) / a);
    if (a < 1 && small < 1)
        return small;
    double t = 1 / (9 * a), c = 1 - t + s_normal_guess(p) * sqrt(t);
    double wh = a * c * c * c;
    return wh > 0 ? wh : (small > 0 ? small : DBL_MIN);
}

struct s_qtarget {
    double a, lt; /* shape, ln of the tail probability sought */
    bool upper;   /* lt is ln(1 - p) and Q is matched, not P */
};

/* f(x) = ln P(a, x) - lt (or lt - ln Q): increasing in x, 0 at the
 * quantile; *slope = df / d(ln x). */
static double s_qf(const struct s_qtarget *q, double x, double *slope)
{
    double lp, tail = s_pq(q->a, x, q->upper, &lp);
    *slope = exp(lp) / tail;
    return q->upper ? q->lt - log(tail) : log(tail) - q->lt;
}

/* Next point when a Newton step leaves (lo, hi). */
static double s_bisect(double lo, double hi)
{
    if (isinf(hi))
        return lo * 4;
    return lo > 0 ? sqrt(lo) * sqrt(hi) : hi / 4;
}

static double s_quantile_solve(const struct s_qtarget *q, double x)
{
    double lo = 0, hi = INFINITY;
    for (int i = 0; i < 2000; i++) {
        double slope, f = s_qf(q, x, &slope), nx;
        if (f == 0)
            return x;
        if (f < 0)
            lo = x;
        else
            hi = x;
        nx = x * exp(-f / slope);
        if (!(nx > lo && nx < hi))
            nx = s_bisect(lo, hi);
        if (fabs(nx - x) <= 4 * DBL_EPSILON * x || nx < DBL_MIN)
            return nx;
        x = nx;
    }
    return x;
}

double eng_specfun_gamma_quantile(double p, double a)
{
    if (!(a > 0) || !isfinite(a) || !(p >= 0 && p <= 1))
        return NAN;
    if (p == 0 || p == 1)
        return p == 0 ? 0.0 : INFINITY;
    struct s_qtarget q = {a, p > 0.5 ? log1p(-p) : log(p), p > 0.5};
    return s_quantile_solve(&q, eng_specfun_gamma_quantile_start(p, a));
}

double eng_specfun_lgamma(double x)
{
    return s_lgamma(x);
}

double eng_specfun_digamma(double x)
{
    if (!(x > 0))
        return NAN;
    if (isinf(x))
        return x;
    double acc = 0;
    for (; x < 10; x += 1)
        acc -= 1 / x;
    /* psi(x) ~ ln x - 1/(2x) - sum B_2k / (2k x^2k), DLMF 5.15.8 */
    double r2 = 1 / (x * x);
    double s =
        r2 *
        (1.0 / 12 -
         r2 * (1.0 / 120 -
               r2 * (1.0 / 252 -
                     r2 * (1.0 / 240 - r2 * (1.0 / 132 - r2 * (691.0 / 32760 -
                                                               r2 / 12))))));
    return acc + log(x) - 0.5 / x - s;
}

double eng_specfun_nbinom_lpmf(double n, double size, double prob)
{
    if (!(n >= 0) || n != floor(n) || isinf(n) || !(size > 0) || isinf(size) ||
        !(prob > 0 && prob <= 1))
        return NAN;
    if (n == 0)
        return size * log(prob);
    if (prob == 1)
        return -INFINITY;
    return s_lgamma(size + n) - s_lgamma(size) - s_lgamma(n + 1) +
           size * log(prob) + n * log1p(-prob);
}

/* Maechler (2012), "Accurately computing log(1 - exp(-|a|))", Rmpfr
 * vignette: expm1 near 0, log1p further out. */
double eng_specfun_log1mexp(double x)
{
    if (!(x <= 0))
        return NAN;
    return x > -S_LN2 ? log(-expm1(x)) : log1p(-exp(x));
}
