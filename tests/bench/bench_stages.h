/*
 * bench_stages.h - what the files of bench_stages share (not a library
 * interface): the in-memory stream, the context every row shares, the
 * measured loop's description, and the functions each file gives the
 * others. bench_stages_main.c describes the program.
 */
#ifndef DEVSURV_BENCH_STAGES_H
#define DEVSURV_BENCH_STAGES_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include "devsurv/ds_err.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/eng_config.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_pipeline.h"
#include "devsurv/eng_store.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <pcre2.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define BSG_SEED    0x5eed0fdeu
#define BSG_RTT_MAX 20000
#define BSG_SOURCE  "bench"

struct bsg_item {
    size_t off, n;           /* envelope in bsg_stream.buf */
    size_t text_off, text_n; /* the text field's bytes; n 0 when none */
};

struct bsg_stream {
    char *buf;
    size_t len, cap;
    struct bsg_item *items;
    size_t count;
    size_t bytes, min_n, max_n;
    size_t ntext, text_bytes;
    size_t kinds[4]; /* exposure, outcome, note, report */
};

/* What every row shares. */
struct bsg_ctx {
    struct bsg_stream st;
    size_t n, warm;
    uint64_t *lat;  /* n entries: per item */
    uint64_t *lat2; /* n + 1 entries: per COMMIT (at most one per item) */
    char dir[200];  /* temp dir: databases and ipc endpoints */
    char notes[2048];
    size_t notes_len;
};

/* One measured loop: item(self, i, warm) for each i, and flush(self)
 * (COMMIT) after every `batch` items and after the last, timed apart. */
struct bsg_bench {
    const char *what, *name, *flush_name;
    int (*item)(void *self, size_t i, bool warm);
    int (*flush)(void *self);
    size_t batch;
};
/* ---- bench_stages_stream.c: the stream owns buf and items ---- */

/* Generate n envelopes into st (reseeds with BSG_SEED). 0 or -1. */
int bsg_gen(struct bsg_stream *st, size_t n);
/* Free what st owns (not st itself). */
void bsg_stream_free(struct bsg_stream *st);
/* Envelope i (points into st's buffer; its length is st->items[i].n). */
const char *bsg_env(const struct bsg_stream *st, size_t i);
/* Event time of envelope i, in ms since the epoch. */
int64_t bsg_ts_ms(size_t i);

/* ---- bench_stages_drive.c ---- */

/* Add a table row; lat[0..items) (sorted here) gives p50/p99, NULL for
 * none. what and name are kept, not copied. Rows past the maximum are
 * dropped. */
void bsg_row_add(const char *what, const char *name, size_t items, uint64_t ns,
                 double bytes, uint64_t *lat);
/* Print every row added. */
void bsg_print_table(void);
/* Append printf output to c's notes (printed under the table). */
void bsg_note(struct bsg_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Warm-up (untimed): items 0..warm-1 then a flush. Timed: items 0..n-1,
 * a flush every b->batch items and after the last; adds the rows. */
int bsg_drive(struct bsg_ctx *c, const struct bsg_bench *b, void *self,
              size_t n, double bytes);
/* "<c->dir>/<name>" into out[cap]. */
void bsg_path(char *out, size_t cap, const struct bsg_ctx *c, const char *name);

/* ---- the rows: each measures, adds its rows or a note; 0 or -1 ---- */

int bsg_run_jansson(struct bsg_ctx *c);  /* bench_stages_decode.c */
int bsg_run_decode(struct bsg_ctx *c);   /* bench_stages_decode.c */
int bsg_run_sqlite(struct bsg_ctx *c);   /* bench_stages_store.c */
int bsg_run_pipeline(struct bsg_ctx *c); /* bench_stages_store.c */
/* The pipeline row under another name (bench_stages_store.c). */
int bsg_run_pipeline_as(struct bsg_ctx *c, const char *name);
int bsg_run_audit(struct bsg_ctx *c); /* bench_stages_audit.c */
/* Seconds of the timed loop of the row named `name`; 0 when absent. */
double bsg_row_secs(const char *name);
/* Note: the audit row's time over the pipeline row's, in percent. */
void bsg_note_audit_share(struct bsg_ctx *c);
int bsg_run_pcre2(struct bsg_ctx *c);  /* bench_stages_pcre2.c */
int bsg_run_zeromq(struct bsg_ctx *c); /* bench_stages_zmq.c */

#endif
