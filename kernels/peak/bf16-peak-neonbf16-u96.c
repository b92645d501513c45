/*
 * bf16 peak with BFDOT (Armv8.6 FEAT_BF16): 12 independent accumulators, each BFDOT
 * adding two products to each of 4 lanes (96 multiply-adds per iteration). BFDOT
 * flushes subnormals and rounds to odd (QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT | QB_SEM_REASSOC
 * | QB_SEM_ROUND_ODD); with integer partial sums below 2^24 it agrees with the
 * reference bit for bit.
 */
#include <arm_neon.h>
#include <assert.h>

#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__PER_ACC 8 /* 4 lanes x 2 products */
#define QB__DECL(j)                       \
  float32x4_t acc##j = vdupq_n_f32(0.0f); \
  __asm__("" : "+w"(acc##j));
#define QB__STEP(j) acc##j = vbfdotq_f32(acc##j, x, y);
#define QB__SUM(j) sum = vaddq_f32(sum, acc##j);

void qb_bf16_peak_ukernel__neonbf16_u96(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__PER_ACC * 12);
  assert(out != NULL);
  assert(n % (QB__PER_ACC * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const bfloat16x8_t x = vld1q_dup_bf16((const bfloat16_t*) a);
    const bfloat16x8_t y = vld1q_dup_bf16((const bfloat16_t*) b);
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  float32x4_t sum = vdupq_n_f32(0.0f);
  QB_PEAK_CHAINS12(QB__SUM)
  *(float*) out = vaddvq_f32(sum);
}
