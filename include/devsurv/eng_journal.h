/*
 * eng_journal.h - the hospital publisher's durable journal (one SQLite file
 * per source): events get their seq here, are committed, and only then
 * sent; rows are deleted only once the engine has ACKed them.
 *
 * Protocol: reference/reliability.md 1.3, publisher rules 1-4. Facts a
 * caller relies on:
 *   - The file is WAL, synchronous=FULL, busy timeout 5 s, so a committed
 *     row survives power loss and `ds-publish --status` can read while a
 *     publisher writes.
 *   - meta(source, epoch, next_seq, acked) lives in the same file. The
 *     source is fixed when the file is created; opening it for another
 *     source is an error. The epoch is fixed too: a new file gets the
 *     current Unix time in microseconds, so a site that lost its journal
 *     starts a new epoch instead of reusing seq numbers, and the engine
 *     records a discontinuity rather than dropping "duplicates".
 *   - inputs(input, pos, done) records how far each input (a file
 *     identity chosen by the caller) has been journaled. eng_journal_input_
 *     set() writes it in the SAME transaction as the rows appended since
 *     the last commit (the last position set, just before the COMMIT), so
 *     after a crash the input resumes exactly where journaling stopped:
 *     nothing journaled twice, nothing skipped.
 *   - Appends are batched: the open transaction is committed by
 *     eng_journal_input_set() once it holds ENG_JOURNAL_BATCH rows, or by
 *     eng_journal_commit(). Only committed rows are readable for sending
 *     (eng_journal_read), so nothing leaves before it is durable.
 *   - eng_journal_destroy() rolls an open transaction back: rows and input
 *     position go together, so that is the same as a crash.
 *   - A writer (opened with a source) checkpoints the WAL on a background
 *     thread (eng_store_ckpt.h), off the thread that journals and sends.
 * Not here: reading inputs (eng_site_input.h), the network (ds-publish).
 */
#ifndef DEVSURV_ENG_JOURNAL_H
#define DEVSURV_ENG_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"
#include "devsurv/eng_wire.h"

/* Rows per append transaction at most: each commit is one fsync, and
 * ds-publish's loop waits for it before sending. 500 = one commit per
 * ds-publish read chunk (at 100, 1 KB input paid 5 fsyncs per chunk). */
#define ENG_JOURNAL_BATCH 500

typedef struct eng_journal eng_journal_t;

/* One journaled event; spans borrow SQLite's buffers for the callback. */
struct eng_journal_row {
    uint64_t seq;
    int64_t ts_ms; /* event time given to append */
    struct ds_span ctype;
    struct ds_span payload;
};

/* Called per row by eng_journal_read(); nonzero stops the read (and is
 * not an error). */
typedef int(eng_journal_row_fn)(void *arg, const struct eng_journal_row *row);

struct eng_journal_status {
    char source[ENG_WIRE_SOURCE_MAX + 1];
    uint64_t epoch;
    uint64_t next_seq;    /* the seq the next append gets */
    uint64_t journaled;   /* committed rows ever journaled: next_seq - 1 */
    uint64_t acked;       /* highest seq the engine committed */
    uint64_t pending;     /* rows held: journaled and not ACKed */
    int64_t oldest_at_ms; /* wall time (Unix ms) the oldest pending row
                             was journaled; 0 when nothing is pending */
    int64_t oldest_ts_ms; /* that row's event time */
    uint64_t inputs_done; /* inputs marked done (--watch files) */
};

/* Open the journal at path. source: the site's id; a new file is created
 * for it (create true) and an existing one must have been created for the
 * same source (DS_ECONFIG otherwise). source NULL: open an existing file
 * whatever its source (for --status). create false: a missing file is
 * DS_ENOTFOUND. Returns NULL with diag on error (not a journal, cannot
 * open, SQLite error, wrong source). Caller owns the result; free it with
 * eng_journal_destroy(). *created (may be NULL) says whether the file was
 * new. */
eng_journal_t *eng_journal_open(const char *path, const char *source,
                                bool create, bool *created,
                                struct ds_diag *diag);

/* Roll back an open transaction, close, free *self_p, NULL it. Safe on
 * NULL. */
void eng_journal_destroy(eng_journal_t **self_p);

const char *eng_journal_source(const eng_journal_t *self);
uint64_t eng_journal_epoch(const eng_journal_t *self);

/* Append one event with the next seq (returned in *seq, may be NULL) in
 * the open transaction (begun if none). Not readable before commit. */
int eng_journal_append(eng_journal_t *self, int64_t ts_ms, const char *ctype,
                       const void *payload, size_t n, uint64_t *seq,
                       struct ds_diag *diag);

/* Record that input has been journaled up to pos (done: completely), in
 * the open transaction with the rows it covers; then commit if the
 * transaction holds ENG_JOURNAL_BATCH rows or more. input NULL: record
 * nothing, only commit when the batch is full (an input that cannot be
 * resumed, such as stdin). */
int eng_journal_input_set(eng_journal_t *self, const char *input, uint64_t pos,
                          bool done, struct ds_diag *diag);

/* Committed position of input: 0 with *pos and *done filled, or DS_ENOTFOUND
 * (never seen: start at 0). */
int eng_journal_input_get(eng_journal_t *self, const char *input, uint64_t *pos,
                          bool *done, struct ds_diag *diag);

/* Commit the open transaction, if any. */
int eng_journal_commit(eng_journal_t *self, struct ds_diag *diag);

/* Highest committed seq (what may be sent), 0 when none. */
uint64_t eng_journal_durable(const eng_journal_t *self);

/* Highest seq ACKed by the engine. */
uint64_t eng_journal_acked(const eng_journal_t *self);

/* Call fn for committed rows with seq >= from, in order, at most max of
 * them. Returns the number of rows passed to fn (>= 0) or a DS_E* code. */
int eng_journal_read(eng_journal_t *self, uint64_t from, size_t max,
                     eng_journal_row_fn *fn, void *arg, struct ds_diag *diag);

/* The engine committed everything up to c: acked = max(acked, c), in one
 * transaction (or in the open append transaction, when there is one).
 * ACKed rows are never read again and are deleted in bulk, once 4096 of
 * them have accumulated or when c covers every committed row (a DELETE
 * per ACK cost a tenth of the publisher's time). That transaction commits
 * without its own fsync (synchronous=NORMAL for it alone): the next append
 * commit's fsync covers it, as the WAL is one file written in order. A crash
 * before then loses only the record of the ACK: those rows are sent
 * again and the engine ignores them as duplicates. c beyond the durable
 * seq is DS_ERANGE (the engine has seqs this journal never committed: an
 * old copy of the file was restored) and changes nothing. */
int eng_journal_ack(eng_journal_t *self, uint64_t c, struct ds_diag *diag);

/* Counts for --status and progress lines (committed state). */
int eng_journal_status(eng_journal_t *self, struct eng_journal_status *out,
                       struct ds_diag *diag);

#endif
