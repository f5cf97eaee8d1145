/*
 * test_ds_alloc.c - the base layer as the rest of devsurv uses it: counted
 * allocations with fault injection (ds_alloc.h), fixed-size diagnostics
 * (ds_diag.h), error texts (ds_err.h) and log level names (ds_log.h).
 *
 * The allocation counters are process-wide, so every check compares a
 * snapshot taken just before the calls under test with one taken after:
 * the deltas must equal exactly the calls made.
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"
#include "../test.h"

#include <stdint.h>

/* Counter deltas since *before. */
static struct ds_alloc_stats s_delta(const struct ds_alloc_stats *before)
{
    struct ds_alloc_stats now;
    ds_alloc_stats(&now);
    now.allocs -= before->allocs;
    now.frees -= before->frees;
    now.failures -= before->failures;
    return now;
}

TEST(counts_every_call_exactly)
{
    struct ds_alloc_stats st, d;
    ds_alloc_stats(&st);
    char *a = ds_malloc(10);
    int *b = ds_calloc(4, sizeof *b);
    CHECK(a != NULL && b != NULL);
    CHECK_INT(b[0] | b[1] | b[2] | b[3], 0);
    char *c = ds_realloc(a, 100);
    CHECK(c != NULL);
    d = s_delta(&st);
    CHECK_INT(d.allocs, 3);
    CHECK_INT(d.frees, 0);
    ds_free(c);
    ds_free(b);
    d = s_delta(&st);
    CHECK_INT(d.allocs, 3);
    CHECK_INT(d.frees, 2);
    CHECK_INT(d.failures, 0);
}

TEST(free_null_is_a_noop)
{
    struct ds_alloc_stats st, d;
    ds_alloc_stats(&st);
    ds_free(NULL);
    d = s_delta(&st);
    CHECK_INT(d.frees, 0);
    CHECK_INT(d.allocs, 0);
}

TEST(fail_at_1_fails_only_the_next_allocation)
{
    struct ds_alloc_stats st, d;
    ds_alloc_stats(&st);
    ds_alloc_fail_at(1);
    CHECK_INT(ds_alloc_fail_fired(), 0);
    void *p1 = ds_malloc(8);
    int fired = ds_alloc_fail_fired();
    void *p2 = ds_malloc(8);
    void *p3 = ds_calloc(1, 8);
    d = s_delta(&st);
    ds_free(p2);
    ds_free(p3);
    CHECK(p1 == NULL);
    CHECK_INT(fired, 1);
    CHECK(p2 != NULL && p3 != NULL);
    CHECK_INT(d.failures, 1);
    CHECK_INT(d.allocs, 2);
    CHECK_INT(ds_alloc_fail_fired(), 1); /* stays set until the next fail_at */
    ds_alloc_fail_at(0);
    CHECK_INT(ds_alloc_fail_fired(), 0);
}

TEST(fail_at_3_fails_the_third)
{
    void *p[4];
    int fired[4];
    ds_alloc_fail_at(3);
    for (int i = 0; i < 4; i++) {
        p[i] = i % 2 ? ds_malloc(16) : ds_strdup("x");
        fired[i] = ds_alloc_fail_fired();
    }
    for (int i = 0; i < 4; i++)
        ds_free(p[i]);
    ds_alloc_fail_at(0);
    CHECK(p[0] != NULL && p[1] != NULL && p[3] != NULL);
    CHECK(p[2] == NULL); /* strdup is an allocation too */
    CHECK_INT(fired[0], 0);
    CHECK_INT(fired[1], 0);
    CHECK_INT(fired[2], 1);
    CHECK_INT(fired[3], 1);
}

TEST(fail_at_0_disables)
{
    ds_alloc_fail_at(2);
    ds_alloc_fail_at(0);
    void *a = ds_malloc(1), *b = ds_malloc(1), *c = ds_malloc(1);
    int fired = ds_alloc_fail_fired();
    ds_free(a);
    ds_free(b);
    ds_free(c);
    CHECK(a && b && c);
    CHECK_INT(fired, 0);
}

TEST(realloc_failure_keeps_the_block)
{
    char *p = ds_strdup("keep");
    CHECK(p != NULL);
    ds_alloc_fail_at(1);
    char *q = ds_realloc(p, 1 << 20);
    ds_alloc_fail_at(0);
    CHECK(q == NULL);
    CHECK_STR(p, "keep");
    ds_free(p);
}

TEST(strdup_and_strndup)
{
    struct ds_alloc_stats st, d;
    ds_alloc_stats(&st);
    char *a = ds_strdup("hello");
    char *b = ds_strndup("hello world", 5);
    char *c = ds_strndup("abc", 0);
    char *e = ds_strdup("");
    d = s_delta(&st);
    CHECK_INT(d.allocs, 4);
    CHECK_STR(a, "hello");
    CHECK_STR(b, "hello");
    CHECK_STR(c, "");
    CHECK_STR(e, "");
    CHECK(a != b);
    ds_free(a);
    ds_free(b);
    ds_free(c);
    ds_free(e);
    CHECK_INT(s_delta(&st).frees, 4);
}

TEST(strndup_copies_embedded_bytes_only_up_to_n)
{
    const char src[] = {'a', 'b', 'c', 'd'}; /* not NUL-terminated */
    char *s = ds_strndup(src, 3);
    CHECK(s != NULL);
    CHECK_INT(strlen(s), 3);
    CHECK_STR(s, "abc");
    ds_free(s);
}

TEST(diag_formats)
{
    struct ds_diag d;
    char buf[128];
    ds_diag_clear(&d);
    CHECK_STR(d.file, "");
    CHECK_INT(d.line, 0);
    CHECK_STR(ds_diag_format(&d, buf, sizeof buf), "");
    CHECK_INT(ds_diag_set(&d, "a.conf", 12, "bad key '%s'", "x"), DS_EINVAL);
    CHECK_STR(ds_diag_format(&d, buf, sizeof buf), "a.conf:12: bad key 'x'");
    ds_diag_set(&d, "a.conf", 0, "cannot read");
    CHECK_STR(ds_diag_format(&d, buf, sizeof buf), "a.conf: cannot read");
    ds_diag_set(&d, "", 7, "just %d", 1);
    CHECK_STR(ds_diag_format(&d, buf, sizeof buf), "just 1");
    ds_diag_set(&d, NULL, 0, "no file");
    CHECK_STR(d.file, "");
    CHECK_STR(ds_diag_format(&d, buf, sizeof buf), "no file");
}

TEST(diag_set_code_returns_the_code)
{
    struct ds_diag d;
    CHECK_INT(ds_diag_set_code(&d, DS_ETOOBIG, "f", 3, "big"), DS_ETOOBIG);
    CHECK_STR(d.msg, "big");
    CHECK_STR(d.file, "f");
    CHECK_INT(d.line, 3);
    /* NULL diag: nothing written, code still returned */
    CHECK_INT(ds_diag_set_code(NULL, DS_EIO, "f", 1, "x"), DS_EIO);
    CHECK_INT(ds_diag_set(NULL, "f", 1, "x"), DS_EINVAL);
    ds_diag_clear(NULL);
}

TEST(diag_truncates_long_message_without_overflow)
{
    struct {
        struct ds_diag d;
        char guard[64];
    } g;
    char big[2001], out[1000], mid[600], small[16];
    memset(big, 'm', 2000);
    big[2000] = '\0';
    memset(g.guard, 0x5a, sizeof g.guard);
    char fname[DS_DIAG_FILE_MAX + 50];
    memset(fname, 'f', sizeof fname - 1);
    fname[sizeof fname - 1] = '\0';
    ds_diag_set(&g.d, fname, 1, "%s", big);
    CHECK_INT(strlen(g.d.msg), DS_DIAG_MSG_MAX - 1);
    CHECK_INT(strlen(g.d.file), DS_DIAG_FILE_MAX - 1);
    for (size_t i = 0; i < sizeof g.guard; i++)
        CHECK_INT((unsigned char)g.guard[i], 0x5a);
    ds_diag_format(&g.d, out, sizeof out); /* "fff...:1: mmm..." */
    CHECK_INT(strlen(out), (DS_DIAG_FILE_MAX - 1) + 4 + (DS_DIAG_MSG_MAX - 1));
    ds_diag_format(&g.d, mid, sizeof mid);
    CHECK_INT(strlen(mid), sizeof mid - 1);
    CHECK_STR(ds_diag_format(&g.d, small, sizeof small), "fffffffffffffff");
    CHECK(ds_diag_format(&g.d, small, 0) == small);
}

TEST(strerror_distinct_and_non_empty)
{
    static const int codes[] = {
        DS_OK,     DS_ENOMEM,    DS_EINVAL, DS_EPARSE,  DS_EIO,
        DS_ESTORE, DS_ENOTFOUND, DS_ERANGE, DS_ETOOBIG, DS_EUNSUPP,
        DS_ENET,   DS_ECONFIG,   DS_EDUP};
    const size_t n = sizeof codes / sizeof codes[0];
    const char *unknown = ds_strerror(-9999);
    CHECK(unknown != NULL && unknown[0] != '\0');
    CHECK(ds_strerror(1) != NULL);
    for (size_t i = 0; i < n; i++) {
        const char *a = ds_strerror(codes[i]);
        CHECK(a != NULL && a[0] != '\0');
        CHECK(strcmp(a, unknown) != 0);
        for (size_t j = i + 1; j < n; j++)
            CHECK(strcmp(a, ds_strerror(codes[j])) != 0);
    }
    CHECK_STR(ds_strerror(DS_ENOMEM), "out of memory");
}

TEST(log_parse_level)
{
    static const struct {
        const char *name;
        enum ds_log_level level;
    } ok[] = {{"error", DS_LOG_ERROR},
              {"warn", DS_LOG_WARN},
              {"info", DS_LOG_INFO},
              {"debug", DS_LOG_DEBUG}};
    static const char *const bad[] = {"", "INFO", "warning", "err", "debug "};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        enum ds_log_level l = (enum ds_log_level)(3 - ok[i].level);
        CHECK_INT(ds_log_parse_level(ok[i].name, &l), 0);
        CHECK_INT(l, ok[i].level);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum ds_log_level l;
        CHECK_INT(ds_log_parse_level(bad[i], &l), DS_EINVAL);
    }
}

TEST(log_level_set_get)
{
    enum ds_log_level was = ds_log_get_level();
    ds_log_set_level(DS_LOG_DEBUG);
    enum ds_log_level now = ds_log_get_level();
    ds_log_set_level(was);
    CHECK_INT(now, DS_LOG_DEBUG);
    CHECK_INT(ds_log_get_level(), was);
}

TEST(grow_doubles_only_when_needed_and_fails_cleanly)
{
    int *v = NULL;
    size_t cap = 0;
    CHECK_INT(ds_grow((void **)&v, &cap, 1, sizeof *v), 0);
    CHECK_INT(cap, 16);
    int *same = v;
    CHECK_INT(ds_grow((void **)&v, &cap, 16, sizeof *v), 0); /* fits */
    CHECK(v == same);
    CHECK_INT(ds_grow((void **)&v, &cap, 40, sizeof *v), 0);
    CHECK_INT(cap, 64);
    v[39] = 7;
    ds_alloc_fail_at(1);
    CHECK_INT(ds_grow((void **)&v, &cap, 65, sizeof *v), DS_ENOMEM);
    ds_alloc_fail_at(0);
    CHECK_INT(cap, 64); /* unchanged on failure */
    CHECK_INT(v[39], 7);
    CHECK_INT(ds_grow((void **)&v, &cap, SIZE_MAX / 2, sizeof *v),
              DS_ENOMEM); /* would overflow */
    CHECK_INT(cap, 64);
    ds_free(v);
}

int main(void)
{
    RUN(counts_every_call_exactly);
    RUN(free_null_is_a_noop);
    RUN(fail_at_1_fails_only_the_next_allocation);
    RUN(fail_at_3_fails_the_third);
    RUN(fail_at_0_disables);
    RUN(realloc_failure_keeps_the_block);
    RUN(strdup_and_strndup);
    RUN(strndup_copies_embedded_bytes_only_up_to_n);
    RUN(diag_formats);
    RUN(diag_set_code_returns_the_code);
    RUN(diag_truncates_long_message_without_overflow);
    RUN(strerror_distinct_and_non_empty);
    RUN(log_parse_level);
    RUN(log_level_set_get);
    RUN(grow_doubles_only_when_needed_and_fails_cleanly);
    return test_report();
}
