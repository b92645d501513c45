/*
 * MXFP4 . MXFP8 E4M3 -> f32 on AVX2 + FMA + F16C, four blocks per iteration, the shape of
 * mxf8e4m3_dot's AVX2 kernel: both sides made f16 and stored (lowdot-avx2.h: FP4 worth
 * 2^-14 times its values by qb__f4x32_to_f16_avx2, E4M3 worth 2^-8 by
 * qb__e4m3x32_to_f16_avx2, in the same even / odd order), each iteration converting the
 * next four blocks while it sums the four stored by the previous one (loads of f16 stored
 * just before, forwarded from the store queue, are slower). Per block the products,
 * widened by the memory form of vcvtph2ps, are summed in lanes
 * (qb__mxf8e4m3_f16_block_avx2): each product is exact (2 x 4 significant bits), a
 * multiple of 2^-32, and a lane's four below 2^-8, so every lane is exact. Then the two
 * scales (qb__mxf4mxf8e4m3_f16_scaled_add_avx2): one FMA by 2^(sa + sb + 22) where the
 * reference's two multiplications are exact for every lane, else those two in its order
 * (a block whose scales could overflow a lane summed before it is scaled, into `big`).
 * The same exact products grouped differently (QB_SEM_REASSOC); NaN codes or scales give
 * the quiet NaN (QB_SEM_NAN_CANON). The last blocks (nb % 4) go one at a time.
 */
#include <assert.h>

#include "lowbit/lowdot-avx2.h"
#include "qb/ukernel.h"

/* The codes of four blocks of each side to f16 in hx, hy (32 per block). */
static inline void qb__mxf4mxf8e4m3_dot_convert(const qb_block_mx4* x, const qb_block_mx8* y, uint16_t* hx,
                                                uint16_t* hy, __m256i* nan) {
  for (int j = 0; j < 4; j++) {
    qb__f4x32_to_f16_avx2(x[j].qs, hx + 32 * j);
    qb__e4m3x32_to_f16_avx2(y[j].qs, hy + 32 * j, nan);
  }
}

void qb_mxf4mxf8e4m3_dot_ukernel__avx2_u128(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx4* x = (const qb_block_mx4*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  const size_t nb = n / QB_MX_BLOCK_LEN;
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  __m256i nan = _mm256_setzero_si256();
  _Alignas(32) uint16_t h[2][2][128];
  float big = 0.0f;
  size_t k = 0;
  int cur = 0;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  if (nb >= 4) qb__mxf4mxf8e4m3_dot_convert(x, y, h[0][0], h[0][1], &nan);
  for (; k + 4 <= nb; k += 4) {
    if (k + 8 <= nb) qb__mxf4mxf8e4m3_dot_convert(&x[k + 4], &y[k + 4], h[cur ^ 1][0], h[cur ^ 1][1], &nan);
    for (int j = 0; j < 4; j++) {
      const __m256 p = qb__mxf8e4m3_f16_block_avx2(h[cur][0] + 32 * j, h[cur][1] + 32 * j);
      acc[j] = qb__mxf4mxf8e4m3_f16_scaled_add_avx2(p, &x[k + j], &y[k + j], acc[j], &big);
    }
    cur ^= 1;
  }
  for (; k < nb; k++) {
    qb__f4x32_to_f16_avx2(x[k].qs, h[0][0]);
    qb__e4m3x32_to_f16_avx2(y[k].qs, h[0][1], &nan);
    const __m256 p = qb__mxf8e4m3_f16_block_avx2(h[0][0], h[0][1]);
    acc[0] = qb__mxf4mxf8e4m3_f16_scaled_add_avx2(p, &x[k], &y[k], acc[0], &big);
  }
  const float s =
      qb__hsum_ps_avx2(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]))) + big;
  *(float*) out = qb__lowdot_result(s, qb__e4m3_saw_nan_avx2(nan));
}
