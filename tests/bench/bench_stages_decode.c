/*
 * bench_stages_decode.c - bench_stages' rows "jansson alone" (json_loadb +
 * json_decref per envelope) and "decode" (eng_decoder_decode).
 */
#include "bench_stages.h"
#include "bench_util.h"

/* ---- jansson alone; decode ---- */

static int s_jansson_item(void *self, size_t i, bool warm)
{
    const struct bsg_stream *st = self;
    json_error_t err;
    (void)warm;
    json_t *j = json_loadb(bsg_env(st, i), st->items[i].n,
                           JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return bench_fail("jansson alone", "envelope %zu: %s", i + 1, err.text);
    json_decref(j);
    return 0;
}

/* Must run before any eng_decoder_new(): see the file-top comment. */
int bsg_run_jansson(struct bsg_ctx *c)
{
    static const struct bsg_bench b = {.what = "baseline",
                                       .name = "jansson alone (loadb+decref)",
                                       .item = s_jansson_item};
    return bsg_drive(c, &b, &c->st, c->n, (double)c->st.bytes);
}

struct s_dec {
    const struct bsg_stream *st;
    eng_decoder_t *dec;
    struct ds_span ctype;
    struct ds_diag diag;
};

static int s_decode_item(void *self, size_t i, bool warm)
{
    struct s_dec *d = self;
    struct eng_event ev;
    (void)warm;
    int rc = eng_decoder_decode(d->dec, d->ctype, bsg_env(d->st, i),
                                d->st->items[i].n, &ev, &d->diag);
    if (rc != 0)
        return bench_fail("decode", "envelope %zu: %s: %s", i + 1,
                          ds_strerror(rc), d->diag.msg);
    return 0;
}

int bsg_run_decode(struct bsg_ctx *c)
{
    static const struct bsg_bench b = {.what = "stage",
                                       .name = "decode (parse+validate)",
                                       .item = s_decode_item};
    struct s_dec d = {.st = &c->st, .ctype = ds_span_str(ENG_CTYPE_EVENT_JSON)};
    struct ds_alloc_stats a0, a1;
    d.dec = eng_decoder_new();
    if (!d.dec)
        return bench_fail("decode", "out of memory");
    int rc = bsg_drive(c, &b, &d, c->n, (double)c->st.bytes);
    size_t k = c->n < 1000 ? c->n : 1000;
    ds_alloc_stats(&a0);
    for (size_t i = 0; rc == 0 && i < k; i++)
        rc = s_decode_item(&d, i, false);
    ds_alloc_stats(&a1);
    if (rc == 0)
        bsg_note(c,
                 "decode: %.1f ds_alloc allocations per envelope (jansson's "
                 "document, kept until the next decode).\n",
                 (double)(a1.allocs - a0.allocs) / (double)k);
    eng_decoder_destroy(&d.dec);
    return rc;
}
