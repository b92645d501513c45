/* FP8 E4M3 per-128 blocks -> f32: e4m3 * d. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f8e4m3b128_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_block_f8b128* in = (const qb_block_f8b128*) x;
  float* out = (float*) y;
  (void) params;
  assert(n % QB_F8B_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_F8B_BLOCK_LEN; b++) {
    for (int i = 0; i < QB_F8B_BLOCK_LEN; i++) {
      out[b * QB_F8B_BLOCK_LEN + (size_t) i] = qb_f32_from_bits(qb_f8e4m3_to_f32_bits(in[b].qs[i])) * in[b].d;
    }
  }
}
