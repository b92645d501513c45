/*
 * The FP8 E4M3 per-128 and per-tile quantizers of blkq-avx2.h with each row's codes on
 * AVX-512 (F, BW, VL and VBMI): the amaxes are blkq-avx2.h's, the rows of 128 are divided
 * (or multiplied by 1/d, half of them: qb__blkq_avx512vbmi_f8_row_codes_mix), rounded and
 * gathered 16 and 32 elements at a time. Bit-exact with the references. Included only by
 * files built with the avx512vbmi flags.
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
 * The same codes with half of the divisions replaced by products with r = 1/d (the f32
 * division, correctly rounded): the 16-element vectors v of QB__BLKQ_F8_DIVS (0, 2, 4, 6)
 * are divided as above, the others multiplied; exact where it returns 0; a nonzero return
 * (a product lane of the row near a rounding boundary of E4M3) leaves q to
 * qb__blkq_avx512vbmi_f8_row_codes. Only for a normal d or the divisor +inf (r = 0): under
 * a subnormal d, 1/d may overflow.
 * Why the products are exact. Let t = x / d (real), Q = fl(t) the reference's quotient and
 * P = fl(x r).
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
 * division, the range, 2, the table and an addition. Why half and half: all divided, the
 * divider binds (Zen 4's vdivps zmm takes about 5-6 cycles per 16 quotients); all
 * multiplied, the vector pipes do (two 512-bit operations more per 16). Paired on the Zen 4
 * (8 rounds, L2, 1 thread) against the per-128 blocks of 8 below: 2 of 8 divided 1.039,
 * 4 of 8 1.055-1.061, 6 of 8 1.042, none 1.015, all 0.962 of the one-block u128 kernel.
 * x is loaded once per 16 (an empty asm after the load): GCC otherwise read it again for
 * the product and the sign gather (1.01x).
 */
#define QB__BLKQ_F8_DIVS 0x55u
static inline __attribute__((always_inline)) int qb__blkq_avx512vbmi_f8_row_codes_mix(const float* x,
                                                                                      __m512 dv, __m512 r,
                                                                                      uint8_t* q) {
  const __m512i tab = qb__blkq_avx512vbmi_f8_magic();
  const __m512i perm = qb__blkq_avx512vbmi_f8_gather();
  __mmask16 near = 0;
#pragma GCC unroll 4
  for (int i = 0; i < 128; i += 32) {
    __m512i w[2], s[2];
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
      w[h] = _mm512_loadu_si512((const void*) (x + i + 16 * h));
      __asm__("" : "+v"(w[h]));
      if (QB__BLKQ_F8_DIVS >> (i / 16 + h) & 1) {
        const __m512 qv = _mm512_div_ps(_mm512_castsi512_ps(w[h]), dv);
        const __m512i a = _mm512_castps_si512(_mm512_range_ps(qv, _mm512_set1_ps(448.0f), 0x0A));
        const __m512i j = _mm512_srli_epi32(_mm512_subs_epu16(a, _mm512_set1_epi32(121 << 23)), 23);
        s[h] = _mm512_castps_si512(
            _mm512_add_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(_mm512_permutexvar_epi32(j, tab))));
      } else {
        const __m512 qv = _mm512_mul_ps(_mm512_castsi512_ps(w[h]), r);
        const __m512 a = _mm512_range_ps(qv, _mm512_set1_ps(448.0f), 0x0A);
        const __m512i j =
            _mm512_srli_epi32(_mm512_subs_epu16(_mm512_castps_si512(a), _mm512_set1_epi32(121 << 23)), 23);
        const __m512 magic = _mm512_castsi512_ps(_mm512_permutexvar_epi32(j, tab));
        s[h] = _mm512_castps_si512(_mm512_fmadd_ps(a, _mm512_set1_ps(1.0f - 0x1p-21f), magic));
        const __m512i hi = _mm512_castps_si512(_mm512_fmadd_ps(a, _mm512_set1_ps(1.0f + 0x1p-21f), magic));
        near |= _mm512_cmpneq_epi32_mask(s[h], hi);
      }
    }
    const __m256i c = _mm512_castsi512_si256(_mm512_permutex2var_epi8(s[0], perm, s[1]));
    const __m256i sg = _mm512_castsi512_si256(
        _mm512_permutex2var_epi8(w[0], _mm512_add_epi8(perm, _mm512_set1_epi8(3)), w[1]));
    _mm256_storeu_si256((__m256i*) (q + i),
                        _mm256_ternarylogic_epi32(c, sg, _mm256_set1_epi8((char) 0x80), 0xF8));
  }
  return near != 0;
}

/* One per-128 block under its scale (blkq-avx2.h's qb__blkq_avx2_f8b128_codes with these
 * row codes), by divisions: the u128 kernel's, and the blocks past the last 8 of the u1024
 * kernel's. (Products with 1/d in every vector ran 0.92x (1/d before the row) and 0.95x
 * (1/d with the scale, one block ahead) of this, 10 paired rounds in L2 on the Zen 4; half
 * divided, half multiplied, with 1/d and the next block's scale one block ahead, 0.99x:
 * that chain of latencies (the amax, two divisions) then takes about one block's time.) */
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

/* Eight per-128 blocks' scales (lane k: block k): d, the divisor dv (blkq-avx2.h's
 * qb__blkq_avx2_f8_scale), r = 1/dv, a bit per block holding NaN or inf (special) and one
 * per block taking the divisions alone (slow: special, or d subnormal). In arrays, so that
 * each block's broadcasts are loads. */
typedef struct qb__blkq_avx512_f8x8 {
  float d[8], dv[8], r[8];
  int special, slow;
} qb__blkq_avx512_f8x8;

/* The scales of 8 blocks from their amaxes' partial maxima m[k] (blkq-avx2.h's row amax):
 * the transposing tree of common/hmax-avx2.h (8 blocks' maxima in one vector), then every
 * scale of the 8 by one vector division each for d and 1/d (blkq-avx2.h's steps for one
 * block, qb__blkq_avx2_f8_scale_of, in every lane). */
static inline __attribute__((always_inline)) void qb__blkq_avx512vbmi_f8b128_scales_x8(
    const __m256i* m, qb__blkq_avx512_f8x8* s) {
  const __m256i amax = qb__blkq_avx2_hmax8x8(m);
  const __m256 zero = _mm256_setzero_ps();
  const __m256 d = _mm256_div_ps(_mm256_castsi256_ps(amax), _mm256_set1_ps(448.0f));
  const __m256 dv = _mm256_blendv_ps(d, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(d, zero, _CMP_EQ_OQ));
  s->special =
      _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(amax, _mm256_set1_epi32(0x7F7FFFFF))));
  s->slow =
      s->special | _mm256_movemask_ps(_mm256_and_ps(_mm256_cmp_ps(d, _mm256_set1_ps(0x1p-126f), _CMP_LT_OQ),
                                                    _mm256_cmp_ps(d, zero, _CMP_GT_OQ)));
  _mm256_storeu_ps(s->d, d);
  _mm256_storeu_ps(s->dv, dv);
  _mm256_storeu_ps(s->r, _mm256_div_ps(_mm256_set1_ps(1.0f), dv));
}

/*
 * nb per-128 blocks -> out, 8 per iteration (the u1024 kernel), by
 * qb__blkq_avx512vbmi_f8_row_codes_mix under scales computed 8 at a time (two records, one
 * per group): the next 8 blocks' amaxes two per block before each of the first 4 blocks'
 * codes, their scales before block 4's, so that the scales' chain of latencies (amaxes,
 * tree, two divisions) has 4 blocks' time; a block holding NaN or inf gets d = NaN and
 * codes 0x7F, one with a subnormal d or a lane near a boundary is divided. The last nb % 8
 * blocks go one at a time (qb__blkq_avx512vbmi_f8b128_codes).
 * Paired on the Zen 4 (ci/paired, L2, 1 thread, loaded): the next 8 blocks' amaxes and
 * scales all before these 8 blocks' codes (b143e18) ran 1.069 (1.032-1.128, 10 rounds) of
 * main's u128 kernel, AVX-512 / AVX2 1.33 -> 1.43; these amaxes between the first 4 blocks
 * 1.010 (1.003-1.016, 8 rounds) of that, AVX-512 / AVX2 1.415 -> 1.436. Measured on the
 * way (8 rounds, against u128 in the same rounds): every row divided 0.962 (one scale
 * division per 8 blocks instead of one per block); the amaxes one per block and the scales
 * after the 8th block 1.01 (the chain then exposed at each group's start); one block per
 * iteration with the mixed rows (1/d with the next block's scale) 0.99: that chain then
 * takes about one block's time.
 */
static inline void qb__blkq_avx512vbmi_f8b128_quant_x8(const float* x, size_t nb, qb_block_f8b128* out) {
  const size_t nbk = nb / 8 * 8;
  qb__blkq_avx512_f8x8 sc[2];
  size_t cur = 0;
  __m256i m[8];
  if (nbk != 0) {
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++) m[k] = qb__blkq_avx2_row_amax(x + QB_F8B_BLOCK_LEN * k);
    qb__blkq_avx512vbmi_f8b128_scales_x8(m, &sc[0]);
  }
  for (size_t b = 0; b < nbk; b += 8) {
    const int next = b + 8 < nbk;
    const qb__blkq_avx512_f8x8* s = &sc[cur];
    for (int k = 0; k < 8; k++) {
      const float* xb = x + (b + k) * QB_F8B_BLOCK_LEN;
      if (next && k < 4) {
        m[2 * k] = qb__blkq_avx2_row_amax(xb + (8 + k) * QB_F8B_BLOCK_LEN);
        m[2 * k + 1] = qb__blkq_avx2_row_amax(xb + (9 + k) * QB_F8B_BLOCK_LEN);
      }
      if (next && k == 4) qb__blkq_avx512vbmi_f8b128_scales_x8(m, &sc[cur ^ 1]);
      qb_block_f8b128* o = &out[b + k];
      if (__builtin_expect(s->special >> k & 1, 0)) {
        o->d = qb_f32_from_bits(0x7FC00000u);
        memset(o->qs, 0x7F, sizeof o->qs);
        continue;
      }
      o->d = s->d[k];
      if (__builtin_expect(s->slow >> k & 1, 0) ||
          __builtin_expect(qb__blkq_avx512vbmi_f8_row_codes_mix(xb, _mm512_set1_ps(s->dv[k]),
                                                                _mm512_set1_ps(s->r[k]), o->qs),
                           0))
        qb__blkq_avx512vbmi_f8_row_codes(xb, _mm256_set1_ps(s->dv[k]), o->qs);
    }
    cur ^= 1;
  }
  for (size_t b = nbk; b < nb; b++) {
    const float* xb = x + b * QB_F8B_BLOCK_LEN;
    qb__blkq_avx512vbmi_f8b128_codes(xb, qb__blkq_avx2_f8_scale_of(qb__blkq_avx2_row_amax(xb)), &out[b]);
  }
}

/*
 * The n / 16384 tiles of a row-major matrix whose rows are `cols` apart -> out, in tile
 * order (blkq-avx2.h's qb__blkq_avx2_f8t128 per tile, with these row codes): a tile's amax
 * over its 128 rows, its scale and 1/d, then its rows' codes by
 * qb__blkq_avx512vbmi_f8_row_codes_mix, with the next tile's amax one row between each two
 * rows' codes (its rows are read while these are rounded, rather than in a pass of their
 * own). A tile holding NaN or inf gets d = NaN and codes 0x7F; under a subnormal d, or in a
 * row with a lane near a boundary, the rows are divided.
 * Paired on the Zen 4 (ci/paired, L2, 1 thread, loaded) against the one-tile-per-call
 * kernel before (amax pass, then every row by products): 1.178 (1.163-1.225, 10 rounds),
 * AVX-512 / AVX2 1.31 -> 1.55; of that, the rows half divided alone 1.064-1.075 (8 rounds).
 * Out of cache that order is slower: at DRAM size (ci/paired --size DRAM, 8 rounds, loaded)
 * it ran 0.68x (0.45-0.80) of the kernel before, and 0.88x in the quiet end-of-session run
 * (16.7 against 19.0 GB/s). With `apart` (the caller's calls that reach the stream threshold,
 * common/stream.h) each tile's amax is a pass of its own again, right before its codes.
 */
static inline __attribute__((always_inline)) void qb__blkq_avx512vbmi_f8t128_quant(const float* in, size_t n,
                                                                                   size_t cols, int apart,
                                                                                   qb_block_f8t128* out) {
  const size_t tiles_per_row = cols / QB_F8T_TILE, nt = n / QB_F8T_TILE_LEN;
  __m256i mx = _mm256_setzero_si256();
  if (nt != 0 && !apart)
    for (size_t r = 0; r < QB_F8T_TILE; r++) mx = _mm256_max_epi32(mx, qb__blkq_avx2_row_amax(in + r * cols));
  for (size_t t = 0; t < nt; t++) {
    /* Tile t's top-left element: tile row t / tiles_per_row, tile column t % tiles_per_row;
     * the next tile's (tile t itself for the last, whose amax is then read again, unused). */
    const size_t tn = t + 1 < nt ? t + 1 : t;
    const float* tile = in + t / tiles_per_row * QB_F8T_TILE * cols + t % tiles_per_row * QB_F8T_TILE;
    const float* next = in + tn / tiles_per_row * QB_F8T_TILE * cols + tn % tiles_per_row * QB_F8T_TILE;
    uint8_t* q = out[t].qs;
    if (apart) {
      /* Out of cache: this tile's amax in a pass of its own, right before its codes. */
      mx = _mm256_setzero_si256();
      for (size_t r = 0; r < QB_F8T_TILE; r++)
        mx = _mm256_max_epi32(mx, qb__blkq_avx2_row_amax(tile + r * cols));
    }
    const qb__blkq_avx2_f8_scale sc = qb__blkq_avx2_f8_scale_of(mx);
    __m256i mn = _mm256_setzero_si256();
    if (__builtin_expect((sc.special | sc.subnormal) != 0, 0)) {
      if (!apart)
        for (size_t r = 0; r < QB_F8T_TILE; r++)
          mn = _mm256_max_epi32(mn, qb__blkq_avx2_row_amax(next + r * cols));
      if (sc.special != 0) {
        out[t].d = qb_f32_from_bits(0x7FC00000u);
        memset(q, 0x7F, sizeof out[t].qs);
      } else {
        out[t].d = _mm256_cvtss_f32(sc.d);
        for (size_t r = 0; r < QB_F8T_TILE; r++)
          qb__blkq_avx512vbmi_f8_row_codes(tile + r * cols, sc.dv, q + r * QB_F8T_TILE);
      }
    } else {
      out[t].d = _mm256_cvtss_f32(sc.d);
      const __m512 dv = _mm512_broadcast_f32x8(sc.dv);
      const __m512 rv = _mm512_broadcast_f32x8(_mm256_div_ps(_mm256_set1_ps(1.0f), sc.dv));
      for (size_t r = 0; r < QB_F8T_TILE; r++) {
        if (!apart) mn = _mm256_max_epi32(mn, qb__blkq_avx2_row_amax(next + r * cols));
        if (__builtin_expect(
                qb__blkq_avx512vbmi_f8_row_codes_mix(tile + r * cols, dv, rv, q + r * QB_F8T_TILE), 0))
          qb__blkq_avx512vbmi_f8_row_codes(tile + r * cols, sc.dv, q + r * QB_F8T_TILE);
      }
    }
    mx = mn;
  }
}

#endif /* QB_LOWBIT_BLKQ_AVX512_H */
