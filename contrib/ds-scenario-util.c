/*
 * ds-scenario-util.c - the pure helpers of ds-scenario: a seeded PRNG, the
 * GS1 check digit, phrase templates and ASCII upper-casing.
 *
 * PRNG: xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom
 * number generators", 2018) seeded through splitmix64, as its authors
 * recommend; the same integers on every platform, unlike libc rand().
 * Bounded draws use rejection, so no modulo bias. Doubles take the top 53
 * bits times 2^-53: exact in IEEE 754 binary64, so comparisons against
 * parsed rates come out the same everywhere.
 *
 * Not here: parsing, generation, output.
 */
#include "ds-scenario.h"

#include <string.h>

uint64_t dss_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

void dss_rng_seed(struct dss_rng *r, uint64_t seed, uint64_t key, uint64_t sub)
{
    uint64_t x = seed;
    x = dss_splitmix64(&x) ^ key;
    x = dss_splitmix64(&x) ^ sub;
    for (int i = 0; i < 4; i++)
        r->s[i] = dss_splitmix64(&x);
}

static uint64_t s_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t dss_rng_next(struct dss_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = s_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s_rotl(s[3], 45);
    return result;
}

uint64_t dss_rng_below(struct dss_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* multiple of n */
    uint64_t x;
    do
        x = dss_rng_next(r);
    while (x >= limit);
    return x % n;
}

double dss_rng_unit(struct dss_rng *r)
{
    return (double)(dss_rng_next(r) >> 11) * 0x1p-53;
}

uint64_t dss_fnv1a(const char *s)
{
    uint64_t h = 0xCBF29CE484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3u;
    return h;
}

uint64_t dss_mix48(uint64_t x)
{
    const uint64_t m = (UINT64_C(1) << 48) - 1;
    x &= m;
    x = (x * 0x5DEECE66Du) & m; /* odd multiplier: invertible mod 2^48 */
    x ^= x >> 23;
    x = (x * 0x9E3779B97F4Bu) & m;
    x ^= x >> 19;
    return x;
}

char dss_gtin_check(const char *d13)
{
    int sum = 0;
    for (int i = 0; i < 13; i++) {
        if (d13[i] < '0' || d13[i] > '9')
            return 0;
        sum += (d13[i] - '0') * (i % 2 == 0 ? 3 : 1); /* from the right */
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

/* The placeholder starting at t ("{day}"...): its index, or -1. */
static int s_placeholder(const char *t, size_t *len)
{
    static const char *const names[] = {"{day}", "{brand}", "{model}"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(t, names[i], n) == 0) {
            *len = n;
            return i;
        }
    }
    return -1;
}

static size_t s_put(char *buf, size_t cap, size_t at, const char *s)
{
    for (; *s && at + 1 < cap; s++)
        buf[at++] = *s;
    return at;
}

size_t dss_expand(const char *t, long day, const char *brand, const char *model,
                  char *buf, size_t cap)
{
    size_t at = 0, len;
    char num[24];
    if (cap == 0)
        return 0;
    while (*t && at + 1 < cap) {
        int k = *t == '{' ? s_placeholder(t, &len) : -1;
        if (k < 0) {
            buf[at++] = *t++;
            continue;
        }
        if (k == 0) {
            snprintf(num, sizeof num, "%ld", day);
            at = s_put(buf, cap, at, num);
        } else {
            at = s_put(buf, cap, at, k == 1 ? brand : model);
        }
        t += len;
    }
    buf[at] = '\0';
    return at;
}

bool dss_template_ok(const char *t, const char **bad)
{
    size_t len;
    for (; *t; t++) {
        if (*t != '{')
            continue;
        if (s_placeholder(t, &len) < 0) {
            *bad = t;
            return false;
        }
        t += len - 1;
    }
    return true;
}

void dss_upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 'a' + 'A');
}
