/*
 * The pieces of the low-bit dots on AVX-512 + BF16 (f8e4m3_dot, mxf8e4m3_dot): E4M3
 * codes decoded exactly to bf16, multiplied and summed in pairs by vdpbf16ps. Every
 * E4M3 value fits bf16 exactly (4 significant bits, exponents 2^-9..2^8); no input is a
 * bf16 subnormal and no partial sum an f32 subnormal (they are multiples of 2^-18), so
 * vdpbf16ps's flushing of subnormal inputs and outputs never acts and its products are
 * exact: the arithmetic is that of FMA in f32, reassociated. NaN codes are
 * decoded as finite numbers and tracked as in lowdot-avx2.h (QB_SEM_NAN_CANON).
 * Included only by files built with AVX-512 BF16 flags.
 */
#ifndef QB_LOWBIT_LOWDOT_AVX512_H
#define QB_LOWBIT_LOWDOT_AVX512_H

#include <immintrin.h>
#include <string.h>

#include "lowbit/lowbit-scalar.h"

/*
 * 32 E4M3 codes -> 32 bf16 (exact). `nan` collects the codes or 0x80 (a byte 0xFF: a
 * NaN code was seen).
 * 1. Sign-extended to 16 bits and shifted left by 4, a code is 0xF800 | mag << 4 when
 *    negative; 0x87F0 keeps the sign in bit 15 and the 7 magnitude bits in bits 4..10.
 * 2. Normal codes (exponent field e >= 1): bf16 has 7 mantissa bits to E4M3's 3 and bias
 *    127 to its 7, so adding 120 << 7 makes the bf16 (no carry reaches the sign).
 * 3. Subnormal codes (exponent field 0: m 2^-9) need normalizing: a vpermw table of the
 *    8 magnitudes, indexed by the code's low bits (m), replaces those lanes, and the
 *    sign is or-ed back in.
 * NaN codes come out as +-480 (the caller tracks them).
 */
static inline __m512i qb__e4m3x32_to_bf16_avx512(__m256i c, __m256i* nan) {
  const __m512i sub =
      _mm512_broadcast_i32x4(_mm_setr_epi16(0x0000, 0x3B00, 0x3B80, 0x3BC0, 0x3C00, 0x3C20, 0x3C40, 0x3C60));
  const __m512i w = _mm512_cvtepi8_epi16(c);
  __m512i t = _mm512_and_si512(_mm512_slli_epi16(w, 4), _mm512_set1_epi16((short) 0x87F0));
  t = _mm512_add_epi16(t, _mm512_set1_epi16(120 << 7));
  t = _mm512_mask_permutexvar_epi16(t, _mm512_testn_epi16_mask(w, _mm512_set1_epi16(0x78)), w, sub);
  *nan = _mm256_max_epu8(*nan, _mm256_or_si256(c, _mm256_set1_epi8((char) 0x80)));
  /* 0xF8 = t | (w & 0x8000): the sign of the subnormal lanes. */
  return _mm512_ternarylogic_epi32(t, w, _mm512_set1_epi16((short) 0x8000), 0xF8);
}

/* Whether `nan` saw a NaN code. */
static inline int qb__e4m3_saw_nan_avx512(__m256i nan) {
  return _mm256_movemask_epi8(_mm256_cmpeq_epi8(nan, _mm256_set1_epi8(-1))) != 0;
}

/* The result of a dot that saw NaN codes or came out NaN: the quiet NaN. */
static inline float qb__lowdot_result_avx512(float r, int saw_nan) {
  return saw_nan || r != r ? qb_f32_from_bits(0x7FC00000u) : r;
}

/* As in lowdot-avx2.h: blocks whose scales could overflow a lane are summed first. */
static inline int qb__lowdot_big_scales(unsigned ea, unsigned eb) {
  return ea > 127 + 100 || ea + eb > 254 + 100;
}

/* mxf8e4m3_dot, one block (mx-dot.c.in): the 32 codes of each side decoded exactly to
 * bf16 and one vdpbf16ps: the 32 exact products summed in pairs into 16 lanes (no
 * flushing can act). */
static inline __m512 qb__mxf8e4m3_block_avx512bf16(const qb_block_mx8* x, const qb_block_mx8* y,
                                                   __m256i* nan) {
  const __m512i a = qb__e4m3x32_to_bf16_avx512(_mm256_loadu_si256((const __m256i*) x->qs), nan);
  const __m512i b = qb__e4m3x32_to_bf16_avx512(_mm256_loadu_si256((const __m256i*) y->qs), nan);
  return _mm512_dpbf16_ps(_mm512_setzero_ps(), (__m512bh) a, (__m512bh) b);
}

/* mxf8e4m3_dot: acc + (p 2^sa) 2^sb lane by lane (the reference's order, so they
 * overflow and underflow where its do), or the block summed first into *big. */
static inline __m512 qb__mxf8e4m3_scaled_add_avx512bf16(__m512 p, const qb_block_mx8* x,
                                                        const qb_block_mx8* y, __m512 acc, float* big) {
  const float sa = qb__e8m0_scale(x->e), sb = qb__e8m0_scale(y->e);
  if (qb__lowdot_big_scales(x->e, y->e)) {
    *big += _mm512_reduce_add_ps(p) * sa * sb;
    return acc;
  }
  return _mm512_fmadd_ps(_mm512_mul_ps(p, _mm512_set1_ps(sa)), _mm512_set1_ps(sb), acc);
}

#endif /* QB_LOWBIT_LOWDOT_AVX512_H */
