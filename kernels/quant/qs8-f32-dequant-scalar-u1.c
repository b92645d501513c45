/* qs8 -> f32, per tensor: y = (q - zp) * scale. The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-scalar.h"

void qb_qs8_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const int8_t* in = (const int8_t*) x;
  float* out = (float*) y;
  const qb_quant_params* p = (const qb_quant_params*) params;
  assert(p != NULL);
  assert(n == 0 || (x != NULL && y != NULL));
  qb__quant_assert_params(p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, -128, 127);
  for (size_t i = 0; i < n; i++) {
    out[i] = qb__dequant_one(in[i], p->scale, p->zero_point);
  }
}
