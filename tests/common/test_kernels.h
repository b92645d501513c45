/*
 * One CTest case per registry entry (tests/kernels.cmake). A test binary that checks
 * kernel variants hands its per-kernel check and its other cases to
 * qb_test_kernels_main, which gives it this command line:
 *
 *   test_x                   every case: the shared ones, then one per kernel it checks
 *                            (a kernel this CPU cannot run is a skipped case)
 *   test_x --common          the shared cases only (the CTest case named test_x)
 *   test_x --kernel NAME     the checks of one kernel, named as `qbench list` names it
 *                            (the CTest case test_x:NAME); exit 77 when this CPU, or
 *                            the ISA cap, cannot run it
 *   test_x --list            what CTest registers: `common` when there are shared cases,
 *                            then the name of every built registry entry it checks
 *
 * Unknown options and kernels, and kernels this binary does not check, are exit 2.
 */
#ifndef QB_TEST_KERNELS_H
#define QB_TEST_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "platform/registry.h"
#include "test_util.h"

typedef struct qb_test_kernels {
  /* Whether this binary checks k (typically: the families of its op, not the scalar
   * references, which are the oracle). */
  bool (*checks)(const qb_kernel_info* k);
  /* Every check of one kernel, with cmocka's assertions; it runs only when k is usable. */
  void (*check)(const qb_kernel_info* k);
  /* The cases tied to no one kernel (may be NULL / 0). */
  const struct CMUnitTest* common;
  size_t ncommon;
} qb_test_kernels;

/* The test's main: detects the CPU (with the QBENCH_MAX_ISA cap), parses the options
 * above and runs. Returns the process's exit code. */
int qb_test_kernels_main(int argc, char** argv, const qb_test_kernels* t);

/* The CPU qb_test_kernels_main detected, capped (for checks that need it). */
const qb_cpu* qb_test_cpu(void);

#endif
