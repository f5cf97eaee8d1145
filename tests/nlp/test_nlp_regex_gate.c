/*
 * test_nlp_regex_gate.c - the digit gate of the identifier scan: the digit
 * reach the analysis gives a pattern (nlp_regex_gate.c), that reach held
 * against PCRE2's own matches, and the gated joined scan against the
 * ungated one (NLP_REGEX_UNGATED) as an oracle: the same hits on the
 * shipped rules, on prose, on random token soup built from what the
 * patterns look for, and on texts where windows touch, end at the text's
 * edges or hold several matches.
 *
 * Not here: the patterns themselves and the joined-vs-naive oracle
 * (test_nlp_regex.c), speed (tests/bench/bench_regex.c).
 */
#include "../../nlp/nlp_regex_impl.h" /* nlp_regex_digit_reach */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_regex.h"
#include "devsurv/nlp_rules.h"
#include "../test.h"

#include <stdlib.h>
#include <time.h>

static struct ds_diag diag;
static nlp_rules_t *s_rules;
static nlp_regex_t *s_re;
static nlp_regex_scratch_t *s_a, *s_b;
static uint64_t s_rng = 0x9e3779b97f4a7c15u;

static uint64_t s_next(void)
{
    uint64_t z = (s_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int32_t s_reach(const char *p)
{
    return nlp_regex_digit_reach(p, strlen(p));
}

/* Random soup of tokens that the shipped patterns care about. */
static size_t s_soup(char *buf, size_t cap)
{
    static const char *const tok[] = {
        "JAN",    "JANUARY", "FEB",    "MAR",     "MAY",        "JUNE",
        "SEPT",   "DEC",     "1",      "01",      "12",         "31",
        "2015",   "1999",    "20",     "19",      "ST",         "TH",
        " ",      "   ",     ",",      ".",       "-",          "/",
        "\n",     "A",       "X",      "MODEL",   "LOT",        "SN",
        "S/N",    "REF",     "CAT",    "PART",    "#",          ":",
        "NO",     "(01)",    "+H123",  "UDI",     "9",          "0",
        "may",    "lot",     "\xc3",   "_",       "M/N",        "P/N",
        "SERIAL", "BATCH",   "NUMBER", "CATALOG", "PRODUCT ID", "V006655",
        "T125"};
    size_t n = 0, k = 1 + s_next() % 80;
    for (size_t i = 0; i < k; i++) {
        const char *t = tok[s_next() % (sizeof tok / sizeof tok[0])];
        size_t l = strlen(t);
        if (n + l >= cap)
            break;
        memcpy(buf + n, t, l);
        n += l;
        if (s_next() % 2 && n + 1 < cap)
            buf[n++] = ' '; /* values need word boundaries */
    }
    buf[n] = 0;
    return n;
}

/* Gated and ungated scans of text give the same hits. */
static bool s_same(struct ds_span t)
{
    size_t na, nb;
    if (nlp_regex_scan(s_re, t, 0, s_a) != 0 ||
        nlp_regex_scan(s_re, t, NLP_REGEX_UNGATED, s_b) != 0)
        return false;
    const struct nlp_regex_hit *a = nlp_regex_hits(s_a, &na);
    const struct nlp_regex_hit *b = nlp_regex_hits(s_b, &nb);
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* Every match of code in t (searched from every offset) has a digit in
 * [start, start + w]. */
static bool s_holds(pcre2_code *code, pcre2_match_data *md, const char *t,
                    size_t n, int32_t w)
{
    for (size_t off = 0; off <= n; off++) {
        if (pcre2_match(code, (PCRE2_SPTR)t, n, off, 0, md, NULL) < 0)
            return true; /* none from here on */
        size_t s = pcre2_get_ovector_pointer(md)[0], d = s;
        while (d < n && d <= s + (size_t)w && (t[d] < '0' || t[d] > '9'))
            d++;
        if (d >= n || d > s + (size_t)w)
            return false;
        off = s; /* the next search starts one byte further */
    }
    return true;
}

/* ---- the analysis ---- */

TEST(reach_of_simple_pieces)
{
    CHECK_INT(s_reach("[0-9]"), 0);
    CHECK_INT(s_reach("\\d"), 0);
    CHECK_INT(s_reach("7"), 0);
    CHECK_INT(s_reach("(?:19|20)[0-9]{2}"), 0);
    CHECK_INT(s_reach("A[0-9]"), 1);
    CHECK_INT(s_reach("A?[12]"), 1);
    CHECK_INT(s_reach("(?:A|BB)5"), 2);
    CHECK_INT(s_reach("A{0,3}7"), 3);
    CHECK_INT(s_reach("\\.\\s{1,3}1"), 4);
    CHECK_INT(s_reach("[^0-9]1"), 1);
    CHECK_INT(s_reach("\\bX\\b1"), 1);
    CHECK_INT(s_reach("^(1)"), 0);
    CHECK_INT(s_reach("(?i)A1"), 1);
    CHECK_INT(s_reach("(?i:AB)1"), 2);
    CHECK_INT(s_reach("(?>AB|C)1"), 2);
    CHECK_INT(s_reach("1A*"), 0); /* unbounded after the digit: fine */
    CHECK_INT(s_reach("[\\d]"), 0);
    CHECK_INT(s_reach("[]0]1"), 1); /* ']' first is a member */
}

TEST(reach_of_lookarounds)
{
    /* a lookahead's digit is in the text, within reach of the start */
    CHECK_INT(s_reach("(?=[A-Z]{0,5}[0-9])[A-Z0-9]+"), 5);
    CHECK_INT(s_reach("AB(?=X?1)"), 3);
    CHECK_INT(s_reach("(?!1)2"), 0);
    CHECK_INT(s_reach("(?<=1)A"), -1); /* behind the start: no use */
    CHECK_INT(s_reach("(?<!A)B1"), 1);
    CHECK_INT(s_reach("(?!A)B"), -1);
}

TEST(no_reach_where_a_match_may_lack_a_digit)
{
    CHECK_INT(s_reach("A"), -1);
    CHECK_INT(s_reach("1|A"), -1);
    CHECK_INT(s_reach("(?:1|)"), -1);
    CHECK_INT(s_reach("[0-9]?"), -1);
    CHECK_INT(s_reach("[0-9]*"), -1);
    CHECK_INT(s_reach("[0-9]{0,2}"), -1);
    CHECK_INT(s_reach("A*7"), -1); /* unbounded before the digit */
    CHECK_INT(s_reach("A+7"), -1);
    CHECK_INT(s_reach("A{2,}7"), -1);
    CHECK_INT(s_reach("[-0]"), -1); /* '-' first is a literal */
    CHECK_INT(s_reach("[0-]"), -1);
    CHECK_INT(s_reach("[\\d-]"), -1);
    CHECK_INT(s_reach("[0-9A]"), -1);
    CHECK_INT(s_reach("[^A]"), -1);
    CHECK_INT(s_reach("\\D"), -1);
    CHECK_INT(s_reach("."), -1);
}

TEST(no_reach_outside_the_known_subset)
{
    static const char *const bad[] = {
        "(1)\\1",      "(?<n>1)",   "(?P<n>1)", "(?'n'1)", "(*MARK:a)1",
        "\\G1",        "\\K1",      "A\\Q1\\E", "\\p{Nd}", "(?x)1",
        "(?#c)1",      "(?(1)1|2)", "(?|1|2)",  "(?1)",    "\\x{31}",
        "[[:digit:]]", "A{,3}1",    "A{x}1",    "*1",      "1)",
        "(1",          "[1",        "\\",       "\\R1",    "\\X1",
        "\\C1",        "(?R)",      "\\g{1}",   "\\k<n>",  "\\01",
        "[1-\\d]",     "[1-[]",     "A{1,2",    "A{3,1}1", "A{123456}1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(s_reach(bad[i]), -1);
    CHECK_INT(nlp_regex_digit_reach("\0001", 2), 1); /* a NUL is a byte */
    CHECK_INT(nlp_regex_digit_reach("", 0), -1);
}

TEST(shipped_patterns_have_reach_and_keep_it)
{
    size_t n, with = 0;
    const struct nlp_pattern *p = nlp_rules_patterns(s_rules, &n);
    pcre2_match_data *md = pcre2_match_data_create(8, NULL);
    char buf[1024];
    CHECK(md != NULL);
    for (size_t i = 0; md && i < n; i++) {
        int32_t w = nlp_regex_digit_reach(p[i].pattern, p[i].len);
        if (w < 0)
            continue;
        with++;
        int err;
        PCRE2_SIZE at;
        pcre2_code *code =
            pcre2_compile((PCRE2_SPTR)p[i].pattern, p[i].len,
                          PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP,
                          &err, &at, NULL);
        CHECK(code != NULL);
        bool ok = true;
        for (int k = 0; code && ok && k < 3000; k++) {
            size_t len = s_soup(buf, sizeof buf);
            ok = s_holds(code, md, buf, len, w);
            if (!ok)
                fprintf(stderr, "  %s reach %d fails on '%s'\n", p[i].id,
                        (int)w, buf);
        }
        CHECK(ok);
        pcre2_code_free(code);
    }
    pcre2_match_data_free(md);
    CHECK(with >= n - 2); /* all but the HIBCC pattern, which needs none */
    /* the bound is tight where the digit is behind a bounded lookahead */
    CHECK_INT(s_reach("\\bMODEL\\b(?:\\s{0,3}(?:NUMBER\\b|NO\\b\\.?))?"
                      "\\s{0,3}[#:]{0,2}\\s{0,3}(?=[A-Z./-]{0,39}[0-9])"),
              61);
}

/* ---- the gated scan ---- */

TEST(gated_scan_equals_ungated_on_soup)
{
    char buf[2048];
    size_t hits = 0, diff = 0;
    for (int k = 0; k < 20000; k++) {
        size_t len = s_soup(buf, sizeof buf);
        if (!s_same((struct ds_span){buf, len})) {
            if (diff++ < 3)
                fprintf(stderr, "  differs on '%s'\n", buf);
        }
        size_t n;
        nlp_regex_hits(s_a, &n);
        hits += n;
    }
    CHECK_INT(diff, 0);
    CHECK(hits > 10000); /* the soup does find values */
}

TEST(gated_scan_edges)
{
    static const char *const t[] = {
        "",
        "1",
        "MAY 2015",
        "JAN 5, 2015 AND FEB 6, 2016 AND 03/04/2015",
        "LOT 12345678901234567890123456789012345678901 MODEL 7",
        "2015-01-02 2015-01-03 1/2/2015",
        "XJANUARY 1ST, 2015",
        "(01)00614141999996(17)250101(10)ABC12 SN: 99X",
        "MODEL ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM9",
        "MODEL                                                  9",
        "DEC 2019DEC 2019 DEC 2019",
        "2015",
        "A1B2C3D4E5F6G7H8I9 LOT 1 LOT 2 LOT 3",
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        CHECK(s_same(ds_span_str(t[i])));
    /* values whose first digit is as far from the match's start as the
     * pattern allows (model.001 61, serial.002 57, udi.003 15 bytes): a
     * window one byte short would miss them */
    static const char *const far[] = {
        "1 THE MODEL   NUMBER   #:   ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM9",
        "2 THE SER.   NO.   #:   ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM1 X",
        "3 THE UDI  DI   #:   0100614141999996 WAS READ",
    };
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) {
        size_t n;
        CHECK(s_same(ds_span_str(far[i])));
        nlp_regex_hits(s_b, &n);
        CHECK_INT(n, 1);
    }
    /* the same with the text's bytes beyond its end being digits */
    char buf[64] = "MAY 20159999";
    CHECK(s_same((struct ds_span){buf, 8}));
    CHECK(s_same((struct ds_span){NULL, 0}));
}

TEST(gated_scan_equals_ungated_on_long_prose)
{
    /* many notes' worth of soup joined with prose between: windows of
     * one text, far apart and close together */
    size_t cap = 1 << 20, n = 0;
    char *big = malloc(cap), buf[2048];
    CHECK(big != NULL);
    while (big && n + sizeof buf + 64 < cap) {
        size_t len = s_soup(buf, sizeof buf);
        memcpy(big + n, buf, len);
        n += len;
        const char *prose = " THE DEVICE WAS RETURNED FOR EVALUATION. ";
        size_t reps = s_next() % 4;
        for (size_t r = 0; r < reps; r++) {
            memcpy(big + n, prose, strlen(prose));
            n += strlen(prose);
        }
    }
    CHECK(big && s_same((struct ds_span){big, n}));
    size_t hits;
    nlp_regex_hits(s_a, &hits);
    CHECK(hits > 1000);
    free(big);
}

/* Seconds for the best of three gated scans of n bytes of rep. */
static double s_time(const char *rep, size_t n)
{
    char *t = malloc(n);
    size_t l = strlen(rep);
    double best = 1e9;
    for (size_t i = 0; t && i < n; i++)
        t[i] = rep[i % l];
    for (int k = 0; t && k < 3; k++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        nlp_regex_scan(s_re, (struct ds_span){t, n}, 0, s_a);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double d =
            (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
        best = d < best ? d : best;
    }
    free(t);
    return best;
}

TEST(gated_scan_is_linear_where_windows_touch)
{
    /* every window touches the next: one window over the whole text,
     * with a match every few bytes; a scan that walked the runs again
     * per match would be quadratic (1,000 times off at 4 MB, not 4) */
    static const char *const rep[] = {"1 ", "MAY 2015 ", "LOT 12 A 3 "};
    for (size_t i = 0; i < sizeof rep / sizeof rep[0]; i++) {
        double small = s_time(rep[i], 1 << 18), big = s_time(rep[i], 1 << 22);
        CHECK(big < 64 * small + 0.05);
    }
}

TEST(gated_scan_allocates_nothing_after_warm_up)
{
    char buf[2048];
    size_t len = s_soup(buf, sizeof buf);
    struct ds_alloc_stats a, b;
    int rc = nlp_regex_scan(s_re, (struct ds_span){buf, len}, 0, s_a);
    ds_alloc_stats(&a);
    for (int k = 0; k < 100; k++)
        rc |= nlp_regex_scan(s_re, (struct ds_span){buf, len}, 0, s_a);
    ds_alloc_stats(&b);
    CHECK_INT(rc, 0);
    CHECK_INT(b.allocs - a.allocs, 0);
}

int main(void)
{
    if (nlp_rules_load(&s_rules, "rules", &diag) != 0 ||
        nlp_regex_new(&s_re, s_rules, 0, &diag) != 0) {
        fprintf(stderr, "cannot load rules/: %s\n", diag.msg);
        return 1;
    }
    s_a = nlp_regex_scratch_new();
    s_b = nlp_regex_scratch_new();
    RUN(reach_of_simple_pieces);
    RUN(reach_of_lookarounds);
    RUN(no_reach_where_a_match_may_lack_a_digit);
    RUN(no_reach_outside_the_known_subset);
    RUN(shipped_patterns_have_reach_and_keep_it);
    RUN(gated_scan_equals_ungated_on_soup);
    RUN(gated_scan_edges);
    RUN(gated_scan_equals_ungated_on_long_prose);
    RUN(gated_scan_is_linear_where_windows_touch);
    RUN(gated_scan_allocates_nothing_after_warm_up);
    nlp_regex_scratch_destroy(&s_a);
    nlp_regex_scratch_destroy(&s_b);
    nlp_regex_destroy(&s_re);
    nlp_rules_destroy(&s_rules);
    return test_report();
}
