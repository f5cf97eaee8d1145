/*
 * bench_stats_table.c - bench_stats' calculation table: timed repetitions
 * of a call, the rows (median and min per call), and printing them.
 */
#include "bench_stats.h"
#include "bench_util.h"

#define S_ROWS_MAX 16

/* A duration in ns with a unit that keeps 3-4 significant digits. */
static const char *s_dur(char *buf, size_t cap, double ns)
{
    if (ns < 1e3)
        snprintf(buf, cap, "%.1f ns", ns);
    else if (ns < 1e6)
        snprintf(buf, cap, "%.2f us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, cap, "%.2f ms", ns / 1e6);
    else
        snprintf(buf, cap, "%.3f s", ns / 1e9);
    return buf;
}
/* ---- the calculation table ---- */

static struct bst_calc s_calcs[S_ROWS_MAX];
static size_t s_ncalcs;

/* Add row *proto with the per-repetition times ns[0..reps) (sorted here). */
void bst_calc_add(const struct bst_calc *proto, uint64_t *ns, const char *value)
{
    if (s_ncalcs == S_ROWS_MAX || proto->reps < 1)
        return;
    struct bst_calc *r = &s_calcs[s_ncalcs++];
    int n = proto->reps;
    *r = *proto;
    qsort(ns, (size_t)n, sizeof *ns, bench_cmp_u64);
    double med = n % 2 ? (double)ns[n / 2]
                       : ((double)ns[n / 2 - 1] + (double)ns[n / 2]) / 2;
    r->med_ns = med / (double)r->calls;
    r->min_ns = (double)ns[0] / (double)r->calls;
    snprintf(r->value, sizeof r->value, "%s", value);
}

void bst_print_calcs(void)
{
    char med[24], min[24], ratio[24], target[32];
    printf("%-34s %4s %7s %10s %10s  %-8s %-22s %-14s %-11s %s\n",
           "calculation", "reps", "calls", "median", "min", "cache", "result",
           "R (stats.md 8)", "R/ours", "target");
    for (size_t i = 0; i < s_ncalcs; i++) {
        const struct bst_calc *r = &s_calcs[i];
        double s = r->med_ns / 1e9;
        snprintf(ratio, sizeof ratio, "-");
        if (r->r_ref && s > 0 && r->r_lo == r->r_hi)
            snprintf(ratio, sizeof ratio, "%.0fx", r->r_lo / s);
        else if (r->r_ref && s > 0)
            snprintf(ratio, sizeof ratio, "%.0f-%.0fx", r->r_lo / s,
                     r->r_hi / s);
        snprintf(target, sizeof target, "-");
        if (r->target > 0)
            snprintf(target, sizeof target, "< %g %s: %s",
                     r->target < 1 ? r->target * 1e3 : r->target,
                     r->target < 1 ? "ms" : "s", s < r->target ? "yes" : "NO");
        printf("%-34s %4d %7ld %10s %10s  %-8s %-22s %-14s %-11s %s\n", r->name,
               r->reps, r->calls, s_dur(med, sizeof med, r->med_ns),
               s_dur(min, sizeof min, r->min_ns), r->cache, r->value,
               r->r_ref ? r->r_ref : "-", ratio, target);
    }
}

/* One untimed warm-up run of fn, then reps timed runs into ns[]. */
int bst_time_reps(int (*fn)(void *), void *ctx, int reps, uint64_t *ns)
{
    if (fn(ctx) != 0)
        return -1;
    for (int i = 0; i < reps; i++) {
        uint64_t t0 = bench_now_ns();
        int rc = fn(ctx);
        ns[i] = bench_now_ns() - t0;
        if (rc != 0)
            return -1;
    }
    return 0;
}
