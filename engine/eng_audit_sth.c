/*
 * eng_audit_sth.c - signed tree heads: sign, check, anchor-line text (see
 * eng_audit_sth.h). The parser is strict (one form per STH) and fuzzed
 * (tests/fuzz/fuzz_audit_sth.c): anchor files are external input.
 */
#include "devsurv/eng_audit_sth.h"
#include "devsurv/ds_err.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int s_msg(const struct eng_audit_sth *s, struct eng_audit_buf *b)
{
    return eng_audit_canon_sth(b, s->n, s->root, s->head, s->ts);
}

int eng_audit_sth_sign(struct eng_audit_sth *s, const struct eng_audit_key *k)
{
    struct eng_audit_buf b = {0};
    int rc = s_msg(s, &b);
    if (rc == 0)
        rc = eng_audit_key_sign(k, b.p, b.n, s->sig);
    eng_audit_buf_clear(&b);
    if (rc == 0) {
        memcpy(s->pub, k->pub, sizeof s->pub);
        s->is_signed = true;
    }
    return rc;
}

bool eng_audit_sth_check(const struct eng_audit_sth *s)
{
    struct eng_audit_buf b = {0};
    bool ok = s->is_signed && s_msg(s, &b) == 0 &&
              eng_audit_key_check(s->pub, b.p, b.n, s->sig);
    eng_audit_buf_clear(&b);
    return ok;
}

void eng_audit_sth_format(const struct eng_audit_sth *s, char *out)
{
    char root[2 * ENG_AUDIT_HASH + 1], head[2 * ENG_AUDIT_HASH + 1];
    char sig[2 * ENG_AUDIT_KEY_SIG + 1] = "-",
                                     pub[2 * ENG_AUDIT_KEY_PUB + 1] = "-";
    if (s->is_signed) {
        eng_audit_hex(s->sig, sizeof s->sig, sig);
        eng_audit_hex(s->pub, sizeof s->pub, pub);
    }
    snprintf(out, ENG_AUDIT_STH_LINE_MAX,
             "%" PRId64 " %s %s %" PRId64 " %s %s\n", s->n,
             eng_audit_hex(s->root, sizeof s->root, root),
             eng_audit_hex(s->head, sizeof s->head, head), s->ts, sig, pub);
}

/* Next space-separated field of *line (no empty fields). */
static struct ds_span s_field(struct ds_span *line, bool *bad)
{
    size_t i = 0;
    while (i < line->n && line->p[i] != ' ')
        i++;
    struct ds_span f = {line->p, i};
    if (i == 0)
        *bad = true;
    line->p += i < line->n ? i + 1 : i;
    line->n -= i < line->n ? i + 1 : i;
    return f;
}

/* A decimal int64 with no sign but '-' (ts may be negative), no leading
 * zeros, nothing else. */
static bool s_int(struct ds_span f, int64_t *out)
{
    bool neg = f.n > 0 && f.p[0] == '-';
    size_t i = neg;
    uint64_t v = 0;
    if (i == f.n || (f.p[i] == '0' && f.n > i + 1))
        return false;
    for (; i < f.n; i++) {
        if (f.p[i] < '0' || f.p[i] > '9' || v > (UINT64_C(1) << 62))
            return false;
        v = v * 10 + (uint64_t)(f.p[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX || (neg && v == 0))
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static bool s_lower_hex(struct ds_span f, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < f.n; i++)
        if (f.p[i] >= 'A' && f.p[i] <= 'F')
            return false;
    return eng_audit_unhex(f.p, f.n, out, n);
}

int eng_audit_sth_parse(struct ds_span line, struct eng_audit_sth *out)
{
    bool bad = false;
    memset(out, 0, sizeof *out);
    if (line.n > 0 && line.p[line.n - 1] == '\n')
        line.n--;
    if (line.n > 0 && line.p[line.n - 1] == ' ')
        return DS_EPARSE;
    struct ds_span f[6];
    for (int i = 0; i < 6; i++)
        f[i] = s_field(&line, &bad);
    if (bad || line.n != 0 || !s_int(f[0], &out->n) || out->n < 1 ||
        !s_lower_hex(f[1], out->root, sizeof out->root) ||
        !s_lower_hex(f[2], out->head, sizeof out->head) ||
        !s_int(f[3], &out->ts))
        return DS_EPARSE;
    bool nosig = ds_span_eq(f[4], "-"), nopub = ds_span_eq(f[5], "-");
    if (nosig && nopub)
        return 0;
    if (nosig || nopub || !s_lower_hex(f[4], out->sig, sizeof out->sig) ||
        !s_lower_hex(f[5], out->pub, sizeof out->pub))
        return DS_EPARSE;
    out->is_signed = true;
    return 0;
}
