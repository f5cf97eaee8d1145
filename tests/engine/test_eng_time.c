/*
 * test_eng_time.c - RFC 3339 event time <-> Unix ms, as a reader would use
 * eng_time.h. Expected values come from GNU date, not from the code under
 * test: each constant shows the command that produced it.
 *
 * Not here: the fuzzed round trip over arbitrary strings (fuzz_time.c).
 */
#include "devsurv/eng_time.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdint.h>

/* eng_time_parse() over a NUL-terminated string. */
static int s_parse(const char *s, int64_t *ms)
{
    return eng_time_parse(s, strlen(s), ms);
}

TEST(epoch_is_zero)
{
    int64_t ms = -1;
    CHECK_INT(s_parse("1970-01-01T00:00:00Z", &ms), 0);
    CHECK_INT(ms, 0);
}

TEST(leap_day_2000)
{
    /* TZ=UTC date -d 2000-02-29T12:00:00Z +%s  -> 951825600 */
    int64_t ms = 0;
    CHECK_INT(s_parse("2000-02-29T12:00:00Z", &ms), 0);
    CHECK_INT(ms, 951825600000LL);
}

TEST(offset_and_fraction)
{
    /* date -d 2026-03-02T10:15:00.250+01:00 +%s%3N  -> 1772442900250 */
    int64_t ms = 0;
    CHECK_INT(s_parse("2026-03-02T10:15:00.250+01:00", &ms), 0);
    CHECK_INT(ms, 1772442900250LL);
}

TEST(negative_offset_with_minutes)
{
    /* date -d 2024-02-29T23:30:00-05:30 +%s  -> 1709269200 */
    int64_t ms = 0;
    CHECK_INT(s_parse("2024-02-29T23:30:00-05:30", &ms), 0);
    CHECK_INT(ms, 1709269200000LL);
}

TEST(range_ends)
{
    /* date -d 1900-01-01T00:00:00Z +%s  -> -2208988800
     * date -d 9999-12-31T23:59:59Z +%s  -> 253402300799
     * date -d 1970-01-01T00:00:00+23:59 +%s  -> -86340 */
    int64_t ms = 0;
    CHECK_INT(s_parse("1900-01-01T00:00:00Z", &ms), 0);
    CHECK_INT(ms, -2208988800000LL);
    CHECK_INT(s_parse("9999-12-31T23:59:59.999Z", &ms), 0);
    CHECK_INT(ms, 253402300799999LL);
    CHECK_INT(s_parse("1900-01-01T01:00:00+01:00", &ms), 0);
    CHECK_INT(ms, -2208988800000LL);
    CHECK_INT(s_parse("1970-01-01T00:00:00+23:59", &ms), 0);
    CHECK_INT(ms, -86340000LL);
}

TEST(century_leap_rules)
{
    /* date -d 2100-03-01T00:00:00Z +%s  -> 4107542400 */
    int64_t ms = 0;
    CHECK_INT(s_parse("2100-02-29T00:00:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("1900-02-29T00:00:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2100-03-01T00:00:00Z", &ms), 0);
    CHECK_INT(ms, 4107542400000LL);
}

TEST(every_day_1900_to_2100_by_counting)
{
    /* Oracle: walk the calendar one day at a time with month lengths and
     * the leap rule written out, 1900-01-01 being day -25567. */
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int64_t day = -25567;
    char s[64];
    for (int y = 1900; y <= 2100; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int last = mdays[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= last; d++, day++) {
                int64_t ms = 0;
                snprintf(s, sizeof s, "%04d-%02d-%02dT00:00:00Z", y, m, d);
                if (eng_time_parse(s, strlen(s), &ms) != 0 ||
                    ms != day * 86400000LL)
                    TEST_FAIL_("%s -> %lld, expected day %lld", s,
                               (long long)ms, (long long)day);
            }
            snprintf(s, sizeof s, "%04d-%02d-%02dT00:00:00Z", y, m, last + 1);
            int64_t ms = 0;
            if (eng_time_parse(s, strlen(s), &ms) != DS_ERANGE)
                TEST_FAIL_("%s accepted", s);
        }
    }
}

TEST(lower_case_and_space_separator)
{
    int64_t a = 0, b = 1, c = 2, d = 3;
    CHECK_INT(s_parse("2026-03-02T09:15:00Z", &a), 0);
    CHECK_INT(s_parse("2026-03-02t09:15:00z", &b), 0);
    CHECK_INT(s_parse("2026-03-02 09:15:00Z", &c), 0);
    CHECK_INT(s_parse("2026-03-02T10:15:00+01:00", &d), 0);
    CHECK_INT(b, a);
    CHECK_INT(c, a);
    CHECK_INT(d, a);
}

TEST(minus_zero_offset_is_utc)
{
    int64_t a = 0, b = 1;
    CHECK_INT(s_parse("2026-03-02T09:15:00-00:00", &a), 0);
    CHECK_INT(s_parse("2026-03-02T09:15:00+00:00", &b), 0);
    CHECK_INT(a, b);
}

TEST(fraction_truncates_to_ms)
{
    int64_t base = 0, ms = 0;
    CHECK_INT(s_parse("2026-03-02T10:15:00Z", &base), 0);
    CHECK_INT(s_parse("2026-03-02T10:15:00.2Z", &ms), 0);
    CHECK_INT(ms - base, 200);
    CHECK_INT(s_parse("2026-03-02T10:15:00.25Z", &ms), 0);
    CHECK_INT(ms - base, 250);
    CHECK_INT(s_parse("2026-03-02T10:15:00.9999999Z", &ms), 0);
    CHECK_INT(ms - base, 999);
    CHECK_INT(s_parse("2026-03-02T10:15:00.000000001Z", &ms), 0);
    CHECK_INT(ms, base);
}

TEST(pre_1970_fraction)
{
    /* date -d 1969-12-31T23:59:59Z +%s -> -1, so .999 later is -1 ms */
    int64_t ms = 0;
    CHECK_INT(s_parse("1969-12-31T23:59:59.999Z", &ms), 0);
    CHECK_INT(ms, -1);
}

TEST(syntax_errors)
{
    int64_t ms = 42;
    CHECK_INT(s_parse("", &ms), DS_EPARSE);
    CHECK_INT(s_parse("2026-03-02T10:15:00", &ms), DS_EPARSE);   /* no offset */
    CHECK_INT(s_parse("2026-03-02T10:15:00Zx", &ms), DS_EPARSE); /* junk */
    CHECK_INT(s_parse("2026-03-02", &ms), DS_EPARSE);
    CHECK_INT(s_parse("2026-03-02X10:15:00Z", &ms), DS_EPARSE);
    CHECK_INT(s_parse("2026-3-02T10:15:00Z", &ms), DS_EPARSE);
    CHECK_INT(s_parse("2026-03-02T10:15:00.Z", &ms), DS_EPARSE);
    CHECK_INT(s_parse("2026-03-02T10:15:00+0100", &ms), DS_EPARSE);
    CHECK_INT(s_parse("2026-03-02T10:15:00+01", &ms), DS_EPARSE);
    CHECK_INT(s_parse("2026-03-02T10:15Z", &ms), DS_EPARSE);
    CHECK_INT(s_parse("+2026-03-02T10:15:00Z", &ms), DS_EPARSE);
    CHECK_INT(s_parse("2026-03-02T10:15:00 Z", &ms), DS_EPARSE);
    CHECK_INT(ms, 42); /* untouched on error */
}

TEST(range_errors)
{
    int64_t ms = 42;
    CHECK_INT(s_parse("2025-02-29T00:00:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2026-13-01T00:00:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2026-00-01T00:00:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2026-04-31T00:00:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2026-01-00T00:00:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2026-03-02T24:00:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2026-03-02T10:60:00Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2016-12-31T23:59:60Z", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2026-03-02T10:15:00+24:00", &ms), DS_ERANGE);
    CHECK_INT(s_parse("2026-03-02T10:15:00+01:60", &ms), DS_ERANGE);
    CHECK_INT(s_parse("1899-12-31T23:59:59Z", &ms), DS_ERANGE);
    /* in range as written, outside once the offset is applied */
    CHECK_INT(s_parse("1900-01-01T00:59:59+01:00", &ms), DS_ERANGE);
    CHECK_INT(s_parse("9999-12-31T23:00:00-01:00", &ms), DS_ERANGE);
    CHECK_INT(ms, 42);
}

TEST(not_nul_terminated)
{
    /* The span ends before the 'Z': no offset. */
    int64_t ms = 0;
    const char *s = "2026-03-02T10:15:00Z";
    CHECK_INT(eng_time_parse(s, strlen(s) - 1, &ms), DS_EPARSE);
    CHECK_INT(eng_time_parse(s, strlen(s), &ms), 0);
}

TEST(format_known_values)
{
    char buf[ENG_TIME_STR_MAX];
    CHECK_STR(eng_time_format(0, buf), "1970-01-01T00:00:00Z");
    CHECK_STR(eng_time_format(1772442900250LL, buf),
              "2026-03-02T09:15:00.250Z");
    CHECK_STR(eng_time_format(951825600000LL, buf), "2000-02-29T12:00:00Z");
    CHECK_STR(eng_time_format(-1, buf), "1969-12-31T23:59:59.999Z");
    /* date -u -d @-108032400 +%FT%TZ -> 1966-07-30T15:00:00Z */
    CHECK_STR(eng_time_format(-108032400000LL, buf), "1966-07-30T15:00:00Z");
    CHECK_STR(eng_time_format(-2208988800000LL, buf), "1900-01-01T00:00:00Z");
}

TEST(format_extremes_fit)
{
    char buf[ENG_TIME_STR_MAX];
    CHECK(strlen(eng_time_format(INT64_MIN, buf)) < ENG_TIME_STR_MAX);
    CHECK(buf[0] == '-');
    CHECK(strlen(eng_time_format(INT64_MAX, buf)) < ENG_TIME_STR_MAX);
}

TEST(round_trips)
{
    /* Every day boundary +- 1 ms from 1900 to 2100 in 37-day steps, and
     * a spread of times of day. */
    char buf[ENG_TIME_STR_MAX];
    const int64_t day = 86400000LL;
    for (int64_t ms = -2208988800000LL; ms < 4107542400000LL;
         ms += 37 * day + 3599999) {
        for (int64_t d = -1; d <= 1; d++) {
            int64_t back = 0, t = ms + d;
            if (t < -2208988800000LL)
                continue;
            eng_time_format(t, buf);
            if (eng_time_parse(buf, strlen(buf), &back) != 0 || back != t)
                TEST_FAIL_("%lld -> %s -> %lld", (long long)t, buf,
                           (long long)back);
        }
    }
}

int main(void)
{
    RUN(epoch_is_zero);
    RUN(leap_day_2000);
    RUN(offset_and_fraction);
    RUN(negative_offset_with_minutes);
    RUN(range_ends);
    RUN(century_leap_rules);
    RUN(every_day_1900_to_2100_by_counting);
    RUN(lower_case_and_space_separator);
    RUN(minus_zero_offset_is_utc);
    RUN(fraction_truncates_to_ms);
    RUN(pre_1970_fraction);
    RUN(syntax_errors);
    RUN(range_errors);
    RUN(not_nul_terminated);
    RUN(format_known_values);
    RUN(format_extremes_fit);
    RUN(round_trips);
    return test_report();
}
