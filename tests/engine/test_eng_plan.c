/*
 * test_eng_plan.c - parsing one surveillance plan (eng_plan_parse): every
 * key lands in its field, absent keys take their documented defaults,
 * comments and list separators behave as the header says, and every
 * refusal names the line at fault and why.
 *
 * Not here: directories, hashes, concept checks and matching
 * (test_eng_plan_set.c), random bytes (tests/fuzz/fuzz_plan.c).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_plan.h"
#include "../test.h"

#include <math.h>

static int s_parse(struct eng_plan *p, const char *text, struct ds_diag *d)
{
    return eng_plan_parse(p, text, strlen(text), "plans/t.plan", d);
}

TEST(every_key)
{
    static const char text[] = "# a plan with every key\n"
                               "id = every-key-1\n"
                               "title = Every key, once  # shown to people\n"
                               "devices.product_codes = MGB, DTB\n"
                               "devices.regulations = 870.3680\n"
                               "devices.brands = Angio-Seal Perclose_ProGlide\n"
                               "devices.models = 6949 M-12\n"
                               "devices.udi_di = 00643169007222 96385074\r\n"
                               "group_by = brand\n"
                               "events = A04 E0505,F1905\n"
                               "comparator = family\n"
                               "window_days = 30\n"
                               "method = maxsprt-binomial\n"
                               "alpha = 0.01\n"
                               "max_expected = 12.5\n"
                               "min_events = 3\n"
                               "delay = 1.5\n"
                               "baseline_rate = 0.02\n"
                               "max_events = 200\n"
                               "z = 2\n"
                               "odds_ratio = 3\n"
                               "h = 4.5\n"
                               "prr_min = 2\n"
                               "chi2_min = 4\n"
                               "a_min = 3\n"
                               "ic025_min = -0.5\n"
                               "eb05_min = 1.8\n"
                               "after_signal = rearm";
    struct eng_plan p;
    struct ds_diag d;
    CHECK_INT(s_parse(&p, text, &d), 0);
    CHECK_STR(d.msg, "");
    CHECK_STR(p.id, "every-key-1");
    CHECK_STR(p.title, "Every key, once");
    CHECK_STR(p.file, "plans/t.plan");
    CHECK_INT(p.n_product_codes, 2);
    CHECK_STR(p.product_codes[1], "DTB");
    CHECK_INT(p.n_regulations, 1);
    CHECK_STR(p.regulations[0], "870.3680");
    CHECK_INT(p.n_brands, 2);
    CHECK_STR(p.brands[1], "Perclose ProGlide");
    CHECK_INT(p.n_models, 2);
    CHECK_STR(p.models[1], "M-12");
    CHECK_INT(p.n_udi_di, 2);
    CHECK_STR(p.udi_di[0], "00643169007222");
    CHECK_STR(p.udi_di[1], "00000096385074"); /* GTIN-8 padded */
    CHECK_INT(p.group_by, ENG_PLAN_BY_BRAND);
    CHECK_INT(p.n_events, 3);
    CHECK_STR(p.events[2], "F1905");
    CHECK_INT(p.comparator, ENG_PLAN_FAMILY);
    CHECK_INT(p.window_days, 30);
    CHECK_INT(p.method, ENG_PLAN_MAXSPRT_BINOMIAL);
    CHECK_NEAR(p.alpha, 0.01, 0);
    CHECK_NEAR(p.max_expected, 12.5, 0);
    CHECK_INT(p.min_events, 3);
    CHECK_NEAR(p.delay, 1.5, 0);
    CHECK_NEAR(p.baseline_rate, 0.02, 0);
    CHECK_INT(p.max_events, 200);
    CHECK_NEAR(p.z, 2, 0);
    CHECK_NEAR(p.odds_ratio, 3, 0);
    CHECK_NEAR(p.h, 4.5, 0);
    CHECK_NEAR(p.prr_min, 2, 0);
    CHECK_NEAR(p.chi2_min, 4, 0);
    CHECK_NEAR(p.a_min, 3, 0);
    CHECK_NEAR(p.ic025_min, -0.5, 0);
    CHECK_NEAR(p.eb05_min, 1.8, 0);
    CHECK_INT(p.after, ENG_PLAN_REARM);
}

TEST(defaults)
{
    struct eng_plan p;
    struct ds_diag d;
    CHECK_INT(
        s_parse(&p, "id=x\nmethod=maxsprt-poisson\nbaseline_rate=0.1\n", &d),
        0);
    CHECK_STR(p.title, "");
    CHECK_INT(p.n_product_codes + p.n_regulations + p.n_brands + p.n_models +
                  p.n_udi_di + p.n_events,
              0);
    CHECK_INT(p.group_by, ENG_PLAN_BY_CODE);
    CHECK_INT(p.comparator, ENG_PLAN_BASELINE);
    CHECK_INT(p.window_days, 365);
    CHECK_INT(p.after, ENG_PLAN_STAY);
    CHECK_NEAR(p.alpha, 0.05, 0);
    CHECK_NEAR(p.max_expected, 20, 0);
    CHECK_INT(p.min_events, 1);
    CHECK_NEAR(p.delay, 0, 0);
    CHECK_INT(p.max_events, 100);
    CHECK_NEAR(p.z, 1, 0);
    CHECK_NEAR(p.odds_ratio, 2, 0);
    CHECK_NEAR(p.h, 0, 0);
    CHECK(isnan(p.prr_min) && isnan(p.chi2_min) && isnan(p.a_min) &&
          isnan(p.ic025_min) && isnan(p.eb05_min));
}

TEST(comments_and_blank_lines)
{
    struct eng_plan p;
    struct ds_diag d;
    CHECK_INT(s_parse(&p,
                      "\n   # indented comment\n\t\nid = c # the id\n"
                      "title = Lot #4 recall\n" /* '#' inside a word */
                      "method = disproportionality\nprr_min = 2#x\n",
                      &d),
              DS_ECONFIG);
    CHECK_INT(d.line, 7); /* "2#x" is not a number: '#' needs a blank */
    CHECK_INT(s_parse(&p,
                      "id = c # the id\ntitle = Lot #4 recall\n"
                      "method = disproportionality\nprr_min = 2 # Evans\n",
                      &d),
              0);
    CHECK_STR(p.id, "c");
    CHECK_STR(p.title, "Lot");
    CHECK_NEAR(p.prr_min, 2, 0);
}

/* One refused plan: text, the line, a piece of the message. */
struct s_bad {
    const char *text;
    int line;
    const char *why;
};

static const struct s_bad s_bads[] = {
    {"id = a\ncolour = red\nmethod = disproportionality\n", 2,
     "unknown key 'colour'"},
    {"id = a\nalpha = 0.9\n", 2, "bad value '0.9' for alpha"},
    {"id = a\nalpha = 1e\n", 2, "bad value '1e' for alpha"},
    {"id = a\nalpha = nan\n", 2, "for alpha"},
    {"id = a\nalpha = 0x1p-3\n", 2, "for alpha"},
    {"id = a\nwindow_days = 1.5\n", 2, "for window_days"},
    {"id = a\nodds_ratio = 1\n", 2, "for odds_ratio"},
    {"id = a\nmethod = sprt\n", 2, "bad value 'sprt' for method"},
    {"id = a\n\nid = b\n", 3, "duplicate key 'id' (first on line 1)"},
    {"id = a\nevents = A04\nevents = E0505\n", 3, "duplicate key 'events'"},
    {"method = disproportionality\nprr_min = 2\n", 0, "missing id"},
    {"id = a\nprr_min = 2\n", 0, "missing method"},
    {"id = a\n\nmethod = maxsprt-poisson\n", 3,
     "maxsprt-poisson with comparator baseline needs baseline_rate"},
    {"id = a\nmethod = cusum-bernoulli\nh = 3\n", 2,
     "cusum-bernoulli needs baseline_rate"},
    {"id = a\nmethod = cusum-bernoulli\nbaseline_rate = 0.1\n", 2,
     "cusum-bernoulli needs h"},
    {"id = a\nmethod = cusum-bernoulli\nh = 3\nbaseline_rate = 1.5\n", 4,
     "baseline_rate is a probability"},
    {"id = a\nmethod = disproportionality\n", 2,
     "needs at least one of prr_min"},
    {"id = a\nmethod = maxsprt-binomial\n", 2,
     "maxsprt-binomial needs comparator = family"},
    {"id = a\ndevices.product_codes = mgb\n", 2, "bad product code 'mgb'"},
    {"id = a\ndevices.product_codes = MGBX\n", 2, "bad product code"},
    {"id = a\ndevices.product_codes = MGB DTB MGB\n", 2, "'MGB' listed twice"},
    {"id = a\ndevices.udi_di = 00643169007223\n", 2,
     "UDI-DI '00643169007223': check digit is 3, expected 2"},
    {"id = a\ndevices.udi_di = 0064316900722X\n", 2, "bad UDI-DI"},
    {"id = a\ndevices.udi_di = 00643169007222 0643169007222\n", 2,
     "'0643169007222' listed twice"}, /* the same GTIN, padded */
    {"id = a\ndevices.regulations = 870\n", 2, "bad regulation number '870'"},
    {"id = a\nevents = B0101\n", 2, "bad IMDRF code 'B0101'"},
    {"id = Bad_Id\n", 1, "bad id 'Bad_Id'"},
    {"id = a\njust words\n", 2, "expected 'key = value'"},
    {"id = a\ntitle = \x01\n", 2, "control byte 0x01"},
    {"id = a\ntitle = \xff\xfe\n", 2, "not UTF-8"},
    {"id = a\ntitle =   # nothing\n", 2, "key 'title' has no value"},
};

TEST(refusals_name_line_and_reason)
{
    for (size_t i = 0; i < sizeof s_bads / sizeof *s_bads; i++) {
        struct eng_plan p;
        struct ds_diag d;
        int rc = s_parse(&p, s_bads[i].text, &d);
        if (rc != DS_ECONFIG || d.line != s_bads[i].line ||
            strcmp(d.file, "plans/t.plan") != 0 ||
            !strstr(d.msg, s_bads[i].why))
            TEST_FAIL_("case %zu: rc %d, %s:%d: %s", i, rc, d.file, d.line,
                       d.msg);
        CHECK_STR(p.id, ""); /* a refused plan is left at the defaults */
    }
}

TEST(list_too_long)
{
    char text[2048] = "id = a\nmethod = disproportionality\na_min = 3\n"
                      "devices.product_codes =";
    for (int i = 0; i < ENG_PLAN_LIST_MAX + 1; i++) {
        char code[8];
        snprintf(code, sizeof code, " A%c%c", 'A' + i / 26, 'A' + i % 26);
        strcat(text, code);
    }
    struct eng_plan p;
    struct ds_diag d;
    CHECK_INT(s_parse(&p, text, &d), DS_ECONFIG);
    CHECK_INT(d.line, 4);
    CHECK_HAS(d.msg, "devices.product_codes: more than 64 entries");
    text[strlen(text) - 4] = '\0'; /* exactly 64 */
    CHECK_INT(s_parse(&p, text, &d), 0);
    CHECK_INT(p.n_product_codes, 64);
}

TEST(method_names)
{
    CHECK_STR(eng_plan_method_name(ENG_PLAN_CUSUM_BERNOULLI),
              "cusum-bernoulli");
    CHECK_STR(eng_plan_method_name(ENG_PLAN_DISPROP), "disproportionality");
    CHECK_STR(eng_plan_comparator_name(ENG_PLAN_FAMILY), "family");
    CHECK_STR(eng_plan_group_name(ENG_PLAN_BY_MODEL), "model");
    CHECK_STR(eng_plan_after_name(ENG_PLAN_REARM), "rearm");
    CHECK_STR(eng_plan_method_name((enum eng_plan_method)9), "?");
}

int main(void)
{
    RUN(every_key);
    RUN(defaults);
    RUN(comments_and_blank_lines);
    RUN(refusals_name_line_and_reason);
    RUN(list_too_long);
    RUN(method_names);
    return test_report();
}
