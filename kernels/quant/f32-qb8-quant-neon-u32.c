/* f32 -> qb8, neon, one block of 32 per iteration. Bit-exact with the scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-neon.h"

void qb_f32_qb8_quant_ukernel__neon_u32(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_q8* out = (qb_block_q8*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
    qb__neon_block_quant(in + b * QB_BLOCK_LEN, &out[b]);
  }
}
