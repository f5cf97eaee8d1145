/*
 * eng_plan_stat_pack.c - a surveillance cell as bytes and back (the
 * engine's plan_cells.state BLOB).
 *
 * Format version 1 (eng_plan_stat.h): version byte, status byte, a u32
 * little-endian mask of the non-zero fields, then those fields in struct
 * order; integers (all >= 0) as unsigned LEB128, doubles as IEEE-754 bits
 * little-endian. A zero field is always omitted and a varint is never
 * longer than needed, so one cell has exactly one encoding and
 * pack(unpack(bytes)) == bytes for every accepted input. Independent of
 * the host's byte order and struct layout.
 *
 * Not here: which plan the cell belongs to (the row's key says that), the
 * design (recomputed from the plan).
 */
#include "devsurv/eng_plan_stat.h"

#include <math.h>
#include <string.h>

#include "devsurv/ds_err.h"

#define S_VERSION 1
#define S_FIELDS  19

/* Field i of the format: an int64_t or a double inside the cell. */
struct s_field {
    size_t off;
    bool real;
};

#define S_I(m)                                                                 \
    {                                                                          \
        offsetof(struct eng_plan_cell, m), false                               \
    }
#define S_D(m)                                                                 \
    {                                                                          \
        offsetof(struct eng_plan_cell, m), true                                \
    }

static const struct s_field s_fields[S_FIELDS] = {
    S_I(observed),    S_D(expected),       S_I(exposures),
    S_I(comp_events), S_I(comp_exposures), S_I(table.a),
    S_I(table.b),     S_I(table.c),        S_I(table.d),
    S_I(binomial.n),  S_I(binomial.cases), {0, false}, /* over */
    S_D(cusum.s),     S_I(cusum.n),        S_I(cusum.signals),
    S_D(statistic),   S_I(base_observed),  S_D(base_expected),
    S_I(signals)};

#define S_OVER 11

/* Field i as 64 raw bits (int value, or the double's bits). */
static uint64_t s_get(const struct eng_plan_cell *c, int i)
{
    uint64_t u;
    if (i == S_OVER)
        return c->binomial.over ? 1 : 0;
    memcpy(&u, (const char *)c + s_fields[i].off, sizeof u);
    return u;
}

static void s_set(struct eng_plan_cell *c, int i, uint64_t u)
{
    if (i == S_OVER) {
        c->binomial.over = u != 0;
        return;
    }
    memcpy((char *)c + s_fields[i].off, &u, sizeof u);
}

size_t eng_plan_cell_pack(const struct eng_plan_cell *c, uint8_t *buf,
                          size_t cap)
{
    uint8_t tmp[ENG_PLAN_CELL_PACK_MAX];
    uint32_t mask = 0;
    size_t n = 6;
    for (int i = 0; i < S_FIELDS; i++) {
        uint64_t u = s_get(c, i);
        if (u == 0)
            continue;
        mask |= (uint32_t)1 << i;
        if (s_fields[i].real) {
            for (int k = 0; k < 8; k++)
                tmp[n++] = (uint8_t)(u >> (8 * k));
            continue;
        }
        do {
            tmp[n++] = (uint8_t)((u & 0x7F) | (u > 0x7F ? 0x80 : 0));
            u >>= 7;
        } while (u);
    }
    tmp[0] = S_VERSION;
    tmp[1] = (uint8_t)c->status;
    for (int k = 0; k < 4; k++)
        tmp[2 + k] = (uint8_t)(mask >> (8 * k));
    if (!buf || n > cap)
        return 0;
    memcpy(buf, tmp, n);
    return n;
}

/* A canonical varint of at most 63 bits at *pos. */
static int s_varint(const uint8_t *buf, size_t n, size_t *pos, uint64_t *out)
{
    uint64_t u = 0;
    for (int shift = 0; shift < 63; shift += 7) {
        if (*pos >= n)
            return DS_EPARSE;
        uint8_t b = buf[(*pos)++];
        if (shift == 56 && b > 0x7F)
            return DS_EPARSE; /* would exceed 63 bits */
        u |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            if (b == 0 && shift > 0)
                return DS_EPARSE; /* overlong */
            *out = u;
            return 0;
        }
    }
    return DS_EPARSE;
}

static int s_field(const uint8_t *buf, size_t n, size_t *pos, int i,
                   uint64_t *u)
{
    if (!s_fields[i].real)
        return s_varint(buf, n, pos, u);
    if (n - *pos < 8)
        return DS_EPARSE;
    *u = 0;
    for (int k = 0; k < 8; k++)
        *u |= (uint64_t)buf[(*pos)++] << (8 * k);
    return 0;
}

/* Values a cell can hold. */
static bool s_sane(const struct eng_plan_cell *c)
{
    return c->status <= ENG_PLAN_CELL_ENDED && isfinite(c->expected) &&
           c->expected >= 0 && isfinite(c->base_expected) &&
           c->base_expected >= 0 && c->base_expected <= c->expected &&
           c->base_observed <= c->observed &&
           c->binomial.cases <= c->binomial.n && isfinite(c->cusum.s) &&
           c->cusum.s >= 0 && !isinf(c->statistic);
}

int eng_plan_cell_unpack(struct eng_plan_cell *c, const uint8_t *buf, size_t n)
{
    struct eng_plan_cell t;
    uint32_t mask = 0;
    size_t pos = 6;
    if (!c || !buf || n < 6 || buf[0] != S_VERSION || buf[1] > 2)
        return DS_EPARSE;
    eng_plan_cell_init(&t);
    t.status = (enum eng_plan_cell_status)buf[1];
    for (int k = 0; k < 4; k++)
        mask |= (uint32_t)buf[2 + k] << (8 * k);
    if (mask >> S_FIELDS)
        return DS_EPARSE;
    for (int i = 0; i < S_FIELDS; i++) {
        uint64_t u = 0;
        if (!(mask & ((uint32_t)1 << i)))
            continue;
        if (s_field(buf, n, &pos, i, &u) != 0 || u == 0 ||
            (i == S_OVER && u != 1))
            return DS_EPARSE;
        s_set(&t, i, u);
    }
    if (pos != n || !s_sane(&t))
        return DS_EPARSE;
    *c = t;
    return 0;
}
