/*
 * f8 e4m3fn . f8 e4m3fn -> f32 on AdvSIMD, 32 elements per iteration. The codes are
 * decoded exactly through f16 (lowdot-neon.h: values times 2^-8), multiplied exactly
 * and summed by FMA in 4 x 4 lanes, the lanes added at the end and the sum scaled back
 * by 2^16 (exact: products are at least 2^-34). The same exact products as the
 * reference in another order (QB_SEM_REASSOC); NaN codes give the quiet NaN
 * (QB_SEM_NAN_CANON). A tail shorter than 16 goes through a zero-padded copy.
 */
#include <assert.h>

#include "lowbit/lowdot-neon.h"
#include "qb/ukernel.h"

static inline void qb__fma16(const uint8_t* pa, const uint8_t* pb, float32x4_t acc[4], uint8x16_t* nan) {
  float32x4_t va[4], vb[4];
  qb__e4m3x16_to_f32_neon(vld1q_u8(pa), va, nan);
  qb__e4m3x16_to_f32_neon(vld1q_u8(pb), vb, nan);
  for (int j = 0; j < 4; j++) acc[j] = vfmaq_f32(acc[j], va[j], vb[j]);
}

void qb_f8e4m3_dot_ukernel__neon_u32(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const uint8_t* y = (const uint8_t*) b;
  float32x4_t acc[4] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)};
  uint8x16_t nan = vdupq_n_u8(0);
  size_t i = 0;
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; i + 32 <= n; i += 32) {
    qb__fma16(x + i, y + i, acc, &nan);
    qb__fma16(x + i + 16, y + i + 16, acc, &nan);
  }
  for (; i < n; i += 16) {
    uint8_t ta[16], tb[16];
    if (n - i < 16) { /* zero codes add +0 */
      memset(ta, 0, sizeof ta);
      memset(tb, 0, sizeof tb);
      memcpy(ta, x + i, n - i);
      memcpy(tb, y + i, n - i);
      qb__fma16(ta, tb, acc, &nan);
    } else {
      qb__fma16(x + i, y + i, acc, &nan);
    }
  }
  const float s = vaddvq_f32(vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3])));
  *(float*) out = qb__lowdot_result_neon(s * 0x1p16f, qb__e4m3_saw_nan_neon(nan));
}
