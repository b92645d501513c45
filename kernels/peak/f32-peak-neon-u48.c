/*
 * f32 peak with AdvSIMD FMLA: each iteration issues one FMLA on each of 12 independent
 * accumulators (4 lanes each: 48 multiply-adds). Current Arm cores run 2-4 FMLA pipes
 * with a latency of 3-4 cycles, so 8-16 chains keep them busy; 12 plus the two
 * operands use 14 of the 32 vector registers, so the loop touches no memory.
 */
#include <arm_neon.h>
#include <assert.h>

#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__LANES 4
#define QB__DECL(j)                       \
  float32x4_t acc##j = vdupq_n_f32(0.0f); \
  __asm__("" : "+w"(acc##j));
#define QB__STEP(j) acc##j = vfmaq_f32(acc##j, x, y);
#define QB__SUM(j) sum = vaddq_f32(sum, acc##j);

void qb_f32_peak_ukernel__neon_u48(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__LANES * 12);
  assert(out != NULL);
  assert(n % (QB__LANES * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const float32x4_t x = vld1q_dup_f32((const float*) a);
    const float32x4_t y = vld1q_dup_f32((const float*) b);
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  float32x4_t sum = vdupq_n_f32(0.0f);
  QB_PEAK_CHAINS12(QB__SUM)
  *(float*) out = vaddvq_f32(sum);
}
