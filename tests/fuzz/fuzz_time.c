/*
 * fuzz_time.c - libFuzzer target for eng_time_parse() / eng_time_format().
 *
 * Any bytes must parse to 0, DS_EPARSE or DS_ERANGE without touching *ms on
 * error; whatever parses must format and parse back to the same ms, and the
 * formatted form must be canonical (formatting it again gives the same
 * string). Not here: checking values against an independent calendar
 * (test_eng_time.c does that day by day).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const int64_t untouched = INT64_MIN + 7;
    int64_t ms = untouched, back = untouched;
    char buf[ENG_TIME_STR_MAX], again[ENG_TIME_STR_MAX];
    int rc = eng_time_parse((const char *)data, size, &ms);
    if (rc == DS_EPARSE || rc == DS_ERANGE) {
        if (ms != untouched)
            abort();
        return 0;
    }
    if (rc != 0)
        abort();
    eng_time_format(ms, buf);
    if (strlen(buf) >= ENG_TIME_STR_MAX)
        abort();
    if (eng_time_parse(buf, strlen(buf), &back) != 0 || back != ms)
        abort();
    if (strcmp(eng_time_format(back, again), buf) != 0)
        abort();
    return 0;
}
