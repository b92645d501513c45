/* bf16 . bf16 -> f32 with AVX-512F/BW: the even/odd decode of bf16-dot-avx2-u32.c on 32
 * elements per register, 4 accumulators, a masked tail (masked-off elements read as
 * +0.0). Subnormals are kept; the order differs (QB_SEM_REASSOC). */
#include <assert.h>

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m512 qb__even(__m512i v) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
}

static inline __m512 qb__odd(__m512i v, __m512i hi_mask) {
  return _mm512_castsi512_ps(_mm512_and_si512(v, hi_mask));
}

void qb_bf16_dot_ukernel__avx512skx_u64(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  const __m512i hi_mask = _mm512_set1_epi32((int32_t) 0xFFFF0000u);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    const __m512i x0 = _mm512_loadu_si512(x + i);
    const __m512i y0 = _mm512_loadu_si512(y + i);
    const __m512i x1 = _mm512_loadu_si512(x + i + 32);
    const __m512i y1 = _mm512_loadu_si512(y + i + 32);
    acc0 = _mm512_fmadd_ps(qb__even(x0), qb__even(y0), acc0);
    acc1 = _mm512_fmadd_ps(qb__odd(x0, hi_mask), qb__odd(y0, hi_mask), acc1);
    acc2 = _mm512_fmadd_ps(qb__even(x1), qb__even(y1), acc2);
    acc3 = _mm512_fmadd_ps(qb__odd(x1, hi_mask), qb__odd(y1, hi_mask), acc3);
  }
  while (i < n) {
    /* One register of up to 32 elements, masked when fewer remain. */
    const size_t left = n - i;
    const __mmask32 m = left >= 32 ? (__mmask32) 0xFFFFFFFFu : (__mmask32) qb__mask_low64(left);
    const __m512i x0 = _mm512_maskz_loadu_epi16(m, x + i);
    const __m512i y0 = _mm512_maskz_loadu_epi16(m, y + i);
    acc0 = _mm512_fmadd_ps(qb__even(x0), qb__even(y0), acc0);
    acc1 = _mm512_fmadd_ps(qb__odd(x0, hi_mask), qb__odd(y0, hi_mask), acc1);
    i += left >= 32 ? 32 : left;
  }
  acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
  *(float*) out = qb__hsum_ps512(acc0);
}
