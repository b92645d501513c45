/*
 * u8 . s8 -> s32 with SDOT only (Armv8.2 FEAT_DotProd, no mixed-sign dot before i8mm),
 * 64 per iteration:
 *   a . b = (a - 128) . b + 128 * sum(b)
 * 1. a - 128 is a ^ 0x80 read as s8, so SDOT gives the first term;
 * 2. SDOT against a vector of ones gives sum(b) four bytes a lane.
 * Both terms and their sum stay inside int32 for n <= QB_U8S8_DOT_MAX_N: exact.
 */
#include <arm_neon.h>
#include <assert.h>

#include "dot/dot.h"
#include "qb/ukernel.h"

static inline int8x16_t qb__bias(uint8x16_t v) {
  return vreinterpretq_s8_u8(veorq_u8(v, vdupq_n_u8(0x80)));
}

void qb_u8s8_dot_ukernel__neondot_u64(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const int8_t* y = (const int8_t*) b;
  const int8x16_t ones = vdupq_n_s8(1);
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  int32x4_t sb0 = vdupq_n_s32(0), sb1 = vdupq_n_s32(0);
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_U8S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    for (size_t k = 0; k < 64; k += 32) {
      const int8x16_t y0 = vld1q_s8(y + i + k), y1 = vld1q_s8(y + i + k + 16);
      acc0 = vdotq_s32(acc0, qb__bias(vld1q_u8(x + i + k)), y0);
      acc1 = vdotq_s32(acc1, qb__bias(vld1q_u8(x + i + k + 16)), y1);
      sb0 = vdotq_s32(sb0, ones, y0);
      sb1 = vdotq_s32(sb1, ones, y1);
    }
  }
  for (; i + 16 <= n; i += 16) {
    const int8x16_t y0 = vld1q_s8(y + i);
    acc0 = vdotq_s32(acc0, qb__bias(vld1q_u8(x + i)), y0);
    sb0 = vdotq_s32(sb0, ones, y0);
  }
  int32_t sum = vaddvq_s32(vaddq_s32(acc0, acc1)) + 128 * vaddvq_s32(vaddq_s32(sb0, sb1));
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
