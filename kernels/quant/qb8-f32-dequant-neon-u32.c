/* qb8 -> f32, neon, one block of 32 per iteration: y = d * q, bit-exact. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-neon.h"

void qb_qb8_f32_dequant_ukernel__neon_u32(size_t n, const void* x, void* y, const void* params) {
  const qb_block_q8* in = (const qb_block_q8*) x;
  float* out = (float*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
    qb__neon_block_dequant(&in[b], out + b * QB_BLOCK_LEN);
  }
}
