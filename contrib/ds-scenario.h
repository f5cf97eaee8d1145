/*
 * ds-scenario.h - what the files of ds-scenario share (private to the tool,
 * not installed): the parsed scenario, the parser, the seeded generator and
 * the small pure helpers (PRNG, GS1 check digit, templates) that tests and
 * the fuzz target reach by including the .c files.
 *
 * Files: ds-scenario.c (main, options, truth TSV), ds-scenario-parse.c (the
 * scenario file -> struct dss_scenario, every error as file:line),
 * ds-scenario-util.c (xoshiro256** PRNG, GTIN-14 check digit, text
 * templates, ASCII upper-casing), ds-scenario-gen.c (patients, notes and
 * their times), ds-scenario-emit.c (event-time ordering and the JSON
 * envelope).
 *
 * Determinism: no libc rand, no floats printed, no locale (the program never
 * calls setlocale(), so strtod() reads '.' as the decimal point), own
 * calendar through eng_time. A device's draws come from a PRNG stream keyed
 * by (seed, device name, month), so adding, removing or reordering another
 * device does not change its events (their ids do change: ids number the
 * output lines).
 */
#ifndef DEVSURV_DS_SCENARIO_H
#define DEVSURV_DS_SCENARIO_H

#include "devsurv/ds_diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DSS_NAME_MAX     64  /* device / outcome / site names, bytes */
#define DSS_FIELD_MAX    128 /* brand, model, procedure code, term */
#define DSS_PROC_MAX     64  /* procedure.code (eng_event.h: 1..64) */
#define DSS_TEXT_MAX     512 /* one phrase or note template */
#define DSS_DEVICES_MAX  64
#define DSS_OUTCOMES_MAX 32
#define DSS_PHRASES_MAX  64        /* phrases per list */
#define DSS_MONTHS_MAX   600       /* fifty years */
#define DSS_IMPLANTS_MAX 1000000   /* per device and month */
#define DSS_WINDOW_MAX   3650      /* days */
#define DSS_FILE_MAX     (1 << 20) /* scenario file bytes */
#define DSS_YEAR_MAX                                                           \
    9988 /* last month ends by then: window + report                           \
            delay stay before 9999-12-31 */

/* The context a phrase is written in; DSS_AFFIRMED is the complication
 * itself, the others are distractors an extractor must flag. */
enum dss_ctx {
    DSS_AFFIRMED = 0,
    DSS_NEGATED,
    DSS_HISTORICAL,
    DSS_FAMILY,
    DSS_HYPOTHETICAL,
    DSS_NCTX
};

/* A list of phrase templates (placeholders {day} {brand} {model}). */
struct dss_phrases {
    char *v[DSS_PHRASES_MAX]; /* owned, NUL-terminated */
    size_t n;
};

struct dss_device {
    char name[DSS_NAME_MAX + 1];
    char product_code[4]; /* FDA product code, 3 letters A-Z */
    char brand[DSS_FIELD_MAX + 1];
    char model[DSS_FIELD_MAX + 1];
    char gtin[15];                    /* UDI-DI, GTIN-14, or "" */
    char procedure[DSS_PROC_MAX + 1]; /* procedure.code, or "" */
    char note[DSS_TEXT_MAX + 1];      /* implant note template */
    long implants;                    /* exposures per month */
    uint64_t key;                     /* FNV-1a of name: PRNG stream key */
    int line;                         /* of the section header */
};

/* One device's rates for one outcome: probability that an exposed patient
 * develops the outcome within the window. */
struct dss_rate {
    int device; /* index into dss_scenario.dev, resolved after parsing */
    char device_name[DSS_NAME_MAX + 1];
    double baseline, rate;
    char baseline_s[24], rate_s[24]; /* as written, for the truth TSV */
    int line;
};

struct dss_outcome {
    char name[DSS_NAME_MAX + 1];
    char code[10];                /* IMDRF code, e.g. E0505 */
    char term[DSS_FIELD_MAX + 1]; /* event.term, e.g. Hematoma */
    long window;                  /* days after the implant */
    struct dss_phrases ph[DSS_NCTX];
    struct dss_rate rates[DSS_DEVICES_MAX];
    size_t nrates;
    int line;
};

struct dss_scenario {
    uint64_t seed;
    int64_t start_ms; /* first day of the first month, 00:00Z */
    int year, month;  /* of start_ms */
    long months;
    char site[DSS_NAME_MAX + 1]; /* id prefix */
    double followup; /* share of other patients given follow-up notes */
    double caps;     /* share of notes written in ALL CAPS */
    double reports;  /* share of cases also reported (with --reports) */
    bool outcomes;   /* also emit coded "outcome" events for cases */
    struct dss_phrases uneventful;
    struct dss_device dev[DSS_DEVICES_MAX];
    size_t ndev;
    struct dss_outcome out[DSS_OUTCOMES_MAX];
    size_t nout;
};

/* ---- ds-scenario-parse.c ---- */

/* Parse text[0..n) (named name in diagnostics) into *sc, which the call
 * initialises (call dss_clear() afterwards whatever the result). Returns 0;
 * DS_EPARSE / DS_EINVAL / DS_ERANGE with diag "name:line: why"; DS_ENOMEM.
 * Never asserts on input. */
int dss_parse(struct dss_scenario *sc, const char *name, const char *text,
              size_t n, struct ds_diag *diag);

/* Free what dss_parse() allocated; *sc is zeroed. Safe twice. */
void dss_clear(struct dss_scenario *sc);

/* ---- ds-scenario-util.c ---- */

struct dss_rng {
    uint64_t s[4];
};

/* splitmix64 step: advances *x and returns the next output (Steele et al.,
 * "Fast splittable pseudorandom number generators", OOPSLA 2014). */
uint64_t dss_splitmix64(uint64_t *x);

/* Seed a xoshiro256** stream (Blackman and Vigna 2018) from the three keys
 * through splitmix64. */
void dss_rng_seed(struct dss_rng *r, uint64_t seed, uint64_t key, uint64_t sub);

uint64_t dss_rng_next(struct dss_rng *r);

/* Uniform in [0, n) without modulo bias (rejection); 0 when n == 0. */
uint64_t dss_rng_below(struct dss_rng *r, uint64_t n);

/* Uniform double in [0, 1) with 53 random bits. */
double dss_rng_unit(struct dss_rng *r);

/* FNV-1a 64 of s. */
uint64_t dss_fnv1a(const char *s);

/* A bijection on 48-bit values (odd multiply and xorshifts mod 2^48): the
 * patient pseudonym of patient number i is unique by construction. */
uint64_t dss_mix48(uint64_t x);

/* GS1 mod-10 check digit of the first 13 digits of d (GS1 General
 * Specifications 7.9.1). Returns '0'..'9', or 0 if a byte is not a digit. */
char dss_gtin_check(const char *d13);

/* Expand template t into buf (size cap, NUL-terminated, cut at cap - 1):
 * {day} -> day, {brand}, {model}. Unknown placeholders are copied as is
 * (the parser rejects them). Returns the length written. */
size_t dss_expand(const char *t, long day, const char *brand, const char *model,
                  char *buf, size_t cap);

/* true when t uses only the known placeholders; else *bad points at the
 * first unknown '{'. */
bool dss_template_ok(const char *t, const char **bad);

/* ASCII letters to upper case in place (UTF-8 bytes >= 0x80 untouched). */
void dss_upper(char *s);

/* ---- ds-scenario-emit.c ---- */

enum dss_kind { DSS_EXPOSURE, DSS_NOTE, DSS_OUTCOME, DSS_REPORT };

/* One event waiting for its place in event-time order. Strings point into
 * the scenario (device, outcome) or are owned (text). */
struct dss_event {
    int64_t time_ms;
    uint64_t seq; /* generation order: the stable tie-break */
    enum dss_kind kind;
    uint64_t patient;              /* pseudonym value; 0 = none */
    uint64_t encounter;            /* 0 = none */
    const struct dss_device *dev;  /* NULL = no device member */
    const struct dss_outcome *out; /* outcome events only */
    char udi_serial[16];           /* (21) serial for exposures, or "" */
    char *text;                    /* owned, or NULL */
};

typedef struct dss_emit dss_emit_t;

/* New emitter writing to f with ids "<site>-NNNNNNN". Returns NULL on
 * allocation failure. Caller owns it; free with dss_emit_destroy(). */
dss_emit_t *dss_emit_new(FILE *f, const char *site);
void dss_emit_destroy(dss_emit_t **self_p);

/* Queue *ev (its text is taken over; ev->seq is assigned here). Returns 0
 * or DS_ENOMEM (the text is freed either way on failure). */
int dss_emit_add(dss_emit_t *self, struct dss_event *ev);

/* Write, in (time, seq) order, every queued event with time < before_ms;
 * INT64_MAX flushes all. Returns 0, DS_EIO on a write error, DS_ENOMEM. */
int dss_emit_flush(dss_emit_t *self, int64_t before_ms);

/* Events written so far. */
uint64_t dss_emit_count(const dss_emit_t *self);

/* ---- ds-scenario-gen.c ---- */

/* Ground truth of one (month, device, outcome) cell: exposures implanted in
 * the month and how many of those patients develop the outcome. */
struct dss_truth {
    long exposures;
    long cases;
};

struct dss_gen_opts {
    bool reports; /* emit report events for a share of cases */
};

/* Generate the whole scenario into em (flushing month by month) and fill
 * truth[(month * ndev + device) * nout + outcome] (caller allocates
 * months * ndev * nout entries, zeroed). Returns 0 or a DS_E* code. */
int dss_generate(const struct dss_scenario *sc, const struct dss_gen_opts *opts,
                 dss_emit_t *em, struct dss_truth *truth);

#endif
