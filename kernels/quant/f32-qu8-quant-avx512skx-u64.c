/* f32 -> qu8, affine per tensor, avx512skx, 64 elements per iteration. Bit-exact with the
 * scalar reference (kernels/quant/README.md). */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-avx512.h"
#include "quant/quant-scalar.h"

void qb_f32_qu8_quant_ukernel__avx512skx_u64(size_t n, const void* x, void* y, const void* params) {
  const qb_quant_params* p = (const qb_quant_params*) params;
  assert(p != NULL);
  assert(n == 0 || (x != NULL && y != NULL));
  qb__quant_assert_params(p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, 0, 255);
  qb__avx512_quant(n, (const float*) x, y, p, 1, 4);
}
