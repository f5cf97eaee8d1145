/*
 * eng_cmd_eval_maude.c - `devsurv eval-maude`: how what the extractor finds
 * in MAUDE narratives relates to the reports' own coded fields, the weak
 * report-level labels of eval/maude (reference/nlp.md 5).
 *
 * Per record of the MAUDE TSV (eng_tsv.h; columns by header name):
 *   - DEVICE, the FDA product-code device name, is looked up in foiclass.txt
 *     (FDA Product Classification: pipe-delimited, a header row, Latin-1,
 *     one DEFINITION holding a line break, so records are cut by counting
 *     the header's fields) by DEVICENAME, ignoring case and the spacing
 *     around commas (MAUDE writes "STABILIZER,HEART" for "Stabilizer,
 *     Heart"); one name may have several codes;
 *   - foi_text is extracted (nlp_extract.h). Device mentions: any, and
 *     affirmed (not negated, hypothetical or family). With a mention and a
 *     mapped DEVICE: some mentioned code is one of the report's (and the
 *     first mentioned one is), some mentioned device-class concept has the
 *     REGULATIONNUMBER of one of the report's codes; when no code agrees,
 *     the pair (report codes -> first mentioned code) is counted;
 *   - per EVENT_TYPE group (IN/IL/IJ/D, M, other): narratives with an
 *     affirmed and with a negated health effect (imdrf-e), with an affirmed
 *     health impact (imdrf-f), and how many imdrf-f mentions are affirmed.
 * The report writers are in eng_cmd_eval_maude_report.c.
 *
 * MAUDE fields are unverified and DEVICE names the reported device, not
 * every device a narrative mentions: these are agreement rates, not
 * accuracy. Not here: span-level scoring (no gold spans), brand and model
 * matching.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_tsv.h"
#include "devsurv/nlp_extract.h"
#include "eng_cmd_eval_maude_impl.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#define S_ME      "devsurv eval-maude"
#define S_NOT_AFF (NLP_F_NEGATED | NLP_F_HYPOTHETICAL | NLP_F_FAMILY)

struct s_opts {
    const char *rules, *foiclass, *input;
    bool json;
};

struct s_run {
    nlp_rules_t *rules;
    nlp_extract_t *x;
    struct nlp_result r;
    struct eng_evm_foi foi;
    char *key; /* scratch: the key of a DEVICE value */
    size_t capkey;
    char **unmapped; /* keys of unmapped DEVICE values, repeats too */
    size_t nunmapped, capunmapped;
    struct eng_evm_tally t;
};

static void s_help(void)
{
    printf(
        "usage: devsurv eval-maude [--rules DIR] [--foiclass FILE] [--json] "
        "FILE.tsv\n\n"
        "Score extraction against the report fields of a MAUDE TSV "
        "(eval/maude:\n"
        "a header row; DEVICE, EVENT_TYPE and foi_text columns):\n"
        "  - narratives with a device mention (any / affirmed: not negated,\n"
        "    hypothetical or family);\n"
        "  - with --foiclass (FDA foiclass.txt): DEVICE mapped to product\n"
        "    codes by DEVICENAME (case and spacing around commas ignored;\n"
        "    records and distinct values mapping to none/one/several codes);\n"
        "    for narratives with a device mention and a mapped DEVICE: a\n"
        "    mentioned code equals a report code (any mention / the first),\n"
        "    a mentioned class has the report's regulation number, and the\n"
        "    10 commonest disagreements (report codes -> first mentioned);\n"
        "  - by EVENT_TYPE (IN/IL/IJ/D injury or death, M malfunction, "
        "other):\n"
        "    narratives with >= 1 affirmed and >= 1 negated health effect\n"
        "    (imdrf-e), with >= 1 affirmed health impact (imdrf-f), and the\n"
        "    share of imdrf-f mentions that are affirmed.\n\n"
        "  --rules DIR      rule tree (default: $DEVSURV_RULES, else ./rules,\n"
        "                   else the installed tree)\n"
        "  --foiclass FILE  FDA product classification table (pipe-delimited)\n"
        "  --json           one JSON object instead of the text report\n\n"
        "exit: 0 done, 64 usage, 65 malformed input or rules (file:line on\n"
        "stderr), 66 missing file or rules, 71 out of memory, 74 read "
        "error\n");
}

static int s_parse(int argc, char **argv, struct s_opts *o)
{
    static const struct option opts[] = {
        {"rules", required_argument, NULL, 'r'},
        {"foiclass", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, ENG_OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': o->rules = optarg; break;
        case 'f': o->foiclass = optarg; break;
        case ENG_OPT_JSON: o->json = true; break;
        case 'h': s_help(); return -1;
        default: return EX_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: devsurv eval-maude [--rules DIR] "
                        "[--foiclass FILE] [--json] FILE.tsv\n");
        return EX_USAGE;
    }
    o->input = argv[optind];
    return 0;
}

static int s_exit_code(int rc)
{
    switch (rc) {
    case DS_ENOTFOUND: return EX_NOINPUT;
    case DS_ENOMEM: return EX_OSERR;
    case DS_EIO: return EX_IOERR;
    default: return EX_DATAERR;
    }
}

int eng_evm_bad(int code, const char *file, size_t line, const char *fmt, ...)
{
    va_list ap;
    if (line)
        fprintf(stderr, S_ME ": %s:%zu: ", file, line);
    else
        fprintf(stderr, S_ME ": %s: ", file);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int eng_evm_grow(void **v, size_t *cap, size_t need, size_t sz)
{
    size_t c = *cap ? *cap : 64;
    if (need <= *cap)
        return 0;
    while (c < need)
        c *= 2;
    void *p = ds_realloc(*v, c * sz);
    if (!p)
        return DS_ENOMEM;
    *v = p;
    *cap = c;
    return 0;
}

/* The classes of a DEVICE value, counted as none/one/several; 0 or
 * DS_ENOMEM. */
static int s_map(struct s_run *run, struct ds_span dev,
                 const struct eng_evm_class **c, size_t *nc)
{
    *nc = 0;
    if (!run->t.foiclass)
        return 0;
    if (eng_evm_grow((void **)&run->key, &run->capkey, dev.n + 1, 1))
        return DS_ENOMEM;
    size_t nk = eng_evm_key(dev.p, dev.n, run->key);
    struct eng_evm_class *v = eng_evm_foi_find(&run->foi, run->key, nk, nc);
    int m = *nc == 0 ? ENG_EVM_NONE : *nc == 1 ? ENG_EVM_ONE : ENG_EVM_SEVERAL;
    run->t.map[m]++;
    *c = v;
    if (*nc) {
        run->t.distinct[m] += !v->seen;
        v->seen = true;
        return 0;
    }
    if (eng_evm_grow((void **)&run->unmapped, &run->capunmapped,
                     run->nunmapped + 1, sizeof *run->unmapped))
        return DS_ENOMEM;
    run->unmapped[run->nunmapped] = ds_strndup(run->key, nk);
    return run->unmapped[run->nunmapped++] ? 0 : DS_ENOMEM;
}

/* ---- scoring ---- */

static bool s_affirmed(const struct nlp_mention *m)
{
    return (m->flags & S_NOT_AFF) == 0;
}

static bool s_has_code(const struct eng_evm_class *c, size_t nc,
                       struct ds_span code)
{
    for (size_t i = 0; i < nc; i++)
        if (ds_span_eq(code, c[i].code))
            return true;
    return false;
}

/* The mentioned device class has the regulation of one of c[0..nc). */
static bool s_same_reg(const struct s_run *run, const struct eng_evm_class *c,
                       size_t nc, struct ds_span code)
{
    const struct nlp_concept *k =
        nlp_rules_concept(run->rules, NLP_AXIS_DEVICE_CLASS, code);
    for (size_t i = 0; k && *k->regulation && i < nc; i++)
        if (strcmp(k->regulation, c[i].reg) == 0)
            return true;
    return false;
}

/* Count the disagreement (codes of c[0..nc) -> code); 0 or DS_ENOMEM. */
static int s_pair(struct eng_evm_tally *t, const struct eng_evm_class *c,
                  size_t nc, struct ds_span code)
{
    if (eng_evm_grow((void **)&t->pairs, &t->cappairs, t->npairs + 1,
                     sizeof *t->pairs))
        return DS_ENOMEM;
    struct eng_evm_pair *p = &t->pairs[t->npairs++];
    size_t k = 0;
    for (size_t i = 0; i < nc && k < sizeof p->report; i++)
        k += (size_t)snprintf(p->report + k, sizeof p->report - k, "%s%s",
                              i ? "/" : "", c[i].code);
    snprintf(p->mentioned, sizeof p->mentioned, "%.*s", (int)code.n, code.p);
    p->count = 1;
    return 0;
}

/* Device mentions against the report's classes c[0..nc). */
static int s_devices(struct s_run *run, const struct eng_evm_class *c,
                     size_t nc)
{
    struct eng_evm_tally *t = &run->t;
    const struct nlp_mention *first = NULL;
    bool aff = false, any = false, reg = false;
    for (size_t i = 0; i < run->r.n; i++) {
        const struct nlp_mention *m = &run->r.m[i];
        if (m->kind != NLP_MENTION_DEVICE)
            continue;
        first = first ? first : m;
        aff |= s_affirmed(m);
        any |= s_has_code(c, nc, m->code);
        reg |= s_same_reg(run, c, nc, m->code);
    }
    t->dev_any += first != NULL;
    t->dev_aff += aff;
    if (!first || nc == 0)
        return 0;
    t->agree_n++;
    t->agree_any += any;
    t->agree_first += s_has_code(c, nc, first->code);
    t->agree_reg += reg;
    return any ? 0 : s_pair(t, c, nc, first->code);
}

static int s_group(struct ds_span ev)
{
    static const char *const harm[] = {"IN", "IL", "IJ", "D"};
    for (size_t i = 0; i < sizeof harm / sizeof harm[0]; i++)
        if (ds_span_eq(ev, harm[i]))
            return ENG_EVM_HARM;
    return ds_span_eq(ev, "M") ? ENG_EVM_MALF : ENG_EVM_OTHER;
}

/* Health effects and impacts against the record's EVENT_TYPE. */
static void s_health(struct s_run *run, struct ds_span ev)
{
    struct eng_evm_group *g = &run->t.group[s_group(ev)];
    bool eff_aff = false, eff_neg = false, imp_aff = false;
    for (size_t i = 0; i < run->r.n; i++) {
        const struct nlp_mention *m = &run->r.m[i];
        bool aff = s_affirmed(m);
        if (m->kind != NLP_MENTION_EVENT)
            continue;
        if (strcmp(m->system, "imdrf-e") == 0) {
            eff_aff |= aff;
            eff_neg |= (m->flags & NLP_F_NEGATED) != 0;
        } else if (strcmp(m->system, "imdrf-f") == 0) {
            g->imp_m++;
            g->imp_maff += aff;
            imp_aff |= aff;
        }
    }
    g->n++;
    g->eff_aff += eff_aff;
    g->eff_neg += eff_neg;
    g->imp_aff += imp_aff;
}

/* One record: map DEVICE, extract foi_text, score; 0 or DS_E*. */
static int s_record(struct s_run *run, struct ds_span dev, struct ds_span ev,
                    struct ds_span text)
{
    const struct eng_evm_class *c = NULL;
    size_t nc;
    int rc = s_map(run, dev, &c, &nc);
    if (rc == 0)
        rc = nlp_extract_run(run->x, text, 0, &run->r);
    if (rc == 0)
        rc = s_devices(run, c, nc);
    if (rc == 0)
        s_health(run, ev);
    run->t.records += rc == 0;
    return rc;
}

static int s_pair_cmp(const void *a, const void *b)
{
    const struct eng_evm_pair *x = a, *y = b;
    int c = strcmp(x->report, y->report);
    return c ? c : strcmp(x->mentioned, y->mentioned);
}

static int s_count_cmp(const void *a, const void *b)
{
    const struct eng_evm_pair *x = a, *y = b;
    return x->count != y->count ? (x->count < y->count) - (x->count > y->count)
                                : s_pair_cmp(a, b);
}

static int s_str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Merge equal pairs, keep the ENG_EVM_TOP commonest; count the distinct
 * unmapped DEVICE values. */
static void s_finish(struct s_run *run)
{
    struct eng_evm_tally *t = &run->t;
    struct eng_evm_pair *p = t->pairs;
    size_t k = 0;
    if (t->npairs)
        qsort(p, t->npairs, sizeof *p, s_pair_cmp);
    for (size_t i = 0; i < t->npairs; i++) {
        if (k && s_pair_cmp(&p[k - 1], &p[i]) == 0)
            p[k - 1].count++;
        else
            p[k++] = p[i];
    }
    if (k)
        qsort(p, k, sizeof *p, s_count_cmp);
    t->ndistinct_pairs = k;
    t->npairs = k < ENG_EVM_TOP ? k : ENG_EVM_TOP;
    if (run->nunmapped)
        qsort(run->unmapped, run->nunmapped, sizeof *run->unmapped, s_str_cmp);
    for (size_t i = 0; i < run->nunmapped; i++)
        t->distinct[ENG_EVM_NONE] +=
            i == 0 || strcmp(run->unmapped[i - 1], run->unmapped[i]) != 0;
}

/* ---- the MAUDE file ---- */

struct s_cols {
    long dev, ev, text;
    size_t need; /* fields a record must have */
};

static int s_diag_fail(int rc, const struct ds_diag *diag)
{
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    fprintf(stderr, S_ME ": %s\n", ds_diag_format(diag, buf, sizeof buf));
    return s_exit_code(rc);
}

static int s_header(eng_tsv_t *tsv, const char *name, struct s_cols *c)
{
    static const char *const want[] = {"DEVICE", "EVENT_TYPE", "foi_text"};
    long *col[] = {&c->dev, &c->ev, &c->text};
    const struct ds_span *f;
    size_t nf;
    struct ds_diag diag;
    int rc = eng_tsv_next(tsv, &f, &nf, &diag);
    if (rc < 0)
        return s_diag_fail(rc, &diag);
    c->need = 0;
    for (int j = 0; j < 3; j++) {
        *col[j] = rc ? eng_tsv_find(f, nf, want[j]) : -1;
        if (*col[j] < 0)
            return eng_evm_bad(EX_DATAERR, name, 1,
                               "no %s column in the header", want[j]);
        if ((size_t)*col[j] >= c->need)
            c->need = (size_t)*col[j] + 1;
    }
    return 0;
}

static int s_rows(struct s_run *run, eng_tsv_t *tsv, const struct s_cols *c)
{
    const struct ds_span *f;
    size_t nf;
    struct ds_diag diag;
    int rc;
    while ((rc = eng_tsv_next(tsv, &f, &nf, &diag)) == 1) {
        size_t line = eng_tsv_line(tsv);
        if (nf == 1 && f[0].n == 0)
            continue; /* a blank line */
        if (nf < c->need)
            return eng_evm_bad(EX_DATAERR, run->t.input, line,
                               "%zu fields, the columns used need %zu", nf,
                               c->need);
        rc = s_record(run, f[c->dev], f[c->ev], f[c->text]);
        if (rc != 0)
            return eng_evm_bad(s_exit_code(rc), run->t.input, line, "%s",
                               ds_strerror(rc));
    }
    return rc < 0 ? s_diag_fail(rc, &diag) : 0;
}

static int s_maude(struct s_run *run)
{
    struct s_cols c;
    FILE *f = fopen(run->t.input, "rb");
    if (!f)
        return eng_evm_bad(EX_NOINPUT, run->t.input, 0, "%s", strerror(errno));
    eng_tsv_t *tsv = eng_tsv_new_file(run->t.input, f);
    int rc = tsv ? s_header(tsv, run->t.input, &c) : EX_OSERR;
    if (rc == 0)
        rc = s_rows(run, tsv, &c);
    eng_tsv_destroy(&tsv);
    fclose(f);
    return rc;
}

/* ---- the command ---- */

static int s_load_rules(struct s_run *run, const struct s_opts *o)
{
    const char *dir = eng_cmd_rules_dir(o->rules);
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    ds_diag_clear(&diag);
    int rc = nlp_rules_load(&run->rules, dir, &diag);
    if (rc == 0)
        rc = nlp_extract_new(&run->x, run->rules, &diag);
    if (rc != 0) {
        fprintf(stderr, S_ME ": rules %s: %s\n", dir,
                ds_diag_format(&diag, buf, sizeof buf));
        return s_exit_code(rc);
    }
    run->t.rules_version = nlp_rules_version(run->rules);
    run->t.rules_sha = nlp_rules_sha256(run->rules);
    return 0;
}

static int s_report(const struct s_run *run, const struct s_opts *o)
{
    int rc = 0;
    if (o->json)
        rc = eng_evm_print_json(stdout, &run->t);
    else
        eng_evm_print_text(stdout, &run->t);
    if (rc != 0)
        fprintf(stderr, S_ME ": out of memory\n");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, S_ME ": stdout: %s\n", strerror(errno));
        return EX_IOERR;
    }
    return rc ? EX_OSERR : EX_OK;
}

static void s_clear(struct s_run *run)
{
    for (size_t i = 0; i < run->nunmapped; i++)
        ds_free(run->unmapped[i]);
    ds_free(run->unmapped);
    ds_free(run->key);
    ds_free(run->t.pairs);
    eng_evm_foi_clear(&run->foi);
    nlp_result_clear(&run->r);
    nlp_extract_destroy(&run->x);
    nlp_rules_destroy(&run->rules);
}

int eng_cmd_eval_maude(int argc, char **argv)
{
    struct s_opts o = {0};
    struct s_run run = {0};
    int rc = s_parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    run.t.input = o.input;
    run.t.foiclass = o.foiclass;
    nlp_result_init(&run.r);
    if (o.foiclass)
        rc = eng_evm_foi_load(&run.foi, o.foiclass);
    run.t.nclasses = run.foi.n;
    if (rc == 0)
        rc = s_load_rules(&run, &o);
    if (rc == 0)
        rc = s_maude(&run);
    if (rc == 0) {
        s_finish(&run);
        rc = s_report(&run, &o);
    }
    s_clear(&run);
    return rc;
}
