/*
 * bench_extract.c - throughput of text extraction (nlp_extract_run) and of
 * each of its stages, next to two baselines measured in the same run on
 * the same bytes (`make bench`, tests/bench/run.sh).
 *
 * Set-up, each timed once: nlp_rules_load of rules/ (one load, files from
 * the page cache), then nlp_extract_new (the term and trigger automata and
 * the identifier regexes), then the bench's own copies of what the
 * extractor builds (rows "dictionary" and "regex" below).
 *
 * Corpora (argv: [synthetic MB, default 50] [MAUDE tsv]):
 *   maude      the foi_text column of ../shared/eval/maude/
 *              maude_uniform_sample_1k.tsv read with eng_tsv (1,000
 *              upper-case narratives, ~0.48 MB), timed over as many passes
 *              as make ~10 MB; skipped, with a message, when absent
 *   synthetic  ~1 KB clinical notes generated from a fixed seed
 *              (splitmix64): section headings, device and adverse-event
 *              phrases (a curated list, and terms drawn from the rule
 *              set's own lexicon), negations and other ConText cues,
 *              model, lot and serial numbers, dates, GS1 and HIBCC UDIs
 *              with valid check characters, de-identification tokens, and
 *              plain sentences between them: a few mentions per note
 *              (about 8 per KB with the dates, near MAUDE's 7), not
 *              packed; one pass per timed repeat
 *
 * Rows, each over every note of the corpus, one note at a time:
 *   memchr        baseline: memchr() for '.' over the note, counting them;
 *                 the cost of reading the bytes once
 *   PCRE2 naive   baseline: every identifier pattern of the rule set
 *                 compiled alone (caseless, JIT) and run one after another
 *                 over the note, every match of each; no validation
 *   dictionary    nlp_ac_scan with an automaton built here from
 *                 nlp_rules_terms() as nlp_extract_new builds its own (the
 *                 extractor has no accessor for it): every hit, overlapping
 *                 ones included; no selection, no mentions
 *   dictionary 5k the same with 5,000 of the terms (every k-th in rule-file
 *                 order): the lexicon size of the target
 *   regex         nlp_regex_scan, joined mode as the extractor runs it,
 *                 with a regex built here as nlp_extract_new builds its
 *                 own: scan and validation
 *   udi           nlp_udi_find + nlp_udi_parse over the note
 *   split         nlp_doc_split (tokens, sentences, sections)
 *   context       what nlp_extract_run does once the mentions are found:
 *                 the trigger automaton's scan (nlp_extract_triggers),
 *                 trigger hits and mentions turned into token ranges,
 *                 section headings matched to the rule set's, and
 *                 nlp_context_apply. Not the split. Its input (the split
 *                 note and the mentions) comes from an untimed
 *                 nlp_extract_run of the same note just before, so the
 *                 note is in cache; the flags must equal that run's
 *   full          nlp_extract_run: split, dictionary, udi, regex and
 *                 context as above, plus leftmost-longest selection, the
 *                 de-identification and ambiguity filters, building and
 *                 sorting the mentions
 * Each row first makes one untimed pass over every note of the corpus
 * (the warm-up: buffers grown to the largest note, caches and branch
 * predictors trained), then S_REPS timed repeats of its passes, and shows
 * the fastest (other load on a shared machine only ever slows a repeat
 * down). memchr is timed as one wall-clock loop; every other row note by
 * note with a clock_gettime pair (its cost is printed), its seconds being
 * the sum of the per-note times, so p50/p99 are per note (from the
 * fastest repeat). One thread: MB/s and notes/s are per core. MB are
 * note-text bytes (10^6). out/note is what the row finds per note; %full
 * is the row's seconds over the full pipeline's; allocs are ds_alloc calls
 * during all timed repeats.
 *
 * Checked (exit 1 when a check fails, or when anything fails to load or
 * run): no ds_alloc call during the full pipeline's timed passes (the
 * "0 allocations per note after warm-up" requirement); each corpus gives
 * mentions; the context row's flags equal nlp_extract_run's; every UDI the
 * generator wrote parses and the synthetic corpus gives UDI mentions.
 * Speed is printed next to the targets (full >= 50 MB/s on MAUDE,
 * dictionary >= 250 MB/s with 5,000 terms, rules loaded < 1 s), never
 * enforced.
 *
 * Not here: several threads, the engine around the extractor (decode,
 * store: bench_stages.c), accuracy (tests/eval), other lexicons
 * (bench_ac.c) and other regex layouts (bench_regex.c).
 */
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

#define S_SEED       0x5eedc0deu
#define S_DEFAULT_MB 50
#define S_MAUDE_MB   10.0 /* timed bytes of a MAUDE row, in passes */
#define S_SUBSET     5000
#define S_RULES_DIR  "rules"
#define S_MAUDE_TSV  "../shared/eval/maude/maude_uniform_sample_1k.tsv"
#define S_ROWS_MAX   12
#define S_REPS       3   /* timed repeats per row; the fastest counts */
#define S_NOTE_MIN   800 /* synthetic note length: MIN + [0, SPAN) bytes */
#define S_NOTE_SPAN  500
#define S_NKIND      8 /* enum nlp_mention_kind values */
#define S_N(a)       (sizeof(a) / sizeof((a)[0]))

/* Targets of the issue. */
#define S_T_FULL_MBS 50.0
#define S_T_DICT_MBS 250.0
#define S_T_LOAD_S   1.0

static int s_fail(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int s_fail(const char *what, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bench_extract: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

static void *s_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "bench_extract: out of memory\n");
        exit(1);
    }
    return q;
}

static uint64_t s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Mean cost of one clock_gettime pair, in ns (the per-note overhead). */
static double s_timer_ns(void)
{
    enum { K = 100000 };
    uint64_t t0 = s_now_ns(), sink = 0;
    for (int i = 0; i < K; i++)
        sink += s_now_ns() - s_now_ns();
    (void)sink;
    return (double)(s_now_ns() - t0) / K;
}

static int s_grow(void **v, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *p = ds_realloc(*v, c * sz);
    if (!p)
        return DS_ENOMEM;
    *v = p;
    *cap = c;
    return 0;
}

/* ---- corpora: notes in one buffer ---- */

struct s_corpus {
    const char *name;
    char *buf;
    size_t len, cap;
    size_t *off, *n; /* note i is buf[off[i] .. off[i] + n[i]) */
    size_t count, ncap;
    size_t min_n, max_n;
    size_t passes; /* timed passes over the corpus */
};

static void s_reserve(struct s_corpus *c, size_t more)
{
    if (c->len + more <= c->cap)
        return;
    size_t cap = c->cap ? c->cap : 1u << 20;
    while (cap < c->len + more)
        cap *= 2;
    c->buf = s_xrealloc(c->buf, cap);
    c->cap = cap;
}

static void s_put(struct s_corpus *c, const char *p, size_t n)
{
    s_reserve(c, n);
    memcpy(c->buf + c->len, p, n);
    c->len += n;
}

static void s_puts(struct s_corpus *c, const char *s)
{
    s_put(c, s, strlen(s));
}

static void s_printf(struct s_corpus *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void s_printf(struct s_corpus *c, const char *fmt, ...)
{
    va_list ap;
    s_reserve(c, 256);
    va_start(ap, fmt);
    int k = vsnprintf(c->buf + c->len, c->cap - c->len, fmt, ap);
    va_end(ap);
    if (k > 0 && (size_t)k >= c->cap - c->len) {
        s_reserve(c, (size_t)k + 1);
        va_start(ap, fmt);
        k = vsnprintf(c->buf + c->len, c->cap - c->len, fmt, ap);
        va_end(ap);
    }
    c->len += k > 0 ? (size_t)k : 0;
}

/* The bytes from begin to the end of the buffer are one note. */
static void s_note_end(struct s_corpus *c, size_t begin)
{
    size_t n = c->len - begin;
    if (c->count == c->ncap) {
        c->ncap = c->ncap ? 2 * c->ncap : 1024;
        c->off = s_xrealloc(c->off, c->ncap * sizeof *c->off);
        c->n = s_xrealloc(c->n, c->ncap * sizeof *c->n);
    }
    c->off[c->count] = begin;
    c->n[c->count++] = n;
    c->min_n = c->count == 1 || n < c->min_n ? n : c->min_n;
    c->max_n = n > c->max_n ? n : c->max_n;
}

static struct ds_span s_text(const struct s_corpus *c, size_t i)
{
    return (struct ds_span){c->buf + c->off[i], c->n[i]};
}

static void s_corpus_free(struct s_corpus *c)
{
    free(c->buf);
    free(c->off);
    free(c->n);
}

/* The foi_text of every record (empty ones left out). Absent file: 0
 * notes and a message. */
static int s_load_maude(struct s_corpus *c, const char *path)
{
    const struct ds_span *f;
    size_t nf, empty = 0;
    struct ds_diag diag;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        printf("maude: skipped: cannot open %s (%s); the shared evaluation "
               "data is not next to the repository\n\n",
               path, strerror(errno));
        return 0;
    }
    eng_tsv_t *tsv = eng_tsv_new_file(path, fp);
    ds_diag_clear(&diag);
    int rc = tsv ? eng_tsv_next(tsv, &f, &nf, &diag) : DS_ENOMEM;
    long col = rc == 1 ? eng_tsv_find(f, nf, "foi_text") : -1;
    while (col >= 0 && (rc = eng_tsv_next(tsv, &f, &nf, &diag)) == 1) {
        if ((size_t)col >= nf || f[col].n == 0) {
            empty++;
            continue;
        }
        size_t begin = c->len;
        s_put(c, f[col].p, f[col].n);
        s_note_end(c, begin);
    }
    eng_tsv_destroy(&tsv);
    fclose(fp);
    if (rc < 0)
        rc = s_fail("maude", "%s", diag.msg[0] ? diag.msg : ds_strerror(rc));
    else if (col < 0)
        rc = s_fail("maude", "%s: no foi_text column", path);
    else if (c->count == 0)
        rc = s_fail("maude", "%s: no foi_text read", path);
    if (rc == 0 && empty)
        printf("maude: %zu records with an empty foi_text left out\n", empty);
    return rc;
}

/* ---- the synthetic corpus ---- */

static uint64_t s_rng_state;

static uint64_t s_rng(void)
{
    uint64_t z = (s_rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static unsigned s_pick(size_t n)
{
    return (unsigned)(s_rng() % n);
}

static const char *const s_devices[] = {
    "insulin pump",
    "pacemaker",
    "implantable cardioverter defibrillator",
    "ICD",
    "drug-eluting stent",
    "coronary stent",
    "infusion pump",
    "continuous glucose monitor",
    "spinal cord stimulator",
    "cochlear implant",
    "heart valve",
    "glucose meter",
    "catheter",
    "hip prosthesis",
    "breast implant",
    "central venous catheter",
};

static const char *const s_events[] = {
    "hematoma",
    "infection",
    "bleeding",
    "pain",
    "hypoglycemia",
    "hyperglycemia",
    "thrombosis",
    "fever",
    "arrhythmia",
    "lead fracture",
    "premature battery depletion",
    "dislodgement",
    "skin irritation",
    "inappropriate shock",
    "wound infection",
    "dizziness",
    "chest pain",
    "swelling",
    "nausea",
    "shortness of breath",
    "syncope",
    "deep vein thrombosis",
    "pulmonary embolism",
    "occlusion",
    "leak",
};

static const char *const s_components[] = {
    "battery", "lead", "sensor", "tubing", "reservoir", "cannula", "electrode",
};

static const char *const s_months[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

/* Sentences with no slot, the bulk of a note. */
static const char *const s_plain[] = {
    "Seen in clinic today accompanied by her daughter.",
    "Vital signs stable, afebrile, blood pressure 128/76 mmHg, heart rate "
    "72.",
    "Remote monitoring transmission received and reviewed with the "
    "patient.",
    "Tolerating a regular diet and walking independently on the ward.",
    "Sleeping well, appetite good, weight stable at 78 kg.",
    "Discussed the findings with the attending physician; the patient "
    "agrees with the plan.",
    "Questions answered, written information given.",
    "Labs reviewed: potassium 4.1, creatinine 0.9, hemoglobin 12.8.",
    "Continue current medications and follow up in the device clinic in "
    "three months.",
    "Heart regular rate and rhythm, lungs clear to auscultation.",
    "Abdomen soft and non-tender, bowel sounds present.",
    "Alert and oriented, speech fluent, moves all four limbs.",
    "Insertion site clean and dry, dressing changed.",
    "Patient education provided on the care of the site.",
    "Glucose log reviewed, readings mostly between 6 and 10 mmol/L.",
    "Plan discussed with the patient and her family at the bedside.",
    "Next review in six weeks with a repeat blood test beforehand.",
    "Physiotherapy to continue twice a week.",
    "Hypertension, type 2 diabetes and hyperlipidemia.",
    "Metformin 500 mg twice daily, lisinopril 10 mg daily.",
    "Aspirin 81 mg daily and atorvastatin 40 mg at night.",
};

/* Templates: %D device, %E event, %C component, %M model, %L lot, %S
 * serial, %U UDI, %T date, %Y year, %N de-identification token. */
static const char *const s_cc[] = {
    "%E for two days.",
    "Follow-up of the %D.",
    "Alarm from the %D at home.",
};

static const char *const s_hpi[] = {
    "Patient with a %D implanted on %T presents for follow-up.",
    "Reports %E since the last visit, worse at night.",
    "The %D alarmed twice overnight and the %C was replaced.",
    "Suspected malfunction of the %D with %E.",
    "%N called the clinic on %T about %E near the %D site.",
    "No %E at the insertion site.",
    "There was no patient injury reported.",
    "Possible %E, unclear whether related to the %D.",
};

static const char *const s_pmh[] = {
    "History of %E in %Y.",
    "Status post %D placement in %Y.",
    "Prior %E after a procedure in %Y, resolved.",
};

static const char *const s_fh[] = {
    "Mother with %E.",
    "Father had a %D placed at age 70.",
    "No family history of %E.",
};

static const char *const s_social[] = {
    "Lives with her husband, independent with daily activities.",
    "Former smoker, quit in 2009, drinks alcohol socially.",
    "Retired teacher, walks the dog every morning.",
};

static const char *const s_ros[] = {
    "Negative for %E and %E.",
    "Denies %E or %E.",
    "Positive for %E, otherwise negative.",
};

static const char *const s_meds[] = {
    "Insulin via %D, basal rate 0.8 units per hour.",
};

static const char *const s_exam[] = {
    "Device pocket without %E, no erythema or warmth.",
    "Mild %E over the %C, no drainage.",
};

static const char *const s_plan[] = {
    "%E, likely related to the %D; will monitor closely.",
    "The %D was explanted and returned to the manufacturer, %M, %L, %S.",
    "Device identifier %U recorded in the chart.",
    "MedWatch report filed on %T.",
    "Possible %E; recheck in two weeks.",
    "Replacement %D ordered, %M, %L.",
    "%E ruled out by imaging.",
};

static const char *const s_dc[] = {
    "Call the clinic if %E or %E develops.",
    "Return to the emergency department for %E.",
};

struct s_section {
    const char *heading;
    unsigned pct;      /* percent of notes that have it */
    unsigned min, max; /* sentences; the plan also fills the note */
    unsigned plain;    /* percent of its sentences drawn from s_plain */
    const char *const *pool;
    size_t npool;
};

static const struct s_section s_sections[] = {
    {"CHIEF COMPLAINT", 50, 1, 1, 0, s_cc, S_N(s_cc)},
    {"HISTORY OF PRESENT ILLNESS", 100, 3, 5, 75, s_hpi, S_N(s_hpi)},
    {"PAST MEDICAL HISTORY", 70, 1, 2, 60, s_pmh, S_N(s_pmh)},
    {"FAMILY HISTORY", 30, 1, 1, 0, s_fh, S_N(s_fh)},
    {"SOCIAL HISTORY", 40, 1, 2, 0, s_social, S_N(s_social)},
    {"REVIEW OF SYSTEMS", 25, 1, 1, 0, s_ros, S_N(s_ros)},
    {"MEDICATIONS", 50, 1, 2, 70, s_meds, S_N(s_meds)},
    {"PHYSICAL EXAM", 60, 1, 3, 80, s_exam, S_N(s_exam)},
    {"ASSESSMENT AND PLAN", 100, 2, 2, 90, s_plan, S_N(s_plan)},
    {"DISCHARGE INSTRUCTIONS", 15, 1, 1, 0, s_dc, S_N(s_dc)},
};
#define S_PLAN 8 /* index of the section that fills the note */

/* What the generator wrote, and the rule-set terms it draws from. */
struct s_gen {
    const struct nlp_term *terms;
    uint32_t *dev, *ev; /* active device-class / event terms usable */
    size_t ndev, nev;
    size_t slots[128]; /* per template code */
    size_t udi_bad;    /* UDIs written that nlp_udi_parse refuses */
    size_t lexicon_drawn;
};

/* Plain lower-case words and spaces or hyphens, 4-40 bytes. */
static bool s_plain_term(const struct nlp_term *t)
{
    if (t->len < 4 || t->len > 40 || t->status != NLP_TERM_ACTIVE ||
        t->boundary != NLP_BOUNDARY_WORD)
        return false;
    for (size_t i = 0; i < t->len; i++)
        if (!islower((unsigned char)t->term[i]) && t->term[i] != ' ' &&
            t->term[i] != '-')
            return false;
    return true;
}

static void s_gen_init(struct s_gen *g, const nlp_rules_t *rules)
{
    size_t n;
    memset(g, 0, sizeof *g);
    g->terms = nlp_rules_terms(rules, &n);
    g->dev = s_xrealloc(NULL, n * sizeof *g->dev);
    g->ev = s_xrealloc(NULL, n * sizeof *g->ev);
    for (size_t i = 0; i < n; i++) {
        const struct nlp_term *t = &g->terms[i];
        if (!s_plain_term(t))
            continue;
        if (t->axis == NLP_AXIS_DEVICE_CLASS)
            g->dev[g->ndev++] = (uint32_t)i;
        else if (t->axis == NLP_AXIS_HEALTH_EFFECT ||
                 t->axis == NLP_AXIS_DEVICE_PROBLEM)
            g->ev[g->nev++] = (uint32_t)i;
    }
}

/* A phrase: from the curated list, or one time in four from the rule
 * set's lexicon (so the notes use more than a few dozen terms). */
static void s_phrase(struct s_corpus *c, struct s_gen *g,
                     const char *const *list, size_t nlist, const uint32_t *lex,
                     size_t nlex)
{
    if (nlex && s_pick(4) == 0) {
        const struct nlp_term *t = &g->terms[lex[s_pick(nlex)]];
        s_put(c, t->term, t->len);
        g->lexicon_drawn++;
        return;
    }
    s_puts(c, list[s_pick(nlist)]);
}

static void s_date(struct s_corpus *c)
{
    unsigned y = 2015 + s_pick(11), m = 1 + s_pick(12), d = 1 + s_pick(28);
    switch (s_pick(4)) {
    case 0: s_printf(c, "%02u/%02u/%04u", m, d, y); break;
    case 1: s_printf(c, "%04u-%02u-%02u", y, m, d); break;
    case 2: s_printf(c, "%u %.3s %04u", d, s_months[m - 1], y); break;
    default: s_printf(c, "%s %u, %04u", s_months[m - 1], d, y); break;
    }
}

/* v[i] = a draw below mod[i], in order: draws made in function arguments
 * would come in an unspecified order, and the corpus would depend on the
 * compiler. */
static void s_draws(unsigned *v, const unsigned *mod, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = s_pick(mod[i]);
}

#define S_L(x) ((char)('A' + (x))) /* a draw below 26 as a letter */

static void s_model(struct s_corpus *c)
{
    static const unsigned mod[] = {4, 1500, 26, 26, 100000, 100};
    unsigned v[S_N(mod)];
    s_draws(v, mod, S_N(mod));
    switch (v[0]) {
    case 0: s_printf(c, "model MMT-%u", 500 + v[1]); break;
    case 1: s_printf(c, "Model #%c%04u", S_L(v[2]), v[4] % 10000); break;
    case 2: s_printf(c, "REF %05u-%02u", v[4], v[5]); break;
    default:
        s_printf(c, "catalog no. %c%c%04u", S_L(v[2]), S_L(v[3]), v[4] % 10000);
        break;
    }
}

static void s_lot(struct s_corpus *c)
{
    static const unsigned mod[] = {3, 100, 26, 26, 1000000};
    unsigned v[S_N(mod)];
    s_draws(v, mod, S_N(mod));
    switch (v[0]) {
    case 0: s_printf(c, "lot %02u%c%04u", v[1], S_L(v[2]), v[4] % 10000); break;
    case 1: s_printf(c, "Lot #: %c%c%06u", S_L(v[2]), S_L(v[3]), v[4]); break;
    default: s_printf(c, "batch no. %06u", v[4]); break;
    }
}

static void s_serial(struct s_corpus *c)
{
    static const unsigned mod[] = {3, 26, 26, 26, 100000000};
    unsigned v[S_N(mod)];
    s_draws(v, mod, S_N(mod));
    switch (v[0]) {
    case 0:
        s_printf(c, "serial number %c%c%c%06u", S_L(v[1]), S_L(v[2]), S_L(v[3]),
                 v[4] % 1000000);
        break;
    case 1: s_printf(c, "SN %08u", v[4]); break;
    default: s_printf(c, "S/N: %c%07u", S_L(v[1]), v[4] % 10000000); break;
    }
}

/* GS1 mod-10 check digit of the n data digits at d. */
static char s_gs1_check(const char *d, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (unsigned)(d[i] - '0') * ((n - 1 - i) % 2 == 0 ? 3 : 1);
    return (char)('0' + (10 - sum % 10) % 10);
}

/* A GS1 human-readable UDI, or one time in five an HIBCC one, with the
 * right check digit / character; checked with nlp_udi_parse. */
static void s_udi(struct s_corpus *c, struct s_gen *g)
{
    static const char *const prefix[] = {"0614141", "0884521", "0763000",
                                         "0643169"};
    static const char hibc[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
    static const unsigned gs1[] = {4,  100000, 6,      12, 28,
                                   26, 26,     100000, 3,  100000000};
    static const unsigned hibcc[] = {26, 1000, 26, 26, 10000, 10, 26, 100000};
    unsigned v[S_N(gs1)];
    char u[96], gtin[16];
    int k;
    if (s_pick(5) != 0) {
        s_draws(v, gs1, S_N(gs1));
        snprintf(gtin, sizeof gtin, "0%s%05u", prefix[v[0]], v[1]);
        gtin[13] = s_gs1_check(gtin, 13);
        gtin[14] = '\0';
        k = snprintf(u, sizeof u, "(01)%s(17)%02u%02u%02u(10)%c%c%05u", gtin,
                     25 + v[2], 1 + v[3], 1 + v[4], S_L(v[5]), S_L(v[6]), v[7]);
        if (v[8] == 0)
            k += snprintf(u + k, sizeof u - (size_t)k, "(21)%08u", v[9]);
    } else {
        unsigned sum = 0;
        s_draws(v, hibcc, S_N(hibcc));
        k = snprintf(u, sizeof u, "+%c%03u%c%c%04u%u/$%c%05u", S_L(v[0]), v[1],
                     S_L(v[2]), S_L(v[3]), v[4], v[5], S_L(v[6]), v[7]);
        for (int i = 0; i < k; i++)
            sum += (unsigned)(strchr(hibc, u[i]) - hibc);
        u[k] = hibc[sum % 43] == ' ' ? '_' : hibc[sum % 43];
        u[++k] = '\0';
    }
    struct nlp_udi parsed;
    if (nlp_udi_parse((struct ds_span){u, (size_t)k}, &parsed, NULL) != 0)
        g->udi_bad++;
    s_put(c, u, (size_t)k);
}

static void s_deid(struct s_corpus *c)
{
    switch (s_pick(3)) {
    case 0: s_puts(c, "[**Name**]"); break;
    case 1: s_printf(c, "[**Known firstname %u**]", s_pick(1000)); break;
    default: s_puts(c, "**NAME[AAA, BBB]"); break;
    }
}

/* Expand one slot of a template. */
static void s_slot(struct s_corpus *c, struct s_gen *g, char code)
{
    g->slots[(unsigned char)code & 127]++;
    switch (code) {
    case 'D': s_phrase(c, g, s_devices, S_N(s_devices), g->dev, g->ndev); break;
    case 'E': s_phrase(c, g, s_events, S_N(s_events), g->ev, g->nev); break;
    case 'C': s_puts(c, s_components[s_pick(S_N(s_components))]); break;
    case 'M': s_model(c); break;
    case 'L': s_lot(c); break;
    case 'S': s_serial(c); break;
    case 'U': s_udi(c, g); break;
    case 'T': s_date(c); break;
    case 'Y': s_printf(c, "%u", 1995 + s_pick(29)); break;
    default: s_deid(c); break;
    }
}

/* A template for section s: a plain sentence or one of its own, not the
 * one just used. */
static const char *s_template(const struct s_section *s, const char *last)
{
    const char *t = last;
    for (int k = 0; k < 4 && t == last; k++)
        t = s_pick(100) < s->plain ? s_plain[s_pick(S_N(s_plain))]
                                   : s->pool[s_pick(s->npool)];
    return t;
}

/* One sentence from tpl, its first letter upper case, then a space;
 * returns tpl. */
static const char *s_sentence(struct s_corpus *c, struct s_gen *g,
                              const char *tpl)
{
    size_t start = c->len;
    for (const char *p = tpl; *p; p++) {
        if (*p == '%' && p[1])
            s_slot(c, g, *++p);
        else
            s_put(c, p, 1);
    }
    c->buf[start] = (char)toupper((unsigned char)c->buf[start]);
    s_put(c, " ", 1);
    return tpl;
}

/* HEADING: (or Heading: in one note in four) */
static void s_heading(struct s_corpus *c, const char *h, bool title)
{
    size_t start = c->len;
    s_puts(c, h);
    for (size_t i = start + 1; title && i < c->len; i++)
        c->buf[i] = (char)tolower((unsigned char)c->buf[i]);
    s_put(c, ": ", 2);
}

static void s_gen_note(struct s_corpus *c, struct s_gen *g)
{
    size_t begin = c->len;
    size_t target = S_NOTE_MIN + s_pick(S_NOTE_SPAN);
    bool title = s_pick(4) == 0;
    s_puts(c, "Date of service: ");
    s_date(c);
    s_put(c, "\n", 1);
    for (size_t i = 0; i < S_N(s_sections); i++) {
        const struct s_section *s = &s_sections[i];
        if (s_pick(100) >= s->pct)
            continue;
        s_heading(c, s->heading, title);
        unsigned k = s->min + s_pick(s->max - s->min + 1);
        const char *last = NULL;
        for (unsigned j = 0; j < k || (i == S_PLAN && c->len - begin < target);
             j++)
            last = s_sentence(c, g, s_template(s, last));
        c->buf[c->len - 1] = '\n'; /* the last sentence's space */
    }
    s_note_end(c, begin);
}

/* FNV-1a 64 of the corpus bytes: the same in every run and build. */
static uint64_t s_fnv(const struct s_corpus *c)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < c->len; i++)
        h = (h ^ (unsigned char)c->buf[i]) * 0x100000001b3u;
    return h;
}

static void s_gen_corpus(struct s_corpus *c, struct s_gen *g, double mb)
{
    s_rng_state = S_SEED;
    while ((double)c->len < mb * 1e6)
        s_gen_note(c, g);
}

/* ---- rows and tables ---- */

struct s_row {
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

struct s_table {
    struct s_row rows[S_ROWS_MAX];
    size_t n;
};

/* One row: prep (untimed), run (timed), post (untimed) for each note. */
struct s_stage {
    const char *what, *name;
    int (*prep)(void *self, struct ds_span text);
    int (*run)(void *self, struct ds_span text, uint64_t *out);
    int (*post)(void *self, bool tally); /* tally: first timed repeat */
    bool per_note; /* time each note (else one wall-clock loop) */
    bool allocs;   /* ds_alloc counts mean something for this row */
};

struct s_bench {
    uint64_t *lat, *spare; /* one per timed note: best repeat, current */
    double timer_ns;
};

static int s_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile q (0..1] of sorted v[0..n), in microseconds. */
static double s_pct_us(const uint64_t *v, size_t n, double q)
{
    size_t k = (size_t)(q * (double)n);
    k = (double)k < q * (double)n ? k + 1 : k;
    k = k < 1 ? 1 : k > n ? n : k;
    return (double)v[k - 1] / 1000.0;
}

static int s_one(const struct s_stage *st, void *self, struct ds_span t,
                 uint64_t *out, uint64_t *lat, bool tally)
{
    int rc = st->prep ? st->prep(self, t) : 0;
    if (rc == 0 && lat) {
        uint64_t u = s_now_ns();
        rc = st->run(self, t, out);
        *lat = s_now_ns() - u;
    } else if (rc == 0) {
        rc = st->run(self, t, out);
    }
    if (rc == 0 && st->post)
        rc = st->post(self, tally);
    return rc;
}

/* One timed repeat of c->passes passes: per-note times into lat (when
 * the row times notes), its seconds into *ns, what it found into *out,
 * its ds_alloc calls added to *allocs. */
static int s_timed(const struct s_corpus *c, const struct s_stage *st,
                   void *self, uint64_t *lat, bool tally, uint64_t *ns,
                   uint64_t *out, uint64_t *allocs)
{
    size_t total = c->passes * c->count;
    uint64_t sum = 0;
    struct ds_alloc_stats a0, a1;
    int rc = 0;
    *out = 0;
    ds_alloc_stats(&a0);
    uint64_t t0 = s_now_ns();
    for (size_t k = 0; rc == 0 && k < total; k++) {
        uint64_t *l = st->per_note ? &lat[k] : NULL;
        rc = s_one(st, self, s_text(c, k % c->count), out, l, tally);
        sum += l ? *l : 0;
    }
    uint64_t wall = s_now_ns() - t0;
    ds_alloc_stats(&a1);
    *ns = st->per_note ? sum : wall;
    *allocs += a1.allocs - a0.allocs;
    return rc;
}

/* Warm-up pass (untimed), then S_REPS timed repeats; the fastest is the
 * row, its per-note times give p50/p99. */
static int s_measure(struct s_bench *b, struct s_table *tb,
                     const struct s_corpus *c, const struct s_stage *st,
                     void *self)
{
    uint64_t out = 0, ns, best = UINT64_MAX, allocs = 0;
    size_t total = c->passes * c->count;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->count; i++)
        rc = s_one(st, self, s_text(c, i), &out, NULL, false);
    for (int k = 0; rc == 0 && k < S_REPS; k++) {
        rc = s_timed(c, st, self, b->spare, k == 0, &ns, &out, &allocs);
        if (rc == 0 && ns < best) {
            uint64_t *t = b->lat;
            b->lat = b->spare;
            b->spare = t;
            best = ns;
        }
    }
    if (rc != 0 || tb->n == S_ROWS_MAX)
        return rc ? rc : s_fail(st->name, "too many rows");
    struct s_row *r = &tb->rows[tb->n++];
    *r = (struct s_row){.what = st->what,
                        .notes = total,
                        .bytes = (double)c->len * (double)c->passes,
                        .secs = (double)best / 1e9,
                        .lat = st->per_note,
                        .out = (double)out / (double)total,
                        .allocs = st->allocs ? (long long)allocs : -1,
                        .alloc_notes = S_REPS * total};
    snprintf(r->name, sizeof r->name, "%s", st->name);
    if (st->per_note) {
        qsort(b->lat, total, sizeof *b->lat, s_cmp_u64);
        r->p50_us = s_pct_us(b->lat, total, 0.50);
        r->p99_us = s_pct_us(b->lat, total, 0.99);
    }
    return 0;
}

static double s_mbs(const struct s_row *r)
{
    return r->bytes / (r->secs > 0 ? r->secs : 1e-9) / 1e6;
}

/* Row named name, or NULL. */
static struct s_row *s_find(struct s_table *tb, const char *name)
{
    for (size_t i = 0; i < tb->n; i++)
        if (strncmp(tb->rows[i].name, name, strlen(name)) == 0)
            return &tb->rows[i];
    return NULL;
}

static void s_target(struct s_row *r, double want)
{
    if (r)
        snprintf(r->target, sizeof r->target, ">= %.0f MB/s: %s", want,
                 s_mbs(r) >= want ? "met" : "below");
}

static void s_print_table(const struct s_table *tb, const struct s_row *full)
{
    printf("%-8s %-32s %7s %7s %8s %8s %9s %8s %8s %8s %6s %6s  %s\n", "",
           "row", "notes", "MB", "seconds", "MB/s", "notes/s", "p50 us",
           "p99 us", "out/note", "%full", "allocs", "target");
    for (size_t i = 0; i < tb->n; i++) {
        const struct s_row *r = &tb->rows[i];
        double s = r->secs > 0 ? r->secs : 1e-9;
        printf("%-8s %-32s %7zu %7.2f %8.3f %8.1f %9.0f ", r->what, r->name,
               r->notes, r->bytes / 1e6, r->secs, s_mbs(r),
               (double)r->notes / s);
        if (r->lat)
            printf("%8.2f %8.2f ", r->p50_us, r->p99_us);
        else
            printf("%8s %8s ", "-", "-");
        printf("%8.2f ", r->out);
        if (full && strcmp(r->what, "stage") == 0 && full->secs > 0)
            printf("%5.1f%% ", 100.0 * r->secs / full->secs);
        else
            printf("%6s ", "-");
        if (r->allocs >= 0)
            printf("%6lld  %s\n", r->allocs, r->target);
        else
            printf("%6s  %s\n", "-", r->target);
    }
}

/* ---- what the rows run ---- */

static int s_memchr_run(void *self, struct ds_span t, uint64_t *out)
{
    const char *p = t.p, *end = t.p + t.n;
    (void)self;
    while (p < end && (p = memchr(p, '.', (size_t)(end - p))) != NULL) {
        (*out)++;
        p++;
    }
    return 0;
}

struct s_naive {
    pcre2_code **re;
    size_t n;
    pcre2_match_data *md;
    bool jit; /* every pattern JIT-compiled */
};

static int s_naive_run(void *self, struct ds_span t, uint64_t *out)
{
    struct s_naive *nv = self;
    PCRE2_SPTR s = (PCRE2_SPTR)t.p;
    for (size_t i = 0; i < nv->n; i++) {
        size_t off = 0;
        while (off <= t.n) {
            int rc =
                nv->jit
                    ? pcre2_jit_match(nv->re[i], s, t.n, off, 0, nv->md, NULL)
                    : pcre2_match(nv->re[i], s, t.n, off, 0, nv->md, NULL);
            if (rc == PCRE2_ERROR_NOMATCH)
                break;
            if (rc < 0)
                return s_fail("PCRE2 naive", "pattern %zu: match error %d", i,
                              rc);
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(nv->md);
            (*out)++;
            off = ov[1] > off ? ov[1] : off + 1;
        }
    }
    return 0;
}

/* Compile the patterns one by one as nlp_regex does (caseless, no UTF). */
static int s_naive_open(struct s_naive *nv, const nlp_rules_t *rules)
{
    size_t n;
    uint32_t groups = 0, g;
    const struct nlp_pattern *p = nlp_rules_patterns(rules, &n);
    nv->re = calloc(n ? n : 1, sizeof *nv->re);
    if (!nv->re)
        return s_fail("PCRE2 naive", "out of memory");
    nv->jit = true;
    for (size_t i = 0; i < n; i++, nv->n++) {
        int err;
        PCRE2_SIZE at;
        nv->re[i] =
            pcre2_compile((PCRE2_SPTR)p[i].pattern, p[i].len,
                          PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP,
                          &err, &at, NULL);
        if (!nv->re[i])
            return s_fail("PCRE2 naive", "%s: compile error %d at %zu", p[i].id,
                          err, (size_t)at);
        nv->jit =
            nv->jit && pcre2_jit_compile(nv->re[i], PCRE2_JIT_COMPLETE) == 0;
        pcre2_pattern_info(nv->re[i], PCRE2_INFO_CAPTURECOUNT, &g);
        groups = g > groups ? g : groups;
    }
    nv->md = pcre2_match_data_create(groups + 1, NULL);
    return nv->md ? 0 : s_fail("PCRE2 naive", "out of memory");
}

static void s_naive_close(struct s_naive *nv)
{
    for (size_t i = 0; i < nv->n; i++)
        pcre2_code_free(nv->re[i]);
    free(nv->re);
    pcre2_match_data_free(nv->md);
}

struct s_dict {
    const nlp_ac_t *ac;
    struct nlp_ac_hits hits;
};

static int s_dict_run(void *self, struct ds_span t, uint64_t *out)
{
    struct s_dict *d = self;
    int rc = nlp_ac_scan(d->ac, t, &d->hits);
    *out += d->hits.n;
    return rc ? s_fail("dictionary", "%s", ds_strerror(rc)) : 0;
}

struct s_re {
    const nlp_regex_t *re;
    nlp_regex_scratch_t *s;
};

static int s_regex_run(void *self, struct ds_span t, uint64_t *out)
{
    struct s_re *r = self;
    size_t n;
    int rc = nlp_regex_scan(r->re, t, 0, r->s);
    nlp_regex_hits(r->s, &n);
    *out += n;
    return rc ? s_fail("regex", "%s", ds_strerror(rc)) : 0;
}

static int s_udi_run(void *self, struct ds_span t, uint64_t *out)
{
    size_t pos = 0, b, e;
    struct nlp_udi u;
    (void)self;
    while (nlp_udi_find(t, pos, &b, &e)) {
        pos = e > pos ? e : pos + 1;
        *out += nlp_udi_parse((struct ds_span){t.p + b, e - b}, &u, NULL) == 0;
    }
    return 0;
}

static int s_split_run(void *self, struct ds_span t, uint64_t *out)
{
    struct nlp_doc *d = self;
    int rc = nlp_doc_split(d, t);
    *out += d->nsent;
    return rc ? s_fail("split", "%s", ds_strerror(rc)) : 0;
}

/* The context row: nlp_x_context (nlp/nlp_extract_ctx.c) through the
 * public API, on the doc and mentions of an untimed nlp_extract_run. */
struct s_ctxrow {
    const nlp_extract_t *x;
    const struct nlp_trigger *trig;
    const struct nlp_section *sec;
    size_t ntrig, nsec;
    struct nlp_result r; /* prep: the full run of the note */
    struct nlp_ac_hits hits;
    struct nlp_ctx ctx;
    struct nlp_ctx_hit *ch;
    struct nlp_ctx_target *tg;
    int32_t *sec_rule;
    size_t capch, captg, capsec;
    uint64_t mismatches; /* targets whose flags differ from the run's */
};

static int s_ctx_prep(void *self, struct ds_span t)
{
    struct s_ctxrow *c = self;
    int rc = nlp_extract_run(c->x, t, 0, &c->r);
    return rc ? s_fail("context", "nlp_extract_run: %s", ds_strerror(rc)) : 0;
}

/* Token range covering bytes [b, e), as the extractor computes it. */
static void s_toks(const struct nlp_doc *d, size_t b, size_t e, uint32_t *tb,
                   uint32_t *te)
{
    *tb = (uint32_t)nlp_doc_tok_at(d, b);
    *te = (uint32_t)nlp_doc_tok_at(d, e ? e - 1 : 0) + 1;
    if (*te > d->ntok)
        *te = (uint32_t)d->ntok;
}

/* Heading text equals rule heading h, ignoring case and whitespace runs. */
static bool s_heading_is(const char *p, size_t n, const char *h)
{
    size_t i = 0;
    for (; *h; h++) {
        if (*h == ' ') {
            if (i == n || !isspace((unsigned char)p[i]))
                return false;
            while (i < n && isspace((unsigned char)p[i]))
                i++;
        } else if (i == n || toupper((unsigned char)p[i++]) != *h) {
            return false;
        }
    }
    return i == n;
}

static void s_ctx_sections(struct s_ctxrow *c, const struct nlp_doc *d)
{
    for (size_t i = 0; i < d->nsec; i++) {
        const char *p = d->text.p + d->sec[i].head_begin;
        size_t n = d->sec[i].head_end - d->sec[i].head_begin;
        c->sec_rule[i] = -1;
        for (size_t k = 0; n && k < c->nsec && c->sec_rule[i] < 0; k++)
            if (s_heading_is(p, n, c->sec[k].heading))
                c->sec_rule[i] = (int32_t)k;
    }
}

static int s_ctx_run(void *self, struct ds_span t, uint64_t *out)
{
    struct s_ctxrow *c = self;
    const struct nlp_doc *d = &c->r.doc;
    size_t nh = 0;
    int rc = nlp_ac_scan(nlp_extract_triggers(c->x), t, &c->hits);
    if (rc == 0)
        rc = s_grow((void **)&c->ch, &c->capch, c->hits.n, sizeof *c->ch);
    if (rc == 0)
        rc = s_grow((void **)&c->tg, &c->captg, c->r.n, sizeof *c->tg);
    if (rc == 0)
        rc = s_grow((void **)&c->sec_rule, &c->capsec, d->nsec,
                    sizeof *c->sec_rule);
    for (size_t i = 0; rc == 0 && i < c->hits.n; i++) {
        struct nlp_ctx_hit *h = &c->ch[nh];
        s_toks(d, c->hits.v[i].begin, c->hits.v[i].end, &h->tok_begin,
               &h->tok_end);
        h->trigger = c->hits.v[i].id;
        nh += h->tok_begin < h->tok_end;
    }
    if (rc == 0)
        s_ctx_sections(c, d);
    for (size_t i = 0; rc == 0 && i < c->r.n; i++)
        s_toks(d, c->r.m[i].begin, c->r.m[i].end, &c->tg[i].tok_begin,
               &c->tg[i].tok_end);
    if (rc == 0)
        rc = nlp_context_apply(&c->ctx, d, c->trig, c->ntrig, c->sec,
                               c->sec_rule, d->nsec, c->ch, nh, c->tg, c->r.n);
    *out += c->r.n;
    return rc ? s_fail("context", "%s", ds_strerror(rc)) : 0;
}

static int s_ctx_post(void *self, bool tally)
{
    struct s_ctxrow *c = self;
    (void)tally;
    for (size_t i = 0; i < c->r.n; i++)
        c->mismatches += c->tg[i].flags != c->r.m[i].flags;
    return 0;
}

/* The full pipeline, with a tally of what it found in the timed passes. */
struct s_full {
    const nlp_extract_t *x;
    struct nlp_result r;
    uint64_t kind[S_NKIND], flag[NLP_CTX_NCAT], mentions;
};

static int s_full_run(void *self, struct ds_span t, uint64_t *out)
{
    struct s_full *f = self;
    int rc = nlp_extract_run(f->x, t, 0, &f->r);
    *out += f->r.n;
    return rc ? s_fail("full", "nlp_extract_run: %s", ds_strerror(rc)) : 0;
}

static int s_full_post(void *self, bool tally)
{
    struct s_full *f = self;
    for (size_t i = 0; tally && i < f->r.n; i++) {
        f->kind[(unsigned)f->r.m[i].kind % S_NKIND]++;
        for (unsigned k = 0; k < NLP_CTX_NCAT; k++)
            f->flag[k] += (f->r.m[i].flags >> k) & 1u;
        f->mentions++;
    }
    return 0;
}

/* ---- set-up: rules, extractor, the bench's own automata and regexes ---- */

struct s_setup {
    nlp_rules_t *rules;
    nlp_extract_t *x;
    nlp_ac_t *terms, *subset; /* all terms; S_SUBSET of them */
    nlp_regex_t *re;
    struct s_naive naive;
    size_t nterms, nsubset;
    double load_s, new_s;
};

/* An automaton of keep of the n terms (every k-th; all when keep >= n),
 * added as nlp_extract_new adds them (id = term index). */
static int s_build_terms(nlp_ac_t **out, const struct nlp_term *t, size_t n,
                         size_t keep, double *ms)
{
    struct ds_diag diag;
    uint64_t t0 = s_now_ns();
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    int rc = b ? 0 : DS_ENOMEM;
    keep = keep < n ? keep : n;
    ds_diag_clear(&diag);
    for (size_t k = 0; rc == 0 && k < keep; k++) {
        size_t i = keep == n ? k : k * n / keep;
        rc = nlp_ac_builder_add(
            b, (struct ds_span){t[i].term, t[i].len}, (uint32_t)i,
            t[i].boundary == NLP_BOUNDARY_NONE ? NLP_AC_NOBOUND : 0, &diag);
    }
    if (rc == 0)
        rc = nlp_ac_build(out, &b, &diag);
    nlp_ac_builder_destroy(&b);
    *ms = (double)(s_now_ns() - t0) / 1e6;
    return rc ? s_fail("dictionary", "%s: %s", ds_strerror(rc), diag.msg) : 0;
}

static void s_print_ac(const char *what, const nlp_ac_t *ac, size_t terms,
                       double ms)
{
    struct nlp_ac_info info;
    nlp_ac_info(ac, &info);
    printf("%-12s %6zu terms (%zu stored), %zu states x %zu classes, "
           "%zu-byte entries, %.1f MB; built in %.0f ms\n",
           what, terms, info.terms, info.states, info.classes, info.entry_bytes,
           (double)info.bytes / 1e6, ms);
}

static int s_load(struct s_setup *su)
{
    struct ds_diag diag;
    ds_diag_clear(&diag);
    uint64_t t0 = s_now_ns();
    int rc = nlp_rules_load(&su->rules, S_RULES_DIR, &diag);
    uint64_t t1 = s_now_ns();
    if (rc != 0)
        return s_fail("rules", "%s:%d: %s", diag.file, diag.line, diag.msg);
    rc = nlp_extract_new(&su->x, su->rules, &diag);
    uint64_t t2 = s_now_ns();
    if (rc != 0)
        return s_fail("nlp_extract_new", "%s:%d: %s", diag.file, diag.line,
                      diag.msg);
    su->load_s = (double)(t1 - t0) / 1e9;
    su->new_s = (double)(t2 - t1) / 1e9;
    return 0;
}

static int s_setup(struct s_setup *su)
{
    size_t nt, ntrig, nsec, npat;
    double ms_all, ms_sub, ms_re, ms_naive;
    struct ds_diag diag;
    int rc = s_load(su);
    if (rc != 0)
        return rc;
    const struct nlp_term *t = nlp_rules_terms(su->rules, &nt);
    nlp_rules_triggers(su->rules, &ntrig);
    nlp_rules_sections(su->rules, &nsec);
    nlp_rules_patterns(su->rules, &npat);
    su->nterms = nt;
    su->nsubset = nt < S_SUBSET ? nt : S_SUBSET;
    rc = s_build_terms(&su->terms, t, nt, nt, &ms_all);
    if (rc == 0)
        rc = s_build_terms(&su->subset, t, nt, S_SUBSET, &ms_sub);
    uint64_t t0 = s_now_ns();
    ds_diag_clear(&diag);
    if (rc == 0 && nlp_regex_new(&su->re, su->rules, 0, &diag) != 0)
        rc = s_fail("regex", "%s:%d: %s", diag.file, diag.line, diag.msg);
    ms_re = (double)(s_now_ns() - t0) / 1e6;
    t0 = s_now_ns();
    if (rc == 0)
        rc = s_naive_open(&su->naive, su->rules);
    ms_naive = (double)(s_now_ns() - t0) / 1e6;
    if (rc != 0)
        return rc;
    double total = su->load_s + su->new_s;
    printf("rules      %s, sha256 %.16s..., %zu terms, %zu triggers, %zu "
           "section headings, %zu identifier patterns\n",
           nlp_rules_version(su->rules), nlp_rules_sha256(su->rules), nt, ntrig,
           nsec, npat);
    printf("load       nlp_rules_load %.0f ms + nlp_extract_new %.0f ms = "
           "%.0f ms (target < %.0f s: %s)\n",
           su->load_s * 1e3, su->new_s * 1e3, total * 1e3, S_T_LOAD_S,
           total < S_T_LOAD_S ? "met" : "missed");
    printf("lexicon    %zu terms, %.1fx the target's 5,000; the bench's own "
           "automata (the extractor has no accessor for its term "
           "automaton):\n",
           nt, (double)nt / S_SUBSET);
    s_print_ac("  all terms", su->terms, nt, ms_all);
    s_print_ac("  5k subset", su->subset, su->nsubset, ms_sub);
    printf("regex      nlp_regex_new %.0f ms: %zu patterns in %zu passes, "
           "JIT %s; PCRE2 naive baseline: %zu regexes compiled in %.0f ms, "
           "JIT %s\n",
           ms_re, nlp_regex_count(su->re), nlp_regex_passes(su->re),
           nlp_regex_jit(su->re) ? "on" : "OFF (interpreter)", su->naive.n,
           ms_naive, su->naive.jit ? "on" : "OFF (interpreter)");
    return 0;
}

static void s_setup_free(struct s_setup *su)
{
    s_naive_close(&su->naive);
    nlp_regex_destroy(&su->re);
    nlp_ac_destroy(&su->terms);
    nlp_ac_destroy(&su->subset);
    nlp_extract_destroy(&su->x);
    nlp_rules_destroy(&su->rules);
}

/* ---- one corpus: every row, the table, the checks ---- */

struct s_rows {
    struct s_dict dict, sub;
    struct s_re re;
    struct nlp_doc doc;
    struct s_ctxrow ctx;
    struct s_full full;
};

static int s_rows_init(struct s_rows *w, const struct s_setup *su)
{
    memset(w, 0, sizeof *w);
    w->dict.ac = su->terms;
    w->sub.ac = su->subset;
    nlp_ac_hits_init(&w->dict.hits);
    nlp_ac_hits_init(&w->sub.hits);
    w->re.re = su->re;
    w->re.s = nlp_regex_scratch_new();
    nlp_doc_init(&w->doc);
    w->ctx.x = su->x;
    w->ctx.trig = nlp_rules_triggers(su->rules, &w->ctx.ntrig);
    w->ctx.sec = nlp_rules_sections(su->rules, &w->ctx.nsec);
    nlp_result_init(&w->ctx.r);
    nlp_ac_hits_init(&w->ctx.hits);
    nlp_ctx_init(&w->ctx.ctx);
    w->full.x = su->x;
    nlp_result_init(&w->full.r);
    return w->re.s ? 0 : s_fail("regex", "out of memory");
}

static void s_rows_free(struct s_rows *w)
{
    nlp_ac_hits_clear(&w->dict.hits);
    nlp_ac_hits_clear(&w->sub.hits);
    nlp_regex_scratch_destroy(&w->re.s);
    nlp_doc_clear(&w->doc);
    nlp_result_clear(&w->ctx.r);
    nlp_ac_hits_clear(&w->ctx.hits);
    nlp_ctx_clear(&w->ctx.ctx);
    ds_free(w->ctx.ch);
    ds_free(w->ctx.tg);
    ds_free(w->ctx.sec_rule);
    nlp_result_clear(&w->full.r);
}

static int s_run_rows(struct s_bench *b, struct s_table *tb,
                      const struct s_corpus *c, struct s_setup *su,
                      struct s_rows *w)
{
    char naive[48], dict[48];
    snprintf(naive, sizeof naive, "PCRE2 naive (%zu pats, %s)", su->naive.n,
             su->naive.jit ? "JIT" : "no JIT");
    snprintf(dict, sizeof dict, "dictionary (all %zu terms)", su->nterms);
    const struct s_stage st[] = {
        {"baseline", "memchr ('.' count)", NULL, s_memchr_run, NULL, false,
         false},
        {"baseline", naive, NULL, s_naive_run, NULL, true, false},
        {"stage", dict, NULL, s_dict_run, NULL, true, true},
        {"stage", "dictionary (5000-term subset)", NULL, s_dict_run, NULL, true,
         true},
        {"stage", "regex (nlp_regex_scan)", NULL, s_regex_run, NULL, true,
         true},
        {"stage", "udi (nlp_udi_find+parse)", NULL, s_udi_run, NULL, true,
         true},
        {"stage", "split (nlp_doc_split)", NULL, s_split_run, NULL, true, true},
        {"stage", "context (triggers+ConText)", s_ctx_prep, s_ctx_run,
         s_ctx_post, true, true},
        {"stage", "full (nlp_extract_run)", NULL, s_full_run, s_full_post, true,
         true},
    };
    void *self[] = {NULL, &su->naive, &w->dict, &w->sub, &w->re,
                    NULL, &w->doc,    &w->ctx,  &w->full};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < S_N(st); i++)
        rc = s_measure(b, tb, c, &st[i], self[i]);
    return rc;
}

static void s_print_mentions(const struct s_full *f, size_t notes)
{
    double n = notes ? (double)notes : 1;
    double m = f->mentions ? (double)f->mentions : 1;
    printf("mentions   %.2f per note:", (double)f->mentions / n);
    for (unsigned k = 0; k < S_NKIND; k++)
        printf(" %s %.2f%s", nlp_mention_kind_name((enum nlp_mention_kind)k),
               (double)f->kind[k] / n, k + 1 < S_NKIND ? "," : "");
    printf("\n           context flags (share of mentions):");
    for (unsigned k = 0; k < NLP_CTX_NCAT; k++)
        printf(" %s %.1f%%%s", nlp_ctx_flag_name(k),
               100.0 * (double)f->flag[k] / m, k + 1 < NLP_CTX_NCAT ? "," : "");
    printf("\n");
}

/* Lines under the table, and the checks; -1 when one fails. */
static int s_report(struct s_table *tb, const struct s_corpus *c,
                    const struct s_rows *w)
{
    const struct s_row *full = s_find(tb, "full");
    double sum = 0;
    static const char *const parts[] = {"dictionary (all", "regex", "udi",
                                        "split", "context"};
    int rc = 0;
    for (size_t i = 0; i < S_N(parts); i++)
        sum += s_find(tb, parts[i])->secs;
    s_print_mentions(&w->full, full->notes);
    printf("accounting dictionary (all terms) + regex + udi + split + "
           "context rows = %.3f s, %.0f%% of full's %.3f s; the rest (by "
           "subtraction, so approximate) is selection, filters, mention "
           "building, sorting, and stages sharing the caches\n",
           sum, 100.0 * sum / (full->secs > 0 ? full->secs : 1e-9), full->secs);
    printf("allocs     per note after warm-up, full pipeline: %.4f (%lld "
           "ds_alloc calls in %zu timed notes, all repeats; required 0: "
           "%s)\n",
           (double)full->allocs / (double)full->alloc_notes, full->allocs,
           full->alloc_notes, full->allocs == 0 ? "met" : "FAILED");
    if (full->allocs != 0)
        rc = s_fail(c->name, "%lld allocations after warm-up", full->allocs);
    if (w->full.mentions == 0)
        rc = s_fail(c->name, "no mentions found");
    if (w->ctx.mismatches != 0)
        rc = s_fail(c->name,
                    "context row: %llu mentions' flags differ from "
                    "nlp_extract_run's",
                    (unsigned long long)w->ctx.mismatches);
    return rc;
}

static int s_corpus_rows(struct s_bench *b, const struct s_corpus *c,
                         struct s_setup *su, bool maude)
{
    struct s_table tb = {.n = 0};
    struct s_rows w;
    int rc = s_rows_init(&w, su);
    if (rc == 0)
        rc = s_run_rows(b, &tb, c, su, &w);
    if (rc == 0) {
        struct s_row *full = s_find(&tb, "full");
        s_target(s_find(&tb, "dictionary (5000"), S_T_DICT_MBS);
        if (maude)
            s_target(full, S_T_FULL_MBS);
        else
            snprintf(full->target, sizeof full->target,
                     "(MAUDE text: >= %.0f MB/s)", S_T_FULL_MBS);
        s_print_table(&tb, full);
        rc = s_report(&tb, c, &w);
    }
    s_rows_free(&w);
    if (rc == 0 && !maude && w.full.kind[NLP_MENTION_UDI] == 0)
        rc = s_fail(c->name, "no UDI mentions, though UDIs were generated");
    printf("\n");
    return rc;
}

/* ---- main ---- */

static void s_print_corpus(const struct s_corpus *c, const char *what)
{
    printf("== %s: %zu notes, %.2f MB, %zu-%zu bytes (mean %.0f); %s\n",
           c->name, c->count, (double)c->len / 1e6, c->min_n, c->max_n,
           (double)c->len / (double)c->count, what);
    printf("   per row: one untimed warm-up pass over every note, then %d "
           "timed repeats of %zu pass%s (%.1f MB, %zu notes); the fastest "
           "repeat is shown, p50/p99 from it\n",
           S_REPS, c->passes, c->passes == 1 ? "" : "es",
           (double)c->len * (double)c->passes / 1e6, c->passes * c->count);
}

static int s_synthetic(struct s_corpus *c, const struct s_setup *su, double mb)
{
    struct s_gen g;
    char what[512];
    s_gen_init(&g, su->rules);
    uint64_t t0 = s_now_ns();
    s_gen_corpus(c, &g, mb);
    double s = (double)(s_now_ns() - t0) / 1e9;
    double n = (double)c->count;
    c->passes = 1;
    snprintf(what, sizeof what,
             "seed %#x, FNV-1a %016llx, generated in %.1f s; per note: "
             "%.2f device and %.2f "
             "event phrases (%.0f%% drawn from the rule set's lexicon), "
             "%.2f components, %.2f model, %.2f lot, %.2f serial numbers, "
             "%.2f dates, %.2f UDIs, %.2f de-identification tokens",
             S_SEED, (unsigned long long)s_fnv(c), s, (double)g.slots['D'] / n,
             (double)g.slots['E'] / n,
             100.0 * (double)g.lexicon_drawn /
                 (double)(g.slots['D'] + g.slots['E']),
             (double)g.slots['C'] / n, (double)g.slots['M'] / n,
             (double)g.slots['L'] / n, (double)g.slots['S'] / n,
             (double)(g.slots['T'] + g.slots['Y']) / n,
             (double)g.slots['U'] / n, (double)g.slots['N'] / n);
    s_print_corpus(c, what);
    free(g.dev);
    free(g.ev);
    if (g.udi_bad)
        return s_fail("synthetic", "%zu generated UDIs do not parse",
                      g.udi_bad);
    return 0;
}

static int s_parse_args(int argc, char **argv, double *mb, const char **tsv)
{
    char *end;
    if (argc > 1) {
        errno = 0;
        *mb = strtod(argv[1], &end);
        if (errno || *end || *mb < 1 || *mb > 2000)
            argc = 99;
    }
    if (argc > 2)
        *tsv = argv[2];
    if (argc > 3) {
        fprintf(stderr,
                "usage: bench_extract [SYNTHETIC_MB (1..2000, "
                "default %d)] [MAUDE_TSV]\n",
                S_DEFAULT_MB);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    double mb = S_DEFAULT_MB;
    const char *tsv = S_MAUDE_TSV;
    struct s_setup su;
    struct s_corpus maude = {.name = "maude"}, syn = {.name = "synthetic"};
    struct s_bench b = {.lat = NULL, .spare = NULL};
    if (s_parse_args(argc, argv, &mb, &tsv) != 0)
        return 64;
    memset(&su, 0, sizeof su);
    uint64_t t0 = s_now_ns();
    printf("devsurv extraction bench: one thread (MB/s and notes/s are per "
           "core), no network\n");
    int rc = s_setup(&su);
    if (rc == 0)
        rc = s_load_maude(&maude, tsv);
    if (rc == 0 && maude.count) {
        size_t p = (size_t)(S_MAUDE_MB * 1e6 / (double)maude.len + 0.5);
        maude.passes = p ? p : 1;
    }
    b.timer_ns = s_timer_ns();
    printf("timer      clock_gettime pair %.0f ns, inside every per-note "
           "time\n\n",
           b.timer_ns);
    if (rc == 0 && maude.count) {
        s_print_corpus(&maude, "foi_text of the MAUDE sample, upper case");
        b.lat = s_xrealloc(NULL, maude.passes * maude.count * sizeof *b.lat);
        b.spare = s_xrealloc(NULL, maude.passes * maude.count * sizeof *b.lat);
        rc = s_corpus_rows(&b, &maude, &su, true);
    }
    if (rc == 0)
        rc = s_synthetic(&syn, &su, mb);
    if (rc == 0) {
        b.lat = s_xrealloc(b.lat, syn.count * sizeof *b.lat);
        b.spare = s_xrealloc(b.spare, syn.count * sizeof *b.lat);
        rc = s_corpus_rows(&b, &syn, &su, false);
    }
    if (rc == 0)
        printf("out/note   memchr: '.' bytes; PCRE2 naive: raw matches; "
               "dictionary: raw hits (overlaps included); regex: accepted "
               "values; udi: valid UDIs; split: sentences; context and "
               "full: mentions\n"
               "context    = trigger automaton scan + hits and mentions to "
               "token ranges + section headings to rules + "
               "nlp_context_apply; not the split; its input is an untimed "
               "nlp_extract_run of the same note\n"
               "dictionary = nlp_ac_scan only, with automata built here as "
               "nlp_extract_new builds its own (no accessor)\n"
               "bench_extract: %.1f s in all\n",
               (double)(s_now_ns() - t0) / 1e9);
    free(b.lat);
    free(b.spare);
    s_corpus_free(&maude);
    s_corpus_free(&syn);
    s_setup_free(&su);
    return rc != 0;
}
