/*
 * ds_log.c - levelled logging to stderr (see ds_log.h).
 *
 * Each record is formatted into one buffer and written with one write(2) so
 * lines from concurrent processes sharing stderr do not interleave.
 */
#include "devsurv/ds_log.h"
#include "devsurv/ds_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum ds_log_level s_level = DS_LOG_INFO;
static const char *s_ident = "devsurv";
static const char *const s_names[] = {"error", "warn", "info", "debug"};

void ds_log_set_level(enum ds_log_level level)
{
    s_level = level;
}

enum ds_log_level ds_log_get_level(void)
{
    return s_level;
}

void ds_log_set_ident(const char *ident)
{
    s_ident = ident ? ident : "devsurv";
}

int ds_log_parse_level(const char *name, enum ds_log_level *out)
{
    for (int i = 0; i <= DS_LOG_DEBUG; i++) {
        if (strcmp(name, s_names[i]) == 0) {
            *out = (enum ds_log_level)i;
            return 0;
        }
    }
    return DS_EINVAL;
}

void ds_log(enum ds_log_level level, const char *fmt, ...)
{
    char buf[2048];
    if (level > s_level)
        return;
    int n = snprintf(buf, sizeof buf, "%s[%ld]: %s: ", s_ident, (long)getpid(),
                     s_names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof buf - 2)
        len = sizeof buf - 2;
    buf[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, len);
    (void)w; /* nothing sensible to do if stderr is gone */
}
