/*
 * ds_json.h - a small, strict JSON parser for hot paths: one buffer in, a
 * flat array of nodes out, nothing allocated per document once warm.
 *
 * Acceptance is RFC 8259 exactly as jansson 2.14's json_loadb() with
 * JSON_REJECT_DUPLICATES | JSON_DECODE_ANY accepts it (tests/fuzz/
 * fuzz_json.c checks the two agree): any value at top level, only the four
 * JSON whitespace bytes around tokens, nothing after the top value; no
 * comments, trailing commas, single quotes, NaN or leading zeros; valid
 * UTF-8 only (no overlongs, no UTF-8-encoded surrogates, nothing above
 * U+10FFFF, no truncated sequences); \u escapes with surrogates properly
 * paired, "\u0000" refused; duplicate object keys refused (decoded keys
 * compared); an integer (no fraction, no exponent) outside int64_t and a
 * real that overflows a double (strtod: HUGE_VAL with ERANGE) refused,
 * while a real that underflows is accepted, as jansson does; nesting:
 * a value more than DS_JSON_MAX_DEPTH levels deep (the top value is level
 * 1) is refused. Numbers are checked, not converted. One deliberate
 * difference: jansson 2.14 drops a raw NUL byte that directly follows a
 * number or a literal (its lexer loses the NUL it pushes back), so it
 * accepts "[1\0]" and "true\0"; ds_json refuses a NUL outside a string
 * like any other stray byte.
 *
 * Nodes: a container is followed by its children; an object's children
 * alternate key (a string node) and value. node->size counts the nodes of
 * a subtree (itself included), so the next sibling is node + node->size.
 * Strings are zero-copy spans into the input when they hold no escape;
 * a string with escapes is decoded into the parser's scratch buffer.
 * Either way the spans live until the next parse or ds_json_clear().
 *
 * Reuse: the node array, the scratch buffer and two small work buffers
 * only grow (ds_grow), so a parser reused for documents no bigger than it
 * has seen allocates nothing. Not thread-safe: one parser per thread.
 * Not here: conversion of numbers, printing, streaming input.
 */
#ifndef DEVSURV_DS_JSON_H
#define DEVSURV_DS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_span.h"

#define DS_JSON_MAX_DEPTH 2048 /* jansson 2.14's JSON_PARSER_MAX_DEPTH */

enum ds_json_type {
    DS_JSON_NULL = 1,
    DS_JSON_FALSE,
    DS_JSON_TRUE,
    DS_JSON_NUMBER,
    DS_JSON_STRING,
    DS_JSON_ARRAY,
    DS_JSON_OBJECT
};

struct ds_json_node {
    struct ds_span s; /* string: decoded value; number: its text;
                         others: the token (container: '{' to '}') */
    const char *raw;  /* the token in the input (a string's quotes
                         included) */
    size_t raw_n;     /* its length in bytes */
    uint32_t size;    /* nodes in this subtree, itself included */
    uint32_t count;   /* container: members or elements; else 0 */
    uint32_t parent;  /* index of the enclosing container (root: 0) */
    uint8_t type;     /* enum ds_json_type */
};

/* A parser. Zero it to init; free with ds_json_clear(). */
struct ds_json {
    struct ds_json_node *nodes; /* nodes[0] is the root after a success */
    size_t nnodes, cap;
    char *scratch; /* decoded strings with escapes */
    size_t scratch_cap, scratch_n;
    uint32_t *hash; /* duplicate-key table for big objects */
    size_t hash_cap;
    char *num; /* NUL-terminated copy of a real for strtod */
    size_t num_cap;
    /* After DS_EPARSE: where (1-based line and column, columns counted in
     * characters as jansson does; the end of input is the column after the
     * last character) and why, one line of printable ASCII. */
    size_t err_pos; /* byte offset of the error */
    int err_line, err_column;
    char err_reason[64];
};

/* Parse buf[0..n) into self (its previous document is dropped). Returns
 * 0; DS_EPARSE (self->err_* say where and why) or DS_ENOMEM (err_reason
 * "out of memory"). buf must stay alive while nodes are used. */
int ds_json_parse(struct ds_json *self, const char *buf, size_t n);

/* Root node of the last successful parse, NULL after a failure. */
const struct ds_json_node *ds_json_root(const struct ds_json *self);

/* Value of member key (compared with the decoded key) of object obj, NULL
 * when absent or when obj is NULL or not an object. Linear in the number
 * of members: meant for small objects. */
const struct ds_json_node *ds_json_get(const struct ds_json_node *obj,
                                       struct ds_span key);

/* ds_json_get with a NUL-terminated key. */
const struct ds_json_node *ds_json_getz(const struct ds_json_node *obj,
                                        const char *key);

/* The decoded value of a string node; {NULL, 0} for anything else. */
struct ds_span ds_json_str(const struct ds_json_node *node);

/* "object", "array", "string", "number", "boolean" or "null" ("?" for
 * anything else): a JSON type as diagnostics name it. */
const char *ds_json_type_name(const struct ds_json_node *node);

/* 1-based line and column (in characters) of byte offset off of buf, as
 * the err_* fields count them. */
void ds_json_locate(const char *buf, size_t off, int *line, int *column);

/* Free everything self holds and zero it. Safe on a zeroed parser. */
void ds_json_clear(struct ds_json *self);

#endif
