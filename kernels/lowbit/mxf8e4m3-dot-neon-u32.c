/*
 * MXFP8 E4M3 . MXFP8 E4M3 -> f32 on AdvSIMD, one block per iteration. Per block the 32
 * codes of each side are decoded exactly through f16 (lowdot-neon.h: values times 2^-8)
 * and the exact products summed by FMA in 4 lanes; then, as the reference, each lane
 * is scaled back by 2^16 (exact), times the first block's scale, times the second's (in
 * the reference's order, so they overflow and underflow where its do), and added to the
 * accumulator (a block whose scales could overflow a lane is summed first,
 * lowdot-neon.h). The same exact products grouped differently (QB_SEM_REASSOC); NaN codes
 * or scales give the quiet NaN (QB_SEM_NAN_CANON).
 */
#include <assert.h>

#include "lowbit/lowdot-neon.h"
#include "qb/ukernel.h"

void qb_mxf8e4m3_dot_ukernel__neon_u32(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx8* x = (const qb_block_mx8*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  float32x4_t acc = vdupq_n_f32(0.0f);
  uint8x16_t nan = vdupq_n_u8(0);
  float big = 0.0f;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (size_t k = 0; k < n / QB_MX_BLOCK_LEN; k++) {
    float32x4_t va[4], vb[4], va2[4], vb2[4];
    qb__e4m3x16_to_f32_neon(vld1q_u8(x[k].qs), va, &nan);
    qb__e4m3x16_to_f32_neon(vld1q_u8(y[k].qs), vb, &nan);
    qb__e4m3x16_to_f32_neon(vld1q_u8(x[k].qs + 16), va2, &nan);
    qb__e4m3x16_to_f32_neon(vld1q_u8(y[k].qs + 16), vb2, &nan);
    float32x4_t p0 = vmulq_f32(va[0], vb[0]), p1 = vmulq_f32(va[1], vb[1]);
    p0 = vfmaq_f32(p0, va[2], vb[2]);
    p1 = vfmaq_f32(p1, va[3], vb[3]);
    p0 = vfmaq_f32(p0, va2[0], vb2[0]);
    p1 = vfmaq_f32(p1, va2[1], vb2[1]);
    p0 = vfmaq_f32(p0, va2[2], vb2[2]);
    p1 = vfmaq_f32(p1, va2[3], vb2[3]);
    const float sa = qb__e8m0_scale(x[k].e), sb = qb__e8m0_scale(y[k].e);
    if (qb__lowdot_big_scales(x[k].e, y[k].e)) {
      big += vaddvq_f32(vaddq_f32(p0, p1)) * 0x1p16f * sa * sb;
      continue;
    }
    acc = vfmaq_n_f32(acc, vmulq_n_f32(vmulq_n_f32(vaddq_f32(p0, p1), 0x1p16f), sa), sb);
  }
  *(float*) out = qb__lowdot_result_neon(vaddvq_f32(acc) + big, qb__e4m3_saw_nan_neon(nan));
}
