/*
 * qs4g128 weights . s8 activations -> f32 (W4A8 with per-token activations: the result is
 * in units of the activation scale, which the caller multiplies once per output). The
 * scalar reference: per group an exact int32 sum of (code) * a (at most 128 x 15 x 128 in
 * magnitude), then acc += (float) isum * s, groups in order.
 */
#include <assert.h>

#include "qb/ukernel.h"
#include "quant/int4g-scalar.h"

void qb_qs4g128s8_dot_ukernel__scalar_u1(size_t n, const void* a_, const void* b_, void* out) {
  const qb_group_qs4g128* w = (const qb_group_qs4g128*) a_;
  const int8_t* act = (const int8_t*) b_;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n % 128 == 0);
  assert(n == 0 || (a_ != NULL && b_ != NULL));
  for (size_t k = 0; k < n / 128; k++) {
    const int8_t* a = act + k * 128;
    int32_t isum = 0;
    for (unsigned j = 0; j < 128 / 2; j++) {
      isum += qb__s4(w[k].qs[j] & 15u) * (int32_t) a[2 * j];
      isum += qb__s4((uint32_t) w[k].qs[j] >> 4) * (int32_t) a[2 * j + 1];
    }
    acc += (float) isum * qb__int4g_scale(w[k].d);
  }
  *(float*) out = acc;
}
