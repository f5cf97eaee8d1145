/*
 * eng_journal.c - the publisher's durable SQLite journal (see
 * eng_journal.h).
 *
 * One file, three tables: meta (one row: source, epoch, next_seq, acked),
 * journal (seq, ts_ms, ctype, payload, at_ms) and inputs (input, pos,
 * done). next_seq is written to meta in the transaction that commits the
 * rows, so the committed next_seq always equals max(journaled seq) + 1 even
 * after ACKed rows are deleted. A writer also holds flock() on
 * "<path>.lock" so two publishers can never hand out the same seq.
 * Not here: what an input identity is (the caller decides) and sending.
 */
#include "devsurv/eng_journal.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_store_ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S_APP_ID   0x4453504A /* "DSPJ" */
#define S_DEL_ROWS 4096       /* ACKed rows deleted together */
/* Page cache (negative = KiB): holds the S_DEL_ROWS rows from their
 * INSERT to their DELETE (4 MB of 1 KB rows, twice over), so neither the
 * sender's read nor the bulk DELETE reads them back from disk. With
 * SQLite's 2 MB default, one pread per event at 1 KB. */
#define S_CACHE_KB "-16384"
/* Page size of a new journal (an existing one keeps its own): 1 KB rows
 * filled 4 KB pages three to a page, and each page costs a WAL frame, a
 * pwrite, a checkpoint copy and B-tree work on INSERT and DELETE. 16 KB
 * cut ds-publish's CPU per 1 KB event by about a fifth (8 KB: a tenth);
 * the journal is a queue, written and deleted in order. */
#define S_PAGE_SIZE "16384"
/* secure_delete: Debian builds SQLite with SQLITE_SECURE_DELETE, which
 * writes every freed page as zeros: a bulk DELETE of 4096 ACKed 1 KB rows
 * wrote ~1,550 WAL frames, a quarter of the journal's writes. FAST still
 * zeroes deleted cells on pages that are written anyway; freed pages keep
 * their bytes until the next rows reuse them (a queue reuses them first),
 * as the WAL keeps old frames in either mode. */

enum { S_INS, S_NEXT, S_ACK, S_DEL, S_IN_SET, S_IN_GET, S_READ, S_NSTMT };

static const char *const s_sql[S_NSTMT] = {
    [S_INS] = "INSERT INTO journal(seq, ts_ms, ctype, payload, at_ms) "
              "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_NEXT] = "UPDATE meta SET next_seq = ?1",
    [S_ACK] = "UPDATE meta SET acked = ?1",
    [S_DEL] = "DELETE FROM journal WHERE seq <= ?1",
    [S_IN_SET] = "INSERT INTO inputs(input, pos, done, at_ms) "
                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(input) DO UPDATE SET "
                 "pos = excluded.pos, done = excluded.done, "
                 "at_ms = excluded.at_ms",
    [S_IN_GET] = "SELECT pos, done FROM inputs WHERE input = ?1",
    [S_READ] = "SELECT seq, ts_ms, ctype, payload FROM journal "
               "WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
};

static const char s_schema[] =
    "CREATE TABLE meta(id INTEGER PRIMARY KEY CHECK (id = 1),"
    " source TEXT NOT NULL, epoch INTEGER NOT NULL,"
    " next_seq INTEGER NOT NULL, acked INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE TABLE journal(seq INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL,"
    " ctype TEXT NOT NULL, payload BLOB NOT NULL, at_ms INTEGER NOT NULL);"
    "CREATE TABLE inputs(input TEXT PRIMARY KEY, pos INTEGER NOT NULL,"
    " done INTEGER NOT NULL, at_ms INTEGER NOT NULL);"
    "PRAGMA user_version = 1;";

struct eng_journal {
    sqlite3 *db;
    eng_store_ckpt_t *ckpt; /* writers: WAL checkpoints off this thread */
    sqlite3_stmt *st[S_NSTMT];
    int lock_fd;
    char source[ENG_WIRE_SOURCE_MAX + 1];
    uint64_t epoch;
    uint64_t next_seq; /* includes rows of the open transaction */
    uint64_t durable;  /* committed: highest seq readable */
    uint64_t acked;
    uint64_t deleted; /* rows <= deleted are gone from the table */
    bool in_txn;
    size_t txn_rows;
    /* the input position to write just before COMMIT (the last one set
     * in this transaction): one UPSERT per commit, not one per line */
    char *pend_input;
    size_t pend_cap;
    uint64_t pend_pos;
    bool pend, pend_done;
};

static int64_t s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_err(eng_journal_t *self, struct ds_diag *diag, const char *what)
{
    return ds_diag_set_code(diag, DS_ESTORE, "", 0, "journal: %s: %s", what,
                            sqlite3_errmsg(self->db));
}

static int s_exec(eng_journal_t *self, const char *sql, struct ds_diag *diag)
{
    if (sqlite3_exec(self->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    return s_err(self, diag, sql);
}

/* Run a prepared statement that returns no row. */
static int s_step(eng_journal_t *self, int which, struct ds_diag *diag)
{
    sqlite3_stmt *st = self->st[which];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : s_err(self, diag, s_sql[which]);
}

static int s_begin(eng_journal_t *self, struct ds_diag *diag)
{
    if (self->in_txn)
        return 0;
    int rc = s_exec(self, "BEGIN IMMEDIATE", diag);
    if (rc == 0) {
        self->in_txn = true;
        self->txn_rows = 0;
    }
    return rc;
}

/* Write the pending input position into the open transaction. */
static int s_write_input(eng_journal_t *self, struct ds_diag *diag)
{
    if (!self->pend)
        return 0;
    sqlite3_stmt *st = self->st[S_IN_SET];
    sqlite3_bind_text(st, 1, self->pend_input, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)self->pend_pos);
    sqlite3_bind_int(st, 3, self->pend_done);
    sqlite3_bind_int64(st, 4, s_wall_ms());
    int rc = s_step(self, S_IN_SET, diag);
    if (rc == 0)
        self->pend = false;
    return rc;
}

static int s_int_query(eng_journal_t *self, const char *sql, int64_t *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(self->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : DS_ESTORE;
}

/* Schema and meta row for a new file, in one transaction. */
static int s_create(eng_journal_t *self, const char *source,
                    struct ds_diag *diag)
{
    struct timespec ts;
    char sql[512];
    clock_gettime(CLOCK_REALTIME, &ts);
    self->epoch = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
    snprintf(sql, sizeof sql,
             "INSERT INTO meta VALUES (1, '%s', %llu, 1, 0, %lld);"
             "PRAGMA application_id = %d; COMMIT",
             source, (unsigned long long)self->epoch, (long long)s_wall_ms(),
             S_APP_ID);
    int rc = s_exec(self, "BEGIN IMMEDIATE", diag);
    if (rc == 0 && (rc = s_exec(self, s_schema, diag)) == 0)
        rc = s_exec(self, sql, diag); /* source is checked: no quoting */
    if (rc != 0)
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int s_load_meta(eng_journal_t *self, struct ds_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(self->db,
                                "SELECT source, epoch, next_seq, acked "
                                "FROM meta WHERE id = 1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(self->source, sizeof self->source, "%s",
                 (const char *)sqlite3_column_text(st, 0));
        self->epoch = (uint64_t)sqlite3_column_int64(st, 1);
        self->next_seq = (uint64_t)sqlite3_column_int64(st, 2);
        self->acked = (uint64_t)sqlite3_column_int64(st, 3);
        self->durable = self->next_seq - 1;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW || self->epoch == 0 || self->next_seq == 0)
        return ds_diag_set_code(diag, DS_ESTORE, "", 0,
                                "journal: meta row missing or damaged");
    return 0;
}

/* New file: create; existing: must carry our application id. */
static int s_setup(eng_journal_t *self, const char *path, const char *source,
                   bool *created, struct ds_diag *diag)
{
    int64_t app = 0, ntab = 0;
    int rc =
        s_exec(self,
               "PRAGMA page_size=" S_PAGE_SIZE "; PRAGMA journal_mode=WAL;"
               " PRAGMA synchronous=FULL;"
               "PRAGMA trusted_schema=OFF; PRAGMA cache_size=" S_CACHE_KB ";"
               "PRAGMA secure_delete=FAST;",
               diag);
    if (rc != 0)
        return rc;
    if (s_int_query(self, "PRAGMA application_id", &app) != 0 ||
        s_int_query(self, "SELECT count(*) FROM sqlite_master", &ntab) != 0)
        return s_err(self, diag, "reading the header");
    *created = app == 0 && ntab == 0;
    if (*created) {
        if (!source)
            return ds_diag_set_code(diag, DS_ENOTFOUND, path, 0,
                                    "no journal here");
        if ((rc = s_create(self, source, diag)) != 0)
            return rc;
    } else if (app != S_APP_ID) {
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "not a ds-publish journal");
    }
    return s_load_meta(self, diag);
}

static int s_lock(eng_journal_t *self, const char *path, struct ds_diag *diag)
{
    char lp[4096];
    snprintf(lp, sizeof lp, "%s.lock", path);
    self->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (self->lock_fd < 0)
        return ds_diag_set_code(diag, DS_EIO, lp, 0, "%s", strerror(errno));
    if (flock(self->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return ds_diag_set_code(diag, DS_EIO, path, 0,
                                "journal is in use by another ds-publish");
    return 0;
}

static int s_open_db(eng_journal_t *self, const char *path, bool create,
                     struct ds_diag *diag)
{
    struct stat sb;
    if (!create && stat(path, &sb) != 0)
        return ds_diag_set_code(diag, DS_ENOTFOUND, path, 0, "%s",
                                strerror(errno));
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &self->db, flags, NULL) != SQLITE_OK)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s",
                                self->db ? sqlite3_errmsg(self->db)
                                         : "cannot open");
    sqlite3_busy_timeout(self->db, 5000);
    return 0;
}

static int s_prepare(eng_journal_t *self, struct ds_diag *diag)
{
    for (int i = 0; i < S_NSTMT; i++)
        if (sqlite3_prepare_v3(self->db, s_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &self->st[i],
                               NULL) != SQLITE_OK)
            return s_err(self, diag, s_sql[i]);
    return 0;
}

eng_journal_t *eng_journal_open(const char *path, const char *source,
                                bool create, bool *created,
                                struct ds_diag *diag)
{
    bool made = false;
    if (source && !eng_wire_source_ok(ds_span_str(source))) {
        ds_diag_set(diag, "", 0, "bad source id '%s'", source);
        return NULL;
    }
    eng_journal_t *self = ds_calloc(1, sizeof *self);
    if (!self) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    self->lock_fd = -1;
    int rc = source ? s_lock(self, path, diag) : 0;
    if (rc == 0)
        rc = s_open_db(self, path, create, diag);
    if (rc == 0)
        rc = s_setup(self, path, source, &made, diag);
    if (rc == 0 && source && strcmp(source, self->source) != 0)
        rc = ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                              "journal belongs to source '%s', not '%s'",
                              self->source, source);
    if (rc == 0)
        rc = s_prepare(self, diag);
    if (rc != 0) {
        eng_journal_destroy(&self);
        return NULL;
    }
    if (source) /* NULL: SQLite's own autocheckpoint stays */
        self->ckpt = eng_store_ckpt_start(self->db, ENG_STORE_CKPT_PAGES, NULL);
    if (created)
        *created = made;
    return self;
}

void eng_journal_destroy(eng_journal_t **self_p)
{
    eng_journal_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->in_txn)
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
    eng_store_ckpt_stop(&self->ckpt);
    ds_free(self->pend_input);
    for (int i = 0; i < S_NSTMT; i++)
        sqlite3_finalize(self->st[i]);
    sqlite3_close(self->db);
    if (self->lock_fd >= 0)
        close(self->lock_fd);
    ds_free(self);
    *self_p = NULL;
}

const char *eng_journal_source(const eng_journal_t *self)
{
    return self->source;
}

uint64_t eng_journal_epoch(const eng_journal_t *self)
{
    return self->epoch;
}

uint64_t eng_journal_durable(const eng_journal_t *self)
{
    return self->durable;
}

uint64_t eng_journal_acked(const eng_journal_t *self)
{
    return self->acked;
}

int eng_journal_append(eng_journal_t *self, int64_t ts_ms, const char *ctype,
                       const void *payload, size_t n, uint64_t *seq,
                       struct ds_diag *diag)
{
    int rc = s_begin(self, diag);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = self->st[S_INS];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)self->next_seq);
    sqlite3_bind_int64(st, 2, ts_ms);
    sqlite3_bind_text(st, 3, ctype, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 4, n ? payload : "", n, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, s_wall_ms());
    if ((rc = s_step(self, S_INS, diag)) != 0)
        return rc;
    if (seq)
        *seq = self->next_seq;
    self->next_seq++;
    self->txn_rows++;
    return 0;
}

/* Make (input, pos, done) the position to write before COMMIT; a pending
 * position of another input is written first. */
static int s_pend_input(eng_journal_t *self, const char *input, uint64_t pos,
                        bool done, struct ds_diag *diag)
{
    if (!self->pend_input || strcmp(self->pend_input, input) != 0) {
        int rc = s_write_input(self, diag); /* no-op when none is pending */
        if (rc != 0)
            return rc;
        size_t n = strlen(input) + 1;
        if (ds_grow((void **)&self->pend_input, &self->pend_cap, n, 1) != 0)
            return ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        memcpy(self->pend_input, input, n);
    }
    self->pend = true;
    self->pend_pos = pos;
    self->pend_done = done;
    return 0;
}

int eng_journal_input_set(eng_journal_t *self, const char *input, uint64_t pos,
                          bool done, struct ds_diag *diag)
{
    if (!input)
        return self->txn_rows >= ENG_JOURNAL_BATCH
                   ? eng_journal_commit(self, diag)
                   : 0;
    int rc = s_begin(self, diag);
    if (rc != 0)
        return rc;
    if ((rc = s_pend_input(self, input, pos, done, diag)) != 0)
        return rc;
    return self->txn_rows >= ENG_JOURNAL_BATCH ? eng_journal_commit(self, diag)
                                               : 0;
}

int eng_journal_input_get(eng_journal_t *self, const char *input, uint64_t *pos,
                          bool *done, struct ds_diag *diag)
{
    sqlite3_stmt *st = self->st[S_IN_GET];
    sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *pos = (uint64_t)sqlite3_column_int64(st, 0);
        *done = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? DS_ENOTFOUND : s_err(self, diag, "inputs");
}

int eng_journal_commit(eng_journal_t *self, struct ds_diag *diag)
{
    if (!self->in_txn)
        return 0;
    int rc = s_write_input(self, diag);
    sqlite3_bind_int64(self->st[S_NEXT], 1, (sqlite3_int64)self->next_seq);
    if (rc == 0)
        rc = s_step(self, S_NEXT, diag);
    if (rc == 0)
        rc = s_exec(self, "COMMIT", diag);
    if (rc != 0) {
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
        self->next_seq = self->durable + 1;
        self->pend = false;
    } else {
        self->durable = self->next_seq - 1;
    }
    self->in_txn = false;
    self->txn_rows = 0;
    return rc;
}

int eng_journal_read(eng_journal_t *self, uint64_t from, size_t max,
                     eng_journal_row_fn *fn, void *arg, struct ds_diag *diag)
{
    sqlite3_stmt *st = self->st[S_READ];
    int rc, count = 0;
    /* rows <= acked may still be in the table (deleted in bulk) */
    sqlite3_bind_int64(
        st, 1, (sqlite3_int64)(from > self->acked ? from : self->acked + 1));
    sqlite3_bind_int64(st, 2, (sqlite3_int64)self->durable);
    sqlite3_bind_int64(st, 3, max > 1000000 ? 1000000 : (sqlite3_int64)max);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct eng_journal_row r = {
            .seq = (uint64_t)sqlite3_column_int64(st, 0),
            .ts_ms = sqlite3_column_int64(st, 1),
            .ctype = {(const char *)sqlite3_column_text(st, 2),
                      (size_t)sqlite3_column_bytes(st, 2)},
            .payload = {sqlite3_column_blob(st, 3),
                        (size_t)sqlite3_column_bytes(st, 3)},
        };
        count++;
        if (fn(arg, &r) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? count : s_err(self, diag, "reading rows");
}

int eng_journal_ack(eng_journal_t *self, uint64_t c, struct ds_diag *diag)
{
    if (c <= self->acked)
        return 0;
    if (c > self->durable)
        return ds_diag_set_code(diag, DS_ERANGE, "", 0,
                                "engine committed seq %llu but this journal "
                                "has only committed up to %llu",
                                (unsigned long long)c,
                                (unsigned long long)self->durable);
    bool own = !self->in_txn;
    /* no fsync of its own: see eng_journal.h */
    int rc =
        own ? s_exec(self, "PRAGMA synchronous=NORMAL; BEGIN IMMEDIATE", diag)
            : 0;
    if (rc == 0) {
        sqlite3_bind_int64(self->st[S_ACK], 1, (sqlite3_int64)c);
        rc = s_step(self, S_ACK, diag);
    }
    /* delete in bulk: every S_DEL_ROWS rows, and when nothing is left */
    bool del = c - self->deleted >= S_DEL_ROWS || c == self->durable;
    if (rc == 0 && del) {
        sqlite3_bind_int64(self->st[S_DEL], 1, (sqlite3_int64)c);
        rc = s_step(self, S_DEL, diag);
    }
    if (own && rc == 0)
        rc = s_exec(self, "COMMIT", diag);
    if (own && rc != 0)
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
    if (own &&
        sqlite3_exec(self->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
            SQLITE_OK &&
        rc == 0)
        rc = s_err(self, diag, "PRAGMA synchronous=FULL");
    if (rc == 0) {
        self->acked = c;
        if (del)
            self->deleted = c;
    }
    return rc;
}

int eng_journal_status(eng_journal_t *self, struct eng_journal_status *out,
                       struct ds_diag *diag)
{
    int64_t pending = 0, done = 0;
    memset(out, 0, sizeof *out);
    int rc = self->in_txn ? 0 : s_load_meta(self, diag);
    if (rc != 0)
        return rc;
    snprintf(out->source, sizeof out->source, "%s", self->source);
    out->epoch = self->epoch;
    out->next_seq = self->durable + 1;
    out->journaled = self->durable;
    out->acked = self->acked;
    char sql[200];
    /* seq <= durable: rows of an open transaction do not count yet */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM journal WHERE seq > %llu AND seq <= %llu",
             (unsigned long long)self->acked,
             (unsigned long long)self->durable);
    if (s_int_query(self, sql, &pending) != 0 ||
        s_int_query(self, "SELECT count(*) FROM inputs WHERE done", &done) != 0)
        return s_err(self, diag, "status");
    out->pending = (uint64_t)pending;
    out->inputs_done = (uint64_t)done;
    if (pending > 0) {
        snprintf(sql, sizeof sql,
                 "SELECT at_ms FROM journal WHERE seq > %llu LIMIT 1",
                 (unsigned long long)self->acked);
        s_int_query(self, sql, &out->oldest_at_ms);
        snprintf(sql, sizeof sql,
                 "SELECT ts_ms FROM journal WHERE seq > %llu LIMIT 1",
                 (unsigned long long)self->acked);
        s_int_query(self, sql, &out->oldest_ts_ms);
    }
    return 0;
}
