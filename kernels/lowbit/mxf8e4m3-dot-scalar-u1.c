/* MXFP8 E4M3 . MXFP8 E4M3 -> f32: per block the exact element products summed in order in f32, then times
 * both scales (two multiplications), summed over blocks. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_mxf8e4m3_dot_ukernel__scalar_u1(size_t n, const void* a, const void* b, void* out) {
  const qb_block_mx8* x = (const qb_block_mx8*) a;
  const qb_block_mx8* y = (const qb_block_mx8*) b;
  float acc = 0.0f;
  assert(n % QB_MX_BLOCK_LEN == 0);
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (size_t k = 0; k < n / QB_MX_BLOCK_LEN; k++) {
    float p = 0.0f;
    const uint8_t* ca = x[k].qs;
    for (int i = 0; i < QB_MX_BLOCK_LEN; i++)
      p += qb__mx_decode(ca[i], QB__MX_E4M3) * qb__mx_decode(y[k].qs[i], QB__MX_E4M3);
    acc += p * qb__e8m0_scale(x[k].e) * qb__e8m0_scale(y[k].e);
  }
  *(float*) out = acc;
}
