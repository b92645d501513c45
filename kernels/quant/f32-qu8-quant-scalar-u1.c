/* f32 -> qu8, affine per tensor. The scalar reference (kernels/quant/README.md). */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-scalar.h"

void qb_f32_qu8_quant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  assert(params != NULL);
  /* A local copy: stores through the output could alias *params (char types alias
   * everything), which would make the compiler reload the parameters every element. */
  const qb_quant_params pl = *(const qb_quant_params*) params;
  const qb_quant_params* p = &pl;
  assert(n == 0 || (x != NULL && y != NULL));
  qb__quant_assert_params(p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, 0, 255);
  for (size_t i = 0; i < n; i++) {
    const int32_t q = qb__quant_one(in[i], p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, p->round);
    out[i] = (uint8_t) q;
  }
}
