/*
 * test_eng_lat.c - the latency histogram (eng_lat.h) against exact
 * percentiles of known samples: a percentile is never below the true
 * value and at most one bucket above it (10 us below 100 ms, 1 ms above).
 */
#include "devsurv/eng_lat.h"
#include "../test.h"

#include <math.h>
#include <stdlib.h>

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

TEST(empty_is_zero)
{
    eng_lat_t *h = eng_lat_new();
    CHECK(h != NULL);
    CHECK_INT(eng_lat_count(h), 0);
    CHECK_INT(eng_lat_percentile(h, 99), 0);
    eng_lat_destroy(&h);
    CHECK(h == NULL);
}

TEST(percentiles_bound_the_exact_values)
{
    enum { N = 20000 };
    static int64_t v[N];
    eng_lat_t *h = eng_lat_new();
    srand(7);
    for (int i = 0; i < N; i++) {
        /* mostly sub-ms, a tail into seconds */
        v[i] = i % 100 == 0 ? rand() % 5000000 : rand() % 3000;
        eng_lat_add(h, v[i]);
    }
    qsort(v, N, sizeof v[0], s_cmp);
    const double ps[] = {50, 90, 99, 99.9, 100};
    for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
        size_t rank = (size_t)ceil(ps[k] / 100.0 * N);
        int64_t exact = v[rank - 1], got = eng_lat_percentile(h, ps[k]);
        int64_t width = exact < 100000 ? 10 : 1000;
        CHECK(got >= exact);
        CHECK(got <= exact + width);
    }
    CHECK_INT(eng_lat_max(h), v[N - 1]);
    CHECK_INT(eng_lat_percentile(h, 100), v[N - 1]);
    CHECK_INT(eng_lat_count(h), N);
    eng_lat_destroy(&h);
}

TEST(overflow_and_negative)
{
    eng_lat_t *h = eng_lat_new();
    eng_lat_add(h, -5);
    eng_lat_add(h, 90LL * 1000 * 1000); /* 90 s: past the last bucket */
    CHECK_INT(eng_lat_percentile(h, 50), 10);
    CHECK_INT(eng_lat_percentile(h, 100), 90LL * 1000 * 1000);
    eng_lat_destroy(&h);
}

int main(void)
{
    RUN(empty_is_zero);
    RUN(percentiles_bound_the_exact_values);
    RUN(overflow_and_negative);
    return test_report();
}
