/*
 * The element casts of kernels/lowbit on AVX-512 with VBMI (vpermb, vpmultishiftqb), 64
 * elements per block: FP6 E2M3 / E3M2 -> f32, the codes extracted by vpermb and
 * vpmultishiftqb for elem-avx512skx.h's 64-entry table, the FP4 decode by vpmultishiftqb
 * and a vpermps table, and f32 -> FP6 / FP4 by the MX quantizers' FMA form with the code
 * and sign bytes gathered by vpermt2b (FP6 packed with one vpermb). Bit-exact with the
 * scalar references. Included only by -avx512vbmi- files.
 */
#ifndef QB_LOWBIT_ELEM_AVX512VBMI_H
#define QB_LOWBIT_ELEM_AVX512VBMI_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "lowbit/elem-avx512skx.h"

/*
 * 64 FP6 codes (48 bytes: groups of 4 codes in 3 bytes, c0 | c1 << 6 | c2 << 12 | c3 <<
 * 18) -> f32, 32 codes at a time:
 * 1. vpermb copies the 3 bytes of one group into each qword: qword 2L the group of codes
 *    4L .. 4L + 3, qword 2L + 1 that of codes 16 + 4L .. (of the 32), the order in which
 *    step 4's in-lane unpacks give the f32 in order;
 * 2. vpmultishiftqb puts code k of each qword (bits 6k .. 6k + 5) in the low byte of word
 *    k (the bits above it are ignored by step 3);
 * 3, 4. qb__elem_avx512_f6_words_f32 (elem-avx512skx.h): the vpermt2w table and the
 *    unpacks with zero.
 * 10 vector operations per 64 where qb__elem_avx512_f6_f32_x64 takes 12. The load is
 * masked to the 48 bytes.
 */
static inline void qb__elem_avx512vbmi_f6_f32_x64(const uint8_t* in, float* out, int mbits, int bias) {
  __m512i tlo, thi;
  qb__elem_avx512_f6_hi16(mbits, bias, &tlo, &thi);
  const __m512i g = _mm512_maskz_loadu_epi8(0xFFFFFFFFFFFFull, in);
  /* 1. Qword q of half h: group 8h + q / 2 (q even) or 8h + 4 + q / 2 (q odd), its bytes
   * 3 group + 0, 1, 2 (repeated over the qword: only bits 24-25, from the 4th byte,
   * reach step 2, and step 3 ignores them). */
  const __m512i idx0 =
      _mm512_set_epi8(22, 21, 23, 22, 21, 23, 22, 21, 10, 9, 11, 10, 9, 11, 10, 9, 19, 18, 20, 19, 18, 20, 19,
                      18, 7, 6, 8, 7, 6, 8, 7, 6, 16, 15, 17, 16, 15, 17, 16, 15, 4, 3, 5, 4, 3, 5, 4, 3, 13,
                      12, 14, 13, 12, 14, 13, 12, 1, 0, 2, 1, 0, 2, 1, 0);
  const __m512i idx[2] = {idx0, _mm512_add_epi8(idx0, _mm512_set1_epi8(24))};
  /* 2. Bytes 0, 2, 4, 6 of each qword from bits 0, 6, 12, 18. */
  const __m512i sh = _mm512_set1_epi64(0x0012000C00060000ll);
  for (int h = 0; h < 2; h++) {
    const __m512i c = _mm512_multishift_epi64_epi8(sh, _mm512_permutexvar_epi8(idx[h], g));
    /* 3, 4. */
    qb__elem_avx512_f6_words_f32(c, tlo, thi, out + 32 * h);
  }
}

static inline void qb__elem_avx512vbmi_f6e2m3_f32_x64(const uint8_t* in, float* out) {
  qb__elem_avx512vbmi_f6_f32_x64(in, out, 3, 1);
}
static inline void qb__elem_avx512vbmi_f6e3m2_f32_x64(const uint8_t* in, float* out) {
  qb__elem_avx512vbmi_f6_f32_x64(in, out, 2, 3);
}

/* 64 FP6 codes in lane order (elem-avx512skx.h) -> 48 bytes in order: c0 | c1 << 6 | c2 <<
 * 12 | c3 << 18 per dword (vpmaddubsw, vpmaddwd; dword 4L + v holds group 4v + L), then
 * one vpermb gathers each group's low 3 bytes in group order, where
 * qb__elem_avx512_pack6_x64 takes a vpermd, a vpshufb and a second vpermd. _over stores
 * 64 bytes, 16 past the block's (overwritten by the next block's store), the last block
 * 48 by a masked store. */
static inline __m512i qb__elem_avx512vbmi_pack6_x64(__m512i c) {
  const __m512i p = _mm512_maddubs_epi16(c, _mm512_set1_epi16(0x4001));
  const __m512i w = _mm512_madd_epi16(p, _mm512_set1_epi32(0x10000001));
  /* Byte 3g + i from byte 4 (4 (g % 4) + g / 4) + i; bytes 48-63 are not stored. */
  return _mm512_permutexvar_epi8(
      _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 62, 61, 60, 46, 45, 44, 30, 29, 28, 14,
                      13, 12, 58, 57, 56, 42, 41, 40, 26, 25, 24, 10, 9, 8, 54, 53, 52, 38, 37, 36, 22, 21,
                      20, 6, 5, 4, 50, 49, 48, 34, 33, 32, 18, 17, 16, 2, 1, 0),
      w);
}
static inline void qb__elem_avx512vbmi_pack6_lanes_x64(__m512i c, uint8_t* out) {
  _mm512_mask_storeu_epi8(out, 0xFFFFFFFFFFFFull, qb__elem_avx512vbmi_pack6_x64(c));
}
static inline void qb__elem_avx512vbmi_pack6_lanes_x64_over(__m512i c, uint8_t* out) {
  _mm512_storeu_si512((void*) out, qb__elem_avx512vbmi_pack6_x64(c));
}

/*
 * 64 f32 -> 64 FP6 / FP4 codes in lane order (elem-avx512skx.h), the common case in 4
 * vector operations per 16 and 9 per 64 (qb__elem_avx512_encode_fn_lanes_x64 takes 6 and
 * 13): the MX encoders' FMA form (mxq-avx512.h, kernels/lowbit/README.md) with the
 * binade floor emin = 1 - bias fixed, and the clamp on the code bytes:
 * 1. e = x & 0xFF800000 (+-2^E with x's sign: +-0 for zeros and subnormals, +-inf for inf
 *    and NaN); e' = vrangeps(e, 2^emin, imm 3: the larger magnitude, e's sign) =
 *    +-2^E' with E' = max(E, emin);
 * 2. s = fma(e', c, x), c = 2^(23 - mbits) (1 + d 2^-23): e' c = +-(2^(E' + 23 - mbits) +
 *    d 2^(E' - mbits)) exactly, the magic number with x's sign. |x| < 2^(E' + 1), so |s|
 *    stays in the magic's binade, whose quantum 2^(E' - mbits) is the format's at E'
 *    (its subnormals' at E' = emin): the one rounding of the FMA (nearest even; d is even,
 *    so the parity of the sum's last bit is k's) leaves |s| = 2^(E' + 23 - mbits) + (d +
 *    k) 2^(E' - mbits), k the count of quanta of |x| rounded, k <= 2^(mbits + 1), and
 *    nearest even being symmetric, -x gives -s;
 * 3. vpmaddwd of s with the words (256, 2^(mbits + 1)), with d + k < 2^15 (the low word
 *    positive) and X the exponent field of s: 256 (d + k + (X << mbits)) - sign 2^(16 +
 *    mbits). d = -(X0 << mbits) mod 256 + 256 j (X0 = 150 - mbits + emin, the X of the
 *    floor binade) makes d + k + (X << mbits) = code + 256 q, code = k + ((E' - emin) <<
 *    mbits) the magnitude code (the carry of k = 2^(mbits + 1) into the next binade's code
 *    included), q = (d + (X0 << mbits)) / 256; so while the code is below 256, byte 1 is
 *    the code and byte 2 is q - sign 2^mbits mod 256. With q mod 2^(nbits + 1) below
 *    2^mbits (j = 0 for FP6: q = 5 and 3; j = 14 for FP4: q = 16) bit nbits of byte 2 is
 *    x's sign: clear in q, set in q - 2^mbits (a borrow through bit nbits);
 * 4. one vpermt2b per 32 elements gathers their code bytes and sign bytes in lane order:
 *    vectors 0 and 1 the codes in bytes 0-7 of each 128-bit lane and the signs of those
 *    elements in bytes 8-15, vectors 2 and 3 their codes in bytes 8-15 and signs in 0-7;
 *    one byte blend takes the codes, one vpalignr (8 bytes) the signs, where the gathers
 *    from x's byte 3 took two more vpermt2b, a blend and a vpsrlw;
 * 5. the test: X of 160 or more in a block (bit 5 or 6 of X, which is at least 146 > 128:
 *    |x| from 2^(10 + mbits + bias - 1) up, 2^13 for E2M3, 2^12 for E3M2, 2^11 for E2M1;
 *    inf and NaN, X = 255) sends it to qb__elem_avx512_encode_fn_rare_x64 (two vpternlogd
 *    or the sums, one vptestmd); below, X - X0 <= 12 and the code is at most 112, so one
 *    vpminub by the largest code saturates exactly the |x| that round to it or above;
 * 6. the sign bits (bit nbits of the sign bytes) or-ed on (vpternlogd).
 * x is loaded once per 16 (GCC would fold it into two operations' memory operands: two
 * loads). Paired against qb__elem_avx512_encode_fn_lanes_x64 (kernels/lowbit/README.md,
 * "The element casts"): the madd is the costliest single step (17 % of the block), the
 * byte-3 test 10 %; its two ADD-pipe replacements (an integer add for the magic and vaddps,
 * or vpsrld and vpaddd for the madd) ran 0.87-0.92x of this.
 * Steps 1-4 are qb__elem_avx512vbmi_encode_steps (it also hands back the sums s, which the
 * tests below or), step 5's clamp and step 6 qb__elem_avx512vbmi_encode_finish.
 */
static inline __attribute__((always_inline)) void qb__elem_avx512vbmi_encode_steps(
    const float* in, int ebits, int mbits, int bias, __m512i s[4], __m512i* code, __m512i* sg) {
  const int emin = 1 - bias, nbits = ebits + mbits;
  const int x0 = 150 - mbits + emin, d0 = -(x0 << mbits) & 255, q0 = (d0 + (x0 << mbits)) >> 8;
  const int d = d0 + (q0 < (1 << mbits) ? 0 : 256 * (-q0 & ((2 << nbits) - 1)));
  const __m512 fl = _mm512_castsi512_ps(_mm512_set1_epi32((emin + 127) << 23));
  const __m512 c = _mm512_castsi512_ps(_mm512_set1_epi32(((150 - mbits) << 23) | d));
  const __m512i madd = _mm512_set1_epi32((1 << (mbits + 1)) << 16 | 256);
  __m512i p[4];
  for (int i = 0; i < 4; i++) {
    __m512i w = _mm512_loadu_si512((const void*) (in + 16 * i));
    __asm__("" : "+v"(w));
    /* 1-3. */
    const __m512 e = _mm512_castsi512_ps(_mm512_and_si512(w, _mm512_set1_epi32((int) 0xFF800000u)));
    s[i] = _mm512_castps_si512(_mm512_fmadd_ps(_mm512_range_ps(e, fl, 0x03), c, _mm512_castsi512_ps(w)));
    p[i] = _mm512_madd_epi16(s[i], madd);
  }
#define QB__EB(L, t) (char) (64 * ((t) >> 2) + 4 * (4 * (L) + ((t) &3)))
#define QB__EB8(L, o)                                                                                 \
  QB__EB(L, 0) + (o), QB__EB(L, 1) + (o), QB__EB(L, 2) + (o), QB__EB(L, 3) + (o), QB__EB(L, 4) + (o), \
      QB__EB(L, 5) + (o), QB__EB(L, 6) + (o), QB__EB(L, 7) + (o)
  /* 4. Byte 16 L + t (t < 8) of a gather: element 16 (t / 4) + 4 L + t % 4 of its two vectors,
   * dword 4 L + t % 4 of vector t / 4 (index + 64 for the second); byte 16 L + 8 + t the
   * same element. Code bytes are byte 1 of a dword, sign bytes byte 2. */
  _Alignas(64) static const char gather[2][64] = {
      {QB__EB8(0, 1), QB__EB8(0, 2), QB__EB8(1, 1), QB__EB8(1, 2), QB__EB8(2, 1), QB__EB8(2, 2),
       QB__EB8(3, 1), QB__EB8(3, 2)},
      {QB__EB8(0, 2), QB__EB8(0, 1), QB__EB8(1, 2), QB__EB8(1, 1), QB__EB8(2, 2), QB__EB8(2, 1),
       QB__EB8(3, 2), QB__EB8(3, 1)}};
#undef QB__EB8
#undef QB__EB
  const __m512i a = _mm512_permutex2var_epi8(p[0], _mm512_load_si512(gather[0]), p[1]);
  const __m512i b = _mm512_permutex2var_epi8(p[2], _mm512_load_si512(gather[1]), p[3]);
  *code = _mm512_mask_blend_epi8(0xFF00FF00FF00FF00ull, a, b);
  *sg = _mm512_alignr_epi8(b, a, 8);
}
/* Step 5's test: nonzero if a sum has bit 28 or 29 set (0xFE: A | B | C). */
static inline __attribute__((always_inline)) int qb__elem_avx512vbmi_encode_rare(const __m512i s[4]) {
  const __m512i any =
      _mm512_ternarylogic_epi32(_mm512_ternarylogic_epi32(s[0], s[1], s[2], 0xFE), s[3], s[3], 0xFE);
  return _mm512_test_epi32_mask(any, _mm512_set1_epi32(0x30000000)) != 0;
}
/* Step 5's clamp (for codes without a rare x) and step 6. */
static inline __attribute__((always_inline)) __m512i qb__elem_avx512vbmi_encode_finish(__m512i code,
                                                                                       __m512i sg,
                                                                                       int nbits) {
  const __m512i m = _mm512_min_epu8(code, _mm512_set1_epi8((char) ((1 << nbits) - 1)));
  /* 6. m | (sg & 1 << nbits): 0xF8 is A | (B & C). */
  return _mm512_ternarylogic_epi32(m, sg, _mm512_set1_epi8((char) (1 << nbits)), 0xF8);
}
static inline __attribute__((always_inline)) __m512i qb__elem_avx512vbmi_encode_fn_lanes_x64(const float* in,
                                                                                             int ebits,
                                                                                             int mbits,
                                                                                             int bias) {
  __m512i s[4], code, sg;
  qb__elem_avx512vbmi_encode_steps(in, ebits, mbits, bias, s, &code, &sg);
  /* 5. */
  if (__builtin_expect(qb__elem_avx512vbmi_encode_rare(s), 0))
    return qb__elem_avx512_encode_fn_rare_x64(in, ebits, mbits, bias);
  return qb__elem_avx512vbmi_encode_finish(code, sg, ebits + mbits);
}

/* Two blocks' 128 FP4 codes in lane order -> 64 bytes in order, one store: vpmaddubsw
 * joins codes 2k and 2k + 1 (neighbours in a dword) in the low byte of a word, and one
 * vpermt2b gathers those bytes in order where qb__elem_avx512_pack4_x128 takes a vpackuswb
 * and a vpermw (paired, FP4 encode: 1.02x). Output byte 8 v + 2 L + h of a block is
 * the low byte of its word 2 (4 L + v) + h. */
static inline void qb__elem_avx512vbmi_pack4_lanes_x128(__m512i a, __m512i b, uint8_t* out) {
  const __m512i k = _mm512_set1_epi16(0x1001);
  const __m512i perm = _mm512_set_epi8(126, 124, 110, 108, 94, 92, 78, 76, 122, 120, 106, 104, 90, 88, 74, 72,
                                       118, 116, 102, 100, 86, 84, 70, 68, 114, 112, 98, 96, 82, 80, 66, 64,
                                       62, 60, 46, 44, 30, 28, 14, 12, 58, 56, 42, 40, 26, 24, 10, 8, 54, 52,
                                       38, 36, 22, 20, 6, 4, 50, 48, 34, 32, 18, 16, 2, 0);
  _mm512_storeu_si512((void*) out,
                      _mm512_permutex2var_epi8(_mm512_maddubs_epi16(a, k), perm, _mm512_maddubs_epi16(b, k)));
}

/*
 * qb__elem_avx512vbmi_encode_fn_lanes_x64 without step 5's test, for runs of FP6 blocks
 * (qb__elem_avx512vbmi_encode_f6_blocks): the block's four sums s are or-ed into *acc (two
 * vpternlogd) and the run tests them once at its end (step 5's bits 28 and 29 of s); a
 * run whose or has either bit set is redone block by block with the test. Per block this
 * trades the test's vptestmd, kortestw and branch for nothing.
 */
static inline __attribute__((always_inline)) __m512i qb__elem_avx512vbmi_encode_fn_lanes_x64_or(
    const float* in, int ebits, int mbits, int bias, __m512i* acc) {
  __m512i s[4], code, sg;
  qb__elem_avx512vbmi_encode_steps(in, ebits, mbits, bias, s, &code, &sg);
  /* 0xFE: A | B | C. */
  *acc = _mm512_ternarylogic_epi32(_mm512_ternarylogic_epi32(*acc, s[0], s[1], 0xFE), s[2], s[3], 0xFE);
  return qb__elem_avx512vbmi_encode_finish(code, sg, ebits + mbits);
}

/* FP6: nb >= 1 blocks (at most QB__ELEM_VBMI_RUN) through
 * qb__elem_avx512vbmi_encode_fn_lanes_x64_or, each block's codes computed before the
 * previous block's are packed (as qb__elem_avx512_encode_fn_blocks_with), the last block by
 * a masked store (runs are independent); nonzero if a sum of the run has bit 28 or 29 set
 * (its blocks must be redone). */
static inline __attribute__((always_inline)) int qb__elem_avx512vbmi_encode_f6_run(size_t nb, const float* in,
                                                                                   uint8_t* out, int ebits,
                                                                                   int mbits, int bias) {
  __m512i acc = _mm512_setzero_si512();
  __m512i c = qb__elem_avx512vbmi_encode_fn_lanes_x64_or(in, ebits, mbits, bias, &acc);
  for (size_t i = 1; i < nb; i++) {
    const __m512i next = qb__elem_avx512vbmi_encode_fn_lanes_x64_or(in + 64 * i, ebits, mbits, bias, &acc);
    qb__elem_avx512vbmi_pack6_lanes_x64_over(c, out + 48 * (i - 1));
    c = next;
  }
  qb__elem_avx512vbmi_pack6_lanes_x64(c, out + 48 * (nb - 1));
  return _mm512_test_epi32_mask(acc, _mm512_set1_epi32(0x30000000)) != 0;
}

/* One block (the tails of elem-loop.c.in), and nb >= 1 whole blocks in a row: the codes of
 * qb__elem_avx512vbmi_encode_fn_lanes_x64, software-pipelined as in elem-avx512skx.h; FP6
 * in runs of up to QB__ELEM_VBMI_RUN blocks through qb__elem_avx512vbmi_encode_f6_run, a
 * flagged run (|x| from 2^(10 + mbits) up, inf or NaN in it) again through that loop
 * (paired against it alone, kernels/lowbit/README.md, "The element casts", session 20:
 * E2M3 1.01x, E3M2 1.05x; FP4, which keeps the loop, 1.00x). */
#define QB__ELEM_VBMI_RUN 32
static inline void qb__elem_avx512vbmi_f32_f4e2m1_x64(const float* in, uint8_t* out) {
  qb__elem_avx512_pack4_lanes_x64(qb__elem_avx512vbmi_encode_fn_lanes_x64(in, 2, 1, 1), out);
}
static inline void qb__elem_avx512vbmi_f32_f6e2m3_x64(const float* in, uint8_t* out) {
  qb__elem_avx512vbmi_pack6_lanes_x64(qb__elem_avx512vbmi_encode_fn_lanes_x64(in, 2, 3, 1), out);
}
static inline void qb__elem_avx512vbmi_f32_f6e3m2_x64(const float* in, uint8_t* out) {
  qb__elem_avx512vbmi_pack6_lanes_x64(qb__elem_avx512vbmi_encode_fn_lanes_x64(in, 3, 2, 3), out);
}
static inline __attribute__((always_inline)) void qb__elem_avx512vbmi_encode_fn_blocks(
    size_t nb, const float* in, uint8_t* out, int ebits, int mbits, int bias) {
  qb__elem_avx512_encode_fn_blocks_with(
      nb, in, out, ebits, mbits, bias, qb__elem_avx512vbmi_encode_fn_lanes_x64,
      qb__elem_avx512vbmi_pack4_lanes_x128, qb__elem_avx512vbmi_pack6_lanes_x64,
      qb__elem_avx512vbmi_pack6_lanes_x64_over);
}
static inline __attribute__((always_inline)) void qb__elem_avx512vbmi_encode_f6_blocks(
    size_t nb, const float* in, uint8_t* out, int ebits, int mbits, int bias) {
  for (size_t b = 0; b < nb; b += QB__ELEM_VBMI_RUN) {
    const size_t k = nb - b < QB__ELEM_VBMI_RUN ? nb - b : QB__ELEM_VBMI_RUN;
    if (__builtin_expect(qb__elem_avx512vbmi_encode_f6_run(k, in + 64 * b, out + 48 * b, ebits, mbits, bias),
                         0))
      qb__elem_avx512vbmi_encode_fn_blocks(k, in + 64 * b, out + 48 * b, ebits, mbits, bias);
  }
}
static inline void qb__elem_avx512vbmi_f32_f4e2m1_x64_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx512vbmi_encode_fn_blocks(nb, in, out, 2, 1, 1);
}
static inline void qb__elem_avx512vbmi_f32_f6e2m3_x64_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx512vbmi_encode_f6_blocks(nb, in, out, 2, 3, 1);
}
static inline void qb__elem_avx512vbmi_f32_f6e3m2_x64_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx512vbmi_encode_f6_blocks(nb, in, out, 3, 2, 3);
}

/* 64 FP4 codes (32 bytes, element 2k in the low nibble of byte k) -> f32, 16 at a time:
 * one vpmultishiftqb of 8 code bytes broadcast to every qword (a load) copies bits 4i ..
 * 4i + 7 into the low byte of dword i (qword j's bytes 0 and 4 from bit offsets 8j and 8j
 * + 4), and vpermps, which reads only the low 4 bits, looks code i up in the 16 E2M1
 * values (exact f32; code 8 is -0). Two permutes per 16. */
static inline void qb__elem_avx512vbmi_f4e2m1_f32_x64(const uint8_t* in, float* out) {
  const __m512 v = _mm512_setr_ps(0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f, -0.0f, -0.5f, -1.0f, -1.5f,
                                  -2.0f, -3.0f, -4.0f, -6.0f);
  const __m512i ctl = _mm512_set_epi64(0x0000003C00000038ll, 0x0000003400000030ll, 0x0000002C00000028ll,
                                       0x0000002400000020ll, 0x0000001C00000018ll, 0x0000001400000010ll,
                                       0x0000000C00000008ll, 0x0000000400000000ll);
  for (int j = 0; j < 4; j++) {
    const __m512i q = _mm512_broadcastq_epi64(_mm_loadl_epi64((const __m128i*) (in + 8 * j)));
    _mm512_storeu_ps(out + 16 * j, _mm512_permutexvar_ps(_mm512_multishift_epi64_epi8(ctl, q), v));
  }
}

#endif /* QB_LOWBIT_ELEM_AVX512VBMI_H */
