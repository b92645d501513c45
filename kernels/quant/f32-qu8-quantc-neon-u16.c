/* f32 -> qu8, affine per channel, neon: each channel runs the per-tensor loop with its
 * own parameters (16 elements per iteration). Bit-exact with the scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-neon.h"
#include "quant/quant-scalar.h"

void qb_f32_qu8_quantc_ukernel__neon_u16(size_t n, const void* x, void* y, const void* params) {
  const qb_quant_params* p = (const qb_quant_params*) params;
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  assert(p != NULL && p->channel_len > 0 && n % p->channel_len == 0);
  assert(n == 0 || (x != NULL && y != NULL && p->scales && p->inv_scales && p->zero_points));
  const size_t len = p->channel_len;
  for (size_t c = 0; c < n / len; c++) {
    qb_quant_params pc = *p;
    pc.scale = p->scales[c];
    pc.inv_scale = p->inv_scales[c];
    pc.zero_point = p->zero_points[c];
    qb__quant_assert_params(pc.scale, pc.inv_scale, pc.zero_point, pc.qmin, pc.qmax, 0, 255);
    qb__neon_quant(len, in + c * len, out + c * len, &pc);
  }
}
