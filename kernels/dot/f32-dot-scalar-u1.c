/* f32 . f32 -> f32. The scalar reference: one f32 accumulator, products rounded to f32
 * and added in index order (-std=c11 forbids the compiler to fuse them). */
#include <assert.h>

#include "qb/ukernel.h"

void qb_f32_dot_ukernel__scalar_u1(size_t n, const void* a, const void* b, void* out) {
  const float* x = (const float*) a;
  const float* y = (const float*) b;
  float acc = 0.0f;
  assert(out != NULL);
  assert(n == 0 || (a != NULL && b != NULL));
  for (size_t i = 0; i < n; i++) {
    acc += x[i] * y[i];
  }
  *(float*) out = acc;
}
