/* f32 . f32 -> f32 with AVX2 + FMA: 8 accumulators of 8 lanes, enough independent
 * chains for two FMA pipes at 4-5 cycles latency when the data is in L1.
 * Reassociates (QB_SEM_REASSOC). */
#include <assert.h>

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

void qb_f32_dot_ukernel__avx2_u64(size_t n, const void* a, const void* b, void* out) {
  const float* x = (const float*) a;
  const float* y = (const float*) b;
  __m256 acc[8];
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (int j = 0; j < 8; j++) {
    acc[j] = _mm256_setzero_ps();
  }
  for (; i + 64 <= n; i += 64) {
    for (int j = 0; j < 8; j++) {
      acc[j] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8 * j), _mm256_loadu_ps(y + i + 8 * j), acc[j]);
    }
  }
  for (; i + 8 <= n; i += 8) {
    acc[0] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), acc[0]);
  }
  /* A pairwise tree keeps the reduction's own error at log2(8) = 3 roundings. */
  for (int w = 4; w > 0; w /= 2) {
    for (int j = 0; j < w; j++) {
      acc[j] = _mm256_add_ps(acc[j], acc[j + w]);
    }
  }
  float sum = qb__hsum_ps256(acc[0]);
  for (; i < n; i++) {
    sum += x[i] * y[i];
  }
  *(float*) out = sum;
}
