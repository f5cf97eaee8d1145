/*
 * fuzz_fhir.c - libFuzzer target: any bytes through the two FHIR paths,
 * eng_decoder_decode() with application/fhir+json (the engine) and
 * eng_fhir_site_prepare() with and without a pseudonym key (ds-publish).
 *
 * Contract checked beyond the sanitizers: codes are the documented ones;
 * diags are one printable line, empty exactly on success; an accepted
 * event honours the kind rules and a rejected one is zeroed; every
 * prepared message is a JSON object with a resourceType that the decoder
 * then answers by the same contract; with a key no message has an
 * "identifier" member. One decoder, reused, as ingest does.
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_fhir.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static eng_decoder_t *s_dec;
static volatile unsigned s_sink;

static unsigned s_touch(struct ds_span s)
{
    unsigned sum = 0;
    for (size_t i = 0; i < s.n; i++)
        sum += (unsigned char)s.p[i];
    return sum;
}

static int s_diag_ok(const struct ds_diag *diag, int rc)
{
    for (const char *p = diag->msg; *p; p++)
        if (*p < 0x20 || *p > 0x7E)
            return 0;
    return (rc == 0) == (diag->msg[0] == '\0');
}

static int s_event_ok(const struct eng_event *ev)
{
    int textual = ev->kind == ENG_EV_NOTE || ev->kind == ENG_EV_REPORT;
    return ev->kind >= ENG_EV_NOTE && ev->kind <= ENG_EV_OUTCOME &&
           ev->id.n >= 3 && ev->id.n <= 128 && (!textual || ev->text.n > 0) &&
           (textual || ev->product_code.n == 3) &&
           (ev->kind != ENG_EV_OUTCOME || ev->event_code.n >= 3);
}

static void s_decode(const char *p, size_t n)
{
    struct eng_event ev, zero = {0};
    struct ds_diag diag;
    int rc = eng_decoder_decode(s_dec, ds_span_str(ENG_CTYPE_FHIR_JSON), p, n,
                                &ev, &diag);
    if (rc != 0 && rc != DS_EPARSE && rc != DS_EINVAL && rc != DS_EUNSUPP &&
        rc != DS_ENOMEM)
        abort();
    if (!s_diag_ok(&diag, rc))
        abort();
    if (rc != 0 && memcmp(&ev, &zero, sizeof ev) != 0)
        abort();
    if (rc == 0 && !s_event_ok(&ev))
        abort();
    s_sink += s_touch(ev.id) + s_touch(ev.patient) + s_touch(ev.encounter) +
              s_touch(ev.product_code) + s_touch(ev.udi) + s_touch(ev.brand) +
              s_touch(ev.model) + s_touch(ev.proc_code) +
              s_touch(ev.event_code) + s_touch(ev.event_term) +
              s_touch(ev.text);
}

static int s_has(const char *p, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, w, k) == 0)
            return 1;
    return 0;
}

static int s_emit(void *arg, const char *json, size_t n, int64_t ts_ms)
{
    const int *keyed = arg;
    (void)ts_ms;
    json_t *v = json_loadb(json, n, JSON_REJECT_DUPLICATES, NULL);
    if (!v || !json_is_string(json_object_get(v, "resourceType")))
        abort();
    json_decref(v);
    if (*keyed && s_has(json, n, "\"identifier\":"))
        abort();
    s_decode(json, n);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eng_pseudo_key key = {{1, 2, 3}};
    struct ds_diag diag;
    if (!s_dec && !(s_dec = eng_decoder_new()))
        abort();
    s_decode((const char *)data, size);
    for (int keyed = 0; keyed < 2; keyed++) {
        struct eng_fhir_site_stats st = {0};
        int rc =
            eng_fhir_site_prepare((const char *)data, size, keyed ? &key : NULL,
                                  s_emit, &keyed, &st, &diag);
        if (rc != 0 && rc != DS_EPARSE && rc != DS_EINVAL && rc != DS_EUNSUPP &&
            rc != DS_ENOMEM)
            abort();
        if (!s_diag_ok(&diag, rc) || (rc != 0 && st.emitted != 0))
            abort();
    }
    return 0;
}
