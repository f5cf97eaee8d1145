/*
 * nlp_regex_gate.c - the digit reach of an identifier pattern: a bound W
 * such that every match of the pattern, starting at offset s, has a digit
 * byte somewhere in text[s .. s + W]. A scan may then skip every stretch
 * of text that lies more than W bytes before the next digit
 * (nlp_regex_scan.c); dates, UDIs and the number after a cue word all
 * have one ("(?=[A-Z./-]{0,39}[0-9])" counts: a lookahead's digit is in
 * the text even when it is not in the match).
 *
 * The bound comes from the pattern's syntax, as a small recursive descent
 * over the subset of PCRE2 the rule files use (PCRE2 10.42, pcre2pattern
 * (3)): literals and escapes, classes, (?:...) (...) (?>...) (?=...)
 * groups, lookbehinds and negative lookaheads, alternation, the
 * quantifiers ? * + {n} {n,} {n,m} with their lazy and possessive forms,
 * and zero-width assertions. For each piece it tracks the longest match
 * (or "unbounded") and the reach (or "none": some match may have no
 * digit): a digit-only class or literal reaches 0; a sequence takes the
 * best of its items' reaches each shifted by the longest match of what
 * comes before; an alternation the worst of its branches; a repeat that
 * may run zero times has none. Only the classes [0-9]-like, literal
 * digits and \d count as digits (UTF and UCP are off, so \d is ASCII).
 *
 * Conservative by construction: anything outside the subset (verbs,
 * backreferences, named groups, \Q, \p, \K, \G (it depends on where a
 * search starts), conditionals, option letters
 * other than i m s n U J and -, POSIX classes, a '{' that is not a
 * quantifier) gives "no reach", and the pattern is then scanned whole.
 *
 * Not here: compiling (nlp_regex.c), the gated scan (nlp_regex_scan.c).
 */
#include "nlp_regex_impl.h"

#include <string.h>

#define S_INF  INT32_MAX /* unbounded length */
#define S_NONE INT32_MAX /* no reach: a match may have no digit */
#define S_CAP  100000    /* lengths past this count as unbounded */
#define S_HEX  "0123456789abcdefABCDEF"

struct s_node {
    int32_t max;   /* longest match, S_INF when unbounded */
    int32_t reach; /* digit reach, S_NONE when there is none */
};

struct s_parse {
    const char *p, *end;
    int depth;
    bool bad; /* outside the subset: no reach */
};

static int32_t s_add(int32_t a, int32_t b)
{
    return a == S_INF || b == S_INF || (int64_t)a + b > S_CAP ? S_INF : a + b;
}

static int32_t s_mul(int32_t a, int32_t n)
{
    if (a == 0 || n == 0)
        return 0;
    return a == S_INF || n == S_INF || (int64_t)a * n > S_CAP ? S_INF : a * n;
}

static struct s_node s_alt(struct s_parse *ps);

static bool s_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Is c one of set's bytes? (Never NUL: strchr would find the end.) */
static bool s_in(const char *set, char c)
{
    return c != 0 && strchr(set, c) != NULL;
}

/* A decimal number at ps->p (at most 5 digits), or -1. */
static int32_t s_number(struct s_parse *ps)
{
    int32_t v = 0;
    int k = 0;
    for (; ps->p < ps->end && s_digit(*ps->p) && k < 6; ps->p++, k++)
        v = v * 10 + (*ps->p - '0');
    return k == 0 || k > 5 ? -1 : v;
}

/* One escape after the backslash at ps->p[-1]: a single byte (*digit says
 * whether it is a digit-only one), a zero-width assertion (*width 0) or
 * something outside the subset (ps->bad). In a class, \b is a backspace. */
static void s_escape(struct s_parse *ps, bool in_class, bool *digit, int *width)
{
    *digit = false;
    *width = 1;
    if (ps->p >= ps->end) {
        ps->bad = true;
        return;
    }
    char c = *ps->p++;
    if (c == 'd') {
        *digit = true;
    } else if (s_in("bBAzZ", c) && !(in_class && c == 'b')) {
        *width = 0;
    } else if (c == 'x') {
        int k = 0;
        for (; k < 2 && ps->p < ps->end && s_in(S_HEX, *ps->p); k++)
            ps->p++;
        ps->bad = k == 0; /* \x{...} and bare \x: not in the subset */
    } else if (s_in("DsSwWhHvVNtnrfea", c)) {
        /* one byte that is not (only) a digit */
    } else if (c != 0 && (unsigned char)c < 0x80 && !s_digit(c) &&
               !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        /* escaped punctuation: that byte itself */
    } else {
        ps->bad = true; /* \1 \g \k \p \Q \R \X \C \K \c ... */
    }
}

/* A class after its '[': one byte; reach 0 when every member is a digit.
 * A '-' makes a range only after a plain literal; elsewhere it is taken
 * as a literal '-', which is not a digit either way. */
static struct s_node s_class(struct s_parse *ps)
{
    bool only_digits = true, first = true, plain = false, digit;
    int width;
    if (ps->p < ps->end && *ps->p == '^') {
        only_digits = false;
        ps->p++;
    }
    for (;;) {
        if (ps->p >= ps->end ||
            (ps->p[0] == '[' && ps->p + 1 < ps->end && s_in(":.=", ps->p[1]))) {
            ps->bad = true; /* unterminated, or POSIX [:name:] */
            break;
        }
        char c = *ps->p++;
        if (c == ']' && !first)
            break;
        first = false;
        if (c == '\\') {
            s_escape(ps, true, &digit, &width);
            only_digits = only_digits && digit;
            plain = false;
        } else if (c == '-' && plain && ps->p < ps->end && *ps->p != ']') {
            char hi = *ps->p++; /* the low end was checked as a member */
            only_digits = only_digits && s_digit(hi);
            ps->bad = ps->bad || hi == '\\' || hi == '[';
            plain = false;
        } else {
            only_digits = only_digits && s_digit(c);
            plain = true;
        }
    }
    return (struct s_node){1, only_digits ? 0 : S_NONE};
}

/* What follows "(": the group's kind. 'c' capture or plain, 'a'
 * lookahead, 'n' other zero-width (negative lookahead, lookbehinds),
 * 'o' an option setting with no body, 0 outside the subset. */
static char s_group_kind(struct s_parse *ps)
{
    if (ps->p >= ps->end || *ps->p == '*')
        return 0;
    if (*ps->p != '?')
        return 'c';
    ps->p++;
    if (ps->p < ps->end && (*ps->p == ':' || *ps->p == '>')) {
        ps->p++;
        return 'c';
    }
    if (ps->p < ps->end && (*ps->p == '=' || *ps->p == '!'))
        return *ps->p++ == '=' ? 'a' : 'n';
    if (ps->end - ps->p >= 2 && ps->p[0] == '<' && s_in("=!", ps->p[1])) {
        ps->p += 2;
        return 'n';
    }
    while (ps->p < ps->end && s_in("imsnUJ-", *ps->p))
        ps->p++;
    if (ps->p < ps->end && *ps->p == ':') {
        ps->p++;
        return 'c';
    }
    return ps->p < ps->end && *ps->p == ')' ? 'o' : 0;
}

/* One atom: a group, class, escape, '.', an assertion or a literal. */
static struct s_node s_atom(struct s_parse *ps)
{
    bool digit;
    int width;
    char c = *ps->p++;
    if (c == '(') {
        char kind = s_group_kind(ps);
        if (kind == 0 || ++ps->depth > 64) {
            ps->bad = true;
            return (struct s_node){0, S_NONE};
        }
        struct s_node in = kind == 'o' ? (struct s_node){0, S_NONE} : s_alt(ps);
        ps->depth--;
        if (ps->p >= ps->end || *ps->p != ')')
            ps->bad = true;
        else
            ps->p++;
        if (kind == 'a')
            return (struct s_node){0, in.reach};
        return kind == 'c' ? in : (struct s_node){0, S_NONE};
    }
    if (c == '[')
        return s_class(ps);
    if (c == '\\') {
        s_escape(ps, false, &digit, &width);
        return (struct s_node){width, digit ? 0 : S_NONE};
    }
    if (c == '^' || c == '$')
        return (struct s_node){0, S_NONE};
    if (c == ')' || c == '|' || s_in("?*+{", c))
        ps->bad = true; /* a quantifier with nothing to repeat */
    return (struct s_node){1, s_digit(c) ? 0 : S_NONE};
}

/* A quantifier at ps->p, if any: *lo and *hi (S_INF: no upper bound). */
static bool s_quant(struct s_parse *ps, int32_t *lo, int32_t *hi)
{
    char c = ps->p < ps->end ? *ps->p : 0;
    if (c == '?' || c == '*' || c == '+') {
        ps->p++;
        *lo = c == '+';
        *hi = c == '?' ? 1 : S_INF;
    } else if (c == '{') {
        ps->p++;
        *lo = s_number(ps);
        *hi = *lo;
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            *hi = ps->p < ps->end && *ps->p == '}' ? S_INF : s_number(ps);
        }
        if (*lo < 0 || *hi < 0 || ps->p >= ps->end || *ps->p != '}' ||
            *hi < *lo) {
            ps->bad = true; /* a literal '{' or {,m}: not in the subset */
            return false;
        }
        ps->p++;
    } else {
        return false;
    }
    if (ps->p < ps->end && (*ps->p == '?' || *ps->p == '+'))
        ps->p++; /* lazy or possessive: same language */
    return true;
}

/* Items up to '|' or ')': each shifts the reach of those after it. */
static struct s_node s_seq(struct s_parse *ps)
{
    struct s_node seq = {0, S_NONE};
    while (!ps->bad && ps->p < ps->end && *ps->p != '|' && *ps->p != ')') {
        struct s_node a = s_atom(ps);
        int32_t lo, hi;
        if (s_quant(ps, &lo, &hi)) {
            a.max = s_mul(a.max, hi);
            a.reach = lo >= 1 ? a.reach : S_NONE;
        }
        if (a.reach != S_NONE && seq.max != S_INF) {
            int32_t r = s_add(seq.max, a.reach);
            if (r != S_INF && (seq.reach == S_NONE || r < seq.reach))
                seq.reach = r;
        }
        seq.max = s_add(seq.max, a.max);
    }
    return seq;
}

static struct s_node s_alt(struct s_parse *ps)
{
    struct s_node all = s_seq(ps);
    while (!ps->bad && ps->p < ps->end && *ps->p == '|') {
        ps->p++;
        struct s_node b = s_seq(ps);
        all.max = all.max == S_INF || b.max == S_INF ? S_INF
                  : b.max > all.max                  ? b.max
                                                     : all.max;
        all.reach = all.reach == S_NONE || b.reach == S_NONE ? S_NONE
                    : b.reach > all.reach                    ? b.reach
                                                             : all.reach;
    }
    return all;
}

int32_t nlp_regex_digit_reach(const char *pattern, size_t len)
{
    struct s_parse ps = {pattern, pattern + len, 0, false};
    struct s_node n = s_alt(&ps);
    if (ps.bad || ps.p != ps.end || n.reach == S_NONE)
        return -1;
    return n.reach;
}
