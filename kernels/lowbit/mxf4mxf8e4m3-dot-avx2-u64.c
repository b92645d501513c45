/*
 * MXFP4 . MXFP8 E4M3 -> f32 on AVX2 + FMA, two blocks per iteration into two
 * accumulators. Per block, exact integer arithmetic (lowdot-avx2.h): the FP4 values
 * times 2 are integers in [-12, 12], the E4M3 values times 2^9 are integers
 * x = xA + 256 xB with both halves in 16 bits; vpmaddwd gives sum F xA and sum F xB
 * over 4 elements per 32-bit lane, and lane = (sum F xA) + 256 (sum F xB) is the exact
 * sum of 4 products times 2^10 (|lane| <= 4 * 12 * 448 * 2^9 < 2^24: exact in f32 too).
 * Then, as the reference, each lane times the FP4 block's scale (with the 2^-10 folded
 * in: exact, at least 2^-137) and times the E4M3 block's scale, added by FMA (a block
 * whose scales could overflow a lane is summed before it is scaled, lowdot-avx2.h). The
 * products are exact and the 4-element partial sums too; what differs from the
 * reference is the order of the f32 additions (QB_SEM_REASSOC). NaN codes or scales
 * give the quiet NaN (QB_SEM_NAN_CANON).
 */
#include <assert.h>

#include "lowbit/lowdot-avx2.h"
#include "qb/ukernel.h"

/* The block's 32 exact products times 2^10, as 8 exact partial sums. */
static inline __m256i qb__block_avx2(const qb_block_mx4* x, const qb_block_mx8* y, __m256i* nan) {
  __m256i f[2], xa[2], xb[2];
  qb__f4x32_to_i16_avx2(x->qs, f);
  qb__e4m3x32_split_avx2(y->qs, xa, xb, nan);
  const __m256i sa = _mm256_add_epi32(_mm256_madd_epi16(f[0], xa[0]), _mm256_madd_epi16(f[1], xa[1]));
  const __m256i sb = _mm256_add_epi32(_mm256_madd_epi16(f[0], xb[0]), _mm256_madd_epi16(f[1], xb[1]));
  return _mm256_add_epi32(sa, _mm256_slli_epi32(sb, 8));
}

/* acc + (p 2^(sa - 10)) 2^sb lane by lane; a block with large scales
 * (qb__lowdot_big_scales) is summed first (exactly, in integers: |sum| < 2^27), scaled
 * in the same order and added to *big instead. */
static inline __m256 qb__scaled_add_avx2(__m256i p, const qb_block_mx4* x, const qb_block_mx8* y, __m256 acc,
                                         float* big) {
  const float sa = qb__e8m0_scale_pow2(x->e, -10), sb = qb__e8m0_scale(y->e);
  if (qb__lowdot_big_scales(x->e, y->e)) {
    *big += (float) qb__hsum_epi32_avx2(p) * sa * sb;
    return acc;
  }
  return _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(sa)), _mm256_set1_ps(sb), acc);
}

void qb_mxf4mxf8e4m3_dot_ukernel__avx2_u64(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx4* x = (const qb_block_mx4*) a;
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
    const __m256i p0 = qb__block_avx2(&x[k], &y[k], &nan);
    const __m256i p1 = qb__block_avx2(&x[k + 1], &y[k + 1], &nan);
    acc0 = qb__scaled_add_avx2(p0, &x[k], &y[k], acc0, &big);
    acc1 = qb__scaled_add_avx2(p1, &x[k + 1], &y[k + 1], acc1, &big);
  }
  if (k < nb) acc0 = qb__scaled_add_avx2(qb__block_avx2(&x[k], &y[k], &nan), &x[k], &y[k], acc0, &big);
  const float s = qb__hsum_ps_avx2(_mm256_add_ps(acc0, acc1)) + big;
  *(float*) out = qb__lowdot_result(s, qb__e4m3_saw_nan_avx2(nan));
}
