/* The planner's test fixture (test_run_plan, test_run_schedule): a machine of fixed
 * caches (32 KiB L1d, 512 KiB L2, 32 MiB L3) and 4 cores whose CPU paths are capped at
 * the references, so that a plan no longer depends on the machine; the CPU backend from
 * the registry, as qbench run creates it; a suite parsed from text; threads 1 and 4. */
#ifndef QB_TEST_PLAN_FIXTURE_H
#define QB_TEST_PLAN_FIXTURE_H

#include <stdlib.h>

#include "run/plan.h"
#include "test_util.h"

typedef struct qb_test_plan_fixture {
  qb_ctx ctx;
  qb_suite suite;
  qb_plan_input in;
} qb_test_plan_fixture;

/* A cmocka setup: *state becomes a fixture planning `suite_text` (named `name`). */
static inline int qb_test_plan_setup(void** state, const char* suite_text, const char* name) {
  qb_test_plan_fixture* fx = calloc(1, sizeof *fx);
  qb_error err = {0};
  assert_non_null(fx);
  qb_cpu_detect(&fx->ctx.cpu);
  assert_int_equal(qb_cpu_set_cap(&fx->ctx.cpu, "scalar", &err), QB_OK);
  fx->ctx.topo.l1d_used = 32 << 10;
  fx->ctx.topo.l2_used = 512 << 10;
  fx->ctx.topo.l3_used = 32 << 20;
  fx->ctx.topo.cores = 4;
  assert_int_equal(qb_suite_parse(suite_text, name, &fx->suite, &err), QB_OK);
  fx->in.ctx = &fx->ctx;
  fx->in.suite = &fx->suite;
  const qb_backend_info* cpu = qb_backend_get(QB_BACKEND_cpu);
  assert_int_equal(cpu->create(&fx->ctx, NULL, &fx->in.backends[QB_BACKEND_cpu], &err), QB_OK);
  fx->in.n_threads = 2;
  fx->in.threads[0] = 1;
  fx->in.threads[1] = 4;
  *state = fx;
  return 0;
}

static inline int qb_test_plan_teardown(void** state) {
  qb_test_plan_fixture* fx = *state;
  qb_backend* b = fx->in.backends[QB_BACKEND_cpu];
  b->ops->destroy(b);
  qb_suite_free(&fx->suite);
  free(fx);
  return 0;
}

#endif
