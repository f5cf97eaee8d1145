/*
 * fuzz_plan_cell.c - libFuzzer target: any bytes through
 * eng_plan_cell_unpack() (a surveillance cell's stored state).
 *
 * Beyond "no crash" (the sanitizers) it checks the contract: the result is
 * 0 or DS_EPARSE, a refused input leaves the cell untouched, and an
 * accepted one is canonical - packing it again gives exactly the input
 * bytes - and holds only values a cell can hold. Not here: driving the
 * unpacked cell through a design (the unit tests do that).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_plan_stat.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eng_plan_cell c, before;
    uint8_t again[ENG_PLAN_CELL_PACK_MAX];
    memset(&c, 0xA5, sizeof c);
    before = c;
    int rc = eng_plan_cell_unpack(&c, data, size);
    if (rc != 0 && rc != DS_EPARSE)
        abort();
    if (rc != 0) {
        if (memcmp(&c, &before, sizeof c) != 0)
            abort();
        return 0;
    }
    size_t n = eng_plan_cell_pack(&c, again, sizeof again);
    if (n != size || memcmp(again, data, n) != 0)
        abort();
    if (c.observed < 0 || c.exposures < 0 || c.binomial.cases > c.binomial.n ||
        !isfinite(c.expected) || c.expected < 0 ||
        c.status > ENG_PLAN_CELL_ENDED)
        abort();
    return 0;
}
