/*
 * The order `qbench run` runs a plan's cases in (schedule.c): the plan's order, stably
 * sorted so that the cases that get the same data (prepared.h's key: family, rounding,
 * and the --data tensor or the element count and distribution; never the variant,
 * backend, device or thread count) are consecutive, and the runner makes those data
 * once (qb_prepared_case keeps them only from one case to the next). The plan is not
 * changed: it stays the order of the rows, the table, the journal's plan hash and
 * `--list`; the schedule is the runner's business alone.
 *
 * The sort key of a case is the plan index of the first case of its key: groups run in
 * the order the plan first reaches them, each group's cases in plan order. A case that
 * is given no data (a transfer, a case planned as skipped or failed) runs with the case
 * before it in the plan. So a plan whose cases of each key are consecutive already (the
 * ci and quick suites: one size, distribution and rounding each) runs in plan order.
 */
#ifndef QB_RUN_SCHEDULE_H
#define QB_RUN_SCHEDULE_H

#include <stddef.h>

#include "core/status.h"
#include "run/plan.h"

/* The plan indices in running order into *order (plan->count of them, malloc'ed; NULL
 * for an empty plan): each index exactly once. */
qb_status qb_schedule_build(const qb_plan* plan, size_t** order, qb_error* err);

#endif
