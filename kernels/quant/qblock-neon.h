/*
 * AdvSIMD blocks of llama.cpp's q8_0 and q4_0 (quant/qblock-scalar.h defines them): one
 * block of 32 per call, every step the scalar one in vectors, so bit-exact. Included only
 * by -neon- files (qblock-neon.c.in).
 */
#ifndef QB_QBLOCK_NEON_H
#define QB_QBLOCK_NEON_H

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"

#define QB__QBN_INLINE static inline __attribute__((always_inline))

/* f32 -> f16 bits by FCVTN (round to nearest even, subnormals kept, overflow to inf under
 * Linux's default FPCR): qb_f32_to_f16_bits for every non-NaN input, and d is never NaN. */
QB__QBN_INLINE uint16_t qb__neon_f16_bits(float d) {
  return vget_lane_u16(vreinterpret_u16_f16(vcvt_f16_f32(vdupq_n_f32(d))), 0);
}

/* f16 bits -> f32 by FCVTL: exact. The scale sits two bytes into nothing wider: memcpy. */
QB__QBN_INLINE float qb__neon_f16_value(const void* p) {
  uint16_t h;
  memcpy(&h, p, sizeof h);
  return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

/* |x| with NaN read as 0 (the reference skips NaN in its max): FABS, then AND with the
 * "equal to itself" mask. FMAXNM alone would not do: it returns the default NaN when
 * one operand is a signalling NaN. */
QB__QBN_INLINE float32x4_t qb__neon_abs_nonan(float32x4_t x) {
  const float32x4_t a = vabsq_f32(x);
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), vceqq_f32(a, a)));
}

/* The largest |x| of a block of 32, NaN skipped (0 when every element is 0 or NaN). */
QB__QBN_INLINE float qb__neon_amax32(const float32x4_t v[8]) {
  float32x4_t m0 = vmaxq_f32(qb__neon_abs_nonan(v[0]), qb__neon_abs_nonan(v[1]));
  float32x4_t m1 = vmaxq_f32(qb__neon_abs_nonan(v[2]), qb__neon_abs_nonan(v[3]));
  float32x4_t m2 = vmaxq_f32(qb__neon_abs_nonan(v[4]), qb__neon_abs_nonan(v[5]));
  float32x4_t m3 = vmaxq_f32(qb__neon_abs_nonan(v[6]), qb__neon_abs_nonan(v[7]));
  return vmaxvq_f32(vmaxq_f32(vmaxq_f32(m0, m1), vmaxq_f32(m2, m3)));
}

/* Four vectors of int32 codes (each fitting a byte) -> 16 bytes in order. */
QB__QBN_INLINE uint8x16_t qb__neon_narrow16(uint32x4_t a, uint32x4_t b, uint32x4_t c, uint32x4_t d) {
  const uint16x8_t ab = vcombine_u16(vmovn_u32(a), vmovn_u32(b));
  const uint16x8_t cd = vcombine_u16(vmovn_u32(c), vmovn_u32(d));
  return vcombine_u8(vmovn_u16(ab), vmovn_u16(cd));
}

/*
 * One q8_0 block (qb__q8_0_block):
 * 1. amax with NaN skipped; d = amax / 127 in f32, stored as f16; id = 1 / d (0 when d is 0);
 * 2. x * id (one f32 multiply), FRINTA (roundf: half away from zero; NaN and inf kept);
 * 3. NaN -> 0, clamp to [-127, 127] in float, FCVTZS (exact on integers), narrow.
 */
QB__QBN_INLINE void qb__neon_q8_0_quant(const float* x, qb_block_q8_0* b) {
  float32x4_t v[8];
  for (int i = 0; i < 8; i++) v[i] = vld1q_f32(x + 4 * i);
  const float d = qb__neon_amax32(v) / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  const uint16_t h = qb__neon_f16_bits(d);
  memcpy(&b->d, &h, sizeof h);
  const float32x4_t vid = vdupq_n_f32(id), lo = vdupq_n_f32(-127.0f), hi = vdupq_n_f32(127.0f);
  uint32x4_t q[8];
  for (int i = 0; i < 8; i++) {
    float32x4_t r = vrndaq_f32(vmulq_f32(v[i], vid));
    r = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(r), vceqq_f32(r, r)));
    r = vminq_f32(vmaxq_f32(r, lo), hi);
    q[i] = vreinterpretq_u32_s32(vcvtq_s32_f32(r));
  }
  vst1q_u8((uint8_t*) b->qs, qb__neon_narrow16(q[0], q[1], q[2], q[3]));
  vst1q_u8((uint8_t*) b->qs + 16, qb__neon_narrow16(q[4], q[5], q[6], q[7]));
}

/* The index of the first set byte of 32 (0xFF or 0 each); 32 when none is set. SHRN by 4
 * keeps four bits per byte in a 64-bit word, so the count of trailing zeros / 4 is it. */
QB__QBN_INLINE int qb__neon_first32(uint8x16_t m0, uint8x16_t m1) {
  const uint64_t w0 = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(m0), 4)), 0);
  const uint64_t w1 = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(m1), 4)), 0);
  if (w0 != 0) return __builtin_ctzll(w0) / 4;
  if (w1 != 0) return 16 + __builtin_ctzll(w1) / 4;
  return 32;
}

/* One q4_0 code vector (qb__q4_0_code): t = x * id + 8.5 (a multiply, then an add: two
 * roundings, as the reference; never fused). FCVTZU truncates, sends negatives to 0 and
 * saturates, then min 15; NaN gets 8. */
QB__QBN_INLINE uint32x4_t qb__neon_q4_0_code(float32x4_t x, float32x4_t id) {
  const float32x4_t t = vaddq_f32(vmulq_f32(x, id), vdupq_n_f32(8.5f));
  const uint32x4_t c = vminq_u32(vcvtq_u32_f32(t), vdupq_n_u32(15));
  return vbslq_u32(vceqq_f32(t, t), c, vdupq_n_u32(8));
}

/*
 * One q4_0 block (qb__q4_0_block):
 * 1. amax with NaN skipped, then m = the first element whose |x| equals it (its sign kept;
 *    +0 when amax is 0, as the reference's initial value);
 * 2. d = m / -8 in f32, stored as f16; id = 1 / d (0 when d is 0);
 * 3. the codes, low nibbles elements 0..15 and high nibbles 16..31.
 */
QB__QBN_INLINE void qb__neon_q4_0_quant(const float* x, qb_block_q4_0* b) {
  float32x4_t v[8];
  for (int i = 0; i < 8; i++) v[i] = vld1q_f32(x + 4 * i);
  const float amax = qb__neon_amax32(v);
  float m = 0.0f;
  if (amax > 0.0f) {
    const float32x4_t va = vdupq_n_f32(amax);
    uint32x4_t e[8];
    for (int i = 0; i < 8; i++) e[i] = vceqq_f32(vabsq_f32(v[i]), va);
    m = x[qb__neon_first32(qb__neon_narrow16(e[0], e[1], e[2], e[3]),
                           qb__neon_narrow16(e[4], e[5], e[6], e[7]))];
  }
  const float d = m / -8.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  const uint16_t h = qb__neon_f16_bits(d);
  memcpy(&b->d, &h, sizeof h);
  const float32x4_t vid = vdupq_n_f32(id);
  uint32x4_t c[8];
  for (int i = 0; i < 8; i++) c[i] = qb__neon_q4_0_code(v[i], vid);
  const uint8x16_t lo = qb__neon_narrow16(c[0], c[1], c[2], c[3]);
  const uint8x16_t hi = qb__neon_narrow16(c[4], c[5], c[6], c[7]);
  vst1q_u8(b->qs, vorrq_u8(lo, vshlq_n_u8(hi, 4)));
}

/* 16 s8 values times d -> 16 floats: widenings and the convert are exact, the multiply is
 * the reference's one rounding. */
QB__QBN_INLINE void qb__neon_scale16(int8x16_t q, float32x4_t d, float* y) {
  const int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_high_s8(q);
  vst1q_f32(y, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))), d));
  vst1q_f32(y + 4, vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(lo)), d));
  vst1q_f32(y + 8, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))), d));
  vst1q_f32(y + 12, vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(hi)), d));
}

/* One q8_0 block -> 32 floats: (float) q * d. */
QB__QBN_INLINE void qb__neon_q8_0_dequant(const qb_block_q8_0* b, float* y) {
  const float32x4_t d = vdupq_n_f32(qb__neon_f16_value(&b->d));
  qb__neon_scale16(vld1q_s8(b->qs), d, y);
  qb__neon_scale16(vld1q_s8(b->qs + 16), d, y + 16);
}

/* One q4_0 block -> 32 floats: (float) (code - 8) * d, low nibbles first. */
QB__QBN_INLINE void qb__neon_q4_0_dequant(const qb_block_q4_0* b, float* y) {
  const float32x4_t d = vdupq_n_f32(qb__neon_f16_value(&b->d));
  const uint8x16_t q = vld1q_u8(b->qs);
  const int8x16_t eight = vdupq_n_s8(8);
  qb__neon_scale16(vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(15))), eight), d, y);
  qb__neon_scale16(vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight), d, y + 16);
}

#endif /* QB_QBLOCK_NEON_H */
