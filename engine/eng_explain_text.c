/*
 * eng_explain_text.c - a signal's lineage as text for people
 * (eng_explain_text() in eng_explain.h), rendered from the object
 * eng_explain_build() made: a header block (method, statistic against its
 * boundary, cell, parameters, rule-set and plan-set hashes), one block per
 * contributing event (for text-derived ones the sentence with the matched
 * span marked [[like this]], the code, rule and line, flags and context
 * decisions), then the audit entries with the checkpoint sealing each.
 *
 * Facts: numbers print with %.6g, parameters with 15 digits (the JSON
 * keeps 17); times are the stored event times; nothing reads the wall
 * clock, so the text is as reproducible as the JSON.
 *
 * Not here: gathering anything from the database (eng_explain.c).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "eng_explain_impl.h"

#include <stdarg.h>
#include <stdio.h>

struct s_buf {
    char *p;
    size_t n, cap;
    int oom;
};

__attribute__((format(printf, 2, 3))) static void s_put(struct s_buf *b,
                                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->oom || k < 0 ||
        ds_grow((void **)&b->p, &b->cap, b->n + (size_t)k + 1, 1) != 0) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

static const char *s_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static long long s_int(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static double s_num(const json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

/* A JSON value on one line (objects, arrays, strings unquoted). */
static void s_value(struct s_buf *b, const json_t *v)
{
    if (json_is_string(v)) {
        s_put(b, "%s", json_string_value(v));
        return;
    }
    char *t =
        json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    s_put(b, "%s", t ? t : "?");
    void (*free_fn)(void *);
    json_get_alloc_funcs(NULL, &free_fn);
    free_fn(t);
}

static void s_header(struct s_buf *b, const json_t *lin)
{
    const json_t *cell = json_object_get(lin, "cell");
    const json_t *trig = json_object_get(lin, "trigger");
    const json_t *row = json_object_get(cell, "current");
    s_put(b, "signal %lld: %s, plan \"%s\", generation %lld\n",
          s_int(lin, "signal"), s_str(lin, "method"), s_str(lin, "plan"),
          s_int(lin, "generation"));
    s_put(b, "  cell       device %s x event %s\n", s_str(cell, "device"),
          s_str(cell, "event"));
    s_put(b,
          "  statistic  %.6g >= boundary %.6g (observed %lld, expected "
          "%.6g)\n",
          s_num(lin, "statistic"), s_num(lin, "threshold"),
          s_int(lin, "observed"), s_num(lin, "expected"));
    s_put(b, "  time       %s, trigger %s/%lld/%lld\n", s_str(lin, "time"),
          s_str(trig, "source"), s_int(trig, "epoch"), s_int(trig, "seq"));
    s_put(b, "  params     ");
    s_value(b, json_object_get(lin, "params"));
    s_put(b, "\n  rule set   %s\n  plan set   %s\n",
          *s_str(lin, "rules") ? s_str(lin, "rules") : "(none)",
          *s_str(lin, "plans") ? s_str(lin, "plans") : "(none)");
    if (!json_is_object(row)) {
        s_put(b, "  cell now   (no plan_cells row)\n");
        return;
    }
    s_put(b,
          "  cell now   observed %lld, expected %.6g, exposures %lld, "
          "statistic %.6g, threshold %.6g, status %s, generation %lld\n",
          s_int(row, "observed"), s_num(row, "expected"),
          s_int(row, "exposures"), s_num(row, "statistic"),
          s_num(row, "threshold"), s_str(row, "status"),
          s_int(row, "generation"));
}

static void s_context(struct s_buf *b, const json_t *ctx)
{
    size_t i;
    const json_t *d;
    json_array_foreach(ctx, i, d)
    {
        if (!json_object_get(d, "category")) {
            s_put(b, "    context   ");
            s_value(b, d);
            s_put(b, "\n");
            continue;
        }
        s_put(b, "    context   %s: trigger \"%s\" (%s, line %lld)\n",
              s_str(d, "category"), s_str(d, "trigger"), s_str(d, "rule"),
              s_int(d, "line"));
    }
}

static void s_mention(struct s_buf *b, const json_t *c)
{
    const json_t *flags = json_object_get(c, "flag_names");
    const json_t *f;
    size_t i;
    if (json_object_get(c, "sentence")) {
        const char *s = s_str(c, "sentence");
        int sb = (int)s_int(c, "span_begin"), se = (int)s_int(c, "span_end");
        s_put(b, "    sentence  %.*s[[%.*s]]%s\n", sb, s, se - sb, s + sb,
              s + se);
    } else if (json_object_get(c, "text_error")) {
        s_put(b, "    sentence  (unavailable: %s)\n", s_str(c, "text_error"));
    }
    s_put(b, "    match     %s %s (%s) \"%s\", rule %s line %lld\n",
          s_str(c, "kind"), s_str(c, "code"), s_str(c, "system"),
          s_str(c, "label"), s_str(c, "rule"), s_int(c, "rule_line"));
    if (json_array_size(flags)) {
        s_put(b, "    flags    ");
        for (i = 0; i < json_array_size(flags); i++) {
            f = json_array_get(flags, i);
            s_put(b, " %s", json_string_value(f));
        }
        s_put(b, "\n");
    }
    s_context(b, json_object_get(c, "context"));
}

static void s_contribs(struct s_buf *b, const json_t *arr)
{
    size_t i;
    const json_t *c;
    s_put(b, "\ncontributions: %zu\n", json_array_size(arr));
    json_array_foreach(arr, i, c)
    {
        s_put(b, "  %s/%lld/%lld  %s  role %s  link %s", s_str(c, "source"),
              s_int(c, "epoch"), s_int(c, "seq"), s_str(c, "time"),
              s_str(c, "role"), s_str(c, "link"));
        if (s_int(c, "mention") < 0)
            s_put(b, "  structured field\n");
        else
            s_put(b, "  mention %lld\n", s_int(c, "mention"));
        if (json_object_get(c, "missing"))
            s_put(b, "    missing   %s\n", s_str(c, "missing"));
        else if (s_int(c, "mention") >= 0)
            s_mention(b, c);
    }
}

static void s_audit(struct s_buf *b, const json_t *arr)
{
    size_t i;
    const json_t *e;
    s_put(b, "\naudit entries: %zu\n", json_array_size(arr));
    json_array_foreach(arr, i, e)
    {
        const json_t *cp = json_object_get(e, "checkpoint");
        s_put(b, "  seq %lld  %-13s %s  %s  ", s_int(e, "seq"),
              s_str(e, "kind"), s_str(e, "subject"), s_str(e, "entry_hash"));
        if (json_is_object(cp))
            s_put(b, "sealed by checkpoint %lld (%s)\n", s_int(cp, "n"),
                  json_is_true(json_object_get(cp, "signed")) ? "signed"
                                                              : "unsigned");
        else
            s_put(b, "not yet sealed\n");
    }
}

int eng_explain_render(const json_t *lin, char **out, size_t *n)
{
    struct s_buf b = {0};
    s_header(&b, lin);
    s_contribs(&b, json_object_get(lin, "contributions"));
    s_audit(&b, json_object_get(lin, "audit"));
    if (b.oom) {
        ds_free(b.p);
        return DS_ENOMEM;
    }
    *out = b.p;
    *n = b.n;
    return 0;
}
