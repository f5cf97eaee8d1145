/*
 * eng_cmd_replay.c - `devsurv replay FILE`: newline-delimited envelopes
 * through the same pipeline as `serve`, in file order, then a one-line
 * summary. Each non-blank line is one message keyed (source, epoch, line
 * number), so replaying a file twice into one database changes nothing
 * and replaying it into a fresh one gives the same rows. --content-type
 * fhir reads each line as one FHIR R4 resource (eng_fhir.h) instead.
 * With --maude, FDA MAUDE files are read instead (eng_maude.h): record N
 * of the reader, an envelope or an error record, is message N, and error
 * records go to quarantine with their reason, as malformed lines do.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_maude.h"
#include "devsurv/eng_pipeline.h"
#include "devsurv/eng_plan_run.h"
#include "devsurv/eng_wire.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_store_ckpt.h"

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
    const char *ctype; /* --content-type: media type of FILE's lines */
    const char *maude, *foidev, *mdrfoi; /* --maude FOITEXT [...] */
    eng_maude_t *maude_rd;               /* open when --maude is given */
    bool print_head; /* --print-head: checkpoint, print the audit head */
};

enum { S_OPT_PRINT_HEAD = 2100 };

enum { S_OPT_MAUDE = 2000, S_OPT_FOIDEV, S_OPT_MDRFOI, S_OPT_CTYPE };
#define S_CTYPE_MAUDE "text/x-fda-maude" /* quarantined MAUDE records */

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
           "  --content-type native|fhir   what each line of FILE is: a\n"
           "                  native envelope (default) or one FHIR R4\n"
           "                  resource (application/fhir+json; Bundles are\n"
           "                  quarantined: ds-publish splits them)\n"
           "  --maude FOITEXT [--foidev F] [--mdrfoi F]   read FDA MAUDE\n"
           "                  pipe-delimited files instead of FILE: each\n"
           "                  report is one envelope of kind report;\n"
           "                  record N of the reader is message N; a\n"
           "                  report that cannot be one (no text, no\n"
           "                  usable date) is quarantined with its reason\n"
           "  --print-head    at the end, make an audit checkpoint and print\n"
           "                  'audit: head HEX root HEX entries N': the same\n"
           "                  input and configuration give the same line\n"
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
        {"maude", required_argument, NULL, S_OPT_MAUDE},
        {"foidev", required_argument, NULL, S_OPT_FOIDEV},
        {"mdrfoi", required_argument, NULL, S_OPT_MDRFOI},
        {"content-type", required_argument, NULL, S_OPT_CTYPE},
        {"print-head", no_argument, NULL, S_OPT_PRINT_HEAD},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;
    long long epoch;
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
            if (!eng_cmd_int(optarg, 1, INT64_MAX, &epoch)) {
                fprintf(stderr, "devsurv replay: --epoch must be >= 1\n");
                return EX_USAGE;
            }
            o->epoch = epoch;
            break;
        case S_OPT_MAUDE: o->maude = optarg; break;
        case S_OPT_FOIDEV: o->foidev = optarg; break;
        case S_OPT_MDRFOI: o->mdrfoi = optarg; break;
        case S_OPT_CTYPE:
            if (strcmp(optarg, "fhir") && strcmp(optarg, "native")) {
                fprintf(stderr, "devsurv replay: --content-type must be "
                                "native or fhir\n");
                return EX_USAGE;
            }
            o->ctype = strcmp(optarg, "fhir") ? ENG_CTYPE_EVENT_JSON
                                              : ENG_CTYPE_FHIR_JSON;
            break;
        case S_OPT_PRINT_HEAD: o->print_head = true; break;
        case 'h': s_help(); return -1;
        default: return EX_USAGE;
        }
    }
    if ((o->foidev || o->mdrfoi) && !o->maude) {
        fprintf(stderr, "devsurv replay: --foidev and --mdrfoi need "
                        "--maude\n");
        return EX_USAGE;
    }
    if (optind + !o->maude != argc) {
        fprintf(stderr, "devsurv replay: expected one FILE (or -), or "
                        "--maude FOITEXT\n");
        return EX_USAGE;
    }
    o->file = o->maude ? o->maude : argv[optind];
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
                        .ctype = ds_span_str(o->ctype)};
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

/* Submit one MAUDE record (rc 0) or quarantine one error record. */
static int s_maude_one(eng_pipeline_t *p, struct eng_msg *m, int rc,
                       const struct eng_maude_rec *r,
                       const struct ds_diag *diag)
{
    char why[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    if (rc == 0) {
        m->ctype = ds_span_str(ENG_CTYPE_EVENT_JSON);
        m->payload = r->json;
        m->n = r->n;
        return eng_pipeline_submit(p, m);
    }
    ds_diag_format(diag, why, sizeof why);
    m->ctype = ds_span_str(S_CTYPE_MAUDE);
    m->payload = why;
    m->n = strlen(why);
    return eng_pipeline_reject(p, m, rc, why);
}

/* Feed every record of the MAUDE reader through the pipeline; record N
 * (envelope or error) is message N. */
static int s_feed_maude(eng_pipeline_t *p, const struct s_opts *o,
                        int64_t batch, int64_t *recs)
{
    struct eng_msg m = {.key = {ds_span_str(o->source), o->epoch, 0}};
    struct eng_maude_rec r;
    struct ds_diag diag;
    int rc = 0, got;
    while (rc == 0 && (got = eng_maude_next(o->maude_rd, &r, &diag)) != 1) {
        if (got == DS_EIO || got == DS_ENOMEM) {
            fprintf(stderr, "devsurv replay: %s\n", diag.msg);
            return got;
        }
        m.key.seq = ++*recs;
        rc = s_maude_one(p, &m, got, &r, &diag);
        if (rc == DS_EDUP)
            rc = 0;
        if (rc == 0 && (int64_t)eng_pipeline_pending(p) >= batch)
            rc = eng_pipeline_commit(p);
    }
    return rc == 0 ? eng_pipeline_commit(p) : rc;
}

/* --print-head: checkpoint what is pending, then print the chain head and
 * the RFC 6962 root over every audit entry. */
static int s_print_head(eng_pipeline_t *p)
{
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    uint8_t head[ENG_AUDIT_HASH], root[ENG_AUDIT_HASH];
    char hh[2 * ENG_AUDIT_HASH + 1], rh[2 * ENG_AUDIT_HASH + 1];
    int64_t n = 0;
    ds_diag_clear(&diag);
    int rc = eng_pipeline_checkpoint(p, NULL, &diag);
    if (rc == 0)
        rc = eng_pipeline_audit_head(p, head, root, &n);
    if (rc != 0) {
        fprintf(stderr, "devsurv replay: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return rc;
    }
    printf("audit: head %s root %s entries %" PRId64 "\n",
           eng_audit_hex(head, sizeof head, hh),
           eng_audit_hex(root, sizeof root, rh), n);
    return 0;
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
    if (!p) {
        fprintf(stderr, "devsurv replay: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        eng_store_destroy(&store);
        return EX_CONFIG;
    }
    /* WAL checkpoints on a thread of their own; NULL: SQLite's in line */
    eng_store_ckpt_t *ckpt =
        eng_store_ckpt_start(eng_store_db(store), ENG_STORE_CKPT_PAGES, NULL);
    int64_t lines = 0;
    int rc = p ? 0 : DS_ENOMEM;
    if (p) {
        eng_pipeline_on_signal(p, s_on_signal, NULL);
        rc = o->maude_rd ? s_feed_maude(p, o, cfg->store.batch_events, &lines)
                         : s_feed(p, f, o, cfg->store.batch_events, &lines);
    }
    if (rc == 0) {
        const struct eng_pipeline_stats *st = eng_pipeline_stats(p);
        printf("replay: %s: %" PRId64 " lines, %" PRIu64 " events, %" PRIu64
               " quarantined, %" PRIu64 " duplicates, %" PRIu64
               " signals (db %s)\n",
               o->file, lines, st->events, st->quarantined, st->duplicates,
               st->signals, cfg->store.path);
        const struct eng_plan_run_stats *ps = eng_pipeline_plan_stats(p);
        if (ps)
            printf("plans: %" PRIu64 " texts, %" PRIu64 " mentions, %" PRIu64
                   " exposures, %" PRIu64 " counted links, %" PRIu64
                   " repeats of an episode, %" PRIu64 " late events\n",
                   ps->extracted, ps->mentions, ps->exposures, ps->links,
                   ps->repeats, ps->late);
        if (o->print_head)
            rc = s_print_head(p);
    }
    if (rc != 0) {
        fprintf(stderr, "devsurv replay: %s: %s (%s)\n", o->file,
                ds_strerror(rc), eng_store_errmsg(store));
    }
    eng_pipeline_destroy(&p);
    eng_store_ckpt_stop(&ckpt);
    eng_store_destroy(&store);
    return rc == 0 ? EX_OK : rc == DS_ENOMEM ? EX_OSERR : EX_IOERR;
}

/* --maude: open the reader (66 when a file cannot be opened, 65 when one
 * is not a MAUDE file), run, then print the reader's counters. */
static int s_run_maude(struct s_opts *o, const struct eng_config *cfg)
{
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    o->maude_rd = eng_maude_open(o->maude, o->foidev, o->mdrfoi, &diag);
    if (!o->maude_rd) {
        fprintf(stderr, "devsurv replay: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return diag.line == 0 && strstr(diag.msg, "cannot open") ? EX_NOINPUT
                                                                 : EX_DATAERR;
    }
    int rc = s_run(o, cfg, NULL);
    const struct eng_maude_stats *st = eng_maude_stats(o->maude_rd);
    if (rc == EX_OK)
        printf("maude: %" PRIu64 " reports, %" PRIu64 " error records, %" PRIu64
               " text rows, %" PRIu64 " continuation lines, %" PRIu64
               " repeated keys, %" PRIu64 " without device, %" PRIu64
               " without master record\n",
               st->records, st->errors, st->rows, st->continuations,
               st->duplicate_keys, st->no_device, st->no_master);
    eng_maude_destroy(&o->maude_rd);
    return rc;
}

int eng_cmd_replay(int argc, char **argv)
{
    struct s_opts o = {
        .source = "replay", .epoch = 1, .ctype = ENG_CTYPE_EVENT_JSON};
    struct eng_config cfg;
    int rc = s_parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = eng_cmd_cfg_build(&o.cfg, &cfg)) != 0)
        return rc;
    if (o.maude)
        return s_run_maude(&o, &cfg);
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
