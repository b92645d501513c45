/* f32 -> f8 e4m3fn, overflow to NaN. The scalar reference: semantics in kernels/common/fp.h. */
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

void qb_f32_f8e4m3_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i++) {
    out[i] = qb_f32_to_f8e4m3_bits(qb_f32_to_bits(in[i]), 0);
  }
}
