/* q4_0 -> f32: y = (float) (code - 8) * d, d widened from f16. The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/qblock-scalar.h"

void qb_q4_0_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_block_q4_0* in = (const qb_block_q4_0*) x;
  float* out = (float*) y;
  (void) params;
  assert(n % QB_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_BLOCK_LEN; b++) {
    const float d = qb__f16_value(in[b].d);
    float* o = out + b * QB_BLOCK_LEN;
    for (int j = 0; j < QB_BLOCK_LEN / 2; j++) {
      o[j] = (float) ((in[b].qs[j] & 15) - 8) * d;
      o[j + QB_BLOCK_LEN / 2] = (float) ((in[b].qs[j] >> 4) - 8) * d;
    }
  }
}
