/*
 * bench_extract_synth.c - bench_extract's synthetic corpus: ~1 KB clinical
 * notes generated from a fixed seed (splitmix64, bench_util.c) out of
 * section templates, curated phrases, terms of the rule set's lexicon,
 * identifiers (model, lot, serial, GS1 and HIBCC UDIs with valid check
 * characters), dates and de-identification tokens.
 */
#include "bench_extract.h"
#include "bench_util.h"

#define S_NOTE_MIN  800 /* synthetic note length: MIN + [0, SPAN) bytes */
#define S_NOTE_SPAN 500

static unsigned s_pick(size_t n)
{
    return (unsigned)(bench_rng() % n);
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
    {"CHIEF COMPLAINT", 50, 1, 1, 0, s_cc, BX_N(s_cc)},
    {"HISTORY OF PRESENT ILLNESS", 100, 3, 5, 75, s_hpi, BX_N(s_hpi)},
    {"PAST MEDICAL HISTORY", 70, 1, 2, 60, s_pmh, BX_N(s_pmh)},
    {"FAMILY HISTORY", 30, 1, 1, 0, s_fh, BX_N(s_fh)},
    {"SOCIAL HISTORY", 40, 1, 2, 0, s_social, BX_N(s_social)},
    {"REVIEW OF SYSTEMS", 25, 1, 1, 0, s_ros, BX_N(s_ros)},
    {"MEDICATIONS", 50, 1, 2, 70, s_meds, BX_N(s_meds)},
    {"PHYSICAL EXAM", 60, 1, 3, 80, s_exam, BX_N(s_exam)},
    {"ASSESSMENT AND PLAN", 100, 2, 2, 90, s_plan, BX_N(s_plan)},
    {"DISCHARGE INSTRUCTIONS", 15, 1, 1, 0, s_dc, BX_N(s_dc)},
};
#define S_PLAN 8 /* index of the section that fills the note */

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

void bx_gen_init(struct bx_gen *g, const nlp_rules_t *rules)
{
    size_t n;
    memset(g, 0, sizeof *g);
    g->terms = nlp_rules_terms(rules, &n);
    g->dev = bench_xrealloc(NULL, n * sizeof *g->dev);
    g->ev = bench_xrealloc(NULL, n * sizeof *g->ev);
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
static void s_phrase(struct bx_corpus *c, struct bx_gen *g,
                     const char *const *list, size_t nlist, const uint32_t *lex,
                     size_t nlex)
{
    if (nlex && s_pick(4) == 0) {
        const struct nlp_term *t = &g->terms[lex[s_pick(nlex)]];
        bx_put(c, t->term, t->len);
        g->lexicon_drawn++;
        return;
    }
    bx_puts(c, list[s_pick(nlist)]);
}

static void s_date(struct bx_corpus *c)
{
    unsigned y = 2015 + s_pick(11), m = 1 + s_pick(12), d = 1 + s_pick(28);
    switch (s_pick(4)) {
    case 0: bx_printf(c, "%02u/%02u/%04u", m, d, y); break;
    case 1: bx_printf(c, "%04u-%02u-%02u", y, m, d); break;
    case 2: bx_printf(c, "%u %.3s %04u", d, s_months[m - 1], y); break;
    default: bx_printf(c, "%s %u, %04u", s_months[m - 1], d, y); break;
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

static void s_model(struct bx_corpus *c)
{
    static const unsigned mod[] = {4, 1500, 26, 26, 100000, 100};
    unsigned v[BX_N(mod)];
    s_draws(v, mod, BX_N(mod));
    switch (v[0]) {
    case 0: bx_printf(c, "model MMT-%u", 500 + v[1]); break;
    case 1: bx_printf(c, "Model #%c%04u", S_L(v[2]), v[4] % 10000); break;
    case 2: bx_printf(c, "REF %05u-%02u", v[4], v[5]); break;
    default:
        bx_printf(c, "catalog no. %c%c%04u", S_L(v[2]), S_L(v[3]),
                  v[4] % 10000);
        break;
    }
}

static void s_lot(struct bx_corpus *c)
{
    static const unsigned mod[] = {3, 100, 26, 26, 1000000};
    unsigned v[BX_N(mod)];
    s_draws(v, mod, BX_N(mod));
    switch (v[0]) {
    case 0:
        bx_printf(c, "lot %02u%c%04u", v[1], S_L(v[2]), v[4] % 10000);
        break;
    case 1: bx_printf(c, "Lot #: %c%c%06u", S_L(v[2]), S_L(v[3]), v[4]); break;
    default: bx_printf(c, "batch no. %06u", v[4]); break;
    }
}

static void s_serial(struct bx_corpus *c)
{
    static const unsigned mod[] = {3, 26, 26, 26, 100000000};
    unsigned v[BX_N(mod)];
    s_draws(v, mod, BX_N(mod));
    switch (v[0]) {
    case 0:
        bx_printf(c, "serial number %c%c%c%06u", S_L(v[1]), S_L(v[2]),
                  S_L(v[3]), v[4] % 1000000);
        break;
    case 1: bx_printf(c, "SN %08u", v[4]); break;
    default: bx_printf(c, "S/N: %c%07u", S_L(v[1]), v[4] % 10000000); break;
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
static void s_udi(struct bx_corpus *c, struct bx_gen *g)
{
    static const char *const prefix[] = {"0614141", "0884521", "0763000",
                                         "0643169"};
    static const char hibc[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
    static const unsigned gs1[] = {4,  100000, 6,      12, 28,
                                   26, 26,     100000, 3,  100000000};
    static const unsigned hibcc[] = {26, 1000, 26, 26, 10000, 10, 26, 100000};
    unsigned v[BX_N(gs1)];
    char u[96], gtin[16];
    int k;
    if (s_pick(5) != 0) {
        s_draws(v, gs1, BX_N(gs1));
        snprintf(gtin, sizeof gtin, "0%s%05u", prefix[v[0]], v[1]);
        gtin[13] = s_gs1_check(gtin, 13);
        gtin[14] = '\0';
        k = snprintf(u, sizeof u, "(01)%s(17)%02u%02u%02u(10)%c%c%05u", gtin,
                     25 + v[2], 1 + v[3], 1 + v[4], S_L(v[5]), S_L(v[6]), v[7]);
        if (v[8] == 0)
            k += snprintf(u + k, sizeof u - (size_t)k, "(21)%08u", v[9]);
    } else {
        unsigned sum = 0;
        s_draws(v, hibcc, BX_N(hibcc));
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
    bx_put(c, u, (size_t)k);
}

static void s_deid(struct bx_corpus *c)
{
    switch (s_pick(3)) {
    case 0: bx_puts(c, "[**Name**]"); break;
    case 1: bx_printf(c, "[**Known firstname %u**]", s_pick(1000)); break;
    default: bx_puts(c, "**NAME[AAA, BBB]"); break;
    }
}

/* Expand one slot of a template. */
static void s_slot(struct bx_corpus *c, struct bx_gen *g, char code)
{
    g->slots[(unsigned char)code & 127]++;
    switch (code) {
    case 'D':
        s_phrase(c, g, s_devices, BX_N(s_devices), g->dev, g->ndev);
        break;
    case 'E': s_phrase(c, g, s_events, BX_N(s_events), g->ev, g->nev); break;
    case 'C': bx_puts(c, s_components[s_pick(BX_N(s_components))]); break;
    case 'M': s_model(c); break;
    case 'L': s_lot(c); break;
    case 'S': s_serial(c); break;
    case 'U': s_udi(c, g); break;
    case 'T': s_date(c); break;
    case 'Y': bx_printf(c, "%u", 1995 + s_pick(29)); break;
    default: s_deid(c); break;
    }
}

/* A template for section s: a plain sentence or one of its own, not the
 * one just used. */
static const char *s_template(const struct s_section *s, const char *last)
{
    const char *t = last;
    for (int k = 0; k < 4 && t == last; k++)
        t = s_pick(100) < s->plain ? s_plain[s_pick(BX_N(s_plain))]
                                   : s->pool[s_pick(s->npool)];
    return t;
}

/* One sentence from tpl, its first letter upper case, then a space;
 * returns tpl. */
static const char *s_sentence(struct bx_corpus *c, struct bx_gen *g,
                              const char *tpl)
{
    size_t start = c->len;
    for (const char *p = tpl; *p; p++) {
        if (*p == '%' && p[1])
            s_slot(c, g, *++p);
        else
            bx_put(c, p, 1);
    }
    c->buf[start] = (char)toupper((unsigned char)c->buf[start]);
    bx_put(c, " ", 1);
    return tpl;
}

/* HEADING: (or Heading: in one note in four) */
static void s_heading(struct bx_corpus *c, const char *h, bool title)
{
    size_t start = c->len;
    bx_puts(c, h);
    for (size_t i = start + 1; title && i < c->len; i++)
        c->buf[i] = (char)tolower((unsigned char)c->buf[i]);
    bx_put(c, ": ", 2);
}

static void s_gen_note(struct bx_corpus *c, struct bx_gen *g)
{
    size_t begin = c->len;
    size_t target = S_NOTE_MIN + s_pick(S_NOTE_SPAN);
    bool title = s_pick(4) == 0;
    bx_puts(c, "Date of service: ");
    s_date(c);
    bx_put(c, "\n", 1);
    for (size_t i = 0; i < BX_N(s_sections); i++) {
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
    bx_note_end(c, begin);
}

/* FNV-1a 64 of the corpus bytes: the same in every run and build. */
uint64_t bx_fnv(const struct bx_corpus *c)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < c->len; i++)
        h = (h ^ (unsigned char)c->buf[i]) * 0x100000001b3u;
    return h;
}

void bx_gen_corpus(struct bx_corpus *c, struct bx_gen *g, double mb)
{
    bench_rng_seed(BX_SEED);
    while ((double)c->len < mb * 1e6)
        s_gen_note(c, g);
}
