/*
 * ds_json_impl.h - internals shared by ds_json.c (structure: values,
 * containers, duplicate keys, errors) and ds_json_str.c (tokens: strings,
 * UTF-8, numbers). Not a public header: include/devsurv/ds_json.h is.
 */
#ifndef DEVSURV_DS_JSON_IMPL_H
#define DEVSURV_DS_JSON_IMPL_H

#include "devsurv/ds_json.h"

/* One parse: the parser and the input. */
struct ds_json_in {
    struct ds_json *j;
    const char *buf, *end;
};

/* Record a syntax error at byte at (reason printf-style, printable
 * ASCII) in in->j and return DS_EPARSE. */
int ds_json_fail(struct ds_json_in *in, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The string token at *pp (which points at its opening quote): decoded
 * value into *out, *pp moved past the closing quote. key changes the
 * wording of the "\u0000" refusal only. 0, DS_EPARSE or DS_ENOMEM. */
int ds_json_string(struct ds_json_in *in, const char **pp, struct ds_span *out,
                   bool key);

/* The number token at *pp ('-' or a digit): syntax and range checked,
 * *pp moved past it. 0, DS_EPARSE or DS_ENOMEM. */
int ds_json_number(struct ds_json_in *in, const char **pp);

#endif
