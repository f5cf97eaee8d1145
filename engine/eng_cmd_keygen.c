/*
 * eng_cmd_keygen.c - `devsurv keygen PREFIX`: write a CURVE key pair for
 * the ingest link (PREFIX.key mode 0600, PREFIX.pub), refusing to
 * overwrite. The engine uses its PREFIX.key as ingest.server_key; each
 * hospital makes its own pair and sends only the .pub to the operator, who
 * adds "<source> <public key>" to ingest.allowlist.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_curve.h"
#include "devsurv/ds_err.h"

#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

static void s_help(void)
{
    printf("usage: devsurv keygen PREFIX\n\n"
           "Create a CURVE key pair for the ingest link (ZeroMQ RFC 26):\n"
           "  PREFIX.key  public and secret key, mode 0600: keep it private\n"
           "  PREFIX.pub  public key only: give it to the other side\n"
           "Existing files are never overwritten. On stdout: the public key\n"
           "as an allowlist line template.\n\n"
           "exit: 0 written, 64 usage, 73 cannot create\n");
}

int eng_cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            s_help();
            return EX_OK;
        }
        return EX_USAGE;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: devsurv keygen PREFIX  (--help)\n");
        return EX_USAGE;
    }
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16], path[4096];
    ds_diag_clear(&diag);
    struct eng_curve_pair k;
    snprintf(path, sizeof path, "%s.pub", argv[optind]);
    if (eng_curve_create(argv[optind], &diag) != 0 ||
        eng_curve_load(&k, path, &diag) != 0) {
        fprintf(stderr, "devsurv keygen: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return EX_CANTCREAT;
    }
    printf("<source-id> %s\n", k.pub);
    return EX_OK;
}
