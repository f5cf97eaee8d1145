/*
 * eng_explain.c - the lineage of one signal (eng_explain.h): the signals
 * row, its cell (plan_cells), then the contributions
 * (eng_explain_contrib.c) and audit entries (eng_explain_audit.c), as one
 * jansson object dumped as JSON here or rendered as text
 * (eng_explain_text.c).
 *
 * Facts: the cell of a signal is (signals.plan, signals.product_code,
 * signals.event_code): on the plan path product_code holds the full device
 * key (eng_store_cells.c). Columns become JSON by their SQLite type
 * (INTEGER, REAL, TEXT, BLOB as hex, NULL), so what is stored is what is
 * shown; doubles are printed with 17 significant digits. Nothing reads the
 * wall clock: the output of one database is always the same bytes.
 *
 * Not here: any write (callers open the database read-only).
 */
#include "devsurv/eng_explain.h"
#include "devsurv/eng_time.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "eng_explain_impl.h"

#include <string.h>

static const char s_sig[] =
    "SELECT id AS signal, plan, method, params, statistic, threshold,"
    " observed, expected, ts_event, generation, source, epoch, seq, rules,"
    " plans, product_code, event_code FROM signals WHERE id = ?1";
static const char s_cell_sql[] =
    "SELECT observed, expected, exposures, comp_events, comp_exposures,"
    " statistic, threshold, status, generation, last_ts FROM plan_cells"
    " WHERE plan = ?1 AND device = ?2 AND event = ?3";

int eng_explain_db_err(sqlite3 *db, struct ds_diag *diag)
{
    return ds_diag_set_code(diag, DS_ESTORE, "", 0, "explain: %s",
                            sqlite3_errmsg(db));
}

json_t *eng_explain_hex(const void *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *b = p;
    char *s = ds_malloc(2 * n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[b[i] >> 4];
        s[2 * i + 1] = digits[b[i] & 15];
    }
    json_t *j = json_stringn(s, 2 * n);
    ds_free(s);
    return j;
}

json_t *eng_explain_col(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
    case SQLITE_BLOB:
        return eng_explain_hex(sqlite3_column_blob(st, i),
                               (size_t)sqlite3_column_bytes(st, i));
    case SQLITE_TEXT: {
        json_t *s = json_stringn((const char *)sqlite3_column_text(st, i),
                                 (size_t)sqlite3_column_bytes(st, i));
        return s ? s : json_string("(not UTF-8)");
    }
    default: return json_null();
    }
}

int eng_explain_set(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v) == 0 ? 0 : DS_ENOMEM;
}

int eng_explain_row(json_t *o, sqlite3_stmt *st, int from, int to)
{
    int rc = 0;
    for (int i = from; i < to && rc == 0; i++)
        rc = eng_explain_set(o, sqlite3_column_name(st, i),
                             eng_explain_col(st, i));
    return rc;
}

int eng_explain_time(json_t *o, int64_t ms)
{
    char when[ENG_TIME_STR_MAX];
    int rc = eng_explain_set(o, "time", json_string(eng_time_format(ms, when)));
    return rc ? rc : eng_explain_set(o, "time_ms", json_integer(ms));
}

/* params is JSON text: embed it parsed (as a string if it does not parse). */
static json_t *s_params(sqlite3_stmt *st, int i)
{
    const char *p = (const char *)sqlite3_column_text(st, i);
    json_t *j = p ? json_loads(p, JSON_DECODE_ANY, NULL) : NULL;
    return j ? j : eng_explain_col(st, i);
}

static int s_signal_fields(json_t *lin, sqlite3_stmt *st)
{
    json_t *trig = json_object();
    int rc = eng_explain_row(lin, st, 0, 3);
    if (!rc)
        rc = eng_explain_set(lin, "params", s_params(st, 3));
    if (!rc)
        rc = eng_explain_row(lin, st, 4, 8);
    if (!rc)
        rc = eng_explain_time(lin, sqlite3_column_int64(st, 8));
    if (!rc)
        rc = eng_explain_row(lin, st, 9, 10);
    if (!rc)
        rc = eng_explain_row(trig, st, 10, 13);
    if (!rc)
        rc = eng_explain_set(lin, "trigger", json_incref(trig));
    if (!rc)
        rc = eng_explain_row(lin, st, 13, 15);
    json_decref(trig);
    return rc;
}

static int s_cell_row(sqlite3 *db, json_t *cell, struct ds_diag *diag)
{
    sqlite3_stmt *st = NULL;
    json_t *row = json_object();
    int rc = sqlite3_prepare_v2(db, s_cell_sql, -1, &st, NULL) == SQLITE_OK
                 ? 0
                 : eng_explain_db_err(db, diag);
    for (int i = 0; rc == 0 && i < 3; i++) {
        const char *k[] = {"plan", "device", "event"};
        sqlite3_bind_text(st, i + 1,
                          json_string_value(json_object_get(cell, k[i])), -1,
                          SQLITE_TRANSIENT);
    }
    int step = rc == 0 ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == 0 && step == SQLITE_ROW)
        rc = eng_explain_row(row, st, 0, sqlite3_column_count(st));
    else if (rc == 0 && step != SQLITE_DONE)
        rc = eng_explain_db_err(db, diag);
    if (rc == 0)
        rc = eng_explain_set(cell, "current",
                             step == SQLITE_ROW ? json_incref(row)
                                                : json_null());
    json_decref(row);
    sqlite3_finalize(st);
    return rc;
}

static int s_cell(sqlite3 *db, json_t *lin, sqlite3_stmt *sig,
                  struct ds_diag *diag)
{
    json_t *cell = json_object();
    int rc = eng_explain_set(cell, "plan", eng_explain_col(sig, 1));
    if (!rc)
        rc = eng_explain_set(cell, "device", eng_explain_col(sig, 15));
    if (!rc)
        rc = eng_explain_set(cell, "event", eng_explain_col(sig, 16));
    if (!rc)
        rc = s_cell_row(db, cell, diag);
    if (!rc)
        rc = eng_explain_set(lin, "cell", json_incref(cell));
    json_decref(cell);
    return rc;
}

static int s_signal(sqlite3 *db, int64_t id, json_t *lin, struct ds_diag *diag)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, s_sig, -1, &st, NULL) != SQLITE_OK)
        return eng_explain_db_err(db, diag);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = s_signal_fields(lin, st);
        if (rc == 0)
            rc = s_cell(db, lin, st, diag);
    } else if (rc == SQLITE_DONE) {
        rc = ds_diag_set_code(diag, DS_ENOTFOUND, "", 0, "no signal %lld",
                              (long long)id);
    } else {
        rc = eng_explain_db_err(db, diag);
    }
    sqlite3_finalize(st);
    return rc;
}

int eng_explain_build(sqlite3 *db, int64_t id, json_t **out,
                      struct ds_diag *diag)
{
    /* first: it switches jansson to ds_malloc (eng_event.h) */
    eng_decoder_t *dec = eng_decoder_new();
    json_t *lin = dec ? json_object() : NULL;
    int rc = lin ? s_signal(db, id, lin, diag) : DS_ENOMEM;
    if (rc == 0)
        rc = eng_explain_contribs(db, lin, dec, diag);
    if (rc == 0)
        rc = eng_explain_audit(db, lin, diag);
    if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, "", 0, "explain: out of memory");
    if (rc != 0) {
        json_decref(lin);
        lin = NULL;
    }
    eng_decoder_destroy(&dec);
    *out = lin;
    return rc;
}

int eng_explain_dump(const json_t *lin, size_t flags, char **out, size_t *n)
{
    flags |= JSON_REAL_PRECISION(17);
    size_t len = json_dumpb(lin, NULL, 0, flags);
    char *p = len ? ds_malloc(len + 1) : NULL;
    if (!p || json_dumpb(lin, p, len, flags) != len) {
        ds_free(p);
        return DS_ENOMEM;
    }
    p[len] = '\0';
    *out = p;
    *n = len;
    return 0;
}

int eng_explain_json(sqlite3 *db, int64_t id, char **out, size_t *n,
                     struct ds_diag *diag)
{
    json_t *lin = NULL;
    *out = NULL;
    *n = 0;
    int rc = eng_explain_build(db, id, &lin, diag);
    if (rc == 0 && (rc = eng_explain_dump(lin, JSON_COMPACT, out, n)) != 0)
        ds_diag_set_code(diag, rc, "", 0, "explain: out of memory");
    json_decref(lin);
    return rc;
}

int eng_explain_text(sqlite3 *db, int64_t id, char **out, size_t *n,
                     struct ds_diag *diag)
{
    json_t *lin = NULL;
    *out = NULL;
    *n = 0;
    int rc = eng_explain_build(db, id, &lin, diag);
    if (rc == 0 && (rc = eng_explain_render(lin, out, n)) != 0)
        ds_diag_set_code(diag, rc, "", 0, "explain: out of memory");
    json_decref(lin);
    return rc;
}
