/*
 * bf16 peak, the scalar reference: n multiply-adds acc += a[0] * b[0] on the inputs
 * decoded to f32 (exactly), over 8 accumulators, their sum written to out. The
 * vdpbf16ps variant flushes subnormals and rounds its pair sums its own way
 * (QB_SEM_FTZ_IN | QB_SEM_FTZ_OUT | QB_SEM_REASSOC); with integer partial sums below
 * 2^24 (a[0] = b[0] = 1.0 gives exactly n) all variants agree bit for bit.
 */
#include <assert.h>

#include "common/fp.h"
#include "qb/ukernel.h"

#define QB__CHAINS 8

void qb_bf16_peak_ukernel__scalar_u8(size_t n, const void* a, const void* b, void* out) {
  float acc[QB__CHAINS] = {0};
  float sum = 0.0f;
  assert(out != NULL);
  assert(n % QB__CHAINS == 0);
  if (n > 0) {
    const float x = qb_f32_from_bits(qb_bf16_to_f32_bits(*(const uint16_t*) a));
    const float y = qb_f32_from_bits(qb_bf16_to_f32_bits(*(const uint16_t*) b));
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
