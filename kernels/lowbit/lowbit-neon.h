/*
 * The MX block formats of lowbit-scalar.h on AdvSIMD, one block of 32 per call
 * (mx-neon.c.in): the amax as an integer max of |x| bits, the shared exponent by the
 * scalar code (once per block), the elements x * 2^-s rounded in integer lanes (ties to
 * even or away, as qb__round_to_small_ties) and packed; dequantize decodes every code in
 * lanes, exactly, and multiplies by the scale as the reference does. Bit-exact with the
 * references for every input. Included only by -neon- files.
 */
#ifndef QB_LOWBIT_NEON_H
#define QB_LOWBIT_NEON_H

#include <arm_neon.h>
#include <string.h>

#include "lowbit/lowbit-scalar.h"

#define QB__LBN_INLINE static inline __attribute__((always_inline))

/* Element geometry per qb__mx_kind: mantissa bits, bias, bits without the sign, and the
 * largest finite code without the sign (INT8: unused). */
static const int qb__mxn_mbits[] = {3, 2, 3, 2, 1, 0};
static const int qb__mxn_bias[] = {7, 15, 1, 3, 1, 0};
static const int qb__mxn_nbits[] = {7, 7, 5, 5, 3, 0};
static const uint32_t qb__mxn_maxcode[] = {0x7E, 0x7B, 0x1F, 0x1F, 0x7, 0};

/* A variable right shift of unsigned lanes (USHL by a negative count). */
QB__LBN_INLINE uint32x4_t qb__neon_shr_u32(uint32x4_t v, int32x4_t s) {
  return vshlq_u32(v, vnegq_s32(s));
}

/*
 * Rounds 4 finite non-negative f32 (|w| bits) to a small float with `mbits` mantissa bits
 * and bias `bias`: qb__round_to_small_ties, lane by lane.
 * 1. The shift: 23 - mbits where the value is normal in the target (f32 exponent e >
 *    127 - bias), else 151 - bias - mbits - max(e, 1), held at 31 (the value is then below
 *    a quarter of the smallest subnormal and rounds to 0 in both tie modes).
 * 2. The source: |w| for target normals (exponent and mantissa move together, so a carry
 *    out of the mantissa bumps the exponent), else the mantissa with its implicit bit.
 * 3. Ties to even: add half - 1 plus the kept lsb; ties away: add half. Then shift.
 * 4. Target normals: take the bias difference off the exponent field.
 */
QB__LBN_INLINE uint32x4_t qb__neon_round_small(uint32x4_t abs, int mbits, int bias, int ties_away) {
  const uint32x4_t one = vdupq_n_u32(1);
  const uint32x4_t e = vshrq_n_u32(abs, 23);
  const uint32x4_t normal = vcgtq_u32(e, vdupq_n_u32((uint32_t) (127 - bias)));
  int32x4_t shift = vsubq_s32(vdupq_n_s32(151 - bias - mbits), vreinterpretq_s32_u32(vmaxq_u32(e, one)));
  shift = vminq_s32(vmaxq_s32(shift, vdupq_n_s32(23 - mbits)), vdupq_n_s32(31));
  const uint32x4_t implicit = vandq_u32(vtstq_u32(e, e), vdupq_n_u32(0x800000));
  const uint32x4_t full = vorrq_u32(vandq_u32(abs, vdupq_n_u32(0x7FFFFF)), implicit);
  const uint32x4_t src = vbslq_u32(normal, abs, full);
  const uint32x4_t half = vshlq_u32(one, vsubq_s32(shift, vdupq_n_s32(1)));
  uint32x4_t add;
  if (ties_away) {
    add = half;
  } else {
    add = vaddq_u32(vsubq_u32(half, one), vandq_u32(qb__neon_shr_u32(src, shift), one));
  }
  const uint32x4_t q = qb__neon_shr_u32(vaddq_u32(src, add), shift);
  return vsubq_u32(q, vandq_u32(normal, vdupq_n_u32((uint32_t) (127 - bias) << mbits)));
}

/* 4 scaled elements (finite) -> their codes, one per 32-bit lane, sign included
 * (qb__mx_encode). */
QB__LBN_INLINE uint32x4_t qb__neon_mx_encode(float32x4_t v, qb__mx_kind k, int ties_away) {
  const uint32x4_t w = vreinterpretq_u32_f32(v);
  if (k == QB__MX_INT8) {
    /* |v| * 64 < 128 exactly; FRINTN / FRINTA are the reference's two tie rules on a
     * non-negative value; clamp to 127, then the sign as a two's complement byte. */
    const float32x4_t r = vmulq_f32(vabsq_f32(v), vdupq_n_f32(64.0f));
    const float32x4_t t = vminq_f32(ties_away ? vrndaq_f32(r) : vrndnq_f32(r), vdupq_n_f32(127.0f));
    const uint32x4_t u = vcvtq_u32_f32(t);
    const uint32x4_t neg = vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_u32(w), 31));
    return vandq_u32(vbslq_u32(neg, vreinterpretq_u32_s32(vnegq_s32(vreinterpretq_s32_u32(u))), u),
                     vdupq_n_u32(0xFF));
  }
  const uint32x4_t abs = vandq_u32(w, vdupq_n_u32(0x7FFFFFFF));
  uint32x4_t q = qb__neon_round_small(abs, qb__mxn_mbits[k], qb__mxn_bias[k], ties_away);
  q = vminq_u32(q, vdupq_n_u32(qb__mxn_maxcode[k]));
  return vorrq_u32(q, vshlq_u32(vshrq_n_u32(w, 31), vdupq_n_s32(qb__mxn_nbits[k])));
}

/* Four vectors of codes (each below 256) -> 16 bytes in order. */
QB__LBN_INLINE uint8x16_t qb__neon_mx_narrow(uint32x4_t a, uint32x4_t b, uint32x4_t c, uint32x4_t d) {
  const uint16x8_t ab = vcombine_u16(vmovn_u32(a), vmovn_u32(b));
  const uint16x8_t cd = vcombine_u16(vmovn_u32(c), vmovn_u32(d));
  return vcombine_u8(vmovn_u16(ab), vmovn_u16(cd));
}

/* 32 codes (bytes in order, c0: 0..15, c1: 16..31) -> the packed stream of qb/lowbit.h. */
QB__LBN_INLINE void qb__neon_mx_pack(uint8x16_t c0, uint8x16_t c1, int width, uint8_t* out) {
  if (width == 8) {
    vst1q_u8(out, c0);
    vst1q_u8(out + 16, c1);
  } else if (width == 4) {
    /* Even elements in the low nibbles, odd ones in the high nibbles (UZP1/UZP2). */
    vst1q_u8(out, vorrq_u8(vuzp1q_u8(c0, c1), vshlq_n_u8(vuzp2q_u8(c0, c1), 4)));
  } else {
    /* Four 6-bit codes per 32-bit lane (bytes c0 c1 c2 c3) -> c0 | c1 << 6 | c2 << 12 |
     * c3 << 18, then the low three bytes of each lane, 24 in all (TBL over both). */
    uint8x16x2_t w;
    for (int h = 0; h < 2; h++) {
      const uint32x4_t l = vreinterpretq_u32_u8(h ? c1 : c0);
      uint32x4_t p = vandq_u32(l, vdupq_n_u32(0x3F));
      p = vorrq_u32(p, vandq_u32(vshrq_n_u32(l, 2), vdupq_n_u32(0xFC0)));
      p = vorrq_u32(p, vandq_u32(vshrq_n_u32(l, 4), vdupq_n_u32(0x3F000)));
      p = vorrq_u32(p, vandq_u32(vshrq_n_u32(l, 6), vdupq_n_u32(0xFC0000)));
      w.val[h] = vreinterpretq_u8_u32(p);
    }
    static const uint8_t i16[16] = {0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20};
    static const uint8_t i8[8] = {21, 22, 24, 25, 26, 28, 29, 30};
    vst1q_u8(out, vqtbl2q_u8(w, vld1q_u8(i16)));
    vst1_u8(out + 16, vqtbl2_u8(w, vld1_u8(i8)));
  }
}

/* One MX block of 32 (qb__mx_quant_block, then the packing): the exponent byte into *e,
 * the packed codes into qs. */
QB__LBN_INLINE void qb__neon_mx_quant(const float* x, qb__mx_kind k, qb__mx_scale_mode mode, int ties_away,
                                      int width, uint8_t* e, uint8_t* qs) {
  float32x4_t v[8];
  uint32x4_t m = vdupq_n_u32(0);
  for (int i = 0; i < 8; i++) {
    v[i] = vld1q_f32(x + 4 * i);
    m = vmaxq_u32(m, vandq_u32(vreinterpretq_u32_f32(v[i]), vdupq_n_u32(0x7FFFFFFF)));
  }
  const uint32_t amax = vmaxvq_u32(m);
  if (amax >= 0x7F800000u) { /* NaN or inf: the NaN scale, codes 0 */
    *e = 0xFF;
    memset(qs, 0, (size_t) QB_MX_BLOCK_LEN * (size_t) width / 8);
    return;
  }
  const int s = qb__mx_shared_exp(amax, k, mode);
  const float32x4_t inv = vdupq_n_f32(qb_pow2f(-s));
  *e = (uint8_t) (s + 127);
  uint32x4_t c[8];
  for (int i = 0; i < 8; i++) c[i] = qb__neon_mx_encode(vmulq_f32(v[i], inv), k, ties_away);
  qb__neon_mx_pack(qb__neon_mx_narrow(c[0], c[1], c[2], c[3]), qb__neon_mx_narrow(c[4], c[5], c[6], c[7]),
                   width, qs);
}

/* ---- Dequantize -------------------------------------------------------------------- */

/* The packed stream -> 32 codes in byte lanes (c[0]: elements 0..15, c[1]: 16..31). */
QB__LBN_INLINE void qb__neon_mx_unpack(const uint8_t* qs, int width, uint8x16_t c[2]) {
  if (width == 8) {
    c[0] = vld1q_u8(qs);
    c[1] = vld1q_u8(qs + 16);
  } else if (width == 4) {
    const uint8x16_t b = vld1q_u8(qs);
    const uint8x16_t lo = vandq_u8(b, vdupq_n_u8(15)), hi = vshrq_n_u8(b, 4);
    c[0] = vzip1q_u8(lo, hi);
    c[1] = vzip2q_u8(lo, hi);
  } else {
    /* 24 bytes: each 3-byte group into a 32-bit lane (TBL; index 255 gives 0), then its
     * four 6-bit fields into the lane's four bytes. */
    uint8x16x2_t b;
    b.val[0] = vld1q_u8(qs);
    b.val[1] = vcombine_u8(vld1_u8(qs + 16), vdup_n_u8(0));
    static const uint8_t idx[2][16] = {{0, 1, 2, 255, 3, 4, 5, 255, 6, 7, 8, 255, 9, 10, 11, 255},
                                       {12, 13, 14, 255, 15, 16, 17, 255, 18, 19, 20, 255, 21, 22, 23, 255}};
    for (int h = 0; h < 2; h++) {
      const uint32x4_t w = vreinterpretq_u32_u8(vqtbl2q_u8(b, vld1q_u8(idx[h])));
      uint32x4_t l = vandq_u32(w, vdupq_n_u32(0x3F));
      l = vorrq_u32(l, vandq_u32(vshlq_n_u32(w, 2), vdupq_n_u32(0x3F00)));
      l = vorrq_u32(l, vandq_u32(vshlq_n_u32(w, 4), vdupq_n_u32(0x3F0000)));
      l = vorrq_u32(l, vandq_u32(vshlq_n_u32(w, 6), vdupq_n_u32(0x3F000000)));
      c[h] = vreinterpretq_u8_u32(l);
    }
  }
}

/*
 * 4 codes (in 32-bit lanes) -> their values before the scale, exactly (qb__mx_decode):
 * normals by moving the magnitude bits into f32's place and adding the bias difference to
 * the exponent; subnormals (exponent field 0) as m * 2^(1 - bias - mbits), an exact
 * convert and multiply; E4M3's 0x7F and E5M2's all-ones exponent as fp.h gives them.
 */
QB__LBN_INLINE float32x4_t qb__neon_mx_decode(uint32x4_t c, qb__mx_kind k) {
  if (k == QB__MX_INT8) {
    const int32x4_t s = vshrq_n_s32(vshlq_n_s32(vreinterpretq_s32_u32(c), 24), 24);
    return vmulq_f32(vcvtq_f32_s32(s), vdupq_n_f32(1.0f / 64.0f));
  }
  const int mbits = qb__mxn_mbits[k], bias = qb__mxn_bias[k], nbits = qb__mxn_nbits[k];
  const uint32x4_t mag = vandq_u32(c, vdupq_n_u32((1u << nbits) - 1u));
  const uint32x4_t sign = vshlq_n_u32(vshlq_u32(c, vdupq_n_s32(-nbits)), 31);
  const uint32x4_t normal =
      vaddq_u32(vshlq_u32(mag, vdupq_n_s32(23 - mbits)), vdupq_n_u32((uint32_t) (127 - bias) << 23));
  const uint32x4_t m = vandq_u32(mag, vdupq_n_u32((1u << mbits) - 1u));
  const float32x4_t sub = vmulq_f32(vcvtq_f32_u32(m), vdupq_n_f32(qb_pow2f(1 - bias - mbits)));
  const uint32x4_t is_sub = vcltq_u32(mag, vdupq_n_u32(1u << mbits));
  uint32x4_t bits = vbslq_u32(is_sub, vreinterpretq_u32_f32(sub), normal);
  if (k == QB__MX_E4M3) {
    bits = vbslq_u32(vceqq_u32(mag, vdupq_n_u32(0x7F)), vdupq_n_u32(0x7FC00000u), bits);
  } else if (k == QB__MX_E5M2) {
    /* Exponent 31: inf (m = 0) or NaN, m << 21 with the quiet bit. */
    const uint32x4_t special = vorrq_u32(vorrq_u32(vdupq_n_u32(0x7F800000u), vshlq_n_u32(m, 21)),
                                         vandq_u32(vtstq_u32(m, m), vdupq_n_u32(0x400000u)));
    bits = vbslq_u32(vcgeq_u32(mag, vdupq_n_u32(0x7C)), special, bits);
  }
  return vreinterpretq_f32_u32(vorrq_u32(bits, sign));
}

/* One MX block -> 32 floats: decode(code) * 2^(e - 127) (NaN for 0xFF), the reference's
 * one multiply with the same operands in the same order. */
QB__LBN_INLINE void qb__neon_mx_dequant(const uint8_t* qs, uint8_t e, qb__mx_kind k, int width, float* y) {
  const float32x4_t scale = vdupq_n_f32(qb__e8m0_scale(e));
  uint8x16_t c[2];
  qb__neon_mx_unpack(qs, width, c);
  for (int h = 0; h < 2; h++) {
    const uint16x8_t lo = vmovl_u8(vget_low_u8(c[h])), hi = vmovl_high_u8(c[h]);
    const uint32x4_t w[4] = {vmovl_u16(vget_low_u16(lo)), vmovl_high_u16(lo), vmovl_u16(vget_low_u16(hi)),
                             vmovl_high_u16(hi)};
    for (int j = 0; j < 4; j++) vst1q_f32(y + 16 * h + 4 * j, vmulq_f32(qb__neon_mx_decode(w[j], k), scale));
  }
}

/* ---- NVFP4: 16 E2M1 codes and an E4M3 block scale ------------------------------------ */

/* One NVFP4 block (qb__nvf4_quant_block): the E4M3 scale by the scalar code once per
 * block, then each element x / d (a true division, as the reference) rounded to E2M1,
 * ties to even, saturating; d = 0 gives signed zero codes. */
QB__LBN_INLINE void qb__neon_nvf4_quant(const float* x, float g, qb_block_nvf4* out) {
  float32x4_t v[4];
  uint32x4_t m = vdupq_n_u32(0);
  for (int i = 0; i < 4; i++) {
    v[i] = vld1q_f32(x + 4 * i);
    m = vmaxq_u32(m, vandq_u32(vreinterpretq_u32_f32(v[i]), vdupq_n_u32(0x7FFFFFFF)));
  }
  const uint32_t amax = vmaxvq_u32(m);
  if (amax >= 0x7F800000u) { /* NaN or inf: the NaN scale, codes 0 */
    out->s = 0x7F;
    memset(out->qs, 0, sizeof out->qs);
    return;
  }
  out->s = qb_f32_to_f8e4m3_bits(qb_f32_to_bits(qb_f32_from_bits(amax) / 6.0f / g), 1);
  const float d = qb__nvf4_block_d(out->s, g);
  uint32x4_t c[4];
  for (int i = 0; i < 4; i++) {
    if (d == 0.0f) {
      c[i] = vshlq_n_u32(vshrq_n_u32(vreinterpretq_u32_f32(v[i]), 31), 3);
    } else {
      c[i] = qb__neon_mx_encode(vdivq_f32(v[i], vdupq_n_f32(d)), QB__MX_E2M1, 0);
    }
  }
  const uint8x16_t b = qb__neon_mx_narrow(c[0], c[1], c[2], c[3]);
  const uint8x16_t p = vorrq_u8(vuzp1q_u8(b, b), vshlq_n_u8(vuzp2q_u8(b, b), 4));
  vst1_u8(out->qs, vget_low_u8(p));
}

/* One NVFP4 block -> 16 floats: decode(code) * d, d = e4m3(s) * g (the reference's). */
QB__LBN_INLINE void qb__neon_nvf4_dequant(const qb_block_nvf4* in, float g, float* y) {
  const float32x4_t d = vdupq_n_f32(qb__nvf4_block_d(in->s, g));
  const uint8x8_t b = vld1_u8(in->qs);
  const uint8x16_t c = vcombine_u8(vzip1_u8(vand_u8(b, vdup_n_u8(15)), vshr_n_u8(b, 4)),
                                   vzip2_u8(vand_u8(b, vdup_n_u8(15)), vshr_n_u8(b, 4)));
  const uint16x8_t lo = vmovl_u8(vget_low_u8(c)), hi = vmovl_high_u8(c);
  const uint32x4_t w[4] = {vmovl_u16(vget_low_u16(lo)), vmovl_high_u16(lo), vmovl_u16(vget_low_u16(hi)),
                           vmovl_high_u16(hi)};
  for (int j = 0; j < 4; j++) vst1q_f32(y + 4 * j, vmulq_f32(qb__neon_mx_decode(w[j], QB__MX_E2M1), d));
}

/* ---- FP8 E4M3 with an f32 scale per 1 x 128 block or per 128 x 128 tile ----------------- */

/* max |x| bits over one row of 128 (NaN and inf sort above every finite |x|): the reference's
 * qb__amax_bits, four accumulators. */
QB__LBN_INLINE uint32_t qb__neon_f8_row_amax(const float* x) {
  const uint32x4_t m = vdupq_n_u32(0x7FFFFFFF);
  uint32x4_t a[4] = {vdupq_n_u32(0), vdupq_n_u32(0), vdupq_n_u32(0), vdupq_n_u32(0)};
  for (int i = 0; i < 128; i += 16) {
    for (int j = 0; j < 4; j++)
      a[j] = vmaxq_u32(a[j], vandq_u32(vld1q_u32((const uint32_t*) (x + i + 4 * j)), m));
  }
  return vmaxvq_u32(vmaxq_u32(vmaxq_u32(a[0], a[1]), vmaxq_u32(a[2], a[3])));
}

/* One row of 128 under a finite scale d (qb__f8_scaled_codes): e4m3_sat(x / d) by true f32
 * divisions (x / d is finite: |x| <= amax and d = fl(amax / 448) > 0) and the MX element
 * rounding (ties to even, clamped to 448); d = 0 gives +-0 codes with each element's sign. */
QB__LBN_INLINE void qb__neon_f8_row_codes(const float* x, float d, uint8_t* q) {
  const float32x4_t dv = vdupq_n_f32(d);
  for (int i = 0; i < 128; i += 16) {
    uint32x4_t c[4];
    for (int j = 0; j < 4; j++) {
      const float32x4_t v = vld1q_f32(x + i + 4 * j);
      c[j] = d == 0.0f ? vshlq_n_u32(vshrq_n_u32(vreinterpretq_u32_f32(v), 31), 7)
                       : qb__neon_mx_encode(vdivq_f32(v, dv), QB__MX_E4M3, 0);
    }
    vst1q_u8(q + i, qb__neon_mx_narrow(c[0], c[1], c[2], c[3]));
  }
}

/* One row of 128 codes -> e4m3(code) * d. keep_nan: a NaN code keeps its own NaN (a select,
 * as the per-128 reference: which of two NaNs FMUL keeps follows the operand order and
 * favours a signaling one); else the plain product code * d in that operand order, as the
 * 128 x 128 tile reference computes it (a NaN code times a signaling-NaN scale gives the
 * scale's payload there, quieted). */
QB__LBN_INLINE void qb__neon_f8_row_dequant(const uint8_t* q, float d, float* y, int keep_nan) {
  const float32x4_t dv = vdupq_n_f32(d);
  for (int i = 0; i < 128; i += 16) {
    const uint8x16_t c = vld1q_u8(q + i);
    const uint16x8_t lo = vmovl_u8(vget_low_u8(c)), hi = vmovl_high_u8(c);
    const uint32x4_t w[4] = {vmovl_u16(vget_low_u16(lo)), vmovl_high_u16(lo), vmovl_u16(vget_low_u16(hi)),
                             vmovl_high_u16(hi)};
    for (int j = 0; j < 4; j++) {
      const float32x4_t v = qb__neon_mx_decode(w[j], QB__MX_E4M3);
      const float32x4_t p = vmulq_f32(v, dv);
      vst1q_f32(y + i + 4 * j, keep_nan ? vbslq_f32(vceqq_f32(v, v), p, v) : p);
    }
  }
}

/* One per-128 block (qb__f8b128_quant_block): NaN or inf -> d NaN and codes 0x7F, else
 * d = amax / 448 and the row's codes. */
QB__LBN_INLINE void qb__neon_f8b128_quant(const float* x, qb_block_f8b128* out) {
  const uint32_t amax = qb__neon_f8_row_amax(x);
  if (amax >= 0x7F800000u) {
    out->d = qb_f32_from_bits(0x7FC00000u);
    memset(out->qs, 0x7F, sizeof out->qs);
    return;
  }
  out->d = qb_f32_from_bits(amax) / 448.0f;
  qb__neon_f8_row_codes(x, out->d, out->qs);
}

#endif /* QB_LOWBIT_NEON_H */
