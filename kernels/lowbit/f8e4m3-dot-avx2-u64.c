/*
 * f8 e4m3fn . f8 e4m3fn -> f32 on AVX2 + FMA, 64 elements per iteration. The codes are
 * decoded exactly to f32 by byte tables (lowdot-avx2.h: no vcvtph2ps, no f32
 * subnormal), multiplied exactly (a product of two E4M3 values has at most 8 significant
 * bits and lies in [2^-18, 448^2]) and summed by FMA in 4 x 8 lanes, the lanes added at
 * the end. The same exact products as the reference, summed in another order
 * (QB_SEM_REASSOC); NaN codes give the quiet NaN (QB_SEM_NAN_CANON). A tail shorter than
 * 32 goes through a zero-padded copy.
 */
#include <assert.h>

#include "lowbit/lowdot-avx2.h"
#include "qb/ukernel.h"

void qb_f8e4m3_dot_ukernel__avx2_u64(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const uint8_t* y = (const uint8_t*) b;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
  __m256i nan = _mm256_setzero_si256();
  __m256 va[4], vb[4];
  size_t i = 0;
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; i + 64 <= n; i += 64) {
    qb__e4m3x32_to_f32_avx2(x + i, va, &nan);
    qb__e4m3x32_to_f32_avx2(y + i, vb, &nan);
    acc0 = _mm256_fmadd_ps(va[0], vb[0], acc0);
    acc1 = _mm256_fmadd_ps(va[1], vb[1], acc1);
    acc2 = _mm256_fmadd_ps(va[2], vb[2], acc2);
    acc3 = _mm256_fmadd_ps(va[3], vb[3], acc3);
    qb__e4m3x32_to_f32_avx2(x + i + 32, va, &nan);
    qb__e4m3x32_to_f32_avx2(y + i + 32, vb, &nan);
    acc0 = _mm256_fmadd_ps(va[0], vb[0], acc0);
    acc1 = _mm256_fmadd_ps(va[1], vb[1], acc1);
    acc2 = _mm256_fmadd_ps(va[2], vb[2], acc2);
    acc3 = _mm256_fmadd_ps(va[3], vb[3], acc3);
  }
  for (; i < n; i += 32) {
    const uint8_t* pa = x + i;
    const uint8_t* pb = y + i;
    uint8_t ta[32], tb[32];
    if (n - i < 32) { /* zero codes add +0 */
      memset(ta, 0, sizeof ta);
      memset(tb, 0, sizeof tb);
      memcpy(ta, pa, n - i);
      memcpy(tb, pb, n - i);
      pa = ta;
      pb = tb;
    }
    qb__e4m3x32_to_f32_avx2(pa, va, &nan);
    qb__e4m3x32_to_f32_avx2(pb, vb, &nan);
    acc0 = _mm256_fmadd_ps(va[0], vb[0], acc0);
    acc1 = _mm256_fmadd_ps(va[1], vb[1], acc1);
    acc2 = _mm256_fmadd_ps(va[2], vb[2], acc2);
    acc3 = _mm256_fmadd_ps(va[3], vb[3], acc3);
  }
  const float s = qb__hsum_ps_avx2(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
  *(float*) out = qb__lowdot_result(s, qb__e4m3_saw_nan_avx2(nan));
}
