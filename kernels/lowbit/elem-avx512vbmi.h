/*
 * The element casts of kernels/lowbit on AVX-512 with VBMI (vpermb, vpmultishiftqb), 64
 * elements per block: FP6 E2M3 / E3M2 -> f32, the codes extracted by vpermb and
 * vpmultishiftqb for elem-avx512skx.h's 64-entry table, and f32 -> FP6 by
 * elem-avx512skx.h's codes packed with one vpermb. Bit-exact with the scalar references. Included only
 * by -avx512vbmi- files.
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

/* One block (the tails of elem-loop.c.in), and nb >= 1 whole blocks in a row: the codes
 * of qb__elem_avx512_encode_fn_lanes_x64, software-pipelined as in elem-avx512skx.h. */
static inline void qb__elem_avx512vbmi_f32_f6e2m3_x64(const float* in, uint8_t* out) {
  qb__elem_avx512vbmi_pack6_lanes_x64(qb__elem_avx512_encode_fn_lanes_x64(in, 2, 3, 1), out);
}
static inline void qb__elem_avx512vbmi_f32_f6e3m2_x64(const float* in, uint8_t* out) {
  qb__elem_avx512vbmi_pack6_lanes_x64(qb__elem_avx512_encode_fn_lanes_x64(in, 3, 2, 3), out);
}
static inline void qb__elem_avx512vbmi_f32_f6e2m3_x64_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx512_encode_fn_blocks_with(nb, in, out, 2, 3, 1, qb__elem_avx512vbmi_pack6_lanes_x64,
                                        qb__elem_avx512vbmi_pack6_lanes_x64_over);
}
static inline void qb__elem_avx512vbmi_f32_f6e3m2_x64_blocks(size_t nb, const float* in, uint8_t* out) {
  qb__elem_avx512_encode_fn_blocks_with(nb, in, out, 3, 2, 3, qb__elem_avx512vbmi_pack6_lanes_x64,
                                        qb__elem_avx512vbmi_pack6_lanes_x64_over);
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
