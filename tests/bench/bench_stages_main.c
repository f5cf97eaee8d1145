/*
 * bench_stages_main.c - bench_stages' set-up, header lines and main.
 * The program (bench_stages_*.c, bench_util.c) measures the
 * throughput and latency of each engine stage next to the
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
 *   SQLite alone      INSERT OR IGNORE of the payload into a rowid table
 *                     unique on (source, epoch, seq) as the store's events,
 *                     the store's pragmas (WAL, synchronous=FULL), 1000
 *                     rows per transaction
 *   pipeline          eng_pipeline_submit per envelope, eng_pipeline_commit
 *                     every store.batch_events (1000): decode, events row,
 *                     watermark, exposures / cells, MaxSPRT, signals, the
 *                     audit entries; the engine's ingest path without the
 *                     network, with plans off (bench_plans measures them)
 *   pipeline, no event audit   the same with each event's audit entry
 *                     left out (bench_stages_audit.c): the difference is
 *                     the audit trail's cost, given in a note
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
#include "bench_stages.h"
#include "bench_util.h"

#define S_DEFAULT_N  200000
#define S_WARMUP_MAX 2000

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

static int s_setup(struct bsg_ctx *c, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    c->n = n;
    c->warm = n < S_WARMUP_MAX ? n : S_WARMUP_MAX;
    c->lat = malloc(n * sizeof *c->lat);
    c->lat2 = malloc((n + 1) * sizeof *c->lat2);
    snprintf(c->dir, sizeof c->dir, "%s/devsurv-bench.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!c->lat || !c->lat2)
        return bench_fail("setup", "out of memory");
    if (!mkdtemp(c->dir)) {
        c->dir[0] = '\0';
        return bench_fail("setup", "mkdtemp: %s", strerror(errno));
    }
    if (bsg_gen(&c->st, n) != 0)
        return bench_fail("setup", "cannot generate the stream");
    return 0;
}

static void s_teardown(struct bsg_ctx *c)
{
    static const char *const files[] = {
        "sqlite-alone.db", "sqlite-alone.db-wal", "sqlite-alone.db-shm",
        "pipeline.db",     "pipeline.db-wal",     "pipeline.db-shm",
        "pipeline2.db",    "pipeline2.db-wal",    "pipeline2.db-shm",
        "zmq-alone.ipc",   "zmq-rtt.ipc",
    };
    char path[300];
    for (size_t i = 0; c->dir[0] && i < sizeof files / sizeof files[0]; i++) {
        bsg_path(path, sizeof path, c, files[i]);
        unlink(path);
    }
    if (c->dir[0] && rmdir(c->dir) != 0)
        fprintf(stderr, "bench_stages: cannot remove %s: %s\n", c->dir,
                strerror(errno));
    bsg_stream_free(&c->st);
    free(c->lat);
    free(c->lat2);
}

static void s_print_stream(const struct bsg_ctx *c)
{
    const struct bsg_stream *st = &c->st;
    printf("stream: %zu envelopes in memory (seed %#x), %.1f MB, %zu-%zu "
           "bytes (mean %.0f): %zu exposures, %zu outcomes, %zu notes, %zu "
           "reports\n",
           st->count, BSG_SEED, (double)st->bytes / 1e6, st->min_n, st->max_n,
           (double)st->bytes / (double)st->count, st->kinds[0], st->kinds[1],
           st->kinds[2], st->kinds[3]);
    printf("warm-up: the first %zu items of each row run once, untimed, "
           "before its timed loop (SQLite and pipeline: under another "
           "source key).\n",
           c->warm);
    printf("timer: clock_gettime(CLOCK_MONOTONIC) pair costs %.0f ns, "
           "included in every item's time.\n\n",
           bench_timer_ns());
}

static int s_parse_n(int argc, char **argv, size_t *n)
{
    if (bench_parse_n(argc, argv, 50000000, n) == 0)
        return 0;
    fprintf(stderr,
            "usage: bench_stages [N (1..50000000, default %d)]"
            " | --versions\n",
            S_DEFAULT_N);
    return -1;
}

int main(int argc, char **argv)
{
    struct bsg_ctx c = {.n = 0};
    size_t n = S_DEFAULT_N;
    if (argc == 2 && strcmp(argv[1], "--versions") == 0) {
        s_versions();
        return 0;
    }
    bench_init("bench_stages", false);
    if (s_parse_n(argc, argv, &n) != 0)
        return 64;
    int rc = s_setup(&c, n);
    if (rc == 0) {
        s_print_stream(&c);
        fflush(stdout);
        rc |= bsg_run_jansson(&c); /* first: before jansson uses ds_alloc */
        rc |= bsg_run_decode(&c);
        rc |= bsg_run_sqlite(&c);
        rc |= bsg_run_pipeline(&c);
        rc |= bsg_run_audit(&c);
        bsg_note_audit_share(&c);
        rc |= bsg_run_pcre2(&c);
        bsg_note(&c, "nlp extract: measured per stage by bench_extract "
                     "(its own table, below).\n");
        rc |= bsg_run_zeromq(&c);
        bsg_print_table();
        printf("\n%s", c.notes);
    }
    s_teardown(&c);
    return rc != 0;
}
