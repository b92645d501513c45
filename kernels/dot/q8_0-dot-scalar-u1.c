/*
 * q8_0 . q8_0 -> f32, as llama.cpp's ggml_vec_dot_q8_0_q8_0 computes it. The scalar
 * reference: per block an exact int32 sum of the 32 products, then
 * acc += (float) isum * (da * db), the scales widened from f16 and multiplied first, blocks
 * in order. (q4_0 . q8_0 multiplies in the other order: see q4_0q8_0-dot-scalar-u1.c.)
 */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"

void qb_q8_0_dot_ukernel__scalar_u1(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8_0* x = (const qb_block_q8_0*) a;
  const qb_block_q8_0* y = (const qb_block_q8_0*) b;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t k = 0; k < n / QB_BLOCK_LEN; k++) {
    int32_t isum = 0;
    for (int i = 0; i < QB_BLOCK_LEN; i++) {
      isum += (int32_t) x[k].qs[i] * (int32_t) y[k].qs[i];
    }
    acc += (float) isum * (qb__f16_value(x[k].d) * qb__f16_value(y[k].d));
  }
  *(float*) out = acc;
}
