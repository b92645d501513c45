/* E8M0 -> f32, exact (2^-127 is an f32 subnormal; 0xFF is NaN). The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_e8m0_f32_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const uint8_t* in = (const uint8_t*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i++) out[i] = qb_f32_from_bits(qb_e8m0_to_f32_bits(in[i]));
}
