/* f32 -> FP6 E2M3 (packed, 4 per 3 bytes): nearest even, saturating, NaN -> signed zero. The scalar
 * reference. */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f32_f6e2m3_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  uint8_t codes[4];
  (void) params;
  assert(n % 4 == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i += 4, out += 3) {
    for (size_t j = 0; j < 4; j++) codes[j] = qb_f32_to_f6e2m3_bits(qb_f32_to_bits(in[i + j]));
    qb__pack6(codes, 4, out);
  }
}
