/* f32 -> qu8, affine per tensor, neon, 16 elements per iteration. Bit-exact with the
 * scalar reference (kernels/quant/quant-neon.h). */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-neon.h"
#include "quant/quant-scalar.h"

void qb_f32_qu8_quant_ukernel__neon_u16(size_t n, const void* x, void* y, const void* params) {
  const qb_quant_params* p = (const qb_quant_params*) params;
  assert(p != NULL);
  assert(n == 0 || (x != NULL && y != NULL));
  qb__quant_assert_params(p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, 0, 255);
  qb__neon_quant(n, (const float*) x, y, p);
}
