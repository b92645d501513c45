/*
 * Block int8 . block int8 -> f32 (qb_block_q8, 32 values per block). The scalar
 * reference: per block an exact int32 sum of the 32 products (at most 32 * 128^2 =
 * 2^19 in magnitude, so it converts to f32 exactly), then acc += da * db * isum in
 * f32, left to right (two roundings per block, then the add), blocks in order.
 */
#include <assert.h>

#include "qb/ukernel.h"

void qb_qb8_dot_ukernel__scalar_u1(size_t n, const void* a, const void* b, void* out) {
  const qb_block_q8* x = (const qb_block_q8*) a;
  const qb_block_q8* y = (const qb_block_q8*) b;
  const size_t nb = n / QB_BLOCK_LEN;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t k = 0; k < nb; k++) {
    int32_t isum = 0;
    for (size_t i = 0; i < QB_BLOCK_LEN; i++) {
      isum += (int32_t) x[k].qs[i] * (int32_t) y[k].qs[i];
    }
    acc += x[k].d * y[k].d * (float) isum;
  }
  *(float*) out = acc;
}
