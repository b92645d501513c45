/*
 * AdvSIMD pieces of the llama.cpp block dots (q8_0 . q8_0, q4_0 . q8_0; qblock-neon.c.in):
 * the exact int32 sums of a block's 32 products, then four blocks' sums side by side.
 * Included only by -neon- and -neondot- files; the SDOT form needs FEAT_DotProd, which
 * only -neondot- files are compiled for.
 */
#ifndef QB_QBLOCK_DOT_NEON_H
#define QB_QBLOCK_DOT_NEON_H

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"

#define QB__QDN_INLINE static inline __attribute__((always_inline))

/* 16 + 16 s8 products summed into four s32 lanes, exactly. Armv8.0: SMULL/SMULL2 (every
 * s8 x s8 product, (-128)^2 included, fits s16), SADALP into s32. With FEAT_DotProd:
 * SDOT, four products per lane. */
QB__QDN_INLINE int32x4_t qb__neon_dot32(int8x16_t a0, int8x16_t b0, int8x16_t a1, int8x16_t b1) {
#if defined(__ARM_FEATURE_DOTPROD)
  return vdotq_s32(vdotq_s32(vdupq_n_s32(0), a0, b0), a1, b1);
#else
  int32x4_t s = vpaddlq_s16(vmull_s8(vget_low_s8(a0), vget_low_s8(b0)));
  s = vpadalq_s16(s, vmull_high_s8(a0, b0));
  s = vpadalq_s16(s, vmull_s8(vget_low_s8(a1), vget_low_s8(b1)));
  return vpadalq_s16(s, vmull_high_s8(a1, b1));
#endif
}

/* The sum of 32 s8 values in four s32 lanes, exactly: SDOT with ones, or SADDLP and
 * SADALP. (The int4 dots take z * sum(a) off the codes' sum.) */
QB__QDN_INLINE int32x4_t qb__neon_sum32(int8x16_t a0, int8x16_t a1) {
#if defined(__ARM_FEATURE_DOTPROD)
  const int8x16_t ones = vdupq_n_s8(1);
  return vdotq_s32(vdotq_s32(vdupq_n_s32(0), a0, ones), a1, ones);
#else
  return vpaddlq_s16(vaddq_s16(vpaddlq_s8(a0), vpaddlq_s8(a1)));
#endif
}

/* One q8_0 . q8_0 block: its 32 products in four lanes. */
QB__QDN_INLINE int32x4_t qb__neon_q8_0_q8_0(const qb_block_q8_0* x, const qb_block_q8_0* y) {
  return qb__neon_dot32(vld1q_s8(x->qs), vld1q_s8(y->qs), vld1q_s8(x->qs + 16), vld1q_s8(y->qs + 16));
}

/* One q4_0 . q8_0 block: codes - 8 as s8, the low nibbles against elements 0..15 of y,
 * the high nibbles against 16..31. */
QB__QDN_INLINE int32x4_t qb__neon_q4_0_q8_0(const qb_block_q4_0* x, const qb_block_q8_0* y) {
  const uint8x16_t q = vld1q_u8(x->qs);
  const int8x16_t eight = vdupq_n_s8(8);
  const int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(15))), eight);
  const int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
  return qb__neon_dot32(lo, vld1q_s8(y->qs), hi, vld1q_s8(y->qs + 16));
}

/* Four blocks' lanes -> their four totals, in block order (ADDP twice: exact). */
QB__QDN_INLINE int32x4_t qb__neon_hsum4(int32x4_t s0, int32x4_t s1, int32x4_t s2, int32x4_t s3) {
  return vpaddq_s32(vpaddq_s32(s0, s1), vpaddq_s32(s2, s3));
}

/* Four f16 scales (the first field of each block) -> f32, exactly (FCVTL). */
QB__QDN_INLINE float32x4_t qb__neon_scales4(const void* b0, const void* b1, const void* b2, const void* b3) {
  uint16_t h[4];
  memcpy(&h[0], b0, 2);
  memcpy(&h[1], b1, 2);
  memcpy(&h[2], b2, 2);
  memcpy(&h[3], b3, 2);
  return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(h)));
}

#endif /* QB_QBLOCK_DOT_NEON_H */
