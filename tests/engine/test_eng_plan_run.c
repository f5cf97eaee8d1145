/*
 * test_eng_plan_run.c - the surveillance-plan stage (eng_plan_run.h)
 * driven the way serve and replay drive it: native envelopes submitted
 * through eng_pipeline with [plans] enabled and plans.dir a temp dir of
 * small .plan files, then rows read back from the SQLite store.
 *
 * Plans (file-name order):
 *   a-close  maxsprt-poisson MGB x E0505, rate 0.05, T 10, M 1, rearm
 *   a-stay   the same plan with after_signal = stay
 *   b-pump   cusum-bernoulli LZG x E1205, p0 0.1, OR 2, h 50 (no signal)
 *   c-disp   disproportionality DTB NVY x A0401 A0722 (a_min 1000: the
 *            tables count, nothing signals)
 * Oracles: the MaxSPRT LLR written out here; hand counts for the 2x2
 * tables; eng_cusum_update for the chart (the stage's wiring is what is
 * under test). Cells' full state is read back with eng_plan_cells_load.
 * Also here: rollback and restart against a straight run, and
 * allocation-failure torture of one note submit + commit.
 */
#include "devsurv/eng_pipeline.h"
#include "devsurv/eng_plan_cells.h"
#include "devsurv/eng_plan_run.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_clock.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"
#include "../test.h"

#include <dirent.h>
#include <poll.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define T0     1772446500000LL /* 2026-03-02T10:15:00Z */
#define DAY_MS 86400000LL

static char s_dir[] = "/tmp/devsurv-test-plan-run-XXXXXX";
static char s_plans[256];

static const char *const s_plan_files[][2] = {
    {"a-close.plan", "id = a-close\n"
                     "devices.product_codes = MGB\n"
                     "events = E0505\n"
                     "window_days = 30\n"
                     "method = maxsprt-poisson\n"
                     "baseline_rate = 0.05\n"
                     "max_expected = 10\n"
                     "min_events = 1\n"
                     "alpha = 0.05\n"
                     "after_signal = rearm\n"},
    {"a-stay.plan", "id = a-stay\n"
                    "devices.product_codes = MGB\n"
                    "events = E0505\n"
                    "window_days = 30\n"
                    "method = maxsprt-poisson\n"
                    "baseline_rate = 0.05\n"
                    "max_expected = 10\n"
                    "min_events = 1\n"
                    "alpha = 0.05\n"
                    "after_signal = stay\n"},
    {"b-pump.plan", "id = b-pump\n"
                    "devices.product_codes = LZG\n"
                    "events = E1205\n"
                    "window_days = 30\n"
                    "method = cusum-bernoulli\n"
                    "baseline_rate = 0.1\n"
                    "odds_ratio = 2\n"
                    "h = 50\n"},
    {"c-disp.plan", "id = c-disp\n"
                    "devices.product_codes = DTB NVY\n"
                    "events = A0401 A0722\n"
                    "method = disproportionality\n"
                    "prr_min = 2\n"
                    "a_min = 1000\n"},
};

struct s_fix {
    eng_store_t *st;
    eng_pipeline_t *pl;
    struct eng_config cfg;
    int64_t seq;
    int nsig;
    struct eng_signal sig; /* the last one announced */
    char db[600];
};

static void s_on_signal(void *arg, const struct eng_signal *s)
{
    struct s_fix *f = arg;
    f->nsig++;
    f->sig = *s;
}

static void s_fix_init(struct s_fix *f, const char *name)
{
    memset(f, 0, sizeof *f);
    eng_config_defaults(&f->cfg);
    f->cfg.plans.enabled = true;
    snprintf(f->cfg.plans.dir, sizeof f->cfg.plans.dir, "%s", s_plans);
    snprintf(f->cfg.rules.dir, sizeof f->cfg.rules.dir, "rules");
    f->cfg.plans.lateness_hours = 24;
    snprintf(f->db, sizeof f->db, "%s/%s", s_dir, name);
    unlink(f->db); /* a fresh store */
}

/* Pipeline on f's store (opened when not yet). 0 or -1. */
static int s_start(struct s_fix *f)
{
    struct ds_diag diag;
    memset(&diag, 0, sizeof diag);
    if (!f->st)
        f->st = eng_store_open(f->db, false, NULL);
    f->pl = f->st ? eng_pipeline_new(&f->cfg, f->st, &diag) : NULL;
    if (!f->pl) {
        printf("# pipeline: %s\n", diag.msg);
        return -1;
    }
    eng_pipeline_on_signal(f->pl, s_on_signal, f);
    return 0;
}

static void s_close(struct s_fix *f)
{
    eng_pipeline_destroy(&f->pl);
    eng_store_destroy(&f->st);
}

/* ts as RFC 3339 UTC. */
static const char *s_when(int64_t ts)
{
    static char buf[32];
    time_t t = (time_t)(ts / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* Submit one native envelope: kind, patient, time, device product code
 * (NULL: none), event code (NULL: none), text (NULL: none). */
static int s_env(struct s_fix *f, const char *kind, const char *patient,
                 int64_t ts, const char *product, const char *code,
                 const char *text)
{
    char j[1024], pat[64] = "", dev[64] = "", ev[64] = "", tx[512] = "";
    if (patient)
        snprintf(pat, sizeof pat, ",\"patient\":\"%s\"", patient);
    if (product)
        snprintf(dev, sizeof dev, ",\"device\":{\"product_code\":\"%s\"}",
                 product);
    if (code)
        snprintf(ev, sizeof ev, ",\"event\":{\"code\":\"%s\"}", code);
    if (text)
        snprintf(tx, sizeof tx, ",\"text\":\"%s\"", text);
    snprintf(j, sizeof j,
             "{\"id\":\"m%lld\",\"kind\":\"%s\",\"time\":\"%s\""
             "%s%s%s%s}",
             (long long)f->seq + 1, kind, s_when(ts), pat, dev, ev, tx);
    struct eng_msg m = {{ds_span_str("h1"), 1, ++f->seq},
                        ds_span_str(ENG_CTYPE_EVENT_JSON),
                        j,
                        strlen(j)};
    return eng_pipeline_submit(f->pl, &m);
}

static int s_expo(struct s_fix *f, const char *patient, int64_t ts,
                  const char *product)
{
    return s_env(f, "exposure", patient, ts, product, NULL, NULL);
}

static int s_note(struct s_fix *f, const char *patient, int64_t ts,
                  const char *text)
{
    return s_env(f, "note", patient, ts, NULL, NULL, text);
}

static const char s_haematoma[] = "Groin haematoma at the access site.";

/* One integer from sql on f's store, -1 on error. */
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

static double s_qd(struct s_fix *f, const char *sql)
{
    sqlite3_stmt *q;
    double v = NAN;
    if (sqlite3_prepare_v2(eng_store_db(f->st), sql, -1, &q, NULL) != 0)
        return NAN;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Every row of sql, "|"-separated columns, one row a line, into buf. */
static const char *s_rows(struct s_fix *f, const char *sql, char *buf,
                          size_t cap)
{
    sqlite3_stmt *q;
    size_t at = 0;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(eng_store_db(f->st), sql, -1, &q, NULL) != 0)
        return "(sql error)";
    while (sqlite3_step(q) == SQLITE_ROW && at < cap) {
        for (int i = 0; i < sqlite3_column_count(q) && at < cap; i++) {
            const unsigned char *t = sqlite3_column_text(q, i);
            at += (size_t)snprintf(buf + at, cap - at, "%s%s", i ? "|" : "",
                                   t ? (const char *)t : "NULL");
        }
        if (at < cap)
            at += (size_t)snprintf(buf + at, cap - at, "\n");
    }
    sqlite3_finalize(q);
    return buf;
}

static int s_exec(struct s_fix *f, const char *sql)
{
    return sqlite3_exec(eng_store_db(f->st), sql, NULL, NULL, NULL);
}

/* The plan set of the temp dir, cells of f's store loaded into it. */
struct s_cells {
    eng_plan_set_t *set;
    eng_plan_cells_t *cells;
};

static int s_cells_load(struct s_cells *c, struct s_fix *f)
{
    memset(c, 0, sizeof *c);
    if (eng_plan_set_load(&c->set, s_plans, "rules", NULL) != 0)
        return -1;
    c->cells = eng_plan_cells_new(c->set);
    return c->cells && eng_plan_cells_load(c->cells, f->st) == 0 ? 0 : -1;
}

static const struct eng_plan_cell *s_cell(struct s_cells *c, size_t plan,
                                          const char *dev, const char *ev)
{
    struct eng_pcell *p =
        eng_plan_cells_get(c->cells, plan, ds_span_str(dev), ev, false, NULL);
    return p ? &p->st : NULL;
}

static void s_cells_free(struct s_cells *c)
{
    eng_plan_cells_destroy(&c->cells);
    eng_plan_set_destroy(&c->set);
}

/* The continuous Poisson MaxSPRT LLR (reference/stats.md 1.1). */
static double s_llr(double c, double mu)
{
    return c > mu ? (mu - c) + c * log(c / mu) : 0;
}

/* The critical value of plan i of the temp dir's set. */
static double s_cv(size_t i)
{
    eng_plan_set_t *set = NULL;
    struct eng_plan_design d;
    double cv = NAN;
    if (eng_plan_set_load(&set, s_plans, "rules", NULL) == 0 &&
        eng_plan_design_init(&d, eng_plan_set_get(set, i), NULL) == 0)
        cv = d.threshold;
    eng_plan_set_destroy(&set);
    return cv;
}

static const char s_cell_close[] =
    "SELECT %s FROM plan_cells WHERE plan = '%s' AND device = 'MGB'"
    " AND event = 'E0505'";

static int64_t s_close_q(struct s_fix *f, const char *col, const char *plan)
{
    char sql[256];
    snprintf(sql, sizeof sql, s_cell_close, col, plan);
    return s_q(f, sql);
}

/* n MGB exposures of patients <prefix>1..n at ts, committed. */
static int s_expose(struct s_fix *f, const char *prefix, int n, int64_t ts)
{
    for (int i = 1; i <= n; i++) {
        char p[32];
        snprintf(p, sizeof p, "%s%d", prefix, i);
        if (s_expo(f, p, ts, "MGB") != 0)
            return -1;
    }
    return eng_pipeline_commit(f->pl);
}

/* Haematoma notes of patients <prefix>1.. one per commit until a signal
 * (at most max); the number of notes, or -1. */
static int s_until_signal(struct s_fix *f, const char *prefix, int max,
                          int64_t ts)
{
    int nsig = f->nsig;
    for (int c = 1; c <= max; c++) {
        char p[32];
        snprintf(p, sizeof p, "%s%d", prefix, c);
        if (s_note(f, p, ts, s_haematoma) != 0 ||
            eng_pipeline_commit(f->pl) != 0)
            return -1;
        if (f->nsig != nsig)
            return c;
    }
    return -1;
}

TEST(exposures_raise_expected_and_the_crossing_signals)
{
    struct s_fix f;
    s_fix_init(&f, "poisson.db");
    CHECK_INT(s_start(&f), 0);
    CHECK_INT(s_expose(&f, "e", 20, T0), 0);
    CHECK_INT(s_close_q(&f, "exposures", "a-close"), 20);
    CHECK_NEAR(s_qd(&f, "SELECT expected FROM plan_cells WHERE plan ="
                        " 'a-close' AND device = 'MGB'"),
               20 * 0.05, 1e-12);
    CHECK_INT(s_close_q(&f, "observed", "a-close"), 0);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM patient_devices"), 20);
    const double mu = 1.0, cv = s_cv(0);
    CHECK(cv > 0);
    int first = 1; /* first c with LLR(c, mu) >= cv (M = 1) */
    while (s_llr(first, mu) < cv)
        first++;
    CHECK_INT(s_until_signal(&f, "e", 20, T0 + DAY_MS), first);
    CHECK_INT(f.nsig, 2); /* a-close and a-stay, the same test */
    CHECK_STR(f.sig.plan, "a-stay");
    CHECK_STR(f.sig.device, "MGB");
    CHECK_STR(f.sig.event_code, "E0505");
    CHECK_STR(f.sig.method, "maxsprt-poisson");
    CHECK_INT(f.sig.observed, first);
    CHECK_NEAR(f.sig.expected, mu, 1e-12);
    CHECK_NEAR(f.sig.statistic, s_llr(first, mu), 1e-9);
    CHECK_NEAR(f.sig.threshold, cv, 0);
    CHECK_INT(f.sig.generation, 0);
    CHECK_INT(f.sig.seq, 20 + first); /* the note that crossed */
    CHECK_INT(f.sig.ts_event, T0 + DAY_MS);
    /* the signals row carries the rule and plan sets that produced it */
    CHECK_INT(s_q(&f, "SELECT count(*) FROM signals s WHERE plan = 'a-close'"
                      " AND generation = 0 AND method = 'maxsprt-poisson'"
                      " AND product_code = 'MGB' AND event_code = 'E0505'"
                      " AND rules = (SELECT sha256 FROM rulesets"
                      "  WHERE kind = 'rules')"
                      " AND plans = (SELECT sha256 FROM rulesets"
                      "  WHERE kind = 'plans') AND length(rules) = 64"
                      " AND length(plans) = 64"),
              1);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM alerts a JOIN signals s"
                      " ON s.id = a.signal_id WHERE a.status = 'new'"
                      " AND s.plan IN ('a-close', 'a-stay')"),
              2);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM signals WHERE plan = ''"), 0);
    CHECK_INT(s_q(&f, "SELECT status = 'signalled' FROM plan_cells WHERE"
                      " plan = 'a-close' AND device = 'MGB'"),
              1);
    /* one contribution per counted note, each by patient exposure */
    CHECK_INT(s_q(&f, "SELECT count(*) FROM contributions WHERE plan ="
                      " 'a-close' AND link = 'patient-exposure'"),
              first);
    /* a second note of a counted patient is a repeat of its episode */
    CHECK_INT(s_note(&f, "e1", T0 + 2 * DAY_MS, s_haematoma), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(s_close_q(&f, "observed", "a-close"), first);
    CHECK(eng_pipeline_plan_stats(f.pl)->repeats >= 1);
    s_close(&f);
}

/* Submit a note that links nothing and commit, until sql gives want or
 * timeout_ms pass (the re-arm check runs at most once a second). */
static int s_wait_q(struct s_fix *f, const char *sql, int64_t want,
                    int64_t timeout_ms)
{
    int64_t deadline = ds_mono_ms() + timeout_ms;
    while (s_q(f, sql) != want) {
        if (ds_mono_ms() > deadline)
            return -1;
        poll(NULL, 0, 20);
        if (s_note(f, "idle", T0 + DAY_MS, "Routine review.") != 0 ||
            eng_pipeline_commit(f->pl) != 0)
            return -1;
    }
    return 0;
}

TEST(closed_alert_rearms_a_rearm_plan_which_signals_again)
{
    struct s_fix f;
    s_fix_init(&f, "rearm.db");
    CHECK_INT(s_start(&f), 0);
    CHECK_INT(s_expose(&f, "e", 20, T0), 0);
    CHECK(s_until_signal(&f, "e", 20, T0 + DAY_MS) > 0);
    CHECK_INT(f.nsig, 2);
    int64_t obs = s_close_q(&f, "observed", "a-close");
    /* a person closes both alerts (as `devsurv alert` would) */
    CHECK_INT(s_exec(&f, "UPDATE alerts SET status = 'closed'"), SQLITE_OK);
    CHECK_INT(s_wait_q(&f,
                       "SELECT generation FROM plan_cells WHERE plan ="
                       " 'a-close' AND device = 'MGB'",
                       1, 5000),
              0);
    CHECK_INT(s_close_q(&f, "status = 'watching'", "a-close"), 1);
    /* stay: signalled for good, generation 0 */
    CHECK_INT(s_close_q(&f, "status = 'signalled'", "a-stay"), 1);
    CHECK_INT(s_close_q(&f, "generation", "a-stay"), 0);
    /* the segment after the re-arm: new patients, new exposures */
    CHECK_INT(s_expose(&f, "g", 20, T0 + 2 * DAY_MS), 0);
    int n = s_until_signal(&f, "g", 20, T0 + 3 * DAY_MS);
    CHECK(n > 0);
    CHECK_INT(f.nsig, 3); /* a-close only */
    CHECK_STR(f.sig.plan, "a-close");
    CHECK_INT(f.sig.generation, 1);
    CHECK_INT(f.sig.observed, obs + n); /* counts kept counting */
    /* the segment's own test: n events against 20 x 0.05 */
    CHECK_NEAR(f.sig.statistic, s_llr(n, 1.0), 1e-9);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM signals WHERE plan = 'a-close'"),
              2);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM alerts a JOIN signals s ON"
                      " s.id = a.signal_id WHERE s.plan = 'a-close'"
                      " AND s.generation = 1 AND a.status = 'new'"),
              1);
    CHECK_INT(s_close_q(&f, "observed", "a-stay"), obs + n);
    s_close(&f);
}

TEST(rearm_is_seen_after_a_restart)
{
    struct s_fix f;
    s_fix_init(&f, "rearm-restart.db");
    CHECK_INT(s_start(&f), 0);
    CHECK_INT(s_expose(&f, "e", 20, T0), 0);
    CHECK(s_until_signal(&f, "e", 20, T0 + DAY_MS) > 0);
    CHECK_INT(s_exec(&f, "UPDATE alerts SET status = 'closed'"), SQLITE_OK);
    eng_pipeline_destroy(&f.pl);
    CHECK_INT(s_start(&f), 0); /* the first batch checks at once */
    CHECK_INT(s_note(&f, "idle", T0 + DAY_MS, "Routine review."), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(s_close_q(&f, "generation", "a-close"), 1);
    CHECK_INT(s_close_q(&f, "status = 'watching'", "a-close"), 1);
    CHECK_INT(s_close_q(&f, "generation", "a-stay"), 0);
    s_close(&f);
}

/* A stream of two batches: exposures and notes of several patients. */
static int s_batch_a(struct s_fix *f)
{
    int rc = 0;
    for (int i = 1; rc == 0 && i <= 6; i++) {
        char p[16];
        snprintf(p, sizeof p, "r%d", i);
        rc = s_expo(f, p, T0, i % 2 ? "MGB" : "LZG");
    }
    if (rc == 0)
        rc = s_note(f, "r1", T0 + DAY_MS, s_haematoma);
    if (rc == 0)
        rc = s_note(f, "r2", T0 + DAY_MS, "Hyperglycaemia, admitted.");
    return rc == 0 ? eng_pipeline_commit(f->pl) : rc;
}

static int s_batch_b(struct s_fix *f)
{
    int rc = s_note(f, "r3", T0 + 2 * DAY_MS, s_haematoma);
    if (rc == 0)
        rc = s_note(f, "r1", T0 + 3 * DAY_MS, s_haematoma); /* repeat */
    if (rc == 0)
        rc = s_expo(f, "r7", T0 + 3 * DAY_MS, "MGB");
    if (rc == 0)
        rc = s_env(f, "report", "r8", T0 + 3 * DAY_MS, "DTB", "A040101",
                   "Lead fracture.");
    if (rc == 0) /* past the pump trials' window: they close (y = 0) */
        rc = s_note(f, "r9", T0 + 40 * DAY_MS, "Routine review.");
    if (rc == 0) /* behind the watermark: late */
        rc = s_note(f, "r5", T0 + 2 * DAY_MS, s_haematoma);
    return rc;
}

static const char s_state_sql[] =
    "SELECT plan, device, event, observed, expected, exposures, comp_events,"
    " statistic, status, generation, last_ts, hex(state) FROM plan_cells"
    " ORDER BY 1, 2, 3";
static const char s_side_sql[] =
    "SELECT 'e', plan, event, patient, ts, '' FROM episodes UNION ALL"
    " SELECT 't', plan, device, patient, ts, closes FROM trials UNION ALL"
    " SELECT 'c', plan, device, seq, mention, link FROM contributions"
    " UNION ALL SELECT 'l', seq, ts_event, watermark, '', '' FROM late_events"
    " UNION ALL SELECT 'd', patient, product_code, ts, '', '' FROM"
    " patient_devices ORDER BY 1, 2, 3, 4, 5, 6";

/* The straight run: batch a, commit, batch b, commit. */
static int s_straight(struct s_fix *g, char *cells, char *side, size_t cap)
{
    s_fix_init(g, "straight.db");
    int rc = s_start(g);
    if (rc == 0 && (rc = s_batch_a(g)) == 0 && (rc = s_batch_b(g)) == 0)
        rc = eng_pipeline_commit(g->pl);
    if (rc != 0) {
        printf("# straight run: %s: %s\n", ds_strerror(rc),
               g->st ? eng_store_errmsg(g->st) : "");
        return -1;
    }
    s_rows(g, s_state_sql, cells, cap);
    s_rows(g, s_side_sql, side, cap);
    s_close(g);
    return 0;
}

TEST(rollback_restores_the_committed_cells)
{
    static char want[8192], want2[8192], got[8192], got2[8192];
    struct s_fix f, g;
    CHECK_INT(s_straight(&g, want, want2, sizeof want), 0);
    CHECK(strstr(want, "a-close|MGB|E0505|2|") != NULL);
    s_fix_init(&f, "rollback.db");
    CHECK_INT(s_start(&f), 0);
    CHECK_INT(s_batch_a(&f), 0);
    int64_t seq = f.seq;
    CHECK_INT(s_batch_b(&f), 0);
    eng_pipeline_rollback(f.pl);
    f.seq = seq; /* the same messages again */
    CHECK_INT(s_batch_b(&f), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_STR(s_rows(&f, s_state_sql, got, sizeof got), want);
    CHECK_STR(s_rows(&f, s_side_sql, got2, sizeof got2), want2);
    s_close(&f);
}

TEST(restart_continues_the_same_cells)
{
    static char want[8192], want2[8192], got[8192], got2[8192];
    struct s_fix f, g;
    CHECK_INT(s_straight(&g, want, want2, sizeof want), 0);
    s_fix_init(&f, "restart.db");
    CHECK_INT(s_start(&f), 0);
    CHECK_INT(s_batch_a(&f), 0);
    eng_pipeline_destroy(&f.pl);
    CHECK_INT(s_start(&f), 0); /* same store, cells and watermark from it */
    CHECK_INT(s_batch_b(&f), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_STR(s_rows(&f, s_state_sql, got, sizeof got), want);
    CHECK_STR(s_rows(&f, s_side_sql, got2, sizeof got2), want2);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM late_events"), 1);
    s_close(&f);
}

TEST(cusum_trials_close_with_the_watermark_or_on_a_linked_event)
{
    struct s_fix f;
    struct s_cells c;
    s_fix_init(&f, "cusum.db");
    CHECK_INT(s_start(&f), 0);
    CHECK_INT(s_expo(&f, "c1", T0, "LZG"), 0);
    CHECK_INT(s_expo(&f, "c2", T0, "LZG"), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM trials WHERE plan = 'b-pump'"
                      " AND closes = ts + 30 * 86400000"),
              2);
    /* c2's hyperglycaemia, linked through its pump: y = 1 */
    CHECK_INT(s_note(&f, "c2", T0 + 2 * DAY_MS, "Hyperglycaemia, admitted."),
              0);
    /* a pump named in text without an exposure opens no trial: no y */
    CHECK_INT(s_note(&f, "c3", T0 + 2 * DAY_MS,
                     "Insulin pump alarm; hyperglycaemia today."),
              0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM trials WHERE patient = 'c1'"), 1);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM trials"), 1);
    CHECK_INT(s_cells_load(&c, &f), 0);
    const struct eng_plan_cell *st = s_cell(&c, 2, "LZG", "E1205");
    CHECK(st != NULL);
    CHECK_INT(st->cusum.n, 1);
    CHECK_INT(st->observed, 1);
    CHECK_INT(st->exposures, 2);
    struct eng_plan_design d;
    CHECK_INT(eng_plan_design_init(&d, eng_plan_set_get(c.set, 2), NULL), 0);
    struct eng_cusum_state ref;
    double v;
    eng_cusum_init(&ref);
    eng_cusum_update(&ref, &d.cusum, true, 0.1, &v);
    CHECK_NEAR(st->cusum.s, ref.s, 1e-12);
    CHECK(ref.s > 0);
    s_cells_free(&c);
    /* 30 days + 24 h lateness later the watermark passes c1's window */
    CHECK_INT(
        s_note(&f, "x", T0 + 30 * DAY_MS + 12 * 3600000LL, "Routine review."),
        0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM trials"), 1); /* not yet */
    CHECK_INT(s_note(&f, "x", T0 + 31 * DAY_MS + 1000, "Routine review."), 0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM trials"), 0);
    CHECK_INT(s_cells_load(&c, &f), 0);
    st = s_cell(&c, 2, "LZG", "E1205");
    CHECK(st != NULL);
    CHECK_INT(st->cusum.n, 2);
    CHECK_INT(st->observed, 1);
    eng_cusum_update(&ref, &d.cusum, false, 0.1, &v);
    CHECK_NEAR(st->cusum.s, ref.s, 1e-12);
    s_cells_free(&c);
    s_close(&f);
}

TEST(disproportionality_tables_match_hand_counts)
{
    static const struct {
        const char *dev, *code;
    } reps[] = {
        {"DTB", "A040101"}, /* r1: DTB, fracture (A0401) */
        {"DTB", "A040101"}, /* r2 */
        {"DTB", "A0722"},   /* r3: DTB, impedance */
        {"NVY", "A040101"}, /* r4: NVY, fracture */
        {"LWS", "A0722"},   /* r5: outside the group, impedance */
        {"LWS", "E0505"},   /* r6: neither event */
        {"NVY", "A0722"},   /* r7 */
    };
    struct s_fix f;
    struct s_cells c;
    s_fix_init(&f, "disprop.db");
    CHECK_INT(s_start(&f), 0);
    for (size_t i = 0; i < sizeof reps / sizeof reps[0]; i++)
        CHECK_INT(s_env(&f, "report", NULL, T0 + (int64_t)i * 1000, reps[i].dev,
                        reps[i].code, "Device problem reported."),
                  0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(s_cells_load(&c, &f), 0);
    static const struct {
        const char *dev, *ev;
        int64_t a, b, c, d;
    } want[] = {
        /* a: this device and event; b: device, other; c: other, event */
        {"DTB", "A0401", 2, 1, 1, 3},
        {"DTB", "A0722", 1, 2, 2, 2},
        {"NVY", "A0401", 1, 1, 2, 3},
        {"NVY", "A0722", 1, 1, 2, 3},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct eng_plan_cell *st = s_cell(&c, 3, want[i].dev, want[i].ev);
        CHECK(st != NULL);
        if (st->table.a != want[i].a || st->table.b != want[i].b ||
            st->table.c != want[i].c || st->table.d != want[i].d)
            TEST_FAIL_("%s x %s: a b c d = %lld %lld %lld %lld, want %lld "
                       "%lld %lld %lld",
                       want[i].dev, want[i].ev, (long long)st->table.a,
                       (long long)st->table.b, (long long)st->table.c,
                       (long long)st->table.d, (long long)want[i].a,
                       (long long)want[i].b, (long long)want[i].c,
                       (long long)want[i].d);
        CHECK_INT(st->table.a + st->table.b + st->table.c + st->table.d, 7);
    }
    CHECK(s_cell(&c, 3, "LWS", "A0722") == NULL); /* not in the group */
    s_cells_free(&c);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM contributions WHERE plan ="
                      " 'c-disp' AND link = 'report-device'"),
              5); /* r1 r2 r3 r4 r7 */
    CHECK_INT(s_q(&f, "SELECT count(*) FROM signals"), 0);
    s_close(&f);
}

TEST(a_table_that_cannot_be_estimated_yet_commits)
{
    /* the first report: a = 1, b = c = d = 0, PRR NaN (c = 0) */
    struct s_fix f;
    struct s_cells c;
    s_fix_init(&f, "nan.db");
    CHECK_INT(s_start(&f), 0);
    CHECK_INT(s_env(&f, "report", NULL, T0, "DTB", "A040101", "Lead fracture."),
              0);
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(s_q(&f, "SELECT count(*) FROM plan_cells WHERE plan = 'c-disp'"
                      " AND device = 'DTB' AND event = 'A0401'"
                      " AND statistic = 0 AND observed = 0"),
              1);
    CHECK_INT(s_cells_load(&c, &f), 0); /* the state blob keeps the NaN */
    const struct eng_plan_cell *st = s_cell(&c, 3, "DTB", "A0401");
    CHECK(st != NULL);
    CHECK(isnan(st->statistic));
    CHECK_INT(st->table.a, 1);
    s_cells_free(&c);
    eng_pipeline_destroy(&f.pl);
    CHECK_INT(s_start(&f), 0); /* and loads again */
    s_close(&f);
}

static int64_t s_live(void)
{
    struct ds_alloc_stats st;
    ds_alloc_stats(&st);
    return (int64_t)(st.allocs - st.frees - st.reallocs);
}

TEST(allocation_failure_torture_note_submit_commit)
{
    struct s_fix f;
    s_fix_init(&f, "torture.db");
    CHECK_INT(s_start(&f), 0);
    CHECK_INT(s_expose(&f, "e", 20, T0), 0); /* expected 1 */
    int first = 1;
    while (s_llr(first, 1.0) < s_cv(0))
        first++;
    for (int i = 2; i <= first; i++) { /* one event short of a signal */
        char p[16];
        snprintf(p, sizeof p, "e%d", i);
        CHECK_INT(s_note(&f, p, T0 + DAY_MS, s_haematoma), 0);
    }
    CHECK_INT(eng_pipeline_commit(f.pl), 0);
    CHECK_INT(f.nsig, 0);
    eng_pipeline_destroy(&f.pl);
    const int64_t seq = f.seq, obs = first - 1;
    const int64_t contrib = s_q(&f, "SELECT count(*) FROM contributions");
    const int64_t mentions = s_q(&f, "SELECT count(*) FROM mentions");
    const int64_t devices = s_q(&f, "SELECT count(*) FROM patient_devices");
    int64_t live = s_live();
    uint64_t k;
    int fired = 1;
    for (k = 1; k < 100000 && fired; k++) {
        CHECK_INT(s_start(&f), 0); /* fresh: nothing cached */
        f.seq = seq;
        ds_alloc_fail_at(k); /* extracts, records, links, counts, signals */
        int rc = s_note(&f, "e1", T0 + DAY_MS,
                        "Groin haematoma at the access site; ICD lead "
                        "implanted.");
        fired = ds_alloc_fail_fired();
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
        /* a failure leaves nothing of the note behind */
        int64_t ok = fired ? 0 : 1;
        CHECK_INT(s_q(&f, "SELECT count(*) FROM events"), seq + ok);
        CHECK_INT(s_q(&f, "SELECT count(*) FROM mentions"), mentions + ok * 2);
        CHECK_INT(s_q(&f, "SELECT count(*) FROM contributions"),
                  contrib + ok * 2); /* a-close and a-stay */
        CHECK_INT(s_q(&f, "SELECT count(*) FROM patient_devices"),
                  devices + ok); /* the ICD lead */
        CHECK_INT(s_close_q(&f, "observed", "a-close"), obs + ok);
        CHECK_INT(s_q(&f, "SELECT count(*) FROM signals"), ok * 2);
        CHECK_INT(f.nsig, ok * 2);
    }
    printf("# %llu allocation failure points\n", (unsigned long long)k - 2);
    CHECK(k > 10); /* allocations were failed on the way (16 since the
                      envelope parser stopped allocating per field) */
    CHECK_STR(f.sig.plan, "a-stay");
    CHECK_INT(f.sig.seq, seq + 1);
    s_close(&f);
}

static int s_write(const char *name, const char *text)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", s_plans, name);
    FILE *fp = fopen(p, "w");
    if (!fp)
        return -1;
    int rc = fputs(text, fp) < 0 ? -1 : 0;
    return fclose(fp) != 0 ? -1 : rc;
}

int main(void)
{
    if (!mkdtemp(s_dir)) {
        printf("FAIL - mkdtemp: %s\n", s_dir);
        return 1;
    }
    snprintf(s_plans, sizeof s_plans, "%s/plans", s_dir);
    int bad = mkdir(s_plans, 0700) != 0;
    for (size_t i = 0; !bad && i < sizeof s_plan_files / sizeof *s_plan_files;
         i++)
        bad = s_write(s_plan_files[i][0], s_plan_files[i][1]) != 0;
    if (bad) {
        printf("FAIL - setup: cannot write plans in %s\n", s_plans);
        return 1;
    }
    ds_log_set_level(DS_LOG_ERROR);
    RUN(exposures_raise_expected_and_the_crossing_signals);
    RUN(closed_alert_rearms_a_rearm_plan_which_signals_again);
    RUN(rearm_is_seen_after_a_restart);
    RUN(rollback_restores_the_committed_cells);
    RUN(restart_continues_the_same_cells);
    RUN(cusum_trials_close_with_the_watermark_or_on_a_linked_event);
    RUN(disproportionality_tables_match_hand_counts);
    RUN(a_table_that_cannot_be_estimated_yet_commits);
    RUN(allocation_failure_torture_note_submit_commit);
    test_rmdir(s_dir);
    return test_report();
}
