/*
 * fuzz_audit.c - libFuzzer target for the audit parsers that read bytes an
 * attacker may control: eng_audit_sth_parse() (anchor file lines),
 * eng_audit_canon_decode() (audit.canonical blobs) and
 * eng_audit_events_open/next() (events_stored payloads, read by verify).
 *
 * Any bytes must give 0 or DS_EPARSE. What parses must round-trip: an STH
 * formats back to exactly the input line; a decoded entry re-encodes to
 * exactly the input bytes (one encoding per entry); an events_stored
 * payload rebuilt item by item is the input bytes.
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_audit_canon.h"
#include "devsurv/eng_audit_events.h"
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

static void s_events(const uint8_t *data, size_t size)
{
    struct eng_audit_rd r;
    struct eng_audit_events_item it;
    struct eng_audit_events b = {0};
    const uint8_t *p = NULL;
    size_t n = 0;
    uint64_t count;
    int rc = eng_audit_events_open(&r, data, size, &count);
    for (uint64_t i = 0; rc == 0 && i < count; i++) {
        rc = eng_audit_events_next(&r, &it);
        if (rc == 0 && count <= ENG_AUDIT_EVENTS_MAX &&
            eng_audit_events_add(&b, &it) != 0)
            abort();
    }
    if (rc != 0 && rc != DS_EPARSE)
        abort();
    if (rc == 0 && r.n == 0 && count <= ENG_AUDIT_EVENTS_MAX &&
        (eng_audit_events_payload(&b, &p, &n) != 0 || n != size ||
         memcmp(p, data, size) != 0 || b.n != count))
        abort();
    eng_audit_events_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_sth(data, size);
    s_canon(data, size);
    s_events(data, size);
    return 0;
}
