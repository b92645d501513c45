/*
 * bf16 . bf16 -> f32 with AVX2 + FMA. A bf16 is the top half of an f32, so a 32-bit
 * lane holding two bf16 (even element low, odd element high) decodes with no shuffle:
 *   1. even elements: shift the lane left by 16;
 *   2. odd elements: clear the low 16 bits.
 * Each lane accumulates even * even and odd * odd products, so the order differs from
 * the reference (QB_SEM_REASSOC); subnormals are kept.
 */
#include <assert.h>

#include "common/fp.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m256 qb__even(__m256i v) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
}

static inline __m256 qb__odd(__m256i v, __m256i hi_mask) {
  return _mm256_castsi256_ps(_mm256_and_si256(v, hi_mask));
}

void qb_bf16_dot_ukernel__avx2_u32(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  const __m256i hi_mask = _mm256_set1_epi32((int32_t) 0xFFFF0000u);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
  size_t i = 0;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 32 <= n; i += 32) {
    const __m256i x0 = _mm256_loadu_si256((const __m256i*) (x + i));
    const __m256i y0 = _mm256_loadu_si256((const __m256i*) (y + i));
    const __m256i x1 = _mm256_loadu_si256((const __m256i*) (x + i + 16));
    const __m256i y1 = _mm256_loadu_si256((const __m256i*) (y + i + 16));
    acc0 = _mm256_fmadd_ps(qb__even(x0), qb__even(y0), acc0);
    acc1 = _mm256_fmadd_ps(qb__odd(x0, hi_mask), qb__odd(y0, hi_mask), acc1);
    acc2 = _mm256_fmadd_ps(qb__even(x1), qb__even(y1), acc2);
    acc3 = _mm256_fmadd_ps(qb__odd(x1, hi_mask), qb__odd(y1, hi_mask), acc3);
  }
  for (; i + 16 <= n; i += 16) {
    const __m256i x0 = _mm256_loadu_si256((const __m256i*) (x + i));
    const __m256i y0 = _mm256_loadu_si256((const __m256i*) (y + i));
    acc0 = _mm256_fmadd_ps(qb__even(x0), qb__even(y0), acc0);
    acc1 = _mm256_fmadd_ps(qb__odd(x0, hi_mask), qb__odd(y0, hi_mask), acc1);
  }
  acc0 = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
  float sum = qb__hsum_ps256(acc0);
  for (; i < n; i++) {
    sum += qb_f32_from_bits(qb_bf16_to_f32_bits(x[i])) * qb_f32_from_bits(qb_bf16_to_f32_bits(y[i]));
  }
  *(float*) out = sum;
}
