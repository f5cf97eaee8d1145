/*
 * nlp_rules.c - the rule-set object: find the files of a rules/ tree, read
 * them, hash them, hand them to the row parsers, and serve the arrays.
 *
 * Files are taken from the tree root (VERSION) and from the known
 * subdirectories concepts/, context/, terms/ and, when it exists,
 * identifiers/ (every *.tsv not starting with '.'; other names, e.g.
 * README.md, are ignored), then sorted by
 * relative path with strcmp. That one order is the load order and the
 * hash order, so the SHA-256 does not depend on readdir() order, locale
 * or file system. Concept files sort before terms/, so they load first.
 *
 * Hash: SHA-256 over, per file, its ds_sha256_file() record: path + NUL,
 * the length as 8 bytes big-endian, the bytes. The length prefix makes the
 * concatenation unambiguous.
 *
 * Not here: the format of rows (nlp_rules_rows.c, nlp_rules_tsv.c), the
 * checks across files (nlp_rules_check.c), matching, logging, any global
 * state.
 */
#include "nlp_rules_int.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_PATH_MAX 4096

static const char *const s_subdirs[] = {"concepts", "context", "terms",
                                        "identifiers"};
#define S_NSUBDIRS   (sizeof s_subdirs / sizeof s_subdirs[0])
#define S_NMANDATORY 3 /* the first three must exist */
static const char *const s_required[] = {
    "VERSION",
    "concepts/device_class.tsv",
    "concepts/device_component.tsv",
    "concepts/device_problem.tsv",
    "concepts/health_effect.tsv",
    "concepts/health_impact.tsv",
    "context/sections.tsv",
    "context/triggers.tsv",
};
#define S_NREQUIRED (sizeof s_required / sizeof s_required[0])

/* Relative paths found in a tree. */
struct s_list {
    char **path;
    size_t n, cap;
};

int nlp_rules_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    return ds_grow(arr, cap, n + 1, elem);
}

static nlp_rules_t *s_new(void)
{
    return ds_calloc(1, sizeof(nlp_rules_t));
}

void nlp_rules_destroy(nlp_rules_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    nlp_rules_t *self = *self_p;
    for (size_t i = 0; i < self->nfiles; i++) {
        ds_free((char *)self->files[i].path);
        ds_free(self->bufs[i]);
    }
    ds_free(self->files);
    ds_free(self->bufs);
    ds_free(self->concepts);
    ds_free(self->terms);
    ds_free(self->triggers);
    ds_free(self->sections);
    ds_free(self->patterns);
    ds_free(self->parents);
    ds_free(self->by_code);
    ds_free(self);
    *self_p = NULL;
}

/* ---- finding files ---- */

static void s_list_clear(struct s_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        ds_free(l->path[i]);
    ds_free(l->path);
}

static int s_list_add(struct s_list *l, const char *sub, const char *name)
{
    if (nlp_rules_grow((void **)&l->path, &l->cap, l->n, sizeof *l->path))
        return DS_ENOMEM;
    size_t len = strlen(sub) + strlen(name) + 2;
    char *p = ds_malloc(len);
    if (!p)
        return DS_ENOMEM;
    snprintf(p, len, "%s%s%s", sub, *sub ? "/" : "", name);
    l->path[l->n++] = p;
    return 0;
}

static bool s_is_tsv(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".tsv") == 0;
}

/* Add the *.tsv of dir/sub to l; each must be a known kind. An optional
 * directory may be absent. */
static int s_scan(const char *dir, const char *sub, bool optional,
                  struct s_list *l, struct ds_diag *diag)
{
    char path[S_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    if (!d && optional && errno == ENOENT)
        return 0;
    if (!d)
        return ds_diag_set_code(diag, DS_EPARSE, sub, 0,
                                "missing rule directory: %s", strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (s_is_tsv(e->d_name))
            rc = s_list_add(l, sub, e->d_name);
    closedir(d);
    return rc;
}

static int s_cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every path is a known kind; every required file is there. */
static int s_check_list(const struct s_list *l, struct ds_diag *diag)
{
    enum nlp_rules_kind kind;
    enum nlp_axis axis;
    for (size_t i = 0; i < l->n; i++)
        if (!nlp_rules_kind_of(l->path[i], &kind, &axis))
            return ds_diag_set_code(diag, DS_EPARSE, l->path[i], 0,
                                    "not a known rule file name (see "
                                    "rules/README.md)");
    for (size_t r = 0; r < S_NREQUIRED; r++)
        if (!bsearch(&s_required[r], l->path, l->n, sizeof *l->path,
                     s_cmp_path))
            return ds_diag_set_code(diag, DS_EPARSE, s_required[r], 0,
                                    "missing required rule file");
    return 0;
}

static int s_list_tree(const char *dir, struct s_list *l, struct ds_diag *diag)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return ds_diag_set_code(diag, DS_ENOTFOUND, dir, 0,
                                "not a rule directory");
    char path[S_PATH_MAX];
    snprintf(path, sizeof path, "%s/VERSION", dir);
    int rc = access(path, F_OK) == 0 ? s_list_add(l, "", "VERSION") : 0;
    for (size_t i = 0; rc == 0 && i < S_NSUBDIRS; i++)
        rc = s_scan(dir, s_subdirs[i], i >= S_NMANDATORY, l, diag);
    if (rc != 0)
        return rc;
    qsort(l->path, l->n, sizeof *l->path, s_cmp_path);
    return s_check_list(l, diag);
}

/* ---- reading and hashing ---- */

/* The whole file at dir/rel into a new buffer with a NUL after it. */
static int s_read(const char *dir, const char *rel, char **buf, size_t *n,
                  struct ds_diag *diag)
{
    char path[S_PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ds_diag_set_code(diag, errno == ENOENT ? DS_EPARSE : DS_EIO, rel,
                                0, "cannot open: %s", strerror(errno));
    int rc = fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ? DS_EIO
             : (uint64_t)st.st_size > NLP_RULES_FILE_MAX ? DS_ETOOBIG
                                                         : 0;
    *n = rc == 0 ? (size_t)st.st_size : 0;
    *buf = rc == 0 ? ds_malloc(*n + 1) : NULL;
    if (rc == 0 && !*buf)
        rc = DS_ENOMEM;
    size_t got = 0;
    ssize_t r = 1;
    while (rc == 0 && got < *n && (r = read(fd, *buf + got, *n - got)) > 0)
        got += (size_t)r;
    close(fd);
    if (rc == 0 && got != *n)
        rc = DS_EIO;
    if (rc == 0)
        (*buf)[*n] = '\0';
    else
        ds_free(*buf);
    return rc == 0 || rc == DS_ENOMEM
               ? rc
               : ds_diag_set_code(diag, rc, rel, 0, "%s",
                                  rc == DS_ETOOBIG ? "file too large"
                                                   : "not a readable file");
}

/* Append a file record owning rel (a copy) and buf. */
static int s_add_file(nlp_rules_t *self, const char *rel, char *buf, size_t n)
{
    enum nlp_rules_kind kind;
    enum nlp_axis axis;
    char *path = ds_strdup(rel);
    int rc = path ? 0 : DS_ENOMEM;
    if (rc == 0)
        rc = nlp_rules_grow((void **)&self->files, &self->cfiles, self->nfiles,
                            sizeof *self->files);
    if (rc == 0)
        rc = nlp_rules_grow((void **)&self->bufs, &self->cbufs, self->nfiles,
                            sizeof *self->bufs);
    if (rc != 0) {
        ds_free(path);
        ds_free(buf);
        return rc;
    }
    nlp_rules_kind_of(rel, &kind, &axis);
    self->files[self->nfiles] = (struct nlp_rules_file){path, kind, axis, n, 0};
    self->bufs[self->nfiles++] = buf;
    return 0;
}

static int s_load_files(nlp_rules_t *self, const char *dir,
                        const struct s_list *l, struct ds_diag *diag)
{
    struct ds_sha256 h;
    unsigned char sum[DS_SHA256_BYTES];
    ds_sha256_init(&h);
    for (size_t i = 0; i < l->n; i++) {
        char *buf;
        size_t n;
        int rc = s_read(dir, l->path[i], &buf, &n, diag);
        if (rc == 0) {
            ds_sha256_file(&h, l->path[i], buf, n);
            rc = s_add_file(self, l->path[i], buf, n);
        }
        if (rc == 0)
            rc = nlp_rules_read_file(self, (uint32_t)(self->nfiles - 1), diag);
        if (rc != 0)
            return rc;
    }
    ds_sha256_final(&h, sum);
    sodium_bin2hex(self->sha256, sizeof self->sha256, sum, sizeof sum);
    return 0;
}

int nlp_rules_load(nlp_rules_t **out, const char *dir, struct ds_diag *diag)
{
    struct s_list l = {NULL, 0, 0};
    ds_diag_clear(diag);
    *out = NULL;
    if (sodium_init() < 0)
        return ds_diag_set_code(diag, DS_EINVAL, "", 0,
                                "libsodium failed to initialise");
    nlp_rules_t *self = s_new();
    int rc = self ? s_list_tree(dir, &l, diag) : DS_ENOMEM;
    if (rc == 0)
        rc = s_load_files(self, dir, &l, diag);
    if (rc == 0)
        rc = nlp_rules_finish(self, diag);
    s_list_clear(&l);
    if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, "", 0, "out of memory loading %s", dir);
    if (rc != 0)
        nlp_rules_destroy(&self);
    *out = self;
    return rc;
}

int nlp_rules_parse_buffer(const char *path, const void *buf, size_t n,
                           size_t *rows, struct ds_diag *diag)
{
    enum nlp_rules_kind kind;
    enum nlp_axis axis;
    ds_diag_clear(diag);
    if (!nlp_rules_kind_of(path, &kind, &axis))
        return ds_diag_set_code(diag, DS_EINVAL, path, 0,
                                "not a known rule file name");
    if (n > NLP_RULES_FILE_MAX)
        return ds_diag_set_code(diag, DS_ETOOBIG, path, 0, "file too large");
    nlp_rules_t *self = s_new();
    char *copy = self ? ds_malloc(n + 1) : NULL;
    int rc = copy ? 0 : DS_ENOMEM;
    if (rc == 0) {
        memcpy(copy, buf, n);
        copy[n] = '\0';
        self->partial = true;
        rc = s_add_file(self, path, copy, n);
    }
    if (rc == 0)
        rc = nlp_rules_read_file(self, 0, diag);
    if (rc == 0)
        rc = nlp_rules_finish(self, diag);
    if (rc == 0 && rows)
        *rows = self->files[0].rows;
    nlp_rules_destroy(&self);
    return rc;
}

/* ---- access ---- */

const char *nlp_rules_sha256(const nlp_rules_t *self)
{
    return self->sha256;
}

const char *nlp_rules_version(const nlp_rules_t *self)
{
    return self->version;
}

const struct nlp_rules_file *nlp_rules_files(const nlp_rules_t *self, size_t *n)
{
    *n = self->nfiles;
    return self->files;
}

const struct nlp_concept *nlp_rules_concepts(const nlp_rules_t *self, size_t *n)
{
    *n = self->nconcepts;
    return self->concepts;
}

const struct nlp_term *nlp_rules_terms(const nlp_rules_t *self, size_t *n)
{
    *n = self->nterms;
    return self->terms;
}

const struct nlp_trigger *nlp_rules_triggers(const nlp_rules_t *self, size_t *n)
{
    *n = self->ntriggers;
    return self->triggers;
}

const struct nlp_section *nlp_rules_sections(const nlp_rules_t *self, size_t *n)
{
    *n = self->nsections;
    return self->sections;
}

const struct nlp_pattern *nlp_rules_patterns(const nlp_rules_t *self, size_t *n)
{
    *n = self->npatterns;
    return self->patterns;
}
