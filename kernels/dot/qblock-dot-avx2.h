/*
 * AVX2 pieces of the llama.cpp block dots (q8_0 . q8_0, q4_0 . q8_0): exact per-block
 * int32 sums, four blocks at a time. Included only by -avx2- files.
 */
#ifndef QB_QBLOCK_DOT_AVX2_H
#define QB_QBLOCK_DOT_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#include "qb/ukernel.h"

/* The 8 s32 lanes of 32 s8 x 32 s8 products: sign-extended to 16 bits and multiplied by
 * vpmaddwd, exact for every byte (vpmaddubsw's sign trick fails on -128). */
static inline __m256i qb__dot32_s8(__m256i a, __m256i b) {
  const __m256i a0 = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(a));
  const __m256i a1 = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(a, 1));
  const __m256i b0 = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(b));
  const __m256i b1 = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(b, 1));
  return _mm256_add_epi32(_mm256_madd_epi16(a0, b0), _mm256_madd_epi16(a1, b1));
}

/* The 32 codes of a q4_0 block minus 8 as s8, in element order: low nibbles (0..15) then
 * high nibbles (16..31). */
static inline __m256i qb__q4_0_codes(const qb_block_q4_0* x) {
  const __m128i q = _mm_loadu_si128((const __m128i*) x->qs);
  const __m128i m = _mm_set1_epi8(15);
  const __m256i c = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), m), _mm_and_si128(q, m));
  return _mm256_sub_epi8(c, _mm256_set1_epi8(8));
}

/* Four blocks' lane sums -> their four totals, in order. */
static inline void qb__hsum4(__m256i s0, __m256i s1, __m256i s2, __m256i s3, int32_t* out) {
  const __m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(s0, s1), _mm256_hadd_epi32(s2, s3));
  _mm_storeu_si128((__m128i*) out, _mm_add_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1)));
}

static inline float qb__f16_avx2(uint16_t h) {
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}

#endif /* QB_QBLOCK_DOT_AVX2_H */
