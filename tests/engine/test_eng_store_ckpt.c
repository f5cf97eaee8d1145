/*
 * test_eng_store_ckpt.c - the background WAL checkpointer: commits that
 * fill the WAL wake it, it copies the frames into the database file while
 * the writer goes on, a failed start leaves SQLite's autocheckpoint, and
 * stop joins the thread and restores the autocheckpoint.
 *
 * Waits are polls of a condition with a deadline (no fixed sleeps).
 */
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_ckpt.h"
#include "devsurv/ds_clock.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-ckpt-XXXXXX";

static eng_store_t *s_open(const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", s_dir, name);
    return eng_store_open(p, false, NULL);
}

/* Commit `n` batches of 40 rows of ~1 KB into a scratch table. */
static int s_fill(eng_store_t *st, int n)
{
    sqlite3 *db = eng_store_db(st);
    if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS t(x BLOB)", NULL, NULL,
                     NULL) != SQLITE_OK)
        return -1;
    for (int b = 0; b < n; b++) {
        if (eng_store_begin(st) != 0)
            return -1;
        if (sqlite3_exec(db,
                         "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT"
                         " i + 1 FROM c WHERE i < 40) INSERT INTO t SELECT"
                         " randomblob(1000) FROM c",
                         NULL, NULL, NULL) != SQLITE_OK)
            return -1;
        if (eng_store_commit(st) != 0)
            return -1;
    }
    return 0;
}

/* Poll until a run has left at least `frames` backfilled, up to 10 s. */
static bool s_wait_backfilled(eng_store_ckpt_t *ck, uint64_t frames)
{
    int64_t end = ds_mono_ms() + 10000;
    while (eng_store_ckpt_stats(ck).backfilled < frames) {
        if (ds_mono_ms() > end)
            return false;
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
    return true;
}

static int64_t s_pragma(eng_store_t *st, const char *sql)
{
    sqlite3_stmt *q;
    int64_t v = -1;
    if (sqlite3_prepare_v2(eng_store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

TEST(commits_wake_the_thread)
{
    eng_store_t *st = s_open("a.db");
    CHECK(st != NULL);
    struct ds_diag diag;
    /* 100: above the frames the schema migrations leave in the WAL */
    eng_store_ckpt_t *ck = eng_store_ckpt_start(eng_store_db(st), 100, &diag);
    CHECK(ck != NULL);
    CHECK_INT(eng_store_ckpt_stats(ck).runs, 0);
    CHECK_INT(s_fill(st, 1), 0); /* ~11 pages: below 100, no run */
    CHECK_INT(eng_store_ckpt_stats(ck).runs, 0);
    CHECK_INT(s_fill(st, 20), 0); /* well over 100 pages */
    CHECK(s_wait_backfilled(ck, 50));
    struct eng_store_ckpt_stats s = eng_store_ckpt_stats(ck);
    CHECK(s.runs >= 1);
    CHECK_INT(s.failed, 0);
    /* the writer's own autocheckpoint is off while the thread runs (the
     * pragma reads 0 when the WAL hook is not SQLite's) and back after */
    CHECK_INT(s_pragma(st, "PRAGMA wal_autocheckpoint"), 0);
    eng_store_ckpt_stop(&ck);
    CHECK(ck == NULL);
    CHECK_INT(s_pragma(st, "PRAGMA wal_autocheckpoint"), 1000);
    eng_store_ckpt_stop(&ck); /* safe on NULL */
    CHECK_INT(s_pragma(st, "SELECT count(*) FROM t"), 21 * 40);
    eng_store_destroy(&st);
    /* reopened, every row is there */
    st = s_open("a.db");
    CHECK(st != NULL);
    CHECK_INT(s_pragma(st, "SELECT count(*) FROM t"), 21 * 40);
    eng_store_destroy(&st);
}

TEST(bad_arguments_refused)
{
    struct ds_diag diag;
    CHECK(eng_store_ckpt_start(NULL, 10, &diag) == NULL);
    CHECK(strstr(diag.msg, "bad args") != NULL);
    eng_store_t *st = s_open("b.db");
    CHECK(st != NULL);
    CHECK(eng_store_ckpt_start(eng_store_db(st), 0, &diag) == NULL);
    eng_store_ckpt_t *ck =
        eng_store_ckpt_start(eng_store_db(st), 10, NULL); /* no diag */
    CHECK(ck != NULL);
    eng_store_ckpt_stop(&ck);
    eng_store_destroy(&st);
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    RUN(commits_wake_the_thread);
    RUN(bad_arguments_refused);
    int rc = test_report();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
