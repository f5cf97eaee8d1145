/*
 * ds_json.c - the structure of ds_json (ds_json.h): values, containers,
 * duplicate keys, nesting depth, errors, and the lookups.
 *
 * One loop, no recursion: the innermost open container is nodes[top] and
 * its parent link leads back out, so depth costs no stack. A container's
 * size is set when it closes; a value that follows a key is complete
 * before the next key is read, so the keys of an object can be walked
 * while it is still open.
 *
 * Duplicate keys: each of an object's first DS_JSON_SMALL keys is compared
 * with the ones before it as it is read (the common case: a few members,
 * no allocation); an object with more members is checked again as a whole
 * when it closes, through an open-addressing table of node indices that
 * only grows. Error positions are computed only when an error happens.
 * Not here: strings and numbers (ds_json_str.c), conversion, printing.
 */
#include "ds_json_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DS_JSON_SMALL 16         /* keys checked one by one as read */
#define NONE          UINT32_MAX /* no open container */

int ds_json_fail(struct ds_json_in *in, const char *at, const char *fmt, ...)
{
    struct ds_json *j = in->j;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err_reason, sizeof j->err_reason, fmt, ap);
    va_end(ap);
    j->err_pos = (size_t)(at - in->buf);
    ds_json_locate(in->buf, j->err_pos, &j->err_line, &j->err_column);
    return DS_EPARSE;
}

void ds_json_locate(const char *buf, size_t off, int *line, int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)buf[i] & 0xC0) != 0x80 && c < INT32_MAX) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

static inline const char *s_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* A new node of type at raw, child of parent; its index in *idx. */
static int s_push(struct ds_json *j, uint8_t type, const char *raw,
                  uint32_t parent, uint32_t *idx)
{
    if (j->nnodes == j->cap) {
        if (j->nnodes >= NONE - 1 ||
            ds_grow((void **)&j->nodes, &j->cap, j->nnodes + 1,
                    sizeof *j->nodes) != 0)
            return DS_ENOMEM;
    }
    struct ds_json_node *nd = &j->nodes[j->nnodes];
    nd->s.p = raw;
    nd->s.n = 0;
    nd->raw = raw;
    nd->raw_n = 0;
    nd->size = 1;
    nd->count = 0;
    nd->parent = parent == NONE ? 0 : parent;
    nd->type = type;
    *idx = (uint32_t)j->nnodes++;
    return 0;
}

/* Is key node k the same as an earlier key of object obj? */
static bool s_dup_small(const struct ds_json_node *obj,
                        const struct ds_json_node *k)
{
    for (const struct ds_json_node *o = obj + 1; o < k; o += 1 + o[1].size)
        if (ds_span_same(o->s, k->s))
            return true;
    return false;
}

static uint32_t s_hash(struct ds_span s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < s.n; i++)
        h = (h ^ (unsigned char)s.p[i]) * 16777619u;
    return h;
}

/* Every key of the closed object nodes[obj] against all the others. */
static int s_dup_big(struct ds_json_in *in, uint32_t obj)
{
    struct ds_json *j = in->j;
    size_t count = j->nodes[obj].count, want = 16;
    while (want < 2 * count)
        want *= 2;
    if (j->hash_cap < want &&
        ds_grow((void **)&j->hash, &j->hash_cap, want, sizeof *j->hash) != 0)
        return DS_ENOMEM;
    memset(j->hash, 0, want * sizeof *j->hash);
    const struct ds_json_node *k = &j->nodes[obj + 1];
    for (size_t i = 0; i < count; i++, k += 1 + k[1].size) {
        size_t h = s_hash(k->s) & (want - 1);
        for (; j->hash[h]; h = (h + 1) & (want - 1))
            if (ds_span_same(j->nodes[j->hash[h] - 1].s, k->s))
                return ds_json_fail(in, k->raw, "duplicate object key");
        j->hash[h] = (uint32_t)(k - j->nodes) + 1;
    }
    return 0;
}

/* A scalar or the opening of a container at *pp. */
static int s_value(struct ds_json_in *in, const char **pp, uint32_t parent,
                   uint32_t *idx)
{
    static const char *const lit[] = {"null", "false", "true"};
    struct ds_json *j = in->j;
    const char *p = *pp;
    unsigned char c = (unsigned char)*p;
    uint8_t type;
    switch (c) {
    case '{': type = DS_JSON_OBJECT; break;
    case '[': type = DS_JSON_ARRAY; break;
    case '"': type = DS_JSON_STRING; break;
    case 'n': type = DS_JSON_NULL; break;
    case 'f': type = DS_JSON_FALSE; break;
    case 't': type = DS_JSON_TRUE; break;
    default: type = c == '-' || (c >= '0' && c <= '9') ? DS_JSON_NUMBER : 0;
    }
    if (type == 0)
        return ds_json_fail(in, p, "invalid token");
    int rc = s_push(j, type, p, parent, idx);
    if (rc != 0)
        return rc;
    struct ds_json_node *nd = &j->nodes[*idx];
    if (type == DS_JSON_STRING) {
        rc = ds_json_string(in, &p, &nd->s, false);
    } else if (type == DS_JSON_NUMBER) {
        rc = ds_json_number(in, &p);
    } else if (type == DS_JSON_OBJECT || type == DS_JSON_ARRAY) {
        p++;
    } else {
        size_t n = strlen(lit[type - DS_JSON_NULL]);
        if ((size_t)(in->end - p) < n ||
            memcmp(p, lit[type - DS_JSON_NULL], n) != 0)
            return ds_json_fail(in, p, "invalid token");
        p += n;
    }
    if (rc != 0)
        return rc;
    nd->raw_n = (size_t)(p - nd->raw);
    if (type != DS_JSON_STRING)
        nd->s.n = nd->raw_n;
    *pp = p;
    return 0;
}

/* A key of object nodes[obj] at *pp, then its ':'. */
static int s_key(struct ds_json_in *in, const char **pp, uint32_t obj)
{
    struct ds_json *j = in->j;
    const char *p = *pp;
    uint32_t idx;
    if (p == in->end || *p != '"')
        return ds_json_fail(in, p, "string or '}' expected");
    int rc = s_push(j, DS_JSON_STRING, p, obj, &idx);
    if (rc == 0)
        rc = ds_json_string(in, &p, &j->nodes[idx].s, true);
    if (rc != 0)
        return rc;
    struct ds_json_node *k = &j->nodes[idx];
    k->raw_n = (size_t)(p - k->raw);
    if (++j->nodes[obj].count <= DS_JSON_SMALL &&
        s_dup_small(&j->nodes[obj], k))
        return ds_json_fail(in, k->raw, "duplicate object key");
    p = s_ws(p, in->end);
    if (p == in->end || *p != ':')
        return ds_json_fail(in, p, "':' expected");
    *pp = s_ws(p + 1, in->end);
    return 0;
}

/* The bracket that closes container nodes[c]. */
static char s_closer(const struct ds_json *j, uint32_t c)
{
    return j->nodes[c].type == DS_JSON_OBJECT ? '}' : ']';
}

/* Container nodes[c] closes at p. */
static int s_close(struct ds_json_in *in, uint32_t c, const char *p)
{
    struct ds_json_node *t = &in->j->nodes[c];
    t->raw_n = (size_t)(p + 1 - t->raw);
    t->s.n = t->raw_n;
    t->size = (uint32_t)(in->j->nnodes - c);
    if (t->type == DS_JSON_OBJECT && t->count > DS_JSON_SMALL)
        return s_dup_big(in, c);
    return 0;
}

static int s_parse(struct ds_json_in *in)
{
    struct ds_json *j = in->j;
    const char *p = s_ws(in->buf, in->end), *end = in->end;
    uint32_t top = NONE, idx, depth = 0; /* innermost open container */
    int rc;
    for (;;) {
        /* p: at a value */
        if (depth >= DS_JSON_MAX_DEPTH)
            return ds_json_fail(in, p, "maximum parsing depth reached");
        if (p == end)
            return ds_json_fail(in, p, "premature end of input");
        if ((rc = s_value(in, &p, top, &idx)) != 0)
            return rc;
        if (top != NONE && j->nodes[top].type == DS_JSON_ARRAY)
            j->nodes[top].count++;
        uint8_t type = j->nodes[idx].type;
        bool closing = false;
        if (type == DS_JSON_OBJECT || type == DS_JSON_ARRAY) {
            top = idx;
            depth++;
            p = s_ws(p, end);
            closing = p < end && *p == s_closer(j, top);
            if (!closing) {
                if (type == DS_JSON_OBJECT && (rc = s_key(in, &p, top)) != 0)
                    return rc;
                continue;
            }
        }
        /* p: after a value, or at the bracket closing nodes[top] */
        for (;;) {
            if (closing) {
                if ((rc = s_close(in, top, p)) != 0)
                    return rc;
                top = --depth ? j->nodes[top].parent : NONE;
                p++;
            }
            if (top == NONE) {
                p = s_ws(p, end);
                return p == end ? 0
                                : ds_json_fail(in, p, "end of file expected");
            }
            p = s_ws(p, end);
            if (p < end && *p == ',')
                break;
            closing = p < end && *p == s_closer(j, top);
            if (!closing)
                return ds_json_fail(in, p,
                                    j->nodes[top].type == DS_JSON_OBJECT
                                        ? "',' or '}' expected"
                                        : "',' or ']' expected");
        }
        p = s_ws(p + 1, end);
        if (j->nodes[top].type == DS_JSON_OBJECT &&
            (rc = s_key(in, &p, top)) != 0)
            return rc;
    }
}

int ds_json_parse(struct ds_json *self, const char *buf, size_t n)
{
    struct ds_json_in in = {self, buf ? buf : "", (buf ? buf : "") + n};
    self->nnodes = 0;
    self->scratch_n = 0;
    self->err_pos = 0;
    self->err_line = self->err_column = 0;
    self->err_reason[0] = '\0';
    int rc = s_parse(&in);
    if (rc == DS_ENOMEM)
        snprintf(self->err_reason, sizeof self->err_reason, "out of memory");
    if (rc != 0)
        self->nnodes = 0; /* so ds_json_root() is NULL */
    return rc;
}

const struct ds_json_node *ds_json_root(const struct ds_json *self)
{
    return self->nnodes ? &self->nodes[0] : NULL;
}

const struct ds_json_node *ds_json_get(const struct ds_json_node *obj,
                                       struct ds_span key)
{
    if (!obj || obj->type != DS_JSON_OBJECT)
        return NULL;
    const struct ds_json_node *k = obj + 1;
    for (uint32_t i = 0; i < obj->count; i++, k += 1 + k[1].size)
        if (ds_span_same(k->s, key))
            return k + 1;
    return NULL;
}

const struct ds_json_node *ds_json_getz(const struct ds_json_node *obj,
                                        const char *key)
{
    return ds_json_get(obj, ds_span_str(key));
}

struct ds_span ds_json_str(const struct ds_json_node *node)
{
    struct ds_span none = {NULL, 0};
    return node && node->type == DS_JSON_STRING ? node->s : none;
}

const char *ds_json_type_name(const struct ds_json_node *node)
{
    switch (node ? node->type : 0) {
    case DS_JSON_OBJECT: return "object";
    case DS_JSON_ARRAY: return "array";
    case DS_JSON_STRING: return "string";
    case DS_JSON_NUMBER: return "number";
    case DS_JSON_TRUE:
    case DS_JSON_FALSE: return "boolean";
    case DS_JSON_NULL: return "null";
    }
    return "?";
}

void ds_json_clear(struct ds_json *self)
{
    if (!self)
        return;
    ds_free(self->nodes);
    ds_free(self->scratch);
    ds_free(self->hash);
    ds_free(self->num);
    memset(self, 0, sizeof *self);
}
