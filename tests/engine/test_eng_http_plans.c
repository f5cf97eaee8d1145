/*
 * test_eng_http_plans.c - the cached plan counts of /api/plans
 * (eng_http_plans.c) against their oracle, the plain SQL
 * (eng_http_plans_sql), on a real store (eng_store_open) written between
 * requests the way the engine writes it: signals appended, plan cells
 * upserted and deleted. Also: a store whose signals shrank (cache
 * emptied), a plan that is not text (the SQL answers), more than 1000
 * plans (the first 1000 in order), and text that sorts differently under
 * strcmp and memcmp-then-length.
 */
#include "../../engine/eng_http_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/eng_store.h"
#include "../test.h"

#include <stdlib.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-http-plans-XXXXXX";
static char s_path[256];
static sqlite3 *s_w; /* the writer's connection */
static struct eng_http_req s_r;
static uint64_t s_rng = 88172645463325252u;
static int s_sig; /* signals inserted, for unique keys */

static uint64_t s_next(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return s_rng;
}

static int s_exec(const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(s_w, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "# %s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
    return rc;
}

/* The cached list equals the SQL's; its length in *n. */
static bool s_same(size_t *n)
{
    json_t *a = json_array(), *b = json_array();
    bool ok = eng_http_plans_list(&s_r, a) == 0 &&
              eng_http_plans_sql(&s_r, b) == 0 && json_equal(a, b);
    if (!ok) {
        char *x = json_dumps(a, JSON_COMPACT), *y = json_dumps(b, JSON_COMPACT);
        fprintf(stderr, "# cached %.600s\n# sql    %.600s\n", x, y);
        free(x);
        free(y);
    }
    *n = json_array_size(a);
    json_decref(a);
    json_decref(b);
    return ok;
}

static const char *const s_plans[] = {"p",    "p1", "p10", "p2",   "\xc3\xa9",
                                      "a\"b", "",   "zz",  "p\x01"};
static const char *const s_methods[] = {"cusum-bernoulli", "maxsprt-poisson",
                                        "a"};
static const char *const s_sets[] = {"s1", "s2", "s10"};

static int s_signals(int n)
{
    char sql[512];
    for (int i = 0; i < n; i++) {
        const char *plan = s_plans[s_next() % 9];
        snprintf(sql, sizeof sql,
                 "INSERT INTO signals(plan, product_code, event_code, method,"
                 " statistic, threshold, observed, expected, ts_event, source,"
                 " epoch, seq, params, rules, plans) VALUES('%s', 'D%d',"
                 " 'E1', '%s', 4.0, 3.0, 9, 3.0, 1, 'h', 1, 1, '{}', 'r',"
                 " '%s')",
                 plan, s_sig++, s_methods[s_next() % 3], s_sets[s_next() % 3]);
        if (s_exec(sql) != SQLITE_OK)
            return -1;
    }
    return 0;
}

static int s_cells(int n)
{
    char sql[512];
    for (int i = 0; i < n; i++) {
        int k = (int)(s_next() % 10);
        const char *plan = k < 9 ? s_plans[k] : "cells-only";
        snprintf(sql, sizeof sql,
                 s_next() % 5 == 0
                     ? "DELETE FROM plan_cells WHERE plan = '%s'"
                       " AND device = 'D%d'"
                     : "INSERT OR REPLACE INTO plan_cells(plan, device, event,"
                       " observed, expected, exposures, comp_events,"
                       " comp_exposures, statistic, threshold, status,"
                       " generation, last_ts, state) VALUES('%s', 'D%d', 'E1',"
                       " 1, 1.0, 1, 0, 0, 0.0, 3.0, 'watching', 0, 1, x'')",
                 plan, (int)(s_next() % 20));
        if (s_exec(sql) != SQLITE_OK)
            return -1;
    }
    return 0;
}

TEST(empty_store)
{
    size_t n = 9;
    CHECK(s_same(&n));
    CHECK_INT(n, 0);
    CHECK_INT(eng_http_plans_cached(s_r.h), 0);
}

TEST(appends_and_upserts)
{
    size_t n = 0;
    for (int round = 0; round < 60; round++) {
        CHECK(s_signals((int)(s_next() % 6)) == 0);
        CHECK(s_cells((int)(s_next() % 6)) == 0);
        CHECK(s_same(&n));
        if (round % 7 == 0) /* two requests with nothing new between */
            CHECK(s_same(&n));
    }
    CHECK(n >= 8);
    CHECK(eng_http_plans_cached(s_r.h) >= 7); /* answered from the cache */
}

TEST(store_shrank)
{
    size_t n = 0;
    CHECK(s_same(&n));
    CHECK(eng_http_plans_cached(s_r.h) > 0);
    CHECK(s_exec("DELETE FROM signals") == SQLITE_OK);
    CHECK(s_signals(3) == 0);
    CHECK(s_exec("DELETE FROM signals WHERE id > (SELECT min(id) + 1"
                 " FROM signals)") == SQLITE_OK);
    CHECK(s_same(&n));
    CHECK(eng_http_plans_cached(s_r.h) <= 2);
    CHECK(s_signals(5) == 0);
    CHECK(s_same(&n));
}

TEST(plan_not_text)
{
    size_t n = 0;
    CHECK(s_exec("INSERT INTO signals(plan, product_code, event_code, method,"
                 " statistic, threshold, observed, expected, ts_event, source,"
                 " epoch, seq, params) VALUES(x'70', 'blob', 'E1', 'm', 4.0,"
                 " 3.0, 9, 3.0, 1, 'h', 1, 1, '{}')") == SQLITE_OK);
    CHECK(s_same(&n));
    CHECK_INT(eng_http_plans_cached(s_r.h), 0);
    CHECK(s_exec("DELETE FROM signals WHERE typeof(plan) = 'blob'") ==
          SQLITE_OK);
    CHECK(s_signals(4) == 0); /* all text again: cached again */
    CHECK(s_same(&n));
    CHECK(eng_http_plans_cached(s_r.h) > 0);
}

TEST(more_than_a_thousand)
{
    size_t n = 0;
    CHECK(s_exec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1"
                 " FROM c WHERE x < 1100) INSERT INTO plan_cells(plan, device,"
                 " event, observed, expected, exposures, comp_events,"
                 " comp_exposures, statistic, threshold, status, generation,"
                 " last_ts, state) SELECT 'q' || x, 'D', 'E', 1, 1.0, 1, 0, 0,"
                 " 0.0, 3.0, 'watching', 0, 1, x'' FROM c") == SQLITE_OK);
    CHECK(s_signals(20) == 0);
    CHECK(s_same(&n));
    CHECK_INT(n, 1000);
}

TEST(freed)
{
    CHECK(eng_http_plans_cached(s_r.h) >= 0);
    eng_http_plans_free(s_r.h);
    CHECK_INT(eng_http_plans_cached(s_r.h), -1);
    eng_http_plans_free(s_r.h); /* again: nothing to do */
}

int main(void)
{
    struct ds_diag d;
    ds_diag_clear(&d);
    if (!mkdtemp(s_dir))
        return 1;
    snprintf(s_path, sizeof s_path, "%s/store.db", s_dir);
    eng_store_t *st = eng_store_open(s_path, false, &d);
    s_r.h = ds_calloc(1, sizeof *s_r.h);
    s_r.db = st ? eng_http_db_open(s_path, &d) : NULL;
    if (!st || !s_r.db || !s_r.h) {
        fprintf(stderr, "# setup: %s\n", d.msg);
        return 1;
    }
    s_w = eng_store_db(st);
    RUN(empty_store);
    RUN(appends_and_upserts);
    RUN(store_shrank);
    RUN(plan_not_text);
    RUN(more_than_a_thousand);
    RUN(freed);
    ds_free(s_r.h);
    eng_http_db_close(&s_r.db);
    eng_store_destroy(&st);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return test_report();
}
