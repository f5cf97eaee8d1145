/*
 * nlp_regex.h - the identifier patterns of a rule set (model, catalogue,
 * lot and serial numbers, dates, UDIs) compiled with PCRE2 and scanned
 * over a text: each hit is the captured value's byte span and the pattern
 * that found it, after the pattern's validator accepted the value.
 *
 * Compiling: every pattern of nlp_rules_patterns() is compiled alone with
 * PCRE2_CASELESS (UTF and UCP refused: text is bytes), must have exactly
 * one capture group (the value), and is JIT-compiled. Patterns that PCRE2
 * starts on the same first byte (a cue word's first letter) or on the
 * same set of first bytes (digits) are then joined into one alternation
 * "(?:p_a)|(?:p_b)|...", whose group k + 1 is member k's value, so one
 * scan serves them all and the JIT still skips to their first byte. Why
 * not one alternation per kind with (*MARK) naming the branch: (*MARK)
 * switches off PCRE2's start-of-match optimisations and, with mixed
 * first bytes, the union makes every branch try wherever any one could
 * start; measured on the MAUDE sample, that is 5 to 6 times slower than
 * running the patterns one after another (tests/bench/bench_regex.c).
 * A pattern whose text could change meaning inside the wrapper (verbs
 * "(*", \Q, extended mode, references to groups) runs alone.
 *
 * JIT: pcre2_jit_compile() fails where writable memory may not become
 * executable (systemd MemoryDenyWriteExecute, PR_SET_MDWE; see
 * reference/reliability.md 7.5). That is never an error here: the regex
 * falls back to PCRE2's interpreter, same results, slower, and
 * nlp_regex_jit() / nlp_regex_jit_rc() say so, for a log line or metric.
 *
 * Scanning (every mode): per regex, leftmost match from the start, then
 * the next search starts at the end of the previous whole match (one byte
 * further after an empty one); the capture is the value; the validator
 * (gs1, hibcc, date) must accept it, and a gs1 or hibcc value may lose
 * one trailing '.' to do so (a full stop). Hits are sorted by begin, the
 * longer span first; one hit per span (the lowest pattern index wins) and
 * none inside a kept hit of its own kind ("MAR 2015" in "5 MAR 2015").
 * The joined scan and the one-pattern-at-a-time scan then differ only
 * where two values of one joined regex partially overlap.
 *
 * Digit gate (joined scan): most patterns cannot match without a digit
 * near their start (a date, a UDI, "(?=[A-Z./-]{0,39}[0-9])" after a cue
 * word). From its syntax each pattern gets a digit reach W (every match
 * starting at s has a digit in text[s .. s + W]; nlp_regex_gate.c), and a
 * pass whose members all have one searches only the windows [b - W,
 * e - 1] of the text's digit runs [b, e), each search held to its window
 * by PCRE2's offset limit. It finds exactly the matches of the ungated
 * pass (NLP_REGEX_UNGATED; tests/nlp/test_nlp_regex_gate.c compares
 * them) at a fraction of the cost on prose: the regex stage runs about
 * 2.6 times faster on the MAUDE sample, 1.2 times on the synthetic notes
 * of bench_extract (more digits, so wider windows). What it cannot promise: a
 * pattern that hits PCRE2's match limit ungated may not hit it gated
 * (each search does less work), and the reverse never happens.
 *
 * Ownership and threads: nlp_regex_t borrows the patterns of its
 * nlp_rules_t (which must outlive it) and is read-only after
 * nlp_regex_new(): any number of threads may scan with it, each with its
 * own nlp_regex_scratch_t (the PCRE2 match data and the hit array). A
 * scratch grows to the largest text's needs and is then reused: after
 * warm-up a scan allocates nothing. Every PCRE2 allocation goes through
 * ds_alloc (the JIT's executable pages excepted: PCRE2 maps those).
 *
 * Not here: turning hits into mentions (nlp_extract), brand dictionaries.
 */
#ifndef DEVSURV_NLP_REGEX_H
#define DEVSURV_NLP_REGEX_H

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"
#include "devsurv/nlp_rules.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct nlp_regex nlp_regex_t;
typedef struct nlp_regex_scratch nlp_regex_scratch_t;

/* Flags for nlp_regex_new(). */
#define NLP_REGEX_NO_JIT 1u /* interpreter only (tests, comparisons) */

/* Options for nlp_regex_scan(). */
#define NLP_REGEX_NAIVE   1u /* one pattern at a time (oracle, baseline) */
#define NLP_REGEX_UNGATED 2u /* joined, every pass over the whole text */

/* One accepted value. */
struct nlp_regex_hit {
    uint32_t begin, end; /* the captured value, [begin, end) */
    uint32_t pattern;    /* index into nlp_rules_patterns() */
};

/* Compile the patterns of rules (borrowed) into a new *out; a tree
 * without patterns gives a regex that finds nothing. Returns 0; DS_EPARSE
 * when a pattern does not compile or has not exactly one capture group,
 * with diag = "<file>:<line>: pattern '<id>' ...: <PCRE2 message> at
 * offset N" (file relative to the tree, line of the row); DS_ENOMEM. Never
 * fails because of JIT. Caller owns *out; free it with nlp_regex_destroy.
 */
int nlp_regex_new(nlp_regex_t **out, const nlp_rules_t *rules, unsigned flags,
                  struct ds_diag *diag);

/* Free and NULL *self_p; safe on NULL and on *self_p == NULL. */
void nlp_regex_destroy(nlp_regex_t **self_p);

/* True when every compiled regex runs JIT code. */
bool nlp_regex_jit(const nlp_regex_t *self);

/* The first failing pcre2_jit_compile() return code (negative PCRE2
 * error, e.g. -48 "no more memory" under W^X), or 0 when none failed or
 * JIT was not asked for. */
int nlp_regex_jit_rc(const nlp_regex_t *self);

/* Number of patterns, and of regexes a joined scan runs. */
size_t nlp_regex_count(const nlp_regex_t *self);
size_t nlp_regex_passes(const nlp_regex_t *self);

/* A new empty scratch, or NULL when out of memory. Caller owns it; free
 * it with nlp_regex_scratch_destroy(). Usable with any nlp_regex_t. */
nlp_regex_scratch_t *nlp_regex_scratch_new(void);

/* Free and NULL *s_p; safe on NULL and on *s_p == NULL. */
void nlp_regex_scratch_destroy(nlp_regex_scratch_t **s_p);

/* Scan text (borrowed; any bytes, NULs included) into s, replacing its
 * hits. opts: 0 (joined, gated), NLP_REGEX_UNGATED (the same hits, for
 * comparisons) or NLP_REGEX_NAIVE. Returns 0, DS_ENOMEM (s
 * then holds no hits) or DS_ETOOBIG (text over UINT32_MAX bytes). A
 * regex that exceeds PCRE2's match limits stops early for this text and
 * is counted (nlp_regex_scratch_limited()); the other hits stand. */
int nlp_regex_scan(const nlp_regex_t *self, struct ds_span text, unsigned opts,
                   nlp_regex_scratch_t *s);

/* The hits of the last scan, in the order above; *n gets the count.
 * Valid until the next scan with s. */
const struct nlp_regex_hit *nlp_regex_hits(const nlp_regex_scratch_t *s,
                                           size_t *n);

/* Regex passes cut short by a match limit, summed over s's scans. */
uint64_t nlp_regex_scratch_limited(const nlp_regex_scratch_t *s);

/* Whether value (the whole captured text) passes validator v: gs1/hibcc
 * as described above (*len_out gets the accepted length, value.n or one
 * less), date a real calendar date (ISO, US M/D/Y and M-D-Y, month names;
 * two-digit years are 20YY), none always. len_out may be NULL. */
bool nlp_regex_validate(enum nlp_pattern_validator v, struct ds_span value,
                        size_t *len_out);

#endif
