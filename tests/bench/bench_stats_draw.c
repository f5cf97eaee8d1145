/*
 * bench_stats_draw.c - bench_stats' random draws built on splitmix64
 * (bench_util.c): uniform, normal, gamma and Poisson variates.
 */
#include "bench_stats.h"
#include "bench_util.h"

#define S_TWO_PI 6.283185307179586

/* Uniform in (0, 1) from the top 53 bits of r. */
double bst_unif_of(uint64_t r)
{
    return ((double)(r >> 11) + 0.5) * 0x1.0p-53;
}

double bst_unif(void)
{
    return bst_unif_of(bench_rng());
}

double bst_normal(void)
{
    return sqrt(-2 * log(bst_unif())) * cos(S_TWO_PI * bst_unif());
}

/* Marsaglia & Tsang (2000), rate 1; below shape 1 through
 * Gamma(a) = Gamma(a + 1) U^(1/a). */
double bst_gamma(double a)
{
    if (a < 1)
        return bst_gamma(a + 1) * pow(bst_unif(), 1 / a);
    double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = bst_normal(), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        if (log(bst_unif()) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

double bst_poisson(double mu)
{
    if (mu > 500)
        return bst_poisson(mu / 2) + bst_poisson(mu - mu / 2);
    double k = 0, p = exp(-mu), s = p, u = bst_unif();
    while (u > s && p > 0) {
        k++;
        p *= mu / k;
        s += p;
    }
    return k;
}
