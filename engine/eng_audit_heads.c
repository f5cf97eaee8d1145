/*
 * eng_audit_heads.c - load checkpoint rows and anchor lines as tree heads
 * (see eng_audit_heads.h).
 */
#include "devsurv/eng_audit_heads.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eng_audit_heads_clear(struct eng_audit_heads *h)
{
    ds_free(h->v);
    *h = (struct eng_audit_heads){0};
}

static struct eng_audit_sth *s_add(struct eng_audit_heads *h)
{
    if (ds_grow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v) != 0)
        return NULL;
    struct eng_audit_sth *s = &h->v[h->n++];
    memset(s, 0, sizeof *s);
    return s;
}

/* Copy column i (a blob of exactly n bytes) to out. */
static bool s_blob(sqlite3_stmt *st, int i, uint8_t *out, int n)
{
    if (sqlite3_column_type(st, i) != SQLITE_BLOB ||
        sqlite3_column_bytes(st, i) != n)
        return false;
    memcpy(out, sqlite3_column_blob(st, i), (size_t)n);
    return true;
}

static int s_row(sqlite3_stmt *st, struct eng_audit_sth *s)
{
    s->n = sqlite3_column_int64(st, 0);
    s->ts = sqlite3_column_int64(st, 3);
    bool nosig = sqlite3_column_type(st, 4) == SQLITE_NULL &&
                 sqlite3_column_type(st, 5) == SQLITE_NULL;
    if (!s_blob(st, 1, s->root, ENG_AUDIT_HASH) ||
        !s_blob(st, 2, s->head, ENG_AUDIT_HASH))
        return DS_EPARSE;
    if (nosig)
        return 0;
    s->is_signed = true;
    return s_blob(st, 4, s->sig, ENG_AUDIT_KEY_SIG) &&
                   s_blob(st, 5, s->pub, ENG_AUDIT_KEY_PUB)
               ? 0
               : DS_EPARSE;
}

int eng_audit_heads_from_db(struct eng_audit_heads *h, sqlite3 *db,
                            struct ds_diag *diag)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT n, root, head, ts, sig, pubkey FROM "
                                "checkpoints ORDER BY n",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return ds_diag_set_code(diag, DS_ESTORE, "", 0, "checkpoints: %s",
                                sqlite3_errmsg(db));
    int err = 0;
    while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct eng_audit_sth *s = s_add(h);
        if (!s)
            err = ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        else if (s_row(st, s) != 0)
            err =
                ds_diag_set_code(diag, DS_EPARSE, "", 0,
                                 "checkpoint %" PRId64 ": malformed row", s->n);
    }
    if (err == 0 && rc != SQLITE_DONE)
        err = ds_diag_set_code(diag, DS_ESTORE, "", 0, "checkpoints: %s",
                               sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return err;
}

static int s_line(struct eng_audit_heads *h, const char *line, size_t len,
                  const char *path, int lineno, struct ds_diag *diag)
{
    if (len == 0 || line[0] == '#' || (len == 1 && line[0] == '\n'))
        return 0;
    struct eng_audit_sth s;
    if (eng_audit_sth_parse((struct ds_span){line, len}, &s) != 0)
        return ds_diag_set_code(diag, DS_EPARSE, path, lineno,
                                "not an anchor line (n root head ts sig "
                                "pubkey)");
    if (h->n > 0 && s.n <= h->v[h->n - 1].n)
        return ds_diag_set_code(diag, DS_EPARSE, path, lineno,
                                "tree size %" PRId64 " does not grow", s.n);
    struct eng_audit_sth *to = s_add(h);
    if (!to)
        return ds_diag_set_code(diag, DS_ENOMEM, path, lineno, "out of memory");
    *to = s;
    return 0;
}

int eng_audit_heads_from_file(struct eng_audit_heads *h, const char *path,
                              struct ds_diag *diag)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    for (int n = 1; rc == 0 && (len = getline(&line, &cap, f)) >= 0; n++)
        rc = s_line(h, line, (size_t)len, path, n, diag);
    if (rc == 0 && ferror(f))
        rc = ds_diag_set_code(diag, DS_EIO, path, 0, "read error");
    free(line);
    fclose(f);
    return rc;
}
