/*
 * eng_http_db.c - the HTTP server's read-only SQLite connections: open
 * (SQLITE_OPEN_READONLY, busy timeout, untrusted schema), a small pool of
 * idle ones so a request rarely pays for an open, and a per-connection
 * cache of prepared statements keyed by the SQL literal's address.
 *
 * In WAL mode a reader sees the last committed snapshot and never blocks
 * the engine's writer; the busy timeout only covers the moments a
 * checkpoint or recovery holds the WAL index.
 *
 * Draining at stop also frees what the server caches from the store
 * (eng_http_plans_free).
 */
#include "eng_http_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <string.h>

#define S_BUSY_MS 2000

struct eng_http_db *eng_http_db_open(const char *path, struct ds_diag *diag)
{
    struct eng_http_db *d = ds_calloc(1, sizeof *d);
    if (!d) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    int rc = sqlite3_open_v2(path, &d->db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        ds_diag_set_code(diag, DS_ESTORE, path, 0, "cannot open: %s",
                         d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc));
        eng_http_db_close(&d);
        return NULL;
    }
    sqlite3_busy_timeout(d->db, S_BUSY_MS);
    sqlite3_db_config(d->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(d->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    return d;
}

void eng_http_db_close(struct eng_http_db **p)
{
    if (!p || !*p)
        return;
    struct eng_http_db *d = *p;
    for (size_t i = 0; i < d->n; i++)
        sqlite3_finalize(d->c[i].st);
    sqlite3_close_v2(d->db);
    ds_free(d);
    *p = NULL;
}

sqlite3_stmt *eng_http_db_stmt(struct eng_http_db *db, const char *sql)
{
    for (size_t i = 0; i < db->n; i++) {
        if (db->c[i].sql == sql) {
            sqlite3_reset(db->c[i].st);
            sqlite3_clear_bindings(db->c[i].st);
            return db->c[i].st;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    if (db->n == ENG_HTTP_STMTS) { /* full: evict the oldest */
        sqlite3_finalize(db->c[0].st);
        memmove(&db->c[0], &db->c[1], (db->n - 1) * sizeof db->c[0]);
        db->n--;
    }
    db->c[db->n].sql = sql;
    db->c[db->n++].st = st;
    return st;
}

struct eng_http_db *eng_http_db_acquire(eng_http_t *h, struct ds_diag *diag)
{
    struct eng_http_db *d = NULL;
    pthread_mutex_lock(&h->mu);
    if (h->nidle > 0)
        d = h->idle[--h->nidle];
    pthread_mutex_unlock(&h->mu);
    return d ? d : eng_http_db_open(h->db_path, diag);
}

void eng_http_db_release(eng_http_t *h, struct eng_http_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->n; i++)
        sqlite3_reset(db->c[i].st); /* end any read transaction */
    pthread_mutex_lock(&h->mu);
    if (h->nidle < ENG_HTTP_POOL && !h->stopping) {
        h->idle[h->nidle++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&h->mu);
    eng_http_db_close(&db);
}

void eng_http_db_drain(eng_http_t *h)
{
    pthread_mutex_lock(&h->mu);
    while (h->nidle > 0)
        eng_http_db_close(&h->idle[--h->nidle]);
    pthread_mutex_unlock(&h->mu);
    eng_http_plans_free(h);
}
