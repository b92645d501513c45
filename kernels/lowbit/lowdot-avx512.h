/*
 * The pieces of the low-bit dots on AVX-512 + BF16 (f8e4m3_dot, mxf8e4m3_dot): E4M3
 * codes decoded exactly to bf16 worth 2^-8 times their values, multiplied and summed in
 * pairs by vdpbf16ps. Every E4M3 value fits bf16 exactly (4 significant bits, exponents
 * 2^-9..2^8; times 2^-8, 2^-17..2^0); no input is a bf16 subnormal and no partial sum an
 * f32 subnormal (they are multiples of 2^-34), so vdpbf16ps's flushing of subnormal
 * inputs and outputs never acts and its products are exact: the arithmetic is that of
 * FMA in f32, reassociated, on values 2^-16 times the reference's. NaN codes are
 * decoded as finite numbers and tracked as in lowdot-avx2.h (QB_SEM_NAN_CANON).
 * Included by files built with AVX-512 BF16 flags and, through lowdot-avx512vbmi.h, by
 * the avx512vbmi dots (no BF16), which use only the pieces here that need none: the
 * result helper and qb__lowdot_big_scales.
 */
#ifndef QB_LOWBIT_LOWDOT_AVX512_H
#define QB_LOWBIT_LOWDOT_AVX512_H

#include <immintrin.h>
#include <string.h>

#include "lowbit/lowbit-scalar.h"

/*
 * 64 E4M3 codes (one 64-byte vector c, read as 32 words) -> 64 bf16 worth 2^-8 times
 * their values, exactly, without widening across 128-bit lanes: word k of *odd is the
 * code of byte 2k + 1 (the word's high byte), word k of *even the code of byte 2k. Any
 * two calls put the same elements at the same place, so a lane by lane product pairs
 * the right codes.
 * 1. A code in the high byte of a word, shifted right arithmetically by 4, has its sign
 *    in bit 15 and its 7 magnitude bits in bits 10..4; 0x87F0 keeps those (the even
 *    codes are first moved to the high byte by a shift left by 8; the odd words' low
 *    bits, the even code, fall outside the mask).
 * 2. Normal codes (exponent field e >= 1): or-ing 0x3800 makes the bf16 exponent field
 *    112 + e, so the bf16 is 2^-8 times the code's value (bias 127 against E4M3's 7,
 *    minus 8). The or is an xor with bits the mask cleared, so step 3 can change it.
 * 3. Codes with e = 0 (zeros and subnormals, m 2^-9) take instead of 0x3800 the xor
 *    that turns sign | m << 4 into sign | the bf16 of m 2^-17: a masked vpermw of an
 *    8-entry table, indexed by the code's low bits (the even code's are the word's low
 *    bits, the odd code's are there after a shift right by 8; the index's bits 3 and 4
 *    are e's low bits, 0 in those lanes), merged into the 0x3800 vector. One vpternlogd
 *    does step 1's and and this xor.
 * `nan` collects each code doubled (a byte add): 0xFE only where a NaN code was seen
 * (qb__e4m3_saw_nan64_avx512); NaN codes decode as 2^-8 times +-480. Ten vector
 * operations per 64 codes, and two for the NaN tracking; no input is a bf16 subnormal
 * (the smallest, 2^-17, is normal), so vdpbf16ps's flushing of inputs never acts.
 */
static inline void qb__e4m3x64_to_bf16_avx512(__m512i c, __m512i* even, __m512i* odd, __m512i* nan) {
  const __m512i keep = _mm512_set1_epi16((short) 0x87F0);
  const __m512i bias = _mm512_set1_epi16(0x3800);
  const __m512i fix =
      _mm512_broadcast_i32x4(_mm_setr_epi16(0x0000, 0x3710, 0x37A0, 0x37F0, 0x3840, 0x3870, 0x3820, 0x3810));
  const __mmask32 zo = _mm512_testn_epi16_mask(c, _mm512_set1_epi16(0x7800));
  const __mmask32 ze = _mm512_testn_epi16_mask(c, _mm512_set1_epi16(0x0078));
  const __m512i bo = _mm512_mask_permutexvar_epi16(bias, zo, _mm512_srli_epi16(c, 8), fix);
  const __m512i be = _mm512_mask_permutexvar_epi16(bias, ze, c, fix);
  /* 0x6A = (A & B) ^ C */
  *odd = _mm512_ternarylogic_epi32(_mm512_srai_epi16(c, 4), keep, bo, 0x6A);
  *even = _mm512_ternarylogic_epi32(_mm512_srai_epi16(_mm512_slli_epi16(c, 8), 4), keep, be, 0x6A);
  *nan = _mm512_max_epu8(*nan, _mm512_add_epi8(c, c));
}

/* Whether `nan` (qb__e4m3x64_to_bf16_avx512) saw a NaN code. */
static inline int qb__e4m3_saw_nan64_avx512(__m512i nan) {
  return _mm512_cmpeq_epi8_mask(nan, _mm512_set1_epi8((char) 0xFE)) != 0;
}

/* The result of a dot that saw NaN codes or came out NaN: the quiet NaN. */
static inline float qb__lowdot_result_avx512(float r, int saw_nan) {
  return saw_nan || r != r ? qb_f32_from_bits(0x7FC00000u) : r;
}

/* As in lowdot-avx2.h: blocks whose scales could overflow a lane are summed first. */
static inline int qb__lowdot_big_scales(unsigned ea, unsigned eb) {
  return ea > 127 + 100 || ea + eb > 254 + 100;
}

#endif /* QB_LOWBIT_LOWDOT_AVX512_H */
