/*
 * eng_store_ckpt.h - WAL checkpoints of a writable SQLite database (the
 * engine's store, the publisher's journal) on a background thread, so the
 * writing thread only appends to the WAL and fsyncs it.
 *
 * SQLite's default (wal_autocheckpoint=1000) copies the WAL back into the
 * database file inside the COMMIT that crosses 1000 pages, on the
 * committing thread: with 1 KB events that was a quarter of the engine's
 * time. eng_store_ckpt_start() replaces it with a WAL hook that only
 * counts frames; when a commit leaves at least `pages` frames in the WAL
 * the hook wakes a thread that runs a PASSIVE checkpoint on its own
 * connection (synchronous=FULL, so the database file is fsynced before
 * the WAL is reused). Durability is unchanged: a batch is durable once its
 * WAL frames are synced, which COMMIT still does on the writer.
 *
 * PASSIVE never blocks the writer or readers; frames still in use by a
 * reader are copied by a later run. If the checkpointer falls behind the
 * WAL grows, never the data at risk. On stop the thread is joined and one
 * last checkpoint runs (SQLite also checkpoints when the last connection
 * closes).
 *
 * Ownership: the checkpointer borrows the writer's connection (stop it
 * before the connection closes) and owns its thread and connection.
 */
#ifndef DEVSURV_ENG_STORE_CKPT_H
#define DEVSURV_ENG_STORE_CKPT_H

#include <stdint.h>

#include <sqlite3.h>

#include "devsurv/ds_diag.h"

typedef struct eng_store_ckpt eng_store_ckpt_t;

/* WAL frames (4 KB pages) that wake the checkpointer: SQLite's own
 * autocheckpoint size, which the writer gets back at stop. */
#define ENG_STORE_CKPT_PAGES 1000

/* What the checkpointer has done so far. */
struct eng_store_ckpt_stats {
    uint64_t runs;       /* checkpoints run by the thread */
    uint64_t backfilled; /* WAL frames in the database after the last run
                            (SQLite's pnCkpt: of the WAL as it was then) */
    uint64_t failed;     /* runs SQLite reported an error for (not BUSY) */
};

/* Start checkpointing the database of `writer` (a writable connection to
 * a WAL-mode file, used by one thread) in the background once `pages`
 * (>= 1) WAL frames accumulate. NULL with diag set when the second
 * connection or the thread cannot be made; the writer then keeps SQLite's
 * own autocheckpoint. Stop with eng_store_ckpt_stop. */
eng_store_ckpt_t *eng_store_ckpt_start(sqlite3 *writer, int pages,
                                       struct ds_diag *diag);

/* Restore the store's autocheckpoint, join the thread, run a final
 * checkpoint, close. NULLs *self_p; safe on NULL. */
void eng_store_ckpt_stop(eng_store_ckpt_t **self_p);

/* Counters so far (thread-safe). */
struct eng_store_ckpt_stats eng_store_ckpt_stats(eng_store_ckpt_t *self);

#endif
