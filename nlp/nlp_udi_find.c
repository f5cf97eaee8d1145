/*
 * nlp_udi_find.c - find UDI-shaped substrings in free text.
 *
 * One left-to-right pass that never looks back more than one byte and
 * jumps from one possible opening byte ('(', ']', GS, '+') to the next
 * (a table lookup per byte in between), skipping the rest of an HIBC run
 * whose opening '+' failed, so scanning a text call after call is linear
 * in its length. Shapes (nlp_udi.h has the list):
 * a GS1 human readable string opening with "(01)" and a digit, a GS1
 * element string behind a symbology identifier or GS, and an HIBC run
 * opening with '+' and a labeler code. Shape only: nlp_udi_parse() says
 * whether a candidate is valid. Prose punctuation after a candidate is
 * trimmed, since ".,;:!?" are legal inside GS1 lots but far more often
 * end a sentence.
 *
 * Not here: validation, UDIs split across lines, HIBC check characters
 * that are a space (indistinguishable from a word break in text), and
 * GS1 element strings without a symbology identifier (any number
 * starting with 01 would match).
 */
#include "devsurv/nlp_udi.h"
#include "nlp_udi_impl.h"

#include <string.h>

static bool s_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool s_upper_alnum(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || s_digit(c);
}

/* HIBC characters that can continue a run in text (not the space). */
static bool s_hibc_run(unsigned char c)
{
    return c != ' ' && nlp_udi_hibc_value(c) >= 0;
}

static size_t s_skip_spaces(struct ds_span t, size_t i)
{
    while (i < t.n && t.p[i] == ' ')
        i++;
    return i;
}

/* Drop trailing ".,;:!?" and a ')' that closes nothing in [b, e). */
static size_t s_trim(struct ds_span t, size_t b, size_t e)
{
    long open = 0;
    for (size_t i = b; i < e; i++)
        open += t.p[i] == '(' ? 1 : t.p[i] == ')' ? -1 : 0;
    while (e > b) {
        char c = t.p[e - 1];
        if (c == ')' && open < 0)
            open++;
        else if (!strchr(".,;:!?", c) || c == '\0')
            break;
        e--;
    }
    return e;
}

/* "(01)" [spaces] digit ..., elements until a byte that fits none. */
static bool s_gs1_hri(struct ds_span t, size_t i, size_t *end)
{
    size_t k = i + 4, a;
    if (t.n - i < 5 || memcmp(t.p + i, "(01)", 4) != 0)
        return false;
    k = s_skip_spaces(t, k);
    if (k >= t.n || !s_digit((unsigned char)t.p[k]))
        return false;
    for (k = i; (a = nlp_udi_gs1_ai_len(t, k)) > 0;) {
        k = s_skip_spaces(t, k + a);
        while (k < t.n && nlp_udi_cset82((unsigned char)t.p[k]) &&
               !nlp_udi_gs1_ai_len(t, k))
            k++;
        *end = k;
        k = s_skip_spaces(t, k);
    }
    *end = s_trim(t, i, *end);
    return true;
}

/* "]C1" / "]d2" / "]Q3" / "]e0" [GS] or GS, then "01" and a digit. */
static bool s_gs1_element(struct ds_span t, size_t i, size_t *end)
{
    static const char *const ids[] = {"]C1", "]d2", "]Q3", "]e0"};
    size_t k = i;
    for (size_t j = 0; k == i && j < sizeof ids / sizeof ids[0]; j++)
        if (t.n - i >= 3 && memcmp(t.p + i, ids[j], 3) == 0)
            k = i + 3;
    if (k < t.n && (unsigned char)t.p[k] == NLP_UDI_GS)
        k++;
    if (k == i || t.n - k < 3 || memcmp(t.p + k, "01", 2) != 0 ||
        !s_digit((unsigned char)t.p[k + 2]))
        return false;
    while (k < t.n && (nlp_udi_cset82((unsigned char)t.p[k]) ||
                       (unsigned char)t.p[k] == NLP_UDI_GS))
        k++;
    *end = s_trim(t, i, k);
    return true;
}

/* Is the HIBC run [b, e) right with its last byte as check character? */
static bool s_check_ok(struct ds_span t, size_t b, size_t e)
{
    return nlp_hibcc_check_char(t.p + b, e - b - 1) == t.p[e - 1];
}

/* The run [b, e) starts with '+' and a labeler code: make it a
 * candidate, with a '_' check character, with its "*...*" (the opening
 * '*' at lo or later), or without a final '.' that is not the check
 * character. */
static bool s_hibc(struct ds_span t, size_t lo, size_t b, size_t e,
                   size_t *begin, size_t *end)
{
    if (e - b < 7 || t.p[b] != '+' || t.p[b + 1] < 'A' || t.p[b + 1] > 'Z')
        return false;
    for (size_t k = b + 2; k < b + 5; k++)
        if (!s_upper_alnum((unsigned char)t.p[k]))
            return false;
    if (e < t.n && t.p[e] == '_' &&
        (e + 1 == t.n || !s_hibc_run((unsigned char)t.p[e + 1])))
        e++; /* a space check character as printed */
    if (e - b < 8)
        return false;
    if (b > lo && t.p[b - 1] == '*' && e < t.n && t.p[e] == '*') {
        *begin = b - 1, *end = e + 1;
        return true;
    }
    if (t.p[e - 1] == '.' && !s_check_ok(t, b, e))
        e--;
    if (e - b < 8)
        return false;
    *begin = b, *end = e;
    return true;
}

/* Bytes that can open a candidate: '(' (GS1 human readable), ']' and GS
 * (GS1 element string) and '+' (HIBC). The scan jumps from one to the
 * next; every other byte is only looked up here. */
static const bool s_opener[256] = {
    ['('] = true, [']'] = true, [NLP_UDI_GS] = true, ['+'] = true};

bool nlp_udi_find(struct ds_span text, size_t start, size_t *begin, size_t *end)
{
    const unsigned char *t = (const unsigned char *)text.p;
    size_t i = start, e;
    if (!text.p || start > text.n)
        return false;
    for (;; i++) {
        while (i < text.n && !s_opener[t[i]])
            i++;
        if (i >= text.n)
            return false;
        unsigned char c = t[i];
        if ((c == '(' && s_gs1_hri(text, i, end)) ||
            ((c == ']' || c == NLP_UDI_GS) && s_gs1_element(text, i, end))) {
            *begin = i;
            return true;
        }
        /* '+' opens an HIBC run only when the run starts there: a '+'
         * glued to HIBC bytes before it is inside a longer run. */
        if (c != '+' || (i > 0 && s_hibc_run(t[i - 1])))
            continue;
        for (e = i; e < text.n && s_hibc_run(t[e]);)
            e++;
        if (s_hibc(text, start, i, e, begin, end))
            return true;
        i = e - 1;
    }
}
