/*
 * eng_store_ckpt.c - background WAL checkpoints (see eng_store_ckpt.h).
 *
 * The writer's WAL hook (called by SQLite on the writer's thread after
 * each commit, with the WAL's frame count) only compares and signals; the
 * thread sleeps on a condition variable until there is work or a stop.
 * Not here: when to commit (the pipeline) and the pragmas (eng_store.c).
 */
#include "devsurv/eng_store_ckpt.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <pthread.h>
#include <stdbool.h>

struct eng_store_ckpt {
    sqlite3 *writer; /* borrowed: the writing connection */
    sqlite3 *db;     /* owned: the checkpointer's connection */
    int pages;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool due, stop;
    struct eng_store_ckpt_stats stats;
};

/* Writer thread, after a commit: wake the checkpointer when due. */
static int s_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct eng_store_ckpt *self = arg;
    (void)db;
    (void)name;
    if (frames < self->pages)
        return SQLITE_OK;
    pthread_mutex_lock(&self->mu);
    if (!self->due) {
        self->due = true;
        pthread_cond_signal(&self->cv);
    }
    pthread_mutex_unlock(&self->mu);
    return SQLITE_OK;
}

/* One PASSIVE checkpoint on the thread's connection, counted. */
static void s_run(struct eng_store_ckpt *self)
{
    int log = 0, backfilled = 0;
    int rc = sqlite3_wal_checkpoint_v2(
        self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &backfilled);
    pthread_mutex_lock(&self->mu);
    self->stats.runs++;
    self->stats.backfilled = backfilled > 0 ? (uint64_t)backfilled : 0;
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY &&
        (rc & 0xff) != SQLITE_LOCKED)
        self->stats.failed++;
    pthread_mutex_unlock(&self->mu);
}

static void *s_main(void *arg)
{
    struct eng_store_ckpt *self = arg;
    pthread_mutex_lock(&self->mu);
    for (;;) {
        while (!self->due && !self->stop)
            pthread_cond_wait(&self->cv, &self->mu);
        if (self->stop)
            break;
        self->due = false;
        pthread_mutex_unlock(&self->mu);
        s_run(self);
        pthread_mutex_lock(&self->mu);
    }
    pthread_mutex_unlock(&self->mu);
    return NULL;
}

/* The second connection: same file, FULL sync for the checkpoint. */
static int s_connect(struct eng_store_ckpt *self, struct ds_diag *diag)
{
    const char *path = sqlite3_db_filename(self->writer, "main");
    if (!path || !*path)
        return ds_diag_set_code(diag, DS_EINVAL, "", 0,
                                "checkpointer: the store has no file");
    if (sqlite3_open_v2(path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK ||
        sqlite3_exec(self->db,
                     "PRAGMA synchronous=FULL; PRAGMA trusted_schema=OFF;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return ds_diag_set_code(diag, DS_ESTORE, path, 0, "checkpointer: %s",
                                self->db ? sqlite3_errmsg(self->db)
                                         : "out of memory");
    sqlite3_busy_timeout(self->db, 1000);
    return 0;
}

eng_store_ckpt_t *eng_store_ckpt_start(sqlite3 *writer, int pages,
                                       struct ds_diag *diag)
{
    struct ds_diag local;
    if (!diag)
        diag = &local;
    ds_diag_clear(diag);
    if (!writer || pages < 1) {
        ds_diag_set_code(diag, DS_EINVAL, "", 0, "checkpointer: bad args");
        return NULL;
    }
    struct eng_store_ckpt *self = ds_calloc(1, sizeof *self);
    if (!self) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    self->writer = writer;
    self->pages = pages;
    pthread_mutex_init(&self->mu, NULL);
    pthread_cond_init(&self->cv, NULL);
    if (s_connect(self, diag) != 0 ||
        pthread_create(&self->thread, NULL, s_main, self) != 0) {
        if (self->db && !diag->msg[0])
            ds_diag_set_code(diag, DS_EIO, "", 0,
                             "checkpointer: cannot start a thread");
        sqlite3_close(self->db);
        pthread_cond_destroy(&self->cv);
        pthread_mutex_destroy(&self->mu);
        ds_free(self);
        return NULL;
    }
    /* replaces SQLite's autocheckpoint hook on the writer */
    sqlite3_wal_hook(writer, s_hook, self);
    return self;
}

void eng_store_ckpt_stop(eng_store_ckpt_t **self_p)
{
    struct eng_store_ckpt *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    *self_p = NULL;
    sqlite3_wal_autocheckpoint(self->writer, ENG_STORE_CKPT_PAGES);
    pthread_mutex_lock(&self->mu);
    self->stop = true;
    pthread_cond_signal(&self->cv);
    pthread_mutex_unlock(&self->mu);
    pthread_join(self->thread, NULL);
    s_run(self);
    sqlite3_close(self->db);
    pthread_cond_destroy(&self->cv);
    pthread_mutex_destroy(&self->mu);
    ds_free(self);
}

struct eng_store_ckpt_stats eng_store_ckpt_stats(eng_store_ckpt_t *self)
{
    struct eng_store_ckpt_stats s = {0};
    if (!self)
        return s;
    pthread_mutex_lock(&self->mu);
    s = self->stats;
    pthread_mutex_unlock(&self->mu);
    return s;
}
