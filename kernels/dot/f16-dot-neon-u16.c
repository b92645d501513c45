/*
 * f16 . f16 -> f32 with AdvSIMD: FCVTL/FCVTL2 widen (exactly; base Armv8.0, no +fp16),
 * FMLA accumulates in f32 over four accumulators, 16 per iteration. Reassociated
 * (QB_SEM_REASSOC); subnormals kept. FMLA on half precision (FEAT_FP16) would
 * accumulate in f16 and FMLAL needs FEAT_FHM, which the ISA list does not have, so this
 * plain-NEON form is the Arm f16 dot (kernels/ARM.md).
 */
#include <arm_neon.h>
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

void qb_f16_dot_ukernel__neon_u16(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
  float32x4_t acc2 = vdupq_n_f32(0.0f), acc3 = vdupq_n_f32(0.0f);
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 16 <= n; i += 16) {
    const float16x8_t x0 = vreinterpretq_f16_u16(vld1q_u16(x + i));
    const float16x8_t y0 = vreinterpretq_f16_u16(vld1q_u16(y + i));
    const float16x8_t x1 = vreinterpretq_f16_u16(vld1q_u16(x + i + 8));
    const float16x8_t y1 = vreinterpretq_f16_u16(vld1q_u16(y + i + 8));
    acc0 = vfmaq_f32(acc0, vcvt_f32_f16(vget_low_f16(x0)), vcvt_f32_f16(vget_low_f16(y0)));
    acc1 = vfmaq_f32(acc1, vcvt_high_f32_f16(x0), vcvt_high_f32_f16(y0));
    acc2 = vfmaq_f32(acc2, vcvt_f32_f16(vget_low_f16(x1)), vcvt_f32_f16(vget_low_f16(y1)));
    acc3 = vfmaq_f32(acc3, vcvt_high_f32_f16(x1), vcvt_high_f32_f16(y1));
  }
  for (; i + 4 <= n; i += 4) {
    const float16x4_t x0 = vreinterpret_f16_u16(vld1_u16(x + i));
    const float16x4_t y0 = vreinterpret_f16_u16(vld1_u16(y + i));
    acc0 = vfmaq_f32(acc0, vcvt_f32_f16(x0), vcvt_f32_f16(y0));
  }
  float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
  for (; i < n; i++) {
    sum += qb_f32_from_bits(qb_f16_to_f32_bits(x[i])) * qb_f32_from_bits(qb_f16_to_f32_bits(y[i]));
  }
  *(float*) out = sum;
}
