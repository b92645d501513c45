/*
 * MXFP4 . MXFP8 E4M3 -> f32 on AdvSIMD, one block per iteration. Per block the FP4
 * values times 2 (a TBL, exact integers) and the E4M3 values times 2^-8 (through f16,
 * exact; the E4M3 codes loaded deinterleaved, even and odd elements, to meet the FP4
 * nibbles) are multiplied exactly and summed by FMA in 4 lanes; then, as the reference,
 * each lane is scaled back by 2^7 (exact: the products are the true ones times 2^-7),
 * times the FP4 block's scale, times the E4M3 block's scale (the reference's order, so
 * they overflow and underflow where its do), and added to the accumulator (a block whose scales could
 * overflow a lane is summed first, lowdot-neon.h). The same exact products grouped differently
 * (QB_SEM_REASSOC); NaN codes or scales give the quiet NaN (QB_SEM_NAN_CANON).
 */
#include <assert.h>

#include "lowbit/lowdot-neon.h"
#include "qb/ukernel.h"

void qb_mxf4mxf8e4m3_dot_ukernel__neon_u32(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx4* x = (const qb_block_mx4*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  float32x4_t acc = vdupq_n_f32(0.0f);
  uint8x16_t nan = vdupq_n_u8(0);
  float big = 0.0f;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (size_t k = 0; k < n / QB_MX_BLOCK_LEN; k++) {
    float32x4_t fe[4], fo[4], ve[4], vo[4];
    const uint8x16x2_t c = vld2q_u8(y[k].qs); /* val[0]: elements 0, 2, ..; val[1]: 1, 3, .. */
    qb__f4x16_to_f32_neon(vld1q_u8(x[k].qs), fe, fo);
    qb__e4m3x16_to_f32_neon(c.val[0], ve, &nan);
    qb__e4m3x16_to_f32_neon(c.val[1], vo, &nan);
    float32x4_t p0 = vmulq_f32(fe[0], ve[0]), p1 = vmulq_f32(fo[0], vo[0]);
    for (int j = 1; j < 4; j++) {
      p0 = vfmaq_f32(p0, fe[j], ve[j]);
      p1 = vfmaq_f32(p1, fo[j], vo[j]);
    }
    /* The products are the true ones times 2 * 2^-8 = 2^-7. */
    const float sa = qb__e8m0_scale(x[k].e), sb = qb__e8m0_scale(y[k].e);
    if (qb__lowdot_big_scales(x[k].e, y[k].e)) {
      big += vaddvq_f32(vaddq_f32(p0, p1)) * 0x1p7f * sa * sb;
      continue;
    }
    acc = vfmaq_n_f32(acc, vmulq_n_f32(vmulq_n_f32(vaddq_f32(p0, p1), 0x1p7f), sa), sb);
  }
  *(float*) out = qb__lowdot_result_neon(vaddvq_f32(acc) + big, qb__e4m3_saw_nan_neon(nan));
}
