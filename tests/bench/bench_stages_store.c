/*
 * bench_stages_store.c - bench_stages' rows "SQLite alone" (INSERT OR
 * IGNORE with the store's pragmas, 1000 rows per transaction) and
 * "pipeline" (eng_pipeline_submit / eng_pipeline_commit, the whole engine
 * path without the network).
 */
#include "bench_stages.h"
#include "bench_util.h"

#define S_TX_ROWS 1000

/* ---- SQLite alone ---- */

/* The store's per-connection settings (engine/eng_store.c). */
static const char s_sql_pragmas[] = "PRAGMA journal_mode=WAL;"
                                    "PRAGMA synchronous=FULL;"
                                    "PRAGMA foreign_keys=ON;"
                                    "PRAGMA trusted_schema=OFF;"
                                    "PRAGMA journal_size_limit=67108864;";
/* The shape of the store's events table (migration 5). */
static const char s_sql_schema[] =
    "CREATE TABLE events(source TEXT NOT NULL, epoch INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, ts_event INTEGER NOT NULL,"
    " payload BLOB NOT NULL, UNIQUE(source, epoch, seq))";

struct s_sql {
    const struct bsg_stream *st;
    sqlite3 *db;
    sqlite3_stmt *ins, *begin, *commit;
    bool open;
};

static int s_sql_step(struct s_sql *q, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return bench_fail("SQLite alone", "%s", sqlite3_errmsg(q->db));
    return 0;
}

static int s_sql_item(void *self, size_t i, bool warm)
{
    struct s_sql *q = self;
    if (!q->open && s_sql_step(q, q->begin) != 0)
        return -1;
    q->open = true;
    sqlite3_bind_text(q->ins, 1, warm ? "warmup" : BSG_SOURCE, -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(q->ins, 2, 1);
    sqlite3_bind_int64(q->ins, 3, (int64_t)i + 1);
    sqlite3_bind_int64(q->ins, 4, bsg_ts_ms(i));
    sqlite3_bind_blob64(q->ins, 5, bsg_env(q->st, i), q->st->items[i].n,
                        SQLITE_STATIC);
    if (s_sql_step(q, q->ins) != 0)
        return -1;
    return sqlite3_changes(q->db) == 1
               ? 0
               : bench_fail("SQLite alone", "row %zu not inserted", i + 1);
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
        return bench_fail("SQLite alone", "%s: %s", path,
                          q->db ? sqlite3_errmsg(q->db) : "out of memory");
    return 0;
}

int bsg_run_sqlite(struct bsg_ctx *c)
{
    static const struct bsg_bench b = {.what = "baseline",
                                       .name = "SQLite alone (insert, 1000/tx)",
                                       .flush_name =
                                           "  COMMIT, per 1000-row tx",
                                       .item = s_sql_item,
                                       .flush = s_sql_flush,
                                       .batch = S_TX_ROWS};
    struct s_sql q = {.st = &c->st};
    char path[300];
    bsg_path(path, sizeof path, c, "sqlite-alone.db");
    int rc = s_sql_open(&q, path);
    if (rc == 0)
        rc = bsg_drive(c, &b, &q, c->n, (double)c->st.bytes);
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
    const struct bsg_stream *st;
    eng_store_t *store;
    eng_pipeline_t *pipe;
    struct ds_span ctype;
};

static int s_pipe_item(void *self, size_t i, bool warm)
{
    struct s_pipe *p = self;
    struct eng_msg m = {
        .key = {ds_span_str(warm ? "warmup" : BSG_SOURCE), 1, (int64_t)i + 1},
        .ctype = p->ctype,
        .payload = bsg_env(p->st, i),
        .n = p->st->items[i].n,
    };
    int rc = eng_pipeline_submit(p->pipe, &m);
    if (rc != 0)
        return bench_fail("pipeline", "envelope %zu: %s (%s)", i + 1,
                          ds_strerror(rc), eng_store_errmsg(p->store));
    return 0;
}

static int s_pipe_flush(void *self)
{
    struct s_pipe *p = self;
    int rc = eng_pipeline_commit(p->pipe);
    if (rc != 0)
        return bench_fail("pipeline", "commit: %s (%s)", ds_strerror(rc),
                          eng_store_errmsg(p->store));
    return 0;
}

/* Every envelope must have been stored once as an event. */
static int s_pipe_check(struct bsg_ctx *c, const struct s_pipe *p, size_t warm)
{
    const struct eng_pipeline_stats *s = eng_pipeline_stats(p->pipe);
    if (s->events != warm + c->n || s->quarantined || s->duplicates)
        return bench_fail("pipeline",
                          "%zu envelopes gave %llu events, %llu quarantined, "
                          "%llu duplicates",
                          warm + c->n, (unsigned long long)s->events,
                          (unsigned long long)s->quarantined,
                          (unsigned long long)s->duplicates);
    bsg_note(c,
             "pipeline: includes decode; %llu events (warm-up included), "
             "%llu exposures, %llu outcomes, %llu signals, %llu batches; "
             "per-event p50/p99 exclude COMMIT (its own row).\n",
             (unsigned long long)s->events, (unsigned long long)s->exposures,
             (unsigned long long)s->outcomes, (unsigned long long)s->signals,
             (unsigned long long)s->batches);
    return 0;
}

int bsg_run_pipeline(struct bsg_ctx *c)
{
    return bsg_run_pipeline_as(c, "store+counts (pipeline)");
}

int bsg_run_pipeline_as(struct bsg_ctx *c, const char *name)
{
    struct eng_config cfg;
    struct ds_diag diag;
    struct s_pipe p = {.st = &c->st,
                       .ctype = ds_span_str(ENG_CTYPE_EVENT_JSON)};
    char path[300];
    eng_config_defaults(&cfg);
    /* outcomes per exposure per cell in this stream: cells stay near H0 */
    cfg.maxsprt.baseline_rate = 0.125;
    /* ingest alone: extraction and plans have their own bench
     * (bench_plans), and the audit row is read against this one */
    cfg.plans.enabled = false;
    static char commit_name[2][48];
    static int which;
    char *cname = commit_name[which++ & 1]; /* rows keep the pointer */
    snprintf(cname, sizeof commit_name[0], "  COMMIT, per %lld-event batch",
             (long long)cfg.store.batch_events);
    struct bsg_bench b = {.what = "stage",
                          .name = name,
                          .flush_name = cname,
                          .item = s_pipe_item,
                          .flush = s_pipe_flush,
                          .batch = (size_t)cfg.store.batch_events};
    bsg_path(path, sizeof path, c,
             cname == commit_name[0] ? "pipeline.db" : "pipeline2.db");
    ds_diag_clear(&diag);
    if (eng_config_validate(&cfg, &diag) != 0)
        return bench_fail("pipeline", "config: %s", diag.msg);
    p.store = eng_store_open(path, false, &diag);
    if (!p.store)
        return bench_fail("pipeline", "%s: %s", path, diag.msg);
    p.pipe = eng_pipeline_new(&cfg, p.store, NULL);
    int rc = p.pipe ? 0 : bench_fail("pipeline", "out of memory");
    if (rc == 0)
        rc = bsg_drive(c, &b, &p, c->n, (double)c->st.bytes);
    if (rc == 0)
        rc = s_pipe_check(c, &p, c->warm < c->n ? c->warm : c->n);
    eng_pipeline_destroy(&p.pipe);
    eng_store_destroy(&p.store);
    return rc;
}
