/*
 * Horizontal reductions shared by the x86 dot kernels. Included only by kernel files
 * whose ISA has AVX2 (the 512-bit helpers also need AVX-512F), and compiled with that
 * file's flags. Integer sums use the intrinsics' wrapping adds, never C's signed `+`,
 * so the modulo-2^32 arguments of README.md hold without undefined behaviour.
 */
#ifndef QB_DOT_X86_H
#define QB_DOT_X86_H

#include <immintrin.h>
#include <stdint.h>

static inline float qb__hsum_ps128(__m128 s) {
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

static inline float qb__hsum_ps256(__m256 v) {
  return qb__hsum_ps128(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)));
}

static inline int32_t qb__hsum_epi32_128(__m128i s) {
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

static inline int32_t qb__hsum_epi32_256(__m256i v) {
  return qb__hsum_epi32_128(_mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

#ifdef __AVX512F__
static inline float qb__hsum_ps512(__m512 v) {
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  return qb__hsum_ps256(_mm256_add_ps(_mm512_castps512_ps256(v), hi));
}

static inline int32_t qb__hsum_epi32_512(__m512i v) {
  return qb__hsum_epi32_256(_mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)));
}

/* The low `count` lanes (count < 64) of a byte/word/dword mask. */
static inline __mmask64 qb__mask_low64(size_t count) {
  return ((__mmask64) 1 << count) - 1;
}
#endif

#endif /* QB_DOT_X86_H */
