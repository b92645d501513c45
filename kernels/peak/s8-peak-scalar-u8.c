/*
 * s8 (u8 . s8 -> s32) peak, the scalar reference: n multiply-adds acc += a[0] * b[0]
 * (a unsigned, b signed bytes) over 8 accumulators, sums wrapping modulo 2^32 like the
 * vector instructions, the total written to out. Exact for every variant. Not a roof:
 * the compiler may well compute this loop in closed form.
 */
#include <assert.h>

#include "peak/peak.h"
#include "qb/ukernel.h"

#define QB__CHAINS 8

void qb_s8_peak_ukernel__scalar_u8(size_t n, const void* a, const void* b, void* out) {
  uint32_t acc[QB__CHAINS] = {0};
  uint32_t sum = 0;
  assert(out != NULL);
  assert(n % QB__CHAINS == 0);
  if (n > 0) {
    const uint8_t x = *(const uint8_t*) a;
    const int8_t y = *(const int8_t*) b;
    const uint32_t p = (uint32_t) ((int32_t) x * (int32_t) y);
    assert(qb_s8_peak_operands_ok(x, y));
    for (size_t i = 0; i < n / QB__CHAINS; i++) {
      for (int j = 0; j < QB__CHAINS; j++) {
        acc[j] += p;
      }
    }
  }
  for (int j = 0; j < QB__CHAINS; j++) {
    sum += acc[j];
  }
  *(int32_t*) out = (int32_t) sum;
}
