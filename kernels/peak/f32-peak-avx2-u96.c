/*
 * f32 peak with AVX2 FMA: each iteration issues one vfmadd231ps on each of 12
 * independent accumulators (8 lanes each: 96 multiply-adds). Two FMA pipes with a
 * latency of 4-5 cycles need 8-10 chains in flight; 12 cover that with margin and,
 * with a[0] and b[0] broadcast, use 14 of the 16 ymm registers, so the loop touches no
 * memory. The sum of the accumulators goes to out, so nothing can be dropped.
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__LANES 8
#define QB__DECL(j)                    \
  __m256 acc##j = _mm256_setzero_ps(); \
  __asm__("" : "+x"(acc##j));
#define QB__STEP(j) acc##j = _mm256_fmadd_ps(x, y, acc##j);
#define QB__SUM(j) sum = _mm256_add_ps(sum, acc##j);

void qb_f32_peak_ukernel__avx2_u96(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__LANES * 12);
  assert(out != NULL);
  assert(n % (QB__LANES * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const __m256 x = _mm256_broadcast_ss((const float*) a);
    const __m256 y = _mm256_broadcast_ss((const float*) b);
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  __m256 sum = _mm256_setzero_ps();
  QB_PEAK_CHAINS12(QB__SUM)
  *(float*) out = qb__hsum_ps256(sum);
}
