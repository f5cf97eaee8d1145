/*
 * eng_audit_records.h - check that the records an audit entry describes
 * still hold what the entry recorded: an event_stored entry's SHA-256 of
 * the payload against the events row of its subject "source/epoch/seq".
 * Catches an edited or deleted event even when the chain is intact.
 *
 * Not here: quarantine rows and signals (their entries are checked only
 * as part of the chain), the chain itself (eng_audit_verify).
 */
#ifndef DEVSURV_ENG_AUDIT_RECORDS_H
#define DEVSURV_ENG_AUDIT_RECORDS_H

#include <sqlite3.h>
#include <stddef.h>

#include "devsurv/eng_audit_canon.h"

typedef struct eng_audit_records eng_audit_records_t;

/* Checker over db (borrowed). NULL when the statement cannot be
 * prepared. Free with eng_audit_records_destroy(). */
eng_audit_records_t *eng_audit_records_new(sqlite3 *db);
void eng_audit_records_destroy(eng_audit_records_t **self_p);

/* 0 when e is not an event_stored entry or its event row matches;
 * DS_EINVAL with why (cap bytes) when the row is missing, differs or the
 * entry's payload is malformed; DS_ESTORE on a database error. */
int eng_audit_records_check(eng_audit_records_t *self,
                            const struct eng_audit_entry *e, char *why,
                            size_t cap);

#endif
