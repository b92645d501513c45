/*
 * AVX2 int4 group . s8 dots (W4A8; kernels/quant/README.md "int4 groups"), included only
 * by -avx2- files. Per group the exact int32 sum of (code - z) * a, as
 * sum(code * a) - z * sum(a): vpmaddubsw takes the codes (0..15) as its unsigned operand
 * and the activations as its signed one (a pair sums to at most 2 * 15 * 128 in magnitude,
 * and 2 * 128 for sum(a): never saturating), vpmaddwd widens. Integer sums in any order
 * are the reference's; the f32 accumulation acc += (float) isum * s runs group by group in
 * order, so every result is bit-exact. Symmetric codes s4(c) = (c ^ 8) - 8: z = 8 on the
 * codes with their top bit flipped.
 */
#ifndef QB_INT4G_DOT_AVX2_H
#define QB_INT4G_DOT_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"

#define QB__INT4G_DOT_AVX2_INLINE static inline __attribute__((always_inline))

QB__INT4G_DOT_AVX2_INLINE int32_t qb__avx2_int4g_hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

/* One group of g: the exact int32 sum of (code - z) * a. */
QB__INT4G_DOT_AVX2_INLINE int32_t qb__avx2_int4g_dot_group(const uint8_t* qs, int32_t z, const int8_t* a,
                                                           unsigned g, int sym) {
  const __m128i m = _mm_set1_epi8(15);
  const __m256i ones16 = _mm256_set1_epi16(1);
  const __m256i ones8 = _mm256_set1_epi8(1);
  __m256i ca = _mm256_setzero_si256(), sa = _mm256_setzero_si256();
  for (unsigned i = 0; i < g; i += 32) {
    const __m128i q = _mm_loadu_si128((const __m128i*) (qs + i / 2));
    const __m128i lo = _mm_and_si128(q, m), hi = _mm_and_si128(_mm_srli_epi16(q, 4), m);
    __m256i c = _mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));
    if (sym) c = _mm256_xor_si256(c, _mm256_set1_epi8(8));
    const __m256i av = _mm256_loadu_si256((const __m256i*) (a + i));
    ca = _mm256_add_epi32(ca, _mm256_madd_epi16(_mm256_maddubs_epi16(c, av), ones16));
    sa = _mm256_add_epi32(sa, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, av), ones16));
  }
  return qb__avx2_int4g_hsum(ca) - (sym ? 8 : z) * qb__avx2_int4g_hsum(sa);
}

QB__INT4G_DOT_AVX2_INLINE float qb__avx2_int4g_scale(const uint8_t* d) {
  uint16_t h;
  memcpy(&h, d, 2);
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}

#endif /* QB_INT4G_DOT_AVX2_H */
