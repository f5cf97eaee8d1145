/*
 * eng_maude_emit.c - a finished MAUDE report as an envelope or an error
 * record (eng_maude_impl.h): its text joined, its device and master rows
 * looked up, its time chosen (eng_maude.h "Time"), then eng_maude_json().
 *
 * The time is the first usable of four dates, and an error names all
 * four as read, so a quarantined report says what was tried. Not here:
 * reading and grouping lines (eng_maude.c), the JSON (eng_maude_json.c).
 */
#include "eng_maude_impl.h"
#include "devsurv/ds_err.h"

#include <inttypes.h>
#include <string.h>

int eng_maude_fail_nomem(eng_maude_t *self, struct ds_diag *diag)
{
    return ds_diag_set_code(diag, DS_ENOMEM, self->rows.name, (int)self->line,
                            "report %" PRIu64 ": out of memory", self->key);
}

/* v as printable ASCII (others '?'), cut to 24 bytes, into b[32]. */
static const char *s_show(struct ds_span v, char *b)
{
    size_t k = 0;
    for (; k < v.n && k < 24; k++)
        b[k] = v.p[k] >= ' ' && v.p[k] < 0x7F ? v.p[k] : '?';
    b[k] = '\0';
    return b;
}

/* The envelope's time: the first usable date (eng_maude.h "Time"). */
static int s_time(const eng_maude_t *self, struct eng_maude_env *e,
                  struct ds_diag *diag)
{
    static const char *const src[4] = {"date_of_event", "date_received",
                                       "date_report", "foidev.date_received"};
    struct ds_span v[4] = {{NULL, 0}};
    char b[4][32];
    if (e->foi_n) {
        v[0] =
            eng_maude_index_get(e->foi, e->foi_row, ENG_MAUDE_FOI_DATE_EVENT);
        v[1] = eng_maude_index_get(e->foi, e->foi_row,
                                   ENG_MAUDE_FOI_DATE_RECEIVED);
    }
    v[2] = ds_span_str(self->date);
    if (e->dev_n)
        v[3] =
            eng_maude_index_get(e->dev, e->dev_primary, ENG_MAUDE_DEV_RECEIVED);
    for (int i = 0; i < 4; i++) {
        if (eng_maude_date(v[i], &e->ts_ms) == 0) {
            e->time_source = src[i];
            return 0;
        }
    }
    return ds_diag_set(diag, self->rows.name, (int)self->line,
                       "report %" PRIu64 ": no usable date (mdrfoi "
                       "date_of_event '%s', date_received '%s'%s; foitext "
                       "date_report '%s'; foidev date_received '%s'%s)",
                       self->key, s_show(v[0], b[0]), s_show(v[1], b[1]),
                       self->has_foi ? "" : ", no mdrfoi", s_show(v[2], b[2]),
                       s_show(v[3], b[3]), self->has_dev ? "" : ", no foidev");
}

/* The foidev and mdrfoi rows of the report, into e. */
static void s_rows(eng_maude_t *self, struct eng_maude_env *e)
{
    if (self->has_dev) {
        e->dev = &self->dev;
        e->dev_n = eng_maude_index_find(&self->dev, self->key, &e->dev_first);
        e->dev_primary = e->dev_first;
        for (size_t i = e->dev_first; i < e->dev_first + e->dev_n; i++)
            if (self->dev.rows[i].seq == 1)
                e->dev_primary = i;
        self->st.no_device += e->dev_n == 0;
    }
    if (self->has_foi) {
        e->foi = &self->foi;
        e->foi_n = eng_maude_index_find(&self->foi, self->key, &e->foi_row);
        self->st.no_master += e->foi_n == 0;
    }
}

int eng_maude_emit(eng_maude_t *self, struct eng_maude_rec *out,
                   struct ds_diag *diag)
{
    struct eng_maude_env e = {.key = self->key};
    uint32_t seen = 0;
    self->open = false;
    if (eng_maude_keys_add(&self->keys, self->key, &seen) != 0 ||
        eng_maude_join(self->g, self->ng, self->raw, &self->text,
                       &self->captext, &self->ntext) != 0)
        return eng_maude_fail_nomem(self, diag);
    self->st.duplicate_keys += seen > 0;
    e.part = seen + 1;
    if (self->ntext == 0)
        return ds_diag_set(diag, self->rows.name, (int)self->line,
                           "report %" PRIu64 ": no text (%zu text rows, "
                           "all empty)",
                           self->key, self->ng);
    e.text = (struct ds_span){self->text, self->ntext};
    s_rows(self, &e);
    int rc = s_time(self, &e, diag);
    if (rc != 0)
        return rc;
    if (eng_maude_json(&e, &self->json, &self->capjson, &self->njson) != 0)
        return eng_maude_fail_nomem(self, diag);
    *out = (struct eng_maude_rec){self->key, self->json, self->njson, e.ts_ms};
    return 0;
}
