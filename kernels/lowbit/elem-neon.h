/*
 * The element casts of kernels/lowbit on AdvSIMD (AArch64): f32 -> FP6 E2M3 / E3M2 (64
 * per block), FP4 E2M1 and E8M0 (32 per block), and back, packed as qb/lowbit.h says.
 * Bit-exact with the scalar references (common/fp.h, README.md "Semantics"): the encodes
 * are the integer and f32-addition steps of elem-avx2.h, lane for lane; the decodes look
 * the top two bytes of each f32 up in TBL tables. Included only by -neon- files.
 */
#ifndef QB_LOWBIT_ELEM_NEON_H
#define QB_LOWBIT_ELEM_NEON_H

#include <arm_neon.h>
#include <stdint.h>

#define QB__ELN_INLINE static inline __attribute__((always_inline))

/* The f32 bits of the largest finite value of a small float format (no inf, no NaN). */
#define QB__ELN_MAXBITS(ebits, mbits, bias) \
  ((((1u << (ebits)) - 1u - (bias) + 127u) << 23) | (((1u << (mbits)) - 1u) << (23 - (mbits))))

/* 4 f32 (as bits) -> codes of a finite small float, one per lane: |x| clamped to the
 * largest value (as elem-avx512skx.h's qb__elem_avx512_round_fn), rounded to the
 * format's quantum in its binade by one f32 addition of 2^(e + 23 - mbits), the code read
 * from the sum's bits; NaN -> 0; the sign at bit ebits + mbits. */
QB__ELN_INLINE uint32x4_t qb__elem_neon_encode_fn(uint32x4_t w, int ebits, int mbits, int bias) {
  const int nbits = ebits + mbits;
  const uint32x4_t abs = vandq_u32(w, vdupq_n_u32(0x7FFFFFFFu));
  const uint32x4_t nan = vcgtq_u32(abs, vdupq_n_u32(0x7F800000u));
  const uint32x4_t a = vminq_u32(abs, vdupq_n_u32(QB__ELN_MAXBITS(ebits, mbits, bias)));
  const uint32x4_t e =
      vmaxq_u32(vandq_u32(a, vdupq_n_u32(0x7F800000u)), vdupq_n_u32((uint32_t) (128 - bias) << 23));
  const uint32x4_t magic = vaddq_u32(e, vdupq_n_u32((uint32_t) (23 - mbits) << 23));
  const uint32x4_t sum =
      vreinterpretq_u32_f32(vaddq_f32(vreinterpretq_f32_u32(a), vreinterpretq_f32_u32(magic)));
  uint32x4_t q = vaddq_u32(vsubq_u32(sum, e), vshlq_u32(e, vdupq_n_s32(-(23 - mbits))));
  q = vsubq_u32(q, vdupq_n_u32(((uint32_t) (23 - mbits) << 23) + ((uint32_t) (128 - bias) << mbits)));
  return vorrq_u32(vbicq_u32(q, nan),
                   vandq_u32(vshlq_u32(w, vdupq_n_s32(-(31 - nbits))), vdupq_n_u32(1u << nbits)));
}

/* 4 f32 (as bits) -> E8M0 codes (qb__elem_avx2_encode_e8m0's steps 1 and 2); NaN lanes are all
 * ones, which the saturating narrowing makes 0xFF. */
QB__ELN_INLINE uint32x4_t qb__elem_neon_encode_e8m0(uint32x4_t w) {
  const uint32x4_t sub = vcltq_u32(w, vdupq_n_u32(0x800000u));
  const uint32x4_t c = vshrq_n_u32(
      vsubq_u32(vaddq_u32(w, vdupq_n_u32(0x400000u)), vandq_u32(sub, vdupq_n_u32(0x200000u))), 23);
  const uint32x4_t special = vcgeq_u32(vsubq_u32(w, vdupq_n_u32(1)), vdupq_n_u32(0x7F7FFFFFu));
  return vorrq_u32(c, special);
}

/* 64 f32 -> 48 bytes of FP6: de-interleaving loads give the four codes of each 3-byte group
 * in four registers; c0 | c1 << 6 | c2 << 12 | c3 << 18 by shift-inserts; TBL gathers the
 * low 3 bytes of each 32-bit lane. */
QB__ELN_INLINE void qb__elem_neon_f32_f6_x64(const float* in, uint8_t* out, int ebits, int mbits, int bias) {
  static const uint8_t idx[3][16] = {{0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20},
                                     {21, 22, 24, 25, 26, 28, 29, 30, 32, 33, 34, 36, 37, 38, 40, 41},
                                     {42, 44, 45, 46, 48, 49, 50, 52, 53, 54, 56, 57, 58, 60, 61, 62}};
  uint8x16x4_t g;
  for (int j = 0; j < 4; j++) {
    const float32x4x4_t v = vld4q_f32(in + 16 * j);
    uint32x4_t t = qb__elem_neon_encode_fn(vreinterpretq_u32_f32(v.val[0]), ebits, mbits, bias);
    t = vsliq_n_u32(t, qb__elem_neon_encode_fn(vreinterpretq_u32_f32(v.val[1]), ebits, mbits, bias), 6);
    t = vsliq_n_u32(t, qb__elem_neon_encode_fn(vreinterpretq_u32_f32(v.val[2]), ebits, mbits, bias), 12);
    t = vsliq_n_u32(t, qb__elem_neon_encode_fn(vreinterpretq_u32_f32(v.val[3]), ebits, mbits, bias), 18);
    g.val[j] = vreinterpretq_u8_u32(t);
  }
  for (int k = 0; k < 3; k++) vst1q_u8(out + 16 * k, vqtbl4q_u8(g, vld1q_u8(idx[k])));
}

/* 32 f32 -> 16 bytes of FP4: the even and the odd elements from de-interleaving loads,
 * joined as even | odd << 4 in each lane, narrowed. */
QB__ELN_INLINE void qb__elem_neon_f32_f4e2m1_x32(const float* in, uint8_t* out) {
  uint32x4_t p[4];
  for (int j = 0; j < 4; j++) {
    const float32x4x2_t v = vld2q_f32(in + 8 * j);
    p[j] = vsliq_n_u32(qb__elem_neon_encode_fn(vreinterpretq_u32_f32(v.val[0]), 2, 1, 1),
                       qb__elem_neon_encode_fn(vreinterpretq_u32_f32(v.val[1]), 2, 1, 1), 4);
  }
  const uint16x8_t a = vmovn_high_u32(vmovn_u32(p[0]), p[1]), b = vmovn_high_u32(vmovn_u32(p[2]), p[3]);
  vst1q_u8(out, vmovn_high_u16(vmovn_u16(a), b));
}

/* 32 f32 -> 32 E8M0 bytes (saturating narrowing: NaN lanes become 0xFF). */
QB__ELN_INLINE void qb__elem_neon_f32_e8m0_x32(const float* in, uint8_t* out) {
  for (int h = 0; h < 2; h++) {
    uint32x4_t c[4];
    for (int j = 0; j < 4; j++)
      c[j] = qb__elem_neon_encode_e8m0(vld1q_u32((const uint32_t*) in + 16 * h + 4 * j));
    const uint16x8_t a = vqmovn_high_u32(vqmovn_u32(c[0]), c[1]), b = vqmovn_high_u32(vqmovn_u32(c[2]), c[3]);
    vst1q_u8(out + 16 * h, vqmovn_high_u16(vqmovn_u16(a), b));
  }
}

QB__ELN_INLINE void qb__elem_neon_f32_f6e2m3_x64(const float* in, uint8_t* out) {
  qb__elem_neon_f32_f6_x64(in, out, 2, 3, 1);
}
QB__ELN_INLINE void qb__elem_neon_f32_f6e3m2_x64(const float* in, uint8_t* out) {
  qb__elem_neon_f32_f6_x64(in, out, 3, 2, 3);
}

/* ---- Decode ---------------------------------------------------------------------------- */

/*
 * Every FP6, FP4 and E8M0 value has nonzero bits only in the top 16 of its f32 (at most 4
 * significant bits, or E8M0's powers of two, 2^-127 = 0x00400000 and NaN 0x7FC00000), so a
 * code decodes to two bytes, hi (bits 24..31) and mid (bits 16..23): TBL lookups in tables
 * of every code's value (sign included; written out from the format definitions and
 * checked code by code against the reference by test_lowbit), then widened.
 */
static const uint8_t qb__eln_f6e2m3_hi[64] = {
    0x00, 0x3E, 0x3E, 0x3E, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x80, 0xBE, 0xBE, 0xBE, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF,
    0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0};
static const uint8_t qb__eln_f6e2m3_mid[64] = {
    0x00, 0x00, 0x80, 0xC0, 0x00, 0x20, 0x40, 0x60, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0,
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0,
    0x00, 0x00, 0x80, 0xC0, 0x00, 0x20, 0x40, 0x60, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0,
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0};
static const uint8_t qb__eln_f6e3m2_hi[64] = {
    0x00, 0x3D, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,
    0x80, 0xBD, 0xBE, 0xBE, 0xBE, 0xBE, 0xBE, 0xBE, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF,
    0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC0, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1};
static const uint8_t qb__eln_f6e3m2_mid[64] = {
    0x00, 0x80, 0x00, 0x40, 0x80, 0xA0, 0xC0, 0xE0, 0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0, 0xE0,
    0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0, 0xE0, 0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0, 0xE0,
    0x00, 0x80, 0x00, 0x40, 0x80, 0xA0, 0xC0, 0xE0, 0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0, 0xE0,
    0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0, 0xE0, 0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0, 0xE0};
static const uint8_t qb__eln_f4e2m1_hi[16] = {0x00, 0x3F, 0x3F, 0x3F, 0x40, 0x40, 0x40, 0x40,
                                              0x80, 0xBF, 0xBF, 0xBF, 0xC0, 0xC0, 0xC0, 0xC0};
static const uint8_t qb__eln_f4e2m1_mid[16] = {0x00, 0x00, 0x80, 0xC0, 0x00, 0x40, 0x80, 0xC0,
                                               0x00, 0x00, 0x80, 0xC0, 0x00, 0x40, 0x80, 0xC0};

/* 16 (mid, hi) byte pairs -> 16 f32 bit patterns, four vectors in element order. */
QB__ELN_INLINE void qb__elem_neon_widen(uint8x16_t mid, uint8x16_t hi, uint32x4_t* f) {
  const uint16x8_t l = vreinterpretq_u16_u8(vzip1q_u8(mid, hi)), h = vreinterpretq_u16_u8(vzip2q_u8(mid, hi));
  f[0] = vshll_n_u16(vget_low_u16(l), 16);
  f[1] = vshll_high_n_u16(l, 16);
  f[2] = vshll_n_u16(vget_low_u16(h), 16);
  f[3] = vshll_high_n_u16(h, 16);
}

/* 48 bytes of FP6 -> 64 f32: a de-interleaving load gives the three bytes of each group in
 * three registers, shifts and inserts the four codes, two 64-entry TBLs their values, and a
 * re-interleaving store puts them back in element order. */
QB__ELN_INLINE void qb__elem_neon_f6_f32_x64(const uint8_t* in, float* out, const uint8_t* thi,
                                             const uint8_t* tmid) {
  const uint8x16x4_t th = vld1q_u8_x4(thi), tm = vld1q_u8_x4(tmid);
  const uint8x16x3_t b = vld3q_u8(in);
  const uint8x16_t m6 = vdupq_n_u8(63);
  uint8x16_t c[4];
  uint32x4_t f[4][4];
  c[0] = vandq_u8(b.val[0], m6);
  c[1] = vandq_u8(vsliq_n_u8(vshrq_n_u8(b.val[0], 6), b.val[1], 2), m6);
  c[2] = vandq_u8(vsliq_n_u8(vshrq_n_u8(b.val[1], 4), b.val[2], 4), m6);
  c[3] = vshrq_n_u8(b.val[2], 2);
  for (int j = 0; j < 4; j++) qb__elem_neon_widen(vqtbl4q_u8(tm, c[j]), vqtbl4q_u8(th, c[j]), f[j]);
  for (int q = 0; q < 4; q++) {
    const uint32x4x4_t v = {{f[0][q], f[1][q], f[2][q], f[3][q]}};
    vst4q_u32((uint32_t*) out + 16 * q, v);
  }
}

QB__ELN_INLINE void qb__elem_neon_f6e2m3_f32_x64(const uint8_t* in, float* out) {
  qb__elem_neon_f6_f32_x64(in, out, qb__eln_f6e2m3_hi, qb__eln_f6e2m3_mid);
}
QB__ELN_INLINE void qb__elem_neon_f6e3m2_f32_x64(const uint8_t* in, float* out) {
  qb__elem_neon_f6_f32_x64(in, out, qb__eln_f6e3m2_hi, qb__eln_f6e3m2_mid);
}

/* 16 bytes of FP4 -> 32 f32: low and high nibbles (the even and the odd elements) looked
 * up in two 16-entry TBLs each, stored re-interleaved. */
QB__ELN_INLINE void qb__elem_neon_f4e2m1_f32_x32(const uint8_t* in, float* out) {
  const uint8x16_t th = vld1q_u8(qb__eln_f4e2m1_hi), tm = vld1q_u8(qb__eln_f4e2m1_mid);
  const uint8x16_t b = vld1q_u8(in);
  const uint8x16_t lo = vandq_u8(b, vdupq_n_u8(15)), hi = vshrq_n_u8(b, 4);
  uint32x4_t e[4], o[4];
  qb__elem_neon_widen(vqtbl1q_u8(tm, lo), vqtbl1q_u8(th, lo), e);
  qb__elem_neon_widen(vqtbl1q_u8(tm, hi), vqtbl1q_u8(th, hi), o);
  for (int q = 0; q < 4; q++) {
    const uint32x4x2_t v = {{e[q], o[q]}};
    vst2q_u32((uint32_t*) out + 8 * q, v);
  }
}

/* 32 E8M0 codes -> f32: hi = c >> 1, mid = (c & 1) << 7, plus 0x40 for the codes 0 (2^-127,
 * 0x00400000) and 0xFF (NaN, 0x7FC00000). */
QB__ELN_INLINE void qb__elem_neon_e8m0_f32_x32(const uint8_t* in, float* out) {
  for (int h = 0; h < 2; h++) {
    const uint8x16_t c = vld1q_u8(in + 16 * h);
    const uint8x16_t sp = vorrq_u8(vceqq_u8(c, vdupq_n_u8(0)), vceqq_u8(c, vdupq_n_u8(0xFF)));
    const uint8x16_t mid = vorrq_u8(vshlq_n_u8(c, 7), vandq_u8(sp, vdupq_n_u8(0x40)));
    uint32x4_t f[4];
    qb__elem_neon_widen(mid, vshrq_n_u8(c, 1), f);
    for (int q = 0; q < 4; q++) vst1q_u32((uint32_t*) out + 16 * h + 4 * q, f[q]);
  }
}

#endif /* QB_LOWBIT_ELEM_NEON_H */
