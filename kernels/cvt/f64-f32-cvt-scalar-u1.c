/* f64 -> f32. The scalar reference: semantics in kernels/common/fp.h. */
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

void qb_f64_f32_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const double* in = (const double*) x;
  float* out = (float*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i++) {
    out[i] = (float) in[i]; /* the C conversion rounds to nearest even */
  }
}
