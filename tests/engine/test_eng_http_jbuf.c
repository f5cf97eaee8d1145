/*
 * test_eng_http_jbuf.c - the JSON text writer of the HTTP API
 * (eng_http_jbuf.c) against its oracle, jansson's compact dump: random
 * and edge-case numbers and byte strings, and whole signal rows (odd
 * column values included) written by eng_http_signal_jbuf() next to the
 * tree eng_http_signal_json() builds. Also the raw-body wrapper through
 * eng_http_json_dump() and allocation failures.
 *
 * Reals are compared byte for byte when the installed jansson prints
 * them with %.17g (Debian's does); a jansson built with shortest-digit
 * output (dtoa) prints fewer digits, and then the values must parse back
 * equal.
 */
#include "../../engine/eng_http_impl.h"

#include "devsurv/ds_alloc.h"
#include "../test.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>

static bool s_g17; /* jansson prints reals as %.17g */
static uint64_t s_rng = 0x9E3779B97F4A7C15u;

static uint64_t s_next(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return s_rng;
}

/* jansson's text for j (compact, any value), malloc'd. */
static char *s_jansson(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    return s;
}

/* The writer's text as a NUL-terminated malloc'd string. */
static char *s_text(struct eng_http_jbuf *b)
{
    char *s = malloc(b->n + 1);
    memcpy(s, b->p ? b->p : "", b->n);
    s[b->n] = '\0';
    eng_http_jbuf_clear(b);
    return s;
}

/* Same document: bytes, or (other jansson builds) parsed values. */
static bool s_same(const char *mine, const char *theirs)
{
    if (strcmp(mine, theirs) == 0)
        return true;
    if (s_g17)
        return false;
    json_t *a = json_loads(mine, JSON_DECODE_ANY, NULL);
    json_t *b = json_loads(theirs, JSON_DECODE_ANY, NULL);
    bool eq = a && b && json_equal(a, b);
    json_decref(a);
    json_decref(b);
    return eq;
}

static bool s_real_ok(double v)
{
    struct eng_http_jbuf b = {0};
    eng_http_jbuf_real(&b, v);
    char *mine = s_text(&b);
    char *theirs = isfinite(v) ? s_jansson(json_real(v)) : strdup("null");
    bool ok = s_same(mine, theirs);
    if (!ok)
        fprintf(stderr, "# real %a: mine %s, jansson %s\n", v, mine, theirs);
    free(mine);
    free(theirs);
    return ok;
}

TEST(reals)
{
    static const double edge[] = {
        0.0,     -0.0,    1.0,     -1.0,      4.0,  0.1,    1e16,
        -1e16,   1e17,    -1e17,   9e16,      1e-7, 1e21,   123.5,
        1e300,   DBL_MAX, DBL_MIN, 5e-324,    3.0,  2.5e-5, 1e100,
        -1e-100, 65536.0, 1.0 / 3, 1e15 + 0.5};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        CHECK(s_real_ok(edge[i]));
    CHECK(s_real_ok(INFINITY));
    CHECK(s_real_ok(NAN));
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = s_next();
        double v;
        memcpy(&v, &bits, sizeof v);
        if (i % 4 == 1) /* integral values, the fast path */
            v = (double)(int64_t)(bits % 200000000000000000u) - 1e17;
        else if (i % 4 == 2) /* ordinary magnitudes */
            v = (double)(int64_t)(bits >> 11) / (double)(1u << (bits & 31));
        CHECK(s_real_ok(v));
    }
}

TEST(integers)
{
    static const int64_t edge[] = {0,  1,         -1,        9,
                                   10, INT64_MAX, INT64_MIN, 1760000000000};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0] + 100000; i++) {
        int64_t v = i < sizeof edge / sizeof edge[0]
                        ? edge[i]
                        : (int64_t)s_next() >> (s_next() % 64);
        struct eng_http_jbuf b = {0};
        eng_http_jbuf_int(&b, v);
        char *mine = s_text(&b), *theirs = s_jansson(json_integer(v));
        bool ok = strcmp(mine, theirs) == 0;
        free(mine);
        free(theirs);
        CHECK(ok);
    }
}

/* A random byte string that is often, not always, UTF-8. */
static size_t s_bytes(char *s, size_t cap)
{
    static const char *const pieces[] = {"a",
                                         "\"",
                                         "\\",
                                         "/",
                                         "\x7f",
                                         "\x01",
                                         "\x1f",
                                         "\n",
                                         "\t",
                                         "\b",
                                         "\f",
                                         "\r",
                                         "\xc3\xa9",
                                         "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80",
                                         "\xc0\x80",
                                         "\xed\xa0\x80",
                                         "\xf4\x90\x80\x80",
                                         "\xe0\x80\x80",
                                         "\xf0\x80\x80\x80",
                                         "\xff",
                                         "\x80",
                                         "\xc3",
                                         "\xe2\x82",
                                         "\xf5\x80\x80\x80",
                                         "\xc2\x80",
                                         "\xef\xbf\xbf",
                                         "\xf4\x8f\xbf\xbf",
                                         "\xed\x9f\xbf",
                                         "\xee\x80\x80"};
    size_t n = 0, k = s_next() % 8;
    for (size_t i = 0; i < k; i++) {
        if (s_next() % 7 == 0 && n < cap) { /* any byte, NUL included */
            s[n++] = (char)(s_next() & 0xFF);
            continue;
        }
        const char *p = pieces[s_next() % (sizeof pieces / sizeof pieces[0])];
        size_t m = strlen(p);
        if (n + m > cap)
            break;
        memcpy(s + n, p, m);
        n += m;
    }
    return n;
}

TEST(strings)
{
    char s[64];
    int valid = 0, invalid = 0;
    for (int i = 0; i < 200000; i++) {
        size_t n = s_bytes(s, sizeof s);
        struct eng_http_jbuf b = {0};
        json_t *j = json_stringn(s, n);
        bool mine_ok = eng_http_jbuf_str(&b, s, n);
        CHECK_INT(mine_ok, j != NULL);
        if (!j) {
            CHECK_INT(b.n, 0);
            eng_http_jbuf_clear(&b);
            invalid++;
            continue;
        }
        valid++;
        char *mine = s_text(&b), *theirs = s_jansson(j);
        bool same = strcmp(mine, theirs) == 0;
        if (!same)
            fprintf(stderr, "# string: mine %s, jansson %s\n", mine, theirs);
        free(mine);
        free(theirs);
        CHECK(same);
    }
    CHECK(valid > 10000 && invalid > 10000);
}

/* Rows with the columns of ENG_HTTP_SIGNAL_SELECT, odd values included:
 * loose tables so any type can be stored where the store has NOT NULL
 * and affinities. */
static const char s_rows[] =
    "CREATE TABLE signals(id, plan, product_code, event_code, method,"
    " statistic, threshold, observed, expected, ts_event, source, epoch,"
    " seq, rules, plans, generation);"
    "CREATE TABLE alerts(id, signal_id, status, opened, updated, by,"
    " reason);"
    "INSERT INTO signals VALUES"
    " (1, 'p1', 'MGB', 'E0505', 'maxsprt-poisson', 4.5, 3.6, 9, 3.0,"
    "  1767800000000, 'hospA', 7, 1, 'r', 's', 0),"
    " (2, '', 'A/B \"x\"', 'E\\n', 'm', -0.0, 1e999, 0, 0.1,"
    "  NULL, 'h\xc3\xa9', 0, -5, '', '', 3),"
    " (3, CAST(x'ff' AS TEXT), x'00', 'tab\tnl\n', NULL, 1e300, -1e-7, NULL,"
    "  2.5, 'text time', 'h', 9223372036854775807, -9223372036854775808,"
    "  CAST(x'410042' AS TEXT), 'e\xe2\x82\xac', NULL),"
    " (4, 'p', 'd', 'e', 'm', 1e17, 123456789.123, 1.5, 1e16, 0, 's', 1, 1,"
    "  '\x01\x1f', '/', 1),"
    " (5, 'p', 'd', 'e', 'm', 0.0, 0.0, 0, 0.0, -1, 's', 1, 1, 'r', 's', 1);"
    "INSERT INTO alerts VALUES"
    " (10, 1, 'new', 1767800000000, 1767800000001, '', ''),"
    " (11, 3, 'acknowledged', NULL, 2.5, 'dr \"x\"', CAST(x'c3' AS TEXT)),"
    " (12, 4, 'closed', 1, 2, 'a\\b', 'line\nbreak');";

TEST(signal_rows)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, s_rows, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, ENG_HTTP_SIGNAL_SELECT " ORDER BY s.id", -1,
                             &st, NULL) == SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct eng_http_jbuf b = {0};
        eng_http_signal_jbuf(&b, st);
        char *mine = s_text(&b), *theirs = s_jansson(eng_http_signal_json(st));
        bool same = s_same(mine, theirs);
        if (!same)
            fprintf(stderr, "# row %d:\n#  mine %s\n#  jansson %s\n", rows,
                    mine, theirs);
        free(mine);
        free(theirs);
        rows++;
        if (!same)
            break;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK_INT(rows, 5);
}

TEST(raw_body)
{
    struct eng_http_jbuf b = {0};
    size_t n = 0;
    eng_http_jbuf_lit(&b, "{\"signals\":[");
    eng_http_jbuf_sep(&b);
    eng_http_jbuf_raw(&b, "{", 1);
    eng_http_jbuf_key(&b, "a");
    eng_http_jbuf_int(&b, 1);
    eng_http_jbuf_key(&b, "b");
    eng_http_jbuf_str(&b, "x", 1);
    eng_http_jbuf_raw(&b, "}", 1);
    eng_http_jbuf_lit(&b, "]}");
    CHECK(!b.oom);
    CHECK_INT(b.n, strlen("{\"signals\":[{\"a\":1,\"b\":\"x\"}]}"));
    CHECK(memcmp(b.p, "{\"signals\":[{\"a\":1,\"b\":\"x\"}]}", b.n) == 0);
    eng_http_jbuf_clear(&b);
    /* an ordinary tree: one pass, the same text as jansson's */
    json_t *j = json_pack("{s:i, s:[f, s], s:n}", "z", 3, "a", 0.5, "q\"", "e");
    char *theirs = json_dumps(j, JSON_COMPACT);
    char *text = eng_http_json_dump(j, &n);
    json_decref(j);
    CHECK(text && theirs);
    CHECK_INT(n, strlen(theirs) + 1);
    CHECK(memcmp(text, theirs, n - 1) == 0 && text[n - 1] == '\n');
    ds_free(text);
    free(theirs);
}

TEST(out_of_memory)
{
    struct eng_http_jbuf b = {0};
    ds_alloc_fail_at(1);
    eng_http_jbuf_lit(&b, "{\"a\":");
    CHECK(ds_alloc_fail_fired());
    CHECK(b.oom);
    eng_http_jbuf_int(&b, 5); /* sticky: no-op */
    CHECK_INT(b.n, 0);
    eng_http_jbuf_clear(&b);
    CHECK(!b.oom && !b.p);
    /* each allocation of a dump fails in turn: NULL, never a short text */
    json_t *j = json_pack("{s:[i, i, s]}", "k", 1, 2, "long enough text");
    for (uint64_t k = 1;; k++) {
        size_t n = 0;
        ds_alloc_fail_at(k);
        char *text = eng_http_json_dump(j, &n);
        bool fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (fired)
            CHECK(text == NULL);
        ds_free(text);
        if (!fired)
            break;
    }
    json_decref(j);
}

int main(void)
{
    char *t = s_jansson(json_real(0.1));
    s_g17 = t && strcmp(t, "0.10000000000000001") == 0;
    free(t);
    RUN(reals);
    RUN(integers);
    RUN(strings);
    RUN(signal_rows);
    RUN(raw_body);
    RUN(out_of_memory);
    return test_report();
}
