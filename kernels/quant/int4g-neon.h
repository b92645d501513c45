/*
 * AdvSIMD pieces of int4 group quantization (int4g-scalar.h defines it): the f16 group
 * scale and the nibbles of 16 bytes as 32 codes in element order (element 2j in the low
 * nibble of byte j). Included by the -neon- and -neondot- files of kernels/quant and
 * kernels/dot (int4g-neon.c.in in each).
 */
#ifndef QB_INT4G_NEON_H
#define QB_INT4G_NEON_H

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

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

#endif /* QB_INT4G_NEON_H */
