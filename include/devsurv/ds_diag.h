/*
 * ds_diag.h - diagnostics: where and why something was rejected.
 *
 * Loaders and decoders fill a struct ds_diag so the caller can print
 * "file:line: message" (a config key, a rule line) or store the message as a
 * quarantine reason. Fixed-size, no allocation: filling a diagnostic can never
 * itself fail.
 */
#ifndef DEVSURV_DS_DIAG_H
#define DEVSURV_DS_DIAG_H

#include <stddef.h>

#define DS_DIAG_FILE_MAX 256
#define DS_DIAG_MSG_MAX  512

struct ds_diag {
    char file[DS_DIAG_FILE_MAX]; /* source name ("" when not a file) */
    int line;                    /* 1-based line, 0 when not applicable */
    char msg[DS_DIAG_MSG_MAX];   /* what is wrong, one line, no newline */
};

/* Empty diag (file "", line 0, msg ""). diag may be NULL: no-op. */
void ds_diag_clear(struct ds_diag *diag);

/* Set file, line and a printf-style message; truncates safely. diag may be
 * NULL (no-op). Returns DS_EINVAL for convenience so callers can write
 * `return ds_diag_set(...)`; use ds_diag_set_code() for another code. */
int ds_diag_set(struct ds_diag *diag, const char *file, int line,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* As ds_diag_set() but returns code (a DS_E* value). */
int ds_diag_set_code(struct ds_diag *diag, int code, const char *file, int line,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Format as "file:line: msg" ("msg" alone when file is empty, "file: msg"
 * when line is 0) into buf of size n. Returns buf. */
const char *ds_diag_format(const struct ds_diag *diag, char *buf, size_t n);

#endif
