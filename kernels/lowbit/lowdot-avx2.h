/*
 * The pieces of the low-bit dots on AVX2 (f8e4m3_dot, mxf8e4m3_dot, mxf4mxf8e4m3_dot):
 * E4M3 codes (2^-8 times their values) and FP4 codes (2^-14 times theirs) made f16 for
 * the memory form of vcvtph2ps, the scalings, and the NaN-code tracking that lets the
 * arithmetic ignore NaN codes. Included only by files built with AVX2 flags.
 *
 * NaN codes: E4M3 0x7F and 0xFF are NaN, and a NaN anywhere makes the reference's
 * result NaN (a NaN product poisons its block sum, and the sum over blocks). These
 * kernels decode NaN codes as finite numbers, remember that they saw one, and return
 * the quiet NaN 0x7FC00000 at the end; a NaN E8M0 scale reaches the result through the
 * multiplications and is made that same NaN. Which NaN the reference returns depends on
 * its operand order, so the variants declare QB_SEM_NAN_CANON.
 */
#ifndef QB_LOWBIT_LOWDOT_AVX2_H
#define QB_LOWBIT_LOWDOT_AVX2_H

#include <immintrin.h>
#include <string.h>

#include "cvt/cvt-x86.h"
#include "lowbit/lowbit-scalar.h"

/*
 * 32 E4M3 codes -> 32 f16 at dst (32-byte aligned): each code's magnitude bits moved
 * into an f16 (sign to bit 15, the 7 magnitude bits to bits 13..7), an f16 worth 2^-8
 * times the code's value for every normal and subnormal code (the f16 exponent field is
 * the code's, which never reaches 31; a subnormal code lands on an f16 subnormal). The
 * values are widened afterwards by the memory form of vcvtph2ps, which Zen 3 runs two
 * per cycle (the register form one, in two uops), off the shuffle pipes.
 * 1. Odd codes (the high byte of each word): an arithmetic shift right by 1 puts the
 *    magnitude at bits 13..7 and copies the sign into bits 15 and 14; the mask 0xBF80
 *    clears bit 14 and the even code's bits below.
 * 2. Even codes (the low byte): shifted to the high byte first, then as step 1.
 * dst[0..15] holds the even codes (elements 0, 2, .., 14 of the first 16, then 16, ..,
 * 30), dst[16..31] the odd ones: any two calls put the same elements at the same place,
 * so a lane by lane product pairs the right codes. NaN codes (0x7F, 0xFF) become +-480
 * times 2^-8: `nan` collects the largest doubled magnitude, 0xFE only where a NaN code
 * was seen. Six vector operations and two stores per 32 codes.
 */
static inline void qb__e4m3x32_to_f16_avx2(const uint8_t* p, uint16_t* dst, __m256i* nan) {
  const __m256i mask = _mm256_set1_epi16((short) 0xBF80);
  const __m256i b = _mm256_loadu_si256((const __m256i*) p);
  *nan = _mm256_max_epu8(*nan, _mm256_add_epi8(b, b));
  const __m256i odd = _mm256_and_si256(_mm256_srai_epi16(b, 1), mask);
  const __m256i even = _mm256_and_si256(_mm256_srai_epi16(_mm256_slli_epi16(b, 8), 1), mask);
  _mm256_store_si256((__m256i*) dst, even);
  _mm256_store_si256((__m256i*) (dst + 16), odd);
}

/* Whether `nan` (qb__e4m3x32_to_f16_avx2) saw a NaN code. */
static inline int qb__e4m3_saw_nan_avx2(__m256i nan) {
  return _mm256_movemask_epi8(_mm256_cmpeq_epi8(nan, _mm256_set1_epi8((char) 0xFE))) != 0;
}

/* The sum of 8 f32 lanes (pairwise). */
static inline float qb__hsum_ps_avx2(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* The sum of 8 s32 lanes (exact when it fits). */
static inline int32_t qb__hsum_epi32_avx2(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

/*
 * Whether a block with scale bytes ea, eb takes the slow path: its lanes added up into
 * the block's sum before it is scaled, as the reference does. Scaled lane by lane,
 * partial sums of opposite signs could overflow to +inf and -inf (a NaN) where the
 * reference's block sum overflows once (an inf), or not at all. A block's sum, and any
 * part of it, is below 32 * 448 * 448 < 2^23 (times the kernel's exact power of two),
 * so neither p 2^sa nor p 2^sa 2^sb can overflow while sa <= 100 and sa + sb <= 100
 * (sa = ea - 127). The NaN scale 0xFF takes the slow path too, with a NaN either way.
 */
static inline int qb__lowdot_big_scales(unsigned ea, unsigned eb) {
  return ea > 127 + 100 || ea + eb > 254 + 100;
}

/* The result of a dot that saw NaN codes (`nan`) or came out NaN: the quiet NaN. */
static inline float qb__lowdot_result(float r, int saw_nan) {
  return saw_nan || r != r ? qb_f32_from_bits(0x7FC00000u) : r;
}

/* The E8M0 scale 2^(e - 127) times 2^k (k <= 0, exact: at least 2^(-127 + k) >= 2^-149
 * for the k used here); NaN for 0xFF. */
static inline float qb__e8m0_scale_pow2(uint8_t e, int k) {
  return qb__e8m0_scale(e) * qb_pow2f(k);
}

/*
 * mxf8e4m3_dot, one block from its stored f16 (qb__e4m3x32_to_f16_avx2 of both sides):
 * the exact products, each 2^-16 times its value, summed in 8 lanes (two FMAs deep). An
 * exact integer block sum was considered (not built): with both sides 18-bit integers
 * (E4M3 times 2^9) it needs each side split in two 16-bit halves and three partial sums
 * (eight vpmaddwd per block), some 60 instructions per block against about 26 here.
 */
static inline __m256 qb__mxf8e4m3_f16_block_avx2(const uint16_t* hx, const uint16_t* hy) {
  const __m256 p01 =
      _mm256_fmadd_ps(qb_cvt_f16c_cvtph_mem(hx), qb_cvt_f16c_cvtph_mem(hy),
                      _mm256_mul_ps(qb_cvt_f16c_cvtph_mem(hx + 8), qb_cvt_f16c_cvtph_mem(hy + 8)));
  const __m256 p23 =
      _mm256_fmadd_ps(qb_cvt_f16c_cvtph_mem(hx + 16), qb_cvt_f16c_cvtph_mem(hy + 16),
                      _mm256_mul_ps(qb_cvt_f16c_cvtph_mem(hx + 24), qb_cvt_f16c_cvtph_mem(hy + 24)));
  return _mm256_add_ps(p01, p23);
}

/*
 * mxf8e4m3_dot: acc + (p 2^16 2^sa) 2^sb lane by lane, p from
 * qb__mxf8e4m3_f16_block_avx2 (2^-16 times the block's lanes: each lane 0 or in
 * [2^-34, 2^4), a multiple of 2^-34). The reference multiplies by 2^sa, then by 2^sb, and
 * rounds each time; where both products are normal f32 for every possible lane (sa and
 * sa + sb in [-108, 107]: lane 2^16 in [2^-18, 2^20)) both are exact, and one FMA by
 * 2^(sa + sb + 16) gives the same product: scale bytes ea in [19, 234], ea + eb in [146,
 * 361], eb not the NaN 0xFF. Other blocks take the reference's two multiplications
 * (the scales from qb__e8m0_scale, 2^sa times 2^16, subnormal 2^-127 and NaN included),
 * so they overflow and underflow where its do; a block with large scales
 * (qb__lowdot_big_scales) is summed first, scaled in the same order and added to *big.
 */
static inline __m256 qb__mxf8e4m3_scaled_add_avx2(__m256 p, const qb_block_mx8* x, const qb_block_mx8* y,
                                                  __m256 acc, float* big) {
  const uint32_t ea = x->e, eb = y->e;
  if (ea - 19u <= 215u && ea + eb - 146u <= 215u && eb != 0xFFu)
    return _mm256_fmadd_ps(p, _mm256_set1_ps(qb_f32_from_bits((ea + eb - 111u) << 23)), acc);
  const float sa = qb__e8m0_scale(x->e), sb = qb__e8m0_scale(y->e);
  if (qb__lowdot_big_scales(x->e, y->e)) {
    *big += qb__hsum_ps_avx2(p) * 0x1p16f * sa * sb;
    return acc;
  }
  return _mm256_fmadd_ps(_mm256_mul_ps(p, _mm256_set1_ps(sa * 0x1p16f)), _mm256_set1_ps(sb), acc);
}

/*
 * mxf4mxf8e4m3_dot, the blocks outside the one-FMA range of
 * qb__mxf4mxf8e4m3_f16_scaled_add_avx2: acc + (L 2^(sa - 10)) 2^sb lane by lane, L the
 * block's integer lanes (the lane sums times 2^10, |L| < 2^24), the two multiplications
 * in the reference's order (the 2^-10 folded into the FP4 block's scale: exact, at least
 * 2^-137), so they overflow and underflow where its do; a block with large scales
 * (qb__lowdot_big_scales) is summed first (exactly, in integers: |sum| < 2^27), scaled in
 * the same order and added to *big instead. Out of line: inlined, its scalar E8M0 decodes
 * and branches kept the accumulators in memory.
 */
__attribute__((noinline, cold, unused)) static __m256 qb__mxf4mxf8e4m3_scaled_add_slow_avx2(
    __m256i p, uint32_t ea, uint32_t eb, __m256 acc, float* big) {
  const float sa = qb__e8m0_scale_pow2((uint8_t) ea, -10), sb = qb__e8m0_scale((uint8_t) eb);
  if (qb__lowdot_big_scales(ea, eb)) {
    *big += (float) qb__hsum_epi32_avx2(p) * sa * sb;
    return acc;
  }
  return _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(sa)), _mm256_set1_ps(sb), acc);
}

/*
 * 16 packed FP4 codes (32 elements, element 2k in the low nibble of byte k) -> 32 f16 at
 * dst (32-byte aligned), each 2^-14 times its code's value, in the order of
 * qb__e4m3x32_to_f16_avx2 (dst[0..15] the even elements, dst[16..31] the odd ones). An
 * E2M1 code s e1 e0 m placed in an f16 as sign, the exponent field's low two bits and the
 * top mantissa bit is 2^-14 times its value, the subnormal code 0.5 (e = 0, m = 1)
 * included: the f16's high byte is (s << 7) | (e << 2) | (m << 1), from a 16-entry
 * vpshufb table read with the index in the high byte of each word (the low byte's index
 * 0 reads entry 0, which is 0: the f16's low byte), after one memory-form vpmovzxbw.
 * Seven operations and two stores per 32 codes.
 */
static inline void qb__f4x32_to_f16_avx2(const uint8_t* p, uint16_t* dst) {
  const __m256i table = _mm256_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, (char) 0x80, (char) 0x82, (char) 0x84,
                                         (char) 0x86, (char) 0x88, (char) 0x8A, (char) 0x8C, (char) 0x8E, 0,
                                         2, 4, 6, 8, 10, 12, 14, (char) 0x80, (char) 0x82, (char) 0x84,
                                         (char) 0x86, (char) 0x88, (char) 0x8A, (char) 0x8C, (char) 0x8E);
  const __m256i w = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i*) p));
  const __m256i high = _mm256_set1_epi16(0x0F00);
  _mm256_store_si256((__m256i*) dst,
                     _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_slli_epi16(w, 8), high)));
  _mm256_store_si256((__m256i*) (dst + 16),
                     _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_slli_epi16(w, 4), high)));
}

/*
 * mxf4mxf8e4m3_dot: the block's lanes p from qb__mxf8e4m3_f16_block_avx2 of
 * qb__f4x32_to_f16_avx2 and qb__e4m3x32_to_f16_avx2 (each lane exact: four products,
 * each a multiple of 2^-32, their sum below 2^-8), so p = L 2^-32 with L an integer,
 * |L| < 2^24. The reference multiplies by 2^sa, then by 2^sb, and rounds each time;
 * L 2^(sa - 10) and L 2^(sa + sb - 10) are normal f32, so both products exact, for
 * sa - 10 and sa + sb - 10 in [-126, 90] (with sa, sa + sb <= 100, below the large
 * scales): there one FMA by 2^(sa + sb + 22) gives the same lanes. That is scale bytes
 * ea in [11, 227], ea + eb in [138, 354], eb not the NaN 0xFF (ea = 0xFF is outside the
 * range); the power's exponent field is ea + eb - 105, in [33, 249]. This replaces, for
 * those blocks, two E8M0 widenings (with branches for the subnormal and NaN bytes), a
 * multiplication and two broadcasts. Other blocks go out of line with L = p 2^32
 * (exact, converted to integers exactly).
 */
static inline __m256 qb__mxf4mxf8e4m3_f16_scaled_add_avx2(__m256 p, const qb_block_mx4* x,
                                                          const qb_block_mx8* y, __m256 acc, float* big) {
  const uint32_t ea = x->e, eb = y->e;
  if (__builtin_expect(ea - 11u <= 216u && ea + eb - 138u <= 216u && eb != 0xFFu, 1))
    return _mm256_fmadd_ps(p, _mm256_set1_ps(qb_f32_from_bits((ea + eb - 105u) << 23)), acc);
  return qb__mxf4mxf8e4m3_scaled_add_slow_avx2(_mm256_cvtps_epi32(_mm256_mul_ps(p, _mm256_set1_ps(0x1p32f))),
                                               ea, eb, acc, big);
}

#endif /* QB_LOWBIT_LOWDOT_AVX2_H */
