/*
 * ds_log.h - levelled logging to stderr.
 *
 * One line per record: "devsurv[pid]: level: message". Logs are for
 * operators (journald adds timestamps); anything a regulator or auditor needs
 * goes to the store and the audit log, never only to a log line. The pure
 * nlp_ and statistics modules never log.
 */
#ifndef DEVSURV_DS_LOG_H
#define DEVSURV_DS_LOG_H

enum ds_log_level {
    DS_LOG_ERROR = 0,
    DS_LOG_WARN = 1,
    DS_LOG_INFO = 2,
    DS_LOG_DEBUG = 3
};

/* Records above level are discarded. Default DS_LOG_INFO. */
void ds_log_set_level(enum ds_log_level level);
enum ds_log_level ds_log_get_level(void);

/* Parse "error", "warn", "info", "debug" into *out. Returns 0 or DS_EINVAL. */
int ds_log_parse_level(const char *name, enum ds_log_level *out);

/* Tag printed instead of "devsurv" (borrowed; must outlive logging). */
void ds_log_set_ident(const char *ident);

void ds_log(enum ds_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define ds_error(...) ds_log(DS_LOG_ERROR, __VA_ARGS__)
#define ds_warn(...)  ds_log(DS_LOG_WARN, __VA_ARGS__)
#define ds_info(...)  ds_log(DS_LOG_INFO, __VA_ARGS__)
#define ds_debug(...) ds_log(DS_LOG_DEBUG, __VA_ARGS__)

#endif
