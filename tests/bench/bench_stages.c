/*
 * bench_stages.c - throughput and latency of each engine stage next to the
 * raw library it is built on, measured in one process, in the same run, on
 * the same synthetic stream (`make bench`, tests/bench/run.sh).
 *
 * The stream: N envelopes (argv[1], default 200000) in the shape of
 * fixtures/streams/demo.jsonl, 200-400 bytes each, generated in memory
 * from a fixed seed (splitmix64), so every run measures the same bytes:
 * 40 % exposures, 10 % outcomes, 40 % clinical notes, 10 % incident
 * reports (upper case), over 8 device product codes.
 *
 * Rows (a stage and the baseline it should be read against):
 *   jansson alone     json_loadb + json_decref per envelope (plain malloc:
 *                     it runs before any decoder routes jansson through
 *                     ds_alloc)
 *   decode            eng_decoder_decode: parse + validate
 *   SQLite alone      INSERT OR IGNORE of the payload into a WITHOUT ROWID
 *                     table keyed (source, epoch, seq), the store's pragmas
 *                     (WAL, synchronous=FULL), 1000 rows per transaction
 *   pipeline          eng_pipeline_submit per envelope, eng_pipeline_commit
 *                     every store.batch_events (1000): decode, events row,
 *                     watermark, exposures / cells, MaxSPRT, signals; the
 *                     whole engine path without the network
 *   PCRE2 alone       one JIT-compiled caseless alternation of 20 device
 *                     terms over the note and report texts, all matches
 *                     per text, match data reused
 *   ZeroMQ alone      7-frame DSV1-shaped EV messages DEALER -> ROUTER over
 *                     ipc:// between two threads (throughput), and one EV
 *                     -> ACK round trip at a time in one thread (latency)
 * items/s and MB/s come from the wall time of the timed loop (commits
 * included); p50/p99 are per item, with COMMIT shown in its own row. Each
 * row first runs a warm-up of min(N, 2000) items that is not timed.
 * Per-item timing costs two clock_gettime calls; the overhead is printed.
 *
 * Not here: the network between processes and the ingest sequencing
 * (bench_e2e.sh runs the real binaries), text extraction (no nlp_ stage
 * exists yet), and any pass/fail on speed: this prints, it never judges.
 * Exit status is non-zero only when something failed to run.
 */
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

#define S_DEFAULT_N  200000
#define S_WARMUP_MAX 2000
#define S_TX_ROWS    1000
#define S_RTT_MAX    20000
#define S_ROWS_MAX   16
#define S_SEED       0x5eed0fdeu
#define S_T0         1767571200 /* 2026-01-05T00:00:00Z */
#define S_ENV_MAX    400        /* longest envelope generated */
#define S_SOURCE     "bench"

/* ---- the synthetic stream ---- */

struct s_device {
    const char *code, *brand, *model, *proc, *term;
};

/* Product codes are only checked for syntax; pairings are illustrative. */
static const struct s_device s_devices[] = {
    {"MGB", "Angio-Seal", "VIP 6F", "femoral-closure", "closure device"},
    {"LZG", "MiniMed", "780G", "pump-start", "insulin pump"},
    {"DXY", "Azure", "XT DR", "ppm-implant", "pacemaker"},
    {"LWS", "Evera", "MRI XT", "icd-implant", "defibrillator"},
    {"NIQ", "Xience", "Sierra 3.0", "pci-stent", "drug-eluting stent"},
    {"DQY", "Swan-Ganz", "CCO 7.5F", "pa-line", "catheter"},
    {"KWZ", "Accolade", "II 132", "hip-arthroplasty", "hip prosthesis"},
    {"FRN", "Alaris", "8100", "pump-start", "infusion pump"},
};

/* Two outcomes per device (same order): IMDRF-shaped code and term. */
static const char *const s_outcomes[][2][2] = {
    {{"E0505", "Hematoma"}, {"E0602", "Pseudoaneurysm"}},
    {{"E1205", "Hyperglycemia"}, {"A0701", "Occlusion alarm"}},
    {{"E0101", "Arrhythmia"}, {"A0501", "Lead dislodgement"}},
    {{"E0103", "Inappropriate shock"}, {"A0502", "Lead fracture"}},
    {{"E0404", "Stent thrombosis"}, {"E0601", "Restenosis"}},
    {{"E0302", "Infection"}, {"E1302", "Vessel perforation"}},
    {{"E1501", "Dislocation"}, {"A0404", "Loosening"}},
    {{"E2101", "Overdose"}, {"A0601", "Free flow"}},
};
#define S_NDEV (sizeof s_devices / sizeof s_devices[0])

/* Sentences of notes: a, then the device's term and b when b is set. */
static const struct {
    const char *a, *b;
} s_sentences[] = {
    {"Patient reviewed on the ward after ", " placement."},
    {"Small haematoma at the access site, no bruit, pulses present.", NULL},
    {"Reports intermittent dizziness since the last visit.", NULL},
    {"Interrogation of the ", " normal, impedance within range."},
    {"Occlusion alarm at night, glucose 18 mmol/L, corrected.", NULL},
    {"No adverse event reported by the patient or family.", NULL},
    {"Wound clean and dry, sutures removed, follow-up in six weeks.", NULL},
    {"Suspected malfunction of the ", "; unit returned to maker."},
    {"Chest pain on exertion, troponin negative, ECG unchanged.", NULL},
    {"Fever of 38.4 C, blood cultures taken, antibiotics started.", NULL},
};
#define S_NSENT (sizeof s_sentences / sizeof s_sentences[0])

struct s_item {
    size_t off, n;           /* envelope in s_stream.buf */
    size_t text_off, text_n; /* the text field's bytes; n 0 when none */
};

struct s_stream {
    char *buf;
    size_t len, cap;
    struct s_item *items;
    size_t count;
    size_t bytes, min_n, max_n;
    size_t ntext, text_bytes;
    size_t kinds[4]; /* exposure, outcome, note, report */
};

static uint64_t s_rng_state;

static uint64_t s_rng(void)
{
    uint64_t z = (s_rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int s_reserve(struct s_stream *st, size_t more)
{
    if (st->len + more <= st->cap)
        return 0;
    size_t cap = st->cap ? st->cap : 1u << 20;
    while (cap < st->len + more)
        cap *= 2;
    char *p = realloc(st->buf, cap);
    if (!p)
        return -1;
    st->buf = p;
    st->cap = cap;
    return 0;
}

/* A note's text of whole sentences, at most max bytes (at least one). */
static size_t s_text(char *out, size_t max, const struct s_device *d,
                     bool upper)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        char sent[160];
        size_t j = s_rng() % S_NSENT;
        const char *b = s_sentences[j].b;
        int k = snprintf(sent, sizeof sent, "%s%s%s", s_sentences[j].a,
                         b ? d->term : "", b ? b : "");
        if (k < 0 || (i > 0 && n + 1 + (size_t)k > max))
            break;
        if (i > 0)
            out[n++] = ' ';
        memcpy(out + n, sent, (size_t)k);
        n += (size_t)k;
    }
    for (size_t i = 0; upper && i < n; i++)
        out[i] = (char)toupper((unsigned char)out[i]);
    out[n] = '\0';
    return n;
}

/* Kind-specific members: procedure, event or text (after the device). */
static int s_extra(char *out, size_t cap, int kind, const struct s_device *d,
                   size_t head, size_t *text_at)
{
    size_t j = s_rng() % 2;
    *text_at = 0;
    if (kind == 0)
        return snprintf(out, cap,
                        ",\"procedure\":{\"code\":\"%s\","
                        "\"action\":\"implanted\"}}",
                        d->proc);
    if (kind == 1)
        return snprintf(out, cap,
                        ",\"event\":{\"code\":\"%s\","
                        "\"term\":\"%s\"}}",
                        s_outcomes[d - s_devices][j][0],
                        s_outcomes[d - s_devices][j][1]);
    char text[S_ENV_MAX];
    size_t room = S_ENV_MAX - head - sizeof ",\"text\":\"\"}" + 1;
    s_text(text, room < sizeof text ? room : sizeof text - 1, d, kind == 3);
    *text_at = sizeof ",\"text\":\"" - 1;
    return snprintf(out, cap, ",\"text\":\"%s\"}", text);
}

static const char *const s_kinds[] = {"exposure", "outcome", "note", "report"};

/* The common members of envelope i, up to the device object, into out. */
static int s_head(char *out, size_t cap, size_t i, int kind,
                  const struct s_device *d)
{
    time_t t = (time_t)(S_T0 + (int64_t)i * 13);
    struct tm tm;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    uint64_t r = s_rng();
    return snprintf(out, cap,
                    "{\"id\":\"bench-%07zu\",\"kind\":\"%s\",\"time\":\"%s\","
                    "\"patient\":\"p-%06x\",\"encounter\":\"e-%05x\","
                    "\"device\":{\"product_code\":\"%s\",\"udi\":"
                    "\"(01)00614141%06u(21)SN%05u\",\"brand\":\"%s\","
                    "\"model\":\"%s\"}",
                    i + 1, s_kinds[kind], when, (unsigned)(r & 0xffffff),
                    (unsigned)((r >> 24) & 0xfffff), d->code,
                    (unsigned)((r >> 44) % 1000000), (unsigned)(i % 100000),
                    d->brand, d->model);
}

/* Append env[0..n) (its text, if any, at text_off for text_n) to st. */
static int s_push(struct s_stream *st, const char *env, size_t n,
                  size_t text_off, size_t text_n, int kind)
{
    if (s_reserve(st, n + 1) != 0)
        return -1;
    struct s_item *it = &st->items[st->count++];
    *it = (struct s_item){st->len, n, text_n ? st->len + text_off : 0, text_n};
    memcpy(st->buf + st->len, env, n);
    st->buf[st->len + n] = '\n'; /* not part of the envelope */
    st->len += n + 1;
    st->kinds[kind]++;
    st->bytes += n;
    st->min_n = st->min_n && st->min_n < n ? st->min_n : n;
    st->max_n = st->max_n > n ? st->max_n : n;
    st->ntext += text_n > 0;
    st->text_bytes += text_n;
    return 0;
}

/* Append envelope i to the stream. */
static int s_gen_one(struct s_stream *st, size_t i)
{
    static const int kind_of[10] = {0, 0, 0, 0, 1, 2, 2, 2, 2, 3};
    int kind = kind_of[s_rng() % 10];
    const struct s_device *d = &s_devices[s_rng() % S_NDEV];
    char env[2 * S_ENV_MAX], tail[S_ENV_MAX + 32];
    size_t text_at;
    int h = s_head(env, sizeof env, i, kind, d);
    if (h < 0 || (size_t)h >= S_ENV_MAX)
        return -1;
    int e = s_extra(tail, sizeof tail, kind, d, (size_t)h, &text_at);
    if (e < 0 || (size_t)(h + e) >= sizeof env)
        return -1;
    memcpy(env + h, tail, (size_t)e + 1);
    return s_push(st, env, (size_t)(h + e), (size_t)h + text_at,
                  text_at ? (size_t)e - text_at - 2 : 0, kind);
}

static int s_gen(struct s_stream *st, size_t n)
{
    memset(st, 0, sizeof *st);
    s_rng_state = S_SEED;
    st->items = calloc(n, sizeof *st->items);
    if (!st->items)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s_gen_one(st, i) != 0)
            return -1;
    return 0;
}

static void s_stream_free(struct s_stream *st)
{
    free(st->buf);
    free(st->items);
    memset(st, 0, sizeof *st);
}

static const char *s_env(const struct s_stream *st, size_t i)
{
    return st->buf + st->items[i].off;
}

static int64_t s_ts_ms(size_t i)
{
    return ((int64_t)S_T0 + (int64_t)i * 13) * 1000;
}

/* ---- timing and the result table ---- */

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

static uint64_t s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int s_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile q (0..1] of sorted v[0..n), in microseconds. */
static double s_pct_us(const uint64_t *v, size_t n, double q)
{
    size_t k = (size_t)(q * (double)n);
    k = (double)k < q * (double)n ? k + 1 : k;
    k = k < 1 ? 1 : k > n ? n : k;
    return (double)v[k - 1] / 1000.0;
}

/* Add a row; lat[0..items) (sorted here) gives p50/p99, NULL for none. */
static void s_row_add(const char *what, const char *name, size_t items,
                      uint64_t ns, double bytes, uint64_t *lat)
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
        qsort(lat, items, sizeof *lat, s_cmp_u64);
        r->lat = true;
        r->p50_us = s_pct_us(lat, items, 0.50);
        r->p99_us = s_pct_us(lat, items, 0.99);
    }
}

static void s_print_table(void)
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

static int s_fail(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int s_fail(const char *what, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bench_stages: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* What every row shares. */
struct s_ctx {
    struct s_stream st;
    size_t n, warm;
    uint64_t *lat;  /* n entries: per item */
    uint64_t *lat2; /* n + 1 entries: per COMMIT (at most one per item) */
    char dir[200];  /* temp dir: databases and ipc endpoints */
    char notes[2048];
    size_t notes_len;
};

static void s_note(struct s_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void s_note(struct s_ctx *c, const char *fmt, ...)
{
    va_list ap;
    size_t room = sizeof c->notes - c->notes_len;
    va_start(ap, fmt);
    int k = vsnprintf(c->notes + c->notes_len, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        c->notes_len += (size_t)k < room ? (size_t)k : room - 1;
}

/* One measured loop: item(self, i, warm) for each i, and flush(self)
 * (COMMIT) after every `batch` items and after the last, timed apart. */
struct s_bench {
    const char *what, *name, *flush_name;
    int (*item)(void *self, size_t i, bool warm);
    int (*flush)(void *self);
    size_t batch;
};

/* Warm-up (untimed): items 0..warm-1 then a flush. Timed: items 0..n-1. */
static int s_drive(struct s_ctx *c, const struct s_bench *b, void *self,
                   size_t n, double bytes)
{
    size_t warm = c->warm < n ? c->warm : n, nf = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < warm; i++)
        rc = b->item(self, i, true);
    if (rc == 0 && b->flush)
        rc = b->flush(self);
    uint64_t tf = 0, t0 = s_now_ns();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t t = s_now_ns();
        rc = b->item(self, i, false);
        uint64_t u = s_now_ns();
        c->lat[i] = u - t;
        if (rc == 0 && b->flush && ((i + 1) % b->batch == 0 || i + 1 == n)) {
            rc = b->flush(self);
            c->lat2[nf] = s_now_ns() - u;
            tf += c->lat2[nf++];
        }
    }
    uint64_t dt = s_now_ns() - t0;
    if (rc != 0)
        return rc;
    s_row_add(b->what, b->name, n, dt, bytes, c->lat);
    if (b->flush)
        s_row_add("", b->flush_name, nf, tf, 0, c->lat2);
    return 0;
}

static void s_path(char *out, size_t cap, const struct s_ctx *c,
                   const char *name)
{
    snprintf(out, cap, "%s/%s", c->dir, name);
}

/* ---- jansson alone; decode ---- */

static int s_jansson_item(void *self, size_t i, bool warm)
{
    const struct s_stream *st = self;
    json_error_t err;
    (void)warm;
    json_t *j =
        json_loadb(s_env(st, i), st->items[i].n, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return s_fail("jansson alone", "envelope %zu: %s", i + 1, err.text);
    json_decref(j);
    return 0;
}

/* Must run before any eng_decoder_new(): see the file-top comment. */
static int s_run_jansson(struct s_ctx *c)
{
    static const struct s_bench b = {.what = "baseline",
                                     .name = "jansson alone (loadb+decref)",
                                     .item = s_jansson_item};
    return s_drive(c, &b, &c->st, c->n, (double)c->st.bytes);
}

struct s_dec {
    const struct s_stream *st;
    eng_decoder_t *dec;
    struct ds_span ctype;
    struct ds_diag diag;
};

static int s_decode_item(void *self, size_t i, bool warm)
{
    struct s_dec *d = self;
    struct eng_event ev;
    (void)warm;
    int rc = eng_decoder_decode(d->dec, d->ctype, s_env(d->st, i),
                                d->st->items[i].n, &ev, &d->diag);
    if (rc != 0)
        return s_fail("decode", "envelope %zu: %s: %s", i + 1, ds_strerror(rc),
                      d->diag.msg);
    return 0;
}

static int s_run_decode(struct s_ctx *c)
{
    static const struct s_bench b = {.what = "stage",
                                     .name = "decode (parse+validate)",
                                     .item = s_decode_item};
    struct s_dec d = {.st = &c->st, .ctype = ds_span_str(ENG_CTYPE_EVENT_JSON)};
    struct ds_alloc_stats a0, a1;
    d.dec = eng_decoder_new();
    if (!d.dec)
        return s_fail("decode", "out of memory");
    int rc = s_drive(c, &b, &d, c->n, (double)c->st.bytes);
    size_t k = c->n < 1000 ? c->n : 1000;
    ds_alloc_stats(&a0);
    for (size_t i = 0; rc == 0 && i < k; i++)
        rc = s_decode_item(&d, i, false);
    ds_alloc_stats(&a1);
    if (rc == 0)
        s_note(c,
               "decode: %.1f ds_alloc allocations per envelope (jansson's "
               "document, kept until the next decode).\n",
               (double)(a1.allocs - a0.allocs) / (double)k);
    eng_decoder_destroy(&d.dec);
    return rc;
}

/* ---- SQLite alone ---- */

/* The store's per-connection settings (engine/eng_store.c). */
static const char s_sql_pragmas[] = "PRAGMA journal_mode=WAL;"
                                    "PRAGMA synchronous=FULL;"
                                    "PRAGMA foreign_keys=ON;"
                                    "PRAGMA trusted_schema=OFF;"
                                    "PRAGMA journal_size_limit=67108864;";
static const char s_sql_schema[] =
    "CREATE TABLE events(source TEXT NOT NULL, epoch INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, ts_event INTEGER NOT NULL,"
    " payload BLOB NOT NULL, PRIMARY KEY(source, epoch, seq)) WITHOUT ROWID";

struct s_sql {
    const struct s_stream *st;
    sqlite3 *db;
    sqlite3_stmt *ins, *begin, *commit;
    bool open;
};

static int s_sql_step(struct s_sql *q, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return s_fail("SQLite alone", "%s", sqlite3_errmsg(q->db));
    return 0;
}

static int s_sql_item(void *self, size_t i, bool warm)
{
    struct s_sql *q = self;
    if (!q->open && s_sql_step(q, q->begin) != 0)
        return -1;
    q->open = true;
    sqlite3_bind_text(q->ins, 1, warm ? "warmup" : S_SOURCE, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q->ins, 2, 1);
    sqlite3_bind_int64(q->ins, 3, (int64_t)i + 1);
    sqlite3_bind_int64(q->ins, 4, s_ts_ms(i));
    sqlite3_bind_blob64(q->ins, 5, s_env(q->st, i), q->st->items[i].n,
                        SQLITE_STATIC);
    if (s_sql_step(q, q->ins) != 0)
        return -1;
    return sqlite3_changes(q->db) == 1
               ? 0
               : s_fail("SQLite alone", "row %zu not inserted", i + 1);
}

static int s_sql_flush(void *self)
{
    struct s_sql *q = self;
    if (!q->open)
        return 0;
    q->open = false;
    return s_sql_step(q, q->commit);
}

static int s_sql_open(struct s_sql *q, const char *path)
{
    if (sqlite3_open_v2(path, &q->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK ||
        sqlite3_exec(q->db, s_sql_pragmas, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(q->db, s_sql_schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db,
                           "INSERT OR IGNORE INTO events VALUES(?,?,?,?,?)", -1,
                           &q->ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db, "BEGIN IMMEDIATE", -1, &q->begin, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(q->db, "COMMIT", -1, &q->commit, NULL) != SQLITE_OK)
        return s_fail("SQLite alone", "%s: %s", path,
                      q->db ? sqlite3_errmsg(q->db) : "out of memory");
    return 0;
}

static int s_run_sqlite(struct s_ctx *c)
{
    static const struct s_bench b = {.what = "baseline",
                                     .name = "SQLite alone (insert, 1000/tx)",
                                     .flush_name = "  COMMIT, per 1000-row tx",
                                     .item = s_sql_item,
                                     .flush = s_sql_flush,
                                     .batch = S_TX_ROWS};
    struct s_sql q = {.st = &c->st};
    char path[300];
    s_path(path, sizeof path, c, "sqlite-alone.db");
    int rc = s_sql_open(&q, path);
    if (rc == 0)
        rc = s_drive(c, &b, &q, c->n, (double)c->st.bytes);
    if (q.open)
        sqlite3_exec(q.db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(q.ins);
    sqlite3_finalize(q.begin);
    sqlite3_finalize(q.commit);
    sqlite3_close(q.db);
    return rc;
}

/* ---- the pipeline: decode, store, counts, MaxSPRT, signals ---- */

struct s_pipe {
    const struct s_stream *st;
    eng_store_t *store;
    eng_pipeline_t *pipe;
    struct ds_span ctype;
};

static int s_pipe_item(void *self, size_t i, bool warm)
{
    struct s_pipe *p = self;
    struct eng_msg m = {
        .key = {ds_span_str(warm ? "warmup" : S_SOURCE), 1, (int64_t)i + 1},
        .ctype = p->ctype,
        .payload = s_env(p->st, i),
        .n = p->st->items[i].n,
    };
    int rc = eng_pipeline_submit(p->pipe, &m);
    if (rc != 0)
        return s_fail("pipeline", "envelope %zu: %s (%s)", i + 1,
                      ds_strerror(rc), eng_store_errmsg(p->store));
    return 0;
}

static int s_pipe_flush(void *self)
{
    struct s_pipe *p = self;
    int rc = eng_pipeline_commit(p->pipe);
    if (rc != 0)
        return s_fail("pipeline", "commit: %s (%s)", ds_strerror(rc),
                      eng_store_errmsg(p->store));
    return 0;
}

/* Every envelope must have been stored once as an event. */
static int s_pipe_check(struct s_ctx *c, const struct s_pipe *p, size_t warm)
{
    const struct eng_pipeline_stats *s = eng_pipeline_stats(p->pipe);
    if (s->events != warm + c->n || s->quarantined || s->duplicates)
        return s_fail("pipeline",
                      "%zu envelopes gave %llu events, %llu quarantined, "
                      "%llu duplicates",
                      warm + c->n, (unsigned long long)s->events,
                      (unsigned long long)s->quarantined,
                      (unsigned long long)s->duplicates);
    s_note(c,
           "pipeline: includes decode; %llu events (warm-up included), "
           "%llu exposures, %llu outcomes, %llu signals, %llu batches; "
           "per-event p50/p99 exclude COMMIT (its own row).\n",
           (unsigned long long)s->events, (unsigned long long)s->exposures,
           (unsigned long long)s->outcomes, (unsigned long long)s->signals,
           (unsigned long long)s->batches);
    return 0;
}

static int s_run_pipeline(struct s_ctx *c)
{
    struct eng_config cfg;
    struct ds_diag diag;
    struct s_pipe p = {.st = &c->st,
                       .ctype = ds_span_str(ENG_CTYPE_EVENT_JSON)};
    char path[300];
    eng_config_defaults(&cfg);
    /* outcomes per exposure per cell in this stream: cells stay near H0 */
    cfg.maxsprt.baseline_rate = 0.125;
    static char commit_name[48];
    snprintf(commit_name, sizeof commit_name, "  COMMIT, per %lld-event batch",
             (long long)cfg.store.batch_events);
    struct s_bench b = {.what = "stage",
                        .name = "store+counts (pipeline)",
                        .flush_name = commit_name,
                        .item = s_pipe_item,
                        .flush = s_pipe_flush,
                        .batch = (size_t)cfg.store.batch_events};
    s_path(path, sizeof path, c, "pipeline.db");
    ds_diag_clear(&diag);
    if (eng_config_validate(&cfg, &diag) != 0)
        return s_fail("pipeline", "config: %s", diag.msg);
    p.store = eng_store_open(path, false, &diag);
    if (!p.store)
        return s_fail("pipeline", "%s: %s", path, diag.msg);
    p.pipe = eng_pipeline_new(&cfg, p.store, NULL);
    int rc = p.pipe ? 0 : s_fail("pipeline", "out of memory");
    if (rc == 0)
        rc = s_drive(c, &b, &p, c->n, (double)c->st.bytes);
    if (rc == 0)
        rc = s_pipe_check(c, &p, c->warm < c->n ? c->warm : c->n);
    eng_pipeline_destroy(&p.pipe);
    eng_store_destroy(&p.store);
    return rc;
}

/* ---- PCRE2 alone ---- */

/* 20 device terms, as a dictionary pass over notes would look for them. */
static const char s_re_terms[] =
    "\\b(?:pacemakers?|defibrillators?|insulin pumps?|infusion pumps?"
    "|closure devices?|drug-eluting stents?|stents?|catheters?"
    "|hip prosthes[ie]s|knee prosthes[ie]s|leads?|ventilators?"
    "|dialy[sz]ers?|glucose monitors?|cochlear implants?|breast implants?"
    "|heart valves?|surgical mesh|shunts?|neurostimulators?)\\b";

struct s_re {
    const struct s_stream *st;
    size_t *idx; /* items that have a text */
    pcre2_code *re;
    pcre2_match_data *md;
    bool jit;
    uint64_t mentions;
};

static int s_re_item(void *self, size_t i, bool warm)
{
    struct s_re *r = self;
    const struct s_item *it = &r->st->items[r->idx[i]];
    PCRE2_SPTR s = (PCRE2_SPTR)(r->st->buf + it->text_off);
    size_t off = 0;
    while (off <= it->text_n) {
        int rc =
            r->jit ? pcre2_jit_match(r->re, s, it->text_n, off, 0, r->md, NULL)
                   : pcre2_match(r->re, s, it->text_n, off, 0, r->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            return s_fail("PCRE2 alone", "match error %d", rc);
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        r->mentions += !warm;
        off = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    }
    return 0;
}

static int s_re_open(struct s_re *r, struct s_ctx *c)
{
    int err;
    PCRE2_SIZE at;
    r->idx = malloc((c->st.ntext ? c->st.ntext : 1) * sizeof *r->idx);
    if (!r->idx)
        return s_fail("PCRE2 alone", "out of memory");
    for (size_t i = 0, k = 0; i < c->st.count; i++)
        if (c->st.items[i].text_n)
            r->idx[k++] = i;
    r->re = pcre2_compile((PCRE2_SPTR)s_re_terms, PCRE2_ZERO_TERMINATED,
                          PCRE2_CASELESS | PCRE2_UTF, &err, &at, NULL);
    if (!r->re)
        return s_fail("PCRE2 alone", "compile error %d at %zu", err,
                      (size_t)at);
    r->jit = pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE) == 0;
    r->md = pcre2_match_data_create_from_pattern(r->re, NULL);
    return r->md ? 0 : s_fail("PCRE2 alone", "out of memory");
}

static int s_run_pcre2(struct s_ctx *c)
{
    static const struct s_bench b = {.what = "baseline",
                                     .name = "PCRE2 alone (JIT, 20 terms)",
                                     .item = s_re_item};
    struct s_re r = {.st = &c->st};
    int rc = s_re_open(&r, c);
    if (rc == 0)
        rc = s_drive(c, &b, &r, c->st.ntext, (double)c->st.text_bytes);
    if (rc == 0)
        s_note(c,
               "PCRE2 alone: items are note/report texts (%zu, %.1f MB); "
               "%llu device mentions found; JIT %s.\n",
               c->st.ntext, (double)c->st.text_bytes / 1e6,
               (unsigned long long)r.mentions,
               r.jit ? "on" : "UNAVAILABLE (interpreter used)");
    pcre2_match_data_free(r.md);
    pcre2_code_free(r.re);
    free(r.idx);
    return rc;
}

/* ---- ZeroMQ alone ---- */

#define S_EV_FRAMES 7

static void s_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)(v & 0xff);
}

/* EV source epoch seq ts content-type payload, as ds-publish sends it. */
static int s_zmq_send_ev(void *sock, const struct s_stream *st, size_t i)
{
    uint8_t epoch[8], seq[8], ts[8];
    s_be64(epoch, 1);
    s_be64(seq, (uint64_t)i + 1);
    s_be64(ts, (uint64_t)s_ts_ms(i));
    const struct {
        const void *p;
        size_t n;
    } f[S_EV_FRAMES] = {
        {"EV", 2},
        {S_SOURCE, sizeof S_SOURCE - 1},
        {epoch, 8},
        {seq, 8},
        {ts, 8},
        {ENG_CTYPE_EVENT_JSON, sizeof ENG_CTYPE_EVENT_JSON - 1},
        {s_env(st, i), st->items[i].n},
    };
    for (int k = 0; k < S_EV_FRAMES; k++)
        if (zmq_send(sock, f[k].p, f[k].n,
                     k + 1 < S_EV_FRAMES ? ZMQ_SNDMORE : 0) < 0)
            return -1;
    return 0;
}

/* Receive one message of exactly `want` frames into m[0..want). */
static int s_zmq_recv(void *sock, zmq_msg_t *m, size_t want)
{
    size_t f = 0;
    int more = 1;
    while (more) {
        zmq_msg_t *dst = &m[f < want ? f : want - 1];
        if (zmq_msg_recv(dst, sock, 0) < 0)
            return -1;
        more = zmq_msg_more(dst);
        f++;
    }
    if (f != want) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

struct s_zsend {
    void *ctx;
    const char *endpoint;
    const struct s_stream *st;
    size_t warm, n;
    int err; /* errno of a failed send, 0 when all were sent */
};

/* The sender thread: DEALER, SNDHWM as ds-publish, warm-up then n. */
static void *s_zmq_sender(void *arg)
{
    struct s_zsend *z = arg;
    int hwm = 10000, linger = 2000;
    void *s = zmq_socket(z->ctx, ZMQ_DEALER);
    if (!s || zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(s, z->endpoint) != 0) {
        z->err = errno;
        if (s)
            zmq_close(s);
        return NULL;
    }
    for (size_t k = 0; k < z->warm + z->n && !z->err; k++)
        if (s_zmq_send_ev(s, z->st, k < z->warm ? k : k - z->warm) != 0)
            z->err = errno;
    zmq_close(s); /* what is still queued is delivered (linger) */
    return NULL;
}

/* Receive the warm-up, then time n messages; check each payload size. */
static int s_zmq_receive(struct s_ctx *c, void *router, size_t warm,
                         uint64_t *ns)
{
    zmq_msg_t m[S_EV_FRAMES + 1];
    int rc = 0;
    for (int f = 0; f <= S_EV_FRAMES; f++)
        zmq_msg_init(&m[f]);
    uint64_t t0 = 0;
    for (size_t k = 0; rc == 0 && k < warm + c->n; k++) {
        size_t i = k < warm ? k : k - warm;
        if (k == warm)
            t0 = s_now_ns();
        if (s_zmq_recv(router, m, S_EV_FRAMES + 1) != 0)
            rc = s_fail("ZeroMQ alone", "recv: %s", zmq_strerror(errno));
        else if (zmq_msg_size(&m[S_EV_FRAMES]) != c->st.items[i].n)
            rc = s_fail("ZeroMQ alone", "message %zu: wrong payload", k);
    }
    *ns = s_now_ns() - t0;
    for (int f = 0; f <= S_EV_FRAMES; f++)
        zmq_msg_close(&m[f]);
    return rc;
}

static int s_run_zmq(struct s_ctx *c, void *ctx)
{
    char ep[300];
    int hwm = 100000; /* the engine's RCVHWM */
    uint64_t ns = 0;
    pthread_t th;
    snprintf(ep, sizeof ep, "ipc://%s/zmq-alone.ipc", c->dir);
    struct s_zsend z = {.ctx = ctx,
                        .endpoint = ep,
                        .st = &c->st,
                        .warm = c->warm < c->n ? c->warm : c->n,
                        .n = c->n};
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    if (!router || zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
        zmq_bind(router, ep) != 0) {
        int rc = s_fail("ZeroMQ alone", "bind %s: %s", ep, zmq_strerror(errno));
        if (router)
            zmq_close(router);
        return rc;
    }
    if (pthread_create(&th, NULL, s_zmq_sender, &z) != 0) {
        zmq_close(router);
        return s_fail("ZeroMQ alone", "cannot start the sender thread");
    }
    int rc = s_zmq_receive(c, router, z.warm, &ns);
    if (rc != 0)
        zmq_ctx_shutdown(ctx); /* unblock the sender */
    pthread_join(th, NULL);
    zmq_close(router);
    if (rc == 0 && z.err)
        rc = s_fail("ZeroMQ alone", "send: %s", zmq_strerror(z.err));
    if (rc == 0)
        s_row_add("baseline", "ZeroMQ alone (DEALER->ROUTER)", c->n, ns,
                  (double)c->st.bytes, NULL);
    return rc;
}

/* One EV -> ACK round trip at a time, both sockets in this thread. */
struct s_rtt {
    const struct s_stream *st;
    void *dealer, *router;
    zmq_msg_t m[S_EV_FRAMES + 1];
};

static int s_rtt_item(void *self, size_t i, bool warm)
{
    struct s_rtt *r = self;
    uint8_t seq[8];
    (void)warm;
    s_be64(seq, (uint64_t)i + 1);
    if (s_zmq_send_ev(r->dealer, r->st, i) != 0 ||
        s_zmq_recv(r->router, r->m, S_EV_FRAMES + 1) != 0 ||
        zmq_send(r->router, zmq_msg_data(&r->m[0]), zmq_msg_size(&r->m[0]),
                 ZMQ_SNDMORE) < 0 ||
        zmq_send(r->router, "ACK", 3, ZMQ_SNDMORE) < 0 ||
        zmq_send(r->router, S_SOURCE, sizeof S_SOURCE - 1, ZMQ_SNDMORE) < 0 ||
        zmq_send(r->router, zmq_msg_data(&r->m[3]), 8, ZMQ_SNDMORE) < 0 ||
        zmq_send(r->router, seq, 8, 0) < 0 ||
        s_zmq_recv(r->dealer, r->m, 4) != 0)
        return s_fail("ZeroMQ round trip", "%s", zmq_strerror(errno));
    return 0;
}

static int s_run_rtt(struct s_ctx *c, void *ctx)
{
    static const struct s_bench b = {.what = "baseline",
                                     .name = "ZeroMQ round trip (EV->ACK)",
                                     .item = s_rtt_item};
    struct s_rtt r = {.st = &c->st};
    char ep[300];
    size_t n = c->n < S_RTT_MAX ? c->n : S_RTT_MAX;
    double bytes = 0;
    int rc = 0;
    snprintf(ep, sizeof ep, "ipc://%s/zmq-rtt.ipc", c->dir);
    for (int f = 0; f <= S_EV_FRAMES; f++)
        zmq_msg_init(&r.m[f]);
    r.router = zmq_socket(ctx, ZMQ_ROUTER);
    r.dealer = zmq_socket(ctx, ZMQ_DEALER);
    if (!r.router || !r.dealer || zmq_bind(r.router, ep) != 0 ||
        zmq_connect(r.dealer, ep) != 0)
        rc = s_fail("ZeroMQ round trip", "%s: %s", ep, zmq_strerror(errno));
    for (size_t i = 0; i < n; i++)
        bytes += (double)c->st.items[i].n;
    if (rc == 0)
        rc = s_drive(c, &b, &r, n, bytes);
    for (int f = 0; f <= S_EV_FRAMES; f++)
        zmq_msg_close(&r.m[f]);
    if (r.dealer)
        zmq_close(r.dealer);
    if (r.router)
        zmq_close(r.router);
    return rc;
}

static int s_run_zeromq(struct s_ctx *c)
{
    void *ctx = zmq_ctx_new();
    if (!ctx)
        return s_fail("ZeroMQ", "zmq_ctx_new: %s", zmq_strerror(errno));
    int rc = s_run_zmq(c, ctx);
    if (rc == 0)
        rc = s_run_rtt(c, ctx);
    zmq_ctx_term(ctx);
    if (rc == 0)
        s_note(c,
               "ZeroMQ alone: pipelined between two threads (RCVHWM "
               "100000, SNDHWM 10000 as serve / ds-publish), so no "
               "per-message latency; the round trip row sends one EV and "
               "waits for its ACK, in one thread, %zu times.\n",
               c->n < S_RTT_MAX ? c->n : S_RTT_MAX);
    return rc;
}

/* ---- set-up, notes, main ---- */

static void s_versions(void)
{
    char v[64] = "?", jit[128] = "none";
    int a, b, c;
    zmq_version(&a, &b, &c);
    pcre2_config(PCRE2_CONFIG_VERSION, v);
    if (pcre2_config(PCRE2_CONFIG_JITTARGET, jit) < 0)
        snprintf(jit, sizeof jit, "none");
    printf("sqlite3 %s\n", sqlite3_libversion());
    printf("libzmq %d.%d.%d\n", a, b, c);
    printf("jansson %s (header %s)\n", jansson_version_str(), JANSSON_VERSION);
    printf("pcre2 %s (JIT target: %s)\n", v, jit);
}

/* Mean cost of one clock_gettime pair, in ns (the per-item overhead). */
static double s_timer_ns(void)
{
    enum { K = 100000 };
    uint64_t t0 = s_now_ns(), sink = 0;
    for (int i = 0; i < K; i++)
        sink += s_now_ns() - s_now_ns();
    (void)sink;
    return (double)(s_now_ns() - t0) / K;
}

static int s_setup(struct s_ctx *c, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    c->n = n;
    c->warm = n < S_WARMUP_MAX ? n : S_WARMUP_MAX;
    c->lat = malloc(n * sizeof *c->lat);
    c->lat2 = malloc((n + 1) * sizeof *c->lat2);
    snprintf(c->dir, sizeof c->dir, "%s/devsurv-bench.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!c->lat || !c->lat2)
        return s_fail("setup", "out of memory");
    if (!mkdtemp(c->dir)) {
        c->dir[0] = '\0';
        return s_fail("setup", "mkdtemp: %s", strerror(errno));
    }
    if (s_gen(&c->st, n) != 0)
        return s_fail("setup", "cannot generate the stream");
    return 0;
}

static void s_teardown(struct s_ctx *c)
{
    static const char *const files[] = {
        "sqlite-alone.db", "sqlite-alone.db-wal", "sqlite-alone.db-shm",
        "pipeline.db",     "pipeline.db-wal",     "pipeline.db-shm",
        "zmq-alone.ipc",   "zmq-rtt.ipc",
    };
    char path[300];
    for (size_t i = 0; c->dir[0] && i < sizeof files / sizeof files[0]; i++) {
        s_path(path, sizeof path, c, files[i]);
        unlink(path);
    }
    if (c->dir[0] && rmdir(c->dir) != 0)
        fprintf(stderr, "bench_stages: cannot remove %s: %s\n", c->dir,
                strerror(errno));
    s_stream_free(&c->st);
    free(c->lat);
    free(c->lat2);
}

static void s_print_stream(const struct s_ctx *c)
{
    const struct s_stream *st = &c->st;
    printf("stream: %zu envelopes in memory (seed %#x), %.1f MB, %zu-%zu "
           "bytes (mean %.0f): %zu exposures, %zu outcomes, %zu notes, %zu "
           "reports\n",
           st->count, S_SEED, (double)st->bytes / 1e6, st->min_n, st->max_n,
           (double)st->bytes / (double)st->count, st->kinds[0], st->kinds[1],
           st->kinds[2], st->kinds[3]);
    printf("warm-up: the first %zu items of each row run once, untimed, "
           "before its timed loop (SQLite and pipeline: under another "
           "source key).\n",
           c->warm);
    printf("timer: clock_gettime(CLOCK_MONOTONIC) pair costs %.0f ns, "
           "included in every item's time.\n\n",
           s_timer_ns());
}

static int s_parse_n(int argc, char **argv, size_t *n)
{
    char *end;
    if (argc == 1)
        return 0;
    errno = 0;
    unsigned long long v = strtoull(argv[1], &end, 10);
    if (argc > 2 || errno || *end || v < 1 || v > 50000000) {
        fprintf(stderr,
                "usage: bench_stages [N (1..50000000, default %d)]"
                " | --versions\n",
                S_DEFAULT_N);
        return -1;
    }
    *n = (size_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    struct s_ctx c = {.n = 0};
    size_t n = S_DEFAULT_N;
    if (argc == 2 && strcmp(argv[1], "--versions") == 0) {
        s_versions();
        return 0;
    }
    if (s_parse_n(argc, argv, &n) != 0)
        return 64;
    int rc = s_setup(&c, n);
    if (rc == 0) {
        s_print_stream(&c);
        fflush(stdout);
        rc |= s_run_jansson(&c); /* first: before jansson uses ds_alloc */
        rc |= s_run_decode(&c);
        rc |= s_run_sqlite(&c);
        rc |= s_run_pipeline(&c);
        rc |= s_run_pcre2(&c);
        s_note(&c, "nlp extract: measured per stage by bench_extract "
                   "(its own table, below).\n");
        rc |= s_run_zeromq(&c);
        s_print_table();
        printf("\n%s", c.notes);
    }
    s_teardown(&c);
    return rc != 0;
}
