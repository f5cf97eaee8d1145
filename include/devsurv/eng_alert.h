/*
 * eng_alert.h - the alert lifecycle: one alert per signal, acknowledged
 * and closed by people, every transition logged and audited.
 *
 * The engine opens alerts (alerts row, status 'new', opened = the signal's
 * event time) in the signal's transaction. People move them on:
 *     new -> acknowledged,  new -> closed,  acknowledged -> closed
 * and nothing else: closed is final, and a transition to the status an
 * alert already has is refused too. Each transition names who (by) and
 * why (reason), both required, non-empty, valid UTF-8 without control
 * characters, at most ENG_ALERT_BY_MAX / ENG_ALERT_REASON_MAX bytes.
 *
 * One transition is ONE transaction (BEGIN IMMEDIATE): the alerts row
 * (status, updated, by, reason), a new alert_log row (n dense from 1 per
 * alert) and an audit entry alert_transition (eng_audit_log.h; ts = the
 * wall clock the caller passes: an operational record, not a replayable
 * one). The audit head is read inside that transaction, so the entry
 * follows the real head even when the engine is appending to the same
 * database (SQLite serialises the writers; busy_timeout waits).
 *
 * Not here: opening alerts (eng_store_signal_put), re-arming a cell after
 * its alert is closed (eng_plan_run), the CLI (eng_cmd_alert.c).
 */
#ifndef DEVSURV_ENG_ALERT_H
#define DEVSURV_ENG_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_store.h"

#define ENG_ALERT_BY_MAX     128
#define ENG_ALERT_REASON_MAX 4096

enum eng_alert_status {
    ENG_ALERT_NEW = 0,
    ENG_ALERT_ACKNOWLEDGED,
    ENG_ALERT_CLOSED
};

/* "new", "acknowledged", "closed"; "?" out of range. Static. */
const char *eng_alert_status_name(enum eng_alert_status s);

/* The status named s; false when s names none. */
bool eng_alert_status_parse(const char *s, enum eng_alert_status *out);

/* Is from -> to one of the three allowed transitions? */
bool eng_alert_allowed(enum eng_alert_status from, enum eng_alert_status to);

/* One alert with its signal's cell, for listing. Strings are borrowed for
 * the duration of the callback only. */
struct eng_alert_row {
    int64_t id, signal_id;
    const char *status;
    int64_t opened, updated; /* opened: event time; updated: wall clock */
    const char *by, *reason; /* "" until the first transition */
    const char *plan, *device, *event, *method; /* the signal's */
    double statistic, threshold;
};

/* Call fn for each alert (status NULL = all, else only that status), by
 * id. Stops at the first non-zero return of fn and returns it. 0,
 * DS_ESTORE with diag set, or fn's value. */
int eng_alert_each(eng_store_t *store, const char *status,
                   int (*fn)(void *arg, const struct eng_alert_row *a),
                   void *arg, struct ds_diag *diag);

/* A transition request; strings borrowed, NUL-terminated. */
struct eng_alert_move {
    int64_t id;
    enum eng_alert_status to;
    const char *by, *reason;
    int64_t now_ms; /* wall clock, Unix ms: alerts.updated, alert_log.ts,
                       the audit entry's ts */
};

/* Move alert m->id to m->to in one transaction (no batch may be open on
 * store). 0; DS_ENOTFOUND no such alert; DS_EINVAL the transition is not
 * allowed or by/reason are missing or malformed (diag says which, e.g.
 * "alert 3 is closed; closed is final"); DS_ESTORE (rolled back). *from
 * (may be NULL) receives the status it had. */
int eng_alert_move(eng_store_t *store, const struct eng_alert_move *m,
                   enum eng_alert_status *from, struct ds_diag *diag);

#endif
