/* f16 . f16 -> f32 with AVX2 + FMA, decoding with F16C (vcvtph2ps: exact, subnormals
 * kept, as the reference). An f16 product is exact in f32, so the FMA's single
 * rounding equals the reference's rounding of the sum; only the order differs
 * (QB_SEM_REASSOC). 4 accumulators of 8 lanes. */
#include <assert.h>

#include "common/fp.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m256 qb__load8_f16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*) p));
}

void qb_f16_dot_ukernel__avx2_u32(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm256_fmadd_ps(qb__load8_f16(x + i), qb__load8_f16(y + i), acc0);
    acc1 = _mm256_fmadd_ps(qb__load8_f16(x + i + 8), qb__load8_f16(y + i + 8), acc1);
    acc2 = _mm256_fmadd_ps(qb__load8_f16(x + i + 16), qb__load8_f16(y + i + 16), acc2);
    acc3 = _mm256_fmadd_ps(qb__load8_f16(x + i + 24), qb__load8_f16(y + i + 24), acc3);
  }
  for (; i + 8 <= n; i += 8) {
    acc0 = _mm256_fmadd_ps(qb__load8_f16(x + i), qb__load8_f16(y + i), acc0);
  }
  acc0 = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
  float sum = qb__hsum_ps256(acc0);
  for (; i < n; i++) {
    sum += qb_f32_from_bits(qb_f16_to_f32_bits(x[i])) * qb_f32_from_bits(qb_f16_to_f32_bits(y[i]));
  }
  *(float*) out = sum;
}
