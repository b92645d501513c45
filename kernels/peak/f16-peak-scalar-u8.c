/*
 * f16 peak, the scalar reference: n multiply-adds acc += a[0] * b[0] on the inputs
 * decoded to f32 (exactly, common/fp.h), over 8 accumulators, their sum written to out.
 * The FMA variants round once where this rounds the product and the sum
 * (QB_SEM_REASSOC); with partial sums that are exact in f32 (a[0] = b[0] = 1.0 gives
 * exactly n) all variants agree bit for bit. Not a roof: the compiler may hoist the
 * invariant product.
 */
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

#define QB__CHAINS 8

void qb_f16_peak_ukernel__scalar_u8(size_t n, const void* a, const void* b, void* out) {
  float acc[QB__CHAINS] = {0};
  float sum = 0.0f;
  assert(out != NULL);
  assert(n % QB__CHAINS == 0);
  if (n > 0) {
    const float x = qb_f32_from_bits(qb_f16_to_f32_bits(*(const uint16_t*) a));
    const float y = qb_f32_from_bits(qb_f16_to_f32_bits(*(const uint16_t*) b));
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
