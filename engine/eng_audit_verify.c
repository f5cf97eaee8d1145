/*
 * eng_audit_verify.c - one pass over the audit chain against its
 * checkpoints and anchors (see eng_audit_verify.h). Memory is constant in
 * the number of entries (incremental Merkle tree); heads are held in
 * arrays (one per checkpoint).
 */
#include "devsurv/eng_audit_verify.h"
#include "devsurv/eng_audit.h"
#include "devsurv/eng_audit_heads.h"
#include "devsurv/eng_audit_records.h"
#include "devsurv/eng_merkle.h"
#include "devsurv/ds_err.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct s_v {
    const struct eng_audit_verify_opts *o;
    struct eng_audit_verify_report *r;
    struct eng_audit_heads cps, anc;
    size_t ci, ai; /* next checkpoint / anchor to reach */
    size_t linked; /* checkpoint rows whose chain entry was seen */
    struct eng_merkle tree;
    uint8_t head[ENG_AUDIT_HASH];
    eng_audit_records_t *rec; /* event rows against their entries */
};

__attribute__((format(printf, 3, 4))) static int
s_bad(struct s_v *v, int64_t seq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->r->what, sizeof v->r->what, fmt, ap);
    va_end(ap);
    v->r->bad_seq = seq;
    return DS_EINVAL;
}

/* Signature rules for one head; what = "checkpoint" or "anchor". */
static int s_sig(struct s_v *v, const struct eng_audit_sth *s, const char *what)
{
    if (!s->is_signed)
        return v->o->pub ? s_bad(v, s->n,
                                 "%s %" PRId64 " is unsigned but a "
                                 "public key was given",
                                 what, s->n)
                         : 0;
    if (v->o->pub && memcmp(v->o->pub, s->pub, ENG_AUDIT_KEY_PUB) != 0)
        return s_bad(v, s->n, "%s %" PRId64 " is signed by another key", what,
                     s->n);
    if (!eng_audit_sth_check(s))
        return s_bad(v, s->n, "%s %" PRId64 ": bad signature", what, s->n);
    return 0;
}

/* The tree of n entries just completed: compare with head s. */
static int s_head(struct s_v *v, const struct eng_audit_sth *s, int64_t ts,
                  const char *what)
{
    uint8_t root[ENG_AUDIT_HASH];
    eng_merkle_root(&v->tree, root);
    if (memcmp(root, s->root, ENG_AUDIT_HASH) != 0)
        return s_bad(v, s->n,
                     "%s %" PRId64 ": Merkle root mismatch (the log "
                     "before it was rewritten)",
                     what, s->n);
    if (memcmp(v->head, s->head, ENG_AUDIT_HASH) != 0 || ts != s->ts)
        return s_bad(v, s->n, "%s %" PRId64 ": head or ts mismatch", what,
                     s->n);
    return s_sig(v, s, what);
}

/* An anchor must equal the checkpoint row of the same n. */
static int s_anchor_row(struct s_v *v, const struct eng_audit_sth *a)
{
    for (size_t i = 0; i < v->cps.n; i++) {
        const struct eng_audit_sth *c = &v->cps.v[i];
        if (c->n != a->n)
            continue;
        if (memcmp(c->root, a->root, ENG_AUDIT_HASH) ||
            memcmp(c->head, a->head, ENG_AUDIT_HASH) || c->ts != a->ts ||
            c->is_signed != a->is_signed ||
            (a->is_signed && memcmp(c->sig, a->sig, sizeof c->sig)))
            return s_bad(v, a->n,
                         "checkpoint %" PRId64 " differs from its anchor",
                         a->n);
        return 0;
    }
    return s_bad(v, a->n,
                 "checkpoint %" PRId64 " is missing (deleted?) "
                 "but anchored",
                 a->n);
}

/* A "checkpoint/<k>" entry at seq: its row must exist, k = seq - 1. */
static int s_link(struct s_v *v, int64_t seq, struct ds_span subject,
                  const uint8_t *pl, size_t npl)
{
    char want[48];
    snprintf(want, sizeof want, "checkpoint/%" PRId64, seq - 1);
    if (!ds_span_eq(subject, want))
        return s_bad(v, seq, "checkpoint entry names the wrong tree size");
    for (size_t i = 0; i < v->cps.n; i++) {
        if (v->cps.v[i].n != seq - 1)
            continue;
        if (npl != 4 + ENG_AUDIT_HASH ||
            memcmp(pl + 4, v->cps.v[i].root, ENG_AUDIT_HASH) != 0)
            return s_bad(v, seq,
                         "checkpoint entry and checkpoint %" PRId64
                         " disagree on the root",
                         seq - 1);
        v->linked++;
        return 0;
    }
    return s_bad(v, seq, "checkpoint %" PRId64 " is missing (deleted?)",
                 seq - 1);
}

/* Columns: seq kind ts subject canonical prev_hash entry_hash. */
static int s_entry(struct s_v *v, sqlite3_stmt *st)
{
    int64_t seq = sqlite3_column_int64(st, 0);
    int64_t want = v->r->entries + 1;
    const uint8_t *canon = sqlite3_column_blob(st, 4);
    size_t n = (size_t)sqlite3_column_bytes(st, 4);
    uint8_t h[ENG_AUDIT_HASH];
    struct eng_audit_entry e;
    if (seq != want)
        return s_bad(v, want,
                     "entry %" PRId64 " is missing (next is %" PRId64 ")", want,
                     seq);
    if (sqlite3_column_bytes(st, 5) != ENG_AUDIT_HASH ||
        memcmp(sqlite3_column_blob(st, 5), v->head, ENG_AUDIT_HASH) != 0)
        return s_bad(v, seq, "prev_hash is not the previous entry_hash");
    eng_audit_hash(canon ? canon : (const uint8_t *)"", n, v->head, h);
    if (sqlite3_column_bytes(st, 6) != ENG_AUDIT_HASH ||
        memcmp(sqlite3_column_blob(st, 6), h, ENG_AUDIT_HASH) != 0)
        return s_bad(v, seq,
                     "entry_hash does not match canonical || "
                     "prev_hash (entry edited)");
    const char *kind = (const char *)sqlite3_column_text(st, 1);
    const char *subject = (const char *)sqlite3_column_text(st, 3);
    if (eng_audit_canon_decode(canon, n, &e) != 0 || e.seq != seq || !kind ||
        strcmp(kind, eng_audit_kind_name(e.kind)) != 0 ||
        e.ts != sqlite3_column_int64(st, 2) || !subject ||
        !ds_span_eq(e.subject, subject))
        return s_bad(v, seq, "columns do not match the canonical bytes");
    char why[200];
    int rc = eng_audit_records_check(v->rec, &e, why, sizeof why);
    if (rc == DS_EINVAL)
        return s_bad(v, seq, "%s", why);
    if (rc != 0)
        return s_bad(v, seq, "events: database error");
    memcpy(v->head, h, ENG_AUDIT_HASH);
    eng_merkle_push(&v->tree, h, ENG_AUDIT_HASH);
    v->r->entries = seq;
    if (e.kind == ENG_AUDIT_CHECKPOINT &&
        s_link(v, seq, e.subject, e.payload, e.npayload) != 0)
        return DS_EINVAL;
    for (; v->ci < v->cps.n && v->cps.v[v->ci].n == seq; v->ci++)
        if (s_head(v, &v->cps.v[v->ci], e.ts, "checkpoint") != 0)
            return DS_EINVAL;
    for (; v->ai < v->anc.n && v->anc.v[v->ai].n == seq; v->ai++)
        if (s_head(v, &v->anc.v[v->ai], e.ts, "anchor") != 0 ||
            s_anchor_row(v, &v->anc.v[v->ai]) != 0)
            return DS_EINVAL;
    return 0;
}

static int s_walk(struct s_v *v, sqlite3 *db, struct ds_diag *diag)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT seq, kind, ts, subject, canonical, "
                                "prev_hash, entry_hash FROM audit ORDER BY "
                                "seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return ds_diag_set_code(diag, DS_ESTORE, "", 0, "audit: %s",
                                sqlite3_errmsg(db));
    int err = 0;
    if (!(v->rec = eng_audit_records_new(db)))
        err = ds_diag_set_code(diag, DS_ESTORE, "", 0, "events: %s",
                               sqlite3_errmsg(db));
    while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        err = s_entry(v, st);
    eng_audit_records_destroy(&v->rec);
    if (err == 0 && rc != SQLITE_DONE)
        err = ds_diag_set_code(diag, DS_ESTORE, "", 0, "audit: %s",
                               sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return err;
}

/* After the walk: nothing may claim more entries than there are. */
static int s_tail(struct s_v *v)
{
    int64_t n = v->r->entries;
    if (v->ai < v->anc.n)
        return s_bad(v, v->anc.v[v->ai].n,
                     "anchor says %" PRId64 " entries, the log has %" PRId64
                     " (tail truncated)",
                     v->anc.v[v->ai].n, n);
    if (v->ci < v->cps.n)
        return s_bad(v, v->cps.v[v->ci].n,
                     "checkpoint %" PRId64 " but the log has %" PRId64
                     " entries (tail truncated)",
                     v->cps.v[v->ci].n, n);
    if (v->linked != v->cps.n)
        return s_bad(v, n + 1,
                     "the chain entry of the last checkpoint is "
                     "missing (tail truncated)");
    return 0;
}

static void s_count(struct s_v *v)
{
    v->r->checkpoints = (int64_t)v->cps.n;
    v->r->anchors = (int64_t)v->anc.n;
    for (size_t i = 0, j = 0; i < v->cps.n; i++) {
        v->r->unsigned_cp += !v->cps.v[i].is_signed;
        while (j < v->anc.n && v->anc.v[j].n < v->cps.v[i].n)
            j++;
        v->r->unanchored +=
            v->o->anchors && (j == v->anc.n || v->anc.v[j].n != v->cps.v[i].n);
    }
}

int eng_audit_verify(sqlite3 *db, const struct eng_audit_verify_opts *o,
                     struct eng_audit_verify_report *report,
                     struct ds_diag *diag)
{
    struct s_v v = {.o = o, .r = report};
    memset(report, 0, sizeof *report);
    eng_merkle_init(&v.tree);
    int rc = eng_audit_heads_from_db(&v.cps, db, diag);
    if (rc == 0 && o->anchors)
        rc = eng_audit_heads_from_file(&v.anc, o->anchors, diag);
    if (rc == 0)
        rc = s_walk(&v, db, diag);
    if (rc == 0)
        rc = s_tail(&v);
    s_count(&v);
    eng_audit_heads_clear(&v.cps);
    eng_audit_heads_clear(&v.anc);
    return rc;
}
