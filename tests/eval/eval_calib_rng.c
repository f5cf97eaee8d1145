/*
 * eval_calib_rng.c - the calibration check's randomness and binomial
 * arithmetic: xoshiro256** (Blackman & Vigna 2018) seeded through
 * splitmix64 (Steele, Lea & Flood 2014) from a (seed, stream) pair so
 * every stream is reproducible on its own; Poisson by inversion; the exact
 * central acceptance region of a binomial count.
 *
 * Not here: anything about surveillance.
 */
#include "eval_calib.h"

#include <math.h>

static uint64_t s_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void ec_rng_seed(struct ec_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = s_splitmix(&x);
}

static uint64_t s_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t s_next(struct ec_rng *r)
{
    uint64_t *s = r->s, out = s_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s_rotl(s[3], 45);
    return out;
}

double ec_unif(struct ec_rng *r)
{
    return (double)(s_next(r) >> 11) * 0x1.0p-53;
}

bool ec_bern(struct ec_rng *r, double p)
{
    return ec_unif(r) < p;
}

int64_t ec_pois(struct ec_rng *r, double m)
{
    double u = ec_unif(r), p = exp(-m), f = p;
    int64_t k = 0;
    while (u >= f && k < 1000) {
        k++;
        p *= m / (double)k;
        f += p;
    }
    return k;
}

static double s_binom_pmf(int64_t k, int64_t n, double p)
{
    if (p <= 0)
        return k == 0;
    if (p >= 1)
        return k == n;
    return exp(lgamma((double)n + 1) - lgamma((double)k + 1) -
               lgamma((double)(n - k) + 1) + (double)k * log(p) +
               (double)(n - k) * log1p(-p));
}

double ec_binom_cdf(int64_t k, int64_t n, double p)
{
    double s = 0;
    for (int64_t i = 0; i <= k && i <= n; i++)
        s += s_binom_pmf(i, n, p);
    return s < 1 ? s : 1;
}

void ec_binom_region(int64_t n, double p, double conf, int64_t *lo, int64_t *hi)
{
    double tail = (1 - conf) / 2, below = 0;
    int64_t k = 0;
    /* lo: largest k with P(X < k) <= tail */
    while (k < n && below + s_binom_pmf(k, n, p) <= tail)
        below += s_binom_pmf(k++, n, p);
    *lo = k;
    double above = 0;
    k = n;
    while (k > 0 && above + s_binom_pmf(k, n, p) <= tail)
        above += s_binom_pmf(k--, n, p);
    *hi = k;
}
