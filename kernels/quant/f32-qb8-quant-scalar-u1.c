/* f32 -> qb8: blocks of 32, d = absmax / 127, q = nearbyint(x / d). The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-scalar.h"

void qb_f32_qb8_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_q8* out = (qb_block_q8*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
    qb__block_quant_one(in + b * QB_BLOCK_LEN, &out[b]);
  }
}
