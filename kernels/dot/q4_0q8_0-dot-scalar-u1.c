/*
 * q4_0 . q8_0 -> f32, as llama.cpp's ggml_vec_dot_q4_0_q8_0 computes it (weights in q4_0,
 * activations in q8_0). The scalar reference: per block an exact int32 sum of
 * (code - 8) * q, then acc += (float) isum * da * db, left to right (ggml writes
 * `sumi*d_x*d_y`, unlike the q8_0 dot's `sumi*(d_x*d_y)`), blocks in order.
 */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"

void qb_q4_0q8_0_dot_ukernel__scalar_u1(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q4_0* x = (const qb_block_q4_0*) a;
  const qb_block_q8_0* y = (const qb_block_q8_0*) b;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t k = 0; k < n / QB_BLOCK_LEN; k++) {
    int32_t isum = 0;
    for (int j = 0; j < QB_BLOCK_LEN / 2; j++) {
      isum += ((x[k].qs[j] & 15) - 8) * (int32_t) y[k].qs[j];
      isum += ((x[k].qs[j] >> 4) - 8) * (int32_t) y[k].qs[j + QB_BLOCK_LEN / 2];
    }
    acc += (float) isum * qb__f16_value(x[k].d) * qb__f16_value(y[k].d);
  }
  *(float*) out = acc;
}
