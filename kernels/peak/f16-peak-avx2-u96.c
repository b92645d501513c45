/*
 * f16 peak with F16C + FMA (AVX2 builds), what an f16 . f16 -> f32 dot can do per
 * cycle at best on a CPU without AVX-512 FP16: every multiply-add needs both operands
 * widened by vcvtph2ps (8 halves each) before one vfmadd231ps (8 lanes), so a step of
 * 8 multiply-adds is
 *   1. vcvtph2ps of 8 copies of a[0] into a temporary;
 *   2. vcvtph2ps of 8 copies of b[0] into another;
 *   3. vfmadd231ps of the two into the accumulator.
 * One step on each of 12 independent accumulators per iteration (96 multiply-adds;
 * 14 of the 16 ymm registers with the two temporaries).
 *
 * The converts read their 16 bytes from memory (a local copy of a[0], b[0] broadcast,
 * in L1): on Zen 3 the register form vcvtph2ps ymm, xmm ran at about half a convert
 * per cycle where the memory form, the one the f16 dots use, ran at two (a /tmp loop
 * of 32 independent converts, timed against an FMA loop), so a peak of the register
 * form would sit far below the dots it is meant to bound. The steps are inline asm: an
 * intrinsic convert of a loop invariant would be hoisted out of the loop.
 */
#include <assert.h>
#include <stdint.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__LANES 8
#define QB__DECL(j)                    \
  __m256 acc##j = _mm256_setzero_ps(); \
  __asm__("" : "+x"(acc##j));
#define QB__STEP(j)                                        \
  __asm__(                                                 \
      "vcvtph2ps %[x], %[tx]\n\t"                          \
      "vcvtph2ps %[y], %[ty]\n\t"                          \
      "vfmadd231ps %[ty], %[tx], %[acc]"                   \
      : [acc] "+x"(acc##j), [tx] "=&x"(tx), [ty] "=&x"(ty) \
      : [x] "m"(xs), [y] "m"(ys));
#define QB__SUM(j) sum = _mm256_add_ps(sum, acc##j);

void qb_f16_peak_ukernel__avx2_u96(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__LANES * 12);
  assert(out != NULL);
  assert(n % (QB__LANES * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const __m128i xs = _mm_set1_epi16((short) *(const uint16_t*) a);
    const __m128i ys = _mm_set1_epi16((short) *(const uint16_t*) b);
    __m256 tx, ty;
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  __m256 sum = _mm256_setzero_ps();
  QB_PEAK_CHAINS12(QB__SUM)
  *(float*) out = qb__hsum_ps256(sum);
}
