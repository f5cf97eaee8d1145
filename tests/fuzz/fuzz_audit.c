/*
 * fuzz_audit.c - libFuzzer target for the audit parsers that read bytes an
 * attacker may control: eng_audit_sth_parse() (anchor file lines) and
 * eng_audit_canon_decode() (audit.canonical blobs).
 *
 * Any bytes must give 0 or DS_EPARSE. What parses must round-trip: an STH
 * formats back to exactly the input line; a decoded entry re-encodes to
 * exactly the input bytes (one encoding per entry).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_audit_canon.h"
#include "devsurv/eng_audit_sth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_sth(const uint8_t *data, size_t size)
{
    struct eng_audit_sth s;
    char line[ENG_AUDIT_STH_LINE_MAX];
    struct ds_span in = {(const char *)data, size};
    int rc = eng_audit_sth_parse(in, &s);
    if (rc == DS_EPARSE)
        return;
    if (rc != 0)
        abort();
    eng_audit_sth_format(&s, line);
    size_t n = strlen(line);
    if (size && data[size - 1] != '\n')
        n--; /* the input had no '\n' */
    if (n != size || memcmp(line, data, n) != 0)
        abort();
}

static void s_canon(const uint8_t *data, size_t size)
{
    struct eng_audit_entry e;
    struct eng_audit_buf b = {0};
    int rc = eng_audit_canon_decode(data, size, &e);
    if (rc == DS_EPARSE)
        return;
    if (rc != 0 || eng_audit_canon_encode(&b, &e) != 0 || b.n != size ||
        memcmp(b.p, data, size) != 0)
        abort();
    eng_audit_buf_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_sth(data, size);
    s_canon(data, size);
    return 0;
}
