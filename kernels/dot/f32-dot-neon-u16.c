/*
 * f32 . f32 -> f32 with AdvSIMD FMLA: four accumulators of 4 lanes (16 per iteration)
 * so that four FMA chains are in flight, summed pairwise at the end, then the last
 * n % 4 elements in scalar. The order differs from the reference and each FMA rounds
 * once (QB_SEM_REASSOC); subnormals are kept (FPCR.FZ is 0 under Linux).
 */
#include <arm_neon.h>
#include <assert.h>

#include "qb/ukernel.h"

void qb_f32_dot_ukernel__neon_u16(size_t n, const void* a, const void* b, void* out) {
  const float* x = (const float*) a;
  const float* y = (const float*) b;
  float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
  float32x4_t acc2 = vdupq_n_f32(0.0f), acc3 = vdupq_n_f32(0.0f);
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 16 <= n; i += 16) {
    acc0 = vfmaq_f32(acc0, vld1q_f32(x + i), vld1q_f32(y + i));
    acc1 = vfmaq_f32(acc1, vld1q_f32(x + i + 4), vld1q_f32(y + i + 4));
    acc2 = vfmaq_f32(acc2, vld1q_f32(x + i + 8), vld1q_f32(y + i + 8));
    acc3 = vfmaq_f32(acc3, vld1q_f32(x + i + 12), vld1q_f32(y + i + 12));
  }
  for (; i + 4 <= n; i += 4) {
    acc0 = vfmaq_f32(acc0, vld1q_f32(x + i), vld1q_f32(y + i));
  }
  float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
  for (; i < n; i++) {
    sum += x[i] * y[i];
  }
  *(float*) out = sum;
}
