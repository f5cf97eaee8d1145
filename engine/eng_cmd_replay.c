/*
 * eng_cmd_replay.c - `devsurv replay FILE`: newline-delimited envelopes
 * through the same pipeline as `serve`, in file order, then a one-line
 * summary. Each non-blank line is one message keyed (source, epoch, line
 * number), so replaying a file twice into one database changes nothing
 * and replaying it into a fresh one gives the same rows.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_pipeline.h"
#include "devsurv/eng_wire.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

struct s_opts {
    struct eng_cmd_cfg cfg;
    const char *source;
    int64_t epoch;
    const char *file;
};

static void s_help(void)
{
    printf("usage: devsurv replay [-c FILE] [--set K=V]... [--db PATH]\n"
           "                      [--source NAME] [--epoch N] FILE|-\n\n"
           "Read newline-delimited native envelopes (application/\n"
           "vnd.devsurv.event+json) from FILE (- = stdin) and process them\n"
           "in order exactly as `serve` would: store, quarantine the bad ones\n"
           "with a reason, count, test, signal. Commits every\n"
           "store.batch_events lines and at the end, then prints one summary\n"
           "line. Line N is message (NAME, epoch, N): a second replay of the\n"
           "same file into the same database is a no-op.\n\n"
           "  --source NAME   source id for the messages (default: replay)\n"
           "  --epoch N       epoch (default 1)\n"
           "  -c, --config FILE, --set K=V, --db PATH   as for serve\n\n"
           "exit: 0 done (quarantined lines are not failures), 64 usage,\n"
           "66 cannot read FILE or config, 74 store error, 78 config\n");
}

static int s_parse(int argc, char **argv, struct s_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, ENG_OPT_SET},
        {"db", required_argument, NULL, ENG_OPT_DB},
        {"source", required_argument, NULL, ENG_OPT_SOURCE},
        {"epoch", required_argument, NULL, ENG_OPT_EPOCH},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;
    char *end;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o->cfg.file = optarg; break;
        case ENG_OPT_SET:
            if ((rc = eng_cmd_cfg_add_set(&o->cfg, optarg)) != 0)
                return rc;
            break;
        case ENG_OPT_DB: o->cfg.db = optarg; break;
        case ENG_OPT_SOURCE: o->source = optarg; break;
        case ENG_OPT_EPOCH:
            errno = 0;
            o->epoch = strtoll(optarg, &end, 10);
            if (errno || *end || o->epoch < 1) {
                fprintf(stderr, "devsurv replay: --epoch must be >= 1\n");
                return EX_USAGE;
            }
            break;
        case 'h': s_help(); return -1;
        default: return EX_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "devsurv replay: expected one FILE (or -)\n");
        return EX_USAGE;
    }
    o->file = argv[optind];
    if (!eng_wire_source_ok(ds_span_str(o->source))) {
        fprintf(stderr, "devsurv replay: --source must be 1-64 of "
                        "[A-Za-z0-9._-]\n");
        return EX_USAGE;
    }
    return 0;
}

static void s_on_signal(void *arg, const struct eng_signal *s)
{
    (void)arg;
    eng_cmd_print_signal(stdout, s);
}

/* Feed every non-blank line of f through the pipeline. */
static int s_feed(eng_pipeline_t *p, FILE *f, const struct s_opts *o,
                  int64_t batch, int64_t *lines)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    struct eng_msg m = {.key = {ds_span_str(o->source), o->epoch, 0},
                        .ctype = ds_span_str(ENG_CTYPE_EVENT_JSON)};
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        m.key.seq = ++*lines;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (strspn(line, " \t") == (size_t)len)
            continue;
        m.payload = line;
        m.n = (size_t)len;
        rc = eng_pipeline_submit(p, &m);
        if (rc == DS_EDUP)
            rc = 0;
        if (rc == 0 && (int64_t)eng_pipeline_pending(p) >= batch)
            rc = eng_pipeline_commit(p);
    }
    free(line);
    if (rc == 0 && ferror(f))
        rc = DS_EIO;
    return rc == 0 ? eng_pipeline_commit(p) : rc;
}

static int s_run(const struct s_opts *o, const struct eng_config *cfg, FILE *f)
{
    struct ds_diag diag;
    struct eng_counts_params params;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    if (eng_counts_params_init(&params, cfg, &diag) != 0) {
        fprintf(stderr, "devsurv replay: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return EX_CONFIG;
    }
    eng_store_t *store = eng_store_open(cfg->store.path, false, &diag);
    if (!store) {
        fprintf(stderr, "devsurv replay: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return EX_IOERR;
    }
    eng_pipeline_t *p = eng_pipeline_new(cfg, store, &diag);
    int64_t lines = 0;
    int rc = p ? 0 : DS_ENOMEM;
    if (p) {
        eng_pipeline_on_signal(p, s_on_signal, NULL);
        rc = s_feed(p, f, o, cfg->store.batch_events, &lines);
    }
    if (rc == 0) {
        const struct eng_pipeline_stats *st = eng_pipeline_stats(p);
        printf("replay: %s: %" PRId64 " lines, %" PRIu64 " events, %" PRIu64
               " quarantined, %" PRIu64 " duplicates, %" PRIu64
               " signals (db %s)\n",
               o->file, lines, st->events, st->quarantined, st->duplicates,
               st->signals, cfg->store.path);
    } else {
        fprintf(stderr, "devsurv replay: %s: %s (%s)\n", o->file,
                ds_strerror(rc), eng_store_errmsg(store));
    }
    eng_pipeline_destroy(&p);
    eng_store_destroy(&store);
    return rc == 0 ? EX_OK : rc == DS_ENOMEM ? EX_OSERR : EX_IOERR;
}

int eng_cmd_replay(int argc, char **argv)
{
    struct s_opts o = {.source = "replay", .epoch = 1};
    struct eng_config cfg;
    int rc = s_parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = eng_cmd_cfg_build(&o.cfg, &cfg)) != 0)
        return rc;
    FILE *f = strcmp(o.file, "-") == 0 ? stdin : fopen(o.file, "rb");
    if (!f) {
        fprintf(stderr, "devsurv replay: %s: %s\n", o.file, strerror(errno));
        return EX_NOINPUT;
    }
    rc = s_run(&o, &cfg, f);
    if (f != stdin)
        fclose(f);
    return rc;
}
