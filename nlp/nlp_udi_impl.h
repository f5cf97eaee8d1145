/*
 * nlp_udi_impl.h - helpers shared by the nlp_udi*.c files; not installed.
 *
 * Diagnostics name the byte offset into the parsed span so a reader can
 * point at the fault; dates are checked against the Gregorian calendar
 * with two-digit years read as 20YY (see nlp_udi.h). Not here: anything a
 * caller outside nlp_udi*.c should use.
 */
#ifndef DEVSURV_NLP_UDI_IMPL_H
#define DEVSURV_NLP_UDI_IMPL_H

#include "devsurv/ds_diag.h"
#include "devsurv/nlp_udi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NLP_UDI_GS 0x1d /* ASCII group separator, GS1's FNC1 stand-in */

/* Set diag to "offset <off>: <fmt...>" and return code (DS_EINVAL or
 * DS_EPARSE). diag may be NULL. */
int nlp_udi_fail(struct ds_diag *diag, int code, size_t off, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

/* c as text for a diagnostic: "'A'" when printable, else "byte 0x1d".
 * Writes into buf (at least 16 bytes) and returns it. */
const char *nlp_udi_show(unsigned char c, char *buf);

/* The n bytes at p as a non-negative number when all are ASCII digits
 * (n <= 9), else -1. */
long nlp_udi_num(const char *p, size_t n);

/* Validate y-m-d (d == 0 allowed only when day00_ok) and store it as
 * YYYYMMDD in *dst, d == 0 becoming the month's last day with *day_given
 * false. what names the field in the message ("AI (17)"); off is the
 * field's offset. Returns 0 or DS_EINVAL with diag set. */
int nlp_udi_date(struct ds_diag *diag, size_t off, const char *what, long y,
                 long m, long d, bool day00_ok, int32_t *dst, bool *day_given);

/* As nlp_udi_date() for year y, day of year jjj (001-365/366). */
int nlp_udi_julian(struct ds_diag *diag, size_t off, const char *what, long y,
                   long jjj, int32_t *dst, bool *day_given);

/* True when s starts like a GS1 UDI: '(', a symbology identifier
 * ("]C1", "]d2", "]Q3", "]e0"), a GS, or "01" + 14 digits. */
bool nlp_udi_gs1_shaped(struct ds_span s);

/* Length of a human readable AI "(NN)", "(NNN)" or "(NNNN)" at s.p[i],
 * or 0 when there is none. */
size_t nlp_udi_gs1_ai_len(struct ds_span s, size_t i);

/* True when c is in GS1 character set 82 (General Specifications 7.11,
 * figure 7.11-1). */
bool nlp_udi_cset82(unsigned char c);

/* HIBC character value 0-42, or -1 outside the HIBC set. */
int nlp_udi_hibc_value(unsigned char c);

#endif
