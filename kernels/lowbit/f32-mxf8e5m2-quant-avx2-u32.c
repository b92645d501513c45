/* f32_mxf8e5m2_quant on AVX2, one block of 32 per iteration (lowbit-avx2.h): bit-exact with the reference. */
#include <assert.h>

#include "lowbit/lowbit-avx2.h"
#include "qb/ukernel.h"

void qb_f32_mxf8e5m2_quant_ukernel__avx2_u32(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_mx8* out = (qb_block_mx8*) y;
  (void) params;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_MX_BLOCK_LEN; b++) {
    qb__mx_quant_block_avx2(in + b * QB_MX_BLOCK_LEN, QB__MX_E5M2, QB__MX_FLOOR, 8, &out[b].e, out[b].qs);
  }
}
