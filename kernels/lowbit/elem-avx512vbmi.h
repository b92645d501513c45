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
 * vector operations per 16 and 11 per 64 (qb__elem_avx512_encode_fn_lanes_x64 takes 6 and
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
 * 3. vpmaddwd of s with the words (256, 2^(mbits + 1)): byte 1 of each dword is d + k +
 *    (exponent field of s << mbits) mod 256 (the sign bit, at the top of the high word,
 *    only changes bits from 16 + mbits up), which is k + ((E' - emin) << mbits), the
 *    magnitude code (the carry of k = 2^(mbits + 1) into the next binade's code included),
 *    as d = -((150 - mbits + emin) << mbits) mod 256 (even, and d + k < 256);
 * 4. the code bytes of the four vectors (byte 1) and x's sign bytes (byte 3) gathered in
 *    lane order, two vpermt2b and one byte blend each;
 * 5. a block with an x whose byte 3 without the sign is 72 or more (|x| >= 2^17, inf,
 *    NaN) goes to qb__elem_avx512_encode_fn_rare_x64; below 2^17 the code is under 256
 *    (E' <= 16: at most 144, E2M3) and no byte wraps, so one vpminub by the largest code
 *    saturates exactly the |x| that round to it or above;
 * 6. the sign (bit 7 of x's byte) moved to bit nbits and or-ed on (vpsrlw, vpternlogd).
 * x is loaded once per 16 (GCC would fold it into two operations' memory operands: two
 * loads). Paired against qb__elem_avx512_encode_fn_lanes_x64 (kernels/lowbit/README.md,
 * "The element casts"): the madd is the costliest single step (17 % of the block), the
 * byte-3 test 10 %; its two ADD-pipe replacements (an integer add for the magic and vaddps,
 * or vpsrld and vpaddd for the madd) ran 0.87-0.92x of this.
 * Steps 1-4 are qb__elem_avx512vbmi_encode_steps (it also hands back the sums s, which the
 * run encoder below tests), step 5's clamp and step 6 qb__elem_avx512vbmi_encode_finish.
 */
static inline __attribute__((always_inline)) void qb__elem_avx512vbmi_encode_steps(const float* in, int mbits,
                                                                                   int bias, __m512i s[4],
                                                                                   __m512i* code,
                                                                                   __m512i* sg) {
  const int emin = 1 - bias;
  const int d = -((150 - mbits + emin) << mbits) & 255;
  const __m512 fl = _mm512_castsi512_ps(_mm512_set1_epi32((emin + 127) << 23));
  const __m512 c = _mm512_castsi512_ps(_mm512_set1_epi32(((150 - mbits) << 23) | d));
  const __m512i madd = _mm512_set1_epi32((1 << (mbits + 1)) << 16 | 256);
  __m512i w[4], p[4];
  for (int i = 0; i < 4; i++) {
    w[i] = _mm512_loadu_si512((const void*) (in + 16 * i));
    __asm__("" : "+v"(w[i]));
    /* 1-3. */
    const __m512 e = _mm512_castsi512_ps(_mm512_and_si512(w[i], _mm512_set1_epi32((int) 0xFF800000u)));
    s[i] = _mm512_castps_si512(_mm512_fmadd_ps(_mm512_range_ps(e, fl, 0x03), c, _mm512_castsi512_ps(w[i])));
    p[i] = _mm512_madd_epi16(s[i], madd);
  }
  /* 4. Lane order's byte 16 L + j is element 16 (j / 4) + 4 L + j % 4: dword 4 L + j % 4 of
   * vector j / 4, byte 1 (vectors 0 and 2 as the first table, 1 and 3 as the second:
   * index + 64); bytes j >= 8 of each lane come from the second gather. */
  const __m512i gather = _mm512_set_epi8(125, 121, 117, 113, 61, 57, 53, 49, 125, 121, 117, 113, 61, 57, 53,
                                         49, 109, 105, 101, 97, 45, 41, 37, 33, 109, 105, 101, 97, 45, 41, 37,
                                         33, 93, 89, 85, 81, 29, 25, 21, 17, 93, 89, 85, 81, 29, 25, 21, 17,
                                         77, 73, 69, 65, 13, 9, 5, 1, 77, 73, 69, 65, 13, 9, 5, 1);
  const __mmask64 hi = 0xFF00FF00FF00FF00ull;
  *code = _mm512_mask_blend_epi8(hi, _mm512_permutex2var_epi8(p[0], gather, p[1]),
                                 _mm512_permutex2var_epi8(p[2], gather, p[3]));
  const __m512i gather3 = _mm512_add_epi8(gather, _mm512_set1_epi8(2));
  *sg = _mm512_mask_blend_epi8(hi, _mm512_permutex2var_epi8(w[0], gather3, w[1]),
                               _mm512_permutex2var_epi8(w[2], gather3, w[3]));
}
/* Step 5's clamp (for codes without a rare x) and step 6. */
static inline __attribute__((always_inline)) __m512i qb__elem_avx512vbmi_encode_finish(__m512i code,
                                                                                       __m512i sg,
                                                                                       int nbits) {
  const __m512i m = _mm512_min_epu8(code, _mm512_set1_epi8((char) ((1 << nbits) - 1)));
  /* 6. m | (sg >> (7 - nbits) & 1 << nbits), as in qb__elem_avx512_encode_fn_lanes_x64. */
  return _mm512_ternarylogic_epi32(m, _mm512_srli_epi16(sg, 7 - nbits), _mm512_set1_epi8((char) (1 << nbits)),
                                   0xF8);
}
static inline __attribute__((always_inline)) __m512i qb__elem_avx512vbmi_encode_fn_lanes_x64(const float* in,
                                                                                             int ebits,
                                                                                             int mbits,
                                                                                             int bias) {
  __m512i s[4], code, sg;
  qb__elem_avx512vbmi_encode_steps(in, mbits, bias, s, &code, &sg);
  /* 5. */
  if (__builtin_expect(
          _mm512_cmpge_epu8_mask(_mm512_and_si512(sg, _mm512_set1_epi8(0x7F)), _mm512_set1_epi8(72)) != 0, 0))
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
 * vpternlogd) and the run tests them once at its end. The sum's exponent field is X = E'
 * + 150 - mbits exactly (|s| stays in the magic's binade, step 2), at least 150 - mbits +
 * emin >= 145, and 255 for a NaN or infinite x (or an FMA that overflows). Its bits 5 and
 * 6 (bits 28, 29 of s) are both clear exactly while X < 160, i.e. E' < 10 + mbits (|x| <
 * 2^13 for E2M3, 2^12 for E3M2), where the code k + ((E' - emin) << mbits) is at most 112,
 * so step 5's vpminub is exact there; a run whose or has either bit set is redone block by
 * block with the test. Per block this trades the test's vpandd, vpcmpub, kortestq and
 * branch for two vpternlogd.
 */
static inline __attribute__((always_inline)) __m512i qb__elem_avx512vbmi_encode_fn_lanes_x64_or(
    const float* in, int ebits, int mbits, int bias, __m512i* acc) {
  __m512i s[4], code, sg;
  qb__elem_avx512vbmi_encode_steps(in, mbits, bias, s, &code, &sg);
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
