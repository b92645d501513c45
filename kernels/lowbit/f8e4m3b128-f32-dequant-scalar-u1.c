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
      /* A NaN code keeps its own NaN, also times a NaN d (a NaN block's): which of two NaNs a
       * product keeps depends on the operand order the compiler picks. */
      const float v = qb_f32_from_bits(qb_f8e4m3_to_f32_bits(in[b].qs[i]));
      out[b * QB_F8B_BLOCK_LEN + (size_t) i] = v != v ? v : v * in[b].d;
    }
  }
}
