/*
 * ds_diag.c - fixed-size diagnostics (see ds_diag.h). Never allocates.
 */
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ds_diag_clear(struct ds_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
}

__attribute__((format(printf, 4, 0))) static void
s_vset(struct ds_diag *diag, const char *file, int line, const char *fmt,
       va_list ap)
{
    if (!diag)
        return;
    snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
    diag->line = line;
    vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
}

int ds_diag_set(struct ds_diag *diag, const char *file, int line,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vset(diag, file, line, fmt, ap);
    va_end(ap);
    return DS_EINVAL;
}

int ds_diag_set_code(struct ds_diag *diag, int code, const char *file, int line,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vset(diag, file, line, fmt, ap);
    va_end(ap);
    return code;
}

const char *ds_diag_format(const struct ds_diag *diag, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    if (!diag->file[0])
        snprintf(buf, n, "%s", diag->msg);
    else if (diag->line > 0)
        snprintf(buf, n, "%s:%d: %s", diag->file, diag->line, diag->msg);
    else
        snprintf(buf, n, "%s: %s", diag->file, diag->msg);
    return buf;
}
