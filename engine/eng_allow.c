/*
 * eng_allow.c - load and query the source -> CURVE key allowlist (see
 * eng_allow.h).
 */
#include "devsurv/eng_allow.h"
#include "devsurv/eng_curve.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define S_LINE_MAX 512

struct eng_allow {
    struct eng_allow_entry *e;
    size_t n, cap;
};

void eng_allow_destroy(eng_allow_t **self_p)
{
    eng_allow_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    ds_free(self->e);
    ds_free(self);
    *self_p = NULL;
}

static size_t s_keys_of(const eng_allow_t *self, const char *source)
{
    size_t k = 0;
    for (size_t i = 0; i < self->n; i++)
        k += strcmp(self->e[i].source, source) == 0;
    return k;
}

/* Check and append one parsed entry. */
static int s_add(eng_allow_t *self, const struct eng_allow_entry *en,
                 const char *path, struct ds_diag *diag)
{
    const struct eng_allow_entry *old = eng_allow_find(self, en->key);
    if (old)
        return ds_diag_set_code(diag, DS_ECONFIG, path, en->line,
                                "key already listed for '%s' at line %d",
                                old->source, old->line);
    if (s_keys_of(self, en->source) >= ENG_ALLOW_KEYS_PER_SOURCE)
        return ds_diag_set_code(diag, DS_ECONFIG, path, en->line,
                                "'%s' has more than %d keys", en->source,
                                ENG_ALLOW_KEYS_PER_SOURCE);
    if (ds_grow((void **)&self->e, &self->cap, self->n + 1, sizeof *self->e) !=
        0)
        return ds_diag_set_code(diag, DS_ENOMEM, path, en->line,
                                "out of memory");
    self->e[self->n++] = *en;
    return 0;
}

static int s_line(eng_allow_t *self, char *line, const char *path, int no,
                  struct ds_diag *diag)
{
    char src[S_LINE_MAX], key[S_LINE_MAX], extra[2];
    /* '#' starts a comment only as a line's or a field's first byte: it
     * is also a Z85 character */
    line += strspn(line, " \t");
    if (*line == '#')
        return 0;
    int got = sscanf(line, "%511s %511s %1s", src, key, extra);
    if (got <= 0)
        return 0;
    if (got != 2 && !(got == 3 && extra[0] == '#'))
        return ds_diag_set_code(diag, DS_ECONFIG, path, no,
                                "expected '<source-id> <Z85 public key>'");
    struct eng_allow_entry en = {.line = no};
    if (!eng_wire_source_ok(ds_span_str(src)))
        return ds_diag_set_code(diag, DS_ECONFIG, path, no,
                                "bad source id (1-64 of [A-Za-z0-9._-])");
    if (!eng_curve_z85_ok(key, en.key))
        return ds_diag_set_code(diag, DS_ECONFIG, path, no,
                                "not a 40-character Z85 public key");
    memcpy(en.source, src, strlen(src) + 1);
    return s_add(self, &en, path, diag);
}

eng_allow_t *eng_allow_load(const char *path, struct ds_diag *diag)
{
    char line[S_LINE_MAX];
    FILE *f = fopen(path, "re");
    if (!f) {
        ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
        return NULL;
    }
    eng_allow_t *self = ds_calloc(1, sizeof *self);
    int rc = self ? 0 : ds_diag_set_code(diag, DS_ENOMEM, path, 0, "no memory");
    for (int no = 1; rc == 0 && fgets(line, sizeof line, f); no++) {
        if (!strchr(line, '\n') && !feof(f))
            rc = ds_diag_set_code(diag, DS_ECONFIG, path, no, "line too long");
        else
            rc = s_line(self, line, path, no, diag);
    }
    if (rc == 0 && ferror(f))
        rc = ds_diag_set_code(diag, DS_EIO, path, 0, "read error");
    fclose(f);
    if (rc != 0)
        eng_allow_destroy(&self);
    return self;
}

const struct eng_allow_entry *eng_allow_find(const eng_allow_t *self,
                                             const uint8_t key[32])
{
    for (size_t i = 0; i < self->n; i++)
        if (memcmp(self->e[i].key, key, 32) == 0)
            return &self->e[i];
    return NULL;
}

bool eng_allow_has(const eng_allow_t *self, struct ds_span source,
                   const uint8_t key[32])
{
    const struct eng_allow_entry *e = eng_allow_find(self, key);
    return e && ds_span_eq(source, e->source);
}

size_t eng_allow_count(const eng_allow_t *self)
{
    return self ? self->n : 0;
}
