/* f32 -> qu4g64: int4 groups of 64, GPTQ's round to nearest (int4g-scalar.h). The scalar
 * reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

void qb_f32_qu4g64_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_group_qu4g64* out = (qb_group_qu4g64*) y;
  (void) params;
  assert(n % 64 == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t k = 0; k < n / 64; k++) {
    qb__int4g_quant_group(in + k * 64, 64, out[k].d, &out[k].z, out[k].qs);
  }
}
