/*
 * test_nlp_udi.c - unit tests for UDI parsing, check characters and the
 * free-text finder (nlp_udi.h).
 *
 * Written as usage examples: parse a UDI, read its fields, and check what
 * the diagnostic says when it is wrong (wording and offset, since people
 * read them in the quarantine table). Check digits are tested three ways:
 * published examples (GS1's GTIN 00614141999996; the HIBC example
 * +A123BJC5D6E71 -> G from reference/reliability.md 7.2 and scanner
 * manuals; the HIBC LIC combined example
 * +A99912345/$$52001510X3/16D20111212/S77DE1G45-), examples worked by hand
 * in the comments, and an independent second method run over generated
 * strings: for GS1, try each candidate digit and keep the one that makes
 * the weighted sum of the whole number (check digit weight 1, then 3, 1,
 * ... leftwards) a multiple of 10; for HIBC, look each character up by its
 * position in the published 43-character table instead of the library's
 * arithmetic.
 *
 * Not here: random inputs (tests/fuzz/fuzz_udi.c).
 */
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_udi.h"
#include "../test.h"

#include <stdlib.h>

#define GS "\x1d"

static struct ds_diag diag;
static struct nlp_udi u;

static int s_parse(const char *s)
{
    ds_diag_clear(&diag);
    return nlp_udi_parse(ds_span_str(s), &u, &diag);
}

static int s_parse_n(const char *s, size_t n)
{
    struct ds_span sp = {s, n};
    ds_diag_clear(&diag);
    return nlp_udi_parse(sp, &u, &diag);
}

/* A span as a NUL-terminated string (four rotating buffers). */
static const char *s_str(struct ds_span sp)
{
    static char buf[4][128];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%.*s", (int)sp.n, sp.p ? sp.p : "");
    return b;
}

/* Deterministic pseudo-random numbers for generated cases. */
static unsigned s_rand(void)
{
    static unsigned long long x = 88172645463325252ULL;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return (unsigned)(x >> 11);
}

/* Second method for GS1: the digit that makes the whole number's sum,
 * weights 1,3,1,... from the right (check digit first), divisible by 10. */
static int s_oracle_gs1(const char *d, size_t n)
{
    for (int c = 0; c < 10; c++) {
        int sum = c;
        for (size_t i = 0; i < n; i++)
            sum += (d[n - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
        if (sum % 10 == 0)
            return c;
    }
    return -1;
}

/* Second method for HIBC: position in the published value table. */
static int s_oracle_hibc(const char *s, size_t n)
{
    static const char t[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (int)(strchr(t, s[i]) - t);
    return t[sum % 43];
}

/* s + its check character, computed by the second method. */
static const char *s_with_check(const char *s)
{
    static char buf[4][256];
    static int k;
    char *b = buf[k++ % 4];
    size_t n = strlen(s);
    snprintf(b, sizeof buf[0], "%s%c", s, s_oracle_hibc(s, n));
    return b;
}

/* ---- check digits and characters ---- */

TEST(gs1_check_digit_published)
{
    /* GS1's example GTIN 00614141999996. By hand, data digits from the
     * right with weights 3,1,3,...: 9*3+9+9*3+9+9*3 = 99, then 1*1 +
     * 4*3 + 1*1 + 4*3 + 1*1 + 6*3 + 0 + 0 = 45; 144 -> (10 - 4) % 10 = 6. */
    CHECK_INT(nlp_gs1_check_digit("0061414199999", 13), 6);
    CHECK_INT(nlp_gs1_check_digit("1061414199999", 13), 3);
    /* EAN-13 4006381333931 and UPC-A 036000291452 (GTIN-13, GTIN-12). */
    CHECK_INT(nlp_gs1_check_digit("400638133393", 12), 1);
    CHECK_INT(nlp_gs1_check_digit("03600029145", 11), 2);
}

TEST(gs1_check_digit_matches_second_method)
{
    char d[24];
    for (int t = 0; t < 5000; t++) {
        size_t n = 1 + s_rand() % 17;
        for (size_t i = 0; i < n; i++)
            d[i] = (char)('0' + s_rand() % 10);
        CHECK_INT(nlp_gs1_check_digit(d, n), s_oracle_gs1(d, n));
    }
}

TEST(gs1_check_digit_rejects_non_digits)
{
    CHECK_INT(nlp_gs1_check_digit("", 0), -1);
    CHECK_INT(nlp_gs1_check_digit("00614141A9999", 13), -1);
    CHECK_INT(nlp_gs1_check_digit("0061414\00099999", 13), -1);
}

TEST(hibcc_check_char_published)
{
    /* + A 1 2 3 B J C 5 D 6 E 7 1: 41+10+1+2+3+11+19+12+5+13+6+14+7+1 =
     * 145 = 3*43 + 16, and value 16 is 'G'. */
    CHECK_INT(nlp_hibcc_check_char("+A123BJC5D6E71", 14), 'G');
    /* HIBC LIC combined example, by hand: "+A99912345" 41+10+9+9+9+1+2+
     * 3+4+5 = 93; "/$$" 40+39+39 -> 211; "52001510X3" 5+2+0+0+1+5+1+0+
     * 33+3 = 50 -> 261; "/16D20111212" 40+1+6+13+2+0+1+1+1+2+1+2 = 70 ->
     * 331; "/S77DE1G45" 40+28+7+7+13+14+1+16+4+5 = 135 -> 466 = 10*43 +
     * 36 -> '-'. */
    CHECK_INT(nlp_hibcc_check_char(
                  "+A99912345/$$52001510X3/16D20111212/S77DE1G45", 45),
              '-');
}

TEST(hibcc_check_char_hand_worked)
{
    /* + H 1 2 3 C A T N O 1: 41+17+1+2+3+12+10+29+23+24+1 = 163 =
     * 3*43 + 34 -> 'Y' (Y = 10 + 24). */
    CHECK_INT(nlp_hibcc_check_char("+H123CATNO1", 11), 'Y');
    /* then / $ $ 3 2 6 1 2 3 1 L O T 4 2: 163 + 40+39+39 = 281,
     * + 3+2+6+1+2+3+1 = 299, + 21+24+29 = 373, + 4+2 = 379 = 8*43 + 35
     * -> 'Z'. */
    CHECK_INT(nlp_hibcc_check_char("+H123CATNO1/$$3261231LOT42", 26), 'Z');
    /* + H 1 2 3 0 G 1: 41+17+1+2+3+0+16+1 = 81 = 43 + 38 -> ' '. */
    CHECK_INT(nlp_hibcc_check_char("+H1230G1", 8), ' ');
    /* + H 1 2 3 0 F 1: 80 = 43 + 37 -> '.'; with I (18): 83 -> '/'. */
    CHECK_INT(nlp_hibcc_check_char("+H1230F1", 8), '.');
    CHECK_INT(nlp_hibcc_check_char("+H1230I1", 8), '/');
}

TEST(hibcc_check_char_matches_second_method)
{
    static const char t[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
    char s[64];
    for (int k = 0; k < 5000; k++) {
        size_t n = 1 + s_rand() % 60;
        for (size_t i = 0; i < n; i++)
            s[i] = t[s_rand() % 43];
        CHECK_INT(nlp_hibcc_check_char(s, n), s_oracle_hibc(s, n));
    }
}

TEST(hibcc_check_char_rejects_outside_set)
{
    CHECK_INT(nlp_hibcc_check_char("", 0), -1);
    CHECK_INT(nlp_hibcc_check_char("+a123", 5), -1);
    CHECK_INT(nlp_hibcc_check_char("+A1*3", 5), -1);
    CHECK_INT(nlp_hibcc_check_char("+A1\0003", 5), -1);
    CHECK_INT(nlp_hibcc_check_char("+A1_3", 5), -1);
}

/* ---- GS1 ---- */

TEST(gs1_human_readable)
{
    CHECK_INT(s_parse("(01)00614141999996(17)261231(10)LOT42(21)SN1"), 0);
    CHECK_INT(u.agency, NLP_UDI_GS1);
    CHECK_INT(u.form, NLP_UDI_GS1_HRI);
    CHECK_STR(nlp_udi_agency_name(u.agency), "GS1");
    CHECK_STR(s_str(u.di), "00614141999996");
    CHECK_STR(s_str(u.check), "6");
    CHECK(u.check_ok);
    CHECK_INT(u.expiry_yyyymmdd, 20261231);
    CHECK(u.expiry_day_given);
    CHECK_INT(u.production_yyyymmdd, 0);
    CHECK_STR(s_str(u.lot), "LOT42");
    CHECK_STR(s_str(u.serial), "SN1");
    CHECK_INT(u.n_unsupported, 0);
    CHECK_INT(u.unit_of_measure, -1);
    CHECK_INT(u.quantity, -1);
    CHECK_INT(u.labeler.n, 0);
}

TEST(gs1_human_readable_any_order_and_spaces)
{
    CHECK_INT(s_parse("(01) 00614141999996 (11) 250115 (21) A(1)"), 0);
    CHECK_INT(u.production_yyyymmdd, 20250115);
    CHECK(u.production_day_given);
    CHECK_STR(s_str(u.serial), "A(1)");
    CHECK_INT(s_parse("(21)SN1(01)10614141999993"), 0);
    CHECK_STR(s_str(u.di), "10614141999993");
}

TEST(gs1_element_string)
{
    CHECK_INT(s_parse("0100614141999996"
                      "17261231"
                      "10LOT42" GS "21SN1"),
              0);
    CHECK_INT(u.form, NLP_UDI_GS1_ELEMENT);
    CHECK_STR(s_str(u.di), "00614141999996");
    CHECK_INT(u.expiry_yyyymmdd, 20261231);
    CHECK_STR(s_str(u.lot), "LOT42");
    CHECK_STR(s_str(u.serial), "SN1");
    /* fixed-length fields need no GS but may have one; a GS may end */
    CHECK_INT(s_parse("0100614141999996" GS "11250115" GS), 0);
    CHECK_INT(u.production_yyyymmdd, 20250115);
}

TEST(gs1_element_string_symbology_identifiers)
{
    static const char *const ok[] = {
        "]d2010061414199999610A1", "]C1010061414199999621X",
        "]Q30100614141999996",     "]e00100614141999996",
        GS "0100614141999996",     "]d2" GS "0100614141999996"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK_INT(s_parse(ok[i]), 0);
        CHECK_STR(s_str(u.di), "00614141999996");
    }
    CHECK_INT(s_parse("]d217261231"), DS_EINVAL);
    CHECK_HAS(diag.msg, "starts with AI 01");
}

TEST(gs1_wrong_check_digit_is_rejected)
{
    CHECK_INT(s_parse("(01)00614141999993(10)A"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 17: GTIN check digit is 3, expected 6");
    CHECK_INT(u.agency, NLP_UDI_GS1);
    CHECK(!u.check_ok);
    CHECK_STR(s_str(u.di), "00614141999993");
    CHECK_INT(s_parse("]d20100614141999990"), DS_EINVAL);
    CHECK_HAS(diag.msg, "GTIN check digit is 0, expected 6");
}

TEST(gs1_gtin_length_and_digits)
{
    CHECK_INT(s_parse("(01)0061414199999"), DS_EINVAL);
    CHECK_HAS(diag.msg, "AI (01) GTIN needs 14 digits, got 13");
    CHECK_INT(s_parse("(01)006141419999960"), DS_EINVAL);
    CHECK_HAS(diag.msg, "got 15");
    CHECK_INT(s_parse("(01)0061414199999X"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 17: AI (01) GTIN has 'X', only digits "
                        "allowed");
    CHECK_INT(s_parse("]d2010061414199999"), DS_EINVAL);
    CHECK_HAS(diag.msg, "got 13");
}

TEST(gs1_dates)
{
    CHECK_INT(s_parse("(01)00614141999996(17)280200"), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20280229); /* DD 00: end of leap Feb */
    CHECK(!u.expiry_day_given);
    CHECK_INT(s_parse("(01)00614141999996(17)260200"), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20260228);
    CHECK_INT(s_parse("(01)00614141999996(11)240229"), 0);
    CHECK_INT(u.production_yyyymmdd, 20240229);
    CHECK_INT(s_parse("(01)00614141999996(11)000229"), 0); /* 2000: leap */
    /* GS1 General Specifications 3.4.2 allows DD 00 for AI 11 too */
    CHECK_INT(s_parse("(01)00614141999996(11)250400"), 0);
    CHECK_INT(u.production_yyyymmdd, 20250430);
    CHECK(!u.production_day_given);
}

TEST(gs1_invalid_dates)
{
    CHECK_INT(s_parse("(01)00614141999996(17)250229"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 22: AI (17) expiry date day 29 is not valid "
                        "in 2025-02 (it has 28 days)");
    CHECK_INT(s_parse("(01)00614141999996(17)261301"), DS_EINVAL);
    CHECK_HAS(diag.msg, "AI (17) expiry date month 13 is not 01-12");
    CHECK_INT(s_parse("(01)00614141999996(11)260001"), DS_EINVAL);
    CHECK_HAS(diag.msg, "month 00");
    CHECK_INT(s_parse("(01)00614141999996(11)260431"), DS_EINVAL);
    CHECK_HAS(diag.msg, "AI (11) production date day 31");
    CHECK_INT(s_parse("(01)00614141999996(17)26123"), DS_EINVAL);
    CHECK_HAS(diag.msg, "needs 6 digits YYMMDD, got 5");
    CHECK_INT(s_parse("(01)00614141999996(17)26A231"), DS_EINVAL);
    CHECK_HAS(diag.msg, "has 'A', only digits");
    CHECK_INT(s_parse("01006141419999961726123"), DS_EINVAL);
    CHECK_HAS(diag.msg, "got 5");
}

TEST(gs1_lot_and_serial_character_set)
{
    CHECK_INT(s_parse("(01)00614141999996(10)a-1/2.B_c%&'*+,:;<=>?!\"x"),
              DS_EINVAL);
    CHECK_HAS(diag.msg, "has 24 characters, at most 20");
    CHECK_INT(s_parse("(01)00614141999996(10)a-1/2.B_c%&'*+,:;"), 0);
    CHECK_STR(s_str(u.lot), "a-1/2.B_c%&'*+,:;");
    CHECK_INT(s_parse("(01)00614141999996(21)ABCDEFGHIJ0123456789"), 0);
    CHECK_INT(s_parse("(01)00614141999996(21)ABCDEFGHIJ01234567890"),
              DS_EINVAL);
    CHECK_INT(s_parse("(01)00614141999996(10)LOT#4"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 25: AI (10) batch/lot has '#', not in GS1 "
                        "character set 82");
    CHECK_INT(s_parse("(01)00614141999996(10)(21)X"), DS_EINVAL);
    CHECK_HAS(diag.msg, "AI (10) batch/lot is empty");
    CHECK_INT(s_parse("010061414199999610" GS "21X"), DS_EINVAL);
    CHECK_HAS(diag.msg, "is empty");
}

TEST(gs1_unsupported_ais_are_skipped_and_counted)
{
    CHECK_INT(s_parse("(01)00614141999996(240)ABC-1(30)5(21)SN1"), 0);
    CHECK_INT(u.n_unsupported, 2);
    CHECK_STR(s_str(u.unsupported), "(240)ABC-1");
    CHECK_STR(s_str(u.serial), "SN1");
    /* element string: 240 is variable (to GS); 3103 has the predefined
     * length 10 of GenSpecs 7.8, so AI 17 follows without a GS */
    CHECK_INT(s_parse("0100614141999996240ABC" GS "3103000125"
                      "17261231"),
              0);
    CHECK_INT(u.n_unsupported, 2);
    CHECK_STR(s_str(u.unsupported), "240ABC");
    CHECK_INT(u.expiry_yyyymmdd, 20261231);
    CHECK_INT(s_parse("(01)00614141999996(240)"), DS_EINVAL);
    CHECK_HAS(diag.msg, "unsupported AI (240) is empty");
}

TEST(gs1_structure_errors)
{
    CHECK_INT(s_parse("(01)00614141999996(10)A(10)B"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 23: AI (10) appears twice");
    CHECK_INT(s_parse("(17)261231(10)A"), DS_EINVAL);
    CHECK_HAS(diag.msg, "no AI (01)");
    CHECK_INT(s_parse("0100614141999996" GS GS "10A"), DS_EINVAL);
    CHECK_HAS(diag.msg, "byte 0x1d where an AI digit was expected");
    CHECK_INT(s_parse("01006141419999961"), DS_EINVAL);
    CHECK_HAS(diag.msg, "end where an AI digit was expected");
    CHECK_INT(s_parse("010061414199999631\n0001234"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 18: byte 0x0a where an AI digit was "
                        "expected");
    CHECK_INT(s_parse("0100614141999996310"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 19: end where an AI digit was expected");
}

TEST(gs1_trailing_garbage_and_spaces)
{
    CHECK_INT(s_parse("(01)00614141999996 foo"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 19: 'f' where a '(' AI was expected");
    CHECK_INT(s_parse("(01)00614141999996 "), DS_EINVAL);
    CHECK_HAS(diag.msg, "trailing space");
    CHECK_INT(s_parse(" (01)00614141999996"), DS_EPARSE);
    CHECK_INT(s_parse("(01)00614141999996(10)LOT42\n"), DS_EINVAL);
    CHECK_HAS(diag.msg, "byte 0x0a, not in GS1 character set 82");
}

TEST(gs1_not_udi_shaped)
{
    CHECK_INT(s_parse(""), DS_EPARSE);
    CHECK_HAS(diag.msg, "empty");
    CHECK_INT(s_parse("(x)12"), DS_EPARSE);
    CHECK_INT(u.agency, NLP_UDI_NONE);
    CHECK_INT(s_parse("(1)0061414199999"), DS_EPARSE);
    CHECK_INT(s_parse("0100614141"), DS_EPARSE);
    CHECK_INT(s_parse("hello"), DS_EPARSE);
    CHECK_STR(diag.msg, "offset 0: 'h' does not start a GS1 or HIBCC UDI");
    struct ds_span none = {NULL, 0};
    CHECK_INT(nlp_udi_parse(none, &u, &diag), DS_EPARSE);
    CHECK_INT(nlp_udi_parse_gs1(ds_span_str("+A123BJC5D6E71G"), &u, NULL),
              DS_EPARSE);
}

TEST(gs1_nul_bytes)
{
    static const char a[] = "(01)0061414\000999996";
    CHECK_INT(s_parse_n(a, sizeof a - 1), DS_EINVAL);
    CHECK_HAS(diag.msg, "byte 0x00");
    static const char b[] = "(01)00614141999996(10)A\0B";
    CHECK_INT(s_parse_n(b, sizeof b - 1), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 23: AI (10) batch/lot has byte 0x00, not in "
                        "GS1 character set 82");
    static const char c[] = "\0(01)00614141999996";
    CHECK_INT(s_parse_n(c, sizeof c - 1), DS_EPARSE);
}

/* ---- HIBCC ---- */

TEST(hibcc_primary)
{
    CHECK_INT(s_parse("+A123BJC5D6E71G"), 0);
    CHECK_INT(u.agency, NLP_UDI_HIBCC);
    CHECK_INT(u.form, NLP_UDI_HIBCC_PRIMARY);
    CHECK_STR(nlp_udi_agency_name(u.agency), "HIBCC");
    CHECK_STR(s_str(u.di), "A123BJC5D6E71");
    CHECK_STR(s_str(u.labeler), "A123");
    CHECK_STR(s_str(u.product), "BJC5D6E7");
    CHECK_INT(u.unit_of_measure, 1);
    CHECK_STR(s_str(u.check), "G");
    CHECK(u.check_ok);
    CHECK_INT(u.lot.n, 0);
    CHECK_INT(u.expiry_yyyymmdd, 0);
}

TEST(hibcc_barcode_delimiters)
{
    CHECK_INT(s_parse("*+A123BJC5D6E71G*"), 0);
    CHECK_STR(s_str(u.di), "A123BJC5D6E71");
    CHECK_INT(s_parse("*+A123BJC5D6E71G"), DS_EINVAL);
    CHECK_HAS(diag.msg, "without a closing '*'");
    CHECK_INT(s_parse("+A123BJC5D6E71G*"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 15: check character '*' is not in the HIBC "
                        "character set");
}

TEST(hibcc_combined_published_example)
{
    /* $$5 = Julian YYJJJ: 20015 is day 15 of 2020; 16D production date,
     * S serial (HIBC LIC supplemental data identifiers). */
    CHECK_INT(s_parse("+A99912345/$$52001510X3/16D20111212/S77DE1G45-"), 0);
    CHECK_INT(u.form, NLP_UDI_HIBCC_COMBINED);
    CHECK_STR(s_str(u.labeler), "A999");
    CHECK_STR(s_str(u.product), "1234");
    CHECK_INT(u.unit_of_measure, 5);
    CHECK_INT(u.expiry_yyyymmdd, 20200115);
    CHECK_STR(s_str(u.lot), "10X3");
    CHECK_INT(u.production_yyyymmdd, 20111212);
    CHECK_STR(s_str(u.serial), "77DE1G45");
    CHECK_STR(s_str(u.check), "-");
}

TEST(hibcc_secondary_date_flags)
{
    /* hand-worked check 'Z' in hibcc_check_char_hand_worked */
    CHECK_INT(s_parse("+H123CATNO1/$$3261231LOT42Z"), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20261231);
    CHECK(u.expiry_day_given);
    CHECK_STR(s_str(u.lot), "LOT42");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$1226LOT9")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20261231); /* MMYY: end of month */
    CHECK(!u.expiry_day_given);
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$0228LOT9")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20280229);
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$2123126LOT1")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20261231); /* MMDDYY */
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$426123123LOT1")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20261231); /* YYMMDDHH */
    CHECK_STR(s_str(u.lot), "LOT1");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$5240601B")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20240229); /* day 60 of a leap year */
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$62406002B")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20240229); /* YYJJJHH, hour 02 */
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$7LOT42")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 0);
    CHECK_STR(s_str(u.lot), "LOT42");
}

TEST(hibcc_secondary_quantity_serial_lot)
{
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$8053261231LOT9")), 0);
    CHECK_INT(u.quantity, 5);
    CHECK_INT(u.expiry_yyyymmdd, 20261231);
    CHECK_STR(s_str(u.lot), "LOT9");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$9001001226L")), 0);
    CHECK_INT(u.quantity, 100);
    CHECK_INT(u.expiry_yyyymmdd, 20261231);
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$+3261231SN5")), 0);
    CHECK_STR(s_str(u.serial), "SN5");
    CHECK_INT(u.lot.n, 0);
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$LOT42")), 0);
    CHECK_STR(s_str(u.lot), "LOT42");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$+SN77")), 0);
    CHECK_STR(s_str(u.serial), "SN77");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/26365LOT9")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20261231); /* leading Julian date */
    CHECK_STR(s_str(u.lot), "LOT9");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/LOT42")), 0); /* plain */
    CHECK_STR(s_str(u.lot), "LOT42");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/LOT42/7Q10")), 0);
    CHECK_INT(u.n_unsupported, 1);
    CHECK_STR(s_str(u.unsupported), "7Q10");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$L-1.2 3%/14D20261231")), 0);
    CHECK_STR(s_str(u.lot), "L-1.2 3%");
    CHECK_INT(u.expiry_yyyymmdd, 20261231);
}

TEST(hibcc_special_check_characters)
{
    /* hand-worked in hibcc_check_char_hand_worked: ' ' (printed '_'), '.',
     * '/': a final '/' is the check character, not a separator */
    CHECK_INT(s_parse("+H1230G1_"), 0);
    CHECK_STR(s_str(u.check), "_");
    CHECK_INT(s_parse("+H1230G1 "), 0);
    CHECK_INT(s_parse("+H1230F1."), 0);
    CHECK_INT(s_parse("+H1230I1/"), 0);
    CHECK_INT(u.form, NLP_UDI_HIBCC_PRIMARY);
    CHECK_STR(s_str(u.product), "0I");
    CHECK_INT(s_parse("+H1230F1_"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 8: HIBC check character is ' ', expected "
                        "'.'");
    CHECK_INT(s_parse("+H1230G1."), DS_EINVAL);
    CHECK_HAS(diag.msg, "expected ' ' (a space, printed '_')");
}

TEST(hibcc_wrong_check_character_is_rejected)
{
    CHECK_INT(s_parse("+A123BJC5D6E71H"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 14: HIBC check character is 'H', expected "
                        "'G'");
    CHECK_INT(u.agency, NLP_UDI_HIBCC);
    CHECK(!u.check_ok);
    CHECK_STR(s_str(u.di), "A123BJC5D6E71"); /* fields still filled */
    /* a missing check character reads as a wrong one */
    CHECK_INT(s_parse("+A123BJC5D6E71"), DS_EINVAL);
    CHECK_HAS(diag.msg, "check character is '1', expected 'F'");
    CHECK_INT(s_parse("+H123CATNO1/$$3261231LOT42Y"), DS_EINVAL);
    CHECK_HAS(diag.msg, "expected 'Z'");
}

TEST(hibcc_primary_errors)
{
    CHECK_INT(s_parse(s_with_check("+A1-3BJC5D6E71")), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 3: HIBC LIC has '-', letters and digits "
                        "only");
    CHECK_INT(s_parse(s_with_check("+A123BJ.5D6E71")), DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC PCN has '.'");
    CHECK_INT(s_parse(s_with_check("+A123BJC5D6E7X")), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 13: HIBC unit of measure 'X' is not a digit "
                        "0-9");
    CHECK_INT(s_parse(s_with_check("+A1231234567890123456781")), 0);
    CHECK_INT(u.product.n, 18);
    CHECK_INT(s_parse(s_with_check("+A12312345678901234567891")), DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC PCN has 19 characters, at most 18");
    CHECK_INT(s_parse("+A123B1"), DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC UDI has 7 characters, at least 8");
    CHECK_INT(s_parse(s_with_check("+A123B/$LOT")), DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC primary data has 5 characters");
}

TEST(hibcc_secondary_errors)
{
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$3261331LOT")), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 15: HIBC expiry date month 13 is not 01-12");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/26366LOT")), DS_EINVAL);
    CHECK_HAS(diag.msg, "day of year 366 is not 001-365 in 2026");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/24366LOT")), 0);
    CHECK_INT(u.expiry_yyyymmdd, 20241231);
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$4261231247")), DS_EINVAL);
    CHECK_HAS(diag.msg, "hour 24 is not 00-23");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$A1")), DS_EINVAL);
    CHECK_HAS(diag.msg, "'A' is not an HIBC date flag 0-7");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$")), DS_EINVAL);
    CHECK_HAS(diag.msg, "date flag missing");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$326123")), DS_EINVAL);
    CHECK_HAS(diag.msg, "needs 6 digits YYMMDD");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$8X3261231")), DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC quantity needs 2 digits");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/")), DS_EINVAL);
    CHECK_HAS(diag.msg, "empty HIBC secondary data");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$")), DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC lot/batch is empty");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/-A")), DS_EINVAL);
    CHECK_HAS(diag.msg, "'-' cannot start HIBC secondary data");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$1234567890123456789")),
              DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC lot/batch has 19 characters, at most 18");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$+A$B")), DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC serial has '$'");
}

TEST(hibcc_supplemental_errors)
{
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$+SN1/SSN2")), DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC serial given twice");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/$$3261231L/14D20261231")),
              DS_EINVAL);
    CHECK_HAS(diag.msg, "HIBC expiry date (14D) given twice");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/L//S1")), DS_EINVAL);
    CHECK_HAS(diag.msg, "empty HIBC supplemental field");
    CHECK_INT(s_parse(s_with_check("+H123CATNO1/L/16D20260230")), DS_EINVAL);
    CHECK_HAS(diag.msg, "production date (16D) day 30 is not valid in "
                        "2026-02");
}

TEST(hibcc_lower_case_and_shapes)
{
    CHECK_INT(s_parse("+a123bjc5d6e71g"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 1: 'a' is not in the HIBC character set "
                        "(upper case only)");
    CHECK_INT(u.agency, NLP_UDI_HIBCC);
    CHECK_INT(s_parse("+A123BJC5D6E71g"), DS_EINVAL);
    CHECK_HAS(diag.msg, "check character 'g'");
    CHECK_INT(s_parse("+$$3261231LOT42Z"), DS_EPARSE);
    CHECK_HAS(diag.msg, "secondary data alone");
    CHECK_INT(u.agency, NLP_UDI_NONE);
    CHECK_INT(s_parse("+/ABC"), DS_EPARSE);
    CHECK_INT(s_parse("+"), DS_EPARSE);
    CHECK_INT(s_parse("+5 mg"), DS_EPARSE);
    CHECK_INT(nlp_udi_parse_hibcc(ds_span_str("(01)1"), &u, NULL), DS_EPARSE);
}

TEST(hibcc_trailing_garbage_and_nul)
{
    CHECK_INT(s_parse("+A123BJC5D6E71G foo"), DS_EINVAL);
    CHECK_HAS(diag.msg, "not in the HIBC character set (upper case only)");
    CHECK_INT(s_parse("+A123BJC5D6E71G XY"), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 15: HIBC PCN has ' ', letters and digits "
                        "only");
    static const char a[] = "+A123BJC\0005D6E71G";
    CHECK_INT(s_parse_n(a, sizeof a - 1), DS_EINVAL);
    CHECK_STR(diag.msg, "offset 8: byte 0x00 is not in the HIBC character "
                        "set");
}

/* ---- long input ---- */

TEST(very_long_inputs_fail_cleanly)
{
    size_t n = 1 << 20;
    char *s = malloc(n);
    CHECK(s != NULL);
    memset(s, '(', n);
    CHECK_INT(s_parse_n(s, n), DS_EPARSE);
    memcpy(s, "(01)00614141999996(10)", 22);
    memset(s + 22, 'A', n - 22);
    CHECK_INT(s_parse_n(s, n), DS_EINVAL);
    CHECK_HAS(diag.msg, "at most 20");
    s[0] = '+';
    memset(s + 1, 'A', n - 1);
    CHECK_INT(s_parse_n(s, n), DS_EINVAL);
    CHECK_HAS(diag.msg, "at most 18");
    memcpy(s, "0100614141999996", 16);
    memset(s + 16, '1', n - 16); /* "11111111" repeated: AI 11 twice */
    CHECK_INT(s_parse_n(s, n), DS_EINVAL);
    free(s);
}

/* ---- finder ---- */

/* The candidates nlp_udi_find() returns in text, joined by '|'. */
static const char *s_find_all(const char *text, size_t n)
{
    static char out[1024];
    struct ds_span t = {text, n};
    size_t at = 0, b, e, o = 0;
    out[0] = '\0';
    while (nlp_udi_find(t, at, &b, &e) && o < sizeof out - 1) {
        if (b < at || e <= b || e > n)
            return "(bad span)";
        int w = snprintf(out + o, sizeof out - o, "%s%.*s", o ? "|" : "",
                         (int)(e - b), text + b);
        o += w > 0 ? (size_t)w : 0;
        at = e;
    }
    return out;
}

static const char *s_find(const char *text)
{
    return s_find_all(text, strlen(text));
}

TEST(find_in_prose)
{
    CHECK_STR(s_find("Implant UDI (01)00614141999996(17)261231(10)LOT42. "
                     "Explanted +A123BJC5D6E71G, lot 5."),
              "(01)00614141999996(17)261231(10)LOT42|+A123BJC5D6E71G");
    CHECK_STR(s_find("udi: (01) 00614141999996 (21) SN1; pump ok"),
              "(01) 00614141999996 (21) SN1");
    CHECK_STR(s_find("label *+A123BJC5D6E71G* scanned"), "*+A123BJC5D6E71G*");
    CHECK_STR(s_find("*+H1230G1_* and +H1230G1_, +H1230G1_A"),
              "*+H1230G1_*|+H1230G1_|+H1230G1"); /* last: shape only */
    CHECK_STR(s_find("scan ]d2010061414199999610L1" GS "21S2 end"),
              "]d2010061414199999610L1" GS "21S2");
    CHECK_STR(s_find("(UDI (01)00614141999996(21)SN1)"),
              "(01)00614141999996(21)SN1");
    CHECK_STR(s_find("x +H123CATNO1/$$3261231LOT42Z."),
              "+H123CATNO1/$$3261231LOT42Z");
}

TEST(find_keeps_a_final_dot_that_is_the_check_character)
{
    CHECK_STR(s_find("lead +H1230F1. Fine."), "+H1230F1.");
    CHECK_STR(s_find("lead +A123BJC5D6E71G."), "+A123BJC5D6E71G");
}

TEST(find_ignores_look_alikes)
{
    CHECK_STR(s_find("C++ and +5 mg, (01) item, A+B, +AB, +ABCDEF"), "");
    CHECK_STR(s_find("+a123bjc5d6e71g"), "");
    CHECK_STR(s_find("X+A123BJC5D6E71G"), "");
    CHECK_STR(s_find("]d2 0100614141999996, ]x20100614141999996"), "");
    CHECK_STR(s_find("(01)"), "");
}

TEST(find_bounds)
{
    struct ds_span t = ds_span_str("+A123BJC5D6E71G");
    size_t b = 99, e = 99;
    CHECK(!nlp_udi_find(t, t.n, &b, &e));
    CHECK(!nlp_udi_find(t, t.n + 1, &b, &e));
    CHECK(b == 99 && e == 99);
    CHECK(nlp_udi_find(t, 0, &b, &e));
    CHECK(b == 0 && e == t.n);
    b = e = 99;
    CHECK(!nlp_udi_find(t, 1, &b, &e)); /* mid-run: glued */
    CHECK(!nlp_udi_find(ds_span_str("+A123B1. +AB x"), 0, &b, &e));
    CHECK(b == 99 && e == 99);
    struct ds_span none = {NULL, 0};
    CHECK(!nlp_udi_find(none, 0, &b, &e));
    static const char z[] = "a\0(01)00614141999996\0+A123BJC5D6E71G\0";
    CHECK_STR(s_find_all(z, sizeof z - 1),
              "(01)00614141999996|+A123BJC5D6E71G");
    CHECK(nlp_udi_find((struct ds_span){z, sizeof z - 1}, 20, &b, &e));
    CHECK(b == 21 && e == 36);
}

TEST(find_candidates_validate)
{
    const char *text = "A (01)00614141999996(10)X, B +A123BJC5D6E71G; C "
                       "(01)00614141999993 and D +A123BJC5D6E71H.";
    static const int want[] = {0, 0, DS_EINVAL, DS_EINVAL};
    struct ds_span t = ds_span_str(text);
    size_t at = 0, b, e;
    int k = 0;
    while (nlp_udi_find(t, at, &b, &e) && k < 4) {
        struct ds_span c = {text + b, e - b};
        CHECK_INT(nlp_udi_parse(c, &u, &diag), want[k++]);
        at = e;
    }
    CHECK_INT(k, 4);
}

TEST(find_long_pathological_text)
{
    size_t n = 4u << 20;
    char *s = malloc(n);
    CHECK(s != NULL);
    for (size_t i = 0; i < n; i++)
        s[i] = "+A((01)"[i % 7];
    size_t at = 0, b, e, found = 0;
    struct ds_span t = {s, n};
    while (nlp_udi_find(t, at, &b, &e))
        at = e, found++;
    CHECK_INT(found, 0);
    memset(s, '+', n);
    memcpy(s + n - 15, "+A123BJC5D6E71G", 15);
    s[n - 16] = ' ';
    CHECK(nlp_udi_find(t, 0, &b, &e));
    CHECK(b == n - 15 && e == n);
    free(s);
}

int main(void)
{
    RUN(gs1_check_digit_published);
    RUN(gs1_check_digit_matches_second_method);
    RUN(gs1_check_digit_rejects_non_digits);
    RUN(hibcc_check_char_published);
    RUN(hibcc_check_char_hand_worked);
    RUN(hibcc_check_char_matches_second_method);
    RUN(hibcc_check_char_rejects_outside_set);
    RUN(gs1_human_readable);
    RUN(gs1_human_readable_any_order_and_spaces);
    RUN(gs1_element_string);
    RUN(gs1_element_string_symbology_identifiers);
    RUN(gs1_wrong_check_digit_is_rejected);
    RUN(gs1_gtin_length_and_digits);
    RUN(gs1_dates);
    RUN(gs1_invalid_dates);
    RUN(gs1_lot_and_serial_character_set);
    RUN(gs1_unsupported_ais_are_skipped_and_counted);
    RUN(gs1_structure_errors);
    RUN(gs1_trailing_garbage_and_spaces);
    RUN(gs1_not_udi_shaped);
    RUN(gs1_nul_bytes);
    RUN(hibcc_primary);
    RUN(hibcc_barcode_delimiters);
    RUN(hibcc_combined_published_example);
    RUN(hibcc_secondary_date_flags);
    RUN(hibcc_secondary_quantity_serial_lot);
    RUN(hibcc_special_check_characters);
    RUN(hibcc_wrong_check_character_is_rejected);
    RUN(hibcc_primary_errors);
    RUN(hibcc_secondary_errors);
    RUN(hibcc_supplemental_errors);
    RUN(hibcc_lower_case_and_shapes);
    RUN(hibcc_trailing_garbage_and_nul);
    RUN(very_long_inputs_fail_cleanly);
    RUN(find_in_prose);
    RUN(find_keeps_a_final_dot_that_is_the_check_character);
    RUN(find_ignores_look_alikes);
    RUN(find_bounds);
    RUN(find_candidates_validate);
    RUN(find_long_pathological_text);
    return test_report();
}
