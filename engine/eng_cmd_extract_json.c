/*
 * eng_cmd_extract_json.c - the JSON line `devsurv extract` writes per input
 * record (see eng_cmd_extract_impl.h for the fields).
 *
 * Written by hand onto the stdio stream rather than built with jansson:
 * one record can hold thousands of mentions, building a tree per record
 * would allocate for each, and jansson refuses strings that are not valid
 * UTF-8 while notes can hold any bytes. Strings follow RFC 8259 section 7
 * (", \ and control characters escaped); UTF-8 is checked per RFC 3629
 * (no overlong forms, no surrogates, nothing above U+10FFFF) and each byte
 * that is not part of a valid sequence is written as U+FFFD, so the output
 * always parses while begin/end stay byte offsets into the original input.
 */
#include "eng_cmd_extract_impl.h"
#include "devsurv/ds_utf8.h"

#include <inttypes.h>
#include <string.h>

static void s_escape(FILE *out, unsigned char c)
{
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    default: fprintf(out, "\\u%04x", c); break;
    }
}

static void s_str(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    putc('"', out);
    while (i < n) {
        size_t k = ds_utf8_seq(p + i, n - i);
        bool plain = p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' && k;
        if (plain) {
            i += k;
            continue;
        }
        fwrite(p + run, 1, i - run, out);
        if (k)
            s_escape(out, p[i]);
        else
            fputs("\\ufffd", out);
        run = ++i;
    }
    fwrite(p + run, 1, i - run, out);
    putc('"', out);
}

static void s_cstr(FILE *out, const char *s)
{
    s_str(out, s, strlen(s));
}

static void s_key(FILE *out, const char *key, bool first)
{
    if (!first)
        putc(',', out);
    putc('"', out);
    fputs(key, out);
    fputs("\":", out);
}

/* The bytes of tokens [tb, te) as written in the text. */
static struct ds_span s_toks(const struct nlp_doc *d, uint32_t tb, uint32_t te)
{
    if (tb >= te || te > d->ntok)
        return (struct ds_span){"", 0};
    uint32_t b = d->tok[tb].begin, e = d->tok[te - 1].end;
    return (struct ds_span){d->text.p + b, e - b};
}

/* "why": per set flag, what set it. */
static void s_why(FILE *out, const nlp_rules_t *rules,
                  const struct nlp_result *r, const struct nlp_mention *m)
{
    size_t ntrig, nsec;
    const struct nlp_trigger *trig = nlp_rules_triggers(rules, &ntrig);
    const struct nlp_section *sec = nlp_rules_sections(rules, &nsec);
    bool first = true;
    putc('{', out);
    for (unsigned k = 0; k < NLP_CTX_NCAT; k++) {
        const struct nlp_ctx_cause *c = &m->cause[k];
        if (!(m->flags & (1u << k)))
            continue;
        s_key(out, nlp_ctx_flag_name(k), first);
        first = false;
        bool is_trig = c->why == NLP_WHY_TRIGGER && c->rule < ntrig;
        bool is_sec = c->why == NLP_WHY_SECTION && c->rule < nsec;
        fputs(is_trig ? "{\"trigger\":" : "{\"section\":", out);
        s_cstr(out, is_trig ? trig[c->rule].id : is_sec ? sec[c->rule].id : "");
        struct ds_span t = s_toks(&r->doc, c->tok_begin, c->tok_end);
        s_key(out, "text", false);
        s_str(out, t.p, t.n);
        putc('}', out);
    }
    putc('}', out);
}

static void s_mention(FILE *out, const nlp_rules_t *rules, struct ds_span text,
                      const struct nlp_result *r, const struct nlp_mention *m)
{
    fprintf(out, "{\"kind\":\"%s\",\"begin\":%" PRIu32 ",\"end\":%" PRIu32,
            nlp_mention_kind_name(m->kind), m->begin, m->end);
    s_key(out, "text", false);
    if (m->begin <= m->end && m->end <= text.n)
        s_str(out, text.p + m->begin, m->end - m->begin);
    else
        s_str(out, "", 0);
    s_key(out, "code", false);
    s_str(out, m->code.p, m->code.n);
    s_key(out, "system", false);
    s_cstr(out, m->system);
    s_key(out, "label", false);
    s_cstr(out, m->label);
    s_key(out, "rule", false);
    fputs("\"", out);
    if (m->rule_file[0])
        fprintf(out, "%s:", m->rule_file);
    fputs(m->rule_id, out); /* ids and paths are [A-Za-z0-9._:/-] */
    fputs("\"", out);
    for (unsigned k = 0; k < NLP_CTX_NCAT; k++) {
        s_key(out, nlp_ctx_flag_name(k), false);
        fputs(m->flags & (1u << k) ? "true" : "false", out);
    }
    s_key(out, "why", false);
    s_why(out, rules, r, m);
    putc('}', out);
}

void eng_x_json_record(FILE *out, const struct eng_x_id *id,
                       const nlp_rules_t *rules, struct ds_span text,
                       const struct nlp_result *r)
{
    fputs("{\"id\":", out);
    if (id->is_num)
        fprintf(out, "%lld", id->num);
    else
        s_str(out, id->str.p, id->str.n);
    fprintf(out, ",\"rules\":\"%s\",\"mentions\":[", nlp_rules_sha256(rules));
    for (size_t i = 0; i < r->n; i++) {
        if (i)
            putc(',', out);
        s_mention(out, rules, text, r, &r->m[i]);
    }
    fputs("]}\n", out);
}
