/* qu4g128 -> f32: y = (float) (code - z) * s, the subtraction exact in int32. The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

void qb_qu4g128_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_group_qu4g128* in = (const qb_group_qu4g128*) x;
  float* out = (float*) y;
  (void) params;
  assert(n % 128 == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t k = 0; k < n / 128; k++) {
    const float s = qb__int4g_scale(in[k].d);
    const int32_t z = in[k].z;
    float* o = out + k * 128;
    for (unsigned j = 0; j < 128 / 2; j++) {
      o[2 * j] = (float) ((int32_t) (in[k].qs[j] & 15u) - z) * s;
      o[2 * j + 1] = (float) ((int32_t) (in[k].qs[j] >> 4) - z) * s;
    }
  }
}
