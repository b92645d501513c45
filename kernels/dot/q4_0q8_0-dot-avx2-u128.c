/*
 * q4_0 . q8_0 -> f32 with AVX2, bit-exact with the reference (ggml's scalar order): the
 * nibbles unpacked to s8 codes - 8, four blocks' exact int32 sums per iteration, then
 * acc += (float) isum * dx * dy (left to right) block by block, in order.
 */
#include <assert.h>

#include "dot/qblock-dot-avx2.h"

void qb_q4_0q8_0_dot_ukernel__avx2_u128(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q4_0* x = (const qb_block_q4_0*) a;
  const qb_block_q8_0* y = (const qb_block_q8_0*) b;
  const size_t nb = n / QB_BLOCK_LEN;
  float acc = 0.0f;
  int32_t s[4];
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t k = 0; k < nb; k += 4) {
    __m256i v[4];
    const size_t m = nb - k < 4 ? nb - k : 4;
    for (size_t j = 0; j < 4; j++) {
      v[j] = j < m ? qb__dot32_s8(qb__q4_0_codes(&x[k + j]), _mm256_loadu_si256((const __m256i*) y[k + j].qs))
                   : _mm256_setzero_si256();
    }
    qb__hsum4(v[0], v[1], v[2], v[3], s);
    for (size_t j = 0; j < m; j++) {
      acc += (float) s[j] * qb__f16_avx2(x[k + j].d) * qb__f16_avx2(y[k + j].d);
    }
  }
  *(float*) out = acc;
}
