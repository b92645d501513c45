/* FP6 E3M2 (packed) -> f32, exact. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f6e3m2_f32_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const uint8_t* in = (const uint8_t*) x;
  float* out = (float*) y;
  uint8_t codes[4];
  (void) params;
  assert(n % 4 == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i += 4, in += 3) {
    qb__unpack6(in, 4, codes);
    for (size_t j = 0; j < 4; j++) out[i + j] = qb_f32_from_bits(qb_f6e3m2_to_f32_bits(codes[j]));
  }
}
