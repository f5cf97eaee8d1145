/*
 * eng_plan_set.c - load a directory of plans (eng_plan.h): every *.plan
 * (not starting with '.') in byte-wise name order, each parsed, checked
 * against the concepts of the rule tree, ids unique, then hashed.
 *
 * Hash: SHA-256 over, per file in name order, its ds_sha256_file() record
 * (name, NUL, length as 8 bytes big-endian, bytes),
 * the construction of the rule-set hash (nlp_rules.h),
 * so a renamed, added, removed or edited plan changes it and no two file
 * lists collide by concatenation. Names, not paths: the hash does not
 * depend on where the directory lives.
 *
 * Errors name the file as given (dir/name.plan) and the line of the key
 * at fault, so an editor can jump there. A plan file is at most
 * S_FILE_MAX bytes; a directory at most S_FILES_MAX plans.
 *
 * Not here: the format (eng_plan.c), matching (eng_plan_match.c).
 */
#include "eng_plan_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_sha256.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define S_FILE_MAX  (1u << 20)
#define S_FILES_MAX 4096
#define S_PATH_MAX  4096

struct s_names {
    char **v;
    size_t n, cap;
};

static void s_names_free(struct s_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        ds_free(l->v[i]);
    ds_free(l->v);
}

static bool s_is_plan(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".plan") == 0;
}

static int s_cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int s_list(const char *dir, struct s_names *l, struct ds_diag *diag)
{
    DIR *d = opendir(dir);
    if (!d)
        return ds_diag_set_code(diag, errno == ENOENT ? DS_ENOTFOUND : DS_EIO,
                                dir, 0, "cannot open plan directory: %s",
                                strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!s_is_plan(e->d_name))
            continue;
        if (l->n == S_FILES_MAX)
            rc = ds_diag_set_code(diag, DS_ECONFIG, dir, 0,
                                  "more than %d plans", S_FILES_MAX);
        else if (ds_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) ||
                 !(l->v[l->n] = ds_strdup(e->d_name)))
            rc = DS_ENOMEM;
        else
            l->n++;
    }
    closedir(d);
    if (rc == 0 && l->n)
        qsort(l->v, l->n, sizeof *l->v, s_cmp_name);
    return rc;
}

/* The whole file into *buf (caller frees); 0, DS_EIO or DS_ECONFIG. */
static int s_read(const char *path, char **buf, size_t *n, struct ds_diag *diag)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "cannot open: %s",
                                strerror(errno));
    int rc = 0;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        rc = ds_diag_set_code(diag, DS_EIO, path, 0, "not a regular file");
    else if ((unsigned long long)st.st_size > S_FILE_MAX)
        rc = ds_diag_set_code(diag, DS_ECONFIG, path, 0, "larger than %u bytes",
                              S_FILE_MAX);
    else if (!(*buf = ds_malloc((size_t)st.st_size + 1)))
        rc = DS_ENOMEM;
    else if ((*n = fread(*buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size)
        rc = ds_diag_set_code(diag, DS_EIO, path, 0, "short read");
    fclose(f);
    return rc;
}

static int s_concept_err(struct ds_diag *diag, const char *path, int line,
                         const char *what, const char *code, const char *file)
{
    return ds_diag_set_code(diag, DS_ECONFIG, path, line,
                            "%s '%s' is not in concepts/%s", what, code, file);
}

static bool s_reg_known(const struct eng_plan_concepts *c, const char *reg)
{
    for (size_t i = 0; i < c->ndc; i++)
        if (strcmp(c->dc[i].reg, reg) == 0)
            return true;
    return false;
}

/* Product codes, regulations and events exist in the rule tree. */
static int s_check_concepts(const struct eng_plan_concepts *c,
                            const struct eng_plan *p, const int *lines,
                            const char *path, struct ds_diag *diag)
{
    for (size_t i = 0; i < p->n_product_codes; i++)
        if (!eng_plan_concepts_dc(c, ds_span_str(p->product_codes[i])))
            return s_concept_err(diag, path, lines[ENG_PLAN_K_PRODUCT_CODES],
                                 "product code", p->product_codes[i],
                                 "device_class.tsv");
    for (size_t i = 0; i < p->n_regulations; i++)
        if (!s_reg_known(c, p->regulations[i]))
            return ds_diag_set_code(diag, DS_ECONFIG, path,
                                    lines[ENG_PLAN_K_REGULATIONS],
                                    "regulation '%s' names no product code in "
                                    "concepts/device_class.tsv",
                                    p->regulations[i]);
    for (size_t i = 0; i < p->n_events; i++)
        if (!eng_plan_concepts_term(c, ds_span_str(p->events[i])))
            return s_concept_err(diag, path, lines[ENG_PLAN_K_EVENTS],
                                 "IMDRF code", p->events[i],
                                 "(device_problem|health_effect|"
                                 "health_impact|device_component).tsv");
    return 0;
}

/* Set-level checks of plan i: concepts, a family to compare with, id. */
static int s_check(eng_plan_set_t *s, size_t i, const int *lines,
                   const char *path, bool concepts, struct ds_diag *diag)
{
    const struct eng_plan *p = &s->plans[i];
    int rc =
        concepts ? s_check_concepts(&s->concepts, p, lines, path, diag) : 0;
    if (rc == 0 && concepts && p->comparator == ENG_PLAN_FAMILY &&
        s->ext[i].nfamily == 0)
        rc = ds_diag_set_code(diag, DS_ECONFIG, path,
                              lines[ENG_PLAN_K_COMPARATOR],
                              "comparator family: no regulation number in "
                              "the device group (list devices.regulations or "
                              "a product code that has one)");
    for (size_t j = 0; rc == 0 && j < i; j++)
        if (strcmp(s->plans[j].id, p->id) == 0)
            rc = ds_diag_set_code(diag, DS_ECONFIG, path, lines[ENG_PLAN_K_ID],
                                  "id '%s' already used by %s", p->id,
                                  s->plans[j].file);
    return rc;
}

static int s_load_one(eng_plan_set_t *s, const char *dir, const char *name,
                      struct ds_sha256 *h, bool concepts, struct ds_diag *diag)
{
    char path[S_PATH_MAX], rel[ENG_PLAN_TEXT_MAX], *buf = NULL;
    int lines[ENG_PLAN_K_COUNT];
    size_t n = 0, i = s->n;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(rel, sizeof rel, "plans/%s", name);
    int rc = s_read(path, &buf, &n, diag);
    if (rc == 0 &&
        (rc = eng_plan_parse_lines(&s->plans[i], lines, buf, n, rel, diag))) {
        struct ds_diag d = *diag; /* name the file as given, not plans/ */
        ds_diag_set_code(diag, rc, path, d.line, "%s", d.msg);
    }
    if (rc == 0)
        rc = eng_plan_ext_build(&s->ext[i], &s->concepts, &s->plans[i]);
    if (rc == 0) {
        s->n++;
        rc = s_check(s, i, lines, path, concepts, diag);
        ds_sha256_file(h, name, buf, n);
    }
    ds_free(buf);
    return rc;
}

static int s_files(eng_plan_set_t *s, const struct s_names *l)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    if (!(s->files = ds_malloc(len)))
        return DS_ENOMEM;
    s->files[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        strcat(s->files, i ? " " : "");
        strcat(s->files, l->v[i]);
    }
    return 0;
}

static int s_load(eng_plan_set_t *s, const char *dir, const char *rules_dir,
                  struct ds_diag *diag)
{
    struct s_names l = {0};
    struct ds_sha256 h;
    unsigned char sum[DS_SHA256_BYTES];
    int rc =
        rules_dir ? eng_plan_concepts_load(&s->concepts, rules_dir, diag) : 0;
    if (rc == 0)
        rc = s_list(dir, &l, diag);
    if (rc == 0 && l.n &&
        (!(s->plans = ds_calloc(l.n, sizeof *s->plans)) ||
         !(s->ext = ds_calloc(l.n, sizeof *s->ext))))
        rc = DS_ENOMEM;
    ds_sha256_init(&h);
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        rc = s_load_one(s, dir, l.v[i], &h, rules_dir != NULL, diag);
    if (rc == 0)
        rc = s_files(s, &l);
    ds_sha256_final(&h, sum);
    sodium_bin2hex(s->sha256, sizeof s->sha256, sum, sizeof sum);
    s_names_free(&l);
    return rc;
}

int eng_plan_set_load(eng_plan_set_t **out, const char *dir,
                      const char *rules_dir, struct ds_diag *diag)
{
    struct ds_diag local = {{0}, 0, {0}};
    eng_plan_set_t *s = ds_calloc(1, sizeof *s);
    diag = diag ? diag : &local;
    ds_diag_clear(diag);
    *out = NULL;
    if (!s)
        return ds_diag_set_code(diag, DS_ENOMEM, dir, 0, "out of memory");
    int rc = s_load(s, dir, rules_dir, diag);
    if (rc == DS_ENOMEM && !diag->msg[0])
        ds_diag_set_code(diag, rc, dir, 0, "out of memory");
    if (rc) {
        eng_plan_set_destroy(&s);
        return rc;
    }
    *out = s;
    return 0;
}

void eng_plan_set_destroy(eng_plan_set_t **self_p)
{
    eng_plan_set_t *s = self_p ? *self_p : NULL;
    if (!s)
        return;
    for (size_t i = 0; s->ext && i < s->n; i++)
        ds_free(s->ext[i].cover);
    ds_free(s->ext);
    ds_free(s->plans);
    ds_free(s->files);
    eng_plan_concepts_clear(&s->concepts);
    ds_free(s);
    *self_p = NULL;
}

size_t eng_plan_set_count(const eng_plan_set_t *self)
{
    return self ? self->n : 0;
}

const struct eng_plan *eng_plan_set_get(const eng_plan_set_t *self, size_t i)
{
    return self && i < self->n ? &self->plans[i] : NULL;
}

size_t eng_plan_set_find(const eng_plan_set_t *self, const char *id)
{
    for (size_t i = 0; i < eng_plan_set_count(self); i++)
        if (strcmp(self->plans[i].id, id) == 0)
            return i;
    return SIZE_MAX;
}

const char *eng_plan_set_sha256(const eng_plan_set_t *self)
{
    return self->sha256;
}

const char *eng_plan_set_files(const eng_plan_set_t *self)
{
    return self->files;
}
