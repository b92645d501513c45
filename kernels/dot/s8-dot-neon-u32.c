/*
 * s8 . s8 -> s32 with base AdvSIMD, 32 per iteration: SMULL/SMULL2 give s16 products
 * (|p| <= 2^14: exact), SADALP adds adjacent pairs into s32 accumulators. Exact: n <=
 * QB_S8_DOT_MAX_N keeps every partial sum in int32.
 */
#include <arm_neon.h>
#include <assert.h>

#include "dot/dot.h"
#include "qb/ukernel.h"

static inline int32x4_t qb__step(int32x4_t acc, int8x16_t a, int8x16_t b) {
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
  return vpadalq_s16(acc, vmull_high_s8(a, b));
}

void qb_s8_dot_ukernel__neon_u32(size_t n, const void* a, const void* b, void* out) {
  const int8_t* x = (const int8_t*) a;
  const int8_t* y = (const int8_t*) b;
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 32 <= n; i += 32) {
    acc0 = qb__step(acc0, vld1q_s8(x + i), vld1q_s8(y + i));
    acc1 = qb__step(acc1, vld1q_s8(x + i + 16), vld1q_s8(y + i + 16));
  }
  for (; i + 16 <= n; i += 16) {
    acc0 = qb__step(acc0, vld1q_s8(x + i), vld1q_s8(y + i));
  }
  int32_t sum = vaddvq_s32(vaddq_s32(acc0, acc1));
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
