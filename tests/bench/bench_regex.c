/*
 * bench_regex.c - throughput of the identifier-pattern stage (nlp_regex)
 * against PCRE2 running the same patterns naively, one after another.
 *
 * Build and run from the repository root, after `make`, with the one-line
 * command right below this comment.
 *
 * Corpora: the foi_text narratives of the MAUDE sample (default
 * ../shared/eval/maude/maude_uniform_sample_1k.tsv, upper case, 1,000
 * reports) and MB (default 50) of deterministic synthetic notes of about
 * 1 KB (splitmix64, fixed seed): mixed-case clinical sentences with model,
 * catalogue, lot and serial numbers, dates and valid UDIs sprinkled in.
 * Every text is scanned on its own, as the extractor does.
 *
 * Rows, all with the rules/identifiers/patterns.tsv of the working tree:
 *   joined         nlp_regex_scan: patterns joined on their first byte
 *                  or their set of first bytes, each regex searched only
 *                  near the text's digits (the digit gate), then validated
 *   ungated        the same with NLP_REGEX_UNGATED: every regex over the
 *                  whole text (same hits; the gate's gain)
 *   naive          nlp_regex_scan(NLP_REGEX_NAIVE): each pattern alone,
 *                  one after another, then validated
 *   kind+MARK raw  PCRE2 only, no validation: one alternation per kind
 *                  with (*MARK:i) per branch (the layout that names the
 *                  matching pattern for free), to show why it is not used
 *   ... interp     the same without JIT (a W^X system)
 * MB/s is text bytes over the best of 3 timed rounds after one warm-up
 * round; hits are per round. Prints, never judges.
 */
// clang-format off
/* cc -std=c11 -O2 -Iinclude -D_DEFAULT_SOURCE -o build/release/bench_regex tests/bench/bench_regex.c build/release/libdevsurv.a $(pkg-config --libs libpcre2-8 libsodium) -ljemalloc -lm && build/release/bench_regex [MAUDE.tsv] [MB] */
// clang-format on
#include "devsurv/ds_err.h"
#include "devsurv/nlp_regex.h"
#include "devsurv/nlp_rules.h"
#include "devsurv/nlp_udi.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct s_corpus {
    const char *name;
    char *buf;
    size_t *off, *len, n, cap, bytes;
};

static double s_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t s_rng = 0x5eed0fdeu;

static uint64_t s_next(void)
{
    uint64_t z = (s_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static unsigned s_pick(unsigned n)
{
    return (unsigned)(s_next() % n);
}

static void s_add(struct s_corpus *c, size_t off, size_t len)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->off = realloc(c->off, c->cap * sizeof *c->off);
        c->len = realloc(c->len, c->cap * sizeof *c->len);
        if (!c->off || !c->len)
            exit(1);
    }
    c->off[c->n] = off;
    c->len[c->n++] = len;
    c->bytes += len;
}

/* ---- MAUDE: the foi_text column of each row ---- */

static int s_col(char *header, const char *name)
{
    int i = 0;
    for (char *f = strtok(header, "\t\n"); f; f = strtok(NULL, "\t\n"), i++)
        if (strcmp(f, name) == 0)
            return i;
    return -1;
}

/* Field col of the TAB-separated line [p, end), or NULL. */
static const char *s_field(const char *p, const char *end, int col, size_t *len)
{
    for (int i = 0; i < col && p; i++) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        p = tab ? tab + 1 : NULL;
    }
    const char *tab = p ? memchr(p, '\t', (size_t)(end - p)) : NULL;
    *len = p ? (size_t)((tab ? tab : end) - p) : 0;
    return p;
}

static int s_load_maude(struct s_corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    c->buf = n > 0 ? malloc((size_t)n + 1) : NULL;
    size_t got = c->buf ? fread(c->buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!c->buf || got != (size_t)n)
        return -1;
    c->buf[n] = '\0';
    char *nl = strchr(c->buf, '\n');
    char *hdr = nl ? strndup(c->buf, (size_t)(nl - c->buf)) : NULL;
    int col = hdr ? s_col(hdr, "foi_text") : -1;
    free(hdr);
    for (char *line = nl ? nl + 1 : NULL; col >= 0 && line && *line;) {
        char *end = strchr(line, '\n');
        size_t len;
        end = end ? end : line + strlen(line);
        const char *v = s_field(line, end, col, &len);
        if (v)
            s_add(c, (size_t)(v - c->buf), len);
        line = *end ? end + 1 : NULL;
    }
    return col >= 0 && c->n > 0 ? 0 : -1;
}

/* ---- synthetic notes ---- */

static const char *const s_prose[] = {
    "Patient seen in clinic for follow-up of atrial fibrillation. ",
    "She reports intermittent chest pain and shortness of breath. ",
    "The insulin pump alarmed overnight and no delivery was observed. ",
    "No evidence of infection at the insertion site. ",
    "Device interrogation showed normal battery and lead impedance. ",
    "Blood glucose was 245 mg/dL at 0300 and 180 mg/dL at 0700. ",
    "The family history is notable for diabetes in her mother. ",
    "Plan: continue current therapy and return in 3 months. ",
    "The catheter was removed without difficulty; tip intact. ",
    "Denies fever, chills, nausea or vomiting. ",
    "Physical exam: alert and oriented, lungs clear, no edema. ",
    "The manufacturer was contacted and the device was returned. ",
};

static void s_digits(char *p, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (char)('0' + s_pick(10));
}

/* A valid GS1 HRI UDI or HIBCC UDI into out. */
static int s_udi(char *out, size_t cap)
{
    char gtin[15];
    if (s_pick(2)) {
        s_digits(gtin, 13);
        gtin[13] = (char)('0' + nlp_gs1_check_digit(gtin, 13));
        gtin[14] = '\0';
        return snprintf(out, cap, "(01)%s(17)2712%02u(10)A%04u", gtin,
                        1 + s_pick(28), s_pick(10000));
    }
    char h[32];
    int n = snprintf(h, sizeof h, "+H%03uPC%05u%u", s_pick(1000),
                     s_pick(100000), s_pick(10));
    return snprintf(out, cap, "%s%c", h, nlp_hibcc_check_char(h, (size_t)n));
}

static int s_ident(char *out, size_t cap)
{
    static const char *const months[] = {"January", "March",   "June",
                                         "Sept.",   "October", "Dec"};
    switch (s_pick(8)) {
    case 0: return snprintf(out, cap, "Model # MMT-%u. ", 500 + s_pick(300));
    case 1:
        return snprintf(out, cap, "Lot %06u was reviewed. ", s_pick(1000000));
    case 2: return snprintf(out, cap, "S/N PB%07u. ", s_pick(10000000));
    case 3:
        return snprintf(out, cap, "REF %u-%02u. ", s_pick(9000), s_pick(99));
    case 4:
        return snprintf(out, cap, "Implanted on %02u/%02u/20%02u. ",
                        1 + s_pick(12), 1 + s_pick(28), s_pick(26));
    case 5:
        return snprintf(out, cap, "Seen %s %u, 20%02u. ", months[s_pick(6)],
                        1 + s_pick(28), s_pick(26));
    case 6: {
        char u[64];
        s_udi(u, sizeof u);
        return snprintf(out, cap, "Label UDI %s on file. ", u);
    }
    default:
        return snprintf(out, cap, "Follow-up 2025-%02u-%02u. ", 1 + s_pick(12),
                        1 + s_pick(28));
    }
}

static void s_synthetic(struct s_corpus *c, size_t want)
{
    c->buf = malloc(want + 4096);
    if (!c->buf)
        exit(1);
    size_t used = 0;
    while (used < want) {
        size_t start = used, target = 800 + s_pick(450);
        while (used - start < target) {
            int n =
                s_pick(4) == 0
                    ? s_ident(c->buf + used, 256)
                    : snprintf(
                          c->buf + used, 256, "%s",
                          s_prose[s_pick(sizeof s_prose / sizeof s_prose[0])]);
            used += (size_t)n;
        }
        s_add(c, start, used - start);
    }
}

/* ---- measuring ---- */

typedef long (*s_round_fn)(const void *ctx, const struct s_corpus *c);

struct s_lib {
    const nlp_regex_t *re;
    nlp_regex_scratch_t *s;
    unsigned opts;
};

static long s_lib_round(const void *ctx, const struct s_corpus *c)
{
    const struct s_lib *l = ctx;
    long hits = 0;
    size_t n;
    for (size_t i = 0; i < c->n; i++) {
        struct ds_span t = {c->buf + c->off[i], c->len[i]};
        if (nlp_regex_scan(l->re, t, l->opts, l->s) != 0)
            exit(1);
        nlp_regex_hits(l->s, &n);
        hits += (long)n;
    }
    return hits;
}

/* Raw PCRE2: one code per kind, (*MARK) per branch, all matches. */
struct s_raw {
    pcre2_code *code[NLP_PAT_KIND_COUNT];
    pcre2_match_data *md;
    bool jit;
};

static long s_raw_round(const void *ctx, const struct s_corpus *c)
{
    const struct s_raw *r = ctx;
    long hits = 0;
    for (size_t i = 0; i < c->n; i++) {
        PCRE2_SPTR t = (PCRE2_SPTR)(c->buf + c->off[i]);
        for (int k = 0; k < NLP_PAT_KIND_COUNT; k++) {
            PCRE2_SIZE off = 0;
            while (r->code[k] && off <= c->len[i]) {
                int rc = r->jit ? pcre2_jit_match(r->code[k], t, c->len[i], off,
                                                  0, r->md, NULL)
                                : pcre2_match(r->code[k], t, c->len[i], off, 0,
                                              r->md, NULL);
                if (rc < 0)
                    break;
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
                hits++;
                off = ov[1] > off ? ov[1] : off + 1;
            }
        }
    }
    return hits;
}

static void s_raw_build(struct s_raw *r, const nlp_rules_t *rules, bool jit)
{
    size_t np;
    const struct nlp_pattern *p = nlp_rules_patterns(rules, &np);
    memset(r, 0, sizeof *r);
    r->jit = jit;
    for (int k = 0; k < NLP_PAT_KIND_COUNT; k++) {
        char src[16384];
        size_t n = (size_t)snprintf(src, sizeof src, "(?|");
        for (size_t i = 0; i < np; i++)
            if ((int)p[i].kind == k)
                n += (size_t)snprintf(src + n, sizeof src - n,
                                      "%s(*MARK:%zu)(?:%s)", n > 3 ? "|" : "",
                                      i, p[i].pattern);
        snprintf(src + n, sizeof src - n, ")");
        int err;
        PCRE2_SIZE at;
        r->code[k] = n > 3
                         ? pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                                         PCRE2_CASELESS, &err, &at, NULL)
                         : NULL;
        if (r->code[k] && jit)
            r->jit = r->jit &&
                     pcre2_jit_compile(r->code[k], PCRE2_JIT_COMPLETE) == 0;
    }
    r->md = pcre2_match_data_create(2, NULL);
}

static void s_raw_free(struct s_raw *r)
{
    for (int k = 0; k < NLP_PAT_KIND_COUNT; k++)
        pcre2_code_free(r->code[k]);
    pcre2_match_data_free(r->md);
}

static void s_row(const char *name, s_round_fn fn, const void *ctx,
                  const struct s_corpus *c)
{
    long hits = fn(ctx, c); /* warm-up */
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double t0 = s_now();
        hits = fn(ctx, c);
        double t = s_now() - t0;
        best = t < best ? t : best;
    }
    printf("  %-34s %9.1f MB/s %10.0f notes/s %8ld hits\n", name,
           (double)c->bytes / 1e6 / best, (double)c->n / best, hits);
}

static void s_corpus_rows(const struct s_corpus *c, const nlp_regex_t *jit,
                          const nlp_regex_t *interp, const nlp_rules_t *rules)
{
    char name[64];
    nlp_regex_scratch_t *s = nlp_regex_scratch_new();
    struct s_lib joined = {jit, s, 0}, naive = {jit, s, NLP_REGEX_NAIVE};
    struct s_lib ungated = {jit, s, NLP_REGEX_UNGATED};
    struct s_lib ijoined = {interp, s, 0},
                 inaive = {interp, s, NLP_REGEX_NAIVE};
    struct s_raw raw, iraw;
    printf("%s: %zu texts, %.1f MB, mean %.0f B\n", c->name, c->n,
           (double)c->bytes / 1e6, (double)c->bytes / (double)c->n);
    snprintf(name, sizeof name, "joined (%zu regexes)", nlp_regex_passes(jit));
    s_row(name, s_lib_round, &joined, c);
    s_row("joined, ungated", s_lib_round, &ungated, c);
    snprintf(name, sizeof name, "naive (%zu regexes)", nlp_regex_count(jit));
    s_row(name, s_lib_round, &naive, c);
    s_raw_build(&raw, rules, true);
    s_row(raw.jit ? "kind+MARK raw (6 regexes)" : "kind+MARK raw (NO JIT)",
          s_raw_round, &raw, c);
    s_row("joined, interpreter", s_lib_round, &ijoined, c);
    s_row("naive, interpreter", s_lib_round, &inaive, c);
    s_raw_build(&iraw, rules, false);
    s_row("kind+MARK raw, interpreter", s_raw_round, &iraw, c);
    s_raw_free(&raw);
    s_raw_free(&iraw);
    nlp_regex_scratch_destroy(&s);
}

int main(int argc, char **argv)
{
    const char *maude = argc > 1 ? argv[1]
                                 : "../shared/eval/maude/"
                                   "maude_uniform_sample_1k.tsv";
    double mb = argc > 2 ? atof(argv[2]) : 50;
    struct ds_diag d;
    nlp_rules_t *rules;
    nlp_regex_t *jit, *interp;
    if (nlp_rules_load(&rules, "rules", &d) != 0 ||
        nlp_regex_new(&jit, rules, 0, &d) != 0 ||
        nlp_regex_new(&interp, rules, NLP_REGEX_NO_JIT, &d) != 0) {
        fprintf(stderr, "bench_regex: %s:%d: %s\n", d.file, d.line, d.msg);
        return 1;
    }
    char v[64];
    pcre2_config(PCRE2_CONFIG_VERSION, v);
    printf("pcre2 %s, %zu patterns, JIT %s (rc %d)\n", v, nlp_regex_count(jit),
           nlp_regex_jit(jit) ? "on" : "off", nlp_regex_jit_rc(jit));
    struct s_corpus m = {.name = "MAUDE foi_text"}, s = {.name = "synthetic"};
    if (s_load_maude(&m, maude) == 0)
        s_corpus_rows(&m, jit, interp, rules);
    else
        printf("MAUDE: cannot read %s (skipped)\n", maude);
    s_synthetic(&s, (size_t)(mb * 1e6));
    s_corpus_rows(&s, jit, interp, rules);
    nlp_regex_destroy(&jit);
    nlp_regex_destroy(&interp);
    nlp_rules_destroy(&rules);
    free(m.buf), free(m.off), free(m.len);
    free(s.buf), free(s.off), free(s.len);
    return 0;
}
