/*
 * s8 (u8 . s8) peak with AVX2, the sequence int8 kernels use without VNNI:
 *   1. vpmaddubsw: 32 u8 * s8 products, adjacent pairs summed to 16 s16 (saturating;
 *      the family's precondition |a * b| <= 16383 keeps 2 a b inside s16);
 *   2. vpmaddwd with ones: adjacent s16 summed to 8 s32;
 *   3. vpaddd into the accumulator.
 * That is 32 multiply-adds per 3 instructions; 4 independent accumulators per
 * iteration (128 multiply-adds). Only the 1-cycle vpaddd is loop-carried, so 4 chains
 * keep both multiply ports busy. The step is written in inline asm: its operands never
 * change, so from intrinsics GCC would compute steps 1-2 once per iteration (or once
 * in all), and when forced not to, it schedules every multiply first and spills.
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__MACS 32 /* per 3-instruction step */
#define QB__DECL(j)                        \
  __m256i acc##j = _mm256_setzero_si256(); \
  __asm__("" : "+x"(acc##j));
#define QB__STEP(j)                      \
  __asm__(                               \
      "vpmaddubsw %[y], %[x], %[t]\n\t"  \
      "vpmaddwd %[ones], %[t], %[t]\n\t" \
      "vpaddd %[t], %[acc], %[acc]"      \
      : [acc] "+x"(acc##j), [t] "=&x"(t) \
      : [x] "x"(x), [y] "x"(y), [ones] "x"(ones));
#define QB__SUM(j) sum = _mm256_add_epi32(sum, acc##j);

void qb_s8_peak_ukernel__avx2_u128(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__MACS * 4);
  assert(out != NULL);
  assert(n % (QB__MACS * 4) == 0);
  QB_PEAK_CHAINS4(QB__DECL)
  if (n > 0) {
    const uint8_t x0 = *(const uint8_t*) a;
    const int8_t y0 = *(const int8_t*) b;
    assert(qb_s8_peak_operands_ok(x0, y0));
    const __m256i x = _mm256_set1_epi8((char) x0);
    const __m256i y = _mm256_set1_epi8(y0);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i t;
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS4(QB__STEP)
    }
  }
  __m256i sum = _mm256_setzero_si256();
  QB_PEAK_CHAINS4(QB__SUM)
  *(int32_t*) out = qb__hsum_epi32_256(sum);
}
