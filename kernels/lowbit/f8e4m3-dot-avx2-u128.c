/*
 * f8 e4m3fn . f8 e4m3fn -> f32 on AVX2 + FMA + F16C, 128 elements per iteration. The codes
 * are made f16 worth 2^-8 times their values by shifts and masks and stored
 * (lowdot-avx2.h: qb__e4m3x32_to_f16_avx2), widened exactly by the memory form of
 * vcvtph2ps, multiplied exactly (a product of two E4M3 values has at most 8 significant
 * bits; times 2^-16 it lies in [2^-34, 2^2]: no subnormal) and summed by FMA in 4 x 8
 * lanes, the lanes added at the end and the sum times 2^16 (exact: every partial sum is
 * a multiple of 2^-34, a normal f32 or zero, so the power of two commutes with the
 * roundings). Each iteration converts the next 128 codes of each side while it widens
 * and sums the ones stored by the previous iteration: loads of f16 stored just before
 * (forwarded from the store queue) ran 1.2x slower than these. The same exact products
 * as the reference, summed in another order (QB_SEM_REASSOC); NaN codes give the quiet
 * NaN (QB_SEM_NAN_CANON). The last n % 128 elements go 32 at a time, a tail shorter than
 * 32 through a zero-padded copy.
 */
#include <assert.h>

#include "lowbit/lowdot-avx2.h"
#include "qb/ukernel.h"

/* Codes i .. i + 127 of both sides to f16 in hx, hy. */
static inline void qb__f8e4m3_dot_convert(const uint8_t* x, const uint8_t* y, uint16_t* hx, uint16_t* hy,
                                          __m256i* nan) {
  for (int j = 0; j < 128; j += 32) {
    qb__e4m3x32_to_f16_avx2(x + j, hx + j, nan);
    qb__e4m3x32_to_f16_avx2(y + j, hy + j, nan);
  }
}

/* acc[0..3] + the products of 32 stored f16 pairs, lane by lane. */
static inline void qb__f8e4m3_dot_fma32(const uint16_t* hx, const uint16_t* hy, __m256 acc[4]) {
  for (int k = 0; k < 4; k++)
    acc[k] = _mm256_fmadd_ps(qb_cvt_f16c_cvtph_mem(hx + 8 * k), qb_cvt_f16c_cvtph_mem(hy + 8 * k), acc[k]);
}

void qb_f8e4m3_dot_ukernel__avx2_u128(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const uint8_t* y = (const uint8_t*) b;
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  __m256i nan = _mm256_setzero_si256();
  _Alignas(32) uint16_t h[2][2][128];
  size_t i = 0;
  int cur = 0;
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  if (n >= 128) qb__f8e4m3_dot_convert(x, y, h[0][0], h[0][1], &nan);
  for (; i + 128 <= n; i += 128) {
    if (i + 256 <= n) qb__f8e4m3_dot_convert(x + i + 128, y + i + 128, h[cur ^ 1][0], h[cur ^ 1][1], &nan);
    for (int j = 0; j < 128; j += 32) qb__f8e4m3_dot_fma32(h[cur][0] + j, h[cur][1] + j, acc);
    cur ^= 1;
  }
  for (; i < n; i += 32) {
    const uint8_t* pa = x + i;
    const uint8_t* pb = y + i;
    uint8_t ta[32], tb[32];
    if (n - i < 32) { /* zero codes add +0 */
      memset(ta, 0, sizeof ta);
      memset(tb, 0, sizeof tb);
      memcpy(ta, pa, n - i);
      memcpy(tb, pb, n - i);
      pa = ta;
      pb = tb;
    }
    qb__e4m3x32_to_f16_avx2(pa, h[0][0], &nan);
    qb__e4m3x32_to_f16_avx2(pb, h[0][1], &nan);
    qb__f8e4m3_dot_fma32(h[0][0], h[0][1], acc);
  }
  const float s =
      qb__hsum_ps_avx2(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  *(float*) out = qb__lowdot_result(s * 0x1p16f, qb__e4m3_saw_nan_avx2(nan));
}
