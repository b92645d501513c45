/* qs8 -> f32, per channel: y = (q - zp[k]) * scale[k]. The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-scalar.h"

void qb_qs8_f32_dequantc_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const int8_t* in = (const int8_t*) x;
  float* out = (float*) y;
  const qb_quant_params* p = (const qb_quant_params*) params;
  assert(p != NULL && p->channel_len > 0 && n % p->channel_len == 0);
  assert(n == 0 || (x != NULL && y != NULL && p->scales && p->inv_scales && p->zero_points));
  const size_t len = p->channel_len;
  for (size_t c = 0; c < n / len; c++) {
    const float scale = p->scales[c];
    const int32_t zp = p->zero_points[c];
    qb__quant_assert_params(scale, p->inv_scales[c], zp, p->qmin, p->qmax, -128, 127);
    for (size_t i = c * len; i < (c + 1) * len; i++) {
      out[i] = qb__dequant_one(in[i], scale, zp);
    }
  }
}
