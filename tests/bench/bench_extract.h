/*
 * bench_extract.h - what the files of bench_extract share (not a library
 * interface): the corpus buffer, the synthetic generator's record, the
 * row table, the per-row state, the set-up, and the functions each file
 * gives the others. bench_extract_main.c describes the program.
 */
#ifndef DEVSURV_BENCH_EXTRACT_H
#define DEVSURV_BENCH_EXTRACT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_tsv.h"
#include "devsurv/nlp_ac.h"
#include "devsurv/nlp_context.h"
#include "devsurv/nlp_extract.h"
#include "devsurv/nlp_regex.h"
#include "devsurv/nlp_rules.h"
#include "devsurv/nlp_text.h"
#include "devsurv/nlp_udi.h"

#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BX_SEED     0x5eedc0deu
#define BX_ROWS_MAX 12
#define BX_REPS     3 /* timed repeats per row; the fastest counts */
#define BX_NKIND    8 /* enum nlp_mention_kind values */
#define BX_N(a)     (sizeof(a) / sizeof((a)[0]))

struct bx_corpus {
    const char *name;
    char *buf;
    size_t len, cap;
    size_t *off, *n; /* note i is buf[off[i] .. off[i] + n[i]) */
    size_t count, ncap;
    size_t min_n, max_n;
    size_t passes; /* timed passes over the corpus */
};

/* What the generator wrote, and the rule-set terms it draws from. */
struct bx_gen {
    const struct nlp_term *terms;
    uint32_t *dev, *ev; /* active device-class / event terms usable */
    size_t ndev, nev;
    size_t slots[128]; /* per template code */
    size_t udi_bad;    /* UDIs written that nlp_udi_parse refuses */
    size_t lexicon_drawn;
};

struct bx_row {
    const char *what; /* "baseline" or "stage" */
    char name[48];
    size_t notes;
    double bytes, secs;
    bool lat;
    double p50_us, p99_us;
    double out;       /* per note */
    long long allocs; /* over every timed repeat; < 0: not counted */
    size_t alloc_notes;
    char target[40];
};

struct bx_table {
    struct bx_row rows[BX_ROWS_MAX];
    size_t n;
};

/* One row: prep (untimed), run (timed), post (untimed) for each note. */
struct bx_stage {
    const char *what, *name;
    int (*prep)(void *self, struct ds_span text);
    int (*run)(void *self, struct ds_span text, uint64_t *out);
    int (*post)(void *self, bool tally); /* tally: first timed repeat */
    bool per_note; /* time each note (else one wall-clock loop) */
    bool allocs;   /* ds_alloc counts mean something for this row */
};

struct bx_bench {
    uint64_t *lat, *spare; /* one per timed note: best repeat, current */
    double timer_ns;
};

struct bx_naive {
    pcre2_code **re;
    size_t n;
    pcre2_match_data *md;
    bool jit; /* every pattern JIT-compiled */
};

struct bx_dict {
    const nlp_ac_t *ac;
    struct nlp_ac_hits hits;
};

struct bx_re {
    const nlp_regex_t *re;
    nlp_regex_scratch_t *s;
};

/* The context row: nlp_x_context (nlp/nlp_extract_ctx.c) through the
 * public API, on the doc and mentions of an untimed nlp_extract_run. */
struct bx_ctxrow {
    const nlp_extract_t *x;
    const struct nlp_trigger *trig;
    const struct nlp_section *sec;
    size_t ntrig, nsec;
    struct nlp_result r; /* prep: the full run of the note */
    struct nlp_ctx ctx;
    struct nlp_ctx_hit *ch;
    struct nlp_ctx_target *tg;
    int32_t *sec_rule;
    size_t capch, captg, capsec;
    uint64_t mismatches; /* targets whose flags differ from the run's */
};

/* The full pipeline, with a tally of what it found in the timed passes. */
struct bx_full {
    const nlp_extract_t *x;
    struct nlp_result r;
    uint64_t kind[BX_NKIND], flag[NLP_CTX_NCAT], mentions;
};

struct bx_setup {
    nlp_rules_t *rules;
    nlp_extract_t *x;
    nlp_ac_t *terms, *subset; /* all terms; S_SUBSET of them */
    nlp_regex_t *re;
    struct bx_naive naive;
    size_t nterms, nsubset;
    double load_s, new_s;
};

struct bx_rows {
    struct bx_dict dict, sub;
    struct bx_re re;
    struct nlp_doc doc;
    struct bx_ctxrow ctx;
    struct bx_full full;
};
/* ---- bench_extract_corpus.c: the corpus owns buf, off and n ---- */

/* Append n bytes at p / the string s / printf output to the buffer. */
void bx_put(struct bx_corpus *c, const char *p, size_t n);
void bx_puts(struct bx_corpus *c, const char *s);
void bx_printf(struct bx_corpus *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The bytes from begin to the end of the buffer are one note. */
void bx_note_end(struct bx_corpus *c, size_t begin);
/* Note i, pointing into c's buffer (valid until the next append). */
struct ds_span bx_text(const struct bx_corpus *c, size_t i);
/* Free what c owns (not c itself). */
void bx_corpus_free(struct bx_corpus *c);
/* Append the foi_text of every record of the tsv at path (empty ones
 * left out). Absent file: 0 notes, a message, and 0; -1 on other errors. */
int bx_load_maude(struct bx_corpus *c, const char *path);

/* ---- bench_extract_synth.c ---- */

/* Fill g from the rule set (kept, not copied: rules must outlive g); g
 * owns dev and ev (free() both). */
void bx_gen_init(struct bx_gen *g, const nlp_rules_t *rules);
/* Reseed (BX_SEED) and append generated notes until c holds mb MB. */
void bx_gen_corpus(struct bx_corpus *c, struct bx_gen *g, double mb);
/* FNV-1a 64 of the corpus bytes: the same in every run and build. */
uint64_t bx_fnv(const struct bx_corpus *c);

/* ---- bench_extract_table.c ---- */

/* Measure stage st (state self) over c into a new row of tb; b's
 * latency buffers hold c->passes * c->count entries. 0 or -1. */
int bx_measure(struct bx_bench *b, struct bx_table *tb,
               const struct bx_corpus *c, const struct bx_stage *st,
               void *self);
/* The first row whose name starts with name, or NULL. */
struct bx_row *bx_find(struct bx_table *tb, const char *name);
/* Set r's target column to ">= want MB/s: met/below" (r NULL: nothing). */
void bx_target(struct bx_row *r, double want);
/* Print tb; %full relative to row full (NULL: no %full column values). */
void bx_print_table(const struct bx_table *tb, const struct bx_row *full);

/* ---- bench_extract_rows.c ---- */

/* Compile every identifier pattern of rules alone (the PCRE2 naive
 * baseline); nv owns them until bx_naive_close. 0 or -1. */
int bx_naive_open(struct bx_naive *nv, const nlp_rules_t *rules);
void bx_naive_close(struct bx_naive *nv);
/* Per-corpus row state over su's automata and regexes (borrowed: su must
 * outlive w); w owns its buffers until bx_rows_free. 0 or -1. */
int bx_rows_init(struct bx_rows *w, const struct bx_setup *su);
void bx_rows_free(struct bx_rows *w);
/* Measure every row on c into tb. 0 or -1. */
int bx_run_rows(struct bx_bench *b, struct bx_table *tb,
                const struct bx_corpus *c, struct bx_setup *su,
                struct bx_rows *w);

#endif
