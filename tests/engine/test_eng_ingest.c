/*
 * test_eng_ingest.c - per-(source, epoch) sequencing (eng_ingest.h) the
 * way eng_serve drives it: look a stream up for each inbound EV, check its
 * seq, mark it applied, then commit (or roll back) and ACK what changed.
 *
 * The watermark store is a real SQLite file in a temp dir (mkdtemp under
 * /tmp, removed at the end). Time is passed in as now_ms: nothing sleeps.
 */
#include "devsurv/eng_ingest.h"
#include "devsurv/eng_store_events.h"
#include "../test.h"

#include <stdlib.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-ingest-XXXXXX";
static char s_db[sizeof s_dir + 16];

static void s_unlink_db(void)
{
    char p[sizeof s_db + 8];
    unlink(s_db);
    snprintf(p, sizeof p, "%s-wal", s_db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", s_db);
    unlink(p);
}

/* Fresh store, with (h1, epoch 3) committed up to 41 and (h1, 4) to 7. */
static eng_store_t *s_store(void)
{
    s_unlink_db();
    eng_store_t *st = eng_store_open(s_db, false, NULL);
    if (!st || eng_store_begin(st) != 0 ||
        eng_store_source_put(st, ds_span_str("h1"), 3, 41) != 0 ||
        eng_store_source_put(st, ds_span_str("h1"), 4, 7) != 0 ||
        eng_store_commit(st) != 0)
        eng_store_destroy(&st);
    return st;
}

static struct eng_ingest_src *s_src(eng_ingest_t *in, const char *source,
                                    int64_t epoch, const char *rid)
{
    return eng_ingest_src(in, ds_span_str(source), epoch, rid, strlen(rid));
}

/* eng_ingest_check at now_ms; *resend out. */
static enum eng_ingest_verdict s_check(eng_ingest_t *in,
                                       struct eng_ingest_src *src, int64_t seq,
                                       int64_t now_ms, bool *resend)
{
    *resend = true; /* eng_ingest_check must overwrite it */
    return eng_ingest_check(in, src, seq, now_ms, resend);
}

TEST(first_sight_loads_committed_from_store)
{
    eng_store_t *st = s_store();
    CHECK(st != NULL);
    eng_ingest_t *in = eng_ingest_new(st);
    CHECK(in != NULL);
    struct eng_ingest_src *a = s_src(in, "h1", 3, "r");
    struct eng_ingest_src *b = s_src(in, "h2", 3, "r");
    CHECK(a != NULL && b != NULL);
    CHECK_STR(a->source, "h1");
    CHECK_INT(a->epoch, 3);
    CHECK_INT(a->committed, 41);
    CHECK_INT(a->expected, 42);
    CHECK(!a->need_ack);
    CHECK_INT(b->committed, 0); /* unknown stream starts at 0 */
    CHECK_INT(b->expected, 1);
    CHECK(s_src(in, "h1", 3, "r") == a); /* second sight: same stream */
    eng_ingest_destroy(&in);
    CHECK(in == NULL);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

TEST(separate_epochs_are_separate_streams)
{
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    CHECK(in != NULL);
    struct eng_ingest_src *e3 = s_src(in, "h1", 3, "r");
    struct eng_ingest_src *e4 = s_src(in, "h1", 4, "r");
    CHECK(e3 != NULL && e4 != NULL && e3 != e4);
    CHECK_INT(e3->committed, 41);
    CHECK_INT(e4->committed, 7);
    eng_ingest_applied(in, e4);
    CHECK_INT(e3->expected, 42);
    CHECK_INT(e4->expected, 9);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

TEST(apply_dup_gap_verdicts)
{
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    bool resend;
    CHECK(in != NULL);
    struct eng_ingest_src *s = s_src(in, "h1", 3, "r");
    CHECK_INT(s_check(in, s, 42, 0, &resend), ENG_INGEST_APPLY);
    CHECK(!resend);
    CHECK(!s->need_ack); /* check alone changes nothing */
    CHECK_INT(s->expected, 42);
    CHECK_INT(s_check(in, s, 41, 0, &resend), ENG_INGEST_DUP);
    CHECK(!resend);
    CHECK(s->need_ack); /* a duplicate is re-ACKed */
    CHECK_INT(s_check(in, s, 1, 0, &resend), ENG_INGEST_DUP);
    CHECK_INT(s_check(in, s, 43, 0, &resend), ENG_INGEST_GAP);
    CHECK(resend);
    const struct eng_ingest_stats *stats = eng_ingest_stats(in);
    CHECK_INT(stats->duplicates, 2);
    CHECK_INT(stats->gaps, 1);
    CHECK_INT(stats->resends, 1);
    CHECK_INT(stats->applied, 0);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

TEST(resend_is_rate_limited_per_expected)
{
    const int64_t t0 = 1000000;
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    bool resend;
    CHECK(in != NULL);
    struct eng_ingest_src *s = s_src(in, "h2", 1, "r");
    CHECK_INT(s_check(in, s, 5, t0, &resend), ENG_INGEST_GAP);
    CHECK(resend); /* first gap: ask */
    CHECK_INT(s_check(in, s, 6, t0 + 10, &resend), ENG_INGEST_GAP);
    CHECK(!resend); /* 10 ms later: already asked */
    CHECK_INT(s_check(in, s, 6, t0 + ENG_INGEST_RESEND_MS - 1, &resend),
              ENG_INGEST_GAP);
    CHECK(!resend);
    CHECK_INT(s_check(in, s, 7, t0 + ENG_INGEST_RESEND_MS, &resend),
              ENG_INGEST_GAP);
    CHECK(resend); /* the limit has passed: ask again */
    const int64_t t1 = t0 + ENG_INGEST_RESEND_MS;
    CHECK_INT(s_check(in, s, 1, t1 + 1, &resend), ENG_INGEST_APPLY);
    eng_ingest_applied(in, s);
    CHECK_INT(s_check(in, s, 7, t1 + 2, &resend), ENG_INGEST_GAP);
    CHECK(resend); /* expected moved: a new gap, asked at once */
    CHECK_INT(s->resend_for, 2);
    CHECK_INT(eng_ingest_stats(in)->resends, 3);
    CHECK_INT(eng_ingest_stats(in)->gaps, 5);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

TEST(applied_then_committed_moves_committed)
{
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    CHECK(in != NULL);
    struct eng_ingest_src *s = s_src(in, "h1", 3, "r");
    eng_ingest_applied(in, s);
    eng_ingest_applied(in, s);
    CHECK_INT(s->expected, 44);
    CHECK_INT(s->committed, 41); /* not durable yet */
    CHECK(s->need_ack);
    eng_ingest_committed(in);
    CHECK_INT(s->committed, 43);
    CHECK_INT(s->expected, 44);
    CHECK_INT(eng_ingest_stats(in)->applied, 2);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

TEST(rolled_back_rewinds_expected)
{
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    bool resend;
    CHECK(in != NULL);
    struct eng_ingest_src *s = s_src(in, "h1", 3, "r");
    eng_ingest_applied(in, s);
    eng_ingest_committed(in);
    eng_ingest_applied(in, s);
    eng_ingest_applied(in, s);
    CHECK_INT(s->expected, 45);
    eng_ingest_rolled_back(in);
    CHECK_INT(s->committed, 42);
    CHECK_INT(s->expected, 43);
    /* the rolled-back seqs are wanted again, not duplicates */
    CHECK_INT(s_check(in, s, 43, 0, &resend), ENG_INGEST_APPLY);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

struct s_acks {
    int n;
    char source[4][ENG_WIRE_SOURCE_MAX + 1];
    int64_t epoch[4], committed[4];
    size_t rid_len[4];
};

static void s_on_ack(void *arg, const struct eng_ingest_src *src)
{
    struct s_acks *a = arg;
    if (a->n < 4) {
        memcpy(a->source[a->n], src->source, sizeof a->source[0]);
        a->epoch[a->n] = src->epoch;
        a->committed[a->n] = src->committed;
        a->rid_len[a->n] = src->rid_len;
    }
    a->n++;
}

TEST(each_ack_visits_only_streams_needing_one)
{
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    struct s_acks acks = {.n = 0};
    bool resend;
    CHECK(in != NULL);
    struct eng_ingest_src *a = s_src(in, "h1", 3, "ra");
    struct eng_ingest_src *b = s_src(in, "h1", 4, "rb");
    struct eng_ingest_src *c = s_src(in, "h3", 1, "rc");
    CHECK(a && b && c);
    eng_ingest_applied(in, a);
    CHECK_INT(s_check(in, c, 9, 0, &resend), ENG_INGEST_GAP); /* no ACK */
    eng_ingest_committed(in);
    eng_ingest_each_ack(in, s_on_ack, &acks);
    CHECK_INT(acks.n, 1);
    CHECK_STR(acks.source[0], "h1");
    CHECK_INT(acks.epoch[0], 3);
    CHECK_INT(acks.committed[0], 42);
    CHECK_INT(acks.rid_len[0], 2);
    CHECK(!a->need_ack);
    acks.n = 0;
    eng_ingest_each_ack(in, s_on_ack, &acks);
    CHECK_INT(acks.n, 0); /* flag cleared */
    CHECK_INT(s_check(in, b, 3, 0, &resend), ENG_INGEST_DUP);
    eng_ingest_each_ack(in, s_on_ack, &acks);
    CHECK_INT(acks.n, 1); /* the DUP asked for one */
    CHECK_INT(acks.epoch[0], 4);
    CHECK_INT(acks.committed[0], 7);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

TEST(routing_id_last_one_wins)
{
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    CHECK(in != NULL);
    struct eng_ingest_src *s = s_src(in, "h1", 3, "first-peer");
    CHECK(s != NULL);
    CHECK_INT(s->rid_len, 10);
    CHECK(memcmp(s->rid, "first-peer", 10) == 0);
    CHECK(s_src(in, "h1", 3, "2nd") == s); /* reconnected publisher */
    CHECK_INT(s->rid_len, 3);
    CHECK(memcmp(s->rid, "2nd", 3) == 0);
    const uint8_t bin[5] = {0, 0x80, 0xff, 0, 1}; /* ZeroMQ ids are bytes */
    CHECK(eng_ingest_src(in, ds_span_str("h1"), 3, bin, sizeof bin) == s);
    CHECK_INT(s->rid_len, 5);
    CHECK(memcmp(s->rid, bin, 5) == 0);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

TEST(streams_stay_put_as_the_table_grows)
{
    /* Borrowed "valid until destroy": adding streams must not move them. */
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    struct eng_ingest_src *first[40];
    char name[16];
    CHECK(in != NULL);
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "h%d", i);
        first[i] = s_src(in, name, 1, "r");
        CHECK(first[i] != NULL);
        eng_ingest_applied(in, first[0]);
    }
    CHECK_INT(first[0]->expected, 41);
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "h%d", i);
        CHECK(s_src(in, name, 1, "r") == first[i]);
    }
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

TEST(source_too_long_is_refused)
{
    eng_store_t *st = s_store();
    eng_ingest_t *in = eng_ingest_new(st);
    char big[ENG_WIRE_SOURCE_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(in != NULL);
    CHECK(s_src(in, big, 1, "r") == NULL);
    big[ENG_WIRE_SOURCE_MAX] = '\0'; /* 64 bytes fit */
    struct eng_ingest_src *s = s_src(in, big, 1, "r");
    CHECK(s != NULL);
    CHECK_INT(strlen(s->source), ENG_WIRE_SOURCE_MAX);
    eng_ingest_destroy(&in);
    eng_store_destroy(&st);
}

int main(void)
{
    if (!mkdtemp(s_dir)) {
        printf("FAIL - mkdtemp: %s\n", s_dir);
        return 1;
    }
    snprintf(s_db, sizeof s_db, "%s/ingest.db", s_dir);
    RUN(first_sight_loads_committed_from_store);
    RUN(separate_epochs_are_separate_streams);
    RUN(apply_dup_gap_verdicts);
    RUN(resend_is_rate_limited_per_expected);
    RUN(applied_then_committed_moves_committed);
    RUN(rolled_back_rewinds_expected);
    RUN(each_ack_visits_only_streams_needing_one);
    RUN(routing_id_last_one_wins);
    RUN(streams_stay_put_as_the_table_grows);
    RUN(source_too_long_is_refused);
    s_unlink_db();
    rmdir(s_dir);
    return test_report();
}
