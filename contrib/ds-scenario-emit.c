/*
 * ds-scenario-emit.c - put generated events in event-time order and write
 * them as native envelopes (README "The event envelope"), one JSON object
 * a line.
 *
 * The generator produces a month at a time; a follow-up note can fall up
 * to a risk window later. Events wait in a queue; dss_emit_flush(t) sorts
 * it by (time, seq) and writes those before t, which the generator calls
 * with the start of the next month (nothing generated later can be
 * earlier). seq is the generation order, unique, so the order is total and
 * the output is the same on every machine. ids number the output lines:
 * "<site>-0000001".
 *
 * Members, always in this order: id, kind, time, patient, encounter,
 * device{product_code, udi, brand, model}, procedure{code, action},
 * event{code, term}, text. Strings are escaped for JSON; the parser already
 * refused control characters and invalid UTF-8 in the scenario.
 *
 * Not here: what the events say (ds-scenario-gen.c).
 */
#include "ds-scenario.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct dss_emit {
    FILE *f;
    char site[DSS_NAME_MAX + 1];
    struct dss_event *q;
    size_t n, cap;
    uint64_t seq, written;
};

dss_emit_t *dss_emit_new(FILE *f, const char *site)
{
    dss_emit_t *self = ds_calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->f = f;
    snprintf(self->site, sizeof self->site, "%s", site);
    return self;
}

void dss_emit_destroy(dss_emit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    dss_emit_t *self = *self_p;
    for (size_t i = 0; i < self->n; i++)
        ds_free(self->q[i].text);
    ds_free(self->q);
    ds_free(self);
    *self_p = NULL;
}

int dss_emit_add(dss_emit_t *self, struct dss_event *ev)
{
    if (ds_grow((void **)&self->q, &self->cap, self->n + 1, sizeof *ev)) {
        ds_free(ev->text);
        ev->text = NULL;
        return DS_ENOMEM;
    }
    ev->seq = self->seq++;
    self->q[self->n++] = *ev;
    ev->text = NULL;
    return 0;
}

static int s_cmp(const void *a, const void *b)
{
    const struct dss_event *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void s_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", (unsigned)*s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void s_member(FILE *f, const char *key, const char *v)
{
    fprintf(f, ",\"%s\":", key);
    s_str(f, v);
}

static const char *s_kind(enum dss_kind k)
{
    static const char *const names[] = {"exposure", "note", "outcome",
                                        "report"};
    return names[k];
}

static void s_write_device(FILE *f, const struct dss_event *ev)
{
    const struct dss_device *d = ev->dev;
    fprintf(f, ",\"device\":{\"product_code\":\"%s\"", d->product_code);
    if (d->gtin[0]) {
        fprintf(f, ",\"udi\":\"(01)%s", d->gtin);
        if (ev->udi_serial[0])
            fprintf(f, "(21)%s", ev->udi_serial);
        fputc('"', f);
    }
    s_member(f, "brand", d->brand);
    s_member(f, "model", d->model);
    fputc('}', f);
    if (ev->kind != DSS_EXPOSURE)
        return;
    fputs(",\"procedure\":{", f);
    if (d->procedure[0]) {
        fputs("\"code\":", f);
        s_str(f, d->procedure);
        fputc(',', f);
    }
    fputs("\"action\":\"implanted\"}", f);
}

static void s_write(dss_emit_t *self, const struct dss_event *ev)
{
    FILE *f = self->f;
    char t[ENG_TIME_STR_MAX];
    fprintf(f, "{\"id\":\"%s-%07" PRIu64 "\",\"kind\":\"%s\",\"time\":\"%s\"",
            self->site, ++self->written, s_kind(ev->kind),
            eng_time_format(ev->time_ms, t));
    if (ev->patient)
        fprintf(f, ",\"patient\":\"p-%012" PRIx64 "\"", ev->patient);
    if (ev->encounter)
        fprintf(f, ",\"encounter\":\"e-%012" PRIx64 "\"", ev->encounter);
    if (ev->dev)
        s_write_device(f, ev);
    if (ev->out) {
        fprintf(f, ",\"event\":{\"code\":\"%s\"", ev->out->code);
        s_member(f, "term", ev->out->term);
        fputc('}', f);
    }
    if (ev->text)
        s_member(f, "text", ev->text);
    fputs("}\n", f);
}

int dss_emit_flush(dss_emit_t *self, int64_t before_ms)
{
    size_t k = 0;
    if (self->n == 0)
        return ferror(self->f) ? DS_EIO : 0;
    qsort(self->q, self->n, sizeof *self->q, s_cmp);
    for (; k < self->n && self->q[k].time_ms < before_ms; k++) {
        s_write(self, &self->q[k]);
        ds_free(self->q[k].text);
    }
    if (k < self->n)
        memmove(self->q, self->q + k, (self->n - k) * sizeof *self->q);
    self->n -= k;
    return ferror(self->f) ? DS_EIO : 0;
}

uint64_t dss_emit_count(const dss_emit_t *self)
{
    return self->written;
}
