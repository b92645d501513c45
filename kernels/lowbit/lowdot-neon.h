/*
 * The pieces of the low-bit dots on AdvSIMD (f8e4m3_dot, mxf8e4m3_dot,
 * mxf4mxf8e4m3_dot): E4M3 codes decoded exactly to f32 through f16 (FCVTL, baseline
 * Armv8-A), FP4 codes through a 16-entry TBL, and the NaN-code tracking of
 * lowdot-avx2.h: NaN codes are decoded as finite numbers, remembered, and the result
 * made the quiet NaN 0x7FC00000 (QB_SEM_NAN_CANON), as is a result that a NaN scale
 * made NaN. Included only by -neon- files.
 */
#ifndef QB_LOWBIT_LOWDOT_NEON_H
#define QB_LOWBIT_LOWDOT_NEON_H

#include <arm_neon.h>
#include <string.h>

#include "lowbit/lowbit-scalar.h"

/*
 * 8 E4M3 codes (sign-extended to 16-bit lanes) -> 8 f32 values times 2^-8, exactly:
 * shifted left by 7 the magnitude bits are an f16 with bias 15 instead of 7 (subnormals
 * onto subnormals); 0xBF80 keeps the sign copy in bit 15 and clears the one in bit 14;
 * FCVTL widens exactly. NaN codes become 480 * 2^-8 (the caller tracks them).
 */
static inline void qb__e4m3x8_to_f32_neon(int16x8_t w, float32x4_t* lo, float32x4_t* hi) {
  const uint16x8_t h = vandq_u16(vreinterpretq_u16_s16(vshlq_n_s16(w, 7)), vdupq_n_u16(0xBF80));
  const float16x8_t f = vreinterpretq_f16_u16(h);
  *lo = vcvt_f32_f16(vget_low_f16(f));
  *hi = vcvt_high_f32_f16(f);
}

/* 16 E4M3 codes -> 16 f32 values times 2^-8 (in order, 4 per vector); `nan` collects
 * the codes or 0x80: a byte 0xFF in it means a NaN code was seen. */
static inline void qb__e4m3x16_to_f32_neon(uint8x16_t b, float32x4_t v[4], uint8x16_t* nan) {
  const int8x16_t s = vreinterpretq_s8_u8(b);
  *nan = vmaxq_u8(*nan, vorrq_u8(b, vdupq_n_u8(0x80)));
  qb__e4m3x8_to_f32_neon(vmovl_s8(vget_low_s8(s)), &v[0], &v[1]);
  qb__e4m3x8_to_f32_neon(vmovl_high_s8(s), &v[2], &v[3]);
}

/*
 * 16 packed FP4 codes (32 elements, element 2k in the low nibble of byte k) -> their
 * values times 2 as f32 (exact): even[j] holds elements 0, 2, ..., 30 (4 per vector),
 * odd[j] elements 1, 3, ..., 31. 2 x E2M1 is one of 0, 1, 2, 3, 4, 6, 8, 12 with the
 * code's sign: a TBL, then widened to 32-bit integers and converted.
 */
static inline void qb__f4x16_to_f32_neon(uint8x16_t q, float32x4_t even[4], float32x4_t odd[4]) {
  static const int8_t table[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
  const int8x16_t t = vld1q_s8(table);
  const int8x16_t lo = vqtbl1q_s8(t, vandq_u8(q, vdupq_n_u8(0x0F)));
  const int8x16_t hi = vqtbl1q_s8(t, vshrq_n_u8(q, 4));
  const int16x8_t l0 = vmovl_s8(vget_low_s8(lo)), l1 = vmovl_high_s8(lo);
  const int16x8_t h0 = vmovl_s8(vget_low_s8(hi)), h1 = vmovl_high_s8(hi);
  even[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(l0)));
  even[1] = vcvtq_f32_s32(vmovl_high_s16(l0));
  even[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(l1)));
  even[3] = vcvtq_f32_s32(vmovl_high_s16(l1));
  odd[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(h0)));
  odd[1] = vcvtq_f32_s32(vmovl_high_s16(h0));
  odd[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(h1)));
  odd[3] = vcvtq_f32_s32(vmovl_high_s16(h1));
}

/* Whether `nan` saw a NaN code. */
static inline int qb__e4m3_saw_nan_neon(uint8x16_t nan) {
  return vmaxvq_u8(nan) == 0xFF;
}

/* Whether a block with scale bytes ea, eb is summed before it is scaled, as the
 * reference does (lowdot-avx2.h says why: lane by lane, partial sums of opposite signs
 * could overflow to +inf and -inf where the reference's sum overflows once). */
static inline int qb__lowdot_big_scales(unsigned ea, unsigned eb) {
  return ea > 127 + 100 || ea + eb > 254 + 100;
}

/* The result of a dot that saw NaN codes or came out NaN: the quiet NaN. */
static inline float qb__lowdot_result_neon(float r, int saw_nan) {
  return saw_nan || r != r ? qb_f32_from_bits(0x7FC00000u) : r;
}

/* mxf8e4m3_dot, one block (mx-dot.c.in): the 32 codes of each side decoded exactly
 * through f16 (values times 2^-8) and the exact products summed by FMA in 4 lanes,
 * times 2^-16. */
static inline float32x4_t qb__mxf8e4m3_block_neon(const qb_block_mx8* x, const qb_block_mx8* y,
                                                  uint8x16_t* nan) {
  float32x4_t va[4], vb[4], va2[4], vb2[4];
  qb__e4m3x16_to_f32_neon(vld1q_u8(x->qs), va, nan);
  qb__e4m3x16_to_f32_neon(vld1q_u8(y->qs), vb, nan);
  qb__e4m3x16_to_f32_neon(vld1q_u8(x->qs + 16), va2, nan);
  qb__e4m3x16_to_f32_neon(vld1q_u8(y->qs + 16), vb2, nan);
  float32x4_t p0 = vmulq_f32(va[0], vb[0]), p1 = vmulq_f32(va[1], vb[1]);
  p0 = vfmaq_f32(p0, va[2], vb[2]);
  p1 = vfmaq_f32(p1, va[3], vb[3]);
  p0 = vfmaq_f32(p0, va2[0], vb2[0]);
  p1 = vfmaq_f32(p1, va2[1], vb2[1]);
  p0 = vfmaq_f32(p0, va2[2], vb2[2]);
  p1 = vfmaq_f32(p1, va2[3], vb2[3]);
  return vaddq_f32(p0, p1);
}

/* mxf8e4m3_dot: acc + ((p 2^16) 2^sa) 2^sb lane by lane (the reference's order, so they
 * overflow and underflow where its do), or the block summed first into *big. */
static inline float32x4_t qb__mxf8e4m3_scaled_add_neon(float32x4_t p, const qb_block_mx8* x,
                                                       const qb_block_mx8* y, float32x4_t acc, float* big) {
  const float sa = qb__e8m0_scale(x->e), sb = qb__e8m0_scale(y->e);
  if (qb__lowdot_big_scales(x->e, y->e)) {
    *big += vaddvq_f32(p) * 0x1p16f * sa * sb;
    return acc;
  }
  return vfmaq_n_f32(acc, vmulq_n_f32(vmulq_n_f32(p, 0x1p16f), sa), sb);
}

/* mxf4mxf8e4m3_dot, one block (mx-dot.c.in): the FP4 values times 2 (a TBL, exact
 * integers) and the E4M3 values times 2^-8 (through f16, exact; the E4M3 codes loaded
 * deinterleaved, even and odd elements, to meet the FP4 nibbles) multiplied exactly and
 * summed by FMA in 4 lanes: the true products times 2 * 2^-8 = 2^-7. */
static inline float32x4_t qb__mxf4mxf8e4m3_block_neon(const qb_block_mx4* x, const qb_block_mx8* y,
                                                      uint8x16_t* nan) {
  float32x4_t fe[4], fo[4], ve[4], vo[4];
  const uint8x16x2_t c = vld2q_u8(y->qs); /* val[0]: elements 0, 2, ..; val[1]: 1, 3, .. */
  qb__f4x16_to_f32_neon(vld1q_u8(x->qs), fe, fo);
  qb__e4m3x16_to_f32_neon(c.val[0], ve, nan);
  qb__e4m3x16_to_f32_neon(c.val[1], vo, nan);
  float32x4_t p0 = vmulq_f32(fe[0], ve[0]), p1 = vmulq_f32(fo[0], vo[0]);
  for (int j = 1; j < 4; j++) {
    p0 = vfmaq_f32(p0, fe[j], ve[j]);
    p1 = vfmaq_f32(p1, fo[j], vo[j]);
  }
  return vaddq_f32(p0, p1);
}

/* mxf4mxf8e4m3_dot: acc + ((p 2^7) 2^sa) 2^sb lane by lane (2^7 exact; the
 * reference's order for the scales), or the block summed first into *big. */
static inline float32x4_t qb__mxf4mxf8e4m3_scaled_add_neon(float32x4_t p, const qb_block_mx4* x,
                                                           const qb_block_mx8* y, float32x4_t acc,
                                                           float* big) {
  const float sa = qb__e8m0_scale(x->e), sb = qb__e8m0_scale(y->e);
  if (qb__lowdot_big_scales(x->e, y->e)) {
    *big += vaddvq_f32(p) * 0x1p7f * sa * sb;
    return acc;
  }
  return vfmaq_n_f32(acc, vmulq_n_f32(vmulq_n_f32(p, 0x1p7f), sa), sb);
}

#endif /* QB_LOWBIT_LOWDOT_NEON_H */
