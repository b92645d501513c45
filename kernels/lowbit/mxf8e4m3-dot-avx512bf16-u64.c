/*
 * MXFP8 E4M3 . MXFP8 E4M3 -> f32 on AVX-512 + BF16, two blocks per iteration into two
 * accumulators. Per block the 32 codes of each side are decoded exactly to bf16
 * (lowdot-avx512.h) and one vdpbf16ps forms the 32 exact products summed in pairs (16
 * lanes; no flushing can act); then, as the reference, each lane times the first
 * block's scale, times the second's (the reference's order, so they overflow and
 * underflow where its do; a block whose scales could overflow a lane is summed first,
 * lowdot-avx2.h), added to the accumulator by FMA. The same exact products grouped
 * differently (QB_SEM_REASSOC); NaN codes or scales give the quiet NaN
 * (QB_SEM_NAN_CANON).
 */
#include <assert.h>

#include "lowbit/lowdot-avx512.h"
#include "qb/ukernel.h"

/* The block's 32 exact products summed in pairs into 16 lanes. */
static inline __m512 qb__block_avx512(const qb_block_mx8* x, const qb_block_mx8* y, __m256i* nan) {
  const __m512i a = qb__e4m3x32_to_bf16_avx512(_mm256_loadu_si256((const __m256i*) x->qs), nan);
  const __m512i b = qb__e4m3x32_to_bf16_avx512(_mm256_loadu_si256((const __m256i*) y->qs), nan);
  return _mm512_dpbf16_ps(_mm512_setzero_ps(), (__m512bh) a, (__m512bh) b);
}

/* acc + (p 2^sa) 2^sb lane by lane, or the block summed first into *big. */
static inline __m512 qb__scaled_add_avx512(__m512 p, const qb_block_mx8* x, const qb_block_mx8* y, __m512 acc,
                                           float* big) {
  const float sa = qb__e8m0_scale(x->e), sb = qb__e8m0_scale(y->e);
  if (qb__lowdot_big_scales(x->e, y->e)) {
    *big += _mm512_reduce_add_ps(p) * sa * sb;
    return acc;
  }
  return _mm512_fmadd_ps(_mm512_mul_ps(p, _mm512_set1_ps(sa)), _mm512_set1_ps(sb), acc);
}

void qb_mxf8e4m3_dot_ukernel__avx512bf16_u64(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx8* x = (const qb_block_mx8*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  const size_t nb = n / QB_MX_BLOCK_LEN;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m256i nan = _mm256_setzero_si256();
  float big = 0.0f;
  size_t k = 0;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; k + 2 <= nb; k += 2) {
    const __m512 p0 = qb__block_avx512(&x[k], &y[k], &nan);
    const __m512 p1 = qb__block_avx512(&x[k + 1], &y[k + 1], &nan);
    acc0 = qb__scaled_add_avx512(p0, &x[k], &y[k], acc0, &big);
    acc1 = qb__scaled_add_avx512(p1, &x[k + 1], &y[k + 1], acc1, &big);
  }
  if (k < nb) acc0 = qb__scaled_add_avx512(qb__block_avx512(&x[k], &y[k], &nan), &x[k], &y[k], acc0, &big);
  const float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + big;
  *(float*) out = qb__lowdot_result_avx512(s, qb__e4m3_saw_nan_avx512(nan));
}
