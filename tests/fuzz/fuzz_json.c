/*
 * fuzz_json.c - libFuzzer target: any bytes through ds_json_parse(), with
 * jansson as the oracle (fuzz_json_cmp.h): the same accept/reject decision
 * and, when accepted, the same tree and the same decoded strings; abort on
 * any difference. Also checked: an error carries a position inside the
 * input and a reason of printable ASCII; an accepted tree's subtree sizes
 * add up. One parser is reused for every input, as its users do. Not
 * here: the envelope rules built on top (fuzz_event.c, fuzz_site_envelope.c).
 */
#include "fuzz_json_cmp.h"

#include <stdint.h>
#include <stdlib.h>

static int s_error_ok(const struct ds_json *j, size_t size)
{
    for (const char *p = j->err_reason; *p; p++)
        if (*p < 0x20 || *p > 0x7E)
            return 0;
    return j->err_reason[0] && j->err_pos <= size && j->err_line >= 1 &&
           j->err_column >= 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ds_json j;
    char why[256];
    const char *buf = (const char *)data;
    if (dsj_diff(&j, buf, size, why, sizeof why) != 0) {
        fprintf(stderr, "fuzz_json: %s\n", why);
        abort();
    }
    const struct ds_json_node *root = ds_json_root(&j);
    if (!root && !s_error_ok(&j, size))
        abort();
    if (root && (root->size != j.nnodes || root->raw < buf ||
                 root->raw + root->raw_n > buf + size))
        abort();
    return 0;
}
