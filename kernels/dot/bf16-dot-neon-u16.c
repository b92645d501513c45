/*
 * bf16 . bf16 -> f32 with AdvSIMD: SHLL by 16 widens a bf16 to its f32 exactly, FMLA
 * accumulates over four accumulators, 16 per iteration. Reassociated
 * (QB_SEM_REASSOC); subnormals kept, IEEE rounding: this is the bf16 dot of Armv8 cores
 * without FEAT_BF16, and the exact-rounding alternative to BFDOT on those with it.
 */
#include <arm_neon.h>
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

static inline float32x4_t qb__lo(uint16x8_t v) {
  return vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(v), 16));
}
static inline float32x4_t qb__hi(uint16x8_t v) {
  return vreinterpretq_f32_u32(vshll_high_n_u16(v, 16));
}

void qb_bf16_dot_ukernel__neon_u16(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
  float32x4_t acc2 = vdupq_n_f32(0.0f), acc3 = vdupq_n_f32(0.0f);
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 16 <= n; i += 16) {
    const uint16x8_t x0 = vld1q_u16(x + i), y0 = vld1q_u16(y + i);
    const uint16x8_t x1 = vld1q_u16(x + i + 8), y1 = vld1q_u16(y + i + 8);
    acc0 = vfmaq_f32(acc0, qb__lo(x0), qb__lo(y0));
    acc1 = vfmaq_f32(acc1, qb__hi(x0), qb__hi(y0));
    acc2 = vfmaq_f32(acc2, qb__lo(x1), qb__lo(y1));
    acc3 = vfmaq_f32(acc3, qb__hi(x1), qb__hi(y1));
  }
  float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
  for (; i < n; i++) {
    sum += qb_f32_from_bits(qb_bf16_to_f32_bits(x[i])) * qb_f32_from_bits(qb_bf16_to_f32_bits(y[i]));
  }
  *(float*) out = sum;
}
