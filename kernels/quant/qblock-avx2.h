/*
 * AVX2 (+F16C) blocks of llama.cpp's q8_0 and q4_0 (qblock-scalar.h gives the semantics),
 * included only by -avx2- files. Each function handles a fixed number of blocks and is
 * bit-exact with the scalar reference for every input: qblock.c.in loops over them.
 */
#ifndef QB_QBLOCK_AVX2_H
#define QB_QBLOCK_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"

#define QB__QBLOCK_AVX2_INLINE static inline __attribute__((always_inline))

/*
 * Eight vectors of per-block partial maxima -> one vector of the eight blocks' maxima:
 * block k ends in lane k / 2 + 4 * (k % 2). Three levels of shuffle and max (14
 * instructions for 8 blocks where one reduction each takes 6). None of the inputs is NaN.
 */
QB__QBLOCK_AVX2_INLINE __m256 qb__avx2_hmax8x8(const __m256* m) {
  __m256 p[4];
  for (int j = 0; j < 4; j++) {
    /* Low 128 bits: block 2j's 4 partials, high: block 2j + 1's. */
    p[j] = _mm256_max_ps(_mm256_permute2f128_ps(m[2 * j], m[2 * j + 1], 0x20),
                         _mm256_permute2f128_ps(m[2 * j], m[2 * j + 1], 0x31));
  }
  /* Low lane: blocks 0, 0, 2, 2 (then 4, 4, 6, 6); high lane: the odd blocks. */
  const __m256 q0 = _mm256_max_ps(_mm256_shuffle_ps(p[0], p[1], 0x44), _mm256_shuffle_ps(p[0], p[1], 0xEE));
  const __m256 q1 = _mm256_max_ps(_mm256_shuffle_ps(p[2], p[3], 0x44), _mm256_shuffle_ps(p[2], p[3], 0xEE));
  return _mm256_max_ps(_mm256_shuffle_ps(q0, q1, 0x88), _mm256_shuffle_ps(q0, q1, 0xDD));
}

/*
 * Eight q8_0 blocks (256 values). Steps, each the reference's operation:
 * 1. every block's amax (max(|x|, acc) keeps acc when |x| is NaN, as the scalar compare
 *    does), reduced together (qb__avx2_hmax8x8);
 * 2. d = amax / 127 and id = d != 0 ? 1 / d : 0 by two vector divisions; d stored as f16 by
 *    vcvtps2ph (round to nearest even, as qb_f32_to_f16_bits);
 * 3. roundf(x * id) as sign(x) * trunc(|x| * id + 0x1.fffffep-2): adding the float just
 *    below 1/2 and truncating is roundf for every non-negative float (checked over all of
 *    them), and x * id = sign(x) * (|x| * id) exactly. The sign goes on in int32
 *    (vpsignd; x == +0 gives 0 either way);
 * 4. NaN (a NaN x, or inf * 0 in a block holding an infinity) converts to INT_MIN, which
 *    the saturating packs turn into the byte -128, never a valid code: it becomes 0.
 *    For a normal d, |x| * id <= 127 (1 + 2^-22), so no clamp is needed; a block whose d
 *    is subnormal (its id may be inf or too coarse) goes through the reference instead.
 */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q8_0_quant_x8(const float* x, qb_block_q8_0* b) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  /* 1. */
  __m256 m[8];
  for (int k = 0; k < 8; k++) {
    __m256 a = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + 32 * k), absm), _mm256_setzero_ps());
    for (int i = 1; i < 4; i++)
      a = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + 32 * k + 8 * i), absm), a);
    m[k] = a;
  }
  const __m256 amax = qb__avx2_hmax8x8(m);
  /* 2. */
  const __m256 d = _mm256_div_ps(amax, _mm256_set1_ps(127.0f));
  const __m256 nz = _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_NEQ_UQ);
  const __m256 id = _mm256_and_ps(_mm256_div_ps(_mm256_set1_ps(1.0f), d), nz);
  const int tiny =
      _mm256_movemask_ps(_mm256_and_ps(nz, _mm256_cmp_ps(d, _mm256_set1_ps(0x1p-126f), _CMP_LT_OQ)));
  uint16_t dh[8];
  float ids[8];
  _mm_storeu_si128((__m128i*) dh, _mm256_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT));
  _mm256_storeu_ps(ids, id);
  /* 3, 4. */
  const __m256 half = _mm256_set1_ps(0x1.fffffep-2f);
  const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i nanb = _mm256_set1_epi8(-128);
  for (int k = 0; k < 8; k++) {
    const int lane = k / 2 + 4 * (k % 2);
    if (tiny & (1 << lane)) {
      qb__q8_0_block(x + 32 * k, &b[k]);
      continue;
    }
    const __m256 idk = _mm256_broadcast_ss(&ids[lane]);
    __m256i q[4];
    for (int i = 0; i < 4; i++) {
      const __m256 xv = _mm256_loadu_ps(x + 32 * k + 8 * i);
      const __m256 t = _mm256_add_ps(_mm256_mul_ps(_mm256_and_ps(xv, absm), idk), half);
      q[i] = _mm256_sign_epi32(_mm256_cvttps_epi32(t), _mm256_castps_si256(xv));
    }
    const __m256i w = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
    __m256i c = _mm256_permutevar8x32_epi32(w, perm);
    c = _mm256_andnot_si256(_mm256_cmpeq_epi8(c, nanb), c);
    memcpy(&b[k].d, &dh[lane], sizeof dh[lane]);
    _mm256_storeu_si256((__m256i*) b[k].qs, c);
  }
}

/* One q8_0 block, the steps of qb__avx2_q8_0_quant_x8 with a scalar d and id (the last
 * blocks of a row, fewer than eight). */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q8_0_quant(const float* x, qb_block_q8_0* b) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 mx = _mm256_setzero_ps();
  for (int i = 0; i < 4; i++) mx = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + 8 * i), absm), mx);
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
  const float d = _mm_cvtss_f32(m4) / 127.0f;
  if (d != 0.0f && d < 0x1p-126f) {
    qb__q8_0_block(x, b);
    return;
  }
  const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
  const __m256 half = _mm256_set1_ps(0x1.fffffep-2f);
  __m256i q[4];
  for (int i = 0; i < 4; i++) {
    const __m256 xv = _mm256_loadu_ps(x + 8 * i);
    const __m256 t = _mm256_add_ps(_mm256_mul_ps(_mm256_and_ps(xv, absm), id), half);
    q[i] = _mm256_sign_epi32(_mm256_cvttps_epi32(t), _mm256_castps_si256(xv));
  }
  const __m256i w = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
  __m256i c = _mm256_permutevar8x32_epi32(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  c = _mm256_andnot_si256(_mm256_cmpeq_epi8(c, _mm256_set1_epi8(-128)), c);
  b->d = (uint16_t) _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
  _mm256_storeu_si256((__m256i*) b->qs, c);
}

/* One q8_0 block: y = (float) q * d, d decoded exactly by vcvtph2ps. */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q8_0_dequant(const qb_block_q8_0* b, float* y) {
  const __m256 d = _mm256_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(b->d))));
  for (int i = 0; i < QB_BLOCK_LEN; i += 8) {
    const __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i*) (b->qs + i)));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_cvtepi32_ps(q), d));
  }
}

/* The largest of 8 lanes (none NaN). */
QB__QBLOCK_AVX2_INLINE float qb__avx2_qblock_hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

/*
 * One q4_0 block. Steps, as qb__q4_0_block:
 * 1. amax with NaN skipped; m = the first element whose |x| is amax (the lowest set bit of
 *    the equality mask), 0 when amax is 0 (the reference never replaces its initial +0, so
 *    a block of -0 keeps m = +0 and d = -0);
 * 2. d = m / -8, id = d != 0 ? 1 / d : 0 in f32, d stored as f16 (vcvtps2ph, RNE);
 * 3. v = x * id, NaN -> 0 (then v + 8.5 truncates to the reference's 8), t = v + 8.5 in
 *    f32 (no FMA: two roundings as the reference), clamped to [0, 15] (max(t, 0) also
 *    sends -inf to 0), truncated;
 * 4. byte j = code j | code j + 16 << 4.
 */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q4_0_quant(const float* x, qb_block_q4_0* b) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 xv[4], a[4];
  __m256 mx = _mm256_setzero_ps();
  for (int i = 0; i < 4; i++) {
    xv[i] = _mm256_loadu_ps(x + 8 * i);
    a[i] = _mm256_and_ps(xv[i], absm);
    mx = _mm256_max_ps(a[i], mx);
  }
  /* 1. */
  const float amax = qb__avx2_qblock_hmax(mx);
  float m = 0.0f;
  if (amax != 0.0f) {
    const __m256 am = _mm256_set1_ps(amax);
    uint32_t eq = 0;
    for (int i = 0; i < 4; i++)
      eq |= (uint32_t) _mm256_movemask_ps(_mm256_cmp_ps(a[i], am, _CMP_EQ_OQ)) << (8 * i);
    m = x[__builtin_ctz(eq)];
  }
  /* 2. */
  const float d = m / -8.0f;
  const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
  b->d = (uint16_t) _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
  /* 3. */
  __m256i c[4];
  for (int i = 0; i < 4; i++) {
    __m256 v = _mm256_mul_ps(xv[i], id);
    v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
    const __m256 t = _mm256_add_ps(v, _mm256_set1_ps(8.5f));
    c[i] = _mm256_cvttps_epi32(_mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), _mm256_set1_ps(15.0f)));
  }
  /* 4. Elements 0-7 with 16-23, 8-15 with 24-31; the packs interleave 4-dword halves. */
  const __m256i lo = _mm256_or_si256(c[0], _mm256_slli_epi32(c[2], 4));
  const __m256i hi = _mm256_or_si256(c[1], _mm256_slli_epi32(c[3], 4));
  const __m256i w = _mm256_packs_epi32(lo, hi);
  const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
  _mm_storeu_si128((__m128i*) b->qs, _mm_shuffle_epi32(bytes, _MM_SHUFFLE(3, 1, 2, 0)));
}

/* One q4_0 block: y = (float) (code - 8) * d. */
QB__QBLOCK_AVX2_INLINE void qb__avx2_q4_0_dequant(const qb_block_q4_0* b, float* y) {
  const __m256 d = _mm256_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(b->d))));
  const __m128i q = _mm_loadu_si128((const __m128i*) b->qs);
  const __m128i m = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
  const __m128i lo = _mm_sub_epi8(_mm_and_si128(q, m), eight);
  const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), m), eight);
  const __m128i part[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
  for (int i = 0; i < 4; i++) {
    _mm256_storeu_ps(y + 8 * i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(part[i])), d));
  }
}

#endif /* QB_QBLOCK_AVX2_H */
