/* MXFP6 E2M3 -> f32: element * 2^(e - 127), NaN for the scale 0xFF. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_mxf6e2m3_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_block_mx6* in = (const qb_block_mx6*) x;
  float* out = (float*) y;
  (void) params;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_MX_BLOCK_LEN; b++) {
    uint8_t codes[QB_MX_BLOCK_LEN];
    qb__unpack6(in[b].qs, QB_MX_BLOCK_LEN, codes);
    qb__mx_dequant_block(codes, in[b].e, QB__MX_E2M3, QB_MX_BLOCK_LEN, out + b * QB_MX_BLOCK_LEN);
  }
}
