/*
 * eng_plan.h - surveillance plans: which devices, which events, against
 * what comparator, over which risk window, tested how, and what happens
 * after a signal. Plans are data (rules/plans/<id>.plan), validated,
 * hashed and audited like the rule set.
 *
 * A plan file is UTF-8 text, one `key = value` per line (LF or CRLF),
 * '#' starts a comment at a line or value start or after a blank (so
 * "alpha = 0.01  # note" works; "Lot#4" keeps its '#'); list values are
 * separated by blanks or commas; an entry listed twice is an error. Each
 * key appears at most once. Keys (all but id/method optional):
 *
 *   id            [a-z0-9-]{1,63}, unique across the plan set
 *   title         free text shown to people
 *   devices.product_codes  FDA product codes (3 upper-case letters)
 *   devices.regulations    21 CFR regulation numbers ("870.3680"): every
 *                          product code of that regulation is in the group
 *   devices.brands         brand names (case-insensitive); '_' = blank
 *   devices.models         model numbers
 *   devices.udi_di         GS1 GTIN-14 device identifiers (check digit ok;
 *                          a GTIN-8/12/13 is stored zero-padded to 14)
 *   group_by      product_code | brand | model   (default product_code):
 *                 the device key of a cell
 *   events        IMDRF codes (Annex A, E, F, G); a code covers its
 *                 descendants through the hierarchy of rules/concepts
 *                 (A04 covers A0401 and A040101; Annex E has several
 *                 parents per code, each path counts); when several
 *                 listed codes cover a code, the first listed wins
 *   comparator    baseline | family   (family: other devices of the same
 *                 regulation numbers as the group)
 *   window_days   risk window after exposure, days (default 365)
 *   method        maxsprt-poisson | maxsprt-binomial | cusum-bernoulli |
 *                 disproportionality
 *   alpha, max_expected (T), min_events (M), delay (D)   MaxSPRT design
 *   baseline_rate  events per exposure within the window under H0
 *                 (maxsprt-poisson with comparator baseline, and
 *                 cusum-bernoulli's p0)
 *   max_events    binomial MaxSPRT length N, in events (default 100)
 *   z             binomial MaxSPRT: comparator exposures per device
 *                 exposure under H0 (default 1)
 *   odds_ratio, h  CUSUM: odds ratio to detect and control limit
 *   prr_min, chi2_min, a_min, ic025_min, eb05_min   disproportionality
 *                 thresholds (all that are set must hold; unset = off)
 *   after_signal  stay | rearm   (rearm: the cell watches again after its
 *                 alert is closed)
 *
 * A device is in the group when any list matches: product code (any
 * case), the regulation of its product code, brand or model (ASCII
 * case-insensitive), UDI-DI. A plan with empty device lists matches no
 * device; one without events covers no code.
 *
 * Errors: the first fault, as DS_ECONFIG with diag "file:line: why"
 * (line 0 for a missing id or method): unknown key, duplicate key, bad
 * value (with the accepted range), list over ENG_PLAN_LIST_MAX, bad
 * product code, regulation, IMDRF code or UDI-DI check digit, and the
 * method checks: maxsprt-poisson with comparator baseline needs
 * baseline_rate; maxsprt-binomial needs comparator family;
 * cusum-bernoulli needs baseline_rate < 1 and h; disproportionality needs
 * at least one threshold (reported on the method's line).
 * rules/plans/README.md is this format for safety teams.
 *
 * Ownership: eng_plan_set_t owns its plans; pointers returned by the
 * accessors stay valid until eng_plan_set_destroy().
 *
 * Not here: the per-cell statistics (eng_plan_stat.h), linking mentions
 * to devices (eng_link.h), storage.
 */
#ifndef DEVSURV_ENG_PLAN_H
#define DEVSURV_ENG_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#define ENG_PLAN_ID_MAX   64  /* id, incl. NUL */
#define ENG_PLAN_TEXT_MAX 128 /* title, brand, model, incl. NUL */
#define ENG_PLAN_CODE_MAX 16  /* an IMDRF code or regulation, incl. NUL */
#define ENG_PLAN_LIST_MAX 64  /* entries per list */

enum eng_plan_method {
    ENG_PLAN_MAXSPRT_POISSON = 0, /* observed vs rate x exposures */
    ENG_PLAN_MAXSPRT_BINOMIAL,    /* device vs comparator events */
    ENG_PLAN_CUSUM_BERNOULLI,     /* per exposure: event in window or not */
    ENG_PLAN_DISPROP              /* reports: 2x2 tables */
};

enum eng_plan_comparator { ENG_PLAN_BASELINE = 0, ENG_PLAN_FAMILY };
enum eng_plan_group {
    ENG_PLAN_BY_CODE = 0,
    ENG_PLAN_BY_BRAND,
    ENG_PLAN_BY_MODEL
};
enum eng_plan_after { ENG_PLAN_STAY = 0, ENG_PLAN_REARM };

struct eng_plan {
    char id[ENG_PLAN_ID_MAX];
    char title[ENG_PLAN_TEXT_MAX];
    char file[ENG_PLAN_TEXT_MAX]; /* "plans/<name>.plan", for provenance */

    /* device group: a device is in when any list matches */
    char product_codes[ENG_PLAN_LIST_MAX][4];
    size_t n_product_codes;
    char regulations[ENG_PLAN_LIST_MAX][ENG_PLAN_CODE_MAX];
    size_t n_regulations;
    char brands[ENG_PLAN_LIST_MAX][ENG_PLAN_TEXT_MAX];
    size_t n_brands;
    char models[ENG_PLAN_LIST_MAX][ENG_PLAN_TEXT_MAX];
    size_t n_models;
    char udi_di[ENG_PLAN_LIST_MAX][15];
    size_t n_udi_di;
    enum eng_plan_group group_by;

    /* events: each a code whose descendants it covers */
    char events[ENG_PLAN_LIST_MAX][ENG_PLAN_CODE_MAX];
    size_t n_events;

    enum eng_plan_comparator comparator;
    int64_t window_days;
    enum eng_plan_method method;
    enum eng_plan_after after;

    /* method parameters (unused ones keep their defaults) */
    double alpha;         /* default 0.05 */
    double max_expected;  /* T, default 20 */
    int64_t min_events;   /* M, default 1 */
    double delay;         /* D, default 0 */
    double baseline_rate; /* default 0 = unset (required where used) */
    int64_t max_events;   /* binomial N, default 100 */
    double z;             /* binomial controls per case, default 1 */
    double odds_ratio;    /* CUSUM, default 2 */
    double h;             /* CUSUM, default 0 = unset (required) */
    double prr_min, chi2_min, a_min, ic025_min, eb05_min; /* NAN = off */
};

/* What the engine knows about one device of an event or exposure. Spans
 * are borrowed; an empty span is unknown. */
struct eng_plan_device {
    struct ds_span product_code, brand, model, udi_di;
};

typedef struct eng_plan_set eng_plan_set_t;

/* Load every *.plan file under dir (not starting with '.', sorted by
 * name) and check each against the concepts of the rule tree rules_dir
 * (product codes and IMDRF codes must exist there; regulation numbers
 * must name at least one product code; comparator family needs a
 * regulation in the group); ids must be unique. 0, or DS_ECONFIG with
 * "dir/name.plan:line: why" in diag (may be NULL); DS_ENOTFOUND when dir
 * does not exist, DS_EIO, DS_ENOMEM. An empty directory gives an empty
 * set. rules_dir NULL skips the concept checks (then an event covers
 * only itself and no product code has a regulation). Caller owns *out;
 * free it with eng_plan_set_destroy(). */
int eng_plan_set_load(eng_plan_set_t **out, const char *dir,
                      const char *rules_dir, struct ds_diag *diag);

/* Parse one plan file's bytes (name is used in messages and as file;
 * diag may be NULL). 0, or DS_ECONFIG with *p left at the defaults. No
 * concept checks: that needs the set. */
int eng_plan_parse(struct eng_plan *p, const char *buf, size_t n,
                   const char *name, struct ds_diag *diag);

/* Free the set and NULL *self_p; safe on NULL. */
void eng_plan_set_destroy(eng_plan_set_t **self_p);

/* Number of plans, and plan i in file-name order (NULL when i >= count). */
size_t eng_plan_set_count(const eng_plan_set_t *self);
const struct eng_plan *eng_plan_set_get(const eng_plan_set_t *self, size_t i);

/* Index of the plan with this id, or SIZE_MAX when none. */
size_t eng_plan_set_find(const eng_plan_set_t *self, const char *id);

/* SHA-256 over the sorted file names and bytes, lower-case hex (65 bytes
 * with NUL), and the file list "a.plan b.plan" (borrowed). */
const char *eng_plan_set_sha256(const eng_plan_set_t *self);
const char *eng_plan_set_files(const eng_plan_set_t *self);

/* Is device d in plan p's group? self may be NULL (then no regulation is
 * known). */
bool eng_plan_device_in(const eng_plan_set_t *self, const struct eng_plan *p,
                        const struct eng_plan_device *d);

/* Is device d a comparator of plan p (comparator family: same regulation
 * as the group, not in the group)? false for comparator baseline. */
bool eng_plan_device_comparator(const eng_plan_set_t *self,
                                const struct eng_plan *p,
                                const struct eng_plan_device *d);

/* The device key of a cell for d under p's group_by (borrowed from d),
 * empty when d lacks that field. */
struct ds_span eng_plan_device_key(const struct eng_plan *p,
                                   const struct eng_plan_device *d);

/* The plan event code covering IMDRF code `code` (a pointer into
 * p->events), or NULL when none does. For a plan of the set this is one
 * binary search over precomputed codes, no allocation; for another plan
 * the hierarchy is walked (self NULL: the code itself only). */
const char *eng_plan_event_cover(const eng_plan_set_t *self,
                                 const struct eng_plan *p, struct ds_span code);

/* How many IMDRF codes of the rule tree p's events cover (each event, its
 * descendants); 0 when p is not one of the set's plans. */
size_t eng_plan_cover_count(const eng_plan_set_t *self,
                            const struct eng_plan *p);

/* The regulation number of a product code ("" when unknown; borrowed). */
const char *eng_plan_regulation(const eng_plan_set_t *self,
                                struct ds_span product_code);

/* The names used in plan files: "maxsprt-poisson", ...; "baseline" /
 * "family"; "product_code" / "brand" / "model"; "stay" / "rearm". "?" for
 * a value outside the enumeration. */
const char *eng_plan_method_name(enum eng_plan_method m);
const char *eng_plan_comparator_name(enum eng_plan_comparator c);
const char *eng_plan_group_name(enum eng_plan_group g);
const char *eng_plan_after_name(enum eng_plan_after a);

#endif
