/* u8 . s8 -> s32 with AVX-512BW, exact: zero-extend a and sign-extend b to 16 bits,
 * vpmaddwd (pair sums <= 65280, no overflow), 2 accumulators, a masked tail (masked-off
 * bytes read as 0). Lane sums stay in s32 for n <= QB_U8S8_DOT_MAX_N. */
#include <assert.h>

#include "dot/dot.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m512i qb__madd32(__m256i vx, __m256i vy) {
  return _mm512_madd_epi16(_mm512_cvtepu8_epi16(vx), _mm512_cvtepi8_epi16(vy));
}

void qb_u8s8_dot_ukernel__avx512skx_u64(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const int8_t* y = (const int8_t*) b;
  __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_U8S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    acc0 = _mm512_add_epi32(acc0, qb__madd32(_mm256_loadu_si256((const __m256i*) (x + i)),
                                             _mm256_loadu_si256((const __m256i*) (y + i))));
    acc1 = _mm512_add_epi32(acc1, qb__madd32(_mm256_loadu_si256((const __m256i*) (x + i + 32)),
                                             _mm256_loadu_si256((const __m256i*) (y + i + 32))));
  }
  while (i < n) {
    const size_t left = n - i;
    const __mmask32 m = left >= 32 ? (__mmask32) 0xFFFFFFFFu : (__mmask32) qb__mask_low64(left);
    acc0 = _mm512_add_epi32(acc0,
                            qb__madd32(_mm256_maskz_loadu_epi8(m, x + i), _mm256_maskz_loadu_epi8(m, y + i)));
    i += left >= 32 ? 32 : left;
  }
  *(int32_t*) out = qb__hsum_epi32_512(_mm512_add_epi32(acc0, acc1));
}
