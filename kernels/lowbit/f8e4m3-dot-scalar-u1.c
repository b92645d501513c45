/* f8 e4m3fn . f8 e4m3fn -> f32: exact products, summed in order in f32. The scalar reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f8e4m3_dot_ukernel__scalar_u1(size_t n, const void* a, const void* b, void* out) {
  const uint8_t* x = (const uint8_t*) a;
  const uint8_t* y = (const uint8_t*) b;
  float acc = 0.0f;
  assert(n == 0 || (a != NULL && b != NULL));
  assert(out != NULL);
  for (size_t i = 0; i < n; i++) {
    acc += qb_f32_from_bits(qb_f8e4m3_to_f32_bits(x[i])) * qb_f32_from_bits(qb_f8e4m3_to_f32_bits(y[i]));
  }
  *(float*) out = acc;
}
