/*
 * fuzz_scenario.c - libFuzzer target: any bytes as a ds-scenario file
 * (contrib/ds-scenario-parse.c, compiled in: contrib/ is not part of
 * libdevsurv.a).
 *
 * Beyond "no crash, no leak" it checks the contract: the code is one of the
 * documented ones; the diag is one printable ASCII line naming the file,
 * empty exactly on success; an accepted scenario honours what the
 * generator relies on (at least one device, product codes of 3 letters,
 * every rate resolved to a device, true rates adding up to 1 at most, phrase
 * templates with known placeholders only). A small accepted scenario
 * (at most 400 exposures) is also generated, and every line it writes must
 * decode as a valid native envelope (eng_event.h): whatever the scenario
 * says, the stream replays without quarantine. Not here: big scenarios
 * (time), the command line.
 */
#include "../../contrib/ds-scenario-emit.c"
#include "../../contrib/ds-scenario-gen.c"
#include "../../contrib/ds-scenario-parse.c"
#include "../../contrib/ds-scenario-util.c"
#include "devsurv/eng_event.h"

#include <stdlib.h>

#define GEN_MAX 400 /* exposures generated per input at most */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_check_diag(const struct ds_diag *diag, int rc)
{
    for (const char *p = diag->msg; *p; p++)
        if (*p < 0x20 || *p > 0x7E)
            if ((unsigned char)*p < 0x80) /* quoted UTF-8 values pass */
                abort();
    if ((rc == 0) != (diag->msg[0] == '\0'))
        abort();
    if (rc != 0 && strcmp(diag->file, "f.scn") != 0)
        abort();
}

static bool s_phrases_ok(const struct dss_phrases *ph)
{
    const char *bad;
    for (size_t i = 0; i < ph->n; i++)
        if (!ph->v[i][0] || !dss_template_ok(ph->v[i], &bad))
            return false;
    return ph->n <= DSS_PHRASES_MAX;
}

static void s_check_scenario(const struct dss_scenario *sc)
{
    if (sc->ndev < 1 || sc->ndev > DSS_DEVICES_MAX || sc->months < 1 ||
        !s_phrases_ok(&sc->uneventful))
        abort();
    for (size_t d = 0; d < sc->ndev; d++) {
        const char *pc = sc->dev[d].product_code;
        if (strlen(pc) != 3 || pc[0] < 'A' || pc[0] > 'Z' ||
            !sc->dev[d].brand[0])
            abort();
    }
    double sum[DSS_DEVICES_MAX] = {0};
    for (size_t o = 0; o < sc->nout; o++) {
        const struct dss_outcome *out = &sc->out[o];
        if (out->ph[DSS_AFFIRMED].n == 0 || out->window < 1)
            abort();
        for (int c = 0; c < DSS_NCTX; c++)
            if (!s_phrases_ok(&out->ph[c]))
                abort();
        for (size_t j = 0; j < out->nrates; j++) {
            int d = out->rates[j].device;
            if (d < 0 || (size_t)d >= sc->ndev)
                abort();
            sum[d] += out->rates[j].rate;
        }
    }
    for (size_t d = 0; d < sc->ndev; d++)
        if (sum[d] > 1.0)
            abort();
}

/* Every line of out[0..n) decodes as a native envelope. */
static void s_check_stream(const char *out, size_t n)
{
    static eng_decoder_t *dec;
    struct eng_event ev;
    if (!dec && !(dec = eng_decoder_new()))
        abort();
    for (const char *p = out, *end = out + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            abort(); /* every event ends its line */
        if (eng_decoder_decode(dec, ds_span_str(ENG_CTYPE_EVENT_JSON), p,
                               (size_t)(nl - p), &ev, NULL) != 0)
            abort();
        p = nl + 1;
    }
}

static void s_generate(const struct dss_scenario *sc)
{
    long total = 0;
    for (size_t d = 0; d < sc->ndev; d++)
        total += sc->dev[d].implants;
    if (total * sc->months > GEN_MAX)
        return;
    struct dss_truth *truth =
        ds_calloc((size_t)sc->months * sc->ndev * (sc->nout ? sc->nout : 1),
                  sizeof *truth);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    dss_emit_t *em = f ? dss_emit_new(f, sc->site) : NULL;
    struct dss_gen_opts go = {.reports = true};
    int rc = truth && em ? dss_generate(sc, &go, em, truth) : DS_ENOMEM;
    dss_emit_destroy(&em);
    if (f)
        fclose(f);
    if (rc != 0 && rc != DS_ENOMEM)
        abort();
    if (rc == 0)
        s_check_stream(buf, n);
    free(buf);
    ds_free(truth);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dss_scenario *sc;
    struct ds_diag diag;
    if (!sc && !(sc = calloc(1, sizeof *sc)))
        abort();
    int rc = dss_parse(sc, "f.scn", (const char *)data, size, &diag);
    if (rc != 0 && rc != DS_EPARSE && rc != DS_EINVAL && rc != DS_ERANGE &&
        rc != DS_ENOMEM && rc != DS_ETOOBIG)
        abort();
    s_check_diag(&diag, rc);
    if (rc == 0) {
        s_check_scenario(sc);
        s_generate(sc);
    }
    dss_clear(sc);
    return 0;
}
