/*
 * s8 . s8 -> s32 with SMMLA (Armv8.6 FEAT_I8MM), 64 per iteration. SMMLA multiplies a
 * 2x8 by an 8x2 byte matrix into a 2x2 s32 accumulator; with 16 bytes of a as the two
 * rows and 16 of b as the two columns, the diagonal (lanes 0 and 3) accumulates
 * a0..a7 . b0..b7 and a8..a15 . b8..b15. Half of each instruction's work is the unused
 * off-diagonal (which wraps harmlessly), so it does as many useful multiply-adds as
 * one SDOT: here to measure cores where SMMLA issues faster. Exact.
 */
#include <arm_neon.h>
#include <assert.h>

#include "dot/dot.h"
#include "qb/ukernel.h"

void qb_s8_dot_ukernel__neoni8mm_u64(size_t n, const void* a, const void* b, void* out) {
  const int8_t* x = (const int8_t*) a;
  const int8_t* y = (const int8_t*) b;
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  int32x4_t acc2 = vdupq_n_s32(0), acc3 = vdupq_n_s32(0);
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    acc0 = vmmlaq_s32(acc0, vld1q_s8(x + i), vld1q_s8(y + i));
    acc1 = vmmlaq_s32(acc1, vld1q_s8(x + i + 16), vld1q_s8(y + i + 16));
    acc2 = vmmlaq_s32(acc2, vld1q_s8(x + i + 32), vld1q_s8(y + i + 32));
    acc3 = vmmlaq_s32(acc3, vld1q_s8(x + i + 48), vld1q_s8(y + i + 48));
  }
  for (; i + 16 <= n; i += 16) {
    acc0 = vmmlaq_s32(acc0, vld1q_s8(x + i), vld1q_s8(y + i));
  }
  const int32x4_t acc = vaddq_s32(vaddq_s32(acc0, acc1), vaddq_s32(acc2, acc3));
  int32_t sum = vgetq_lane_s32(acc, 0) + vgetq_lane_s32(acc, 3);
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
