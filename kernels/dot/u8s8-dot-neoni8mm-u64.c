/*
 * u8 . s8 -> s32 with USDOT (Armv8.6 FEAT_I8MM, the mixed-sign dot: x86's vpdpbusd),
 * four accumulators, 64 per iteration. Exact (n <= QB_U8S8_DOT_MAX_N).
 */
#include <arm_neon.h>
#include <assert.h>

#include "dot/dot.h"
#include "qb/ukernel.h"

void qb_u8s8_dot_ukernel__neoni8mm_u64(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const int8_t* y = (const int8_t*) b;
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  int32x4_t acc2 = vdupq_n_s32(0), acc3 = vdupq_n_s32(0);
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_U8S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    acc0 = vusdotq_s32(acc0, vld1q_u8(x + i), vld1q_s8(y + i));
    acc1 = vusdotq_s32(acc1, vld1q_u8(x + i + 16), vld1q_s8(y + i + 16));
    acc2 = vusdotq_s32(acc2, vld1q_u8(x + i + 32), vld1q_s8(y + i + 32));
    acc3 = vusdotq_s32(acc3, vld1q_u8(x + i + 48), vld1q_s8(y + i + 48));
  }
  for (; i + 16 <= n; i += 16) {
    acc0 = vusdotq_s32(acc0, vld1q_u8(x + i), vld1q_s8(y + i));
  }
  int32_t sum = vaddvq_s32(vaddq_s32(vaddq_s32(acc0, acc1), vaddq_s32(acc2, acc3)));
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
