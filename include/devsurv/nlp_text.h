/*
 * nlp_text.h - the shape of a clinical text: tokens, sentences, sections.
 *
 * One pass over the original bytes (never copied, never rewritten), so
 * every offset points into the text the caller gave. Tuned for two kinds
 * of input: clinical notes (mixed case, headings like "FAMILY HISTORY:",
 * bullet lists, de-identification tokens such as **NAME[AAA, BBB] or
 * [**Name**]) and FDA MAUDE narratives (ALL CAPS, sentences ended by ". ",
 * abbreviations like "PT." and "DR.").
 *
 * Tokens: runs of word bytes ([A-Za-z0-9], bytes >= 0x80 so UTF-8 stays
 * whole, and an inner apostrophe or hyphen: "patient's", "CRT-D"), or one
 * punctuation byte; whitespace separates. A de-identification token is one
 * token of kind NLP_TOK_DEID.
 *
 * Sentences end at [.!?] followed by whitespace or the end (not after a
 * known abbreviation, a single letter or inside a number), at a blank
 * line, before a list item or a heading line, and after a heading's colon.
 * A sentence longer than NLP_SENT_MAX_TOKENS tokens is cut, so everything
 * downstream stays linear in the input.
 *
 * Sections: a heading is 1-6 upper-case words (1-4 otherwise) at the
 * start of a line followed by ':' ("PAST MEDICAL HISTORY:", "Family
 * history:"); its section runs to the
 * next heading. Text before the first heading is section 0 with an empty
 * heading.
 *
 * Memory: struct nlp_doc keeps its arrays between calls and only grows
 * them, so after warm-up splitting allocates nothing. Pure: no I/O.
 */
#ifndef DEVSURV_NLP_TEXT_H
#define DEVSURV_NLP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_span.h"

#define NLP_SENT_MAX_TOKENS 1000
#define NLP_TEXT_MAX        ((size_t)UINT32_MAX) /* offsets are 32-bit */

enum nlp_tok_kind {
    NLP_TOK_WORD = 1, /* letters, maybe digits */
    NLP_TOK_NUM,      /* digits only (with inner . or ,: "2.5", "1,000") */
    NLP_TOK_PUNCT,    /* one punctuation byte */
    NLP_TOK_DEID      /* a de-identification placeholder */
};

struct nlp_tok {
    uint32_t begin, end; /* byte offsets, [begin, end) */
    uint8_t kind;        /* enum nlp_tok_kind */
    uint8_t nl;          /* newlines before it, at most 2 (first: 1) */
};

struct nlp_sent {
    uint32_t begin, end;         /* bytes: first token begin, last token end */
    uint32_t tok_begin, tok_end; /* token indices, [tok_begin, tok_end) */
    uint32_t section;            /* index into nlp_doc.sec */
};

struct nlp_doc_section {
    uint32_t head_begin, head_end; /* the heading without ':' (empty for 0) */
    uint32_t begin, end;           /* bytes the section covers */
};

/* Embedded struct: nlp_doc_init, then nlp_doc_split as often as needed,
 * then nlp_doc_clear. Arrays are owned by the doc; text is borrowed. */
struct nlp_doc {
    struct ds_span text;
    struct nlp_tok *tok;
    size_t ntok, captok;
    struct nlp_sent *sent;
    size_t nsent, capsent;
    struct nlp_doc_section *sec;
    size_t nsec, capsec;
};

void nlp_doc_init(struct nlp_doc *d);

/* Free the arrays; d may be re-initialised. */
void nlp_doc_clear(struct nlp_doc *d);

/* Split text (borrowed: must outlive the use of d) into tokens, sentences
 * and sections, replacing the previous contents. Returns 0, DS_ENOMEM
 * (d is then empty but valid) or DS_ETOOBIG (text over NLP_TEXT_MAX). */
int nlp_doc_split(struct nlp_doc *d, struct ds_span text);

/* Make the whole split text one sentence (tokens and sections kept), for
 * inputs that are one sentence by construction (an annotated test set,
 * a single-sentence field). Allocation-free. */
void nlp_doc_one_sentence(struct nlp_doc *d);

/* Index of the token containing byte offset off, or of the first token
 * after it; d->ntok when none. O(log ntok). */
size_t nlp_doc_tok_at(const struct nlp_doc *d, size_t off);

/* Index of the sentence containing token t (t < d->ntok). O(log nsent). */
size_t nlp_doc_sent_of(const struct nlp_doc *d, size_t t);

#endif
