/*
 * eng_cmd_alert.c - `devsurv alert list|ack|close`: list alerts, and move
 * one through its lifecycle (eng_alert.h) with who and why.
 *
 *   devsurv alert list [--status S] [--json]
 *   devsurv alert ack ID --by NAME --reason TEXT
 *   devsurv alert close ID --by NAME --reason TEXT
 * each with [-c FILE] [--set k=v] [--db PATH] (the database is
 * store.path). list opens the database read-only; ack and close write one
 * transaction (alerts, alert_log, audit) and never create a database.
 * The wall clock is read here, for alerts.updated and the audit entry.
 */
#include "devsurv/eng_alert.h"
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_time.h"
#include "devsurv/ds_err.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

enum { S_OPT_STATUS = 2200, S_OPT_BY, S_OPT_REASON };

struct s_opts {
    struct eng_cmd_cfg cfg;
    const char *status, *by, *reason, *id;
    int json;
};

static void s_help(void)
{
    printf("usage: devsurv alert list [--status S] [--json] [--db PATH]\n"
           "       devsurv alert ack ID --by NAME --reason TEXT [--db PATH]\n"
           "       devsurv alert close ID --by NAME --reason TEXT [--db PATH]\n"
           "  (each also takes -c FILE and --set section.key=value; the\n"
           "  database is store.path unless --db is given)\n\n"
           "Every signal opens an alert (status new). People acknowledge it\n"
           "and close it: new -> acknowledged, new -> closed, acknowledged ->\n"
           "closed; anything else is refused, and closed is final. --by and\n"
           "--reason are required: each transition updates the alert, appends\n"
           "to its log (alert_log) and to the tamper-evident audit trail\n"
           "(kind alert_transition, checked by `devsurv verify`), all in one\n"
           "transaction; safe while the engine is running. list prints the\n"
           "alerts by id (--status new|acknowledged|closed to filter; --json\n"
           "for a JSON array); it opens the database read-only.\n\n"
           "exit: 0 done, 64 usage, 65 transition refused or bad value, 66 no\n"
           "such alert or database, 74 database error, 78 bad configuration\n");
}

static int s_usage(void)
{
    fprintf(stderr, "usage: devsurv alert list|ack|close ...  (--help)\n");
    return EX_USAGE;
}

static int s_parse(int argc, char **argv, struct s_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, ENG_OPT_SET},
        {"db", required_argument, NULL, ENG_OPT_DB},
        {"json", no_argument, NULL, ENG_OPT_JSON},
        {"status", required_argument, NULL, S_OPT_STATUS},
        {"by", required_argument, NULL, S_OPT_BY},
        {"reason", required_argument, NULL, S_OPT_REASON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o->cfg.file = optarg; break;
        case ENG_OPT_SET: rc = eng_cmd_cfg_add_set(&o->cfg, optarg); break;
        case ENG_OPT_DB: o->cfg.db = optarg; break;
        case ENG_OPT_JSON: o->json = 1; break;
        case S_OPT_STATUS: o->status = optarg; break;
        case S_OPT_BY: o->by = optarg; break;
        case S_OPT_REASON: o->reason = optarg; break;
        case 'h': s_help(); return -1;
        default: return EX_USAGE;
        }
    }
    return rc;
}

static int s_fail(const char *what, const struct ds_diag *diag, int code)
{
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    fprintf(stderr, "devsurv alert %s: %s\n", what,
            ds_diag_format(diag, buf, sizeof buf));
    return code;
}

static int s_text_row(void *arg, const struct eng_alert_row *a)
{
    char opened[ENG_TIME_STR_MAX], updated[ENG_TIME_STR_MAX];
    int *n = arg;
    if ((*n)++ == 0)
        printf("%-4s %-6s %-12s %-24s %-24s %s\n", "id", "signal", "status",
               "opened", "updated", "cell / by: reason");
    printf("%-4" PRId64 " %-6" PRId64 " %-12s %-24s %-24s %s%s%s x %s %s",
           a->id, a->signal_id, a->status, eng_time_format(a->opened, opened),
           eng_time_format(a->updated, updated), a->plan, *a->plan ? " " : "",
           a->device, a->event, a->method);
    if (*a->by)
        printf(" / %s: %s", a->by, a->reason);
    printf("\n");
    return 0;
}

static int s_json_row(void *arg, const struct eng_alert_row *a)
{
    char opened[ENG_TIME_STR_MAX], updated[ENG_TIME_STR_MAX];
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s,"
        " s:f, s:f}",
        "id", (json_int_t)a->id, "signal", (json_int_t)a->signal_id, "status",
        a->status, "opened", eng_time_format(a->opened, opened), "opened_ms",
        (json_int_t)a->opened, "updated", eng_time_format(a->updated, updated),
        "updated_ms", (json_int_t)a->updated, "by", a->by, "reason", a->reason,
        "plan", a->plan, "device", a->device, "event", a->event, "method",
        a->method, "statistic", a->statistic, "threshold", a->threshold);
    return o && json_array_append_new(arg, o) == 0 ? 0 : DS_ENOMEM;
}

static int s_list(eng_store_t *st, const struct s_opts *o)
{
    struct ds_diag diag;
    int n = 0, rc;
    json_t *arr = o->json ? json_array() : NULL;
    ds_diag_clear(&diag);
    if (o->json)
        rc = eng_alert_each(st, o->status, s_json_row, arr, &diag);
    else
        rc = eng_alert_each(st, o->status, s_text_row, &n, &diag);
    if (rc == 0 && o->json) {
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
        printf("\n");
    } else if (rc == 0 && n == 0) {
        printf("no alerts\n");
    }
    json_decref(arr);
    if (rc == DS_ENOMEM)
        ds_diag_set(&diag, "", 0, "out of memory");
    return rc == 0 ? EX_OK : s_fail("list", &diag, EX_IOERR);
}

static int64_t s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_move(eng_store_t *st, const char *verb, const struct s_opts *o)
{
    struct ds_diag diag;
    enum eng_alert_status from;
    long long id;
    struct eng_alert_move m = {
        0, strcmp(verb, "ack") == 0 ? ENG_ALERT_ACKNOWLEDGED : ENG_ALERT_CLOSED,
        o->by, o->reason, s_wall_ms()};
    ds_diag_clear(&diag);
    if (!eng_cmd_int(o->id, 1, INT64_MAX, &id)) {
        ds_diag_set(&diag, "", 0, "ID '%s': expected a positive integer",
                    o->id);
        return s_fail(verb, &diag, EX_DATAERR);
    }
    m.id = id;
    int rc = eng_alert_move(st, &m, &from, &diag);
    if (rc == 0) {
        printf("alert %lld: %s -> %s by %s\n", id, eng_alert_status_name(from),
               eng_alert_status_name(m.to), o->by);
        return EX_OK;
    }
    return s_fail(verb, &diag,
                  rc == DS_ENOTFOUND ? EX_NOINPUT
                  : rc == DS_EINVAL  ? EX_DATAERR
                                     : EX_IOERR);
}

/* Check the words and options of verb before touching the database. */
static int s_check(const char *verb, int nargs, const struct s_opts *o)
{
    enum eng_alert_status s;
    bool list = strcmp(verb, "list") == 0;
    if (!list && strcmp(verb, "ack") != 0 && strcmp(verb, "close") != 0)
        return s_usage();
    if (list ? nargs != 0 || o->by || o->reason
             : nargs != 1 || o->status || o->json || !o->by || !o->reason)
        return s_usage();
    if (o->status && !eng_alert_status_parse(o->status, &s)) {
        fprintf(stderr,
                "devsurv alert list: --status '%s': expected new, "
                "acknowledged or closed\n",
                o->status);
        return EX_DATAERR;
    }
    return 0;
}

static int s_run(const char *verb, const struct s_opts *o)
{
    struct eng_config cfg;
    struct ds_diag diag;
    struct stat sb;
    bool list = strcmp(verb, "list") == 0;
    int rc = eng_cmd_cfg_build(&o->cfg, &cfg);
    if (rc != 0)
        return rc;
    ds_diag_clear(&diag);
    if (stat(cfg.store.path, &sb) != 0) {
        ds_diag_set(&diag, cfg.store.path, 0, "no such database");
        return s_fail(verb, &diag, EX_NOINPUT);
    }
    eng_store_t *st = eng_store_open(cfg.store.path, list, &diag);
    if (!st)
        return s_fail(verb, &diag, EX_NOINPUT);
    rc = list ? s_list(st, o) : s_move(st, verb, o);
    eng_store_destroy(&st);
    return rc;
}

int eng_cmd_alert(int argc, char **argv)
{
    struct s_opts o;
    memset(&o, 0, sizeof o);
    if (argc < 2)
        return s_usage();
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        s_help();
        return EX_OK;
    }
    const char *verb = argv[1];
    int rc = s_parse(argc - 1, argv + 1, &o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    int nargs = argc - 1 - optind;
    if (nargs == 1)
        o.id = argv[1 + optind];
    rc = s_check(verb, nargs, &o);
    return rc ? rc : s_run(verb, &o);
}
