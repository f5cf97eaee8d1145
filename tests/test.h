/*
 * test.h - devsurv's unit-test harness (header only, own code).
 *
 * A test is a function declared with TEST(name) and run from main() with
 * RUN(name). Checks record the first failure's file:line and expression and
 * stop that test. Each test prints one line, "ok - name" or
 * "FAIL - name: file:line: what", which tests/run.sh counts; main() returns
 * test_report(), non-zero when anything failed. test_rmdir() removes a
 * test's temporary directory.
 *
 *     TEST(llr_zero_below_expected) { CHECK_NEAR(eng_maxsprt_llr(1, 2), 0, 0);
 * } int main(void) { RUN(llr_zero_below_expected); return test_report(); }
 */
#ifndef DEVSURV_TEST_H
#define DEVSURV_TEST_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int test_passed_, test_failed_;
static char test_why_[2048];

#define TEST(name) static void test_##name(void)

#define RUN(name)                                                              \
    do {                                                                       \
        test_why_[0] = '\0';                                                   \
        test_##name();                                                         \
        if (test_why_[0]) {                                                    \
            printf("FAIL - %s: %s\n", #name, test_why_);                       \
            test_failed_++;                                                    \
        } else {                                                               \
            printf("ok - %s\n", #name);                                        \
            test_passed_++;                                                    \
        }                                                                      \
        fflush(stdout);                                                        \
    } while (0)

#define TEST_FAIL_(...)                                                        \
    do {                                                                       \
        int n_ = snprintf(test_why_, sizeof test_why_, "%s:%d: ", __FILE__,    \
                          __LINE__);                                           \
        snprintf(test_why_ + n_, sizeof test_why_ - (size_t)n_, __VA_ARGS__);  \
        return;                                                                \
    } while (0)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            TEST_FAIL_("CHECK(%s)", #cond);                                    \
    } while (0)

#define CHECK_INT(a, b)                                                        \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ != b_)                                                          \
            TEST_FAIL_("%s == %lld, expected %s == %lld", #a, a_, #b, b_);     \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                 \
            TEST_FAIL_("%s == \"%.400s\", expected \"%.400s\"", #a,            \
                       a_ ? a_ : "(null)", b_ ? b_ : "(null)");                \
    } while (0)

/* a contains substring b */
#define CHECK_HAS(a, b)                                                        \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (!a_ || !strstr(a_, b_))                                            \
            TEST_FAIL_("%s == \"%.400s\" does not contain \"%.400s\"", #a,     \
                       a_ ? a_ : "(null)", b_);                                \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                  \
    do {                                                                       \
        double a_ = (a), b_ = (b);                                             \
        if (!(fabs(a_ - b_) <= (tol)))                                         \
            TEST_FAIL_("%s == %.12g, expected %.12g +- %g", #a, a_, b_,        \
                       (double)(tol));                                         \
    } while (0)

static inline int test_report(void)
{
    printf("# %d passed, %d failed\n", test_passed_, test_failed_);
    return test_failed_ ? 1 : 0;
}

/* Remove dir and everything under it (a test's temporary directory). */
static inline void test_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int k = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (k < 0 || (size_t)k >= sizeof path)
            continue; /* too long to name: left behind */
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            test_rmdir(path);
        else
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

#endif
