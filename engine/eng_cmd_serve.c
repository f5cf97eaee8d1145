/*
 * eng_cmd_serve.c - `devsurv serve`: run the engine until SIGINT/SIGTERM.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_serve.h"
#include "devsurv/ds_err.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static volatile sig_atomic_t s_stop, s_reload;

static void s_on_hup(int sig)
{
    (void)sig;
    s_reload = 1;
}

static void s_on_stop(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_on_signal(void *arg, const struct eng_signal *s)
{
    (void)arg;
    eng_cmd_print_signal(stdout, s);
}

static void s_help(void)
{
    printf("usage: devsurv serve [-c FILE] [--set section.key=value]... "
           "[--db PATH]\n\n"
           "Bind a ZeroMQ ROUTER on ingest.endpoint, accept DSV1 event\n"
           "messages from publishers (contrib/ds-publish), store them in\n"
           "the SQLite database store.path with group commit, update\n"
           "device x event counts, run the MaxSPRT per cell, and ACK each\n"
           "publisher after every COMMIT. Committed signals are printed on\n"
           "stdout as they happen. SIGINT/SIGTERM commit and stop; SIGHUP\n"
           "re-reads the ingest allowlist.\n\n"
           "Publishers must use CURVE with a key listed in ingest.allowlist\n"
           "(ingest.server_key is the engine's key pair: devsurv keygen);\n"
           "ingest.insecure = true allows plaintext for local demos only.\n\n"
           "http.listen (e.g. 127.0.0.1:8080) serves the read-only JSON API,\n"
           "/metrics, an event stream and the dashboard; a non-loopback\n"
           "address needs http.token_file (bearer token).\n\n"
           "  -c, --config FILE   configuration file (devsurv config --help)\n"
           "      --set K=V       override one key, e.g. store.batch_ms=10\n"
           "      --db PATH       same as --set store.path=PATH\n"
           "  -h, --help          this text\n\n"
           "exit: 0 clean stop, 64 usage, 66 config unreadable, 78 config\n"
           "invalid, 69 cannot bind, 74 store error\n");
}

static int s_exit_code(int rc)
{
    switch (rc) {
    case DS_ECONFIG: return EX_CONFIG;
    case DS_ENET: return EX_UNAVAILABLE;
    case DS_ENOMEM: return EX_OSERR;
    default: return EX_IOERR;
    }
}

int eng_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, ENG_OPT_SET},
        {"db", required_argument, NULL, ENG_OPT_DB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct eng_cmd_cfg o = {0};
    struct eng_config cfg;
    int c, rc;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.file = optarg; break;
        case ENG_OPT_SET:
            if ((rc = eng_cmd_cfg_add_set(&o, optarg)) != 0)
                return rc;
            break;
        case ENG_OPT_DB: o.db = optarg; break;
        case 'h': s_help(); return EX_OK;
        default: return EX_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "devsurv serve: unexpected argument '%s'\n",
                argv[optind]);
        return EX_USAGE;
    }
    if ((rc = eng_cmd_cfg_build(&o, &cfg)) != 0)
        return rc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = s_on_hup;
    sigaction(SIGHUP, &sa, NULL);
    struct ds_diag diag;
    ds_diag_clear(&diag);
    rc = eng_serve_run(&cfg, &s_stop, &s_reload, s_on_signal, NULL, &diag);
    if (rc == 0)
        return EX_OK;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    fprintf(stderr, "devsurv serve: %s\n",
            ds_diag_format(&diag, buf, sizeof buf));
    return s_exit_code(rc);
}
