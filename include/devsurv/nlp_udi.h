/*
 * nlp_udi.h - Unique Device Identifiers: parse, validate and find in text.
 *
 * A UDI is a device identifier (UDI-DI) plus production identifiers (lot,
 * serial, dates) written in the syntax of an FDA-accredited issuing agency.
 * Two agencies are handled:
 *
 *   GS1    GS1 General Specifications (section 3 for the AIs used here,
 *          7.9 for the mod-10 check digit, 7.8 for element strings of
 *          predefined length, 7.11 for character set 82). The human
 *          readable form "(01)00614141999996(17)261231(10)LOT42" and the
 *          element string a scanner sends: "01" + 14 digits + further AIs,
 *          a variable-length field ended by GS (0x1D) unless it is last,
 *          optionally led by a symbology identifier "]C1" (GS1-128), "]d2"
 *          (GS1 DataMatrix), "]Q3" (GS1 QR), "]e0" (GS1 DataBar) or a GS.
 *   HIBCC  ANSI/HIBC 2.x Supplier Labeling Standard (HIBC LIC): primary
 *          "+" LIC PCN U/M, optional "/" secondary and "/" supplemental
 *          fields, then the mod-43 check character; optionally inside the
 *          "*...*" Code 39 start/stop characters of the human readable
 *          form.
 *
 * Everything is borrowed: a parsed struct nlp_udi holds spans into the
 * caller's input and is valid only while that input lives. Nothing here
 * allocates, logs or reads the clock.
 *
 * Not here: ICCBBA (ISBT 128) and IFA (PPN) UDIs, a stand-alone HIBC
 * secondary barcode ("+$$..." with its link character; it carries no
 * device identifier), HIBC PAS ("+/"), GS1 Digital Link URIs, and
 * looking a DI up in GUDID.
 */
#ifndef DEVSURV_NLP_UDI_H
#define DEVSURV_NLP_UDI_H

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NLP_UDI_GS1_LOT_MAX  20 /* GS1 AI 10 and 21: up to 20 characters */
#define NLP_UDI_HIBC_PCN_MAX 18 /* HIBC product/catalogue number */
#define NLP_UDI_HIBC_LOT_MAX 18 /* HIBC lot/batch or serial number */

/* Who issued the UDI (FHIR Device.udiCarrier.issuer). */
enum nlp_udi_agency {
    NLP_UDI_NONE = 0, /* nothing recognised */
    NLP_UDI_GS1,
    NLP_UDI_HIBCC
};

/* How the UDI was written. */
enum nlp_udi_form {
    NLP_UDI_FORM_NONE = 0,
    NLP_UDI_GS1_HRI,       /* "(01)...(17)..." with parenthesised AIs */
    NLP_UDI_GS1_ELEMENT,   /* "01..." element string, GS-separated */
    NLP_UDI_HIBCC_PRIMARY, /* "+LICPCNU" + check */
    NLP_UDI_HIBCC_COMBINED /* "+LICPCNU/secondary[/suppl...]" + check */
};

/*
 * One parsed UDI. Absent spans are {NULL, 0}; absent dates are 0.
 *
 * Dates are YYYYMMDD integers. Two-digit years mean 20YY: the GS1 sliding
 * century window (General Specifications 7.12) needs today's date, which
 * this pure module does not have, and UDIs postdate 2000; a caller that
 * knows the event date can re-window. When a date gives no day (GS1
 * DD=00, HIBC MMYY) it is stored as the month's last day, leap years
 * included, and *_day_given is false.
 */
struct nlp_udi {
    enum nlp_udi_agency agency;
    enum nlp_udi_form form;
    /* GS1: the 14 GTIN digits. HIBCC: LIC + PCN + U/M, split below. */
    struct ds_span di;
    struct ds_span labeler; /* HIBCC LIC, 4 characters */
    struct ds_span product; /* HIBCC PCN, 1-18 characters */
    int unit_of_measure;    /* HIBCC U/M 0-9; -1 for GS1 */
    /* Production identifiers. HIBC serial: "$+", "$$+" or "/S". */
    struct ds_span lot;
    struct ds_span serial;
    int32_t expiry_yyyymmdd;     /* GS1 AI 17, HIBC expiry; 0 if absent */
    int32_t production_yyyymmdd; /* GS1 AI 11, HIBC "/16D"; 0 if absent */
    bool expiry_day_given;       /* false: day not written (see above) */
    bool production_day_given;
    int32_t quantity; /* HIBC "$$8"/"$$9" quantity; -1 if absent */
    /* The GTIN check digit or HIBC check character as written ('_' stands
     * for a space), and whether it is right. */
    struct ds_span check;
    bool check_ok;
    /* Elements recognised but not interpreted, and the first of them: a
     * GS1 AI with its data ("(240)X1" or "240X1") or an HIBC supplemental
     * field ("7Q10"). */
    int n_unsupported;
    struct ds_span unsupported;
};

/* Set every field of *udi to "absent" (see struct nlp_udi). */
void nlp_udi_init(struct nlp_udi *udi);

/*
 * Parse s, the whole of one UDI (a structured field such as FHIR
 * udiCarrier.carrierHRF, or a span nlp_udi_find() returned), into *out.
 * s is taken exactly: surrounding spaces or text are errors (trim first).
 * Returns:
 *   0          a valid UDI; out->check_ok is true;
 *   DS_EINVAL  UDI-shaped but invalid; diag says precisely why and where
 *              ("offset 18: GTIN check digit is 3, expected 6");
 *   DS_EPARSE  not UDI-shaped (no "(NN)", "01"+14 digits, symbology
 *              identifier or "+" + letter at the start).
 * On error *out holds what was read before the fault (agency and form say
 * which syntax was recognised; after a wrong check digit or character, all
 * fields with check_ok false). Never asserts on input; any bytes, NULs
 * included, are safe. diag may be NULL; it is left alone on success.
 * Dispatches on the first byte to nlp_udi_parse_gs1() or
 * nlp_udi_parse_hibcc().
 */
int nlp_udi_parse(struct ds_span s, struct nlp_udi *out, struct ds_diag *diag);

/*
 * GS1 only: human readable "(AI)data..." when s starts with '(', else an
 * element string. Supported AIs: 01 (GTIN-14, mod-10 check digit), 11
 * (production date), 17 (expiry date), 10 (batch/lot, 1-20 chars of
 * character set 82), 21 (serial, same). Day 00 is accepted for 11 and 17
 * (General Specifications 3.4: "day not specified"). Any other AI
 * is skipped and counted in n_unsupported: in the human readable form its
 * data runs to the next "(NN)"; in an element string it has the
 * predefined length of General Specifications 7.8 when its first two
 * digits are listed there, else it runs to the next GS. (01) is required,
 * and first in an element string; an AI may not repeat. In the human
 * readable form spaces may separate elements ("(01) 0061...
 * (17) 261231"). Returns as nlp_udi_parse().
 */
int nlp_udi_parse_gs1(struct ds_span s, struct nlp_udi *out,
                      struct ds_diag *diag);

/*
 * HIBCC only, optionally inside "*...*". Primary data: '+', LIC (a letter
 * and 3 letters or digits), PCN (1-18 letters or digits), U/M (a digit).
 * Then, after '/', secondary data in one of these forms (YY = 20YY):
 *   YYJJJ lot        Julian expiry date, then the lot (0-18 chars)
 *   $lot  $+serial   lot or serial only (1-18 chars)
 *   $$[+][8QQ|9QQQQQ]<date>lot   quantity (2 or 5 digits) optional; date
 *        MMYY (first digit 0/1), 2MMDDYY, 3YYMMDD, 4YYMMDDHH, 5YYJJJ,
 *        6YYJJJHH or 7 (none); '+' makes the trailing field a serial
 *   lot              a lot starting with a letter (no flag)
 * and after further '/' supplemental fields: S<serial>, 16D<YYYYMMDD>
 * (production), 14D<YYYYMMDD> (expiry); others are skipped and counted.
 * Lot and serial characters: letters, digits, '-', '.', ' ', '%'. Last
 * comes the mod-43 check character over everything from '+' ('_' may
 * stand for a space check character, as printed in human readable text).
 * HIBC data is upper case: lower case is DS_EINVAL. Returns as
 * nlp_udi_parse().
 */
int nlp_udi_parse_hibcc(struct ds_span s, struct nlp_udi *out,
                        struct ds_diag *diag);

/*
 * Find the next UDI-shaped substring of text at or after byte start:
 * "(01)" followed by parenthesised elements (spaces between elements
 * allowed); a symbology identifier ("]C1", "]d2", "]Q3", "]e0") or GS
 * followed by "01"; or a run of HIBC characters other than the space
 * that starts with '+' and a labeler code, is not glued to a preceding
 * HIBC character and is at least 8 bytes long, with a final '_' (a space
 * check character as printed) and its "*...*" if present. Trailing prose
 * punctuation (".,;:!?" and an unmatched ')') is left out, except that
 * a final '.' of an HIBC run is kept when it makes the check character
 * right. On success sets [*begin, *end) and returns true; the caller
 * validates with nlp_udi_parse() and continues from *end. Shape only:
 * a candidate may be invalid. Linear in the bytes scanned; a whole text
 * scanned call after call is linear in its length. Returns false, and
 * leaves *begin and *end alone, when nothing is found or start > text.n.
 */
bool nlp_udi_find(struct ds_span text, size_t start, size_t *begin,
                  size_t *end);

/* The agency's name ("GS1", "HIBCC", "none"); never NULL. */
const char *nlp_udi_agency_name(enum nlp_udi_agency agency);

/*
 * GS1 mod-10 check digit (General Specifications 7.9.1) of the n data
 * digits at digits (the check digit itself excluded): weights 3,1,3,...
 * from the rightmost data digit, check = (10 - sum mod 10) mod 10. Works
 * for GTIN-8/12/13/14, GLN, SSCC. Returns 0-9, or -1 when n is 0 or a
 * byte is not a digit.
 */
int nlp_gs1_check_digit(const char *digits, size_t n);

/*
 * HIBC mod-43 check character of s[0..n) (the whole data from the
 * leading '+', check character excluded): the sum of the character
 * values 0-9 -> 0-9, A-Z -> 10-35, '-' 36, '.' 37, ' ' 38, '$' 39,
 * '/' 40, '+' 41, '%' 42, modulo 43, mapped back to its character.
 * Returns that character, or -1 when n is 0 or a byte is outside the set.
 */
int nlp_hibcc_check_char(const char *s, size_t n);

#endif
