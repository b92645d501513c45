/*
 * f16 -> f32 with SVE FCVT, vector-length agnostic: two vectors per iteration (32
 * elements at 512 bits, the registry's tile), the tail under a WHILELT predicate.
 * LD1H into 32-bit containers puts each f16 where FCVT (.s from .h) reads it. Exact;
 * a signaling NaN is quieted, payload kept, as in the reference: bit-exact.
 */
#include <arm_sve.h>
#include <assert.h>

#include "qb/ukernel.h"

static inline svfloat32_t qb__cvt(svbool_t pg, const uint16_t* in) {
  return svcvt_f32_f16_x(pg, svreinterpret_f16_u32(svld1uh_u32(pg, in)));
}

void qb_f16_f32_cvt_ukernel__sve_u32(size_t n, const void* x, void* y, const void* params) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  uint64_t i = 0;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; i + 2 * vl <= n; i += 2 * vl) {
    svst1_f32(all, out + i, qb__cvt(all, in + i));
    svst1_f32(all, out + i + vl, qb__cvt(all, in + i + vl));
  }
  for (svbool_t pg = svwhilelt_b32_u64(i, n); svptest_first(all, pg); i += vl, pg = svwhilelt_b32_u64(i, n)) {
    svst1_f32(pg, out + i, qb__cvt(pg, in + i));
  }
}
