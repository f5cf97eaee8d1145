/*
 * eng_cmd_context.c - `devsurv context --negex-tsv FILE`: the context of a
 * condition phrase in its sentence, row by row, for files in the layout of
 * the NegEx test set (Chapman et al. 2001; reference/nlp.md 1.1): a header,
 * then `line number, Condition, sentence[, negation, temporality,
 * experiencer]`, TAB-separated.
 *
 * Per row: locate the phrase (nlp_target_find), take the sentence as ONE
 * sentence (the set is sentence-level: no re-splitting) and run ConText
 * with the phrase as the only target (nlp_target_run). One line per row:
 * `<line number> TAB negated|affirmed TAB recent|historical|hypothetical
 * TAB patient|other`: the negated flag -> negated, else affirmed (possible
 * too: the set has no "possible" label); hypothetical beats historical;
 * family -> other. --why adds the rule behind each flag.
 *
 * With gold columns a summary goes to stderr (protocol of nlp.md 1.3):
 * negation with negated = positive (P, R, F1, accuracy, TP/FP/FN/TN), over
 * all rows and, with --notes (column 2 = annotator note, blank when none),
 * over the rows without a note; historical and hypothetical P/R/F1;
 * experiencer counts; the rows matched by a prefix only.
 *
 * Not here: the algorithm (nlp/nlp_context.c), the triggers
 * (rules/context/triggers.tsv), the data (../shared/eval/negex/).
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_extract.h"
#include "devsurv/nlp_target.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#define S_FIELDS     8  /* fields looked at per row */
#define S_PREFIX_MAX 16 /* prefix-matched line numbers listed */

enum s_temp { S_RECENT, S_HISTORICAL, S_HYPOTHETICAL };

static const char *const s_temp_name[] = {"recent", "historical",
                                          "hypothetical"};

struct s_opts {
    const char *tsv, *rules, *notes;
    bool why;
};

struct s_note {
    long line;
    bool noted;
};

struct s_notes {
    struct s_note *v;
    size_t n, cap;
};

struct s_conf {
    long tp, fp, fn, tn;
};

struct s_score {
    struct s_conf neg, neg_clean, hist, hyp;
    long rows, gold_other, pred_other, tp_other;
    long nprefix, prefix[S_PREFIX_MAX];
};

/* What the rules decided for one row. */
struct s_decision {
    bool neg, other;
    enum s_temp temp;
};

/* One parsed row. */
struct s_row {
    long line;
    char *f[S_FIELDS];
    int nf;
};

struct s_ctx {
    const struct s_opts *o;
    nlp_extract_t *x;
    struct nlp_target tg;
    struct s_notes notes;
    struct s_score sc;
    int gold; /* -1 not known yet, 0 no, 1 yes */
};

static void s_help(void)
{
    printf(
        "usage: devsurv context --negex-tsv FILE [--rules DIR]\n"
        "                       [--notes FILE.with-notes.tsv] [--why]\n\n"
        "For each row `line number, Condition, sentence[, negation,\n"
        "temporality, experiencer]` (NegEx test-set layout, TABs, a\n"
        "header), find the condition in its sentence (case-insensitive,\n"
        "whitespace runs collapsed; else the longest whole-word prefix),\n"
        "take the sentence as one sentence, let the rules' ConText\n"
        "triggers decide and print on stdout:\n\n"
        "  <line number> TAB negated|affirmed TAB "
        "recent|historical|hypothetical TAB patient|other\n\n"
        "possible counts as affirmed (the set has no possible label).\n"
        "With gold columns a summary goes to stderr: negation P/R/F1/\n"
        "accuracy (negated = positive), overall and, with --notes, on\n"
        "the rows whose note (column 2) is blank; historical and\n"
        "hypothetical P/R/F1; experiencer counts.\n\n"
        "  --rules DIR     rule tree (default: $DEVSURV_RULES, else ./rules,\n"
        "                  else the installed tree)\n"
        "  --notes FILE    the same rows with an annotator-note column\n"
        "  --why           a fifth column: flag=rule id per flag set\n\n"
        "exit: 0 done, 64 usage, 65 malformed file or rules (file:line:\n"
        "message on stderr), 66 missing file, 71 out of memory,\n"
        "74 read error\n");
}

static int s_parse(int argc, char **argv, struct s_opts *o)
{
    static const struct option opts[] = {
        {"negex-tsv", required_argument, NULL, 't'},
        {"rules", required_argument, NULL, 'r'},
        {"notes", required_argument, NULL, 'n'},
        {"why", no_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': o->tsv = optarg; break;
        case 'r': o->rules = optarg; break;
        case 'n': o->notes = optarg; break;
        case 'w': o->why = true; break;
        case 'h': s_help(); return -1;
        default: return EX_USAGE;
        }
    }
    if (!o->tsv || optind != argc) {
        fprintf(stderr, "usage: devsurv context --negex-tsv FILE "
                        "[--rules DIR] [--notes FILE]\n");
        return EX_USAGE;
    }
    return 0;
}

static int s_bad(const char *file, long line, const char *what)
{
    fprintf(stderr, "devsurv context: %s:%ld: %s\n", file, line, what);
    return EX_DATAERR;
}

/* Split line (no newline) at TABs into r->f; r->nf = fields kept. */
static void s_split(char *line, struct s_row *r)
{
    r->nf = 0;
    for (char *p = line; r->nf < S_FIELDS;) {
        r->f[r->nf++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p++ = '\0';
    }
}

/* Decimal line number, else -1. */
static long s_number(const char *s)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    return errno || *end ? -1 : v;
}

static bool s_blank(const char *s)
{
    return s[strspn(s, " \t\r")] == '\0';
}

/* Read the lines of f (path), calling fn(ctx, line, lineno) for each
 * non-blank one; stops at the first nonzero return. */
static int s_lines(FILE *f, const char *path, int (*fn)(void *, char *, long),
                   void *ctx)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long no = 0;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!s_blank(line))
            rc = fn(ctx, line, no);
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "devsurv context: %s: read error\n", path);
        rc = EX_IOERR;
    }
    free(line);
    return rc;
}

static int s_open(const char *path, FILE **f)
{
    *f = fopen(path, "rb");
    if (!*f) {
        fprintf(stderr, "devsurv context: %s: %s\n", path, strerror(errno));
        return EX_NOINPUT;
    }
    return 0;
}

static int s_note_line(void *arg, char *line, long no)
{
    struct s_ctx *c = arg;
    struct s_row r;
    s_split(line, &r);
    long ln = s_number(r.f[0]);
    if (ln < 0)
        return s_bad(c->o->notes, no, "expected a line number in column 1");
    if (r.nf < 4)
        return s_bad(c->o->notes, no,
                     "expected line, note, condition, "
                     "sentence");
    struct s_notes *ns = &c->notes;
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? 2 * ns->cap : 1024;
        struct s_note *v = ds_realloc(ns->v, cap * sizeof *v);
        if (!v)
            return EX_OSERR;
        ns->v = v;
        ns->cap = cap;
    }
    ns->v[ns->n++] = (struct s_note){ln, !s_blank(r.f[1])};
    return 0;
}

static int s_cmp_note(const void *a, const void *b)
{
    const struct s_note *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int s_load_notes(struct s_ctx *c)
{
    FILE *f;
    int rc = s_open(c->o->notes, &f);
    if (rc != 0)
        return rc;
    rc = s_lines(f, c->o->notes, s_note_line, c);
    fclose(f);
    if (rc == 0)
        qsort(c->notes.v, c->notes.n, sizeof *c->notes.v, s_cmp_note);
    return rc;
}

/* Label index in names[0..n) (case-insensitive, surrounding blanks
 * ignored), or -1. */
static int s_label(const char *s, const char *const *names, int n)
{
    s += strspn(s, " ");
    size_t len = strcspn(s, "\r");
    while (len && s[len - 1] == ' ')
        len--;
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && strncasecmp(s, names[i], len) == 0)
            return i;
    return -1;
}

static void s_count(struct s_conf *k, bool gold, bool pred)
{
    k->tp += gold && pred;
    k->fp += !gold && pred;
    k->fn += gold && !pred;
    k->tn += !gold && !pred;
}

/* Score one row against its gold columns r->f[3..5] (validated here). */
static int s_score(struct s_ctx *c, const struct s_row *r, long no,
                   const struct s_decision *d)
{
    static const char *const neg_l[] = {"affirmed", "negated", "possible"};
    static const char *const temp_l[] = {"recent", "historical", "hypothetical",
                                         "not particular"};
    static const char *const exp_l[] = {"patient", "other", "family",
                                        "family member"};
    int gn = s_label(r->f[3], neg_l, 3), gt = s_label(r->f[4], temp_l, 4),
        ge = s_label(r->f[5], exp_l, 4);
    if (gn < 0 || gt < 0 || ge < 0)
        return s_bad(c->o->tsv, no,
                     gn < 0   ? "unknown negation label"
                     : gt < 0 ? "unknown temporality label"
                              : "unknown experiencer label");
    struct s_score *sc = &c->sc;
    s_count(&sc->neg, gn == 1, d->neg);
    if (c->o->notes) {
        struct s_note key = {r->line, false};
        const struct s_note *n =
            bsearch(&key, c->notes.v, c->notes.n, sizeof key, s_cmp_note);
        if (!n)
            return s_bad(c->o->tsv, no, "line number not in the notes file");
        if (!n->noted)
            s_count(&sc->neg_clean, gn == 1, d->neg);
    }
    s_count(&sc->hist, gt == 1, d->temp == S_HISTORICAL);
    s_count(&sc->hyp, gt >= 2, d->temp == S_HYPOTHETICAL);
    sc->gold_other += ge > 0;
    sc->pred_other += d->other;
    sc->tp_other += ge > 0 && d->other;
    return 0;
}

/* --why: TAB, then flag=rule-id for each flag set ("-" when none). */
static void s_why(const struct s_ctx *c)
{
    size_t ntrig, nsec;
    const nlp_rules_t *rules = nlp_extract_rules(c->x);
    const struct nlp_trigger *trig = nlp_rules_triggers(rules, &ntrig);
    const struct nlp_section *sec = nlp_rules_sections(rules, &nsec);
    const struct nlp_ctx_target *t = &c->tg.t;
    putchar('\t');
    if (!t->flags)
        putchar('-');
    for (unsigned k = 0, first = 1; k < NLP_CTX_NCAT; k++) {
        if (!(t->flags & (1u << k)))
            continue;
        const struct nlp_ctx_cause *w = &t->cause[k];
        printf("%s%s=%s", first ? "" : " ", nlp_ctx_flag_name(k),
               w->why == NLP_WHY_TRIGGER ? trig[w->rule].id : sec[w->rule].id);
        first = 0;
    }
}

/* A data row of the right shape (0), the header (-1: first line, no line
 * number; says whether gold columns follow), else the exit code. */
static int s_check_row(struct s_ctx *c, struct s_row *r, long no)
{
    r->line = s_number(r->f[0]);
    if (r->line < 0 && no == 1 && c->gold < 0) {
        c->gold = r->nf >= 6;
        return -1;
    }
    if (r->line < 0)
        return s_bad(c->o->tsv, no, "expected a line number in column 1");
    if (r->nf < 3)
        return s_bad(c->o->tsv, no,
                     "expected line number, condition, sentence");
    if (c->gold < 0)
        c->gold = r->nf >= 6;
    if (c->gold && r->nf < 6)
        return s_bad(c->o->tsv, no,
                     "expected negation, temporality and experiencer");
    return 0;
}

/* Locate the condition in its sentence and run ConText on that span. */
static int s_decide(struct s_ctx *c, const struct s_row *r, long no,
                    struct s_decision *out)
{
    struct ds_span s = ds_span_str(r->f[2]);
    size_t b, e;
    enum nlp_target_found how =
        nlp_target_find(s, ds_span_str(r->f[1]), &b, &e);
    if (how == NLP_FOUND_NONE)
        return s_bad(c->o->tsv, no, "condition not found in the sentence");
    if (how == NLP_FOUND_PREFIX && c->sc.nprefix++ < S_PREFIX_MAX)
        c->sc.prefix[c->sc.nprefix - 1] = r->line;
    int rc = nlp_target_run(&c->tg, c->x, s, b, e, NLP_X_ONE_SENTENCE);
    if (rc != 0)
        return rc == DS_ENOMEM ? EX_OSERR
                               : s_bad(c->o->tsv, no, ds_strerror(rc));
    unsigned fl = c->tg.t.flags;
    out->neg = fl & NLP_F_NEGATED;
    out->other = fl & NLP_F_FAMILY;
    out->temp = fl & NLP_F_HYPOTHETICAL ? S_HYPOTHETICAL
                : fl & NLP_F_HISTORICAL ? S_HISTORICAL
                                        : S_RECENT;
    c->sc.rows++;
    return 0;
}

static void s_print(const struct s_ctx *c, const struct s_row *r,
                    const struct s_decision *d)
{
    printf("%ld\t%s\t%s\t%s", r->line, d->neg ? "negated" : "affirmed",
           s_temp_name[d->temp], d->other ? "other" : "patient");
    if (c->o->why)
        s_why(c);
    putchar('\n');
}

static int s_row_line(void *arg, char *line, long no)
{
    struct s_ctx *c = arg;
    struct s_row r;
    struct s_decision d;
    s_split(line, &r);
    int rc = s_check_row(c, &r, no);
    if (rc == 0)
        rc = s_decide(c, &r, no, &d);
    if (rc == 0 && c->gold)
        rc = s_score(c, &r, no, &d);
    if (rc == 0)
        s_print(c, &r, &d);
    return rc < 0 ? 0 : rc;
}

static double s_div(long a, long b)
{
    return b ? (double)a / (double)b : 0.0;
}

static void s_prf(const char *what, const struct s_conf *k, bool acc)
{
    double p = s_div(k->tp, k->tp + k->fp), r = s_div(k->tp, k->tp + k->fn);
    double f = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    long n = k->tp + k->fp + k->fn + k->tn;
    fprintf(stderr,
            "%s: n %ld TP %ld FP %ld FN %ld TN %ld P %.4f R %.4f F1 %.4f", what,
            n, k->tp, k->fp, k->fn, k->tn, p, r, f);
    if (acc)
        fprintf(stderr, " acc %.4f", s_div(k->tp + k->tn, n));
    fputc('\n', stderr);
}

static void s_summary(const struct s_ctx *c)
{
    const struct s_score *sc = &c->sc;
    fprintf(stderr, "context: %s: %ld rows, %ld matched by a prefix only",
            c->o->tsv, sc->rows, sc->nprefix);
    for (long i = 0; i < sc->nprefix && i < S_PREFIX_MAX; i++)
        fprintf(stderr, "%s%ld", i ? " " : " (lines ", sc->prefix[i]);
    fprintf(stderr,
            "%s\ncontext: negated = positive; possible counts as "
            "affirmed (the set has no possible label)\n",
            sc->nprefix > S_PREFIX_MAX ? " ...)"
            : sc->nprefix              ? ")"
                                       : "");
    s_prf("negation all", &sc->neg, true);
    if (c->o->notes)
        s_prf("negation without-note", &sc->neg_clean, true);
    s_prf("historical all", &sc->hist, false);
    s_prf("hypothetical all", &sc->hyp, false);
    fprintf(stderr, "experiencer other: gold %ld predicted %ld TP %ld\n",
            sc->gold_other, sc->pred_other, sc->tp_other);
}

static int s_load_rules(struct s_ctx *c, nlp_rules_t **rules)
{
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    const char *dir = eng_cmd_rules_dir(c->o->rules);
    int rc = nlp_rules_load(rules, dir, &diag);
    if (rc == 0)
        rc = nlp_extract_new(&c->x, *rules, &diag);
    if (rc == 0)
        return 0;
    fprintf(stderr, "devsurv context: %s: %s\n", dir,
            ds_diag_format(&diag, buf, sizeof buf));
    return rc == DS_ENOTFOUND ? EX_NOINPUT
           : rc == DS_ENOMEM  ? EX_OSERR
           : rc == DS_EIO     ? EX_IOERR
                              : EX_DATAERR;
}

static int s_run(struct s_ctx *c)
{
    FILE *f;
    nlp_rules_t *rules = NULL;
    int rc = s_open(c->o->tsv, &f);
    if (rc != 0)
        return rc;
    if (c->o->notes)
        rc = s_load_notes(c);
    if (rc == 0)
        rc = s_load_rules(c, &rules);
    if (rc == 0)
        rc = s_lines(f, c->o->tsv, s_row_line, c);
    if (rc == 0 && c->gold == 1)
        s_summary(c);
    fclose(f);
    nlp_extract_destroy(&c->x);
    nlp_rules_destroy(&rules);
    return rc;
}

int eng_cmd_context(int argc, char **argv)
{
    struct s_opts o = {.rules = NULL};
    int rc = s_parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    struct s_ctx c = {.o = &o, .gold = -1};
    nlp_target_init(&c.tg);
    rc = s_run(&c);
    nlp_target_clear(&c.tg);
    ds_free(c.notes.v);
    return rc;
}
