/*
 * eng_alert.c - alert transitions (eng_alert.h): check the request, then in
 * one BEGIN IMMEDIATE read the alert, update it, append alert_log and the
 * alert_transition audit entry, COMMIT.
 *
 * Facts: the audit object is made inside the transaction (eng_audit_new
 * reads the head there), so an engine appending to the same file cannot
 * slip an entry in between; alert_log.n is max + 1 within the same
 * transaction, so it is dense. UTF-8 is checked strictly (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF).
 *
 * Not here: listing (eng_alert_list.c), the CLI (eng_cmd_alert.c).
 */
#include "devsurv/eng_alert.h"
#include "devsurv/eng_audit_log.h"
#include "devsurv/eng_event_check.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_utf8.h"

#include <inttypes.h>
#include <string.h>

static const char *const s_names[] = {"new", "acknowledged", "closed"};

static const char s_get[] =
    "SELECT status, signal_id FROM alerts WHERE id = ?1";
static const char s_upd[] =
    "UPDATE alerts SET status = ?2, updated = ?3, by = ?4, reason = ?5"
    " WHERE id = ?1";
static const char s_log[] =
    "INSERT INTO alert_log(alert_id, n, ts, from_status, to_status, by,"
    " reason) SELECT ?1, coalesce(max(n), 0) + 1, ?2, ?3, ?4, ?5, ?6"
    " FROM alert_log WHERE alert_id = ?1";

const char *eng_alert_status_name(enum eng_alert_status s)
{
    return (unsigned)s < 3 ? s_names[s] : "?";
}

bool eng_alert_status_parse(const char *s, enum eng_alert_status *out)
{
    for (int i = 0; s && i < 3; i++) {
        if (strcmp(s, s_names[i]) == 0) {
            *out = (enum eng_alert_status)i;
            return true;
        }
    }
    return false;
}

bool eng_alert_allowed(enum eng_alert_status from, enum eng_alert_status to)
{
    return (from == ENG_ALERT_NEW && to != ENG_ALERT_NEW) ||
           (from == ENG_ALERT_ACKNOWLEDGED && to == ENG_ALERT_CLOSED);
}

static int s_text_ok(const char *what, const char *s, size_t max,
                     struct ds_diag *diag)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0)
        return ds_diag_set(diag, "", 0, "%s is required and may not be empty",
                           what);
    if (n > max)
        return ds_diag_set(diag, "", 0, "%s is longer than %zu bytes", what,
                           max);
    if (!ds_utf8_valid(s, n))
        return ds_diag_set(diag, "", 0, "%s is not valid UTF-8", what);
    if (!eng_event_check_no_controls(ds_span_str(s)))
        return ds_diag_set(diag, "", 0, "%s holds a control character", what);
    return 0;
}

static int s_step(sqlite3_stmt *st)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (st)
        sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

/* The alert's status and signal; DS_ENOTFOUND, DS_EINVAL (not allowed). */
static int s_check(eng_store_t *store, const struct eng_alert_move *m,
                   enum eng_alert_status *from, int64_t *signal,
                   struct ds_diag *diag)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_get);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_int64(st, 1, m->id);
    int rc = sqlite3_step(st);
    bool known =
        rc == SQLITE_ROW &&
        eng_alert_status_parse((const char *)sqlite3_column_text(st, 0), from);
    *signal = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return ds_diag_set_code(diag, DS_ENOTFOUND, "", 0, "no alert %" PRId64,
                                m->id);
    if (rc != SQLITE_ROW || !known)
        return DS_ESTORE;
    if (eng_alert_allowed(*from, m->to))
        return 0;
    return ds_diag_set(diag, "", 0,
                       "alert %" PRId64 " is %s%s; cannot move "
                       "it to %s (allowed: new -> acknowledged, new -> "
                       "closed, acknowledged -> closed)",
                       m->id, eng_alert_status_name(*from),
                       *from == ENG_ALERT_CLOSED ? " (closed is final)" : "",
                       eng_alert_status_name(m->to));
}

static int s_rows(eng_store_t *store, const struct eng_alert_move *m,
                  const char *from)
{
    const char *to = eng_alert_status_name(m->to);
    sqlite3_stmt *st = eng_store_stmt(store, s_upd);
    if (st) {
        sqlite3_bind_int64(st, 1, m->id);
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, m->now_ms);
        sqlite3_bind_text(st, 4, m->by, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, m->reason, -1, SQLITE_STATIC);
    }
    int rc = s_step(st);
    if (rc != 0 || !(st = eng_store_stmt(store, s_log)))
        return DS_ESTORE;
    sqlite3_bind_int64(st, 1, m->id);
    sqlite3_bind_int64(st, 2, m->now_ms);
    sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, m->reason, -1, SQLITE_STATIC);
    return s_step(st);
}

/* Everything inside the open transaction. */
static int s_apply(eng_store_t *store, const struct eng_alert_move *m,
                   enum eng_alert_status *from, struct ds_diag *diag)
{
    int64_t signal = 0;
    int rc = s_check(store, m, from, &signal, diag);
    if (rc != 0)
        return rc;
    eng_audit_t *audit = eng_audit_new(store, diag);
    if (!audit)
        return DS_ESTORE;
    struct eng_audit_alert t = {m->id,
                                signal,
                                eng_alert_status_name(*from),
                                eng_alert_status_name(m->to),
                                m->by,
                                m->reason,
                                m->now_ms};
    rc = s_rows(store, m, t.from);
    if (rc == 0)
        rc = eng_audit_log_alert(audit, &t);
    eng_audit_destroy(&audit);
    return rc;
}

int eng_alert_move(eng_store_t *store, const struct eng_alert_move *m,
                   enum eng_alert_status *from, struct ds_diag *diag)
{
    enum eng_alert_status had = ENG_ALERT_NEW;
    ds_diag_clear(diag);
    int rc = s_text_ok("by", m->by, ENG_ALERT_BY_MAX, diag);
    if (rc == 0)
        rc = s_text_ok("reason", m->reason, ENG_ALERT_REASON_MAX, diag);
    if (rc == 0 && (unsigned)m->to > ENG_ALERT_CLOSED)
        rc = ds_diag_set(diag, "", 0, "no such status");
    if (rc != 0)
        return rc;
    if ((rc = eng_store_begin(store)) != 0)
        return ds_diag_set_code(diag, rc == DS_EINVAL ? DS_EINVAL : DS_ESTORE,
                                "", 0, "alert: cannot begin: %s",
                                eng_store_errmsg(store));
    rc = s_apply(store, m, &had, diag);
    if (rc == 0)
        rc = eng_store_commit(store);
    if (rc == DS_ESTORE && diag && !diag->msg[0])
        ds_diag_set_code(diag, rc, "", 0, "alert: %s", eng_store_errmsg(store));
    if (rc != 0)
        eng_store_rollback(store);
    if (from)
        *from = had;
    return rc;
}
