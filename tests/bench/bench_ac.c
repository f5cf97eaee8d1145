/*
 * bench_ac.c - throughput of the Aho-Corasick dictionary matcher
 * (nlp_ac.h) with a 5,000-term device lexicon, next to a plain memchr()
 * pass over the same bytes, measured in one process in the same run.
 *
 * Build and run from the repository root with the one-line command that
 * follows this comment (kept on one line, past 80 columns, on purpose).
 *
 * Arguments (all optional): [synthetic MB, default 50] [foiclass.txt]
 * [maude tsv]. Default data paths are /work/shared/eval/fda/foiclass.txt
 * and /work/shared/eval/maude/maude_uniform_sample_1k.tsv; a missing file
 * is skipped (the lexicon is then all generated).
 *
 * The lexicon: up to 2,500 real FDA device names (foiclass DEVICENAME,
 * "Pump, Infusion, Insulin" turned into natural order "Insulin Infusion
 * Pump"), the rest generated from a fixed seed (splitmix64) as modifier /
 * site / device / problem phrases ("implantable cardiac lead fracture"),
 * 5,000 distinct terms in all; the first five generated ones are
 * NLP_AC_NOBOUND suffixes ("ectomy").
 *
 * Corpora, each scanned note by note into one reused hit list (the
 * extraction pipeline's call pattern):
 *   maude      the 1,000 MAUDE narratives (foi_text), upper case, scanned
 *              in repeated passes to about 100 MB
 *   synthetic  ~1 KB clinical notes of whole sentences drawn from 16
 *              templates, 4 of which carry a random lexicon term (about
 *              one term per 250 bytes); one note in five upper case like
 *              an incident report; ~50 MB
 *   dense      lexicon terms only, one space apart: the output-heavy case
 * Rows: memchr (a byte that never occurs, every note), ac scan, and ac
 * scan + nlp_ac_longest. MB/s is the best of five timed runs after one
 * untimed pass (the best, because other load on a shared machine only
 * ever slows a run down); the allocation count during the timed runs is
 * printed (it must be 0). Also printed: build time and automaton size.
 *
 * Not here: judging the numbers (this prints, it never asserts), the
 * rest of the extraction pipeline (PCRE2, context), other machines.
 */
/* clang-format off */
/* mkdir -p build/release/bench && cc -std=c11 -O2 -g -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE tests/bench/bench_ac.c nlp/nlp_ac_build.c nlp/nlp_ac_trie.c nlp/nlp_ac_table.c nlp/nlp_ac_scan.c engine/ds_alloc.c engine/ds_diag.c engine/ds_err.c -ljemalloc -lm -o build/release/bench/bench_ac && build/release/bench/bench_ac */
/* clang-format on */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_ac.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define B_TERMS 5000
#define B_REAL  2500

/* ---- small utilities --------------------------------------------------- */

static uint64_t b_rng = 20260302;

static uint64_t b_next(void)
{
    uint64_t z = (b_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t b_below(size_t n)
{
    return (size_t)(b_next() % n);
}

static double b_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *b_xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "bench_ac: out of memory\n");
        exit(1);
    }
    return p;
}

/* Whole file into a NUL-terminated buffer, or NULL. */
static char *b_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 20, r;
    char *buf;
    if (!f)
        return NULL;
    buf = b_xrealloc(NULL, cap);
    *n = 0;
    while ((r = fread(buf + *n, 1, cap - *n - 1, f)) > 0)
        if ((*n += r) == cap - 1)
            buf = b_xrealloc(buf, cap *= 2);
    fclose(f);
    buf[*n] = '\0';
    return buf;
}

/* ---- texts: many byte strings in one buffer ---------------------------- */

struct b_texts {
    char *buf;
    size_t n, cap;
    size_t *off; /* text i is buf[off[i] .. off[i + 1]) */
    size_t count, ocap;
};

static void b_put(struct b_texts *t, const char *p, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        while (t->n + n + 1 > t->cap)
            t->cap = t->cap ? 2 * t->cap : 1 << 16;
        t->buf = b_xrealloc(t->buf, t->cap);
    }
    memcpy(t->buf + t->n, p, n);
    t->n += n;
}

/* End the current text (the next b_put starts a new one). */
static void b_end(struct b_texts *t)
{
    if (t->count + 2 > t->ocap) {
        t->ocap = t->ocap ? 2 * t->ocap : 1024;
        t->off = b_xrealloc(t->off, t->ocap * sizeof *t->off);
    }
    if (t->count == 0)
        t->off[0] = 0;
    t->off[++t->count] = t->n;
}

static struct ds_span b_text(const struct b_texts *t, size_t i)
{
    struct ds_span s = {t->buf + t->off[i], t->off[i + 1] - t->off[i]};
    return s;
}

static void b_free(struct b_texts *t)
{
    free(t->buf);
    free(t->off);
}

/* ---- the lexicon ------------------------------------------------------- */

static const char *b_mod[] = {
    "implantable", "external",     "disposable",     "reusable",
    "powered",     "manual",       "portable",       "wearable",
    "pediatric",   "temporary",    "permanent",      "bipolar",
    "unipolar",    "dual chamber", "single chamber", "drug eluting",
    "bare metal",  "coated",       "sterile",        "percutaneous"};
static const char *b_site[] = {
    "cardiac", "spinal",   "cochlear",   "intraocular", "vascular",
    "urinary", "biliary",  "coronary",   "femoral",     "tibial",
    "dental",  "uterine",  "peritoneal", "epidural",    "gastric",
    "nasal",   "arterial", "venous",     "cranial",     "hip"};
static const char *b_dev[] = {
    "pump",          "catheter",     "stent",     "lead",    "pacemaker",
    "defibrillator", "stimulator",   "valve",     "implant", "prosthesis",
    "sensor",        "meter",        "monitor",   "port",    "shunt",
    "graft",         "screw",        "plate",     "rod",     "mesh",
    "balloon",       "needle",       "syringe",   "tubing",  "electrode",
    "generator",     "infusion set", "reservoir", "cannula", "filter"};
static const char *b_prob[] = {
    "fracture",    "failure",       "occlusion",    "leak",
    "migration",   "malfunction",   "alarm",        "dislodgement",
    "infection",   "erosion",       "depletion",    "breakage",
    "kinking",     "disconnection", "overheating",  "corrosion",
    "perforation", "thrombosis",    "displacement", "loosening"};
static const char *b_suffix[] = {"ectomy", "otomy", "plasty", "itis", "emia"};

#define B_N(a) (sizeof(a) / sizeof((a)[0]))

struct b_lex {
    struct b_texts terms;
    uint64_t seen[16384]; /* FNV-1a hashes of the terms, 0 = empty */
    size_t nb_first;      /* terms [nb_first, nb_first + 5) are NOBOUND */
};

static uint64_t b_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 1099511628211u;
    }
    return h ? h : 1;
}

/* Add p[0..n) unless already there (case-insensitive). */
static bool b_lex_add(struct b_lex *x, const char *p, size_t n)
{
    uint64_t h = b_hash(p, n);
    size_t i = (size_t)h % B_N(x->seen);
    while (x->seen[i] && x->seen[i] != h)
        i = (i + 1) % B_N(x->seen);
    if (x->seen[i] || n == 0 || x->terms.count >= B_TERMS)
        return false;
    x->seen[i] = h;
    b_put(&x->terms, p, n);
    b_end(&x->terms);
    return true;
}

/* "Pump, Infusion, Insulin" -> "Insulin Infusion Pump" into out. */
static size_t b_natural(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0, end = n;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && p[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        while (a < b && p[a] == ' ')
            a++;
        if (a < b && k + (b - a) + 1 < cap) {
            if (k)
                out[k++] = ' ';
            memcpy(out + k, p + a, b - a);
            k += b - a;
        }
        end = start ? start - 1 : 0;
    }
    return k;
}

/* Field i ('|'-separated, 0-based) of the line at p, or NULL. */
static const char *b_field(const char *p, int i, size_t *n)
{
    for (; i > 0; i--) {
        p += strcspn(p, "|\n");
        if (*p != '|')
            return NULL;
        p++;
    }
    *n = strcspn(p, "|\r\n");
    return p;
}

/* DEVICENAME (field 3) of each foiclass row, in natural order. */
static void b_lex_real(struct b_lex *x, const char *path)
{
    size_t n, fn;
    char *buf = b_slurp(path, &n), name[512];
    const char *line = buf ? strchr(buf, '\n') : NULL; /* skip header */
    for (; line && *++line && x->terms.count < B_REAL;
         line = strchr(line, '\n')) {
        const char *f = b_field(line, 3, &fn);
        if (f && fn > 0)
            b_lex_add(x, name, b_natural(f, fn, name, sizeof name));
    }
    free(buf);
}

static void b_lex_generated(struct b_lex *x)
{
    char t[256];
    x->nb_first = x->terms.count;
    for (size_t i = 0; i < B_N(b_suffix); i++)
        b_lex_add(x, b_suffix[i], strlen(b_suffix[i]));
    while (x->terms.count < B_TERMS) {
        const char *m = b_mod[b_below(B_N(b_mod))];
        const char *s = b_site[b_below(B_N(b_site))];
        const char *d = b_dev[b_below(B_N(b_dev))];
        const char *p = b_prob[b_below(B_N(b_prob))];
        int n;
        switch (b_below(5)) {
        case 0: n = snprintf(t, sizeof t, "%s %s %s", m, s, d); break;
        case 1: n = snprintf(t, sizeof t, "%s %s", s, d); break;
        case 2: n = snprintf(t, sizeof t, "%s %s", d, p); break;
        case 3: n = snprintf(t, sizeof t, "%s %s %s", s, d, p); break;
        default: n = snprintf(t, sizeof t, "%s %s %s %s", m, s, d, p); break;
        }
        b_lex_add(x, t, (size_t)n);
    }
}

/* Compile the lexicon; print build time and size. */
static nlp_ac_t *b_build(const struct b_lex *x)
{
    struct ds_diag d;
    struct nlp_ac_info info;
    struct rusage r0, r1;
    nlp_ac_t *ac = NULL;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = b_now();
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    for (size_t i = 0; b && i < x->terms.count; i++) {
        unsigned fl = i - x->nb_first < B_N(b_suffix) ? NLP_AC_NOBOUND : 0;
        if (nlp_ac_builder_add(b, b_text(&x->terms, i), (uint32_t)i, fl, &d))
            fprintf(stderr, "bench_ac: term %zu: %s\n", i, d.msg);
    }
    if (!b || nlp_ac_build(&ac, &b, &d) != 0) {
        fprintf(stderr, "bench_ac: build failed: %s\n", b ? d.msg : "oom");
        exit(1);
    }
    double t1 = b_now();
    getrusage(RUSAGE_SELF, &r1);
    nlp_ac_info(ac, &info);
    printf("lexicon: %zu terms (%zu from foiclass), build %.1f ms, "
           "peak RSS +%ld KB\n",
           info.terms, x->nb_first, (t1 - t0) * 1e3,
           r1.ru_maxrss - r0.ru_maxrss);
    printf("automaton: %zu states (%zu dense rows x %zu classes, "
           "%zu-byte entries; the rest sparse), %.2f MB\n",
           info.states, info.dense, info.classes, info.entry_bytes,
           (double)info.bytes / 1048576.0);
    return ac;
}

/* ---- corpora ----------------------------------------------------------- */

/* One CSV-style TSV field at *p (quotes doubled inside quoted fields)
 * appended to t; returns the delimiter that ended it (tab, newline, NUL). */
static char b_tsv_field(const char **p, struct b_texts *t, bool keep)
{
    const char *s = *p;
    if (*s == '"') {
        for (s++; *s && !(s[0] == '"' && s[1] != '"'); s++) {
            if (keep)
                b_put(t, s, 1);
            s += s[0] == '"';
        }
        s += *s == '"';
    } else {
        size_t n = strcspn(s, "\t\r\n");
        if (keep)
            b_put(t, s, n);
        s += n;
    }
    s += *s == '\r';
    *p = *s ? s + 1 : s;
    return *s;
}

/* The foi_text column (index 13) of every row. */
static void b_maude(const char *path, struct b_texts *t)
{
    size_t n;
    char *buf = b_slurp(path, &n);
    const char *p = buf ? buf + strcspn(buf, "\n") + (buf[0] != 0) : NULL;
    while (p && *p) {
        int col = 0;
        char end;
        do
            end = b_tsv_field(&p, t, col == 13);
        while (col++, end == '\t');
        b_end(t);
    }
    free(buf);
}

/* Sentence templates; "@" stands for a lexicon term. Words such as cardiac,
 * pump or lead start many terms, so the automaton walks partway into the
 * trie often, as it does on real notes. */
static const char *b_sent[] = {
    "Patient seen in clinic today after @ placement.",
    "No fever, chills or night sweats; appetite good.",
    "Cardiac exam: regular rate and rhythm, no murmur, rub or gallop.",
    "Interrogation of the @ showed normal impedance and sensing.",
    "Insulin pump alarm overnight, glucose 14.2 mmol/L, corrected.",
    "Denies chest pain, dyspnoea or palpitations since the last visit.",
    "Wound at the lead site clean and dry; sutures removed.",
    "Suspected @; device returned to the manufacturer for analysis.",
    "BP 132/84, HR 71, SpO2 97 % on room air, afebrile.",
    "Spinal exam unremarkable, power 5/5 in all limbs, reflexes normal.",
    "Plan: continue current dose, review in six weeks, sooner if needed.",
    "Port flushed without resistance, blood return present.",
    "History of @, stable on follow-up.",
    "Family present and updated; questions answered.",
    "Catheter site without erythema, tenderness or discharge.",
    "Labs: Hb 128 g/L, WCC 7.4, CRP 3, creatinine 88 umol/L."};

/* One ~1 KB note of whole sentences. */
static void b_note(struct b_texts *t, const struct b_lex *x, bool upper)
{
    size_t start = t->n;
    while (t->n - start < 1000) {
        const char *s = b_sent[b_below(B_N(b_sent))], *at = strchr(s, '@');
        struct ds_span term = b_text(&x->terms, b_below(x->terms.count));
        b_put(t, s, at ? (size_t)(at - s) : strlen(s));
        if (at) {
            b_put(t, term.p, term.n);
            b_put(t, at + 1, strlen(at + 1));
        }
        b_put(t, b_below(6) ? " " : "\n", 1);
    }
    for (size_t i = start; upper && i < t->n; i++)
        if (t->buf[i] >= 'a' && t->buf[i] <= 'z')
            t->buf[i] = (char)(t->buf[i] - 32);
    b_end(t);
}

static void b_synthetic(struct b_texts *t, const struct b_lex *x, size_t mb)
{
    while (t->n < mb << 20)
        b_note(t, x, b_below(5) == 0);
}

/* Lexicon terms one space apart, ~1 KB per text. */
static void b_dense(struct b_texts *t, const struct b_lex *x, size_t mb)
{
    while (t->n < mb << 20) {
        size_t start = t->n;
        while (t->n - start < 1000) {
            struct ds_span w = b_text(&x->terms, b_below(x->terms.count));
            b_put(t, w.p, w.n);
            b_put(t, " ", 1);
        }
        b_end(t);
    }
}

/* ---- timing ------------------------------------------------------------ */

enum { R_MEMCHR, R_SCAN, R_LONGEST };

/* One pass of row kind over every text; returns hits (or bytes seen). */
static size_t b_pass(int kind, const nlp_ac_t *ac, const struct b_texts *t,
                     struct nlp_ac_hits *hits)
{
    size_t total = 0;
    for (size_t i = 0; i < t->count; i++) {
        struct ds_span s = b_text(t, i);
        if (kind == R_MEMCHR) {
            const char *q = memchr(s.p, 0x01, s.n);
            total += q ? (size_t)(q - s.p) : s.n;
            continue;
        }
        if (nlp_ac_scan(ac, s, hits) != 0)
            exit(1);
        total += kind == R_LONGEST ? nlp_ac_longest(hits->v, hits->n) : hits->n;
    }
    return total;
}

#define B_RUNS 5

static volatile size_t b_sink; /* keeps the passes' results alive */

/* Best MB/s of B_RUNS timed runs, each of whole passes over t repeated to
 * at least min_mb, after one untimed pass. *out: hits (or hits kept) in
 * one pass; *allocs: ds_alloc calls during the timed runs. */
static double b_time(int kind, const nlp_ac_t *ac, const struct b_texts *t,
                     size_t min_mb, size_t *out, uint64_t *allocs)
{
    struct nlp_ac_hits hits;
    struct ds_alloc_stats a0, a1;
    size_t reps = ((min_mb << 20) + t->n - 1) / t->n;
    double best = 0;
    nlp_ac_hits_init(&hits);
    *out = b_pass(kind, ac, t, &hits);
    ds_alloc_stats(&a0);
    for (int run = 0; run < B_RUNS; run++) {
        double t0 = b_now();
        for (size_t r = 0; r < (reps ? reps : 1); r++)
            b_sink += b_pass(kind, ac, t, &hits);
        double mbs = (double)t->n * (double)(reps ? reps : 1) / 1048576.0 /
                     (b_now() - t0);
        best = mbs > best ? mbs : best;
    }
    ds_alloc_stats(&a1);
    *allocs = a1.allocs - a0.allocs;
    nlp_ac_hits_clear(&hits);
    return best;
}

static void b_rows(const char *name, const nlp_ac_t *ac,
                   const struct b_texts *t, size_t min_mb)
{
    static const char *rows[] = {"memchr", "ac scan", "ac scan+longest"};
    double base = 0;
    if (t->count == 0) {
        printf("%-9s (no data)\n", name);
        return;
    }
    for (int k = R_MEMCHR; k <= R_LONGEST; k++) {
        size_t out;
        uint64_t allocs;
        double mbs = b_time(k, ac, t, min_mb, &out, &allocs);
        base = k == R_MEMCHR ? mbs : base;
        printf("%-9s %6zu %6.1f  %-15s %9.1f %9.4f %8zu %6llu\n", name,
               t->count, (double)t->n / 1048576.0, rows[k], mbs, mbs / base,
               k == R_MEMCHR ? 0 : out, (unsigned long long)allocs);
    }
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 50;
    const char *foi = argc > 2 ? argv[2] : "/work/shared/eval/fda/foiclass.txt";
    const char *maude = argc > 3 ? argv[3]
                                 : "/work/shared/eval/maude/"
                                   "maude_uniform_sample_1k.tsv";
    static struct b_lex lex;
    struct b_texts m = {0}, syn = {0}, dense = {0};
    b_lex_real(&lex, foi);
    b_lex_generated(&lex);
    nlp_ac_t *ac = b_build(&lex);
    b_maude(maude, &m);
    b_synthetic(&syn, &lex, mb ? mb : 1);
    b_dense(&dense, &lex, 10);
    printf("MB/s: best of %d timed runs after a warm-up; hits: per pass "
           "(kept, for +longest);\nallocs: ds_alloc calls in the timed "
           "runs\n\n%-9s %6s %6s  %-15s %9s %9s %8s %6s\n",
           B_RUNS, "corpus", "texts", "MB", "row", "MB/s", "x memchr", "hits",
           "allocs");
    b_rows("maude", ac, &m, 100);
    b_rows("synthetic", ac, &syn, mb);
    b_rows("dense", ac, &dense, 10);
    nlp_ac_destroy(&ac);
    b_free(&m);
    b_free(&syn);
    b_free(&dense);
    b_free(&lex.terms);
    return 0;
}
