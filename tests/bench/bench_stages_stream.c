/*
 * bench_stages_stream.c - bench_stages' synthetic stream: N envelopes in
 * the shape of fixtures/streams/demo.jsonl generated in memory from a
 * fixed seed (splitmix64, bench_util.c), and access to them.
 */
#include "bench_stages.h"
#include "bench_util.h"

#define S_T0      1767571200 /* 2026-01-05T00:00:00Z */
#define S_ENV_MAX 400        /* longest envelope generated */

/* ---- the synthetic stream ---- */

struct s_device {
    const char *code, *brand, *model, *proc, *term;
};

/* Product codes are only checked for syntax; pairings are illustrative. */
static const struct s_device s_devices[] = {
    {"MGB", "Angio-Seal", "VIP 6F", "femoral-closure", "closure device"},
    {"LZG", "MiniMed", "780G", "pump-start", "insulin pump"},
    {"DXY", "Azure", "XT DR", "ppm-implant", "pacemaker"},
    {"LWS", "Evera", "MRI XT", "icd-implant", "defibrillator"},
    {"NIQ", "Xience", "Sierra 3.0", "pci-stent", "drug-eluting stent"},
    {"DQY", "Swan-Ganz", "CCO 7.5F", "pa-line", "catheter"},
    {"KWZ", "Accolade", "II 132", "hip-arthroplasty", "hip prosthesis"},
    {"FRN", "Alaris", "8100", "pump-start", "infusion pump"},
};

/* Two outcomes per device (same order): IMDRF-shaped code and term. */
static const char *const s_outcomes[][2][2] = {
    {{"E0505", "Hematoma"}, {"E0602", "Pseudoaneurysm"}},
    {{"E1205", "Hyperglycemia"}, {"A0701", "Occlusion alarm"}},
    {{"E0101", "Arrhythmia"}, {"A0501", "Lead dislodgement"}},
    {{"E0103", "Inappropriate shock"}, {"A0502", "Lead fracture"}},
    {{"E0404", "Stent thrombosis"}, {"E0601", "Restenosis"}},
    {{"E0302", "Infection"}, {"E1302", "Vessel perforation"}},
    {{"E1501", "Dislocation"}, {"A0404", "Loosening"}},
    {{"E2101", "Overdose"}, {"A0601", "Free flow"}},
};
#define S_NDEV (sizeof s_devices / sizeof s_devices[0])

/* Sentences of notes: a, then the device's term and b when b is set. */
static const struct {
    const char *a, *b;
} s_sentences[] = {
    {"Patient reviewed on the ward after ", " placement."},
    {"Small haematoma at the access site, no bruit, pulses present.", NULL},
    {"Reports intermittent dizziness since the last visit.", NULL},
    {"Interrogation of the ", " normal, impedance within range."},
    {"Occlusion alarm at night, glucose 18 mmol/L, corrected.", NULL},
    {"No adverse event reported by the patient or family.", NULL},
    {"Wound clean and dry, sutures removed, follow-up in six weeks.", NULL},
    {"Suspected malfunction of the ", "; unit returned to maker."},
    {"Chest pain on exertion, troponin negative, ECG unchanged.", NULL},
    {"Fever of 38.4 C, blood cultures taken, antibiotics started.", NULL},
};
#define S_NSENT (sizeof s_sentences / sizeof s_sentences[0])

static int s_reserve(struct bsg_stream *st, size_t more)
{
    if (st->len + more <= st->cap)
        return 0;
    size_t cap = st->cap ? st->cap : 1u << 20;
    while (cap < st->len + more)
        cap *= 2;
    char *p = realloc(st->buf, cap);
    if (!p)
        return -1;
    st->buf = p;
    st->cap = cap;
    return 0;
}

/* A note's text of whole sentences, at most max bytes (at least one). */
static size_t s_text(char *out, size_t max, const struct s_device *d,
                     bool upper)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        char sent[160];
        size_t j = bench_rng() % S_NSENT;
        const char *b = s_sentences[j].b;
        int k = snprintf(sent, sizeof sent, "%s%s%s", s_sentences[j].a,
                         b ? d->term : "", b ? b : "");
        if (k < 0 || (i > 0 && n + 1 + (size_t)k > max))
            break;
        if (i > 0)
            out[n++] = ' ';
        memcpy(out + n, sent, (size_t)k);
        n += (size_t)k;
    }
    for (size_t i = 0; upper && i < n; i++)
        out[i] = (char)toupper((unsigned char)out[i]);
    out[n] = '\0';
    return n;
}

/* Kind-specific members: procedure, event or text (after the device). */
static int s_extra(char *out, size_t cap, int kind, const struct s_device *d,
                   size_t head, size_t *text_at)
{
    size_t j = bench_rng() % 2;
    *text_at = 0;
    if (kind == 0)
        return snprintf(out, cap,
                        ",\"procedure\":{\"code\":\"%s\","
                        "\"action\":\"implanted\"}}",
                        d->proc);
    if (kind == 1)
        return snprintf(out, cap,
                        ",\"event\":{\"code\":\"%s\","
                        "\"term\":\"%s\"}}",
                        s_outcomes[d - s_devices][j][0],
                        s_outcomes[d - s_devices][j][1]);
    char text[S_ENV_MAX];
    size_t room = S_ENV_MAX - head - sizeof ",\"text\":\"\"}" + 1;
    s_text(text, room < sizeof text ? room : sizeof text - 1, d, kind == 3);
    *text_at = sizeof ",\"text\":\"" - 1;
    return snprintf(out, cap, ",\"text\":\"%s\"}", text);
}

static const char *const s_kinds[] = {"exposure", "outcome", "note", "report"};

/* The common members of envelope i, up to the device object, into out. */
static int s_head(char *out, size_t cap, size_t i, int kind,
                  const struct s_device *d)
{
    time_t t = (time_t)(S_T0 + (int64_t)i * 13);
    struct tm tm;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    uint64_t r = bench_rng();
    return snprintf(out, cap,
                    "{\"id\":\"bench-%07zu\",\"kind\":\"%s\",\"time\":\"%s\","
                    "\"patient\":\"p-%06x\",\"encounter\":\"e-%05x\","
                    "\"device\":{\"product_code\":\"%s\",\"udi\":"
                    "\"(01)00614141%06u(21)SN%05u\",\"brand\":\"%s\","
                    "\"model\":\"%s\"}",
                    i + 1, s_kinds[kind], when, (unsigned)(r & 0xffffff),
                    (unsigned)((r >> 24) & 0xfffff), d->code,
                    (unsigned)((r >> 44) % 1000000), (unsigned)(i % 100000),
                    d->brand, d->model);
}

/* Append env[0..n) (its text, if any, at text_off for text_n) to st. */
static int s_push(struct bsg_stream *st, const char *env, size_t n,
                  size_t text_off, size_t text_n, int kind)
{
    if (s_reserve(st, n + 1) != 0)
        return -1;
    struct bsg_item *it = &st->items[st->count++];
    *it =
        (struct bsg_item){st->len, n, text_n ? st->len + text_off : 0, text_n};
    memcpy(st->buf + st->len, env, n);
    st->buf[st->len + n] = '\n'; /* not part of the envelope */
    st->len += n + 1;
    st->kinds[kind]++;
    st->bytes += n;
    st->min_n = st->min_n && st->min_n < n ? st->min_n : n;
    st->max_n = st->max_n > n ? st->max_n : n;
    st->ntext += text_n > 0;
    st->text_bytes += text_n;
    return 0;
}

/* Append envelope i to the stream. */
static int s_gen_one(struct bsg_stream *st, size_t i)
{
    static const int kind_of[10] = {0, 0, 0, 0, 1, 2, 2, 2, 2, 3};
    int kind = kind_of[bench_rng() % 10];
    const struct s_device *d = &s_devices[bench_rng() % S_NDEV];
    char env[2 * S_ENV_MAX], tail[S_ENV_MAX + 32];
    size_t text_at;
    int h = s_head(env, sizeof env, i, kind, d);
    if (h < 0 || (size_t)h >= S_ENV_MAX)
        return -1;
    int e = s_extra(tail, sizeof tail, kind, d, (size_t)h, &text_at);
    if (e < 0 || (size_t)(h + e) >= sizeof env)
        return -1;
    memcpy(env + h, tail, (size_t)e + 1);
    return s_push(st, env, (size_t)(h + e), (size_t)h + text_at,
                  text_at ? (size_t)e - text_at - 2 : 0, kind);
}

int bsg_gen(struct bsg_stream *st, size_t n)
{
    memset(st, 0, sizeof *st);
    bench_rng_seed(BSG_SEED);
    st->items = calloc(n, sizeof *st->items);
    if (!st->items)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s_gen_one(st, i) != 0)
            return -1;
    return 0;
}

void bsg_stream_free(struct bsg_stream *st)
{
    free(st->buf);
    free(st->items);
    memset(st, 0, sizeof *st);
}

const char *bsg_env(const struct bsg_stream *st, size_t i)
{
    return st->buf + st->items[i].off;
}

int64_t bsg_ts_ms(size_t i)
{
    return ((int64_t)S_T0 + (int64_t)i * 13) * 1000;
}
