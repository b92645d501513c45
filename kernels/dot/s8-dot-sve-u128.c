/*
 * s8 . s8 -> s32 with SVE SDOT (part of base SVE), vector-length agnostic: two
 * accumulators, two vectors of bytes per iteration (128 at 512 bits, the registry's
 * tile), the tail under a WHILELT predicate whose zeroing loads add nothing. Exact.
 */
#include <arm_sve.h>
#include <assert.h>

#include "dot/dot.h"
#include "qb/ukernel.h"

void qb_s8_dot_ukernel__sve_u128(size_t n, const void* a, const void* b, void* out) {
  const int8_t* x = (const int8_t*) a;
  const int8_t* y = (const int8_t*) b;
  const uint64_t vl = svcntb();
  const svbool_t all = svptrue_b8();
  svint32_t acc0 = svdup_n_s32(0), acc1 = svdup_n_s32(0);
  uint64_t i = 0;
  assert(out != NULL);
  assert(n <= QB_S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 2 * vl <= n; i += 2 * vl) {
    acc0 = svdot_s32(acc0, svld1_s8(all, x + i), svld1_s8(all, y + i));
    acc1 = svdot_s32(acc1, svld1_s8(all, x + i + vl), svld1_s8(all, y + i + vl));
  }
  for (svbool_t pg = svwhilelt_b8_u64(i, n); svptest_first(all, pg); i += vl, pg = svwhilelt_b8_u64(i, n)) {
    acc0 = svdot_s32(acc0, svld1_s8(pg, x + i), svld1_s8(pg, y + i));
  }
  *(int32_t*) out = (int32_t) svaddv_s32(svptrue_b32(), svadd_s32_x(svptrue_b32(), acc0, acc1));
}
