/* f32 . f32 -> f32 with AVX-512: 4 accumulators of 16 lanes; the tail is one masked
 * load (masked-off lanes read as 0 and add 0 * 0). Reassociates (QB_SEM_REASSOC). */
#include <assert.h>

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

void qb_f32_dot_ukernel__avx512skx_u64(size_t n, const void* a, const void* b, void* out) {
  const float* x = (const float*) a;
  const float* y = (const float*) b;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), acc1);
    acc2 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 32), _mm512_loadu_ps(y + i + 32), acc2);
    acc3 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 48), _mm512_loadu_ps(y + i + 48), acc3);
  }
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), acc0);
  }
  if (i < n) {
    const __mmask16 m = (__mmask16) qb__mask_low64(n - i);
    acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i), acc1);
  }
  acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
  *(float*) out = qb__hsum_ps512(acc0);
}
