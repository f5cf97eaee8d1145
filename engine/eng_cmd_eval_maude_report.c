/*
 * eng_cmd_eval_maude_report.c - the report of `devsurv eval-maude`: an
 * aligned plain-text page, or one JSON object (jansson) with the same
 * numbers. Every rate is given with its numerator and denominator; a
 * percentage is rounded to one decimal, "-" (JSON null) when the
 * denominator is 0.
 *
 * JSON shape: {"input", "rules":{"version","sha256"}, "records",
 * "foiclass": null | {"file","product_codes","device_field":{"records"|
 * "distinct":{"none","one","several"}}}, "device_mentions":{"any",
 * "affirmed"}, "agreement": null | {"narratives","exact_any",
 * "exact_first","regulation","disagreements","distinct_pairs","top":[
 * {"report","mentioned","count"}]}, "health":{"injury_death"|
 * "malfunction"|"other":{"event_types","narratives","affirmed_effect",
 * "negated_effect","affirmed_impact","impact_mentions",
 * "impact_mentions_affirmed"}}}; a rate is {"n","of","pct"}.
 */
#include "devsurv/ds_err.h"
#include "eng_cmd_eval_maude_impl.h"

#include <jansson.h>
#include <math.h>

static const char *const s_group_key[] = {"injury_death", "malfunction",
                                          "other"};
static const char *const s_group_types[] = {"IN/IL/IJ/D", "M", "other"};

static double s_pct(long n, long of)
{
    return round(1000.0 * (double)n / (double)of) / 10.0;
}

/* "  label   n / of   p%" */
static void s_rate(FILE *out, const char *label, long n, long of)
{
    fprintf(out, "  %-36s %6ld / %6ld", label, n, of);
    if (of)
        fprintf(out, "  %5.1f%%\n", s_pct(n, of));
    else
        fprintf(out, "       -\n");
}

/* One table row: a count, and with of a percentage, per EVENT_TYPE group;
 * no trailing blanks. */
static void s_row(FILE *out, const char *label, const long *n, const long *of)
{
    char line[160];
    int k = snprintf(line, sizeof line, "  %-32s", label);
    for (int g = 0; g < ENG_EVM_NGROUPS && k > 0 && k < 140; g++) {
        if (of && of[g])
            k += snprintf(line + k, sizeof line - (size_t)k, " %6ld %5.1f%%",
                          n[g], s_pct(n[g], of[g]));
        else
            k += snprintf(line + k, sizeof line - (size_t)k, " %6ld %6s", n[g],
                          of ? "-" : "");
    }
    while (k > 0 && line[k - 1] == ' ')
        line[--k] = '\0';
    fprintf(out, "%s\n", line);
}

static void s_text_device_field(FILE *out, const struct eng_evm_tally *t)
{
    static const char *const label[] = {"no code", "one code", "several codes"};
    fprintf(out, "\nDEVICE field -> product codes (foiclass DEVICENAME)"
                 "   records  distinct\n");
    for (int m = 0; m < ENG_EVM_NMAP; m++)
        fprintf(out, "  %-50s %7ld %9ld\n", label[m], t->map[m],
                t->distinct[m]);
}

static void s_text_agreement(FILE *out, const struct eng_evm_tally *t)
{
    long dis = t->agree_n - t->agree_any;
    fprintf(out, "\nAgreement with DEVICE (narratives with a device mention "
                 "and a mapped DEVICE)\n");
    s_rate(out, "same product code, any mention", t->agree_any, t->agree_n);
    s_rate(out, "same product code, first mention", t->agree_first, t->agree_n);
    s_rate(out, "same regulation number", t->agree_reg, t->agree_n);
    fprintf(out,
            "\nCommonest disagreements (report code(s) -> first mentioned "
            "code):\n%ld narrative(s) in %zu distinct pair(s)\n",
            dis, t->ndistinct_pairs);
    for (size_t i = 0; i < t->npairs; i++)
        fprintf(out, "  %-16s -> %-16s %6ld\n", t->pairs[i].report,
                t->pairs[i].mentioned, t->pairs[i].count);
}

static void s_text_health(FILE *out, const struct eng_evm_tally *t)
{
    long n[ENG_EVM_NGROUPS], ea[ENG_EVM_NGROUPS], en[ENG_EVM_NGROUPS];
    long ia[ENG_EVM_NGROUPS], im[ENG_EVM_NGROUPS], ima[ENG_EVM_NGROUPS];
    for (int g = 0; g < ENG_EVM_NGROUPS; g++) {
        const struct eng_evm_group *x = &t->group[g];
        n[g] = x->n, ea[g] = x->eff_aff, en[g] = x->eff_neg;
        ia[g] = x->imp_aff, im[g] = x->imp_m, ima[g] = x->imp_maff;
    }
    fprintf(out, "\nHealth effects by EVENT_TYPE (narratives)\n  %-32s",
            "EVENT_TYPE");
    for (int g = 0; g < ENG_EVM_NGROUPS; g++)
        fprintf(out, " %13s", s_group_types[g]);
    fputc('\n', out);
    s_row(out, "narratives", n, NULL);
    s_row(out, ">= 1 affirmed effect (imdrf-e)", ea, n);
    s_row(out, ">= 1 negated effect (imdrf-e)", en, n);
    s_row(out, ">= 1 affirmed impact (imdrf-f)", ia, n);
    s_row(out, "impact mentions (imdrf-f)", im, NULL);
    s_row(out, "  of which affirmed", ima, im);
}

void eng_evm_print_text(FILE *out, const struct eng_evm_tally *t)
{
    fprintf(out, "devsurv eval-maude %s\nrules     %s\nsha256    %s\n",
            t->input, t->rules_version, t->rules_sha);
    if (t->foiclass)
        fprintf(out, "foiclass  %s (%zu product codes)\n", t->foiclass,
                t->nclasses);
    else
        fprintf(out, "foiclass  none (--foiclass): DEVICE not scored\n");
    fprintf(out, "records   %ld\n", t->records);
    if (t->foiclass)
        s_text_device_field(out, t);
    fprintf(out, "\nDevice mentions in the narrative\n");
    s_rate(out, "any device mention", t->dev_any, t->records);
    s_rate(out, "affirmed device mention", t->dev_aff, t->records);
    if (t->foiclass)
        s_text_agreement(out, t);
    s_text_health(out, t);
}

/* ---- JSON ---- */

static json_t *s_jrate(long n, long of)
{
    return json_pack("{s:I,s:I,s:o}", "n", (json_int_t)n, "of", (json_int_t)of,
                     "pct", of ? json_real(s_pct(n, of)) : json_null());
}

static json_t *s_jmap(const long *v)
{
    return json_pack("{s:I,s:I,s:I}", "none", (json_int_t)v[ENG_EVM_NONE],
                     "one", (json_int_t)v[ENG_EVM_ONE], "several",
                     (json_int_t)v[ENG_EVM_SEVERAL]);
}

static json_t *s_jfoiclass(const struct eng_evm_tally *t)
{
    if (!t->foiclass)
        return json_null();
    return json_pack("{s:s,s:I,s:{s:o,s:o}}", "file", t->foiclass,
                     "product_codes", (json_int_t)t->nclasses, "device_field",
                     "records", s_jmap(t->map), "distinct",
                     s_jmap(t->distinct));
}

static json_t *s_jagreement(const struct eng_evm_tally *t)
{
    json_t *top = json_array();
    for (size_t i = 0; top && i < t->npairs; i++)
        if (json_array_append_new(
                top, json_pack("{s:s,s:s,s:I}", "report", t->pairs[i].report,
                               "mentioned", t->pairs[i].mentioned, "count",
                               (json_int_t)t->pairs[i].count)) != 0)
            json_decref(top), top = NULL;
    if (!t->foiclass)
        return json_decref(top), json_null();
    return json_pack("{s:I,s:o,s:o,s:o,s:I,s:I,s:o}", "narratives",
                     (json_int_t)t->agree_n, "exact_any",
                     s_jrate(t->agree_any, t->agree_n), "exact_first",
                     s_jrate(t->agree_first, t->agree_n), "regulation",
                     s_jrate(t->agree_reg, t->agree_n), "disagreements",
                     (json_int_t)(t->agree_n - t->agree_any), "distinct_pairs",
                     (json_int_t)t->ndistinct_pairs, "top", top);
}

static json_t *s_jgroup(const struct eng_evm_group *g, const char *types)
{
    return json_pack(
        "{s:s,s:I,s:o,s:o,s:o,s:I,s:o}", "event_types", types, "narratives",
        (json_int_t)g->n, "affirmed_effect", s_jrate(g->eff_aff, g->n),
        "negated_effect", s_jrate(g->eff_neg, g->n), "affirmed_impact",
        s_jrate(g->imp_aff, g->n), "impact_mentions", (json_int_t)g->imp_m,
        "impact_mentions_affirmed", s_jrate(g->imp_maff, g->imp_m));
}

static json_t *s_jhealth(const struct eng_evm_tally *t)
{
    json_t *h = json_object();
    for (int g = 0; h && g < ENG_EVM_NGROUPS; g++)
        if (json_object_set_new(h, s_group_key[g],
                                s_jgroup(&t->group[g], s_group_types[g])))
            json_decref(h), h = NULL;
    return h;
}

int eng_evm_print_json(FILE *out, const struct eng_evm_tally *t)
{
    json_t *o = json_pack(
        "{s:s,s:{s:s,s:s},s:I,s:o,s:{s:o,s:o},s:o,s:o}", "input", t->input,
        "rules", "version", t->rules_version, "sha256", t->rules_sha, "records",
        (json_int_t)t->records, "foiclass", s_jfoiclass(t), "device_mentions",
        "any", s_jrate(t->dev_any, t->records), "affirmed",
        s_jrate(t->dev_aff, t->records), "agreement", s_jagreement(t), "health",
        s_jhealth(t));
    if (!o)
        return DS_ENOMEM;
    int rc = json_dumpf(o, out, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(o);
    fputc('\n', out);
    return rc == 0 ? 0 : DS_ENOMEM;
}
