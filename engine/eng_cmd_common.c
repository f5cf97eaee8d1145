/*
 * eng_cmd_common.c - what subcommands share: assembling the configuration
 * from -c / --set / --db, and printing a signal line.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_time.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdio.h>
#include <sysexits.h>

int eng_cmd_cfg_add_set(struct eng_cmd_cfg *o, const char *assignment)
{
    if (o->nsets == ENG_CMD_SETS_MAX) {
        fprintf(stderr, "devsurv: too many --set options (max %d)\n",
                ENG_CMD_SETS_MAX);
        return EX_USAGE;
    }
    o->sets[o->nsets++] = assignment;
    return 0;
}

static int s_fail(const struct ds_diag *diag, int code)
{
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    fprintf(stderr, "devsurv: %s\n", ds_diag_format(diag, buf, sizeof buf));
    return code == DS_EIO ? EX_NOINPUT : EX_CONFIG;
}

bool eng_cmd_int(const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

int eng_cmd_cfg_build(const struct eng_cmd_cfg *o, struct eng_config *cfg)
{
    struct ds_diag diag;
    enum ds_log_level level;
    int rc = 0;
    ds_diag_clear(&diag);
    eng_config_defaults(cfg);
    if (o->file)
        rc = eng_config_load(cfg, o->file, &diag);
    for (int i = 0; rc == 0 && i < o->nsets; i++)
        rc = eng_config_set(cfg, o->sets[i], &diag);
    if (rc == 0 && o->db) {
        int n = snprintf(cfg->store.path, sizeof cfg->store.path, "%s", o->db);
        if (n < 0 || (size_t)n >= sizeof cfg->store.path)
            rc = ds_diag_set(&diag, "--db", 0, "path too long");
    }
    if (rc == 0)
        rc = eng_config_validate(cfg, &diag);
    if (rc != 0)
        return s_fail(&diag, rc);
    if (ds_log_parse_level(cfg->log.level, &level) == 0)
        ds_log_set_level(level);
    return 0;
}

#ifndef DS_RULES_DIR
#define DS_RULES_DIR "/usr/local/share/devsurv/rules"
#endif

const char *eng_cmd_rules_dir(const char *given)
{
    struct stat st;
    const char *env = getenv("DEVSURV_RULES");
    if (given)
        return given;
    if (env && *env)
        return env;
    if (stat("rules", &st) == 0 && S_ISDIR(st.st_mode))
        return "rules";
    return DS_RULES_DIR;
}

void eng_cmd_print_signal(FILE *out, const struct eng_signal *s)
{
    char when[ENG_TIME_STR_MAX];
    if (s->plan[0]) {
        fprintf(out,
                "signal #%" PRId64 " plan %s: %s x %s %s: statistic %.4f, "
                "boundary %.4f (observed %" PRId64 ", expected %.4f) at %s, "
                "trigger %s/%" PRId64 "/%" PRId64 "\n",
                s->id, s->plan, s->device, s->event_code, s->method,
                s->statistic, s->threshold, s->observed, s->expected,
                eng_time_format(s->ts_event, when), s->source, s->epoch,
                s->seq);
        fflush(out);
        return;
    }
    fprintf(out,
            "signal #%" PRId64 " %s x %s %s: LLR %.4f >= CV %.4f "
            "(observed %" PRId64 ", expected %.4f) at %s, trigger %s/%" PRId64
            "/%" PRId64 "\n",
            s->id, s->product_code, s->event_code, s->method, s->statistic,
            s->threshold, s->observed, s->expected,
            eng_time_format(s->ts_event, when), s->source, s->epoch, s->seq);
    fflush(out);
}
