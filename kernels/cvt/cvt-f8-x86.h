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
 * Encoding f32 -> fp8 (mbits mantissa bits, smallest normal exponent field `emin`, the
 * f32 biased exponent of the format's smallest normal: 121 for e4m3, 113 for e5m2):
 * 1. |x| is clamped (as an integer) to a power of two just above the format's overflow
 *    threshold (512 for e4m3, 65536 for e5m2), so inf and huge values stay finite and
 *    round to a code above the largest finite one.
 * 2. E = max(exponent field of |x|, emin), kept in place (E << 23: one mask and one max):
 *    subnormal targets share the smallest normal's spacing, 2^(emin - 127 - mbits).
 * 3. magic = 2^(E - 127 + 23 - mbits): in |x| + magic the last mantissa bit of the sum is
 *    worth exactly the target's spacing at |x|'s binade, so the addition rounds |x| to
 *    the target's precision, ties to even (the rounding mode: embedded in the AVX-512
 *    instruction; MXCSR's, nearest even as qbench never changes it, for AVX2).
 * 4. k = bits(sum) - bits(magic) = |x| / spacing, rounded: 2^mbits <= k <= 2^(mbits + 1)
 *    for normal targets, 0 <= k <= 2^mbits for subnormal ones. The code without sign is
 *    ((E - emin) << mbits) + k: the implicit bit in k supplies the exponent's + 1, and a
 *    carry (k = 2^(mbits + 1), or a subnormal rounding up to 2^mbits) lands on the next
 *    exponent by itself.
 * 5. The caller clamps the code (overflow to NaN, inf or the saturated value) and puts in
 *    the NaN code and the sign.
 */
#define QB_F8_E4M3_EMIN 121
#define QB_F8_E5M2_EMIN 113
#define QB_F8_E4M3_CLAMP 0x44000000 /* 512.0f */
#define QB_F8_E5M2_CLAMP 0x47800000 /* 65536.0f */

#if defined(__AVX512F__)

static inline __m512i qb_f8_avx512_encode(__m512i abs, int mbits, int emin, int clamp) {
  /* 1. */
  const __m512i a = _mm512_min_epu32(abs, _mm512_set1_epi32(clamp));
  /* 2. E in place (E << 23): the exponent field masked, at least emin's. */
  const __m512i e =
      _mm512_max_epu32(_mm512_and_si512(a, _mm512_set1_epi32(0x7F800000)), _mm512_set1_epi32(emin << 23));
  /* 3. */
  const __m512i magic = _mm512_add_epi32(e, _mm512_set1_epi32((23 - mbits) << 23));
  const __m512 sum = _mm512_add_round_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(magic),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  /* 4. (E - emin) << mbits as ((E - emin) << 23) >> (23 - mbits). */
  const __m512i k = _mm512_sub_epi32(_mm512_castps_si512(sum), magic);
  return _mm512_add_epi32(k,
                          _mm512_srli_epi32(_mm512_sub_epi32(e, _mm512_set1_epi32(emin << 23)), 23 - mbits));
}

/* 16 f32 -> 16 fp8 bytes. `top`: the largest code kept (0x7F: e4m3 overflow to NaN, 0x7E:
 * saturated, 0x7C: e5m2 inf); `nan`: the NaN code. */
static inline __m128i qb_f8_avx512_from_f32(__m512i w, int mbits, int emin, int clamp, int top, int nan) {
  const __m512i abs = _mm512_and_si512(w, _mm512_set1_epi32(0x7FFFFFFF));
  __m512i q = _mm512_min_epu32(qb_f8_avx512_encode(abs, mbits, emin, clamp), _mm512_set1_epi32(top));
  /* A NaN was clamped like a huge value (step 1): it already has the code `top`, which is
   * the NaN code where overflow gives NaN (e4m3 without saturation). */
  if (top != nan) {
    const __mmask16 is_nan = _mm512_cmpgt_epu32_mask(abs, _mm512_set1_epi32(0x7F800000));
    q = _mm512_mask_mov_epi32(q, is_nan, _mm512_set1_epi32(nan));
  }
  /* The sign: bit 31 shifted to bit 7, merged by one ternary op (q | (s & 0x80)). */
  q = _mm512_ternarylogic_epi32(q, _mm512_srli_epi32(w, 24), _mm512_set1_epi32(0x80), 0xF8);
  return _mm512_cvtepi32_epi8(q);
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
static inline void qb_cvt_f8fp_avx512skx_f32_f8e4m3_x16(const float* in, uint8_t* out, int saturate) {
  const __m512i w = _mm512_loadu_si512(in);
  _mm_storeu_si128((__m128i*) out, qb_f8_avx512_from_f32(w, 3, QB_F8_E4M3_EMIN, QB_F8_E4M3_CLAMP,
                                                         saturate ? 0x7E : 0x7F, 0x7F));
}
static inline void qb_cvt_f8fp_avx512skx_f32_f8e4m3_tail(const float* in, uint8_t* out, size_t n,
                                                         int saturate) {
  const __mmask16 m = (__mmask16) ((1u << n) - 1u);
  const __m512i w = _mm512_maskz_loadu_epi32(m, in);
  _mm_mask_storeu_epi8(
      out, m, qb_f8_avx512_from_f32(w, 3, QB_F8_E4M3_EMIN, QB_F8_E4M3_CLAMP, saturate ? 0x7E : 0x7F, 0x7F));
}

/* f32 -> e5m2: overflow and inf to inf (0x7C), NaN 0x7E; signed. */
static inline void qb_cvt_f8fp_avx512skx_f32_f8e5m2_x16(const float* in, uint8_t* out) {
  const __m512i w = _mm512_loadu_si512(in);
  _mm_storeu_si128((__m128i*) out,
                   qb_f8_avx512_from_f32(w, 2, QB_F8_E5M2_EMIN, QB_F8_E5M2_CLAMP, 0x7C, 0x7E));
}
static inline void qb_cvt_f8fp_avx512skx_f32_f8e5m2_tail(const float* in, uint8_t* out, size_t n) {
  const __mmask16 m = (__mmask16) ((1u << n) - 1u);
  const __m512i w = _mm512_maskz_loadu_epi32(m, in);
  _mm_mask_storeu_epi8(out, m, qb_f8_avx512_from_f32(w, 2, QB_F8_E5M2_EMIN, QB_F8_E5M2_CLAMP, 0x7C, 0x7E));
}

/* e4m3 -> f32 (qb_f8e4m3_avx512_to_f32): exact. */
static inline void qb_cvt_f8fp_avx512skx_f8e4m3_f32_x16(const uint8_t* in, float* out) {
  _mm512_storeu_ps(out, qb_f8e4m3_avx512_to_f32(_mm_loadu_si128((const __m128i*) in)));
}
static inline void qb_cvt_f8fp_avx512skx_f8e4m3_f32_tail(const uint8_t* in, float* out, size_t n) {
  const __mmask16 m = (__mmask16) ((1u << n) - 1u);
  _mm512_mask_storeu_ps(out, m, qb_f8e4m3_avx512_to_f32(_mm_maskz_loadu_epi8(m, in)));
}

#endif /* __AVX512F__ */

#if defined(__AVX2__) && defined(__F16C__)

static inline __m256i qb_f8_avx2_encode(__m256i abs, int mbits, int emin, int clamp) {
  const __m256i a = _mm256_min_epu32(abs, _mm256_set1_epi32(clamp));
  const __m256i e =
      _mm256_max_epu32(_mm256_and_si256(a, _mm256_set1_epi32(0x7F800000)), _mm256_set1_epi32(emin << 23));
  const __m256i magic = _mm256_add_epi32(e, _mm256_set1_epi32((23 - mbits) << 23));
  const __m256 sum = _mm256_add_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(magic));
  const __m256i k = _mm256_sub_epi32(_mm256_castps_si256(sum), magic);
  return _mm256_add_epi32(k,
                          _mm256_srli_epi32(_mm256_sub_epi32(e, _mm256_set1_epi32(emin << 23)), 23 - mbits));
}

/* 8 f32 -> 8 codes in the low byte of each 32-bit lane (sign included). */
static inline __m256i qb_f8_avx2_from_f32(__m256i w, int mbits, int emin, int clamp, int top, int nan) {
  const __m256i abs = _mm256_and_si256(w, _mm256_set1_epi32(0x7FFFFFFF));
  __m256i q = _mm256_min_epu32(qb_f8_avx2_encode(abs, mbits, emin, clamp), _mm256_set1_epi32(top));
  if (top != nan) { /* as qb_f8_avx512_from_f32 */
    const __m256i is_nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7F800000));
    q = _mm256_blendv_epi8(q, _mm256_set1_epi32(nan), is_nan);
  }
  return _mm256_or_si256(q, _mm256_and_si256(_mm256_srli_epi32(w, 24), _mm256_set1_epi32(0x80)));
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
 * store (_x32), 8 (_x8), and 8 e4m3 bytes -> 8 f32. */
static inline void qb_cvt_f8fp_avx2_f32_f8e4m3_x32(const float* in, uint8_t* out, int saturate) {
  __m256i q[4];
  for (int j = 0; j < 4; j++) {
    q[j] = qb_f8_avx2_from_f32(_mm256_loadu_si256((const __m256i*) (in + 8 * j)), 3, QB_F8_E4M3_EMIN,
                               QB_F8_E4M3_CLAMP, saturate ? 0x7E : 0x7F, 0x7F);
  }
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_pack_u8x4(q[0], q[1], q[2], q[3]));
}
static inline void qb_cvt_f8fp_avx2_f32_f8e4m3_x8(const float* in, uint8_t* out, int saturate) {
  const __m256i q = qb_f8_avx2_from_f32(_mm256_loadu_si256((const __m256i*) in), 3, QB_F8_E4M3_EMIN,
                                        QB_F8_E4M3_CLAMP, saturate ? 0x7E : 0x7F, 0x7F);
  _mm_storel_epi64((__m128i*) out, qb_cvt_avx2_pack_u8x1(q));
}
static inline void qb_cvt_f8fp_avx2_f32_f8e5m2_x32(const float* in, uint8_t* out) {
  __m256i q[4];
  for (int j = 0; j < 4; j++) {
    q[j] = qb_f8_avx2_from_f32(_mm256_loadu_si256((const __m256i*) (in + 8 * j)), 2, QB_F8_E5M2_EMIN,
                               QB_F8_E5M2_CLAMP, 0x7C, 0x7E);
  }
  _mm256_storeu_si256((__m256i*) out, qb_cvt_avx2_pack_u8x4(q[0], q[1], q[2], q[3]));
}
static inline void qb_cvt_f8fp_avx2_f32_f8e5m2_x8(const float* in, uint8_t* out) {
  const __m256i q = qb_f8_avx2_from_f32(_mm256_loadu_si256((const __m256i*) in), 2, QB_F8_E5M2_EMIN,
                                        QB_F8_E5M2_CLAMP, 0x7C, 0x7E);
  _mm_storel_epi64((__m128i*) out, qb_cvt_avx2_pack_u8x1(q));
}
static inline void qb_cvt_f8fp_avx2_f8e4m3_f32_x8(const uint8_t* in, float* out) {
  _mm256_storeu_ps(out, qb_f8e4m3_avx2_to_f32(_mm_loadl_epi64((const __m128i*) in)));
}

#endif /* __AVX2__ && __F16C__ */

#endif /* QB_CVT_F8_X86_H */
