/*
 * s8 . s8 -> s32 with the 256-bit vpdpbusd of AVX-VNNI, by the unsigned-offset trick
 * of s8-dot-avx512vnni-u128.c: sum a b = sum (a XOR 0x80) b - sum 0x80 * b, both sums
 * modulo 2^32 (vpdpbusd wraps), exact because n <= QB_S8_DOT_MAX_N makes the true
 * result fit in s32. 2 data and 2 correction accumulators; the last n % 32 bytes
 * are summed in scalar code.
 */
#include <assert.h>

#include "dot/dot.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m256i qb__load32(const int8_t* p) {
  return _mm256_loadu_si256((const __m256i*) p);
}

void qb_s8_dot_ukernel__avxvnni_u64(size_t n, const void* a, const void* b, void* out) {
  const int8_t* x = (const int8_t*) a;
  const int8_t* y = (const int8_t*) b;
  const __m256i offset = _mm256_set1_epi8((char) 0x80);
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  __m256i corr0 = _mm256_setzero_si256(), corr1 = _mm256_setzero_si256();
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 64 <= n; i += 64) {
    const __m256i vy0 = qb__load32(y + i);
    const __m256i vy1 = qb__load32(y + i + 32);
    acc0 = _mm256_dpbusd_avx_epi32(acc0, _mm256_xor_si256(qb__load32(x + i), offset), vy0);
    acc1 = _mm256_dpbusd_avx_epi32(acc1, _mm256_xor_si256(qb__load32(x + i + 32), offset), vy1);
    corr0 = _mm256_dpbusd_avx_epi32(corr0, offset, vy0);
    corr1 = _mm256_dpbusd_avx_epi32(corr1, offset, vy1);
  }
  for (; i + 32 <= n; i += 32) {
    const __m256i vy0 = qb__load32(y + i);
    acc0 = _mm256_dpbusd_avx_epi32(acc0, _mm256_xor_si256(qb__load32(x + i), offset), vy0);
    corr0 = _mm256_dpbusd_avx_epi32(corr0, offset, vy0);
  }
  acc0 = _mm256_sub_epi32(_mm256_add_epi32(acc0, acc1), _mm256_add_epi32(corr0, corr1));
  /* The vector part is the true sum of a prefix, so it fits and the tail adds exactly. */
  int32_t sum = qb__hsum_epi32_256(acc0);
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
