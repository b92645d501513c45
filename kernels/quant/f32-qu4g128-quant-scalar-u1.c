/* f32 -> qu4g128: int4 groups of 128, GPTQ's round to nearest (int4g-scalar.h). The scalar
 * reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

void qb_f32_qu4g128_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  qb_group_qu4g128* out = (qb_group_qu4g128*) y;
  (void) params;
  assert(n % 128 == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t k = 0; k < n / 128; k++) {
    qb__int4g_quant_group(in + k * 128, 128, out[k].d, &out[k].z, out[k].qs);
  }
}
