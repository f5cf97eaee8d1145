/*
 * fuzz_rules.c - libFuzzer target for the rule-file parser.
 *
 * The first byte picks the file the rest is parsed as (VERSION, each kind
 * of concept file, a terms file, triggers, sections), through
 * nlp_rules_parse_buffer(), which runs every check that needs only that
 * file: text (UTF-8, control characters), header, fields, enumerations,
 * licences, code shapes, parents and cycles, duplicates. Beyond "no crash,
 * no sanitizer report" it checks the contract: only documented codes come
 * back, a parse error names the file and a line >= 1 with a one-line
 * message, and parsing is deterministic (same rows twice).
 *
 * Seeds: tests/fuzz/corpus/fuzz_rules/ (first byte 0-6 as below).
 * Not here: directory walking and hashing (nlp_rules_load(); the unit test
 * covers them with real trees).
 */
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const s_paths[] = {
    "VERSION",
    "concepts/device_class.tsv",
    "concepts/health_effect.tsv",
    "concepts/device_component.tsv",
    "terms/device_problem_curated.tsv",
    "context/triggers.tsv",
    "context/sections.tsv",
};
#define S_NPATHS (sizeof s_paths / sizeof s_paths[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *path = s_paths[data[0] % S_NPATHS];
    struct ds_diag diag;
    size_t rows = 0, again = 0;
    int rc = nlp_rules_parse_buffer(path, data + 1, size - 1, &rows, &diag);
    if (rc == 0) {
        if (nlp_rules_parse_buffer(path, data + 1, size - 1, &again, &diag) !=
                0 ||
            again != rows || rows > size)
            abort();
    } else if (rc == DS_EPARSE) {
        if (diag.line < 1 || strcmp(diag.file, path) != 0 || !diag.msg[0] ||
            strchr(diag.msg, '\n'))
            abort();
    } else if (rc != DS_ENOMEM) {
        abort();
    }
    return 0;
}
