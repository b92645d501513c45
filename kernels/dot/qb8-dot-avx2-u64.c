/*
 * Block int8 . block int8 -> f32 with AVX2 + FMA. Per block, exact integer partial
 * sums: the 32 bytes of each side sign-extended to 16 bits and multiplied with
 * vpmaddwd (no saturation, unlike vpmaddubsw), giving 8 s32 lanes that each hold the
 * sum of 4 products (|lane| <= 4 * 128^2, exact in f32). Then, as the reference,
 * scale = da * db rounded to f32, but each lane is scaled and accumulated by its own
 * FMA: the same terms grouped differently (QB_SEM_REASSOC). Two blocks per iteration
 * into 2 accumulators.
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

/* The 8 s32 lane sums of one block's 32 products, as f32 (exact). */
static inline __m256 qb__block_sums(const qb_block_q8* x, const qb_block_q8* y) {
  const __m256i x0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) x->qs));
  const __m256i x1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (x->qs + 16)));
  const __m256i y0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) y->qs));
  const __m256i y1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (y->qs + 16)));
  const __m256i s = _mm256_add_epi32(_mm256_madd_epi16(x0, y0), _mm256_madd_epi16(x1, y1));
  return _mm256_cvtepi32_ps(s);
}

void qb_qb8_dot_ukernel__avx2_u64(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8* x = (const qb_block_q8*) a;
  const qb_block_q8* y = (const qb_block_q8*) b;
  const size_t nb = n / QB_BLOCK_LEN;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t k = 0;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; k + 2 <= nb; k += 2) {
    acc0 = _mm256_fmadd_ps(qb__block_sums(&x[k], &y[k]), _mm256_set1_ps(x[k].d * y[k].d), acc0);
    acc1 =
        _mm256_fmadd_ps(qb__block_sums(&x[k + 1], &y[k + 1]), _mm256_set1_ps(x[k + 1].d * y[k + 1].d), acc1);
  }
  if (k < nb) {
    acc0 = _mm256_fmadd_ps(qb__block_sums(&x[k], &y[k]), _mm256_set1_ps(x[k].d * y[k].d), acc0);
  }
  *(float*) out = qb__hsum_ps256(_mm256_add_ps(acc0, acc1));
}
