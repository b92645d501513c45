/* f16 -> f32. The scalar reference: semantics in kernels/common/fp.h. */
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

void qb_f16_f32_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i++) {
    out[i] = qb_f32_from_bits(qb_f16_to_f32_bits(in[i]));
  }
}
