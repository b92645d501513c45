/*
 * The MX block quantization of lowbit-avx2.h with each block's codes on AVX-512 (F, BW, VL,
 * DQ and VBMI): the step (8 blocks: amaxes, shared exponents, slow and NaN blocks) and its
 * pipeline are lowbit-avx2.h's, which calls qb__mx_block_avx512 for every block; the
 * `zamax` variants (qb__mx_quant_avx512) find the amaxes in 512-bit vectors instead
 * (qb__mx_amax_x8_avx512). Every float format rounds as lowbit-avx2.h's
 * qb__mx_fcodes_x32_avx2 does (one f32 addition of a magic number at the element's
 * quantum, the code from the sum's bits by vpmaddwd), 16 elements per operation, the magic
 * made by vrangeps and added by an FMA with x's sign (4 operations per 16, no shift or
 * permute); the code bytes are gathered from the sums with one two-source byte permutation
 * (vpermt2b), the signs with another. MXINT8 by one FMA per 16 elements and one vpermt2b
 * (qb__mx_icodes_x32_avx512). Bit-exact with the references. Included only by files built
 * with the avx512vbmi flags.
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
#define QB__MX_FMA_FORM 1

#include "lowbit/lowbit-avx2.h"

/*
 * The 32 codes (bytes, in order, sign included) of one block of a float format, given the
 * block's constants (lowbit-avx2.h's prep, the FMA form, p0 and fl): c = p0 = 2^(23 - mbits)
 * with mantissa field d, fl = F << 23 (F the biased f32 exponent of the floor binade), d
 * the byte offset of qb__mx_fcodes_x32_avx2 (the same sums as there, signed):
 * 1. e = x & 0xFF800000: sign and exponent, +-2^(E - 127) (+-0 for a zero or subnormal x);
 * 2. e' = vrangeps(e, fl) (imm 0x03: the operand of larger magnitude, e's sign): +-2^(max(E,
 *    F) - 127);
 * 3. sum = fma(e', c, x) = RN(x +- magic), magic = e' c exactly, the magic of
 *    qb__mx_fcodes_x32_avx2 (X << 23 plus d, X = max(E, F) + 23 - mbits) with x's sign:
 *    nearest even is symmetric, so the sum is x's sign on |x| + magic (ties away: x | 1);
 * 4. vpmaddwd with the words (256, 2^(mbits + 1)): byte 1 is the code k + ((X - X_F) <<
 *    mbits) as there (the sign bit, at the top of the high word, only moves bits from 16 +
 *    mbits up);
 * 5. bytes 1 of the two vectors gathered in order by one vpermt2b, clamped (FLOOR), and
 *    the sign bits from byte 3 of x (a second vpermt2b) shifted to the code's sign bit (FP6,
 *    FP4) and put on by one ternary-logic operation. Until session 19 FP8 left d out of c,
 *    subtracted the offset from the code bytes (vpsubb and its byte broadcast) and took its
 *    signs from the vpmaddwd results (bytes 1 and 3 by one vpermt2b, the signs by
 *    vextracti64x4); with d in c that result keeps x's sign only for X <= 222 (E4M3) or 190
 *    (E5M2). With x's bytes in registers (x loaded once, below) the sign gather from x costs
 *    no more than the extract: d in c with signs from the vpmaddwd result ran 1.015-1.028x
 *    (medians, 10 paired rounds, the fast range cut to s <= 67 / 27), the sign gather from x
 *    instead 1.00-1.015x of that, on the full fast range. FP6 with its signs from the
 *    vpmaddwd result, one gather and an extract, ran 0.96-0.98x.
 * 4 operations per 16 elements (5 for ties away), no shift or permute among them.
 */
static inline __m256i qb__mx_fcodes_x32_avx512(const float* x, const int32_t* p0, const int32_t* flp,
                                               qb__mx_kind k, const int clamp, const int ties_away) {
  const int mbits = qb__mx_mbits(k), nbits = qb__mx_nbits(k);
  const __m512 c = _mm512_castsi512_ps(_mm512_set1_epi32(*p0));
  const __m512 fl = _mm512_castsi512_ps(_mm512_set1_epi32(*flp));
  __m512i w[2], q[2];
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    /* x is loaded once: GCC otherwise folded the load into the and, the FMA and (FP6, FP4)
     * the sign gather, two or three 512-bit loads where one will do (MXFP6 / MXFP4
     * 1.02-1.05x, paired). */
    w[i] = _mm512_loadu_si512((const void*) (x + 16 * i));
    __asm__("" : "+v"(w[i]));
    /* 1, 2. */
    const __m512 e = _mm512_range_ps(
        _mm512_castsi512_ps(_mm512_and_si512(w[i], _mm512_set1_epi32((int) 0xFF800000u))), fl, 0x03);
    /* 3. */
    const __m512i xs = ties_away ? _mm512_or_si512(w[i], _mm512_set1_epi32(1)) : w[i];
    const __m512 sum = _mm512_fmadd_ps(e, c, _mm512_castsi512_ps(xs));
    /* 4. */
    q[i] = _mm512_madd_epi16(_mm512_castps_si512(sum), _mm512_set1_epi32((2 << mbits) << 16 | 256));
  }
  /* 5. Output byte i (of 32): byte 4 i + 1 of the first vector for i < 16, of the second
   * (indices from 64) for i >= 16; the signs from bytes 4 i + 3 of x. */
  const __m512i perm =
      _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 124, 120, 116, 112, 108, 104, 100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56,
                      52, 48, 44, 40, 36, 32, 28, 24, 20, 16, 12, 8, 4, 0);
  __m256i cd = _mm512_castsi512_si256(
      _mm512_permutex2var_epi8(q[0], _mm512_add_epi8(perm, _mm512_set1_epi8(1)), q[1]));
  if (clamp) cd = _mm256_min_epu8(cd, _mm256_set1_epi8((char) qb__mx_maxcode(k)));
  __m256i sg = _mm512_castsi512_si256(
      _mm512_permutex2var_epi8(w[0], _mm512_add_epi8(perm, _mm512_set1_epi8(3)), w[1]));
  if (nbits != 7) sg = _mm256_srli_epi16(sg, 7 - nbits);
  /* 0xF8: A | (B & C). */
  return _mm256_ternarylogic_epi32(cd, sg, _mm256_set1_epi8((char) (1 << nbits)), 0xF8);
}

/*
 * The 32 MXINT8 codes of one block (bytes, in order) on 512-bit vectors, mul = 2^(6 - s)
 * (lowbit-avx2.h's prep): each element's code by one FMA, x * mul + 1.5 * 2^23, whose low
 * byte is then the code: the product is exact (a power of two; where it is not a normal
 * float it is far below 1/2 and both give 0) and the sum lies in [2^23, 2^24), where f32's
 * quantum is 1, so its rounding is nearest even of x * mul, the reference's (both
 * symmetric). Ties away: x with its last bit set (for a normal product, that product with
 * its last bit set, as qb__mx_icodes_x32_avx2; for a subnormal x the product moves by
 * less than the distance to the next half-integer, which such an x cannot lie on with
 * that bit clear), then the FMA. With clamp, the sums' bits are clamped as integers to
 * those of +-127 (an element of 127.5 or more rounds to 128; qb__mx_prep_i8_avx512 below
 * tells the steps that can, about 1 in 90 blocks of a normal distribution under FLOOR, none
 * under RCEIL below s = 127). The low bytes of the two vectors gathered in order by one
 * vpermt2b. 3 operations per block without clamp or ties away, where the conversion and
 * the packs (qb__mx_icodes_x32_avx2 in 512-bit vectors) took 8.
 */
static inline __m256i qb__mx_icodes_x32_avx512(const float* x, const int32_t* p0, const int clamp,
                                               const int ties_away) {
  const __m512 mul = _mm512_castsi512_ps(_mm512_set1_epi32(*p0));
  const __m512 magic = _mm512_castsi512_ps(_mm512_set1_epi32(0x4B400000));
  __m512i r[2];
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    __m512 v = _mm512_loadu_ps(x + 16 * i);
    if (ties_away) v = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(v), _mm512_set1_epi32(1)));
    r[i] = _mm512_castps_si512(_mm512_fmadd_ps(v, mul, magic));
    if (clamp)
      r[i] = _mm512_min_epi32(_mm512_max_epi32(r[i], _mm512_set1_epi32(0x4B400000 - 127)),
                              _mm512_set1_epi32(0x4B400000 + 127));
  }
  /* Output byte i: byte 4 i of the first vector (i < 16), of the second (from 64) else. */
  const __m512i perm =
      _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 124, 120, 116, 112, 108, 104, 100, 96, 92, 88, 84, 80, 76, 72, 68, 64, 60, 56,
                      52, 48, 44, 40, 36, 32, 28, 24, 20, 16, 12, 8, 4, 0);
  return _mm512_castsi512_si256(_mm512_permutex2var_epi8(r[0], perm, r[1]));
}

/* One block's codes (c, 32 bytes in order) and exponent byte e stored at out: FP6 as
 * qb__elem_avx2_pack6_lanes_x32 builds each 3-byte group in a 32-bit lane, its 24 bytes then
 * gathered by one vpermb and written by one masked store, or with `over` by a plain 32-byte
 * store whose last 8 bytes the next block's stores overwrite (1.04x for MXFP6: Zen 4's
 * masked store costs more); FP4 pairs joined in 16-bit lanes (vpmaddubsw) and narrowed
 * (vpmovwb). */
static inline void qb__mx_store_block_avx512(__m256i c, uint8_t e, const int width, const int over,
                                             uint8_t* out) {
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
    if (over)
      _mm256_storeu_si256((__m256i*) (out + 1), g);
    else
      _mm256_mask_storeu_epi8(out + 1, 0x00FFFFFF, g);
  } else {
    const __m256i p = _mm256_maddubs_epi16(c, _mm256_set1_epi16(0x1001));
    _mm_storeu_si128((__m128i*) (out + 1), _mm256_cvtepi16_epi8(p));
  }
}

/* Block b of a step (lowbit-avx2.h's qb__mx_quant_x8_avx2): its codes under its constants,
 * stored with its exponent byte. A step stores its blocks in order, every one of them (a
 * NaN block's bytes are overwritten after all 8), so blocks 0-6 may store past their end
 * into the next block's bytes; block 7's next block may lie past the output's end. */
static inline void qb__mx_block_avx512(const float* src, const int32_t* p0, const int32_t* p1,
                                       const int32_t* es, int b, qb__mx_kind k, const int clamp,
                                       const int ties_away, const int width, uint8_t* out) {
  const __m256i c = k == QB__MX_INT8 ? qb__mx_icodes_x32_avx512(src, p0 + b, clamp, ties_away)
                                     : qb__mx_fcodes_x32_avx512(src, p0 + b, p1 + b, k, clamp, ties_away);
  qb__mx_store_block_avx512(c, (uint8_t) es[b], width, b < 7, out + (1 + 4 * (size_t) width) * (size_t) b);
}

/*
 * lowbit-avx2.h's qb__mx_amax_x8_avx2 in 512-bit vectors, the same 8 lanes: each block's
 * two vectors of |x| bits folded by one integer maximum (3 operations per block, 7 in
 * 256-bit ones), then the 8 vectors reduced as there (vshufps even / odd and a max,
 * twice), leaving per 128-bit quarter the partial maxima of four blocks; the quarters of
 * the two vectors are joined by vshufi64x2 (even / odd and a max, twice) and the result's
 * low half kept. About 48 operations per 8 blocks where qb__mx_amax_x8_avx2 takes 77: on
 * Intel port 1 takes no vector operation while 512-bit ones are in flight, so the 256-bit
 * ones share ports 0 and 5 with the encoder's. On Zen 4 a 512-bit operation takes two
 * 256-bit slots (about 96 against 77), so only the `zamax` variants use it, picked on
 * Intel by kernels/prefer.inc.
 */
static inline __m256i qb__mx_amax_x8_avx512(const float* x) {
  const __m512i m = _mm512_set1_epi32(0x7FFFFFFF);
  __m512 v[8];
#pragma GCC unroll 8
  for (int b = 0; b < 8; b++)
    v[b] = _mm512_castsi512_ps(_mm512_max_epi32(_mm512_and_si512(_mm512_loadu_si512(x + 32 * b), m),
                                                _mm512_and_si512(_mm512_loadu_si512(x + 32 * b + 16), m)));
  __m512 t[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++)
    t[i] = _mm512_castsi512_ps(_mm512_max_epi32(
        _mm512_castps_si512(_mm512_shuffle_ps(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0))),
        _mm512_castps_si512(_mm512_shuffle_ps(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)))));
  __m512i u[2];
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++)
    u[i] = _mm512_max_epi32(
        _mm512_castps_si512(_mm512_shuffle_ps(t[2 * i], t[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0))),
        _mm512_castps_si512(_mm512_shuffle_ps(t[2 * i], t[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1))));
  /* u[j]'s quarter q holds blocks 4 j .. 4 j + 3; z's quarters: u[0]'s 0|1, 2|3, u[1]'s 0|1, 2|3. */
  const __m512i z = _mm512_max_epi32(_mm512_shuffle_i64x2(u[0], u[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                     _mm512_shuffle_i64x2(u[0], u[1], _MM_SHUFFLE(3, 1, 3, 1)));
  return _mm512_castsi512_si256(_mm512_max_epi32(_mm512_shuffle_i64x2(z, z, _MM_SHUFFLE(2, 0, 2, 0)),
                                                 _mm512_shuffle_i64x2(z, z, _MM_SHUFFLE(3, 1, 3, 1))));
}

/* lowbit-avx2.h's pipeline with the amaxes of qb__mx_amax_x8_avx512 (the `zamax` variants). */
QB__MX_QUANT_PIPE(qb__mx_quant_avx512, qb__mx_amax_x8_avx512, qb__mx_prep_x8_avx2, qb__mx_codes_x8_avx2)

/*
 * MXINT8's step (its zamax variants): lowbit-avx2.h's prep, and which steps may need the
 * clamp. An element rounds to +-128 only where |x| 2^(6 - s) >= 127.5, so in a block whose
 * amax >= 1.9921875 * 2^s: bits ((s + 127) << 23) | 0x7F0000 (for s = -127 that is below
 * 1.9921875 * 2^-127, 0x7F8000: the test errs only towards the clamp). Blocks holding inf
 * or NaN (the prep's nan mask) are left out (their bytes are overwritten).
 */
QB__MX_AVX2_INLINE void qb__mx_prep_i8_avx512(__m256i amax, qb__mx_kind k, qb__mx_scale_mode mode,
                                              qb__mx_prep_avx2* pr) {
  qb__mx_prep_x8_avx2(amax, k, mode, pr);
  const __m256i t = _mm256_add_epi32(_mm256_slli_epi32(_mm256_loadu_si256((const __m256i*) pr->es), 23),
                                     _mm256_set1_epi32(0x7EFFFF));
  pr->wide = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(amax, t))) & ~pr->nan;
}

/* MXINT8's codes of a step: with no slow, NaN or wide block, every block's codes without
 * the clamp; else lowbit-avx2.h's step (the clamp on every block). */
QB__MX_AVX2_INLINE void qb__mx_codes_i8_avx512(const float* x, const qb__mx_prep_avx2* pr, qb__mx_kind k,
                                               qb__mx_scale_mode mode, const int ties_away, const int width,
                                               uint8_t* out) {
  if ((pr->slow | pr->nan | pr->wide) == 0) {
    /* The blocks broadcast their constants from memory, as in lowbit-avx2.h's step. */
    __asm__ volatile("" : : : "memory");
#pragma GCC unroll 8
    for (int b = 0; b < 8; b++)
      qb__mx_block_avx512(x + 32 * b, pr->p0, pr->p1, pr->es, b, k, 0, ties_away, width, out);
  } else {
    qb__mx_codes_x8_avx2(x, pr, k, mode, ties_away, width, out);
  }
}

/* lowbit-avx2.h's pipeline with the 512-bit amaxes and MXINT8's step (its zamax variants). */
QB__MX_QUANT_PIPE(qb__mx_quant_i8_avx512, qb__mx_amax_x8_avx512, qb__mx_prep_i8_avx512,
                  qb__mx_codes_i8_avx512)

#endif /* QB_LOWBIT_MXQ_AVX512_H */
