/* f32 -> FP8 E4M3 with one f32 scale per 128 x 128 tile of a row-major matrix (qb/lowbit.h):
 * d = amax / 448 over the tile, codes e4m3_sat(x / d); a tile holding NaN or inf gets
 * d = NaN and NaN codes, an all-zero tile d = 0 and +-0 codes. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f32_f8e4m3t128_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_f8t128* out = (qb_block_f8t128*) y;
  assert(n % QB_F8T_TILE_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  const size_t cols = qb__f8t128_cols(n, params);
  const size_t tiles_per_row = cols / QB_F8T_TILE;
  for (size_t t = 0; t < n / QB_F8T_TILE_LEN; t++) {
    /* 1. Tile t's top-left element: tile row t / tiles_per_row, tile column t % tiles_per_row. */
    const float* tile = in + t / tiles_per_row * QB_F8T_TILE * cols + t % tiles_per_row * QB_F8T_TILE;
    /* 2. amax over its 128 rows of 128 (NaN and inf sort above every finite |x|). */
    uint32_t amax = 0;
    for (size_t r = 0; r < QB_F8T_TILE; r++) {
      const uint32_t a = qb__amax_bits(tile + r * cols, QB_F8T_TILE);
      amax = a > amax ? a : amax;
    }
    /* 3. The scale, then the codes row by row. */
    if (amax >= 0x7F800000u) {
      out[t].d = qb_f32_from_bits(0x7FC00000u);
      for (size_t i = 0; i < QB_F8T_TILE_LEN; i++) out[t].qs[i] = 0x7F;
      continue;
    }
    out[t].d = qb_f32_from_bits(amax) / 448.0f;
    for (size_t r = 0; r < QB_F8T_TILE; r++) {
      qb__f8_scaled_codes(tile + r * cols, QB_F8T_TILE, out[t].d, out[t].qs + r * QB_F8T_TILE);
    }
  }
}
