/*
 * eng_audit.c - append to the audit hash chain and track its head (see
 * eng_audit.h). One prepared INSERT per entry; SHA-256 is ds_sha256.h.
 * Stored events wait in an eng_audit_events until the next entry of
 * another kind, a full entry or the end of the batch (eng_audit_flush).
 */
#include "devsurv/eng_audit.h"
#include "devsurv/eng_audit_events.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_sha256.h"

#include <string.h>

struct s_head {
    int64_t seq, ts;
    uint8_t hash[ENG_AUDIT_HASH];
};

struct eng_audit {
    eng_store_t *store; /* borrowed */
    sqlite3_stmt *ins;
    struct s_head cur;  /* including uncommitted appends */
    struct s_head done; /* last committed */
    struct eng_audit_buf canon, payload;
    struct eng_audit_events ev; /* stored events not yet in an entry */
    sqlite3_stmt *run_ins;      /* audit_events rows; prepared on first use */
};

static const char s_ins[] =
    "INSERT INTO audit(seq, kind, ts, subject, canonical, prev_hash,"
    " entry_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char s_run_ins[] =
    "INSERT INTO audit_events(source, epoch, last, first, entry)"
    " VALUES(?1, ?2, ?3, ?4, ?5)";
static const char s_last[] =
    "SELECT seq, ts, entry_hash FROM audit ORDER BY seq DESC LIMIT 1";

void eng_audit_hash(const uint8_t *canon, size_t n,
                    const uint8_t prev[ENG_AUDIT_HASH],
                    uint8_t out[ENG_AUDIT_HASH])
{
    struct ds_sha256 st;
    ds_sha256_init(&st);
    ds_sha256_update(&st, canon, n);
    ds_sha256_update(&st, prev, ENG_AUDIT_HASH);
    ds_sha256_final(&st, out);
}

static int s_load(eng_audit_t *self, sqlite3 *db, struct ds_diag *diag)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, s_last, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        self->cur.seq = sqlite3_column_int64(st, 0);
        self->cur.ts = sqlite3_column_int64(st, 1);
        if (sqlite3_column_bytes(st, 2) == ENG_AUDIT_HASH)
            memcpy(self->cur.hash, sqlite3_column_blob(st, 2), ENG_AUDIT_HASH);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    self->done = self->cur;
    if (rc != SQLITE_DONE)
        return ds_diag_set_code(diag, DS_ESTORE, "", 0, "audit: %s",
                                sqlite3_errmsg(db));
    return 0;
}

/* Room for any entry the engine writes (a signal's, the largest of one
 * record, is under 600 bytes; an events_stored entry of
 * ENG_AUDIT_EVENTS_MAX events with short sources and content types is
 * under S_EVENTS_CAP), so appending allocates nothing after start-up. */
#define S_EVENTS_CAP  (ENG_AUDIT_EVENTS_MAX * 160)
#define S_CANON_CAP   (S_EVENTS_CAP + 1024)
#define S_PAYLOAD_CAP 768
#define S_RUNS_CAP    16

static int s_reserve(struct eng_audit_buf *b, size_t cap)
{
    b->p = ds_malloc(cap);
    b->cap = b->p ? cap : 0;
    return b->p ? 0 : DS_ENOMEM;
}

eng_audit_t *eng_audit_new(eng_store_t *store, struct ds_diag *diag)
{
    eng_audit_t *self = ds_calloc(1, sizeof *self);
    if (!self) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    self->store = store;
    sqlite3 *db = eng_store_db(store);
    if (s_reserve(&self->canon, S_CANON_CAP) != 0 ||
        s_reserve(&self->payload, S_PAYLOAD_CAP) != 0 ||
        s_reserve(&self->ev.body, S_EVENTS_CAP) != 0 ||
        ds_grow((void **)&self->ev.runs, &self->ev.cap, S_RUNS_CAP,
                sizeof *self->ev.runs) != 0) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        eng_audit_destroy(&self);
        return NULL;
    }
    if (s_load(self, db, diag) != 0 ||
        sqlite3_prepare_v3(db, s_ins, -1, SQLITE_PREPARE_PERSISTENT, &self->ins,
                           NULL) != SQLITE_OK) {
        if (!self->ins)
            ds_diag_set_code(diag, DS_ESTORE, "", 0, "audit: %s",
                             sqlite3_errmsg(db));
        eng_audit_destroy(&self);
    }
    return self;
}

void eng_audit_destroy(eng_audit_t **self_p)
{
    eng_audit_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    sqlite3_finalize(self->ins);
    sqlite3_finalize(self->run_ins);
    eng_audit_events_clear(&self->ev);
    eng_audit_buf_clear(&self->canon);
    eng_audit_buf_clear(&self->payload);
    ds_free(self);
    *self_p = NULL;
}

struct eng_audit_buf *eng_audit_payload(eng_audit_t *self)
{
    self->payload.n = 0;
    self->payload.oom = false;
    return &self->payload;
}

static int s_insert(eng_audit_t *self, const struct eng_audit_entry *e,
                    const uint8_t *hash)
{
    sqlite3_stmt *st = self->ins;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, e->seq);
    sqlite3_bind_text(st, 2, eng_audit_kind_name(e->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, e->ts);
    sqlite3_bind_text(st, 4, e->subject.p ? e->subject.p : "",
                      (int)e->subject.n, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, self->canon.p, (int)self->canon.n, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, self->cur.hash, ENG_AUDIT_HASH, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, hash, ENG_AUDIT_HASH, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

static int s_entry(eng_audit_t *self, enum eng_audit_kind kind, int64_t ts,
                   struct ds_span subject, const uint8_t *payload, size_t n)
{
    uint8_t hash[ENG_AUDIT_HASH];
    struct eng_audit_entry e = {self->cur.seq + 1, kind,    ts,
                                subject,           payload, n};
    if (subject.n > INT32_MAX)
        return DS_EINVAL;
    int rc = eng_audit_canon_encode(&self->canon, &e);
    if (rc != 0)
        return rc;
    eng_audit_hash(self->canon.p, self->canon.n, self->cur.hash, hash);
    if ((rc = s_insert(self, &e, hash)) != 0)
        return rc;
    self->cur.seq = e.seq;
    self->cur.ts = ts;
    memcpy(self->cur.hash, hash, ENG_AUDIT_HASH);
    return 0;
}

static int s_run_insert(eng_audit_t *self, const struct eng_audit_events_run *r)
{
    sqlite3 *db = eng_store_db(self->store);
    if (!self->run_ins &&
        sqlite3_prepare_v3(db, s_run_ins, -1, SQLITE_PREPARE_PERSISTENT,
                           &self->run_ins, NULL) != SQLITE_OK)
        return DS_ESTORE;
    sqlite3_stmt *st = self->run_ins;
    sqlite3_bind_text(st, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->epoch);
    sqlite3_bind_int64(st, 3, r->last);
    sqlite3_bind_int64(st, 4, r->first);
    sqlite3_bind_int64(st, 5, self->cur.seq);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_audit_flush(eng_audit_t *self)
{
    if (self->ev.n == 0)
        return 0;
    char subject[2 * ENG_AUDIT_KEY_MAX + 2];
    const uint8_t *p;
    size_t n;
    int rc = eng_audit_events_payload(&self->ev, &p, &n);
    if (rc == 0)
        rc = s_entry(
            self, ENG_AUDIT_EVENTS_STORED, self->ev.ts,
            eng_audit_events_subject(&self->ev, subject, sizeof subject), p, n);
    for (size_t i = 0; rc == 0 && i < self->ev.nruns; i++)
        rc = s_run_insert(self, &self->ev.runs[i]);
    if (rc == 0)
        eng_audit_events_reset(&self->ev);
    return rc;
}

int eng_audit_append(eng_audit_t *self, enum eng_audit_kind kind, int64_t ts,
                     struct ds_span subject, const uint8_t *payload, size_t n)
{
    int rc = eng_audit_flush(self);
    return rc != 0 ? rc : s_entry(self, kind, ts, subject, payload, n);
}

int eng_audit_add_event(eng_audit_t *self,
                        const struct eng_audit_events_item *it)
{
    int rc = 0;
    if (self->ev.n >= ENG_AUDIT_EVENTS_MAX)
        rc = eng_audit_flush(self);
    return rc != 0 ? rc : eng_audit_events_add(&self->ev, it);
}

int eng_audit_reload(eng_audit_t *self)
{
    memset(&self->cur, 0, sizeof self->cur);
    eng_audit_events_reset(&self->ev);
    return s_load(self, eng_store_db(self->store), NULL);
}

void eng_audit_committed(eng_audit_t *self)
{
    self->done = self->cur;
    eng_audit_events_reset(&self->ev); /* flushed before COMMIT */
}

void eng_audit_rollback(eng_audit_t *self)
{
    self->cur = self->done;
    eng_audit_events_reset(&self->ev);
}

int64_t eng_audit_seq(const eng_audit_t *self)
{
    return self->cur.seq;
}

const uint8_t *eng_audit_head(const eng_audit_t *self)
{
    return self->cur.hash;
}

int64_t eng_audit_ts(const eng_audit_t *self)
{
    return self->ev.n ? self->ev.ts : self->cur.ts;
}
