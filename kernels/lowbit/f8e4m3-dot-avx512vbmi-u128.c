/*
 * f8 e4m3fn . f8 e4m3fn -> f32 on AVX-512 + VBMI without BF16 (Ice Lake, Tiger Lake, and
 * VMs that hide BF16), 128 elements per iteration: the decode of
 * f8e4m3-dot-avx512bf16vbmi-u128.c (lowdot-avx512vbmi.h: qb__e4m3x64_pair_to_bf16_vbmi,
 * four vpermt2b, a vpternlogd for the products' signs and four unpacks per 64 pairs: the
 * codes exactly as bf16 worth 2^-8 times their values), then each 32-bit lane's two bf16
 * made f32 (a shift, an and) and multiplied and summed by FMA (qb__bf16x2_fma_vbmi:
 * exact products, 2^-16 times the reference's) into 4 x 16 f32 lanes; the lanes are added
 * at the end and the sum multiplied by 2^16 (exact: every partial sum is 0 or a normal
 * f32, a multiple of 2^-34, so the power of two commutes with the roundings). The same
 * exact products as the reference in another order (QB_SEM_REASSOC). NaN codes decode to
 * a bf16 NaN, which every sum they enter keeps; the result is then the quiet NaN
 * (QB_SEM_NAN_CANON). The tail is read by masked loads (zero codes add +0).
 */
#include <assert.h>

#include "lowbit/lowdot-avx512vbmi.h"
#include "qb/ukernel.h"

/* acc0 + the products of the first halves of ca, cb's lanes; acc1 + those of the second. */
static inline void qb__dp64(__m512i ca, __m512i cb, const qb__e4m3_bf16_tables* t, __m512* acc0,
                            __m512* acc1) {
  __m512i a0, a1, b0, b1;
  /* The codes stay in registers: without this GCC loads each vector once per use (each
   * vpermi2b overwrites its index). */
  __asm__("" : "+v"(ca), "+v"(cb));
  qb__e4m3x64_pair_to_bf16_vbmi(ca, cb, t, &a0, &a1, &b0, &b1);
  *acc0 = qb__bf16x2_fma_vbmi(a0, b0, *acc0);
  *acc1 = qb__bf16x2_fma_vbmi(a1, b1, *acc1);
}

void qb_f8e4m3_dot_ukernel__avx512vbmi_u128(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const uint8_t* y = (const uint8_t*) b;
  const qb__e4m3_bf16_tables t = qb__e4m3_bf16_tables_load();
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  size_t i = 0;
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (; i + 128 <= n; i += 128) {
    qb__dp64(_mm512_loadu_si512(x + i), _mm512_loadu_si512(y + i), &t, &acc0, &acc1);
    qb__dp64(_mm512_loadu_si512(x + i + 64), _mm512_loadu_si512(y + i + 64), &t, &acc2, &acc3);
  }
  for (; i < n; i += 64) {
    const __mmask64 m = n - i >= 64 ? ~(__mmask64) 0 : ((__mmask64) 1 << (n - i)) - 1;
    qb__dp64(_mm512_maskz_loadu_epi8(m, x + i), _mm512_maskz_loadu_epi8(m, y + i), &t, &acc0, &acc1);
  }
  const float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
  *(float*) out = qb__lowdot_result_avx512(s * 0x1p16f, 0);
}
