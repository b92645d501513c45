/* f32 -> f64, exact. The scalar reference: semantics in kernels/common/fp.h. */
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

void qb_f32_f64_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  double* out = (double*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i++) {
    out[i] = (double) in[i];
  }
}
