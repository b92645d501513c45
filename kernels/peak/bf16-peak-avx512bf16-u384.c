/*
 * bf16 peak with vdpbf16ps (AVX512_BF16): each instruction does 32 bf16 multiply-adds
 * (16 f32 lanes, a pair each); one on each of 12 independent accumulators per
 * iteration (384 multiply-adds), registers only. a[0] and b[0] are broadcast to every
 * bf16 element.
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__MACS 32 /* per instruction */
#define QB__DECL(j)                    \
  __m512 acc##j = _mm512_setzero_ps(); \
  __asm__("" : "+v"(acc##j));
#define QB__STEP(j) acc##j = _mm512_dpbf16_ps(acc##j, x, y);
#define QB__SUM(j) sum = _mm512_add_ps(sum, acc##j);

void qb_bf16_peak_ukernel__avx512bf16_u384(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__MACS * 12);
  assert(out != NULL);
  assert(n % (QB__MACS * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const __m512bh x = (__m512bh) _mm512_set1_epi16((short) *(const uint16_t*) a);
    const __m512bh y = (__m512bh) _mm512_set1_epi16((short) *(const uint16_t*) b);
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  __m512 sum = _mm512_setzero_ps();
  QB_PEAK_CHAINS12(QB__SUM)
  *(float*) out = qb__hsum_ps512(sum);
}
