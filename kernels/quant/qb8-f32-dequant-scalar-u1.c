/* qb8 -> f32: y = d * q. The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"

void qb_qb8_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_block_q8* in = (const qb_block_q8*) x;
  float* out = (float*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
    for (int i = 0; i < QB_BLOCK_LEN; i++) {
      out[b * QB_BLOCK_LEN + i] = in[b].d * (float) in[b].qs[i];
    }
  }
}
