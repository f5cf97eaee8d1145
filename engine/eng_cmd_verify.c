/*
 * eng_cmd_verify.c - `devsurv verify --db PATH [--anchors FILE]
 * [--pubkey FILE]`: check the audit chain, checkpoints, signatures and
 * anchors (eng_audit_verify.h) and print one line: "ok N entries, M
 * checkpoints" (with what was and was not checked) or "FAIL at seq N:
 * what". Read-only: the database is opened SQLITE_OPEN_READONLY.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_audit_verify.h"
#include "devsurv/eng_store.h"
#include "devsurv/ds_err.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

enum { S_OPT_ANCHORS = 2100, S_OPT_PUBKEY };

struct s_opts {
    const char *db, *anchors, *pubkey;
};

static void s_help(void)
{
    printf("usage: devsurv verify --db PATH [--anchors FILE] [--pubkey FILE]"
           "\n\n"
           "Check the tamper-evident audit trail of a devsurv database:\n"
           "every entry hash against its canonical bytes and the previous\n"
           "hash, every checkpoint's RFC 6962 Merkle root and Ed25519\n"
           "signature, and each line of the anchor file (audit.anchors)\n"
           "kept outside the database. Prints 'ok N entries, M checkpoints'\n"
           "or 'FAIL at seq N: what is wrong'.\n\n"
           "  --db PATH       the database (opened read-only)\n"
           "  --anchors FILE  signed tree heads exported by the engine:\n"
           "                  catches a consistently rewritten database and\n"
           "                  a truncated tail\n"
           "  --pubkey FILE   the auditor's copy of PREFIX.sign.pub: every\n"
           "                  checkpoint must be signed by this key\n\n"
           "exit: 0 all holds, 65 something does not, 64 usage, 66 cannot\n"
           "read an input, 74 database error\n");
}

static int s_parse(int argc, char **argv, struct s_opts *o)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, ENG_OPT_DB},
        {"anchors", required_argument, NULL, S_OPT_ANCHORS},
        {"pubkey", required_argument, NULL, S_OPT_PUBKEY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case ENG_OPT_DB: o->db = optarg; break;
        case S_OPT_ANCHORS: o->anchors = optarg; break;
        case S_OPT_PUBKEY: o->pubkey = optarg; break;
        case 'h': s_help(); return -1;
        default: return EX_USAGE;
        }
    }
    if (!o->db || optind != argc) {
        fprintf(stderr, "usage: devsurv verify --db PATH [--anchors FILE] "
                        "[--pubkey FILE]  (--help)\n");
        return EX_USAGE;
    }
    return 0;
}

static void s_ok(const struct eng_audit_verify_report *r,
                 const struct s_opts *o)
{
    printf("ok %" PRId64 " entries, %" PRId64 " checkpoints", r->entries,
           r->checkpoints);
    if (o->anchors)
        printf(", %" PRId64 " anchors", r->anchors);
    if (r->unsigned_cp)
        printf("; %" PRId64 " checkpoints UNSIGNED (no audit.signing_key)",
               r->unsigned_cp);
    else if (r->checkpoints && !o->pubkey)
        printf("; signatures checked against the key in the database only "
               "(give --pubkey)");
    if (!o->anchors)
        printf("; no --anchors: a consistently rewritten database would "
               "pass");
    else if (r->unanchored)
        printf("; %" PRId64 " checkpoints not in the anchor file",
               r->unanchored);
    printf("\n");
}

static int s_run(const struct s_opts *o, const uint8_t *pub)
{
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    struct eng_audit_verify_report r;
    ds_diag_clear(&diag);
    eng_store_t *st = eng_store_open(o->db, true, &diag);
    if (!st) {
        fprintf(stderr, "devsurv verify: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return EX_NOINPUT;
    }
    struct eng_audit_verify_opts vo = {o->anchors, pub};
    int rc = eng_audit_verify(eng_store_db(st), &vo, &r, &diag);
    eng_store_destroy(&st);
    if (rc == 0) {
        s_ok(&r, o);
        return EX_OK;
    }
    if (rc == DS_EINVAL) {
        printf("FAIL at seq %" PRId64 ": %s\n", r.bad_seq, r.what);
        return EX_DATAERR;
    }
    fprintf(stderr, "devsurv verify: %s\n",
            ds_diag_format(&diag, buf, sizeof buf));
    return rc == DS_EPARSE ? EX_DATAERR : rc == DS_EIO ? EX_NOINPUT : EX_IOERR;
}

int eng_cmd_verify(int argc, char **argv)
{
    struct s_opts o = {0};
    struct eng_audit_key k;
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    int rc = s_parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    ds_diag_clear(&diag);
    if (o.pubkey && (rc = eng_audit_key_load(&k, o.pubkey, &diag)) != 0) {
        fprintf(stderr, "devsurv verify: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return rc == DS_EIO ? EX_NOINPUT : EX_DATAERR;
    }
    rc = s_run(&o, o.pubkey ? k.pub : NULL);
    if (o.pubkey)
        eng_audit_key_clear(&k);
    return rc;
}
