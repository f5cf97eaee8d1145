/*
 * eng_plan_cells.h - the plan cells held in memory by the engine: found
 * by (plan, device key, plan event code) through a hash index, loaded
 * from plan_cells at start, and written back (with one plan_series point
 * per changed cell) once per batch.
 *
 * Memory is the truth between commits: after a ROLLBACK the caller
 * reloads (eng_plan_cells_load) so memory again equals the store.
 * Ownership: the table owns its cells; a pointer from get/at stays valid
 * until the next call that may create a cell, or a load.
 * Not here: what updates a cell (eng_plan_stat), which cells an event
 * touches (eng_link, eng_plan_run).
 */
#ifndef DEVSURV_ENG_PLAN_CELLS_H
#define DEVSURV_ENG_PLAN_CELLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/eng_plan.h"
#include "devsurv/eng_plan_stat.h"
#include "devsurv/eng_store.h"

#define ENG_PLAN_DEVICE_MAX 128 /* a device key, incl. NUL */

struct eng_pcell {
    size_t plan; /* index in the plan set */
    char device[ENG_PLAN_DEVICE_MAX];
    char event[ENG_PLAN_CODE_MAX];
    struct eng_plan_cell st;
    double threshold;
    int64_t generation; /* signals of this cell so far after re-arms */
    int64_t last_ts;    /* event time of the last change */
    int64_t series_n;   /* plan_series points written */
    bool dirty;
};

typedef struct eng_plan_cells eng_plan_cells_t;

/* Empty table over plan set (borrowed). NULL on allocation failure. */
eng_plan_cells_t *eng_plan_cells_new(const eng_plan_set_t *set);
void eng_plan_cells_destroy(eng_plan_cells_t **self_p);

/* The cell, or NULL when absent and !create (or on allocation failure
 * or an over-long key with create: *err receives DS_ENOMEM / DS_EINVAL).
 * A created cell is zeroed (eng_plan_cell_init) and dirty. */
struct eng_pcell *eng_plan_cells_get(eng_plan_cells_t *self, size_t plan,
                                     struct ds_span device, const char *event,
                                     bool create, int *err);

size_t eng_plan_cells_count(const eng_plan_cells_t *self);
struct eng_pcell *eng_plan_cells_at(eng_plan_cells_t *self, size_t i);

/* Replace memory with the plan_cells rows of plans in the set (rows of
 * plans no longer loaded are left in the store, untouched). 0, DS_ESTORE,
 * DS_ENOMEM, or DS_EPARSE for a state blob that does not unpack. */
int eng_plan_cells_load(eng_plan_cells_t *self, eng_store_t *store);

/* Write every dirty cell and its series point inside the open
 * transaction; cells are clean afterwards. 0 or DS_ESTORE. */
int eng_plan_cells_save(eng_plan_cells_t *self, eng_store_t *store);

#endif
