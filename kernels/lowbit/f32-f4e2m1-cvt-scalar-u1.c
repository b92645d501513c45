/* f32 -> FP4 E2M1 (packed, 2 per 1 byte): nearest even, saturating, NaN -> signed zero. The scalar reference.
 */
#include <assert.h>

#include "lowbit/lowbit-scalar.h"
#include "qb/ukernel.h"

void qb_f32_f4e2m1_cvt_ukernel__scalar_u1(size_t n, const void* x, void* y, const void* params) {
  const float* in = (const float*) x;
  uint8_t* out = (uint8_t*) y;
  uint8_t codes[2];
  (void) params;
  assert(n % 2 == 0);
  assert(n == 0 || (x != NULL && y != NULL));
  for (size_t i = 0; i < n; i += 2, out += 1) {
    for (size_t j = 0; j < 2; j++) codes[j] = qb_f32_to_f4e2m1_bits(qb_f32_to_bits(in[i + j]));
    qb__pack4(codes, 2, out);
  }
}
