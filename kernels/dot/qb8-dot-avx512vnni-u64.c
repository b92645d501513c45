/*
 * Block int8 . block int8 -> f32 with vpdpbusd (AVX512_VNNI), two blocks per 512-bit
 * register: lanes 0-7 hold block k, lanes 8-15 block k + 1. Per block, exact integer
 * lane sums by the unsigned-offset trick (s8-dot-avx512vnni-u128.c):
 * sum (qa XOR 0x80) qb - sum 0x80 * qb = sum qa qb, each lane summing 4 products
 * (|lane| <= 4 * 255 * 128, no wrap at all here). Each lane is converted to f32
 * (exact) and accumulated by an FMA with its block's scale da * db, rounded to f32 as
 * in the reference: the same terms grouped differently (QB_SEM_REASSOC). An odd last
 * block uses the 256-bit form (AVX512VL).
 */
#include <assert.h>

#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m256i qb__qs(const qb_block_q8* blk) {
  return _mm256_loadu_si256((const __m256i*) blk->qs);
}

void qb_qb8_dot_ukernel__avx512vnni_u64(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8* x = (const qb_block_q8*) a;
  const qb_block_q8* y = (const qb_block_q8*) b;
  const size_t nb = n / QB_BLOCK_LEN;
  const __m512i offset = _mm512_set1_epi8((char) 0x80);
  __m512 acc = _mm512_setzero_ps();
  size_t k = 0;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; k + 2 <= nb; k += 2) {
    const __m512i vx = _mm512_inserti64x4(_mm512_castsi256_si512(qb__qs(&x[k])), qb__qs(&x[k + 1]), 1);
    const __m512i vy = _mm512_inserti64x4(_mm512_castsi256_si512(qb__qs(&y[k])), qb__qs(&y[k + 1]), 1);
    const __m512i biased = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_xor_si512(vx, offset), vy);
    const __m512i corr = _mm512_dpbusd_epi32(_mm512_setzero_si512(), offset, vy);
    const __m512 sums = _mm512_cvtepi32_ps(_mm512_sub_epi32(biased, corr));
    const __m512 scale = _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_set1_ps(x[k].d * y[k].d)),
                                            _mm256_set1_ps(x[k + 1].d * y[k + 1].d), 1);
    acc = _mm512_fmadd_ps(sums, scale, acc);
  }
  __m256 acc_hi = _mm256_setzero_ps();
  if (k < nb) {
    const __m256i offset8 = _mm512_castsi512_si256(offset);
    const __m256i vy = qb__qs(&y[k]);
    const __m256i biased =
        _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_xor_si256(qb__qs(&x[k]), offset8), vy);
    const __m256i corr = _mm256_dpbusd_epi32(_mm256_setzero_si256(), offset8, vy);
    const __m256 sums = _mm256_cvtepi32_ps(_mm256_sub_epi32(biased, corr));
    acc_hi = _mm256_mul_ps(sums, _mm256_set1_ps(x[k].d * y[k].d));
  }
  *(float*) out = qb__hsum_ps512(acc) + qb__hsum_ps256(acc_hi);
}
