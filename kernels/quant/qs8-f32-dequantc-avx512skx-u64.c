/* qs8 -> f32, per channel, avx512skx: each channel runs the per-tensor loop with its own
 * parameters (64 elements per iteration). */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/quant-avx512.h"
#include "quant/quant-scalar.h"

void qb_qs8_f32_dequantc_ukernel__avx512skx_u64(size_t n, const void* x, void* y, const void* params) {
  const qb_quant_params* p = (const qb_quant_params*) params;
  const int8_t* in = (const int8_t*) x;
  float* out = (float*) y;
  assert(p != NULL && p->channel_len > 0 && n % p->channel_len == 0);
  assert(n == 0 || (x != NULL && y != NULL && p->scales && p->inv_scales && p->zero_points));
  const size_t len = p->channel_len;
  for (size_t c = 0; c < n / len; c++) {
    qb__quant_assert_params(p->scales[c], p->inv_scales[c], p->zero_points[c], p->qmin, p->qmax, -128, 127);
    qb__avx512_dequant(len, in + c * len, out + c * len, p->scales[c], p->zero_points[c], 0, 4);
  }
}
