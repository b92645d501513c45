/* u8 . s8 -> s32 with the 256-bit vpdpbusd of AVX-VNNI: four u8 * s8 products per s32
 * lane, wrapping, exact for n <= QB_U8S8_DOT_MAX_N. 4 accumulators; the last n % 32
 * bytes are summed in scalar code. */
#include <assert.h>

#include "dot/dot.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m256i qb__load32(const void* p) {
  return _mm256_loadu_si256((const __m256i*) p);
}

void qb_u8s8_dot_ukernel__avxvnni_u128(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const int8_t* y = (const int8_t*) b;
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  __m256i acc2 = _mm256_setzero_si256(), acc3 = _mm256_setzero_si256();
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_U8S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 128 <= n; i += 128) {
    acc0 = _mm256_dpbusd_avx_epi32(acc0, qb__load32(x + i), qb__load32(y + i));
    acc1 = _mm256_dpbusd_avx_epi32(acc1, qb__load32(x + i + 32), qb__load32(y + i + 32));
    acc2 = _mm256_dpbusd_avx_epi32(acc2, qb__load32(x + i + 64), qb__load32(y + i + 64));
    acc3 = _mm256_dpbusd_avx_epi32(acc3, qb__load32(x + i + 96), qb__load32(y + i + 96));
  }
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm256_dpbusd_avx_epi32(acc0, qb__load32(x + i), qb__load32(y + i));
  }
  acc0 = _mm256_add_epi32(_mm256_add_epi32(acc0, acc1), _mm256_add_epi32(acc2, acc3));
  int32_t sum = qb__hsum_epi32_256(acc0);
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
