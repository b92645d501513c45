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
/* Step 2's table: magic[j] = 2^(121 + j + 20 - 127) with mantissa field j << 3. */
static inline __attribute__((always_inline)) __m512i qb__blkq_avx512vbmi_f8_magic(void) {
  return _mm512_add_epi32(
      _mm512_set1_epi32((121 + 20) << 23),
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32((1 << 23) + (1 << 3))));
}

/* Step 3's gather: output byte i (of 32) is byte 4 i of the first vector for i < 16, byte
 * 4 (i - 16) of the second (indices from 64) for i >= 16. */
static inline __attribute__((always_inline)) __m512i qb__blkq_avx512vbmi_f8_gather(void) {
  return _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                         0, 0, 0, 0, 124, 120, 116, 112, 108, 104, 100, 96, 92, 88, 84, 80, 76, 72, 68, 64,
                         60, 56, 52, 48, 44, 40, 36, 32, 28, 24, 20, 16, 12, 8, 4, 0);
}

static inline __attribute__((always_inline)) void qb__blkq_avx512vbmi_f8_row_codes(const float* x, __m256 dv8,
                                                                                   uint8_t* q) {
  const __m512 dv = _mm512_broadcast_f32x8(dv8);
  const __m512i tab = qb__blkq_avx512vbmi_f8_magic();
  const __m512i perm = qb__blkq_avx512vbmi_f8_gather();
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

/*
 * The same codes with the divisions replaced by products with r = 1/d (the f32 division,
 * correctly rounded), exact where it returns 0; a nonzero return (a lane of the row near a
 * rounding boundary of E4M3) leaves q to qb__blkq_avx512vbmi_f8_row_codes. Only for a
 * normal d or the divisor +inf (r = 0): under a subnormal d, 1/d may overflow.
 * Why it is exact. Let t = x / d (real), Q = fl(t) the reference's quotient and P = fl(x r).
 * 1. r = (1/d)(1 + e1) and P = x r (1 + e2), |e1|, |e2| <= u = 2^-24 (1/d and |x r| <=
 *    448 (1 + 2^-22) are normal or 0; a P below 2^-126 lies, as Q does, far below E4M3's
 *    smallest rounding boundary 2^-10, and both give the code 0), so |P - t| < 2.01 u |t|
 *    and |Q - t| <= u |t|: |P - Q| < 3.02 u |t| < 4 ulp(P) (ulp(P) >= u |P|, |t| < 1.01
 *    |P|). Clamping to 448 (vrangeps) moves neither farther apart: with a = min(|P|, 448)
 *    and A = min(|Q|, 448), |a - A| < 4 ulp(a) where a < 448, and A is in (448 - 4
 *    ulp(448), 448] where a = 448.
 * 2. The code of A is the low byte of A + magic(A) (the steps above), and v -> fl(v +
 *    magic(a)) is monotone in the real v. lo = fma(a, 1 - 2^-21, magic(a)) and hi =
 *    fma(a, 1 + 2^-21, magic(a)) are fl(v + magic(a)) at v = a (1 -+ 2^-21), which lie at
 *    least 4 ulp(a) below and above a, so on either side of A. Where lo = hi, every v in
 *    between gives that sum, A's included: its code is lo's low byte. (Where A's binade
 *    differs from a's, both lie within 8 ulps of the power of two 2^k >= 2^-5 between
 *    them, which both round to: lo's low byte is then 2^k's code, as a carry into the
 *    next binade gives it for a itself.)
 * 3. lo != hi (a rounding boundary within 4 ulps of a: a tie of the reference, or a
 *    quotient whose last bits the product may have moved across one) happens for about 1
 *    lane in 2^17 of random data: the row is then divided as before.
 * Per 16: the product, the range, 2 for j, the table, 2 FMAs and a compare, against the
 * division, the range, 2, the table and an addition.
 */
static inline __attribute__((always_inline)) int qb__blkq_avx512vbmi_f8_row_codes_rcp(const float* x,
                                                                                      __m256 r8, uint8_t* q) {
  const __m512 r = _mm512_broadcast_f32x8(r8);
  const __m512i tab = qb__blkq_avx512vbmi_f8_magic();
  const __m512i perm = qb__blkq_avx512vbmi_f8_gather();
  __mmask16 near = 0;
#pragma GCC unroll 4
  for (int i = 0; i < 128; i += 32) {
    __m512i w[2], s[2];
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
      w[h] = _mm512_loadu_si512((const void*) (x + i + 16 * h));
      const __m512 qv = _mm512_mul_ps(_mm512_castsi512_ps(w[h]), r);
      const __m512 a = _mm512_range_ps(qv, _mm512_set1_ps(448.0f), 0x0A);
      const __m512i j =
          _mm512_srli_epi32(_mm512_subs_epu16(_mm512_castps_si512(a), _mm512_set1_epi32(121 << 23)), 23);
      const __m512 magic = _mm512_castsi512_ps(_mm512_permutexvar_epi32(j, tab));
      s[h] = _mm512_castps_si512(_mm512_fmadd_ps(a, _mm512_set1_ps(1.0f - 0x1p-21f), magic));
      const __m512i hi = _mm512_castps_si512(_mm512_fmadd_ps(a, _mm512_set1_ps(1.0f + 0x1p-21f), magic));
      near |= _mm512_cmpneq_epi32_mask(s[h], hi);
    }
    const __m256i c = _mm512_castsi512_si256(_mm512_permutex2var_epi8(s[0], perm, s[1]));
    const __m256i sg = _mm512_castsi512_si256(
        _mm512_permutex2var_epi8(w[0], _mm512_add_epi8(perm, _mm512_set1_epi8(3)), w[1]));
    _mm256_storeu_si256((__m256i*) (q + i),
                        _mm256_ternarylogic_epi32(c, sg, _mm256_set1_epi8((char) 0x80), 0xF8));
  }
  return near != 0;
}

/* A row's codes under scale sc (not special): by products with 1/d where d is normal or 0,
 * the row divided where that reports a lane near a boundary or d is subnormal. */
static inline __attribute__((always_inline)) void qb__blkq_avx512vbmi_f8_row_codes_any(
    const float* x, qb__blkq_avx2_f8_scale sc, __m256 r8, uint8_t* q) {
  if (__builtin_expect(sc.subnormal != 0, 0) ||
      __builtin_expect(qb__blkq_avx512vbmi_f8_row_codes_rcp(x, r8, q), 0))
    qb__blkq_avx512vbmi_f8_row_codes(x, sc.dv, q);
}

/* One per-128 block under its scale (blkq-avx2.h's qb__blkq_avx2_f8b128_codes with these
 * row codes), by divisions: the products with 1/d of qb__blkq_avx512vbmi_f8_row_codes_rcp
 * ran 0.92x (1/d before the row) and 0.95x (1/d with the scale, one block ahead) of this,
 * 10 paired rounds in L2 on the Zen 4, where the tile quantizer gains 1.06x from them: here
 * the next block's amax (16 AVX2 operations per 128) interleaves with the codes, and the
 * products take two operations more per 16 than the divisions. */
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
 * these row codes, by products with the tile's 1/d: 1.06x of the divisions). */
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
  const __m256 r8 = _mm256_div_ps(_mm256_set1_ps(1.0f), sc.dv);
  for (size_t r = 0; r < QB_F8T_TILE; r++)
    qb__blkq_avx512vbmi_f8_row_codes_any(tile + r * cols, sc, r8, out->qs + r * QB_F8T_TILE);
}

#endif /* QB_LOWBIT_BLKQ_AVX512_H */
