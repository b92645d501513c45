/*
 * s8 (u8 . s8) peak with the 256-bit vpdpbusd of AVX-VNNI: 32 multiply-adds per
 * instruction, one on each of 12 independent accumulators per iteration (384),
 * registers only (14 of 16 ymm). vpdpbusd wraps, like the reference.
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__MACS 32 /* per instruction */
#define QB__DECL(j)                        \
  __m256i acc##j = _mm256_setzero_si256(); \
  __asm__("" : "+x"(acc##j));
#define QB__STEP(j) acc##j = _mm256_dpbusd_avx_epi32(acc##j, x, y);
#define QB__SUM(j) sum = _mm256_add_epi32(sum, acc##j);

void qb_s8_peak_ukernel__avxvnni_u384(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__MACS * 12);
  assert(out != NULL);
  assert(n % (QB__MACS * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const uint8_t x0 = *(const uint8_t*) a;
    const int8_t y0 = *(const int8_t*) b;
    assert(qb_s8_peak_operands_ok(x0, y0));
    const __m256i x = _mm256_set1_epi8((char) x0);
    const __m256i y = _mm256_set1_epi8(y0);
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  __m256i sum = _mm256_setzero_si256();
  QB_PEAK_CHAINS12(QB__SUM)
  *(int32_t*) out = qb__hsum_epi32_256(sum);
}
