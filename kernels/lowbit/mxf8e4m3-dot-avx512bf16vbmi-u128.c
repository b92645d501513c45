/*
 * MXFP8 E4M3 . MXFP8 E4M3 -> f32 on AVX-512 + VBMI + BF16, four blocks per iteration, two
 * to a vector: mxf8e4m3-dot-avx512bf16-u128.c with the codes decoded by table
 * (lowdot-avx512vbmi.h: qb__e4m3x64_pair_to_bf16_vbmi, four vpermt2b, a vpternlogd and
 * four unpacks per 64 pairs, against ten operations and two for the NaN tracking per 64
 * codes). The 32 codes of blocks k and k + 1 of each side are loaded into one vector and
 * decoded exactly to bf16 worth 2^-8 times their values, each 128-bit lane's codes kept
 * in it; two vdpbf16ps multiply them exactly and sum the products into 16 lanes, lanes
 * 0..7 from block k and 8..15 from block k + 1. Each lane is 2^-16 times the sum of its
 * four products (every partial sum 0 or a normal f32, a multiple of 2^-34, so
 * vdpbf16ps's flushing never acts). Then each half is scaled as the AVX2 kernel scales a
 * block (lowdot-avx2.h, qb__mxf8e4m3_scaled_add_avx2): one FMA by 2^(sa + sb + 16) where
 * the reference's two power-of-two multiplications are exact for every lane, else those
 * two in its order (qb__mxf8e4m3_half_add below), a block whose scales could overflow a
 * lane summed before it is scaled, into `big`. The same exact products grouped
 * differently (QB_SEM_REASSOC). NaN codes decode to a bf16 NaN, which every product, sum
 * and scaling they enter keeps, and a NaN scale gives NaN through the multiplications:
 * the result is then the quiet NaN (QB_SEM_NAN_CANON). The last nb % 4 blocks go two,
 * then one, at a time.
 */
#include <assert.h>

#include "lowbit/lowdot-avx512vbmi.h"
#include "qb/ukernel.h"

/* Whether one FMA by 2^(sa + sb + 16) scales the block's lanes as the reference's two
 * multiplications do (lowdot-avx2.h: scale bytes ea in [19, 234], ea + eb in [146, 361],
 * eb not the NaN 0xFF); then *pow is that power. */
static inline int qb__mxf8e4m3_one_fma(uint32_t ea, uint32_t eb, float* pow) {
  *pow = qb_f32_from_bits((ea + eb - 111u) << 23);
  return ea - 19u <= 215u && ea + eb - 146u <= 215u && eb != 0xFFu;
}

/* acc + the lanes m of p (one block's, 2^-16 times its lane sums) times the block's two
 * scales, lane by lane in the reference's order, or the lanes summed first into *big. */
static inline __m512 qb__mxf8e4m3_half_add(__m512 p, __mmask16 m, const qb_block_mx8* x,
                                           const qb_block_mx8* y, __m512 acc, float* big) {
  float pow;
  if (qb__mxf8e4m3_one_fma(x->e, y->e, &pow)) return _mm512_mask3_fmadd_ps(p, _mm512_set1_ps(pow), acc, m);
  const float sa = qb__e8m0_scale(x->e), sb = qb__e8m0_scale(y->e);
  if (qb__lowdot_big_scales(x->e, y->e)) {
    *big += _mm512_mask_reduce_add_ps(m, p) * 0x1p16f * sa * sb;
    return acc;
  }
  return _mm512_mask3_fmadd_ps(_mm512_mul_ps(p, _mm512_set1_ps(sa * 0x1p16f)), _mm512_set1_ps(sb), acc, m);
}

/* The lanes of blocks x[0], y[0] (0..7) and, when two, x[1], y[1] (8..15). */
static inline __m512 qb__mxf8e4m3_pair(const qb_block_mx8* x, const qb_block_mx8* y, int two,
                                       const qb__e4m3_bf16_tables* t) {
  __m512i ca = _mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i*) x[0].qs));
  __m512i cb = _mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i*) y[0].qs));
  if (two) {
    ca = _mm512_inserti64x4(ca, _mm256_loadu_si256((const __m256i*) x[1].qs), 1);
    cb = _mm512_inserti64x4(cb, _mm256_loadu_si256((const __m256i*) y[1].qs), 1);
  }
  __m512i a0, a1, b0, b1;
  qb__e4m3x64_pair_to_bf16_vbmi(ca, cb, t, &a0, &a1, &b0, &b1);
  return _mm512_dpbf16_ps(_mm512_dpbf16_ps(_mm512_setzero_ps(), (__m512bh) a0, (__m512bh) b0), (__m512bh) a1,
                          (__m512bh) b1);
}

/* acc + blocks x[0..1], y[0..1] scaled (p from qb__mxf8e4m3_pair). */
static inline __m512 qb__mxf8e4m3_pair_add(__m512 p, const qb_block_mx8* x, const qb_block_mx8* y, __m512 acc,
                                           float* big) {
  float p0, p1;
  const int fast0 = qb__mxf8e4m3_one_fma(x[0].e, y[0].e, &p0);
  if (__builtin_expect(fast0 & qb__mxf8e4m3_one_fma(x[1].e, y[1].e, &p1), 1))
    return _mm512_fmadd_ps(p, _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(p0), _mm512_set1_ps(p1)), acc);
  acc = qb__mxf8e4m3_half_add(p, 0x00FF, &x[0], &y[0], acc, big);
  return qb__mxf8e4m3_half_add(p, 0xFF00, &x[1], &y[1], acc, big);
}

void qb_mxf8e4m3_dot_ukernel__avx512bf16vbmi_u128(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx8* x = (const qb_block_mx8*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  const size_t nb = n / QB_MX_BLOCK_LEN;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  const qb__e4m3_bf16_tables t = qb__e4m3_bf16_tables_load();
  float big = 0.0f;
  size_t k = 0;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; k + 4 <= nb; k += 4) {
    const __m512 p0 = qb__mxf8e4m3_pair(&x[k], &y[k], 1, &t);
    const __m512 p1 = qb__mxf8e4m3_pair(&x[k + 2], &y[k + 2], 1, &t);
    acc0 = qb__mxf8e4m3_pair_add(p0, &x[k], &y[k], acc0, &big);
    acc1 = qb__mxf8e4m3_pair_add(p1, &x[k + 2], &y[k + 2], acc1, &big);
  }
  if (k + 2 <= nb) {
    acc0 = qb__mxf8e4m3_pair_add(qb__mxf8e4m3_pair(&x[k], &y[k], 1, &t), &x[k], &y[k], acc0, &big);
    k += 2;
  }
  if (k < nb)
    acc1 = qb__mxf8e4m3_half_add(qb__mxf8e4m3_pair(&x[k], &y[k], 0, &t), 0x00FF, &x[k], &y[k], acc1, &big);
  const float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + big;
  *(float*) out = qb__lowdot_result_avx512(s, 0);
}
