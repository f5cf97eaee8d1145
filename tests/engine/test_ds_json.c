/*
 * test_ds_json.c - the strict JSON parser (ds_json.h): every acceptance
 * rule with accept and reject cases, error positions and reasons, escapes
 * and UTF-8 edges, duplicate keys small and big, the depth limit, number
 * ranges at the int64 and double boundaries, the node tree and lookups,
 * zero-copy strings, reuse without allocation, allocation-failure torture,
 * and a differential run of thousands of generated and mutated documents
 * against jansson (same decision, same tree: fuzz_json_cmp.h).
 * Not here: the envelope rules (test_eng_event.c), random bytes
 * (tests/fuzz/fuzz_json.c).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_json.h"
#include "../fuzz/fuzz_json_cmp.h"
#include "../test.h"

#include <stdint.h>
#include <stdlib.h>

static struct ds_json s_j; /* one parser for the whole file, as users do */

static int s_parse(const char *s)
{
    return ds_json_parse(&s_j, s, strlen(s));
}

/* Same decision and tree as jansson for NUL-terminated s? "" or why not. */
static const char *s_vs_jansson(const char *s, size_t n)
{
    static char why[300];
    why[0] = '\0';
    dsj_diff(&s_j, s, n, why, sizeof why);
    return why;
}

struct s_case {
    const char *json;
    const char *reason; /* NULL: must parse */
};

/* Every case must give its decision (and reason), and agree with jansson.
 * "" or the first miss. */
static const char *s_cases(const struct s_case *c, size_t n)
{
    static char why[400];
    why[0] = '\0';
    for (size_t i = 0; i < n && !why[0]; i++) {
        int rc = s_parse(c[i].json);
        const char *vs = s_vs_jansson(c[i].json, strlen(c[i].json));
        if (c[i].reason
                ? rc != DS_EPARSE || !strstr(s_j.err_reason, c[i].reason)
                : rc != 0)
            snprintf(why, sizeof why, "case %zu '%s': rc %d '%s'", i, c[i].json,
                     rc, s_j.err_reason);
        else if (vs[0])
            snprintf(why, sizeof why, "case %zu '%s': %s", i, c[i].json, vs);
    }
    return why;
}

#define CHECK_CASES(c) CHECK_STR(s_cases(c, sizeof c / sizeof c[0]), "")

TEST(accepts_every_kind_of_value_at_top_level)
{
    static const struct s_case c[] = {
        {"{}", NULL},
        {"[]", NULL},
        {"\"\"", NULL},
        {"0", NULL},
        {"-1.5e-3", NULL},
        {"true", NULL},
        {"false", NULL},
        {"null", NULL},
        {" \t\r\n[ 1 , 2 ]\n", NULL},
        {"{\"a\" : [ ] , \"b\":{ }}", NULL},
    };
    CHECK_CASES(c);
}

TEST(rejects_what_rfc_8259_does_not_allow)
{
    static const struct s_case c[] = {
        {"", "premature end of input"},
        {"   ", "premature end of input"},
        {"[1,]", "invalid token"},
        {"{\"a\":1,}", "string or '}' expected"},
        {"[1 2]", "',' or ']' expected"},
        {"{\"a\" 1}", "':' expected"},
        {"{\"a\":1 \"b\":2}", "',' or '}' expected"},
        {"{'a':1}", "string or '}' expected"},
        {"['a']", "invalid token"},
        {"[1] // c", "end of file expected"},
        {"/* c */ 1", "invalid token"},
        {"[NaN]", "invalid token"},
        {"[Infinity]", "invalid token"},
        {"[tru]", "invalid token"},
        {"[True]", "invalid token"},
        {"[nulls]", "',' or ']' expected"},
        {"\f1", "invalid token"},
        {"1\v", "end of file expected"},
        {"\xef\xbb\xbf{}", "invalid token"}, /* BOM */
        {"{} {}", "end of file expected"},
        {"[", "premature end of input"},
        {"{\"a\"", "':' expected"},
        {"{\"a\":", "premature end of input"},
        {"[1", "',' or ']' expected"},
        {"{1:2}", "string or '}' expected"},
        {"]", "invalid token"},
    };
    CHECK_CASES(c);
}

TEST(numbers)
{
    static const struct s_case c[] = {
        {"0", NULL},
        {"-0", NULL},
        {"-0.0", NULL},
        {"1E+5", NULL},
        {"1e-5", NULL},
        {"12.50e0", NULL},
        {"9223372036854775807", NULL},
        {"-9223372036854775808", NULL},
        {"9223372036854775808", "too big integer"},
        {"-9223372036854775809", "too big negative integer"},
        {"18446744073709551616", "too big integer"},
        {"1000000000000000000000", "too big integer"},
        {"9223372036854775808.0", NULL}, /* a real: no int64 limit */
        {"9223372036854775808e0", NULL},
        {"1e308", NULL},
        {"1.7976931348623157e308", NULL},
        {"-1.7976931348623157e308", NULL},
        {"1e309", "real number overflow"},
        {"-1e309", "real number overflow"},
        {"1000e306", "real number overflow"},
        {"0.1e309", NULL},
        {"1e99999999999999999999", "real number overflow"},
        {"0e99999999999999999999", NULL}, /* zero never overflows */
        {"1e-400", NULL},                 /* underflow: jansson accepts */
        {"-1e-99999999999999999999", NULL},
        {"4.9e-324", NULL},
        {"01", "leading zero"},
        {"-01", "leading zero"},
        {"00", "leading zero"},
        {"1.", "invalid token"},
        {".5", "invalid token"},
        {"-", "invalid token"},
        {"-a", "invalid token"},
        {"+1", "invalid token"},
        {"1e", "invalid token"},
        {"1e+", "invalid token"},
        {"1.e3", "invalid token"},
        {"0x10", "end of file expected"},
        {"1.5.3", "end of file expected"},
    };
    CHECK_CASES(c);
    /* Around 2^1024 - 2^970, where strtod rounds to infinity. */
    static const char *const edge[] = {
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "179769313486231580793728971405303415079934132710037826936173778980444"
        "968292764750946649017977587207096330286416692887910946555547851940402"
        "630657488671505820681908902000708383676273854845817711531764475730270"
        "069855571366959622842914819860834936475292719074168444365510704342711"
        "559699508093042880177904174497791.0",
        "179769313486231580793728971405303415079934132710037826936173778980444"
        "968292764750946649017977587207096330286416692887910946555547851940402"
        "630657488671505820681908902000708383676273854845817711531764475730270"
        "069855571366959622842914819860834936475292719074168444365510704342711"
        "559699508093042880177904174497792.0",
    };
    CHECK_INT(s_parse(edge[2]), 0);
    CHECK_INT(s_parse(edge[3]), DS_EPARSE);
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        CHECK_STR(s_vs_jansson(edge[i], strlen(edge[i])), "");
}

TEST(strings_and_escapes_decode)
{
    const char *in = "[\"plain\",\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\","
                     "\"\\u00e9\\u20AC\\ud83d\\ude00\",\"x\\u0041y\"]";
    CHECK_INT(s_parse(in), 0);
    const struct ds_json_node *r = ds_json_root(&s_j), *c = r + 1;
    CHECK_INT(r->count, 4);
    CHECK(ds_span_eq(ds_json_str(c), "plain"));
    CHECK(c->s.p == in + 2); /* zero copy */
    CHECK(c->raw == in + 1 && c->raw_n == 7);
    c += c->size;
    CHECK(ds_span_eq(ds_json_str(c), "a\"b\\c/d\b\f\n\r\t"));
    CHECK(c->s.p >= s_j.scratch && c->s.p < s_j.scratch + s_j.scratch_cap);
    c += c->size;
    CHECK(ds_span_eq(ds_json_str(c), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
    c += c->size;
    CHECK(ds_span_eq(ds_json_str(c), "xAy"));
    CHECK(ds_span_eq(c->s, "xAy"));
    static const struct s_case bad[] = {
        {"\"\\u0000\"", "\\u0000 is not allowed"},
        {"{\"a\\u0000\":1}", "NUL byte in object key"},
        {"\"\\ud800\"", "invalid Unicode '\\uD800'"},
        {"\"\\ud800x\"", "invalid Unicode"},
        {"\"\\ud800\\u0041\"", "invalid Unicode"},
        {"\"\\ud800\\ud800\"", "invalid Unicode"},
        {"\"\\udc00\"", "invalid Unicode '\\uDC00'"},
        {"\"\\udfff\\ud800\"", "invalid Unicode"},
        {"\"\\u12\"", "invalid escape"},
        {"\"\\u12g4\"", "invalid escape"},
        {"\"\\x41\"", "invalid escape"},
        {"\"\\'\"", "invalid escape"},
        {"\"\\U0041\"", "invalid escape"},
        {"\"\\", "premature end of input"},
        {"\"abc", "premature end of input"},
        {"\"a\nb\"", "unexpected newline"},
        {"\"a\tb\"", "control character 0x9"},
        {"\"a\x1f\"", "control character 0x1f"},
        {"\"\\u0001\\u001f\\ud7ff\\ue000\\uffff\\udbff\\udfff\"", NULL},
        {"\"\x7f\"", NULL}, /* DEL is not a JSON control character */
    };
    CHECK_CASES(bad);
    /* jansson accepts a NUL right after a number or literal (ds_json.h) */
    static const char after_num[] = "[1\0]", after_lit[] = "true\0";
    CHECK_INT(ds_json_parse(&s_j, after_num, sizeof after_num - 1), DS_EPARSE);
    CHECK_INT(s_j.err_pos, 2);
    CHECK_INT(ds_json_parse(&s_j, after_lit, sizeof after_lit - 1), DS_EPARSE);
    CHECK_STR(s_vs_jansson(after_num, sizeof after_num - 1), "");
    static const char raw_nul[] = "\"a\0b\"";
    CHECK_INT(ds_json_parse(&s_j, raw_nul, sizeof raw_nul - 1), DS_EPARSE);
    CHECK_STR(s_j.err_reason, "control character 0x0");
    CHECK_STR(s_vs_jansson(raw_nul, sizeof raw_nul - 1), "");
}

TEST(utf8_edges)
{
    static const struct s_case c[] = {
        {"\"\xc2\x80\"", NULL},                         /* U+0080 */
        {"\"\xdf\xbf\"", NULL},                         /* U+07FF */
        {"\"\xe0\xa0\x80\"", NULL},                     /* U+0800 */
        {"\"\xed\x9f\xbf\"", NULL},                     /* U+D7FF */
        {"\"\xee\x80\x80\"", NULL},                     /* U+E000 */
        {"\"\xef\xbf\xbf\"", NULL},                     /* U+FFFF */
        {"\"\xf0\x90\x80\x80\"", NULL},                 /* U+10000 */
        {"\"\xf4\x8f\xbf\xbf\"", NULL},                 /* U+10FFFF */
        {"\"\xc0\x80\"", "unable to decode byte 0xc0"}, /* overlong NUL */
        {"\"\xc1\xbf\"", "unable to decode byte 0xc1"},
        {"\"\xe0\x9f\xbf\"", "unable to decode byte 0xe0"},
        {"\"\xf0\x8f\xbf\xbf\"", "unable to decode byte 0xf0"},
        {"\"\xed\xa0\x80\"", "unable to decode byte 0xed"}, /* D800 */
        {"\"\xed\xbf\xbf\"", "unable to decode byte 0xed"}, /* DFFF */
        {"\"\xf4\x90\x80\x80\"", "unable to decode byte 0xf4"},
        {"\"\xf5\x80\x80\x80\"", "unable to decode byte 0xf5"},
        {"\"\xff\"", "unable to decode byte 0xff"},
        {"\"\x80\"", "unable to decode byte 0x80"},
        {"\"\xe2\x82\"", "unable to decode byte 0xe2"},     /* truncated */
        {"\"\xf0\x9f\x98\"", "unable to decode byte 0xf0"}, /* truncated */
        {"\"\xc3\x28\"", "unable to decode byte 0xc3"},
        {"\"\xe2\x82", "unable to decode byte 0xe2"},      /* at the very end */
        {"\"\\n\xe2\x82\"", "unable to decode byte 0xe2"}, /* slow path */
        {"\"\\n\xe2\x82\xac\"", NULL},
        {"[\xc3\xa9]", "invalid token"}, /* valid UTF-8 outside a string */
    };
    CHECK_CASES(c);
}

TEST(duplicate_keys_compare_decoded_text)
{
    static const struct s_case c[] = {
        {"{\"a\":1,\"a\":2}", "duplicate object key"},
        {"{\"a\":1,\"\\u0061\":2}", "duplicate object key"},
        {"{\"a\":{\"b\":1,\"b\":1}}", "duplicate object key"},
        {"{\"a\":1,\"b\":{\"a\":2},\"ab\":3,\"A\":4,\"\":5}", NULL},
        {"{\"\":1,\"\":2}", "duplicate object key"},
        {"[{\"a\":1},{\"a\":1}]", NULL},
    };
    CHECK_CASES(c);
    /* Objects past the one-by-one check: 100 keys, then a duplicate of the
     * first, of the last, none. */
    char buf[4096];
    for (int dup = 0; dup < 3; dup++) {
        size_t n = 0;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "{");
        for (int i = 0; i < 100; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k%d\":[%d],", i,
                                  i);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k%s\":0}",
                              dup == 0   ? "0"
                              : dup == 1 ? "99"
                                         : "100");
        int rc = ds_json_parse(&s_j, buf, n);
        CHECK_INT(rc, dup == 2 ? 0 : DS_EPARSE);
        if (rc) {
            CHECK_STR(s_j.err_reason, "duplicate object key");
            CHECK(strncmp(buf + s_j.err_pos, "\"k", 2) == 0);
            CHECK(s_j.err_pos > n - 12);
        } else {
            CHECK_INT(ds_json_root(&s_j)->count, 101);
            CHECK(ds_json_getz(ds_json_root(&s_j), "k100") != NULL);
        }
        CHECK_STR(s_vs_jansson(buf, n), "");
    }
}

/* depth containers (arrays or objects), innermost holding a 1 or not. */
static size_t s_nest(char *buf, int depth, int objects, int scalar)
{
    size_t n = 0;
    for (int i = 0; i < depth; i++)
        n += (size_t)sprintf(buf + n, "%s", objects ? "{\"a\":" : "[");
    if (scalar || objects)
        buf[n++] = '1';
    for (int i = 0; i < depth; i++)
        buf[n++] = objects ? '}' : ']';
    return n;
}

TEST(depth_limit_is_janssons)
{
    static char buf[6 * 2100];
    /* Values up to level 2048 (the top value is level 1). */
    CHECK_INT(ds_json_parse(&s_j, buf, s_nest(buf, 2048, 0, 0)), 0);
    CHECK_INT(s_j.nnodes, 2048);
    CHECK_INT(ds_json_parse(&s_j, buf, s_nest(buf, 2047, 0, 1)), 0);
    CHECK_INT(ds_json_parse(&s_j, buf, s_nest(buf, 2047, 1, 1)), 0);
    CHECK_INT(ds_json_parse(&s_j, buf, s_nest(buf, 2048, 0, 1)), DS_EPARSE);
    CHECK_STR(s_j.err_reason, "maximum parsing depth reached");
    CHECK_INT(s_j.err_pos, 2048);
    CHECK_INT(ds_json_parse(&s_j, buf, s_nest(buf, 2048, 1, 1)), DS_EPARSE);
    CHECK_INT(ds_json_parse(&s_j, buf, s_nest(buf, 2049, 0, 0)), DS_EPARSE);
    for (int d = 2046; d <= 2050; d++)
        for (int k = 0; k < 3; k++) {
            size_t n = s_nest(buf, d, k == 2, k == 1);
            CHECK_STR(s_vs_jansson(buf, n), "");
        }
}

TEST(errors_say_line_and_column)
{
    CHECK_INT(s_parse(""), DS_EPARSE);
    CHECK_INT(s_j.err_line, 1);
    CHECK_INT(s_j.err_column, 1);
    CHECK_INT(s_parse("{\"id\":\"a\",}"), DS_EPARSE);
    CHECK_INT(s_j.err_line, 1);
    CHECK_INT(s_j.err_column, 11);
    CHECK_INT(s_j.err_pos, 10);
    CHECK_INT(s_parse("{\"id\":\n\"a\n\"}"), DS_EPARSE);
    CHECK_INT(s_j.err_line, 2);
    CHECK_INT(s_j.err_column, 3);
    CHECK_STR(s_j.err_reason, "unexpected newline");
    /* columns count characters, not bytes */
    CHECK_INT(s_parse("[\"\xc3\xa9\xe2\x82\xac\",\n  \"\xc3\xa9\", x]"),
              DS_EPARSE);
    CHECK_INT(s_j.err_line, 2);
    CHECK_INT(s_j.err_column, 8);
    CHECK_INT(s_parse("[1,\n2"), DS_EPARSE); /* end of input */
    CHECK_INT(s_j.err_line, 2);
    CHECK_INT(s_j.err_column, 2);
    CHECK(ds_json_root(&s_j) == NULL);
    int line, col;
    ds_json_locate("ab\ncd", 4, &line, &col);
    CHECK_INT(line, 2);
    CHECK_INT(col, 2);
}

TEST(tree_links_and_lookups)
{
    const char *in = " {\"a\":[1,{\"x\":null},\"s\"],\"b\":{\"c\":true},"
                     "\"d\":-2.5e1,\"e\":false,\"f\\u0021\":\"v\"} ";
    CHECK_INT(s_parse(in), 0);
    const struct ds_json_node *r = ds_json_root(&s_j);
    CHECK_INT(r->type, DS_JSON_OBJECT);
    CHECK_INT(r->count, 5);
    CHECK_INT(r->size, s_j.nnodes);
    CHECK(r->raw == in + 1 && r->raw_n == strlen(in) - 2);
    const struct ds_json_node *a = ds_json_getz(r, "a");
    CHECK(a && a->type == DS_JSON_ARRAY && a->count == 3 && a->size == 6);
    CHECK(a->parent == 0);
    CHECK(ds_span_eq(a->s, "[1,{\"x\":null},\"s\"]"));
    const struct ds_json_node *one = a + 1, *o = one + one->size;
    CHECK(ds_span_eq(one->s, "1") && one->parent == (uint32_t)(a - r));
    CHECK_STR(ds_json_type_name(o), "object");
    CHECK_STR(ds_json_type_name(ds_json_getz(o, "x")), "null");
    CHECK(ds_json_getz(o, "y") == NULL);
    CHECK(ds_json_getz(a, "x") == NULL); /* not an object */
    CHECK(ds_json_getz(NULL, "x") == NULL);
    CHECK_STR(ds_json_type_name(ds_json_getz(ds_json_getz(r, "b"), "c")),
              "boolean");
    const struct ds_json_node *d = ds_json_getz(r, "d");
    CHECK_STR(ds_json_type_name(d), "number");
    CHECK(ds_span_eq(d->s, "-2.5e1"));
    CHECK(ds_json_str(d).p == NULL && ds_json_str(d).n == 0);
    CHECK_STR(ds_json_type_name(ds_json_getz(r, "e")), "boolean");
    CHECK(ds_span_eq(ds_json_str(ds_json_getz(r, "f!")), "v"));
    const struct ds_json_node *f = ds_json_getz(r, "f!");
    CHECK(ds_span_eq((struct ds_span){f->raw, f->raw_n}, "\"v\""));
    CHECK_STR(ds_json_type_name(NULL), "?");
    CHECK_INT(s_parse("\"top\""), 0);
    CHECK(ds_span_eq(ds_json_str(ds_json_root(&s_j)), "top"));
}

TEST(reuse_allocates_nothing)
{
    char doc[2048];
    int n = snprintf(doc, sizeof doc,
                     "{\"id\":\"x\\u00e9\",\"a\":[1,2,3,4,5,6,7,8,9],\"t\":"
                     "\"%0900d\\n\",\"big\":1e400000,\"o\":{%s}}",
                     7,
                     "\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,"
                     "\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10,\"k11\":11,\"k12\""
                     ":12,\"k13\":13,\"k14\":14,\"k15\":15,\"k16\":16,\"k17\""
                     ":17");
    struct ds_json j = {0};
    struct ds_alloc_stats a, b;
    CHECK_INT(ds_json_parse(&j, doc, (size_t)n), DS_EPARSE); /* 1e400000 */
    memcpy(strstr(doc, "1e400000"), "1e-40000", 8);
    CHECK_INT(ds_json_parse(&j, doc, (size_t)n), 0);
    ds_alloc_stats(&a);
    for (int i = 0; i < 1000; i++)
        if (ds_json_parse(&j, doc, (size_t)n) != 0)
            break;
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs - a.allocs, 0);
    CHECK(ds_span_eq(ds_json_str(ds_json_getz(ds_json_root(&j), "id")),
                     "x\xc3\xa9"));
    ds_json_clear(&j);
    ds_json_clear(&j); /* safe twice */
    CHECK(j.nodes == NULL && j.cap == 0);
}

static int64_t s_live(void)
{
    struct ds_alloc_stats st;
    ds_alloc_stats(&st);
    return (int64_t)(st.allocs - st.frees - st.reallocs);
}

TEST(allocation_failure_torture)
{
    char doc[1024];
    int n = snprintf(doc, sizeof doc, "[\"a\\n\",%s{%s},1e999999999]",
                     "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]],",
                     "\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,"
                     "\"h\":1,\"i\":1,\"j\":1,\"k\":1,\"l\":1,\"m\":1,\"n\":1,"
                     "\"o\":1,\"p\":1,\"q\":1,\"r\":1");
    uint64_t k;
    int fired = 1, bad = 0;
    for (k = 1; fired && k < 1000 && !bad; k++) {
        int64_t live = s_live();
        struct ds_json j = {0};
        ds_alloc_fail_at(k);
        int rc = ds_json_parse(&j, doc, (size_t)n);
        fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (rc != (fired ? DS_ENOMEM : DS_EPARSE) ||
            (fired && strcmp(j.err_reason, "out of memory") != 0) ||
            (!fired && strcmp(j.err_reason, "real number overflow") != 0) ||
            ds_json_root(&j) != NULL)
            bad = 1;
        ds_json_clear(&j);
        if (s_live() != live)
            bad = 2;
    }
    CHECK_INT(bad, 0);
    CHECK(k > 4); /* nodes, scratch, hash, number copy all failed once */
}

/* ---- differential against jansson ---- */

static uint64_t s_rng = 0x9E3779B97F4A7C15ULL;

static uint32_t s_rand(uint32_t n)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (uint32_t)(s_rng >> 11) % n;
}

struct s_buf {
    char p[16384];
    size_t n;
};

static void s_put(struct s_buf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k < sizeof b->p) {
        memcpy(b->p + b->n, s, k);
        b->n += k;
    }
}

static void s_ws_rand(struct s_buf *b)
{
    static const char *const ws[] = {"", "", "", " ", "\n", "\t", "\r\n "};
    s_put(b, ws[s_rand(7)]);
}

static void s_gen_string(struct s_buf *b, int key)
{
    static const char *const piece[] = {
        "a", "k", "b", "Z", " ", "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u0061",
        "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\xc3\xa9", "\xe2\x82\xac",
        "\xf0\x9f\x98\x80", "\x7f", "\\u001f", "\\uDBFF\\uDFFF",
        /* rarely bad: */
        "\\ud800", "\\udc00", "\\u0000", "\xed\xa0\x80", "\xc0\xaf", "\x01",
        "\\q", "\xe2\x82", "\xf4\x90\x80\x80"};
    s_put(b, "\"");
    int len = (int)s_rand(key ? 3 : 8);
    for (int i = 0; i < len; i++)
        s_put(b, piece[s_rand(s_rand(50) == 0 ? 29 : 20)]);
    s_put(b, "\"");
}

static void s_gen_number(struct s_buf *b)
{
    static const char *const num[] = {"0",
                                      "-0",
                                      "1",
                                      "-1",
                                      "42",
                                      "3.25",
                                      "-0.5e10",
                                      "1E3",
                                      "2e-3",
                                      "9223372036854775807",
                                      "-9223372036854775808",
                                      "9223372036854775808",
                                      "-9223372036854775809",
                                      "1e308",
                                      "1e309",
                                      "-1e309",
                                      "1e-400",
                                      "1.7976931348623157e308",
                                      "1.7976931348623159e308",
                                      "0e9999",
                                      "123456789012345678901234567890",
                                      "1.5e+0",
                                      "01",
                                      "1.",
                                      "-",
                                      ".1"};
    s_put(b, num[s_rand(s_rand(20) == 0 ? 26 : 22)]);
}

static void s_gen_value(struct s_buf *b, int depth)
{
    int kind = (int)s_rand(depth > 4 ? 5 : 7);
    s_ws_rand(b);
    switch (kind) {
    case 0: s_gen_string(b, 0); break;
    case 1: s_gen_number(b); break;
    case 2: s_put(b, "true"); break;
    case 3: s_put(b, s_rand(2) ? "false" : "null"); break;
    case 4: s_gen_number(b); break;
    case 5:
    case 6: {
        int obj = kind == 5, n = (int)s_rand(5);
        s_put(b, obj ? "{" : "[");
        for (int i = 0; i < n; i++) {
            if (i)
                s_put(b, ",");
            if (obj) {
                s_ws_rand(b);
                s_gen_string(b, 1);
                s_ws_rand(b);
                s_put(b, ":");
            }
            s_gen_value(b, depth + 1);
        }
        s_ws_rand(b);
        s_put(b, obj ? "}" : "]");
    } break;
    }
    s_ws_rand(b);
}

/* 1-3 random edits of b: replace, insert or delete a byte, or cut. */
static void s_mutate(struct s_buf *b)
{
    static const char pick[] = "{}[],:\"\\ 0123456789eE.-+tfnu\x00\x80\xff\xc3"
                               "\xed\n\tax";
    for (int m = (int)s_rand(3) + 1; m > 0 && b->n > 0; m--) {
        size_t at = s_rand((uint32_t)b->n);
        char c = pick[s_rand(sizeof pick - 1)];
        switch (s_rand(4)) {
        case 0: b->p[at] = c; break;
        case 1:
            if (b->n + 1 < sizeof b->p) {
                memmove(b->p + at + 1, b->p + at, b->n - at);
                b->p[at] = c;
                b->n++;
            }
            break;
        case 2:
            memmove(b->p + at, b->p + at + 1, b->n - at - 1);
            b->n--;
            break;
        default: b->n = at; break;
        }
    }
}

TEST(differential_against_jansson)
{
    static struct s_buf b;
    int accepted = 0, rejected = 0;
    for (int i = 0; i < 30000; i++) {
        b.n = 0;
        s_gen_value(&b, 0);
        if (i % 2)
            s_mutate(&b);
        const char *why = s_vs_jansson(b.p, b.n);
        if (why[0])
            TEST_FAIL_("doc %d '%.*s': %s", i, (int)b.n, b.p, why);
        if (ds_json_root(&s_j))
            accepted++;
        else
            rejected++;
    }
    /* both decisions well represented */
    CHECK(accepted > 5000);
    CHECK(rejected > 5000);
}

int main(void)
{
    RUN(accepts_every_kind_of_value_at_top_level);
    RUN(rejects_what_rfc_8259_does_not_allow);
    RUN(numbers);
    RUN(strings_and_escapes_decode);
    RUN(utf8_edges);
    RUN(duplicate_keys_compare_decoded_text);
    RUN(depth_limit_is_janssons);
    RUN(errors_say_line_and_column);
    RUN(tree_links_and_lookups);
    RUN(reuse_allocates_nothing);
    RUN(allocation_failure_torture);
    RUN(differential_against_jansson);
    ds_json_clear(&s_j);
    return test_report();
}
