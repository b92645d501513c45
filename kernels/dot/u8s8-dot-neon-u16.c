/*
 * u8 . s8 -> s32 with base AdvSIMD, 16 per iteration: both operands widened to s16
 * (u8 <= 255 fits), SMLAL/SMLAL2 multiply into s32 accumulators. Exact (n <=
 * QB_U8S8_DOT_MAX_N keeps every partial sum in int32).
 */
#include <arm_neon.h>
#include <assert.h>

#include "dot/dot.h"
#include "qb/ukernel.h"

void qb_u8s8_dot_ukernel__neon_u16(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const int8_t* y = (const int8_t*) b;
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_U8S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 16 <= n; i += 16) {
    const uint8x16_t xa = vld1q_u8(x + i);
    const int8x16_t yb = vld1q_s8(y + i);
    const int16x8_t xl = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(xa)));
    const int16x8_t xh = vreinterpretq_s16_u16(vmovl_high_u8(xa));
    const int16x8_t yl = vmovl_s8(vget_low_s8(yb));
    const int16x8_t yh = vmovl_high_s8(yb);
    acc0 = vmlal_s16(acc0, vget_low_s16(xl), vget_low_s16(yl));
    acc1 = vmlal_high_s16(acc1, xl, yl);
    acc0 = vmlal_s16(acc0, vget_low_s16(xh), vget_low_s16(yh));
    acc1 = vmlal_high_s16(acc1, xh, yh);
  }
  int32_t sum = vaddvq_s32(vaddq_s32(acc0, acc1));
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
