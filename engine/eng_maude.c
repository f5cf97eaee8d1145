/*
 * eng_maude.c - the MAUDE reader (eng_maude.h): opens the three files and
 * groups foitext lines into reports, one report (an envelope or an error
 * record) per eng_maude_next().
 *
 * A report ends when a line with another key (kept as pending: it starts
 * the next report on the next call) or the end of foitext is read, since
 * only then is it known that no continuation line follows. Within a
 * report, text rows are kept raw in one arena in file order; a
 * continuation line always extends the last row, which is the arena's
 * tail. Not here: line splitting (eng_maude_rows.c), values
 * (eng_maude_value.c), the device and master files (eng_maude_index.c),
 * making a finished report an envelope (eng_maude_emit.c, eng_maude_json.c).
 */
#include "devsurv/eng_maude.h"
#include "eng_maude_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define S_MORE 2 /* s_line: read another line */

/* ---- opening ---- */

static int s_header(eng_maude_t *self, struct ds_diag *diag)
{
    struct eng_maude_rows *r = &self->rows;
    int rc = eng_maude_rows_next(r, diag);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ds_diag_set(diag, r->name, 0,
                           "empty file (a header line is required)");
    if (eng_maude_rows_split(r, SIZE_MAX) != 0)
        return DS_ENOMEM;
    self->nhdr = r->nf;
    self->c_key = eng_maude_col(r->fields, r->nf, "mdr_report_key");
    self->c_text = eng_maude_col(r->fields, r->nf, "foi_text|text");
    self->c_type = eng_maude_col(r->fields, r->nf, "text_type_code");
    self->c_date = eng_maude_col(r->fields, r->nf, "date_report");
    if (self->c_key < 0 || self->c_text < 0)
        return ds_diag_set(diag, r->name, 1, "no %s column in the header line",
                           self->c_key < 0 ? "mdr_report_key"
                                           : "foi_text (or text)");
    return 0;
}

static int s_index(struct eng_maude_index *ix, struct eng_maude_input in,
                   const char *const *cols, size_t ncols, const char *seq,
                   struct ds_diag *diag)
{
    if (!in.f)
        return 0;
    return eng_maude_index_load(ix, in.f, in.name, cols, ncols, seq, diag);
}

static int s_names(eng_maude_t *self, const struct eng_maude_input *in)
{
    for (int i = 0; i < 3; i++) {
        self->name[i] = ds_strdup(in[i].name ? in[i].name : "");
        if (!self->name[i])
            return DS_ENOMEM;
    }
    return 0;
}

eng_maude_t *eng_maude_open_streams(struct eng_maude_input text,
                                    struct eng_maude_input dev,
                                    struct eng_maude_input foi,
                                    struct ds_diag *diag)
{
    struct eng_maude_input in[3] = {text, dev, foi};
    eng_maude_t *self = ds_calloc(1, sizeof *self);
    int rc = self ? s_names(self, in) : DS_ENOMEM;
    for (int i = 0; rc == 0 && i < 3; i++)
        in[i].name = self->name[i];
    if (rc == 0)
        rc = s_index(&self->dev, in[1], eng_maude_dev_cols, ENG_MAUDE_DEV_NCOLS,
                     "device_sequence_number|device_sequence_no", diag);
    if (rc == 0)
        rc = s_index(&self->foi, in[2], eng_maude_foi_cols, ENG_MAUDE_FOI_NCOLS,
                     NULL, diag);
    if (rc == 0) {
        self->st.dev_rows = self->dev.n;
        self->st.dev_skipped = self->dev.skipped;
        self->st.foi_rows = self->foi.n;
        self->st.foi_skipped = self->foi.skipped;
        self->st.foi_duplicates = self->foi.duplicates;
        self->has_dev = dev.f != NULL;
        self->has_foi = foi.f != NULL;
        eng_maude_rows_init(&self->rows, text.f, in[0].name);
        rc = s_header(self, diag);
    }
    if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, text.name, 0, "out of memory");
    if (rc != 0)
        eng_maude_destroy(&self);
    return self;
}

eng_maude_t *eng_maude_open(const char *foitext, const char *foidev,
                            const char *mdrfoi, struct ds_diag *diag)
{
    const char *path[3] = {foitext, foidev, mdrfoi};
    struct eng_maude_input in[3] = {{NULL, NULL}};
    FILE *f[3] = {NULL, NULL, NULL};
    eng_maude_t *self = NULL;
    int i;
    for (i = 0; i < 3; i++) {
        if (!path[i] && i > 0)
            continue;
        if (!path[i] || !(f[i] = fopen(path[i], "rb"))) {
            ds_diag_set_code(diag, DS_EIO, path[i] ? path[i] : "", 0,
                             "cannot open: %s", strerror(errno));
            break;
        }
        in[i] = (struct eng_maude_input){f[i], path[i]};
    }
    if (i == 3)
        self = eng_maude_open_streams(in[0], in[1], in[2], diag);
    for (i = 0; i < 3; i++) {
        if (self)
            self->own[i] = f[i];
        else if (f[i])
            fclose(f[i]);
    }
    return self;
}

void eng_maude_destroy(eng_maude_t **self_p)
{
    eng_maude_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    for (int i = 0; i < 3; i++) {
        if (self->own[i])
            fclose(self->own[i]);
        ds_free(self->name[i]);
    }
    eng_maude_rows_clear(&self->rows);
    eng_maude_index_clear(&self->dev);
    eng_maude_index_clear(&self->foi);
    eng_maude_keys_clear(&self->keys);
    ds_free(self->g);
    ds_free(self->raw);
    ds_free(self->text);
    ds_free(self->json);
    ds_free(self);
    *self_p = NULL;
}

const struct eng_maude_stats *eng_maude_stats(const eng_maude_t *self)
{
    return &self->st;
}

/* ---- grouping lines into reports ---- */

static int s_append_raw(eng_maude_t *self, const char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (ds_grow((void **)&self->raw, &self->capraw, self->nraw + n, 1))
        return DS_ENOMEM;
    memcpy(self->raw + self->nraw, p, n);
    self->nraw += n;
    return 0;
}

/* Keep date_report d: the first that parses, else the first non-empty. */
static void s_keep_date(eng_maude_t *self, struct ds_span d)
{
    int64_t ms;
    if (d.n == 0 || self->date_ok || d.n >= ENG_MAUDE_DATE_MAX)
        return;
    bool ok = eng_maude_date(d, &ms) == 0;
    if (!ok && self->date[0])
        return;
    memcpy(self->date, d.p, d.n);
    self->date[d.n] = '\0';
    self->date_ok = ok;
}

/* Add the current line (a row of this report) to the report. */
static int s_add(eng_maude_t *self)
{
    struct eng_maude_rows *r = &self->rows;
    if (eng_maude_rows_split(r, self->nhdr) != 0 ||
        ds_grow((void **)&self->g, &self->capg, self->ng + 1, sizeof *self->g))
        return DS_ENOMEM;
    struct ds_span text = eng_maude_rows_field(r, self->c_text);
    struct ds_span type = eng_maude_rows_field(r, self->c_type);
    struct eng_maude_part *row = &self->g[self->ng];
    memset(row, 0, sizeof *row);
    memcpy(row->type, type.p ? type.p : "",
           type.n < ENG_MAUDE_TYPE_MAX ? type.n : ENG_MAUDE_TYPE_MAX - 1);
    row->off = self->nraw;
    row->len = text.n;
    s_keep_date(self, eng_maude_rows_field(r, self->c_date));
    if (s_append_raw(self, text.p, text.n) != 0)
        return DS_ENOMEM;
    self->ng++;
    return 0;
}

/* Start a report with the current line, whose key is key. */
static int s_start(eng_maude_t *self, uint64_t key)
{
    self->open = true;
    self->key = key;
    self->line = self->rows.line;
    self->ng = self->nraw = 0;
    self->date[0] = '\0';
    self->date_ok = false;
    return s_add(self);
}

/* A line break and p[0..n) onto the last row of the open report. */
static int s_continue(eng_maude_t *self, const char *p, size_t n)
{
    if (s_append_raw(self, "\n", 1) != 0 || s_append_raw(self, p, n) != 0)
        return DS_ENOMEM;
    self->g[self->ng - 1].len += 1 + n;
    return 0;
}

/* The key in the key column of the current line, without splitting it. */
static bool s_line_key(const eng_maude_t *self, uint64_t *key)
{
    const char *p = self->rows.cur, *end = p + self->rows.len;
    for (long c = 0; c < self->c_key; c++) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        if (!bar)
            return false;
        p = bar + 1;
    }
    const char *bar = memchr(p, '|', (size_t)(end - p));
    if (!bar && self->nhdr > 1)
        return false;
    struct ds_span s = {p, (size_t)((bar ? bar : end) - p)};
    return eng_maude_key(s, key) == 0;
}

static bool s_blank_line(const struct eng_maude_rows *r)
{
    for (size_t i = 0; i < r->len; i++)
        if (r->cur[i] != ' ' && r->cur[i] != '\t')
            return false;
    return true;
}

/* One line read: S_MORE, or what eng_maude_next() returns. */
static int s_line(eng_maude_t *self, struct eng_maude_rec *out,
                  struct ds_diag *diag)
{
    struct eng_maude_rows *r = &self->rows;
    uint64_t key;
    int rc;
    if (!s_line_key(self, &key)) {
        bool blank = s_blank_line(r);
        if (!self->open && blank)
            return S_MORE;
        if (!self->open)
            return ds_diag_set_code(diag, DS_EPARSE, r->name, (int)r->line,
                                    "line does not begin with a report key "
                                    "and continues no report");
        self->st.continuations += !blank;
        rc = s_continue(self, r->cur, blank ? 0 : r->len);
        return rc ? rc : S_MORE;
    }
    self->st.rows++;
    if (self->open && key != self->key) {
        self->pending = true;
        return eng_maude_emit(self, out, diag);
    }
    rc = self->open ? s_add(self) : s_start(self, key);
    return rc ? rc : S_MORE;
}

static int s_next(eng_maude_t *self, struct eng_maude_rec *out,
                  struct ds_diag *diag)
{
    uint64_t key;
    for (;;) {
        if (self->done)
            return 1;
        int rc;
        if (self->pending) {
            self->pending = false;
            (void)s_line_key(self, &key);
            if (s_start(self, key) != 0) {
                self->open = false;
                return eng_maude_fail_nomem(self, diag);
            }
            continue;
        }
        rc = eng_maude_rows_next(&self->rows, diag);
        if (rc == 0 || rc == DS_EIO) {
            self->done = true;
            if (rc == 0 && self->open)
                return eng_maude_emit(self, out, diag);
            return rc == 0 ? 1 : rc;
        }
        if (rc < 0)
            return rc;
        rc = s_line(self, out, diag);
        if (rc == DS_ENOMEM)
            self->open = false;
        if (rc == DS_ENOMEM)
            return eng_maude_fail_nomem(self, diag);
        if (rc != S_MORE)
            return rc;
    }
}

int eng_maude_next(eng_maude_t *self, struct eng_maude_rec *out,
                   struct ds_diag *diag)
{
    ds_diag_clear(diag);
    int rc = s_next(self, out, diag);
    if (rc == 0)
        self->st.records++;
    else if (rc < 0)
        self->st.errors++;
    return rc;
}
