/*
 * eng_cases.c - golden extraction cases (eng_cases.h): a line reader for
 * the .cases format, and the comparison of a case with an extractor
 * result as a maximum bipartite matching (Kuhn's augmenting paths), so an
 * expectation with unpinned flags never steals the mention a pinned one
 * needs. Cases hold at most ENG_CASES_EXPECT_MAX expectations, so the
 * matching is a few thousand steps at most.
 */
#include "devsurv/eng_cases.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <string.h>

#define S_UNESC_ERR ((size_t)-1)

static const char s_oom[] = "out of memory";

void eng_cases_init(struct eng_cases *self, const char *name,
                    struct ds_span text)
{
    memset(self, 0, sizeof *self);
    self->name = name;
    self->text = text;
}

void eng_cases_clear(struct eng_cases *self)
{
    ds_free(self->buf);
    eng_cases_init(self, self->name, self->text);
}

/* ---- reading ---- */

/* The next line without its LF, a CR before it and trailing blanks. */
static bool s_next_line(struct eng_cases *p, struct ds_span *l)
{
    if (p->pos >= p->text.n)
        return false;
    const char *b = p->text.p + p->pos;
    const char *e = memchr(b, '\n', p->text.n - p->pos);
    size_t n = e ? (size_t)(e - b) : p->text.n - p->pos;
    p->pos += n + (e != NULL);
    p->line++;
    while (n && (b[n - 1] == '\r' || b[n - 1] == ' ' || b[n - 1] == '\t'))
        n--;
    *l = (struct ds_span){b, n};
    return true;
}

static bool s_prefix(struct ds_span *l, const char *word)
{
    size_t n = strlen(word);
    if (l->n < n || memcmp(l->p, word, n) != 0)
        return false;
    l->p += n;
    l->n -= n;
    while (l->n && (*l->p == ' ' || *l->p == '\t'))
        l->p++, l->n--;
    return true;
}

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode the escape at s[i] ('\\' there); *c gets the byte. Returns the
 * bytes consumed, 0 when invalid. */
static size_t s_escape(struct ds_span s, size_t i, char *c)
{
    static const char from[] = "nrt\\\"", to[] = "\n\r\t\\\"";
    if (i + 1 >= s.n)
        return 0;
    const char *k = memchr(from, s.p[i + 1], sizeof from - 1);
    if (k) {
        *c = to[k - from];
        return 2;
    }
    if (s.p[i + 1] != 'x' || i + 3 >= s.n || s_hex(s.p[i + 2]) < 0 ||
        s_hex(s.p[i + 3]) < 0)
        return 0;
    *c = (char)(s_hex(s.p[i + 2]) * 16 + s_hex(s.p[i + 3]));
    return 4;
}

/* Room for n more bytes in p->buf; 0 or DS_ENOMEM. */
static int s_reserve(struct eng_cases *p, size_t n)
{
    if (p->capbuf - p->nbuf >= n)
        return 0;
    size_t c = p->capbuf ? p->capbuf : 256;
    while (c - p->nbuf < n)
        c *= 2;
    char *b = ds_realloc(p->buf, c);
    if (!b)
        return DS_ENOMEM;
    p->buf = b;
    p->capbuf = c;
    return 0;
}

/* Unescape s into p->buf up to the end, or to an unescaped '"' when quoted.
 * Returns the bytes of s consumed (the closing quote included) or
 * S_UNESC_ERR (*why says what). *off gets where the result starts. */
static size_t s_unescape(struct eng_cases *p, struct ds_span s, bool quoted,
                         size_t *off, const char **why)
{
    *off = p->nbuf;
    *why = s_oom;
    if (s_reserve(p, s.n) != 0)
        return S_UNESC_ERR;
    for (size_t i = 0; i < s.n;) {
        size_t k = 1;
        char c = s.p[i];
        if (quoted && c == '"') {
            *why = NULL;
            return i + 1;
        }
        *why = "bad escape (use \\n \\r \\t \\\\ \\\" \\xHH)";
        if (c == '\\' && (k = s_escape(s, i, &c)) == 0)
            return S_UNESC_ERR;
        p->buf[p->nbuf++] = c;
        i += k;
    }
    *why = quoted ? "text has no closing '\"'" : NULL;
    return quoted ? S_UNESC_ERR : s.n;
}

static int s_fail(struct eng_cases *p, int line, struct ds_diag *diag,
                  const char *why)
{
    return ds_diag_set_code(diag, why == s_oom ? DS_ENOMEM : DS_EPARSE, p->name,
                            line, "%s", why);
}

static struct ds_span s_token(struct ds_span *l)
{
    struct ds_span t = {l->p, 0};
    while (t.n < l->n && l->p[t.n] != ' ' && l->p[t.n] != '\t')
        t.n++;
    l->p += t.n;
    l->n -= t.n;
    while (l->n && (*l->p == ' ' || *l->p == '\t'))
        l->p++, l->n--;
    return t;
}

static const char *s_kind(struct ds_span t, struct eng_case_expect *x)
{
    for (unsigned k = 0; strcmp(nlp_mention_kind_name(k), "?") != 0; k++)
        if (ds_span_eq(t, nlp_mention_kind_name(k))) {
            x->kind = (enum nlp_mention_kind)k;
            return NULL;
        }
    return "unknown kind (device, component, event, udi)";
}

static const char *s_flag(struct ds_span t, struct eng_case_expect *x)
{
    const char *eq = memchr(t.p, '=', t.n);
    struct ds_span name = {t.p, eq ? (size_t)(eq - t.p) : t.n};
    for (unsigned k = 0; k < NLP_CTX_NCAT; k++) {
        if (!ds_span_eq(name, nlp_ctx_flag_name(k)))
            continue;
        if (x->flags & (1u << k))
            return "flag repeated";
        if (eq && eq + 1 == t.p + t.n)
            return "empty rule id after '='";
        x->flags |= 1u << k;
        if (eq)
            x->why[k] = (struct ds_span){eq + 1, t.n - name.n - 1};
        return NULL;
    }
    return "unknown flag (negated, possible, hypothetical, historical, "
           "family; optionally =<rule id>)";
}

/* "expect: <kind> <code> "<text>" [flags]" after the "expect:". */
static const char *s_expect(struct eng_cases *p, struct ds_span l, size_t i)
{
    struct eng_case_expect *x = &p->x[i];
    const char *why = NULL;
    memset(x, 0, sizeof *x);
    x->line = p->line;
    why = s_kind(s_token(&l), x);
    x->code = s_token(&l);
    if (why || x->code.n == 0 || x->code.p[0] == '"')
        return why ? why : "expected: <kind> <code> \"<text>\" [flags]";
    if (l.n == 0 || *l.p != '"')
        return "the surface text must be in double quotes";
    l.p++, l.n--;
    size_t used = s_unescape(p, l, true, &p->text_off[i], &why);
    if (used == S_UNESC_ERR)
        return why;
    x->text.n = p->nbuf - p->text_off[i];
    l.p += used, l.n -= used;
    if (l.n && *l.p != ' ' && *l.p != '\t')
        return "a space must follow the closing '\"'";
    while (l.n && (*l.p == ' ' || *l.p == '\t'))
        l.p++, l.n--;
    while (!why && l.n)
        why = s_flag(s_token(&l), x);
    return why;
}

struct s_state {
    bool started, has_note, none;
    size_t nx;
};

static const char *s_expect_line(struct eng_cases *p, struct ds_span l,
                                 struct s_state *st)
{
    if (!st->has_note)
        return "expect: before note:";
    if (st->none || (st->nx && ds_span_eq(l, "none")))
        return "expect: none with other expect: lines";
    if (ds_span_eq(l, "none")) {
        st->none = true;
        return NULL;
    }
    if (st->nx == ENG_CASES_EXPECT_MAX)
        return "too many expect: lines in one case";
    const char *why = s_expect(p, l, st->nx);
    st->nx += why == NULL;
    return why;
}

static const char *s_directive(struct eng_cases *p, struct ds_span l,
                               struct eng_case *out, struct s_state *st)
{
    const char *why = NULL;
    if (s_prefix(&l, "known-gap:")) {
        if (st->started)
            return "known-gap: must be the first line of a case";
        if (l.n == 0)
            return "known-gap: needs a reason";
        out->gap = l;
    } else if (s_prefix(&l, "note:")) {
        if (st->has_note)
            return "a second note: (separate cases with a blank line)";
        if (s_unescape(p, l, false, &p->note_off, &why) == S_UNESC_ERR)
            return why;
        out->note.n = p->nbuf - p->note_off;
        st->has_note = true;
    } else if (s_prefix(&l, "expect:")) {
        why = s_expect_line(p, l, st);
    } else {
        return "unknown line (note:, expect:, known-gap:, # or blank)";
    }
    st->started = true;
    return why;
}

/* Turn buffer offsets into pointers once the buffer no longer moves. */
static void s_resolve(struct eng_cases *p, struct eng_case *out, size_t nx)
{
    static const char empty[1] = "";
    const char *b = p->buf ? p->buf : empty;
    out->note.p = b + p->note_off;
    for (size_t i = 0; i < nx; i++)
        p->x[i].text.p = b + p->text_off[i];
    out->expect = p->x;
    out->nexpect = nx;
}

int eng_cases_next(struct eng_cases *self, struct eng_case *out,
                   struct ds_diag *diag)
{
    struct s_state st = {0};
    struct ds_span l;
    memset(out, 0, sizeof *out);
    self->nbuf = 0;
    while (s_next_line(self, &l)) {
        if (l.n == 0 && st.started)
            break;
        if (l.n == 0 || l.p[0] == '#')
            continue;
        if (!st.started)
            out->line = self->line;
        const char *why = s_directive(self, l, out, &st);
        if (why)
            return s_fail(self, self->line, diag, why);
    }
    if (!st.started)
        return 0;
    if (!st.has_note)
        return s_fail(self, out->line, diag, "case has no note:");
    if (!st.nx && !st.none)
        return s_fail(self, out->line, diag,
                      "case has no expect: (write expect: none)");
    s_resolve(self, out, st.nx);
    return 1;
}

/* ---- comparing ---- */

/* The id of the trigger or section heading behind a cause ("" if none). */
static struct ds_span s_cause_id(const nlp_rules_t *rules,
                                 const struct nlp_ctx_cause *c)
{
    size_t n;
    if (c->why == NLP_WHY_TRIGGER) {
        const struct nlp_trigger *t = nlp_rules_triggers(rules, &n);
        if (c->rule < n)
            return ds_span_str(t[c->rule].id);
    } else if (c->why == NLP_WHY_SECTION) {
        const struct nlp_section *s = nlp_rules_sections(rules, &n);
        if (c->rule < n)
            return ds_span_str(s[c->rule].id);
    }
    return (struct ds_span){"", 0};
}

static struct ds_span s_surface(const struct eng_case *c,
                                const struct nlp_mention *m)
{
    size_t b = m->begin < c->note.n ? m->begin : c->note.n;
    size_t e = m->end < c->note.n ? m->end : c->note.n;
    return (struct ds_span){c->note.p + b, e > b ? e - b : 0};
}

static bool s_fits(const struct eng_case *c, const struct eng_case_expect *x,
                   const nlp_rules_t *rules, const struct nlp_mention *m)
{
    if (x->kind != m->kind || x->flags != m->flags ||
        !ds_span_same(x->code, m->code) ||
        !ds_span_same(x->text, s_surface(c, m)))
        return false;
    for (unsigned k = 0; k < NLP_CTX_NCAT; k++)
        if (x->why[k].n &&
            !ds_span_same(x->why[k], s_cause_id(rules, &m->cause[k])))
            return false;
    return true;
}

struct s_match {
    bool fit[ENG_CASES_EXPECT_MAX][ENG_CASES_EXPECT_MAX];
    bool seen[ENG_CASES_EXPECT_MAX];
    int owner[ENG_CASES_EXPECT_MAX]; /* mention -> expectation, -1 */
    size_t n;
};

/* Kuhn: find a mention for expectation x, moving earlier owners along. */
static bool s_augment(struct s_match *s, size_t x)
{
    for (size_t m = 0; m < s->n; m++) {
        if (s->seen[m] || !s->fit[x][m])
            continue;
        s->seen[m] = true;
        if (s->owner[m] < 0 || s_augment(s, (size_t)s->owner[m])) {
            s->owner[m] = (int)x;
            return true;
        }
    }
    return false;
}

bool eng_case_equal(const struct eng_case *c, const nlp_rules_t *rules,
                    const struct nlp_result *r)
{
    struct s_match s;
    if (r->n != c->nexpect || r->n > ENG_CASES_EXPECT_MAX)
        return false;
    s.n = r->n;
    for (size_t x = 0; x < s.n; x++) {
        s.owner[x] = -1;
        for (size_t m = 0; m < s.n; m++)
            s.fit[x][m] = s_fits(c, &c->expect[x], rules, &r->m[m]);
    }
    for (size_t x = 0; x < s.n; x++) {
        memset(s.seen, 0, sizeof s.seen);
        if (!s_augment(&s, x))
            return false;
    }
    return true;
}

/* ---- printing ---- */

static void s_put_text(FILE *out, struct ds_span t)
{
    fputc('"', out);
    for (size_t i = 0; i < t.n; i++) {
        unsigned char c = (unsigned char)t.p[i];
        const char *e = c == '"'    ? "\\\""
                        : c == '\\' ? "\\\\"
                        : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t"
                                    : NULL;
        if (e)
            fputs(e, out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void s_put_one(FILE *out, enum nlp_mention_kind kind,
                      struct ds_span code, struct ds_span text, unsigned flags,
                      const struct ds_span *why)
{
    fprintf(out, "%s %.*s ", nlp_mention_kind_name(kind), (int)code.n, code.p);
    s_put_text(out, text);
    for (unsigned k = 0; k < NLP_CTX_NCAT; k++) {
        if (!(flags & (1u << k)))
            continue;
        fprintf(out, " %s", nlp_ctx_flag_name(k));
        if (why[k].n)
            fprintf(out, "=%.*s", (int)why[k].n, why[k].p);
    }
}

void eng_case_print_diff(FILE *out, const struct eng_case *c,
                         const nlp_rules_t *rules, const struct nlp_result *r)
{
    struct ds_span why[NLP_CTX_NCAT];
    fputs(c->nexpect ? "expected [" : "expected none", out);
    for (size_t i = 0; i < c->nexpect; i++) {
        const struct eng_case_expect *x = &c->expect[i];
        fputs(i ? "; " : "", out);
        s_put_one(out, x->kind, x->code, x->text, x->flags, x->why);
    }
    fputs(c->nexpect ? "], got " : ", got ", out);
    fputs(r->n ? "[" : "none", out);
    for (size_t i = 0; i < r->n; i++) {
        const struct nlp_mention *m = &r->m[i];
        for (unsigned k = 0; k < NLP_CTX_NCAT; k++)
            why[k] = s_cause_id(rules, &m->cause[k]);
        fputs(i ? "; " : "", out);
        s_put_one(out, m->kind, m->code, s_surface(c, m), m->flags, why);
    }
    fputs(r->n ? "]" : "", out);
}
