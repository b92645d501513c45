/*
 * The MX block quantization of lowbit-scalar.h on AVX-512 (F/BW/VL/DQ), 16 blocks of 32
 * per step: the steps of lowbit-avx2.h's 8-block step on 16 lanes (the amaxes reduced
 * across the blocks, the shared exponents of all 16 in one vector), the elements rounded
 * by elem-avx512skx.h (ties away by additions rounded toward zero), two blocks encoded
 * and packed together. Bit-exact with the references. Included only by -avx512skx- files.
 */
#ifndef QB_LOWBIT_AVX512SKX_H
#define QB_LOWBIT_AVX512SKX_H

#include <immintrin.h>
#include <string.h>

#include "lowbit/elem-avx512skx.h"
#include "lowbit/lowbit-scalar.h"

/* The amax bits of 16 consecutive blocks (512 f32), lane b for block b (at least
 * 0x7F800000 where a block holds inf or NaN): each block's two vectors of |x| bits folded
 * by an integer maximum, then the 16 vectors reduced together with no transpose: adjacent
 * lanes paired twice (vshufps even / odd and a max), leaving in each 128-bit lane the
 * partial maxima of four blocks, then the 128-bit lanes paired twice (vshufi32x4). */
static inline __m512i qb__mx_amax_x16_avx512(const float* x) {
  const __m512i m = _mm512_set1_epi32(0x7FFFFFFF);
  __m512i v[16];
#pragma GCC unroll 16
  for (int b = 0; b < 16; b++) {
    v[b] = _mm512_max_epu32(_mm512_and_si512(_mm512_loadu_si512((const void*) (x + 32 * b)), m),
                            _mm512_and_si512(_mm512_loadu_si512((const void*) (x + 32 * b + 16)), m));
  }
#pragma GCC unroll 2
  for (int level = 0; level < 2; level++) {
    const int len = 8 >> level;
#pragma GCC unroll 8
    for (int i = 0; i < len; i++) {
      const __m512 a = _mm512_castsi512_ps(v[2 * i]), b = _mm512_castsi512_ps(v[2 * i + 1]);
      v[i] = _mm512_max_epu32(_mm512_castps_si512(_mm512_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))),
                              _mm512_castps_si512(_mm512_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))));
    }
  }
  /* v[0..3]: blocks 4i .. 4i + 3 in every 128-bit lane. */
#pragma GCC unroll 2
  for (int level = 0; level < 2; level++) {
    const int len = 2 >> level;
#pragma GCC unroll 2
    for (int i = 0; i < len; i++) {
      v[i] = _mm512_max_epu32(_mm512_shuffle_i32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                              _mm512_shuffle_i32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    }
  }
  return v[0];
}

/* The shared exponents s of 16 blocks from their amax bits: the steps of
 * qb__mx_scale_x8_avx2 (lowbit-avx2.h). */
static inline __m512i qb__mx_scale_x16_avx512(__m512i amax, qb__mx_kind k, qb__mx_scale_mode mode) {
  __m512i s;
  if (mode == QB__MX_FLOOR) {
    const __m512i nrm = _mm512_srli_epi32(amax, 23);
    const __m512i sub = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_castps_si512(_mm512_cvtepi32_ps(amax)), 23),
                                         _mm512_set1_epi32(149));
    s = _mm512_mask_blend_epi32(_mm512_cmplt_epu32_mask(amax, _mm512_set1_epi32(0x800000)), nrm, sub);
    s = _mm512_sub_epi32(s, _mm512_set1_epi32(127 + qb__mx_emax(k)));
  } else {
    const __m512i q =
        _mm512_castps_si512(_mm512_div_ps(_mm512_castsi512_ps(amax), _mm512_set1_ps(qb__mx_maxval(k))));
    const __m512i t = _mm512_maskz_mov_epi32(_mm512_cmpgt_epu32_mask(q, _mm512_set1_epi32(0x400000)), q);
    s = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_add_epi32(t, _mm512_set1_epi32(0x7FFFFF)), 23),
                         _mm512_set1_epi32(127));
  }
  return _mm512_min_epi32(_mm512_max_epi32(s, _mm512_set1_epi32(-127)), _mm512_set1_epi32(127));
}

/* The largest magnitude of each MX element type as f32 bits (qb__mx_maxval). */
static inline uint32_t qb__mx_maxbits512(qb__mx_kind k) {
  static const uint32_t bits[] = {0x43E00000u, 0x47600000u, 0x40F00000u,
                                  0x41E00000u, 0x40C00000u, 0x3FFE0000u};
  return bits[k];
}

/* 16 elements x times inv (the reference's products) -> their codes, one per 32-bit lane:
 * the float formats by qb__elem_avx512_round_fn and the sign bit; MXINT8 as the reference:
 * |v| 64 < 128 rounded to an integer (nearest even by the conversion's embedded rounding;
 * ties away as floor(|v| 64 + 1/2), the addition rounded toward zero), clamped to 127, the
 * sign put back, the low byte kept. */
static inline __m512i qb__mx_encode_x16_avx512(const float* x, __m512 inv, qb__mx_kind k,
                                               const int ties_away) {
  static const int mbits[] = {3, 2, 3, 2, 1, 0}, bias[] = {7, 15, 1, 3, 1, 0}, nbits[] = {7, 7, 5, 5, 3, 0};
  const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(x), inv);
  const __m512i w = _mm512_castps_si512(v);
  if (k == QB__MX_INT8 && ties_away) {
    const __m512 a = _mm512_mul_ps(_mm512_abs_ps(v), _mm512_set1_ps(64.0f));
    __m512i t = _mm512_cvttps_epi32(
        _mm512_add_round_ps(a, _mm512_set1_ps(0.5f), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC));
    t = _mm512_min_epi32(t, _mm512_set1_epi32(127));
    t = _mm512_mask_sub_epi32(t, _mm512_movepi32_mask(w), _mm512_setzero_si512(), t);
    return _mm512_and_si512(t, _mm512_set1_epi32(0xFF));
  }
  if (k == QB__MX_INT8) {
    __m512i t = _mm512_cvt_roundps_epi32(_mm512_mul_ps(v, _mm512_set1_ps(64.0f)),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    t = _mm512_min_epi32(_mm512_max_epi32(t, _mm512_set1_epi32(-127)), _mm512_set1_epi32(127));
    return _mm512_and_si512(t, _mm512_set1_epi32(0xFF));
  }
  const __m512i q = qb__elem_avx512_round_fn(_mm512_and_si512(w, _mm512_set1_epi32(0x7FFFFFFF)), mbits[k],
                                             bias[k], qb__mx_maxbits512(k), ties_away);
  /* q | (w >> (31 - nbits) & 1 << nbits): 0xF8 is A | (B & C). */
  return _mm512_ternarylogic_epi32(q, _mm512_srli_epi32(w, 31 - nbits[k]), _mm512_set1_epi32(1 << nbits[k]),
                                   0xF8);
}

/*
 * 16 MX blocks (512 f32) -> 16 stored blocks (the E8M0 byte, then 4 width bytes of codes)
 * at out, given their amaxes: the scales of all 16 at once, 2^-s as f32 bits (as lowbit-avx2.h),
 * then two blocks at a time: 64 codes encoded and packed to bytes together, each block's
 * share stored at its place. Blocks holding inf or NaN are then overwritten with the NaN
 * scale 0xFF and codes 0.
 */
static inline void qb__mx_quant_x16_avx512(const float* x, __m512i amax, qb__mx_kind k,
                                           qb__mx_scale_mode mode, const int ties_away, const int width,
                                           uint8_t* out) {
  const size_t bs = 1 + 4 * (size_t) width;
  const __m512i s = qb__mx_scale_x16_avx512(amax, k, mode);
  const __m512i inv = _mm512_mask_or_epi32(_mm512_slli_epi32(_mm512_sub_epi32(_mm512_set1_epi32(127), s), 23),
                                           _mm512_cmpeq_epi32_mask(s, _mm512_set1_epi32(127)),
                                           _mm512_setzero_si512(), _mm512_set1_epi32(0x400000));
  float invs[16];
  uint8_t es[16];
  _mm512_storeu_si512((void*) invs, inv);
  _mm_storeu_si128((__m128i*) es, _mm512_cvtepi32_epi8(_mm512_add_epi32(s, _mm512_set1_epi32(127))));
#pragma GCC unroll 8
  for (int b = 0; b < 16; b += 2) {
    const __m512 v0 = _mm512_set1_ps(invs[b]), v1 = _mm512_set1_ps(invs[b + 1]);
    const float* xb = x + 32 * b;
    uint8_t* o0 = out + bs * (size_t) b;
    uint8_t* o1 = o0 + bs;
    const __m512i c = qb__elem_avx512_pack_u8x4(qb__mx_encode_x16_avx512(xb, v0, k, ties_away),
                                                qb__mx_encode_x16_avx512(xb + 16, v0, k, ties_away),
                                                qb__mx_encode_x16_avx512(xb + 32, v1, k, ties_away),
                                                qb__mx_encode_x16_avx512(xb + 48, v1, k, ties_away));
    o0[0] = es[b];
    o1[0] = es[b + 1];
    if (width == 8) {
      _mm256_storeu_si256((__m256i*) (o0 + 1), _mm512_castsi512_si256(c));
      _mm256_storeu_si256((__m256i*) (o1 + 1), _mm512_extracti64x4_epi64(c, 1));
    } else if (width == 4) {
      /* Byte pairs -> c0 + 16 c1 (vpmaddubsw), narrowed to bytes: 16 per block. */
      const __m256i p = _mm512_cvtepi16_epi8(_mm512_maddubs_epi16(c, _mm512_set1_epi16(0x1001)));
      _mm_storeu_si128((__m128i*) (o0 + 1), _mm256_castsi256_si128(p));
      _mm_storeu_si128((__m128i*) (o1 + 1), _mm256_extracti128_si256(p, 1));
    } else {
      /* c0 | c1 << 6 | c2 << 12 | c3 << 18 per 32-bit lane (vpmaddubsw, vpmaddwd), the low
       * 3 bytes of each gathered within 128-bit lanes (vpshufb), each block's 24 bytes
       * joined by a dword permute into one 256-bit half, two masked stores. */
      const __m512i p = _mm512_maddubs_epi16(c, _mm512_set1_epi16(0x4001));
      const __m512i w = _mm512_madd_epi16(p, _mm512_set1_epi32(0x10000001));
      const __m512i sh = _mm512_shuffle_epi8(
          w, _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1)));
      const __m512i t = _mm512_permutexvar_epi32(
          _mm512_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7, 8, 9, 10, 12, 13, 14, 11, 15), sh);
      _mm256_mask_storeu_epi8(o0 + 1, 0xFFFFFF, _mm512_castsi512_si256(t));
      _mm256_mask_storeu_epi8(o1 + 1, 0xFFFFFF, _mm512_extracti64x4_epi64(t, 1));
    }
  }
  const __mmask16 bad = _mm512_cmpgt_epu32_mask(amax, _mm512_set1_epi32(0x7F7FFFFF));
  if (bad != 0) {
    for (int b = 0; b < 16; b++) {
      if ((bad >> b) & 1) {
        out[bs * (size_t) b] = 0xFF;
        memset(out + bs * (size_t) b + 1, 0, bs - 1);
      }
    }
  }
}

/* nb MX blocks -> nb stored blocks at out: 16 per step, each step's amaxes computed before
 * the previous step's blocks are encoded; the last 1..15 through the same step on a
 * zero-padded copy. */
static inline void qb__mx_quant_avx512(const float* x, size_t nb, qb__mx_kind k, qb__mx_scale_mode mode,
                                       const int ties_away, const int width, uint8_t* out) {
  const size_t bs = 1 + 4 * (size_t) width;
  size_t b = 0;
  if (nb >= 16) {
    __m512i amax = qb__mx_amax_x16_avx512(x);
    for (; b + 32 <= nb; b += 16) {
      const __m512i next = qb__mx_amax_x16_avx512(x + QB_MX_BLOCK_LEN * (b + 16));
      qb__mx_quant_x16_avx512(x + QB_MX_BLOCK_LEN * b, amax, k, mode, ties_away, width, out + bs * b);
      amax = next;
    }
    qb__mx_quant_x16_avx512(x + QB_MX_BLOCK_LEN * b, amax, k, mode, ties_away, width, out + bs * b);
    b += 16;
  }
  if (b < nb) {
    float tx[16 * QB_MX_BLOCK_LEN];
    uint8_t ty[16 * (1 + 4 * 8)];
    memset(tx, 0, sizeof tx);
    memcpy(tx, x + QB_MX_BLOCK_LEN * b, (nb - b) * QB_MX_BLOCK_LEN * sizeof(float));
    qb__mx_quant_x16_avx512(tx, qb__mx_amax_x16_avx512(tx), k, mode, ties_away, width, ty);
    memcpy(out + bs * b, ty, (nb - b) * bs);
  }
}

#endif /* QB_LOWBIT_AVX512SKX_H */
