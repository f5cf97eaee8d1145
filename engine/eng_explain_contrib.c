/*
 * eng_explain_contrib.c - the contributions of a signal (eng_explain.h):
 * every contributions row of its cell inside its window, with the event
 * row and, for text-derived ones, the mention and its sentence.
 *
 * Facts: the window is (previous generation's signal time, this signal's
 * time], both event times; generation 0 has no lower bound. mentions hold
 * byte offsets into the event's text as the engine decoded it, so the text
 * is decoded here with the same decoder (eng_event.h: the native "text",
 * or a FHIR DocumentReference's attachment), and the offsets agree. A
 * mention whose offsets do not fit the text, or whose span does not lie
 * on UTF-8 boundaries, gets "text_error" instead of a sentence; a row
 * missing from events or mentions gets "missing". Order: source, epoch,
 * seq, mention.
 *
 * Not here: the audit entries (eng_explain_audit.c).
 */
#include "devsurv/eng_event.h"
#include "devsurv/nlp_context.h"
#include "devsurv/ds_err.h"
#include "eng_explain_impl.h"

#include <string.h>

static const char s_sql[] =
    "SELECT c.source, c.epoch, c.seq, c.ts, c.role, c.link, c.mention,"
    " e.content_type, e.payload, m.kind, m.code, m.system, m.label, m.rule,"
    " m.rule_line, m.flags, m.context, m.rules, m.begin, m.end,"
    " m.sent_begin, m.sent_end, e.source IS NOT NULL, m.source IS NOT NULL"
    " FROM signals s JOIN contributions c ON c.plan = s.plan"
    " AND c.device = s.product_code AND c.event = s.event_code"
    " AND c.ts <= s.ts_event AND c.ts > coalesce((SELECT max(p.ts_event)"
    " FROM signals p WHERE p.plan = s.plan"
    " AND p.product_code = s.product_code AND p.event_code = s.event_code"
    " AND p.method = s.method AND p.generation < s.generation),"
    " -9223372036854775807 - 1)"
    " LEFT JOIN events e ON e.source = c.source AND e.epoch = c.epoch"
    " AND e.seq = c.seq"
    " LEFT JOIN mentions m ON c.mention >= 0 AND m.source = c.source"
    " AND m.epoch = c.epoch AND m.seq = c.seq AND m.n = c.mention"
    " WHERE s.id = ?1 ORDER BY c.source, c.epoch, c.seq, c.mention";

enum {
    C_TS = 3,
    C_ROLE = 4,
    C_MENTION = 6,
    C_CTYPE = 7,
    C_PAYLOAD = 8,
    C_KIND = 9,
    C_FLAGS = 15,
    C_CONTEXT = 16,
    C_RULES = 17,
    C_BEGIN = 18,
    C_HAS_EVENT = 22,
    C_HAS_MENTION = 23
};

static json_t *s_flag_names(int64_t flags)
{
    json_t *a = json_array();
    for (int i = 0; a && i < NLP_CTX_NCAT; i++)
        if (flags & (1 << i))
            json_array_append_new(a, json_string(nlp_ctx_category_name(
                                         (enum nlp_ctx_category)i)));
    return a;
}

static json_t *s_context(sqlite3_stmt *st)
{
    const char *p = (const char *)sqlite3_column_text(st, C_CONTEXT);
    json_t *j = p ? json_loads(p, JSON_DECODE_ANY, NULL) : NULL;
    return j ? j : eng_explain_col(st, C_CONTEXT);
}

/* The sentence of the mention with its span, from the decoded text. */
static int s_sentence(json_t *o, struct ds_span text, sqlite3_stmt *st)
{
    int64_t b = sqlite3_column_int64(st, C_BEGIN);
    int64_t e = sqlite3_column_int64(st, C_BEGIN + 1);
    int64_t sb = sqlite3_column_int64(st, C_BEGIN + 2);
    int64_t se = sqlite3_column_int64(st, C_BEGIN + 3);
    if (!(0 <= sb && sb <= b && b <= e && e <= se && se <= (int64_t)text.n))
        return eng_explain_set(o, "text_error",
                               json_string("offsets outside the text"));
    json_t *sent = json_stringn(text.p + sb, (size_t)(se - sb));
    json_t *span = json_stringn(text.p + b, (size_t)(e - b));
    if (!sent || !span) {
        json_decref(sent);
        json_decref(span);
        return eng_explain_set(o, "text_error",
                               json_string("span not on UTF-8 boundaries"));
    }
    int rc = eng_explain_set(o, "sentence", sent);
    if (!rc)
        rc = eng_explain_set(o, "span_begin", json_integer(b - sb));
    if (!rc)
        rc = eng_explain_set(o, "span_end", json_integer(e - sb));
    return rc ? (json_decref(span), rc) : eng_explain_set(o, "text", span);
}

static int s_text(json_t *o, eng_decoder_t *dec, sqlite3_stmt *st)
{
    struct eng_event ev;
    const char *ct = (const char *)sqlite3_column_text(st, C_CTYPE);
    const char *p = sqlite3_column_blob(st, C_PAYLOAD);
    size_t n = (size_t)sqlite3_column_bytes(st, C_PAYLOAD);
    if (!ct ||
        eng_decoder_decode(dec, ds_span_str(ct), p ? p : "", n, &ev, NULL) != 0)
        return eng_explain_set(o, "text_error",
                               json_string("the event does not decode"));
    return s_sentence(o, ev.text, st);
}

static int s_mention(json_t *o, eng_decoder_t *dec, sqlite3_stmt *st)
{
    if (!sqlite3_column_int(st, C_HAS_MENTION))
        return eng_explain_set(o, "missing", json_string("mentions row"));
    int rc = eng_explain_row(o, st, C_KIND, C_FLAGS + 1);
    if (!rc)
        rc = eng_explain_set(o, "flag_names",
                             s_flag_names(sqlite3_column_int64(st, C_FLAGS)));
    if (!rc)
        rc = eng_explain_set(o, "context", s_context(st));
    if (!rc)
        rc = eng_explain_row(o, st, C_RULES, C_BEGIN + 4);
    if (!rc && sqlite3_column_int(st, C_HAS_EVENT))
        rc = s_text(o, dec, st);
    return rc;
}

static int s_one(json_t *arr, eng_decoder_t *dec, sqlite3_stmt *st)
{
    json_t *o = json_object();
    int rc = o ? eng_explain_row(o, st, 0, C_TS) : DS_ENOMEM;
    if (!rc)
        rc = eng_explain_time(o, sqlite3_column_int64(st, C_TS));
    if (!rc)
        rc = eng_explain_row(o, st, C_ROLE, C_MENTION + 1);
    if (!rc && !sqlite3_column_int(st, C_HAS_EVENT))
        rc = eng_explain_set(o, "missing", json_string("events row"));
    if (!rc && sqlite3_column_int64(st, C_MENTION) >= 0)
        rc = s_mention(o, dec, st);
    if (!rc && json_array_append(arr, o) != 0)
        rc = DS_ENOMEM;
    json_decref(o);
    return rc;
}

int eng_explain_contribs(sqlite3 *db, json_t *lin, eng_decoder_t *dec,
                         struct ds_diag *diag)
{
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();
    int rc = arr ? 0 : DS_ENOMEM;
    if (rc == 0 && sqlite3_prepare_v2(db, s_sql, -1, &st, NULL) != SQLITE_OK)
        rc = eng_explain_db_err(db, diag);
    if (rc == 0)
        sqlite3_bind_int64(st, 1,
                           json_integer_value(json_object_get(lin, "signal")));
    int step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = s_one(arr, dec, st);
    if (rc == 0 && step != SQLITE_DONE)
        rc = eng_explain_db_err(db, diag);
    if (rc == 0)
        rc = eng_explain_set(lin, "contributions", json_incref(arr));
    sqlite3_finalize(st);
    json_decref(arr);
    return rc;
}
