/*
 * test_eng_counts.c - the delayed first look of the continuous Poisson
 * MaxSPRT (D > 0, reference/stats.md 1.1 and 1.3): nothing signals while
 * mu < D, however many events pile up; the exposure that carries mu to D is
 * the first look and tests every watching cell of that device with the
 * events gathered so far; after it, outcomes are tested as they arrive.
 * Driven through eng_pipeline like serve and replay, with a temp store.
 */
#include "devsurv/eng_pipeline.h"
#include "devsurv/ds_log.h"
#include "../test.h"

#include <stdlib.h>

static char s_dir[] = "/tmp/devsurv-test-counts-XXXXXX";

struct s_run {
    eng_store_t *st;
    eng_pipeline_t *pl;
    int64_t seq;
    int nsig;
    struct eng_signal sig[4];
};

static void s_on_signal(void *arg, const struct eng_signal *s)
{
    struct s_run *r = arg;
    if (r->nsig < 4)
        r->sig[r->nsig] = *s;
    r->nsig++;
}

static int s_send(struct s_run *r, const char *kind, const char *code)
{
    char j[256];
    snprintf(j, sizeof j,
             "{\"id\":\"c%lld\",\"kind\":\"%s\",\"time\":"
             "\"2026-03-02T10:15:00Z\",\"device\":{\"product_code\":"
             "\"DTB\"},\"event\":{\"code\":\"%s\"}}",
             (long long)r->seq + 1, kind, code);
    struct eng_msg m = {{ds_span_str("h1"), 1, ++r->seq},
                        ds_span_str(ENG_CTYPE_EVENT_JSON),
                        j,
                        strlen(j)};
    int rc = eng_pipeline_submit(r->pl, &m);
    return rc == 0 ? eng_pipeline_commit(r->pl) : rc;
}

/* baseline 0.25 per exposure, D = 2 (reached exactly at exposure 8). */
static int s_open(struct s_run *r, const char *name, double delay)
{
    struct eng_config cfg;
    char path[256];
    memset(r, 0, sizeof *r);
    eng_config_defaults(&cfg);
    cfg.maxsprt.baseline_rate = 0.25;
    cfg.maxsprt.delay = delay;
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    r->st = eng_store_open(path, false, NULL);
    r->pl = r->st ? eng_pipeline_new(&cfg, r->st, NULL) : NULL;
    if (r->pl)
        eng_pipeline_on_signal(r->pl, s_on_signal, r);
    return r->pl ? 0 : -1;
}

static void s_close(struct s_run *r)
{
    eng_pipeline_destroy(&r->pl);
    eng_store_destroy(&r->st);
}

TEST(nothing_signals_before_the_first_look)
{
    struct s_run r;
    CHECK_INT(s_open(&r, "before.db", 2.0), 0);
    for (int i = 0; i < 4; i++) /* mu = 1 */
        CHECK_INT(s_send(&r, "exposure", "E0505"), 0);
    for (int i = 0; i < 8; i++) /* LLR(8, 1) = 9.6 would signal at D = 0 */
        CHECK_INT(s_send(&r, "outcome", "E0505"), 0);
    CHECK_INT(r.nsig, 0);
    s_close(&r);
}

TEST(first_look_tests_every_cell_of_the_device)
{
    struct s_run r;
    CHECK_INT(s_open(&r, "look.db", 2.0), 0);
    const double cv = eng_pipeline_params(r.pl)->maxsprt.cv;
    /* LLR(8, 2) = 2 - 8 + 8 ln 4 = 5.09 crosses; LLR(3, 2) = 0.22 does not
     * (awk 'BEGIN{print 2-8+8*log(4), 2-3+3*log(1.5)}') */
    CHECK(cv > 0.22 && cv < 5.09);
    for (int i = 0; i < 4; i++)
        CHECK_INT(s_send(&r, "exposure", "E0505"), 0);
    for (int i = 0; i < 8; i++)
        CHECK_INT(s_send(&r, "outcome", "E0505"), 0);
    for (int i = 0; i < 3; i++)
        CHECK_INT(s_send(&r, "outcome", "E1205"), 0);
    for (int i = 0; i < 3; i++) /* exposures 5-7: mu 1.25 .. 1.75 */
        CHECK_INT(s_send(&r, "exposure", "E0505"), 0);
    CHECK_INT(r.nsig, 0);
    CHECK_INT(s_send(&r, "exposure", "E0505"), 0); /* 8th: mu = 2 = D */
    CHECK_INT(r.nsig, 1);
    CHECK_STR(r.sig[0].event_code, "E0505");
    CHECK_INT(r.sig[0].seq, r.seq); /* the look is that exposure */
    CHECK_INT(r.sig[0].observed, 8);
    CHECK_NEAR(r.sig[0].expected, 2.0, 0);
    CHECK_NEAR(r.sig[0].statistic, 2 - 8 + 8 * log(4.0), 1e-12);
    CHECK_HAS(r.sig[0].params, "\"D\":2");
    s_close(&r);
}

TEST(after_the_look_outcomes_are_tested_on_arrival)
{
    struct s_run r;
    CHECK_INT(s_open(&r, "after.db", 2.0), 0);
    for (int i = 0; i < 8; i++) /* mu = 2: the look, no cells yet */
        CHECK_INT(s_send(&r, "exposure", "E0505"), 0);
    CHECK_INT(r.nsig, 0);
    int c = 0;
    while (r.nsig == 0 && c < 20) {
        CHECK_INT(s_send(&r, "outcome", "E0505"), 0);
        c++;
    }
    /* first c with LLR(c, 2) >= cv, computed here */
    const double cv = eng_pipeline_params(r.pl)->maxsprt.cv;
    int want = 1;
    while ((2.0 - want) + want * log(want / 2.0) < cv || want <= 2)
        want++;
    CHECK_INT(c, want);
    CHECK_INT(r.sig[0].observed, want);
    s_close(&r);
}

int main(void)
{
    ds_log_set_level(DS_LOG_ERROR);
    if (!mkdtemp(s_dir))
        return 1;
    RUN(nothing_signals_before_the_first_look);
    RUN(first_look_tests_every_cell_of_the_device);
    RUN(after_the_look_outcomes_are_tested_on_arrival);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) != 0 || test_report();
}
