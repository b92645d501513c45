/* f32 -> q8_0 (llama.cpp's block int8: f16 scale, roundf). The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"

void qb_f32_q8_0_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_q8_0* out = (qb_block_q8_0*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
    qb__q8_0_block(in + b * QB_BLOCK_LEN, &out[b]);
  }
}
