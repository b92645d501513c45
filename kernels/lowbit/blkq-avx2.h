/*
 * The quantizers of the non-MX low-bit block formats on AVX2 (lowbit-scalar.h gives the
 * semantics): NVFP4 eight blocks of 16 per call, FP8 E4M3 per 128 one block (a row of 128
 * elements) per call, and the rows of the 128 x 128 tiles. Every block scale of a call is
 * computed at once in one vector (NVFP4: amax / 6 / g by two vector divisions, its E4M3
 * code by the cast kernels' float-addition rounding, cvt/cvt-f8-x86.h, decoded back by
 * exact integer steps), the elements are divided by their block's scale in vectors (true
 * divisions, as the references: a product by the reciprocal rounds differently,
 * tests/common/nvf4_div.h) and encoded by float-addition rounding (E4M3: cvt-f8-x86.h's
 * steps; E2M1: one magic number per binade, looked up in a table). Bit-exact with the references for every
 * input. Included only by files built with AVX2 flags.
 */
#ifndef QB_LOWBIT_BLKQ_AVX2_H
#define QB_LOWBIT_BLKQ_AVX2_H

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/hmax-avx2.h"
#include "cvt/cvt-f8-x86.h"
#include "lowbit/elem-avx2.h"
#include "lowbit/lowbit-scalar.h"

#define QB__BLKQ_AVX2_INLINE static inline __attribute__((always_inline))

/* The upper 8 bytes of v at p, any alignment (vpextrq to memory; a cast to double* for
 * _mm_storeh_pd would claim 8-byte alignment, which UBSan rightly reports). */
QB__BLKQ_AVX2_INLINE void qb__blkq_store_hi64(uint8_t* p, __m128i v) {
  const uint64_t h = (uint64_t) _mm_extract_epi64(v, 1);
  memcpy(p, &h, sizeof h);
}

/*
 * Eight vectors of per-block partial maxima of |x| bits (integer maxima order |x| as the
 * floats do, NaN above inf) -> one vector whose lane k holds block k's maximum. A
 * transposing tree of three levels (common/hmax-avx2.h); the partials enter in the
 * order 0, 4, 1, 5, 2, 6, 3, 7, which the tree's lane placement (input j ends in lane
 * j / 2 + 4 (j % 2)) turns into lane k = block k.
 */
QB__BLKQ_AVX2_INLINE __m256i qb__blkq_avx2_hmax8x8(const __m256i* m) {
  const __m256i r[8] = {m[0], m[4], m[1], m[5], m[2], m[6], m[3], m[7]};
  return qb__avx2_hmax8x8(r);
}

/* The largest of 8 signed 32-bit lanes. */
QB__BLKQ_AVX2_INLINE uint32_t qb__blkq_avx2_hmax(__m256i v) {
  __m128i m = _mm_max_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  m = _mm_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
  m = _mm_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
  return (uint32_t) _mm_cvtsi128_si32(m);
}

/*
 * The E2M1 magnitude codes of quotients q >= 0 (any size where `top`, below 7 where not;
 * NaN gives some code), one per 32-bit lane, 0-7:
 * 1. q clamped to [1/16, 6]: every quotient below 1/4 has code 0, and so has 1/16; every
 *    one above 6 saturates to 7, as 6 does (the upper clamp only where `top` says a
 *    quotient may reach 7: below it, [6, 7) rounds to 6 in its binade's step 2 as the
 *    clamped 6 does, and the exponent field stays in 123..129);
 * 2. the magic number of q's binade, looked up by the low three bits of its exponent
 *    field (123..129 are distinct modulo 8): 2^22 below 2 (E2M1 spacing 1/2, the
 *    subnormal 0.5 included), 2^23 + 2 in [2, 4) (spacing 1, offset 2 spacings), 2^24 + 8
 *    in [4, 8) (spacing 2, offset 4 spacings);
 * 3. one addition rounds q to E2M1's spacing at its binade, ties to even (the offsets are
 *    even, so the sum's last bit has the rounded q's parity), and the sum's mantissa field
 *    is the code: the spacings counted plus the binade's offset (2 in [2, 4): 2 -> code 4;
 *    4 in [4, 8): 4 -> code 6); the AND keeps it.
 */
QB__BLKQ_AVX2_INLINE __m256i qb__blkq_avx2_e2m1_mag(__m256 q, const int top) {
  __m256i qc = _mm256_max_epi32(_mm256_castps_si256(q), _mm256_set1_epi32(0x3D800000));
  if (top) qc = _mm256_min_epi32(qc, _mm256_set1_epi32(0x40C00000));
  const __m256 tab =
      _mm256_setr_ps(0x1p23f + 2.0f, 0x1p24f + 8.0f, 0x1p22f, 0x1p22f, 0x1p22f, 0x1p22f, 0x1p22f, 0x1p22f);
  const __m256 magic = _mm256_permutevar8x32_ps(tab, _mm256_srli_epi32(qc, 23));
  return _mm256_and_si256(_mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(qc), magic)),
                          _mm256_set1_epi32(7));
}

/* ---- NVFP4 ------------------------------------------------------------------------------ */

/*
 * The vector constants of the NVFP4 scales, read from memory (qb__blkq_avx2_nvf4_k): as
 * _mm256_set1_epi32 in the loop, GCC built most of them from a general register in every
 * iteration (mov, vmovd, vpbroadcastd: three instructions each, seven of them) instead of
 * keeping them in one of the 16 registers or reading them as an operand.
 */
enum {
  QB__NVF4K_ABS,   /* 0x7FFFFFFF */
  QB__NVF4K_CLAMP, /* QB_F8_E4M3_CLAMP */
  QB__NVF4K_EXP,   /* 0x7F800000 */
  QB__NVF4K_EMIN,  /* QB_F8_E4M3_EMIN << 23 */
  QB__NVF4K_MAGIC, /* 20 << 23 */
  QB__NVF4K_TOP,   /* 0x7E */
  QB__NVF4K_SUB,   /* 0x80000007 */
  QB__NVF4K_SAT,   /* 0x7D */
  QB__NVF4K_DSUB,  /* 0x807FFFFF */
  QB__NVF4K_N
};
#define QB__NVF4K_ROW(v)                                                                                    \
  {                                                                                                         \
    (int32_t)(v), (int32_t) (v), (int32_t) (v), (int32_t) (v), (int32_t) (v), (int32_t) (v), (int32_t) (v), \
        (int32_t) (v)                                                                                       \
  }
static const int32_t qb__blkq_avx2_nvf4_kt[QB__NVF4K_N][8]
    __attribute__((aligned(32), unused)) = {QB__NVF4K_ROW(0x7FFFFFFF),  QB__NVF4K_ROW(QB_F8_E4M3_CLAMP),
                                            QB__NVF4K_ROW(0x7F800000),  QB__NVF4K_ROW(QB_F8_E4M3_EMIN << 23),
                                            QB__NVF4K_ROW(20 << 23),    QB__NVF4K_ROW(0x7E),
                                            QB__NVF4K_ROW(0x80000007u), QB__NVF4K_ROW(0x7D),
                                            QB__NVF4K_ROW(0x807FFFFFu)};
#undef QB__NVF4K_ROW

/* The table, its address hidden from the optimizer (an empty asm) so that its rows are
 * loads, not constants to rebuild. */
QB__BLKQ_AVX2_INLINE const __m256i* qb__blkq_avx2_nvf4_k(void) {
  const int32_t(*k)[8] = qb__blkq_avx2_nvf4_kt;
  __asm__("" : "+r"(k));
  return (const __m256i*) k;
}

/*
 * The saturating E4M3 codes (nearest even) of quotients w >= 0 (f32 bits, inf and NaN
 * included: both give 0x7E), one per 32-bit lane: qb_f8_avx2_from_f32(w, 3,
 * QB_F8_E4M3_EMIN, QB_F8_E4M3_CLAMP, 0x7E, 0x7E) without its steps for a sign (the |w|,
 * the sign bit moved to the code) and for NaN (the clamp saturates it, as it does inf):
 * 10 vector operations where that takes 14.
 */
QB__BLKQ_AVX2_INLINE __m256i qb__blkq_avx2_e4m3_pos(__m256i w, const __m256i* k) {
  const __m256i a = _mm256_min_epu32(w, _mm256_load_si256(k + QB__NVF4K_CLAMP));
  const __m256i e = _mm256_max_epu32(_mm256_and_si256(a, _mm256_load_si256(k + QB__NVF4K_EXP)),
                                     _mm256_load_si256(k + QB__NVF4K_EMIN));
  const __m256i magic = _mm256_add_epi32(e, _mm256_load_si256(k + QB__NVF4K_MAGIC));
  const __m256i n = _mm256_sub_epi32(
      _mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(magic))), magic);
  const __m256i q =
      _mm256_add_epi32(n, _mm256_srli_epi32(_mm256_sub_epi32(e, _mm256_load_si256(k + QB__NVF4K_EMIN)), 20));
  return _mm256_min_epu32(q, _mm256_load_si256(k + QB__NVF4K_TOP));
}

/* Eight NVFP4 blocks' scales: each block's divisor dv (index k: block k; +inf where d = 0,
 * so that x / inf gives the signed zero), in an array so that the codes' loop broadcasts
 * it by a load (no shuffle); the scale codes; a bit per block holding NaN or inf; a bit per
 * block whose quotients may reach 7 (the codes clamp them, qb__blkq_avx2_e2m1_mag). */
typedef struct qb__blkq_avx2_nvf4_scales {
  float dv[8];
  __m256i s;
  int special, top;
} qb__blkq_avx2_nvf4_scales;

/*
 * The scales of eight NVFP4 blocks (128 f32) into *r, the steps of qb__nvf4_quant_block:
 * 1. each block's amax (integer maxima of |x| bits, then the transposing tree): lane k is
 *    block k's; a block holding NaN or inf has amax >= 0x7F800000;
 * 2. s = e4m3_sat(amax / 6 / g): two vector divisions in the reference's order (one where
 *    g1 says g = 1: the division by 1 is exact and skipped, as the product by g in 3), then
 *    the saturating E4M3 rounding (qb__blkq_avx2_e4m3_pos: the quotient is >= 0, and an
 *    infinite or NaN one saturates to 0x7E like any huge one);
 * 3. d = e4m3(s) * g, the code decoded exactly (s <= 0x7E: its 7 bits moved into f32's
 *    exponent and mantissa fields, times 2^120, gives 2^(e - 7) x 1.m and the subnormals);
 * 4. the divisor of each element: d, or +inf where d = 0, so that x / inf gives the signed
 *    zero whose code keeps only the sign, as the reference's d = 0 case (x is finite there);
 * 5. the blocks whose quotients x / d may reach 7: those whose s is an E4M3 subnormal
 *    (0x01-0x07) or 448 (0x7E, where amax / 6 / g may be far above it: saturated; NaN and
 *    inf blocks too), or whose d is an f32 subnormal. Elsewhere s is a normal E4M3 below
 *    448, within 1/16 of itself of amax / 6 / g (the two divisions add 2^-23), and d =
 *    s g within 2^-24 (or d = 0, all quotients 0), so amax / d <= 6 x 17/16 (1 + 2^-21) < 7.
 */
QB__BLKQ_AVX2_INLINE void qb__blkq_avx2_nvf4_scales_x8(const float* x, __m256 g, const int g1,
                                                       qb__blkq_avx2_nvf4_scales* r) {
  const __m256i* k = qb__blkq_avx2_nvf4_k();
  const __m256i absm = _mm256_load_si256(k + QB__NVF4K_ABS);
  /* 1. */
  __m256i m[8];
#pragma GCC unroll 8
  for (int b = 0; b < 8; b++) {
    m[b] = _mm256_max_epi32(_mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 16 * b)), absm),
                            _mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 16 * b + 8)), absm));
  }
  const __m256i amax = qb__blkq_avx2_hmax8x8(m);
  r->special =
      _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(amax, _mm256_set1_epi32(0x7F7FFFFF))));
  /* 2. */
  const __m256 q6 = _mm256_div_ps(_mm256_castsi256_ps(amax), _mm256_set1_ps(6.0f));
  const __m256 q = g1 ? q6 : _mm256_div_ps(q6, g);
  const __m256i s = qb__blkq_avx2_e4m3_pos(_mm256_castps_si256(q), k);
  r->s = s;
  /* 3. */
  const __m256 sv = _mm256_mul_ps(_mm256_castsi256_ps(_mm256_slli_epi32(s, 20)),
                                  _mm256_castsi256_ps(_mm256_set1_epi32(247 << 23)));
  const __m256 d = g1 ? sv : _mm256_mul_ps(sv, g);
  /* 4. */
  const __m256 dv =
      _mm256_blendv_ps(d, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_EQ_OQ));
  _mm256_storeu_ps(r->dv, dv);
  /* 5. s from 1 to 7: s - 1 below 7 as an unsigned number, compared as signed numbers less
   * 2^31 (s + 0x7FFFFFFF: s = 0 gives 0x7FFFFFFF, above); d from 1 to 0x7FFFFF as bits the
   * same way. (d is s itself where g = 1: never an f32 subnormal.) */
  __m256i top =
      _mm256_or_si256(_mm256_cmpgt_epi32(_mm256_load_si256(k + QB__NVF4K_SUB), _mm256_add_epi32(s, absm)),
                      _mm256_cmpgt_epi32(s, _mm256_load_si256(k + QB__NVF4K_SAT)));
  if (!g1)
    top = _mm256_or_si256(top, _mm256_cmpgt_epi32(_mm256_load_si256(k + QB__NVF4K_DSUB),
                                                  _mm256_add_epi32(_mm256_castps_si256(d), absm)));
  r->top = _mm256_movemask_ps(_mm256_castsi256_ps(top));
}

/*
 * Four NVFP4 blocks' codes (8 vectors of magnitudes 0-7, block k's in c[2k] and c[2k + 1])
 * and their inputs -> their 32 code bytes in block order. Per 128-bit half, the
 * magnitudes packed to bytes by lane-wise packs (elements 0-3 of each vector, or 4-7),
 * the signs by the same signed packs of x (a negative f32 stays a negative byte), moved
 * to bit 3 (bit 7 of each byte, by a 16-bit shift and a mask) and joined; adjacent pairs
 * joined by vpmaddubsw (c[2i] + 16 c[2i + 1]) and packed again: per half, each block's
 * bytes B0 B1 B4 B5 (low) or B2 B3 B6 B7 (high); the dword permute puts block k's two
 * dwords in qword k, the byte shuffle puts them in order.
 */
QB__BLKQ_AVX2_INLINE __m256i qb__blkq_avx2_nvf4_pack4(const __m256i* c, const float* x) {
  const __m256i nib = _mm256_set1_epi16(0x1001);
  __m256i m[2];
#pragma GCC unroll 2
  for (int h = 0; h < 2; h++) {
    const __m256i* v = c + 4 * h;
    const float* xh = x + 32 * h;
    const __m256i mag = _mm256_packus_epi16(_mm256_packus_epi32(v[0], v[1]), _mm256_packus_epi32(v[2], v[3]));
    const __m256i sgn =
        _mm256_packs_epi16(_mm256_packs_epi32(_mm256_loadu_si256((const __m256i*) xh),
                                              _mm256_loadu_si256((const __m256i*) (xh + 8))),
                           _mm256_packs_epi32(_mm256_loadu_si256((const __m256i*) (xh + 16)),
                                              _mm256_loadu_si256((const __m256i*) (xh + 24))));
    const __m256i codes =
        _mm256_or_si256(mag, _mm256_and_si256(_mm256_srli_epi16(sgn, 4), _mm256_set1_epi8(8)));
    m[h] = _mm256_maddubs_epi16(codes, nib);
  }
  const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i ord = _mm256_setr_epi8(0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15, 0, 1, 4, 5, 2, 3,
                                       6, 7, 8, 9, 12, 13, 10, 11, 14, 15);
  return _mm256_shuffle_epi8(_mm256_permutevar8x32_epi32(_mm256_packus_epi16(m[0], m[1]), perm), ord);
}

/*
 * Eight NVFP4 blocks under their scales -> out[0..7]:
 * 1. the magnitudes of e2m1(x / d), by true divisions of |x| (the signs are taken from x
 *    when packing);
 * 2. the codes packed (qb__blkq_avx2_nvf4_pack4) and the 9-byte blocks written: 8 code
 *    bytes, the scale byte;
 * 3. a block holding NaN or inf (rare) is rewritten after: scale 0x7F, codes 0 (its lanes
 *    above went through the arithmetic on NaN, harmlessly).
 */
QB__BLKQ_AVX2_INLINE void qb__blkq_avx2_nvf4_codes_x8_of(const float* x, const qb__blkq_avx2_nvf4_scales* sc,
                                                         qb_block_nvf4* out, const int top) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  /* 1.-2. Four blocks at a time (eight vectors of codes live, no spills). */
  __m256i bq[2];
#pragma GCC unroll 2
  for (int h = 0; h < 2; h++) {
    const float* xh = x + 64 * h;
    __m256i c[8];
#pragma GCC unroll 4
    for (int b = 0; b < 4; b++) {
      const __m256 db = _mm256_broadcast_ss(&sc->dv[4 * h + b]);
      c[2 * b] =
          qb__blkq_avx2_e2m1_mag(_mm256_div_ps(_mm256_and_ps(_mm256_loadu_ps(xh + 16 * b), absm), db), top);
      c[2 * b + 1] = qb__blkq_avx2_e2m1_mag(
          _mm256_div_ps(_mm256_and_ps(_mm256_loadu_ps(xh + 16 * b + 8), absm), db), top);
    }
    bq[h] = qb__blkq_avx2_nvf4_pack4(c, xh);
  }
  const __m256i b03 = bq[0], b47 = bq[1];
  const __m128i q0 = _mm256_castsi256_si128(b03), q1 = _mm256_extracti128_si256(b03, 1);
  const __m128i q2 = _mm256_castsi256_si128(b47), q3 = _mm256_extracti128_si256(b47, 1);
  uint8_t* o = (uint8_t*) out;
  _mm_storel_epi64((__m128i*) (o + 1), q0);
  qb__blkq_store_hi64(o + 10, q0);
  _mm_storel_epi64((__m128i*) (o + 19), q1);
  qb__blkq_store_hi64(o + 28, q1);
  _mm_storel_epi64((__m128i*) (o + 37), q2);
  qb__blkq_store_hi64(o + 46, q2);
  _mm_storel_epi64((__m128i*) (o + 55), q3);
  qb__blkq_store_hi64(o + 64, q3);
  const uint64_t sb = (uint64_t) _mm_cvtsi128_si64(qb_cvt_avx2_pack_u8x1(sc->s));
#pragma GCC unroll 8
  for (int b = 0; b < 8; b++) o[9 * b] = (uint8_t) (sb >> (8 * b));
  /* 3. */
  if (sc->special != 0) {
    for (int b = 0; b < 8; b++) {
      if (sc->special >> b & 1) {
        out[b].s = 0x7F;
        memset(out[b].qs, 0, sizeof out[b].qs);
      }
    }
  }
}

/* Eight NVFP4 blocks' codes under their scales, clamping the quotients only where sc->top
 * says one may reach 7 (elsewhere one vector operation fewer per 8 elements, of about 20: 1.05x). */
QB__BLKQ_AVX2_INLINE void qb__blkq_avx2_nvf4_codes_x8(const float* x, const qb__blkq_avx2_nvf4_scales* sc,
                                                      qb_block_nvf4* out) {
  if (__builtin_expect(sc->top != 0, 0))
    qb__blkq_avx2_nvf4_codes_x8_of(x, sc, out, 1);
  else
    qb__blkq_avx2_nvf4_codes_x8_of(x, sc, out, 0);
}

/*
 * nb NVFP4 blocks under the tensor scale g (g1: g = 1, a constant where this is inlined:
 * the kernel has a loop for each, so that no iteration tests g again) -> out, 8 per
 * iteration. Each iteration computes the next 8 blocks' scales (into the other of two
 * records: no copy) before the codes of these 8, so that the scales' chain of latencies
 * (amax tree, divisions, E4M3 round trip) runs beside the codes' work. The last 1-7 blocks
 * go through the same steps on a copy padded with zero blocks (quantized, then dropped).
 */
QB__BLKQ_AVX2_INLINE void qb__blkq_avx2_nvf4_quant(const float* x, size_t nb, __m256 g, const int g1,
                                                   qb_block_nvf4* out) {
  const size_t nbk = nb / 8 * 8;
  qb__blkq_avx2_nvf4_scales sc[2];
  size_t cur = 0;
  if (nbk != 0) qb__blkq_avx2_nvf4_scales_x8(x, g, g1, &sc[0]);
  for (size_t b = 0; b < nbk; b += 8) {
    if (b + 8 < nbk) qb__blkq_avx2_nvf4_scales_x8(x + (b + 8) * QB_NVF4_BLOCK_LEN, g, g1, &sc[cur ^ 1]);
    qb__blkq_avx2_nvf4_codes_x8(x + b * QB_NVF4_BLOCK_LEN, &sc[cur], out + b);
    cur ^= 1;
  }
  if (nbk < nb) {
    const size_t left = nb - nbk;
    float xt[8 * QB_NVF4_BLOCK_LEN];
    qb_block_nvf4 yt[8];
    memset(xt, 0, sizeof xt);
    memcpy(xt, x + nbk * QB_NVF4_BLOCK_LEN, left * QB_NVF4_BLOCK_LEN * sizeof(float));
    qb__blkq_avx2_nvf4_scales_x8(xt, g, g1, &sc[0]);
    qb__blkq_avx2_nvf4_codes_x8(xt, &sc[0], yt);
    memcpy(out + nbk, yt, left * sizeof(qb_block_nvf4));
  }
}

/* ---- FP8 E4M3 rows of 128 (per-128 blocks, tile rows) ----------------------------------- */

/* max |x| bits over one row of 128 (NaN and inf sort above every finite |x|), as a vector
 * of 8 partial maxima. */
QB__BLKQ_AVX2_INLINE __m256i qb__blkq_avx2_row_amax(const float* x) {
  const __m256i absm = _mm256_set1_epi32(0x7FFFFFFF);
  __m256i a[4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    a[j] = _mm256_max_epi32(_mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 8 * j)), absm),
                            _mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 32 + 8 * j)), absm));
    a[j] =
        _mm256_max_epi32(a[j], _mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 64 + 8 * j)), absm));
    a[j] =
        _mm256_max_epi32(a[j], _mm256_and_si256(_mm256_loadu_si256((const __m256i*) (x + 96 + 8 * j)), absm));
  }
  return _mm256_max_epi32(_mm256_max_epi32(a[0], a[1]), _mm256_max_epi32(a[2], a[3]));
}

/* A block's or tile's scale: d = amax / 448 (the reference's f32 division) in every lane of
 * d; the divisor dv: d, or +inf where d = 0 (x / inf is the signed zero, whose code keeps
 * only the sign: the reference's d = 0 case); special: the block holds NaN or inf. */
typedef struct qb__blkq_avx2_f8_scale {
  __m256 d, dv;
  int special, subnormal;
} qb__blkq_avx2_f8_scale;

/* The scale from 8 partial maxima: their maximum in every lane (three shuffle-max levels),
 * then the division in vectors (no trip through a scalar register). */
QB__BLKQ_AVX2_INLINE qb__blkq_avx2_f8_scale qb__blkq_avx2_f8_scale_of(__m256i m) {
  qb__blkq_avx2_f8_scale r;
  m = _mm256_max_epi32(m, _mm256_permute2x128_si256(m, m, 0x01));
  m = _mm256_max_epi32(m, _mm256_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
  m = _mm256_max_epi32(m, _mm256_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
  r.special = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(m, _mm256_set1_epi32(0x7F7FFFFF))));
  r.d = _mm256_div_ps(_mm256_castsi256_ps(m), _mm256_set1_ps(448.0f));
  r.dv = _mm256_blendv_ps(r.d, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(r.d, _mm256_setzero_ps(), _CMP_EQ_OQ));
  r.subnormal = _mm256_movemask_ps(_mm256_and_ps(_mm256_cmp_ps(r.d, _mm256_set1_ps(0x1p-126f), _CMP_LT_OQ),
                                                 _mm256_cmp_ps(r.d, _mm256_setzero_ps(), _CMP_GT_OQ)));
  return r;
}

/*
 * One row of 128 finite elements -> e4m3_sat(x / d) (nearest even) by true divisions; the
 * signs are x's (d > 0). Per 8 quotients, cvt-f8-x86.h's 32-element steps:
 * 1. a = |x / d|, clamped to 448 as an integer where `clamp` says d may be subnormal
 *    (saturation: rounding is monotone and 448 is E4M3's largest value, so everything
 *    above gives 0x7E, as the reference's clamp of the rounded code; x / d reaches about
 *    672, the ratio of amax to a subnormal d). Where d = fl(amax / 448) is normal (or 0:
 *    x / inf is 0), d >= (amax / 448)(1 - 2^-23), so |x / d| <= 448 (1 + 2^-22) rounds to
 *    448 below the tie at 464 and the clamp is not needed (one vector operation per 8
 *    fewer: per 128 1.05x, per tile 1.08x);
 * 2. magic = X << 23 plus d0, X = max(E, emin) + 20 (E the exponent field of a, emin
 *    E4M3's smallest normal binade): a + magic rounds a to E4M3's quantum in its binade,
 *    nearest even (d0 = 0x98 is even), and leaves d0 + k in the sum's low 16 bits, X << 7
 *    in its high ones;
 * 3. vpmaddwd with the words (256, 16): byte 1 is d0 + k + (X << 3), the code (mod 256:
 *    d0 = -((emin + 20) << 3));
 * then qb__elem_avx2_merge_byte1 gathers the 32 bytes and puts x's signs on bit 7. 7
 * vector operations per 8 besides the division where reading the code from the sum's bits
 * took 11, and 11 per 32 where packing them took 9.
 */
QB__BLKQ_AVX2_INLINE void qb__blkq_avx2_f8_row_codes(const float* x, __m256 dv, uint8_t* q, const int clamp) {
  const int d0 = -((QB_F8_E4M3_EMIN + 20) << 3) & 0xFF;
#pragma GCC unroll 4
  for (int i = 0; i < 128; i += 32) {
    __m256i w[4], p[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      const __m256 v = _mm256_loadu_ps(x + i + 8 * j);
      w[j] = _mm256_castps_si256(v);
      /* 1. */
      __m256i a = _mm256_and_si256(_mm256_castps_si256(_mm256_div_ps(v, dv)), _mm256_set1_epi32(0x7FFFFFFF));
      if (clamp) a = _mm256_min_epi32(a, _mm256_set1_epi32(0x43E00000));
      /* 2. */
      const __m256i magic =
          _mm256_add_epi32(_mm256_max_epi32(_mm256_and_si256(a, _mm256_set1_epi32(0x7F800000)),
                                            _mm256_set1_epi32(QB_F8_E4M3_EMIN << 23)),
                           _mm256_set1_epi32((20 << 23) + d0));
      const __m256 sum = _mm256_add_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(magic));
      /* 3. */
      p[j] = _mm256_madd_epi16(_mm256_castps_si256(sum), _mm256_set1_epi32(16 << 16 | 256));
    }
    _mm256_storeu_si256((__m256i*) (q + i), qb__elem_avx2_merge_byte1(p, w, 7, 0, 0));
  }
}

/* The row codes under a subnormal scale, out of line: rare, and kept out of the per-128
 * blocks' loop (inlined there too, the kernel ran 1.047x the old one instead of 1.055x). */
static __attribute__((noinline, unused)) void qb__blkq_avx2_f8_row_codes_clamped(const float* x, __m256 dv,
                                                                                 uint8_t* q) {
  qb__blkq_avx2_f8_row_codes(x, dv, q, 1);
}

/* One per-128 block (qb__f8b128_quant_block) under its scale: a NaN or inf gives d = NaN
 * and codes 0x7F. */
QB__BLKQ_AVX2_INLINE void qb__blkq_avx2_f8b128_codes(const float* x, qb__blkq_avx2_f8_scale sc,
                                                     qb_block_f8b128* out) {
  if (sc.special != 0) {
    out->d = qb_f32_from_bits(0x7FC00000u);
    memset(out->qs, 0x7F, sizeof out->qs);
    return;
  }
  out->d = _mm256_cvtss_f32(sc.d);
  if (__builtin_expect(sc.subnormal != 0, 0))
    qb__blkq_avx2_f8_row_codes_clamped(x, sc.dv, out->qs);
  else
    qb__blkq_avx2_f8_row_codes(x, sc.dv, out->qs, 0);
}

/* One 128 x 128 tile whose rows are `cols` apart (the tile reference's steps): the amax
 * over all its rows first, then the codes row by row (the 64 KiB tile is then in L2). */
QB__BLKQ_AVX2_INLINE void qb__blkq_avx2_f8t128(const float* tile, size_t cols, qb_block_f8t128* out) {
  __m256i mx = _mm256_setzero_si256();
  for (size_t r = 0; r < QB_F8T_TILE; r++) mx = _mm256_max_epi32(mx, qb__blkq_avx2_row_amax(tile + r * cols));
  const qb__blkq_avx2_f8_scale sc = qb__blkq_avx2_f8_scale_of(mx);
  if (sc.special != 0) {
    out->d = qb_f32_from_bits(0x7FC00000u);
    memset(out->qs, 0x7F, sizeof out->qs);
    return;
  }
  out->d = _mm256_cvtss_f32(sc.d);
  if (sc.subnormal != 0) {
    for (size_t r = 0; r < QB_F8T_TILE; r++)
      qb__blkq_avx2_f8_row_codes(tile + r * cols, sc.dv, out->qs + r * QB_F8T_TILE, 1);
  } else {
    for (size_t r = 0; r < QB_F8T_TILE; r++)
      qb__blkq_avx2_f8_row_codes(tile + r * cols, sc.dv, out->qs + r * QB_F8T_TILE, 0);
  }
}

#endif /* QB_LOWBIT_BLKQ_AVX2_H */
