/* bf16 . bf16 -> f32. The scalar reference: inputs decoded exactly (a bit shift),
 * products and sums in f32, in index order. Subnormal inputs are kept. */
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

void qb_bf16_dot_ukernel__scalar_u1(size_t n, const void* a, const void* b, void* out) {
  const uint16_t* x = (const uint16_t*) a;
  const uint16_t* y = (const uint16_t*) b;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t i = 0; i < n; i++) {
    const float xf = qb_f32_from_bits(qb_bf16_to_f32_bits(x[i]));
    const float yf = qb_f32_from_bits(qb_bf16_to_f32_bits(y[i]));
    acc += xf * yf;
  }
  *(float*) out = acc;
}
