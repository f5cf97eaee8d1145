/*
 * test_eng_merkle.c - RFC 6962 Merkle Tree Hash (eng_merkle.h) against the
 * Certificate Transparency reference vectors, and the incremental form
 * against the recursive definition.
 *
 * Vectors: the 8 reference leaves (kInputs) and the roots of the trees of
 * their first 1..8 leaves (kSHA256Roots), plus the empty-tree hash
 * (kSHA256EmptyTreeHash), published in google/certificate-transparency,
 * cpp/merkletree/merkle_tree_test.cc ("KNOWN ANSWER TESTS"); the same
 * values are quoted in reference/reliability.md section 3.2.
 */
#include "devsurv/eng_merkle.h"
#include "devsurv/eng_audit_key.h"
#include "../test.h"

#include <stdint.h>

static const char *const s_leaves[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

static const char *const s_roots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

TEST(ct_reference_roots_sizes_0_to_8)
{
    struct eng_merkle m;
    uint8_t root[32], leaves[8][32];
    char hex[65];
    eng_merkle_init(&m);
    eng_merkle_root(&m, root);
    CHECK_STR(eng_audit_hex(root, 32, hex), s_roots[0]);
    for (int i = 0; i < 8; i++) {
        uint8_t d[16];
        size_t n = strlen(s_leaves[i]) / 2;
        CHECK(eng_audit_unhex(s_leaves[i], 2 * n, d, n));
        eng_merkle_push(&m, d, n);
        eng_merkle_leaf(d, n, leaves[i]);
        eng_merkle_root(&m, root);
        CHECK_STR(eng_audit_hex(root, 32, hex), s_roots[i + 1]);
        eng_merkle_root_of(leaves, (size_t)i + 1, root);
        CHECK_STR(eng_audit_hex(root, 32, hex), s_roots[i + 1]);
    }
}

TEST(incremental_equals_recursive_up_to_300_leaves)
{
    static uint8_t leaves[300][32];
    struct eng_merkle m;
    uint8_t a[32], b[32];
    eng_merkle_init(&m);
    for (int i = 0; i < 300; i++) {
        uint8_t d[2] = {(uint8_t)i, (uint8_t)(i >> 8)};
        eng_merkle_push(&m, d, sizeof d);
        eng_merkle_leaf(d, sizeof d, leaves[i]);
        eng_merkle_root(&m, a);
        eng_merkle_root_of(leaves, (size_t)i + 1, b);
        if (memcmp(a, b, 32) != 0)
            TEST_FAIL_("size %d: incremental root differs", i + 1);
    }
    CHECK_INT(m.n, 300);
}

TEST(leaf_and_node_are_domain_separated)
{
    uint8_t l[32], n[32], two[64];
    eng_merkle_leaf("", 0, l);
    memcpy(two, l, 32);
    memcpy(two + 32, l, 32);
    eng_merkle_node(l, l, n);
    uint8_t as_leaf[32];
    eng_merkle_leaf(two, 64, as_leaf); /* 0x00||l||l vs 0x01||l||l */
    CHECK(memcmp(n, as_leaf, 32) != 0);
}

int main(void)
{
    RUN(ct_reference_roots_sizes_0_to_8);
    RUN(incremental_equals_recursive_up_to_300_leaves);
    RUN(leaf_and_node_are_domain_separated);
    return test_report();
}
