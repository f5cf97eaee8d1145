/*
 * test_ds_scenario.c - the pure parts of contrib/ds-scenario, as usage
 * examples: the PRNG against the reference vectors of its authors, the GS1
 * check digit against GS1's own example GTIN, templates, the scenario
 * parser (a good file, each kind of error with its line, every allocation
 * failing in turn), and the emitter's event-time order with its stable
 * tie-break. The tool's files are compiled in here (contrib/ is not part
 * of libdevsurv.a).
 */
#include "../../contrib/ds-scenario-emit.c"
#include "../../contrib/ds-scenario-gen.c"
#include "../../contrib/ds-scenario-parse.c"
#include "../../contrib/ds-scenario-util.c"
#include "../test.h"

#include <stdlib.h>

static const char s_good[] = "# a comment\n"
                             "seed = 99\n"
                             "start = 2024-02-01\n"
                             "months = 3\n"
                             "site = t\n"
                             "caps = 0.5\n"
                             "\n"
                             "[outcome bleed]\n"
                             "code = E0506\n"
                             "term = Bleeding\n"
                             "window = 10\n"
                             "affirmed = Bleeding # on day {day}.\n"
                             "negated = No bleeding.\n"
                             "rate = dev-1 0.01 0.25\n"
                             "[device dev-1]\n"
                             "product_code = MGB\n"
                             "brand = Acme\n"
                             "model = X 1\n"
                             "udi_di = 00614141999996\n"
                             "implants = 40\n";

/* xoshiro256** from state {1, 2, 3, 4}: the first outputs of the
 * reference implementation (prng.di.unimi.it/xoshiro256starstar.c). */
TEST(xoshiro_reference_vector)
{
    struct dss_rng r = {{1, 2, 3, 4}};
    CHECK(dss_rng_next(&r) == 11520u);
    CHECK(dss_rng_next(&r) == 0u);
    CHECK(dss_rng_next(&r) == 1509978240u);
    CHECK(dss_rng_next(&r) == 1215971899390074240u);
}

/* splitmix64 from 0 (prng.di.unimi.it/splitmix64.c). */
TEST(splitmix_reference_vector)
{
    uint64_t x = 0;
    CHECK(dss_splitmix64(&x) == 0xE220A8397B1DCDAFu);
    CHECK(dss_splitmix64(&x) == 0x6E789E6AA1B965F4u);
}

TEST(rng_bounded_and_seeded)
{
    struct dss_rng a, b;
    dss_rng_seed(&a, 1, 2, 3);
    dss_rng_seed(&b, 1, 2, 3);
    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint64_t x = dss_rng_below(&a, 7);
        CHECK(x == dss_rng_below(&b, 7));
        CHECK(x < 7);
        seen[x]++;
        double u = dss_rng_unit(&a);
        dss_rng_unit(&b);
        CHECK(u >= 0.0 && u < 1.0);
    }
    for (int i = 0; i < 7; i++)
        CHECK(seen[i] > 800 && seen[i] < 1200);
    dss_rng_seed(&b, 1, 2, 4);
    CHECK(dss_rng_next(&a) != dss_rng_next(&b));
    CHECK_INT(dss_rng_below(&a, 0), 0);
}

static int s_u64cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

TEST(mix48_is_injective_on_a_range)
{
    enum { N = 1 << 16 };
    static uint64_t v[N];
    for (uint64_t i = 0; i < N; i++) {
        v[i] = dss_mix48(i * 977 + (UINT64_C(5) << 40));
        CHECK(v[i] < (UINT64_C(1) << 48));
    }
    qsort(v, N, sizeof *v, s_u64cmp);
    for (size_t i = 1; i < N; i++)
        CHECK(v[i] != v[i - 1]);
}

/* GS1's example GTIN 00614141999996 (General Specifications 7.9.1). */
TEST(gtin_check_digit)
{
    CHECK_INT(dss_gtin_check("0061414199999"), '6');
    CHECK_INT(dss_gtin_check("0061414100001"), '2');
    CHECK_INT(dss_gtin_check("006141410000x"), 0);
}

TEST(templates)
{
    char buf[64];
    CHECK_INT(dss_expand("{brand} {model} on day {day}, {x}", 12, "Acme", "M-1",
                         buf, sizeof buf),
              strlen("Acme M-1 on day 12, {x}"));
    CHECK_STR(buf, "Acme M-1 on day 12, {x}");
    dss_expand("{brand}{brand}{brand}", 0, "abcd", "", buf, 6);
    CHECK_STR(buf, "abcda");
    const char *bad = NULL;
    CHECK(dss_template_ok("a {day} {brand}{model}", &bad));
    CHECK(!dss_template_ok("a {day} {dya}", &bad));
    CHECK_STR(bad, "{dya}");
    strcpy(buf, "Hématome at day 2");
    dss_upper(buf);
    CHECK_STR(buf, "HéMATOME AT DAY 2");
}

TEST(parse_good_file)
{
    struct dss_scenario *sc = calloc(1, sizeof *sc);
    struct ds_diag diag;
    CHECK(sc);
    int rc = dss_parse(sc, "g.scn", s_good, strlen(s_good), &diag);
    if (rc) {
        dss_clear(sc);
        free(sc);
        TEST_FAIL_("rc %d: %s", rc, diag.msg);
    }
    CHECK(sc->seed == 99 && sc->months == 3 && sc->year == 2024 &&
          sc->month == 2);
    CHECK_STR(sc->site, "t");
    CHECK(sc->caps == 0.5 && sc->followup == 0.3 && !sc->outcomes);
    CHECK_INT(sc->ndev, 1);
    CHECK_STR(sc->dev[0].model, "X 1");
    CHECK_STR(sc->dev[0].gtin, "00614141999996");
    CHECK_INT(sc->nout, 1);
    CHECK_STR(sc->out[0].ph[DSS_AFFIRMED].v[0], "Bleeding # on day {day}.");
    CHECK_INT(sc->out[0].rates[0].device, 0); /* declared after the rate */
    CHECK_STR(sc->out[0].rates[0].rate_s, "0.25");
    dss_clear(sc);
    CHECK_INT(sc->ndev, 0);
    dss_clear(sc);
    free(sc);
}

/* The diagnostic of text, "" when it parses. */
static const char *s_diag_of(const char *text)
{
    static char out[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    struct dss_scenario *sc = calloc(1, sizeof *sc);
    struct ds_diag diag;
    if (!sc)
        return "calloc";
    int rc = dss_parse(sc, "x.scn", text, strlen(text), &diag);
    dss_clear(sc);
    free(sc);
    if (rc == 0)
        return "";
    return ds_diag_format(&diag, out, sizeof out);
}

#define HEAD "seed = 1\nstart = 2026-01-01\nmonths = 1\n"
#define DEV                                                                    \
    "[device d]\nproduct_code = MGB\nbrand = B\nmodel = M\nimplants = 2\n"

TEST(parse_errors_name_the_line)
{
    CHECK_STR(s_diag_of(HEAD DEV), "");
    CHECK_STR(s_diag_of(HEAD "x\n"), "x.scn:4: expected key = value, got 'x'");
    CHECK_HAS(s_diag_of(HEAD DEV "[device d]\n"), "x.scn:9: duplicate device");
    CHECK_HAS(s_diag_of(HEAD DEV "implants = -1\n"), "x.scn:9: expected a");
    CHECK_HAS(s_diag_of(HEAD DEV "udi_di = 0061414199999\n"), "x.scn:9:");
    CHECK_HAS(s_diag_of(HEAD "caps = 1.5\n"), "x.scn:4: expected a number");
    CHECK_HAS(s_diag_of(HEAD "caps = 1e-3\n"), "x.scn:4:");
    CHECK_HAS(s_diag_of(HEAD "months = 601\n"), "x.scn:4:");
    CHECK_HAS(s_diag_of(HEAD "start = 9988-12-01\n" DEV), "ends after 9988");
    CHECK_HAS(s_diag_of("seed = 1\nmonths = 1\n" DEV), "x.scn: missing "
                                                       "top-level key start");
    CHECK_HAS(s_diag_of(HEAD), "no [device NAME] section");
    CHECK_HAS(s_diag_of(HEAD "[device a b]\n"), "x.scn:4: section name");
    CHECK_HAS(s_diag_of(HEAD DEV "[outcome o]\ncode = E05\nterm = t\n"),
              "x.scn:9: outcome o: missing key window");
    CHECK_HAS(s_diag_of(HEAD DEV "[outcome o]\ncode = E050\n"),
              "x.scn:10: code: expected an IMDRF code");
    CHECK_HAS(s_diag_of(HEAD DEV "[outcome o]\nrate = d 0.1\n"),
              "x.scn:10: expected rate = DEVICE BASELINE TRUE");
    CHECK_HAS(s_diag_of(HEAD "site = a\x01\n"), "x.scn:4: control");
    CHECK_HAS(s_diag_of(HEAD "site = \xC3\x28\n"), "x.scn:4: control");
    CHECK_HAS(s_diag_of(HEAD "site = \xC2\x85\n"), "x.scn:4: control");
    CHECK_STR(s_diag_of(HEAD "site = Zoë\n" DEV), "");
}

TEST(parse_nul_byte_and_long_line)
{
    struct dss_scenario *sc = calloc(1, sizeof *sc);
    struct ds_diag diag;
    char big[2000];
    CHECK(sc);
    int rc = dss_parse(sc, "n", "seed = 1\0\n", 10, &diag);
    dss_clear(sc);
    memset(big, 'a', sizeof big);
    int rc2 = dss_parse(sc, "n", big, sizeof big, &diag);
    dss_clear(sc);
    free(sc);
    CHECK_INT(rc, DS_EPARSE);
    CHECK_INT(rc2, DS_ERANGE);
    CHECK_INT(diag.line, 1);
}

/* Every allocation of a parse failing in turn: DS_ENOMEM, nothing leaked
 * (ASan in DEBUG=1 builds), then success. */
TEST(parse_allocation_failures)
{
    struct dss_scenario *sc = calloc(1, sizeof *sc);
    struct ds_diag diag;
    CHECK(sc);
    int rc = -1;
    for (uint64_t nth = 1; nth < 100; nth++) {
        ds_alloc_fail_at(nth);
        rc = dss_parse(sc, "g", s_good, strlen(s_good), &diag);
        int fired = ds_alloc_fail_fired();
        dss_clear(sc);
        if (!fired)
            break;
        if (rc != DS_ENOMEM)
            break;
    }
    ds_alloc_fail_at(0);
    free(sc);
    CHECK_INT(rc, 0);
}

static char *s_run(const char *text, uint64_t seed, size_t *len, long *cases,
                   long *exposures)
{
    struct dss_scenario *sc = calloc(1, sizeof *sc);
    struct dss_truth truth[3] = {{0, 0}};
    struct ds_diag diag;
    struct dss_gen_opts go = {.reports = true};
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!sc || !f || dss_parse(sc, "g", text, strlen(text), &diag) != 0)
        abort();
    sc->seed = seed;
    dss_emit_t *em = dss_emit_new(f, sc->site);
    if (!em || dss_generate(sc, &go, em, truth) != 0)
        abort();
    dss_emit_destroy(&em);
    fclose(f);
    *cases = truth[0].cases + truth[1].cases + truth[2].cases;
    *exposures = truth[0].exposures; /* one outcome: one cell a month */
    dss_clear(sc);
    free(sc);
    return buf;
}

TEST(generate_is_deterministic_and_ordered)
{
    size_t n1, n2, n3;
    long c1, c2, c3, e1, e2, e3;
    char *a = s_run(s_good, 99, &n1, &c1, &e1);
    char *b = s_run(s_good, 99, &n2, &c2, &e2);
    char *c = s_run(s_good, 100, &n3, &c3, &e3);
    int same = n1 == n2 && memcmp(a, b, n1) == 0 && c1 == c2;
    int other = n1 != n3 || memcmp(a, c, n1) != 0;
    int ordered = 1, exposures = 0;
    const char *prev = "";
    for (char *p = a; (p = strstr(p, "\"time\":\"")); p += 8) {
        ordered &= strncmp(prev, p + 8, 20) <= 0;
        prev = p + 8;
    }
    for (char *p = a; (p = strstr(p, "\"exposure\"")); p++)
        exposures++;
    int first_id = strncmp(a, "{\"id\":\"t-0000001\",", 17) == 0;
    free(a);
    free(b);
    free(c);
    CHECK(same);
    CHECK(other);
    CHECK(ordered);
    CHECK_INT(exposures, 120);
    CHECK_INT(e1, 40);         /* truth[0]: the first month */
    CHECK(c1 > 10 && c1 < 55); /* 120 x 0.25 = 30 */
    CHECK(first_id);
}

/* Equal times keep the order they were added in; a flush writes only what
 * comes before its bound. */
TEST(emit_time_order_stable)
{
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f);
    dss_emit_t *em = dss_emit_new(f, "s");
    int64_t times[] = {5000, 1000, 5000, 3000, 1000};
    for (int i = 0; i < 5; i++) {
        char text[16];
        snprintf(text, sizeof text, "n%d", i);
        struct dss_event ev = {
            .time_ms = times[i], .kind = DSS_NOTE, .text = ds_strdup(text)};
        CHECK_INT(dss_emit_add(em, &ev), 0);
    }
    CHECK_INT(dss_emit_flush(em, 3000), 0);
    CHECK_INT(dss_emit_count(em), 2);
    CHECK_INT(dss_emit_flush(em, INT64_MAX), 0);
    dss_emit_destroy(&em);
    CHECK(em == NULL);
    fclose(f);
    const char *order[] = {"n1", "n4", "n3", "n0", "n2"};
    const char *p = buf;
    int ok = 1;
    for (int i = 0; i < 5; i++) {
        char want[16];
        snprintf(want, sizeof want, "\"text\":\"%s\"", order[i]);
        const char *q = strstr(p, want);
        ok &= q != NULL;
        p = q ? q : p;
    }
    int id5 = strstr(buf, "\"id\":\"s-0000005\",\"kind\":\"note\",\"time\":"
                          "\"1970-01-01T00:00:05Z\"") != NULL;
    free(buf);
    CHECK(ok);
    CHECK(id5);
}

int main(void)
{
    RUN(xoshiro_reference_vector);
    RUN(splitmix_reference_vector);
    RUN(rng_bounded_and_seeded);
    RUN(mix48_is_injective_on_a_range);
    RUN(gtin_check_digit);
    RUN(templates);
    RUN(parse_good_file);
    RUN(parse_errors_name_the_line);
    RUN(parse_nul_byte_and_long_line);
    RUN(parse_allocation_failures);
    RUN(generate_is_deterministic_and_ordered);
    RUN(emit_time_order_stable);
    return test_report();
}
