/*
 * f32 -> f16 with SVE FCVT, vector-length agnostic: two vectors of f32 per iteration
 * (32 elements at 512 bits, 8 at 128; the registry's tile is the 512-bit figure, the
 * widest the tests run), the tail under a WHILELT predicate. FCVT leaves each f16 in
 * the low half of its 32-bit container; ST1H stores exactly those halves. FPCR at
 * Linux's defaults (round to nearest even, subnormals kept, NaN quieted with its top
 * payload bits): bit-exact with the reference.
 */
#include <arm_sve.h>
#include <assert.h>

#include "qb/ukernel.h"

void qb_f32_f16_cvt_ukernel__sve_u32(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  uint64_t i = 0;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (; i + 2 * vl <= n; i += 2 * vl) {
    const svfloat16_t h0 = svcvt_f16_f32_x(all, svld1_f32(all, in + i));
    const svfloat16_t h1 = svcvt_f16_f32_x(all, svld1_f32(all, in + i + vl));
    svst1h_u32(all, out + i, svreinterpret_u32_f16(h0));
    svst1h_u32(all, out + i + vl, svreinterpret_u32_f16(h1));
  }
  for (svbool_t pg = svwhilelt_b32_u64(i, n); svptest_first(all, pg); i += vl, pg = svwhilelt_b32_u64(i, n)) {
    const svfloat16_t h = svcvt_f16_f32_x(pg, svld1_f32(pg, in + i));
    svst1h_u32(pg, out + i, svreinterpret_u32_f16(h));
  }
}
