/*
 * fuzz_site_envelope.c - libFuzzer target: any bytes as one envelope line
 * through eng_site_envelope_prepare() with a fixed site key, as ds-publish
 * --pseudo-key does before anything leaves the hospital.
 *
 * Beyond "no crash, no leak" it checks the privacy contract: on success
 * the output is one JSON object whose "patient" and "encounter", when
 * present, are pseudonyms ("ps-" + 32 hex digits); every failure is one of
 * the documented codes. Without a key the line must pass through as is.
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_site_envelope.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int s_pseudo_ok(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    if (!v)
        return 1;
    const char *s = json_string_value(v);
    return s && strlen(s) == ENG_PSEUDO_LEN && strncmp(s, "ps-", 3) == 0 &&
           strspn(s + 3, "0123456789abcdef") == ENG_PSEUDO_LEN - 3;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eng_site_envelope out;
    struct eng_pseudo_key key;
    struct ds_diag diag;
    memset(&key, 0x5a, sizeof key);
    ds_diag_clear(&diag);
    const char *line = (const char *)data;
    int rc = eng_site_envelope_prepare(line, size, &key, &out, &diag);
    if (rc != 0 && rc != DS_EPARSE && rc != DS_EINVAL && rc != DS_ENOMEM)
        abort();
    if (rc == 0) {
        json_t *o = json_loadb(out.p, out.n, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(o) || !s_pseudo_ok(o, "patient") ||
            !s_pseudo_ok(o, "encounter"))
            abort();
        json_decref(o);
    }
    if (eng_site_envelope_prepare(line, size, NULL, &out, &diag) != 0 ||
        out.p != line || out.n != size)
        abort();
    return 0;
}
