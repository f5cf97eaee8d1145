/*
 * test_ds_sha256.c - ds_sha256 against the FIPS 180-4 / NIST CSRC example
 * digests ("abc", the empty string, the 448-bit message, a million 'a')
 * and against itself fed in uneven pieces; the digest must not depend on
 * how the input is split.
 */
#include "devsurv/ds_sha256.h"
#include "../test.h"

#include <stdio.h>

static void s_hex(const uint8_t d[DS_SHA256_BYTES], char out[65])
{
    for (int i = 0; i < DS_SHA256_BYTES; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

TEST(fips_vectors)
{
    uint8_t d[DS_SHA256_BYTES];
    char hex[65];
    ds_sha256(d, "abc", 3);
    s_hex(d, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
                   "b00361a396177a9cb410ff61f20015ad");
    ds_sha256(d, NULL, 0);
    s_hex(d, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                   "27ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ds_sha256(d, m, strlen(m));
    s_hex(d, hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039"
                   "a33ce45964ff2167f6ecedd419db06c1");
}

TEST(million_a_in_pieces)
{
    static char a[1024]; /* pieces are at most 1009 bytes */
    memset(a, 'a', sizeof a);
    struct ds_sha256 h;
    uint8_t d[DS_SHA256_BYTES];
    char hex[65];
    ds_sha256_init(&h);
    size_t left = 1000000, step = 1;
    while (left) {
        size_t k = step < left ? step : left;
        ds_sha256_update(&h, a, k);
        left -= k;
        step = step % 997 + 13; /* uneven pieces, crossing blocks */
    }
    ds_sha256_final(&h, d);
    s_hex(d, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
                   "f1809a48a497200e046d39ccc7112cd0");
}

TEST(state_reusable_after_init)
{
    struct ds_sha256 h;
    uint8_t a[DS_SHA256_BYTES], b[DS_SHA256_BYTES];
    ds_sha256_init(&h);
    ds_sha256_update(&h, "junk", 4);
    ds_sha256_final(&h, a);
    ds_sha256_init(&h);
    ds_sha256_update(&h, "ab", 2);
    ds_sha256_update(&h, NULL, 0);
    ds_sha256_update(&h, "c", 1);
    ds_sha256_final(&h, a);
    ds_sha256(b, "abc", 3);
    CHECK(memcmp(a, b, sizeof a) == 0);
}

/* ds_sha256_file() hashes the record byte stream, spelled out here. */
TEST(file_record_is_name_nul_length_bytes)
{
    static const uint8_t rec[] = {'a', '/', 'b', 0, 0, 0, 0, 0, 0, 0, 0, 3, 'x',
                                  'y', 'z', 'c', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    uint8_t want[DS_SHA256_BYTES], got[DS_SHA256_BYTES];
    struct ds_sha256 h;
    ds_sha256(want, rec, sizeof rec);
    ds_sha256_init(&h);
    ds_sha256_file(&h, "a/b", "xyz", 3);
    ds_sha256_file(&h, "c", NULL, 0);
    ds_sha256_final(&h, got);
    CHECK(memcmp(want, got, sizeof want) == 0);
}

int main(void)
{
    RUN(fips_vectors);
    RUN(million_a_in_pieces);
    RUN(state_reusable_after_init);
    RUN(file_record_is_name_nul_length_bytes);
    return test_report();
}
