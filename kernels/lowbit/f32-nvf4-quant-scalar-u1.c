/* f32 -> NVFP4: blocks of 16 E2M1 with an E4M3 scale, times an optional f32 tensor scale. The scalar
 * reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f32_nvf4_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_nvf4* out = (qb_block_nvf4*) y;
  const float g = qb__nvf4_tensor_scale(params);
  assert(n % QB_NVF4_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  assert(g > 0.0f && g <= 3.4028235e38f);
  for (size_t b = 0; b < n / QB_NVF4_BLOCK_LEN; b++)
    qb__nvf4_quant_block(in + b * QB_NVF4_BLOCK_LEN, g, &out[b]);
}
