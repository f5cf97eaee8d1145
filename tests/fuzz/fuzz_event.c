/*
 * fuzz_event.c - libFuzzer target: any bytes through eng_decoder_decode()
 * with the native content type.
 *
 * Beyond "no crash, no leak" (the sanitizers) it checks the contract a
 * caller relies on: the code is one of the documented ones, the diag is one
 * line of printable ASCII that is empty exactly on success, an accepted
 * event honours every rule of eng_event.h, and a rejected one is zeroed.
 * The decoder is created once and reused, as ingest does. Not here: other
 * content types (one fixed type keeps the corpus about JSON).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_event.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned s_sink; /* keeps s_touch() from being optimised */

/* Every span byte is read so ASan sees a span that outlived its buffer. */
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
    return diag->file[0] == '\0' && (rc == 0) == (diag->msg[0] == '\0');
}

static int s_event_ok(const struct eng_event *ev)
{
    int textual = ev->kind == ENG_EV_NOTE || ev->kind == ENG_EV_REPORT;
    return ev->kind >= ENG_EV_NOTE && ev->kind <= ENG_EV_OUTCOME &&
           ev->id.n >= 1 && ev->id.n <= 128 && ev->patient.n <= 128 &&
           (!textual || ev->text.n > 0) &&
           (textual || ev->product_code.n == 3) &&
           (ev->kind != ENG_EV_OUTCOME || ev->event_code.n >= 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static eng_decoder_t *dec;
    struct eng_event ev, zero = {0};
    struct ds_diag diag;
    if (!dec && !(dec = eng_decoder_new()))
        abort();
    int rc = eng_decoder_decode(dec, ds_span_str(ENG_CTYPE_EVENT_JSON),
                                (const char *)data, size, &ev, &diag);
    if (rc != 0 && rc != DS_EPARSE && rc != DS_EINVAL && rc != DS_ENOMEM)
        abort();
    if (!s_diag_ok(&diag, rc))
        abort();
    if (rc != 0 && memcmp(&ev, &zero, sizeof ev) != 0)
        abort();
    if (rc == 0 && !s_event_ok(&ev))
        abort();
    s_sink = s_touch(ev.id) + s_touch(ev.patient) + s_touch(ev.encounter) +
             s_touch(ev.product_code) + s_touch(ev.udi) + s_touch(ev.brand) +
             s_touch(ev.model) + s_touch(ev.proc_code) +
             s_touch(ev.event_code) + s_touch(ev.event_term) + s_touch(ev.text);
    return 0;
}
