/*
 * eng_checkpoint.h - signed Merkle checkpoints of the audit chain, stored
 * in the database and exported to an anchor file outside it.
 *
 * A checkpoint of n entries (reliability.md 3.2): root = RFC 6962 MTH over
 * the entry hashes 1..n (eng_merkle), head = entry_hash of seq n, ts = the
 * head entry's (event) time, an Ed25519 signature over
 * eng_audit_canon_sth(n, root, head, ts) when audit.signing_key is set
 * (unsigned otherwise). In one transaction it is inserted into
 * checkpoints(n, root, head, ts, sig, pubkey) and recorded in the chain
 * itself as entry n+1 of kind "checkpoint", subject "checkpoint/<n>",
 * payload bytes(root), so deleting a checkpoint row breaks the link. After
 * COMMIT its line (eng_audit_sth.h) is appended to audit.anchors and
 * fsync'ed: the copy an insider who rewrites the whole database cannot
 * reach. A crash between the two leaves a checkpoint that is not anchored,
 * never an anchor without its checkpoint.
 *
 * When: every audit.checkpoint_every entries (the pipeline checks after
 * each commit), at shutdown, and on demand. Nothing here reads the wall
 * clock, so a replay makes the same checkpoints.
 *
 * The Merkle state is incremental: on first use it reads every entry hash
 * once (O(n)), then only the entries appended since.
 *
 * Not here: verification (eng_audit_verify), proofs.
 */
#ifndef DEVSURV_ENG_CHECKPOINT_H
#define DEVSURV_ENG_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "devsurv/eng_audit.h"
#include "devsurv/eng_audit_sth.h"
#include "devsurv/eng_config.h"

typedef struct eng_checkpoint eng_checkpoint_t;

/* Checkpointer for the chain audit of store (both borrowed: they must
 * outlive it), configured from cfg->audit: loads the signing key if one
 * is named. NULL with diag set on a bad key or a store error. Caller owns
 * the result; free it with eng_checkpoint_destroy(). */
eng_checkpoint_t *eng_checkpoint_new(eng_store_t *store, eng_audit_t *audit,
                                     const struct eng_config *cfg,
                                     struct ds_diag *diag);

void eng_checkpoint_destroy(eng_checkpoint_t **self_p);

/* Committed entries not yet covered by a checkpoint (a checkpoint's own
 * entry does not count). */
int64_t eng_checkpoint_pending(const eng_checkpoint_t *self);

/* True when pending >= audit.checkpoint_every. */
bool eng_checkpoint_due(const eng_checkpoint_t *self);

/* Make a checkpoint of every committed entry, in its own transaction (no
 * batch may be open). When nothing is pending it does nothing and sets
 * out->n = 0. out may be NULL. 0, DS_ESTORE, DS_ENOMEM, DS_EINVAL (a
 * batch is open), DS_EIO (the anchor line could not be written: the
 * checkpoint itself is committed). */
int eng_checkpoint_make(eng_checkpoint_t *self, struct eng_audit_sth *out,
                        struct ds_diag *diag);

/* MTH over all committed entries now, and their count. 0 or DS_ESTORE. */
int eng_checkpoint_root(eng_checkpoint_t *self, uint8_t root[ENG_AUDIT_HASH],
                        int64_t *n);

#endif
