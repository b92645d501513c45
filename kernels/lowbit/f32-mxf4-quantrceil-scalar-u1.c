/* f32 -> MXFP4 (E2M1), blocks of 32 with one E8M0 scale. RCEIL: scale = 2^ceil(log2(amax / max_elem)),
 * elements nearest even, saturating. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f32_mxf4_quantrceil_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_block_mx4* out = (qb_block_mx4*) y;
  (void) params;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t b = 0; b < n / QB_MX_BLOCK_LEN; b++) {
    uint8_t codes[QB_MX_BLOCK_LEN];
    qb__mx_quant_block(in + b * QB_MX_BLOCK_LEN, QB__MX_E2M1, QB__MX_RCEIL, 0, &out[b].e, codes);
    qb__pack4(codes, QB_MX_BLOCK_LEN, out[b].qs);
  }
}
