/*
 * bf16 peak with AVX2 + FMA, what a bf16 . bf16 -> f32 dot can do per cycle at best
 * without AVX512_BF16: a bf16 is the top half of an f32, so a 32-bit lane holding two
 * (even element low, odd high) widens with one integer operation per operand, and a
 * step of 16 multiply-adds (two 8-lane FMAs) is
 *   1. vpslld by 16 of a's and of b's pairs (the even elements), one FMA;
 *   2. vpand with 0xFFFF0000 of a's and of b's pairs (the odd elements), one FMA.
 * That is the widening of kernels/dot/bf16-dot-avx2-u32.c without its loads. One step
 * per pair of accumulators, 4 steps on 8 independent accumulators per iteration (64
 * multiply-adds; 13 ymm registers with the two broadcast pairs, the mask and two
 * temporaries: 12 accumulators would need 17). Eight chains cover two FMA pipes at a
 * latency of 4 cycles, and the step's integer operations hold the FMAs to about one
 * per cycle anyway. The steps are inline asm: from intrinsics the compiler would widen the
 * loop-invariant operands once, outside the loop.
 */
#include <assert.h>
#include <stdint.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__MACS 16 /* per step */
#define QB__DECL(j)                    \
  __m256 acc##j = _mm256_setzero_ps(); \
  __asm__("" : "+x"(acc##j));
#define QB__STEP(e, o)                                                           \
  __asm__(                                                                       \
      "vpslld $16, %[x], %[tx]\n\t"                                              \
      "vpslld $16, %[y], %[ty]\n\t"                                              \
      "vfmadd231ps %[ty], %[tx], %[acce]\n\t"                                    \
      "vpand %[x], %[mask], %[tx]\n\t"                                           \
      "vpand %[y], %[mask], %[ty]\n\t"                                           \
      "vfmadd231ps %[ty], %[tx], %[acco]"                                        \
      : [acce] "+x"(acc##e), [acco] "+x"(acc##o), [tx] "=&x"(tx), [ty] "=&x"(ty) \
      : [x] "x"(x), [y] "x"(y), [mask] "x"(mask));
#define QB__SUM(j) sum = _mm256_add_ps(sum, acc##j);

void qb_bf16_peak_ukernel__avx2_u64(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__MACS * 4);
  assert(out != NULL);
  assert(n % (QB__MACS * 4) == 0);
  QB_PEAK_CHAINS8(QB__DECL)
  if (n > 0) {
    const __m256i x = _mm256_set1_epi16((short) *(const uint16_t*) a);
    const __m256i y = _mm256_set1_epi16((short) *(const uint16_t*) b);
    const __m256i mask = _mm256_set1_epi32((int32_t) 0xFFFF0000u);
    __m256 tx, ty;
    for (size_t i = 0; i < iters; i++) {
      QB__STEP(0, 1) QB__STEP(2, 3) QB__STEP(4, 5) QB__STEP(6, 7)
    }
  }
  __m256 sum = _mm256_setzero_ps();
  QB_PEAK_CHAINS8(QB__SUM)
  *(float*) out = qb__hsum_ps256(sum);
}
