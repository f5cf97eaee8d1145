/*
 * nlp_ac.h - compiled Aho-Corasick dictionary matcher.
 *
 * Finds every occurrence of every dictionary term in a text in one pass
 * (Aho & Corasick, "Efficient string matching: an aid to bibliographic
 * search", CACM 18(6), 1975), with the goto and failure functions resolved
 * at build time over a compressed alphabet: full transition rows for the
 * states near the root, and for the many deep ones only the edges where
 * they differ from a dense fallback state, so a scan costs a class lookup
 * and a row or node lookup per byte and a big lexicon stays a few MB. This
 * is the literal half of rule matching (DESIGN.md 6); patterns are PCRE2's
 * job.
 *
 * Matching rules (the contract the tests check against a naive search):
 *   - Case: ASCII A-Z match a-z. Bytes >= 0x80 match only themselves, so
 *     UTF-8 is compared byte for byte and never damaged. No Unicode case
 *     folding and no normalisation (NFC/NFD) of either side.
 *   - Whitespace: space, \t, \n, \v, \f and \r. A term is normalised when
 *     added: case folded, leading and trailing whitespace dropped, each
 *     inner whitespace run made one space. A space in a term matches a run
 *     of one or more whitespace bytes in the text, so "insulin pump"
 *     matches "INSULIN   PUMP" and "insulin\npump". No-break space (UTF-8
 *     C2 A0) is not whitespace.
 *   - Word boundaries: word bytes are [A-Za-z0-9] and every byte >= 0x80.
 *     A match counts only when the byte before its first byte and the byte
 *     after its last byte are not word bytes (or are outside the text),
 *     whatever the term's own first and last bytes are: "(b)(6)" does not
 *     match inside "x(b)(6)". NLP_AC_NOBOUND drops both conditions.
 *   - Duplicates: one term added under several ids reports one hit per id.
 *     The same term added twice under the same id reports once; if one of
 *     the two additions had NLP_AC_NOBOUND, the weaker rule wins.
 *
 * A hit's begin and end are byte offsets into the original text, whitespace
 * runs included: [begin, end). Text may hold any bytes (NUL, invalid
 * UTF-8); nothing is copied or normalised.
 *
 * Cost: building is linear in the total term length times the number of
 * byte classes. A scan is O(n + z) for n text bytes and z hits, whatever
 * the dictionary: word-start conditions are part of the automaton and
 * word-end conditions pick one of two output chains, so rejected
 * candidates are never walked. A scan allocates nothing except to grow a
 * struct nlp_ac_hits that is too small. An automaton is read-only after
 * nlp_ac_build(): any number of threads may scan with it at once.
 *
 * Not here: stemming, fuzzy or edit-distance matching, longest-match
 * policy beyond nlp_ac_longest(), term metadata (the id is the caller's
 * key into its own tables), streaming a text in pieces.
 */
#ifndef DEVSURV_NLP_AC_H
#define DEVSURV_NLP_AC_H

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#include <stddef.h>
#include <stdint.h>

/* Flag for nlp_ac_builder_add(): match anywhere, not only at word
 * boundaries (suffixes such as "-ectomy", codes inside longer tokens). */
#define NLP_AC_NOBOUND 1u

/* Longest term after normalisation, in bytes. */
#define NLP_AC_TERM_MAX 1024

/* Most spaces (inner whitespace runs) in one normalised term. */
#define NLP_AC_SPACES_MAX 63

/* Collects terms; consumed by nlp_ac_build(). */
typedef struct nlp_ac_builder nlp_ac_builder_t;

/* A compiled dictionary. Immutable; safe to share between threads. */
typedef struct nlp_ac nlp_ac_t;

/* One match: text bytes [begin, end) matched the term added with id. */
struct nlp_ac_hit {
    size_t begin;
    size_t end;
    uint32_t id;
};

/* A caller-owned, reusable hit list. Initialise with nlp_ac_hits_init(),
 * release with nlp_ac_hits_clear(). v[0..n) are the hits; cap is the
 * allocated length. */
struct nlp_ac_hits {
    struct nlp_ac_hit *v;
    size_t n;
    size_t cap;
};

/* Size of a compiled dictionary, for logs and benchmarks. */
struct nlp_ac_info {
    size_t terms;       /* stored (term, id) pairs after de-duplication */
    size_t states;      /* states (dense rows + sparse nodes) */
    size_t dense;       /* states with a full row in the table */
    size_t classes;     /* byte classes (columns) */
    size_t entry_bytes; /* 2 or 4: width of one table entry */
    size_t bytes;       /* heap bytes held by the automaton */
};

/* Called once per hit by nlp_ac_scan_cb(), in scan order. Return 0 to go
 * on; any other value stops the scan, which returns it. hit is valid for
 * the call only. */
typedef int (*nlp_ac_hit_fn)(void *ctx, const struct nlp_ac_hit *hit);

/* New empty builder. Returns NULL when out of memory. Caller owns it:
 * pass it to nlp_ac_build() or free it with nlp_ac_builder_destroy(). */
nlp_ac_builder_t *nlp_ac_builder_new(void);

/* Free a builder that was not built; *self_p becomes NULL. NULL-safe. */
void nlp_ac_builder_destroy(nlp_ac_builder_t **self_p);

/* Add term (borrowed; copied in normalised form) under the caller's id.
 * flags: 0 or NLP_AC_NOBOUND. Returns 0; DS_EINVAL for a term that is
 * empty or all whitespace, or unknown flags; DS_ETOOBIG for a term over
 * NLP_AC_TERM_MAX bytes or NLP_AC_SPACES_MAX spaces once normalised, or a
 * dictionary too large to index; DS_ENOMEM. On error the builder is
 * unchanged and diag (may be NULL) says why, with file "" and line 0 for
 * the caller to fill in. */
int nlp_ac_builder_add(nlp_ac_builder_t *self, struct ds_span term, uint32_t id,
                       unsigned flags, struct ds_diag *diag);

/* Number of terms added so far (before de-duplication). */
size_t nlp_ac_builder_count(const nlp_ac_builder_t *self);

/* Compile the builder into *out. Takes ownership of *builder_p and sets it
 * to NULL, on success and on failure. Returns 0 and sets *out (caller owns
 * it; free with nlp_ac_destroy()), or DS_ENOMEM / DS_ETOOBIG (the table
 * would need more than 2^32 entries) with *out NULL and diag (may be NULL)
 * saying why. An empty builder gives an automaton that matches nothing. */
int nlp_ac_build(nlp_ac_t **out, nlp_ac_builder_t **builder_p,
                 struct ds_diag *diag);

/* Free an automaton; *self_p becomes NULL. NULL-safe. */
void nlp_ac_destroy(nlp_ac_t **self_p);

/* Fill *out with the automaton's sizes. */
void nlp_ac_info(const nlp_ac_t *self, struct nlp_ac_info *out);

/* Empty hit list holding no memory. */
void nlp_ac_hits_init(struct nlp_ac_hits *hits);

/* Make room for at least cap hits. Returns 0 or DS_ENOMEM (hits intact). */
int nlp_ac_hits_reserve(struct nlp_ac_hits *hits, size_t cap);

/* Free the list's memory; it is empty and reusable afterwards. */
void nlp_ac_hits_clear(struct nlp_ac_hits *hits);

/* Replace hits with every match in text (borrowed), overlapping ones
 * included, ordered by end, then begin (so, for one end, longest first);
 * hits with the same begin and end come in no set order. Allocates only to
 * grow hits (doubling; after a warm-up on typical texts, never). Returns 0,
 * or DS_ENOMEM with hits holding the matches found up to that point. */
int nlp_ac_scan(const nlp_ac_t *self, struct ds_span text,
                struct nlp_ac_hits *hits);

/* As nlp_ac_scan() but hands each hit to fn(ctx, hit) instead of storing
 * it; never allocates. Returns 0, or the first nonzero value fn returned
 * (the scan stops there). */
int nlp_ac_scan_cb(const nlp_ac_t *self, struct ds_span text, nlp_ac_hit_fn fn,
                   void *ctx);

/* Leftmost-longest selection: reorder v[0..n) and keep, from the left, the
 * hit that starts first, the longest of those, the lowest id of those;
 * then the same among hits starting at or after its end; and so on.
 * Returns the number kept, now in v[0..k) in text order, non-overlapping.
 * In place; never allocates; O(n log n). */
size_t nlp_ac_longest(struct nlp_ac_hit *v, size_t n);

#endif
