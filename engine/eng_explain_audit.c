/*
 * eng_explain_audit.c - the audit entries behind a signal (eng_explain.h):
 * its signal_raised entry ("signal/<id>"), the mentions entries of the
 * trigger and of every contributing event ("source/epoch/seq"), and the
 * entries that recorded those events stored: events_stored (found through
 * audit_events, eng_audit_events.h) or, in stores from before schema 7,
 * event_stored; by seq, each once, each with the checkpoint that seals
 * it: the first checkpoint whose n >= the entry's seq (its Merkle root
 * covers the entry), or null when none does yet ("not yet sealed").
 *
 * Facts: the subjects are bound as a JSON array and matched with
 * json_each through the index audit_subject (schema 6); the event keys as
 * a JSON array of [source, epoch, seq], each looked up in audit_events by
 * its primary key; checkpoints by their primary key n.
 *
 * Not here: verifying the chain (`devsurv verify`, eng_audit_verify.h):
 * this lists the entries, it does not re-hash them.
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "eng_explain_impl.h"

#include <inttypes.h>
#include <stdio.h>

static const char s_entries[] =
    "SELECT seq, kind, subject, ts, entry_hash FROM audit"
    " WHERE kind IN ('event_stored', 'mentions', 'signal_raised')"
    " AND subject IN (SELECT value FROM json_each(?1))"
    " UNION "
    "SELECT seq, kind, subject, ts, entry_hash FROM audit WHERE seq IN"
    " (SELECT (SELECT m.entry FROM audit_events m"
    "   WHERE m.source = k.value ->> 0 AND m.epoch = k.value ->> 1"
    "   AND m.last >= k.value ->> 2 AND m.first <= k.value ->> 2"
    "   ORDER BY m.last LIMIT 1) FROM json_each(?2) k)"
    " ORDER BY seq";
static const char s_seal[] =
    "SELECT n, ts, root, sig IS NOT NULL AS signed FROM checkpoints"
    " WHERE n >= ?1 ORDER BY n LIMIT 1";

/* The event o's subject "source/epoch/seq" onto subjects and its key
 * [source, epoch, seq] onto keys. */
static int s_add_key(json_t *subjects, json_t *keys, json_t *o)
{
    char key[512];
    const char *src = json_string_value(json_object_get(o, "source"));
    json_int_t epoch = json_integer_value(json_object_get(o, "epoch"));
    json_int_t seq = json_integer_value(json_object_get(o, "seq"));
    snprintf(key, sizeof key,
             "%s/%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
             src ? src : "", epoch, seq);
    json_t *k = json_pack("[s, I, I]", src ? src : "", epoch, seq);
    if (!k || json_array_append_new(keys, k) != 0)
        return DS_ENOMEM;
    return json_array_append_new(subjects, json_string(key)) ? DS_ENOMEM : 0;
}

/* The subjects and the event keys as JSON text (ds_malloc'd) for
 * json_each. */
static int s_subjects(const json_t *lin, char **out, char **keys_out)
{
    char sig[48];
    size_t n, i;
    json_t *c, *subjects = json_array(), *keys = json_array();
    snprintf(sig, sizeof sig, "signal/%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(lin, "signal")));
    int rc =
        subjects && keys && !json_array_append_new(subjects, json_string(sig))
            ? s_add_key(subjects, keys, json_object_get(lin, "trigger"))
            : DS_ENOMEM;
    json_array_foreach(json_object_get(lin, "contributions"), i, c)
    {
        if (rc == 0)
            rc = s_add_key(subjects, keys, c);
    }
    if (rc == 0)
        rc = eng_explain_dump(subjects, JSON_COMPACT, out, &n);
    if (rc == 0)
        rc = eng_explain_dump(keys, JSON_COMPACT, keys_out, &n);
    json_decref(subjects);
    json_decref(keys);
    return rc;
}

static int s_seal_of(sqlite3_stmt *seal, json_t *o, int64_t seq)
{
    json_t *cp = json_object();
    sqlite3_reset(seal);
    sqlite3_bind_int64(seal, 1, seq);
    int step = sqlite3_step(seal), rc = cp ? 0 : DS_ENOMEM;
    if (rc == 0 && step == SQLITE_ROW) {
        rc = eng_explain_row(cp, seal, 0, 3);
        if (rc == 0)
            rc = eng_explain_set(cp, "signed",
                                 json_boolean(sqlite3_column_int(seal, 3)));
    } else if (rc == 0 && step != SQLITE_DONE) {
        rc = DS_ESTORE;
    }
    if (rc == 0)
        rc =
            eng_explain_set(o, "checkpoint",
                            step == SQLITE_ROW ? json_incref(cp) : json_null());
    json_decref(cp);
    return rc;
}

static int s_entry(json_t *arr, sqlite3_stmt *st, sqlite3_stmt *seal)
{
    json_t *o = json_object();
    int rc = o ? eng_explain_row(o, st, 0, 5) : DS_ENOMEM;
    if (rc == 0)
        rc = s_seal_of(seal, o, sqlite3_column_int64(st, 0));
    if (rc == 0 && json_array_append(arr, o) != 0)
        rc = DS_ENOMEM;
    json_decref(o);
    return rc;
}

static int s_scan(sqlite3 *db, const char *subjects, const char *keys,
                  json_t *arr, struct ds_diag *diag)
{
    sqlite3_stmt *st = NULL, *seal = NULL;
    int rc = 0, step = SQLITE_DONE;
    if (sqlite3_prepare_v2(db, s_entries, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, s_seal, -1, &seal, NULL) != SQLITE_OK)
        rc = eng_explain_db_err(db, diag);
    if (rc == 0) {
        sqlite3_bind_text(st, 1, subjects, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, keys, -1, SQLITE_STATIC);
    }
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = s_entry(arr, st, seal);
    if ((rc == 0 && step != SQLITE_DONE) || rc == DS_ESTORE)
        rc = eng_explain_db_err(db, diag);
    sqlite3_finalize(st);
    sqlite3_finalize(seal);
    return rc;
}

int eng_explain_audit(sqlite3 *db, json_t *lin, struct ds_diag *diag)
{
    char *subjects = NULL, *keys = NULL;
    json_t *arr = json_array();
    int rc = arr ? s_subjects(lin, &subjects, &keys) : DS_ENOMEM;
    if (rc == 0)
        rc = s_scan(db, subjects, keys, arr, diag);
    if (rc == 0)
        rc = eng_explain_set(lin, "audit", json_incref(arr));
    ds_free(subjects);
    ds_free(keys);
    json_decref(arr);
    return rc;
}
