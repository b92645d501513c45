/* NVFP4 -> f32: e2m1 * (e4m3(s) * tensor_scale). The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_nvf4_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_block_nvf4* in = (const qb_block_nvf4*) x;
  float* out = (float*) y;
  const float g = qb__nvf4_tensor_scale(params);
  assert(n % QB_NVF4_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_NVF4_BLOCK_LEN; b++) {
    uint8_t codes[QB_NVF4_BLOCK_LEN];
    const float d = qb__nvf4_block_d(in[b].s, g);
    qb__unpack4(in[b].qs, QB_NVF4_BLOCK_LEN, codes);
    for (int i = 0; i < QB_NVF4_BLOCK_LEN; i++) {
      out[b * QB_NVF4_BLOCK_LEN + (size_t) i] = qb_f32_from_bits(qb_f4e2m1_to_f32_bits(codes[i])) * d;
    }
  }
}
