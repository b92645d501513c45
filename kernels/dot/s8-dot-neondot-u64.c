/*
 * s8 . s8 -> s32 with SDOT (Armv8.2 FEAT_DotProd): each lane adds four byte products
 * per instruction, four accumulators, 64 per iteration. Exact (n <= QB_S8_DOT_MAX_N).
 */
#include <arm_neon.h>
#include <assert.h>

#include "dot/dot.h"
#include "qb/ukernel.h"

void qb_s8_dot_ukernel__neondot_u64(size_t n, const void* a, const void* b, void* out) {
  const int8_t* x = (const int8_t*) a;
  const int8_t* y = (const int8_t*) b;
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  int32x4_t acc2 = vdupq_n_s32(0), acc3 = vdupq_n_s32(0);
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    acc0 = vdotq_s32(acc0, vld1q_s8(x + i), vld1q_s8(y + i));
    acc1 = vdotq_s32(acc1, vld1q_s8(x + i + 16), vld1q_s8(y + i + 16));
    acc2 = vdotq_s32(acc2, vld1q_s8(x + i + 32), vld1q_s8(y + i + 32));
    acc3 = vdotq_s32(acc3, vld1q_s8(x + i + 48), vld1q_s8(y + i + 48));
  }
  for (; i + 16 <= n; i += 16) {
    acc0 = vdotq_s32(acc0, vld1q_s8(x + i), vld1q_s8(y + i));
  }
  int32_t sum = vaddvq_s32(vaddq_s32(vaddq_s32(acc0, acc1), vaddq_s32(acc2, acc3)));
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
