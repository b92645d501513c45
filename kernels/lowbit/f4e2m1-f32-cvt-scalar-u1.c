/* FP4 E2M1 (packed) -> f32, exact. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f4e2m1_f32_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const uint8_t* in = (const uint8_t*) x;
  float* out = (float*) y;
  uint8_t codes[2];
  (void) params;
  assert(n % 2 == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i += 2, in += 1) {
    qb__unpack4(in, 2, codes);
    for (size_t j = 0; j < 2; j++) out[i + j] = qb_f32_from_bits(qb_f4e2m1_to_f32_bits(codes[j]));
  }
}
