/* f32 -> MXFP8 E4M3, blocks of 32 with one E8M0 scale. OCP: shared exponent floor(log2(amax)) - emax,
 * elements nearest even, saturating. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f32_mxf8e4m3_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_mx8* out = (qb_block_mx8*) y;
  (void) params;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_MX_BLOCK_LEN; b++) {
    qb__mx_quant_block(in + b * QB_MX_BLOCK_LEN, QB__MX_E4M3, QB__MX_FLOOR, 0, &out[b].e, out[b].qs);
  }
}
