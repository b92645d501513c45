/* qu4g64 -> f32: y = (float) (code - z) * s, the subtraction exact in int32. The scalar reference. */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

void qb_qu4g64_f32_dequant_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const qb_group_qu4g64* in = (const qb_group_qu4g64*) x;
  float* out = (float*) y;
  (void) params;
  assert(n % 64 == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t k = 0; k < n / 64; k++) {
    const float s = qb__int4g_scale(in[k].d);
    const int32_t z = in[k].z;
    float* o = out + k * 64;
    for (unsigned j = 0; j < 64 / 2; j++) {
      o[2 * j] = (float) ((int32_t) (in[k].qs[j] & 15u) - z) * s;
      o[2 * j + 1] = (float) ((int32_t) (in[k].qs[j] >> 4) - z) * s;
    }
  }
}
