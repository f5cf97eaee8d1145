/*
 * fuzz_wire.c - libFuzzer target for DSV1 frame parsing (eng_wire.h).
 *
 * Input format: byte 0 is the frame count (mod 9, so 0..8: one more than
 * ENG_WIRE_MAX_FRAMES); then each frame is a 1-byte length followed by that
 * many bytes. Input that ends early simply yields fewer (or shorter) frames.
 * Each frame is copied into its own heap block of exactly its size so ASan
 * catches a parser that reads past a frame.
 *
 * Oracle: whatever eng_wire_parse() accepts must survive eng_wire_build()
 * and a second parse with every field equal; abort() otherwise. Crashes and
 * sanitizer reports are the other findings.
 */
#include "devsurv/eng_wire.h"

#include <stdlib.h>
#include <string.h>

#define S_FRAMES_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool s_same(struct ds_span a, struct ds_span b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static bool s_equal(const struct eng_wire_msg *a, const struct eng_wire_msg *b)
{
    return a->cmd == b->cmd && a->epoch == b->epoch && a->seq == b->seq &&
           a->ts_ms == b->ts_ms && a->credit == b->credit &&
           s_same(a->source, b->source) && s_same(a->ctype, b->ctype) &&
           s_same(a->payload, b->payload);
}

/* Split data into at most S_FRAMES_MAX frames, each in its own block. */
static size_t s_split(const uint8_t *data, size_t size, struct ds_span *f,
                      char **blocks)
{
    size_t want = size ? data[0] % (S_FRAMES_MAX + 1) : 0, n = 0, at = 1;
    while (n < want && at < size) {
        size_t len = data[at++];
        if (len > size - at)
            len = size - at;
        blocks[n] = malloc(len ? len : 1);
        if (!blocks[n])
            abort();
        memcpy(blocks[n], data + at, len);
        f[n] = (struct ds_span){blocks[n], len};
        at += len;
        n++;
    }
    return n;
}

static void s_roundtrip(const struct eng_wire_msg *m)
{
    struct ds_span f[ENG_WIRE_MAX_FRAMES];
    struct eng_wire_scratch scratch;
    struct eng_wire_msg again;
    struct ds_diag diag;
    size_t n = eng_wire_build(m, f, &scratch);
    if (n == 0 || n > ENG_WIRE_MAX_FRAMES)
        abort();
    if (eng_wire_parse(f, n, &again, &diag) != 0)
        abort();
    if (!s_equal(m, &again))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ds_span f[S_FRAMES_MAX];
    char *blocks[S_FRAMES_MAX];
    struct eng_wire_msg m;
    struct ds_diag diag;
    size_t n = s_split(data, size, f, blocks);
    if (eng_wire_parse(f, n, &m, &diag) == 0)
        s_roundtrip(&m);
    else if (memchr(diag.msg, '\0', sizeof diag.msg) == NULL)
        abort(); /* a diagnostic is always a terminated string */
    for (size_t i = 0; i < n; i++)
        free(blocks[i]);
    return 0;
}
