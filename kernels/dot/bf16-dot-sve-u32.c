/*
 * bf16 . bf16 -> f32 with SVE, vector-length agnostic: LD1H into 32-bit containers and
 * LSL by 16 turn each bf16 into its f32 exactly, FMLA accumulates (two accumulators, 32
 * elements per iteration at 512 bits, the registry's tile), the tail under a WHILELT
 * predicate. IEEE rounding, subnormals kept, reassociated (QB_SEM_REASSOC).
 */
#include <arm_sve.h>
#include <assert.h>

#include "qb/ukernel.h"

static inline svfloat32_t qb__ld(svbool_t pg, const uint16_t* p) {
  return svreinterpret_f32_u32(svlsl_n_u32_x(pg, svld1uh_u32(pg, p), 16));
}

void qb_bf16_dot_ukernel__sve_u32(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  svfloat32_t acc0 = svdup_n_f32(0.0f), acc1 = svdup_n_f32(0.0f);
  uint64_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 2 * vl <= n; i += 2 * vl) {
    acc0 = svmla_f32_x(all, acc0, qb__ld(all, x + i), qb__ld(all, y + i));
    acc1 = svmla_f32_x(all, acc1, qb__ld(all, x + i + vl), qb__ld(all, y + i + vl));
  }
  for (svbool_t pg = svwhilelt_b32_u64(i, n); svptest_first(all, pg); i += vl, pg = svwhilelt_b32_u64(i, n)) {
    acc0 = svmla_f32_m(pg, acc0, qb__ld(pg, x + i), qb__ld(pg, y + i));
  }
  *(float*) out = svaddv_f32(all, svadd_f32_x(all, acc0, acc1));
}
