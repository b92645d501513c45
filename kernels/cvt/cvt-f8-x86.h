/*
 * fp8 casts on x86 by float arithmetic: one float addition rounds where
 * kernels/cvt/cvt-x86.h's integer blocks need a variable shift per lane, and an fp8 byte
 * widens through f16 (vcvtph2ps) instead of two paths and a blend. Bit-exact with the
 * scalar references of kernels/common/fp.h for every input.
 *
 * Included only by kernel files compiled with the flags of their ISA (isa.inc).
 */
#ifndef QB_CVT_F8_X86_H
#define QB_CVT_F8_X86_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "cvt/cvt-x86.h"

/*
 * Encoding f32 -> fp8 (mbits mantissa bits, `emin` the f32 biased exponent of the
 * format's smallest normal: 121 for e4m3, 113 for e5m2), in eight integer and float
 * operations per vector before the sign:
 * 1. a = |x| clamped (as an integer) to CLAMP, the smallest magnitude that must give the
 *    top code: 480 for e4m3 (it rounds to S.1111.111, the NaN code, as everything from
 *    464 up must; a NaN is clamped too and gets that code, right for e4m3), 448 for
 *    saturating e4m3 (0x7E), 61440 for e5m2 (a tie that rounds to 65536, code 0x7C, inf).
 *    For saturating e4m3 and e5m2, where a NaN must not share the top code: AVX-512 takes
 *    |x| and the clamp in one vrangeps (which keeps a NaN) and gives NaN lanes their code
 *    by a masked addition in step 3; AVX2 clamps by two vminps (qb_f8_avx2_bytes).
 * 2. E = max(exponent field of a, emin), kept in place (E << 23): subnormal targets share
 *    the smallest normal's spacing, 2^(emin - 127 - mbits).
 * 3. magic = 2^(E - 127 + 23 - mbits) with mantissa field t = (E + 23 - mbits) << mbits:
 *    the exponent part P = (E + 23 - mbits) << 23 is one addition, and t = P >> (23 -
 *    mbits) one shift. The last mantissa bit of a + magic is worth the target's spacing
 *    at a's binade, so the addition rounds a to the target's precision, ties to even (t
 *    is even, so the parity of the sum's last bit is that of the rounded a; the rounding
 *    mode is embedded in the AVX-512 instruction, MXCSR's for AVX2: nearest even, which
 *    qbench never changes). The sum's mantissa field is t + k with k = a / spacing,
 *    rounded, 0 <= k <= 2^(mbits + 1), no carry out of the field.
 * 4. The code is ((E - emin) << mbits) + k: the implicit bit in k supplies the exponent's
 *    + 1, and a carry (k = 2^(mbits + 1), or a subnormal rounding up to 2^mbits) lands
 *    on the next exponent by itself. Its low byte is that of t + k, the sum's own low
 *    byte, less QB_F8_OFF(mbits, emin) = ((23 - mbits + emin) << mbits) mod 256: the
 *    bytes are kept as they are and the offset is one byte subtraction after narrowing.
 * 5. The sign: bit 31 of x to bit 7 of the byte, by an exclusive or (which commutes with
 *    the subtraction modulo 256: it adds 128).
 */
#define QB_F8_E4M3_EMIN 121
#define QB_F8_E5M2_EMIN 113
#define QB_F8_E4M3_TOP_CLAMP 0x43F00000 /* 480.0f */
#define QB_F8_E4M3SAT_CLAMP 0x43E00000  /* 448.0f */
#define QB_F8_E5M2_TOP_CLAMP 0x47700000 /* 61440.0f */
#define QB_F8_E5M2_NANVAL 0x47C00000    /* 98304.0f: rounds to 0x7E, e5m2's NaN code */
#define QB_F8_OFF(mbits, emin) ((((23 - (mbits)) + (emin)) << (mbits)) & 0xFF)

#if defined(__AVX512F__)

/* Steps 1-3: 16 lanes whose low bytes are code + QB_F8_OFF. `nan`: the NaN code, or -1
 * where the clamp already gives it (e4m3 without saturation). */
static inline __m512i qb_f8_avx512_round(__m512i w, int mbits, int emin, int clamp, int nan) {
  /* 1. */
  const __m512i a =
      nan < 0 ? _mm512_min_epu32(_mm512_and_si512(w, _mm512_set1_epi32(0x7FFFFFFF)), _mm512_set1_epi32(clamp))
              : _mm512_castps_si512(_mm512_range_ps(_mm512_castsi512_ps(w),
                                                    _mm512_castsi512_ps(_mm512_set1_epi32(clamp)), 0x0A));
  /* 2. */
  const __m512i e =
      _mm512_max_epu32(_mm512_and_si512(a, _mm512_set1_epi32(0x7F800000)), _mm512_set1_epi32(emin << 23));
  /* 3. */
  const __m512i p = _mm512_add_epi32(e, _mm512_set1_epi32((23 - mbits) << 23));
  const __m512i magic = _mm512_add_epi32(p, _mm512_srli_epi32(p, 23 - mbits));
  if (nan < 0) {
    return _mm512_castps_si512(_mm512_add_round_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(magic),
                                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  /* vrangeps kept a NaN: the addition runs on the other lanes only, NaN lanes take the
   * NaN code (plus the offset) instead, in the same instruction. */
  const __mmask16 not_nan = _mm512_cmp_ps_mask(_mm512_castsi512_ps(w), _mm512_castsi512_ps(w), _CMP_ORD_Q);
  const __m512 nan_code = _mm512_castsi512_ps(_mm512_set1_epi32((nan + QB_F8_OFF(mbits, emin)) & 0xFF));
  const __m512i q = _mm512_castps_si512(
      _mm512_mask_add_round_ps(nan_code, not_nan, _mm512_castsi512_ps(a), _mm512_castsi512_ps(magic),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  return q;
}

/* 16 f32 -> 16 fp8 bytes: steps 4 and 5 (the sign by one ternary op, q ^ (w >> 24 & 0x80),
 * then the truncating narrowing and the offset). */
static inline __m128i qb_f8_avx512_from_f32(__m512i w, int mbits, int emin, int clamp, int nan) {
  const __m512i q = _mm512_ternarylogic_epi32(qb_f8_avx512_round(w, mbits, emin, clamp, nan),
                                              _mm512_srli_epi32(w, 24), _mm512_set1_epi32(0x80), 0x78);
  return _mm_sub_epi8(_mm512_cvtepi32_epi8(q), _mm_set1_epi8((char) QB_F8_OFF(mbits, emin)));
}

/*
 * f8 e4m3fn -> f32, 16 lanes from 16 bytes:
 * 1. The byte s.eeee.mmm becomes the f16 s.0eeee.mmm0000000: the same value times 2^-8
 *    (f16's bias 15 against e4m3's 7), subnormals included, as f16 has room for them.
 * 2. vcvtph2ps widens exactly; multiplying by 2^8 is exact.
 * 3. S.1111.111 is NaN in e4m3fn but 480 in that reading: the canonical NaN, signed.
 */
static inline __m512 qb_f8e4m3_avx512_to_f32(__m128i b) {
  /* 1. */
  const __m256i w = _mm256_slli_epi16(_mm256_cvtepu8_epi16(b), 8);
  /* An arithmetic shift keeps the sign in bit 15 and copies it into bit 14, which the
   * mask clears. */
  const __m256i h = _mm256_and_si256(_mm256_srai_epi16(w, 1), _mm256_set1_epi16((short) 0xBFFF));
  /* 2. */
  const __m512 f = _mm512_mul_ps(_mm512_cvtph_ps(h), _mm512_set1_ps(256.0f));
  /* 3. */
  const __mmask16 is_nan = _mm_cmpeq_epi8_mask(_mm_and_si128(b, _mm_set1_epi8(0x7F)), _mm_set1_epi8(0x7F));
  return _mm512_castsi512_ps(_mm512_mask_ternarylogic_epi32(_mm512_castps_si512(f), is_nan,
                                                            _mm512_set1_epi32((int) 0x80000000),
                                                            _mm512_set1_epi32(0x7FC00000), 0xEA));
}

/*
 * Blocks of block-loop.c.in (variants.txt: BLOCK=qb_cvt_f8fp_<isa>_<from>_<to>, whose
 * float-arithmetic algorithm is this file's; cvt-x86.h's qb_cvt_avx2_* fp8 blocks are
 * the integer one). `saturate` as in the reference: e4m3 overflow and inf give +-448
 * (0x7E) instead of NaN (0x7F). _tail: the last n < 16, masked (masked-off lanes are
 * neither read nor written).
 */
static inline __m128i qb_f8_avx512_e4m3(__m512i w, int saturate) {
  return saturate ? qb_f8_avx512_from_f32(w, 3, QB_F8_E4M3_EMIN, QB_F8_E4M3SAT_CLAMP, 0x7F)
                  : qb_f8_avx512_from_f32(w, 3, QB_F8_E4M3_EMIN, QB_F8_E4M3_TOP_CLAMP, -1);
}
static inline void qb_cvt_f8fp_avx512skx_f32_f8e4m3_x16(const float* in, uint8_t* out, int saturate) {
  _mm_storeu_si128((__m128i*) out, qb_f8_avx512_e4m3(_mm512_loadu_si512(in), saturate));
}
static inline void qb_cvt_f8fp_avx512skx_f32_f8e4m3_tail(const float* in, uint8_t* out, size_t n,
                                                         int saturate) {
  const __mmask16 m = (__mmask16) ((1u << n) - 1u);
  _mm_mask_storeu_epi8(out, m, qb_f8_avx512_e4m3(_mm512_maskz_loadu_epi32(m, in), saturate));
}

/* f32 -> e5m2: overflow and inf to inf (0x7C), NaN 0x7E; signed. */
static inline void qb_cvt_f8fp_avx512skx_f32_f8e5m2_x16(const float* in, uint8_t* out) {
  _mm_storeu_si128((__m128i*) out, qb_f8_avx512_from_f32(_mm512_loadu_si512(in), 2, QB_F8_E5M2_EMIN,
                                                         QB_F8_E5M2_TOP_CLAMP, 0x7E));
}
static inline void qb_cvt_f8fp_avx512skx_f32_f8e5m2_tail(const float* in, uint8_t* out, size_t n) {
  const __mmask16 m = (__mmask16) ((1u << n) - 1u);
  _mm_mask_storeu_epi8(
      out, m,
      qb_f8_avx512_from_f32(_mm512_maskz_loadu_epi32(m, in), 2, QB_F8_E5M2_EMIN, QB_F8_E5M2_TOP_CLAMP, 0x7E));
}

/* e4m3 -> f32 (qb_f8e4m3_avx512_to_f32): exact. */
static inline void qb_cvt_f8fp_avx512skx_f8e4m3_f32_x16(const uint8_t* in, float* out) {
  _mm512_storeu_ps(out, qb_f8e4m3_avx512_to_f32(_mm_loadu_si128((const __m128i*) in)));
}
static inline void qb_cvt_f8fp_avx512skx_f8e4m3_f32_tail(const uint8_t* in, float* out, size_t n) {
  const __mmask16 m = (__mmask16) ((1u << n) - 1u);
  _mm512_mask_storeu_ps(out, m, qb_f8e4m3_avx512_to_f32(_mm_maskz_loadu_epi8(m, in)));
}
/* 64 e4m3 bytes -> 64 f32: steps 1 and 2 above on each 16 without step 3, which took 3 of
 * the 9 operations per 16: NaN is rare, and a block holding one goes through the
 * 16-element block (b + b is 0xFE exactly for the NaN codes S.1111.111: one vpaddb and
 * one vpcmpeqb per 64, as the AVX2 _x64 block below). Step 1 places each byte in the high
 * half of a 16-bit lane by one in-lane vpshufb of the 16 bytes broadcast to both 128-bit
 * lanes (vbroadcasti128 from memory is a load), where vpmovzxbw and vpsllw took two. */
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx512skx_f8e4m3_f32_x64(const uint8_t* in,
                                                                                       float* out) {
  const __m512i b = _mm512_loadu_si512(in);
  if (__builtin_expect(_mm512_cmpeq_epi8_mask(_mm512_add_epi8(b, b), _mm512_set1_epi8((char) 0xFE)) != 0,
                       0)) {
    for (int j = 0; j < 4; j++) qb_cvt_f8fp_avx512skx_f8e4m3_f32_x16(in + 16 * j, out + 16 * j);
    return;
  }
  const __m256i place = _mm256_setr_epi8(-1, 0, -1, 1, -1, 2, -1, 3, -1, 4, -1, 5, -1, 6, -1, 7, -1, 8, -1, 9,
                                         -1, 10, -1, 11, -1, 12, -1, 13, -1, 14, -1, 15);
  for (int j = 0; j < 4; j++) {
    const __m256i w = _mm256_shuffle_epi8(
        _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*) (in + 16 * j))), place);
    const __m256i h = _mm256_and_si256(_mm256_srai_epi16(w, 1), _mm256_set1_epi16((short) 0xBFFF));
    _mm512_storeu_ps(out + 16 * j, _mm512_mul_ps(_mm512_cvtph_ps(h), _mm512_set1_ps(256.0f)));
  }
}

/*
 * 64 f32 -> 64 fp8 bytes: the rounding of the AVX2 32-element blocks (qb_f8_avx2_sum_madd,
 * steps 1-4 below) on 16 lanes, and a narrowing by packs of 10 operations per 64 (7 with
 * VBMI's vpermt2b, below). The 16-element blocks above narrow by vpmovdb, two uops on one
 * port on Zen 4, and take 10-12 operations per 16 for the rounding; these take 6.
 * 1-3. As qb_f8_avx2_sum_madd: b = -|x|, E = max(exponent of b, emin), magic by vpaddsw
 *    (a NaN past the format's range), S = magic - b, rounded to nearest even by the
 *    instruction ({rn-sae}, whatever MXCSR says).
 * 4. vpmaddwd with the words (256, 2^(1 + mbits)) gives 256 x code (the low word
 *    T + k - 2^16 times 256, the high word X << 7 times 2^(1 + mbits), which is 256 x
 *    (X << mbits)): a non-negative dword, below 2^18 unless the magic is a NaN, when it
 *    is 256 x (T - 2^16) + 0x7FFF x 2^(1 + mbits), above 256 x 0x7F.
 * 5. vpackssdw saturates it to 0x7FFF: the high byte of each word is min(code, 0x7F),
 *    e4m3's NaN code for every |x| from 464 up, inf and NaN; the low byte is 0 (0xFF
 *    where saturated). Saturating e4m3 and e5m2 send a block with any code past 0x7E /
 *    0x7C (two vpcmpgtw) through the 16-element blocks above, which give NaN and the
 *    saturated values their codes.
 * 6. The signs: vpackssdw of the raw inputs keeps each sign in bit 15 of a word laid out
 *    as the codes (signed saturation keeps the sign); one vpternlogd per 32 sets bit 15 of
 *    the code words from them. What is left is the high byte of each word, in element
 *    order: vpsrlw by 8, vpackuswb and one vpermd (the packs work within 128-bit lanes),
 *    or with VBMI one vpermt2b (below).
 */
static inline __m512i qb_f8_avx512_sum_madd(__m512i w, int mbits, int emin) {
  /* 1. */
  const __m512i b = _mm512_or_si512(w, _mm512_set1_epi32((int) 0x80000000));
  /* 2. */
  const __m512i e =
      _mm512_max_epu32(_mm512_and_si512(w, _mm512_set1_epi32(0x7F800000)), _mm512_set1_epi32(emin << 23));
  /* 3. */
  const int t = 65536 - ((emin + 23 - mbits) << mbits);
  const __m512i magic = _mm512_adds_epi16(e, _mm512_set1_epi32(((23 - mbits) << 23) + t));
  const __m512i q = _mm512_castps_si512(_mm512_sub_round_ps(
      _mm512_castsi512_ps(magic), _mm512_castsi512_ps(b), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  /* 4. */
  return _mm512_madd_epi16(q, _mm512_set1_epi32((2 << mbits) << 16 | 256));
}

/* Steps 1-6 up to the high bytes: r[0] holds elements 0-31, r[1] 32-63, as words of
 * vpackssdw (lane L: elements 4L to 4L + 3 of its first operand, then of its second).
 * `top`: the largest code that is neither NaN nor saturated (0x7F: e4m3, no test).
 * Returns 0 where a code past the top asks for the 16-element blocks. */
static inline __attribute__((always_inline)) int qb_f8_avx512_x64_words(const float* in, __m512i r[2],
                                                                        int mbits, int emin, int top) {
  __m512i w[4], p[4];
  for (int j = 0; j < 4; j++) {
    w[j] = _mm512_loadu_si512(in + 16 * j);
    p[j] = qb_f8_avx512_sum_madd(w[j], mbits, emin);
  }
  /* 5. */
  const __m512i c01 = _mm512_packs_epi32(p[0], p[1]);
  const __m512i c23 = _mm512_packs_epi32(p[2], p[3]);
  if (top < 0x7F) {
    const __m512i lim = _mm512_set1_epi16((short) (top << 8 | 0xFF));
    if (__builtin_expect((_mm512_cmpgt_epi16_mask(c01, lim) | _mm512_cmpgt_epi16_mask(c23, lim)) != 0, 0)) {
      return 0;
    }
  }
  /* 6. */
  const __m512i sign = _mm512_set1_epi16((short) 0x8000);
  r[0] = _mm512_ternarylogic_epi32(c01, _mm512_packs_epi32(w[0], w[1]), sign, 0xF8);
  r[1] = _mm512_ternarylogic_epi32(c23, _mm512_packs_epi32(w[2], w[3]), sign, 0xF8);
  return 1;
}

/* A block past the top (avx512skx: saturating e4m3 or e5m2; VBMI: every format, past its
 * fast range) through the 16-element blocks. */
static inline void qb_f8_avx512_x64_redo(const float* in, uint8_t* out, int mbits, int saturate) {
  for (int j = 0; j < 4; j++) {
    if (mbits == 3) {
      qb_cvt_f8fp_avx512skx_f32_f8e4m3_x16(in + 16 * j, out + 16 * j, saturate);
    } else {
      qb_cvt_f8fp_avx512skx_f32_f8e5m2_x16(in + 16 * j, out + 16 * j);
    }
  }
}

/* Blocks of block-loop.c.in (64 elements by the steps above; the remainder and the tail
 * by the 16-element blocks): after vpackuswb, 128-bit lane L holds the 4-byte groups of
 * elements 4L, 16 + 4L, 32 + 4L and 48 + 4L, which vpermd transposes into order. */
static inline __attribute__((always_inline)) void qb_f8_avx512_x64(const float* in, uint8_t* out, int mbits,
                                                                   int emin, int top) {
  __m512i r[2];
  if (!qb_f8_avx512_x64_words(in, r, mbits, emin, top)) {
    qb_f8_avx512_x64_redo(in, out, mbits, 1);
    return;
  }
  const __m512i b = _mm512_packus_epi16(_mm512_srli_epi16(r[0], 8), _mm512_srli_epi16(r[1], 8));
  _mm512_storeu_si512(out, _mm512_permutexvar_epi32(
                               _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), b));
}
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx512skx_f32_f8e4m3_x64(const float* in,
                                                                                       uint8_t* out,
                                                                                       int saturate) {
  qb_f8_avx512_x64(in, out, 3, QB_F8_E4M3_EMIN, saturate ? 0x7E : 0x7F);
}
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx512skx_f32_f8e5m2_x64(const float* in,
                                                                                       uint8_t* out) {
  qb_f8_avx512_x64(in, out, 2, QB_F8_E5M2_EMIN, 0x7C);
}

#endif /* __AVX512F__ */

#if defined(__AVX512VBMI__)
#include "lowbit/dq-avx512vbmi.h"

/*
 * 64 f32 -> 64 fp8 bytes with VBMI, by the MX quantizers' FMA form (lowbit/mxq-avx512.h,
 * qb__mx_fcodes_x32_avx512): 4 operations per 16 for the rounding, where
 * qb_f8_avx512_sum_madd takes 6, and 9 per 64 for the test, the gather, the top codes and
 * the signs (the packs above took 7, and 9 with the test of saturating e4m3 and e5m2):
 * 1. e = x & 0xFF800000 (+-2^E with x's sign, +-0 for a zero or subnormal x, +-inf for inf
 *    and NaN); e' = vrangeps(e, 2^emin, imm 3: the larger magnitude, e's sign) = +-2^E',
 *    E' = max(E, emin);
 * 2. s = fma(e', c, x), c = 2^(23 - mbits) (1 + d 2^-23): e' c is the magic number of
 *    qb_f8_avx512_round (exponent X = E' + 23 - mbits, biased) with x's sign and the
 *    constant mantissa d, so |s| = 2^X (1 + (d + k) 2^-23), k the count of target quanta of
 *    |x| rounded to nearest even (d is even; nearest even is symmetric, -x gives -s),
 *    0 <= k <= 2^(mbits + 1);
 * 3. vpmaddwd of s with the words (256, 2^(mbits + 1)): with d + k < 2^15 it is
 *    256 (d + k + (X << mbits)) - sign 2^(16 + mbits), and d = -(X0 << mbits) mod 256
 *    (X0 = emin + 23 - mbits, the X of the smallest binade) makes d + k + (X << mbits) =
 *    code + 256 q, q = (d + (X0 << mbits)) / 256, so for a code below 256 byte 1 is the
 *    code and byte 2 is q - sign 2^mbits mod 256: q < 2^mbits (5 for e4m3, 3 for e5m2)
 *    puts x's sign in its bit 7 (0 <= q < 128, q - 2^mbits + 256 >= 128);
 * 4. the test: a block with an X of 160 or more (e4m3: bit 5 or 6 of X, bits 28-29 of s,
 *    set, X >= 141 > 128 always; |x| >= 2^13) or 192 or more (e5m2: bit 6 of X, bit 29
 *    of s, X >= 134; |x| >= 2^44) goes
 *    through the 16-element blocks (qb_f8_avx512_x64_redo): inf, NaN (X = 255) and every
 *    |x| whose code might reach 256 among them (below the test the codes are at most
 *    160 and 236). Two vpternlogd or the four sums, one vptestmd;
 * 5. one vpermt2b per 32 elements gathers their code bytes and sign bytes (vectors 0, 1:
 *    codes in bytes 0-31, signs in 32-63; vectors 2, 3 the other way round), one byte blend
 *    takes the 64 codes in order, one vshufi64x2 the 64 signs;
 * 6. vpminub by the top code (0x7F: e4m3's NaN for every |x| from 464 up; 0x7E: 448,
 *    saturating; 0x7C: e5m2's inf from 61440 up), the sign bits on by one vpternlogd.
 */
static inline __attribute__((always_inline)) void qb_f8_avx512vbmi_x64(const float* in, uint8_t* out,
                                                                       int mbits, int emin, int top) {
  const int x0 = emin + 23 - mbits;
  const int d = -(x0 << mbits) & 255;
  const __m512 fl = _mm512_castsi512_ps(_mm512_set1_epi32(emin << 23));
  const __m512 c = _mm512_castsi512_ps(_mm512_set1_epi32(((150 - mbits) << 23) | d));
  const __m512i madd = _mm512_set1_epi32((2 << mbits) << 16 | 256);
  __m512i s[4], p[4];
  for (int i = 0; i < 4; i++) {
    __m512i w = _mm512_loadu_si512((const void*) (in + 16 * i));
    /* x is loaded once (GCC would fold the load into the and and the FMA: two loads). */
    __asm__("" : "+v"(w));
    /* 1, 2. */
    const __m512 e = _mm512_castsi512_ps(_mm512_and_si512(w, _mm512_set1_epi32((int) 0xFF800000u)));
    s[i] = _mm512_castps_si512(_mm512_fmadd_ps(_mm512_range_ps(e, fl, 0x03), c, _mm512_castsi512_ps(w)));
    /* 3. */
    p[i] = _mm512_madd_epi16(s[i], madd);
  }
  /* 4. 0xFE: A | B | C. */
  const __m512i any =
      _mm512_ternarylogic_epi32(_mm512_ternarylogic_epi32(s[0], s[1], s[2], 0xFE), s[3], s[3], 0xFE);
  const int xbits = mbits == 3 ? 0x30000000 : 0x20000000;
  if (__builtin_expect(_mm512_test_epi32_mask(any, _mm512_set1_epi32(xbits)) != 0, 0)) {
    qb_f8_avx512_x64_redo(in, out, mbits, top == 0x7E);
    return;
  }
  /* 5. Byte j < 32 of the first gather: byte 1 of dword j % 16 of vector j / 16 (the second
   * table from index 64); byte 32 + j: byte 2 of the same. The second gather: byte j < 32
   * the sign byte of element 32 + j, byte 32 + j its code. */
#define QB__F8G(j, b) (char) (64 * (((j) >> 4) & 1) + 4 * ((j) &15) + (b))
#define QB__F8G4(j, b) QB__F8G(j, b), QB__F8G((j) + 1, b), QB__F8G((j) + 2, b), QB__F8G((j) + 3, b)
#define QB__F8G16(j, b) QB__F8G4(j, b), QB__F8G4((j) + 4, b), QB__F8G4((j) + 8, b), QB__F8G4((j) + 12, b)
  _Alignas(64) static const char idx[2][64] = {
      {QB__F8G16(0, 1), QB__F8G16(16, 1), QB__F8G16(0, 2), QB__F8G16(16, 2)},
      {QB__F8G16(0, 2), QB__F8G16(16, 2), QB__F8G16(0, 1), QB__F8G16(16, 1)}};
#undef QB__F8G16
#undef QB__F8G4
#undef QB__F8G
  const __m512i a = _mm512_permutex2var_epi8(p[0], _mm512_load_si512(idx[0]), p[1]);
  const __m512i b = _mm512_permutex2var_epi8(p[2], _mm512_load_si512(idx[1]), p[3]);
  const __m512i code = _mm512_mask_blend_epi8(0xFFFFFFFF00000000ull, a, b);
  const __m512i sg = _mm512_shuffle_i64x2(a, b, 0x4E);
  /* 6. 0xF8: A | (B & C). */
  const __m512i m = _mm512_min_epu8(code, _mm512_set1_epi8((char) top));
  _mm512_storeu_si512(out, _mm512_ternarylogic_epi32(m, sg, _mm512_set1_epi8((char) 0x80), 0xF8));
}
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx512vbmi_f32_f8e4m3_x64(const float* in,
                                                                                        uint8_t* out,
                                                                                        int saturate) {
  qb_f8_avx512vbmi_x64(in, out, 3, QB_F8_E4M3_EMIN, saturate ? 0x7E : 0x7F);
}
static inline void qb_cvt_f8fp_avx512vbmi_f32_f8e4m3_x16(const float* in, uint8_t* out, int saturate) {
  qb_cvt_f8fp_avx512skx_f32_f8e4m3_x16(in, out, saturate);
}
static inline void qb_cvt_f8fp_avx512vbmi_f32_f8e4m3_tail(const float* in, uint8_t* out, size_t n,
                                                          int saturate) {
  qb_cvt_f8fp_avx512skx_f32_f8e4m3_tail(in, out, n, saturate);
}
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx512vbmi_f32_f8e5m2_x64(const float* in,
                                                                                        uint8_t* out) {
  qb_f8_avx512vbmi_x64(in, out, 2, QB_F8_E5M2_EMIN, 0x7C);
}
static inline void qb_cvt_f8fp_avx512vbmi_f32_f8e5m2_x16(const float* in, uint8_t* out) {
  qb_cvt_f8fp_avx512skx_f32_f8e5m2_x16(in, out);
}
static inline void qb_cvt_f8fp_avx512vbmi_f32_f8e5m2_tail(const float* in, uint8_t* out, size_t n) {
  qb_cvt_f8fp_avx512skx_f32_f8e5m2_tail(in, out, n);
}

/*
 * e4m3 -> f32 by tables (lowbit/dq-avx512vbmi.h, qb__dq512_f8_x64, shared with the MX FP8
 * dequantizers): two vpermt2b read each code's f32 bytes 3 and 2 from two 128-byte
 * tables, one vpternlogd adds the sign, and one vpermt2b per 16 codes builds the f32s:
 * 8 operations per 64 codes, against 22 for the F16C path above (avx512skx). Every code
 * reads its own value, NaN (0x7F, 0xFF) and subnormals included: no special path.
 */
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx512vbmi_f8e4m3_f32_x64(const uint8_t* in,
                                                                                        float* out) {
  const qb__dq512_f8_tables t = qb__dq512_f8_tables_load(1);
  __m512 v[4];
  qb__dq512_f8_x64(_mm512_loadu_si512(in), &t, v, 4);
  for (int j = 0; j < 4; j++) _mm512_storeu_ps(out + 16 * j, v[j]);
}
static inline void qb_cvt_f8fp_avx512vbmi_f8e4m3_f32_x16(const uint8_t* in, float* out) {
  const qb__dq512_f8_tables t = qb__dq512_f8_tables_load(1);
  __m512 v[4]; /* qb__dq512_f8_x64 fills only v[0] here */
  qb__dq512_f8_x64(_mm512_castsi128_si512(_mm_loadu_si128((const __m128i*) in)), &t, v, 1);
  _mm512_storeu_ps(out, v[0]);
}
static inline void qb_cvt_f8fp_avx512vbmi_f8e4m3_f32_tail(const uint8_t* in, float* out, size_t n) {
  const qb__dq512_f8_tables t = qb__dq512_f8_tables_load(1);
  const __mmask16 m = (__mmask16) ((1u << n) - 1u);
  __m512 v[4]; /* qb__dq512_f8_x64 fills only v[0] here */
  qb__dq512_f8_x64(_mm512_castsi128_si512(_mm_maskz_loadu_epi8(m, in)), &t, v, 1);
  _mm512_mask_storeu_ps(out, m, v[0]);
}

#endif /* __AVX512VBMI__ */

#if defined(__AVX2__) && defined(__F16C__)

/* Step 1 of both AVX2 encoders: |x| clamped (NaN lanes to `nanval`, see below) into *a,
 * and its exponent field, floored at the format's smallest normal binade, returned. */
static inline __m256i qb_f8_avx2_clamp(__m256i w, int emin, int clamp, int nanval, __m256i* a_out) {
  const __m256i abs = _mm256_and_si256(w, _mm256_set1_epi32(0x7FFFFFFF));
  const __m256i a =
      nanval < 0 ? _mm256_min_epu32(abs, _mm256_set1_epi32(clamp))
                 : _mm256_castps_si256(_mm256_min_ps(
                       _mm256_min_ps(_mm256_castsi256_ps(_mm256_set1_epi32(clamp)), _mm256_castsi256_ps(abs)),
                       _mm256_castsi256_ps(_mm256_set1_epi32(nanval))));
  *a_out = a;
  return _mm256_max_epu32(_mm256_and_si256(a, _mm256_set1_epi32(0x7F800000)), _mm256_set1_epi32(emin << 23));
}

/* 8 f32 -> 8 codes in the low byte of each 32-bit lane, the rest zero: the steps of
 * qb_f8_avx512_round and qb_f8_avx512_from_f32 (the offset is subtracted after the packs:
 * qb_f8_avx2_finish). The sign by a blend on the sign of x itself (vblendvps reads bit
 * 31) between q and q ^ 0x80. `nanval` >= 0: the bits of a float that rounds to the NaN
 * code (480 for e4m3, 98304 for e5m2), which NaN lanes take in step 1 by two vminps,
 * whose result is their second operand when either is NaN: min(CLAMP, |x|) keeps a NaN,
 * min(that, nanval) replaces it, and leaves every clamped value (< nanval) as it is. */
static inline __m256i qb_f8_avx2_bytes(__m256i w, int mbits, int emin, int clamp, int nanval) {
  __m256i a;
  const __m256i e = qb_f8_avx2_clamp(w, emin, clamp, nanval, &a);
  const __m256i p = _mm256_add_epi32(e, _mm256_set1_epi32((23 - mbits) << 23));
  const __m256i magic = _mm256_add_epi32(p, _mm256_srli_epi32(p, 23 - mbits));
  __m256i q = _mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(magic)));
  const __m256i qs = _mm256_xor_si256(q, _mm256_set1_epi32(0x80));
  q = _mm256_castps_si256(
      _mm256_blendv_ps(_mm256_castsi256_ps(q), _mm256_castsi256_ps(qs), _mm256_castsi256_ps(w)));
  return _mm256_and_si256(q, _mm256_set1_epi32(0xFF));
}

/*
 * The previous encoding, kept for kernels/lowbit/blkq-avx2.h: the code itself (sign
 * included) in the low byte of each 32-bit lane, the rest zero. |x| clamped to `clamp`
 * (QB_F8_E4M3_CLAMP: 512), the sum minus the magic number plus the exponent offset, then
 * min(code, top); NaN lanes (top != nan) take `nan`.
 */
#define QB_F8_E4M3_CLAMP 0x44000000 /* 512.0f */
#define QB_F8_E5M2_CLAMP 0x47800000 /* 65536.0f */
static inline __m256i qb_f8_avx2_from_f32(__m256i w, int mbits, int emin, int clamp, int top, int nan) {
  const __m256i abs = _mm256_and_si256(w, _mm256_set1_epi32(0x7FFFFFFF));
  const __m256i a = _mm256_min_epu32(abs, _mm256_set1_epi32(clamp));
  const __m256i e =
      _mm256_max_epu32(_mm256_and_si256(a, _mm256_set1_epi32(0x7F800000)), _mm256_set1_epi32(emin << 23));
  const __m256i magic = _mm256_add_epi32(e, _mm256_set1_epi32((23 - mbits) << 23));
  const __m256 sum = _mm256_add_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(magic));
  const __m256i k = _mm256_sub_epi32(_mm256_castps_si256(sum), magic);
  __m256i q =
      _mm256_add_epi32(k, _mm256_srli_epi32(_mm256_sub_epi32(e, _mm256_set1_epi32(emin << 23)), 23 - mbits));
  q = _mm256_min_epu32(q, _mm256_set1_epi32(top));
  if (top != nan) {
    const __m256i is_nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7F800000));
    q = _mm256_blendv_epi8(q, _mm256_set1_epi32(nan), is_nan);
  }
  return _mm256_or_si256(q, _mm256_and_si256(_mm256_srli_epi32(w, 24), _mm256_set1_epi32(0x80)));
}

/* The packed bytes less the offset of step 4. */
static inline __m256i qb_f8_avx2_finish(__m256i bytes, int mbits, int emin) {
  return _mm256_sub_epi8(bytes, _mm256_set1_epi8((char) QB_F8_OFF(mbits, emin)));
}
static inline __m256i qb_f8_avx2_e4m3(__m256i w, int saturate) {
  return saturate ? qb_f8_avx2_bytes(w, 3, QB_F8_E4M3_EMIN, QB_F8_E4M3SAT_CLAMP, QB_F8_E4M3_TOP_CLAMP)
                  : qb_f8_avx2_bytes(w, 3, QB_F8_E4M3_EMIN, QB_F8_E4M3_TOP_CLAMP, -1);
}

/* f8 e4m3fn -> f32 on 8 lanes from 8 bytes: qb_f8e4m3_avx512_to_f32's steps; NaN found
 * after the widening as the only magnitude that reads 480. */
static inline __m256 qb_f8e4m3_avx2_to_f32(__m128i b) {
  const __m128i w = _mm_slli_epi16(_mm_cvtepu8_epi16(b), 8);
  const __m128i h = _mm_and_si128(_mm_srai_epi16(w, 1), _mm_set1_epi16((short) 0xBFFF));
  const __m256 f = _mm256_mul_ps(_mm256_cvtph_ps(h), _mm256_set1_ps(256.0f));
  const __m256 sign = _mm256_castsi256_ps(_mm256_set1_epi32((int) 0x80000000));
  const __m256 is_nan = _mm256_cmp_ps(_mm256_andnot_ps(sign, f), _mm256_set1_ps(480.0f), _CMP_EQ_OQ);
  const __m256 nan = _mm256_or_ps(_mm256_and_ps(f, sign), _mm256_castsi256_ps(_mm256_set1_epi32(0x7FC00000)));
  return _mm256_blendv_ps(f, nan, is_nan);
}

/* Blocks of block-loop.c.in, as the AVX-512 ones above: 32 f32 -> 32 fp8 bytes in one
 * store (_x32), 8 (_x8), and 8 e4m3 bytes -> 8 f32 (32: below). */
static inline void qb_cvt_f8fp_avx2_f32_f8e4m3_x8(const float* in, uint8_t* out, int saturate) {
  const __m256i q = qb_f8_avx2_e4m3(_mm256_loadu_si256((const __m256i*) in), saturate);
  const __m128i b = _mm256_castsi256_si128(
      qb_f8_avx2_finish(_mm256_castsi128_si256(qb_cvt_avx2_pack_u8x1(q)), 3, QB_F8_E4M3_EMIN));
  _mm_storel_epi64((__m128i*) out, b);
}
static inline void qb_cvt_f8fp_avx2_f32_f8e5m2_x8(const float* in, uint8_t* out) {
  const __m256i q = qb_f8_avx2_bytes(_mm256_loadu_si256((const __m256i*) in), 2, QB_F8_E5M2_EMIN,
                                     QB_F8_E5M2_TOP_CLAMP, QB_F8_E5M2_NANVAL);
  const __m128i b = _mm256_castsi256_si128(
      qb_f8_avx2_finish(_mm256_castsi128_si256(qb_cvt_avx2_pack_u8x1(q)), 2, QB_F8_E5M2_EMIN));
  _mm_storel_epi64((__m128i*) out, b);
}
/*
 * The 32-element blocks take the code out of the sum by one multiplication and packs, the
 * sign out of the input by saturating packs, and the top codes (overflow, inf, NaN) by
 * the signed saturation of the last pack, in 35 vector operations per 32 elements; e4m3
 * saturating and e5m2, whose top codes differ from the NaN code, test the codes (2 more)
 * and send the rare block past the top through the _x8 blocks: 37. The byte shuffles of
 * the previous blocks took 42 (46):
 * 1. b = -|x| (bit 31 set), with no clamp.
 * 2. E = max(exponent field of b, emin), in place, as in step 2 above.
 * 3. magic = E + ((23 - mbits) << 23) + T by vpaddsw (16-bit signed saturating lanes),
 *    with the mantissa a constant T = 2^16 - OFF2, OFF2 = (emin + 23 - mbits) << mbits:
 *    its low half T (0 + T does not saturate), its high half (E + 23 - mbits) << 7,
 *    which saturates to 0x7FFF, a NaN, where E + 23 - mbits > 255; below that the same
 *    as a 32-bit addition, already a NaN where E + 23 - mbits = 255 (so every |x| from
 *    2^108 (e4m3) or 2^107 (e5m2) up, inf and NaN get a NaN magic). S = magic - b
 *    (vsubps: not commutative, so magic stays the first operand, whose NaN the
 *    subtraction returns when both are NaN): for finite magic the same rounded sum as
 *    |x| + magic (ties to even: T is even), with T + k < 2^16 (k <= 2^(mbits + 1)), so
 *    its low 16 bits are T + k and its high 16 bits X << 7 with X = E + 23 - mbits <= 255
 *    (positive as int16); for a NaN magic, its own quieted bits.
 * 4. vpmaddwd with the words (2^(7 - mbits), 1), which reads the low word as the signed
 *    T + k - 2^16, gives 2^(7 - mbits) * (k + (X << mbits) - OFF2) = 2^(7 - mbits) * code
 *    (step 4 above: the code is k + ((E - emin) << mbits)); below 2^15 for every input
 *    (a NaN magic gives 2^(7 - mbits) * (T - 2^16) + 0x7FFF or + 0x7FC0, a code above
 *    0x1C0), so vpackusdw saturates nothing and vpmulhuw by 2^(9 + mbits), whose high
 *    half is the code, leaves the code (>= 0) on 16-bit lanes.
 * 5. The top codes: vpacksswb makes the bytes min(code, 0x7F). Every code from 0x7F up
 *    is e4m3's NaN (|x| from 464 up, inf, NaN): done. Saturating e4m3 and e5m2: a block
 *    whose codes are all at most their top, 0x7E (448) and 0x7C (inf, |x| from 61440),
 *    holds no NaN, inf or larger |x|, and is done too (one vpcmpgtb and vpmovmskb); any
 *    other (none in finite data below the format's largest value) goes through the _x8
 *    blocks, which clamp |x| and give NaN its code (qb_f8_avx2_bytes).
 * 6. The signs: vpackssdw and vpacksswb of the raw inputs keep each one's sign in bit 7
 *    of a byte in the same order as the codes (signed saturation keeps the sign); and
 *    0x80, ORed into the codes (below 0x80), and one vpermd puts the 128-bit halves'
 *    4-byte groups in order.
 * The blocks are forced inline: GCC would otherwise call the x32 block, whose cold _x8
 * path makes it large.
 */
static inline __m256i qb_f8_avx2_sum_madd(__m256i w, int mbits, int emin) {
  /* 1. */
  const __m256i b = _mm256_or_si256(w, _mm256_set1_epi32((int) 0x80000000));
  /* 2. */
  const __m256i e =
      _mm256_max_epu32(_mm256_and_si256(b, _mm256_set1_epi32(0x7F800000)), _mm256_set1_epi32(emin << 23));
  /* 3. */
  const int t = 65536 - ((emin + 23 - mbits) << mbits);
  const __m256i magic = _mm256_adds_epi16(e, _mm256_set1_epi32(((23 - mbits) << 23) + t));
  const __m256i q = _mm256_castps_si256(_mm256_sub_ps(_mm256_castsi256_ps(magic), _mm256_castsi256_ps(b)));
  /* 4. */
  return _mm256_madd_epi16(q, _mm256_set1_epi32(1 << 16 | 1 << (7 - mbits)));
}
/* Steps 1-6 on 32 elements; `top`: the largest code that is neither NaN nor clamped
 * (0x7F: e4m3, no test). */
static inline __attribute__((always_inline)) void qb_f8_avx2_x32(const float* in, uint8_t* out, int mbits,
                                                                 int emin, int top) {
  __m256i w[4], p[4];
  for (int j = 0; j < 4; j++) {
    w[j] = _mm256_loadu_si256((const __m256i*) (in + 8 * j));
    p[j] = qb_f8_avx2_sum_madd(w[j], mbits, emin);
  }
  /* 4. */
  const __m256i k = _mm256_set1_epi16((short) (1 << (9 + mbits)));
  const __m256i c01 = _mm256_mulhi_epu16(_mm256_packus_epi32(p[0], p[1]), k);
  const __m256i c23 = _mm256_mulhi_epu16(_mm256_packus_epi32(p[2], p[3]), k);
  /* 5. */
  const __m256i c = _mm256_packs_epi16(c01, c23);
  if (top < 0x7F &&
      __builtin_expect(_mm256_movemask_epi8(_mm256_cmpgt_epi8(c, _mm256_set1_epi8((char) top))) != 0, 0)) {
    for (int j = 0; j < 4; j++) {
      if (mbits == 3) {
        qb_cvt_f8fp_avx2_f32_f8e4m3_x8(in + 8 * j, out + 8 * j, 1);
      } else {
        qb_cvt_f8fp_avx2_f32_f8e5m2_x8(in + 8 * j, out + 8 * j);
      }
    }
    return;
  }
  /* 6. */
  const __m256i sg = _mm256_packs_epi16(_mm256_packs_epi32(w[0], w[1]), _mm256_packs_epi32(w[2], w[3]));
  const __m256i r = _mm256_or_si256(c, _mm256_and_si256(sg, _mm256_set1_epi8((char) 0x80)));
  _mm256_storeu_si256((__m256i*) out,
                      _mm256_permutevar8x32_epi32(r, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx2_f32_f8e4m3_x32(const float* in,
                                                                                  uint8_t* out,
                                                                                  int saturate) {
  qb_f8_avx2_x32(in, out, 3, QB_F8_E4M3_EMIN, saturate ? 0x7E : 0x7F);
}
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx2_f32_f8e5m2_x32(const float* in,
                                                                                  uint8_t* out) {
  qb_f8_avx2_x32(in, out, 2, QB_F8_E5M2_EMIN, 0x7C);
}
static inline void qb_cvt_f8fp_avx2_f8e4m3_f32_x8(const uint8_t* in, float* out) {
  _mm256_storeu_ps(out, qb_f8e4m3_avx2_to_f32(_mm_loadl_epi64((const __m128i*) in)));
}

/*
 * 32 e4m3 bytes -> 32 f32 in one 32-byte load, the steps of qb_f8e4m3_avx512_to_f32 on
 * 16-bit lanes with no cross-lane widening:
 * 1. vpunpck{l,h}bw with zero puts byte i in the high half of a 16-bit lane (lo: bytes
 *    0-7 | 16-23, hi: 8-15 | 24-31); an arithmetic shift right by 1 and a mask make the
 *    f16 s.0eeee.mmm0000000 (the value times 2^-8, e4m3 subnormals included).
 * 2. vcvtph2ps on each 128-bit half (exact) and a multiplication by 2^8 (exact); the
 *    halves go to out + 0, 8, 16, 24 as the unpacks laid them out. On Zen 3 vcvtph2ps
 *    from a register issues once per cycle and shares that slot with the cross-lane
 *    operations (vextracti128 for the high halves), while its memory form issues twice
 *    per cycle: lo and hi are stored to a 64-byte stack buffer and all four halves
 *    convert from memory (qb_cvt_f16c_cvtph_mem), no cross-lane operation, 6 stores per
 *    32 elements (the register route: 4 conversions and 2 vextracti128 in the one slot).
 * 3. NaN (S.1111.111, read as 480 above) is rare: a block holding one goes through the
 *    _x8 block, which makes it the canonical NaN; the others need no fix. The _x64 block
 *    tests its two loads at once: b + b (bytes) is 0xFE exactly for the NaN codes and
 *    below it for every other, so one vpmaxub, one vpcmpeqb and one vpmovmskb per 64.
 */
static inline __m256i qb_f8e4m3_avx2_f16(__m256i u) {
  return _mm256_and_si256(_mm256_srai_epi16(u, 1), _mm256_set1_epi16((short) 0xBFFF));
}

/* Steps 1 and 2 on the 32 bytes b, through buf (32 f16, 32-byte aligned). */
static inline __attribute__((always_inline)) void qb_f8e4m3_avx2_f32_x32(__m256i b, float* out,
                                                                         uint16_t* buf) {
  _mm256_store_si256((__m256i*) buf, qb_f8e4m3_avx2_f16(_mm256_unpacklo_epi8(_mm256_setzero_si256(), b)));
  _mm256_store_si256((__m256i*) (buf + 16),
                     qb_f8e4m3_avx2_f16(_mm256_unpackhi_epi8(_mm256_setzero_si256(), b)));
  const __m256 k = _mm256_set1_ps(256.0f);
  _mm256_storeu_ps(out, _mm256_mul_ps(qb_cvt_f16c_cvtph_mem(buf), k));
  _mm256_storeu_ps(out + 8, _mm256_mul_ps(qb_cvt_f16c_cvtph_mem(buf + 16), k));
  _mm256_storeu_ps(out + 16, _mm256_mul_ps(qb_cvt_f16c_cvtph_mem(buf + 8), k));
  _mm256_storeu_ps(out + 24, _mm256_mul_ps(qb_cvt_f16c_cvtph_mem(buf + 24), k));
}
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx2_f8e4m3_f32_x32(const uint8_t* in,
                                                                                  float* out) {
  const __m256i b = _mm256_loadu_si256((const __m256i*) in);
  /* 3. */
  const __m256i nan =
      _mm256_cmpeq_epi8(_mm256_or_si256(b, _mm256_set1_epi8((char) 0x80)), _mm256_set1_epi8(-1));
  if (_mm256_movemask_epi8(nan) != 0) {
    for (int j = 0; j < 4; j++) qb_cvt_f8fp_avx2_f8e4m3_f32_x8(in + 8 * j, out + 8 * j);
    return;
  }
  _Alignas(32) uint16_t buf[32];
  qb_f8e4m3_avx2_f32_x32(b, out, buf);
}
static inline __attribute__((always_inline)) void qb_cvt_f8fp_avx2_f8e4m3_f32_x64(const uint8_t* in,
                                                                                  float* out) {
  const __m256i b0 = _mm256_loadu_si256((const __m256i*) in);
  const __m256i b1 = _mm256_loadu_si256((const __m256i*) (in + 32));
  /* 3. */
  const __m256i top = _mm256_max_epu8(_mm256_add_epi8(b0, b0), _mm256_add_epi8(b1, b1));
  if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(top, _mm256_set1_epi8((char) 0xFE))) != 0) {
    for (int j = 0; j < 8; j++) qb_cvt_f8fp_avx2_f8e4m3_f32_x8(in + 8 * j, out + 8 * j);
    return;
  }
  _Alignas(32) uint16_t buf[64];
  qb_f8e4m3_avx2_f32_x32(b0, out, buf);
  qb_f8e4m3_avx2_f32_x32(b1, out + 32, buf + 32);
}

#endif /* __AVX2__ && __F16C__ */

#endif /* QB_CVT_F8_X86_H */
