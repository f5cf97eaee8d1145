/*
 * ds-publish - the hospital side: read site input (native envelopes, FHIR
 * NDJSON, FDA MAUDE files, or a directory of files as they appear),
 * pseudonymise identifiers, journal every event durably, send it to a
 * devsurv engine over ZeroMQ (DEALER -> ROUTER, DSV1 frames, CURVE), and
 * delete it only once the engine has ACKed (committed) it.
 *
 * Protocol (reference/reliability.md 1.3, publisher rules):
 *   1. Journal first: each record gets seq = next_seq++ in the SQLite
 *      journal (eng_journal.h) with the input position in the same
 *      transaction; only committed rows are sent. A restart resumes the
 *      input where journaling stopped and resends what is unACKed.
 *   2. Nothing is sent before the first ACK (the engine's reply to HELLO,
 *      with its credit); then at most min(--window, credit) events are in
 *      flight un-ACKed.
 *   3. On ACK c: acked = max(acked, c) and rows <= c are deleted.
 *   4. On RESEND, on (re)connect (monitor: handshake succeeded), and after
 *      1 s with data outstanding and no ACK: HELLO and go-back-N from
 *      acked + 1. Duplicates are harmless (the engine ignores seq <
 *      expected).
 * The epoch belongs to the journal (fixed at its creation): only a lost
 * journal starts a new epoch.
 *
 * CURVE (reference/reliability.md 2): --server-key (engine's .pub) and
 * --key (our .key). After a ZAP refusal (400) libzmq does not reconnect by
 * itself, so a socket monitor watches HANDSHAKE_FAILED_AUTH and the socket
 * is recreated with backoff (1 s doubling to 60 s), logging that the
 * engine refused our key.
 *
 * Here: main, options, --status, the input side (input -> journal) and
 * the loop. Not here: the network side (ds-publish-link.c), input formats
 * and pseudonymisation (eng_site_input.h), the journal's SQL
 * (eng_journal.c).
 */
#include "ds-publish.h"
#include "devsurv/ds_clock.h"
#include "devsurv/eng_cmd.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"
#include "devsurv/eng_wire.h"
#include "devsurv/eng_zmq.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#define S_READ_CHUNK 500   /* input units per loop turn */
#define S_AHEAD_MIN  10000 /* journal at most this far ahead of ACKs... */

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static int64_t s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pub_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ds-publish: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void s_help(void)
{
    printf(
        "usage: ds-publish --endpoint EP --source ID (--server-key F --key F "
        "| --insecure)\n"
        "                  [options] FILE|-\n"
        "       ds-publish ... --watch DIR\n"
        "       ds-publish --status (--journal PATH | --source ID)\n"
        "       ds-publish --new-pseudo-key FILE\n\n"
        "Journal site events durably, send them to a devsurv engine and\n"
        "delete each only once the engine has committed it. A restart with\n"
        "the same journal resumes the same input where it stopped.\n\n"
        "  --endpoint EP        engine ingest endpoint (tcp://host:port, "
        "ipc://path)\n"
        "  --source ID          this site's source id ([A-Za-z0-9._-], "
        "1-64)\n"
        "  --journal PATH       journal file (default "
        "./ds-publish-<source>.db);\n"
        "                       rejected input goes to PATH.rejects\n"
        "  --format F           envelope (native JSONL, default), fhir (FHIR "
        "R4 NDJSON:\n"
        "                       resources or Bundles), maude (FILE is "
        "foitext)\n"
        "  --foidev F           MAUDE device file (with --format maude)\n"
        "  --mdrfoi F           MAUDE master event file (with --format "
        "maude)\n"
        "  --pseudo-key FILE    replace patient/encounter ids by keyed "
        "pseudonyms\n"
        "  --new-pseudo-key FILE  create a new key file (mode 0600) and "
        "exit\n"
        "  --server-key FILE    the engine's CURVE public key (.pub)\n"
        "  --key FILE           this site's CURVE key pair (.key, mode "
        "0600)\n"
        "  --insecure           plaintext, unauthenticated link (tests and "
        "local demos)\n"
        "  --window N           max events in flight un-ACKed (default "
        "4000)\n"
        "  --timeout SEC        exit 69 after SEC seconds with events "
        "outstanding\n"
        "                       and no ACK progress; the journal is kept "
        "(default 30)\n"
        "  --watch DIR          read the files of DIR in name order as they "
        "appear\n"
        "                       (names starting with '.' are ignored: "
        "write, then\n"
        "                       rename into DIR); run until SIGINT/SIGTERM\n"
        "  --status             print the journal's state and exit\n"
        "  --progress SEC       a progress line on stderr every SEC "
        "seconds\n"
        "  --rate N             send at most N new events per second "
        "(benchmarks,\n"
        "                       or to spare a link); resends are not paced\n"
        "  --drop-every N       FOR TESTS ONLY: silently skip the first send "
        "of every\n"
        "                       Nth event, so the engine must ask RESEND\n"
        "  --help               this text\n\n"
        "exit: 0 everything journaled is ACKed (--watch: stopped by a "
        "signal), 64 usage,\n"
        "65 input format, 66 cannot read input or journal, 69 engine not "
        "ACKing\n"
        "(timeout), 74 journal I/O error, 75 interrupted before all was "
        "ACKed,\n"
        "78 bad key file or journal of another source\n");
}

/* ---- options ---- */

static int s_num(const char *arg, long long max, long long *out)
{
    if (eng_cmd_int(arg, 1, max, out))
        return 0;
    pub_log("bad number '%s' (1..%lld)", arg, max);
    return EX_USAGE;
}

static int s_opt(struct pub_opts *o, int c, const char *arg)
{
    long long v = 0;
    int rc = 0;
    switch (c) {
    case 'e': o->endpoint = arg; break;
    case 's': o->source = arg; break;
    case 'j': o->journal = arg; break;
    case 'D': o->foidev = arg; break;
    case 'M': o->mdrfoi = arg; break;
    case 'p': o->pseudo_key = arg; break;
    case 'P': o->new_pseudo_key = arg; break;
    case 'S': o->server_key = arg; break;
    case 'k': o->key = arg; break;
    case 'W': o->watch = arg; break;
    case 'i': o->insecure = true; break;
    case 'x': o->status = true; break;
    case 'f':
        if (eng_site_format_parse(arg, &o->format) != 0) {
            pub_log("--format: envelope, fhir or maude, not '%s'", arg);
            rc = EX_USAGE;
        }
        break;
    case 'w':
        rc = s_num(arg, 1000000, &v);
        o->window = (size_t)v;
        break;
    case 't':
        rc = s_num(arg, 86400 * 365, &v);
        o->timeout_ms = v * 1000;
        break;
    case 'g':
        rc = s_num(arg, 86400, &v);
        o->progress_ms = v * 1000;
        break;
    case 'd':
        rc = s_num(arg, 1000000000, &v);
        o->drop_every = (uint64_t)v;
        break;
    case 'r':
        rc = s_num(arg, 100000000, &v);
        o->rate = v;
        break;
    default: rc = EX_USAGE;
    }
    return rc;
}

static int s_check(struct pub_opts *o, int nargs, char **args)
{
    if (o->source && !eng_wire_source_ok(ds_span_str(o->source))) {
        pub_log("--source must be 1-64 of [A-Za-z0-9._-]");
        return EX_USAGE;
    }
    if (!o->journal && o->source) {
        snprintf(o->journal_buf, sizeof o->journal_buf, "ds-publish-%s.db",
                 o->source);
        o->journal = o->journal_buf;
    }
    if (o->status && !o->journal) {
        pub_log("--status needs --journal or --source");
        return EX_USAGE;
    }
    if (o->status)
        return 0;
    if (!o->endpoint || !o->source || nargs != (o->watch ? 0 : 1)) {
        pub_log(
            "usage: ds-publish --endpoint EP --source ID (--server-key F "
            "--key F | --insecure) [options] FILE|- | --watch DIR (--help)");
        return EX_USAGE;
    }
    if (o->watch && o->format == ENG_SITE_MAUDE) {
        pub_log("--watch reads envelope or fhir files, not maude");
        return EX_USAGE;
    }
    if (!o->server_key != !o->key || (o->key && o->insecure) ||
        (!o->key && !o->insecure)) {
        pub_log("give --server-key FILE and --key FILE (CURVE), or --insecure "
                "for a plaintext link");
        return EX_USAGE;
    }
    o->file = nargs ? args[0] : NULL;
    return 0;
}

static int s_parse(int argc, char **argv, struct pub_opts *o)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'},
        {"source", required_argument, NULL, 's'},
        {"journal", required_argument, NULL, 'j'},
        {"format", required_argument, NULL, 'f'},
        {"foidev", required_argument, NULL, 'D'},
        {"mdrfoi", required_argument, NULL, 'M'},
        {"pseudo-key", required_argument, NULL, 'p'},
        {"new-pseudo-key", required_argument, NULL, 'P'},
        {"server-key", required_argument, NULL, 'S'},
        {"key", required_argument, NULL, 'k'},
        {"insecure", no_argument, NULL, 'i'},
        {"window", required_argument, NULL, 'w'},
        {"timeout", required_argument, NULL, 't'},
        {"watch", required_argument, NULL, 'W'},
        {"status", no_argument, NULL, 'x'},
        {"progress", required_argument, NULL, 'g'},
        {"drop-every", required_argument, NULL, 'd'},
        {"rate", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            s_help();
            return -1;
        }
        if ((rc = s_opt(o, c, optarg)) != 0)
            return rc;
    }
    if (o->new_pseudo_key)
        return 0;
    return s_check(o, argc - optind, argv + optind);
}

/* ---- --status ---- */

static int s_status(const struct pub_opts *o)
{
    struct ds_diag d;
    struct eng_journal_status st;
    char buf[600], tbuf[ENG_TIME_STR_MAX];
    ds_diag_clear(&d);
    eng_journal_t *j = eng_journal_open(o->journal, NULL, false, NULL, &d);
    if (!j || eng_journal_status(j, &st, &d) != 0) {
        pub_log("%s", ds_diag_format(&d, buf, sizeof buf));
        eng_journal_destroy(&j);
        return EX_NOINPUT;
    }
    double lag =
        st.pending ? (double)(s_wall_ms() - st.oldest_at_ms) / 1000 : 0.0;
    printf("journal: %s\nsource: %s\nepoch: %" PRIu64 "\nnext_seq: %" PRIu64
           "\njournaled: %" PRIu64 "\nacked: %" PRIu64 "\npending: %" PRIu64
           "\nlag_seconds: %.1f\noldest_pending_time: %s\ninputs_done: "
           "%" PRIu64 "\n",
           o->journal, st.source, st.epoch, st.next_seq, st.journaled, st.acked,
           st.pending, lag < 0 ? 0.0 : lag,
           st.pending ? eng_time_format(st.oldest_ts_ms, tbuf) : "-",
           st.inputs_done);
    eng_journal_destroy(&j);
    return EX_OK;
}

/* ---- the journal side: input -> journal ---- */

static int s_emit(void *arg, const char *ctype, const char *p, size_t n,
                  int64_t ts_ms)
{
    struct pub *P = arg;
    int rc = eng_journal_append(P->j, ts_ms, ctype, p, n, NULL, NULL);
    if (rc == 0)
        P->journaled++;
    return rc;
}

/* Rejected input stays at the site: one TSV line per reject in
 * <journal>.rejects (time, input, position, line, reason). */
static int s_reject(void *arg, const struct eng_site_reject *r)
{
    struct pub *P = arg;
    char tbuf[ENG_TIME_STR_MAX];
    if (!P->rej) {
        char path[4200];
        snprintf(path, sizeof path, "%s.rejects", P->o.journal);
        if (!(P->rej = fopen(path, "a"))) {
            pub_log("cannot write %s: %s", path, strerror(errno));
            return DS_EIO;
        }
    }
    P->rejected++;
    fprintf(P->rej, "%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%s\n",
            eng_time_format(s_wall_ms(), tbuf), P->in_name, r->pos, r->line,
            r->reason);
    fflush(P->rej);
    return 0;
}

/* Open path as the current input, seeking to its journaled position.
 * *skip: a watched file already done. */
static int s_input_open(struct pub *P, const char *path, bool *skip)
{
    struct ds_diag d;
    char buf[600];
    uint64_t pos = 0;
    bool done = false;
    struct eng_site_input_cfg cfg = {.format = P->o.format,
                                     .path = path,
                                     .foidev = P->o.foidev,
                                     .mdrfoi = P->o.mdrfoi,
                                     .key = P->has_pkey ? &P->pkey : NULL,
                                     .emit = s_emit,
                                     .reject = s_reject,
                                     .arg = P};
    ds_diag_clear(&d);
    *skip = false;
    snprintf(P->in_name, sizeof P->in_name, "%s", path);
    if (!(P->in = eng_site_input_open(&cfg, &d))) {
        pub_log("%s", ds_diag_format(&d, buf, sizeof buf));
        return EX_NOINPUT;
    }
    const char *id = eng_site_input_identity(P->in);
    if (!*id || eng_journal_input_get(P->j, id, &pos, &done, NULL) != 0)
        return 0;
    if (done && P->o.watch) {
        *skip = true;
        eng_site_input_destroy(&P->in);
        return 0;
    }
    if (eng_site_input_seek(P->in, pos, &d) != 0) {
        pub_log("cannot resume: %s", ds_diag_format(&d, buf, sizeof buf));
        return EX_DATAERR;
    }
    pub_log("resuming %s at %s %" PRIu64, path,
            P->o.format == ENG_SITE_MAUDE ? "report" : "byte", pos);
    return 0;
}

/* --watch: make the first file not yet done the current input. */
static int s_watch_next(struct pub *P)
{
    int64_t now = ds_mono_ms();
    if (now - P->last_scan_ms < 200)
        return 0;
    P->last_scan_ms = now;
    size_t n;
    char **v = eng_site_dir_list(P->o.watch, &n);
    int rc = 0;
    bool skip = true;
    for (size_t i = 0; i < n && rc == 0 && skip; i++) {
        rc = s_input_open(P, v[i], &skip);
        if (rc == 0 && !skip)
            pub_log("reading %s", v[i]);
    }
    for (size_t i = 0; i < n; i++)
        ds_free(v[i]);
    ds_free(v);
    return rc == EX_NOINPUT ? 0 : rc; /* vanished meanwhile: next scan */
}

/* The current input reached its end: record it done, with its last rows. */
static int s_input_end(struct pub *P)
{
    const char *id = eng_site_input_identity(P->in);
    const struct eng_site_input_stats *st = eng_site_input_stats(P->in);
    int rc = *id ? eng_journal_input_set(P->j, id, eng_site_input_pos(P->in),
                                         true, NULL)
                 : 0;
    if (rc == 0)
        rc = eng_journal_commit(P->j, NULL);
    pub_log("%s: %" PRIu64 " records journaled, %" PRIu64 " rejected%s",
            P->in_name, st->records, st->rejected,
            st->pseudonyms ? ", identifiers pseudonymised" : "");
    eng_site_input_destroy(&P->in);
    if (!P->o.watch)
        P->input_done = true;
    return rc;
}

/* Journal up to S_READ_CHUNK units of input, then commit. */
static int s_read_chunk(struct pub *P)
{
    struct ds_diag d;
    char buf[600];
    int rc = 0;
    ds_diag_clear(&d);
    for (int i = 0; i < S_READ_CHUNK && P->in && rc >= 0; i++) {
        rc = eng_site_input_step(P->in, &d);
        if (rc == 1) {
            const char *id = eng_site_input_identity(P->in);
            P->read_units++;
            rc = eng_journal_input_set(P->j, *id ? id : NULL,
                                       eng_site_input_pos(P->in), false, &d);
        } else if (rc == 0) {
            rc = s_input_end(P);
            break;
        }
    }
    if (rc >= 0)
        rc = eng_journal_commit(P->j, &d);
    if (rc < 0) {
        pub_log("%s: %s", P->in_name, ds_diag_format(&d, buf, sizeof buf));
        return EX_IOERR;
    }
    return 0;
}

/* ---- the loop ---- */

static void s_progress(struct pub *P, const char *what)
{
    struct eng_journal_status st;
    if (eng_journal_status(P->j, &st, NULL) != 0)
        return;
    double lag =
        st.pending ? (double)(s_wall_ms() - st.oldest_at_ms) / 1000 : 0.0;
    uint64_t flight =
        P->next_send > st.acked + 1 ? P->next_send - 1 - st.acked : 0;
    pub_log("%s: journaled %" PRIu64 " (%" PRIu64 " this run), sent %" PRIu64
            ", acked %" PRIu64 ", pending %" PRIu64 ", in flight %" PRIu64
            " (limit %" PRIu64 "), rejected %" PRIu64 ", lag %.1f s",
            what, st.journaled, P->journaled, P->sent, st.acked, st.pending,
            flight, P->limit, P->rejected, lag < 0 ? 0.0 : lag);
}

static bool s_drained(struct pub *P)
{
    return eng_journal_acked(P->j) >= eng_journal_durable(P->j);
}

/* Timers: ACK timeout, the 1 s no-ACK rule, socket re-creation, progress. */
static int s_timers(struct pub *P)
{
    int64_t now = ds_mono_ms();
    if (s_drained(P))
        P->last_progress_ms = now;
    else if (now - P->last_progress_ms > P->o.timeout_ms)
        return EX_UNAVAILABLE;
    if (!P->sock && now >= P->reopen_at_ms) {
        int rc = pub_link_open(P);
        if (rc != 0)
            return rc;
    }
    if (P->sock && !s_drained(P) && now - P->last_ack_ms > 1000) {
        pub_link_hello(
            P); /* no ACK for 1 s with data outstanding: ask, go back */
        P->next_send = eng_journal_acked(P->j) + 1;
    }
    if (P->o.progress_ms && now - P->last_report_ms >= P->o.progress_ms) {
        P->last_report_ms = now;
        s_progress(P, "progress");
    }
    return 0;
}

static bool s_may_read(struct pub *P)
{
    uint64_t ahead = eng_journal_durable(P->j) - eng_journal_acked(P->j);
    uint64_t cap =
        P->o.window * 4 > S_AHEAD_MIN ? P->o.window * 4 : S_AHEAD_MIN;
    return !s_stop && !P->input_done && ahead < cap;
}

static int s_turn(struct pub *P)
{
    int rc = 0;
    bool more = s_may_read(P);
    if (more && !P->in && P->o.watch)
        rc = s_watch_next(P);
    if (rc == 0 && more && P->in)
        rc = s_read_chunk(P);
    if (rc == 0)
        rc = pub_link_pump(P);
    zmq_pollitem_t it[2] = {
        {P->sock, 0, ZMQ_POLLIN, 0},
        {P->mon ? eng_zmon_socket(P->mon) : NULL, 0, ZMQ_POLLIN, 0}};
    if (rc == 0 && P->sock)
        zmq_poll(it, P->mon ? 2 : 1,
                 P->in && s_may_read(P) ? 0
                 : P->o.rate            ? 1
                                        : 50);
    else if (rc == 0)
        zmq_poll(NULL, 0, 50);
    if (rc == 0)
        pub_link_monitor(P);
    if (rc == 0)
        rc = pub_link_recv(P);
    return rc == 0 ? s_timers(P) : rc;
}

static int s_run(struct pub *P)
{
    int rc;
    int64_t stop_at = 0;
    P->last_progress_ms = P->last_report_ms = ds_mono_ms();
    if ((rc = pub_link_open(P)) != 0)
        return rc;
    for (;;) {
        if ((rc = s_turn(P)) != 0)
            return rc;
        if (P->input_done && s_drained(P))
            return EX_OK;
        if (s_stop && !stop_at) {
            pub_log("stopping: waiting up to 5 s for the engine to ACK what "
                    "is journaled");
            stop_at = ds_mono_ms() + 5000;
        }
        if (stop_at && (s_drained(P) || ds_mono_ms() > stop_at))
            return P->o.watch || (P->input_done && s_drained(P)) ? EX_OK
                                                                 : EX_TEMPFAIL;
    }
}

/* ---- setup ---- */

static int s_keys(struct pub *P)
{
    struct ds_diag d;
    char buf[600];
    ds_diag_clear(&d);
    if (P->o.pseudo_key) {
        if (eng_pseudo_key_load(&P->pkey, P->o.pseudo_key, &d) != 0)
            goto bad;
        P->has_pkey = true;
    } else if (P->o.format != ENG_SITE_MAUDE) {
        pub_log("warning: no --pseudo-key: patient and encounter identifiers "
                "leave the site as they are");
    }
    if (P->o.insecure) {
        pub_log("warning: --insecure: plaintext, unauthenticated link to %s",
                P->o.endpoint);
        return 0;
    }
    if (eng_curve_load(&P->srv, P->o.server_key, &d) != 0 ||
        eng_curve_load(&P->own, P->o.key, &d) != 0)
        goto bad;
    if (!P->own.has_sec) {
        ds_diag_set(&d, P->o.key, 0, "holds no secret-key (give the .key)");
        goto bad;
    }
    return 0;
bad:
    pub_log("%s", ds_diag_format(&d, buf, sizeof buf));
    return EX_CONFIG;
}

static int s_open(struct pub *P)
{
    struct ds_diag d;
    char buf[600];
    bool created = false, skip;
    int rc = s_keys(P);
    if (rc != 0)
        return rc;
    ds_diag_clear(&d);
    P->j = eng_journal_open(P->o.journal, P->o.source, true, &created, &d);
    if (!P->j) {
        pub_log("%s", ds_diag_format(&d, buf, sizeof buf));
        return d.msg[0] && strstr(d.msg, "belongs to") ? EX_CONFIG
                                                       : EX_CANTCREAT;
    }
    struct eng_journal_status st;
    eng_journal_status(P->j, &st, NULL);
    P->epoch = st.epoch;
    if (created)
        pub_log("new journal %s: source %s, epoch %" PRIu64, P->o.journal,
                st.source, st.epoch);
    else
        pub_log("resuming journal %s: epoch %" PRIu64 ", next seq %" PRIu64
                ", acked %" PRIu64 ", %" PRIu64 " pending",
                P->o.journal, st.epoch, st.next_seq, st.acked, st.pending);
    if (!P->o.watch && (rc = s_input_open(P, P->o.file, &skip)) != 0)
        return rc;
    P->ctx = zmq_ctx_new();
    P->sent_at = ds_calloc(P->o.window, sizeof *P->sent_at);
    P->lat = eng_lat_new();
    return P->ctx && P->sent_at && P->lat ? 0 : EX_OSERR;
}

static void s_close(struct pub *P)
{
    eng_site_input_destroy(&P->in);
    pub_link_close(P);
    if (P->ctx)
        zmq_ctx_term(P->ctx);
    if (P->rej)
        fclose(P->rej);
    eng_journal_destroy(&P->j);
    ds_free(P->sent_at);
    eng_lat_destroy(&P->lat);
}

static void s_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int s_new_key(const char *path)
{
    struct ds_diag d;
    char buf[600];
    ds_diag_clear(&d);
    if (eng_pseudo_key_create(path, &d) != 0) {
        pub_log("%s", ds_diag_format(&d, buf, sizeof buf));
        return EX_CANTCREAT;
    }
    pub_log("created pseudonymisation key %s (mode 0600): keep it secret and "
            "keep it: a new key gives every patient new pseudonyms",
            path);
    return EX_OK;
}

int main(int argc, char **argv)
{
    struct pub P = {.o = {.window = 4000, .timeout_ms = 30000},
                    .backoff_ms = 1000};
    int rc = s_parse(argc, argv, &P.o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if (P.o.new_pseudo_key)
        return s_new_key(P.o.new_pseudo_key);
    if (P.o.status)
        return s_status(&P.o);
    P.limit = 0; /* opened by the first ACK (s_on_ack) */
    s_signals();
    if ((rc = s_open(&P)) == 0)
        rc = s_run(&P);
    if (P.j) {
        eng_journal_commit(P.j, NULL);
        pub_log("%s epoch %" PRIu64 ": %" PRIu64 " events read, %" PRIu64
                " sent (with resends), %" PRIu64 " acknowledged, %" PRIu64
                " pending, %" PRIu64 " rejected, %" PRIu64 " RESEND received%s",
                P.o.source, P.epoch, P.journaled, P.sent,
                eng_journal_acked(P.j),
                eng_journal_durable(P.j) - eng_journal_acked(P.j), P.rejected,
                P.resends,
                rc == EX_UNAVAILABLE ? "; engine not acknowledging: timed out, "
                                       "journal kept"
                                     : "");
    }
    if (P.lat && eng_lat_count(P.lat))
        pub_log("publish-to-commit latency (first send to ACK): p50 %.2f ms, "
                "p99 %.2f ms, max %.2f ms over %" PRIu64 " events",
                eng_lat_percentile(P.lat, 50) / 1000.0,
                eng_lat_percentile(P.lat, 99) / 1000.0,
                eng_lat_max(P.lat) / 1000.0, eng_lat_count(P.lat));
    s_close(&P);
    return rc;
}
