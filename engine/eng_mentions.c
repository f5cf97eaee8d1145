/*
 * eng_mentions.c - mention rows and their audit entry (see
 * eng_mentions.h).
 */
#include "devsurv/eng_mentions.h"
#include "devsurv/eng_audit_log.h"
#include "devsurv/eng_store_cells.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_sha256.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define S_CTX_MAX  1024
#define S_RULE_MAX 160

static const char s_sql_put[] =
    "INSERT OR IGNORE INTO mentions(source, epoch, seq, n, kind, begin, end,"
    " sent_begin, sent_end, code, system, label, rule, rule_line, flags,"
    " context, rules)"
    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static bool s_kept(enum nlp_mention_kind k)
{
    return k != NLP_MENTION_DATE;
}

/* Append printf output to buf at *at, keeping room for "]" and NUL. */
static bool s_cat(char *buf, size_t cap, size_t *at, const char *s, size_t n)
{
    if (*at + n + 2 > cap)
        return false;
    memcpy(buf + *at, s, n);
    *at += n;
    buf[*at] = '\0';
    return true;
}

/* Token range [tb, te) as a byte range of the text. */
static void s_toks(const struct nlp_doc *d, uint32_t tb, uint32_t te,
                   uint32_t *b, uint32_t *e)
{
    *b = *e = 0;
    if (tb < te && te <= d->ntok) {
        *b = d->tok[tb].begin;
        *e = d->tok[te - 1].end;
    }
}

void eng_mentions_context(const nlp_rules_t *rules, const struct nlp_result *r,
                          const struct nlp_mention *m, char *buf, size_t cap)
{
    size_t ntrig, nsec, nf, at = 0;
    const struct nlp_trigger *trig = nlp_rules_triggers(rules, &ntrig);
    const struct nlp_section *sec = nlp_rules_sections(rules, &nsec);
    const struct nlp_rules_file *f = nlp_rules_files(rules, &nf);
    bool first = true;
    buf[0] = '\0';
    s_cat(buf, cap, &at, "[", 1);
    for (unsigned k = 0; k < NLP_CTX_NCAT; k++) {
        const struct nlp_ctx_cause *c = &m->cause[k];
        if (!(m->flags & (1u << k)))
            continue;
        const char *id = "", *file = "", *what = "trigger";
        uint32_t line = 0, b, e;
        if (c->why == NLP_WHY_TRIGGER && c->rule < ntrig) {
            id = trig[c->rule].id;
            line = trig[c->rule].origin.line;
            if (trig[c->rule].origin.file < nf)
                file = f[trig[c->rule].origin.file].path;
        } else if (c->why == NLP_WHY_SECTION && c->rule < nsec) {
            id = sec[c->rule].id;
            line = sec[c->rule].origin.line;
            what = "section";
            if (sec[c->rule].origin.file < nf)
                file = f[sec[c->rule].origin.file].path;
        }
        s_toks(&r->doc, c->tok_begin, c->tok_end, &b, &e);
        char item[S_RULE_MAX * 2];
        int n = snprintf(item, sizeof item,
                         "%s{\"category\":\"%s\",\"by\":\"%s\","
                         "\"rule\":\"%s:%s\",\"line\":%" PRIu32
                         ",\"begin\":%" PRIu32 ",\"end\":%" PRIu32 "}",
                         first ? "" : ",", nlp_ctx_flag_name(k), what, file, id,
                         line, b, e);
        if (n < 0 || (size_t)n >= sizeof item ||
            !s_cat(buf, cap, &at, item, (size_t)n))
            break;
        first = false;
    }
    memcpy(buf + at, "]", 2);
}

static void s_digest_row(struct ds_sha256 *h, const struct nlp_mention *m)
{
    uint8_t b[16];
    uint32_t v[4] = {(uint32_t)m->kind, m->begin, m->end, m->flags};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            b[i * 4 + j] = (uint8_t)(v[i] >> (8 * j));
    ds_sha256_update(h, b, sizeof b);
    uint8_t len = (uint8_t)(m->code.n < 255 ? m->code.n : 255);
    ds_sha256_update(h, &len, 1);
    ds_sha256_update(h, (const uint8_t *)m->code.p, len);
    len = (uint8_t)strnlen(m->rule_id, 255);
    ds_sha256_update(h, &len, 1);
    ds_sha256_update(h, (const uint8_t *)m->rule_id, len);
}

static int s_row(sqlite3_stmt *st, const nlp_rules_t *rules,
                 const struct nlp_result *r, const struct nlp_mention *m,
                 int64_t n)
{
    char ctx[S_CTX_MAX], rule[S_RULE_MAX];
    uint32_t sb = 0, se = 0;
    if (m->sentence < r->doc.nsent) {
        sb = r->doc.sent[m->sentence].begin;
        se = r->doc.sent[m->sentence].end;
    }
    snprintf(rule, sizeof rule, "%s%s%s", m->rule_file,
             m->rule_file[0] ? ":" : "", m->rule_id);
    eng_mentions_context(rules, r, m, ctx, sizeof ctx);
    sqlite3_bind_int64(st, 4, n);
    sqlite3_bind_text(st, 5, nlp_mention_kind_name(m->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, m->begin);
    sqlite3_bind_int64(st, 7, m->end);
    sqlite3_bind_int64(st, 8, sb);
    sqlite3_bind_int64(st, 9, se);
    sqlite3_bind_text(st, 10, m->code.p ? m->code.p : "", (int)m->code.n,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 11, m->system ? m->system : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, m->label ? m->label : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, rule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 14, m->rule_line);
    sqlite3_bind_int64(st, 15, m->flags);
    sqlite3_bind_text(st, 16, ctx, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_mentions_put(eng_store_t *store, eng_audit_t *audit,
                     const struct eng_store_key *k, int64_t ts,
                     const nlp_rules_t *rules, const struct nlp_result *r,
                     size_t *stored)
{
    struct ds_sha256 h;
    const char *sha = nlp_rules_sha256(rules);
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_put);
    *stored = 0;
    if (!st)
        return DS_ESTORE;
    ds_sha256_init(&h);
    sqlite3_bind_text(st, 1, k->source.p, (int)k->source.n, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, k->epoch);
    sqlite3_bind_int64(st, 3, k->seq);
    sqlite3_bind_text(st, 17, sha, -1, SQLITE_STATIC);
    for (size_t i = 0; i < r->n; i++) {
        if (!s_kept(r->m[i].kind))
            continue;
        int rc = s_row(st, rules, r, &r->m[i], (int64_t)i);
        if (rc != 0) {
            sqlite3_clear_bindings(st);
            return rc;
        }
        s_digest_row(&h, &r->m[i]);
        (*stored)++;
    }
    sqlite3_clear_bindings(st);
    if (*stored == 0)
        return 0;
    uint8_t digest[DS_SHA256_BYTES];
    ds_sha256_final(&h, digest);
    return eng_audit_log_mentions(audit, k, ts, sha, (int64_t)*stored, digest);
}
