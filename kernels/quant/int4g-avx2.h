/*
 * AVX2 (+F16C) groups of int4 group quantization (int4g-scalar.h gives the semantics),
 * included only by -avx2- files; the group length g (a multiple of 32) is a parameter, so
 * that one function serves qu4g32, qu4g64 and qu4g128. Bit-exact with the reference: the
 * range by min/max (vminps(x, acc) is exactly the reference's `x < lo ? x : lo`, NaN
 * skipped), the scale rounded to f16 by F16C (vcvtps2ph, nearest even, as
 * qb_f32_to_f16_bits) and the zero point by the reference's scalar code, then the codes
 * as round_even(x / s) by a multiplication that is proven to give the same integer, or
 * by true f32 divisions where it cannot be (qb__avx2_int4g_round_div).
 */
#ifndef QB_INT4G_AVX2_H
#define QB_INT4G_AVX2_H

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

#define QB__INT4G_AVX2_INLINE static inline __attribute__((always_inline))

/*
 * 32 int32 values (four vectors, element order) -> 16 bytes of codes, element 2j in the low
 * nibble of byte j. The values are packed to bytes in order with saturation (monotone, so
 * clamping after it is clamping before it), clamped to the code range there (asymmetric:
 * [0, 15] by vpackuswb and vpminub; symmetric: [-8, 7] by vpacksswb, vpmaxsb and vpminsb,
 * then the low nibble), then each byte pair summed as c[2j] + 16 c[2j + 1] by vpmaddubsw
 * and narrowed. Clamping 32 bytes at once costs one or three instructions where clamping
 * the floats cost two per 8 values.
 */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_pack32(const __m256i* c, const int sym, uint8_t* out) {
  const __m256i h0 = _mm256_packs_epi32(c[0], c[1]), h1 = _mm256_packs_epi32(c[2], c[3]);
  __m256i w;
  if (sym) {
    w = _mm256_packs_epi16(h0, h1);
    w = _mm256_min_epi8(_mm256_max_epi8(w, _mm256_set1_epi8(-8)), _mm256_set1_epi8(7));
    w = _mm256_and_si256(w, _mm256_set1_epi8(15));
  } else {
    w = _mm256_min_epu8(_mm256_packus_epi16(h0, h1), _mm256_set1_epi8(15));
  }
  const __m256i bytes = _mm256_permutevar8x32_epi32(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  const __m256i pairs = _mm256_maddubs_epi16(bytes, _mm256_set1_epi16(0x1001));
  _mm_storeu_si128((__m128i*) out,
                   _mm_packus_epi16(_mm256_castsi256_si128(pairs), _mm256_extracti128_si256(pairs, 1)));
}

/* qb__int4g_store_scale by F16C: s rounded to f16 (nearest even, overflow to inf; s is
 * never NaN here) into d, and read back exactly. */
QB__INT4G_AVX2_INLINE float qb__avx2_int4g_store_scale(float s, uint8_t* d) {
  const __m128i h = _mm_cvtps_ph(_mm_set_ss(s), _MM_FROUND_TO_NEAREST_INT);
  const uint16_t hb = (uint16_t) _mm_extract_epi16(h, 0);
  memcpy(d, &hb, 2);
  return _mm_cvtss_f32(_mm_cvtph_ps(h));
}

/*
 * round_even(x / s) for four vectors of 8 (32 elements at x), as the reference computes it
 * (a true division, then nearest even), with r = fl(1 / s) for a finite s > 0:
 * 1. t = fl(x * r) = (x / s)(1 + e1)(1 + e2) and fl(x / s) = (x / s)(1 + e3), |ei| <= 2^-24,
 *    so |t - fl(x / s)| <= 3.0001 * 2^-24 * |x / s| (plus 2^-149 where t underflows);
 *    for |t| <= 64 that is below 2^-16.
 * 2. f = |t - round_even(t)| is exact (|f| <= 1/2 at t's precision). Where f < 1/2 - 2^-16,
 *    t is more than 2^-16 from every half-integer, so fl(x / s) lies strictly on the same
 *    side of each of them: it rounds to the same integer, and neither is a tie.
 * 3. Where |t| > 64, fl(x / s) > 63 in magnitude with t's sign: both clamp to the same
 *    end of the code range (the callers' clamps are within [-8, 15]).
 * 4. A chunk of 32 with any lane failing step 2's test (a value within 2^-16 of a
 *    half-integer: ties included) is done by the four divisions instead, and so is one
 *    holding a NaN or an infinity (f is then NaN: the test is unordered-true), so the
 *    quick path returns finite values only. Returns 1 where the divisions were used: the
 *    values may then hold NaN (x NaN) or infinities, which the callers mask and clamp.
 *    On the quick path |t| stays below 2^31 for the callers' scales (s >= the smallest
 *    f16 subnormal, so |x / s| <= 2 (hi - lo) / s <= 30 or 2 amax / s <= 14), so their
 *    int32 conversions are exact.
 */
QB__INT4G_AVX2_INLINE int qb__avx2_int4g_round_div(const float* x, __m256 sv, __m256 rv, __m256* q) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256 edge = _mm256_set1_ps(0.5f - 0x1p-16f);
  __m256 unsure = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int k = 0; k < 4; k++) {
    const __m256 t = _mm256_mul_ps(_mm256_loadu_ps(x + 8 * k), rv);
    q[k] = _mm256_round_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 f = _mm256_and_ps(_mm256_sub_ps(t, q[k]), absm);
    unsure = _mm256_or_ps(unsure, _mm256_cmp_ps(f, edge, _CMP_NLT_UQ));
  }
  if (__builtin_expect(!_mm256_testz_ps(unsure, unsure), 0)) {
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
      q[k] = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + 8 * k), sv),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    }
    return 1;
  }
  return 0;
}

/* The codes of one asymmetric group from its s, r = 1 / s and z (broadcast): clamp(
 * round_even(x / s) + z, 0, 15), NaN giving z. r + z is exact (integers below 2^24, or
 * an infinity after the divisions, clamped here to +-2^30 before the int32 conversion);
 * the clamp to [0, 15] is done on the bytes (qb__avx2_int4g_pack32). */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_codes(const float* x, unsigned g, __m256 sv, __m256 rv, __m256 zv,
                                                uint8_t* qs) {
  const __m256 big = _mm256_set1_ps(0x1p30f);
  for (unsigned i = 0; i < g; i += 32) {
    __m256 r[4];
    __m256i c[4];
    if (__builtin_expect(qb__avx2_int4g_round_div(x + i, sv, rv, r), 0)) {
#pragma GCC unroll 4
      for (int k = 0; k < 4; k++) {
        const __m256 rk = _mm256_and_ps(r[k], _mm256_cmp_ps(r[k], r[k], _CMP_ORD_Q)); /* NaN: the code z */
        const __m256 v = _mm256_min_ps(
            _mm256_max_ps(_mm256_add_ps(rk, zv), _mm256_xor_ps(big, _mm256_set1_ps(-0.0f))), big);
        c[k] = _mm256_cvttps_epi32(v);
      }
    } else {
#pragma GCC unroll 4
      for (int k = 0; k < 4; k++) c[k] = _mm256_cvttps_epi32(_mm256_add_ps(r[k], zv));
    }
    qb__avx2_int4g_pack32(c, 0, qs + i / 2);
  }
}

/* The codes of one symmetric group: clamp(round_even(x / s), -8, 7) as nibbles, NaN giving 0
 * (the clamp on the bytes, qb__avx2_int4g_pack32). */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_codes_sym(const float* x, unsigned g, __m256 sv, __m256 rv,
                                                    uint8_t* qs) {
  const __m256 big = _mm256_set1_ps(0x1p30f);
  for (unsigned i = 0; i < g; i += 32) {
    __m256 r[4];
    __m256i c[4];
    if (__builtin_expect(qb__avx2_int4g_round_div(x + i, sv, rv, r), 0)) {
#pragma GCC unroll 4
      for (int k = 0; k < 4; k++) {
        const __m256 rk = _mm256_and_ps(r[k], _mm256_cmp_ps(r[k], r[k], _CMP_ORD_Q)); /* NaN: 0 */
        c[k] = _mm256_cvttps_epi32(
            _mm256_min_ps(_mm256_max_ps(rk, _mm256_xor_ps(big, _mm256_set1_ps(-0.0f))), big));
      }
    } else {
#pragma GCC unroll 4
      for (int k = 0; k < 4; k++) c[k] = _mm256_cvttps_epi32(r[k]);
    }
    qb__avx2_int4g_pack32(c, 1, qs + i / 2);
  }
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
  const float s = qb__avx2_int4g_store_scale((hif - lof) / 15.0f, d);
  float zf = s != 0.0f ? qb__round_even(-lof / s) : 0.0f;
  zf = zf == zf ? zf : 0.0f;
  zf = zf < 0.0f ? 0.0f : zf > 15.0f ? 15.0f : zf;
  *z = (uint8_t) zf;
  if (s == 0.0f) {
    memset(qs, 0, g / 2);
    return;
  }
  /* s = inf (a group holding an infinity): r = 0 and x * 0 is x / inf (NaN for x = +-inf),
   * f = 0 (or NaN): the fast path is exact there too. */
  qb__avx2_int4g_codes(x, g, _mm256_set1_ps(s), _mm256_set1_ps(1.0f / s), _mm256_set1_ps(zf), qs);
}

/* One symmetric group (qb__int4g_quant_group_sym): codes in [-8, 7] as nibbles. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_sym(const float* x, unsigned g, uint8_t* d, uint8_t* qs) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 m = _mm256_setzero_ps();
  for (unsigned i = 0; i < g; i += 8) m = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), absm), m);
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  const float amax = _mm_cvtss_f32(_mm_max_ss(m4, _mm_movehdup_ps(m4)));
  const float s = qb__avx2_int4g_store_scale(amax / 7.0f, d);
  if (s == 0.0f) {
    memset(qs, 0, g / 2);
    return;
  }
  qb__avx2_int4g_codes_sym(x, g, _mm256_set1_ps(s), _mm256_set1_ps(1.0f / s), qs);
}

/*
 * Eight groups' accumulators (group k's in a[k]) -> one vector of the eight groups' minima
 * (is_min) or maxima, group k in lane k / 2 + 4 * (k % 2): the three shuffle levels of
 * qblock-avx2.h's qb__avx2_hmax8x8 on floats. The accumulators start at +0 and never take
 * a NaN (vminps/vmaxps keep the accumulator, their second operand, against a NaN), the
 * minima are +0 or negative and the maxima +0 or positive: no NaN and no -0, so the order
 * in which they are combined does not change the result.
 */
QB__INT4G_AVX2_INLINE __m256 qb__avx2_int4g_red8(const __m256* a, const int is_min) {
#define QB__OP(u, v) (is_min ? _mm256_min_ps(u, v) : _mm256_max_ps(u, v))
  __m256 p[4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    p[j] = QB__OP(_mm256_permute2f128_ps(a[2 * j], a[2 * j + 1], 0x20),
                  _mm256_permute2f128_ps(a[2 * j], a[2 * j + 1], 0x31));
  }
  const __m256 q0 = QB__OP(_mm256_shuffle_ps(p[0], p[1], 0x44), _mm256_shuffle_ps(p[0], p[1], 0xEE));
  const __m256 q1 = QB__OP(_mm256_shuffle_ps(p[2], p[3], 0x44), _mm256_shuffle_ps(p[2], p[3], 0xEE));
  return QB__OP(_mm256_shuffle_ps(q0, q1, 0x88), _mm256_shuffle_ps(q0, q1, 0xDD));
#undef QB__OP
}

/* Step 1 of qb__avx2_int4g_quant_x8_one for the eight groups of g at x: their lo and hi,
 * group k's in lane k / 2 + 4 * (k % 2) (qb__avx2_int4g_red8). */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_range8(const float* x, unsigned g, __m256* l, __m256* h) {
  __m256 lo[8], hi[8];
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    lo[k] = _mm256_setzero_ps();
    hi[k] = _mm256_setzero_ps();
    for (unsigned i = 0; i < g; i += 8) {
      const __m256 v = _mm256_loadu_ps(x + k * g + i);
      lo[k] = _mm256_min_ps(v, lo[k]);
      hi[k] = _mm256_max_ps(v, hi[k]);
    }
  }
  *l = qb__avx2_int4g_red8(lo, 1);
  *h = qb__avx2_int4g_red8(hi, 0);
}

/*
 * Eight asymmetric groups of g at x into the eight group structs at out (gbytes each: d at
 * 0, z at 2, the codes at 3): the per-group steps of qb__avx2_int4g_quant done for the
 * eight at once, in vectors, so that their latency chains (range, scale, f16 rounding, zero
 * point, 1 / s) overlap instead of running one after another:
 * 1. lo, hi per group (qb__avx2_int4g_range8, done by the caller); both 0 -> -1, 1;
 * 2. s = f16((hi - lo) / 15) by one vector division and vcvtps2ph / vcvtph2ps;
 * 3. z = clamp(round_even(-lo / s), 0, 15), NaN -> 0, by one vector division and vroundps;
 *    r = 1 / s by another;
 * then step 1 of the next eight groups (at next, when not NULL, into *nl and *nh), so that
 * its loads (from L2) overlap these groups' codes (whose loads then hit L1);
 * 4. each group's codes (qb__avx2_int4g_codes) with its s, r, z (broadcast from memory). A
 *    group whose s is 0 or inf goes through qb__avx2_int4g_quant: rare.
 */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_x8_one(const float* x, unsigned g, uint8_t* out,
                                                       size_t gbytes, __m256 l, __m256 h, const float* next,
                                                       __m256* nl, __m256* nh) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 both0 = _mm256_and_ps(_mm256_cmp_ps(l, zero, _CMP_EQ_OQ), _mm256_cmp_ps(h, zero, _CMP_EQ_OQ));
  l = _mm256_blendv_ps(l, _mm256_set1_ps(-1.0f), both0);
  h = _mm256_blendv_ps(h, _mm256_set1_ps(1.0f), both0);
  /* 2. */
  const __m128i sh =
      _mm256_cvtps_ph(_mm256_div_ps(_mm256_sub_ps(h, l), _mm256_set1_ps(15.0f)), _MM_FROUND_TO_NEAREST_INT);
  const __m256 s = _mm256_cvtph_ps(sh);
  /* 3. */
  const __m256 negl = _mm256_xor_ps(l, _mm256_set1_ps(-0.0f));
  __m256 z = _mm256_round_ps(_mm256_div_ps(negl, s), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  z = _mm256_and_ps(z, _mm256_cmp_ps(z, z, _CMP_ORD_Q));
  z = _mm256_min_ps(_mm256_max_ps(z, zero), _mm256_set1_ps(15.0f));
  const __m256 r = _mm256_div_ps(_mm256_set1_ps(1.0f), s);
  const int special = _mm256_movemask_ps(_mm256_or_ps(
      _mm256_cmp_ps(s, zero, _CMP_EQ_OQ), _mm256_cmp_ps(s, _mm256_set1_ps(INFINITY), _CMP_EQ_OQ)));
  uint16_t dh[8];
  float sf[8], rf[8], zf[8];
  _mm_storeu_si128((__m128i*) dh, sh);
  _mm256_storeu_ps(sf, s);
  _mm256_storeu_ps(rf, r);
  _mm256_storeu_ps(zf, z);
  if (next != NULL) qb__avx2_int4g_range8(next, g, nl, nh);
    /* 4. Group k's lane: k / 2 + 4 * (k % 2). */
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    const int lane = k / 2 + 4 * (k % 2);
    uint8_t* grp = out + (size_t) k * gbytes;
    if (__builtin_expect(special & (1 << lane), 0)) {
      qb__avx2_int4g_quant(x + k * g, g, grp, grp + 2, grp + 3);
      continue;
    }
    memcpy(grp, &dh[lane], 2);
    grp[2] = (uint8_t) zf[lane];
    qb__avx2_int4g_codes(x + k * g, g, _mm256_set1_ps(sf[lane]), _mm256_set1_ps(rf[lane]),
                         _mm256_set1_ps(zf[lane]), grp + 3);
  }
}

/* `count` runs of eight asymmetric groups (8 g values each), each run's step 1 done while
 * the previous run's codes are computed. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_x8(const float* x, unsigned g, uint8_t* out, size_t gbytes,
                                                   size_t count) {
  if (count == 0) return;
  __m256 l, h;
  qb__avx2_int4g_range8(x, g, &l, &h);
  for (size_t c = 0; c < count; c++) {
    const float* xc = x + (size_t) 8 * g * c;
    qb__avx2_int4g_quant_x8_one(xc, g, out + 8 * gbytes * c, gbytes, l, h, c + 1 < count ? xc + 8 * g : NULL,
                                &l, &h);
  }
}

/* Step 1 of qb__avx2_int4g_quant_sym_x8_one: the eight groups' amax, group k's in lane
 * k / 2 + 4 * (k % 2). */
QB__INT4G_AVX2_INLINE __m256 qb__avx2_int4g_amax8(const float* x, unsigned g) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 m[8];
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    m[k] = _mm256_setzero_ps();
    for (unsigned i = 0; i < g; i += 8)
      m[k] = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + k * g + i), absm), m[k]);
  }
  return qb__avx2_int4g_red8(m, 0);
}

/* Eight symmetric groups (gbytes each: d at 0, the codes at 2) from their amax: s = f16(amax
 * / 7) and 1 / s in vectors, the next eight groups' amax (at next, when not NULL, into
 * *namax), then each group's codes; s = 0 or inf through qb__avx2_int4g_quant_sym. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_sym_x8_one(const float* x, unsigned g, uint8_t* out,
                                                           size_t gbytes, __m256 amax, const float* next,
                                                           __m256* namax) {
  const __m128i sh = _mm256_cvtps_ph(_mm256_div_ps(amax, _mm256_set1_ps(7.0f)), _MM_FROUND_TO_NEAREST_INT);
  const __m256 s = _mm256_cvtph_ps(sh);
  const __m256 r = _mm256_div_ps(_mm256_set1_ps(1.0f), s);
  const int special =
      _mm256_movemask_ps(_mm256_or_ps(_mm256_cmp_ps(s, _mm256_setzero_ps(), _CMP_EQ_OQ),
                                      _mm256_cmp_ps(s, _mm256_set1_ps(INFINITY), _CMP_EQ_OQ)));
  uint16_t dh[8];
  float sf[8], rf[8];
  _mm_storeu_si128((__m128i*) dh, sh);
  _mm256_storeu_ps(sf, s);
  _mm256_storeu_ps(rf, r);
  if (next != NULL) *namax = qb__avx2_int4g_amax8(next, g);
#pragma GCC unroll 8
  for (int k = 0; k < 8; k++) {
    const int lane = k / 2 + 4 * (k % 2);
    uint8_t* grp = out + (size_t) k * gbytes;
    if (__builtin_expect(special & (1 << lane), 0)) {
      qb__avx2_int4g_quant_sym(x + k * g, g, grp, grp + 2);
      continue;
    }
    memcpy(grp, &dh[lane], 2);
    qb__avx2_int4g_codes_sym(x + k * g, g, _mm256_set1_ps(sf[lane]), _mm256_set1_ps(rf[lane]), grp + 2);
  }
}

/* `count` runs of eight symmetric groups, pipelined as qb__avx2_int4g_quant_x8. */
QB__INT4G_AVX2_INLINE void qb__avx2_int4g_quant_sym_x8(const float* x, unsigned g, uint8_t* out,
                                                       size_t gbytes, size_t count) {
  if (count == 0) return;
  __m256 amax = qb__avx2_int4g_amax8(x, g);
  for (size_t c = 0; c < count; c++) {
    const float* xc = x + (size_t) 8 * g * c;
    qb__avx2_int4g_quant_sym_x8_one(xc, g, out + 8 * gbytes * c, gbytes, amax,
                                    c + 1 < count ? xc + 8 * g : NULL, &amax);
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
