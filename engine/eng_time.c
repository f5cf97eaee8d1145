/*
 * eng_time.c - RFC 3339 date-times <-> Unix milliseconds (eng_time.h).
 *
 * Grammar accepted (RFC 3339 section 5.6, with its section 5.6 note that
 * allows 't' and a space for 'T', and 'z' for 'Z'):
 *     YYYY-MM-DD ("T" | "t" | " ") hh:mm:ss ["." 1*DIGIT]
 *     ("Z" | "z" | ("+" | "-") hh:mm)
 * The whole string is parsed for syntax first (DS_EPARSE), then the fields
 * are range-checked (DS_ERANGE): year 1900-9999, month lengths with
 * Gregorian leap years, hh 00-23, mm 00-59, ss 00-59 (leap second 60 is
 * refused: Unix time has no slot for it), offsets up to 23:59, and the
 * instant itself within 1900-01-01Z..9999-12-31T23:59:59.999Z so that
 * whatever parses formats back to a string that parses. "-00:00"
 * ("offset unknown") is read as UTC.
 *
 * Day counting is the era-based civil <-> day-number method of H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms" (2013): years are shifted
 * to start in March so the leap day is the last day of its year, and
 * 400-year eras (146097 days) keep the arithmetic exact for negative days.
 *
 * Deliberately not here: timegm, mktime, strptime, locales, time zones by
 * name, leap-second tables, and any reading of the wall clock.
 */
#include "devsurv/eng_time.h"
#include "devsurv/ds_err.h"

#include <stdbool.h>
#include <stdio.h>

#define MS_PER_DAY 86400000LL
#define MS_MIN     (-2208988800000LL) /* 1900-01-01T00:00:00.000Z */
#define MS_MAX     253402300799999LL  /* 9999-12-31T23:59:59.999Z */

/* Broken-down time exactly as written in the string. */
struct s_tm {
    int year, mon, day, hour, min, sec, ms;
    int off_min; /* offset east of UTC, minutes */
    int off_hour_abs, off_min_abs;
};

/* Floor division for possibly negative a (b > 0). */
static int64_t s_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
static int64_t s_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = s_floor_div(y, 400);
    int64_t yoe = y - era * 400;                          /* [0, 399] */
    int64_t doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1; /* from 1 Mar */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */
    return era * 146097 + doe - 719468; /* 719468: 0000-03-01 to 1970 */
}

/* Inverse of s_days_from_civil(). */
static void s_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = s_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153; /* 0 = March */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool s_is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int s_month_days(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && s_is_leap(y) ? 29 : len[m - 1];
}

/* Exactly ndig ASCII digits at s into *out; false on anything else. */
static bool s_num(const char *s, int ndig, int *out)
{
    int v = 0;
    for (int i = 0; i < ndig; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "YYYY-MM-DDThh:mm:ss": the fixed 19-byte head. */
static bool s_parse_head(const char *s, struct s_tm *tm)
{
    char sep = s[10];
    return s_num(s, 4, &tm->year) && s[4] == '-' && s_num(s + 5, 2, &tm->mon) &&
           s[7] == '-' && s_num(s + 8, 2, &tm->day) &&
           (sep == 'T' || sep == 't' || sep == ' ') &&
           s_num(s + 11, 2, &tm->hour) && s[13] == ':' &&
           s_num(s + 14, 2, &tm->min) && s[16] == ':' &&
           s_num(s + 17, 2, &tm->sec);
}

/* Optional ".digits" at s[*pos]; keeps the first three digits. */
static bool s_parse_frac(const char *s, size_t n, size_t *pos, int *ms)
{
    size_t i = *pos;
    *ms = 0;
    if (i >= n || s[i] != '.')
        return true;
    size_t first = ++i;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        if (i - first < 3)
            *ms = *ms * 10 + (s[i] - '0');
    for (size_t k = i - first; k < 3; k++)
        *ms *= 10;
    *pos = i;
    return i > first;
}

/* "Z", "z" or "+hh:mm" / "-hh:mm" ending exactly at n. */
static bool s_parse_offset(const char *s, size_t n, size_t pos, struct s_tm *tm)
{
    tm->off_min = tm->off_hour_abs = tm->off_min_abs = 0;
    if (n - pos == 1)
        return s[pos] == 'Z' || s[pos] == 'z';
    if (n - pos != 6 || (s[pos] != '+' && s[pos] != '-'))
        return false;
    if (!s_num(s + pos + 1, 2, &tm->off_hour_abs) || s[pos + 3] != ':' ||
        !s_num(s + pos + 4, 2, &tm->off_min_abs))
        return false;
    int off = tm->off_hour_abs * 60 + tm->off_min_abs;
    tm->off_min = s[pos] == '-' ? -off : off;
    return true;
}

static bool s_in_range(const struct s_tm *tm)
{
    return tm->year >= 1900 && tm->mon >= 1 && tm->mon <= 12 && tm->day >= 1 &&
           tm->day <= s_month_days(tm->year, tm->mon) && tm->hour <= 23 &&
           tm->min <= 59 && tm->sec <= 59 && tm->off_hour_abs <= 23 &&
           tm->off_min_abs <= 59;
}

int eng_time_parse(const char *s, size_t n, int64_t *ms)
{
    struct s_tm tm;
    size_t pos = 19;
    if (n < 20 || !s_parse_head(s, &tm) || !s_parse_frac(s, n, &pos, &tm.ms) ||
        pos >= n || !s_parse_offset(s, n, pos, &tm))
        return DS_EPARSE;
    if (!s_in_range(&tm))
        return DS_ERANGE;
    int64_t days = s_days_from_civil(tm.year, tm.mon, tm.day);
    int64_t secs = tm.hour * 3600 + tm.min * 60 + tm.sec - tm.off_min * 60;
    int64_t t = days * MS_PER_DAY + secs * 1000 + tm.ms;
    if (t < MS_MIN || t > MS_MAX) /* the offset crossed 1900 or 9999 */
        return DS_ERANGE;
    *ms = t;
    return 0;
}

const char *eng_time_format(int64_t ms, char *buf)
{
    int64_t rem = ms % MS_PER_DAY; /* no ms - days * MS_PER_DAY: overflow */
    int64_t days = ms / MS_PER_DAY - (rem < 0);
    int64_t in_day = rem < 0 ? rem + MS_PER_DAY : rem;
    int64_t y;
    int m, d;
    s_civil_from_days(days, &y, &m, &d);
    int secs = (int)(in_day / 1000), frac = (int)(in_day % 1000);
    int len =
        snprintf(buf, ENG_TIME_STR_MAX, "%s%04lld-%02d-%02dT%02d:%02d:%02d",
                 y < 0 ? "-" : "", (long long)(y < 0 ? -y : y), m, d,
                 secs / 3600, secs / 60 % 60, secs % 60);
    if (frac != 0)
        snprintf(buf + len, ENG_TIME_STR_MAX - (size_t)len, ".%03dZ", frac);
    else
        snprintf(buf + len, ENG_TIME_STR_MAX - (size_t)len, "Z");
    return buf;
}
