/*
 * bench_extract_table.c - bench_extract's measurement and its table: one
 * row = an untimed warm-up pass, then BX_REPS timed repeats (note by note
 * or one wall-clock loop), the fastest kept, p50/p99 from it; targets and
 * the printed table.
 */
#include "bench_extract.h"
#include "bench_util.h"

static int s_one(const struct bx_stage *st, void *self, struct ds_span t,
                 uint64_t *out, uint64_t *lat, bool tally)
{
    int rc = st->prep ? st->prep(self, t) : 0;
    if (rc == 0 && lat) {
        uint64_t u = bench_now_ns();
        rc = st->run(self, t, out);
        *lat = bench_now_ns() - u;
    } else if (rc == 0) {
        rc = st->run(self, t, out);
    }
    if (rc == 0 && st->post)
        rc = st->post(self, tally);
    return rc;
}

/* One timed repeat of c->passes passes: per-note times into lat (when
 * the row times notes), its seconds into *ns, what it found into *out,
 * its ds_alloc calls added to *allocs. */
static int s_timed(const struct bx_corpus *c, const struct bx_stage *st,
                   void *self, uint64_t *lat, bool tally, uint64_t *ns,
                   uint64_t *out, uint64_t *allocs)
{
    size_t total = c->passes * c->count;
    uint64_t sum = 0;
    struct ds_alloc_stats a0, a1;
    int rc = 0;
    *out = 0;
    ds_alloc_stats(&a0);
    uint64_t t0 = bench_now_ns();
    for (size_t k = 0; rc == 0 && k < total; k++) {
        uint64_t *l = st->per_note ? &lat[k] : NULL;
        rc = s_one(st, self, bx_text(c, k % c->count), out, l, tally);
        sum += l ? *l : 0;
    }
    uint64_t wall = bench_now_ns() - t0;
    ds_alloc_stats(&a1);
    *ns = st->per_note ? sum : wall;
    *allocs += a1.allocs - a0.allocs;
    return rc;
}

/* Warm-up pass (untimed), then BX_REPS timed repeats; the fastest is the
 * row, its per-note times give p50/p99. */
int bx_measure(struct bx_bench *b, struct bx_table *tb,
               const struct bx_corpus *c, const struct bx_stage *st, void *self)
{
    uint64_t out = 0, ns, best = UINT64_MAX, allocs = 0;
    size_t total = c->passes * c->count;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->count; i++)
        rc = s_one(st, self, bx_text(c, i), &out, NULL, false);
    for (int k = 0; rc == 0 && k < BX_REPS; k++) {
        rc = s_timed(c, st, self, b->spare, k == 0, &ns, &out, &allocs);
        if (rc == 0 && ns < best) {
            uint64_t *t = b->lat;
            b->lat = b->spare;
            b->spare = t;
            best = ns;
        }
    }
    if (rc != 0 || tb->n == BX_ROWS_MAX)
        return rc ? rc : bench_fail(st->name, "too many rows");
    struct bx_row *r = &tb->rows[tb->n++];
    *r = (struct bx_row){.what = st->what,
                         .notes = total,
                         .bytes = (double)c->len * (double)c->passes,
                         .secs = (double)best / 1e9,
                         .lat = st->per_note,
                         .out = (double)out / (double)total,
                         .allocs = st->allocs ? (long long)allocs : -1,
                         .alloc_notes = BX_REPS * total};
    snprintf(r->name, sizeof r->name, "%s", st->name);
    if (st->per_note) {
        qsort(b->lat, total, sizeof *b->lat, bench_cmp_u64);
        r->p50_us = bench_pct_us(b->lat, total, 0.50);
        r->p99_us = bench_pct_us(b->lat, total, 0.99);
    }
    return 0;
}

static double s_mbs(const struct bx_row *r)
{
    return r->bytes / (r->secs > 0 ? r->secs : 1e-9) / 1e6;
}

/* Row named name, or NULL. */
struct bx_row *bx_find(struct bx_table *tb, const char *name)
{
    for (size_t i = 0; i < tb->n; i++)
        if (strncmp(tb->rows[i].name, name, strlen(name)) == 0)
            return &tb->rows[i];
    return NULL;
}

void bx_target(struct bx_row *r, double want)
{
    if (r)
        snprintf(r->target, sizeof r->target, ">= %.0f MB/s: %s", want,
                 s_mbs(r) >= want ? "met" : "below");
}

void bx_print_table(const struct bx_table *tb, const struct bx_row *full)
{
    printf("%-8s %-32s %7s %7s %8s %8s %9s %8s %8s %8s %6s %6s  %s\n", "",
           "row", "notes", "MB", "seconds", "MB/s", "notes/s", "p50 us",
           "p99 us", "out/note", "%full", "allocs", "target");
    for (size_t i = 0; i < tb->n; i++) {
        const struct bx_row *r = &tb->rows[i];
        double s = r->secs > 0 ? r->secs : 1e-9;
        printf("%-8s %-32s %7zu %7.2f %8.3f %8.1f %9.0f ", r->what, r->name,
               r->notes, r->bytes / 1e6, r->secs, s_mbs(r),
               (double)r->notes / s);
        if (r->lat)
            printf("%8.2f %8.2f ", r->p50_us, r->p99_us);
        else
            printf("%8s %8s ", "-", "-");
        printf("%8.2f ", r->out);
        if (full && strcmp(r->what, "stage") == 0 && full->secs > 0)
            printf("%5.1f%% ", 100.0 * r->secs / full->secs);
        else
            printf("%6s ", "-");
        if (r->allocs >= 0)
            printf("%6lld  %s\n", r->allocs, r->target);
        else
            printf("%6s  %s\n", "-", r->target);
    }
}
