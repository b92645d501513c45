/*
 * AVX2 int4 group . s8 dots (W4A8; kernels/quant/README.md "int4 groups"), included only
 * by -avx2- files (int4g-dot.c.in). Eight groups at a time, as the exact block dots of
 * qblock-dot-avx2.h: each group's exact int32 sum of (code - z) * a in 8 lanes, the
 * eight groups' lanes reduced to one vector of eight totals by one transposing tree,
 * converted to f32 (exact: |isum| <= 128 * 255 * 128 < 2^24), multiplied by the eight
 * f16 scales widened by one vcvtph2ps (each product rounded once, as the reference's
 * (float) isum * s), then added to the one f32 accumulator group by group, in order:
 * bit-exact with the scalar reference. Symmetric codes s4(c) = (c ^ 8) - 8: z = 8 on the
 * codes with their top bit flipped.
 */
#ifndef QB_INT4G_DOT_AVX2_H
#define QB_INT4G_DOT_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "dot/qblock-dot-avx2.h"
#include "qb/ukernel.h"

#define QB__INT4G_DOT_AVX2_INLINE static inline __attribute__((always_inline))

/*
 * One group of g (a multiple of 32): 8 s32 lanes whose sum is the group's exact
 * sum of (code - z) * a, for any zero point byte z.
 * 1. 16 packed bytes (32 codes, element 2j in the low nibble of byte j) zero-extended to
 *    16-bit words w_j = byte j; (w | w << 4) & 0x0F0F puts element 2j's code in the low
 *    byte of word j and element 2j + 1's in the high byte: the codes in element order,
 *    with no byte shuffle beyond the widening.
 * 2. vpmaddubsw of the codes (u8, 0..15) by the activations (s8) and of ones by the
 *    activations: pairs within 2 * 15 * 128 and 2 * 128, summed over the group's
 *    g / 32 chunks in s16 (at most 4 * 3840 for g = 128): never saturating or wrapping.
 * 3. vpmaddwd widens: sum(code * a) by ones, z * sum(a) by z in every word (pairs within
 *    2 * 4 * 256 * 255), and the difference is the group's sum, lane by lane.
 */
QB__INT4G_DOT_AVX2_INLINE __m256i qb__avx2_int4g_lanes(const uint8_t* qs, int32_t z, const int8_t* a,
                                                       unsigned g, int sym) {
  const __m256i nib = _mm256_set1_epi16(0x0F0F);
  const __m256i ones8 = _mm256_set1_epi8(1);
  __m256i ca = _mm256_setzero_si256(), sa = _mm256_setzero_si256();
  for (unsigned i = 0; i < g; i += 32) {
    const __m256i w = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i*) (qs + i / 2)));
    __m256i c = _mm256_and_si256(_mm256_or_si256(w, _mm256_slli_epi16(w, 4)), nib);
    if (sym) c = _mm256_xor_si256(c, _mm256_set1_epi8(8));
    const __m256i av = _mm256_loadu_si256((const __m256i*) (a + i));
    ca = _mm256_add_epi16(ca, _mm256_maddubs_epi16(c, av));
    sa = _mm256_add_epi16(sa, _mm256_maddubs_epi16(ones8, av));
  }
  return _mm256_sub_epi32(_mm256_madd_epi16(ca, _mm256_set1_epi16(1)),
                          _mm256_madd_epi16(sa, _mm256_set1_epi16((short) (sym ? 8 : z))));
}

/* One group's exact int32 sum (the tail groups). */
QB__INT4G_DOT_AVX2_INLINE int32_t qb__avx2_int4g_isum(const uint8_t* qs, int32_t z, const int8_t* a,
                                                      unsigned g, int sym) {
  const __m256i v = qb__avx2_int4g_lanes(qs, z, a, g, sym);
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

/* One group's f16 scale, widened exactly. */
QB__INT4G_DOT_AVX2_INLINE float qb__avx2_int4g_scale(const uint8_t* d) {
  uint16_t h;
  memcpy(&h, d, 2);
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}

#endif /* QB_INT4G_DOT_AVX2_H */
