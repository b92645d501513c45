/*
 * MXFP8 E4M3 . MXFP8 E4M3 -> f32 on AVX2 + FMA + F16C, two blocks per iteration into two
 * accumulators. Per block the 32 codes of each side are decoded exactly through f16
 * (lowdot-avx2.h: values times 2^-8) and the exact products summed in 8 lanes (two
 * FMAs deep); then, as the reference, each lane is scaled back by 2^16 (exact), times
 * the first block's scale, times the second's (power-of-two multiplications in the
 * reference's order, so they overflow and underflow where its do) and added to the
 * accumulator by the second one's FMA (a block whose scales could overflow a lane is
 * summed before it is scaled, lowdot-avx2.h). The same exact products grouped
 * differently (QB_SEM_REASSOC); NaN codes or scales give the quiet NaN
 * (QB_SEM_NAN_CANON).
 *
 * An exact integer block sum was considered (not built): with both sides 18-bit integers
 * (E4M3 times 2^9) it needs each side split in two 16-bit halves and three partial sums
 * (eight vpmaddwd per block), some 60 instructions per block against about 40 here.
 */
#include <assert.h>

#include "lowbit/lowdot-avx2.h"
#include "qb/ukernel.h"

/* The block's 32 exact products, times 2^-16, summed into 8 lanes. */
static inline __m256 qb__block_avx2(const qb_block_mx8* x, const qb_block_mx8* y, __m256i* nan) {
  __m256 va[4], vb[4];
  qb__e4m3x32_to_f32_avx2(x->qs, va, nan);
  qb__e4m3x32_to_f32_avx2(y->qs, vb, nan);
  return _mm256_add_ps(_mm256_fmadd_ps(va[0], vb[0], _mm256_mul_ps(va[1], vb[1])),
                       _mm256_fmadd_ps(va[2], vb[2], _mm256_mul_ps(va[3], vb[3])));
}

/* acc + ((p 2^16) 2^sa) 2^sb lane by lane; a block with large scales
 * (qb__lowdot_big_scales)
 * is summed first, scaled in the same order and added to *big instead. */
static inline __m256 qb__scaled_add_avx2(__m256 p, const qb_block_mx8* x, const qb_block_mx8* y, __m256 acc,
                                         float* big) {
  const float sa = qb__e8m0_scale(x->e), sb = qb__e8m0_scale(y->e);
  if (qb__lowdot_big_scales(x->e, y->e)) {
    *big += qb__hsum_ps_avx2(p) * 0x1p16f * sa * sb;
    return acc;
  }
  const __m256 ps = _mm256_mul_ps(_mm256_mul_ps(p, _mm256_set1_ps(0x1p16f)), _mm256_set1_ps(sa));
  return _mm256_fmadd_ps(ps, _mm256_set1_ps(sb), acc);
}

void qb_mxf8e4m3_dot_ukernel__avx2_u64(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx8* x = (const qb_block_mx8*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  const size_t nb = n / QB_MX_BLOCK_LEN;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  __m256i nan = _mm256_setzero_si256();
  float big = 0.0f;
  size_t k = 0;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; k + 2 <= nb; k += 2) {
    const __m256 p0 = qb__block_avx2(&x[k], &y[k], &nan);
    const __m256 p1 = qb__block_avx2(&x[k + 1], &y[k + 1], &nan);
    acc0 = qb__scaled_add_avx2(p0, &x[k], &y[k], acc0, &big);
    acc1 = qb__scaled_add_avx2(p1, &x[k + 1], &y[k + 1], acc1, &big);
  }
  if (k < nb) acc0 = qb__scaled_add_avx2(qb__block_avx2(&x[k], &y[k], &nan), &x[k], &y[k], acc0, &big);
  const float s = qb__hsum_ps_avx2(_mm256_add_ps(acc0, acc1)) + big;
  *(float*) out = qb__lowdot_result(s, qb__e4m3_saw_nan_avx2(nan));
}
