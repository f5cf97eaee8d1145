/*
 * test_nlp_regex.c - the identifier patterns (rules/identifiers/), from
 * the rule file through nlp_regex to extractor mentions.
 *
 * Written as usage examples on the real rule tree (run from the
 * repository root): every pattern kind on values people write and on
 * near misses that must not count; the validators (GS1 mod-10, HIBC
 * mod-43, calendar dates); the joined scan against the one-pattern-at-a-
 * time scan as an oracle; JIT reported, and the interpreter fallback under
 * W^X (PR_SET_MDWE in a child process, when the kernel has it) giving the
 * same hits; no allocation after warm-up over 1,000 runs; 10 MB texts,
 * adversarial repetitions and NUL bytes in linear time (timings use the
 * best of three and a loose bound: a quadratic scan would be 100 times
 * off, noise is not).
 *
 * Not here: the rule-file side (loader checks, a pattern PCRE2 cannot
 * compile, extractor mentions: test_nlp_regex_rules.c), the check-rules
 * CLI (tests/integration/check_rules.sh), random bytes
 * (tests/fuzz/fuzz_regex.c), speed (tests/bench/bench_regex.c).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_extract.h"
#include "devsurv/nlp_regex.h"
#include "devsurv/nlp_rules.h"
#include "../test.h"

#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

static struct ds_diag diag;
static char s_wx_sig[4096]; /* hits found by the W^X child */
static nlp_rules_t *s_rules;
static nlp_regex_t *s_re;
static nlp_regex_scratch_t *s_s;

/* ---- helpers ---- */

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct nlp_pattern *s_pat(uint32_t i)
{
    size_t n;
    return &nlp_rules_patterns(s_rules, &n)[i];
}

/* Scan text; return the kind of the hit whose value is exactly want, or
 * -1. */
static int s_kind_of(const char *text, const char *want)
{
    size_t n;
    if (nlp_regex_scan(s_re, ds_span_str(text), 0, s_s) != 0)
        return -2;
    const struct nlp_regex_hit *h = nlp_regex_hits(s_s, &n);
    for (size_t i = 0; i < n; i++)
        if (h[i].end - h[i].begin == strlen(want) &&
            memcmp(text + h[i].begin, want, strlen(want)) == 0)
            return (int)s_pat(h[i].pattern)->kind;
    return -1;
}

/* Number of hits of kind in text. */
static int s_count(const char *text, enum nlp_pattern_kind kind)
{
    size_t n;
    int c = 0;
    if (nlp_regex_scan(s_re, ds_span_str(text), 0, s_s) != 0)
        return -1;
    const struct nlp_regex_hit *h = nlp_regex_hits(s_s, &n);
    for (size_t i = 0; i < n; i++)
        c += s_pat(h[i].pattern)->kind == kind;
    return c;
}

/* ---- the real tree ---- */

TEST(load_and_compile)
{
    char buf[1024];
    if (nlp_rules_load(&s_rules, "rules", &diag) != 0 ||
        nlp_regex_new(&s_re, s_rules, 0, &diag) != 0)
        TEST_FAIL_("%s", ds_diag_format(&diag, buf, sizeof buf));
    s_s = nlp_regex_scratch_new();
    CHECK(s_s);
    size_t n;
    nlp_rules_patterns(s_rules, &n);
    CHECK(n >= 12);
    CHECK_INT(nlp_regex_count(s_re), n);
    CHECK(nlp_regex_passes(s_re) >= 1 && nlp_regex_passes(s_re) < n);
    printf("# %zu patterns in %zu regex passes; PCRE2 JIT %s (rc %d)\n", n,
           nlp_regex_passes(s_re), nlp_regex_jit(s_re) ? "on" : "off",
           nlp_regex_jit_rc(s_re));
    /* the flag and the code agree: JIT is on exactly when nothing failed */
    CHECK_INT(nlp_regex_jit(s_re), nlp_regex_jit_rc(s_re) == 0);
}

TEST(no_jit_flag)
{
    nlp_regex_t *re = NULL;
    CHECK(s_rules);
    CHECK_INT(nlp_regex_new(&re, s_rules, NLP_REGEX_NO_JIT, &diag), 0);
    CHECK(!nlp_regex_jit(re));
    CHECK_INT(nlp_regex_jit_rc(re), 0); /* not asked for, so not failed */
    nlp_regex_destroy(&re);
    CHECK(re == NULL);
    nlp_regex_destroy(&re); /* safe twice */
}

/* {text, value that must be found, kind} */
struct s_case {
    const char *text, *value;
    enum nlp_pattern_kind kind;
};

static const struct s_case s_positive[] = {
    {"IMPLANTED MODEL 508 LEAD.", "508", NLP_PAT_MODEL},
    {"INSULIN PUMP MODEL# MMT-522 ALARMED", "MMT-522", NLP_PAT_MODEL},
    {"A GUIDANT MODEL #T125.  THE PATIENT", "T125", NLP_PAT_MODEL},
    {"the model number: 3888-28, lot unknown", "3888-28", NLP_PAT_MODEL},
    {"Mod. 6900P valve", "6900P", NLP_PAT_MODEL},
    {"M/N AB-1234 returned", "AB-1234", NLP_PAT_MODEL},
    {"PRODUCT ID: 3708140, SERIAL# (B)(4)", "3708140", NLP_PAT_MODEL},
    {"(LOT# 1178757), CATALOG#: 622258).", "622258", NLP_PAT_CATALOG},
    {"Catalogue No. CX-100 opened", "CX-100", NLP_PAT_CATALOG},
    {"CAT. NO. 12345 SCREW", "12345", NLP_PAT_CATALOG},
    {"REF 1023891 on the box", "1023891", NLP_PAT_CATALOG},
    {"PART # 48694014 THE DRAW ROD", "48694014", NLP_PAT_CATALOG},
    {"PART NUMBER # 301-75G IS NOT", "301-75G", NLP_PAT_CATALOG},
    {"P/N 12673-03", "12673-03", NLP_PAT_CATALOG},
    {"TEST STRIP LOT # 4012345, EXPIRATION", "4012345", NLP_PAT_LOT},
    {"LOT NUMBER 13J1704G SHOWS", "13J1704G", NLP_PAT_LOT},
    {"Z STEM (LOT: X04393779) STILL", "X04393779", NLP_PAT_LOT},
    {"SPONGE LOT (LOT#PL1411F01) WAS", "PL1411F01", NLP_PAT_LOT},
    {"batch no. 22A17 was recalled", "22A17", NLP_PAT_LOT},
    {"SERIAL # PJN123456 EXPLANTED", "PJN123456", NLP_PAT_SERIAL},
    {"pump SN 8837465 alarmed", "8837465", NLP_PAT_SERIAL},
    {"S/N: A12B345.", "A12B345", NLP_PAT_SERIAL},
    {"SER. NO. 0042 replaced", "0042", NLP_PAT_SERIAL},
    {"seen on 2026-03-02 in clinic", "2026-03-02", NLP_PAT_DATE},
    {"EVALUATED ON 03/02/2026 WITH", "03/02/2026", NLP_PAT_DATE},
    {"RECEIVED 12/15/14.", "12/15/14", NLP_PAT_DATE},
    {"implant 3-2-2026", "3-2-2026", NLP_PAT_DATE},
    {"MANUFACTURED ON MARCH 2, 2026 AND", "MARCH 2, 2026", NLP_PAT_DATE},
    {"Seen Sept. 14 2025.", "Sept. 14 2025", NLP_PAT_DATE},
    {"PROCESSED MARCH 24TH 2002.", "MARCH 24TH 2002", NLP_PAT_DATE},
    {"CLAIMSUITE 5 MAR 2015 (PD", "5 MAR 2015", NLP_PAT_DATE},
    {"ON 19-JUN-2018 THE", "19-JUN-2018", NLP_PAT_DATE},
    {"A CORRECTION IN JULY 2008.", "JULY 2008", NLP_PAT_DATE},
    {"February 29, 2024 (leap year)", "February 29, 2024", NLP_PAT_DATE},
    {"March 2, 2026 follow-up", "March 2, 2026", NLP_PAT_DATE},
    {"label (01)00614141999996(17)261231(10)LOT42.",
     "(01)00614141999996(17)261231(10)LOT42", NLP_PAT_UDI},
    {"box +A123BJC5D6E71G seen", "+A123BJC5D6E71G", NLP_PAT_UDI},
    {"box label +H123CATNO1Y.", "+H123CATNO1Y", NLP_PAT_UDI},
    {"UDI: 010061414199999617261231 recorded", "010061414199999617261231",
     NLP_PAT_UDI},
};

TEST(each_kind_finds_what_people_write)
{
    CHECK(s_re);
    for (size_t i = 0; i < sizeof s_positive / sizeof s_positive[0]; i++) {
        int k = s_kind_of(s_positive[i].text, s_positive[i].value);
        if (k != (int)s_positive[i].kind)
            TEST_FAIL_("\"%s\": value \"%s\" kind %d, expected %s",
                       s_positive[i].text, s_positive[i].value, k,
                       nlp_pattern_kind_name(s_positive[i].kind));
    }
}

static const struct s_case s_negative[] = {
    {"MODEL NUMBER IS NOT APPROVED", "", NLP_PAT_MODEL},
    {"MODEL # (B)(4)", "", NLP_PAT_MODEL},
    {"REMODELED 508 TIMES; MODELS 508", "", NLP_PAT_MODEL},
    {"MODEL 5 ONLY", "", NLP_PAT_MODEL},
    {"MEDWATCH 21 CFR PART 803, THE", "", NLP_PAT_CATALOG},
    {"REFERENCE 12345, CAT 5 CABLE", "", NLP_PAT_CATALOG},
    {"A LOT OF 25 PATIENTS; LOT NUMBER UNKNOWN", "", NLP_PAT_LOT},
    {"LOTS 12 AND 14; PILOT 1234", "", NLP_PAT_LOT},
    {"SERIAL# (B)(4), SERIAL CABLE 2", "", NLP_PAT_SERIAL},
    {"SNAP2 and SNOW 12345", "", NLP_PAT_SERIAL},
    {"02/30/2026 and 2026-13-01 and 13/01/2026", "", NLP_PAT_DATE},
    {"February 29, 2025; 3/4/5; 1.5/3/2026", "", NLP_PAT_DATE},
    {"ISO 12345-2026-03-02X", "", NLP_PAT_DATE},
    {"(01)00614141999993(17)261231 bad check", "", NLP_PAT_UDI},
    {"+A123BJC5D6E71H bad check; +a123bjc5d6e71g lower", "", NLP_PAT_UDI},
    {"UDI 0100614141999993 bad check", "", NLP_PAT_UDI},
    {"(01)0061414199999 thirteen digits", "", NLP_PAT_UDI},
};

TEST(near_misses_do_not_count)
{
    CHECK(s_re);
    for (size_t i = 0; i < sizeof s_negative / sizeof s_negative[0]; i++) {
        int c = s_count(s_negative[i].text, s_negative[i].kind);
        if (c != 0)
            TEST_FAIL_("\"%s\": %d %s hit(s), expected none",
                       s_negative[i].text, c,
                       nlp_pattern_kind_name(s_negative[i].kind));
    }
}

TEST(validators)
{
    static const char *const ok[] = {"2024-02-29", "12/31/99",
                                     "1/9/2015",   "JUNE 2009",
                                     "2 MAR 2026", "DEC 31ST, 1999"};
    static const char *const bad[] = {
        "2023-02-29",   "04/31/2026", "MARCH 32, 2026", "JUNE 1899",
        "MAR APR 2026", "1/2/3",      "2026-03",        "MONDAY 2, 2026"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!nlp_regex_validate(NLP_VALID_DATE, ds_span_str(ok[i]), NULL))
            TEST_FAIL_("date \"%s\" rejected", ok[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (nlp_regex_validate(NLP_VALID_DATE, ds_span_str(bad[i]), NULL))
            TEST_FAIL_("date \"%s\" accepted", bad[i]);
    size_t len = 0;
    /* a full stop is dropped only when that makes the check right */
    CHECK(nlp_regex_validate(NLP_VALID_GS1,
                             ds_span_str("(01)00614141999996(10)A1."), &len));
    CHECK_INT(len, 25); /* the '.' is legal GS1 data, so it stays */
    CHECK(nlp_regex_validate(NLP_VALID_HIBCC, ds_span_str("+A123BJC5D6E71G."),
                             &len));
    CHECK_INT(len, 15);
    CHECK(!nlp_regex_validate(NLP_VALID_HIBCC, ds_span_str(""), &len));
    CHECK(nlp_regex_validate(NLP_VALID_NONE, ds_span_str("x"), NULL));
    CHECK(!nlp_regex_validate((enum nlp_pattern_validator)99, ds_span_str("x"),
                              NULL));
}

static const char *const s_notes[] = {
    "IT WAS REPORTED THAT THE INSULIN PUMP MODEL# MMT-522 (SERIAL # "
    "PJN123456, LOT # 4012345) ALARMED ON 03/02/2026. REF 1023891.",
    "PRODUCT ID: 377845, LOT# V006655, IMPLANTED: (B)(6) 2011. PRODUCT "
    "ID 3888-28, LOT# L45885. MANUFACTURED ON JUNE 3, 2014 ? JUNE 4, 2014.",
    "Label (01)00614141999996(17)261231(10)LOT42 and +H123CATNO1Y; UDI: "
    "010061414199999617261231. Seen 5 MAR 2015 (PD 9 MAR 2015).",
    "No identifiers at all in this note about a pacemaker.",
    "",
};
#define S_NNOTES (sizeof s_notes / sizeof s_notes[0])

TEST(joined_scan_equals_one_pattern_at_a_time)
{
    nlp_regex_scratch_t *t = nlp_regex_scratch_new();
    CHECK(s_re && t);
    for (size_t i = 0; i < S_NNOTES; i++) {
        size_t na, nb;
        CHECK_INT(nlp_regex_scan(s_re, ds_span_str(s_notes[i]), 0, s_s), 0);
        CHECK_INT(
            nlp_regex_scan(s_re, ds_span_str(s_notes[i]), NLP_REGEX_NAIVE, t),
            0);
        const struct nlp_regex_hit *a = nlp_regex_hits(s_s, &na);
        const struct nlp_regex_hit *b = nlp_regex_hits(t, &nb);
        CHECK_INT(na, nb);
        CHECK(na == 0 || memcmp(a, b, na * sizeof *a) == 0);
        for (size_t k = 1; k < na; k++) /* sorted, one per span */
            CHECK(a[k - 1].begin < a[k].begin ||
                  (a[k - 1].begin == a[k].begin && a[k - 1].end > a[k].end));
    }
    nlp_regex_scratch_destroy(&t);
    CHECK(t == NULL);
}

/* Hits of s_notes[0] as "value/kind" lines, for comparing runs. */
static void s_signature(const nlp_regex_t *re, char *out, size_t cap)
{
    size_t n, used = 0;
    nlp_regex_scratch_t *t = nlp_regex_scratch_new();
    for (size_t i = 0; t && i < S_NNOTES; i++) {
        if (nlp_regex_scan(re, ds_span_str(s_notes[i]), 0, t) != 0)
            break;
        const struct nlp_regex_hit *h = nlp_regex_hits(t, &n);
        for (size_t k = 0; k < n && used < cap; k++)
            used += (size_t)snprintf(out + used, cap - used, "%.*s/%u\n",
                                     (int)(h[k].end - h[k].begin),
                                     s_notes[i] + h[k].begin, h[k].pattern);
    }
    nlp_regex_scratch_destroy(&t);
}

TEST(interpreter_gives_the_same_hits)
{
    char a[4096] = "", b[4096] = "";
    nlp_regex_t *re = NULL;
    CHECK(s_rules);
    CHECK_INT(nlp_regex_new(&re, s_rules, NLP_REGEX_NO_JIT, &diag), 0);
    s_signature(s_re, a, sizeof a);
    s_signature(re, b, sizeof b);
    nlp_regex_destroy(&re);
    CHECK(strlen(a) > 100);
    CHECK_STR(b, a);
    if (s_wx_sig[0]) /* the W^X child fell back and found the same */
        CHECK_STR(s_wx_sig, a);
}

/* In a child: refuse W^X exec gain, load, compile, write the hits to fd.
 * Exit 0 when JIT is off with a failed rc, 2 when the kernel has no
 * PR_SET_MDWE, 1 otherwise. */
static int s_wx_child(int fd)
{
    char got[4096] = "";
    nlp_rules_t *rules = NULL;
    nlp_regex_t *re = NULL;
    if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L) != 0)
        return 2;
    if (nlp_rules_load(&rules, "rules", &diag) != 0 ||
        nlp_regex_new(&re, rules, 0, &diag) != 0)
        return 1;
    s_signature(re, got, sizeof got);
    printf("# under PR_SET_MDWE: JIT %s, pcre2_jit_compile rc %d\n",
           nlp_regex_jit(re) ? "on" : "off", nlp_regex_jit_rc(re));
    int rc = !nlp_regex_jit(re) && nlp_regex_jit_rc(re) < 0 ? 0 : 1;
    if (write(fd, got, strlen(got)) != (ssize_t)strlen(got))
        rc = 1;
    nlp_regex_destroy(&re);
    nlp_rules_destroy(&rules);
    return rc;
}

/* Runs first, before this process JIT-compiles anything: PCRE2 reuses
 * executable memory it already has, which would hide the refusal. */
TEST(wx_falls_back_to_the_interpreter)
{
    int fd[2];
    CHECK(pipe(fd) == 0);
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        int rc = s_wx_child(fd[1]);
        close(fd[1]);
        fflush(stdout);
        _exit(rc);
    }
    close(fd[1]);
    size_t used = 0;
    ssize_t got;
    while ((got = read(fd[0], s_wx_sig + used, sizeof s_wx_sig - 1 - used)) > 0)
        used += (size_t)got;
    close(fd[0]);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
    if (WEXITSTATUS(st) == 2) {
        s_wx_sig[0] = '\0';
        printf("# PR_SET_MDWE not supported by this kernel: not tested\n");
        return;
    }
    CHECK_INT(WEXITSTATUS(st), 0);
    CHECK(used > 100);
}

TEST(no_allocation_after_warm_up)
{
    struct ds_alloc_stats a, b;
    struct nlp_result r;
    nlp_extract_t *x = NULL;
    CHECK(s_rules);
    CHECK_INT(nlp_extract_new(&x, s_rules, &diag), 0);
    nlp_result_init(&r);
    for (size_t i = 0; i < S_NNOTES; i++) { /* warm-up */
        CHECK_INT(nlp_regex_scan(s_re, ds_span_str(s_notes[i]), 0, s_s), 0);
        CHECK_INT(nlp_extract_run(x, ds_span_str(s_notes[i]), 0, &r), 0);
    }
    int rc = 0;
    ds_alloc_stats(&a);
    for (int k = 0; k < 1000; k++)
        for (size_t i = 0; i < S_NNOTES; i++) {
            struct ds_span t = ds_span_str(s_notes[i]);
            rc |= nlp_regex_scan(s_re, t, 0, s_s);
            rc |= nlp_regex_scan(s_re, t, NLP_REGEX_NAIVE, s_s);
            rc |= nlp_extract_run(x, t, 0, &r);
        }
    ds_alloc_stats(&b);
    nlp_result_clear(&r);
    nlp_extract_destroy(&x);
    CHECK_INT(rc, 0);
    CHECK_INT(b.allocs - a.allocs, 0);
}

/* Best of three scan times of text. */
static double s_time(const char *p, size_t n, size_t *hits)
{
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double t0 = s_now();
        if (nlp_regex_scan(s_re, (struct ds_span){p, n}, 0, s_s) != 0)
            return -1;
        double t = s_now() - t0;
        best = t < best ? t : best;
    }
    nlp_regex_hits(s_s, hits);
    return best;
}

/* 1 MB and 10 MB of unit repeated: ten times the hits, and the time
 * within a loose factor of ten (linear, not quadratic). */
static int s_linear(const char *unit, size_t k, const char *name)
{
    size_t n = 10u << 20, h1, h10;
    char *big = malloc(n);
    if (!big)
        return -1;
    for (size_t i = 0; i < n; i++)
        big[i] = unit[i % k];
    size_t n1 = (n / 10) / k * k, n10 = n1 * 10;
    double t1 = s_time(big, n1, &h1), t10 = s_time(big, n10, &h10);
    free(big);
    printf("# %-10s 1 MB %.1f ms, 10 MB %.1f ms (%.0f MB/s), %zu hits\n", name,
           t1 * 1e3, t10 * 1e3, (double)n10 / 1e6 / t10, h10);
    if (t1 < 0 || t10 < 0 || h10 != h1 * 10 || nlp_regex_scratch_limited(s_s))
        return -1;
    return t10 < 30 * t1 + 0.05 ? 0 : -1;
}

TEST(ten_megabytes_and_nul_bytes_in_linear_time)
{
    static const char prose[] = "THE PUMP MODEL# MMT-522 ALARMED ON "
                                "03/02/2026; LOT # 4012345.\0 NUL \0 SN "
                                "12\0 34 (01)00614141999996 +H123CATNO1Y ";
    static const char models[] = "MODEL MODEL# LOT LOT# SERIAL # ";
    static const char digits[] = "1/1/1-1-2026 0101010101 ";
    static const char hibc[] = "+A123+A123/$$+";
    static const char runs[] = "LOT 1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                               "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ";
    CHECK(s_re);
    CHECK_INT(s_linear(prose, sizeof prose - 1, "prose+NUL"), 0);
    CHECK_INT(s_linear(models, sizeof models - 1, "cues only"), 0);
    CHECK_INT(s_linear(digits, sizeof digits - 1, "digits"), 0);
    CHECK_INT(s_linear(hibc, sizeof hibc - 1, "HIBC-ish"), 0);
    CHECK_INT(s_linear(runs, sizeof runs - 1, "long runs"), 0);
    size_t n;
    CHECK_INT(
        nlp_regex_scan(s_re, (struct ds_span){prose, sizeof prose - 1}, 0, s_s),
        0);
    const struct nlp_regex_hit *h = nlp_regex_hits(s_s, &n);
    CHECK_INT(n, 6); /* model, date, lot, serial "12", two UDIs */
    for (size_t i = 0; i < n; i++)
        CHECK(h[i].begin < h[i].end && h[i].end <= sizeof prose - 1);
    CHECK_INT(nlp_regex_scan(s_re, (struct ds_span){NULL, 0}, 0, s_s), 0);
    nlp_regex_hits(s_s, &n);
    CHECK_INT(n, 0);
}

TEST(allocation_failures_are_enomem)
{
    int fired = 0;
    CHECK(s_rules);
    for (uint64_t k = 1; k < 2000; k++) {
        nlp_regex_t *re = NULL;
        nlp_regex_scratch_t *s = NULL;
        ds_alloc_fail_at(k);
        int rc = nlp_regex_new(&re, s_rules, 0, &diag);
        if (rc == 0)
            rc = (s = nlp_regex_scratch_new()) ? 0 : DS_ENOMEM;
        if (rc == 0)
            rc = nlp_regex_scan(re, ds_span_str(s_notes[0]), 0, s);
        bool injected = ds_alloc_fail_fired();
        /* a failed JIT allocation is a JIT failure: interpreter, rc 0 */
        bool jit_lost = re && !nlp_regex_jit(re) && nlp_regex_jit_rc(re) < 0;
        ds_alloc_fail_at(0);
        nlp_regex_scratch_destroy(&s);
        nlp_regex_destroy(&re);
        if (!injected) {
            CHECK_INT(rc, 0);
            break;
        }
        fired++;
        if (rc != DS_ENOMEM && !(rc == 0 && jit_lost))
            TEST_FAIL_("allocation %llu: rc %d, expected DS_ENOMEM",
                       (unsigned long long)k, rc);
    }
    printf("# allocation failures: %d injected, all DS_ENOMEM\n", fired);
    CHECK(fired > 5);
}

int main(void)
{
    RUN(wx_falls_back_to_the_interpreter);
    RUN(load_and_compile);
    RUN(no_jit_flag);
    RUN(each_kind_finds_what_people_write);
    RUN(near_misses_do_not_count);
    RUN(validators);
    RUN(joined_scan_equals_one_pattern_at_a_time);
    RUN(interpreter_gives_the_same_hits);
    RUN(no_allocation_after_warm_up);
    RUN(ten_megabytes_and_nul_bytes_in_linear_time);
    RUN(allocation_failures_are_enomem);
    nlp_regex_scratch_destroy(&s_s);
    nlp_regex_destroy(&s_re);
    nlp_rules_destroy(&s_rules);
    return test_report();
}
