/*
 * eng_audit_heads.h - the tree heads verify compares the chain against:
 * the checkpoints table and the external anchor file, loaded as arrays of
 * eng_audit_sth in increasing n.
 *
 * Loading checks form only (sizes of blobs, the anchor line syntax, n
 * strictly increasing); whether a head matches the chain, and whether its
 * signature holds, is eng_audit_verify's business.
 */
#ifndef DEVSURV_ENG_AUDIT_HEADS_H
#define DEVSURV_ENG_AUDIT_HEADS_H

#include <sqlite3.h>
#include <stddef.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_audit_sth.h"

struct eng_audit_heads {
    struct eng_audit_sth *v;
    size_t n, cap;
};

void eng_audit_heads_clear(struct eng_audit_heads *h);

/* Every row of checkpoints, by n. 0, DS_ESTORE, DS_ENOMEM, DS_EPARSE (a
 * row of the wrong shape; diag names its n). */
int eng_audit_heads_from_db(struct eng_audit_heads *h, sqlite3 *db,
                            struct ds_diag *diag);

/* Every line of the anchor file path. 0, DS_EIO (cannot read), DS_ENOMEM,
 * DS_EPARSE (diag = path:line: why). */
int eng_audit_heads_from_file(struct eng_audit_heads *h, const char *path,
                              struct ds_diag *diag);

#endif
