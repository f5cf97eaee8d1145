/*
 * nlp_text.c - tokens, sentences and sections over the original bytes (see
 * nlp_text.h for the rules). Two linear passes: tokenise (one byte-class
 * lookup per byte; newlines counted on the way and kept per token), then
 * walk the tokens once deciding boundaries. Arrays only grow (0 allocations per
 * note after warm-up).
 */
#include "devsurv/nlp_text.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define S_DEID_MAX         200 /* longest de-identification placeholder */
#define S_HEAD_WORDS       6   /* most words in an upper-case heading */
#define S_HEAD_WORDS_MIXED 4   /* most words in a mixed-case heading */

/* Byte classes, one lookup per byte: S_SP whitespace (space \t \n \v \f
 * \r), S_NL newline, S_WD word byte ([A-Za-z0-9] and every byte >= 0x80),
 * S_DG digit. */
enum { S_SP = 1, S_WD = 2, S_DG = 4, S_NL = 8 };

static const uint8_t s_cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9, 1, 1, 1, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* ' ' */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 0, 0, /* '0' */
    0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 'A' */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, /* 'P' */
    0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 'a' */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, /* 'p' */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0x80 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0x90 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xa0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xb0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xc0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xd0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xe0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xf0 */
};

void nlp_doc_init(struct nlp_doc *d)
{
    memset(d, 0, sizeof *d);
}

void nlp_doc_clear(struct nlp_doc *d)
{
    ds_free(d->tok);
    ds_free(d->sent);
    ds_free(d->sec);
    nlp_doc_init(d);
}

/* Length of a de-identification token at p[0..n), 0 if none:
 * "**WORD[...]" or "[**...**]". */
static size_t s_deid(const char *p, size_t n)
{
    size_t i = 0, lim = n < S_DEID_MAX ? n : S_DEID_MAX;
    if (lim >= 4 && p[0] == '*' && p[1] == '*' && p[2] >= 'A' && p[2] <= 'Z') {
        for (i = 2; i < lim && ((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_');)
            i++;
        if (i < lim && p[i] == '[') {
            const char *e = memchr(p + i, ']', lim - i);
            return e ? (size_t)(e - p) + 1 : 0;
        }
        return 0;
    }
    if (lim >= 6 && p[0] == '[' && p[1] == '*' && p[2] == '*') {
        for (i = 3; i + 2 < lim; i++)
            if (p[i] == '*' && p[i + 1] == '*' && p[i + 2] == ']')
                return i + 3;
    }
    return 0;
}

/* End of the word or number starting at p[i]; *num says digits only.
 * Word bytes in a tight loop; a '\'' or '-' followed by a word byte, and
 * a '.' or ',' between digits of a number, continue the token. */
static size_t s_word_end(const char *p, size_t n, size_t i, bool *num)
{
    const unsigned char *u = (const unsigned char *)p;
    bool digits = true;
    for (;;) {
        unsigned k;
        while (i < n && ((k = s_cls[u[i]]) & S_WD)) {
            digits = digits && (k & S_DG);
            i++;
        }
        if (i + 1 >= n)
            break;
        unsigned char c = u[i];
        unsigned next = s_cls[u[i + 1]];
        if ((c == '\'' || c == '-') && (next & S_WD))
            digits = false;
        else if (!((c == '.' || c == ',') && digits && (next & S_DG)))
            break;
        i++;
    }
    *num = digits;
    return i;
}

/* nl: newlines before the token (capped at 2; 1 for the first token). */
static int s_push_tok(struct nlp_doc *d, size_t b, size_t e, int kind,
                      unsigned nl)
{
    if (d->ntok == d->captok &&
        ds_grow((void **)&d->tok, &d->captok, d->ntok + 1, sizeof *d->tok))
        return DS_ENOMEM;
    d->tok[d->ntok] = (struct nlp_tok){(uint32_t)b, (uint32_t)e, (uint8_t)kind,
                                       (uint8_t)(d->ntok == 0 ? 1
                                                 : nl < 2     ? nl
                                                              : 2)};
    d->ntok++;
    return 0;
}

static int s_tokenise(struct nlp_doc *d)
{
    const char *p = d->text.p;
    size_t n = d->text.n, i = 0, e;
    unsigned nl = 0; /* newlines since the last token */
    bool num;
    int rc = 0;
    while (rc == 0 && i < n) {
        unsigned char c = (unsigned char)p[i];
        unsigned k = s_cls[c];
        if (k & S_SP) {
            nl += k >> 3; /* S_NL */
            i++;
            continue;
        }
        if ((c == '*' || c == '[') && (e = s_deid(p + i, n - i))) {
            rc = s_push_tok(d, i, i + e, NLP_TOK_DEID, nl);
            i += e;
        } else if (k & S_WD) {
            e = s_word_end(p, n, i, &num);
            rc = s_push_tok(d, i, e, num ? NLP_TOK_NUM : NLP_TOK_WORD, nl);
            i = e;
        } else {
            rc = s_push_tok(d, i, i + 1, NLP_TOK_PUNCT, nl);
            i++;
        }
        nl = 0;
    }
    return rc;
}

/* ---- boundaries ---- */

/* Newlines between token t-1 and token t, at most 2 (t = 0: 1, before
 * the text), counted by the tokeniser. */
static int s_newlines(const struct nlp_doc *d, size_t t)
{
    return d->tok[t].nl;
}

static bool s_tok_is(const struct nlp_doc *d, size_t t, char c)
{
    return t < d->ntok && d->tok[t].kind == NLP_TOK_PUNCT &&
           d->text.p[d->tok[t].begin] == c;
}

static bool s_adjacent(const struct nlp_doc *d, size_t t)
{
    return t > 0 && t < d->ntok && d->tok[t - 1].end == d->tok[t].begin;
}

static const char *const s_abbrev[] = {
    "dr",  "mr",  "mrs", "ms",  "st",   "vs",   "etc", "approx", "pt",
    "pts", "hx",  "dx",  "tx",  "rx",   "fx",   "sx",  "fig",    "inc",
    "ltd", "co",  "jr",  "sr",  "dept", "corp", "jan", "feb",    "mar",
    "apr", "jun", "jul", "aug", "sep",  "sept", "oct", "nov",    "dec",
};

/* The word before the '.' at token t makes it an abbreviation's dot. */
static bool s_abbrev_dot(const struct nlp_doc *d, size_t t)
{
    if (!s_adjacent(d, t) || d->tok[t - 1].kind != NLP_TOK_WORD)
        return false;
    const char *w = d->text.p + d->tok[t - 1].begin;
    size_t len = d->tok[t - 1].end - d->tok[t - 1].begin;
    if (len == 1)
        return true; /* initials, "e.g." */
    if (len == 2 && strncasecmp(w, "no", 2) == 0)
        return t + 1 < d->ntok && d->tok[t + 1].kind == NLP_TOK_NUM;
    for (size_t i = 0; i < sizeof s_abbrev / sizeof s_abbrev[0]; i++)
        if ((s_abbrev[i][0] | 0x20) == (w[0] | 0x20) &&
            strncasecmp(w, s_abbrev[i], len) == 0 && s_abbrev[i][len] == '\0')
            return true;
    return false;
}

/* Token t ends a sentence by punctuation ([.!?] then space or end). */
static bool s_ends(const struct nlp_doc *d, size_t t)
{
    if (!s_tok_is(d, t, '.') && !s_tok_is(d, t, '!') && !s_tok_is(d, t, '?'))
        return false;
    if (s_adjacent(d, t + 1)) /* "...", "?!", '."', ".)" : end later */
        return false;
    return !(s_tok_is(d, t, '.') && s_abbrev_dot(d, t));
}

/* A closing quote or bracket glued to a sentence end belongs to it. */
static bool s_closer_end(const struct nlp_doc *d, size_t t)
{
    if (!(s_tok_is(d, t, '"') || s_tok_is(d, t, '\'') || s_tok_is(d, t, ')')))
        return false;
    bool after_end =
        t > 0 && (s_tok_is(d, t - 1, '.') || s_tok_is(d, t - 1, '!') ||
                  s_tok_is(d, t - 1, '?'));
    return after_end && s_adjacent(d, t) && !s_adjacent(d, t + 1);
}

/* A list item starts at token t: "-", "*" or "1." / "1)" at a line start. */
static bool s_list_item(const struct nlp_doc *d, size_t t)
{
    if (s_tok_is(d, t, '-') || s_tok_is(d, t, '*'))
        return true;
    return d->tok[t].kind == NLP_TOK_NUM && s_adjacent(d, t + 1) &&
           (s_tok_is(d, t + 1, '.') || s_tok_is(d, t + 1, ')'));
}

static bool s_upper_word(const struct nlp_doc *d, size_t t)
{
    for (uint32_t i = d->tok[t].begin; i < d->tok[t].end; i++)
        if (d->text.p[i] >= 'a' && d->text.p[i] <= 'z')
            return false;
    return true;
}

/* A heading starts at token t (first on its line): words (and '/', '&')
 * then ':' on the same line, at most S_HEAD_WORDS words when all are upper
 * case ("HISTORY OF PRESENT ILLNESS:"), at most S_HEAD_WORDS_MIXED
 * otherwise ("Family history:", not "The patient said the following:").
 * Returns the colon's token index, or 0 when there is no heading. */
static size_t s_heading(const struct nlp_doc *d, size_t t)
{
    size_t words = 0, i;
    bool upper = true;
    for (i = t; i < d->ntok && words <= S_HEAD_WORDS; i++) {
        if (i > t && s_newlines(d, i) > 0)
            return 0;
        if (s_tok_is(d, i, ':'))
            break;
        if (d->tok[i].kind == NLP_TOK_WORD) {
            words++;
            upper = upper && s_upper_word(d, i);
        } else if (!s_tok_is(d, i, '/') && !s_tok_is(d, i, '&')) {
            return 0;
        }
    }
    if (i == d->ntok || !s_tok_is(d, i, ':') || words == 0)
        return 0;
    return words <= (upper ? S_HEAD_WORDS : S_HEAD_WORDS_MIXED) ? i : 0;
}

struct s_walk {
    struct nlp_doc *d;
    size_t start; /* first token of the open sentence */
};

/* Close the open sentence before token end (no-op when empty). */
static int s_close(struct s_walk *w, size_t end)
{
    struct nlp_doc *d = w->d;
    if (end <= w->start)
        return 0;
    if (ds_grow((void **)&d->sent, &d->capsent, d->nsent + 1, sizeof *d->sent))
        return DS_ENOMEM;
    d->sent[d->nsent++] = (struct nlp_sent){
        d->tok[w->start].begin, d->tok[end - 1].end, (uint32_t)w->start,
        (uint32_t)end, (uint32_t)(d->nsec - 1)};
    w->start = end;
    return 0;
}

static int s_section(struct nlp_doc *d, uint32_t hb, uint32_t he)
{
    if (ds_grow((void **)&d->sec, &d->capsec, d->nsec + 1, sizeof *d->sec))
        return DS_ENOMEM;
    if (d->nsec)
        d->sec[d->nsec - 1].end = hb;
    d->sec[d->nsec++] =
        (struct nlp_doc_section){hb, he, hb, (uint32_t)d->text.n};
    return 0;
}

/* Line-start rules at token *t: heading (consumed whole), blank line,
 * list item. */
static int s_line_start(struct s_walk *w, size_t *t)
{
    struct nlp_doc *d = w->d;
    size_t colon = s_heading(d, *t);
    int rc = 0;
    if (colon) {
        rc = s_close(w, *t);
        if (rc == 0)
            rc = s_section(d, d->tok[*t].begin, d->tok[colon - 1].end);
        if (rc == 0)
            rc = s_close(w, colon + 1);
        *t = colon + 1;
        return rc;
    }
    if (s_newlines(d, *t) >= 2 || s_list_item(d, *t))
        rc = s_close(w, *t);
    return rc;
}

static int s_sentences(struct nlp_doc *d)
{
    struct s_walk w = {d, 0};
    int rc = s_section(d, 0, 0);
    size_t t = 0;
    while (rc == 0 && t < d->ntok) {
        if (s_newlines(d, t) > 0) {
            size_t before = t;
            rc = s_line_start(&w, &t);
            if (rc != 0 || t != before)
                continue;
        }
        if (t - w.start >= NLP_SENT_MAX_TOKENS)
            rc = s_close(&w, t);
        if (rc == 0 && (s_ends(d, t) || s_closer_end(d, t)))
            rc = s_close(&w, t + 1);
        t++;
    }
    return rc == 0 ? s_close(&w, d->ntok) : rc;
}

int nlp_doc_split(struct nlp_doc *d, struct ds_span text)
{
    d->text = text;
    d->ntok = d->nsent = d->nsec = 0;
    if (text.n > NLP_TEXT_MAX)
        return DS_ETOOBIG;
    int rc = s_tokenise(d);
    if (rc == 0)
        rc = s_sentences(d);
    if (rc != 0)
        d->ntok = d->nsent = d->nsec = 0;
    return rc;
}

size_t nlp_doc_tok_at(const struct nlp_doc *d, size_t off)
{
    size_t lo = 0, hi = d->ntok; /* first token with end > off */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->tok[mid].end <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t nlp_doc_sent_of(const struct nlp_doc *d, size_t t)
{
    size_t lo = 0, hi = d->nsent; /* first sentence with tok_end > t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->sent[mid].tok_end <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void nlp_doc_one_sentence(struct nlp_doc *d)
{
    if (d->nsent <= 1)
        return;
    d->sent[0].end = d->sent[d->nsent - 1].end;
    d->sent[0].tok_end = d->sent[d->nsent - 1].tok_end;
    d->sent[0].section = 0;
    d->nsent = 1;
}
