/* f32 -> f32 fake-quant: dequant(quant(x)) with the params' range and rounding. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-scalar.h"

void qb_f32_qs8_fakequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  float* out = (float*) y;
  const qb_quant_params* p = (const qb_quant_params*) params;
  assert(p != NULL);
  assert(n == 0 || (x != NULL && y != NULL));
  qb__quant_assert_params(p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, -128, 127);
  for (size_t i = 0; i < n; i++) {
    const int32_t q =
        qb__quant_one(in[i], p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, p->round);
    out[i] = qb__dequant_one(q, p->scale, p->zero_point);
  }
}
