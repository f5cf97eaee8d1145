/*
 * test_eng_maude.c - reading FDA MAUDE pipe-delimited files into native
 * envelopes (eng_maude.h), as `devsurv replay --maude` does: open the
 * three files, call next until 1, count the error records.
 *
 * Oracles: the golden output of fixtures/maude/ (expected.txt: one line
 * per record, the envelope or "ERR code diag"), checked by hand against
 * the fixture files; the event decoder (eng_event.h), which must accept
 * every envelope as a valid report with the same time; and openFDA's own
 * raw-format test files when ../shared is present. In-memory inputs
 * (fmemopen) pin down one rule each: header by name, continuation lines,
 * encodings, dates, errors. Allocation-failure torture fails every
 * allocation of a whole run in turn.
 */
#include "devsurv/eng_maude.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_event.h"
#include "../test.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#define FIX     "fixtures/maude/"
#define OFDA    "../shared/eval/maude/"
#define OUT_MAX (1 << 16)
#define JSON_CT ENG_CTYPE_EVENT_JSON

/* Every record of m as lines: the envelope, or "ERR code file:line: msg". */
static const char *s_dump(eng_maude_t *m)
{
    static char out[OUT_MAX];
    struct eng_maude_rec r;
    struct ds_diag d;
    char b[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    size_t k = 0;
    int rc;
    out[0] = '\0';
    while (k < OUT_MAX - 1 && (rc = eng_maude_next(m, &r, &d)) != 1) {
        int w = rc == 0 ? snprintf(out + k, OUT_MAX - k, "%s\n", r.json)
                        : snprintf(out + k, OUT_MAX - k, "ERR %d %s\n", rc,
                                   ds_diag_format(&d, b, sizeof b));
        k += (size_t)w < OUT_MAX - k ? (size_t)w : OUT_MAX - 1 - k;
    }
    return out;
}

static char *s_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = calloc(1, OUT_MAX);
    size_t n = s ? fread(s, 1, OUT_MAX - 1, f) : 0;
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* A reader over in-memory foitext (and optional foidev / mdrfoi). */
struct s_mem {
    FILE *f[3];
    eng_maude_t *m;
    struct ds_diag diag;
};

static eng_maude_t *s_open_mem(struct s_mem *x, const char *text,
                               const char *dev, const char *foi)
{
    const char *src[3] = {text, dev, foi};
    struct eng_maude_input in[3] = {
        {NULL, "t.txt"}, {NULL, "d.txt"}, {NULL, "f.txt"}};
    for (int i = 0; i < 3; i++) {
        x->f[i] = src[i] && src[i][0]
                      ? fmemopen((void *)src[i], strlen(src[i]), "r")
                  : src[i] ? fopen("/dev/null", "r")
                           : NULL;
        in[i].f = x->f[i];
    }
    x->m = eng_maude_open_streams(in[0], in[1], in[2], &x->diag);
    return x->m;
}

static void s_close_mem(struct s_mem *x)
{
    eng_maude_destroy(&x->m);
    for (int i = 0; i < 3; i++)
        if (x->f[i])
            fclose(x->f[i]);
}

/* The one record of text (with dev, foi) as a string, or "ERR ...". */
static const char *s_one(const char *text, const char *dev, const char *foi)
{
    static char out[OUT_MAX];
    struct s_mem x;
    memset(&x, 0, sizeof x);
    if (!s_open_mem(&x, text, dev, foi)) {
        snprintf(out, sizeof out, "OPEN %s", x.diag.msg);
    } else {
        snprintf(out, sizeof out, "%s", s_dump(x.m));
        size_t n = strlen(out);
        if (n > 0 && out[n - 1] == '\n')
            out[n - 1] = '\0';
    }
    s_close_mem(&x);
    return out;
}

/* Check that every envelope of m decodes as a valid report with the
 * record's time; returns the number of envelopes or -1. */
static long s_decode_all(eng_maude_t *m, long *errors)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_maude_rec r;
    struct eng_event ev;
    struct ds_diag diag;
    long n = d ? 0 : -1;
    int rc;
    *errors = 0;
    while (d && (rc = eng_maude_next(m, &r, &diag)) != 1) {
        if (rc < 0) {
            ++*errors;
            continue;
        }
        if (strlen(r.json) != r.n ||
            eng_decoder_decode(d, ds_span_str(JSON_CT), r.json, r.n, &ev,
                               &diag) != 0 ||
            ev.kind != ENG_EV_REPORT || ev.time_ms != r.ts_ms ||
            ev.text.n == 0) {
            printf("# rejected: %s\n# %.300s\n", diag.msg, r.json);
            n = -1;
            break;
        }
        n++;
    }
    eng_decoder_destroy(&d);
    return n;
}

/* ---- the fixture files ---- */

TEST(fixture_matches_golden_output)
{
    struct ds_diag d;
    char *want = s_slurp(FIX "expected.txt");
    eng_maude_t *m = eng_maude_open(FIX "foitext.txt", FIX "foidev.txt",
                                    FIX "mdrfoi.txt", &d);
    CHECK(want && m);
    const char *got = s_dump(m);
    int same = strcmp(got, want) == 0;
    if (!same)
        printf("# got:\n%s", got);
    const struct eng_maude_stats *st = eng_maude_stats(m);
    struct eng_maude_stats s = *st;
    eng_maude_destroy(&m);
    free(want);
    CHECK(same);
    CHECK_INT(s.records, 6);
    CHECK_INT(s.errors, 2);
    CHECK_INT(s.rows, 11);
    CHECK_INT(s.continuations, 1);
    CHECK_INT(s.duplicate_keys, 1);
    CHECK_INT(s.dev_rows, 6);
    CHECK_INT(s.dev_skipped, 1);
    CHECK_INT(s.foi_rows, 6);
    CHECK_INT(s.foi_duplicates, 1);
    CHECK_INT(s.no_device, 1); /* 1003 (1005 has no text: no record) */
    CHECK_INT(s.no_master, 1); /* 1003 */
}

TEST(fixture_envelopes_decode_as_reports)
{
    struct ds_diag d;
    long errors;
    eng_maude_t *m = eng_maude_open(FIX "foitext.txt", FIX "foidev.txt",
                                    FIX "mdrfoi.txt", &d);
    CHECK(m);
    long n = s_decode_all(m, &errors);
    eng_maude_destroy(&m);
    CHECK_INT(n, 6);
    CHECK_INT(errors, 2);
}

TEST(fixture_text_only)
{
    struct ds_diag d;
    eng_maude_t *m = eng_maude_open(FIX "foitext.txt", NULL, NULL, &d);
    CHECK(m);
    const char *got = s_dump(m);
    eng_maude_destroy(&m);
    /* 1001 still dates from its date_report; 1002 has none left. */
    CHECK_HAS(got, "\"id\":\"maude-1001\",\"kind\":\"report\","
                   "\"time\":\"2024-03-05T00:00:00Z\",\"text\"");
    CHECK_HAS(got, "report 1002: no usable date (mdrfoi date_of_event '', "
                   "date_received '', no mdrfoi; foitext date_report ''; "
                   "foidev date_received '', no foidev)");
    CHECK(!strstr(got, "\"device\""));
}

TEST(open_errors_name_the_file)
{
    struct ds_diag d;
    CHECK(!eng_maude_open(FIX "nonexistent.txt", NULL, NULL, &d));
    CHECK_STR(d.file, FIX "nonexistent.txt");
    CHECK_HAS(d.msg, "cannot open");
    CHECK(!eng_maude_open(FIX "foitext.txt", FIX "nope.txt", NULL, &d));
    CHECK_STR(d.file, FIX "nope.txt");
    CHECK_STR(s_one("", NULL, NULL),
              "OPEN empty file (a header line is required)");
    CHECK_STR(s_one("1|2|D|1||TEXT\n", NULL, NULL),
              "OPEN no mdr_report_key column in the header line");
    CHECK_STR(s_one("MDR_REPORT_KEY|DATE_REPORT\n", NULL, NULL),
              "OPEN no foi_text (or text) column in the header line");
    CHECK_STR(s_one("mdr_report_key|text\n", "brand_name\nX\n", NULL),
              "OPEN no mdr_report_key column in the header line");
}

/* ---- one rule each ---- */

TEST(columns_found_by_name_in_any_order)
{
    /* key third, lower/mixed case, text last takes the rest (pipes). */
    CHECK_STR(s_one("text_type_code|Date_Report|mdr_report_key|Foi_Text\r\n"
                    "D|01/02/2020|77|HELLO|WORLD\r\n",
                    NULL, NULL),
              "{\"id\":\"maude-77\",\"kind\":\"report\","
              "\"time\":\"2020-01-02T00:00:00Z\","
              "\"text\":\"EVENT DESCRIPTION: HELLO|WORLD\","
              "\"maude\":{\"report_key\":\"77\","
              "\"time_source\":\"date_report\"}}");
}

TEST(continuation_and_blank_lines_extend_the_text)
{
    CHECK_STR(s_one("mdr_report_key|date_report|text\n"
                    "5|01/02/2020|FIRST LINE\n"
                    "\n"
                    "2020 SECOND \"PARAGRAPH\n"
                    "5|01/02/2020|ANOTHER ROW\n",
                    NULL, NULL),
              "{\"id\":\"maude-5\",\"kind\":\"report\","
              "\"time\":\"2020-01-02T00:00:00Z\","
              "\"text\":\"TEXT: FIRST LINE\\n\\n2020 SECOND \\\"PARAGRAPH"
              "\\n\\nTEXT: ANOTHER ROW\","
              "\"maude\":{\"report_key\":\"5\","
              "\"time_source\":\"date_report\"}}");
}

TEST(line_continuing_nothing_is_an_error_record)
{
    const char *got = s_one("mdr_report_key|date_report|text\n"
                            "\n"
                            "STRAY TEXT\n"
                            "6|01/02/2020|OK\n",
                            NULL, NULL);
    CHECK_HAS(got, "ERR -3 t.txt:3: line does not begin with a report key "
                   "and continues no report\n{\"id\":\"maude-6\"");
}

TEST(text_becomes_valid_utf8)
{
    /* kept UTF-8; latin-1 e-acute; cp1252 0x92 and undefined 0x81;
     * a control byte; an overlong and a truncated sequence. */
    const char *got = s_one("mdr_report_key|date_report|text\n"
                            "8|01/02/2020|CAF\xc3\xa9 CAF\xe9 A\x92S \x81 "
                            "X\x01Y \xc0\xaf \xe2\x82\n",
                            NULL, NULL);
    CHECK_HAS(got, "\"text\":\"TEXT: CAF\xc3\xa9 CAF\xc3\xa9 A\xe2\x80\x99S "
                   "\xef\xbf\xbd X Y \xc3\x80\xc2\xaf \xc3\xa2\xe2\x80\x9a\"");
}

TEST(dates_in_fda_forms_and_fallback_order)
{
    static const char hdr[] = "mdr_report_key|date_report|text\n";
    static const struct {
        const char *date, *want;
    } c[] = {
        {"20200102", "2020-01-02T"},
        {"2020/01/02 00:00:00.000", "2020-01-02T"},
        {"2020-01-02", "2020-01-02T"},
        {"1/2/2020", "2020-01-02T"},
        {" 12/31/1999 ", "1999-12-31T"},
        {"02/29/2020", "2020-02-29T"},
        {"02/29/2019", "no usable date"},
        {"13/01/2020", "no usable date"},
        {"01/02/1899", "no usable date"},
        {"2020-01-02T10:00:00Z", "no usable date"},
        {"01-JAN-20", "no usable date"},
    };
    char text[256];
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        snprintf(text, sizeof text, "%s9|%s|T\n", hdr, c[i].date);
        CHECK_HAS(s_one(text, NULL, NULL), c[i].want);
    }
    /* mdrfoi date_of_event beats date_received beats date_report beats
     * foidev date_received; a bad one falls through to the next. */
    static const char dev[] = "mdr_report_key|date_received\n9|04/04/2020\n";
    CHECK_HAS(s_one("mdr_report_key|text\n9|T\n", dev,
                    "MDR_REPORT_KEY|DATE_RECEIVED|DATE_OF_EVENT\n"
                    "9|03/03/2020|02/30/2020\n"),
              "\"time\":\"2020-03-03T00:00:00Z\"");
    CHECK_HAS(s_one("mdr_report_key|text\n9|T\n", dev,
                    "MDR_REPORT_KEY|DATE_RECEIVED|DATE_OF_EVENT\n9||\n"),
              "\"time\":\"2020-04-04T00:00:00Z\"");
}

TEST(devices_primary_sequence_one_and_padded_keys)
{
    const char *got = s_one(
        "mdr_report_key|date_report|text\n3|01/02/2020|T\n",
        "mdr_report_key|device_sequence_number|device_report_product_code|"
        "brand_name\n"
        " 3.0|3|ABC|THIRD\n3| 1.0 |DEF|\"FIRST|\"\"Q\"\"\"\n3|2|xyz|SECOND\n"
        "4|1|GHI|OTHER REPORT\n",
        NULL);
    CHECK_HAS(got, "\"device\":{\"product_code\":\"DEF\","
                   "\"brand\":\"FIRST|\\\"Q\\\"\"},"
                   "\"devices\":[{\"seq\":2,\"product_code_invalid\":"
                   "\"xyz\",\"brand\":\"SECOND\"},{\"seq\":3,"
                   "\"product_code\":\"ABC\",\"brand\":\"THIRD\"}]");
    CHECK(!strstr(got, "OTHER REPORT"));
}

TEST(key_met_again_is_a_second_part)
{
    const char *got = s_one("mdr_report_key|date_report|text\n"
                            "1|01/02/2020|A\n2|01/02/2020|B\n"
                            "1|01/02/2020|C\n1|01/02/2020|D\n"
                            "3|01/02/2020|E\n1|01/02/2020|F\n",
                            NULL, NULL);
    CHECK_HAS(got, "TEXT: C\\n\\nTEXT: D\",\"maude\":{\"report_key\":\"1\","
                   "\"part\":2,");
    CHECK_HAS(got, "TEXT: F\",\"maude\":{\"report_key\":\"1\",\"part\":3,");
}

TEST(crlf_without_final_newline_and_bom)
{
    CHECK_HAS(s_one("\xEF\xBB\xBFMDR_REPORT_KEY|DATE_REPORT|FOI_TEXT\r\n"
                    "11|01/02/2020|X\r\n12|01/02/2020|LAST",
                    NULL, NULL),
              "\"id\":\"maude-12\",\"kind\":\"report\","
              "\"time\":\"2020-01-02T00:00:00Z\","
              "\"text\":\"TEXT: LAST\"");
}

TEST(reader_goes_on_after_errors)
{
    struct s_mem x;
    memset(&x, 0, sizeof x);
    struct eng_maude_rec r;
    struct ds_diag d;
    CHECK(s_open_mem(&x,
                     "mdr_report_key|date_report|text\n"
                     "1||NO DATE\n2|01/02/2020|\n3|01/02/2020|OK\n",
                     NULL, NULL));
    int a = eng_maude_next(x.m, &r, &d);
    int b = eng_maude_next(x.m, &r, &d);
    int c = eng_maude_next(x.m, &r, &d);
    uint64_t key = r.report_key;
    int64_t ts = r.ts_ms;
    int e = eng_maude_next(x.m, &r, &d), e2 = eng_maude_next(x.m, &r, &d);
    struct eng_maude_stats s = *eng_maude_stats(x.m);
    s_close_mem(&x);
    CHECK_INT(a, DS_EINVAL);
    CHECK_INT(b, DS_EINVAL);
    CHECK_INT(c, 0);
    CHECK_INT(key, 3);
    CHECK_INT(ts, 1577923200000LL);
    CHECK_INT(e, 1);
    CHECK_INT(e2, 1);
    CHECK_INT(s.records, 1);
    CHECK_INT(s.errors, 2);
}

/* ---- openFDA's raw-format samples ---- */

TEST(openfda_samples)
{
    struct ds_diag d;
    long errors;
    eng_maude_t *m = eng_maude_open(OFDA "openfda_test_foitext.txt",
                                    OFDA "openfda_test_foidev.txt", NULL, &d);
    CHECK(m);
    long n = s_decode_all(m, &errors);
    eng_maude_destroy(&m);
    CHECK_INT(n, 5);
    CHECK_INT(errors, 0);
    m = eng_maude_open(OFDA "openfda_test_foitext.txt",
                       OFDA "openfda_test_foidev.txt", NULL, &d);
    const char *got = s_dump(m);
    eng_maude_destroy(&m);
    CHECK_HAS(got, "{\"id\":\"maude-1511544\",\"kind\":\"report\","
                   "\"time\":\"2009-10-08T00:00:00Z\",\"device\":"
                   "{\"product_code\":\"GXI\",\"brand\":"
                   "\"\\\"TC 410, 20 GAUGE, 10MM DISPOS\"");
    CHECK_HAS(got, "\"text\":\"EVENT DESCRIPTION: CALLER ALLEGED DISCREPANT");
    CHECK_HAS(got, "\"id\":\"maude-538836\",\"kind\":\"report\","
                   "\"time\":\"2004-06-18T00:00:00Z\"");
}

/* ---- allocation failures ---- */

/* Fail allocation k = 1, 2, ... of a whole run (open, every next,
 * destroy) until a run sees no failure: every failure must come back as
 * NULL from open or as DS_ENOMEM records (or not at all: the allocator
 * jansson is given retries once), and the clean run must give the golden
 * output. Leaks show under DEBUG=1 (LeakSanitizer); the ds_alloc
 * live count is no oracle here, since a growing realloc counts as an
 * allocation. */
TEST(every_allocation_failure_is_clean)
{
    struct ds_diag d;
    char *want = s_slurp(FIX "expected.txt");
    eng_decoder_t *dec = eng_decoder_new(); /* jansson -> ds_malloc */
    CHECK(want && dec);
    uint64_t k;
    bool ok = true;
    for (k = 1; ok && k < 100000; k++) {
        ds_alloc_fail_at(k);
        eng_maude_t *m = eng_maude_open(FIX "foitext.txt", FIX "foidev.txt",
                                        FIX "mdrfoi.txt", &d);
        const char *got = m ? s_dump(m) : "";
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (!fired)
            ok = strcmp(got, want) == 0;
        else if (!m)
            ok = strcmp(d.msg, "out of memory") == 0;
        else /* jansson's allocator retries once (eng_event.c) */
            ok = strcmp(got, want) == 0 ||
                 (strstr(got, "ERR -1 ") && strstr(got, "out of memory"));
        eng_maude_destroy(&m);
        if (!ok)
            printf("# k=%" PRIu64 " fired=%d: %s\n%s", k, fired, d.msg, got);
        if (!fired)
            break;
    }
    eng_decoder_destroy(&dec);
    free(want);
    CHECK(ok);
    CHECK(k > 20 && k < 100000);
}

int main(void)
{
    RUN(fixture_matches_golden_output);
    RUN(fixture_envelopes_decode_as_reports);
    RUN(fixture_text_only);
    RUN(open_errors_name_the_file);
    RUN(columns_found_by_name_in_any_order);
    RUN(continuation_and_blank_lines_extend_the_text);
    RUN(line_continuing_nothing_is_an_error_record);
    RUN(text_becomes_valid_utf8);
    RUN(dates_in_fda_forms_and_fallback_order);
    RUN(devices_primary_sequence_one_and_padded_keys);
    RUN(key_met_again_is_a_second_part);
    RUN(crlf_without_final_newline_and_bom);
    RUN(reader_goes_on_after_errors);
    FILE *f = fopen(OFDA "openfda_test_foitext.txt", "rb");
    if (f) {
        fclose(f);
        RUN(openfda_samples);
    } else {
        printf("skip - openfda_samples: %s not found\n", OFDA);
    }
    RUN(every_allocation_failure_is_clean);
    return test_report();
}
