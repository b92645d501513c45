/* f32 -> E8M0: the nearest power of two, ties up; no zero, no sign (NaN). The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f32_e8m0_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  (void) params;
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i++) out[i] = qb_f32_to_e8m0_bits(qb_f32_to_bits(in[i]));
}
