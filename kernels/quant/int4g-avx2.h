/*
 * AVX2 (+F16C) groups of int4 group quantization (int4g-scalar.h gives the semantics),
 * included only by -avx2- files; the group length g (a multiple of 32) is a parameter, so
 * that one function serves qu4g32, qu4g64 and qu4g128. Bit-exact with the reference: the
 * range by min/max (vminps(x, acc) is exactly the reference's `x < lo ? x : lo`, NaN
 * skipped), the scale and zero point by the reference's own scalar code, then the codes
 * by true f32 divisions and vroundps to nearest even, as round_even(x / s).
 */
#ifndef QB_INT4G_AVX2_H
#define QB_INT4G_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

#define QB__INT4G_AVX2_INLINE static inline __attribute__((always_inline))

/* 32 int32 codes in [0, 15] (four vectors, element order) -> 16 bytes, element 2j in the
 * low nibble of byte j: packed to bytes in order, then each byte pair summed as
 * c[2j] + 16 c[2j + 1] by vpmaddubsw and narrowed. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_pack32(const __m256i* c, uint8_t* out) {
  const __m256i w = _mm256_packus_epi16(_mm256_packs_epi32(c[0], c[1]), _mm256_packs_epi32(c[2], c[3]));
  const __m256i bytes = _mm256_permutevar8x32_epi32(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  const __m256i pairs = _mm256_maddubs_epi16(bytes, _mm256_set1_epi16(0x1001));
  _mm_storeu_si128((__m128i*) out,
                   _mm_packus_epi16(_mm256_castsi256_si128(pairs), _mm256_extracti128_si256(pairs, 1)));
}

/* One asymmetric group (the steps of qb__int4g_quant_group). */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant(const float* x, unsigned g, uint8_t* d, uint8_t* z,
                                                uint8_t* qs) {
  __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
  for (unsigned i = 0; i < g; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    lo = _mm256_min_ps(v, lo);
    hi = _mm256_max_ps(v, hi);
  }
  __m128 l4 = _mm_min_ps(_mm256_castps256_ps128(lo), _mm256_extractf128_ps(lo, 1));
  __m128 h4 = _mm_max_ps(_mm256_castps256_ps128(hi), _mm256_extractf128_ps(hi, 1));
  l4 = _mm_min_ps(l4, _mm_movehl_ps(l4, l4));
  h4 = _mm_max_ps(h4, _mm_movehl_ps(h4, h4));
  float lof = _mm_cvtss_f32(_mm_min_ss(l4, _mm_movehdup_ps(l4)));
  float hif = _mm_cvtss_f32(_mm_max_ss(h4, _mm_movehdup_ps(h4)));
  if (lof == 0.0f && hif == 0.0f) {
    lof = -1.0f;
    hif = 1.0f;
  }
  const float s = qb__int4g_store_scale((hif - lof) / 15.0f, d);
  float zf = s != 0.0f ? qb__round_even(-lof / s) : 0.0f;
  zf = zf == zf ? zf : 0.0f;
  zf = zf < 0.0f ? 0.0f : zf > 15.0f ? 15.0f : zf;
  *z = (uint8_t) zf;
  if (s == 0.0f) {
    memset(qs, 0, g / 2);
    return;
  }
  const __m256 sv = _mm256_set1_ps(s), zv = _mm256_set1_ps(zf);
  const __m256 top = _mm256_set1_ps(15.0f);
  for (unsigned i = 0; i < g; i += 32) {
    __m256i c[4];
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
      __m256 r = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + i + 8 * k), sv),
                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      r = _mm256_and_ps(r, _mm256_cmp_ps(r, r, _CMP_ORD_Q)); /* NaN: the code z */
      const __m256 q = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(r, zv), _mm256_setzero_ps()), top);
      c[k] = _mm256_cvttps_epi32(q);
    }
    qb__avx2_int4g_pack32(c, qs + i / 2);
  }
}

/* One symmetric group (qb__int4g_quant_group_sym): codes in [-8, 7] as nibbles. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_sym(const float* x, unsigned g, uint8_t* d, uint8_t* qs) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 m = _mm256_setzero_ps();
  for (unsigned i = 0; i < g; i += 8) m = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), absm), m);
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  const float amax = _mm_cvtss_f32(_mm_max_ss(m4, _mm_movehdup_ps(m4)));
  const float s = qb__int4g_store_scale(amax / 7.0f, d);
  if (s == 0.0f) {
    memset(qs, 0, g / 2);
    return;
  }
  const __m256 sv = _mm256_set1_ps(s);
  const __m256 bot = _mm256_set1_ps(-8.0f), top = _mm256_set1_ps(7.0f);
  const __m256i nib = _mm256_set1_epi32(15);
  for (unsigned i = 0; i < g; i += 32) {
    __m256i c[4];
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
      __m256 r = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + i + 8 * k), sv),
                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      r = _mm256_and_ps(r, _mm256_cmp_ps(r, r, _CMP_ORD_Q)); /* NaN: 0 */
      c[k] = _mm256_and_si256(_mm256_cvttps_epi32(_mm256_min_ps(_mm256_max_ps(r, bot), top)), nib);
    }
    qb__avx2_int4g_pack32(c, qs + i / 2);
  }
}

/* 16 bytes of packed codes -> the 32 codes as bytes in element order (low nibble first). */
QB__INT4G_AVX2_INLINE __m256i qb__avx2_int4g_codes32(const uint8_t* qs) {
  const __m128i q = _mm_loadu_si128((const __m128i*) qs);
  const __m128i m = _mm_set1_epi8(15);
  const __m128i lo = _mm_and_si128(q, m), hi = _mm_and_si128(_mm_srli_epi16(q, 4), m);
  return _mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));
}

/* One group -> g floats: y = (float) (code - z) * s (asymmetric), or (float) s4(code) * s
 * (symmetric: z = 8 on the codes with their top bit flipped, the same integers). */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_dequant(const uint8_t* d, int32_t z, const uint8_t* qs, unsigned g,
                                                  int sym, float* y) {
  uint16_t h;
  memcpy(&h, d, 2);
  const __m256 s = _mm256_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h))));
  const __m256i zv = _mm256_set1_epi32(sym ? 8 : z);
  for (unsigned i = 0; i < g; i += 32) {
    __m256i e = qb__avx2_int4g_codes32(qs + i / 2);
    if (sym) e = _mm256_xor_si256(e, _mm256_set1_epi8(8));
    const __m128i part[4] = {_mm256_castsi256_si128(e), _mm_srli_si128(_mm256_castsi256_si128(e), 8),
                             _mm256_extracti128_si256(e, 1),
                             _mm_srli_si128(_mm256_extracti128_si256(e, 1), 8)};
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
      const __m256i v = _mm256_sub_epi32(_mm256_cvtepu8_epi32(part[k]), zv);
      _mm256_storeu_ps(y + i + 8 * k, _mm256_mul_ps(_mm256_cvtepi32_ps(v), s));
    }
  }
}

#endif /* QB_INT4G_AVX2_H */
