/*
 * test_eng_pipeline.c - messages in, rows, counts and signals out
 * (eng_pipeline.h), the way serve and replay drive it: submit each message
 * into the open batch, commit, and only then hear about signals.
 *
 * Oracle for the signal: the MaxSPRT formula written out here (s_llr), not
 * eng_maxsprt.c. Each test uses its own SQLite file in a temp dir (mkdtemp
 * under /tmp, removed at the end) and eng_config_defaults() with the
 * statistics set on the struct directly. Also here: allocation-failure
 * torture of one submit + commit.
 */
#include "devsurv/eng_pipeline.h"
#include "devsurv/eng_store_read.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"
#include "../test.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#define T_MS 1772446500000LL /* date -u -d 2026-03-02T10:15:00Z +%s%3N */

static char s_dir[] = "/tmp/devsurv-test-pipeline-XXXXXX";

struct s_fix {
    eng_store_t *st;
    eng_pipeline_t *pl;
    struct eng_config cfg;
    int64_t seq;
    int nsig, nsig_at_submit;
    struct eng_signal sig; /* the last one announced */
};

static void s_on_signal(void *arg, const struct eng_signal *s)
{
    struct s_fix *f = arg;
    f->nsig++;
    f->sig = *s;
}

/* Store `name` in the temp dir; pipeline with cfg (defaults unless the
 * caller changed f->cfg first, see s_fix_init). 0 or -1. */
static int s_open(struct s_fix *f, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", s_dir, name);
    f->st = eng_store_open(p, false, NULL);
    f->pl = f->st ? eng_pipeline_new(&f->cfg, f->st, NULL) : NULL;
    if (f->pl)
        eng_pipeline_on_signal(f->pl, s_on_signal, f);
    return f->pl ? 0 : -1;
}

static void s_fix_init(struct s_fix *f, double baseline_rate)
{
    memset(f, 0, sizeof *f);
    eng_config_defaults(&f->cfg);
    f->cfg.maxsprt.baseline_rate = baseline_rate;
    f->cfg.maxsprt.alpha = 0.05;
    f->cfg.maxsprt.min_events = 1;
    f->cfg.maxsprt.max_expected = 20;
    /* the [maxsprt] path alone; the plan stage has test_eng_plan_run.c */
    f->cfg.plans.enabled = false;
}

static void s_close(struct s_fix *f)
{
    eng_pipeline_destroy(&f->pl);
    eng_store_destroy(&f->st);
}

/* Submit payload under key h1/1/<next seq> with content type ctype. */
static int s_submit_as(struct s_fix *f, const char *ctype, const char *json)
{
    struct eng_msg m = {{ds_span_str("h1"), 1, ++f->seq},
                        ds_span_str(ctype),
                        json,
                        strlen(json)};
    int rc = eng_pipeline_submit(f->pl, &m);
    f->nsig_at_submit = f->nsig;
    return rc;
}

static int s_submit(struct s_fix *f, const char *json)
{
    return s_submit_as(f, ENG_CTYPE_EVENT_JSON, json);
}

static int s_event(struct s_fix *f, const char *kind, const char *product,
                   const char *event_code)
{
    char j[512];
    snprintf(j, sizeof j,
             "{\"id\":\"m%lld\",\"kind\":\"%s\",\"time\":"
             "\"2026-03-02T10:15:00Z\",\"device\":{\"product_code\":\"%s\"},"
             "\"event\":{\"code\":\"%s\"}}",
             (long long)f->seq + 1, kind, product, event_code);
    return s_submit(f, j);
}

static int s_expo(struct s_fix *f, const char *product)
{
    return s_event(f, "exposure", product, "E0505");
}

static int s_outcome(struct s_fix *f, const char *product)
{
    return s_event(f, "outcome", product, "E0505");
}

/* One integer from sql on the pipeline's store, -1 on error. */
static int64_t s_q(struct s_fix *f, const char *sql)
{
    sqlite3_stmt *q;
    int64_t v = -1;
    if (sqlite3_prepare_v2(eng_store_db(f->st), sql, -1, &q, NULL) != 0)
        return -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* The continuous Poisson MaxSPRT LLR (reference/stats.md 1.1). */
static double s_llr(double c, double mu)
{
    return c > mu ? (mu - c) + c * log(c / mu) : 0;
}

TEST(one_signal_at_the_first_crossing_after_commit)
{
    struct s_fix f;
    s_fix_init(&f, 0.01);
    CHECK_INT(s_open(&f, "signal.db"), 0);
    for (int i = 0; i < 50; i++)
        CHECK_INT(s_expo(&f, "DTB"), 0);
    CHECK_INT(eng_pipeline_pending(f.pl), 50);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(eng_pipeline_pending(f.pl), 0);
    const double mu = 50 * 0.01;
    /* the exact critical value for alpha .05, T 20, M 1 (stats.md 1.6) */
    const double cv = eng_pipeline_params(f.pl)->maxsprt.cv;
    CHECK_NEAR(cv, 3.628123, 1e-6);
    int first = 1; /* first c with LLR(c, mu) >= cv: 4 (awk: 4.82) */
    while (s_llr(first, mu) < cv)
        first++;
    CHECK_INT(first, 4);
    for (int c = 1; c <= first + 2; c++) {
        CHECK_INT(s_outcome(&f, "DTB"), 0);
        CHECK_INT(f.nsig_at_submit, c <= first ? 0 : 1); /* not in submit */
        CHECK_INT(eng_pipeline_commit(f.pl), 0);
        CHECK_INT(f.nsig, c < first ? 0 : 1); /* after the commit */
    }
    CHECK_INT(eng_pipeline_stats(f.pl)->signals, 1);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM signals"), 1);
    CHECK_STR(f.sig.product_code, "DTB");
    CHECK_STR(f.sig.event_code, "E0505");
    CHECK_STR(f.sig.method, "maxsprt-poisson");
    CHECK_INT(f.sig.observed, first);
    CHECK_NEAR(f.sig.expected, mu, 1e-12);
    CHECK_NEAR(f.sig.statistic, s_llr(first, mu), 1e-9);
    CHECK_NEAR(f.sig.threshold, cv, 0);
    CHECK_STR(f.sig.source, "h1");
    CHECK_INT(f.sig.epoch, 1);
    CHECK_INT(f.sig.seq, 50 + first); /* the triggering outcome */
    CHECK_INT(f.sig.ts_event, T_MS);
    CHECK(f.sig.id > 0);
    CHECK_INT(s_q(&f, "SELECT observed FROM cells"), first + 2);
    CHECK_INT(s_q(&f, "SELECT status = 'signalled' FROM cells"), 1);
    CHECK_INT(s_q(&f, "SELECT committed FROM sources"), 50 + first + 2);
    const struct eng_pipeline_stats *st = eng_pipeline_stats(f.pl);
    CHECK_INT(st->events, 50 + first + 2);
    CHECK_INT(st->exposures, 50);
    CHECK_INT(st->outcomes, first + 2);
    CHECK_INT(st->batches, 1 + first + 2);
    s_close(&f);
}

TEST(rollback_discards_batch_and_its_signals)
{
    struct s_fix f;
    struct eng_store_totals t;
    s_fix_init(&f, 0.001);
    CHECK_INT(s_open(&f, "rollback.db"), 0);
    CHECK_INT(s_expo(&f, "DTB"), 0);
    CHECK_INT(s_outcome(&f, "DTB"), 0); /* LLR(1, 0.001) = 5.9: signals */
    /* totals count committed batches only: nothing yet */
    CHECK_INT(eng_pipeline_stats(f.pl)->signals, 0);
    CHECK_INT(eng_pipeline_stats(f.pl)->events, 0);
    eng_pipeline_rollback(f.pl);
    CHECK_INT(eng_pipeline_stats(f.pl)->signals, 0);
    CHECK_INT(eng_pipeline_pending(f.pl), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0); /* nothing open: no-op */
    CHECK_INT(f.nsig, 0);
    CHECK_INT(eng_store_totals(f.st, &t), 0);
    CHECK_INT(t.events + t.quarantined + t.signals + t.exposures + t.cells, 0);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM sources"), 0);
    s_close(&f);
}

/* Quarantine reason and code of seq, or "" (static buffer). */
static const char *s_reason(struct s_fix *f, int64_t seq, const char **code)
{
    static char reason[512], c[64];
    sqlite3_stmt *q;
    reason[0] = c[0] = '\0';
    *code = c;
    sqlite3_prepare_v2(eng_store_db(f->st),
                       "SELECT reason, code FROM quarantine WHERE seq IS ?", -1,
                       &q, NULL);
    if (seq)
        sqlite3_bind_int64(q, 1, seq);
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(reason, sizeof reason, "%s", sqlite3_column_text(q, 0));
        snprintf(c, sizeof c, "%s", sqlite3_column_text(q, 1));
    }
    sqlite3_finalize(q);
    return reason;
}

TEST(invalid_envelope_is_quarantined_with_the_field_path)
{
    struct s_fix f;
    const char *code;
    s_fix_init(&f, 0.01);
    CHECK_INT(s_open(&f, "invalid.db"), 0);
    CHECK_INT(s_event(&f, "outcome", "dtb", "E0505"), 0);
    CHECK_INT(s_submit(&f, "{\"id\":"), 0); /* not JSON at all */
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(eng_pipeline_stats(f.pl)->quarantined, 2);
    CHECK_INT(eng_pipeline_stats(f.pl)->events, 0);
    CHECK_HAS(s_reason(&f, 1, &code), "device.product_code");
    CHECK_STR(code, ds_strerror(DS_EINVAL));
    CHECK_HAS(s_reason(&f, 2, &code), "invalid JSON");
    CHECK_STR(code, ds_strerror(DS_EPARSE));
    CHECK_INT(s_q(&f, "SELECT count(*) FROM events"), 0);
    CHECK_INT(s_q(&f, "SELECT committed FROM sources"), 2); /* consumed */
    s_close(&f);
}

TEST(oversized_message_is_quarantined)
{
    struct s_fix f;
    const char *code;
    s_fix_init(&f, 0.01);
    f.cfg.ingest.max_msg_size = 1024;
    CHECK_INT(s_open(&f, "big.db"), 0);
    char *big = malloc(1026);
    CHECK(big != NULL);
    memset(big, ' ', 1025); /* blanks: valid JSON only if decoded */
    big[1025] = '\0';
    memcpy(big, "{}", 2);
    CHECK_INT(s_submit(&f, big), 0);
    free(big);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(eng_pipeline_stats(f.pl)->quarantined, 1);
    CHECK_HAS(s_reason(&f, 1, &code), "1025 bytes exceeds");
    CHECK_HAS(s_reason(&f, 1, &code), "ingest.max_msg_size 1024");
    CHECK_STR(code, ds_strerror(DS_ETOOBIG));
    CHECK_INT(s_q(&f, "SELECT length(payload) FROM quarantine"), 1025);
    s_close(&f);
}

TEST(unsupported_content_type_is_quarantined)
{
    struct s_fix f;
    const char *code;
    s_fix_init(&f, 0.01);
    CHECK_INT(s_open(&f, "ctype.db"), 0);
    CHECK_INT(s_submit_as(&f, "text/csv", "{}"), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(eng_pipeline_stats(f.pl)->quarantined, 1);
    CHECK_HAS(s_reason(&f, 1, &code), "unsupported content type");
    CHECK_STR(code, ds_strerror(DS_EUNSUPP));
    CHECK_INT(s_q(&f, "SELECT content_type = 'text/csv'"
                      " FROM quarantine"),
              1);
    s_close(&f);
}

TEST(resubmitting_a_key_is_a_noop)
{
    struct s_fix f;
    int64_t n;
    s_fix_init(&f, 0.01);
    CHECK_INT(s_open(&f, "dup.db"), 0);
    CHECK_INT(s_expo(&f, "DTB"), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    f.seq--; /* the same key again, valid or not */
    CHECK_INT(s_expo(&f, "DTB"), DS_EDUP);
    f.seq--;
    CHECK_INT(s_submit(&f, "not json"), DS_EDUP);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    const struct eng_pipeline_stats *st = eng_pipeline_stats(f.pl);
    CHECK_INT(st->duplicates, 2);
    CHECK_INT(st->events, 1);
    CHECK_INT(st->exposures, 1);
    CHECK_INT(st->quarantined, 0);
    CHECK_INT(eng_store_exposure_get(f.st, ds_span_str("DTB"), &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM quarantine"), 0);
    s_close(&f);
}

TEST(outcomes_without_exposure_count_but_never_signal)
{
    struct s_fix f;
    s_fix_init(&f, 0.01);
    CHECK_INT(s_open(&f, "noexpo.db"), 0);
    for (int i = 0; i < 10; i++)
        CHECK_INT(s_outcome(&f, "LWS"), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(f.nsig, 0);
    CHECK_INT(eng_pipeline_stats(f.pl)->outcomes, 10);
    CHECK_INT(s_q(&f, "SELECT observed FROM cells WHERE product_code = 'LWS'"),
              10);
    CHECK_INT(s_q(&f, "SELECT expected = 0 AND status = 'watching'"
                      " FROM cells"),
              1);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM signals"), 0);
    s_close(&f);
}

TEST(reject_without_a_key)
{
    struct s_fix f;
    const char *code;
    struct eng_msg m = {{ds_span_str("h1"), 1, 0}, {NULL, 0}, "\x01\x02", 2};
    s_fix_init(&f, 0.01);
    CHECK_INT(s_open(&f, "reject.db"), 0);
    CHECK_INT(eng_pipeline_reject(f.pl, &m, DS_EPARSE, "frame 3: bad"), 0);
    CHECK_INT(eng_pipeline_reject(f.pl, &m, DS_EPARSE, "frame 3: bad"), 0);
    CHECK_INT(eng_pipeline_pending(f.pl), 2);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(eng_pipeline_stats(f.pl)->quarantined, 2);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM quarantine WHERE seq IS NULL"), 2);
    CHECK_STR(s_reason(&f, 0, &code), "frame 3: bad");
    CHECK_STR(code, ds_strerror(DS_EPARSE));
    CHECK_INT(s_q(&f, "SELECT count(*) FROM sources"), 0); /* no watermark */
    s_close(&f);
}

static int64_t s_live(void)
{
    struct ds_alloc_stats st;
    ds_alloc_stats(&st);
    return (int64_t)(st.allocs - st.frees);
}

TEST(allocation_failure_torture_submit_commit)
{
    struct s_fix f;
    struct eng_store_totals t;
    s_fix_init(&f, 0.001);
    CHECK_INT(s_open(&f, "torture.db"), 0);
    CHECK_INT(s_expo(&f, "DTB"), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    eng_pipeline_destroy(&f.pl);
    int64_t live = s_live();
    uint64_t k;
    for (k = 1; k < 10000; k++) {
        f.pl = eng_pipeline_new(&f.cfg, f.st, NULL); /* fresh: nothing cached */
        CHECK(f.pl != NULL);
        eng_pipeline_on_signal(f.pl, s_on_signal, &f);
        f.seq = 1;
        ds_alloc_fail_at(k);
        int rc = s_outcome(&f, "DTB"); /* stores, counts and signals */
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (rc == DS_ENOMEM)
            eng_pipeline_rollback(f.pl);
        else if (rc == 0)
            rc = eng_pipeline_commit(f.pl);
        eng_pipeline_destroy(&f.pl);
        if (rc != (fired ? DS_ENOMEM : 0) || s_live() != live)
            TEST_FAIL_("k=%llu fired=%d rc=%d live %lld->%lld",
                       (unsigned long long)k, fired, rc, (long long)live,
                       (long long)s_live());
        CHECK_INT(eng_store_totals(f.st, &t), 0);
        CHECK_INT(t.events, fired ? 1 : 2); /* a failure left nothing */
        CHECK_INT(f.nsig, fired ? 0 : 1);
        if (!fired)
            break;
    }
    CHECK(k > 1); /* some allocation was failed on the way */
    CHECK_INT(t.signals, 1);
    CHECK_INT(f.sig.seq, 2);
    s_close(&f);
}

int main(void)
{
    if (!mkdtemp(s_dir)) {
        printf("FAIL - mkdtemp: %s\n", s_dir);
        return 1;
    }
    ds_log_set_level(DS_LOG_ERROR); /* quarantine warnings are expected */
    RUN(one_signal_at_the_first_crossing_after_commit);
    RUN(rollback_discards_batch_and_its_signals);
    RUN(invalid_envelope_is_quarantined_with_the_field_path);
    RUN(oversized_message_is_quarantined);
    RUN(unsupported_content_type_is_quarantined);
    RUN(resubmitting_a_key_is_a_noop);
    RUN(outcomes_without_exposure_count_but_never_signal);
    RUN(reject_without_a_key);
    RUN(allocation_failure_torture_submit_commit);
    test_rmdir(s_dir);
    return test_report();
}
