/*
 * eng_checkpoint.c - make, sign, store and anchor audit checkpoints (see
 * eng_checkpoint.h).
 */
#include "devsurv/eng_checkpoint.h"
#include "devsurv/eng_merkle.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct eng_checkpoint {
    eng_store_t *store; /* borrowed */
    eng_audit_t *audit; /* borrowed */
    int64_t every;
    int64_t last_n;         /* size of the newest checkpoint, 0 = none */
    struct eng_merkle tree; /* over committed entries 1..tree.n */
    struct eng_audit_key key;
    char anchors[ENG_CONFIG_STR_MAX];
};

static const char s_max[] = "SELECT coalesce(max(n), 0) FROM checkpoints";
static const char s_since[] =
    "SELECT seq, entry_hash FROM audit WHERE seq > ?1 ORDER BY seq";
static const char s_ins[] =
    "INSERT INTO checkpoints(n, root, head, ts, sig, pubkey)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";

static int s_last_n(eng_checkpoint_t *self, struct ds_diag *diag)
{
    sqlite3_stmt *st = eng_store_stmt(self->store, s_max);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        self->last_n = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 0;
    }
    return ds_diag_set_code(diag, DS_ESTORE, "", 0, "checkpoints: %s",
                            eng_store_errmsg(self->store));
}

eng_checkpoint_t *eng_checkpoint_new(eng_store_t *store, eng_audit_t *audit,
                                     const struct eng_config *cfg,
                                     struct ds_diag *diag)
{
    eng_checkpoint_t *self = ds_calloc(1, sizeof *self);
    if (!self) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    self->store = store;
    self->audit = audit;
    self->every = cfg->audit.checkpoint_every;
    eng_merkle_init(&self->tree);
    snprintf(self->anchors, sizeof self->anchors, "%s", cfg->audit.anchors);
    int rc = s_last_n(self, diag);
    if (rc == 0 && cfg->audit.signing_key[0]) {
        rc = eng_audit_key_load(&self->key, cfg->audit.signing_key, diag);
        if (rc == 0 && !self->key.has_sec)
            rc = ds_diag_set_code(diag, DS_ECONFIG, cfg->audit.signing_key, 0,
                                  "audit.signing_key holds no secret key "
                                  "(give the .sign.key file)");
    }
    if (rc != 0)
        eng_checkpoint_destroy(&self);
    return self;
}

void eng_checkpoint_destroy(eng_checkpoint_t **self_p)
{
    eng_checkpoint_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    eng_audit_key_clear(&self->key);
    ds_free(self);
    *self_p = NULL;
}

int64_t eng_checkpoint_pending(const eng_checkpoint_t *self)
{
    return eng_audit_seq(self->audit) - self->last_n - (self->last_n > 0);
}

bool eng_checkpoint_due(const eng_checkpoint_t *self)
{
    return eng_checkpoint_pending(self) >= self->every;
}

/* Push the committed entries the tree has not seen. */
static int s_catch_up(eng_checkpoint_t *self)
{
    if ((int64_t)self->tree.n == eng_audit_seq(self->audit))
        return 0;
    sqlite3_stmt *st = eng_store_stmt(self->store, s_since);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_int64(st, 1, (int64_t)self->tree.n);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) != (int64_t)self->tree.n + 1 ||
            sqlite3_column_bytes(st, 1) != ENG_AUDIT_HASH)
            break;
        eng_merkle_push(&self->tree, sqlite3_column_blob(st, 1),
                        ENG_AUDIT_HASH);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_checkpoint_root(eng_checkpoint_t *self, uint8_t root[ENG_AUDIT_HASH],
                        int64_t *n)
{
    int rc = s_catch_up(self);
    if (rc == 0) {
        eng_merkle_root(&self->tree, root);
        *n = (int64_t)self->tree.n;
    }
    return rc;
}

static int s_insert(eng_checkpoint_t *self, const struct eng_audit_sth *s)
{
    sqlite3_stmt *st = eng_store_stmt(self->store, s_ins);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_int64(st, 1, s->n);
    sqlite3_bind_blob(st, 2, s->root, ENG_AUDIT_HASH, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, s->head, ENG_AUDIT_HASH, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, s->ts);
    if (s->is_signed) {
        sqlite3_bind_blob(st, 5, s->sig, sizeof s->sig, SQLITE_STATIC);
        sqlite3_bind_blob(st, 6, s->pub, sizeof s->pub, SQLITE_STATIC);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

/* Row + chain entry inside the open transaction, then COMMIT. */
static int s_store(eng_checkpoint_t *self, const struct eng_audit_sth *s)
{
    char subject[48];
    uint8_t pl[4 + ENG_AUDIT_HASH] = {0, 0, 0, ENG_AUDIT_HASH};
    memcpy(pl + 4, s->root, ENG_AUDIT_HASH);
    int n = snprintf(subject, sizeof subject, "checkpoint/%" PRId64, s->n);
    struct ds_span subj = {subject, (size_t)n};
    int rc = s_insert(self, s);
    if (rc == 0)
        rc = eng_audit_append(self->audit, ENG_AUDIT_CHECKPOINT, s->ts, subj,
                              pl, sizeof pl);
    if (rc == 0)
        rc = eng_store_commit(self->store);
    if (rc != 0)
        return rc;
    eng_audit_committed(self->audit);
    self->last_n = s->n;
    return 0;
}

static int s_anchor(const char *path, const struct eng_audit_sth *s,
                    struct ds_diag *diag)
{
    char line[ENG_AUDIT_STH_LINE_MAX];
    eng_audit_sth_format(s, line);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    size_t len = strlen(line);
    bool ok = write(fd, line, len) == (ssize_t)len && fsync(fd) == 0;
    int err = errno;
    close(fd);
    return ok ? 0
              : ds_diag_set_code(diag, DS_EIO, path, 0, "write: %s",
                                 strerror(err));
}

/* Root, head and signature of every committed entry, inside the open
 * transaction (so no other process can append in between). */
static int s_prepare(eng_checkpoint_t *self, struct eng_audit_sth *s,
                     struct ds_diag *diag)
{
    int rc = eng_checkpoint_root(self, s->root, &s->n);
    if (rc == 0 && s->n != eng_audit_seq(self->audit))
        rc = DS_ESTORE; /* the table is not the chain we appended */
    if (rc != 0)
        return ds_diag_set_code(diag, rc, "", 0, "checkpoint: %s",
                                eng_store_errmsg(self->store));
    memcpy(s->head, eng_audit_head(self->audit), ENG_AUDIT_HASH);
    s->ts = eng_audit_ts(self->audit);
    if (self->key.has_sec && (rc = eng_audit_sth_sign(s, &self->key)) != 0)
        return ds_diag_set_code(diag, rc, "", 0, "checkpoint: cannot sign");
    return 0;
}

/* In one BEGIN IMMEDIATE: reload the head (another process, `devsurv
 * alert`, may have appended since our last batch), then root, row, entry. */
int eng_checkpoint_make(eng_checkpoint_t *self, struct eng_audit_sth *out,
                        struct ds_diag *diag)
{
    struct eng_audit_sth s = {0};
    if (out)
        out->n = 0;
    if (eng_store_in_batch(self->store))
        return ds_diag_set_code(diag, DS_EINVAL, "", 0,
                                "checkpoint: a batch is open");
    int rc = eng_store_begin(self->store);
    if (rc == 0)
        rc = eng_audit_reload(self->audit);
    if (rc != 0) {
        eng_store_rollback(self->store);
        eng_audit_reload(self->audit);
        return ds_diag_set_code(diag, DS_ESTORE, "", 0, "checkpoint: %s",
                                eng_store_errmsg(self->store));
    }
    if (eng_checkpoint_pending(self) <= 0) {
        eng_store_rollback(self->store);
        return 0;
    }
    if ((rc = s_prepare(self, &s, diag)) == 0 && (rc = s_store(self, &s)) != 0)
        ds_diag_set_code(diag, rc, "", 0, "checkpoint: %s",
                         eng_store_errmsg(self->store));
    if (rc != 0) {
        eng_store_rollback(self->store);
        eng_audit_rollback(self->audit);
        return rc;
    }
    if (out)
        *out = s;
    return self->anchors[0] ? s_anchor(self->anchors, &s, diag) : 0;
}
