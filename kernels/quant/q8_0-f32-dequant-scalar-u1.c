/* q8_0 -> f32: y = (float) q * d, d widened from f16. The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"

void qb_q8_0_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_block_q8_0* in = (const qb_block_q8_0*) x;
  float* out = (float*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
    const float d = qb__f16_value(in[b].d);
    for (int i = 0; i < QB_BLOCK_LEN; i++) {
      out[b * QB_BLOCK_LEN + i] = (float) in[b].qs[i] * d;
    }
  }
}
