/*
 * eng_store.c - SQLite connection, pragmas, migrations, batches and the
 * prepared-statement cache (see eng_store.h).
 *
 * Durability (reference/reliability.md 4): WAL + synchronous=FULL, so a
 * committed batch survives power loss once COMMIT returns, which is what
 * makes acknowledging it to a publisher safe. Row operations live in
 * eng_store_events.c and eng_store_cells.c; this file holds none.
 */
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_schema.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

#define S_STMT_MAX 48

struct eng_store {
    sqlite3 *db;
    bool in_batch;
    size_t nstmt;
    struct {
        const char *sql; /* cache key: the literal's address */
        sqlite3_stmt *stmt;
    } stmts[S_STMT_MAX];
};

/* page_size first: it takes effect only on a new, empty file (an existing
 * store keeps the page size it was created with; WAL mode cannot change
 * it). 8 KB instead of SQLite's 4 KB: a ~1 KB event row left a quarter of
 * each 4 KB page empty (three rows per page), and every page is a WAL
 * frame, a pwrite and a checkpoint copy. Measured (2-core VM, engine CPU
 * with ds-publish): 1 KB notes with plans off -15% per event and a 13%
 * smaller store; 320 B envelopes with plans on -15%. 16 KB did as well on
 * the first and worse on the second (plan cells are updated in place, a
 * whole page rewritten for each). */
static const char s_pragmas[] = "PRAGMA page_size=8192;"
                                "PRAGMA journal_mode=WAL;"
                                "PRAGMA synchronous=FULL;"
                                "PRAGMA foreign_keys=ON;"
                                "PRAGMA trusted_schema=OFF;"
                                "PRAGMA journal_size_limit=67108864;";

static int s_exec(eng_store_t *self, const char *sql, struct ds_diag *diag)
{
    char *err = NULL;
    if (sqlite3_exec(self->db, sql, NULL, NULL, &err) == SQLITE_OK)
        return 0;
    ds_diag_set(diag, "", 0, "sqlite: %s",
                err ? err : sqlite3_errmsg(self->db));
    sqlite3_free(err);
    return DS_ESTORE;
}

int eng_store_schema_version(eng_store_t *self)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(self->db, "PRAGMA user_version", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Run migrations (from, latest] each in its own transaction. */
static int s_migrate(eng_store_t *self, const char *path, struct ds_diag *diag)
{
    int v = eng_store_schema_version(self);
    int latest = eng_store_schema_latest();
    if (v < 0)
        return ds_diag_set_code(diag, DS_ESTORE, path, 0, "sqlite: %s",
                                sqlite3_errmsg(self->db));
    if (v > latest)
        return ds_diag_set_code(diag, DS_ESTORE, path, 0,
                                "schema version %d is newer than this "
                                "devsurv (%d); refusing to touch it",
                                v, latest);
    for (int i = v + 1; i <= latest; i++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version=%d;", i);
        int rc = s_exec(self, "BEGIN IMMEDIATE;", diag);
        if (rc == 0)
            rc = s_exec(self, eng_store_schema_migration(i), diag);
        if (rc == 0)
            rc = s_exec(self, bump, diag);
        if (rc == 0)
            rc = s_exec(self, "COMMIT;", diag);
        if (rc != 0) {
            sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
            snprintf(diag->file, sizeof diag->file, "%s", path);
            return rc;
        }
    }
    return 0;
}

static int s_configure(eng_store_t *self, bool read_only, struct ds_diag *diag)
{
    int on = 1;
    sqlite3_busy_timeout(self->db, 5000);
    sqlite3_extended_result_codes(self->db, 1);
    sqlite3_db_config(self->db, SQLITE_DBCONFIG_DEFENSIVE, on, NULL);
    if (read_only)
        return s_exec(self, "PRAGMA trusted_schema=OFF;", diag);
    return s_exec(self, s_pragmas, diag);
}

eng_store_t *eng_store_open(const char *path, bool read_only,
                            struct ds_diag *diag)
{
    struct ds_diag local;
    if (!diag)
        diag = &local;
    eng_store_t *self = ds_calloc(1, sizeof *self);
    if (!self) {
        ds_diag_set(diag, path, 0, "out of memory");
        return NULL;
    }
    int flags = read_only ? SQLITE_OPEN_READONLY
                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        ds_diag_set(diag, path, 0, "cannot open database: %s",
                    self->db ? sqlite3_errmsg(self->db) : "out of memory");
        eng_store_destroy(&self);
        return NULL;
    }
    int rc = s_configure(self, read_only, diag);
    if (rc == 0 && !read_only)
        rc = s_migrate(self, path, diag);
    if (rc == 0 && read_only &&
        eng_store_schema_version(self) != eng_store_schema_latest())
        rc = ds_diag_set_code(diag, DS_ESTORE, path, 0,
                              "schema version %d, this devsurv reads %d "
                              "(not a devsurv database, or run the engine "
                              "once to migrate it)",
                              eng_store_schema_version(self),
                              eng_store_schema_latest());
    if (rc != 0) {
        if (!diag->file[0])
            snprintf(diag->file, sizeof diag->file, "%s", path);
        eng_store_destroy(&self);
    }
    return self;
}

void eng_store_destroy(eng_store_t **self_p)
{
    eng_store_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    eng_store_rollback(self);
    for (size_t i = 0; i < self->nstmt; i++)
        sqlite3_finalize(self->stmts[i].stmt);
    sqlite3_close(self->db);
    ds_free(self);
    *self_p = NULL;
}

static int s_tx(eng_store_t *self, const char *sql)
{
    return sqlite3_exec(self->db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : DS_ESTORE;
}

int eng_store_begin(eng_store_t *self)
{
    if (self->in_batch)
        return DS_EINVAL;
    int rc = s_tx(self, "BEGIN IMMEDIATE");
    self->in_batch = rc == 0;
    return rc;
}

int eng_store_commit(eng_store_t *self)
{
    if (!self->in_batch)
        return DS_EINVAL;
    int rc = s_tx(self, "COMMIT");
    if (rc != 0)
        eng_store_rollback(self);
    self->in_batch = false;
    return rc;
}

void eng_store_rollback(eng_store_t *self)
{
    if (self->in_batch || !sqlite3_get_autocommit(self->db))
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
    self->in_batch = false;
}

bool eng_store_in_batch(const eng_store_t *self)
{
    return self->in_batch;
}

const char *eng_store_errmsg(eng_store_t *self)
{
    return sqlite3_errmsg(self->db);
}

sqlite3 *eng_store_db(eng_store_t *self)
{
    return self->db;
}

sqlite3_stmt *eng_store_stmt(eng_store_t *self, const char *sql)
{
    for (size_t i = 0; i < self->nstmt; i++) {
        if (self->stmts[i].sql == sql) {
            sqlite3_stmt *st = self->stmts[i].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    sqlite3_stmt *st = NULL;
    if (self->nstmt == S_STMT_MAX ||
        sqlite3_prepare_v3(self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    self->stmts[self->nstmt].sql = sql;
    self->stmts[self->nstmt++].stmt = st;
    return st;
}
