/*
 * fuzz_config.c - libFuzzer target for the configuration reader.
 *
 * Feeds the bytes to eng_config_parse() and, as a NUL-terminated copy, to
 * eng_config_set(). Beyond "no crash, no sanitizer report" it checks the
 * contract: only the documented codes come back, an error names a line,
 * and a file that parses survives eng_config_validate() and prints back to
 * text that parses to the same printout (print/parse round trip).
 *
 * Not here: eng_config_load() (file I/O adds nothing the parser lacks).
 */
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cfg printed into a new malloc'd string (*n bytes). */
static char *s_print(const struct eng_config *cfg, size_t *n)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, n);
    if (!f)
        abort();
    eng_config_print(cfg, f);
    fclose(f);
    return out;
}

static void s_round_trip(const struct eng_config *cfg)
{
    struct eng_config again;
    struct ds_diag diag;
    size_t n1, n2;
    ds_diag_clear(&diag);
    if (eng_config_validate(cfg, &diag) != 0)
        abort();
    char *first = s_print(cfg, &n1);
    eng_config_defaults(&again);
    if (eng_config_parse(&again, first, n1, "printed", &diag) != 0)
        abort();
    char *second = s_print(&again, &n2);
    if (n1 != n2 || memcmp(first, second, n1) != 0)
        abort();
    free(first);
    free(second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eng_config cfg;
    struct ds_diag diag;
    ds_diag_clear(&diag);
    eng_config_defaults(&cfg);
    int rc = eng_config_parse(&cfg, (const char *)data, size, "fuzz", &diag);
    if (rc == 0)
        s_round_trip(&cfg);
    else if ((rc != DS_EPARSE && rc != DS_ECONFIG) || diag.line < 1 ||
             strchr(diag.msg, '\n'))
        abort();
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    eng_config_defaults(&cfg);
    rc = eng_config_set(&cfg, s, &diag);
    if (rc == 0)
        s_round_trip(&cfg);
    else if (rc != DS_EPARSE && rc != DS_ECONFIG)
        abort();
    free(s);
    return 0;
}
