/*
 * fuzz_json_cmp.h - ds_json against jansson on one document, shared by
 * tests/fuzz/fuzz_json.c and tests/engine/test_ds_json.c (header only,
 * static functions).
 *
 * The oracle is json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY): the
 * two must accept and reject the same documents, and an accepted one must
 * give the same tree: same types (jansson's integer where the number has
 * no fraction or exponent, with the same value), same decoded strings and
 * keys, same member and element counts.
 */
#ifndef DEVSURV_FUZZ_JSON_CMP_H
#define DEVSURV_FUZZ_JSON_CMP_H

#include "devsurv/ds_err.h"
#include "devsurv/ds_json.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the number text s say an integer of value want? */
static int dsj_int_same(struct ds_span s, json_int_t want)
{
    char tmp[32];
    if (memchr(s.p, '.', s.n) || memchr(s.p, 'e', s.n) ||
        memchr(s.p, 'E', s.n) || s.n >= sizeof tmp)
        return 0;
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = '\0';
    return strtoll(tmp, NULL, 10) == want;
}

/* 1 when the subtree at n and jansson's v agree. */
static int dsj_same(const struct ds_json_node *n, const json_t *v)
{
    const struct ds_json_node *c = n + 1;
    switch (n->type) {
    case DS_JSON_NULL: return json_is_null(v);
    case DS_JSON_FALSE: return json_is_false(v);
    case DS_JSON_TRUE: return json_is_true(v);
    case DS_JSON_NUMBER:
        return json_is_integer(v) ? dsj_int_same(n->s, json_integer_value(v))
                                  : json_is_real(v);
    case DS_JSON_STRING:
        return json_is_string(v) && json_string_length(v) == n->s.n &&
               (n->s.n == 0 ||
                memcmp(json_string_value(v), n->s.p, n->s.n) == 0);
    case DS_JSON_ARRAY:
        if (!json_is_array(v) || json_array_size(v) != n->count)
            return 0;
        for (size_t i = 0; i < n->count; i++, c += c->size)
            if (!dsj_same(c, json_array_get(v, i)))
                return 0;
        return c == n + n->size;
    case DS_JSON_OBJECT:
        if (!json_is_object(v) || json_object_size(v) != n->count)
            return 0;
        for (size_t i = 0; i < n->count; i++, c += 1 + c[1].size) {
            const json_t *m = json_object_getn(v, c->s.p, c->s.n);
            if (c->type != DS_JSON_STRING || !m || !dsj_same(c + 1, m))
                return 0;
        }
        return c == n + n->size;
    }
    return 0;
}

/* jansson 2.14 drops a NUL byte that directly follows a number or a
 * literal (its lexer ungets the NUL, and its stream then takes the NUL
 * for "buffer empty"), so it accepts "[1\0]"; ds_json refuses it
 * (ds_json.h). True when ds_json stopped at such a NUL and jansson
 * accepted. */
static int dsj_nul_quirk(const struct ds_json *j, const char *buf, size_t n,
                         const json_t *v)
{
    size_t at = j->err_pos;
    return v && at > 0 && at < n && buf[at] == '\0' &&
           strchr("0123456789el", buf[at - 1]) && buf[at - 1] != '\0';
}

static int dsj_diff(struct ds_json *j, const char *buf, size_t n, char *why,
                    size_t cap);

/* The same document without the NUL at j->err_pos, compared again. */
static int dsj_diff_without_nul(struct ds_json *j, const char *buf, size_t n,
                                char *why, size_t cap)
{
    size_t at = j->err_pos;
    char *cut = malloc(n);
    if (!cut)
        return 0;
    memcpy(cut, buf, at);
    memcpy(cut + at, buf + at + 1, n - at - 1);
    int bad = dsj_diff(j, cut, n - 1, why, cap);
    free(cut);
    ds_json_parse(j, buf, n); /* leave j on the caller's document */
    return bad;
}

/* Parse buf[0..n) with both. 0 when they agree (or ds_json ran out of
 * memory, or only jansson's NUL quirk separates them), else 1 with why
 * saying how they differ. */
static int dsj_diff(struct ds_json *j, const char *buf, size_t n, char *why,
                    size_t cap)
{
    json_error_t err;
    json_t *v =
        json_loadb(buf, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    int rc = ds_json_parse(j, buf, n), bad = 0;
    if (rc == DS_ENOMEM ||
        (!v && json_error_code(&err) == json_error_out_of_memory)) {
        json_decref(v);
        return 0;
    }
    if (rc == DS_EPARSE && dsj_nul_quirk(j, buf, n, v)) {
        json_decref(v);
        return dsj_diff_without_nul(j, buf, n, why, cap);
    }
    if ((rc == 0) != (v != NULL))
        bad = snprintf(why, cap, "ds_json %s (%d:%d %s), jansson %s (%s)",
                       rc ? "rejects" : "accepts", j->err_line, j->err_column,
                       j->err_reason, v ? "accepts" : "rejects",
                       v ? "" : err.text) > 0;
    else if (v && !dsj_same(ds_json_root(j), v))
        bad = snprintf(why, cap, "trees differ") > 0;
    json_decref(v);
    return bad;
}

#endif
