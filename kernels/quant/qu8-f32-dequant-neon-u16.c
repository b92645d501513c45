/* qu8 -> f32, per tensor, neon, 16 elements per iteration: y = (q - zp) * scale,
 * bit-exact with the scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-neon.h"
#include "quant/quant-scalar.h"

void qb_qu8_f32_dequant_ukernel__neon_u16(size_t n, const void* x, void* y, const void* params) {
  const qb_quant_params* p = (const qb_quant_params*) params;
  assert(p != NULL);
  assert(n == 0 || (x != NULL && y != NULL));
  qb__quant_assert_params(p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, 0, 255);
  qb__neon_dequant(n, x, (float*) y, p->scale, p->zero_point, 1);
}
