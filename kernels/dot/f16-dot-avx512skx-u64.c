/* f16 . f16 -> f32 with AVX-512: vcvtph2ps on 16 halves, 4 accumulators, a masked
 * tail. Products are exact in f32; only the order differs (QB_SEM_REASSOC). */
#include <assert.h>

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m512 qb__load16_f16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*) p));
}

void qb_f16_dot_ukernel__avx512skx_u64(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    acc0 = _mm512_fmadd_ps(qb__load16_f16(x + i), qb__load16_f16(y + i), acc0);
    acc1 = _mm512_fmadd_ps(qb__load16_f16(x + i + 16), qb__load16_f16(y + i + 16), acc1);
    acc2 = _mm512_fmadd_ps(qb__load16_f16(x + i + 32), qb__load16_f16(y + i + 32), acc2);
    acc3 = _mm512_fmadd_ps(qb__load16_f16(x + i + 48), qb__load16_f16(y + i + 48), acc3);
  }
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm512_fmadd_ps(qb__load16_f16(x + i), qb__load16_f16(y + i), acc0);
  }
  if (i < n) {
    /* Masked-off halves read as +0.0 (0x0000) and add 0 * 0. */
    const __mmask16 m = (__mmask16) qb__mask_low64(n - i);
    const __m512 vx = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, x + i));
    const __m512 vy = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, y + i));
    acc1 = _mm512_fmadd_ps(vx, vy, acc1);
  }
  acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
  *(float*) out = qb__hsum_ps512(acc0);
}
