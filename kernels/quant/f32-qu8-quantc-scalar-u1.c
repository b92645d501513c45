/* f32 -> qu8, affine per channel (channel k: elements [k * len, (k + 1) * len)). */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-scalar.h"

void qb_f32_qu8_quantc_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  assert(params != NULL);
  /* A local copy, so that stores through the output cannot make the compiler reload it. */
  const qb_quant_params pl = *(const qb_quant_params*) params;
  const qb_quant_params* p = &pl;
  assert(p->channel_len > 0 && n % p->channel_len == 0);
  assert(n == 0 || (x != NULL && y != NULL && p->scales && p->inv_scales && p->zero_points));
  const size_t len = p->channel_len;
  for (size_t c = 0; c < n / len; c++) {
    const float scale = p->scales[c], inv_scale = p->inv_scales[c];
    const int32_t zp = p->zero_points[c];
    qb__quant_assert_params(scale, inv_scale, zp, p->qmin, p->qmax, 0, 255);
    for (size_t i = c * len; i < (c + 1) * len; i++) {
      out[i] = (uint8_t) qb__quant_one(in[i], scale, inv_scale, zp, p->qmin, p->qmax, p->round);
    }
  }
}
