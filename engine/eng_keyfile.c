/*
 * eng_keyfile.c - read and create "public-key = / secret-key =" key files
 * (see eng_keyfile.h).
 */
#include "devsurv/eng_keyfile.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_LINE_MAX 512

static char *s_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One line into *out. */
static int s_line(struct eng_keyfile *out, char *line, const char *path,
                  int lineno, struct ds_diag *diag)
{
    char *t = s_trim(line), *eq = strchr(t, '=');
    if (*t == '\0' || *t == '#')
        return 0;
    if (!eq)
        return ds_diag_set_code(diag, DS_ECONFIG, path, lineno,
                                "expected 'public-key = VALUE' or "
                                "'secret-key = VALUE'");
    *eq = '\0';
    char *name = s_trim(t), *val = s_trim(eq + 1);
    bool pub = strcmp(name, "public-key") == 0;
    if (!pub && strcmp(name, "secret-key") != 0)
        return ds_diag_set_code(diag, DS_ECONFIG, path, lineno,
                                "unknown name '%.32s'", name);
    if (strlen(val) > ENG_KEYFILE_VALUE_MAX)
        return ds_diag_set_code(diag, DS_ECONFIG, path, lineno,
                                "%s value too long", name);
    strcpy(pub ? out->pub : out->sec, val);
    *(pub ? &out->pub_line : &out->sec_line) = lineno;
    return 0;
}

static int s_check(const struct eng_keyfile *k, const struct stat *st,
                   const char *path, struct ds_diag *diag)
{
    if (!k->pub_line)
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "no public-key line");
    if (k->sec_line && (st->st_mode & 077))
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "holds a secret key but is readable by "
                                "group or others (chmod 600)");
    return 0;
}

int eng_keyfile_read(struct eng_keyfile *out, const char *path,
                     struct ds_diag *diag)
{
    char line[S_LINE_MAX];
    struct stat st;
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "re");
    if (!f)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    int rc = fstat(fileno(f), &st) == 0
                 ? 0
                 : ds_diag_set_code(diag, DS_EIO, path, 0, "cannot stat");
    for (int n = 1; rc == 0 && fgets(line, sizeof line, f); n++)
        rc = s_line(out, line, path, n, diag);
    fclose(f);
    sodium_memzero(line, sizeof line);
    if (rc == 0)
        rc = s_check(out, &st, path, diag);
    if (rc != 0)
        eng_keyfile_clear(out);
    return rc;
}

void eng_keyfile_clear(struct eng_keyfile *k)
{
    sodium_memzero(k, sizeof *k);
}

int eng_keyfile_create(const char *path, mode_t mode, const char *text,
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
    return ds_diag_set_code(diag, DS_EIO, path, 0, "write: %s", strerror(err));
}

int eng_keyfile_create_pair(const char *prefix, const char *key_suffix,
                            const char *pub_suffix, const char *what,
                            const char *pub, const char *sec,
                            struct ds_diag *diag)
{
    char kpath[4096], ppath[4096], text[1024];
    if (snprintf(kpath, sizeof kpath, "%s%s", prefix, key_suffix) >=
            (int)sizeof kpath ||
        snprintf(ppath, sizeof ppath, "%s%s", prefix, pub_suffix) >=
            (int)sizeof ppath)
        return ds_diag_set_code(diag, DS_EINVAL, prefix, 0, "path too long");
    snprintf(text, sizeof text,
             "# devsurv %s key pair: keep secret (mode 0600)\n"
             "public-key = %s\nsecret-key = %s\n",
             what, pub, sec);
    int rc = eng_keyfile_create(kpath, 0600, text, diag);
    sodium_memzero(text, sizeof text);
    if (rc != 0)
        return rc;
    snprintf(text, sizeof text,
             "# devsurv %s public key: give it to the other side\n"
             "public-key = %s\n",
             what, pub);
    rc = eng_keyfile_create(ppath, 0644, text, diag);
    if (rc != 0)
        unlink(kpath);
    return rc;
}
