/*
 * test_eng_journal.c - the publisher's journal (eng_journal.h) as
 * ds-publish uses it: append rows and the input position together, commit
 * in batches, read committed rows for sending, ACK (which deletes, in
 * bulk), and
 * reopen after a close or a "crash" (destroy with a transaction open).
 *
 * Each test works on its own file in a temp dir that main() removes.
 */
#include "devsurv/eng_journal.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-journal-XXXXXX";
static char s_path[256];

static void s_new_path(const char *name)
{
    snprintf(s_path, sizeof s_path, "%s/%s.db", s_dir, name);
}

static eng_journal_t *s_open(const char *source, bool *created)
{
    struct ds_diag d;
    ds_diag_clear(&d);
    eng_journal_t *j = eng_journal_open(s_path, source, true, created, &d);
    if (!j)
        printf("# open: %s\n", d.msg);
    return j;
}

/* Append count rows with payload "ev-<i>", i from first. */
static int s_append(eng_journal_t *j, int first, int count)
{
    char buf[32];
    for (int i = first; i < first + count; i++) {
        int n = snprintf(buf, sizeof buf, "ev-%d", i);
        int rc = eng_journal_append(j, 1000 + i, "text/x", buf, (size_t)n, NULL,
                                    NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

struct s_seen {
    uint64_t first, last;
    int n;
    char last_payload[32];
};

static int s_collect(void *arg, const struct eng_journal_row *r)
{
    struct s_seen *s = arg;
    if (s->n++ == 0)
        s->first = r->seq;
    s->last = r->seq;
    snprintf(s->last_payload, sizeof s->last_payload, "%.*s", (int)r->payload.n,
             r->payload.p);
    return 0;
}

TEST(new_journal_has_epoch_and_starts_at_one)
{
    bool created = false;
    s_new_path("new");
    eng_journal_t *j = s_open("hospA", &created);
    CHECK(j);
    CHECK(created);
    CHECK(eng_journal_epoch(j) > 1000000000000000ULL); /* Unix us */
    CHECK_STR(eng_journal_source(j), "hospA");
    uint64_t seq = 0;
    CHECK_INT(eng_journal_append(j, 5, "t", "x", 1, &seq, NULL), 0);
    CHECK_INT(seq, 1);
    eng_journal_destroy(&j);
    CHECK(j == NULL);
}

TEST(uncommitted_rows_are_not_readable)
{
    s_new_path("uncommitted");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    CHECK_INT(s_append(j, 1, 10), 0);
    struct s_seen s = {0};
    CHECK_INT(eng_journal_read(j, 1, 100, s_collect, &s, NULL), 0);
    CHECK_INT(eng_journal_durable(j), 0);
    CHECK_INT(eng_journal_commit(j, NULL), 0);
    CHECK_INT(eng_journal_durable(j), 10);
    CHECK_INT(eng_journal_read(j, 3, 4, s_collect, &s, NULL), 4);
    CHECK_INT(s.first, 3);
    CHECK_INT(s.last, 6);
    CHECK_STR(s.last_payload, "ev-6");
    eng_journal_destroy(&j);
}

/* Rows and the input position commit together: a crash (destroy with the
 * transaction open) loses both, so the reader resumes where the committed
 * rows end. */
TEST(input_offset_commits_with_rows)
{
    s_new_path("offset");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    for (int line = 0; line < ENG_JOURNAL_BATCH; line++) {
        CHECK_INT(s_append(j, line + 1, 1), 0);
        CHECK_INT(eng_journal_input_set(j, "file-a", (uint64_t)(line + 1) * 10,
                                        false, NULL),
                  0);
    }
    /* the ENG_JOURNAL_BATCH-th row committed the batch */
    const uint64_t B = ENG_JOURNAL_BATCH;
    CHECK_INT(eng_journal_durable(j), B);
    CHECK_INT(s_append(j, (int)B + 1, 1), 0);
    CHECK_INT(eng_journal_input_set(j, "file-a", (B + 1) * 10, false, NULL), 0);
    eng_journal_destroy(&j); /* crash: row B+1 and its pos never were */

    bool created = true;
    j = s_open("hospA", &created);
    CHECK(j);
    CHECK(!created);
    uint64_t pos = 0;
    bool done = true;
    CHECK_INT(eng_journal_input_get(j, "file-a", &pos, &done, NULL), 0);
    CHECK_INT(pos, B * 10);
    CHECK(!done);
    CHECK_INT(eng_journal_durable(j), B);
    uint64_t seq = 0;
    CHECK_INT(eng_journal_append(j, 0, "t", "x", 1, &seq, NULL), 0);
    CHECK_INT(seq, B + 1); /* no seq skipped, none reused */
    CHECK_INT(eng_journal_input_get(j, "file-b", &pos, &done, NULL),
              DS_ENOTFOUND);
    eng_journal_destroy(&j);
}

TEST(reopen_after_close_resumes)
{
    s_new_path("reopen");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    uint64_t epoch = eng_journal_epoch(j);
    CHECK_INT(s_append(j, 1, 7), 0);
    CHECK_INT(eng_journal_input_set(j, "f", 70, true, NULL), 0);
    CHECK_INT(eng_journal_commit(j, NULL), 0);
    CHECK_INT(eng_journal_ack(j, 3, NULL), 0);
    eng_journal_destroy(&j);
    j = s_open("hospA", NULL);
    CHECK(j);
    CHECK_INT(eng_journal_epoch(j), epoch); /* fixed at creation */
    CHECK_INT(eng_journal_durable(j), 7);
    CHECK_INT(eng_journal_acked(j), 3);
    uint64_t pos;
    bool done = false;
    CHECK_INT(eng_journal_input_get(j, "f", &pos, &done, NULL), 0);
    CHECK(done);
    struct s_seen s = {0};
    CHECK_INT(eng_journal_read(j, 1, 100, s_collect, &s, NULL), 4);
    CHECK_INT(s.first, 4); /* 1..3 were ACKed and deleted */
    eng_journal_destroy(&j);
}

TEST(ack_deletes_and_is_monotonic)
{
    s_new_path("ack");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    CHECK_INT(s_append(j, 1, 20), 0);
    CHECK_INT(eng_journal_commit(j, NULL), 0);
    CHECK_INT(eng_journal_ack(j, 15, NULL), 0);
    CHECK_INT(eng_journal_ack(j, 10, NULL), 0); /* older ACK: no-op */
    CHECK_INT(eng_journal_acked(j), 15);
    struct ds_diag d;
    CHECK_INT(eng_journal_ack(j, 21, &d), DS_ERANGE);
    CHECK_HAS(d.msg, "committed up to 20");
    CHECK_INT(eng_journal_acked(j), 15);
    struct s_seen s = {0};
    CHECK_INT(eng_journal_read(j, 1, 100, s_collect, &s, NULL), 5);
    CHECK_INT(s.first, 16);
    CHECK_INT(eng_journal_ack(j, 20, NULL), 0);
    struct eng_journal_status st;
    CHECK_INT(eng_journal_status(j, &st, NULL), 0);
    CHECK_INT(st.pending, 0);
    CHECK_INT(st.next_seq, 21); /* kept although every row is gone */
    eng_journal_destroy(&j);
}

/* One integer from the file, read with plain SQLite (not through the
 * journal). */
static int64_t s_raw_int(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_open_v2(s_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

/* Rows in the table. */
static int64_t s_rows(void)
{
    return s_raw_int("SELECT count(*) FROM journal");
}

/* ACKed rows are never read again; they leave the table in bulk. */
TEST(ack_deletes_in_bulk)
{
    s_new_path("bulk");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    CHECK_INT(s_append(j, 1, 5000), 0);
    CHECK_INT(eng_journal_commit(j, NULL), 0);
    CHECK_INT(eng_journal_ack(j, 10, NULL), 0);
    CHECK_INT(s_rows(), 5000); /* not yet deleted */
    struct s_seen s = {0};
    CHECK_INT(eng_journal_read(j, 1, 3, s_collect, &s, NULL), 3);
    CHECK_INT(s.first, 11); /* but never read again */
    struct eng_journal_status st;
    CHECK_INT(eng_journal_status(j, &st, NULL), 0);
    CHECK_INT(st.pending, 4990);
    CHECK_INT(eng_journal_ack(j, 4200, NULL), 0); /* 4190 since: bulk */
    CHECK_INT(s_rows(), 800);
    CHECK_INT(eng_journal_ack(j, 4300, NULL), 0);
    CHECK_INT(s_rows(), 800);
    CHECK_INT(eng_journal_ack(j, 5000, NULL), 0); /* all ACKed: emptied */
    CHECK_INT(s_rows(), 0);
    eng_journal_destroy(&j);
    j = s_open("hospA", NULL); /* the ACK record survived the close */
    CHECK(j);
    CHECK_INT(eng_journal_acked(j), 5000);
    eng_journal_destroy(&j);
}

/* Only the last input position of a transaction is written, with it; a
 * crash before COMMIT keeps the previous one. */
TEST(input_position_written_once_per_commit)
{
    s_new_path("inpos");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    for (int i = 1; i <= 50; i++) {
        CHECK_INT(s_append(j, i, 1), 0);
        CHECK_INT(eng_journal_input_set(j, "f", (uint64_t)i * 10, false, NULL),
                  0);
    }
    CHECK_INT(eng_journal_input_set(j, "g", 7, true, NULL), 0);
    CHECK_INT(eng_journal_commit(j, NULL), 0);
    CHECK_INT(s_append(j, 51, 1), 0);
    CHECK_INT(eng_journal_input_set(j, "f", 510, false, NULL), 0);
    eng_journal_destroy(&j); /* "crash": 51 and f=510 roll back */
    j = s_open("hospA", NULL);
    CHECK(j);
    uint64_t pos = 0;
    bool done = true;
    CHECK_INT(eng_journal_input_get(j, "f", &pos, &done, NULL), 0);
    CHECK_INT(pos, 500); /* switching to g wrote f's last position */
    CHECK(!done);
    CHECK_INT(eng_journal_input_get(j, "g", &pos, &done, NULL), 0);
    CHECK_INT(pos, 7);
    CHECK(done);
    CHECK_INT(eng_journal_durable(j), 50);
    eng_journal_destroy(&j);
}

TEST(other_source_is_refused)
{
    s_new_path("source");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    eng_journal_destroy(&j);
    struct ds_diag d;
    ds_diag_clear(&d);
    j = eng_journal_open(s_path, "hospB", true, NULL, &d);
    CHECK(j == NULL);
    CHECK_HAS(d.msg, "belongs to source 'hospA'");
    /* NULL source: open whatever it belongs to (for --status) */
    j = eng_journal_open(s_path, NULL, false, NULL, &d);
    CHECK(j);
    CHECK_STR(eng_journal_source(j), "hospA");
    eng_journal_destroy(&j);
}

TEST(second_writer_is_refused)
{
    s_new_path("lock");
    eng_journal_t *a = s_open("hospA", NULL);
    CHECK(a);
    struct ds_diag d;
    eng_journal_t *b = eng_journal_open(s_path, "hospA", true, NULL, &d);
    CHECK(b == NULL);
    CHECK_HAS(d.msg, "in use");
    eng_journal_destroy(&a);
}

TEST(missing_or_foreign_file_refused)
{
    struct ds_diag d;
    s_new_path("missing");
    CHECK(eng_journal_open(s_path, NULL, false, NULL, &d) == NULL);
    s_new_path("foreign");
    FILE *f = fopen(s_path, "w");
    CHECK(f);
    fputs("not sqlite at all, just text\n", f);
    fclose(f);
    CHECK(eng_journal_open(s_path, "hospA", true, NULL, &d) == NULL);
}

TEST(status_counts)
{
    s_new_path("status");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    CHECK_INT(s_append(j, 1, 12), 0);
    CHECK_INT(eng_journal_input_set(j, "f1", 1, true, NULL), 0);
    CHECK_INT(eng_journal_commit(j, NULL), 0);
    CHECK_INT(eng_journal_ack(j, 5, NULL), 0);
    CHECK_INT(s_append(j, 13, 3), 0); /* open transaction: not counted */
    struct eng_journal_status st;
    CHECK_INT(eng_journal_status(j, &st, NULL), 0);
    CHECK_STR(st.source, "hospA");
    CHECK_INT(st.epoch, eng_journal_epoch(j));
    CHECK_INT(st.journaled, 12);
    CHECK_INT(st.next_seq, 13);
    CHECK_INT(st.acked, 5);
    CHECK_INT(st.pending, 7);
    CHECK_INT(st.oldest_ts_ms, 1006); /* row 6: ts 1000 + 6 */
    CHECK(st.oldest_at_ms > 0);
    CHECK_INT(st.inputs_done, 1);
    eng_journal_destroy(&j);
}

/* A new journal gets 16 KB pages; one created with 4 KB pages (by an
 * earlier ds-publish) keeps them and still journals, reads and ACKs. */
TEST(page_size_new_16k_existing_kept)
{
    s_new_path("pages16");
    eng_journal_t *j = s_open("hospA", NULL);
    CHECK(j);
    eng_journal_destroy(&j);
    CHECK_INT(s_raw_int("PRAGMA page_size"), 16384);
    s_new_path("pages4");
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(s_path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
                           "PRAGMA page_size=4096; PRAGMA journal_mode=WAL;",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    j = s_open("hospA", NULL);
    CHECK(j);
    CHECK_INT(s_append(j, 1, 3), 0);
    CHECK_INT(eng_journal_commit(j, NULL), 0);
    struct s_seen s = {0};
    CHECK_INT(eng_journal_read(j, 1, 10, s_collect, &s, NULL), 3);
    CHECK_STR(s.last_payload, "ev-3");
    CHECK_INT(eng_journal_ack(j, 3, NULL), 0);
    eng_journal_destroy(&j);
    CHECK_INT(s_raw_int("PRAGMA page_size"), 4096);
}

int main(void)
{
    if (!mkdtemp(s_dir)) {
        printf("FAIL - mkdtemp: %s\n", s_dir);
        return 1;
    }
    RUN(new_journal_has_epoch_and_starts_at_one);
    RUN(uncommitted_rows_are_not_readable);
    RUN(input_offset_commits_with_rows);
    RUN(reopen_after_close_resumes);
    RUN(ack_deletes_and_is_monotonic);
    RUN(ack_deletes_in_bulk);
    RUN(input_position_written_once_per_commit);
    RUN(other_source_is_refused);
    RUN(second_writer_is_refused);
    RUN(missing_or_foreign_file_refused);
    RUN(status_counts);
    RUN(page_size_new_16k_existing_kept);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", s_dir);
    return test_report();
}
