/* f32 -> FP8 E4M3 with one f32 scale per 1 x 128 block: d = amax / 448, e4m3_sat(x / d). The scalar
 * reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f32_f8e4m3b128_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_f8b128* out = (qb_block_f8b128*) y;
  (void) params;
  assert(n % QB_F8B_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_F8B_BLOCK_LEN; b++)
    qb__f8b128_quant_block(in + b * QB_F8B_BLOCK_LEN, &out[b]);
}
