/*
 * f8 e4m3fn . f8 e4m3fn -> f32 on AVX-512 + BF16, 128 elements per iteration. The codes
 * are decoded exactly to bf16 (lowdot-avx512.h) and vdpbf16ps multiplies them (exactly)
 * and adds the products in pairs into 4 x 16 f32 lanes; the lanes are added at the end.
 * No input is subnormal and no partial sum either (lowdot-avx512.h), so the instruction's
 * flushing never acts: the same exact products as the reference in another order
 * (QB_SEM_REASSOC); NaN codes give the quiet NaN (QB_SEM_NAN_CANON). The tail is read by
 * masked loads (zero codes add +0).
 */
#include <assert.h>

#include "lowbit/lowdot-avx512.h"
#include "qb/ukernel.h"

static inline __m512 qb__dp32(__m256i ca, __m256i cb, __m512 acc, __m256i* nan) {
  return _mm512_dpbf16_ps(acc, (__m512bh) qb__e4m3x32_to_bf16_avx512(ca, nan),
                          (__m512bh) qb__e4m3x32_to_bf16_avx512(cb, nan));
}

void qb_f8e4m3_dot_ukernel__avx512bf16_u128(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const uint8_t* y = (const uint8_t*) b;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  __m256i nan = _mm256_setzero_si256();
  size_t i = 0;
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; i + 128 <= n; i += 128) {
    acc0 = qb__dp32(_mm256_loadu_si256((const __m256i*) (x + i)),
                    _mm256_loadu_si256((const __m256i*) (y + i)), acc0, &nan);
    acc1 = qb__dp32(_mm256_loadu_si256((const __m256i*) (x + i + 32)),
                    _mm256_loadu_si256((const __m256i*) (y + i + 32)), acc1, &nan);
    acc2 = qb__dp32(_mm256_loadu_si256((const __m256i*) (x + i + 64)),
                    _mm256_loadu_si256((const __m256i*) (y + i + 64)), acc2, &nan);
    acc3 = qb__dp32(_mm256_loadu_si256((const __m256i*) (x + i + 96)),
                    _mm256_loadu_si256((const __m256i*) (y + i + 96)), acc3, &nan);
  }
  for (; i < n; i += 32) {
    const __mmask32 m = n - i >= 32 ? 0xFFFFFFFFu : (1u << (n - i)) - 1u;
    acc0 = qb__dp32(_mm256_maskz_loadu_epi8(m, x + i), _mm256_maskz_loadu_epi8(m, y + i), acc0, &nan);
  }
  const float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
  *(float*) out = qb__lowdot_result_avx512(s, qb__e4m3_saw_nan_avx512(nan));
}
