/*
 * The element casts of kernels/lowbit on AVX-512 (F/BW/VL/DQ), 64 elements per block:
 * f32 -> FP6 E2M3 / E3M2, FP4 E2M1 and E8M0, and FP6 -> f32 (the FP4 and E8M0 decodes run
 * at the store roof with AVX2 already). Bit-exact with the scalar references: the steps of
 * elem-avx2.h on 16 lanes, with mask registers for the NaN and special lanes, and the
 * FP6 decode by a 32-entry vpermi2ps table. Included only by -avx512skx- files.
 */
#ifndef QB_LOWBIT_ELEM_AVX512SKX_H
#define QB_LOWBIT_ELEM_AVX512SKX_H

#include <immintrin.h>
#include <stdint.h>

/* The f32 bits of the largest finite value of a small float format (no inf, no NaN). */
#define QB__FN16_MAXBITS(ebits, mbits, bias) \
  ((((1 << (ebits)) - 1 - (bias) + 127) << 23) | (((1 << (mbits)) - 1) << (23 - (mbits))))

/* 16 magnitudes (f32 bits of |x|, not NaN) -> their codes in a small float, rounded to
 * nearest (ties even, or away from zero with ties_away) and saturated at maxbits: |x|
 * clamped to maxbits; e = 2^(binade of |x|, at least the format's smallest normal one);
 * |x| + 2^(e + 23 - mbits) rounds |x| to the format's quantum in that binade (to nearest,
 * ties to even) and leaves the count k of quanta in the sum's mantissa; the code is k +
 * ((e + bias - 1) << mbits), from the bits of the sum and of e. Ties away: |x| + half a quantum,
 * 2^(e - mbits - 1), then + 2^(e + 23 - mbits), both additions rounded toward zero (embedded
 * rounding): truncations compose, so the sum holds floor(|x| / quantum + 1/2). */
static inline __m512i qb__elem_avx512_round_fn(__m512i abs, int mbits, int bias, uint32_t maxbits,
                                               const int ties_away) {
  const __m512i a = _mm512_min_epu32(abs, _mm512_set1_epi32((int) maxbits));
  const __m512i e = _mm512_max_epu32(_mm512_and_si512(a, _mm512_set1_epi32(0x7F800000)),
                                     _mm512_set1_epi32((128 - bias) << 23));
  const __m512 magic = _mm512_castsi512_ps(_mm512_add_epi32(e, _mm512_set1_epi32((23 - mbits) << 23)));
  __m512 sumf;
  if (ties_away) {
    const __m512 half = _mm512_castsi512_ps(_mm512_sub_epi32(e, _mm512_set1_epi32((mbits + 1) << 23)));
    const __m512 t =
        _mm512_add_round_ps(_mm512_castsi512_ps(a), half, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    sumf = _mm512_add_round_ps(t, magic, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  } else {
    sumf = _mm512_add_ps(_mm512_castsi512_ps(a), magic);
  }
  const __m512i q =
      _mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(sumf), e), _mm512_srli_epi32(e, 23 - mbits));
  return _mm512_sub_epi32(q, _mm512_set1_epi32(((23 - mbits) << 23) + ((128 - bias) << mbits)));
}

/* 16 f32 (as bits) -> codes of a finite small float, one per 32-bit lane: the magnitude
 * by qb__elem_avx512_round_fn (saturating at the largest value, inf included), NaN gives 0,
 * the sign goes to bit ebits + mbits. */
static inline __m512i qb__elem_avx512_encode_fn(__m512i w, int ebits, int mbits, int bias) {
  const int nbits = ebits + mbits;
  const __m512i abs = _mm512_and_si512(w, _mm512_set1_epi32(0x7FFFFFFF));
  const __mmask16 num = _mm512_cmple_epu32_mask(abs, _mm512_set1_epi32(0x7F800000));
  const __m512i k = _mm512_maskz_mov_epi32(
      num, qb__elem_avx512_round_fn(abs, mbits, bias, QB__FN16_MAXBITS(ebits, mbits, bias), 0));
  /* k | (w >> (31 - nbits) & 1 << nbits): 0xF8 is A | (B & C). */
  return _mm512_ternarylogic_epi32(k, _mm512_srli_epi32(w, 31 - nbits), _mm512_set1_epi32(1 << nbits), 0xF8);
}

/* 16 f32 (as bits) -> E8M0 codes (qb__elem_avx2_encode_e8m0's steps 1 and 2), 0xFF where NaN. */
static inline __m512i qb__elem_avx512_encode_e8m0(__m512i w) {
  const __mmask16 sub = _mm512_cmplt_epu32_mask(w, _mm512_set1_epi32(0x800000));
  const __m512i t = _mm512_add_epi32(w, _mm512_set1_epi32(0x400000));
  const __m512i c = _mm512_srli_epi32(_mm512_mask_sub_epi32(t, sub, t, _mm512_set1_epi32(0x200000)), 23);
  const __mmask16 special =
      _mm512_cmpge_epu32_mask(_mm512_sub_epi32(w, _mm512_set1_epi32(1)), _mm512_set1_epi32(0x7F7FFFFF));
  return _mm512_mask_mov_epi32(c, special, _mm512_set1_epi32(0xFF));
}

/* 4 x 16 bytes in 32-bit lanes (0..255) -> 64 bytes in order: two unsigned packs work
 * within 128-bit lanes, a dword permute restores the order. */
static inline __m512i qb__elem_avx512_pack_u8x4(__m512i c0, __m512i c1, __m512i c2, __m512i c3) {
  const __m512i p = _mm512_packus_epi16(_mm512_packus_epi32(c0, c1), _mm512_packus_epi32(c2, c3));
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), p);
}

/* 64 f32 -> 64 codes, one byte each, in order (ebits 0: E8M0). */
static inline __m512i qb__elem_avx512_encode_x64(const float* in, int ebits, int mbits, int bias) {
  __m512i c[4];
  for (int i = 0; i < 4; i++) {
    const __m512i w = _mm512_loadu_si512((const void*) (in + 16 * i));
    c[i] = ebits == 0 ? qb__elem_avx512_encode_e8m0(w) : qb__elem_avx512_encode_fn(w, ebits, mbits, bias);
  }
  return qb__elem_avx512_pack_u8x4(c[0], c[1], c[2], c[3]);
}

static inline void qb__elem_avx512skx_f32_e8m0_x64(const float* in, uint8_t* out) {
  _mm512_storeu_si512((void*) out, qb__elem_avx512_encode_x64(in, 0, 0, 0));
}

/* 64 FP4 codes (bytes, in order) -> 32 bytes: c[2k] + 16 c[2k + 1] (vpmaddubsw), narrowed. */
static inline void qb__elem_avx512skx_f32_f4e2m1_x64(const float* in, uint8_t* out) {
  const __m512i c = qb__elem_avx512_encode_x64(in, 2, 1, 1);
  _mm256_storeu_si256((__m256i*) out,
                      _mm512_cvtepi16_epi8(_mm512_maddubs_epi16(c, _mm512_set1_epi16(0x1001))));
}

/* 64 FP6 codes -> 48 bytes: c0 | c1 << 6 | c2 << 12 | c3 << 18 per 32-bit lane (vpmaddubsw,
 * vpmaddwd), the low 3 bytes of each gathered within 128-bit lanes (vpshufb), the lanes'
 * 12 bytes joined by a dword permute, one masked store. */
static inline void qb__elem_avx512_pack6_x64(__m512i c, uint8_t* out) {
  const __m512i p = _mm512_maddubs_epi16(c, _mm512_set1_epi16(0x4001));
  const __m512i w = _mm512_madd_epi16(p, _mm512_set1_epi32(0x10000001));
  const __m512i s = _mm512_shuffle_epi8(
      w, _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1)));
  const __m512i t =
      _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 3, 7, 11, 15), s);
  _mm512_mask_storeu_epi8(out, 0xFFFFFFFFFFFFull, t);
}

static inline void qb__elem_avx512skx_f32_f6e2m3_x64(const float* in, uint8_t* out) {
  qb__elem_avx512_pack6_x64(qb__elem_avx512_encode_x64(in, 2, 3, 1), out);
}
static inline void qb__elem_avx512skx_f32_f6e3m2_x64(const float* in, uint8_t* out) {
  qb__elem_avx512_pack6_x64(qb__elem_avx512_encode_x64(in, 3, 2, 3), out);
}

/* The f32 values of 16 FP6 magnitudes (exponent e, mantissa m; 5 bits), exactly and with
 * no f32 subnormal: m and e moved into f32's
 * fields plus (127 - bias) << 23 give a normal code's 2^(e - bias) x 1.m; a subnormal code
 * (e = 0) takes one more exponent step and then loses 2^(1 - bias). The operands are
 * constants, so the compiler folds the tables. */
static inline __m512 qb__elem_avx512_f6_mags(__m512i mag, int mbits, int bias) {
  const __mmask16 sub = _mm512_cmplt_epi32_mask(mag, _mm512_set1_epi32(1 << mbits));
  const __m512i t =
      _mm512_add_epi32(_mm512_slli_epi32(mag, 23 - mbits), _mm512_set1_epi32((127 - bias) << 23));
  const __m512i t1 = _mm512_mask_add_epi32(t, sub, t, _mm512_set1_epi32(1 << 23));
  return _mm512_mask_sub_ps(_mm512_castsi512_ps(t1), sub, _mm512_castsi512_ps(t1),
                            _mm512_castsi512_ps(_mm512_set1_epi32((128 - bias) << 23)));
}

/*
 * 64 FP6 codes (48 bytes) -> f32. Each 12-byte run of 16 codes is broadcast to the four
 * 128-bit lanes; vpshufb gives lane L the 3 bytes of group L in each dword, vpsrlvd shifts
 * them by 0, 6, 12, 18. vpermi2ps looks the low 5 bits (the magnitude) up in the table of
 * the 32 magnitudes (the bits above are ignored), and the sign bit (bit 5) goes to bit 31.
 * The loads stay inside the 48 bytes (the last one starts 4 bytes early).
 */
static inline void qb__elem_avx512_f6_f32_x64(const uint8_t* in, float* out, int mbits, int bias) {
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512 tlo = qb__elem_avx512_f6_mags(iota, mbits, bias);
  const __m512 thi = qb__elem_avx512_f6_mags(_mm512_add_epi32(iota, _mm512_set1_epi32(16)), mbits, bias);
  const __m512i shift = _mm512_setr_epi32(0, 6, 12, 18, 0, 6, 12, 18, 0, 6, 12, 18, 0, 6, 12, 18);
  /* Dword j of lane L: bytes 3L, 3L + 1, 3L + 2 of the run, then a zero (0x80). */
  const __m512i base =
      _mm512_setr_epi32((int) 0x80020100u, (int) 0x80020100u, (int) 0x80020100u, (int) 0x80020100u,
                        (int) 0x80050403u, (int) 0x80050403u, (int) 0x80050403u, (int) 0x80050403u,
                        (int) 0x80080706u, (int) 0x80080706u, (int) 0x80080706u, (int) 0x80080706u,
                        (int) 0x800B0A09u, (int) 0x800B0A09u, (int) 0x800B0A09u, (int) 0x800B0A09u);
  for (int i = 0; i < 4; i++) {
    const int at = i < 3 ? 12 * i : 32, o = 12 * i - at;
    const __m512i g = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i*) (in + at)));
    const __m512i ctl = _mm512_add_epi32(base, _mm512_set1_epi32(o * 0x010101));
    const __m512i c = _mm512_srlv_epi32(_mm512_shuffle_epi8(g, ctl), shift);
    const __m512i v = _mm512_castps_si512(_mm512_permutex2var_ps(tlo, c, thi));
    /* v | (c << 26 & 0x80000000): 0xF8 is A | (B & C). */
    _mm512_storeu_si512(
        (void*) (out + 16 * i),
        _mm512_ternarylogic_epi32(v, _mm512_slli_epi32(c, 26), _mm512_set1_epi32((int) 0x80000000u), 0xF8));
  }
}

static inline void qb__elem_avx512skx_f6e2m3_f32_x64(const uint8_t* in, float* out) {
  qb__elem_avx512_f6_f32_x64(in, out, 3, 1);
}
static inline void qb__elem_avx512skx_f6e3m2_f32_x64(const uint8_t* in, float* out) {
  qb__elem_avx512_f6_f32_x64(in, out, 2, 3);
}

#endif /* QB_LOWBIT_ELEM_AVX512SKX_H */
