/*
 * bf16 peak with AVX-512F/BW (avx512skx builds), what a bf16 . bf16 -> f32 dot can do
 * per cycle at best without AVX512_BF16: the widening of bf16-peak-avx2-u64.c on zmm
 * registers. A bf16 is the top half of an f32, so a 32-bit lane holding two (even
 * element low, odd high) widens with one integer operation per operand, and a step of
 * 32 multiply-adds (two 16-lane FMAs) is
 *   1. vpslld by 16 of a's and of b's pairs (the even elements), one FMA;
 *   2. vpandd with 0xFFFF0000 of a's and of b's pairs (the odd elements), one FMA.
 * That is the widening of kernels/dot/bf16-dot-avx512skx-u64.c without its loads.
 * The six operations of a step share the two 512-bit ports (the zmm shift only port 0),
 * so a step takes 3 cycles at best: 32 multiply-adds per 3 cycles, where the FMA alone
 * would do 32 per cycle (README.md, "Measured"). One step per pair of accumulators, 4
 * steps on 8 independent accumulators per iteration (128 multiply-adds): at one FMA
 * per 1.5 cycles and a latency of 4, 3 chains would do; 12 ran no faster than 8. The
 * steps are inline asm: from intrinsics the compiler would widen the loop-invariant
 * operands once, outside the loop.
 */
#include <assert.h>
#include <stdint.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__MACS 32 /* per step */
#define QB__DECL(j)                    \
  __m512 acc##j = _mm512_setzero_ps(); \
  __asm__("" : "+v"(acc##j));
#define QB__STEP(e, o)                                                           \
  __asm__(                                                                       \
      "vpslld $16, %[x], %[tx]\n\t"                                              \
      "vpslld $16, %[y], %[ty]\n\t"                                              \
      "vfmadd231ps %[ty], %[tx], %[acce]\n\t"                                    \
      "vpandd %[x], %[mask], %[tx]\n\t"                                          \
      "vpandd %[y], %[mask], %[ty]\n\t"                                          \
      "vfmadd231ps %[ty], %[tx], %[acco]"                                        \
      : [acce] "+v"(acc##e), [acco] "+v"(acc##o), [tx] "=&v"(tx), [ty] "=&v"(ty) \
      : [x] "v"(x), [y] "v"(y), [mask] "v"(mask));
#define QB__SUM(j) sum = _mm512_add_ps(sum, acc##j);

void qb_bf16_peak_ukernel__avx512skx_u128(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__MACS * 4);
  assert(out != NULL);
  assert(n % (QB__MACS * 4) == 0);
  QB_PEAK_CHAINS8(QB__DECL)
  if (n > 0) {
    const __m512i x = _mm512_set1_epi16((short) *(const uint16_t*) a);
    const __m512i y = _mm512_set1_epi16((short) *(const uint16_t*) b);
    const __m512i mask = _mm512_set1_epi32((int32_t) 0xFFFF0000u);
    __m512 tx, ty;
    for (size_t i = 0; i < iters; i++) {
      QB__STEP(0, 1) QB__STEP(2, 3) QB__STEP(4, 5) QB__STEP(6, 7)
    }
  }
  __m512 sum = _mm512_setzero_ps();
  QB_PEAK_CHAINS8(QB__SUM)
  *(float*) out = qb__hsum_ps512(sum);
}
