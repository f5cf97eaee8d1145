/*
 * test_eng_site_envelope.c - one native envelope line made ready to leave
 * the site (eng_site_envelope.h): pseudonyms spliced in place of the
 * patient and encounter tokens with every other byte unchanged, the
 * refusals (not JSON, scalar, array, non-string member, duplicate or
 * escaped keys), pass-through without a key, the time read, reuse without
 * allocation and allocation-failure torture. Not here: the pseudonym
 * function itself (test_eng_keys.c), reading lines (ds-publish tests).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_site_envelope.h"
#include "../test.h"

#include <stdint.h>

static struct eng_pseudo_key s_key;

static void s_init_key(void)
{
    memset(&s_key, 0x5a, sizeof s_key);
}

/* "\"<pseudonym of id in domain d>\"" */
static const char *s_quoted(enum eng_pseudo_domain d, const char *id)
{
    static char q[2][ENG_PSEUDO_LEN + 3];
    char ps[ENG_PSEUDO_LEN + 1];
    eng_pseudo_id(&s_key, d, ds_span_str(id), ps);
    snprintf(q[d], sizeof q[d], "\"%s\"", ps);
    return q[d];
}

/* The output of prepare as a NUL-terminated string. */
static const char *s_out(const struct eng_site_envelope *e)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%.*s", (int)e->n, e->p);
    return buf;
}

static int s_prep(struct eng_site_envelope *e, const char *line, int key,
                  struct ds_diag *diag)
{
    ds_diag_clear(diag);
    return eng_site_envelope_prepare(line, strlen(line), key ? &s_key : NULL, e,
                                     diag);
}

TEST(pseudonyms_are_spliced_into_the_original_bytes)
{
    struct eng_site_envelope e = {0};
    struct ds_diag diag;
    s_init_key();
    const char *line = "{ \"id\" : \"a\",\"encounter\":\"e-1\", \"n\": 1.50E+2,"
                       "\"patient\" :\"p-1\",\"time\":\"2026-01-05T01:00:00Z\","
                       "\"text\":\"caf\\u00e9 \\\"x\\\"\" } ";
    char want[1024];
    snprintf(want, sizeof want,
             "{ \"id\" : \"a\",\"encounter\":%s, \"n\": 1.50E+2,"
             "\"patient\" :",
             s_quoted(ENG_PSEUDO_ENCOUNTER, "e-1"));
    snprintf(want + strlen(want), sizeof want - strlen(want),
             "%s,\"time\":\"2026-01-05T01:00:00Z\","
             "\"text\":\"caf\\u00e9 \\\"x\\\"\" } ",
             s_quoted(ENG_PSEUDO_PATIENT, "p-1"));
    CHECK_INT(s_prep(&e, line, 1, &diag), 0);
    CHECK_STR(s_out(&e), want);
    CHECK(e.p == e.buf);
    CHECK_INT(e.pseudonyms, 2);
    CHECK_INT(e.ts_ms, 1767574800000LL);
    /* the identifier is decoded before it is pseudonymised */
    CHECK_INT(s_prep(&e, "{\"patient\":\"p\\u002d1\"}", 1, &diag), 0);
    snprintf(want, sizeof want, "{\"patient\":%s}",
             s_quoted(ENG_PSEUDO_PATIENT, "p-1"));
    CHECK_STR(s_out(&e), want);
    CHECK_INT(e.pseudonyms, 1);
    /* an escaped key is the same key */
    CHECK_INT(s_prep(&e, "{\"p\\u0061tient\":\"p-1\",\"id\":\"x\"}", 1, &diag),
              0);
    snprintf(want, sizeof want, "{\"p\\u0061tient\":%s,\"id\":\"x\"}",
             s_quoted(ENG_PSEUDO_PATIENT, "p-1"));
    CHECK_STR(s_out(&e), want);
    /* nested members are not the envelope's */
    const char *nested = "{\"x\":{\"patient\":\"p-1\"}}";
    CHECK_INT(s_prep(&e, nested, 1, &diag), 0);
    CHECK(e.p == nested && e.n == strlen(nested));
    CHECK_INT(e.pseudonyms, 0);
    eng_site_envelope_clear(&e);
}

TEST(refusals_with_a_key)
{
    static const struct {
        const char *line;
        int rc;
        const char *has;
    } c[] = {
        {"{\"patient\":", DS_EPARSE, "not JSON (column 12: premature end"},
        {"", DS_EPARSE, "not JSON (column 1"},
        {"42", DS_EPARSE, "not JSON (column 1: '[' or '{' expected)"},
        {"  \"p\"", DS_EPARSE, "column 3: '[' or '{' expected"},
        {"[{\"patient\":\"p\"}]", DS_EINVAL, "top level is not an object"},
        {"{\"patient\":7}", DS_EINVAL, "patient: not a string"},
        {"{\"patient\":\"p\",\"encounter\":null}", DS_EINVAL,
         "encounter: not a string"},
        {"{\"patient\":\"p\",\"patient\":\"q\"}", DS_EPARSE,
         "duplicate object key"},
        {"{\"patient\":\"p\",\"p\\u0061tient\":\"q\"}", DS_EPARSE,
         "duplicate object key"},
        {"{\"patient\":\"p\\u0000\"}", DS_EPARSE, "\\u0000"},
        {"{\"patient\":\"p\"} x", DS_EPARSE, "end of file expected"},
    };
    struct eng_site_envelope e = {0};
    struct ds_diag diag;
    s_init_key();
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int rc = s_prep(&e, c[i].line, 1, &diag);
        if (rc != c[i].rc || !strstr(diag.msg, c[i].has) ||
            !strstr(diag.msg, "cannot be pseudonymised"))
            TEST_FAIL_("case %zu: rc %d '%s'", i, rc, diag.msg);
        /* without a key every one of them passes as is */
        if (s_prep(&e, c[i].line, 0, &diag) != 0 || e.p != c[i].line ||
            e.n != strlen(c[i].line) || e.pseudonyms != 0)
            TEST_FAIL_("case %zu without a key", i);
    }
    eng_site_envelope_clear(&e);
}

TEST(without_a_key_only_the_time_is_read)
{
    struct eng_site_envelope e = {0};
    struct ds_diag diag;
    const char *line =
        "{\"patient\":\"p-1\",\"time\":\"2026-01-05T01:00:00Z\"}";
    CHECK_INT(s_prep(&e, line, 0, &diag), 0);
    CHECK(e.p == line && e.n == strlen(line));
    CHECK_INT(e.ts_ms, 1767574800000LL);
    CHECK_INT(e.pseudonyms, 0);
    CHECK_INT(s_prep(&e, "{\"time\":\"yesterday\"}", 0, &diag), 0);
    CHECK_INT(e.ts_ms, 0);
    CHECK_INT(s_prep(&e, "{\"time\":\"2026-01-05T01:00:00Z\",}", 0, &diag), 0);
    CHECK_INT(e.ts_ms, 0); /* not JSON: not read */
    CHECK_INT(s_prep(&e, "{\"time\":\"2026-01-05T01:00:00Z\"}", 1, &diag), 0);
    CHECK_INT(e.ts_ms, 1767574800000LL);
    eng_site_envelope_clear(&e);
    eng_site_envelope_clear(&e); /* safe twice */
}

TEST(reuse_allocates_nothing)
{
    struct eng_site_envelope e = {0};
    struct ds_diag diag;
    struct ds_alloc_stats a, b;
    s_init_key();
    const char *line = "{\"id\":\"a\",\"patient\":\"p\\n1\",\"encounter\":"
                       "\"e-1\",\"text\":\"some text here\"}";
    CHECK_INT(s_prep(&e, line, 1, &diag), 0);
    ds_alloc_stats(&a);
    for (int i = 0; i < 500; i++)
        if (s_prep(&e, line, i % 2, &diag) != 0)
            TEST_FAIL_("prepare %d: %s", i, diag.msg);
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs - a.allocs, 0);
    eng_site_envelope_clear(&e);
}

static int64_t s_live(void)
{
    struct ds_alloc_stats st;
    ds_alloc_stats(&st);
    return (int64_t)(st.allocs - st.frees - st.reallocs);
}

TEST(allocation_failure_torture)
{
    const char *line = "{\"id\":\"a\\u00e9\",\"patient\":\"p-1\",\"encounter\":"
                       "\"e-1\",\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,"
                       "17,18,19,20]}";
    char want[1024];
    struct eng_site_envelope e = {0};
    struct ds_diag diag;
    s_init_key();
    CHECK_INT(s_prep(&e, line, 1, &diag), 0);
    snprintf(want, sizeof want, "%s", s_out(&e));
    eng_site_envelope_clear(&e);
    int fired = 1;
    uint64_t k;
    for (k = 1; fired && k < 1000; k++) {
        int64_t live = s_live();
        ds_alloc_fail_at(k);
        int rc = s_prep(&e, line, 1, &diag);
        fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (rc != (fired ? DS_ENOMEM : 0) ||
            (!fired && strcmp(s_out(&e), want) != 0))
            TEST_FAIL_("k=%llu fired=%d rc=%d", (unsigned long long)k, fired,
                       rc);
        eng_site_envelope_clear(&e);
        if (s_live() != live)
            TEST_FAIL_("k=%llu leaks", (unsigned long long)k);
    }
    CHECK(k > 2);
}

int main(void)
{
    RUN(pseudonyms_are_spliced_into_the_original_bytes);
    RUN(refusals_with_a_key);
    RUN(without_a_key_only_the_time_is_read);
    RUN(reuse_allocates_nothing);
    RUN(allocation_failure_torture);
    return test_report();
}
