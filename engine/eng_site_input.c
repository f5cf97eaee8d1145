/*
 * eng_site_input.c - the site reader over envelope, FHIR and MAUDE input
 * (see eng_site_input.h): units, positions for resuming, rejects.
 *
 * Lines are read with getline(); the position is the byte offset after
 * the line (counted here, so stdin works too). Resuming a line file reads
 * the skipped bytes once to count lines, so reject reports keep true line
 * numbers. MAUDE positions count eng_maude_next() calls (reports and bad
 * reports alike); resuming calls it that many times.
 * Not here: envelope pseudonymisation (eng_site_envelope.c), FHIR
 * preparation (eng_fhir.c), MAUDE parsing (eng_maude*.c).
 */
#include "devsurv/eng_site_input.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_fhir.h"
#include "devsurv/eng_maude.h"
#include "devsurv/eng_site_envelope.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct eng_site_input {
    struct eng_site_input_cfg cfg;
    FILE *in;
    bool own_in;
    eng_maude_t *maude;
    char id[ENG_SITE_ID_MAX];
    uint64_t pos, line;
    bool started;
    int emit_rc; /* the emit callback's last nonzero return */
    char *buf;
    size_t cap;
    struct eng_site_envelope env;
    struct eng_fhir_site_stats fst;
    struct eng_site_input_stats st;
};

static const char *const s_formats[] = {"envelope", "fhir", "maude"};

int eng_site_format_parse(const char *name, enum eng_site_format *out)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, s_formats[i]) == 0) {
            *out = (enum eng_site_format)i;
            return 0;
        }
    return DS_EINVAL;
}

const char *eng_site_input_identity_of(const char *path,
                                       char out[ENG_SITE_ID_MAX])
{
    struct stat sb;
    char real[PATH_MAX];
    out[0] = '\0';
    if (strcmp(path, "-") == 0 || !realpath(path, real) || stat(real, &sb) != 0)
        return out;
    snprintf(out, ENG_SITE_ID_MAX, "%s@%llu:%llu", real,
             (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino);
    return out;
}

static void s_identity(eng_site_input_t *self, const char *path)
{
    if (!self->cfg.stream)
        eng_site_input_identity_of(path, self->id);
}

static int s_open_lines(eng_site_input_t *self, struct ds_diag *diag)
{
    const char *path = self->cfg.path;
    if (self->cfg.stream) {
        self->in = self->cfg.stream;
    } else if (strcmp(path, "-") == 0) {
        self->in = stdin;
    } else {
        self->in = fopen(path, "rb");
        self->own_in = true;
        if (!self->in)
            return ds_diag_set_code(diag, DS_EIO, path, 0, "%s",
                                    strerror(errno));
    }
    return 0;
}

eng_site_input_t *eng_site_input_open(const struct eng_site_input_cfg *cfg,
                                      struct ds_diag *diag)
{
    eng_site_input_t *self = ds_calloc(1, sizeof *self);
    if (!self) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    self->cfg = *cfg;
    int rc = 0;
    if (cfg->format == ENG_SITE_MAUDE) {
        self->maude = eng_maude_open(cfg->path, cfg->foidev, cfg->mdrfoi, diag);
        rc = self->maude ? 0 : DS_EIO;
    } else {
        rc = s_open_lines(self, diag);
    }
    if (rc != 0) {
        eng_site_input_destroy(&self);
        return NULL;
    }
    s_identity(self, cfg->path);
    return self;
}

void eng_site_input_destroy(eng_site_input_t **self_p)
{
    eng_site_input_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->own_in && self->in)
        fclose(self->in);
    eng_maude_destroy(&self->maude);
    free(self->buf); /* getline's buffer: libc malloc */
    eng_site_envelope_clear(&self->env);
    ds_free(self);
    *self_p = NULL;
}

const char *eng_site_input_identity(const eng_site_input_t *self)
{
    return self->id;
}

uint64_t eng_site_input_pos(const eng_site_input_t *self)
{
    return self->pos;
}

const struct eng_site_input_stats *
eng_site_input_stats(const eng_site_input_t *self)
{
    return &self->st;
}

static int s_seek_lines(eng_site_input_t *self, uint64_t pos,
                        struct ds_diag *diag)
{
    char chunk[65536];
    while (self->pos < pos) {
        size_t want =
            pos - self->pos < sizeof chunk ? pos - self->pos : sizeof chunk;
        size_t got = fread(chunk, 1, want, self->in);
        for (size_t i = 0; i < got; i++)
            self->line += chunk[i] == '\n';
        self->pos += got;
        if (got < want)
            return ds_diag_set_code(diag, DS_ERANGE, self->cfg.path, 0,
                                    "input is shorter (%llu bytes) than "
                                    "the journaled position %llu: it changed",
                                    (unsigned long long)self->pos,
                                    (unsigned long long)pos);
    }
    return 0;
}

static int s_seek_maude(eng_site_input_t *self, uint64_t pos,
                        struct ds_diag *diag)
{
    struct eng_maude_rec rec;
    while (self->pos < pos) {
        int rc = eng_maude_next(self->maude, &rec, NULL);
        if (rc == 1)
            return ds_diag_set_code(diag, DS_ERANGE, self->cfg.path, 0,
                                    "input has %llu reports, fewer than the "
                                    "journaled position %llu: it changed",
                                    (unsigned long long)self->pos,
                                    (unsigned long long)pos);
        if (rc == DS_EIO)
            return ds_diag_set_code(diag, DS_EIO, self->cfg.path, 0,
                                    "read error while resuming");
        self->pos++;
    }
    return 0;
}

int eng_site_input_seek(eng_site_input_t *self, uint64_t pos,
                        struct ds_diag *diag)
{
    if (self->started || self->pos > pos)
        return ds_diag_set_code(diag, DS_EINVAL, "", 0,
                                "seek after reading started");
    return self->maude ? s_seek_maude(self, pos, diag)
                       : s_seek_lines(self, pos, diag);
}

static int s_reject(eng_site_input_t *self, uint64_t pos, uint64_t line,
                    const char *why)
{
    struct eng_site_reject r = {pos, line, why};
    self->st.rejected++;
    return self->cfg.reject ? self->cfg.reject(self->cfg.arg, &r) : 0;
}

static int s_emit(eng_site_input_t *self, const char *ctype, const char *p,
                  size_t n, int64_t ts_ms)
{
    self->st.records++;
    self->emit_rc = self->cfg.emit(self->cfg.arg, ctype, p, n, ts_ms);
    return self->emit_rc;
}

static int s_fhir_emit(void *arg, const char *json, size_t n, int64_t ts_ms)
{
    eng_site_input_t *self = arg;
    return s_emit(self, ENG_CTYPE_FHIR_JSON, json, n, ts_ms);
}

static int s_envelope(eng_site_input_t *self, const char *p, size_t n,
                      struct ds_diag *why)
{
    int rc = eng_site_envelope_prepare(p, n, self->cfg.key, &self->env, why);
    if (rc != 0)
        return rc;
    self->st.pseudonyms += self->env.pseudonyms;
    return s_emit(self, ENG_CTYPE_EVENT_JSON, self->env.p, self->env.n,
                  self->env.ts_ms);
}

static int s_fhir(eng_site_input_t *self, const char *p, size_t n,
                  struct ds_diag *why)
{
    uint64_t before = self->fst.pseudonyms;
    int rc = eng_fhir_site_prepare(p, n, self->cfg.key, s_fhir_emit, self,
                                   &self->fst, why);
    self->st.pseudonyms += self->fst.pseudonyms - before;
    return rc;
}

/* One line: prepare and emit; a refusal becomes a reject. */
static int s_line(eng_site_input_t *self, const char *p, size_t n,
                  uint64_t start, struct ds_diag *diag)
{
    struct ds_diag why;
    ds_diag_clear(&why);
    int rc;
    if (n > ENG_SITE_RECORD_MAX) {
        snprintf(why.msg, sizeof why.msg, "line of %zu bytes exceeds %d", n,
                 ENG_SITE_RECORD_MAX);
        return s_reject(self, start, self->line, why.msg);
    }
    self->emit_rc = 0;
    rc = self->cfg.format == ENG_SITE_FHIR ? s_fhir(self, p, n, &why)
                                           : s_envelope(self, p, n, &why);
    if (self->emit_rc != 0)
        return self->emit_rc;
    if (rc == DS_ENOMEM)
        return ds_diag_set_code(diag, rc, "", 0, "out of memory");
    if (rc != 0) /* the line itself is refused (parse, content, support) */
        return s_reject(self, start, self->line,
                        why.msg[0] ? why.msg : ds_strerror(rc));
    return 0;
}

static int s_step_lines(eng_site_input_t *self, struct ds_diag *diag)
{
    ssize_t len = getline(&self->buf, &self->cap, self->in);
    if (len < 0) {
        if (ferror(self->in))
            return ds_diag_set_code(diag, DS_EIO, self->cfg.path, 0, "%s",
                                    strerror(errno));
        clearerr(self->in); /* a growing file may have more later */
        return 0;
    }
    uint64_t start = self->pos;
    size_t n = (size_t)len;
    self->pos += n;
    self->line++;
    self->st.units++;
    while (n > 0 && (self->buf[n - 1] == '\n' || self->buf[n - 1] == '\r'))
        n--;
    if (strspn(self->buf, " \t") >= n)
        return 1;
    int rc = s_line(self, self->buf, n, start, diag);
    return rc == 0 ? 1 : rc;
}

static int s_step_maude(eng_site_input_t *self, struct ds_diag *diag)
{
    struct eng_maude_rec rec;
    struct ds_diag why;
    ds_diag_clear(&why);
    int rc = eng_maude_next(self->maude, &rec, &why);
    if (rc == 1)
        return 0;
    if (rc == DS_EIO || rc == DS_ENOMEM)
        return ds_diag_set_code(diag, rc, self->cfg.path, 0, "%s", why.msg);
    uint64_t at = ++self->pos;
    self->st.units++;
    if (rc == 0 && rec.n > ENG_SITE_RECORD_MAX)
        snprintf(why.msg, sizeof why.msg, "report %llu: %zu bytes exceeds %d",
                 (unsigned long long)rec.report_key, rec.n,
                 ENG_SITE_RECORD_MAX);
    if (rc != 0 || rec.n > ENG_SITE_RECORD_MAX)
        rc = s_reject(self, at, 0, why.msg);
    else
        rc = s_emit(self, ENG_CTYPE_EVENT_JSON, rec.json, rec.n, rec.ts_ms);
    return rc == 0 ? 1 : rc;
}

int eng_site_input_step(eng_site_input_t *self, struct ds_diag *diag)
{
    self->started = true;
    return self->maude ? s_step_maude(self, diag) : s_step_lines(self, diag);
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **eng_site_dir_list(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    char **v = NULL, path[4096];
    size_t cap = 0;
    struct dirent *e;
    struct stat sb;
    *n = 0;
    while (d && (e = readdir(d))) {
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (ds_grow((void **)&v, &cap, *n + 1, sizeof *v) != 0)
            break;
        if ((v[*n] = ds_strdup(path)))
            (*n)++;
    }
    if (d)
        closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, s_cmp);
    return v;
}
