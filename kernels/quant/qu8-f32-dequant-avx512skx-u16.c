/* qu8 -> f32, per tensor, avx512skx, 16 elements per iteration: y = (q - zp) * scale. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-avx512.h"
#include "quant/quant-scalar.h"

void qb_qu8_f32_dequant_ukernel__avx512skx_u16(size_t n, const void* x, void* y, const void* params) {
  const qb_quant_params* p = (const qb_quant_params*) params;
  assert(p != NULL);
  assert(n == 0 || (x != NULL && y != NULL));
  qb__quant_assert_params(p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, 0, 255);
  qb__avx512_dequant(n, x, (float*) y, p->scale, p->zero_point, 1, 1);
}
