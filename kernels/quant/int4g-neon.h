/*
 * AdvSIMD pieces of int4 group quantization (int4g-scalar.h defines it): the f16 group
 * scale and the nibbles of 16 bytes as 32 codes in element order (element 2j in the low
 * nibble of byte j), and the quantization of one group (bit-exact with int4g-scalar.h).
 * Included by the -neon- and -neondot- files of kernels/quant and kernels/dot
 * (int4g-neon.c.in in each).
 */
#ifndef QB_INT4G_NEON_H
#define QB_INT4G_NEON_H

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "quant/int4g-scalar.h"

#define QB__I4N_INLINE static inline __attribute__((always_inline))

/* The group's f16 scale (two little-endian bytes) -> f32, exactly (FCVTL). */
QB__I4N_INLINE float qb__neon_int4g_scale(const uint8_t* d) {
  uint16_t h;
  memcpy(&h, d, 2);
  return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

/* 16 bytes -> codes 0..15 of elements 0..15 (c[0]) and 16..31 (c[1]): ZIP of the low
 * and high nibbles. */
QB__I4N_INLINE void qb__neon_u4_codes(const uint8_t* qs, uint8x16_t c[2]) {
  const uint8x16_t b = vld1q_u8(qs);
  const uint8x16_t lo = vandq_u8(b, vdupq_n_u8(15)), hi = vshrq_n_u8(b, 4);
  c[0] = vzip1q_u8(lo, hi);
  c[1] = vzip2q_u8(lo, hi);
}

/* 16 bytes -> signed codes -8..7 (two's complement nibbles), in element order: the low
 * nibble sign-extended by SHL 4 then SSHR 4, the high one by SSHR 4. */
QB__I4N_INLINE void qb__neon_s4_codes(const uint8_t* qs, int8x16_t c[2]) {
  const int8x16_t b = vreinterpretq_s8_u8(vld1q_u8(qs));
  const int8x16_t lo = vshrq_n_s8(vshlq_n_s8(b, 4), 4), hi = vshrq_n_s8(b, 4);
  c[0] = vzip1q_s8(lo, hi);
  c[1] = vzip2q_s8(lo, hi);
}

/* 8 int16 values times s -> 8 floats at y: the widening and the convert are exact, the
 * multiply is the reference's one rounding. */
QB__I4N_INLINE void qb__neon_i16_scale8(int16x8_t v, float32x4_t s, float* y) {
  vst1q_f32(y, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(v))), s));
  vst1q_f32(y + 4, vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(v)), s));
}

/* 32 elements of an asymmetric group: (float) (code - z) * s, the subtraction in int16
 * (codes 0..15, z a byte: exact). */
QB__I4N_INLINE void qb__neon_u4_dequant32(const uint8_t* qs, int16x8_t z, float32x4_t s, float* y) {
  uint8x16_t c[2];
  qb__neon_u4_codes(qs, c);
  for (int h = 0; h < 2; h++) {
    const int16x8_t lo = vsubq_s16(vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(c[h]))), z);
    const int16x8_t hi = vsubq_s16(vreinterpretq_s16_u16(vmovl_high_u8(c[h])), z);
    qb__neon_i16_scale8(lo, s, y + 16 * h);
    qb__neon_i16_scale8(hi, s, y + 16 * h + 8);
  }
}

/* 32 elements of a symmetric group: (float) code * s. */
QB__I4N_INLINE void qb__neon_s4_dequant32(const uint8_t* qs, float32x4_t s, float* y) {
  int8x16_t c[2];
  qb__neon_s4_codes(qs, c);
  for (int h = 0; h < 2; h++) {
    qb__neon_i16_scale8(vmovl_s8(vget_low_s8(c[h])), s, y + 16 * h);
    qb__neon_i16_scale8(vmovl_high_s8(c[h]), s, y + 16 * h + 8);
  }
}

/* ---- Quantize: one group of g (a multiple of 32), int4g-scalar.h's steps ------------------ */

/* 32 codes 0..15 in 32-bit lanes (element order) -> 16 bytes, element 2j in the low nibble
 * of byte j: narrowed to bytes, then the even (UZP1) and odd (UZP2) elements joined. */
QB__I4N_INLINE void qb__neon_int4g_pack32(const uint32x4_t c[8], uint8_t* out) {
  uint8x16_t b[2];
  for (int h = 0; h < 2; h++) {
    const uint16x8_t lo = vcombine_u16(vmovn_u32(c[4 * h]), vmovn_u32(c[4 * h + 1]));
    const uint16x8_t hi = vcombine_u16(vmovn_u32(c[4 * h + 2]), vmovn_u32(c[4 * h + 3]));
    b[h] = vcombine_u8(vmovn_u16(lo), vmovn_u16(hi));
  }
  vst1q_u8(out, vorrq_u8(vuzp1q_u8(b[0], b[1]), vshlq_n_u8(vuzp2q_u8(b[0], b[1]), 4)));
}

/*
 * fl(x / s) for an f16 scale s > 0 without a division (FDIV is slow on Arm cores): with
 * rh = fl(1 / s) and rl = fl(fl(1 - rh s) rh) (the residual exact in one FMA),
 * fma(x, rh, fl(x rl)) is fl(x / s) bit for bit for every f32 x (int4g-avx2.h,
 * qb__avx2_int4g_round8, gives the proof; the callers keep |x / s| <= 23). s = inf (a group
 * with an infinity or a range beyond f16): rh = 0, rl = NaN (0 * inf), so every quotient is
 * NaN and gets the zero code, as the reference's x / inf (0, or NaN for x = +-inf) does.
 */
QB__I4N_INLINE void qb__neon_int4g_recip(float s, float32x4_t* rh, float32x4_t* rl) {
  const float32x4_t sv = vdupq_n_f32(s);
  *rh = vdivq_f32(vdupq_n_f32(1.0f), sv);
  *rl = vmulq_f32(vfmsq_f32(vdupq_n_f32(1.0f), *rh, sv), *rh);
}

QB__I4N_INLINE float32x4_t qb__neon_int4g_div(float32x4_t x, float32x4_t rh, float32x4_t rl) {
  return vfmaq_f32(vmulq_f32(x, rl), x, rh);
}

/*
 * One asymmetric group (qb__int4g_quant_group):
 * 1. lo and hi as the reference's `x < lo ? x : lo` and `x > hi ? x : hi`, lane by lane
 *    (a compare and a select: NaN never taken, -0 never replaces the starting +0; FMIN
 *    would keep a NaN, FMINNM take -0), then across lanes (no NaN left: FMINV/FMAXV);
 * 2. s and z by the reference's scalar code;
 * 3. codes: round_even(x / s) (the true quotient by qb__neon_int4g_div, FRINTN), NaN -> 0,
 *    plus z, clamped to [0, 15]; s = 0 gives codes 0.
 */
QB__I4N_INLINE void qb__neon_int4g_quant(const float* x, unsigned g, uint8_t* d, uint8_t* z, uint8_t* qs) {
  float32x4_t lo = vdupq_n_f32(0.0f), hi = vdupq_n_f32(0.0f);
  for (unsigned i = 0; i < g; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    lo = vbslq_f32(vcltq_f32(v, lo), v, lo);
    hi = vbslq_f32(vcgtq_f32(v, hi), v, hi);
  }
  float lof = vminvq_f32(lo), hif = vmaxvq_f32(hi);
  if (lof == 0.0f && hif == 0.0f) {
    lof = -1.0f;
    hif = 1.0f;
  }
  const float s = qb__int4g_store_scale((hif - lof) / 15.0f, d);
  float zf = s != 0.0f ? qb__round_even(-lof / s) : 0.0f;
  zf = zf == zf ? zf : 0.0f;
  zf = zf < 0.0f ? 0.0f : zf > 15.0f ? 15.0f : zf;
  *z = (uint8_t) zf;
  if (s == 0.0f) {
    memset(qs, 0, g / 2);
    return;
  }
  const float32x4_t zv = vdupq_n_f32(zf), top = vdupq_n_f32(15.0f);
  float32x4_t rh, rl;
  qb__neon_int4g_recip(s, &rh, &rl);
  for (unsigned i = 0; i < g; i += 32) {
    uint32x4_t c[8];
    for (int k = 0; k < 8; k++) {
      float32x4_t r = vrndnq_f32(qb__neon_int4g_div(vld1q_f32(x + i + 4 * k), rh, rl));
      r = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(r), vceqq_f32(r, r))); /* NaN: the code z */
      c[k] = vcvtq_u32_f32(vminq_f32(vmaxq_f32(vaddq_f32(r, zv), vdupq_n_f32(0.0f)), top));
    }
    qb__neon_int4g_pack32(c, qs + i / 2);
  }
}

/* One symmetric group (qb__int4g_quant_group_sym): amax as `a > amax ? a : amax` (NaN
 * never taken), s by the reference's scalar code, codes round_even(x / s), NaN -> 0,
 * clamped to [-8, 7], as nibbles; s = 0 gives codes 0. */
QB__I4N_INLINE void qb__neon_int4g_quant_sym(const float* x, unsigned g, uint8_t* d, uint8_t* qs) {
  float32x4_t m = vdupq_n_f32(0.0f);
  for (unsigned i = 0; i < g; i += 4) {
    const float32x4_t a = vabsq_f32(vld1q_f32(x + i));
    m = vbslq_f32(vcgtq_f32(a, m), a, m);
  }
  const float s = qb__int4g_store_scale(vmaxvq_f32(m) / 7.0f, d);
  if (s == 0.0f) {
    memset(qs, 0, g / 2);
    return;
  }
  const float32x4_t bot = vdupq_n_f32(-8.0f), top = vdupq_n_f32(7.0f);
  float32x4_t rh, rl;
  qb__neon_int4g_recip(s, &rh, &rl);
  for (unsigned i = 0; i < g; i += 32) {
    uint32x4_t c[8];
    for (int k = 0; k < 8; k++) {
      float32x4_t r = vrndnq_f32(qb__neon_int4g_div(vld1q_f32(x + i + 4 * k), rh, rl));
      r = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(r), vceqq_f32(r, r))); /* NaN: 0 */
      const int32x4_t q = vcvtq_s32_f32(vminq_f32(vmaxq_f32(r, bot), top));
      c[k] = vandq_u32(vreinterpretq_u32_s32(q), vdupq_n_u32(15));
    }
    qb__neon_int4g_pack32(c, qs + i / 2);
  }
}

#endif /* QB_INT4G_NEON_H */
