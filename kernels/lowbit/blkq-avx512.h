/*
 * The FP8 E4M3 per-128 and per-tile quantizers of blkq-avx2.h with each row's codes on
 * AVX-512 (F, BW, VL and VBMI): the amaxes and scales are blkq-avx2.h's, the rows of 128
 * are divided, rounded and gathered 16 and 32 elements at a time. Bit-exact with the
 * references. Included only by files built with the avx512vbmi flags.
 */
#ifndef QB_LOWBIT_BLKQ_AVX512_H
#define QB_LOWBIT_BLKQ_AVX512_H

#include <immintrin.h>
#include <string.h>

#include "lowbit/blkq-avx2.h"

/*
 * One row of 128 finite elements -> e4m3_sat(x / d) (nearest even), d > 0 or the divisor
 * +inf (blkq-avx2.h's dv), 16 quotients per true division, each rounded as the MX encoders
 * of mxq-avx512.h round (kernels/lowbit/README.md, "the magic from a table"), with E4M3's
 * floor binade 2^-6 (biased 121) fixed:
 * 1. a = min(|q|, 448) by one vrangeps (imm 0x0A: the operand of smaller magnitude, sign
 *    cleared; exact for every finite q, subnormals included): every |q| above 448 gives
 *    448's code (nearest, saturating), and 448 keeps the binade index below 16 and the code
 *    at most 0x7E (|q| < 2^33 here, so no NaN reaches it). It replaced an and and an
 *    unsigned min (one 512-bit operation fewer per 16 quotients: 1.06x, paired);
 * 2. j = max(E - 121, 0) by a saturating 16-bit subtraction and a shift, magic = table[j]
 *    (vpermd: 2^(121 + j + 20 - 127) with mantissa field j << 3), sum = a + magic: the
 *    sum's low byte is the magnitude code;
 * 3. the low bytes of 32 sums gathered in order (vpermt2b) and x's sign bits (byte 3 of
 *    each element, vpermt2b) put on by one vpternlogd.
 * 6 operations per 16 elements before the gather, where blkq-avx2.h takes 11 per 8.
 */
static inline __attribute__((always_inline)) void qb__blkq_avx512vbmi_f8_row_codes(const float* x, __m256 dv8,
                                                                                   uint8_t* q) {
  const __m512 dv = _mm512_broadcast_f32x8(dv8);
  const __m512i tab = _mm512_add_epi32(
      _mm512_set1_epi32((121 + 20) << 23),
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32((1 << 23) + (1 << 3))));
  /* Output byte i (of 32): byte 4 i of the first vector for i < 16, byte 4 (i - 16) of the
   * second (indices from 64) for i >= 16. */
  const __m512i perm =
      _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 124, 120, 116, 112, 108, 104, 100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56,
                      52, 48, 44, 40, 36, 32, 28, 24, 20, 16, 12, 8, 4, 0);
#pragma GCC unroll 4
  for (int i = 0; i < 128; i += 32) {
    __m512i w[2], s[2];
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
      w[h] = _mm512_loadu_si512((const void*) (x + i + 16 * h));
      const __m512 qv = _mm512_div_ps(_mm512_castsi512_ps(w[h]), dv);
      const __m512i a = _mm512_castps_si512(_mm512_range_ps(qv, _mm512_set1_ps(448.0f), 0x0A));
      const __m512i j = _mm512_srli_epi32(_mm512_subs_epu16(a, _mm512_set1_epi32(121 << 23)), 23);
      s[h] = _mm512_castps_si512(
          _mm512_add_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(_mm512_permutexvar_epi32(j, tab))));
    }
    const __m256i c = _mm512_castsi512_si256(_mm512_permutex2var_epi8(s[0], perm, s[1]));
    const __m256i sg = _mm512_castsi512_si256(
        _mm512_permutex2var_epi8(w[0], _mm512_add_epi8(perm, _mm512_set1_epi8(3)), w[1]));
    /* 0xF8: A | (B & C). */
    _mm256_storeu_si256((__m256i*) (q + i),
                        _mm256_ternarylogic_epi32(c, sg, _mm256_set1_epi8((char) 0x80), 0xF8));
  }
}

/* One per-128 block under its scale (blkq-avx2.h's qb__blkq_avx2_f8b128_codes with these
 * row codes). */
static inline __attribute__((always_inline)) void qb__blkq_avx512vbmi_f8b128_codes(const float* x,
                                                                                   qb__blkq_avx2_f8_scale sc,
                                                                                   qb_block_f8b128* out) {
  if (sc.special != 0) {
    out->d = qb_f32_from_bits(0x7FC00000u);
    memset(out->qs, 0x7F, sizeof out->qs);
    return;
  }
  out->d = _mm256_cvtss_f32(sc.d);
  qb__blkq_avx512vbmi_f8_row_codes(x, sc.dv, out->qs);
}

/* One 128 x 128 tile whose rows are `cols` apart (blkq-avx2.h's qb__blkq_avx2_f8t128 with
 * these row codes). */
static inline void qb__blkq_avx512vbmi_f8t128(const float* tile, size_t cols, qb_block_f8t128* out) {
  __m256i mx = _mm256_setzero_si256();
  for (size_t r = 0; r < QB_F8T_TILE; r++) mx = _mm256_max_epi32(mx, qb__blkq_avx2_row_amax(tile + r * cols));
  const qb__blkq_avx2_f8_scale sc = qb__blkq_avx2_f8_scale_of(mx);
  if (sc.special != 0) {
    out->d = qb_f32_from_bits(0x7FC00000u);
    memset(out->qs, 0x7F, sizeof out->qs);
    return;
  }
  out->d = _mm256_cvtss_f32(sc.d);
  for (size_t r = 0; r < QB_F8T_TILE; r++)
    qb__blkq_avx512vbmi_f8_row_codes(tile + r * cols, sc.dv, out->qs + r * QB_F8T_TILE);
}

#endif /* QB_LOWBIT_BLKQ_AVX512_H */
