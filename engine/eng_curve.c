/*
 * eng_curve.c - CURVE key files: parse, check, create (see eng_curve.h).
 *
 * Key generation and Z85 are libzmq's (zmq_curve_keypair, zmq_z85_decode,
 * zmq_curve_public), which use libsodium: nothing cryptographic here.
 */
#include "devsurv/eng_curve.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define S_LINE_MAX 256

bool eng_curve_z85_ok(const char *s, uint8_t raw[32])
{
    uint8_t tmp[32];
    if (strlen(s) != ENG_CURVE_Z85)
        return false;
    return zmq_z85_decode(raw ? raw : tmp, s) != NULL;
}

static char *s_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One "name = value" line into *out. */
static int s_line(struct eng_curve_pair *out, char *line, const char *path,
                  int lineno, struct ds_diag *diag)
{
    char *t = s_trim(line), *eq = strchr(t, '=');
    if (*t == '\0' || *t == '#')
        return 0;
    if (!eq)
        return ds_diag_set_code(diag, DS_ECONFIG, path, lineno,
                                "expected 'public-key = Z85' or "
                                "'secret-key = Z85'");
    *eq = '\0';
    char *name = s_trim(t), *val = s_trim(eq + 1);
    bool pub = strcmp(name, "public-key") == 0;
    if (!pub && strcmp(name, "secret-key") != 0)
        return ds_diag_set_code(diag, DS_ECONFIG, path, lineno,
                                "unknown name '%.32s'", name);
    if (!eng_curve_z85_ok(val, NULL))
        return ds_diag_set_code(diag, DS_ECONFIG, path, lineno,
                                "%s is not a 40-character Z85 key", name);
    memcpy(pub ? out->pub : out->sec, val, ENG_CURVE_Z85 + 1);
    out->has_sec |= !pub;
    return 0;
}

static int s_check(const struct eng_curve_pair *k, const struct stat *st,
                   const char *path, struct ds_diag *diag)
{
    char derived[ENG_CURVE_Z85 + 1];
    if (!k->pub[0])
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "no public-key line");
    if (!k->has_sec)
        return 0;
    if (st->st_mode & 077)
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "holds a secret key but is readable by "
                                "group or others (chmod 600)");
    if (zmq_curve_public(derived, k->sec) != 0 ||
        strcmp(derived, k->pub) != 0)
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "secret-key does not match public-key");
    return 0;
}

int eng_curve_load(struct eng_curve_pair *out, const char *path,
                   struct ds_diag *diag)
{
    char line[S_LINE_MAX];
    struct stat st;
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "re");
    if (!f)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    int rc = fstat(fileno(f), &st) == 0 ? 0 : DS_EIO;
    for (int n = 1; rc == 0 && fgets(line, sizeof line, f); n++)
        rc = s_line(out, line, path, n, diag);
    fclose(f);
    if (rc == DS_EIO)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "cannot stat");
    if (rc == 0)
        rc = s_check(out, &st, path, diag);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

static int s_write(const char *path, mode_t mode, const char *text,
                   struct ds_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    int err = errno;
    close(fd);
    if (ok)
        return 0;
    unlink(path);
    return ds_diag_set_code(diag, DS_EIO, path, 0, "write: %s",
                            strerror(err));
}

int eng_curve_create(const char *prefix, struct ds_diag *diag)
{
    char pub[ENG_CURVE_Z85 + 1], sec[ENG_CURVE_Z85 + 1];
    char kpath[4096], ppath[4096], text[256];
    if (snprintf(kpath, sizeof kpath, "%s.key", prefix) >= (int)sizeof kpath ||
        snprintf(ppath, sizeof ppath, "%s.pub", prefix) >= (int)sizeof ppath)
        return ds_diag_set_code(diag, DS_EINVAL, prefix, 0, "path too long");
    if (zmq_curve_keypair(pub, sec) != 0)
        return ds_diag_set_code(diag, DS_EIO, prefix, 0,
                                "zmq_curve_keypair: %s", zmq_strerror(errno));
    snprintf(text, sizeof text,
             "# devsurv CURVE key pair: keep secret (mode 0600)\n"
             "public-key = %s\nsecret-key = %s\n",
             pub, sec);
    int rc = s_write(kpath, 0600, text, diag);
    memset(sec, 0, sizeof sec);
    memset(text, 0, sizeof text);
    if (rc != 0)
        return rc;
    snprintf(text, sizeof text,
             "# devsurv CURVE public key: share with the other side\n"
             "public-key = %s\n",
             pub);
    rc = s_write(ppath, 0644, text, diag);
    if (rc != 0)
        unlink(kpath);
    return rc;
}
