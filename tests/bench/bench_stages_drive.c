/*
 * bench_stages_drive.c - bench_stages' measured loop (warm-up, timed items,
 * timed COMMITs), its result table, and the notes printed under it.
 */
#include "bench_stages.h"
#include "bench_util.h"

#define S_ROWS_MAX 16

struct s_row {
    const char *what; /* "stage", "baseline" or "" (a detail row) */
    const char *name;
    size_t items; /* 0: not measured */
    double secs, bytes;
    bool lat; /* p50/p99 measured */
    double p50_us, p99_us;
};

static struct s_row s_rows[S_ROWS_MAX];
static size_t s_nrows;
/* Add a row; lat[0..items) (sorted here) gives p50/p99, NULL for none. */
void bsg_row_add(const char *what, const char *name, size_t items, uint64_t ns,
                 double bytes, uint64_t *lat)
{
    if (s_nrows == S_ROWS_MAX)
        return;
    struct s_row *r = &s_rows[s_nrows++];
    *r = (struct s_row){.what = what,
                        .name = name,
                        .items = items,
                        .secs = (double)ns / 1e9,
                        .bytes = bytes};
    if (lat && items) {
        qsort(lat, items, sizeof *lat, bench_cmp_u64);
        r->lat = true;
        r->p50_us = bench_pct_us(lat, items, 0.50);
        r->p99_us = bench_pct_us(lat, items, 0.99);
    }
}

void bsg_print_table(void)
{
    printf("%-8s %-33s %8s %8s %10s %8s %9s %9s\n", "", "stage / baseline",
           "items", "seconds", "items/s", "MB/s", "p50 us", "p99 us");
    for (size_t i = 0; i < s_nrows; i++) {
        const struct s_row *r = &s_rows[i];
        if (r->items == 0) {
            printf("%-8s %-33s %8s   (not measured: see notes)\n", r->what,
                   r->name, "-");
            continue;
        }
        double s = r->secs > 0 ? r->secs : 1e-9;
        printf("%-8s %-33s %8zu %8.3f %10.0f ", r->what, r->name, r->items,
               r->secs, (double)r->items / s);
        if (r->bytes > 0)
            printf("%8.1f ", r->bytes / s / 1e6);
        else
            printf("%8s ", "-");
        if (r->lat)
            printf("%9.2f %9.2f\n", r->p50_us, r->p99_us);
        else
            printf("%9s %9s\n", "-", "-");
    }
}

double bsg_row_secs(const char *name)
{
    for (size_t i = 0; i < s_nrows; i++)
        if (strcmp(s_rows[i].name, name) == 0)
            return s_rows[i].secs;
    return 0;
}

void bsg_note(struct bsg_ctx *c, const char *fmt, ...)
{
    va_list ap;
    size_t room = sizeof c->notes - c->notes_len;
    va_start(ap, fmt);
    int k = vsnprintf(c->notes + c->notes_len, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        c->notes_len += (size_t)k < room ? (size_t)k : room - 1;
}

/* Warm-up (untimed): items 0..warm-1 then a flush. Timed: items 0..n-1. */
int bsg_drive(struct bsg_ctx *c, const struct bsg_bench *b, void *self,
              size_t n, double bytes)
{
    size_t warm = c->warm < n ? c->warm : n, nf = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < warm; i++)
        rc = b->item(self, i, true);
    if (rc == 0 && b->flush)
        rc = b->flush(self);
    uint64_t tf = 0, t0 = bench_now_ns();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t t = bench_now_ns();
        rc = b->item(self, i, false);
        uint64_t u = bench_now_ns();
        c->lat[i] = u - t;
        if (rc == 0 && b->flush && ((i + 1) % b->batch == 0 || i + 1 == n)) {
            rc = b->flush(self);
            c->lat2[nf] = bench_now_ns() - u;
            tf += c->lat2[nf++];
        }
    }
    uint64_t dt = bench_now_ns() - t0;
    if (rc != 0)
        return rc;
    bsg_row_add(b->what, b->name, n, dt, bytes, c->lat);
    if (b->flush)
        bsg_row_add("", b->flush_name, nf, tf, 0, c->lat2);
    return 0;
}

void bsg_path(char *out, size_t cap, const struct bsg_ctx *c, const char *name)
{
    snprintf(out, cap, "%s/%s", c->dir, name);
}

/* ---- jansson alone; decode ---- */
