/*
 * eng_cmd_keygen.c - `devsurv keygen PREFIX`: write a CURVE key pair for
 * the ingest link (PREFIX.key mode 0600, PREFIX.pub), refusing to
 * overwrite. The engine uses its PREFIX.key as ingest.server_key; each
 * hospital makes its own pair and sends only the .pub to the operator, who
 * adds "<source> <public key>" to ingest.allowlist.
 * `devsurv keygen --signing PREFIX` writes an Ed25519 pair for signing
 * audit checkpoints instead (PREFIX.sign.key 0600, PREFIX.sign.pub; hex,
 * see eng_audit_key.h): audit.signing_key names the .key, auditors keep
 * the .pub for `devsurv verify --pubkey`.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_audit_key.h"
#include "devsurv/eng_curve.h"
#include "devsurv/ds_err.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <sysexits.h>

static void s_help(void)
{
    printf("usage: devsurv keygen [--signing] PREFIX\n\n"
           "Create a CURVE key pair for the ingest link (ZeroMQ RFC 26):\n"
           "  PREFIX.key  public and secret key, mode 0600: keep it private\n"
           "  PREFIX.pub  public key only: give it to the other side\n"
           "Existing files are never overwritten. On stdout: the public key\n"
           "as an allowlist line template.\n\n"
           "--signing: create an Ed25519 key pair for signing audit\n"
           "checkpoints instead (hex text files):\n"
           "  PREFIX.sign.key  mode 0600: set audit.signing_key to it\n"
           "  PREFIX.sign.pub  for auditors: devsurv verify --pubkey\n"
           "On stdout: the public key in hex.\n\n"
           "exit: 0 written, 64 usage, 73 cannot create\n");
}

/* --signing: the Ed25519 pair; prints the public key in hex. */
static int s_signing(const char *prefix)
{
    struct ds_diag diag;
    struct eng_audit_key k;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    char hex[2 * ENG_AUDIT_KEY_PUB + 1];
    ds_diag_clear(&diag);
    if (eng_audit_key_create(prefix, &k, &diag) != 0) {
        fprintf(stderr, "devsurv keygen: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return EX_CANTCREAT;
    }
    printf("%s\n", eng_audit_hex(k.pub, sizeof k.pub, hex));
    eng_audit_key_clear(&k);
    return EX_OK;
}

int eng_cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"signing", no_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    int c;
    bool signing = false;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 's') {
            signing = true;
            continue;
        }
        if (c == 'h') {
            s_help();
            return EX_OK;
        }
        return EX_USAGE;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: devsurv keygen [--signing] PREFIX  "
                        "(--help)\n");
        return EX_USAGE;
    }
    if (signing)
        return s_signing(argv[optind]);
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
