/*
 * bf16 . bf16 -> f32 with vdpbf16ps (AVX512_BF16): each f32 lane adds the products of
 * one pair of bf16 elements. The instruction reads subnormal inputs as zero, flushes
 * subnormal results to zero and rounds to nearest even regardless of MXCSR, and its
 * pair-sum does not round like two separate f32 additions: the variant declares
 * QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT | QB_SEM_REASSOC and is held to the FTZ form of the
 * bound in dot.h. 4 accumulators of 16 lanes (32 elements each); a masked tail
 * (masked-off elements read as +0.0).
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m512bh qb__load32_bf16(const uint16_t* p) {
  return (__m512bh) _mm512_loadu_si512(p);
}

void qb_bf16_dot_ukernel__avx512bf16_u128(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 128 <= n; i += 128) {
    acc0 = _mm512_dpbf16_ps(acc0, qb__load32_bf16(x + i), qb__load32_bf16(y + i));
    acc1 = _mm512_dpbf16_ps(acc1, qb__load32_bf16(x + i + 32), qb__load32_bf16(y + i + 32));
    acc2 = _mm512_dpbf16_ps(acc2, qb__load32_bf16(x + i + 64), qb__load32_bf16(y + i + 64));
    acc3 = _mm512_dpbf16_ps(acc3, qb__load32_bf16(x + i + 96), qb__load32_bf16(y + i + 96));
  }
  while (i < n) {
    const size_t left = n - i;
    const __mmask32 m = left >= 32 ? (__mmask32) 0xFFFFFFFFu : (__mmask32) qb__mask_low64(left);
    const __m512bh vx = (__m512bh) _mm512_maskz_loadu_epi16(m, x + i);
    const __m512bh vy = (__m512bh) _mm512_maskz_loadu_epi16(m, y + i);
    acc0 = _mm512_dpbf16_ps(acc0, vx, vy);
    i += left >= 32 ? 32 : left;
  }
  acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
  *(float*) out = qb__hsum_ps512(acc0);
}
