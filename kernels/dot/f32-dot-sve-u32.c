/*
 * f32 . f32 -> f32 with SVE FMLA, vector-length agnostic: two accumulators, two
 * vectors per iteration (32 elements at 512 bits, the registry's tile; 8 at 128), the
 * tail under a WHILELT predicate (merging FMLA leaves inactive lanes alone).
 * Reassociated (QB_SEM_REASSOC); subnormals kept.
 */
#include <arm_sve.h>
#include <assert.h>

#include "qb/ukernel.h"

void qb_f32_dot_ukernel__sve_u32(size_t n, const void* a, const void* b, void* out) {
  const float* x = (const float*) a;
  const float* y = (const float*) b;
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  svfloat32_t acc0 = svdup_n_f32(0.0f), acc1 = svdup_n_f32(0.0f);
  uint64_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 2 * vl <= n; i += 2 * vl) {
    acc0 = svmla_f32_x(all, acc0, svld1_f32(all, x + i), svld1_f32(all, y + i));
    acc1 = svmla_f32_x(all, acc1, svld1_f32(all, x + i + vl), svld1_f32(all, y + i + vl));
  }
  for (svbool_t pg = svwhilelt_b32_u64(i, n); svptest_first(all, pg); i += vl, pg = svwhilelt_b32_u64(i, n)) {
    acc0 = svmla_f32_m(pg, acc0, svld1_f32(pg, x + i), svld1_f32(pg, y + i));
  }
  *(float*) out = svaddv_f32(all, svadd_f32_x(all, acc0, acc1));
}
