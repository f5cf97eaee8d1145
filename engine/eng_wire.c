/*
 * eng_wire.c - parse and build DSV1 frames (see eng_wire.h). Pure.
 */
#include "devsurv/eng_wire.h"
#include "devsurv/ds_err.h"

static const struct {
    const char *name;
    enum eng_wire_cmd cmd;
    size_t min_frames, max_frames;
} s_cmds[] = {
    {"HELLO", ENG_WIRE_HELLO, 3, 3},
    {"EV", ENG_WIRE_EV, 7, 7},
    {"ACK", ENG_WIRE_ACK, 4, 5},
    {"RESEND", ENG_WIRE_RESEND, 4, 4},
};
#define S_NCMDS (sizeof s_cmds / sizeof s_cmds[0])

void eng_wire_put_u64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)(v & 0xff);
}

uint64_t eng_wire_get_u64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
}

bool eng_wire_source_ok(struct ds_span s)
{
    if (s.n == 0 || s.n > ENG_WIRE_SOURCE_MAX)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

static int s_u64(const struct ds_span *f, size_t i, uint64_t *v,
                 struct ds_diag *diag)
{
    if (f[i].n != 8)
        return ds_diag_set_code(diag, DS_EPARSE, "", 0,
                                "frame %zu: expected 8-byte integer, got %zu "
                                "bytes",
                                i, f[i].n);
    *v = eng_wire_get_u64((const uint8_t *)f[i].p);
    return 0;
}

static int s_find_cmd(struct ds_span f, size_t n, size_t *k,
                      struct ds_diag *diag)
{
    for (*k = 0; *k < S_NCMDS; (*k)++)
        if (ds_span_eq(f, s_cmds[*k].name))
            break;
    if (*k == S_NCMDS)
        return ds_diag_set_code(diag, DS_EPARSE, "", 0,
                                "frame 0: unknown command");
    if (n < s_cmds[*k].min_frames || n > s_cmds[*k].max_frames)
        return ds_diag_set_code(
            diag, DS_EPARSE, "", 0, "%s: expected %zu to %zu frames, got %zu",
            s_cmds[*k].name, s_cmds[*k].min_frames, s_cmds[*k].max_frames, n);
    return 0;
}

static int s_parse_ev(const struct ds_span *f, struct eng_wire_msg *out,
                      struct ds_diag *diag)
{
    uint64_t ts;
    int rc = s_u64(f, 3, &out->seq, diag);
    if (rc == 0)
        rc = s_u64(f, 4, &ts, diag);
    if (rc != 0)
        return rc;
    if (out->seq == 0)
        return ds_diag_set_code(diag, DS_EPARSE, "", 0, "EV: seq 0");
    out->ts_ms = (int64_t)ts;
    out->ctype = f[5];
    out->payload = f[6];
    return 0;
}

int eng_wire_parse(const struct ds_span *f, size_t n, struct eng_wire_msg *out,
                   struct ds_diag *diag)
{
    size_t k;
    *out = (struct eng_wire_msg){0};
    if (n == 0)
        return ds_diag_set_code(diag, DS_EPARSE, "", 0, "empty message");
    int rc = s_find_cmd(f[0], n, &k, diag);
    if (rc != 0)
        return rc;
    out->cmd = s_cmds[k].cmd;
    out->source = f[1];
    if (!eng_wire_source_ok(f[1]))
        return ds_diag_set_code(diag, DS_EPARSE, "", 0,
                                "frame 1: invalid source id");
    if ((rc = s_u64(f, 2, &out->epoch, diag)) != 0)
        return rc;
    if (out->epoch == 0)
        return ds_diag_set_code(diag, DS_EPARSE, "", 0, "frame 2: epoch 0");
    if (out->cmd == ENG_WIRE_EV)
        return s_parse_ev(f, out, diag);
    if (out->cmd == ENG_WIRE_HELLO)
        return 0;
    if ((rc = s_u64(f, 3, &out->seq, diag)) != 0)
        return rc;
    if (n == 5)
        return s_u64(f, 4, &out->credit, diag);
    return 0;
}

static struct ds_span s_int(struct eng_wire_scratch *s, int i, uint64_t v)
{
    eng_wire_put_u64(s->ints[i], v);
    return (struct ds_span){(const char *)s->ints[i], 8};
}

size_t eng_wire_build(const struct eng_wire_msg *m, struct ds_span *f,
                      struct eng_wire_scratch *s)
{
    size_t k = 0;
    while (k < S_NCMDS && s_cmds[k].cmd != m->cmd)
        k++;
    if (k == S_NCMDS)
        return 0;
    size_t n = 0;
    f[n++] = ds_span_str(s_cmds[k].name);
    f[n++] = m->source;
    f[n++] = s_int(s, 0, m->epoch);
    if (m->cmd == ENG_WIRE_HELLO)
        return n;
    f[n++] = s_int(s, 1, m->seq);
    if (m->cmd == ENG_WIRE_EV) {
        f[n++] = s_int(s, 2, (uint64_t)m->ts_ms);
        f[n++] = m->ctype;
        f[n++] = m->payload;
    } else if (m->cmd == ENG_WIRE_ACK && m->credit) {
        f[n++] = s_int(s, 3, m->credit);
    }
    return n;
}
