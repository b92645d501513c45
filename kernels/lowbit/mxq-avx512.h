/*
 * The MX block quantization of lowbit-avx2.h with each block's codes on AVX-512 (F, BW, VL and
 * VBMI): the step (8 blocks: amaxes, shared exponents, slow and NaN blocks) is lowbit-avx2.h's,
 * which calls qb__mx_block_avx512 for every block. Every float format takes its magic numbers
 * from a per-block table of its binades (lowbit-avx2.h's table form, qb__mx_binades: 16 lanes, two
 * registers for E5M2's 30), 16 elements per operation, and the code bytes are gathered from
 * the sums with one two-source byte permutation (vpermt2b), the signs with another. MXINT8
 * keeps lowbit-avx2.h's encoder. Bit-exact with the references. Included only by files
 * built with the avx512vbmi flags.
 */
#ifndef QB_LOWBIT_MXQ_AVX512_H
#define QB_LOWBIT_MXQ_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#include "lowbit/lowbit-scalar.h"

static inline void qb__mx_block_avx512(const float* src, const int32_t* p0, const int32_t* p1,
                                       const int32_t* es, int b, qb__mx_kind k, const int clamp,
                                       const int ties_away, const int width, uint8_t* out);
#define QB__MX_BLOCK qb__mx_block_avx512
#define QB__MX_TABLE_LANES 32

#include "lowbit/lowbit-avx2.h"

/*
 * The 32 codes (bytes, in order, sign included) of one block of a float format, given the
 * block's table base tb and floor bits fl (the table form of lowbit-avx2.h, qb__mx_binades):
 * 1. a = |x| (x | 1 for ties away: one ternary-logic operation either way);
 * 2. j = max(E - F, 0): a less fl in saturating 16-bit halves, shifted right by 23; j < 30;
 * 3. magic = table[j] (vpermd over 16 lanes, vpermt2d over 32 for E5M2), sum = a + magic,
 *    the code in the sum's low byte;
 * 4. the low bytes of the two vectors' 32 sums gathered in order by one vpermt2b, clamped
 *    (FLOOR), and the sign bits from byte 3 of x put at the code's sign bit (a shift for the
 *    formats whose sign is below bit 7, then one ternary-logic operation).
 * 5 operations per 16 elements, and 4 or 5 per block to gather, clamp and sign, where AVX2
 * takes 8 per 8 elements (FP8) and about 13 per block.
 */
static inline __m256i qb__mx_tcodes_x32_avx512(const float* x, const int32_t* tbp, const int32_t* flp,
                                               qb__mx_kind k, const int clamp, const int ties_away) {
  const int mbits = qb__mx_mbits(k), nbits = qb__mx_nbits(k);
  const __m512i step = _mm512_set1_epi32((1 << 23) + (1 << mbits));
  const __m512i tab0 = _mm512_add_epi32(
      _mm512_set1_epi32(*tbp),
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), step));
  const __m512i fl = _mm512_set1_epi32(*flp);
  __m512i w[2], q[2];
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    w[i] = _mm512_loadu_si512((const void*) (x + 16 * i));
    /* 0xA8: (A | B) & C; 0xC0 would be B & C. */
    const __m512i a =
        ties_away ? _mm512_ternarylogic_epi32(w[i], _mm512_set1_epi32(1), _mm512_set1_epi32(0x7FFFFFFF), 0xA8)
                  : _mm512_and_si512(w[i], _mm512_set1_epi32(0x7FFFFFFF));
    const __m512i j = _mm512_srli_epi32(_mm512_subs_epu16(a, fl), 23);
    const __m512i magic =
        qb__mx_binades(k) > 16
            ? _mm512_permutex2var_epi32(tab0, j, _mm512_add_epi32(tab0, _mm512_slli_epi32(step, 4)))
            : _mm512_permutexvar_epi32(j, tab0);
    q[i] = _mm512_castps_si512(_mm512_add_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(magic)));
  }
  /* Output byte i (of 32): byte 4 i of the first vector for i < 16, byte 4 (i - 16) of the
   * second (indices from 64) for i >= 16. */
  const __m512i perm =
      _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 124, 120, 116, 112, 108, 104, 100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56,
                      52, 48, 44, 40, 36, 32, 28, 24, 20, 16, 12, 8, 4, 0);
  __m256i c = _mm512_castsi512_si256(_mm512_permutex2var_epi8(q[0], perm, q[1]));
  if (clamp) c = _mm256_min_epu8(c, _mm256_set1_epi8((char) qb__mx_maxcode(k)));
  __m256i sg = _mm512_castsi512_si256(
      _mm512_permutex2var_epi8(w[0], _mm512_add_epi8(perm, _mm512_set1_epi8(3)), w[1]));
  if (nbits != 7) sg = _mm256_srli_epi16(sg, 7 - nbits);
  /* 0xF8: A | (B & C). */
  return _mm256_ternarylogic_epi32(c, sg, _mm256_set1_epi8((char) (1 << nbits)), 0xF8);
}

/* One block's codes (c, 32 bytes in order) and exponent byte e stored at out: FP6 as
 * qb__elem_avx2_pack6_lanes_x32 builds each 3-byte group in a 32-bit lane, its 24 bytes then
 * gathered by one vpermb and written by one masked store; FP4 pairs joined in 16-bit lanes
 * (vpmaddubsw) and narrowed (vpmovwb). */
static inline void qb__mx_store_block_avx512(__m256i c, uint8_t e, const int width, uint8_t* out) {
  out[0] = e;
  if (width == 8) {
    _mm256_storeu_si256((__m256i*) (out + 1), c);
  } else if (width == 6) {
    const __m256i p = _mm256_maddubs_epi16(c, _mm256_set1_epi16(0x4001));
    const __m256i w = _mm256_madd_epi16(p, _mm256_set1_epi32(0x10000001));
    const __m256i g =
        _mm256_permutexvar_epi8(_mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20, 21,
                                                 22, 24, 25, 26, 28, 29, 30, 0, 0, 0, 0, 0, 0, 0, 0),
                                w);
    _mm256_mask_storeu_epi8(out + 1, 0x00FFFFFF, g);
  } else {
    const __m256i p = _mm256_maddubs_epi16(c, _mm256_set1_epi16(0x1001));
    _mm_storeu_si128((__m128i*) (out + 1), _mm256_cvtepi16_epi8(p));
  }
}

/* Block b of a step (lowbit-avx2.h's qb__mx_quant_x8_avx2): its codes under its constants,
 * stored with its exponent byte. */
static inline void qb__mx_block_avx512(const float* src, const int32_t* p0, const int32_t* p1,
                                       const int32_t* es, int b, qb__mx_kind k, const int clamp,
                                       const int ties_away, const int width, uint8_t* out) {
  const __m256i c =
      k == QB__MX_INT8
          ? qb__mx_icodes_x32_avx2(src, _mm256_castsi256_ps(_mm256_set1_epi32(p0[b])), clamp, ties_away)
          : qb__mx_tcodes_x32_avx512(src, p0 + b, p1 + b, k, clamp, ties_away);
  qb__mx_store_block_avx512(c, (uint8_t) es[b], width, out + (1 + 4 * (size_t) width) * (size_t) b);
}

#endif /* QB_LOWBIT_MXQ_AVX512_H */
