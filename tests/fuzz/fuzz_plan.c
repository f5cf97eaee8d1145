/*
 * fuzz_plan.c - libFuzzer target: any bytes through eng_plan_parse().
 *
 * Beyond "no crash, no leak" (the sanitizers) it checks the contract a
 * caller relies on: the code is 0 or DS_ECONFIG, the diag is one line of
 * printable ASCII naming the file, empty exactly on success, with a line
 * number within the input; a refused plan is left at the defaults; an
 * accepted one has a valid id, method and list counts, NUL-terminated
 * strings, and matches itself: its first event covers itself and a device
 * carrying its first product code (or brand, model, UDI-DI) is in the
 * group. Not here: sets and the rule tree (the directory and concept
 * checks need files; tests/engine/test_eng_plan_set.c covers them).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_NAME "plans/fuzz.plan"

static int s_diag_ok(const struct ds_diag *d, int rc, const uint8_t *data,
                     size_t size)
{
    for (const char *p = d->msg; *p; p++)
        if (*p < 0x20 || *p > 0x7E)
            return 0;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    return (rc == 0) == (d->msg[0] == '\0') &&
           (rc == 0 || strcmp(d->file, S_NAME) == 0) && d->line >= 0 &&
           (size_t)d->line <= lines;
}

static int s_terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static int s_lists_ok(const struct eng_plan *p)
{
    int ok =
        p->n_product_codes <= ENG_PLAN_LIST_MAX &&
        p->n_regulations <= ENG_PLAN_LIST_MAX &&
        p->n_brands <= ENG_PLAN_LIST_MAX && p->n_models <= ENG_PLAN_LIST_MAX &&
        p->n_udi_di <= ENG_PLAN_LIST_MAX && p->n_events <= ENG_PLAN_LIST_MAX;
    for (size_t i = 0; ok && i < p->n_product_codes; i++)
        ok = strlen(p->product_codes[i]) == 3;
    for (size_t i = 0; ok && i < p->n_udi_di; i++)
        ok = strlen(p->udi_di[i]) == 14;
    for (size_t i = 0; ok && i < p->n_brands; i++)
        ok = s_terminated(p->brands[i], sizeof p->brands[i]) &&
             strchr(p->brands[i], '_') == NULL;
    for (size_t i = 0; ok && i < p->n_events; i++)
        ok = s_terminated(p->events[i], sizeof p->events[i]);
    return ok;
}

static int s_matches_itself(const struct eng_plan *p)
{
    struct eng_plan_device d = {0};
    if (p->n_events && eng_plan_event_cover(
                           NULL, p, ds_span_str(p->events[0])) != p->events[0])
        return 0;
    if (p->n_product_codes)
        d.product_code = ds_span_str(p->product_codes[0]);
    else if (p->n_brands)
        d.brand = ds_span_str(p->brands[0]);
    else if (p->n_models)
        d.model = ds_span_str(p->models[0]);
    else if (p->n_udi_di)
        d.udi_di = ds_span_str(p->udi_di[0]);
    else
        return !eng_plan_device_in(NULL, p, &d);
    return eng_plan_device_in(NULL, p, &d);
}

static int s_plan_ok(const struct eng_plan *p)
{
    size_t n = strlen(p->id);
    return n >= 1 && n < ENG_PLAN_ID_MAX &&
           strspn(p->id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n &&
           s_terminated(p->title, sizeof p->title) &&
           (unsigned)p->method <= ENG_PLAN_DISPROP &&
           strcmp(eng_plan_method_name(p->method), "?") != 0 &&
           p->window_days >= 1 && s_lists_ok(p) && s_matches_itself(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eng_plan p;
    struct ds_diag d;
    int rc = eng_plan_parse(&p, (const char *)data, size, S_NAME, &d);
    if (rc != 0 && rc != DS_ECONFIG)
        abort();
    if (!s_diag_ok(&d, rc, data, size))
        abort();
    if (rc != 0) {
        /* refused: left at the defaults */
        if (p.id[0] || p.n_events || p.n_product_codes || p.window_days != 365)
            abort();
    } else if (!s_plan_ok(&p)) {
        abort();
    }
    return 0;
}
