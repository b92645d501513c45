/*
 * f8 e4m3fn . f8 e4m3fn -> f32 on AVX-512 + BF16, 128 elements per iteration. The codes
 * are decoded exactly to bf16 worth 2^-8 times their values, 64 at a time without
 * widening across lanes (lowdot-avx512.h: qb__e4m3x64_to_bf16_avx512, the even and the
 * odd bytes apart), and vdpbf16ps multiplies them (exactly: at most 8 significant bits,
 * each product 2^-16 times its value) and adds the products in pairs into 4 x 16 f32
 * lanes; the lanes are added at the end and the sum multiplied by 2^16. No input is a
 * bf16 subnormal and every partial sum is 0 or a normal f32 (a multiple of 2^-34), so
 * the instruction's flushing never acts and the power of two commutes with the
 * roundings: the same exact products as the reference in another order
 * (QB_SEM_REASSOC); NaN codes give the quiet NaN (QB_SEM_NAN_CANON). The tail is read
 * by masked loads (zero codes add +0).
 */
#include <assert.h>

#include "lowbit/lowdot-avx512.h"
#include "qb/ukernel.h"

/* acc0 + the products of the even codes of ca, cb; acc1 + those of the odd codes. */
static inline void qb__dp64(__m512i ca, __m512i cb, __m512* acc0, __m512* acc1, __m512i* nan) {
  __m512i ae, ao, be, bo;
  qb__e4m3x64_to_bf16_avx512(ca, &ae, &ao, nan);
  qb__e4m3x64_to_bf16_avx512(cb, &be, &bo, nan);
  *acc0 = _mm512_dpbf16_ps(*acc0, (__m512bh) ae, (__m512bh) be);
  *acc1 = _mm512_dpbf16_ps(*acc1, (__m512bh) ao, (__m512bh) bo);
}

void qb_f8e4m3_dot_ukernel__avx512bf16_u128(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const uint8_t* y = (const uint8_t*) b;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  __m512i nan = _mm512_setzero_si512();
  size_t i = 0;
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; i + 128 <= n; i += 128) {
    qb__dp64(_mm512_loadu_si512(x + i), _mm512_loadu_si512(y + i), &acc0, &acc1, &nan);
    qb__dp64(_mm512_loadu_si512(x + i + 64), _mm512_loadu_si512(y + i + 64), &acc2, &acc3, &nan);
  }
  for (; i < n; i += 64) {
    const __mmask64 m = n - i >= 64 ? ~(__mmask64) 0 : ((__mmask64) 1 << (n - i)) - 1;
    qb__dp64(_mm512_maskz_loadu_epi8(m, x + i), _mm512_maskz_loadu_epi8(m, y + i), &acc0, &acc1, &nan);
  }
  const float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
  *(float*) out = qb__lowdot_result_avx512(s * 0x1p16f, qb__e4m3_saw_nan64_avx512(nan));
}
