/*
 * s8 (u8 . s8) peak with the 512-bit vpdpbusd of AVX512_VNNI: 64 multiply-adds per
 * instruction, one on each of 12 independent accumulators per iteration (768),
 * registers only. vpdpbusd wraps, like the reference.
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__MACS 64 /* per instruction */
#define QB__DECL(j)                        \
  __m512i acc##j = _mm512_setzero_si512(); \
  __asm__("" : "+v"(acc##j));
#define QB__STEP(j) acc##j = _mm512_dpbusd_epi32(acc##j, x, y);
#define QB__SUM(j) sum = _mm512_add_epi32(sum, acc##j);

void qb_s8_peak_ukernel__avx512vnni_u768(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__MACS * 12);
  assert(out != NULL);
  assert(n % (QB__MACS * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const uint8_t x0 = *(const uint8_t*) a;
    const int8_t y0 = *(const int8_t*) b;
    assert(qb_s8_peak_operands_ok(x0, y0));
    const __m512i x = _mm512_set1_epi8((char) x0);
    const __m512i y = _mm512_set1_epi8(y0);
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  __m512i sum = _mm512_setzero_si512();
  QB_PEAK_CHAINS12(QB__SUM)
  *(int32_t*) out = qb__hsum_epi32_512(sum);
}
