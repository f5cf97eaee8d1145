/*
 * eng_fhir_note.c - DocumentReference -> note (eng_fhir.h): the note text
 * is the base64 attachment.data of the first content that has data,
 * decoded into the scratch and checked as UTF-8.
 *
 * Base64 is FHIR base64Binary (RFC 4648 section 4 alphabet with padding;
 * the R4 regex allows whitespace between quanta, so blanks and line
 * breaks are skipped), decoded by libsodium (sodium_base642bin,
 * sodium_base64_VARIANT_ORIGINAL). UTF-8 is checked strictly (RFC 3629:
 * no overlongs, no surrogates, nothing above U+10FFFF); NUL is refused as
 * the native envelope refuses "\u0000".
 *
 * Not here: fetching attachment.url (never: the engine does not reach out),
 * PDF/HTML/CDA text extraction, charsets other than UTF-8.
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_err.h"
#include "devsurv/ds_utf8.h"

#include <sodium.h>
#include <stdio.h>

/* 0 when p[0..n) is UTF-8 without NUL; else the text of the fault. */
static const char *s_text_fault(const char *p, size_t n, size_t *at)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        size_t len = ds_utf8_seq(s + i, n - i);
        *at = i;
        if (len == 0)
            return "not valid UTF-8";
        if (s[i] == 0)
            return "contains a NUL byte";
        i += len;
    }
    return NULL;
}

/* attachment.contentType: text/plain, charset utf-8 or us-ascii if any. */
static int s_content_type(const json_t *att, const char *path,
                          struct ds_diag *diag)
{
    struct ds_span ct;
    char p[ENG_FHIR_PATH_MAX];
    int rc = eng_fhir_str(att, path, "contentType", false, &ct, diag);
    if (rc != 0 || !ct.p)
        return rc;
    eng_fhir_path(p, "%s.contentType", path);
    char low[64];
    size_t n = ct.n < sizeof low - 1 ? ct.n : sizeof low - 1, j = 0;
    for (size_t i = 0; i < n; i++)
        if (ct.p[i] != ' ' && ct.p[i] != '\t')
            low[j++] = (char)(ct.p[i] >= 'A' && ct.p[i] <= 'Z' ? ct.p[i] | 0x20
                                                               : ct.p[i]);
    low[j] = '\0';
    if (ct.n < sizeof low - 1 &&
        (!strcmp(low, "text/plain") ||
         !strcmp(low, "text/plain;charset=utf-8") ||
         !strcmp(low, "text/plain;charset=\"utf-8\"") ||
         !strcmp(low, "text/plain;charset=us-ascii")))
        return 0;
    return eng_fhir_bad(diag, p,
                        "expected text/plain (UTF-8): the engine reads "
                        "plain text notes only",
                        ct);
}

/* Decode attachment.data at path into the scratch as ev->text. */
static int s_decode(struct ds_span b64, const char *path,
                    struct eng_fhir_scratch *s, struct eng_event *ev,
                    struct ds_diag *diag)
{
    char p[ENG_FHIR_PATH_MAX];
    size_t len = 0, at = 0;
    const char *end = NULL;
    eng_fhir_path(p, "%s.data", path);
    /* capacity reserved by eng_fhir_map covers b64.n + 1 >= decoded */
    unsigned char *out = (unsigned char *)s->p + s->n;
    if (sodium_base642bin(out, s->cap - s->n, b64.p, b64.n, " \t\r\n", &len,
                          &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64.p + b64.n)
        return ds_diag_set(diag, NULL, 0, "%s: not valid base64", p);
    if (len == 0)
        return ds_diag_set(diag, NULL, 0, "%s: empty (a note needs text)", p);
    const char *fault = s_text_fault((const char *)out, len, &at);
    if (fault)
        return ds_diag_set(diag, NULL, 0, "%s: decoded text %s (at byte %zu)",
                           p, fault, at);
    size_t off = s->n;
    s->n += len;
    ev->text = (struct ds_span){s->p + off, len};
    return 0;
}

/* ev->text from content[]: the first attachment with data. */
static int s_text(const json_t *res, struct eng_fhir_scratch *s,
                  struct eng_event *ev, struct ds_diag *diag)
{
    const json_t *content, *c, *att;
    char p[ENG_FHIR_PATH_MAX], url_path[ENG_FHIR_PATH_MAX] = "";
    size_t i;
    int rc =
        eng_fhir_arr(res, "DocumentReference", "content", true, &content, diag);
    if (rc != 0)
        return rc;
    json_array_foreach(content, i, c)
    {
        struct ds_span data, url;
        eng_fhir_path(p, "DocumentReference.content[%zu]", i);
        if (!json_is_object(c))
            return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                               eng_fhir_type_name(c));
        if ((rc = eng_fhir_obj(c, p, "attachment", true, &att, diag)) != 0)
            return rc;
        eng_fhir_path(p, "DocumentReference.content[%zu].attachment", i);
        if ((rc = eng_fhir_str(att, p, "data", false, &data, diag)) != 0 ||
            (rc = eng_fhir_str(att, p, "url", false, &url, diag)) != 0)
            return rc;
        if (data.p) {
            if ((rc = s_content_type(att, p, diag)) != 0)
                return rc;
            return s_decode(data, p, s, ev, diag);
        }
        if (url.p && !url_path[0])
            eng_fhir_path(url_path, "%s.url", p);
    }
    if (url_path[0])
        return ds_diag_set(diag, NULL, 0,
                           "%s: the engine does not fetch attachments; send "
                           "the text inline in attachment.data (base64)",
                           url_path);
    return ds_diag_set(diag, NULL, 0,
                       "DocumentReference.content[0].attachment.data: "
                       "required (the note text, base64)");
}

/* First "Encounter/x" of context.encounter[]. */
static int s_encounter(const json_t *ctx, struct eng_event *ev,
                       struct ds_diag *diag)
{
    const json_t *list, *r;
    size_t i;
    char p[ENG_FHIR_PATH_MAX];
    int rc = eng_fhir_arr(ctx, "DocumentReference.context", "encounter", false,
                          &list, diag);
    if (rc != 0)
        return rc;
    json_array_foreach(list, i, r)
    {
        struct ds_span ref;
        eng_fhir_path(p, "DocumentReference.context.encounter[%zu]", i);
        if (!json_is_object(r))
            return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                               eng_fhir_type_name(r));
        if ((rc = eng_fhir_str(r, p, "reference", false, &ref, diag)) != 0)
            return rc;
        if (ref.p && eng_fhir_ref_id(ref, "Encounter", &ev->encounter))
            return 0;
    }
    return 0;
}

int eng_fhir_map_document(const json_t *res, struct eng_fhir_scratch *s,
                          struct eng_event *ev, struct ds_diag *diag)
{
    const json_t *ctx;
    ev->kind = ENG_EV_NOTE;
    int rc = eng_fhir_time(res, "DocumentReference", &ev->time_ms, diag);
    if (rc == 0)
        rc = eng_fhir_ref_member(res, "DocumentReference", "subject", "Patient",
                                 false, &ev->patient, diag);
    if (rc == 0)
        rc = eng_fhir_obj(res, "DocumentReference", "context", false, &ctx,
                          diag);
    if (rc == 0 && ctx)
        rc = s_encounter(ctx, ev, diag);
    if (rc == 0)
        rc = s_text(res, s, ev, diag);
    return rc;
}
