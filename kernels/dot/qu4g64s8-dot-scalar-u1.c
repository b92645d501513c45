/*
 * qu4g64 weights . s8 activations -> f32 (W4A8 with per-token activations: the result is
 * in units of the activation scale, which the caller multiplies once per output). The
 * scalar reference: per group an exact int32 sum of (code - z) * a (at most 64 x 15 x 128 in
 * magnitude), then acc += (float) isum * s, groups in order.
 */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

void qb_qu4g64s8_dot_ukernel__scalar_u1(size_t n, const void* a_, const void* b_, void* out) {
  const qb_group_qu4g64* w = (const qb_group_qu4g64*) a_;
  const int8_t* act = (const int8_t*) b_;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n % 64 == 0);
  assert(n == 0 || (a_ != NULL && b_ != NULL));
  for (size_t k = 0; k < n / 64; k++) {
    const int8_t* a = act + k * 64;
    const int32_t z = w[k].z;
    int32_t isum = 0;
    for (unsigned j = 0; j < 64 / 2; j++) {
      isum += ((int32_t) (w[k].qs[j] & 15u) - z) * (int32_t) a[2 * j];
      isum += ((int32_t) (w[k].qs[j] >> 4) - z) * (int32_t) a[2 * j + 1];
    }
    acc += (float) isum * qb__int4g_scale(w[k].d);
  }
  *(float*) out = acc;
}
