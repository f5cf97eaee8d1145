/*
 * eng_cmd_explain.c - `devsurv explain SIGNAL_ID --db PATH [--json]`: the
 * lineage of one signal (eng_explain.h) as text, or as one JSON object
 * (indented, 17 significant digits) with --json. Read-only: the database
 * is opened SQLITE_OPEN_READONLY, so it is safe while the engine runs, and
 * the output of a database is always the same bytes.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_explain.h"
#include "devsurv/eng_store.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "eng_explain_impl.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

static void s_help(void)
{
    printf("usage: devsurv explain SIGNAL_ID --db PATH [--json]\n\n"
           "Show why a signal was raised: the method, its parameters, the\n"
           "statistic against its boundary, observed and expected counts,\n"
           "the cell (plan x device x event), the rule-set and plan-set\n"
           "hashes; every contributing event (source/epoch/seq, event time,\n"
           "role, how it was linked) and, for events found in text, the\n"
           "sentence with the matched span marked [[like this]], the code,\n"
           "the rule file:id and line, and the context decisions (negated,\n"
           "historical...); then the audit entries covering them (seq,\n"
           "kind, entry hash) and the checkpoint that seals each, or 'not\n"
           "yet sealed'. --json prints the same as one JSON object.\n"
           "Read-only: safe while the engine is running.\n\n"
           "exit: 0 shown, 64 usage, 65 bad SIGNAL_ID, 66 no such signal\n"
           "or database, 74 database error\n");
}

struct s_opts {
    const char *db;
    int json;
    int64_t id;
};

static int s_parse(int argc, char **argv, struct s_opts *o)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, ENG_OPT_DB},
        {"json", no_argument, NULL, ENG_OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long long id;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case ENG_OPT_DB: o->db = optarg; break;
        case ENG_OPT_JSON: o->json = 1; break;
        case 'h': s_help(); return -1;
        default: return EX_USAGE;
        }
    }
    if (!o->db || optind != argc - 1) {
        fprintf(stderr, "usage: devsurv explain SIGNAL_ID --db PATH [--json]"
                        "  (--help)\n");
        return EX_USAGE;
    }
    if (!eng_cmd_int(argv[optind], 1, INT64_MAX, &id)) {
        fprintf(stderr,
                "devsurv explain: SIGNAL_ID '%s': expected a "
                "positive integer\n",
                argv[optind]);
        return EX_DATAERR;
    }
    o->id = id;
    return 0;
}

/* --json: the same object as eng_explain_json(), indented for diffing. */
static int s_json(sqlite3 *db, int64_t id, char **out, size_t *n,
                  struct ds_diag *diag)
{
    json_t *lin = NULL;
    int rc = eng_explain_build(db, id, &lin, diag);
    if (rc == 0 && (rc = eng_explain_dump(lin, JSON_INDENT(2), out, n)) != 0)
        ds_diag_set_code(diag, rc, "", 0, "explain: out of memory");
    json_decref(lin);
    return rc;
}

static int s_run(const struct s_opts *o)
{
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    char *out = NULL;
    size_t n = 0;
    ds_diag_clear(&diag);
    eng_store_t *st = eng_store_open(o->db, true, &diag);
    if (!st) {
        fprintf(stderr, "devsurv explain: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return EX_NOINPUT;
    }
    sqlite3 *db = eng_store_db(st);
    int rc = o->json ? s_json(db, o->id, &out, &n, &diag)
                     : eng_explain_text(db, o->id, &out, &n, &diag);
    eng_store_destroy(&st);
    if (rc != 0) {
        fprintf(stderr, "devsurv explain: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return rc == DS_ENOTFOUND ? EX_NOINPUT : EX_IOERR;
    }
    fwrite(out, 1, n, stdout);
    if (o->json)
        putchar('\n');
    ds_free(out);
    return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int eng_cmd_explain(int argc, char **argv)
{
    struct s_opts o = {0};
    int rc = s_parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    return s_run(&o);
}
