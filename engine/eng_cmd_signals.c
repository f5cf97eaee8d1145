/*
 * eng_cmd_signals.c - `devsurv signals --db PATH [--json]`: list signals.
 * Opens the database read-only, so it is safe while the engine runs.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_store_read.h"
#include "devsurv/eng_time.h"
#include "devsurv/ds_err.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <sysexits.h>

static void s_help(void)
{
    printf("usage: devsurv signals --db PATH [--json]\n\n"
           "List the signals stored in the database, oldest first: id, cell\n"
           "(device product code x event code), method, statistic and\n"
           "threshold, observed and expected counts, event time, and the\n"
           "event that triggered it (source/epoch/seq). --json prints a\n"
           "JSON array of objects with the same fields (numbers in full\n"
           "precision). Read-only: safe while the engine is running.\n\n"
           "exit: 0 listed (even when empty), 64 usage, 66 no such "
           "database\n");
}

static int s_text(void *arg, const struct eng_signal *s)
{
    int *n = arg;
    char when[ENG_TIME_STR_MAX];
    if ((*n)++ == 0)
        printf("%-4s %-18s %-6s %-9s %-18s %9s %9s %8s %9s  %-20s %s\n", "id",
               "plan", "device", "event", "method", "statistic", "threshold",
               "observed", "expected", "time", "trigger");
    printf("%-4" PRId64 " %-18s %-6s %-9s %-18s %9.4f %9.4f %8" PRId64
           " %9.4f  %-20s %s/%" PRId64 "/%" PRId64 "\n",
           s->id, s->plan[0] ? s->plan : "-", s->device, s->event_code,
           s->method, s->statistic, s->threshold, s->observed, s->expected,
           eng_time_format(s->ts_event, when), s->source, s->epoch, s->seq);
    return 0;
}

static int s_json(void *arg, const struct eng_signal *s)
{
    char when[ENG_TIME_STR_MAX];
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s, s:f, s:f, s:I, s:f, s:s, s:I, s:s, s:I, s:I,"
        " s:o?, s:s, s:s, s:s, s:s, s:I}",
        "id", (json_int_t)s->id, "product_code", s->product_code, "event_code",
        s->event_code, "method", s->method, "statistic", s->statistic,
        "threshold", s->threshold, "observed", (json_int_t)s->observed,
        "expected", s->expected, "time", eng_time_format(s->ts_event, when),
        "time_ms", (json_int_t)s->ts_event, "source", s->source, "epoch",
        (json_int_t)s->epoch, "seq", (json_int_t)s->seq, "params",
        json_loads(s->params, 0, NULL), "plan", s->plan, "device", s->device,
        "rules", s->rules, "plans", s->plans, "generation",
        (json_int_t)s->generation);
    if (!o || json_array_append_new(arg, o) != 0)
        return DS_ENOMEM;
    return 0;
}

static int s_list(eng_store_t *store, int json)
{
    int n = 0, rc;
    if (!json) {
        rc = eng_store_signals_each(store, s_text, &n);
        if (rc == 0 && n == 0)
            printf("no signals\n");
        return rc;
    }
    json_t *arr = json_array();
    rc = arr ? eng_store_signals_each(store, s_json, arr) : DS_ENOMEM;
    if (rc == 0) {
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
        printf("\n");
    }
    json_decref(arr);
    return rc;
}

int eng_cmd_signals(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, ENG_OPT_DB},
        {"json", no_argument, NULL, ENG_OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    int c, json = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case ENG_OPT_DB: db = optarg; break;
        case ENG_OPT_JSON: json = 1; break;
        case 'h': s_help(); return EX_OK;
        default: return EX_USAGE;
        }
    }
    if (!db || optind != argc) {
        fprintf(stderr, "usage: devsurv signals --db PATH [--json]\n");
        return EX_USAGE;
    }
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    eng_store_t *store = eng_store_open(db, true, &diag);
    if (!store) {
        fprintf(stderr, "devsurv signals: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return EX_NOINPUT;
    }
    int rc = s_list(store, json);
    if (rc != 0)
        fprintf(stderr, "devsurv signals: %s: %s\n", db,
                eng_store_errmsg(store));
    eng_store_destroy(&store);
    return rc == 0 ? EX_OK : EX_IOERR;
}
