/*
 * f32 peak, the scalar reference (and the oracle of the SIMD variants): n
 * multiply-adds acc += a[0] * b[0], spread over 8 independent accumulators, whose sum
 * is written to out. Multiply and add round separately here (-std=c11 does not fuse
 * them); the FMA variants round once, so they declare QB_SEM_REASSOC. When every
 * partial sum is an integer below 2^24 (a[0] = b[0] = 1 gives exactly n) all variants
 * agree bit for bit. Not a roof: the compiler may hoist the invariant product.
 */
#include <assert.h>

#include "qb/ukernel.h"

#define QB__CHAINS 8

void qb_f32_peak_ukernel__scalar_u8(size_t n, const void* a, const void* b, void* out) {
  float acc[QB__CHAINS] = {0};
  float sum = 0.0f;
  assert(out != NULL);
  assert(n % QB__CHAINS == 0);
  if (n > 0) {
    const float x = *(const float*) a;
    const float y = *(const float*) b;
    for (size_t i = 0; i < n / QB__CHAINS; i++) {
      for (int j = 0; j < QB__CHAINS; j++) {
        acc[j] += x * y;
      }
    }
  }
  for (int j = 0; j < QB__CHAINS; j++) {
    sum += acc[j];
  }
  *(float*) out = sum;
}
