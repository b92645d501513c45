/*
 * u8 . s8 -> s32 with AVX2, exact: a is zero-extended and b sign-extended to 16 bits,
 * then vpmaddwd, whose pair sums (at most 2 * 255 * 128 = 65280) cannot overflow s32.
 * Not vpmaddubsw: its s16 pair sums saturate (README.md). Lane sums stay in s32 for
 * n <= QB_U8S8_DOT_MAX_N.
 */
#include <assert.h>

#include "dot/dot.h"
#include "dot/dot-x86.h"
#include "qb/ukernel.h"

static inline __m256i qb__load16_u8(const uint8_t* p) {
  return _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i*) p));
}

static inline __m256i qb__load16_s8(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) p));
}

void qb_u8s8_dot_ukernel__avx2_u32(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const int8_t* y = (const int8_t*) b;
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  size_t i = 0;
  assert(out != NULL);
  assert(n <= QB_U8S8_DOT_MAX_N);
  assert(n == 0 || (a != NULL && b != NULL));
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(qb__load16_u8(x + i), qb__load16_s8(y + i)));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(qb__load16_u8(x + i + 16), qb__load16_s8(y + i + 16)));
  }
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(qb__load16_u8(x + i), qb__load16_s8(y + i)));
  }
  int32_t sum = qb__hsum_epi32_256(_mm256_add_epi32(acc0, acc1));
  for (; i < n; i++) {
    sum += (int32_t) x[i] * (int32_t) y[i];
  }
  *(int32_t*) out = sum;
}
