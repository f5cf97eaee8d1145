/*
 * eng_curve.c - CURVE key files: Z85 values over eng_keyfile, pair
 * check, creation (see eng_curve.h).
 *
 * Key generation and Z85 are libzmq's (zmq_curve_keypair, zmq_z85_decode,
 * zmq_curve_public), which use libsodium: nothing cryptographic here.
 */
#include "devsurv/eng_curve.h"
#include "devsurv/eng_keyfile.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

bool eng_curve_z85_ok(const char *s, uint8_t raw[32])
{
    uint8_t tmp[32];
    if (strlen(s) != ENG_CURVE_Z85)
        return false;
    return zmq_z85_decode(raw ? raw : tmp, s) != NULL;
}

/* Decode one Z85 value read at line of path into out[41]. */
static int s_value(char *out, const char *val, const char *name,
                   const char *path, int line, struct ds_diag *diag)
{
    if (!eng_curve_z85_ok(val, NULL))
        return ds_diag_set_code(diag, DS_ECONFIG, path, line,
                                "%s is not a 40-character Z85 key", name);
    memcpy(out, val, ENG_CURVE_Z85 + 1);
    return 0;
}

int eng_curve_load(struct eng_curve_pair *out, const char *path,
                   struct ds_diag *diag)
{
    struct eng_keyfile kf;
    char derived[ENG_CURVE_Z85 + 1];
    memset(out, 0, sizeof *out);
    int rc = eng_keyfile_read(&kf, path, diag);
    if (rc == 0)
        rc = s_value(out->pub, kf.pub, "public-key", path, kf.pub_line, diag);
    if (rc == 0 && kf.sec_line) {
        out->has_sec = true;
        rc = s_value(out->sec, kf.sec, "secret-key", path, kf.sec_line, diag);
    }
    if (rc == 0 && out->has_sec &&
        (zmq_curve_public(derived, out->sec) != 0 ||
         strcmp(derived, out->pub) != 0))
        rc = ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                              "secret-key does not match public-key");
    eng_keyfile_clear(&kf);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

int eng_curve_create(const char *prefix, struct ds_diag *diag)
{
    char pub[ENG_CURVE_Z85 + 1], sec[ENG_CURVE_Z85 + 1];
    if (zmq_curve_keypair(pub, sec) != 0)
        return ds_diag_set_code(diag, DS_EIO, prefix, 0,
                                "zmq_curve_keypair: %s", zmq_strerror(errno));
    int rc = eng_keyfile_create_pair(prefix, ".key", ".pub", "CURVE", pub, sec,
                                     diag);
    memset(sec, 0, sizeof sec);
    return rc;
}
