/*
 * test_eng_wire.c - DSV1 frames (eng_wire.h) as the engine and a publisher
 * use them: build a message into frames, parse frames back into a message,
 * and refuse every malformed frame list with a reason naming what is wrong.
 *
 * Frame lists for the error cases are assembled by hand (struct s_frames)
 * so they do not depend on eng_wire_build being right.
 */
#include "devsurv/eng_wire.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdint.h>

/* A hand-made frame list; integers live in ints[]. */
struct s_frames {
    struct ds_span f[10];
    uint8_t ints[10][8];
    size_t n;
};

static void s_str(struct s_frames *m, const char *s)
{
    m->f[m->n++] = ds_span_str(s);
}

static void s_int(struct s_frames *m, uint64_t v)
{
    eng_wire_put_u64(m->ints[m->n], v);
    m->f[m->n] = (struct ds_span){(const char *)m->ints[m->n], 8};
    m->n++;
}

/* Parse m, expecting DS_EPARSE with a diag containing want. */
static int s_refused(const struct s_frames *m, const char *want)
{
    struct eng_wire_msg out;
    struct ds_diag diag;
    ds_diag_clear(&diag);
    int rc = eng_wire_parse(m->f, m->n, &out, &diag);
    return rc == DS_EPARSE && strstr(diag.msg, want) != NULL;
}

static int s_same(struct ds_span a, struct ds_span b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Build m, parse the frames back, compare every field; frame count out. */
static int s_roundtrip(const struct eng_wire_msg *m, size_t *nframes)
{
    struct ds_span f[ENG_WIRE_MAX_FRAMES];
    struct eng_wire_scratch scratch;
    struct eng_wire_msg b;
    struct ds_diag diag;
    *nframes = eng_wire_build(m, f, &scratch);
    if (eng_wire_parse(f, *nframes, &b, &diag) != 0)
        return 0;
    return b.cmd == m->cmd && b.epoch == m->epoch && b.seq == m->seq &&
           b.ts_ms == m->ts_ms && b.credit == m->credit &&
           s_same(b.source, m->source) && s_same(b.ctype, m->ctype) &&
           s_same(b.payload, m->payload);
}

static const char s_src[] = "hospital-A.icu_2";

TEST(u64_big_endian)
{
    uint8_t b[8];
    const uint8_t want[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    eng_wire_put_u64(b, 0x0102030405060708ULL);
    CHECK(memcmp(b, want, 8) == 0);
    CHECK(eng_wire_get_u64(want) == 0x0102030405060708ULL);
    eng_wire_put_u64(b, 1);
    CHECK_INT(b[7], 1);
    CHECK_INT(b[0] | b[1] | b[2] | b[3] | b[4] | b[5] | b[6], 0);
    const uint8_t ff[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK(eng_wire_get_u64(ff) == UINT64_MAX);
    const uint8_t hi[8] = {0x80, 0, 0, 0, 0, 0, 0, 0};
    CHECK(eng_wire_get_u64(hi) == 0x8000000000000000ULL);
}

TEST(roundtrip_hello)
{
    struct eng_wire_msg m = {.cmd = ENG_WIRE_HELLO, .epoch = 7};
    size_t n;
    m.source = ds_span_str(s_src);
    CHECK(s_roundtrip(&m, &n));
    CHECK_INT(n, 3);
}

TEST(roundtrip_ev)
{
    const char payload[] = {'{', '}', '\0', '\xff'}; /* bytes, not text */
    struct eng_wire_msg m = {.cmd = ENG_WIRE_EV,
                             .epoch = 1,
                             .seq = 0x1122334455667788ULL,
                             .ts_ms = 1772442900250LL};
    size_t n;
    m.source = ds_span_str(s_src);
    m.ctype = ds_span_str("application/vnd.devsurv.event+json");
    m.payload = (struct ds_span){payload, sizeof payload};
    CHECK(s_roundtrip(&m, &n));
    CHECK_INT(n, 7);
    m.ts_ms = -1; /* before 1970: the signed value survives the u64 frame */
    m.payload = (struct ds_span){NULL, 0};
    CHECK(s_roundtrip(&m, &n));
}

TEST(roundtrip_ack_with_and_without_credit)
{
    struct eng_wire_msg m = {.cmd = ENG_WIRE_ACK, .epoch = 3, .seq = 41};
    size_t n;
    m.source = ds_span_str(s_src);
    CHECK(s_roundtrip(&m, &n));
    CHECK_INT(n, 4);
    m.credit = 256;
    CHECK(s_roundtrip(&m, &n));
    CHECK_INT(n, 5);
    m.seq = 0; /* nothing committed yet is a valid ACK */
    CHECK(s_roundtrip(&m, &n));
}

TEST(roundtrip_resend)
{
    struct eng_wire_msg m = {.cmd = ENG_WIRE_RESEND, .epoch = 2, .seq = 9};
    size_t n;
    m.source = ds_span_str(s_src);
    CHECK(s_roundtrip(&m, &n));
    CHECK_INT(n, 4);
}

TEST(build_frames_by_hand)
{
    struct eng_wire_msg m = {
        .cmd = ENG_WIRE_ACK, .epoch = 0x0102, .seq = 5, .credit = 1};
    struct ds_span f[ENG_WIRE_MAX_FRAMES];
    struct eng_wire_scratch scratch;
    const uint8_t epoch[8] = {0, 0, 0, 0, 0, 0, 1, 2};
    m.source = ds_span_str(s_src);
    CHECK_INT(eng_wire_build(&m, f, &scratch), 5);
    CHECK(ds_span_eq(f[0], "ACK"));
    CHECK(ds_span_eq(f[1], s_src));
    CHECK_INT(f[2].n, 8);
    CHECK(memcmp(f[2].p, epoch, 8) == 0);
    CHECK_INT(eng_wire_get_u64((const uint8_t *)f[3].p), 5);
    CHECK_INT(eng_wire_get_u64((const uint8_t *)f[4].p), 1);
}

TEST(parse_ev_by_hand)
{
    struct s_frames m = {.n = 0};
    struct eng_wire_msg out;
    struct ds_diag diag;
    s_str(&m, "EV");
    s_str(&m, "h1");
    s_int(&m, 4);
    s_int(&m, 12);
    s_int(&m, 1000);
    s_str(&m, "text/plain");
    s_str(&m, "hello");
    CHECK_INT(eng_wire_parse(m.f, m.n, &out, &diag), 0);
    CHECK_INT(out.cmd, ENG_WIRE_EV);
    CHECK(ds_span_eq(out.source, "h1"));
    CHECK(out.source.p == m.f[1].p); /* borrowed, not copied */
    CHECK_INT(out.epoch, 4);
    CHECK_INT(out.seq, 12);
    CHECK_INT(out.ts_ms, 1000);
    CHECK(ds_span_eq(out.ctype, "text/plain"));
    CHECK(ds_span_eq(out.payload, "hello"));
    CHECK_INT(out.credit, 0);
}

TEST(parse_empty_and_unknown)
{
    struct s_frames m = {.n = 0};
    CHECK(s_refused(&m, "empty message"));
    const char *names[] = {"BYE", "hello", "HELLOX", "", "EVX", "AC"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        m.n = 0;
        s_str(&m, names[i]);
        s_str(&m, "h1");
        s_int(&m, 1);
        CHECK(s_refused(&m, "frame 0: unknown command"));
    }
}

/* cmd followed by valid frames (source, then integers), nf frames in all. */
static void s_fill(struct s_frames *m, const char *cmd, size_t nf)
{
    m->n = 0;
    s_str(m, cmd);
    s_str(m, "h1");
    while (m->n < nf)
        s_int(m, 1);
    if (nf < m->n)
        m->n = nf;
}

TEST(parse_wrong_frame_counts)
{
    static const struct {
        const char *cmd;
        size_t ok_lo, ok_hi;
    } c[] = {{"HELLO", 3, 3}, {"EV", 7, 7}, {"ACK", 4, 5}, {"RESEND", 4, 4}};
    struct s_frames m;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        for (size_t nf = 1; nf <= 9; nf++) {
            s_fill(&m, c[i].cmd, nf);
            if (nf >= c[i].ok_lo && nf <= c[i].ok_hi)
                continue; /* EV with all-integer frames is valid too */
            CHECK(s_refused(&m, c[i].cmd));
            CHECK(s_refused(&m, "frames, got"));
        }
    }
}

TEST(parse_seven_byte_integer)
{
    struct s_frames m;
    s_fill(&m, "HELLO", 3);
    m.f[2].n = 7;
    CHECK(s_refused(&m, "frame 2: expected 8-byte integer, got 7 bytes"));
    s_fill(&m, "EV", 7);
    m.f[4].n = 7;
    CHECK(s_refused(&m, "frame 4: expected 8-byte integer"));
    s_fill(&m, "ACK", 5);
    m.f[4].n = 9;
    m.f[4].p = "123456789";
    CHECK(s_refused(&m, "frame 4: expected 8-byte integer, got 9 bytes"));
    s_fill(&m, "RESEND", 4);
    m.f[3].n = 0;
    CHECK(s_refused(&m, "frame 3: expected 8-byte integer, got 0 bytes"));
}

TEST(parse_epoch_zero_and_seq_zero)
{
    struct s_frames m;
    s_fill(&m, "HELLO", 2);
    s_int(&m, 0);
    CHECK(s_refused(&m, "epoch 0"));
    s_fill(&m, "EV", 3);
    s_int(&m, 0); /* seq */
    s_int(&m, 5);
    s_str(&m, "t");
    s_str(&m, "p");
    CHECK(s_refused(&m, "EV: seq 0"));
}

TEST(parse_invalid_source_ids)
{
    char long_id[ENG_WIRE_SOURCE_MAX + 2];
    memset(long_id, 'a', ENG_WIRE_SOURCE_MAX + 1);
    long_id[ENG_WIRE_SOURCE_MAX + 1] = '\0';
    const char *bad[] = {"",       long_id,          "hosp A",
                         "hosp/A", "h\xc3\xa9pital", "\x80"};
    struct s_frames m;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s_fill(&m, "HELLO", 3);
        m.f[1] = ds_span_str(bad[i]);
        CHECK(s_refused(&m, "frame 1: invalid source id"));
    }
    s_fill(&m, "HELLO", 3);
    m.f[1] = (struct ds_span){"a\0b", 3}; /* embedded NUL */
    CHECK(s_refused(&m, "invalid source id"));
}

TEST(source_ok_alphabet_and_length)
{
    static const char ok[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789._-";
    char s[ENG_WIRE_SOURCE_MAX + 1];
    for (size_t i = 0; i < sizeof s; i++)
        s[i] = ok[(i * 7) % (sizeof ok - 1)];
    CHECK(eng_wire_source_ok((struct ds_span){s, ENG_WIRE_SOURCE_MAX}));
    CHECK(!eng_wire_source_ok((struct ds_span){s, ENG_WIRE_SOURCE_MAX + 1}));
    CHECK(!eng_wire_source_ok((struct ds_span){s, 0}));
    for (size_t i = 0; i + 1 < sizeof ok; i++)
        CHECK(eng_wire_source_ok((struct ds_span){&ok[i], 1}));
    for (int c = 0; c < 256; c++) {
        char one = (char)c;
        if (!memchr(ok, c, sizeof ok - 1))
            CHECK(!eng_wire_source_ok((struct ds_span){&one, 1}));
    }
}

int main(void)
{
    RUN(u64_big_endian);
    RUN(roundtrip_hello);
    RUN(roundtrip_ev);
    RUN(roundtrip_ack_with_and_without_credit);
    RUN(roundtrip_resend);
    RUN(build_frames_by_hand);
    RUN(parse_ev_by_hand);
    RUN(parse_empty_and_unknown);
    RUN(parse_wrong_frame_counts);
    RUN(parse_seven_byte_integer);
    RUN(parse_epoch_zero_and_seq_zero);
    RUN(parse_invalid_source_ids);
    RUN(source_ok_alphabet_and_length);
    return test_report();
}
