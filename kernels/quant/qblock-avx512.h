/*
 * AVX-512 (F/BW/VL/DQ) blocks of llama.cpp's q8_0 and q4_0 (qblock-scalar.h gives the
 * semantics; qblock-avx2.h explains the steps), included only by -avx512skx- files.
 * Bit-exact with the scalar reference for every input.
 */
#ifndef QB_QBLOCK_AVX512_H
#define QB_QBLOCK_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"
#include "quant/quant-avx512.h"

#define QB__QBLOCK_AVX512_INLINE static inline __attribute__((always_inline))

/*
 * The codes of one q8_0 block with a normal d and no NaN or infinity (qblock-avx2.h,
 * qb__avx2_q8_0_codes): roundf(t) for t = x * id as trunc(t + copysign(0x1.fffffep-2, t)),
 * the same magnitudes as trunc(|t| + 0x1.fffffep-2) with t's sign (one vpternlogd builds
 * the copysign), narrowed by vpmovdb (values already in [-127, 127]).
 */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q8_0_codes(const float* x, __m512 id, uint16_t dh,
                                                    qb_block_q8_0* b) {
  const __m512i half = _mm512_castps_si512(_mm512_set1_ps(0x1.fffffep-2f));
  const __m512i sign = _mm512_set1_epi32(INT32_MIN);
  b->d = dh;
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    const __m512 t = _mm512_mul_ps(_mm512_loadu_ps(x + 16 * i), id);
    /* half | (t & sign): 0xF8 = A | (B & C). */
    const __m512i h = _mm512_ternarylogic_epi32(half, _mm512_castps_si512(t), sign, 0xF8);
    const __m512i q = _mm512_cvttps_epi32(_mm512_add_ps(t, _mm512_castsi512_ps(h)));
    _mm_storeu_si128((__m128i*) (b->qs + 16 * i), _mm512_cvtepi32_epi8(q));
  }
}

/*
 * Sixteen q8_0 blocks (512 values): their amax as integer maxima of |x| bits, found
 * together (qb__avx512_amax16), d and id by two vector divisions, d to f16 by vcvtps2ph;
 * then the codes by qb__avx512_q8_0_codes. Blocks holding a NaN or an infinity, or with a
 * subnormal d, go through the reference.
 */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q8_0_quant_x16(const float* x, qb_block_q8_0* b) {
  const __m512 amax = qb__avx512_amax16(x, 1);
  const __m512 d = _mm512_div_ps(amax, _mm512_set1_ps(127.0f));
  const __mmask16 nz = _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  const __m512 id = _mm512_maskz_div_ps(nz, _mm512_set1_ps(1.0f), d);
  const __mmask16 special = _mm512_mask_cmp_ps_mask(nz, d, _mm512_set1_ps(0x1p-126f), _CMP_LT_OQ) |
                            _mm512_cmpgt_epi32_mask(_mm512_castps_si512(amax), _mm512_set1_epi32(0x7F7FFFFF));
  uint16_t dh[16];
  _mm256_storeu_si256((__m256i*) dh, _mm512_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
  /* Block k's id broadcast from lane 4 * (k % 4) + k / 4. */
  if (special == 0) {
#pragma GCC unroll 16
    for (int k = 0; k < 16; k++) {
      const int lane = 4 * (k % 4) + k / 4;
      qb__avx512_q8_0_codes(x + 32 * k, _mm512_permutexvar_ps(_mm512_set1_epi32(lane), id), dh[lane], &b[k]);
    }
    return;
  }
  for (int k = 0; k < 16; k++) {
    const int lane = 4 * (k % 4) + k / 4;
    if (special & (1u << lane)) {
      qb__q8_0_block(x + 32 * k, &b[k]);
    } else {
      qb__avx512_q8_0_codes(x + 32 * k, _mm512_permutexvar_ps(_mm512_set1_epi32(lane), id), dh[lane], &b[k]);
    }
  }
}

/* One q8_0 block, the steps of qb__avx512_q8_0_quant_x16 with a scalar d and id (the last
 * blocks of a row, fewer than sixteen). */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q8_0_quant(const float* x, qb_block_q8_0* b) {
  const __m512i m = _mm512_max_epi32(_mm512_castps_si512(_mm512_abs_ps(_mm512_loadu_ps(x))),
                                     _mm512_castps_si512(_mm512_abs_ps(_mm512_loadu_ps(x + 16))));
  const uint32_t amax = (uint32_t) _mm512_reduce_max_epi32(m);
  const float d = qb_f32_from_bits(amax) / 127.0f;
  if (amax >= 0x7F800000u || (d != 0.0f && d < 0x1p-126f)) {
    qb__q8_0_block(x, b);
    return;
  }
  const uint16_t dh = (uint16_t) _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
  qb__avx512_q8_0_codes(x, _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f), dh, b);
}

/* One q8_0 block: y = (float) q * d. */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q8_0_dequant(const qb_block_q8_0* b, float* y) {
  const __m512 d = _mm512_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(b->d))));
  for (int i = 0; i < QB_BLOCK_LEN; i += 16) {
    const __m512i q = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*) (b->qs + i)));
    _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_cvtepi32_ps(q), d));
  }
}

/* One q4_0 block, the steps of qb__avx2_q4_0_quant_x1 on two vectors of 16: elements
 * 0-15 and 16-31 are exactly the low and high nibbles, so byte j = c0[j] | c1[j] << 4. */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q4_0_quant(const float* x, qb_block_q4_0* b) {
  const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
  const __m512 a0 = _mm512_abs_ps(x0), a1 = _mm512_abs_ps(x1);
  const float amax = _mm512_reduce_max_ps(_mm512_max_ps(a1, _mm512_max_ps(a0, _mm512_setzero_ps())));
  float m = 0.0f;
  if (amax != 0.0f) {
    const __m512 am = _mm512_set1_ps(amax);
    const uint32_t eq = (uint32_t) _mm512_cmp_ps_mask(a0, am, _CMP_EQ_OQ) |
                        (uint32_t) _mm512_cmp_ps_mask(a1, am, _CMP_EQ_OQ) << 16;
    m = x[__builtin_ctz(eq)];
  }
  const float d = m / -8.0f;
  const __m512 id = _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
  b->d = (uint16_t) _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
  const __m512 xs[2] = {x0, x1};
  __m512i c[2];
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    const __m512 v = _mm512_mul_ps(xs[i], id);
    const __m512 t =
        _mm512_add_ps(_mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v), _mm512_set1_ps(8.5f));
    c[i] = _mm512_cvttps_epi32(_mm512_min_ps(_mm512_max_ps(t, _mm512_setzero_ps()), _mm512_set1_ps(15.0f)));
  }
  _mm_storeu_si128((__m128i*) b->qs, _mm512_cvtepi32_epi8(_mm512_or_si512(c[0], _mm512_slli_epi32(c[1], 4))));
}

/*
 * Sixteen q4_0 blocks (512 values): the steps of qb__avx2_q4_0_quant_x8 (qblock-avx2.h)
 * with the amax of all sixteen found together (qb__avx512_amax16), m's sign from the
 * first element of that magnitude, d = amax * 0.125 signed opposite to m, id by one
 * vector division, d to f16 by vcvtps2ph; codes trunc(min(x * id + 8.5, 15)) for the
 * blocks without NaN or infinity and with d normal or 0, qb__avx512_q4_0_quant for the rest.
 */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q4_0_codes(const float* x, __m512 id, qb_block_q4_0* b) {
  __m512i c[2];
#pragma GCC unroll 2
  for (int i = 0; i < 2; i++) {
    const __m512 t = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(x + 16 * i), id), _mm512_set1_ps(8.5f));
    c[i] = _mm512_cvttps_epi32(_mm512_min_ps(t, _mm512_set1_ps(15.0f)));
  }
  _mm_storeu_si128((__m128i*) b->qs, _mm512_cvtepi32_epi8(_mm512_or_si512(c[0], _mm512_slli_epi32(c[1], 4))));
}

QB__QBLOCK_AVX512_INLINE void qb__avx512_q4_0_quant_x16(const float* x, qb_block_q4_0* b) {
  const __m512 amax = qb__avx512_amax16(x, 1);
  const __m512i absm = _mm512_set1_epi32(0x7FFFFFFF);
  uint32_t am[16], sg[16];
  _mm512_storeu_si512(am, _mm512_castps_si512(amax));
#pragma GCC unroll 16
  for (int k = 0; k < 16; k++) {
    const int lane = 4 * (k % 4) + k / 4;
    const __m512i ak = _mm512_set1_epi32((int) am[lane]);
    const __m512i a0 = _mm512_and_si512(_mm512_loadu_si512(x + 32 * k), absm);
    const __m512i a1 = _mm512_and_si512(_mm512_loadu_si512(x + 32 * k + 16), absm);
    const uint32_t eq =
        (uint32_t) _mm512_cmpeq_epi32_mask(a0, ak) | (uint32_t) _mm512_cmpeq_epi32_mask(a1, ak) << 16;
    /* d's sign: the opposite of m's; m = +0 (d = -0) for an all-zero block. */
    const uint32_t mb = am[lane] != 0 ? qb_f32_to_bits(x[32 * k + __builtin_ctz(eq)]) : 0;
    sg[lane] = ~mb & 0x80000000u;
  }
  const __m512 dm = _mm512_mul_ps(amax, _mm512_set1_ps(0.125f));
  const __m512 d = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(dm), _mm512_loadu_si512(sg)));
  const __mmask16 nz = _mm512_cmp_ps_mask(dm, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  const __m512 id = _mm512_maskz_div_ps(nz, _mm512_set1_ps(1.0f), d);
  const __mmask16 special = _mm512_mask_cmp_ps_mask(nz, dm, _mm512_set1_ps(0x1p-126f), _CMP_LT_OQ) |
                            _mm512_cmpgt_epi32_mask(_mm512_castps_si512(amax), _mm512_set1_epi32(0x7F7FFFFF));
  uint16_t dh[16];
  _mm256_storeu_si256((__m256i*) dh, _mm512_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
#pragma GCC unroll 16
  for (int k = 0; k < 16; k++) {
    const int lane = 4 * (k % 4) + k / 4;
    if (__builtin_expect(special & (1u << lane), 0)) {
      qb__avx512_q4_0_quant(x + 32 * k, &b[k]);
    } else {
      b[k].d = dh[lane];
      qb__avx512_q4_0_codes(x + 32 * k, _mm512_permutexvar_ps(_mm512_set1_epi32(lane), id), &b[k]);
    }
  }
}

/* One q4_0 block: y = (float) (code - 8) * d. */
QB__QBLOCK_AVX512_INLINE void qb__avx512_q4_0_dequant(const qb_block_q4_0* b, float* y) {
  const __m512 d = _mm512_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(b->d))));
  const __m128i q = _mm_loadu_si128((const __m128i*) b->qs);
  const __m128i m = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
  const __m128i lo = _mm_sub_epi8(_mm_and_si128(q, m), eight);
  const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), m), eight);
  _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(lo)), d));
  _mm512_storeu_ps(y + 16, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(hi)), d));
}

#endif /* QB_QBLOCK_AVX512_H */
