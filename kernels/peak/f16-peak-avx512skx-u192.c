/*
 * f16 peak with AVX-512F (avx512skx builds), what an f16 . f16 -> f32 dot can do per
 * cycle at best on a CPU with AVX-512 but without AVX-512 FP16: every multiply-add
 * needs both operands widened by vcvtph2ps (16 halves each, zmm) before one
 * vfmadd231ps (16 lanes), so a step of 16 multiply-adds is
 *   1. vcvtph2ps of 16 copies of a[0] into a temporary;
 *   2. vcvtph2ps of 16 copies of b[0] into another;
 *   3. vfmadd231ps of the two into the accumulator.
 * One step on each of 12 independent accumulators per iteration (192 multiply-adds).
 * The converts bind, not the FMA: on the Intel Xeon (Emerald Rapids class) VM a step
 * took about 2.5 cycles for 16 multiply-adds, as if each zmm vcvtph2ps took two slots
 * of the two 512-bit ports (memory form or not) and the FMA one (README.md,
 * "Measured"). Twelve chains are far more than one FMA per 2.5 cycles needs; they keep
 * the shape of the avx2 variant.
 *
 * The converts read their 32 bytes from memory (a local copy of a[0], b[0] broadcast,
 * in L1), the form the f16 dots use (their loads fold into vcvtph2ps); on that Xeon
 * the register form ran at the same rate. The steps are inline asm: an intrinsic
 * convert of a loop invariant would be hoisted out of the loop.
 */
#include <assert.h>
#include <stdint.h>

#include "dot/dot-x86.h"
#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__LANES 16
#define QB__DECL(j)                    \
  __m512 acc##j = _mm512_setzero_ps(); \
  __asm__("" : "+v"(acc##j));
#define QB__STEP(j)                                        \
  __asm__(                                                 \
      "vcvtph2ps %[x], %[tx]\n\t"                          \
      "vcvtph2ps %[y], %[ty]\n\t"                          \
      "vfmadd231ps %[ty], %[tx], %[acc]"                   \
      : [acc] "+v"(acc##j), [tx] "=&v"(tx), [ty] "=&v"(ty) \
      : [x] "m"(xs), [y] "m"(ys));
#define QB__SUM(j) sum = _mm512_add_ps(sum, acc##j);

void qb_f16_peak_ukernel__avx512skx_u192(size_t n, const void* a, const void* b, void* out) {
  const size_t iters = n / (QB__LANES * 12);
  assert(out != NULL);
  assert(n % (QB__LANES * 12) == 0);
  QB_PEAK_CHAINS12(QB__DECL)
  if (n > 0) {
    const __m256i xs = _mm256_set1_epi16((short) *(const uint16_t*) a);
    const __m256i ys = _mm256_set1_epi16((short) *(const uint16_t*) b);
    __m512 tx, ty;
    for (size_t i = 0; i < iters; i++) {
      QB_PEAK_CHAINS12(QB__STEP)
    }
  }
  __m512 sum = _mm512_setzero_ps();
  QB_PEAK_CHAINS12(QB__SUM)
  *(float*) out = qb__hsum_ps512(sum);
}
