/*
 * test_ds_utf8.c - the UTF-8 decoder every text check uses (ds_utf8.h),
 * and its encoder, against an encoder written here from RFC 3629: every
 * scalar value (U+0000-U+10FFFF minus surrogates) encodes (ds_utf8_encode
 * too) to bytes that decode back to it with their full length; every 2- and
 * 3-byte string that decodes as a whole is exactly the encoding of what it
 * decodes to, and there are as many of them as scalar values of that length;
 * overlongs, surrogates, values above U+10FFFF, bad lead bytes and truncated
 * sequences are refused.
 */
#include "devsurv/ds_utf8.h"
#include "../test.h"

#include <string.h>

/* RFC 3629 encoding of scalar value cp into o; its length. */
static size_t s_enc(uint32_t cp, unsigned char o[4])
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

TEST(every_scalar_value_round_trips)
{
    unsigned char b[4];
    char e[4];
    size_t bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        size_t n = s_enc(cp, b);
        uint32_t got = 0xFFFFFFFF;
        if (ds_utf8_encode(cp, e) != n || memcmp(e, b, n) != 0 ||
            ds_utf8_decode(b, n, &got) != n || got != cp ||
            ds_utf8_seq(b, n) != n || ds_utf8_decode(b, n - 1, &got) != 0 ||
            !ds_utf8_valid((const char *)b, n))
            bad++;
    }
    CHECK_INT(bad, 0);
}

/* All 2- and 3-byte strings: what decodes whole is a canonical encoding. */
TEST(short_strings_exhaustive)
{
    size_t ok2 = 0, ok3 = 0, bad = 0;
    unsigned char b[3], e[4];
    uint32_t cp;
    for (uint32_t v = 0; v < 0x10000; v++) {
        b[0] = (unsigned char)(v >> 8);
        b[1] = (unsigned char)v;
        if (b[0] >= 0x80 && ds_utf8_decode(b, 2, &cp) == 2) {
            ok2++;
            bad += s_enc(cp, e) != 2 || memcmp(e, b, 2) != 0;
        }
    }
    for (uint32_t v = 0; v < 0x1000000; v++) {
        b[0] = (unsigned char)(v >> 16);
        b[1] = (unsigned char)(v >> 8);
        b[2] = (unsigned char)v;
        if (b[0] >= 0xE0 && ds_utf8_decode(b, 3, &cp) == 3) {
            ok3++;
            bad += s_enc(cp, e) != 3 || memcmp(e, b, 3) != 0;
        }
    }
    CHECK_INT(ok2, 0x800 - 0x80);            /* U+0080-U+07FF */
    CHECK_INT(ok3, 0x10000 - 0x800 - 0x800); /* minus the surrogates */
    CHECK_INT(bad, 0);
}

TEST(refused_forms)
{
    static const struct {
        const char *b;
        size_t n;
    } no[] = {
        {"\x80", 1},             /* continuation as lead */
        {"\xC0\xAF", 2},         /* overlong '/' */
        {"\xC1\xBF", 2},         /* overlong */
        {"\xE0\x9F\xBF", 3},     /* overlong U+07FF */
        {"\xED\xA0\x80", 3},     /* U+D800 */
        {"\xED\xBF\xBF", 3},     /* U+DFFF */
        {"\xF0\x8F\xBF\xBF", 4}, /* overlong U+FFFF */
        {"\xF4\x90\x80\x80", 4}, /* U+110000 */
        {"\xF5\x80\x80\x80", 4}, /* lead beyond F4 */
        {"\xFF", 1},             /* never in UTF-8 */
        {"\xC3", 1},             /* truncated */
        {"\xE2\x82", 2},         /* truncated */
        {"\xE2\x28\xA1", 3},     /* bad continuation */
        {"\xF0\x9F\x98", 3},     /* truncated 4-byte */
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        CHECK_INT(ds_utf8_seq((const unsigned char *)no[i].b, no[i].n), 0);
        CHECK(!ds_utf8_valid(no[i].b, no[i].n));
    }
    CHECK_INT(ds_utf8_seq((const unsigned char *)"a", 0), 0);
    CHECK(ds_utf8_valid("", 0));
    CHECK(ds_utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14));
    CHECK(ds_utf8_valid("a\0b", 3)); /* NUL is a character here */
    CHECK(!ds_utf8_valid("ok\xC3", 3));
}

int main(void)
{
    RUN(every_scalar_value_round_trips);
    RUN(short_strings_exhaustive);
    RUN(refused_forms);
    return test_report();
}
