/* FP8 E4M3 per-128x128 tiles -> a row-major f32 matrix (qb/lowbit.h): e4m3 * d. The scalar
 * reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f8e4m3t128_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_block_f8t128* in = (const qb_block_f8t128*) x;
  float* out = (float*) y;
  assert(n % QB_F8T_TILE_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  const size_t cols = qb__f8t128_cols(n, params);
  const size_t tiles_per_row = cols / QB_F8T_TILE;
  for (size_t t = 0; t < n / QB_F8T_TILE_LEN; t++) {
    float* tile = out + t / tiles_per_row * QB_F8T_TILE * cols + t % tiles_per_row * QB_F8T_TILE;
    for (size_t i = 0; i < QB_F8T_TILE_LEN; i++) {
      /* A NaN code keeps its own NaN, also times a NaN d, as in the per-128 family: the
       * plain product would keep whichever NaN the compiler's operand order picks. */
      const float v = qb_f32_from_bits(qb_f8e4m3_to_f32_bits(in[t].qs[i]));
      tile[i / QB_F8T_TILE * cols + i % QB_F8T_TILE] = v != v ? v : v * in[t].d;
    }
  }
}
