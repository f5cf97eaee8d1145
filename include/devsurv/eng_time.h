/*
 * eng_time.h - event time: RFC 3339 timestamps <-> Unix milliseconds.
 *
 * devsurv runs on event time (DESIGN.md 2, rule 5): windows, watermarks and
 * audit timestamps come from the events, so the representation must be
 * exact and locale-free. Own code (no timegm/strptime: those depend on the
 * environment); proleptic Gregorian calendar, leap seconds rejected.
 */
#ifndef DEVSURV_ENG_TIME_H
#define DEVSURV_ENG_TIME_H

#include <stddef.h>
#include <stdint.h>

#define ENG_TIME_STR_MAX 32 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL fits */

/* Parse an RFC 3339 date-time ("2026-03-02T10:15:00Z",
 * "2026-03-02T10:15:00.250+01:00"; 'T'/'t'/' ' separator, 'Z'/'z' or
 * +-hh:mm offset required; fraction of any length, truncated to ms) from
 * s[0..n) into *ms since 1970-01-01T00:00:00Z. Years 1900-9999. Returns 0,
 * or DS_EPARSE (syntax) / DS_ERANGE (a field out of range, e.g. Feb 30).
 * Syntax is checked over the whole string before any range, so a string
 * with both faults is DS_EPARSE. Ranges: month lengths with Gregorian leap
 * years, hh 00-23, mm 00-59, ss 00-59 (a leap second :60 is DS_ERANGE),
 * offset hh 00-23 and mm 00-59; "-00:00" reads as UTC. The year range
 * holds both for the digits as written and for the UTC instant, so
 * "1900-01-01T00:00:00+01:00" is DS_ERANGE and every accepted value
 * formats back to a string that parses to the same ms. *ms is left
 * untouched on error. */
int eng_time_parse(const char *s, size_t n, int64_t *ms);

/* Format ms as "YYYY-MM-DDTHH:MM:SSZ", or with ".mmm" when ms % 1000 != 0,
 * into buf (ENG_TIME_STR_MAX bytes). Returns buf. Total over int64_t: years
 * before 0000 print with a '-' sign and years past 9999 with more digits
 * (eng_time_parse() takes back only 1900-9999). */
const char *eng_time_format(int64_t ms, char *buf);

#endif
