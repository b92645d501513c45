/*
 * f32 peak with AVX-512 FMA: one vfmadd231ps zmm on each of 12 independent
 * accumulators per iteration (16 lanes each: 192 multiply-adds). Covers two FMA units
 * at 4 cycles latency (8 chains) with margin; registers only.
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__LANES 16
#define QB__DECL(j)                    \
  __m512 acc##j = _mm512_setzero_ps(); \
  __asm__("" : "+v"(acc##j));
#define QB__STEP(j) acc##j = _mm512_fmadd_ps(x, y, acc##j);
#define QB__SUM(j) sum = _mm512_add_ps(sum, acc##j);

void qb_f32_peak_ukernel__avx512skx_u192(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__LANES * 12);
  assert(out != NULL);
  assert(n % (QB__LANES * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const __m512 x = _mm512_set1_ps(*(const float*) a);
    const __m512 y = _mm512_set1_ps(*(const float*) b);
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  __m512 sum = _mm512_setzero_ps();
  QB_PEAK_CHAINS12(QB__SUM)
  *(float*) out = qb__hsum_ps512(sum);
}
